// The partition assignors against the examples in Kafka's javadoc and the expected values of
// Kafka's own unit tests (RangeAssignorTest, RoundRobinAssignorTest, AbstractStickyAssignorTest,
// CooperativeStickyAssignorTest), each test naming the one it follows.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "kafka/assignors.h"
#include "kafka/group_hash.h"

using namespace kafkasim::kafka;

namespace {

AssignorSubscription Member(std::string id, std::vector<std::string> topics,
                            std::vector<TopicPartition> owned = {}, std::int32_t generation = -1,
                            std::optional<std::string> instance = std::nullopt) {
  AssignorSubscription s;
  s.member_id = std::move(id);
  s.topics = std::move(topics);
  s.owned_partitions = std::move(owned);
  s.generation = generation;
  s.group_instance_id = std::move(instance);
  return s;
}

TopicPartition Tp(std::string topic, std::int32_t partition) {
  return {std::move(topic), partition};
}

std::set<TopicPartition> Set(const std::vector<TopicPartition>& list) {
  return {list.begin(), list.end()};
}

// Every partition of a subscribed topic goes to exactly one member subscribed to it.
void CheckValid(const std::vector<AssignorSubscription>& members, const PartitionCounts& counts,
                const GroupAssignment& assignment) {
  std::set<TopicPartition> seen;
  for (const auto& member : members) {
    for (const auto& tp : assignment.at(member.member_id)) {
      CHECK(std::find(member.topics.begin(), member.topics.end(), tp.topic) != member.topics.end());
      CHECK(seen.insert(tp).second);
    }
  }
  std::size_t expected = 0;
  for (const auto& [topic, count] : counts) {
    const bool subscribed = std::any_of(members.begin(), members.end(), [&](const auto& m) {
      return std::find(m.topics.begin(), m.topics.end(), topic) != m.topics.end();
    });
    if (subscribed) expected += static_cast<std::size_t>(count);
  }
  CHECK(seen.size() == expected);
}

}  // namespace

TEST_CASE("assignor: names are Kafka's and only cooperative-sticky is cooperative") {
  CHECK(AssignorByName("range") == AssignorKind::kRange);
  CHECK(AssignorByName("roundrobin") == AssignorKind::kRoundRobin);
  CHECK(AssignorByName("sticky") == AssignorKind::kSticky);
  CHECK(AssignorByName("cooperative-sticky") == AssignorKind::kCooperativeSticky);
  CHECK_FALSE(AssignorByName("uniform").has_value());
  CHECK(SupportsCooperative(AssignorKind::kCooperativeSticky));
  CHECK_FALSE(SupportsCooperative(AssignorKind::kRange));
}

TEST_CASE("assignor: Java hashing puts groups on Kafka's __consumer_offsets partitions") {
  // kafka-semantics.md 4.2, checked in Java.
  CHECK(JavaUtf16HashCode("my-group") == -1906497762);
  CHECK(PartitionForGroup("my-group", 50) == 12);
  CHECK(PartitionForGroup("test-group", 50) == 12);
  CHECK(PartitionForGroup("group1", 50) == 40);
  // Utils.abs(Integer.MIN_VALUE) is 0; "polygenelubricants".hashCode() is Integer.MIN_VALUE.
  CHECK(JavaUtf16HashCode("polygenelubricants") == INT32_MIN);
  CHECK(PartitionForGroup("polygenelubricants", 50) == 0);
  // Non-ASCII ids hash over UTF-16 units: "é" is U+00E9 (233), "😀" a surrogate pair.
  CHECK(JavaUtf16HashCode("\xC3\xA9") == 233);
  CHECK(JavaUtf16HashCode("\xF0\x9F\x98\x80") == 0xD83D * 31 + 0xDE00);
}

TEST_CASE("assignor: HashMap iteration order is by bucket, then insertion order") {
  // "c", "a", "b" hash to buckets 3, 1, 2; "Aa" and "BB" share hashCode 2112.
  const std::vector<std::int32_t> abc{JavaUtf16HashCode("c"), JavaUtf16HashCode("a"),
                                      JavaUtf16HashCode("b")};
  CHECK(JavaHashMapOrder(abc) == std::vector<std::size_t>{1, 2, 0});
  const std::vector<std::int32_t> twins{JavaUtf16HashCode("BB"), JavaUtf16HashCode("Aa")};
  CHECK(twins[0] == twins[1]);
  CHECK(JavaHashMapOrder(twins) == std::vector<std::size_t>{0, 1});
}

