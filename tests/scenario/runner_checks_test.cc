// The Runner's checks as front ends see them: pending with a deadline until decided, then
// passed or failed with what was expected and what the run showed.
#include <doctest/doctest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "scenario/nemesis.h"
#include "scenario/runner.h"

namespace kafkasim::scenario {
namespace {

const std::string kBrokerFailure =
    std::string(KAFKASIM_SOURCE_DIR) + "/scenarios/broker-failure.json";

void RunTo(Runner& runner, Time t) {
  for (int i = 0; i < 100 && runner.View().now < t; ++i) runner.AdvanceTo(t, UINT64_MAX);
  REQUIRE(runner.View().now == t);
}

TEST_CASE("runner checks: an expectation is pending with its deadline, then passes") {
  Result<Scenario> loaded = LoadScenario(kBrokerFailure);
  REQUIRE(loaded.ok());
  RunOptions options;
  options.seed = loaded->seed;  // the scenario's seed: broker-1 leads cities-0 before the crash
  Runner runner(std::move(*loaded), std::move(options));
  RunTo(runner, kTimeZero + Seconds(12));
  const view::CheckView& leader = runner.View().checks.at(0);
  CHECK(leader.name == "leader of cities-0 is not $old_leader (broker-1)");
  CHECK_FALSE(leader.settled);
  CHECK(leader.ok);
  CHECK(leader.deadline == kTimeZero + Seconds(30));  // the crash at 10s + within 20s
  CHECK(leader.because == "the controller fences broker-1 and elects an in-sync follower");
  RunTo(runner, kTimeZero + Seconds(20));
  const view::CheckView& passed = runner.View().checks.at(0);
  CHECK(passed.settled);
  CHECK(passed.ok);
  CHECK(passed.seen == "leader broker-3");
  CHECK(passed.broken_at > kTimeZero + Seconds(10));
  CHECK(passed.broken_at < kTimeZero + Seconds(20));
}

TEST_CASE("runner checks: a failed expectation names what was expected and seen, and its event") {
  std::vector<std::string> errors;
  std::optional<Scenario> loaded = ParseScenario(R"({"name": "fails", "seed": 1,
      "cluster": {"mode": "kraft", "brokers": 3, "controllers": 1},
      "topics": [{"name": "cities", "partitions": 1, "replication_factor": 3}],
      "steps": [{"at": "5s", "expect": {"within": "1s", "leader_of": "cities-0", "none": true}}],
      "end": "10s"})",
                                                 "fails.json", &errors);
  CAPTURE(errors.size());
  REQUIRE(loaded.has_value());
  Runner runner(std::move(*loaded), RunOptions{});
  RunTo(runner, kTimeZero + Seconds(7));
  const view::CheckView& c = runner.View().checks.at(0);
  CHECK_FALSE(c.ok);
  CHECK(c.settled);
  CHECK(c.broken_at == kTimeZero + Seconds(6));
  CHECK(c.seen.starts_with("leader broker-"));
  CHECK(c.detail == "expected cities-0 has no leader, but saw " + c.seen);
  const auto& trace = *runner.View().trace;
  REQUIRE(c.broken_at_event < trace.size());
  CHECK(trace[c.broken_at_event].kind == "expect.fail");
}

const view::CheckView& GuaranteeNamed(Runner& runner, const std::string& name) {
  for (const view::CheckView& c : runner.checks()) {
    if (c.continuous && c.name == name) return c;
  }
  FAIL("no guarantee named " << name);
  return runner.checks().front();
}

TEST_CASE("guarantees: an unclean election breaks 'acks=all writes are kept' at the election") {
  Result<Scenario> loaded =
      LoadScenario(std::string(KAFKASIM_SOURCE_DIR) + "/scenarios/unclean-election-data-loss.json");
  REQUIRE(loaded.ok());
  RunOptions options;
  options.seed = loaded->seed;
  Runner runner(std::move(*loaded), std::move(options));
  CHECK(runner.RunToEnd(kTimeMax));  // the scenario expects the loss: its verdict is a pass
  const view::CheckView& kept =
      GuaranteeNamed(runner, "acks=all writes, once acknowledged, are kept");
  CHECK_FALSE(kept.ok);
  CHECK(kept.settled);
  // Broken when broker-1 takes over by unclean election (t=43.6s), not before.
  const auto& trace = *runner.View().trace;
  const auto unclean = std::find_if(trace.begin(), trace.end(), [](const TraceEvent& e) {
    return e.text.find("by UNCLEAN election") != std::string::npos;
  });
  REQUIRE(unclean != trace.end());
  CHECK(kept.broken_at >= unclean->time);
  CHECK(kept.broken_at < unclean->time + Seconds(1));
  CHECK(kept.seen.rfind("200 acknowledged record(s) lost, e.g. payments-0 offset 40 ", 0) == 0);
  const view::CheckView& one_leader =
      GuaranteeNamed(runner, "at most one leader per partition and epoch");
  CHECK(one_leader.ok);
  CHECK_FALSE(one_leader.settled);
}

