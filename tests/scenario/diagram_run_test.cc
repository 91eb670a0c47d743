// Sequence diagrams of a real run: the Runner records messages for front ends, and a window of
// a bundled scenario draws the nodes and message kinds a learner expects to see.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "scenario/diagram.h"
#include "scenario/runner.h"

namespace kafkasim::scenario {
namespace {

const std::string kBrokerFailure =
    std::string(KAFKASIM_SOURCE_DIR) + "/scenarios/broker-failure.json";

Runner OpenBrokerFailure(std::uint64_t seed) {
  Result<Scenario> loaded = LoadScenario(kBrokerFailure);
  REQUIRE(loaded.ok());
  RunOptions options;
  options.seed = seed;
  return Runner(std::move(*loaded), std::move(options));
}

// Runs through `pause` steps, as the CLI and the screenshot mode do.
void RunTo(Runner& runner, Time t) {
  for (int i = 0; i < 100 && runner.View().now < t; ++i) runner.AdvanceTo(t, UINT64_MAX);
  REQUIRE(runner.View().now == t);
}

std::string Mermaid(std::uint64_t seed, Time from, Time to) {
  Runner runner = OpenBrokerFailure(seed);
  RunTo(runner, to);
  REQUIRE(runner.message_log() != nullptr);
  DiagramOptions options;
  options.messages_max = 100'000;
  return SequenceDiagramMermaid(*runner.message_log(), from, to, options);
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_CASE("runner: records the messages of the run for sequence diagrams") {
  Runner runner = OpenBrokerFailure(42);
  REQUIRE(runner.message_log() != nullptr);
  RunTo(runner, kTimeZero + Seconds(5));
  const std::vector<MessageRecord>& log = *runner.message_log();
  REQUIRE_FALSE(log.empty());
  CHECK(log.front().sent_at < kTimeZero + Seconds(2));  // the first election
  CHECK(log.back().sent_at <= kTimeZero + Seconds(5));
  CHECK(std::any_of(log.begin(), log.end(), [](const MessageRecord& r) {
    return r.outcome == MessageOutcome::kDelivered;
  }));
}

TEST_CASE("runner: a rewind re-records the messages of the re-executed run") {
  Runner runner = OpenBrokerFailure(42);
  RunTo(runner, kTimeZero + Seconds(6));
  const std::size_t at_6s = runner.message_log()->size();
  runner.RewindToTime(kTimeZero + Seconds(3));
  REQUIRE(runner.message_log() != nullptr);
  CHECK(runner.message_log()->size() < at_6s);
  CHECK(runner.message_log()->back().sent_at <= kTimeZero + Seconds(3));
  RunTo(runner, kTimeZero + Seconds(6));
  CHECK(runner.message_log()->size() == at_6s);
}

TEST_CASE("runner: recording can be turned off for headless runs") {
  Result<Scenario> loaded = LoadScenario(kBrokerFailure);
  REQUIRE(loaded.ok());
  RunOptions options;
  options.messages_recorded_max = 0;
  Runner runner(std::move(*loaded), std::move(options));
  CHECK(runner.message_log() == nullptr);
}

TEST_CASE("diagram: the failover window of broker-failure shows the cluster and its traffic") {
  const std::string text = Mermaid(42, kTimeZero + Seconds(17), kTimeZero + Seconds(20));
  CHECK(text.starts_with("sequenceDiagram\n"));
  for (const char* node : {"broker-1", "broker-2", "broker-3", "controller-1", "controller-2",
                           "controller-3", "producer-1", "consumer-1"}) {
    CAPTURE(node);
    CHECK(Has(text, std::string(" as ") + node + "\n"));
  }
  for (const char* kind : {"produce: Produce cities-", "fetch: Fetch", "heartbeat: "}) {
    CAPTURE(kind);
    CHECK(Has(text, kind));
  }
}

TEST_CASE("diagram: the first seconds of broker-failure show the controllers voting") {
  const std::string text = Mermaid(42, kTimeZero, kTimeZero + Seconds(2));
  CHECK(Has(text, " vote: "));
  CHECK(Has(text, " metadata: "));
}

TEST_CASE("diagram: the same seed draws byte-identical diagrams") {
  const Time from = kTimeZero + Seconds(18), to = kTimeZero + Milliseconds(18600);
  CHECK(Mermaid(42, from, to) == Mermaid(42, from, to));
  CHECK(Mermaid(7, from, to) != Mermaid(42, from, to));
}

TEST_CASE("diagram: the SVG of a real window is one balanced document") {
  Runner runner = OpenBrokerFailure(42);
  RunTo(runner, kTimeZero + Seconds(19));
  const std::string svg =
      SequenceDiagramSvg(*runner.message_log(), kTimeZero + Seconds(18), kTimeZero + Seconds(19));
  CHECK(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  CHECK(svg.ends_with("</svg>\n"));
  auto count = [&svg](const std::string& s) {
    std::size_t n = 0;
    for (std::size_t at = svg.find(s); at != std::string::npos; at = svg.find(s, at + 1)) ++n;
    return n;
  };
  CHECK(count("<svg") == 1);
  CHECK(count("<g>") == count("</g>"));
  CHECK(count("<text") == count("</text>"));
  CHECK(count("<g>") > 10);
  CHECK(Has(svg, ">broker-3</text>"));
}

}  // namespace
}  // namespace kafkasim::scenario
