// The consumer's side of the classic group protocol (consumer_group.cc, as Kafka's
// ConsumerCoordinator) on a simulated cluster: join and sync, heartbeats and the rejoin on
// REBALANCE_IN_PROGRESS, auto-commit every auto.commit.interval.ms, auto.offset.reset earliest
// and latest, and a restarted member resuming from the group's committed offset.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "kafka/trace_kinds.h"
#include "test_cluster.h"

using namespace kafkasim;
using namespace kafkasim::kafka;
using namespace kafkasim::kafka::testing;

namespace {

ConsumerConfig GroupMember(const std::string& group, bool from_beginning = true) {
  ConsumerConfig config;
  config.topic = "orders";
  config.group = group;
  config.from_beginning = from_beginning;
  return config;
}

// Appends `count` records to orders-`partition` through its leader, acks=all.
void ProduceTo(TestCluster& c, std::int32_t partition, int count) {
  std::vector<std::string> values;
  for (int i = 0; i < count; ++i) values.push_back("v" + std::to_string(i));
  const std::int64_t id =
      c.Produce(c.LeaderOf("orders", partition), "orders", partition, -1, std::move(values));
  c.RunFor(Milliseconds(200));
  REQUIRE(c.ProduceResult(id).has_value());
  CHECK(c.ProduceResult(id)->error == Errc::kNone);
}

// The offsets `client` read from orders-`partition`, in order.
std::vector<std::int64_t> Read(const ClientHistory& h, const std::string& client,
                               std::int32_t partition = 0) {
  std::vector<std::int64_t> out;
  for (const ConsumeEvent& e : h.consumed) {
    if (e.client == client && e.partition == partition) out.push_back(e.offset);
  }
  return out;
}

// A ready cluster with topic orders (`partitions`, replication factor 3).
void WithOrders(TestCluster& c, int partitions) {
  c.WaitForBrokersReady();
  c.CreateTopic("orders", partitions, 3);
}

std::uint64_t ProbeCount(TestCluster& c, const std::string& name) {
  const auto it = c.sim().probes().find(name);
  return it == c.sim().probes().end() ? 0 : it->second;
}

}  // namespace

TEST_CASE("consumer group client: a lone member joins, syncs and is assigned every partition") {
  TestCluster c;
  WithOrders(c, 3);
  auto history = std::make_shared<ClientHistory>();
  const NodeIndex consumer = c.AddConsumer("consumer-1", GroupMember("my-group"), history);
  c.RunFor(Seconds(10));
  ConsumerNode* member = c.consumer(consumer);
  REQUIRE(member != nullptr);
  // AbstractCoordinator: JoinGroup, MEMBER_ID_REQUIRED with "<client.id>-<uuid>", JoinGroup
  // again, then generation 1 after group.initial.rebalance.delay.ms.
  CHECK(member->member_id().rfind("consumer-1-", 0) == 0);
  CHECK(member->generation() == 1);
  CHECK(member->assigned() == std::vector<std::int32_t>{0, 1, 2});
  REQUIRE(history->assignments.size() == 1);
  CHECK(history->assignments[0].generation == 1);
  CHECK(history->assignments[0].partitions ==
        std::vector<std::string>{"orders-0", "orders-1", "orders-2"});
}

TEST_CASE(
    "consumer group client: a heartbeat answered REBALANCE_IN_PROGRESS makes a member rejoin") {
  TestCluster c;
  WithOrders(c, 3);
  auto history = std::make_shared<ClientHistory>();
  const NodeIndex first = c.AddConsumer("consumer-1", GroupMember("my-group"), history);
  c.RunFor(Seconds(10));
  REQUIRE(c.consumer(first)->generation() == 1);
  CHECK(ProbeCount(c, "client.group.rebalance") == 0);
  const NodeIndex second = c.AddConsumer("consumer-2", GroupMember("my-group"), history);
  c.RunFor(Seconds(10));
  // The second JoinGroup moves the group to PreparingRebalance; the first member learns it
  // from its next heartbeat (heartbeat.interval.ms 3 s), revokes (range is eager) and rejoins.
  CHECK(ProbeCount(c, "client.group.rebalance") >= 1);
  CHECK(c.consumer(first)->generation() == 2);
  CHECK(c.consumer(second)->generation() == 2);
  // RangeAssignor over members sorted by id: consumer-1-... before consumer-2-...
  CHECK(c.consumer(first)->assigned() == std::vector<std::int32_t>{0, 1});
  CHECK(c.consumer(second)->assigned() == std::vector<std::int32_t>{2});
}

