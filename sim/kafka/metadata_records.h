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
#include "storage/log_dump.h"
#include "storage/uuid.h"

namespace kafkasim::kafka {

using BrokerId = std::int32_t;
constexpr BrokerId kNoLeader = -1;
constexpr BrokerId kLeaderUnchanged = -2;  // PartitionChangeRecord: leader field not set

// A 128-bit id (topic ids, incarnation ids, log directory ids), printed as URL-safe base64.
using storage::Uuid;
using storage::UuidFromBase64;

enum class LeaderRecoveryState : std::int8_t { kRecovered = 0, kRecovering = 1 };

struct BrokerEndpoint {
  std::string name;  // listener name, "PLAINTEXT"
  std::string host;
  std::uint16_t port = 0;
  std::int16_t security_protocol = 0;  // SecurityProtocol id: 0 = PLAINTEXT
  bool operator==(const BrokerEndpoint&) const = default;
};
struct BrokerFeature {
  std::string name;  // "metadata.version"
  std::int16_t min_supported_version = 0;
  std::int16_t max_supported_version = 0;
  bool operator==(const BrokerFeature&) const = default;
};

struct RegisterBrokerRecord {  // id 0, written at version 3
  BrokerId broker_id = 0;
  std::int64_t broker_epoch = 0;  // the metadata offset of this record
  std::string rack;               // "" = none
  bool fenced = true;
  bool in_controlled_shutdown = false;
  Uuid incarnation_id;  // new at each start of the broker process
  std::vector<BrokerEndpoint> endpoints;
  std::vector<BrokerFeature> features;
  std::vector<Uuid> log_dirs;  // directory.id of each log dir (KIP-858)
};

struct TopicRecord {  // id 2
  std::string name;
  Uuid topic_id;
};

struct PartitionRecord {  // id 3, written at version 2
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
  // The log directory of each replica, in the order of `replicas` (KIP-858); empty when not
  // known, which is written as DirectoryId.UNASSIGNED for each replica.
  std::vector<Uuid> directories;
};

struct ConfigRecord {  // id 4; resource_type 2 = topic, 4 = broker ("" name = cluster default)
  std::int8_t resource_type = 2;
  std::string resource_name;
  std::string name;
  std::optional<std::string> value;  // nullopt deletes the override
};

struct PartitionChangeRecord {  // id 5, version 2: only the fields that changed are set
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

struct BrokerRegistrationChangeRecord {  // id 17, version 2; fenced: 1 fence, -1 unfence, 0 same
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

struct FeatureLevelRecord {  // id 12: a finalized feature level (metadata.version, ...)
  std::string name;
  std::int16_t feature_level = 0;
};

using MetadataRecord =
    std::variant<RegisterBrokerRecord, TopicRecord, PartitionRecord, ConfigRecord,
                 PartitionChangeRecord, RemoveTopicRecord, BrokerRegistrationChangeRecord,
                 NoOpRecord, ProducerIdsRecord, FeatureLevelRecord>;

// Kafka's record type name ("PartitionChangeRecord").
std::string RecordTypeName(const MetadataRecord& record);

// A record as stored in a metadata log record's value, as Kafka's MetadataRecordSerde writes
// it: frame version 1, api key and record version as unsigned varints, then the record in its
// (flexible) message format with tagged fields. Written at the versions Kafka 4.3 writes with
// ELR and directory assignment on: RegisterBrokerRecord 3, PartitionRecord 2,
// PartitionChangeRecord 2, BrokerRegistrationChangeRecord 2, the others 0.
std::vector<std::uint8_t> EncodeMetadataRecord(const MetadataRecord& record);
struct VersionedMetadataRecord {
  MetadataRecord record;
  std::int16_t version = 0;
};
// Reads every version of the records above; kCorruptMessage for bytes that are not one (never
// reads past them).
Result<VersionedMetadataRecord> DecodeMetadataRecordWithVersion(
    std::span<const std::uint8_t> bytes);
Result<MetadataRecord> DecodeMetadataRecord(std::span<const std::uint8_t> bytes);

// kafka-dump-log.sh --cluster-metadata-decoder's payload for a record value (DumpLogSegments.
// ClusterMetadataLogMessageParser): {"type":"TOPIC_RECORD","version":0,"data":{...}} with the
// data as Kafka's generated JsonConverter writes it, or "Error at OFFSET, skipping. WHY".
std::string ClusterMetadataRecordText(std::span<const std::uint8_t> value, std::int64_t offset);
// The parser as dump-log takes it: no key, the text above as the payload.
storage::RecordParser ClusterMetadataRecordParser();

}  // namespace kafkasim::kafka
