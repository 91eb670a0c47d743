// Text dumps of Kafka's files in kafka-dump-log.sh's voice: .log batches (and their records
// with deep_iteration, keys and payloads too with print_data_log), .index, .timeindex and the
// checkpoint files. Pure functions over bytes, so the CLI and the fuzzers share them.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/record_batch.h"

namespace kafkasim::storage {

// What a --*-decoder makes of one record (DumpLogSegments.MessageParser's ParseResult): the
// texts printed after " key: " and " payload: ", each left out when nullopt.
struct ParsedRecord {
  std::optional<std::string> key;
  std::optional<std::string> payload;
};
// Decodes one record at `offset`. Must not throw or crash on any bytes: a record it cannot
// decode gives a line saying so.
using RecordParser = std::function<ParsedRecord(const Record& record, std::int64_t offset)>;

struct DumpOptions {
  // DumpLogSegments: --deep-iteration prints every record of a batch (decompressing a
  // compressed one) after its batch line; --print-data-log implies it and adds each key and
  // payload.
  bool print_data_log = false;
  bool deep_iteration = false;
  // A decoder (e.g. --offsets-decoder, kafka/offsets_decoder.h): implies print_data_log and
  // prints its key and payload texts instead of the raw bytes. Not owned; may be null.
  const RecordParser* parser = nullptr;
  // DumpLogSegments' --max-bytes: a .log is read only as far as the batches that start within
  // this many bytes (Kafka's default Integer.MAX_VALUE reads the whole file).
  std::uint64_t max_bytes = 2147483647;
  // Lines printed per file before the dump stops with a note; 0 prints everything. (Ours:
  // Kafka has no cap, but a 2 GiB segment of small batches is tens of millions of lines.)
  std::uint64_t max_lines = 0;
  // Receives the text as it is produced (the CLI streams it to stdout); when empty the text
  // is collected in DumpResult::text.
  std::function<void(std::string_view)> sink;
};

struct DumpResult {
  std::string text;   // what was printed, when DumpOptions::sink is empty
  std::string error;  // "" or "<name>: <what>" for damaged input
  // The error came before anything of the file's kind could be read (a first batch, entry or
  // header line): the file is not what its name says, rather than a damaged one of its kind.
  bool not_this_kind = false;
  bool truncated = false;   // stopped at max_lines
  std::uint64_t lines = 0;  // lines produced, the "Dumping" line included
};

// Picks the format from the file name: *.log, *.index, *.timeindex, leader-epoch-checkpoint,
// partition.metadata, meta.properties, or an offset checkpoint (anything else).
DumpResult DumpFile(const std::string& name, std::span<const std::uint8_t> bytes,
                    const DumpOptions& options);
DumpResult DumpFile(const std::string& name, std::span<const std::uint8_t> bytes,
                    bool print_data_log, bool deep_iteration = false);

// DumpLogSegments' --files: a comma-separated list ("a.log,b.log"), empty names skipped.
std::vector<std::string> SplitFilesOption(std::string_view list);

// A KRaft snapshot's name, <end offset, 20 digits>-<epoch, 10 digits>.checkpoint
// (Snapshots.parse): its end offset and epoch; nullopt for other names.
std::optional<std::pair<std::int64_t, std::int32_t>> SnapshotIdOf(const std::string& base);

// What a file of this name holds, for messages: "log segment", "offset index", ...
std::string DumpKindName(const std::string& name);

}  // namespace kafkasim::storage
