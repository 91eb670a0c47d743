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
  std::map<std::int32_t, NodeIndex> node_of_id;  // broker and controller node.ids
  std::vector<std::int32_t> voter_ids;           // controller.quorum.voters
  std::vector<BrokerId> broker_ids;
  std::string cluster_id;  // meta.properties cluster.id

  NodeIndex NodeFor(std::int32_t id) const {
    const auto it = node_of_id.find(id);
    return it == node_of_id.end() ? kNoNode : it->second;
  }
  // The node.id of a broker or controller node, or -1 for any other node (a client).
  std::int32_t IdFor(NodeIndex node) const {
    for (const auto& [id, n] : node_of_id) {
      if (n == node) return id;
    }
    return -1;
  }
};

}  // namespace kafkasim::kafka
