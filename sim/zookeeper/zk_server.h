// ZkServer: one ZooKeeper 3.8 server of an ensemble as a pure state machine (etcd-io/raft
// style): Fast Leader Election, ZAB discovery/synchronisation/broadcast, the data tree, client
// sessions and watches. The host feeds it messages, client calls and the time, drains a Ready,
// persists what the Ready says before sending its messages, and sets one timer at
// NextDeadline().
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/status.h"
#include "engine/time.h"
#include "zookeeper/data_tree.h"
#include "zookeeper/zk_messages.h"
#include "zookeeper/zk_types.h"

namespace kafkasim::zookeeper {

// ZAB's phases (QuorumPeer.ZabState).
enum class ZabPhase : std::uint8_t { kElection, kDiscovery, kSynchronization, kBroadcast };
const char* ZabPhaseName(ZabPhase phase);  // "ELECTION", ...

struct StateChange {
  ServerState from = ServerState::kLooking;
  ServerState to = ServerState::kLooking;
  ServerId leader = kNoServer;
};

// A line for the trace: stable dotted kind plus one sentence without the server name.
struct ZkNote {
  std::string kind;  // a zookeeper::trace_kind
  std::string text;
};

// The answer to a client write, createSession or closeSession submitted at this server.
struct ClientResponse {
  SessionId session = kNoSession;
  std::int32_t cxid = 0;
  Zxid zxid = 0;  // 0 when the request never became a transaction (CONNECTIONLOSS)
  ZkCode code = ZkCode::kOk;
  TxnType type = TxnType::kError;
  std::vector<OpResult> results;
  std::int32_t session_timeout = 0;  // createSession: the negotiated timeout in ms
};

// A one-shot watch that fired, for a session connected to this server.
struct WatchEvent {
  SessionId session = kNoSession;
  WatchEventType type = WatchEventType::kNodeCreated;
  std::string path;
};

// What the host persists under version-2/ (see README.md for the file formats).
struct SnapshotWrite {
  Zxid zxid = 0;
  std::string tree;  // DataTree::Serialize()
};

// What the host must do after an input, in this order: truncate the txn log, write the
// snapshot (starting a new log file after it), append txns, write the epoch files; fsync when
// must_sync. Only then send `messages`, deliver responses and events, show `committed`.
struct Ready {
  std::optional<ZkEpoch> accepted_epoch;  // the acceptedEpoch file
  std::optional<ZkEpoch> current_epoch;   // the currentEpoch file
  std::optional<Zxid> truncate_log_to;    // drop logged txns with a larger zxid
  std::optional<SnapshotWrite> snapshot;  // snapshot.<hex zxid>; the next append rolls the log
  std::vector<Txn> log_appends;           // append to the txn log, in zxid order
  bool must_sync = false;
  std::optional<Zxid> tree_replaced;  // a SNAP from the leader replaced the tree at this zxid
  std::vector<Txn> committed;         // applied to the data tree, in zxid order
  std::vector<std::shared_ptr<const ZkMessage>> messages;
  std::vector<ClientResponse> responses;
  std::vector<WatchEvent> watch_events;
  std::vector<SessionId> expired;       // local sessions the leader expired
  std::vector<SessionId> disconnected;  // local sessions whose server stopped serving
  std::vector<StateChange> state_changes;
  std::vector<ZkNote> notes;

  bool empty() const;
};

// What a server's disk holds, recovered by the host (zk_files.h: RecoverDatabase).
struct PersistedState {
  ZkEpoch accepted_epoch = 0;
  ZkEpoch current_epoch = 0;
  DataTree tree;         // the latest valid snapshot, or a fresh tree
  std::vector<Txn> log;  // logged txns after the snapshot's zxid, in zxid order
};

// The result of a read served by this server (getData, getChildren, exists).
struct ReadResult {
  ZkCode code = ZkCode::kOk;
  std::string data;
  Stat stat;
  std::vector<std::string> children;
};

// How a leader sees one learner.
struct LearnerView {
  ServerId id = kNoServer;
  ZabPhase phase = ZabPhase::kDiscovery;  // kBroadcast once it was sent UPTODATE
  bool synced = false;                    // within syncLimit ticks of the leader's tick
};

// Read-only snapshot for the GUI and tests.
struct ZkStatus {
  ServerId server_id = kNoServer;
  ServerState state = ServerState::kLooking;
  ZabPhase phase = ZabPhase::kElection;
  ServerId leader = kNoServer;  // the current vote's leader
  std::int64_t logical_clock = 0;
  ZkEpoch accepted_epoch = 0;
  ZkEpoch current_epoch = 0;
  Zxid last_logged_zxid = 0;
  Zxid last_committed_zxid = 0;
  std::size_t sessions = 0;
  std::vector<LearnerView> learners;  // leader only, by id
};

class ZkServer {
 public:
  // Builds a server from what its disk holds (a default PersistedState on first start) and
  // starts looking for a leader.
  ZkServer(ZkConfig config, PersistedState persisted, Time now);

