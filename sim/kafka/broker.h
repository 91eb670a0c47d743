// A broker's data plane, the same whichever control plane runs the cluster: its log dir, the
// replica manager with its partitions, the follower fetchers and the producer id manager. The
// node hosting it (a KRaft server today) gives it partition states and the broker epoch
// through the seams of broker_seams.h, and routes data-plane messages and timers to it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kafka/auto_topic_creation.h"
#include "kafka/broker_seams.h"
#include "kafka/group_coordinator_host.h"
#include "kafka/log_manager.h"
#include "kafka/producer_id_manager.h"
#include "kafka/replica_fetcher.h"
#include "kafka/replica_manager.h"
#include "kafka/server_config.h"

namespace kafkasim::kafka {

class Broker {
 public:
  // Timer tags of the broker's periodic work; hosts keep their own tags below kFirstTimer.
  enum TimerTag : std::uint64_t {
    kFirstTimer = 100,
    kTimerIsrCheck = kFirstTimer,
    kTimerRetention,
    kTimerHousekeeping,
    kTimerHighWatermarkCheckpoint,
    kTimerRecoveryPointCheckpoint,
    kTimerLogStartOffsetCheckpoint,
    kLastTimer = kTimerLogStartOffsetCheckpoint,
  };
  static bool IsBrokerTimer(std::uint64_t tag) { return tag >= kFirstTimer && tag <= kLastTimer; }

  Broker(NodeEnv& env, std::shared_ptr<const ClusterDirectory> directory, std::int32_t node_id,
         const BrokerSettings& settings, const MetadataCache& metadata,
         const ControllerChannel& channel);

  // The log dir's checkpoints (meta.properties is the host's, before). False when the log dir
  // failed (the node has halted).
  bool LoadLogDir();
  void StartTimers();
  // Serves a data-plane request or answer; false when the message is not the broker's.
  bool HandleMessage(const Message& message, const KafkaMessage& kafka);
  void OnTimer(std::uint64_t tag);
  void OnDisconnect(std::int32_t peer_id) { fetchers_.OnDisconnect(peer_id); }

  // --- From the control plane ---
  void SetBrokerEpoch(std::int64_t epoch);
  // Leadership and ISR of the partitions this broker hosts, then one fetch session per leader.
  void ApplyPartitionStates(const std::vector<HostedPartitionState>& states);
  void StopReplica(const std::string& topic, std::int32_t partition);
  // StopReplica without deletion: the replica stays, its follower fetching stops.
  void StopFetching(const std::string& topic, std::int32_t partition);
  // KafkaServer's isShuttingDown: from now on a partition this broker is made a follower of is
  // not fetched (ReplicaManager.makeFollowers skips "the adding-fetcher step ... since it is
  // shutting down"), so it does not return to ISRs it was just taken out of.
  void BeginShutdown() { shutting_down_ = true; }
  // Requests to the controller that wait for an answer are re-sent (the heartbeat's beat).
  void RetryControllerRequests();
  // Clean shutdown of the logs (flush, checkpoints, .kafka_cleanshutdown).
  void ShutDown() { logs_.ShutDown(); }

  // --- Views ---
  // The log dir failed and the broker halted.
  bool halted() const { return logs_.failed(); }
  const ReplicaManager& replicas() const { return replicas_; }
  ReplicaManager& replicas() { return replicas_; }
  LogManager& logs() { return logs_; }
  const LogManager& logs() const { return logs_; }
  const GroupCoordinatorHost& groups() const { return groups_; }
  GroupCoordinatorHost& groups() { return groups_; }

 private:
  void Rearm(std::int64_t period_ms, TimerTag tag);

  BrokerIo io_;
  const MetadataCache& metadata_;
  BrokerSettings settings_;
  LogManager logs_;
  ReplicaManager replicas_;
  ReplicaFetcherManager fetchers_;
  ProducerIdManager producer_ids_;
  GroupCoordinatorHost groups_;
  AutoTopicCreationManager auto_topics_;
  bool shutting_down_ = false;
};

}  // namespace kafkasim::kafka
