// A Kafka server node in ZooKeeper mode (KafkaServer, Kafka 3.9): a broker whose ZooKeeper
// session (KafkaZkClient) registers it as the ephemeral /brokers/ids/<id>, which may win the
// ephemeral /controller and then runs the ZooKeeper-based controller (KafkaController). The
// data plane is the same Broker as in KRaft mode; its metadata comes from the controller's
// LeaderAndIsr and UpdateMetadata requests instead of the metadata log.
//
// The controller's decisions are ControllerLogic's (the same pure election and ISR rules as
// KRaft, with ELR off as ZooKeeper mode has none) over a MetadataImage built from the znodes.
// Every decision is written to ZooKeeper first, as one multi guarded by a check of the
// /controller_epoch zkVersion (a stale controller's writes fail: zombie fencing) and by the
// zkVersion of each partition state it rewrites; only then is it applied and sent to brokers.
// Controller events run one at a time, as KafkaController's event queue does.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/simulation.h"
#include "kafka/broker.h"
#include "kafka/cluster_directory.h"
#include "kafka/controller_logic.h"
#include "kafka/kafka_node.h"
#include "kafka/kafka_raft_server.h"
#include "kafka/messages.h"
#include "kafka/metadata_image.h"
#include "kafka/server_config.h"
#include "kafka/zk_client.h"
#include "zookeeper/zk_server_node.h"

namespace kafkasim::kafka {

// The broker's controller is whoever /controller (or the last LeaderAndIsr) names.
class ZkControllerChannel final : public ControllerChannel {
 public:
  explicit ZkControllerChannel(const std::int32_t& id) : id_(id) {}
  std::int32_t ActiveControllerId() const override { return id_; }

 private:
  const std::int32_t& id_;
};

class KafkaZkServer final : public KafkaNode {
 public:
  KafkaZkServer(NodeEnv& env, std::shared_ptr<const ClusterDirectory> directory,
                std::shared_ptr<const zookeeper::ZkEnsembleDirectory> ensemble,
                ServerConfig config);
  ~KafkaZkServer() override;

  void OnStart() override;
  void OnMessage(const Message& message) override;
  void OnTimer(std::uint64_t tag) override;
  void OnDisconnect(NodeIndex peer) override;

  // KafkaNode.
  ControlPlane control_plane() const override { return ControlPlane::kZooKeeper; }
  const ServerConfig& config() const override { return config_; }
  const MetadataImage& metadata() const override { return image_; }
  bool is_active_controller() const override { return active_; }
  bool registered() const override { return registered_; }
  bool fenced() const override { return !registered_; }
  bool in_controlled_shutdown() const override { return shutting_down_; }
  void BeginControlledShutdown() override;
  const Broker* broker() const override { return broker_.get(); }
  Broker* mutable_broker() override { return broker_.get(); }

  // ZooKeeper-mode views.
  const KafkaZkClient* zk_client() const { return zk_.get(); }
  std::int32_t controller_epoch() const { return active_ ? controller_epoch_ : known_epoch_; }
  std::int32_t known_controller_id() const { return controller_id_; }

 private:
  enum TimerTag : std::uint64_t {
    kTimerRegisterRetry = 51,
    kTimerRetry = 52,
    kTimerRebalance,
    kTimerShutdownRetry,
    kTimerShutdownTimeout,
    kTimerSessionClosed,  // the process exits (closeSession answered, or not in time)
  };

  // Broker (kafka_zk_server.cc).
  void OnZkConnected(bool fresh);
  void OnZkExpired();
  void OnWatch(const zookeeper::ClientWatchEvent& event);
  void CreatePersistentPaths();
  void RegisterBroker();
  void WatchController();
  void Elect();
  void HandleLeaderAndIsr(const LeaderAndIsrRequest& request);
  void HandleUpdateMetadata(const UpdateMetadataRequest& request);
  void HandleStopReplica(NodeIndex from, const StopReplicaRequest& request);
  // DelayedDeleteTopics: a DeleteTopics answer waits until this broker's metadata cache no
  // longer holds the topic (the controller's UpdateMetadata with LeaderDuringDelete).
  void CompleteDelayedDeletes();
  // Controlled shutdown, the broker's side (KafkaServer.controlledShutdown).
  void SendControlledShutdown();
  void OnControlledShutdownResponse(NodeIndex from, const ControlledShutdownResponse& response);
  void ControlledShutdownAttemptFailed(const std::string& why);
  void FinishShutdown();
  bool StaleControllerEpoch(std::int32_t epoch, BrokerId controller, const char* request);
  void ApplyToImage(const std::vector<ZkPartitionState>& partitions);
  void Emit(std::string_view kind, std::string text, std::vector<TraceField> fields = {});

