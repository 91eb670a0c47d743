// The `kill` step and console command: a process death, told apart from a power-loss `crash`.
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "scenario/runner.h"

namespace kafkasim::scenario {
namespace {

constexpr const char* kKillScenario = R"({"name": "kill", "seed": 3,
    "cluster": {"mode": "kraft", "brokers": 3, "controllers": 1},
    "topics": [{"name": "cities", "partitions": 1, "replication_factor": 3}],
    "clients": [{"id": "producer-1", "type": "producer", "topic": "cities", "rate_per_s": 50}],
    "steps": [{"at": "8s", "kill": "broker-2"},
              {"at": "9s", "run": "kill broker-3"},
              {"expect": {"node_state": {"node": "broker-2", "is": "killed"}}}],
    "end": "12s"})";

std::vector<std::string> Lines(const view::WorldView& v, const std::string& kind) {
  std::vector<std::string> out;
  for (const TraceEvent& e : *v.trace) {
    if (e.kind == kind) out.push_back(e.node + " " + e.text);
  }
  return out;
}

TEST_CASE("kill step: parses as a kill step and a kill console command") {
  std::vector<std::string> errors;
  std::optional<Scenario> s = ParseScenario(kKillScenario, "kill.json", &errors);
  REQUIRE(s.has_value());
  CHECK(std::get<KillCommand>(s->steps[0].action).node == "broker-2");
  const auto& run = std::get<RunAction>(s->steps[1].action);
  CHECK(std::get<KillCommand>(run.command).node == "broker-3");
}

TEST_CASE("kill step: the node shows as killed and the timeline says its writes survive") {
  std::vector<std::string> errors;
  std::optional<Scenario> s = ParseScenario(kKillScenario, "kill.json", &errors);
  REQUIRE(s.has_value());
  Runner runner(std::move(*s), RunOptions{});
  for (int i = 0; i < 100 && runner.View().now < kTimeZero + Seconds(10); ++i) {
    runner.AdvanceTo(kTimeZero + Seconds(10), UINT64_MAX);
  }
  const view::WorldView& v = runner.View();
  for (const view::NodeView& n : v.nodes) {
    if (n.name == "broker-2" || n.name == "broker-3") CHECK(n.state == NodeState::kKilled);
  }
  CHECK(Lines(v, "node.kill") ==
        std::vector<std::string>{
            " broker-2 killed (process died: unsynced writes survive in the page cache)",
            " broker-3 killed (process died: unsynced writes survive in the page cache)"});
  CHECK(v.checks.at(0).ok);  // node_state "killed", not "crashed"
}

}  // namespace
}  // namespace kafkasim::scenario
