// ChunkedBytes against a plain vector: the same bytes after any mix of appends, overwrites,
// reads and resizes, across chunk boundaries.
#include "engine/chunked_bytes.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "engine/prng.h"

namespace kafkasim {
namespace {

std::vector<std::uint8_t> Pattern(Rng& rng, std::size_t n) {
  std::vector<std::uint8_t> out(n);
  for (std::uint8_t& b : out) b = static_cast<std::uint8_t>(rng.Uniform(256));
  return out;
}

std::vector<std::uint8_t> All(const ChunkedBytes& bytes) { return bytes.Copy(0, bytes.size()); }

TEST_CASE("chunked_bytes: holds what a vector holds after appends, overwrites and resizes") {
  constexpr std::size_t kChunk = ChunkedBytes::kChunkBytes;
  Rng rng(11);
  ChunkedBytes bytes;
  std::vector<std::uint8_t> model;
  std::size_t largest = 0;
  for (int step = 0; step < 2000; ++step) {
    CAPTURE(step);
    const std::uint64_t op = rng.Uniform(10);
    if (op < 5) {  // append, sometimes more than a chunk at once
      const std::size_t n = rng.Uniform(3) == 0 ? rng.Uniform(2 * kChunk) : rng.Uniform(300);
      const std::vector<std::uint8_t> data = Pattern(rng, n);
      bytes.Append(data);
      model.insert(model.end(), data.begin(), data.end());
    } else if (op < 7 && !model.empty()) {  // overwrite inside
      const std::size_t at = rng.Uniform(model.size());
      const std::size_t n = rng.Uniform(std::min<std::size_t>(model.size() - at, kChunk + 50) + 1);
      const std::vector<std::uint8_t> data = Pattern(rng, n);
      bytes.Write(at, data);
      std::copy(data.begin(), data.end(), model.begin() + static_cast<std::ptrdiff_t>(at));
    } else if (op < 8) {  // shrink, possibly to a chunk boundary or to nothing
      const std::size_t to = rng.Uniform(2) == 0 ? rng.Uniform(model.size() + 1)
                                                 : std::min(model.size(), kChunk * rng.Uniform(3));
      bytes.Resize(to);
      model.resize(to);
    } else if (op < 9) {  // grow with zeros
      const std::size_t to = model.size() + rng.Uniform(kChunk + 10);
      bytes.Resize(to);
      model.resize(to);
    } else if (!model.empty()) {  // flip a byte
      const std::size_t at = rng.Uniform(model.size());
      bytes[at] ^= 0xff;
      model[at] ^= 0xff;
    }
    REQUIRE(bytes.size() == model.size());
    largest = std::max(largest, model.size());
    if (!model.empty()) {
      const std::size_t at = rng.Uniform(model.size());
      const std::size_t n = rng.Uniform(model.size() - at + 1);
      CHECK(bytes.Copy(at, at + n) ==
            std::vector<std::uint8_t>(model.begin() + static_cast<std::ptrdiff_t>(at),
                                      model.begin() + static_cast<std::ptrdiff_t>(at + n)));
    }
  }
  CHECK(All(bytes) == model);
  CHECK(largest > 3 * kChunk);  // the run did cross chunks
}

TEST_CASE("chunked_bytes: a read or write ending exactly at a chunk boundary stays in it") {
  constexpr std::size_t kChunk = ChunkedBytes::kChunkBytes;
  ChunkedBytes bytes;
  bytes.Resize(kChunk);
  CHECK(bytes.size() == kChunk);
  const std::vector<std::uint8_t> tail = {1, 2, 3};
  bytes.Write(kChunk - 3, tail);
  CHECK(bytes.Copy(kChunk - 3, kChunk) == tail);
  bytes.Append(tail);
  CHECK(bytes.Copy(kChunk - 1, kChunk + 2) == std::vector<std::uint8_t>{3, 1, 2});
  bytes.Resize(kChunk);
  CHECK(bytes.Copy(kChunk - 3, kChunk) == tail);
  bytes.Resize(0);
  CHECK(bytes.empty());
}

}  // namespace
}  // namespace kafkasim
