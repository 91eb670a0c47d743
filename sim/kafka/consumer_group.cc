// A consumer's group membership with the classic protocol (ConsumerCoordinator and
// AbstractCoordinator): find the coordinator, JoinGroup (rejoining with the member id a
// MEMBER_ID_REQUIRED handed out), SyncGroup (the leader runs the assignor), heartbeats every
// heartbeat.interval.ms, rejoin on REBALANCE_IN_PROGRESS, auto-commit every
// auto.commit.interval.ms and on revoke, committed offsets fetched for new partitions.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "engine/assert.h"
#include "kafka/clients.h"
#include "kafka/consumer_protocol.h"
#include "kafka/trace_kinds.h"

namespace kafkasim::kafka {
namespace {

constexpr Duration kRetryBackoff = Milliseconds(100);  // retry.backoff.ms
constexpr Duration kRequestTimeout = Milliseconds(30000);

bool CoordinatorError(Errc e) {
  return e == Errc::kNotCoordinator || e == Errc::kCoordinatorNotAvailable ||
         e == Errc::kCoordinatorLoadInProgress;
}

std::string Names(const std::string& topic, const std::vector<std::int32_t>& partitions) {
  std::vector<std::string> out;
  for (std::int32_t p : partitions) out.push_back(PartitionName(topic, p));
  return fmt::format("[{}]", fmt::join(out, ", "));
}

}  // namespace

void ConsumerNode::GroupStep() {
  const Time now = env_.Now();
  switch (phase_) {
    case GroupPhase::kNone:
      return;
    case GroupPhase::kLeaving:
      if (now >= leave_deadline_) Close();
      return;
    case GroupPhase::kFindCoordinator:
      if (now >= find_retry_at_ &&
          (find_correlation_ < 0 || now - find_sent_at_ >= Milliseconds(1000))) {
        FindCoordinator();
      }
      return;
    case GroupPhase::kJoining:
    case GroupPhase::kSyncing:
      // A JoinGroup may be held up to the rebalance timeout (the request's timeout is
      // max.poll.interval.ms + 5 s in the Java client).
      if (now - join_sent_at_ >= Milliseconds(config_.max_poll_interval_ms) + Seconds(5)) {
        Rediscover(Errc::kRequestTimedOut);
      }
      break;
    case GroupPhase::kStable:
      if (heartbeat_in_flight_ && now - heartbeat_sent_at_ >= kRequestTimeout) {
        Rediscover(Errc::kRequestTimedOut);
        return;
      }
      if (!heartbeat_in_flight_ && now >= next_heartbeat_) {
        heartbeat_in_flight_ = true;
        heartbeat_sent_at_ = now;
        if (config_.consumer_protocol) {
          SendConsumerHeartbeat(generation_);
        } else {
          SendGroupRequest(
              HeartbeatRequest{*config_.group, member_id_, config_.group_instance_id, generation_});
        }
      }
      if (config_.enable_auto_commit && now >= next_auto_commit_) {
        next_auto_commit_ = now + config_.auto_commit_interval;
        CommitPositions(assigned_, nullptr);
      }
      break;
  }
  // New partitions wait for their committed offsets (OffsetFetch, re-sent after a second).
  std::vector<TopicPartition> missing;
  for (std::int32_t p : assigned_) {
    if (positions_[p].need_committed) missing.push_back({config_.topic, p});
  }
  if (!missing.empty() && phase_ == GroupPhase::kStable &&
      (offset_fetch_correlation_ < 0 || now - offset_fetch_sent_at_ >= Milliseconds(1000))) {
    offset_fetch_sent_at_ = now;
    SendGroupRequest(OffsetFetchRequest{*config_.group, missing});
    offset_fetch_correlation_ = next_correlation_ - 1;
  }
}

void ConsumerNode::FindCoordinator() {
  const std::vector<BrokerId>& brokers =
      metadata_.live_brokers.empty() ? directory_->broker_ids : metadata_.live_brokers;
  if (brokers.empty()) return;
  const BrokerId b = brokers[static_cast<std::size_t>(next_correlation_) % brokers.size()];
  find_correlation_ = next_correlation_++;
  find_sent_at_ = env_.Now();
  env_.Send(directory_->NodeFor(b), std::make_shared<KafkaMessage>(
                                        FindCoordinatorRequest{find_correlation_, *config_.group}));
}

void ConsumerNode::Rediscover(Errc why) {
  if (phase_ == GroupPhase::kLeaving) {
    Close();
    return;
  }
  if (coordinator_ >= 0 && !coordinator_lost_told_) {
    coordinator_lost_told_ = true;  // retries against the same dead broker go quietly
    env_.Emit(std::string(trace_kind::kClientGroup), {{"error", std::string(ErrcName(why))}},
              fmt::format("group {}: coordinator broker-{} unavailable ({}): looking for it again",
                          *config_.group, coordinator_, ErrcName(why)));
  }
  // A stable member keeps its generation and assignment and heartbeats to the new coordinator
  // (AbstractCoordinator: only the coordinator is unknown, not the membership).
  resume_heartbeats_ = phase_ == GroupPhase::kStable ||
                       (resume_heartbeats_ && phase_ == GroupPhase::kFindCoordinator);
  coordinator_ = kNoLeader;
  phase_ = GroupPhase::kFindCoordinator;
  find_correlation_ = -1;
  join_correlation_ = -1;
  heartbeat_in_flight_ = false;
  offset_fetch_correlation_ = -1;
  find_retry_at_ = env_.Now() + kRetryBackoff;
}

void ConsumerNode::SendGroupRequest(GroupRequestBody request) {
  KSIM_ASSERT(coordinator_ >= 0);
  const NodeIndex to = directory_->NodeFor(coordinator_);
  env_.Send(to, std::make_shared<KafkaMessage>(
                    GroupRequestMessage{next_correlation_++, std::move(request)}));
}

void ConsumerNode::SendJoin() {
  JoinGroupRequest join;
  join.group_id = *config_.group;
  join.member_id = member_id_;
  join.group_instance_id = config_.group_instance_id;
  join.client_id = env_.name();
  join.session_timeout_ms = config_.session_timeout_ms;
  join.rebalance_timeout_ms = config_.max_poll_interval_ms;
  // The subscription names what the member still owns (eager members revoked it all first,
  // but send it for the sticky assignor, as its user data does in Kafka).
  ConsumerSubscription subscription;
  subscription.topics = {config_.topic};
  for (std::int32_t p : assigned_) subscription.owned_partitions.push_back({config_.topic, p});
  subscription.generation = generation_;
  for (AssignorKind kind : config_.assignors) {
    join.protocols.push_back({std::string(AssignorName(kind)), EncodeSubscription(subscription)});
  }
  phase_ = GroupPhase::kJoining;
  join_correlation_ = next_correlation_;
  join_sent_at_ = env_.Now();
  leader_assigned_count_.reset();
  SendGroupRequest(std::move(join));
}

void ConsumerNode::MaybeRejoinForMetadata() {
  // ConsumerCoordinator.rejoinNeededOrPending: the leader compares the metadata its assignment
  // was computed from with what it knows now; a topic created (or grown) since then means a
  // new assignment ("the assignment metadata has changed").
  if (phase_ != GroupPhase::kStable || !leader_assigned_count_) return;
  const auto now = static_cast<std::int32_t>(metadata_.PartitionsOf(config_.topic).size());
  if (now == *leader_assigned_count_) return;
  env_.Probe("client.group.metadata_changed");
  env_.Emit(std::string(trace_kind::kClientGroup), {{"group", *config_.group}},
            fmt::format("requests a rejoin of group {}: {} now has {} partition(s), the "
                        "assignment was made for {}",
                        *config_.group, config_.topic, now, *leader_assigned_count_));
  if (!cooperative()) Revoke(assigned_, false);
  SendJoin();
}

void ConsumerNode::OnFindCoordinatorResponse(const FindCoordinatorResponse& response) {
  if (response.correlation_id != find_correlation_ || phase_ != GroupPhase::kFindCoordinator) {
    return;
  }
  find_correlation_ = -1;
  if (response.error != Errc::kNone) {
    find_retry_at_ = env_.Now() + kRetryBackoff;
    ++stats().errors[std::string(ErrcName(response.error))];
    return;
  }
  coordinator_ = response.node_id;
  if (coordinator_ != told_coordinator_) {
    told_coordinator_ = coordinator_;
    coordinator_lost_told_ = false;
    env_.Emit(
        std::string(trace_kind::kClientGroup), {{"coordinator", std::int64_t{coordinator_}}},
        fmt::format("group {}: discovered coordinator broker-{}", *config_.group, coordinator_));
  }
  if (resume_heartbeats_ && generation_ >= 0 && !member_id_.empty()) {
    resume_heartbeats_ = false;
    phase_ = GroupPhase::kStable;
    next_heartbeat_ = env_.Now();
    return;
  }
  resume_heartbeats_ = false;
  if (config_.consumer_protocol) {
    SendConsumerHeartbeat(0);
    return;
  }
  SendJoin();
}

void ConsumerNode::OnGroupResponse(const GroupResponseMessage& message) {
  if (phase_ == GroupPhase::kNone) return;
  std::visit(
      [&](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, JoinGroupResponse>) {
          if (message.correlation_id == join_correlation_) OnJoinResponse(r);
        } else if constexpr (std::is_same_v<T, SyncGroupResponse>) {
          if (message.correlation_id == join_correlation_) OnSyncResponse(r);
        } else if constexpr (std::is_same_v<T, HeartbeatResponse>) {
          OnHeartbeatResponse(r);
        } else if constexpr (std::is_same_v<T, OffsetCommitResponse>) {
          OnCommitResponse(r);
        } else if constexpr (std::is_same_v<T, OffsetFetchResponse>) {
          if (message.correlation_id == offset_fetch_correlation_) OnOffsetFetchResponse(r);
        } else if constexpr (std::is_same_v<T, ConsumerGroupHeartbeatResponse>) {
          if (message.correlation_id == join_correlation_) OnConsumerHeartbeatResponse(r);
        } else {
          if (phase_ == GroupPhase::kLeaving) Close();  // LeaveGroup answered
        }
      },
      message.response);
}

