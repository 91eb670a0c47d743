// Kafka's znode JSON (ZkData.scala), written in the key order a real cluster shows in
// `zookeeper-shell.sh localhost:2181 get ...`, read back with a JSON parser.
#include "kafka/zk_data.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>

namespace kafkasim::kafka::zkdata {
namespace {

using Json = nlohmann::json;

Result<Json> Parse(const std::string& text, const char* what) {
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status(Errc::kCorruption, fmt::format("{} is not a JSON object: {}", what, text));
  }
  return j;
}

std::string Quoted(const std::string& s) { return Json(s).dump(); }

}  // namespace

std::vector<std::string> PersistentPaths() {
  return {kBrokersPath,      kBrokerIdsPath, kTopicsPath,       kAdminPath,
          kDeleteTopicsPath, kConfigPath,    kConfigTopicsPath, kProducerIdBlockPath};
}

std::string BrokerIdPath(BrokerId id) { return fmt::format("{}/{}", kBrokerIdsPath, id); }
std::string TopicPath(const std::string& topic) { return fmt::format("{}/{}", kTopicsPath, topic); }
std::string TopicPartitionsPath(const std::string& topic) {
  return TopicPath(topic) + "/partitions";
}
std::string TopicPartitionPath(const std::string& topic, std::int32_t partition) {
  return fmt::format("{}/{}", TopicPartitionsPath(topic), partition);
}
std::string PartitionStatePath(const std::string& topic, std::int32_t partition) {
  return TopicPartitionPath(topic, partition) + "/state";
}
std::string TopicConfigPath(const std::string& topic) {
  return fmt::format("{}/{}", kConfigTopicsPath, topic);
}

std::string DeleteTopicPath(const std::string& topic) {
  return fmt::format("{}/{}", kDeleteTopicsPath, topic);
}

std::int32_t BrokerPort(BrokerId id) { return 9091 + id; }

std::string EncodeBrokerRegistration(BrokerId id, const std::string& rack, std::int64_t now_ms) {
  const std::int32_t port = BrokerPort(id);
  return fmt::format(
      "{{\"features\":{{}},\"listener_security_protocol_map\":{{\"PLAINTEXT\":\"PLAINTEXT\"}},"
      "\"endpoints\":[\"PLAINTEXT://localhost:{}\"],\"jmx_port\":-1,{}\"port\":{},"
      "\"host\":\"localhost\",\"version\":5,\"timestamp\":\"{}\"}}",
      port, rack.empty() ? "" : "\"rack\":" + Quoted(rack) + ",", port, now_ms);
}

Result<BrokerInfo> DecodeBrokerRegistration(const std::string& json) {
  Result<Json> j = Parse(json, "a broker registration");
  if (!j.ok()) return j.status();
  BrokerInfo info;
  if (j->contains("rack") && (*j)["rack"].is_string()) info.rack = (*j)["rack"].get<std::string>();
  return info;
}

std::string EncodeController(BrokerId id, std::int64_t now_ms) {
  return fmt::format(
      "{{\"version\":2,\"brokerid\":{},\"timestamp\":\"{}\",\"kraftControllerEpoch\":-1}}", id,
      now_ms);
}

Result<BrokerId> DecodeController(const std::string& json) {
  Result<Json> j = Parse(json, "/controller");
  if (!j.ok()) return j.status();
  if (!j->contains("brokerid") || !(*j)["brokerid"].is_number_integer()) {
    return Status(Errc::kCorruption, "/controller has no brokerid: " + json);
  }
  return (*j)["brokerid"].get<BrokerId>();
}

std::string EncodeTopic(const Uuid& topic_id,
                        const std::map<std::int32_t, std::vector<BrokerId>>& assignment) {
  std::vector<std::string> parts;
  for (const auto& [p, replicas] : assignment) {
    parts.push_back(fmt::format("\"{}\":[{}]", p, fmt::join(replicas, ",")));
  }
  return fmt::format(
      "{{\"partitions\":{{{}}},\"topic_id\":\"{}\",\"adding_replicas\":{{}},"
      "\"removing_replicas\":{{}},\"version\":3}}",
      fmt::join(parts, ","), topic_id.ToBase64());
}

Result<TopicAssignment> DecodeTopic(const std::string& json) {
  Result<Json> j = Parse(json, "a topic znode");
  if (!j.ok()) return j.status();
  TopicAssignment out;
  if (j->contains("topic_id") && (*j)["topic_id"].is_string()) {
    Result<Uuid> id = UuidFromBase64((*j)["topic_id"].get<std::string>());
    if (!id.ok()) return id.status();
    out.topic_id = *id;
  }
  if (!j->contains("partitions") || !(*j)["partitions"].is_object()) {
    return Status(Errc::kCorruption, "a topic znode without partitions: " + json);
  }
  for (const auto& [key, replicas] : (*j)["partitions"].items()) {
    std::vector<BrokerId> ids;
    for (const Json& r : replicas) {
      if (r.is_number_integer()) ids.push_back(r.get<BrokerId>());
    }
    out.partitions[std::stoi(key)] = std::move(ids);
  }
  return out;
}

std::string EncodePartitionState(const PartitionStateZNode& s) {
  return fmt::format(
      "{{\"controller_epoch\":{},\"leader\":{},\"version\":1,\"leader_epoch\":{},\"isr\":[{}]}}",
      s.controller_epoch, s.leader, s.leader_epoch, fmt::join(s.isr, ","));
}

Result<PartitionStateZNode> DecodePartitionState(const std::string& json) {
  Result<Json> j = Parse(json, "a partition state znode");
  if (!j.ok()) return j.status();
  PartitionStateZNode s;
  try {
    s.leader = j->at("leader").get<BrokerId>();
    s.leader_epoch = j->at("leader_epoch").get<std::int32_t>();
    s.controller_epoch = j->at("controller_epoch").get<std::int32_t>();
    s.isr = j->at("isr").get<std::vector<BrokerId>>();
  } catch (const Json::exception& e) {
    return Status(Errc::kCorruption, fmt::format("bad partition state {}: {}", json, e.what()));
  }
  return s;
}

std::string EncodeTopicConfig(const std::map<std::string, std::string>& configs) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : configs) parts.push_back(Quoted(k) + ":" + Quoted(v));
  return fmt::format("{{\"version\":1,\"config\":{{{}}}}}", fmt::join(parts, ","));
}

Result<std::map<std::string, std::string>> DecodeTopicConfig(const std::string& json) {
  Result<Json> j = Parse(json, "a topic config znode");
  if (!j.ok()) return j.status();
  std::map<std::string, std::string> out;
  if (j->contains("config") && (*j)["config"].is_object()) {
    for (const auto& [k, v] : (*j)["config"].items()) {
      if (v.is_string()) out[k] = v.get<std::string>();
    }
  }
  return out;
}

std::string EncodeProducerIdBlock(BrokerId broker, std::int64_t start, std::int64_t end) {
  return fmt::format("{{\"version\":1,\"broker\":{},\"block_start\":\"{}\",\"block_end\":\"{}\"}}",
                     broker, start, end);
}

}  // namespace kafkasim::kafka::zkdata
