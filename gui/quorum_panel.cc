// Quorum: the KRaft voters (role, epoch, voted-for, metadata log end and high watermark) or
// the ZooKeeper ensemble (leader, zxid, whether a quorum exists).
#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>

#include "gui/panels.h"
#include "gui/style.h"
#include "imgui.h"

namespace kafkasim::gui::quorum {

void Draw(const view::WorldView& world, GuiState& state, CommandQueue& queue) {
  (void)queue;
  const Palette& pal = CurrentPalette(state);
  const view::QuorumView& q = world.quorum;
  const bool zookeeper = q.mode == "zookeeper";
  // Whether there is a quorum first, then the header, wrapped at the panel's edge.
  if (q.has_quorum) {
    ImGui::TextColored(ToVec4(pal.ok), "quorum: yes");
  } else {
    ImGui::TextColored(ToVec4(pal.bad), "quorum: NO (majority not reachable)");
  }
  ImGui::SameLine();
  if (zookeeper) {
    ImGui::TextWrapped("ZooKeeper ensemble: leader myid %d, epoch %lld, zxid %s", q.leader_id,
                       static_cast<long long>(q.epoch), q.zxid.c_str());
  } else if (q.leader_id >= 0) {
    ImGui::TextWrapped("KRaft quorum (__cluster_metadata): leader %d, epoch %lld", q.leader_id,
                       static_cast<long long>(q.epoch));
  } else {
    // No leader among the running voters. The header says what their rows say: the highest
    // epoch a running voter is in, and the leader it still follows there, if any (a down one).
    std::int64_t epoch = 0;
    int follows = -1;
    std::string follower;
    for (const view::VoterView& v : q.voters) {
      if (!v.alive || v.epoch < epoch) continue;
      if (v.epoch > epoch) follows = -1;
      epoch = v.epoch;
      if (v.leader_id >= 0 && follows < 0) {
        follows = v.leader_id;
        follower = v.node;
      }
    }
    if (follows >= 0) {
      const bool leader_down =
          std::any_of(q.voters.begin(), q.voters.end(),
                      [&](const view::VoterView& v) { return v.id == follows && !v.alive; });
      ImGui::TextWrapped(
          "KRaft quorum (__cluster_metadata): no leader running (epoch %lld's leader %d %s; "
          "%s still follows it)",
          static_cast<long long>(epoch), follows, leader_down ? "is down" : "no longer leads",
          follower.c_str());
    } else {
      ImGui::TextWrapped("KRaft quorum (__cluster_metadata): no leader (highest epoch %lld)",
                         static_cast<long long>(epoch));
    }
  }
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_ScrollY;
  if (!ImGui::BeginTable("voters", 8, flags)) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  // ZooKeeper: QuorumPeer's state (LOOKING / FOLLOWING / LEADING), currentEpoch, the vote,
  // the leader it serves under, its last logged and last committed zxids.
  const std::initializer_list<const char*> kraft_headers = {
      "Node", "Id", "Role", "Epoch", "Voted for", "Leader", "Log end", "HW"};
  const std::initializer_list<const char*> zk_headers = {
      "Server", "myid", "State", "Epoch", "Vote", "Leader", "Last zxid", "Committed zxid"};
  for (const char* h : zookeeper ? zk_headers : kraft_headers) ImGui::TableSetupColumn(h);
  ImGui::TableHeadersRow();
  for (const view::VoterView& v : q.voters) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    if (v.alive) {
      ImGui::TextUnformatted(v.node.c_str());
    } else if (v.stale) {
      // A down KRaft voter: what its disk holds (quorum-state and metadata log), greyed, and
      // marked stale: it acts on none of it until it restarts and reads it again.
      ImGui::TextColored(ToVec4(pal.bad), "%s (down)", v.node.c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%d", v.id);
      ImGui::TableNextColumn();
      ImGui::TextDisabled("down, stale");
      bool hovered = ImGui::IsItemHovered();
      ImGui::TableNextColumn();
      ImGui::TextDisabled("%lld", static_cast<long long>(v.epoch));
      hovered = hovered || ImGui::IsItemHovered();
      ImGui::TableNextColumn();
      ImGui::TextDisabled("%d", v.voted_for);
      ImGui::TableNextColumn();
      ImGui::TextDisabled("%d", v.leader_id);
      ImGui::TableNextColumn();
      ImGui::TextDisabled("%lld", static_cast<long long>(v.log_end_offset));
      hovered = hovered || ImGui::IsItemHovered();
      ImGui::TableNextColumn();
      ImGui::TextDisabled("-");
      if (hovered) {
        ImGui::SetTooltip(
            "read from its disk: epoch, vote and leader from __cluster_metadata-0/quorum-state,\n"
            "log end from its metadata log. Stale: it acts on none of it until it restarts.\n"
            "Its high watermark is not on disk.");
      }
      continue;
    } else {
      // A down node whose disk holds no quorum-state (a ZooKeeper server): no numbers that
      // would read as an empty log.
      ImGui::TextColored(ToVec4(pal.bad), "%s (down)", v.node.c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%d", v.id);
      ImGui::TableNextColumn();
      ImGui::TextDisabled("down");
      if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip(
            "its epoch, vote and log are on its disk and are read again when it\n"
            "restarts; nothing is shown here rather than numbers that would read\n"
            "as an empty log");
      }
      for (int column = 3; column < 8; ++column) {
        ImGui::TableNextColumn();
        ImGui::TextDisabled("-");
      }
      continue;
    }
    ImGui::TableNextColumn();
    ImGui::Text("%d", v.id);
    ImGui::TableNextColumn();
    if (v.role == "Leader" || v.role == "LEADING") {
      ImGui::TextColored(ToVec4(pal.leader_ring), "%s", v.role.c_str());
    } else {
      ImGui::TextUnformatted(v.role.c_str());
    }
    ImGui::TableNextColumn();
    ImGui::Text("%lld", static_cast<long long>(v.epoch));
    ImGui::TableNextColumn();
    ImGui::Text("%d", v.voted_for);
    ImGui::TableNextColumn();
    ImGui::Text("%d", v.leader_id);
    ImGui::TableNextColumn();
    if (zookeeper) {
      ImGui::Text("0x%llx", static_cast<unsigned long long>(v.log_end_offset));
      ImGui::TableNextColumn();
      ImGui::Text("0x%llx", static_cast<unsigned long long>(v.high_watermark));
      continue;
    }
    ImGui::Text("%lld", static_cast<long long>(v.log_end_offset));
    ImGui::TableNextColumn();
    ImGui::Text("%lld", static_cast<long long>(v.high_watermark));
  }
  ImGui::EndTable();
}

}  // namespace kafkasim::gui::quorum
