// ImGui's example_null set-up: a context, a font atlas in memory, frames of a given size.
#include "gui/headless.h"

namespace kafkasim::gui {

HeadlessContext::HeadlessContext() {
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  io.BackendFlags |= ImGuiBackendFlags_RendererHasVtxOffset;  // as the OpenGL3 backend
}

HeadlessContext::~HeadlessContext() { ImGui::DestroyContext(); }

bool BuildFontAtlas() {
  unsigned char* pixels = nullptr;
  int width = 0, height = 0;
  ImGui::GetIO().Fonts->GetTexDataAsRGBA32(&pixels, &width, &height);
  return pixels != nullptr && width > 0 && height > 0;
}

void NewHeadlessFrame(ImVec2 size, float delta_seconds) {
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = size;
  io.DeltaTime = delta_seconds;
  ImGui::NewFrame();
}

}  // namespace kafkasim::gui
