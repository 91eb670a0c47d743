// xoshiro256** 1.0 (Blackman and Vigna, public domain reference xoshiro256starstar.c).
#include "engine/prng.h"

namespace kafkasim {
namespace {
constexpr std::uint64_t Rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

Rng::Rng(std::uint64_t seed) {
  SplitMix64 sm(seed);
  for (auto& word : s_) word = sm.Next();
}

Rng Rng::Stream(std::uint64_t root_seed, std::string_view name) {
  SplitMix64 mix(root_seed ^ Fnv1a64(name));
  return Rng(mix.Next());
}

std::uint64_t Rng::NextU64() {
  const std::uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

std::uint64_t Rng::Uniform(std::uint64_t bound) {
  KSIM_ASSERT(bound > 0);
  // Reject the top partial block so every residue is equally likely.
  const std::uint64_t limit = UINT64_MAX - (UINT64_MAX % bound);
  std::uint64_t x = NextU64();
  while (x >= limit) x = NextU64();
  return x % bound;
}

std::int64_t Rng::UniformRange(std::int64_t lo, std::int64_t hi) {
  KSIM_ASSERT_LE(lo, hi);
  const std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
  if (span == UINT64_MAX) return static_cast<std::int64_t>(NextU64());
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + Uniform(span + 1));
}

double Rng::NextDouble() { return static_cast<double>(NextU64() >> 11) * 0x1.0p-53; }

bool Rng::Bernoulli(double p) {
  if (p <= 0.0) return false;
  if (p >= 1.0) return true;
  return NextDouble() < p;
}

}  // namespace kafkasim
