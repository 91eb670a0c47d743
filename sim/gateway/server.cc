// The gateway's sockets, for `kafkasim serve` and `kafkasim-gui --listen`; see server.h.
#include "gateway/server.h"

#include <fmt/format.h>

#include <array>
#include <boost/asio.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <vector>

#include "engine/assert.h"

namespace kafkasim::gateway {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct Connection {
  explicit Connection(tcp::socket s) : socket(std::move(s)) {}
  tcp::socket socket;
  std::uint64_t id = 0;
  std::int32_t broker_id = 0;
  std::string peer;
  std::array<std::uint8_t, 4> size_bytes{};
  std::vector<std::uint8_t> body;
  std::deque<std::vector<std::uint8_t>> writes;
  std::size_t queued_bytes = 0;
  bool writing = false;
  bool reading = false;
  bool closed = false;
};
using ConnectionPtr = std::shared_ptr<Connection>;

// The most events `kafkasim serve` runs per turn, and per Stop's call while it finishes an
// instant.
constexpr std::uint64_t kEventsPerTurn = 200'000;

}  // namespace

class Listener::Impl {
 public:
  Impl(scenario::Runner& runner, const ServeOptions& options) : runner_(runner), options_(options) {
    GatewayOptions core_options;
    core_options.advertised_host = options.advertised_host;
    if (core_options.advertised_host.empty()) {
      const bool wildcard = options.bind_address == "0.0.0.0" || options.bind_address == "::";
      core_options.advertised_host = wildcard ? "127.0.0.1" : options.bind_address;
    }
    core_options.port_base = options.port_base;
    core_ = std::make_unique<GatewayCore>(
        runner.world(), core_options,
        [this](std::uint64_t id, std::vector<std::uint8_t> frame) { Write(id, std::move(frame)); },
        options.on_input);
  }

  Status Listen() {
    boost::system::error_code ec;
    const asio::ip::address address = asio::ip::make_address(options_.bind_address, ec);
    if (ec) {
      return Status(Errc::kInvalidArgument,
                    fmt::format("[gateway.E020] --bind '{}': not an IP address ({})",
                                options_.bind_address, ec.message()));
    }
    std::string ports;
    for (std::int32_t broker : core_->broker_ids()) {
      const int port = core_->PortOf(broker);
      if (port <= 0 || port > 65535) {
        return Status(Errc::kInvalidArgument,
                      fmt::format("[gateway.E021] broker-{} would listen on port {}, outside "
                                  "1-65535: choose another --port-base",
                                  broker, port));
      }
      auto acceptor = std::make_unique<tcp::acceptor>(io_);
      const tcp::endpoint endpoint(address, static_cast<std::uint16_t>(port));
      acceptor->open(endpoint.protocol(), ec);
      if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
      if (!ec) acceptor->bind(endpoint, ec);
      if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
      if (ec) {
        return Status(Errc::kIoError,
                      fmt::format("[gateway.E022] broker-{}: cannot listen on "
                                  "{}:{}: {}",
                                  broker, options_.bind_address, port, ec.message()));
      }
      ports += fmt::format("{}broker-{}={}:{}", ports.empty() ? "" : " ", broker,
                           options_.bind_address, port);
      acceptors_.push_back(std::move(acceptor));
      Accept(acceptors_.size() - 1, broker);
    }
    if (options_.on_listening) options_.on_listening(ports);
    return Status::Ok();
  }

  void Begin() {
    wall_start_ = options_.wall_ns();
    virtual_start_ = runner_.world().sim().Now();
  }

