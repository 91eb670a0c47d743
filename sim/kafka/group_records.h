// The records the group coordinator writes to __consumer_offsets, byte for byte in Kafka's
// schema (group-coordinator/src/main/resources/common/message/{OffsetCommit,GroupMetadata}
// {Key,Value}.json): a key is an int16 version then the struct; a value likewise, and a null
// value is a tombstone. Kafka 3.x/4.0 write OffsetCommitKey v1 + OffsetCommitValue v3 (v1 when
// an expire timestamp is set) and GroupMetadataKey v2 + GroupMetadataValue v3.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "engine/status.h"

namespace kafkasim::kafka {

using GroupBytes = std::vector<std::uint8_t>;

struct OffsetCommitKey {
  std::string group;
  std::string topic;
  std::int32_t partition = 0;
  bool operator==(const OffsetCommitKey&) const = default;
};

struct OffsetCommitValue {
  std::int64_t offset = 0;
  std::int32_t leader_epoch = -1;
  std::string metadata;
  std::int64_t commit_timestamp = 0;
  std::int64_t expire_timestamp = -1;  // only in version 1
  bool operator==(const OffsetCommitValue&) const = default;
};

struct GroupMetadataKey {
  std::string group;
  bool operator==(const GroupMetadataKey&) const = default;
};

struct GroupMemberMetadata {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  std::int32_t rebalance_timeout = -1;
  std::int32_t session_timeout = 0;
  GroupBytes subscription;
  GroupBytes assignment;
  bool operator==(const GroupMemberMetadata&) const = default;
};

struct GroupMetadataValue {
  std::string protocol_type;
  std::int32_t generation = 0;
  std::optional<std::string> protocol;
  std::optional<std::string> leader;
  std::int64_t current_state_timestamp = -1;
  std::vector<GroupMemberMetadata> members;
  bool operator==(const GroupMetadataValue&) const = default;
};

// One record for __consumer_offsets: key and (unless a tombstone) value bytes.
struct GroupRecord {
  GroupBytes key;
  std::optional<GroupBytes> value;
};

GroupRecord OffsetCommitRecord(const OffsetCommitKey& key, const OffsetCommitValue& value);
GroupRecord OffsetCommitTombstone(const OffsetCommitKey& key);
GroupRecord GroupMetadataRecord(const GroupMetadataKey& key, const GroupMetadataValue& value);
GroupRecord GroupMetadataTombstone(const GroupMetadataKey& key);

// A decoded record (GroupCoordinatorRecordSerde.deserialize for the classic types). Value
// is nullopt for a tombstone.
struct DecodedOffsetCommit {
  OffsetCommitKey key;
  std::optional<OffsetCommitValue> value;
};
struct DecodedGroupMetadata {
  GroupMetadataKey key;
  std::optional<GroupMetadataValue> value;
};
using DecodedGroupRecord = std::variant<DecodedOffsetCommit, DecodedGroupMetadata>;

// Errc::kCorruption naming the field for truncated or malformed bytes, kInvalidArgument for a
// key version this coordinator does not write (3+: KIP-848 consumer group records).
Result<DecodedGroupRecord> DecodeGroupRecord(const GroupBytes& key,
                                             const std::optional<GroupBytes>& value);

}  // namespace kafkasim::kafka
