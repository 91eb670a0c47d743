// KRaft metadata records (metadata/src/main/resources/common/metadata/*.json in Kafka): the
// controller's only output. They are replicated through the Raft log of __cluster_metadata
// and replayed in offset order by every controller and broker into a MetadataImage.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "engine/status.h"

namespace kafkasim::kafka {

using BrokerId = std::int32_t;
constexpr BrokerId kNoLeader = -1;
constexpr BrokerId kLeaderUnchanged = -2;  // PartitionChangeRecord: leader field not set

// A 128-bit id (topic ids, incarnation ids). Kafka prints it as URL-safe base64 without padding.
struct Uuid {
  std::uint64_t high = 0;
  std::uint64_t low = 0;
  auto operator<=>(const Uuid&) const = default;
  bool IsZero() const { return high == 0 && low == 0; }
  std::string ToBase64() const;
};
// The inverse of Uuid::ToBase64; kCorruption for text that is not 22 URL-safe base64 chars.
Result<Uuid> UuidFromBase64(const std::string& text);

enum class LeaderRecoveryState : std::int8_t { kRecovered = 0, kRecovering = 1 };

struct RegisterBrokerRecord {  // id 0
  BrokerId broker_id = 0;
  std::int64_t broker_epoch = 0;  // the metadata offset of this record
  std::string rack;               // "" = none
  bool fenced = true;
  bool in_controlled_shutdown = false;
};

struct TopicRecord {  // id 2
  std::string name;
  Uuid topic_id;
};

struct PartitionRecord {  // id 3
  Uuid topic_id;
  std::int32_t partition_id = 0;
  std::vector<BrokerId> replicas;
  std::vector<BrokerId> isr;
  std::vector<BrokerId> elr;
  std::vector<BrokerId> last_known_elr;
  BrokerId leader = kNoLeader;
  LeaderRecoveryState leader_recovery_state = LeaderRecoveryState::kRecovered;
  std::int32_t leader_epoch = 0;
  std::int32_t partition_epoch = 0;
};

struct ConfigRecord {  // id 4; resource_type 2 = topic, 4 = broker ("" name = cluster default)
  std::int8_t resource_type = 2;
  std::string resource_name;
  std::string name;
  std::optional<std::string> value;  // nullopt deletes the override
};

struct PartitionChangeRecord {  // id 5: only the fields that changed are set
  Uuid topic_id;
  std::int32_t partition_id = 0;
  BrokerId leader = kLeaderUnchanged;
  std::optional<std::vector<BrokerId>> isr;
  std::optional<std::vector<BrokerId>> replicas;
  std::optional<std::vector<BrokerId>> elr;
  std::optional<std::vector<BrokerId>> last_known_elr;
  std::optional<LeaderRecoveryState> leader_recovery_state;
};

struct RemoveTopicRecord {  // id 9
  Uuid topic_id;
};

struct BrokerRegistrationChangeRecord {  // id 17; fenced: 1 fence, -1 unfence, 0 unchanged
  BrokerId broker_id = 0;
  std::int64_t broker_epoch = 0;
  std::int8_t fenced = 0;
  std::int8_t in_controlled_shutdown = 0;  // 1 = entered controlled shutdown
};

struct ProducerIdsRecord {  // id 15: a block of producer ids handed to a broker
  BrokerId broker_id = 0;
  std::int64_t broker_epoch = 0;
  std::int64_t producer_ids_end = 0;  // one past the block: the next block starts here
};

struct NoOpRecord {};  // id 20: the idle leader's heartbeat through the log

using MetadataRecord = std::variant<RegisterBrokerRecord, TopicRecord, PartitionRecord,
                                    ConfigRecord, PartitionChangeRecord, RemoveTopicRecord,
                                    BrokerRegistrationChangeRecord, NoOpRecord, ProducerIdsRecord>;

// Kafka's record type name ("PartitionChangeRecord").
std::string RecordTypeName(const MetadataRecord& record);
// Record bytes as stored in the metadata log's record values: a JSON object in the shape of
// kafka-dump-log.sh --cluster-metadata-decoder ({"type":"TOPIC_RECORD","version":0,"data":..}).
std::vector<std::uint8_t> EncodeMetadataRecord(const MetadataRecord& record);
Result<MetadataRecord> DecodeMetadataRecord(std::span<const std::uint8_t> bytes);

}  // namespace kafkasim::kafka
