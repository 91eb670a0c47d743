// A topic's partition by name, as Kafka's TopicPartition: the controller, the replica manager,
// the assignors and the group coordinator all key by it.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace kafkasim::kafka {

struct TopicPartition {
  std::string topic;
  std::int32_t partition = 0;

  auto operator<=>(const TopicPartition&) const = default;
  // "cities-0", as Kafka's TopicPartition.toString.
  std::string ToString() const { return topic + "-" + std::to_string(partition); }
};

}  // namespace kafkasim::kafka
