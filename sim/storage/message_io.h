// The field encodings of Kafka's generated message classes in their flexible versions
// (clients/.../common/protocol/types/Type.java, ByteBufferAccessor): compact strings and
// arrays (length + 1 as an unsigned varint, 0 for null), 16-byte uuids and the tagged-field
// section that ends every struct. Used for the records Kafka stores in logs: metadata records,
// KRaft control records.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "storage/byte_io.h"
#include "storage/uuid.h"

namespace kafkasim::storage {

inline void WriteCompactString(ByteWriter& w, std::string_view s) {
  w.UnsignedVarint(s.size() + 1);
  w.Raw({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
}
inline void WriteCompactNullableString(ByteWriter& w, const std::optional<std::string>& s) {
  if (!s) {
    w.UnsignedVarint(0);
    return;
  }
  WriteCompactString(w, *s);
}
// The length of a compact array that follows; nullopt writes a null array.
inline void WriteCompactArrayLength(ByteWriter& w, std::optional<std::size_t> n) {
  w.UnsignedVarint(n ? *n + 1 : 0);
}
inline void WriteUuid(ByteWriter& w, const Uuid& id) {
  w.BigEndian(id.high, 8);
  w.BigEndian(id.low, 8);
}
inline void WriteNoTaggedFields(ByteWriter& w) { w.UnsignedVarint(0); }

// Reads on a ByteReader; each returns nullopt on short or malformed input (and the reader
// stays failed).
inline std::optional<std::string> ReadCompactString(ByteReader& r) {
  std::optional<std::uint64_t> n = r.UnsignedVarint(5);
  if (!n || *n == 0) return std::nullopt;  // a null where a string must be
  std::optional<std::span<const std::uint8_t>> bytes = r.Raw(static_cast<std::size_t>(*n - 1));
  if (!bytes) return std::nullopt;
  return std::string(bytes->begin(), bytes->end());
}
// The outer optional is failure; the inner one a null string.
inline std::optional<std::optional<std::string>> ReadCompactNullableString(ByteReader& r) {
  std::optional<std::uint64_t> n = r.UnsignedVarint(5);
  if (!n) return std::nullopt;
  if (*n == 0) return std::optional<std::string>();
  std::optional<std::span<const std::uint8_t>> bytes = r.Raw(static_cast<std::size_t>(*n - 1));
  if (!bytes) return std::nullopt;
  return std::optional<std::string>(std::string(bytes->begin(), bytes->end()));
}
// A compact array's element count: -1 for null. Fails for a count larger than the bytes left
// (every element takes at least one byte), so a hostile length cannot make a reader allocate.
inline std::optional<std::int64_t> ReadCompactArrayLength(ByteReader& r) {
  std::optional<std::uint64_t> n = r.UnsignedVarint(5);
  if (!n) return std::nullopt;
  if (*n == 0) return -1;
  if (*n - 1 > r.remaining()) return std::nullopt;
  return static_cast<std::int64_t>(*n - 1);
}
inline std::optional<Uuid> ReadUuid(ByteReader& r) {
  std::optional<std::uint64_t> high = r.BigEndian(8);
  std::optional<std::uint64_t> low = r.BigEndian(8);
  if (!high || !low) return std::nullopt;
  return Uuid{*high, *low};
}
// The tagged-field section: calls on_field(tag, bytes) for each field in order; false when the
// section is malformed or on_field refuses a field.
inline bool ReadTaggedFields(
    ByteReader& r,
    const std::function<bool(std::uint32_t, std::span<const std::uint8_t>)>& on_field) {
  std::optional<std::uint64_t> count = r.UnsignedVarint(5);
  if (!count) return false;
  for (std::uint64_t i = 0; i < *count; ++i) {
    std::optional<std::uint64_t> tag = r.UnsignedVarint(5);
    std::optional<std::uint64_t> size = r.UnsignedVarint(5);
    if (!tag || !size || *tag > 0xffffffffULL) return false;
    std::optional<std::span<const std::uint8_t>> bytes = r.Raw(static_cast<std::size_t>(*size));
    if (!bytes || !on_field(static_cast<std::uint32_t>(*tag), *bytes)) return false;
  }
  return true;
}
// Skips the tagged-field section of a struct whose tags the reader does not know (Kafka keeps
// them as unknown tagged fields).
inline bool SkipTaggedFields(ByteReader& r) {
  return ReadTaggedFields(r, [](std::uint32_t, std::span<const std::uint8_t>) { return true; });
}

}  // namespace kafkasim::storage
