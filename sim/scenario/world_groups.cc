// kafka-consumer-groups.sh over the running group coordinators, printed as Kafka 4.0's
// ConsumerGroupCommand prints (tools/.../consumer/group/ConsumerGroupCommand.java: printOffsets,
// printMembers, printStates; "%-Ns" columns at least 15 wide, each line starting "\n").
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "kafka/consumer_protocol.h"
#include "kafka/group_coordinator_host.h"
#include "scenario/world.h"

namespace kafkasim::scenario {

using kafka::TopicPartition;

namespace {

constexpr std::string_view kMissing = "-";  // MISSING_COLUMN_VALUE

std::string Pad(std::string_view s, std::size_t width) {
  std::string out(s);
  if (out.size() < width) out.append(width - out.size(), ' ');
  return out;
}

std::vector<TopicPartition> AssignmentOf(const kafka::ClassicGroupMember& member) {
  Result<std::vector<TopicPartition>> decoded = kafka::DecodeAssignment(member.assignment);
  if (!decoded.ok()) return {};
  std::sort(decoded->begin(), decoded->end());
  return *decoded;
}

}  // namespace

const kafka::ClassicGroup* World::FindGroup(const std::string& group_id,
                                            std::int32_t* coordinator) {
  for (NodeIndex n : servers_) {
    kafka::KafkaNode* server = Server(n);
    if (server == nullptr || server->broker() == nullptr) continue;
    for (const auto& [partition, c] : server->broker()->groups().coordinators()) {
      if (const kafka::ClassicGroup* g = c->group(group_id)) {
        if (coordinator != nullptr) *coordinator = server->config().node_id;
        return g;
      }
    }
  }
  return nullptr;
}

CommandOutput World::DescribeGroups(const ConsumerGroupsCommand& command) {
  using Describe = ConsumerGroupsCommand::Describe;
  if (command.action == ConsumerGroupsCommand::Action::kList) {
    // ListGroups goes to every broker; the tool prints the ids, one a line.
    std::set<std::string> ids;
    for (NodeIndex n : servers_) {
      kafka::KafkaNode* server = Server(n);
      if (server == nullptr || server->broker() == nullptr) continue;
      for (const auto& [partition, c] : server->broker()->groups().coordinators()) {
        for (const auto& [id, g] : c->groups()) ids.insert(id);
      }
    }
    std::string text;
    for (const std::string& id : ids) text += (text.empty() ? "" : "\n") + id;
    return CommandOutput{true, text};
  }
  std::string text;
  bool ok = true;
  for (const std::string& group_id : command.groups) {
    std::int32_t coordinator = -1;
    const kafka::ClassicGroup* g = FindGroup(group_id, &coordinator);
    if (g == nullptr || g->state == kafka::GroupState::kDead) {
      text += "\nError: Consumer group '" + group_id + "' does not exist.";
      ok = false;
      continue;
    }
    if (g->state == kafka::GroupState::kEmpty) {
      text += "\nConsumer group '" + group_id + "' has no active members.";
    } else if (g->state != kafka::GroupState::kStable) {
      text += "\nWarning: Consumer group '" + group_id + "' is rebalancing.";
    }
    const std::vector<std::string> order = g->MemberOrder();
    if (command.describe == Describe::kState) {
      const std::string coord =
          fmt::format("localhost:{}  ({})", 9092 + coordinator - 1, coordinator);
      const std::size_t w = std::max<std::size_t>(25, coord.size());
      text += "\n" + Pad("GROUP", w) + " " + Pad("COORDINATOR (ID)", 25) + " " +
              Pad("ASSIGNMENT-STRATEGY", 20) + " " + Pad("STATE", 15) + " #MEMBERS";
      text += "\n" + Pad(group_id, w) + " " + Pad(coord, 25) + " " +
              Pad(g->protocol_name.value_or(""), 20) + " " +
              Pad(kafka::GroupStateName(g->state), 15) + " " + std::to_string(g->members.size());
      continue;
    }
    if (command.describe == Describe::kMembers) {
      if (g->members.empty()) continue;
      std::size_t wg = 15, wc = 15, wh = 15, wl = 15;
      for (const auto& [id, m] : g->members) {
        wg = std::max(wg, group_id.size());
        wc = std::max(wc, id.size());
        wh = std::max(wh, m.client_host.size());
        wl = std::max(wl, m.client_id.size());
      }
      text += "\n" + Pad("GROUP", wg) + " " + Pad("CONSUMER-ID", wc) + " " + Pad("HOST", wh) + " " +
              Pad("CLIENT-ID", wl) + " " + Pad("#PARTITIONS", 15) + " " +
              (command.verbose ? "ASSIGNMENT" : "");
      for (const std::string& id : order) {
        const kafka::ClassicGroupMember& m = g->members.at(id);
        const std::vector<TopicPartition> assigned = AssignmentOf(m);
        std::string line = "\n" + Pad(group_id, wg) + " " + Pad(id, wc) + " " +
                           Pad(m.client_host, wh) + " " + Pad(m.client_id, wl) + " " +
                           Pad(std::to_string(assigned.size()), 15) + " ";
        if (command.verbose) {
          std::string parts;
          for (const TopicPartition& tp : assigned) {
            parts += (parts.empty() ? "" : ",") + std::to_string(tp.partition);
          }
          line += assigned.empty() ? std::string(kMissing) : assigned[0].topic + "(" + parts + ")";
        }
        text += line;
      }
      continue;
    }
    // Offsets: each member's partitions (sorted by partition), then committed partitions no
    // member owns, with "-" for the consumer.
    struct Row {
      TopicPartition tp;
      std::string consumer{kMissing}, host{kMissing}, client{kMissing};
    };
    std::vector<Row> rows;
    std::set<TopicPartition> owned;
    for (const std::string& id : order) {
      const kafka::ClassicGroupMember& m = g->members.at(id);
      for (const TopicPartition& tp : AssignmentOf(m)) {
        rows.push_back({tp, id, m.client_host, m.client_id});
        owned.insert(tp);
      }
    }
    for (const auto& [tp, committed] : g->offsets) {
      if (!owned.contains(tp)) rows.push_back({tp});
    }
    if (rows.empty()) continue;
    std::size_t wg = 15, wt = 15, wc = 15, wh = 15;
    for (const Row& r : rows) {
      wg = std::max(wg, group_id.size());
      wt = std::max(wt, r.tp.topic.size());
      wc = std::max(wc, r.consumer.size());
      wh = std::max(wh, r.host.size());
    }
    text += "\n" + Pad("GROUP", wg) + " " + Pad("TOPIC", wt) + " " + Pad("PARTITION", 10) + " " +
            Pad("CURRENT-OFFSET", 15) + " " + Pad("LOG-END-OFFSET", 15) + " " + Pad("LAG", 15) +
            " " + Pad("CONSUMER-ID", wc) + " " + Pad("HOST", wh) + " CLIENT-ID";
    for (const Row& r : rows) {
      const auto committed = g->offsets.find(r.tp);
      const std::int64_t current = committed == g->offsets.end() ? -1 : committed->second.offset;
      // LOG-END-OFFSET: ListOffsets latest, the leader's high watermark (read_uncommitted).
      const kafka::ReplicaLog* log = LeaderLog(PartitionRef{r.tp.topic, r.tp.partition});
      const std::int64_t end = log == nullptr ? -1 : log->high_watermark();
      const std::string current_text =
          current < 0 ? std::string(kMissing) : fmt::format("{}", current);
      const std::string end_text = end < 0 ? std::string(kMissing) : fmt::format("{}", end);
      const std::string lag =
          current < 0 || end < 0 ? std::string(kMissing) : fmt::format("{}", end - current);
      text += "\n" + Pad(group_id, wg) + " " + Pad(r.tp.topic, wt) + " " +
              Pad(std::to_string(r.tp.partition), 10) + " " + Pad(current_text, 15) + " " +
              Pad(end_text, 15) + " " + Pad(lag, 15) + " " + Pad(r.consumer, wc) + " " +
              Pad(r.host, wh) + " " + r.client;
    }
  }
  return CommandOutput{ok, text};
}

}  // namespace kafkasim::scenario
