// CRC-32C (Castagnoli), the checksum of record batch v2: poly 0x1EDC6F41, reflected.
#pragma once

#include <cstdint>
#include <span>

namespace kafkasim::storage {

// Crc32c("123456789") == 0xE3069283. Uses the CPU's crc32 instruction when present.
std::uint32_t Crc32c(std::span<const std::uint8_t> bytes);
// The same function through Boost.CRC only (tests compare the two).
std::uint32_t Crc32cPortable(std::span<const std::uint8_t> bytes);

}  // namespace kafkasim::storage
