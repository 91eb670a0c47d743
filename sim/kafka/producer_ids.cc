// The broker's producer id manager (RPCProducerIdManager in Kafka's transaction coordinator):
// InitProducerId from an idempotent producer is answered from a block of ids the active
// controller allocated through the metadata log (AllocateProducerIds, KIP-730), so ids are
// unique across brokers and controller failovers without any id written on the broker.
#include <fmt/format.h>

#include "engine/assert.h"
#include "kafka/kafka_server.h"

namespace kafkasim::kafka {
namespace {

// RPCProducerIdManager.PID_PREFETCH_THRESHOLD: at 90% of a block the next one is requested.
constexpr double kPrefetchThreshold = 0.90;
// RPCProducerIdManager.RETRY_BACKOFF_MS after a failed AllocateProducerIds.
constexpr std::int64_t kAllocateRetryBackoffMs = 50;

}  // namespace

void KafkaServer::HandleInitProducerId(const Message& message,
                                       const InitProducerIdRequest& request) {
  InitProducerIdResponse response;
  response.correlation_id = request.correlation_id;
  // TransactionCoordinator.handleInitProducerId without a transactional.id: always a new
  // producer id at epoch 0.
  const std::optional<std::int64_t> id = ClaimProducerId();
  if (id) {
    response.producer_id = *id;
    response.producer_epoch = 0;
    env_.Probe("producer_id.assigned");
    Emit("producer_id.assigned",
         fmt::format("gave {} producer id {} at epoch 0", env_.simulation().NodeName(message.from),
                     *id),
         {{"producer_id", *id}});
  } else {
    // Kafka answers COORDINATOR_LOAD_IN_PROGRESS (retriable) rather than blocking while the
    // next block is on its way.
    response.error = Errc::kCoordinatorLoadInProgress;
  }
  Reply(message.from, response);
}

std::optional<std::int64_t> KafkaServer::ClaimProducerId() {
  // RPCProducerIdManager.generateProducerId.
  for (int iteration = 0; iteration < 2; ++iteration) {
    ProducerIdBlock& block = producer_id_block_;
    if (!block.exhausted()) {
      const std::int64_t id = block.next++;
      const auto prefetch_at =
          block.first + static_cast<std::int64_t>(block.size * kPrefetchThreshold);
      if (id == prefetch_at) MaybeRequestProducerIdBlock();
      KSIM_ASSERT(id >= block.first && id < block.first + block.size);
      return id;
    }
    if (!next_producer_id_block_) break;
    producer_id_block_ = *next_producer_id_block_;
    next_producer_id_block_.reset();
  }
  MaybeRequestProducerIdBlock();
  return std::nullopt;
}

void KafkaServer::MaybeRequestProducerIdBlock() {
  if (producer_id_request_in_flight_ || next_producer_id_block_) return;
  if (env_.Now() < producer_id_retry_after_ || broker_epoch_ < 0) return;
  producer_id_request_in_flight_ = true;
  producer_id_request_sent_to_ = raft::kNoNodeId;
  RetryProducerIdBlockRequest();
}

void KafkaServer::RetryProducerIdBlockRequest() {
  // The broker-to-controller channel: sent to the active controller, re-sent when it changes
  // or after request.timeout.ms (NodeToControllerRequestThread).
  if (!producer_id_request_in_flight_) return;
  const raft::NodeId controller = raft_->leader_id();
  if (controller == raft::kNoNodeId || broker_epoch_ < 0) return;
  const Duration timeout = Milliseconds(config_.broker_settings.request_timeout_ms);
  if (producer_id_request_sent_to_ == controller &&
      env_.Now() - producer_id_request_sent_at_ < timeout) {
    return;
  }
  producer_id_request_sent_to_ = controller;
  producer_id_request_sent_at_ = env_.Now();
  SendTo(controller, AllocateProducerIdsRequest{config_.node_id, broker_epoch_});
}

void KafkaServer::OnAllocateProducerIdsResponse(const AllocateProducerIdsResponse& response) {
  if (!producer_id_request_in_flight_) return;
  if (response.error == Errc::kNotController) {
    producer_id_request_sent_to_ = raft::kNoNodeId;  // the heartbeat timer tries the next one
    return;
  }
  producer_id_request_in_flight_ = false;
  // handleAllocateProducerIdsResponse / sanityCheckResponse: a block must come after ours.
  const bool valid =
      response.error == Errc::kNone && response.producer_id_start >= 0 &&
      response.producer_id_len > 0 &&
      response.producer_id_start >= producer_id_block_.first + producer_id_block_.size;
  if (!valid) {
    producer_id_retry_after_ = env_.Now() + Milliseconds(kAllocateRetryBackoffMs);
    Emit("producer_id.block_failed",
         fmt::format("could not get a block of producer ids: {}", ErrcName(response.error)));
    return;
  }
  next_producer_id_block_ = ProducerIdBlock{response.producer_id_start, response.producer_id_len,
                                            response.producer_id_start};
  Emit("producer_id.block",
       fmt::format("received producer ids {}..{} from the controller", response.producer_id_start,
                   response.producer_id_start + response.producer_id_len - 1),
       {{"first_producer_id", response.producer_id_start}});
}

}  // namespace kafkasim::kafka
