// A Kafka server node in KRaft mode (KafkaRaftServer): process.roles broker, controller or
// both. It hosts the Raft core for __cluster_metadata (a voter on controllers, an observer on
// brokers), the controller logic when it is the active controller, and the broker's replica
// manager, fetchers and request handlers. Pure cores inside, engine I/O at the edges.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "engine/simulation.h"
#include "kafka/cluster_directory.h"
#include "kafka/controller_logic.h"
#include "kafka/messages.h"
#include "kafka/metadata_image.h"
#include "kafka/replica_log.h"
#include "kafka/server_config.h"
#include "raft/raft_node.h"

namespace kafkasim::kafka {

class KafkaServer : public Node {
 public:
  enum TimerTag : std::uint64_t {
    kTimerRaft = 1,
    kTimerRegister,
    kTimerHeartbeat,
    kTimerIsrCheck,
    kTimerRetention,
    kTimerHousekeeping,
    kTimerControllerTick,
    kTimerHighWatermarkCheckpoint,
    kTimerRecoveryPointCheckpoint,
    kTimerLogStartOffsetCheckpoint,
  };

  KafkaServer(NodeEnv& env, std::shared_ptr<const ClusterDirectory> directory, ServerConfig config);
  ~KafkaServer() override;

  void OnStart() override;
  void OnMessage(const Message& message) override;
  void OnTimer(std::uint64_t tag) override;
  // A follower whose leader's process died backs off replica.fetch.backoff.ms (fetcher.cc).
  void OnDisconnect(NodeIndex peer) override;

  // Controlled shutdown (kafka-server-stop.sh): leadership moves away, then the node stops.
  void BeginControlledShutdown();

  // Read-only views.
  const ServerConfig& config() const { return config_; }
  const raft::RaftNode& raft() const { return *raft_; }
  bool is_active_controller() const { return controller_active_; }
  const MetadataImage& metadata() const { return image_; }
  bool registered() const { return broker_epoch_ >= 0; }
  bool fenced() const { return fenced_; }
  bool in_controlled_shutdown() const { return shutting_down_; }
  const ReplicaLog* Log(const std::string& topic, std::int32_t partition) const;
  struct LocalPartitionInfo {
    bool is_leader = false;
    std::int32_t leader_epoch = -1;
    std::vector<BrokerId> isr;
  };
  std::optional<LocalPartitionInfo> LocalPartition(const std::string& topic,
                                                   std::int32_t partition) const;
  // Counters behind the metrics panel (Kafka's meter names).
  struct Counters {
    std::int64_t isr_shrinks = 0;
    std::int64_t isr_expands = 0;
    std::int64_t failed_produce_requests = 0;
    std::int64_t leader_elections = 0;
  };
  const Counters& counters() const { return counters_; }

 private:
  struct RemoteReplica {
    std::int64_t log_end_offset = -1;
    Time last_caught_up_time;
    Time last_fetch_time;
    std::int64_t last_fetch_leader_log_end_offset = -1;
  };
  struct Partition {
    std::string topic;
    Uuid topic_id;
    std::int32_t index = 0;
    std::unique_ptr<ReplicaLog> log;
    BrokerId leader = kNoLeader;
    std::int32_t leader_epoch = -1;
    std::int32_t partition_epoch = -1;
    std::int64_t leader_epoch_start_offset = 0;
    std::vector<BrokerId> replicas;
    std::vector<BrokerId> isr;
    // Follower: the offset the fetch in flight asked from. Its answer is applied only while the
    // log still ends there (AbstractFetcherThread.processFetchRequest).
    std::int64_t requested_fetch_offset = -1;
    // An AlterPartition is pending from the moment the leader decides to change the ISR until
    // the controller answers (or new metadata supersedes it). Like Kafka's
    // AlterPartitionManager the request is kept and re-sent to whichever controller is active
    // (kNoNodeId in alter_sent_to: not sent yet, no controller known).
    bool alter_in_flight = false;
    std::vector<BrokerId> pending_isr;  // the ISR asked for while alter_in_flight
    std::int32_t alter_sent_to = -1;
    Time alter_sent_at;
    std::map<BrokerId, RemoteReplica> remotes;
    std::string name;  // "cities-0"
  };
  struct PendingReply {
    NodeIndex to = kNoNode;
    KafkaBody body;
  };
  struct ParkedFetch {
    NodeIndex from = kNoNode;
    FetchRequest request;
    Time deadline;
  };
  struct DelayedProduce {
    NodeIndex from = kNoNode;
    ProduceRequest request;
    std::int64_t required_offset = 0;  // HW must reach this (last offset + 1)
    std::int64_t base_offset = 0;
    Time deadline;
  };
  // A block of producer ids from the controller; `next` is the next one to hand out.
  struct ProducerIdBlock {
    std::int64_t first = 0;
    std::int32_t size = 0;
    std::int64_t next = 0;
    bool exhausted() const { return next >= first + size; }
  };
  struct FetchSession {
    std::int64_t correlation_id = 0;
    bool in_flight = false;
    Time sent_at;
  };

