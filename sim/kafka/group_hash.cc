// Java's String.hashCode, Utils.abs and HashMap iteration order, for groups and assignors.
#include "kafka/group_hash.h"

#include <algorithm>

#include "engine/assert.h"

namespace kafkasim::kafka {

namespace {

// Decodes one UTF-8 sequence at s[i]; advances i. Malformed input yields U+FFFD.
std::uint32_t NextCodePoint(std::string_view s, std::size_t& i) {
  const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(s[k]); };
  const std::uint8_t b0 = byte(i);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  std::size_t length = 0;
  std::uint32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) {
    length = 2;
    cp = b0 & 0x1Fu;
  } else if ((b0 & 0xF0) == 0xE0) {
    length = 3;
    cp = b0 & 0x0Fu;
  } else if ((b0 & 0xF8) == 0xF0) {
    length = 4;
    cp = b0 & 0x07u;
  } else {
    ++i;
    return 0xFFFD;
  }
  if (i + length > s.size()) {
    ++i;
    return 0xFFFD;
  }
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (byte(i + k) & 0x3Fu);
  }
  i += length;
  return cp;
}

}  // namespace

std::int32_t JavaUtf16HashCode(std::string_view s) {
  std::uint32_t h = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    const std::uint32_t cp = NextCodePoint(s, i);
    if (cp >= 0x10000) {  // a surrogate pair: two UTF-16 code units
      const std::uint32_t v = cp - 0x10000;
      h = 31 * h + (0xD800 + (v >> 10));
      h = 31 * h + (0xDC00 + (v & 0x3FF));
    } else {
      h = 31 * h + cp;
    }
  }
  return static_cast<std::int32_t>(h);
}

std::int32_t PartitionForGroup(std::string_view group_id, std::int32_t offsets_topic_partitions) {
  KSIM_ASSERT(offsets_topic_partitions > 0);
  return JavaUtilsAbs(JavaUtf16HashCode(group_id)) % offsets_topic_partitions;
}

std::int32_t JavaTopicPartitionHashCode(std::string_view topic, std::int32_t partition) {
  std::uint32_t result = 31u + static_cast<std::uint32_t>(partition);
  result = 31u * result + static_cast<std::uint32_t>(JavaUtf16HashCode(topic));
  return static_cast<std::int32_t>(result);
}

std::vector<std::size_t> JavaHashMapOrder(const std::vector<std::int32_t>& hashes,
                                          std::size_t largest_size) {
  // HashMap.resize doubles the table when the size passes capacity * 0.75.
  std::size_t capacity = 16;
  const std::size_t size = std::max(hashes.size(), largest_size);
  while (size > capacity * 3 / 4) capacity *= 2;
  std::vector<std::size_t> order(hashes.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  const auto bucket = [&](std::size_t i) {
    const auto h = static_cast<std::uint32_t>(hashes[i]);
    return static_cast<std::size_t>((h ^ (h >> 16)) & (capacity - 1));
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return bucket(a) < bucket(b); });
  return order;
}

}  // namespace kafkasim::kafka