  void Turn(std::int64_t wait_ms, std::uint64_t events_max) {
    io_.restart();
    if (wait_ms > 0) {
      io_.run_for(std::chrono::milliseconds(wait_ms));
    } else {
      io_.poll();
    }
    Simulation& sim = runner_.world().sim();
    const double elapsed = static_cast<double>(options_.wall_ns() - wall_start_) * options_.speed;
    // Never behind now: a command the GUI applied between turns may have run to a nanosecond
    // past the wall clock's target.
    const Time target =
        std::max(virtual_start_ + Duration{static_cast<std::int64_t>(elapsed)}, sim.Now());
    // Frames enter only once the world has reached the target time, so that each enters at
    // a time where every earlier event has run: a replay that advances to that time and
    // then injects the frame re-executes the same order.
    if (!runner_.AdvanceTo(target, events_max)) return;
    // Frames wait (unread further, unanswered) until the scenario's topics exist: a client
    // started with the servers meets the cluster its scenario describes, not a topic its own
    // Metadata request auto-created with one partition.
    const bool setup_done = arrived_.empty() || runner_.SetupDone();
    if (!setup_done && !told_setup_wait_) {
      Log("requests wait until the scenario's declared topics are created");
      told_setup_wait_ = true;
    }
    while (setup_done && !arrived_.empty()) {
      auto [connection, frame] = std::move(arrived_.front());
      arrived_.pop_front();
      Deliver(connection, frame);
    }
    for (auto it = connections_.begin(); it != connections_.end();) {
      ConnectionPtr c = (it++)->second;  // Close erases it
      if (core_->Reachability(c->broker_id) == BrokerReachability::kRefuses) {
        Close(c, fmt::format("broker-{} is not running (killed or stopped): connection reset",
                             c->broker_id));
      } else {
        MaybeRead(c);
      }
    }
  }

  void Stop() {
    // End on a whole instant (a turn may have stopped midway through one), so the recording's
    // end time replays to the same point.
    Simulation& sim = runner_.world().sim();
    while (!runner_.AdvanceTo(sim.Now(), kEventsPerTurn)) {
    }
    for (auto it = connections_.begin(); it != connections_.end();) {
      ConnectionPtr c = (it++)->second;
      Close(c, "the gateway stops");
    }
    for (auto& acceptor : acceptors_) {
      boost::system::error_code ignored;
      acceptor->close(ignored);
    }
  }

  std::vector<ConnectionInfo> Connections() const {
    std::vector<ConnectionInfo> out;
    for (const auto& [id, c] : connections_) {
      if (c->closed) continue;
      out.push_back(ConnectionInfo{id, c->broker_id, c->peer, core_->ClientIdOf(id)});
    }
    return out;
  }

 private:
  void Log(const std::string& line) {
    if (options_.log != nullptr) *options_.log << "gateway: " << line << std::endl;
  }

  void Accept(std::size_t index, std::int32_t broker) {
    acceptors_[index]->async_accept(
        [this, index, broker](boost::system::error_code ec, tcp::socket socket) {
          if (!ec) {
            auto c = std::make_shared<Connection>(std::move(socket));
            c->id = next_id_++;
            c->broker_id = broker;
            boost::system::error_code peer_ec;
            const tcp::endpoint peer = c->socket.remote_endpoint(peer_ec);
            c->peer = peer_ec ? "?" : fmt::format("{}:{}", peer.address().to_string(), peer.port());
            connections_[c->id] = c;
            if (core_->Reachability(broker) == BrokerReachability::kRefuses) {
              Close(c, fmt::format("broker-{} is not running (killed or stopped)", broker));
            } else {
              MaybeRead(c);
            }
          }
          if (ec != asio::error::operation_aborted) Accept(index, broker);
        });
  }

  void MaybeRead(const ConnectionPtr& c) {
    // One request at a time per connection, as Kafka mutes a channel while it serves one.
    if (c->closed || c->reading || core_->Outstanding(c->id) > 0) return;
    c->reading = true;
    asio::async_read(c->socket, asio::buffer(c->size_bytes),
                     [this, c](boost::system::error_code ec, std::size_t) {
                       if (ec) return Close(c, "", ec);
                       const std::uint32_t size = (std::uint32_t{c->size_bytes[0]} << 24) |
                                                  (std::uint32_t{c->size_bytes[1]} << 16) |
                                                  (std::uint32_t{c->size_bytes[2]} << 8) |
                                                  std::uint32_t{c->size_bytes[3]};
                       if (size > static_cast<std::uint32_t>(kSocketRequestMaxBytes)) {
                         return Close(c, fmt::format("[gateway.E004] a frame of {} bytes is "
                                                     "larger than socket.request.max.bytes ({})",
                                                     size, kSocketRequestMaxBytes));
                       }
                       c->body.resize(size);
                       asio::async_read(c->socket, asio::buffer(c->body),
                                        [this, c](boost::system::error_code ec2, std::size_t) {
                                          if (ec2) return Close(c, "", ec2);
                                          arrived_.emplace_back(c->id, std::move(c->body));
                                          c->body.clear();
                                        });
                     });
  }

