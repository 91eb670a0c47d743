// A producer whose partition leader dies: a killed broker process closes its connections, so the
// producer's requests fail at once with NETWORK_EXCEPTION (NetworkClient completes them with a
// disconnected response; Sender retries them after a metadata update), while a power loss
// leaves them waiting request.timeout.ms.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "kafka/message_kind.h"
#include "test_cluster.h"

namespace kafkasim::kafka::testing {
namespace {

struct LeaderLossRun {
  Time died;
  Duration first_disconnect_after = Duration{-1};  // client.disconnect after the leader died
  Duration slowest_in_flight_ack;  // longest wait of a record produced before the leader died
  ClientHistory history;
  std::vector<std::string> new_leader_values;
};

// One partition, three replicas, an idempotent acks=all producer sending a record every 10 ms;
// the leader is killed (or loses power) while a produce request to it is on the wire.
LeaderLossRun RunLeaderLoss(bool kill) {
  TestCluster cluster;
  cluster.WaitForBrokersReady();
  cluster.CreateTopic("cities", 1, 3);
  const std::int32_t leader = cluster.LeaderOf("cities", 0);
  ProducerConfig config;
  config.topic = "cities";
  config.acks = -1;
  config.count = 300;
  config.send_interval = Milliseconds(10);
  config.record_at = [](std::int64_t n) {
    return ProducedRecord{std::nullopt, "v" + std::to_string(n), 0};
  };
  auto history = std::make_shared<ClientHistory>();
  REQUIRE(cluster.AddProducer("producer-1", config, history) != nullptr);
  const NodeIndex producer = cluster.sim().FindNode("producer-1");
  cluster.RunFor(Milliseconds(1000));
  Simulation& sim = cluster.sim();
  const NodeIndex to = cluster.node(leader);
  const bool on_wire = sim.RunUntil(
      [&] {
        bool found = false;
        sim.ForEachInFlight([&](const Message& m) {
          found = found || (m.from == producer && m.to == to &&
                            MessageKindOf(m.message_class) == MessageKind::kProduce);
        });
        return found;
      },
      100000);
  REQUIRE(on_wire);
  LeaderLossRun run;
  run.died = sim.Now();
  const std::int64_t sent_before = history->stats["producer-1"].sent;
  if (kill) {
    sim.KillNode(to);
  } else {
    sim.CrashNode(to);
  }
  cluster.RunFor(Milliseconds(60000));
  for (const TraceEvent* e : cluster.Events("client.disconnect", "producer-1")) {
    run.first_disconnect_after = e->time - run.died;
    break;
  }
  for (const ProduceOutcome& o : history->produced) {
    if (o.sequence < sent_before && o.at > run.died) {
      run.slowest_in_flight_ack = std::max(run.slowest_in_flight_ack, o.at - run.died);
    }
  }
  run.history = *history;
  const std::int32_t new_leader = cluster.LeaderOf("cities", 0);
  REQUIRE(new_leader != leader);
  run.new_leader_values = Values(cluster.Log(new_leader, "cities", 0));
  return run;
}

void CheckEveryRecordOnceAndAcknowledged(const LeaderLossRun& run) {
  CHECK(run.history.produced.size() == 300);
  std::set<std::int64_t> offsets;
  for (const ProduceOutcome& o : run.history.produced) {
    CHECK(o.error == Errc::kNone);
    offsets.insert(o.offset);
  }
  CHECK(offsets.size() == 300);
  CHECK(run.new_leader_values.size() == 300);  // no duplicates, nothing lost
  CHECK(std::set<std::string>(run.new_leader_values.begin(), run.new_leader_values.end()).size() ==
        300);
}

TEST_CASE(
    "disconnect: a producer whose leader's process is killed fails its request at once with "
    "NETWORK_EXCEPTION and is acknowledged by the new leader well before request.timeout.ms") {
  const LeaderLossRun run = RunLeaderLoss(/*kill=*/true);
  CHECK(run.first_disconnect_after >= Duration{});
  CHECK(run.first_disconnect_after <= Milliseconds(5));  // one network latency, not 30 s
  const auto& errors = run.history.stats.at("producer-1").errors;
  CHECK(errors.count("NETWORK_EXCEPTION") == 1);
  CHECK(errors.count("REQUEST_TIMED_OUT") == 0);
  CHECK(run.slowest_in_flight_ack > Duration{});
  CHECK(run.slowest_in_flight_ack < Milliseconds(15000));  // broker session timeout, not 30 s
  CheckEveryRecordOnceAndAcknowledged(run);
}

TEST_CASE(
    "disconnect: a producer whose leader loses power hears nothing and waits "
    "request.timeout.ms for its in-flight request") {
  const LeaderLossRun run = RunLeaderLoss(/*kill=*/false);
  CHECK(run.first_disconnect_after == Duration{-1});  // no client.disconnect at all
  const auto& errors = run.history.stats.at("producer-1").errors;
  CHECK(errors.count("NETWORK_EXCEPTION") == 0);
  CHECK(errors.count("REQUEST_TIMED_OUT") == 1);
  CHECK(run.slowest_in_flight_ack >= Milliseconds(30000));
  CheckEveryRecordOnceAndAcknowledged(run);
}

}  // namespace
}  // namespace kafkasim::kafka::testing
