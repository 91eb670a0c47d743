// A KRaft broker's lifecycle against the active controller; see broker_lifecycle.h.
#include "kafka/broker_lifecycle.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/assert.h"
#include "kafka/trace_kinds.h"

namespace kafkasim::kafka {

BrokerLifecycleManager::BrokerLifecycleManager(BrokerIo& io, Settings settings,
                                               const ControllerChannel& channel)
    : io_(io), settings_(std::move(settings)), channel_(channel) {}

void BrokerLifecycleManager::Start(const Uuid& incarnation_id) {
  incarnation_id_ = incarnation_id;
  io_.env().SetTimer(Milliseconds(10), kTimerRegister);
}

BrokerLifecycleManager::Outcome BrokerLifecycleManager::OnTimer(std::uint64_t tag) {
  KSIM_ASSERT(IsLifecycleTimer(tag));
  if (tag == kTimerRegister) {
    if (broker_epoch_ < 0) SendRegistration();
  } else {
    SendHeartbeat();
    io_.env().SetTimer(Milliseconds(settings_.broker_heartbeat_interval_ms), kTimerHeartbeat);
  }
  return {};
}

void BrokerLifecycleManager::SendRegistration() {
  const std::int32_t controller = channel_.ActiveControllerId();
  if (controller < 0 || shutting_down_) {
    // No known active controller yet. The registration waits in the controller channel,
    // whose NodeToControllerRequestThread.doWork looks for the controller every 100 ms ("No
    // controller provided, retrying after backoff"), so it leaves within 100 ms of the broker
    // learning the leader. (Kafka also times the queued request out after retryTimeoutMs and
    // backs off exponentially; a broker here keeps looking every 100 ms instead.)
    io_.env().SetTimer(Milliseconds(100), kTimerRegister);
    return;
  }
  BrokerRegistrationRequest request;
  request.broker_id = settings_.node_id;
  request.rack = settings_.rack;
  request.incarnation_id = incarnation_id_;
  request.listeners = settings_.listeners;
  request.features = settings_.features;
  request.log_dirs = settings_.log_dirs;
  io_.SendTo(controller, request);
  io_.env().SetTimer(Milliseconds(2000), kTimerRegister);  // resend if no answer
}

BrokerLifecycleManager::Outcome BrokerLifecycleManager::OnRegistrationResponse(
    const BrokerRegistrationResponse& response) {
  if (broker_epoch_ >= 0) return {};
  if (response.error != Errc::kNone) {
    // Said once per incarnation and error; the registration is resent every 2 s.
    if (response.error != last_registration_error_) {
      last_registration_error_ = response.error;
      io_.Emit(trace_kind::kBrokerRegistrationRefused,
               fmt::format("registration refused with {}{}", ErrcName(response.error),
                           response.error == Errc::kDuplicateBrokerRegistration
                               ? ": the controller still holds its previous incarnation's "
                                 "session (broker.session.timeout.ms); retrying"
                               : "; retrying"));
    }
    return {};
  }
  broker_epoch_ = response.broker_epoch;
  io_.Emit(trace_kind::kBrokerRegistered,
           fmt::format("registered with the controller (broker epoch {}); fenced until it "
                       "catches up with the metadata log",
                       broker_epoch_),
           {{"broker_epoch", broker_epoch_}});
  SendHeartbeat();
  io_.env().SetTimer(Milliseconds(settings_.broker_heartbeat_interval_ms), kTimerHeartbeat);
  return Outcome{true, false};
}

void BrokerLifecycleManager::SendHeartbeat() {
  if (broker_epoch_ < 0) return;
  const std::int32_t controller = channel_.ActiveControllerId();
  if (controller < 0) return;
  BrokerHeartbeatRequest request;
  request.broker_id = settings_.node_id;
  request.broker_epoch = broker_epoch_;
  request.current_metadata_offset = metadata_offset_;
  request.want_fence = false;
  request.want_shut_down = shutting_down_;
  io_.SendTo(controller, request);
}

BrokerLifecycleManager::Outcome BrokerLifecycleManager::OnHeartbeatResponse(
    const BrokerHeartbeatResponse& response) {
  if (response.error == Errc::kStaleBrokerEpoch) {
    // The controller no longer knows this incarnation: register again.
    broker_epoch_ = -1;
    fenced_ = true;
    SendRegistration();
    return Outcome{true, false};
  }
  if (response.error != Errc::kNone) return {};
  if (fenced_ && !response.is_fenced) {
    fenced_ = false;
    io_.Emit(trace_kind::kBrokerUnfenced,
             "is unfenced: caught up with the metadata log, ready to lead");
  } else if (!fenced_ && response.is_fenced) {
    fenced_ = true;
    io_.Emit(trace_kind::kBrokerFenced, "learned it was fenced by the controller");
  }
  if (response.should_shut_down && shutting_down_) {
    io_.Emit(trace_kind::kBrokerShutdown,
             "controlled shutdown complete: no partitions led, stopping");
    return Outcome{false, true};
  }
  return {};
}

bool BrokerLifecycleManager::BeginControlledShutdown() {
  if (shutting_down_) return false;
  shutting_down_ = true;
  io_.Probe("broker.controlled_shutdown");
  io_.Emit(trace_kind::kBrokerControlledShutdown,
           "began controlled shutdown: asking the controller to move its leaderships away");
  if (broker_epoch_ < 0) return true;
  SendHeartbeat();
  return false;
}

bool BrokerLifecycleManager::OnMetadataApplied(const MetadataImage& image) {
  metadata_offset_ = image.offset();
  if (broker_epoch_ < 0) return metadata_caught_up_;
  const BrokerRegistration* me = image.Broker(settings_.node_id);
  if (me != nullptr && me->epoch == broker_epoch_ && me->fenced != fenced_ && me->fenced) {
    fenced_ = true;
    io_.Emit(trace_kind::kBrokerFenced, "was fenced by the controller (metadata log)");
  }
  // BrokerServer.startup waits for the metadata to catch up before it publishes partition
  // state to the ReplicaManager: the image must hold this incarnation's own registration.
  // Until then the image replayed from the local metadata log is stale — after a crash it can
  // still name this broker leader of an epoch it can no longer serve — and acting on it would
  // let two different logs grow under one leader epoch.
  if (!metadata_caught_up_ && me != nullptr && me->epoch == broker_epoch_) {
    metadata_caught_up_ = true;
    io_.Emit(trace_kind::kBrokerCaughtUp,
             fmt::format("caught up with the metadata log (its registration at offset {}): "
                         "applying partition leadership",
                         broker_epoch_));
    // Ready to unfence: BrokerLifecycleManager's SetReadyToUnfenceEvent sends the next
    // heartbeat at once rather than a broker.heartbeat.interval.ms later, so a starting broker
    // is unfenced within a round trip of catching up.
    if (fenced_) SendHeartbeat();
  }
  return metadata_caught_up_;
}

}  // namespace kafkasim::kafka
