// What a broker needs of one partition replica's log. The storage module's PartitionLog is the
// real implementation (storage_replica_log.cc adapts it); the broker code sees only this.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "engine/file_system.h"
#include "engine/status.h"
#include "engine/time.h"
#include "kafka/configs.h"
#include "kafka/messages.h"
#include "storage/record_batch.h"

namespace kafkasim::kafka {

// Topic configs the log honours, by Kafka's names (LogConfig), with Kafka's defaults.
struct ReplicaLogConfig {
  std::int64_t segment_bytes = kLogSegmentBytesDefault;
  std::int64_t segment_ms = kLogRollMsDefault;
  // The jitter this log draws once in [0, segment.jitter.ms) (LogConfig.randomSegmentJitter).
  std::int64_t segment_jitter_ms = kSegmentJitterMsDefault;
  std::int64_t segment_index_bytes = kSegmentIndexBytesDefault;
  std::int64_t retention_ms = kLogRetentionMsDefault;
  std::int64_t retention_bytes = kLogRetentionBytesDefault;
  std::int32_t index_interval_bytes = kIndexIntervalBytesDefault;
  std::int32_t max_message_bytes = kMessageMaxBytesDefault;
  std::int64_t flush_messages = kFlushMessagesDefault;  // flush.messages: fsync every N records
  // compression.type: "producer" keeps the client's codec; "uncompressed", "gzip", "snappy",
  // "lz4" or "zstd" make the leader recompress batches of another codec (LogValidator).
  std::string compression_type = "producer";
  bool message_timestamp_log_append_time = false;  // message.timestamp.type=LogAppendTime
  // cleanup.policy ("delete", "compact" or "compact,delete") and the cleaner's topic configs.
  bool cleanup_policy_compact = false;
  bool cleanup_policy_delete = true;
  std::int64_t delete_retention_ms = 86400000;     // delete.retention.ms
  double min_cleanable_dirty_ratio = 0.5;          // min.cleanable.dirty.ratio
  std::int64_t min_compaction_lag_ms = 0;          // min.compaction.lag.ms
  std::int64_t max_compaction_lag_ms = INT64_MAX;  // max.compaction.lag.ms
};

// How dirty a compacted log is (LogToClean), for the cleaner's choice.
struct CleanableLog {
  std::int64_t first_dirty_offset = 0;
  std::int64_t first_uncleanable_offset = 0;
  double dirty_ratio = 0;
  bool should_clean = false;  // above min.cleanable.dirty.ratio, or past max.compaction.lag.ms
};

// What one cleaning did (CleanerStats).
struct CleanSummary {
  std::int64_t first_dirty_offset = 0;
  std::int64_t end_offset = 0;  // the new cleaner-offset-checkpoint entry
  std::int32_t segments_before = 0;
  std::int32_t segments_after = 0;
  std::int64_t bytes_before = 0;
  std::int64_t bytes_after = 0;
  std::int64_t records_read = 0;
  std::int64_t records_retained = 0;
  std::int64_t tombstones_removed = 0;
};

// What the broker's log-dir checkpoints say about a log it opens (LogManager.loadLog,
// Partition.createLog). Zeroes mean "not checkpointed": validate everything, start at 0.
struct ReplicaLogHints {
  std::int64_t recovery_point = 0;    // recovery-point-offset-checkpoint
  std::int64_t log_start_offset = 0;  // log-start-offset-checkpoint
  std::int64_t high_watermark = 0;    // replication-offset-checkpoint
  bool had_clean_shutdown = false;    // .kafka_cleanshutdown was in the log dir
};

// What opening a log found on disk, for the broker's trace.
struct ReplicaLogOpenInfo {
  std::int64_t recovered_from = 0;  // the recovery point validation started at
  std::int32_t segments_trusted = 0;
  std::int64_t bytes_trusted = 0;
  std::int32_t segments_validated = 0;
  std::int64_t bytes_validated = 0;
  std::string dropped;            // a sentence when recovery cut a torn or corrupt tail, else ""
  std::string cleaner_leftovers;  // what recovery did with an interrupted clean's files, or ""
};

// A replica log as the GUI and the tools show it.
struct SegmentSummary {
  std::int64_t base_offset = 0;
  std::int64_t next_offset = 0;  // one past the last offset in the segment
  std::int64_t size_bytes = 0;
  std::vector<std::string> files;  // "00000000000000000000.log", ".index", ".timeindex"
};
struct LogSummary {
  std::int64_t log_start_offset = 0;
  std::int64_t high_watermark = 0;
  std::int64_t log_end_offset = 0;
  std::vector<SegmentSummary> segments;
  std::vector<std::pair<int, std::int64_t>> leader_epochs;  // (epoch, start offset)
};

struct AppendResult {
  std::int64_t first_offset = -1;
  std::int64_t last_offset = -1;
  // The batch of an idempotent producer was already in the log: nothing was appended and the
  // offsets are those of the original batch.
  bool duplicate = false;
  // A leader append: what the batch header said (producer_id -1 without a producer).
  std::int32_t record_count = 0;
  std::int64_t producer_id = -1;
  std::int32_t base_sequence = -1;
  std::int32_t last_sequence = -1;
};

// The producer fields a batch is built with (none: producer_id -1).
struct ProducerBatchInfo {
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
  std::int32_t base_sequence = -1;
};

class ReplicaLog {
 public:
  virtual ~ReplicaLog() = default;