TEST_CASE("range: the javadoc example gives C0 the first two of each topic") {
  // RangeAssignor javadoc; RangeAssignorTest.testTwoConsumersTwoTopicsSixPartitions.
  const PartitionCounts counts{{"t0", 3}, {"t1", 3}};
  const auto a = Assign(AssignorKind::kRange,
                        {Member("C0", {"t0", "t1"}), Member("C1", {"t0", "t1"})}, counts);
  CHECK(a.at("C0") == std::vector{Tp("t0", 0), Tp("t0", 1), Tp("t1", 0), Tp("t1", 1)});
  CHECK(a.at("C1") == std::vector{Tp("t0", 2), Tp("t1", 2)});
}

TEST_CASE("range: mixed subscriptions split each topic among its own subscribers") {
  // RangeAssignorTest.testMultipleConsumersMixedTopics.
  const PartitionCounts counts{{"topic1", 3}, {"topic2", 2}};
  const auto a = Assign(AssignorKind::kRange,
                        {Member("consumer1", {"topic1"}), Member("consumer2", {"topic1", "topic2"}),
                         Member("consumer3", {"topic1"})},
                        counts);
  CHECK(a.at("consumer1") == std::vector{Tp("topic1", 0)});
  CHECK(a.at("consumer2") == std::vector{Tp("topic1", 1), Tp("topic2", 0), Tp("topic2", 1)});
  CHECK(a.at("consumer3") == std::vector{Tp("topic1", 2)});
}

TEST_CASE("range: static members are ordered by group.instance.id, before dynamic ones") {
  // RangeAssignorTest.testTwoStaticConsumersTwoTopicsSixPartitions and
  // testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions.
  const PartitionCounts counts{{"topic1", 3}, {"topic2", 3}};
  const std::vector<TopicPartition> low{Tp("topic1", 0), Tp("topic1", 1), Tp("topic2", 0),
                                        Tp("topic2", 1)};
  const std::vector<TopicPartition> high{Tp("topic1", 2), Tp("topic2", 2)};
  auto a = Assign(AssignorKind::kRange,
                  {Member("consumer-b", {"topic1", "topic2"}, {}, -1, "instance1"),
                   Member("consumer-a", {"topic1", "topic2"}, {}, -1, "instance2")},
                  counts);
  CHECK(a.at("consumer-b") == low);
  CHECK(a.at("consumer-a") == high);
  a = Assign(AssignorKind::kRange,
             {Member("consumer-b", {"topic1", "topic2"}, {}, -1, "instance1"),
              Member("consumer-a", {"topic1", "topic2"})},
             counts);
  CHECK(a.at("consumer-b") == low);
  CHECK(a.at("consumer-a") == high);
}

TEST_CASE("range: static members keep their ranges when a dynamic member is replaced") {
  // RangeAssignorTest.testStaticMemberRangeAssignmentPersistent.
  const PartitionCounts counts{{"topic1", 5}, {"topic2", 4}};
  std::vector<AssignorSubscription> members{
      Member("consumer1", {"topic1", "topic2"}, {}, -1, "instance1"),
      Member("consumer2", {"topic1", "topic2"}, {}, -1, "instance2"),
      Member("consumer3", {"topic1", "topic2"}, {}, -1, "instance3"),
      Member("consumer4", {"topic1", "topic2"})};
  GroupAssignment expected{
      {"consumer1", {Tp("topic1", 0), Tp("topic1", 1), Tp("topic2", 0)}},
      {"consumer2", {Tp("topic1", 2), Tp("topic2", 1)}},
      {"consumer3", {Tp("topic1", 3), Tp("topic2", 2)}},
      {"consumer4", {Tp("topic1", 4), Tp("topic2", 3)}},
  };
  CHECK(Assign(AssignorKind::kRange, members, counts) == expected);
  members[3].member_id = "consumer5";
  expected["consumer5"] = expected["consumer4"];
  expected.erase("consumer4");
  CHECK(Assign(AssignorKind::kRange, members, counts) == expected);
}

