// ZooKeeper: the znode tree as the ensemble's leader (or a chosen server) holds it, live:
// /brokers/ids/<id>, /brokers/topics/<t>/partitions/<p>/state, /controller, /controller_epoch,
// ... with each znode's data (the JSON Kafka writes), version and ephemeral owner. What just
// changed glows; hovering a row shows what `zookeeper-shell.sh get -s` would print.
#include <fmt/format.h>

#include <string>

#include "gui/panels.h"
#include "gui/style.h"
#include "gui/zookeeper_model.h"
#include "imgui.h"

namespace kafkasim::gui::znodes {
namespace {

std::string Hex(std::int64_t v) { return fmt::format("0x{:x}", v); }

// The server picker: "leader" follows whoever leads; a named server stays chosen.
void ServerPicker(const view::WorldView& world, GuiState& state, const view::ZkTreeView& shown) {
  ImGui::TextUnformatted("Tree held by");
  ImGui::SameLine();
  const std::string preview =
      state.znode_server.empty() ? fmt::format("the leader ({})", shown.server)
      : state.znode_server == shown.server
          ? shown.server
          : fmt::format("{} ({} is down)", shown.server, state.znode_server);
  ImGui::SetNextItemWidth(ImGui::CalcTextSize(preview.c_str()).x + ImGui::GetFrameHeight() * 2);
  if (ImGui::BeginCombo("##znode_server", preview.c_str())) {
    if (ImGui::Selectable("the leader", state.znode_server.empty())) state.znode_server.clear();
    for (const view::ZkTreeView& t : world.zookeeper.trees) {
      const std::string label = fmt::format("{} ({})", t.server, t.state);
      if (ImGui::Selectable(label.c_str(), state.znode_server == t.server)) {
        state.znode_server = t.server;
      }
    }
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  ImGui::Text("%s, last zxid %s, %zu znodes", shown.state.c_str(), Hex(shown.last_zxid).c_str(),
              shown.znodes.size());
  if (!shown.serving) {
    const Palette& pal = CurrentPalette(state);
    ImGui::TextColored(ToVec4(pal.bad),
                       "%s is not serving (no quorum behind it): this is the tree as it last "
                       "applied it; nothing changes until a quorum forms",
                       shown.server.c_str());
  }
}

// `zookeeper-shell.sh get -s PATH`: the data, then the Stat.
void StatTooltip(const view::WorldView& world, const view::ZNodeView& z) {
  ImGui::BeginTooltip();
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 40);
  ImGui::TextUnformatted(z.path.c_str());
  ImGui::Separator();
  ImGui::TextUnformatted(z.data.empty() ? "(no data)" : z.data.c_str());
  ImGui::PopTextWrapPos();
  ImGui::Separator();
  ImGui::Text("cZxid = %s   ctime = %s", Hex(z.czxid).c_str(),
              FormatTime(kTimeZero + Milliseconds(z.ctime_ms)).c_str());
  ImGui::Text("mZxid = %s   mtime = %s", Hex(z.mzxid).c_str(),
              FormatTime(kTimeZero + Milliseconds(z.mtime_ms)).c_str());
  ImGui::Text("cversion = %d   dataVersion = %d", z.cversion, z.version);
  const std::string owner = EphemeralOwnerName(world, z.ephemeral_owner);
  ImGui::Text("ephemeralOwner = %s%s", Hex(z.ephemeral_owner).c_str(),
              owner.empty() ? "" : (" (" + owner + ")").c_str());
  ImGui::Text("dataLength = %zu   numChildren = %d", z.data.size(), z.num_children);
  ImGui::EndTooltip();
}

void Row(const view::WorldView& world, GuiState& state, const view::ZkTreeView& tree,
         const ZnodeRow& row) {
  const Palette& pal = CurrentPalette(state);
  const view::ZNodeView& z = tree.znodes[row.znode];
  ImGui::TableNextRow();
  const float glow = ZnodeGlow(z, world.now);
  if (glow > 0) {
    ImVec4 c = ToVec4(pal.highlight);
    c.w = 0.35f * glow;
    ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, ImGui::GetColorU32(c));
  }
  ImGui::TableNextColumn();
  if (row.depth > 0) ImGui::Indent(static_cast<float>(row.depth) * ImGui::GetFontSize());
  ImGuiTreeNodeFlags flags = ImGuiTreeNodeFlags_NoTreePushOnOpen | ImGuiTreeNodeFlags_SpanFullWidth;
  if (!row.has_children) flags |= ImGuiTreeNodeFlags_Leaf | ImGuiTreeNodeFlags_Bullet;
  ImGui::SetNextItemOpen(row.open, ImGuiCond_Always);
  ImGui::PushID(z.path.c_str());
  ImGui::TreeNodeEx("##znode", flags, "%s", row.name.c_str());
  if (ImGui::IsItemToggledOpen()) state.znode_open[z.path] = !row.open;
  const bool hovered = ImGui::IsItemHovered();
  ImGui::PopID();
  if (row.depth > 0) ImGui::Unindent(static_cast<float>(row.depth) * ImGui::GetFontSize());
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(z.data.c_str());
  const bool data_hovered = ImGui::IsItemHovered();
  ImGui::TableNextColumn();
  ImGui::Text("%d", z.version);
  ImGui::TableNextColumn();
  const std::string owner = EphemeralOwnerName(world, z.ephemeral_owner);
  if (!owner.empty()) ImGui::TextColored(ToVec4(pal.zookeeper), "%s", owner.c_str());
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(Hex(z.mzxid).c_str());
  if (hovered || data_hovered) StatTooltip(world, z);
}

}  // namespace

void Draw(const view::WorldView& world, GuiState& state, CommandQueue& queue) {
  (void)queue;
  const Palette& pal = CurrentPalette(state);
  const view::ZkTreeView* tree = TreeToShow(world.zookeeper, state.znode_server);
  if (tree == nullptr) {
    ImGui::TextColored(ToVec4(pal.bad), "Every ZooKeeper server is down: no tree to read.");
    return;
  }
  ServerPicker(world, state, *tree);
  const std::vector<ZnodeRow> rows = VisibleZnodes(*tree, state.znode_open);
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_Resizable | ImGuiTableFlags_ScrollY |
                                ImGuiTableFlags_SizingStretchProp;
  if (!ImGui::BeginTable("znodes", 5, flags)) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("Znode", ImGuiTableColumnFlags_WidthStretch, 2.2f);
  ImGui::TableSetupColumn("Data", ImGuiTableColumnFlags_WidthStretch, 4.0f);
  ImGui::TableSetupColumn("Version", ImGuiTableColumnFlags_WidthStretch, 0.6f);
  ImGui::TableSetupColumn("Owner", ImGuiTableColumnFlags_WidthStretch, 1.2f);
  ImGui::TableSetupColumn("mZxid", ImGuiTableColumnFlags_WidthStretch, 1.0f);
  ImGui::TableHeadersRow();
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(rows.size()));
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      Row(world, state, *tree, rows[static_cast<std::size_t>(i)]);
    }
  }
  ImGui::EndTable();
}

}  // namespace kafkasim::gui::znodes
