// PartitionLog over the simulated disk: offsets, reads, index lookups, roll, retention,
// truncation, leader epochs, and recovery after a crash or a corrupted byte.
#include "storage/partition_log.h"

#include <doctest/doctest.h>

#include "engine/prng.h"
#include "engine/sim_file_system.h"
#include "test_util.h"

namespace kafkasim::storage {
namespace {

using testing::Batch;

Record Value(const std::string& v, std::int64_t ts = 1000) {
  Record r;
  r.timestamp = ts;
  r.value = Bytes(v.begin(), v.end());
  return r;
}

std::unique_ptr<PartitionLog> OpenLog(FileSystem& fs, LogConfig config = {},
                                      RecoveryReport* report = nullptr, LogOpenHints hints = {}) {
  auto log = PartitionLog::Open(fs, "data", "cities", 0, config, Time{0}, report, hints);
  REQUIRE(log.ok());
  return std::move(*log);
}

std::vector<std::int64_t> Offsets(const FetchResult& fetch) {
  std::vector<std::int64_t> offsets;
  Result<std::vector<RecordBatch>> batches = fetch.Batches();
  REQUIRE(batches.ok());
  for (const RecordBatch& b : *batches) {
    for (const Record& r : b.records) offsets.push_back(b.header.base_offset + r.offset_delta);
  }
  return offsets;
}

TEST_CASE("partition_log: a leader numbers records, stamps its epoch and reads them back") {
  SimFileSystem fs;
  auto log = OpenLog(fs);
  CHECK(fs.IsDirectory("data/cities-0"));
  CHECK(fs.Exists("data/cities-0/00000000000000000000.log"));
  auto first = log->AppendAsLeader(Batch({Value("a"), Value("b")}), 3, Time{0});
  REQUIRE(first.ok());
  CHECK(first->first_offset == 0);
  CHECK(first->last_offset == 1);
  auto second = log->AppendAsLeader(Batch({Value("c")}), 3, Time{0});
  REQUIRE(second.ok());
  CHECK(second->first_offset == 2);
  CHECK(log->log_end_offset() == 3);
  auto fetch = log->Read(1, 1 << 20);
  REQUIRE(fetch.ok());
  CHECK(Offsets(*fetch) == std::vector<std::int64_t>{0, 1, 2});  // whole batches from offset 1
  CHECK(fetch->Batches()->front().header.partition_leader_epoch == 3);
  CHECK(log->leader_epochs().entries() == std::vector<EpochEntry>{{3, 0}});
  CHECK(log->Read(3, 100)->records.empty());
  CHECK(log->Read(4, 100).status().code() == Errc::kOffsetOutOfRange);
  // max_offset bounds a consumer's read at the high watermark.
  CHECK(Offsets(*log->Read(0, 1 << 20, 2)) == std::vector<std::int64_t>{0, 1});
  // A high watermark inside a batch (a follower that diverged within an epoch reported a fetch
  // offset there): Kafka's read stops at the position of the batch holding it, so a consumer
  // gets nothing of that batch, not records at or above the high watermark.
  CHECK(log->Read(0, 1 << 20, 1)->records.empty());
  CHECK(log->Read(1, 1 << 20, 1)->records.empty());
  // The first batch comes whole even when it is larger than max_bytes.
  CHECK(Offsets(*log->Read(0, 1)) == std::vector<std::int64_t>{0, 1});
}

TEST_CASE(
    "partition_log: the offset index gets an entry per index.interval.bytes and finds "
    "offsets at segment boundaries") {
  SimFileSystem fs;
  LogConfig config;
  config.index_interval_bytes = 200;
  config.segment_bytes = 2000;
  auto log = OpenLog(fs, config);
  for (int i = 0; i < 60; ++i) {
    REQUIRE(log->AppendAsLeader(Batch({Value(std::string(100, 'x'))}), 0, Time{0}).ok());
  }
  const auto segments = log->segments();
  REQUIRE(segments.size() > 3);
  // Each batch is 61 + 109 = 170 bytes: 11 fit in 2000 bytes, the 12th rolls.
  CHECK(segments[1].base_offset == 11);
  for (const SegmentInfo& s : segments) {
    // Every offset of the segment and its neighbours reads back from the right batch.
    for (std::int64_t o = s.base_offset; o < s.next_offset; ++o) {
      auto fetch = log->Read(o, 1);
      REQUIRE(fetch.ok());
      CHECK(Offsets(*fetch) == std::vector<std::int64_t>{o});
    }
  }
  // First append adds no entry; then one each time more than 200 bytes were written before.
  Result<Bytes> index = fs.ReadFile("data/cities-0/00000000000000000000.index");
  REQUIRE(index.ok());
  // (relative offset, position) pairs: batches 2, 4, 6, 8, 10 at 340, 680, 1020, 1360, 1700.
  CHECK(testing::ToHex(*index) ==
        "0000000200000154"
        "00000004000002a8"
        "00000006000003fc"
        "0000000800000550"
        "0000000a000006a4");
}

TEST_CASE("partition_log: segments roll by segment.bytes and by segment.ms") {
  SimFileSystem fs;
  LogConfig config;
  config.segment_bytes = 500;
  config.segment_ms = 60000;
  auto log = OpenLog(fs, config);
  auto a = log->AppendAsLeader(Batch({Value(std::string(300, 'a'))}), 0, Time{0});
  REQUIRE(a.ok());
  CHECK_FALSE(a->rolled_segment_base.has_value());
  auto b = log->AppendAsLeader(Batch({Value(std::string(300, 'b'))}), 0, Time{0});
  REQUIRE(b.ok());
  CHECK(b->rolled_segment_base == 1);
  CHECK(fs.Exists("data/cities-0/00000000000000000001.log"));
  CHECK(log->recovery_point() == 1);  // rolling flushed the old segment
  // Time: the active segment's first batch has timestamp 1000 ms.
  CHECK_FALSE(log->MaybeRoll(Time{0} + Milliseconds(61000))->has_value());
  CHECK(log->MaybeRoll(Time{0} + Milliseconds(61001)).value() == 2);
  CHECK(log->segments().size() == 3);
}

TEST_CASE("partition_log: retention by size and by time deletes whole segments below the HW") {
  SimFileSystem fs;
  LogConfig config;
  config.segment_bytes = 400;
  config.retention_bytes = 800;
  config.retention_ms = 100000;
  auto log = OpenLog(fs, config);
  for (int i = 0; i < 10; ++i) {
    REQUIRE(log->AppendAsLeader(Batch({Value(std::string(300, 'v'), 1000 * i)}), 0, Time{0}).ok());
  }
  REQUIRE(log->segments().size() == 10);  // one 370-byte batch per segment
  // Nothing below the high watermark yet: nothing goes.
  auto none = log->DeleteOldSegments(Time{0});
  REQUIRE(none.ok());
  CHECK(none->deleted.empty());
  log->UpdateHighWatermark(4);
  auto by_size = log->DeleteOldSegments(Time{0});
  REQUIRE(by_size.ok());
  CHECK(by_size->deleted.size() == 4);  // stops at the HW
  CHECK(log->log_start_offset() == 4);
  CHECK(by_size->reason == "retention.bytes=800 breached (log is 3700 bytes)");
  CHECK_FALSE(fs.Exists("data/cities-0/00000000000000000003.log"));
  CHECK(log->Read(3, 100).status().code() == Errc::kOffsetOutOfRange);
  log->UpdateHighWatermark(10);
  config.retention_bytes = -1;
  log->set_config(config);
  // Timestamps 4000..9000 ms: at now=107500 ms those older than 100000 ms (4000..7000) go.
  auto by_time = log->DeleteOldSegments(Time{0} + Milliseconds(107500));
  REQUIRE(by_time.ok());
  CHECK(by_time->deleted.size() == 4);
  CHECK(by_time->reason == "retention.ms=100000 breached");
  CHECK(log->log_start_offset() == 8);
  // Everything expired: the active segment is rolled first, the log stays at its end.
  auto all = log->DeleteOldSegments(Time{0} + Milliseconds(10000000));
  REQUIRE(all.ok());
  CHECK(all->deleted.size() == 2);
  CHECK(log->log_start_offset() == 10);
  CHECK(log->log_end_offset() == 10);
  CHECK(log->segments().size() == 1);
}

TEST_CASE("partition_log: truncation removes whole batches and updates the epoch checkpoint") {
  SimFileSystem fs;
  LogConfig config;
  config.segment_bytes = 300;
  auto log = OpenLog(fs, config);
  REQUIRE(log->AppendAsLeader(Batch({Value("a"), Value("b")}), 1, Time{0}).ok());
  REQUIRE(log->AppendAsLeader(Batch({Value(std::string(200, 'c'))}), 2, Time{0}).ok());
  REQUIRE(log->AppendAsLeader(Batch({Value(std::string(200, 'd'))}), 4, Time{0}).ok());
  REQUIRE(log->AppendAsLeader(Batch({Value("e")}), 4, Time{0}).ok());
  CHECK(log->leader_epochs().entries() == std::vector<EpochEntry>{{1, 0}, {2, 2}, {4, 3}});
  auto text = [&] { return testing::Str(*fs.ReadFile("data/cities-0/leader-epoch-checkpoint")); };
  CHECK(text() == "0\n3\n1 0\n2 2\n4 3\n");
  // endOffsetFor (reference 1.5).
  CHECK(log->leader_epochs().EndOffsetFor(4, 5) == std::pair<std::int32_t, std::int64_t>{4, 5});
  CHECK(log->leader_epochs().EndOffsetFor(3, 5) == std::pair<std::int32_t, std::int64_t>{2, 3});
  CHECK(log->leader_epochs().EndOffsetFor(0, 5) == std::pair<std::int32_t, std::int64_t>{0, 0});
  CHECK(log->leader_epochs().EndOffsetFor(9, 5) == std::pair<std::int32_t, std::int64_t>{-1, -1});
  log->UpdateHighWatermark(5);
  REQUIRE(log->TruncateTo(3).ok());
  CHECK(log->log_end_offset() == 3);
  CHECK(log->high_watermark() == 3);
  CHECK(text() == "0\n2\n1 0\n2 2\n");
  REQUIRE(log->TruncateTo(1).ok());  // offset 1 is inside the first batch: it all goes
  CHECK(log->log_end_offset() == 0);
  // A follower appends the leader's batches as they are.
  SimFileSystem leader_fs;
  auto leader = OpenLog(leader_fs);
  REQUIRE(leader->AppendAsLeader(Batch({Value("x"), Value("y")}), 7, Time{0}).ok());
  auto fetched = leader->Read(0, 1 << 20);
  REQUIRE(log->AppendAsFollower(fetched->records, Time{0}).ok());
  CHECK(log->log_end_offset() == 2);
  CHECK(text() == "0\n1\n7 0\n");
  CHECK(log->AppendAsFollower(fetched->records, Time{0}).status().code() ==
        Errc::kCorruptMessage);  // offsets below the log end
  REQUIRE(log->TruncateFullyAndStartAt(50).ok());
  CHECK(log->log_start_offset() == 50);
  CHECK(log->log_end_offset() == 50);
  CHECK(fs.Exists("data/cities-0/00000000000000000050.log"));
  CHECK(text() == "0\n0\n");
}

TEST_CASE("leader_epoch_cache: truncation from the start keeps the epoch covering it") {
  SimFileSystem fs;
  LeaderEpochCache cache(fs, "leader-epoch-checkpoint");
  REQUIRE(cache.Assign(0, 0).ok());
  REQUIRE(cache.Assign(2, 10).ok());
  REQUIRE(cache.Assign(5, 30).ok());
  REQUIRE(cache.TruncateFromStart(15).ok());
  CHECK(cache.entries() == std::vector<EpochEntry>{{2, 15}, {5, 30}});
  REQUIRE(cache.Assign(3, 20).ok());  // a lower epoch replaces the entries it contradicts
  CHECK(cache.entries() == std::vector<EpochEntry>{{2, 15}, {3, 20}});
  LeaderEpochCache reloaded(fs, "leader-epoch-checkpoint");
  REQUIRE(reloaded.Load().ok());
  CHECK(reloaded.entries() == cache.entries());
}

// Writes 3 synced segments' worth, then more unsynced batches, and crashes.
void FillAndCrash(SimFileSystem& fs, bool torn, std::uint64_t seed) {
  LogConfig config;
  config.segment_bytes = 1000;
  auto log = OpenLog(fs, config);
  for (int i = 0; i < 20; ++i) {
    REQUIRE(log->AppendAsLeader(Batch({Value(std::string(150, static_cast<char>('a' + i % 26)))}),
                                1, Time{0})
                .ok());
  }
  Rng rng(seed);
  fs.LoseUnsyncedData(rng, torn);
}

TEST_CASE("partition_log: recovery cuts a torn tail and reports what it dropped") {
  int cut_mid_batch = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    SimFileSystem fs;
    FillAndCrash(fs, /*torn=*/true, seed);
    const std::uint64_t before = *fs.FileSize("data/cities-0/00000000000000000016.log");
    RecoveryReport report;
    auto log = OpenLog(fs, {}, &report);
    // Batches are 61 + 159 = 220 bytes, 4 to a segment; the last roll flushed 0..15.
    CHECK(log->log_end_offset() >= 16);
    CHECK(static_cast<std::uint64_t>(log->log_end_offset() - 16) == before / 220);
    CHECK(report.bytes_dropped == static_cast<std::int64_t>(before % 220));
    if (before % 220 != 0) {
      ++cut_mid_batch;
      CHECK(report.batches_dropped == 1);
      CHECK(report.reason.find("partial batch at byte " + std::to_string(before / 220 * 220)) !=
            std::string::npos);
    }
    // Every surviving offset reads back intact.
    for (std::int64_t o = 0; o < log->log_end_offset(); ++o) REQUIRE(log->Read(o, 1).ok());
    auto again = log->AppendAsLeader(Batch({Value("after")}), 2, Time{0});
    REQUIRE(again.ok());
    CHECK(again->first_offset == log->log_end_offset() - 1);
  }
  CHECK(cut_mid_batch > 10);
}

TEST_CASE("partition_log: a flipped byte truncates at its batch and deletes later segments") {
  SimFileSystem fs;
  FillAndCrash(fs, false, 1);
  // Segment 4 holds offsets 4..7 at 220 bytes each: corrupt offset 5's value.
  REQUIRE(fs.CorruptByte("data/cities-0/00000000000000000004.log", 220 + 100).ok());
  RecoveryReport report;
  auto log = OpenLog(fs, {}, &report);
  CHECK(log->log_end_offset() == 5);
  CHECK(report.segments_deleted == 3);  // 8, 12 and the (crash-emptied) 16
  CHECK(report.batches_dropped == 1 + 4 + 4);
  CHECK(report.bytes_dropped == 3 * 220 + 8 * 220);
  CHECK(report.reason.rfind("data/cities-0/00000000000000000004.log: corrupt batch at byte 220",
                            0) == 0);
  CHECK_FALSE(fs.Exists("data/cities-0/00000000000000000008.log"));
  CHECK_FALSE(fs.Exists("data/cities-0/00000000000000000012.index"));
  // With the recovery point past the damage the segment is trusted, as Kafka does.
  SimFileSystem fs2;
  FillAndCrash(fs2, false, 1);
  REQUIRE(fs2.CorruptByte("data/cities-0/00000000000000000004.log", 220 + 100).ok());
  RecoveryReport trusted;
  LogOpenHints hints;
  hints.recovery_point = 16;
  auto log2 = OpenLog(fs2, {}, &trusted, hints);
  CHECK(log2->log_end_offset() == 16);
  CHECK_FALSE(trusted.dropped_anything());
  // Segments 0, 4, 8 and 12 end at or below the recovery point; only 16 is re-read.
  CHECK(trusted.segments_trusted == 4);
  CHECK(trusted.bytes_trusted == 16 * 220);
  CHECK(trusted.segments_validated == 1);
  CHECK(trusted.bytes_validated == 0);  // the crash emptied it
  // Reads do not re-check CRCs (as in Kafka); decoding the fetched batch finds the damage.
  auto fetched = log2->Read(5, 1);
  REQUIRE(fetched.ok());
  CHECK(fetched->Batches().status().code() == Errc::kCorruptMessage);
}

// LogLoader.recoverLog: with .kafka_cleanshutdown no segment is re-read, not even the active
// one, whatever the recovery point says.
TEST_CASE("partition_log: after a clean shutdown every segment is trusted") {
  SimFileSystem fs;
  FillAndCrash(fs, false, 1);
  REQUIRE(fs.CorruptByte("data/cities-0/00000000000000000004.log", 220 + 100).ok());
  RecoveryReport report;
  LogOpenHints hints;
  hints.had_clean_shutdown = true;
  auto log = OpenLog(fs, {}, &report, hints);
  CHECK(log->log_end_offset() == 16);
  CHECK_FALSE(report.dropped_anything());
  CHECK(report.segments_trusted == 5);
  CHECK(report.segments_validated == 0);
  CHECK(report.recovered_from == 0);
}

TEST_CASE("partition_log: reopening a cleanly flushed log keeps offsets, indexes and epochs") {
  SimFileSystem fs;
  LogConfig config;
  config.segment_bytes = 1000;
  config.index_interval_bytes = 100;
  {
    auto log = OpenLog(fs, config);
    for (int i = 0; i < 30; ++i) {
      REQUIRE(log->AppendAsLeader(Batch({Value(std::string(90, 'z'), i)}), i / 10, Time{0}).ok());
    }
    REQUIRE(log->Flush().ok());
  }
  Rng rng(5);
  fs.LoseUnsyncedData(rng, true);
  RecoveryReport report;
  LogOpenHints hints;
  hints.recovery_point = 30;
  hints.high_watermark = 25;
  auto log = OpenLog(fs, config, &report, hints);
  CHECK_FALSE(report.dropped_anything());
  CHECK(log->log_end_offset() == 30);
  CHECK(log->high_watermark() == 25);
  CHECK(log->leader_epochs().entries() == std::vector<EpochEntry>{{0, 0}, {1, 10}, {2, 20}});
  for (std::int64_t o = 0; o < 30; ++o) CHECK(Offsets(*log->Read(o, 1)).front() == o);
}

}  // namespace
}  // namespace kafkasim::storage

