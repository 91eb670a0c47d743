// Encoding and decoding of the KIP-848 consumer group records; see group_records_consumer.h.
// Keys are non-flexible (int16-length strings); values are flexible version 0: compact
// strings and arrays (unsigned varint length + 1, 0 for null), a tagged-field count after
// every struct.
#include "kafka/group_records_consumer.h"

#include <type_traits>

#include "storage/byte_io.h"

namespace kafkasim::kafka {
namespace {

using storage::ByteReader;
using storage::ByteWriter;

void KeyString(ByteWriter& w, const std::string& s) {
  w.I16(static_cast<std::int16_t>(s.size()));
  w.Raw({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
}

void CompactString(ByteWriter& w, const std::string& s) {
  w.UnsignedVarint(s.size() + 1);
  w.Raw({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
}

void CompactNullableString(ByteWriter& w, const std::optional<std::string>& s) {
  if (!s) {
    w.UnsignedVarint(0);
    return;
  }
  CompactString(w, *s);
}

void NoTaggedFields(ByteWriter& w) { w.UnsignedVarint(0); }

void TopicPartitionsArray(ByteWriter& w, const std::vector<TopicIdPartitions>& topics) {
  w.UnsignedVarint(topics.size() + 1);
  for (const TopicIdPartitions& t : topics) {
    w.I64(static_cast<std::int64_t>(t.topic_id.high));
    w.I64(static_cast<std::int64_t>(t.topic_id.low));
    w.UnsignedVarint(t.partitions.size() + 1);
    for (std::int32_t p : t.partitions) w.I32(p);
    NoTaggedFields(w);
  }
}

std::int16_t TypeOf(const ConsumerGroupRecordValue& value) {
  switch (value.index()) {
    case 0:
      return kConsumerGroupMetadataType;
    case 1:
      return kConsumerGroupMemberMetadataType;
    case 2:
      return kConsumerGroupTargetAssignmentMetadataType;
    case 3:
      return kConsumerGroupTargetAssignmentMemberType;
    default:
      return kConsumerGroupCurrentMemberAssignmentType;
  }
}

bool HasMember(std::int16_t type) {
  return type == kConsumerGroupMemberMetadataType ||
         type == kConsumerGroupTargetAssignmentMemberType ||
         type == kConsumerGroupCurrentMemberAssignmentType;
}

GroupBytes EncodeValue(const ConsumerGroupRecordValue& value) {
  GroupBytes out;
  ByteWriter w(out);
  w.I16(0);  // every value schema is at version 0
  std::visit(
      [&w](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, ConsumerGroupMetadataValue>) {
          w.I32(v.epoch);
        } else if constexpr (std::is_same_v<T, ConsumerGroupMemberMetadataValue>) {
          CompactNullableString(w, v.instance_id);
          CompactNullableString(w, v.rack_id);
          CompactString(w, v.client_id);
          CompactString(w, v.client_host);
          w.UnsignedVarint(v.subscribed_topic_names.size() + 1);
          for (const std::string& topic : v.subscribed_topic_names) CompactString(w, topic);
          CompactNullableString(w, v.subscribed_topic_regex);
          w.I32(v.rebalance_timeout_ms);
          CompactNullableString(w, v.server_assignor);
        } else if constexpr (std::is_same_v<T, ConsumerGroupTargetAssignmentMetadataValue>) {
          w.I32(v.assignment_epoch);
        } else if constexpr (std::is_same_v<T, ConsumerGroupTargetAssignmentMemberValue>) {
          TopicPartitionsArray(w, v.topic_partitions);
        } else {
          w.I32(v.member_epoch);
          w.I32(v.previous_member_epoch);
          w.U8(static_cast<std::uint8_t>(v.state));
          TopicPartitionsArray(w, v.assigned_partitions);
          TopicPartitionsArray(w, v.partitions_pending_revocation);
        }
      },
      value);
  NoTaggedFields(w);
  return out;
}

// A reader of flexible structs that remembers the first field it failed on.
class Reader {
 public:
  explicit Reader(const GroupBytes& bytes) : in_(bytes) {}

  std::int8_t I8(const char* field) { return Or(in_.I8(), field, std::int8_t{0}); }
  std::int16_t I16(const char* field) { return Or(in_.I16(), field, std::int16_t{0}); }
  std::int32_t I32(const char* field) { return Or(in_.I32(), field, 0); }
  std::int64_t I64(const char* field) { return Or(in_.I64(), field, std::int64_t{0}); }
  std::uint64_t Length(const char* field) {
    return Or(in_.UnsignedVarint(5), field, std::uint64_t{0});
  }
  std::string KeyString(const char* field) {
    const std::int16_t length = I16(field);
    if (length < 0) {
      Fail(field);
      return {};
    }
    return Raw(static_cast<std::size_t>(length), field);
  }
  std::optional<std::string> CompactNullableString(const char* field) {
    const std::uint64_t length = Length(field);
    if (length == 0) return std::nullopt;
    return Raw(static_cast<std::size_t>(length - 1), field);
  }
  std::string CompactString(const char* field) {
    std::optional<std::string> s = CompactNullableString(field);
    if (!s) Fail(field);
    return s.value_or(std::string());
  }
  // A compact array's element count; a null array is malformed in these schemas.
  std::size_t Count(const char* field) {
    const std::uint64_t n = Length(field);
    if (n == 0 || n - 1 > in_.remaining()) {
      Fail(field);
      return 0;
    }
    return static_cast<std::size_t>(n - 1);
  }
  // Skips the tagged fields of a struct (none are read: MetadataHash, AssignmentEpochs).
  void TaggedFields(const char* field) {
    const std::size_t n = static_cast<std::size_t>(Length(field));
    for (std::size_t i = 0; i < n && ok(); ++i) {
      Length(field);  // tag
      const std::uint64_t size = Length(field);
      Raw(static_cast<std::size_t>(size), field);
    }
  }
  std::vector<TopicIdPartitions> TopicPartitions(const char* field) {
    std::vector<TopicIdPartitions> out(Count(field));
    for (TopicIdPartitions& t : out) {
      t.topic_id.high = static_cast<std::uint64_t>(I64("TopicId"));
      t.topic_id.low = static_cast<std::uint64_t>(I64("TopicId"));
      t.partitions.resize(Count("Partitions"));
      for (std::int32_t& p : t.partitions) p = I32("Partitions");
      TaggedFields(field);
      if (!ok()) return {};
    }
    return out;
  }
  bool ok() const { return failed_ == nullptr; }
  Status Finish(const std::string& what) const {
    if (failed_) return {Errc::kCorruption, what + ": truncated at " + failed_};
    if (in_.remaining() != 0) {
      return {Errc::kCorruption, what + ": " + std::to_string(in_.remaining()) + " trailing bytes"};
    }
    return Status::Ok();
  }

 private:
  std::string Raw(std::size_t n, const char* field) {
    const auto raw = in_.Raw(n);
    if (!raw) {
      Fail(field);
      return {};
    }
    return std::string(raw->begin(), raw->end());
  }
  template <typename T>
  T Or(std::optional<T> v, const char* field, T fallback) {
    if (!v) Fail(field);
    return v.value_or(fallback);
  }
  void Fail(const char* field) {
    if (failed_ == nullptr) failed_ = field;
  }

  ByteReader in_;
  const char* failed_ = nullptr;
};

Result<ConsumerGroupRecordValue> DecodeValue(std::int16_t type, const GroupBytes& bytes) {
  Reader r(bytes);
  const std::int16_t version = r.I16("version");
  if (r.ok() && version != 0) {
    return Status(Errc::kCorruption, "consumer group record type " + std::to_string(type) +
                                         ": unsupported value version " + std::to_string(version));
  }
  ConsumerGroupRecordValue value;
  if (type == kConsumerGroupMetadataType) {
    value = ConsumerGroupMetadataValue{r.I32("Epoch")};
  } else if (type == kConsumerGroupMemberMetadataType) {
    ConsumerGroupMemberMetadataValue v;
    v.instance_id = r.CompactNullableString("InstanceId");
    v.rack_id = r.CompactNullableString("RackId");
    v.client_id = r.CompactString("ClientId");
    v.client_host = r.CompactString("ClientHost");
    v.subscribed_topic_names.resize(r.Count("SubscribedTopicNames"));
    for (std::string& topic : v.subscribed_topic_names) {
      topic = r.CompactString("SubscribedTopicNames");
    }
    v.subscribed_topic_regex = r.CompactNullableString("SubscribedTopicRegex");
    v.rebalance_timeout_ms = r.I32("RebalanceTimeoutMs");
    v.server_assignor = r.CompactNullableString("ServerAssignor");
    value = std::move(v);
  } else if (type == kConsumerGroupTargetAssignmentMetadataType) {
    value = ConsumerGroupTargetAssignmentMetadataValue{r.I32("AssignmentEpoch")};
  } else if (type == kConsumerGroupTargetAssignmentMemberType) {
    value = ConsumerGroupTargetAssignmentMemberValue{r.TopicPartitions("TopicPartitions")};
  } else {
    ConsumerGroupCurrentMemberAssignmentValue v;
    v.member_epoch = r.I32("MemberEpoch");
    v.previous_member_epoch = r.I32("PreviousMemberEpoch");
    const std::int8_t state = r.I8("State");
    if (state < 0 || state > 2) {
      return Status(Errc::kCorruption, "ConsumerGroupCurrentMemberAssignmentValue: unknown State " +
                                           std::to_string(state));
    }
    v.state = static_cast<ConsumerMemberState>(state);
    v.assigned_partitions = r.TopicPartitions("AssignedPartitions");
    v.partitions_pending_revocation = r.TopicPartitions("PartitionsPendingRevocation");
    value = std::move(v);
  }
  r.TaggedFields("tagged fields");
  if (Status s = r.Finish("consumer group record type " + std::to_string(type) + " value");
      !s.ok()) {
    return s;
  }
  return value;
}

}  // namespace

GroupRecord ConsumerGroupRecord(const std::string& group_id, const std::string& member_id,
                                const ConsumerGroupRecordValue& value) {
  GroupRecord record = ConsumerGroupTombstone(TypeOf(value), group_id, member_id);
  record.value = EncodeValue(value);
  return record;
}

GroupRecord ConsumerGroupTombstone(std::int16_t type, const std::string& group_id,
                                   const std::string& member_id) {
  GroupRecord record;
  ByteWriter w(record.key);
  w.I16(type);
  KeyString(w, group_id);
  if (HasMember(type)) KeyString(w, member_id);
  return record;
}

bool IsConsumerGroupRecordKey(const GroupBytes& key) {
  if (key.size() < 2) return false;
  const auto type = static_cast<std::int16_t>((key[0] << 8) | key[1]);
  return type == kConsumerGroupMetadataType || type == kConsumerGroupTargetAssignmentMetadataType ||
         HasMember(type);
}

Result<DecodedConsumerGroupRecord> DecodeConsumerGroupRecord(
    const GroupBytes& key, const std::optional<GroupBytes>& value) {
  if (!IsConsumerGroupRecordKey(key)) {
    return Status(Errc::kInvalidArgument, "record key is not a consumer group record");
  }
  Reader r(key);
  DecodedConsumerGroupRecord out;
  out.type = r.I16("type");
  out.group_id = r.KeyString("GroupId");
  if (HasMember(out.type)) out.member_id = r.KeyString("MemberId");
  if (Status s = r.Finish("consumer group record key"); !s.ok()) return s;
  if (value) {
    Result<ConsumerGroupRecordValue> decoded = DecodeValue(out.type, *value);
    if (!decoded.ok()) return decoded.status();
    out.value = std::move(*decoded);
  }
  return out;
}

}  // namespace kafkasim::kafka