  virtual std::int64_t log_start_offset() const = 0;
  virtual std::int64_t log_end_offset() const = 0;
  virtual std::int64_t high_watermark() const = 0;
  virtual void UpdateHighWatermark(std::int64_t offset) = 0;
  // Everything below it is fsynced (recovery-point-offset-checkpoint).
  virtual std::int64_t recovery_point() const = 0;
  virtual std::int64_t first_segment_base_offset() const = 0;

  // Leader: validates one client batch (storage's LogValidator: CORRUPT_MESSAGE,
  // INVALID_RECORD, MESSAGE_TOO_LARGE, UNSUPPORTED_COMPRESSION_TYPE, INVALID_TIMESTAMP) and
  // writes it at the log end with leader_epoch, its other bytes as the client sent them. With a
  // producer id the log's producer state decides first: a duplicate
  // (AppendResult::duplicate), or OUT_OF_ORDER_SEQUENCE_NUMBER / INVALID_PRODUCER_EPOCH.
  virtual Result<AppendResult> AppendAsLeader(std::span<const std::uint8_t> batch,
                                              std::int32_t leader_epoch, Time now) = 0;
  // Follower: appends the leader's batches as they are (offsets and epochs kept).
  virtual Result<AppendResult> AppendAsFollower(std::span<const std::uint8_t> batches,
                                                Time now) = 0;
  // Raw batches from `offset` (at least one whole batch if any) up to max_bytes, only those that
  // end below `max_offset` (the high watermark for consumers). OFFSET_OUT_OF_RANGE outside the
  // log.
  virtual Result<std::vector<std::uint8_t>> Read(std::int64_t offset, std::int32_t max_bytes,
                                                 std::int64_t max_offset) const = 0;
  // The headers of the batches Read would return, without their bytes: base and last offset,
  // partition leader epoch and CRC are set (what replicas are compared by).
  virtual Result<std::vector<storage::BatchHeader>> ReadHeaders(std::int64_t offset,
                                                                std::int32_t max_bytes,
                                                                std::int64_t max_offset) const = 0;
  virtual Status TruncateTo(std::int64_t offset) = 0;
  virtual Status TruncateFullyAndStartAt(std::int64_t offset) = 0;
  virtual Status Flush() = 0;
  // UnifiedLog.close: a producer snapshot at the log end (synced), so that the next start
  // scans nothing to rebuild the producer state.
  virtual Status SnapshotProducersAtClose() = 0;
  // Retention and rolling on the broker's schedule; returns a human note per deleted segment.
  virtual std::vector<std::string> RunRetention(Time now) = 0;

  // Leader epoch cache (leader-epoch-checkpoint). Fails when the checkpoint cannot be written
  // (disk full, I/O error): the log dir has failed.
  virtual Status AssignEpochStart(std::int32_t epoch, std::int64_t start_offset) = 0;
  virtual std::int32_t LatestEpoch() const = 0;  // -1 when empty
  // Kafka's endOffsetFor: (epoch, end offset), (-1, -1) when undefined.
  virtual std::pair<std::int32_t, std::int64_t> EndOffsetForEpoch(std::int32_t epoch) const = 0;