void ConsumerNode::OnJoinResponse(const JoinGroupResponse& response) {
  join_correlation_ = -1;
  if (phase_ != GroupPhase::kJoining) return;
  if (response.error == Errc::kMemberIdRequired) {
    member_id_ = response.member_id;  // KIP-394: join again with it
    SendJoin();
    return;
  }
  if (response.error == Errc::kUnknownMemberId || response.error == Errc::kIllegalGeneration) {
    ResetMember();
    SendJoin();
    return;
  }
  if (response.error != Errc::kNone) {
    ++stats().errors[std::string(ErrcName(response.error))];
    Rediscover(response.error);
    return;
  }
  member_id_ = response.member_id;
  generation_ = response.generation_id;
  protocol_ = response.protocol_name.value_or("");
  SyncGroupRequest sync;
  sync.group_id = *config_.group;
  sync.member_id = member_id_;
  sync.group_instance_id = config_.group_instance_id;
  sync.generation_id = generation_;
  sync.protocol_type = response.protocol_type;
  sync.protocol_name = response.protocol_name;
  if (response.leader == member_id_) sync.assignments = RunAssignor(response);
  phase_ = GroupPhase::kSyncing;
  join_correlation_ = next_correlation_;
  SendGroupRequest(std::move(sync));
}

std::map<std::string, GroupBytes> ConsumerNode::RunAssignor(const JoinGroupResponse& response) {
  // ConsumerCoordinator.onLeaderElected: every member's subscription, the assignor the group
  // chose, the partition counts this leader's metadata knows.
  std::vector<AssignorSubscription> members;
  PartitionCounts counts;
  for (const JoinGroupResponseMember& m : response.members) {
    Result<ConsumerSubscription> s = DecodeSubscription(m.metadata);
    KSIM_ASSERT_MSG(s.ok(), s.status().ToString());  // written by a consumer of this run
    members.push_back(
        {m.member_id, m.group_instance_id, s->topics, s->owned_partitions, s->generation});
    for (const std::string& topic : s->topics) {
      const auto n = static_cast<std::int32_t>(metadata_.PartitionsOf(topic).size());
      if (n > 0) counts[topic] = n;
    }
  }
  leader_assigned_count_ = static_cast<std::int32_t>(metadata_.PartitionsOf(config_.topic).size());
  const std::optional<AssignorKind> kind = AssignorByName(protocol_);
  KSIM_ASSERT(kind.has_value());
  std::map<std::string, GroupBytes> out;
  for (const auto& [member, partitions] : Assign(*kind, members, counts)) {
    out[member] = EncodeAssignment(partitions);
  }
  return out;
}

