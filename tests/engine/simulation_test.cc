// Event order, network faults, node lifecycle and determinism of the engine.
#include "engine/simulation.h"

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/sim_file_system.h"

using namespace kafkasim;
using namespace kafkasim::literals;

namespace {

struct Note : Payload {
  explicit Note(int v) : value(v) {}
  MessageClass Class() const override { return kOtherMessageClass; }
  std::string Name() const override { return "Note"; }
  int value;
};

// Records what it receives; replies to odd values with value+1.
class Recorder : public Node {
 public:
  Recorder(NodeEnv& env, std::vector<std::string>* log) : env_(env), log_(log) {}
  void OnStart() override { log_->push_back(env_.name() + " start"); }
  void OnMessage(const Message& m) override {
    const Note* note = m.As<Note>();
    REQUIRE(note != nullptr);
    log_->push_back(env_.name() + " got " + std::to_string(note->value) + " at " +
                    std::to_string(m.deliver_at.ns));
    if (note->value % 2 == 1) env_.Send(m.from, std::make_shared<Note>(note->value + 1));
  }
  void OnTimer(std::uint64_t tag) override {
    log_->push_back(env_.name() + " timer " + std::to_string(tag));
  }
  NodeEnv& env_;
  std::vector<std::string>* log_;
};

struct World {
  explicit World(std::uint64_t seed, NetworkConfig net = {}) : sim(seed, net) {
    for (const char* name : {"a", "b", "c"}) {
      sim.AddNode(name, [this](NodeEnv& env) { return std::make_unique<Recorder>(env, &log); });
    }
    for (NodeIndex i = 0; i < 3; ++i) sim.StartNode(i);
  }
  NodeEnv& env(NodeIndex i) { return sim.Env(i); }
  Simulation sim;
  std::vector<std::string> log;
};

NetworkConfig FixedLatency(Duration d) {
  NetworkConfig c;
  c.latency_base = d;
  c.latency_jitter = Duration{};
  return c;
}

}  // namespace

TEST_CASE("simulation: events at the same time run in the order they were scheduled") {
  Simulation sim(1);
  std::vector<int> order;
  sim.Schedule(Time{5}, [&] { order.push_back(2); });
  sim.Schedule(Time{3}, [&] { order.push_back(1); });
  sim.Schedule(Time{5}, [&] { order.push_back(3); });
  sim.Schedule(Time{5}, [&] { order.push_back(4); });
  sim.RunUntil(Time{10});
  CHECK(order == std::vector<int>{1, 2, 3, 4});
  CHECK(sim.Now() == Time{10});
}

TEST_CASE("simulation: a message arrives after base latency and a reply comes back") {
  World w(1, FixedLatency(5_ms));
  w.env(0).Send(1, std::make_shared<Note>(1));
  w.sim.RunUntil(Time{} + 1_s);
  REQUIRE(w.log.size() == 5);
  CHECK(w.log[3] == "b got 1 at 5000000");
  CHECK(w.log[4] == "a got 2 at 10000000");
}

TEST_CASE("simulation: messages on one connection arrive in send order despite jitter") {
  NetworkConfig net;
  net.latency_base = 1_ms;
  net.latency_jitter = 10_ms;
  World w(3, net);
  for (int v = 0; v < 50; v += 2) w.env(0).Send(1, std::make_shared<Note>(v));
  w.sim.RunUntil(Time{} + 1_s);
  std::vector<int> got;
  for (const auto& line : w.log) {
    if (line.rfind("b got ", 0) == 0) got.push_back(std::stoi(line.substr(6)));
  }
  REQUIRE(got.size() == 25);
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == static_cast<int>(2 * i));
}

