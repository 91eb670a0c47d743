// Sliding-window rates over virtual time for Kafka's meter metrics.
#include "scenario/metric_rates.h"

#include "engine/assert.h"
#include "kafka/trace_kinds.h"

namespace kafkasim::scenario {

void SlidingRate::Add(Time at, std::int64_t count) {
  KSIM_ASSERT(count >= 0);
  KSIM_ASSERT(events_.empty() || events_.back().first <= at);
  if (count == 0) return;
  total_ += count;
  if (!events_.empty() && events_.back().first == at) {
    events_.back().second += count;
  } else {
    events_.emplace_back(at, count);
  }
  while (!events_.empty() && events_.front().first <= at - window_) events_.pop_front();
}

double SlidingRate::PerSecond(Time now) const {
  std::int64_t n = 0;
  for (const auto& [at, count] : events_) {
    if (at > now - window_ && at <= now) n += count;
  }
  return static_cast<double>(n) / (static_cast<double>(window_.ns) / 1e9);
}

void CounterRate::Sample(Time at, int source, std::int64_t value) {
  KSIM_ASSERT(value >= 0);
  std::int64_t& last = last_[source];
  const std::int64_t delta = value >= last ? value - last : value;
  last = value;
  rate_.Add(at, delta);
}

void KafkaMeters::OnTrace(const TraceEvent& event) {
  if (event.kind == kafka::trace_kind::kIsrShrink) {
    isr_shrinks.Add(event.time);
  } else if (event.kind == kafka::trace_kind::kIsrExpand) {
    isr_expands.Add(event.time);
  } else if (event.kind == kafka::trace_kind::kPartitionLeader) {
    // Epoch 0 is the first leader of a new partition: a creation, not an election.
    const TraceValue* epoch = event.Field("leader_epoch");
    const auto* n = epoch ? std::get_if<std::int64_t>(epoch) : nullptr;
    if (n != nullptr && *n > 0) leader_elections.Add(event.time);
  }
}

void KafkaMeters::AddTo(Time now, std::map<std::string, double>& metrics) const {
  metrics["IsrShrinksPerSec"] = isr_shrinks.PerSecond(now);
  metrics["IsrExpandsPerSec"] = isr_expands.PerSecond(now);
  metrics["LeaderElectionRateAndTimeMs"] = leader_elections.PerSecond(now);
  metrics["FailedProduceRequestsPerSec"] = failed_produce_requests.PerSecond(now);
}

}  // namespace kafkasim::scenario
