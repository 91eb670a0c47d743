// Narration: the latest `say` text of a classroom scenario, large, and a note when a `pause`
// step stopped play.
#include "gui/panels.h"
#include "gui/style.h"
#include "imgui.h"
#include "scenario/trace_kinds.h"

namespace kafkasim::gui::narration {

void Draw(const view::WorldView& world, GuiState& state, CommandQueue& queue) {
  (void)queue;
  const Palette& pal = CurrentPalette(state);
  if (state.fonts.large != nullptr) ImGui::PushFont(state.fonts.large);
  ImGui::PushStyleColor(ImGuiCol_Text, ToVec4(pal.narration_marker));
  ImGui::TextWrapped(
      "%s", world.narration.empty() ? world.scenario_name.c_str() : world.narration.c_str());
  ImGui::PopStyleColor();
  if (state.fonts.large != nullptr) ImGui::PopFont();
  // When it was said: the banner holds the latest `say` at or before now, so a viewer can tell
  // a fresh remark from one made a minute ago.
  if (world.trace != nullptr && !world.narration.empty()) {
    for (auto it = world.trace->rbegin(); it != world.trace->rend(); ++it) {
      if (it->kind != scenario::trace_kind::kScenarioSay || it->time > world.now) continue;
      ImGui::TextDisabled("said at t=%s (now t=%s)", FormatTime(it->time).c_str(),
                          FormatTime(world.now).c_str());
      break;
    }
  }
  if (!world.stopped.empty()) {
    ImGui::PushTextWrapPos(0);
    ImGui::TextColored(ToVec4(pal.bad), "The run %s", world.stopped.c_str());
    ImGui::PopTextWrapPos();
  }
  if (world.paused_at_step) {
    ImGui::TextColored(ToVec4(pal.warn), "Paused by the scenario. Press Space or Play to go on.");
  }
}

}  // namespace kafkasim::gui::narration
