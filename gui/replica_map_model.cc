// Replica chips: each partition replica's state from the snapshot's metadata and logs.
#include "gui/replica_map_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <tuple>

namespace kafkasim::gui {

const char* ChipKindName(ChipKind kind) {
  switch (kind) {
    case ChipKind::kOffline:
      return "offline";
    case ChipKind::kOutOfSync:
      return "follower, out of the ISR";
    case ChipKind::kEligible:
      return "follower in the ELR (out of the ISR, safe to elect)";
    case ChipKind::kLeader:
      return "leader";
    case ChipKind::kInSync:
      return "follower in the ISR";
  }
  return "";
}

bool TopicPassesFilter(const std::string& topic, const std::string& filter) {
  if (filter == kAllTopics) return true;
  // An internal topic of one of several clusters is "us-east/__consumer_offsets".
  if (filter.empty()) {
    const std::size_t slash = topic.find('/');
    return topic.compare(slash == std::string::npos ? 0 : slash + 1, 2, "__") != 0;
  }
  return topic == filter;
}

namespace {

bool Has(const std::vector<int>& ids, int id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

}  // namespace

std::string_view ClusterOfName(std::string_view name) {
  const std::size_t slash = name.find('/');
  return slash == std::string_view::npos ? std::string_view() : name.substr(0, slash);
}

namespace {

// A chip before it is made: its state and where its replica is, 16 bytes to sort.
struct ChipRef {
  ChipKind kind;
  std::uint32_t replica;  // index into the partition's replicas and logs
  const view::PartitionView* partition;
};

ReplicaChip MakeChip(const ChipRef& ref) {
  const view::PartitionView& p = *ref.partition;
  ReplicaChip chip;
  chip.topic = p.topic;
  chip.index = p.partition;
  chip.partition.assign(p.topic).append("-").append(std::to_string(p.partition));
  chip.broker_id = p.replicas[ref.replica];
  chip.kind = ref.kind;
  const view::ReplicaLogView* log = ref.replica < p.logs.size() ? &p.logs[ref.replica] : nullptr;
  chip.log_known = log != nullptr && log->online;
  if (chip.log_known) {
    chip.log_start = log->log_start_offset;
    chip.high_watermark = log->high_watermark;
    chip.log_end = log->log_end_offset;
  }
  const view::ReplicaLogView* leader_log = nullptr;
  for (const view::ReplicaLogView& l : p.logs) {
    if (l.broker_id == p.leader && l.online) leader_log = &l;
  }
  if (chip.log_known && leader_log != nullptr && chip.kind != ChipKind::kLeader) {
    chip.lag = std::max<std::int64_t>(0, leader_log->log_end_offset - chip.log_end);
  }
  return chip;
}

ChipKind KindOf(const view::PartitionView& p, std::size_t i) {
  const int broker = p.replicas[i];
  const view::ReplicaLogView* log = i < p.logs.size() ? &p.logs[i] : nullptr;
  if (log == nullptr || !log->online) return ChipKind::kOffline;
  if (p.leader == broker) return ChipKind::kLeader;
  if (Has(p.isr, broker)) return ChipKind::kInSync;
  if (Has(p.elr, broker)) return ChipKind::kEligible;
  return ChipKind::kOutOfSync;
}

}  // namespace

std::map<int, BrokerChips> FirstReplicaChipsByBroker(
    const view::WorldView& world, const std::string& filter, std::string_view cluster,
    const std::function<std::size_t(int broker_id)>& kept_max) {
  std::map<int, std::vector<ChipRef>> refs;
  for (const view::TopicView& topic : world.topics) {
    if (!TopicPassesFilter(topic.name, filter)) continue;
    if (ClusterOfName(topic.name) != cluster) continue;
    for (const view::PartitionView& p : topic.partitions) {
      for (std::size_t i = 0; i < p.replicas.size(); ++i) {
        refs[p.replicas[i]].push_back({KindOf(p, i), static_cast<std::uint32_t>(i), &p});
      }
    }
  }
  std::map<int, BrokerChips> by_broker;
  for (auto& [id, list] : refs) {
    // Worst state first, then by topic and partition number.
    std::stable_sort(list.begin(), list.end(), [](const ChipRef& a, const ChipRef& b) {
      if (a.kind != b.kind) return a.kind < b.kind;
      if (a.partition->topic != b.partition->topic) return a.partition->topic < b.partition->topic;
      return a.partition->partition < b.partition->partition;
    });
    BrokerChips& out = by_broker[id];
    out.total = list.size();
    const std::size_t kept = std::min(list.size(), kept_max(id));
    out.chips.reserve(kept);
    for (std::size_t k = 0; k < kept; ++k) out.chips.push_back(MakeChip(list[k]));
  }
  return by_broker;
}

std::map<int, std::vector<ReplicaChip>> ReplicaChipsByBroker(const view::WorldView& world,
                                                             const std::string& filter,
                                                             std::string_view cluster) {
  std::map<int, std::vector<ReplicaChip>> by_broker;
  for (auto& [id, chips] : FirstReplicaChipsByBroker(
           world, filter, cluster, [](int) { return std::numeric_limits<std::size_t>::max(); })) {
    by_broker[id] = std::move(chips.chips);
  }
  return by_broker;
}

std::string ChipText(const ReplicaChip& chip, bool one_topic) {
  // The broker's box names its cluster; the chip shows the partition as the cluster knows it.
  const std::size_t slash = chip.partition.find('/');
  std::string text = one_topic                    ? std::to_string(chip.index)
                     : slash == std::string::npos ? chip.partition
                                                  : chip.partition.substr(slash + 1);
  if (chip.kind == ChipKind::kOutOfSync && chip.lag >= 0) text += fmt::format(" lag {}", chip.lag);
  if (chip.kind == ChipKind::kEligible) text += " ELR";
  return text;
}

std::string ChipTooltip(const ReplicaChip& chip, const std::string& broker_name) {
  std::string text =
      fmt::format("{} on {}: {}", chip.partition, broker_name, ChipKindName(chip.kind));
  if (chip.log_known) {
    text += fmt::format("\nlog start {}  HW {}  LEO {}", chip.log_start, chip.high_watermark,
                        chip.log_end);
    if (chip.lag > 0) text += fmt::format("\n{} records behind the leader's log end", chip.lag);
  } else {
    text += fmt::format(
        "\n{} does not serve this replica now (down, or no longer hosting it).\n"
        "Its log stays on its disk and is read again when the broker restarts;\n"
        "a power-loss crash loses only the writes not yet flushed.",
        broker_name);
  }
  text += "\nclick: select the partition";
  return text;
}

std::string MoreChipText(std::size_t hidden) { return fmt::format("+{} more", hidden); }

}  // namespace kafkasim::gui
