// Record batch v2 encoder and a decoder that validates every length before using it.
#include "storage/record_batch.h"

#include <algorithm>
#include <cstdio>

#include "storage/byte_io.h"
#include "storage/crc32c.h"

namespace kafkasim::storage {
namespace {

Status Corrupt(std::string message) { return {Errc::kCorruptMessage, std::move(message)}; }

using OptionalSpan = std::optional<std::span<const std::uint8_t>>;

// A record's key or value as the encoder reads it, owned (Record) or viewed (RecordView).
OptionalSpan SpanOf(const std::optional<Bytes>& bytes) {
  return bytes ? OptionalSpan(std::span<const std::uint8_t>(*bytes)) : std::nullopt;
}
OptionalSpan SpanOf(const OptionalSpan& bytes) { return bytes; }

// A record's headers; a RecordView keeps none, so one built into a batch must have had none.
std::span<const RecordHeader> HeadersOf(const Record& record) { return record.headers; }
std::span<const RecordHeader> HeadersOf(const RecordView& record) {
  KSIM_ASSERT_MSG(record.header_count == 0, "a RecordView does not keep its headers");
  return {};
}

void WriteBytesField(ByteWriter& w, const OptionalSpan& bytes) {
  if (!bytes) {
    w.Varint(-1);
    return;
  }
  w.Varint(static_cast<std::int32_t>(bytes->size()));
  w.Raw(*bytes);
}

// ts - base with wrap-around: a decoded hostile delta re-encodes without signed overflow.
std::int64_t TimestampDelta(std::int64_t ts, std::int64_t base) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(ts) -
                                   static_cast<std::uint64_t>(base));
}

