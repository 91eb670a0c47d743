// LogValidator: in-place offset assignment for a client's batch, or a rebuild when Kafka would
// rebuild it (another codec, inner offsets not 0..n-1).
#include "storage/log_validator.h"

#include <algorithm>
#include <vector>

#include "storage/byte_io.h"
#include "storage/crc32c.h"

namespace kafkasim::storage {
namespace {

Status InvalidRecord(std::string message) { return {Errc::kInvalidRecord, std::move(message)}; }

std::string In(const LogValidatorConfig& config) {
  return " in topic partition " + config.topic_partition;
}

// The record-level checks (validateKey, validateTimestamp) of one record; "" when it is fine.
// Sets timestamp_error when the problem is its timestamp.
std::string RecordError(const BatchHeader& h, const RecordView& r, std::int64_t now_ms,
                        const LogValidatorConfig& config, bool& timestamp_error) {
  if (config.compacted && !r.key) {
    return "Compacted topic cannot accept message without key" + In(config);
  }
  if (!config.log_append_time && r.timestamp != kNoTimestamp) {
    // Java long arithmetic: the difference wraps rather than overflows.
    const auto diff = static_cast<std::int64_t>(static_cast<std::uint64_t>(now_ms) -
                                                static_cast<std::uint64_t>(r.timestamp));
    const auto negated =
        static_cast<std::int64_t>(std::uint64_t{0} - static_cast<std::uint64_t>(diff));
    if (diff > config.timestamp_before_max_ms || negated > config.timestamp_after_max_ms) {
      timestamp_error = true;
      const auto bound = [](std::int64_t a, std::int64_t b, bool add) {
        return static_cast<std::int64_t>(
            add ? static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b)
                : static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b));
      };
      return "Timestamp " + std::to_string(r.timestamp) + " of message with offset " +
             std::to_string(h.base_offset + r.offset_delta) +
             " is out of range. The timestamp should be within [" +
             std::to_string(bound(now_ms, config.timestamp_before_max_ms, false)) + ", " +
             std::to_string(bound(now_ms, config.timestamp_after_max_ms, true)) + "]";
    }
  } else if (h.log_append_time()) {
    timestamp_error = true;
    return "Invalid timestamp type in message. Producer should not set timestamp type to "
           "LogAppendTime.";
  }
  return "";
}

// validateBatch with AppendOrigin.CLIENT for magic 2.
Status ValidateBatch(const BatchHeader& h, const LogValidatorConfig& config) {
  const std::int64_t count_from_offsets = std::int64_t{h.last_offset_delta} + 1;
  if (h.records_count <= 0) {
    return InvalidRecord(
        "Invalid reported count for record batch: " + std::to_string(h.records_count) + In(config));
  }
  if (count_from_offsets != h.records_count) {
    return InvalidRecord("Inconsistent batch offset range [" + std::to_string(h.base_offset) +
                         ", " + std::to_string(h.last_offset()) + "] and count of records " +
                         std::to_string(h.records_count) + In(config));
  }
  if (h.is_control()) {
    return InvalidRecord("Clients are not allowed to write control records" + In(config));
  }
  if (h.producer_id != kNoProducerId && h.base_sequence < 0) {
    return InvalidRecord("Invalid sequence number " + std::to_string(h.base_sequence) +
                         " in record batch with producerId " + std::to_string(h.producer_id) +
                         In(config));
  }
  return Status::Ok();
}

// UnifiedLog.analyzeAndValidateRecords: one whole, intact batch within max.message.bytes.
Result<BatchHeader> AnalyzeBatch(std::span<const std::uint8_t> bytes,
                                 const LogValidatorConfig& config) {
  if (bytes.empty()) return InvalidRecord("Record batch has no batches at all");
  Result<BatchHeader> header = CheckBatch(bytes);
  if (!header.ok()) return header.status();
  if (header->size_in_bytes() > static_cast<std::size_t>(config.max_message_bytes)) {
    return Status(Errc::kMessageTooLarge,
                  "The record batch size in the append to " + config.topic_partition + " is " +
                      std::to_string(header->size_in_bytes()) +
                      " bytes which exceeds the maximum configured value of " +
                      std::to_string(config.max_message_bytes) + ".");
  }
  if (header->size_in_bytes() != bytes.size()) {
    return InvalidRecord("Compressed outer record has more than one batch");
  }
  if (header->compression_codec() > static_cast<int>(CompressionType::kZstd)) {
    return Status(Errc::kUnsupportedCompressionType,
                  "Unknown compression type id: " + std::to_string(header->compression_codec()));
  }
  return header;
}

// Writes the fields LogValidator sets in place; the CRC only when a field under it changed
// (DefaultRecordBatch.setMaxTimestamp recomputes it, setLastOffset and
// setPartitionLeaderEpoch do not need to).
bool AssignInPlace(Bytes& bytes, std::int64_t offset, std::int32_t partition_leader_epoch,
                   bool log_append_time, std::int64_t max_timestamp) {
  StoreBigEndian(bytes, kBaseOffsetOffset, static_cast<std::uint64_t>(offset), 8);
  StoreBigEndian(bytes, kPartitionLeaderEpochOffset,
                 static_cast<std::uint32_t>(partition_leader_epoch), 4);
  const auto attributes = static_cast<std::uint16_t>(LoadBigEndian(bytes, kAttributesOffset, 2));
  const auto wanted = static_cast<std::uint16_t>(
      log_append_time ? attributes | kTimestampTypeMask : attributes & ~kTimestampTypeMask);
  const auto current_max = static_cast<std::int64_t>(LoadBigEndian(bytes, kMaxTimestampOffset, 8));
  if (wanted == attributes && current_max == max_timestamp) return false;
  StoreBigEndian(bytes, kAttributesOffset, wanted, 2);
  StoreBigEndian(bytes, kMaxTimestampOffset, static_cast<std::uint64_t>(max_timestamp), 8);
  const std::uint32_t crc = Crc32c(std::span<const std::uint8_t>(bytes).subspan(kAttributesOffset));
  StoreBigEndian(bytes, kCrcOffset, crc, 4);
  return true;
}

}  // namespace

