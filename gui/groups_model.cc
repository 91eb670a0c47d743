// Consumer group view-models: partition rows with lag, coordinator badges.
#include "gui/groups_model.h"

#include <fmt/format.h>

#include "engine/assert.h"

namespace kafkasim::gui {
namespace {

// The high watermark of the leader's log of topic-partition, or -1.
std::int64_t LeaderHighWatermark(const view::WorldView& world, const std::string& topic,
                                 std::int32_t partition) {
  for (const view::TopicView& t : world.topics) {
    if (t.name != topic) continue;
    for (const view::PartitionView& p : t.partitions) {
      if (p.partition != partition || p.leader < 0) continue;
      for (const view::ReplicaLogView& log : p.logs) {
        if (log.broker_id == p.leader && log.online) return log.high_watermark;
      }
    }
  }
  return -1;
}

}  // namespace

std::vector<GroupPartitionRow> GroupPartitionRows(const view::GroupView& group,
                                                  const view::WorldView& world) {
  std::map<std::pair<std::string, std::int32_t>, GroupPartitionRow> rows;
  const auto row = [&rows](const std::string& topic, std::int32_t partition) -> auto& {
    GroupPartitionRow& r = rows[{topic, partition}];
    r.topic = topic;
    r.partition = partition;
    r.name = fmt::format("{}-{}", topic, partition);
    return r;
  };
  // "cities-0" splits at its last '-' (topic names may hold '-').
  const auto split = [](const std::string& name) {
    const auto dash = name.rfind('-');
    KSIM_ASSERT(dash != std::string::npos);
    return std::pair(name.substr(0, dash), std::stoi(name.substr(dash + 1)));
  };
  for (const view::GroupMemberView& m : group.members) {
    for (const auto* list : {&m.assigned, &m.revoking}) {
      for (const std::string& name : *list) {
        const auto [topic, partition] = split(name);
        GroupPartitionRow& r = row(topic, partition);
        r.member_id = m.member_id;
        r.client_id = m.client_id;
        r.revoking = list == &m.revoking;
      }
    }
  }
  for (const view::GroupOffsetView& o : group.offsets)
    row(o.topic, o.partition).committed = o.committed;
  std::vector<GroupPartitionRow> out;
  for (auto& [key, r] : rows) {
    r.log_end = LeaderHighWatermark(world, r.topic, r.partition);
    if (r.log_end >= 0 && r.committed >= 0) r.lag = r.log_end - r.committed;
    out.push_back(std::move(r));
  }
  return out;
}

std::map<int, std::vector<std::string>> CoordinatedGroups(const view::WorldView& world) {
  std::map<int, std::vector<std::string>> by_broker;
  for (const view::GroupView& g : world.groups) {
    if (g.coordinator >= 0) by_broker[g.coordinator].push_back(g.group_id);
  }
  return by_broker;
}

std::string CoordinatorBadge(const std::vector<std::string>& groups) {
  if (groups.empty()) return "";
  if (groups.size() > kBadgeGroupsMax)
    return fmt::format("coordinator of {} groups", groups.size());
  std::string text = "coordinator of ";
  for (std::size_t i = 0; i < groups.size(); ++i) text += (i == 0 ? "" : ", ") + groups[i];
  return text;
}

}  // namespace kafkasim::gui