void ConsumerNode::OnSyncResponse(const SyncGroupResponse& response) {
  join_correlation_ = -1;
  if (phase_ != GroupPhase::kSyncing) return;
  if (response.error == Errc::kRebalanceInProgress) {
    if (!cooperative()) Revoke(assigned_, false);
    SendJoin();
    return;
  }
  if (response.error == Errc::kUnknownMemberId || response.error == Errc::kIllegalGeneration) {
    ResetMember();
    SendJoin();
    return;
  }
  if (response.error != Errc::kNone) {
    ++stats().errors[std::string(ErrcName(response.error))];
    Rediscover(response.error);
    return;
  }
  Result<std::vector<TopicPartition>> assignment = DecodeAssignment(response.assignment);
  KSIM_ASSERT_MSG(assignment.ok(), assignment.status().ToString());
  std::vector<std::int32_t> partitions;
  for (const TopicPartition& tp : *assignment) {
    if (tp.topic == config_.topic) partitions.push_back(tp.partition);
  }
  std::sort(partitions.begin(), partitions.end());
  ApplyAssignment(std::move(partitions));
}

void ConsumerNode::ApplyAssignment(std::vector<std::int32_t> partitions) {
  // Cooperative: what the member owned and was not given again is revoked now, and the member
  // rejoins at once so that the next generation can hand it out (KIP-429).
  std::vector<std::int32_t> revoked;
  for (std::int32_t p : assigned_) {
    if (std::find(partitions.begin(), partitions.end(), p) == partitions.end()) {
      revoked.push_back(p);
    }
  }
  if (!revoked.empty()) Revoke(revoked, false);
  AdoptAssignment(partitions);
  phase_ = GroupPhase::kStable;
  next_heartbeat_ = env_.Now() + config_.heartbeat_interval;
  if (next_auto_commit_ < env_.Now()) next_auto_commit_ = env_.Now() + config_.auto_commit_interval;
  offset_fetch_correlation_ = -1;
  std::vector<std::string> names;
  for (std::int32_t p : assigned_) names.push_back(PartitionName(config_.topic, p));
  history_->assignments.push_back(
      AssignmentEvent{env_.name(), *config_.group, member_id_, generation_, names, env_.Now()});
  env_.Probe("client.group.assigned");
  env_.Emit(std::string(trace_kind::kClientAssignment),
            {{"group", *config_.group}, {"generation", std::int64_t{generation_}}},
            fmt::format("group {} generation {} ({}): assigned {}", *config_.group, generation_,
                        protocol_, Names(config_.topic, assigned_)));
  if (cooperative() && !revoked.empty()) SendJoin();
}

