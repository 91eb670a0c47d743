// RaftNode: KRaft's KafkaRaftClient + QuorumState logic (KIP-595, KIP-996) without I/O.
// Step handles the epoch first, then dispatches on the message and role; roles change only in
// the BecomeX functions.
#include "raft/raft_node.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <utility>

#include "engine/assert.h"
#include "raft/trace_kinds.h"
#include "storage/control_records.h"

namespace kafkasim::raft {
namespace {

std::string Ids(const std::set<NodeId>& ids, NodeId except) {
  std::vector<NodeId> out;
  for (NodeId id : ids) {
    if (id != except) out.push_back(id);
  }
  return out.empty() ? std::string("no one else") : fmt::format("{}", fmt::join(out, ", "));
}

std::string Ms(Duration d) { return FormatDuration(Milliseconds(d.Millis())); }

}  // namespace

const char* RoleName(Role role) {
  switch (role) {
    case Role::kUnattached:
      return "unattached";
    case Role::kProspective:
      return "prospective";
    case Role::kCandidate:
      return "candidate";
    case Role::kLeader:
      return "leader";
    case Role::kFollower:
      return "follower";
    case Role::kResigned:
      return "resigned";
  }
  return "?";
}

bool Ready::empty() const {
  return !quorum_state && !truncate_log_to && entries.empty() && committed.empty() &&
         messages.empty() && role_changes.empty() && notes.empty();
}

RaftNode::RaftNode(RaftConfig config, QuorumState persisted, std::vector<LogEntry> log, Rng rng,
                   Time now)
    : config_(std::move(config)), rng_(rng), quorum_(std::move(persisted)), log_(std::move(log)) {
  std::sort(config_.voters.begin(), config_.voters.end());
  KSIM_ASSERT(config_.node_id != kNoNodeId);
  KSIM_ASSERT(!config_.voters.empty());
  voter_ = IsVoter(config_.node_id);
  persisted_end_ = log_.EndOffset();
  if (quorum_.voters != config_.voters) {
    quorum_.voters = config_.voters;
    quorum_dirty_ = true;
  }
  // QuorumState.initialize: a persisted leader comes back Resigned, a known leader as Follower,
  // anything else Unattached keeping its vote for the epoch.
  if (quorum_.leader_id == config_.node_id && voter_) {
    BecomeResigned({}, "restarted after leading it", now);
  } else if (quorum_.leader_id != kNoNodeId && quorum_.leader_id != config_.node_id) {
    BecomeFollower(quorum_.epoch, quorum_.leader_id, now);
  } else {
    BecomeUnattached(quorum_.epoch, voter_ ? quorum_.voted_for : kNoNodeId, now);
  }
}

// ---------------------------------------------------------------------------------------------
// Inputs

void RaftNode::Step(const RaftMessage& message, Time now) {
  KSIM_ASSERT_EQ(message.to, config_.node_id);
  if (!HandleEpoch(message, now)) return;
  const NodeId from = message.from;
  if (const auto* vote = message.Get<VoteRequest>()) {
    StepVoteRequest(from, *vote, now);
  } else if (const auto* vote_response = message.Get<VoteResponse>()) {
    StepVoteResponse(from, *vote_response, now);
  } else if (const auto* begin = message.Get<BeginQuorumEpochRequest>()) {
    StepBeginQuorumEpoch(from, *begin, now);
  } else if (message.Get<BeginQuorumEpochResponse>() != nullptr) {
    if (role_ == Role::kLeader) acknowledged_begin_.insert(from);
  } else if (const auto* end = message.Get<EndQuorumEpochRequest>()) {
    StepEndQuorumEpoch(from, *end, now);
  } else if (message.Get<EndQuorumEpochResponse>() != nullptr) {
    if (role_ == Role::kResigned) acknowledged_end_.insert(from);
  } else if (const auto* fetch = message.Get<FetchRequest>()) {
    StepFetchRequest(from, *fetch, now);
  } else if (const auto* fetch_response = message.Get<FetchResponse>()) {
    StepFetchResponse(from, *fetch_response, now);
  }
}

// The epoch rule (KafkaRaftClient.maybeHandleCommonResponse / handle*Request): a larger epoch
// moves us to it first; a smaller one is answered with ours or ignored. A Vote (pre-vote or
// not) at a larger epoch makes us Unattached at that epoch.
bool RaftNode::HandleEpoch(const RaftMessage& message, Time now) {
  const Epoch current = quorum_.epoch;
  const NodeId from = message.from;
  if (const auto* m = message.Get<VoteRequest>()) {
    if (m->candidate_epoch < current) {
      Send(from,
           VoteResponse{Errc::kFencedLeaderEpoch, current, quorum_.leader_id, false, m->pre_vote});
      return false;
    }
    // Pre-votes too: KafkaRaftClient.handleVoteRequest moves to any larger epoch it sees.
    // The prospective sender bumped nothing; it may simply be ahead (say it was a candidate
    // that lost). Without this, a leader of a lower epoch never learns of the higher one.
    if (m->candidate_epoch > current) BecomeUnattached(m->candidate_epoch, kNoNodeId, now);
    return true;
  }
  if (const auto* m = message.Get<VoteResponse>()) return LearnEpoch(m->epoch, m->leader_id, now);
  if (const auto* m = message.Get<BeginQuorumEpochResponse>()) {
    return LearnEpoch(m->epoch, m->leader_id, now);
  }
  if (const auto* m = message.Get<EndQuorumEpochResponse>()) {
    return LearnEpoch(m->epoch, m->leader_id, now);
  }
  if (const auto* m = message.Get<FetchResponse>()) return LearnEpoch(m->epoch, m->leader_id, now);
  if (const auto* m = message.Get<BeginQuorumEpochRequest>()) {
    if (m->epoch < current) {
      Send(from, BeginQuorumEpochResponse{Errc::kFencedLeaderEpoch, current, quorum_.leader_id});
      return false;
    }
    if (m->epoch > current) BecomeFollower(m->epoch, m->leader_id, now);
    return true;
  }
  if (const auto* m = message.Get<EndQuorumEpochRequest>()) {
    if (m->epoch < current) {
      Send(from, EndQuorumEpochResponse{Errc::kFencedLeaderEpoch, current, quorum_.leader_id});
      return false;
    }
    if (m->epoch > current) AdoptEpoch(m->epoch, m->leader_id, now);
    return true;
  }
  if (const auto* m = message.Get<FetchRequest>()) {
    if (m->epoch != current) {
      FetchResponse response;
      response.error = m->epoch < current ? Errc::kFencedLeaderEpoch : Errc::kUnknownLeaderEpoch;
      response.epoch = current;
      response.leader_id = quorum_.leader_id;
      response.fetch_offset = m->fetch_offset;
      response.correlation_id = m->correlation_id;
      Send(from, std::move(response));
      return false;
    }
    return true;
  }
  KSIM_UNREACHABLE();
}

// Moves to a larger epoch: as follower when the sender names a leader, else unattached.
void RaftNode::AdoptEpoch(Epoch epoch, NodeId leader, Time now) {
  if (leader != kNoNodeId && leader != config_.node_id) {
    BecomeFollower(epoch, leader, now);
  } else {
    BecomeUnattached(epoch, kNoNodeId, now);
  }
}

// The epoch rule for responses: true when the response is for our epoch and should be handled.
// At our own epoch, a response naming a leader we did not know makes us its follower.
bool RaftNode::LearnEpoch(Epoch epoch, NodeId leader, Time now) {
  if (epoch > quorum_.epoch) {
    AdoptEpoch(epoch, leader, now);
    return false;
  }
  if (epoch < quorum_.epoch) return false;
  if (leader != kNoNodeId && leader != config_.node_id && quorum_.leader_id == kNoNodeId) {
    BecomeFollower(epoch, leader, now);
  }
  return true;
}

void RaftNode::Tick(Time now) {
  for (int round = 0; round < 16 && NextDeadline() <= now; ++round) TickOnce(now);
  KSIM_ASSERT_MSG(NextDeadline() > now, "a due timer was not re-armed");
}

void RaftNode::TickOnce(Time now) {
  switch (role_) {
    case Role::kLeader:
      if (check_quorum_deadline_ <= now) {
        BecomeResigned({},
                       fmt::format("fewer than a majority of voters fetched in {} (check quorum)",
                                   Ms(config_.fetch_timeout * 3 / 2)),
                       now);
        return;
      }
      if (linger_deadline_ <= now) FlushPending(now);
      if (idle_deadline_ <= now) AppendAsLeader(EntryKind::kNoOp, "", now);
      CompleteParkedFetches(now, /*expired_only=*/true);
      if (request_deadline_ <= now) SendBeginQuorumEpoch(now);
      return;
    case Role::kFollower:
      if (fetch_deadline_ <= now) {
        if (voter_) {
          BecomeProspective(
              leader_resigned_
                  ? fmt::format("leader {} resigned epoch {}", quorum_.leader_id, quorum_.epoch)
                  : fmt::format("no successful fetch from leader {} for {}", quorum_.leader_id,
                                Ms(config_.fetch_timeout)),
              now);
        } else {
          BecomeUnattached(quorum_.epoch, kNoNodeId, now);
        }
        return;
      }
      if (request_deadline_ <= now || backoff_deadline_ <= now) SendFetch(now);
      return;
    case Role::kUnattached:
      if (election_deadline_ <= now) {
        BecomeProspective("election timeout without a leader", now);
      } else if (backoff_deadline_ <= now) {
        SendDiscoveryFetch(now);
      }
      return;
    case Role::kProspective:
      if (election_deadline_ <= now) LeaveProspective(now);
      return;
    case Role::kCandidate:
      if (election_deadline_ <= now || backoff_deadline_ <= now) {
        BecomeProspective(fmt::format("no majority at epoch {}", quorum_.epoch), now);
      }
      return;
    case Role::kResigned:
      if (election_deadline_ <= now) {
        BecomeProspective(fmt::format("no new leader after resigning epoch {}", quorum_.epoch),
                          now);
      } else if (request_deadline_ <= now) {
        SendEndQuorumEpoch(now);
      }
      return;
  }
}

Result<Offset> RaftNode::Propose(std::string payload, Time now) {
  if (role_ != Role::kLeader) {
    return kafkasim::Status(
        Errc::kNotLeaderOrFollower,
        fmt::format("node {} is {} at epoch {}; the leader is {}", config_.node_id, RoleName(role_),
                    quorum_.epoch, quorum_.leader_id));
  }
  const Offset offset = log_.EndOffset() + static_cast<Offset>(pending_.size());
  pending_.push_back(std::move(payload));
  if (config_.append_linger.ns <= 0) {
    FlushPending(now);
  } else if (linger_deadline_ == kTimeMax) {
    linger_deadline_ = now + config_.append_linger;
  }
  return offset;
}

void RaftNode::Campaign(Time now) {
  if (!voter_ || role_ == Role::kLeader) return;
  BecomeProspective("asked to campaign", now);
}

void RaftNode::Shutdown(Time now) {
  if (role_ != Role::kLeader) return;
  std::vector<NodeId> successors = SuccessorsByProgress();
  const std::string reason =
      fmt::format("shutting down; successors by progress: [{}]", fmt::join(successors, ", "));
  BecomeResigned(std::move(successors), reason, now);
}

// ---------------------------------------------------------------------------------------------
// Output

Ready RaftNode::TakeReady() {
  Ready out = std::move(ready_);
  ready_ = Ready{};
  if (quorum_dirty_) {
    out.quorum_state = quorum_;
    out.must_sync = true;
    quorum_dirty_ = false;
  }
  if (dirty_from_) {
    const Offset from = *dirty_from_;
    KSIM_ASSERT_LE(from, log_.EndOffset());
    if (from < persisted_end_) out.truncate_log_to = from;
    out.entries = log_.Read(from, static_cast<std::size_t>(log_.EndOffset() - from));
    out.must_sync = true;
    persisted_end_ = log_.EndOffset();
    dirty_from_.reset();
  }
  return out;
}

bool RaftNode::HasReady() const { return quorum_dirty_ || dirty_from_ || !ready_.empty(); }

Time RaftNode::NextDeadline() const {
  Time next = std::min({election_deadline_, fetch_deadline_, backoff_deadline_, request_deadline_,
                        linger_deadline_, idle_deadline_, check_quorum_deadline_});
  for (const auto& [id, parked] : parked_) next = std::min(next, parked.deadline);
  return next;
}

RaftStatus RaftNode::GetStatus() const {
  RaftStatus status;
  status.node_id = config_.node_id;
  status.voter = voter_;
  status.role = role_;
  status.epoch = quorum_.epoch;
  status.voted_for = quorum_.voted_for;
  status.leader_id = quorum_.leader_id;
  status.log_end_offset = log_.EndOffset();
  status.last_epoch = log_.LastEpoch();
  status.high_watermark = high_watermark_;
  if (role_ == Role::kLeader) {
    for (const auto& [id, view] : replicas_) {
      if (view.voter) status.replicas.push_back(view);
    }
    for (const auto& [id, view] : replicas_) {
      if (!view.voter) status.replicas.push_back(view);
    }
  }
  return status;
}

// ---------------------------------------------------------------------------------------------
// Role transitions

void RaftNode::SetRole(Role role) {
  const Role old = role_;
  role_ = role;
  election_deadline_ = fetch_deadline_ = backoff_deadline_ = request_deadline_ = kTimeMax;
  linger_deadline_ = idle_deadline_ = check_quorum_deadline_ = kTimeMax;
  granted_.clear();
  rejected_.clear();
  outstanding_fetch_.reset();
  fetched_from_leader_ = false;
  leader_resigned_ = false;
  // Leaving the leadership drops its volatile state; parked fetches go unanswered and the
  // fetchers retry after request.timeout.ms or follow the next leader.
  replicas_.clear();
  acknowledged_begin_.clear();
  fetched_since_check_.clear();
  pending_.clear();
  parked_.clear();
  successors_.clear();
  acknowledged_end_.clear();
  ready_.role_changes.push_back({old, role, quorum_.epoch, quorum_.leader_id});
}

void RaftNode::BecomeUnattached(Epoch epoch, NodeId voted_for, Time now) {
  KSIM_ASSERT_LE(quorum_.epoch, epoch);
  const bool same_epoch_vote = role_ == Role::kUnattached && epoch == quorum_.epoch &&
                               quorum_.voted_for == kNoNodeId && voted_for != kNoNodeId;
  PersistQuorumState(epoch, voted_for, kNoNodeId);
  // Granting a vote while already Unattached keeps the role but restarts the election timer.
  if (!same_epoch_vote) SetRole(Role::kUnattached);
  election_deadline_ = voter_ ? now + RandomElectionTimeout() : kTimeMax;
  if (voted_for != kNoNodeId) return;  // the vote itself is noted by StepVoteRequest
  Note(trace_kind::kUnattached,
       fmt::format("unattached at epoch {}{}", epoch,
                   voter_ ? ", no leader known" : ", looking for the leader"));
  if (!voter_) SendDiscoveryFetch(now);
}

void RaftNode::BecomeProspective(const std::string& reason, Time now) {
  KSIM_ASSERT(voter_);
  SetRole(Role::kProspective);
  granted_.insert(config_.node_id);
  Note(trace_kind::kProspective,
       fmt::format("became prospective at epoch {} ({}); asking for pre-votes", quorum_.epoch,
                   reason));
  if (granted_.size() >= Majority()) {
    BecomeCandidate(now);
    return;
  }
  election_deadline_ = now + RandomElectionTimeout();
  SendVoteRequests(/*pre_vote=*/true);
}

// A pre-vote round that failed returns to what the node was (KIP-996): the follower of the
// leader it knew, Resigned if that leader was itself, else Unattached keeping its vote.
void RaftNode::LeaveProspective(Time now) {
  KSIM_ASSERT(role_ == Role::kProspective);
  Note(trace_kind::kPreVoteLost, fmt::format("pre-vote at epoch {} failed (granted by {})",
                                             quorum_.epoch, Ids(granted_, config_.node_id)));
  const NodeId leader = quorum_.leader_id;
  if (leader == config_.node_id) {
    SetRole(Role::kResigned);
    election_deadline_ = now + RandomElectionTimeout();
  } else if (leader != kNoNodeId) {
    BecomeFollower(quorum_.epoch, leader, now);
  } else {
    BecomeUnattached(quorum_.epoch, quorum_.voted_for, now);
    if (quorum_.voted_for != kNoNodeId) {
      Note(trace_kind::kUnattached, fmt::format("unattached at epoch {}, keeping its vote for {}",
                                                quorum_.epoch, quorum_.voted_for));
    }
  }
}

void RaftNode::BecomeCandidate(Time now) {
  KSIM_ASSERT(voter_);
  const Epoch epoch = quorum_.epoch + 1;
  PersistQuorumState(epoch, config_.node_id, kNoNodeId);
  SetRole(Role::kCandidate);
  ++election_retries_;
  granted_.insert(config_.node_id);
  Note(trace_kind::kCandidate,
       fmt::format("became candidate at epoch {} and voted for itself (log {}@{})", epoch,
                   log_.LastEpoch(), log_.EndOffset()));
  if (granted_.size() >= Majority()) {
    BecomeLeader(now);
    return;
  }
  election_deadline_ = now + RandomElectionTimeout();
  SendVoteRequests(/*pre_vote=*/false);
}

void RaftNode::BecomeLeader(Time now) {
  KSIM_ASSERT(role_ == Role::kCandidate);
  KSIM_ASSERT_EQ(quorum_.voted_for, config_.node_id);
  const std::set<NodeId> votes = granted_;
  PersistQuorumState(quorum_.epoch, config_.node_id, config_.node_id);
  SetRole(Role::kLeader);
  election_retries_ = 0;
  epoch_start_offset_ = log_.EndOffset();
  for (NodeId id : config_.voters)
    replicas_[id] = ReplicaView{id, kNoOffset, std::nullopt, true, std::nullopt, 0};
  acknowledged_begin_.insert(config_.node_id);
  fetched_since_check_.insert(config_.node_id);
  if (config_.voters.size() > 1) {
    check_quorum_deadline_ = now + config_.fetch_timeout * 3 / 2;
  }
  Note(trace_kind::kLeader, fmt::format("became leader at epoch {} with votes from {}",
                                        quorum_.epoch, Ids(votes, config_.node_id)));
  // The new leader's first entry is the LeaderChange control record; the high watermark may
  // only move once it (the epoch start offset) is replicated to a majority.
  // KafkaRaftClient.appendLeaderChangeMessage: the voters, and those that granted the vote.
  storage::LeaderChangeMessage change;
  change.leader_id = config_.node_id;
  change.voters = config_.voters;
  change.granting_voters.assign(votes.begin(), votes.end());
  const std::vector<std::uint8_t> value = storage::EncodeLeaderChange(change);
  AppendAsLeader(EntryKind::kLeaderChange, std::string(value.begin(), value.end()), now);
  SendBeginQuorumEpoch(now);
}

void RaftNode::BecomeFollower(Epoch epoch, NodeId leader, Time now) {
  KSIM_ASSERT(leader != kNoNodeId && leader != config_.node_id);
  KSIM_ASSERT_LE(quorum_.epoch, epoch);
  if (epoch == quorum_.epoch) {
    KSIM_ASSERT_MSG(quorum_.leader_id == kNoNodeId || quorum_.leader_id == leader,
                    "two leaders in one epoch");
    KSIM_ASSERT(role_ != Role::kLeader);
  }
  PersistQuorumState(epoch, epoch == quorum_.epoch ? quorum_.voted_for : kNoNodeId, leader);
  SetRole(Role::kFollower);
  election_retries_ = 0;
  fetch_deadline_ = now + config_.fetch_timeout;
  Note(trace_kind::kFollower, fmt::format("following leader {} at epoch {}", leader, epoch));
  SendFetch(now);
}

void RaftNode::BecomeResigned(std::vector<NodeId> successors, const std::string& reason, Time now) {
  KSIM_ASSERT(voter_);
  PersistQuorumState(quorum_.epoch, quorum_.voted_for, config_.node_id);
  SetRole(Role::kResigned);
  successors_ = std::move(successors);
  election_deadline_ = now + RandomElectionTimeout();
  Note(trace_kind::kResigned,
       fmt::format("resigned leadership of epoch {}: {}", quorum_.epoch, reason));
  SendEndQuorumEpoch(now);
}

// ---------------------------------------------------------------------------------------------
// Votes

void RaftNode::StepVoteRequest(NodeId from, const VoteRequest& request, Time now) {
  bool granted = false;
  if (!voter_ || !IsVoter(from)) {
    granted = false;  // observers never vote, and only voters may be elected
  } else if (request.pre_vote) {
    // KIP-996: granted on an up-to-date log even after voting this epoch, except by a leader
    // or a follower that is still fetching successfully from its leader.
    granted = LogIsUpToDate(request) && role_ != Role::kLeader &&
              !(role_ == Role::kFollower && fetched_from_leader_);
  } else {
    granted = CanGrantVote(from, request);
  }
  NoteVote(from, request, granted);
  if (granted && !request.pre_vote && quorum_.voted_for != from) {
    BecomeUnattached(quorum_.epoch, from, now);
  }
  Send(from,
       VoteResponse{Errc::kNone, quorum_.epoch, quorum_.leader_id, granted, request.pre_vote});
}

bool RaftNode::CanGrantVote(NodeId candidate, const VoteRequest& request) const {
  if (role_ == Role::kLeader || role_ == Role::kResigned) return false;
  if (quorum_.leader_id != kNoNodeId) return false;
  if (quorum_.voted_for != kNoNodeId && quorum_.voted_for != candidate) return false;
  return LogIsUpToDate(request);
}

// The candidate's (last epoch, end offset) must be at least ours, epoch first.
bool RaftNode::LogIsUpToDate(const VoteRequest& request) const {
  if (request.last_epoch != log_.LastEpoch()) return request.last_epoch > log_.LastEpoch();
  return request.end_offset >= log_.EndOffset();
}

void RaftNode::NoteVote(NodeId candidate, const VoteRequest& request, bool granted) {
  const char* what = request.pre_vote ? "pre-vote" : "vote";
  std::string reason;
  if (!granted) {
    if (!voter_) {
      reason = "observers do not vote";
    } else if (!LogIsUpToDate(request)) {
      reason = fmt::format("its log {}@{} is behind ours {}@{}", request.last_epoch,
                           request.end_offset, log_.LastEpoch(), log_.EndOffset());
    } else if (request.pre_vote && role_ == Role::kFollower) {
      reason = fmt::format("still fetching from leader {}", quorum_.leader_id);
    } else if (quorum_.leader_id == config_.node_id) {
      reason = "we lead this epoch";
    } else if (quorum_.leader_id != kNoNodeId) {
      reason = fmt::format("leader {} is known", quorum_.leader_id);
    } else if (quorum_.voted_for != kNoNodeId) {
      reason = fmt::format("already voted for {}", quorum_.voted_for);
    } else {
      reason = fmt::format("we are {}", RoleName(role_));
    }
  }
  if (granted) {
    Note(request.pre_vote ? trace_kind::kPreVoteGranted : trace_kind::kVoteGranted,
         fmt::format("granted {} to {} at epoch {} (its log {}@{}, ours {}@{})", what, candidate,
                     request.candidate_epoch, request.last_epoch, request.end_offset,
                     log_.LastEpoch(), log_.EndOffset()));
  } else {
    Note(request.pre_vote ? trace_kind::kPreVoteRejected : trace_kind::kVoteRejected,
         fmt::format("rejected {} from {} at epoch {}: {}", what, candidate,
                     request.candidate_epoch, reason));
  }
}

void RaftNode::StepVoteResponse(NodeId from, const VoteResponse& response, Time now) {
  const bool counting = (response.pre_vote && role_ == Role::kProspective) ||
                        (!response.pre_vote && role_ == Role::kCandidate);
  if (!counting || !IsVoter(from)) return;
  if (response.granted) {
    granted_.insert(from);
    rejected_.erase(from);
  } else {
    rejected_.insert(from);
  }
  const std::size_t voters = config_.voters.size();
  if (granted_.size() >= Majority()) {
    if (role_ == Role::kProspective) {
      BecomeCandidate(now);
    } else {
      BecomeLeader(now);
    }
  } else if (voters - rejected_.size() < Majority()) {
    if (role_ == Role::kProspective) {
      LeaveProspective(now);
    } else {
      OnElectionLost(now);
    }
  }
}

void RaftNode::OnElectionLost(Time now) {
  // KafkaRaftClient: a lost election waits a random binary exponential backoff, then retries.
  const Duration backoff = ElectionBackoff();
  election_deadline_ = kTimeMax;
  backoff_deadline_ = now + backoff;
  Note(trace_kind::kElectionLost,
       fmt::format("lost the election at epoch {} (rejected by {}); backing off {}", quorum_.epoch,
                   Ids(rejected_, kNoNodeId), Ms(backoff)));
}

void RaftNode::SendVoteRequests(bool pre_vote) {
  for (NodeId id : config_.voters) {
    if (id == config_.node_id) continue;
    Send(id,
         VoteRequest{quorum_.epoch, config_.node_id, log_.LastEpoch(), log_.EndOffset(), pre_vote});
  }
}

Duration RaftNode::RandomElectionTimeout() {
  // election.timeout.ms + random [0, election.timeout.ms) (QuorumConfig / RaftUtil).
  const std::int64_t base = config_.election_timeout.ns;
  return Nanoseconds(base + static_cast<std::int64_t>(rng_.Uniform(
                                static_cast<std::uint64_t>(std::max<std::int64_t>(base, 1)))));
}

Duration RaftNode::ElectionBackoff() {
  // KafkaRaftClient.binaryExponentialElectionBackoffMs: 100 ms x rand[0, 2^retries), capped
  // by election.backoff.max.ms.
  const int exponent = std::clamp(election_retries_, 1, 10);
  const std::uint64_t slots = std::uint64_t{1} << exponent;
  const Duration backoff = Milliseconds(100) * static_cast<std::int64_t>(rng_.Uniform(slots));
  return std::min(backoff, config_.election_backoff_max);
}

// ---------------------------------------------------------------------------------------------
// BeginQuorumEpoch / EndQuorumEpoch

void RaftNode::StepBeginQuorumEpoch(NodeId from, const BeginQuorumEpochRequest& request, Time now) {
  KSIM_ASSERT_MSG(role_ != Role::kLeader, "another leader announced our epoch");
  if (role_ != Role::kFollower || quorum_.leader_id != request.leader_id) {
    BecomeFollower(request.epoch, request.leader_id, now);
  }
  Send(from, BeginQuorumEpochResponse{Errc::kNone, quorum_.epoch, quorum_.leader_id});
}

void RaftNode::SendBeginQuorumEpoch(Time now) {
  bool sent = false;
  for (NodeId id : config_.voters) {
    if (acknowledged_begin_.contains(id)) continue;
    Send(id, BeginQuorumEpochRequest{quorum_.epoch, config_.node_id});
    sent = true;
  }
  // LeaderState resends to voters that have not acknowledged every fetch.timeout.ms / 2.
  request_deadline_ = sent ? now + config_.fetch_timeout / 2 : kTimeMax;
}

void RaftNode::StepEndQuorumEpoch(NodeId from, const EndQuorumEpochRequest& request, Time now) {
  Send(from, EndQuorumEpochResponse{Errc::kNone, quorum_.epoch, quorum_.leader_id});
  if (quorum_.leader_id != request.leader_id || !voter_) return;
  if (role_ != Role::kFollower && role_ != Role::kUnattached) return;
  // KafkaRaftClient.strictExponentialElectionBackoffMs: successor i of n waits 0 for i = 0,
  // else min(backoff_max, (backoff_max >> (n - 1)) << (i - 1)); a voter not named waits
  // election.backoff.max.ms.
  const auto& list = request.preferred_successors;
  const auto it = std::find(list.begin(), list.end(), config_.node_id);
  Duration wait;
  if (it == list.end()) {
    wait = config_.election_backoff_max;
  } else {
    const auto i = static_cast<std::int64_t>(it - list.begin());
    const auto n = static_cast<std::int64_t>(list.size());
    const std::int64_t max = config_.election_backoff_max.ns;
    wait = i == 0 ? Duration{} : Nanoseconds(std::min(max, (max >> (n - 1)) << (i - 1)));
  }
  fetched_from_leader_ = false;  // the leader is gone: pre-votes may be granted again
  leader_resigned_ = true;
  if (role_ == Role::kFollower) {
    fetch_deadline_ = now + wait;
  } else {
    election_deadline_ = now + wait;
  }
  Note(trace_kind::kEndEpoch, fmt::format("leader {} resigned epoch {}; starting an election in {}",
                                          request.leader_id, request.epoch, Ms(wait)));
}

void RaftNode::SendEndQuorumEpoch(Time now) {
  bool sent = false;
  for (NodeId id : config_.voters) {
    if (id == config_.node_id || acknowledged_end_.contains(id)) continue;
    Send(id, EndQuorumEpochRequest{quorum_.epoch, config_.node_id, successors_});
    sent = true;
  }
  request_deadline_ = sent ? now + config_.request_timeout : kTimeMax;
}

std::vector<NodeId> RaftNode::SuccessorsByProgress() const {
  std::vector<ReplicaView> views;
  for (const auto& [id, view] : replicas_) {
    if (view.voter && id != config_.node_id) views.push_back(view);
  }
  std::sort(views.begin(), views.end(), [](const ReplicaView& a, const ReplicaView& b) {
    if (a.end_offset != b.end_offset) return a.end_offset > b.end_offset;
    return a.id < b.id;
  });
  std::vector<NodeId> out;
  for (const ReplicaView& view : views) out.push_back(view.id);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Leader: appends, fetch handling, high watermark, check quorum

void RaftNode::AppendEntry(EntryKind kind, std::string payload) {
  const Offset offset = log_.EndOffset();
  log_.Append(LogEntry{offset, quorum_.epoch, kind, std::move(payload)});
  MarkLogDirty(offset);
}

void RaftNode::AppendAsLeader(EntryKind kind, std::string payload, Time now) {
  KSIM_ASSERT(role_ == Role::kLeader);
  for (std::string& pending : pending_) AppendEntry(EntryKind::kData, std::move(pending));
  pending_.clear();
  linger_deadline_ = kTimeMax;
  AppendEntry(kind, std::move(payload));
  AfterLeaderAppend(now);
}

void RaftNode::FlushPending(Time now) {
  KSIM_ASSERT(role_ == Role::kLeader);
  linger_deadline_ = kTimeMax;
  if (pending_.empty()) return;
  for (std::string& pending : pending_) AppendEntry(EntryKind::kData, std::move(pending));
  pending_.clear();
  AfterLeaderAppend(now);
}

void RaftNode::AfterLeaderAppend(Time now) {
  replicas_[config_.node_id].end_offset = log_.EndOffset();
  if (config_.idle_noop_interval.ns > 0) idle_deadline_ = now + config_.idle_noop_interval;
  MaybeAdvanceLeaderHighWatermark();
  CompleteParkedFetches(now, /*expired_only=*/false);
}

void RaftNode::MaybeAdvanceLeaderHighWatermark() {
  // LeaderState.maybeUpdateHighWatermark: voters' end offsets sorted descending, the one at
  // index voters/2 is on a majority; adopted only past the epoch start offset.
  std::vector<Offset> ends;
  for (NodeId id : config_.voters) {
    ends.push_back(id == config_.node_id ? log_.EndOffset() : replicas_[id].end_offset);
  }
  std::sort(ends.begin(), ends.end(), std::greater<>());
  const Offset candidate = ends[config_.voters.size() / 2];
  if (candidate > epoch_start_offset_ && candidate > high_watermark_) {
    UpdateHighWatermark(candidate);
  }
}

void RaftNode::UpdateHighWatermark(Offset offset) {
  KSIM_ASSERT_LE(offset, log_.EndOffset());
  if (offset <= high_watermark_) return;
  high_watermark_ = offset;
  for (Offset o = applied_; o < high_watermark_; ++o) ready_.committed.push_back(log_.At(o));
  applied_ = high_watermark_;
}

FetchResponse RaftNode::BuildFetchResponse(const FetchRequest& request, bool* diverged) const {
  FetchResponse response;
  response.epoch = quorum_.epoch;
  response.leader_id = config_.node_id;
  response.fetch_offset = request.fetch_offset;
  response.correlation_id = request.correlation_id;
  response.high_watermark = high_watermark_;
  *diverged = false;
  // KafkaRaftClient.validateOffsetAndEpoch (KIP-595 + KIP-101): the fetcher's last epoch must
  // end at or after its fetch offset in our log, else it has diverged.
  if (request.fetch_offset > 0) {
    const OffsetAndEpoch end = log_.EndOffsetForEpoch(request.last_fetched_epoch);
    if (end.epoch != request.last_fetched_epoch || end.offset < request.fetch_offset) {
      response.diverging_epoch = end;
      *diverged = true;
      return response;
    }
  }
  KSIM_ASSERT_LE(request.fetch_offset, log_.EndOffset());
  response.records =
      log_.Read(request.fetch_offset, static_cast<std::size_t>(config_.fetch_max_entries));
  return response;
}

void RaftNode::RecordFetch(NodeId from, const FetchRequest& request, Time now) {
  ReplicaView& view = replicas_[from];
  view.id = from;
  view.voter = IsVoter(from);
  // ReplicaState.updateFollowerState: caught up now if it fetches from the leader's end; caught
  // up at its previous fetch if it now asks for what was the end then.
  const Offset leader_end = log_.EndOffset();
  auto caught_up = [&view](Time t) {
    if (!view.last_caught_up_time || *view.last_caught_up_time < t) view.last_caught_up_time = t;
  };
  if (request.fetch_offset >= leader_end) {
    caught_up(now);
  } else if (view.last_fetch_leader_end_offset > 0 && view.last_fetch_time &&
             request.fetch_offset >= view.last_fetch_leader_end_offset) {
    caught_up(*view.last_fetch_time);
  }
  view.last_fetch_leader_end_offset = leader_end;
  view.end_offset = request.fetch_offset;
  view.last_fetch_time = now;
  if (!view.voter) return;
  acknowledged_begin_.insert(from);
  // LeaderState.updateCheckQuorumForFollowingVoter: a majority fetched -> restart the timer.
  fetched_since_check_.insert(from);
  if (fetched_since_check_.size() >= Majority()) {
    fetched_since_check_.clear();
    fetched_since_check_.insert(config_.node_id);
    check_quorum_deadline_ = now + config_.fetch_timeout * 3 / 2;
  }
}

// Fetches with nothing new are parked until data arrives, the high watermark moves, or the
// max wait (500 ms) passes, as the leader's fetch purgatory does.
void RaftNode::StepFetchRequest(NodeId from, const FetchRequest& request, Time now) {
  if (role_ != Role::kLeader) {
    FetchResponse response;
    response.error = Errc::kNotLeaderOrFollower;
    response.epoch = quorum_.epoch;
    response.leader_id = quorum_.leader_id;
    response.fetch_offset = request.fetch_offset;
    response.correlation_id = request.correlation_id;
    Send(from, std::move(response));
    return;
  }
  parked_.erase(from);
  bool diverged = false;
  FetchResponse response = BuildFetchResponse(request, &diverged);
  if (!diverged) {
    RecordFetch(from, request, now);
    const Offset old_high_watermark = high_watermark_;
    MaybeAdvanceLeaderHighWatermark();
    const bool moved = high_watermark_ != old_high_watermark;
    response.high_watermark = high_watermark_;
    if (moved) CompleteParkedFetches(now, /*expired_only=*/false);
    if (response.records.empty() && !moved && request.max_wait.ns > 0) {
      parked_[from] =
          ParkedFetch{request, from, now + std::min(request.max_wait, config_.fetch_max_wait)};
      return;
    }
  }
  Send(from, std::move(response));
}

void RaftNode::CompleteParkedFetches(Time now, bool expired_only) {
  for (auto it = parked_.begin(); it != parked_.end();) {
    if (expired_only && it->second.deadline > now) {
      ++it;
      continue;
    }
    bool diverged = false;
    FetchResponse response = BuildFetchResponse(it->second.request, &diverged);
    KSIM_ASSERT(!diverged);
    Send(it->second.from, std::move(response));
    it = parked_.erase(it);
  }
}

// ---------------------------------------------------------------------------------------------
// Follower and observer

void RaftNode::SendFetch(Time now) {
  KSIM_ASSERT(role_ == Role::kFollower);
  outstanding_fetch_ = next_correlation_id_++;
  FetchRequest request{quorum_.epoch,    config_.node_id,        log_.EndOffset(),
                       log_.LastEpoch(), config_.fetch_max_wait, *outstanding_fetch_};
  Send(quorum_.leader_id, request);
  request_deadline_ = now + config_.request_timeout;
  backoff_deadline_ = kTimeMax;
}

// An observer without a leader asks a random voter; any answer names the current leader.
void RaftNode::SendDiscoveryFetch(Time now) {
  KSIM_ASSERT(!voter_ && role_ == Role::kUnattached);
  std::vector<NodeId> candidates;
  for (NodeId v : config_.voters) {
    if (v != last_discovery_target_) candidates.push_back(v);
  }
  if (candidates.empty()) candidates = config_.voters;
  const NodeId target = rng_.Choice(candidates);
  last_discovery_target_ = target;
  Send(target, FetchRequest{quorum_.epoch, config_.node_id, log_.EndOffset(), log_.LastEpoch(),
                            Duration{}, next_correlation_id_++});
  backoff_deadline_ = now + config_.request_timeout;
}

// Only the observer's discovery fetch is failed early: a follower's fetch to a leader it lost
// still waits for its request timeout (quorum.request.timeout.ms), as before.
void RaftNode::OnDisconnect(NodeId peer, Time now) {
  if (role_ == Role::kUnattached && !voter_ && peer == last_discovery_target_) {
    DiscoveryFailed(now);
  }
}

// The voter asked knows no leader either (one that does made us a follower in HandleEpoch),
// or could not be reached. RequestManager.onResponseResult backs that connection off for
// quorum.retry.backoff.ms only, and maybeSendAnyVoterFetch then asks a voter again, so an
// observer finds a new leader within milliseconds of its election.
void RaftNode::DiscoveryFailed(Time now) {
  backoff_deadline_ = std::min(backoff_deadline_, now + config_.retry_backoff);
}

void RaftNode::StepFetchResponse(NodeId from, const FetchResponse& response, Time now) {
  if (role_ == Role::kUnattached && !voter_ && from == last_discovery_target_) {
    DiscoveryFailed(now);
    return;
  }
  if (role_ != Role::kFollower || from != quorum_.leader_id) return;
  if (!outstanding_fetch_ || *outstanding_fetch_ != response.correlation_id) return;  // late
  outstanding_fetch_.reset();
  if (response.error != Errc::kNone) {
    request_deadline_ = kTimeMax;
    backoff_deadline_ = now + config_.retry_backoff;
    return;
  }
  fetched_from_leader_ = true;
  fetch_deadline_ = now + config_.fetch_timeout;
  if (response.diverging_epoch) {
    TruncateToDiverging(*response.diverging_epoch);
  } else {
    KSIM_ASSERT_EQ(response.fetch_offset, log_.EndOffset());
    for (const LogEntry& entry : response.records) {
      const Offset offset = entry.offset;
      log_.Append(entry);
      MarkLogDirty(offset);
    }
    if (response.high_watermark >= 0) {
      UpdateHighWatermark(std::min(response.high_watermark, log_.EndOffset()));
    }
  }
  SendFetch(now);
}

// ReplicatedLog.truncateToEndOffset: truncate to where our log agrees with the leader's
// (Ê, Ô); the next fetch re-checks with our new last epoch (KIP-279).
void RaftNode::TruncateToDiverging(const OffsetAndEpoch& diverging) {
  const Offset end = log_.EndOffset();
  Offset target = end;
  if (diverging.offset < 0) {
    target = high_watermark_;
  } else if (diverging.epoch == 0) {
    target = std::min(diverging.offset, end);
  } else {
    const OffsetAndEpoch local = log_.EndOffsetForEpoch(diverging.epoch);
    if (local.offset < 0) {
      target = std::min(diverging.offset, end);
    } else if (local.epoch == diverging.epoch) {
      target = std::min(local.offset, diverging.offset);
    } else {
      target = local.offset;
    }
  }
  target = std::min(target, end);
  KSIM_ASSERT_MSG(target >= high_watermark_, "truncation below the high watermark");
  if (target == end) return;
  log_.TruncateTo(target);
  MarkLogDirty(target);
  Note(trace_kind::kTruncate,
       fmt::format("truncated its log from end offset {} to {}: diverged from leader {} after "
                   "epoch {}",
                   end, target, quorum_.leader_id, diverging.epoch));
}

// ---------------------------------------------------------------------------------------------
// Helpers

void RaftNode::Send(NodeId to, RaftBody body) {
  KSIM_ASSERT(to != config_.node_id && to != kNoNodeId);
  ready_.messages.push_back(
      std::make_shared<const RaftMessage>(config_.node_id, to, std::move(body)));
}

void RaftNode::Note(std::string_view kind, std::string text) {
  ready_.notes.push_back({std::string(kind), std::move(text)});
}

void RaftNode::PersistQuorumState(Epoch epoch, NodeId voted_for, NodeId leader) {
  KSIM_ASSERT_LE(quorum_.epoch, epoch);
  // One vote per epoch: a vote, once persisted, is never replaced within that epoch.
  if (epoch == quorum_.epoch && quorum_.voted_for != kNoNodeId) {
    KSIM_ASSERT_EQ(voted_for, quorum_.voted_for);
  }
  if (quorum_.epoch == epoch && quorum_.voted_for == voted_for && quorum_.leader_id == leader) {
    return;
  }
  quorum_.epoch = epoch;
  quorum_.voted_for = voted_for;
  quorum_.leader_id = leader;
  quorum_dirty_ = true;
}

void RaftNode::MarkLogDirty(Offset from) {
  dirty_from_ = dirty_from_ ? std::min(*dirty_from_, from) : from;
}

bool RaftNode::IsVoter(NodeId id) const {
  return std::binary_search(config_.voters.begin(), config_.voters.end(), id);
}

}  // namespace kafkasim::raft
