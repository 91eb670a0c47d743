// The consumer's partition assignors, with Kafka's results for the same input: range,
// roundrobin, sticky and cooperative-sticky (clients/.../consumer/{Range,RoundRobin,Sticky,
// CooperativeSticky}Assignor.java, internals/AbstractStickyAssignor.java). The group leader runs
// one of them over every member's subscription; the coordinator only relays the result.
// Pure functions: no clock, no randomness. Racks are not modelled (no client.rack).
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kafka/topic_partition.h"

namespace kafkasim::kafka {

// One member's ConsumerProtocolSubscription (v2+: owned partitions and generation as fields).
struct AssignorSubscription {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::vector<std::string> topics;
  // What the member owned in its last generation (sticky assignors only).
  std::vector<TopicPartition> owned_partitions;
  std::int32_t generation = -1;  // AbstractStickyAssignor.DEFAULT_GENERATION
};

// Topic name -> partition count, for the topics the cluster knows.
using PartitionCounts = std::map<std::string, std::int32_t>;
// Member id -> its partitions, in the order Kafka's assignor lists them.
using GroupAssignment = std::map<std::string, std::vector<TopicPartition>>;

enum class AssignorKind { kRange, kRoundRobin, kSticky, kCooperativeSticky };

// Kafka's names: "range", "roundrobin", "sticky", "cooperative-sticky".
std::string_view AssignorName(AssignorKind kind);
std::optional<AssignorKind> AssignorByName(std::string_view name);
// Whether the assignor supports the COOPERATIVE rebalance protocol (only cooperative-sticky).
constexpr bool SupportsCooperative(AssignorKind kind) {
  return kind == AssignorKind::kCooperativeSticky;
}

// Runs an assignor as ConsumerCoordinator.onLeaderElected does. `members` is in the order the
// JoinGroup response listed them: Kafka puts them in a HashMap, whose iteration order decides
// ties in the sticky assignors, so the same order gives the same result. Subscribed topics
// missing from `partitions` (or with no partitions) are skipped. Every member gets an entry.
GroupAssignment Assign(AssignorKind kind, const std::vector<AssignorSubscription>& members,
                       const PartitionCounts& partitions);

// The individual assignors over topics that exist (see Assign).
GroupAssignment RangeAssign(const std::vector<AssignorSubscription>& members,
                            const PartitionCounts& partitions);
GroupAssignment RoundRobinAssign(const std::vector<AssignorSubscription>& members,
                                 const PartitionCounts& partitions);
// StickyAssignor (cooperative = false) or CooperativeStickyAssignor (cooperative = true: a
// partition changing owner is left out of its new owner's assignment until the old owner has
// revoked it and the group has rebalanced again).
GroupAssignment StickyAssign(const std::vector<AssignorSubscription>& members,
                             const PartitionCounts& partitions, bool cooperative);

// Kafka's MemberInfo order: members with a group.instance.id first, by instance id; then the
// rest by member id.
bool MemberInfoLess(const AssignorSubscription& a, const AssignorSubscription& b);

}  // namespace kafkasim::kafka
