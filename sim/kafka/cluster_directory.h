// Who is who in a simulated cluster: Kafka node ids to engine node indexes. Built once by the
// runner and shared read-only by every node.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/message.h"
#include "kafka/metadata_records.h"

namespace kafkasim::kafka {

struct ClusterDirectory {
  std::vector<std::int32_t> voter_ids;  // controller.quorum.voters
  std::vector<BrokerId> broker_ids;
  std::string cluster_id;  // meta.properties cluster.id

  // Registers a broker or controller node.id (kept in the map and both vectors below).
  void Add(std::int32_t id, NodeIndex node) {
    node_of_id_[id] = node;
    if (id >= 0 && id < kDenseIds) {
      const auto at = static_cast<std::size_t>(id);
      if (dense_.size() <= at) dense_.resize(at + 1, kNoNode);
      dense_[at] = node;
    }
    if (node != kNoNode) {
      if (id_of_node_.size() <= node) id_of_node_.resize(std::size_t{node} + 1, -1);
      std::int32_t& known = id_of_node_[node];
      if (known < 0 || id < known) known = id;  // as a walk of node_of_id finds it: the lowest
    }
  }
  // Every message a node sends goes through this, and the GUI's snapshot once per replica:
  // small ids (every cluster a scenario can declare) are read from a vector.
  NodeIndex NodeFor(std::int32_t id) const {
    if (id >= 0 && static_cast<std::size_t>(id) < dense_.size()) {
      return dense_[static_cast<std::size_t>(id)];
    }
    if (id >= 0 && id < kDenseIds) return kNoNode;
    const auto it = node_of_id_.find(id);
    return it == node_of_id_.end() ? kNoNode : it->second;
  }
  // The node.id of a broker or controller node, or -1 for any other node (a client).
  std::int32_t IdFor(NodeIndex node) const {
    return node < id_of_node_.size() ? id_of_node_[node] : -1;
  }
  const std::map<std::int32_t, NodeIndex>& node_of_id() const { return node_of_id_; }

 private:
  static constexpr std::int32_t kDenseIds = 1 << 16;
  std::map<std::int32_t, NodeIndex> node_of_id_;  // broker and controller node.ids
  std::vector<NodeIndex> dense_;          // node_of_id for ids below kDenseIds, kNoNode where none
  std::vector<std::int32_t> id_of_node_;  // by node index: its lowest node.id, -1 where none
};

}  // namespace kafkasim::kafka
