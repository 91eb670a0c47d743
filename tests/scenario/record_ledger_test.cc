#include "scenario/record_ledger.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace kafkasim::scenario {
namespace {

kafka::ProduceOutcome Acked(const std::string& client, std::int32_t partition, std::int64_t offset,
                            std::optional<std::string> key = std::nullopt) {
  return kafka::ProduceOutcome{client,
                               offset,
                               "t",
                               partition,
                               std::move(key),
                               "v" + std::to_string(offset),
                               -1,
                               Errc::kNone,
                               offset,
                               kTimeZero + Milliseconds(offset)};
}

kafka::ConsumeEvent Read(const std::string& client, std::int32_t partition, std::int64_t offset) {
  return kafka::ConsumeEvent{client,       "t", partition, offset,
                             std::nullopt, "v", kTimeZero, offset + 1};
}

std::vector<std::int64_t> Offsets(const RecordLedger& ledger, std::int32_t partition) {
  std::vector<std::int64_t> out;
  for (const RecordLedger::Acked& a : ledger.acked().at(PartitionRef{"t", partition}).records) {
    out.push_back(a.offset);
  }
  return out;
}

TEST_CASE(
    "record ledger: acknowledged records are kept in offset order, a repeated offset in "
    "acknowledgement order") {
  RecordLedger ledger([](const PartitionRef&) { return std::int64_t{0}; });
  for (std::int64_t o : {0, 1, 3, 2, 4}) ledger.Produced(Acked("p", 0, o));
  kafka::ProduceOutcome again = Acked("q", 0, 3);
  again.value = "again";
  ledger.Produced(again);
  kafka::ProduceOutcome failed = Acked("p", 0, 9);
  failed.error = Errc::kNotEnoughReplicas;
  ledger.Produced(failed);
  CHECK(Offsets(ledger, 0) == std::vector<std::int64_t>{0, 1, 2, 3, 3, 4});
  const auto& records = ledger.acked().at(PartitionRef{"t", 0}).records;
  CHECK(records[3].value == "v3");
  CHECK(records[4].value == "again");
  CHECK(ledger.client(records[4].client) == "q");
  CHECK(ledger.ClientIndex("nobody") == std::nullopt);
}

TEST_CASE(
    "record ledger: interleaved clients and partitions land where they belong, as do first "
    "reads") {
  // The ledger remembers the client and partition of the previous record; records that switch
  // between them at every step must not be filed under the previous ones.
  RecordLedger ledger([](const PartitionRef&) { return std::int64_t{0}; });
  for (std::int64_t o = 0; o < 6; ++o) {
    ledger.Produced(Acked(o % 2 == 0 ? "p" : "q", static_cast<std::int32_t>(o % 3), o));
  }
  CHECK(Offsets(ledger, 0) == std::vector<std::int64_t>{0, 3});
  CHECK(Offsets(ledger, 1) == std::vector<std::int64_t>{1, 4});
  CHECK(Offsets(ledger, 2) == std::vector<std::int64_t>{2, 5});
  for (std::int32_t partition = 0; partition < 3; ++partition) {
    for (const RecordLedger::Acked& a : ledger.acked().at(PartitionRef{"t", partition}).records) {
      CHECK(ledger.client(a.client) == (a.offset % 2 == 0 ? "p" : "q"));
    }
  }
  ledger.Consumed(Read("c", 1, 7));
  ledger.Consumed(Read("c", 1, 8));
  ledger.Consumed(Read("d", 1, 9));
  ledger.Consumed(Read("c", 2, 4));
  ledger.Consumed(Read("c", 1, 10));
  CHECK(ledger.FirstConsumed("c", PartitionRef{"t", 1}) == 7);
  CHECK(ledger.FirstConsumed("d", PartitionRef{"t", 1}) == 9);
  CHECK(ledger.FirstConsumed("c", PartitionRef{"t", 2}) == 4);
  CHECK(ledger.FirstConsumed("d", PartitionRef{"t", 2}) == std::nullopt);
  CHECK(ledger.records_consumed() == 5);
}

TEST_CASE("record ledger: records below what every replica deleted are forgotten, the rest kept") {
  std::int64_t deleted = 0;
  RecordLedger ledger([&deleted](const PartitionRef&) { return deleted; });
  const auto n = static_cast<std::int64_t>(RecordLedger::kPruneMin);
  for (std::int64_t o = 0; o < n - 1; ++o)
    ledger.Produced(Acked("p", 0, o, "k" + std::to_string(o)));
  deleted = 100;  // no prune before the partition holds kPruneMin records
  CHECK(Offsets(ledger, 0).size() == RecordLedger::kPruneMin - 1);
  ledger.Produced(Acked("p", 0, n - 1, "k"));
  const std::vector<std::int64_t> kept = Offsets(ledger, 0);
  CHECK(kept.size() == RecordLedger::kPruneMin - 100);
  CHECK(kept.front() == 100);
  CHECK(kept.back() == n - 1);
  const auto& keys = ledger.acked().at(PartitionRef{"t", 0}).latest_of_key;
  CHECK_FALSE(keys.contains("k99"));
  CHECK(keys.contains("k100"));
}

TEST_CASE("record ledger: a group's records read twice are counted once each, over its members") {
  std::vector<kafka::AssignmentEvent> assignments;
  RecordLedger ledger([](const PartitionRef&) { return std::int64_t{0}; });
  ledger.set_assignments(&assignments);
  assignments.push_back(kafka::AssignmentEvent{"c1", "g", "m1", 1, {"t-0"}, kTimeZero});
  for (std::int64_t o = 0; o < 10; ++o) ledger.Consumed(Read("c1", 0, o));
  assignments.push_back(kafka::AssignmentEvent{"c2", "g", "m2", 2, {"t-0"}, kTimeZero});
  for (std::int64_t o = 5; o < 12; ++o) ledger.Consumed(Read("c2", 0, o));  // 5..9 again
  ledger.Consumed(Read("c1", 0, 7));    // a third read is not counted again
  ledger.Consumed(Read("c2", 1, 5));    // another partition
  ledger.Consumed(Read("solo", 0, 3));  // not in a group
  CHECK(ledger.ConsumedTwice("g") == 5);
  CHECK(ledger.ConsumedTwice("other") == 0);
  ledger.Consumed(Read("c1", 0, 11));
  ledger.Consumed(Read("c1", 0, 0));
  CHECK(ledger.ConsumedTwice("g") == 7);
  CHECK(ledger.FirstConsumed("c2", PartitionRef{"t", 0}) == 5);
  CHECK(ledger.FirstConsumed("c2", PartitionRef{"t", 2}) == std::nullopt);
  CHECK(ledger.records_consumed() == 22);
  CHECK(ledger.read_above_hw().empty());
  kafka::ConsumeEvent early = Read("c1", 0, 20);
  early.high_watermark = 20;
  ledger.Consumed(early);
  REQUIRE(ledger.read_above_hw().size() == 1);
  CHECK(ledger.read_above_hw()[0].offset == 20);
}

TEST_CASE("record ledger: a tracked key's partitions since a time") {
  RecordLedger ledger([](const PartitionRef&) { return std::int64_t{0}; });
  ledger.TrackKey("p", "k");
  ledger.Produced(Acked("p", 0, 5, "k"));   // at 5 ms
  ledger.Produced(Acked("p", 1, 20, "k"));  // at 20 ms
  ledger.Produced(Acked("q", 2, 30, "k"));  // another client
  ledger.Produced(Acked("p", 2, 40, "j"));  // another key
  CHECK(ledger.KeyPartitions("p", "k", kTimeZero) == std::set<std::int32_t>{0, 1});
  CHECK(ledger.KeyPartitions("p", "k", kTimeZero + Milliseconds(10)) == std::set<std::int32_t>{1});
  CHECK(ledger.KeyPartitions("p", "j", kTimeZero) == std::nullopt);
}

}  // namespace
}  // namespace kafkasim::scenario
