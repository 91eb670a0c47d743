// Dear ImGui without a platform or renderer backend, as ImGui's example_null: the real panels
// drawn to draw lists that nobody rasterises. For the smoke test and the UI-build benchmark.
#pragma once

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

// Builds the font atlas of the fonts loaded so far (Configure, LoadFonts) in memory, as a
// renderer backend does before its first frame, but uploads nothing. False when it is empty.
bool BuildFontAtlas();

// ImGui::NewFrame for a display of `size` pixels, `delta_seconds` after the previous frame.
void NewHeadlessFrame(ImVec2 size, float delta_seconds);

}  // namespace kafkasim::gui
