// ControllerLogic: broker lifecycle, topics, AlterPartition and elections, driven through a tiny
// in-memory metadata log (every returned record is replayed at the next offset).
#include "kafka/controller_logic.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>

namespace kafkasim::kafka {
namespace {

using namespace kafkasim::literals;

struct Cluster {
  explicit Cluster(ControllerConfig config = {}) : logic(std::move(config)) { logic.Activate(now); }

  void Write(const ControllerChanges& changes) {
    for (const MetadataRecord& r : changes.records) {
      log.push_back(r);
      logic.Replay(r, next_offset++);
    }
  }
  std::int64_t last_offset() const { return next_offset - 1; }

  RegisterResult Register(BrokerId id, const std::string& rack = "",
                          std::uint64_t incarnation = 1) {
    RegisterResult r = logic.RegisterBroker(
        BrokerRegistrationRequest{
            id, rack, Uuid{incarnation, static_cast<std::uint64_t>(id)}, {}, {}, {}, -1},
        next_offset, now);
    if (r.status.ok()) {
      Write(r.changes);
      epochs[id] = r.broker_epoch;
    }
    return r;
  }
  HeartbeatResult Beat(BrokerId id, bool want_fence = false, bool want_shut_down = false) {
    HeartbeatResult r = logic.Heartbeat(
        BrokerHeartbeatRequest{id, epochs[id], last_offset(), want_fence, want_shut_down},
        next_offset, now);
    Write(r.changes);
    return r;
  }
  // Registers brokers 1..n and unfences them.
  void Start(int n, const std::vector<std::string>& racks = {}) {
    for (int id = 1; id <= n; ++id) {
      REQUIRE(
          Register(id, racks.empty() ? "" : racks[static_cast<std::size_t>(id - 1)]).status.ok());
    }
    for (int id = 1; id <= n; ++id) REQUIRE(!Beat(id).is_fenced);
  }
  CreatedTopic Create(const std::string& name, int partitions, int rf,
                      std::map<std::string, std::string> configs = {}) {
    Rng rng(42);
    auto r = logic.CreateTopic(name, partitions, rf, configs, rng);
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    Write(r->changes);
    return *r;
  }
  const PartitionRegistration& P(const std::string& topic, int partition) {
    const PartitionRegistration* p = logic.image().Partition(topic, partition);
    REQUIRE(p != nullptr);
    return *p;
  }
  // Advances time, heartbeating every 2 s from the given brokers; then expires sessions.
  ControllerChanges RunFor(Duration d, const std::vector<BrokerId>& beating) {
    const Time end = now + d;
    while (now + 2_s <= end) {
      now += 2_s;
      for (BrokerId id : beating) Beat(id);
    }
    now = end;
    ControllerChanges fenced = logic.FenceExpiredBrokers(now);
    Write(fenced);
    return fenced;
  }
  AlterPartitionResult Alter(const std::string& topic, int partition, std::vector<BrokerId> isr) {
    const PartitionRegistration& p = P(topic, partition);
    AlterPartitionRequest req{p.leader,
                              epochs[p.leader],
                              logic.image().Topic(topic)->id,
                              partition,
                              p.leader_epoch,
                              p.partition_epoch,
                              std::move(isr),
                              LeaderRecoveryState::kRecovered};
    AlterPartitionResult r = logic.AlterPartition(req);
    if (r.status.ok()) Write(r.changes);
    return r;
  }

