// Clients: producers (acks, sent, acknowledged, failed, in flight, last error) and consumers
// (group, consumed, lag, positions).
#include <string>

#include "gui/panels.h"
#include "gui/style.h"
#include "imgui.h"

namespace kafkasim::gui::clients {

namespace {

// A console client is not declared by the scenario: its topic and group come from the command
// that started it (the Console's transcript).
std::string TopicOf(const view::ClientView& c, const GuiState& state) {
  if (!c.topic.empty()) return c.topic;
  const ConsoleClient* console = state.console_model.Client(c.name);
  return console != nullptr ? console->topic : "";
}

std::string GroupOf(const view::ClientView& c, const GuiState& state) {
  if (!c.group.empty()) return c.group;
  const ConsoleClient* console = state.console_model.Client(c.name);
  return console != nullptr ? console->group : "";
}

}  // namespace

void Draw(const view::WorldView& world, GuiState& state, CommandQueue& queue) {
  (void)queue;
  const Palette& pal = CurrentPalette(state);
  const ImGuiTableFlags flags =
      ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchProp;
  ImGui::TextUnformatted("Producers");
  if (ImGui::BeginTable("producers", 8, flags)) {
    for (const char* h :
         {"Name", "Topic", "acks", "Sent", "Acked", "Failed", "In flight", "Last error"}) {
      ImGui::TableSetupColumn(h);
    }
    ImGui::TableHeadersRow();
    for (const view::ClientView& c : world.clients) {
      if (c.kind != "producer") continue;
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextColored(ToVec4(c.running ? pal.text : pal.bad), "%s", c.name.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(TopicOf(c, state).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(c.acks.c_str());
      for (std::int64_t n : {c.sent, c.acknowledged, c.failed, c.in_flight}) {
        ImGui::TableNextColumn();
        ImGui::Text("%lld", static_cast<long long>(n));
      }
      ImGui::TableNextColumn();
      ImGui::TextColored(ToVec4(pal.bad), "%s", c.last_error.c_str());
    }
    ImGui::EndTable();
  }
  ImGui::Spacing();
  ImGui::TextUnformatted("Consumers");
  if (ImGui::BeginTable("consumers", 6, flags)) {
    for (const char* h : {"Name", "Group", "Topic", "Consumed", "Lag", "Positions"}) {
      ImGui::TableSetupColumn(h);
    }
    ImGui::TableHeadersRow();
    for (const view::ClientView& c : world.clients) {
      if (c.kind != "consumer") continue;
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextColored(ToVec4(c.running ? pal.text : pal.bad), "%s", c.name.c_str());
      ImGui::TableNextColumn();
      const std::string group = GroupOf(c, state);
      ImGui::TextUnformatted(group.empty() ? "(assign)" : group.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(TopicOf(c, state).c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%lld", static_cast<long long>(c.consumed));
      ImGui::TableNextColumn();
      ImGui::TextColored(ToVec4(c.lag > 0 ? pal.warn : pal.ok), "%lld",
                         static_cast<long long>(c.lag));
      ImGui::TableNextColumn();
      // The first positions in full; a consumer of 10,000 partitions would otherwise wrap a
      // line of 150 KB every frame.
      constexpr std::size_t kShownPositions = 6;
      std::string positions;
      std::size_t shown = 0, more = 0;
      for (const auto& [topic, offsets] : c.positions) {
        for (std::size_t partition = 0; partition < offsets.size(); ++partition) {
          if (offsets[partition] < 0) continue;
          if (shown == kShownPositions) {
            ++more;
            continue;
          }
          ++shown;
          positions += topic + "-" + std::to_string(partition) + "@" +
                       std::to_string(offsets[partition]) + " ";
        }
      }
      if (more > 0) positions += "and " + std::to_string(more) + " more";
      ImGui::TextWrapped("%s", positions.c_str());
    }
    ImGui::EndTable();
  }
}

}  // namespace kafkasim::gui::clients
