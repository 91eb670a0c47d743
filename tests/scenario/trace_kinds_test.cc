// Trace kinds: every kind a run emits is a constant its emitting module declares, each declared
// once, so the runner, the guarantees and the GUI that match these constants see every event.
#include "scenario/trace_kinds.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/runner.h"

namespace kafkasim::scenario {
namespace {

std::vector<std::string> BundledScenarios() {
  std::vector<std::string> paths;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(KAFKASIM_SOURCE_DIR) + "/scenarios")) {
    const std::filesystem::path& path = entry.path();
    if (path.extension() == ".json" && path.filename() != "schema.json") {
      paths.push_back(path.string());
    }
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

TEST_CASE("trace kinds: each name is declared once, dotted, by one module") {
  std::map<std::string_view, int> seen;
  std::size_t declared = 0;
  for (TraceKinds module : kDeclaredTraceKinds) {
    CHECK_FALSE(module.empty());
    for (std::string_view kind : module) {
      CAPTURE(kind);
      ++declared;
      CHECK(++seen[kind] == 1);
      CHECK(kind.find('.') != std::string_view::npos);
      CHECK(IsDeclaredKind(kind));
    }
  }
  CHECK(seen.size() == declared);
  CHECK_FALSE(IsDeclaredKind("link.cut"));
  CHECK_FALSE(IsDeclaredKind(""));
}

TEST_CASE("trace kinds: only a produce append is too frequent for the narrated timeline") {
  CHECK(IsFrequentKind(kafka::trace_kind::kProduceAppend));
  CHECK_FALSE(IsFrequentKind(kafka::trace_kind::kPartitionLeader));
  CHECK_FALSE(IsFrequentKind(raft::trace_kind::kLeader));
  CHECK_FALSE(IsFrequentKind("raft.fetch"));  // not a kind anything emits
  std::size_t frequent = 0;
  for (TraceKinds module : kFrequentTraceKinds) {
    for (std::string_view kind : module) {
      CAPTURE(kind);
      CHECK(IsDeclaredKind(kind));
      ++frequent;
    }
  }
  CHECK(frequent == 1);
}

TEST_CASE("trace kinds: every event of every bundled scenario is of a declared kind") {
  const std::vector<std::string> paths = BundledScenarios();
  REQUIRE(paths.size() >= 5);
  std::set<std::string> emitted;
  for (const std::string& path : paths) {
    CAPTURE(path);
    Result<Scenario> loaded = LoadScenario(path);
    REQUIRE(loaded.ok());
    RunOptions options;
    options.seed = loaded->seed;
    options.messages_recorded_max = 0;
    options.sinks.push_back([&emitted](const TraceEvent& e) { emitted.insert(e.kind); });
    Runner runner(std::move(*loaded), std::move(options));
    runner.RunToEnd(runner.scenario().end);
  }
  REQUIRE(emitted.size() >= 40);
  for (const std::string& kind : emitted) {
    CAPTURE(kind);
    CHECK(IsDeclaredKind(kind));
  }
  // The kinds the runner, the guarantees and the timeline match are among them.
  for (std::string_view kind : {kafka::trace_kind::kPartitionLeader, kafka::trace_kind::kIsrShrink,
                                raft::trace_kind::kLeader, trace_kind::kNodeCrash,
                                trace_kind::kGuaranteeBroken, trace_kind::kScenarioSay}) {
    CAPTURE(kind);
    CHECK(emitted.contains(std::string(kind)));
  }
}

}  // namespace
}  // namespace kafkasim::scenario
