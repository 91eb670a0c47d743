// Record batch v2, the unit Kafka writes to disk and sends over the wire: a 61-byte big-endian
// header, a CRC-32C, then records with zigzag-varint fields (DefaultRecordBatch.java).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"
#include "storage/compression.h"
#include "storage/format.h"

namespace kafkasim::storage {

struct RecordHeader {
  std::string key;
  std::optional<Bytes> value;  // nullopt = null value
  bool operator==(const RecordHeader&) const = default;
};

// One record. On append the leader ignores offset_delta (it numbers records in order); after
// decoding, timestamp is absolute (baseTimestamp + timestampDelta) and offset_delta is as stored.
struct Record {
  std::int64_t timestamp = kNoTimestamp;  // ms
  std::optional<Bytes> key;               // nullopt = null key
  std::optional<Bytes> value;             // nullopt = null value (a tombstone)
  std::vector<RecordHeader> headers;
  std::int32_t offset_delta = 0;
  std::int8_t attributes = 0;  // unused by Kafka, always 0
  bool operator==(const Record&) const = default;
};

// A record as views into the bytes it was decoded from (a batch, or its decompressed records):
// valid only while VisitRecords calls back with it. Headers are checked but not kept.
struct RecordView {
  std::int64_t timestamp = kNoTimestamp;               // ms, absolute
  std::optional<std::span<const std::uint8_t>> key;    // nullopt = null key
  std::optional<std::span<const std::uint8_t>> value;  // nullopt = null value
  std::int32_t header_count = 0;
  std::int32_t offset_delta = 0;
  std::int8_t attributes = 0;
};

struct BatchHeader {
  std::int64_t base_offset = 0;
  std::int32_t batch_length = 0;  // bytes after the length field; set by EncodeBatch
  std::int32_t partition_leader_epoch = kNoPartitionLeaderEpoch;
  std::int8_t magic = kMagicV2;
  std::uint32_t crc = 0;  // set by EncodeBatch
  std::uint16_t attributes = 0;
  std::int32_t last_offset_delta = 0;
  std::int64_t base_timestamp = kNoTimestamp;
  std::int64_t max_timestamp = kNoTimestamp;
  std::int64_t producer_id = kNoProducerId;
  std::int16_t producer_epoch = kNoProducerEpoch;
  std::int32_t base_sequence = kNoSequence;
  std::int32_t records_count = 0;  // set by EncodeBatch from the records

