// Kafka's record batch compression codecs (attributes bits 0-2): the framing each codec's bytes
// have inside a batch, as Kafka's producer writes them (clients/.../common/compress/*.java).
//   gzip:   a gzip member (RFC 1952) over a raw deflate stream, level 6 (java.util.zip.Deflater's
//           default), as GZIPOutputStream writes it.
//   snappy: snappy-java's SnappyOutputStream framing (not the snappy "framing format"): a
//           16-byte header (0x82 "SNAPPY" 0x00, version 1, compatible version 1, big-endian),
//           then per 32 KiB of input a big-endian int32 length and a raw snappy block.
//   lz4:    the LZ4 frame format as Kafka's Lz4BlockOutputStream writes it: magic, FLG 0x60
//           (version 1, independent blocks, no checksums, no content size), BD 0x40 (64 KiB
//           blocks), header checksum, blocks (high bit set: stored uncompressed), end mark 0.
//   zstd:   one zstd frame, level 3, written as a stream (no content size, no checksum), as
//           zstd-jni's ZstdOutputStream does.
// Decompression never trusts the input: every codec's output is bounded by max_output.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"

namespace kafkasim::storage {

using Bytes = std::vector<std::uint8_t>;

// Kafka's CompressionType ids, as stored in a batch's attributes.
enum class CompressionType : std::uint8_t {
  kNone = 0,
  kGzip = 1,
  kSnappy = 2,
  kLz4 = 3,
  kZstd = 4
};

// "none", "gzip", "snappy", "lz4", "zstd" as kafka-dump-log prints them; "unknown(5)" otherwise.
std::string CompressionName(int codec);
// The producer's compression.type values ("none", "gzip", "snappy", "lz4", "zstd"); nullopt for
// anything else.
std::optional<CompressionType> CompressionTypeFromName(std::string_view name);

// The most a batch's records may take once decompressed. Kafka sets no such limit; the
// simulator's producer never builds batches near it (batch.size is 16 KiB, max.request.size
// 1 MiB), and it keeps a hostile batch from making the decoder allocate without bound.
constexpr std::size_t kMaxDecompressedBatchBytes = std::size_t{32} << 20;

// Compresses `input` as Kafka's producer does for `type` (kNone: a copy).
Bytes Compress(CompressionType type, std::span<const std::uint8_t> input);

// Decompresses a batch's records section. kCorruptMessage when the bytes are not a whole,
// valid stream of the codec or would decompress to more than max_output bytes (the message
// names the codec and what is wrong). Never reads outside `input`.
Result<Bytes> Decompress(CompressionType type, std::span<const std::uint8_t> input,
                         std::size_t max_output = kMaxDecompressedBatchBytes);

}  // namespace kafkasim::storage
