// Nodes named by role ("the leader of cities-0"), "$names", "after": "topics_ready", probe
// expectations and pinned replica placement: parsing errors and what a run does with them.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "scenario/runner.h"
#include "scenario/trace_kinds.h"

namespace kafkasim::scenario {
namespace {

std::string Scenario3(std::string_view steps, std::string_view topic_extra = "",
                      std::string_view end = "60s") {
  return R"({"name": "roles", "seed": 1, "end": ")" + std::string(end) +
         R"(", "cluster": {"brokers": 3, "controllers": 3},
  "topics": [{"name": "cities", "partitions": 3, "replication_factor": 3)" +
         std::string(topic_extra) + R"(}],
  "steps": [)" +
         std::string(steps) + "]}";
}

std::vector<std::string> Errors(const std::string& text) {
  std::vector<std::string> errors;
  CHECK_FALSE(ParseScenario(text, "s.json", &errors).has_value());
  return errors;
}

Scenario Parsed(const std::string& text) {
  std::vector<std::string> errors;
  std::optional<Scenario> s = ParseScenario(text, "s.json", &errors);
  for (const std::string& e : errors) CAPTURE(e);
  REQUIRE(errors.empty());
  REQUIRE(s.has_value());
  return *s;
}

struct Run {
  std::vector<std::string> lines;  // "kind: text" of the scenario's own events
  bool ok = false;
  std::vector<std::string> failures;
  std::vector<view::CheckView> checks;
};

Run RunIt(const std::string& text, std::uint64_t seed) {
  Scenario s = Parsed(text);
  Run out;
  RunOptions options;
  options.seed = seed;
  options.sinks.push_back([&out](const TraceEvent& e) {
    if (e.kind.starts_with("scenario.") || e.kind.starts_with("expect.")) {
      out.lines.push_back(std::string(e.kind) + ": " + e.text);
    }
  });
  Runner runner(std::move(s), std::move(options));
  out.ok = runner.RunToEnd(kTimeMax);
  out.failures = runner.step_failures();
  out.checks = runner.checks();
  return out;
}

bool HasLine(const Run& run, std::string_view prefix) {
  for (const std::string& l : run.lines) {
    if (l.starts_with(prefix)) return true;
  }
  return false;
}

TEST_CASE("roles: a crash of the leader of a partition resolves on every seed and names it") {
  const std::string text = Scenario3(
      R"({"at": "8s", "after": "topics_ready", "crash": {"leader_of": "cities-0", "as": "old"}},
         {"expect": {"within": "20s", "leader_of": "cities-0", "not": "$old"}},
         {"expect": {"within": "20s", "isr_of": "cities-0", "excludes": "$old"}},
         {"expect": {"within": "20s", "probe": "leader.election.clean"}},
         {"at": "30s", "restart": "$old"},
         {"expect": {"within": "25s", "isr_of": "cities-0", "equals": "all_replicas"}})");
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    CAPTURE(seed);
    const Run run = RunIt(text, seed);
    CHECK(run.ok);
    CHECK(run.failures.empty());
    CHECK(HasLine(run, "scenario.resolve: crash leader of cities-0 = broker-"));
    // The checks panel shows what the name stood for.
    CHECK(run.checks.at(0).name.starts_with("leader of cities-0 is not $old (broker-"));
  }
}

TEST_CASE("roles: a check of a name that would pass without the story fails when it is wrong") {
  // The leader did not change: "not $old" must fail, not pass by accident.
  const Run run = RunIt(Scenario3(R"({"at": "8s", "pick": {"leader_of": "cities-0", "as": "old"}},
         {"expect": {"within": "5s", "leader_of": "cities-0", "not": "$old"}},
         {"expect": {"within": "5s", "probe": "leader.election.clean"}})",
                                  "", "20s"),
                        3);
  CHECK_FALSE(run.ok);
  CHECK_FALSE(run.checks.at(0).ok);
  CHECK_FALSE(run.checks.at(1).ok);
  CHECK(run.checks.at(1).seen == "never hit");
}