std::size_t VarintSize(std::int64_t v) {
  auto u = (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
  std::size_t n = 1;
  while (u >= 0x80) {
    u >>= 7;
    ++n;
  }
  return n;
}

std::size_t BytesFieldSize(const OptionalSpan& bytes) {
  if (!bytes) return 1;
  return VarintSize(static_cast<std::int64_t>(bytes->size())) + bytes->size();
}

// Size of a record after its length prefix, so the record is written without a temporary.
template <class R>
std::size_t RecordBodySize(const R& record, std::int64_t base_timestamp) {
  const std::span<const RecordHeader> headers = HeadersOf(record);
  std::size_t n = 1 + VarintSize(TimestampDelta(record.timestamp, base_timestamp)) +
                  VarintSize(record.offset_delta) + BytesFieldSize(SpanOf(record.key)) +
                  BytesFieldSize(SpanOf(record.value)) +
                  VarintSize(static_cast<std::int64_t>(headers.size()));
  for (const RecordHeader& h : headers) {
    n += VarintSize(static_cast<std::int64_t>(h.key.size())) + h.key.size() +
         BytesFieldSize(SpanOf(h.value));
  }
  return n;
}

template <class R>
void EncodeRecord(ByteWriter& w, const R& record, std::int64_t base_timestamp) {
  const std::size_t body_size = RecordBodySize(record, base_timestamp);
  const std::span<const RecordHeader> headers = HeadersOf(record);
  w.Varint(static_cast<std::int32_t>(body_size));
  const std::size_t body_start = w.size();
  w.U8(static_cast<std::uint8_t>(record.attributes));
  w.Varlong(TimestampDelta(record.timestamp, base_timestamp));
  w.Varint(record.offset_delta);
  WriteBytesField(w, SpanOf(record.key));
  WriteBytesField(w, SpanOf(record.value));
  w.Varint(static_cast<std::int32_t>(headers.size()));
  for (const RecordHeader& h : headers) {
    w.Varint(static_cast<std::int32_t>(h.key.size()));
    w.Raw({reinterpret_cast<const std::uint8_t*>(h.key.data()), h.key.size()});
    WriteBytesField(w, SpanOf(h.value));
  }
  KSIM_ASSERT_EQ(w.size() - body_start, body_size);
}

// Reads a varint length and that many bytes; -1 is null (nullopt). Fails on other negatives.
bool ReadBytesSpan(ByteReader& r, std::optional<std::span<const std::uint8_t>>& out) {
  auto len = r.Varint();
  if (!len || *len < -1) return false;
  if (*len == -1) {
    out.reset();
    return true;
  }
  auto raw = r.Raw(static_cast<std::size_t>(*len));
  if (!raw) return false;
  out = *raw;
  return true;
}

std::optional<Bytes> ToBytes(const std::optional<std::span<const std::uint8_t>>& span) {
  if (!span) return std::nullopt;
  return Bytes(span->begin(), span->end());
}

// Parses one record body of exactly `body.size()` bytes into `record`, a RecordView, with
// `on_header(key, value)` called for each header. The one parser of a record's fields: Record
// decoding and the copy-free visit both go through it.
template <class OnHeader>
bool ParseRecordBody(std::span<const std::uint8_t> body, std::int64_t base_timestamp,
                     RecordView& record, OnHeader&& on_header) {
  ByteReader r(body);
  auto attributes = r.I8();
  auto timestamp_delta = r.Varlong();
  auto offset_delta = r.Varint();
  if (!attributes || !timestamp_delta || !offset_delta) return false;
  record.attributes = *attributes;
  // Unsigned add: a hostile delta must not be signed overflow.
  record.timestamp = static_cast<std::int64_t>(static_cast<std::uint64_t>(base_timestamp) +
                                               static_cast<std::uint64_t>(*timestamp_delta));
  record.offset_delta = *offset_delta;
  if (!ReadBytesSpan(r, record.key) || !ReadBytesSpan(r, record.value)) return false;
  auto header_count = r.Varint();
  if (!header_count || *header_count < 0) return false;
  // Each header needs at least two bytes: never reserve more than the input could hold.
  if (static_cast<std::size_t>(*header_count) > r.remaining() / 2) return false;
  record.header_count = *header_count;
  for (std::int32_t i = 0; i < *header_count; ++i) {
    auto key_len = r.Varint();
    if (!key_len || *key_len < 0) return false;
    auto key = r.Raw(static_cast<std::size_t>(*key_len));
    if (!key) return false;
    std::optional<std::span<const std::uint8_t>> value;
    if (!ReadBytesSpan(r, value)) return false;
    on_header(*key, value);
  }
  return r.remaining() == 0;
}

// Decodes one record body of exactly `body.size()` bytes.
bool DecodeRecordBody(std::span<const std::uint8_t> body, std::int64_t base_timestamp,
                      Record& record) {
  RecordView view;
  const bool ok =
      ParseRecordBody(body, base_timestamp, view,
                      [&record](std::span<const std::uint8_t> key,
                                const std::optional<std::span<const std::uint8_t>>& value) {
                        RecordHeader header;
                        header.key.assign(key.begin(), key.end());
                        header.value = ToBytes(value);
                        record.headers.push_back(std::move(header));
                      });
  if (!ok) return false;
  record.attributes = view.attributes;
  record.timestamp = view.timestamp;
  record.offset_delta = view.offset_delta;
  record.key = ToBytes(view.key);
  record.value = ToBytes(view.value);
  return true;
}

std::string At(std::uint64_t position) { return " at byte " + std::to_string(position); }

}  // namespace

std::int32_t BatchHeader::last_sequence() const {
  if (base_sequence == kNoSequence) return kNoSequence;
  const std::int64_t last = static_cast<std::int64_t>(base_sequence) + last_offset_delta;
  return static_cast<std::int32_t>(last > INT32_MAX ? last - INT32_MAX - 1 : last);
}

Bytes EncodeBatch(const RecordBatch& batch) {
  Bytes out;
  EncodeBatchTo(batch, out);
  return out;
}

