// Flag parsing of kafkasim-gui: every bad flag is a message naming the flag, the text given
// and what would be valid, and exit code 2.
#include "gui/options.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <string_view>
#include <type_traits>

#include "engine/memory_budget.h"
#include "gui/playback.h"

namespace kafkasim::gui {

const char kUsage[] =
    "usage: kafkasim-gui [SCENARIO] [--seed N] [--at T] [--screenshot FILE] [--frames N]\n"
    "                    [--scale S] [--play] [--presenter] [--speed X]\n"
    "                    [--select PARTITION] [--tab NAME] [--max-memory SIZE]\n"
    "                    [--listen [--port-base P] [--bind ADDR]] [--headless]\n";

namespace {

// The whole text as a number of type T, or nullopt (trailing characters are an error).
template <typename T>
std::optional<T> ReadNumber(std::string_view text) {
  T value{};
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  if constexpr (std::is_floating_point_v<T>) {
    if (!std::isfinite(value)) return std::nullopt;
  }
  return value;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string BadNumber(std::string_view flag, std::string_view text, std::string_view valid) {
  return fmt::format("[gui.E007] {} {}: expected {}", flag, text, valid);
}

// Applies one flag that takes a value; returns "" or the error message.
std::string ApplyValue(std::string_view flag, std::string_view text, Options& o) {
  if (flag == "--seed") {
    const auto seed = ReadNumber<std::int64_t>(text);
    if (!seed || *seed < 0) return BadNumber(flag, text, "a whole number >= 0");
    o.seed = *seed;
  } else if (flag == "--at") {
    o.at = ParseTime(std::string(text));
    if (!o.at) return fmt::format("[gui.E006] --at {}: expected a time like 12s or 1500ms", text);
  } else if (flag == "--screenshot") {
    o.screenshot = text;
  } else if (flag == "--frames") {
    const auto frames = ReadNumber<int>(text);
    if (!frames || *frames < 1) return BadNumber(flag, text, "a whole number of frames >= 1");
    o.frames = *frames;
  } else if (flag == "--scale") {
    const auto scale = ReadNumber<float>(text);
    if (!scale || *scale < kScaleMin || *scale > kScaleMax) {
      return BadNumber(flag, text, fmt::format("a number from {} to {}", kScaleMin, kScaleMax));
    }
    o.scale = *scale;
  } else if (flag == "--speed") {
    const auto speed = ReadNumber<double>(text);
    if (!speed || *speed < kSpeedMin || *speed > kSpeedMax) {
      return BadNumber(flag, text, fmt::format("a number from {} to {}", kSpeedMin, kSpeedMax));
    }
    o.speed = *speed;
  } else if (flag == "--port-base") {
    // The words of `kafkasim serve`.
    const auto port = ReadNumber<int>(text);
    if (!port || *port < 1 || *port > 65535) {
      return fmt::format("[gui.E007] --port-base {}: give a port in 1-65535", text);
    }
    o.port_base = *port;
  } else if (flag == "--bind") {
    o.bind = text;  // the gateway says whether it is an IP address ([gateway.E020])
  } else if (flag == "--max-memory") {
    Result<std::uint64_t> bytes = ParseMemorySize(std::string(text));
    if (!bytes.ok()) return "[gui.E010] --max-memory " + bytes.status().message();
    o.max_memory = *bytes;
  } else if (flag == "--tab") {
    std::string names;
    for (const char* name : kTabNames) {
      if (EqualsIgnoringCase(name, text)) {
        o.tab = name;
        return "";
      }
      names += (names.empty() ? "" : ", ") + std::string(name);
    }
    return fmt::format("[gui.E011] --tab '{}': expected one of {}", text, names);
  } else {  // --select
    o.select = text;
  }
  return "";
}

bool TakesValue(std::string_view flag) {
  return flag == "--seed" || flag == "--at" || flag == "--screenshot" || flag == "--frames" ||
         flag == "--scale" || flag == "--speed" || flag == "--select" || flag == "--tab" ||
         flag == "--max-memory" || flag == "--port-base" || flag == "--bind";
}

}  // namespace

ParsedOptions ParseOptions(int argc, const char* const* argv) {
  ParsedOptions parsed;
  auto fail = [&parsed](std::string message) {
    parsed.exit_code = 2;
    parsed.message = std::move(message);
    return parsed;
  };
  std::string network_flag;  // --port-base or --bind, which mean something with --listen only
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      parsed.exit_code = 0;
      return parsed;
    }
    if (arg == "--play") {
      parsed.options.play = true;
    } else if (arg == "--presenter") {
      parsed.options.presenter = true;
    } else if (arg == "--listen") {
      parsed.options.listen = true;
    } else if (arg == "--headless") {
      parsed.options.headless = true;
    } else if (TakesValue(arg)) {
      if (i + 1 >= argc) return fail(fmt::format("[gui.E002] {} needs a value", arg));
      std::string error = ApplyValue(arg, argv[++i], parsed.options);
      if (!error.empty()) return fail(std::move(error));
    } else if (!arg.empty() && arg[0] == '-') {
      return fail(fmt::format("[gui.E003] unknown flag '{}'", arg));
    } else if (!parsed.options.scenario.empty()) {
      return fail(fmt::format("[gui.E008] {}: one scenario at a time ({} is already given)", arg,
                              parsed.options.scenario));
    } else {
      parsed.options.scenario = arg;
    }
    if (arg == "--port-base" || arg == "--bind") network_flag = arg;
  }
  if (parsed.options.headless && !parsed.options.screenshot.empty()) {
    return fail("[gui.E014] --screenshot needs a window: leave out --headless");
  }
  if (!network_flag.empty() && !parsed.options.listen) {
    return fail(fmt::format("[gui.E013] {} needs --listen (it says where real clients connect)",
                            network_flag));
  }
  return parsed;
}

std::optional<Time> ParseTime(const std::string& text) {
  std::string_view number = text, unit;
  if (number.ends_with("ms")) {
    unit = "ms";
  } else if (number.ends_with("s")) {
    unit = "s";
  }
  number.remove_suffix(unit.size());
  const auto value = ReadNumber<double>(number);
  if (!value || *value < 0) return std::nullopt;
  const double ns = *value * (unit == "ms" ? 1e6 : 1e9);
  if (ns > 9e18) return std::nullopt;  // beyond Time's int64 nanoseconds (~292 years)
  return kTimeZero + Nanoseconds(std::llround(ns));
}

}  // namespace kafkasim::gui
