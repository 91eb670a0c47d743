// Range, round-robin, sticky and cooperative-sticky assignment, ported from Kafka's client
// assignors (3.9/4.0, without racks) so that the same members and partitions give the same
// assignment. Where Kafka iterates a java.util.HashMap, JavaHashMapOrder reproduces its order.
#include "kafka/assignors.h"

#include <algorithm>
#include <utility>

#include "engine/assert.h"

namespace kafkasim::kafka {

std::string_view AssignorName(AssignorKind kind) {
  switch (kind) {
    case AssignorKind::kRange:
      return "range";
    case AssignorKind::kRoundRobin:
      return "roundrobin";
    case AssignorKind::kSticky:
      return "sticky";
    case AssignorKind::kCooperativeSticky:
      return "cooperative-sticky";
  }
  return "range";
}

std::optional<AssignorKind> AssignorByName(std::string_view name) {
  for (AssignorKind kind : {AssignorKind::kRange, AssignorKind::kRoundRobin, AssignorKind::kSticky,
                            AssignorKind::kCooperativeSticky}) {
    if (AssignorName(kind) == name) return kind;
  }
  return std::nullopt;
}

bool MemberInfoLess(const AssignorSubscription& a, const AssignorSubscription& b) {
  if (a.group_instance_id && b.group_instance_id)
    return *a.group_instance_id < *b.group_instance_id;
  if (a.group_instance_id) return true;
  if (b.group_instance_id) return false;
  return a.member_id < b.member_id;
}

namespace {

bool Subscribes(const AssignorSubscription& member, const std::string& topic) {
  return std::find(member.topics.begin(), member.topics.end(), topic) != member.topics.end();
}

// AbstractPartitionAssignor.assign: only subscribed topics the metadata knows, with partitions.
PartitionCounts SubscribedTopics(const std::vector<AssignorSubscription>& members,
                                 const PartitionCounts& partitions) {
  PartitionCounts out;
  for (const auto& member : members) {
    for (const auto& topic : member.topics) {
      const auto it = partitions.find(topic);
      if (it != partitions.end() && it->second > 0) out[topic] = it->second;
    }
  }
  return out;
}

}  // namespace

GroupAssignment RangeAssign(const std::vector<AssignorSubscription>& members,
                            const PartitionCounts& partitions) {
  GroupAssignment assignment;
  for (const auto& member : members) assignment[member.member_id];
  // Per topic: consumers in MemberInfo order, numeric partitions, the first
  // (partitions % consumers) consumers one extra (RangeAssignor.assignRanges).
  for (const auto& [topic, count] : partitions) {
    if (count <= 0) continue;
    std::vector<const AssignorSubscription*> consumers;
    for (const auto& member : members) {
      if (Subscribes(member, topic)) consumers.push_back(&member);
    }
    if (consumers.empty()) continue;
    std::stable_sort(consumers.begin(), consumers.end(),
                     [](const auto* a, const auto* b) { return MemberInfoLess(*a, *b); });
    const auto n = static_cast<std::int32_t>(consumers.size());
    const std::int32_t per_consumer = count / n;
    const std::int32_t with_extra = count % n;
    for (std::int32_t i = 0; i < n; ++i) {
      const std::int32_t start = per_consumer * i + std::min(i, with_extra);
      const std::int32_t length = per_consumer + (i + 1 > with_extra ? 0 : 1);
      auto& list = assignment[consumers[static_cast<std::size_t>(i)]->member_id];
      for (std::int32_t p = start; p < start + length; ++p) list.push_back({topic, p});
    }
  }
  return assignment;
}

GroupAssignment RoundRobinAssign(const std::vector<AssignorSubscription>& members,
                                 const PartitionCounts& partitions) {
  GroupAssignment assignment;
  if (members.empty()) return assignment;
  for (const auto& member : members) assignment[member.member_id];
  std::vector<const AssignorSubscription*> sorted;
  for (const auto& member : members) sorted.push_back(&member);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto* a, const auto* b) { return MemberInfoLess(*a, *b); });
  // All partitions of all subscribed topics, topics sorted, dealt in member order; a member
  // not subscribed to the partition's topic is skipped (CircularIterator).
  std::size_t next = 0;
  for (const auto& [topic_name, count] : partitions) {
    const std::string& topic = topic_name;  // clang 14 cannot capture a structured binding
    const bool subscribed = std::any_of(sorted.begin(), sorted.end(),
                                        [&](const auto* m) { return Subscribes(*m, topic); });
    if (!subscribed) continue;
    for (std::int32_t p = 0; p < count; ++p) {
      while (!Subscribes(*sorted[next], topic)) next = (next + 1) % sorted.size();
      assignment[sorted[next]->member_id].push_back({topic, p});
      next = (next + 1) % sorted.size();
    }
  }
  return assignment;
}

GroupAssignment Assign(AssignorKind kind, const std::vector<AssignorSubscription>& members,
                       const PartitionCounts& partitions) {
  const PartitionCounts topics = SubscribedTopics(members, partitions);
  switch (kind) {
    case AssignorKind::kRange:
      return RangeAssign(members, topics);
    case AssignorKind::kRoundRobin:
      return RoundRobinAssign(members, topics);
    case AssignorKind::kSticky:
      return StickyAssign(members, topics, false);
    case AssignorKind::kCooperativeSticky:
      return StickyAssign(members, topics, true);
  }
  return {};
}

}  // namespace kafkasim::kafka
