// The producer's partitioner, byte-exact with Kafka's: murmur2 for keyed records
// (clients/.../common/utils/Utils.java) and the built-in sticky partitioner for null keys.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "engine/prng.h"

namespace kafkasim::kafka {

// Kafka's murmur2 (seed 0x9747b28c), returning the same signed 32-bit value as Java.
std::int32_t Murmur2(std::span<const std::uint8_t> data);
std::int32_t Murmur2(std::string_view data);
// Utils.toPositive: clears the sign bit (not abs).
constexpr std::int32_t ToPositive(std::int32_t n) { return n & 0x7fffffff; }
// The partition of a keyed record: toPositive(murmur2(key)) % numPartitions, over all partitions.
std::int32_t PartitionForKey(std::string_view key, std::int32_t num_partitions);

// KIP-794 sticky partitioning for null keys: stay on one partition until batch.size bytes have
// gone to it, then switch to another available partition chosen with the seeded PRNG.
class StickyPartitioner {
 public:
  explicit StickyPartitioner(std::int32_t batch_size = 16384) : batch_size_(batch_size) {}
  // `available`: partitions that currently have a leader (all partitions when none do).
  std::int32_t Next(std::int32_t record_bytes, const std::vector<std::int32_t>& available,
                    Rng& rng);

 private:
  std::int32_t batch_size_;
  std::int32_t current_ = -1;
  std::int64_t bytes_in_current_ = 0;
};

}  // namespace kafkasim::kafka
