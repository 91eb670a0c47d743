// murmur2 as Kafka's Utils.murmur2: 32-bit wrapping arithmetic, little-endian words.
#include "kafka/partitioner.h"

#include <algorithm>

#include "engine/assert.h"

namespace kafkasim::kafka {

std::int32_t Murmur2(std::span<const std::uint8_t> data) {
  constexpr std::uint32_t kSeed = 0x9747b28c;
  constexpr std::uint32_t kM = 0x5bd1e995;
  constexpr int kR = 24;
  const auto length = static_cast<std::uint32_t>(data.size());
  std::uint32_t h = kSeed ^ length;
  const std::size_t words = data.size() / 4;
  for (std::size_t i = 0; i < words; ++i) {
    const std::size_t o = i * 4;
    std::uint32_t k = static_cast<std::uint32_t>(data[o]) |
                      (static_cast<std::uint32_t>(data[o + 1]) << 8) |
                      (static_cast<std::uint32_t>(data[o + 2]) << 16) |
                      (static_cast<std::uint32_t>(data[o + 3]) << 24);
    k *= kM;
    k ^= k >> kR;
    k *= kM;
    h *= kM;
    h ^= k;
  }
  const std::size_t tail = words * 4;
  switch (data.size() % 4) {
    case 3:
      h ^= static_cast<std::uint32_t>(data[tail + 2]) << 16;
      [[fallthrough]];
    case 2:
      h ^= static_cast<std::uint32_t>(data[tail + 1]) << 8;
      [[fallthrough]];
    case 1:
      h ^= static_cast<std::uint32_t>(data[tail]);
      h *= kM;
      break;
    default:
      break;
  }
  h ^= h >> 13;
  h *= kM;
  h ^= h >> 15;
  return static_cast<std::int32_t>(h);
}

std::int32_t Murmur2(std::string_view data) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(data.data());
  return Murmur2(std::span<const std::uint8_t>(p, data.size()));
}

std::int32_t PartitionForKey(std::string_view key, std::int32_t num_partitions) {
  KSIM_ASSERT(num_partitions > 0);
  return ToPositive(Murmur2(key)) % num_partitions;
}

std::int32_t StickyPartitioner::Next(std::int32_t record_bytes,
                                     const std::vector<std::int32_t>& available, Rng& rng) {
  KSIM_ASSERT(!available.empty());
  const bool current_ok =
      std::find(available.begin(), available.end(), current_) != available.end();
  if (!current_ok || bytes_in_current_ >= batch_size_) {
    std::vector<std::int32_t> choices;
    for (std::int32_t p : available) {
      if (p != current_ || available.size() == 1) choices.push_back(p);
    }
    current_ = rng.Choice(choices);
    bytes_in_current_ = 0;
  }
  bytes_in_current_ += record_bytes;
  return current_;
}

}  // namespace kafkasim::kafka
