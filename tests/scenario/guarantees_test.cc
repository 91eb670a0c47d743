// The guarantees every run watches, each both ways: a clean run keeps it, and a hand-made
// violation (a log poked through the interface the broker itself writes with, a consume the
// history did not see, or a second world that contradicts the first) is caught and described.
#include "scenario/guarantees.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kafka/kafka_raft_server.h"
#include "scenario/runner.h"
#include "storage/crc32c.h"
#include "storage/record_batch.h"

namespace kafkasim::scenario {
namespace {

std::unique_ptr<Guarantee> Named(const std::string& name) {
  for (std::unique_ptr<Guarantee>& g : BuiltInGuarantees()) {
    if (g->name() == name) return std::move(g);
  }
  FAIL("no guarantee named " << name);
  return nullptr;
}

void RunTo(Runner& runner, Time t) {
  for (int i = 0; i < 100 && runner.View().now < t; ++i) runner.AdvanceTo(t, UINT64_MAX);
  REQUIRE(runner.View().now == t);
}

std::unique_ptr<Runner> Start(const std::string& json, std::uint64_t seed) {
  std::vector<std::string> errors;
  std::optional<Scenario> scenario = ParseScenario(json, "guarantees.json", &errors);
  REQUIRE_MESSAGE(scenario.has_value(), errors.front());
  RunOptions options;
  options.seed = seed;
  return std::make_unique<Runner>(std::move(*scenario), std::move(options));
}

// Three brokers replicating cities-0 with a producer (acks=all) and a consumer reading it.
std::unique_ptr<Runner> Replicating(Time until) {
  std::unique_ptr<Runner> runner = Start(R"({"name": "replicating", "end": "60s",
    "cluster": {"brokers": 3, "controllers": 1},
    "topics": [{"name": "cities", "partitions": 1, "replication_factor": 3}],
    "clients": [{"id": "p", "type": "producer", "topic": "cities", "acks": "all",
                 "rate_per_s": 50, "start": "2s"},
                {"id": "c", "type": "consumer", "topic": "cities", "from_beginning": true,
                 "start": "2s"}]})",
                                         1);
  RunTo(*runner, until);
  return runner;
}

struct Replica {
  std::int32_t broker = -1;
  kafka::ReplicaLog* log = nullptr;  // poked through the broker's own interface, for tests only
};

Replica LeaderOf(World& world) {
  const kafka::PartitionRegistration& reg =
      world.BestImage()->topics().at("cities").partitions.at(0);
  kafka::KafkaNode* server = world.BrokerServer(reg.leader);
  REQUIRE(server != nullptr);
  return {reg.leader, const_cast<kafka::ReplicaLog*>(server->Log("cities", 0))};
}

Replica FollowerOf(World& world) {
  const kafka::PartitionRegistration& reg =
      world.BestImage()->topics().at("cities").partitions.at(0);
  for (std::int32_t b : reg.isr) {
    if (b == reg.leader) continue;
    return {b, const_cast<kafka::ReplicaLog*>(world.BrokerServer(b)->Log("cities", 0))};
  }
  FAIL("no follower in the ISR");
  return {};
}

// The raw bytes of the batch at `offset` (a batch boundary) of `log`.
std::vector<std::uint8_t> BatchAt(const kafka::ReplicaLog& log, std::int64_t offset) {
  Result<std::vector<std::uint8_t>> bytes = log.Read(offset, 1, log.log_end_offset());
  REQUIRE(bytes.ok());
  Result<storage::BatchHeader> h = storage::ParseBatchHeader(*bytes);
  REQUIRE(h.ok());
  REQUIRE(h->base_offset == offset);
  bytes->resize(h->size_in_bytes());
  return *bytes;
}

storage::BatchHeader HeaderOf(const std::vector<std::uint8_t>& batch) {
  Result<storage::BatchHeader> h = storage::ParseBatchHeader(batch);
  REQUIRE(h.ok());
  return *h;
}

