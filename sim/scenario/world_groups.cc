// kafka-consumer-groups.sh over the running group coordinators, printed as Kafka 4.x's
// ConsumerGroupCommand prints (tools/.../consumer/group/ConsumerGroupCommand.java: printOffsets,
// printMembers and printStates with KIP-1099's epoch columns; "%-Ns" columns at least 15 wide,
// each line starting "\n").
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>

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

// ConsumerGroupCommand.getAssignmentString: "topic:0,1,2", topics sorted and ';'-joined; "-"
// when empty.
std::string AssignmentString(const std::vector<TopicPartition>& partitions) {
  if (partitions.empty()) return std::string(kMissing);
  std::map<std::string, std::vector<std::int32_t>> by_topic;
  for (const TopicPartition& tp : partitions) by_topic[tp.topic].push_back(tp.partition);
  std::string out;
  for (auto& [topic, numbers] : by_topic) {
    std::sort(numbers.begin(), numbers.end());
    out += (out.empty() ? "" : ";") + topic + ":" + fmt::format("{}", fmt::join(numbers, ","));
  }
  return out;
}

std::string EpochText(const std::optional<std::int32_t>& epoch) {
  return epoch ? std::to_string(*epoch) : std::string(kMissing);
}

// What the tool prints of a group, from either protocol's group.
struct GroupView {
  std::string state;
  bool stable = false, empty = false;
  std::string assignor;
  std::size_t member_count = 0;
  // KIP-848 groups only (ConsumerGroupDescription.groupEpoch, targetAssignmentEpoch).
  std::optional<std::int32_t> group_epoch, target_assignment_epoch;
  struct Member {
    std::string id, host, client;
    std::vector<TopicPartition> assigned;
    // KIP-848 only: MemberDescription.memberEpoch and targetAssignment.
    std::optional<std::int32_t> epoch;
    std::vector<TopicPartition> target;
  };
  std::vector<Member> members;  // in the order Kafka lists them
  const std::map<TopicPartition, kafka::CommittedOffset>* offsets = nullptr;
};

GroupView ViewOf(const kafka::ClassicGroup& g) {
  GroupView v;
  v.state = std::string(kafka::GroupStateName(g.state));
  v.stable = g.state == kafka::GroupState::kStable;
  v.empty = g.state == kafka::GroupState::kEmpty;
  v.assignor = g.protocol_name.value_or("");
  v.member_count = g.members.size();
  for (const std::string& id : g.MemberOrder()) {
    const kafka::ClassicGroupMember& m = g.members.at(id);
    v.members.push_back({id, m.client_host, m.client_id, AssignmentOf(m), std::nullopt, {}});
  }
  v.offsets = &g.offsets;
  return v;
}

// ConsumerGroupDescription of a KIP-848 group: the assignment a member holds now (what it
// still has to revoke left out), the group's assignor.
GroupView ViewOf(const kafka::ConsumerGroup& g, kafka::ServerAssignorKind fallback) {
  GroupView v;
  v.state = std::string(kafka::ConsumerGroupStateName(g.State()));
  v.stable = g.State() == kafka::ConsumerGroupState::kStable;
  v.empty = g.State() == kafka::ConsumerGroupState::kEmpty;
  v.assignor = std::string(kafka::ServerAssignorName(g.Assignor(fallback)));
  v.member_count = g.members.size();
  v.group_epoch = g.group_epoch;
  v.target_assignment_epoch = g.target_assignment_epoch;
  for (const auto& [id, m] : g.members) {
    const auto target = g.target_assignment.find(id);
    std::vector<TopicPartition> target_partitions;
    if (target != g.target_assignment.end()) {
      target_partitions.assign(target->second.begin(), target->second.end());
    }
    v.members.push_back({id,
                         m.client_host,
                         m.client_id,
                         {m.assigned.begin(), m.assigned.end()},
                         m.member_epoch,
                         std::move(target_partitions)});
  }
  v.offsets = &g.offsets;
  return v;
}

// printStates (Kafka 4.x, KIP-1099): --verbose adds the group epochs, "-" for a classic group.
std::string StateLines(const std::string& group_id, std::int32_t coordinator, const GroupView& g,
                       bool verbose) {
  const std::string coord = fmt::format("localhost:{}  ({})", 9092 + coordinator - 1, coordinator);
  const std::size_t wc = std::max<std::size_t>(25, coord.size());
  const std::size_t wg = std::max<std::size_t>(15, group_id.size());
  const std::string strategy = g.assignor.empty() ? std::string(kMissing) : g.assignor;
  const auto line = [&](const std::string& group, const std::string& c, const std::string& s,
                        const std::string& state, const std::string& group_epoch,
                        const std::string& target_epoch, const std::string& members) {
    std::string out =
        "\n" + Pad(group, wg) + " " + Pad(c, wc) + " " + Pad(s, 20) + " " + Pad(state, 20) + " ";
    if (verbose) out += Pad(group_epoch, 15) + " " + Pad(target_epoch, 25) + " ";
    return out + members;
  };
  return line("GROUP", "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE", "GROUP-EPOCH",
              "TARGET-ASSIGNMENT-EPOCH", "#MEMBERS") +
         line(group_id, coord, strategy, g.state, EpochText(g.group_epoch),
              EpochText(g.target_assignment_epoch), std::to_string(g.member_count));
}

