// libFuzzer target: the record batch v2 decoder must reject or decode any bytes without reading
// out of bounds, and whatever it decodes must encode back to the same bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

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
  return 0;
}
