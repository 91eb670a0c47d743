// The state the metadata log describes: brokers, topics, partitions and configs, as of a log
// offset. Controllers and brokers build it by replaying records in offset order.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kafka/metadata_records.h"

namespace kafkasim::kafka {

struct BrokerRegistration {
  BrokerId id = 0;
  std::int64_t epoch = 0;
  std::string rack;
  bool fenced = true;
  bool in_controlled_shutdown = false;
  Uuid incarnation_id;
  std::vector<BrokerEndpoint> endpoints;
  std::vector<BrokerFeature> features;
  std::vector<Uuid> log_dirs;
};

struct PartitionRegistration {
  std::vector<BrokerId> replicas;
  std::vector<BrokerId> isr;
  std::vector<BrokerId> elr;
  std::vector<BrokerId> last_known_elr;
  BrokerId leader = kNoLeader;
  LeaderRecoveryState leader_recovery_state = LeaderRecoveryState::kRecovered;
  std::int32_t leader_epoch = 0;
  std::int32_t partition_epoch = 0;
  std::vector<Uuid> directories;  // each replica's log dir (KIP-858); zero = unassigned

  bool HasLeader() const { return leader >= 0; }
  bool InIsr(BrokerId id) const;
};

struct TopicImage {
  std::string name;
  Uuid id;
  std::map<std::int32_t, PartitionRegistration> partitions;
  std::map<std::string, std::string> configs;  // overrides only
};

// "cities-0"
std::string PartitionName(const std::string& topic, std::int32_t partition);

class MetadataImage {
 public:
  // Applies one committed record; `offset` is its position in the metadata log.
  void Apply(const MetadataRecord& record, std::int64_t offset);

  std::int64_t offset() const { return offset_; }
  // How many records were applied: the image is the same as when this last had a value.
  std::uint64_t changes() const { return changes_; }
  const std::map<BrokerId, BrokerRegistration>& brokers() const { return brokers_; }
  const std::map<std::string, TopicImage>& topics() const { return topics_; }
  const BrokerRegistration* Broker(BrokerId id) const;
  const TopicImage* Topic(const std::string& name) const;
  const TopicImage* TopicById(const Uuid& id) const;
  const PartitionRegistration* Partition(const std::string& topic, std::int32_t partition) const;
  // Broker-level overrides with resource name "" (cluster default) or the broker id.
  const std::map<std::string, std::string>& cluster_configs() const { return cluster_configs_; }
  // The effective value of a topic config: topic override, else cluster default, else
  // `fallback` (Kafka's built-in default).
  std::string TopicConfig(const std::string& topic, const std::string& name,
                          const std::string& fallback) const;
  // True when the broker is registered, unfenced and not shutting down.
  bool IsActive(BrokerId id) const;
  // The first producer id of the next block the controller hands out (ProducerIdsImage): the
  // last ProducerIdsRecord's producer_ids_end, 0 before any.
  std::int64_t next_producer_id() const { return next_producer_id_; }
  // Finalized feature levels (FeatureLevelRecord): "metadata.version" -> level.
  const std::map<std::string, std::int16_t>& features() const { return features_; }

 private:
  std::int64_t offset_ = -1;
  std::uint64_t changes_ = 0;
  std::map<BrokerId, BrokerRegistration> brokers_;
  std::map<std::string, TopicImage> topics_;
  std::map<Uuid, std::string> topic_names_;
  std::map<std::string, std::string> cluster_configs_;
  std::int64_t next_producer_id_ = 0;
  std::map<std::string, std::int16_t> features_;
};

}  // namespace kafkasim::kafka
