// Per-partition state of idempotent producers (Kafka's ProducerStateManager, ProducerStateEntry
// and ProducerAppendInfo in storage/src/main/java/org/apache/kafka/storage/internals/log/): for
// each producer id its epoch and the metadata of its last 5 batches, to spot a retried batch
// that is already in the log and to refuse a batch whose sequence leaves a gap.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include "engine/status.h"
#include "storage/record_batch.h"

namespace kafkasim::storage {

// One appended batch of a producer (Kafka's BatchMetadata).
struct ProducerBatchMetadata {
  std::int32_t first_sequence = kNoSequence;
  std::int32_t last_sequence = kNoSequence;
  std::int64_t first_offset = -1;
  std::int64_t last_offset = -1;
  std::int64_t timestamp = kNoTimestamp;
  bool operator==(const ProducerBatchMetadata&) const = default;
};

// ProducerStateEntry: the producer's epoch and its most recent batches, oldest first.
struct ProducerStateEntry {
  // ProducerStateEntry.NUM_BATCHES_TO_RETAIN: as many as a producer can have in flight
  // (max.in.flight.requests.per.connection <= 5 with idempotence).
  static constexpr std::size_t kBatchesToRetain = 5;

  std::int64_t producer_id = kNoProducerId;
  std::int16_t producer_epoch = kNoProducerEpoch;
  std::deque<ProducerBatchMetadata> batches;

  // kNoSequence when no batch is cached.
  std::int32_t last_sequence() const {
    return batches.empty() ? kNoSequence : batches.back().last_sequence;
  }
  // findDuplicateBatch: a cached batch of the same epoch with exactly this sequence range.
  std::optional<ProducerBatchMetadata> FindDuplicate(std::int16_t epoch,
                                                     std::int32_t first_sequence,
                                                     std::int32_t last_sequence) const;
  // addBatch: a new epoch forgets the old epoch's batches; at most kBatchesToRetain are kept.
  void AddBatch(std::int16_t epoch, const ProducerBatchMetadata& batch);
};

// The idempotent part of one producer's incoming batch, as a leader validates it.
struct ProducerAppend {
  std::int64_t producer_id = kNoProducerId;
  std::int16_t producer_epoch = kNoProducerEpoch;
  std::int32_t first_sequence = kNoSequence;
  std::int32_t last_sequence = kNoSequence;
};

class ProducerStateManager {
 public:
  // A leader's check of a client batch before it is appended (UnifiedLog.
  // analyzeAndValidateProducerState with AppendOrigin.CLIENT, then ProducerAppendInfo):
  //  - a cached batch with the same epoch and sequence range: returns its metadata (the caller
  //    answers with the original offsets and appends nothing);
  //  - an epoch below the producer's: INVALID_PRODUCER_EPOCH;
  //  - a new epoch not starting at sequence 0, or a sequence that does not follow the last
  //    one: OUT_OF_ORDER_SEQUENCE_NUMBER;
  //  - otherwise nullopt: append it. An unknown producer may start at any sequence (its
  //    batches may have been removed by retention; Kafka accepts them since KIP-360).
  // `offset` is where the batch would go, for the error message.
  Result<std::optional<ProducerBatchMetadata>> CheckClientAppend(
      const ProducerAppend& append, std::int64_t offset, const std::string& partition) const;

  // Records an appended batch (leader, follower or log scan). Batches without a producer id are
  // ignored. A follower never refuses: the leader validated it (AppendOrigin.REPLICATION).
  void Update(const BatchHeader& header);

  void Clear() { producers_.clear(); }
  // A producer read back from a snapshot (replaces what was known of it).
  void Restore(ProducerStateEntry entry) {
    const std::int64_t id = entry.producer_id;
    producers_[id] = std::move(entry);
  }
  const ProducerStateEntry* Entry(std::int64_t producer_id) const;
  const std::map<std::int64_t, ProducerStateEntry>& producers() const { return producers_; }

 private:
  std::map<std::int64_t, ProducerStateEntry> producers_;
};

}  // namespace kafkasim::storage