TEST_CASE("roles: a role with no node when its step runs fails the run with the reason") {
  // Before the topic exists nothing leads cities-0.
  const Run run =
      RunIt(Scenario3(R"({"at": "0s", "crash": {"leader_of": "cities-0"}})", "", "5s"), 1);
  CHECK_FALSE(run.ok);
  REQUIRE(run.failures.size() == 1);
  CHECK(run.failures[0] ==
        "$.steps[0] (line 3): crash leader of cities-0: cities-0 does not exist yet");
  CHECK(HasLine(run, "scenario.step_failed: step failed: $.steps[0]"));
}

TEST_CASE("roles: after topics_ready holds a step and the steps after it") {
  const Run run = RunIt(Scenario3(R"({"at": "1s", "after": "topics_ready", "say": "ready"},
         {"say": "next"})",
                                  "", "20s"),
                        1);
  CHECK(run.ok);
  std::size_t ready = run.lines.size(), next = run.lines.size();
  for (std::size_t i = 0; i < run.lines.size(); ++i) {
    if (run.lines[i] == "scenario.say: ready") ready = i;
    if (run.lines[i] == "scenario.say: next") next = i;
  }
  CHECK(ready < next);
  CHECK(next < run.lines.size());
}

TEST_CASE("roles: follower_of picks running followers, so two crashes take both") {
  const Run run = RunIt(Scenario3(R"({"at": "8s", "after": "topics_ready",
           "pick": {"leader_of": "cities-0", "as": "leader"}},
         {"crash": {"follower_of": "cities-0", "as": "f1"}},
         {"crash": {"follower_of": "cities-0", "as": "f2"}},
         {"expect": {"within": "20s", "isr_of": "cities-0", "equals": ["$leader"]}})"),
                        2);
  CHECK(run.ok);
  CHECK(run.failures.empty());
}

TEST_CASE("roles: replica_assignment pins placement and the preferred leader") {
  const Run run = RunIt(Scenario3(R"({"at": "8s", "after": "topics_ready",
           "expect": {"leader_of": "cities-0", "is": "broker-3"}},
         {"expect": {"leader_of": "cities-1", "is": {"preferred_replica_of": "cities-1"}}},
         {"expect": {"leader_of": "cities-1", "is": "broker-1"}})",
                                  R"(, "replica_assignment": [[3, 1, 2], [1, 2, 3], [2, 3, 1]])"),
                        5);
  CHECK(run.ok);
}

