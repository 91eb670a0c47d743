// KafkaZkClient against a real ensemble of ZkServerNodes: after moving to another server with
// its session, the client sets its watches again there (SetWatches, ClientCnxn.primeConnection),
// so a change made while it was away fires at once and a later change fires from the new server.
#include "kafka/zk_client.h"

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/sim_file_system.h"
#include "engine/simulation.h"
#include "zookeeper/zk_server_node.h"

namespace kafkasim::kafka {
namespace {

using zookeeper::ClientReply;
using zookeeper::CreateMode;
using zookeeper::Op;
using zookeeper::OpType;
using zookeeper::Request;
using zookeeper::ZkCode;

// One engine node hosting a KafkaZkClient, recording the watch events it is handed.
class ClientHost final : public Node {
 public:
  ClientHost(NodeEnv& env, std::shared_ptr<const zookeeper::ZkEnsembleDirectory> ensemble) {
    KafkaZkClient::Handlers handlers;
    handlers.connected = [this](bool fresh) { connects.push_back(fresh); };
    handlers.watch = [this](const zookeeper::ClientWatchEvent& e) {
      events.push_back(std::string(zookeeper::WatchEventTypeName(e.type)) + " " + e.path);
    };
    client = std::make_unique<KafkaZkClient>(env, std::move(ensemble), 6000, std::move(handlers));
  }
  void OnStart() override { client->Start(); }
  void OnMessage(const Message& message) override { client->OnMessage(message); }
  void OnTimer(std::uint64_t tag) override {
    if (tag == KafkaZkClient::kTimerTag) client->OnTimer();
  }
  void OnDisconnect(NodeIndex peer) override { client->OnDisconnect(peer); }

  std::unique_ptr<KafkaZkClient> client;
  std::vector<bool> connects;
  std::vector<std::string> events;
};

struct World {
  World() : sim(11) {
    auto directory = std::make_shared<zookeeper::ZkEnsembleDirectory>();
    for (int i = 1; i <= 3; ++i) directory->node_of_server[i] = static_cast<NodeIndex>(i - 1);
    for (int i = 1; i <= 3; ++i) {
      zookeeper::ZkConfig config;
      config.server_id = i;
      config.servers = {1, 2, 3};
      sim.AddNode(
          "zk-" + std::to_string(i),
          [directory, config](NodeEnv& env) {
            return std::make_unique<zookeeper::ZkServerNode>(env, directory, config);
          },
          NodeOptions{std::make_shared<SimFileSystem>()});
    }
    watcher = sim.AddNode("broker-1", [directory](NodeEnv& env) {
      return std::make_unique<ClientHost>(env, directory);
    });
    writer = sim.AddNode("broker-2", [directory](NodeEnv& env) {
      return std::make_unique<ClientHost>(env, directory);
    });
    for (NodeIndex n = 0; n < 5; ++n) sim.StartNode(n);
    ensemble = directory;
  }
  ClientHost& Host(NodeIndex n) { return *dynamic_cast<ClientHost*>(sim.GetNode(n)); }
  // Runs one ZooKeeper write of `who` to completion; the reply's code.
  ZkCode Write(NodeIndex who, Op op) {
    std::optional<ZkCode> code;
    Host(who).client->Write(Request{false, {std::move(op)}},
                            [&code](const ClientReply& r) { code = r.code; });
    REQUIRE(sim.RunUntil([&] { return code.has_value(); }, 1'000'000));
    return *code;
  }

