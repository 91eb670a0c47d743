// What panels ask of the session during a frame. Panels never touch the session: they append
// here, and the main loop applies the queue between frames (STYLE.md "Model apart from UI").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/time.h"
#include "gui/timeline_model.h"

namespace kafkasim::gui {

enum class DiagramFormat : std::uint8_t { kMermaid, kSvg };

struct ExportRequest {
  DiagramFormat format = DiagramFormat::kMermaid;
  Time from;
  Time to;
  std::string path;
};

struct CommandQueue {
  // World commands, exactly as a scenario `run` step or the console would type them:
  // "crash broker-1", "cut broker-1 broker-2", "heal-all", "kafka-topics.sh --describe".
  std::vector<std::string> commands;
  // Session controls (not recorded as inputs of the run).
  int step_events = 0;
  bool step_to_interesting = false;
  std::optional<StepTarget> step_to;  // run until the next event of that kind
  std::optional<std::uint64_t> rewind_to_event;
  std::optional<Time> rewind_to_time;
  std::optional<std::uint64_t> restart_seed;
  std::optional<std::string> open_path;
  std::optional<std::string> save_scenario_path;
  std::optional<ExportRequest> export_diagram;

  void Push(std::string command) { commands.push_back(std::move(command)); }
  bool empty() const {
    return commands.empty() && step_events == 0 && !step_to_interesting && !step_to &&
           !rewind_to_event && !rewind_to_time && !restart_seed && !open_path &&
           !save_scenario_path && !export_diagram;
  }
  void Clear() { *this = CommandQueue{}; }
};

}  // namespace kafkasim::gui
