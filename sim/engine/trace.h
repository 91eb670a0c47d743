// The trace: typed events with a one-line human explanation. Every state change worth teaching
// becomes one; a running hash over them fingerprints the run.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "engine/time.h"

namespace kafkasim {

using TraceValue = std::variant<std::int64_t, std::string, bool, std::vector<std::int64_t>>;

struct TraceField {
  std::string key;
  TraceValue value;
};

struct TraceEvent {
  std::uint64_t index = 0;  // position in the trace, assigned by Trace::Emit
  Time time;
  std::string node;  // "broker-2", or "" for the world itself
  // Dotted and stable: "partition.leader", "isr.shrink", "node.crash". Each kind is a constant
  // of the module that emits it (raft/, kafka/, scenario/trace_kinds.h, which also say which
  // kinds are frequent); the engine names none.
  std::string kind;
  std::vector<TraceField> fields;
  std::string text;  // "became leader of cities-0 at leader_epoch 3 (broker-1 was fenced)"

  // Looks a field up by key; nullptr when absent.
  const TraceValue* Field(std::string_view key) const;
};

// Canonical JSON object for one event, fields in emission order (one JSON Lines line).
std::string TraceEventToJson(const TraceEvent& event);
// The same line written directly (no JSON tree), equal to TraceEventToJson for every event: what
// `--trace FILE` writes, many times faster than the dump.
std::string TraceEventCanonicalLine(const TraceEvent& event);
// Folds one event into a running trace hash: its index, time, node, kind, fields (keys, types
// and values, in order) and text. What Trace::Emit does with each event.
std::uint64_t MixTraceEvent(std::uint64_t hash, const TraceEvent& event);
// "t=1.204s broker-2 became leader of cities-0 ...": the voice of the timeline and the GUI.
std::string FormatTraceLine(const TraceEvent& event);

class Trace {
 public:
  using Sink = std::function<void(const TraceEvent&)>;

  // Appends the event, folds it into the hash, and hands it to every sink in order.
  const TraceEvent& Emit(TraceEvent event);
  // Folds a message delivery into the hash without recording an event (cheap, hot path).
  void HashDelivery(Time time, std::uint32_t from, std::uint32_t to, std::uint32_t kind);
  void AddSink(Sink sink) { sinks_.push_back(std::move(sink)); }
  // Keep events in memory (for the GUI and expectations); on by default.
  void set_keep_events(bool keep) { keep_events_ = keep; }

  std::uint64_t hash() const { return hash_; }
  std::string HashHex() const;
  const std::vector<TraceEvent>& events() const { return events_; }
  std::uint64_t size() const { return next_index_; }

 private:
  std::vector<TraceEvent> events_;
  TraceEvent last_;  // the latest event when events are not kept
  std::vector<Sink> sinks_;
  std::uint64_t hash_ = 0xcbf29ce484222325ULL;
  std::uint64_t next_index_ = 0;
  bool keep_events_ = true;
};

}  // namespace kafkasim
