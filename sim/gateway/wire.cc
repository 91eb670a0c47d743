// The Kafka wire protocol's primitive types; see wire.h.
#include "gateway/wire.h"

#include <fmt/format.h>

#include <limits>

namespace kafkasim::gateway {

void WireReader::Fail(std::string why) {
  if (failed_) return;
  failed_ = true;
  error_ = fmt::format("{} at byte {}", why, position_);
}

bool WireReader::Need(std::size_t n) {
  if (failed_) return false;
  if (bytes_.size() - position_ < n) {
    Fail(fmt::format("{} byte(s) needed, {} left", n, bytes_.size() - position_));
    return false;
  }
  return true;
}

std::int8_t WireReader::Int8() {
  if (!Need(1)) return 0;
  return static_cast<std::int8_t>(bytes_[position_++]);
}

std::int16_t WireReader::Int16() {
  if (!Need(2)) return 0;
  const auto v = static_cast<std::uint16_t>((bytes_[position_] << 8) | bytes_[position_ + 1]);
  position_ += 2;
  return static_cast<std::int16_t>(v);
}

std::int32_t WireReader::Int32() {
  if (!Need(4)) return 0;
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | bytes_[position_++];
  return static_cast<std::int32_t>(v);
}

std::int64_t WireReader::Int64() {
  if (!Need(8)) return 0;
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | bytes_[position_++];
  return static_cast<std::int64_t>(v);
}

std::uint32_t WireReader::UnsignedVarint() {
  // ByteUtils.readUnsignedVarint: at most 5 bytes for 32 bits.
  std::uint32_t value = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (!Need(1)) return 0;
    const std::uint8_t b = bytes_[position_++];
    if (shift == 28 && (b & 0xf0) != 0) {
      Fail("unsigned varint longer than 32 bits");
      return 0;
    }
    value |= static_cast<std::uint32_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return value;
  }
  Fail("unsigned varint longer than 5 bytes");
  return 0;
}

std::int32_t WireReader::Varint() {
  const std::uint32_t raw = UnsignedVarint();
  return static_cast<std::int32_t>((raw >> 1) ^ (~(raw & 1) + 1));
}

std::int64_t WireReader::Varlong() {
  std::uint64_t raw = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (!Need(1)) return 0;
    const std::uint8_t b = bytes_[position_++];
    if (shift == 63 && (b & 0xfe) != 0) {
      Fail("varlong longer than 64 bits");
      return 0;
    }
    raw |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return static_cast<std::int64_t>((raw >> 1) ^ (~(raw & 1) + 1));
  }
  Fail("varlong longer than 10 bytes");
  return 0;
}

std::optional<std::string> WireReader::NullableString(bool compact) {
  std::int64_t length = 0;
  if (compact) {
    length = static_cast<std::int64_t>(UnsignedVarint()) - 1;
  } else {
    length = Int16();
  }
  if (failed_) return std::nullopt;
  if (length < -1) {
    Fail(fmt::format("string length {}", length));
    return std::nullopt;
  }
  if (length == -1) return std::nullopt;
  if (!Need(static_cast<std::size_t>(length))) return std::nullopt;
  std::string s(reinterpret_cast<const char*>(bytes_.data() + position_),
                static_cast<std::size_t>(length));
  position_ += static_cast<std::size_t>(length);
  return s;
}

std::string WireReader::String(bool compact) {
  std::optional<std::string> s = NullableString(compact);
  if (!s && !failed_) Fail("null where a string is required");
  return s.value_or("");
}

std::optional<std::vector<std::uint8_t>> WireReader::NullableBytes(bool compact) {
  std::int64_t length = 0;
  if (compact) {
    length = static_cast<std::int64_t>(UnsignedVarint()) - 1;
  } else {
    length = Int32();
  }
  if (failed_) return std::nullopt;
  if (length < -1) {
    Fail(fmt::format("bytes length {}", length));
    return std::nullopt;
  }
  if (length == -1) return std::nullopt;
  if (!Need(static_cast<std::size_t>(length))) return std::nullopt;
  const auto begin = bytes_.begin() + static_cast<std::ptrdiff_t>(position_);
  std::vector<std::uint8_t> b(begin, begin + static_cast<std::ptrdiff_t>(length));
  position_ += static_cast<std::size_t>(length);
  return b;
}

