// Consumer groups as their coordinators hold them: state (classic or KIP-848 names), protocol,
// generation or group epoch, coordinator, members, the assignment as partition -> member, and
// per partition the committed offset and the lag (log end offset - committed).
#include <fmt/format.h>

#include <string>

#include "gui/groups_model.h"
#include "gui/panels.h"
#include "gui/style.h"
#include "imgui.h"

namespace kafkasim::gui::groups {
namespace {

constexpr ImGuiTableFlags kTableFlags =
    ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchProp;

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

void Summary(const view::WorldView& world, const Palette& pal, const view::GroupView& g) {
  const ImU32 state_colour = g.rebalancing ? pal.warn : g.state == "Stable" ? pal.ok : pal.dim_text;
  ImGui::TextColored(ToVec4(state_colour), "%s", g.state.c_str());
  if (g.rebalancing) {
    ImGui::SameLine();
    // Eager assignors revoke everything before rejoining; cooperative-sticky and KIP-848 move
    // only the partitions that change owner.
    const bool incremental = g.protocol == "consumer" || g.assignor == "cooperative-sticky";
    const std::string marker =
        incremental ? " REBALANCE IN PROGRESS: members keep what does not move "
                    : " REBALANCE IN PROGRESS: every member gives up its partitions ";
    ImGui::PushStyleColor(ImGuiCol_Button, ToVec4(pal.warn));
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, ToVec4(pal.warn));
    ImGui::PushStyleColor(ImGuiCol_ButtonActive, ToVec4(pal.warn));
    ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(0, 0, 0, 255));
    ImGui::SmallButton(marker.c_str());
    ImGui::PopStyleColor(4);
  }
  std::string coordinator = "none loaded";
  if (g.coordinator >= 0) {
    coordinator = fmt::format("broker {}", g.coordinator);
    for (const view::NodeView& n : world.nodes) {
      if (n.id == g.coordinator && n.role != view::NodeRole::kZooKeeper &&
          n.role != view::NodeRole::kClient) {
        coordinator = n.name;
      }
    }
  }
  const std::string epoch = g.protocol == "classic"
                                ? fmt::format("generation {}", g.generation)
                                : fmt::format("group epoch {}, target assignment epoch {}",
                                              g.generation, g.target_assignment_epoch);
  ImGui::TextWrapped("protocol %s (%s), %s, coordinator %s (leader of __consumer_offsets-%d)",
                     g.protocol.c_str(),
                     g.assignor.empty() ? "no assignor yet" : g.assignor.c_str(), epoch.c_str(),
                     coordinator.c_str(), g.offsets_partition);
}

void Members(const Palette& pal, const view::GroupView& g) {
  if (g.members.empty()) {
    ImGui::TextDisabled("no members");
    return;
  }
  const bool kip848 = g.protocol == "consumer";
  if (!ImGui::BeginTable("members", kip848 ? 5 : 4, kTableFlags)) return;
  ImGui::TableSetupColumn("Member id", ImGuiTableColumnFlags_WidthStretch, 3.0f);
  ImGui::TableSetupColumn("Client id", ImGuiTableColumnFlags_WidthStretch, 1.4f);
  ImGui::TableSetupColumn("group.instance.id", ImGuiTableColumnFlags_WidthStretch, 1.4f);
  if (kip848) ImGui::TableSetupColumn("Epoch / state", ImGuiTableColumnFlags_WidthStretch, 1.6f);
  ImGui::TableSetupColumn("Assigned", ImGuiTableColumnFlags_WidthStretch, 2.4f);
  ImGui::TableHeadersRow();
  for (const view::GroupMemberView& m : g.members) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(m.member_id.c_str());
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", m.member_id.c_str());
    ImGui::TableNextColumn();
    ImGui::Text("%s%s", m.client_id.c_str(), m.leader ? " (leader)" : "");
    ImGui::TableNextColumn();
    if (m.group_instance_id.empty()) {
      ImGui::TextDisabled("dynamic");
    } else {
      ImGui::Text("%s (static)", m.group_instance_id.c_str());
    }
    if (kip848) {
      ImGui::TableNextColumn();
      ImGui::Text("%d %s", m.member_epoch, m.member_state.c_str());
    }
    ImGui::TableNextColumn();
    const std::string assigned = m.assigned.empty() ? "-" : Join(m.assigned);
    ImGui::TextWrapped("%s", assigned.c_str());
    if (!m.revoking.empty()) {
      ImGui::TextColored(ToVec4(pal.warn), "revoking %s", Join(m.revoking).c_str());
    }
  }
  ImGui::EndTable();
}

void Partitions(const view::WorldView& world, const Palette& pal, const view::GroupView& g) {
  const std::vector<GroupPartitionRow> rows = GroupPartitionRows(g, world);
  if (rows.empty()) return;
  if (!ImGui::BeginTable("partitions", 5, kTableFlags)) return;
  for (const char* h : {"Partition", "Member (client id)", "Committed", "Log end", "Lag"}) {
    ImGui::TableSetupColumn(h);
  }
  ImGui::TableHeadersRow();
  for (const GroupPartitionRow& r : rows) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(r.name.c_str());
    ImGui::TableNextColumn();
    if (r.member_id.empty()) {
      ImGui::TextColored(ToVec4(g.members.empty() ? pal.dim_text : pal.warn), "unowned");
    } else {
      ImGui::TextColored(ToVec4(r.revoking ? pal.warn : pal.text), "%s%s", r.client_id.c_str(),
                         r.revoking ? " (revoking)" : "");
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", r.member_id.c_str());
    }
    for (std::int64_t v : {r.committed, r.log_end}) {
      ImGui::TableNextColumn();
      if (v < 0) {
        ImGui::TextDisabled("-");
      } else {
        ImGui::Text("%lld", static_cast<long long>(v));
      }
    }
    ImGui::TableNextColumn();
    if (r.lag < 0) {
      ImGui::TextDisabled("-");
    } else {
      ImGui::TextColored(ToVec4(r.lag > 0 ? pal.warn : pal.ok), "%lld",
                         static_cast<long long>(r.lag));
    }
  }
  ImGui::EndTable();
}

}  // namespace

void Draw(const view::WorldView& world, GuiState& state, CommandQueue& queue) {
  (void)queue;
  const Palette& pal = CurrentPalette(state);
  if (world.groups.empty()) {
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled(
        "No consumer group yet: a consumer with a group (or kafka-console-consumer.sh without "
        "--partition) makes one when it joins.");
    ImGui::PopTextWrapPos();
    return;
  }
  for (const view::GroupView& g : world.groups) {
    ImGui::PushID(g.group_id.c_str());
    const std::string header = fmt::format("{}  {}  {} member{}###group", g.group_id, g.state,
                                           g.members.size(), g.members.size() == 1 ? "" : "s");
    if (ImGui::CollapsingHeader(header.c_str(), ImGuiTreeNodeFlags_DefaultOpen)) {
      Summary(world, pal, g);
      Members(pal, g);
      Partitions(world, pal, g);
      ImGui::Spacing();
    }
    ImGui::PopID();
  }
}

}  // namespace kafkasim::gui::groups
