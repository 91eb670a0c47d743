// The classic group coordinator (Kafka's GroupMetadataManager classic paths, ClassicGroup,
// ClassicGroupMember) as a pure core: the host feeds it JoinGroup, SyncGroup, Heartbeat,
// LeaveGroup, OffsetCommit and OffsetFetch requests with `now`, and Tick(now) for its timers;
// each call appends to a GroupCoordinatorReady what it produced: responses addressed by the
// host's request id (JoinGroup and SyncGroup answers are held, as in Kafka's purgatory, and
// released by a later call), records to append to this coordinator's __consumer_offsets
// partition, trace notes and state changes. No clock, no I/O, no callbacks.
// Host contract: append `records` before sending `responses` (Kafka answers after the append
// commits); the coordinator applies its own writes at once and rebuilds from the log with
// LoadFromRecords when it becomes the coordinator of the partition.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/prng.h"
#include "engine/status.h"
#include "engine/time.h"
#include "engine/trace.h"
#include "kafka/assignors.h"
#include "kafka/assignors_server.h"
#include "kafka/group_records.h"
#include "kafka/group_records_consumer.h"

namespace kafkasim::kafka {

// Broker configs of the group coordinator (GroupCoordinatorConfig) with Kafka's defaults.
struct GroupCoordinatorSettings {
  std::int32_t group_min_session_timeout_ms = 6000;
  std::int32_t group_max_session_timeout_ms = 1800000;
  std::int32_t group_initial_rebalance_delay_ms = 3000;
  std::int32_t group_max_size = INT32_MAX;  // group.classic.max.size
  std::int32_t offset_metadata_max_bytes = 4096;
  std::int32_t offsets_topic_num_partitions = 50;
  // A new member's JoinGroup is timed out after this long (classicGroupNewMemberJoinTimeoutMs).
  std::int32_t new_member_join_timeout_ms = 300000;
  // KIP-848 (GroupCoordinatorConfig): group.consumer.session.timeout.ms,
  // group.consumer.heartbeat.interval.ms, group.consumer.assignors (the first is the default).
  std::int32_t consumer_session_timeout_ms = 45000;
  std::int32_t consumer_heartbeat_interval_ms = 5000;
  std::vector<ServerAssignorKind> consumer_assignors = {ServerAssignorKind::kUniform,
                                                        ServerAssignorKind::kRange};
};

using GroupRequestId = std::uint64_t;

struct JoinGroupProtocol {
  std::string name;  // the assignor, e.g. "range"
  GroupBytes metadata;
  bool operator==(const JoinGroupProtocol&) const = default;
};

// Consumer defaults: session.timeout.ms 45000, max.poll.interval.ms 300000 as the rebalance
// timeout.
struct JoinGroupRequest {
  std::string group_id;
  std::string member_id;  // "" on the first join
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host = "/127.0.0.1";
  std::int32_t session_timeout_ms = 45000;
  std::int32_t rebalance_timeout_ms = 300000;
  std::string protocol_type = "consumer";
  std::vector<JoinGroupProtocol> protocols;
  std::string reason;
  // JoinGroup v4+ (KIP-394): a member without an id gets one with MEMBER_ID_REQUIRED and joins
  // again; older versions (real clients through the gateway) join at once.
  bool require_known_member_id = true;
};

struct JoinGroupResponseMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  GroupBytes metadata;
};

struct JoinGroupResponse {
  Errc error = Errc::kNone;
  std::int32_t generation_id = -1;
  std::string protocol_type;
  std::optional<std::string> protocol_name;
  std::string leader;
  bool skip_assignment = false;
  std::string member_id;
  // Only the leader gets the members, in Kafka's order (the group's HashMap order).
  std::vector<JoinGroupResponseMember> members;
};

struct SyncGroupRequest {
  std::string group_id;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::int32_t generation_id = -1;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  std::map<std::string, GroupBytes> assignments;  // the leader's, by member id
};

struct SyncGroupResponse {
  Errc error = Errc::kNone;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  GroupBytes assignment;
};

struct HeartbeatRequest {
  std::string group_id;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::int32_t generation_id = -1;
};

struct HeartbeatResponse {
  Errc error = Errc::kNone;
};

struct LeaveGroupMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string reason;
};

struct LeaveGroupRequest {
  std::string group_id;
  std::vector<LeaveGroupMember> members;
};

