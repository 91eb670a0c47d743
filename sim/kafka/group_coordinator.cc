// The classic group protocol, following Kafka's GroupMetadataManager (classicGroupJoin,
// classicGroupSync, classicGroupHeartbeat, classicGroupLeave, prepareRebalance,
// completeClassicGroupJoin, expireClassicGroupMemberHeartbeat) and OffsetMetadataManager.
#include "kafka/group_coordinator.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "engine/assert.h"
#include "kafka/group_hash.h"

namespace kafkasim::kafka {

namespace {

constexpr std::string_view kConsumerProtocolType = "consumer";

std::string Quote(const std::optional<std::string>& s) { return s ? *s : "null"; }

}  // namespace

std::string_view GroupStateName(GroupState state) {
  switch (state) {
    case GroupState::kEmpty:
      return "Empty";
    case GroupState::kPreparingRebalance:
      return "PreparingRebalance";
    case GroupState::kCompletingRebalance:
      return "CompletingRebalance";
    case GroupState::kStable:
      return "Stable";
    case GroupState::kDead:
      return "Dead";
  }
  return "Dead";
}

std::vector<std::string> ClassicGroup::MemberOrder() const {
  std::vector<std::int32_t> hashes;
  for (const auto& id : member_insertion_order) hashes.push_back(JavaUtf16HashCode(id));
  std::vector<std::string> out;
  for (std::size_t i : JavaHashMapOrder(hashes, largest_member_count)) {
    out.push_back(member_insertion_order[i]);
  }
  return out;
}

GroupCoordinator::GroupCoordinator(std::int32_t offsets_partition,
                                   GroupCoordinatorSettings settings, std::uint64_t seed)
    : offsets_partition_(offsets_partition),
      settings_(settings),
      member_ids_(Rng::Stream(seed, "group-coordinator-member-ids")) {}

const ClassicGroup* GroupCoordinator::group(const std::string& group_id) const {
  const auto it = groups_.find(group_id);
  return it == groups_.end() ? nullptr : &it->second;
}

// --- Helpers ---

std::string GroupCoordinator::NewMemberId(const std::string& client_id) {
  // UUID.randomUUID(): version 4, variant 2, printed 8-4-4-4-12.
  std::uint64_t hi = member_ids_.NextU64();
  std::uint64_t lo = member_ids_.NextU64();
  hi = (hi & ~0xF000ULL) | 0x4000ULL;
  lo = (lo & ~(0xC000ULL << 48)) | (0x8000ULL << 48);
  char uuid[40];
  std::snprintf(uuid, sizeof(uuid), "%08llx-%04llx-%04llx-%04llx-%012llx",
                static_cast<unsigned long long>(hi >> 32),
                static_cast<unsigned long long>((hi >> 16) & 0xFFFF),
                static_cast<unsigned long long>(hi & 0xFFFF),
                static_cast<unsigned long long>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return client_id + "-" + uuid;
}

void GroupCoordinator::Respond(GroupCoordinatorReady& ready, GroupRequestId id,
                               const std::string& group_id, const std::string& member_id,
                               GroupResponseBody body) const {
  ready.responses.push_back({id, group_id, member_id, std::move(body)});
}

void GroupCoordinator::Note(GroupCoordinatorReady& ready, const ClassicGroup& group,
                            std::string kind, std::string text) const {
  ready.notes.push_back({std::move(kind),
                         "group " + group.group_id + " " + std::move(text),
                         {{"group", group.group_id},
                          {"generation", static_cast<std::int64_t>(group.generation_id)},
                          {"state", std::string(GroupStateName(group.state))}}});
}

void GroupCoordinator::TransitionTo(ClassicGroup& group, GroupState to, Time now,
                                    GroupCoordinatorReady& ready) {
  // ClassicGroupState's valid previous states.
  const GroupState from = group.state;
  switch (to) {
    case GroupState::kEmpty:
      KSIM_ASSERT(from == GroupState::kPreparingRebalance);
      break;
    case GroupState::kPreparingRebalance:
      KSIM_ASSERT(from == GroupState::kStable || from == GroupState::kCompletingRebalance ||
                  from == GroupState::kEmpty);
      break;
    case GroupState::kCompletingRebalance:
      KSIM_ASSERT(from == GroupState::kPreparingRebalance);
      break;
    case GroupState::kStable:
      KSIM_ASSERT(from == GroupState::kCompletingRebalance);
      break;
    case GroupState::kDead:
      break;
  }
  group.state = to;
  group.current_state_timestamp_ms = now.Millis();
  ready.state_changes.push_back({group.group_id, from, to, group.generation_id});
}

void GroupCoordinator::ScheduleHeartbeat(ClassicGroupMember& member, Time now) const {
  member.heartbeat_deadline = now + Milliseconds(member.session_timeout_ms);
}

void GroupCoordinator::AddToMap(ClassicGroup& group, ClassicGroupMember member) {
  const std::string id = member.member_id;
  KSIM_ASSERT(!group.members.contains(id));
  if (group.members.empty()) group.protocol_type = member.protocol_type;
  if (!group.leader_id) group.leader_id = id;
  if (member.group_instance_id) group.static_members[*member.group_instance_id] = id;
  group.members.emplace(id, std::move(member));
  group.member_insertion_order.push_back(id);
  group.largest_member_count = std::max(group.largest_member_count, group.members.size());
}

// ClassicGroup.remove: a removed leader is replaced by the first member in Kafka's order; a
// request the member had waiting gets UNKNOWN_MEMBER_ID.
void GroupCoordinator::RemoveFromMap(ClassicGroup& group, const std::string& member_id_ref,
                                     GroupCoordinatorReady& ready) {
  const std::string member_id = member_id_ref;  // the reference may point into the group
  auto it = group.members.find(member_id);
  KSIM_ASSERT(it != group.members.end());
  ClassicGroupMember& member = it->second;
  if (member.awaiting_join) {
    JoinGroupResponse response;
    response.error = Errc::kUnknownMemberId;
    response.member_id = member_id;
    Respond(ready, *member.awaiting_join, group.group_id, member_id, response);
  }
  if (member.awaiting_sync) {
    SyncGroupResponse response;
    response.error = Errc::kUnknownMemberId;
    Respond(ready, *member.awaiting_sync, group.group_id, member_id, response);
  }
  if (member.group_instance_id) group.static_members.erase(*member.group_instance_id);
  group.members.erase(it);
  std::erase(group.member_insertion_order, member_id);
  group.pending_sync.erase(member_id);
  if (group.leader_id == member_id) {
    group.leader_id.reset();
    if (!group.members.empty()) group.leader_id = group.MemberOrder().front();
  }
}

std::optional<std::string> GroupCoordinator::SelectProtocol(const ClassicGroup& group) const {
  if (group.members.empty()) return std::nullopt;
  // Candidates: the protocols every member supports; each member votes for its first
  // preference among them; the most votes wins (ties: the first in HashMap order).
  std::vector<std::string> candidates;
  for (const auto& p : group.members.begin()->second.protocols) candidates.push_back(p.name);
  for (const auto& entry : group.members) {
    const auto& member = entry.second;  // clang 14 cannot capture a structured binding
    std::erase_if(candidates, [&](const std::string& name) {
      return std::none_of(member.protocols.begin(), member.protocols.end(),
                          [&](const auto& p) { return p.name == name; });
    });
  }
  if (candidates.empty()) return std::nullopt;
  std::vector<std::string> voted;  // in the order votes were first cast
  std::map<std::string, int> votes;
  for (const auto& id : group.MemberOrder()) {
    for (const auto& p : group.members.at(id).protocols) {
      if (std::find(candidates.begin(), candidates.end(), p.name) == candidates.end()) continue;
      if (votes[p.name]++ == 0) voted.push_back(p.name);
      break;
    }
  }
  std::vector<std::int32_t> hashes;
  for (const auto& name : voted) hashes.push_back(JavaUtf16HashCode(name));
  std::optional<std::string> best;
  for (std::size_t i : JavaHashMapOrder(hashes)) {
    if (!best || votes[voted[i]] > votes[*best]) best = voted[i];
  }
  return best;
}

bool GroupCoordinator::SupportsProtocols(const ClassicGroup& group,
                                         const std::string& protocol_type,
                                         const std::vector<JoinGroupProtocol>& protocols) const {
  if (group.members.empty()) return !protocol_type.empty() && !protocols.empty();
  if (group.protocol_type != protocol_type) return false;
  // Some protocol of the joiner is supported by every member.
  return std::any_of(protocols.begin(), protocols.end(), [&](const JoinGroupProtocol& p) {
    return std::all_of(group.members.begin(), group.members.end(), [&](const auto& entry) {
      const auto& theirs = entry.second.protocols;
      return std::any_of(theirs.begin(), theirs.end(),
                         [&](const auto& q) { return q.name == p.name; });
    });
  });
}

JoinGroupResponse GroupCoordinator::JoinResponseFor(const ClassicGroup& group,
                                                    const ClassicGroupMember& member,
                                                    bool with_members) const {
  JoinGroupResponse response;
  response.generation_id = group.generation_id;
  response.protocol_type = group.protocol_type;
  response.protocol_name = group.protocol_name;
  response.leader = group.leader_id.value_or("");
  response.member_id = member.member_id;
  if (with_members) {
    for (const auto& id : group.MemberOrder()) {
      const auto& m = group.members.at(id);
      JoinGroupResponseMember out{m.member_id, m.group_instance_id, {}};
      for (const auto& p : m.protocols) {
        if (group.protocol_name && p.name == *group.protocol_name) out.metadata = p.metadata;
      }
      response.members.push_back(std::move(out));
    }
  }
  return response;
}

void GroupCoordinator::StoreGroup(const ClassicGroup& group, GroupCoordinatorReady& ready) const {
  GroupMetadataValue value;
  value.protocol_type = group.protocol_type;
  value.generation = group.generation_id;
  value.protocol = group.protocol_name;
  value.leader = group.leader_id;
  value.current_state_timestamp = group.current_state_timestamp_ms;
  for (const auto& id : group.MemberOrder()) {
    const auto& m = group.members.at(id);
    GroupMemberMetadata out;
    out.member_id = m.member_id;
    out.group_instance_id = m.group_instance_id;
    out.client_id = m.client_id;
    out.client_host = m.client_host;
    out.rebalance_timeout = m.rebalance_timeout_ms;
    out.session_timeout = m.session_timeout_ms;
    for (const auto& p : m.protocols) {
      if (group.protocol_name && p.name == *group.protocol_name) out.subscription = p.metadata;
    }
    out.assignment = m.assignment;
    value.members.push_back(std::move(out));
  }
  ready.records.push_back(GroupMetadataRecord({group.group_id}, value));
}

Errc GroupCoordinator::CheckCoordinator(const std::string& group_id) const {
  if (!active_) return Errc::kNotCoordinator;
  if (group_id.empty()) return Errc::kInvalidGroupId;
  if (PartitionForGroup(group_id, settings_.offsets_topic_num_partitions) != offsets_partition_) {
    return Errc::kNotCoordinator;
  }
  return Errc::kNone;
}

// ClassicGroup.validateMember: a static member is known by its instance id, and a different
// member id with that instance id has been fenced by a newer one.
Errc GroupCoordinator::ValidateMember(const ClassicGroup& group, const std::string& member_id,
                                      const std::optional<std::string>& instance_id) const {
  if (instance_id) {
    const auto it = group.static_members.find(*instance_id);
    if (it == group.static_members.end()) return Errc::kUnknownMemberId;
    if (it->second != member_id) return Errc::kFencedInstanceId;
    return Errc::kNone;
  }
  return group.members.contains(member_id) ? Errc::kNone : Errc::kUnknownMemberId;
}

// --- JoinGroup ---

void GroupCoordinator::JoinGroup(GroupRequestId id, const JoinGroupRequest& request, Time now,
                                 GroupCoordinatorReady& ready) {
  const auto fail = [&](Errc error) {
    JoinGroupResponse response;
    response.error = error;
    response.member_id = request.member_id;
    Respond(ready, id, request.group_id, request.member_id, response);
  };
  if (Errc e = CheckCoordinator(request.group_id); e != Errc::kNone) return fail(e);
  if (request.session_timeout_ms < settings_.group_min_session_timeout_ms ||
      request.session_timeout_ms > settings_.group_max_session_timeout_ms) {
    return fail(Errc::kInvalidSessionTimeout);
  }
  // A KIP-848 group: classic members joining it (the upgrade path) are not modelled.
  if (consumer_groups_.contains(request.group_id)) {
    return fail(Errc::kInconsistentGroupProtocol);
  }
  auto it = groups_.find(request.group_id);
  if (it == groups_.end()) {
    // Only an unknown member creates the group (getOrMaybeCreateClassicGroup).
    if (!request.member_id.empty()) return fail(Errc::kUnknownMemberId);
    ClassicGroup group;
    group.group_id = request.group_id;
    it = groups_.emplace(request.group_id, std::move(group)).first;
  }
  ClassicGroup& group = it->second;
  if (group.state == GroupState::kDead) return fail(Errc::kCoordinatorNotAvailable);
  if (!SupportsProtocols(group, request.protocol_type, request.protocols)) {
    return fail(Errc::kInconsistentGroupProtocol);
  }
  if (request.member_id.empty()) {
    JoinUnknownMember(id, group, request, now, ready);
  } else {
    JoinKnownMember(id, group, request, now, ready);
  }
}

void GroupCoordinator::JoinUnknownMember(GroupRequestId id, ClassicGroup& group,
                                         const JoinGroupRequest& request, Time now,
                                         GroupCoordinatorReady& ready) {
  if (static_cast<std::int64_t>(group.members.size()) >= settings_.group_max_size) {
    JoinGroupResponse response;
    response.error = Errc::kGroupMaxSizeReached;
    Respond(ready, id, group.group_id, "", response);
    return;
  }
  if (request.group_instance_id) {
    const auto existing = group.static_members.find(*request.group_instance_id);
    if (existing != group.static_members.end()) {
      const std::string old_member_id = existing->second;
      JoinStaticMemberAgain(id, group, request, old_member_id, now, ready);
      return;
    }
    // A new static member needs no MEMBER_ID_REQUIRED round trip.
    AddMemberAndRebalance(id, group, request, NewMemberId(request.client_id), now, ready);
    return;
  }
  if (!request.require_known_member_id) {
    // GroupMetadataManager.classicGroupJoinNewMember: JoinGroup below v4 joins directly.
    AddMemberAndRebalance(id, group, request, NewMemberId(request.client_id), now, ready);
    return;
  }
  // KIP-394: hand out a member id and ask the member to join again with it; until it does
  // it is pending and expires after its session timeout.
  const std::string member_id = NewMemberId(request.client_id);
  group.pending_member_deadlines[member_id] = now + Milliseconds(request.session_timeout_ms);
  JoinGroupResponse response;
  response.error = Errc::kMemberIdRequired;
  response.member_id = member_id;
  Respond(ready, id, group.group_id, "", response);
  Note(ready, group, "group.member.id",
       "gave " + request.client_id + " member id " + member_id + " (MEMBER_ID_REQUIRED)");
  ready.probes.push_back("group.member_id_required");
}

void GroupCoordinator::JoinKnownMember(GroupRequestId id, ClassicGroup& group,
                                       const JoinGroupRequest& request, Time now,
                                       GroupCoordinatorReady& ready) {
  const auto fail = [&](Errc error) {
    JoinGroupResponse response;
    response.error = error;
    response.member_id = request.member_id;
    Respond(ready, id, group.group_id, request.member_id, response);
  };
  if (group.pending_member_deadlines.erase(request.member_id) > 0) {
    AddMemberAndRebalance(id, group, request, request.member_id, now, ready);
    return;
  }
  if (Errc e = ValidateMember(group, request.member_id, request.group_instance_id);
      e != Errc::kNone) {
    return fail(e);
  }
  ClassicGroupMember& member = group.members.at(request.member_id);
  switch (group.state) {
    case GroupState::kPreparingRebalance:
      UpdateMemberAndRebalance(id, group, member, request, now, ready);
      return;
    case GroupState::kCompletingRebalance:
      // The member lost the join response: send it again, unless its protocols changed.
      if (member.protocols == request.protocols) {
        Respond(ready, id, group.group_id, member.member_id,
                JoinResponseFor(group, member, group.leader_id == member.member_id));
      } else {
        UpdateMemberAndRebalance(id, group, member, request, now, ready);
      }
      return;
    case GroupState::kStable:
      // A follower with unchanged protocols just gets the current generation; the leader
      // or a changed subscription forces a rebalance.
      if (group.leader_id == member.member_id || member.protocols != request.protocols) {
        UpdateMemberAndRebalance(id, group, member, request, now, ready);
      } else {
        Respond(ready, id, group.group_id, member.member_id, JoinResponseFor(group, member, false));
      }
      return;
    case GroupState::kEmpty:
    case GroupState::kDead:
      return fail(Errc::kUnknownMemberId);
  }
}

// A static member rejoining with an unknown member id takes over its instance's membership
// under a new id; the old id is fenced (FENCED_INSTANCE_ID). In a Stable group with the same
// protocols it keeps its assignment without a rebalance (KIP-345).
void GroupCoordinator::JoinStaticMemberAgain(GroupRequestId id, ClassicGroup& group,
                                             const JoinGroupRequest& request,
                                             const std::string& old_member_id, Time now,
                                             GroupCoordinatorReady& ready) {
  const std::string new_member_id = NewMemberId(request.client_id);
  ClassicGroupMember& old_member = group.members.at(old_member_id);
  ClassicGroupMember member = old_member;
  old_member.awaiting_join.reset();
  old_member.awaiting_sync.reset();
  // The old member's held requests are answered with FENCED_INSTANCE_ID.
  if (member.awaiting_join) {
    JoinGroupResponse fenced;
    fenced.error = Errc::kFencedInstanceId;
    fenced.member_id = old_member_id;
    Respond(ready, *member.awaiting_join, group.group_id, old_member_id, fenced);
    member.awaiting_join.reset();
  }
  if (member.awaiting_sync) {
    SyncGroupResponse fenced;
    fenced.error = Errc::kFencedInstanceId;
    Respond(ready, *member.awaiting_sync, group.group_id, old_member_id, fenced);
    member.awaiting_sync.reset();
  }
  const bool was_leader = group.leader_id == old_member_id;
  const bool was_pending_sync = group.pending_sync.contains(old_member_id);
  RemoveFromMap(group, old_member_id, ready);
  const std::vector<JoinGroupProtocol> old_protocols = member.protocols;
  member.member_id = new_member_id;
  member.session_timeout_ms = request.session_timeout_ms;
  member.rebalance_timeout_ms = request.rebalance_timeout_ms;
  member.client_id = request.client_id;
  member.client_host = request.client_host;
  AddToMap(group, member);
  if (was_leader) group.leader_id = new_member_id;
  if (was_pending_sync) group.pending_sync.insert(new_member_id);
  ClassicGroupMember& replaced = group.members.at(new_member_id);
  Note(ready, group, "group.static.replaced",
       "static member " + *request.group_instance_id + " rejoined as " + new_member_id + " (" +
           old_member_id + " is fenced)");
  ready.probes.push_back("group.static_member.replaced");
  if (group.state == GroupState::kStable && old_protocols == request.protocols) {
    ScheduleHeartbeat(replaced, now);
    StoreGroup(group, ready);
    JoinGroupResponse response = JoinResponseFor(group, replaced, was_leader);
    // KIP-814: a returning static leader learns the members but must not reassign.
    response.skip_assignment = was_leader;
    Respond(ready, id, group.group_id, new_member_id, response);
    return;
  }
  UpdateMemberAndRebalance(id, group, replaced, request, now, ready);
}

void GroupCoordinator::AddMemberAndRebalance(GroupRequestId id, ClassicGroup& group,
                                             const JoinGroupRequest& request,
                                             const std::string& member_id, Time now,
                                             GroupCoordinatorReady& ready) {
  ClassicGroupMember member;
  member.member_id = member_id;
  member.group_instance_id = request.group_instance_id;
  member.client_id = request.client_id;
  member.client_host = request.client_host;
  member.session_timeout_ms = request.session_timeout_ms;
  member.rebalance_timeout_ms = request.rebalance_timeout_ms;
  member.protocol_type = request.protocol_type;
  member.protocols = request.protocols;
  member.awaiting_join = id;
  member.is_new = true;
  // A new member cannot heartbeat before its join completes: its join times out instead.
  member.heartbeat_deadline = now + Milliseconds(settings_.new_member_join_timeout_ms);
  AddToMap(group, std::move(member));
  if (group.state == GroupState::kPreparingRebalance && group.initial_rebalance) {
    group.new_member_added = true;
  }
  Note(ready, group, "group.join",
       "rebalancing: member " + member_id + " joined (generation " +
           std::to_string(group.generation_id) + ")");
  MaybePrepareRebalance(group, "member " + member_id + " joined", now, ready);
  MaybeCompleteJoin(group, now, ready);
}

void GroupCoordinator::UpdateMemberAndRebalance(GroupRequestId id, ClassicGroup& group,
                                                ClassicGroupMember& member,
                                                const JoinGroupRequest& request, Time now,
                                                GroupCoordinatorReady& ready) {
  member.protocols = request.protocols;
  member.session_timeout_ms = request.session_timeout_ms;
  member.rebalance_timeout_ms = request.rebalance_timeout_ms;
  if (member.awaiting_join && *member.awaiting_join != id) {
    // A second JoinGroup replaces the first, which is answered as superseded.
    JoinGroupResponse superseded;
    superseded.error = Errc::kUnknownMemberId;
    superseded.member_id = member.member_id;
    Respond(ready, *member.awaiting_join, group.group_id, member.member_id, superseded);
  }
  member.awaiting_join = id;
  const std::string member_id = member.member_id;
  MaybePrepareRebalance(group, "member " + member_id + " rejoined", now, ready);
  MaybeCompleteJoin(group, now, ready);
}

// --- Rebalance ---

void GroupCoordinator::MaybePrepareRebalance(ClassicGroup& group, const std::string& reason,
                                             Time now, GroupCoordinatorReady& ready) {
  if (group.state == GroupState::kStable || group.state == GroupState::kCompletingRebalance ||
      group.state == GroupState::kEmpty) {
    PrepareRebalance(group, reason, now, ready);
  }
}

void GroupCoordinator::PrepareRebalance(ClassicGroup& group, const std::string& reason, Time now,
                                        GroupCoordinatorReady& ready) {
  if (group.state == GroupState::kCompletingRebalance) {
    // Members waiting for their assignment must rejoin (resetAndPropagateAssignmentWithError).
    for (auto& [id, member] : group.members) {
      member.assignment.clear();
      if (!member.awaiting_sync) continue;
      SyncGroupResponse response;
      response.error = Errc::kRebalanceInProgress;
      Respond(ready, *member.awaiting_sync, group.group_id, id, response);
      member.awaiting_sync.reset();
    }
  }
  group.pending_sync.clear();
  group.sync_deadline.reset();
  std::int32_t rebalance_timeout_ms = 0;
  for (const auto& [id, member] : group.members) {
    rebalance_timeout_ms = std::max(rebalance_timeout_ms, member.rebalance_timeout_ms);
  }
  group.initial_rebalance = group.state == GroupState::kEmpty;
  if (group.initial_rebalance) {
    // group.initial.rebalance.delay.ms, extended while members keep joining, within the
    // rebalance timeout.
    const std::int64_t delay =
        std::min<std::int64_t>(settings_.group_initial_rebalance_delay_ms, rebalance_timeout_ms);
    group.new_member_added = false;
    group.initial_remaining_ms = std::max<std::int64_t>(rebalance_timeout_ms - delay, 0);
    group.join_deadline = now + Milliseconds(delay);
  } else {
    group.join_deadline = now + Milliseconds(rebalance_timeout_ms);
  }
  TransitionTo(group, GroupState::kPreparingRebalance, now, ready);
  Note(ready, group, "group.rebalance", "preparing to rebalance: " + reason);
  ready.probes.push_back("group.rebalance");
}

void GroupCoordinator::MaybeCompleteJoin(ClassicGroup& group, Time now,
                                         GroupCoordinatorReady& ready) {
  if (group.state != GroupState::kPreparingRebalance || group.initial_rebalance) return;
  const bool all_joined = group.pending_member_deadlines.empty() &&
                          std::all_of(group.members.begin(), group.members.end(),
                                      [](const auto& e) { return e.second.awaiting_join; });
  if (all_joined) CompleteJoin(group, now, ready);
}

// completeClassicGroupJoin: members that did not rejoin are removed, the generation advances,
// the protocol is chosen and every joined member gets its response (the leader with the
// members' subscriptions).
void GroupCoordinator::CompleteJoin(ClassicGroup& group, Time now, GroupCoordinatorReady& ready) {
  KSIM_ASSERT(group.state == GroupState::kPreparingRebalance);
  group.join_deadline.reset();
  group.initial_rebalance = false;
  std::vector<std::string> not_rejoined;
  for (const auto& [id, member] : group.members) {
    if (!member.awaiting_join) not_rejoined.push_back(id);
  }
  for (const auto& id : not_rejoined) {
    Note(ready, group, "group.member.removed", "removed member " + id + ": did not rejoin in time");
    RemoveFromMap(group, id, ready);
  }
  group.pending_member_deadlines.clear();
  ++group.generation_id;
  group.protocol_name = SelectProtocol(group);
  if (group.members.empty()) {
    group.protocol_name.reset();
    group.leader_id.reset();
    TransitionTo(group, GroupState::kEmpty, now, ready);
    Note(ready, group, "group.empty",
         "is Empty at generation " + std::to_string(group.generation_id));
    StoreGroup(group, ready);
    return;
  }
  TransitionTo(group, GroupState::kCompletingRebalance, now, ready);
  std::string members;
  for (const auto& id : group.MemberOrder()) members += (members.empty() ? "" : ", ") + id;
  Note(ready, group, "group.generation",
       "generation " + std::to_string(group.generation_id) + " (" + Quote(group.protocol_name) +
           "): leader " + group.leader_id.value_or("none") + ", members " + members);
  std::int32_t rebalance_timeout_ms = 0;
  for (auto& [id, member] : group.members) {
    const bool leader = group.leader_id == id;
    Respond(ready, *member.awaiting_join, group.group_id, id,
            JoinResponseFor(group, member, leader));
    member.awaiting_join.reset();
    member.is_new = false;
    ScheduleHeartbeat(member, now);
    group.pending_sync.insert(id);
    rebalance_timeout_ms = std::max(rebalance_timeout_ms, member.rebalance_timeout_ms);
  }
  // Members that never send SyncGroup are removed after the rebalance timeout.
  group.sync_deadline = now + Milliseconds(rebalance_timeout_ms);
}

// --- SyncGroup ---

void GroupCoordinator::SyncGroup(GroupRequestId id, const SyncGroupRequest& request, Time now,
                                 GroupCoordinatorReady& ready) {
  const auto fail = [&](Errc error) {
    SyncGroupResponse response;
    response.error = error;
    Respond(ready, id, request.group_id, request.member_id, response);
  };
  if (Errc e = CheckCoordinator(request.group_id); e != Errc::kNone) return fail(e);
  const auto it = groups_.find(request.group_id);
  if (it == groups_.end()) return fail(Errc::kUnknownMemberId);
  ClassicGroup& group = it->second;
  if (group.state == GroupState::kDead) return fail(Errc::kCoordinatorNotAvailable);
  if (Errc e = ValidateMember(group, request.member_id, request.group_instance_id);
      e != Errc::kNone) {
    return fail(e);
  }
  if (request.generation_id != group.generation_id) return fail(Errc::kIllegalGeneration);
  if ((request.protocol_type && *request.protocol_type != group.protocol_type) ||
      (request.protocol_name && *request.protocol_name != group.protocol_name.value_or(""))) {
    return fail(Errc::kInconsistentGroupProtocol);
  }
  ClassicGroupMember& member = group.members.at(request.member_id);
  switch (group.state) {
    case GroupState::kEmpty:
    case GroupState::kDead:
      return fail(Errc::kUnknownMemberId);
    case GroupState::kPreparingRebalance:
      return fail(Errc::kRebalanceInProgress);
    case GroupState::kCompletingRebalance: {
      group.pending_sync.erase(member.member_id);
      member.awaiting_sync = id;
      ScheduleHeartbeat(member, now);
      if (group.leader_id != member.member_id) return;
      // The leader's assignment: members it left out get an empty one.
      for (auto& [member_id, m] : group.members) {
        const auto a = request.assignments.find(member_id);
        m.assignment = a == request.assignments.end() ? GroupBytes{} : a->second;
      }
      TransitionTo(group, GroupState::kStable, now, ready);
      StoreGroup(group, ready);
      Note(ready, group, "group.stable",
           "is Stable at generation " + std::to_string(group.generation_id) + " with " +
               std::to_string(group.members.size()) + " member(s)");
      CompleteSync(group, ready);
      return;
    }
    case GroupState::kStable: {
      group.pending_sync.erase(member.member_id);
      ScheduleHeartbeat(member, now);
      SyncGroupResponse response;
      response.protocol_type = group.protocol_type;
      response.protocol_name = group.protocol_name;
      response.assignment = member.assignment;
      Respond(ready, id, group.group_id, member.member_id, response);
      return;
    }
  }
}

void GroupCoordinator::CompleteSync(ClassicGroup& group, GroupCoordinatorReady& ready) {
  for (auto& [id, member] : group.members) {
    if (!member.awaiting_sync) continue;
    SyncGroupResponse response;
    response.protocol_type = group.protocol_type;
    response.protocol_name = group.protocol_name;
    response.assignment = member.assignment;
    Respond(ready, *member.awaiting_sync, group.group_id, id, response);
    member.awaiting_sync.reset();
  }
}

// --- Heartbeat ---

void GroupCoordinator::Heartbeat(GroupRequestId id, const HeartbeatRequest& request, Time now,
                                 GroupCoordinatorReady& ready) {
  HeartbeatResponse response;
  const auto answer = [&](Errc error) {
    response.error = error;
    Respond(ready, id, request.group_id, request.member_id, response);
  };
  if (Errc e = CheckCoordinator(request.group_id); e != Errc::kNone) return answer(e);
  const auto it = groups_.find(request.group_id);
  if (it == groups_.end()) return answer(Errc::kUnknownMemberId);
  ClassicGroup& group = it->second;
  if (group.state == GroupState::kDead) return answer(Errc::kCoordinatorNotAvailable);
  if (Errc e = ValidateMember(group, request.member_id, request.group_instance_id);
      e != Errc::kNone) {
    return answer(e);
  }
  if (request.generation_id != group.generation_id) return answer(Errc::kIllegalGeneration);
  ClassicGroupMember& member = group.members.at(request.member_id);
  switch (group.state) {
    case GroupState::kEmpty:
    case GroupState::kDead:
      return answer(Errc::kUnknownMemberId);
    case GroupState::kPreparingRebalance:
      ScheduleHeartbeat(member, now);
      return answer(Errc::kRebalanceInProgress);
    case GroupState::kCompletingRebalance:
    case GroupState::kStable:
      ScheduleHeartbeat(member, now);
      return answer(Errc::kNone);
  }
}

// --- LeaveGroup and member removal ---

void GroupCoordinator::LeaveGroup(GroupRequestId id, const LeaveGroupRequest& request, Time now,
                                  GroupCoordinatorReady& ready) {
  LeaveGroupResponse response;
  const auto answer = [&](Errc error) {
    response.error = error;
    Respond(ready, id, request.group_id, "", response);
  };
  if (Errc e = CheckCoordinator(request.group_id); e != Errc::kNone) return answer(e);
  const auto it = groups_.find(request.group_id);
  if (it == groups_.end()) return answer(Errc::kUnknownMemberId);
  ClassicGroup& group = it->second;
  if (group.state == GroupState::kDead) return answer(Errc::kCoordinatorNotAvailable);
  for (const auto& leaving : request.members) {
    LeaveGroupResponse::Member out{leaving.member_id, leaving.group_instance_id, Errc::kNone};
    std::string member_id = leaving.member_id;
    if (leaving.group_instance_id) {
      // A static member may leave by instance id alone (kafka-consumer-groups, KIP-345).
      const auto s = group.static_members.find(*leaving.group_instance_id);
      if (s == group.static_members.end()) {
        out.error = Errc::kUnknownMemberId;
      } else if (!member_id.empty() && member_id != s->second) {
        out.error = Errc::kFencedInstanceId;
      } else {
        member_id = s->second;
      }
    } else if (group.pending_member_deadlines.erase(member_id) > 0) {
      response.members.push_back(out);
      MaybeCompleteJoin(group, now, ready);
      continue;
    } else if (!group.members.contains(member_id)) {
      out.error = Errc::kUnknownMemberId;
    }
    response.members.push_back(out);
    if (out.error != Errc::kNone) continue;
    const std::string reason =
        leaving.reason.empty() ? "the consumer is being closed" : leaving.reason;
    RemoveMember(group, member_id, "left the group (" + reason + ")", now, ready);
  }
  answer(Errc::kNone);
}

// removeMemberAndUpdateClassicGroup: a Stable or CompletingRebalance group rebalances; a
// group already preparing may now have everyone it waits for.
void GroupCoordinator::RemoveMember(ClassicGroup& group, const std::string& member_id,
                                    const std::string& reason, Time now,
                                    GroupCoordinatorReady& ready) {
  Note(ready, group, "group.member.removed", "member " + member_id + " " + reason);
  RemoveFromMap(group, member_id, ready);
  switch (group.state) {
    case GroupState::kStable:
    case GroupState::kCompletingRebalance:
      PrepareRebalance(group, "member " + member_id + " " + reason, now, ready);
      MaybeCompleteJoin(group, now, ready);
      return;
    case GroupState::kPreparingRebalance:
      MaybeCompleteJoin(group, now, ready);
      return;
    case GroupState::kEmpty:
    case GroupState::kDead:
      return;
  }
}

// --- Offsets ---

void GroupCoordinator::OffsetCommit(GroupRequestId id, const OffsetCommitRequest& request, Time now,
                                    GroupCoordinatorReady& ready) {
  OffsetCommitResponse response;
  const auto answer = [&](Errc error) {
    response.error = error;
    for (const auto& p : request.partitions) {
      response.partitions.push_back({{p.topic, p.partition}, error});
    }
    Respond(ready, id, request.group_id, request.member_id, response);
  };
  if (Errc e = CheckCoordinator(request.group_id); e != Errc::kNone) return answer(e);
  if (OffsetCommitConsumerGroup(id, request, now, ready)) return;
  auto it = groups_.find(request.group_id);
  if (it == groups_.end()) {
    // A commit outside any membership creates an Empty group to hold the offsets; a member
    // of a generation the coordinator never heard of is unknown.
    if (request.generation_id >= 0 || !request.member_id.empty()) {
      return answer(Errc::kIllegalGeneration);
    }
    ClassicGroup group;
    group.group_id = request.group_id;
    group.protocol_type = std::string(kConsumerProtocolType);
    it = groups_.emplace(request.group_id, std::move(group)).first;
  }
  ClassicGroup& group = it->second;
  // OffsetMetadataManager.validateOffsetCommit for classic groups.
  if (group.state == GroupState::kDead) return answer(Errc::kCoordinatorNotAvailable);
  if (request.generation_id >= 0 || !request.member_id.empty() || request.group_instance_id) {
    if (Errc e = ValidateMember(group, request.member_id, request.group_instance_id);
        e != Errc::kNone) {
      return answer(e);
    }
    if (request.generation_id != group.generation_id) return answer(Errc::kIllegalGeneration);
    if (group.state == GroupState::kCompletingRebalance) {
      return answer(Errc::kRebalanceInProgress);
    }
  } else if (group.state != GroupState::kEmpty) {
    return answer(Errc::kUnknownMemberId);
  }
  for (const auto& p : request.partitions) {
    const TopicPartition tp{p.topic, p.partition};
    if (static_cast<std::int64_t>(p.metadata.size()) > settings_.offset_metadata_max_bytes) {
      response.partitions.push_back({tp, Errc::kOffsetMetadataTooLarge});
      continue;
    }
    const CommittedOffset committed{p.offset, p.leader_epoch, p.metadata, now.Millis()};
    group.offsets[tp] = committed;
    ready.records.push_back(
        OffsetCommitRecord({group.group_id, p.topic, p.partition},
                           {p.offset, p.leader_epoch, p.metadata, now.Millis(), -1}));
    response.partitions.push_back({tp, Errc::kNone});
    Note(ready, group, "group.offset.commit",
         "committed offset " + std::to_string(p.offset) + " for " + tp.ToString() +
             (request.member_id.empty() ? "" : " (member " + request.member_id + ")"));
  }
  Respond(ready, id, group.group_id, request.member_id, response);
}

void GroupCoordinator::OffsetFetch(GroupRequestId id, const OffsetFetchRequest& request, Time now,
                                   GroupCoordinatorReady& ready) {
  (void)now;
  OffsetFetchResponse response;
  if (Errc e = CheckCoordinator(request.group_id); e != Errc::kNone) {
    response.error = e;
    Respond(ready, id, request.group_id, "", response);
    return;
  }
  const std::map<TopicPartition, CommittedOffset>* offsets = nullptr;
  if (const ClassicGroup* g = group(request.group_id)) offsets = &g->offsets;
  if (const ConsumerGroup* g = consumer_group(request.group_id)) offsets = &g->offsets;
  if (request.partitions) {
    for (const auto& tp : *request.partitions) {
      CommittedOffset committed;
      if (offsets) {
        const auto it = offsets->find(tp);
        if (it != offsets->end()) committed = it->second;
      }
      response.partitions.push_back({tp, committed});
    }
  } else if (offsets) {
    for (const auto& [tp, committed] : *offsets) response.partitions.push_back({tp, committed});
  }
  Respond(ready, id, request.group_id, "", response);
}

// --- Timers ---

std::optional<Time> GroupCoordinator::NextDeadline() const {
  std::optional<Time> next;
  const auto consider = [&](const std::optional<Time>& t) {
    if (t && (!next || *t < *next)) next = t;
  };
  for (const auto& [group_id, group] : groups_) {
    consider(group.join_deadline);
    consider(group.sync_deadline);
    for (const auto& [id, deadline] : group.pending_member_deadlines) consider(deadline);
    for (const auto& [id, member] : group.members) consider(member.heartbeat_deadline);
  }
  for (const auto& [group_id, group] : consumer_groups_) {
    for (const auto& [id, member] : group.members) {
      consider(member.session_deadline);
      consider(member.rebalance_deadline);
    }
  }
  return next;
}

void GroupCoordinator::Tick(Time now, GroupCoordinatorReady& ready) {
  ConsumerTick(now, ready);
  for (auto& [group_id, group] : groups_) {
    // Pending members that never came back with their id (KIP-394).
    for (auto p = group.pending_member_deadlines.begin();
         p != group.pending_member_deadlines.end();) {
      if (p->second > now) {
        ++p;
        continue;
      }
      Note(ready, group, "group.member.expired",
           "pending member " + p->first + " expired: it never rejoined with its member id");
      p = group.pending_member_deadlines.erase(p);
      MaybeCompleteJoin(group, now, ready);
    }
    // Session timeouts (expireClassicGroupMemberHeartbeat): a member waiting in a join or a
    // sync counts as alive, except a new member whose join timed out.
    std::vector<std::string> expired;
    for (auto& [id, member] : group.members) {
      if (!member.heartbeat_deadline || *member.heartbeat_deadline > now) continue;
      member.heartbeat_deadline.reset();
      if (!member.is_new && (member.awaiting_join || member.awaiting_sync)) continue;
      expired.push_back(id);
    }
    for (const auto& id : expired) {
      ready.probes.push_back("group.member.session_timeout");
      const auto& member = group.members.at(id);
      RemoveMember(group, id,
                   member.is_new ? "expired: its JoinGroup timed out"
                                 : "expired: no heartbeat within session.timeout.ms (" +
                                       std::to_string(member.session_timeout_ms) + " ms)",
                   now, ready);
    }
    // The join phase ends.
    if (group.state == GroupState::kPreparingRebalance && group.join_deadline &&
        *group.join_deadline <= now) {
      if (group.initial_rebalance && group.new_member_added && group.initial_remaining_ms > 0) {
        // Someone joined during the delay: wait again, within what is left of the timeout.
        const std::int64_t delay = std::min<std::int64_t>(
            settings_.group_initial_rebalance_delay_ms, group.initial_remaining_ms);
        group.initial_remaining_ms -= delay;
        group.new_member_added = false;
        group.join_deadline = now + Milliseconds(delay);
      } else {
        CompleteJoin(group, now, ready);
      }
    }
    // The sync phase ends: members that never sent SyncGroup are removed (pending sync).
    if (group.sync_deadline && *group.sync_deadline <= now) {
      group.sync_deadline.reset();
      if ((group.state == GroupState::kCompletingRebalance || group.state == GroupState::kStable) &&
          !group.pending_sync.empty()) {
        const std::vector<std::string> missing(group.pending_sync.begin(),
                                               group.pending_sync.end());
        for (const auto& id : missing) {
          Note(ready, group, "group.member.removed",
               "removed member " + id + ": no SyncGroup within the rebalance timeout");
          RemoveFromMap(group, id, ready);
        }
        PrepareRebalance(group, "members did not sync in time", now, ready);
        MaybeCompleteJoin(group, now, ready);
      }
      group.pending_sync.clear();
    }
  }
}

// --- Failover ---

Status GroupCoordinator::LoadFromRecords(const std::vector<GroupRecord>& records, Time now,
                                         GroupCoordinatorReady& ready) {
  active_ = true;
  std::size_t index = 0;
  for (const auto& record : records) {
    if (IsConsumerGroupRecordKey(record.key)) {
      auto consumer = DecodeConsumerGroupRecord(record.key, record.value);
      if (!consumer.ok()) {
        return {consumer.status().code(),
                "record " + std::to_string(index) + ": " + consumer.status().message()};
      }
      ++index;
      ReplayConsumerRecord(*consumer);
      continue;
    }
    auto decoded = DecodeGroupRecord(record.key, record.value);
    if (!decoded.ok()) {
      return {decoded.status().code(),
              "record " + std::to_string(index) + ": " + decoded.status().message()};
    }
    ++index;
    if (const auto* offset = std::get_if<DecodedOffsetCommit>(&*decoded)) {
      if (const auto c = consumer_groups_.find(offset->key.group); c != consumer_groups_.end()) {
        const TopicPartition tp{offset->key.topic, offset->key.partition};
        if (!offset->value) {
          c->second.offsets.erase(tp);
        } else {
          const auto& v = *offset->value;
          c->second.offsets[tp] = {v.offset, v.leader_epoch, v.metadata, v.commit_timestamp};
        }
        continue;
      }
      ClassicGroup& group = groups_[offset->key.group];
      group.group_id = offset->key.group;
      const TopicPartition tp{offset->key.topic, offset->key.partition};
      if (!offset->value) {
        group.offsets.erase(tp);
        continue;
      }
      const auto& v = *offset->value;
      group.offsets[tp] = {v.offset, v.leader_epoch, v.metadata, v.commit_timestamp};
      continue;
    }
    const auto& metadata = std::get<DecodedGroupMetadata>(*decoded);
    if (!metadata.value) {
      // The group's record is deleted; its offsets are records of their own and stay (they
      // move to the consumer group when an empty classic group is converted).
      const auto it = groups_.find(metadata.key.group);
      if (it == groups_.end()) continue;
      auto offsets = std::move(it->second.offsets);
      if (offsets.empty()) {
        groups_.erase(it);
        continue;
      }
      it->second = ClassicGroup{};
      it->second.group_id = metadata.key.group;
      it->second.offsets = std::move(offsets);
      continue;
    }
    const auto& v = *metadata.value;
    ClassicGroup& group = groups_[metadata.key.group];
    const auto offsets = std::move(group.offsets);
    group = ClassicGroup{};
    group.group_id = metadata.key.group;
    group.offsets = offsets;
    group.protocol_type = v.protocol_type;
    group.generation_id = v.generation;
    group.protocol_name = v.protocol;
    group.current_state_timestamp_ms = v.current_state_timestamp;
    for (const auto& m : v.members) {
      ClassicGroupMember member;
      member.member_id = m.member_id;
      member.group_instance_id = m.group_instance_id;
      member.client_id = m.client_id;
      member.client_host = m.client_host;
      member.rebalance_timeout_ms = m.rebalance_timeout;
      member.session_timeout_ms = m.session_timeout;
      member.protocol_type = v.protocol_type;
      member.protocols = {{v.protocol.value_or(""), m.subscription}};
      member.assignment = m.assignment;
      AddToMap(group, std::move(member));
    }
    group.leader_id = v.leader;
    group.state = group.members.empty() ? GroupState::kEmpty : GroupState::kStable;
  }
  // Loaded members must heartbeat to the new coordinator within their session timeout.
  for (auto& [group_id, group] : groups_) {
    for (auto& [id, member] : group.members) ScheduleHeartbeat(member, now);
    Note(ready, group, "group.loaded",
         "loaded from __consumer_offsets-" + std::to_string(offsets_partition_) + ": " +
             std::string(GroupStateName(group.state)) + ", generation " +
             std::to_string(group.generation_id) + ", " + std::to_string(group.members.size()) +
             " member(s), " + std::to_string(group.offsets.size()) + " committed offset(s)");
  }
  for (auto& [group_id, group] : consumer_groups_) {
    group.subscription_metadata = SubscriptionMetadata(group);
    for (auto& [id, member] : group.members) {
      member.session_deadline = now + Milliseconds(settings_.consumer_session_timeout_ms);
      if (member.state == ConsumerMemberState::kUnrevokedPartitions) {
        member.rebalance_deadline = now + Milliseconds(member.rebalance_timeout_ms);
      }
    }
    ConsumerNote(ready, group, "group.loaded",
                 "loaded from __consumer_offsets-" + std::to_string(offsets_partition_) + ": " +
                     std::string(ConsumerGroupStateName(group.State())) + ", group epoch " +
                     std::to_string(group.group_epoch) + ", target assignment epoch " +
                     std::to_string(group.target_assignment_epoch) + ", " +
                     std::to_string(group.members.size()) + " member(s), " +
                     std::to_string(group.offsets.size()) + " committed offset(s)");
  }
  return Status::Ok();
}

GroupCoordinatorSnapshot GroupCoordinator::Snapshot() const {
  return GroupCoordinatorSnapshot{groups_, consumer_groups_, member_ids_};
}

void GroupCoordinator::Revert(GroupCoordinatorSnapshot snapshot,
                              const std::set<GroupRequestId>& answered) {
  KSIM_ASSERT(active_);
  groups_ = std::move(snapshot.groups);
  consumer_groups_ = std::move(snapshot.consumer_groups);
  member_ids_ = snapshot.member_ids;
  // A member whose held JoinGroup or SyncGroup was answered with the error sends a new one.
  for (auto& [group_id, group] : groups_) {
    for (auto& [member_id, member] : group.members) {
      if (member.awaiting_join && answered.contains(*member.awaiting_join)) {
        member.awaiting_join.reset();
      }
      if (member.awaiting_sync && answered.contains(*member.awaiting_sync)) {
        member.awaiting_sync.reset();
      }
    }
  }
}

void GroupCoordinator::Unload(GroupCoordinatorReady& ready) {
  for (auto& [group_id, group] : groups_) {
    for (auto& [id, member] : group.members) {
      if (member.awaiting_join) {
        JoinGroupResponse response;
        response.error = Errc::kNotCoordinator;
        response.member_id = id;
        Respond(ready, *member.awaiting_join, group_id, id, response);
      }
      if (member.awaiting_sync) {
        SyncGroupResponse response;
        response.error = Errc::kNotCoordinator;
        Respond(ready, *member.awaiting_sync, group_id, id, response);
      }
    }
    const GroupState from = group.state;
    group.state = GroupState::kDead;
    ready.state_changes.push_back({group_id, from, GroupState::kDead, group.generation_id});
  }
  groups_.clear();
  consumer_groups_.clear();
  active_ = false;
}

}  // namespace kafkasim::kafka
