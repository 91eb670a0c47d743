// Randomised safety swarm: many seeds of message loss, duplication, reordering, partitions,
// crashes and restarts, checking election safety, log matching, leader completeness and a
// monotonic high watermark, then liveness once the faults stop. KAFKASIM_RAFT_SEEDS sets the
// number of seeds (the "slow" ctest entry runs 20000).
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cstdlib>
#include <string>

#include "raft_cluster.h"

namespace kafkasim::raft {
namespace {

using namespace kafkasim::literals;

int SeedCount() {
  const char* value = std::getenv("KAFKASIM_RAFT_SEEDS");
  return value != nullptr ? std::atoi(value) : 200;
}

// One run; returns the violations found (empty when every property held).
std::vector<std::string> RunSeed(std::uint64_t seed) {
  Rng chaos = Rng::Stream(seed, "chaos");
  const int voters = chaos.Bernoulli(0.5) ? 3 : 5;
  testing::NetworkOptions network;
  network.latency_min = 1_ms;
  network.latency_max = Milliseconds(chaos.UniformRange(2, 40));
  network.drop_probability = chaos.NextDouble() * 0.1;
  network.reorder = chaos.Bernoulli(0.5);
  network.duplicate_probability = chaos.Bernoulli(0.3) ? 0.02 : 0.0;
  testing::RaftCluster cluster(seed, RaftConfig{}, network);
  cluster.set_keep_lines(false);
  cluster.set_echo(std::getenv("KAFKASIM_RAFT_TRACE") != nullptr);
  cluster.AddNodes(voters, static_cast<int>(chaos.Uniform(2)));
  const std::vector<NodeId> ids = cluster.ids();
  int proposals = 0;
  for (int step = 0; step < 80; ++step) {
    const std::uint64_t action = chaos.Uniform(12);
    const auto leader_now = cluster.Leader();
    // Faults aimed at the leader make the interesting histories (figure 8 of the Raft paper).
    const NodeId target = leader_now && chaos.Bernoulli(0.5) ? *leader_now : chaos.Choice(ids);
    if (action == 0 || action == 1) {
      cluster.Crash(target);
    } else if (action == 2 || action == 3) {
      cluster.Restart(chaos.Choice(ids));
    } else if (action == 4) {
      std::vector<std::set<NodeId>> groups(2);
      for (NodeId id : ids) groups[chaos.Uniform(2)].insert(id);
      cluster.Partition(groups);
    } else if (action == 5) {
      std::set<NodeId> rest;
      for (NodeId id : ids) {
        if (id != target) rest.insert(id);
      }
      cluster.Partition({{target}, rest});
    } else if (action == 6) {
      cluster.Heal();
    } else if (action == 7) {
      cluster.Shutdown(target);
    }
    if (auto leader = cluster.Leader()) {
      const auto count = chaos.Uniform(4);
      for (std::uint64_t i = 0; i < count; ++i) {
        (void)cluster.Propose(*leader, fmt::format("v{}", proposals++));
      }
    }
    cluster.Run(Milliseconds(chaos.UniformRange(20, 1500)));
    if (step % 8 == 0) cluster.CheckLogMatching();
  }
  // Faults stop: heal, restart everyone, lose nothing more. A leader must emerge and commit.
  cluster.network().drop_probability = 0;
  cluster.network().duplicate_probability = 0;
  cluster.Heal();
  for (NodeId id : ids) cluster.Restart(id);
  cluster.Run(15_s);
  std::vector<std::string> problems;
  const auto leader = cluster.Leader();
  if (!leader) {
    problems.push_back(fmt::format("seed={}: no leader 15 s after the faults stopped", seed));
  } else {
    const Result<Offset> offset = cluster.Propose(*leader, "final");
    cluster.Run(3_s);
    for (NodeId id : ids) {
      const auto& applied = cluster.applied(id);
      if (!offset.ok() || applied.size() <= static_cast<std::size_t>(*offset)) {
        problems.push_back(
            fmt::format("seed={}: {} did not apply the final entry", seed, cluster.Name(id)));
      }
    }
  }
  cluster.CheckLogMatching();
  for (const std::string& v : cluster.violations()) problems.push_back(v);
  return problems;
}

TEST_CASE("raft safety: random faults never break election safety, log matching or commits") {
  const int seeds = SeedCount();
  // KAFKASIM_RAFT_SEED=N replays one seed.
  const char* one = std::getenv("KAFKASIM_RAFT_SEED");
  const int first = one != nullptr ? std::atoi(one) : 1;
  const int last = one != nullptr ? first : seeds;
  int failed = 0;
  for (int seed = first; seed <= last; ++seed) {
    const std::vector<std::string> problems = RunSeed(static_cast<std::uint64_t>(seed));
    if (!problems.empty()) {
      ++failed;
      FAIL_CHECK(fmt::format("seed {}: {}", seed, problems.front()));
    }
  }
  CHECK(failed == 0);
}

TEST_CASE("raft safety: the same seed replays to the same outcome") {
  CHECK(RunSeed(3) == RunSeed(3));
}

}  // namespace
}  // namespace kafkasim::raft
