// Menu bar and transport controls: play/pause, step one event, step to the next interesting
// event, speed from 1/100x to as fast as possible, file open, save as scenario, diagram
// export, restart with a seed, and the classroom display settings.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "gui/panels.h"
#include "gui/playback.h"
#include "gui/style.h"
#include "imgui.h"

namespace kafkasim::gui::transport {
namespace {

void FileMenu(const view::WorldView& world, GuiState& state, CommandQueue& queue) {
  if (!ImGui::BeginMenu("File")) return;
  const float width = ImGui::GetFontSize() * 18;
  ImGui::SetNextItemWidth(width);
  ImGui::InputTextWithHint("##open", "scenarios/broker-failure.json", state.open_path.data(),
                           state.open_path.size());
  ImGui::SameLine();
  if (ImGui::Button("Open") && state.open_path[0] != '\0') {
    queue.open_path = std::string(state.open_path.data());
  }
  ImGui::SetNextItemWidth(width);
  ImGui::InputScalar("##seed", ImGuiDataType_S64, &state.seed_input);
  ImGui::SameLine();
  if (ImGui::Button("Restart with seed")) {
    queue.restart_seed = static_cast<std::uint64_t>(state.seed_input);
  }
  ImGui::Separator();
  ImGui::SetNextItemWidth(width);
  ImGui::InputTextWithHint("##save", "my-session.json", state.save_path.data(),
                           state.save_path.size());
  ImGui::SameLine();
  if (ImGui::Button("Save session as scenario") && state.save_path[0] != '\0') {
    queue.save_scenario_path = std::string(state.save_path.data());
  }
  ImGui::Separator();
  ImGui::TextUnformatted("Sequence diagram of the last");
  ImGui::SetNextItemWidth(width / 2);
  ImGui::SliderFloat("seconds", &state.export_window_seconds, 0.01f, 60.0f, "%.2f",
                     ImGuiSliderFlags_Logarithmic);
  ImGui::RadioButton("Mermaid", &state.export_format, 0);
  ImGui::SameLine();
  ImGui::RadioButton("SVG", &state.export_format, 1);
  ImGui::SetNextItemWidth(width);
  ImGui::InputTextWithHint("##export", state.export_format == 0 ? "diagram.mmd" : "diagram.svg",
                           state.export_path.data(), state.export_path.size());
  ImGui::SameLine();
  if (ImGui::Button("Export") && state.export_path[0] != '\0') {
    ExportRequest request;
    request.format = state.export_format == 0 ? DiagramFormat::kMermaid : DiagramFormat::kSvg;
    request.to = world.now;
    const auto window = Nanoseconds(std::llround(state.export_window_seconds * 1e9));
    request.from = world.now - std::min(window, world.now - kTimeZero);
    request.path = state.export_path.data();
    queue.export_diagram = request;
  }
  ImGui::EndMenu();
}

void ViewMenu(GuiState& state) {
  if (!ImGui::BeginMenu("View")) return;
  bool changed = false;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
  changed |= ImGui::SliderFloat("UI scale", &state.ui_scale, 0.75f, 3.0f, "%.2f");
  changed |= ImGui::Checkbox("High contrast", &state.high_contrast);
  changed |= ImGui::Checkbox("Colour-blind-safe palette (Okabe-Ito)", &state.colour_blind_safe);
  ImGui::Checkbox("Show heartbeats", &state.show_heartbeats);
  ImGui::Checkbox("Presenter layout (map and narration only)", &state.presenter);
  if (changed) ApplyStyle(state);
  ImGui::Separator();
  ImGui::TextDisabled("Space: play/pause   Right: step   N: next interesting");
  ImGui::EndMenu();
}

}  // namespace

void Draw(const view::WorldView& world, GuiState& state, CommandQueue& queue) {
  const Palette& pal = CurrentPalette(state);
  if (ImGui::BeginMenuBar()) {
    FileMenu(world, state, queue);
    ViewMenu(state);
    if (!state.status.empty()) ImGui::TextDisabled("%s", state.status.c_str());
    ImGui::EndMenuBar();
  }
  // --listen: the gateway keeps the world at the wall clock's pace; the playback controls wait.
  ImGui::BeginDisabled(state.live);
  if (ImGui::Button(state.playing ? "Pause" : "Play", {ImGui::GetFontSize() * 4, 0})) {
    state.playing = !state.playing;
  }
  ImGui::SameLine();
  if (ImGui::Button("Step")) queue.step_events += 1;
  ImGui::SameLine();
  if (ImGui::Button("Next interesting")) queue.step_to_interesting = true;
  ImGui::SameLine();
  // Step to the next event of one kind, so a lesson can walk from election to election.
  if (ImGui::Button("Next...")) ImGui::OpenPopup("step_to");
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip("run to the next leader change, election, fault or expectation");
  }
  if (ImGui::BeginPopup("step_to")) {
    for (StepTarget target : kStepTargets) {
      const std::string label = std::string("Next ") + StepTargetName(target);
      if (ImGui::MenuItem(label.c_str())) queue.step_to = target;
    }
    ImGui::EndPopup();
  }
  ImGui::SameLine();
  float log_speed = static_cast<float>(std::log10(state.speed));
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
  const std::string speed_label =
      state.as_fast_as_possible ? "as fast as possible" : FormatSpeed(state.speed);
  if (ImGui::SliderFloat("##speed", &log_speed, static_cast<float>(std::log10(kSpeedMin)),
                         static_cast<float>(std::log10(kSpeedMax)), speed_label.c_str())) {
    state.speed = std::pow(10.0, static_cast<double>(log_speed));
    for (double snap : {0.01, 0.1, 0.25, 0.5, 1.0, 2.0, 10.0, 100.0, 1000.0}) {
      if (std::fabs(std::log10(state.speed / snap)) < 0.04) state.speed = snap;
    }
  }
  ImGui::SameLine();
  ImGui::Checkbox("max", &state.as_fast_as_possible);
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::Text("  t=%s / %s   events %llu   seed %llu   trace %s", FormatTime(world.now).c_str(),
              state.live ? "live (--listen)" : FormatTime(world.end).c_str(),
              static_cast<unsigned long long>(world.events_executed),
              static_cast<unsigned long long>(world.seed), world.trace_hash.c_str());
  if (world.paused_at_step) {
    ImGui::SameLine();
    ImGui::TextColored(ToVec4(pal.warn), "  paused by scenario");
  }
}

}  // namespace kafkasim::gui::transport
