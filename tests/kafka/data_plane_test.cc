// Data-plane behaviour of KafkaRaftServer brokers on a simulated cluster: high watermark, acks=all,
// ISR shrink and expand, min.insync.replicas, follower truncation after failover, fencing of a
// stale leader (kafka-semantics.md section 1; Partition.scala, ReplicaManager.scala).
#include <doctest/doctest.h>

#include <algorithm>

#include "test_cluster.h"

namespace kafkasim::kafka::testing {
namespace {

using Ids = std::vector<BrokerId>;

Ids Sorted(Ids ids) {
  std::sort(ids.begin(), ids.end());
  return ids;
}

TEST_CASE("data plane: partition logs live in <log dir>/<topic>-<partition>") {
  TestCluster cluster;
  cluster.WaitForBrokersReady();
  cluster.CreateTopic("cities", 1, 3);
  // The leader records its epoch at once; followers when the first batch arrives.
  CHECK(cluster.disk(cluster.LeaderOf("cities", 0)).Exists("cities-0/leader-epoch-checkpoint"));
  for (std::int32_t b = 1; b <= 3; ++b) {
    CHECK(cluster.disk(b).Exists("cities-0/00000000000000000000.log"));
    CHECK(cluster.disk(b).Exists("__cluster_metadata-0/00000000000000000000.log"));
    CHECK_FALSE(cluster.disk(b).Exists("cities-0/cities-0"));
  }
}

// Partition.maybeIncrementLeaderHW: the HW is the smallest log end offset of the ISR, and a
// DelayedProduce with acks=all completes only once the HW passes its last offset.
TEST_CASE("data plane: acks=all is answered only after every ISR member fetched past the write") {
  TestCluster cluster;
  cluster.WaitForBrokersReady();
  cluster.CreateTopic("cities", 1, 3);
  const std::int32_t leader = cluster.LeaderOf("cities", 0);
  const std::vector<std::int32_t> followers = cluster.FollowersOf("cities", 0);
  REQUIRE(followers.size() == 2);
  const std::int32_t slow = followers[1];
  cluster.Isolate(leader, slow);

  const std::int64_t id = cluster.Produce(leader, "cities", 0, -1, {"Berlin", "Paris", "Rome"});
  cluster.RunFor(Milliseconds(5000));
  // The records are on the leader and the connected follower, but the slow ISR member has not
  // fetched them: the high watermark stays at 0 and the producer is still waiting.
  CHECK(cluster.Log(leader, "cities", 0).log_end_offset() == 3);
  CHECK(cluster.Log(followers[0], "cities", 0).log_end_offset() == 3);
  CHECK(cluster.Log(slow, "cities", 0).log_end_offset() == 0);
  CHECK(cluster.Log(leader, "cities", 0).high_watermark() == 0);
  CHECK(Sorted(cluster.IsrOnLeader("cities", 0)) == Ids{1, 2, 3});
  CHECK_FALSE(cluster.ProduceResult(id).has_value());

  cluster.Heal(leader, slow);
  cluster.RunFor(Milliseconds(4000));
  REQUIRE(cluster.ProduceResult(id).has_value());
  CHECK(cluster.ProduceResult(id)->error == Errc::kNone);
  CHECK(cluster.ProduceResult(id)->base_offset == 0);
  CHECK(cluster.Log(leader, "cities", 0).high_watermark() == 3);
  CHECK(cluster.Log(slow, "cities", 0).log_end_offset() == 3);
  CHECK(Values(cluster.Log(slow, "cities", 0)) ==
        std::vector<std::string>{"Berlin", "Paris", "Rome"});
}

// DelayedFetch.tryComplete counts a follower's bytes up to the log end: a high watermark that
// moves answers no waiting follower (KAFKA-9952). The followers learn it with their next records,
// or when replica.fetch.wait.max.ms (500 ms) runs out.
TEST_CASE(
    "data plane: a produce to a follower is refused with NOT_LEADER_OR_FOLLOWER naming the "
    "leader and its epoch") {
  // KafkaApis.handleProduceRequest (v10+, KIP-951): the partition's CurrentLeader goes with the
  // error, so the producer can go there before its metadata is refreshed.
  TestCluster cluster;
  cluster.WaitForBrokersReady();
  cluster.CreateTopic("cities", 1, 3);
  const std::int32_t leader = cluster.LeaderOf("cities", 0);
  const std::int32_t follower = cluster.FollowersOf("cities", 0).front();
  // Accepted writes name no leader.
  const std::int64_t ok = cluster.Produce(leader, "cities", 0, -1, {"Paris"});
  cluster.RunFor(Milliseconds(1000));
  REQUIRE(cluster.ProduceResult(ok).has_value());
  CHECK(cluster.ProduceResult(ok)->error == Errc::kNone);
  CHECK(cluster.ProduceResult(ok)->current_leader == kNoLeader);
  const std::int32_t epoch = cluster.Log(leader, "cities", 0).LatestEpoch();
  REQUIRE(epoch >= 0);

  const std::int64_t id = cluster.Produce(follower, "cities", 0, -1, {"Berlin"});
  cluster.RunFor(Milliseconds(100));
  REQUIRE(cluster.ProduceResult(id).has_value());
  const ProduceResponse refused = *cluster.ProduceResult(id);
  CHECK(refused.error == Errc::kNotLeaderOrFollower);
  CHECK(refused.current_leader == leader);
  CHECK(refused.current_leader_epoch == epoch);
}

TEST_CASE("data plane: a waiting follower fetch is not answered for a new high watermark alone") {
  TestCluster cluster;
  cluster.WaitForBrokersReady();
  cluster.CreateTopic("cities", 1, 3);
  cluster.RunFor(Milliseconds(1000));
  const std::int32_t leader = cluster.LeaderOf("cities", 0);
  const std::vector<std::int32_t> followers = cluster.FollowersOf("cities", 0);
  REQUIRE(followers.size() == 2);

  const std::int64_t first = cluster.Produce(leader, "cities", 0, -1, {"Berlin", "Paris", "Rome"});
  cluster.RunFor(Milliseconds(50));
  // Both followers fetched the records (with the old high watermark), then the leader's high
  // watermark moved, and their next fetches wait: nothing new below the log end.
  REQUIRE(cluster.ProduceResult(first).has_value());
  CHECK(cluster.Log(leader, "cities", 0).high_watermark() == 3);
  for (const std::int32_t f : followers) {
    CHECK(cluster.Log(f, "cities", 0).log_end_offset() == 3);
    CHECK(cluster.Log(f, "cities", 0).high_watermark() == 0);
  }

  cluster.Produce(leader, "cities", 0, -1, {"Oslo"});
  cluster.RunFor(Milliseconds(50));
  // The next record answers their waiting fetches, and the response carries the new mark.
  for (const std::int32_t f : followers) {
    CHECK(cluster.Log(f, "cities", 0).log_end_offset() == 4);
    CHECK(cluster.Log(f, "cities", 0).high_watermark() == 3);
  }

  cluster.RunFor(Milliseconds(600));
  // With nothing more to fetch, the wait runs out and the empty answers bring the last mark.
  CHECK(cluster.Log(leader, "cities", 0).high_watermark() == 4);
  for (const std::int32_t f : followers) {
    CHECK(cluster.Log(f, "cities", 0).high_watermark() == 4);
  }
}

// A consumer reads up to the high watermark (FetchIsolation.HIGH_WATERMARK), so for its waiting
// fetch a high watermark that moves is new data.
TEST_CASE("data plane: a waiting consumer fetch is answered when the high watermark moves") {
  TestCluster cluster;
  cluster.WaitForBrokersReady();
  cluster.CreateTopic("cities", 1, 3);
  const std::int32_t leader = cluster.LeaderOf("cities", 0);
  const std::vector<std::int32_t> followers = cluster.FollowersOf("cities", 0);
  REQUIRE(followers.size() == 2);
  cluster.Isolate(leader, followers[1]);
  cluster.Produce(leader, "cities", 0, 1, {"Berlin", "Paris", "Rome"});
  cluster.RunFor(Milliseconds(100));
  REQUIRE(cluster.Log(leader, "cities", 0).log_end_offset() == 3);
  REQUIRE(cluster.Log(leader, "cities", 0).high_watermark() == 0);

  FetchRequest request;
  request.max_wait = Milliseconds(20000);
  FetchPartition fp;
  fp.topic = "cities";
  request.partitions.push_back(fp);
  const std::int64_t fetch = cluster.Fetch(leader, request);
  cluster.RunFor(Milliseconds(100));
  // Nothing below the high watermark: the fetch waits.
  CHECK_FALSE(cluster.FetchResult(fetch).has_value());

  cluster.Heal(leader, followers[1]);
  cluster.RunFor(Milliseconds(3000));
  // Well before its max wait, the high watermark reached 3 and the fetch was answered.
  CHECK(cluster.Log(leader, "cities", 0).high_watermark() == 3);
  REQUIRE(cluster.FetchResult(fetch).has_value());
  CHECK(cluster.FetchResult(fetch)->partitions.at(0).high_watermark == 3);
  CHECK_FALSE(cluster.FetchResult(fetch)->partitions.at(0).records.empty());
}

// Replica.isCaughtUp and Partition.maybeShrinkIsr / maybeExpandIsr (KIP-16 lag by time).
TEST_CASE("data plane: ISR shrinks after replica.lag.time.max.ms and expands on catch-up") {
  ClusterOptions options;
  options.broker_settings.replica_lag_time_max_ms = 10000;
  TestCluster cluster(options);
  cluster.WaitForBrokersReady();
  cluster.CreateTopic("cities", 1, 3);
  const std::int32_t leader = cluster.LeaderOf("cities", 0);
  const std::int32_t cut = cluster.FollowersOf("cities", 0)[0];
  cluster.Isolate(leader, cut);
  const std::int64_t first = cluster.Produce(leader, "cities", 0, 1, {"Oslo"});
  cluster.RunFor(Milliseconds(8000));
  REQUIRE(cluster.ProduceResult(first).has_value());
  CHECK(Sorted(cluster.IsrOnLeader("cities", 0)) == Ids{1, 2, 3});  // not yet lagging long enough

  cluster.RunFor(Milliseconds(8000));
  Ids expected_shrunk;
  for (BrokerId b : {1, 2, 3}) {
    if (b != cut) expected_shrunk.push_back(b);
  }
  CHECK(Sorted(cluster.IsrOnLeader("cities", 0)) == expected_shrunk);
  CHECK(cluster.server(leader)->counters().isr_shrinks == 1);
  // Without the lagging follower the HW moves with the remaining ISR.
  CHECK(cluster.Log(leader, "cities", 0).high_watermark() == 1);

  cluster.Heal(leader, cut);
  cluster.RunFor(Milliseconds(5000));
  CHECK(Sorted(cluster.IsrOnLeader("cities", 0)) == Ids{1, 2, 3});
  CHECK(cluster.server(leader)->counters().isr_expands == 1);
  CHECK(cluster.Log(cut, "cities", 0).log_end_offset() == 1);
}

// Partition.appendRecordsToLeader: acks=all below min.insync.replicas is refused before the
// append (NOT_ENOUGH_REPLICAS); acks=1 is still accepted.
TEST_CASE("data plane: acks=all below min.insync.replicas fails with NOT_ENOUGH_REPLICAS") {
  TestCluster cluster;
  cluster.WaitForBrokersReady();
  cluster.CreateTopic("cities", 1, 3, {{"min.insync.replicas", "3"}});
  const std::int32_t leader = cluster.LeaderOf("cities", 0);
  const std::int32_t victim = cluster.FollowersOf("cities", 0)[0];
  cluster.Crash(victim);
  // The controller fences the silent broker after broker.session.timeout.ms and drops it from
  // the ISR.
  cluster.RunFor(Milliseconds(15000));
  REQUIRE(cluster.IsrOnLeader("cities", 0).size() == 2);

  const std::int64_t all = cluster.Produce(leader, "cities", 0, -1, {"Lima"});
  const std::int64_t one = cluster.Produce(leader, "cities", 0, 1, {"Quito"});
  cluster.RunFor(Milliseconds(1000));
  REQUIRE(cluster.ProduceResult(all).has_value());
  CHECK(cluster.ProduceResult(all)->error == Errc::kNotEnoughReplicas);
  REQUIRE(cluster.ProduceResult(one).has_value());
  CHECK(cluster.ProduceResult(one)->error == Errc::kNone);
  CHECK(cluster.ProduceResult(one)->base_offset == 0);  // the refused write never reached the log
  CHECK(Values(cluster.Log(leader, "cities", 0)) == std::vector<std::string>{"Quito"});
  // Strict min ISR (KAFKA-15583): with 2 of 3 in sync the HW does not advance.
  CHECK(cluster.Log(leader, "cities", 0).high_watermark() == 0);
}

// The scene of KIP-101/KIP-279: an isolated old leader keeps acks=1 writes in its old epoch;
// after the failover its fetch carries lastFetchedEpoch, the new leader answers with a
// DivergingEpoch and the old leader truncates to the end offset of that epoch.
struct FailoverScene {
  TestCluster cluster;
  std::int32_t old_leader = -1;
  std::int32_t new_leader = -1;
  std::int32_t old_epoch = -1;
  std::int64_t stale_all = -1;  // acks=all produce sent to the stale leader

