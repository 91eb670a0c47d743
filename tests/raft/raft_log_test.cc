// RaftLog epoch lookups (LeaderEpochFileCache.endOffsetFor semantics) and the quorum-state
// file format.
#include "raft/raft_log.h"

#include <doctest/doctest.h>

#include "raft/raft_types.h"

namespace kafkasim::raft {
namespace {

RaftLog MakeLog(const std::vector<Epoch>& epochs) {
  std::vector<LogEntry> entries;
  for (std::size_t i = 0; i < epochs.size(); ++i) {
    entries.push_back(LogEntry{static_cast<Offset>(i), epochs[i], EntryKind::kData, "x"});
  }
  return RaftLog(entries);
}

TEST_CASE("raft_log: end offset for an epoch follows Kafka's endOffsetFor") {
  const RaftLog log = MakeLog({1, 1, 3, 3, 3, 5});
  CHECK(log.EndOffsetForEpoch(5) == OffsetAndEpoch{6, 5});  // latest epoch: the log end
  CHECK(log.EndOffsetForEpoch(3) == OffsetAndEpoch{5, 3});  // start of the next epoch
  CHECK(log.EndOffsetForEpoch(4) == OffsetAndEpoch{5, 3});  // unknown: floor epoch 3
  CHECK(log.EndOffsetForEpoch(2) == OffsetAndEpoch{2, 1});
  CHECK(log.EndOffsetForEpoch(0) == OffsetAndEpoch{0, 0});    // before every epoch
  CHECK(log.EndOffsetForEpoch(7) == OffsetAndEpoch{-1, -1});  // after the latest
  CHECK(RaftLog().EndOffsetForEpoch(0) == OffsetAndEpoch{0, 0});
}

TEST_CASE("raft_log: truncation drops the tail and the last epoch follows it") {
  RaftLog log = MakeLog({1, 2, 2});
  log.TruncateTo(1);
  CHECK(log.EndOffset() == 1);
  CHECK(log.LastEpoch() == 1);
  CHECK(log.EpochBefore(1) == 1);
  CHECK(log.EpochBefore(0) == 0);
  CHECK(log.Read(0, 10).size() == 1);
}

TEST_CASE("raft: quorum-state is written as KRaft's JSON and read back") {
  QuorumState state{3, 2, 2, {1, 2, 3}};
  const std::string json = QuorumStateToJson(state);
  CHECK(json == R"({"clusterId":"","leaderId":2,"leaderEpoch":3,"votedId":2,"appliedOffset":0,)"
                R"("currentVoters":[{"voterId":1},{"voterId":2},{"voterId":3}],"data_version":0})");
  Result<QuorumState> back = QuorumStateFromJson(json);
  REQUIRE(back.ok());
  CHECK(*back == state);
}

TEST_CASE("raft: a damaged quorum-state file is reported as corruption") {
  Result<QuorumState> bad = QuorumStateFromJson(R"({"leaderId":1})");
  REQUIRE(!bad.ok());
  CHECK(bad.status().ToString() == "CORRUPTION: quorum-state lacks integer field leaderEpoch");
  CHECK(!QuorumStateFromJson("not json").ok());
}

}  // namespace
}  // namespace kafkasim::raft
