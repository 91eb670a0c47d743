// The KIP-848 consumer group protocol in the group coordinator core: group and member epochs,
// the server-side uniform and range assignors, reconciliation that revokes before it hands a
// partition to another member, session expiry, offset commits checked against the member
// epoch, the records of __consumer_offsets and failover from them. Rules cite Kafka's
// GroupMetadataManagerTest, CurrentAssignmentBuilderTest and the assignors' tests.
#include <doctest/doctest.h>

#include "group_harness.h"
#include "kafka/assignors_server.h"
#include "kafka/group_coordinator.h"
#include "kafka/group_hash.h"

using namespace kafkasim;
using namespace kafkasim::kafka;
using namespace kafkasim::literals;

namespace {

constexpr std::int32_t kPartition = testing::GroupHarness::kPartition;  // "my-group"
const std::string kGroup = "my-group";
const Uuid kOrdersId{1, 2};

std::vector<TopicPartition> Orders(std::initializer_list<std::int32_t> partitions) {
  std::vector<TopicPartition> out;
  for (std::int32_t p : partitions) out.push_back({"orders", p});
  return out;
}

struct Harness : testing::GroupHarness {
  Harness() {
    keep_log = true;  // every record written, in order
    coordinator.SetTopics({{"orders", {kOrdersId, 6}}});
  }

  ConsumerGroupHeartbeatResponse Heartbeat(
      const std::string& member, std::int32_t epoch,
      std::optional<std::vector<TopicPartition>> owned = std::nullopt,
      std::optional<std::string> assignor = std::nullopt) {
    ConsumerGroupHeartbeatRequest r;
    r.group_id = kGroup;
    r.member_id = member;
    r.member_epoch = epoch;
    r.client_id = "client-";
    r.client_id += member;
    if (epoch == 0) {
      r.rebalance_timeout_ms = 300000;
      r.subscribed_topic_names = std::vector<std::string>{"orders"};
      r.topic_partitions = std::vector<TopicPartition>{};
      r.server_assignor = std::move(assignor);
    } else {
      r.topic_partitions = std::move(owned);
    }
    const GroupRequestId id = next_id++;
    coordinator.ConsumerGroupHeartbeat(id, r, now, ready);
    return std::get<ConsumerGroupHeartbeatResponse>(Take(id).body);
  }
  const ConsumerGroup& Group() const { return *coordinator.consumer_group(kGroup); }
};

}  // namespace

TEST_CASE("consumer group protocol: the first member gets every partition at group epoch 1") {
  Harness h;
  const ConsumerGroupHeartbeatResponse r = h.Heartbeat("a", 0);
  CHECK(r.error == Errc::kNone);
  CHECK(r.member_epoch == 1);
  CHECK(r.heartbeat_interval_ms == 5000);  // group.consumer.heartbeat.interval.ms
  REQUIRE(r.assignment.has_value());
  CHECK(*r.assignment == Orders({0, 1, 2, 3, 4, 5}));
  CHECK(h.Group().group_epoch == 1);
  CHECK(h.Group().target_assignment_epoch == 1);
  CHECK(h.Group().State() == ConsumerGroupState::kStable);
}

TEST_CASE("consumer group protocol: a joining member waits until the owner revoked (no stop)") {
  // CurrentAssignmentBuilder: a partition goes to its new owner only once the old owner no
  // longer holds it; the old owner keeps consuming what it keeps throughout.
  Harness h;
  h.Heartbeat("a", 0);
  const ConsumerGroupHeartbeatResponse b = h.Heartbeat("b", 0);
  CHECK(b.member_epoch == 2);
  CHECK(b.assignment->empty());  // orders-3..5 are still a's
  CHECK(h.Group().members.at("b").state == ConsumerMemberState::kUnreleasedPartitions);
  CHECK(h.Group().State() == ConsumerGroupState::kReconciling);
  // a's next heartbeat: it keeps 0-2 and must revoke 3-5, staying at epoch 1.
  const ConsumerGroupHeartbeatResponse a1 = h.Heartbeat("a", 1, Orders({0, 1, 2, 3, 4, 5}));
  CHECK(a1.member_epoch == 1);
  CHECK(*a1.assignment == Orders({0, 1, 2}));
  CHECK(h.Group().members.at("a").state == ConsumerMemberState::kUnrevokedPartitions);
  // b asks again before a revoked: still nothing.
  CHECK(h.Heartbeat("b", 2, Orders({})).assignment == std::nullopt);
  // a acknowledges the revocation and moves to epoch 2; then b gets 3-5.
  const ConsumerGroupHeartbeatResponse a2 = h.Heartbeat("a", 1, Orders({0, 1, 2}));
  CHECK(a2.member_epoch == 2);
  const ConsumerGroupHeartbeatResponse b2 = h.Heartbeat("b", 2, Orders({}));
  CHECK(*b2.assignment == Orders({3, 4, 5}));
  CHECK(h.Group().State() == ConsumerGroupState::kStable);
}