  FailoverScene() {
    cluster.WaitForBrokersReady();
    cluster.CreateTopic("cities", 1, 3);
    old_leader = cluster.LeaderOf("cities", 0);
    old_epoch = cluster.server(old_leader)->LocalPartition("cities", 0)->leader_epoch;
    const std::int64_t first = cluster.Produce(old_leader, "cities", 0, -1, {"a", "b", "c"});
    cluster.RunFor(Milliseconds(2000));
    REQUIRE(cluster.ProduceResult(first).has_value());
    REQUIRE(cluster.ProduceResult(first)->error == Errc::kNone);
    // Cut the leader off from the controller and the other brokers, not from the client.
    for (std::int32_t other : {0, 1, 2, 3}) {
      if (other != old_leader) cluster.Isolate(old_leader, other);
    }
    const std::int64_t stale_one = cluster.Produce(old_leader, "cities", 0, 1, {"x", "y"});
    stale_all = cluster.Produce(old_leader, "cities", 0, -1, {"z"});
    cluster.RunFor(Milliseconds(15000));
    REQUIRE(cluster.ProduceResult(stale_one).has_value());
    REQUIRE(cluster.ProduceResult(stale_one)->error == Errc::kNone);
    new_leader = cluster.LeaderOf("cities", 0);
    REQUIRE(new_leader != old_leader);
    REQUIRE(new_leader > 0);
  }
};

TEST_CASE("data plane: a diverged old leader truncates to the new leader's epoch end offset") {
  FailoverScene scene;
  TestCluster& cluster = scene.cluster;
  CHECK(cluster.Log(scene.old_leader, "cities", 0).log_end_offset() == 6);  // a b c x y z
  const std::int64_t next = cluster.Produce(scene.new_leader, "cities", 0, 1, {"d", "e"});
  cluster.RunFor(Milliseconds(1000));
  REQUIRE(cluster.ProduceResult(next).has_value());
  CHECK(cluster.ProduceResult(next)->base_offset == 3);

  for (std::int32_t other : {0, 1, 2, 3}) {
    if (other != scene.old_leader) cluster.Heal(scene.old_leader, other);
  }
  cluster.RunFor(Milliseconds(5000));
  const ReplicaLog& log = cluster.Log(scene.old_leader, "cities", 0);
  CHECK_FALSE(cluster.server(scene.old_leader)->LocalPartition("cities", 0)->is_leader);
  CHECK(Values(log) == std::vector<std::string>{"a", "b", "c", "d", "e"});
  CHECK(log.LatestEpoch() == scene.old_epoch + 1);
  const auto truncations =
      cluster.Events("log.truncate", "broker-" + std::to_string(scene.old_leader));
  REQUIRE(truncations.size() == 1);
  CHECK(std::get<std::int64_t>(*truncations[0]->Field("from")) == 6);
  CHECK(std::get<std::int64_t>(*truncations[0]->Field("to")) == 3);
}

// KIP-320: a fetch naming an older leader epoch is FENCED_LEADER_EPOCH; a newer one than the
// broker knows is UNKNOWN_LEADER_EPOCH; the stale leader never acknowledges acks=all.
TEST_CASE("data plane: a stale leader with an old epoch is fenced") {
  FailoverScene scene;
  TestCluster& cluster = scene.cluster;
  const std::int32_t new_epoch = scene.old_epoch + 1;
  CHECK(cluster.server(scene.new_leader)->LocalPartition("cities", 0)->leader_epoch == new_epoch);
  // The stale leader still believes it leads at the old epoch.
  CHECK(cluster.server(scene.old_leader)->LocalPartition("cities", 0)->is_leader);

  auto fetch = [&](std::int32_t broker, std::int32_t epoch) {
    FetchRequest request;
    request.max_wait = Milliseconds(0);
    FetchPartition fp;
    fp.topic = "cities";
    fp.current_leader_epoch = epoch;
    request.partitions.push_back(fp);
    return cluster.Fetch(broker, request);
  };
  const std::int64_t old_at_new = fetch(scene.new_leader, scene.old_epoch);
  const std::int64_t new_at_stale = fetch(scene.old_leader, new_epoch);
  cluster.RunFor(Milliseconds(100));
  REQUIRE(cluster.FetchResult(old_at_new).has_value());
  CHECK(cluster.FetchResult(old_at_new)->partitions.at(0).error == Errc::kFencedLeaderEpoch);
  REQUIRE(cluster.FetchResult(new_at_stale).has_value());
  CHECK(cluster.FetchResult(new_at_stale)->partitions.at(0).error == Errc::kUnknownLeaderEpoch);
  CHECK_FALSE(cluster.ProduceResult(scene.stale_all).has_value());

  for (std::int32_t other : {0, 1, 2, 3}) {
    if (other != scene.old_leader) cluster.Heal(scene.old_leader, other);
  }
  cluster.RunFor(Milliseconds(5000));
  // Once it learns the new epoch it steps down and fails the waiting acks=all write.
  REQUIRE(cluster.ProduceResult(scene.stale_all).has_value());
  CHECK(cluster.ProduceResult(scene.stale_all)->error == Errc::kNotLeaderOrFollower);
  CHECK(cluster.server(scene.old_leader)->LocalPartition("cities", 0)->leader_epoch == new_epoch);
}

}  // namespace
}  // namespace kafkasim::kafka::testing
