// A failed log dir as Kafka handles it (ReplicaManager.handleLogDirFailure,
// LogManager.handleLogDirFailure): a broker whose only log dir fails halts, and the controller
// fences it and moves its leaderships away. Never an abort of the simulation.
#include <doctest/doctest.h>

#include <algorithm>

#include "test_cluster.h"

namespace kafkasim::kafka::testing {
namespace {

TEST_CASE("log dir: a leader whose disk is full halts and another broker takes over") {
  TestCluster cluster;
  cluster.WaitForBrokersReady();
  cluster.CreateTopic("cities", 1, 3);
  const std::int32_t leader = cluster.LeaderOf("cities", 0);
  const std::int64_t first = cluster.Produce(leader, "cities", 0, -1, {"Berlin"});
  cluster.RunFor(Milliseconds(2000));
  REQUIRE(cluster.ProduceResult(first).has_value());
  REQUIRE(cluster.ProduceResult(first)->error == Errc::kNone);

  SimFileSystem& disk = cluster.disk(leader);
  disk.SetCapacityBytes(disk.used_bytes());  // not one more byte fits
  const std::int64_t second = cluster.Produce(leader, "cities", 0, -1, {"Paris"});
  cluster.RunFor(Milliseconds(100));

  const auto failed = cluster.Events("log_dir.failed", "broker-" + std::to_string(leader));
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]->text.find("Shutdown broker because all log dirs in /tmp/kraft-combined-logs "
                             "have failed") != std::string::npos);
  CHECK(failed[0]->text.find("NO_SPACE") != std::string::npos);
  // The process halted (kill -9 semantics: what it wrote stays in the page cache).
  CHECK(cluster.sim().GetNodeState(cluster.node(leader)) == NodeState::kKilled);
  // The request that hit the full disk was never answered.
  CHECK_FALSE(cluster.ProduceResult(second).has_value());

  // broker.session.timeout.ms later the controller fences it and elects another leader.
  cluster.RunFor(Milliseconds(15000));
  const std::int32_t new_leader = cluster.LeaderOf("cities", 0);
  CHECK(new_leader != leader);
  const std::int64_t third = cluster.Produce(new_leader, "cities", 0, -1, {"Rome"});
  cluster.RunFor(Milliseconds(2000));
  REQUIRE(cluster.ProduceResult(third).has_value());
  CHECK(cluster.ProduceResult(third)->error == Errc::kNone);
  CHECK(Values(cluster.Log(new_leader, "cities", 0)) == std::vector<std::string>{"Berlin", "Rome"});
}

TEST_CASE("log dir: a follower whose disk fails while appending fetched data halts") {
  TestCluster cluster;
  cluster.WaitForBrokersReady();
  cluster.CreateTopic("cities", 1, 3);
  const std::int32_t leader = cluster.LeaderOf("cities", 0);
  const std::int32_t follower = cluster.FollowersOf("cities", 0).at(0);
  SimFileSystem& disk = cluster.disk(follower);
  disk.SetCapacityBytes(disk.used_bytes());
  const std::int64_t id = cluster.Produce(leader, "cities", 0, 1, {"Berlin", "Paris"});
  cluster.RunFor(Milliseconds(1000));
  REQUIRE(cluster.ProduceResult(id).has_value());
  CHECK(cluster.ProduceResult(id)->error == Errc::kNone);
  CHECK(cluster.Events("log_dir.failed", "broker-" + std::to_string(follower)).size() == 1);
  CHECK(cluster.sim().GetNodeState(cluster.node(follower)) == NodeState::kKilled);
  // The leader goes on; after replica.lag.time.max.ms the halted follower leaves the ISR.
  cluster.RunFor(Milliseconds(40000));
  const std::vector<BrokerId> isr = cluster.IsrOnLeader("cities", 0);
  CHECK(std::find(isr.begin(), isr.end(), follower) == isr.end());
  CHECK(isr.size() == 2);
}

TEST_CASE("log dir: a restarted broker whose disk is still full fails to start cleanly") {
  TestCluster cluster;
  cluster.WaitForBrokersReady();
  cluster.CreateTopic("cities", 1, 3);
  const std::int32_t follower = cluster.FollowersOf("cities", 0).at(0);
  cluster.Crash(follower);
  SimFileSystem& disk = cluster.disk(follower);
  disk.SetCapacityBytes(disk.used_bytes());
  cluster.Restart(follower);
  cluster.RunFor(Milliseconds(5000));
  // Whatever write comes first (the metadata log, a checkpoint, a log) fails the log dir: the
  // broker stops with a reason, and the run goes on.
  const auto failed = cluster.Events("log_dir.failed", "broker-" + std::to_string(follower));
  CHECK(failed.size() == 1);
  CHECK(cluster.sim().GetNodeState(cluster.node(follower)) != NodeState::kRunning);
}

}  // namespace
}  // namespace kafkasim::kafka::testing
