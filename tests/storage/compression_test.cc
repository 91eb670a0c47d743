// The batch codecs: round trips, the framing Kafka's producer writes, batches compressed by
// another Kafka client (kafka-python), and bounded, clean failure on hostile input.
#include "storage/compression.h"

#include <doctest/doctest.h>

#include "engine/prng.h"
#include "storage/record_batch.h"
#include "test_util.h"

namespace kafkasim::storage {
namespace {

using testing::FromHex;
using testing::ToHex;

constexpr CompressionType kCodecs[] = {CompressionType::kGzip, CompressionType::kSnappy,
                                       CompressionType::kLz4, CompressionType::kZstd};

Bytes B(const std::string& s) { return {s.begin(), s.end()}; }

// Compressible text and random bytes, across the codecs' block sizes (32 and 64 KiB).
std::vector<Bytes> Inputs() {
  Rng rng(5);
  std::vector<Bytes> inputs = {{}, B("a"), B("hello hello hello hello")};
  for (std::size_t n :
       {std::size_t{1000}, std::size_t{32768}, std::size_t{65537}, std::size_t{200000}}) {
    Bytes text(n);
    for (std::size_t i = 0; i < n; ++i) text[i] = static_cast<std::uint8_t>("kafka "[i % 6]);
    inputs.push_back(text);
    Bytes noise(n);
    for (auto& b : noise) b = static_cast<std::uint8_t>(rng.NextU64());
    inputs.push_back(noise);
  }
  return inputs;
}

TEST_CASE("compression: every codec gives back what it was given") {
  for (CompressionType codec : kCodecs) {
    for (const Bytes& input : Inputs()) {
      CAPTURE(CompressionName(static_cast<int>(codec)));
      CAPTURE(input.size());
      const Bytes compressed = Compress(codec, input);
      Result<Bytes> plain = Decompress(codec, compressed);
      REQUIRE(plain.ok());
      CHECK(*plain == input);
      if (input.size() == 200000 && input[1] == 'a') CHECK(compressed.size() < input.size() / 10);
    }
  }
}

TEST_CASE("compression: names are the producer's compression.type values") {
  CHECK(CompressionTypeFromName("none") == CompressionType::kNone);
  CHECK(CompressionTypeFromName("zstd") == CompressionType::kZstd);
  CHECK_FALSE(CompressionTypeFromName("uncompressed").has_value());  // a topic value only
  CHECK_FALSE(CompressionTypeFromName("GZIP").has_value());
  CHECK(CompressionName(7) == "unknown(7)");
}

TEST_CASE("compression: the framing is the one Kafka's producer writes") {
  const Bytes input = B("hello hello hello hello");
  // GZIPOutputStream: magic, deflate, no flags, no mtime, no extra flags, OS 255; then the
  // CRC-32 and the length, little-endian.
  const Bytes gzip = Compress(CompressionType::kGzip, input);
  CHECK(ToHex(std::span(gzip).first(10)) == "1f8b08000000000000ff");
  CHECK(ToHex(std::span(gzip).last(4)) == "17000000");
  // snappy-java's SnappyOutputStream header: 0x82 "SNAPPY" 0, version 1, compatible 1.
  const Bytes snappy = Compress(CompressionType::kSnappy, input);
  CHECK(ToHex(std::span(snappy).first(16)) == "82534e41505059000000000100000001");
  // Lz4BlockOutputStream: magic 0x184D2204 little-endian, FLG 0x60, BD 0x40, checksum 0x82;
  // an end mark of 0 and no content checksum.
  const Bytes lz4 = Compress(CompressionType::kLz4, input);
  CHECK(ToHex(std::span(lz4).first(7)) == "04224d18604082");
  CHECK(ToHex(std::span(lz4).last(4)) == "00000000");
  // A zstd frame written as a stream: magic, and a frame header without a content size
  // (Frame_Header_Descriptor 0x00: no single segment, no checksum, no size field).
  const Bytes zstd = Compress(CompressionType::kZstd, input);
  CHECK(ToHex(std::span(zstd).first(5)) == "28b52ffd00");
  // An incompressible LZ4 block is stored as is, with the high bit of its length set.
  const Bytes one = Compress(CompressionType::kLz4, B("x"));
  CHECK(ToHex(one) ==
        "04224d18604082"
        "01000080"
        "78"
        "00000000");
}

// Batches written by kafka-python 2.0.2 (Debian python3-kafka: DefaultRecordBatchBuilder with
// compression_type 1-4) holding the golden batch's records with longer values. Its snappy is
// xerial-framed over the same libsnappy; its gzip has an mtime; its lz4 frame carries a
// content size; its zstd frame a content size.
const char* const kKafkaPythonBatches[] = {
    // gzip
    "00000000000000000000006900000000022026d4b80001000000010000018bcfe568000000018bcf"
    "e56805ffffffffffffffffffffffffffff000000021f8b08005d31116b02ffcb63606060c9368ccb"
    "48cdc9c957209a642862e062628c2bcf2fca4951209a6462ca602a0300efbfacbd72000000",
    // snappy
    "00000000000000000000006f0000000002a27959920002000000010000018bcfe568000000018bcf"
    "e56805ffffffffffffffffffffffffffff0000000282534e41505059000000000100000001000000"
    "2a72346e000000046b315e68656c6c6f20a20600300072000a02015e776f726c6420a20600100202"
    "680276",
    // lz4
    "0000000000000000000000710000000002a8f789c20003000000010000018bcfe568000000018bcf"
    "e56805ffffffffffffffffffffffffffff0000000204224d1868407200000000000000ce29000000"
    "ef6e000000046b315e68656c6c6f20060016df0072000a02015e776f726c64200600165002026802"
    "7600000000",
    // zstd
    "0000000000000000000000630000000002652181fb0004000000010000018bcfe568000000018bcf"
    "e56805ffffffffffffffffffffffffffff0000000228b52ffd20724d010004026e000000046b315e"
    "68656c6c6f200072000a02015e776f726c64200202680276020000f4095494",
};

std::vector<Record> KafkaPythonRecords() {
  Record first;
  first.timestamp = 1700000000000;
  first.key = B("k1");
  first.value = B("hello hello hello hello hello hello hello hello");
  Record second;
  second.timestamp = 1700000000005;
  second.offset_delta = 1;
  second.value = B("world world world world world world world world");
  second.headers.push_back({"h", B("v")});
  return {first, second};
}

TEST_CASE("compression: batches compressed by kafka-python decode to their records") {
  for (int codec = 1; codec <= 4; ++codec) {
    CAPTURE(codec);
    const Bytes bytes = FromHex(kKafkaPythonBatches[codec - 1]);
    Result<RecordBatch> batch = DecodeBatch(bytes);
    REQUIRE(batch.ok());
    CHECK(batch->header.compression_codec() == codec);
    CHECK(batch->records == KafkaPythonRecords());
  }
}

TEST_CASE("compression: a snappy batch is byte for byte the one kafka-python writes") {
  BatchOptions options;
  options.compression = CompressionType::kSnappy;
  options.partition_leader_epoch = 0;  // kafka-python writes 0 where the Java producer puts -1
  CHECK(ToHex(BuildBatch(KafkaPythonRecords(), options)) == std::string(kKafkaPythonBatches[1]));
}

TEST_CASE("compression: damaged or truncated input fails cleanly for every codec") {
  const Bytes input = Inputs()[5];  // 1000 bytes of noise
  for (CompressionType codec : kCodecs) {
    CAPTURE(CompressionName(static_cast<int>(codec)));
    const Bytes compressed = Compress(codec, input);
    for (std::size_t n = 0; n < compressed.size(); n += 7) {
      Result<Bytes> cut = Decompress(codec, std::span(compressed).first(n));
      // A cut at a block boundary of a stream may still decode, to a prefix: never to more.
      if (cut.ok()) CHECK(cut->size() < input.size());
    }
    Bytes flipped = compressed;
    for (std::size_t i = 0; i < flipped.size(); i += 3) {
      flipped[i] ^= 0x5a;
      Result<Bytes> out = Decompress(codec, flipped);
      if (out.ok()) CHECK(out->size() <= kMaxDecompressedBatchBytes);
      flipped[i] ^= 0x5a;
    }
    CHECK(Decompress(codec, compressed).ok());
  }
}

TEST_CASE("compression: output beyond the bound is refused, not allocated") {
  const Bytes zeros(1 << 20, 0);
  for (CompressionType codec : kCodecs) {
    CAPTURE(CompressionName(static_cast<int>(codec)));
    const Bytes bomb = Compress(codec, zeros);
    Result<Bytes> out = Decompress(codec, bomb, 4096);
    REQUIRE_FALSE(out.ok());
    CHECK(out.status().code() == Errc::kCorruptMessage);
    CHECK(out.status().message() == "bad " + CompressionName(static_cast<int>(codec)) +
                                        " data: decompresses to more than 4096 bytes");
    CHECK(Decompress(codec, bomb, zeros.size()).ok());
  }
}

}  // namespace
}  // namespace kafkasim::storage
