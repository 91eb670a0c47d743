// Guarantees and expectations, any number of named checks, live. A broken one names itself in
// an alert and offers to rewind the world to the event that broke it.
#include <string>

#include "gui/check_status.h"
#include "gui/panels.h"
#include "gui/style.h"
#include "imgui.h"

namespace kafkasim::gui::checks {

namespace {

void DimWrapped(const Palette& pal, const std::string& text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ToVec4(pal.dim_text));
  ImGui::TextWrapped("%s", text.c_str());
  ImGui::PopStyleColor();
}

ImU32 StatusColour(const Palette& pal, CheckStatus status) {
  switch (status) {
    case CheckStatus::kFailed:
      return pal.bad;
    case CheckStatus::kPending:
      return pal.warn;
    case CheckStatus::kPassed:
    case CheckStatus::kHolding:
      return pal.ok;
  }
  return pal.text;
}

}  // namespace

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
  int pending = 0, passed = 0, failed = 0;
  for (const view::CheckView& check : world.checks) {
    (check.ok ? (check.settled ? passed : pending) : failed) += 1;
  }
  if (!world.checks.empty()) {
    ImGui::TextDisabled("%d passed, %d failed, %d pending or holding", passed, failed, pending);
  }
  int i = 0;
  for (const view::CheckView& check : world.checks) {
    ImGui::PushID(i++);
    const CheckStatus status = StatusOf(check);
    ImGui::TextColored(ToVec4(StatusColour(pal, status)), "%-8s", StatusName(status));
    ImGui::SameLine();
    ImGui::TextWrapped("%s", check.name.c_str());
    if (status == CheckStatus::kFailed) {
      ImGui::SameLine();
      if (ImGui::SmallButton("jump to event")) {
        queue.rewind_to_event = check.broken_at_event;
        state.selected_event = check.broken_at_event;
        state.scroll_to_selected_event = true;
      }
    }
    ImGui::Indent();
    const std::string line = StatusLine(check, status);
    if (!line.empty()) {
      if (status == CheckStatus::kFailed) {
        ImGui::PushStyleColor(ImGuiCol_Text, ToVec4(pal.bad));
        ImGui::TextWrapped("%s", line.c_str());
        ImGui::PopStyleColor();
      } else {
        DimWrapped(pal, line);
      }
    }
    // Long texts wrap at the panel's edge instead of running past it.
    if (!check.because.empty()) DimWrapped(pal, "because " + check.because);
    ImGui::Unindent();
    ImGui::PopID();
  }
}

}  // namespace kafkasim::gui::checks
