// View-models of ZooKeeper mode (session links, the znode tree's rows, the glow of a change)
// and of consumer groups (partition rows with lag, coordinator badges), and the map's layout
// with its banner line and badge line.
#include <doctest/doctest.h>

#include "gui/cluster_layout.h"
#include "gui/groups_model.h"
#include "gui/zookeeper_model.h"

namespace kafkasim::gui {
namespace {

view::ZkSessionView Session(std::int64_t id, bool running, bool connected, bool in_ensemble) {
  view::ZkSessionView s;
  s.session_id = id;
  s.client = 3;
  s.server = 0;
  s.client_running = running;
  s.connected = connected;
  s.in_ensemble = in_ensemble;
  return s;
}

view::ZNodeView Znode(std::string path, std::int32_t children = 0, std::int64_t mtime_ms = 0) {
  view::ZNodeView z;
  z.path = std::move(path);
  z.num_children = children;
  z.ctime_ms = mtime_ms;
  z.mtime_ms = mtime_ms;
  return z;
}

// A tree as a DataTree orders it: by path bytes, so "/brokers/topics/a-b" comes between
// "/brokers/topics/a" and "/brokers/topics/a/partitions".
view::ZkTreeView KafkaTree() {
  view::ZkTreeView t;
  t.server = "zk-1";
  t.state = "LEADING";
  t.serving = true;
  for (const char* path :
       {"/", "/brokers", "/brokers/ids", "/brokers/ids/1", "/brokers/ids/2", "/brokers/topics",
        "/brokers/topics/a", "/brokers/topics/a-b", "/brokers/topics/a/partitions",
        "/brokers/topics/a/partitions/0", "/brokers/topics/a/partitions/0/state", "/controller",
        "/zookeeper", "/zookeeper/quota"}) {
    t.znodes.push_back(Znode(path));
  }
  // num_children as the DataTree counts them.
  for (view::ZNodeView& z : t.znodes) {
    for (const view::ZNodeView& c : t.znodes) {
      const auto slash = c.path.rfind('/');
      const std::string parent = slash == 0 ? "/" : c.path.substr(0, slash);
      if (c.path != "/" && parent == z.path) ++z.num_children;
    }
  }
  return t;
}

std::vector<std::string> Paths(const view::ZkTreeView& tree, const std::vector<ZnodeRow>& rows) {
  std::vector<std::string> paths;
  for (const ZnodeRow& r : rows) paths.push_back(tree.znodes[r.znode].path);
  return paths;
}

TEST_CASE("zookeeper_model: a session link says whether the session and its client live") {
  CHECK(ClassifySession(Session(0x100, true, true, true)) == SessionLink::kConnected);
  CHECK(SessionLinkLabel(Session(0x100, true, true, true)) == "session 0x100");
  // Cut off from its server: the session (and /brokers/ids/<id>) lives until the timeout.
  CHECK(ClassifySession(Session(0x100, true, false, true)) == SessionLink::kReconnecting);
  // The ensemble expired it; the client has not heard yet.
  CHECK(ClassifySession(Session(0x100, true, false, false)) == SessionLink::kExpired);
  CHECK(ClassifySession(Session(0x100, true, true, false)) == SessionLink::kExpired);
  CHECK(SessionLinkLabel(Session(0x100, true, false, false)) == "session EXPIRED");
  // A crashed broker's session stays until the leader expires it.
  CHECK(ClassifySession(Session(0x100, false, false, true)) == SessionLink::kOrphaned);
  CHECK(SessionLinkLabel(Session(0x100, false, false, true)) == "client down, session open");
  CHECK(ClassifySession(Session(0, true, false, false)) == SessionLink::kConnecting);
}

TEST_CASE("zookeeper_model: an ephemeral owner is named by the node holding the session") {
  view::WorldView w;
  view::NodeView broker;
  broker.index = 3;
  broker.name = "broker-1";
  w.nodes.push_back(broker);
  w.zookeeper.sessions.push_back(Session(0x100000001, true, true, true));
  CHECK(EphemeralOwnerName(w, 0x100000001) == "broker-1");
  CHECK(EphemeralOwnerName(w, 0x200000009) == "0x200000009");
  CHECK(EphemeralOwnerName(w, 0).empty());  // persistent
}

TEST_CASE("zookeeper_model: the tree shown is the chosen server's, else the serving leader's") {
  view::ZooKeeperView zk;
  for (const char* state : {"FOLLOWING", "LEADING", "FOLLOWING"}) {
    view::ZkTreeView t;
    t.server = "zk-" + std::to_string(zk.trees.size() + 1);
    t.state = state;
    t.serving = true;
    zk.trees.push_back(t);
  }
  CHECK(TreeToShow(zk, "")->server == "zk-2");
  CHECK(TreeToShow(zk, "zk-3")->server == "zk-3");
  CHECK(TreeToShow(zk, "zk-9")->server == "zk-2");  // the chosen one is down
  zk.trees[1].serving = false;                      // no quorum: nobody leads
  CHECK(TreeToShow(zk, "")->server == "zk-1");
  CHECK(TreeToShow(view::ZooKeeperView{}, "") == nullptr);
}

TEST_CASE("zookeeper_model: znode rows walk the tree parent first, children in name order") {
  const view::ZkTreeView tree = KafkaTree();
  const std::vector<ZnodeRow> rows = VisibleZnodes(tree, {});
  // /zookeeper starts collapsed; the rest is open.
  CHECK(Paths(tree, rows) ==
        std::vector<std::string>{"/", "/brokers", "/brokers/ids", "/brokers/ids/1",
                                 "/brokers/ids/2", "/brokers/topics", "/brokers/topics/a",
                                 "/brokers/topics/a/partitions", "/brokers/topics/a/partitions/0",
                                 "/brokers/topics/a/partitions/0/state", "/brokers/topics/a-b",
                                 "/controller", "/zookeeper"});
  CHECK(rows[0].name == "/");
  CHECK(rows[0].depth == 0);
  CHECK(rows[9].name == "state");
  CHECK(rows[9].depth == 6);
  CHECK_FALSE(rows[9].has_children);
  CHECK(rows.back().has_children);
  CHECK_FALSE(rows.back().open);
}

TEST_CASE("zookeeper_model: a click closes or opens a znode over its default") {
  const view::ZkTreeView tree = KafkaTree();
  const std::vector<ZnodeRow> rows =
      VisibleZnodes(tree, {{"/brokers/topics", false}, {"/zookeeper", true}});
  CHECK(Paths(tree, rows) == std::vector<std::string>{"/", "/brokers", "/brokers/ids",
                                                      "/brokers/ids/1", "/brokers/ids/2",
                                                      "/brokers/topics", "/controller",
                                                      "/zookeeper", "/zookeeper/quota"});
}

TEST_CASE("zookeeper_model: a znode with many children (the 50 offsets partitions) starts closed") {
  CHECK(ZnodeOpenByDefault(Znode("/brokers/topics/cities/partitions", 3)));
  CHECK_FALSE(ZnodeOpenByDefault(Znode("/brokers/topics/__consumer_offsets/partitions", 50)));
  CHECK_FALSE(ZnodeOpenByDefault(Znode("/zookeeper", 2)));
}

TEST_CASE("zookeeper_model: a changed znode glows, fading over three virtual seconds") {
  const view::ZNodeView z = Znode("/controller", 0, 10000);
  CHECK(ZnodeGlow(z, kTimeZero + Milliseconds(10000)) == doctest::Approx(1.0));
  CHECK(ZnodeGlow(z, kTimeZero + Milliseconds(11500)) == doctest::Approx(0.5));
  CHECK(ZnodeGlow(z, kTimeZero + Milliseconds(13000)) == 0.0f);
  CHECK(ZnodeGlow(z, kTimeZero + Milliseconds(9000)) == 0.0f);  // not yet made
}

view::WorldView GroupWorld() {
  view::WorldView w;
  view::TopicView t;
  t.name = "cities";
  for (int p = 0; p < 3; ++p) {
    view::PartitionView pv;
    pv.topic = "cities";
    pv.partition = p;
    pv.leader = p == 2 ? -1 : 1;  // cities-2 is offline
    view::ReplicaLogView log;
    log.broker_id = 1;
    log.online = true;
    log.high_watermark = 100 + p;
    pv.logs.push_back(log);
    t.partitions.push_back(pv);
  }
  w.topics.push_back(t);
  view::GroupView g;
  g.group_id = "g1";
  g.coordinator = 2;
  view::GroupMemberView a;
  a.member_id = "consumer-1-abc";
  a.client_id = "consumer-1";
  a.assigned = {"cities-0"};
  view::GroupMemberView b;
  b.member_id = "consumer-2-def";
  b.client_id = "consumer-2";
  b.revoking = {"cities-1"};
  g.members = {a, b};
  g.offsets = {{"cities", 0, 90}, {"cities", 2, 7}};
  w.groups.push_back(g);
  return w;
}

TEST_CASE("groups_model: each partition names its member, committed offset and lag") {
  const view::WorldView w = GroupWorld();
  const std::vector<GroupPartitionRow> rows = GroupPartitionRows(w.groups[0], w);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].name == "cities-0");
  CHECK(rows[0].client_id == "consumer-1");
  CHECK(rows[0].committed == 90);
  CHECK(rows[0].log_end == 100);  // the leader's high watermark
  CHECK(rows[0].lag == 10);
  CHECK(rows[1].client_id == "consumer-2");
  CHECK(rows[1].revoking);
  CHECK(rows[1].committed == -1);  // nothing committed: lag unknown
  CHECK(rows[1].lag == -1);
  CHECK(rows[2].member_id.empty());  // committed, owned by nobody
  CHECK(rows[2].log_end == -1);      // offline: no leader to ask
  CHECK(rows[2].lag == -1);
}

