// ZooKeeper view-models: session links and the znode tree's visible rows.
#include "gui/zookeeper_model.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/assert.h"

namespace kafkasim::gui {
namespace {

std::string Hex(std::int64_t session_id) { return fmt::format("0x{:x}", session_id); }

std::string ParentOf(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

}  // namespace

SessionLink ClassifySession(const view::ZkSessionView& s) {
  if (!s.client_running) return SessionLink::kOrphaned;
  if (s.session_id == 0) return SessionLink::kConnecting;
  if (!s.in_ensemble) return SessionLink::kExpired;
  return s.connected ? SessionLink::kConnected : SessionLink::kReconnecting;
}

std::string SessionLinkLabel(const view::ZkSessionView& s) {
  switch (ClassifySession(s)) {
    case SessionLink::kConnected:
      return "session " + Hex(s.session_id);
    case SessionLink::kConnecting:
      return "connecting";
    case SessionLink::kReconnecting:
      return "reconnecting";
    case SessionLink::kOrphaned:
      return "client down, session open";
    case SessionLink::kExpired:
      return "session EXPIRED";
  }
  return "";
}

std::string EphemeralOwnerName(const view::WorldView& world, std::int64_t session_id) {
  if (session_id == 0) return "";
  for (const view::ZkSessionView& s : world.zookeeper.sessions) {
    if (s.session_id != session_id || s.client == kNoNode) continue;
    for (const view::NodeView& n : world.nodes) {
      if (n.index == s.client) return n.name;
    }
  }
  return Hex(session_id);
}

const view::ZkTreeView* TreeToShow(const view::ZooKeeperView& zookeeper,
                                   const std::string& chosen) {
  const view::ZkTreeView* leader = nullptr;
  for (const view::ZkTreeView& t : zookeeper.trees) {
    if (!chosen.empty() && t.server == chosen) return &t;
    if (leader == nullptr && t.serving && t.state == "LEADING") leader = &t;
  }
  if (leader != nullptr) return leader;
  return zookeeper.trees.empty() ? nullptr : &zookeeper.trees.front();
}

bool ZnodeOpenByDefault(const view::ZNodeView& znode) {
  return znode.path != "/zookeeper" && znode.num_children <= kZnodeOpenChildrenMax;
}

std::vector<ZnodeRow> VisibleZnodes(const view::ZkTreeView& tree,
                                    const std::map<std::string, bool>& open) {
  // The tree's order is the paths' byte order, which does not keep a subtree together
  // ("/a-b" sorts between "/a" and "/a/c"): walk it from the root by parent instead.
  std::map<std::string, std::size_t> index;
  std::map<std::string, std::vector<std::string>> children;
  for (std::size_t i = 0; i < tree.znodes.size(); ++i) {
    const std::string& path = tree.znodes[i].path;
    index[path] = i;
    if (path != "/") children[ParentOf(path)].push_back(path);
  }
  std::vector<ZnodeRow> rows;
  if (!index.contains("/")) return rows;
  struct Pending {
    std::string path;
    int depth;
  };
  std::vector<Pending> stack = {{"/", 0}};
  while (!stack.empty()) {
    const Pending at = stack.back();
    stack.pop_back();
    const std::size_t i = index.at(at.path);
    const auto kids = children.find(at.path);
    ZnodeRow row;
    row.znode = i;
    row.depth = at.depth;
    row.name = at.path == "/" ? "/" : at.path.substr(at.path.rfind('/') + 1);
    row.has_children = kids != children.end() && !kids->second.empty();
    const auto clicked = open.find(at.path);
    row.open = row.has_children &&
               (clicked != open.end() ? clicked->second : ZnodeOpenByDefault(tree.znodes[i]));
    rows.push_back(row);
    if (!row.open) continue;
    // Children are in name order already (the map's order); push them reversed.
    for (auto it = kids->second.rbegin(); it != kids->second.rend(); ++it) {
      stack.push_back({*it, at.depth + 1});
    }
  }
  KSIM_ASSERT(rows.size() <= tree.znodes.size());
  return rows;
}

float ZnodeGlow(const view::ZNodeView& znode, Time now) {
  const std::int64_t changed_ms = std::max(znode.mtime_ms, znode.ctime_ms);
  const double age = static_cast<double>(now.Millis() - changed_ms) / 1000.0;
  if (age < 0 || age >= kZnodeGlowSeconds) return 0;
  return static_cast<float>(1.0 - age / kZnodeGlowSeconds);
}

}  // namespace kafkasim::gui
