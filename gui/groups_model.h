// View-models of consumer groups: each group's partitions with their owner, committed offset
// and lag, and which broker coordinates which groups (the badges on the cluster map). Plain
// code, no ImGui.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "scenario/world_view.h"

namespace kafkasim::gui {

struct GroupPartitionRow {
  std::string name;  // "cities-0"
  std::string topic;
  std::int32_t partition = 0;
  std::string member_id;  // the owner, "" when no member holds it
  std::string client_id;
  bool revoking = false;        // KIP-848: the owner still has to give it up
  std::int64_t committed = -1;  // -1: nothing committed
  // LOG-END-OFFSET as kafka-consumer-groups.sh prints it: the leader's high watermark (what a
  // read_uncommitted consumer can reach); -1 while the partition has no running leader.
  std::int64_t log_end = -1;
  std::int64_t lag = -1;  // log_end - committed, -1 when either is unknown
};

// The partitions a group owns or has committed offsets for, by topic then partition.
std::vector<GroupPartitionRow> GroupPartitionRows(const view::GroupView& group,
                                                  const view::WorldView& world);

// node.id of a broker -> the ids of the groups it coordinates, in id order.
std::map<int, std::vector<std::string>> CoordinatedGroups(const view::WorldView& world);
// The badge under a coordinator on the map: "coordinator of g1", "coordinator of g1, g2",
// "coordinator of 4 groups" when more than kBadgeGroupsMax.
constexpr std::size_t kBadgeGroupsMax = 2;
std::string CoordinatorBadge(const std::vector<std::string>& groups);

}  // namespace kafkasim::gui