void PutBigEndian(std::vector<std::uint8_t>& bytes, std::size_t at, std::uint64_t v, int n) {
  for (int i = n - 1; i >= 0; --i, v >>= 8) bytes[at + static_cast<std::size_t>(i)] = v & 0xff;
}

std::string Facts(const storage::BatchHeader& h) {
  return fmt::format("offsets {}..{} in epoch {} with crc {:#010x}", h.base_offset, h.last_offset(),
                     h.partition_leader_epoch, h.crc);
}

// Puts `batch` in place of everything the follower's log holds.
void ReplaceFollowerLog(World& world, const Replica& follower,
                        const std::vector<std::uint8_t>& batch) {
  REQUIRE(follower.log->TruncateTo(0).ok());
  REQUIRE(follower.log->AppendAsFollower(batch, world.sim().Now()).ok());
}

// What the replicas-agree guarantee says when the follower holds `theirs` where the leader
// holds `ours`.
std::string Disagreement(const Replica& follower, const std::vector<std::uint8_t>& theirs,
                         const Replica& leader, const std::vector<std::uint8_t>& ours,
                         std::int64_t hw) {
  return fmt::format("cities-0: broker {} has {}, the leader broker {} has {} (below hw {})",
                     follower.broker, Facts(HeaderOf(theirs)), leader.broker, Facts(HeaderOf(ours)),
                     hw);
}

TEST_CASE("guarantees: the list names them in display order") {
  std::vector<std::string> names;
  for (const std::unique_ptr<Guarantee>& g : BuiltInGuarantees()) names.push_back(g->name());
  CHECK(names == std::vector<std::string>{
                     "acks=all writes, once acknowledged, are kept",
                     "at most one leader per partition and epoch",
                     "replicas agree on every offset below the high watermark",
                     "the high watermark never goes backwards on a leader",
                     "offsets are unique and gap-free",
                     "no consumer reads above the high watermark",
                     "within one generation each partition is owned by at most one group member",
                     "the metadata quorum elects at most one leader per epoch",
                     "metadata logs that share an entry agree on everything before it",
                     "a committed metadata entry is in every later leader's log",
                 });
}

TEST_CASE("guarantees: a clean replicating run keeps every guarantee") {
  std::unique_ptr<Runner> runner = Replicating(kTimeZero + Seconds(60));
  CHECK(runner->RunToEnd(kTimeMax));
  int guarantees = 0;
  for (const view::CheckView& c : runner->checks()) {
    if (!c.continuous) continue;
    ++guarantees;
    CHECK_MESSAGE(c.ok, c.name << ": " << c.seen);
  }
  CHECK(guarantees == 10);
  // The world keeps no copy of each record: the ledger counted them and kept none above hw.
  CHECK(runner->world().history().consumed.empty());
  CHECK(runner->world().ledger().records_consumed() > 100);
  CHECK(runner->world().ledger().read_above_hw().empty());
}

TEST_CASE("guarantees: a follower whose record differs below the high watermark is caught") {
  std::unique_ptr<Runner> runner = Replicating(kTimeZero + Seconds(10));
  World& world = runner->world();
  std::unique_ptr<Guarantee> agree =
      Named("replicas agree on every offset below the high watermark");
  CHECK(agree->Check(world) == std::nullopt);
  const Replica leader = LeaderOf(world);
  const Replica follower = FollowerOf(world);
  const std::int64_t hw = leader.log->high_watermark();
  REQUIRE(hw > 10);
  // The follower's first batch rewritten in another leader epoch (the field the CRC does not
  // cover), as a replica that missed a truncation would hold it.
  const std::vector<std::uint8_t> original = BatchAt(*leader.log, 0);
  std::vector<std::uint8_t> forged = original;
  PutBigEndian(forged, 12,
               static_cast<std::uint64_t>(HeaderOf(original).partition_leader_epoch + 1), 4);
  ReplaceFollowerLog(world, follower, forged);
  // A fresh checker reads from the start; the one that already agreed up to the high
  // watermark starts over once the trace says the follower's log was truncated.
  CHECK(agree->Check(world) == std::nullopt);
  TraceEvent truncated;
  truncated.kind = "log.truncate";
  agree->Observe(truncated);
  const std::optional<std::string> broken = agree->Check(world);
  REQUIRE(broken.has_value());
  CHECK(*broken == Disagreement(follower, forged, leader, original, hw));
  CHECK(Named("replicas agree on every offset below the high watermark")->Check(world) == broken);
}

