// Frame logic of kafkasim-gui: command application, playback, models and window layout.
#include "gui/app.h"

#include <fmt/format.h>

#include <algorithm>
#include <cfloat>
#include <chrono>
#include <fstream>
#include <sstream>

#include "engine/assert.h"
#include "gui/external_clients.h"
#include "gui/panels.h"
#include "gui/playback.h"
#include "gui/style.h"
#include "imgui.h"
#include "scenario/diagram.h"
#include "scenario/runner.h"

namespace kafkasim::gui {
namespace {

// A rewind goes on through at most this many `pause` steps before its target time.

constexpr ImGuiWindowFlags kFixed = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                    ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings;

void Place(float x, float y, float w, float h) {
  ImGui::SetNextWindowPos({x, y});
  ImGui::SetNextWindowSize({std::max(w, 1.0f), std::max(h, 1.0f)});
}

void Tabs(const char* id, std::initializer_list<std::pair<const char*, PanelFn>> tabs,
          const view::WorldView& world, GuiState& state, CommandQueue& queue) {
  if (!ImGui::BeginTabBar(id)) return;
  for (const auto& [name, fn] : tabs) {
    const bool focus = !state.focus_tab.empty() && state.focus_tab == name;
    if (ImGui::BeginTabItem(name, nullptr, focus ? ImGuiTabItemFlags_SetSelected : 0)) {
      if (focus) state.focus_tab.clear();
      fn(world, state, queue);
      ImGui::EndTabItem();
    }
  }
  ImGui::EndTabBar();
}

void Shortcuts(GuiState& state, CommandQueue& queue) {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput) return;
  if (ImGui::IsKeyPressed(kKeySpace, false)) state.playing = !state.playing;
  if (ImGui::IsKeyPressed(kKeyRight, true)) queue.step_events += 1;
  if (ImGui::IsKeyPressed(kKeyN, false)) queue.step_to_interesting = true;
}

bool WriteFile(const std::string& path, const std::string& text, std::string* status) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) {
    *status = fmt::format("could not write {}", path);
    return false;
  }
  *status = fmt::format("wrote {} ({} bytes)", path, text.size());
  return true;
}

}  // namespace

void UpdateModels(const view::WorldView& world, GuiState& state) {
  state.topics.Update(world, state.wall_seconds);
  if (world.trace != nullptr) {
    state.event_filter.Update(*world.trace, state.filter);
    state.timeline.Update(*world.trace);
    state.console_model.Update(*world.trace);
  }
  state.metrics.Record(world.now, world.metrics);
}

