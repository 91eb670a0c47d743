// What a Kafka server node is configured with: its roles and the broker settings by Kafka's
// names (ReplicationConfigs, ServerLogConfigs), with Kafka's defaults.
#pragma once

#include <cstdint>
#include <string>

#include "kafka/controller_logic.h"
#include "kafka/replica_log.h"
#include "raft/raft_node.h"

namespace kafkasim::kafka {

// Broker settings by Kafka's names (ReplicationConfigs, ServerLogConfigs) with their defaults.
struct BrokerSettings {
  std::int64_t replica_lag_time_max_ms = 30000;
  std::int64_t replica_fetch_wait_max_ms = 500;
  std::int32_t replica_fetch_max_bytes = 1048576;
  std::int64_t replica_fetch_backoff_ms = 1000;
  std::int64_t broker_heartbeat_interval_ms = 2000;
  std::int64_t log_retention_check_interval_ms = 300000;
  std::int64_t replica_high_watermark_checkpoint_interval_ms = 5000;
  std::int64_t request_timeout_ms = 30000;  // broker-to-controller requests (AlterPartition)
  std::int64_t log_flush_offset_checkpoint_interval_ms = 60000;
  std::int64_t log_flush_start_offset_checkpoint_interval_ms = 60000;
  // First run of the LogManager's periodic tasks (LogManager.startup); Kafka 3.7+ name.
  std::int64_t log_initial_task_delay_ms = 30000;
  std::int32_t min_insync_replicas = 1;
  std::string log_dirs = "/tmp/kraft-combined-logs";  // the node's disk root, for messages
  ReplicaLogConfig log;
};

struct ServerConfig {
  std::int32_t node_id = 0;
  bool broker = true;
  bool controller = false;
  std::string rack;
  BrokerSettings broker_settings;
  ControllerConfig controller_config;
  raft::RaftConfig raft;
};

}  // namespace kafkasim::kafka