struct LeaveGroupResponse {
  Errc error = Errc::kNone;
  struct Member {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    Errc error = Errc::kNone;
  };
  std::vector<Member> members;
};

struct OffsetCommitPartition {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::int32_t leader_epoch = -1;
  std::string metadata;
};

// generation_id -1 with an empty member id is a commit outside any membership (a consumer
// using assign(), or an admin tool), accepted only while the group is Empty.
struct OffsetCommitRequest {
  std::string group_id;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::int32_t generation_id = -1;
  std::vector<OffsetCommitPartition> partitions;
};

struct OffsetCommitResponse {
  Errc error = Errc::kNone;  // the same for every partition unless only some failed
  std::vector<std::pair<TopicPartition, Errc>> partitions;
};

struct OffsetFetchRequest {
  std::string group_id;
  std::optional<std::vector<TopicPartition>> partitions;  // nullopt: every committed one
};

struct CommittedOffset {
  std::int64_t offset = -1;
  std::int32_t leader_epoch = -1;
  std::string metadata;
  std::int64_t commit_timestamp_ms = -1;
  bool operator==(const CommittedOffset&) const = default;
};

struct OffsetFetchResponse {
  Errc error = Errc::kNone;
  // offset -1 where nothing is committed.
  std::vector<std::pair<TopicPartition, CommittedOffset>> partitions;
};

// ConsumerGroupHeartbeat (KIP-848, clients/.../message/ConsumerGroupHeartbeatRequest.json v1:
// the member id is generated by the client). member_epoch 0 joins, -1 leaves, -2 leaves a
// static member; a null field means "unchanged since the last heartbeat".
struct ConsumerGroupHeartbeatRequest {
  std::string group_id;
  std::string member_id;
  std::int32_t member_epoch = 0;
  std::optional<std::string> instance_id;
  std::optional<std::string> rack_id;
  std::int32_t rebalance_timeout_ms = -1;  // -1: unchanged
  std::optional<std::vector<std::string>> subscribed_topic_names;
  std::optional<std::string> server_assignor;
  // The partitions the member owns now (reconciled), nullopt: unchanged.
  std::optional<std::vector<TopicPartition>> topic_partitions;
  std::string client_id;  // from the request header
  std::string client_host = "/127.0.0.1";
};

struct ConsumerGroupHeartbeatResponse {
  Errc error = Errc::kNone;
  std::optional<std::string> error_message;
  std::optional<std::string> member_id;
  std::int32_t member_epoch = 0;
  std::int32_t heartbeat_interval_ms = 0;
  // The member's assignment (partitions pending revocation left out); nullopt: unchanged.
  std::optional<std::vector<TopicPartition>> assignment;
};

using GroupResponseBody =
    std::variant<JoinGroupResponse, SyncGroupResponse, HeartbeatResponse, LeaveGroupResponse,
                 OffsetCommitResponse, OffsetFetchResponse, ConsumerGroupHeartbeatResponse>;

struct GroupResponse {
  GroupRequestId request_id = 0;
  std::string group_id;
  std::string member_id;  // who asked ("" for a member without an id yet)
  GroupResponseBody body;
};

enum class GroupState { kEmpty, kPreparingRebalance, kCompletingRebalance, kStable, kDead };
// Kafka's names: "Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead".
std::string_view GroupStateName(GroupState state);

struct GroupNote {
  std::string kind;  // "group.rebalance", "group.member.expired", ...
  std::string text;
  std::vector<TraceField> fields;
};

struct GroupStateChange {
  std::string group_id;
  GroupState from = GroupState::kEmpty;
  GroupState to = GroupState::kEmpty;
  std::int32_t generation_id = 0;
};

struct GroupCoordinatorReady {
  std::vector<GroupResponse> responses;
  std::vector<GroupRecord> records;
  std::vector<GroupNote> notes;
  std::vector<GroupStateChange> state_changes;
  std::vector<std::string> probes;
};

struct ClassicGroupMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  std::int32_t session_timeout_ms = 45000;
  std::int32_t rebalance_timeout_ms = 300000;
  std::string protocol_type;
  std::vector<JoinGroupProtocol> protocols;
  GroupBytes assignment;
  std::optional<GroupRequestId> awaiting_join;
  std::optional<GroupRequestId> awaiting_sync;
  bool is_new = false;  // joined, not yet through a completed join phase
  std::optional<Time> heartbeat_deadline;
};

