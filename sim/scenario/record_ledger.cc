#include "scenario/record_ledger.h"

#include <algorithm>
#include <iterator>

namespace kafkasim::scenario {

RecordLedger::RecordLedger(std::function<std::int64_t(const PartitionRef&)> deleted_below)
    : deleted_below_(std::move(deleted_below)) {}

std::optional<std::uint32_t> RecordLedger::ClientIndex(const std::string& client) const {
  const auto it = client_index_.find(client);
  if (it == client_index_.end()) return std::nullopt;
  return it->second;
}

void RecordLedger::Produced(const kafka::ProduceOutcome& o) {
  if (o.error == Errc::kNone && o.key) {
    const auto tracked = keys_.find({o.client, *o.key});
    if (tracked != keys_.end()) {
      Time& latest = tracked->second[o.partition];
      latest = std::max(latest, o.at);
    }
  }
  if (o.error != Errc::kNone || o.offset < 0) return;
  // Acknowledgements come in runs of one client and one partition: the maps are searched only
  // when either changes.
  if (last_client_ == nullptr || last_client_->first != o.client) {
    auto [it, fresh] =
        client_index_.try_emplace(o.client, static_cast<std::uint32_t>(clients_.size()));
    if (fresh) clients_.push_back(o.client);
    last_client_ = &*it;
  }
  if (last_acked_ == acked_.end() || last_acked_->first.partition != o.partition ||
      last_acked_->first.topic != o.topic) {
    PartitionRef ref{o.topic, o.partition};
    last_acked_ = acked_.find(ref);
    if (last_acked_ == acked_.end()) last_acked_ = acked_.emplace(ref, PartitionAcked{}).first;
  }
  PartitionAcked& p = last_acked_->second;
  if (o.key) {
    std::int64_t& latest = p.latest_of_key[*o.key];
    latest = std::max(latest, o.offset);
  }
  Acked a{o.offset, o.at, last_client_->second, o.acks, o.key, o.value};
  // Offsets are acknowledged nearly in order: the place is almost always the end.
  auto at = p.records.end();
  while (at != p.records.begin() && std::prev(at)->offset > o.offset) --at;
  p.records.insert(at, std::move(a));
  if (p.records.size() >= p.prune_at) Prune(last_acked_->first, p);
}

void RecordLedger::Prune(const PartitionRef& ref, PartitionAcked& p) {
  // Below every replica's log start offset no leader can be asked for a record again (the
  // lost-records count skips offsets below the leader's log start), so those records go; and a
  // key whose latest acknowledged offset is below all that is left can no longer supersede one.
  const std::int64_t below = deleted_below_ ? deleted_below_(ref) : 0;
  while (!p.records.empty() && p.records.front().offset < below) p.records.pop_front();
  std::erase_if(p.latest_of_key, [below](const auto& entry) { return entry.second < below; });
  p.prune_at = std::max(kPruneMin, p.records.size() + p.records.size() / 2);
}

const std::string* RecordLedger::GroupOf(const std::string& client) {
  if (assignments_ != nullptr) {
    for (; assignments_seen_ < assignments_->size(); ++assignments_seen_) {
      const kafka::AssignmentEvent& a = (*assignments_)[assignments_seen_];
      group_of_.try_emplace(a.client, a.group);
    }
  }
  const auto it = group_of_.find(client);
  return it == group_of_.end() ? nullptr : &it->second;
}

void RecordLedger::Consumed(const kafka::ConsumeEvent& c) {
  ++consumed_;
  if (c.high_watermark >= 0 && c.offset >= c.high_watermark) above_hw_.push_back(c);
  // A fetch response's records come in runs of one partition: the key is built only when the
  // partition or the consumer changes.
  const bool same = last_first_consumed_ != nullptr &&
                    std::get<2>(*last_first_consumed_) == c.partition &&
                    std::get<1>(*last_first_consumed_) == c.topic &&
                    std::get<0>(*last_first_consumed_) == c.client;
  if (!same) {
    last_first_consumed_ =
        &first_consumed_.try_emplace({c.client, c.topic, c.partition}, c.offset).first->first;
  }
  // A consumer in a group fetches only once it has an assignment, so its group is known here.
  const std::string* group = GroupOf(c.client);
  if (group == nullptr) return;
  GroupReads& g = group_reads_[*group];
  auto& [once, twice] = g.reads[PartitionRef{c.topic, c.partition}];
  if (twice.Contains(c.offset)) return;
  if (once.Contains(c.offset)) {
    once.Remove(c.offset);
    twice.Add(c.offset);
    ++g.twice;
    return;
  }
  once.Add(c.offset);
}

void RecordLedger::TrackKey(const std::string& client, const std::string& key) {
  keys_.try_emplace({client, key});
}

std::optional<std::int64_t> RecordLedger::FirstConsumed(const std::string& client,
                                                        const PartitionRef& partition) const {
  const auto it = first_consumed_.find({client, partition.topic, partition.partition});
  if (it == first_consumed_.end()) return std::nullopt;
  return it->second;
}

std::int64_t RecordLedger::ConsumedTwice(const std::string& group) const {
  const auto it = group_reads_.find(group);
  return it == group_reads_.end() ? 0 : it->second.twice;
}

std::optional<std::set<std::int32_t>> RecordLedger::KeyPartitions(const std::string& client,
                                                                  const std::string& key,
                                                                  Time since) const {
  const auto it = keys_.find({client, key});
  if (it == keys_.end()) return std::nullopt;
  std::set<std::int32_t> out;
  for (const auto& [partition, latest] : it->second) {
    if (latest >= since) out.insert(partition);
  }
  return out;
}

bool RecordLedger::OffsetRanges::Contains(std::int64_t offset) const {
  auto it = ranges_.upper_bound(offset);
  if (it == ranges_.begin()) return false;
  --it;
  return offset < it->second;
}

void RecordLedger::OffsetRanges::Add(std::int64_t offset) {
  if (Contains(offset)) return;
  auto next = ranges_.upper_bound(offset);
  const bool joins_next = next != ranges_.end() && next->first == offset + 1;
  if (next != ranges_.begin()) {
    auto prev = std::prev(next);
    if (prev->second == offset) {  // extends the range before
      prev->second = joins_next ? next->second : offset + 1;
      if (joins_next) ranges_.erase(next);
      return;
    }
  }
  if (joins_next) {
    const std::int64_t end = next->second;
    ranges_.erase(next);
    ranges_.emplace(offset, end);
    return;
  }
  ranges_.emplace(offset, offset + 1);
}

void RecordLedger::OffsetRanges::Remove(std::int64_t offset) {
  auto it = ranges_.upper_bound(offset);
  if (it == ranges_.begin()) return;
  --it;
  if (offset >= it->second) return;
  const std::int64_t start = it->first;
  const std::int64_t end = it->second;
  ranges_.erase(it);
  if (start < offset) ranges_.emplace(start, offset);
  if (offset + 1 < end) ranges_.emplace(offset + 1, end);
}

}  // namespace kafkasim::scenario
