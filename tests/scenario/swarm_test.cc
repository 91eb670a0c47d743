// A small swarm: random fault schedules (power loss, process kill, restart, controlled
// shutdown, isolation, one-way and two-way cuts, slow nodes, lossy links) on a 3-broker,
// 3-controller KRaft cluster with an acks=all producer. Every run must finish without an
// invariant violation, keep "at most one leader per partition and epoch", replay to the same
// trace hash, and — when no broker ever lost power — keep every acknowledged acks=all write.
// (A power loss may lose acknowledged writes in Kafka too: the log is not fsynced, see
// scenarios/unclean-election-data-loss.json and KIP-966.)
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "engine/prng.h"
#include "scenario/runner.h"

namespace kafkasim::scenario {
namespace {

struct Generated {
  std::string json;
  bool power_loss = false;  // some broker was crashed
};

Generated RandomSchedule(std::uint64_t seed) {
  Rng rng = Rng::Stream(seed, "swarm");
  const std::vector<std::string> nodes = {"broker-1",     "broker-2",     "broker-3",
                                          "controller-1", "controller-2", "controller-3"};
  std::set<std::string> down;
  std::vector<std::string> steps;
  Generated g;
  double t = 8;
  while (true) {
    t += 1.5 + 4.5 * rng.NextDouble();
    if (t > 100) break;
    const std::string& node = nodes[rng.Uniform(nodes.size())];
    const std::string at = fmt::format("\"at\": \"{:.3f}s\"", t);
    switch (rng.Uniform(8)) {
      case 0:
      case 1:
        if (down.count(node) > 0) break;
        down.insert(node);
        if (rng.Uniform(2) == 0) {
          steps.push_back(fmt::format("{{{}, \"crash\": \"{}\"}}", at, node));
          g.power_loss = g.power_loss || node.rfind("broker", 0) == 0;
        } else {
          steps.push_back(fmt::format("{{{}, \"kill\": \"{}\"}}", at, node));
        }
        break;
      case 2:
      case 3:
        if (down.empty()) break;
        steps.push_back(fmt::format("{{{}, \"restart\": \"{}\"}}", at, *down.begin()));
        down.erase(down.begin());
        break;
      case 4:
        steps.push_back(fmt::format("{{{}, \"isolate\": \"{}\"}}", at, node));
        break;
      case 5:
        steps.push_back(fmt::format("{{{}, \"heal_all\": true}}", at));
        break;
      case 6: {
        const std::string& other = nodes[rng.Uniform(nodes.size())];
        if (other == node) break;
        steps.push_back(
            fmt::format("{{{}, \"cut\": {{\"from\": \"{}\", \"to\": \"{}\", "
                        "\"both\": {}}}}}",
                        at, node, other, rng.Uniform(2) == 1));
        break;
      }
      default:
        if (node.rfind("broker", 0) != 0 || down.count(node) > 0) break;
        down.insert(node);
        steps.push_back(fmt::format("{{{}, \"shutdown\": \"{}\"}}", at, node));
        break;
    }
  }
  steps.push_back("{\"at\": \"105s\", \"heal_all\": true}");
  for (const std::string& node : down) {
    steps.push_back(fmt::format("{{\"restart\": \"{}\"}}", node));
  }
  g.json = fmt::format(
      R"({{"name": "swarm {}", "seed": {}, "end": "140s",
  "cluster": {{"brokers": 3, "controllers": 3,
              "network": {{"latency_ms": [1, 5], "drop": {}}},
              "broker_config": {{"replica.lag.time.max.ms": 10000}}}},
  "topics": [{{"name": "t", "partitions": 3, "replication_factor": 3,
              "config": {{"min.insync.replicas": 2, "segment.bytes": 4096}}}}],
  "clients": [{{"id": "producer-1", "type": "producer", "topic": "t", "acks": "all",
               "rate_per_s": 20, "keys": ["a", "b", "c", "d"], "start": "6s"}},
              {{"id": "consumer-1", "type": "consumer", "topic": "t",
               "from_beginning": true, "start": "6s"}}],
  "steps": [{}]}})",
      seed, seed, rng.Uniform(3) == 0 ? "0.01" : "0", fmt::join(steps, ",\n  "));
  return g;
}

std::string RunAndCheck(const Generated& g, std::uint64_t seed) {
  std::vector<std::string> errors;
  auto scenario = ParseScenario(g.json, fmt::format("swarm-{}.json", seed), &errors);
  REQUIRE_MESSAGE(scenario.has_value(), errors.front() << "\n" << g.json);
  RunOptions options;
  options.seed = seed;
  options.messages_recorded_max = 0;
  Runner runner(std::move(*scenario), std::move(options));
  runner.RunToEnd(kTimeMax);
  // The run did happen: the producer wrote (how many writes were acknowledged depends on how
  // long the schedule kept the partitions unavailable).
  CHECK_MESSAGE(runner.world().history().stats["producer-1"].sent > 100,
                "seed " << seed << ": " << runner.world().sim().events_executed() << " events");
  for (const view::CheckView& c : runner.checks()) {
    if (!c.continuous) continue;
    if (c.name == "acks=all writes, once acknowledged, are kept" && g.power_loss) continue;
    CHECK_MESSAGE(c.ok, "seed " << seed << ": " << c.name << ": " << c.seen);
  }
  return runner.world().sim().trace().HashHex();
}

TEST_CASE("swarm: random faults keep the guarantees and replay to the same hash") {
  // KAFKASIM_SWARM_SEEDS=N runs seeds 1..N (the default keeps the unit tests quick).
  std::vector<std::uint64_t> seeds;
  if (const char* env = std::getenv("KAFKASIM_SWARM_SEEDS")) {
    for (std::uint64_t s = 1; s <= std::strtoull(env, nullptr, 10); ++s) seeds.push_back(s);
  } else {
    for (std::uint64_t s = 1; s <= 16; ++s) seeds.push_back(s);
    // Seed 79 found that a broker restarted after a power loss acted on the leadership its
    // stale local metadata still gave it, so two different logs grew under one leader epoch
    // (a follower then hit an invariant). Kept as a regression seed.
    seeds.push_back(79);
  }
  for (const std::uint64_t seed : seeds) {
    const Generated g = RandomSchedule(seed);
    const std::string first = RunAndCheck(g, seed);
    if (seed <= 2) CHECK(RunAndCheck(g, seed) == first);
  }
}

}  // namespace
}  // namespace kafkasim::scenario
