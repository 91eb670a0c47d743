// Text dumps of Kafka's files in kafka-dump-log.sh's voice: .log batches (and records with
// print_data_log), .index, .timeindex and the checkpoint files. Pure functions over bytes, so
// the CLI and the fuzzers share them.
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
DumpResult DumpFile(const std::string& name, std::span<const std::uint8_t> bytes,
                    bool print_data_log);

DumpResult DumpLogSegment(const std::string& name, std::span<const std::uint8_t> bytes,
                          bool print_data_log);
DumpResult DumpOffsetIndex(const std::string& name, std::span<const std::uint8_t> bytes);
DumpResult DumpTimeIndex(const std::string& name, std::span<const std::uint8_t> bytes);
DumpResult DumpCheckpoint(const std::string& name, std::span<const std::uint8_t> bytes);

}  // namespace kafkasim::storage
