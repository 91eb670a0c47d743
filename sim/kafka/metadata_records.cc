// JSON encoding of metadata records, in the shape Kafka's metadata shell and dump-log print.
#include "kafka/metadata_records.h"

#include <iterator>
#include <nlohmann/json.hpp>

namespace kafkasim::kafka {
namespace {

using Json = nlohmann::ordered_json;

// Base64 URL-safe alphabet (RFC 4648 section 5), as java.util.Base64.getUrlEncoder().
constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

Json UuidJson(const Uuid& id) { return id.ToBase64(); }

}  // namespace

Result<Uuid> UuidFromBase64(const std::string& text) {
  if (text.size() != 22) return Status(Errc::kCorruption, "bad uuid '" + text + "'");
  std::uint8_t bytes[16] = {};
  std::uint32_t buffer = 0;
  int bits = 0;
  std::size_t out = 0;
  for (char c : text) {
    const char* pos = std::char_traits<char>::find(kBase64Url, 64, c);
    if (pos == nullptr) return Status(Errc::kCorruption, "bad uuid '" + text + "'");
    buffer = (buffer << 6) | static_cast<std::uint32_t>(pos - kBase64Url);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (out < 16) bytes[out++] = static_cast<std::uint8_t>((buffer >> bits) & 0xff);
    }
  }
  Uuid id;
  for (int i = 0; i < 8; ++i) id.high = (id.high << 8) | bytes[i];
  for (int i = 8; i < 16; ++i) id.low = (id.low << 8) | bytes[i];
  return id;
}

