// Cluster map: nodes in rows by role, cut links, messages in flight moving along their links
// (their speed follows the play speed), and a right-click menu to inject faults. In ZooKeeper
// mode the ensemble's servers with their state, each broker's session to the server it talks
// to, and a banner while the ensemble has no quorum; consumer groups' coordinators badged.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gui/cluster_layout.h"
#include "gui/groups_model.h"
#include "gui/panels.h"
#include "gui/replica_map_model.h"
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

void DrawCross(ImDrawList* dl, ImVec2 c, float r, ImU32 colour, float thickness) {
  dl->AddLine({c.x - r, c.y - r}, {c.x + r, c.y + r}, colour, thickness);
  dl->AddLine({c.x - r, c.y + r}, {c.x + r, c.y - r}, colour, thickness);
}

void ContextMenu(const view::WorldView& world, GuiState& state, CommandQueue& queue) {
  if (!ImGui::BeginPopup("node_menu")) return;
  const std::string& name = state.context_node;
  auto it = std::find_if(world.nodes.begin(), world.nodes.end(),
                         [&](const view::NodeView& n) { return n.name == name; });
  if (it != world.nodes.end() && it->external()) {
    // Not a node of the simulation: nothing here can crash or cut it.
    ImGui::TextUnformatted(name.c_str());
    ImGui::Separator();
    ImGui::TextDisabled("a real client (--listen): stop it where it runs");
  } else if (it != world.nodes.end()) {
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

float DistanceToSegment(Point p, Point a, Point b) {
  const float dx = b.x - a.x, dy = b.y - a.y;
  const float len2 = dx * dx + dy * dy;
  const float t =
      len2 <= 0 ? 0 : std::clamp(((p.x - a.x) * dx + (p.y - a.y) * dy) / len2, 0.0f, 1.0f);
  const float ex = a.x + t * dx - p.x, ey = a.y + t * dy - p.y;
  return std::sqrt(ex * ex + ey * ey);
}

// MirrorMaker 2 flows between the cluster bands: a solid arrow while it copies, dashed in the
// fault colour when its worker is down or cut off; its label on the target band's title line.
void DrawMirrorArrows(const std::vector<MirrorArrow>& arrows, const Palette& pal, ImDrawList* dl,
                      ImVec2 origin, float font) {
  for (std::size_t i = 0; i < arrows.size(); ++i) {
    const MirrorArrow& a = arrows[i];
    const ImVec2 from{origin.x + a.from.x, origin.y + a.from.y};
    const ImVec2 to{origin.x + a.to.x, origin.y + a.to.y};
    const ImU32 colour = a.broken ? pal.bad : pal.produce;
    if (a.broken) {
      DashedLine(dl, from, to, colour, 2.5f, font * 0.4f);
    } else {
      dl->AddLine(from, to, colour, 2.5f);
    }
    const float dx = to.x - from.x, dy = to.y - from.y;
    const float len = std::max(std::sqrt(dx * dx + dy * dy), 1.0f);
    const float ux = dx / len, uy = dy / len, head = font * 0.5f;
    dl->AddTriangleFilled(
        to, {to.x - ux * head - uy * head * 0.6f, to.y - uy * head + ux * head * 0.6f},
        {to.x - ux * head + uy * head * 0.6f, to.y - uy * head - ux * head * 0.6f}, colour);
    // The label on the target band's title line, right of the band's name: "MirrorMaker 2
    // from us-east: lag 3, 1200 copied", shortened to what the room takes.
    const float room =
        a.label_right.x - a.label_left - ImGui::CalcTextSize(a.target.c_str()).x - font;
    std::string text = "MirrorMaker 2 " + a.label;
    if (ImGui::CalcTextSize(text.c_str()).x > room) text = a.label;
    if (ImGui::CalcTextSize(text.c_str()).x > room) text = FitLabel(a.label, room);
    const ImVec2 size = ImGui::CalcTextSize(text.c_str());
    const ImVec2 at{origin.x + a.label_right.x - size.x, origin.y + a.label_right.y};
    dl->AddText(at, a.broken ? pal.bad : pal.produce, text.c_str());
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

// --listen: a line from each real client to every broker it has a connection to, in the
// client colour, so the links stay apart from the simulated traffic's.
void DrawExternalLinks(const view::WorldView& world, const ClusterLayout& layout,
                       const Palette& pal, ImDrawList* dl, ImVec2 origin) {
  for (std::size_t i = 0; i < world.nodes.size(); ++i) {
    const view::NodeView& client = world.nodes[i];
    if (!client.external()) continue;
    for (int broker_id : client.external_brokers) {
      for (std::size_t k = 0; k < world.nodes.size(); ++k) {
        const view::NodeView& b = world.nodes[k];
        const bool broker =
            b.role == view::NodeRole::kBroker || b.role == view::NodeRole::kCombined;
        if (!broker || b.id != broker_id) continue;
        const Point ca = layout.centers[i], cb = layout.centers[k];
        const Point ea = layout.EdgeToward(static_cast<int>(i), cb);
        const Point eb = layout.EdgeToward(static_cast<int>(k), ca);
        dl->AddLine({origin.x + ea.x, origin.y + ea.y}, {origin.x + eb.x, origin.y + eb.y},
                    (pal.client & 0x00FFFFFFu) | 0xA0000000u, 1.5f);
      }
    }
  }
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
    // From the edge of the broker's box to the edge of the server's circle.
    const ImVec2 ca = at(sc);
    const ImVec2 origin{ca.x - layout.centers[static_cast<std::size_t>(sc)].x,
                        ca.y - layout.centers[static_cast<std::size_t>(sc)].y};
    const Point ea = layout.EdgeToward(sc, layout.centers[static_cast<std::size_t>(ss)]);
    const Point eb = layout.EdgeToward(ss, layout.centers[static_cast<std::size_t>(sc)]);
    const ImVec2 a{origin.x + ea.x, origin.y + ea.y}, b{origin.x + eb.x, origin.y + eb.y};
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
  if (world.quorum.mode == "kraft" && !world.quorum.voters.empty() &&
      (!world.quorum.has_quorum || world.quorum.leader_id < 0)) {
    int up = 0;
    for (const view::VoterView& v : world.quorum.voters) up += v.alive ? 1 : 0;
    const std::size_t n = world.quorum.voters.size();
    const std::string text =
        !world.quorum.has_quorum
            ? fmt::format("NO QUORUM: {} of {} controllers up, {} needed: no metadata changes", up,
                          n, n / 2 + 1)
            : fmt::format("NO LEADER: the KRaft quorum is electing ({} of {} controllers up)", up,
                          n);
    const ImVec2 size = ImGui::CalcTextSize(text.c_str());
    const ImU32 fill = world.quorum.has_quorum ? pal.warn : pal.bad;
    dl->AddRectFilled({at.x - 3, at.y - 2}, {at.x + size.x + 3, at.y + size.y + 2}, fill, 3);
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

// The replica chips of one broker's box, and which chip the mouse is over.
struct ChipHover {
  std::optional<ReplicaChip> chip;  // a copy: the chips live only while the boxes are drawn
  std::string broker;
  bool more = false;
  std::size_t hidden = 0;
};

void DrawHatch(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 colour, float step) {
  // Diagonal lines clipped to the rectangle [a, b].
  dl->PushClipRect(a, b, true);
  for (float x = a.x - (b.y - a.y); x < b.x; x += step) {
    dl->AddLine({x, b.y}, {x + (b.y - a.y), a.y}, colour, 1.0f);
  }
  dl->PopClipRect();
}

void DashedRect(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 colour, float thickness, float dash) {
  DashedLine(dl, a, {b.x, a.y}, colour, thickness, dash);
  DashedLine(dl, {b.x, a.y}, b, colour, thickness, dash);
  DashedLine(dl, b, {a.x, b.y}, colour, thickness, dash);
  DashedLine(dl, {a.x, b.y}, a, colour, thickness, dash);
}

// One chip, its state by shape as well as colour: a leader filled, an in-sync follower
// outlined, an out-of-sync follower dashed and hatched with its lag, an ELR member double
// outlined, an offline replica greyed and struck through.
void DrawChip(ImDrawList* dl, const Palette& pal, const ReplicaChip& chip, const std::string& text,
              ImVec2 a, ImVec2 b, bool selected, bool hovered) {
  const float font = ImGui::GetFontSize();
  const float round = font * 0.2f;
  ImU32 text_colour = pal.text;
  switch (chip.kind) {
    case ChipKind::kLeader:
      dl->AddRectFilled(a, b, pal.broker, round);
      text_colour = IM_COL32(255, 255, 255, 255);
      break;
    case ChipKind::kInSync:
      dl->AddRect(a, b, pal.broker, round, 0, 1.5f);
      break;
    case ChipKind::kEligible:
      dl->AddRect(a, b, pal.controller, round, 0, 1.5f);
      dl->AddRect({a.x + 2.5f, a.y + 2.5f}, {b.x - 2.5f, b.y - 2.5f}, pal.controller, round, 0,
                  1.0f);
      break;
    case ChipKind::kOutOfSync:
      DrawHatch(dl, a, b, (pal.warn & 0x00FFFFFFu) | 0x50000000u, font * 0.4f);
      DashedRect(dl, a, b, pal.warn, 1.5f, font * 0.25f);
      break;
    case ChipKind::kOffline:
      dl->AddRect(a, b, pal.dim_text, round, 0, 1.0f);
      text_colour = pal.dim_text;
      break;
  }
  const ImVec2 size = ImGui::CalcTextSize(text.c_str());
  dl->AddText({(a.x + b.x - size.x) / 2, (a.y + b.y - size.y) / 2}, text_colour, text.c_str());
  if (chip.kind == ChipKind::kOffline) dl->AddLine({a.x, b.y}, {b.x, a.y}, pal.dim_text, 1.0f);
  if (selected) dl->AddRect({a.x - 2, a.y - 2}, {b.x + 2, b.y + 2}, pal.highlight, round, 0, 2.5f);
  if (hovered) dl->AddRect(a, b, pal.text, round, 0, 1.0f);
}

// No more chips than could possibly fit in `area` (each at least a one-digit chip wide), plus
// one: a broker of a 500-partition topic makes and measures a few dozen chips, not hundreds.
std::size_t ChipsFitMax(const Rect& area) {
  const float font = ImGui::GetFontSize();
  const float pad = font * 0.35f;
  const float chip_h = font * 1.25f, gap = font * 0.25f;
  const float narrowest = ImGui::CalcTextSize("0").x + pad * 2;
  const float per_row = std::floor((area.x1 - area.x0 + gap) / (narrowest + gap));
  const float rows = std::floor((area.y1 - area.y0 + gap) / (chip_h + gap));
  return static_cast<std::size_t>(std::max(per_row * rows, 0.0f)) + 1;
}

void DrawBrokerChips(const view::NodeView& n, const BrokerChips& held, const Rect& area,
                     bool one_topic, const GuiState& state, ImVec2 origin, ImVec2 mouse,
                     bool canvas_hovered, ImDrawList* dl, ChipHover* hover) {
  const Palette& pal = CurrentPalette(state);
  const float font = ImGui::GetFontSize();
  const float pad = font * 0.35f;
  const float chip_h = font * 1.25f, gap = font * 0.25f;
  const std::vector<ReplicaChip>& chips = held.chips;
  const std::size_t measured = std::min(chips.size(), ChipsFitMax(area));
  std::vector<std::string> texts;
  std::vector<float> widths;
  texts.reserve(measured);
  widths.reserve(measured);
  for (std::size_t i = 0; i < measured; ++i) {
    texts.push_back(ChipText(chips[i], one_topic));
    widths.push_back(ImGui::CalcTextSize(texts.back().c_str()).x + pad * 2);
  }
  // The summary chip says "+75 more"; in a box too narrow for that (20 brokers in the default
  // window) it says "+75", so that a box never hides its replicas without a word.
  bool short_more = false;
  const auto more_text = [&short_more](std::size_t hidden) {
    return short_more ? fmt::format("+{}", hidden) : MoreChipText(hidden);
  };
  ChipPlacement placed = PlaceChips(area, widths, chip_h, gap,
                                    ImGui::CalcTextSize(more_text(held.total).c_str()).x + pad * 2);
  if (placed.chips.empty() && placed.more.empty() && held.total > 0) {
    short_more = true;
    placed = PlaceChips(area, widths, chip_h, gap,
                        ImGui::CalcTextSize(more_text(held.total).c_str()).x + pad * 2);
  }
  placed.hidden += held.total - measured;
  const Point m{mouse.x - origin.x, mouse.y - origin.y};
  for (std::size_t i = 0; i < placed.chips.size(); ++i) {
    const Rect& r = placed.chips[i];
    const bool over = canvas_hovered && r.Contains(m);
    if (over) {
      hover->chip = chips[i];
      hover->broker = n.name;
    }
    DrawChip(dl, pal, chips[i], texts[i], {origin.x + r.x0, origin.y + r.y0},
             {origin.x + r.x1, origin.y + r.y1}, chips[i].partition == state.selected_partition,
             over);
  }
  if (placed.hidden > 0 && !placed.more.empty()) {
    const Rect& r = placed.more;
    const ImVec2 a{origin.x + r.x0, origin.y + r.y0}, b{origin.x + r.x1, origin.y + r.y1};
    dl->AddRectFilled(a, b, pal.link, font * 0.2f);
    const std::string text = more_text(placed.hidden);
    const ImVec2 size = ImGui::CalcTextSize(text.c_str());
    dl->AddText({(a.x + b.x - size.x) / 2, (a.y + b.y - size.y) / 2}, pal.text, text.c_str());
    if (canvas_hovered && r.Contains(m)) {
      hover->more = true;
      hover->hidden = placed.hidden;
      hover->broker = n.name;
    }
  }
}

// A node's name on the map: within its cluster's band, without the cluster ("broker-1" for
// "us-east/broker-1"; the band names the cluster). The tooltip has the full name.
std::string ShownName(const view::NodeView& n) {
  if (!n.cluster.empty() && n.name.rfind(n.cluster + "/", 0) == 0) {
    return n.name.substr(n.cluster.size() + 1);
  }
  return n.name;
}

// A broker of the compact map: a square in its state's colour with its id, struck through and
// dashed when down, hatched when fenced, ringed as active controller, selected or hovered.
void DrawTile(const view::NodeView& n, const Palette& pal, const Rect& tile, bool selected,
              bool hovered, ImDrawList* dl, ImVec2 origin) {
  const float font = ImGui::GetFontSize();
  const ImVec2 a{origin.x + tile.x0, origin.y + tile.y0}, b{origin.x + tile.x1, origin.y + tile.y1};
  const float side = b.x - a.x;
  const float round = std::min(font * 0.25f, side * 0.2f);
  const bool up = n.state == NodeState::kRunning;
  dl->AddRectFilled(a, b, up ? RoleColour(pal, n) : IM_COL32(0, 0, 0, 60), round);
  if (up && n.fenced) DrawHatch(dl, a, b, pal.background, std::max(3.0f, side * 0.25f));
  if (!up) {
    DashedRect(dl, a, b, pal.bad, 1.5f, std::max(2.0f, side * 0.2f));
    DrawCross(dl, {(a.x + b.x) / 2, (a.y + b.y) / 2}, side * 0.3f, pal.bad, 2.0f);
  }
  if (n.active_controller || n.quorum_leader) {
    dl->AddRect({a.x - 2, a.y - 2}, {b.x + 2, b.y + 2}, pal.leader_ring, round, 0, 2.5f);
  }
  if (selected) dl->AddRect({a.x - 4, a.y - 4}, {b.x + 4, b.y + 4}, pal.text, round, 0, 2);
  if (hovered) dl->AddRect(a, b, pal.text, round, 0, 1.5f);
  const std::string id = std::to_string(n.id);
  const ImVec2 size = ImGui::CalcTextSize(id.c_str());
  if (up && size.x <= side - 2 && size.y <= side) {
    dl->AddText({(a.x + b.x - size.x) / 2, (a.y + b.y - size.y) / 2}, pal.background, id.c_str());
  }
}

void DrawNodes(const view::WorldView& world, const GuiState& state, const ClusterLayout& layout,
               int hovered_slot, ImDrawList* dl, ImVec2 origin, bool canvas_hovered,
               ChipHover* hover) {
  const Palette& pal = CurrentPalette(state);
  const float font = ImGui::GetFontSize();
  const float r = layout.radius;
  const std::map<int, std::vector<std::string>> coordinated = CoordinatedGroups(world);
  // By cluster ("" with one), then broker id: broker ids repeat across clusters.
  // Only as many chips per broker as its box could show are made in full.
  std::map<std::string_view, std::map<int, BrokerChips>> chips_of;
  for (const view::NodeView& n : world.nodes) {
    if (chips_of.contains(n.cluster)) continue;
    std::map<int, std::size_t> fit;  // broker id -> chips its box could show
    for (std::size_t i = 0; i < world.nodes.size(); ++i) {
      const view::NodeView& b = world.nodes[i];
      const bool box = b.role == view::NodeRole::kBroker || b.role == view::NodeRole::kCombined;
      if (box && b.cluster == n.cluster && i < layout.chip_areas.size() &&
          !layout.IsTile(static_cast<int>(i))) {
        fit[b.id] = ChipsFitMax(layout.chip_areas[i]);
      }
    }
    if (fit.empty()) {  // tiles only (or no brokers): no chips to make
      chips_of[n.cluster];
      continue;
    }
    chips_of[n.cluster] =
        FirstReplicaChipsByBroker(world, state.map_topic, n.cluster, [&fit](int id) -> std::size_t {
          const auto it = fit.find(id);
          return it == fit.end() ? 0 : it->second;
        });
  }
  const bool one_topic = !state.map_topic.empty() && state.map_topic != kAllTopics;
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  for (std::size_t i = 0; i < world.nodes.size(); ++i) {
    const view::NodeView& n = world.nodes[i];
    const Point p = layout.centers[i];
    const ImVec2 c{origin.x + p.x, origin.y + p.y};
    const std::string role = RoleLine(world, n);
    const bool looking = n.role == view::NodeRole::kZooKeeper && role == "LOOKING";
    const ImU32 role_colour = n.state != NodeState::kRunning ? pal.bad
                              : looking                      ? pal.warn
                                                             : pal.dim_text;
    const bool broker = n.role == view::NodeRole::kBroker || n.role == view::NodeRole::kCombined;
    const auto groups = coordinated.find(n.id);
    if (layout.IsTile(static_cast<int>(i))) {
      DrawTile(n, pal, layout.boxes[i], n.name == state.selected_node,
               static_cast<int>(i) == hovered_slot, dl, origin);
      continue;
    }
    if (layout.IsBox(static_cast<int>(i))) {
      const Rect& box = layout.boxes[i];
      const ImVec2 a{origin.x + box.x0, origin.y + box.y0}, b{origin.x + box.x1, origin.y + box.y1};
      const bool up = n.state == NodeState::kRunning;
      dl->AddRectFilled(a, b, up ? IM_COL32(255, 255, 255, 14) : IM_COL32(0, 0, 0, 60),
                        font * 0.3f);
      const ImU32 border = RoleColour(pal, n);
      if (up) {
        dl->AddRect(a, b, border, font * 0.3f, 0, 2.0f);
      } else {
        DashedRect(dl, a, b, pal.bad, 2.0f, font * 0.4f);
      }
      if (n.active_controller || n.quorum_leader) {
        dl->AddRect({a.x - 3, a.y - 3}, {b.x + 3, b.y + 3}, pal.leader_ring, font * 0.3f, 0, 3);
      }
      if (n.name == state.selected_node) {
        dl->AddRect({a.x - 6, a.y - 6}, {b.x + 6, b.y + 6}, pal.text, font * 0.3f, 0, 2);
      }
      if (static_cast<int>(i) == hovered_slot && !hover->chip && !hover->more) {
        dl->AddRect(a, b, pal.text, font * 0.3f, 0, 1.5f);
      }
      const float x = a.x + font * 0.35f;
      dl->PushClipRect(a, b, true);
      const std::string shown = ShownName(n);
      dl->AddText({x, a.y + 2}, pal.text, shown.c_str());
      const float name_w = ImGui::CalcTextSize(shown.c_str()).x;
      if (!up)
        DrawCross(dl, {x + name_w + font * 0.6f, a.y + 2 + font * 0.5f}, font * 0.3f, pal.bad,
                  2.5f);
      // A cramped box (many brokers, a large font) keeps one title line: the role follows the
      // name there.
      const bool one_line = layout.chip_areas[i].y0 - box.y0 < font * 2;
      if (one_line) {
        // The role takes what the line has left, short of the coordinator badge at its end.
        const float role_x = x + name_w + font * (up ? 0.5f : 1.2f);
        float right = b.x - font * 0.3f;
        if (broker && groups != coordinated.end()) {
          const std::string badge = fmt::format("coord {}", groups->second.size());
          right -= ImGui::CalcTextSize(badge.c_str()).x + 8 + font * 0.3f;
        }
        // Whole or not at all: a role cut to its end ("ds 18" of "leads 18") reads as nonsense;
        // the tooltip says it.
        if (ImGui::CalcTextSize(role.c_str()).x <= right - role_x) {
          dl->AddText({role_x, a.y + 2}, role_colour, role.c_str());
        }
      } else {
        dl->AddText({x, a.y + 2 + font}, role_colour, role.c_str());
      }
      dl->PopClipRect();
      if (broker && groups != coordinated.end()) {
        // Under the title, or at the title line's right end in a cramped box.
        // A cramped box says only how many groups (the tooltip names them).
        const std::string badge = one_line ? fmt::format("coord {}", groups->second.size())
                                           : CoordinatorBadge(groups->second);
        const float badge_w = ImGui::CalcTextSize(badge.c_str()).x + 8;
        DrawBadge(dl, pal,
                  one_line ? ImVec2{b.x - badge_w / 2 - font * 0.3f, a.y + 2}
                           : ImVec2{(a.x + b.x) / 2, a.y + 2 + font * 2},
                  badge);
      }
      const std::map<int, BrokerChips>& chips = chips_of[n.cluster];
      const auto held = chips.find(n.id);
      if (held != chips.end()) {
        DrawBrokerChips(n, held->second, layout.chip_areas[i], one_topic, state, origin, mouse,
                        canvas_hovered, dl, hover);
      }
      continue;
    }
    dl->AddCircleFilled(c, r, RoleColour(pal, n));
    if (n.active_controller || n.quorum_leader) dl->AddCircle(c, r + 3, pal.leader_ring, 0, 4);
    if (n.name == state.selected_node) dl->AddCircle(c, r + 7, pal.text, 0, 2);
    if (static_cast<int>(i) == hovered_slot) dl->AddCircle(c, r, pal.text, 0, 2);
    if (n.state != NodeState::kRunning) DrawCross(dl, c, r * 0.6f, pal.bad, 4);
    // Labels keep to their slot of the row (the full name is in the tooltip).
    const float room = layout.label_room[i];
    const std::string name = FitLabel(ShownName(n), room);
    const ImVec2 name_size = ImGui::CalcTextSize(name.c_str());
    dl->AddText({c.x - name_size.x / 2, c.y + r + 2}, pal.text, name.c_str());
    if (layout.label_lines < 2) continue;  // a short canvas: the role is in the tooltip
    const std::string role_text = FitLabel(role, room);
    const ImVec2 role_size = ImGui::CalcTextSize(role_text.c_str());
    dl->AddText({c.x - role_size.x / 2, c.y + r + 2 + font}, role_colour, role_text.c_str());
    if (broker && groups != coordinated.end() && layout.label_lines >= 3) {
      DrawBadge(dl, pal, {c.x, c.y + r + 2 + font * 2}, CoordinatorBadge(groups->second));
    }
  }
}

void NodeTooltip(const view::WorldView& world, const view::NodeView& n) {
  ImGui::BeginTooltip();
  if (n.external()) {
    ImGui::Text("%s: a real client through the gateway", n.name.c_str());
    for (const std::string& c : n.external_connections) ImGui::Text("%s", c.c_str());
    ImGui::TextDisabled("its requests travel from the external-client node");
    ImGui::EndTooltip();
    return;
  }
  ImGui::Text("%s (id %d) %s", n.name.c_str(), n.id, NodeStateName(n.state));
  if (n.role == view::NodeRole::kBroker || n.role == view::NodeRole::kCombined) {
    ImGui::Text("leader of %d partitions%s", n.leader_count, n.fenced ? ", fenced" : "");
    // What its replica chips would list (a tile has none): counted on hover only.
    std::size_t replicas = 0, in_isr = 0;
    for (const view::TopicView& t : world.topics) {
      if (!n.cluster.empty() && t.name.rfind(n.cluster + "/", 0) != 0) continue;
      for (const view::PartitionView& p : t.partitions) {
        if (std::find(p.replicas.begin(), p.replicas.end(), n.id) == p.replicas.end()) continue;
        ++replicas;
        in_isr += std::find(p.isr.begin(), p.isr.end(), n.id) != p.isr.end() ? 1U : 0U;
      }
    }
    ImGui::Text("holds %zu replicas, %zu of them in their ISR", replicas, in_isr);
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

// The row above the canvas: the topic filter, the message slow motion, quiet traffic.
void DrawToolbar(const view::WorldView& world, GuiState& state) {
  const float font = ImGui::GetFontSize();
  const char* shown = state.map_topic.empty()         ? "user topics"
                      : state.map_topic == kAllTopics ? "all topics"
                                                      : state.map_topic.c_str();
  ImGui::SetNextItemWidth(font * 9);
  if (ImGui::BeginCombo("##map_topic", shown)) {
    if (ImGui::Selectable("user topics", state.map_topic.empty())) state.map_topic.clear();
    if (ImGui::Selectable("all topics", state.map_topic == kAllTopics)) {
      state.map_topic.assign(1, kAllTopics[0]);  // "*" (GCC 12 -Wrestrict misfires on `= "*"`)
    }
    for (const view::TopicView& t : world.topics) {
      if (ImGui::Selectable(t.name.c_str(), state.map_topic == t.name)) state.map_topic = t.name;
    }
    ImGui::EndCombo();
  }
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "which topics' replicas the broker boxes list (internal topics such as\n"
        "__consumer_offsets only under \"all topics\")");
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(font * 8);
  ImGui::SliderFloat("##stretch", &state.message_stretch, 1.0f, 1000.0f, "slow motion x%.0f",
                     ImGuiSliderFlags_Logarithmic);
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "messages are drawn this many times slower than the network carries them,\n"
        "so a 2 ms fetch stays on screen (x1: true speed; at most 1.5 virtual s)");
  }
  ImGui::SameLine();
  ImGui::Checkbox("heartbeats", &state.show_heartbeats);
  ImGui::SameLine();
  ImGui::Checkbox("idle fetches", &state.show_idle_fetches);
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip("fetches from a replica already at its leader's log end, and their answers");
  }
}

// Each partition's leader log end ("cities-0" -> 42), where the leader's log is readable.
std::map<std::string, std::int64_t> LeaderLogEnds(const view::WorldView& world) {
  std::map<std::string, std::int64_t> ends;
  for (const view::TopicView& t : world.topics) {
    for (const view::PartitionView& p : t.partitions) {
      for (const view::ReplicaLogView& log : p.logs) {
        if (log.broker_id == p.leader && log.online) {
          ends[fmt::format("{}-{}", p.topic, p.partition)] = log.log_end_offset;
        }
      }
    }
  }
  return ends;
}

// "Fetch cities-0 offset=42" asks for records past the leader's log end: an idle fetch.
bool IdleFetchRequest(const std::map<std::string, std::int64_t>& ends, const std::string& label) {
  if (label.rfind("Fetch ", 0) != 0) return false;
  const std::size_t at = label.find(" offset=");
  if (at == std::string::npos) return false;
  const std::string partition = label.substr(6, at - 6);
  const auto end = ends.find(partition);
  return end != ends.end() && std::atoll(label.c_str() + at + 8) >= end->second;
}

// Messages sent within the last two virtual seconds, each drawn along its link over
// `message_stretch` times its latency (at most kDisplayMax, never less than the latency): the
// map shows what the network carried, slowed so the eye can follow it. A dropped message
// stops halfway and fades under a cross. Lines only between nodes that can talk.
constexpr Duration kDisplayMax = Milliseconds(1500);
constexpr std::size_t kRecordsScannedMax = 20000;

// On a map of tiles (too many brokers for boxes) fetches and heartbeats are not drawn, only
// counted: thousands of them would bury the map. Returns how many were left out.
std::size_t DrawMessages(const view::WorldView& world, const GuiState& state,
                         const ClusterLayout& layout, ImDrawList* dl, ImVec2 origin) {
  if (state.message_log == nullptr) return 0;
  const bool tiled = layout.AnyTile();
  std::size_t left_out = 0;
  const Palette& pal = CurrentPalette(state);
  const float font = ImGui::GetFontSize();
  const auto& log = *state.message_log;
  // Hashed: up to kRecordsScannedMax records look up both their ends each frame.
  std::unordered_map<std::string_view, int> slot_of;
  for (std::size_t i = 0; i < world.nodes.size(); ++i) {
    slot_of[world.nodes[i].name] = static_cast<int>(i);
  }
  const double stretch = std::max(1.0, static_cast<double>(state.message_stretch));
  // Records are in send order: scan back from the newest to the display horizon.
  std::size_t first = log.size();
  const Time horizon = world.now - Seconds(2);  // kDisplayMax, and room for a slow link
  while (first > 0 && log.size() - first < kRecordsScannedMax &&
         log[first - 1].sent_at >= horizon) {
    --first;
  }
  struct Drawn {
    const scenario::MessageRecord* record;
    int from, to;
    float progress;
  };
  std::vector<Drawn> drawn;
  std::map<std::pair<int, int>, bool> idle_pair;  // (follower, leader) -> its last fetch idle
  std::optional<std::map<std::string, std::int64_t>> leader_ends;  // built when first needed
  for (std::size_t i = first; i < log.size(); ++i) {
    const scenario::MessageRecord& m = log[i];
    if (m.sent_at > world.now) break;
    const auto fa = slot_of.find(m.from), ta = slot_of.find(m.to);
    if (fa == slot_of.end() || ta == slot_of.end()) continue;
    bool idle = false;
    // On tiles every fetch is left out below: no need to tell idle ones apart.
    if (!tiled && !state.show_idle_fetches && m.kind == kafka::MessageKind::kFetch) {
      if (m.label.rfind("Fetch ", 0) == 0) {
        if (!leader_ends) leader_ends = LeaderLogEnds(world);
        idle = IdleFetchRequest(*leader_ends, m.label);
        idle_pair[{fa->second, ta->second}] = idle;
      } else {
        const auto it = idle_pair.find({ta->second, fa->second});
        idle = it != idle_pair.end() && it->second;
      }
    }
    if (!state.show_idle_fetches && idle) continue;
    if (!state.show_heartbeats && m.kind == kafka::MessageKind::kHeartbeat) continue;
    const Duration latency = std::max(m.deliver_at - m.sent_at, Milliseconds(1));
    const auto stretched = Duration{static_cast<std::int64_t>(
        std::min(static_cast<double>(latency.ns) * stretch, static_cast<double>(kDisplayMax.ns)))};
    const Duration shown = std::max(stretched, latency);
    const float t = static_cast<float>(static_cast<double>((world.now - m.sent_at).ns) /
                                       static_cast<double>(shown.ns));
    if (t >= 1.0f) continue;
    if (tiled &&
        (m.kind == kafka::MessageKind::kFetch || m.kind == kafka::MessageKind::kHeartbeat)) {
      ++left_out;
      continue;
    }
    drawn.push_back({&m, fa->second, ta->second, t});
  }
  if (drawn.size() > kMessagesDrawnMax) {
    drawn.erase(drawn.begin(), drawn.end() - static_cast<std::ptrdiff_t>(kMessagesDrawnMax));
  }
  auto at = [&](Point p) { return ImVec2(origin.x + p.x, origin.y + p.y); };
  auto running = [&](int slot) {
    return world.nodes[static_cast<std::size_t>(slot)].state == NodeState::kRunning;
  };
  auto cut = [&](int a, int b) {
    const NodeIndex ia = world.nodes[static_cast<std::size_t>(a)].index;
    const NodeIndex ib = world.nodes[static_cast<std::size_t>(b)].index;
    for (const auto& [x, y] : world.cut_links) {
      if ((x == ia && y == ib) || (x == ib && y == ia)) return true;
    }
    return false;
  };
  std::map<std::pair<int, int>, bool> lines;
  for (const Drawn& d : drawn) {
    const int a = std::min(d.from, d.to), b = std::max(d.from, d.to);
    if (running(a) && running(b) && !cut(a, b)) lines[{a, b}] = true;
  }
  for (const auto& [pair, on] : lines) {
    const Point ca = layout.centers[static_cast<std::size_t>(pair.first)];
    const Point cb = layout.centers[static_cast<std::size_t>(pair.second)];
    dl->AddLine(at(layout.EdgeToward(pair.first, cb)), at(layout.EdgeToward(pair.second, ca)),
                pal.link, 1.0f);
  }
  // One label per link (its newest produce or fetch), and only while few links carry data,
  // so labels never pile up.
  std::map<std::pair<int, int>, const Drawn*> newest;
  for (const Drawn& d : drawn) {
    const bool data = d.record->kind == kafka::MessageKind::kProduce ||
                      d.record->kind == kafka::MessageKind::kFetch;
    if (data && !d.record->label.empty()) {
      newest[{std::min(d.from, d.to), std::max(d.from, d.to)}] = &d;
    }
  }
  const bool labelled = newest.size() <= 4;
  for (const Drawn& d : drawn) {
    const Point ca = layout.centers[static_cast<std::size_t>(d.from)];
    const Point cb = layout.centers[static_cast<std::size_t>(d.to)];
    const Point pa = layout.EdgeToward(d.from, cb), pb = layout.EdgeToward(d.to, ca);
    const bool dropped = d.record->outcome == scenario::MessageOutcome::kDropped;
    ImU32 colour = MessageColour(pal, d.record->kind);
    float t = d.progress;
    if (dropped && t > 0.5f) {
      const auto alpha = static_cast<unsigned>(255.0f * std::clamp(2 * (1 - t), 0.0f, 1.0f));
      colour = (colour & 0x00FFFFFFu) | (alpha << 24);
      t = 0.5f;
    }
    const ImVec2 p = at(Lerp(pa, pb, t));
    const float r = font * 0.3f;
    dl->AddCircleFilled(p, r, colour);
    dl->AddCircle(p, r, pal.background, 0, 1.0f);
    if (dropped && d.progress > 0.5f)
      DrawCross(dl, p, r * 1.4f, (pal.bad & 0x00FFFFFFu) | (colour & 0xFF000000u), 2.5f);
    const auto link = newest.find({std::min(d.from, d.to), std::max(d.from, d.to)});
    if (labelled && link != newest.end() && link->second == &d) {
      std::string text = d.record->label;
      if (text.size() > 44) text = text.substr(0, 43) + "~";
      const ImVec2 size = ImGui::CalcTextSize(text.c_str());
      // A label that would cover a box or a node is left to the next frame (or off).
      const Rect label{p.x - origin.x - size.x / 2 - 3, p.y - origin.y - font * 0.9f - size.y / 2,
                       p.x - origin.x + size.x / 2 + 3, p.y - origin.y - font * 0.9f + size.y / 2};
      bool free = true;
      for (std::size_t i = 0; i < layout.centers.size() && free; ++i) {
        const Point c = layout.centers[i];
        const float reach = layout.radius + font * 2.3f;
        const Rect shape = layout.IsBox(static_cast<int>(i))
                               ? layout.boxes[i]
                               : Rect{c.x - layout.radius * 3, c.y - layout.radius,
                                      c.x + layout.radius * 3, c.y + reach};
        free = !label.Overlaps(shape);
      }
      if (!free) continue;
      LabelAt(dl, pal, {p.x, p.y - font * 0.9f}, colour, text);
    }
  }
  return left_out;
}

// KRaft: the votes of an election in progress, an arrow from each voter to the candidate it
// voted for this epoch.
void DrawVotes(const view::WorldView& world, const ClusterLayout& layout, const Palette& pal,
               ImDrawList* dl, ImVec2 origin) {
  if (world.quorum.mode != "kraft") return;
  std::map<int, int> slot_of_id;
  for (std::size_t i = 0; i < world.nodes.size(); ++i) {
    slot_of_id[world.nodes[i].id] = static_cast<int>(i);
  }
  const float font = ImGui::GetFontSize();
  for (const view::VoterView& v : world.quorum.voters) {
    if (!v.alive || v.voted_for < 0 || v.voted_for == v.id || v.leader_id >= 0) continue;
    const auto from = slot_of_id.find(v.id), to = slot_of_id.find(v.voted_for);
    if (from == slot_of_id.end() || to == slot_of_id.end()) continue;
    const Point cf = layout.centers[static_cast<std::size_t>(from->second)];
    const Point ct = layout.centers[static_cast<std::size_t>(to->second)];
    const Point a = layout.EdgeToward(from->second, ct), b = layout.EdgeToward(to->second, cf);
    const ImVec2 pa{origin.x + a.x, origin.y + a.y}, pb{origin.x + b.x, origin.y + b.y};
    dl->AddLine(pa, pb, pal.vote, 2.5f);
    const float dx = pb.x - pa.x, dy = pb.y - pa.y, len = std::max(std::hypot(dx, dy), 1.0f);
    const float ux = dx / len, uy = dy / len, head = font * 0.6f;
    dl->AddTriangleFilled(
        pb, {pb.x - ux * head - uy * head * 0.5f, pb.y - uy * head + ux * head * 0.5f},
        {pb.x - ux * head + uy * head * 0.5f, pb.y - uy * head - ux * head * 0.5f}, pal.vote);
    LabelAt(dl, pal, {(pa.x + pb.x) / 2, (pa.y + pb.y) / 2}, pal.vote,
            fmt::format("vote e{}", v.epoch));
  }
}

void ChipLegend(const Palette& pal, ImDrawList* dl, ImVec2 at) {
  const float font = ImGui::GetFontSize();
  const float w = font * 1.6f, h = font * 0.95f;
  struct Item {
    ChipKind kind;
    const char* label;
  };
  const Item items[] = {{ChipKind::kLeader, "leader"},
                        {ChipKind::kInSync, "in ISR"},
                        {ChipKind::kOutOfSync, "out of ISR (lag)"},
                        {ChipKind::kEligible, "ELR"},
                        {ChipKind::kOffline, "offline"}};
  for (const Item& item : items) {
    ReplicaChip chip;
    chip.kind = item.kind;
    DrawChip(dl, pal, chip, "", {at.x, at.y + font * 0.05f}, {at.x + w, at.y + h}, false, false);
    dl->AddText({at.x + w + font * 0.3f, at.y}, pal.text, item.label);
    at.x += w + font * 0.9f + ImGui::CalcTextSize(item.label).x;
  }
}

}  // namespace

std::string FitLabel(const std::string& text, float width) {
  if (ImGui::CalcTextSize(text.c_str()).x <= width) return text;
  // "console-consumer-12" -> "cons..mer-12": the end tells clients apart, so it stays.
  const std::size_t tail = std::min<std::size_t>(text.size(), 6);
  for (std::size_t head = text.size() - tail; head-- > 0;) {
    const std::string fitted = text.substr(0, head) + ".." + text.substr(text.size() - tail);
    if (ImGui::CalcTextSize(fitted.c_str()).x <= width) return fitted;
  }
  for (std::size_t keep = tail; keep-- > 0;) {
    const std::string fitted = text.substr(text.size() - keep);
    if (ImGui::CalcTextSize(fitted.c_str()).x <= width) return fitted;
  }
  return "";
}

std::string RoleLine(const view::WorldView& world, const view::NodeView& n) {
  if (n.state == NodeState::kCrashed) return "CRASHED";
  if (n.state == NodeState::kKilled) return "KILLED";
  if (n.state == NodeState::kStopped) return "stopped";
  for (const view::MirrorFlowView& f : world.mirror_flows) {
    if (f.worker == n.index) return "MirrorMaker 2";
  }
  if (n.role == view::NodeRole::kZooKeeper) return ZooKeeperState(world, n);
  if (world.quorum.mode == "kraft" && n.role == view::NodeRole::kController) {
    // A KRaft voter: its Raft role and epoch ("Leader e3", "Candidate e5").
    for (const view::VoterView& v : world.quorum.voters) {
      if (v.id == n.id && v.alive) return fmt::format("{} e{}", v.role, v.epoch);
    }
  }
  if (n.active_controller) return "active ctrl";
  if (n.quorum_leader) return "quorum leader";
  if (n.fenced) return "fenced";
  if (n.role == view::NodeRole::kBroker || n.role == view::NodeRole::kCombined) {
    return n.leader_count > 0 ? fmt::format("leads {}", n.leader_count) : "follower";
  }
  return "";
}

void Draw(const view::WorldView& world, GuiState& state, CommandQueue& queue) {
  const Palette& pal = CurrentPalette(state);
  const float font = ImGui::GetFontSize();
  DrawToolbar(world, state);
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImVec2 size = ImGui::GetContentRegionAvail();
  size.x = std::max(size.x, 100.0f);
  size.y = std::max(size.y, 100.0f);
  state.map_canvas = {origin.x, origin.y, size.x, size.y};
  ImGui::InvisibleButton("cluster_canvas", size,
                         ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
  const bool hovered = ImGui::IsItemHovered();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(origin, {origin.x + size.x, origin.y + size.y}, pal.background);
  // Nothing the map draws spills over the panels around it, even on a canvas too small for it.
  dl->PushClipRect(origin, {origin.x + size.x, origin.y + size.y}, true);

  const ClusterLayout layout = LayoutMap(world, size.x, size.y, font);
  auto at = [&](int slot) {
    const Point c = layout.centers[static_cast<std::size_t>(slot)];
    return ImVec2(origin.x + c.x, origin.y + c.y);
  };

  // Several clusters: each in a framed band, its name at the top left.
  for (const ClusterLayout::Region& region : layout.regions) {
    const ImVec2 a{origin.x + region.rect.x0, origin.y + region.rect.y0};
    const ImVec2 b{origin.x + region.rect.x1, origin.y + region.rect.y1};
    dl->AddRect(a, b, pal.dim_text, font * 0.4f, 0, 1.0f);
    dl->AddText({a.x + font * 0.4f, a.y + 2}, pal.dim_text, region.name.c_str());
  }
  for (const auto& [a, b] : world.cut_links) {
    const int sa = layout.SlotOf(a), sb = layout.SlotOf(b);
    if (sa < 0 || sb < 0 || a > b) continue;  // draw each cut pair once
    const Point ca = layout.centers[static_cast<std::size_t>(sa)];
    const Point cb = layout.centers[static_cast<std::size_t>(sb)];
    const Point ea = layout.EdgeToward(sa, cb), eb = layout.EdgeToward(sb, ca);
    const ImVec2 pa{origin.x + ea.x, origin.y + ea.y}, pb{origin.x + eb.x, origin.y + eb.y};
    dl->AddLine(pa, pb, pal.cut_link, 2.5f);
    DrawCross(dl, {(pa.x + pb.x) / 2, (pa.y + pb.y) / 2}, font * 0.35f, pal.cut_link, 3);
  }
  DrawSessions(world, layout, pal, dl, at);
  DrawExternalLinks(world, layout, pal, dl, origin);
  const std::vector<MirrorArrow> mirrors = MirrorArrows(world, layout, font);
  DrawMirrorArrows(mirrors, pal, dl, origin, font);

  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const int hovered_slot = hovered ? layout.NodeAt({mouse.x - origin.x, mouse.y - origin.y}) : -1;
  ChipHover chip_hover;
  DrawNodes(world, state, layout, hovered_slot, dl, origin, hovered, &chip_hover);
  const std::size_t messages_left_out = DrawMessages(world, state, layout, dl, origin);
  DrawVotes(world, layout, pal, dl, origin);
  DrawBanners(world, layout, pal, dl, origin);
  // A canvas too short even for the compact map (a large font in the standard layout): say
  // where the room is rather than show half a map.
  bool cut_off = false;
  for (std::size_t i = 0; i < layout.centers.size(); ++i) {
    const float bottom = layout.IsBox(static_cast<int>(i)) ? layout.boxes[i].y1
                                                           : layout.centers[i].y + layout.radius;
    cut_off = cut_off || bottom > size.y;
  }
  if (cut_off) {
    const char* hint = "the map needs more room: View > Presenter layout (or --presenter)";
    const ImVec2 hint_size = ImGui::CalcTextSize(hint);
    const ImVec2 hint_at{origin.x + 6, origin.y + size.y - hint_size.y - 4};
    dl->AddRectFilled({hint_at.x - 3, hint_at.y - 2},
                      {hint_at.x + hint_size.x + 3, hint_at.y + hint_size.y + 2}, pal.warn, 3);
    dl->AddText(hint_at, IM_COL32(0, 0, 0, 255), hint);
  }
  if (layout.legend_height > 0) {  // left out on a canvas too short for it
    const float legend_y = origin.y + size.y - layout.legend_height + 2;
    DrawLegend(world, pal, dl, {origin.x + 6, legend_y});
    if (layout.AnyTile()) {
      // No chips on tiles: the second line says why, and what the map leaves out.
      const std::string note = fmt::format(
          "{} brokers as tiles (too many for boxes here); {} fetches and heartbeats in flight "
          "not drawn",
          std::count(layout.tiles.begin(), layout.tiles.end(), true), messages_left_out);
      dl->AddText({origin.x + 6, legend_y + font * 1.35f}, pal.dim_text,
                  FitLabel(note, size.x - 12).c_str());
    } else {
      ChipLegend(pal, dl, {origin.x + 6, legend_y + font * 1.35f});
    }
  }
  dl->PopClipRect();

  const MirrorArrow* mirror_hovered = nullptr;
  if (hovered && hovered_slot < 0) {
    for (const MirrorArrow& a : mirrors) {
      const Point m{mouse.x - origin.x, mouse.y - origin.y};
      if (DistanceToSegment(m, a.from, a.to) <= font * 0.5f) mirror_hovered = &a;
    }
  }
  if (mirror_hovered != nullptr) {
    ImGui::SetTooltip("%s", mirror_hovered->tooltip.c_str());
  } else if (chip_hover.chip) {
    ImGui::SetTooltip("%s", ChipTooltip(*chip_hover.chip, chip_hover.broker).c_str());
  } else if (chip_hover.more) {
    ImGui::SetTooltip(
        "%zu more replicas on %s did not fit;\n"
        "choose one topic above the map to see them all",
        chip_hover.hidden, chip_hover.broker.c_str());
  } else if (hovered_slot >= 0) {
    NodeTooltip(world, world.nodes[static_cast<std::size_t>(hovered_slot)]);
  }
  if (hovered && ImGui::IsMouseClicked(0)) {
    if (chip_hover.chip) {
      state.selected_partition = chip_hover.chip->partition;
    } else {
      state.selected_node =
          hovered_slot >= 0 ? world.nodes[static_cast<std::size_t>(hovered_slot)].name : "";
    }
  }
  if (hovered && ImGui::IsMouseClicked(1)) {
    state.context_node =
        hovered_slot >= 0 ? world.nodes[static_cast<std::size_t>(hovered_slot)].name : "";
    ImGui::OpenPopup("node_menu");
  }
  ContextMenu(world, state, queue);
}

}  // namespace kafkasim::gui::cluster_map
