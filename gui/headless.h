// Dear ImGui without a platform or renderer backend, as ImGui's example_null: the real panels
// drawn to draw lists that nobody rasterises. For the smoke test and the UI-build benchmark.
#pragma once

#include "gui/gui_state.h"
#include "imgui.h"

namespace kafkasim::gui {

// Owns an ImGui context for its lifetime (no .ini file, no backend).
class HeadlessContext {
 public:
  HeadlessContext();
  ~HeadlessContext();
  HeadlessContext(const HeadlessContext&) = delete;
  HeadlessContext& operator=(const HeadlessContext&) = delete;
};

// Loads the fonts at state.ui_scale, builds the font atlas in memory (a renderer backend would
// upload it as a texture) and applies the style. Returns false when the atlas is empty.
bool BuildFontAtlas(GuiState& state);

// ImGui::NewFrame for a display of `size` pixels, `delta_seconds` after the previous frame.
void NewHeadlessFrame(ImVec2 size, float delta_seconds);

}  // namespace kafkasim::gui
