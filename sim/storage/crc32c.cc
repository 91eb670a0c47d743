// CRC-32C: the SSE4.2 crc32 instruction when the CPU has it (checked once at run time),
// Boost.CRC's table-driven crc_optimal otherwise. Both give identical results.
#include "storage/crc32c.h"

#include <boost/crc.hpp>
#include <cstring>

namespace kafkasim::storage {
namespace {

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define KSIM_HAVE_HW_CRC 1

// The crc32 instruction has a latency of 3 cycles and a throughput of 1: three independent
// streams keep it busy. Long inputs go in rounds of three kStripe-byte stripes whose CRCs are
// combined with the linear "append kStripe zero bytes" operator, precomputed as byte tables.
constexpr std::size_t kStripe = 2048;

__attribute__((target("sse4.2"))) std::uint64_t Crc32cWords(std::uint64_t crc,
                                                            const std::uint8_t* p, std::size_t n) {
  for (; n >= 8; n -= 8, p += 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    crc = __builtin_ia32_crc32di(crc, word);
  }
  auto crc32 = static_cast<std::uint32_t>(crc);
  for (; n > 0; --n, ++p) crc32 = __builtin_ia32_crc32qi(crc32, *p);
  return crc32;
}

// shift[k][b]: the register after kStripe zero bytes, starting from byte b at position k.
struct ShiftTables {
  std::uint32_t shift[4][256];
  ShiftTables() {
    static const std::uint8_t kZeros[kStripe] = {};
    std::uint32_t basis[32];
    for (int bit = 0; bit < 32; ++bit) {
      basis[bit] =
          static_cast<std::uint32_t>(Crc32cWords(std::uint64_t{1} << bit, kZeros, kStripe));
    }
    for (int k = 0; k < 4; ++k) {
      for (std::uint32_t b = 0; b < 256; ++b) {
        std::uint32_t v = 0;
        for (int bit = 0; bit < 8; ++bit) {
          if ((b >> bit) & 1) v ^= basis[8 * k + bit];
        }
        shift[k][b] = v;
      }
    }
  }
  std::uint32_t Shift(std::uint32_t crc) const {
    return shift[0][crc & 0xff] ^ shift[1][(crc >> 8) & 0xff] ^ shift[2][(crc >> 16) & 0xff] ^
           shift[3][crc >> 24];
  }
};

__attribute__((target("sse4.2"))) std::uint32_t HardwareCrc32c(const std::uint8_t* p,
                                                               std::size_t n) {
  static const ShiftTables tables;
  std::uint64_t crc = 0xFFFFFFFFu;
  while (n >= 3 * kStripe) {
    std::uint64_t a = crc, b = 0, c = 0;
    for (std::size_t i = 0; i < kStripe; i += 8) {
      std::uint64_t wa, wb, wc;
      std::memcpy(&wa, p + i, 8);
      std::memcpy(&wb, p + kStripe + i, 8);
      std::memcpy(&wc, p + 2 * kStripe + i, 8);
      a = __builtin_ia32_crc32di(a, wa);
      b = __builtin_ia32_crc32di(b, wb);
      c = __builtin_ia32_crc32di(c, wc);
    }
    // crc(s, A|B) = shift_|B|(crc(s, A)) ^ crc(0, B) for the raw (uninverted) register.
    const std::uint32_t ab =
        tables.Shift(static_cast<std::uint32_t>(a)) ^ static_cast<std::uint32_t>(b);
    crc = tables.Shift(ab) ^ static_cast<std::uint32_t>(c);
    p += 3 * kStripe;
    n -= 3 * kStripe;
  }
  return static_cast<std::uint32_t>(Crc32cWords(crc, p, n)) ^ 0xFFFFFFFFu;
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