  Simulation sim;
  std::shared_ptr<const zookeeper::ZkEnsembleDirectory> ensemble;
  NodeIndex watcher = kNoNode;
  NodeIndex writer = kNoNode;
};

TEST_CASE("zk client: watches are set again on the server a client reconnects to (SetWatches)") {
  World w;
  REQUIRE(w.sim.RunUntil(
      [&] { return w.Host(w.watcher).client->connected() && w.Host(w.writer).client->connected(); },
      5'000'000));
  CHECK(w.Write(w.writer, Op{OpType::kCreate, "/x", "a", CreateMode::kPersistent, -1}) ==
        ZkCode::kOk);
  KafkaZkClient& c = *w.Host(w.watcher).client;
  int answered = 0;
  c.GetData("/x", true, [&](const ClientReply& r) { answered += r.code == ZkCode::kOk; });
  c.Exists("/y", true, [&](const ClientReply& r) { answered += r.code == ZkCode::kNoNode; });
  REQUIRE(w.sim.RunUntil([&] { return answered == 2; }, 1'000'000));

  // The watcher's link to its server breaks; meanwhile /x changes. The event the old server
  // sends is lost with the link.
  const zookeeper::ServerId first = c.server();
  w.sim.network().CutBoth(w.watcher, w.ensemble->NodeFor(first));
  CHECK(w.Write(w.writer, Op{OpType::kSetData, "/x", "b", CreateMode::kPersistent, -1}) ==
        ZkCode::kOk);
  CHECK(w.Host(w.watcher).events.empty());

  // The client moves to another server with the same session; SetWatches there fires the
  // missed change at once (its mzxid is above the last zxid the client saw).
  REQUIRE(w.sim.RunUntil([&] { return w.Host(w.watcher).connects.size() == 2 && c.connected(); },
                         5'000'000));
  CHECK(c.server() != first);
  CHECK(w.Host(w.watcher).connects == std::vector<bool>{true, false});
  w.sim.RunUntil(w.sim.Now() + Milliseconds(500));
  CHECK(w.Host(w.watcher).events == std::vector<std::string>{"NodeDataChanged /x"});

  // The exist watch on /y now lives on the new server: creating /y fires it there.
  CHECK(w.Write(w.writer, Op{OpType::kCreate, "/y", "", CreateMode::kPersistent, -1}) ==
        ZkCode::kOk);
  w.sim.RunUntil(w.sim.Now() + Milliseconds(500));
  CHECK(w.Host(w.watcher).events ==
        std::vector<std::string>{"NodeDataChanged /x", "NodeCreated /y"});
}

// DataTree.setWatches (ZooKeeper 3.8): a data watch on a node deleted meanwhile fires
// NodeDeleted; a child watch fires NodeChildrenChanged when the node's pzxid moved past the
// last zxid the client saw, NodeDeleted when the node is gone. Data watches come first.
TEST_CASE("zk client: SetWatches fires deletions and child changes missed while away") {
  World w;
  REQUIRE(w.sim.RunUntil(
      [&] { return w.Host(w.watcher).client->connected() && w.Host(w.writer).client->connected(); },
      5'000'000));
  for (const char* path : {"/d", "/p", "/q"}) {
    CHECK(w.Write(w.writer, Op{OpType::kCreate, path, "", CreateMode::kPersistent, -1}) ==
          ZkCode::kOk);
  }
  KafkaZkClient& c = *w.Host(w.watcher).client;
  int answered = 0;
  c.GetData("/d", true, [&](const ClientReply& r) { answered += r.code == ZkCode::kOk; });
  c.GetChildren("/p", true, [&](const ClientReply& r) { answered += r.code == ZkCode::kOk; });
  c.GetChildren("/q", true, [&](const ClientReply& r) { answered += r.code == ZkCode::kOk; });
  REQUIRE(w.sim.RunUntil([&] { return answered == 3; }, 1'000'000));

  const zookeeper::ServerId first = c.server();
  w.sim.network().CutBoth(w.watcher, w.ensemble->NodeFor(first));
  CHECK(w.Write(w.writer, Op{OpType::kDelete, "/d", "", CreateMode::kPersistent, -1}) ==
        ZkCode::kOk);
  CHECK(w.Write(w.writer, Op{OpType::kCreate, "/p/c", "", CreateMode::kPersistent, -1}) ==
        ZkCode::kOk);
  CHECK(w.Write(w.writer, Op{OpType::kDelete, "/q", "", CreateMode::kPersistent, -1}) ==
        ZkCode::kOk);
  CHECK(w.Host(w.watcher).events.empty());

  REQUIRE(w.sim.RunUntil([&] { return w.Host(w.watcher).connects.size() == 2 && c.connected(); },
                         5'000'000));
  CHECK(c.server() != first);
  w.sim.RunUntil(w.sim.Now() + Milliseconds(500));
  CHECK(w.Host(w.watcher).events ==
        std::vector<std::string>{"NodeDeleted /d", "NodeChildrenChanged /p", "NodeDeleted /q"});

  // Each watch was one-shot: later changes fire nothing.
  CHECK(w.Write(w.writer, Op{OpType::kCreate, "/p/e", "", CreateMode::kPersistent, -1}) ==
        ZkCode::kOk);
  CHECK(w.Write(w.writer, Op{OpType::kCreate, "/d", "", CreateMode::kPersistent, -1}) ==
        ZkCode::kOk);
  w.sim.RunUntil(w.sim.Now() + Milliseconds(500));
  CHECK(w.Host(w.watcher).events.size() == 3);
}

}  // namespace
}  // namespace kafkasim::kafka