  void Step(const ZkMessage& message, Time now);
  void Tick(Time now);  // fires everything due at or before `now`

  // Client API. A server serves clients only in the broadcast phase; elsewhere these return
  // (or answer with) CONNECTIONLOSS, as a server that is not running closes its connections.
  // Connect starts a session (createSession through the leader); its id is returned now, the
  // ClientResponse (cxid 0) comes when the transaction commits. The timeout is negotiated into
  // [2, 20] x tickTime.
  Result<SessionId> Connect(std::int32_t session_timeout_ms, Time now);
  // A client of a live session moving to this server (ConnectRequest with its session id).
  // SESSIONEXPIRED when the committed tree no longer holds the session.
  ZkCode Reconnect(SessionId session, Time now);
  // A client write (cxid > 0 chosen by the client, unique within its session); the response
  // comes in a Ready. CloseSession ends the session (its ephemerals go).
  void Submit(SessionId session, std::int32_t cxid, Request request, Time now);
  void CloseSession(SessionId session, std::int32_t cxid, Time now);
  // A client heartbeat (or any packet) renewing its session.
  ZkCode Touch(SessionId session, Time now);
  // Reads, served from this server's committed tree; `watch` leaves a one-shot watch here.
  ReadResult GetData(SessionId session, std::string_view path, bool watch);
  ReadResult Exists(SessionId session, std::string_view path, bool watch);
  ReadResult GetChildren(SessionId session, std::string_view path, bool watch);
  // SetWatches from a client that reconnected with its session (DataTree.setWatches, ZooKeeper
  // 3.8): each watch whose znode changed after `relative_zxid`, the last zxid the client saw,
  // fires at once (data: NodeDataChanged, or NodeDeleted when gone; exist: NodeCreated when the
  // znode now exists; child: NodeChildrenChanged, or NodeDeleted); the others are left here.
  // False (nothing set) when this server is not serving.
  bool SetWatches(SessionId session, Zxid relative_zxid, const std::vector<std::string>& data,
                  const std::vector<std::string>& exist, const std::vector<std::string>& child);

  Ready TakeReady();
  bool HasReady() const;
  Time NextDeadline() const;

  ZkStatus GetStatus() const;
  ServerState state() const { return state_; }
  ZabPhase phase() const { return phase_; }
  bool serving() const { return phase_ == ZabPhase::kBroadcast; }
  ServerId server_id() const { return config_.server_id; }
  ServerId leader() const { return vote_leader_; }
  ZkEpoch current_epoch() const { return current_epoch_; }
  ZkEpoch accepted_epoch() const { return accepted_epoch_; }
  Zxid LastLoggedZxid() const;
  Zxid last_committed_zxid() const { return tree_.last_processed_zxid(); }
  const DataTree& tree() const { return tree_; }
  const std::vector<Txn>& log() const { return log_; }
  const ZkConfig& config() const { return config_; }
  std::size_t Quorum() const { return config_.servers.size() / 2 + 1; }

 private:
  struct Vote {
    ServerId leader = kNoServer;
    Zxid zxid = 0;
    std::int64_t election_epoch = 0;
    ZkEpoch peer_epoch = 0;
    ServerState state = ServerState::kLooking;
  };
  struct Learner {
    std::uint64_t connection = 0;
    std::uint64_t in_seq = 0;
    std::uint64_t out_seq = 0;
    ZabPhase phase = ZabPhase::kDiscovery;
    ZkEpoch accepted_epoch = 0;
    bool epoch_acked = false;
    Zxid last_zxid = 0;  // from ACKEPOCH
    bool newleader_acked = false;
    std::int64_t tick_of_next_ack_deadline = 0;
  };
  using PendingKey = std::pair<SessionId, std::int32_t>;

  // State transitions: the only places state_ changes; each emits one note and StateChange.
  void BecomeLooking(const std::string& reason, Time now);
  void BecomeLeading(Time now);
  void BecomeFollowing(ServerId leader, Time now);
  void SetState(ServerState state, ServerId leader);

  // Fast Leader Election.
  void StepNotification(ServerId from, const Notification& n, Time now);
  void StepLookingNotification(ServerId from, const Notification& n, Time now);
  void SendNotifications(Time now);
  void SendNotification(ServerId to);
  void UpdateProposal(ServerId leader, Zxid zxid, ZkEpoch epoch);
  bool HasQuorum(const std::map<ServerId, Vote>& votes, const Vote& vote) const;
  bool CheckLeader(const std::map<ServerId, Vote>& votes, ServerId leader,
                   std::int64_t election_epoch) const;
  void Decide(const Vote& vote, Time now);

