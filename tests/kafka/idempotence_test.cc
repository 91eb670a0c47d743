// The idempotent producer on a simulated cluster: producer ids from the controller, duplicate
// detection on the leader (also a new leader, also after a restart), sequence and epoch checks,
// and the duplicates a producer without idempotence writes (KIP-98; ProducerStateManager,
// ProducerAppendInfo, UnifiedLog.append; TransactionManager on the client).
#include <doctest/doctest.h>

#include <algorithm>

#include "test_cluster.h"

namespace kafkasim::kafka::testing {
namespace {

ProduceRequest Batch(std::vector<std::string> values, std::int64_t producer_id, std::int16_t epoch,
                     std::int32_t base_sequence, std::int16_t acks = -1) {
  ProduceRequest request;
  request.topic = "cities";
  request.partition = 0;
  request.acks = acks;
  std::vector<ProducedRecord> records;
  for (std::string& v : values) records.push_back({std::nullopt, std::move(v), 0});
  request.records = BuildRecordBatch(records, ProducerBatchInfo{producer_id, epoch, base_sequence});
  return request;
}

std::int64_t CountOf(const std::vector<std::string>& values, const std::string& value) {
  return std::count(values.begin(), values.end(), value);
}

TEST_CASE(
    "idempotence: a retried batch whose response was lost is appended once and "
    "acknowledged with its original offset") {
  TestCluster cluster;
  cluster.WaitForBrokersReady();
  cluster.CreateTopic("cities", 1, 3);
  const std::int32_t leader = cluster.LeaderOf("cities", 0);
  const std::int64_t first = cluster.SendProduce(leader, Batch({"Oslo", "Lima"}, 4242, 0, 0));
  cluster.RunFor(Milliseconds(2000));
  REQUIRE(cluster.ProduceResult(first).has_value());
  CHECK(cluster.ProduceResult(first)->base_offset == 0);

  // The leader appends the next batch, but its answer never reaches the producer.
  cluster.sim().network().Cut(cluster.node(leader), cluster.client_node());
  const std::int64_t lost =
      cluster.SendProduce(leader, Batch({"Berlin", "Paris", "Rome"}, 4242, 0, 2));
  cluster.RunFor(Milliseconds(2000));
  CHECK_FALSE(cluster.ProduceResult(lost).has_value());
  CHECK(cluster.Log(leader, "cities", 0).log_end_offset() == 5);
  cluster.sim().network().Heal(cluster.node(leader), cluster.client_node());

  // The retry is the same batch (same producer id, epoch and sequence) in a new request.
  const std::int64_t retry =
      cluster.SendProduce(leader, Batch({"Berlin", "Paris", "Rome"}, 4242, 0, 2));
  cluster.RunFor(Milliseconds(2000));
  REQUIRE(cluster.ProduceResult(retry).has_value());
  CHECK(cluster.ProduceResult(retry)->error == Errc::kNone);
  CHECK(cluster.ProduceResult(retry)->base_offset == 2);
  CHECK(cluster.Log(leader, "cities", 0).log_end_offset() == 5);
  for (std::int32_t b = 1; b <= 3; ++b) {
    CHECK(Values(cluster.Log(b, "cities", 0)) ==
          std::vector<std::string>{"Oslo", "Lima", "Berlin", "Paris", "Rome"});
  }
  const auto duplicates = cluster.Events("produce.duplicate", "broker-" + std::to_string(leader));
  REQUIRE(duplicates.size() == 1);
  CHECK(duplicates[0]->text ==
        "ignored a retried batch from producer 4242 seq 2..4: already at offsets 2..4 of "
        "cities-0");
}

TEST_CASE("idempotence: a new leader after failover recognises a batch the old leader wrote") {
  TestCluster cluster;
  cluster.WaitForBrokersReady();
  cluster.CreateTopic("cities", 1, 3);
  const std::int32_t old_leader = cluster.LeaderOf("cities", 0);
  const std::int64_t first =
      cluster.SendProduce(old_leader, Batch({"Berlin", "Paris", "Rome"}, 7, 0, 0));
  cluster.RunFor(Milliseconds(2000));
  REQUIRE(cluster.ProduceResult(first).has_value());
  REQUIRE(cluster.ProduceResult(first)->error == Errc::kNone);

  cluster.Crash(old_leader);
  cluster.RunFor(Milliseconds(15000));
  const std::int32_t new_leader = cluster.LeaderOf("cities", 0);
  REQUIRE(new_leader > 0);
  REQUIRE(new_leader != old_leader);
  // The follower built the producer's state from the batches it replicated.
  const auto seen = cluster.Log(new_leader, "cities", 0).LastSequenceOf(7);
  REQUIRE(seen.has_value());
  CHECK(*seen == std::make_pair(0, 2));

  const std::int64_t retry =
      cluster.SendProduce(new_leader, Batch({"Berlin", "Paris", "Rome"}, 7, 0, 0));
  const std::int64_t next = cluster.SendProduce(new_leader, Batch({"Madrid"}, 7, 0, 3));
  cluster.RunFor(Milliseconds(2000));
  REQUIRE(cluster.ProduceResult(retry).has_value());
  CHECK(cluster.ProduceResult(retry)->error == Errc::kNone);
  CHECK(cluster.ProduceResult(retry)->base_offset == 0);
  REQUIRE(cluster.ProduceResult(next).has_value());
  CHECK(cluster.ProduceResult(next)->base_offset == 3);
  CHECK(Values(cluster.Log(new_leader, "cities", 0)) ==
        std::vector<std::string>{"Berlin", "Paris", "Rome", "Madrid"});
  CHECK(cluster.Events("produce.duplicate", "broker-" + std::to_string(new_leader)).size() == 1);
}

TEST_CASE("idempotence: a restarted leader rebuilds the producer state from its log") {
  TestCluster cluster(ClusterOptions{1, 7, {}});
  cluster.WaitForBrokersReady();
  cluster.CreateTopic("cities", 1, 1);
  const std::int64_t first = cluster.SendProduce(1, Batch({"Berlin", "Paris"}, 11, 0, 0, 1));
  cluster.RunFor(Milliseconds(1000));
  REQUIRE(cluster.ProduceResult(first).has_value());
  REQUIRE(cluster.ProduceResult(first)->error == Errc::kNone);
  cluster.Crash(1);
  cluster.Restart(1);
  cluster.RunFor(Milliseconds(15000));
  REQUIRE(cluster.LeaderOf("cities", 0) == 1);
  const std::int64_t retry = cluster.SendProduce(1, Batch({"Berlin", "Paris"}, 11, 0, 0, 1));
  cluster.RunFor(Milliseconds(1000));
  REQUIRE(cluster.ProduceResult(retry).has_value());
  CHECK(cluster.ProduceResult(retry)->error == Errc::kNone);
  CHECK(cluster.ProduceResult(retry)->base_offset == 0);
  CHECK(Values(cluster.Log(1, "cities", 0)) == std::vector<std::string>{"Berlin", "Paris"});
}

// ProducerAppendInfo.checkSequence and checkProducerEpoch.
TEST_CASE(
    "idempotence: a sequence gap is refused with OUT_OF_ORDER_SEQUENCE_NUMBER and an old "
    "epoch with INVALID_PRODUCER_EPOCH") {
  TestCluster cluster;
  cluster.WaitForBrokersReady();
  cluster.CreateTopic("cities", 1, 3);
  const std::int32_t leader = cluster.LeaderOf("cities", 0);
  auto send = [&](ProduceRequest request) {
    const std::int64_t id = cluster.SendProduce(leader, std::move(request));
    cluster.RunFor(Milliseconds(1000));
    REQUIRE(cluster.ProduceResult(id).has_value());
    return *cluster.ProduceResult(id);
  };
  CHECK(send(Batch({"a", "b"}, 5, 0, 0)).error == Errc::kNone);
  const ProduceResponse gap = send(Batch({"c"}, 5, 0, 5));
  CHECK(gap.error == Errc::kOutOfOrderSequenceNumber);
  CHECK(gap.error_message ==
        "Out of order sequence number for producer 5 at offset 2 in partition cities-0: 5 "
        "(incoming seq. number), 1 (current end sequence number)");
  // A new epoch starts its sequence at 0 (after a producer bumped its epoch).
  CHECK(send(Batch({"c"}, 5, 2, 4)).error == Errc::kOutOfOrderSequenceNumber);
  CHECK(send(Batch({"c"}, 5, 1, 0)).error == Errc::kNone);
  CHECK(send(Batch({"d"}, 5, 0, 2)).error == Errc::kInvalidProducerEpoch);
  CHECK(cluster.Log(leader, "cities", 0).log_end_offset() == 3);
  CHECK(cluster.Events("produce.rejected").size() == 3);
}

// The case idempotence exists for: acks=all waits for a dead follower until it leaves the ISR
// (replica.lag.time.max.ms), the producer's request.timeout.ms runs out first and it retries a
// batch the leader has already written.
std::vector<std::string> RunTimedOutProduce(bool enable_idempotence, ClientHistory& history_out) {
  ClusterOptions options;
  options.broker_settings.replica_lag_time_max_ms = 10000;
  TestCluster cluster(options);
  cluster.WaitForBrokersReady();
  cluster.CreateTopic("cities", 1, 3);
  const std::int32_t leader = cluster.LeaderOf("cities", 0);
  cluster.Crash(cluster.FollowersOf("cities", 0)[0]);
  ProducerConfig config;
  config.topic = "cities";
  config.acks = -1;
  config.count = 1;
  config.request_timeout = Milliseconds(3000);
  config.enable_idempotence = enable_idempotence;
  config.record_at = [](std::int64_t) { return ProducedRecord{std::nullopt, "Reykjavik", 0}; };
  auto history = std::make_shared<ClientHistory>();
  ProducerNode* producer = cluster.AddProducer("producer-1", config, history);
  CHECK(producer->idempotent() == enable_idempotence);
  cluster.RunFor(Milliseconds(30000));
  history_out = *history;
  return Values(cluster.Log(leader, "cities", 0));
}

TEST_CASE(
    "idempotence: without it a timed-out batch the leader wrote is written again on "
    "retry; with it the retry is recognised") {
  ClientHistory without;
  const std::vector<std::string> duplicated = RunTimedOutProduce(false, without);
  CHECK(CountOf(duplicated, "Reykjavik") > 1);  // the teaching point: duplicates

  ClientHistory with;
  const std::vector<std::string> once = RunTimedOutProduce(true, with);
  CHECK(once == std::vector<std::string>{"Reykjavik"});
  REQUIRE(with.produced.size() == 1);
  CHECK(with.produced[0].error == Errc::kNone);
  CHECK(with.produced[0].offset == 0);
  CHECK(with.stats["producer-1"].errors["REQUEST_TIMED_OUT"] >= 1);
}

TEST_CASE("idempotence: producers get distinct ids from blocks the controller allocates") {
  TestCluster cluster;
  cluster.WaitForBrokersReady();
  cluster.CreateTopic("cities", 1, 3);
  std::vector<ProducerNode*> producers;
  for (int i = 1; i <= 3; ++i) {
    ProducerConfig config;
    config.topic = "cities";
    config.count = 2;
    config.record_at = [](std::int64_t n) {
      return ProducedRecord{std::nullopt, "v" + std::to_string(n), 0};
    };
    producers.push_back(cluster.AddProducer("producer-" + std::to_string(i), config,
                                            std::make_shared<ClientHistory>()));
  }
  cluster.RunFor(Milliseconds(5000));
  std::vector<std::int64_t> ids;
  for (ProducerNode* p : producers) ids.push_back(p->producer_id());
  std::sort(ids.begin(), ids.end());
  CHECK(ids.front() >= 0);
  CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
  CHECK_FALSE(cluster.Events("producer_id.block").empty());
  CHECK(cluster.server(1)->metadata().next_producer_id() % kProducerIdBlockSize == 0);
  CHECK(cluster.server(1)->metadata().next_producer_id() >= kProducerIdBlockSize);
}

}  // namespace
}  // namespace kafkasim::kafka::testing