TEST_CASE("range: topics nobody subscribes to and unknown topics are not assigned") {
  // RangeAssignorTest.testOnlyAssignsPartitionsFromSubscribedTopics and
  // testOneConsumerNonexistentTopic.
  const auto a = Assign(AssignorKind::kRange, {Member("consumer", {"topic", "missing"})},
                        {{"topic", 3}, {"other", 3}});
  CHECK(a.at("consumer") == std::vector{Tp("topic", 0), Tp("topic", 1), Tp("topic", 2)});
}

TEST_CASE("roundrobin: all partitions are dealt in member order") {
  // RoundRobinAssignorTest.testTwoDynamicConsumersTwoTopicsSixPartitions; kafka-semantics 6.2.
  const PartitionCounts counts{{"topic1", 3}, {"topic2", 3}};
  const auto a =
      Assign(AssignorKind::kRoundRobin,
             {Member("consumer1", {"topic1", "topic2"}), Member("consumer2", {"topic1", "topic2"})},
             counts);
  CHECK(a.at("consumer1") == std::vector{Tp("topic1", 0), Tp("topic1", 2), Tp("topic2", 1)});
  CHECK(a.at("consumer2") == std::vector{Tp("topic1", 1), Tp("topic2", 0), Tp("topic2", 2)});
}

TEST_CASE("roundrobin: members not subscribed to a topic are skipped") {
  // RoundRobinAssignorTest.testMultipleConsumersMixedTopics.
  const auto a = Assign(AssignorKind::kRoundRobin,
                        {Member("consumer1", {"topic1"}), Member("consumer2", {"topic1", "topic2"}),
                         Member("consumer3", {"topic1"})},
                        {{"topic1", 3}, {"topic2", 2}});
  CHECK(a.at("consumer1") == std::vector{Tp("topic1", 0)});
  CHECK(a.at("consumer2") == std::vector{Tp("topic1", 1), Tp("topic2", 0), Tp("topic2", 1)});
  CHECK(a.at("consumer3") == std::vector{Tp("topic1", 2)});
}

TEST_CASE("roundrobin: static members keep their partitions when a dynamic member is replaced") {
  // RoundRobinAssignorTest.testStaticMemberRoundRobinAssignmentPersistent.
  const PartitionCounts counts{{"topic1", 3}, {"topic2", 3}};
  std::vector<AssignorSubscription> members{
      Member("consumer1", {"topic1", "topic2"}, {}, -1, "instance1"),
      Member("consumer2", {"topic1", "topic2"}, {}, -1, "instance2"),
      Member("consumer3", {"topic1", "topic2"}, {}, -1, "instance3"),
      Member("consumer4", {"topic1", "topic2"})};
  GroupAssignment expected{{"consumer1", {Tp("topic1", 0), Tp("topic2", 1)}},
                           {"consumer2", {Tp("topic1", 1), Tp("topic2", 2)}},
                           {"consumer3", {Tp("topic1", 2)}},
                           {"consumer4", {Tp("topic2", 0)}}};
  CHECK(Assign(AssignorKind::kRoundRobin, members, counts) == expected);
  members[3].member_id = "consumer5";
  expected["consumer5"] = expected["consumer4"];
  expected.erase("consumer4");
  CHECK(Assign(AssignorKind::kRoundRobin, members, counts) == expected);
}

