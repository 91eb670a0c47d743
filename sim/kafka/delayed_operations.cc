// The purgatory of requests waiting on partitions; see delayed_operations.h.
#include "kafka/delayed_operations.h"

#include <algorithm>

#include "engine/assert.h"

namespace kafkasim::kafka {

void DelayedOperationPurgatory::AddProduce(DelayedProduce op) {
  KSIM_ASSERT(CanAddProduce());
  if (op.id == 0) op.id = next_id_++;
  produces_[op.partition].emplace(op.id, std::move(op));
  ++produce_count_;
}

void DelayedOperationPurgatory::AddFetch(DelayedFetch op) {
  KSIM_ASSERT(CanAddFetch());
  if (op.id == 0) op.id = next_id_++;
  const std::uint64_t id = op.id;
  for (const FetchPartition& fp : op.request.partitions) {
    auto w = fetch_watchers_.find(TopicPartitionRef{fp.topic, fp.partition});
    if (w == fetch_watchers_.end()) {
      w = fetch_watchers_.emplace(TopicPartition{fp.topic, fp.partition}, std::set<std::uint64_t>{})
              .first;
    }
    w->second.insert(id);
  }
  fetch_deadlines_.emplace(op.deadline, id);
  const bool inserted = fetches_.emplace(id, std::move(op)).second;
  KSIM_ASSERT(inserted);
}

std::vector<DelayedProduce> DelayedOperationPurgatory::TakeProduces(
    const TopicPartition& partition) {
  std::vector<DelayedProduce> out;
  const auto it = produces_.find(partition);
  if (it == produces_.end()) return out;
  for (auto& [id, op] : it->second) out.push_back(std::move(op));
  produce_count_ -= it->second.size();
  produces_.erase(it);
  return out;
}

DelayedFetch DelayedOperationPurgatory::ExtractFetch(std::uint64_t id) {
  const auto it = fetches_.find(id);
  KSIM_ASSERT(it != fetches_.end());
  for (const FetchPartition& fp : it->second.request.partitions) {
    const auto w = fetch_watchers_.find(TopicPartitionRef{fp.topic, fp.partition});
    if (w == fetch_watchers_.end()) continue;
    w->second.erase(id);
    if (w->second.empty()) fetch_watchers_.erase(w);
  }
  fetch_deadlines_.erase(std::pair(it->second.deadline, id));
  DelayedFetch op = std::move(it->second);
  fetches_.erase(it);
  return op;
}

std::vector<DelayedProduce> DelayedOperationPurgatory::TakeExpiredProduces(Time now) {
  std::vector<DelayedProduce> out;
  for (auto it = produces_.begin(); it != produces_.end();) {
    auto& ops = it->second;
    for (auto op = ops.begin(); op != ops.end();) {
      if (op->second.deadline <= now) {
        out.push_back(std::move(op->second));
        op = ops.erase(op);
        --produce_count_;
      } else {
        ++op;
      }
    }
    it = ops.empty() ? produces_.erase(it) : std::next(it);
  }
  std::sort(out.begin(), out.end(),
            [](const DelayedProduce& a, const DelayedProduce& b) { return a.id < b.id; });
  return out;
}

std::vector<DelayedFetch> DelayedOperationPurgatory::TakeExpiredFetches(Time now) {
  std::vector<std::uint64_t> due;
  for (const auto& [deadline, id] : fetch_deadlines_) {
    if (deadline > now) break;
    due.push_back(id);
  }
  std::sort(due.begin(), due.end());  // oldest first
  std::vector<DelayedFetch> out;
  for (std::uint64_t id : due) out.push_back(ExtractFetch(id));
  return out;
}

}  // namespace kafkasim::kafka
