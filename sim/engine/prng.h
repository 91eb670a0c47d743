// The one PRNG of the simulation: xoshiro256** seeded through splitmix64, with our own
// range, float, choice and shuffle helpers so results match on every standard library.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/assert.h"

namespace kafkasim {

// splitmix64 (Steele, Lea, Flood 2014): seeds xoshiro and drives the hot-potato workload.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t state) : state_(state) {}
  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t state_;
};

// 64-bit FNV-1a: stable names-to-numbers for stream derivation and trace hashing.
constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
constexpr std::uint64_t kFnvPrime = 0x100000001b3ULL;
constexpr std::uint64_t Fnv1a64(std::string_view bytes, std::uint64_t hash = kFnvOffset) {
  for (char c : bytes) {
    hash ^= static_cast<std::uint8_t>(c);
    hash *= kFnvPrime;
  }
  return hash;
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed);
  // An independent stream for a named component ("broker-1", "network"): depends only on the
  // root seed and the name, so adding a node never reshuffles the others' draws.
  static Rng Stream(std::uint64_t root_seed, std::string_view name);

  std::uint64_t NextU64();
  // Uniform in [0, bound), bound > 0, without modulo bias (rejection sampling).
  std::uint64_t Uniform(std::uint64_t bound);
  // Uniform in [lo, hi], inclusive.
  std::int64_t UniformRange(std::int64_t lo, std::int64_t hi);
  // Uniform in [0, 1) with 53 random bits.
  double NextDouble();
  // True with probability p (p <= 0 never, p >= 1 always).
  bool Bernoulli(double p);

  template <typename T>
  const T& Choice(const std::vector<T>& items) {
    KSIM_ASSERT(!items.empty());
    return items[static_cast<std::size_t>(Uniform(items.size()))];
  }
  // Fisher-Yates, from the back.
  template <typename T>
  void Shuffle(std::vector<T>& items) {
    for (std::size_t i = items.size(); i > 1; --i) {
      const auto j = static_cast<std::size_t>(Uniform(i));
      std::swap(items[i - 1], items[j]);
    }
  }

 private:
  std::uint64_t s_[4];
};

}  // namespace kafkasim