namespace kafkasim::storage {
namespace {

// LogSegment::Find starts at a batch a recent read began or ended at when it can; whatever it
// remembers, every read must return exactly the batches a walk from the offset index returns.
// The expected slice is computed here from the batches appended, for random reads interleaved
// with appends and truncations.
TEST_CASE("partition_log: reads return the same batches whatever earlier reads left behind") {
  SimFileSystem fs;
  LogConfig config;
  config.segment_bytes = 16 * 1024;
  config.index_interval_bytes = 512;
  auto log = OpenLog(fs, config);
  struct Appended {
    std::int64_t first = 0;
    std::int64_t last = 0;
  };
  std::vector<Appended> batches;
  Rng rng(7);
  for (int step = 0; step < 3000; ++step) {
    const std::uint64_t what = rng.Uniform(10);
    if (what < 4 || batches.empty()) {
      std::vector<Record> records;
      const std::int64_t count = rng.UniformRange(1, 5);
      for (std::int64_t i = 0; i < count; ++i) {
        records.push_back(
            Value(std::string(static_cast<std::size_t>(rng.UniformRange(1, 90)), 'x')));
      }
      auto appended = log->AppendAsLeader(Batch(records), 1, Time{0});
      REQUIRE(appended.ok());
      batches.push_back({appended->first_offset, appended->last_offset});
      log->UpdateHighWatermark(log->log_end_offset());
    } else if (what == 9 && batches.size() > 10) {
      const std::size_t keep = batches.size() - static_cast<std::size_t>(rng.UniformRange(1, 5));
      REQUIRE(log->TruncateTo(batches[keep].first).ok());
      batches.resize(keep);
    } else {
      const std::int64_t end = log->log_end_offset();
      const std::int64_t offset = rng.UniformRange(0, end);
      const std::int64_t max_offset = rng.UniformRange(offset, end);
      auto fetch = log->Read(offset, 1 << 20, max_offset);
      REQUIRE(fetch.ok());
      // The batch holding `offset` and those after it, in its segment, ending below
      // max_offset (Kafka stops at the position of the batch holding max_offset).
      // A read stays within the segment that holds `offset`.
      std::int64_t segment_end = end;
      for (const SegmentInfo& segment : log->segments()) {
        if (segment.base_offset <= offset && offset < segment.next_offset) {
          segment_end = segment.next_offset;
        }
      }
      std::vector<std::int64_t> expected;
      for (const Appended& b : batches) {
        if (b.last < offset) continue;
        if (b.last >= max_offset || b.first >= segment_end) break;
        for (std::int64_t o = b.first; o <= b.last; ++o) expected.push_back(o);
      }
      CAPTURE(step);
      CAPTURE(offset);
      CAPTURE(max_offset);
      CHECK(Offsets(*fetch) == expected);
    }
  }
}

}  // namespace
}  // namespace kafkasim::storage

