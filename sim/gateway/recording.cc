// The recording of a gateway session; see recording.h.
#include "gateway/recording.h"

#include <fmt/format.h>

#include <charconv>
#include <sstream>

namespace kafkasim::gateway {
namespace {

constexpr std::string_view kMagic = "kafkasim-gateway-recording 1";

template <typename T>
bool ParseNumber(const std::string& text, T* out) {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, *out);
  return ec == std::errc() && ptr == end;
}

bool ParseHex(const std::string& text, std::vector<std::uint8_t>* out) {
  if (text.size() % 2 != 0) return false;
  out->clear();
  out->reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    std::uint8_t byte = 0;
    const auto [ptr, ec] = std::from_chars(text.data() + i, text.data() + i + 2, byte, 16);
    if (ec != std::errc() || ptr != text.data() + i + 2) return false;
    out->push_back(byte);
  }
  return true;
}

}  // namespace

std::string RecordingHeader(std::uint64_t seed) {
  return fmt::format("{}\nseed {}\n", kMagic, seed);
}

std::string RecordingInputLine(const ExternalInput& input) {
  std::string hex;
  hex.reserve(input.frame.size() * 2);
  for (std::uint8_t b : input.frame) fmt::format_to(std::back_inserter(hex), "{:02x}", b);
  return fmt::format("input {} {} {} {}\n", input.at.ns, input.broker_id, input.connection, hex);
}

std::string RecordingEndLine(Time end) { return fmt::format("end {}\n", end.ns); }

Result<Recording> ParseRecording(const std::string& text, const std::string& path) {
  Recording recording;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  bool ended = false;
  auto error = [&](const std::string& what) {
    return Status(Errc::kInvalidArgument,
                  fmt::format("[gateway.E010] {}:{}: {}", path, number, what));
  };
  while (std::getline(in, line)) {
    ++number;
    if (number == 1) {
      if (line != kMagic)
        return error(
            fmt::format("expected '{}' (a recording written by "
                        "kafkasim serve --record)",
                        kMagic));
      continue;
    }
    std::istringstream fields(line);
    std::string word, a, b, c, d, extra;
    fields >> word >> a >> b >> c >> d >> extra;
    if (ended) return error("nothing may follow the 'end' line");
    if (word == "seed" && b.empty() && ParseNumber(a, &recording.seed)) continue;
    if (word == "input" && extra.empty()) {
      ExternalInput input;
      if (!ParseNumber(a, &input.at.ns) || !ParseNumber(b, &input.broker_id) ||
          !ParseNumber(c, &input.connection) || !ParseHex(d, &input.frame)) {
        return error("expected 'input <virtual ns> <broker id> <connection> <hex frame>'");
      }
      if (!recording.inputs.empty() && input.at < recording.inputs.back().at) {
        return error("inputs must be in time order");
      }
      recording.inputs.push_back(std::move(input));
      continue;
    }
    if (word == "end" && b.empty() && ParseNumber(a, &recording.end.ns)) {
      ended = true;
      continue;
    }
    return error("expected a 'seed N', 'input ...' or 'end NS' line, got '" + line.substr(0, 40) +
                 "'");
  }
  if (number == 0) return error("empty file");
  if (!ended) return error("no 'end NS' line: the recording was cut short");
  if (!recording.inputs.empty() && recording.end < recording.inputs.back().at) {
    return error("the end is before the last input");
  }
  return recording;
}

void MakeOpenEnded(scenario::Scenario& scenario) {
  scenario.end = kTimeZero + Seconds(365LL * 24 * 3600);
}

void Replay(scenario::Runner& runner, const Recording& recording) {
  constexpr std::uint64_t kEventsPerCall = 1'000'000;
  GatewayCore core(runner.world(), GatewayOptions{}, nullptr);
  for (const ExternalInput& input : recording.inputs) {
    while (!runner.AdvanceTo(input.at, kEventsPerCall)) {
    }
    (void)core.OnFrame(input.connection, input.broker_id, input.frame);
  }
  while (!runner.AdvanceTo(recording.end, kEventsPerCall)) {
  }
}

}  // namespace kafkasim::gateway
