// Big-endian integers and Kafka's zigzag varints: a growing writer and a bounds-checked reader
// that reports failure instead of reading past its input.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace kafkasim::storage {

inline constexpr bool kLittleEndianHost = std::endian::native == std::endian::little;

// Big-endian loads from a buffer the caller has bounds-checked.
inline std::uint64_t LoadBigEndian(std::span<const std::uint8_t> in, std::size_t at, int bytes) {
  // The widths of Kafka's fixed fields as one load and a byte swap (the width is a constant at
  // every call, so the switch folds away); the loop for any other width.
  switch (bytes) {
    case 8: {
      std::uint64_t v;
      std::memcpy(&v, in.data() + at, 8);
      return kLittleEndianHost ? __builtin_bswap64(v) : v;
    }
    case 4: {
      std::uint32_t v;
      std::memcpy(&v, in.data() + at, 4);
      return kLittleEndianHost ? __builtin_bswap32(v) : v;
    }
    case 2: {
      std::uint16_t v;
      std::memcpy(&v, in.data() + at, 2);
      return kLittleEndianHost ? __builtin_bswap16(v) : v;
    }
    default: {
      std::uint64_t v = 0;
      for (int i = 0; i < bytes; ++i) v = (v << 8) | in[at + static_cast<std::size_t>(i)];
      return v;
    }
  }
}
inline void StoreBigEndian(std::span<std::uint8_t> out, std::size_t at, std::uint64_t v,
                           int bytes) {
  switch (bytes) {
    case 8: {
      const std::uint64_t be = kLittleEndianHost ? __builtin_bswap64(v) : v;
      std::memcpy(out.data() + at, &be, 8);
      return;
    }
    case 4: {
      const auto narrow = static_cast<std::uint32_t>(v);
      const std::uint32_t be = kLittleEndianHost ? __builtin_bswap32(narrow) : narrow;
      std::memcpy(out.data() + at, &be, 4);
      return;
    }
    default:
      for (int i = 0; i < bytes; ++i) {
        out[at + static_cast<std::size_t>(i)] =
            static_cast<std::uint8_t>(v >> (8 * (bytes - 1 - i)));
      }
  }
}

class ByteWriter {
 public:
  explicit ByteWriter(std::vector<std::uint8_t>& out) : out_(out) {}

  void U8(std::uint8_t v) { out_.push_back(v); }
  void BigEndian(std::uint64_t v, int bytes) {
    const std::size_t at = out_.size();
    out_.resize(at + static_cast<std::size_t>(bytes));
    StoreBigEndian(out_, at, v, bytes);
  }
  void I16(std::int16_t v) { BigEndian(static_cast<std::uint16_t>(v), 2); }
  void I32(std::int32_t v) { BigEndian(static_cast<std::uint32_t>(v), 4); }
  void U32(std::uint32_t v) { BigEndian(v, 4); }
  void I64(std::int64_t v) { BigEndian(static_cast<std::uint64_t>(v), 8); }
  // Unsigned LEB128, low 7 bits first.
  void UnsignedVarint(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<std::uint8_t>(v | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<std::uint8_t>(v));
  }
  // Zigzag then LEB128: 0 -> 00, -1 -> 01, 1 -> 02.
  void Varint(std::int32_t v) {
    UnsignedVarint((static_cast<std::uint32_t>(v) << 1) ^ static_cast<std::uint32_t>(v >> 31));
  }
  void Varlong(std::int64_t v) {
    UnsignedVarint((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
  }
  void Raw(std::span<const std::uint8_t> bytes) {
    out_.insert(out_.end(), bytes.begin(), bytes.end());
  }
  std::size_t size() const { return out_.size(); }

 private:
  std::vector<std::uint8_t>& out_;
};

// Each getter returns nullopt (and stays failed) when the input is too short or a varint is
// malformed; callers check ok() or the optional.
class ByteReader {
 public:
  explicit ByteReader(std::span<const std::uint8_t> in) : in_(in) {}

  std::size_t position() const { return pos_; }
  std::size_t remaining() const { return in_.size() - pos_; }
  bool ok() const { return ok_; }

  std::optional<std::uint64_t> BigEndian(int bytes) {
    if (!ok_ || remaining() < static_cast<std::size_t>(bytes)) return Fail<std::uint64_t>();
    const std::uint64_t v = LoadBigEndian(in_, pos_, bytes);
    pos_ += static_cast<std::size_t>(bytes);
    return v;
  }
  std::optional<std::int8_t> I8() {
    auto v = BigEndian(1);
    if (!v) return std::nullopt;
    return static_cast<std::int8_t>(static_cast<std::uint8_t>(*v));
  }
  std::optional<std::int16_t> I16() {
    auto v = BigEndian(2);
    if (!v) return std::nullopt;
    return static_cast<std::int16_t>(static_cast<std::uint16_t>(*v));
  }
  std::optional<std::int32_t> I32() {
    auto v = BigEndian(4);
    if (!v) return std::nullopt;
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(*v));
  }
  std::optional<std::uint32_t> U32() {
    auto v = BigEndian(4);
    if (!v) return std::nullopt;
    return static_cast<std::uint32_t>(*v);
  }
  std::optional<std::int64_t> I64() {
    auto v = BigEndian(8);
    if (!v) return std::nullopt;
    return static_cast<std::int64_t>(*v);
  }
  // At most max_bytes groups of 7 bits (5 for a varint, 10 for a varlong).
  std::optional<std::uint64_t> UnsignedVarint(int max_bytes) {
    std::uint64_t v = 0;
    for (int i = 0; i < max_bytes; ++i) {
      if (!ok_ || remaining() == 0) return Fail<std::uint64_t>();
      const std::uint8_t b = in_[pos_++];
      v |= static_cast<std::uint64_t>(b & 0x7f) << (7 * i);
      if ((b & 0x80) == 0) return v;
    }
    return Fail<std::uint64_t>();
  }
  std::optional<std::int32_t> Varint() {
    auto raw = UnsignedVarint(5);
    if (!raw || *raw > 0xffffffffULL) return Fail<std::int32_t>();
    const auto u = static_cast<std::uint32_t>(*raw);
    return static_cast<std::int32_t>((u >> 1) ^ (~(u & 1) + 1));
  }
  std::optional<std::int64_t> Varlong() {
    auto raw = UnsignedVarint(10);
    if (!raw) return std::nullopt;
    return static_cast<std::int64_t>((*raw >> 1) ^ (~(*raw & 1) + 1));
  }
  std::optional<std::span<const std::uint8_t>> Raw(std::size_t n) {
    if (!ok_ || remaining() < n) return Fail<std::span<const std::uint8_t>>();
    auto out = in_.subspan(pos_, n);
    pos_ += n;
    return out;
  }

 private:
  template <typename T>
  std::optional<T> Fail() {
    ok_ = false;
    return std::nullopt;
  }

  std::span<const std::uint8_t> in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace kafkasim::storage
