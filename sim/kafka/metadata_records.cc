// Metadata records in Kafka's binary format (MetadataRecordSerde over the generated message
// classes of metadata/src/main/resources/common/metadata/*.json) and their JSON, as the
// generated JsonConverters write it: fields in schema order, a tagged field only when it is
// not its default.
#include "kafka/metadata_records.h"

#include <fmt/format.h>

#include <iterator>
#include <nlohmann/json.hpp>

#include "storage/message_io.h"

namespace kafkasim::kafka {
namespace {

using Json = nlohmann::ordered_json;
using Bytes = std::vector<std::uint8_t>;
using storage::ByteReader;
using storage::ByteWriter;

constexpr std::uint64_t kFrameVersion = 1;  // AbstractApiMessageSerde.DEFAULT_FRAME_VERSION

// Api keys (MetadataRecordType).
constexpr std::int16_t kRegisterBroker = 0;
constexpr std::int16_t kTopic = 2;
constexpr std::int16_t kPartition = 3;
constexpr std::int16_t kConfig = 4;
constexpr std::int16_t kPartitionChange = 5;
constexpr std::int16_t kRemoveTopic = 9;
constexpr std::int16_t kFeatureLevel = 12;
constexpr std::int16_t kProducerIds = 15;
constexpr std::int16_t kBrokerRegistrationChange = 17;
constexpr std::int16_t kNoOp = 20;

const char* TypeEnumName(std::int16_t api_key) {
  switch (api_key) {
    case kRegisterBroker:
      return "REGISTER_BROKER_RECORD";
    case kTopic:
      return "TOPIC_RECORD";
    case kPartition:
      return "PARTITION_RECORD";
    case kConfig:
      return "CONFIG_RECORD";
    case kPartitionChange:
      return "PARTITION_CHANGE_RECORD";
    case kRemoveTopic:
      return "REMOVE_TOPIC_RECORD";
    case kFeatureLevel:
      return "FEATURE_LEVEL_RECORD";
    case kProducerIds:
      return "PRODUCER_IDS_RECORD";
    case kBrokerRegistrationChange:
      return "BROKER_REGISTRATION_CHANGE_RECORD";
    case kNoOp:
      return "NO_OP_RECORD";
  }
  return "UNKNOWN";
}

// --- writing ---

void WriteInt32s(ByteWriter& w, const std::vector<std::int32_t>& ids) {
  storage::WriteCompactArrayLength(w, ids.size());
  for (std::int32_t id : ids) w.I32(id);
}
void WriteUuids(ByteWriter& w, const std::vector<Uuid>& ids) {
  storage::WriteCompactArrayLength(w, ids.size());
  for (const Uuid& id : ids) storage::WriteUuid(w, id);
}

// The tagged-field section: (tag, bytes) in ascending tag order.
class TaggedFields {
 public:
  ByteWriter Add(std::uint32_t tag) {
    fields_.push_back({tag, {}});
    return ByteWriter(fields_.back().second);
  }
  void WriteTo(ByteWriter& w) const {
    w.UnsignedVarint(fields_.size());
    for (const auto& [tag, bytes] : fields_) {
      w.UnsignedVarint(tag);
      w.UnsignedVarint(bytes.size());
      w.Raw(bytes);
    }
  }

 private:
  std::vector<std::pair<std::uint32_t, Bytes>> fields_;
};

struct Writer {
  ByteWriter& w;

