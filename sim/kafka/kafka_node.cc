// Views shared by every kind of Kafka server node, and the node factory by mode.
#include "kafka/kafka_node.h"

#include "engine/assert.h"
#include "kafka/kafka_raft_server.h"
#include "kafka/kafka_zk_server.h"

namespace kafkasim::kafka {

const char* ControlPlaneName(ControlPlane mode) {
  return mode == ControlPlane::kKRaft ? "kraft" : "zookeeper";
}

const ReplicaLog* KafkaNode::Log(const std::string& topic, std::int32_t partition) const {
  const Broker* b = broker();
  const Partition* p = b ? b->replicas().Find(topic, partition) : nullptr;
  return p == nullptr ? nullptr : &p->log();
}

std::optional<KafkaNode::LocalPartitionInfo> KafkaNode::LocalPartition(
    const std::string& topic, std::int32_t partition) const {
  const Broker* b = broker();
  const Partition* p = b ? b->replicas().Find(topic, partition) : nullptr;
  if (p == nullptr) return std::nullopt;
  return LocalPartitionInfo{p->is_leader(), p->leader_epoch(), p->isr()};
}

const KafkaNode::Counters& KafkaNode::counters() const {
  static const Counters kNone;
  const Broker* b = broker();
  return b ? b->replicas().counters() : kNone;
}

NodeFactory MakeKafkaNodeFactory(ControlPlane mode,
                                 std::shared_ptr<const ClusterDirectory> directory,
                                 ServerConfig config,
                                 std::shared_ptr<const zookeeper::ZkEnsembleDirectory> ensemble) {
  switch (mode) {
    case ControlPlane::kKRaft:
      return [directory, config](NodeEnv& env) -> std::unique_ptr<Node> {
        return std::make_unique<KafkaRaftServer>(env, directory, config);
      };
    case ControlPlane::kZooKeeper:
      KSIM_ASSERT_MSG(ensemble != nullptr, "ZooKeeper mode needs the ensemble");
      return [directory, config, ensemble](NodeEnv& env) -> std::unique_ptr<Node> {
        return std::make_unique<KafkaZkServer>(env, directory, ensemble, config);
      };
  }
  KSIM_UNREACHABLE();
}

}  // namespace kafkasim::kafka
