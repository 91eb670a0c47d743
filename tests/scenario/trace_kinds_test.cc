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
  for (std::span<const TraceKind> module : kDeclaredTraceKinds) {
    CHECK_FALSE(module.empty());
    for (const TraceKind& kind : module) {
      CAPTURE(kind.name);
      ++declared;
      CHECK(++seen[kind.name] == 1);
      CHECK(kind.name.find('.') != std::string_view::npos);
      CHECK(FindTraceKind(kind.name) != nullptr);
    }
  }
  CHECK(seen.size() == declared);
  CHECK(FindTraceKind("link.cut") == nullptr);
  CHECK(FindTraceKind("") == nullptr);
}

TEST_CASE("trace kinds: only a produce append is too frequent for the narrated timeline") {
  CHECK(IsFrequentKind(kafka::trace_kind::kProduceAppend.name));
  CHECK_FALSE(IsFrequentKind(kafka::trace_kind::kPartitionLeader.name));
  CHECK_FALSE(IsFrequentKind(raft::trace_kind::kLeader.name));
  CHECK_FALSE(IsFrequentKind("raft.fetch"));  // not a kind anything emits
  int frequent = 0;
  for (std::span<const TraceKind> module : kDeclaredTraceKinds) {
    for (const TraceKind& kind : module) frequent += kind.frequent ? 1 : 0;
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
    CHECK(FindTraceKind(kind) != nullptr);
  }
  // The kinds the runner, the guarantees and the timeline match are among them.
  for (const TraceKind& kind : {kafka::trace_kind::kPartitionLeader, kafka::trace_kind::kIsrShrink,
                                raft::trace_kind::kLeader, trace_kind::kNodeCrash,
                                trace_kind::kGuaranteeBroken, trace_kind::kScenarioSay}) {
    CAPTURE(kind.name);
    CHECK(emitted.contains(std::string(kind.name)));
  }
}

}  // namespace
}  // namespace kafkasim::scenario