void ConsumerNode::AdoptAssignment(const std::vector<std::int32_t>& partitions) {
  for (std::int32_t p : partitions) {
    if (std::find(assigned_.begin(), assigned_.end(), p) != assigned_.end()) continue;
    Position& pos = positions_[p];
    pos = Position{};
    pos.need_committed = true;
  }
  assigned_ = partitions;
  fetch_floor_ = next_correlation_;
}

void ConsumerNode::Revoke(const std::vector<std::int32_t>& partitions, bool lost) {
  if (partitions.empty()) return;
  // onPartitionsRevoked commits first (auto-commit); lost partitions cannot be committed.
  if (!lost && config_.enable_auto_commit && coordinator_ >= 0) {
    CommitPositions(partitions, "before revoking");
  }
  env_.Emit(std::string(trace_kind::kClientAssignment), {{"group", *config_.group}},
            fmt::format("group {}: {} {}", *config_.group, lost ? "lost" : "revoked",
                        Names(config_.topic, partitions)));
  std::vector<std::int32_t> kept;
  for (std::int32_t p : assigned_) {
    if (std::find(partitions.begin(), partitions.end(), p) == partitions.end()) kept.push_back(p);
  }
  for (std::int32_t p : partitions) positions_.erase(p);
  assigned_ = kept;
  fetch_floor_ = next_correlation_;
}

