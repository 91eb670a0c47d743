// ZkServer: FastLeaderElection.lookForLeader, Leader/LearnerHandler, Follower/Learner and the
// request pipeline (PrepRequestProcessor, CommitProcessor, FinalRequestProcessor) without I/O.
// Step dispatches on the message and the state; states change only in the BecomeX functions.
#include "zookeeper/zk_server.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <utility>

#include "engine/assert.h"
#include "zookeeper/trace_kinds.h"

namespace kafkasim::zookeeper {
namespace {

// FastLeaderElection.totalOrderPredicate: higher peer epoch, then zxid, then server id.
bool Better(ServerId new_id, Zxid new_zxid, ZkEpoch new_epoch, ServerId cur_id, Zxid cur_zxid,
            ZkEpoch cur_epoch) {
  if (new_epoch != cur_epoch) return new_epoch > cur_epoch;
  if (new_zxid != cur_zxid) return new_zxid > cur_zxid;
  return new_id > cur_id;
}

std::string Ms(Duration d) { return FormatDuration(Milliseconds(d.Millis())); }

constexpr Duration kConnectRetry = Milliseconds(1000);  // Learner.connectToLeader's sleep

}  // namespace

const char* ZabPhaseName(ZabPhase phase) {
  switch (phase) {
    case ZabPhase::kElection:
      return "ELECTION";
    case ZabPhase::kDiscovery:
      return "DISCOVERY";
    case ZabPhase::kSynchronization:
      return "SYNCHRONIZATION";
    case ZabPhase::kBroadcast:
      return "BROADCAST";
  }
  return "?";
}

bool Ready::empty() const {
  return !accepted_epoch && !current_epoch && !truncate_log_to && !snapshot &&
         log_appends.empty() && !tree_replaced && committed.empty() && messages.empty() &&
         responses.empty() && watch_events.empty() && expired.empty() && disconnected.empty() &&
         state_changes.empty() && notes.empty();
}

ZkServer::ZkServer(ZkConfig config, PersistedState persisted, Time now)
    : config_(std::move(config)),
      accepted_epoch_(persisted.accepted_epoch),
      current_epoch_(persisted.current_epoch),
      tree_(std::move(persisted.tree)),
      log_(std::move(persisted.log)),
      notification_timeout_(config_.finalize_wait) {
  std::sort(config_.servers.begin(), config_.servers.end());
  KSIM_ASSERT(config_.server_id != kNoServer);
  KSIM_ASSERT(std::find(config_.servers.begin(), config_.servers.end(), config_.server_id) !=
              config_.servers.end());
  log_start_ = tree_.last_processed_zxid();
  for (std::size_t i = 0; i < log_.size(); ++i) {
    KSIM_ASSERT_LE(i == 0 ? log_start_ + 1 : log_[i - 1].zxid + 1, log_[i].zxid);
  }
  // SessionTrackerImpl.initializeNextSessionId: the time in the middle bits, myid on top.
  const auto millis = static_cast<std::uint64_t>(now.Millis());
  next_session_ = ((millis << 24) >> 8) | (static_cast<std::uint64_t>(config_.server_id) << 56);
  BecomeLooking("started", now);
}

Zxid ZkServer::LastLoggedZxid() const {
  const Zxid logged = log_.empty() ? log_start_ : log_.back().zxid;
  return std::max(logged, tree_.last_processed_zxid());
}

// ---------------------------------------------------------------------------------------------
// Inputs

void ZkServer::Step(const ZkMessage& message, Time now) {
  KSIM_ASSERT_EQ(message.to, config_.server_id);
  if (const auto* n = message.Get<Notification>()) {
    StepNotification(message.from, *n, now);
    return;
  }
  const auto& packet = std::get<QuorumPacket>(message.body);
  if (state_ == ServerState::kLeading) {
    StepAsLeader(message.from, packet, now);
  } else if (state_ == ServerState::kFollowing && message.from == vote_leader_) {
    StepAsFollower(packet, now);
  }
}

void ZkServer::Tick(Time now) {
  for (int round = 0; round < 16 && NextDeadline() <= now; ++round) {
    switch (state_) {
      case ServerState::kLooking:
        if (finalize_deadline_ <= now) {
          Decide({vote_leader_, vote_zxid_, logical_clock_, vote_epoch_, ServerState::kLooking},
                 now);
        } else if (notification_deadline_ <= now) {
          // The poll timed out: send the notifications again and wait twice as long.
          notification_timeout_ =
              std::min(notification_timeout_ * 2, config_.max_notification_interval);
          SendNotifications(now);
        }
        break;
      case ServerState::kLeading:
        if (establish_deadline_ <= now) {
          BecomeLooking(new_epoch_ < 0
                            ? fmt::format("no quorum of followers connected within initLimit {}",
                                          Ms(Ticks(config_.init_limit)))
                            : fmt::format("no quorum acknowledged NEWLEADER within initLimit {}",
                                          Ms(Ticks(config_.init_limit))),
                        now);
          break;
        }
        if (leader_tick_deadline_ <= now) LeaderTick(now);
        if (state_ == ServerState::kLeading) ExpireSessions(now);
        break;
      case ServerState::kFollowing:
        if (connect_retry_deadline_ <= now && leader_deadline_ > now) {
          ConnectToLeader(now);
          break;
        }
        if (leader_deadline_ <= now) {
          BecomeLooking(phase_ == ZabPhase::kBroadcast
                            ? fmt::format("nothing from leader {} for syncLimit {}", vote_leader_,
                                          Ms(Ticks(config_.sync_limit)))
                            : fmt::format("not synced with leader {} within initLimit {}",
                                          vote_leader_, Ms(Ticks(config_.init_limit))),
                        now);
        }
        break;
    }
  }
  KSIM_ASSERT_MSG(NextDeadline() > now, "a due timer was not re-armed");
}

// ---------------------------------------------------------------------------------------------
// Output

Ready ZkServer::TakeReady() {
  Ready out = std::move(ready_);
  ready_ = Ready{};
  if (epochs_dirty_accepted_) out.accepted_epoch = accepted_epoch_;
  if (epochs_dirty_current_) out.current_epoch = current_epoch_;
  out.truncate_log_to = dirty_truncate_;
  out.log_appends = std::move(dirty_appends_);
  out.must_sync = out.must_sync || epochs_dirty_accepted_ || epochs_dirty_current_ ||
                  dirty_truncate_.has_value() || !out.log_appends.empty() ||
                  out.snapshot.has_value();
  epochs_dirty_accepted_ = epochs_dirty_current_ = false;
  dirty_truncate_.reset();
  dirty_appends_.clear();
  return out;
}

bool ZkServer::HasReady() const {
  return !ready_.empty() || epochs_dirty_accepted_ || epochs_dirty_current_ ||
         dirty_truncate_.has_value() || !dirty_appends_.empty();
}

Time ZkServer::NextDeadline() const {
  Time next = std::min({notification_deadline_, finalize_deadline_, establish_deadline_,
                        leader_tick_deadline_, leader_deadline_, connect_retry_deadline_});
  if (state_ == ServerState::kLeading && established_ && !expiry_buckets_.empty()) {
    next = std::min(next, Time{Milliseconds(expiry_buckets_.begin()->first).ns});
  }
  return next;
}

ZkStatus ZkServer::GetStatus() const {
  ZkStatus status;
  status.server_id = config_.server_id;
  status.state = state_;
  status.phase = phase_;
  status.leader = vote_leader_;
  status.logical_clock = logical_clock_;
  status.accepted_epoch = accepted_epoch_;
  status.current_epoch = current_epoch_;
  status.last_logged_zxid = LastLoggedZxid();
  status.last_committed_zxid = tree_.last_processed_zxid();
  status.sessions = tree_.sessions().size();
  if (state_ == ServerState::kLeading) {
    for (const auto& [id, learner] : learners_) {
      status.learners.push_back({id, learner.phase, learner.tick_of_next_ack_deadline >= tick_});
    }
  }
  return status;
}

// ---------------------------------------------------------------------------------------------
// State transitions

void ZkServer::SetState(ServerState state, ServerId leader) {
  const ServerState old = state_;
  state_ = state;
  phase_ = state == ServerState::kLooking ? ZabPhase::kElection : ZabPhase::kDiscovery;
  notification_deadline_ = finalize_deadline_ = establish_deadline_ = kTimeMax;
  leader_tick_deadline_ = leader_deadline_ = connect_retry_deadline_ = kTimeMax;
  recvset_.clear();
  outofelection_.clear();
  new_epoch_ = -1;
  established_ = false;
  learners_.clear();
  outstanding_.clear();
  next_counter_ = 1;
  prep_tree_ = DataTree{};
  tick_ = 0;
  tick_skip_ = true;
  session_expiry_.clear();
  expiry_buckets_.clear();
  closing_.clear();
  connection_ = 0;
  in_seq_ = out_seq_ = 0;
  newleader_received_ = false;
  commit_target_ = 0;
  unacked_.clear();
  touched_.clear();
  ready_.state_changes.push_back({old, state, leader});
}

// QuorumPeer.run: a server that stops leading or following shuts its ZooKeeperServer down
// (clients are disconnected, requests in flight fail) and runs lookForLeader again.
void ZkServer::BecomeLooking(const std::string& reason, Time now) {
  FailPending(now);
  SetState(ServerState::kLooking, kNoServer);
  logical_clock_++;
  notification_timeout_ = config_.finalize_wait;
  UpdateProposal(config_.server_id, LastLoggedZxid(), current_epoch_);
  Note(trace_kind::kLooking,
       fmt::format("LOOKING ({}); round {}, voting for itself (zxid {}, epoch {})", reason,
                   logical_clock_, ZxidHex(vote_zxid_), vote_epoch_));
  SendNotifications(now);
}

void ZkServer::BecomeLeading(Time now) {
  SetState(ServerState::kLeading, config_.server_id);
  Note(trace_kind::kLeading,
       fmt::format("LEADING after round {} (zxid {}, epoch {}); waiting for a quorum of {} of {}",
                   logical_clock_, ZxidHex(LastLoggedZxid()), current_epoch_, Quorum(),
                   config_.servers.size()));
  establish_deadline_ = now + Ticks(config_.init_limit);
  leader_tick_deadline_ = now + config_.tick_time / 2;
  MaybeProposeEpoch(now);
}

void ZkServer::BecomeFollowing(ServerId leader, Time now) {
  SetState(ServerState::kFollowing, leader);
  Note(trace_kind::kFollowing, fmt::format("FOLLOWING leader {} after round {}; sending "
                                           "FOLLOWERINFO (accepted epoch {})",
                                           leader, logical_clock_, accepted_epoch_));
  leader_deadline_ = now + Ticks(config_.init_limit);
  ConnectToLeader(now);
}

// Learner.connectToLeader: the leader may not listen yet (it decides a moment later), so an
// unanswered connection is retried every second, each time as a new connection.
void ZkServer::ConnectToLeader(Time now) {
  connection_ = static_cast<std::uint64_t>(now.ns) * 16 + (++connections_made_ % 16);
  in_seq_ = out_seq_ = 0;
  connect_retry_deadline_ = now + kConnectRetry;
  QuorumPacket info;
  info.type = PacketType::kFollowerInfo;
  info.zxid = MakeZxid(accepted_epoch_, 0);
  SendToLeader(std::move(info));
}

// ---------------------------------------------------------------------------------------------
// Fast Leader Election

void ZkServer::UpdateProposal(ServerId leader, Zxid zxid, ZkEpoch epoch) {
  vote_leader_ = leader;
  vote_zxid_ = zxid;
  vote_epoch_ = epoch;
}

void ZkServer::SendNotification(ServerId to) {
  Send(to, Notification{vote_leader_, vote_zxid_, logical_clock_, state_, vote_epoch_});
}

// Sends the proposal to every other server and counts our own notification, which ZooKeeper
// delivers to itself through the same queue.
void ZkServer::SendNotifications(Time now) {
  for (ServerId id : config_.servers) {
    if (id != config_.server_id) SendNotification(id);
  }
  notification_deadline_ = now + notification_timeout_;
  recvset_[config_.server_id] = {vote_leader_, vote_zxid_, logical_clock_, vote_epoch_,
                                 ServerState::kLooking};
  const Vote proposal{vote_leader_, vote_zxid_, logical_clock_, vote_epoch_, ServerState::kLooking};
  if (finalize_deadline_ == kTimeMax && HasQuorum(recvset_, proposal)) {
    // The finalizeWait poll replaces the notification poll until a better vote comes.
    finalize_deadline_ = now + config_.finalize_wait;
    notification_deadline_ = kTimeMax;
  }
}

// Vote.equals: between LOOKING votes everything counts; otherwise the leader and its epoch.
bool ZkServer::HasQuorum(const std::map<ServerId, Vote>& votes, const Vote& vote) const {
  std::size_t count = 0;
  for (const auto& [id, v] : votes) {
    const bool looking = v.state == ServerState::kLooking || vote.state == ServerState::kLooking;
    const bool same = looking ? v.leader == vote.leader && v.zxid == vote.zxid &&
                                    v.election_epoch == vote.election_epoch &&
                                    v.peer_epoch == vote.peer_epoch
                              : v.leader == vote.leader && v.peer_epoch == vote.peer_epoch;
    if (same) ++count;
  }
  return count >= Quorum();
}

// FastLeaderElection.checkLeader: following someone else needs its own LEADING notification.
bool ZkServer::CheckLeader(const std::map<ServerId, Vote>& votes, ServerId leader,
                           std::int64_t election_epoch) const {
  if (leader != config_.server_id) {
    auto it = votes.find(leader);
    return it != votes.end() && it->second.state == ServerState::kLeading;
  }
  return logical_clock_ == election_epoch;
}

void ZkServer::StepNotification(ServerId from, const Notification& n, Time now) {
  if (std::find(config_.servers.begin(), config_.servers.end(), from) == config_.servers.end()) {
    return;
  }
  if (state_ != ServerState::kLooking) {
    // WorkerReceiver: a LOOKING peer is told the vote we settled on and our state.
    if (n.state == ServerState::kLooking) SendNotification(from);
    return;
  }
  // WorkerReceiver: a peer looking in an older round gets our current proposal.
  if (n.state == ServerState::kLooking && n.election_epoch < logical_clock_) {
    SendNotification(from);
  }
  if (finalize_deadline_ != kTimeMax) {
    // The finalizeWait poll: only a better vote interrupts it; anything else is discarded.
    if (!Better(n.leader, n.zxid, n.peer_epoch, vote_leader_, vote_zxid_, vote_epoch_)) {
      finalize_deadline_ = now + config_.finalize_wait;
      return;
    }
    finalize_deadline_ = kTimeMax;
  }
  notification_deadline_ = now + notification_timeout_;
  StepLookingNotification(from, n, now);
}

void ZkServer::StepLookingNotification(ServerId from, const Notification& n, Time now) {
  const Vote vote{n.leader, n.zxid, n.election_epoch, n.peer_epoch, n.state};
  if (n.state == ServerState::kLooking) {
    if (n.election_epoch > logical_clock_) {
      logical_clock_ = n.election_epoch;
      recvset_.clear();
      if (Better(n.leader, n.zxid, n.peer_epoch, config_.server_id, LastLoggedZxid(),
                 current_epoch_)) {
        UpdateProposal(n.leader, n.zxid, n.peer_epoch);
      } else {
        UpdateProposal(config_.server_id, LastLoggedZxid(), current_epoch_);
      }
      SendNotifications(now);
    } else if (n.election_epoch < logical_clock_) {
      return;
    } else if (Better(n.leader, n.zxid, n.peer_epoch, vote_leader_, vote_zxid_, vote_epoch_)) {
      UpdateProposal(n.leader, n.zxid, n.peer_epoch);
      SendNotifications(now);
    }
    recvset_[from] = vote;
    const Vote proposal{vote_leader_, vote_zxid_, logical_clock_, vote_epoch_,
                        ServerState::kLooking};
    if (finalize_deadline_ == kTimeMax && HasQuorum(recvset_, proposal)) {
      finalize_deadline_ = now + config_.finalize_wait;
      notification_deadline_ = kTimeMax;
    }
    return;
  }
  // A FOLLOWING or LEADING peer: join an ensemble that already has a leader.
  if (n.election_epoch == logical_clock_) {
    recvset_[from] = vote;
    if (HasQuorum(recvset_, vote) && CheckLeader(recvset_, n.leader, n.election_epoch)) {
      Decide(vote, now);
      return;
    }
  }
  outofelection_[from] = vote;
  if (HasQuorum(outofelection_, vote) && CheckLeader(outofelection_, n.leader, n.election_epoch)) {
    logical_clock_ = n.election_epoch;
    Decide(vote, now);
  }
}

void ZkServer::Decide(const Vote& vote, Time now) {
  UpdateProposal(vote.leader, vote.zxid, vote.peer_epoch);
  if (vote.leader == config_.server_id) {
    BecomeLeading(now);
  } else {
    BecomeFollowing(vote.leader, now);
  }
}

// ---------------------------------------------------------------------------------------------
// Leader: discovery and synchronisation (Leader.lead, LearnerHandler.run)

void ZkServer::StepAsLeader(ServerId from, const QuorumPacket& packet, Time now) {
  if (packet.type == PacketType::kFollowerInfo) {
    LeaderFollowerInfo(from, packet, now);
    return;
  }
  auto it = learners_.find(from);
  if (it == learners_.end() || it->second.connection != packet.connection) return;
  Learner& learner = it->second;
  if (packet.seq != learner.in_seq + 1) {
    // A lost packet breaks the TCP connection: the handler goes, the learner will time out.
    learners_.erase(it);
    return;
  }
  learner.in_seq = packet.seq;
  learner.tick_of_next_ack_deadline =
      tick_ + config_.sync_limit + (learner.phase == ZabPhase::kBroadcast ? 0 : config_.init_limit);
  switch (packet.type) {
    case PacketType::kAckEpoch:
      LeaderAckEpoch(from, packet, now);
      return;
    case PacketType::kAck:
      LeaderAck(from, packet.zxid, now);
      return;
    case PacketType::kPing:
      for (const auto& [session, timeout] : packet.touched) TouchSession(session, timeout, now);
      return;
    case PacketType::kRequest:
      if (!established_) return;
      ProcessRequest(packet.session, packet.cxid, packet.request_type, packet.session_timeout,
                     packet.request, now);
      return;
    default:
      return;
  }
}

void ZkServer::LeaderFollowerInfo(ServerId from, const QuorumPacket& packet, Time now) {
  Learner learner;
  learner.connection = packet.connection;
  learner.in_seq = packet.seq;
  learner.accepted_epoch = ZxidEpoch(packet.zxid);
  learner.tick_of_next_ack_deadline = tick_ + config_.init_limit + config_.sync_limit;
  learners_[from] = learner;
  if (new_epoch_ < 0) {
    MaybeProposeEpoch(now);
  } else {
    QuorumPacket info;
    info.type = PacketType::kLeaderInfo;
    info.zxid = MakeZxid(new_epoch_, 0);
    SendToLearner(from, std::move(info));
  }
}

// Leader.getEpochToPropose: once a quorum (the leader included) has connected, the new epoch
// is one more than the largest accepted epoch among them.
void ZkServer::MaybeProposeEpoch(Time now) {
  if (new_epoch_ >= 0 || learners_.size() + 1 < Quorum()) return;
  ZkEpoch max_accepted = accepted_epoch_;
  for (const auto& [id, learner] : learners_) {
    max_accepted = std::max(max_accepted, learner.accepted_epoch);
  }
  new_epoch_ = max_accepted + 1;
  accepted_epoch_ = new_epoch_;
  epochs_dirty_accepted_ = true;
  std::vector<ServerId> ids;
  for (const auto& [id, learner] : learners_) ids.push_back(id);
  Note(trace_kind::kNewEpoch,
       fmt::format("proposes epoch {} to followers [{}] (largest accepted epoch was {})",
                   new_epoch_, fmt::join(ids, ", "), max_accepted));
  for (ServerId id : ids) {
    QuorumPacket info;
    info.type = PacketType::kLeaderInfo;
    info.zxid = MakeZxid(new_epoch_, 0);
    SendToLearner(id, std::move(info));
  }
  if (learners_.empty()) {  // an ensemble of one
    current_epoch_ = new_epoch_;
    epochs_dirty_current_ = true;
    Establish(now);
  }
}

void ZkServer::LeaderAckEpoch(ServerId from, const QuorumPacket& packet, Time now) {
  Learner& learner = learners_.at(from);
  if (new_epoch_ < 0 || learner.epoch_acked) return;
  // Leader.waitForEpochAck: a follower with a more recent history than ours ends this epoch.
  if (packet.epoch != -1 && (packet.epoch > current_epoch_ ||
                             (packet.epoch == current_epoch_ && packet.zxid > LastLoggedZxid()))) {
    BecomeLooking(fmt::format("follower {} is ahead of the leader (epoch {}, zxid {})", from,
                              packet.epoch, ZxidHex(packet.zxid)),
                  now);
    return;
  }
  learner.epoch_acked = true;
  learner.last_zxid = packet.zxid;
  std::size_t acked = 1;
  for (const auto& [id, l] : learners_) acked += l.epoch_acked ? 1 : 0;
  if (acked < Quorum()) return;
  if (current_epoch_ != new_epoch_) {
    current_epoch_ = new_epoch_;
    epochs_dirty_current_ = true;
    phase_ = ZabPhase::kSynchronization;
  }
  for (auto& [id, l] : learners_) {
    if (l.epoch_acked && l.phase == ZabPhase::kDiscovery) SyncLearner(id, now);
  }
}

// LearnerHandler.syncFollower: DIFF when the learner's last zxid is in our log, TRUNC when it
// is past our end (or diverged inside it), SNAP when it is older than the log reaches.
void ZkServer::SyncLearner(ServerId id, Time now) {
  Learner& learner = learners_.at(id);
  learner.phase = ZabPhase::kSynchronization;
  learner.tick_of_next_ack_deadline = tick_ + config_.init_limit + config_.sync_limit;
  const Zxid peer = learner.last_zxid;
  const Zxid last = LastLoggedZxid();
  const Zxid committed = tree_.last_processed_zxid();
  auto send = [&](PacketType type, Zxid zxid) {
    QuorumPacket p;
    p.type = type;
    p.zxid = zxid;
    SendToLearner(id, std::move(p));
  };
  auto send_txns_after = [&](Zxid from) {
    for (const Txn& txn : log_) {
      if (txn.zxid <= from) continue;
      QuorumPacket p;
      p.type = PacketType::kProposal;
      p.zxid = txn.zxid;
      p.txn = txn;
      SendToLearner(id, std::move(p));
      if (txn.zxid <= committed) send(PacketType::kCommit, txn.zxid);
    }
  };
  const bool in_log =
      peer == log_start_ ||
      std::any_of(log_.begin(), log_.end(), [&](const Txn& t) { return t.zxid == peer; });
  std::string how;
  if (peer == last) {
    send(PacketType::kDiff, last);
    how = "DIFF (already in sync)";
  } else if (peer > last) {
    send(PacketType::kTrunc, last);
    how = fmt::format("TRUNC to {}", ZxidHex(last));
  } else if (in_log) {
    send(PacketType::kDiff, last);
    send_txns_after(peer);
    how = fmt::format("DIFF of the txns after {}", ZxidHex(peer));
  } else if (peer > log_start_) {
    Zxid prev = log_start_;
    for (const Txn& txn : log_) {
      if (txn.zxid < peer) prev = txn.zxid;
    }
    send(PacketType::kTrunc, prev);
    send_txns_after(prev);
    how = fmt::format("TRUNC to {} (its {} is not in our history), then DIFF", ZxidHex(prev),
                      ZxidHex(peer));
  } else {
    QuorumPacket snap;
    snap.type = PacketType::kSnap;
    snap.zxid = committed;
    snap.snapshot = tree_.Serialize();
    SendToLearner(id, std::move(snap));
    send_txns_after(committed);
    how = fmt::format("SNAP at {} (its {} is older than our log reaches, {})", ZxidHex(committed),
                      ZxidHex(peer), ZxidHex(log_start_));
  }
  Note(trace_kind::kSync,
       fmt::format("syncs follower {} (last zxid {}) with {}", id, ZxidHex(peer), how));
  send(PacketType::kNewLeader, MakeZxid(new_epoch_, 0));
  (void)now;
}

void ZkServer::LeaderAck(ServerId from, Zxid zxid, Time now) {
  Learner& learner = learners_.at(from);
  if (zxid == MakeZxid(new_epoch_, 0) && learner.phase == ZabPhase::kSynchronization) {
    learner.newleader_acked = true;
    if (!established_) {
      std::size_t acked = 1;
      for (const auto& [id, l] : learners_) acked += l.newleader_acked ? 1 : 0;
      if (acked >= Quorum()) Establish(now);
    } else {
      QuorumPacket up;
      up.type = PacketType::kUpToDate;
      up.zxid = tree_.last_processed_zxid();
      SendToLearner(from, std::move(up));
      learner.phase = ZabPhase::kBroadcast;
    }
    return;
  }
  auto it = outstanding_.find(zxid);
  if (it == outstanding_.end()) return;
  it->second.insert(from);
  TryCommit(now);
}

// A quorum acknowledged NEWLEADER: our whole history is now committed (ZAB phase 2 ends), the
// ZooKeeperServer starts and the synced learners get UPTODATE.
void ZkServer::Establish(Time now) {
  established_ = true;
  phase_ = ZabPhase::kBroadcast;
  establish_deadline_ = kTimeMax;
  // Copied first: applying may take a snapshot, which trims log_.
  std::vector<Txn> history;
  for (const Txn& txn : log_) {
    if (txn.zxid > tree_.last_processed_zxid()) history.push_back(txn);
  }
  for (const Txn& txn : history) ApplyCommitted(txn, now);
  prep_tree_ = tree_;
  std::vector<ServerId> synced;
  for (auto& [id, learner] : learners_) {
    if (!learner.newleader_acked) continue;
    synced.push_back(id);
    QuorumPacket up;
    up.type = PacketType::kUpToDate;
    up.zxid = tree_.last_processed_zxid();
    SendToLearner(id, std::move(up));
    learner.phase = ZabPhase::kBroadcast;
  }
  // LeaderSessionTracker: every session in the tree gets a fresh timeout from now.
  for (const auto& [session, timeout] : tree_.sessions()) TouchSession(session, timeout, now);
  Note(trace_kind::kEstablished,
       fmt::format("established epoch {} with followers [{}] (quorum {} of {}); serving at {}",
                   current_epoch_, fmt::join(synced, ", "), Quorum(), config_.servers.size(),
                   ZxidHex(tree_.last_processed_zxid())));
}

// Leader.lead's loop, every tickTime/2: ping the learners; every other time also count the
// tick and shut down without a quorum of learners heard from within syncLimit ticks.
void ZkServer::LeaderTick(Time now) {
  leader_tick_deadline_ = now + config_.tick_time / 2;
  if (!tick_skip_) {
    tick_++;
    std::vector<ServerId> synced = {config_.server_id};
    for (const auto& [id, learner] : learners_) {
      if (learner.tick_of_next_ack_deadline >= tick_) synced.push_back(id);
    }
    std::sort(synced.begin(), synced.end());
    if (established_ && synced.size() < Quorum()) {
      BecomeLooking(fmt::format("Not sufficient followers synced, only synced with sids: [ {} ]",
                                fmt::join(synced, ",")),
                    now);
      return;
    }
  }
  tick_skip_ = !tick_skip_;
  for (auto& [id, learner] : learners_) {
    if (learner.phase != ZabPhase::kBroadcast) continue;
    QuorumPacket ping;
    ping.type = PacketType::kPing;
    ping.zxid = LastLoggedZxid();
    SendToLearner(id, std::move(ping));
  }
}

void ZkServer::SendToLearner(ServerId id, QuorumPacket packet) {
  Learner& learner = learners_.at(id);
  packet.connection = learner.connection;
  packet.seq = ++learner.out_seq;
  Send(id, std::move(packet));
}

void ZkServer::Broadcast(const QuorumPacket& packet) {
  for (auto& [id, learner] : learners_) {
    if (learner.phase == ZabPhase::kSynchronization || learner.phase == ZabPhase::kBroadcast) {
      SendToLearner(id, packet);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Leader: requests and broadcast

void ZkServer::ProcessRequest(SessionId session, std::int32_t cxid, TxnType type,
                              std::int32_t timeout, const Request& request, Time now) {
  Txn txn;
  txn.session = session;
  txn.cxid = cxid;
  txn.time_ms = now.Millis();
  if (type == TxnType::kCreateSession) {
    txn.type = TxnType::kCreateSession;
    txn.session_timeout = timeout;
  } else if (type == TxnType::kCloseSession) {
    txn.type = TxnType::kCloseSession;
    closing_.insert(session);
  } else if (!prep_tree_.sessions().contains(session) || closing_.contains(session)) {
    txn.type = TxnType::kError;
    txn.error = ZkCode::kSessionExpired;
  } else {
    Txn prepared = PrepareWrite(session, request);
    txn.type = prepared.type;
    txn.ops = std::move(prepared.ops);
    txn.error = prepared.error;
  }
  ProposeTxn(std::move(txn), now);
}

// PrepRequestProcessor: a multi is checked op by op against the tree as the earlier ops left
// it; the first failure turns the whole request into an error txn (ops before it OK, after it
// RUNTIMEINCONSISTENCY).
Txn ZkServer::PrepareWrite(SessionId session, const Request& request) {
  Txn out;
  if (!request.multi) {
    KSIM_ASSERT_EQ(request.ops.size(), 1u);
    TxnOp op;
    const ZkCode code = prep_tree_.PrepareOp(request.ops[0], session, &op);
    if (code != ZkCode::kOk) {
      out.type = TxnType::kError;
      out.error = code;
      return out;
    }
    out.type = op.type;
    out.ops.push_back(std::move(op));
    return out;
  }
  DataTree scratch = prep_tree_;
  Txn probe;
  probe.zxid = scratch.last_processed_zxid();
  for (std::size_t i = 0; i < request.ops.size(); ++i) {
    TxnOp op;
    const ZkCode code = scratch.PrepareOp(request.ops[i], session, &op);
    if (code != ZkCode::kOk) {
      out.type = TxnType::kError;
      out.error = code;
      out.ops.clear();
      for (std::size_t j = 0; j < request.ops.size(); ++j) {
        TxnOp failed;
        failed.type = TxnType::kError;
        failed.path = request.ops[j].path;
        failed.error = j < i ? ZkCode::kOk : j == i ? code : ZkCode::kRuntimeInconsistency;
        out.ops.push_back(std::move(failed));
      }
      return out;
    }
    Txn single;
    single.zxid = ++probe.zxid;
    single.type = op.type;
    single.ops = {op};
    (void)scratch.Apply(single);
    out.ops.push_back(std::move(op));
  }
  out.type = TxnType::kMulti;
  return out;
}

void ZkServer::ProposeTxn(Txn txn, Time now) {
  KSIM_ASSERT(established_ && state_ == ServerState::kLeading);
  txn.zxid = MakeZxid(current_epoch_, next_counter_++);
  KSIM_ASSERT_LE(LastLoggedZxid() + 1, txn.zxid);
  AppendToLog(txn);
  (void)prep_tree_.Apply(txn);
  outstanding_[txn.zxid] = {config_.server_id};
  QuorumPacket proposal;
  proposal.type = PacketType::kProposal;
  proposal.zxid = txn.zxid;
  proposal.txn = std::move(txn);
  Broadcast(proposal);
  TryCommit(now);
}

// Leader.tryToCommit: proposals commit in zxid order, each once a quorum (the leader included)
// has logged it.
void ZkServer::TryCommit(Time now) {
  while (!outstanding_.empty() && outstanding_.begin()->second.size() >= Quorum()) {
    const Zxid zxid = outstanding_.begin()->first;
    outstanding_.erase(outstanding_.begin());
    QuorumPacket commit;
    commit.type = PacketType::kCommit;
    commit.zxid = zxid;
    Broadcast(commit);
    auto it = std::find_if(log_.begin(), log_.end(), [&](const Txn& t) { return t.zxid == zxid; });
    KSIM_ASSERT(it != log_.end());
    const Txn txn = *it;  // applying may take a snapshot, which trims log_
    ApplyCommitted(txn, now);
  }
}

std::int64_t ZkServer::RoundToInterval(Time t) const {
  const std::int64_t interval = config_.tick_time.Millis();
  return (t.Millis() / interval + 1) * interval;
}

// ExpiryQueue.update: a session's deadline moves to the tickTime bucket after now + timeout.
void ZkServer::TouchSession(SessionId session, std::int32_t timeout_ms, Time now) {
  if (state_ != ServerState::kLeading || !established_) return;
  if (!prep_tree_.sessions().contains(session) || closing_.contains(session)) return;
  const std::int64_t bucket = RoundToInterval(now + Milliseconds(timeout_ms));
  auto it = session_expiry_.find(session);
  if (it != session_expiry_.end()) {
    if (it->second == bucket) return;
    expiry_buckets_[it->second].erase(session);
    if (expiry_buckets_[it->second].empty()) expiry_buckets_.erase(it->second);
  }
  session_expiry_[session] = bucket;
  expiry_buckets_[bucket].insert(session);
}

// SessionTrackerImpl.run: every session of an expired bucket is closed through ZAB.
void ZkServer::ExpireSessions(Time now) {
  if (!established_) return;
  while (!expiry_buckets_.empty() && Milliseconds(expiry_buckets_.begin()->first).ns <= now.ns) {
    const std::set<SessionId> sessions = std::move(expiry_buckets_.begin()->second);
    expiry_buckets_.erase(expiry_buckets_.begin());
    for (SessionId session : sessions) {
      session_expiry_.erase(session);
      const auto timeout = prep_tree_.sessions().find(session);
      Note(trace_kind::kSessionExpired,
           fmt::format("expires session 0x{:x} (timeout {} ms without a heartbeat)", session,
                       timeout == prep_tree_.sessions().end() ? 0 : timeout->second));
      ProcessRequest(session, 0, TxnType::kCloseSession, 0, Request{}, now);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Follower (Learner.registerWithLeader, syncWithLeader, Follower.processPacket)

void ZkServer::StepAsFollower(const QuorumPacket& packet, Time now) {
  if (packet.connection != connection_) return;
  if (packet.seq != in_seq_ + 1) {
    BecomeLooking(fmt::format("lost packets from leader {} (connection broken)", vote_leader_),
                  now);
    return;
  }
  in_seq_ = packet.seq;
  connect_retry_deadline_ = kTimeMax;
  leader_deadline_ =
      now + Ticks(phase_ == ZabPhase::kBroadcast ? config_.sync_limit : config_.init_limit);
  switch (packet.type) {
    case PacketType::kLeaderInfo: {
      const ZkEpoch epoch = ZxidEpoch(packet.zxid);
      QuorumPacket ack;
      ack.type = PacketType::kAckEpoch;
      ack.zxid = LastLoggedZxid();
      if (epoch > accepted_epoch_) {
        ack.epoch = current_epoch_;
        accepted_epoch_ = epoch;
        epochs_dirty_accepted_ = true;
      } else if (epoch == accepted_epoch_) {
        ack.epoch = -1;
      } else {
        BecomeLooking(
            fmt::format("leader's epoch {} is less than accepted epoch {}", epoch, accepted_epoch_),
            now);
        return;
      }
      SendToLeader(std::move(ack));
      return;
    }
    case PacketType::kDiff:
      phase_ = ZabPhase::kSynchronization;
      return;
    case PacketType::kTrunc:
      phase_ = ZabPhase::kSynchronization;
      FollowerTruncate(packet.zxid);
      return;
    case PacketType::kSnap: {
      phase_ = ZabPhase::kSynchronization;
      Result<DataTree> tree = DataTree::Deserialize(packet.snapshot);
      KSIM_ASSERT_MSG(tree.ok(), tree.status().ToString());
      KSIM_ASSERT_LE(tree_.last_processed_zxid(), packet.zxid);
      tree_ = std::move(*tree);
      log_.clear();
      log_start_ = packet.zxid;
      dirty_appends_.clear();
      dirty_truncate_ = 0;
      ready_.tree_replaced = packet.zxid;
      ready_.snapshot = SnapshotWrite{packet.zxid, packet.snapshot};
      txns_since_snapshot_ = 0;
      Note(trace_kind::kSync,
           fmt::format("loaded the leader's snapshot at {}", ZxidHex(packet.zxid)));
      return;
    }
    case PacketType::kProposal: {
      KSIM_ASSERT(packet.txn.has_value());
      if (packet.txn->zxid <= LastLoggedZxid()) return;
      AppendToLog(*packet.txn);
      QuorumPacket ack;
      ack.type = PacketType::kAck;
      ack.zxid = packet.txn->zxid;
      if (newleader_received_) {
        SendToLeader(std::move(ack));
      } else if (ZxidEpoch(ack.zxid) == accepted_epoch_) {
        unacked_.push_back(ack.zxid);
      }
      return;
    }
    case PacketType::kCommit:
      if (phase_ == ZabPhase::kBroadcast) {
        FollowerCommitUpTo(packet.zxid, now);
      } else {
        commit_target_ = std::max(commit_target_, packet.zxid);
      }
      return;
    case PacketType::kNewLeader: {
      current_epoch_ = ZxidEpoch(packet.zxid);
      epochs_dirty_current_ = true;
      newleader_received_ = true;
      QuorumPacket ack;
      ack.type = PacketType::kAck;
      ack.zxid = packet.zxid;
      SendToLeader(std::move(ack));
      for (Zxid zxid : unacked_) {
        QuorumPacket a;
        a.type = PacketType::kAck;
        a.zxid = zxid;
        SendToLeader(std::move(a));
      }
      unacked_.clear();
      return;
    }
    case PacketType::kUpToDate: {
      phase_ = ZabPhase::kBroadcast;
      leader_deadline_ = now + Ticks(config_.sync_limit);
      FollowerCommitUpTo(std::max(commit_target_, packet.zxid), now);
      Note(trace_kind::kUpToDate,
           fmt::format("UPTODATE with leader {} at epoch {}; serving at {}", vote_leader_,
                       current_epoch_, ZxidHex(tree_.last_processed_zxid())));
      return;
    }
    case PacketType::kPing: {
      if (phase_ != ZabPhase::kBroadcast) return;
      QuorumPacket pong;
      pong.type = PacketType::kPing;
      pong.zxid = LastLoggedZxid();
      pong.touched.assign(touched_.begin(), touched_.end());
      touched_.clear();
      SendToLeader(std::move(pong));
      return;
    }
    default:
      return;
  }
}

void ZkServer::SendToLeader(QuorumPacket packet) {
  packet.connection = connection_;
  packet.seq = ++out_seq_;
  Send(vote_leader_, std::move(packet));
}

// ZKDatabase.truncateLog: only txns the leader does not have go; a committed one never does.
void ZkServer::FollowerTruncate(Zxid zxid) {
  KSIM_ASSERT_MSG(zxid >= tree_.last_processed_zxid(),
                  fmt::format("TRUNC to {} below the committed {}", ZxidHex(zxid),
                              ZxidHex(tree_.last_processed_zxid())));
  std::size_t keep = 0;
  while (keep < log_.size() && log_[keep].zxid <= zxid) ++keep;
  if (keep == log_.size()) return;
  Note(trace_kind::kTruncate,
       fmt::format("truncates its log to {} ({} txns dropped, up to {})", ZxidHex(zxid),
                   log_.size() - keep, ZxidHex(log_.back().zxid)));
  log_.resize(keep);
  std::erase_if(dirty_appends_, [&](const Txn& t) { return t.zxid > zxid; });
  dirty_truncate_ = dirty_truncate_ ? std::min(*dirty_truncate_, zxid) : zxid;
}

void ZkServer::FollowerCommitUpTo(Zxid zxid, Time now) {
  std::vector<Txn> commit;  // copied first: applying may take a snapshot, which trims log_
  for (const Txn& txn : log_) {
    if (txn.zxid > zxid) break;
    if (txn.zxid > tree_.last_processed_zxid()) commit.push_back(txn);
  }
  for (const Txn& txn : commit) ApplyCommitted(txn, now);
}

// ---------------------------------------------------------------------------------------------
// Both: log, apply, snapshots

void ZkServer::AppendToLog(const Txn& txn) {
  KSIM_ASSERT_LE(LastLoggedZxid() + 1, txn.zxid);
  log_.push_back(txn);
  dirty_appends_.push_back(txn);
}

void ZkServer::ApplyCommitted(const Txn& txn, Time now) {
  TxnResult result = tree_.Apply(txn);
  ready_.committed.push_back(txn);
  for (const WatchTrigger& trigger : result.triggers) {
    auto fire = [&](std::map<std::string, std::set<SessionId>>& watches) {
      auto it = watches.find(trigger.path);
      if (it == watches.end()) return;
      for (SessionId session : it->second) {
        ready_.watch_events.push_back({session, trigger.type, trigger.path});
      }
      watches.erase(it);
    };
    if (trigger.type != WatchEventType::kNodeChildrenChanged) fire(data_watches_);
    if (trigger.type == WatchEventType::kNodeDeleted) {
      // A child watch on a deleted node fires once with NodeDeleted, not twice per session.
      auto it = child_watches_.find(trigger.path);
      if (it != child_watches_.end()) {
        for (SessionId session : it->second) {
          const bool already = std::any_of(
              ready_.watch_events.begin(), ready_.watch_events.end(), [&](const WatchEvent& e) {
                return e.session == session && e.path == trigger.path &&
                       e.type == WatchEventType::kNodeDeleted;
              });
          if (!already) ready_.watch_events.push_back({session, trigger.type, trigger.path});
        }
        child_watches_.erase(it);
      }
    }
    if (trigger.type == WatchEventType::kNodeChildrenChanged) fire(child_watches_);
  }
  const PendingKey key{txn.session, txn.cxid};
  auto pending = pending_.find(key);
  const bool ours = pending != pending_.end();
  if (ours) pending_.erase(pending);
  if (txn.type == TxnType::kCreateSession) {
    if (ours) {
      Note(trace_kind::kSessionCreated, fmt::format("session 0x{:x} established (timeout {} ms)",
                                                    txn.session, txn.session_timeout));
    }
    if (state_ == ServerState::kLeading) TouchSession(txn.session, txn.session_timeout, now);
  }
  if (txn.type == TxnType::kCloseSession) {
    DropWatches(txn.session);
    if (local_sessions_.erase(txn.session) > 0) {
      if (ours) {
        Note(trace_kind::kSessionClosed, fmt::format("session 0x{:x} closed", txn.session));
      } else {
        ready_.expired.push_back(txn.session);
      }
    }
    touched_.erase(txn.session);
    closing_.erase(txn.session);
    auto expiry = session_expiry_.find(txn.session);
    if (expiry != session_expiry_.end()) {
      expiry_buckets_[expiry->second].erase(txn.session);
      if (expiry_buckets_[expiry->second].empty()) expiry_buckets_.erase(expiry->second);
      session_expiry_.erase(expiry);
    }
  }
  if (ours) {
    ClientResponse response;
    response.session = txn.session;
    response.cxid = txn.cxid;
    response.zxid = txn.zxid;
    response.code = result.code;
    response.type = txn.type;
    response.results = std::move(result.results);
    response.session_timeout = txn.session_timeout;
    Respond(std::move(response));
  }
  if (++txns_since_snapshot_ >= config_.snap_count) MaybeSnapshot();
}

// SyncRequestProcessor: every snapCount txns a snapshot of the tree, and the log rolls. The
// in-memory log keeps the last commitLogCount committed txns for DIFF.
void ZkServer::MaybeSnapshot() {
  txns_since_snapshot_ = 0;
  ready_.snapshot = SnapshotWrite{tree_.last_processed_zxid(), tree_.Serialize()};
  Note(trace_kind::kSnapshot, fmt::format("snapshot.{:x} written", tree_.last_processed_zxid()));
  std::size_t committed = 0;
  while (committed < log_.size() && log_[committed].zxid <= tree_.last_processed_zxid()) {
    ++committed;
  }
  const auto keep = static_cast<std::size_t>(std::max(config_.commit_log_count, 0));
  if (committed > keep) {
    const std::size_t drop = committed - keep;
    log_start_ = log_[drop - 1].zxid;
    log_.erase(log_.begin(), log_.begin() + static_cast<std::ptrdiff_t>(drop));
  }
}

void ZkServer::FailPending(Time now) {
  (void)now;
  for (const auto& [key, type] : pending_) {
    ClientResponse response;
    response.session = key.first;
    response.cxid = key.second;
    response.code = ZkCode::kConnectionLoss;
    response.type = type;
    ready_.responses.push_back(std::move(response));
  }
  pending_.clear();
  for (SessionId session : local_sessions_) ready_.disconnected.push_back(session);
  local_sessions_.clear();
  data_watches_.clear();
  child_watches_.clear();
}

void ZkServer::Respond(ClientResponse response) { ready_.responses.push_back(std::move(response)); }

// ---------------------------------------------------------------------------------------------
// Client API

void ZkServer::LocalRequest(SessionId session, std::int32_t cxid, TxnType type,
                            std::int32_t timeout, Request request, Time now) {
  pending_[{session, cxid}] = type;
  if (state_ == ServerState::kLeading) {
    ProcessRequest(session, cxid, type, timeout, request, now);
  } else {
    QuorumPacket forward;
    forward.type = PacketType::kRequest;
    forward.session = session;
    forward.cxid = cxid;
    forward.session_timeout = timeout;
    forward.request_type = type;
    forward.request = std::move(request);
    SendToLeader(std::move(forward));
  }
}

Result<SessionId> ZkServer::Connect(std::int32_t session_timeout_ms, Time now) {
  if (!serving()) {
    return Status(Errc::kNetworkException,
                  fmt::format("CONNECTIONLOSS: server {} is {} and not serving clients",
                              config_.server_id, ServerStateName(state_)));
  }
  const auto timeout = static_cast<std::int32_t>(
      std::clamp<std::int64_t>(session_timeout_ms, config_.MinSessionTimeout().Millis(),
                               config_.MaxSessionTimeout().Millis()));
  const auto session = static_cast<SessionId>(next_session_++);
  local_sessions_.insert(session);
  LocalRequest(session, 0, TxnType::kCreateSession, timeout, Request{}, now);
  return session;
}

ZkCode ZkServer::Reconnect(SessionId session, Time now) {
  if (!serving()) return ZkCode::kConnectionLoss;
  if (!tree_.sessions().contains(session)) return ZkCode::kSessionExpired;
  // A new connection: watches of the session's earlier connection to this server went with
  // that connection (NIOServerCnxn.close removes its watcher); the client sets them again.
  DropWatches(session);
  local_sessions_.insert(session);
  return Touch(session, now);
}

void ZkServer::Submit(SessionId session, std::int32_t cxid, Request request, Time now) {
  KSIM_ASSERT(cxid > 0);
  KSIM_ASSERT(request.multi || request.ops.size() == 1);
  if (!serving() || pending_.contains({session, cxid})) {
    Respond({session, cxid, 0, ZkCode::kConnectionLoss, TxnType::kMulti, {}, 0});
    return;
  }
  (void)Touch(session, now);
  LocalRequest(session, cxid, request.multi ? TxnType::kMulti : TxnType::kCreate, 0,
               std::move(request), now);
}

void ZkServer::CloseSession(SessionId session, std::int32_t cxid, Time now) {
  if (!serving() || pending_.contains({session, cxid})) {
    Respond({session, cxid, 0, ZkCode::kConnectionLoss, TxnType::kCloseSession, {}, 0});
    return;
  }
  LocalRequest(session, cxid, TxnType::kCloseSession, 0, Request{}, now);
}

ZkCode ZkServer::Touch(SessionId session, Time now) {
  if (!serving()) return ZkCode::kConnectionLoss;
  auto it = tree_.sessions().find(session);
  if (it == tree_.sessions().end()) {
    // A session whose createSession is still in flight is alive; any other is gone.
    for (const auto& [key, type] : pending_) {
      if (key.first == session && type == TxnType::kCreateSession) return ZkCode::kOk;
    }
    return ZkCode::kSessionExpired;
  }
  if (state_ == ServerState::kLeading) {
    TouchSession(session, it->second, now);
  } else {
    touched_[session] = it->second;
  }
  return ZkCode::kOk;
}

void ZkServer::RegisterWatch(std::map<std::string, std::set<SessionId>>& watches, SessionId session,
                             std::string_view path) {
  watches[std::string(path)].insert(session);
}

ReadResult ZkServer::GetData(SessionId session, std::string_view path, bool watch) {
  ReadResult out;
  if (!serving()) return {ZkCode::kConnectionLoss, {}, {}, {}};
  const ZNode* node = tree_.Find(path);
  if (node == nullptr) return {ZkCode::kNoNode, {}, {}, {}};
  out.data = node->data;
  out.stat = node->stat;
  if (watch) RegisterWatch(data_watches_, session, path);
  return out;
}

ReadResult ZkServer::Exists(SessionId session, std::string_view path, bool watch) {
  if (!serving()) return {ZkCode::kConnectionLoss, {}, {}, {}};
  // An exists watch is left even when the node is missing: it fires on NodeCreated.
  if (watch) RegisterWatch(data_watches_, session, path);
  const ZNode* node = tree_.Find(path);
  if (node == nullptr) return {ZkCode::kNoNode, {}, {}, {}};
  return {ZkCode::kOk, {}, node->stat, {}};
}

ReadResult ZkServer::GetChildren(SessionId session, std::string_view path, bool watch) {
  if (!serving()) return {ZkCode::kConnectionLoss, {}, {}, {}};
  const ZNode* node = tree_.Find(path);
  if (node == nullptr) return {ZkCode::kNoNode, {}, {}, {}};
  if (watch) RegisterWatch(child_watches_, session, path);
  return {ZkCode::kOk, {}, node->stat, tree_.Children(path)};
}

void ZkServer::DropWatches(SessionId session) {
  for (auto* watches : {&data_watches_, &child_watches_}) {
    for (auto it = watches->begin(); it != watches->end();) {
      it->second.erase(session);
      it = it->second.empty() ? watches->erase(it) : std::next(it);
    }
  }
}

bool ZkServer::SetWatches(SessionId session, Zxid relative_zxid,
                          const std::vector<std::string>& data,
                          const std::vector<std::string>& exist,
                          const std::vector<std::string>& child) {
  if (!serving()) return false;
  auto fire = [&](WatchEventType type, const std::string& path) {
    ready_.watch_events.push_back({session, type, path});
  };
  for (const std::string& path : data) {
    const ZNode* node = tree_.Find(path);
    if (node == nullptr) {
      fire(WatchEventType::kNodeDeleted, path);
    } else if (node->stat.mzxid > relative_zxid) {
      fire(WatchEventType::kNodeDataChanged, path);
    } else {
      RegisterWatch(data_watches_, session, path);
    }
  }
  for (const std::string& path : exist) {
    if (tree_.Find(path) != nullptr) {
      fire(WatchEventType::kNodeCreated, path);
    } else {
      RegisterWatch(data_watches_, session, path);
    }
  }
  for (const std::string& path : child) {
    const ZNode* node = tree_.Find(path);
    if (node == nullptr) {
      fire(WatchEventType::kNodeDeleted, path);
    } else if (node->stat.pzxid > relative_zxid) {
      fire(WatchEventType::kNodeChildrenChanged, path);
    } else {
      RegisterWatch(child_watches_, session, path);
    }
  }
  return true;
}

void ZkServer::Send(ServerId to, ZkBody body) {
  ready_.messages.push_back(std::make_shared<ZkMessage>(config_.server_id, to, std::move(body)));
}

void ZkServer::Note(std::string_view kind, std::string text) {
  ready_.notes.push_back({std::string(kind), std::move(text)});
}

}  // namespace kafkasim::zookeeper
