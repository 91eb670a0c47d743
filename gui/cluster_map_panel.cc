// Cluster map: nodes in rows by role, cut links, messages in flight moving along their links
// (their speed follows the play speed), and a right-click menu to inject faults. In ZooKeeper
// mode the ensemble's servers with their state, each broker's session to the server it talks
// to, and a banner while the ensemble has no quorum; consumer groups' coordinators badged.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "gui/cluster_layout.h"
#include "gui/groups_model.h"
#include "gui/panels.h"
#include "gui/style.h"
#include "gui/zookeeper_model.h"
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

// A ZooKeeper server's QuorumPeer state: LOOKING, FOLLOWING or LEADING.
std::string ZooKeeperState(const view::WorldView& world, const view::NodeView& n) {
  for (const view::VoterView& v : world.quorum.voters) {
    if (v.node == n.name) return v.role;
  }
  return "";
}

std::string RoleLine(const view::WorldView& world, const view::NodeView& n) {
  if (n.state == NodeState::kCrashed) return "CRASHED";
  if (n.state == NodeState::kKilled) return "KILLED";
  if (n.state == NodeState::kStopped) return "stopped";
  if (n.role == view::NodeRole::kZooKeeper) return ZooKeeperState(world, n);
  if (n.active_controller) return "active ctrl";
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

// A line drawn in dashes, for links that are not (or no longer) working.
void DashedLine(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 colour, float thickness, float dash) {
  const float dx = b.x - a.x, dy = b.y - a.y;
  const float length = std::sqrt(dx * dx + dy * dy);
  if (length < 1) return;
  for (float t = 0; t < length; t += dash * 2) {
    const float e = std::min(t + dash, length);
    dl->AddLine({a.x + dx * t / length, a.y + dy * t / length},
                {a.x + dx * e / length, a.y + dy * e / length}, colour, thickness);
  }
}

void DrawLegend(const view::WorldView& world, const Palette& p, ImDrawList* dl, ImVec2 at) {
  const std::pair<const char*, ImU32> kinds[] = {
      {"produce", p.produce},     {"fetch", p.fetch},       {"vote", p.vote},
      {"heartbeat", p.heartbeat}, {"metadata", p.metadata}, {"cut link", p.cut_link}};
  const float r = ImGui::GetFontSize() * 0.3f;
  for (const auto& [label, colour] : kinds) {
    dl->AddCircleFilled({at.x + r, at.y + ImGui::GetFontSize() * 0.5f}, r, colour);
    dl->AddText({at.x + 3 * r, at.y}, p.text, label);
    at.x += 3 * r + ImGui::CalcTextSize(label).x + 2 * r;
  }
  if (world.quorum.mode != "zookeeper") return;
  const float y = at.y + ImGui::GetFontSize() * 0.5f;
  dl->AddLine({at.x, y}, {at.x + 4 * r, y}, p.zookeeper, 2.0f);
  dl->AddText({at.x + 5 * r, at.y}, p.text, "zk session");
  at.x += 6 * r + ImGui::CalcTextSize("zk session").x;
  DashedLine(dl, {at.x, y}, {at.x + 6 * r, y}, p.warn, 2.0f, r);
  dl->AddText({at.x + 7 * r, at.y}, p.text, "lost or expiring");
}

void LabelAt(ImDrawList* dl, const Palette& pal, ImVec2 at, ImU32 colour, const std::string& text) {
  const ImVec2 size = ImGui::CalcTextSize(text.c_str());
  const ImVec2 min{at.x - size.x / 2 - 3, at.y - size.y / 2 - 1};
  dl->AddRectFilled(min, {min.x + size.x + 6, min.y + size.y + 2}, pal.background, 3);
  dl->AddText({min.x + 3, min.y + 1}, colour, text.c_str());
}

// Each broker's ZooKeeper session: a solid line to the server it is connected to; dashed, with
// what is wrong, while it reconnects, after it expired, or while its broker is down and the
// ensemble keeps the session (and the broker's ephemeral /brokers/ids/<id>) until it expires.
template <typename At>
void DrawSessions(const view::WorldView& world, const ClusterLayout& layout, const Palette& pal,
                  ImDrawList* dl, At at) {
  const float font = ImGui::GetFontSize();
  for (const view::ZkSessionView& s : world.zookeeper.sessions) {
    const int sc = layout.SlotOf(s.client), ss = layout.SlotOf(s.server);
    if (sc < 0 || ss < 0) continue;
    const ImVec2 a = at(sc), b = at(ss);
    const SessionLink link = ClassifySession(s);
    if (link == SessionLink::kConnected) {
      dl->AddLine(a, b, pal.zookeeper, 2.0f);
      continue;
    }
    const ImU32 colour = link == SessionLink::kExpired    ? pal.bad
                         : link == SessionLink::kOrphaned ? pal.warn
                                                          : pal.dim_text;
    DashedLine(dl, a, b, colour, 2.0f, font * 0.4f);
    // A short link has no room between the two nodes' labels: the broker's tooltip says it.
    if (std::hypot(b.x - a.x, b.y - a.y) < font * 8) continue;
    LabelAt(dl, pal, {(a.x + b.x) / 2, (a.y + b.y) / 2}, colour, SessionLinkLabel(s));
  }
}

// Banners on the line kept at the top: no ZooKeeper quorum, then the network partition.
void DrawBanners(const view::WorldView& world, const ClusterLayout& layout, const Palette& pal,
                 ImDrawList* dl, ImVec2 origin) {
  ImVec2 at{origin.x + 6, origin.y + 4};
  if (world.quorum.mode == "zookeeper" && !world.quorum.has_quorum) {
    int up = 0;
    for (const view::VoterView& v : world.quorum.voters) up += v.alive ? 1 : 0;
    const std::size_t n = world.quorum.voters.size();
    const std::string text =
        fmt::format("NO QUORUM: {} of {} ZooKeeper servers up, {} needed", up, n, n / 2 + 1);
    const ImVec2 size = ImGui::CalcTextSize(text.c_str());
    dl->AddRectFilled({at.x - 3, at.y - 2}, {at.x + size.x + 3, at.y + size.y + 2}, pal.bad, 3);
    dl->AddText(at, IM_COL32(255, 255, 255, 255), text.c_str());
    at.x += size.x + ImGui::GetFontSize();
  }
  if (world.partition_groups.empty()) return;
  std::string groups = "network partition:";
  for (const auto& group : world.partition_groups) {
    groups += " [";
    for (NodeIndex idx : group) {
      const int slot = layout.SlotOf(idx);
      if (slot >= 0) groups += " " + world.nodes[static_cast<std::size_t>(slot)].name;
    }
    groups += " ]";
  }
  dl->AddText(at, pal.warn, groups.c_str());
}

// A small filled label under a broker's role line: the groups it coordinates.
void DrawBadge(ImDrawList* dl, const Palette& pal, ImVec2 top_centre, const std::string& text) {
  const ImVec2 size = ImGui::CalcTextSize(text.c_str());
  const ImVec2 min{top_centre.x - size.x / 2 - 4, top_centre.y};
  dl->AddRectFilled(min, {min.x + size.x + 8, min.y + size.y}, pal.controller, size.y * 0.3f);
  dl->AddText({min.x + 4, min.y}, IM_COL32(255, 255, 255, 255), text.c_str());
}

void DrawNodes(const view::WorldView& world, const GuiState& state, const ClusterLayout& layout,
               int hovered_slot, ImDrawList* dl, ImVec2 origin) {
  const Palette& pal = CurrentPalette(state);
  const float font = ImGui::GetFontSize();
  const float r = layout.radius;
  const std::map<int, std::vector<std::string>> coordinated = CoordinatedGroups(world);
  for (std::size_t i = 0; i < world.nodes.size(); ++i) {
    const view::NodeView& n = world.nodes[i];
    const Point p = layout.centers[i];
    const ImVec2 c{origin.x + p.x, origin.y + p.y};
    dl->AddCircleFilled(c, r, RoleColour(pal, n));
    if (n.active_controller || n.quorum_leader) dl->AddCircle(c, r + 3, pal.leader_ring, 0, 4);
    if (n.name == state.selected_node) dl->AddCircle(c, r + 7, pal.text, 0, 2);
    if (static_cast<int>(i) == hovered_slot) dl->AddCircle(c, r, pal.text, 0, 2);
    if (n.state != NodeState::kRunning) DrawCross(dl, c, r * 0.6f, pal.bad, 4);
    const std::string role = RoleLine(world, n);
    const ImVec2 name_size = ImGui::CalcTextSize(n.name.c_str());
    dl->AddText({c.x - name_size.x / 2, c.y + r + 2}, pal.text, n.name.c_str());
    const ImVec2 role_size = ImGui::CalcTextSize(role.c_str());
    const bool looking = n.role == view::NodeRole::kZooKeeper && role == "LOOKING";
    dl->AddText({c.x - role_size.x / 2, c.y + r + 2 + font},
                n.state != NodeState::kRunning ? pal.bad
                : looking                      ? pal.warn
                                               : pal.dim_text,
                role.c_str());
    const bool broker = n.role == view::NodeRole::kBroker || n.role == view::NodeRole::kCombined;
    const auto groups = coordinated.find(n.id);
    if (broker && groups != coordinated.end()) {
      DrawBadge(dl, pal, {c.x, c.y + r + 2 + font * 2}, CoordinatorBadge(groups->second));
    }
  }
}

void NodeTooltip(const view::WorldView& world, const view::NodeView& n) {
  ImGui::BeginTooltip();
  ImGui::Text("%s (id %d) %s", n.name.c_str(), n.id, NodeStateName(n.state));
  if (n.role == view::NodeRole::kBroker || n.role == view::NodeRole::kCombined) {
    ImGui::Text("leader of %d partitions%s", n.leader_count, n.fenced ? ", fenced" : "");
    for (const view::ZkSessionView& s : world.zookeeper.sessions) {
      if (s.client == n.index) ImGui::Text("ZooKeeper: %s", SessionLinkLabel(s).c_str());
    }
    for (const view::GroupView& g : world.groups) {
      if (g.coordinator == n.id) {
        ImGui::Text("coordinator of group %s (leads __consumer_offsets-%d)", g.group_id.c_str(),
                    g.offsets_partition);
      }
    }
  }
  if (n.role == view::NodeRole::kZooKeeper) {
    for (const view::VoterView& v : world.quorum.voters) {
      if (v.node != n.name || !v.alive) continue;
      ImGui::Text("myid %d, %s, epoch %lld, last zxid 0x%llx", v.id, v.role.c_str(),
                  static_cast<long long>(v.epoch),
                  static_cast<unsigned long long>(v.high_watermark));
    }
    int sessions = 0;
    for (const view::ZkSessionView& s : world.zookeeper.sessions) {
      sessions += s.server == n.index && s.connected ? 1 : 0;
    }
    ImGui::Text("%d client sessions connected here", sessions);
  }
  if (!n.rack.empty()) ImGui::Text("rack %s", n.rack.c_str());
  ImGui::TextDisabled("left click: select, right click: crash / restart / cut / isolate");
  ImGui::EndTooltip();
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

  const ClusterLayout layout = LayoutMap(world, size.x, size.y, font);
  auto at = [&](int slot) {
    const Point c = layout.centers[static_cast<std::size_t>(slot)];
    return ImVec2(origin.x + c.x, origin.y + c.y);
  };

  for (const auto& [a, b] : world.cut_links) {
    const int sa = layout.SlotOf(a), sb = layout.SlotOf(b);
    if (sa < 0 || sb < 0 || a > b) continue;  // draw each cut pair once
    const ImVec2 pa = at(sa), pb = at(sb);
    dl->AddLine(pa, pb, pal.cut_link, 2.5f);
    DrawCross(dl, {(pa.x + pb.x) / 2, (pa.y + pb.y) / 2}, font * 0.35f, pal.cut_link, 3);
  }
  DrawSessions(world, layout, pal, dl, at);

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
  DrawNodes(world, state, layout, hovered_slot, dl, origin);
  DrawBanners(world, layout, pal, dl, origin);
  DrawLegend(world, pal, dl, {origin.x + 6, origin.y + size.y - font * 1.3f});

  if (hovered_slot >= 0) NodeTooltip(world, world.nodes[static_cast<std::size_t>(hovered_slot)]);
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
