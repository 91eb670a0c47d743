// The trace kinds the scenario runner and the World emit (faults, narration, tools,
// expectations, guarantees), and the catalog of every kind any module declares, which the
// CLI, the GUI and the tests consult (is it frequent? is it a kind at all?).
#pragma once

#include <array>
#include <span>
#include <string_view>

#include "engine/trace.h"
#include "kafka/trace_kinds.h"
#include "raft/trace_kinds.h"

namespace kafkasim::scenario::trace_kind {

// The run itself.
inline constexpr TraceKind kScenarioStart{"scenario.start"};
inline constexpr TraceKind kScenarioSay{"scenario.say"};
// Faults the scenario or the console injects into the engine.
inline constexpr TraceKind kNodeCrash{"node.crash"};
inline constexpr TraceKind kNodeKill{"node.kill"};
inline constexpr TraceKind kNodeRestart{"node.restart"};
inline constexpr TraceKind kNodeShutdown{"node.shutdown"};
inline constexpr TraceKind kNetworkCut{"network.cut"};
inline constexpr TraceKind kNetworkHeal{"network.heal"};
inline constexpr TraceKind kNetworkIsolate{"network.isolate"};
inline constexpr TraceKind kNetworkHealAll{"network.heal_all"};
inline constexpr TraceKind kNetworkSlow{"network.slow"};
inline constexpr TraceKind kNetworkPartition{"network.partition"};
// Clients, tools and console input.
inline constexpr TraceKind kClientStart{"client.start"};
inline constexpr TraceKind kToolRun{"tool.run"};
inline constexpr TraceKind kToolOutput{"tool.output"};
inline constexpr TraceKind kToolError{"tool.error"};
inline constexpr TraceKind kInputCommand{"input.command"};
inline constexpr TraceKind kCommandError{"command.error"};
// Expectations and guarantees.
inline constexpr TraceKind kExpectPass{"expect.pass"};
inline constexpr TraceKind kExpectFail{"expect.fail"};
inline constexpr TraceKind kExpectDetail{"expect.detail"};
inline constexpr TraceKind kGuaranteeBroken{"guarantee.broken"};

// Every kind above.
inline constexpr std::array kAll = {
    kScenarioStart, kScenarioSay,      kNodeCrash,    kNodeKill,       kNodeRestart,
    kNodeShutdown,  kNetworkCut,       kNetworkHeal,  kNetworkIsolate, kNetworkHealAll,
    kNetworkSlow,   kNetworkPartition, kClientStart,  kToolRun,        kToolOutput,
    kToolError,     kInputCommand,     kCommandError, kExpectPass,     kExpectFail,
    kExpectDetail,  kGuaranteeBroken,
};

}  // namespace kafkasim::scenario::trace_kind

namespace kafkasim::scenario {

// The kinds each module declares. The engine emits none of its own: faults are the
// scenario's, node.start is a broker's.
inline constexpr std::array<std::span<const TraceKind>, 3> kDeclaredTraceKinds = {
    std::span<const TraceKind>(raft::trace_kind::kAll),
    std::span<const TraceKind>(kafka::trace_kind::kAll),
    std::span<const TraceKind>(trace_kind::kAll),
};

// The declared kind of that name, or nullptr when no module declares it.
constexpr const TraceKind* FindTraceKind(std::string_view name) {
  for (std::span<const TraceKind> module : kDeclaredTraceKinds) {
    for (const TraceKind& kind : module) {
      if (kind.name == name) return &kind;
    }
  }
  return nullptr;
}

// Whether events of this kind are frequent (see TraceKind); false for an undeclared kind.
constexpr bool IsFrequentKind(std::string_view name) {
  const TraceKind* kind = FindTraceKind(name);
  return kind != nullptr && kind->frequent;
}

static_assert(IsFrequentKind(kafka::trace_kind::kProduceAppend.name));
static_assert(FindTraceKind("raft.leader") != nullptr && FindTraceKind("raft.fetch") == nullptr);

}  // namespace kafkasim::scenario