struct ClassicGroup {
  std::string group_id;
  GroupState state = GroupState::kEmpty;
  std::int32_t generation_id = 0;
  std::string protocol_type;
  std::optional<std::string> protocol_name;
  std::optional<std::string> leader_id;
  std::map<std::string, ClassicGroupMember> members;
  // Member ids in the order they were put in Kafka's HashMap, and the most it ever held:
  // together they give the order in which Kafka lists the members.
  std::vector<std::string> member_insertion_order;
  std::size_t largest_member_count = 0;
  // Members given an id by MEMBER_ID_REQUIRED that have not joined with it yet (KIP-394).
  std::map<std::string, Time> pending_member_deadlines;
  std::map<std::string, std::string> static_members;  // group.instance.id -> member id
  std::set<std::string> pending_sync;
  // The join phase: when it ends at the latest, and the initial rebalance's remaining budget.
  std::optional<Time> join_deadline;
  bool initial_rebalance = false;
  bool new_member_added = false;
  std::int64_t initial_remaining_ms = 0;
  std::optional<Time> sync_deadline;
  std::int64_t current_state_timestamp_ms = -1;
  std::map<TopicPartition, CommittedOffset> offsets;

  // Members in Kafka's iteration order (the JoinGroup response, the new leader after a leave).
  std::vector<std::string> MemberOrder() const;
};

// KIP-848 consumer groups (ConsumerGroup, ConsumerGroupMember in Kafka's modern/consumer).
// Kafka's names: "Empty", "Assigning", "Reconciling", "Stable", "Dead".
enum class ConsumerGroupState { kEmpty, kAssigning, kReconciling, kStable, kDead };
std::string_view ConsumerGroupStateName(ConsumerGroupState state);
// "STABLE", "UNREVOKED_PARTITIONS", "UNRELEASED_PARTITIONS".
std::string_view ConsumerMemberStateName(ConsumerMemberState state);

struct ConsumerGroupMember {
  std::string member_id;
  std::optional<std::string> instance_id;
  std::optional<std::string> rack_id;
  std::string client_id;
  std::string client_host;
  std::vector<std::string> subscribed_topic_names;
  std::int32_t rebalance_timeout_ms = 300000;
  std::optional<std::string> server_assignor;
  std::int32_t member_epoch = 0;
  std::int32_t previous_member_epoch = -1;
  ConsumerMemberState state = ConsumerMemberState::kStable;
  std::set<TopicPartition> assigned;
  std::set<TopicPartition> pending_revocation;
  std::optional<Time> session_deadline;
  // Set while the member must revoke partitions: it is fenced if it has not by then.
  std::optional<Time> rebalance_deadline;
};

struct ConsumerGroup {
  std::string group_id;
  std::int32_t group_epoch = 0;
  std::int32_t target_assignment_epoch = 0;
  std::map<std::string, ConsumerGroupMember> members;
  std::map<std::string, std::set<TopicPartition>> target_assignment;
  // The partition counts of the subscribed topics the group epoch was computed with.
  PartitionCounts subscription_metadata;
  std::map<TopicPartition, CommittedOffset> offsets;

  // ConsumerGroup.updateState: Empty without members, Assigning while the target lags the
  // group epoch, Reconciling while a member is not at the target epoch or not Stable.
  ConsumerGroupState State() const;
  // The server assignor a member asked for, else the coordinator's default.
  ServerAssignorKind Assignor(ServerAssignorKind fallback) const;
  // The member that holds `tp` (assigned or pending revocation), "" when free.
  std::string OwnerOf(const TopicPartition& tp) const;
};

// A topic as the coordinator's metadata image knows it (the records name topics by id).
struct CoordinatorTopic {
  Uuid topic_id;
  std::int32_t partitions = 0;
};

// What a coordinator holds, copied before an operation so that a write to __consumer_offsets
// that fails can be undone (CoordinatorRuntime reverts its SnapshotRegistry to the offset
// before the failed batch: timeline maps drop what the batch replayed).
struct GroupCoordinatorSnapshot {
  std::map<std::string, ClassicGroup> groups;
  std::map<std::string, ConsumerGroup> consumer_groups;
  Rng member_ids{0};
};

class GroupCoordinator {
 public:
  // `offsets_partition`: the __consumer_offsets partition this coordinator leads. `seed`: the
  // stream for member ids (Kafka: clientId + "-" + UUID.randomUUID()).
  GroupCoordinator(std::int32_t offsets_partition, GroupCoordinatorSettings settings,
                   std::uint64_t seed);

