// The GUI's snapshot (Runner::View): every replica log's offsets as its broker holds them now,
// segments and leader epochs only for the partition asked for, through crashes and restarts.
#include <doctest/doctest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "scenario/runner.h"

namespace kafkasim::scenario {
namespace {

constexpr const char* kViewScenario = R"({"name": "view", "seed": 5,
    "cluster": {"mode": "kraft", "brokers": 3, "controllers": 1},
    "topics": [{"name": "cities", "partitions": 3, "replication_factor": 3}],
    "clients": [{"id": "producer-1", "type": "producer", "topic": "cities", "rate_per_s": 200}],
    "steps": [{"at": "4s", "crash": "broker-2"},
              {"at": "7s", "restart": "broker-2"},
              {"at": "9s", "kill": "broker-3"},
              {"at": "10s", "restart": "broker-3"}],
    "end": "13s"})";

Runner Open() {
  std::vector<std::string> errors;
  std::optional<Scenario> s = ParseScenario(kViewScenario, "view.json", &errors);
  REQUIRE(s.has_value());
  return Runner(std::move(*s), RunOptions{});
}

TEST_CASE("the snapshot's replica offsets are what each broker's log holds, at every moment") {
  Runner runner = Open();
  runner.SetDetailedPartition("cities-1");
  int offline_seen = 0, moved_seen = 0;
  for (Time t = kTimeZero + Milliseconds(250); t <= kTimeZero + Seconds(13);
       t = t + Milliseconds(250)) {
    runner.AdvanceTo(t, UINT64_MAX);
    const view::WorldView& v = runner.View();
    if (v.topics.empty()) continue;  // not created yet
    REQUIRE(v.topics.size() == 1);
    for (const view::PartitionView& p : v.topics[0].partitions) {
      REQUIRE(p.logs.size() == p.replicas.size());
      for (const view::ReplicaLogView& log : p.logs) {
        CAPTURE(p.partition);
        CAPTURE(log.broker_id);
        CAPTURE(FormatTime(v.now));
        kafka::KafkaNode* server = runner.world().BrokerServer(log.broker_id);
        const kafka::ReplicaLog* held =
            server == nullptr ? nullptr : server->Log("cities", p.partition);
        CHECK(log.online == (held != nullptr));
        if (held == nullptr) {
          ++offline_seen;
          continue;
        }
        CHECK(log.log_start_offset == held->log_start_offset());
        CHECK(log.high_watermark == held->high_watermark());
        CHECK(log.log_end_offset == held->log_end_offset());
        moved_seen += log.log_end_offset > 0 ? 1 : 0;
        // Only the partition asked for carries its segments and leader epochs.
        CHECK(log.detailed == (p.partition == 1));
        if (p.partition == 1) {
          CHECK(log.segments.size() == held->Describe().segments.size());
          CHECK(log.leader_epochs == held->Describe().leader_epochs);
        } else {
          CHECK(log.segments.empty());
          CHECK(log.leader_epochs.empty());
        }
      }
    }
  }
  CHECK(offline_seen > 0);  // the crashed and killed brokers' replicas were seen offline
  CHECK(moved_seen > 0);    // and the logs grew
}

TEST_CASE("asking for another partition's details rebuilds the snapshot with them") {
  Runner runner = Open();
  runner.AdvanceTo(kTimeZero + Seconds(3), UINT64_MAX);
  const auto detailed = [&runner] {
    std::vector<int> out;
    for (const view::PartitionView& p : runner.View().topics.at(0).partitions) {
      for (const view::ReplicaLogView& log : p.logs) {
        if (log.detailed) out.push_back(p.partition);
      }
    }
    return out;
  };
  CHECK(detailed().empty());  // none asked for
  runner.SetDetailedPartition("cities-2");
  CHECK(detailed() == std::vector<int>{2, 2, 2});
  runner.SetDetailedPartition("cities-0");
  CHECK(detailed() == std::vector<int>{0, 0, 0});
  runner.SetDetailedPartition("towns-0");  // no such topic: nothing in full
  CHECK(detailed().empty());
}

