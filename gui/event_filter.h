// Event log filtering by node, kind, partition and free text, kept incrementally up to date
// as the trace grows so a long run costs only the new events each frame.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "engine/trace.h"

namespace kafkasim::gui {

struct EventFilterSpec {
  std::string node;       // exact node name, "" for any
  std::string kind;       // kind prefix: "isr" matches "isr.shrink" and "isr.expand"
  std::string partition;  // "cities-0": a field or the text names it
  std::string text;       // substring of the explanation
  bool frequent = false;  // also show the frequent kinds (every append, metadata fetches)

  bool operator==(const EventFilterSpec&) const = default;
  bool empty() const { return node.empty() && kind.empty() && partition.empty() && text.empty(); }
};

bool EventMatches(const TraceEvent& event, const EventFilterSpec& spec);

class EventFilter {
 public:
  // Scans only events added since the last call, unless the spec changed or the trace shrank
  // (a rewind), in which case it rescans from the start.
  void Update(const std::vector<TraceEvent>& trace, const EventFilterSpec& spec);
  void Reset();
  // Positions in the trace of the matching events, ascending.
  const std::vector<std::size_t>& matches() const { return matches_; }
  // Row of the last match at or before trace position `position`, or -1.
  int RowAtOrBefore(std::size_t position) const;

 private:
  EventFilterSpec spec_;
  std::size_t scanned_ = 0;
  std::vector<std::size_t> matches_;
};

}  // namespace kafkasim::gui