void DrawAll(const view::WorldView& world, GuiState& state, CommandQueue& queue) {
  Shortcuts(state, queue);
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  const float font = ImGui::GetFontSize();
  const ImGuiStyle& style = ImGui::GetStyle();
  const float toolbar_h =
      ImGui::GetFrameHeight() * 2 + style.WindowPadding.y * 2 + style.ItemSpacing.y;
  const bool narrating = !world.narration.empty() || world.paused_at_step || !world.stopped.empty();
  // The narration panel is as tall as its wrapped text (at least two large lines, at most a
  // quarter of the window), so a long `say` is never cut off.
  float narration_h = 0;
  if (narrating) {
    ImFont* large = state.fonts.large != nullptr ? state.fonts.large : ImGui::GetFont();
    const std::string& text = world.narration.empty() ? world.scenario_name : world.narration;
    const float wrap = std::max(display.x - style.WindowPadding.x * 2 - style.ScrollbarSize, 1.0f);
    const float text_h =
        large->CalcTextSizeA(large->FontSize, FLT_MAX, wrap, text.c_str(), nullptr).y;
    const float paused_h = (world.paused_at_step ? ImGui::GetTextLineHeightWithSpacing() : 0) +
                           (world.narration.empty() ? 0 : ImGui::GetTextLineHeightWithSpacing()) +
                           (world.stopped.empty() ? 0 : ImGui::GetTextLineHeightWithSpacing() * 2);
    narration_h = std::clamp(text_h + paused_h + style.ItemSpacing.y, large->FontSize * 2.2f,
                             display.y * 0.25f) +
                  style.WindowPadding.y * 2;
  }
  const float timeline_h = font * 3.5f + style.WindowPadding.y * 2;
  const float top = toolbar_h + narration_h;
  const float middle_h = std::max(display.y - top - timeline_h, font * 10);
  const float left_w = std::floor(display.x * 0.52f), right_w = display.x - left_w;

  Place(0, 0, display.x, toolbar_h);
  if (ImGui::Begin("Transport", nullptr,
                   kFixed | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_MenuBar)) {
    transport::Draw(world, state, queue);
  }
  ImGui::End();
  if (narrating) {
    Place(0, toolbar_h, display.x, narration_h);
    if (ImGui::Begin("Narration", nullptr, kFixed | ImGuiWindowFlags_NoTitleBar)) {
      narration::Draw(world, state, queue);
    }
    ImGui::End();
  }
  if (state.presenter) {
    // A projector: the map takes the whole middle; the tables and logs wait in the other layout.
    Place(0, top, display.x, middle_h);
    if (ImGui::Begin("Cluster", nullptr, kFixed)) cluster_map::Draw(world, state, queue);
    ImGui::End();
    Place(0, top + middle_h, display.x, display.y - top - middle_h);
    if (ImGui::Begin("Timeline", nullptr, kFixed | ImGuiWindowFlags_NoTitleBar)) {
      timeline::Draw(world, state, queue);
    }
    ImGui::End();
    return;
  }
  const float map_h = std::floor(middle_h * 0.6f);
  Place(0, top, left_w, map_h);
  if (ImGui::Begin("Cluster", nullptr, kFixed)) cluster_map::Draw(world, state, queue);
  ImGui::End();
  Place(0, top + map_h, left_w, middle_h - map_h);
  if (ImGui::Begin("##state", nullptr, kFixed | ImGuiWindowFlags_NoTitleBar)) {
    // The znode tree only where there is a ZooKeeper ensemble.
    if (world.quorum.mode == "zookeeper") {
      Tabs("state_tabs",
           {{"Topics", topics::Draw},
            {"Partition", partition::Draw},
            {"Quorum", quorum::Draw},
            {"Znodes", znodes::Draw},
            {"Clients", clients::Draw},
            {"Groups", groups::Draw}},
           world, state, queue);
    } else {
      Tabs("state_tabs",
           {{"Topics", topics::Draw},
            {"Partition", partition::Draw},
            {"Quorum", quorum::Draw},
            {"Clients", clients::Draw},
            {"Groups", groups::Draw}},
           world, state, queue);
    }
  }
  ImGui::End();
  const float log_h = std::floor(middle_h * 0.56f);
  Place(left_w, top, right_w, log_h);
  if (ImGui::Begin("##log", nullptr, kFixed | ImGuiWindowFlags_NoTitleBar)) {
    Tabs("log_tabs", {{"Event log", event_log::Draw}, {"Console", console::Draw}}, world, state,
         queue);
  }
  ImGui::End();
  Place(left_w, top + log_h, right_w, middle_h - log_h);
  if (ImGui::Begin("##health", nullptr, kFixed | ImGuiWindowFlags_NoTitleBar)) {
    const bool broken = std::any_of(world.checks.begin(), world.checks.end(),
                                    [](const view::CheckView& c) { return !c.ok; });
    Tabs("health_tabs",
         {{broken ? "Guarantees (BROKEN)###guarantees" : "Guarantees###guarantees", checks::Draw},
          {"Metrics", metrics::Draw}},
         world, state, queue);
  }
  ImGui::End();
  Place(0, top + middle_h, display.x, display.y - top - middle_h);
  if (ImGui::Begin("Timeline", nullptr, kFixed | ImGuiWindowFlags_NoTitleBar)) {
    timeline::Draw(world, state, queue);
  }
  ImGui::End();
}

App::App(std::unique_ptr<SessionControl> session) : session_(std::move(session)) {
  state_.seed_input = static_cast<std::int64_t>(session_->View().seed);
}

void App::Echo(const std::string& command, const CommandOutput& output) {
  // A command the session took is in the trace with its output (ConsoleModel); one it refused
  // (it did not parse) is not, and is written here.
  if (output.ok) return;
  const view::WorldView& world = session_->View();
  const std::uint64_t after = world.trace != nullptr ? world.trace->size() : 0;
  state_.console.push_back({ConsoleLine::Kind::kInput, "$ " + command, after});
  std::istringstream lines(output.text);
  for (std::string line; std::getline(lines, line);) {
    state_.console.push_back({ConsoleLine::Kind::kError, line, after});
  }
}

void App::AfterJump() {
  state_.ResetModels();
  state_.playing = false;
}

