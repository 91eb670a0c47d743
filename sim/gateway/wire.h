// The Kafka wire protocol's primitive types (clients/src/main/java/org/apache/kafka/common/
// protocol/types and ByteBufferAccessor): big-endian integers, unsigned varints, zigzag varints,
// classic and compact strings, bytes and arrays, tagged-field sections. Pure: no sockets.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace kafkasim::gateway {

// Reads from a byte span. A read past the end, a negative length where none is allowed or a
// varint longer than its type sets failed() and every later read returns zero/empty: callers
// decode a whole structure, then check failed() once (network bytes are user input).
class WireReader {
 public:
  explicit WireReader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

  bool failed() const { return failed_; }
  const std::string& error() const { return error_; }
  std::size_t position() const { return position_; }
  std::size_t remaining() const { return failed_ ? 0 : bytes_.size() - position_; }

  std::int8_t Int8();
  std::int16_t Int16();
  std::int32_t Int32();
  std::int64_t Int64();
  bool Bool() { return Int8() != 0; }
  std::uint32_t UnsignedVarint();
  std::int32_t Varint();   // zigzag
  std::int64_t Varlong();  // zigzag

  // STRING / NULLABLE_STRING (int16 length) or COMPACT_(NULLABLE_)STRING (uvarint length + 1).
  std::optional<std::string> NullableString(bool compact);
  std::string String(bool compact);  // a null one fails the read
  // BYTES / NULLABLE_BYTES (int32 length) or their compact forms.
  std::optional<std::vector<std::uint8_t>> NullableBytes(bool compact);
  // The element count of an ARRAY (int32) or COMPACT_ARRAY (uvarint count + 1); -1 for null.
  // A count that cannot fit in the bytes left (each element takes at least one byte) fails,
  // so a hostile count never drives a large allocation.
  std::int32_t ArrayLength(bool compact);
  // A tagged-field section: uvarint count, then (uvarint tag, uvarint size, bytes) each. Tags
  // are skipped (none of the fields we read are tagged), but their sizes are checked.
  void SkipTaggedFields();

  void Fail(std::string why);

 private:
  bool Need(std::size_t n);

  std::span<const std::uint8_t> bytes_;
  std::size_t position_ = 0;
  bool failed_ = false;
  std::string error_;
};

// Appends to a byte vector.
class WireWriter {
 public:
  std::vector<std::uint8_t>& bytes() { return bytes_; }
  std::vector<std::uint8_t> Take() { return std::move(bytes_); }

  void Int8(std::int8_t v);
  void Int16(std::int16_t v);
  void Int32(std::int32_t v);
  void Int64(std::int64_t v);
  void Bool(bool v) { Int8(v ? 1 : 0); }
  void UnsignedVarint(std::uint32_t v);
  void Varint(std::int32_t v);
  void NullableString(const std::optional<std::string>& s, bool compact);
  void String(const std::string& s, bool compact) { NullableString(s, compact); }
  void NullableBytes(const std::optional<std::vector<std::uint8_t>>& b, bool compact);
  void Bytes(std::span<const std::uint8_t> b, bool compact);
  void ArrayLength(std::int32_t count, bool compact);  // -1 for null
  void EmptyTaggedFields() { UnsignedVarint(0); }
  // Writes the frame's int32 size at `at` (where Int32(0) reserved it) from the bytes after it.
  void PatchSize(std::size_t at);

 private:
  std::vector<std::uint8_t> bytes_;
};

}  // namespace kafkasim::gateway
