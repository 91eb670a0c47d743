// Commands on a World: faults (crash, restart, cut, ...) and the quickstart's kafka-*.sh tools,
// printing what the real tools print.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <span>

#include "engine/overloaded.h"
#include "kafka/clients.h"
#include "kafka/configs.h"
#include "kafka/message_kind.h"
#include "raft/raft_types.h"
#include "scenario/limits.h"
#include "scenario/server_properties.h"
#include "scenario/trace_kinds.h"
#include "scenario/world.h"
#include "storage/checkpoint_file.h"
#include "storage/format.h"
#include "storage/record_batch.h"
#include "zookeeper/zk_server_node.h"

namespace kafkasim::scenario {
namespace {

std::string Ids(const std::vector<std::int32_t>& ids) {
  return fmt::format("{}", fmt::join(ids, ","));
}

// TopicFilter.IncludeList (tools/.../filter/TopicFilter.java): --topic of --list and --describe
// is a regular expression that must match a whole name; commas separate alternatives, spaces and
// surrounding quotes are dropped. Nullopt and `error` set when it does not compile.
std::optional<std::regex> TopicIncludeList(const std::string& raw, std::string* error) {
  std::string regex;
  for (char ch : raw) {
    if (ch == ',') {
      regex += '|';
    } else if (ch != ' ') {
      regex += ch;
    }
  }
  while (!regex.empty() && (regex.front() == '"' || regex.front() == '\'')) regex.erase(0, 1);
  while (!regex.empty() && (regex.back() == '"' || regex.back() == '\'')) regex.pop_back();
  try {
    return std::regex(regex, std::regex::ECMAScript);
  } catch (const std::regex_error&) {
    *error = regex + " is an invalid regex.";
    return std::nullopt;
  }
}

// What a down KRaft voter's disk holds (KafkaRaftServer::LoadMetadataLog reads the same files
// when it restarts): the quorum-state file's epoch, vote and leader, and the end of the intact
// batches of its newest metadata log segment. Reads only; false when there is no quorum-state.
bool ReadVoterDisk(const FileSystem& disk, view::VoterView& vv) {
  constexpr const char* kDir = "__cluster_metadata-0";
  const std::string state_path = std::string(kDir) + "/" + raft::kQuorumStateFileName;
  if (!disk.Exists(state_path)) return false;
  Result<std::vector<std::uint8_t>> bytes = disk.ReadFile(state_path);
  if (!bytes.ok()) return false;
  Result<raft::QuorumState> state =
      raft::QuorumStateFromJson(std::string(bytes->begin(), bytes->end()));
  if (!state.ok()) return false;
  vv.epoch = state->epoch;
  vv.voted_for = state->voted_for;
  vv.leader_id = state->leader_id;
  vv.log_end_offset = 0;
  Result<std::vector<std::string>> files = disk.ListDir(kDir);
  if (!files.ok()) return true;
  std::string newest;  // segment names are zero-padded base offsets: the greatest is the newest
  for (const std::string& f : *files) {
    if (f.ends_with(".log") && f > newest) newest = f;
  }
  if (newest.empty()) return true;
  vv.log_end_offset = std::strtoll(newest.c_str(), nullptr, 10);
  Result<std::vector<std::uint8_t>> log = disk.ReadFile(std::string(kDir) + "/" + newest);
  if (!log.ok()) return true;
  const std::span<const std::uint8_t> all(*log);
  for (std::size_t at = 0; at < all.size();) {
    Result<storage::BatchHeader> h = storage::CheckBatch(all.subspan(at), at);
    if (!h.ok()) break;  // a torn tail: recovery truncates here
    vv.log_end_offset = h->last_offset() + 1;
    at += storage::kLogOverhead + static_cast<std::size_t>(h->batch_length);
  }
  return true;
}

}  // namespace

std::string World::DescribeTopics(const TopicsCommand& c) {
  const kafka::MetadataImage* image = BestImage();
  if (image == nullptr) return "";
  // ZooKeeper-mode brokers do not answer DescribeTopicPartitions, so TopicCommand's partition
  // info has no ELR and prints "Elr: N/A\tLastKnownElr: N/A".
  const bool zookeeper_mode = ControlPlaneOf(scenario_) == kafka::ControlPlane::kZooKeeper;
  std::string error;
  const std::optional<std::regex> include =
      c.topic ? TopicIncludeList(*c.topic, &error) : std::optional<std::regex>();
  std::string out;
  for (const auto& [name, topic] : image->topics()) {
    if (c.topic && (!include || !std::regex_match(name, *include))) continue;
    std::vector<std::string> configs;
    for (const auto& [k, v] : topic.configs) configs.push_back(k + "=" + v);
    std::string body;
    for (const auto& [index, p] : topic.partitions) {
      const bool under = p.isr.size() < p.replicas.size();
      const bool unavailable = p.leader < 0;
      if (c.under_replicated_partitions && !under) continue;
      if (c.unavailable_partitions && !unavailable) continue;
      body += fmt::format(
          "\tTopic: {}\tPartition: {}\tLeader: {}\tReplicas: {}\tIsr: {}\tElr: {}\tLastKnownElr: "
          "{}\n",
          name, index, p.leader < 0 ? std::string("none") : std::to_string(p.leader),
          Ids(p.replicas), Ids(p.isr), zookeeper_mode ? "N/A" : Ids(p.elr),
          zookeeper_mode ? "N/A" : Ids(p.last_known_elr));
    }
    if (c.under_replicated_partitions || c.unavailable_partitions) {
      out += body;
      continue;
    }
    const std::size_t rf =
        topic.partitions.empty() ? 0 : topic.partitions.begin()->second.replicas.size();
    out += fmt::format(
        "Topic: {}\tTopicId: {}\tPartitionCount: {}\tReplicationFactor: {}\tConfigs: {}\n", name,
        topic.id.ToBase64(), topic.partitions.size(), rf, fmt::join(configs, ","));
    out += body;
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// DescribeQuorum is answered by the quorum leader only; the admin client retries until
// default.api.timeout.ms (60 s) passes, so without a leader the tool waits, and answers as soon
// as a leader is elected.
void World::AwaitQuorumStatus(const MetadataQuorumCommand& c, const std::string& line,
                              std::function<void(const CommandOutput&)> done, Time deadline) {
  if (std::optional<std::string> status = QuorumStatus(c)) {
    return Output(line, CommandOutput{true, *status}, done);
  }
  if (sim_->Now() >= deadline) {
    return Output(line,
                  CommandOutput{false, fmt::format("Error while executing quorum command: "
                                                   "Call(callName=describeMetadataQuorum, "
                                                   "deadlineMs={}) timed out at {}: no voter "
                                                   "leads the KRaft quorum",
                                                   deadline.Millis(), sim_->Now().Millis())},
                  done);
  }
  sim_->Schedule(std::min(deadline, sim_->Now() + Milliseconds(100)),
                 [this, c, line, done, deadline] { AwaitQuorumStatus(c, line, done, deadline); });
}

std::optional<std::string> World::QuorumStatus(const MetadataQuorumCommand& c) {
  kafka::KafkaRaftServer* leader = nullptr;
  for (NodeIndex n : servers_) {
    kafka::KafkaRaftServer* s = RaftServer(n);
    if (s != nullptr && s->raft().role() == raft::Role::kLeader) leader = s;
  }
  if (leader == nullptr) return std::nullopt;
  const raft::RaftStatus st = leader->raft().GetStatus();
  const std::int64_t now = sim_->Now().Millis();
  // LeaderState.describeQuorum: the leader's own row says "now" for both timestamps.
  auto leo_of = [&st](const raft::ReplicaView& r) {
    return r.id == st.node_id ? st.log_end_offset : r.end_offset;
  };
  auto caught_up_of = [&st, now](const raft::ReplicaView& r) -> std::int64_t {
    if (r.id == st.node_id) return now;
    return r.last_caught_up_time ? r.last_caught_up_time->Millis() : -1;
  };
  if (c.describe == MetadataQuorumCommand::Describe::kReplication) {
    std::string out =
        "NodeId\tLogEndOffset\tLag\tLastFetchTimestamp\tLastCaughtUpTimestamp\tStatus";
    for (const raft::ReplicaView& r : st.replicas) {
      const std::int64_t leo = leo_of(r);
      const std::int64_t fetched = r.id == st.node_id  ? now
                                   : r.last_fetch_time ? r.last_fetch_time->Millis()
                                                       : -1;
      out +=
          fmt::format("\n{}\t{}\t{}\t{}\t{}\t{}", r.id, leo,
                      std::max<std::int64_t>(0, st.log_end_offset - leo), fetched, caught_up_of(r),
                      r.id == st.node_id ? "Leader"
                      : r.voter          ? "Follower"
                                         : "Observer");
    }
    return out;
  }
  // MetadataQuorumCommand.handleDescribeStatus: the voter with the smallest log end offset
  // (the first in id order among equals) is the most lagging follower; its lag in time is the
  // difference of the two lastCaughtUpTimestamps (0 when it is the leader, -1 when unknown).
  std::vector<raft::ReplicaView> voters;
  std::vector<std::int32_t> observers;
  for (const raft::ReplicaView& r : st.replicas) {
    if (r.voter) voters.push_back(r);
    if (!r.voter) observers.push_back(r.id);
  }
  std::sort(voters.begin(), voters.end(),
            [](const raft::ReplicaView& a, const raft::ReplicaView& b) { return a.id < b.id; });
  const raft::ReplicaView* laggard = nullptr;
  for (const raft::ReplicaView& r : voters) {
    if (laggard == nullptr || leo_of(r) < leo_of(*laggard)) laggard = &r;
  }
  std::int64_t max_lag = 0;
  std::int64_t max_lag_time_ms = 0;
  if (laggard != nullptr) {
    max_lag = st.log_end_offset - leo_of(*laggard);
    if (laggard->id != st.node_id) {
      max_lag_time_ms = caught_up_of(*laggard) < 0 ? -1 : now - caught_up_of(*laggard);
    }
  }
  // KIP-853's form (MetadataQuorumCommand.Node.toString): each replica's id and log dir's
  // directory.id, and for voters the CONTROLLER endpoint they advertise. The quickstart's
  // controller.quorum.bootstrap.servers makes the quorum dynamic (kraft.version 1), so voters
  // are known by directory id too.
  std::vector<std::string> voter_texts;
  for (std::int32_t id : directory_->voter_ids) voter_texts.push_back(QuorumReplicaText(id, true));
  std::vector<std::string> observer_texts;
  for (std::int32_t id : observers) observer_texts.push_back(QuorumReplicaText(id, false));
  return fmt::format(
      "ClusterId:              {}\nLeaderId:               {}\nLeaderEpoch:            {}\n"
      "HighWatermark:          {}\nMaxFollowerLag:         {}\nMaxFollowerLagTimeMs:   {}\n"
      "CurrentVoters:          [{}]\nCurrentObservers:       [{}]",
      directory_->cluster_id, st.node_id, st.epoch, st.high_watermark, max_lag, max_lag_time_ms,
      fmt::join(voter_texts, ", "), fmt::join(observer_texts, ", "));
}

std::string World::QuorumReplicaText(std::int32_t node_id, bool voter) const {
  const NodeSpec* spec = nullptr;
  for (const NodeSpec& n : scenario_.cluster.nodes) {
    if (n.node_id == node_id) spec = &n;
  }
  // The directory id its meta.properties holds; a log dir that cannot say prints null, as
  // Kafka prints Uuid.ZERO_UUID.
  std::string directory_id = "null";
  const NodeIndex index = spec == nullptr ? kNoNode : sim_->FindNode(spec->name);
  if (const auto it = disks_.find(index); it != disks_.end()) {
    Result<std::vector<std::uint8_t>> bytes =
        it->second->disk().ReadFile(storage::kMetaPropertiesFile);
    if (bytes.ok()) {
      const std::string text(bytes->begin(), bytes->end());
      Result<storage::MetaProperties> meta = storage::ParseMetaProperties(text, "meta.properties");
      if (meta.ok() && !meta->directory_id.empty()) directory_id = "\"" + meta->directory_id + "\"";
    }
  }
  std::string out = fmt::format("{{\"id\": {}, \"directoryId\": {}", node_id, directory_id);
  if (voter && spec != nullptr) {
    out += fmt::format(", \"endpoints\": [\"CONTROLLER://{}:9093\"]", HostOf(scenario_, *spec));
  }
  return out + "}";
}

void World::RunTopics(const TopicsCommand& c, const std::string& line,
                      std::function<void(const CommandOutput&)> done) {
  auto* admin = dynamic_cast<kafka::AdminNode*>(sim_->GetNode(admin_));
  // The tool prints `success` (often nothing) or TopicCommand's error line; `quiet` is an error
  // that --if-exists / --if-not-exists turns into silent success.
  const auto answer = [this, line, done](std::string success, Errc quiet) {
    return [this, line, done, success, quiet](const kafka::AdminResponse& resp) {
      if (resp.error == Errc::kNone || resp.error == quiet) {
        return Output(line, CommandOutput{true, resp.error == Errc::kNone ? success : ""}, done);
      }
      Output(line,
             CommandOutput{false,
                           fmt::format("Error while executing topic command : {}", resp.message)},
             done);
    };
  };
  const std::string topic = c.topic.value_or("");
  const kafka::MetadataImage* image = BestImage();
  // The simulator's own limits (limits.h) hold for the console as for scenario files; they are
  // checked before the request leaves, so Kafka's own checks answer everything below them.
  std::optional<std::int64_t> requested = c.partitions;
  if (c.action == TopicsCommand::Action::kCreate && !requested) {
    requested = c.replica_assignment.empty()
                    ? scenario_.cluster.broker_config.GetLong("num.partitions")
                    : static_cast<std::int64_t>(c.replica_assignment.size());
  }
  if (requested &&
      (c.action == TopicsCommand::Action::kCreate || c.action == TopicsCommand::Action::kAlter)) {
    std::int64_t total = *requested;
    if (image != nullptr) {
      for (const auto& [name, t] : image->topics()) {
        if (name != topic) total += static_cast<std::int64_t>(t.partitions.size());
      }
    }
    std::string refused;
    if (*requested > kPartitionsPerTopicMax) {
      refused = fmt::format("kafkasim runs at most {} partitions per topic, not {}",
                            kPartitionsPerTopicMax, *requested);
    } else if (total > kPartitionsTotalMax) {
      refused = fmt::format("kafkasim runs at most {} partitions in all topics; this would make {}",
                            kPartitionsTotalMax, total);
    }
    if (!refused.empty()) {
      return Output(line,
                    CommandOutput{false, "Error while executing topic command : " + refused +
                                             " (docs/SCENARIO_FORMAT.md, Limits)"},
                    done);
    }
  }
  switch (c.action) {
    case TopicsCommand::Action::kList:
    case TopicsCommand::Action::kDescribe: {
      // TopicCommand.getTopics then, for --describe, ensureTopicExists.
      std::string error;
      std::optional<std::regex> include;
      if (c.topic) {
        include = TopicIncludeList(*c.topic, &error);
        if (!include) {
          return Output(
              line, CommandOutput{false, "Error while executing topic command : " + error}, done);
        }
      }
      std::vector<std::string> found;
      if (image != nullptr) {
        for (const auto& [name, t] : image->topics()) {
          if (!include || std::regex_match(name, *include)) found.push_back(name);
        }
      }
      if (c.action == TopicsCommand::Action::kList) {
        return Output(line, CommandOutput{true, fmt::format("{}", fmt::join(found, "\n"))}, done);
      }
      if (found.empty() && c.topic && !c.topic->empty() && !c.if_exists) {
        return Output(line,
                      CommandOutput{false, fmt::format("Error while executing topic command : "
                                                       "Topic '{}' does not exist as expected",
                                                       *c.topic)},
                      done);
      }
      return Output(line, CommandOutput{true, DescribeTopics(c)}, done);
    }
    case TopicsCommand::Action::kCreate: {
      kafka::CreateTopicsRequest r;
      r.name = topic;
      r.partitions = c.partitions.value_or(
          static_cast<std::int32_t>(scenario_.cluster.broker_config.GetLong("num.partitions")));
      r.replication_factor = c.replication_factor.value_or(static_cast<std::int32_t>(
          scenario_.cluster.broker_config.GetLong("default.replication.factor")));
      if (!c.replica_assignment.empty()) {
        // The admin client sends -1 for both with a manual assignment (NewTopic(name, map)).
        r.partitions = -1;
        r.replication_factor = -1;
        for (const auto& brokers : c.replica_assignment) {
          r.assignments.emplace_back(brokers.begin(), brokers.end());
        }
      }
      r.configs = c.configs;
      admin->Submit(r, Milliseconds(30000),
                    answer(fmt::format("Created topic {}.", topic),
                           c.if_not_exists ? Errc::kTopicAlreadyExists : Errc::kNone));
      return;
    }
    case TopicsCommand::Action::kAlter:
    case TopicsCommand::Action::kDelete:
      break;
  }
  // --alter and --delete: TopicCommand first checks that the topic exists
  // (ensureTopicExists), quietly with --if-exists.
  const Errc quiet = c.if_exists ? Errc::kUnknownTopicOrPartition : Errc::kNone;
  if (image != nullptr && image->Topic(topic) == nullptr) {
    if (c.if_exists) return Output(line, CommandOutput{true, ""}, done);
    return Output(line,
                  CommandOutput{false, fmt::format("Error while executing topic command : Topic "
                                                   "'{}' does not exist as expected",
                                                   topic)},
                  done);
  }
  if (c.action == TopicsCommand::Action::kAlter) {
    // As TopicCommand.alterTopic: nothing is printed on success.
    admin->Submit(kafka::CreatePartitionsRequest{topic, c.partitions.value_or(0)},
                  Milliseconds(30000), answer("", quiet));
  } else {
    admin->Submit(kafka::DeleteTopicsRequest{topic}, Milliseconds(30000), answer("", quiet));
  }
}

// The broker configs a topic config falls back to (ServerTopicConfigSynonyms), the first being
// the one DescribeConfigs names; and those whose Kafka default is null (a derived value), so
// that no DEFAULT_CONFIG synonym is shown for them.
static const std::vector<std::string_view>& BrokerSynonymsOf(std::string_view topic_config) {
  static const std::map<std::string_view, std::vector<std::string_view>> kSynonyms = {
      {"cleanup.policy", {"log.cleanup.policy"}},
      {"compression.type", {"compression.type"}},
      {"delete.retention.ms", {"log.cleaner.delete.retention.ms"}},
      {"file.delete.delay.ms", {"log.segment.delete.delay.ms"}},
      {"flush.messages", {"log.flush.interval.messages"}},
      {"flush.ms", {"log.flush.interval.ms", "log.flush.scheduler.interval.ms"}},
      {"index.interval.bytes", {"log.index.interval.bytes"}},
      {"max.message.bytes", {"message.max.bytes"}},
      {"message.timestamp.type", {"log.message.timestamp.type"}},
      {"max.compaction.lag.ms", {"log.cleaner.max.compaction.lag.ms"}},
      {"min.cleanable.dirty.ratio", {"log.cleaner.min.cleanable.ratio"}},
      {"min.compaction.lag.ms", {"log.cleaner.min.compaction.lag.ms"}},
      {"min.insync.replicas", {"min.insync.replicas"}},
      {"retention.bytes", {"log.retention.bytes"}},
      {"retention.ms", {"log.retention.ms", "log.retention.minutes", "log.retention.hours"}},
      {"segment.bytes", {"log.segment.bytes"}},
      {"segment.index.bytes", {"log.index.size.max.bytes"}},
      {"segment.jitter.ms", {"log.roll.jitter.ms", "log.roll.jitter.hours"}},
      {"segment.ms", {"log.roll.ms", "log.roll.hours"}},
      {"unclean.leader.election.enable", {"unclean.leader.election.enable"}},
  };
  static const std::vector<std::string_view> kNone;
  const auto it = kSynonyms.find(topic_config);
  return it == kSynonyms.end() ? kNone : it->second;
}

std::string World::TopicConfigLine(const std::string& name, const std::string& value) {
  // ConfigHelper.createTopicConfigEntry / configSynonyms: the topic's own value, then each broker
  // synonym's dynamic cluster default, static server.properties value and Kafka default, in that
  // order, with everything before the first synonym's own name dropped.
  static const std::set<std::string_view> kNullDefaults = {
      "log.retention.ms", "log.retention.minutes", "log.roll.ms", "log.roll.jitter.ms",
      "log.flush.interval.ms"};
  const std::vector<std::string_view>& names = BrokerSynonymsOf(name);
  const kafka::MetadataImage* image = BestImage();
  std::vector<std::pair<std::string, std::string>> chain;  // (source:name, value)
  for (std::string_view n : names) {
    if (image == nullptr) break;
    const auto it = image->cluster_configs().find(std::string(n));
    if (it != image->cluster_configs().end()) {
      chain.emplace_back("DYNAMIC_DEFAULT_BROKER_CONFIG:" + std::string(n), it->second);
    }
  }
  for (std::string_view n : names) {
    const auto& set = scenario_.cluster.broker_config.explicit_values();
    const auto it = set.find(std::string(n));
    if (it != set.end()) chain.emplace_back("STATIC_BROKER_CONFIG:" + std::string(n), it->second);
  }
  for (std::string_view n : names) {
    if (kNullDefaults.contains(n)) continue;
    const ConfigSpec* spec = kafka::FindConfigSpec(kafka::BrokerConfigSpecs(), n);
    if (spec == nullptr) spec = kafka::FindConfigSpec(kafka::TopicConfigSpecs(), name);
    if (spec != nullptr) {
      chain.emplace_back("DEFAULT_CONFIG:" + std::string(n), std::string(spec->default_value));
    }
  }
  std::vector<std::string> synonyms = {fmt::format("DYNAMIC_TOPIC_CONFIG:{}={}", name, value)};
  bool keep = false;
  for (const auto& [source_name, v] : chain) {
    keep = keep || (!names.empty() && source_name.ends_with(":" + std::string(names.front())));
    if (keep) synonyms.push_back(source_name + "=" + v);
  }
  return fmt::format("  {}={} sensitive=false synonyms={{{}}}", name, value,
                     fmt::join(synonyms, ", "));
}

void World::RunConfigs(const ConfigsCommand& c, const std::string& line,
                       std::function<void(const CommandOutput&)> done) {
  const kafka::MetadataImage* image = BestImage();
  // An unknown topic fails the tool's DescribeConfigs (which --alter makes first, to check
  // --delete-config): ConfigCommand prints that it failed, then the exception.
  // (ConfigHelper sets only the error code, so the exception has Errors' default message.)
  const auto unknown_topic = [&]() {
    return CommandOutput{
        false, fmt::format("Error while executing config command with args '{}'\n"
                           "java.util.concurrent.ExecutionException: org.apache.kafka.common."
                           "errors.UnknownTopicOrPartitionException: This server does not host "
                           "this topic-partition.",
                           c.args)};
  };
  if (c.action == ConfigsCommand::Action::kDescribe) {
    std::vector<std::string> topics;
    if (c.topic) {
      if (image == nullptr || image->Topic(*c.topic) == nullptr) {
        return Output(line, unknown_topic(), done);
      }
      topics.push_back(*c.topic);
    } else if (image != nullptr) {
      for (const auto& [name, t] : image->topics()) topics.push_back(name);  // listInternal
    }
    std::vector<std::string> out;
    for (const std::string& topic : topics) {
      out.push_back(fmt::format("Dynamic configs for topic {} are:", topic));
      for (const auto& [name, value] : image->Topic(topic)->configs) {
        out.push_back(TopicConfigLine(name, value));
      }
    }
    return Output(line, CommandOutput{true, fmt::format("{}", fmt::join(out, "\n"))}, done);
  }
  const std::string& topic = *c.topic;
  if (image == nullptr || image->Topic(topic) == nullptr) {
    return Output(line, unknown_topic(), done);
  }
  // alterResourceConfig: every --delete-config must be a current override.
  std::vector<std::string> invalid;
  for (const std::string& name : c.remove) {
    if (!image->Topic(topic)->configs.contains(name)) invalid.push_back(name);
  }
  if (!invalid.empty()) {
    return Output(
        line, CommandOutput{false, fmt::format("Invalid config(s): {}", fmt::join(invalid, ","))},
        done);
  }
  kafka::IncrementalAlterConfigsRequest request;
  request.topic = topic;
  for (const auto& [name, value] : c.add) request.changes[name] = value;
  for (const std::string& name : c.remove) request.changes[name] = std::nullopt;
  auto* admin = dynamic_cast<kafka::AdminNode*>(sim_->GetNode(admin_));
  admin->Submit(
      request, Milliseconds(30000),
      [this, line, done, topic, args = c.args](const kafka::AdminResponse& resp) {
        if (resp.error == Errc::kNone) {
          return Output(
              line,
              CommandOutput{true, fmt::format("Completed updating config for topic {}.", topic)},
              done);
        }
        Output(line,
               CommandOutput{false, fmt::format("Error while executing config command "
                                                "with args '{}'\n{}: {}",
                                                args, ErrcName(resp.error), resp.message)},
               done);
      });
}

void World::Execute(const ToolCommand& command, const std::string& line,
                    std::function<void(const CommandOutput&)> done) {
  // Shell variables ($NAME, ${NAME}) are expanded in the line, which is then parsed again.
  if (!expanding_ && !shell_vars_.empty() && line.find('$') != std::string::npos) {
    const std::string expanded = ExpandVariables(line, shell_vars_);
    if (expanded != line) {
      Result<ToolCommand> reparsed = ParseToolCommand(expanded);
      if (!reparsed.ok()) return FailCommand(reparsed.status().message(), done);
      // A producer step's records come with the step ("lines"), not in its line.
      auto* producer = std::get_if<ConsoleProducerCommand>(&*reparsed);
      const auto* original = std::get_if<ConsoleProducerCommand>(&command);
      if (producer != nullptr && original != nullptr && producer->lines.empty()) {
        producer->lines = original->lines;
      }
      expanding_ = true;
      Execute(*reparsed, expanded, std::move(done));
      expanding_ = false;
      return;
    }
  }
  Network& net = sim_->network();
  auto fault = [&](std::string_view kind, const std::string& text) {
    Emit(kind, text);
    if (done) done(CommandOutput{true, ""});
  };
  std::visit(
      Overloaded{
          [&](const TopicsCommand& c) { RunTopics(c, line, done); },
          [&](const ConfigsCommand& c) { RunConfigs(c, line, done); },
          [&](const ZooKeeperShellCommand& c) { Output(line, ZooKeeperShell(c), done); },
          [&](const ShellCommand& c) { Output(line, Shell(c), done); },
          [&](const StorageCommand& c) { Output(line, Storage(c), done); },
          [&](const ServerStartCommand& c) { Output(line, ServerStart(c), done); },
          [&](const AssignCommand& c) { Output(line, Assign(c), done); },
          [&](const ConsoleProducerCommand& c) {
            Client client;
            client.id = LocalName(fmt::format("console-producer-{}", ++console_producers_));
            client.start = sim_->Now();
            client.topic = c.topic;
            client.acks = c.acks == "0" ? Acks::kZero : c.acks == "1" ? Acks::kOne : Acks::kAll;
            // enable.idempotence: on by default only with acks=all (Kafka 3.2+).
            client.enable_idempotence = client.acks == Acks::kAll;
            for (const auto& [key, value] : c.producer_properties) {
              if (key == "enable.idempotence") {
                client.enable_idempotence = value == "true" && client.acks == Acks::kAll;
              }
            }
            client.send_interval = Milliseconds(1);
            // LineMessageReader: with parse.key every line needs the separator; the first
            // line without one stops the tool, after the lines before it were sent.
            std::string stopped;
            for (std::size_t n = 0; n < c.lines.size(); ++n) {
              const std::string& l = c.lines[n];
              ProducerMessage m;
              const auto sep = c.parse_key ? l.find(c.key_separator) : std::string::npos;
              if (sep != std::string::npos) {
                m.key = l.substr(0, sep);
                m.value = l.substr(sep + c.key_separator.size());
              } else if (c.parse_key) {
                stopped = fmt::format(
                    "org.apache.kafka.common.KafkaException: No key separator found on line "
                    "number {}: '{}'",
                    n + 1, l);
                break;
              } else {
                m.value = l;
              }
              client.messages.push_back(m);
            }
            client.count = static_cast<std::int64_t>(client.messages.size());
            StartClient(client);
            Output(line, CommandOutput{stopped.empty(), stopped}, done);
          },
          [&](const ConsoleConsumerCommand& c) {
            const std::string id =
                LocalName(fmt::format("console-consumer-{}", ++console_consumers_));
            kafka::ConsumerConfig cc;
            cc.topic = c.topic;
            cc.from_beginning =
                c.from_beginning || c.offset_spec == ConsoleConsumerCommand::OffsetSpec::kEarliest;
            if (c.partition) {
              cc.partitions = {*c.partition};  // assign(): no group
            } else if (c.group) {
              cc.group = c.group;
            } else {
              // ConsoleConsumerOptions: without --group the tool subscribes in a group of its
              // own, "console-consumer-" + new Random().nextInt(100000), with
              // enable.auto.commit=false so that the group is not used again.
              Rng names = Rng::Stream(
                  sim_->seed(), LocalName(fmt::format("console-consumer.{}", console_consumers_)));
              cc.group = fmt::format("console-consumer-{}", names.Uniform(100000));
              cc.enable_auto_commit = false;
            }
            cc.max_messages = c.max_messages;
            cc.trace_each_record = true;
            cc.client_id = "console-consumer";  // ConsoleConsumer's default client.id
            cc.format.print_timestamp = c.print_timestamp;
            cc.format.print_partition = c.print_partition;
            cc.format.print_offset = c.print_offset;
            cc.format.print_key = c.print_key;
            cc.format.print_value = c.print_value;
            cc.format.key_separator = c.key_separator;
            auto directory = directory_;
            auto history = history_;
            const NodeIndex n = AddOwnNode(id, [directory, history, cc](NodeEnv& env) {
              return std::make_unique<kafka::ConsumerNode>(env, directory, cc, history);
            });
            sim_->StartNode(n);
            Emit(trace_kind::kClientStart,
                 fmt::format("{} started{} on topic {}{}", id,
                             cc.from_beginning ? " --from-beginning" : "", c.topic,
                             cc.group ? " in group " + *cc.group : ""));
            if (done) done(CommandOutput{true, ""});
          },
          [&](const MetadataQuorumCommand& c) {
            AwaitQuorumStatus(c, line, done, sim_->Now() + kDefaultApiTimeout);
          },
          [&](const ConsumerGroupsCommand& c) { Output(line, DescribeGroups(c), done); },
          [&](const LeaderElectionCommand& c) {
            kafka::ElectLeadersRequest r;
            r.unclean = c.election_type == LeaderElectionCommand::ElectionType::kUnclean;
            if (!c.all_topic_partitions && c.topic)
              r.partitions.emplace_back(*c.topic, c.partition.value_or(0));
            auto* admin = dynamic_cast<kafka::AdminNode*>(sim_->GetNode(admin_));
            admin->Submit(r, Milliseconds(30000),
                          [this, line, done](const kafka::AdminResponse& resp) {
                            std::string text = resp.error != Errc::kNone
                                                   ? resp.message
                                                   : fmt::format("{}", fmt::join(resp.lines, "\n"));
                            Output(line, CommandOutput{resp.error == Errc::kNone, text}, done);
                          });
          },
          [&](const CrashCommand& c) {
            const NodeIndex n = NodeOrEmit(c.node);
            if (n == kNoNode) return;
            sim_->CrashNode(n, CrashOptions{});
            fault(trace_kind::kNodeCrash,
                  fmt::format("{} crashed (power loss: unsynced writes are lost)", c.node));
          },
          [&](const KillCommand& c) {
            const NodeIndex n = NodeOrEmit(c.node);
            if (n == kNoNode) return;
            sim_->KillNode(n);
            fault(trace_kind::kNodeKill,
                  fmt::format("{} killed (process died: unsynced writes survive in the page cache)",
                              c.node));
          },
          [&](const RestartCommand& c) {
            const NodeIndex n = NodeOrEmit(c.node);
            if (n == kNoNode) return;
            fault(trace_kind::kNodeRestart,
                  fmt::format("{} restarts and recovers from its disk", c.node));
            sim_->RestartNode(n);
          },
          [&](const ShutdownCommand& c) {
            const NodeIndex n = NodeOrEmit(c.node);
            if (n == kNoNode) return;
            Emit(trace_kind::kNodeShutdown,
                 fmt::format("{} is asked to shut down cleanly", c.node));
            if (kafka::KafkaNode* s = Server(n)) {
              s->BeginControlledShutdown();
            } else {
              StopClient(c.node);  // a client closes as close() does
            }
            if (done) done(CommandOutput{true, ""});
          },
          [&](const CutCommand& c) {
            const NodeIndex a = NodeOrEmit(c.from), b = NodeOrEmit(c.to);
            if (a == kNoNode || b == kNoNode) return;
            c.both ? net.CutBoth(a, b) : net.Cut(a, b);
            fault(trace_kind::kNetworkCut,
                  fmt::format("network link {} {} {} cut", c.from, c.both ? "<->" : "->", c.to));
          },
          [&](const HealCommand& c) {
            const NodeIndex a = NodeOrEmit(c.from), b = NodeOrEmit(c.to);
            if (a == kNoNode || b == kNoNode) return;
            c.both ? net.HealBoth(a, b) : net.Heal(a, b);
            fault(trace_kind::kNetworkHeal,
                  fmt::format("network link {} {} {} healed", c.from, c.both ? "<->" : "->", c.to));
          },
          [&](const IsolateCommand& c) {
            const NodeIndex a = NodeOrEmit(c.node);
            if (a == kNoNode) return;
            for (NodeIndex b = 0; b < sim_->node_count(); ++b) {
              if (b != a) net.CutBoth(a, b);
            }
            fault(trace_kind::kNetworkIsolate,
                  fmt::format("{} is isolated from every other node", c.node));
          },
          [&](const HealAllCommand&) {
            net.HealAll();
            fault(trace_kind::kNetworkHealAll, "every network cut and partition is healed");
          },
          [&](const RegionCommand& c) {
            // The runner acts on regions when the scenario has several clusters.
            FailCommand(std::string(c.heal ? "heal-region" : "cut-region") +
                            ": this scenario has one cluster; regions are the clusters of a "
                            "scenario with \"clusters\"",
                        done);
          },
          [&](const SlowCommand& c) {
            const NodeIndex a = NodeOrEmit(c.node);
            if (a == kNoNode) return;
            net.SetSlow(a, c.extra);
            fault(trace_kind::kNetworkSlow,
                  fmt::format("{} is slowed by {} per message", c.node, FormatDuration(c.extra)));
          },
          [&](const DiskFullCommand& c) {
            DiskFaults* disk = DiskOrFail(c.node, done);
            if (disk == nullptr) return;
            const std::uint64_t used = disk->used_bytes();
            disk->SetCapacityBytes(used);
            fault(trace_kind::kDiskFull,
                  fmt::format("{}'s disk is full ({} bytes used): its next write fails", c.node,
                              used));
          },
          [&](const DiskOkCommand& c) {
            DiskFaults* disk = DiskOrFail(c.node, done);
            if (disk == nullptr) return;
            disk->SetCapacityBytes(std::nullopt);
            disk->SetSyncLatency(Duration{});
            fault(trace_kind::kDiskOk, fmt::format("{}'s disk has room and speed again", c.node));
          },
          [&](const SlowDiskCommand& c) {
            DiskFaults* disk = DiskOrFail(c.node, done);
            if (disk == nullptr) return;
            disk->SetSyncLatency(c.sync_latency);
            fault(trace_kind::kDiskSlow,
                  c.sync_latency.ns == 0
                      ? fmt::format("{}'s disk syncs at full speed again", c.node)
                      : fmt::format("{}'s disk takes {} per fsync: what the node sends after an "
                                    "fsync leaves that much later",
                                    c.node, FormatDuration(c.sync_latency)));
          },
          [&](const CorruptCommand& c) {
            DiskFaults* disk = DiskOrFail(c.node, done);
            if (disk == nullptr) return;
            const std::uint64_t durable = disk->DurableSize(c.path);
            if (!disk->Exists(c.path) || disk->IsDirectory(c.path)) {
              return FailCommand(fmt::format("corrupt: {} has no file {}", c.node, c.path), done);
            }
            if (durable == 0) {
              return FailCommand(
                  fmt::format("corrupt: {} on {} holds no durable byte yet", c.path, c.node), done);
            }
            const std::uint64_t offset = c.offset.value_or(durable - 1);
            if (Status s = disk->CorruptByte(c.path, offset); !s.ok()) {
              return FailCommand("corrupt: " + s.message(), done);
            }
            fault(trace_kind::kDiskCorrupt,
                  fmt::format("byte {} of {} on {}'s disk is corrupt (every bit flipped); the "
                              "broker finds out when it next reads or recovers the file",
                              offset, c.path, c.node));
          },
      },
      command);
}

World::DiskFaults* World::DiskOrFail(const std::string& node,
                                     const std::function<void(const CommandOutput&)>& done) {
  const NodeIndex n = NodeOrEmit(node);
  if (n == kNoNode) {
    if (done) done(CommandOutput{false, fmt::format("unknown node '{}'", node)});
    return nullptr;
  }
  const auto it = disks_.find(n);
  if (it == disks_.end()) {
    FailCommand(fmt::format("{} has no disk (only brokers and controllers have one)", node), done);
    return nullptr;
  }
  return it->second.get();
}

void World::FailCommand(const std::string& text,
                        const std::function<void(const CommandOutput&)>& done) {
  Emit(trace_kind::kCommandError, text);
  if (done) done(CommandOutput{false, text});
}

view::WorldView World::BuildView(std::string_view detailed) {
  view::WorldView v;
  BuildView(v, detailed);
  return v;
}

void World::BuildTopicViews(std::vector<view::TopicView>& topics, view::TopicsSource& source,
                            std::string_view detailed, std::map<std::int32_t, int>& leaders) {
  // "cities-0": the topic up to the last dash (topic names may hold dashes).
  const std::size_t detailed_dash = detailed.rfind('-');
  const std::string_view detailed_topic = detailed_dash == std::string_view::npos
                                              ? std::string_view{}
                                              : detailed.substr(0, detailed_dash);
  std::int32_t detailed_index = -1;
  if (detailed_dash != std::string_view::npos) {
    const std::string_view digits = detailed.substr(detailed_dash + 1);
    std::int32_t parsed = -1;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), parsed);
    // Only the canonical spelling names a partition ("cities-07" names none).
    if (error == std::errc{} && end == digits.data() + digits.size() &&
        std::to_string(parsed) == digits) {
      detailed_index = parsed;
    }
  }
  // What each running broker's replica logs are found under this frame (view_log_slots_).
  struct ServerStamp {
    const kafka::KafkaNode* server = nullptr;
    std::uint32_t incarnation = 0;
    std::uint64_t layout_version = 0;
    std::uint64_t offset_moves = 0;
  };
  std::vector<ServerStamp> stamps(sim_->node_count());
  for (NodeIndex n : servers_) {
    kafka::KafkaNode* s = Server(n);
    if (s == nullptr || s->broker() == nullptr) continue;
    stamps[n] = {s, sim_->Incarnation(n), s->broker()->replicas().layout_version(),
                 s->broker()->logs().offset_moves()};
  }
  std::size_t slot = 0;
  // One replica's log as its broker holds it now: found through its slot, read in full for the
  // detailed partition, else by its three offsets. `kept`: `lv` holds this replica's view of
  // last frame, whose offsets stand while its broker's logs have not moved since.
  const auto fill_log = [&](view::ReplicaLogView& lv, const storage::Uuid& topic_id,
                            const std::string& name, std::int32_t index, bool full, bool kept) {
    const std::int32_t r = lv.broker_id;
    if (slot == view_log_slots_.size()) view_log_slots_.emplace_back();
    ViewLogSlot& found = view_log_slots_[slot++];
    if (found.topic_id != topic_id || found.partition != index || found.broker_id != r) {
      // Another replica than last frame's in this slot: look it up below.
      found = ViewLogSlot{topic_id, index, r, ~std::uint32_t{0}, 0, nullptr, 0};
      kept = false;
    }
    const NodeIndex node = directory_->NodeFor(r);
    const ServerStamp* stamp =
        node < stamps.size() && stamps[node].server != nullptr ? &stamps[node] : nullptr;
    // Most brokers' logs stand still from one frame to the next: at 30,000 replicas, reading
    // each log's offsets (a cache miss each) was most of the snapshot.
    if (kept && !full && stamp != nullptr && found.log != nullptr && lv.online &&
        found.incarnation == stamp->incarnation && found.layout_version == stamp->layout_version &&
        found.offset_moves == stamp->offset_moves) {
      return;
    }
    lv.online = false;
    lv.detailed = false;
    lv.log_start_offset = lv.high_watermark = lv.log_end_offset = 0;
    lv.segments.clear();
    lv.leader_epochs.clear();
    if (stamp == nullptr) {
      found.log = nullptr;  // not running (or not a broker): nothing to read
      found.incarnation = ~std::uint32_t{0};
    } else if (found.incarnation != stamp->incarnation ||
               found.layout_version != stamp->layout_version) {
      found.log = stamp->server->Log(name, index);
      found.incarnation = stamp->incarnation;
      found.layout_version = stamp->layout_version;
    }
    if (stamp != nullptr) found.offset_moves = stamp->offset_moves;
    if (const kafka::ReplicaLog* log = found.log) {
      if (full) {
        static_cast<kafka::LogSummary&>(lv) = log->Describe();
        lv.detailed = true;
      } else {
        lv.log_start_offset = log->log_start_offset();
        lv.high_watermark = log->high_watermark();
        lv.log_end_offset = log->log_end_offset();
      }
      lv.online = true;
    }
  };
  NodeIndex image_node = kNoNode;
  const kafka::MetadataImage* image = BestImage(&image_node);
  view::TopicsSource now;
  if (image != nullptr) {
    now = {true,
           view_serial_,
           image_node,
           sim_->Incarnation(image_node),
           image->changes(),
           std::string(detailed)};
  }
  // The same image as the topics were built from: only the logs can have moved. (The sizes are
  // checked too, so storage built elsewhere is never read as this.)
  bool same = now.valid && now == source && topics.size() == image->topics().size();
  if (same) {
    std::size_t topic_at = 0;
    for (const auto& [name, t] : image->topics()) {
      const view::TopicView& tv = topics[topic_at++];
      same = same && tv.name == name && tv.partitions.size() == t.partitions.size();
    }
  }
  if (same) {
    std::size_t topic_at = 0;
    for (const auto& [name, t] : image->topics()) {
      view::TopicView& tv = topics[topic_at++];
      const bool topic_detailed = !detailed_topic.empty() && name == detailed_topic;
      for (view::PartitionView& pv : tv.partitions) {
        if (pv.leader >= 0) ++leaders[pv.leader];
        const bool full = topic_detailed && pv.partition == detailed_index;
        for (view::ReplicaLogView& lv : pv.logs) {
          fill_log(lv, t.id, name, pv.partition, full, true);
        }
      }
    }
    return;
  }
  source = now;
  topics.resize(image != nullptr ? image->topics().size() : 0);
  if (image == nullptr) return;
  std::size_t topic_at = 0;
  for (const auto& [name, t] : image->topics()) {
    view::TopicView& tv = topics[topic_at++];
    tv.name = name;
    tv.topic_id = t.id.ToBase64();
    tv.replication_factor = 0;
    tv.configs.clear();
    for (const auto& [k, val] : t.configs) tv.configs.emplace_back(k, val);
    const bool topic_detailed = !detailed_topic.empty() && name == detailed_topic;
    tv.partitions.resize(t.partitions.size());
    std::size_t partition_at = 0;
    for (const auto& [index, p] : t.partitions) {
      const bool full = topic_detailed && index == detailed_index;
      view::PartitionView& pv = tv.partitions[partition_at++];
      pv.topic = name;
      pv.partition = index;
      pv.leader = p.leader;
      pv.leader_epoch = p.leader_epoch;
      pv.partition_epoch = p.partition_epoch;
      pv.replicas = p.replicas;
      pv.isr = p.isr;
      pv.elr = p.elr;
      pv.last_known_elr = p.last_known_elr;
      pv.under_min_isr = false;  // set with BuildView's metrics
      tv.replication_factor = static_cast<int>(p.replicas.size());
      if (p.leader >= 0) ++leaders[p.leader];
      pv.logs.resize(p.replicas.size());
      std::size_t log_at = 0;
      for (std::int32_t r : p.replicas) {
        view::ReplicaLogView& lv = pv.logs[log_at++];
        lv.broker_id = r;
        fill_log(lv, t.id, name, index, full, false);
      }
    }
  }
}

void World::BuildView(view::WorldView& v, std::string_view detailed) {
  // The topics' storage is kept and overwritten (10,000 partitions' lists and logs need no
  // allocation from one frame to the next); everything else starts afresh.
  std::vector<view::TopicView> topics = std::move(v.topics);
  view::TopicsSource source = std::move(v.topics_source);
  v = view::WorldView{};
  v.scenario_name = scenario_.name;
  v.scenario_path = scenario_.source;
  v.seed = sim_->seed();
  v.now = sim_->Now();
  v.end = scenario_.end;
  v.events_executed = sim_->events_executed();
  v.trace_hash = sim_->trace().HashHex();
  v.trace = &sim_->trace().events();
  std::map<std::int32_t, int> leaders;
  BuildTopicViews(topics, source, detailed, leaders);
  v.topics = std::move(topics);
  v.topics_source = std::move(source);
  for (NodeIndex n = 0; n < sim_->node_count(); ++n) {
    if (!Owns(n)) continue;  // another cluster's
    view::NodeView nv;
    nv.index = n;
    nv.name = sim_->NodeName(n);
    nv.state = sim_->GetNodeState(n);
    const auto slow = sim_->network().slow_nodes().find(n);
    if (slow != sim_->network().slow_nodes().end()) nv.slow_by = slow->second;
    if (const NodeSpec* found = SpecOf(n)) {
      const NodeSpec& spec = *found;
      nv.id = spec.node_id;
      nv.rack = spec.rack.value_or("");
      nv.role = spec.role == NodeRole::kBroker       ? view::NodeRole::kBroker
                : spec.role == NodeRole::kController ? view::NodeRole::kController
                : spec.role == NodeRole::kZooKeeper  ? view::NodeRole::kZooKeeper
                                                     : view::NodeRole::kCombined;
      if (spec.role == NodeRole::kZooKeeper) {
        nv.id = spec.node_id - kZooKeeperIdBase;  // myid
        const auto* z = dynamic_cast<const zookeeper::ZkServerNode*>(sim_->GetNode(n));
        nv.quorum_leader = z != nullptr && z->server() != nullptr &&
                           z->server()->state() == zookeeper::ServerState::kLeading &&
                           z->server()->serving();
        v.nodes.push_back(std::move(nv));
        continue;
      }
      nv.leader_count = leaders[spec.node_id];
      if (kafka::KafkaNode* s = Server(n)) {
        nv.active_controller = s->is_active_controller();
        const kafka::KafkaRaftServer* raft_server = RaftServer(n);
        nv.quorum_leader = raft_server && raft_server->raft().role() == raft::Role::kLeader;
        nv.fenced = s->config().broker && s->fenced();
        nv.in_controlled_shutdown = s->in_controlled_shutdown();
      }
    } else if (n == admin_) {
      continue;
    } else {
      nv.role = view::NodeRole::kClient;
    }
    v.nodes.push_back(std::move(nv));
  }
  for (const auto& [a, b] : sim_->network().cuts()) v.cut_links.emplace_back(a, b);
  std::map<int, std::vector<NodeIndex>> groups;
  for (const auto& [n, g] : sim_->network().partition_groups()) groups[g].push_back(n);
  for (auto& [g, members] : groups) v.partition_groups.push_back(members);
  sim_->ForEachInFlight([&](const Message& m) {
    v.messages.push_back(view::MessageView{m.from, m.to, kafka::MessageKindOf(m.message_class),
                                           m.sent_at, m.deliver_at,
                                           m.payload ? m.payload->Describe() : ""});
  });
  // Quorum.
  v.quorum.mode = kafka::ControlPlaneName(ControlPlaneOf(scenario_));
  for (std::int32_t id : directory_->voter_ids) {
    view::VoterView vv;
    vv.id = id;
    const NodeIndex n = directory_->NodeFor(id);
    vv.node = sim_->NodeName(n);
    if (kafka::KafkaRaftServer* s = RaftServer(n)) {
      const raft::RaftStatus st = s->raft().GetStatus();
      vv.alive = true;
      vv.role = raft::RoleName(st.role);
      vv.epoch = st.epoch;
      vv.voted_for = st.voted_for;
      vv.leader_id = st.leader_id;
      vv.log_end_offset = st.log_end_offset;
      vv.high_watermark = st.high_watermark;
      if (st.role == raft::Role::kLeader) {
        v.quorum.leader_id = id;
        v.quorum.epoch = st.epoch;
      }
    } else if (const auto d = disks_.find(n); d != disks_.end()) {
      vv.stale = ReadVoterDisk(d->second->disk(), vv);
    }
    v.quorum.voters.push_back(std::move(vv));
  }
  // ZooKeeper mode: the ensemble is the quorum (LOOKING / FOLLOWING / LEADING, epochs, zxids).
  for (NodeIndex n : zookeepers_) {
    view::VoterView vv;
    vv.node = sim_->NodeName(n);
    const auto* z = dynamic_cast<const zookeeper::ZkServerNode*>(sim_->GetNode(n));
    if (z != nullptr && z->server() != nullptr) {
      const zookeeper::ZkStatus st = z->server()->GetStatus();
      vv.id = static_cast<int>(st.server_id);
      vv.alive = true;
      vv.role = zookeeper::ServerStateName(st.state);
      vv.epoch = st.current_epoch;
      vv.voted_for = static_cast<int>(st.leader);
      vv.leader_id = st.phase == zookeeper::ZabPhase::kBroadcast ? static_cast<int>(st.leader) : -1;
      vv.log_end_offset = st.last_logged_zxid;
      vv.high_watermark = st.last_committed_zxid;
      if (st.state == zookeeper::ServerState::kLeading && z->server()->serving()) {
        v.quorum.leader_id = vv.id;
        v.quorum.epoch = st.current_epoch;
        v.quorum.zxid = zookeeper::ZxidHex(st.last_committed_zxid);
      }
    } else {
      vv.id = static_cast<int>(&n - zookeepers_.data()) + 1;
    }
    v.quorum.voters.push_back(std::move(vv));
  }
  AddZooKeeperView(v);
  AddGroupsView(v);
  int alive = 0;
  for (const auto& vv : v.quorum.voters) alive += vv.alive ? 1 : 0;
  // A strict majority: n/2 + 1 of n (2 of 3, 3 of 4: an even ensemble tolerates no more).
  v.quorum.has_quorum = zookeepers_.empty()
                            ? alive > static_cast<int>(directory_->voter_ids.size()) / 2
                            : v.quorum.leader_id >= 0;
  // Clients.
  for (const auto& [id, st] : history_->stats) {
    view::ClientView cv;
    cv.name = id;
    const NodeIndex n = sim_->FindNode(id);
    cv.running = n != kNoNode && sim_->GetNodeState(n) == NodeState::kRunning;
    const Client* c = scenario_.FindClient(id);
    const bool producer =
        c ? c->type == ClientType::kProducer : id.find("producer") != std::string::npos;
    cv.kind = producer ? "producer" : "consumer";
    if (c != nullptr) {
      cv.topic = c->topic;
      cv.acks = c->acks == Acks::kZero ? "0" : c->acks == Acks::kOne ? "1" : "all";
      cv.group = c->group.value_or("");
    }
    cv.sent = st.sent;
    cv.acknowledged = st.acknowledged;
    cv.failed = st.failed;
    cv.in_flight = st.in_flight;
    cv.last_error = st.last_error;
    cv.consumed = st.consumed;
    for (const auto& [topic, offsets] : st.positions) cv.positions.emplace_back(topic, offsets);
    v.clients.push_back(std::move(cv));
  }
  // Metrics, under Kafka's names, summed over the cluster as a dashboard shows them. The
  // "...PerSec" rates need history; the Runner adds them (scenario/metric_rates.h).
  // Partition gauges count what the leaders report, so an offline partition is only offline.
  const std::int64_t default_min_isr =
      scenario_.cluster.broker_config.GetLong("min.insync.replicas");
  // The leaders' high watermarks of the topics consumers have positions in, by topic, indexed
  // by partition (-1: no leader log to read).
  std::map<std::string, std::vector<std::int64_t>, std::less<>> high_watermarks;
  for (const view::ClientView& cv : v.clients) {
    for (const auto& [topic, offsets] : cv.positions) high_watermarks[topic];
  }
  double urp = 0, under_min = 0, offline = 0;
  for (auto& t : v.topics) {
    std::int64_t min_isr = default_min_isr;
    for (const auto& [k, val] : t.configs) {
      if (k == "min.insync.replicas") min_isr = std::atoll(val.c_str());
    }
    const auto wanted = high_watermarks.find(t.name);
    for (auto& p : t.partitions) {
      if (p.leader < 0) {
        ++offline;
        continue;
      }
      if (p.isr.size() < p.replicas.size()) ++urp;
      p.under_min_isr = static_cast<std::int64_t>(p.isr.size()) < min_isr;
      if (p.under_min_isr) ++under_min;
      if (wanted == high_watermarks.end()) continue;
      for (const auto& log : p.logs) {
        if (log.broker_id != p.leader || !log.online || p.partition < 0) continue;
        std::vector<std::int64_t>& hws = wanted->second;
        const auto at = static_cast<std::size_t>(p.partition);
        if (at >= hws.size()) hws.resize(at + 1, -1);
        hws[at] = log.high_watermark;
      }
    }
  }
  int active_controllers = 0;
  for (NodeIndex n : servers_) {
    if (kafka::KafkaNode* s = Server(n)) active_controllers += s->is_active_controller() ? 1 : 0;
  }
  // records-lag-max: a consumer's largest gap between a partition's high watermark and its
  // position, as the consumer's fetch manager reports it.
  double lag_max = 0;
  for (view::ClientView& cv : v.clients) {
    if (cv.kind != "consumer") continue;
    for (const auto& [topic, offsets] : cv.positions) {
      const auto hws = high_watermarks.find(topic);
      if (hws == high_watermarks.end()) continue;
      const std::size_t common = std::min(offsets.size(), hws->second.size());
      for (std::size_t at = 0; at < common; ++at) {
        const std::int64_t hw = hws->second[at];
        if (hw >= 0 && offsets[at] >= 0) cv.lag = std::max(cv.lag, hw - offsets[at]);
      }
    }
    lag_max = std::max(lag_max, static_cast<double>(cv.lag));
  }
  v.metrics["UnderReplicatedPartitions"] = urp;
  v.metrics["UnderMinIsrPartitionCount"] = under_min;
  v.metrics["OfflinePartitionsCount"] = offline;
  v.metrics["ActiveControllerCount"] = active_controllers;
  v.metrics["records-lag-max"] = lag_max;
}

}  // namespace kafkasim::scenario
