// Cluster map: nodes in rows by role, cut links, messages in flight moving along their links
// (their speed follows the play speed), and a right-click menu to inject faults.
#include <fmt/format.h>

#include <algorithm>

#include "gui/cluster_layout.h"
#include "gui/panels.h"
#include "gui/style.h"
#include "imgui.h"

namespace kafkasim::gui::cluster_map {
namespace {

constexpr std::size_t kMessagesDrawnMax = 3000;

ImU32 RoleColour(const Palette& p, const view::NodeView& n) {
  if (n.state != NodeState::kRunning) return p.crashed;
  switch (n.role) {
    case view::NodeRole::kController:
      return p.controller;
    case view::NodeRole::kZooKeeper:
      return p.zookeeper;
    case view::NodeRole::kClient:
      return p.client;
    default:
      return n.fenced ? p.fenced : p.broker;
  }
}

std::string RoleLine(const view::NodeView& n) {
  if (n.state == NodeState::kCrashed) return "CRASHED";
  if (n.state == NodeState::kKilled) return "KILLED";
  if (n.state == NodeState::kStopped) return "stopped";
  if (n.active_controller) return n.role == view::NodeRole::kZooKeeper ? "leader" : "active ctrl";
  if (n.quorum_leader) return "quorum leader";
  if (n.fenced) return "fenced";
  if (n.role == view::NodeRole::kBroker || n.role == view::NodeRole::kCombined) {
    return n.leader_count > 0 ? fmt::format("leads {}", n.leader_count) : "follower";
  }
  return "";
}

void DrawCross(ImDrawList* dl, ImVec2 c, float r, ImU32 colour, float thickness) {
  dl->AddLine({c.x - r, c.y - r}, {c.x + r, c.y + r}, colour, thickness);
  dl->AddLine({c.x - r, c.y + r}, {c.x + r, c.y - r}, colour, thickness);
}

void ContextMenu(const view::WorldView& world, GuiState& state, CommandQueue& queue) {
  if (!ImGui::BeginPopup("node_menu")) return;
  const std::string& name = state.context_node;
  auto it = std::find_if(world.nodes.begin(), world.nodes.end(),
                         [&](const view::NodeView& n) { return n.name == name; });
  if (it != world.nodes.end()) {
    ImGui::TextUnformatted(name.c_str());
    ImGui::Separator();
    if (it->state == NodeState::kRunning) {
      if (ImGui::MenuItem("Crash (power loss)")) queue.Push("crash " + name);
      if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip(
            "the machine goes dark: peers notice only by timeouts;\n"
            "writes not yet fsynced are lost");
      }
      if (ImGui::MenuItem("Kill (process dies)")) queue.Push("kill " + name);
      if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip("kill -9: connections reset at once; unsynced writes survive");
      }
    } else if (ImGui::MenuItem("Restart")) {
      queue.Push("restart " + name);
    }
    if (ImGui::MenuItem("Isolate from everyone")) queue.Push("isolate " + name);
    if (ImGui::BeginMenu("Cut link to")) {
      for (const view::NodeView& other : world.nodes) {
        if (other.name != name && ImGui::MenuItem(other.name.c_str())) {
          queue.Push("cut " + name + " " + other.name);
        }
      }
      ImGui::EndMenu();
    }
    bool any_cut = false;
    for (const auto& [a, b] : world.cut_links) any_cut = any_cut || a == it->index;
    if (ImGui::BeginMenu("Heal link to", any_cut)) {
      for (const auto& [a, b] : world.cut_links) {
        if (a != it->index) continue;
        for (const view::NodeView& other : world.nodes) {
          if (other.index == b && ImGui::MenuItem(other.name.c_str())) {
            queue.Push("heal " + name + " " + other.name);
          }
        }
      }
      ImGui::EndMenu();
    }
    if (ImGui::MenuItem("Show its events")) state.filter.node = name;
    ImGui::Separator();
  }
  if (ImGui::MenuItem("Heal all links", nullptr, false, !world.cut_links.empty())) {
    queue.Push("heal-all");
  }
  ImGui::EndPopup();
}

void DrawLegend(const Palette& p, ImDrawList* dl, ImVec2 at) {
  const std::pair<const char*, ImU32> kinds[] = {
      {"produce", p.produce},     {"fetch", p.fetch},       {"vote", p.vote},
      {"heartbeat", p.heartbeat}, {"metadata", p.metadata}, {"cut link", p.cut_link}};
  const float r = ImGui::GetFontSize() * 0.3f;
  for (const auto& [label, colour] : kinds) {
    dl->AddCircleFilled({at.x + r, at.y + ImGui::GetFontSize() * 0.5f}, r, colour);
    dl->AddText({at.x + 3 * r, at.y}, p.text, label);
    at.x += 3 * r + ImGui::CalcTextSize(label).x + 2 * r;
  }
}

}  // namespace

