// CRC-32C through Boost.CRC's table-driven crc_optimal.
#include "storage/crc32c.h"

#include <boost/crc.hpp>

namespace kafkasim::storage {

std::uint32_t Crc32c(std::span<const std::uint8_t> bytes) {
  boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true> crc;
  crc.process_bytes(bytes.data(), bytes.size());
  return crc.checksum();
}

}  // namespace kafkasim::storage
