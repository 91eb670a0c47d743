// ZkServerNode in the engine: an ensemble of engine nodes elects a leader, serves a client over
// ZkClientMessages, survives a crash of its leader, and a restarted server recovers from the
// version-2/ files on its simulated disk.
#include "zookeeper/zk_server_node.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "engine/sim_file_system.h"
#include "engine/simulation.h"
#include "zookeeper/zk_files.h"

namespace kafkasim::zookeeper {
namespace {

using namespace kafkasim::literals;

// A client that records what the server answers.
class RecordingClient final : public Node {
 public:
  explicit RecordingClient(NodeEnv& env) : env_(env) {}
  void OnMessage(const Message& message) override {
    if (const auto* m = message.As<ZkClientMessage>()) received.push_back(m->body);
  }
  void Send(NodeIndex to, ClientRequest request) {
    env_.Send(to, std::make_shared<ZkClientMessage>(std::move(request)));
  }
  std::vector<ZkClientBody> received;

 private:
  NodeEnv& env_;
};

struct Ensemble {
  explicit Ensemble(int n, std::uint64_t seed = 7) : sim(seed) {
    auto directory = std::make_shared<ZkEnsembleDirectory>();
    std::vector<ServerId> ids;
    for (int i = 1; i <= n; ++i) ids.push_back(i);
    for (int i = 1; i <= n; ++i) {
      directory->node_of_server[i] = static_cast<NodeIndex>(i - 1);
    }
    for (int i = 1; i <= n; ++i) {
      ZkConfig config;
      config.server_id = i;
      config.servers = ids;
      auto disk = std::make_shared<SimFileSystem>();
      disks.push_back(disk);
      nodes.push_back(sim.AddNode(
          "zk-" + std::to_string(i),
          [directory, config](NodeEnv& env) {
            return std::make_unique<ZkServerNode>(env, directory, config);
          },
          NodeOptions{disk}));
    }
    if (std::getenv("KAFKASIM_ZK_ECHO") != nullptr) {
      sim.trace().AddSink([](const TraceEvent& ev) {
        fprintf(stderr, "%s %s %s %s\n", FormatTime(ev.time).c_str(), ev.node.c_str(),
                ev.kind.c_str(), ev.text.c_str());
      });
    }
    for (NodeIndex node : nodes) sim.StartNode(node);
    client =
        sim.AddNode("client", [](NodeEnv& env) { return std::make_unique<RecordingClient>(env); });
    sim.StartNode(client);
  }
  const ZkServerNode* Server(int i) {
    return dynamic_cast<const ZkServerNode*>(sim.GetNode(nodes[static_cast<std::size_t>(i - 1)]));
  }
  int Leaders() {
    int leaders = 0;
    for (int i = 1; i <= static_cast<int>(nodes.size()); ++i) {
      const ZkServerNode* s = Server(i);
      if (s != nullptr && s->server() != nullptr && s->server()->state() == ServerState::kLeading &&
          s->server()->serving()) {
        ++leaders;
      }
    }
    return leaders;
  }
  int LeaderId() {
    for (int i = 1; i <= static_cast<int>(nodes.size()); ++i) {
      const ZkServerNode* s = Server(i);
      if (s != nullptr && s->server() != nullptr && s->server()->state() == ServerState::kLeading &&
          s->server()->serving()) {
        return i;
      }
    }
    return -1;
  }
  RecordingClient& Client() { return *dynamic_cast<RecordingClient*>(sim.GetNode(client)); }

