// Opening and configuring the front end's session from the command line.
#include "gui/session.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <filesystem>

#include "engine/memory_budget.h"
#include "gui/playback.h"
#include "gui/style.h"
#include "scenario/scenario.h"

namespace kafkasim::gui {

std::string DefaultScenarioPath() {
  const std::filesystem::path built_from =
      std::filesystem::path(KAFKASIM_SCENARIOS_DIR) / "broker-failure.json";
  std::error_code ec;
  if (std::filesystem::exists(built_from, ec)) return built_from.string();
  return "scenarios/broker-failure.json";
}

std::unique_ptr<SessionControl> OpenScenario(const Options& options, std::string* error) {
  std::string path = options.scenario;
  if (path.empty()) {
    path = DefaultScenarioPath();
    std::fprintf(stderr, "kafkasim-gui: no scenario given; opening %s\n", path.c_str());
  }
  const MemoryBudget budget(options.max_memory != 0 ? options.max_memory
                                                    : MemoryBudget::DefaultBytes());
  std::unique_ptr<SessionControl> session =
      scenario::OpenSession(path, options.seed, error, [budget] { return budget.Check(); });
  if (session != nullptr && options.tab == "Znodes" && session->View().quorum.mode != "zookeeper") {
    *error = "[gui.E012] --tab Znodes: " + path +
             " runs in KRaft mode; the znode tree exists in ZooKeeper mode only";
    return nullptr;
  }
  if (session == nullptr || options.select.empty()) return session;
  // --select names a partition of a topic the scenario declares ("cities-0").
  Result<scenario::Scenario> loaded = scenario::LoadScenario(path);
  if (!loaded.ok()) return session;  // OpenSession read it: cannot happen
  std::string known;
  for (const scenario::Topic& t : loaded->topics) {
    const std::string prefix = t.name + "-";
    if (options.select.starts_with(prefix)) {
      const std::string_view number = std::string_view(options.select).substr(prefix.size());
      std::int32_t p = -1;
      const auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), p);
      if (ec == std::errc() && ptr == number.data() + number.size() && p >= 0 && p < t.partitions) {
        return session;
      }
    }
    known += (known.empty() ? "" : ", ") + t.name + "-0.." + t.name + "-" +
             std::to_string(t.partitions - 1);
  }
  *error = "[gui.E009] --select " + options.select + ": no such partition in " + path +
           (known.empty() ? " (it declares no topics)" : "; its partitions: " + known);
  return nullptr;
}

void Configure(const Options& options, App& app) {
  GuiState& state = app.state();
  state.ui_scale = options.scale;
  state.fonts = LoadFonts(options.scale);
  ApplyStyle(state);
  state.playing = options.play;
  state.presenter = options.presenter;
  state.speed = std::clamp(options.speed, kSpeedMin, kSpeedMax);
  if (!options.select.empty()) {
    state.selected_partition = options.select;
    state.focus_tab = "Partition";
  }
  if (!options.tab.empty()) state.focus_tab = options.tab;
  if (options.at) AdvanceRecordingMetrics(app, *options.at);
}

void AdvanceRecordingMetrics(App& app, Time at) {
  SessionControl& session = app.session();
  const Duration step = app.state().metrics.interval();
  for (int stuck = 0; session.View().now < at && stuck < 100;) {
    const Time before = session.View().now;
    session.AdvanceTo(std::min(at, before + step), UINT64_MAX);
    if (!session.View().stopped.empty()) break;  // the memory budget was passed
    const view::WorldView& view = session.View();
    app.state().metrics.Record(view.now, view.metrics);
    stuck = view.now == before ? stuck + 1 : 0;  // a pause step stops AdvanceTo once
  }
}

}  // namespace kafkasim::gui