TEST_CASE(
    "guarantees: a follower whose batch holds other bytes at the same offsets and epoch is "
    "caught by its CRC") {
  std::unique_ptr<Runner> runner = Replicating(kTimeZero + Seconds(10));
  World& world = runner->world();
  const Replica leader = LeaderOf(world);
  const Replica follower = FollowerOf(world);
  const std::int64_t hw = leader.log->high_watermark();
  REQUIRE(hw > 10);
  // The last byte of the first batch (inside its last record's value) changed, with a CRC
  // recomputed so the batch is valid: only the CRC tells the two apart.
  const std::vector<std::uint8_t> original = BatchAt(*leader.log, 0);
  std::vector<std::uint8_t> forged = original;
  forged.back() ^= 0x01;
  PutBigEndian(forged, 17, storage::Crc32c(std::span<const std::uint8_t>(forged).subspan(21)), 4);
  REQUIRE(HeaderOf(forged).crc != HeaderOf(original).crc);
  ReplaceFollowerLog(world, follower, forged);
  const std::optional<std::string> broken =
      Named("replicas agree on every offset below the high watermark")->Check(world);
  REQUIRE(broken.has_value());
  CHECK(*broken == Disagreement(follower, forged, leader, original, hw));
}

TEST_CASE("guarantees: a leader's high watermark moving back in its epoch is caught") {
  std::unique_ptr<Runner> runner = Replicating(kTimeZero + Seconds(10));
  World& world = runner->world();
  std::unique_ptr<Guarantee> hw_forward =
      Named("the high watermark never goes backwards on a leader");
  CHECK(hw_forward->Check(world) == std::nullopt);
  RunTo(*runner, kTimeZero + Seconds(12));
  CHECK(hw_forward->Check(world) == std::nullopt);
  const Replica leader = LeaderOf(world);
  const std::int64_t hw = leader.log->high_watermark();
  leader.log->UpdateHighWatermark(hw - 3);
  const auto local = world.BrokerServer(leader.broker)->LocalPartition("cities", 0);
  REQUIRE(local.has_value());
  const std::int32_t epoch = local->leader_epoch;
  CHECK(hw_forward->Check(world) ==
        fmt::format("cities-0: leader broker {} at leader_epoch {} had hw {}, now {}",
                    leader.broker, epoch, hw, hw - 3));
}

TEST_CASE("guarantees: a gap in the leader's offsets is caught") {
  std::unique_ptr<Runner> runner = Replicating(kTimeZero + Seconds(10));
  World& world = runner->world();
  std::unique_ptr<Guarantee> gap_free = Named("offsets are unique and gap-free");
  CHECK(gap_free->Check(world) == std::nullopt);
  const Replica leader = LeaderOf(world);
  const std::int64_t end = leader.log->log_end_offset();
  // The first batch again, five offsets past the log end (the base offset is outside the CRC).
  // A follower append takes offsets as they come, so it lands with a gap before it.
  std::vector<std::uint8_t> later = BatchAt(*leader.log, 0);
  PutBigEndian(later, 0, static_cast<std::uint64_t>(end + 5), 8);
  REQUIRE(leader.log->AppendAsFollower(later, world.sim().Now()).ok());
  CHECK(gap_free->Check(world) ==
        fmt::format("cities-0: leader broker {} expects offset {} next, but its next batch has "
                    "{} (a gap)",
                    leader.broker, end, Facts(HeaderOf(later))));
  // After a disk.corrupt fault the logs are the disk's to answer for, not the checker's.
  std::unique_ptr<Guarantee> after_corruption = Named("offsets are unique and gap-free");
  TraceEvent corrupt;
  corrupt.kind = "disk.corrupt";
  after_corruption->Observe(corrupt);
  CHECK(after_corruption->Check(world) == std::nullopt);
}

