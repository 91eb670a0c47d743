// The Kafka wire protocol's primitive types, against the encodings Kafka's ByteUtils and
// types (clients/src/main/java/org/apache/kafka/common/protocol/types) produce.
#include "gateway/wire.h"

#include <doctest/doctest.h>

#include <vector>

namespace kafkasim::gateway {
namespace {

using Bytes = std::vector<std::uint8_t>;

TEST_CASE("wire: unsigned varints are 7 bits a byte, low group first (ByteUtils)") {
  WireWriter w;
  w.UnsignedVarint(0);
  w.UnsignedVarint(1);
  w.UnsignedVarint(300);
  w.UnsignedVarint(0xffffffffu);
  CHECK(w.bytes() == Bytes{0x00, 0x01, 0xac, 0x02, 0xff, 0xff, 0xff, 0xff, 0x0f});
  WireReader r(w.bytes());
  CHECK(r.UnsignedVarint() == 0);
  CHECK(r.UnsignedVarint() == 1);
  CHECK(r.UnsignedVarint() == 300);
  CHECK(r.UnsignedVarint() == 0xffffffffu);
  CHECK_FALSE(r.failed());
  CHECK(r.remaining() == 0);
}

TEST_CASE("wire: varints are zigzag encoded") {
  WireWriter w;
  w.Varint(0);
  w.Varint(-1);
  w.Varint(1);
  w.Varint(-2);
  w.Varint(-2147483647 - 1);
  CHECK(w.bytes() == Bytes{0x00, 0x01, 0x02, 0x03, 0xff, 0xff, 0xff, 0xff, 0x0f});
  WireReader r(w.bytes());
  CHECK(r.Varint() == 0);
  CHECK(r.Varint() == -1);
  CHECK(r.Varint() == 1);
  CHECK(r.Varint() == -2);
  CHECK(r.Varint() == -2147483647 - 1);
  const Bytes varlong = {0x01, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
  WireReader l(varlong);
  CHECK(l.Varlong() == -1);
  CHECK(l.Varlong() == 9223372036854775807LL);
  CHECK_FALSE(l.failed());
}

TEST_CASE("wire: a varint longer than its type fails the read") {
  const Bytes six = {0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
  WireReader r(six);
  r.UnsignedVarint();
  CHECK(r.failed());
  const Bytes big = {0xff, 0xff, 0xff, 0xff, 0x1f};  // 35 bits
  WireReader b(big);
  b.UnsignedVarint();
  CHECK(b.failed());
  CHECK(b.error() == "unsigned varint longer than 32 bits at byte 5");
}

TEST_CASE("wire: classic and compact strings, with null") {
  WireWriter w;
  w.String("rdkafka", false);
  w.NullableString(std::nullopt, false);
  w.String("2.0.2", true);
  w.NullableString(std::nullopt, true);
  const Bytes expected = {0x00, 0x07, 'r',  'd', 'k', 'a', 'f', 'k', 'a',
                          0xff, 0xff, 0x06, '2', '.', '0', '.', '2', 0x00};
  CHECK(w.bytes() == expected);
  WireReader r(w.bytes());
  CHECK(r.String(false) == "rdkafka");
  CHECK(r.NullableString(false) == std::nullopt);
  CHECK(r.String(true) == "2.0.2");
  CHECK(r.NullableString(true) == std::nullopt);
  CHECK_FALSE(r.failed());
}

TEST_CASE("wire: a null where a string is required, or a length past the end, fails") {
  const Bytes null_string = {0xff, 0xff};
  WireReader r(null_string);
  r.String(false);
  CHECK(r.failed());
  CHECK(r.error() == "null where a string is required at byte 2");
  const Bytes short_string = {0x00, 0x05, 'a', 'b'};
  WireReader s(short_string);
  s.String(false);
  CHECK(s.error() == "5 byte(s) needed, 2 left at byte 2");
  const Bytes negative = {0xff, 0xfe};
  WireReader n(negative);
  n.NullableString(false);
  CHECK(n.error() == "string length -2 at byte 2");
  // After a failure every read returns zero.
  CHECK(n.Int32() == 0);
}

TEST_CASE("wire: arrays, compact arrays and a hostile element count") {
  WireWriter w;
  w.ArrayLength(2, false);
  w.ArrayLength(-1, false);
  w.ArrayLength(2, true);
  w.ArrayLength(-1, true);
  CHECK(w.bytes() == Bytes{0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff, 0x03, 0x00});
  const Bytes hostile = {0x7f, 0xff, 0xff, 0xff, 0x00};
  WireReader r(hostile);
  CHECK(r.ArrayLength(false) == 0);
  CHECK(r.failed());
  CHECK(r.error() == "array of 2147483647 elements in 1 bytes at byte 4");
}

TEST_CASE("wire: tagged fields are skipped by size") {
  // Two tags: tag 0 with 2 bytes, tag 5 with 0 bytes; then an int8 after the section.
  const Bytes tagged = {0x02, 0x00, 0x02, 0xaa, 0xbb, 0x05, 0x00, 0x2a};
  WireReader r(tagged);
  r.SkipTaggedFields();
  CHECK(r.Int8() == 42);
  CHECK_FALSE(r.failed());
  const Bytes truncated = {0x01, 0x00, 0x05, 0xaa};
  WireReader t(truncated);
  t.SkipTaggedFields();
  CHECK(t.failed());
}

TEST_CASE("wire: big-endian integers and the frame size patch") {
  WireWriter w;
  w.Int32(0);
  w.Int16(-2);
  w.Int64(0x0102030405060708LL);
  w.PatchSize(0);
  CHECK(w.bytes() == Bytes{0, 0, 0, 10, 0xff, 0xfe, 1, 2, 3, 4, 5, 6, 7, 8});
}

}  // namespace
}  // namespace kafkasim::gateway
