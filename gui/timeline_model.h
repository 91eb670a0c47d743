// Timeline markers (faults, elections, narration) taken from the trace, and the mapping
// between virtual time and the timeline's pixels used for drawing and scrubbing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/trace.h"

namespace kafkasim::gui {

enum class MarkerKind : std::uint8_t { kFault, kElection, kNarration, kCheck };

struct TimelineMarker {
  Time at;
  std::uint64_t event_index = 0;
  MarkerKind kind = MarkerKind::kFault;
  std::string label;  // the trace line, for the tooltip
};

// A kind of trace event the timeline marks, and how.
struct MarkerRule {
  std::string_view kind;  // a constant of the emitting module's trace_kinds.h
  MarkerKind marker = MarkerKind::kFault;
};

// Which events the timeline marks: faults (crash, kill, restart, shutdown, link cuts,
// partitions, slow nodes), leader changes and lost elections, narration, expectations and
// broken guarantees. Each is a kind its emitting module declares.
std::span<const MarkerRule> MarkerRules();
// The marker for an event of a kind in MarkerRules(); nothing for other kinds.
std::optional<MarkerKind> ClassifyEvent(const TraceEvent& event);

// What "step to next" stops at: a partition's leader change, a KRaft election (a candidate, its
// win or loss) or the ZooKeeper controller election, a fault, an expectation decided (or a
// guarantee broken).
enum class StepTarget : std::uint8_t { kLeaderChange, kElection, kFault, kExpectation };
inline constexpr StepTarget kStepTargets[] = {StepTarget::kLeaderChange, StepTarget::kElection,
                                              StepTarget::kFault, StepTarget::kExpectation};
bool IsStepTarget(const TraceEvent& event, StepTarget target);
// "leader change", "election", "fault", "expectation": the button reads "Next " + this.
const char* StepTargetName(StepTarget target);

class TimelineModel {
 public:
  // Like EventFilter: incremental, rescans when the trace shrank.
  void Update(const std::vector<TraceEvent>& trace);
  void Reset();
  const std::vector<TimelineMarker>& markers() const { return markers_; }

 private:
  std::size_t scanned_ = 0;
  std::vector<TimelineMarker> markers_;
};

// Linear maps between [begin, end] and [x0, x0 + width]; times outside are clamped.
float TimeToX(Time t, Time begin, Time end, float x0, float width);
// A round tick spacing (1, 2 or 5 times a power of ten, at least 1 ms) giving at most
// `ticks_max` intervals over `span`, so the timeline reads 0s, 10s, 20s rather than 8.636s.
Duration TickStep(Duration span, int ticks_max);
Time XToTime(float x, Time begin, Time end, float x0, float width);

}  // namespace kafkasim::gui