  std::int16_t operator()(const RegisterBrokerRecord& r) const {
    w.I32(r.broker_id);
    w.U8(0);  // IsMigratingZkBroker (v2+): false
    storage::WriteUuid(w, r.incarnation_id);
    w.I64(r.broker_epoch);
    storage::WriteCompactArrayLength(w, r.endpoints.size());
    for (const BrokerEndpoint& e : r.endpoints) {
      storage::WriteCompactString(w, e.name);
      storage::WriteCompactString(w, e.host);
      w.BigEndian(e.port, 2);
      w.I16(e.security_protocol);
      storage::WriteNoTaggedFields(w);
    }
    storage::WriteCompactArrayLength(w, r.features.size());
    for (const BrokerFeature& f : r.features) {
      storage::WriteCompactString(w, f.name);
      w.I16(f.min_supported_version);
      w.I16(f.max_supported_version);
      storage::WriteNoTaggedFields(w);
    }
    storage::WriteCompactNullableString(
        w, r.rack.empty() ? std::nullopt : std::optional<std::string>(r.rack));
    w.U8(r.fenced ? 1 : 0);
    w.U8(r.in_controlled_shutdown ? 1 : 0);
    TaggedFields tagged;
    if (!r.log_dirs.empty()) {
      ByteWriter t = tagged.Add(0);
      WriteUuids(t, r.log_dirs);
    }
    tagged.WriteTo(w);
    return 3;
  }
  std::int16_t operator()(const TopicRecord& r) const {
    storage::WriteCompactString(w, r.name);
    storage::WriteUuid(w, r.topic_id);
    storage::WriteNoTaggedFields(w);
    return 0;
  }
  std::int16_t operator()(const PartitionRecord& r) const {
    w.I32(r.partition_id);
    storage::WriteUuid(w, r.topic_id);
    WriteInt32s(w, r.replicas);
    WriteInt32s(w, r.isr);
    WriteInt32s(w, {});  // RemovingReplicas
    WriteInt32s(w, {});  // AddingReplicas
    w.I32(r.leader);
    w.I32(r.leader_epoch);
    w.I32(r.partition_epoch);
    WriteUuids(w, Directories(r));
    TaggedFields tagged;
    if (r.leader_recovery_state != LeaderRecoveryState::kRecovered) {
      tagged.Add(0).U8(static_cast<std::uint8_t>(r.leader_recovery_state));
    }
    // PartitionRegistration.toRecord sets the ELR fields only when they are not empty.
    if (!r.elr.empty()) {
      ByteWriter t = tagged.Add(1);
      WriteInt32s(t, r.elr);
    }
    if (!r.last_known_elr.empty()) {
      ByteWriter t = tagged.Add(2);
      WriteInt32s(t, r.last_known_elr);
    }
    tagged.WriteTo(w);
    return 2;
  }
  std::int16_t operator()(const ConfigRecord& r) const {
    w.U8(static_cast<std::uint8_t>(r.resource_type));
    storage::WriteCompactString(w, r.resource_name);
    storage::WriteCompactString(w, r.name);
    storage::WriteCompactNullableString(w, r.value);
    storage::WriteNoTaggedFields(w);
    return 0;
  }
  std::int16_t operator()(const PartitionChangeRecord& r) const {
    w.I32(r.partition_id);
    storage::WriteUuid(w, r.topic_id);
    TaggedFields tagged;
    if (r.isr) {
      ByteWriter t = tagged.Add(0);
      WriteInt32s(t, *r.isr);
    }
    if (r.leader != kLeaderUnchanged) tagged.Add(1).I32(r.leader);
    if (r.replicas) {
      ByteWriter t = tagged.Add(2);
      WriteInt32s(t, *r.replicas);
    }
    if (r.leader_recovery_state) {
      tagged.Add(5).U8(static_cast<std::uint8_t>(*r.leader_recovery_state));
    }
    if (r.elr) {
      ByteWriter t = tagged.Add(6);
      WriteInt32s(t, *r.elr);
    }
    if (r.last_known_elr) {
      ByteWriter t = tagged.Add(7);
      WriteInt32s(t, *r.last_known_elr);
    }
    if (r.replicas) {
      // PartitionChangeBuilder: new replicas come with their directories (unassigned here).
      ByteWriter t = tagged.Add(8);
      WriteUuids(t, std::vector<Uuid>(r.replicas->size()));
    }
    tagged.WriteTo(w);
    return 2;
  }
  std::int16_t operator()(const RemoveTopicRecord& r) const {
    storage::WriteUuid(w, r.topic_id);
    storage::WriteNoTaggedFields(w);
    return 0;
  }
  std::int16_t operator()(const BrokerRegistrationChangeRecord& r) const {
    w.I32(r.broker_id);
    w.I64(r.broker_epoch);
    TaggedFields tagged;
    if (r.fenced != 0) tagged.Add(0).U8(static_cast<std::uint8_t>(r.fenced));
    if (r.in_controlled_shutdown != 0) {
      tagged.Add(1).U8(static_cast<std::uint8_t>(r.in_controlled_shutdown));
    }
    tagged.WriteTo(w);
    return 2;
  }
  std::int16_t operator()(const NoOpRecord&) const {
    storage::WriteNoTaggedFields(w);
    return 0;
  }
  std::int16_t operator()(const ProducerIdsRecord& r) const {
    w.I32(r.broker_id);
    w.I64(r.broker_epoch);
    w.I64(r.producer_ids_end);
    storage::WriteNoTaggedFields(w);
    return 0;
  }
  std::int16_t operator()(const FeatureLevelRecord& r) const {
    storage::WriteCompactString(w, r.name);
    w.I16(r.feature_level);
    storage::WriteNoTaggedFields(w);
    return 0;
  }

