// `kafkasim serve` and `kafkasim-gui --listen`: one Boost.Asio listener per simulated broker
// (port base + node.id - 1) in front of a GatewayCore, with the simulation advanced in step
// with the wall clock. The only file in sim/ that includes Asio (this header does not); it
// reads no clock itself (the caller passes one in), so sim/ stays free of wall-clock reads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "engine/status.h"
#include "gateway/gateway_core.h"
#include "scenario/runner.h"

namespace kafkasim::gateway {

struct ServeOptions {
  std::string bind_address = "127.0.0.1";
  // The host Metadata names for every broker; "" = the bind address, or 127.0.0.1 when that
  // is the wildcard (0.0.0.0, ::), which no client can connect to.
  std::string advertised_host;
  int port_base = 9092;
  double speed = 1.0;  // virtual seconds per wall-clock second
  // Wall-clock nanoseconds from any fixed origin (a steady clock), read by the serve loop.
  std::function<std::int64_t()> wall_ns;
  // Asked between loop turns: true ends the serve (SIGINT, SIGTERM). Serve only; a Listener's
  // owner decides itself when to stop.
  std::function<bool()> stop_requested;
  std::ostream* log = nullptr;  // connection events, refused frames; may be null
  // Sees every frame as it enters the simulation (kafkasim serve --record).
  std::function<void(const ExternalInput&)> on_input;
  // Called once every listener is bound (the line a test waits for).
  std::function<void(const std::string& what)> on_listening;
};

// Per connection: at most this many response bytes waiting to be written before the
// connection is closed (a client that does not read its answers).
inline constexpr std::size_t kWriteQueueBytesMax = 256u << 20;

// One real client's TCP connection to a broker's port, as the map shows it.
struct ConnectionInfo {
  std::uint64_t id = 0;
  std::int32_t broker_id = 0;
  std::string peer;       // "127.0.0.1:54321"
  std::string client_id;  // from its latest request header; "" before the first one
};

// The gateway started and driven turn by turn by its owner, on the owner's thread: `kafkasim
// serve` turns it in a loop, kafkasim-gui once per frame. Keeps `runner` and `options` by
// reference: both must outlive it, and the runner must not rebuild its world (no rewind).
class Listener {
 public:
  // Binds every broker's port. An error (a port in use, a bad --bind) names the address, and
  // nothing is served.
  static Result<std::unique_ptr<Listener>> Start(scenario::Runner& runner,
                                                 const ServeOptions& options);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // One turn: runs the socket handlers that are ready (waiting at most `wait_ms` for one; 0
  // never blocks), advances the world towards wall time x speed by at most `events_max`
  // events, then lets the frames that arrived enter the simulation.
  void Turn(std::int64_t wait_ms, std::uint64_t events_max);
  // Finishes the current virtual instant and closes every connection. Turn no more after it.
  void Stop();
  // The open connections, oldest first.
  std::vector<ConnectionInfo> Connections() const;

 private:
  class Impl;
  explicit Listener(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Serves until stop_requested() holds. An error (a port in use, a bad --bind) returns before
// anything is served, naming the address.
Status Serve(scenario::Runner& runner, const ServeOptions& options);

}  // namespace kafkasim::gateway
