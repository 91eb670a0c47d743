// The Kafka configs a scenario may set, with their types, Kafka's defaults and what the
// simulator does with them: one home for every default (the typed constants below are checked
// against the catalogue's text by tests/kafka/configs_test.cc).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace kafkasim::kafka {

// kList: comma-separated elements, each one of `choices` ("compact,delete").
enum class ConfigType : std::uint8_t { kInt, kLong, kBool, kString, kDouble, kList };

struct ConfigSpec {
  std::string_view name;  // "replica.lag.time.max.ms"
  ConfigType type;
  std::string_view default_value;  // Kafka's default as text: "30000", "true", "delete"
  std::string_view choices;        // for kString with a closed set: "delete,compact"; else ""
  std::int64_t min = 0;            // numeric lower bound (inclusive)
  // Why the simulator does not act on this config, or "" when it does. A scenario or console
  // command that sets it is refused with this reason rather than silently ignored.
  std::string_view not_simulated = "";
  // The one value that is simulated when the others are not ("delete" of cleanup.policy).
  std::string_view simulated_value = "";
};

// The catalogues, sorted by name.
const std::vector<ConfigSpec>& BrokerConfigSpecs();
const std::vector<ConfigSpec>& ControllerConfigSpecs();
const std::vector<ConfigSpec>& TopicConfigSpecs();
// nullptr when `name` is not in the catalogue.
const ConfigSpec* FindConfigSpec(const std::vector<ConfigSpec>& specs, std::string_view name);
// Why setting `spec` to `canonical_value` has no effect in the simulator, or "" when it does.
std::string_view NotSimulatedReason(const ConfigSpec& spec, std::string_view canonical_value);

// Kafka's defaults as the code uses them (ServerLogConfigs, ReplicationConfigs, QuorumConfig,
// LogConfig); each equals its catalogue entry's default_value.
inline constexpr std::int64_t kLogSegmentBytesDefault = 1073741824;  // log.segment.bytes
inline constexpr std::int64_t kLogRollMsDefault = 604800000;         // log.roll.ms, segment.ms
inline constexpr std::int64_t kLogRetentionMsDefault = 604800000;    // log.retention.ms
inline constexpr std::int64_t kLogRetentionBytesDefault = -1;        // log.retention.bytes
inline constexpr std::int64_t kSegmentIndexBytesDefault = 10485760;  // segment.index.bytes
inline constexpr std::int64_t kSegmentJitterMsDefault = 0;           // segment.jitter.ms
inline constexpr std::int32_t kIndexIntervalBytesDefault = 4096;     // index.interval.bytes
inline constexpr std::int32_t kMessageMaxBytesDefault = 1048588;     // message.max.bytes
inline constexpr std::int64_t kFlushMessagesDefault = INT64_MAX;     // log.flush.interval.messages
inline constexpr std::int64_t kReplicaLagTimeMaxMsDefault = 30000;
inline constexpr std::int64_t kReplicaFetchWaitMaxMsDefault = 500;
inline constexpr std::int32_t kReplicaFetchMaxBytesDefault = 1048576;
inline constexpr std::int64_t kReplicaFetchBackoffMsDefault = 1000;
inline constexpr std::int64_t kBrokerHeartbeatIntervalMsDefault = 2000;
inline constexpr std::int64_t kBrokerSessionTimeoutMsDefault = 9000;
inline constexpr std::int64_t kLogRetentionCheckIntervalMsDefault = 300000;
inline constexpr std::int64_t kReplicaHighWatermarkCheckpointIntervalMsDefault = 5000;
inline constexpr std::int64_t kRequestTimeoutMsDefault = 30000;
inline constexpr std::int64_t kLogFlushOffsetCheckpointIntervalMsDefault = 60000;
inline constexpr std::int64_t kLogFlushStartOffsetCheckpointIntervalMsDefault = 60000;
inline constexpr std::int64_t kLogInitialTaskDelayMsDefault = 30000;
inline constexpr std::int32_t kMinInsyncReplicasDefault = 1;
inline constexpr std::int32_t kDefaultReplicationFactorDefault = 1;
inline constexpr std::int32_t kNumPartitionsDefault = 1;
inline constexpr std::int32_t kOffsetsTopicNumPartitionsDefault = 50;
inline constexpr std::int32_t kOffsetsTopicReplicationFactorDefault = 3;
inline constexpr std::int64_t kOffsetsTopicSegmentBytesDefault = 104857600;
inline constexpr std::int32_t kGroupInitialRebalanceDelayMsDefault = 3000;
inline constexpr std::int32_t kGroupMinSessionTimeoutMsDefault = 6000;
inline constexpr std::int32_t kGroupMaxSessionTimeoutMsDefault = 1800000;
inline constexpr std::int64_t kLeaderImbalanceCheckIntervalSecondsDefault = 300;
inline constexpr std::int64_t kMetadataLogSegmentBytesDefault = 1073741824;
inline constexpr std::int64_t kQuorumFetchTimeoutMsDefault = 2000;
inline constexpr std::int64_t kQuorumElectionTimeoutMsDefault = 1000;
inline constexpr std::int64_t kQuorumElectionBackoffMaxMsDefault = 1000;
inline constexpr std::int64_t kQuorumRequestTimeoutMsDefault = 2000;
inline constexpr std::int64_t kQuorumRetryBackoffMsDefault = 20;
inline constexpr std::int64_t kQuorumAppendLingerMsDefault = 25;
inline constexpr std::int64_t kMetadataMaxIdleIntervalMsDefault = 500;
inline constexpr std::string_view kLogDirsDefault = "/tmp/kraft-combined-logs";

}  // namespace kafkasim::kafka
