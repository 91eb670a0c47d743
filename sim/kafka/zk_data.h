// The znodes a ZooKeeper-mode Kafka cluster keeps, with their JSON as Kafka 3.9 writes it
// (core/src/main/scala/kafka/zk/ZkData.scala): /brokers/ids/<id>, /controller,
// /controller_epoch, /brokers/topics/<t>, .../partitions/<p>/state, /config/topics/<t>,
// /admin/delete_topics/<t>.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/status.h"
#include "kafka/metadata_records.h"

namespace kafkasim::kafka::zkdata {

inline constexpr const char* kControllerPath = "/controller";
inline constexpr const char* kControllerEpochPath = "/controller_epoch";
inline constexpr const char* kBrokersPath = "/brokers";
inline constexpr const char* kBrokerIdsPath = "/brokers/ids";
inline constexpr const char* kTopicsPath = "/brokers/topics";
inline constexpr const char* kConfigPath = "/config";
inline constexpr const char* kConfigTopicsPath = "/config/topics";
inline constexpr const char* kProducerIdBlockPath = "/latest_producer_id_block";
inline constexpr const char* kAdminPath = "/admin";
inline constexpr const char* kDeleteTopicsPath = "/admin/delete_topics";
// KafkaZkClient.createTopLevelPaths (ZkData.PersistentZkPaths, the ones we use), in order.
std::vector<std::string> PersistentPaths();

std::string BrokerIdPath(BrokerId id);
std::string TopicPath(const std::string& topic);
std::string TopicPartitionsPath(const std::string& topic);
std::string TopicPartitionPath(const std::string& topic, std::int32_t partition);
std::string PartitionStatePath(const std::string& topic, std::int32_t partition);
std::string TopicConfigPath(const std::string& topic);
// DeleteTopicsTopicZNode: /admin/delete_topics/<t>, which asks the controller to delete <t>.
std::string DeleteTopicPath(const std::string& topic);

// The port a broker listens on: 9092 for broker 1, 9093 for broker 2, ...
std::int32_t BrokerPort(BrokerId id);

// BrokerIdZNode.encode, version 5 (IBP >= 2.7).
std::string EncodeBrokerRegistration(BrokerId id, const std::string& rack, std::int64_t now_ms);
struct BrokerInfo {
  std::string rack;
};
Result<BrokerInfo> DecodeBrokerRegistration(const std::string& json);

// ControllerZNode.encode (Kafka 3.4+: version 2 with kraftControllerEpoch -1 outside a
// migration).
std::string EncodeController(BrokerId id, std::int64_t now_ms);
Result<BrokerId> DecodeController(const std::string& json);

// TopicZNode.encode, version 3 with topic_id.
std::string EncodeTopic(const Uuid& topic_id,
                        const std::map<std::int32_t, std::vector<BrokerId>>& assignment);
struct TopicAssignment {
  Uuid topic_id;
  std::map<std::int32_t, std::vector<BrokerId>> partitions;
};
Result<TopicAssignment> DecodeTopic(const std::string& json);

// TopicPartitionStateZNode.encode: {"controller_epoch":..,"leader":..,"version":1,
// "leader_epoch":..,"isr":[..]}.
struct PartitionStateZNode {
  BrokerId leader = kNoLeader;
  std::int32_t leader_epoch = 0;
  std::int32_t controller_epoch = 0;
  std::vector<BrokerId> isr;
};
std::string EncodePartitionState(const PartitionStateZNode& state);
Result<PartitionStateZNode> DecodePartitionState(const std::string& json);

// ConfigEntityZNode.encode: {"version":1,"config":{...}}.
std::string EncodeTopicConfig(const std::map<std::string, std::string>& configs);
Result<std::map<std::string, std::string>> DecodeTopicConfig(const std::string& json);

// ProducerIdBlockZNode: {"version":1,"broker":N,"block_start":"0","block_end":"999"}.
std::string EncodeProducerIdBlock(BrokerId broker, std::int64_t start, std::int64_t end);

}  // namespace kafkasim::kafka::zkdata