namespace {

// The batch with header `h` (its length and CRC filled in here) and `records`, owned or
// viewed, into `out`.
template <class R>
void EncodeRecordsTo(const BatchHeader& h, std::span<const R> records, Bytes& out) {
  const int codec = h.compression_codec();
  KSIM_ASSERT(codec <= static_cast<int>(CompressionType::kZstd));
  out.clear();
  std::size_t records_size = 0;
  for (const R& record : records) {
    const std::size_t body = RecordBodySize(record, h.base_timestamp);
    records_size += VarintSize(static_cast<std::int64_t>(body)) + body;
  }
  Bytes compressed;
  if (codec != 0) {
    // MemoryRecordsBuilder writes the records through the codec's stream after the header.
    Bytes plain;
    plain.reserve(records_size);
    ByteWriter pw(plain);
    for (const R& record : records) EncodeRecord(pw, record, h.base_timestamp);
    compressed = Compress(static_cast<CompressionType>(codec), plain);
    records_size = compressed.size();
  }
  out.reserve(kRecordsOffset + records_size);
  ByteWriter w(out);
  w.I64(h.base_offset);
  w.I32(0);  // batchLength, patched below
  w.I32(h.partition_leader_epoch);
  w.U8(static_cast<std::uint8_t>(kMagicV2));
  w.U32(0);  // crc, patched below
  w.I16(static_cast<std::int16_t>(h.attributes));
  w.I32(h.last_offset_delta);
  w.I64(h.base_timestamp);
  w.I64(h.max_timestamp);
  w.I64(h.producer_id);
  w.I16(h.producer_epoch);
  w.I32(h.base_sequence);
  w.I32(static_cast<std::int32_t>(records.size()));
  KSIM_ASSERT_EQ(out.size(), kRecordsOffset);
  if (codec != 0) {
    w.Raw(compressed);
  } else {
    for (const R& record : records) EncodeRecord(w, record, h.base_timestamp);
  }
  StoreBigEndian(out, kBatchLengthOffset, out.size() - kLogOverhead, 4);
  const std::uint32_t crc = Crc32c(std::span<const std::uint8_t>(out).subspan(kAttributesOffset));
  StoreBigEndian(out, kCrcOffset, crc, 4);
  // The CRC was computed over exactly these bytes; check the structure a reader relies on.
  KSIM_ASSERT(ParseBatchHeader(out).ok());
}

// Numbers `records` 0..n-1 and fills the header fields they decide: baseTimestamp the first
// record's, maxTimestamp the largest, the count and the last offset delta.
template <class R>
void NumberRecords(std::int64_t base_offset, std::int32_t partition_leader_epoch,
                   std::vector<R>& records, BatchHeader& h) {
  KSIM_ASSERT(!records.empty());
  h.base_offset = base_offset;
  h.partition_leader_epoch = partition_leader_epoch;
  h.base_timestamp = records.front().timestamp;
  h.max_timestamp = records.front().timestamp;
  for (std::size_t i = 0; i < records.size(); ++i) {
    records[i].offset_delta = static_cast<std::int32_t>(i);
    h.max_timestamp = std::max(h.max_timestamp, records[i].timestamp);
  }
  h.last_offset_delta = static_cast<std::int32_t>(records.size() - 1);
  h.records_count = static_cast<std::int32_t>(records.size());
}

// The header fields BatchOptions set (MemoryRecordsBuilder's arguments).
void ApplyOptions(const BatchOptions& options, BatchHeader& h) {
  h.attributes = static_cast<std::uint16_t>(options.compression);
  if (options.transactional) h.attributes |= kTransactionalFlag;
  if (options.control) h.attributes |= kControlFlag;
  if (options.log_append_time) {
    h.attributes |= kTimestampTypeMask;
    h.max_timestamp = *options.log_append_time;
  }
  h.producer_id = options.producer_id;
  h.producer_epoch = options.producer_epoch;
  h.base_sequence = options.base_sequence;
}

}  // namespace

void EncodeBatchTo(const RecordBatch& batch, Bytes& out) {
  EncodeRecordsTo(batch.header, std::span<const Record>(batch.records), out);
}

