// The front end minus the window: applies what the panels queued to the session, advances
// the world by the per-frame budget, keeps the view-models current and lays the panels out.
// main.cc wraps it in the ImGui GLFW/OpenGL3 example loop; tests drive it without a window.
#pragma once

#include <memory>
#include <optional>

#include "engine/status.h"
#include "engine/time.h"
#include "gateway/server.h"
#include "gui/command_queue.h"
#include "gui/gui_state.h"
#include "scenario/session_control.h"

namespace kafkasim::gui {

// Brings the view-models (topics rows, event filter, timeline markers, metric history) up to
// date with `world`. Reads only.
void UpdateModels(const view::WorldView& world, GuiState& state);

// Draws every panel into fixed windows filling the display. Between NewFrame and Render.
// Reads the world only; anything to change goes into `queue`.
void DrawAll(const view::WorldView& world, GuiState& state, CommandQueue& queue);

// GLFW key codes (ImGui 1.86 indexes KeysDown by the backend's codes).
constexpr int kKeySpace = 32;
constexpr int kKeyN = 78;
constexpr int kKeyRight = 262;

class App {
 public:
  explicit App(std::unique_ptr<SessionControl> session);

  // Before NewFrame: applies the queued commands, advances play by `wall_seconds` of wall
  // time at the current speed (at most kEventsPerFrameMax events and kAdvanceBudgetMs of wall
  // time; the rest in the next frames), updates the models.
  void Update(double wall_seconds);
  // Between NewFrame and Render.
  void Draw();

  // --listen: starts the gateway on the session, which must be a scenario::Runner. From then on
  // the gateway sets the pace (wall time x options.speed, each Update one turn that waits at
  // most `wait_ms` for the sockets); play, step, rewind, restart and open are refused; the map
  // draws each real client. Errors name the address (a port in use, a bad --bind).
  Status Listen(gateway::ServeOptions options, std::int64_t wait_ms);
  // Closes the gateway's connections at a whole instant; nothing is served after it.
  void StopListening();
  bool listening() const { return listener_ != nullptr; }

  SessionControl& session() { return *session_; }
  GuiState& state() { return state_; }
  // Wall milliseconds the last Update spent running the simulation (the rest of it is the
  // snapshot and the view-models); bench/gui_bench reports the two apart.
  double last_advance_ms() const { return last_advance_ms_; }
  // How far the world was behind the playback clock after the last Update: virtual time the
  // frame's budget did not reach, which the next frames run (see PlaybackClock).
  Duration playback_lag() const { return playback_lag_; }
  CommandQueue& queue() { return queue_; }

 private:
  void ApplyQueue();
  void Echo(const std::string& command, const CommandOutput& output);
  void AfterJump();
  // Runs events until one `target` event (selected in the event log), the end, or events_max.
  bool StepTo(StepTarget target, std::uint64_t events_max);
  void RaiseAlerts(const view::WorldView& world);

  std::unique_ptr<SessionControl> session_;
  double last_advance_ms_ = 0;
  std::optional<Time> playback_clock_;  // while playing: where the world should be
  Duration playback_lag_{};
  GuiState state_;
  CommandQueue queue_;
  // --listen. The listener keeps references to the options and the session's runner, so it is
  // declared after both and goes first.
  gateway::ServeOptions serve_options_;
  std::unique_ptr<gateway::Listener> listener_;
  std::int64_t turn_wait_ms_ = 0;
  view::WorldView live_view_;  // the session's view plus the real clients, drawn each frame
};

}  // namespace kafkasim::gui
