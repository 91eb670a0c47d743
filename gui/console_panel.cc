// Console: type the commands of a scenario `run` step ("crash broker-1",
// "kafka-topics.sh --describe --topic cities") and read their output under them, as in a
// terminal (ConsoleModel reads it from the trace). Each command entered becomes a recorded
// input of the run.
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "gui/panels.h"
#include "gui/style.h"
#include "imgui.h"

namespace kafkasim::gui::console {

namespace {

// What `help` lists: the commands of a scenario `run` step the console takes.
constexpr const char* kHelp[] = {
    "commands (each is recorded with its virtual time, so the run replays):",
    "  crash NODE            power loss: peers notice by timeouts, unflushed writes lost",
    "  kill NODE             the process dies: connections reset at once",
    "  restart NODE          start a crashed or killed node again",
    "  cut A B | heal A B    cut or heal the link between two nodes",
    "  isolate NODE          cut NODE from everyone; heal-all heals every link",
    "  slow NODE MS          add MS milliseconds of latency to NODE's messages",
    "  kafka-topics.sh, kafka-console-producer.sh, kafka-console-consumer.sh,",
    "  kafka-consumer-groups.sh, kafka-configs.sh, kafka-metadata-quorum.sh,",
    "  kafka-leader-election.sh,",
    "  kafka-dump-log.sh, ...: Kafka's tools with their own flags (--help on each)",
    "  kafka-console-producer.sh --topic T <<< one|'two words'   sends two lines",
    "  a tool's answer, a consumer's records and a producer's acknowledgements appear",
    "  under the command as they arrive (press Play: the world runs on virtual time)",
    "  help                  this list; Up/Down arrows walk the history",
};

int History(ImGuiInputTextCallbackData* data) {
  auto* state = static_cast<GuiState*>(data->UserData);
  const auto size = static_cast<int>(state->console_history.size());
  if (size == 0) return 0;
  int& pos = state->console_history_pos;
  if (data->EventKey == ImGuiKey_UpArrow) {
    pos = pos < 0 ? size - 1 : std::max(pos - 1, 0);
  } else if (data->EventKey == ImGuiKey_DownArrow) {
    pos = pos < 0 || pos + 1 >= size ? -1 : pos + 1;
  }
  data->DeleteChars(0, data->BufTextLen);
  if (pos >= 0) data->InsertChars(0, state->console_history[static_cast<std::size_t>(pos)].c_str());
  return 0;
}

void Line(ImU32 colour, const std::string& text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ToVec4(colour));
  ImGui::TextWrapped("%s", text.c_str());
  ImGui::PopStyleColor();
}

void DrawLocal(const ConsoleLine& line, const Palette& pal) {
  ImU32 colour = pal.text;
  if (line.kind == ConsoleLine::Kind::kInput) colour = pal.fetch;
  if (line.kind == ConsoleLine::Kind::kError) colour = pal.bad;
  if (line.kind == ConsoleLine::Kind::kNote) colour = pal.dim_text;
  Line(colour, line.text);
}

// A command as a terminal shows it, "$ crash broker-1", with its virtual time and, for a
// scenario's `run` step, where it came from; then everything it printed, as it came.
void DrawBlock(const ConsoleBlock& block, const Palette& pal) {
  ImGui::PushStyleColor(ImGuiCol_Text, ToVec4(pal.dim_text));
  ImGui::TextUnformatted(FormatTime(block.at).c_str());
  ImGui::PopStyleColor();
  ImGui::SameLine();
  Line(block.from_scenario ? pal.dim_text : pal.fetch,
       "$ " + block.command + (block.from_scenario ? "   (scenario step)" : ""));
  if (block.lines_dropped > 0) {
    Line(pal.dim_text,
         fmt::format("... {} earlier lines (all are in the event log)", block.lines_dropped));
  }
  for (const ConsoleOutputLine& line : block.lines) {
    ImU32 colour = pal.text;
    if (line.kind == ConsoleOutputLine::Kind::kError) colour = pal.bad;
    if (line.kind == ConsoleOutputLine::Kind::kNote) colour = pal.dim_text;
    Line(colour, line.text);
  }
}

}  // namespace

void Draw(const view::WorldView& world, GuiState& state, CommandQueue& queue) {
  const Palette& pal = CurrentPalette(state);
  const float input_height = ImGui::GetFrameHeightWithSpacing();
  ImGui::BeginChild("console_lines", {0, -input_height}, true);
  const bool follow = ImGui::GetScrollY() >= ImGui::GetScrollMaxY() - 1;
  ImGui::PushFont(state.fonts.mono != nullptr ? state.fonts.mono : ImGui::GetFont());
  // The transcript and the console's own lines in trace order; long lines wrap (no clipper:
  // wrapped lines have no fixed height).
  const std::vector<ConsoleBlock>& blocks = state.console_model.blocks();
  if (blocks.empty() && state.console.empty()) {
    Line(pal.dim_text,
         "Type a command below (help lists them). Each one and what it prints "
         "appear here; a consumer's records as they arrive.");
  }
  std::size_t b = 0;
  for (const ConsoleLine& line : state.console) {
    for (; b < blocks.size() && blocks[b].event_index < line.after_event; ++b) {
      DrawBlock(blocks[b], pal);
    }
    DrawLocal(line, pal);
  }
  for (; b < blocks.size(); ++b) DrawBlock(blocks[b], pal);
  ImGui::PopFont();
  if (follow) ImGui::SetScrollHereY(1.0f);
  ImGui::EndChild();
  ImGui::SetNextItemWidth(-1);
  if (state.console_focus) {
    ImGui::SetKeyboardFocusHere();
    state.console_focus = false;
  }
  if (ImGui::InputTextWithHint(
          "##command", "kill broker-1 | crash broker-1 | cut broker-1 broker-2 | heal-all",
          state.console_input.data(), state.console_input.size(),
          ImGuiInputTextFlags_EnterReturnsTrue | ImGuiInputTextFlags_CallbackHistory, History,
          &state)) {
    const std::string line = state.console_input.data();
    if (!line.empty()) {
      state.console_history.push_back(line);
      state.console_history_pos = -1;
    }
    if (line == "help") {
      const std::uint64_t after = world.trace != nullptr ? world.trace->size() : 0;
      state.console.push_back({ConsoleLine::Kind::kInput, "$ help", after});
      for (const char* text : kHelp) {
        state.console.push_back({ConsoleLine::Kind::kNote, text, after});
      }
    } else if (!line.empty()) {
      queue.Push(line);
    }
    state.console_input.fill('\0');
    state.console_focus = true;
  }
}

}  // namespace kafkasim::gui::console
