// Control records as Kafka writes them (ControlRecordType.java, LeaderChangeMessage.json and
// the KRaft *Record.json schemas, flexible from version 0) and as kafka-dump-log.sh prints them.
#include "storage/control_records.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace kafkasim::storage {
namespace {

using Bytes = std::vector<std::uint8_t>;

TEST_CASE("control records: a key is a version int16 0 and the type int16") {
  CHECK(ControlRecordKey(ControlRecordType::kLeaderChange) == Bytes{0, 0, 0, 2});
  CHECK(ControlRecordKey(ControlRecordType::kKRaftVoters) == Bytes{0, 0, 0, 6});
  CHECK(*ParseControlRecordType(Bytes{0, 0, 0, 3}) == 3);
  // ControlRecordType.parseTypeId's checks.
  CHECK(ParseControlRecordType(Bytes{0, 0, 1}).status().message() ==
        "Invalid value size found for control record key. Must have at least 4 bytes, but "
        "found only 3");
  CHECK(ParseControlRecordType(Bytes{0xff, 0xff, 0, 2}).status().message() ==
        "Invalid version found for control record: -1. May indicate data corruption");
}

TEST_CASE("control records: a LeaderChangeMessage v0 has the bytes its schema gives") {
  LeaderChangeMessage m;
  m.leader_id = 1;
  m.voters = {1, 2};
  m.granting_voters = {1};
  // Version, LeaderId, Voters (compact array of {VoterId, tagged fields}), GrantingVoters,
  // tagged fields.
  const Bytes expected = {0, 0, 0, 0, 0, 1,                 //
                          3, 0, 0, 0, 1, 0, 0, 0, 0, 2, 0,  //
                          2, 0, 0, 0, 1, 0,                 //
                          0};
  CHECK(EncodeLeaderChange(m) == expected);
  CHECK(*DecodeLeaderChange(expected) == m);
  // Every truncation is an error, never a read past the end.
  for (std::size_t n = 0; n < expected.size(); ++n) {
    CHECK_FALSE(DecodeLeaderChange(std::span(expected).first(n)).ok());
  }
}

TEST_CASE("control records: dump-log prints each type as Kafka 4.x's DumpLogSegments does") {
  LeaderChangeMessage m{1001, {1001, 1002, 1003}, {1001, 1003}};
  CHECK(DumpControlRecord(ControlRecordKey(ControlRecordType::kLeaderChange),
                          EncodeLeaderChange(m)) ==
        " LeaderChange: {\"version\":0,\"leaderId\":1001,\"voters\":[{\"voterId\":1001},"
        "{\"voterId\":1002},{\"voterId\":1003}],\"grantingVoters\":[{\"voterId\":1001},"
        "{\"voterId\":1003}]}");
  CHECK(DumpControlRecord(ControlRecordKey(ControlRecordType::kSnapshotHeader),
                          EncodeSnapshotHeader({1700000000000})) ==
        " SnapshotHeader {\"version\":0,\"lastContainedLogTimestamp\":1700000000000}");
  CHECK(DumpControlRecord(ControlRecordKey(ControlRecordType::kSnapshotFooter),
                          EncodeSnapshotFooter()) == " SnapshotFooter {\"version\":0}");
  CHECK(DumpControlRecord(ControlRecordKey(ControlRecordType::kKRaftVersion),
                          EncodeKRaftVersion(1)) ==
        " KRaftVersion {\"version\":0,\"kRaftVersion\":1}");
  const Voter voter{1, Uuid{0, 1}, {{"CONTROLLER", "localhost", 9093}}, 0, 1};
  CHECK(
      DumpControlRecord(ControlRecordKey(ControlRecordType::kKRaftVoters), EncodeVoters({voter})) ==
      " KRaftVoters {\"version\":0,\"voters\":[{\"voterId\":1,\"voterDirectoryId\":"
      "\"AAAAAAAAAAAAAAAAAAAAAQ\",\"endpoints\":[{\"name\":\"CONTROLLER\",\"host\":"
      "\"localhost\",\"port\":9093}],\"kRaftVersionFeature\":{\"minSupportedVersion\":0,"
      "\"maxSupportedVersion\":1}}]}");
  // EndTransactionMarker: version int16, coordinatorEpoch int32.
  CHECK(DumpControlRecord(ControlRecordKey(ControlRecordType::kCommit), Bytes{0, 0, 0, 0, 0, 7}) ==
        " endTxnMarker: COMMIT coordinatorEpoch: 7");
  CHECK(DumpControlRecord(Bytes{0, 0, 0, 9}, Bytes{}) == " controlType: UNKNOWN(9)");
}

TEST_CASE("control records: damaged values are named, never read past their end") {
  const Bytes voters = EncodeVoters({Voter{1, Uuid{}, {{"CONTROLLER", "h", 1}}, 0, 1}});
  for (std::size_t n = 0; n < voters.size(); ++n) {
    const std::string text = DumpControlRecord(ControlRecordKey(ControlRecordType::kKRaftVoters),
                                               std::span(voters).first(n));
    CHECK(text == " KRaftVoters (malformed)");
  }
  CHECK(DumpControlRecord(Bytes{0}, Bytes{}).starts_with(" controlType: (Invalid value size"));
}

}  // namespace
}  // namespace kafkasim::storage
