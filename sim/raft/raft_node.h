// RaftNode: one voter or observer of the KRaft metadata quorum as a pure state machine
// (etcd-io/raft style). The host feeds it messages and the time, drains a Ready, persists what
// the Ready says before sending its messages, and sets one timer at NextDeadline().
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/prng.h"
#include "engine/status.h"
#include "engine/time.h"
#include "raft/raft_log.h"
#include "raft/raft_messages.h"
#include "raft/raft_types.h"

namespace kafkasim::raft {

// KRaft's EpochState classes (raft/.../internals/*State.java), Prospective from KIP-996.
enum class Role : std::uint8_t {
  kUnattached,
  kProspective,
  kCandidate,
  kLeader,
  kFollower,
  kResigned,
};
const char* RoleName(Role role);  // "unattached", "prospective", ...

struct RoleChange {
  Role from = Role::kUnattached;
  Role to = Role::kUnattached;
  Epoch epoch = 0;
  NodeId leader_id = kNoNodeId;
};

// A line for the trace: stable dotted kind plus one human sentence without the node name.
struct RaftNote {
  std::string kind;  // a raft::trace_kind name: "raft.leader", "raft.vote.granted", ...
  std::string text;  // "became leader at epoch 3 with votes from 1, 2"
};

// What the host must do after an input, in this order: persist (quorum state, then truncate
// and append the log; fsync when must_sync), apply committed entries, send messages.
struct Ready {
  std::optional<QuorumState> quorum_state;  // write the quorum-state file
  std::optional<Offset> truncate_log_to;    // drop persisted entries at or above this offset
  std::vector<LogEntry> entries;            // then append these
  bool must_sync = false;
  std::vector<LogEntry> committed;  // newly below the high watermark, in offset order
  std::vector<std::shared_ptr<const RaftMessage>> messages;
  std::vector<RoleChange> role_changes;
  std::vector<RaftNote> notes;

  bool empty() const;
};

// How the leader sees one voter (or observer) that fetches from it.
struct ReplicaView {
  NodeId id = kNoNodeId;
  Offset end_offset = kNoOffset;        // from its last fetch offset; -1 before its first fetch
  std::optional<Time> last_fetch_time;  // never set for the leader's own row
  bool voter = true;
  // ReplicaState.lastCaughtUpTimestamp: the last time its fetch reached the leader's log end
  // offset (as of that fetch, or of its previous fetch); never set for the leader's own row.
  std::optional<Time> last_caught_up_time;
  Offset last_fetch_leader_end_offset = 0;  // the leader's log end offset at its last fetch
};

// Read-only snapshot for the GUI and tests.
struct RaftStatus {
  NodeId node_id = kNoNodeId;
  bool voter = true;
  Role role = Role::kUnattached;
  Epoch epoch = 0;
  NodeId voted_for = kNoNodeId;
  NodeId leader_id = kNoNodeId;
  Offset log_end_offset = 0;
  Epoch last_epoch = 0;
  Offset high_watermark = 0;
  std::vector<ReplicaView> replicas;  // leader only: every voter, then observers, by id
};

class RaftNode {
 public:
  // Builds a node from what its disk durably holds (an empty QuorumState and log on first
  // start). `rng` is the node's own stream (election timeouts, backoff). `now` starts timers.
  // A node persisted as leader restarts Resigned; one that voted keeps that vote.
  RaftNode(RaftConfig config, QuorumState persisted, std::vector<LogEntry> log, Rng rng, Time now);

  // Inputs. `now` never goes backwards across calls.
  void Step(const RaftMessage& message, Time now);
  // Fires every timer due at or before `now`.
  void Tick(Time now);
  // The connection to `peer` failed or closed (NetworkClient's disconnect): a request in
  // flight to it is answered as failed, as KafkaRaftClient does with BROKER_NOT_AVAILABLE.
  void OnDisconnect(NodeId peer, Time now);
  // Leader only: queues `payload` for the next batch (append.linger.ms) and returns the offset
  // it will take; NOT_LEADER_OR_FOLLOWER elsewhere. The offset is a promise only once it shows
  // up in Ready::committed: if leadership changes first, the entry may never be written or may
  // be truncated, and another entry can take that offset.
  Result<Offset> Propose(std::string payload, Time now);
  // Starts an election now as if the election timer fired (pre-vote first). Voters only.
  void Campaign(Time now);
  // Graceful shutdown: a leader resigns and sends EndQuorumEpoch naming successors ordered
  // by replication progress. Other roles do nothing.
  void Shutdown(Time now);

  // Output: everything accumulated since the last call.
  Ready TakeReady();
  bool HasReady() const;
  // The earliest time Tick() has work to do; kTimeMax when none.
  Time NextDeadline() const;

  RaftStatus GetStatus() const;
  Role role() const { return role_; }
  Epoch epoch() const { return quorum_.epoch; }
  NodeId leader_id() const { return quorum_.leader_id; }
  NodeId node_id() const { return config_.node_id; }
  bool is_voter() const { return voter_; }
  Offset high_watermark() const { return high_watermark_; }
  const RaftLog& log() const { return log_; }
  const RaftConfig& config() const { return config_; }

 private:
  struct ParkedFetch {
    FetchRequest request;
    NodeId from = kNoNodeId;
    Time deadline;
  };

