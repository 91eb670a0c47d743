// Record batch v2 codec: the reference's golden bytes, a seeded round-trip property and
// rejection of damaged input.
#include "storage/record_batch.h"

#include <doctest/doctest.h>

#include "engine/prng.h"
#include "storage/crc32c.h"
#include "test_util.h"

namespace kafkasim::storage {
namespace {

using testing::FromHex;
using testing::ToHex;

// kafka-semantics.md 7.2 (written by kafka-python 2.0.2, not by our encoder).
const std::string kGoldenHex =
    "00000000000000000000004f00000000024469c88d0000000000010000018bcfe568000000018bcfe56805"
    "ffffffffffffffffffffffffffff000000021a000000046b310a68656c6c6f001e000a02010a776f726c6402026802"
    "76";

Bytes B(const std::string& s) { return {s.begin(), s.end()}; }

RecordBatch GoldenBatch() {
  Record first;
  first.timestamp = 1700000000000;
  first.key = B("k1");
  first.value = B("hello");
  Record second;
  second.timestamp = 1700000000005;
  second.value = B("world");
  second.headers.push_back({"h", B("v")});
  RecordBatch batch = MakeBatch(0, 0, {first, second});
  return batch;
}

TEST_CASE("crc32c: the standard check value") {
  const std::string check = "123456789";
  CHECK(Crc32c(testing::Bytes(check)) == 0xE3069283u);
  CHECK(Crc32cPortable(testing::Bytes(check)) == 0xE3069283u);
}

TEST_CASE("crc32c: the hardware and the Boost.CRC paths agree on every length and alignment") {
  Rng rng(99);
  Bytes data(20000);  // long enough for the three-stripe path (3 x 2048 bytes a round)
  for (auto& b : data) b = static_cast<std::uint8_t>(rng.Uniform(256));
  for (std::size_t start = 0; start < 9; ++start) {
    for (std::size_t n = 0; n + start <= data.size(); n += (n < 300 ? 7 : 997)) {
      const auto span = std::span<const std::uint8_t>(data).subspan(start, n);
      REQUIRE(Crc32c(span) == Crc32cPortable(span));
    }
  }
}

TEST_CASE("record_batch: the 91-byte golden batch decodes field by field") {
  const Bytes golden = FromHex(kGoldenHex);
  REQUIRE(golden.size() == 91);
  Result<RecordBatch> batch = DecodeBatch(golden);
  REQUIRE(batch.ok());
  const BatchHeader& h = batch->header;
  CHECK(h.base_offset == 0);
  CHECK(h.batch_length == 79);
  CHECK(h.partition_leader_epoch == 0);
  CHECK(h.crc == 0x4469C88Du);
  CHECK(h.attributes == 0);
  CHECK(h.last_offset_delta == 1);
  CHECK(h.base_timestamp == 1700000000000);
  CHECK(h.max_timestamp == 1700000000005);
  CHECK(h.producer_id == -1);
  CHECK(h.producer_epoch == -1);
  CHECK(h.base_sequence == -1);
  CHECK(h.records_count == 2);
  REQUIRE(batch->records.size() == 2);
  CHECK(batch->records[0].key == B("k1"));
  CHECK(batch->records[0].value == B("hello"));
  CHECK(batch->records[1].key == std::nullopt);
  CHECK(batch->records[1].timestamp == 1700000000005);
  CHECK(batch->records[1].offset_delta == 1);
  CHECK(batch->records[1].headers == std::vector<RecordHeader>{{"h", B("v")}});
}

TEST_CASE("record_batch: our encoder writes the golden batch byte for byte") {
  CHECK(ToHex(EncodeBatch(GoldenBatch())) == kGoldenHex);
  // The CRC does not cover partitionLeaderEpoch (7.2: unchanged with epoch -1).
  RecordBatch unstamped = GoldenBatch();
  unstamped.header.partition_leader_epoch = -1;
  const Bytes bytes = EncodeBatch(unstamped);
  CHECK(ToHex(std::span<const std::uint8_t>(bytes).subspan(17, 4)) == "4469c88d");
}

Bytes RandomBytes(Rng& rng, std::size_t max_len) {
  Bytes out(static_cast<std::size_t>(rng.Uniform(max_len + 1)));
  for (auto& b : out) b = static_cast<std::uint8_t>(rng.Uniform(256));
  return out;
}

// One to twelve records around a random base timestamp (returned in `base_ts`), mostly with
// keys and values, some large, and with up to three headers each when asked.
std::vector<Record> RandomRecords(Rng& rng, bool with_headers, std::int64_t& base_ts) {
  std::vector<Record> records(static_cast<std::size_t>(rng.UniformRange(1, 12)));
  base_ts = rng.UniformRange(-1, 1800000000000);
  for (Record& r : records) {
    r.timestamp = base_ts + rng.UniformRange(-100000, 100000);
    if (rng.Bernoulli(0.8)) r.key = RandomBytes(rng, 40);
    if (rng.Bernoulli(0.9)) r.value = RandomBytes(rng, rng.Bernoulli(0.1) ? 3000 : 100);
    if (!with_headers) continue;
    for (std::int64_t h = rng.UniformRange(0, 3); h > 0; --h) {
      RecordHeader header;
      header.key = std::string(static_cast<std::size_t>(rng.Uniform(8)), 'x');
      if (rng.Bernoulli(0.7)) header.value = RandomBytes(rng, 10);
      r.headers.push_back(header);
    }
  }
  return records;
}

TEST_CASE("record_batch: random batches survive encode and decode (seeded property)") {
  Rng rng(20241125);
  for (int round = 0; round < 500; ++round) {
    std::int64_t base_ts = 0;
    const std::vector<Record> records = RandomRecords(rng, /*with_headers=*/true, base_ts);
    RecordBatch batch = MakeBatch(rng.UniformRange(0, 1LL << 40),
                                  static_cast<std::int32_t>(rng.UniformRange(-1, 1000)), records);
    batch.header.producer_id = rng.Bernoulli(0.5) ? rng.UniformRange(0, 1LL << 50) : -1;
    batch.header.producer_epoch = static_cast<std::int16_t>(rng.UniformRange(-1, 30000));
    batch.header.base_sequence = static_cast<std::int32_t>(rng.UniformRange(-1, 1 << 30));
    if (rng.Bernoulli(0.2)) batch.header.attributes |= kTransactionalFlag | kControlFlag;
    const Bytes bytes = EncodeBatch(batch);
    Result<RecordBatch> decoded = DecodeBatch(bytes);
    REQUIRE(decoded.ok());
    batch.header.batch_length = static_cast<std::int32_t>(bytes.size() - 12);
    batch.header.crc = decoded->header.crc;
    CHECK(decoded->header == batch.header);
    CHECK(decoded->records == batch.records);
    CHECK(EncodeBatch(*decoded) == bytes);
  }
}

TEST_CASE("record_batch: a batch built from viewed records is byte for byte the one from owned") {
  Rng rng(20261207);
  for (int round = 0; round < 300; ++round) {
    std::int64_t base_ts = 0;
    // A RecordView keeps no headers, so neither build has any.
    std::vector<Record> records = RandomRecords(rng, /*with_headers=*/false, base_ts);
    for (Record& r : records) {
      // Deltas the builders renumber: neither may write these.
      r.offset_delta = static_cast<std::int32_t>(rng.UniformRange(0, 1000));
    }
    std::vector<RecordView> views;
    for (const Record& r : records) {
      RecordView& v = views.emplace_back();
      v.timestamp = r.timestamp;
      if (r.key) v.key = std::span<const std::uint8_t>(*r.key);
      if (r.value) v.value = std::span<const std::uint8_t>(*r.value);
      v.offset_delta = r.offset_delta;
    }
    BatchOptions options;
    options.base_offset = rng.UniformRange(0, 1LL << 40);
    options.partition_leader_epoch = static_cast<std::int32_t>(rng.UniformRange(-1, 1000));
    options.compression = static_cast<CompressionType>(rng.UniformRange(0, 4));
    options.producer_id = rng.Bernoulli(0.5) ? rng.UniformRange(0, 1LL << 50) : -1;
    options.producer_epoch = static_cast<std::int16_t>(rng.UniformRange(-1, 30000));
    options.base_sequence = static_cast<std::int32_t>(rng.UniformRange(-1, 1 << 30));
    options.transactional = rng.Bernoulli(0.2);
    if (rng.Bernoulli(0.2)) options.log_append_time = base_ts + 7;
    const Bytes from_views = BuildBatch(std::span<const RecordView>(views), options);
    CHECK(from_views == BuildBatch(records, options));
    Result<RecordBatch> decoded = DecodeBatch(from_views);
    REQUIRE(decoded.ok());
    CHECK(decoded->header.records_count == static_cast<std::int32_t>(records.size()));
    CHECK(decoded->records.back().offset_delta == static_cast<std::int32_t>(records.size() - 1));
  }
}

// Sets the codec bits of an encoded batch and fixes its CRC, so only the codec is wrong.
Bytes WithCodec(Bytes bytes, std::uint8_t codec) {
  bytes[22] = static_cast<std::uint8_t>((bytes[22] & ~kCompressionCodecMask) | codec);
  const std::uint32_t crc = Crc32c(std::span<const std::uint8_t>(bytes).subspan(21));
  bytes[17] = static_cast<std::uint8_t>(crc >> 24);
  bytes[18] = static_cast<std::uint8_t>(crc >> 16);
  bytes[19] = static_cast<std::uint8_t>(crc >> 8);
  bytes[20] = static_cast<std::uint8_t>(crc);
  return bytes;
}

TEST_CASE("record_batch: an unknown codec is unsupported and bad compressed data is corrupt") {
  const Bytes plain = EncodeBatch(GoldenBatch());
  const Bytes unknown = WithCodec(plain, 5);
  Result<RecordBatch> decoded = DecodeBatch(unknown);
  CHECK(decoded.status().code() == Errc::kUnsupportedCompressionType);
  CHECK(decoded.status().message() == "unsupported codec unknown(5) at byte 0");
  CHECK(CheckBatch(unknown).ok());  // the header itself is intact
  // Uncompressed records under the gzip bit: not a gzip stream.
  decoded = DecodeBatch(WithCodec(plain, 1), 100);
  CHECK(decoded.status().code() == Errc::kCorruptMessage);
  CHECK(decoded.status().message() == "bad gzip data: incorrect header check in batch at byte 100");
}

TEST_CASE("record_batch: a batch compressed with each codec decodes to the same records") {
  RecordBatch batch = GoldenBatch();
  for (int codec = 1; codec <= 4; ++codec) {
    CAPTURE(codec);
    RecordBatch compressed = batch;
    compressed.header.attributes = static_cast<std::uint16_t>(codec);
    const Bytes bytes = EncodeBatch(compressed);
    Result<RecordBatch> decoded = DecodeBatch(bytes);
    REQUIRE(decoded.ok());
    CHECK(decoded->header.compression_codec() == codec);
    CHECK(decoded->header.records_count == 2);
    CHECK(decoded->records == batch.records);
    CHECK(EncodeBatch(*decoded) == bytes);  // compression is deterministic
  }
}

TEST_CASE("record_batch: damaged bytes are reported with their position") {
  const Bytes golden = FromHex(kGoldenHex);
  Bytes flipped = golden;
  flipped[80] ^= 0x01;
  CHECK(DecodeBatch(flipped, 4096).status().message() ==
        "corrupt batch at byte 4096: stored crc 0x4469c88d, computed 0x" + [&] {
          char text[16];
          std::snprintf(text, sizeof text, "%08x",
                        Crc32c(std::span<const std::uint8_t>(flipped).subspan(21)));
          return std::string(text);
        }());
  const Bytes torn(golden.begin(), golden.begin() + 50);
  CHECK(CheckBatch(torn).status().message() ==
        "partial batch at byte 0: batchLength 79 needs 91 bytes, 50 left");
  Bytes bad_magic = golden;
  bad_magic[16] = 1;
  CHECK(CheckBatch(bad_magic).status().message() ==
        "bad batch at byte 0: magic 1, only magic 2 is supported");
  // Every prefix and every single-byte change fails cleanly or decodes; none reads out of bounds.
  for (std::size_t n = 0; n < golden.size(); ++n) {
    CHECK_FALSE(DecodeBatch(std::span<const std::uint8_t>(golden).first(n)).ok());
  }
}

// What VisitRecords hands over, copied out: (offset, timestamp, key, value, header count).
struct Visited {
  std::int64_t offset = 0;
  std::int64_t timestamp = 0;
  std::optional<Bytes> key;
  std::optional<Bytes> value;
  std::int32_t header_count = 0;
  bool operator==(const Visited&) const = default;
};

Result<std::vector<Visited>> Visit(std::span<const std::uint8_t> bytes) {
  std::vector<Visited> out;
  const auto copy = [](const std::optional<std::span<const std::uint8_t>>& span) {
    return span ? std::optional<Bytes>(Bytes(span->begin(), span->end())) : std::nullopt;
  };
  const Status s = VisitRecords(bytes, [&](const BatchHeader& h, const RecordView& r) {
    out.push_back(
        {h.base_offset + r.offset_delta, r.timestamp, copy(r.key), copy(r.value), r.header_count});
  });
  if (!s.ok()) return s;
  return out;
}

std::vector<Visited> Expected(const std::vector<RecordBatch>& batches) {
  std::vector<Visited> out;
  for (const RecordBatch& b : batches) {
    for (const Record& r : b.records) {
      out.push_back({b.header.base_offset + r.offset_delta, r.timestamp, r.key, r.value,
                     static_cast<std::int32_t>(r.headers.size())});
    }
  }
  return out;
}

TEST_CASE("record_batch: visiting records sees what decoding gives, and fails where it fails") {
  Rng rng(20261206);
  for (int round = 0; round < 300; ++round) {
    CAPTURE(round);
    // A buffer of 1-4 batches, some compressed, records with and without keys and headers.
    Bytes buffer;
    std::int64_t offset = rng.UniformRange(0, 1000);
    for (std::int64_t n = rng.UniformRange(1, 4); n > 0; --n) {
      std::vector<Record> records(static_cast<std::size_t>(rng.UniformRange(1, 8)));
      for (Record& r : records) {
        r.timestamp = 1700000000000 + rng.UniformRange(0, 100000);
        if (rng.Bernoulli(0.5)) r.key = RandomBytes(rng, 20);
        if (rng.Bernoulli(0.9)) r.value = RandomBytes(rng, 200);
        if (rng.Bernoulli(0.3)) r.headers.push_back({"h", RandomBytes(rng, 5)});
      }
      RecordBatch batch = MakeBatch(offset, 3, records);
      batch.header.attributes = static_cast<std::uint16_t>(rng.UniformRange(0, 4));  // codec
      offset += static_cast<std::int64_t>(records.size());
      const Bytes bytes = EncodeBatch(batch);
      buffer.insert(buffer.end(), bytes.begin(), bytes.end());
    }
    const Result<std::vector<RecordBatch>> decoded = DecodeBatches(buffer);
    REQUIRE(decoded.ok());
    const Result<std::vector<Visited>> visited = Visit(buffer);
    REQUIRE(visited.ok());
    CHECK(*visited == Expected(*decoded));
    // A damaged copy: both fail with the same error, or both succeed alike.
    Bytes damaged = buffer;
    if (rng.Bernoulli(0.5)) {
      damaged.resize(static_cast<std::size_t>(
          rng.UniformRange(0, static_cast<std::int64_t>(buffer.size()) - 1)));
    } else {
      damaged[static_cast<std::size_t>(rng.Uniform(buffer.size()))] ^= 0x10;
    }
    const Result<std::vector<RecordBatch>> decoded_damaged = DecodeBatches(damaged);
    const Result<std::vector<Visited>> visited_damaged = Visit(damaged);
    REQUIRE(decoded_damaged.ok() == visited_damaged.ok());
    if (decoded_damaged.ok()) {
      CHECK(*visited_damaged == Expected(*decoded_damaged));
    } else {
      CHECK(visited_damaged.status().code() == decoded_damaged.status().code());
      CHECK(visited_damaged.status().message() == decoded_damaged.status().message());
    }
  }
}

}  // namespace
}  // namespace kafkasim::storage