TEST_CASE("guarantees: a consumer reading above the high watermark is caught") {
  std::unique_ptr<Runner> runner = Replicating(kTimeZero + Seconds(10));
  World& world = runner->world();
  std::unique_ptr<Guarantee> below_hw = Named("no consumer reads above the high watermark");
  REQUIRE(world.ledger().records_consumed() > 0);
  CHECK(below_hw->Check(world) == std::nullopt);
  kafka::ConsumeEvent read_early{"c", "cities", 0, 7, std::nullopt, "x", world.sim().Now(), 7};
  world.history().Consumed(read_early);
  CHECK(below_hw->Check(world) ==
        fmt::format("c read cities-0 offset {}, but the fetch response gave hw {}",
                    read_early.offset, read_early.high_watermark));
}

TEST_CASE("guarantees: two members owning a partition in one generation are caught") {
  std::unique_ptr<Runner> runner = Replicating(kTimeZero + Seconds(1));
  World& world = runner->world();
  std::unique_ptr<Guarantee> owned_once =
      Named("within one generation each partition is owned by at most one group member");
  auto& assignments = world.history().assignments;
  assignments.push_back({"c1", "g", "m1", 1, {"cities-0", "cities-1"}, world.sim().Now()});
  assignments.push_back({"c2", "g", "m2", 1, {"cities-2"}, world.sim().Now()});
  assignments.push_back({"c2", "g", "m2", 2, {"cities-0"}, world.sim().Now()});  // next one
  CHECK(owned_once->Check(world) == std::nullopt);
  assignments.push_back({"c3", "g", "m3", 2, {"cities-0"}, world.sim().Now()});
  CHECK(owned_once->Check(world) == "group g generation 2: cities-0 is owned by m2 and by m3 (c3)");
}

// ---- The metadata quorum: a checker that saw one world is shown another whose history
// contradicts it, as one run would if Raft broke.

constexpr std::string_view kQuorum = R"({{"name": "quorum", "end": "60s",
    "cluster": {{"brokers": 1, "controllers": {}}},
    "steps": [{}]}})";

std::unique_ptr<Runner> Quorum(int controllers, const std::string& steps, std::uint64_t seed,
                               Time until) {
  std::unique_ptr<Runner> runner =
      Start(fmt::format(fmt::runtime(kQuorum), controllers, steps), seed);
  RunTo(*runner, until);
  return runner;
}

std::vector<const raft::RaftNode*> RaftNodes(World& world) {
  std::vector<const raft::RaftNode*> out;
  for (NodeIndex n : world.servers()) {
    const kafka::KafkaRaftServer* s = world.RaftServer(n);
    if (s != nullptr && s->raft_or_null() != nullptr) out.push_back(s->raft_or_null());
  }
  return out;
}

const raft::RaftNode* RaftLeader(World& world) {
  for (const raft::RaftNode* n : RaftNodes(world)) {
    if (n->role() == raft::Role::kLeader) return n;
  }
  FAIL("no quorum leader");
  return nullptr;
}