void App::ApplyQueue() {
  CommandQueue q = std::move(queue_);
  queue_.Clear();
  if (listener_ != nullptr &&
      (q.open_path || q.restart_seed || q.rewind_to_event || q.rewind_to_time ||
       q.step_events > 0 || q.step_to_interesting || q.step_to)) {
    // Real clients saw this world: it cannot go back, and it keeps the wall clock's pace.
    state_.status = "--listen: time follows the wall clock; open, restart, rewind and step are off";
    q.open_path.reset();
    q.restart_seed.reset();
    q.rewind_to_event.reset();
    q.rewind_to_time.reset();
    q.step_events = 0;
    q.step_to_interesting = false;
    q.step_to.reset();
  }
  for (const std::string& command : q.commands) {
    const std::size_t recorded = session_->recorded_inputs().size();
    CommandOutput output = session_->Submit(command);
    // Taken (and so in the trace, with its answer under it) even when the tool answered an
    // error: only a command the session did not record is echoed apart.
    if (session_->recorded_inputs().size() > recorded) output.ok = true;
    Echo(command, output);
  }
  if (q.open_path) {
    const Status status = session_->Open(*q.open_path);
    state_.status = status.ok() ? "opened " + *q.open_path : status.message();
    if (!status.ok()) {
      const view::WorldView& world = session_->View();
      state_.console.push_back({ConsoleLine::Kind::kError, status.message(),
                                world.trace != nullptr ? world.trace->size() : 0});
    } else {
      state_.console.clear();  // another scenario: the old transcript is gone with its trace
    }
    state_.metrics.Clear();
    AfterJump();
  }
  if (q.restart_seed) {
    session_->Restart(*q.restart_seed);
    state_.status = fmt::format("restarted with seed {}", *q.restart_seed);
    state_.metrics.Clear();
    AfterJump();
  }
  if (q.rewind_to_event) {
    session_->RewindToEvent(*q.rewind_to_event);
    AfterJump();
  } else if (q.rewind_to_time) {
    if (*q.rewind_to_time < session_->View().now) {
      session_->RewindToTime(*q.rewind_to_time);
      AfterJump();
    } else {
      session_->AdvanceTo(*q.rewind_to_time, kEventsPerFrameMax * 50);
    }
  }
  for (int i = 0; i < q.step_events; ++i) session_->StepEvent();
  if (q.step_to_interesting) session_->StepToNextInteresting(kEventsPerFrameMax * 50);
  if (q.step_to) StepTo(*q.step_to, kEventsPerFrameMax * 50);
  if (q.step_events > 0 || q.step_to_interesting || q.step_to) state_.playing = false;
  if (q.save_scenario_path) {
    WriteFile(*q.save_scenario_path, session_->SaveAsScenario(), &state_.status);
  }
  if (q.export_diagram) {
    const ExportRequest& r = *q.export_diagram;
    const auto* log = session_->message_log();
    if (log == nullptr) {
      state_.status = "this session records no messages; nothing to export";
    } else {
      // Lanes in the world's node order (the crashed too); heartbeats as the map shows them.
      scenario::DiagramOptions options;
      for (const view::NodeView& node : session_->View().nodes) {
        options.participants.push_back(node.name);
      }
      options.include_heartbeats = state_.show_heartbeats;
      WriteFile(r.path,
                r.format == DiagramFormat::kMermaid
                    ? scenario::SequenceDiagramMermaid(*log, r.from, r.to, options)
                    : scenario::SequenceDiagramSvg(*log, r.from, r.to, options),
                &state_.status);
    }
  }
}

bool App::StepTo(StepTarget target, std::uint64_t events_max) {
  // Stepping does not rebuild the world, so the trace the view points at is the one that grows
  // (View() itself is not rebuilt for every event).
  const std::vector<TraceEvent>* trace = session_->View().trace;
  if (trace == nullptr) return false;
  for (std::uint64_t i = 0; i < events_max; ++i) {
    const std::size_t before = trace->size();
    if (!session_->StepEvent()) return false;
    for (std::size_t k = before; k < trace->size(); ++k) {
      if (IsStepTarget((*trace)[k], target)) {
        state_.selected_event = (*trace)[k].index;
        state_.scroll_to_selected_event = true;
        return true;
      }
    }
  }
  return false;
}

