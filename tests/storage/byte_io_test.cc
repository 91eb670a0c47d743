// Big-endian fields as Kafka's ByteBuffer writes them (most significant byte first), for every
// width the record format uses and for widths the fast paths do not cover.
#include "storage/byte_io.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

namespace kafkasim::storage {
namespace {

TEST_CASE("byte_io: fixed-width fields are big-endian at any offset, whatever the width") {
  const std::uint64_t value = 0x0102030405060708ULL;
  for (int width = 1; width <= 8; ++width) {
    CAPTURE(width);
    const std::uint64_t mask = width == 8 ? ~0ULL : (1ULL << (8 * width)) - 1;
    for (std::size_t at = 0; at < 3; ++at) {  // aligned and unaligned
      CAPTURE(at);
      std::vector<std::uint8_t> bytes(at + static_cast<std::size_t>(width) + 2, 0xEE);
      StoreBigEndian(bytes, at, value, width);
      for (int i = 0; i < width; ++i) {
        // The low `width` bytes of 01..08, most significant first.
        CHECK(bytes[at + static_cast<std::size_t>(i)] == 8 - width + 1 + i);
      }
      CHECK(bytes[at + static_cast<std::size_t>(width)] == 0xEE);  // nothing past the field
      CHECK(LoadBigEndian(bytes, at, width) == (value & mask));
      ByteReader reader(std::span<const std::uint8_t>(bytes).subspan(at));
      CHECK(reader.BigEndian(width) == (value & mask));
      CHECK(reader.position() == static_cast<std::size_t>(width));
    }
  }
}

TEST_CASE("byte_io: the writer appends Kafka's INT16, INT32 and INT64 most significant first") {
  std::vector<std::uint8_t> out;
  ByteWriter w(out);
  w.I16(-2);
  w.I32(0x11223344);
  w.I64(-1);
  w.U32(0x80000001U);
  CHECK(out == std::vector<std::uint8_t>{0xFF, 0xFE, 0x11, 0x22, 0x33, 0x44, 0xFF, 0xFF, 0xFF, 0xFF,
                                         0xFF, 0xFF, 0xFF, 0xFF, 0x80, 0x00, 0x00, 0x01});
  ByteReader r(out);
  CHECK(r.I16() == -2);
  CHECK(r.I32() == 0x11223344);
  CHECK(r.I64() == -1);
  CHECK(r.U32() == 0x80000001U);
  CHECK_FALSE(r.I8().has_value());  // nothing left: fails instead of reading past the end
  CHECK_FALSE(r.ok());
}

}  // namespace
}  // namespace kafkasim::storage
