// The seams between a broker's data plane and whichever control plane runs the cluster. A
// KRaft broker learns metadata from the replicated metadata log and finds the controller as
// the quorum's leader; a ZooKeeper-mode broker learns both from the controller's
// LeaderAndIsr / UpdateMetadata requests. The data-plane parts (ReplicaManager, fetchers,
// producer ids) see only these interfaces.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/simulation.h"
#include "engine/trace.h"
#include "kafka/cluster_directory.h"
#include "kafka/messages.h"

namespace kafkasim::kafka {

// The cluster as the broker last learned it (Kafka's MetadataCache).
class MetadataCache {
 public:
  virtual ~MetadataCache() = default;
  // Registered and unfenced brokers, ascending.
  virtual std::vector<BrokerId> AliveBrokers() const = 0;
  // Registered, unfenced and not in controlled shutdown: may join an ISR.
  virtual bool IsBrokerActive(BrokerId id) const = 0;
  // The effective value of a topic config (override, cluster default, else `fallback`).
  virtual std::string TopicConfig(const std::string& topic, const std::string& name,
                                  const std::string& fallback) const = 0;
  // A topic's config overrides (DYNAMIC_TOPIC_CONFIG); nullopt for a topic it does not know.
  virtual std::optional<std::map<std::string, std::string>> TopicOverrides(
      const std::string& topic) const = 0;
  // Every partition's leader, for Metadata responses.
  virtual std::vector<PartitionMetadata> AllPartitions() const = 0;
  // One partition's leader and leader epoch; nullopt for a partition it does not know.
  virtual std::optional<PartitionMetadata> PartitionInfo(const std::string& topic,
                                                         std::int32_t partition) const = 0;
  // Every topic's id, by name (the KIP-848 group records name topics by id).
  virtual std::map<std::string, Uuid> TopicIds() const = 0;
};

// The broker's one way to the active controller (NodeToControllerChannelManager).
class ControllerChannel {
 public:
  virtual ~ControllerChannel() = default;
  // The node.id of the active controller as this broker knows it; -1 when none is known.
  virtual std::int32_t ActiveControllerId() const = 0;
  // The epoch of that controller's term (the metadata quorum's leader epoch), -1 when not
  // known: a new term means requests sent in an earlier one are never answered (a resigning
  // controller fails its queued requests with NOT_CONTROLLER and the channel re-sends them).
  virtual std::int32_t ActiveControllerEpoch() const { return -1; }
};

// What the broker's parts do to the world, through the node that hosts them: send, reply,
// trace. A thin wrapper over the engine's NodeEnv and the cluster directory.
class BrokerIo {
 public:
  BrokerIo(NodeEnv& env, std::shared_ptr<const ClusterDirectory> directory)
      : env_(env), directory_(std::move(directory)) {}

  Time Now() const { return env_.Now(); }
  NodeEnv& env() { return env_; }
  FileSystem& disk() { return env_.disk(); }
  const ClusterDirectory& directory() const { return *directory_; }
  // To a broker or controller by node.id (dropped when unknown). A process that has halted
  // (its log dir failed) in the middle of a handler sends nothing more.
  void SendTo(std::int32_t node_id, KafkaBody body) {
    const NodeIndex to = directory_->NodeFor(node_id);
    if (to == kNoNode || !alive()) return;
    env_.Send(to, std::make_shared<KafkaMessage>(std::move(body)));
  }
  void Reply(NodeIndex to, KafkaBody body) {
    if (!alive()) return;
    env_.Send(to, std::make_shared<KafkaMessage>(std::move(body)));
  }
  bool alive() const { return env_.simulation().GetNodeState(env_.self()) == NodeState::kRunning; }
  void Emit(std::string_view kind, std::string text, std::vector<TraceField> fields = {}) {
    env_.Emit(std::string(kind), std::move(fields), std::move(text));
  }
  void Probe(std::string_view name) { env_.Probe(name); }

 private:
  NodeEnv& env_;
  std::shared_ptr<const ClusterDirectory> directory_;
};

}  // namespace kafkasim::kafka