TEST_CASE("consumer group client: auto-commit runs every auto.commit.interval.ms") {
  TestCluster c;
  WithOrders(c, 1);
  auto history = std::make_shared<ClientHistory>();
  ConsumerConfig config = GroupMember("my-group");
  config.auto_commit_interval = Milliseconds(2000);
  c.AddConsumer("consumer-1", config, history);
  c.RunFor(Seconds(8));
  ProduceTo(c, 0, 10);
  c.RunFor(Seconds(12));
  // ConsumerCoordinator.maybeAutoCommitOffsetsAsync: one OffsetCommit per interval, whether
  // or not the position moved; the coordinator notes each commit of orders-0.
  std::vector<Time> commits;
  for (const TraceEvent* e : c.Events(std::string(trace_kind::kGroupOffsetCommit))) {
    commits.push_back(e->time);
  }
  REQUIRE(commits.size() >= 5);
  for (std::size_t i = 1; i < commits.size(); ++i) {
    const std::int64_t gap_ms = (commits[i] - commits[i - 1]).Millis();
    CHECK(gap_ms >= 2000);
    CHECK(gap_ms < 2200);
  }
  CHECK(Read(*history, "consumer-1").size() == 10);
}

TEST_CASE(
    "consumer group client: auto.offset.reset earliest starts at the log start, latest at its "
    "end") {
  TestCluster c;
  WithOrders(c, 1);
  ProduceTo(c, 0, 10);
  auto history = std::make_shared<ClientHistory>();
  c.AddConsumer("early", GroupMember("from-start", true), history);
  c.AddConsumer("late", GroupMember("from-end", false), history);
  c.RunFor(Seconds(10));
  ProduceTo(c, 0, 5);
  c.RunFor(Seconds(2));
  // No committed offset: ConsumerConfig auto.offset.reset (earliest = the log start offset,
  // latest = the high watermark when the position was reset).
  const std::vector<std::int64_t> early = Read(*history, "early");
  const std::vector<std::int64_t> late = Read(*history, "late");
  REQUIRE(early.size() == 15);
  CHECK(early.front() == 0);
  CHECK(early.back() == 14);
  CHECK(late == std::vector<std::int64_t>{10, 11, 12, 13, 14});
}

TEST_CASE("consumer group client: a restarted member resumes from the group's committed offset") {
  TestCluster c;
  WithOrders(c, 1);
  auto history = std::make_shared<ClientHistory>();
  ConsumerConfig config = GroupMember("my-group");
  config.session_timeout_ms = 10000;
  const NodeIndex consumer = c.AddConsumer("consumer-1", config, history);
  c.RunFor(Seconds(8));
  ProduceTo(c, 0, 10);
  c.RunFor(Seconds(6));  // an auto-commit (every 5 s) has committed offset 10 since
  REQUIRE(Read(*history, "consumer-1").size() == 10);
  c.sim().CrashNode(consumer);
  ProduceTo(c, 0, 4);
  c.sim().RestartNode(consumer);
  c.RunFor(Seconds(20));  // the old member expires after 10 s, then the group rebalances
  // OffsetFetch gives 10: the four new records are read, none of the first ten again (with
  // from_beginning, a reset would have started over at 0).
  const std::vector<std::int64_t> read = Read(*history, "consumer-1");
  REQUIRE(read.size() == 14);
  CHECK(std::vector<std::int64_t>(read.begin() + 10, read.end()) ==
        std::vector<std::int64_t>{10, 11, 12, 13});
}
