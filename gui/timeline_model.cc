// Timeline markers and time/pixel mapping.
#include "gui/timeline_model.h"

#include <algorithm>
#include <cmath>

namespace kafkasim::gui {
namespace {

bool StartsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }
bool Contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

}  // namespace

std::optional<MarkerKind> ClassifyEvent(const TraceEvent& event) {
  const std::string& k = event.kind;
  if (StartsWith(k, "node.crash") || StartsWith(k, "node.kill") || StartsWith(k, "node.restart") ||
      StartsWith(k, "link.") || StartsWith(k, "net.") || StartsWith(k, "network.") ||
      StartsWith(k, "fault.") || StartsWith(k, "disk.")) {
    return MarkerKind::kFault;
  }
  if (StartsWith(k, "say") || StartsWith(k, "narration") || StartsWith(k, "scenario.say") ||
      StartsWith(k, "scenario.pause")) {
    return MarkerKind::kNarration;
  }
  if (StartsWith(k, "check.") || StartsWith(k, "expect")) return MarkerKind::kCheck;
  if (Contains(k, "leader") || Contains(k, "election") || Contains(k, "elected")) {
    return MarkerKind::kElection;
  }
  return std::nullopt;
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