TEST_CASE("sticky: a fresh group is dealt round-robin, as in the javadoc's example 1") {
  // StickyAssignor javadoc, example 1.
  const PartitionCounts counts{{"t0", 2}, {"t1", 2}, {"t2", 2}, {"t3", 2}};
  const std::vector<std::string> all{"t0", "t1", "t2", "t3"};
  const auto a = Assign(AssignorKind::kSticky,
                        {Member("C0", all), Member("C1", all), Member("C2", all)}, counts);
  CHECK(a.at("C0") == std::vector{Tp("t0", 0), Tp("t1", 1), Tp("t3", 0)});
  CHECK(a.at("C1") == std::vector{Tp("t0", 1), Tp("t2", 0), Tp("t3", 1)});
  CHECK(a.at("C2") == std::vector{Tp("t1", 0), Tp("t2", 1)});

  // C1 leaves: the others keep everything they had and split C1's three partitions. (The
  // javadoc shows C0 taking t2p0; since the constrained algorithm of Kafka 2.8 the
  // under-quota members take the unassigned partitions in topic order: C0 t0p1, C2 the rest.)
  const auto b =
      Assign(AssignorKind::kSticky,
             {Member("C0", all, a.at("C0"), 1), Member("C2", all, a.at("C2"), 1)}, counts);
  CHECK(b.at("C0") == std::vector{Tp("t0", 0), Tp("t3", 0), Tp("t1", 1), Tp("t0", 1)});
  CHECK(b.at("C2") == std::vector{Tp("t1", 0), Tp("t2", 1), Tp("t2", 0), Tp("t3", 1)});
}

TEST_CASE("sticky: unequal subscriptions balance and stick, as in the javadoc's example 2") {
  // StickyAssignor javadoc, example 2 (the general assignment path).
  const PartitionCounts counts{{"t0", 1}, {"t1", 2}, {"t2", 3}};
  const auto a = Assign(
      AssignorKind::kSticky,
      {Member("C0", {"t0"}), Member("C1", {"t0", "t1"}), Member("C2", {"t0", "t1", "t2"})}, counts);
  CHECK(Set(a.at("C0")) == std::set{Tp("t0", 0)});
  CHECK(Set(a.at("C1")) == std::set{Tp("t1", 0), Tp("t1", 1)});
  CHECK(Set(a.at("C2")) == std::set{Tp("t2", 0), Tp("t2", 1), Tp("t2", 2)});
  const auto b = Assign(
      AssignorKind::kSticky,
      {Member("C1", {"t0", "t1"}, a.at("C1"), 1), Member("C2", {"t0", "t1", "t2"}, a.at("C2"), 1)},
      counts);
  CHECK(Set(b.at("C1")) == std::set{Tp("t1", 0), Tp("t1", 1), Tp("t0", 0)});
  CHECK(Set(b.at("C2")) == std::set{Tp("t2", 0), Tp("t2", 1), Tp("t2", 2)});
}

TEST_CASE("sticky: mixed topic subscriptions take the general path") {
  // AbstractStickyAssignorTest.testMultipleConsumersMixedTopicSubscriptions.
  const auto a = Assign(AssignorKind::kSticky,
                        {Member("consumer1", {"topic1"}), Member("consumer2", {"topic1", "topic2"}),
                         Member("consumer3", {"topic1"})},
                        {{"topic1", 3}, {"topic2", 2}});
  CHECK(a.at("consumer1") == std::vector{Tp("topic1", 0), Tp("topic1", 2)});
  CHECK(a.at("consumer2") == std::vector{Tp("topic2", 0), Tp("topic2", 1)});
  CHECK(a.at("consumer3") == std::vector{Tp("topic1", 1)});
}

TEST_CASE("sticky: two consumers on two topics get alternate partitions") {
  // AbstractStickyAssignorTest.testTwoConsumersTwoTopicsSixPartitions.
  const auto a =
      Assign(AssignorKind::kSticky,
             {Member("consumer1", {"topic1", "topic2"}), Member("consumer2", {"topic1", "topic2"})},
             {{"topic1", 3}, {"topic2", 3}});
  CHECK(a.at("consumer1") == std::vector{Tp("topic1", 0), Tp("topic1", 2), Tp("topic2", 1)});
  CHECK(a.at("consumer2") == std::vector{Tp("topic1", 1), Tp("topic2", 0), Tp("topic2", 2)});
}

TEST_CASE("sticky: a member owning minQuota partitions gets the one extra") {
  // AbstractStickyAssignorTest.testConsumerOwningMinQuotaExpectedMaxQuota.
  const std::vector<std::string> topics{"topic1", "topic2"};
  const auto a = Assign(AssignorKind::kCooperativeSticky,
                        {Member("consumer1", topics, {Tp("topic1", 0), Tp("topic2", 1)}, 1),
                         Member("consumer2", topics, {Tp("topic1", 1), Tp("topic2", 2)}, 1)},
                        {{"topic1", 2}, {"topic2", 3}});
  CHECK(a.at("consumer1") == std::vector{Tp("topic1", 0), Tp("topic2", 1), Tp("topic2", 0)});
  CHECK(a.at("consumer2") == std::vector{Tp("topic1", 1), Tp("topic2", 2)});
}

