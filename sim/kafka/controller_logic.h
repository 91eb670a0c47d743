// The active KRaft controller's decisions as pure code (Kafka's QuorumController managers:
// ClusterControlManager, BrokerHeartbeatManager, ReplicationControlManager): requests and timers
// in, metadata records plus one-line explanations out. No clock, network or Raft inside.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/prng.h"
#include "engine/status.h"
#include "engine/time.h"
#include "kafka/metadata_image.h"
#include "kafka/metadata_records.h"
#include "kafka/partition_change.h"
#include "kafka/topic_partition.h"

namespace kafkasim::kafka {

struct ControllerConfig {
  std::int64_t broker_session_timeout_ms = 9000;
  std::int64_t broker_heartbeat_interval_ms = 2000;
  bool unclean_leader_election_enable = false;  // cluster default; a topic config overrides it
  std::int32_t default_min_insync_replicas = 1;
  std::int32_t default_replication_factor = 1;
  std::int32_t num_partitions = 1;
  // KIP-966 (feature eligible.leader.replicas.version=1): off in 4.0, on for new clusters since
  // 4.1; scenarios format their clusters with it on unless they say otherwise.
  bool eligible_leader_replicas_enable = false;
  bool auto_leader_rebalance_enable = true;
  std::int64_t leader_imbalance_check_interval_seconds = 300;
  std::int64_t unclean_election_check_interval_ms = 300000;  // KAFKA-12670
  // Static broker-level settings (server.properties names): the fallback of topic configs
  // after topic overrides and dynamic cluster configs in the image.
  std::map<std::string, std::string> cluster_configs;
};

// Records to append to the metadata log, in order, and a human line for each decision (for the
// trace: "fenced broker 1: no heartbeat for 9000 ms").
struct ControllerChanges {
  std::vector<MetadataRecord> records;
  std::vector<std::string> notes;
  // Teachable paths taken (for KSIM_PROBE / NodeEnv::Probe), in order, repeats kept:
  // "controller.fence_broker", "controller.unfence_broker", "broker.controlled_shutdown",
  // "isr.shrink", "isr.expand", "partition.offline", "leader.election.clean",
  // "leader.election.unclean", "leader.election.elr", "leader.election.preferred", "elr.grow",
  // "controller.allocate_producer_ids".
  std::vector<std::string> probes;
  bool empty() const { return records.empty(); }
};

struct BrokerRegistrationRequest {
  BrokerId broker_id = 0;
  std::string rack;                       // "" = none
  Uuid incarnation_id;                    // new each broker process start
  std::vector<BrokerEndpoint> listeners;  // its advertised listeners
  std::vector<BrokerFeature> features;    // the feature ranges it supports
  std::vector<Uuid> log_dirs;             // directory.id of each of its log dirs
  // KIP-966: the epoch of the registration the broker shut down cleanly from, -1 if it did not
  // (a crash): an uncleanly restarted broker is dropped from ELRs.
  std::int64_t previous_broker_epoch = -1;
};

struct RegisterResult {
  Status status;  // DUPLICATE_BROKER_REGISTRATION while another incarnation's session is alive
  ControllerChanges changes;
  std::int64_t broker_epoch = -1;  // the offset the RegisterBrokerRecord will take
};

struct BrokerHeartbeatRequest {
  BrokerId broker_id = 0;
  std::int64_t broker_epoch = 0;
  std::int64_t current_metadata_offset = -1;  // the last metadata offset the broker applied
  bool want_fence = false;
  bool want_shut_down = false;
};

// BrokerHeartbeatManager.BrokerControlState.
enum class BrokerControlState : std::uint8_t {
  kFenced,
  kUnfenced,
  kControlledShutdown,
  kShutdownNow
};
std::string_view BrokerControlStateName(BrokerControlState state);  // "FENCED", ...

struct HeartbeatResult {
  Status status;  // BROKER_ID_NOT_REGISTERED, STALE_BROKER_EPOCH
  ControllerChanges changes;
  BrokerControlState state = BrokerControlState::kFenced;  // after this heartbeat
  bool is_caught_up = false;  // current_metadata_offset >= the registration's offset
  bool is_fenced = true;
  bool in_controlled_shutdown = false;
  bool should_shut_down = false;
};

struct CreatedTopic {
  Uuid topic_id;
  std::int32_t num_partitions = 0;
  std::int32_t replication_factor = 0;
  ControllerChanges changes;  // TopicRecord, ConfigRecords (overrides), PartitionRecords
};

struct AlterPartitionRequest {
  BrokerId broker_id = 0;  // the partition leader sending it
  std::int64_t broker_epoch = 0;
  Uuid topic_id;
  std::int32_t partition = 0;
  std::int32_t leader_epoch = 0;
  std::int32_t partition_epoch = 0;
  std::vector<BrokerId> new_isr;
  LeaderRecoveryState leader_recovery_state = LeaderRecoveryState::kRecovered;
};

struct AlterPartitionResult {
  // STALE_BROKER_EPOCH, UNKNOWN_TOPIC_ID, UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER,
  // FENCED_LEADER_EPOCH, INVALID_UPDATE_VERSION, INVALID_REQUEST, INELIGIBLE_REPLICA.
  Status status;
  ControllerChanges changes;  // empty when the ISR is already the requested one
  // On success: the partition as it reads once `changes` are replayed (the response carries
  // its leader, leader_epoch, partition_epoch and ISR).
  PartitionRegistration partition;
};

// ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE.
constexpr std::int32_t kProducerIdBlockSize = 1000;

struct ProducerIdsBlock {
  BrokerId assigned_broker = -1;
  std::int64_t first_producer_id = 0;
  std::int32_t size = 0;
};

struct AllocateProducerIdsResult {
  Status status;              // STALE_BROKER_EPOCH, UNKNOWN_SERVER_ERROR (ids exhausted)
  ControllerChanges changes;  // one ProducerIdsRecord
  ProducerIdsBlock block;
};

enum class ElectionType : std::uint8_t { kPreferred = 0, kUnclean = 1 };

struct ElectLeadersResult {
  ControllerChanges changes;
  // Per partition: NONE, ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE,
  // ELIGIBLE_LEADERS_NOT_AVAILABLE or UNKNOWN_TOPIC_OR_PARTITION.
  std::map<TopicPartition, Status> partitions;
};

// The lines kafka-leader-election.sh prints for an election's outcome, as the admin response
// lines of either controller (KRaft or ZooKeeper-based).
std::vector<std::string> ElectLeadersLines(const ElectLeadersResult& result, bool unclean);

// Topic.validate: INVALID_TOPIC_EXCEPTION, with Kafka's message, for an empty name, "." or
// "..", more than 249 characters, or a character other than [a-zA-Z0-9._-].
Status ValidateTopicName(const std::string& name);

class ControllerLogic {
 public:
  explicit ControllerLogic(ControllerConfig config);