// printMembers (Kafka 4.x, KIP-1099): the header even without members; --verbose adds each
// member's epoch and assignment and the group's target assignment epoch and its target.
std::string MemberLines(const std::string& group_id, const GroupView& g, bool verbose) {
  std::size_t wg = 15, wc = 15, wh = 15, wl = 15, wa = 20, wt = 20;
  for (const GroupView::Member& m : g.members) {
    wg = std::max(wg, group_id.size());
    wc = std::max(wc, m.id.size());
    wh = std::max(wh, m.host.size());
    wl = std::max(wl, m.client.size());
    wa = std::max(wa, AssignmentString(m.assigned).size());
    wt = std::max(wt, AssignmentString(m.target).size());
  }
  std::string text = "\n" + Pad("GROUP", wg) + " " + Pad("CONSUMER-ID", wc) + " " +
                     Pad("HOST", wh) + " " + Pad("CLIENT-ID", wl) + " " + Pad("#PARTITIONS", 15) +
                     " ";
  if (verbose) {
    text += Pad("CURRENT-EPOCH", 15) + " " + Pad("CURRENT-ASSIGNMENT", wa) + " " +
            Pad("TARGET-EPOCH", 15) + " " + Pad("TARGET-ASSIGNMENT", wt);
  }
  for (const GroupView::Member& m : g.members) {
    text += "\n" + Pad(group_id, wg) + " " + Pad(m.id, wc) + " " + Pad(m.host, wh) + " " +
            Pad(m.client, wl) + " " + Pad(std::to_string(m.assigned.size()), 15) + " ";
    if (verbose) {
      text += Pad(EpochText(m.epoch), 15) + " " + Pad(AssignmentString(m.assigned), wa) + " " +
              Pad(EpochText(g.target_assignment_epoch), 15) + " " +
              Pad(AssignmentString(m.target), wt);
    }
  }
  return text;
}

// The first group `find` returns from the coordinator cores of the running brokers, and in
// `coordinator` the node id of the broker that holds it.
template <typename Find>
auto FirstGroup(World& world, const std::string& group_id, std::int32_t* coordinator, Find find)
    -> decltype(find(std::declval<const kafka::GroupCoordinator&>(), group_id)) {
  for (NodeIndex n : world.servers()) {
    kafka::KafkaNode* server = world.Server(n);
    if (server == nullptr || server->broker() == nullptr) continue;
    for (const auto& [partition, c] : server->broker()->groups().coordinators()) {
      if (const auto* g = find(*c, group_id)) {
        if (coordinator != nullptr) *coordinator = server->config().node_id;
        return g;
      }
    }
  }
  return nullptr;
}

}  // namespace

const kafka::ClassicGroup* World::FindGroup(const std::string& group_id,
                                            std::int32_t* coordinator) {
  return FirstGroup(
      *this, group_id, coordinator,
      [](const kafka::GroupCoordinator& c, const std::string& id) { return c.group(id); });
}

