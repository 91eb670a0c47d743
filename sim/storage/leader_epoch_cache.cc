// LeaderEpochCache: a sorted vector kept monotonic, checkpointed on every change.
#include "storage/leader_epoch_cache.h"

#include <algorithm>

namespace kafkasim::storage {

LeaderEpochCache::LeaderEpochCache(FileSystem& fs, std::string path)
    : fs_(fs), path_(std::move(path)) {}

Status LeaderEpochCache::Load() {
  entries_.clear();
  if (!fs_.Exists(path_)) return Status::Ok();
  Result<std::vector<std::uint8_t>> bytes = fs_.ReadFile(path_);
  if (!bytes.ok()) return bytes.status();
  Result<std::vector<EpochEntry>> parsed =
      ParseLeaderEpochCheckpoint(std::string(bytes->begin(), bytes->end()), path_);
  if (!parsed.ok()) return parsed.status();
  for (std::size_t i = 1; i < parsed->size(); ++i) {
    if ((*parsed)[i].epoch <= (*parsed)[i - 1].epoch ||
        (*parsed)[i].start_offset < (*parsed)[i - 1].start_offset) {
      return {Errc::kCorruption,
              path_ + ": entries are not increasing at line " + std::to_string(i + 3)};
    }
  }
  entries_ = std::move(*parsed);
  return Status::Ok();
}

Status LeaderEpochCache::Write() {
  return fs_.WriteFileAtomically(path_, FormatLeaderEpochCheckpoint(entries_));
}

Status LeaderEpochCache::Assign(std::int32_t epoch, std::int64_t start_offset) {
  KSIM_ASSERT(epoch >= 0 && start_offset >= 0);
  if (!entries_.empty() && entries_.back().epoch == epoch &&
      entries_.back().start_offset <= start_offset) {
    return Status::Ok();
  }
  std::erase_if(entries_, [&](const EpochEntry& e) {
    return e.epoch >= epoch || e.start_offset >= start_offset;
  });
  entries_.push_back({epoch, start_offset});
  return Write();
}

std::pair<std::int32_t, std::int64_t> LeaderEpochCache::EndOffsetFor(
    std::int32_t epoch, std::int64_t log_end_offset) const {
  if (entries_.empty() || epoch < 0) return {-1, -1};
  if (epoch == entries_.back().epoch) return {epoch, log_end_offset};
  auto higher = std::upper_bound(entries_.begin(), entries_.end(), epoch,
                                 [](std::int32_t e, const EpochEntry& x) { return e < x.epoch; });
  if (higher == entries_.end()) return {-1, -1};
  if (higher == entries_.begin()) return {epoch, higher->start_offset};
  return {std::prev(higher)->epoch, higher->start_offset};
}

Status LeaderEpochCache::TruncateFromEnd(std::int64_t end_offset) {
  const std::size_t before = entries_.size();
  std::erase_if(entries_, [&](const EpochEntry& e) { return e.start_offset >= end_offset; });
  return entries_.size() == before ? Status::Ok() : Write();
}

Status LeaderEpochCache::TruncateFromStart(std::int64_t start_offset) {
  auto first_kept =
      std::upper_bound(entries_.begin(), entries_.end(), start_offset,
                       [](std::int64_t s, const EpochEntry& e) { return s < e.start_offset; });
  if (first_kept == entries_.begin()) return Status::Ok();  // nothing starts below
  auto last_below = std::prev(first_kept);
  if (last_below == entries_.begin() && last_below->start_offset == start_offset) {
    return Status::Ok();
  }
  EpochEntry moved{last_below->epoch, start_offset};
  entries_.erase(entries_.begin(), first_kept);
  entries_.insert(entries_.begin(), moved);
  return Write();
}

Status LeaderEpochCache::Clear() {
  entries_.clear();
  return Write();
}

}  // namespace kafkasim::storage