  void JoinGroup(GroupRequestId id, const JoinGroupRequest& request, Time now,
                 GroupCoordinatorReady& ready);
  void SyncGroup(GroupRequestId id, const SyncGroupRequest& request, Time now,
                 GroupCoordinatorReady& ready);
  void Heartbeat(GroupRequestId id, const HeartbeatRequest& request, Time now,
                 GroupCoordinatorReady& ready);
  void LeaveGroup(GroupRequestId id, const LeaveGroupRequest& request, Time now,
                  GroupCoordinatorReady& ready);
  void OffsetCommit(GroupRequestId id, const OffsetCommitRequest& request, Time now,
                    GroupCoordinatorReady& ready);
  void OffsetFetch(GroupRequestId id, const OffsetFetchRequest& request, Time now,
                   GroupCoordinatorReady& ready);
  // KIP-848: GroupMetadataManager.consumerGroupHeartbeat; see group_coordinator_consumer.cc.
  void ConsumerGroupHeartbeat(GroupRequestId id, const ConsumerGroupHeartbeatRequest& request,
                              Time now, GroupCoordinatorReady& ready);
  // The topics of the metadata image (name -> id and partition count), which the
  // consumer-group assignors and records use. The host sets it before each call.
  void SetTopics(std::map<std::string, CoordinatorTopic> topics) { topics_ = std::move(topics); }
  // Fires every timer due by `now`: heartbeat expiry, the join phase's end (initial delay,
  // rebalance timeout), the sync phase's end, pending members' expiry.
  void Tick(Time now, GroupCoordinatorReady& ready);
  // The earliest time Tick has something to do; nullopt when no timer is armed.
  std::optional<Time> NextDeadline() const;

  // Coordinator failover: rebuilds groups and offsets by replaying this partition's records
  // in log order (GroupCoordinatorShard.replay). Groups with members come back Stable, their
  // session timers starting at `now`. Errc::kCorruption names an undecodable record.
  Status LoadFromRecords(const std::vector<GroupRecord>& records, Time now,
                         GroupCoordinatorReady& ready);
  // The partition moved away: held requests get NOT_COORDINATOR, every group becomes Dead and
  // is dropped, later requests get NOT_COORDINATOR.
  void Unload(GroupCoordinatorReady& ready);

  // The state before an operation, for Revert.
  GroupCoordinatorSnapshot Snapshot() const;
  // The operation's records never reached the log: back to `snapshot`. The requests in
  // `answered` were answered (with the write's error) and no longer wait for a join or sync
  // phase; the timers armed since the snapshot are gone with it.
  void Revert(GroupCoordinatorSnapshot snapshot, const std::set<GroupRequestId>& answered);

  std::int32_t offsets_partition() const { return offsets_partition_; }
  bool active() const { return active_; }
  const ClassicGroup* group(const std::string& group_id) const;
  const std::map<std::string, ClassicGroup>& groups() const { return groups_; }
  const ConsumerGroup* consumer_group(const std::string& group_id) const;
  const std::map<std::string, ConsumerGroup>& consumer_groups() const { return consumer_groups_; }

 private:
  // Request checks shared by every API: NOT_COORDINATOR, INVALID_GROUP_ID.
  Errc CheckCoordinator(const std::string& group_id) const;
  Errc ValidateMember(const ClassicGroup& group, const std::string& member_id,
                      const std::optional<std::string>& instance_id) const;