TEST_CASE("simulation: a cut link loses messages in flight and new ones until healed") {
  World w(1, FixedLatency(5_ms));
  w.env(0).Send(1, std::make_shared<Note>(2));
  w.sim.RunUntil(Time{} + 1_ms);
  w.sim.network().Cut(0, 1);
  w.env(0).Send(1, std::make_shared<Note>(4));
  w.env(1).Send(0, std::make_shared<Note>(6));  // the other direction still works
  w.sim.RunUntil(Time{} + 20_ms);
  w.sim.network().Heal(0, 1);
  w.env(0).Send(1, std::make_shared<Note>(8));
  w.sim.RunUntil(Time{} + 40_ms);
  std::vector<std::string> received(w.log.begin() + 3, w.log.end());
  CHECK(received == std::vector<std::string>{"a got 6 at 6000000", "b got 8 at 25000000"});
  CHECK(w.sim.messages_dropped() == 2);
}

TEST_CASE("simulation: a partition separates groups and nodes outside any group reach all") {
  World w(1, FixedLatency(1_ms));
  w.sim.network().Partition({{0}, {1}});
  w.env(0).Send(1, std::make_shared<Note>(2));
  w.env(2).Send(0, std::make_shared<Note>(4));
  w.env(2).Send(1, std::make_shared<Note>(6));
  w.sim.RunUntil(Time{} + 10_ms);
  w.sim.network().HealAll();
  w.env(0).Send(1, std::make_shared<Note>(8));
  w.sim.RunUntil(Time{} + 20_ms);
  std::vector<std::string> received(w.log.begin() + 3, w.log.end());
  CHECK(received == std::vector<std::string>{"a got 4 at 1000000", "b got 6 at 1000000",
                                             "b got 8 at 11000000"});
}

TEST_CASE("simulation: a crashed node loses its timers and messages and restarts fresh") {
  World w(1, FixedLatency(5_ms));
  w.env(1).SetTimer(3_ms, 7);
  w.env(0).Send(1, std::make_shared<Note>(2));
  w.sim.RunUntil(Time{} + 1_ms);
  w.sim.CrashNode(1);
  CHECK(w.sim.GetNode(1) == nullptr);
  CHECK(w.sim.GetNodeState(1) == NodeState::kCrashed);
  w.sim.RunUntil(Time{} + 10_ms);
  w.sim.RestartNode(1);
  w.env(0).Send(1, std::make_shared<Note>(4));
  w.sim.RunUntil(Time{} + 20_ms);
  std::vector<std::string> after(w.log.begin() + 3, w.log.end());
  CHECK(after == std::vector<std::string>{"b start", "b got 4 at 15000000"});
}

TEST_CASE("simulation: a stopped node ends cleanly and keeps its unsynced bytes") {
  Simulation sim(1, FixedLatency(5_ms));
  std::vector<std::string> log;
  auto disk = std::make_shared<SimFileSystem>();
  NodeOptions options;
  options.disk = disk;
  const NodeIndex a = sim.AddNode(
      "a", [&log](NodeEnv& env) { return std::make_unique<Recorder>(env, &log); }, options);
  const NodeIndex b =
      sim.AddNode("b", [&log](NodeEnv& env) { return std::make_unique<Recorder>(env, &log); });
  sim.StartNode(a);
  sim.StartNode(b);
  REQUIRE(disk->CreateFile("f").ok());
  const std::uint8_t bytes[] = {1, 2, 3};
  REQUIRE(disk->Append("f", bytes).ok());  // written, never synced
  sim.Env(a).SetTimer(3_ms, 7);
  sim.Env(b).Send(a, std::make_shared<Note>(2));
  sim.RunUntil(Time{} + 1_ms);
  sim.Env(a).StopSelf();
  CHECK(sim.GetNodeState(a) == NodeState::kStopped);
  CHECK(sim.GetNode(a) == nullptr);
  sim.RunUntil(Time{} + 10_ms);
  CHECK(log == std::vector<std::string>{"a start", "b start"});  // no timer, no message
  CHECK(*disk->FileSize("f") == 3);                              // a crash would have lost them
  sim.RestartNode(a);
  CHECK(sim.GetNodeState(a) == NodeState::kRunning);
}

