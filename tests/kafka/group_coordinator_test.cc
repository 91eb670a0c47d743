// The classic group coordinator core without an engine: join (KIP-394 member id round trip),
// the initial rebalance delay, sync, heartbeats, leave, session expiry, static membership
// (KIP-345), offsets and failover from the records it wrote. Rules cite Kafka's
// GroupMetadataManager and GroupMetadataManagerTest.
#include "kafka/group_coordinator.h"

#include <doctest/doctest.h>

#include "group_harness.h"
#include "kafka/group_hash.h"

using namespace kafkasim;
using namespace kafkasim::kafka;
using namespace kafkasim::literals;

namespace {

constexpr std::int32_t kPartition = testing::GroupHarness::kPartition;
const std::string kGroup = "my-group";

struct Harness : testing::GroupHarness {
  GroupRequestId Join(const std::string& member_id, const std::string& client_id,
                      std::optional<std::string> instance = std::nullopt,
                      std::string protocol = "range") {
    JoinGroupRequest r;
    r.group_id = kGroup;
    r.member_id = member_id;
    r.client_id = client_id;
    r.group_instance_id = std::move(instance);
    r.protocols = {{std::move(protocol), {1, 2, 3}}};
    const GroupRequestId id = next_id++;
    coordinator.JoinGroup(id, r, now, ready);
    return id;
  }
  GroupRequestId Sync(const std::string& member_id, std::int32_t generation,
                      std::map<std::string, GroupBytes> assignments = {},
                      std::optional<std::string> instance = std::nullopt) {
    SyncGroupRequest r;
    r.group_id = kGroup;
    r.member_id = member_id;
    r.generation_id = generation;
    r.assignments = std::move(assignments);
    r.group_instance_id = std::move(instance);
    const GroupRequestId id = next_id++;
    coordinator.SyncGroup(id, r, now, ready);
    return id;
  }
  Errc Heartbeat(const std::string& member_id, std::int32_t generation,
                 std::optional<std::string> instance = std::nullopt) {
    const GroupRequestId id = next_id++;
    coordinator.Heartbeat(id, {kGroup, member_id, std::move(instance), generation}, now, ready);
    return std::get<HeartbeatResponse>(Take(id).body).error;
  }
  bool Answered(GroupRequestId id) const {
    for (const auto& r : ready.responses) {
      if (r.request_id == id) return true;
    }
    return false;
  }
  JoinGroupResponse JoinResponse(GroupRequestId id) {
    return std::get<JoinGroupResponse>(Take(id).body);
  }
  SyncGroupResponse SyncResponse(GroupRequestId id) {
    return std::get<SyncGroupResponse>(Take(id).body);
  }
  const ClassicGroup& Group() const { return *coordinator.group(kGroup); }

  // A dynamic member through MEMBER_ID_REQUIRED; returns its id and the held join.
  std::pair<std::string, GroupRequestId> JoinNew(const std::string& client_id) {
    const JoinGroupResponse first = JoinResponse(Join("", client_id));
    CHECK(first.error == Errc::kMemberIdRequired);
    return {first.member_id, Join(first.member_id, client_id)};
  }
};

}  // namespace

TEST_CASE("group coordinator: a group's coordinator is the leader of abs(hashCode) % 50") {
  CHECK(PartitionForGroup(kGroup, 50) == kPartition);
  GroupCoordinator other(3, {}, 1);
  GroupCoordinatorReady ready;
  JoinGroupRequest request;
  request.group_id = kGroup;
  request.client_id = "c";
  other.JoinGroup(1, request, Time{}, ready);
  CHECK(std::get<JoinGroupResponse>(ready.responses.at(0).body).error == Errc::kNotCoordinator);
}

