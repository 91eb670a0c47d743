// The broker's host of the group coordinators on a real simulated cluster, driven by hand:
// FindCoordinator, NOT_COORDINATOR from a broker that does not lead the group's
// __consumer_offsets partition, failover (the new leader loads the group from the log) and a
// refused write that undoes what it carried (CoordinatorRuntime.failCurrentBatch).
#include <doctest/doctest.h>

#include "kafka/group_hash.h"
#include "kafka/trace_kinds.h"
#include "test_cluster.h"

using namespace kafkasim;
using namespace kafkasim::kafka;
using namespace kafkasim::kafka::testing;

namespace {

const std::string kGroup = "my-group";  // __consumer_offsets-12 (kafka-semantics.md 4.2)
constexpr std::int32_t kGroupPartition = 12;

// Sends FindCoordinator to `broker` until it names a coordinator (the first one creates
// __consumer_offsets); returns it.
std::int32_t FindCoordinator(TestCluster& c, std::int32_t broker) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    const std::int64_t correlation_id = 500 + attempt;
    c.client().Send(c.node(broker), FindCoordinatorRequest{correlation_id, kGroup});
    c.RunFor(Milliseconds(200));
    for (const KafkaBody& body : c.client().received) {
      const auto* r = std::get_if<FindCoordinatorResponse>(&body);
      if (r != nullptr && r->correlation_id == correlation_id && r->error == Errc::kNone) {
        return r->node_id;
      }
    }
  }
  FAIL("no coordinator for " << kGroup);
  return -1;
}

// Sends a group request to `broker` and runs until its answer arrives.
GroupResponseBody Ask(TestCluster& c, std::int32_t broker, GroupRequestBody request) {
  static std::int64_t next_correlation_id = 10000;
  const std::int64_t correlation_id = next_correlation_id++;
  c.client().Send(c.node(broker), GroupRequestMessage{correlation_id, std::move(request)});
  std::optional<GroupResponseBody> answer;
  c.sim().RunUntil(
      [&] {
        for (const KafkaBody& body : c.client().received) {
          const auto* r = std::get_if<GroupResponseMessage>(&body);
          if (r != nullptr && r->correlation_id == correlation_id) answer = r->response;
        }
        return answer.has_value();
      },
      1'000'000);
  REQUIRE(answer.has_value());
  return *answer;
}

// An OffsetCommit outside any membership (as kafka-consumer-groups.sh --reset-offsets sends).
Errc Commit(TestCluster& c, std::int32_t broker, std::int64_t offset) {
  OffsetCommitRequest request;
  request.group_id = kGroup;
  request.partitions = {{"orders", 0, offset, -1, ""}};
  return std::get<OffsetCommitResponse>(Ask(c, broker, request)).error;
}

// The committed offset of orders-0 as `broker` answers OffsetFetch.
std::pair<Errc, std::int64_t> Committed(TestCluster& c, std::int32_t broker) {
  const auto r = std::get<OffsetFetchResponse>(
      Ask(c, broker, OffsetFetchRequest{kGroup, std::vector<TopicPartition>{{"orders", 0}}}));
  std::int64_t offset = -1;
  for (const auto& [tp, committed] : r.partitions) {
    if (tp == TopicPartition{"orders", 0}) offset = committed.offset;
  }
  return {r.error, offset};
}

}  // namespace

TEST_CASE("group coordinator host: only the leader of the group's partition coordinates it") {
  // KafkaApis.handleFindCoordinatorRequest answers the leader of partitionFor(groupId); any
  // other broker answers group requests with NOT_COORDINATOR (CoordinatorRuntime:
  // "the coordinator is not active").
  TestCluster c;
  c.WaitForBrokersReady();
  const std::int32_t coordinator = FindCoordinator(c, 1);
  CHECK(coordinator == c.LeaderOf("__consumer_offsets", kGroupPartition));
  CHECK(Commit(c, coordinator, 5) == Errc::kNone);
  for (std::int32_t broker : {1, 2, 3}) {
    if (broker == coordinator) continue;
    CHECK(Committed(c, broker).first == Errc::kNotCoordinator);
    CHECK(Commit(c, broker, 6) == Errc::kNotCoordinator);
  }
  CHECK(Committed(c, coordinator) == std::pair<Errc, std::int64_t>{Errc::kNone, 5});
}

TEST_CASE("group coordinator host: after failover the new leader loads the offsets from the log") {
  TestCluster c;
  c.WaitForBrokersReady();
  const std::int32_t old_coordinator = FindCoordinator(c, 1);
  CHECK(Commit(c, old_coordinator, 7) == Errc::kNone);
  CHECK(Commit(c, old_coordinator, 11) == Errc::kNone);
  c.Crash(old_coordinator);
  const std::int32_t asked = old_coordinator == 1 ? 2 : 1;
  std::int32_t coordinator = old_coordinator;
  const bool moved = c.sim().RunUntil(
      [&] {
        const std::int32_t leader = c.LeaderOf("__consumer_offsets", kGroupPartition);
        return leader > 0 && leader != old_coordinator;
      },
      2'000'000);
  REQUIRE(moved);
  coordinator = FindCoordinator(c, asked);
  CHECK(coordinator != old_coordinator);
  // GroupCoordinatorShard.replay of every record: the last commit wins.
  CHECK(Committed(c, coordinator) == std::pair<Errc, std::int64_t>{Errc::kNone, 11});
  const auto loads = c.Events(std::string(trace_kind::kGroupCoordinatorLoad),
                              "broker-" + std::to_string(coordinator));
  REQUIRE(!loads.empty());
  CHECK(loads.back()->text ==
        "became the group coordinator of __consumer_offsets-12 at leader epoch 1 (2 record(s) "
        "loaded)");
}

TEST_CASE(
    "group coordinator host: a refused write is undone and answered COORDINATOR_NOT_AVAILABLE") {
  // CoordinatorRuntime.flushCurrentBatch: when the append throws, failCurrentBatch reverts the
  // snapshot registry to the batch's base offset, so the commit never happened; the client
  // gets handleOperationException's mapping, NOT_ENOUGH_REPLICAS -> COORDINATOR_NOT_AVAILABLE.
  ClusterOptions options;
  options.brokers = 2;
  options.broker_settings.offsets_topic_replication_factor = 2;
  options.broker_settings.min_insync_replicas = 2;
  TestCluster c(options);
  c.WaitForBrokersReady();
  const std::int32_t coordinator = FindCoordinator(c, 1);
  CHECK(Commit(c, coordinator, 5) == Errc::kNone);
  c.Crash(coordinator == 1 ? 2 : 1);
  const bool shrunk = c.sim().RunUntil(
      [&] { return c.IsrOnLeader("__consumer_offsets", kGroupPartition).size() == 1; }, 5'000'000);
  REQUIRE(shrunk);
  CHECK(Commit(c, coordinator, 9) == Errc::kCoordinatorNotAvailable);
  CHECK(Committed(c, coordinator) == std::pair<Errc, std::int64_t>{Errc::kNone, 5});
  CHECK(c.sim().probes().at("group.append.reverted") == 1);
  const auto failed = c.Events(std::string(trace_kind::kGroupAppendFailed));
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]->text ==
        "could not write to __consumer_offsets-12: NOT_ENOUGH_REPLICAS (the clients are told "
        "COORDINATOR_NOT_AVAILABLE; the group state goes back to before the write)");
}