  // Role transitions: the only places role_ changes; each emits one note and role change.
  void BecomeUnattached(Epoch epoch, NodeId voted_for, Time now);
  void BecomeProspective(const std::string& reason, Time now);
  void LeaveProspective(Time now);
  void BecomeCandidate(Time now);
  void BecomeLeader(Time now);
  void BecomeFollower(Epoch epoch, NodeId leader, Time now);
  void BecomeResigned(std::vector<NodeId> successors, const std::string& reason, Time now);
  void SetRole(Role role);

  // Epoch rule applied before dispatch: false when the message is stale and was answered.
  bool HandleEpoch(const RaftMessage& message, Time now);
  void AdoptEpoch(Epoch epoch, NodeId leader, Time now);
  bool LearnEpoch(Epoch epoch, NodeId leader, Time now);
  void StepVoteRequest(NodeId from, const VoteRequest& request, Time now);
  void StepVoteResponse(NodeId from, const VoteResponse& response, Time now);
  void StepBeginQuorumEpoch(NodeId from, const BeginQuorumEpochRequest& request, Time now);
  void StepEndQuorumEpoch(NodeId from, const EndQuorumEpochRequest& request, Time now);
  void StepFetchRequest(NodeId from, const FetchRequest& request, Time now);
  void StepFetchResponse(NodeId from, const FetchResponse& response, Time now);

  // Leader.
  void AppendAsLeader(EntryKind kind, std::string payload, Time now);
  void RecordFetch(NodeId from, const FetchRequest& request, Time now);
  void FlushPending(Time now);
  FetchResponse BuildFetchResponse(const FetchRequest& request, bool* diverged) const;
  void CompleteParkedFetches(Time now, bool expired_only);
  void MaybeAdvanceLeaderHighWatermark();
  void SendBeginQuorumEpoch(Time now);
  void SendEndQuorumEpoch(Time now);
  void TickOnce(Time now);
  std::vector<NodeId> SuccessorsByProgress() const;

  // Follower / observer.
  void SendFetch(Time now);
  void SendDiscoveryFetch(Time now);
  void DiscoveryFailed(Time now);
  void TruncateToDiverging(const OffsetAndEpoch& diverging);
  void UpdateHighWatermark(Offset offset);
  void AppendEntry(EntryKind kind, std::string payload);
  void AfterLeaderAppend(Time now);

  // Elections.
  void SendVoteRequests(bool pre_vote);
  bool CanGrantVote(NodeId candidate, const VoteRequest& request) const;
  bool LogIsUpToDate(const VoteRequest& request) const;
  Duration RandomElectionTimeout();
  Duration ElectionBackoff();
  void OnElectionLost(Time now);
  void NoteVote(NodeId candidate, const VoteRequest& request, bool granted);

  void Send(NodeId to, RaftBody body);
  void Note(std::string_view kind, std::string text);
  void PersistQuorumState(Epoch epoch, NodeId voted_for, NodeId leader);
  void MarkLogDirty(Offset from);
  std::size_t Majority() const { return config_.voters.size() / 2 + 1; }
  bool IsVoter(NodeId id) const;

  RaftConfig config_;
  Rng rng_;
  bool voter_ = false;
  Role role_ = Role::kUnattached;
  QuorumState quorum_;
  RaftLog log_;
  Offset high_watermark_ = 0;
  Offset applied_ = 0;  // entries below this were handed out as committed

  // Timers (kTimeMax = not armed).
  Time election_deadline_ = kTimeMax;  // Unattached/Prospective/Candidate/Resigned
  Time fetch_deadline_ = kTimeMax;     // Follower: no successful fetch by then -> election
  Time backoff_deadline_ = kTimeMax;   // Candidate after a lost election; observer retry
  Time request_deadline_ = kTimeMax;   // outstanding Fetch / resend of Begin/EndQuorumEpoch
  Time linger_deadline_ = kTimeMax;    // leader: flush pending proposals
  Time idle_deadline_ = kTimeMax;      // leader: NoOp when nothing was appended
  Time check_quorum_deadline_ = kTimeMax;

  // Elections.
  std::set<NodeId> granted_;
  std::set<NodeId> rejected_;
  std::int32_t election_retries_ = 0;
  bool fetched_from_leader_ = false;  // Follower: a fetch succeeded in this epoch (KIP-996)
  bool leader_resigned_ = false;      // an EndQuorumEpoch from our leader arrived
  std::optional<std::uint64_t> outstanding_fetch_;  // correlation id of the fetch in flight
  // The voter the last discovery fetch went to: the next one asks another, as Kafka's
  // RequestManager skips a bootstrap server whose request just failed.
  NodeId last_discovery_target_ = kNoNodeId;
  std::uint64_t next_correlation_id_ = 1;

  // Leader.
  Offset epoch_start_offset_ = 0;
  std::map<NodeId, ReplicaView> replicas_;
  std::set<NodeId> acknowledged_begin_;  // voters that accepted (or fetched in) this epoch
  std::set<NodeId> fetched_since_check_;
  std::vector<std::string> pending_;  // proposals waiting for append.linger.ms
  std::map<NodeId, ParkedFetch> parked_;

  // Resigned.
  std::vector<NodeId> successors_;
  std::set<NodeId> acknowledged_end_;

  // Accumulated output.
  Ready ready_;
  bool quorum_dirty_ = false;
  std::optional<Offset> dirty_from_;
  Offset persisted_end_ = 0;
};

}  // namespace kafkasim::raft
