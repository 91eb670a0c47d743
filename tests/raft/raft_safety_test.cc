// Randomised safety swarm: many seeds of message loss, duplication, reordering, partitions,
// crashes and restarts, checking election safety, log matching, leader completeness and a
// monotonic high watermark, then liveness once the faults stop. KAFKASIM_RAFT_SEEDS sets the
// number of seeds (the "slow" ctest entry runs 20000).
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "engine/prng.h"
#include "raft_cluster.h"

namespace kafkasim::raft {
namespace {

using namespace kafkasim::literals;

int SeedCount() {
  const char* value = std::getenv("KAFKASIM_RAFT_SEEDS");
  return value != nullptr ? std::atoi(value) : 200;
}

// What one seed's run did: the violations found (empty when every property held), how much
// history it made, and a fingerprint of every node's disk at the end.
struct SeedRun {
  std::vector<std::string> problems;
  std::size_t epochs_led = 0;
  std::size_t committed = 0;
  std::uint64_t events = 0;
  std::uint64_t disks_hash = 0;
};

std::uint64_t DisksHash(const testing::RaftCluster& cluster) {
  std::uint64_t h = Fnv1a64("");
  for (NodeId id : cluster.ids()) {
    const testing::Disk& disk = cluster.disk(id);
    h = Fnv1a64(disk.quorum_state_json, h);
    for (const LogEntry& e : disk.log) {
      h = Fnv1a64(fmt::format("|{}:{}:{}:", e.offset, e.epoch, static_cast<int>(e.kind)), h);
      h = Fnv1a64(e.payload, h);
    }
  }
  return h;
}

bool HasViolation(const testing::RaftCluster& cluster, std::string_view what) {
  for (const std::string& v : cluster.violations()) {
    if (v.find(what) != std::string::npos) return true;
  }
  return false;
}

// Delivers messages (ignoring latency, firing no timer) until none is left in flight.
void Settle(testing::RaftCluster& cluster) {
  for (int round = 0; round < 50 && cluster.queued() > 0; ++round) cluster.DeliverQueued();
  REQUIRE(cluster.queued() == 0);
}

SeedRun RunSeed(std::uint64_t seed) {
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
  return SeedRun{std::move(problems), cluster.epochs_led(), cluster.committed_entries(),
                 cluster.events(), DisksHash(cluster)};
}

TEST_CASE("raft safety: random faults never break election safety, log matching or commits") {
  const int seeds = SeedCount();
  // KAFKASIM_RAFT_SEED=N replays one seed.
  const char* one = std::getenv("KAFKASIM_RAFT_SEED");
  const int first = one != nullptr ? std::atoi(one) : 1;
  const int last = one != nullptr ? first : seeds;
  int failed = 0;
  int reelected = 0;  // seeds whose faults forced at least one new leader
  for (int seed = first; seed <= last; ++seed) {
    const SeedRun run = RunSeed(static_cast<std::uint64_t>(seed));
    if (!run.problems.empty()) {
      ++failed;
      FAIL_CHECK(fmt::format("seed {}: {}", seed, run.problems.front()));
    }
    if (run.epochs_led >= 2) ++reelected;
  }
  CHECK(failed == 0);
  // The swarm tests something only if its faults make elections happen.
  CHECK(reelected * 2 > last - first + 1);
}

TEST_CASE("raft safety: the same seed replays to the same history") {
  const SeedRun a = RunSeed(3);
  const SeedRun b = RunSeed(3);
  CHECK(a.problems.empty());
  CHECK(a.epochs_led >= 2);
  CHECK(a.committed >= 2);
  CHECK(a.events == b.events);
  CHECK(a.disks_hash == b.disks_hash);
  CHECK(a.epochs_led == b.epochs_led);
  CHECK(a.committed == b.committed);
  CHECK(RunSeed(4).disks_hash != a.disks_hash);  // the fingerprint tells runs apart
}

// The checks themselves: each planted fault must be reported, or a swarm finding nothing
// would prove nothing.
TEST_CASE(
    "raft safety: a voter that forgot its vote lets two leaders share an epoch, and the "
    "check says so") {
  testing::RaftCluster cluster(5);
  cluster.AddNodes(3);
  cluster.Partition({{1, 2}, {3}});
  cluster.Campaign(1);
  Settle(cluster);
  REQUIRE(cluster.Leader() == NodeId{1});
  const Epoch epoch = cluster.node(1)->epoch();
  // controller-2 loses its disk (its vote for controller-1 with it) and meets controller-3,
  // which has not heard of the epoch: it votes again, for controller-3, in the same epoch.
  cluster.Crash(2);
  cluster.TamperWithDisk(2) = testing::Disk{};
  cluster.Restart(2);
  cluster.Partition({{1}, {2, 3}});
  cluster.Campaign(3);
  Settle(cluster);
  REQUIRE(cluster.node(3)->role() == Role::kLeader);
  REQUIRE(cluster.node(3)->epoch() == epoch);
  CHECK(HasViolation(cluster, fmt::format("election safety: controller-1 and controller-3 both "
                                          "led epoch {}",
                                          epoch)));
}

TEST_CASE("raft safety: a leader elected without committed entries is caught") {
  testing::RaftCluster cluster(6);
  cluster.AddNodes(3);
  cluster.Run(3_s);
  const auto leader = cluster.Leader();
  REQUIRE(leader);
  for (int i = 0; i < 3; ++i) REQUIRE(cluster.Propose(*leader, fmt::format("v{}", i)).ok());
  cluster.Run(1_s);
  REQUIRE(cluster.committed_entries() >= 3);
  REQUIRE(cluster.violations().empty());
  // Power loss on the two followers, whose logs were never synced: only their votes survive.
  for (NodeId id : cluster.ids()) cluster.Crash(id);
  for (NodeId id : cluster.ids()) {
    if (id == *leader) continue;
    cluster.TamperWithDisk(id).log.clear();
    cluster.Restart(id);
  }
  cluster.Run(5_s);
  REQUIRE(cluster.Leader());
  CHECK(HasViolation(cluster, "leader completeness: "));
}

TEST_CASE("raft safety: logs that differ below a shared entry are caught") {
  testing::RaftCluster cluster(7);
  cluster.AddNodes(3);
  cluster.Run(3_s);
  const auto leader = cluster.Leader();
  REQUIRE(leader);
  for (int i = 0; i < 3; ++i) REQUIRE(cluster.Propose(*leader, fmt::format("v{}", i)).ok());
  cluster.Run(1_s);
  cluster.CheckLogMatching();
  REQUIRE(cluster.violations().empty());
  const NodeId follower = *leader == 1 ? 2 : 1;
  std::vector<LogEntry>& log = cluster.TamperWithDisk(follower).log;
  REQUIRE(log.size() >= 2);
  log[log.size() - 2].payload = "changed";
  cluster.CheckLogMatching();
  CHECK(HasViolation(cluster, fmt::format("differ at offset {} below a shared entry at offset {}",
                                          log.size() - 2, log.size() - 1)));
}

}  // namespace
}  // namespace kafkasim::raft
