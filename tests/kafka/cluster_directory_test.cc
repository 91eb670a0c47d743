// ClusterDirectory: node ids to engine indexes and back, answered from vectors, as the map says.
#include "kafka/cluster_directory.h"

#include <doctest/doctest.h>

namespace kafkasim::kafka {
namespace {

TEST_CASE("the directory finds nodes by id and ids by node as its map holds them") {
  ClusterDirectory d;
  d.Add(1, 4);
  d.Add(3, 5);
  d.Add(3001, 0);   // a controller
  d.Add(70000, 7);  // above the ids kept in a vector: found in the map
  d.Add(2147483647, 9);
  CHECK(d.NodeFor(1) == 4);
  CHECK(d.NodeFor(3) == 5);
  CHECK(d.NodeFor(3001) == 0);
  CHECK(d.NodeFor(70000) == 7);
  CHECK(d.NodeFor(2147483647) == 9);
  CHECK(d.NodeFor(2) == kNoNode);     // a gap below the largest small id
  CHECK(d.NodeFor(4000) == kNoNode);  // past the vector
  CHECK(d.NodeFor(-1) == kNoNode);
  CHECK(d.IdFor(4) == 1);
  CHECK(d.IdFor(5) == 3);
  CHECK(d.IdFor(0) == 3001);
  CHECK(d.IdFor(7) == 70000);
  CHECK(d.IdFor(9) == 2147483647);
  CHECK(d.IdFor(1) == -1);  // a node without an id (a client)
  CHECK(d.IdFor(100) == -1);
  CHECK(d.IdFor(kNoNode) == -1);
  // Every answer is the map's.
  for (const auto& [id, node] : d.node_of_id()) {
    CHECK(d.NodeFor(id) == node);
    CHECK(d.IdFor(node) == id);
  }
}

}  // namespace
}  // namespace kafkasim::kafka
