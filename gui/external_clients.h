// Real clients on the map (kafkasim-gui --listen): the gateway's open connections grouped into
// one client node each. Plain code, no ImGui and no sockets, tested in tests/gui/models_test.cc.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scenario/world_view.h"

namespace kafkasim::gui {

// One TCP connection of a real client to a broker's port, as the gateway reports it.
struct ExternalConnection {
  std::int32_t broker_id = 0;
  std::string peer;       // "127.0.0.1:54321"
  std::string client_id;  // "rdkafka"; "" before its first request
};

// Appends to `world.nodes` one client node per real client: connections with the same
// client.id from the same host are one client (a librdkafka client opens one connection per
// broker). Named "client.id@host" ("rdkafka@127.0.0.1"), or the host alone before the first
// request; in the order the clients first connected. The nodes have no engine index.
void AddExternalClients(view::WorldView& world, const std::vector<ExternalConnection>& connections);

}  // namespace kafkasim::gui