namespace {

std::optional<std::vector<BrokerId>> OptionalIds(const Json& j, const char* key) {
  if (!j.contains(key)) return std::nullopt;
  return j.at(key).get<std::vector<BrokerId>>();
}

Json Envelope(const char* type, Json data) {
  Json j;
  j["type"] = type;
  j["version"] = 0;
  j["data"] = std::move(data);
  return j;
}

struct Encoder {
  Json operator()(const RegisterBrokerRecord& r) const {
    Json d;
    d["brokerId"] = r.broker_id;
    d["brokerEpoch"] = r.broker_epoch;
    d["rack"] = r.rack.empty() ? Json(nullptr) : Json(r.rack);
    d["fenced"] = r.fenced;
    d["inControlledShutdown"] = r.in_controlled_shutdown;
    return Envelope("REGISTER_BROKER_RECORD", std::move(d));
  }
  Json operator()(const TopicRecord& r) const {
    Json d;
    d["name"] = r.name;
    d["topicId"] = UuidJson(r.topic_id);
    return Envelope("TOPIC_RECORD", std::move(d));
  }
  Json operator()(const PartitionRecord& r) const {
    Json d;
    d["partitionId"] = r.partition_id;
    d["topicId"] = UuidJson(r.topic_id);
    d["replicas"] = r.replicas;
    d["isr"] = r.isr;
    d["leader"] = r.leader;
    d["leaderRecoveryState"] = static_cast<int>(r.leader_recovery_state);
    d["leaderEpoch"] = r.leader_epoch;
    d["partitionEpoch"] = r.partition_epoch;
    d["eligibleLeaderReplicas"] = r.elr;
    d["lastKnownElr"] = r.last_known_elr;
    return Envelope("PARTITION_RECORD", std::move(d));
  }
  Json operator()(const ConfigRecord& r) const {
    Json d;
    d["resourceType"] = r.resource_type;
    d["resourceName"] = r.resource_name;
    d["name"] = r.name;
    d["value"] = r.value ? Json(*r.value) : Json(nullptr);
    return Envelope("CONFIG_RECORD", std::move(d));
  }
  Json operator()(const PartitionChangeRecord& r) const {
    Json d;
    d["partitionId"] = r.partition_id;
    d["topicId"] = UuidJson(r.topic_id);
    if (r.leader != kLeaderUnchanged) d["leader"] = r.leader;
    if (r.isr) d["isr"] = *r.isr;
    if (r.replicas) d["replicas"] = *r.replicas;
    if (r.elr) d["eligibleLeaderReplicas"] = *r.elr;
    if (r.last_known_elr) d["lastKnownElr"] = *r.last_known_elr;
    if (r.leader_recovery_state) {
      d["leaderRecoveryState"] = static_cast<int>(*r.leader_recovery_state);
    }
    return Envelope("PARTITION_CHANGE_RECORD", std::move(d));
  }
  Json operator()(const RemoveTopicRecord& r) const {
    Json d;
    d["topicId"] = UuidJson(r.topic_id);
    return Envelope("REMOVE_TOPIC_RECORD", std::move(d));
  }
  Json operator()(const BrokerRegistrationChangeRecord& r) const {
    Json d;
    d["brokerId"] = r.broker_id;
    d["brokerEpoch"] = r.broker_epoch;
    d["fenced"] = r.fenced;
    d["inControlledShutdown"] = r.in_controlled_shutdown;
    return Envelope("BROKER_REGISTRATION_CHANGE_RECORD", std::move(d));
  }
  Json operator()(const NoOpRecord&) const { return Envelope("NO_OP_RECORD", Json::object()); }
  Json operator()(const ProducerIdsRecord& r) const {
    Json d;
    d["brokerId"] = r.broker_id;
    d["brokerEpoch"] = r.broker_epoch;
    d["producerIdsEnd"] = r.producer_ids_end;
    return Envelope("PRODUCER_IDS_RECORD", std::move(d));
  }
};

Result<MetadataRecord> DecodeJson(const Json& j) {
  const std::string type = j.at("type").get<std::string>();
  const Json& d = j.at("data");
  if (type == "REGISTER_BROKER_RECORD") {
    RegisterBrokerRecord r;
    r.broker_id = d.at("brokerId").get<BrokerId>();
    r.broker_epoch = d.at("brokerEpoch").get<std::int64_t>();
    r.rack = d.at("rack").is_null() ? "" : d.at("rack").get<std::string>();
    r.fenced = d.at("fenced").get<bool>();
    r.in_controlled_shutdown = d.at("inControlledShutdown").get<bool>();
    return MetadataRecord(r);
  }
  if (type == "TOPIC_RECORD") {
    TopicRecord r;
    r.name = d.at("name").get<std::string>();
    Result<Uuid> id = UuidFromBase64(d.at("topicId").get<std::string>());
    if (!id.ok()) return id.status();
    r.topic_id = *id;
    return MetadataRecord(r);
  }
  if (type == "PARTITION_RECORD") {
    PartitionRecord r;
    Result<Uuid> id = UuidFromBase64(d.at("topicId").get<std::string>());
    if (!id.ok()) return id.status();
    r.topic_id = *id;
    r.partition_id = d.at("partitionId").get<std::int32_t>();
    r.replicas = d.at("replicas").get<std::vector<BrokerId>>();
    r.isr = d.at("isr").get<std::vector<BrokerId>>();
    r.leader = d.at("leader").get<BrokerId>();
    r.leader_recovery_state =
        static_cast<LeaderRecoveryState>(d.at("leaderRecoveryState").get<int>());
    r.leader_epoch = d.at("leaderEpoch").get<std::int32_t>();
    r.partition_epoch = d.at("partitionEpoch").get<std::int32_t>();
    r.elr = d.at("eligibleLeaderReplicas").get<std::vector<BrokerId>>();
    r.last_known_elr = d.at("lastKnownElr").get<std::vector<BrokerId>>();
    return MetadataRecord(r);
  }
  if (type == "CONFIG_RECORD") {
    ConfigRecord r;
    r.resource_type = d.at("resourceType").get<std::int8_t>();
    r.resource_name = d.at("resourceName").get<std::string>();
    r.name = d.at("name").get<std::string>();
    if (!d.at("value").is_null()) r.value = d.at("value").get<std::string>();
    return MetadataRecord(r);
  }
  if (type == "PARTITION_CHANGE_RECORD") {
    PartitionChangeRecord r;
    Result<Uuid> id = UuidFromBase64(d.at("topicId").get<std::string>());
    if (!id.ok()) return id.status();
    r.topic_id = *id;
    r.partition_id = d.at("partitionId").get<std::int32_t>();
    if (d.contains("leader")) r.leader = d.at("leader").get<BrokerId>();
    r.isr = OptionalIds(d, "isr");
    r.replicas = OptionalIds(d, "replicas");
    r.elr = OptionalIds(d, "eligibleLeaderReplicas");
    r.last_known_elr = OptionalIds(d, "lastKnownElr");
    if (d.contains("leaderRecoveryState")) {
      r.leader_recovery_state =
          static_cast<LeaderRecoveryState>(d.at("leaderRecoveryState").get<int>());
    }
    return MetadataRecord(r);
  }
  if (type == "REMOVE_TOPIC_RECORD") {
    Result<Uuid> id = UuidFromBase64(d.at("topicId").get<std::string>());
    if (!id.ok()) return id.status();
    return MetadataRecord(RemoveTopicRecord{*id});
  }
  if (type == "BROKER_REGISTRATION_CHANGE_RECORD") {
    BrokerRegistrationChangeRecord r;
    r.broker_id = d.at("brokerId").get<BrokerId>();
    r.broker_epoch = d.at("brokerEpoch").get<std::int64_t>();
    r.fenced = d.at("fenced").get<std::int8_t>();
    r.in_controlled_shutdown = d.at("inControlledShutdown").get<std::int8_t>();
    return MetadataRecord(r);
  }
  if (type == "NO_OP_RECORD") return MetadataRecord(NoOpRecord{});
  if (type == "PRODUCER_IDS_RECORD") {
    ProducerIdsRecord r;
    r.broker_id = d.at("brokerId").get<BrokerId>();
    r.broker_epoch = d.at("brokerEpoch").get<std::int64_t>();
    r.producer_ids_end = d.at("producerIdsEnd").get<std::int64_t>();
    return MetadataRecord(r);
  }
  return Status(Errc::kCorruption, "unknown metadata record type '" + type + "'");
}

}  // namespace