void Draw(const view::WorldView& world, GuiState& state, CommandQueue& queue) {
  const Palette& pal = CurrentPalette(state);
  const float font = ImGui::GetFontSize();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImVec2 size = ImGui::GetContentRegionAvail();
  size.x = std::max(size.x, 100.0f);
  size.y = std::max(size.y, 100.0f);
  ImGui::InvisibleButton("cluster_canvas", size,
                         ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
  const bool hovered = ImGui::IsItemHovered();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(origin, {origin.x + size.x, origin.y + size.y}, pal.background);

  // Leave room for two label lines under the lowest row and the legend.
  const ClusterLayout layout = LayoutCluster(world, size.x, size.y - font * 1.4f, font * 2.2f + 2);
  auto at = [&](int slot) {
    const Point c = layout.centers[static_cast<std::size_t>(slot)];
    return ImVec2(origin.x + c.x, origin.y + c.y);
  };
  const float r = layout.radius;

  for (const auto& [a, b] : world.cut_links) {
    const int sa = layout.SlotOf(a), sb = layout.SlotOf(b);
    if (sa < 0 || sb < 0 || a > b) continue;  // draw each cut pair once
    const ImVec2 pa = at(sa), pb = at(sb);
    dl->AddLine(pa, pb, pal.cut_link, 2.5f);
    DrawCross(dl, {(pa.x + pb.x) / 2, (pa.y + pb.y) / 2}, font * 0.35f, pal.cut_link, 3);
  }

  const std::size_t shown = std::min(world.messages.size(), kMessagesDrawnMax);
  for (std::size_t i = 0; i < shown; ++i) {
    const view::MessageView& m = world.messages[i];
    if (!state.show_heartbeats && m.kind == kafka::MessageKind::kHeartbeat) continue;
    const int sa = layout.SlotOf(m.from), sb = layout.SlotOf(m.to);
    if (sa < 0 || sb < 0) continue;
    const ImVec2 pa = at(sa), pb = at(sb);
    const ImU32 colour = MessageColour(pal, m.kind);
    dl->AddLine(pa, pb, pal.link, 1.0f);
    const float t = MessageProgress(m.sent_at, m.deliver_at, world.now);
    dl->AddCircleFilled({pa.x + (pb.x - pa.x) * t, pa.y + (pb.y - pa.y) * t}, font * 0.28f, colour);
  }

  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const int hovered_slot = hovered ? layout.NodeAt({mouse.x - origin.x, mouse.y - origin.y}) : -1;
  for (std::size_t i = 0; i < world.nodes.size(); ++i) {
    const view::NodeView& n = world.nodes[i];
    const ImVec2 c = at(static_cast<int>(i));
    dl->AddCircleFilled(c, r, RoleColour(pal, n));
    if (n.active_controller || n.quorum_leader) dl->AddCircle(c, r + 3, pal.leader_ring, 0, 4);
    if (n.name == state.selected_node) dl->AddCircle(c, r + 7, pal.text, 0, 2);
    if (static_cast<int>(i) == hovered_slot) dl->AddCircle(c, r, pal.text, 0, 2);
    if (n.state != NodeState::kRunning) DrawCross(dl, c, r * 0.6f, pal.bad, 4);
    const std::string role = RoleLine(n);
    const ImVec2 name_size = ImGui::CalcTextSize(n.name.c_str());
    dl->AddText({c.x - name_size.x / 2, c.y + r + 2}, pal.text, n.name.c_str());
    const ImVec2 role_size = ImGui::CalcTextSize(role.c_str());
    dl->AddText({c.x - role_size.x / 2, c.y + r + 2 + font},
                n.state == NodeState::kRunning ? pal.dim_text : pal.bad, role.c_str());
  }
  if (!world.partition_groups.empty()) {
    std::string groups = "network partition:";
    for (const auto& group : world.partition_groups) {
      groups += " [";
      for (NodeIndex idx : group) {
        const int slot = layout.SlotOf(idx);
        if (slot >= 0) groups += " " + world.nodes[static_cast<std::size_t>(slot)].name;
      }
      groups += " ]";
    }
    dl->AddText({origin.x + 6, origin.y + 4}, pal.warn, groups.c_str());
  }
  DrawLegend(pal, dl, {origin.x + 6, origin.y + size.y - font * 1.3f});

  if (hovered_slot >= 0) {
    const view::NodeView& n = world.nodes[static_cast<std::size_t>(hovered_slot)];
    ImGui::BeginTooltip();
    ImGui::Text("%s (id %d) %s", n.name.c_str(), n.id, NodeStateName(n.state));
    if (n.role == view::NodeRole::kBroker || n.role == view::NodeRole::kCombined) {
      ImGui::Text("leader of %d partitions%s", n.leader_count, n.fenced ? ", fenced" : "");
    }
    if (!n.rack.empty()) ImGui::Text("rack %s", n.rack.c_str());
    ImGui::TextDisabled("left click: select, right click: crash / cut / isolate");
    ImGui::EndTooltip();
  }
  if (hovered && ImGui::IsMouseClicked(0)) {
    state.selected_node =
        hovered_slot >= 0 ? world.nodes[static_cast<std::size_t>(hovered_slot)].name : "";
  }
  if (hovered && ImGui::IsMouseClicked(1)) {
    state.context_node =
        hovered_slot >= 0 ? world.nodes[static_cast<std::size_t>(hovered_slot)].name : "";
    ImGui::OpenPopup("node_menu");
  }
  ContextMenu(world, state, queue);
}

}  // namespace kafkasim::gui::cluster_map
