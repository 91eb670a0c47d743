// Kafka's meter metrics over virtual time: sliding-window rates, counters that restart with
// their broker, and the metrics a run of broker-failure shows under Kafka's names.
#include "scenario/metric_rates.h"

#include <doctest/doctest.h>

#include "scenario/runner.h"

namespace kafkasim::scenario {
namespace {

Time At(std::int64_t ms) { return kTimeZero + Milliseconds(ms); }

TEST_CASE("metric rates: events per virtual second over the last ten seconds") {
  SlidingRate rate;
  CHECK(rate.PerSecond(At(0)) == 0.0);
  rate.Add(At(18500), 3);
  CHECK(rate.PerSecond(At(18500)) == doctest::Approx(0.3));
  CHECK(rate.PerSecond(At(28499)) == doctest::Approx(0.3));
  CHECK(rate.PerSecond(At(28500)) == 0.0);  // the window is (now - 10s, now]
  rate.Add(At(30000));
  rate.Add(At(30000));
  rate.Add(At(31000));
  CHECK(rate.PerSecond(At(31000)) == doctest::Approx(0.3));
  CHECK(rate.total() == 6);
}

TEST_CASE("metric rates: a shorter window gives a sharper rate") {
  SlidingRate rate(Seconds(1));
  rate.Add(At(1000), 2);
  CHECK(rate.PerSecond(At(1500)) == doctest::Approx(2.0));
  CHECK(rate.PerSecond(At(2000)) == 0.0);
}

TEST_CASE("metric rates: a broker counter that restarts from zero is not a negative rate") {
  CounterRate rate;
  rate.Sample(At(1000), 1, 0);
  rate.Sample(At(2000), 1, 4);
  rate.Sample(At(2000), 2, 1);
  CHECK(rate.PerSecond(At(2000)) == doctest::Approx(0.5));
  rate.Sample(At(3000), 1, 2);  // broker 1 restarted and failed two more requests
  CHECK(rate.PerSecond(At(3000)) == doctest::Approx(0.7));
  rate.Reset(2);  // broker 2 crashed; it counts from zero when it returns
  rate.Sample(At(4000), 2, 1);
  CHECK(rate.PerSecond(At(4000)) == doctest::Approx(0.8));
}

TEST_CASE("metric rates: a partition's first leader is a creation, not an election") {
  KafkaMeters meters;
  TraceEvent created;
  created.time = At(1000);
  created.kind = "partition.leader";
  created.fields = {{"partition", std::string("cities-0")}, {"leader_epoch", std::int64_t{0}}};
  meters.OnTrace(created);
  TraceEvent elected = created;
  elected.time = At(19026);
  elected.fields[1].value = std::int64_t{1};
  meters.OnTrace(elected);
  TraceEvent shrink;
  shrink.time = At(19100);
  shrink.kind = "isr.shrink";
  meters.OnTrace(shrink);
  std::map<std::string, double> metrics;
  meters.AddTo(At(20000), metrics);
  CHECK(metrics.at("LeaderElectionRateAndTimeMs") == doctest::Approx(0.1));
  CHECK(metrics.at("IsrShrinksPerSec") == doctest::Approx(0.1));
  CHECK(metrics.at("IsrExpandsPerSec") == 0.0);
  CHECK(metrics.at("FailedProduceRequestsPerSec") == 0.0);
}

TEST_CASE("metrics: broker-failure under Kafka's names, rates per virtual second") {
  Result<Scenario> loaded =
      LoadScenario(std::string(KAFKASIM_SOURCE_DIR) + "/scenarios/broker-failure.json");
  REQUIRE(loaded.ok());
  RunOptions options;
  options.seed = loaded->seed;
  Runner runner(std::move(*loaded), std::move(options));
  auto at = [&runner](std::int64_t ms) -> const std::map<std::string, double>& {
    for (int i = 0; i < 100 && runner.View().now < At(ms); ++i)
      runner.AdvanceTo(At(ms), UINT64_MAX);
    return runner.View().metrics;
  };
  const auto& before = at(9000);
  CHECK(before.at("ActiveControllerCount") == 1);
  CHECK(before.at("UnderReplicatedPartitions") == 0);
  CHECK(before.count("IsrShrinks") == 0);  // raw counters are not Kafka's names
  const auto& failover = at(19500);        // broker-1 fenced at 18.5s, broker-3 leads at 19.03s
  CHECK(failover.at("UnderReplicatedPartitions") == 3);
  CHECK(failover.at("UnderMinIsrPartitionCount") == 0);  // ISR 2 of min.insync.replicas 2
  CHECK(failover.at("OfflinePartitionsCount") == 0);
  CHECK(failover.at("LeaderElectionRateAndTimeMs") == doctest::Approx(0.1));
  const auto& rejoined = at(33500);  // three ISR expansions at 32.6s
  CHECK(rejoined.at("UnderReplicatedPartitions") == 0);
  CHECK(rejoined.at("IsrExpandsPerSec") == doctest::Approx(0.3));
  // A produce request the new leader of cities-0 answers with an error (a retried batch it
  // refuses, or NOT_LEADER_OR_FOLLOWER) shows as a rate soon after; find the first one.
  std::int64_t failed_at_ms = -1;
  for (std::int64_t ms = 34000; ms <= 90000 && failed_at_ms < 0; ms += 1000) {
    if (at(ms).at("FailedProduceRequestsPerSec") > 0) failed_at_ms = ms;
  }
  CHECK(failed_at_ms > 0);
  CHECK(at(failed_at_ms + 12000).at("FailedProduceRequestsPerSec") == 0.0);  // 10 s window
  CHECK(at(91000).at("IsrExpandsPerSec") == 0.0);
  CHECK(runner.View().metrics.count("records-lag-max") == 1);
}

}  // namespace
}  // namespace kafkasim::scenario
