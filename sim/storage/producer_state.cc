// ProducerStateManager: duplicate detection and sequence checks for idempotent producers
// (ProducerStateEntry.java, ProducerAppendInfo.java).
#include "storage/producer_state.h"

#include <string>

#include "engine/assert.h"

namespace kafkasim::storage {
namespace {

// ProducerAppendInfo.inSequence: the next sequence, wrapping from INT32_MAX to 0.
bool InSequence(std::int32_t last_sequence, std::int32_t next_sequence) {
  return static_cast<std::int64_t>(next_sequence) == static_cast<std::int64_t>(last_sequence) + 1 ||
         (next_sequence == 0 && last_sequence == INT32_MAX);
}

}  // namespace

std::optional<ProducerBatchMetadata> ProducerStateEntry::FindDuplicate(
    std::int16_t epoch, std::int32_t first_sequence, std::int32_t last_sequence) const {
  if (epoch != producer_epoch) return std::nullopt;
  for (const ProducerBatchMetadata& b : batches) {
    if (b.first_sequence == first_sequence && b.last_sequence == last_sequence) return b;
  }
  return std::nullopt;
}

void ProducerStateEntry::AddBatch(std::int16_t epoch, const ProducerBatchMetadata& batch) {
  KSIM_ASSERT_LE(batch.first_offset, batch.last_offset);
  if (epoch != producer_epoch) {
    batches.clear();
    producer_epoch = epoch;
  }
  if (batches.size() == kBatchesToRetain) batches.pop_front();
  batches.push_back(batch);
  KSIM_ASSERT_LE(batches.size(), kBatchesToRetain);
}

Result<std::optional<ProducerBatchMetadata>> ProducerStateManager::CheckClientAppend(
    const ProducerAppend& append, std::int64_t offset, const std::string& partition) const {
  KSIM_ASSERT(append.producer_id >= 0);
  const ProducerStateEntry* entry = Entry(append.producer_id);
  if (entry == nullptr) return std::optional<ProducerBatchMetadata>();
  if (auto duplicate = entry->FindDuplicate(append.producer_epoch, append.first_sequence,
                                            append.last_sequence)) {
    return duplicate;
  }
  const std::string who = "producer " + std::to_string(append.producer_id) + " at offset " +
                          std::to_string(offset) + " in partition " + partition;
  // checkProducerEpoch: since Kafka 2.7 a client gets INVALID_PRODUCER_EPOCH (not the fatal
  // PRODUCER_FENCED) for an epoch older than the last one seen.
  if (append.producer_epoch < entry->producer_epoch) {
    return Status(Errc::kInvalidProducerEpoch, "Epoch of " + who + " is " +
                                                   std::to_string(append.producer_epoch) +
                                                   ", which is smaller than the last seen epoch " +
                                                   std::to_string(entry->producer_epoch));
  }
  // checkSequence.
  if (append.producer_epoch != entry->producer_epoch) {
    if (append.first_sequence != 0 && entry->producer_epoch != kNoProducerEpoch) {
      return Status(Errc::kOutOfOrderSequenceNumber,
                    "Invalid sequence number for new epoch of " + who + ": " +
                        std::to_string(append.producer_epoch) + " (request epoch), " +
                        std::to_string(append.first_sequence) + " (seq. number), " +
                        std::to_string(entry->producer_epoch) + " (current producer epoch)");
    }
  } else if (!InSequence(entry->last_sequence(), append.first_sequence)) {
    return Status(Errc::kOutOfOrderSequenceNumber,
                  "Out of order sequence number for " + who + ": " +
                      std::to_string(append.first_sequence) + " (incoming seq. number), " +
                      std::to_string(entry->last_sequence()) + " (current end sequence number)");
  }
  return std::optional<ProducerBatchMetadata>();
}

void ProducerStateManager::Update(const BatchHeader& header) {
  if (header.producer_id == kNoProducerId || header.is_control()) return;
  ProducerStateEntry& entry = producers_[header.producer_id];
  entry.producer_id = header.producer_id;
  // A replicated batch of an older epoch is kept as Kafka does (it only logs a warning).
  entry.AddBatch(
      header.producer_epoch,
      ProducerBatchMetadata{header.base_sequence, header.last_sequence(), header.base_offset,
                            header.last_offset(), header.max_timestamp});
}

const ProducerStateEntry* ProducerStateManager::Entry(std::int64_t producer_id) const {
  const auto it = producers_.find(producer_id);
  return it == producers_.end() ? nullptr : &it->second;
}

}  // namespace kafkasim::storage