  // Raft hosting (kafka_server.cc).
  void LoadMetadataLog();
  void DrainRaft();
  void PersistRaft(raft::Ready& ready);
  void ApplyCommitted(const raft::LogEntry& entry);
  void ArmRaftTimer();
  void SendTo(std::int32_t node_id, KafkaBody body);
  void Reply(NodeIndex to, KafkaBody body);
  void Emit(std::string kind, std::string text, std::vector<TraceField> fields = {});

  // Controller role (controller_role.cc).
  void OnRaftRoleChange(const raft::RoleChange& change);
  void RebuildControllerState();
  void HandleControllerRequest(const Message& message, const KafkaMessage& request);
  // Appends the changes' records to the metadata log (speculatively replayed), emits their
  // notes and probes; `reply` is sent once the last record commits.
  void ProposeRecords(const ControllerChanges& changes, std::optional<PendingReply> reply);
  void CompletePendingReplies(std::int64_t committed_offset);
  void FailPendingReplies();
  void ControllerTick();

  // Broker lifecycle (broker_lifecycle.cc).
  void SendRegistration();
  void SendHeartbeat();
  void OnRegistrationResponse(const BrokerRegistrationResponse& response);
  void OnHeartbeatResponse(const BrokerHeartbeatResponse& response);
  void OnMetadataApplied();

  // Replica manager (replica_manager.cc).
  void ReconcilePartitions();
  Partition* OpenPartition(const TopicImage& topic, std::int32_t index);
  void EmitLogLoaded(const Partition& p, const ReplicaLogHints& hints,
                     const ReplicaLogOpenInfo& info);
  void BecomeLeader(Partition& p, const PartitionRegistration& reg);
  void BecomeFollower(Partition& p, const PartitionRegistration& reg);
  void HandleProduce(const Message& message, const ProduceRequest& request);
  void HandleFetch(NodeIndex from, const FetchRequest& request, bool allow_park);
  std::optional<FetchedPartition> ReadForFetch(const FetchRequest& request,
                                               const FetchPartition& fp, Time now);
  void HandleListOffsets(const Message& message, const ListOffsetsRequest& request);
  void HandleMetadataRequest(const Message& message, const MetadataRequest& request);
  void UpdateFollowerState(Partition& p, BrokerId replica, std::int64_t fetch_offset, Time now);
  bool IsCaughtUp(const Partition& p, BrokerId replica, Time now) const;
  void MaybeAdvanceHighWatermark(Partition& p);
  void MaybeExpandIsr(Partition& p, BrokerId replica);
  void ShrinkIsrCheck();
  // Sends a pending AlterPartition to the active controller when it has not reached one yet
  // (no controller was known, the controller changed, or request.timeout.ms passed).
  void RetryPendingAlters();
  void SendPendingAlter(Partition& p);
  void SendAlterPartition(Partition& p, std::vector<BrokerId> new_isr);
  void OnAlterPartitionResponse(const AlterPartitionResponse& response);
  void CompleteDelayed(Partition& p);
  void ExpireDelayed();
  void RunRetention();
  std::int32_t MinInsyncReplicas(const Partition& p) const;
  Partition* FindPartition(const std::string& topic, std::int32_t partition);

