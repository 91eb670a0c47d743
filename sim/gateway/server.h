// `kafkasim serve`: one Boost.Asio listener per simulated broker (port base + node.id - 1) in
// front of a GatewayCore, with the simulation advanced in step with the wall clock. The only
// file in sim/ that includes Asio; it reads no clock itself (the caller passes one in), so
// sim/ stays free of wall-clock reads.
#pragma once

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

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
  // Asked between loop turns: true ends the serve (SIGINT, SIGTERM).
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

// Serves until stop_requested() holds. An error (a port in use, a bad --bind) returns before
// anything is served, naming the address.
Status Serve(scenario::Runner& runner, const ServeOptions& options);

}  // namespace kafkasim::gateway
