// A Kafka server node in KRaft mode (KafkaRaftServer): process.roles broker, controller or
// both. It hosts the Raft core for __cluster_metadata (a voter on controllers, an observer on
// brokers), the controller logic when it is the active controller, and — with the broker role —
// a Broker (the data plane) fed from the metadata log through the seams of broker_seams.h,
// with a BrokerLifecycleManager to register and heartbeat. Pure cores inside, engine I/O at
// the edges.
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
#include "kafka/broker.h"
#include "kafka/broker_lifecycle.h"
#include "kafka/cluster_directory.h"
#include "kafka/controller_logic.h"
#include "kafka/kafka_node.h"
#include "kafka/messages.h"
#include "kafka/metadata_image.h"
#include "kafka/replica_log.h"
#include "kafka/server_config.h"
#include "raft/raft_node.h"

namespace kafkasim::kafka {

// The metadata image as a broker's MetadataCache.
class KRaftMetadataCache final : public MetadataCache {
 public:
  explicit KRaftMetadataCache(const MetadataImage& image) : image_(image) {}
  std::vector<BrokerId> AliveBrokers() const override;
  bool IsBrokerActive(BrokerId id) const override { return image_.IsActive(id); }
  std::string TopicConfig(const std::string& topic, const std::string& name,
                          const std::string& fallback) const override {
    return image_.TopicConfig(topic, name, fallback);
  }
  std::optional<std::map<std::string, std::string>> TopicOverrides(
      const std::string& topic) const override {
    const TopicImage* t = image_.Topic(topic);
    if (t == nullptr) return std::nullopt;
    return t->configs;
  }
  std::vector<PartitionMetadata> AllPartitions() const override;
  std::optional<PartitionMetadata> PartitionInfo(const std::string& topic,
                                                 std::int32_t partition) const override;
  std::map<std::string, Uuid> TopicIds() const override;

 private:
  const MetadataImage& image_;
};

// The active controller is the metadata quorum's leader, as this node's Raft core knows it.
class RaftControllerChannel final : public ControllerChannel {
 public:
  explicit RaftControllerChannel(const std::unique_ptr<raft::RaftNode>& raft) : raft_(raft) {}
  std::int32_t ActiveControllerId() const override {
    return raft_ ? raft_->leader_id() : raft::kNoNodeId;
  }
  std::int32_t ActiveControllerEpoch() const override {
    return raft_ && raft_->leader_id() != raft::kNoNodeId ? raft_->epoch() : -1;
  }

 private:
  const std::unique_ptr<raft::RaftNode>& raft_;
};

class KafkaRaftServer final : public KafkaNode {
 public:
  KafkaRaftServer(NodeEnv& env, std::shared_ptr<const ClusterDirectory> directory,
                  ServerConfig config);
  ~KafkaRaftServer() override;

  void OnStart() override;
  void OnMessage(const Message& message) override;
  void OnTimer(std::uint64_t tag) override;
  // A follower whose leader's process died backs off replica.fetch.backoff.ms.
  void OnDisconnect(NodeIndex peer) override;

  // KafkaNode.
  ControlPlane control_plane() const override { return ControlPlane::kKRaft; }
  const ServerConfig& config() const override { return config_; }
  const MetadataImage& metadata() const override { return image_; }
  bool is_active_controller() const override { return controller_active_; }
  bool registered() const override { return lifecycle_ && lifecycle_->registered(); }
  bool fenced() const override { return !lifecycle_ || lifecycle_->fenced(); }
  bool in_controlled_shutdown() const override { return shutting_down_; }
  void BeginControlledShutdown() override;
  const Broker* broker() const override { return broker_.get(); }
  // For the admin tools that act in-process (kafka-consumer-groups.sh --reset-offsets).
  Broker* mutable_broker() override { return broker_.get(); }

  // The metadata quorum's Raft core (a voter on controllers, an observer on brokers).
  const raft::RaftNode& raft() const { return *raft_; }
  // The same, or nullptr before the core is built (for checkers that must not assume it).
  const raft::RaftNode* raft_or_null() const { return raft_.get(); }

 private:
  enum TimerTag : std::uint64_t { kTimerRaft = 1, kTimerControllerTick, kTimerServeHeld };
  struct PendingReply {
    NodeIndex to = kNoNode;
    KafkaBody body;
  };

