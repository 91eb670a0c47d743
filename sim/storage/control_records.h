// Control records: the records of a control batch (attributes bit 5), whose key names their
// type (ControlRecordType.java: a version int16 0, then the type int16) and whose value is one
// of Kafka's messages: transaction markers and KRaft's LeaderChange, SnapshotHeader,
// SnapshotFooter, KRaftVersion and Voters (clients/src/main/resources/common/message/
// *Record.json, LeaderChangeMessage.json; all flexible from version 0). Encoders, decoders
// that never read past their input, and the JSON of Kafka's generated JsonConverters that
// kafka-dump-log.sh prints.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/status.h"
#include "storage/uuid.h"

namespace kafkasim::storage {

enum class ControlRecordType : std::int16_t {
  kAbort = 0,
  kCommit = 1,
  kLeaderChange = 2,
  kSnapshotHeader = 3,
  kSnapshotFooter = 4,
  kKRaftVersion = 5,
  kKRaftVoters = 6,
};
// The enum constant's name ("LEADER_CHANGE"); "UNKNOWN" for other ids, as Kafka's fromTypeId.
const char* ControlRecordTypeName(std::int16_t type);
// The key of a control record of this type.
std::vector<std::uint8_t> ControlRecordKey(ControlRecordType type);
// ControlRecordType.parseTypeId: the type id of a control record's key; kCorruptMessage for a
// key shorter than 4 bytes or of a negative version.
Result<std::int16_t> ParseControlRecordType(std::span<const std::uint8_t> key);

// LeaderChangeMessage v0: the first record a new KRaft leader writes in its epoch.
struct LeaderChangeMessage {
  std::int32_t leader_id = -1;
  std::vector<std::int32_t> voters;
  std::vector<std::int32_t> granting_voters;  // the voters that voted for this leader
  bool operator==(const LeaderChangeMessage&) const = default;
};
std::vector<std::uint8_t> EncodeLeaderChange(const LeaderChangeMessage& message);
Result<LeaderChangeMessage> DecodeLeaderChange(std::span<const std::uint8_t> value);
std::string LeaderChangeJson(const LeaderChangeMessage& message);

// SnapshotHeaderRecord v0 and SnapshotFooterRecord v0: first and last record of a snapshot.
struct SnapshotHeader {
  std::int64_t last_contained_log_timestamp = 0;  // ms
};
std::vector<std::uint8_t> EncodeSnapshotHeader(const SnapshotHeader& header);
std::vector<std::uint8_t> EncodeSnapshotFooter();

// KRaftVersionRecord v0: the kraft.version feature level (1: KIP-853 dynamic quorums).
std::vector<std::uint8_t> EncodeKRaftVersion(std::int16_t kraft_version);

// VotersRecord v0: the voter set with each voter's directory id and endpoints.
struct VoterEndpoint {
  std::string name;  // listener name, "CONTROLLER"
  std::string host;
  std::uint16_t port = 0;
};
struct Voter {
  std::int32_t voter_id = 0;
  Uuid directory_id;
  std::vector<VoterEndpoint> endpoints;
  std::int16_t min_kraft_version = 0;
  std::int16_t max_kraft_version = 1;
};
std::vector<std::uint8_t> EncodeVoters(const std::vector<Voter>& voters);

// What DumpLogSegments prints after a control record's headerKeys: " controlType:
// LEADER_CHANGE(2)", " SnapshotHeader {...}", " endTxnMarker: COMMIT coordinatorEpoch: 0", ...
// A key or value it cannot read gives a line saying so instead.
std::string DumpControlRecord(std::span<const std::uint8_t> key,
                              std::span<const std::uint8_t> value);

}  // namespace kafkasim::storage
