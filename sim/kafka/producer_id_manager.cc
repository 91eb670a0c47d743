// The broker's producer id manager; see producer_id_manager.h.
#include "kafka/producer_id_manager.h"

#include <fmt/format.h>

#include "engine/assert.h"
#include "kafka/trace_kinds.h"

namespace kafkasim::kafka {
namespace {

// RPCProducerIdManager.PID_PREFETCH_THRESHOLD: at 90% of a block the next one is requested.
constexpr double kPrefetchThreshold = 0.90;
// RPCProducerIdManager.RETRY_BACKOFF_MS after a failed AllocateProducerIds.
constexpr std::int64_t kAllocateRetryBackoffMs = 50;

}  // namespace

ProducerIdManager::ProducerIdManager(BrokerIo& io, std::int32_t node_id,
                                     std::int64_t request_timeout_ms,
                                     const ControllerChannel& channel)
    : io_(io), node_id_(node_id), request_timeout_ms_(request_timeout_ms), channel_(channel) {}

void ProducerIdManager::HandleInitProducerId(NodeIndex from, const InitProducerIdRequest& request) {
  InitProducerIdResponse response;
  response.correlation_id = request.correlation_id;
  // TransactionCoordinator.handleInitProducerId without a transactional.id: always a new
  // producer id at epoch 0.
  const std::optional<std::int64_t> id = ClaimProducerId();
  if (id) {
    response.producer_id = *id;
    response.producer_epoch = 0;
    io_.Probe("producer_id.assigned");
    io_.Emit(trace_kind::kProducerIdAssigned,
             fmt::format("gave {} producer id {} at epoch 0", io_.env().simulation().NodeName(from),
                         *id),
             {{"producer_id", *id}});
  } else {
    // Kafka answers COORDINATOR_LOAD_IN_PROGRESS (retriable) rather than blocking while the
    // next block is on its way.
    response.error = Errc::kCoordinatorLoadInProgress;
  }
  io_.Reply(from, response);
}

std::optional<std::int64_t> ProducerIdManager::ClaimProducerId() {
  // RPCProducerIdManager.generateProducerId.
  for (int iteration = 0; iteration < 2; ++iteration) {
    Block& block = block_;
    if (!block.exhausted()) {
      const std::int64_t id = block.next++;
      const auto prefetch_at =
          block.first + static_cast<std::int64_t>(block.size * kPrefetchThreshold);
      if (id == prefetch_at) MaybeRequestBlock();
      KSIM_ASSERT(id >= block.first && id < block.first + block.size);
      return id;
    }
    if (!next_block_) break;
    block_ = *next_block_;
    next_block_.reset();
  }
  MaybeRequestBlock();
  return std::nullopt;
}

void ProducerIdManager::MaybeRequestBlock() {
  if (request_in_flight_ || next_block_) return;
  if (io_.Now() < retry_after_ || broker_epoch_ < 0) return;
  request_in_flight_ = true;
  request_sent_to_ = -1;
  RetryBlockRequest();
}

void ProducerIdManager::RetryBlockRequest() {
  // The broker-to-controller channel: sent to the active controller, re-sent when it changes
  // or after request.timeout.ms (NodeToControllerRequestThread).
  if (!request_in_flight_) return;
  const std::int32_t controller = channel_.ActiveControllerId();
  if (controller < 0 || broker_epoch_ < 0) return;
  const Duration timeout = Milliseconds(request_timeout_ms_);
  if (request_sent_to_ == controller && io_.Now() - request_sent_at_ < timeout) return;
  request_sent_to_ = controller;
  request_sent_at_ = io_.Now();
  io_.SendTo(controller, AllocateProducerIdsRequest{node_id_, broker_epoch_});
}

void ProducerIdManager::OnAllocateProducerIdsResponse(const AllocateProducerIdsResponse& response) {
  if (!request_in_flight_) return;
  if (response.error == Errc::kNotController) {
    request_sent_to_ = -1;  // the heartbeat timer tries the next one
    return;
  }
  request_in_flight_ = false;
  // handleAllocateProducerIdsResponse / sanityCheckResponse: a block must come after ours.
  const bool valid = response.error == Errc::kNone && response.producer_id_start >= 0 &&
                     response.producer_id_len > 0 &&
                     response.producer_id_start >= block_.first + block_.size;
  if (!valid) {
    retry_after_ = io_.Now() + Milliseconds(kAllocateRetryBackoffMs);
    io_.Emit(trace_kind::kProducerIdBlockFailed,
             fmt::format("could not get a block of producer ids: {}", ErrcName(response.error)));
    return;
  }
  next_block_ =
      Block{response.producer_id_start, response.producer_id_len, response.producer_id_start};
  io_.Emit(
      trace_kind::kProducerIdBlock,
      fmt::format("received producer ids {}..{} from the controller", response.producer_id_start,
                  response.producer_id_start + response.producer_id_len - 1),
      {{"first_producer_id", response.producer_id_start}});
}

}  // namespace kafkasim::kafka