  static std::vector<Uuid> Directories(const PartitionRecord& r) {
    if (r.directories.size() == r.replicas.size()) return r.directories;
    return std::vector<Uuid>(r.replicas.size());  // DirectoryId.UNASSIGNED, all zero
  }
};

constexpr std::int16_t kApiKeys[] = {
    kRegisterBroker,           kTopic, kPartition,   kConfig,      kPartitionChange, kRemoveTopic,
    kBrokerRegistrationChange, kNoOp,  kProducerIds, kFeatureLevel};
static_assert(std::size(kApiKeys) == std::variant_size_v<MetadataRecord>);

// --- reading ---

Status Bad(const std::string& what) { return Status(Errc::kCorruptMessage, what); }

std::optional<std::vector<std::int32_t>> ReadInt32s(ByteReader& r) {
  std::optional<std::int64_t> n = storage::ReadCompactArrayLength(r);
  if (!n || *n < 0) return std::nullopt;
  std::vector<std::int32_t> out;
  for (std::int64_t i = 0; i < *n; ++i) {
    std::optional<std::int32_t> v = r.I32();
    if (!v) return std::nullopt;
    out.push_back(*v);
  }
  return out;
}
std::optional<std::vector<Uuid>> ReadUuids(ByteReader& r) {
  std::optional<std::int64_t> n = storage::ReadCompactArrayLength(r);
  if (!n || *n < 0) return std::nullopt;
  std::vector<Uuid> out;
  for (std::int64_t i = 0; i < *n; ++i) {
    std::optional<Uuid> v = storage::ReadUuid(r);
    if (!v) return std::nullopt;
    out.push_back(*v);
  }
  return out;
}
std::optional<bool> ReadBool(ByteReader& r) {
  std::optional<std::int8_t> v = r.I8();
  if (!v) return std::nullopt;
  return *v != 0;
}

// A tagged field's bytes read whole: the reader must use all of them.
template <typename F>
bool ReadTagged(std::span<const std::uint8_t> bytes, F&& read) {
  ByteReader t(bytes);
  return read(t) && t.ok() && t.remaining() == 0;
}

Result<MetadataRecord> ReadRecord(std::int16_t api_key, std::int16_t version, ByteReader& r) {
  const std::string what = fmt::format("{} version {}", TypeEnumName(api_key), version);
  auto malformed = [&] { return Bad("malformed " + what); };
  switch (api_key) {
    case kRegisterBroker: {
      if (version > 3) break;
      RegisterBrokerRecord rec;
      std::optional<std::int32_t> id = r.I32();
      if (!id) return malformed();
      rec.broker_id = *id;
      if (version >= 2 && !ReadBool(r)) return malformed();
      std::optional<Uuid> incarnation = storage::ReadUuid(r);
      std::optional<std::int64_t> epoch = r.I64();
      std::optional<std::int64_t> n = storage::ReadCompactArrayLength(r);
      if (!incarnation || !epoch || !n || *n < 0) return malformed();
      rec.incarnation_id = *incarnation;
      rec.broker_epoch = *epoch;
      for (std::int64_t i = 0; i < *n; ++i) {
        BrokerEndpoint e;
        std::optional<std::string> name = storage::ReadCompactString(r);
        std::optional<std::string> host = storage::ReadCompactString(r);
        std::optional<std::uint64_t> port = r.BigEndian(2);
        std::optional<std::int16_t> protocol = r.I16();
        if (!name || !host || !port || !protocol || !storage::SkipTaggedFields(r)) {
          return malformed();
        }
        rec.endpoints.push_back(
            BrokerEndpoint{*name, *host, static_cast<std::uint16_t>(*port), *protocol});
      }
      n = storage::ReadCompactArrayLength(r);
      if (!n || *n < 0) return malformed();
      for (std::int64_t i = 0; i < *n; ++i) {
        std::optional<std::string> name = storage::ReadCompactString(r);
        std::optional<std::int16_t> min = r.I16();
        std::optional<std::int16_t> max = r.I16();
        if (!name || !min || !max || !storage::SkipTaggedFields(r)) return malformed();
        rec.features.push_back(BrokerFeature{*name, *min, *max});
      }
      std::optional<std::optional<std::string>> rack = storage::ReadCompactNullableString(r);
      std::optional<bool> fenced = ReadBool(r);
      if (!rack || !fenced) return malformed();
      rec.rack = rack->value_or("");
      rec.fenced = *fenced;
      if (version >= 1) {
        std::optional<bool> shutdown = ReadBool(r);
        if (!shutdown) return malformed();
        rec.in_controlled_shutdown = *shutdown;
      }
      const bool ok = storage::ReadTaggedFields(r, [&](std::uint32_t tag, auto bytes) {
        if (tag != 0 || version < 3) return true;  // unknown tagged fields are kept by Kafka
        return ReadTagged(bytes, [&](ByteReader& t) {
          std::optional<std::vector<Uuid>> dirs = ReadUuids(t);
          if (dirs) rec.log_dirs = std::move(*dirs);
          return dirs.has_value();
        });
      });
      if (!ok) return malformed();
      return MetadataRecord(std::move(rec));
    }
    case kTopic: {
      if (version != 0) break;
      std::optional<std::string> name = storage::ReadCompactString(r);
      std::optional<Uuid> id = storage::ReadUuid(r);
      if (!name || !id || !storage::SkipTaggedFields(r)) return malformed();
      return MetadataRecord(TopicRecord{*name, *id});
    }
    case kPartition: {
      if (version > 2) break;
      PartitionRecord rec;
      std::optional<std::int32_t> partition = r.I32();
      std::optional<Uuid> topic = storage::ReadUuid(r);
      std::optional<std::vector<std::int32_t>> replicas = ReadInt32s(r);
      std::optional<std::vector<std::int32_t>> isr = ReadInt32s(r);
      std::optional<std::vector<std::int32_t>> removing = ReadInt32s(r);
      std::optional<std::vector<std::int32_t>> adding = ReadInt32s(r);
      std::optional<std::int32_t> leader = r.I32();
      std::optional<std::int32_t> leader_epoch = r.I32();
      std::optional<std::int32_t> partition_epoch = r.I32();
      if (!partition || !topic || !replicas || !isr || !removing || !adding || !leader ||
          !leader_epoch || !partition_epoch) {
        return malformed();
      }
      rec.partition_id = *partition;
      rec.topic_id = *topic;
      rec.replicas = std::move(*replicas);
      rec.isr = std::move(*isr);
      rec.leader = *leader;
      rec.leader_epoch = *leader_epoch;
      rec.partition_epoch = *partition_epoch;
      if (version >= 1) {
        std::optional<std::vector<Uuid>> dirs = ReadUuids(r);
        if (!dirs) return malformed();
        rec.directories = std::move(*dirs);
      }
      const bool ok = storage::ReadTaggedFields(r, [&](std::uint32_t tag, auto bytes) {
        if (tag == 0) {
          return ReadTagged(bytes, [&](ByteReader& t) {
            std::optional<std::int8_t> v = t.I8();
            if (v) rec.leader_recovery_state = static_cast<LeaderRecoveryState>(*v);
            return v.has_value();
          });
        }
        if ((tag == 1 || tag == 2) && version >= 2) {
          return ReadTagged(bytes, [&](ByteReader& t) {
            std::optional<std::vector<std::int32_t>> ids = ReadInt32s(t);
            if (ids) (tag == 1 ? rec.elr : rec.last_known_elr) = std::move(*ids);
            return ids.has_value();
          });
        }
        return true;
      });
      if (!ok) return malformed();
      return MetadataRecord(std::move(rec));
    }
    case kConfig: {
      if (version != 0) break;
      ConfigRecord rec;
      std::optional<std::int8_t> type = r.I8();
      std::optional<std::string> resource = storage::ReadCompactString(r);
      std::optional<std::string> name = storage::ReadCompactString(r);
      std::optional<std::optional<std::string>> value = storage::ReadCompactNullableString(r);
      if (!type || !resource || !name || !value || !storage::SkipTaggedFields(r)) {
        return malformed();
      }
      rec.resource_type = *type;
      rec.resource_name = std::move(*resource);
      rec.name = std::move(*name);
      rec.value = std::move(*value);
      return MetadataRecord(std::move(rec));
    }
    case kPartitionChange: {
      if (version > 2) break;
      PartitionChangeRecord rec;
      std::optional<std::int32_t> partition = r.I32();
      std::optional<Uuid> topic = storage::ReadUuid(r);
      if (!partition || !topic) return malformed();
      rec.partition_id = *partition;
      rec.topic_id = *topic;
      auto ids = [](auto bytes, std::optional<std::vector<BrokerId>>& out) {
        return ReadTagged(bytes, [&](ByteReader& t) {
          std::optional<std::int64_t> n = storage::ReadCompactArrayLength(t);
          if (!n) return false;
          if (*n < 0) return true;  // an explicit null
          std::vector<BrokerId> v;
          for (std::int64_t i = 0; i < *n; ++i) {
            std::optional<std::int32_t> id = t.I32();
            if (!id) return false;
            v.push_back(*id);
          }
          out = std::move(v);
          return true;
        });
      };
      const bool ok = storage::ReadTaggedFields(r, [&](std::uint32_t tag, auto bytes) {
        switch (tag) {
          case 0:
            return ids(bytes, rec.isr);
          case 1:
            return ReadTagged(bytes, [&](ByteReader& t) {
              std::optional<std::int32_t> v = t.I32();
              if (v) rec.leader = *v;
              return v.has_value();
            });
          case 2:
            return ids(bytes, rec.replicas);
          case 5:
            return ReadTagged(bytes, [&](ByteReader& t) {
              std::optional<std::int8_t> v = t.I8();
              if (v && *v >= 0) rec.leader_recovery_state = static_cast<LeaderRecoveryState>(*v);
              return v.has_value();
            });
          case 6:
            return version < 2 || ids(bytes, rec.elr);
          case 7:
            return version < 2 || ids(bytes, rec.last_known_elr);
          default:
            return true;  // removing/adding replicas, directories: not simulated
        }
      });
      if (!ok) return malformed();
      return MetadataRecord(std::move(rec));
    }
    case kRemoveTopic: {
      if (version != 0) break;
      std::optional<Uuid> id = storage::ReadUuid(r);
      if (!id || !storage::SkipTaggedFields(r)) return malformed();
      return MetadataRecord(RemoveTopicRecord{*id});
    }
    case kBrokerRegistrationChange: {
      if (version > 2) break;
      BrokerRegistrationChangeRecord rec;
      std::optional<std::int32_t> id = r.I32();
      std::optional<std::int64_t> epoch = r.I64();
      if (!id || !epoch) return malformed();
      rec.broker_id = *id;
      rec.broker_epoch = *epoch;
      const bool ok = storage::ReadTaggedFields(r, [&](std::uint32_t tag, auto bytes) {
        if (tag != 0 && tag != 1) return true;
        return ReadTagged(bytes, [&](ByteReader& t) {
          std::optional<std::int8_t> v = t.I8();
          if (v) (tag == 0 ? rec.fenced : rec.in_controlled_shutdown) = *v;
          return v.has_value();
        });
      });
      if (!ok) return malformed();
      return MetadataRecord(rec);
    }
    case kNoOp:
      if (version != 0) break;
      if (!storage::SkipTaggedFields(r)) return malformed();
      return MetadataRecord(NoOpRecord{});
    case kProducerIds: {
      if (version != 0) break;
      std::optional<std::int32_t> id = r.I32();
      std::optional<std::int64_t> epoch = r.I64();
      std::optional<std::int64_t> next = r.I64();
      if (!id || !epoch || !next || !storage::SkipTaggedFields(r)) return malformed();
      return MetadataRecord(ProducerIdsRecord{*id, *epoch, *next});
    }
    case kFeatureLevel: {
      if (version != 0) break;
      std::optional<std::string> name = storage::ReadCompactString(r);
      std::optional<std::int16_t> level = r.I16();
      if (!name || !level || !storage::SkipTaggedFields(r)) return malformed();
      return MetadataRecord(FeatureLevelRecord{*name, *level});
    }
    default:
      return Bad(fmt::format("Unknown metadata id {}", api_key));
  }
  return Bad(fmt::format("Unsupported version {} of {}", version, TypeEnumName(api_key)));
}

// --- JSON (the generated *JsonConverter.write) ---

Json UuidsJson(const std::vector<Uuid>& ids) {
  Json out = Json::array();
  for (const Uuid& id : ids) out.push_back(id.ToBase64());
  return out;
}

struct JsonWriter {
  std::int16_t version;