  // Every record, committed or just generated here, in log order.
  void Replay(const MetadataRecord& record, std::int64_t offset);
  const MetadataImage& image() const { return image_; }
  const ControllerConfig& config() const { return config_; }

  // On becoming the active controller, after replaying the log: every registered broker's
  // session starts now (KAFKA-19130: sessions are not replicated, so a dead broker is fenced only
  // a full session timeout after the failover).
  void Activate(Time now);
  // On losing leadership: the heartbeat state is dropped.
  void Deactivate();
  bool active() const { return active_; }

  // `next_offset`: the log offset the first returned record will take.
  RegisterResult RegisterBroker(const BrokerRegistrationRequest& request, std::int64_t next_offset,
                                Time now);
  HeartbeatResult Heartbeat(const BrokerHeartbeatRequest& request, std::int64_t next_offset,
                            Time now);
  // Fences every unfenced broker whose last heartbeat is older than the session timeout: drops
  // it from ISRs, moves its leaderships, then BrokerRegistrationChange fenced=1.
  ControllerChanges FenceExpiredBrokers(Time now);
  // ZooKeeper mode (KafkaController.onBrokerChange): the brokers /brokers/ids lists, with the
  // czxid of each znode as its epoch. A broker no longer listed (or back with a new epoch: a
  // bounced broker) leaves ISRs and leaderships as a fenced one does; a new or returning one
  // is registered and unfenced, and leaderless partitions get leaders.
  ControllerChanges ApplyLiveBrokers(const std::map<BrokerId, std::int64_t>& live,
                                     const std::map<BrokerId, std::string>& racks) const;
  // ZooKeeper mode's ControlledShutdown (KafkaController.doControlledShutdown, Kafka 3.9): marks
  // the broker as shutting down (no longer a leader candidate nor an ISR newcomer), moves the
  // leadership of each partition it leads with more than one replica to another live in-sync
  // replica (ControlledShutdownPartitionLeaderElectionStrategy: first in assignment order, never
  // unclean; with none, the partition stays where it is), and drops it from the ISR of the
  // partitions it follows (OfflineReplica). Errors: STALE_BROKER_EPOCH (an older epoch than
  // the registration's), BROKER_NOT_AVAILABLE (not a live broker).
  Result<ControllerChanges> ControlledShutdownZk(BrokerId broker, std::int64_t broker_epoch) const;
  // The partitions `broker` leads, in name order (the ControlledShutdownResponse's remaining).
  std::vector<TopicPartition> PartitionsLedBy(BrokerId broker) const;
  // When the next session can expire (nullopt: no live session); call FenceExpiredBrokers then.
  std::optional<Time> NextSessionExpiry() const;

