// libFuzzer target: the record batch v2 decoder (compressed batches included) must reject or
// decode any bytes without reading out of bounds or allocating without bound, whatever it
// decodes must encode back to the same records, and the leader's LogValidator must refuse or
// accept any client bytes cleanly.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "storage/log_validator.h"
#include "storage/record_batch.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace storage = kafkasim::storage;
  const std::span<const std::uint8_t> bytes(data, size);
  (void)storage::SplitBatches(bytes);
  auto batches = storage::DecodeBatches(bytes);
  auto one = storage::DecodeBatch(bytes);
  if (one.ok()) {
    // A decoded batch re-encodes to bytes that decode to the same batch (not always the same
    // bytes: the input may use over-long varints).
    const storage::Bytes again = storage::EncodeBatch(*one);
    auto twice = storage::DecodeBatch(again);
    if (!twice.ok() || twice->records != one->records) __builtin_trap();
    auto header = one->header;
    header.batch_length = twice->header.batch_length;
    header.crc = twice->header.crc;
    if (!(header == twice->header)) __builtin_trap();
  }
  (void)batches;
  // The codecs straight on hostile bytes (a batch's CRC would keep most mutations away).
  if (size > 0) {
    const auto codec = static_cast<storage::CompressionType>(data[0] % 5);
    auto plain = storage::Decompress(codec, bytes.subspan(1), 1 << 20);
    if (plain.ok() && plain->size() > (1 << 20)) __builtin_trap();
  }
  // As a client's produce request: in place, and rebuilt with another codec.
  for (auto target : {std::optional<storage::CompressionType>(),
                      std::optional(storage::CompressionType::kGzip)}) {
    storage::Bytes batch(bytes.begin(), bytes.end());
    storage::LogValidatorConfig config;
    config.target_compression = target;
    auto validated = storage::ValidateMessagesAndAssignOffsets(batch, 42, 3, 1000, config);
    if (validated.ok() && !storage::DecodeBatch(batch).ok()) __builtin_trap();
  }
  return 0;
}
