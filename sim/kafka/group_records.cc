// Encoding and decoding of the classic group records of __consumer_offsets (non-flexible
// versions: strings as int16 length + bytes, nullable strings with length -1, bytes as int32
// length + bytes, arrays as int32 count).
#include "kafka/group_records.h"

#include "storage/byte_io.h"

namespace kafkasim::kafka {

namespace {

using storage::ByteReader;
using storage::ByteWriter;

constexpr std::int16_t kOffsetCommitKeyVersion = 1;
constexpr std::int16_t kGroupMetadataKeyVersion = 2;
constexpr std::int16_t kGroupMetadataValueVersion = 3;

void String(ByteWriter& w, const std::string& s) {
  w.I16(static_cast<std::int16_t>(s.size()));
  w.Raw({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
}

void NullableString(ByteWriter& w, const std::optional<std::string>& s) {
  if (!s) {
    w.I16(-1);
    return;
  }
  String(w, *s);
}

void Bytes(ByteWriter& w, const GroupBytes& b) {
  w.I32(static_cast<std::int32_t>(b.size()));
  w.Raw(b);
}

// A reader that remembers the first field it failed on.
class Reader {
 public:
  explicit Reader(const GroupBytes& bytes) : in_(bytes) {}

  std::int16_t I16(const char* field) { return Or(in_.I16(), field, std::int16_t{0}); }
  std::int32_t I32(const char* field) { return Or(in_.I32(), field, 0); }
  std::int64_t I64(const char* field) { return Or(in_.I64(), field, std::int64_t{0}); }
  std::optional<std::string> NullableString(const char* field) {
    const std::int16_t length = I16(field);
    if (length < 0) return std::nullopt;
    const auto raw = in_.Raw(static_cast<std::size_t>(length));
    if (!raw) {
      Fail(field);
      return std::string();
    }
    return std::string(raw->begin(), raw->end());
  }
  std::string String(const char* field) {
    auto s = NullableString(field);
    if (!s) Fail(field);
    return s.value_or(std::string());
  }
  GroupBytes Bytes(const char* field) {
    const std::int32_t length = I32(field);
    if (length < 0) return {};
    const auto raw = in_.Raw(static_cast<std::size_t>(length));
    if (!raw) {
      Fail(field);
      return {};
    }
    return GroupBytes(raw->begin(), raw->end());
  }
  bool ok() const { return failed_ == nullptr; }
  // The status for the whole record: the first failed field, or trailing bytes.
  Status Finish(const char* what) const {
    if (failed_) return {Errc::kCorruption, std::string(what) + ": truncated at " + failed_};
    if (in_.remaining() != 0) {
      return {Errc::kCorruption,
              std::string(what) + ": " + std::to_string(in_.remaining()) + " trailing bytes"};
    }
    return Status::Ok();
  }

 private:
  template <typename T>
  T Or(std::optional<T> v, const char* field, T fallback) {
    if (v) return *v;
    Fail(field);
    return fallback;
  }
  void Fail(const char* field) {
    if (!failed_) failed_ = field;
  }

  ByteReader in_;
  const char* failed_ = nullptr;
};

GroupBytes EncodeGroupMetadataValue(const GroupMetadataValue& v) {
  GroupBytes out;
  ByteWriter w(out);
  w.I16(kGroupMetadataValueVersion);
  String(w, v.protocol_type);
  w.I32(v.generation);
  NullableString(w, v.protocol);
  NullableString(w, v.leader);
  w.I64(v.current_state_timestamp);
  w.I32(static_cast<std::int32_t>(v.members.size()));
  for (const auto& m : v.members) {
    String(w, m.member_id);
    NullableString(w, m.group_instance_id);
    String(w, m.client_id);
    String(w, m.client_host);
    w.I32(m.rebalance_timeout);
    w.I32(m.session_timeout);
    Bytes(w, m.subscription);
    Bytes(w, m.assignment);
  }
  return out;
}

Result<GroupMetadataValue> DecodeGroupMetadataValue(const GroupBytes& bytes) {
  Reader r(bytes);
  GroupMetadataValue v;
  const std::int16_t version = r.I16("GroupMetadataValue.version");
  if (version < 0 || version > 3) {
    return Status(Errc::kCorruption,
                  "GroupMetadataValue: unsupported version " + std::to_string(version));
  }
  v.protocol_type = r.String("protocolType");
  v.generation = r.I32("generation");
  v.protocol = r.NullableString("protocol");
  v.leader = r.NullableString("leader");
  if (version >= 2) v.current_state_timestamp = r.I64("currentStateTimestamp");
  const std::int32_t count = r.I32("members");
  for (std::int32_t i = 0; i < count && r.ok(); ++i) {
    GroupMemberMetadata m;
    m.member_id = r.String("memberId");
    if (version >= 3) m.group_instance_id = r.NullableString("groupInstanceId");
    m.client_id = r.String("clientId");
    m.client_host = r.String("clientHost");
    if (version >= 1) m.rebalance_timeout = r.I32("rebalanceTimeout");
    m.session_timeout = r.I32("sessionTimeout");
    m.subscription = r.Bytes("subscription");
    m.assignment = r.Bytes("assignment");
    v.members.push_back(std::move(m));
  }
  if (Status s = r.Finish("GroupMetadataValue"); !s.ok()) return s;
  return v;
}

Result<OffsetCommitValue> DecodeOffsetCommitValue(const GroupBytes& bytes) {
  Reader r(bytes);
  OffsetCommitValue v;
  const std::int16_t version = r.I16("OffsetCommitValue.version");
  if (version < 0 || version > 3) {
    return Status(Errc::kCorruption,
                  "OffsetCommitValue: unsupported version " + std::to_string(version));
  }
  v.offset = r.I64("offset");
  if (version >= 3) v.leader_epoch = r.I32("leaderEpoch");
  v.metadata = r.String("metadata");
  v.commit_timestamp = r.I64("commitTimestamp");
  if (version == 1) v.expire_timestamp = r.I64("expireTimestamp");
  if (Status s = r.Finish("OffsetCommitValue"); !s.ok()) return s;
  return v;
}

}  // namespace

GroupRecord OffsetCommitRecord(const OffsetCommitKey& key, const OffsetCommitValue& value) {
  GroupRecord record = OffsetCommitTombstone(key);
  GroupBytes out;
  ByteWriter w(out);
  // OffsetCommitValue v1 carries an expire timestamp; v3 (the default since 2.1) a leader epoch.
  const bool v1 = value.expire_timestamp >= 0;
  w.I16(v1 ? 1 : 3);
  w.I64(value.offset);
  if (!v1) w.I32(value.leader_epoch);
  String(w, value.metadata);
  w.I64(value.commit_timestamp);
  if (v1) w.I64(value.expire_timestamp);
  record.value = std::move(out);
  return record;
}

GroupRecord OffsetCommitTombstone(const OffsetCommitKey& key) {
  GroupRecord record;
  ByteWriter w(record.key);
  w.I16(kOffsetCommitKeyVersion);
  String(w, key.group);
  String(w, key.topic);
  w.I32(key.partition);
  return record;
}

GroupRecord GroupMetadataRecord(const GroupMetadataKey& key, const GroupMetadataValue& value) {
  GroupRecord record = GroupMetadataTombstone(key);
  record.value = EncodeGroupMetadataValue(value);
  return record;
}

GroupRecord GroupMetadataTombstone(const GroupMetadataKey& key) {
  GroupRecord record;
  ByteWriter w(record.key);
  w.I16(kGroupMetadataKeyVersion);
  String(w, key.group);
  return record;
}

Result<DecodedGroupRecord> DecodeGroupRecord(const GroupBytes& key,
                                             const std::optional<GroupBytes>& value) {
  Reader r(key);
  const std::int16_t version = r.I16("key.version");
  if (version == 0 || version == 1) {
    DecodedOffsetCommit out;
    out.key.group = r.String("group");
    out.key.topic = r.String("topic");
    out.key.partition = r.I32("partition");
    if (Status s = r.Finish("OffsetCommitKey"); !s.ok()) return s;
    if (value) {
      auto decoded = DecodeOffsetCommitValue(*value);
      if (!decoded.ok()) return decoded.status();
      out.value = std::move(*decoded);
    }
    return DecodedGroupRecord(std::move(out));
  }
  if (version == 2) {
    DecodedGroupMetadata out;
    out.key.group = r.String("group");
    if (Status s = r.Finish("GroupMetadataKey"); !s.ok()) return s;
    if (value) {
      auto decoded = DecodeGroupMetadataValue(*value);
      if (!decoded.ok()) return decoded.status();
      out.value = std::move(*decoded);
    }
    return DecodedGroupRecord(std::move(out));
  }
  if (Status s = r.Finish("record key"); !s.ok()) return s;
  return Status(Errc::kInvalidArgument,
                "record key version " + std::to_string(version) + " is not a classic group record");
}

}  // namespace kafkasim::kafka
