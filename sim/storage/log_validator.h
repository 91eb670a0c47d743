// The leader's check of a client's batch and the offsets it assigns in place: Kafka's
// LogValidator.validateMessagesAndAssignOffsets (storage/.../internals/log/LogValidator.java)
// with the checks UnifiedLog.analyzeAndValidateRecords makes first. A client's bytes reach the
// log unchanged apart from baseOffset and partitionLeaderEpoch (both outside the CRC), unless
// Kafka itself rewrites the batch: LogAppendTime, or a topic compression.type that differs
// from the batch's codec (recompression).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engine/status.h"
#include "storage/record_batch.h"

namespace kafkasim::storage {

struct LogValidatorConfig {
  // The topic's compression.type: nullopt for "producer" (keep the batch's codec),
  // CompressionType::kNone for "uncompressed" (BrokerCompressionType.targetCompression).
  std::optional<CompressionType> target_compression;
  bool log_append_time = false;  // message.timestamp.type=LogAppendTime
  // message.timestamp.before.max.ms / message.timestamp.after.max.ms (Kafka 3.6+ defaults:
  // no limit) bound a CreateTime record's timestamp around the broker's clock.
  std::int64_t timestamp_before_max_ms = INT64_MAX;
  std::int64_t timestamp_after_max_ms = INT64_MAX;
  bool compacted = false;                    // cleanup.policy=compact: every record needs a key
  std::int32_t max_message_bytes = 1048588;  // max.message.bytes
  std::string topic_partition;               // "cities-0", for error messages
};

struct ValidationResult {
  BatchHeader header;  // of the validated batch, as it now is in the caller's bytes
  std::int64_t log_append_time = kNoTimestamp;  // the broker's clock (ms) when validated
  std::int64_t max_timestamp = kNoTimestamp;
  std::int64_t offset_of_max_timestamp = -1;
  bool recompressed = false;  // rebuilt (messageSizeMaybeChanged): new bytes, new CRC
  bool crc_rewritten = false;
};

// Validates the one client batch in `batch` and rewrites it in place to start at `offset` with
// `partition_leader_epoch`. Errors, by Kafka's names:
//  - CORRUPT_MESSAGE: too short, bad batchLength, magic other than 2, CRC mismatch;
//  - MESSAGE_TOO_LARGE: more than max.message.bytes (before and after recompression);
//  - INVALID_RECORD: more than one batch, lastOffsetDelta + 1 != recordsCount or no records,
//    a control batch, a producer id without a sequence, records that do not decode or do not
//    match recordsCount, a record without a key in a compacted topic;
//  - UNSUPPORTED_COMPRESSION_TYPE: codec ids 5 to 7;
//  - INVALID_TIMESTAMP: a CreateTime timestamp outside the configured window, or a client
//    batch claiming LogAppendTime where Kafka refuses it.
// On error `batch` is left as it was.
Result<ValidationResult> ValidateMessagesAndAssignOffsets(Bytes& batch, std::int64_t offset,
                                                          std::int32_t partition_leader_epoch,
                                                          std::int64_t now_ms,
                                                          const LogValidatorConfig& config);

}  // namespace kafkasim::storage
