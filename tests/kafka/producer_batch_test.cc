// Batches from the producer: the client's record batch bytes reach every replica's segment as
// the client built them, apart from the base offset and partition leader epoch the leader
// assigns (LogValidator's in-place assignment); compressed batches stay compressed on disk.
#include <doctest/doctest.h>

#include "storage/record_batch.h"
#include "test_cluster.h"

namespace kafkasim::kafka::testing {
namespace {

// The bytes of a batch outside baseOffset [0, 8) and partitionLeaderEpoch [12, 16).
std::vector<std::uint8_t> Unassigned(std::vector<std::uint8_t> bytes) {
  REQUIRE(bytes.size() > 16);
  std::fill(bytes.begin(), bytes.begin() + 8, 0);
  std::fill(bytes.begin() + 12, bytes.begin() + 16, 0);
  return bytes;
}

ProduceRequest Request(std::vector<std::uint8_t> batch) {
  ProduceRequest request;
  request.topic = "cities";
  request.partition = 0;
  request.acks = -1;
  request.records = std::move(batch);
  return request;
}

std::vector<std::uint8_t> CitiesBatch(const std::string& compression,
                                      std::int64_t producer_id = 77) {
  std::vector<ProducedRecord> records;
  for (const char* city : {"Paris", "Berlin", "Lagos", "Lima"}) {
    records.push_back({std::string(city), std::string(city) + " " + city, 1000});
  }
  return BuildRecordBatch(records, ProducerBatchInfo{producer_id, 0, 0}, compression);
}

// A producer of `count` records "city-0", "city-1", ... to "cities", one a millisecond.
ProducerConfig CitiesProducer(std::int64_t count) {
  ProducerConfig config;
  config.topic = "cities";
  config.count = count;
  config.send_interval = Milliseconds(1);
  config.record_at = [](std::int64_t n) {
    return ProducedRecord{std::nullopt, "city-" + std::to_string(n), 0};
  };
  return config;
}

TEST_CASE(
    "producer batches: a client's batch reaches every replica byte for byte apart from its "
    "base offset and partition leader epoch") {
  TestCluster cluster;
  cluster.WaitForBrokersReady();
  cluster.CreateTopic("cities", 1, 3);
  const std::int32_t leader = cluster.LeaderOf("cities", 0);
  std::int64_t producer_id = 100;
  for (const std::string compression : {"none", "gzip", "snappy", "lz4", "zstd"}) {
    CAPTURE(compression);
    const std::vector<std::uint8_t> sent = CitiesBatch(compression, ++producer_id);
    const std::int64_t end = cluster.Log(leader, "cities", 0).log_end_offset();
    const std::int64_t id = cluster.SendProduce(leader, Request(sent));
    cluster.RunFor(Milliseconds(2000));
    REQUIRE(cluster.ProduceResult(id).has_value());
    REQUIRE(cluster.ProduceResult(id)->error == Errc::kNone);
    CHECK(cluster.ProduceResult(id)->base_offset == end);
    for (std::int32_t broker : {1, 2, 3}) {
      CAPTURE(broker);
      const ReplicaLog& log = cluster.Log(broker, "cities", 0);
      Result<std::vector<std::uint8_t>> stored = log.Read(end, 1 << 20, INT64_MAX);
      REQUIRE(stored.ok());
      CHECK(Unassigned(*stored) == Unassigned(sent));
      Result<storage::BatchHeader> h = storage::CheckBatch(*stored);
      REQUIRE(h.ok());
      CHECK(h->base_offset == end);
      CHECK(h->partition_leader_epoch == log.LatestEpoch());
      CHECK(h->crc == storage::CheckBatch(sent)->crc);  // CreateTime: the client's CRC
    }
    // The same bytes again are a retry: answered with the first offsets, not written twice.
    const std::int64_t retry = cluster.SendProduce(leader, Request(sent));
    cluster.RunFor(Milliseconds(2000));
    REQUIRE(cluster.ProduceResult(retry).has_value());
    CHECK(cluster.ProduceResult(retry)->base_offset == end);
    CHECK(cluster.Log(leader, "cities", 0).log_end_offset() == end + 4);
  }
}

TEST_CASE("producer batches: a producer with compression.type writes compressed batches") {
  for (const std::string compression : {"gzip", "snappy", "lz4", "zstd"}) {
    CAPTURE(compression);
    TestCluster cluster;
    cluster.WaitForBrokersReady();
    cluster.CreateTopic("cities", 1, 3);
    const std::int32_t leader = cluster.LeaderOf("cities", 0);
    ProducerConfig config = CitiesProducer(6);
    config.compression_type = compression;
    auto history = std::make_shared<ClientHistory>();
    cluster.AddProducer("producer-1", config, history);
    cluster.RunFor(Milliseconds(5000));
    const ReplicaLog& log = cluster.Log(leader, "cities", 0);
    CHECK(Values(log) ==
          std::vector<std::string>{"city-0", "city-1", "city-2", "city-3", "city-4", "city-5"});
    Result<std::vector<std::uint8_t>> stored = log.Read(0, 1 << 20, INT64_MAX);
    REQUIRE(stored.ok());
    Result<std::vector<storage::BatchSpan>> batches = storage::SplitBatches(*stored);
    REQUIRE(batches.ok());
    for (const storage::BatchSpan& b : *batches) {
      CHECK(storage::CompressionName(b.header.compression_codec()) == compression);
      CHECK(b.header.producer_id >= 0);
    }
  }
}

TEST_CASE(
    "producer batches: a topic's compression.type makes the leader recompress, "
    "message.timestamp.type=LogAppendTime restamps") {
  TestCluster cluster;
  cluster.WaitForBrokersReady();
  cluster.CreateTopic("cities", 1, 3,
                      {{"compression.type", "gzip"}, {"message.timestamp.type", "LogAppendTime"}});
  const std::int32_t leader = cluster.LeaderOf("cities", 0);
  const std::vector<std::uint8_t> sent = CitiesBatch("lz4");
  const std::int64_t id = cluster.SendProduce(leader, Request(sent));
  cluster.RunFor(Milliseconds(2000));
  REQUIRE(cluster.ProduceResult(id).has_value());
  REQUIRE(cluster.ProduceResult(id)->error == Errc::kNone);
  for (std::int32_t broker : {1, 2, 3}) {
    const ReplicaLog& log = cluster.Log(broker, "cities", 0);
    Result<std::vector<std::uint8_t>> stored = log.Read(0, 1 << 20, INT64_MAX);
    REQUIRE(stored.ok());
    Result<storage::RecordBatch> batch = storage::DecodeBatch(*stored);
    REQUIRE(batch.ok());
    CHECK(storage::CompressionName(batch->header.compression_codec()) == "gzip");
    CHECK(batch->header.log_append_time());
    CHECK(batch->header.max_timestamp > 1000);  // the leader's clock, not the records'
    CHECK(batch->header.producer_id == 77);
    CHECK(batch->records == storage::DecodeBatch(sent)->records);
  }
}

TEST_CASE(
    "producer batches: a batch leaves when its first record has waited linger.ms, not when an "
    "earlier batch is answered") {
  TestCluster cluster;
  cluster.WaitForBrokersReady();
  cluster.CreateTopic("cities", 1, 3);
  const std::int32_t leader = cluster.LeaderOf("cities", 0);
  ProducerConfig config = CitiesProducer(300);
  config.linger = Milliseconds(5);
  auto history = std::make_shared<ClientHistory>();
  cluster.AddProducer("producer-1", config, history);
  cluster.RunFor(Milliseconds(5000));
  const ReplicaLog& log = cluster.Log(leader, "cities", 0);
  REQUIRE(log.log_end_offset() == 300);
  Result<std::vector<std::uint8_t>> stored = log.Read(0, 1 << 20, INT64_MAX);
  REQUIRE(stored.ok());
  Result<std::vector<storage::BatchSpan>> batches = storage::SplitBatches(*stored);
  REQUIRE(batches.ok());
  REQUIRE(batches->size() > 20);
  // RecordAccumulator.ready: a batch is sendable once it has waited linger.ms (or is full).
  // Every batch but the first (records waiting for the producer id) and the last (what was left)
  // holds the records of one linger: 5 records, or 6 when the sixth came in the same millisecond
  // as the flush. Answers arrive every few milliseconds and must not send a younger batch.
  for (std::size_t i = 1; i + 1 < batches->size(); ++i) {
    const storage::BatchHeader& h = (*batches)[i].header;
    CAPTURE(i);
    CAPTURE(h.base_offset);
    CHECK(h.last_offset_delta + 1 >= 5);
    CHECK(h.last_offset_delta + 1 <= 6);
    CHECK(h.max_timestamp - h.base_timestamp <= 5);
  }
}

TEST_CASE("producer batches: a damaged batch is refused with CORRUPT_MESSAGE and not written") {
  TestCluster cluster;
  cluster.WaitForBrokersReady();
  cluster.CreateTopic("cities", 1, 3);
  const std::int32_t leader = cluster.LeaderOf("cities", 0);
  std::vector<std::uint8_t> batch = CitiesBatch("none");
  batch.back() ^= 0x40;
  const std::int64_t id = cluster.SendProduce(leader, Request(batch));
  cluster.RunFor(Milliseconds(2000));
  REQUIRE(cluster.ProduceResult(id).has_value());
  CHECK(cluster.ProduceResult(id)->error == Errc::kCorruptMessage);
  CHECK(cluster.Log(leader, "cities", 0).log_end_offset() == 0);
}

}  // namespace
}  // namespace kafkasim::kafka::testing
