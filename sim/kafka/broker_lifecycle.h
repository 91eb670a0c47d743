// A KRaft broker's life with the active controller (BrokerLifecycleManager): register with a
// new incarnation id, heartbeat every broker.heartbeat.interval.ms, get unfenced once caught
// up with the metadata log, and controlled shutdown. It tells its host what happened through
// return values; it never calls back.
#pragma once

#include <cstdint>
#include <string>

#include "engine/status.h"
#include "kafka/broker_seams.h"
#include "kafka/metadata_image.h"

namespace kafkasim::kafka {

class BrokerLifecycleManager {
 public:
  // Timer tags; the host routes them here.
  enum TimerTag : std::uint64_t { kTimerRegister = 50, kTimerHeartbeat = 51 };
  static bool IsLifecycleTimer(std::uint64_t tag) {
    return tag == kTimerRegister || tag == kTimerHeartbeat;
  }

  struct Settings {
    std::int32_t node_id = 0;
    std::string rack;
    // What the registration tells the controller (RegisterBrokerRecord): the advertised
    // listener, the supported feature ranges and the log dir's directory.id.
    std::vector<BrokerEndpoint> listeners;
    std::vector<BrokerFeature> features;
    std::vector<Uuid> log_dirs;
    std::int64_t broker_heartbeat_interval_ms = 2000;
    std::int64_t broker_session_timeout_ms = 9000;
  };
  // What a step changed, for the host to act on.
  struct Outcome {
    bool epoch_changed = false;      // registered, or lost the registration
    bool shutdown_complete = false;  // the controller let the broker go: stop now
  };

  BrokerLifecycleManager(BrokerIo& io, Settings settings, const ControllerChannel& channel);

  void Start(const Uuid& incarnation_id);
  // The directory.id of each log dir, read from meta.properties before Start.
  void SetLogDirs(std::vector<Uuid> log_dirs) { settings_.log_dirs = std::move(log_dirs); }
  Outcome OnTimer(std::uint64_t tag);
  Outcome OnRegistrationResponse(const BrokerRegistrationResponse& response);
  Outcome OnHeartbeatResponse(const BrokerHeartbeatResponse& response);
  // After the metadata moved: true once it holds this incarnation's own registration, from
  // when on partition state may be applied (see the .cc for why).
  bool OnMetadataApplied(const MetadataImage& image);
  // Controlled shutdown: true when the broker should stop at once (never registered).
  bool BeginControlledShutdown();

  std::int64_t broker_epoch() const { return broker_epoch_; }
  bool registered() const { return broker_epoch_ >= 0; }
  bool fenced() const { return fenced_; }
  bool in_controlled_shutdown() const { return shutting_down_; }
  bool caught_up() const { return metadata_caught_up_; }

 private:
  void SendRegistration();
  void SendHeartbeat();

  BrokerIo& io_;
  Settings settings_;
  const ControllerChannel& channel_;
  Uuid incarnation_id_;  // new for every process start
  std::int64_t broker_epoch_ = -1;
  std::int64_t metadata_offset_ = -1;
  bool fenced_ = true;
  bool metadata_caught_up_ = false;
  Errc last_registration_error_ = Errc::kNone;
  bool shutting_down_ = false;
};

}  // namespace kafkasim::kafka
