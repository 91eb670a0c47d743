// Requests that wait on partitions (DelayedOperationPurgatory, DelayedProduce, DelayedFetch):
// an acks=all produce waits for the high watermark to pass its records; a fetch with nothing
// to return waits up to its max wait for data. Each is watched by the partitions it waits on,
// so an append wakes only that partition's waiters. Ordered by arrival (deterministic).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "engine/message.h"
#include "engine/time.h"
#include "kafka/controller_logic.h"
#include "kafka/messages.h"

namespace kafkasim::kafka {

struct DelayedProduce {
  std::uint64_t id = 0;  // arrival order, set by the purgatory
  NodeIndex from = kNoNode;
  std::int64_t correlation_id = 0;
  TopicPartition partition;
  std::int64_t required_offset = 0;  // the high watermark must reach this (last offset + 1)
  std::int64_t base_offset = 0;
  Time deadline;
};

struct DelayedFetch {
  std::uint64_t id = 0;  // arrival order, set by the purgatory
  NodeIndex from = kNoNode;
  FetchRequest request;
  Time deadline;
};

class DelayedOperationPurgatory {
 public:
  // Limits on what may wait: a broker past them answers at once instead of parking.
  static constexpr std::size_t kMaxDelayedProduces = 100000;
  static constexpr std::size_t kMaxDelayedFetches = 100000;

  bool CanAddProduce() const { return produce_count_ < kMaxDelayedProduces; }
  bool CanAddFetch() const { return fetches_.size() < kMaxDelayedFetches; }
  // An operation that goes back to waiting keeps its id (id != 0), so its place in line.
  void AddProduce(DelayedProduce op);
  void AddFetch(DelayedFetch op);

  // The produces waiting on `partition`, oldest first, removed.
  std::vector<DelayedProduce> TakeProduces(const TopicPartition& partition);
  // Of the produces waiting on `partition`, those for which `done(op)` holds, removed and
  // appended to `out` oldest first; the others wait on in their place, untouched.
  template <class Done>
  void TakeProducesIf(const TopicPartition& partition, Done&& done,
                      std::vector<DelayedProduce>& out) {
    const auto it = produces_.find(partition);
    if (it == produces_.end()) return;
    auto& ops = it->second;
    for (auto op = ops.begin(); op != ops.end();) {
      if (!done(std::as_const(op->second))) {
        ++op;
        continue;
      }
      out.push_back(std::move(op->second));
      op = ops.erase(op);
      --produce_count_;
    }
    if (ops.empty()) produces_.erase(it);
  }
  // Of the fetches watching `partition`, those for which `ready(op)` holds, removed (from every
  // partition they watch) and appended to `out` oldest first; the others wait on untouched.
  template <class Ready>
  void TakeFetchesWatchingIf(const TopicPartition& partition, Ready&& ready,
                             std::vector<DelayedFetch>& out) {
    const auto w = fetch_watchers_.find(partition);
    if (w == fetch_watchers_.end()) return;
    // Taking a fetch out edits this watch list: walk a copy (ascending ids).
    watching_.assign(w->second.begin(), w->second.end());
    for (std::uint64_t id : watching_) {
      if (ready(std::as_const(fetches_.at(id)))) out.push_back(ExtractFetch(id));
    }
  }
  // Everything whose deadline is at or before `now`, oldest first, removed.
  std::vector<DelayedProduce> TakeExpiredProduces(Time now);
  std::vector<DelayedFetch> TakeExpiredFetches(Time now);

  std::size_t produce_count() const { return produce_count_; }
  std::size_t fetch_count() const { return fetches_.size(); }

 private:
  // Removes a fetch and its watches.
  DelayedFetch ExtractFetch(std::uint64_t id);

  std::uint64_t next_id_ = 1;
  std::map<TopicPartition, std::map<std::uint64_t, DelayedProduce>> produces_;
  std::size_t produce_count_ = 0;
  std::map<std::uint64_t, DelayedFetch> fetches_;
  // The fetches by deadline, so expiring them does not walk every one that waits.
  std::set<std::pair<Time, std::uint64_t>> fetch_deadlines_;
  std::map<TopicPartition, std::set<std::uint64_t>, TopicPartitionLess> fetch_watchers_;
  std::vector<std::uint64_t> watching_;  // TakeFetchesWatchingIf's copy, its room kept
};

}  // namespace kafkasim::kafka
