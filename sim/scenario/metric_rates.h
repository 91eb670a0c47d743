// Kafka's "...PerSec" meters over virtual time: how often something happened in the last few
// virtual seconds, per virtual second. Fed from the trace and from broker counters; the
// Runner rebuilds them with the world, so a rewind replays them exactly.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <utility>

#include "engine/time.h"
#include "engine/trace.h"

namespace kafkasim::scenario {

// Events in the window (now - window, now], divided by the window in seconds. Times must not
// go backwards (a rewind builds a new meter). Memory: one entry per distinct event time inside
// the window.
class SlidingRate {
 public:
  static constexpr Duration kWindow = Seconds(10);
  SlidingRate() : window_(kWindow) {}
  explicit SlidingRate(Duration window) : window_(window) {}

  void Add(Time at, std::int64_t count = 1);
  double PerSecond(Time now) const;
  std::int64_t total() const { return total_; }
  Duration window() const { return window_; }

 private:
  Duration window_;
  std::deque<std::pair<Time, std::int64_t>> events_;  // (time, count), times ascending
  std::int64_t total_ = 0;
};

// Turns cumulative per-source counters (one per broker, reset to zero when the broker
// restarts) into events: a counter that went down started again from zero.
class CounterRate {
 public:
  void Sample(Time at, int source, std::int64_t value);
  // A source that disappeared (a crashed broker) counts from zero when it returns.
  void Reset(int source) { last_[source] = 0; }
  double PerSecond(Time now) const { return rate_.PerSecond(now); }

 private:
  SlidingRate rate_;
  std::map<int, std::int64_t> last_;
};

// The rate metrics of the metrics panel, under Kafka's names.
struct KafkaMeters {
  SlidingRate isr_shrinks;              // IsrShrinksPerSec: kafka::trace_kind::kIsrShrink events
  SlidingRate isr_expands;              // IsrExpandsPerSec: kIsrExpand
  SlidingRate leader_elections;         // LeaderElectionRateAndTimeMs: a new leader at epoch > 0
  CounterRate failed_produce_requests;  // FailedProduceRequestsPerSec: brokers' counters

  void OnTrace(const TraceEvent& event);
  // Adds the "...PerSec" entries for time `now` to `metrics`.
  void AddTo(Time now, std::map<std::string, double>& metrics) const;
};

}  // namespace kafkasim::scenario
