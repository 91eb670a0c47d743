// The four codecs over Debian's libraries (zlib, libsnappy, liblz4, libzstd), each framed as
// Kafka's producer frames it. Decoders grow their output only up to the caller's bound.
#include "storage/compression.h"

#define ZLIB_CONST
#include <lz4.h>
#include <lz4frame.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <memory>

#include "engine/assert.h"

namespace kafkasim::storage {
namespace {

Status Corrupt(std::string_view codec, std::string what) {
  return {Errc::kCorruptMessage, "bad " + std::string(codec) + " data: " + std::move(what)};
}

Status TooLarge(std::string_view codec, std::size_t max_output) {
  return Corrupt(codec, "decompresses to more than " + std::to_string(max_output) + " bytes");
}

void PutU32Le(Bytes& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void PutU32Be(Bytes& out, std::uint32_t v) {
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
std::uint32_t GetU32Le(std::span<const std::uint8_t> in) {
  return std::uint32_t{in[0]} | std::uint32_t{in[1]} << 8 | std::uint32_t{in[2]} << 16 |
         std::uint32_t{in[3]} << 24;
}
std::uint32_t GetU32Be(std::span<const std::uint8_t> in) {
  return std::uint32_t{in[0]} << 24 | std::uint32_t{in[1]} << 16 | std::uint32_t{in[2]} << 8 |
         std::uint32_t{in[3]};
}

// The next size for a growing output buffer: doubling, at most one byte past the bound (so
// that output beyond the bound is seen rather than silently cut).
std::size_t Grow(std::size_t size, std::size_t max_output) {
  return std::min(std::max<std::size_t>(size * 2, 4096), max_output + 1);
}

// --- gzip (java.util.zip.GZIPOutputStream over Deflater(level 6, nowrap)) ---

// GZIPOutputStream's header: no name, no mtime, OS 255 "unknown" (JDK 16+, JDK-8244706).
constexpr std::array<std::uint8_t, 10> kGzipHeader = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff};

Bytes GzipCompress(std::span<const std::uint8_t> input) {
  z_stream z{};
  // Deflater(DEFAULT_COMPRESSION = level 6, nowrap = true): raw deflate, 32 KiB window,
  // memLevel 8 (DEF_MEM_LEVEL), as the JDK's Deflater.c initializes zlib.
  const int init = deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
  KSIM_ASSERT_EQ(init, Z_OK);
  Bytes out(kGzipHeader.begin(), kGzipHeader.end());
  const std::size_t header = out.size();
  out.resize(header + deflateBound(&z, static_cast<uLong>(input.size())));
  z.next_in = input.data();
  z.avail_in = static_cast<uInt>(input.size());
  z.next_out = out.data() + header;
  z.avail_out = static_cast<uInt>(out.size() - header);
  const int done = deflate(&z, Z_FINISH);
  KSIM_ASSERT_EQ(done, Z_STREAM_END);
  out.resize(header + z.total_out);
  deflateEnd(&z);
  const uLong crc = crc32(0, input.data(), static_cast<uInt>(input.size()));
  PutU32Le(out, static_cast<std::uint32_t>(crc));
  PutU32Le(out, static_cast<std::uint32_t>(input.size()));
  return out;
}

Result<Bytes> GzipDecompress(std::span<const std::uint8_t> input, std::size_t max_output) {
  z_stream z{};
  // 16 + 15: a gzip wrapper (header, CRC-32 and size checked by zlib) around a 32 KiB window.
  if (inflateInit2(&z, 16 + 15) != Z_OK) return Corrupt("gzip", "cannot start inflate");
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&z, inflateEnd);
  Bytes out(std::min<std::size_t>(max_output + 1, std::max<std::size_t>(input.size() * 4, 4096)));
  z.next_in = input.data();
  z.avail_in = static_cast<uInt>(input.size());
  std::size_t produced = 0;
  for (;;) {
    if (produced == out.size()) {
      if (out.size() > max_output) return TooLarge("gzip", max_output);
      out.resize(Grow(out.size(), max_output));
    }
    z.next_out = out.data() + produced;
    z.avail_out = static_cast<uInt>(out.size() - produced);
    const int rc = inflate(&z, Z_NO_FLUSH);
    produced = out.size() - z.avail_out;
    if (produced > max_output) return TooLarge("gzip", max_output);
    if (rc == Z_STREAM_END) {
      if (z.avail_in == 0) break;
      // GZIPInputStream reads concatenated members.
      if (inflateReset(&z) != Z_OK) return Corrupt("gzip", "cannot restart inflate");
      continue;
    }
    if (rc == Z_BUF_ERROR && z.avail_in == 0) return Corrupt("gzip", "truncated stream");
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return Corrupt("gzip", z.msg != nullptr ? z.msg : "inflate error " + std::to_string(rc));
    }
  }
  out.resize(produced);
  return out;
}

// --- snappy (org.xerial.snappy.SnappyOutputStream) ---

constexpr std::array<std::uint8_t, 8> kSnappyMagic = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr std::size_t kSnappyHeaderSize = 16;        // magic, version, compatible version
constexpr std::size_t kSnappyBlockSize = 32 * 1024;  // SnappyOutputStream.DEFAULT_BLOCK_SIZE

bool StartsWithSnappyMagic(std::span<const std::uint8_t> in) {
  return in.size() >= kSnappyHeaderSize &&
         std::equal(kSnappyMagic.begin(), kSnappyMagic.end(), in.begin());
}

Bytes SnappyCompress(std::span<const std::uint8_t> input) {
  Bytes out(kSnappyMagic.begin(), kSnappyMagic.end());
  PutU32Be(out, 1);  // SnappyCodec.DEFAULT_VERSION
  PutU32Be(out, 1);  // SnappyCodec.MINIMUM_COMPATIBLE_VERSION
  for (std::size_t at = 0; at < input.size(); at += kSnappyBlockSize) {
    const std::size_t n = std::min(kSnappyBlockSize, input.size() - at);
    std::size_t length = snappy_max_compressed_length(n);
    const std::size_t chunk = out.size();
    out.resize(chunk + 4 + length);
    const snappy_status rc =
        snappy_compress(reinterpret_cast<const char*>(input.data() + at), n,
                        reinterpret_cast<char*>(out.data() + chunk + 4), &length);
    KSIM_ASSERT_EQ(static_cast<int>(rc), static_cast<int>(SNAPPY_OK));
    out.resize(chunk + 4 + length);
    for (int i = 0; i < 4; ++i) {
      out[chunk + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(length >> (24 - 8 * i));
    }
  }
  return out;
}

// One raw snappy block appended to `out`, which may hold at most max_output bytes.
Status SnappyBlock(std::span<const std::uint8_t> block, std::size_t max_output, Bytes& out) {
  const char* src = reinterpret_cast<const char*>(block.data());
  std::size_t length = 0;
  if (snappy_uncompressed_length(src, block.size(), &length) != SNAPPY_OK) {
    return Corrupt("snappy", "bad block length");
  }
  if (length > max_output - out.size()) return TooLarge("snappy", max_output);
  const std::size_t at = out.size();
  out.resize(at + length);
  if (snappy_uncompress(src, block.size(), reinterpret_cast<char*>(out.data() + at), &length) !=
          SNAPPY_OK ||
      at + length != out.size()) {
    return Corrupt("snappy", "bad block");
  }
  return Status::Ok();
}

Result<Bytes> SnappyDecompress(std::span<const std::uint8_t> input, std::size_t max_output) {
  Bytes out;
  // SnappyInputStream: without its header the input is one raw block (Snappy.compress).
  if (!StartsWithSnappyMagic(input)) {
    if (Status s = SnappyBlock(input, max_output, out); !s.ok()) return s;
    return out;
  }
  std::size_t at = 0;
  while (at < input.size()) {
    const auto rest = input.subspan(at);
    // Concatenated streams: another header where a chunk length would be.
    if (StartsWithSnappyMagic(rest)) {
      if (GetU32Be(rest.subspan(12)) > 1) {
        return Corrupt("snappy",
                       "incompatible stream version " + std::to_string(GetU32Be(rest.subspan(12))));
      }
      at += kSnappyHeaderSize;
      continue;
    }
    if (rest.size() < 4) return Corrupt("snappy", "truncated chunk length");
    const std::uint32_t length = GetU32Be(rest);
    if (length > rest.size() - 4) {
      return Corrupt("snappy", "chunk of " + std::to_string(length) + " bytes, " +
                                   std::to_string(rest.size() - 4) + " left");
    }
    if (Status s = SnappyBlock(rest.subspan(4, length), max_output, out); !s.ok()) return s;
    at += 4 + length;
  }
  return out;
}

// --- lz4 (Kafka's Lz4BlockOutputStream: the LZ4 frame format, 64 KiB independent blocks) ---

constexpr std::uint32_t kLz4Magic = 0x184D2204;
constexpr std::uint8_t kLz4Flg = 0x60;  // version 01, block independence, nothing else
constexpr std::uint8_t kLz4Bd = 0x40;   // block maximum size 64 KiB (BLOCKSIZE_64KB = 4)
// (xxHash32(FLG BD, seed 0) >> 8) & 0xFF, the frame descriptor checksum of these two bytes.
constexpr std::uint8_t kLz4HeaderChecksum = 0x82;
constexpr std::size_t kLz4BlockSize = 64 * 1024;
constexpr std::uint32_t kLz4Uncompressed = 0x80000000;  // LZ4_FRAME_INCOMPRESSIBLE_MASK

Bytes Lz4Compress(std::span<const std::uint8_t> input) {
  Bytes out;
  PutU32Le(out, kLz4Magic);
  out.push_back(kLz4Flg);
  out.push_back(kLz4Bd);
  out.push_back(kLz4HeaderChecksum);
  Bytes block(static_cast<std::size_t>(LZ4_compressBound(static_cast<int>(kLz4BlockSize))));
  for (std::size_t at = 0; at < input.size(); at += kLz4BlockSize) {
    const std::size_t n = std::min(kLz4BlockSize, input.size() - at);
    // The default level 9 uses lz4-java's fast compressor (Lz4BlockOutputStream), which is
    // LZ4_compress_default.
    const int c = LZ4_compress_default(reinterpret_cast<const char*>(input.data() + at),
                                       reinterpret_cast<char*>(block.data()), static_cast<int>(n),
                                       static_cast<int>(block.size()));
    const auto length = static_cast<std::size_t>(std::max(c, 0));
    if (c <= 0 || length >= n) {  // incompressible: stored as is
      PutU32Le(out, static_cast<std::uint32_t>(n) | kLz4Uncompressed);
      out.insert(out.end(), input.begin() + static_cast<std::ptrdiff_t>(at),
                 input.begin() + static_cast<std::ptrdiff_t>(at + n));
    } else {
      PutU32Le(out, static_cast<std::uint32_t>(length));
      out.insert(out.end(), block.begin(), block.begin() + static_cast<std::ptrdiff_t>(length));
    }
  }
  PutU32Le(out, 0);  // end mark; no content checksum
  return out;
}

Result<Bytes> Lz4Decompress(std::span<const std::uint8_t> input, std::size_t max_output) {
  if (input.size() < 4 || GetU32Le(input) != kLz4Magic) return Corrupt("lz4", "no frame magic");
  LZ4F_dctx* raw = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&raw, LZ4F_VERSION))) {
    return Corrupt("lz4", "cannot start decompression");
  }
  std::unique_ptr<LZ4F_dctx, LZ4F_errorCode_t (*)(LZ4F_dctx*)> dctx(raw,
                                                                    LZ4F_freeDecompressionContext);
  Bytes out(std::min<std::size_t>(max_output + 1, std::max<std::size_t>(input.size() * 4, 4096)));
  std::size_t produced = 0;
  std::size_t consumed = 0;
  std::size_t hint = 1;
  bool output_full = false;  // the last call filled the output: it may hold more to flush
  while (hint != 0) {
    if (consumed == input.size() && !output_full) return Corrupt("lz4", "truncated frame");
    if (produced == out.size()) {
      if (out.size() > max_output) return TooLarge("lz4", max_output);
      out.resize(Grow(out.size(), max_output));
    }
    std::size_t dst = out.size() - produced;
    std::size_t src = input.size() - consumed;
    hint = LZ4F_decompress(dctx.get(), out.data() + produced, &dst, input.data() + consumed, &src,
                           nullptr);
    if (LZ4F_isError(hint)) return Corrupt("lz4", LZ4F_getErrorName(hint));
    output_full = dst == out.size() - produced;
    produced += dst;
    consumed += src;
    if (produced > max_output) return TooLarge("lz4", max_output);
  }
  if (consumed != input.size()) {
    return Corrupt("lz4", std::to_string(input.size() - consumed) + " bytes after the frame");
  }
  out.resize(produced);
  return out;
}

