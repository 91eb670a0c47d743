// What the world sees of a Kafka server node, whichever control plane runs the cluster: the
// KRaft server (KafkaRaftServer) today, the ZooKeeper-mode server next. The scenario runner,
// the checkers and the GUI read nodes through this; mode-specific views (the Raft quorum, the
// ZooKeeper session) cast to the concrete class.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/simulation.h"
#include "kafka/broker.h"
#include "kafka/cluster_directory.h"
#include "kafka/metadata_image.h"
#include "kafka/replica_log.h"
#include "kafka/server_config.h"
#include "zookeeper/zk_server_node.h"

namespace kafkasim::kafka {

// How the cluster is run: a KRaft controller quorum, or a ZooKeeper ensemble.
enum class ControlPlane : std::uint8_t { kKRaft, kZooKeeper };
const char* ControlPlaneName(ControlPlane mode);  // "kraft", "zookeeper"

class KafkaNode : public Node {
 public:
  struct LocalPartitionInfo {
    bool is_leader = false;
    std::int32_t leader_epoch = -1;
    std::vector<BrokerId> isr;
  };
  using Counters = ReplicaManager::Counters;

  virtual ControlPlane control_plane() const = 0;
  virtual const ServerConfig& config() const = 0;
  // The cluster metadata as this node last applied it.
  virtual const MetadataImage& metadata() const = 0;
  virtual bool is_active_controller() const = 0;
  virtual bool registered() const = 0;
  virtual bool fenced() const = 0;
  virtual bool in_controlled_shutdown() const = 0;
  // Controlled shutdown (kafka-server-stop.sh): leadership moves away, then the node stops.
  virtual void BeginControlledShutdown() = 0;
  // The data plane; nullptr on a controller-only node.
  virtual const Broker* broker() const = 0;
  // The same, for the tools that act through the broker in-process (kafka-consumer-groups.sh
  // --reset-offsets --execute commits through its group coordinator).
  virtual Broker* mutable_broker() = 0;

  // Views over broker(); empty on a controller-only node.
  const ReplicaLog* Log(const std::string& topic, std::int32_t partition) const;
  std::optional<LocalPartitionInfo> LocalPartition(const std::string& topic,
                                                   std::int32_t partition) const;
  const Counters& counters() const;
};

// A factory for the engine: the server node of node.id config.node_id in the given mode.
// ZooKeeper mode needs the ensemble (`zookeeper.connect`) and runs brokers only.
NodeFactory MakeKafkaNodeFactory(
    ControlPlane mode, std::shared_ptr<const ClusterDirectory> directory, ServerConfig config,
    std::shared_ptr<const zookeeper::ZkEnsembleDirectory> ensemble = nullptr);

}  // namespace kafkasim::kafka
