// Control record keys and values, and their dump-log texts (Kafka 4.x DumpLogSegments.
// printControlRecord: tools/src/main/java/org/apache/kafka/tools/DumpLogSegments.java).
#include "storage/control_records.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "storage/message_io.h"

namespace kafkasim::storage {
namespace {

using Json = nlohmann::ordered_json;
using Bytes = std::vector<std::uint8_t>;

Status Malformed(const std::string& what) {
  return Status(Errc::kCorruptMessage, "malformed " + what);
}

// LeaderChangeMessage's Voter struct: VoterId, then (v0) nothing but its tagged fields.
void WriteVoterIds(ByteWriter& w, const std::vector<std::int32_t>& ids) {
  WriteCompactArrayLength(w, ids.size());
  for (std::int32_t id : ids) {
    w.I32(id);
    WriteNoTaggedFields(w);
  }
}

std::optional<std::vector<std::int32_t>> ReadVoterIds(ByteReader& r) {
  std::optional<std::int64_t> n = ReadCompactArrayLength(r);
  if (!n || *n < 0) return std::nullopt;
  std::vector<std::int32_t> ids;
  for (std::int64_t i = 0; i < *n; ++i) {
    std::optional<std::int32_t> id = r.I32();
    if (!id || !SkipTaggedFields(r)) return std::nullopt;
    ids.push_back(*id);
  }
  return ids;
}

Json VoterIdsJson(const std::vector<std::int32_t>& ids) {
  Json out = Json::array();
  for (std::int32_t id : ids) out.push_back(Json{{"voterId", id}});
  return out;
}

// The version field every KRaft control value starts with; only 0 is known.
std::optional<std::int16_t> ReadVersion(ByteReader& r) {
  std::optional<std::int16_t> v = r.I16();
  if (!v || *v != 0) return std::nullopt;
  return v;
}

std::string DumpValue(std::int16_t type, std::span<const std::uint8_t> value) {
  ByteReader r(value);
  switch (static_cast<ControlRecordType>(type)) {
    case ControlRecordType::kAbort:
    case ControlRecordType::kCommit: {
      // EndTransactionMarker: version int16 0, coordinatorEpoch int32.
      std::optional<std::int16_t> version = r.I16();
      std::optional<std::int32_t> epoch = r.I32();
      if (!version || !epoch) return " (a malformed transaction marker)";
      return fmt::format(" endTxnMarker: {} coordinatorEpoch: {}", ControlRecordTypeName(type),
                         *epoch);
    }
    case ControlRecordType::kLeaderChange: {
      Result<LeaderChangeMessage> m = DecodeLeaderChange(value);
      if (!m.ok()) return " LeaderChange: (" + m.status().message() + ")";
      return " LeaderChange: " + LeaderChangeJson(*m);
    }
    case ControlRecordType::kSnapshotHeader: {
      std::optional<std::int16_t> version = ReadVersion(r);
      std::optional<std::int64_t> ts = r.I64();
      if (!version || !ts || !SkipTaggedFields(r)) return " SnapshotHeader (malformed)";
      return " SnapshotHeader " +
             Json{{"version", *version}, {"lastContainedLogTimestamp", *ts}}.dump();
    }
    case ControlRecordType::kSnapshotFooter: {
      std::optional<std::int16_t> version = ReadVersion(r);
      if (!version || !SkipTaggedFields(r)) return " SnapshotFooter (malformed)";
      return " SnapshotFooter " + Json{{"version", *version}}.dump();
    }
    case ControlRecordType::kKRaftVersion: {
      std::optional<std::int16_t> version = ReadVersion(r);
      std::optional<std::int16_t> level = r.I16();
      if (!version || !level || !SkipTaggedFields(r)) return " KRaftVersion (malformed)";
      return " KRaftVersion " + Json{{"version", *version}, {"kRaftVersion", *level}}.dump();
    }
    case ControlRecordType::kKRaftVoters: {
      std::optional<std::int16_t> version = ReadVersion(r);
      std::optional<std::int64_t> n = ReadCompactArrayLength(r);
      if (!version || !n || *n < 0) return " KRaftVoters (malformed)";
      Json voters = Json::array();
      for (std::int64_t i = 0; i < *n; ++i) {
        std::optional<std::int32_t> id = r.I32();
        std::optional<Uuid> dir = ReadUuid(r);
        std::optional<std::int64_t> m = ReadCompactArrayLength(r);
        if (!id || !dir || !m || *m < 0) return " KRaftVoters (malformed)";
        Json endpoints = Json::array();
        for (std::int64_t j = 0; j < *m; ++j) {
          std::optional<std::string> name = ReadCompactString(r);
          std::optional<std::string> host = ReadCompactString(r);
          std::optional<std::uint64_t> port = r.BigEndian(2);
          if (!name || !host || !port || !SkipTaggedFields(r)) return " KRaftVoters (malformed)";
          endpoints.push_back(Json{{"name", *name}, {"host", *host}, {"port", *port}});
        }
        std::optional<std::int16_t> min = r.I16();
        std::optional<std::int16_t> max = r.I16();
        if (!min || !max || !SkipTaggedFields(r) || !SkipTaggedFields(r)) {
          return " KRaftVoters (malformed)";
        }
        voters.push_back(Json{{"voterId", *id},
                              {"voterDirectoryId", dir->ToBase64()},
                              {"endpoints", std::move(endpoints)},
                              {"kRaftVersionFeature",
                               {{"minSupportedVersion", *min}, {"maxSupportedVersion", *max}}}});
      }
      if (!SkipTaggedFields(r)) return " KRaftVoters (malformed)";
      return " KRaftVoters " + Json{{"version", *version}, {"voters", std::move(voters)}}.dump();
    }
  }
  return fmt::format(" controlType: {}({})", ControlRecordTypeName(type), type);
}

}  // namespace

const char* ControlRecordTypeName(std::int16_t type) {
  switch (type) {
    case 0:
      return "ABORT";
    case 1:
      return "COMMIT";
    case 2:
      return "LEADER_CHANGE";
    case 3:
      return "SNAPSHOT_HEADER";
    case 4:
      return "SNAPSHOT_FOOTER";
    case 5:
      return "KRAFT_VERSION";
    case 6:
      return "KRAFT_VOTERS";
    default:
      return "UNKNOWN";
  }
}

Bytes ControlRecordKey(ControlRecordType type) {
  Bytes out;
  ByteWriter w(out);
  w.I16(0);  // ControlRecordType.CURRENT_CONTROL_RECORD_KEY_VERSION
  w.I16(static_cast<std::int16_t>(type));
  return out;
}

Result<std::int16_t> ParseControlRecordType(std::span<const std::uint8_t> key) {
  ByteReader r(key);
  std::optional<std::int16_t> version = r.I16();
  std::optional<std::int16_t> type = r.I16();
  if (!version || !type) {
    return Status(Errc::kCorruptMessage,
                  fmt::format("Invalid value size found for control record key. Must have at "
                              "least 4 bytes, but found only {}",
                              key.size()));
  }
  if (*version < 0) {
    return Status(Errc::kCorruptMessage,
                  fmt::format("Invalid version found for control record: {}. May indicate data "
                              "corruption",
                              *version));
  }
  return *type;
}

Bytes EncodeLeaderChange(const LeaderChangeMessage& message) {
  Bytes out;
  ByteWriter w(out);
  w.I16(0);
  w.I32(message.leader_id);
  WriteVoterIds(w, message.voters);
  WriteVoterIds(w, message.granting_voters);
  WriteNoTaggedFields(w);
  return out;
}

Result<LeaderChangeMessage> DecodeLeaderChange(std::span<const std::uint8_t> value) {
  ByteReader r(value);
  LeaderChangeMessage m;
  std::optional<std::int16_t> version = ReadVersion(r);
  std::optional<std::int32_t> leader = r.I32();
  if (!version || !leader) return Malformed("LeaderChangeMessage");
  m.leader_id = *leader;
  std::optional<std::vector<std::int32_t>> voters = ReadVoterIds(r);
  std::optional<std::vector<std::int32_t>> granting = voters ? ReadVoterIds(r) : std::nullopt;
  if (!granting || !SkipTaggedFields(r)) return Malformed("LeaderChangeMessage");
  m.voters = std::move(*voters);
  m.granting_voters = std::move(*granting);
  return m;
}

std::string LeaderChangeJson(const LeaderChangeMessage& message) {
  return Json{{"version", 0},
              {"leaderId", message.leader_id},
              {"voters", VoterIdsJson(message.voters)},
              {"grantingVoters", VoterIdsJson(message.granting_voters)}}
      .dump();
}

Bytes EncodeSnapshotHeader(const SnapshotHeader& header) {
  Bytes out;
  ByteWriter w(out);
  w.I16(0);
  w.I64(header.last_contained_log_timestamp);
  WriteNoTaggedFields(w);
  return out;
}

Bytes EncodeSnapshotFooter() {
  Bytes out;
  ByteWriter w(out);
  w.I16(0);
  WriteNoTaggedFields(w);
  return out;
}

Bytes EncodeKRaftVersion(std::int16_t kraft_version) {
  Bytes out;
  ByteWriter w(out);
  w.I16(0);
  w.I16(kraft_version);
  WriteNoTaggedFields(w);
  return out;
}

Bytes EncodeVoters(const std::vector<Voter>& voters) {
  Bytes out;
  ByteWriter w(out);
  w.I16(0);
  WriteCompactArrayLength(w, voters.size());
  for (const Voter& v : voters) {
    w.I32(v.voter_id);
    WriteUuid(w, v.directory_id);
    WriteCompactArrayLength(w, v.endpoints.size());
    for (const VoterEndpoint& e : v.endpoints) {
      WriteCompactString(w, e.name);
      WriteCompactString(w, e.host);
      w.BigEndian(e.port, 2);
      WriteNoTaggedFields(w);
    }
    w.I16(v.min_kraft_version);  // KRaftVersionFeature struct
    w.I16(v.max_kraft_version);
    WriteNoTaggedFields(w);
    WriteNoTaggedFields(w);
  }
  WriteNoTaggedFields(w);
  return out;
}

std::string DumpControlRecord(std::span<const std::uint8_t> key,
                              std::span<const std::uint8_t> value) {
  Result<std::int16_t> type = ParseControlRecordType(key);
  if (!type.ok()) return " controlType: (" + type.status().message() + ")";
  return DumpValue(*type, value);
}

}  // namespace kafkasim::storage