TEST_CASE("group coordinator: a first join without a member id gets MEMBER_ID_REQUIRED (KIP-394)") {
  Harness h;
  const auto first = h.JoinResponse(h.Join("", "consumer-1"));
  CHECK(first.error == Errc::kMemberIdRequired);
  CHECK(first.member_id.rfind("consumer-1-", 0) == 0);
  CHECK(first.member_id.size() == std::string("consumer-1-").size() + 36);
  CHECK(h.Group().state == GroupState::kEmpty);
  CHECK(h.Group().members.empty());
  // A pending member that never rejoins expires after its session timeout.
  h.Advance(45_s);
  CHECK(h.Group().pending_member_deadlines.empty());
}

TEST_CASE("group coordinator: the initial rebalance waits group.initial.rebalance.delay.ms") {
  // GroupMetadataManagerTest.testJoinGroupDelaysInitialRebalance... (3 s, extended per joiner).
  Harness h;
  auto [m1, join1] = h.JoinNew("consumer-1");
  CHECK(h.Group().state == GroupState::kPreparingRebalance);
  h.Advance(2_s);
  auto [m2, join2] = h.JoinNew("consumer-2");
  h.Advance(1_s);  // 3 s after the first join: someone joined, wait 3 s more
  CHECK_FALSE(h.Answered(join1));
  h.Advance(3_s);
  const auto r1 = h.JoinResponse(join1);
  const auto r2 = h.JoinResponse(join2);
  CHECK(r1.error == Errc::kNone);
  CHECK(r1.generation_id == 1);
  CHECK(r1.protocol_name == "range");
  CHECK(r1.leader == m1);
  CHECK(r1.members.size() == 2);  // only the leader learns the subscriptions
  CHECK(r2.leader == m1);
  CHECK(r2.members.empty());
  CHECK(h.Group().state == GroupState::kCompletingRebalance);
}

TEST_CASE("group coordinator: the leader's SyncGroup makes the group Stable and hands out shares") {
  Harness h;
  auto [m1, join1] = h.JoinNew("consumer-1");
  auto [m2, join2] = h.JoinNew("consumer-2");
  h.Advance(6_s);  // the second joiner extended the initial delay by 3 s
  h.Take(join1);
  h.Take(join2);
  const auto sync2 = h.Sync(m2, 1);
  CHECK_FALSE(h.Answered(sync2));  // held until the leader syncs
  h.ready.records.clear();
  const auto sync1 = h.Sync(m1, 1, {{m1, {0xA}}, {m2, {0xB}}});
  CHECK(h.SyncResponse(sync1).assignment == GroupBytes{0xA});
  CHECK(h.SyncResponse(sync2).assignment == GroupBytes{0xB});
  CHECK(h.Group().state == GroupState::kStable);
  // The group metadata record carries the assignment.
  REQUIRE(h.ready.records.size() == 1);
  const auto decoded = DecodeGroupRecord(h.ready.records[0].key, h.ready.records[0].value);
  REQUIRE(decoded.ok());
  const auto& value = *std::get<DecodedGroupMetadata>(*decoded).value;
  CHECK(value.generation == 1);
  CHECK(value.leader == m1);
  CHECK(value.members.size() == 2);
  CHECK(h.Heartbeat(m1, 1) == Errc::kNone);
  CHECK(h.Heartbeat(m1, 0) == Errc::kIllegalGeneration);
  CHECK(h.Heartbeat("nobody", 1) == Errc::kUnknownMemberId);
}

TEST_CASE("group coordinator: a member without heartbeats is removed after session.timeout.ms") {
  Harness h;
  auto [m1, join1] = h.JoinNew("consumer-1");
  auto [m2, join2] = h.JoinNew("consumer-2");
  h.Advance(6_s);  // the second joiner extended the initial delay by 3 s
  h.Take(join1);
  h.Take(join2);
  h.Sync(m1, 1, {{m1, {1}}, {m2, {2}}});
  h.Sync(m2, 1);
  for (int i = 0; i < 15; ++i) {  // consumer-1 heartbeats every 3 s; consumer-2 is silent
    h.Advance(3_s);
    const Errc e = h.Heartbeat(m1, h.Group().generation_id);
    if (h.Group().state == GroupState::kPreparingRebalance) {
      CHECK(e == Errc::kRebalanceInProgress);
      break;
    }
  }
  CHECK_FALSE(h.Group().members.contains(m2));
  CHECK(h.Group().state == GroupState::kPreparingRebalance);
  // The survivor rejoins and is alone in generation 2.
  const auto rejoin = h.Join(m1, "consumer-1");
  const auto r = h.JoinResponse(rejoin);
  CHECK(r.generation_id == 2);
  CHECK(r.members.size() == 1);
}

