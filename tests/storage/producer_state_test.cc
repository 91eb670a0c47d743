// ProducerStateManager and PartitionLog's use of it: the last 5 batches per producer, duplicate
// and sequence checks, followers, and rebuilding the state from the log (ProducerStateEntry,
// ProducerAppendInfo, UnifiedLog.append and truncateAndReload in Kafka).
#include "storage/producer_state.h"

#include <doctest/doctest.h>

#include "engine/sim_file_system.h"
#include "storage/partition_log.h"
#include "test_util.h"

namespace kafkasim::storage {
namespace {

using testing::Batch;

std::vector<Record> Values(std::initializer_list<const char*> values) {
  std::vector<Record> out;
  for (const char* v : values) {
    Record r;
    r.timestamp = 1000;
    r.value = Bytes(v, v + std::char_traits<char>::length(v));
    out.push_back(std::move(r));
  }
  return out;
}

std::unique_ptr<PartitionLog> OpenLog(FileSystem& fs) {
  auto log = PartitionLog::Open(fs, "data", "cities", 0, LogConfig{}, Time{0}, nullptr);
  REQUIRE(log.ok());
  return std::move(*log);
}

BatchOptions Producer(std::int64_t id, std::int16_t epoch, std::int32_t sequence) {
  BatchOptions p;
  p.producer_id = id;
  p.producer_epoch = epoch;
  p.base_sequence = sequence;
  return p;
}

TEST_CASE(
    "producer_state: a producer's entry keeps its last 5 batches and forgets them on a "
    "new epoch") {
  ProducerStateEntry entry;
  for (std::int32_t i = 0; i < 7; ++i) {
    entry.AddBatch(0, ProducerBatchMetadata{i * 2, i * 2 + 1, i * 2, i * 2 + 1, 0});
  }
  CHECK(entry.batches.size() == ProducerStateEntry::kBatchesToRetain);
  CHECK(entry.batches.front().first_sequence == 4);
  CHECK(entry.last_sequence() == 13);
  CHECK(entry.FindDuplicate(0, 12, 13).has_value());
  CHECK_FALSE(entry.FindDuplicate(0, 0, 1).has_value());  // too old to be remembered
  CHECK_FALSE(entry.FindDuplicate(1, 12, 13).has_value());
  entry.AddBatch(1, ProducerBatchMetadata{0, 0, 14, 14, 0});
  CHECK(entry.batches.size() == 1);
  CHECK(entry.producer_epoch == 1);
}

TEST_CASE(
    "producer_state: a leader append of a batch already in the log returns the original "
    "offsets and writes nothing") {
  SimFileSystem fs;
  auto log = OpenLog(fs);
  REQUIRE(log->AppendAsLeader(Batch(Values({"a", "b"}), Producer(9, 0, 0)), 0, Time{0}).ok());
  REQUIRE(log->AppendAsLeader(Batch(Values({"c"})), 0, Time{0}).ok());  // another, plain producer
  auto again = log->AppendAsLeader(Batch(Values({"a", "b"}), Producer(9, 0, 0)), 0, Time{0});
  REQUIRE(again.ok());
  CHECK(again->duplicate);
  CHECK(again->first_offset == 0);
  CHECK(again->last_offset == 1);
  CHECK(log->log_end_offset() == 3);
  auto gap = log->AppendAsLeader(Batch(Values({"d"}), Producer(9, 0, 3)), 0, Time{0});
  CHECK(gap.status().code() == Errc::kOutOfOrderSequenceNumber);
  auto next = log->AppendAsLeader(Batch(Values({"d"}), Producer(9, 0, 2)), 0, Time{0});
  REQUIRE(next.ok());
  CHECK_FALSE(next->duplicate);
  CHECK(next->first_offset == 3);
  // The producer fields are in the batch header, as kafka-dump-log shows them.
  auto read = log->Read(3, 1 << 20);
  REQUIRE(read.ok());
  auto batches = read->Batches();
  REQUIRE(batches.ok());
  CHECK(batches->front().header.producer_id == 9);
  CHECK(batches->front().header.base_sequence == 2);
}

TEST_CASE("producer_state: an unknown producer may start at any sequence (KIP-360)") {
  SimFileSystem fs;
  auto log = OpenLog(fs);
  CHECK(log->AppendAsLeader(Batch(Values({"a"}), Producer(3, 4, 70)), 0, Time{0}).ok());
}

TEST_CASE("producer_state: a follower's appends feed the state it checks once it leads") {
  SimFileSystem leader_fs;
  SimFileSystem follower_fs;
  auto leader = OpenLog(leader_fs);
  auto follower = OpenLog(follower_fs);
  REQUIRE(
      leader->AppendAsLeader(Batch(Values({"a", "b", "c"}), Producer(9, 0, 0)), 1, Time{0}).ok());
  auto fetched = leader->Read(0, 1 << 20);
  REQUIRE(fetched.ok());
  REQUIRE(follower->AppendAsFollower(fetched->records, Time{0}).ok());
  auto retry =
      follower->AppendAsLeader(Batch(Values({"a", "b", "c"}), Producer(9, 0, 0)), 2, Time{0});
  REQUIRE(retry.ok());
  CHECK(retry->duplicate);
  CHECK(retry->first_offset == 0);
  CHECK(follower->log_end_offset() == 3);
}

TEST_CASE("producer_state: rebuilt from the batches on reopen and after truncation") {
  SimFileSystem fs;
  {
    auto log = OpenLog(fs);
    REQUIRE(log->AppendAsLeader(Batch(Values({"a"}), Producer(9, 0, 0)), 0, Time{0}).ok());
    REQUIRE(log->AppendAsLeader(Batch(Values({"b", "c"}), Producer(9, 0, 1)), 0, Time{0}).ok());
    REQUIRE(log->Flush().ok());
  }
  auto log = OpenLog(fs);
  CHECK(log->producer_state().producers().empty());  // loaded only when needed
  auto retry = log->AppendAsLeader(Batch(Values({"b", "c"}), Producer(9, 0, 1)), 0, Time{0});
  REQUIRE(retry.ok());
  CHECK(retry->duplicate);
  CHECK(retry->first_offset == 1);

  // Truncation removes the batch at 1..2: the same sequence is new again.
  REQUIRE(log->TruncateTo(1).ok());
  auto rewrite = log->AppendAsLeader(Batch(Values({"b", "c"}), Producer(9, 0, 1)), 0, Time{0});
  REQUIRE(rewrite.ok());
  CHECK_FALSE(rewrite->duplicate);
  CHECK(rewrite->first_offset == 1);
  REQUIRE(log->LoadProducerState().ok());
  const ProducerStateEntry* entry = log->producer_state().Entry(9);
  REQUIRE(entry != nullptr);
  CHECK(entry->batches.size() == 2);
  CHECK(entry->last_sequence() == 2);
}

}  // namespace
}  // namespace kafkasim::storage