  // Leader.
  void StepAsLeader(ServerId from, const QuorumPacket& packet, Time now);
  void LeaderFollowerInfo(ServerId from, const QuorumPacket& packet, Time now);
  void MaybeProposeEpoch(Time now);
  void LeaderAckEpoch(ServerId from, const QuorumPacket& packet, Time now);
  void SyncLearner(ServerId id, Time now);
  void LeaderAck(ServerId from, Zxid zxid, Time now);
  void Establish(Time now);
  void LeaderTick(Time now);
  void SendToLearner(ServerId id, QuorumPacket packet);
  void Broadcast(const QuorumPacket& packet);
  void ProcessRequest(SessionId session, std::int32_t cxid, TxnType type, std::int32_t timeout,
                      const Request& request, Time now);
  Txn PrepareWrite(SessionId session, const Request& request);
  void ProposeTxn(Txn txn, Time now);
  void TryCommit(Time now);
  void TouchSession(SessionId session, std::int32_t timeout_ms, Time now);
  void ExpireSessions(Time now);
  std::int64_t RoundToInterval(Time t) const;

  // Follower.
  void StepAsFollower(const QuorumPacket& packet, Time now);
  void SendToLeader(QuorumPacket packet);
  void ConnectToLeader(Time now);
  void FollowerTruncate(Zxid zxid);
  void FollowerCommitUpTo(Zxid zxid, Time now);

  // Both.
  void AppendToLog(const Txn& txn);
  void ApplyCommitted(const Txn& txn, Time now);
  void MaybeSnapshot();
  void FailPending(Time now);
  void Respond(ClientResponse response);
  void LocalRequest(SessionId session, std::int32_t cxid, TxnType type, std::int32_t timeout,
                    Request request, Time now);
  void RegisterWatch(std::map<std::string, std::set<SessionId>>& watches, SessionId session,
                     std::string_view path);
  void DropWatches(SessionId session);
  void Send(ServerId to, ZkBody body);
  void Note(std::string_view kind, std::string text);
  Duration Ticks(std::int64_t n) const { return config_.tick_time * n; }

  ZkConfig config_;
  ServerState state_ = ServerState::kLooking;
  ZabPhase phase_ = ZabPhase::kElection;
  ZkEpoch accepted_epoch_ = 0;
  ZkEpoch current_epoch_ = 0;
  DataTree tree_;         // committed state
  std::vector<Txn> log_;  // logged txns after log_start_ (committed ones first)
  Zxid log_start_ = 0;    // the zxid just before log_.front(): DIFF reaches back to it
  std::int64_t txns_since_snapshot_ = 0;

  // Election.
  std::int64_t logical_clock_ = 0;
  ServerId vote_leader_ = kNoServer;  // proposal while LOOKING, then the decided vote
  Zxid vote_zxid_ = 0;
  ZkEpoch vote_epoch_ = 0;
  std::map<ServerId, Vote> recvset_;
  std::map<ServerId, Vote> outofelection_;
  Duration notification_timeout_;
  Time notification_deadline_ = kTimeMax;
  Time finalize_deadline_ = kTimeMax;

  // Leader.
  ZkEpoch new_epoch_ = -1;  // -1 until a quorum of FOLLOWERINFO named it
  bool established_ = false;
  std::map<ServerId, Learner> learners_;
  std::map<Zxid, std::set<ServerId>> outstanding_;  // proposed, not committed: who acked
  std::int64_t next_counter_ = 1;
  DataTree prep_tree_;  // committed tree + outstanding proposals (PrepRequestProcessor)
  std::int64_t tick_ = 0;
  bool tick_skip_ = true;
  Time establish_deadline_ = kTimeMax;
  Time leader_tick_deadline_ = kTimeMax;
  std::map<SessionId, std::int64_t> session_expiry_;  // ExpiryQueue: session -> bucket (ms)
  std::map<std::int64_t, std::set<SessionId>> expiry_buckets_;
  std::set<SessionId> closing_;

  // Follower.
  std::uint64_t connection_ = 0;
  std::uint64_t connections_made_ = 0;
  std::uint64_t in_seq_ = 0;
  std::uint64_t out_seq_ = 0;
  Time leader_deadline_ = kTimeMax;
  Time connect_retry_deadline_ = kTimeMax;  // FOLLOWERINFO unanswered: connect again
  bool newleader_received_ = false;
  Zxid commit_target_ = 0;
  std::vector<Zxid> unacked_;  // new-epoch proposals received before NEWLEADER
  std::map<SessionId, std::int32_t> touched_;

  // Clients of this server.
  std::uint64_t next_session_ = 0;
  std::set<SessionId> local_sessions_;
  std::map<PendingKey, TxnType> pending_;  // requests submitted here, awaiting their commit
  std::map<std::string, std::set<SessionId>> data_watches_;
  std::map<std::string, std::set<SessionId>> child_watches_;

  Ready ready_;
  std::optional<Zxid> dirty_truncate_;
  std::vector<Txn> dirty_appends_;
  bool epochs_dirty_accepted_ = false;
  bool epochs_dirty_current_ = false;
};

}  // namespace kafkasim::zookeeper
