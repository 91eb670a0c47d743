// The KIP-848 consumer group protocol of the group coordinator (group.protocol=consumer, GA in
// Kafka 4.0), after Kafka's GroupMetadataManager.consumerGroupHeartbeat,
// modern/consumer/CurrentAssignmentBuilder.java and modern/TargetAssignmentBuilder.java: the
// group epoch is bumped when membership or subscriptions change, the coordinator computes the
// target assignment itself, and every member walks toward it on its own heartbeats: it first
// revokes what the target takes away (staying at its epoch), then takes the target epoch and
// the partitions nobody holds any more. No member stops for another's rebalance.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "engine/assert.h"
#include "kafka/group_coordinator.h"
#include "kafka/group_hash.h"

namespace kafkasim::kafka {
namespace {

std::string Names(const std::set<TopicPartition>& partitions) {
  std::vector<std::string> out;
  for (const TopicPartition& tp : partitions) out.push_back(tp.ToString());
  return fmt::format("[{}]", fmt::join(out, ", "));
}

std::vector<TopicPartition> AsVector(const std::set<TopicPartition>& partitions) {
  return {partitions.begin(), partitions.end()};
}

ConsumerGroupHeartbeatResponse Error(Errc error, std::string message) {
  ConsumerGroupHeartbeatResponse response;
  response.error = error;
  response.error_message = std::move(message);
  return response;
}

}  // namespace

std::string_view ConsumerGroupStateName(ConsumerGroupState state) {
  switch (state) {
    case ConsumerGroupState::kEmpty:
      return "Empty";
    case ConsumerGroupState::kAssigning:
      return "Assigning";
    case ConsumerGroupState::kReconciling:
      return "Reconciling";
    case ConsumerGroupState::kStable:
      return "Stable";
    case ConsumerGroupState::kDead:
      return "Dead";
  }
  return "Dead";
}

std::string_view ConsumerMemberStateName(ConsumerMemberState state) {
  switch (state) {
    case ConsumerMemberState::kStable:
      return "STABLE";
    case ConsumerMemberState::kUnrevokedPartitions:
      return "UNREVOKED_PARTITIONS";
    case ConsumerMemberState::kUnreleasedPartitions:
      return "UNRELEASED_PARTITIONS";
  }
  return "UNKNOWN";
}

ConsumerGroupState ConsumerGroup::State() const {
  if (members.empty()) return ConsumerGroupState::kEmpty;
  if (group_epoch > target_assignment_epoch) return ConsumerGroupState::kAssigning;
  for (const auto& [id, m] : members) {
    if (m.member_epoch != target_assignment_epoch || m.state != ConsumerMemberState::kStable) {
      return ConsumerGroupState::kReconciling;
    }
  }
  return ConsumerGroupState::kStable;
}

ServerAssignorKind ConsumerGroup::Assignor(ServerAssignorKind fallback) const {
  // ConsumerGroup.computePreferredServerAssignor: the assignor most members asked for (ties
  // to the smaller name), else the default.
  std::map<std::string, int> votes;
  for (const auto& [id, m] : members) {
    if (m.server_assignor) ++votes[*m.server_assignor];
  }
  const std::string* best = nullptr;
  int most = 0;
  for (const auto& [name, count] : votes) {
    if (count > most) {
      most = count;
      best = &name;
    }
  }
  if (best == nullptr) return fallback;
  return ServerAssignorByName(*best).value_or(fallback);
}

std::string ConsumerGroup::OwnerOf(const TopicPartition& tp) const {
  for (const auto& [id, m] : members) {
    if (m.assigned.contains(tp) || m.pending_revocation.contains(tp)) return id;
  }
  return {};
}

const ConsumerGroup* GroupCoordinator::consumer_group(const std::string& group_id) const {
  const auto it = consumer_groups_.find(group_id);
  return it == consumer_groups_.end() ? nullptr : &it->second;
}

void GroupCoordinator::ConsumerNote(GroupCoordinatorReady& ready, const ConsumerGroup& group,
                                    std::string kind, std::string text) const {
  ready.notes.push_back({std::move(kind),
                         "group " + group.group_id + " " + std::move(text),
                         {{"group", group.group_id},
                          {"group_epoch", static_cast<std::int64_t>(group.group_epoch)},
                          {"state", std::string(ConsumerGroupStateName(group.State()))}}});
}

std::vector<TopicIdPartitions> GroupCoordinator::ToTopicIds(
    const std::set<TopicPartition>& partitions) const {
  std::vector<TopicIdPartitions> out;
  for (const TopicPartition& tp : partitions) {
    const auto it = topics_.find(tp.topic);
    const Uuid id = it == topics_.end() ? Uuid{} : it->second.topic_id;
    if (out.empty() || out.back().topic_id != id) out.push_back({id, {}});
    out.back().partitions.push_back(tp.partition);
  }
  return out;
}

std::set<TopicPartition> GroupCoordinator::FromTopicIds(
    const std::vector<TopicIdPartitions>& topics) const {
  std::set<TopicPartition> out;
  for (const TopicIdPartitions& t : topics) {
    // A topic deleted since the record was written is dropped, as Kafka drops unknown ids.
    for (const auto& [name, topic] : topics_) {
      if (topic.topic_id != t.topic_id) continue;
      for (std::int32_t p : t.partitions) out.insert({name, p});
    }
  }
  return out;
}

PartitionCounts GroupCoordinator::SubscriptionMetadata(const ConsumerGroup& group) const {
  PartitionCounts out;
  for (const auto& [id, m] : group.members) {
    for (const std::string& topic : m.subscribed_topic_names) {
      const auto it = topics_.find(topic);
      if (it != topics_.end() && it->second.partitions > 0) out[topic] = it->second.partitions;
    }
  }
  return out;
}

// --- Heartbeat ---

void GroupCoordinator::ConsumerGroupHeartbeat(GroupRequestId id,
                                              const ConsumerGroupHeartbeatRequest& request,
                                              Time now, GroupCoordinatorReady& ready) {
  const auto fail = [&](Errc error, std::string message) {
    Respond(ready, id, request.group_id, request.member_id, Error(error, std::move(message)));
  };
  if (Errc e = CheckCoordinator(request.group_id); e != Errc::kNone) return fail(e, "");
  // GroupMetadataManager.throwIfConsumerGroupHeartbeatRequestIsInvalid.
  if (request.member_id.empty()) return fail(Errc::kInvalidRequest, "MemberId can't be empty.");
  if (request.member_epoch == -1 || request.member_epoch == -2) {
    return ConsumerGroupLeave(id, request, now, ready);
  }
  if (request.member_epoch == 0) {
    if (request.rebalance_timeout_ms == -1) {
      return fail(Errc::kInvalidRequest, "RebalanceTimeoutMs must be provided in first request.");
    }
    if (!request.topic_partitions || !request.topic_partitions->empty()) {
      return fail(Errc::kInvalidRequest, "TopicPartitions must be empty when (re-)joining.");
    }
    if (!request.subscribed_topic_names || request.subscribed_topic_names->empty()) {
      return fail(Errc::kInvalidRequest,
                  "SubscribedTopicNames or SubscribedTopicRegex must be set in first request.");
    }
  } else if (request.member_epoch < -2) {
    return fail(Errc::kInvalidRequest, "MemberEpoch is invalid.");
  }
  if (request.server_assignor && !ServerAssignorByName(*request.server_assignor)) {
    return fail(Errc::kUnsupportedAssignor, "ServerAssignor " + *request.server_assignor +
                                                " is not supported. Supported " +
                                                "assignors: uniform, range.");
  }
  // A classic group of the same id: Kafka converts an empty one (offsets kept) and refuses to
  // mix protocols in a group with members (online migration is not modelled).
  if (const auto classic = groups_.find(request.group_id); classic != groups_.end()) {
    if (!classic->second.members.empty()) {
      return fail(Errc::kGroupIdNotFound,
                  "Group " + request.group_id + " is not a consumer group.");
    }
    if (request.member_epoch == 0) {
      ConsumerGroup converted;
      converted.group_id = request.group_id;
      converted.offsets = classic->second.offsets;
      ready.records.push_back(GroupMetadataTombstone({request.group_id}));
      groups_.erase(classic);
      consumer_groups_.emplace(request.group_id, std::move(converted));
    }
  }
  auto group_it = consumer_groups_.find(request.group_id);
  if (group_it == consumer_groups_.end()) {
    if (request.member_epoch != 0) {
      return fail(Errc::kGroupIdNotFound, "Group " + request.group_id + " not found.");
    }
    ConsumerGroup created;
    created.group_id = request.group_id;
    group_it = consumer_groups_.emplace(request.group_id, std::move(created)).first;
  }
  ConsumerGroup& group = group_it->second;
  const ConsumerGroupState state_before = group.State();
  auto member_it = group.members.find(request.member_id);
  if (request.member_epoch == 0) {
    // A member that rejoins with epoch 0 (it was fenced, or restarted with its id) starts over.
    if (member_it != group.members.end()) {
      FenceConsumerMember(group, request.member_id, "rejoined with member epoch 0", ready);
    }
    ConsumerGroupMember member;
    member.member_id = request.member_id;
    member_it = group.members.emplace(request.member_id, std::move(member)).first;
    ready.probes.push_back("group.consumer.join");
  } else {
    if (member_it == group.members.end()) {
      return fail(
          Errc::kUnknownMemberId,
          "Member " + request.member_id + " is not a member of group " + request.group_id + ".");
    }
    // throwIfMemberEpochIsInvalid: a member may retry with its previous epoch if the bump was
    // lost, as long as it owns no partition it should not.
    const ConsumerGroupMember& m = member_it->second;
    bool valid = request.member_epoch == m.member_epoch;
    if (!valid && request.member_epoch == m.previous_member_epoch && request.topic_partitions) {
      valid = std::all_of(request.topic_partitions->begin(), request.topic_partitions->end(),
                          [&m](const TopicPartition& tp) { return m.assigned.contains(tp); });
    }
    if (!valid) {
      ready.probes.push_back("group.consumer.fenced_epoch");
      return fail(Errc::kFencedMemberEpoch,
                  fmt::format("The consumer group member has a smaller member epoch ({}) than the "
                              "one known by the group coordinator ({}). The member must abandon "
                              "all its partitions and rejoin.",
                              request.member_epoch, m.member_epoch));
    }
  }
  ConsumerGroupMember& member = member_it->second;
  bool bump = UpdateConsumerMember(group, member, request, ready);
  const PartitionCounts metadata = SubscriptionMetadata(group);
  if (metadata != group.subscription_metadata) {
    group.subscription_metadata = metadata;
    bump = true;
  }
  if (bump) {
    ++group.group_epoch;
    ready.records.push_back(
        ConsumerGroupRecord(group.group_id, "", ConsumerGroupMetadataValue{group.group_epoch}));
    ConsumerNote(ready, group, "group.consumer.epoch",
                 fmt::format("bumped the group epoch to {} (member {} {})", group.group_epoch,
                             member.member_id,
                             request.member_epoch == 0 ? "joined" : "changed its subscription"));
  }
  if (group.group_epoch > group.target_assignment_epoch) UpdateTargetAssignment(group, ready);
  const ConsumerGroupMember before = member;
  const bool changed = ReconcileMember(group, member, request.topic_partitions);
  if (changed) WriteCurrentAssignment(group, member, ready);
  // Timers: the session, and the rebalance timeout while the member has partitions to revoke.
  member.session_deadline = now + Milliseconds(settings_.consumer_session_timeout_ms);
  if (member.state == ConsumerMemberState::kUnrevokedPartitions) {
    if (before.state != ConsumerMemberState::kUnrevokedPartitions || !member.rebalance_deadline) {
      member.rebalance_deadline = now + Milliseconds(member.rebalance_timeout_ms);
    }
  } else {
    member.rebalance_deadline.reset();
  }
  ConsumerGroupHeartbeatResponse response;
  response.member_id = member.member_id;
  response.member_epoch = member.member_epoch;
  response.heartbeat_interval_ms = settings_.consumer_heartbeat_interval_ms;
  // The assignment goes out when it changed or on a full request (a join).
  if (changed || request.member_epoch == 0 ||
      (request.topic_partitions && AsVector(member.assigned) != *request.topic_partitions)) {
    response.assignment = AsVector(member.assigned);
  }
  if (group.State() != state_before) {
    ConsumerNote(ready, group, "group.consumer.state",
                 fmt::format("is {} at group epoch {}, target assignment epoch {}",
                             ConsumerGroupStateName(group.State()), group.group_epoch,
                             group.target_assignment_epoch));
  }
  Respond(ready, id, group.group_id, member.member_id, std::move(response));
}

bool GroupCoordinator::UpdateConsumerMember(ConsumerGroup& group, ConsumerGroupMember& member,
                                            const ConsumerGroupHeartbeatRequest& request,
                                            GroupCoordinatorReady& ready) const {
  ConsumerGroupMember updated = member;
  if (request.instance_id) updated.instance_id = request.instance_id;
  if (request.rack_id) updated.rack_id = request.rack_id;
  if (request.rebalance_timeout_ms != -1)
    updated.rebalance_timeout_ms = request.rebalance_timeout_ms;
  if (request.subscribed_topic_names) {
    updated.subscribed_topic_names = *request.subscribed_topic_names;
    std::sort(updated.subscribed_topic_names.begin(), updated.subscribed_topic_names.end());
  }
  if (request.server_assignor) updated.server_assignor = request.server_assignor;
  updated.client_id = request.client_id;
  updated.client_host = request.client_host;
  const bool is_new = request.member_epoch == 0;
  const bool subscription_changed =
      updated.subscribed_topic_names != member.subscribed_topic_names ||
      updated.server_assignor != member.server_assignor;
  const bool metadata_changed = subscription_changed || updated.instance_id != member.instance_id ||
                                updated.rack_id != member.rack_id ||
                                updated.rebalance_timeout_ms != member.rebalance_timeout_ms ||
                                updated.client_id != member.client_id ||
                                updated.client_host != member.client_host;
  if (is_new || metadata_changed) {
    ConsumerGroupMemberMetadataValue value;
    value.instance_id = updated.instance_id;
    value.rack_id = updated.rack_id;
    value.client_id = updated.client_id;
    value.client_host = updated.client_host;
    value.subscribed_topic_names = updated.subscribed_topic_names;
    value.rebalance_timeout_ms = updated.rebalance_timeout_ms;
    value.server_assignor = updated.server_assignor;
    ready.records.push_back(ConsumerGroupRecord(group.group_id, member.member_id, value));
  }
  member = std::move(updated);
  return is_new || subscription_changed;
}

void GroupCoordinator::UpdateTargetAssignment(ConsumerGroup& group, GroupCoordinatorReady& ready) {
  // TargetAssignmentBuilder: the assignor starts from the previous target of the members that
  // remain; only the members whose target changed get a record, then the epoch.
  KSIM_ASSERT(!settings_.consumer_assignors.empty());
  const ServerAssignorKind kind = group.Assignor(settings_.consumer_assignors.front());
  std::vector<ServerAssignorMember> members;
  for (const auto& [id, m] : group.members) {
    ServerAssignorMember spec{id, m.subscribed_topic_names, {}};
    if (const auto it = group.target_assignment.find(id); it != group.target_assignment.end()) {
      spec.target = AsVector(it->second);
    }
    members.push_back(std::move(spec));
  }
  const GroupAssignment assignment = ServerAssign(kind, members, group.subscription_metadata);
  std::map<std::string, std::set<TopicPartition>> target;
  for (const auto& [id, list] : assignment) {
    std::set<TopicPartition> partitions(list.begin(), list.end());
    const auto old = group.target_assignment.find(id);
    if (old == group.target_assignment.end() || old->second != partitions) {
      ready.records.push_back(ConsumerGroupRecord(
          group.group_id, id, ConsumerGroupTargetAssignmentMemberValue{ToTopicIds(partitions)}));
    }
    target[id] = std::move(partitions);
  }
  group.target_assignment = std::move(target);
  group.target_assignment_epoch = group.group_epoch;
  ready.records.push_back(ConsumerGroupRecord(
      group.group_id, "", ConsumerGroupTargetAssignmentMetadataValue{group.group_epoch}));
  ready.probes.push_back("group.consumer.target_assignment");
  std::vector<std::string> parts;
  for (const auto& [id, partitions] : group.target_assignment) {
    parts.push_back(id + " " + Names(partitions));
  }
  ConsumerNote(
      ready, group, "group.consumer.target",
      fmt::format("computed the target assignment of epoch {} with the {} assignor: {}",
                  group.target_assignment_epoch, ServerAssignorName(kind), fmt::join(parts, "; ")));
}

bool GroupCoordinator::ReconcileMember(
    const ConsumerGroup& group, ConsumerGroupMember& member,
    const std::optional<std::vector<TopicPartition>>& owned) const {
  const ConsumerGroupMember before = member;
  bool compute = false;
  switch (member.state) {
    case ConsumerMemberState::kStable:
      compute = member.member_epoch != group.target_assignment_epoch;
      break;
    case ConsumerMemberState::kUnrevokedPartitions: {
      // ownsRevokedPartitions: without an owned list the member is assumed to still own them.
      bool still_owns = !owned.has_value();
      if (owned) {
        for (const TopicPartition& tp : *owned) {
          if (member.pending_revocation.contains(tp)) still_owns = true;
        }
      }
      compute = !still_owns;
      break;
    }
    case ConsumerMemberState::kUnreleasedPartitions:
      compute = true;
      break;
  }
  if (!compute) return false;
  // computeNextAssignment.
  static const std::set<TopicPartition> kNone;
  const auto target_it = group.target_assignment.find(member.member_id);
  const std::set<TopicPartition>& target =
      target_it == group.target_assignment.end() ? kNone : target_it->second;
  std::set<TopicPartition> kept, revoking, assigning, unreleased;
  for (const TopicPartition& tp : member.assigned) {
    (target.contains(tp) ? kept : revoking).insert(tp);
  }
  for (const TopicPartition& tp : target) {
    if (member.assigned.contains(tp)) continue;
    const std::string owner = group.OwnerOf(tp);
    (owner.empty() || owner == member.member_id ? assigning : unreleased).insert(tp);
  }
  if (!revoking.empty()) {
    member.state = ConsumerMemberState::kUnrevokedPartitions;
    member.assigned = kept;
    member.pending_revocation = revoking;
  } else {
    const std::int32_t epoch = member.member_epoch;
    kept.insert(assigning.begin(), assigning.end());
    member.assigned = kept;
    member.pending_revocation.clear();
    member.state = unreleased.empty() ? ConsumerMemberState::kStable
                                      : ConsumerMemberState::kUnreleasedPartitions;
    if (epoch != group.target_assignment_epoch) {
      member.previous_member_epoch = epoch;
      member.member_epoch = group.target_assignment_epoch;
    }
  }
  return member.member_epoch != before.member_epoch || member.state != before.state ||
         member.assigned != before.assigned ||
         member.pending_revocation != before.pending_revocation;
}

void GroupCoordinator::WriteCurrentAssignment(const ConsumerGroup& group,
                                              const ConsumerGroupMember& member,
                                              GroupCoordinatorReady& ready) const {
  ConsumerGroupCurrentMemberAssignmentValue value;
  value.member_epoch = member.member_epoch;
  value.previous_member_epoch = member.previous_member_epoch;
  value.state = member.state;
  value.assigned_partitions = ToTopicIds(member.assigned);
  value.partitions_pending_revocation = ToTopicIds(member.pending_revocation);
  ready.records.push_back(ConsumerGroupRecord(group.group_id, member.member_id, value));
  std::string text = fmt::format("member {} is {} at epoch {} with {}", member.member_id,
                                 ConsumerMemberStateName(member.state), member.member_epoch,
                                 Names(member.assigned));
  if (!member.pending_revocation.empty()) {
    ready.probes.push_back("group.consumer.revoke");
    text += ", to revoke " + Names(member.pending_revocation);
  }
  if (member.state == ConsumerMemberState::kUnreleasedPartitions) {
    ready.probes.push_back("group.consumer.unreleased");
    text += ", waiting for partitions still owned by others";
  }
  ConsumerNote(ready, group, "group.consumer.reconcile", std::move(text));
}

// --- Leaving and fencing ---

void GroupCoordinator::ConsumerGroupLeave(GroupRequestId id,
                                          const ConsumerGroupHeartbeatRequest& request, Time now,
                                          GroupCoordinatorReady& ready) {
  (void)now;
  ConsumerGroupHeartbeatResponse response;
  response.member_id = request.member_id;
  response.member_epoch = request.member_epoch;
  const auto group_it = consumer_groups_.find(request.group_id);
  if (group_it == consumer_groups_.end()) {
    response = Error(Errc::kGroupIdNotFound, "Group " + request.group_id + " not found.");
  } else if (!group_it->second.members.contains(request.member_id)) {
    response =
        Error(Errc::kUnknownMemberId, "Member " + request.member_id + " is not a member of group " +
                                          request.group_id + ".");
  } else {
    ready.probes.push_back("group.consumer.leave");
    FenceConsumerMember(group_it->second, request.member_id, "left the group", ready);
  }
  Respond(ready, id, request.group_id, request.member_id, std::move(response));
}

void GroupCoordinator::FenceConsumerMember(ConsumerGroup& group, const std::string& member_id,
                                           const std::string& reason,
                                           GroupCoordinatorReady& ready) {
  KSIM_ASSERT(group.members.contains(member_id));
  // consumerGroupFenceMember: the member's records are deleted and the group epoch bumped, so
  // that the next heartbeat of any member computes a target without it.
  ready.records.push_back(
      ConsumerGroupTombstone(kConsumerGroupCurrentMemberAssignmentType, group.group_id, member_id));
  ready.records.push_back(
      ConsumerGroupTombstone(kConsumerGroupTargetAssignmentMemberType, group.group_id, member_id));
  ready.records.push_back(
      ConsumerGroupTombstone(kConsumerGroupMemberMetadataType, group.group_id, member_id));
  const std::set<TopicPartition> released = group.members.at(member_id).assigned;
  group.members.erase(member_id);
  group.target_assignment.erase(member_id);
  group.subscription_metadata = SubscriptionMetadata(group);
  ++group.group_epoch;
  ready.records.push_back(
      ConsumerGroupRecord(group.group_id, "", ConsumerGroupMetadataValue{group.group_epoch}));
  ConsumerNote(ready, group, "group.consumer.member.removed",
               fmt::format("removed member {} ({}), releasing {}; group epoch {}", member_id,
                           reason, Names(released), group.group_epoch));
}

// --- Offsets ---

bool GroupCoordinator::OffsetCommitConsumerGroup(GroupRequestId id,
                                                 const OffsetCommitRequest& request, Time now,
                                                 GroupCoordinatorReady& ready) {
  const auto it = consumer_groups_.find(request.group_id);
  if (it == consumer_groups_.end()) return false;
  ConsumerGroup& group = it->second;
  OffsetCommitResponse response;
  // ConsumerGroup.validateOffsetCommit: a commit outside membership only while the group is
  // empty; a member commits with its current member epoch (STALE_MEMBER_EPOCH otherwise).
  Errc error = Errc::kNone;
  if (request.member_id.empty() && request.generation_id < 0) {
    if (!group.members.empty()) error = Errc::kUnknownMemberId;
  } else if (const auto m = group.members.find(request.member_id); m == group.members.end()) {
    error = Errc::kUnknownMemberId;
  } else if (request.generation_id != m->second.member_epoch) {
    error = Errc::kStaleMemberEpoch;
  }
  response.error = error;
  for (const auto& p : request.partitions) {
    const TopicPartition tp{p.topic, p.partition};
    if (error != Errc::kNone) {
      response.partitions.push_back({tp, error});
      continue;
    }
    group.offsets[tp] = CommittedOffset{p.offset, p.leader_epoch, p.metadata, now.Millis()};
    ready.records.push_back(
        OffsetCommitRecord({group.group_id, p.topic, p.partition},
                           {p.offset, p.leader_epoch, p.metadata, now.Millis(), -1}));
    response.partitions.push_back({tp, Errc::kNone});
    ConsumerNote(ready, group, "group.offset.commit",
                 "committed offset " + std::to_string(p.offset) + " for " + tp.ToString() +
                     (request.member_id.empty() ? "" : " (member " + request.member_id + ")"));
  }
  if (error == Errc::kStaleMemberEpoch) ready.probes.push_back("group.consumer.stale_commit");
  Respond(ready, id, group.group_id, request.member_id, std::move(response));
  return true;
}

// --- Timers ---

void GroupCoordinator::ConsumerTick(Time now, GroupCoordinatorReady& ready) {
  for (auto& [group_id, group] : consumer_groups_) {
    std::vector<std::pair<std::string, std::string>> fenced;
    for (const auto& [id, m] : group.members) {
      if (m.session_deadline && *m.session_deadline <= now) {
        fenced.emplace_back(id, fmt::format("expired: no heartbeat within "
                                            "group.consumer.session.timeout.ms ({} ms)",
                                            settings_.consumer_session_timeout_ms));
      } else if (m.rebalance_deadline && *m.rebalance_deadline <= now) {
        fenced.emplace_back(id, fmt::format("did not revoke {} within its rebalance timeout "
                                            "({} ms)",
                                            Names(m.pending_revocation), m.rebalance_timeout_ms));
      }
    }
    for (const auto& [id, reason] : fenced) {
      ready.probes.push_back("group.consumer.member.expired");
      FenceConsumerMember(group, id, reason, ready);
    }
  }
}

// --- Failover ---

void GroupCoordinator::ReplayConsumerRecord(const DecodedConsumerGroupRecord& record) {
  // GroupCoordinatorShard.replay for the consumer group types. An empty classic group of the
  // same id was converted: its offsets move over.
  if (!consumer_groups_.contains(record.group_id)) {
    if (const auto c = groups_.find(record.group_id);
        c != groups_.end() && c->second.members.empty()) {
      consumer_groups_[record.group_id].offsets = std::move(c->second.offsets);
      groups_.erase(c);
    }
  }
  ConsumerGroup& group = consumer_groups_[record.group_id];
  group.group_id = record.group_id;
  if (!record.value) {
    switch (record.type) {
      case kConsumerGroupMetadataType:
        consumer_groups_.erase(record.group_id);
        return;
      case kConsumerGroupMemberMetadataType:
        group.members.erase(record.member_id);
        return;
      case kConsumerGroupTargetAssignmentMemberType:
        group.target_assignment.erase(record.member_id);
        return;
      case kConsumerGroupCurrentMemberAssignmentType:
        if (auto it = group.members.find(record.member_id); it != group.members.end()) {
          it->second.assigned.clear();
          it->second.pending_revocation.clear();
        }
        return;
      default:
        return;
    }
  }
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, ConsumerGroupMetadataValue>) {
          group.group_epoch = v.epoch;
        } else if constexpr (std::is_same_v<T, ConsumerGroupMemberMetadataValue>) {
          ConsumerGroupMember& m = group.members[record.member_id];
          m.member_id = record.member_id;
          m.instance_id = v.instance_id;
          m.rack_id = v.rack_id;
          m.client_id = v.client_id;
          m.client_host = v.client_host;
          m.subscribed_topic_names = v.subscribed_topic_names;
          m.rebalance_timeout_ms = v.rebalance_timeout_ms;
          m.server_assignor = v.server_assignor;
        } else if constexpr (std::is_same_v<T, ConsumerGroupTargetAssignmentMetadataValue>) {
          group.target_assignment_epoch = v.assignment_epoch;
        } else if constexpr (std::is_same_v<T, ConsumerGroupTargetAssignmentMemberValue>) {
          group.target_assignment[record.member_id] = FromTopicIds(v.topic_partitions);
        } else {
          ConsumerGroupMember& m = group.members[record.member_id];
          m.member_id = record.member_id;
          m.member_epoch = v.member_epoch;
          m.previous_member_epoch = v.previous_member_epoch;
          m.state = v.state;
          m.assigned = FromTopicIds(v.assigned_partitions);
          m.pending_revocation = FromTopicIds(v.partitions_pending_revocation);
        }
      },
      *record.value);
}

}  // namespace kafkasim::kafka
