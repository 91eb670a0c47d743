// What a Kafka server node is configured with: its roles and the broker settings by Kafka's
// names (ReplicationConfigs, ServerLogConfigs), with Kafka's defaults.
#pragma once

#include <cstdint>
#include <string>

#include "kafka/auto_topic_creation.h"
#include "kafka/configs.h"
#include "kafka/controller_logic.h"
#include "kafka/group_coordinator.h"
#include "kafka/replica_log.h"
#include "raft/raft_node.h"

namespace kafkasim::kafka {

// Broker settings by Kafka's names (ReplicationConfigs, ServerLogConfigs) with their defaults.
struct BrokerSettings {
  std::int64_t replica_lag_time_max_ms = kReplicaLagTimeMaxMsDefault;
  std::int64_t replica_fetch_wait_max_ms = kReplicaFetchWaitMaxMsDefault;
  std::int32_t replica_fetch_max_bytes = kReplicaFetchMaxBytesDefault;
  std::int64_t replica_fetch_backoff_ms = kReplicaFetchBackoffMsDefault;
  std::int64_t broker_heartbeat_interval_ms = kBrokerHeartbeatIntervalMsDefault;
  std::int64_t log_retention_check_interval_ms = kLogRetentionCheckIntervalMsDefault;
  std::int64_t replica_high_watermark_checkpoint_interval_ms =
      kReplicaHighWatermarkCheckpointIntervalMsDefault;
  // Broker-to-controller requests (AlterPartition).
  std::int64_t request_timeout_ms = kRequestTimeoutMsDefault;
  std::int64_t log_flush_offset_checkpoint_interval_ms = kLogFlushOffsetCheckpointIntervalMsDefault;
  std::int64_t log_flush_start_offset_checkpoint_interval_ms =
      kLogFlushStartOffsetCheckpointIntervalMsDefault;
  // First run of the LogManager's periodic tasks (LogManager.startup); Kafka 3.7+ name.
  std::int64_t log_initial_task_delay_ms = kLogInitialTaskDelayMsDefault;
  std::int32_t min_insync_replicas = kMinInsyncReplicasDefault;
  // The log cleaner (CleanerConfig): on, and how long it sleeps when no log needs cleaning.
  bool log_cleaner_enable = true;
  std::int64_t log_cleaner_backoff_ms = 15000;
  std::string log_dirs = std::string(kLogDirsDefault);  // the node's disk root, for messages
  ReplicaLogConfig log;  // the broker-level defaults of the topic configs
  // The group coordinator (GroupCoordinatorConfig): offsets.topic.num.partitions,
  // group.initial.rebalance.delay.ms, group.{min,max}.session.timeout.ms.
  GroupCoordinatorSettings group;
  std::int32_t offsets_topic_replication_factor = kOffsetsTopicReplicationFactorDefault;
  std::int64_t offsets_topic_segment_bytes = kOffsetsTopicSegmentBytesDefault;
  // auto.create.topics.enable, num.partitions, default.replication.factor.
  AutoTopicCreationSettings auto_topics;
};

struct ServerConfig {
  std::int32_t node_id = 0;
  bool broker = true;
  bool controller = false;
  std::string rack;
  // The host of its advertised listeners (advertised.listeners=PLAINTEXT://HOST:9092); "" is
  // the node's name.
  std::string advertised_host;
  BrokerSettings broker_settings;
  ControllerConfig controller_config;
  raft::RaftConfig raft;
  std::int64_t metadata_log_segment_bytes = kMetadataLogSegmentBytesDefault;
  // SnapshotGenerator: a node snapshots its metadata image once this many bytes of records
  // were applied since the last snapshot, or this long passed (0: never by time).
  std::int64_t metadata_snapshot_max_bytes = 20971520;   // ...max.record.bytes.between.snapshots
  std::int64_t metadata_snapshot_interval_ms = 3600000;  // metadata.log.max.snapshot.interval.ms
  // ZooKeeper mode (ZkConfigs): the session timeout the broker asks the ensemble for.
  std::int64_t zookeeper_session_timeout_ms = 18000;
  // KRaft mode: a node whose log dir has no meta.properties writes one at its first start, as
  // if `kafka-storage.sh format` had run (a scenario's default). False for a scenario that
  // formats by hand: such a node refuses to start, as Kafka does.
  bool format_on_first_start = true;
};

}  // namespace kafkasim::kafka
