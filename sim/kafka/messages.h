// Kafka RPCs between simulated brokers, controllers and clients: one Payload type whose body is
// a variant, in the shape of Kafka's request/response schemas (only the fields the simulation
// needs). Raft RPCs travel as raft::RaftMessage instead.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "engine/message.h"
#include "engine/status.h"
#include "kafka/controller_logic.h"
#include "kafka/group_coordinator.h"
#include "kafka/metadata_records.h"

namespace kafkasim::kafka {

struct ProducedRecord {
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::int64_t timestamp_ms = 0;
};

// A record as a consumer sees it.
struct ConsumedRecord {
  std::int64_t offset = 0;
  std::int64_t timestamp_ms = 0;
  bool log_append_time = false;  // the batch's timestamp type: LogAppendTime, else CreateTime
  std::int32_t leader_epoch = -1;
  std::optional<std::string> key;
  std::optional<std::string> value;
};

// --- Controller RPCs (brokers and admin clients to the active controller) ---
// The requests BrokerRegistrationRequest, BrokerHeartbeatRequest and AlterPartitionRequest are
// the controller logic's own structs (kafka/controller_logic.h).

struct BrokerRegistrationResponse {
  Errc error = Errc::kNone;
  std::int64_t broker_epoch = -1;
};
struct BrokerHeartbeatResponse {
  Errc error = Errc::kNone;
  bool is_caught_up = false;
  bool is_fenced = true;
  bool should_shut_down = false;
};
struct AlterPartitionResponse {
  Errc error = Errc::kNone;
  std::string topic;
  std::int32_t partition = 0;
  std::vector<BrokerId> isr;
  std::int32_t leader_epoch = 0;
  std::int32_t partition_epoch = 0;
};
struct CreateTopicsRequest {
  std::string name;
  std::int32_t partitions = 1;
  std::int32_t replication_factor = 1;
  // Manual placement (CreatableReplicaAssignment), partition i's brokers at [i]; when given,
  // partitions and replication_factor are -1 as the request requires.
  std::vector<std::vector<BrokerId>> assignments;
  std::vector<std::pair<std::string, std::string>> configs;
};
struct DeleteTopicsRequest {
  std::string name;
};
// CreatePartitions (kafka-topics.sh --alter --partitions N): grow a topic to `count`.
struct CreatePartitionsRequest {
  std::string name;
  std::int32_t count = 0;
};
struct ElectLeadersRequest {
  bool unclean = false;  // election type: preferred (false) or unclean
  std::vector<std::pair<std::string, std::int32_t>> partitions;  // empty: all
};
// IncrementalAlterConfigs (API key 44, kafka-configs.sh --alter) for one topic, to the
// controller: each config set to a value, or deleted (nullopt). Answered with an AdminResponse.
struct IncrementalAlterConfigsRequest {
  std::string topic;
  std::map<std::string, std::optional<std::string>> changes;
};
// Generic answer to admin requests: Kafka error plus the message the tool prints.
struct AdminResponse {
  Errc error = Errc::kNone;
  std::string message;
  std::vector<std::string> lines;  // per-partition results for elections
  std::string topic;               // CreateTopics: the topic asked for
};

// --- Data plane ---

struct ProduceRequest {
  std::int64_t correlation_id = 0;
  std::string topic;
  std::int32_t partition = 0;
  std::int16_t acks = -1;  // 0, 1 or -1 (all)
  Duration timeout = Milliseconds(30000);
  // One record batch v2 as the producer built it (base offset 0, partition leader epoch -1,
  // its producer id, epoch and base sequence, compressed or not). A retry re-sends the same
  // bytes, so the leader can recognise it (ProducerStateManager); the leader validates them
  // and assigns offsets in place (LogValidator).
  std::vector<std::uint8_t> records;
};
struct ProduceResponse {
  std::int64_t correlation_id = 0;
  std::string topic;
  std::int32_t partition = 0;
  Errc error = Errc::kNone;
  std::int64_t base_offset = -1;
  std::string error_message;
  // With NOT_LEADER_OR_FOLLOWER: the partition's leader and leader epoch as the broker knows
  // them, or -1 and -1 (ProduceResponse v10+ CurrentLeader, KIP-951).
  BrokerId current_leader = kNoLeader;
  std::int32_t current_leader_epoch = -1;
};

// InitProducerId without a transactional.id: any broker hands an idempotent producer a new
// producer id at epoch 0 (TransactionCoordinator.handleInitProducerId). Retriable error:
// COORDINATOR_LOAD_IN_PROGRESS while the broker waits for a block of ids.
struct InitProducerIdRequest {
  std::int64_t correlation_id = 0;
};
struct InitProducerIdResponse {
  std::int64_t correlation_id = 0;
  Errc error = Errc::kNone;
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
};
// AllocateProducerIds (broker to active controller, KIP-730): the next block of producer ids,
// recorded as a ProducerIdsRecord in the metadata log before the answer.
struct AllocateProducerIdsRequest {
  BrokerId broker_id = 0;
  std::int64_t broker_epoch = -1;
};
struct AllocateProducerIdsResponse {
  Errc error = Errc::kNone;
  std::int64_t producer_id_start = -1;
  std::int32_t producer_id_len = 0;
};

struct FetchPartition {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t fetch_offset = 0;
  std::int32_t last_fetched_epoch = -1;
  std::int32_t current_leader_epoch = -1;
  std::int64_t log_start_offset = 0;  // follower's, for the leader's view
};
struct FetchRequest {
  std::int64_t correlation_id = 0;
  BrokerId replica_id = -1;  // -1 for consumers
  std::int64_t broker_epoch = -1;
  Duration max_wait = Milliseconds(500);
  std::int32_t max_bytes = 1048576;  // per partition (replica.fetch.max.bytes)
  // The bytes to wait for (fetch.min.bytes): a fetch with fewer waits in the purgatory until
  // there are this many or max_wait passes (ReplicaManager.fetchMessages, DelayedFetch).
  std::int32_t min_bytes = 1;
  std::vector<FetchPartition> partitions;
};
struct FetchedPartition {
  std::string topic;
  std::int32_t partition = 0;
  Errc error = Errc::kNone;
  std::int64_t high_watermark = -1;
  std::int64_t log_start_offset = -1;
  std::int64_t log_end_offset = -1;
  // Set when the fetch offset diverges from the leader's log (KIP-320/KIP-595).
  std::optional<std::pair<std::int32_t, std::int64_t>> diverging_epoch;  // (epoch, end offset)
  std::vector<std::uint8_t> records;  // raw record batches, as stored by the leader
};
struct FetchResponse {
  std::int64_t correlation_id = 0;
  Errc error = Errc::kNone;
  std::vector<FetchedPartition> partitions;
};

struct ListOffsetsRequest {
  std::int64_t correlation_id = 0;
  std::string topic;
  std::int32_t partition = 0;
  bool earliest = true;  // earliest (-2) or latest (-1)
};
struct ListOffsetsResponse {
  std::int64_t correlation_id = 0;
  std::string topic;
  std::int32_t partition = 0;
  Errc error = Errc::kNone;
  std::int64_t offset = -1;
};

struct MetadataRequest {
  std::int64_t correlation_id = 0;
  // The topics the client needs besides the full list every response carries; one the cluster
  // does not have gets an error in topic_errors (and is created when allowed).
  std::vector<std::string> topics;
  bool allow_auto_topic_creation = false;
};
struct PartitionMetadata {
  std::string topic;
  std::int32_t partition = 0;
  BrokerId leader = kNoLeader;
  std::int32_t leader_epoch = 0;
  Uuid topic_id;  // tells a topic created again under the same name from the one before
};
struct MetadataResponse {
  std::int64_t correlation_id = 0;
  std::vector<BrokerId> live_brokers;
  std::vector<PartitionMetadata> partitions;
  // Requested topics the cluster does not have: UNKNOWN_TOPIC_OR_PARTITION,
  // LEADER_NOT_AVAILABLE (ZooKeeper mode, being created) or INVALID_TOPIC_EXCEPTION.
  std::vector<std::pair<std::string, Errc>> topic_errors;
};

// --- ZooKeeper mode: the controller's requests to brokers (ControllerChannelManager) ---

// One partition's state as the ZooKeeper-mode controller sends it (LeaderAndIsrPartitionState,
// UpdateMetadataPartitionState): partition_epoch is the state znode's zkVersion.
struct ZkPartitionState {
  std::string topic;
  Uuid topic_id;
  std::int32_t partition = 0;
  std::int32_t controller_epoch = 0;
  BrokerId leader = kNoLeader;
  std::int32_t leader_epoch = 0;
  std::vector<BrokerId> isr;
  std::int32_t partition_epoch = 0;
  std::vector<BrokerId> replicas;
};
struct ZkLiveBroker {
  BrokerId id = 0;
  std::int64_t epoch = 0;  // the czxid of its /brokers/ids/<id> znode
  std::string rack;
};
// LeaderAndIsr (API key 4): the partitions a broker hosts, with their leader and ISR.
struct LeaderAndIsrRequest {
  BrokerId controller_id = 0;
  std::int32_t controller_epoch = 0;
  std::int64_t broker_epoch = -1;
  std::vector<ZkPartitionState> partitions;
  // Our shortcut for LogManager reading /config/topics/<topic> when it creates a log
  // (fetchLogConfig): the overrides of the topics named, so a new log opens with them.
  std::map<std::string, std::map<std::string, std::string>> topic_configs;
};
// UpdateMetadata (API key 6): the live brokers and every partition's state, plus (our
// shortcut for the brokers' /config/topics watchers) the topic config overrides.
struct UpdateMetadataRequest {
  BrokerId controller_id = 0;
  std::int32_t controller_epoch = 0;
  std::int64_t broker_epoch = -1;
  std::vector<ZkLiveBroker> live_brokers;
  std::vector<ZkPartitionState> partitions;
  std::map<std::string, std::map<std::string, std::string>> topic_configs;
};
// LeaderAndIsr.LeaderDuringDelete: the leader an UpdateMetadata names for the partitions of a
// topic being deleted, so that brokers drop them from their metadata cache.
inline constexpr BrokerId kLeaderDuringDelete = -2;

// StopReplica (API key 5).
struct StopReplicaRequest {
  BrokerId controller_id = 0;
  std::int32_t controller_epoch = 0;
  std::string topic;
  std::int32_t partition = 0;
  bool delete_partition = false;
};
// The answer to a StopReplica with deletion (the controller's TopicDeletionManager waits for
// one per replica; the answer to a StopReplica without deletion is not modelled, nobody reads
// it).
struct StopReplicaResponse {
  std::string topic;
  std::int32_t partition = 0;
  Errc error = Errc::kNone;
};

// ControlledShutdown (API key 7), ZooKeeper mode: a broker stopping cleanly asks the controller
// to move its leaderships away first (KafkaServer.controlledShutdown). The answer lists the
// partitions it still leads; the broker tries again until there are none (or gives up).
struct ControlledShutdownRequest {
  BrokerId broker_id = 0;
  std::int64_t broker_epoch = -1;
};
struct ControlledShutdownResponse {
  Errc error = Errc::kNone;  // NOT_CONTROLLER, STALE_BROKER_EPOCH, BROKER_NOT_AVAILABLE
  std::vector<TopicPartition> remaining_partitions;
};

// --- Consumer groups ---

// FindCoordinator (key type GROUP) to any broker: the leader of the group's __consumer_offsets
// partition. COORDINATOR_NOT_AVAILABLE while that topic is being created or has no leader.
struct FindCoordinatorRequest {
  std::int64_t correlation_id = 0;
  std::string key;  // the group id
};
struct FindCoordinatorResponse {
  std::int64_t correlation_id = 0;
  std::string key;
  Errc error = Errc::kNone;
  BrokerId node_id = -1;
};

// ListGroups (key 16) to one broker: the groups its coordinators hold, with their protocol type
// (GroupCoordinatorService.listGroups); a client that wants every group asks every broker.
struct ListGroupsRequest {
  std::int64_t correlation_id = 0;
};
struct ListGroupsResponse {
  std::int64_t correlation_id = 0;
  Errc error = Errc::kNone;
  std::vector<std::pair<std::string, std::string>> groups;  // (group id, protocol type)
};

// DescribeConfigs (key 32) for topics, to any broker: each topic's overrides as its metadata
// holds them (ConfigSource DYNAMIC_TOPIC_CONFIG; the defaults an admin client would also see
// are left out, as MirrorSourceConnector.targetConfig drops them). A topic the broker does not
// know is listed in `unknown` (UNKNOWN_TOPIC_OR_PARTITION).
struct DescribeConfigsRequest {
  std::int64_t correlation_id = 0;
  std::vector<std::string> topics;
};
struct DescribeConfigsResponse {
  std::int64_t correlation_id = 0;
  std::map<std::string, std::map<std::string, std::string>> configs;
  std::vector<std::string> unknown;
};

// JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit and OffsetFetch to the group's
// coordinator: the group coordinator's own request structs (kafka/group_coordinator.h).
using GroupRequestBody =
    std::variant<JoinGroupRequest, SyncGroupRequest, HeartbeatRequest, LeaveGroupRequest,
                 OffsetCommitRequest, OffsetFetchRequest, ConsumerGroupHeartbeatRequest>;
struct GroupRequestMessage {
  std::int64_t correlation_id = 0;
  GroupRequestBody request;
};
struct GroupResponseMessage {
  std::int64_t correlation_id = 0;
  GroupResponseBody response;
};

using KafkaBody = std::variant<
    BrokerRegistrationRequest, BrokerRegistrationResponse, BrokerHeartbeatRequest,
    BrokerHeartbeatResponse, AlterPartitionRequest, AlterPartitionResponse, CreateTopicsRequest,
    DeleteTopicsRequest, ElectLeadersRequest, AdminResponse, ProduceRequest, ProduceResponse,
    FetchRequest, FetchResponse, ListOffsetsRequest, ListOffsetsResponse, MetadataRequest,
    MetadataResponse, CreatePartitionsRequest, InitProducerIdRequest, InitProducerIdResponse,
    AllocateProducerIdsRequest, AllocateProducerIdsResponse, LeaderAndIsrRequest,
    UpdateMetadataRequest, StopReplicaRequest, FindCoordinatorRequest, FindCoordinatorResponse,
    GroupRequestMessage, GroupResponseMessage, ControlledShutdownRequest,
    ControlledShutdownResponse, StopReplicaResponse, ListGroupsRequest, ListGroupsResponse,
    DescribeConfigsRequest, DescribeConfigsResponse, IncrementalAlterConfigsRequest>;

class KafkaMessage final : public Payload {
 public:
  explicit KafkaMessage(KafkaBody message_body) : body(std::move(message_body)) {}
  MessageClass Class() const override;
  std::string Name() const override;
  std::string Describe() const override;

  template <typename T>
  const T* Get() const {
    return std::get_if<T>(&body);
  }

  KafkaBody body;
};

}  // namespace kafkasim::kafka
