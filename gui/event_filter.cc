// Incremental trace filter for the event log.
#include "gui/event_filter.h"

#include <algorithm>
#include <cctype>

#include "scenario/trace_kinds.h"

namespace kafkasim::gui {
namespace {

bool NamesPartition(const TraceEvent& event, const std::string& partition) {
  const std::string* topic = nullptr;
  const std::int64_t* number = nullptr;
  for (const TraceField& field : event.fields) {
    if (const auto* s = std::get_if<std::string>(&field.value)) {
      if (*s == partition) return true;
      if (field.key == "topic") topic = s;
    } else if (const auto* n = std::get_if<std::int64_t>(&field.value)) {
      if (field.key == "partition") number = n;
    }
  }
  if (topic != nullptr && number != nullptr &&
      *topic + "-" + std::to_string(*number) == partition) {
    return true;
  }
  // The explanation names the partition as a word ("cities-1" but not "cities-10").
  for (std::size_t at = event.text.find(partition); at != std::string::npos;
       at = event.text.find(partition, at + 1)) {
    const std::size_t end = at + partition.size();
    if (end == event.text.size() || !std::isdigit(static_cast<unsigned char>(event.text[end]))) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool EventMatches(const TraceEvent& event, const EventFilterSpec& spec) {
  if (!spec.frequent && scenario::IsFrequentKind(event.kind)) return false;
  if (!spec.node.empty() && event.node != spec.node) return false;
  if (!spec.kind.empty() && event.kind.compare(0, spec.kind.size(), spec.kind) != 0) return false;
  if (!spec.partition.empty() && !NamesPartition(event, spec.partition)) return false;
  if (!spec.text.empty() && event.text.find(spec.text) == std::string::npos) return false;
  return true;
}

void EventFilter::Update(const std::vector<TraceEvent>& trace, const EventFilterSpec& spec) {
  if (!(spec == spec_) || trace.size() < scanned_) {
    spec_ = spec;
    Reset();
  }
  for (; scanned_ < trace.size(); ++scanned_) {
    if (EventMatches(trace[scanned_], spec_)) matches_.push_back(scanned_);
  }
}

void EventFilter::Reset() {
  scanned_ = 0;
  matches_.clear();
}

int EventFilter::RowAtOrBefore(std::size_t position) const {
  auto it = std::upper_bound(matches_.begin(), matches_.end(), position);
  if (it == matches_.begin()) return -1;
  return static_cast<int>(it - matches_.begin()) - 1;
}

}  // namespace kafkasim::gui
