// Guarantees and expectations, any number of named checks, live. A broken one names itself in
// an alert and offers to rewind the world to the event that broke it.
#include "gui/panels.h"
#include "gui/style.h"
#include "imgui.h"

namespace kafkasim::gui::checks {

void Draw(const view::WorldView& world, GuiState& state, CommandQueue& queue) {
  const Palette& pal = CurrentPalette(state);
  if (!state.alert.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ToVec4(pal.bad));
    ImGui::TextWrapped("%s", state.alert.c_str());
    ImGui::PopStyleColor();
    if (ImGui::Button("Rewind to the breaking event")) {
      queue.rewind_to_event = state.alert_event;
      state.selected_event = state.alert_event;
      state.scroll_to_selected_event = true;
    }
    ImGui::SameLine();
    if (ImGui::Button("Dismiss")) state.alert.clear();
    ImGui::Separator();
  }
  if (world.checks.empty()) ImGui::TextDisabled("This run checks nothing.");
  int i = 0;
  for (const view::CheckView& check : world.checks) {
    ImGui::PushID(i++);
    if (!check.ok) {
      ImGui::TextColored(ToVec4(pal.bad), "BROKEN ");
    } else if (check.settled) {
      ImGui::TextColored(ToVec4(pal.ok), "held   ");
    } else {
      ImGui::TextColored(ToVec4(pal.ok), "holding");
    }
    ImGui::SameLine();
    ImGui::TextUnformatted(check.name.c_str());
    if (!check.ok) {
      ImGui::SameLine();
      if (ImGui::SmallButton("jump to event")) {
        queue.rewind_to_event = check.broken_at_event;
        state.selected_event = check.broken_at_event;
        state.scroll_to_selected_event = true;
      }
    }
    if (!check.detail.empty()) {
      ImGui::Indent();
      ImGui::TextDisabled("%s", check.detail.c_str());
      ImGui::Unindent();
    }
    ImGui::PopID();
  }
}

}  // namespace kafkasim::gui::checks
