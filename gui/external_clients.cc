// Grouping the gateway's connections into client nodes for the map.
#include "gui/external_clients.h"

#include <algorithm>

namespace kafkasim::gui {

void AddExternalClients(view::WorldView& world,
                        const std::vector<ExternalConnection>& connections) {
  const std::size_t first = world.nodes.size();
  for (const ExternalConnection& c : connections) {
    const std::string host = c.peer.substr(0, c.peer.rfind(':'));
    const std::string name = c.client_id.empty() ? host : c.client_id + "@" + host;
    auto it =
        std::find_if(world.nodes.begin() + static_cast<std::ptrdiff_t>(first), world.nodes.end(),
                     [&name](const view::NodeView& n) { return n.name == name; });
    if (it == world.nodes.end()) {
      view::NodeView node;
      node.name = name;
      node.role = view::NodeRole::kClient;
      node.state = NodeState::kRunning;
      world.nodes.push_back(std::move(node));
      it = world.nodes.end() - 1;
    }
    if (std::find(it->external_brokers.begin(), it->external_brokers.end(), c.broker_id) ==
        it->external_brokers.end()) {
      it->external_brokers.push_back(c.broker_id);
    }
    it->external_connections.push_back(c.peer + " -> broker-" + std::to_string(c.broker_id));
  }
}

}  // namespace kafkasim::gui
