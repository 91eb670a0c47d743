// CRC-32C: the SSE4.2 crc32 instruction when the CPU has it (checked once at run time),
// Boost.CRC's table-driven crc_optimal otherwise. Both give identical results.
#include "storage/crc32c.h"

#include <boost/crc.hpp>
#include <cstring>

namespace kafkasim::storage {
namespace {

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define KSIM_HAVE_HW_CRC 1
__attribute__((target("sse4.2"))) std::uint32_t HardwareCrc32c(const std::uint8_t* p,
                                                               std::size_t n) {
  std::uint64_t crc = 0xFFFFFFFFu;
  while (n >= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    crc = __builtin_ia32_crc32di(crc, word);
    p += 8;
    n -= 8;
  }
  auto crc32 = static_cast<std::uint32_t>(crc);
  while (n > 0) {
    crc32 = __builtin_ia32_crc32qi(crc32, *p);
    ++p;
    --n;
  }
  return crc32 ^ 0xFFFFFFFFu;
}

bool CpuHasSse42() {
  static const bool has = __builtin_cpu_supports("sse4.2");
  return has;
}
#endif

}  // namespace

std::uint32_t Crc32cPortable(std::span<const std::uint8_t> bytes) {
  boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true> crc;
  crc.process_bytes(bytes.data(), bytes.size());
  return crc.checksum();
}

std::uint32_t Crc32c(std::span<const std::uint8_t> bytes) {
#ifdef KSIM_HAVE_HW_CRC
  if (CpuHasSse42()) return HardwareCrc32c(bytes.data(), bytes.size());
#endif
  return Crc32cPortable(bytes);
}

}  // namespace kafkasim::storage
