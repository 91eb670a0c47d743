// The log of one partition replica: a directory <topic>-<partition> of segments, with offset
// assignment, fetch reads, roll, retention, truncation, flush and crash recovery
// (UnifiedLog.scala, LocalLog.scala, LogLoader.java).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/file_system.h"
#include "engine/time.h"
#include "storage/checkpoint_file.h"
#include "storage/leader_epoch_cache.h"
#include "storage/log_cleaner.h"
#include "storage/log_config.h"
#include "storage/log_segment.h"
#include "storage/log_validator.h"
#include "storage/producer_state.h"
#include "storage/record_batch.h"

namespace kafkasim::storage {

// What the broker knows from its log-dir checkpoint files when it opens a log.
struct LogOpenHints {
  std::int64_t recovery_point = 0;    // recovery-point-offset-checkpoint (0 = validate all)
  std::int64_t log_start_offset = 0;  // log-start-offset-checkpoint
  std::int64_t high_watermark = 0;    // replication-offset-checkpoint
  // The log dir held .kafka_cleanshutdown: every segment is trusted as it is, none re-read
  // (LogLoader.recoverLog skips recovery after a clean shutdown).
  bool had_clean_shutdown = false;
};

// What recovery on open found; the broker turns a non-empty one into a trace event.
struct RecoveryReport {
  std::int64_t recovered_from = 0;   // the recovery point validation started at
  std::int64_t bytes_dropped = 0;    // torn or corrupt bytes cut off, plus deleted segments
  std::int64_t batches_dropped = 0;  // the bad batch plus whole batches of deleted segments
  std::int32_t segments_deleted = 0;
  std::string reason;  // "" when nothing was dropped
  // What recovery did with files an interrupted clean left ("" when there were none):
  // .cleaned files deleted, or a .swap segment completed (LogLoader).
  std::string cleaner_leftovers;
  // What the recovery point (or a clean shutdown) let the open skip: segments opened as they
  // are, versus segments whose batches were re-read and checked.
  std::int32_t segments_trusted = 0;
  std::int64_t bytes_trusted = 0;
  std::int32_t segments_validated = 0;
  std::int64_t bytes_validated = 0;
  bool dropped_anything() const { return bytes_dropped > 0 || segments_deleted > 0; }
};

struct LogAppendInfo {
  std::int64_t first_offset = -1;
  std::int64_t last_offset = -1;
  std::int64_t max_timestamp = kNoTimestamp;
  std::int64_t offset_of_max_timestamp = -1;
  std::int64_t log_append_time = kNoTimestamp;  // ms, when message.timestamp.type=LogAppendTime
  std::int32_t record_count = 0;
  std::int32_t valid_bytes = 0;
  // A leader append: the batch's producer fields as the client sent them (-1 without one),
  // and whether the validator had to rewrite the CRC (LogAppendTime, recompression).
  std::int64_t producer_id = kNoProducerId;
  std::int32_t base_sequence = kNoSequence;
  std::int32_t last_sequence = kNoSequence;
  bool crc_rewritten = false;
  // Base offset of the new segment when this append rolled one.
  std::optional<std::int64_t> rolled_segment_base;
  // A leader append of an idempotent producer's batch that is already in the log (a retry):
  // nothing was written and first/last_offset are the original batch's (UnifiedLog.append).
  bool duplicate = false;
};

struct FetchResult {
  Bytes records;  // whole batches, as stored (the wire format of a fetch response)
  std::int64_t log_start_offset = 0;
  std::int64_t high_watermark = 0;
  std::int64_t log_end_offset = 0;
  // Decodes `records`: a convenience for clients and tests.
  Result<std::vector<RecordBatch>> Batches() const { return DecodeBatches(records); }
};

struct SegmentInfo {
  std::int64_t base_offset = 0;
  std::int64_t next_offset = 0;  // one past its last offset
  std::uint64_t size_bytes = 0;
  std::int64_t max_timestamp = kNoTimestamp;
  std::string log_path;
};

struct RetentionResult {
  std::vector<SegmentInfo> deleted;
  std::int64_t log_start_offset = 0;
  std::string reason;  // "retention.ms=...: ..." for the trace; "" when nothing was deleted
};

class PartitionLog {
 public:
  // Opens (creating if needed) <log_dir>/<topic>-<partition> ("<topic>-<partition>" when
  // log_dir is empty), recovering every segment from hints.recovery_point on: batches are
  // validated, the first bad or partial one and everything after it are dropped, indexes and
  // the epoch cache rebuilt. `report` (may be null) says what was dropped and why.
  static Result<std::unique_ptr<PartitionLog>> Open(FileSystem& fs, std::string log_dir,
                                                    std::string topic, int partition,
                                                    LogConfig config, Time now,
                                                    RecoveryReport* report,
                                                    LogOpenHints hints = {});

