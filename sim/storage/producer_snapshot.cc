// Producer-state snapshots; see producer_snapshot.h.
#include "storage/producer_snapshot.h"

#include <fmt/format.h>

#include <charconv>

#include "storage/byte_io.h"
#include "storage/crc32c.h"

namespace kafkasim::storage {
namespace {

constexpr std::int16_t kSnapshotVersion = 1;       // ProducerSnapshot.HIGHEST_SUPPORTED_VERSION
constexpr std::size_t kSnapshotCrcOffset = 2;      // after the version
constexpr std::size_t kSnapshotEntriesOffset = 6;  // after the CRC (PRODUCER_ENTRIES_OFFSET)
constexpr std::size_t kEntrySize = 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8;
constexpr std::string_view kSuffix = ".snapshot";

// DefaultRecordBatch.decrementSequence: sequences wrap below 0 to INT32_MAX.
std::int32_t DecrementSequence(std::int32_t sequence, std::int32_t decrement) {
  if (sequence < decrement) return INT32_MAX - (decrement - sequence) + 1;
  return sequence - decrement;
}

Status Corrupt(std::string message) { return Status(Errc::kCorruption, std::move(message)); }

}  // namespace

std::string ProducerSnapshotFileName(std::int64_t offset) {
  return fmt::format("{:020d}{}", offset, kSuffix);
}

std::optional<std::int64_t> ProducerSnapshotOffset(std::string_view name) {
  if (name.size() != 20 + kSuffix.size() || !name.ends_with(kSuffix)) return std::nullopt;
  std::int64_t offset = 0;
  const auto [end, ec] = std::from_chars(name.data(), name.data() + 20, offset);
  if (ec != std::errc() || end != name.data() + 20 || offset < 0) return std::nullopt;
  return offset;
}

std::vector<ProducerSnapshotEntry> SnapshotEntries(const ProducerStateManager& state) {
  std::vector<ProducerSnapshotEntry> out;
  for (const auto& [id, entry] : state.producers()) {
    ProducerSnapshotEntry e;
    e.producer_id = id;
    e.epoch = entry.producer_epoch;
    if (!entry.batches.empty()) {
      const ProducerBatchMetadata& last = entry.batches.back();
      e.last_sequence = last.last_sequence;
      e.last_offset = last.last_offset;
      e.offset_delta = static_cast<std::int32_t>(last.last_offset - last.first_offset);
      e.timestamp = last.timestamp;
    }
    out.push_back(e);
  }
  return out;
}

std::vector<std::uint8_t> EncodeProducerSnapshot(
    const std::vector<ProducerSnapshotEntry>& entries) {
  std::vector<std::uint8_t> out;
  ByteWriter w(out);
  w.I16(kSnapshotVersion);
  w.U32(0);  // the CRC, filled in below
  w.I32(static_cast<std::int32_t>(entries.size()));
  for (const ProducerSnapshotEntry& e : entries) {
    w.I64(e.producer_id);
    w.I16(e.epoch);
    w.I32(e.last_sequence);
    w.I64(e.last_offset);
    w.I32(e.offset_delta);
    w.I64(e.timestamp);
    w.I32(e.coordinator_epoch);
    w.I64(e.current_txn_first_offset);
  }
  const std::uint32_t crc =
      Crc32c(std::span<const std::uint8_t>(out).subspan(kSnapshotEntriesOffset));
  for (int i = 0; i < 4; ++i) {
    out[kSnapshotCrcOffset + static_cast<std::size_t>(i)] =
        static_cast<std::uint8_t>(crc >> (24 - 8 * i));
  }
  return out;
}

Result<std::vector<ProducerSnapshotEntry>> DecodeProducerSnapshot(
    std::span<const std::uint8_t> bytes) {
  ByteReader r(bytes);
  const std::optional<std::int16_t> version = r.I16();
  if (!version) return Corrupt("Snapshot file is too short to hold a version");
  if (*version != kSnapshotVersion) {
    // ProducerStateManager.readSnapshot.
    return Corrupt(fmt::format("Snapshot contained an unknown file version {}", *version));
  }
  const std::optional<std::uint32_t> stored = r.U32();
  const std::optional<std::int32_t> count = r.I32();
  if (!stored || !count || *count < 0 ||
      r.remaining() != static_cast<std::size_t>(*count) * kEntrySize) {
    return Corrupt("Snapshot failed schema validation: its entries do not fill the file");
  }
  const std::uint32_t computed = Crc32c(bytes.subspan(kSnapshotEntriesOffset));
  if (computed != *stored) {
    return Corrupt(fmt::format(
        "Snapshot is corrupt (CRC is no longer valid). Stored crc: {}. Computed crc: {}", *stored,
        computed));
  }
  std::vector<ProducerSnapshotEntry> out(static_cast<std::size_t>(*count));
  for (ProducerSnapshotEntry& e : out) {
    e.producer_id = *r.I64();
    e.epoch = *r.I16();
    e.last_sequence = *r.I32();
    e.last_offset = *r.I64();
    e.offset_delta = *r.I32();
    e.timestamp = *r.I64();
    e.coordinator_epoch = *r.I32();
    e.current_txn_first_offset = *r.I64();
  }
  return out;
}

void LoadSnapshotEntries(const std::vector<ProducerSnapshotEntry>& entries,
                         ProducerStateManager& state) {
  for (const ProducerSnapshotEntry& e : entries) {
    ProducerStateEntry entry;
    entry.producer_id = e.producer_id;
    entry.producer_epoch = e.epoch;
    if (e.last_offset >= 0 && e.offset_delta >= 0) {
      // BatchMetadata(lastSeq, lastOffset, offsetDelta, timestamp).
      ProducerBatchMetadata batch;
      batch.last_sequence = e.last_sequence;
      batch.first_sequence = DecrementSequence(e.last_sequence, e.offset_delta);
      batch.last_offset = e.last_offset;
      batch.first_offset = e.last_offset - e.offset_delta;
      batch.timestamp = e.timestamp;
      entry.batches.push_back(batch);
    }
    state.Restore(std::move(entry));
  }
}

std::string ProducerSnapshotLine(const ProducerSnapshotEntry& e) {
  const std::string txn = e.current_txn_first_offset < 0
                              ? "OptionalLong.empty"
                              : fmt::format("OptionalLong[{}]", e.current_txn_first_offset);
  std::string line = fmt::format(
      "producerId: {} producerEpoch: {} coordinatorEpoch: {} currentTxnFirstOffset: "
      "{} lastTimestamp: {} ",
      e.producer_id, e.epoch, e.coordinator_epoch, txn, e.timestamp);
  if (e.last_offset >= 0) {
    line += fmt::format(
        "firstSequence: {} lastSequence: {} lastOffset: {} offsetDelta: {} timestamp: {}",
        DecrementSequence(e.last_sequence, e.offset_delta), e.last_sequence, e.last_offset,
        e.offset_delta, e.timestamp);
  }
  return line;
}

}  // namespace kafkasim::storage
