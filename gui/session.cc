// Opening and configuring the front end's session from the command line.
#include "gui/session.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>

#include "engine/memory_budget.h"
#include "gateway/recording.h"
#include "gui/playback.h"
#include "gui/style.h"
#include "scenario/runner.h"
#include "scenario/scenario.h"

namespace kafkasim::gui {

std::string DefaultScenarioPath() {
  const std::filesystem::path built_from =
      std::filesystem::path(KAFKASIM_SCENARIOS_DIR) / "broker-failure.json";
  std::error_code ec;
  if (std::filesystem::exists(built_from, ec)) return built_from.string();
  return "scenarios/broker-failure.json";
}

namespace {

// --listen: the runner `kafkasim serve` would make (open-ended, one cluster), with the message
// records the map draws.
std::unique_ptr<SessionControl> OpenLiveSession(const std::string& path, std::int64_t seed,
                                                std::string* error,
                                                std::function<std::string()> budget) {
  Result<scenario::Scenario> loaded = scenario::LoadScenario(path);
  if (!loaded.ok()) {
    *error = loaded.status().message();
    return nullptr;
  }
  if (!loaded->clusters.empty()) {
    // The words of `kafkasim serve`: the gateway advertises the brokers of one World.
    *error = "--listen: " + path +
             " has several clusters (\"clusters\"); the gateway serves a scenario of one cluster";
    return nullptr;
  }
  gateway::MakeOpenEnded(*loaded);
  scenario::RunOptions run;
  run.seed = seed >= 0 ? static_cast<std::uint64_t>(seed) : loaded->seed;
  run.budget = std::move(budget);
  return std::make_unique<scenario::Runner>(std::move(*loaded), std::move(run));
}

}  // namespace

std::unique_ptr<SessionControl> OpenScenario(const Options& options, std::string* error) {
  std::string path = options.scenario;
  if (path.empty()) {
    path = DefaultScenarioPath();
    std::fprintf(stderr, "kafkasim-gui: no scenario given; opening %s\n", path.c_str());
  }
  const MemoryBudget budget(options.max_memory != 0 ? options.max_memory
                                                    : MemoryBudget::DefaultBytes());
  std::unique_ptr<SessionControl> session =
      options.listen
          ? OpenLiveSession(path, options.seed, error, [budget] { return budget.Check(); })
          : scenario::OpenSession(path, options.seed, error, [budget] { return budget.Check(); });
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

Status Listen(const Options& options, App& app) {
  gateway::ServeOptions serve;
  serve.bind_address = options.bind;
  serve.port_base = options.port_base;
  serve.speed = options.speed;
  serve.log = &std::cerr;
  const auto wall_start = std::chrono::steady_clock::now();
  serve.wall_ns = [wall_start] {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                                wall_start)
        .count();
  };
  serve.on_listening = [](const std::string& ports) {
    std::cerr << "gateway: listening: " << ports << std::endl;
  };
  // Without a window nothing paces the frames (no vsync): each turn waits for the sockets.
  const std::int64_t wait_ms = options.headless || !options.screenshot.empty() ? 10 : 0;
  return app.Listen(std::move(serve), wait_ms);
}

}  // namespace kafkasim::gui