void App::RaiseAlerts(const view::WorldView& world) {
  for (const view::CheckView& check : world.checks) {
    if (check.ok) continue;
    if (std::find(state_.broken_checks.begin(), state_.broken_checks.end(), check.name) !=
        state_.broken_checks.end()) {
      continue;
    }
    state_.broken_checks.push_back(check.name);
    state_.alert = fmt::format("BROKEN at t={}: {} ({})", FormatTime(check.broken_at), check.name,
                               check.detail);
    state_.alert_event = check.broken_at_event;
    state_.selected_event = check.broken_at_event;
    state_.scroll_to_selected_event = true;
    state_.playing = false;
  }
}

void App::Update(double wall_seconds) {
  state_.wall_seconds += wall_seconds;
  last_advance_ms_ = 0;
  ApplyQueue();
  if (listener_ != nullptr) {
    listener_->Turn(turn_wait_ms_, kEventsPerFrameMax);
    state_.playing = true;
  } else if (state_.playing) {
    const view::WorldView& before = session_->View();
    Time target;
    if (state_.as_fast_as_possible) {
      target = before.end > before.now ? before.end : before.now + Seconds(3600);
      playback_clock_.reset();
    } else {
      target = PlaybackClock(playback_clock_, before.now, wall_seconds, state_.speed);
      playback_clock_ = target;
    }
    // The frame's wall-clock budget for the simulation: what it could not run by then, the
    // next frames run (the playback clock keeps the target).
    const auto advance_start = std::chrono::steady_clock::now();
    const auto deadline = advance_start + std::chrono::microseconds(
                                              static_cast<std::int64_t>(kAdvanceBudgetMs * 1000));
    const bool reached = session_->AdvanceUntil(target, kEventsPerFrameMax, [deadline] {
      return std::chrono::steady_clock::now() >= deadline;
    });
    last_advance_ms_ =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - advance_start)
            .count();
    const view::WorldView& after = session_->View();
    playback_lag_ = target > after.now ? target - after.now : Duration{};
    if (!reached && after.paused_at_step) state_.playing = false;
    if (after.end > kTimeZero && after.now >= after.end) state_.playing = false;
    if (!after.stopped.empty()) state_.playing = false;  // the memory budget was passed
  }
  if (!state_.playing) {
    playback_clock_.reset();  // play starts again from where the world is
    playback_lag_ = Duration{};
  }
  // The partition panel shows the selected partition's segments and leader epochs: only that
  // one is described in full (the first topic's partition 0 until the user picks one).
  if (state_.selected_partition.empty()) {
    const view::WorldView& before = session_->View();
    if (!before.topics.empty() && !before.topics.front().partitions.empty()) {
      state_.selected_partition = before.topics.front().name + "-0";
    }
  }
  session_->SetDetailedPartition(state_.selected_partition);
  const view::WorldView& world = session_->View();
  UpdateModels(world, state_);
  RaiseAlerts(world);
}

void App::Draw() {
  state_.message_log = session_->message_log();
  if (listener_ == nullptr) return DrawAll(session_->View(), state_, queue_);
  live_view_ = session_->View();
  // The run is open-ended: the timeline spans the minutes begun so far.
  const std::int64_t minute_ns = Seconds(60).ns;
  live_view_.end =
      kTimeZero + Nanoseconds(((live_view_.now - kTimeZero).ns / minute_ns + 1) * minute_ns);
  std::vector<ExternalConnection> connections;
  for (const gateway::ConnectionInfo& c : listener_->Connections()) {
    connections.push_back({c.broker_id, c.peer, c.client_id});
  }
  AddExternalClients(live_view_, connections);
  DrawAll(live_view_, state_, queue_);
}

Status App::Listen(gateway::ServeOptions options, std::int64_t wait_ms) {
  auto* runner = dynamic_cast<scenario::Runner*>(session_.get());
  KSIM_ASSERT(runner != nullptr && listener_ == nullptr);
  serve_options_ = std::move(options);
  Result<std::unique_ptr<gateway::Listener>> started =
      gateway::Listener::Start(*runner, serve_options_);
  if (!started.ok()) return started.status();
  listener_ = std::move(*started);
  turn_wait_ms_ = wait_ms;
  state_.playing = true;
  state_.live = true;
  state_.speed = serve_options_.speed;
  return Status::Ok();
}

void App::StopListening() {
  if (listener_ != nullptr) listener_->Stop();
  listener_.reset();
}

}  // namespace kafkasim::gui