TEST_CASE("guarantees: two quorum leaders of one epoch are caught") {
  std::unique_ptr<Guarantee> one = Named("the metadata quorum elects at most one leader per epoch");
  std::unique_ptr<Runner> a = Quorum(3, R"({"at": "1s", "say": "a"})", 1, kTimeZero + Seconds(5));
  CHECK(one->Check(a->world()) == std::nullopt);
  const raft::RaftNode* first = RaftLeader(a->world());
  // Another seed where another voter won the same epoch.
  for (std::uint64_t seed = 2; seed < 40; ++seed) {
    std::unique_ptr<Runner> b =
        Quorum(3, R"({"at": "1s", "say": "b"})", seed, kTimeZero + Seconds(5));
    const raft::RaftNode* second = RaftLeader(b->world());
    if (second->epoch() != first->epoch() || second->node_id() == first->node_id()) continue;
    CHECK(one->Check(b->world()) ==
          fmt::format("nodes {} and {} both led the metadata quorum at epoch {}", first->node_id(),
                      second->node_id(), first->epoch()));
    return;
  }
  FAIL("no seed elected another voter at the same epoch");
}

TEST_CASE("guarantees: metadata logs that differ at a shared entry are caught") {
  std::unique_ptr<Guarantee> matching =
      Named("metadata logs that share an entry agree on everything before it");
  const std::string create =
      R"({"at": "8s", "run": "kafka-topics.sh --create --topic %s --partitions 1 )"
      R"(--replication-factor 1 --bootstrap-server localhost:9092"})";
  auto creating = [&](const std::string& topic) {
    std::string steps = create;
    steps.replace(steps.find("%s"), 2, topic);
    return Quorum(1, steps, 1, kTimeZero + Seconds(10));
  };
  std::unique_ptr<Runner> a = creating("cities");
  CHECK(matching->Check(a->world()) == std::nullopt);
  // The same cluster creating another topic: the same offset and epoch with other content.
  // Shown to the checker as the same nodes after a restart (which makes it re-read their logs).
  std::unique_ptr<Runner> b = creating("towns");
  TraceEvent restarted;
  restarted.kind = "node.restart";
  matching->Observe(restarted);
  const raft::RaftLog& ours = RaftLeader(a->world())->log();
  const raft::RaftNode* node = RaftNodes(b->world()).front();
  std::optional<raft::Offset> differs;
  for (raft::Offset o = 0; o < std::min(ours.EndOffset(), node->log().EndOffset()); ++o) {
    if (ours.At(o).epoch == node->log().At(o).epoch && ours.At(o) != node->log().At(o)) {
      differs = o;
      break;
    }
  }
  REQUIRE(differs.has_value());
  const std::optional<std::string> broken = matching->Check(b->world());
  REQUIRE(broken.has_value());
  CHECK(broken->starts_with(fmt::format("node {} has offset {} in epoch {} (after epoch {}, hash ",
                                        node->node_id(), *differs, node->log().At(*differs).epoch,
                                        node->log().EpochBefore(*differs))));
}

TEST_CASE("guarantees: a later quorum leader without a committed entry is caught") {
  std::unique_ptr<Guarantee> complete =
      Named("a committed metadata entry is in every later leader's log");
  // Twenty seconds of one controller: its no-op records commit well past the other world's log.
  std::unique_ptr<Runner> a = Quorum(1, R"({"at": "1s", "say": "a"})", 1, kTimeZero + Seconds(20));
  CHECK(complete->Check(a->world()) == std::nullopt);
  const raft::RaftNode* committed_by = RaftLeader(a->world());
  const raft::RaftLog& committed = committed_by->log();
  // Three controllers whose first leader dies at 3s: the next leader's epoch is later.
  std::unique_ptr<Runner> b = Quorum(
      3, R"({"at": "3s", "pick": {"active_controller": true, "as": "old"}}, {"crash": "$old"})", 1,
      kTimeZero + Seconds(8));
  const raft::RaftNode* later = RaftLeader(b->world());
  REQUIRE(later->epoch() > committed_by->epoch());
  raft::Offset o = 0;
  while (o < later->log().EndOffset() && o < committed.EndOffset() &&
         later->log().At(o).epoch == committed.At(o).epoch) {
    ++o;
  }
  REQUIRE(o < committed_by->high_watermark());
  const std::string has = o < later->log().EndOffset()
                              ? fmt::format("has epoch {} at", later->log().At(o).epoch)
                              : "lacks";
  CHECK(complete->Check(b->world()) ==
        fmt::format("the leader of epoch {}, node {}, {} offset {}, committed in epoch {} by "
                    "epoch {}",
                    later->epoch(), later->node_id(), has, o, committed.At(o).epoch,
                    committed_by->epoch()));
}

}  // namespace
}  // namespace kafkasim::scenario