  Simulation sim;
  std::vector<NodeIndex> nodes;
  std::vector<std::shared_ptr<SimFileSystem>> disks;
  NodeIndex client = kNoNode;
};

TEST_CASE("an ensemble of three engine nodes elects one leader that every server follows") {
  Ensemble e(3);
  e.sim.RunUntil(Time{} + 10_s);
  CHECK(e.Leaders() == 1);
  const int leader = e.LeaderId();
  for (int i = 1; i <= 3; ++i) {
    CHECK(e.Server(i)->server()->leader() == leader);
    CHECK(e.disks[static_cast<std::size_t>(i - 1)]->Exists("version-2/currentEpoch"));
    CHECK(e.disks[static_cast<std::size_t>(i - 1)]->Exists("myid"));
  }
}

TEST_CASE("a client connects, creates an ephemeral znode, reads it back and is told of changes") {
  Ensemble e(3);
  e.sim.RunUntil(Time{} + 10_s);
  const NodeIndex zk1 = e.nodes[0];
  e.Client().Send(zk1, ClientRequest{ClientOp::kConnect, kNoSession, 0, 18000, {}, "", false});
  e.sim.RunUntil(Time{} + 11_s);
  REQUIRE(e.Client().received.size() == 1);
  const auto* connected = std::get_if<ClientReply>(&e.Client().received[0]);
  REQUIRE(connected != nullptr);
  CHECK(connected->code == ZkCode::kOk);
  CHECK(connected->op == ClientOp::kConnect);
  CHECK(connected->session_timeout == 18000);
  const SessionId session = connected->session;

  // exists with a watch, then create: the create answers and the watch fires.
  e.Client().Send(zk1, ClientRequest{ClientOp::kExists, session, 1, 0, {}, "/brokers", true});
  Request create{false, {Op{OpType::kCreate, "/brokers", "x", CreateMode::kEphemeral, -1}}};
  e.Client().Send(zk1, ClientRequest{ClientOp::kWrite, session, 2, 0, create, "", false});
  e.sim.RunUntil(Time{} + 12_s);
  REQUIRE(e.Client().received.size() == 4);
  CHECK(std::get<ClientReply>(e.Client().received[1]).code == ZkCode::kNoNode);
  bool created = false;
  bool fired = false;
  for (std::size_t i = 2; i < 4; ++i) {
    if (const auto* r = std::get_if<ClientReply>(&e.Client().received[i])) {
      created = r->xid == 2 && r->code == ZkCode::kOk;
    }
    if (const auto* w = std::get_if<ClientWatchEvent>(&e.Client().received[i])) {
      fired = w->type == WatchEventType::kNodeCreated && w->path == "/brokers";
    }
  }
  CHECK(created);
  CHECK(fired);

  // Every server reads the same data once the write committed everywhere.
  e.Client().Send(e.nodes[2], ClientRequest{ClientOp::kConnect, session, 0, 18000, {}, "", false});
  e.Client().Send(e.nodes[2],
                  ClientRequest{ClientOp::kGetData, session, 3, 0, {}, "/brokers", false});
  e.sim.RunUntil(Time{} + 13_s);
  const auto& got = std::get<ClientReply>(e.Client().received.back());
  CHECK(got.code == ZkCode::kOk);
  CHECK(got.data == "x");
  CHECK(got.stat.ephemeral_owner == session);
}

TEST_CASE("the ensemble elects a new leader when its leader crashes, and the old one rejoins") {
  Ensemble e(3);
  e.sim.RunUntil(Time{} + 10_s);
  const int old_leader = e.LeaderId();
  REQUIRE(old_leader > 0);
  e.sim.CrashNode(e.nodes[static_cast<std::size_t>(old_leader - 1)]);
  e.sim.RunUntil(Time{} + 30_s);
  CHECK(e.Leaders() == 1);
  CHECK(e.LeaderId() != old_leader);
  e.sim.RestartNode(e.nodes[static_cast<std::size_t>(old_leader - 1)]);
  e.sim.RunUntil(Time{} + 50_s);
  CHECK(e.Leaders() == 1);
  const ZkServerNode* back = e.Server(old_leader);
  REQUIRE(back->server() != nullptr);
  CHECK(back->server()->state() == ServerState::kFollowing);
  CHECK(back->server()->current_epoch() == e.Server(e.LeaderId())->server()->current_epoch());
}

TEST_CASE("two of three servers down leave no leader; one back restores the quorum") {
  Ensemble e(3);
  e.sim.RunUntil(Time{} + 10_s);
  e.sim.CrashNode(e.nodes[0]);
  e.sim.CrashNode(e.nodes[1]);
  e.sim.RunUntil(Time{} + 40_s);
  CHECK(e.Leaders() == 0);
  e.sim.RestartNode(e.nodes[1]);
  e.sim.RunUntil(Time{} + 80_s);
  CHECK(e.Leaders() == 1);
}

}  // namespace
}  // namespace kafkasim::zookeeper
