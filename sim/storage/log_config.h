// Topic-level log configuration, field names after Kafka's topic configs, defaults from
// LogConfig.java / ServerLogConfigs.java (reference section 4).
#pragma once

#include <cstdint>
#include <optional>

#include "storage/compression.h"

namespace kafkasim::storage {

struct LogConfig {
  std::int64_t segment_bytes = 1073741824;         // segment.bytes
  std::int64_t segment_ms = 604800000;             // segment.ms (log.roll.hours = 168)
  std::int64_t segment_jitter_ms = 0;              // segment.jitter.ms
  std::int64_t segment_index_bytes = 10485760;     // segment.index.bytes
  std::int64_t retention_ms = 604800000;           // retention.ms (-1 = unlimited)
  std::int64_t retention_bytes = -1;               // retention.bytes (-1 = unlimited)
  std::int32_t index_interval_bytes = 4096;        // index.interval.bytes
  std::int32_t max_message_bytes = 1048588;        // max.message.bytes (largest batch)
  std::int64_t flush_messages = INT64_MAX;         // flush.messages (fsync after N records)
  bool message_timestamp_log_append_time = false;  // message.timestamp.type=LogAppendTime
  // compression.type: nullopt = "producer" (batches keep the client's codec), kNone =
  // "uncompressed"; another codec makes the leader recompress batches (LogValidator).
  std::optional<CompressionType> compression_type;
  // cleanup.policy: "delete" (the default), "compact" or both. Without delete, retention.ms and
  // retention.bytes delete nothing (UnifiedLog.deleteOldSegments).
  bool cleanup_policy_compact = false;
  bool cleanup_policy_delete = true;
  std::int64_t delete_retention_ms = 86400000;     // delete.retention.ms: tombstones kept
  double min_cleanable_dirty_ratio = 0.5;          // min.cleanable.dirty.ratio
  std::int64_t min_compaction_lag_ms = 0;          // min.compaction.lag.ms
  std::int64_t max_compaction_lag_ms = INT64_MAX;  // max.compaction.lag.ms
};

}  // namespace kafkasim::storage
