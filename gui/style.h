// Colours, fonts and scale for a projector: Okabe-Ito colour-blind-safe palette (or a plain
// one), a high-contrast theme, and the bundled DejaVu fonts at any UI scale.
#pragma once

#include <string>

#include "gui/gui_state.h"
#include "imgui.h"
#include "kafka/message_kind.h"

namespace kafkasim::gui {

struct Palette {
  ImU32 background, text, dim_text, link, cut_link;
  ImU32 broker, controller, zookeeper, client, crashed, fenced;
  ImU32 leader_ring, ok, bad, warn, highlight;
  ImU32 fault_marker, election_marker, narration_marker, check_marker;
  ImU32 produce, fetch, vote, heartbeat, metadata, other;
};

const Palette& CurrentPalette(const GuiState& state);
ImU32 MessageColour(const Palette& palette, kafka::MessageKind kind);
inline ImVec4 ToVec4(ImU32 colour) { return ImGui::ColorConvertU32ToFloat4(colour); }

// Applies theme and sizes for the current settings; call after changing them.
void ApplyStyle(const GuiState& state);

// Finds the bundled fonts: KAFKASIM_ASSETS_DIR, then ./assets, then the system DejaVu.
// Returns "" when none exists (the caller then keeps ImGui's built-in font).
std::string FindFont(const std::string& file_name);
// Adds regular, mono and large fonts at `scale` to the atlas. Must run before the atlas is
// built (before the renderer's first NewFrame, or followed by a texture rebuild).
GuiFonts LoadFonts(float scale);

}  // namespace kafkasim::gui
