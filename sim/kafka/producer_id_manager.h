// The broker's producer id manager (RPCProducerIdManager in Kafka's transaction coordinator):
// InitProducerId from an idempotent producer is answered from a block of ids the active
// controller allocated (AllocateProducerIds, KIP-730), so ids are unique across brokers and
// controller failovers without any id written on the broker.
#pragma once

#include <cstdint>
#include <optional>

#include "kafka/broker_seams.h"

namespace kafkasim::kafka {

class ProducerIdManager {
 public:
  ProducerIdManager(BrokerIo& io, std::int32_t node_id, std::int64_t request_timeout_ms,
                    const ControllerChannel& channel);

  void SetBrokerEpoch(std::int64_t epoch) { broker_epoch_ = epoch; }
  void HandleInitProducerId(NodeIndex from, const InitProducerIdRequest& request);
  void OnAllocateProducerIdsResponse(const AllocateProducerIdsResponse& response);
  // Re-sends an unanswered AllocateProducerIds after request.timeout.ms or to a new controller.
  void RetryBlockRequest();

 private:
  // A block of producer ids from the controller; `next` is the next one to hand out.
  struct Block {
    std::int64_t first = 0;
    std::int32_t size = 0;
    std::int64_t next = 0;
    bool exhausted() const { return next >= first + size; }
  };
  std::optional<std::int64_t> ClaimProducerId();
  void MaybeRequestBlock();

  BrokerIo& io_;
  std::int32_t node_id_;
  std::int64_t request_timeout_ms_;
  const ControllerChannel& channel_;
  std::int64_t broker_epoch_ = -1;
  Block block_;                      // empty until the first block
  std::optional<Block> next_block_;  // prefetched
  bool request_in_flight_ = false;
  std::int32_t request_sent_to_ = -1;
  Time request_sent_at_;
  Time retry_after_;  // backoff after a failed AllocateProducerIds
};

}  // namespace kafkasim::kafka
