// libFuzzer target: dump-log's parsers (segments, indexes, checkpoint files, quorum-state, the
// __consumer_offsets and cluster metadata decoders, control records) on any bytes. The first
// byte picks the file kind (low 3 bits), whether records are printed (0x80, 0x40), a line cap
// (0x20), a decoder (0x10: --offsets-decoder, or with 0x08 --cluster-metadata-decoder) and,
// with 0x08, a metadata snapshot's name for kind 0; the rest is the file.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "kafka/metadata_records.h"
#include "kafka/offsets_decoder.h"
#include "raft/raft_types.h"
#include "storage/log_dump.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const char* kNames[] = {
      "00000000000000000042.log",       "00000000000000000042.index",
      "00000000000000000042.timeindex", "cities-0/leader-epoch-checkpoint",
      "cities-0/partition.metadata",    "meta.properties",
      "replication-offset-checkpoint",  "__cluster_metadata-0/quorum-state"};
  const std::size_t kind = data[0] & 0x07;
  const std::span<const std::uint8_t> bytes(data + 1, size - 1);
  if (kind == 7) {
    auto state = kafkasim::raft::DumpQuorumState(
        std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    if (state.ok() && state->empty()) __builtin_trap();
    return 0;
  }
  kafkasim::storage::DumpOptions options;
  options.print_data_log = (data[0] & 0x80) != 0;
  options.deep_iteration = (data[0] & 0x40) != 0;
  options.max_lines = (data[0] & 0x20) != 0 ? 3 : 0;
  static const kafkasim::storage::RecordParser kOffsets = kafkasim::kafka::OffsetsRecordParser();
  static const kafkasim::storage::RecordParser kMetadata =
      kafkasim::kafka::ClusterMetadataRecordParser();
  const bool metadata = (data[0] & 0x08) != 0;
  if ((data[0] & 0x10) != 0) options.parser = metadata ? &kMetadata : &kOffsets;
  const std::string name = metadata && kind == 0
                               ? "__cluster_metadata-0/00000000000000000042-0000000001.checkpoint"
                               : kNames[kind];
  auto result = kafkasim::storage::DumpFile(name, bytes, options);
  // Every dump starts with "Dumping <name>", and a cap is kept.
  if (result.text.rfind("Dumping ", 0) != 0) __builtin_trap();
  if (options.max_lines != 0 && result.lines > options.max_lines) __builtin_trap();
  return 0;
}