void ConsumerNode::CommitPositions(const std::vector<std::int32_t>& partitions, const char* why) {
  OffsetCommitRequest commit;
  commit.group_id = *config_.group;
  commit.member_id = member_id_;
  commit.group_instance_id = config_.group_instance_id;
  commit.generation_id = generation_;
  std::vector<std::string> changed;
  for (std::int32_t p : partitions) {
    const auto it = positions_.find(p);
    if (it == positions_.end() || it->second.offset < 0) continue;
    commit.partitions.push_back({config_.topic, p, it->second.offset, -1, ""});
    const auto last = last_committed_.find(p);
    if (last == last_committed_.end() || last->second != it->second.offset) {
      changed.push_back(fmt::format("{}@{}", PartitionName(config_.topic, p), it->second.offset));
    }
    last_committed_[p] = it->second.offset;
  }
  if (commit.partitions.empty() || coordinator_ < 0) return;
  if (!changed.empty()) {
    env_.Emit(std::string(trace_kind::kClientCommit), {{"group", *config_.group}},
              fmt::format("group {}: commits {}{}", *config_.group, fmt::join(changed, ", "),
                          why == nullptr ? " (auto-commit)" : std::string(" ") + why));
  }
  SendGroupRequest(std::move(commit));
}

void ConsumerNode::OnHeartbeatResponse(const HeartbeatResponse& response) {
  heartbeat_in_flight_ = false;
  next_heartbeat_ = env_.Now() + config_.heartbeat_interval;
  if (phase_ != GroupPhase::kStable || response.error == Errc::kNone) return;
  if (response.error == Errc::kRebalanceInProgress) {
    // Eager: onJoinPrepare revokes everything (committing first); cooperative keeps it.
    env_.Probe("client.group.rebalance");
    if (!cooperative()) Revoke(assigned_, false);
    SendJoin();
  } else if (response.error == Errc::kUnknownMemberId ||
             response.error == Errc::kIllegalGeneration ||
             response.error == Errc::kFencedInstanceId) {
    Revoke(assigned_, true);
    ResetMember();
    SendJoin();
  } else if (CoordinatorError(response.error)) {
    Rediscover(response.error);
  }
}

void ConsumerNode::OnCommitResponse(const OffsetCommitResponse& response) {
  if (response.error != Errc::kNone) {
    ++stats().errors[std::string(ErrcName(response.error))];
    if (CoordinatorError(response.error) && phase_ != GroupPhase::kLeaving) {
      Rediscover(response.error);
    }
  }
  if (phase_ == GroupPhase::kLeaving && config_.group_instance_id) Close();
}

void ConsumerNode::OnOffsetFetchResponse(const OffsetFetchResponse& response) {
  offset_fetch_correlation_ = -1;
  if (response.error != Errc::kNone) {
    if (CoordinatorError(response.error)) Rediscover(response.error);
    return;
  }
  for (const auto& [tp, committed] : response.partitions) {
    const auto it = positions_.find(tp.partition);
    if (tp.topic != config_.topic || it == positions_.end() || !it->second.need_committed) {
      continue;
    }
    it->second.need_committed = false;
    if (committed.offset >= 0) {
      // Resume where the group left off; no commit: auto.offset.reset (ListOffsets).
      it->second.offset = committed.offset;
      last_committed_[tp.partition] = committed.offset;
      stats().SetPosition(tp.topic, tp.partition, committed.offset);
    }
  }
}

// --- KIP-848: the consumer group protocol ---

void ConsumerNode::SendConsumerHeartbeat(std::int32_t member_epoch) {
  // ConsumerHeartbeatRequestManager: a join (epoch 0) carries everything; later heartbeats the
  // partitions the member owns now; a leave (epoch -1) nothing more.
  ConsumerGroupHeartbeatRequest request;
  request.group_id = *config_.group;
  request.member_id = member_id_;
  request.member_epoch = member_epoch;
  request.instance_id = config_.group_instance_id;
  request.client_id = env_.name();
  if (member_epoch == 0) {
    request.rebalance_timeout_ms = config_.max_poll_interval_ms;
    request.subscribed_topic_names = std::vector<std::string>{config_.topic};
    request.server_assignor = config_.remote_assignor;
    request.topic_partitions = std::vector<TopicPartition>{};
    phase_ = GroupPhase::kJoining;
    join_sent_at_ = env_.Now();
  } else if (member_epoch > 0) {
    std::vector<TopicPartition> owned;
    for (std::int32_t p : assigned_) owned.push_back({config_.topic, p});
    request.topic_partitions = std::move(owned);
  }
  heartbeat_in_flight_ = member_epoch >= 0;
  heartbeat_sent_at_ = env_.Now();
  join_correlation_ = next_correlation_;
  SendGroupRequest(std::move(request));
}

