// What the cluster map writes inside each broker's box: one chip per partition replica the
// broker holds, in the words of kafka-topics.sh --describe (leader, ISR, ELR) plus what a
// lesson needs on top (how many records an out-of-sync follower is behind, which replica is
// offline). Plain code, no ImGui, so the chips and their order can be tested without a window.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/world_view.h"

namespace kafkasim::gui {

// The state of one replica, worst first (the order chips keep when a box is too small).
enum class ChipKind : std::uint8_t {
  kOffline,    // its broker is down or does not hold the log now (the disk may still hold it)
  kOutOfSync,  // a follower outside the ISR (and not in the ELR)
  kEligible,   // in the ELR (KIP-966): out of the ISR but safe to elect
  kLeader,
  kInSync,  // a follower in the ISR
};
const char* ChipKindName(ChipKind kind);

struct ReplicaChip {
  std::string partition;  // "cities-0"
  std::string topic;
  int index = 0;  // partition number
  int broker_id = -1;
  ChipKind kind = ChipKind::kInSync;
  // Records behind the leader's log end (followers whose leader's log is readable), else -1.
  std::int64_t lag = -1;
  bool log_known = false;  // the broker holds the log now: the offsets below are real
  std::int64_t log_start = 0;
  std::int64_t high_watermark = 0;
  std::int64_t log_end = 0;
};

// The per-topic filter of the map: user topics only (the default), every topic including
// Kafka's internal ones (__consumer_offsets), or one topic by name.
inline constexpr const char* kUserTopics = "";
inline constexpr const char* kAllTopics = "*";
bool TopicPassesFilter(const std::string& topic, const std::string& filter);

// Every replica of the topics passing `filter`, by broker id, worst state first, then by
// topic and partition number. With several clusters (topics named "us-east/cities") only the
// topics of `cluster`, whose broker ids those are; "" takes the topics without a cluster.
std::map<int, std::vector<ReplicaChip>> ReplicaChipsByBroker(const view::WorldView& world,
                                                             const std::string& filter,
                                                             std::string_view cluster = "");

// The same order, with only the first chips of each broker made in full: a box shows a few of
// its replicas and "+N more" for the rest, and at 100 brokers x 10,000 partitions making all
// 30,000 chips each frame would cost more than drawing the map. `kept_max(broker_id)` says how
// many a broker's box could show; `total` counts every replica it holds.
struct BrokerChips {
  std::vector<ReplicaChip> chips;  // the first min(total, kept_max) in order
  std::size_t total = 0;
};
std::map<int, BrokerChips> FirstReplicaChipsByBroker(
    const view::WorldView& world, const std::string& filter, std::string_view cluster,
    const std::function<std::size_t(int broker_id)>& kept_max);
// "us-east" of "us-east/broker-1" or "us-east/cities"; "" for a name without a cluster.
std::string_view ClusterOfName(std::string_view name);

// The text of a chip: "cities-0" (or "0" when the map shows one topic), "lag 42" appended for
// an out-of-sync follower, "ELR" for an eligible one.
std::string ChipText(const ReplicaChip& chip, bool one_topic);
// The chip's tooltip lines: its state, log start / HW / LEO, or why the log is not shown.
std::string ChipTooltip(const ReplicaChip& chip, const std::string& broker_name);
// "+180 more": the summary chip standing for `hidden` chips that did not fit.
std::string MoreChipText(std::size_t hidden);

}  // namespace kafkasim::gui