  std::int64_t last_offset() const { return base_offset + last_offset_delta; }
  std::int64_t next_offset() const { return last_offset() + 1; }
  std::size_t size_in_bytes() const {
    return static_cast<std::size_t>(batch_length) + kLogOverhead;
  }
  int compression_codec() const { return attributes & kCompressionCodecMask; }
  bool is_control() const { return (attributes & kControlFlag) != 0; }
  bool is_transactional() const { return (attributes & kTransactionalFlag) != 0; }
  bool log_append_time() const { return (attributes & kTimestampTypeMask) != 0; }
  // baseSequence + lastOffsetDelta with int32 wrap, -1 without a producer (as Kafka prints it).
  std::int32_t last_sequence() const;
  bool operator==(const BatchHeader&) const = default;
};

struct RecordBatch {
  BatchHeader header;
  std::vector<Record> records;
  bool operator==(const RecordBatch&) const = default;
};

// Serializes a batch: computes batchLength, recordsCount and the CRC and stores them in the
// bytes (header.batch_length/crc/records_count are ignored). The records are compressed with
// the codec of header.attributes (Compress); asserts the result parses back.
Bytes EncodeBatch(const RecordBatch& batch);
// The same into `out` (cleared first), reusing its capacity on a hot path.
void EncodeBatchTo(const RecordBatch& batch, Bytes& out);

// Builds the batch a leader appends: records numbered 0..n-1 from base_offset, baseTimestamp
// = first record's timestamp, maxTimestamp = the largest. records must not be empty.
RecordBatch MakeBatch(std::int64_t base_offset, std::int32_t partition_leader_epoch,
                      std::vector<Record> records);

// What the writer of a batch puts in its header (MemoryRecordsBuilder's arguments). A producer
// leaves base_offset 0 and partition_leader_epoch -1: the leader assigns them (LogValidator).
struct BatchOptions {
  std::int64_t base_offset = 0;
  std::int32_t partition_leader_epoch = kNoPartitionLeaderEpoch;
  CompressionType compression = CompressionType::kNone;
  std::int64_t producer_id = kNoProducerId;
  std::int16_t producer_epoch = kNoProducerEpoch;
  std::int32_t base_sequence = kNoSequence;
  bool transactional = false;
  // A control batch (attributes bit 5): its records are control records (control_records.h).
  bool control = false;
  // LogAppendTime (a broker rebuilding a batch): maxTimestamp is this time, in ms.
  std::optional<std::int64_t> log_append_time;
};
// Builds one batch of `records` (MemoryRecordsBuilder): offset deltas 0..n-1, baseTimestamp the
// first record's, maxTimestamp the largest, records compressed as options.compression says.
// records must not be empty.
Bytes BuildBatch(std::vector<Record> records, const BatchOptions& options);
// The same from records viewed in place (a producer's own strings), without copying them into
// Records first; the views' offset deltas are ignored and their header_count must be 0.
Bytes BuildBatch(std::span<const RecordView> records, const BatchOptions& options);

// Checks that `bytes` starts with one whole, intact batch and returns its header: at least 12
// bytes for the length, batchLength >= 49, the batch fits in `bytes`, magic 2, CRC matches.
// Errors are kCorruptMessage with a message giving the byte position relative to `bytes` (plus
// position_base), e.g. "partial batch at byte 4096: batchLength 79 needs 91 bytes, 40 left".
Result<BatchHeader> CheckBatch(std::span<const std::uint8_t> bytes,
                               std::uint64_t position_base = 0);

// CheckBatch without the CRC: lengths and magic only (for bytes whose CRC was just verified).
Result<BatchHeader> ParseBatchHeader(std::span<const std::uint8_t> bytes,
                                     std::uint64_t position_base = 0);

// Decodes exactly one batch (CheckBatch, then every record, decompressing a compressed batch's
// records first, up to kMaxDecompressedBatchBytes). Codec ids 5-7 are
// kUnsupportedCompressionType ("unsupported codec unknown(5)"); bad compressed data and
// malformed records are kCorruptMessage. Never reads outside `bytes`.
Result<RecordBatch> DecodeBatch(std::span<const std::uint8_t> bytes,
                                std::uint64_t position_base = 0);

// A batch inside a buffer of concatenated batches.
struct BatchSpan {
  std::size_t position = 0;
  BatchHeader header;
};
// Walks concatenated batches, checking each; stops with an error at the first bad one.
Result<std::vector<BatchSpan>> SplitBatches(std::span<const std::uint8_t> bytes);
// Decodes every batch of a buffer of concatenated batches.
Result<std::vector<RecordBatch>> DecodeBatches(std::span<const std::uint8_t> bytes);
// The same checks as DecodeBatches, but each record goes to `visit` with its batch's header as
// views, nothing copied: for readers that need a few fields of every record. Every batch is
// checked (lengths, magic, CRC) before any record is visited; a malformed record or compressed
// payload stops the walk with DecodeBatches' error, after the records before it were visited.
Status VisitRecords(std::span<const std::uint8_t> bytes,
                    const std::function<void(const BatchHeader&, const RecordView&)>& visit);
// VisitRecords for one batch whose header CheckBatch returned (its CRC verified): `bytes` is
// exactly that batch, at `position_base` for the error messages.
Status VisitCheckedBatch(std::span<const std::uint8_t> bytes, const BatchHeader& header,
                         std::uint64_t position_base,
                         const std::function<void(const BatchHeader&, const RecordView&)>& visit);

}  // namespace kafkasim::storage