  // Errors: INVALID_TOPIC_EXCEPTION, TOPIC_ALREADY_EXISTS, INVALID_PARTITIONS,
  // INVALID_REPLICATION_FACTOR, INVALID_CONFIG. -1 partitions / replication factor = default.
  // `assignments` (non-empty) places the replicas by hand, as --replica-assignment does; then
  // num_partitions and replication_factor must be -1 (INVALID_REQUEST) and a bad list is
  // INVALID_REPLICA_ASSIGNMENT.
  Result<CreatedTopic> CreateTopic(const std::string& name, std::int32_t num_partitions,
                                   std::int32_t replication_factor,
                                   const std::map<std::string, std::string>& configs, Rng& rng,
                                   const std::vector<std::vector<BrokerId>>& assignments = {});
  // Error: UNKNOWN_TOPIC_OR_PARTITION.
  Result<ControllerChanges> DeleteTopic(const std::string& name);
  // Grows `name` to `count` partitions (CreatePartitions); new replicas are placed like a new
  // topic's, with the existing replication factor. INVALID_PARTITIONS unless it is an increase.
  Result<ControllerChanges> CreatePartitions(const std::string& name, std::int32_t count, Rng& rng);

  AlterPartitionResult AlterPartition(const AlterPartitionRequest& request);

  // AllocateProducerIds (ProducerIdControlManager.generateNextProducerId): the next block of
  // kProducerIdBlockSize ids for a registered broker of that epoch. The ProducerIdsRecord moves
  // the image's next id past the block, so blocks never overlap, across failovers too.
  AllocateProducerIdsResult AllocateProducerIds(BrokerId broker_id, std::int64_t broker_epoch);

  // IncrementalAlterConfigs (kafka-configs.sh --alter): ConfigRecords for a topic
  // (resource_type 2) or the cluster default (resource_type 4, resource_name ""); a nullopt
  // value deletes the override. With ELR on, a min.insync.replicas change clears the ELR and
  // last known ELR of the affected partitions (KIP-966). Errors: UNKNOWN_TOPIC_OR_PARTITION,
  // INVALID_CONFIG, INVALID_REQUEST (other resource types).
  Result<ControllerChanges> AlterConfigs(
      std::int8_t resource_type, const std::string& resource_name,
      const std::map<std::string, std::optional<std::string>>& changes);