std::int32_t WireReader::ArrayLength(bool compact) {
  std::int64_t count = 0;
  if (compact) {
    count = static_cast<std::int64_t>(UnsignedVarint()) - 1;
  } else {
    count = Int32();
  }
  if (failed_) return 0;
  if (count < -1) {
    Fail(fmt::format("array length {}", count));
    return 0;
  }
  if (count > static_cast<std::int64_t>(remaining())) {
    Fail(fmt::format("array of {} elements in {} bytes", count, remaining()));
    return 0;
  }
  return static_cast<std::int32_t>(count);
}

void WireReader::SkipTaggedFields() {
  const std::uint32_t count = UnsignedVarint();
  for (std::uint32_t i = 0; i < count && !failed_; ++i) {
    UnsignedVarint();  // the tag
    const std::uint32_t size = UnsignedVarint();
    if (Need(size)) position_ += size;
  }
}

void WireWriter::Int8(std::int8_t v) { bytes_.push_back(static_cast<std::uint8_t>(v)); }

void WireWriter::Int16(std::int16_t v) {
  const auto u = static_cast<std::uint16_t>(v);
  bytes_.push_back(static_cast<std::uint8_t>(u >> 8));
  bytes_.push_back(static_cast<std::uint8_t>(u));
}

void WireWriter::Int32(std::int32_t v) {
  const auto u = static_cast<std::uint32_t>(v);
  for (int shift = 24; shift >= 0; shift -= 8)
    bytes_.push_back(static_cast<std::uint8_t>(u >> shift));
}

void WireWriter::Int64(std::int64_t v) {
  const auto u = static_cast<std::uint64_t>(v);
  for (int shift = 56; shift >= 0; shift -= 8)
    bytes_.push_back(static_cast<std::uint8_t>(u >> shift));
}

void WireWriter::UnsignedVarint(std::uint32_t v) {
  while ((v & ~0x7fu) != 0) {
    bytes_.push_back(static_cast<std::uint8_t>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  bytes_.push_back(static_cast<std::uint8_t>(v));
}

void WireWriter::Varint(std::int32_t v) {
  const auto u = static_cast<std::uint32_t>(v);
  UnsignedVarint((u << 1) ^ static_cast<std::uint32_t>(v >> 31));
}

void WireWriter::NullableString(const std::optional<std::string>& s, bool compact) {
  if (!s) {
    if (compact) {
      UnsignedVarint(0);
    } else {
      Int16(-1);
    }
    return;
  }
  if (compact) {
    UnsignedVarint(static_cast<std::uint32_t>(s->size() + 1));
  } else {
    Int16(static_cast<std::int16_t>(s->size()));
  }
  bytes_.insert(bytes_.end(), s->begin(), s->end());
}

void WireWriter::Bytes(std::span<const std::uint8_t> b, bool compact) {
  if (compact) {
    UnsignedVarint(static_cast<std::uint32_t>(b.size() + 1));
  } else {
    Int32(static_cast<std::int32_t>(b.size()));
  }
  bytes_.insert(bytes_.end(), b.begin(), b.end());
}

void WireWriter::NullableBytes(const std::optional<std::vector<std::uint8_t>>& b, bool compact) {
  if (b) return Bytes(*b, compact);
  if (compact) {
    UnsignedVarint(0);
  } else {
    Int32(-1);
  }
}

void WireWriter::ArrayLength(std::int32_t count, bool compact) {
  if (compact) {
    UnsignedVarint(static_cast<std::uint32_t>(count + 1));
  } else {
    Int32(count);
  }
}

void WireWriter::PatchSize(std::size_t at) {
  const auto size = static_cast<std::uint32_t>(bytes_.size() - at - 4);
  for (int i = 0; i < 4; ++i) {
    bytes_[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(size >> (24 - 8 * i));
  }
}

}  // namespace kafkasim::gateway