  // The sequence range last appended by a producer, for tests and the GUI: (first, last)
  // sequence of its newest cached batch, nullopt when the log has none of its batches.
  virtual std::optional<std::pair<std::int32_t, std::int32_t>> LastSequenceOf(
      std::int64_t producer_id) const = 0;

  // Log compaction. nullopt unless cleanup.policy has compact. `checkpoint` is the log's
  // cleaner-offset-checkpoint entry (nullopt: none).
  virtual std::optional<CleanableLog> Cleanable(std::optional<std::int64_t> checkpoint,
                                                Time now) const = 0;
  // Cleans the dirty section (storage's PartitionLog::Clean). Disk errors pass through.
  virtual Result<CleanSummary> Clean(std::optional<std::int64_t> checkpoint, Time now) = 0;
  // cleanup.policy has compact: below the active segment, records may have been cleaned away.
  virtual bool compacted() const = 0;
  virtual std::int64_t active_segment_base_offset() const = 0;
  // The lowest offset the log was truncated to since the last call, if any.
  virtual std::optional<std::int64_t> TakeTruncationPoint() = 0;

  // partition.metadata (version 0, the topic id), written once when the log is created so the
  // directory says which topic it belongs to, as Kafka's PartitionMetadataFile.
  virtual Status WritePartitionMetadata(const Uuid& topic_id) = 0;
  // A topic config changed (UnifiedLog.updateConfig): later appends, rolls, retention and
  // cleaning follow the new values. INVALID_CONFIG for a compression.type it does not know.
  virtual Status UpdateConfig(const ReplicaLogConfig& config) = 0;
  virtual LogSummary Describe() const = 0;

  // Adds one to `*moves` whenever this log's start, high watermark or end moves (null: counts
  // nowhere). The broker's LogManager counts all its logs' moves in one place, so a reader of
  // every replica's offsets (the GUI's snapshot, each frame) skips a broker whose count stood.
  virtual void CountOffsetMovesIn(std::uint64_t* moves) = 0;
};

// Opens (recovering if needed) or creates the log of topic-partition in <log_dir>/<topic>-<p>
// ("<topic>-<p>" when log_dir is empty) on `disk`; only segments from hints.recovery_point on
// are re-validated. `info` (may be null) says what was trusted, validated and dropped.
Result<std::unique_ptr<ReplicaLog>> OpenReplicaLog(FileSystem& disk, const std::string& log_dir,
                                                   const std::string& topic, std::int32_t partition,
                                                   const ReplicaLogConfig& config, Time now,
                                                   const ReplicaLogHints& hints,
                                                   ReplicaLogOpenInfo* info);

// Builds one record batch v2 of `records` as a producer does (Kafka's MemoryRecordsBuilder):
// base offset 0, no leader epoch, the producer fields, compressed with `compression` ("none",
// "gzip", "snappy", "lz4", "zstd"). records must not be empty.
std::vector<std::uint8_t> BuildRecordBatch(const std::vector<ProducedRecord>& records,
                                           const ProducerBatchInfo& producer = {},
                                           const std::string& compression = "none");

// The producer fields of a batch's header, read without checking its CRC (-1s when the bytes
// are too short to be a batch): for trace lines about a produce request.
ProducerBatchInfo ProducerOfBatch(std::span<const std::uint8_t> batch);

// One past the last offset of the last whole batch in `batches` (-1 when there is none): where
// a reader goes on after them. Not the last record's offset plus one: a compacted log may end a
// fetch with a batch whose last records (or all of them) were cleaned away, and Kafka's
// consumer moves past the batch (CompletedFetch: nextFetchOffset = batch.nextOffset()).
std::int64_t NextOffsetAfter(std::span<const std::uint8_t> batches);

// Decodes raw batches (from a FetchResponse) into records for a consumer.
Result<std::vector<ConsumedRecord>> DecodeBatches(std::span<const std::uint8_t> batches);

}  // namespace kafkasim::kafka
