// View-models of ZooKeeper mode: what a broker's session link on the cluster map says, and the
// znode tree as visible rows (a parent before its children, collapsed subtrees left out).
// Plain code, no ImGui.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "scenario/world_view.h"

namespace kafkasim::gui {

// A broker's ZooKeeper session as the map draws it.
enum class SessionLink : std::uint8_t {
  kConnected,     // the client is connected and the ensemble holds the session
  kConnecting,    // a new session is being made (none yet, or the last one expired)
  kReconnecting,  // the connection is lost but the session (and its ephemerals) lives on
  kOrphaned,      // the client is down; the session lives until the leader expires it
  kExpired,       // the client still holds a session the ensemble no longer has
};
SessionLink ClassifySession(const view::ZkSessionView& session);
// One short line for the map: "session 0x1000000a1", "connecting", "session EXPIRED", ...
std::string SessionLinkLabel(const view::ZkSessionView& session);

// The name an ephemeral znode's owner goes by: the node holding the session ("broker-1"), or
// the session id in hex when no node is known; "" for a persistent znode (owner 0).
std::string EphemeralOwnerName(const view::WorldView& world, std::int64_t session_id);

// The tree the znode panel shows: the server named `chosen` when it runs, else the serving
// leader's, else the first running server's; nullptr when every server is down.
const view::ZkTreeView* TreeToShow(const view::ZooKeeperView& zookeeper, const std::string& chosen);

struct ZnodeRow {
  std::size_t znode = 0;  // position in ZkTreeView::znodes
  int depth = 0;          // 0 for "/"
  std::string name;       // the last path segment, "/" for the root
  bool has_children = false;
  bool open = false;
};

// More children than this and a znode starts collapsed (the 50 partitions of
// __consumer_offsets); ZooKeeper's own /zookeeper starts collapsed too.
constexpr std::int32_t kZnodeOpenChildrenMax = 12;
bool ZnodeOpenByDefault(const view::ZNodeView& znode);

// The rows to draw, depth first with children in name order. `open` overrides the default per
// path (the user's clicks); a collapsed znode's descendants are left out.
std::vector<ZnodeRow> VisibleZnodes(const view::ZkTreeView& tree,
                                    const std::map<std::string, bool>& open);

// 1 when the znode changed (created or set) just now, fading to 0 over kZnodeGlowSeconds of
// virtual time, so what moves is visible as the run plays.
constexpr double kZnodeGlowSeconds = 3.0;
float ZnodeGlow(const view::ZNodeView& znode, Time now);

}  // namespace kafkasim::gui