  // Controller (zk_controller.cc).
  void BecomeController(std::int32_t epoch, std::int32_t epoch_zk_version);
  void Resign(const std::string& why);
  void ScheduleRebalance();
  void OnRebalanceTimer();
  void Enqueue(std::function<void()> event);
  void EventDone();
  bool Current(std::uint64_t generation) const { return active_ && generation == generation_; }
  void LoadContext();
  void OnBrokerChange();
  void ReadLiveBrokers(
      std::function<void(std::map<BrokerId, std::int64_t>, std::map<BrokerId, std::string>)> done);
  // Writes the changes to ZooKeeper; on success applies them and tells the brokers.
  // `started`: brokers that just came (or came back), sent all their partitions.
  void Commit(const ControllerChanges& changes, std::set<BrokerId> started,
              std::function<void(bool ok)> then);
  void SendRequestsFor(const std::set<TopicPartition>& changed, const std::set<BrokerId>& started);
  ZkPartitionState StateOf(const std::string& topic, const Uuid& topic_id, std::int32_t partition,
                           const PartitionRegistration& p) const;
  void HandleControllerRequest(const Message& message, const KafkaMessage& request);
  void HandleDeleteTopics(NodeIndex from, const DeleteTopicsRequest& request);
  void Reply(NodeIndex to, KafkaBody body);
  void SendUpdateMetadata(const std::vector<ZkLiveBroker>& live);
  // The unfenced brokers, as UpdateMetadata lists them.
  std::vector<ZkLiveBroker> Live() const;

  // Topic deletion (zk_topic_deletion.cc, TopicDeletionManager).
  enum class ReplicaDeletion : std::uint8_t { kStarted, kSuccessful, kIneligible };
  struct TopicDeletion {
    Uuid topic_id;
    std::map<std::int32_t, PartitionRegistration> partitions;  // as last registered
    std::map<std::pair<std::int32_t, BrokerId>, ReplicaDeletion> replicas;
    bool started = false;     // topicsWithDeletionStarted
    bool ineligible = false;  // topicsIneligibleForDeletion: a replica's broker is down
    bool completing = false;  // the znodes are being deleted
  };
  void WatchTopicDeletions(std::function<void(std::vector<std::string>)> then);
  void OnTopicDeletionsChanged();
  void QueueTopicDeletion(const std::string& topic);
  void ResumeDeletions();
  void StartTopicDeletion(const std::string& topic, TopicDeletion& deletion);
  void CompleteDeleteTopic(const std::string& topic);
  void OnStopReplicaResponse(BrokerId broker, const StopReplicaResponse& response);
  void DeletionOnBrokerChange(const std::set<BrokerId>& started);
  bool BrokerAlive(BrokerId id) const;

  NodeEnv& env_;
  std::shared_ptr<const ClusterDirectory> directory_;
  std::shared_ptr<const zookeeper::ZkEnsembleDirectory> ensemble_;
  ServerConfig config_;
  BrokerIo io_;
  bool halted_ = false;
  std::unique_ptr<KafkaZkClient> zk_;

  // Broker.
  MetadataImage image_;
  std::int64_t image_offset_ = -1;
  KRaftMetadataCache metadata_cache_{image_};
  std::int32_t controller_id_ = -1;  // as /controller or the last request names it
  std::int32_t known_epoch_ = 0;     // the highest controller epoch seen in a request
  ZkControllerChannel controller_channel_{controller_id_};
  std::unique_ptr<Broker> broker_;
  bool registered_ = false;
  std::int64_t broker_epoch_ = -1;  // czxid of /brokers/ids/<id>
  bool shutting_down_ = false;
  std::int32_t shutdown_attempts_left_ = 0;  // controlled.shutdown.max.retries
  NodeIndex shutdown_controller_ = kNoNode;  // where the outstanding ControlledShutdown went
  TimerId shutdown_timeout_ = kNoTimer;      // set while a ControlledShutdown is outstanding
  std::map<std::string, std::vector<NodeIndex>> deletes_waiting_;  // topic -> admins to answer
  bool closing_session_ = false;  // halted, waiting for its closeSession to be answered

  // Controller.
  bool active_ = false;
  bool electing_ = false;
  std::uint64_t generation_ = 0;  // bumped at every election and resignation
  std::int32_t controller_epoch_ = 0;
  std::int32_t epoch_zk_version_ = 0;
  std::unique_ptr<ControllerLogic> logic_;
  std::int64_t logic_offset_ = -1;
  std::deque<std::function<void()>> events_;
  bool event_running_ = false;
  std::map<std::string, TopicDeletion> deletions_;  // topicsToBeDeleted
};

}  // namespace kafkasim::kafka
