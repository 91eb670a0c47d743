// The nemesis: its fault list is parsed with clear errors, its plan depends on the seed alone,
// uses only the faults asked for, and undoes every fault three quarters into the run.
#include "scenario/nemesis.h"

#include <doctest/doctest.h>

#include <set>

#include "scenario/runner.h"
#include "scenario/trace_kinds.h"

namespace kafkasim::scenario {
namespace {

Scenario Small() {
  std::vector<std::string> errors;
  auto s = ParseScenario(R"({"name": "n", "end": "80s", "cluster": {"brokers": 3,
      "controllers": 3}, "topics": [{"name": "t", "partitions": 1, "replication_factor": 3}]})",
                         "n.json", &errors);
  REQUIRE(s.has_value());
  return *s;
}

std::string Verb(const NemesisAction& a) { return a.line.substr(0, a.line.find(' ')); }

TEST_CASE("nemesis: the fault list is parsed, in any order, with clear errors") {
  auto all = ParseNemesis("disk,slow,partition,kill,crash");
  REQUIRE(all.ok());
  CHECK(FormatNemesis(*all) == "crash,kill,partition,slow,disk");
  CHECK(ParseNemesis("crash,flood").status().message() ==
        "unknown fault 'flood' in 'crash,flood'; valid: crash, kill, partition, slow, disk");
  CHECK(ParseNemesis("").status().message() ==
        "unknown fault '' in ''; valid: crash, kill, partition, slow, disk");
  CHECK(ParseNemesis("kill,kill").status().message() == "fault 'kill' given twice in 'kill,kill'");
  CHECK(ParseNemesis("crash,").status().message() ==
        "unknown fault '' in 'crash,'; valid: crash, kill, partition, slow, disk");
}

TEST_CASE("nemesis: the plan depends on the seed alone and uses only the faults asked for") {
  const Scenario s = Small();
  const NemesisOptions kill = *ParseNemesis("kill");
  const auto a = PlanNemesis(s, kill, 7);
  const auto b = PlanNemesis(s, kill, 7);
  const auto c = PlanNemesis(s, kill, 8);
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].line == b[i].line);
    CHECK(a[i].at == b[i].at);
  }
  bool differs = a.size() != c.size();
  for (std::size_t i = 0; !differs && i < a.size(); ++i) differs = a[i].line != c[i].line;
  CHECK(differs);
  std::set<std::string> verbs;
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    for (const NemesisAction& action : PlanNemesis(s, kill, seed)) verbs.insert(Verb(action));
  }
  CHECK(verbs == std::set<std::string>{"kill", "restart"});
  CHECK(PlanNemesis(s, NemesisOptions{}, 7).empty());
}

TEST_CASE("nemesis: faults start after 8 s and every one is undone three quarters in") {
  const Scenario s = Small();
  const NemesisOptions all = *ParseNemesis("crash,kill,partition,slow,disk");
  std::set<std::string> verbs;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    std::set<std::string> down, slow, disk;
    bool cut = false;
    const Time stop = kTimeZero + Seconds(60);
    for (const NemesisAction& a : PlanNemesis(s, all, seed)) {
      CAPTURE(a.line);
      CHECK(a.at >= kTimeZero + Seconds(8));
      CHECK(a.at <= stop);
      const std::string verb = Verb(a);
      verbs.insert(verb);
      const std::string node =
          a.line.substr(a.line.find(' ') + 1, a.line.find(' ', verb.size() + 1) - verb.size() - 1);
      if (verb == "crash" || verb == "kill") {
        CHECK(down.insert(node).second);
        CHECK(down.size() < s.cluster.nodes.size());
      } else if (verb == "restart") {
        CHECK(down.erase(node) == 1);
      } else if (verb == "isolate" || verb == "cut") {
        cut = true;
      } else if (verb == "heal-all") {
        cut = false;
      } else if (verb == "slow") {
        if (a.line.ends_with(" 0"))
          slow.erase(node);
        else
          slow.insert(node);
      } else if (verb == "disk-full" || verb == "slow-disk") {
        disk.insert(node);
      } else if (verb == "disk-ok") {
        disk.erase(node);
      }
    }
    CHECK(down.empty());
    CHECK(slow.empty());
    CHECK(disk.empty());
    CHECK_FALSE(cut);
  }
  CHECK(verbs == std::set<std::string>{"crash", "kill", "restart", "isolate", "cut", "heal-all",
                                       "slow", "disk-full", "slow-disk", "disk-ok"});
}

TEST_CASE("nemesis: a run with a nemesis replays to the same trace hash and narrates it") {
  RunOptions options;
  options.seed = 5;
  options.messages_recorded_max = 0;
  options.nemesis = *ParseNemesis("crash,kill,partition");
  std::vector<std::string> lines;
  options.sinks.push_back([&lines](const TraceEvent& e) {
    if (e.kind == trace_kind::kNemesis) lines.push_back(e.text);
  });
  Runner first(Small(), options);
  first.RunToEnd(kTimeMax);
  options.sinks.clear();
  Runner second(Small(), options);
  second.RunToEnd(kTimeMax);
  CHECK(first.world().sim().trace().HashHex() == second.world().sim().trace().HashHex());
  CHECK_FALSE(lines.empty());
  RunOptions calm;
  calm.seed = 5;
  calm.messages_recorded_max = 0;
  Runner without(Small(), calm);
  without.RunToEnd(kTimeMax);
  CHECK(without.world().sim().trace().HashHex() != first.world().sim().trace().HashHex());
}

}  // namespace
}  // namespace kafkasim::scenario