TEST_CASE("consumer group protocol: a stale member epoch is fenced") {
  Harness h;
  h.Heartbeat("a", 0);
  CHECK(h.Heartbeat("a", 7, Orders({})).error == Errc::kFencedMemberEpoch);
  CHECK(h.Heartbeat("zz", 1, Orders({})).error == Errc::kUnknownMemberId);
  ConsumerGroupHeartbeatRequest empty_id;
  empty_id.group_id = kGroup;
  h.coordinator.ConsumerGroupHeartbeat(99, empty_id, h.now, h.ready);
  const auto r = std::get<ConsumerGroupHeartbeatResponse>(h.Take(99).body);
  CHECK(r.error == Errc::kInvalidRequest);
  CHECK(*r.error_message == "MemberId can't be empty.");
}

TEST_CASE("consumer group protocol: an unknown server assignor is UNSUPPORTED_ASSIGNOR") {
  Harness h;
  CHECK(h.Heartbeat("a", 0, std::nullopt, "sticky").error == Errc::kUnsupportedAssignor);
}

TEST_CASE("consumer group protocol: a member without heartbeats expires after 45 s") {
  Harness h;
  h.Heartbeat("a", 0);
  h.Heartbeat("b", 0);
  h.Advance(44_s);
  h.Heartbeat("a", 1, Orders({0, 1, 2, 3, 4, 5}));  // a stays alive
  h.Advance(2_s);  // b's session (group.consumer.session.timeout.ms 45 s) ran out
  CHECK_FALSE(h.Group().members.contains("b"));
  CHECK(h.Group().group_epoch == 3);
  CHECK(h.Group().State() == ConsumerGroupState::kAssigning);
}

TEST_CASE("consumer group protocol: offsets are committed with the current member epoch") {
  Harness h;
  h.Heartbeat("a", 0);
  OffsetCommitRequest commit;
  commit.group_id = kGroup;
  commit.member_id = "a";
  commit.generation_id = 1;
  commit.partitions = {{"orders", 0, 42, -1, ""}};
  h.coordinator.OffsetCommit(50, commit, h.now, h.ready);
  CHECK(std::get<OffsetCommitResponse>(h.Take(50).body).error == Errc::kNone);
  commit.generation_id = 0;
  h.coordinator.OffsetCommit(51, commit, h.now, h.ready);
  CHECK(std::get<OffsetCommitResponse>(h.Take(51).body).error == Errc::kStaleMemberEpoch);
  commit.member_id.clear();
  commit.generation_id = -1;
  h.coordinator.OffsetCommit(52, commit, h.now, h.ready);
  CHECK(std::get<OffsetCommitResponse>(h.Take(52).body).error == Errc::kUnknownMemberId);
  CHECK(h.Group().offsets.at({"orders", 0}).offset == 42);
}