  ControllerLogic logic;
  Time now{0};
  std::int64_t next_offset = 0;
  std::vector<MetadataRecord> log;
  std::map<BrokerId, std::int64_t> epochs;
};

bool HasNote(const ControllerChanges& c, const std::string& text) {
  for (const auto& n : c.notes) {
    if (n.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST_CASE(
    "controller: a broker registers fenced with broker epoch = the RegisterBroker offset "
    "and is unfenced once its metadata offset reaches it (kafka-semantics 3.4)") {
  Cluster c;
  c.next_offset = 17;  // the log already holds other records
  const RegisterResult reg = c.Register(1, "r1");
  REQUIRE(reg.status.ok());
  CHECK(reg.broker_epoch == 17);
  REQUIRE(reg.changes.records.size() == 1);
  const auto& rec = std::get<RegisterBrokerRecord>(reg.changes.records[0]);
  CHECK(rec.fenced);
  CHECK(rec.broker_epoch == 17);
  CHECK(reg.changes.notes[0] ==
        "registered broker 1 (rack r1) at broker_epoch 17; fenced until it catches up");
  CHECK(c.logic.image().Broker(1)->fenced);

  HeartbeatResult behind =
      c.logic.Heartbeat(BrokerHeartbeatRequest{1, 17, 16, false, false}, c.next_offset, c.now);
  CHECK(behind.status.ok());
  CHECK(!behind.is_caught_up);
  CHECK(behind.is_fenced);
  CHECK(behind.changes.empty());

  HeartbeatResult caught_up = c.Beat(1);
  CHECK(caught_up.is_caught_up);
  CHECK(!caught_up.is_fenced);
  CHECK(caught_up.state == BrokerControlState::kUnfenced);
  REQUIRE(caught_up.changes.records.size() == 1);
  CHECK(std::get<BrokerRegistrationChangeRecord>(caught_up.changes.records[0]).fenced == -1);
  CHECK(HasNote(caught_up.changes, "unfenced broker 1: caught up to metadata offset 17"));
  CHECK(c.logic.image().IsActive(1));
}

TEST_CASE("controller: heartbeats with a stale broker epoch or from unknown brokers fail") {
  Cluster c;
  c.Start(1);
  auto stale =
      c.logic.Heartbeat(BrokerHeartbeatRequest{1, 99, 5, false, false}, c.next_offset, c.now);
  CHECK(stale.status.ToString() ==
        "STALE_BROKER_EPOCH: Expected broker epoch 0, but got broker "
        "epoch 99");
  auto unknown =
      c.logic.Heartbeat(BrokerHeartbeatRequest{7, 0, 5, false, false}, c.next_offset, c.now);
  CHECK(unknown.status.code() == Errc::kBrokerIdNotRegistered);
}

TEST_CASE(
    "controller: a new incarnation cannot register while the old session lives "
    "(ClusterControlManager DUPLICATE_BROKER_REGISTRATION)") {
  Cluster c;
  c.Start(2);
  c.Create("t", 1, 2);
  c.now += 3_s;
  auto dup = c.Register(1, "", /*incarnation=*/2);
  CHECK(dup.status.ToString() ==
        "DUPLICATE_BROKER_REGISTRATION: Another broker is registered with that broker id.");
  // The same incarnation may register again (a lost response); it is fenced and leaves ISRs.
  const BrokerId old_leader = c.P("t", 0).leader;
  auto again = c.Register(old_leader, "", 1);
  REQUIRE(again.status.ok());
  CHECK(HasNote(again.changes, fmt::format("fenced broker {}: it registered again", old_leader)));
  CHECK(c.P("t", 0).leader != old_leader);
  CHECK(!c.P("t", 0).InIsr(old_leader));
  CHECK(c.logic.image().Broker(old_leader)->epoch == again.broker_epoch);
}

TEST_CASE(
    "controller: session expiry fences the broker, moves its leaderships to another ISR "
    "member and shrinks ISRs (BrokerHeartbeatManager, 9000 ms)") {
  Cluster c;
  c.Start(3);
  c.Create("cities", 3, 3);
  REQUIRE(c.logic.NextSessionExpiry() == Time{9'000'000'000});
  // Brokers 2 and 3 keep heartbeating; broker 1 goes silent at t=0.
  auto early = c.RunFor(8999_ms, {2, 3});
  CHECK(early.empty());
  c.now = Time{9'000'000'000};
  auto fenced = c.logic.FenceExpiredBrokers(c.now);
  c.Write(fenced);
  REQUIRE(!fenced.empty());
  CHECK(fenced.notes.front() == "fenced broker 1: no heartbeat for 9000 ms");
  CHECK(c.logic.image().Broker(1)->fenced);
  int moved = 0;
  for (int p = 0; p < 3; ++p) {
    const auto& part = c.P("cities", p);
    CHECK(!part.InIsr(1));
    CHECK(part.isr.size() == 2);
    CHECK(part.leader != 1);
    CHECK(part.HasLeader());
    if (part.leader_epoch == 1) ++moved;
  }
  CHECK(moved == 1);  // broker 1 led exactly one of the three striped partitions
  CHECK(std::holds_alternative<BrokerRegistrationChangeRecord>(fenced.records.back()));
  CHECK(c.logic.NextSessionExpiry() == Time{9'000'000'000} + 9_s - 1_s);
}

TEST_CASE(
    "controller: a sole ISR member dying leaves ISR [it] and leader -1 with ELR off; it "
    "leads again when it returns (kafka-semantics 1.7)") {
  Cluster c;
  c.Start(2);
  c.Create("t", 1, 2);
  const BrokerId first = c.P("t", 0).leader;
  const BrokerId second = first == 1 ? 2 : 1;
  // The follower dies first, then the leader.
  c.RunFor(9_s, {first});
  CHECK(c.P("t", 0).isr == std::vector<BrokerId>{first});
  auto fenced = c.RunFor(9_s, {});
  CHECK(c.P("t", 0).isr == std::vector<BrokerId>{first});
  CHECK(c.P("t", 0).leader == kNoLeader);
  CHECK(HasNote(fenced, "t-0 has no leader at leader_epoch 1: no live replica in ISR"));
  // The out-of-sync replica returning does not help without unclean election.
  c.Beat(second);
  CHECK(c.P("t", 0).leader == kNoLeader);
  auto back = c.Beat(first);
  CHECK(c.P("t", 0).leader == first);
  CHECK(HasNote(back.changes,
                fmt::format("elected broker {} leader of t-0 at leader_epoch 2", first)));
}

TEST_CASE(
    "controller: with unclean.leader.election.enable a live out-of-sync replica is "
    "elected with leader recovery RECOVERING (KAFKA-12670)") {
  Cluster c;
  c.Start(2);
  c.Create("t", 1, 2, {{"unclean.leader.election.enable", "true"}});
  const BrokerId leader = c.P("t", 0).leader;
  const BrokerId follower = leader == 1 ? 2 : 1;
  REQUIRE(c.Alter("t", 0, {leader}).status.ok());  // the follower fell out of the ISR
  auto fenced = c.RunFor(9_s, {follower});
  const auto& p = c.P("t", 0);
  CHECK(p.leader == follower);
  CHECK(p.isr == std::vector<BrokerId>{follower});
  CHECK(p.leader_recovery_state == LeaderRecoveryState::kRecovering);
  CHECK(HasNote(fenced, "by UNCLEAN election"));
}

TEST_CASE(
    "controller: unclean election by request or by the periodic check, topic config "
    "overriding the cluster default") {
  Cluster c;
  c.Start(2);
  c.Create("t", 1, 2);
  const BrokerId leader = c.P("t", 0).leader;
  const BrokerId follower = leader == 1 ? 2 : 1;
  REQUIRE(c.Alter("t", 0, {leader}).status.ok());
  c.RunFor(9_s, {follower});
  REQUIRE(c.P("t", 0).leader == kNoLeader);
  CHECK(c.logic.ElectUncleanWhereAllowed().empty());
  // A topic override turns it on (an IncrementalAlterConfigs result replayed).
  ControllerChanges config;
  config.records.push_back(ConfigRecord{2, "t", "unclean.leader.election.enable", "true"});
  c.Write(config);
  CHECK(c.logic.UncleanLeaderElectionEnabled("t"));
  auto elected = c.logic.ElectUncleanWhereAllowed();
  REQUIRE(elected.records.size() == 1);
  c.Write(elected);
  CHECK(c.P("t", 0).leader == follower);

  Cluster d;
  d.Start(2);
  d.Create("u", 1, 2);
  const BrokerId l = d.P("u", 0).leader;
  const BrokerId f = l == 1 ? 2 : 1;
  REQUIRE(d.Alter("u", 0, {l}).status.ok());
  d.RunFor(9_s, {f});
  auto result = d.logic.ElectLeaders(ElectionType::kUnclean, std::nullopt);
  CHECK(result.partitions.at(TopicPartition{"u", 0}).ok());
  d.Write(result.changes);
  CHECK(d.P("u", 0).leader == f);
  auto again = d.logic.ElectLeaders(ElectionType::kUnclean, std::nullopt);
  CHECK(again.partitions.at(TopicPartition{"u", 0}).code() == Errc::kElectionNotNeeded);
}

TEST_CASE(
    "controller: with ELR on the ISR can empty and a returning ELR member is elected "
    "(KIP-966)") {
  ControllerConfig config;
  config.eligible_leader_replicas_enable = true;
  Cluster c(config);
  c.Start(3);
  c.Create("t", 1, 3, {{"min.insync.replicas", "2"}});
  const std::vector<BrokerId> replicas = c.P("t", 0).replicas;
  // Brokers die in replica order: leader first.
  c.RunFor(9_s, {replicas[1], replicas[2]});
  CHECK(c.P("t", 0).elr.empty());  // ISR of 2 is still at min ISR
  c.RunFor(9_s, {replicas[2]});
  CHECK(c.P("t", 0).isr == std::vector<BrokerId>{replicas[2]});
  CHECK(c.P("t", 0).elr == std::vector<BrokerId>{replicas[1]});
  c.RunFor(9_s, {});
  CHECK(c.P("t", 0).isr.empty());
  CHECK(c.P("t", 0).leader == kNoLeader);
  CHECK(c.P("t", 0).last_known_elr == std::vector<BrokerId>{replicas[2]});
  // The first replica was never in the ELR (it left while the ISR was at min): not eligible.
  c.Beat(replicas[0]);
  CHECK(c.P("t", 0).leader == kNoLeader);
  auto back = c.Beat(replicas[1]);
  CHECK(c.P("t", 0).leader == replicas[1]);
  CHECK(c.P("t", 0).isr == std::vector<BrokerId>{replicas[1]});
  CHECK(HasNote(back.changes, "from ELR"));
}

TEST_CASE(
    "controller: AlterPartition rejects stale leader and partition epochs and ineligible "
    "replicas (KIP-497)") {
  Cluster c;
  c.Start(3);
  c.Create("t", 1, 3);
  const PartitionRegistration p = c.P("t", 0);
  const Uuid id = c.logic.image().Topic("t")->id;
  std::vector<BrokerId> shrunk = {p.leader, p.replicas[1]};
  AlterPartitionRequest req{
      p.leader,           c.epochs[p.leader], id,     0,
      p.leader_epoch + 1, p.partition_epoch,  shrunk, LeaderRecoveryState::kRecovered};
  CHECK(c.logic.AlterPartition(req).status.code() == Errc::kFencedLeaderEpoch);
  req.leader_epoch = p.leader_epoch;
  req.partition_epoch = p.partition_epoch - 1;
  CHECK(c.logic.AlterPartition(req).status.code() == Errc::kInvalidUpdateVersion);
  req.partition_epoch = p.partition_epoch;
  req.broker_epoch = 12345;
  CHECK(c.logic.AlterPartition(req).status.code() == Errc::kStaleBrokerEpoch);
  req.broker_epoch = c.epochs[p.leader];
  AlterPartitionResult ok = c.logic.AlterPartition(req);
  REQUIRE(ok.status.ok());
  CHECK(ok.partition.isr == shrunk);
  CHECK(ok.partition.partition_epoch == p.partition_epoch + 1);
  CHECK(ok.partition.leader_epoch == p.leader_epoch);
  c.Write(ok.changes);
  CHECK(c.P("t", 0).isr == shrunk);
  // The same request again is now stale.
  CHECK(c.logic.AlterPartition(req).status.code() == Errc::kInvalidUpdateVersion);

  // A fenced broker cannot be added back.
  const BrokerId out = p.replicas[2];
  c.RunFor(9_s, {p.replicas[0], p.replicas[1]});
  auto ineligible = c.Alter("t", 0, {p.leader, p.replicas[1], out});
  CHECK(ineligible.status.code() == Errc::kIneligibleReplica);
  c.Beat(out);
  CHECK(c.Alter("t", 0, {p.leader, p.replicas[1], out}).status.ok());
  CHECK(c.P("t", 0).isr.size() == 3);
}

TEST_CASE(
    "controller: preferred election moves leadership back once replicas[0] is in the ISR "
    "(kafka-semantics 1.9)") {
  Cluster c;
  c.Start(3);
  c.Create("t", 1, 3);
  const std::vector<BrokerId> replicas = c.P("t", 0).replicas;
  const BrokerId preferred = replicas[0];
  c.RunFor(9_s, {replicas[1], replicas[2]});
  REQUIRE(c.P("t", 0).leader == replicas[1]);
  c.Beat(preferred);  // back, unfenced, but not yet in the ISR
  REQUIRE(c.logic.image().IsActive(preferred));
  const TopicPartition tp{"t", 0};
  auto not_available = c.logic.ElectLeaders(ElectionType::kPreferred, std::vector{tp});
  CHECK(not_available.partitions.at(tp).code() == Errc::kPreferredLeaderNotAvailable);
  CHECK(not_available.changes.empty());
  CHECK(!c.logic.HasImbalancedPartitions());

  REQUIRE(c.Alter("t", 0, {replicas[1], replicas[2], preferred}).status.ok());
  CHECK(c.logic.HasImbalancedPartitions());
  auto elected = c.logic.ElectLeaders(ElectionType::kPreferred, std::vector{tp});
  CHECK(elected.partitions.at(tp).ok());
  c.Write(elected.changes);
  CHECK(c.P("t", 0).leader == preferred);
  CHECK(c.P("t", 0).leader_epoch == 2);
  auto not_needed = c.logic.ElectLeaders(ElectionType::kPreferred, std::vector{tp});
  CHECK(not_needed.partitions.at(tp).code() == Errc::kElectionNotNeeded);
  auto unknown =
      c.logic.ElectLeaders(ElectionType::kPreferred, std::vector{TopicPartition{"x", 0}});
  CHECK(unknown.partitions.at(TopicPartition{"x", 0}).code() == Errc::kUnknownTopicOrPartition);
}

TEST_CASE("controller: auto leader rebalance elects every available preferred leader") {
  Cluster c;
  c.Start(3);
  c.Create("t", 3, 3);
  c.RunFor(9_s, {2, 3});
  c.Beat(1);
  for (int p = 0; p < 3; ++p) {
    const auto& part = c.P("t", p);
    std::vector<BrokerId> isr = part.isr;
    isr.push_back(1);
    REQUIRE(c.Alter("t", p, isr).status.ok());
  }
  auto balanced = c.logic.BalancePartitionLeaders();
  CHECK(balanced.records.size() == 1);  // broker 1 is preferred for one partition
  CHECK(HasNote(balanced, "(auto leader rebalance)"));
  c.Write(balanced);
  CHECK(!c.logic.HasImbalancedPartitions());
  CHECK(c.logic.BalancePartitionLeaders().empty());
}

TEST_CASE(
    "controller: controlled shutdown moves leaders off, leaves ISRs and ends with "
    "SHUTDOWN_NOW once the others caught up (kafka-semantics 3.4)") {
  Cluster c;
  c.Start(3);
  c.Create("t", 3, 3);
  REQUIRE(c.logic.LeadsAnyPartition(1));
  auto first = c.Beat(1, false, /*want_shut_down=*/true);
  CHECK(first.state == BrokerControlState::kControlledShutdown);
  CHECK(first.in_controlled_shutdown);
  CHECK(!first.should_shut_down);
  CHECK(HasNote(first.changes, "broker 1 entered controlled shutdown"));
  CHECK(!c.logic.LeadsAnyPartition(1));
  for (int p = 0; p < 3; ++p) CHECK(!c.P("t", p).InIsr(1));
  // The others have not yet seen the shutdown records.
  auto waiting = c.logic.Heartbeat(
      BrokerHeartbeatRequest{1, c.epochs[1], c.last_offset(), false, true}, c.next_offset, c.now);
  CHECK(waiting.state == BrokerControlState::kControlledShutdown);
  c.Beat(2);
  c.Beat(3);
  auto done = c.Beat(1, false, true);
  CHECK(done.should_shut_down);
  CHECK(done.is_fenced);
  CHECK(c.logic.image().Broker(1)->fenced);
  // A broker leading nothing shuts down at once.
  REQUIRE(c.Register(4).status.ok());
  REQUIRE(!c.Beat(4).is_fenced);
  auto quick = c.Beat(4, false, true);
  CHECK(quick.state == BrokerControlState::kShutdownNow);
  CHECK(quick.should_shut_down);
}

TEST_CASE(
    "controller: CreatePartitions adds partitions with the topic's replication factor and "
    "refuses anything but an increase") {
  Cluster c;
  c.Start(3);
  c.Create("cities", 3, 2);
  Rng rng(9);
  CHECK(c.logic.CreatePartitions("cities", 2, rng).status().ToString() ==
        "INVALID_PARTITIONS: The topic cities currently has 3 partition(s); 2 would not be an "
        "increase.");
  CHECK(c.logic.CreatePartitions("cities", 3, rng).status().ToString() ==
        "INVALID_PARTITIONS: Topic already has 3 partition(s).");
  CHECK(c.logic.CreatePartitions("towns", 4, rng).status().code() ==
        Errc::kUnknownTopicOrPartition);
  auto grown = c.logic.CreatePartitions("cities", 5, rng);
  REQUIRE(grown.ok());
  CHECK(grown->records.size() == 2);
  c.Write(*grown);
  const TopicImage* topic = c.logic.image().Topic("cities");
  REQUIRE(topic != nullptr);
  CHECK(topic->partitions.size() == 5);
  for (int p = 3; p < 5; ++p) {
    const PartitionRegistration& reg = c.P("cities", p);
    CHECK(reg.replicas.size() == 2);
    CHECK(reg.leader == reg.replicas.front());
    CHECK(reg.isr == reg.replicas);
  }
  // The existing partitions are untouched.
  CHECK(c.P("cities", 0).leader_epoch == 0);
}

TEST_CASE(
    "controller: create topic writes Topic, Config and Partition records, or fails with "
    "Kafka's errors") {
  Cluster c;
  c.Start(2);
  Rng rng(5);
  auto too_many = c.logic.CreateTopic("t", 1, 3, {}, rng);
  CHECK(too_many.status().ToString() ==
        "INVALID_REPLICATION_FACTOR: Unable to replicate the partition 3 time(s): The target "
        "replication factor of 3 cannot be reached because only 2 broker(s) are registered.");
  CHECK(c.logic.CreateTopic("bad name", 1, 1, {}, rng).status().code() ==
        Errc::kInvalidTopicException);
  CHECK(c.logic.CreateTopic("t", 0, 1, {}, rng).status().code() == Errc::kInvalidPartitions);
  // ReplicationControlManagerTest.testExcessiveNumberOfTopicsCannotBeCreated: over 10,000
  // partitions in one request is a policy violation, checked before anything else.
  CHECK(c.logic.CreateTopic("bad name", 10001, 1, {}, rng).status().ToString() ==
        "POLICY_VIOLATION: Excessively large number of partitions per request.");
  CHECK(c.logic.CreateTopic("t", 2147483647, 1, {}, rng).status().code() == Errc::kPolicyViolation);
  CHECK(c.logic.CreateTopic("t", 1, 1, {{"min.insync.replicas", "x"}}, rng).status().ToString() ==
        "INVALID_CONFIG: Invalid value x for configuration min.insync.replicas: Not a number of "
        "type INT");

  auto created = c.Create("orders", -1, 2, {{"min.insync.replicas", "2"}});
  CHECK(created.num_partitions == 1);
  REQUIRE(created.changes.records.size() == 3);
  CHECK(std::get<TopicRecord>(created.changes.records[0]).name == "orders");
  CHECK(std::get<ConfigRecord>(created.changes.records[1]).name == "min.insync.replicas");
  const auto& part = std::get<PartitionRecord>(created.changes.records[2]);
  CHECK(part.leader == part.replicas[0]);
  CHECK(part.isr == part.replicas);
  CHECK(part.leader_epoch == 0);
  CHECK(part.partition_epoch == 0);
  CHECK(c.logic.MinInsyncReplicas("orders") == 2);
  CHECK(c.logic.CreateTopic("orders", 1, 1, {}, rng).status().ToString() ==
        "TOPIC_ALREADY_EXISTS: Topic 'orders' already exists.");
  CHECK(c.logic.CreateTopic("a.b", 1, 1, {}, rng).ok());
  c.Write(c.logic.CreateTopic("x_y", 1, 1, {}, rng)->changes);
  CHECK(c.logic.CreateTopic("x.y", 1, 1, {}, rng).status().ToString() ==
        "INVALID_TOPIC_EXCEPTION: Topic 'x.y' collides with existing topic: x_y");
}

TEST_CASE("controller: delete topic writes RemoveTopic and the image forgets the topic") {
  Cluster c;
  c.Start(1);
  c.Create("gone", 2, 1);
  auto del = c.logic.DeleteTopic("gone");
  REQUIRE(del.ok());
  REQUIRE(del->records.size() == 1);
  CHECK(std::holds_alternative<RemoveTopicRecord>(del->records[0]));
  c.Write(*del);
  CHECK(c.logic.image().Topic("gone") == nullptr);
  CHECK(c.logic.DeleteTopic("gone").status().code() == Errc::kUnknownTopicOrPartition);
}

TEST_CASE(
    "controller: a new active controller restarts every session clock, so a dead broker "
    "is fenced a full session timeout after the failover (KAFKA-19130)") {
  Cluster c;
  c.Start(2);
  c.Create("t", 1, 2);
  // A standby replays the same log; broker 2 died at t=0, the failover happens at t=20 s.
  ControllerLogic standby{ControllerConfig{}};
  for (std::size_t i = 0; i < c.log.size(); ++i) {
    standby.Replay(c.log[i], static_cast<std::int64_t>(i));
  }
  standby.Activate(Time{20'000'000'000});
  CHECK(standby.NextSessionExpiry() == Time{29'000'000'000});
  CHECK(standby.FenceExpiredBrokers(Time{28'999'000'000}).empty());
  auto fenced = standby.FenceExpiredBrokers(Time{29'000'000'000});
  CHECK(HasNote(fenced, "fenced broker 1: no heartbeat for 9000 ms"));
  CHECK(HasNote(fenced, "fenced broker 2: no heartbeat for 9000 ms"));
}

TEST_CASE("controller: two brokers expiring together do not pass leadership between them") {
  Cluster c;
  c.Start(3);
  c.Create("t", 1, 3);
  const std::vector<BrokerId> replicas = c.P("t", 0).replicas;
  auto fenced = c.RunFor(9_s, {replicas[2]});
  CHECK(c.P("t", 0).leader == replicas[2]);
  CHECK(c.P("t", 0).leader_epoch == 1);  // one move, straight to the survivor
  CHECK(c.P("t", 0).isr == std::vector<BrokerId>{replicas[2]});
}

TEST_CASE(
    "controller: a broker back from an unclean shutdown leaves the ELR, a cleanly shut "
    "down one stays eligible (KIP-966)") {
  ControllerConfig config;
  config.eligible_leader_replicas_enable = true;
  Cluster c(config);
  c.Start(2);
  c.Create("t", 1, 2, {{"min.insync.replicas", "2"}});
  c.RunFor(9_s, {});  // both die together
  REQUIRE(c.P("t", 0).isr.empty());
  REQUIRE(c.P("t", 0).elr == std::vector<BrokerId>{1, 2});
  // Broker 1 crashed (no previous epoch); broker 2 shut down cleanly from its epoch.
  RegisterResult crashed = c.logic.RegisterBroker(
      BrokerRegistrationRequest{1, "", Uuid{7, 1}, {}, {}, {}, -1}, c.next_offset, c.now);
  REQUIRE(crashed.status.ok());
  CHECK(HasNote(crashed.changes,
                "t-0 ELR [1,2] -> [2] (broker 1 restarted after an unclean "
                "shutdown)"));
  c.Write(crashed.changes);
  c.epochs[1] = crashed.broker_epoch;
  RegisterResult clean = c.logic.RegisterBroker(
      BrokerRegistrationRequest{2, "", Uuid{7, 2}, {}, {}, {}, c.epochs[2]}, c.next_offset, c.now);
  REQUIRE(clean.status.ok());
  CHECK(clean.changes.records.size() == 1);
  c.Write(clean.changes);
  c.epochs[2] = clean.broker_epoch;
  c.Beat(1);
  CHECK(c.P("t", 0).leader == kNoLeader);
  auto back = c.Beat(2);
  CHECK(c.P("t", 0).leader == 2);
  CHECK(std::find(back.changes.probes.begin(), back.changes.probes.end(), "leader.election.elr") !=
        back.changes.probes.end());
}

TEST_CASE("controller: changes name the teachable paths they take as probes") {
  Cluster c;
  c.Start(3);
  c.Create("t", 1, 3);
  auto fenced = c.RunFor(9_s, {c.P("t", 0).replicas[1], c.P("t", 0).replicas[2]});
  CHECK(fenced.probes ==
        std::vector<std::string>{"controller.fence_broker", "isr.shrink", "leader.election.clean"});
}

TEST_CASE(
    "controller: altering configs writes ConfigRecords, and with ELR on a new "
    "min.insync.replicas clears the ELR (KIP-966)") {
  ControllerConfig config;
  config.eligible_leader_replicas_enable = true;
  Cluster c(config);
  c.Start(3);
  c.Create("t", 1, 3, {{"min.insync.replicas", "2"}});
  const std::vector<BrokerId> replicas = c.P("t", 0).replicas;
  REQUIRE(c.Alter("t", 0, {replicas[0]}).status.ok());
  REQUIRE(c.P("t", 0).elr.size() == 2);

  CHECK(c.logic.AlterConfigs(2, "nope", {{"min.insync.replicas", "1"}}).status().code() ==
        Errc::kUnknownTopicOrPartition);
  CHECK(c.logic.AlterConfigs(2, "t", {{"min.insync.replicas", "0"}}).status().ToString() ==
        "INVALID_CONFIG: Invalid value 0 for configuration min.insync.replicas: Value must be at "
        "least 1");
  auto altered = c.logic.AlterConfigs(2, "t", {{"min.insync.replicas", "1"}});
  REQUIRE(altered.ok());
  CHECK(altered->notes.front() == "set min.insync.replicas=1 on topic t");
  CHECK(HasNote(*altered, "(min.insync.replicas changed)"));
  c.Write(*altered);
  CHECK(c.logic.MinInsyncReplicas("t") == 1);
  CHECK(c.P("t", 0).elr.empty());

  auto removed = c.logic.AlterConfigs(4, "", {{"unclean.leader.election.enable", "true"}});
  REQUIRE(removed.ok());
  c.Write(*removed);
  CHECK(c.logic.UncleanLeaderElectionEnabled("t"));
  auto deleted = c.logic.AlterConfigs(2, "t", {{"min.insync.replicas", std::nullopt}});
  REQUIRE(deleted.ok());
  c.Write(*deleted);
  CHECK(c.logic.MinInsyncReplicas("t") == 1);  // back to the default
  // incrementalAlterConfigResource: a topic config that keeps its value (set to what it is, or
  // deleted while not set) makes no record, so a MirrorMaker 2 sync of an unchanged topic
  // writes nothing.
  auto same = c.logic.AlterConfigs(
      2, "t", {{"min.insync.replicas", std::nullopt}, {"retention.ms", std::nullopt}});
  REQUIRE(same.ok());
  CHECK(same->records.empty());
  c.Write(*c.logic.AlterConfigs(2, "t", {{"retention.ms", "1000"}}));
  auto again = c.logic.AlterConfigs(2, "t", {{"retention.ms", "1000"}, {"segment.ms", "5000"}});
  REQUIRE(again.ok());
  CHECK(again->records.size() == 1);
  CHECK(again->notes == std::vector<std::string>{"set segment.ms=5000 on topic t"});
}

TEST_CASE(
    "controller: a broker asking to be fenced leaves ISRs; a fenced broker asking to shut "
    "down may do so at once (BrokerHeartbeatManager)") {
  Cluster c;
  c.Start(2);
  c.Create("t", 2, 2);
  auto fenced = c.Beat(1, /*want_fence=*/true);
  CHECK(fenced.is_fenced);
  CHECK(HasNote(fenced.changes, "fenced broker 1: it asked to be fenced"));
  CHECK(!c.P("t", 0).InIsr(1));
  CHECK(!c.P("t", 1).InIsr(1));
  auto down = c.Beat(1, false, true);
  CHECK(down.should_shut_down);
  CHECK(down.changes.records.empty());
}

TEST_CASE("controller: the same requests give byte-identical records (determinism)") {
  const auto run = [] {
    Cluster c;
    c.Start(4, {"a", "a", "b", "b"});
    c.Create("one", 6, 3);
    c.Create("two", 3, 2, {{"min.insync.replicas", "2"}});
    c.RunFor(9_s, {2, 3, 4});
    c.Beat(1);
    c.Write(c.logic.BalancePartitionLeaders());
    std::vector<std::vector<std::uint8_t>> bytes;
    for (const auto& r : c.log) bytes.push_back(EncodeMetadataRecord(r));
    return bytes;
  };
  const auto first = run();
  CHECK(first.size() > 20);
  CHECK(first == run());
}

// ProducerIdControlManager.generateNextProducerId (KIP-730): blocks of 1000 ids from 0, each
// recorded as a ProducerIdsRecord, checked against the broker's epoch.
TEST_CASE("controller: producer id blocks never overlap, also after a failover replays the log") {
  Cluster c;
  c.Start(2);
  AllocateProducerIdsResult first = c.logic.AllocateProducerIds(1, c.epochs[1]);
  REQUIRE(first.status.ok());
  CHECK(first.block.first_producer_id == 0);
  CHECK(first.block.size == kProducerIdBlockSize);
  REQUIRE(first.changes.records.size() == 1);
  c.Write(first.changes);
  AllocateProducerIdsResult second = c.logic.AllocateProducerIds(2, c.epochs[2]);
  REQUIRE(second.status.ok());
  CHECK(second.block.first_producer_id == 1000);
  c.Write(second.changes);
  CHECK(c.logic.AllocateProducerIds(2, c.epochs[2] + 7).status.code() == Errc::kStaleBrokerEpoch);
  CHECK(c.logic.AllocateProducerIds(9, 0).status.code() == Errc::kStaleBrokerEpoch);

  // A new active controller knows the next block from the replayed records alone.
  ControllerLogic successor(ControllerConfig{});
  std::int64_t offset = 0;
  for (const MetadataRecord& r : c.log) {
    Result<MetadataRecord> decoded = DecodeMetadataRecord(EncodeMetadataRecord(r));
    REQUIRE(decoded.ok());
    successor.Replay(*decoded, offset++);
  }
  successor.Activate(c.now);
  AllocateProducerIdsResult third = successor.AllocateProducerIds(1, c.epochs[1]);
  REQUIRE(third.status.ok());
  CHECK(third.block.first_producer_id == 2000);
  CHECK(RecordTypeName(third.changes.records[0]) == "ProducerIdsRecord");
}

}  // namespace
}  // namespace kafkasim::kafka