// Every field of the topics of two snapshots, replica logs included.
void CheckSameTopics(const std::vector<view::TopicView>& kept,
                     const std::vector<view::TopicView>& fresh) {
  REQUIRE(kept.size() == fresh.size());
  for (std::size_t t = 0; t < kept.size(); ++t) {
    const view::TopicView& a = kept[t];
    const view::TopicView& b = fresh[t];
    CHECK(a.name == b.name);
    CHECK(a.topic_id == b.topic_id);
    CHECK(a.replication_factor == b.replication_factor);
    CHECK(a.configs == b.configs);
    REQUIRE(a.partitions.size() == b.partitions.size());
    for (std::size_t p = 0; p < a.partitions.size(); ++p) {
      const view::PartitionView& pa = a.partitions[p];
      const view::PartitionView& pb = b.partitions[p];
      CAPTURE(pa.partition);
      CHECK(pa.topic == pb.topic);
      CHECK(pa.partition == pb.partition);
      CHECK(pa.leader == pb.leader);
      CHECK(pa.leader_epoch == pb.leader_epoch);
      CHECK(pa.partition_epoch == pb.partition_epoch);
      CHECK(pa.replicas == pb.replicas);
      CHECK(pa.isr == pb.isr);
      CHECK(pa.elr == pb.elr);
      CHECK(pa.last_known_elr == pb.last_known_elr);
      CHECK(pa.under_min_isr == pb.under_min_isr);
      REQUIRE(pa.logs.size() == pb.logs.size());
      for (std::size_t l = 0; l < pa.logs.size(); ++l) {
        const view::ReplicaLogView& la = pa.logs[l];
        const view::ReplicaLogView& lb = pb.logs[l];
        CAPTURE(la.broker_id);
        CHECK(la.broker_id == lb.broker_id);
        CHECK(la.online == lb.online);
        CHECK(la.detailed == lb.detailed);
        CHECK(la.log_start_offset == lb.log_start_offset);
        CHECK(la.high_watermark == lb.high_watermark);
        CHECK(la.log_end_offset == lb.log_end_offset);
        CHECK(la.segments.size() == lb.segments.size());
        CHECK(la.leader_epochs == lb.leader_epochs);
      }
    }
  }
}

TEST_CASE("a snapshot kept from frame to frame reads as one built afresh, through restarts") {
  Runner runner = Open();
  int kept_frames = 0, rebuilt_frames = 0;
  view::TopicsSource last;
  int frame = 0;
  for (Time t = kTimeZero + Milliseconds(50); t <= kTimeZero + Seconds(13);
       t = t + Milliseconds(50)) {
    // The partition described in full changes now and then, as a user clicks.
    const std::string detailed = (++frame / 40) % 2 == 0 ? "cities-1" : "cities-2";
    runner.SetDetailedPartition(detailed);
    runner.AdvanceTo(t, UINT64_MAX);
    const view::WorldView& v = runner.View();
    CAPTURE(FormatTime(v.now));
    if (v.topics_source.valid && v.topics_source == last) {
      ++kept_frames;  // built from the image of the last frame: only the logs were read
    } else {
      ++rebuilt_frames;
    }
    last = v.topics_source;
    const view::WorldView fresh = runner.world().BuildView(detailed);
    CheckSameTopics(v.topics, fresh.topics);
  }
  CHECK(kept_frames > 50);    // most frames keep the topics
  CHECK(rebuilt_frames > 5);  // metadata changes, restarts and the detailed partition rebuild
}