TEST_CASE("consumer group protocol: a new coordinator loads the group from its records") {
  Harness h;
  h.Heartbeat("a", 0);
  h.Heartbeat("b", 0);
  h.Heartbeat("a", 1, Orders({0, 1, 2, 3, 4, 5}));
  h.Heartbeat("a", 1, Orders({0, 1, 2}));
  h.Heartbeat("b", 2, Orders({}));
  GroupCoordinator next(kPartition, GroupCoordinatorSettings{}, 8);
  next.SetTopics({{"orders", {kOrdersId, 6}}});
  GroupCoordinatorReady ready;
  REQUIRE(next.LoadFromRecords(h.log, h.now, ready).ok());
  const ConsumerGroup* g = next.consumer_group(kGroup);
  REQUIRE(g != nullptr);
  CHECK(g->group_epoch == 2);
  CHECK(g->target_assignment_epoch == 2);
  CHECK(g->members.at("a").assigned ==
        std::set<TopicPartition>{{"orders", 0}, {"orders", 1}, {"orders", 2}});
  CHECK(g->members.at("b").member_epoch == 2);
  CHECK(g->State() == ConsumerGroupState::kStable);
  CHECK(g->members.at("b").client_id == "client-b");
}

TEST_CASE("consumer group records: each type round-trips and keys carry Kafka's type") {
  ConsumerGroupCurrentMemberAssignmentValue v;
  v.member_epoch = 5;
  v.previous_member_epoch = 4;
  v.state = ConsumerMemberState::kUnrevokedPartitions;
  v.assigned_partitions = {{kOrdersId, {0, 1}}};
  v.partitions_pending_revocation = {{kOrdersId, {2}}};
  const GroupRecord record = ConsumerGroupRecord(kGroup, "m", v);
  CHECK(record.key[0] == 0);
  CHECK(record.key[1] == 8);  // ConsumerGroupCurrentMemberAssignmentKey
  auto decoded = DecodeConsumerGroupRecord(record.key, record.value);
  REQUIRE(decoded.ok());
  CHECK(decoded->member_id == "m");
  CHECK(std::get<ConsumerGroupCurrentMemberAssignmentValue>(*decoded->value) == v);
  // ConsumerGroupMetadataValue v0: version, Epoch, no tagged fields.
  const GroupRecord meta = ConsumerGroupRecord(kGroup, "", ConsumerGroupMetadataValue{3});
  CHECK(*meta.value == GroupBytes{0, 0, 0, 0, 0, 3, 0});
  const GroupRecord tombstone =
      ConsumerGroupTombstone(kConsumerGroupMemberMetadataType, kGroup, "m");
  auto gone = DecodeConsumerGroupRecord(tombstone.key, std::nullopt);
  REQUIRE(gone.ok());
  CHECK_FALSE(gone->value.has_value());
  GroupBytes truncated = *record.value;
  truncated.pop_back();
  truncated.pop_back();
  CHECK(DecodeConsumerGroupRecord(record.key, truncated).status().code() == Errc::kCorruption);
}

TEST_CASE("server assignors: uniform keeps what a member may keep and balances the rest") {
  // UniformHomogeneousAssignmentBuilder: 6 partitions over a, b (previous owners) and c (new).
  const std::vector<ServerAssignorMember> members = {{"a", {"orders"}, Orders({0, 1, 2})},
                                                     {"b", {"orders"}, Orders({3, 4, 5})},
                                                     {"c", {"orders"}, {}}};
  const GroupAssignment out = ServerAssign(ServerAssignorKind::kUniform, members, {{"orders", 6}});
  CHECK(out.at("a") == Orders({0, 1}));
  CHECK(out.at("b") == Orders({3, 4}));
  CHECK(out.at("c") == Orders({2, 5}));
}

TEST_CASE("server assignors: range hands out ascending ranges and is sticky") {
  // RangeAssignorTest: a fresh group of two over three partitions gets [0,1] and [2].
  const GroupAssignment fresh = ServerAssign(
      ServerAssignorKind::kRange, {{"a", {"orders"}, {}}, {"b", {"orders"}, {}}}, {{"orders", 3}});
  CHECK(fresh.at("a") == Orders({0, 1}));
  CHECK(fresh.at("b") == Orders({2}));
  // A third member: a keeps 0, b keeps 2, c gets the freed 1.
  const GroupAssignment grown = ServerAssign(
      ServerAssignorKind::kRange,
      {{"a", {"orders"}, Orders({0, 1})}, {"b", {"orders"}, Orders({2})}, {"c", {"orders"}, {}}},
      {{"orders", 3}});
  CHECK(grown.at("a") == Orders({0}));
  CHECK(grown.at("b") == Orders({2}));
  CHECK(grown.at("c") == Orders({1}));
}