  // nullopt = every partition.
  ElectLeadersResult ElectLeaders(ElectionType type,
                                  const std::optional<std::vector<TopicPartition>>& partitions);
  // auto.leader.rebalance: preferred election for every partition whose leader is not
  // replicas[0] while replicas[0] is active and in the ISR (KRaft: no imbalance threshold).
  ControllerChanges BalancePartitionLeaders();
  // Unclean election for leaderless partitions of topics with unclean.leader.election.enable.
  ControllerChanges ElectUncleanWhereAllowed();

  // Helpers for the host.
  bool HasImbalancedPartitions() const;
  bool LeadsAnyPartition(BrokerId broker) const;
  std::int32_t MinInsyncReplicas(const std::string& topic) const;
  bool UncleanLeaderElectionEnabled(const std::string& topic) const;
  BrokerControlState BrokerState(BrokerId broker) const;  // kFenced for unknown brokers

 private:
  // Replica assignment for new partitions over the registered brokers (not those shutting
  // down), with Kafka's INVALID_REPLICATION_FACTOR message when it cannot be done.
  Status ValidateManualAssignment(std::int32_t num_partitions, std::int32_t replication_factor,
                                  const std::vector<std::vector<BrokerId>>& assignments) const;
  Result<std::vector<std::vector<BrokerId>>> PlaceNewReplicas(std::int32_t num_partitions,
                                                              std::int32_t replication_factor,
                                                              Rng& rng) const;
  // PartitionRecords (leader = first replica, ISR = the active replicas) for partitions
  // first, first+1, ... of a new or growing topic.
  void AddNewPartitions(const std::string& name, const Uuid& topic_id, std::int32_t first,
                        const std::vector<std::vector<BrokerId>>& placement,
                        ControllerChanges& out) const;
  struct Session {
    Time last_contact;
    std::int64_t metadata_offset = -1;
    Uuid incarnation_id;
    std::optional<std::int64_t> controlled_shutdown_offset;
  };
  class Batch;
  // How ChangePartition runs the builder. election: nullopt = ONLINE, or UNCLEAN where the
  // topic allows it (ReplicationControlManager.generateLeaderAndIsrUpdates).
  struct PartitionChangeSpec {
    std::optional<Election> election;
    std::optional<std::vector<BrokerId>> target_isr;
    std::optional<LeaderRecoveryState> recovery_state;
    std::vector<BrokerId> unclean_shutdown_replicas;
  };

  std::string ConfigValue(const MetadataImage& image, const std::string& topic,
                          const std::string& name, const std::string& fallback) const;
  std::int32_t MinIsr(const MetadataImage& image, const std::string& topic) const;
  bool UncleanEnabled(const MetadataImage& image, const std::string& topic) const;
  std::vector<TopicPartition> PartitionsWhere(
      const MetadataImage& image,
      const std::function<bool(const PartitionRegistration&)>& predicate) const;
  // Builds one partition's change against the batch's image; adds record and note if any.
  std::optional<PartitionChange> ChangePartition(Batch& batch, const std::string& topic,
                                                 std::int32_t partition,
                                                 const PartitionChangeSpec& spec,
                                                 const std::string& reason) const;
  bool SessionAlive(BrokerId broker, Time now) const;
  std::int64_t LowestActiveOffset() const;
  BrokerControlState NextBrokerState(BrokerId broker, BrokerControlState current,
                                     const BrokerHeartbeatRequest& request) const;
  void FenceBroker(Batch& batch, BrokerId broker, const std::string& why) const;
  void UnfenceBroker(Batch& batch, BrokerId broker, std::int64_t epoch,
                     const std::string& why) const;
  void EnterControlledShutdown(Batch& batch, BrokerId broker, std::int64_t epoch) const;
  void RemoveFromElrs(Batch& batch, BrokerId broker) const;
  Status ValidateNewTopic(const std::string& name, std::int32_t& num_partitions,
                          std::int32_t& replication_factor,
                          const std::map<std::string, std::string>& configs) const;
  Status ValidateAlterPartition(const AlterPartitionRequest& request,
                                const std::string& partition_name,
                                const PartitionRegistration& partition) const;

  ControllerConfig config_;
  MetadataImage image_;
  bool active_ = false;
  std::map<BrokerId, Session> sessions_;
};

}  // namespace kafkasim::kafka