  // Leader append of one client batch (UnifiedLog.appendAsLeader): ValidateMessagesAndAssign-
  // Offsets (log_validator.h) checks it and sets its base offset to log_end_offset() and its
  // partition leader epoch to leader_epoch, in place; its errors pass through (CORRUPT_MESSAGE,
  // INVALID_RECORD, MESSAGE_TOO_LARGE, ...). The epoch is recorded in the cache. With a
  // producer id the batch is then checked against the producer state
  // (ProducerStateManager::CheckClientAppend): a duplicate returns the original offsets with
  // info.duplicate set; kInvalidProducerEpoch and kOutOfOrderSequenceNumber refuse it. Disk
  // errors pass through.
  Result<LogAppendInfo> AppendAsLeader(std::span<const std::uint8_t> batch,
                                       std::int32_t leader_epoch, Time now);
  // Follower append of batches fetched from the leader, offsets and epochs kept as they are;
  // their producer ids update the producer state, so that a follower that becomes leader
  // still recognises retried batches. kCorruptMessage when a batch fails CheckBatch or its
  // offsets go below log_end_offset().
  Result<LogAppendInfo> AppendAsFollower(std::span<const std::uint8_t> batches, Time now);

  // Whole batches from the one holding `offset`, up to max_bytes (the first batch always whole)
  // and only batches ending below max_offset (pass the high watermark for consumers).
  // kOffsetOutOfRange outside [log_start_offset, log_end_offset]; empty at log_end_offset.
  Result<FetchResult> Read(std::int64_t offset, std::int32_t max_bytes,
                           std::int64_t max_offset = INT64_MAX) const;
  // The headers of the batches Read would return, without reading their bytes (as LogSegment's
  // Find fills them: offsets, length, leader epoch, CRC, max timestamp).
  Result<std::vector<BatchHeader>> ReadHeaders(std::int64_t offset, std::int32_t max_bytes,
                                               std::int64_t max_offset = INT64_MAX) const;

  std::int64_t log_start_offset() const { return log_start_offset_; }
  std::int64_t log_end_offset() const { return segments_.rbegin()->second->next_offset(); }
  std::int64_t high_watermark() const { return high_watermark_; }
  std::int64_t recovery_point() const { return recovery_point_; }
  // Clamped into [log_start_offset, log_end_offset].
  void UpdateHighWatermark(std::int64_t offset);
  // Raises the log start offset (DeleteRecords); never beyond the high watermark.
  Status MaybeIncrementLogStartOffset(std::int64_t offset);

  // The epoch a new leader records at its log end offset (becomeLeader).
  Status AssignLeaderEpoch(std::int32_t epoch, std::int64_t start_offset);
  const LeaderEpochCache& leader_epochs() const { return *epochs_; }

  // The producer state is built the first time it is needed (a batch with a producer id is
  // appended, a roll snapshots it) and after every truncation, as Kafka's LogLoader does:
  // from the newest readable <offset>.snapshot at or below the log end (a corrupt one is
  // deleted and the next older tried), then the batches from that offset on. Retention keeps
  // the loaded state, as Kafka keeps producers until producer.id.expiration.ms.
  Status LoadProducerState();
  // ProducerStateManager.takeSnapshot: writes <offset>.snapshot with every producer's last
  // batch, unless a snapshot at or above that offset was already written. Rolls take one at
  // the new segment's base; a clean shutdown at the log end.
  Status TakeProducerSnapshot(std::int64_t offset, bool sync = false);
  // Empty until loaded.
  const ProducerStateManager& producer_state() const { return producer_state_; }

  // Removes every batch at or above offset (a batch is never split, so the new log end may be
  // lower than offset). kOffsetOutOfRange below log_start_offset.
  Status TruncateTo(std::int64_t offset);
  // Deletes every segment and starts an empty log at offset (a follower far behind).
  Status TruncateFullyAndStartAt(std::int64_t offset);
  // Fsyncs everything not yet durable and moves the recovery point to the log end.
  Status Flush();
  // Rolls a new active segment if segment.ms has passed since the active segment's first
  // batch. Returns the new segment's base offset when it rolled.
  Result<std::optional<std::int64_t>> MaybeRoll(Time now);
  // Applies retention.ms, retention.bytes and the log start offset, oldest segment first,
  // only to segments wholly below the high watermark.
  Result<RetentionResult> DeleteOldSegments(Time now);