TEST_CASE("cooperative-sticky: a partition changing owner is withheld until it is revoked") {
  // AbstractStickyAssignorTest.testMaxQuotaConsumerMoreThanNumExpectedMaxCapacityMembers:
  // topic2-0 transfers from consumer1 to consumer3.
  const std::vector<std::string> topics{"topic1", "topic2"};
  const PartitionCounts counts{{"topic1", 2}, {"topic2", 2}};
  const std::vector<AssignorSubscription> members{
      Member("consumer1", topics, {Tp("topic1", 0), Tp("topic2", 0)}, 1),
      Member("consumer2", topics, {Tp("topic1", 1), Tp("topic2", 1)}, 1),
      Member("consumer3", topics, {}, 1)};
  const auto eager = Assign(AssignorKind::kSticky, members, counts);
  CHECK(eager.at("consumer1") == std::vector{Tp("topic1", 0)});
  CHECK(eager.at("consumer2") == std::vector{Tp("topic1", 1), Tp("topic2", 1)});
  CHECK(eager.at("consumer3") == std::vector{Tp("topic2", 0)});
  const auto first = Assign(AssignorKind::kCooperativeSticky, members, counts);
  CHECK(first.at("consumer1") == std::vector{Tp("topic1", 0)});
  CHECK(first.at("consumer3").empty());
  // The follow-up rebalance, after consumer1 revoked topic2-0, hands it over.
  const auto second = Assign(
      AssignorKind::kCooperativeSticky,
      {Member("consumer1", topics, first.at("consumer1"), 2),
       Member("consumer2", topics, first.at("consumer2"), 2), Member("consumer3", topics, {}, 2)},
      counts);
  CHECK(second.at("consumer3") == std::vector{Tp("topic2", 0)});
}

TEST_CASE("sticky: every member under minQuota keeps what it owns") {
  // AbstractStickyAssignorTest.testAllConsumersAreUnderMinQuota.
  const std::vector<std::string> topics{"topic1", "topic2"};
  const auto a = Assign(
      AssignorKind::kCooperativeSticky,
      {Member("consumer1", topics, {Tp("topic1", 0)}, 1),
       Member("consumer2", topics, {Tp("topic1", 1)}, 1), Member("consumer3", topics, {}, 1)},
      {{"topic1", 2}, {"topic2", 3}});
  CHECK(a.at("consumer1") == std::vector{Tp("topic1", 0), Tp("topic2", 1)});
  CHECK(a.at("consumer2") == std::vector{Tp("topic1", 1), Tp("topic2", 2)});
  CHECK(a.at("consumer3") == std::vector{Tp("topic2", 0)});
}

TEST_CASE("cooperative-sticky: adding then removing a consumer of one topic") {
  // AbstractStickyAssignorTest.testAddRemoveConsumerOneTopic, via CooperativeStickyAssignorTest.
  const std::vector<std::string> topic{"topic"};
  const PartitionCounts counts{{"topic", 3}};
  auto a = Assign(AssignorKind::kCooperativeSticky, {Member("consumer1", topic)}, counts);
  CHECK(a.at("consumer1") == std::vector{Tp("topic", 0), Tp("topic", 1), Tp("topic", 2)});
  const auto eager =
      Assign(AssignorKind::kSticky,
             {Member("consumer1", topic, a.at("consumer1"), 1), Member("consumer2", topic, {}, 1)},
             counts);
  CHECK(eager.at("consumer1") == std::vector{Tp("topic", 0), Tp("topic", 1)});
  CHECK(eager.at("consumer2") == std::vector{Tp("topic", 2)});
  a = Assign(AssignorKind::kCooperativeSticky,
             {Member("consumer1", topic, a.at("consumer1"), 1), Member("consumer2", topic, {}, 1)},
             counts);
  CHECK(a.at("consumer1") == std::vector{Tp("topic", 0), Tp("topic", 1)});
  CHECK(a.at("consumer2").empty());
  a = Assign(AssignorKind::kCooperativeSticky, {Member("consumer2", topic, {Tp("topic", 2)}, 2)},
             counts);
  CHECK(Set(a.at("consumer2")) == std::set{Tp("topic", 0), Tp("topic", 1), Tp("topic", 2)});
}

