// GatewayCore without sockets: frames enter a simulated cluster (tests/gateway/
// gateway-cluster.json) and the answers come back as the simulated brokers give them.
#include "gateway/gateway_core.h"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "gateway/recording.h"
#include "gateway/wire.h"
#include "scenario/runner.h"
#include "storage/record_batch.h"

namespace kafkasim::gateway {
namespace {

using Bytes = std::vector<std::uint8_t>;

struct Harness {
  explicit Harness(const std::string& file = "gateway-cluster.json") {
    Result<scenario::Scenario> loaded =
        scenario::LoadScenario(std::string(KAFKASIM_SOURCE_DIR) + "/tests/gateway/" + file);
    REQUIRE(loaded.ok());
    MakeOpenEnded(*loaded);
    scenario::RunOptions options;
    options.seed = loaded->seed;
    options.messages_recorded_max = 0;
    runner = std::make_unique<scenario::Runner>(std::move(*loaded), std::move(options));
    core = std::make_unique<GatewayCore>(runner->world(), GatewayOptions{},
                                         [this](std::uint64_t connection, Bytes frame) {
                                           sent.push_back({connection, frame});
                                         });
    AdvanceBy(Seconds(8));  // leaders elected
  }
  void AdvanceBy(Duration d) {
    const Time target = runner->world().sim().Now() + d;
    while (!runner->AdvanceTo(target, 1'000'000)) {
    }
  }
  std::unique_ptr<scenario::Runner> runner;
  std::unique_ptr<GatewayCore> core;
  std::vector<std::pair<std::uint64_t, Bytes>> sent;
};

WireWriter Header(std::int16_t key, std::int16_t version, std::int32_t correlation) {
  WireWriter w;
  w.Int16(key);
  w.Int16(version);
  w.Int32(correlation);
  w.String("test", false);
  return w;
}

// A response frame's reader, past its size and correlation id (checked).
WireReader Body(const Bytes& frame, std::int32_t correlation) {
  WireReader r(frame);
  CHECK(r.Int32() == static_cast<std::int32_t>(frame.size() - 4));
  CHECK(r.Int32() == correlation);
  return r;
}

// Leaders of cities' partitions from a Metadata v1 response, checking brokers and ports.
std::map<std::int32_t, std::int32_t> ReadMetadata(WireReader r) {
  const std::int32_t brokers = r.ArrayLength(false);
  CHECK(brokers == 3);
  for (std::int32_t i = 0; i < brokers; ++i) {
    const std::int32_t id = r.Int32();
    CHECK(r.String(false) == "127.0.0.1");
    CHECK(r.Int32() == 9092 + id - 1);
    CHECK_FALSE(r.NullableString(false));
  }
  CHECK(r.Int32() == 1);  // controller id: the lowest live broker
  CHECK(r.ArrayLength(false) == 1);
  CHECK(r.Int16() == 0);
  CHECK(r.String(false) == "cities");
  CHECK_FALSE(r.Bool());
  std::map<std::int32_t, std::int32_t> leaders;
  const std::int32_t partitions = r.ArrayLength(false);
  CHECK(partitions == 3);
  for (std::int32_t i = 0; i < partitions; ++i) {
    CHECK(r.Int16() == 0);
    const std::int32_t index = r.Int32();
    leaders[index] = r.Int32();
    CHECK(r.ArrayLength(false) == 3);  // replicas
    for (int k = 0; k < 3; ++k) r.Int32();
    CHECK(r.ArrayLength(false) == 3);  // in sync
    for (int k = 0; k < 3; ++k) r.Int32();
  }
  CHECK_FALSE(r.failed());
  CHECK(r.remaining() == 0);
  return leaders;
}

TEST_CASE("gateway core: answers leave in request order, Metadata names each broker's port") {
  Harness h;
  WireWriter metadata = Header(3, 1, 1);
  metadata.ArrayLength(1, false);
  metadata.String("cities", false);
  CHECK(h.core->OnFrame(7, 1, metadata.bytes()).empty());
  // ApiVersions is answered by the gateway at once, but waits behind the Metadata answer.
  CHECK(h.core->OnFrame(7, 1, Header(18, 0, 2).bytes()).empty());
  CHECK(h.sent.empty());
  CHECK(h.core->Outstanding(7) == 2);
  h.AdvanceBy(Milliseconds(100));
  REQUIRE(h.sent.size() == 2);
  CHECK(h.sent[0].first == 7);
  const std::map<std::int32_t, std::int32_t> leaders = ReadMetadata(Body(h.sent[0].second, 1));
  for (const auto& entry : leaders) CHECK(entry.second >= 1);
  WireReader versions = Body(h.sent[1].second, 2);
  CHECK(versions.Int16() == 0);
  CHECK(versions.ArrayLength(false) == 20);
  CHECK(h.core->Outstanding(7) == 0);
}

TEST_CASE(
    "gateway core: a two-partition Produce is split, gathered, and Fetch returns the "
    "client's batch as it built it") {
  Harness h;
  WireWriter metadata = Header(3, 1, 1);
  metadata.ArrayLength(-1, false);
  REQUIRE(h.core->OnFrame(1, 1, metadata.bytes()).empty());
  h.AdvanceBy(Milliseconds(100));
  REQUIRE(h.sent.size() == 1);
  const std::map<std::int32_t, std::int32_t> leaders = ReadMetadata(Body(h.sent[0].second, 1));
  const std::int32_t leader = leaders.at(0);
  storage::Record record;
  record.timestamp = 1700000000000;
  record.key = Bytes{'k'};
  record.value = Bytes{'v', '1'};
  const Bytes batch = storage::BuildBatch({record}, storage::BatchOptions{});

  WireWriter produce = Header(0, 3, 2);
  produce.NullableString(std::nullopt, false);
  produce.Int16(-1);
  produce.Int32(5000);
  produce.ArrayLength(1, false);
  produce.String("cities", false);
  produce.ArrayLength(2, false);
  produce.Int32(0);
  produce.Bytes(batch, false);
  produce.Int32(1);
  produce.Bytes(batch, false);
  REQUIRE(h.core->OnFrame(2, leader, produce.bytes()).empty());
  h.AdvanceBy(Milliseconds(200));
  REQUIRE(h.sent.size() == 2);
  WireReader answer = Body(h.sent[1].second, 2);
  CHECK(answer.ArrayLength(false) == 1);
  CHECK(answer.String(false) == "cities");
  CHECK(answer.ArrayLength(false) == 2);
  for (std::int32_t partition : {0, 1}) {
    CHECK(answer.Int32() == partition);
    const std::int16_t error = answer.Int16();
    const std::int64_t base_offset = answer.Int64();
    answer.Int64();  // log_append_time_ms
    if (leaders.at(partition) == leader) {
      CHECK(error == 0);
      CHECK(base_offset == 0);
    } else {
      CHECK(error == 6);  // NOT_LEADER_OR_FOLLOWER, from the simulated broker
      CHECK(base_offset == -1);
    }
  }
  CHECK(answer.Int32() == 0);  // throttle_time_ms
  CHECK(answer.remaining() == 0);

  WireWriter fetch = Header(1, 4, 3);
  fetch.Int32(-1);
  fetch.Int32(500);
  fetch.Int32(1);
  fetch.Int32(1 << 20);
  fetch.Int8(0);
  fetch.ArrayLength(1, false);
  fetch.String("cities", false);
  fetch.ArrayLength(1, false);
  fetch.Int32(0);
  fetch.Int64(0);
  fetch.Int32(1 << 20);
  REQUIRE(h.core->OnFrame(3, leader, fetch.bytes()).empty());
  h.AdvanceBy(Milliseconds(200));
  REQUIRE(h.sent.size() == 3);
  WireReader fetched = Body(h.sent[2].second, 3);
  CHECK(fetched.Int32() == 0);
  CHECK(fetched.ArrayLength(false) == 1);
  CHECK(fetched.String(false) == "cities");
  CHECK(fetched.ArrayLength(false) == 1);
  CHECK(fetched.Int32() == 0);
  CHECK(fetched.Int16() == 0);
  CHECK(fetched.Int64() == 1);  // high watermark: the followers have the record
  CHECK(fetched.Int64() == 1);  // last stable offset
  CHECK(fetched.ArrayLength(false) == 0);
  const std::optional<Bytes> records = fetched.NullableBytes(false);
  REQUIRE(records);
  REQUIRE(records->size() == batch.size());
  // The leader assigned the base offset (0) and its leader epoch; from the magic byte on, the
  // bytes (CRC included) are the client's.
  CHECK(Bytes(records->begin() + 16, records->end()) == Bytes(batch.begin() + 16, batch.end()));
}

WireWriter ProduceFrame(std::int32_t correlation, std::int32_t partition, const Bytes& batch) {
  WireWriter produce = Header(0, 3, correlation);
  produce.NullableString(std::nullopt, false);
  produce.Int16(-1);
  produce.Int32(5000);
  produce.ArrayLength(1, false);
  produce.String("cities", false);
  produce.ArrayLength(1, false);
  produce.Int32(partition);
  produce.Bytes(batch, false);
  return produce;
}

WireWriter FetchFrame(std::int32_t correlation, std::int32_t max_wait_ms, std::int32_t min_bytes) {
  WireWriter fetch = Header(1, 4, correlation);
  fetch.Int32(-1);
  fetch.Int32(max_wait_ms);
  fetch.Int32(min_bytes);
  fetch.Int32(1 << 20);
  fetch.Int8(0);
  fetch.ArrayLength(1, false);
  fetch.String("cities", false);
  fetch.ArrayLength(1, false);
  fetch.Int32(0);
  fetch.Int64(0);
  fetch.Int32(1 << 20);
  return fetch;
}

// The record bytes of a one-partition Fetch v4 answer.
std::size_t FetchedBytes(const Bytes& frame, std::int32_t correlation) {
  WireReader r = Body(frame, correlation);
  r.Int32();
  CHECK(r.ArrayLength(false) == 1);
  r.String(false);
  CHECK(r.ArrayLength(false) == 1);
  r.Int32();
  CHECK(r.Int16() == 0);
  r.Int64();
  r.Int64();
  r.ArrayLength(false);
  const std::optional<Bytes> records = r.NullableBytes(false);
  CHECK(r.remaining() == 0);
  return records ? records->size() : 0;
}

TEST_CASE(
    "gateway core: a Fetch waits on virtual time until min_bytes are there, or until max_wait "
    "passes") {
  Harness h;
  WireWriter metadata = Header(3, 1, 1);
  metadata.ArrayLength(-1, false);
  REQUIRE(h.core->OnFrame(1, 1, metadata.bytes()).empty());
  h.AdvanceBy(Milliseconds(100));
  REQUIRE(h.sent.size() == 1);
  const std::int32_t leader = ReadMetadata(Body(h.sent[0].second, 1)).at(0);
  storage::Record record;
  record.timestamp = 1700000000000;
  record.value = Bytes(100, 'x');
  const Bytes batch = storage::BuildBatch({record}, storage::BatchOptions{});
  REQUIRE(h.core->OnFrame(2, leader, ProduceFrame(2, 0, batch).bytes()).empty());
  h.AdvanceBy(Milliseconds(200));
  REQUIRE(h.sent.size() == 2);

  // One batch is there, two are asked for: the answer waits for the second.
  const auto two = static_cast<std::int32_t>(2 * batch.size());
  REQUIRE(h.core->OnFrame(3, leader, FetchFrame(3, 5000, two).bytes()).empty());
  h.AdvanceBy(Milliseconds(1000));
  CHECK(h.sent.size() == 2);
  REQUIRE(h.core->OnFrame(4, leader, ProduceFrame(4, 0, batch).bytes()).empty());
  h.AdvanceBy(Milliseconds(300));
  REQUIRE(h.sent.size() == 4);  // the produce and the fetch answers, in either order
  const bool fetch_last = h.sent[3].first == 3;
  CHECK(FetchedBytes(h.sent[fetch_last ? 3 : 2].second, 3) == 2 * batch.size());

  // More than there will ever be: answered with what there is when max_wait passes.
  REQUIRE(h.core->OnFrame(5, leader, FetchFrame(5, 2000, 1 << 20).bytes()).empty());
  h.AdvanceBy(Milliseconds(1900));
  CHECK(h.sent.size() == 4);
  h.AdvanceBy(Milliseconds(200));
  REQUIRE(h.sent.size() == 5);
  CHECK(FetchedBytes(h.sent[4].second, 5) == 2 * batch.size());

  // min_bytes 1 (the clients' default) answers at once when there is data.
  REQUIRE(h.core->OnFrame(6, leader, FetchFrame(6, 2000, 1).bytes()).empty());
  h.AdvanceBy(Milliseconds(50));
  REQUIRE(h.sent.size() == 6);
}

TEST_CASE("gateway core: a refused frame is logged in the trace and closes nothing else") {
  Harness h;
  const std::size_t events = h.runner->world().sim().trace().size();
  CHECK(h.core->OnFrame(4, 2, Header(999, 0, 1).bytes()) ==
        "[gateway.E002] unknown API key 999 (correlation id 1)");
  CHECK(h.runner->world().sim().trace().size() == events + 1);
  CHECK(h.sent.empty());
}

// Sends one frame and runs the simulation until its answer is there; returns the answer's
// reader past the size and correlation id.
WireReader Ask(Harness& h, std::uint64_t connection, std::int32_t broker, WireWriter frame,
               std::int32_t correlation) {
  const std::size_t before = h.sent.size();
  REQUIRE(h.core->OnFrame(connection, broker, frame.bytes()).empty());
  for (int i = 0; i < 100 && h.sent.size() == before; ++i) h.AdvanceBy(Milliseconds(100));
  REQUIRE(h.sent.size() == before + 1);
  return Body(h.sent.back().second, correlation);
}

TEST_CASE(
    "gateway core: a client finds the group coordinator, joins, syncs, commits and reads its "
    "offset back; another broker answers NOT_COORDINATOR") {
  Harness h;
  std::int32_t correlation = 1;
  std::int32_t coordinator = -1;
  // FindCoordinator v0: COORDINATOR_NOT_AVAILABLE (15) until __consumer_offsets has leaders.
  for (int attempt = 0; attempt < 30 && coordinator < 0; ++attempt) {
    WireWriter find = Header(10, 0, correlation);
    find.String("readers", false);
    WireReader r = Ask(h, 1, 1, find, correlation++);
    const std::int16_t error = r.Int16();
    const std::int32_t node = r.Int32();
    const std::string host = r.String(false);
    const std::int32_t port = r.Int32();
    CHECK(r.remaining() == 0);
    if (error == 0) {
      coordinator = node;
      CHECK(host == "127.0.0.1");
      CHECK(port == 9092 + node - 1);
    } else {
      CHECK(error == 15);
      h.AdvanceBy(Seconds(1));
    }
  }
  REQUIRE(coordinator >= 1);
  const std::int32_t other = coordinator % 3 + 1;

  WireWriter subscription;  // ConsumerProtocolSubscription v0: topics [cities], no user data
  subscription.Int16(0);
  subscription.ArrayLength(1, false);
  subscription.String("cities", false);
  subscription.NullableBytes(std::nullopt, false);

  auto join = [&](std::int32_t broker) {
    WireWriter w = Header(11, 1, correlation);
    w.String("readers", false);
    w.Int32(10000);  // session timeout
    w.Int32(20000);  // rebalance timeout
    w.String("", false);
    w.String("consumer", false);
    w.ArrayLength(1, false);
    w.String("range", false);
    w.Bytes(subscription.bytes(), false);
    return Ask(h, 2, broker, w, correlation++);
  };
  WireReader wrong = join(other);
  CHECK(wrong.Int16() == 16);  // NOT_COORDINATOR

  // JoinGroup v1 joins at once (no MEMBER_ID_REQUIRED below v4) and, alone, leads.
  WireReader joined = join(coordinator);
  CHECK(joined.Int16() == 0);
  const std::int32_t generation = joined.Int32();
  CHECK(generation == 1);
  CHECK(joined.String(false) == "range");
  const std::string leader = joined.String(false);
  const std::string member = joined.String(false);
  CHECK(leader == member);
  CHECK(member.rfind("test-", 0) == 0);  // client id, then a uuid, as Kafka names members
  CHECK(joined.ArrayLength(false) == 1);
  CHECK(joined.String(false) == member);
  CHECK(joined.NullableBytes(false) == subscription.bytes());
  CHECK(joined.remaining() == 0);

  WireWriter assignment;  // ConsumerProtocolAssignment v0: cities 0, 1, 2
  assignment.Int16(0);
  assignment.ArrayLength(1, false);
  assignment.String("cities", false);
  assignment.ArrayLength(3, false);
  for (std::int32_t p = 0; p < 3; ++p) assignment.Int32(p);
  assignment.NullableBytes(std::nullopt, false);
  WireWriter sync = Header(14, 0, correlation);
  sync.String("readers", false);
  sync.Int32(generation);
  sync.String(member, false);
  sync.ArrayLength(1, false);
  sync.String(member, false);
  sync.Bytes(assignment.bytes(), false);
  WireReader synced = Ask(h, 2, coordinator, sync, correlation++);
  CHECK(synced.Int16() == 0);
  CHECK(synced.NullableBytes(false) == assignment.bytes());

  // ListGroups v0 and DescribeGroups v0 read the coordinator's state.
  WireReader listed = Ask(h, 3, coordinator, Header(16, 0, correlation), correlation);
  ++correlation;
  CHECK(listed.Int16() == 0);
  CHECK(listed.ArrayLength(false) == 1);
  CHECK(listed.String(false) == "readers");
  CHECK(listed.String(false) == "consumer");
  CHECK(listed.remaining() == 0);
  auto describe = [&](std::int32_t broker) {
    WireWriter w = Header(15, 0, correlation);
    w.ArrayLength(2, false);
    w.String("readers", false);
    w.String("nobody", false);
    return Ask(h, 3, broker, w, correlation++);
  };
  WireReader described = describe(coordinator);
  CHECK(described.ArrayLength(false) == 2);
  CHECK(described.Int16() == 0);
  CHECK(described.String(false) == "readers");
  CHECK(described.String(false) == "Stable");
  CHECK(described.String(false) == "consumer");
  CHECK(described.String(false) == "range");
  CHECK(described.ArrayLength(false) == 1);
  CHECK(described.String(false) == member);
  CHECK(described.String(false) == "test");  // client id
  CHECK(described.String(false) == "/127.0.0.1");
  CHECK(described.NullableBytes(false) == subscription.bytes());
  CHECK(described.NullableBytes(false) == assignment.bytes());
  const std::int16_t nobody_error = described.Int16();
  const std::string nobody = described.String(false);
  const std::string nobody_state = described.String(false);
  CHECK(nobody == "nobody");
  // "nobody" hashes to its own __consumer_offsets partition: Dead where it is coordinated,
  // NOT_COORDINATOR elsewhere.
  CHECK(((nobody_error == 0 && nobody_state == "Dead") || nobody_error == 16));
  WireReader elsewhere = describe(other);
  CHECK(elsewhere.ArrayLength(false) == 2);
  CHECK(elsewhere.Int16() == 16);

  WireWriter heartbeat = Header(12, 0, correlation);
  heartbeat.String("readers", false);
  heartbeat.Int32(generation);
  heartbeat.String(member, false);
  CHECK(Ask(h, 2, coordinator, heartbeat, correlation++).Int16() == 0);

  WireWriter commit = Header(8, 2, correlation);
  commit.String("readers", false);
  commit.Int32(generation);
  commit.String(member, false);
  commit.Int64(-1);
  commit.ArrayLength(1, false);
  commit.String("cities", false);
  commit.ArrayLength(1, false);
  commit.Int32(1);
  commit.Int64(42);
  commit.NullableString(std::nullopt, false);
  WireReader committed = Ask(h, 2, coordinator, commit, correlation++);
  CHECK(committed.ArrayLength(false) == 1);
  CHECK(committed.String(false) == "cities");
  CHECK(committed.ArrayLength(false) == 1);
  CHECK(committed.Int32() == 1);
  CHECK(committed.Int16() == 0);

  WireWriter fetch = Header(9, 1, correlation);
  fetch.String("readers", false);
  fetch.ArrayLength(1, false);
  fetch.String("cities", false);
  fetch.ArrayLength(2, false);
  fetch.Int32(1);
  fetch.Int32(2);
  WireReader offsets = Ask(h, 2, coordinator, fetch, correlation++);
  CHECK(offsets.ArrayLength(false) == 1);
  CHECK(offsets.String(false) == "cities");
  CHECK(offsets.ArrayLength(false) == 2);
  CHECK(offsets.Int32() == 1);
  CHECK(offsets.Int64() == 42);
  offsets.NullableString(false);
  CHECK(offsets.Int16() == 0);
  CHECK(offsets.Int32() == 2);
  CHECK(offsets.Int64() == -1);  // nothing committed
  offsets.NullableString(false);
  CHECK(offsets.Int16() == 0);
  CHECK(offsets.remaining() == 0);

  WireWriter leave = Header(13, 0, correlation);
  leave.String("readers", false);
  leave.String(member, false);
  CHECK(Ask(h, 2, coordinator, leave, correlation++).Int16() == 0);
  WireWriter again = Header(12, 0, correlation);
  again.String("readers", false);
  again.Int32(generation);
  again.String(member, false);
  CHECK(Ask(h, 2, coordinator, again, correlation++).Int16() == 25);  // UNKNOWN_MEMBER_ID
}

// CreateTopics v4 for one topic; returns the answer's error code and message.
std::pair<std::int16_t, std::optional<std::string>> CreateTopic(Harness& h, std::int32_t broker,
                                                                const std::string& name,
                                                                std::int16_t replication_factor,
                                                                std::int32_t correlation) {
  WireWriter w = Header(19, 4, correlation);
  w.ArrayLength(1, false);
  w.String(name, false);
  w.Int32(-1);  // num.partitions
  w.Int16(replication_factor);
  w.ArrayLength(0, false);
  w.ArrayLength(0, false);
  w.Int32(30000);
  w.Bool(false);
  WireReader r = Ask(h, 5, broker, std::move(w), correlation);
  CHECK(r.Int32() == 0);  // throttle
  CHECK(r.ArrayLength(false) == 1);
  CHECK(r.String(false) == name);
  const std::int16_t error = r.Int16();
  std::optional<std::string> message = r.NullableString(false);
  CHECK(r.remaining() == 0);
  return {error, message};
}

TEST_CASE(
    "gateway core: CreateTopics and DeleteTopics go through the simulated controller and get "
    "Kafka's errors; DescribeConfigs and DescribeCluster read the broker's state") {
  Harness h;
  std::int32_t correlation = 1;
  // KRaft: any broker takes it and the controller answers (the broker forwards it).
  const auto created = CreateTopic(h, 2, "towns", 3, correlation++);
  CHECK(created.first == 0);
  CHECK_FALSE(created.second);
  const kafka::MetadataImage* image = h.runner->world().BestImage();
  REQUIRE(image != nullptr);
  REQUIRE(image->Topic("towns") != nullptr);
  CHECK(image->Topic("towns")->partitions.size() == 1);  // num.partitions
  const auto again = CreateTopic(h, 3, "towns", 3, correlation++);
  CHECK(again.first == 36);  // TOPIC_ALREADY_EXISTS
  CHECK(again.second == "Topic 'towns' already exists.");
  const auto too_many = CreateTopic(h, 1, "villages", 4, correlation++);
  CHECK(too_many.first == 38);  // INVALID_REPLICATION_FACTOR
  CHECK(too_many.second ==
        "Unable to replicate the partition 4 time(s): The target replication factor of 4 cannot "
        "be reached because only 3 broker(s) are registered.");

  WireWriter del = Header(20, 1, correlation);
  del.ArrayLength(2, false);
  del.String("towns", false);
  del.String("nowhere", false);
  del.Int32(30000);
  WireReader deleted = Ask(h, 5, 1, std::move(del), correlation++);
  CHECK(deleted.Int32() == 0);
  CHECK(deleted.ArrayLength(false) == 2);
  CHECK(deleted.String(false) == "towns");
  CHECK(deleted.Int16() == 0);
  CHECK(deleted.String(false) == "nowhere");
  CHECK(deleted.Int16() == 3);  // UNKNOWN_TOPIC_OR_PARTITION
  CHECK(h.runner->world().BestImage()->Topic("towns") == nullptr);

  // cities sets min.insync.replicas=2: a topic override; segment.bytes is Kafka's default.
  WireWriter describe = Header(32, 1, correlation);
  describe.ArrayLength(1, false);
  describe.Int8(2);
  describe.String("cities", false);
  describe.ArrayLength(2, false);
  describe.String("min.insync.replicas", false);
  describe.String("segment.bytes", false);
  describe.Bool(false);
  WireReader configs = Ask(h, 5, 1, std::move(describe), correlation++);
  CHECK(configs.Int32() == 0);
  CHECK(configs.ArrayLength(false) == 1);
  CHECK(configs.Int16() == 0);
  CHECK_FALSE(configs.NullableString(false));
  CHECK(configs.Int8() == 2);
  CHECK(configs.String(false) == "cities");
  CHECK(configs.ArrayLength(false) == 2);
  CHECK(configs.String(false) == "min.insync.replicas");
  CHECK(configs.NullableString(false) == "2");
  CHECK_FALSE(configs.Bool());
  CHECK(configs.Int8() == config_source::kDynamicTopicConfig);
  CHECK_FALSE(configs.Bool());
  CHECK(configs.ArrayLength(false) == 0);  // no synonyms asked for
  CHECK(configs.String(false) == "segment.bytes");
  CHECK(configs.NullableString(false) == "1073741824");
  configs.Bool();
  CHECK(configs.Int8() == config_source::kDefaultConfig);
  configs.Bool();
  CHECK(configs.ArrayLength(false) == 0);
  CHECK(configs.remaining() == 0);

  WireWriter cluster = Header(60, 0, correlation);
  cluster.EmptyTaggedFields();
  cluster.Bool(false);
  cluster.EmptyTaggedFields();
  WireReader described = Ask(h, 5, 2, std::move(cluster), correlation++);
  described.SkipTaggedFields();  // response header v1
  CHECK(described.Int32() == 0);
  CHECK(described.Int16() == 0);
  CHECK_FALSE(described.NullableString(true));
  CHECK(described.String(true) == h.runner->world().directory().cluster_id);
  CHECK(described.Int32() == 1);  // the lowest live broker stands for the KRaft controller
  CHECK(described.ArrayLength(true) == 3);
}

TEST_CASE(
    "gateway core: in ZooKeeper mode the controller broker creates topics, the others answer "
    "NOT_CONTROLLER, and Metadata names the controller") {
  Harness h("gateway-zk-cluster.json");
  const std::int32_t controller = h.runner->world().ActiveControllerId();
  REQUIRE(controller >= 1);
  std::int32_t correlation = 1;
  WireWriter metadata = Header(3, 1, correlation);
  metadata.ArrayLength(0, false);
  WireReader md = Ask(h, 6, 1, std::move(metadata), correlation++);
  CHECK(md.ArrayLength(false) == 3);
  for (int i = 0; i < 3; ++i) {
    md.Int32();
    md.String(false);
    md.Int32();
    md.NullableString(false);
  }
  CHECK(md.Int32() == controller);
  const std::int32_t other = controller == 1 ? 2 : 1;
  CHECK(CreateTopic(h, other, "towns", 3, correlation++).first == 41);  // NOT_CONTROLLER
  CHECK(CreateTopic(h, controller, "towns", 3, correlation++).first == 0);
  CHECK(CreateTopic(h, controller, "towns", 3, correlation++).first == 36);
}

}  // namespace
}  // namespace kafkasim::gateway
