// RaftNode unit tests: one core fed messages directly, and small clusters through RaftCluster.
// Rules from KIP-595 (Vote, BeginQuorumEpoch, EndQuorumEpoch, Fetch, HW), KIP-996 (pre-vote)
// and KRaft's check quorum (3.7+), as summarised in shared/reference/kafka-semantics.md §3.2.
#include "raft/raft_node.h"

#include <doctest/doctest.h>

#include <memory>
#include <vector>

#include "raft_cluster.h"

namespace kafkasim::raft {
namespace {

using namespace kafkasim::literals;

RaftConfig Config(NodeId id, std::vector<NodeId> voters = {1, 2, 3}) {
  RaftConfig config;
  config.node_id = id;
  config.voters = std::move(voters);
  return config;
}

std::unique_ptr<RaftNode> MakeNode(NodeId id, QuorumState state = {},
                                   std::vector<LogEntry> log = {}, Time now = kTimeZero,
                                   std::vector<NodeId> voters = {1, 2, 3}) {
  auto node = std::make_unique<RaftNode>(Config(id, std::move(voters)), std::move(state),
                                         std::move(log), Rng(static_cast<std::uint64_t>(id)), now);
  (void)node->TakeReady();
  return node;
}

template <typename T>
std::vector<std::pair<NodeId, T>> Sent(const Ready& ready) {
  std::vector<std::pair<NodeId, T>> out;
  for (const auto& m : ready.messages) {
    if (const T* body = m->Get<T>()) out.emplace_back(m->to, *body);
  }
  return out;
}

RaftMessage Msg(NodeId from, NodeId to, RaftBody body) { return RaftMessage(from, to, body); }

std::vector<LogEntry> Entries(const std::vector<Epoch>& epochs) {
  std::vector<LogEntry> out;
  for (std::size_t i = 0; i < epochs.size(); ++i) {
    out.push_back(LogEntry{static_cast<Offset>(i), epochs[i], EntryKind::kData, "e"});
  }
  return out;
}

// Drives node 1 of {1,2,3} to leadership of epoch `state.epoch + 1` by feeding grants.
void ElectNodeOne(RaftNode& node, Time now) {
  node.Campaign(now);
  node.Step(Msg(2, 1, VoteResponse{Errc::kNone, node.epoch(), kNoNodeId, true, true}), now);
  REQUIRE(node.role() == Role::kCandidate);
  node.Step(Msg(2, 1, VoteResponse{Errc::kNone, node.epoch(), kNoNodeId, true, false}), now);
  REQUIRE(node.role() == Role::kLeader);
}

TEST_CASE("raft: election timeout makes a voter prospective without bumping the epoch") {
  auto node = MakeNode(1);
  CHECK(node->role() == Role::kUnattached);
  // election.timeout.ms 1000 randomised into [1000, 2000).
  CHECK(node->NextDeadline() >= Time{} + 1000_ms);
  CHECK(node->NextDeadline() < Time{} + 2000_ms);
  node->Tick(node->NextDeadline());
  CHECK(node->role() == Role::kProspective);
  CHECK(node->epoch() == 0);
  Ready ready = node->TakeReady();
  CHECK(!ready.quorum_state);  // a pre-vote persists nothing
  auto votes = Sent<VoteRequest>(ready);
  REQUIRE(votes.size() == 2);
  CHECK(votes[0].second.pre_vote);
  CHECK(votes[0].second.candidate_epoch == 0);
}

TEST_CASE("raft: pre-vote does not bump the epoch of the voter asked (KIP-996)") {
  auto node = MakeNode(2, QuorumState{3, kNoNodeId, kNoNodeId, {1, 2, 3}});
  node->Step(Msg(1, 2, VoteRequest{3, 1, 0, 0, true}), Time{} + 10_ms);
  CHECK(node->epoch() == 3);
  CHECK(node->role() == Role::kUnattached);
  CHECK(node->GetStatus().voted_for == kNoNodeId);  // a granted pre-vote is not a vote
  Ready ready = node->TakeReady();
  CHECK(!ready.quorum_state);
  auto responses = Sent<VoteResponse>(ready);
  REQUIRE(responses.size() == 1);
  CHECK(responses[0].second.granted);
  CHECK(responses[0].second.pre_vote);
  // A real vote may still go to someone else in this epoch.
  node->Step(Msg(3, 2, VoteRequest{3, 3, 0, 0, false}), Time{} + 11_ms);
  CHECK(node->GetStatus().voted_for == 3);
}

TEST_CASE("raft: a pre-vote from a larger epoch moves a stale leader to that epoch") {
  // KafkaRaftClient.handleVoteRequest transitions to any larger epoch before deciding, so a
  // voter stranded at a higher epoch (a lost candidacy) makes the old leader step down.
  auto node = MakeNode(1);
  ElectNodeOne(*node, Time{});
  CHECK(node->epoch() == 1);
  node->Step(Msg(3, 1, VoteRequest{2, 3, 0, 0, true}), Time{} + 1_ms);
  CHECK(node->role() == Role::kUnattached);
  CHECK(node->epoch() == 2);
  auto responses = Sent<VoteResponse>(node->TakeReady());
  REQUIRE(responses.size() == 1);
  CHECK(!responses[0].second.granted);  // its log (0@0) is behind ours
}

TEST_CASE("raft: a majority of pre-votes makes a candidate that persists its epoch and vote") {
  auto node = MakeNode(1);
  node->Campaign(Time{});
  (void)node->TakeReady();
  node->Step(Msg(3, 1, VoteResponse{Errc::kNone, 0, kNoNodeId, true, true}), Time{} + 5_ms);
  CHECK(node->role() == Role::kCandidate);
  CHECK(node->epoch() == 1);
  Ready ready = node->TakeReady();
  REQUIRE(ready.quorum_state);
  CHECK(ready.quorum_state->voted_for == 1);
  CHECK(ready.quorum_state->epoch == 1);
  CHECK(ready.must_sync);
  auto votes = Sent<VoteRequest>(ready);
  REQUIRE(votes.size() == 2);
  CHECK(!votes[0].second.pre_vote);
  CHECK(votes[0].second.candidate_epoch == 1);
}

TEST_CASE("raft: a new leader appends LeaderChange and announces BeginQuorumEpoch") {
  auto node = MakeNode(1);
  ElectNodeOne(*node, Time{});
  Ready ready = node->TakeReady();
  REQUIRE(ready.entries.size() == 1);
  CHECK(ready.entries[0].kind == EntryKind::kLeaderChange);
  CHECK(ready.entries[0].epoch == 1);
  CHECK(Sent<BeginQuorumEpochRequest>(ready).size() == 2);
  REQUIRE(!ready.notes.empty());
  CHECK(ready.notes.back().text == "became leader at epoch 1 with votes from 2");
  CHECK(node->Propose("a", Time{}).value() == 1);
  CHECK(node->Propose("b", Time{}).value() == 2);
  CHECK(node->log().EndOffset() == 1);  // still lingering (append.linger.ms 25)
  node->Tick(Time{} + 25_ms);
  CHECK(node->log().EndOffset() == 3);
}

TEST_CASE("raft: a vote is refused to a candidate whose log is behind, epoch first") {
  const QuorumState state{2, kNoNodeId, kNoNodeId, {1, 2, 3}};
  auto node = MakeNode(2, state, Entries({1, 2, 2}));
  // Longer log but an older last epoch: refused.
  node->Step(Msg(1, 2, VoteRequest{3, 1, 1, 10, false}), Time{});
  CHECK(node->GetStatus().voted_for == kNoNodeId);
  // Same last epoch, shorter log: refused.
  node->Step(Msg(1, 2, VoteRequest{3, 1, 2, 2, false}), Time{});
  CHECK(node->GetStatus().voted_for == kNoNodeId);
  auto refused = Sent<VoteResponse>(node->TakeReady());
  REQUIRE(refused.size() == 2);
  CHECK(!refused[0].second.granted);
  CHECK(!refused[1].second.granted);
  // Newer last epoch with a short log: granted.
  node->Step(Msg(3, 2, VoteRequest{3, 3, 3, 1, false}), Time{});
  CHECK(node->GetStatus().voted_for == 3);
  CHECK(Sent<VoteResponse>(node->TakeReady())[0].second.granted);
}

TEST_CASE("raft: one vote per epoch, and a restarted voter keeps its vote") {
  auto node = MakeNode(2);
  node->Step(Msg(1, 2, VoteRequest{1, 1, 0, 0, false}), Time{});
  Ready granted = node->TakeReady();
  REQUIRE(granted.quorum_state);  // persisted before the response goes out
  CHECK(granted.quorum_state->voted_for == 1);
  CHECK(Sent<VoteResponse>(granted)[0].second.granted);

  node->Step(Msg(3, 2, VoteRequest{1, 3, 0, 0, false}), Time{});
  CHECK(!Sent<VoteResponse>(node->TakeReady())[0].second.granted);
  node->Step(Msg(1, 2, VoteRequest{1, 1, 0, 0, false}), Time{});  // a retry is granted again
  CHECK(Sent<VoteResponse>(node->TakeReady())[0].second.granted);

  // Crash and restart from the quorum-state file: the vote survives.
  Result<QuorumState> disk = QuorumStateFromJson(QuorumStateToJson(*granted.quorum_state));
  REQUIRE(disk.ok());
  auto restarted = MakeNode(2, *disk, {}, Time{} + 100_ms);
  CHECK(restarted->GetStatus().voted_for == 1);
  restarted->Step(Msg(3, 2, VoteRequest{1, 3, 0, 0, false}), Time{} + 100_ms);
  CHECK(!Sent<VoteResponse>(restarted->TakeReady())[0].second.granted);
}

TEST_CASE("raft: a follower fetching from its leader refuses pre-votes (KIP-996)") {
  auto node = MakeNode(2, QuorumState{1, kNoNodeId, 1, {1, 2, 3}});
  CHECK(node->role() == Role::kFollower);
  // Before any successful fetch the follower still grants an up-to-date pre-vote.
  node->Step(Msg(3, 2, VoteRequest{1, 3, 0, 0, true}), Time{});
  CHECK(Sent<VoteResponse>(node->TakeReady())[0].second.granted);
  FetchResponse fetched;
  fetched.epoch = 1;
  fetched.leader_id = 1;
  fetched.fetch_offset = 0;
  fetched.correlation_id = 1;  // the fetch the follower sent when it started
  fetched.high_watermark = 0;
  node->Step(Msg(1, 2, fetched), Time{} + 1_ms);
  (void)node->TakeReady();
  node->Step(Msg(3, 2, VoteRequest{1, 3, 0, 0, true}), Time{} + 2_ms);
  CHECK(!Sent<VoteResponse>(node->TakeReady())[0].second.granted);
  CHECK(node->epoch() == 1);
}

TEST_CASE("raft: the high watermark is the majority end offset, only past the epoch start") {
  // Node 1 has three entries of epoch 1 it cannot know are committed.
  auto node = MakeNode(1, QuorumState{1, kNoNodeId, kNoNodeId, {1, 2, 3}}, Entries({1, 1, 1}));
  ElectNodeOne(*node, Time{});
  CHECK(node->epoch() == 2);
  (void)node->TakeReady();
  // Node 2 has the old entries but not the LeaderChange at offset 3 (the epoch start).
  node->Step(Msg(2, 1, FetchRequest{2, 2, 3, 1, 500_ms}), Time{} + 1_ms);
  CHECK(node->high_watermark() == 0);
  Ready ready = node->TakeReady();
  auto records = Sent<FetchResponse>(ready);
  REQUIRE(records.size() == 1);
  CHECK(records[0].second.records.size() == 1);
  CHECK(ready.committed.empty());
  // Once node 2 has the LeaderChange, offset 4 is on a majority: everything commits.
  node->Step(Msg(2, 1, FetchRequest{2, 2, 4, 2, 500_ms}), Time{} + 2_ms);
  CHECK(node->high_watermark() == 4);
  ready = node->TakeReady();
  CHECK(ready.committed.size() == 4);
  auto answered = Sent<FetchResponse>(ready);
  REQUIRE(answered.size() == 1);  // HW moved, so the fetch is not parked
  CHECK(answered[0].second.high_watermark == 4);
}

TEST_CASE("raft: the leader answers a diverged fetch with DivergingEpoch") {
  auto node = MakeNode(1, QuorumState{3, kNoNodeId, kNoNodeId, {1, 2, 3}}, Entries({1, 1, 3}));
  ElectNodeOne(*node, Time{});  // epoch 4, LeaderChange at offset 3
  (void)node->TakeReady();
  // Node 2 wrote offsets 2..4 in epoch 2, which this leader never saw.
  node->Step(Msg(2, 1, FetchRequest{4, 2, 5, 2, 500_ms}), Time{} + 1_ms);
  auto responses = Sent<FetchResponse>(node->TakeReady());
  REQUIRE(responses.size() == 1);
  REQUIRE(responses[0].second.diverging_epoch);
  CHECK(*responses[0].second.diverging_epoch == OffsetAndEpoch{2, 1});
  CHECK(responses[0].second.records.empty());
}

TEST_CASE("raft: a follower truncates to the diverging epoch's end offset") {
  auto node = MakeNode(2, QuorumState{4, kNoNodeId, 1, {1, 2, 3}}, Entries({1, 1, 2, 2, 2}));
  Ready first = node->TakeReady();
  (void)first;
  FetchResponse response;
  response.epoch = 4;
  response.leader_id = 1;
  response.fetch_offset = 5;
  response.correlation_id = 1;
  response.diverging_epoch = OffsetAndEpoch{2, 1};
  node->Step(Msg(1, 2, response), Time{} + 1_ms);
  CHECK(node->log().EndOffset() == 2);
  Ready ready = node->TakeReady();
  REQUIRE(ready.truncate_log_to);
  CHECK(*ready.truncate_log_to == 2);
  auto fetches = Sent<FetchRequest>(ready);
  REQUIRE(fetches.size() == 1);
  CHECK(fetches[0].second.fetch_offset == 2);
  CHECK(fetches[0].second.last_fetched_epoch == 1);
}

TEST_CASE("raft: a fetch with nothing new is parked until the 500 ms max wait") {
  RaftConfig config = Config(1);
  config.idle_noop_interval = Duration{};  // no NoOp, so only the max wait ends the parking
  RaftNode node(config, {}, {}, Rng(1), Time{});
  ElectNodeOne(node, Time{});
  (void)node.TakeReady();
  node.Step(Msg(2, 1, FetchRequest{1, 2, 1, 1, 500_ms}), Time{} + 1_ms);  // commits offset 0
  (void)node.TakeReady();
  node.Step(Msg(2, 1, FetchRequest{1, 2, 1, 1, 500_ms}), Time{} + 2_ms);
  CHECK(Sent<FetchResponse>(node.TakeReady()).empty());
  CHECK(node.NextDeadline() == Time{} + 502_ms);
  node.Tick(Time{} + 502_ms);
  auto responses = Sent<FetchResponse>(node.TakeReady());
  REQUIRE(responses.size() == 1);
  CHECK(responses[0].second.records.empty());
  CHECK(responses[0].second.high_watermark == 1);
}

TEST_CASE("raft: a parked fetch is answered as soon as the idle NoOp is appended") {
  auto node = MakeNode(1);
  ElectNodeOne(*node, Time{});
  node->Step(Msg(2, 1, FetchRequest{1, 2, 1, 1, 500_ms}), Time{} + 1_ms);
  node->Step(Msg(2, 1, FetchRequest{1, 2, 1, 1, 500_ms}), Time{} + 2_ms);
  (void)node->TakeReady();
  CHECK(node->NextDeadline() == Time{} + 500_ms);  // metadata.max.idle.interval.ms
  node->Tick(Time{} + 500_ms);
  auto responses = Sent<FetchResponse>(node->TakeReady());
  REQUIRE(responses.size() == 1);
  REQUIRE(responses[0].second.records.size() == 1);
  CHECK(responses[0].second.records[0].kind == EntryKind::kNoOp);
}

TEST_CASE("raft: check quorum resigns a leader no majority fetched from in 3 s") {
  auto node = MakeNode(1);
  ElectNodeOne(*node, Time{});
  node->Tick(Time{} + 2999_ms);
  CHECK(node->role() == Role::kLeader);
  node->Tick(Time{} + 3000_ms);
  CHECK(node->role() == Role::kResigned);
  Ready ready = node->TakeReady();
  CHECK(Sent<EndQuorumEpochRequest>(ready).size() == 2);
}

TEST_CASE("raft: check quorum keeps a leader that a majority fetches from") {
  auto node = MakeNode(1);
  ElectNodeOne(*node, Time{});
  for (int ms = 1000; ms <= 10000; ms += 1000) {
    node->Step(Msg(2, 1, FetchRequest{1, 2, 0, 0, Duration{}}), Time{} + Milliseconds(ms));
    node->Tick(Time{} + Milliseconds(ms));
  }
  CHECK(node->role() == Role::kLeader);
}

TEST_CASE("raft: a single voter elects itself and never resigns on check quorum") {
  auto node = MakeNode(1, {}, {}, Time{}, {1});
  node->Tick(node->NextDeadline());
  CHECK(node->role() == Role::kLeader);
  CHECK(node->epoch() == 1);
  CHECK(node->high_watermark() == 1);
  node->Tick(Time{} + 60_s);
  CHECK(node->role() == Role::kLeader);
}

TEST_CASE("raft: a graceful shutdown names successors by replication progress") {
  auto node = MakeNode(1);
  ElectNodeOne(*node, Time{});
  node->Step(Msg(3, 1, FetchRequest{1, 3, 1, 1, Duration{}}), Time{} + 1_ms);
  node->Step(Msg(2, 1, FetchRequest{1, 2, 0, 0, Duration{}}), Time{} + 1_ms);
  (void)node->TakeReady();
  node->Shutdown(Time{} + 2_ms);
  CHECK(node->role() == Role::kResigned);
  auto ends = Sent<EndQuorumEpochRequest>(node->TakeReady());
  REQUIRE(ends.size() == 2);
  CHECK(ends[0].second.preferred_successors == std::vector<NodeId>{3, 2});
}

TEST_CASE("raft: a persisted leader restarts resigned at its epoch") {
  auto node = MakeNode(1, QuorumState{4, 1, 1, {1, 2, 3}}, Entries({1, 4}));
  CHECK(node->role() == Role::kResigned);
  CHECK(node->epoch() == 4);
  CHECK(!node->Propose("x", Time{}).ok());
  CHECK(node->Propose("x", Time{}).status().code() == Errc::kNotLeaderOrFollower);
}

TEST_CASE("raft: a late response to an older fetch is ignored (correlation id)") {
  // Found by the safety swarm: a stale DivergingEpoch answer that happened to carry the same
  // fetch offset as the fetch in flight truncated a follower below its high watermark.
  auto node = MakeNode(2, QuorumState{1, kNoNodeId, 1, {1, 2, 3}});
  const std::uint64_t first = 1;  // the fetch it sent when it started following leader 1
  FetchResponse late;
  late.epoch = 1;
  late.leader_id = 1;
  late.fetch_offset = 0;
  late.correlation_id = first + 7;
  late.high_watermark = 0;
  late.records.push_back(LogEntry{0, 1, EntryKind::kLeaderChange, ""});
  node->Step(Msg(1, 2, late), Time{} + 1_ms);
  CHECK(node->log().EndOffset() == 0);
  late.correlation_id = first;
  node->Step(Msg(1, 2, late), Time{} + 2_ms);
  CHECK(node->log().EndOffset() == 1);
}

TEST_CASE("raft: EndQuorumEpoch successors start their elections by position") {
  // KafkaRaftClient.strictExponentialElectionBackoffMs with election.backoff.max.ms = 1000.
  for (const auto& [id, wait] : std::vector<std::pair<NodeId, Duration>>{{2, 0_ms}, {3, 500_ms}}) {
    auto node = MakeNode(id, QuorumState{1, kNoNodeId, 1, {1, 2, 3}});
    node->Step(Msg(1, id, EndQuorumEpochRequest{1, 1, {2, 3}}), Time{} + 10_ms);
    CHECK(node->NextDeadline() == Time{} + 10_ms + wait);
    node->Tick(Time{} + 10_ms + wait);
    CHECK(node->role() == Role::kProspective);
    CHECK(Sent<EndQuorumEpochResponse>(node->TakeReady()).size() == 1);
  }
}

TEST_CASE("raft: an observer never votes, not even a pre-vote") {
  auto observer = MakeNode(4);
  CHECK(!observer->is_voter());
  observer->Step(Msg(1, 4, VoteRequest{1, 1, 5, 5, false}), Time{});
  observer->Step(Msg(2, 4, VoteRequest{1, 2, 5, 5, true}), Time{});
  CHECK(observer->GetStatus().voted_for == kNoNodeId);
  for (const auto& [to, response] : Sent<VoteResponse>(observer->TakeReady())) {
    CHECK(!response.granted);
  }
  observer->Campaign(Time{});
  CHECK(observer->role() == Role::kUnattached);
}

TEST_CASE("raft: the leader resends BeginQuorumEpoch until each voter acknowledges") {
  auto node = MakeNode(1);
  ElectNodeOne(*node, Time{});
  (void)node->TakeReady();
  node->Step(Msg(2, 1, BeginQuorumEpochResponse{Errc::kNone, 1, 1}), Time{} + 1_ms);
  node->Tick(Time{} + 1000_ms);  // fetch.timeout.ms / 2
  auto begins = Sent<BeginQuorumEpochRequest>(node->TakeReady());
  REQUIRE(begins.size() == 1);
  CHECK(begins[0].first == 3);
}

TEST_CASE("raft: a three-voter cluster elects one leader and replicates proposals") {
  testing::RaftCluster cluster(7);
  cluster.AddNodes(3, 1);
  cluster.Run(5_s);
  const auto leader = cluster.Leader();
  REQUIRE(leader);
  REQUIRE(cluster.Propose(*leader, "hello").ok());
  cluster.Run(1_s);
  for (NodeId id : cluster.ids()) {
    const auto& applied = cluster.applied(id);
    bool found = false;
    for (const LogEntry& e : applied) found = found || e.payload == "hello";
    CHECK_MESSAGE(found, cluster.Name(id));
  }
  CHECK(cluster.node(4)->role() == Role::kFollower);  // the observer (broker-4)
  CHECK(cluster.node(4)->GetStatus().voted_for == kNoNodeId);
  CHECK(cluster.violations().empty());
}

TEST_CASE("raft: after failover an isolated old leader truncates its uncommitted entries") {
  testing::RaftCluster cluster(11);
  cluster.AddNodes(3);
  cluster.Run(5_s);
  const NodeId old_leader = cluster.Leader().value();
  cluster.Run(1_s);
  std::set<NodeId> others;
  for (NodeId id : cluster.ids()) {
    if (id != old_leader) others.insert(id);
  }
  cluster.Partition({{old_leader}, others});
  REQUIRE(cluster.Propose(old_leader, "lost-1").ok());
  REQUIRE(cluster.Propose(old_leader, "lost-2").ok());
  cluster.Run(6_s);
  const NodeId new_leader = cluster.Leader().value();
  CHECK(new_leader != old_leader);
  CHECK(cluster.node(old_leader)->role() != Role::kLeader);  // check quorum resigned it
  REQUIRE(cluster.Propose(new_leader, "kept").ok());
  cluster.Run(1_s);
  cluster.Heal();
  cluster.Run(6_s);
  const auto& old_log = cluster.disk(old_leader).log;
  const auto& new_log = cluster.disk(new_leader).log;
  for (const LogEntry& e : old_log) CHECK(e.payload.rfind("lost", 0) != 0);
  CHECK(old_log.size() <= new_log.size());
  bool truncated = false;
  for (const std::string& line : cluster.TakeLines()) {
    truncated = truncated || line.find("truncated its log") != std::string::npos;
  }
  CHECK(truncated);
  cluster.CheckLogMatching();
  CHECK(cluster.violations().empty());
}

}  // namespace
}  // namespace kafkasim::raft
