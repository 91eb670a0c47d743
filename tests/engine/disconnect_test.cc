// Process kills, connections and disconnect notifications: what each way of ending a node
// tells its peers and leaves on its disk.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/sim_file_system.h"
#include "engine/simulation.h"

using namespace kafkasim;
using namespace kafkasim::literals;

namespace {

struct Ping : Payload {
  MessageClass Class() const override { return kOtherMessageClass; }
  std::string Name() const override { return "Ping"; }
};

// Logs messages and disconnect notifications with the virtual time they arrive.
class Peer : public Node {
 public:
  Peer(NodeEnv& env, std::vector<std::string>* log) : env_(env), log_(log) {}
  void OnMessage(const Message& m) override {
    log_->push_back(fmt(env_.name() + " got ping from " + env_.simulation().NodeName(m.from)));
  }
  void OnDisconnect(NodeIndex peer) override {
    log_->push_back(fmt(env_.name() + " lost " + env_.simulation().NodeName(peer)));
  }

 private:
  std::string fmt(const std::string& what) const {
    return what + " at " + std::to_string(env_.Now().ns / 1'000'000) + "ms";
  }
  NodeEnv& env_;
  std::vector<std::string>* log_;
};

// Nodes a (with a disk), b, c and d on a network with a fixed 5 ms latency.
struct Cluster {
  explicit Cluster(std::uint64_t seed = 1) : sim(seed, FixedLatency(5_ms)) {
    disk = std::make_shared<SimFileSystem>();
    for (const char* name : {"a", "b", "c", "d"}) {
      NodeOptions options;
      if (std::string(name) == "a") options.disk = disk;
      sim.AddNode(
          name, [this](NodeEnv& env) { return std::make_unique<Peer>(env, &log); }, options);
    }
    for (NodeIndex i = 0; i < 4; ++i) sim.StartNode(i);
  }
  static NetworkConfig FixedLatency(Duration d) {
    NetworkConfig c;
    c.latency_base = d;
    c.latency_jitter = Duration{};
    return c;
  }
  void Send(NodeIndex from, NodeIndex to) { sim.Env(from).Send(to, std::make_shared<Ping>()); }
  void RunTo(Duration d) { sim.RunUntil(Time{} + d); }
  Simulation sim;
  std::shared_ptr<SimFileSystem> disk;
  std::vector<std::string> log;
};

constexpr NodeIndex kA = 0, kB = 1, kC = 2, kD = 3;

}  // namespace

TEST_CASE("simulation: a killed node keeps its unsynced bytes, unlike a crashed one") {
  const std::uint8_t bytes[] = {1, 2, 3};
  Cluster killed;
  REQUIRE(killed.disk->CreateFile("f").ok());
  REQUIRE(killed.disk->Append("f", bytes).ok());  // written, never synced
  killed.sim.KillNode(kA);
  CHECK(killed.sim.GetNodeState(kA) == NodeState::kKilled);
  CHECK(std::string(NodeStateName(NodeState::kKilled)) == "killed");
  CHECK(killed.sim.GetNode(kA) == nullptr);
  CHECK(*killed.disk->FileSize("f") == 3);  // the page cache outlives the process

  Cluster crashed;
  REQUIRE(crashed.disk->CreateFile("f").ok());
  REQUIRE(crashed.disk->Append("f", bytes).ok());
  crashed.sim.CrashNode(kA);
  CHECK(crashed.sim.GetNodeState(kA) == NodeState::kCrashed);
  CHECK(*crashed.disk->FileSize("f") == 0);  // never synced: lost with the power
}

TEST_CASE("simulation: peers with a connection to a killed node learn it after one latency") {
  Cluster w;
  w.Send(kB, kA);  // b -> a opens (a, b)
  w.Send(kA, kC);  // a -> c opens (a, c); d never talks to a
  w.Send(kC, kD);
  w.RunTo(10_ms);
  w.Send(kB, kA);  // in flight when a dies: lost with the connection
  w.RunTo(12_ms);
  w.sim.KillNode(kA);
  w.RunTo(30_ms);
  CHECK(w.log == std::vector<std::string>{"a got ping from b at 5ms", "c got ping from a at 5ms",
                                          "d got ping from c at 5ms", "b lost a at 17ms",
                                          "c lost a at 17ms"});
  CHECK(w.sim.disconnects_delivered() == 2);
}

TEST_CASE("simulation: a message to a killed process is refused and its sender told") {
  Cluster w;
  w.sim.KillNode(kA);
  w.Send(kB, kA);  // reaches a's machine at 5 ms; the RST is back at 10 ms
  w.RunTo(20_ms);
  CHECK(w.log == std::vector<std::string>{"b lost a at 10ms"});
  w.sim.RestartNode(kA);
  w.Send(kB, kA);
  w.RunTo(40_ms);
  CHECK(w.log.back() == "a got ping from b at 25ms");
}

TEST_CASE("simulation: a power-loss crash and a cut link notify nobody") {
  Cluster w;
  w.Send(kB, kA);
  w.Send(kC, kD);
  w.RunTo(10_ms);
  w.sim.CrashNode(kA);
  w.sim.network().CutBoth(kC, kD);
  w.Send(kB, kA);  // to a machine without power: silence, not a refusal
  w.RunTo(100_ms);
  CHECK(w.log == std::vector<std::string>{"a got ping from b at 5ms", "d got ping from c at 5ms"});
  CHECK(w.sim.disconnects_delivered() == 0);
  // The cut closed (c, d): killing d after a heal tells c nothing, as they never talked again.
  w.sim.network().HealBoth(kC, kD);
  w.sim.KillNode(kD);
  w.RunTo(200_ms);
  CHECK(w.sim.disconnects_delivered() == 0);
}

TEST_CASE("simulation: a clean stop notifies connected peers; a peer that died meanwhile is not") {
  Cluster w;
  w.Send(kB, kA);
  w.Send(kC, kA);
  w.RunTo(10_ms);
  w.sim.StopNode(kA);
  w.sim.CrashNode(kC);  // before the notification reaches it
  w.RunTo(30_ms);
  CHECK(w.log == std::vector<std::string>{"a got ping from b at 5ms", "a got ping from c at 5ms",
                                          "b lost a at 15ms"});
}

TEST_CASE("simulation: kills and notifications replay identically for a seed") {
  auto run = [](std::uint64_t seed) {
    Simulation sim(seed);  // default latency with jitter
    std::vector<std::string> log;
    for (int i = 0; i < 5; ++i) {
      sim.AddNode("n" + std::to_string(i),
                  [&log](NodeEnv& env) { return std::make_unique<Peer>(env, &log); });
      sim.StartNode(static_cast<NodeIndex>(i));
    }
    for (NodeIndex i = 1; i < 5; ++i) sim.Env(i).Send(0, std::make_shared<Ping>());
    sim.RunUntil(Time{} + 10_ms);
    sim.KillNode(0);
    for (NodeIndex i = 1; i < 5; ++i) sim.Env(i).Send(0, std::make_shared<Ping>());
    sim.RunUntil(Time{} + 50_ms);
    return log;
  };
  const auto first = run(42);
  CHECK(first.size() == 4 + 4 + 4);  // pings, notifications of the kill, refusals
  CHECK(first == run(42));
}
