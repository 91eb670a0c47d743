// Log compaction of one partition log (Kafka's Cleaner.java, LogToClean.java,
// LogCleanerManager.cleanableOffsets): what part of a log is dirty, and the result of cleaning
// it. The cleaning itself is PartitionLog::Clean (log_cleaner.cc); the broker's LogManager picks
// the log and keeps cleaner-offset-checkpoint.
#pragma once

#include <cstdint>
#include <string>

namespace kafkasim::storage {

// log.cleaner.dedupe.buffer.size (128 MiB) over SkimpyOffsetMap's 24 bytes an entry (a 16-byte
// MD5 of the key and an 8-byte offset), times log.cleaner.io.buffer.load.factor 0.9: how many
// keys one cleaning maps before it stops and leaves the rest dirty for the next round.
inline constexpr std::int64_t kOffsetMapMaxEntries = 134217728 / 24 * 9 / 10;

// LogToClean: the clean head [log start, first dirty) and the dirty tail up to the first
// uncleanable offset, in bytes of whole segments.
struct LogToClean {
  std::int64_t first_dirty_offset = 0;
  std::int64_t first_uncleanable_offset = 0;
  std::uint64_t clean_bytes = 0;
  std::uint64_t cleanable_bytes = 0;
  // LogCleanerManager.maxCompactionDelay: how far past max.compaction.lag.ms the oldest dirty
  // segment is (0 when it is not).
  std::int64_t max_compaction_delay_ms = 0;

  double cleanable_ratio() const {
    const std::uint64_t total = clean_bytes + cleanable_bytes;
    return total == 0 ? 0.0 : static_cast<double>(cleanable_bytes) / static_cast<double>(total);
  }
  bool need_compaction_now() const { return max_compaction_delay_ms > 0; }
  // LogCleanerManager.grabFilthiestCompactedLog's filter.
  bool ShouldClean(double min_cleanable_dirty_ratio) const {
    return (need_compaction_now() && cleanable_bytes > 0) ||
           cleanable_ratio() > min_cleanable_dirty_ratio;
  }
};

// The key -> latest offset map of a dirty section (OffsetMap); defined in log_cleaner.cc.
struct CleanerOffsetMap;

// Where a test stops a clean as a crash would: the log object must be dropped afterwards and
// the directory reopened (recovery finishes or undoes the swap).
enum class CleanCrashPoint {
  kNone,
  kAfterCleanedWritten,  // <base>.log.cleaned written and fsynced
  kAfterSwapRenamed,     // renamed to .swap, old segments still there
  kAfterOldDeleted,      // old segments deleted, .swap not yet renamed
};

// CleanerStats, as the trace tells it.
struct CleanResult {
  std::int64_t first_dirty_offset = 0;
  std::int64_t end_offset = 0;  // first offset not cleaned: the next cleaner checkpoint
  std::int32_t segments_before = 0;
  std::int32_t segments_after = 0;
  std::uint64_t bytes_before = 0;
  std::uint64_t bytes_after = 0;
  std::int64_t records_read = 0;
  std::int64_t records_retained = 0;
  std::int64_t tombstones_removed = 0;  // past their delete horizon
  std::int64_t tombstones_stamped = 0;  // batches given a delete horizon this round
};

}  // namespace kafkasim::storage
