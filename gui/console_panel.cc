// Console: type the commands of a scenario `run` step ("crash broker-1",
// "kafka-topics.sh --describe --topic cities") and read their output. Each command entered
// becomes a recorded input of the run.
#include <cstring>

#include "gui/panels.h"
#include "gui/style.h"
#include "imgui.h"

namespace kafkasim::gui::console {

void Draw(const view::WorldView& world, GuiState& state, CommandQueue& queue) {
  (void)world;
  const Palette& pal = CurrentPalette(state);
  const float input_height = ImGui::GetFrameHeightWithSpacing();
  ImGui::BeginChild("console_lines", {0, -input_height}, true,
                    ImGuiWindowFlags_HorizontalScrollbar);
  const bool follow = ImGui::GetScrollY() >= ImGui::GetScrollMaxY() - 1;
  ImGui::PushFont(state.fonts.mono != nullptr ? state.fonts.mono : ImGui::GetFont());
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(state.console.size()));
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const ConsoleLine& line = state.console[static_cast<std::size_t>(i)];
      ImU32 colour = pal.text;
      if (line.kind == ConsoleLine::Kind::kInput) colour = pal.fetch;
      if (line.kind == ConsoleLine::Kind::kError) colour = pal.bad;
      if (line.kind == ConsoleLine::Kind::kNote) colour = pal.dim_text;
      ImGui::PushStyleColor(ImGuiCol_Text, ToVec4(colour));
      ImGui::TextUnformatted(line.text.c_str());
      ImGui::PopStyleColor();
    }
  }
  ImGui::PopFont();
  if (follow) ImGui::SetScrollHereY(1.0f);
  ImGui::EndChild();
  ImGui::SetNextItemWidth(-1);
  if (state.console_focus) {
    ImGui::SetKeyboardFocusHere();
    state.console_focus = false;
  }
  if (ImGui::InputTextWithHint("##command",
                               "kill broker-1 | crash broker-1 | cut broker-1 broker-2 | heal-all",
                               state.console_input.data(), state.console_input.size(),
                               ImGuiInputTextFlags_EnterReturnsTrue)) {
    if (state.console_input[0] != '\0') queue.Push(state.console_input.data());
    state.console_input.fill('\0');
    state.console_focus = true;
  }
}

}  // namespace kafkasim::gui::console