namespace kafkasim::scenario {
namespace {

TEST_CASE("guarantees: a run reports a gap in a leader's log at the next append") {
  std::unique_ptr<Runner> runner = Replicating(kTimeZero + Seconds(10));
  World& world = runner->world();
  const Replica leader = LeaderOf(world);
  const std::int64_t end = leader.log->log_end_offset();
  std::vector<std::uint8_t> later = BatchAt(*leader.log, 0);
  PutBigEndian(later, 0, static_cast<std::uint64_t>(end + 5), 8);
  REQUIRE(leader.log->AppendAsFollower(later, world.sim().Now()).ok());
  RunTo(*runner, kTimeZero + Seconds(11));
  for (const view::CheckView& c : runner->checks()) {
    if (!c.continuous) continue;
    if (c.name != "offsets are unique and gap-free") {
      CHECK_MESSAGE(c.ok, c.name << ": " << c.seen);
      continue;
    }
    CHECK_FALSE(c.ok);
    CHECK(c.broken_at < kTimeZero + Seconds(10) + Milliseconds(100));
    CHECK(c.seen == fmt::format("cities-0: leader broker {} expects offset {} next, but its next "
                                "batch has {} (a gap)",
                                leader.broker, end, Facts(HeaderOf(later))));
  }
}

TEST_CASE("guarantees: a scope reads partition names as topic and index") {
  PartitionScope scope;
  CHECK(scope.empty());
  scope.Add("my-topic-12");
  scope.Add("cities-0");
  scope.Add("my-topic-12");
  CHECK_FALSE(scope.everything());
  using Key = std::pair<std::string, std::int32_t>;
  CHECK(std::vector<Key>(scope.partitions().begin(), scope.partitions().end()) ==
        std::vector<Key>{{"cities", 0}, {"my-topic", 12}});
  // A topic's name may end with a dash: the index is what follows the last one.
  PartitionScope dashed;
  dashed.Add("cities--1");
  CHECK(std::vector<Key>(dashed.partitions().begin(), dashed.partitions().end()) ==
        std::vector<Key>{{"cities-", 1}});
  using Parsed = std::pair<std::string_view, std::int32_t>;
  CHECK(PartitionScope::Parse("my-topic-12") == Parsed{"my-topic", 12});
  CHECK(PartitionScope::Parse("cities--1") == Parsed{"cities-", 1});
  for (const char* odd : {"cities", "cities-", "-3", "cities-x1", "cities-1x", "cities-+1"}) {
    CHECK_MESSAGE(!PartitionScope::Parse(odd).has_value(), std::string(odd));
    PartitionScope widened;
    widened.Add("cities-0");
    widened.Add(odd);
    CHECK_MESSAGE(widened.everything(), std::string(odd));
    CHECK(widened.partitions().empty());
  }
}

TEST_CASE("guarantees: a scope cleared and filled again holds only the new partitions") {
  using Key = std::pair<std::string, std::int32_t>;
  const auto keys = [](const PartitionScope& scope) {
    return std::vector<Key>(scope.partitions().begin(), scope.partitions().end());
  };
  PartitionScope scope;
  scope.Add("zebra-3");
  scope.Add("cities-10");
  scope.Add("cities-2");
  scope.Add("ant-0");
  CHECK(keys(scope) == std::vector<Key>{{"ant", 0}, {"cities", 2}, {"cities", 10}, {"zebra", 3}});
  scope.Clear();
  CHECK(scope.empty());
  CHECK(keys(scope).empty());
  // Fewer, in another order, one name longer than any before: nothing of the old fill shows.
  scope.Add("cities-1");
  scope.Add("a-topic-with-a-much-longer-name-than-before-0");
  scope.Add("cities-1");
  CHECK(keys(scope) ==
        std::vector<Key>{{"a-topic-with-a-much-longer-name-than-before", 0}, {"cities", 1}});
  scope.Add("cities");
  CHECK(scope.everything());
  scope.Clear();
  CHECK_FALSE(scope.everything());
  scope.Add("b-1");
  CHECK(keys(scope) == std::vector<Key>{{"b", 1}});
}

TEST_CASE("guarantees: a check looks only at the partitions in its scope") {
  std::unique_ptr<Runner> runner = Replicating(kTimeZero + Seconds(10));
  World& world = runner->world();
  const Replica leader = LeaderOf(world);
  std::vector<std::uint8_t> later = BatchAt(*leader.log, 0);
  PutBigEndian(later, 0, static_cast<std::uint64_t>(leader.log->log_end_offset() + 5), 8);
  REQUIRE(leader.log->AppendAsFollower(later, world.sim().Now()).ok());
  PartitionScope elsewhere;
  elsewhere.Add("cities-1");
  elsewhere.Add("other-0");
  CHECK(Named("offsets are unique and gap-free")->Check(world, elsewhere) == std::nullopt);
  PartitionScope here;
  here.Add("cities-0");
  CHECK(Named("offsets are unique and gap-free")->Check(world, here).has_value());
  CHECK(Named("offsets are unique and gap-free")->Check(world).has_value());
}

TEST_CASE("guarantees: the end of the run checks partitions no event named since they changed") {
  // quiet-0 has no client: after the poke below no event names it again, so only the sweep
  // over every partition at the end of the run can see its gap.
  std::unique_ptr<Runner> runner = Start(R"({"name": "quiet", "end": "30s",
    "cluster": {"brokers": 3, "controllers": 1},
    "topics": [{"name": "cities", "partitions": 1, "replication_factor": 3},
               {"name": "quiet", "partitions": 1, "replication_factor": 3}],
    "clients": [{"id": "p", "type": "producer", "topic": "cities", "acks": "all",
                 "rate_per_s": 50, "start": "2s"}]})",
                                         1);
  RunTo(*runner, kTimeZero + Seconds(10));
  World& world = runner->world();
  std::vector<std::uint8_t> gap = BatchAt(*LeaderOf(world).log, 0);
  PutBigEndian(gap, 0, 5, 8);
  const kafka::PartitionRegistration& reg =
      world.BestImage()->topics().at("quiet").partitions.at(0);
  auto* quiet = const_cast<kafka::ReplicaLog*>(world.BrokerServer(reg.leader)->Log("quiet", 0));
  REQUIRE(quiet != nullptr);
  REQUIRE(quiet->log_end_offset() == 0);
  REQUIRE(quiet->AppendAsFollower(gap, world.sim().Now()).ok());
  const auto gap_free = [&runner] {
    for (const view::CheckView& c : runner->checks()) {
      if (c.name == "offsets are unique and gap-free") return c;
    }
    FAIL("no gap-free check");
    return view::CheckView{};
  };
  RunTo(*runner, kTimeZero + Seconds(29));
  CHECK(gap_free().ok);
  CHECK(runner->RunToEnd(kTimeMax));
  CHECK_FALSE(gap_free().ok);
  CHECK(gap_free().broken_at == kTimeZero + Seconds(30));
  CHECK(gap_free().seen ==
        fmt::format("quiet-0: leader broker {} expects offset 0 next, but its next batch has {} "
                    "(a gap)",
                    reg.leader, Facts(HeaderOf(gap))));
}

}  // namespace
}  // namespace kafkasim::scenario
