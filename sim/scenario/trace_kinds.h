// The trace kinds the scenario runner and the World emit (faults, narration, tools,
// expectations, guarantees), and the catalog of every kind any module declares, which the
// CLI, the GUI and the tests consult (is it frequent? is it a kind at all?).
#pragma once

#include <array>
#include <span>
#include <string_view>

#include "kafka/trace_kinds.h"
#include "raft/trace_kinds.h"
#include "zookeeper/trace_kinds.h"

namespace kafkasim::scenario::trace_kind {

// The run itself.
inline constexpr std::string_view kScenarioStart = "scenario.start";
inline constexpr std::string_view kScenarioSay = "scenario.say";
// A step's node named by role or "$name" resolved when the step ran ("crash leader of
// cities-0 = broker-2"), or a step that could not run ("scenario.step_failed").
inline constexpr std::string_view kScenarioResolve = "scenario.resolve";
inline constexpr std::string_view kScenarioStepFailed = "scenario.step_failed";
// A fault of the nemesis (run or swarm with --nemesis), before the fault's own event.
inline constexpr std::string_view kNemesis = "scenario.nemesis";
// Faults the scenario or the console injects into the engine.
inline constexpr std::string_view kNodeCrash = "node.crash";
inline constexpr std::string_view kNodeKill = "node.kill";
inline constexpr std::string_view kNodeRestart = "node.restart";
inline constexpr std::string_view kNodeShutdown = "node.shutdown";
inline constexpr std::string_view kNetworkCut = "network.cut";
inline constexpr std::string_view kNetworkHeal = "network.heal";
inline constexpr std::string_view kNetworkIsolate = "network.isolate";
inline constexpr std::string_view kNetworkHealAll = "network.heal_all";
inline constexpr std::string_view kNetworkSlow = "network.slow";
inline constexpr std::string_view kNetworkPartition = "network.partition";
// Several clusters: the links between two regions cut or healed (cut-region, heal-region).
inline constexpr std::string_view kNetworkRegionCut = "network.region_cut";
inline constexpr std::string_view kNetworkRegionHeal = "network.region_heal";
inline constexpr std::string_view kDiskFull = "disk.full";
inline constexpr std::string_view kDiskOk = "disk.ok";
inline constexpr std::string_view kDiskSlow = "disk.slow";
inline constexpr std::string_view kDiskCorrupt = "disk.corrupt";
// Clients, tools and console input.
inline constexpr std::string_view kClientStart = "client.start";
// A declared client held back until the topic the scenario declares for it exists.
inline constexpr std::string_view kClientWaitsForTopic = "client.waits_for_topic";
inline constexpr std::string_view kToolRun = "tool.run";
inline constexpr std::string_view kToolOutput = "tool.output";
inline constexpr std::string_view kToolError = "tool.error";
inline constexpr std::string_view kInputCommand = "input.command";
inline constexpr std::string_view kCommandError = "command.error";
// A request from a real client, entering through the gateway (sim/gateway/), or its refusal.
inline constexpr std::string_view kInputGateway = "input.gateway";
// Expectations and guarantees.
inline constexpr std::string_view kExpectPass = "expect.pass";
inline constexpr std::string_view kExpectFail = "expect.fail";
inline constexpr std::string_view kExpectDetail = "expect.detail";
inline constexpr std::string_view kGuaranteeBroken = "guarantee.broken";

// Every kind above.
inline constexpr std::array kAll = {
    kScenarioStart,
    kScenarioSay,
    kNodeCrash,
    kNodeKill,
    kNodeRestart,
    kNodeShutdown,
    kNetworkCut,
    kNetworkHeal,
    kNetworkIsolate,
    kNetworkHealAll,
    kNetworkSlow,
    kNetworkPartition,
    kNetworkRegionCut,
    kNetworkRegionHeal,
    kClientStart,
    kClientWaitsForTopic,
    kToolRun,
    kToolOutput,
    kToolError,
    kInputCommand,
    kCommandError,
    kExpectPass,
    kExpectFail,
    kExpectDetail,
    kGuaranteeBroken,
    kDiskFull,
    kDiskOk,
    kDiskSlow,
    kDiskCorrupt,
    kScenarioResolve,
    kScenarioStepFailed,
    kNemesis,
    kInputGateway,
};
// Kinds too frequent for a narrated timeline: none of the scenario's.
inline constexpr std::array<std::string_view, 0> kFrequent = {};

}  // namespace kafkasim::scenario::trace_kind

namespace kafkasim::scenario {

using TraceKinds = std::span<const std::string_view>;

// The kinds each module declares. The engine emits none of its own: faults are the
// scenario's, node.start is a broker's.
inline constexpr std::array<TraceKinds, 4> kDeclaredTraceKinds = {
    TraceKinds(raft::trace_kind::kAll),
    TraceKinds(zookeeper::trace_kind::kAll),
    TraceKinds(kafka::trace_kind::kAll),
    TraceKinds(trace_kind::kAll),
};
// The kinds each module declares too frequent for a narrated timeline (every append): the
// CLI prints them with --verbose only, the GUI's event log hides them unless asked.
inline constexpr std::array<TraceKinds, 4> kFrequentTraceKinds = {
    TraceKinds(raft::trace_kind::kFrequent),
    TraceKinds(zookeeper::trace_kind::kFrequent),
    TraceKinds(kafka::trace_kind::kFrequent),
    TraceKinds(trace_kind::kFrequent),
};

constexpr bool AnyHas(std::span<const TraceKinds> modules, std::string_view kind) {
  for (TraceKinds module : modules) {
    for (std::string_view k : module) {
      if (k == kind) return true;
    }
  }
  return false;
}

// Whether some module declares this kind.
constexpr bool IsDeclaredKind(std::string_view kind) { return AnyHas(kDeclaredTraceKinds, kind); }
// Whether events of this kind are frequent; false for an undeclared kind.
constexpr bool IsFrequentKind(std::string_view kind) { return AnyHas(kFrequentTraceKinds, kind); }

static_assert(IsFrequentKind(kafka::trace_kind::kProduceAppend));
static_assert(IsDeclaredKind(raft::trace_kind::kLeader) && !IsDeclaredKind("raft.fetch"));

}  // namespace kafkasim::scenario
