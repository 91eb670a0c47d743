// Timeline: virtual time from 0 to the scenario's end with markers for faults, elections,
// narration and broken checks. Drag the playhead to scrub (rewind or run forward on release);
// click a marker to rewind to its event.
#include <fmt/format.h>

#include <algorithm>

#include "gui/panels.h"
#include "gui/style.h"
#include "gui/timeline_model.h"
#include "imgui.h"

namespace kafkasim::gui::timeline {
namespace {

ImU32 MarkerColour(const Palette& pal, MarkerKind kind) {
  switch (kind) {
    case MarkerKind::kFault:
      return pal.fault_marker;
    case MarkerKind::kElection:
      return pal.election_marker;
    case MarkerKind::kNarration:
      return pal.narration_marker;
    case MarkerKind::kCheck:
      return pal.check_marker;
  }
  return pal.text;
}

}  // namespace

void Draw(const view::WorldView& world, GuiState& state, CommandQueue& queue) {
  const Palette& pal = CurrentPalette(state);
  const float font = ImGui::GetFontSize();
  const Time begin = kTimeZero;
  Time end = std::max(world.end, world.now);
  if (end <= begin) end = begin + Seconds(1);

  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float width = std::max(ImGui::GetContentRegionAvail().x, 50.0f);
  const float height = std::max(ImGui::GetContentRegionAvail().y - font * 0.2f, font * 2.0f);
  ImGui::InvisibleButton("timeline_bar", {width, height});
  const bool hovered = ImGui::IsItemHovered();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float bar_top = origin.y + font * 1.2f, bar_bottom = origin.y + height;
  dl->AddRectFilled({origin.x, bar_top}, {origin.x + width, bar_bottom}, pal.background);
  const float now_x = TimeToX(world.now, begin, end, origin.x, width);
  dl->AddRectFilled({origin.x, bar_top}, {now_x, bar_bottom}, pal.link);

  // Ticks: about one label per 8 font widths.
  const int ticks = std::clamp(static_cast<int>(width / (font * 8)), 2, 20);
  const Duration step = TickStep(end - begin, ticks);
  for (Time t = begin; t <= end; t = t + step) {
    const float x = TimeToX(t, begin, end, origin.x, width);
    dl->AddLine({x, bar_top}, {x, bar_top + font * 0.4f}, pal.dim_text);
    const std::string label = FormatDuration(t - kTimeZero);
    const float w = ImGui::CalcTextSize(label.c_str()).x;
    dl->AddText({std::clamp(x - w / 2, origin.x, origin.x + width - w), origin.y}, pal.dim_text,
                label.c_str());
  }

  // Markers; the one nearest the mouse (within half a font) gets the tooltip and the click.
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const TimelineMarker* nearest = nullptr;
  float nearest_dx = font * 0.5f;
  for (const TimelineMarker& m : state.timeline.markers()) {
    const float x = TimeToX(m.at, begin, end, origin.x, width);
    const float lane = static_cast<float>(m.kind) * 0.2f;
    dl->AddLine({x, bar_top + (bar_bottom - bar_top) * lane}, {x, bar_bottom},
                MarkerColour(pal, m.kind), 2.0f);
    if (hovered && std::abs(mouse.x - x) < nearest_dx) {
      nearest_dx = std::abs(mouse.x - x);
      nearest = &m;
    }
  }
  for (const view::CheckView& check : world.checks) {
    if (check.ok) continue;
    const float x = TimeToX(check.broken_at, begin, end, origin.x, width);
    dl->AddTriangleFilled({x - font * 0.4f, bar_top}, {x + font * 0.4f, bar_top},
                          {x, bar_top + font * 0.6f}, pal.bad);
  }

  // Playhead, or the ghost playhead while scrubbing.
  if (ImGui::IsItemActive() && ImGui::IsMouseDragging(0, 2.0f)) {
    state.scrubbing = true;
    state.scrub_time = XToTime(mouse.x, begin, end, origin.x, width);
  }
  dl->AddLine({now_x, bar_top - 2}, {now_x, bar_bottom}, pal.highlight, 3.0f);
  if (state.scrubbing) {
    const float x = TimeToX(state.scrub_time, begin, end, origin.x, width);
    dl->AddLine({x, bar_top - 2}, {x, bar_bottom}, pal.text, 2.0f);
    ImGui::SetTooltip("release to go to t=%s", FormatTime(state.scrub_time).c_str());
  } else if (nearest != nullptr) {
    ImGui::SetTooltip("%s\n(click to rewind here)", nearest->label.c_str());
  } else if (hovered) {
    ImGui::SetTooltip("t=%s: drag to scrub",
                      FormatTime(XToTime(mouse.x, begin, end, origin.x, width)).c_str());
  }
  if (ImGui::IsItemDeactivated()) {
    if (state.scrubbing) {
      queue.rewind_to_time = state.scrub_time;
    } else if (nearest != nullptr) {
      queue.rewind_to_event = nearest->event_index;
      state.selected_event = nearest->event_index;
      state.scroll_to_selected_event = true;
    } else if (hovered) {
      queue.rewind_to_time = XToTime(mouse.x, begin, end, origin.x, width);
    }
    state.scrubbing = false;
  }
}

}  // namespace kafkasim::gui::timeline