TEST_CASE("roles: parse errors name the step, the name and what fits") {
  std::vector<std::string> e = Errors(Scenario3(R"({"at": "1s", "restart": "$old"})"));
  REQUIRE(e.size() == 1);
  CHECK(e[0] ==
        "[scenario.E033] s.json:3:37 $.steps[0].restart: no earlier step names a node '$old'; a "
        "step names the node it picks with \"as\", e.g. {\"crash\": {\"leader_of\": "
        "\"cities-0\", \"as\": \"old_leader\"}}");
  e = Errors(Scenario3(R"({"at": "1s", "crash": {"leader_of": "cities-0", "as": "old_leader"}},
      {"restart": "$old_leadr"})"));
  REQUIRE(e.size() == 1);
  CHECK(e[0].find("no earlier step names a node '$old_leadr'; did you mean '$old_leader'?") !=
        std::string::npos);
  e = Errors(Scenario3(R"({"at": "1s", "shutdown": {"active_controller": true}})"));
  REQUIRE(e.size() == 1);
  CHECK(e[0].find("$.steps[0].shutdown: the active controller is a controller; expected a "
                  "broker") != std::string::npos);
  e = Errors(Scenario3(R"({"at": "1s", "crash": {"leader_of": "cities-7"}})"));
  REQUIRE(e.size() == 1);
  CHECK(e[0].find("there is no partition 7") != std::string::npos);
  e = Errors(Scenario3(R"({"at": "1s", "crash": {"leader_of": "cities-0", "as": "x"}},
      {"crash": {"leader_of": "cities-1", "as": "x"}})"));
  REQUIRE(e.size() == 1);
  CHECK(e[0].find("the name '$x' is already given at $.steps[0].crash") != std::string::npos);
  e = Errors(Scenario3(R"({"at": "1s", "say": "$nobody dies"})"));
  REQUIRE(e.size() == 1);
  CHECK(e[0].find("no earlier step names a node '$nobody'") != std::string::npos);
  e = Errors(Scenario3("", R"(, "replica_assignment": [[1, 2, 2], [1, 2, 3], [2, 3, 1]])"));
  REQUIRE(e.size() == 1);
  CHECK(e[0].find("[scenario.E035]") != std::string::npos);
  CHECK(e[0].find("broker 2 is listed twice for partition 0") != std::string::npos);
  e = Errors(Scenario3("", R"(, "replica_assignment": [[1, 2, 3], [1, 2]])"));
  REQUIRE(e.size() >= 1);
  CHECK(e[0].find("partition 1 has 2 replicas but partition 0 has 3") != std::string::npos);
}

TEST_CASE("roles: kafka-topics.sh --replica-assignment as TopicCommand parses it") {
  Result<ToolCommand> ok = ParseToolCommand(
      "kafka-topics.sh --create --topic t --replica-assignment 1:2,2:3 --bootstrap-server x:9092");
  REQUIRE(ok.ok());
  CHECK(std::get<TopicsCommand>(*ok).replica_assignment ==
        std::vector<std::vector<std::int32_t>>{{1, 2}, {2, 3}});
  Result<ToolCommand> dup = ParseToolCommand(
      "kafka-topics.sh --create --topic t --replica-assignment 1:1 --bootstrap-server x:9092");
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.status().message().find(
            "Partition replica lists may not contain duplicate entries: 1") != std::string::npos);
  Result<ToolCommand> uneven = ParseToolCommand(
      "kafka-topics.sh --create --topic t --replica-assignment 1:2,3 --bootstrap-server x:9092");
  REQUIRE_FALSE(uneven.ok());
  CHECK(uneven.status().message().find("Partition 1 has different replication factor: [3]") !=
        std::string::npos);
  Result<ToolCommand> both = ParseToolCommand(
      "kafka-topics.sh --create --topic t --replica-assignment 1:2 --partitions 2 "
      "--bootstrap-server x:9092");
  REQUIRE_FALSE(both.ok());
  CHECK(both.status().message().find(
            "Option \"[replica-assignment]\" can't be used with option \"[partitions]\"") !=
        std::string::npos);
}

TEST_CASE("features: eligible leader replicas are on unless the cluster is formatted without") {
  const std::string steps =
      R"({"at": "8s", "after": "topics_ready", "crash": {"follower_of": "cities-0"}},
         {"crash": {"follower_of": "cities-0"}},
         {"expect": {"within": "20s", "probe": "elr.grow"}})";
  const auto with = [&](std::string_view features) {
    return R"({"name": "elr", "seed": 1, "end": "40s",
      "cluster": {"brokers": 3, "controllers": 1)" +
           std::string(features) + R"(},
      "topics": [{"name": "cities", "partitions": 1, "replication_factor": 3,
                  "config": {"min.insync.replicas": 2}}],
      "steps": [)" +
           steps + "]}";
  };
  CHECK(Parsed(with("")).cluster.eligible_leader_replicas_version == 1);
  CHECK(RunIt(with(""), 4).ok);  // the second follower leaves a below-min ISR: it joins the ELR
  const std::string off = with(R"(, "features": {"eligible.leader.replicas.version": 0})");
  CHECK(Parsed(off).cluster.eligible_leader_replicas_version == 0);
  CHECK_FALSE(RunIt(off, 4).ok);
  const std::vector<std::string> e =
      Errors(with(R"(, "features": {"eligible.leader.replicas.version": 2})"));
  REQUIRE(e.size() == 1);
  CHECK(e[0].find("$.cluster.features[\"eligible.leader.replicas.version\"]") != std::string::npos);
}

}  // namespace
}  // namespace kafkasim::scenario