TEST_CASE("group coordinator: heartbeats during a rebalance answer REBALANCE_IN_PROGRESS") {
  Harness h;
  auto [m1, join1] = h.JoinNew("consumer-1");
  h.Advance(3_s);
  h.Take(join1);
  h.Sync(m1, 1, {{m1, {1}}});
  auto [m2, join2] = h.JoinNew("consumer-2");  // a new member triggers a rebalance
  CHECK(h.Group().state == GroupState::kPreparingRebalance);
  CHECK(h.Heartbeat(m1, 1) == Errc::kRebalanceInProgress);
  const auto rejoin = h.Join(m1, "consumer-1");  // everyone is in: the join completes at once
  CHECK(h.JoinResponse(rejoin).generation_id == 2);
  CHECK(h.JoinResponse(join2).generation_id == 2);
}

TEST_CASE("group coordinator: the last member leaving leaves an Empty group one generation on") {
  Harness h;
  auto [m1, join1] = h.JoinNew("consumer-1");
  h.Advance(3_s);
  h.Take(join1);
  h.Sync(m1, 1, {{m1, {1}}});
  const GroupRequestId id = h.next_id++;
  h.coordinator.LeaveGroup(id, {kGroup, {{m1, std::nullopt, ""}}}, h.now, h.ready);
  const auto response = std::get<LeaveGroupResponse>(h.Take(id).body);
  CHECK(response.error == Errc::kNone);
  CHECK(response.members.at(0).error == Errc::kNone);
  CHECK(h.Group().state == GroupState::kEmpty);
  CHECK(h.Group().generation_id == 2);
}

TEST_CASE("group coordinator: a static member rejoining keeps its assignment without a rebalance") {
  // KIP-345; GroupMetadataManagerTest.testStaticMemberRejoinWithKnownMemberId... family.
  Harness h;
  const auto join1 = h.Join("", "consumer-1", "instance-1");  // no MEMBER_ID_REQUIRED
  const auto join2 = h.Join("", "consumer-2", "instance-2");
  h.Advance(6_s);
  const auto r1 = h.JoinResponse(join1);
  const auto r2 = h.JoinResponse(join2);
  h.Sync(r1.member_id, 1, {{r1.member_id, {1}}, {r2.member_id, {2}}}, "instance-1");
  h.Sync(r2.member_id, 1, {}, "instance-2");
  CHECK(h.Group().state == GroupState::kStable);
  // consumer-2 restarts and joins with its instance id but no member id.
  const auto again = h.JoinResponse(h.Join("", "consumer-2", "instance-2"));
  CHECK(again.error == Errc::kNone);
  CHECK(again.generation_id == 1);
  CHECK(again.member_id != r2.member_id);
  CHECK(h.Group().state == GroupState::kStable);
  const auto sync = h.Sync(again.member_id, 1, {}, "instance-2");
  CHECK(h.SyncResponse(sync).assignment == GroupBytes{2});
  // The old incarnation is fenced.
  CHECK(h.Heartbeat(r2.member_id, 1, "instance-2") == Errc::kFencedInstanceId);
}

