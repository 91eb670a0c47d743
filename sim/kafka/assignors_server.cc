// Kafka's server-side uniform and range assignors; see assignors_server.h.
#include "kafka/assignors_server.h"

#include <algorithm>
#include <map>
#include <set>

#include "engine/assert.h"

namespace kafkasim::kafka {
namespace {

using TopicSet = std::set<std::string>;

// The topics of `member` that exist.
TopicSet Subscribed(const ServerAssignorMember& member, const PartitionCounts& partitions) {
  TopicSet out;
  for (const std::string& t : member.topics) {
    if (const auto it = partitions.find(t); it != partitions.end() && it->second > 0) out.insert(t);
  }
  return out;
}

// UniformHomogeneousAssignmentBuilder.build over `members` sharing the topics `topics`: each
// member keeps up to its quota of its previous partitions (ascending, as Java iterates a small
// HashSet<Integer>), in member order the first (total % members) get one more; what is left is
// handed out in member order to the members below quota.
void UniformHomogeneous(const std::vector<const ServerAssignorMember*>& members,
                        const TopicSet& topics, const PartitionCounts& partitions,
                        GroupAssignment& out) {
  if (members.empty() || topics.empty()) return;
  std::set<TopicPartition> assigned;  // groupSpec.isPartitionAssigned
  for (const ServerAssignorMember* m : members) {
    for (const TopicPartition& tp : m->target) {
      if (topics.contains(tp.topic)) assigned.insert(tp);
    }
  }
  std::vector<TopicPartition> unassigned;
  std::int32_t total = 0;
  for (const std::string& topic : topics) {
    const std::int32_t n = partitions.at(topic);
    for (std::int32_t p = 0; p < n; ++p) {
      if (!assigned.contains({topic, p})) unassigned.push_back({topic, p});
    }
    total += n;
  }
  const auto count = static_cast<std::int32_t>(members.size());
  const std::int32_t minimum_quota = total / count;
  std::int32_t extra = total % count;
  std::vector<std::pair<const ServerAssignorMember*, std::int32_t>> unfilled;
  for (const ServerAssignorMember* m : members) {
    std::int32_t quota = minimum_quota;
    if (extra > 0) {
      ++quota;
      --extra;
    }
    std::map<std::string, std::vector<std::int32_t>> old;
    for (const TopicPartition& tp : m->target) old[tp.topic].push_back(tp.partition);
    std::vector<TopicPartition>& mine = out[m->member_id];
    for (auto& [topic, list] : old) {
      if (!topics.contains(topic)) continue;  // unsubscribed: dropped
      std::sort(list.begin(), list.end());
      for (std::int32_t p : list) {
        if (quota > 0) {
          --quota;
          mine.push_back({topic, p});
        } else {
          unassigned.push_back({topic, p});
        }
      }
    }
    if (quota > 0) unfilled.emplace_back(m, quota);
  }
  std::size_t next = 0;
  for (const auto& [member, quota] : unfilled) {
    std::vector<TopicPartition>& mine = out[member->member_id];
    for (std::int32_t i = 0; i < quota && next < unassigned.size(); ++i) {
      mine.push_back(unassigned[next++]);
    }
  }
  KSIM_ASSERT_EQ(next, unassigned.size());  // "Partitions were left unassigned"
}

// RangeAssignor.assign for one topic: members keep the lowest of their previous partitions up
// to the minimum quota (plus one while extras remain), then the unassigned partitions are
// handed out in ascending ranges to the members still short.
void RangeTopic(const std::vector<const ServerAssignorMember*>& members, const std::string& topic,
                std::int32_t partition_count, GroupAssignment& out) {
  const auto count = static_cast<std::int32_t>(members.size());
  const std::int32_t minimum_quota = partition_count / count;
  std::int32_t with_extra = partition_count % count;
  std::set<std::int32_t> sticky;
  std::vector<std::pair<const ServerAssignorMember*, std::int32_t>> potentially_unfilled;
  for (const ServerAssignorMember* m : members) {
    std::vector<std::int32_t> current;
    for (const TopicPartition& tp : m->target) {
      if (tp.topic == topic) current.push_back(tp.partition);
    }
    std::sort(current.begin(), current.end());
    const auto size = static_cast<std::int32_t>(current.size());
    std::vector<TopicPartition>& mine = out[m->member_id];
    for (std::int32_t i = 0; i < std::min(size, minimum_quota); ++i) {
      sticky.insert(current[static_cast<std::size_t>(i)]);
      mine.push_back({topic, current[static_cast<std::size_t>(i)]});
    }
    const std::int32_t remaining = minimum_quota - size;
    if (remaining < 0 && with_extra > 0) {
      --with_extra;
      const std::int32_t p = current[static_cast<std::size_t>(minimum_quota)];
      sticky.insert(p);
      mine.push_back({topic, p});
    } else {
      potentially_unfilled.emplace_back(m, remaining);
    }
  }
  std::vector<std::int32_t> unassigned;
  for (std::int32_t p = 0; p < partition_count; ++p) {
    if (!sticky.contains(p)) unassigned.push_back(p);
  }
  std::size_t next = 0;
  for (auto [member, remaining] : potentially_unfilled) {
    if (with_extra > 0) {
      ++remaining;
      --with_extra;
    }
    for (std::int32_t i = 0; i < remaining; ++i) {
      KSIM_ASSERT(next < unassigned.size());
      out[member->member_id].push_back({topic, unassigned[next++]});
    }
  }
}

}  // namespace

std::string_view ServerAssignorName(ServerAssignorKind kind) {
  return kind == ServerAssignorKind::kUniform ? "uniform" : "range";
}

std::optional<ServerAssignorKind> ServerAssignorByName(std::string_view name) {
  if (name == "uniform") return ServerAssignorKind::kUniform;
  if (name == "range") return ServerAssignorKind::kRange;
  return std::nullopt;
}

GroupAssignment ServerAssign(ServerAssignorKind kind,
                             const std::vector<ServerAssignorMember>& members,
                             const PartitionCounts& partitions) {
  GroupAssignment out;
  for (const ServerAssignorMember& m : members) out[m.member_id];
  // Members by topic (RangeAssignor.membersPerTopic); for uniform, members grouped by equal
  // subscriptions, each group assigned homogeneously (Kafka uses its heterogeneous builder when
  // subscriptions differ; the simulator's consumers subscribe to one topic each).
  if (kind == ServerAssignorKind::kRange) {
    std::map<std::string, std::vector<const ServerAssignorMember*>> per_topic;
    for (const ServerAssignorMember& m : members) {
      for (const std::string& t : Subscribed(m, partitions)) per_topic[t].push_back(&m);
    }
    for (const auto& [topic, subscribed] : per_topic) {
      RangeTopic(subscribed, topic, partitions.at(topic), out);
    }
  } else {
    std::map<TopicSet, std::vector<const ServerAssignorMember*>> by_subscription;
    for (const ServerAssignorMember& m : members) {
      by_subscription[Subscribed(m, partitions)].push_back(&m);
    }
    for (const auto& [topics, group] : by_subscription) {
      UniformHomogeneous(group, topics, partitions, out);
    }
  }
  for (auto& [member, list] : out) std::sort(list.begin(), list.end());
  return out;
}

}  // namespace kafkasim::kafka
