// PartitionLog::DeleteOldSegments: Kafka's three retention rules (UnifiedLog.deleteOldSegments).
#include <functional>

#include "storage/partition_log.h"

namespace kafkasim::storage {

Status PartitionLog::DeleteSegments(std::size_t count, RetentionResult& result) {
  if (count == 0) return Status::Ok();
  // Deleting the active segment rolls a fresh one at the log end first.
  if (count == segments_.size()) {
    Result<std::int64_t> base = Roll(log_end_offset());
    if (!base.ok()) return base.status();
  }
  for (std::size_t i = 0; i < count; ++i) {
    auto first = segments_.begin();
    const LogSegment& segment = *first->second;
    result.deleted.push_back({first->first, segment.next_offset(), segment.size(),
                              segment.max_timestamp(), segment.log_path()});
    if (Status s = first->second->DeleteFiles(); !s.ok()) return s;
    segments_.erase(first);
  }
  // UnifiedLog.deleteProducerSnapshots: each deleted segment's snapshot goes with it.
  if (Status s = DeleteSnapshotsOutside(segments_.begin()->first, INT64_MAX); !s.ok()) return s;
  log_start_offset_ = std::max(log_start_offset_, segments_.begin()->first);
  high_watermark_ = std::max(high_watermark_, log_start_offset_);
  return epochs_->TruncateFromStart(log_start_offset_);
}

Result<RetentionResult> PartitionLog::DeleteOldSegments(Time now) {
  RetentionResult result;
  // Counts deletable segments from the oldest, stopping at the first keeper. Only segments
  // wholly below the high watermark qualify; an empty active segment never does.
  auto deletable = [&](const std::function<bool(const LogSegment&, std::int64_t next_base)>& pred) {
    std::size_t count = 0;
    for (auto it = segments_.begin(); it != segments_.end(); ++it) {
      const bool last = std::next(it) == segments_.end();
      const std::int64_t next_base = last ? log_end_offset() : std::next(it)->first;
      if (last && it->second->size() == 0) break;
      if (high_watermark_ < next_base || !pred(*it->second, next_base)) break;
      ++count;
    }
    return count;
  };
  const std::int64_t now_ms = now.Millis();
  std::size_t count = 0;
  // UnifiedLog.deleteOldSegments: without cleanup.policy=delete only the log start offset
  // deletes segments.
  if (config_.cleanup_policy_delete && config_.retention_ms >= 0) {
    count = deletable([&](const LogSegment& s, std::int64_t) {
      return now_ms - s.max_timestamp() > config_.retention_ms;
    });
    if (count > 0) {
      result.reason = "retention.ms=" + std::to_string(config_.retention_ms) + " breached";
    }
  }
  if (count == 0 && config_.cleanup_policy_delete && config_.retention_bytes >= 0) {
    std::int64_t diff = static_cast<std::int64_t>(size_bytes()) - config_.retention_bytes;
    count = deletable([&](const LogSegment& s, std::int64_t) {
      if (diff - static_cast<std::int64_t>(s.size()) < 0) return false;
      diff -= static_cast<std::int64_t>(s.size());
      return true;
    });
    if (count > 0) {
      result.reason = "retention.bytes=" + std::to_string(config_.retention_bytes) +
                      " breached (log is " + std::to_string(size_bytes()) + " bytes)";
    }
  }
  if (count == 0) {
    count = deletable(
        [&](const LogSegment&, std::int64_t next_base) { return next_base <= log_start_offset_; });
    if (count > 0) {
      result.reason = "log start offset " + std::to_string(log_start_offset_) + " breached";
    }
  }
  if (Status s = DeleteSegments(count, result); !s.ok()) return s;
  result.log_start_offset = log_start_offset_;
  return result;
}

}  // namespace kafkasim::storage