TEST_CASE("simulation: cancelled timers do not fire") {
  World w(1);
  const TimerId t1 = w.env(0).SetTimer(2_ms, 1);
  w.env(0).SetTimer(3_ms, 2);
  w.env(0).CancelTimer(t1);
  w.sim.RunUntil(Time{} + 5_ms);
  CHECK(w.log.back() == "a timer 2");
  CHECK(w.log.size() == 4);
}

TEST_CASE("simulation: drop and duplicate probabilities lose and repeat messages") {
  NetworkConfig lossy = FixedLatency(1_ms);
  lossy.drop_probability = 0.5;
  World w(11, lossy);
  for (int i = 0; i < 200; ++i) w.env(0).Send(1, std::make_shared<Note>(2 * i));
  w.sim.RunUntil(Time{} + 1_s);
  const auto lost = w.sim.messages_dropped();
  CHECK(lost > 60);
  CHECK(lost < 140);

  NetworkConfig dup = FixedLatency(1_ms);
  dup.duplicate_probability = 1.0;
  World d(11, dup);
  d.env(0).Send(1, std::make_shared<Note>(2));
  d.sim.RunUntil(Time{} + 1_s);
  CHECK(d.sim.messages_delivered() == 2);
}

TEST_CASE("simulation: a slow node adds latency to its links") {
  World w(1, FixedLatency(1_ms));
  w.sim.network().SetSlow(1, 50_ms);
  w.env(0).Send(1, std::make_shared<Note>(2));
  w.sim.RunUntil(Time{} + 1_s);
  CHECK(w.log.back() == "b got 2 at 51000000");
}

TEST_CASE("simulation: zones have their own latency, another between them, and can be cut") {
  World w(1, FixedLatency(1_ms));
  Network& net = w.sim.network();
  net.SetZoneConfig(0, FixedLatency(2_ms));
  net.SetZoneConfig(1, FixedLatency(3_ms));
  net.SetBetweenZones(FixedLatency(40_ms));
  net.AssignZone(0, 0);
  net.AssignZone(1, 1);
  // c (2) is in no zone: it follows the zone of the node it talks to.
  w.env(0).Send(1, std::make_shared<Note>(2));  // between zones: 40 ms
  w.env(2).Send(0, std::make_shared<Note>(4));  // into zone 0: 2 ms
  w.env(2).Send(1, std::make_shared<Note>(6));  // into zone 1: 3 ms
  w.sim.RunUntil(Time{} + 100_ms);
  std::vector<std::string> received(w.log.begin() + 3, w.log.end());
  CHECK(received == std::vector<std::string>{"a got 4 at 2000000", "b got 6 at 3000000",
                                             "b got 2 at 40000000"});
  // A cut between the zones loses what is in flight across them and what is sent later,
  // while each zone and the zoneless node still reach both.
  w.log.clear();
  w.env(0).Send(1, std::make_shared<Note>(8));
  w.sim.RunUntil(w.sim.Now() + 1_ms);
  net.CutZones(1, 0);
  CHECK(net.ZonesCut(0, 1));
  w.env(1).Send(0, std::make_shared<Note>(10));
  w.env(2).Send(1, std::make_shared<Note>(12));
  w.sim.RunUntil(w.sim.Now() + 100_ms);
  CHECK(w.log == std::vector<std::string>{"b got 12 at 104000000"});
  net.HealZones(0, 1);
  w.env(1).Send(0, std::make_shared<Note>(14));
  w.sim.RunUntil(w.sim.Now() + 100_ms);
  CHECK(w.log.back() == "a got 14 at 241000000");
}

namespace {
// A ping-pong workload with jitter and loss; returns the trace hash.
std::string Workload(std::uint64_t seed) {
  NetworkConfig net;
  net.drop_probability = 0.05;
  World w(seed, net);
  for (NodeIndex i = 0; i < 3; ++i) {
    w.env(i).Emit("test.start", {{"node", static_cast<std::int64_t>(i)}}, "started");
  }
  for (int round = 0; round < 50; ++round) {
    const auto from = static_cast<NodeIndex>(w.env(0).rng().Uniform(3));
    const auto to = static_cast<NodeIndex>((from + 1) % 3);
    w.env(from).Send(to, std::make_shared<Note>(2 * round + 1));
    w.sim.RunUntil(w.sim.Now() + 3_ms);
  }
  w.sim.RunUntil(w.sim.Now() + 1_s);
  w.env(0).Emit("test.end", {{"log", static_cast<std::int64_t>(w.log.size())}}, "done");
  return w.sim.trace().HashHex();
}
}  // namespace

