// Text dumps of Kafka's files in kafka-dump-log.sh's voice: .log batches (and their records
// with deep_iteration, keys and payloads too with print_data_log), .index, .timeindex and the
// checkpoint files. Pure functions over bytes, so the CLI and the fuzzers share them.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace kafkasim::storage {

struct DumpResult {
  std::string text;   // what to print on stdout
  std::string error;  // "" or "<name>: <what> at byte <n>" for damaged input
};

// Picks the format from the file name: *.log, *.index, *.timeindex, leader-epoch-checkpoint,
// partition.metadata, meta.properties, or an offset checkpoint (anything else).
// DumpLogSegments: --deep-iteration prints every record of a batch (decompressing a compressed
// one) after its batch line; --print-data-log implies it and adds each key and payload.
DumpResult DumpFile(const std::string& name, std::span<const std::uint8_t> bytes,
                    bool print_data_log, bool deep_iteration = false);

DumpResult DumpLogSegment(const std::string& name, std::span<const std::uint8_t> bytes,
                          bool print_data_log, bool deep_iteration = false);
DumpResult DumpOffsetIndex(const std::string& name, std::span<const std::uint8_t> bytes);
DumpResult DumpTimeIndex(const std::string& name, std::span<const std::uint8_t> bytes);
DumpResult DumpCheckpoint(const std::string& name, std::span<const std::uint8_t> bytes);

}  // namespace kafkasim::storage
