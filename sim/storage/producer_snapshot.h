// Producer-state snapshots: the <offset>.snapshot files Kafka writes into a partition's
// directory at every segment roll and at a clean shutdown, and reads back on recovery so that
// only the log after the snapshot has to be scanned (ProducerStateManager.writeSnapshot and
// readSnapshot; the layout is storage/src/main/resources/message/ProducerSnapshot.json,
// version 1): int16 version, uint32 CRC-32C of everything after the CRC, int32 entry count,
// then per producer id: producerId int64, epoch int16, lastSequence int32, lastOffset int64,
// offsetDelta int32, timestamp int64, coordinatorEpoch int32, currentTxnFirstOffset int64.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"
#include "storage/producer_state.h"

namespace kafkasim::storage {

struct ProducerSnapshotEntry {
  std::int64_t producer_id = kNoProducerId;
  std::int16_t epoch = -1;
  std::int32_t last_sequence = kNoSequence;
  std::int64_t last_offset = -1;
  std::int32_t offset_delta = 0;  // last offset - first offset of the producer's last batch
  std::int64_t timestamp = -1;
  std::int32_t coordinator_epoch = -1;         // transactions are not simulated
  std::int64_t current_txn_first_offset = -1;  // none
  bool operator==(const ProducerSnapshotEntry&) const = default;
};

// "00000000000000000005.snapshot" (LogFileUtils.producerSnapshotFile).
std::string ProducerSnapshotFileName(std::int64_t offset);
// The offset a snapshot file name carries; nullopt for any other name.
std::optional<std::int64_t> ProducerSnapshotOffset(std::string_view name);

// Each producer's last batch, as writeSnapshot keeps it.
std::vector<ProducerSnapshotEntry> SnapshotEntries(const ProducerStateManager& state);
std::vector<std::uint8_t> EncodeProducerSnapshot(const std::vector<ProducerSnapshotEntry>& entries);
// kCorruption with Kafka's messages: an unknown version, a short file, a CRC that does not
// match ("Snapshot is corrupt (CRC is no longer valid). Stored crc: 1. Computed crc: 2").
Result<std::vector<ProducerSnapshotEntry>> DecodeProducerSnapshot(
    std::span<const std::uint8_t> bytes);
// Back into a producer state (readSnapshot's ProducerStateEntry with its one batch).
void LoadSnapshotEntries(const std::vector<ProducerSnapshotEntry>& entries,
                         ProducerStateManager& state);

// DumpLogSegments.dumpProducerIdSnapshot's line for one entry.
std::string ProducerSnapshotLine(const ProducerSnapshotEntry& entry);

}  // namespace kafkasim::storage
