// The KIP-848 server-side assignors the group coordinator runs itself
// (group.consumer.assignors, default "uniform" then "range"): Kafka's
// group-coordinator/.../assignor/UniformHomogeneousAssignmentBuilder.java and RangeAssignor.java.
// Both are sticky: they start from the group's previous target assignment. Pure functions.
// Where Kafka iterates groupSpec.memberIds() (a HashMap keyed by member id), members are taken
// in the order given: the coordinator passes them sorted by member id.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kafka/assignors.h"

namespace kafkasim::kafka {

enum class ServerAssignorKind { kUniform, kRange };

// "uniform", "range" (UniformAssignor.UNIFORM_ASSIGNOR_NAME, RangeAssignor.RANGE_ASSIGNOR_NAME).
std::string_view ServerAssignorName(ServerAssignorKind kind);
std::optional<ServerAssignorKind> ServerAssignorByName(std::string_view name);

struct ServerAssignorMember {
  std::string member_id;
  std::vector<std::string> topics;  // subscribed topic names
  // The member's partitions in the previous target assignment (empty for a new member).
  std::vector<TopicPartition> target;
};

// The new target assignment: every member gets an entry, its partitions sorted. Topics missing
// from `partitions` are skipped (Kafka leaves a subscribed but unknown topic out of the
// subscription metadata).
GroupAssignment ServerAssign(ServerAssignorKind kind,
                             const std::vector<ServerAssignorMember>& members,
                             const PartitionCounts& partitions);

}  // namespace kafkasim::kafka
