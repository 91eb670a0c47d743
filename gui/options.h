// The command line of kafkasim-gui: what it opens, where it starts, how it looks. Plain code,
// no ImGui, so the flags are tested without a window (tests/gui/options_test.cc).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engine/time.h"

namespace kafkasim::gui {

// Printed after --help and after every flag error.
extern const char kUsage[];

struct Options {
  std::string scenario;          // "" opens the default scenario (DefaultScenarioPath)
  std::int64_t seed = -1;        // < 0 keeps the scenario's own seed
  std::optional<Time> at;        // run to this virtual time before the first frame
  std::string screenshot;        // render offscreen, write this PNG and exit
  int frames = 0;                // 0: run until the window closes
  float scale = 1.0f;            // UI scale (fonts and sizes), kScaleMin..kScaleMax
  bool play = false;             // start playing
  bool presenter = false;        // the presenter layout: the map and narration large
  double speed = 1.0;            // virtual seconds per wall second, kSpeedMin..kSpeedMax
  std::string select;            // a partition to open in the Partition tab ("cities-0")
  std::string tab;               // a tab to open at start, one of kTabNames ("Groups")
  std::uint64_t max_memory = 0;  // --max-memory in bytes; 0: MemoryBudget::DefaultBytes()
  // --listen: real clients reach the simulated brokers (broker n on port_base + n - 1, bound to
  // `bind`) and virtual time follows wall time x speed, as `kafkasim serve`.
  bool listen = false;
  int port_base = 9092;
  std::string bind = "127.0.0.1";
  // --headless: no window; the panels are drawn without a backend until --frames, SIGINT or
  // SIGTERM (a real-client session on a machine without a display, and its test).
  bool headless = false;
};

// The tabs --tab opens, as the tab bars name them (matched without regard to case). "Znodes"
// exists in ZooKeeper mode only.
inline constexpr const char* kTabNames[] = {"Topics", "Partition", "Quorum",  "Znodes", "Clients",
                                            "Groups", "Event log", "Console", "Metrics"};

constexpr float kScaleMin = 0.5f;
constexpr float kScaleMax = 4.0f;

// The outcome of parsing: either options to run with, or an exit right away (`exit_code` 0
// after --help, 2 on a bad flag) with `message` ("" or "[gui.E0xx] ...") printed before kUsage.
struct ParsedOptions {
  Options options;
  std::optional<int> exit_code;
  std::string message;
};

// Errors: [gui.E002] a flag without its value, [gui.E003] an unknown flag, [gui.E006] an
// unreadable --at time, [gui.E007] a number out of range or unreadable, [gui.E008] a second
// scenario, [gui.E010] a bad --max-memory size, [gui.E011] an unknown --tab, [gui.E013]
// --port-base or --bind without --listen, [gui.E014] --screenshot with --headless. (E001, E004 and
// E005 belonged to the removed --fake mode and are not reused.)
ParsedOptions ParseOptions(int argc, const char* const* argv);

// "12s", "1500ms" or "2.5" (seconds) as a virtual time; nullopt when unreadable or negative.
std::optional<Time> ParseTime(const std::string& text);

}  // namespace kafkasim::gui
