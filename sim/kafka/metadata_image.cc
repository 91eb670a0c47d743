// Replaying metadata records into an image (Kafka's MetadataDelta/MetadataImage in one step).
#include "kafka/metadata_image.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/assert.h"

namespace kafkasim::kafka {

bool PartitionRegistration::InIsr(BrokerId id) const {
  return std::find(isr.begin(), isr.end(), id) != isr.end();
}

std::string PartitionName(const std::string& topic, std::int32_t partition) {
  return fmt::format("{}-{}", topic, partition);
}

const BrokerRegistration* MetadataImage::Broker(BrokerId id) const {
  const auto it = brokers_.find(id);
  return it == brokers_.end() ? nullptr : &it->second;
}

const TopicImage* MetadataImage::Topic(const std::string& name) const {
  const auto it = topics_.find(name);
  return it == topics_.end() ? nullptr : &it->second;
}

const TopicImage* MetadataImage::TopicById(const Uuid& id) const {
  const auto it = topic_names_.find(id);
  return it == topic_names_.end() ? nullptr : Topic(it->second);
}

const PartitionRegistration* MetadataImage::Partition(const std::string& topic,
                                                      std::int32_t partition) const {
  const TopicImage* t = Topic(topic);
  if (t == nullptr) return nullptr;
  const auto it = t->partitions.find(partition);
  return it == t->partitions.end() ? nullptr : &it->second;
}

std::string MetadataImage::TopicConfig(const std::string& topic, const std::string& name,
                                       const std::string& fallback) const {
  if (const TopicImage* t = Topic(topic)) {
    const auto it = t->configs.find(name);
    if (it != t->configs.end()) return it->second;
  }
  const auto c = cluster_configs_.find(name);
  return c == cluster_configs_.end() ? fallback : c->second;
}

bool MetadataImage::IsActive(BrokerId id) const {
  const BrokerRegistration* b = Broker(id);
  return b != nullptr && !b->fenced && !b->in_controlled_shutdown;
}

void MetadataImage::Apply(const MetadataRecord& record, std::int64_t offset) {
  KSIM_ASSERT_LE(offset_ + 1, offset + 1);
  offset_ = offset;
  ++changes_;
  struct Visitor {
    MetadataImage& image;
    void operator()(const RegisterBrokerRecord& r) {
      image.brokers_[r.broker_id] = BrokerRegistration{
          r.broker_id,      r.broker_epoch, r.rack,     r.fenced,  r.in_controlled_shutdown,
          r.incarnation_id, r.endpoints,    r.features, r.log_dirs};
    }
    void operator()(const TopicRecord& r) {
      TopicImage& t = image.topics_[r.name];
      t.name = r.name;
      t.id = r.topic_id;
      image.topic_names_[r.topic_id] = r.name;
    }
    void operator()(const PartitionRecord& r) {
      const auto name = image.topic_names_.find(r.topic_id);
      KSIM_ASSERT_MSG(name != image.topic_names_.end(), "PartitionRecord for an unknown topic");
      PartitionRegistration p;
      p.replicas = r.replicas;
      p.isr = r.isr;
      p.elr = r.elr;
      p.last_known_elr = r.last_known_elr;
      p.leader = r.leader;
      p.leader_recovery_state = r.leader_recovery_state;
      p.leader_epoch = r.leader_epoch;
      p.partition_epoch = r.partition_epoch;
      p.directories = r.directories;
      image.topics_[name->second].partitions[r.partition_id] = std::move(p);
    }
    void operator()(const ConfigRecord& r) {
      std::map<std::string, std::string>* configs = nullptr;
      if (r.resource_type == 2) {
        const auto t = image.topics_.find(r.resource_name);
        if (t == image.topics_.end()) return;  // config of a deleted topic
        configs = &t->second.configs;
      } else {
        configs = &image.cluster_configs_;
      }
      if (r.value) {
        (*configs)[r.name] = *r.value;
      } else {
        configs->erase(r.name);
      }
    }
    void operator()(const PartitionChangeRecord& r) {
      const auto name = image.topic_names_.find(r.topic_id);
      if (name == image.topic_names_.end()) return;  // topic removed meanwhile
      auto& parts = image.topics_[name->second].partitions;
      const auto it = parts.find(r.partition_id);
      KSIM_ASSERT_MSG(it != parts.end(), "PartitionChangeRecord for an unknown partition");
      PartitionRegistration& p = it->second;
      // Replaying a change: partition epoch +1 always, leader epoch +1 iff the leader field
      // is set (Kafka's PartitionRegistration.merge).
      if (r.isr) p.isr = *r.isr;
      if (r.replicas) {
        p.replicas = *r.replicas;
        p.directories.assign(p.replicas.size(), Uuid{});
      }
      if (r.elr) p.elr = *r.elr;
      if (r.last_known_elr) p.last_known_elr = *r.last_known_elr;
      if (r.leader_recovery_state) p.leader_recovery_state = *r.leader_recovery_state;
      if (r.leader != kLeaderUnchanged) {
        p.leader = r.leader;
        ++p.leader_epoch;
      }
      ++p.partition_epoch;
    }
    void operator()(const RemoveTopicRecord& r) {
      const auto name = image.topic_names_.find(r.topic_id);
      if (name == image.topic_names_.end()) return;
      image.topics_.erase(name->second);
      image.topic_names_.erase(name);
    }
    void operator()(const BrokerRegistrationChangeRecord& r) {
      const auto it = image.brokers_.find(r.broker_id);
      if (it == image.brokers_.end() || it->second.epoch != r.broker_epoch) return;
      if (r.fenced == 1) it->second.fenced = true;
      if (r.fenced == -1) it->second.fenced = false;
      if (r.in_controlled_shutdown == 1) it->second.in_controlled_shutdown = true;
    }
    void operator()(const NoOpRecord&) {}
    void operator()(const FeatureLevelRecord& r) {
      // FeatureControlManager.replay: level 0 removes the feature.
      if (r.feature_level == 0) {
        image.features_.erase(r.name);
      } else {
        image.features_[r.name] = r.feature_level;
      }
    }
    void operator()(const ProducerIdsRecord& r) {
      // ProducerIdControlManager.replay: blocks only move forward.
      KSIM_ASSERT_LE(image.next_producer_id_ + 1, r.producer_ids_end);
      image.next_producer_id_ = r.producer_ids_end;
    }
  };
  std::visit(Visitor{*this}, record);
}

}  // namespace kafkasim::kafka