  // Raft hosting (kafka_raft_server.cc).
  void LoadMetadataLog();
  // The directory.id of its log dir (from meta.properties), for the broker registration.
  std::vector<Uuid> LogDirIds();
  void DrainRaft();
  // False when the metadata log dir failed (the node has halted).
  bool PersistRaft(raft::Ready& ready);
  void ApplyCommitted(const raft::LogEntry& entry);
  // Metadata snapshots (kafka_raft_server.cc). At start: the newest readable snapshot of
  // __cluster_metadata-0 becomes the image, and the log is replayed from its end offset.
  void LoadLatestSnapshot();
  // SnapshotGenerator.publishLogDelta: a snapshot of the committed image once enough bytes
  // were applied or enough time passed since the last one.
  void MaybeWriteSnapshot();
  // eligible.leader.replicas.version the cluster is formatted with.
  std::int32_t ElrVersion() const;
  // The bootstrap records, written by the first active controller of a new cluster.
  void WriteBootstrapRecords();
  void ArmRaftTimer();
  // The metadata log dir failed: the process halts ("Shutdown broker because the metadata log
  // dir ... has failed").
  void HaltOnMetadataLogDirFailure(const Status& error, std::string_view while_doing);
  void Reply(NodeIndex to, KafkaBody body);
  void Emit(std::string_view kind, std::string text, std::vector<TraceField> fields = {});

  // Broker role (kafka_raft_server.cc): what the metadata says, handed to the Broker.
  void OnMetadataApplied();
  void PublishPartitionStates();
  // BrokerServer.startup enables request processing (socketServer.enableRequestProcessing)
  // only once the broker caught up with the metadata log and the controller unfenced it: until
  // then the requests that reach it wait, as in a socket's buffer, and are served in order.
  static bool IsRequest(const KafkaBody& body);
  void MaybeStartServing();
  void ServeHeldRequests();
  void ApplyLifecycle(BrokerLifecycleManager::Outcome outcome);

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

  NodeEnv& env_;
  std::shared_ptr<const ClusterDirectory> directory_;
  ServerConfig config_;
  BrokerIo io_;
  std::unique_ptr<raft::RaftNode> raft_;
  std::unique_ptr<ReplicaLog> metadata_log_;
  TimerId raft_timer_ = kNoTimer;
  Time raft_timer_at_ = kTimeMax;
  bool halted_ = false;

  // Controller.
  std::unique_ptr<ControllerLogic> logic_;
  bool controller_active_ = false;
  bool awaiting_activation_ = false;
  bool bootstrap_pending_ = false;  // activated on an empty log: write the bootstrap records
  std::int64_t last_replayed_offset_ = -1;
  std::map<std::int64_t, std::vector<PendingReply>> pending_replies_;
  Time next_rebalance_;

  // Metadata snapshots: the one loaded at start (replayed again when the controller rebuilds
  // its state), and what was applied since the last one written.
  std::vector<MetadataRecord> loaded_snapshot_;
  std::int64_t loaded_snapshot_end_ = 0;
  std::int64_t last_snapshot_end_ = 0;
  std::int64_t bytes_since_snapshot_ = 0;
  Time last_snapshot_time_;
  std::int64_t last_applied_offset_ = -1;
  std::int32_t last_applied_epoch_ = 0;

  // Broker (and, for snapshots, every node): the committed metadata image.
  MetadataImage image_;
  KRaftMetadataCache metadata_cache_{image_};
  RaftControllerChannel controller_channel_{raft_};
  std::unique_ptr<BrokerLifecycleManager> lifecycle_;
  std::unique_ptr<Broker> broker_;
  // What changed in the image since the broker last published it: BrokerMetadataPublisher
  // applies the MetadataDelta's partitions, not the whole image, so the work per metadata
  // record does not grow with the cluster. Everything at first, after a snapshot, and after a
  // topic or config record.
  struct PublishDelta {
    bool everything = true;
    std::set<std::pair<std::string, std::int32_t>> partitions;  // (topic, index)
  };
  PublishDelta unpublished_;
  void NoteUnpublished(const MetadataRecord& record);
  // Requests that reached the broker before it caught up (IsRequest), served once it has.
  std::vector<Message> held_requests_;
  bool serving_ = false;  // request processing enabled (caught up and unfenced once)
  bool shutting_down_ = false;
};

}  // namespace kafkasim::kafka
