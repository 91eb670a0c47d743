// The consumer's embedded protocol inside JoinGroup and SyncGroup, byte for byte as Kafka's
// ConsumerProtocol (clients/.../consumer/internals/ConsumerProtocol.java,
// ConsumerProtocolSubscription.json and ConsumerProtocolAssignment.json, version 3, not
// flexible: int16 version, int32 array lengths, int16 string lengths, int32 bytes lengths).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/status.h"
#include "kafka/assignors.h"
#include "kafka/group_records.h"

namespace kafkasim::kafka {

struct ConsumerSubscription {
  std::vector<std::string> topics;
  std::vector<TopicPartition> owned_partitions;
  std::int32_t generation = -1;
  bool operator==(const ConsumerSubscription&) const = default;
};

GroupBytes EncodeSubscription(const ConsumerSubscription& subscription);
// Errc::kCorruption for bytes that are not a subscription of versions 0..3.
Result<ConsumerSubscription> DecodeSubscription(const GroupBytes& bytes);

// An assignment: partitions grouped by topic in the order given.
GroupBytes EncodeAssignment(const std::vector<TopicPartition>& partitions);
// An empty byte string is an empty assignment (a member the leader left out).
Result<std::vector<TopicPartition>> DecodeAssignment(const GroupBytes& bytes);

}  // namespace kafkasim::kafka
