// A small swarm: the nemesis's random fault schedules (power loss, process kill, restart,
// isolation, one-way and two-way cuts, slow nodes, disk faults) and lossy links on a 3-broker,
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
#include "scenario/nemesis.h"
#include "scenario/runner.h"
#include "scenario/trace_kinds.h"

namespace kafkasim::scenario {
namespace {

// The swarm's scenario: a 3-broker, 3-controller cluster, acks=all with min.insync.replicas=2,
// a lossy network on one seed in three; the faults come from the nemesis (scenario/nemesis.h).
std::string SwarmScenario(std::uint64_t seed) {
  Rng rng = Rng::Stream(seed, "swarm");
  return fmt::format(
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
  "steps": []}})",
      seed, seed, rng.Uniform(3) == 0 ? "0.01" : "0");
}

std::string RunAndCheck(std::uint64_t seed) {
  std::vector<std::string> errors;
  const std::string json = SwarmScenario(seed);
  auto scenario = ParseScenario(json, fmt::format("swarm-{}.json", seed), &errors);
  REQUIRE_MESSAGE(scenario.has_value(), errors.front() << "\n" << json);
  RunOptions options;
  options.seed = seed;
  options.messages_recorded_max = 0;
  options.nemesis = *ParseNemesis("crash,kill,partition,slow,disk");
  bool power_loss = false;  // some broker lost power
  options.sinks.push_back([&power_loss](const TraceEvent& e) {
    power_loss = power_loss || (e.kind == trace_kind::kNodeCrash && e.text.starts_with("broker"));
  });
  Runner runner(std::move(*scenario), std::move(options));
  runner.RunToEnd(kTimeMax);
  // The run did happen: the producer wrote (how many writes were acknowledged depends on how
  // long the schedule kept the partitions unavailable).
  CHECK_MESSAGE(runner.world().history().stats["producer-1"].sent > 100,
                "seed " << seed << ": " << runner.world().sim().events_executed() << " events");
  for (const view::CheckView& c : runner.checks()) {
    if (!c.continuous) continue;
    if (c.name == "acks=all writes, once acknowledged, are kept" && power_loss) continue;
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
    // (Seed 79 of the generator this test had before the nemesis found a broker restarted
    // after a power loss acting on the leadership its stale metadata gave it; that schedule is
    // gone with the generator.)
    for (std::uint64_t s = 1; s <= 16; ++s) seeds.push_back(s);
  }
  for (const std::uint64_t seed : seeds) {
    const std::string first = RunAndCheck(seed);
    if (seed <= 2) CHECK(RunAndCheck(seed) == first);
  }
}

}  // namespace
}  // namespace kafkasim::scenario
