// kafkasim-gui's command line: every flag of --help is read, and every bad flag is a message
// naming the flag, what was given and what is valid, with exit code 2.
#include "gui/options.h"

#include <doctest/doctest.h>

#include <initializer_list>
#include <string>
#include <vector>

namespace kafkasim::gui {
namespace {

ParsedOptions Parse(std::initializer_list<const char*> args) {
  std::vector<const char*> argv{"kafkasim-gui"};
  argv.insert(argv.end(), args.begin(), args.end());
  return ParseOptions(static_cast<int>(argv.size()), argv.data());
}

// The message of a command line that must be refused with exit code 2.
std::string Refused(std::initializer_list<const char*> args) {
  const ParsedOptions parsed = Parse(args);
  REQUIRE(parsed.exit_code.has_value());
  CHECK(*parsed.exit_code == 2);
  return parsed.message;
}

TEST_CASE("gui options: no flags open the default scenario at its start, paused, at scale 1") {
  const ParsedOptions parsed = Parse({});
  CHECK_FALSE(parsed.exit_code.has_value());
  const Options& o = parsed.options;
  CHECK(o.scenario.empty());
  CHECK(o.seed == -1);
  CHECK_FALSE(o.at.has_value());
  CHECK(o.screenshot.empty());
  CHECK(o.frames == 0);
  CHECK(o.scale == 1.0f);
  CHECK_FALSE(o.play);
  CHECK(o.speed == 1.0);
  CHECK(o.select.empty());
}

TEST_CASE("gui options: every flag of the usage line is read") {
  const ParsedOptions parsed = Parse({"scenarios/min-isr.json",
                                      "--seed",
                                      "7",
                                      "--at",
                                      "18.8",
                                      "--screenshot",
                                      "out.png",
                                      "--frames",
                                      "320",
                                      "--scale",
                                      "1.5",
                                      "--play",
                                      "--presenter",
                                      "--speed",
                                      "0.25",
                                      "--select",
                                      "cities-0",
                                      "--tab",
                                      "groups",
                                      "--max-memory",
                                      "2G"});
  CHECK_FALSE(parsed.exit_code.has_value());
  CHECK(parsed.message.empty());
  const Options& o = parsed.options;
  CHECK(o.scenario == "scenarios/min-isr.json");
  CHECK(o.seed == 7);
  REQUIRE(o.at.has_value());
  CHECK(*o.at == kTimeZero + Milliseconds(18800));
  CHECK(o.screenshot == "out.png");
  CHECK(o.frames == 320);
  CHECK(o.scale == 1.5f);
  CHECK(o.play);
  CHECK(o.presenter);
  CHECK(o.speed == 0.25);
  CHECK(o.select == "cities-0");
  CHECK(o.tab == "Groups");  // as the tab bar names it
  CHECK(o.max_memory == 2ull << 30);
}

TEST_CASE("gui options: --tab names a tab, in any case, or is refused with the tabs there are") {
  CHECK(Parse({"--tab", "event LOG"}).options.tab == "Event log");
  CHECK(Parse({"--tab", "Znodes"}).options.tab == "Znodes");
  CHECK(Refused({"--tab", "zookeeper"}) ==
        "[gui.E011] --tab 'zookeeper': expected one of Topics, Partition, Quorum, Znodes, "
        "Clients, Groups, Event log, Console, Metrics");
}

TEST_CASE("gui options: a bad --max-memory is refused with what is valid") {
  CHECK(Refused({"--max-memory", "lots"}) ==
        "[gui.E010] --max-memory 'lots': expected a size like 512M, 4G or 2GiB");
}

TEST_CASE("gui options: --help asks for the usage and exit code 0") {
  for (const char* flag : {"--help", "-h"}) {
    const ParsedOptions parsed = Parse({"scenarios/min-isr.json", flag, "--no-such-flag"});
    REQUIRE(parsed.exit_code.has_value());
    CHECK(*parsed.exit_code == 0);
    CHECK(parsed.message.empty());
  }
  CHECK(std::string(kUsage).find("--fake") == std::string::npos);
  CHECK(std::string(kUsage).starts_with("usage: kafkasim-gui [SCENARIO] [--seed N] [--at T]"));
}

TEST_CASE("gui options: --at reads seconds, 's' and 'ms'") {
  CHECK(ParseTime("12s") == kTimeZero + Seconds(12));
  CHECK(ParseTime("1500ms") == kTimeZero + Milliseconds(1500));
  CHECK(ParseTime("2.5") == kTimeZero + Milliseconds(2500));
  CHECK(ParseTime("0") == kTimeZero);
  CHECK_FALSE(ParseTime("").has_value());
  CHECK_FALSE(ParseTime("s").has_value());
  CHECK_FALSE(ParseTime("-1s").has_value());
  CHECK_FALSE(ParseTime("12m").has_value());
  CHECK_FALSE(ParseTime("1e300").has_value());
}

TEST_CASE("gui options: a flag without its value is refused") {
  CHECK(Refused({"--seed"}) == "[gui.E002] --seed needs a value");
  CHECK(Refused({"scenarios/min-isr.json", "--select"}) == "[gui.E002] --select needs a value");
}

TEST_CASE("gui options: an unknown flag is refused, --fake among them") {
  CHECK(Refused({"--fake", "20:500"}) == "[gui.E003] unknown flag '--fake'");
  CHECK(Refused({"--sped", "2"}) == "[gui.E003] unknown flag '--sped'");
}

TEST_CASE("gui options: an unreadable --at is refused") {
  CHECK(Refused({"--at", "soon"}) == "[gui.E006] --at soon: expected a time like 12s or 1500ms");
  CHECK(Refused({"--at", "5min"}) == "[gui.E006] --at 5min: expected a time like 12s or 1500ms");
}

TEST_CASE("gui options: numbers out of range or unreadable are refused with the valid range") {
  CHECK(Refused({"--seed", "abc"}) == "[gui.E007] --seed abc: expected a whole number >= 0");
  CHECK(Refused({"--seed", "-3"}) == "[gui.E007] --seed -3: expected a whole number >= 0");
  CHECK(Refused({"--frames", "0"}) ==
        "[gui.E007] --frames 0: expected a whole number of frames >= 1");
  CHECK(Refused({"--frames", "10x"}) ==
        "[gui.E007] --frames 10x: expected a whole number of frames >= 1");
  CHECK(Refused({"--scale", "9"}) == "[gui.E007] --scale 9: expected a number from 0.5 to 4");
  CHECK(Refused({"--scale", "big"}) == "[gui.E007] --scale big: expected a number from 0.5 to 4");
  CHECK(Refused({"--speed", "0"}) == "[gui.E007] --speed 0: expected a number from 0.01 to 1000");
  CHECK(Refused({"--speed", "nan"}) ==
        "[gui.E007] --speed nan: expected a number from 0.01 to 1000");
}

TEST_CASE("gui options: --listen takes --port-base and --bind, with serve's defaults") {
  const ParsedOptions plain = Parse({"--listen", "--headless"});
  REQUIRE_FALSE(plain.exit_code.has_value());
  CHECK(plain.options.listen);
  CHECK(plain.options.headless);
  CHECK(plain.options.port_base == 9092);
  CHECK(plain.options.bind == "127.0.0.1");
  const ParsedOptions given =
      Parse({"--listen", "--port-base", "19092", "--bind", "0.0.0.0", "--speed", "2"});
  REQUIRE_FALSE(given.exit_code.has_value());
  CHECK(given.options.port_base == 19092);
  CHECK(given.options.bind == "0.0.0.0");
  CHECK(given.options.speed == 2.0);
}

TEST_CASE("gui options: a bad --port-base, or one without --listen, is refused") {
  CHECK(Refused({"--listen", "--port-base", "0"}) ==
        "[gui.E007] --port-base 0: give a port in 1-65535");
  CHECK(Refused({"--listen", "--port-base", "70000"}) ==
        "[gui.E007] --port-base 70000: give a port in 1-65535");
  CHECK(Refused({"--listen", "--port-base", "x"}) ==
        "[gui.E007] --port-base x: give a port in 1-65535");
  CHECK(Refused({"--port-base", "19092"}) ==
        "[gui.E013] --port-base needs --listen (it says where real clients connect)");
  CHECK(Refused({"--bind", "0.0.0.0"}) ==
        "[gui.E013] --bind needs --listen (it says where real clients connect)");
  CHECK(Refused({"--headless", "--screenshot", "a.png"}) ==
        "[gui.E014] --screenshot needs a window: leave out --headless");
}

TEST_CASE("gui options: a second scenario is refused") {
  CHECK(Refused({"scenarios/a.json", "scenarios/b.json"}) ==
        "[gui.E008] scenarios/b.json: one scenario at a time (scenarios/a.json is already given)");
}

}  // namespace
}  // namespace kafkasim::gui
