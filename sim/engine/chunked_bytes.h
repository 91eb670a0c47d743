// A growable byte string kept in fixed-size chunks: the contents of one simulated file.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "engine/assert.h"

namespace kafkasim {

// Appending never moves what is already stored: one vector for a whole log segment copied the
// segment at every doubling, and each copy touched fresh pages (about 6% of a long run's time).
// Every chunk but the last is exactly kChunkBytes long, so byte i is in chunk i / kChunkBytes.
// A small file (a checkpoint, an index) stays one small vector that grows as it is written.
class ChunkedBytes {
 public:
  static constexpr std::size_t kChunkBytes = 64 * 1024;

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  void Append(std::span<const std::uint8_t> data) {
    while (!data.empty()) {
      if (chunks_.empty() || chunks_.back().size() == kChunkBytes) {
        chunks_.emplace_back();
        // A file past its first chunk is a large one: its next chunks are filled whole.
        if (chunks_.size() > 1) chunks_.back().reserve(kChunkBytes);
      }
      std::vector<std::uint8_t>& last = chunks_.back();
      const std::size_t n = std::min(kChunkBytes - last.size(), data.size());
      last.insert(last.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
      size_ += n;
      data = data.subspan(n);
    }
  }

  // Overwrites bytes [offset, offset + data.size()), which must all exist.
  void Write(std::size_t offset, std::span<const std::uint8_t> data) {
    KSIM_ASSERT_LE(offset + data.size(), size_);
    while (!data.empty()) {
      const std::size_t within = offset % kChunkBytes;
      const std::size_t n = std::min(kChunkBytes - within, data.size());
      std::memcpy(chunks_[offset / kChunkBytes].data() + within, data.data(), n);
      offset += n;
      data = data.subspan(n);
    }
  }

  // Copies bytes [offset, offset + out.size()), which must all exist, into out.
  void Read(std::size_t offset, std::span<std::uint8_t> out) const {
    KSIM_ASSERT_LE(offset + out.size(), size_);
    while (!out.empty()) {
      const std::size_t within = offset % kChunkBytes;
      const std::size_t n = std::min(kChunkBytes - within, out.size());
      std::memcpy(out.data(), chunks_[offset / kChunkBytes].data() + within, n);
      offset += n;
      out = out.subspan(n);
    }
  }

  std::vector<std::uint8_t> Copy(std::size_t begin, std::size_t end) const {
    KSIM_ASSERT_LE(begin, end);
    std::vector<std::uint8_t> out(end - begin);
    Read(begin, out);
    return out;
  }

  std::uint8_t& operator[](std::size_t i) {
    KSIM_ASSERT(i < size_);
    return chunks_[i / kChunkBytes][i % kChunkBytes];
  }

  // Shrinks to n bytes, or grows with zeros (as ftruncate does).
  void Resize(std::size_t n) {
    if (n <= size_) {
      const std::size_t chunks = (n + kChunkBytes - 1) / kChunkBytes;
      chunks_.resize(chunks);
      if (!chunks_.empty()) chunks_.back().resize(n - (chunks - 1) * kChunkBytes);
      size_ = n;
      return;
    }
    static constexpr std::uint8_t kZeros[4096] = {};
    while (size_ < n) {
      Append(std::span<const std::uint8_t>(kZeros, std::min(sizeof kZeros, n - size_)));
    }
  }

 private:
  std::vector<std::vector<std::uint8_t>> chunks_;
  std::size_t size_ = 0;
};

}  // namespace kafkasim
