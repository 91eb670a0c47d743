// Timeline markers and time/pixel mapping.
#include "gui/timeline_model.h"

#include <algorithm>
#include <cmath>

#include "scenario/trace_kinds.h"

namespace kafkasim::gui {
namespace {

namespace kafka_kind = kafka::trace_kind;
namespace raft_kind = raft::trace_kind;
namespace scenario_kind = scenario::trace_kind;

constexpr MarkerRule kMarkerRules[] = {
    {scenario_kind::kNodeCrash, MarkerKind::kFault},
    {scenario_kind::kNodeKill, MarkerKind::kFault},
    {scenario_kind::kNodeRestart, MarkerKind::kFault},
    {scenario_kind::kNodeShutdown, MarkerKind::kFault},
    {scenario_kind::kNetworkCut, MarkerKind::kFault},
    {scenario_kind::kNetworkHeal, MarkerKind::kFault},
    {scenario_kind::kNetworkIsolate, MarkerKind::kFault},
    {scenario_kind::kNetworkHealAll, MarkerKind::kFault},
    {scenario_kind::kNetworkSlow, MarkerKind::kFault},
    {scenario_kind::kNetworkPartition, MarkerKind::kFault},
    {scenario_kind::kDiskFull, MarkerKind::kFault},
    {scenario_kind::kDiskOk, MarkerKind::kFault},
    {scenario_kind::kDiskSlow, MarkerKind::kFault},
    {scenario_kind::kDiskCorrupt, MarkerKind::kFault},
    {kafka_kind::kLogDirFailed, MarkerKind::kFault},
    {kafka_kind::kPartitionLeader, MarkerKind::kElection},
    {raft_kind::kLeader, MarkerKind::kElection},
    {raft_kind::kElectionLost, MarkerKind::kElection},
    {scenario_kind::kScenarioSay, MarkerKind::kNarration},
    {scenario_kind::kExpectPass, MarkerKind::kCheck},
    {scenario_kind::kExpectFail, MarkerKind::kCheck},
    {scenario_kind::kGuaranteeBroken, MarkerKind::kCheck},
};

}  // namespace

std::span<const MarkerRule> MarkerRules() { return kMarkerRules; }

std::optional<MarkerKind> ClassifyEvent(const TraceEvent& event) {
  for (const MarkerRule& rule : kMarkerRules) {
    if (event.kind == rule.kind) return rule.marker;
  }
  return std::nullopt;
}

bool IsStepTarget(const TraceEvent& event, StepTarget target) {
  switch (target) {
    case StepTarget::kLeaderChange:
      return event.kind == kafka_kind::kPartitionLeader;
    case StepTarget::kElection:
      return event.kind == raft_kind::kCandidate || event.kind == raft_kind::kLeader ||
             event.kind == raft_kind::kElectionLost ||
             event.kind == kafka_kind::kZkControllerElection;
    case StepTarget::kFault:
      return ClassifyEvent(event) == MarkerKind::kFault;
    case StepTarget::kExpectation:
      return ClassifyEvent(event) == MarkerKind::kCheck;
  }
  return false;
}

const char* StepTargetName(StepTarget target) {
  switch (target) {
    case StepTarget::kLeaderChange:
      return "leader change";
    case StepTarget::kElection:
      return "election";
    case StepTarget::kFault:
      return "fault";
    case StepTarget::kExpectation:
      return "expectation";
  }
  return "?";
}

void TimelineModel::Update(const std::vector<TraceEvent>& trace) {
  if (trace.size() < scanned_) Reset();
  for (; scanned_ < trace.size(); ++scanned_) {
    const TraceEvent& event = trace[scanned_];
    if (auto kind = ClassifyEvent(event)) {
      markers_.push_back({event.time, event.index, *kind, FormatTraceLine(event)});
    }
  }
}

void TimelineModel::Reset() {
  scanned_ = 0;
  markers_.clear();
}

float TimeToX(Time t, Time begin, Time end, float x0, float width) {
  if (end <= begin) return x0;
  const double f = static_cast<double>(std::clamp(t, begin, end).ns - begin.ns) /
                   static_cast<double>((end - begin).ns);
  return x0 + static_cast<float>(f) * width;
}

Time XToTime(float x, Time begin, Time end, float x0, float width) {
  if (end <= begin || width <= 0) return begin;
  const double f = std::clamp(static_cast<double>((x - x0) / width), 0.0, 1.0);
  return begin + Nanoseconds(std::llround(f * static_cast<double>((end - begin).ns)));
}

Duration TickStep(Duration span, int ticks_max) {
  const std::int64_t want = span.ns / std::max(ticks_max, 1);
  for (std::int64_t power = 1'000'000;; power *= 10) {  // from 1 ms up
    for (std::int64_t m : {1, 2, 5}) {
      if (m * power >= want) return Nanoseconds(m * power);
    }
  }
}

}  // namespace kafkasim::gui