// --- zstd (zstd-jni's ZstdOutputStream at Kafka's default level 3) ---

constexpr int kZstdLevel = 3;
// The largest window a frame may ask the decoder to allocate (2^25 = 32 MiB, the output bound).
constexpr int kZstdWindowLogMax = 25;

Bytes ZstdCompress(std::span<const std::uint8_t> input) {
  std::unique_ptr<ZSTD_CCtx, std::size_t (*)(ZSTD_CCtx*)> cctx(ZSTD_createCCtx(), ZSTD_freeCCtx);
  KSIM_ASSERT(cctx != nullptr);
  KSIM_ASSERT(
      !ZSTD_isError(ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel, kZstdLevel)));
  Bytes out(ZSTD_compressBound(input.size()) + ZSTD_CStreamOutSize());
  ZSTD_outBuffer o{out.data(), out.size(), 0};
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  // A stream (ZSTD_e_continue, then ZSTD_e_end at close) as the Java stream writes it, so the
  // frame header carries no content size.
  while (in.pos < in.size) {
    const std::size_t rc = ZSTD_compressStream2(cctx.get(), &o, &in, ZSTD_e_continue);
    KSIM_ASSERT(!ZSTD_isError(rc));
  }
  ZSTD_inBuffer none{nullptr, 0, 0};
  std::size_t remaining = 1;
  while (remaining != 0) {
    remaining = ZSTD_compressStream2(cctx.get(), &o, &none, ZSTD_e_end);
    KSIM_ASSERT(!ZSTD_isError(remaining));
    KSIM_ASSERT(remaining == 0 || o.pos < o.size);
  }
  out.resize(o.pos);
  return out;
}