// A broker's replica offsets are read again only when one of its logs moved since the last
// frame: with frames of a millisecond most brokers stand still in most frames, and a move of
// only the high watermark (the leader's, once the followers caught up) must still be seen.
TEST_CASE("a snapshot taken every millisecond shows each replica's offsets as they move") {
  Runner runner = Open();
  for (Time t = kTimeZero + Seconds(2); t <= kTimeZero + Milliseconds(4600);
       t = t + Milliseconds(1)) {
    runner.AdvanceTo(t, UINT64_MAX);
    const view::WorldView& v = runner.View();
    CAPTURE(FormatTime(v.now));
    const view::WorldView fresh = runner.world().BuildView("");
    CheckSameTopics(v.topics, fresh.topics);
  }
}

// A consumer's lag in the snapshot is the largest gap between a partition leader's high
// watermark and the consumer's position there (records-lag-max), recomputed here from the
// snapshot's own replica logs. The consumer starts late, so it first lags, then catches up.
TEST_CASE("a consumer's lag is its largest gap behind a leader's high watermark") {
  std::vector<std::string> errors;
  std::optional<Scenario> s = ParseScenario(R"({"name": "lag", "seed": 3,
      "cluster": {"mode": "kraft", "brokers": 3, "controllers": 1},
      "topics": [{"name": "cities", "partitions": 3, "replication_factor": 3}],
      "clients": [{"id": "producer-1", "type": "producer", "topic": "cities", "rate_per_s": 300},
                  {"id": "consumer-1", "type": "consumer", "topic": "cities",
                   "from_beginning": true, "start": "5s"}],
      "end": "9s"})",
                                            "lag.json", &errors);
  REQUIRE(s.has_value());
  Runner runner(std::move(*s), RunOptions{});
  std::int64_t largest = 0, last = -1;
  for (Time t = kTimeZero + Seconds(5); t <= kTimeZero + Seconds(9); t = t + Milliseconds(20)) {
    runner.AdvanceTo(t, UINT64_MAX);
    const view::WorldView& v = runner.View();
    CAPTURE(FormatTime(v.now));
    const view::ClientView* consumer = nullptr;
    for (const view::ClientView& c : v.clients) {
      if (c.name == "consumer-1") consumer = &c;
    }
    if (consumer == nullptr || consumer->positions.empty()) continue;
    REQUIRE(consumer->positions.size() == 1);
    CHECK(consumer->positions[0].first == "cities");
    const std::vector<std::int64_t>& offsets = consumer->positions[0].second;
    std::int64_t expected = 0;
    for (const view::PartitionView& p : v.topics.at(0).partitions) {
      const auto at = static_cast<std::size_t>(p.partition);
      if (at >= offsets.size() || offsets[at] < 0) continue;
      for (const view::ReplicaLogView& log : p.logs) {
        if (log.broker_id == p.leader && log.online) {
          expected = std::max(expected, log.high_watermark - offsets[at]);
        }
      }
    }
    CHECK(consumer->lag == expected);
    CHECK(v.metrics.at("records-lag-max") == static_cast<double>(expected));
    largest = std::max(largest, consumer->lag);
    last = consumer->lag;
  }
  CHECK(largest > 200);  // four seconds of records wait when it starts
  CHECK(last >= 0);
  CHECK(last < 50);  // caught up by the end
}

// Two runs of one scenario build equal-looking snapshots (the same broker's image at the same
// point); what reads consecutive snapshots (the GUI's topics rows) must still tell them apart.
TEST_CASE("snapshots of two runs of one scenario name different sources") {
  Runner first = Open();
  Runner second = Open();
  first.AdvanceTo(kTimeZero + Seconds(3), UINT64_MAX);
  second.AdvanceTo(kTimeZero + Seconds(3), UINT64_MAX);
  const view::TopicsSource a = first.View().topics_source;
  const view::TopicsSource b = second.View().topics_source;
  REQUIRE(a.valid);
  REQUIRE(b.valid);
  CHECK(a.node == b.node);
  CHECK(a.image_changes == b.image_changes);
  CHECK_FALSE(a == b);
}

}  // namespace
}  // namespace kafkasim::scenario