// In ZooKeeper mode a broker leads from the controller's LeaderAndIsr before any metadata
// cache names it (UpdateMetadata follows). The durability check must read the log of the broker
// acting as leader then, or a loss by an election is found only by the end-of-run sweep
// (zk-broker-failure with crash,kill,disk,partition, seed 14: broker-3, the only ISR member,
// had lost its unsynced tail in a power loss and is elected with an empty log).
TEST_CASE("guarantees: in ZooKeeper mode every loss the end sweep finds broke the guarantee") {
  int seeds_with_loss = 0;
  for (const std::uint64_t seed : {14U, 1U, 2U, 3U}) {
    CAPTURE(seed);
    Result<Scenario> loaded =
        LoadScenario(std::string(KAFKASIM_SOURCE_DIR) + "/scenarios/zk-broker-failure.json");
    REQUIRE(loaded.ok());
    RunOptions options;
    options.seed = seed;
    options.messages_recorded_max = 0;
    options.nemesis = *ParseNemesis("crash,kill,disk,partition");
    Runner runner(std::move(*loaded), std::move(options));
    runner.RunToEnd(kTimeMax);
    std::string first;
    const std::int64_t lost =
        runner.world().CountLostAcknowledged("", /*acks_all_only=*/true, &first);
    const view::CheckView& kept =
        GuaranteeNamed(runner, "acks=all writes, once acknowledged, are kept");
    if (lost == 0) continue;
    ++seeds_with_loss;
    CAPTURE(first);
    CHECK_FALSE(kept.ok);
  }
  CHECK(seeds_with_loss >= 1);  // seed 14 loses: the check above is not vacuous
}

TEST_CASE("guarantees: a clean failover keeps every guarantee") {
  Result<Scenario> loaded = LoadScenario(kBrokerFailure);
  REQUIRE(loaded.ok());
  RunOptions options;
  options.seed = loaded->seed;
  Runner runner(std::move(*loaded), std::move(options));
  CHECK(runner.RunToEnd(kTimeMax));
  int guarantees = 0;
  for (const view::CheckView& c : runner.checks()) {
    if (!c.continuous) continue;
    ++guarantees;
    CHECK_MESSAGE(c.ok, c.name << ": " << c.seen);
  }
  CHECK(guarantees == 10);
}

TEST_CASE("runner checks: produce_error with a partition counts only that partition's errors") {
  std::vector<std::string> errors;
  auto scenario = ParseScenario(R"({"name": "t", "end": "2s",
    "cluster": {"brokers": 1, "controllers": 1},
    "topics": [{"name": "cities", "partitions": 2}],
    "clients": [{"id": "p", "type": "producer", "topic": "cities", "start": "1.5s"}],
    "steps": [
      {"at": "1s", "expect": {"produce_error": {"client": "p", "partition": "cities-0",
                                                "error": "NOT_ENOUGH_REPLICAS"}}},
      {"expect": {"produce_error": {"client": "p", "partition": "cities-1",
                                    "error": "NOT_ENOUGH_REPLICAS"}}},
      {"expect": {"produce_error": {"client": "p", "error": "NOT_ENOUGH_REPLICAS"}}}]})",
                                "t.json", &errors);
  REQUIRE_MESSAGE(scenario.has_value(), errors.front());
  Runner runner(std::move(*scenario), RunOptions{});
  // As if a produce to cities-0 had been refused (the producer only starts at 1.5s).
  kafka::ClientStats& stats = runner.world().history().stats["p"];
  stats.errors["NOT_ENOUGH_REPLICAS"] = 1;
  stats.partition_errors["cities-0"]["NOT_ENOUGH_REPLICAS"] = 1;
  stats.last_error = "NOT_ENOUGH_REPLICAS";
  CHECK_FALSE(runner.RunToEnd(kTimeMax));
  CHECK(runner.checks().at(0).ok);
  CHECK(runner.checks().at(0).name == "p sees a produce to cities-0 fail with NOT_ENOUGH_REPLICAS");
  CHECK_FALSE(runner.checks().at(1).ok);
  CHECK(runner.checks().at(2).ok);
}

}  // namespace
}  // namespace kafkasim::scenario