  void Deliver(std::uint64_t id, const std::vector<std::uint8_t>& frame) {
    const auto it = connections_.find(id);
    if (it == connections_.end()) return;
    ConnectionPtr c = it->second;
    c->reading = false;
    switch (core_->Reachability(c->broker_id)) {
      case BrokerReachability::kRefuses:
        return Close(c, fmt::format("broker-{} is not running: connection reset", c->broker_id));
      case BrokerReachability::kSilent:
        return;  // a machine without power: the bytes go nowhere, no answer ever comes
      case BrokerReachability::kUp:
        break;
    }
    const std::string refused = core_->OnFrame(c->id, c->broker_id, frame);
    if (!refused.empty()) return Close(c, refused);
    MaybeRead(c);
  }

  void Write(std::uint64_t id, std::vector<std::uint8_t> frame) {
    const auto it = connections_.find(id);
    if (it == connections_.end()) return;
    ConnectionPtr c = it->second;
    c->queued_bytes += frame.size();
    c->writes.push_back(std::move(frame));
    if (c->queued_bytes > kWriteQueueBytesMax) {
      return Close(c, fmt::format("more than {} response bytes wait to be written: the client "
                                  "does not read",
                                  kWriteQueueBytesMax));
    }
    DoWrite(c);
  }

  void DoWrite(const ConnectionPtr& c) {
    if (c->closed || c->writing || c->writes.empty()) return;
    c->writing = true;
    asio::async_write(c->socket, asio::buffer(c->writes.front()),
                      [this, c](boost::system::error_code ec, std::size_t) {
                        c->writing = false;
                        if (ec) return Close(c, "", ec);
                        c->queued_bytes -= c->writes.front().size();
                        c->writes.pop_front();
                        DoWrite(c);
                      });
  }

  void Close(const ConnectionPtr& c, const std::string& why, boost::system::error_code ec = {}) {
    if (c->closed) return;
    c->closed = true;
    if (!why.empty()) {
      Log(fmt::format("connection {} from {} to broker-{} closed: {}", c->id, c->peer, c->broker_id,
                      why));
    } else if (ec && ec != asio::error::eof && ec != asio::error::operation_aborted) {
      Log(fmt::format("connection {} from {} to broker-{} closed: {}", c->id, c->peer, c->broker_id,
                      ec.message()));
    }
    boost::system::error_code ignored;
    c->socket.shutdown(tcp::socket::shutdown_both, ignored);
    c->socket.close(ignored);
    core_->OnConnectionClosed(c->id);
    connections_.erase(c->id);
  }

  scenario::Runner& runner_;
  const ServeOptions& options_;
  asio::io_context io_;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors_;
  std::map<std::uint64_t, ConnectionPtr> connections_;
  std::deque<std::pair<std::uint64_t, std::vector<std::uint8_t>>> arrived_;
  std::uint64_t next_id_ = 1;
  bool told_setup_wait_ = false;
  std::unique_ptr<GatewayCore> core_;
  std::int64_t wall_start_ = 0;
  Time virtual_start_;
};

Listener::Listener(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Listener::~Listener() = default;

Result<std::unique_ptr<Listener>> Listener::Start(scenario::Runner& runner,
                                                  const ServeOptions& options) {
  KSIM_ASSERT(options.wall_ns != nullptr);
  KSIM_ASSERT(options.speed > 0);
  auto impl = std::make_unique<Impl>(runner, options);
  if (Status listening = impl->Listen(); !listening.ok()) return listening;
  impl->Begin();
  return std::unique_ptr<Listener>(new Listener(std::move(impl)));
}

void Listener::Turn(std::int64_t wait_ms, std::uint64_t events_max) {
  impl_->Turn(wait_ms, events_max);
}

void Listener::Stop() { impl_->Stop(); }

std::vector<ConnectionInfo> Listener::Connections() const { return impl_->Connections(); }

Status Serve(scenario::Runner& runner, const ServeOptions& options) {
  KSIM_ASSERT(options.stop_requested != nullptr);
  Result<std::unique_ptr<Listener>> listener = Listener::Start(runner, options);
  if (!listener.ok()) return listener.status();
  while (!options.stop_requested()) (*listener)->Turn(1, kEventsPerTurn);
  (*listener)->Stop();
  return Status::Ok();
}

}  // namespace kafkasim::gateway