RecordBatch MakeBatch(std::int64_t base_offset, std::int32_t partition_leader_epoch,
                      std::vector<Record> records) {
  RecordBatch batch;
  NumberRecords(base_offset, partition_leader_epoch, records, batch.header);
  batch.records = std::move(records);
  return batch;
}

Bytes BuildBatch(std::vector<Record> records, const BatchOptions& options) {
  RecordBatch batch =
      MakeBatch(options.base_offset, options.partition_leader_epoch, std::move(records));
  ApplyOptions(options, batch.header);
  return EncodeBatch(batch);
}

Bytes BuildBatch(std::span<const RecordView> records, const BatchOptions& options) {
  std::vector<RecordView> numbered(records.begin(), records.end());
  BatchHeader h;
  NumberRecords(options.base_offset, options.partition_leader_epoch, numbered, h);
  ApplyOptions(options, h);
  Bytes out;
  EncodeRecordsTo(h, std::span<const RecordView>(numbered), out);
  return out;
}

static Result<BatchHeader> CheckBatchImpl(std::span<const std::uint8_t> bytes,
                                          std::uint64_t position_base, bool verify_crc);

Result<BatchHeader> CheckBatch(std::span<const std::uint8_t> bytes, std::uint64_t position_base) {
  return CheckBatchImpl(bytes, position_base, /*verify_crc=*/true);
}

Result<BatchHeader> ParseBatchHeader(std::span<const std::uint8_t> bytes,
                                     std::uint64_t position_base) {
  return CheckBatchImpl(bytes, position_base, /*verify_crc=*/false);
}

static Result<BatchHeader> CheckBatchImpl(std::span<const std::uint8_t> bytes,
                                          std::uint64_t position_base, bool verify_crc) {
  if (bytes.size() < kLogOverhead) {
    return Corrupt("partial batch" + At(position_base) + ": " + std::to_string(bytes.size()) +
                   " bytes left, a batch needs at least " + std::to_string(kBatchHeaderSize));
  }
  BatchHeader h;
  h.base_offset = static_cast<std::int64_t>(LoadBigEndian(bytes, kBaseOffsetOffset, 8));
  h.batch_length = static_cast<std::int32_t>(LoadBigEndian(bytes, kBatchLengthOffset, 4));
  constexpr auto kMinLength = static_cast<std::int32_t>(kBatchHeaderSize - kLogOverhead);
  if (h.batch_length < kMinLength) {
    return Corrupt("bad batch" + At(position_base) + ": batchLength " +
                   std::to_string(h.batch_length) + " is below the minimum " +
                   std::to_string(kMinLength));
  }
  if (h.size_in_bytes() > bytes.size()) {
    return Corrupt("partial batch" + At(position_base) + ": batchLength " +
                   std::to_string(h.batch_length) + " needs " + std::to_string(h.size_in_bytes()) +
                   " bytes, " + std::to_string(bytes.size()) + " left");
  }
  h.magic = static_cast<std::int8_t>(bytes[kMagicOffset]);
  if (h.magic != kMagicV2) {
    return Corrupt("bad batch" + At(position_base) + ": magic " + std::to_string(h.magic) +
                   ", only magic 2 is supported");
  }
  const auto batch = bytes.subspan(0, h.size_in_bytes());
  h.partition_leader_epoch =
      static_cast<std::int32_t>(LoadBigEndian(batch, kPartitionLeaderEpochOffset, 4));
  h.crc = static_cast<std::uint32_t>(LoadBigEndian(batch, kCrcOffset, 4));
  h.attributes = static_cast<std::uint16_t>(LoadBigEndian(batch, kAttributesOffset, 2));
  h.last_offset_delta = static_cast<std::int32_t>(LoadBigEndian(batch, kLastOffsetDeltaOffset, 4));
  h.base_timestamp = static_cast<std::int64_t>(LoadBigEndian(batch, kBaseTimestampOffset, 8));
  h.max_timestamp = static_cast<std::int64_t>(LoadBigEndian(batch, kMaxTimestampOffset, 8));
  h.producer_id = static_cast<std::int64_t>(LoadBigEndian(batch, kProducerIdOffset, 8));
  h.producer_epoch = static_cast<std::int16_t>(LoadBigEndian(batch, kProducerEpochOffset, 2));
  h.base_sequence = static_cast<std::int32_t>(LoadBigEndian(batch, kBaseSequenceOffset, 4));
  h.records_count = static_cast<std::int32_t>(LoadBigEndian(batch, kRecordsCountOffset, 4));
  const std::uint32_t computed = verify_crc ? Crc32c(batch.subspan(kAttributesOffset)) : h.crc;
  if (verify_crc && computed != h.crc) {
    char text[64];
    std::snprintf(text, sizeof text, ": stored crc 0x%08x, computed 0x%08x", h.crc, computed);
    return Corrupt("corrupt batch" + At(position_base) + text);
  }
  if (h.last_offset_delta < 0) {
    return Corrupt("bad batch" + At(position_base) + ": negative lastOffsetDelta " +
                   std::to_string(h.last_offset_delta));
  }
  if (h.base_offset < 0 || h.base_offset > INT64_MAX - INT32_MAX) {
    return Corrupt("bad batch" + At(position_base) + ": baseOffset " +
                   std::to_string(h.base_offset) + " out of range");
  }
  return h;
}