namespace kafkasim::scenario {
namespace {

TEST_CASE("runner: rewinding to a time re-executes through the pause steps already passed") {
  Result<Scenario> loaded = LoadScenario(kBrokerFailure);
  REQUIRE(loaded.ok());
  RunOptions options;
  options.seed = loaded->seed;
  Runner runner(std::move(*loaded), std::move(options));
  const Time late = kTimeZero + Seconds(47);
  RunTo(runner, late);
  const std::string hash = runner.world().sim().trace().HashHex();
  runner.RewindToTime(kTimeZero + Seconds(46));
  CHECK(runner.View().now == kTimeZero + Seconds(46));
  CHECK_FALSE(runner.View().paused_at_step);
  RunTo(runner, late);
  CHECK(runner.world().sim().trace().HashHex() == hash);
}

TEST_CASE("runner budget: a run that passes its budget stops, says where, and goes no further") {
  Result<Scenario> loaded = LoadScenario(kBrokerFailure);
  REQUIRE(loaded.ok());
  RunOptions options;
  options.seed = loaded->seed;
  int asked = 0;
  // Within budget the first time it is asked (the run has 41555 events), then over it.
  options.budget = [&asked]() -> std::string {
    return ++asked > 1 ? "over the test's budget" : "";
  };
  Runner runner(std::move(*loaded), std::move(options));
  CHECK_FALSE(runner.RunToEnd(kTimeMax));
  CHECK(asked == 2);
  const std::uint64_t events = runner.world().sim().events_executed();
  CHECK(events == 2 * RunOptions::kBudgetCheckEvents);
  CHECK(runner.stopped().starts_with("stopped at virtual time "));
  CHECK(runner.stopped().ends_with(" (of 95.000s) after " + std::to_string(events) +
                                   " events: over the test's budget"));
  CHECK(runner.View().stopped == runner.stopped());
  // Nothing advances any more, and a caller looping "until done" ends.
  CHECK(runner.AdvanceTo(kTimeMax, UINT64_MAX));
  CHECK_FALSE(runner.StepEvent());
  CHECK_FALSE(runner.StepToNextInteresting(UINT64_MAX));
  CHECK(runner.world().sim().events_executed() == events);
}

TEST_CASE("runner budget: a budget never passed leaves the trace hash as without one") {
  Result<Scenario> loaded = LoadScenario(kBrokerFailure);
  REQUIRE(loaded.ok());
  RunOptions plain;
  plain.seed = loaded->seed;
  RunOptions budgeted = plain;
  budgeted.budget = [] { return std::string(); };
  Runner a(*loaded, std::move(plain));
  Runner b(std::move(*loaded), std::move(budgeted));
  CHECK(a.RunToEnd(kTimeMax));
  CHECK(b.RunToEnd(kTimeMax));
  CHECK(b.stopped().empty());
  CHECK(a.world().sim().trace().HashHex() == b.world().sim().trace().HashHex());
}

}  // namespace
}  // namespace kafkasim::scenario

namespace kafkasim::scenario {
namespace {

TEST_CASE(
    "runner: a run advanced in slices that a wall-clock budget cut short is the same run, event "
    "for event") {
  Result<Scenario> loaded = LoadScenario(kBrokerFailure);
  REQUIRE(loaded.ok());
  const Scenario scenario = *loaded;
  const Time end = kTimeZero + Seconds(40);
  Runner whole(Scenario(scenario), RunOptions{});
  RunTo(whole, end);
  // A budget that runs out at every question (every fourth event): the GUI's frame budget on a
  // very slow machine. Each call runs a few events and says it did not reach the target.
  Runner sliced(Scenario(scenario), RunOptions{});
  int calls = 0;
  int asks = 0;
  while (!sliced.AdvanceUntil(end, UINT64_MAX, [&asks] {
    ++asks;
    return true;
  })) {
    ++calls;
    REQUIRE(calls < 10'000'000);
  }
  CHECK(calls > 1000);
  // Asked at most once per call (the first events of a call always run); a call also ends
  // without asking at the scenario's pause step.
  CHECK(asks <= calls);
  CHECK(asks > 1000);
  CHECK(sliced.View().now == end);
  CHECK(sliced.world().sim().trace().size() == whole.world().sim().trace().size());
  CHECK(sliced.world().sim().trace().HashHex() == whole.world().sim().trace().HashHex());
  // A budget that never runs out is AdvanceTo.
  Runner unbounded(Scenario(scenario), RunOptions{});
  int unbounded_calls = 0;
  while (!unbounded.AdvanceUntil(end, UINT64_MAX, [] { return false; })) {
    ++unbounded_calls;  // only the pause step stops it
    REQUIRE(unbounded_calls < 10);
  }
  CHECK(unbounded.world().sim().trace().HashHex() == whole.world().sim().trace().HashHex());
}

}  // namespace
}  // namespace kafkasim::scenario
