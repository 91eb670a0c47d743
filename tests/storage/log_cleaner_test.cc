// Log compaction (Kafka's Cleaner and LogCleanerManager, KIP-534 tombstone horizons) over the
// simulated disk: what is kept, what is left alone, and what a crash mid-swap leaves.
#include "storage/log_cleaner.h"

#include <doctest/doctest.h>

#include <map>

#include "engine/prng.h"
#include "engine/sim_file_system.h"
#include "storage/partition_log.h"
#include "test_util.h"

namespace kafkasim::storage {
namespace {

using testing::Batch;

Record Keyed(const std::string& key, std::optional<std::string> value, std::int64_t ts = 1000) {
  Record r;
  r.timestamp = ts;
  r.key = Bytes(key.begin(), key.end());
  if (value) r.value = Bytes(value->begin(), value->end());
  return r;
}

LogConfig Compacted() {
  LogConfig c;
  c.cleanup_policy_compact = true;
  c.cleanup_policy_delete = false;
  c.segment_bytes = 200;  // about two one-record batches a segment
  c.delete_retention_ms = 60000;
  return c;
}

std::unique_ptr<PartitionLog> OpenLog(FileSystem& fs, LogConfig config,
                                      RecoveryReport* report = nullptr, LogOpenHints hints = {}) {
  auto log = PartitionLog::Open(fs, "data", "cities", 0, config, Time{0}, report, hints);
  REQUIRE(log.ok());
  return std::move(*log);
}

// Appends one batch per (key, value), committing each (the cleaner stops at the HW).
void Produce(PartitionLog& log,
             const std::vector<std::pair<std::string, std::optional<std::string>>>& kvs,
             std::int64_t ts = 1000) {
  for (const auto& [key, value] : kvs) {
    REQUIRE(log.AppendAsLeader(Batch({Keyed(key, value, ts)}), 0, Time{0}).ok());
  }
  log.UpdateHighWatermark(log.log_end_offset());
}

// Every record from offset 0 as "offset:key=value" ("key=null" for a tombstone), as a consumer
// reading from the beginning sees them.
std::vector<std::string> ReadAll(const PartitionLog& log) {
  std::vector<std::string> out;
  std::int64_t offset = log.log_start_offset();
  while (offset < log.log_end_offset()) {
    Result<FetchResult> fetch = log.Read(offset, 1 << 20);
    REQUIRE(fetch.ok());
    Result<std::vector<RecordBatch>> batches = fetch->Batches();
    REQUIRE(batches.ok());
    if (batches->empty()) break;
    for (const RecordBatch& b : *batches) {
      for (const Record& r : b.records) {
        out.push_back(std::to_string(b.header.base_offset + r.offset_delta) + ":" +
                      testing::Str(*r.key) + "=" + (r.value ? testing::Str(*r.value) : "null"));
      }
      offset = b.header.next_offset();
    }
  }
  return out;
}

const std::vector<std::pair<std::string, std::optional<std::string>>> kCities = {
    {"Paris", "10"}, {"Berlin", "5"}, {"Paris", "11"}, {"Berlin", "6"},
    {"Rome", "20"},  {"Paris", "12"}, {"Rome", "21"},  {"Oslo", "-3"}};

TEST_CASE("log_cleaner: keeps the latest record of each key and never changes an offset") {
  SimFileSystem fs;
  auto log = OpenLog(fs, Compacted());
  Produce(*log, kCities);
  const std::int64_t active_base = log->segments().back().base_offset;
  const std::uint64_t active_size = log->segments().back().size_bytes;
  REQUIRE(active_base > 0);
  const LogToClean section = log->CleanableSection(std::nullopt, Time{0});
  CHECK(section.first_dirty_offset == 0);
  CHECK(section.first_uncleanable_offset == active_base);
  CHECK(section.cleanable_ratio() == doctest::Approx(1.0));
  Result<CleanResult> cleaned = log->Clean(std::nullopt, Time{0});
  REQUIRE_MESSAGE(cleaned.ok(), cleaned.status().ToString());
  CHECK(cleaned->end_offset == active_base);
  CHECK(cleaned->bytes_after < cleaned->bytes_before);
  CHECK(cleaned->records_retained < cleaned->records_read);
  // The active segment is as it was; what it holds is not cleaned, duplicates included.
  CHECK(log->segments().back().base_offset == active_base);
  CHECK(log->segments().back().size_bytes == active_size);
  CHECK(log->log_end_offset() == 8);
  // Below the active segment only the latest record of each key there is left, at its own
  // offset (the dirty section ends at the active segment: Rome=21 there does not count).
  std::map<std::string, std::int64_t> latest;
  for (std::int64_t i = 0; i < active_base; ++i) {
    latest[kCities[static_cast<std::size_t>(i)].first] = i;
  }
  for (const std::string& line : ReadAll(*log)) {
    const std::int64_t offset = std::stoll(line.substr(0, line.find(':')));
    const std::string key = line.substr(line.find(':') + 1, line.find('=') - line.find(':') - 1);
    if (offset < active_base) CHECK_MESSAGE(latest[key] == offset, line);
    const auto& [city, value] = kCities[static_cast<std::size_t>(offset)];
    CHECK(line.substr(line.find(':') + 1) == city + "=" + *value);
  }
  CHECK(ReadAll(*log).back() == "7:Oslo=-3");
  // Nothing is dirty now: the checkpoint would say active_base.
  CHECK(log->CleanableSection(cleaned->end_offset, Time{0}).cleanable_bytes == 0);
  const std::size_t files = fs.ListDir("data/cities-0")->size();
  // Each segment's three files, its producer snapshot (written when the one before it rolled;
  // not for the first), the leader-epoch-checkpoint, and no leftovers.
  CHECK(files == 4 * log->segments().size());
  // A second round: the small cleaned segments fit segment.bytes together and are merged.
  const std::size_t segments_before = log->segments().size();
  Produce(*log, {{"Paris", "13"}, {"Berlin", "7"}, {"Rome", "22"}, {"Oslo", "-4"}});
  Result<CleanResult> again = log->Clean(cleaned->end_offset, Time{0});
  REQUIRE(again.ok());
  CHECK(again->segments_after < again->segments_before);
  CHECK(log->segments().size() <= segments_before + 1);
}

TEST_CASE("log_cleaner: a consumer reading from offset 0 skips the gaps compaction left") {
  SimFileSystem fs;
  auto log = OpenLog(fs, Compacted());
  Produce(*log, kCities);
  REQUIRE(log->Clean(std::nullopt, Time{0}).ok());
  const std::vector<std::string> all = ReadAll(*log);
  REQUIRE(!all.empty());
  // Offset 0 (Paris=10) was superseded: the first read from 0 returns a later offset.
  Result<FetchResult> fetch = log->Read(0, 1 << 20);
  REQUIRE(fetch.ok());
  Result<std::vector<RecordBatch>> batches = fetch->Batches();
  REQUIRE(batches.ok());
  REQUIRE(!batches->empty());
  CHECK(batches->front().header.base_offset > 0);
  CHECK(all.front().rfind("0:", 0) != 0);
  // Strictly increasing offsets, with gaps.
  std::int64_t previous = -1;
  for (const std::string& line : all) {
    const std::int64_t offset = std::stoll(line.substr(0, line.find(':')));
    CHECK(offset > previous);
    previous = offset;
  }
  CHECK(all.size() < kCities.size());
}

TEST_CASE(
    "log_cleaner: a log below min.cleanable.dirty.ratio or inside min.compaction.lag.ms "
    "is left alone") {
  SimFileSystem fs;
  LogConfig config = Compacted();
  auto log = OpenLog(fs, config);
  Produce(*log, kCities);
  const std::int64_t active_base = log->segments().back().base_offset;
  REQUIRE(log->Clean(std::nullopt, Time{0}).ok());
  // One more full segment of dirty data over a cleaned head: a small dirty ratio.
  Produce(*log, {{"Paris", "13"}, {"Rome", "22"}, {"Oslo", "-4"}});
  const LogToClean section = log->CleanableSection(active_base, Time{0});
  CHECK(section.first_dirty_offset == active_base);
  CHECK(section.cleanable_ratio() > 0.0);
  CHECK_FALSE(section.ShouldClean(0.99));
  CHECK(section.ShouldClean(0.01));
  // min.compaction.lag.ms: the records are 1 s old at t=1s, younger than a 10 s lag.
  config.min_compaction_lag_ms = 10000;
  log->set_config(config);
  const LogToClean lagged = log->CleanableSection(active_base, Time{1'000'000'000});
  CHECK(lagged.first_uncleanable_offset == active_base);
  CHECK(lagged.cleanable_bytes == 0);
  // max.compaction.lag.ms makes an old dirty segment due whatever the ratio.
  config.min_compaction_lag_ms = 0;
  config.max_compaction_lag_ms = 500;
  log->set_config(config);
  CHECK(log->CleanableSection(active_base, Time{5'000'000'000}).need_compaction_now());
}

TEST_CASE(
    "log_cleaner: a tombstone is kept for delete.retention.ms after its first cleaning "
    "(KIP-534), then removed") {
  SimFileSystem fs;
  auto log = OpenLog(fs, Compacted());
  Produce(*log, {{"Paris", "10"},
                 {"Berlin", "5"},
                 {"Paris", std::nullopt},
                 {"Berlin", "6"},
                 {"Rome", "20"},
                 {"Rome", "21"}});
  const std::int64_t first_end = log->segments().back().base_offset;
  REQUIRE(first_end > 2);
  Result<CleanResult> first = log->Clean(std::nullopt, Time{0});
  REQUIRE(first.ok());
  CHECK(first->tombstones_stamped == 1);
  CHECK(first->tombstones_removed == 0);
  std::vector<std::string> all = ReadAll(*log);
  CHECK(std::find(all.begin(), all.end(), "2:Paris=null") != all.end());
  CHECK(std::find(all.begin(), all.end(), "0:Paris=10") == all.end());
  // Cleaning again before the horizon (t=59s < 0 + 60s) keeps it.
  Result<CleanResult> early = log->Clean(std::nullopt, Time{59'000'000'000});
  REQUIRE(early.ok());
  CHECK(early->tombstones_removed == 0);
  all = ReadAll(*log);
  CHECK(std::find(all.begin(), all.end(), "2:Paris=null") != all.end());
  // After the horizon the next cleaning drops it, and Paris is gone from the log.
  Result<CleanResult> late = log->Clean(std::nullopt, Time{61'000'000'000});
  REQUIRE(late.ok());
  CHECK(late->tombstones_removed == 1);
  all = ReadAll(*log);
  for (const std::string& line : all) CHECK(line.find("Paris") == std::string::npos);
}

TEST_CASE("log_cleaner: retention.ms deletes nothing under cleanup.policy=compact") {
  SimFileSystem fs;
  LogConfig config = Compacted();
  config.retention_ms = 1;
  auto log = OpenLog(fs, config);
  Produce(*log, kCities);
  Result<RetentionResult> r = log->DeleteOldSegments(Time{10'000'000'000});
  REQUIRE(r.ok());
  CHECK(r->deleted.empty());
  config.cleanup_policy_delete = true;  // compact,delete
  log->set_config(config);
  r = log->DeleteOldSegments(Time{10'000'000'000});
  REQUIRE(r.ok());
  CHECK(!r->deleted.empty());
}

// Reopens the log directory as a restarted broker would, after a power loss.
std::unique_ptr<PartitionLog> CrashAndReopen(SimFileSystem& fs, RecoveryReport& report) {
  Rng rng(7);
  fs.LoseUnsyncedData(rng, false);
  return OpenLog(fs, Compacted(), &report);
}

TEST_CASE("log_cleaner: a crash at any step of the swap recovers a whole, correct log") {
  const std::vector<std::string> expected_uncleaned = [] {
    SimFileSystem fs;
    auto log = OpenLog(fs, Compacted());
    Produce(*log, kCities);
    return ReadAll(*log);
  }();
  const std::vector<std::string> expected_cleaned = [] {
    SimFileSystem fs;
    auto log = OpenLog(fs, Compacted());
    Produce(*log, kCities);
    REQUIRE(log->Clean(std::nullopt, Time{0}).ok());
    return ReadAll(*log);
  }();
  REQUIRE(expected_cleaned.size() < expected_uncleaned.size());
  struct Case {
    CleanCrashPoint point;
    bool swapped;  // recovery finishes the swap rather than undoing it
    const char* leftover;
  };
  for (const Case& c : {Case{CleanCrashPoint::kAfterCleanedWritten, false, ".cleaned"},
                        Case{CleanCrashPoint::kAfterSwapRenamed, true, ".swap"},
                        Case{CleanCrashPoint::kAfterOldDeleted, true, ".swap"}}) {
    CAPTURE(static_cast<int>(c.point));
    SimFileSystem fs;
    std::int64_t first_group_end = 0;
    {
      auto log = OpenLog(fs, Compacted());
      Produce(*log, kCities);
      REQUIRE(log->Flush().ok());
      first_group_end = log->segments()[1].base_offset;
      Result<CleanResult> crashed = log->Clean(std::nullopt, Time{0}, c.point);
      CHECK(crashed.status().code() == Errc::kIoError);
    }
    bool leftover = false;
    const Result<std::vector<std::string>> crashed_names = fs.ListDir("data/cities-0");
    REQUIRE(crashed_names.ok());
    for (const std::string& name : *crashed_names) {
      leftover |= name.find(c.leftover) != std::string::npos;
    }
    CHECK(leftover);
    RecoveryReport report;
    auto log = CrashAndReopen(fs, report);
    log->UpdateHighWatermark(log->log_end_offset());  // no checkpoint was written
    CHECK(report.cleaner_leftovers.find(c.leftover) != std::string::npos);
    const Result<std::vector<std::string>> names = fs.ListDir("data/cities-0");
    REQUIRE(names.ok());
    for (const std::string& name : *names) {
      CHECK_MESSAGE(name.find(".swap") == std::string::npos, name);
      CHECK_MESSAGE(name.find(".cleaned") == std::string::npos, name);
    }
    // The crash hit the first group (the first segment): finished, or not at all.
    std::vector<std::string> expected;
    for (const std::string& line : c.swapped ? expected_cleaned : expected_uncleaned) {
      if (std::stoll(line.substr(0, line.find(':'))) < first_group_end) expected.push_back(line);
    }
    for (const std::string& line : expected_uncleaned) {
      if (std::stoll(line.substr(0, line.find(':'))) >= first_group_end) expected.push_back(line);
    }
    CHECK(ReadAll(*log) == expected);
    CHECK(log->log_end_offset() == 8);
    // The recovered log cleans (again) to the same result.
    REQUIRE(log->Clean(std::nullopt, Time{0}).ok());
    CHECK(ReadAll(*log) == expected_cleaned);
  }
}

TEST_CASE("log_cleaner: an idempotent producer's last batch stays, so its sequence survives") {
  SimFileSystem fs;
  auto log = OpenLog(fs, Compacted());
  BatchOptions producer;
  producer.producer_id = 42;
  producer.producer_epoch = 0;
  for (int i = 0; i < 4; ++i) {
    producer.base_sequence = i;
    REQUIRE(
        log->AppendAsLeader(Batch({Keyed("Paris", std::to_string(i))}, producer), 0, Time{0}).ok());
  }
  // A plain producer then writes Paris in the active segment's predecessor.
  Produce(*log, {{"Paris", "99"}, {"Rome", "1"}, {"Rome", "2"}, {"Rome", "3"}});
  REQUIRE(log->Clean(std::nullopt, Time{0}).ok());
  // Offset 3 (Paris=3) is superseded, but its batch is the producer's last: kept, empty.
  Result<FetchResult> fetch = log->Read(3, 1 << 20);
  REQUIRE(fetch.ok());
  Result<std::vector<RecordBatch>> batches = fetch->Batches();
  REQUIRE(batches.ok());
  REQUIRE(!batches->empty());
  CHECK(batches->front().header.base_offset == 3);
  CHECK(batches->front().header.producer_id == 42);
  CHECK(batches->front().records.empty());
  // Reloaded from the cleaned log, the producer's last sequence is still 3.
  auto reopened = OpenLog(fs, Compacted());
  REQUIRE(reopened->LoadProducerState().ok());
  REQUIRE(reopened->producer_state().Entry(42) != nullptr);
  CHECK(reopened->producer_state().Entry(42)->last_sequence() == 3);
}

}  // namespace
}  // namespace kafkasim::storage
