// Everything the front end remembers between frames that is not the world: playback, display
// settings, selection, filters and the panels' view-models.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gui/console_model.h"
#include "gui/event_filter.h"
#include "gui/metric_history.h"
#include "gui/timeline_model.h"
#include "gui/topics_model.h"
#include "scenario/diagram.h"

struct ImFont;

namespace kafkasim::gui {

struct GuiFonts {
  ImFont* regular = nullptr;
  ImFont* mono = nullptr;
  ImFont* large = nullptr;  // narration
};

// A console line that is not in the trace: `help`, a command that did not parse, a file error.
struct ConsoleLine {
  enum class Kind : std::uint8_t { kInput, kOutput, kError, kNote };
  Kind kind = Kind::kOutput;
  std::string text;
  // The trace's size when it was written: it shows after the commands before that event.
  std::uint64_t after_event = 0;
};

struct GuiState {
  // Playback.
  bool playing = false;
  double speed = 1.0;  // virtual seconds per wall second
  bool as_fast_as_possible = false;
  bool live = false;  // --listen: the gateway sets the pace; the run has no end

  // Display (classroom settings).
  float ui_scale = 1.0f;
  bool high_contrast = false;
  bool colour_blind_safe = true;  // Okabe-Ito palette
  bool show_heartbeats = true;
  bool presenter = false;         // the map fills the middle; tables, logs and checks are hidden
  bool show_idle_fetches = true;  // fetches from a replica already at its leader's log end
  // The cluster map draws a message over this many times its network latency, so a 2 ms
  // fetch crosses the map in 0.2 virtual seconds (1 = true speed).
  float message_stretch = 100.0f;
  std::string map_topic;  // the map's topic filter: "" user topics, "*" all, or one topic
  // The cluster map's canvas on screen (x, y, width, height) as last drawn, for tests.
  std::array<float, 4> map_canvas{};
  // The session's message records (for the map's messages in flight); set by App each frame.
  const std::vector<scenario::MessageRecord>* message_log = nullptr;
  GuiFonts fonts;
  double wall_seconds = 0;  // the front end's clock: highlights fade by it

  // Selection.
  std::string selected_node;
  std::string selected_partition;  // "cities-0"
  // A tab to bring to the front on the next frame ("Partition"), then cleared.
  std::string focus_tab;
  std::string context_node;  // the node whose context menu is open
  std::optional<std::uint64_t> selected_event;
  bool scroll_to_selected_event = false;
  // ZooKeeper panel: the server whose tree is shown ("" = the leader's), and the znodes the
  // user opened or closed (path -> open), over the defaults of VisibleZnodes.
  std::string znode_server;
  std::map<std::string, bool> znode_open;

  // View-models.
  TopicsModel topics;
  EventFilterSpec filter;
  EventFilter event_filter;
  TimelineModel timeline;
  MetricHistory metrics;

  // Console: the transcript read from the trace, and the lines of the console's own.
  ConsoleModel console_model;
  std::vector<ConsoleLine> console;
  std::array<char, 512> console_input{};
  bool console_focus = false;
  std::vector<std::string> console_history;  // commands entered, oldest first
  int console_history_pos = -1;              // -1: editing a new line

  // Guarantees: the alert shown when a check breaks.
  std::string alert;
  std::uint64_t alert_event = 0;
  std::vector<std::string> broken_checks;  // names already alerted

  // Timeline scrubbing: where the mouse holds the playhead.
  bool scrubbing = false;
  Time scrub_time;

  // File actions.
  std::array<char, 512> open_path{};
  std::array<char, 512> save_path{};
  std::array<char, 512> export_path{};
  int export_format = 0;               // 0 Mermaid, 1 SVG
  float export_window_seconds = 2.0f;  // diagram covers [now - window, now]
  std::int64_t seed_input = 0;
  std::string status;  // result of the last file action, shown in the toolbar

  // Forget everything derived from the world (after a rewind, restart or open).
  void ResetModels() {
    topics.Reset();
    event_filter.Reset();
    timeline.Reset();
    console_model.Reset();
    broken_checks.clear();
    alert.clear();
  }
};

}  // namespace kafkasim::gui