  Json operator()(const RegisterBrokerRecord& r) const {
    Json d;
    d["brokerId"] = r.broker_id;
    if (version >= 2) d["isMigratingZkBroker"] = false;
    d["incarnationId"] = r.incarnation_id.ToBase64();
    d["brokerEpoch"] = r.broker_epoch;
    d["endPoints"] = Json::array();
    for (const BrokerEndpoint& e : r.endpoints) {
      d["endPoints"].push_back(Json{{"name", e.name},
                                    {"host", e.host},
                                    {"port", e.port},
                                    {"securityProtocol", e.security_protocol}});
    }
    d["features"] = Json::array();
    for (const BrokerFeature& f : r.features) {
      d["features"].push_back(Json{{"name", f.name},
                                   {"minSupportedVersion", f.min_supported_version},
                                   {"maxSupportedVersion", f.max_supported_version}});
    }
    d["rack"] = r.rack.empty() ? Json(nullptr) : Json(r.rack);
    d["fenced"] = r.fenced;
    if (version >= 1) d["inControlledShutdown"] = r.in_controlled_shutdown;
    if (version >= 3 && !r.log_dirs.empty()) d["logDirs"] = UuidsJson(r.log_dirs);
    return d;
  }
  Json operator()(const TopicRecord& r) const {
    return Json{{"name", r.name}, {"topicId", r.topic_id.ToBase64()}};
  }
  Json operator()(const PartitionRecord& r) const {
    Json d;
    d["partitionId"] = r.partition_id;
    d["topicId"] = r.topic_id.ToBase64();
    d["replicas"] = r.replicas;
    d["isr"] = r.isr;
    d["removingReplicas"] = Json::array();
    d["addingReplicas"] = Json::array();
    d["leader"] = r.leader;
    if (r.leader_recovery_state != LeaderRecoveryState::kRecovered) {
      d["leaderRecoveryState"] = static_cast<int>(r.leader_recovery_state);
    }
    d["leaderEpoch"] = r.leader_epoch;
    d["partitionEpoch"] = r.partition_epoch;
    if (version >= 1) d["directories"] = UuidsJson(Writer::Directories(r));
    if (version >= 2 && !r.elr.empty()) d["eligibleLeaderReplicas"] = r.elr;
    if (version >= 2 && !r.last_known_elr.empty()) d["lastKnownElr"] = r.last_known_elr;
    return d;
  }
  Json operator()(const ConfigRecord& r) const {
    return Json{{"resourceType", r.resource_type},
                {"resourceName", r.resource_name},
                {"name", r.name},
                {"value", r.value ? Json(*r.value) : Json(nullptr)}};
  }
  Json operator()(const PartitionChangeRecord& r) const {
    Json d;
    d["partitionId"] = r.partition_id;
    d["topicId"] = r.topic_id.ToBase64();
    if (r.isr) d["isr"] = *r.isr;
    if (r.leader != kLeaderUnchanged) d["leader"] = r.leader;
    if (r.replicas) d["replicas"] = *r.replicas;
    if (r.leader_recovery_state) {
      d["leaderRecoveryState"] = static_cast<int>(*r.leader_recovery_state);
    }
    if (version >= 1 && r.replicas) {
      d["directories"] = UuidsJson(std::vector<Uuid>(r.replicas->size()));
    }
    if (version >= 2 && r.elr) d["eligibleLeaderReplicas"] = *r.elr;
    if (version >= 2 && r.last_known_elr) d["lastKnownElr"] = *r.last_known_elr;
    return d;
  }
  Json operator()(const RemoveTopicRecord& r) const {
    return Json{{"topicId", r.topic_id.ToBase64()}};
  }
  Json operator()(const BrokerRegistrationChangeRecord& r) const {
    Json d;
    d["brokerId"] = r.broker_id;
    d["brokerEpoch"] = r.broker_epoch;
    if (r.fenced != 0) d["fenced"] = r.fenced;
    if (version >= 1 && r.in_controlled_shutdown != 0) {
      d["inControlledShutdown"] = r.in_controlled_shutdown;
    }
    return d;
  }
  Json operator()(const NoOpRecord&) const { return Json::object(); }
  Json operator()(const ProducerIdsRecord& r) const {
    return Json{{"brokerId", r.broker_id},
                {"brokerEpoch", r.broker_epoch},
                {"nextProducerId", r.producer_ids_end}};
  }
  Json operator()(const FeatureLevelRecord& r) const {
    return Json{{"name", r.name}, {"featureLevel", r.feature_level}};
  }
};

}  // namespace

std::string RecordTypeName(const MetadataRecord& record) {
  static constexpr const char* kNames[] = {"RegisterBrokerRecord",
                                           "TopicRecord",
                                           "PartitionRecord",
                                           "ConfigRecord",
                                           "PartitionChangeRecord",
                                           "RemoveTopicRecord",
                                           "BrokerRegistrationChangeRecord",
                                           "NoOpRecord",
                                           "ProducerIdsRecord",
                                           "FeatureLevelRecord"};
  static_assert(std::size(kNames) == std::variant_size_v<MetadataRecord>);
  return kNames[record.index()];
}

std::vector<std::uint8_t> EncodeMetadataRecord(const MetadataRecord& record) {
  Bytes body;
  ByteWriter body_writer(body);
  const std::int16_t version = std::visit(Writer{body_writer}, record);
  Bytes out;
  ByteWriter w(out);
  w.UnsignedVarint(kFrameVersion);
  w.UnsignedVarint(static_cast<std::uint16_t>(kApiKeys[record.index()]));
  w.UnsignedVarint(static_cast<std::uint16_t>(version));
  w.Raw(body);
  return out;
}

Result<VersionedMetadataRecord> DecodeMetadataRecordWithVersion(
    std::span<const std::uint8_t> bytes) {
  ByteReader r(bytes);
  // AbstractApiMessageSerde.read: frame version, api key, version, each an unsigned varint.
  std::optional<std::uint64_t> frame = r.UnsignedVarint(5);
  if (!frame) return Bad("Error while reading the frame version");
  if (*frame != kFrameVersion) {
    return Bad(
        fmt::format("Could not deserialize metadata record due to unknown frame version "
                    "{}(only frame version {} is supported)",
                    *frame, kFrameVersion));
  }
  std::optional<std::uint64_t> api_key = r.UnsignedVarint(5);
  std::optional<std::uint64_t> version = r.UnsignedVarint(5);
  if (!api_key || !version) return Bad("Error while reading the api key and version");
  if (*api_key > 0x7fff || *version > 0x7fff) {
    return Bad(fmt::format("Unknown metadata id {}", *api_key));
  }
  const auto key = static_cast<std::int16_t>(*api_key);
  const auto v = static_cast<std::int16_t>(*version);
  Result<MetadataRecord> record = ReadRecord(key, v, r);
  if (!record.ok()) return record.status();
  if (r.remaining() != 0) {
    return Bad(
        fmt::format("Found {} byte(s) of garbage after {}", r.remaining(), TypeEnumName(key)));
  }
  return VersionedMetadataRecord{std::move(*record), v};
}

Result<MetadataRecord> DecodeMetadataRecord(std::span<const std::uint8_t> bytes) {
  Result<VersionedMetadataRecord> r = DecodeMetadataRecordWithVersion(bytes);
  if (!r.ok()) return r.status();
  return std::move(r->record);
}

std::string ClusterMetadataRecordText(std::span<const std::uint8_t> value, std::int64_t offset) {
  Result<VersionedMetadataRecord> r = DecodeMetadataRecordWithVersion(value);
  if (!r.ok()) return fmt::format("Error at {}, skipping. {}", offset, r.status().message());
  Json j;
  j["type"] = TypeEnumName(kApiKeys[r->record.index()]);
  j["version"] = r->version;
  j["data"] = std::visit(JsonWriter{r->version}, r->record);
  return j.dump();
}

storage::RecordParser ClusterMetadataRecordParser() {
  return [](const storage::Record& record, std::int64_t offset) {
    static const std::vector<std::uint8_t> kNone;
    return storage::ParsedRecord{std::nullopt,
                                 ClusterMetadataRecordText(record.value.value_or(kNone), offset)};
  };
}

}  // namespace kafkasim::kafka
