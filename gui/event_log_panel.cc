// Event log: the trace in its one-line voice, filtered by node, kind, partition or text.
// Clicking an event rewinds the whole world to that moment.
#include <array>
#include <cstring>

#include "gui/panels.h"
#include "gui/style.h"
#include "gui/timeline_model.h"
#include "imgui.h"

namespace kafkasim::gui::event_log {
namespace {

// An InputText over a std::string field of the filter (1.86 has no std::string overload
// without imgui_stdlib, which Debian's static library does not export).
void FilterInput(const char* label, std::string& value, float width) {
  std::array<char, 128> buffer{};
  std::strncpy(buffer.data(), value.c_str(), buffer.size() - 1);
  ImGui::SetNextItemWidth(width);
  if (ImGui::InputTextWithHint(label, label + 2, buffer.data(), buffer.size())) {
    value = buffer.data();
  }
}

}  // namespace

void Draw(const view::WorldView& world, GuiState& state, CommandQueue& queue) {
  const Palette& pal = CurrentPalette(state);
  const float font = ImGui::GetFontSize();
  ImGui::SetNextItemWidth(font * 8);
  if (ImGui::BeginCombo("##node",
                        state.filter.node.empty() ? "any node" : state.filter.node.c_str())) {
    if (ImGui::Selectable("any node", state.filter.node.empty())) state.filter.node.clear();
    for (const view::NodeView& n : world.nodes) {
      if (ImGui::Selectable(n.name.c_str(), n.name == state.filter.node))
        state.filter.node = n.name;
    }
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  FilterInput("##kind", state.filter.kind, font * 6);
  ImGui::SameLine();
  FilterInput("##partition", state.filter.partition, font * 6);
  ImGui::SameLine();
  FilterInput("##text", state.filter.text, font * 8);
  ImGui::SameLine();
  if (ImGui::Button("Clear")) state.filter = EventFilterSpec{};
  ImGui::SameLine();
  ImGui::Checkbox("appends", &state.filter.frequent);
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip("also list the frequent events: every append to a log, metadata fetches");
  }

  if (world.trace == nullptr) {
    ImGui::TextDisabled("No trace.");
    return;
  }
  const std::vector<TraceEvent>& trace = *world.trace;
  const auto& matches = state.event_filter.matches();
  ImGui::TextDisabled("%zu of %zu events; click one to rewind to it", matches.size(), trace.size());
  ImGui::BeginChild("events", {0, 0}, true, ImGuiWindowFlags_HorizontalScrollbar);
  const bool follow = ImGui::GetScrollY() >= ImGui::GetScrollMaxY() - 1;
  ImGui::PushFont(state.fonts.mono != nullptr ? state.fonts.mono : ImGui::GetFont());
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(matches.size()));
  int scroll_row = -1;
  if (state.scroll_to_selected_event && state.selected_event) {
    scroll_row = state.event_filter.RowAtOrBefore(static_cast<std::size_t>(*state.selected_event));
    if (scroll_row >= 0) clipper.ForceDisplayRangeByIndices(scroll_row, scroll_row + 1);
  }
  while (clipper.Step()) {
    for (int row = clipper.DisplayStart; row < clipper.DisplayEnd; ++row) {
      const TraceEvent& e = trace[matches[static_cast<std::size_t>(row)]];
      ImGui::PushID(row);
      const bool selected = state.selected_event && *state.selected_event == e.index;
      const std::string line = FormatTraceLine(e);
      // Faults stand out, as on the timeline.
      const bool fault = ClassifyEvent(e) == MarkerKind::kFault;
      ImGui::PushStyleColor(ImGuiCol_Text, ToVec4(fault ? pal.warn : pal.text));
      if (ImGui::Selectable(line.c_str(), selected)) {
        state.selected_event = e.index;
        queue.rewind_to_event = e.index;
      }
      ImGui::PopStyleColor();
      if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip("#%llu  kind %s", static_cast<unsigned long long>(e.index),
                          e.kind.c_str());
      }
      if (row == scroll_row) ImGui::SetScrollHereY(0.5f);
      ImGui::PopID();
    }
  }
  ImGui::PopFont();
  if (scroll_row >= 0) {
    state.scroll_to_selected_event = false;
  } else if (follow) {  // at the bottom (or a fresh window): keep up with the newest event
    ImGui::SetScrollHereY(1.0f);
  }
  ImGui::EndChild();
}

}  // namespace kafkasim::gui::event_log
