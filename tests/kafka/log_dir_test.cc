// The broker's log dir files across crashes and restarts: meta.properties, the offset
// checkpoints and .kafka_cleanshutdown (LogManager.scala, ReplicaManager.scala,
// MetaPropertiesEnsemble.java; kafka-semantics.md 7.1 and 7.4).
#include <doctest/doctest.h>

#include "storage/checkpoint_file.h"
#include "test_cluster.h"

namespace kafkasim::kafka::testing {
namespace {

// Produces one record per request with acks=all, each after the previous was acknowledged.
void ProduceOneByOne(TestCluster& cluster, int count) {
  const std::int32_t leader = cluster.LeaderOf("cities", 0);
  for (int i = 0; i < count; ++i) {
    const std::int64_t id = cluster.Produce(leader, "cities", 0, -1, {"v" + std::to_string(i)});
    REQUIRE(
        cluster.sim().RunUntil([&] { return cluster.ProduceResult(id).has_value(); }, 1'000'000));
    REQUIRE(cluster.ProduceResult(id)->error == Errc::kNone);
  }
}

std::int64_t IntField(const TraceEvent& e, const char* key) {
  return std::get<std::int64_t>(*e.Field(key));
}

TEST_CASE("log dir: the first start writes meta.properties, a restart keeps it") {
  TestCluster cluster;
  cluster.WaitForBrokersReady();
  const std::string text = cluster.ReadFile(2, "meta.properties");
  Result<storage::MetaProperties> meta = storage::ParseMetaProperties(text, "meta.properties");
  REQUIRE(meta.ok());
  CHECK(meta->version == 1);
  CHECK(meta->node_id == 2);
  CHECK(meta->cluster_id == "kafkasim-test");
  CHECK(storage::UuidFromBase64(meta->directory_id).ok());
  CHECK(cluster.ReadFile(0, "meta.properties").find("node.id=0\n") != std::string::npos);

  cluster.Crash(2);
  cluster.Restart(2);
  cluster.RunFor(Milliseconds(3000));
  CHECK(cluster.sim().GetNodeState(cluster.node(2)) == NodeState::kRunning);
  CHECK(cluster.ReadFile(2, "meta.properties") == text);
}

// MetaPropertiesEnsemble.verify: a log dir written by another node or cluster fails startup.
TEST_CASE("log dir: meta.properties of another node.id or cluster.id is refused at startup") {
  TestCluster cluster;
  cluster.WaitForBrokersReady();
  storage::MetaProperties other;
  other.cluster_id = "kafkasim-test";
  other.directory_id = "AAAAAAAAAAAAAAAAAAAAAQ";
  std::string expected;
  SUBCASE("node.id") {
    other.node_id = 5;
    expected =
        "failed to start: Stored node id 5 doesn't match previous node id 2 in meta.properties. "
        "If you moved your data, make sure your configured node id matches. If you intend to "
        "create a new node, you should remove all data in your data directories.";
  }
  SUBCASE("cluster.id") {
    other.node_id = 2;
    other.cluster_id = "another-cluster";
    expected =
        "failed to start: Invalid cluster.id in: meta.properties. Expected kafkasim-test, but "
        "read another-cluster";
  }
  cluster.Crash(2);
  REQUIRE(cluster.disk(2)
              .WriteFileAtomically("meta.properties", storage::FormatMetaProperties(other))
              .ok());
  cluster.Restart(2);
  cluster.RunFor(Milliseconds(3000));
  // The process exits with the error: stopped, not crashed.
  CHECK(cluster.sim().GetNodeState(cluster.node(2)) == NodeState::kStopped);
  const auto failures = cluster.Events("node.startup_failed", "broker-2");
  REQUIRE(failures.size() == 1);
  CHECK(failures[0]->text == expected);
  CHECK(cluster.sim().probes().at("node.startup_failed") == 1);
}

TEST_CASE("log dir: high watermarks are checkpointed every 5000 ms, the others after 30000 ms") {
  TestCluster cluster;
  cluster.WaitForBrokersReady();
  cluster.CreateTopic("cities", 1, 3);
  ProduceOneByOne(cluster, 3);
  // The brokers started at t=0: their checkpoint timers fire at 5 s, 10 s, ... and 30 s.
  const std::int64_t now_ms = cluster.sim().Now().Millis();
  REQUIRE(now_ms < 25000);
  cluster.sim().RunUntil(Time{} + Milliseconds((now_ms / 5000 + 1) * 5000 + 500));
  for (std::int32_t b = 1; b <= 3; ++b) {
    CHECK(cluster.ReadFile(b, "replication-offset-checkpoint") == "0\n1\ncities 0 3\n");
    CHECK_FALSE(cluster.disk(b).HasUnsyncedData("replication-offset-checkpoint"));
    CHECK_FALSE(cluster.disk(b).Exists("replication-offset-checkpoint.tmp"));
    CHECK_FALSE(cluster.disk(b).Exists("recovery-point-offset-checkpoint"));
  }
  cluster.sim().RunUntil(Time{} + Milliseconds(30500));
  for (std::int32_t b = 1; b <= 3; ++b) {
    // Nothing was fsynced yet (no roll, no flush): the recovery point is still 0.
    CHECK(cluster.ReadFile(b, "recovery-point-offset-checkpoint") == "0\n1\ncities 0 0\n");
    // Every log starts at its first segment's base offset: nothing to checkpoint.
    CHECK(cluster.ReadFile(b, "log-start-offset-checkpoint") == "0\n0\n");
  }
}

TEST_CASE("log dir: after a crash only segments past the recovery point are re-validated") {
  ClusterOptions options;
  options.broker_settings.log_initial_task_delay_ms = 1000;
  options.broker_settings.log_flush_offset_checkpoint_interval_ms = 1000;
  TestCluster cluster(options);
  cluster.WaitForBrokersReady();
  // Tiny segments: every batch rolls a new segment, and a roll fsyncs the ones before it.
  cluster.CreateTopic("cities", 1, 3, {{"segment.bytes", "100"}});
  ProduceOneByOne(cluster, 6);
  cluster.RunFor(Milliseconds(6000));
  const std::int32_t leader = cluster.LeaderOf("cities", 0);
  const std::int32_t follower = cluster.FollowersOf("cities", 0)[0];
  CHECK(cluster.ReadFile(follower, "replication-offset-checkpoint") == "0\n1\ncities 0 6\n");
  CHECK(cluster.ReadFile(follower, "recovery-point-offset-checkpoint") == "0\n1\ncities 0 5\n");

  // The follower loses power and comes back unable to reach the leader: all it knows is on
  // its disk.
  cluster.Isolate(follower, leader);
  cluster.Crash(follower);
  cluster.Restart(follower);
  // The controller refuses the new incarnation's registration while the old one's session
  // lives (DUPLICATE_BROKER_REGISTRATION, broker.session.timeout.ms); only once registered
  // and caught up does the broker open its partition logs.
  cluster.RunFor(Milliseconds(14000));
  const ReplicaLog& log = cluster.Log(follower, "cities", 0);
  // The last record sat unsynced in the active segment and was lost with the power.
  CHECK(log.log_end_offset() == 5);
  // replication-offset-checkpoint said 6, clamped to the log end (Partition.createLog).
  CHECK(log.high_watermark() == 5);
  const std::string name = "broker-" + std::to_string(follower);
  const auto loads = cluster.Events("log.load", name);
  REQUIRE(loads.size() == 1);
  CHECK(IntField(*loads[0], "recovery_point") == 5);
  CHECK(IntField(*loads[0], "segments_trusted") == 5);
  CHECK(IntField(*loads[0], "segments_validated") == 1);
  CHECK(IntField(*loads[0], "high_watermark") == 5);
}

TEST_CASE("log dir: after a clean shutdown the next start skips recovery and keeps the HW") {
  TestCluster cluster;
  cluster.WaitForBrokersReady();
  cluster.CreateTopic("cities", 1, 3);
  ProduceOneByOne(cluster, 6);
  cluster.RunFor(Milliseconds(1000));
  const std::int32_t leader = cluster.LeaderOf("cities", 0);
  const std::int32_t follower = cluster.FollowersOf("cities", 0)[0];
  cluster.server(follower)->BeginControlledShutdown();
  REQUIRE(cluster.sim().RunUntil(
      [&] { return cluster.sim().GetNodeState(cluster.node(follower)) == NodeState::kStopped; },
      1'000'000));
  CHECK(cluster.disk(follower).Exists(".kafka_cleanshutdown"));
  CHECK(cluster.ReadFile(follower, "recovery-point-offset-checkpoint") == "0\n1\ncities 0 6\n");
  CHECK(cluster.ReadFile(follower, "replication-offset-checkpoint") == "0\n1\ncities 0 6\n");

  cluster.Isolate(follower, leader);
  cluster.Restart(follower);
  cluster.RunFor(Milliseconds(3000));
  CHECK_FALSE(cluster.disk(follower).Exists(".kafka_cleanshutdown"));
  const ReplicaLog& log = cluster.Log(follower, "cities", 0);
  CHECK(log.log_end_offset() == 6);
  CHECK(log.high_watermark() == 6);
  const auto loads = cluster.Events("log.load", "broker-" + std::to_string(follower));
  REQUIRE(loads.size() == 1);
  CHECK(IntField(*loads[0], "segments_trusted") == 1);
  CHECK(IntField(*loads[0], "segments_validated") == 0);
  CHECK(loads[0]->text.find("after a clean shutdown (.kafka_cleanshutdown)") != std::string::npos);
}

// A restarted broker opens its logs only once it has caught up with the metadata log; until
// then its checkpoints must keep the entries of the logs it has not opened.
TEST_CASE("log dir: checkpoints keep the entries of logs not opened yet after a restart") {
  TestCluster cluster;
  cluster.WaitForBrokersReady();
  cluster.CreateTopic("cities", 1, 3);
  ProduceOneByOne(cluster, 4);
  cluster.RunFor(Milliseconds(6000));
  const std::int32_t follower = cluster.FollowersOf("cities", 0)[0];
  REQUIRE(cluster.ReadFile(follower, "replication-offset-checkpoint") == "0\n1\ncities 0 4\n");
  cluster.server(follower)->BeginControlledShutdown();
  REQUIRE(cluster.sim().RunUntil(
      [&] { return cluster.sim().GetNodeState(cluster.node(follower)) == NodeState::kStopped; },
      1'000'000));
  cluster.Isolate(follower, 0);  // no metadata: the partition cannot be opened
  cluster.Restart(follower);
  cluster.RunFor(Milliseconds(11000));  // two high watermark checkpoint periods
  CHECK(cluster.server(follower)->Log("cities", 0) == nullptr);
  CHECK(cluster.ReadFile(follower, "replication-offset-checkpoint") == "0\n1\ncities 0 4\n");
  CHECK(cluster.ReadFile(follower, "recovery-point-offset-checkpoint") == "0\n1\ncities 0 4\n");

  cluster.Heal(follower, 0);
  cluster.RunFor(Milliseconds(5000));
  REQUIRE(cluster.server(follower)->Log("cities", 0) != nullptr);
  CHECK(cluster.Log(follower, "cities", 0).high_watermark() == 4);
  CHECK(cluster.Log(follower, "cities", 0).log_end_offset() == 4);
}

}  // namespace
}  // namespace kafkasim::kafka::testing