TEST_CASE("group coordinator: offsets are committed as records and fetched back") {
  Harness h;
  auto [m1, join1] = h.JoinNew("consumer-1");
  h.Advance(3_s);
  h.Take(join1);
  h.Sync(m1, 1, {{m1, {1}}});
  h.ready.records.clear();
  OffsetCommitRequest commit{kGroup, m1, std::nullopt, 1, {{"cities", 0, 42, 3, ""}}};
  h.coordinator.OffsetCommit(100, commit, h.now, h.ready);
  CHECK(std::get<OffsetCommitResponse>(h.Take(100).body).partitions.at(0).second == Errc::kNone);
  REQUIRE(h.ready.records.size() == 1);
  // OffsetCommitKey v1: version, group, topic, partition.
  const GroupBytes key{0, 1, 0,   8,   'm', 'y', '-', 'g', 'r', 'o', 'u', 'p',
                       0, 6, 'c', 'i', 't', 'i', 'e', 's', 0,   0,   0,   0};
  CHECK(h.ready.records[0].key == key);
  commit.generation_id = 0;
  h.coordinator.OffsetCommit(101, commit, h.now, h.ready);
  CHECK(std::get<OffsetCommitResponse>(h.Take(101).body).error == Errc::kIllegalGeneration);
  commit.generation_id = -1;
  commit.member_id = "";
  h.coordinator.OffsetCommit(102, commit, h.now, h.ready);
  CHECK(std::get<OffsetCommitResponse>(h.Take(102).body).error == Errc::kUnknownMemberId);
  h.coordinator.OffsetFetch(
      103, {kGroup, std::vector{TopicPartition{"cities", 0}, TopicPartition{"cities", 1}}}, h.now,
      h.ready);
  const auto fetched = std::get<OffsetFetchResponse>(h.Take(103).body);
  CHECK(fetched.partitions.at(0).second.offset == 42);
  CHECK(fetched.partitions.at(0).second.leader_epoch == 3);
  CHECK(fetched.partitions.at(1).second.offset == -1);
}

TEST_CASE("group coordinator: a new coordinator rebuilds groups and offsets from the log") {
  Harness h;
  std::vector<GroupRecord> log;
  auto [m1, join1] = h.JoinNew("consumer-1");
  h.Advance(3_s);
  h.Take(join1);
  h.Sync(m1, 1, {{m1, {9}}});
  h.coordinator.OffsetCommit(50, {kGroup, m1, std::nullopt, 1, {{"cities", 2, 7, -1, "x"}}}, h.now,
                             h.ready);
  log = h.ready.records;
  GroupCoordinator next(kPartition, {}, 8);
  GroupCoordinatorReady ready;
  REQUIRE(next.LoadFromRecords(log, h.now, ready).ok());
  const ClassicGroup& group = *next.group(kGroup);
  CHECK(group.state == GroupState::kStable);
  CHECK(group.generation_id == 1);
  CHECK(group.leader_id == m1);
  CHECK(group.members.at(m1).assignment == GroupBytes{9});
  CHECK(group.offsets.at({"cities", 2}).offset == 7);
  // The member keeps heartbeating to the new coordinator as if nothing happened.
  next.Heartbeat(1, {kGroup, m1, std::nullopt, 1}, h.now + 3_s, ready);
  CHECK(std::get<HeartbeatResponse>(ready.responses.back().body).error == Errc::kNone);
  // A corrupt record is reported, not loaded.
  log.push_back({{0, 2, 0}, std::nullopt});
  GroupCoordinator broken(kPartition, {}, 9);
  const Status s = broken.LoadFromRecords(log, h.now, ready);
  CHECK(s.code() == Errc::kCorruption);
}

TEST_CASE("group coordinator: unloading answers held requests with NOT_COORDINATOR") {
  Harness h;
  auto [m1, join1] = h.JoinNew("consumer-1");
  h.coordinator.Unload(h.ready);
  CHECK(h.JoinResponse(join1).error == Errc::kNotCoordinator);
  CHECK(h.Heartbeat(m1, 1) == Errc::kNotCoordinator);
  CHECK(h.coordinator.groups().empty());
}