  void JoinUnknownMember(GroupRequestId id, ClassicGroup& group, const JoinGroupRequest& request,
                         Time now, GroupCoordinatorReady& ready);
  void JoinStaticMemberAgain(GroupRequestId id, ClassicGroup& group,
                             const JoinGroupRequest& request, const std::string& old_member_id,
                             Time now, GroupCoordinatorReady& ready);
  void JoinKnownMember(GroupRequestId id, ClassicGroup& group, const JoinGroupRequest& request,
                       Time now, GroupCoordinatorReady& ready);
  void AddMemberAndRebalance(GroupRequestId id, ClassicGroup& group,
                             const JoinGroupRequest& request, const std::string& member_id,
                             Time now, GroupCoordinatorReady& ready);
  void UpdateMemberAndRebalance(GroupRequestId id, ClassicGroup& group, ClassicGroupMember& member,
                                const JoinGroupRequest& request, Time now,
                                GroupCoordinatorReady& ready);
  void MaybePrepareRebalance(ClassicGroup& group, const std::string& reason, Time now,
                             GroupCoordinatorReady& ready);
  void PrepareRebalance(ClassicGroup& group, const std::string& reason, Time now,
                        GroupCoordinatorReady& ready);
  void MaybeCompleteJoin(ClassicGroup& group, Time now, GroupCoordinatorReady& ready);
  void CompleteJoin(ClassicGroup& group, Time now, GroupCoordinatorReady& ready);
  void CompleteSync(ClassicGroup& group, GroupCoordinatorReady& ready);
  void RemoveMember(ClassicGroup& group, const std::string& member_id, const std::string& reason,
                    Time now, GroupCoordinatorReady& ready);
  void RemoveFromMap(ClassicGroup& group, const std::string& member_id,
                     GroupCoordinatorReady& ready);
  void AddToMap(ClassicGroup& group, ClassicGroupMember member);
  JoinGroupResponse JoinResponseFor(const ClassicGroup& group, const ClassicGroupMember& member,
                                    bool with_members) const;
  std::optional<std::string> SelectProtocol(const ClassicGroup& group) const;
  bool SupportsProtocols(const ClassicGroup& group, const std::string& protocol_type,
                         const std::vector<JoinGroupProtocol>& protocols) const;
  void TransitionTo(ClassicGroup& group, GroupState to, Time now, GroupCoordinatorReady& ready);
  void StoreGroup(const ClassicGroup& group, GroupCoordinatorReady& ready) const;
  void ScheduleHeartbeat(ClassicGroupMember& member, Time now) const;
  void Respond(GroupCoordinatorReady& ready, GroupRequestId id, const std::string& group_id,
               const std::string& member_id, GroupResponseBody body) const;
  void Note(GroupCoordinatorReady& ready, const ClassicGroup& group, std::string kind,
            std::string text) const;
  std::string NewMemberId(const std::string& client_id);

  // KIP-848 paths (group_coordinator_consumer.cc).
  void ConsumerGroupLeave(GroupRequestId id, const ConsumerGroupHeartbeatRequest& request, Time now,
                          GroupCoordinatorReady& ready);
  // Removes a member: tombstones for its three records, the group epoch bumped.
  void FenceConsumerMember(ConsumerGroup& group, const std::string& member_id,
                           const std::string& reason, GroupCoordinatorReady& ready);
  // Updates a member's subscription; true when the group epoch must be bumped.
  bool UpdateConsumerMember(ConsumerGroup& group, ConsumerGroupMember& member,
                            const ConsumerGroupHeartbeatRequest& request,
                            GroupCoordinatorReady& ready) const;
  void UpdateTargetAssignment(ConsumerGroup& group, GroupCoordinatorReady& ready);
  // CurrentAssignmentBuilder: moves the member toward the target; true when it changed.
  bool ReconcileMember(const ConsumerGroup& group, ConsumerGroupMember& member,
                       const std::optional<std::vector<TopicPartition>>& owned) const;
  void WriteCurrentAssignment(const ConsumerGroup& group, const ConsumerGroupMember& member,
                              GroupCoordinatorReady& ready) const;
  PartitionCounts SubscriptionMetadata(const ConsumerGroup& group) const;
  std::vector<TopicIdPartitions> ToTopicIds(const std::set<TopicPartition>& partitions) const;
  std::set<TopicPartition> FromTopicIds(const std::vector<TopicIdPartitions>& topics) const;
  void ConsumerNote(GroupCoordinatorReady& ready, const ConsumerGroup& group, std::string kind,
                    std::string text) const;
  void ReplayConsumerRecord(const DecodedConsumerGroupRecord& record);
  bool OffsetCommitConsumerGroup(GroupRequestId id, const OffsetCommitRequest& request, Time now,
                                 GroupCoordinatorReady& ready);
  void ConsumerTick(Time now, GroupCoordinatorReady& ready);

  std::int32_t offsets_partition_;
  GroupCoordinatorSettings settings_;
  Rng member_ids_;
  bool active_ = true;
  std::map<std::string, ClassicGroup> groups_;
  std::map<std::string, ConsumerGroup> consumer_groups_;
  std::map<std::string, CoordinatorTopic> topics_;
};

}  // namespace kafkasim::kafka
