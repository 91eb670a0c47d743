// Broker lifecycle against the active controller (BrokerLifecycleManager): register, heartbeat,
// get unfenced once caught up with the metadata log, and controlled shutdown.
#include <fmt/format.h>

#include "kafka/kafka_server.h"

namespace kafkasim::kafka {

void KafkaServer::SendRegistration() {
  const raft::NodeId controller = raft_->leader_id();
  if (controller == raft::kNoNodeId || shutting_down_) {
    // No known active controller yet: retry with backoff 100 ms x 2^n, capped at the session
    // timeout (BrokerLifecycleManager).
    const std::int64_t backoff =
        std::min<std::int64_t>(100LL << std::min(registration_attempts_, 6),
                               config_.controller_config.broker_session_timeout_ms);
    ++registration_attempts_;
    env_.SetTimer(Milliseconds(backoff), kTimerRegister);
    return;
  }
  registration_in_flight_ = true;
  BrokerRegistrationRequest request;
  request.broker_id = config_.node_id;
  request.rack = config_.rack;
  request.incarnation_id = incarnation_id_;
  SendTo(controller, request);
  env_.SetTimer(Milliseconds(2000), kTimerRegister);  // resend if no answer
}

void KafkaServer::OnRegistrationResponse(const BrokerRegistrationResponse& response) {
  registration_in_flight_ = false;
  if (broker_epoch_ >= 0) return;
  if (response.error != Errc::kNone) {
    // Said once per incarnation and error; the registration is resent every 2 s.
    if (response.error != last_registration_error_) {
      last_registration_error_ = response.error;
      Emit("broker.registration_refused",
           fmt::format("registration refused with {}{}", ErrcName(response.error),
                       response.error == Errc::kDuplicateBrokerRegistration
                           ? ": the controller still holds its previous incarnation's session "
                             "(broker.session.timeout.ms); retrying"
                           : "; retrying"));
    }
    return;
  }
  broker_epoch_ = response.broker_epoch;
  Emit("broker.registered",
       fmt::format("registered with the controller (broker epoch {}); fenced until it catches up "
                   "with the metadata log",
                   broker_epoch_),
       {{"broker_epoch", broker_epoch_}});
  SendHeartbeat();
  env_.SetTimer(Milliseconds(config_.broker_settings.broker_heartbeat_interval_ms),
                kTimerHeartbeat);
}

void KafkaServer::SendHeartbeat() {
  if (broker_epoch_ < 0) return;
  const raft::NodeId controller = raft_->leader_id();
  if (controller == raft::kNoNodeId) return;
  BrokerHeartbeatRequest request;
  request.broker_id = config_.node_id;
  request.broker_epoch = broker_epoch_;
  request.current_metadata_offset = image_.offset();
  request.want_fence = false;
  request.want_shut_down = shutting_down_;
  SendTo(controller, request);
}

void KafkaServer::OnHeartbeatResponse(const BrokerHeartbeatResponse& response) {
  if (response.error == Errc::kStaleBrokerEpoch) {
    // The controller no longer knows this incarnation: register again.
    broker_epoch_ = -1;
    fenced_ = true;
    SendRegistration();
    return;
  }
  if (response.error != Errc::kNone) return;
  if (fenced_ && !response.is_fenced) {
    fenced_ = false;
    Emit("broker.unfenced", "is unfenced: caught up with the metadata log, ready to lead");
  } else if (!fenced_ && response.is_fenced) {
    fenced_ = true;
    Emit("broker.fenced", "learned it was fenced by the controller");
  }
  if (response.should_shut_down && shutting_down_) {
    Emit("broker.shutdown", "controlled shutdown complete: no partitions led, stopping");
    ShutDownLogs();
    env_.simulation().StopNode(env_.self());  // the process exits; its connections close
  }
}

void KafkaServer::BeginControlledShutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  env_.Probe("broker.controlled_shutdown");
  Emit("broker.controlled_shutdown",
       "began controlled shutdown: asking the controller to move its leaderships away");
  if (!config_.broker || broker_epoch_ < 0) {
    if (config_.broker) ShutDownLogs();
    env_.simulation().StopNode(env_.self());
    return;
  }
  SendHeartbeat();
}

void KafkaServer::OnMetadataApplied() {
  if (broker_epoch_ >= 0) {
    const BrokerRegistration* me = image_.Broker(config_.node_id);
    if (me != nullptr && me->epoch == broker_epoch_ && me->fenced != fenced_ && me->fenced) {
      fenced_ = true;
      Emit("broker.fenced", "was fenced by the controller (metadata log)");
    }
    // BrokerServer.startup waits for the metadata to catch up before it publishes partition
    // state to the ReplicaManager: the image must hold this incarnation's own registration.
    // Until then the image replayed from the local metadata log is stale — after a crash it
    // can still name this broker leader of an epoch it can no longer serve — and acting on
    // it would let two different logs grow under one leader epoch.
    if (!metadata_caught_up_ && me != nullptr && me->epoch == broker_epoch_) {
      metadata_caught_up_ = true;
      Emit("broker.caught_up",
           fmt::format("caught up with the metadata log (its registration at offset {}): "
                       "applying partition leadership",
                       broker_epoch_));
    }
  }
  if (metadata_caught_up_) ReconcilePartitions();
}

}  // namespace kafkasim::kafka