const kafka::ConsumerGroup* World::FindConsumerGroup(const std::string& group_id,
                                                     std::int32_t* coordinator) {
  return FirstGroup(
      *this, group_id, coordinator,
      [](const kafka::GroupCoordinator& c, const std::string& id) { return c.consumer_group(id); });
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
        for (const auto& [id, g] : c->consumer_groups()) ids.insert(id);
      }
    }
    std::string text;
    for (const std::string& id : ids) text += (text.empty() ? "" : "\n") + id;
    return CommandOutput{true, text};
  }
  if (command.action == ConsumerGroupsCommand::Action::kResetOffsets) {
    return ResetGroupOffsets(command);
  }
  std::string text;
  bool ok = true;
  for (const std::string& group_id : command.groups) {
    std::int32_t coordinator = -1;
    GroupView g;
    if (const kafka::ClassicGroup* classic = FindGroup(group_id, &coordinator);
        classic != nullptr && classic->state != kafka::GroupState::kDead) {
      g = ViewOf(*classic);
    } else if (const kafka::ConsumerGroup* consumer = FindConsumerGroup(group_id, &coordinator)) {
      g = ViewOf(*consumer, kafka::ServerAssignorKind::kUniform);
    } else {
      text += "\nError: Consumer group '" + group_id + "' does not exist.";
      ok = false;
      continue;
    }
    if (g.empty) {
      text += "\nConsumer group '" + group_id + "' has no active members.";
    } else if (!g.stable) {
      text += "\nWarning: Consumer group '" + group_id + "' is rebalancing.";
    }
    if (command.describe == Describe::kState) {
      text += StateLines(group_id, coordinator, g, command.verbose);
      continue;
    }
    if (command.describe == Describe::kMembers) {
      text += MemberLines(group_id, g, command.verbose);
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
    for (const GroupView::Member& m : g.members) {
      for (const TopicPartition& tp : m.assigned) {
        rows.push_back({tp, m.id, m.host, m.client});
        owned.insert(tp);
      }
    }
    for (const auto& [tp, committed] : *g.offsets) {
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
      const auto committed = g.offsets->find(r.tp);
      const std::int64_t current = committed == g.offsets->end() ? -1 : committed->second.offset;
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

CommandOutput World::ResetGroupOffsets(const ConsumerGroupsCommand& command) {
  // ConsumerGroupCommand.resetOffsets: only an inactive group (Empty, or unknown: Dead), new
  // offsets from ListOffsets (earliest: log start, latest: high watermark; --to-offset clamped
  // to them), printed by printOffsetsToReset, committed only with --execute.
  std::string text;
  if (!command.dry_run && !command.execute) {
    text +=
        "WARN: No action will be performed as the --execute option is missing. In a future "
        "major release, the default behavior of this command will be to prompt the user "
        "before executing the reset rather than doing a dry run. You should add the "
        "--dry-run option explicitly if you are scripting this command and want to keep the "
        "current default behavior without prompting.";
  }
  bool ok = true;
  std::size_t wg = 15;    // the widest group id in the tool's result map, at least 15
  bool answered = false;  // some group is in that map
  std::vector<std::tuple<std::string, TopicPartition, std::int64_t>> rows;
  for (const std::string& group_id : command.groups) {
    std::string state = "Dead";
    if (const kafka::ClassicGroup* g = FindGroup(group_id); g != nullptr) {
      state = std::string(kafka::GroupStateName(g->state));
    } else if (const kafka::ConsumerGroup* c = FindConsumerGroup(group_id); c != nullptr) {
      state = std::string(kafka::ConsumerGroupStateName(c->State()));
    }
    if (state != "Empty" && state != "Dead") {
      text += "\nError: Assignments can only be reset if the group '" + group_id +
              "' is inactive, but the current state is " + state + ".";
      ok = false;
      answered = true;  // result.put(groupId, emptyMap()): the header still prints
      wg = std::max(wg, group_id.size());
      continue;
    }
    std::vector<kafka::OffsetCommitPartition> commits;
    for (std::int32_t p = 0;; ++p) {
      const kafka::ReplicaLog* log = LeaderLog(PartitionRef{command.topic, p});
      if (log == nullptr) break;
      const std::int64_t earliest = log->log_start_offset();
      const std::int64_t latest = log->high_watermark();
      std::int64_t offset = earliest;
      if (command.reset_to == ConsumerGroupsCommand::ResetTo::kLatest) offset = latest;
      if (command.reset_to == ConsumerGroupsCommand::ResetTo::kOffset) {
        offset = std::clamp(command.reset_offset, earliest, latest);
      }
      rows.emplace_back(group_id, TopicPartition{command.topic, p}, offset);
      commits.push_back({command.topic, p, offset, -1, ""});
    }
    if (commits.empty()) {
      text += "\nError: Topic " + command.topic + " has no partition with a leader.";
      ok = false;
      continue;
    }
    if (!command.execute) continue;
    Errc error = Errc::kNotCoordinator;
    for (NodeIndex n : servers_) {
      // The group's coordinator, in either mode: a ZooKeeper-mode broker (Kafka 3.9) keeps its
      // groups in __consumer_offsets as a KRaft one does.
      kafka::KafkaNode* server = Server(n);
      if (server == nullptr || server->mutable_broker() == nullptr) continue;
      error = server->mutable_broker()->groups().AdminCommitOffsets(group_id, commits);
      if (error != Errc::kNotCoordinator) break;
    }
    if (error != Errc::kNone) {
      text +=
          "\nError: Executing consumer group command failed due to " + std::string(ErrcName(error));
      ok = false;
    }
  }
  if (answered || !rows.empty()) {
    // OffsetsUtils.printOffsetsToReset: the header whenever the result map has a group.
    std::size_t wt = 15;
    for (const auto& [group, tp, offset] : rows) {
      wg = std::max(wg, group.size());
      wt = std::max(wt, tp.topic.size());
    }
    text += "\n" + Pad("GROUP", wg) + " " + Pad("TOPIC", wt) + " " + Pad("PARTITION", 10) +
            " NEW-OFFSET";
    for (const auto& [group, tp, offset] : rows) {
      text += "\n" + Pad(group, wg) + " " + Pad(tp.topic, wt) + " " +
              Pad(std::to_string(tp.partition), 10) + " " + std::to_string(offset);
    }
  }
  return CommandOutput{ok, text};
}

}  // namespace kafkasim::scenario