  // Producer ids (producer_ids.cc): InitProducerId answered from blocks of ids the active
  // controller allocates (RPCProducerIdManager).
  void HandleInitProducerId(const Message& message, const InitProducerIdRequest& request);
  std::optional<std::int64_t> ClaimProducerId();
  void MaybeRequestProducerIdBlock();
  // Re-sends an unanswered AllocateProducerIds after request.timeout.ms or to a new controller.
  void RetryProducerIdBlockRequest();
  void OnAllocateProducerIdsResponse(const AllocateProducerIdsResponse& response);

  // Log dirs (log_manager.cc): meta.properties, the offset checkpoints, clean shutdown.
  using OffsetMap = std::map<std::pair<std::string, std::int32_t>, std::int64_t>;
  // False when the log dir belongs to another node or cluster: the trace says why and the
  // node has stopped, as Kafka's startup fails.
  bool LoadMetaProperties();
  void LoadLogDirCheckpoints();
  // The checkpointed offsets of a log about to be opened (consumed: later checkpoints write
  // the open log's own values).
  ReplicaLogHints TakeLogHints(const std::string& topic, std::int32_t partition);
  void CheckpointHighWatermarks();
  void CheckpointRecoveryPoints();
  void CheckpointLogStartOffsets();
  void WriteOffsetCheckpointFile(const char* file, const OffsetMap& entries);
  // Clean shutdown of the logs (LogManager.shutdown): flush, checkpoint, write the marker.
  void ShutDownLogs();

  // Follower fetchers (fetcher.cc).
  void UpdateFetchers();
  void SendFetch(BrokerId leader);
  void OnFetchResponse(const Message& message, const FetchResponse& response);
  void HandleDivergence(Partition& p, std::int32_t epoch, std::int64_t end_offset);
  void FetcherTimeouts();
  // Marks the session to `leader` in flight so FetcherTimeouts resends it after
  // replica.fetch.backoff.ms.
  void BackOffFetcher(BrokerId leader);

  NodeEnv& env_;
  std::shared_ptr<const ClusterDirectory> directory_;
  ServerConfig config_;
  std::unique_ptr<raft::RaftNode> raft_;
  std::unique_ptr<ReplicaLog> metadata_log_;
  TimerId raft_timer_ = kNoTimer;
  Time raft_timer_at_ = kTimeMax;

  // Controller.
  std::unique_ptr<ControllerLogic> logic_;
  bool controller_active_ = false;
  bool awaiting_activation_ = false;
  std::int64_t last_replayed_offset_ = -1;
  std::map<std::int64_t, std::vector<PendingReply>> pending_replies_;
  Time next_rebalance_;

  // Broker.
  MetadataImage image_;
  std::int64_t broker_epoch_ = -1;
  Uuid incarnation_id_;  // new for every process start
  bool fenced_ = true;
  // Whether the applied metadata holds this incarnation's registration (see OnMetadataApplied).
  bool metadata_caught_up_ = false;
  Errc last_registration_error_ = Errc::kNone;
  bool registration_in_flight_ = false;
  bool shutting_down_ = false;
  int registration_attempts_ = 0;
  std::map<std::pair<std::string, std::int32_t>, Partition> partitions_;
  std::map<BrokerId, FetchSession> fetchers_;
  std::vector<ParkedFetch> parked_fetches_;
  std::vector<DelayedProduce> delayed_produces_;
  std::int64_t next_correlation_id_ = 1;
  Counters counters_;
  ProducerIdBlock producer_id_block_;                      // empty until the first block
  std::optional<ProducerIdBlock> next_producer_id_block_;  // prefetched
  bool producer_id_request_in_flight_ = false;
  std::int32_t producer_id_request_sent_to_ = -1;
  Time producer_id_request_sent_at_;
  Time producer_id_retry_after_;  // backoff after a failed AllocateProducerIds

  // Log dir state: checkpointed offsets of logs not opened yet (kept in later checkpoints so
  // a log the metadata has not reached yet keeps its entry), and what each file last held.
  bool had_clean_shutdown_ = false;
  OffsetMap unopened_recovery_points_;
  OffsetMap unopened_log_start_offsets_;
  OffsetMap unopened_high_watermarks_;
  std::map<std::string, std::string> checkpoint_written_;
};

}  // namespace kafkasim::kafka
