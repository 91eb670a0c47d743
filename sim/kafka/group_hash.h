// Java's hashing as the group coordinator and the client assignors see it: String.hashCode over
// UTF-16 code units, Utils.abs, the __consumer_offsets partition of a group id, and the
// iteration order of a java.util.HashMap, on which some of Kafka's assignor results depend.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace kafkasim::kafka {

// java.lang.String.hashCode of the string whose UTF-8 bytes are `s`: 31*h + c over its UTF-16
// code units, wrapping at 32 bits. A malformed UTF-8 sequence counts as U+FFFD, as Java's
// decoder replaces it.
std::int32_t JavaUtf16HashCode(std::string_view s);

// org.apache.kafka.common.utils.Utils.abs: Integer.MIN_VALUE maps to 0, not to itself.
constexpr std::int32_t JavaUtilsAbs(std::int32_t n) {
  return n == INT32_MIN ? 0 : (n < 0 ? -n : n);
}

// The __consumer_offsets partition that holds a group (GroupCoordinatorService.partitionFor):
// Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions. The leader of that partition
// is the group's coordinator.
std::int32_t PartitionForGroup(std::string_view group_id, std::int32_t offsets_topic_partitions);

// TopicPartition.hashCode: 31 * (31 + partition) + topic.hashCode().
std::int32_t JavaTopicPartitionHashCode(std::string_view topic, std::int32_t partition);

// The order in which a java.util.HashMap created with the default capacity (16, load factor
// 0.75) iterates keys with these hash codes, put in this order and never removed: by bucket
// (spread hash & (capacity - 1)), ties in insertion order. Returns indexes into `hashes`.
// (A bin that would treeify resizes first below capacity 64; with at most a few hundred
// members no bin holds 8 keys in practice, and the tree keeps insertion order anyway.)
std::vector<std::size_t> JavaHashMapOrder(const std::vector<std::int32_t>& hashes,
                                          std::size_t largest_size = 0);

}  // namespace kafkasim::kafka