std::string Uuid::ToBase64() const {
  std::uint8_t bytes[16];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<std::uint8_t>(high >> (56 - 8 * i));
  for (int i = 0; i < 8; ++i) bytes[8 + i] = static_cast<std::uint8_t>(low >> (56 - 8 * i));
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::uint8_t b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kBase64Url[(buffer >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += kBase64Url[(buffer << (6 - bits)) & 0x3f];
  return out;  // 22 characters, no padding
}

std::string RecordTypeName(const MetadataRecord& record) {
  static constexpr const char* kNames[] = {"RegisterBrokerRecord",
                                           "TopicRecord",
                                           "PartitionRecord",
                                           "ConfigRecord",
                                           "PartitionChangeRecord",
                                           "RemoveTopicRecord",
                                           "BrokerRegistrationChangeRecord",
                                           "NoOpRecord",
                                           "ProducerIdsRecord"};
  static_assert(std::size(kNames) == std::variant_size_v<MetadataRecord>);
  return kNames[record.index()];
}

std::vector<std::uint8_t> EncodeMetadataRecord(const MetadataRecord& record) {
  const std::string text = std::visit(Encoder{}, record).dump();
  return {text.begin(), text.end()};
}

Result<MetadataRecord> DecodeMetadataRecord(std::span<const std::uint8_t> bytes) {
  const Json j = Json::parse(bytes.begin(), bytes.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status(Errc::kCorruption, "metadata record is not a JSON object");
  }
  try {
    return DecodeJson(j);
  } catch (const nlohmann::json::exception& e) {
    return Status(Errc::kCorruption, std::string("malformed metadata record: ") + e.what());
  }
}

}  // namespace kafkasim::kafka
