// Topics table in `kafka-topics.sh --describe` terms; rows that just changed glow briefly.
#include <fmt/format.h>

#include <string>
#include <vector>

#include "gui/panels.h"
#include "gui/style.h"
#include "imgui.h"

namespace kafkasim::gui::topics {
namespace {

// Fields on one line, two spaces apart, wrapping to the next line between fields only.
void FlowFields(const std::vector<std::string>& fields) {
  const float room = ImGui::GetContentRegionAvail().x;
  const float space = ImGui::CalcTextSize("  ").x;
  float x = 0;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const float w = ImGui::CalcTextSize(fields[i].c_str()).x;
    if (i > 0 && x + space + w <= room) {
      ImGui::SameLine(0, space);
      x += space + w;
    } else {
      x = w;
    }
    ImGui::TextUnformatted(fields[i].c_str());
  }
}

}  // namespace

void Draw(const view::WorldView& world, GuiState& state, CommandQueue& queue) {
  (void)queue;
  const Palette& pal = CurrentPalette(state);
  // With several clusters the topics come cluster by cluster (the runner lists them so): a
  // heading for each, and the remote topics MirrorMaker 2 made are marked.
  std::string cluster_shown;
  for (const view::TopicView& topic : world.topics) {
    const std::size_t slash = topic.name.find('/');
    const std::string cluster = slash == std::string::npos ? "" : topic.name.substr(0, slash);
    if (!cluster.empty() && cluster != cluster_shown) {
      cluster_shown = cluster;
      ImGui::TextColored(ToVec4(pal.dim_text), "cluster %s", cluster.c_str());
      ImGui::Separator();
    }
    const std::string name = cluster.empty() ? topic.name : topic.name.substr(slash + 1);
    const std::string source = MirrorSourceOf(world, topic.name);
    if (!source.empty()) {
      ImGui::TextColored(ToVec4(pal.produce), "remote topic: MirrorMaker 2 copies %s into it",
                         source.c_str());
    }
    // kafka-topics.sh --describe's header line. Its fields wrap whole: ImGui's word wrap would
    // break "min.insync.replicas=2" after its first dot.
    std::vector<std::string> fields = {
        "Topic: " + name, "TopicId: " + topic.topic_id,
        fmt::format("PartitionCount: {}", topic.partitions.size()),
        fmt::format("ReplicationFactor: {}", topic.replication_factor), "Configs:"};
    for (std::size_t c = 0; c < topic.configs.size(); ++c) {
      const auto& [key, value] = topic.configs[c];
      const std::string config = key + "=" + value + (c + 1 < topic.configs.size() ? "," : "");
      if (c == 0) {
        fields.back() += " " + config;
      } else {
        fields.push_back(config);
      }
    }
    FlowFields(fields);
  }
  const auto& rows = state.topics.rows();
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingStretchProp;
  if (!ImGui::BeginTable("topics_table", 7, flags)) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("Topic");
  ImGui::TableSetupColumn("Partition");
  ImGui::TableSetupColumn("Leader");
  ImGui::TableSetupColumn("Replicas");
  ImGui::TableSetupColumn("Isr");
  ImGui::TableSetupColumn("Elr");
  ImGui::TableSetupColumn("State", 0, 1.6f);
  ImGui::TableHeadersRow();
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(rows.size()));
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const PartitionRow& row = rows[static_cast<std::size_t>(i)];
      ImGui::TableNextRow();
      if (row.highlight > 0) {
        ImVec4 glow = ToVec4(pal.highlight);
        glow.w = 0.45f * row.highlight;
        ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, ImGui::ColorConvertFloat4ToU32(glow));
      }
      ImGui::TableNextColumn();
      const bool selected = row.name == state.selected_partition;
      if (ImGui::Selectable(
              row.topic.c_str(), selected,
              ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowDoubleClick)) {
        state.selected_partition = row.name;
        // A double click opens the partition's log in the Partition tab.
        if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) state.focus_tab = "Partition";
      }
      if (ImGui::IsItemHovered()) {
        if (row.mirror_of.empty()) {
          ImGui::SetTooltip("double-click: show this partition's log");
        } else {
          ImGui::SetTooltip(
              "a remote topic: MirrorMaker 2 copies %s's records into it, partition for "
              "partition\ndouble-click: show this partition's log",
              row.mirror_of.c_str());
        }
      }
      if (!row.mirror_of.empty()) {
        ImGui::SameLine();
        ImGui::TextColored(ToVec4(pal.produce), "(mirror)");
      }
      ImGui::TableNextColumn();
      ImGui::Text("%d", row.partition);
      ImGui::TableNextColumn();
      if (row.offline) {
        ImGui::TextColored(ToVec4(pal.bad), "none");
      } else if (row.leader_down) {
        ImGui::TextColored(ToVec4(pal.bad), "%d (down)", row.leader);
      } else {
        ImGui::Text("%d", row.leader);
      }
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(row.replicas.c_str());
      ImGui::TableNextColumn();
      if (row.under_replicated) {
        ImGui::TextColored(ToVec4(pal.warn), "%s", row.isr.c_str());
      } else {
        ImGui::TextUnformatted(row.isr.c_str());
      }
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(row.elr.c_str());
      ImGui::TableNextColumn();
      if (row.offline) {
        ImGui::TextColored(ToVec4(pal.bad), "OFFLINE");
      } else if (row.leader_down) {
        ImGui::TextColored(ToVec4(pal.bad), "leader down");
        if (ImGui::IsItemHovered()) {
          ImGui::SetTooltip(
              "The metadata still names broker %d as leader, but it is not running.\n"
              "Clients get no answer until the controller fences it\n"
              "(broker.session.timeout.ms) and elects a new leader.",
              row.leader);
        }
      } else if (row.under_min_isr) {
        ImGui::TextColored(ToVec4(pal.bad), "under min ISR");
      } else if (row.under_replicated) {
        ImGui::TextColored(ToVec4(pal.warn), "under-replicated");
      } else {
        ImGui::TextColored(ToVec4(pal.ok), "ok");
      }
    }
  }
  ImGui::EndTable();
}

}  // namespace kafkasim::gui::topics
