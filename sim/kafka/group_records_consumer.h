// The KIP-848 consumer group records of __consumer_offsets, byte for byte in Kafka's schema
// (group-coordinator/src/main/resources/common/message/ConsumerGroup*{Key,Value}.json): the key
// is an int16 record type (3 metadata, 5 member metadata, 6 target assignment metadata, 7
// target assignment member, 8 current member assignment) then the non-flexible struct; the
// value is an int16 version (0) then a flexible struct (compact strings and arrays, tagged
// fields). Types 4 (partition metadata) is no longer written since 4.1 (KIP-1101) and is not
// written here; the MetadataHash tag of the metadata value is left out (not modelled).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "engine/status.h"
#include "kafka/group_records.h"
#include "kafka/metadata_records.h"

namespace kafkasim::kafka {

// Kafka's MemberState byte values (coordinator/group/modern/consumer... MemberState.java).
enum class ConsumerMemberState : std::int8_t {
  kStable = 0,
  kUnrevokedPartitions = 1,
  kUnreleasedPartitions = 2,
};

struct TopicIdPartitions {
  Uuid topic_id;
  std::vector<std::int32_t> partitions;
  bool operator==(const TopicIdPartitions&) const = default;
};

struct ConsumerGroupMetadataValue {  // type 3
  std::int32_t epoch = 0;
  bool operator==(const ConsumerGroupMetadataValue&) const = default;
};

struct ConsumerGroupMemberMetadataValue {  // type 5
  std::optional<std::string> instance_id;
  std::optional<std::string> rack_id;
  std::string client_id;
  std::string client_host;
  std::vector<std::string> subscribed_topic_names;
  std::optional<std::string> subscribed_topic_regex;
  std::int32_t rebalance_timeout_ms = -1;
  std::optional<std::string> server_assignor;
  bool operator==(const ConsumerGroupMemberMetadataValue&) const = default;
};

struct ConsumerGroupTargetAssignmentMetadataValue {  // type 6
  std::int32_t assignment_epoch = 0;
  bool operator==(const ConsumerGroupTargetAssignmentMetadataValue&) const = default;
};

struct ConsumerGroupTargetAssignmentMemberValue {  // type 7
  std::vector<TopicIdPartitions> topic_partitions;
  bool operator==(const ConsumerGroupTargetAssignmentMemberValue&) const = default;
};

struct ConsumerGroupCurrentMemberAssignmentValue {  // type 8
  std::int32_t member_epoch = 0;
  std::int32_t previous_member_epoch = 0;
  ConsumerMemberState state = ConsumerMemberState::kStable;
  std::vector<TopicIdPartitions> assigned_partitions;
  std::vector<TopicIdPartitions> partitions_pending_revocation;
  bool operator==(const ConsumerGroupCurrentMemberAssignmentValue&) const = default;
};

using ConsumerGroupRecordValue =
    std::variant<ConsumerGroupMetadataValue, ConsumerGroupMemberMetadataValue,
                 ConsumerGroupTargetAssignmentMetadataValue,
                 ConsumerGroupTargetAssignmentMemberValue,
                 ConsumerGroupCurrentMemberAssignmentValue>;

// Record types of the keys (CoordinatorRecordType).
inline constexpr std::int16_t kConsumerGroupMetadataType = 3;
inline constexpr std::int16_t kConsumerGroupMemberMetadataType = 5;
inline constexpr std::int16_t kConsumerGroupTargetAssignmentMetadataType = 6;
inline constexpr std::int16_t kConsumerGroupTargetAssignmentMemberType = 7;
inline constexpr std::int16_t kConsumerGroupCurrentMemberAssignmentType = 8;

// A decoded consumer group record: its type, group, member ("" for the group-level types) and
// value (nullopt: a tombstone).
struct DecodedConsumerGroupRecord {
  std::int16_t type = 0;
  std::string group_id;
  std::string member_id;
  std::optional<ConsumerGroupRecordValue> value;
};

// The record for `value` (its type follows from the alternative); member_id is ignored by the
// group-level types 3 and 6.
GroupRecord ConsumerGroupRecord(const std::string& group_id, const std::string& member_id,
                                const ConsumerGroupRecordValue& value);
// The tombstone of a record of `type`.
GroupRecord ConsumerGroupTombstone(std::int16_t type, const std::string& group_id,
                                   const std::string& member_id);
// Whether a key's type is one of the five above (the classic types are 0-2).
bool IsConsumerGroupRecordKey(const GroupBytes& key);
// Errc::kCorruption naming the field for truncated or malformed bytes; kInvalidArgument for a
// key type that is not one of the five.
Result<DecodedConsumerGroupRecord> DecodeConsumerGroupRecord(
    const GroupBytes& key, const std::optional<GroupBytes>& value);

}  // namespace kafkasim::kafka