// Walks the records of a batch (its record bytes, decompressed if need be), handing each
// record's body to `parse_one`, which returns false for a malformed one.
template <class ParseOne>
static Status WalkRecords(std::span<const std::uint8_t> records, std::uint64_t position_base,
                          const BatchHeader& h, ParseOne&& parse_one) {
  // Positions of records inside a compressed payload are positions in the decompressed bytes.
  ByteReader r(records);
  // A record takes at least 7 bytes: a count above that is corrupt, not a reason to allocate.
  if (h.records_count < 0 || static_cast<std::size_t>(h.records_count) > r.remaining() / 7 + 1) {
    return Corrupt("bad batch" + At(position_base) + ": recordsCount " +
                   std::to_string(h.records_count) + " does not fit in " +
                   std::to_string(r.remaining()) + " bytes");
  }
  const bool compressed = h.compression_codec() != 0;
  for (std::int32_t i = 0; i < h.records_count; ++i) {
    const std::uint64_t record_at =
        r.position() + (compressed ? 0 : position_base + kRecordsOffset);
    auto length = r.Varint();
    std::optional<std::span<const std::uint8_t>> body;
    if (length && *length >= 0) body = r.Raw(static_cast<std::size_t>(*length));
    if (!body || !parse_one(*body)) {
      return Corrupt("bad record " + std::to_string(i) + " of batch" + At(position_base) +
                     " (record" + At(record_at) +
                     (compressed ? " of the decompressed records)" : ")"));
    }
  }
  if (r.remaining() != 0) {
    return Corrupt("batch" + At(position_base) + " has " + std::to_string(r.remaining()) +
                   " bytes after its " + std::to_string(h.records_count) + " records");
  }
  return Status::Ok();
}

// The records of one batch whose header CheckBatch returned: the codec and the size are
// checked, the records decompressed if need be, then walked as WalkRecords does.
template <class ParseOne>
static Status WalkBatchRecords(std::span<const std::uint8_t> bytes, const BatchHeader& h,
                               std::uint64_t position_base, ParseOne&& parse_one) {
  if (h.compression_codec() > static_cast<int>(CompressionType::kZstd)) {
    return Status(
        Errc::kUnsupportedCompressionType,
        "unsupported codec " + CompressionName(h.compression_codec()) + At(position_base));
  }
  if (h.size_in_bytes() != bytes.size()) {
    return Corrupt("batch" + At(position_base) + " is " + std::to_string(h.size_in_bytes()) +
                   " bytes but " + std::to_string(bytes.size()) + " were given");
  }
  const auto payload = bytes.subspan(kRecordsOffset, h.size_in_bytes() - kRecordsOffset);
  if (h.compression_codec() == 0) return WalkRecords(payload, position_base, h, parse_one);
  Result<Bytes> plain = Decompress(static_cast<CompressionType>(h.compression_codec()), payload);
  if (!plain.ok()) return Corrupt(plain.status().message() + " in batch" + At(position_base));
  return WalkRecords(*plain, position_base, h, parse_one);
}

