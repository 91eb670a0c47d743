// LogValidator: a client's batch keeps its bytes apart from baseOffset and partitionLeaderEpoch;
// Kafka's rewrites (LogAppendTime, recompression) and every refusal, by Kafka's error names
// (LogValidator.java, UnifiedLog.analyzeAndValidateRecords).
#include "storage/log_validator.h"

#include <doctest/doctest.h>

#include "storage/byte_io.h"
#include "storage/crc32c.h"
#include "test_util.h"

namespace kafkasim::storage {
namespace {

Bytes B(const std::string& s) { return {s.begin(), s.end()}; }

std::vector<Record> Cities() {
  std::vector<Record> records;
  for (const char* city : {"Paris", "Berlin", "Lagos"}) {
    Record r;
    r.timestamp = 5000 + static_cast<std::int64_t>(records.size());
    r.key = B(city);
    r.value = B(std::string(city) + " " + city + " " + city);
    records.push_back(std::move(r));
  }
  return records;
}

BatchOptions Idempotent(CompressionType compression = CompressionType::kNone) {
  BatchOptions options;
  options.compression = compression;
  options.producer_id = 1000;
  options.producer_epoch = 2;
  options.base_sequence = 30;
  return options;
}

LogValidatorConfig Config() {
  LogValidatorConfig config;
  config.topic_partition = "cities-0";
  return config;
}

// Recomputes the CRC after a test changed a field under it.
void Restamp(Bytes& bytes) {
  StoreBigEndian(bytes, kCrcOffset, Crc32c(std::span<const std::uint8_t>(bytes).subspan(21)), 4);
}

// Bytes outside baseOffset [0, 8) and partitionLeaderEpoch [12, 16).
Bytes Unassigned(Bytes bytes) {
  std::fill(bytes.begin(), bytes.begin() + 8, 0);
  std::fill(bytes.begin() + 12, bytes.begin() + 16, 0);
  return bytes;
}

TEST_CASE("log_validator: offsets and the leader epoch are set in place, the CRC untouched") {
  for (CompressionType codec : {CompressionType::kNone, CompressionType::kLz4}) {
    CAPTURE(static_cast<int>(codec));
    const Bytes sent = BuildBatch(Cities(), Idempotent(codec));
    Bytes batch = sent;
    auto result = ValidateMessagesAndAssignOffsets(batch, 42, 7, 6000, Config());
    REQUIRE(result.ok());
    CHECK(Unassigned(batch) == Unassigned(sent));
    CHECK(result->header.base_offset == 42);
    CHECK(result->header.last_offset() == 44);
    CHECK(result->header.partition_leader_epoch == 7);
    CHECK(result->header.crc == CheckBatch(sent)->crc);
    CHECK_FALSE(result->crc_rewritten);
    CHECK_FALSE(result->recompressed);
    CHECK(result->max_timestamp == 5002);
    CHECK(result->offset_of_max_timestamp == 44);
    CHECK(DecodeBatch(batch)->records == DecodeBatch(sent)->records);
  }
}

TEST_CASE("log_validator: LogAppendTime sets the type and maxTimestamp and rewrites the CRC") {
  const Bytes sent = BuildBatch(Cities(), {});
  Bytes batch = sent;
  LogValidatorConfig config = Config();
  config.log_append_time = true;
  auto result = ValidateMessagesAndAssignOffsets(batch, 0, 1, 9999, config);
  REQUIRE(result.ok());
  CHECK(result->crc_rewritten);
  CHECK(result->header.log_append_time());
  CHECK(result->header.max_timestamp == 9999);
  CHECK(result->header.crc != CheckBatch(sent)->crc);
  CHECK(CheckBatch(batch).ok());
  // The records, and everything after maxTimestamp, are the client's bytes.
  CHECK(
      std::equal(batch.begin() + kProducerIdOffset, batch.end(), sent.begin() + kProducerIdOffset));
}

TEST_CASE("log_validator: a topic codec other than the batch's rebuilds it with that codec") {
  const Bytes sent = BuildBatch(Cities(), Idempotent());
  Bytes batch = sent;
  LogValidatorConfig config = Config();
  config.target_compression = CompressionType::kGzip;
  auto result = ValidateMessagesAndAssignOffsets(batch, 10, 3, 6000, config);
  REQUIRE(result.ok());
  CHECK(result->recompressed);
  CHECK(result->header.compression_codec() == 1);
  CHECK(result->header.base_offset == 10);
  CHECK(result->header.producer_id == 1000);
  CHECK(result->header.producer_epoch == 2);
  CHECK(result->header.base_sequence == 30);
  CHECK(DecodeBatch(batch)->records == DecodeBatch(sent)->records);
  // compression.type=uncompressed takes it back to plain records.
  config.target_compression = CompressionType::kNone;
  REQUIRE(ValidateMessagesAndAssignOffsets(batch, 10, 3, 6000, config).ok());
  CHECK(Unassigned(batch) == Unassigned(sent));
}

Status Refusal(Bytes batch, const LogValidatorConfig& config = Config(), std::int64_t now = 6000) {
  const Bytes before = batch;
  auto result = ValidateMessagesAndAssignOffsets(batch, 0, 0, now, config);
  REQUIRE_FALSE(result.ok());
  CHECK(batch == before);  // refused batches are left alone
  return result.status();
}

TEST_CASE("log_validator: damaged batches are CORRUPT_MESSAGE") {
  Bytes batch = BuildBatch(Cities(), {});
  batch[70] ^= 1;
  Status s = Refusal(batch);
  CHECK(s.code() == Errc::kCorruptMessage);
  CHECK(s.message().rfind("corrupt batch at byte 0: stored crc", 0) == 0);
  Bytes magic = BuildBatch(Cities(), {});
  magic[kMagicOffset] = 1;
  CHECK(Refusal(magic).message() == "bad batch at byte 0: magic 1, only magic 2 is supported");
  CHECK(Refusal(Bytes(20, 0)).code() == Errc::kCorruptMessage);
}

TEST_CASE("log_validator: malformed batches and records are INVALID_RECORD") {
  Bytes two = BuildBatch(Cities(), {});
  const Bytes one = two;
  two.insert(two.end(), one.begin(), one.end());
  CHECK(Refusal(two).code() == Errc::kInvalidRecord);
  CHECK(Refusal(two).message() == "Compressed outer record has more than one batch");

  Bytes count = BuildBatch(Cities(), {});
  StoreBigEndian(count, kRecordsCountOffset, 2, 4);
  Restamp(count);
  CHECK(Refusal(count).message() ==
        "Inconsistent batch offset range [0, 2] and count of records 2 in topic partition "
        "cities-0");

  Bytes control = BuildBatch(Cities(), {});
  control[kAttributesOffset + 1] |= kControlFlag;
  Restamp(control);
  CHECK(Refusal(control).message() ==
        "Clients are not allowed to write control records in topic partition cities-0");

  BatchOptions no_sequence = Idempotent();
  no_sequence.base_sequence = -1;
  CHECK(Refusal(BuildBatch(Cities(), no_sequence)).message() ==
        "Invalid sequence number -1 in record batch with producerId 1000 in topic partition "
        "cities-0");

  Bytes record = BuildBatch(Cities(), {});
  record[kRecordsOffset] = 0x7f;  // the first record's length runs past the batch
  Restamp(record);
  Status s = Refusal(record);
  CHECK(s.code() == Errc::kInvalidRecord);
  CHECK(s.message() ==
        "One or more records have been rejected: bad record 0 of batch at byte 0 (record at "
        "byte 61) in topic partition cities-0");

  LogValidatorConfig compacted = Config();
  compacted.compacted = true;
  std::vector<Record> keyless = Cities();
  keyless[1].key.reset();
  CHECK(Refusal(BuildBatch(keyless, {}), compacted).message() ==
        "One or more records have been rejected due to 1 record errors in total, and only "
        "showing the first three errors at most: [RecordError(batchIndex=1, message='Compacted "
        "topic cannot accept message without key in topic partition cities-0')]");
}

TEST_CASE("log_validator: codec ids above zstd are UNSUPPORTED_COMPRESSION_TYPE") {
  Bytes batch = BuildBatch(Cities(), {});
  batch[kAttributesOffset + 1] |= 6;
  Restamp(batch);
  const Status s = Refusal(batch);
  CHECK(s.code() == Errc::kUnsupportedCompressionType);
  CHECK(s.message() == "Unknown compression type id: 6");
}

TEST_CASE("log_validator: timestamps outside the window are INVALID_TIMESTAMP") {
  LogValidatorConfig config = Config();
  config.timestamp_before_max_ms = 500;
  const Status s = Refusal(BuildBatch(Cities(), {}), config, 6000);
  CHECK(s.code() == Errc::kInvalidTimestamp);
  CHECK(s.message() ==
        "One or more records have been rejected due to invalid timestamp: "
        "RecordError(batchIndex=0, message='Timestamp 5000 of message with offset 0 is out of "
        "range. The timestamp should be within [5500, -9223372036854769809]')");
  // A client may not claim LogAppendTime for a topic that stamps it.
  BatchOptions claimed;
  claimed.log_append_time = 7000;
  LogValidatorConfig append_time = Config();
  append_time.log_append_time = true;
  CHECK(Refusal(BuildBatch(Cities(), claimed), append_time).code() == Errc::kInvalidTimestamp);
}

TEST_CASE("log_validator: a batch above max.message.bytes is MESSAGE_TOO_LARGE") {
  LogValidatorConfig config = Config();
  config.max_message_bytes = 100;
  const Status s = Refusal(BuildBatch(Cities(), {}), config);
  CHECK(s.code() == Errc::kMessageTooLarge);
  CHECK(s.message() ==
        "The record batch size in the append to cities-0 is 152 bytes which exceeds the "
        "maximum configured value of 100.");
}

}  // namespace
}  // namespace kafkasim::storage