  // Log compaction (cleanup.policy=compact). LogCleanerManager.cleanableOffsets: the dirty
  // section from the cleaner's checkpoint (nullopt, below the log start or past the log end:
  // the log start) up to the first uncleanable offset: the active segment's base, the high
  // watermark, and the first segment younger than min.compaction.lag.ms.
  LogToClean CleanableSection(std::optional<std::int64_t> checkpoint, Time now) const;
  // Cleaner.doClean: maps the latest offset of every key of the dirty section, then recopies
  // every segment below the map's end (grouped by segment.bytes and segment.index.bytes) into
  // one new segment per group, keeping a record only if it is its key's latest and, for a
  // tombstone, its batch's delete horizon (now + delete.retention.ms, stamped when it is first
  // cleaned) has not passed. Offsets never change. Each group is swapped in through .cleaned
  // and .swap files, as LocalLog.replaceSegments does. Disk errors pass through;
  // crash_point is for tests (the log must then be dropped: kIoError "crash injected").
  Result<CleanResult> Clean(std::optional<std::int64_t> checkpoint, Time now,
                            CleanCrashPoint crash_point = CleanCrashPoint::kNone);
  // The lowest offset the log was truncated to since the last call (nullopt if none): the
  // cleaner's checkpoint must not stay above it (LogCleanerManager.maybeTruncateCheckpoint).
  std::optional<std::int64_t> TakeTruncationPoint() {
    std::optional<std::int64_t> point = truncated_to_;
    truncated_to_.reset();
    return point;
  }

  std::vector<SegmentInfo> segments() const;
  std::uint64_t size_bytes() const;
  const std::string& dir() const { return dir_; }
  const std::string& topic() const { return topic_; }
  int partition() const { return partition_; }
  const LogConfig& config() const { return config_; }
  void set_config(const LogConfig& config) { config_ = config; }
  Status WritePartitionMetadata(const Uuid& topic_id);

 private:
  // The segment holding the batches a read at `offset` returns and their byte range (no
  // segment when there are none); the walk Read and ReadHeaders share. With `headers`, also
  // their headers.
  struct Found {
    const LogSegment* segment = nullptr;
    LogSegment::Slice slice;
  };
  Result<Found> FindBatches(std::int64_t offset, std::int32_t max_bytes, std::int64_t max_offset,
                            std::vector<BatchHeader>* headers) const;
  PartitionLog(FileSystem& fs, std::string dir, std::string topic, int partition, LogConfig config);
  Status Recover(LogOpenHints hints, RecoveryReport& report);
  // Deletes a segment after the recovery cut, counting its bytes and batches in the report.
  Status DropSegmentFiles(std::int64_t base, RecoveryReport& report);
  // Rolls if the incoming batches need a new segment. Returns the new base when it rolled.
  Result<std::optional<std::int64_t>> MaybeRollFor(std::int64_t first_offset,
                                                   std::int64_t last_offset,
                                                   std::size_t incoming_bytes, Time now);
  Result<std::int64_t> Roll(std::int64_t base_offset);
  Status AppendBatches(std::span<const std::uint8_t> bytes, const std::vector<BatchSpan>& spans,
                       Time now, LogAppendInfo& info);
  Status DeleteSegments(std::size_t count, RetentionResult& result);
  // Recovery of an interrupted clean (LogLoader.removeTempFilesAndCollectSwapFiles and its
  // swap passes): .cleaned files go, .swap segments replace what they cover. Bases of swapped-in
  // segments are added to must_validate.
  Status RecoverInterruptedClean(RecoveryReport& report, std::vector<std::int64_t>& must_validate);
  // Cleaner.cleanSegments: recopies one group into a .cleaned segment and swaps it in.
  Status CleanGroup(std::vector<std::int64_t> group_bases, const CleanerOffsetMap& map,
                    std::int64_t upper_bound, Time now, CleanCrashPoint crash_point,
                    CleanResult& result);
  // LocalLog.replaceSegments: .cleaned -> .swap, old segments deleted, .swap -> final names.
  Status ReplaceSegments(std::unique_ptr<LogSegment> cleaned,
                         const std::vector<std::int64_t>& old_bases, CleanCrashPoint crash_point);
  SegmentOptions segment_options() const;
  void UnloadProducerState();
  LogSegment& active() const { return *segments_.rbegin()->second; }

  FileSystem& fs_;
  std::string dir_;
  std::string topic_;
  int partition_;
  LogConfig config_;
  std::map<std::int64_t, std::unique_ptr<LogSegment>> segments_;  // by base offset, never empty
  std::unique_ptr<LeaderEpochCache> epochs_;
  std::int64_t log_start_offset_ = 0;
  std::int64_t high_watermark_ = 0;
  std::int64_t recovery_point_ = 0;
  std::int64_t unflushed_records_ = 0;
  Bytes append_buffer_;  // reused by AppendAsLeader so appends do not allocate per batch
  ProducerStateManager producer_state_;
  bool producer_state_loaded_ = false;
  // The offsets of the <offset>.snapshot files in the directory, ascending.
  std::vector<std::int64_t> snapshot_offsets_;
  // Removes the snapshots whose offset `doomed` picks (files and entries).
  Status DeleteSnapshotsIf(const std::function<bool(std::int64_t)>& doomed);
  // Removes the snapshots outside [from, to].
  Status DeleteSnapshotsOutside(std::int64_t from, std::int64_t to) {
    return DeleteSnapshotsIf([from, to](std::int64_t o) { return o < from || o > to; });
  }
  std::optional<std::int64_t> truncated_to_;
};

}  // namespace kafkasim::storage