TEST_CASE("sticky: a partition claimed in several generations goes to the highest") {
  // AbstractStickyAssignorTest.testEnsurePartitionsAssignedToHighestGeneration.
  const std::vector<std::string> topics{"topic", "topic2", "topic3"};
  const auto a =
      Assign(AssignorKind::kCooperativeSticky,
             {Member("consumer1", topics, {Tp("topic", 0), Tp("topic2", 0), Tp("topic3", 0)}, 10),
              Member("consumer2", topics, {Tp("topic", 1), Tp("topic2", 1), Tp("topic3", 1)}, 9),
              Member("consumer3", topics, {Tp("topic2", 1), Tp("topic3", 0), Tp("topic3", 2)}, 8)},
             {{"topic", 3}, {"topic2", 3}, {"topic3", 3}});
  CHECK(Set(a.at("consumer1")) == std::set{Tp("topic", 0), Tp("topic2", 0), Tp("topic3", 0)});
  CHECK(Set(a.at("consumer2")) == std::set{Tp("topic", 1), Tp("topic2", 1), Tp("topic3", 1)});
  CHECK(Set(a.at("consumer3")) == std::set{Tp("topic", 2), Tp("topic2", 2), Tp("topic3", 2)});
}

TEST_CASE("sticky: current members keep their partitions when a new member joins") {
  // AbstractStickyAssignorTest.testNoReassignmentOnCurrentMembers.
  const std::vector<std::string> topics{"topic", "topic2", "topic3", "topic1"};
  const auto a =
      Assign(AssignorKind::kCooperativeSticky,
             {Member("consumer1", topics, {}, -1),
              Member("consumer2", topics, {Tp("topic", 0), Tp("topic2", 0), Tp("topic1", 0)}, 9),
              Member("consumer3", topics, {Tp("topic3", 2), Tp("topic2", 2), Tp("topic1", 1)}, 8),
              Member("consumer4", topics, {Tp("topic3", 1), Tp("topic", 1), Tp("topic", 2)}, 7)},
             {{"topic", 3}, {"topic1", 3}, {"topic2", 3}, {"topic3", 3}});
  CHECK(Set(a.at("consumer1")) == std::set{Tp("topic1", 2), Tp("topic2", 1), Tp("topic3", 0)});
}

TEST_CASE("sticky: a consumer leaving many-topic subscriptions keeps the rest valid and balanced") {
  // AbstractStickyAssignorTest.testReassignmentAfterOneConsumerLeaves: consumer i subscribes to
  // topics 1..i, topic i has i partitions.
  PartitionCounts counts;
  std::vector<AssignorSubscription> members;
  const auto name = [](const char* prefix, int i) {
    return std::string(prefix) + (i < 10 ? "0" : "") + std::to_string(i);
  };
  for (int i = 1; i < 20; ++i) counts[name("topic", i)] = i;
  for (int i = 1; i < 20; ++i) {
    std::vector<std::string> topics;
    for (int j = 1; j <= i; ++j) topics.push_back(name("topic", j));
    members.push_back(Member(name("consumer", i), topics));
  }
  const auto first = Assign(AssignorKind::kSticky, members, counts);
  CheckValid(members, counts, first);
  for (auto& member : members) {
    member.owned_partitions = first.at(member.member_id);
    member.generation = 1;
  }
  members.erase(members.begin() + 9);  // consumer10
  const auto second = Assign(AssignorKind::kSticky, members, counts);
  CheckValid(members, counts, second);
  // Stickiness: nobody lost a partition it owned unless it had more than its share.
  std::size_t kept = 0;
  for (const auto& member : members) {
    for (const auto& tp : member.owned_partitions) {
      const auto& now = second.at(member.member_id);
      if (std::find(now.begin(), now.end(), tp) != now.end()) ++kept;
    }
  }
  CHECK(kept >= 150);
}