Result<ValidationResult> ValidateMessagesAndAssignOffsets(Bytes& batch, std::int64_t offset,
                                                          std::int32_t partition_leader_epoch,
                                                          std::int64_t now_ms,
                                                          const LogValidatorConfig& config) {
  Result<BatchHeader> header = AnalyzeBatch(batch, config);
  if (!header.ok()) return header.status();
  if (Status s = ValidateBatch(*header, config); !s.ok()) return s;
  // Every record is read (decompressed first): a batch whose records do not decode, or do not
  // add up to recordsCount, is refused whole. The records are looked at in place (AnalyzeBatch
  // checked the CRC); they are decoded into copies only when the batch must be rebuilt.
  const BatchHeader& h = *header;
  const auto source = static_cast<CompressionType>(h.compression_codec());
  const CompressionType target = config.target_compression.value_or(source);

  std::vector<std::string> errors;
  bool timestamp_error = false;
  bool consecutive = true;
  std::int64_t max_timestamp = kNoTimestamp;
  std::int64_t offset_of_max_timestamp = -1;
  std::int64_t count = 0;
  const Status read = VisitCheckedBatch(batch, h, 0, [&](const BatchHeader&, const RecordView& r) {
    const std::int64_t i = count++;
    std::string error = RecordError(h, r, now_ms, config, timestamp_error);
    if (!error.empty())
      errors.push_back("RecordError(batchIndex=" + std::to_string(i) + ", " + "message='" + error +
                       "')");
    if (r.timestamp > max_timestamp) {
      max_timestamp = r.timestamp;
      offset_of_max_timestamp = offset + i;
    }
    consecutive = consecutive && r.offset_delta == i;
  });
  if (!read.ok()) {
    return InvalidRecord("One or more records have been rejected: " + read.message() + In(config));
  }
  if (!errors.empty()) {
    if (timestamp_error) {
      return Status(
          Errc::kInvalidTimestamp,
          "One or more records have been rejected due to invalid timestamp: " + errors.front());
    }
    std::string shown;
    for (std::size_t i = 0; i < std::min<std::size_t>(errors.size(), 3); ++i) {
      shown += (i == 0 ? "" : ", ") + errors[i];
    }
    return InvalidRecord("One or more records have been rejected due to " +
                         std::to_string(errors.size()) +
                         " record errors in total, and only showing the first three errors at "
                         "most: [" +
                         shown + "]");
  }

  ValidationResult result;
  result.log_append_time = now_ms;
  // Kafka rebuilds a compressed batch whose inner offsets are not 0..n-1 (old clients); an
  // uncompressed one keeps its bytes whatever its offset deltas say.
  const bool in_place = source == target && (source == CompressionType::kNone || consecutive);
  if (in_place) {
    if (config.log_append_time) {
      max_timestamp = now_ms;
      offset_of_max_timestamp = source == CompressionType::kNone ? offset + count - 1 : offset;
    }
    result.crc_rewritten =
        AssignInPlace(batch, offset, partition_leader_epoch, config.log_append_time, max_timestamp);
  } else {
    // buildRecordsAndAssignOffsets: the same records and producer fields, the topic's codec.
    BatchOptions options;
    options.base_offset = offset;
    options.partition_leader_epoch = partition_leader_epoch;
    options.compression = target;
    options.producer_id = h.producer_id;
    options.producer_epoch = h.producer_epoch;
    options.base_sequence = h.base_sequence;
    options.transactional = h.is_transactional();
    if (config.log_append_time) {
      options.log_append_time = now_ms;
      max_timestamp = now_ms;
      offset_of_max_timestamp = offset + count - 1;
    }
    Result<RecordBatch> decoded = DecodeBatch(batch);
    KSIM_ASSERT_MSG(decoded.ok(), decoded.status().ToString());  // its records were just read
    Bytes rebuilt = BuildBatch(std::move(decoded->records), options);
    if (rebuilt.size() > static_cast<std::size_t>(config.max_message_bytes)) {
      return Status(Errc::kMessageTooLarge,
                    "Message batch size is " + std::to_string(rebuilt.size()) +
                        " bytes in append "
                        "to partition " +
                        config.topic_partition + " which exceeds the maximum configured size of " +
                        std::to_string(config.max_message_bytes) + ".");
    }
    batch = std::move(rebuilt);
    result.recompressed = true;
    result.crc_rewritten = true;
  }
  Result<BatchHeader> validated = CheckBatch(batch);
  KSIM_ASSERT_MSG(validated.ok(), validated.status().ToString());
  KSIM_ASSERT_EQ(validated->base_offset, offset);
  result.header = *validated;
  result.max_timestamp = max_timestamp;
  result.offset_of_max_timestamp = offset_of_max_timestamp;
  return result;
}

}  // namespace kafkasim::storage