Result<Bytes> ZstdDecompress(std::span<const std::uint8_t> input, std::size_t max_output) {
  std::unique_ptr<ZSTD_DCtx, std::size_t (*)(ZSTD_DCtx*)> dctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (dctx == nullptr) return Corrupt("zstd", "cannot start decompression");
  if (ZSTD_isError(ZSTD_DCtx_setParameter(dctx.get(), ZSTD_d_windowLogMax, kZstdWindowLogMax))) {
    return Corrupt("zstd", "cannot bound the window");
  }
  Bytes out(std::min<std::size_t>(max_output + 1, std::max<std::size_t>(input.size() * 4, 4096)));
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  std::size_t produced = 0;
  std::size_t rc = 1;
  // ZstdInputStream reads concatenated frames; a frame is complete when rc is 0.
  while (in.pos < in.size || rc != 0) {
    if (produced == out.size()) {
      if (out.size() > max_output) return TooLarge("zstd", max_output);
      out.resize(Grow(out.size(), max_output));
    }
    ZSTD_outBuffer o{out.data() + produced, out.size() - produced, 0};
    const std::size_t before = in.pos;
    rc = ZSTD_decompressStream(dctx.get(), &o, &in);
    if (ZSTD_isError(rc)) return Corrupt("zstd", ZSTD_getErrorName(rc));
    produced += o.pos;
    if (produced > max_output) return TooLarge("zstd", max_output);
    // No input left, the frame unfinished, and no room was the reason: truncated.
    if (rc != 0 && in.pos == in.size && o.pos < o.size && before == in.pos) {
      return Corrupt("zstd", "truncated frame");
    }
  }
  out.resize(produced);
  return out;
}

}  // namespace

