// A topic's partition by name, as Kafka's TopicPartition: the controller, the replica manager,
// the assignors and the group coordinator all key by it.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

namespace kafkasim::kafka {

struct TopicPartition {
  std::string topic;
  std::int32_t partition = 0;

  auto operator<=>(const TopicPartition&) const = default;
  // "cities-0", as Kafka's TopicPartition.toString.
  std::string ToString() const { return topic + "-" + std::to_string(partition); }
};

// A topic and partition named without a copy of the topic's name: the key of a look-up in a
// map ordered by TopicPartitionLess (the same order as TopicPartition's own).
struct TopicPartitionRef {
  std::string_view topic;
  std::int32_t partition = 0;
};

// TopicPartition's order (topic, then partition), transparent to TopicPartitionRef, so hot
// look-ups allocate no string.
struct TopicPartitionLess {
  using is_transparent = void;
  static std::pair<std::string_view, std::int32_t> Key(const TopicPartition& t) {
    return {t.topic, t.partition};
  }
  static std::pair<std::string_view, std::int32_t> Key(const TopicPartitionRef& t) {
    return {t.topic, t.partition};
  }
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    return Key(a) < Key(b);
  }
};

// Hashing and equality for unordered look-ups, transparent to TopicPartitionRef likewise.
struct TopicPartitionHash {
  using is_transparent = void;
  template <class T>
  std::size_t operator()(const T& t) const {
    const auto [topic, partition] = TopicPartitionLess::Key(t);
    return std::hash<std::string_view>{}(topic)*31 + static_cast<std::size_t>(partition);
  }
};
struct TopicPartitionEqual {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    return TopicPartitionLess::Key(a) == TopicPartitionLess::Key(b);
  }
};

}  // namespace kafkasim::kafka