static Result<RecordBatch> DecodeCheckedBatch(std::span<const std::uint8_t> bytes,
                                              const BatchHeader& header,
                                              std::uint64_t position_base) {
  RecordBatch batch;
  batch.header = header;
  Status s = WalkBatchRecords(
      bytes, batch.header, position_base, [&batch](std::span<const std::uint8_t> body) {
        // WalkRecords checked the count against the bytes before the first record.
        if (batch.records.empty()) {
          batch.records.reserve(static_cast<std::size_t>(batch.header.records_count));
        }
        Record record;
        if (!DecodeRecordBody(body, batch.header.base_timestamp, record)) return false;
        batch.records.push_back(std::move(record));
        return true;
      });
  if (!s.ok()) return s;
  return batch;
}

Result<RecordBatch> DecodeBatch(std::span<const std::uint8_t> bytes, std::uint64_t position_base) {
  Result<BatchHeader> header = CheckBatch(bytes, position_base);
  if (!header.ok()) return header.status();
  return DecodeCheckedBatch(bytes, *header, position_base);
}

Result<std::vector<BatchSpan>> SplitBatches(std::span<const std::uint8_t> bytes) {
  std::vector<BatchSpan> spans;
  std::size_t position = 0;
  while (position < bytes.size()) {
    Result<BatchHeader> header = CheckBatch(bytes.subspan(position), position);
    if (!header.ok()) return header.status();
    spans.push_back({position, *header});
    position += header->size_in_bytes();
  }
  return spans;
}

Result<std::vector<RecordBatch>> DecodeBatches(std::span<const std::uint8_t> bytes) {
  Result<std::vector<BatchSpan>> spans = SplitBatches(bytes);
  if (!spans.ok()) return spans.status();
  std::vector<RecordBatch> batches;
  batches.reserve(spans->size());
  for (const BatchSpan& span : *spans) {
    // SplitBatches checked each batch (its CRC too): decoded without a second check.
    Result<RecordBatch> batch = DecodeCheckedBatch(
        bytes.subspan(span.position, span.header.size_in_bytes()), span.header, span.position);
    if (!batch.ok()) return batch.status();
    batches.push_back(std::move(*batch));
  }
  return batches;
}

Status VisitCheckedBatch(std::span<const std::uint8_t> bytes, const BatchHeader& header,
                         std::uint64_t position_base,
                         const std::function<void(const BatchHeader&, const RecordView&)>& visit) {
  return WalkBatchRecords(
      bytes, header, position_base, [&header, &visit](std::span<const std::uint8_t> body) {
        RecordView view;
        const auto skip_header = [](std::span<const std::uint8_t>,
                                    const std::optional<std::span<const std::uint8_t>>&) {};
        if (!ParseRecordBody(body, header.base_timestamp, view, skip_header)) return false;
        visit(header, view);
        return true;
      });
}

Status VisitRecords(std::span<const std::uint8_t> bytes,
                    const std::function<void(const BatchHeader&, const RecordView&)>& visit) {
  Result<std::vector<BatchSpan>> spans = SplitBatches(bytes);
  if (!spans.ok()) return spans.status();
  for (const BatchSpan& span : *spans) {
    const BatchHeader& h = span.header;
    Status s =
        VisitCheckedBatch(bytes.subspan(span.position, h.size_in_bytes()), h, span.position, visit);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace kafkasim::storage
