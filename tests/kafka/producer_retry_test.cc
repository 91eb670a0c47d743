// The producer's retries, paced as Kafka 3.7+ paces them: a batch put back after a retriable
// error waits retry.backoff.ms, doubling per retry up to retry.backoff.max.ms with 20% jitter
// (KIP-580), unless the partition's leader changed since its last attempt: then it goes to the
// new leader at once (KIP-951).
#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "test_cluster.h"

namespace kafkasim::kafka::testing {
namespace {

// Every produce request the producer sends, and every metadata answer it gets: when, to whom.
class ProducerWatch : public MessageObserver {
 public:
  explicit ProducerWatch(NodeIndex producer) : producer_(producer) {}
  void OnSend(const Message& m, bool /*lost*/) override {
    if (m.from != producer_) return;
    const auto* k = m.As<KafkaMessage>();
    if (k != nullptr && k->Get<ProduceRequest>() != nullptr)
      produce_sends.push_back({m.sent_at, m.to});
  }
  void OnDeliver(const Message& m) override {
    if (m.to != producer_) return;
    const auto* k = m.As<KafkaMessage>();
    if (k == nullptr) return;
    if (const auto* md = k->Get<MetadataResponse>()) {
      for (const PartitionMetadata& p : md->partitions) {
        if (p.topic == "cities" && p.partition == 0) metadata.push_back({m.deliver_at, p});
      }
    }
    if (const auto* r = k->Get<ProduceResponse>()) produce_errors.push_back(r->error);
  }
  void OnDrop(const Message&, const char*) override {}

  struct Send {
    Time at;
    NodeIndex to;
  };
  struct Answer {
    Time at;
    PartitionMetadata partition;
  };
  std::vector<Send> produce_sends;
  std::vector<Answer> metadata;
  std::vector<Errc> produce_errors;

 private:
  NodeIndex producer_;
};

ProducerConfig OneRecord() {
  ProducerConfig config;
  config.topic = "cities";
  config.acks = -1;
  config.count = 1;
  config.send_interval = Milliseconds(10);
  config.record_at = [](std::int64_t) { return ProducedRecord{std::nullopt, "Paris", 0}; };
  return config;
}

}  // namespace

TEST_CASE(
    "producer retries: a batch refused with NOT_ENOUGH_REPLICAS is retried after "
    "retry.backoff.ms, doubling per retry up to retry.backoff.max.ms, each +-20%") {
  TestCluster cluster;
  cluster.WaitForBrokersReady();
  cluster.CreateTopic("cities", 1, 3, {{"min.insync.replicas", "3"}});
  const std::int32_t leader = cluster.LeaderOf("cities", 0);
  cluster.Crash(cluster.FollowersOf("cities", 0).front());
  cluster.RunFor(Milliseconds(40000));  // replica.lag.time.max.ms: the ISR shrinks to two
  REQUIRE(cluster.IsrOnLeader("cities", 0).size() == 2);
  auto history = std::make_shared<ClientHistory>();
  REQUIRE(cluster.AddProducer("producer-1", OneRecord(), history) != nullptr);
  ProducerWatch watch(cluster.sim().FindNode("producer-1"));
  cluster.sim().AddObserver(&watch);
  cluster.RunFor(Milliseconds(9000));
  cluster.sim().RemoveObserver(&watch);

  REQUIRE(watch.produce_sends.size() >= 8);
  for (const ProducerWatch::Send& s : watch.produce_sends) CHECK(s.to == cluster.node(leader));
  REQUIRE(!watch.produce_errors.empty());
  for (Errc e : watch.produce_errors) CHECK(e == Errc::kNotEnoughReplicas);
  // The k-th retry waits 100 ms * 2^(k-1), at most 1000 ms, times [0.8, 1.2), after the answer
  // to the attempt before (a round trip of a few milliseconds).
  for (std::size_t k = 1; k < watch.produce_sends.size(); ++k) {
    CAPTURE(k);
    const std::int64_t backoff_ms =
        std::min<std::int64_t>(100LL << std::min<std::size_t>(k - 1, 10), 1000);
    const Duration gap = watch.produce_sends[k].at - watch.produce_sends[k - 1].at;
    CHECK(gap >= Milliseconds(backoff_ms * 8 / 10));
    CHECK(gap < Milliseconds(backoff_ms * 12 / 10 + 50));
  }
  // Not every wait is the same length: the jitter is drawn per retry.
  std::vector<Duration> capped;
  for (std::size_t k = 5; k < watch.produce_sends.size(); ++k) {
    capped.push_back(watch.produce_sends[k].at - watch.produce_sends[k - 1].at);
  }
  CHECK(std::adjacent_find(capped.begin(), capped.end(), std::not_equal_to<>()) != capped.end());
  const ClientStats& stats = history->stats["producer-1"];
  CHECK(stats.acknowledged == 0);
  CHECK(stats.in_flight == 1);  // still retrying: delivery.timeout.ms is two minutes
}

TEST_CASE(
    "producer retries: once its metadata names a new leader, a backing-off batch goes to it at "
    "once, not after the rest of its backoff") {
  TestCluster cluster;
  cluster.WaitForBrokersReady();
  cluster.CreateTopic("cities", 1, 3);
  const std::int32_t leader = cluster.LeaderOf("cities", 0);
  auto history = std::make_shared<ClientHistory>();
  ProducerConfig config = OneRecord();
  config.count = 2000;
  REQUIRE(cluster.AddProducer("producer-1", config, history) != nullptr);
  ProducerWatch watch(cluster.sim().FindNode("producer-1"));
  cluster.RunFor(Milliseconds(1000));
  cluster.sim().AddObserver(&watch);
  // Killed: the producer's requests fail at once with NETWORK_EXCEPTION and back off while
  // the controller waits broker.session.timeout.ms before it elects another leader.
  cluster.sim().KillNode(cluster.node(leader));
  const Time killed = cluster.sim().Now();
  cluster.RunFor(Milliseconds(20000));
  cluster.sim().RemoveObserver(&watch);
  const std::int32_t new_leader = cluster.LeaderOf("cities", 0);
  REQUIRE(new_leader != leader);

  // The first metadata answer that names the new leader, and the first produce to it.
  const auto learnt = std::find_if(
      watch.metadata.begin(), watch.metadata.end(),
      [&](const ProducerWatch::Answer& a) { return a.partition.leader == new_leader; });
  REQUIRE(learnt != watch.metadata.end());
  const auto first_to_new =
      std::find_if(watch.produce_sends.begin(), watch.produce_sends.end(),
                   [&](const ProducerWatch::Send& s) { return s.to == cluster.node(new_leader); });
  REQUIRE(first_to_new != watch.produce_sends.end());
  // The batch had backed off for several retries (up to a second each) by then.
  CHECK(learnt->at - killed > Milliseconds(5000));
  CHECK(first_to_new->at >= learnt->at);
  CHECK(first_to_new->at - learnt->at <= Milliseconds(10));
  CHECK(history->stats["producer-1"].failed == 0);
}

}  // namespace kafkasim::kafka::testing