namespace kafkasim::storage {
namespace {

// The active segment answers Find from a list of its batches (built by one walk of its file at
// the second read, then kept up by appends) while its file is known whole; after a byte of its
// disk is corrupted it walks its file as Kafka reads it.
// Two logs see the same appends, truncations, clean reopens and crashes; on the second disk a
// byte of an unrelated file is corrupted before every read, so its reads always walk the
// file. Every read must return the same headers and bytes from both.
TEST_CASE("partition_log: reads from remembered batches match reads that walk the file") {
  SimFileSystem remembered;
  SimFileSystem walked;
  REQUIRE(walked.CreateFile("unrelated").ok());
  REQUIRE(walked.Append("unrelated", Bytes(16, 0)).ok());
  REQUIRE(walked.Sync("unrelated").ok());
  LogConfig config;
  config.segment_bytes = 8 * 1024;
  config.index_interval_bytes = 512;
  auto a = OpenLog(remembered, config);
  auto b = OpenLog(walked, config);
  Rng rng(11);
  int reads = 0;
  int reopened = 0;
  for (int step = 0; step < 4000; ++step) {
    CAPTURE(step);
    const std::uint64_t what = rng.Uniform(100);
    if (what < 40 || a->log_end_offset() == 0) {
      std::vector<Record> records;
      const std::int64_t count = rng.UniformRange(1, 6);
      for (std::int64_t i = 0; i < count; ++i) {
        records.push_back(
            Value(std::string(static_cast<std::size_t>(rng.UniformRange(1, 120)), 'k'), step));
      }
      const std::int32_t epoch = step / 500;
      auto x = a->AppendAsLeader(Batch(records), epoch, Time{0});
      auto y = b->AppendAsLeader(Batch(records), epoch, Time{0});
      REQUIRE(x.ok());
      REQUIRE(y.ok());
      REQUIRE(x->first_offset == y->first_offset);
      a->UpdateHighWatermark(a->log_end_offset());
      b->UpdateHighWatermark(b->log_end_offset());
    } else if (what < 43) {
      const std::int64_t to = rng.UniformRange(a->log_end_offset() / 2, a->log_end_offset());
      REQUIRE(a->TruncateTo(to).ok());
      REQUIRE(b->TruncateTo(to).ok());
    } else if (what < 45) {
      // A clean shutdown (every segment trusted) or a crash (the unsynced tail torn off and
      // the segments past the recovery point re-read).
      ++reopened;
      const bool clean = rng.Uniform(2) == 0;
      LogOpenHints hints;
      hints.had_clean_shutdown = clean;
      hints.high_watermark = a->high_watermark();
      if (clean) {
        REQUIRE(a->Flush().ok());
        REQUIRE(b->Flush().ok());
      }
      a.reset();
      b.reset();
      if (!clean) {
        const std::uint64_t seed = rng.Uniform(1000);
        Rng crash_a(seed);
        Rng crash_b(seed);
        remembered.LoseUnsyncedData(crash_a, true);
        walked.LoseUnsyncedData(crash_b, true);
      }
      a = OpenLog(remembered, config, nullptr, hints);
      b = OpenLog(walked, config, nullptr, hints);
      REQUIRE(a->log_end_offset() == b->log_end_offset());
    } else if (a->log_end_offset() > 0) {
      ++reads;
      REQUIRE(walked.CorruptByte("unrelated", static_cast<std::uint64_t>(step % 16)).ok());
      const std::int64_t end = a->log_end_offset();
      const std::int64_t offset = rng.UniformRange(a->log_start_offset(), end);
      const std::int64_t max_offset = rng.UniformRange(offset, end);
      const auto max_bytes = static_cast<std::int32_t>(rng.UniformRange(1, 4000));
      CAPTURE(offset);
      CAPTURE(max_offset);
      CAPTURE(max_bytes);
      auto hx = a->ReadHeaders(offset, max_bytes, max_offset);
      auto hy = b->ReadHeaders(offset, max_bytes, max_offset);
      REQUIRE(hx.ok());
      REQUIRE(hy.ok());
      CHECK(*hx == *hy);
      auto rx = a->Read(offset, max_bytes, max_offset);
      auto ry = b->Read(offset, max_bytes, max_offset);
      REQUIRE(rx.ok());
      REQUIRE(ry.ok());
      CHECK(rx->records == ry->records);
    }
  }
  CHECK(reads > 1000);
  CHECK(reopened > 20);
}

}  // namespace
}  // namespace kafkasim::storage