TEST_CASE("simulation: the same seed gives the same trace hash and another seed does not") {
  CHECK(Workload(42) == Workload(42));
  CHECK(Workload(42) != Workload(43));
}

TEST_CASE("simulation: RunUntil with a predicate stops at its event budget") {
  Simulation sim(1);
  int fired = 0;
  std::function<void()> again = [&] {
    ++fired;
    sim.Schedule(sim.Now() + 1_ms, again);
  };
  sim.Schedule(Time{}, again);
  CHECK_FALSE(sim.RunUntil([] { return false; }, 100));
  CHECK(fired == 100);
  CHECK(sim.RunUntil([&] { return fired >= 150; }, 1000));
}

TEST_CASE("trace: events get indexes, canonical JSON and a formatted line") {
  Trace trace;
  TraceEvent e;
  e.time = Time{} + 1204_ms;
  e.node = "broker-2";
  e.kind = "partition.leader";
  e.fields = {{"partition", std::string("cities-0")}, {"leader_epoch", std::int64_t{3}}};
  e.text = "became leader of cities-0 at leader_epoch 3";
  const TraceEvent& stored = trace.Emit(e);
  CHECK(stored.index == 0);
  CHECK(FormatTraceLine(stored) == "t=1.204s broker-2 became leader of cities-0 at leader_epoch 3");
  CHECK(TraceEventToJson(stored) ==
        R"({"i":0,"t_ns":1204000000,"node":"broker-2","kind":"partition.leader",)"
        R"("fields":{"partition":"cities-0","leader_epoch":3},)"
        R"("text":"became leader of cities-0 at leader_epoch 3"})");
  const auto h = trace.hash();
  trace.Emit(e);
  CHECK(trace.hash() != h);
}

TEST_CASE("time arithmetic saturates at the int64 limits instead of wrapping") {
  CHECK(Milliseconds(INT64_MAX) == Duration{INT64_MAX});
  CHECK(Milliseconds(INT64_MIN) == Duration{INT64_MIN});
  CHECK(Seconds(9'300'000'000) == Duration{INT64_MAX});
  CHECK(Time{1'000} + Duration{INT64_MAX} == kTimeMax);
  CHECK(Time{-5} - Duration{INT64_MAX} == Time{INT64_MIN});
  CHECK(Duration{INT64_MAX} * 2 == Duration{INT64_MAX});
  CHECK(Duration{INT64_MAX} * -2 == Duration{INT64_MIN});
  CHECK(kTimeMax - Time{-1} == Duration{INT64_MAX});
  Time t{INT64_MAX - 1};
  t += Duration{10};
  CHECK(t == kTimeMax);
  CHECK(Milliseconds(1500) + Milliseconds(500) == Seconds(2));
}

TEST_CASE("a timer set Long.MAX milliseconds ahead never fires and never aborts") {
  struct Sleeper : Node {
    explicit Sleeper(NodeEnv& e) : env(e) {}
    void OnStart() override { env.SetTimer(Milliseconds(INT64_MAX), 1); }
    void OnMessage(const Message&) override {}
    void OnTimer(std::uint64_t) override { fired = true; }
    NodeEnv& env;
    bool fired = false;
  };
  Simulation sim(1, NetworkConfig{});
  const NodeIndex n =
      sim.AddNode("sleeper", [](NodeEnv& e) { return std::make_unique<Sleeper>(e); });
  sim.StartNode(n);
  sim.RunUntil(Time{Seconds(3600).ns});
  CHECK_FALSE(dynamic_cast<Sleeper*>(sim.GetNode(n))->fired);
}