void ConsumerNode::OnConsumerHeartbeatResponse(const ConsumerGroupHeartbeatResponse& response) {
  join_correlation_ = -1;
  heartbeat_in_flight_ = false;
  if (phase_ == GroupPhase::kLeaving) {
    Close();
    return;
  }
  const Errc error = response.error;
  if (error == Errc::kFencedMemberEpoch || error == Errc::kUnknownMemberId) {
    // The member lost its partitions (no commit) and rejoins with epoch 0 and the same id.
    env_.Probe("client.group.fenced");
    ++stats().errors[std::string(ErrcName(error))];
    Revoke(assigned_, true);
    generation_ = 0;
    SendConsumerHeartbeat(0);
    return;
  }
  if (CoordinatorError(error)) {
    Rediscover(error);
    return;
  }
  if (error != Errc::kNone) {
    // GROUP_ID_NOT_FOUND (a classic group of that id), UNSUPPORTED_ASSIGNOR, INVALID_REQUEST:
    // fatal for the Java consumer; here it is counted and the join retried after a second.
    ++stats().errors[std::string(ErrcName(error))];
    env_.Emit(std::string(trace_kind::kClientGroup), {{"error", std::string(ErrcName(error))}},
              fmt::format("group {}: ConsumerGroupHeartbeat failed: {} {}", *config_.group,
                          ErrcName(error), response.error_message.value_or("")));
    phase_ = GroupPhase::kFindCoordinator;
    find_retry_at_ = env_.Now() + Milliseconds(1000);
    return;
  }
  generation_ = response.member_epoch;
  phase_ = GroupPhase::kStable;
  next_heartbeat_ = env_.Now() + Milliseconds(response.heartbeat_interval_ms);
  if (next_auto_commit_ < env_.Now()) next_auto_commit_ = env_.Now() + config_.auto_commit_interval;
  if (response.assignment) ReconcileConsumerAssignment(*response.assignment);
}

void ConsumerNode::ReconcileConsumerAssignment(const std::vector<TopicPartition>& assignment) {
  // ConsumerMembershipManager reconciliation: revoke what is no longer assigned (committing
  // first), take the new partitions, then acknowledge at once with a heartbeat that names
  // what the member now owns.
  std::vector<std::int32_t> target;
  for (const TopicPartition& tp : assignment) {
    if (tp.topic == config_.topic) target.push_back(tp.partition);
  }
  std::sort(target.begin(), target.end());
  if (target == assigned_) return;
  std::vector<std::int32_t> revoked;
  for (std::int32_t p : assigned_) {
    if (!std::binary_search(target.begin(), target.end(), p)) revoked.push_back(p);
  }
  if (!revoked.empty()) {
    env_.Probe("client.group.consumer.revoke");
    Revoke(revoked, false);
  }
  AdoptAssignment(target);
  offset_fetch_correlation_ = -1;
  std::vector<std::string> names;
  for (std::int32_t p : assigned_) names.push_back(PartitionName(config_.topic, p));
  history_->assignments.push_back(
      AssignmentEvent{env_.name(), *config_.group, member_id_, generation_, names, env_.Now()});
  env_.Probe("client.group.assigned");
  env_.Emit(std::string(trace_kind::kClientAssignment),
            {{"group", *config_.group}, {"generation", std::int64_t{generation_}}},
            fmt::format("group {} member epoch {} (consumer protocol): assigned {}", *config_.group,
                        generation_, Names(config_.topic, assigned_)));
  next_heartbeat_ = env_.Now();  // acknowledge the reconciliation
}

void ConsumerNode::ResetMember() {
  // A static member keeps no id either: its group.instance.id finds its place again.
  member_id_.clear();
  generation_ = -1;
}

}  // namespace kafkasim::kafka
