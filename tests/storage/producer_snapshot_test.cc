// Producer-state snapshots: the <offset>.snapshot files written at rolls and clean shutdown and
// read back on recovery (ProducerStateManager.writeSnapshot/readSnapshot, UnifiedLog.roll and
// close, DumpLogSegments.dumpProducerIdSnapshot).
#include "storage/producer_snapshot.h"

#include <doctest/doctest.h>

#include "engine/sim_file_system.h"
#include "storage/crc32c.h"
#include "storage/log_dump.h"
#include "storage/partition_log.h"
#include "test_util.h"

namespace kafkasim::storage {
namespace {

using testing::Batch;

std::vector<Record> Value(const char* v) {
  Record r;
  r.timestamp = 1000;
  r.value = Bytes(v, v + std::char_traits<char>::length(v));
  return {r};
}

BatchOptions Producer(std::int64_t id, std::int16_t epoch, std::int32_t sequence) {
  BatchOptions p;
  p.producer_id = id;
  p.producer_epoch = epoch;
  p.base_sequence = sequence;
  return p;
}

std::unique_ptr<PartitionLog> OpenLog(FileSystem& fs, std::int64_t segment_bytes) {
  LogConfig config;
  config.segment_bytes = segment_bytes;
  auto log = PartitionLog::Open(fs, "data", "cities", 0, config, Time{0}, nullptr);
  REQUIRE(log.ok());
  return std::move(*log);
}

TEST_CASE("producer snapshot: version 1 layout with the CRC-32C of the entries after it") {
  ProducerSnapshotEntry e;
  e.producer_id = 7;
  e.epoch = 2;
  e.last_sequence = 4;
  e.last_offset = 40;
  e.offset_delta = 2;
  e.timestamp = 1700000000000;
  const std::vector<std::uint8_t> bytes = EncodeProducerSnapshot({e});
  REQUIRE(bytes.size() == 2 + 4 + 4 + 46);
  CHECK(bytes[0] == 0);
  CHECK(bytes[1] == 1);  // version 1
  CHECK(bytes[9] == 1);  // one entry
  const std::uint32_t crc = (std::uint32_t{bytes[2]} << 24) | (std::uint32_t{bytes[3]} << 16) |
                            (std::uint32_t{bytes[4]} << 8) | bytes[5];
  CHECK(crc == Crc32c(std::span<const std::uint8_t>(bytes).subspan(6)));
  Result<std::vector<ProducerSnapshotEntry>> back = DecodeProducerSnapshot(bytes);
  REQUIRE(back.ok());
  CHECK(*back == std::vector<ProducerSnapshotEntry>{e});
  // DumpLogSegments' line: the batch's first sequence is lastSequence - offsetDelta.
  CHECK(ProducerSnapshotLine(e) ==
        "producerId: 7 producerEpoch: 2 coordinatorEpoch: -1 currentTxnFirstOffset: "
        "OptionalLong.empty lastTimestamp: 1700000000000 firstSequence: 2 lastSequence: 4 "
        "lastOffset: 40 offsetDelta: 2 timestamp: 1700000000000");

  std::vector<std::uint8_t> damaged = bytes;
  damaged[20] ^= 1;
  Result<std::vector<ProducerSnapshotEntry>> bad = DecodeProducerSnapshot(damaged);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().starts_with(
      "Snapshot is corrupt (CRC is no longer valid). Stored crc: "));
  CHECK(ProducerSnapshotFileName(25) == "00000000000000000025.snapshot");
  CHECK(ProducerSnapshotOffset("00000000000000000025.snapshot") == 25);
  CHECK_FALSE(ProducerSnapshotOffset("00000000000000000025.log").has_value());
}

TEST_CASE(
    "producer snapshot: each roll writes one at the new base, retention and truncation "
    "delete theirs") {
  SimFileSystem fs;
  auto log = OpenLog(fs, 100);  // about one batch a segment
  for (std::int32_t i = 0; i < 5; ++i) {
    REQUIRE(log->AppendAsLeader(Batch(Value("some reading"), Producer(3, 0, i)), 0, Time{0}).ok());
  }
  std::vector<std::int64_t> bases;
  for (const SegmentInfo& s : log->segments()) bases.push_back(s.base_offset);
  REQUIRE(bases.size() >= 3);
  for (std::size_t i = 1; i < bases.size(); ++i) {
    CHECK(fs.Exists("data/cities-0/" + ProducerSnapshotFileName(bases[i])));
  }
  CHECK_FALSE(fs.Exists("data/cities-0/" + ProducerSnapshotFileName(0)));
  // The snapshot at base b holds the producer's last batch below b.
  Result<std::vector<std::uint8_t>> bytes =
      fs.ReadFile("data/cities-0/" + ProducerSnapshotFileName(bases[2]));
  REQUIRE(bytes.ok());
  Result<std::vector<ProducerSnapshotEntry>> entries = DecodeProducerSnapshot(*bytes);
  REQUIRE(entries.ok());
  REQUIRE(entries->size() == 1);
  CHECK((*entries)[0].producer_id == 3);
  CHECK((*entries)[0].last_offset == bases[2] - 1);

  REQUIRE(log->TruncateTo(bases[2]).ok());
  CHECK(fs.Exists("data/cities-0/" + ProducerSnapshotFileName(bases[2])));
  CHECK_FALSE(fs.Exists("data/cities-0/" + ProducerSnapshotFileName(bases[3])));
}

TEST_CASE(
    "producer snapshot: a reopened log rebuilds its producers from the newest snapshot, "
    "and from an older one when the newest is corrupt") {
  SimFileSystem fs;
  std::vector<std::int64_t> bases;
  {
    auto log = OpenLog(fs, 100);
    for (std::int32_t i = 0; i < 4; ++i) {
      REQUIRE(
          log->AppendAsLeader(Batch(Value("some reading"), Producer(3, 0, i)), 0, Time{0}).ok());
    }
    REQUIRE(log->Flush().ok());
    for (const SegmentInfo& s : log->segments()) bases.push_back(s.base_offset);
  }
  REQUIRE(bases.size() >= 3);
  // Damage the newest snapshot: recovery falls back to the one before and scans from there.
  const std::string newest = "data/cities-0/" + ProducerSnapshotFileName(bases.back());
  REQUIRE(fs.WriteAt(newest, 12, Bytes{0xff}).ok());
  auto log = OpenLog(fs, 100);
  REQUIRE(log->LoadProducerState().ok());
  CHECK_FALSE(fs.Exists(newest));
  const ProducerStateEntry* entry = log->producer_state().Entry(3);
  REQUIRE(entry != nullptr);
  CHECK(entry->last_sequence() == 3);
  // The retried last batch is still recognised.
  auto retry = log->AppendAsLeader(Batch(Value("some reading"), Producer(3, 0, 3)), 0, Time{0});
  REQUIRE(retry.ok());
  CHECK(retry->duplicate);
}

TEST_CASE("producer snapshot: dump-log prints one line per producer") {
  ProducerSnapshotEntry e;
  e.producer_id = 0;
  e.epoch = 0;
  e.last_sequence = 0;
  e.last_offset = 0;
  e.timestamp = 5;
  const std::vector<std::uint8_t> bytes = EncodeProducerSnapshot({e});
  const DumpResult r = DumpFile("cities-0/00000000000000000001.snapshot", bytes, false);
  CHECK(r.error.empty());
  CHECK(r.text ==
        "Dumping cities-0/00000000000000000001.snapshot\n"
        "producerId: 0 producerEpoch: 0 coordinatorEpoch: -1 currentTxnFirstOffset: "
        "OptionalLong.empty lastTimestamp: 5 firstSequence: 0 lastSequence: 0 lastOffset: 0 "
        "offsetDelta: 0 timestamp: 5\n");
}

}  // namespace
}  // namespace kafkasim::storage
