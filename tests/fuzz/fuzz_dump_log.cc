// libFuzzer target: dump-log's parsers (segments, indexes, checkpoint files) on any bytes. The
// first byte picks the file kind; the rest is the file.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "storage/log_dump.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const char* kNames[] = {
      "00000000000000000042.log",       "00000000000000000042.index",
      "00000000000000000042.timeindex", "cities-0/leader-epoch-checkpoint",
      "cities-0/partition.metadata",    "meta.properties",
      "replication-offset-checkpoint"};
  const std::string name = kNames[data[0] % 7];
  const std::span<const std::uint8_t> bytes(data + 1, size - 1);
  auto result =
      kafkasim::storage::DumpFile(name, bytes, (data[0] & 0x80) != 0, (data[0] & 0x40) != 0);
  if (result.text.empty()) __builtin_trap();  // every dump starts with "Dumping <name>"
  return 0;
}
