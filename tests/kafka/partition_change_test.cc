// PartitionChangeBuilder: ISR/leader/ELR targets and the record's changed-fields-only contract.
#include "kafka/partition_change.h"

#include <doctest/doctest.h>

#include <set>

namespace kafkasim::kafka {
namespace {

const Uuid kTopic{1, 2};

PartitionRegistration Partition(std::vector<BrokerId> replicas, std::vector<BrokerId> isr,
                                BrokerId leader) {
  PartitionRegistration p;
  p.replicas = std::move(replicas);
  p.isr = std::move(isr);
  p.leader = leader;
  p.leader_epoch = 4;
  p.partition_epoch = 9;
  return p;
}

std::function<bool(BrokerId)> Active(std::set<BrokerId> live) {
  return [live](BrokerId id) { return live.contains(id); };
}

TEST_CASE("partition_change: nothing to change builds no record") {
  const auto p = Partition({1, 2, 3}, {1, 2, 3}, 1);
  PartitionChangeBuilder b(p, kTopic, 0, Active({1, 2, 3}), 1, false);
  CHECK(!b.Build().has_value());
}

TEST_CASE(
    "partition_change: an ISR shrink that keeps the leader sets only isr and bumps only "
    "the partition epoch (kafka-semantics 3.3)") {
  const auto p = Partition({1, 2, 3}, {1, 2, 3}, 1);
  PartitionChangeBuilder b(p, kTopic, 0, Active({1, 2, 3}), 1, false);
  b.SetTargetIsr({1, 2});
  const auto c = b.Build();
  REQUIRE(c.has_value());
  CHECK(c->record.leader == kLeaderUnchanged);
  CHECK(c->record.isr == std::vector<BrokerId>{1, 2});
  CHECK(!c->record.elr.has_value());
  CHECK(!c->record.leader_recovery_state.has_value());
  CHECK(c->after.leader_epoch == 4);
  CHECK(c->after.partition_epoch == 10);
  CHECK(DescribePartitionChange("t-0", p, *c, "") == "t-0 ISR [1,2,3] -> [1,2]");
}

TEST_CASE(
    "partition_change: a leader leaving the ISR is replaced by the first live ISR "
    "replica in assignment order and the leader epoch bumps (KRaft ONLINE election)") {
  const auto p = Partition({1, 2, 3}, {1, 3, 2}, 1);
  PartitionChangeBuilder b(p, kTopic, 0, Active({2, 3}), 1, false);
  b.SetTargetIsr({3, 2});
  const auto c = b.Build();
  REQUIRE(c.has_value());
  CHECK(c->record.leader == 2);
  CHECK(c->after.leader_epoch == 5);
  CHECK(c->after.partition_epoch == 10);
  CHECK(DescribePartitionChange("t-0", p, *c, "broker 1 fenced") ==
        "elected broker 2 leader of t-0 at leader_epoch 5 from ISR [3,2]; t-0 ISR [1,3,2] -> "
        "[3,2] (broker 1 fenced)");
}

TEST_CASE(
    "partition_change: with ELR off the ISR is never emptied, a dead sole member stays "
    "with leader -1 (kafka-semantics 1.7)") {
  const auto p = Partition({1, 2}, {1}, 1);
  PartitionChangeBuilder b(p, kTopic, 0, Active({2}), 1, false);
  b.SetTargetIsr({});
  const auto c = b.Build();
  REQUIRE(c.has_value());
  CHECK(c->record.leader == kNoLeader);
  CHECK(!c->record.isr.has_value());
  CHECK(c->after.isr == std::vector<BrokerId>{1});
  CHECK(c->after.leader_epoch == 5);
}

TEST_CASE(
    "partition_change: unclean election takes a live out-of-sync replica, ISR = [it], "
    "leader recovery RECOVERING (KAFKA-12670)") {
  const auto p = Partition({1, 2, 3}, {1}, kNoLeader);
  PartitionChangeBuilder online(p, kTopic, 0, Active({3}), 1, false);
  CHECK(!online.Build().has_value());  // ONLINE finds nobody
  PartitionChangeBuilder b(p, kTopic, 0, Active({3}), 1, false);
  b.SetElection(Election::kUnclean);
  const auto c = b.Build();
  REQUIRE(c.has_value());
  CHECK(c->unclean);
  CHECK(c->record.leader == 3);
  CHECK(c->record.isr == std::vector<BrokerId>{3});
  CHECK(c->record.leader_recovery_state == LeaderRecoveryState::kRecovering);
  CHECK(DescribePartitionChange("t-0", p, *c, "") ==
        "elected broker 3 leader of t-0 at leader_epoch 5 by UNCLEAN election (ISR was [1]), "
        "leader recovery RECOVERING");
}

TEST_CASE(
    "partition_change: ELR on, below min ISR the leaving members become ELR, the ISR may "
    "empty, and an ELR member is elected with ISR = [it] (KIP-966)") {
  auto p = Partition({1, 2, 3}, {1, 2, 3}, 1);
  PartitionChangeBuilder shrink(p, kTopic, 0, Active({1, 2, 3}), 2, true);
  shrink.SetTargetIsr({1});
  auto c = shrink.Build();
  REQUIRE(c.has_value());
  CHECK(c->after.isr == std::vector<BrokerId>{1});
  CHECK(c->after.elr == std::vector<BrokerId>{2, 3});
  p = c->after;

  PartitionChangeBuilder empty(p, kTopic, 0, Active({}), 2, true);
  empty.SetTargetIsr({});
  c = empty.Build();
  REQUIRE(c.has_value());
  CHECK(c->record.isr == std::vector<BrokerId>{});
  CHECK(c->after.leader == kNoLeader);
  CHECK(c->after.elr == std::vector<BrokerId>{1, 2, 3});
  CHECK(c->after.last_known_elr == std::vector<BrokerId>{1});
  p = c->after;

  PartitionChangeBuilder elect(p, kTopic, 0, Active({3}), 2, true);
  c = elect.Build();
  REQUIRE(c.has_value());
  CHECK(c->elected_from_elr);
  CHECK(c->after.leader == 3);
  CHECK(c->after.isr == std::vector<BrokerId>{3});
  CHECK(c->after.elr == std::vector<BrokerId>{1, 2});
  CHECK(c->after.last_known_elr.empty());
  CHECK(c->after.leader_recovery_state == LeaderRecoveryState::kRecovered);
}

TEST_CASE("partition_change: ELR on, an ISR back at min ISR clears ELR and last known ELR") {
  auto p = Partition({1, 2, 3}, {1}, 1);
  p.elr = {2, 3};
  PartitionChangeBuilder b(p, kTopic, 0, Active({1, 2, 3}), 2, true);
  b.SetTargetIsr({1, 2});
  const auto c = b.Build();
  REQUIRE(c.has_value());
  CHECK(c->record.elr == std::vector<BrokerId>{});
  CHECK(c->after.elr.empty());
}

TEST_CASE("partition_change: replicas back from an unclean shutdown leave the ELR (KIP-966)") {
  auto p = Partition({1, 2, 3}, {}, kNoLeader);
  p.elr = {1, 2, 3};
  PartitionChangeBuilder b(p, kTopic, 0, Active({}), 2, true);
  b.SetUncleanShutdownReplicas({2});
  const auto c = b.Build();
  REQUIRE(c.has_value());
  CHECK(c->record.elr == std::vector<BrokerId>{1, 3});
  CHECK(c->record.leader == kLeaderUnchanged);
}

TEST_CASE(
    "partition_change: PREFERRED moves leadership to replicas[0] only when it is a live "
    "ISR member (kafka-semantics 1.9)") {
  const auto in_isr = Partition({1, 2, 3}, {1, 2, 3}, 2);
  PartitionChangeBuilder b(in_isr, kTopic, 0, Active({1, 2, 3}), 1, false);
  b.SetElection(Election::kPreferred);
  const auto c = b.Build();
  REQUIRE(c.has_value());
  CHECK(c->record.leader == 1);

  const auto out_of_isr = Partition({1, 2, 3}, {2, 3}, 2);
  PartitionChangeBuilder none(out_of_isr, kTopic, 0, Active({1, 2, 3}), 1, false);
  none.SetElection(Election::kPreferred);
  CHECK(!none.Build().has_value());
}

TEST_CASE(
    "partition_change: a RECOVERING leader reporting RECOVERED completes recovery without "
    "a leader epoch bump") {
  auto p = Partition({1, 2}, {2}, 2);
  p.leader_recovery_state = LeaderRecoveryState::kRecovering;
  PartitionChangeBuilder b(p, kTopic, 0, Active({1, 2}), 1, false);
  b.SetTargetLeaderRecoveryState(LeaderRecoveryState::kRecovered);
  const auto c = b.Build();
  REQUIRE(c.has_value());
  CHECK(c->record.leader_recovery_state == LeaderRecoveryState::kRecovered);
  CHECK(c->record.leader == kLeaderUnchanged);
  CHECK(c->after.leader_epoch == 4);
}

TEST_CASE(
    "partition_change: ELR on, with ISR and ELR empty the last known leader is elected "
    "if active, ISR = [it], RECOVERING (KIP-966 LastKnownElr)") {
  auto p = Partition({1, 2, 3}, {}, kNoLeader);
  p.last_known_elr = {2};
  PartitionChangeBuilder off(p, kTopic, 0, Active({1, 3}), 2, true);
  CHECK(!off.Build().has_value());
  PartitionChangeBuilder b(p, kTopic, 0, Active({1, 2, 3}), 2, true);
  const auto c = b.Build();
  REQUIRE(c.has_value());
  CHECK(c->elected_last_known);
  CHECK(c->record.leader == 2);
  CHECK(c->after.isr == std::vector<BrokerId>{2});
  CHECK(c->after.elr.empty());
  CHECK(c->after.last_known_elr.empty());
  CHECK(c->after.leader_recovery_state == LeaderRecoveryState::kRecovering);
}

}  // namespace
}  // namespace kafkasim::kafka