TEST_CASE("groups_model: a topic name with dashes keeps its partitions apart") {
  view::WorldView w;
  view::GroupView g;
  view::GroupMemberView m;
  m.assigned = {"my-topic-10", "my-topic-2"};
  g.members = {m};
  const std::vector<GroupPartitionRow> rows = GroupPartitionRows(g, w);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].topic == "my-topic");
  CHECK(rows[0].partition == 2);
  CHECK(rows[1].partition == 10);
}

TEST_CASE("groups_model: the coordinator badge names its groups, or counts them") {
  view::WorldView w = GroupWorld();
  view::GroupView other;
  other.group_id = "g0";
  other.coordinator = 2;
  w.groups.push_back(other);
  view::GroupView unloaded;
  unloaded.group_id = "g9";
  w.groups.push_back(unloaded);  // no coordinator loaded it
  const auto by_broker = CoordinatedGroups(w);
  REQUIRE(by_broker.size() == 1);
  CHECK(by_broker.at(2) == std::vector<std::string>{"g1", "g0"});
  CHECK(CoordinatorBadge({"g1"}) == "coordinator of g1");
  CHECK(CoordinatorBadge({"g0", "g1"}) == "coordinator of g0, g1");
  CHECK(CoordinatorBadge({"a", "b", "c"}) == "coordinator of 3 groups");
  CHECK(CoordinatorBadge({}).empty());
}

TEST_CASE("cluster_layout: the map keeps a banner line on top and a badge line with groups") {
  view::WorldView w;
  for (NodeIndex i = 0; i < 3; ++i) {
    view::NodeView n;
    n.index = i;
    n.name = i == 0 ? "zk-1" : "broker-" + std::to_string(i);
    n.role = i == 0 ? view::NodeRole::kZooKeeper : view::NodeRole::kBroker;
    w.nodes.push_back(n);
  }
  const float font = 20;
  const ClusterLayout plain = LayoutMap(w, 800, 500, font);
  CHECK(MapLabelLines(w) == 2);
  for (const Point& c : plain.centers) {
    CHECK(c.y - plain.radius >= MapBannerHeight(font));
    // Two label lines under the circle, then the legend's line.
    CHECK(c.y + plain.radius + font * 2 <= 500 - font * 1.4f);
  }
  w.groups.push_back(view::GroupView{});
  CHECK(MapLabelLines(w) == 3);
  const ClusterLayout badged = LayoutMap(w, 800, 500, font);
  for (const Point& c : badged.centers) {
    CHECK(c.y + badged.radius + font * 3 <= 500 - font * 1.4f);
  }
}

}  // namespace
}  // namespace kafkasim::gui