std::string CompressionName(int codec) {
  switch (codec) {
    case 0:
      return "none";
    case 1:
      return "gzip";
    case 2:
      return "snappy";
    case 3:
      return "lz4";
    case 4:
      return "zstd";
    default:
      return "unknown(" + std::to_string(codec) + ")";
  }
}

std::optional<CompressionType> CompressionTypeFromName(std::string_view name) {
  for (int codec = 0; codec <= 4; ++codec) {
    if (name == CompressionName(codec)) return static_cast<CompressionType>(codec);
  }
  return std::nullopt;
}

Bytes Compress(CompressionType type, std::span<const std::uint8_t> input) {
  switch (type) {
    case CompressionType::kNone:
      return Bytes(input.begin(), input.end());
    case CompressionType::kGzip:
      return GzipCompress(input);
    case CompressionType::kSnappy:
      return SnappyCompress(input);
    case CompressionType::kLz4:
      return Lz4Compress(input);
    case CompressionType::kZstd:
      return ZstdCompress(input);
  }
  KSIM_ASSERT_MSG(false, "unknown compression type " + std::to_string(static_cast<int>(type)));
  return {};
}

Result<Bytes> Decompress(CompressionType type, std::span<const std::uint8_t> input,
                         std::size_t max_output) {
  switch (type) {
    case CompressionType::kNone:
      if (input.size() > max_output) return TooLarge("uncompressed", max_output);
      return Bytes(input.begin(), input.end());
    case CompressionType::kGzip:
      return GzipDecompress(input, max_output);
    case CompressionType::kSnappy:
      return SnappyDecompress(input, max_output);
    case CompressionType::kLz4:
      return Lz4Decompress(input, max_output);
    case CompressionType::kZstd:
      return ZstdDecompress(input, max_output);
  }
  return Status(Errc::kUnsupportedCompressionType,
                "unsupported codec " + CompressionName(static_cast<int>(type)));
}

}  // namespace kafkasim::storage
