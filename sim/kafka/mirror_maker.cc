#include "kafka/mirror_maker.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/assert.h"
#include "kafka/configs.h"
#include "kafka/replica_log.h"
#include "kafka/trace_kinds.h"

namespace kafkasim::kafka {

namespace {

constexpr std::uint64_t kTimerTick = 1;
constexpr Duration kTick = Milliseconds(100);
// request.timeout.ms of Kafka's clients: an unanswered request is given up and sent again.
constexpr Duration kRequestTimeout = Milliseconds(30000);
// How long a CreateTopics that failed waits before it is tried again.
constexpr Duration kCreateRetry = Milliseconds(5000);
// Metadata is refreshed at least this often (a backstop: errors refresh it at once).
constexpr Duration kMetadataRefresh = Milliseconds(30000);
// Records fetched and not yet written downstream, a partition: the task stops fetching there
// until the producer catches up (the worker's buffer.memory, in records).
constexpr std::size_t kMaxBuffered = 500;
constexpr std::size_t kMaxBatch = 100;  // records a produce request

std::int32_t PartitionCount(const ClientMetadata& md, const std::string& topic) {
  const auto it = md.topics.find(topic);
  if (it == md.topics.end() || it->second.empty()) return 0;
  return it->second.rbegin()->first + 1;
}

}  // namespace

std::int64_t MirrorStats::Flow::Lag() const {
  std::int64_t lag = 0;
  for (const auto& [tp, p] : partitions) lag += p.lag();
  return lag;
}

MirrorMakerNode::MirrorMakerNode(
    NodeEnv& env, std::vector<MirrorFlowConfig> flows,
    std::map<std::string, std::shared_ptr<const ClusterDirectory>> clusters,
    std::shared_ptr<MirrorStats> stats)
    : env_(env), stats_(std::move(stats)) {
  KSIM_ASSERT(stats_ != nullptr);
  for (auto& [alias, directory] : clusters) links_[alias].directory = std::move(directory);
  stats_->flows.clear();
  for (MirrorFlowConfig& config : flows) {
    KSIM_ASSERT(links_.contains(config.source) && links_.contains(config.target));
    NameFilter topics(config.topics, config.topics_exclude);
    NameFilter groups(config.groups, config.groups_exclude);
    MirrorStats::Flow flow_stats;
    flow_stats.source = config.source;
    flow_stats.target = config.target;
    stats_->flows.push_back(std::move(flow_stats));
    flows_.push_back(FlowState{std::move(config),
                               std::move(topics),
                               std::move(groups),
                               {},
                               {},
                               {},
                               {},
                               {},
                               {},
                               {},
                               {},
                               {},
                               {},
                               {},
                               {},
                               {},
                               false,
                               {},
                               -1,
                               {},
                               -1,
                               {}});
  }
}

void MirrorMakerNode::OnStart() {
  const Time now = env_.Now();
  for (FlowState& f : flows_) {
    f.next_topics_refresh = now;
    f.next_groups_refresh = now;
    f.next_checkpoint = now + f.config.emit_checkpoints_interval;
    f.next_group_sync = now + f.config.sync_group_offsets_interval;
    f.next_config_sync = now;  // scheduleRepeating: first at once, then every interval
    f.next_heartbeat = now;
    f.next_flush = now + f.config.offset_flush_interval;
  }
  for (auto& [alias, link] : links_) RequestMetadata(alias);
  env_.SetTimer(kTick, kTimerTick);
}

void MirrorMakerNode::OnTimer(std::uint64_t tag) {
  if (tag != kTimerTick) return;
  Tick();
  env_.SetTimer(kTick, kTimerTick);
}

std::string MirrorMakerNode::ClusterOf(NodeIndex node) const {
  for (const auto& [alias, link] : links_) {
    if (link.directory->IdFor(node) >= 0) return alias;
  }
  return {};
}

void MirrorMakerNode::Warn(const std::string& key, const std::string& text) {
  if (!warned_.insert(key).second) return;
  env_.Emit(std::string(trace_kind::kMirrorWarn), {}, text);
}

void MirrorMakerNode::RequestMetadata(const std::string& cluster) {
  Link& link = LinkOf(cluster);
  if (link.metadata_in_flight && env_.Now() - link.metadata_sent_at < Milliseconds(1000)) return;
  if (link.metadata_in_flight) ++link.controller_cursor;  // that broker did not answer: next
  const std::vector<BrokerId>& candidates =
      link.metadata.live_brokers.empty() ? link.directory->broker_ids : link.metadata.live_brokers;
  if (candidates.empty()) return;
  const BrokerId broker = candidates[link.controller_cursor % candidates.size()];
  MetadataRequest request;
  request.correlation_id = next_correlation_++;
  link.metadata_in_flight = true;
  link.metadata_sent_at = env_.Now();
  env_.Send(link.directory->NodeFor(broker), std::make_shared<KafkaMessage>(request));
}

void MirrorMakerNode::EnsureTopic(const std::string& cluster, const std::string& topic,
                                  std::int32_t partitions, std::int32_t replication_factor,
                                  bool compacted,
                                  const std::vector<std::pair<std::string, std::string>>& configs) {
  Link& link = LinkOf(cluster);
  if (!link.has_metadata || partitions <= 0) return;
  const std::int32_t have = PartitionCount(link.metadata, topic);
  if (have >= partitions) return;
  const auto creating = link.creating.find(topic);
  if (creating != link.creating.end() && env_.Now() - creating->second < kCreateRetry) return;
  const NodeIndex controller = AdminTarget(cluster);
  if (controller == kNoNode) return;
  KafkaBody body;
  if (have == 0) {
    CreateTopicsRequest create;
    create.name = topic;
    create.partitions = partitions;
    create.replication_factor = replication_factor;
    if (compacted) create.configs.emplace_back("cleanup.policy", "compact");
    for (const auto& config : configs) create.configs.push_back(config);
    body = std::move(create);
  } else {
    // MirrorSourceConnector.refreshTopicPartitions: the remote topic grows with its source.
    body = CreatePartitionsRequest{topic, partitions};
  }
  link.creating[topic] = env_.Now();
  env_.Send(controller, std::make_shared<KafkaMessage>(std::move(body)));
}

// Admin requests go to the active controller; a node that is not answers NOT_CONTROLLER and
// the next one is asked (the KRaft voters, or in ZooKeeper mode the brokers).
NodeIndex MirrorMakerNode::AdminTarget(const std::string& cluster) {
  const Link& link = LinkOf(cluster);
  const std::vector<std::int32_t>& candidates =
      link.directory->voter_ids.empty() ? link.directory->broker_ids : link.directory->voter_ids;
  if (candidates.empty()) return kNoNode;
  return link.directory->NodeFor(candidates[link.admin_cursor % candidates.size()]);
}

// MirrorSourceConnector.syncTopicConfigs: describe the replicated source topics (those whose
// remote topic exists), then alter each remote topic to match (AlterRemoteConfigs).
void MirrorMakerNode::SyncTopicConfigs(int flow) {
  FlowState& f = flows_[static_cast<std::size_t>(flow)];
  if (f.sync_correlation >= 0 && env_.Now() - f.sync_sent_at < kRequestTimeout) return;
  Link& source = LinkOf(f.config.source);
  if (!source.has_metadata) return;
  std::vector<std::string> topics;
  for (const auto& [topic, partitions] : source.metadata.topics) {
    const std::string remote = mirror_policy::FormatRemoteTopic(f.config.source, topic);
    if (StatsOf(flow).remote_topics.contains(remote)) topics.push_back(topic);
  }
  if (topics.empty()) return;
  const std::vector<BrokerId>& candidates = source.metadata.live_brokers.empty()
                                                ? source.directory->broker_ids
                                                : source.metadata.live_brokers;
  if (candidates.empty()) return;
  const BrokerId broker = candidates[source.controller_cursor % candidates.size()];
  f.sync_correlation = next_correlation_++;
  f.sync_sent_at = env_.Now();
  env_.Send(source.directory->NodeFor(broker),
            std::make_shared<KafkaMessage>(DescribeConfigsRequest{f.sync_correlation, topics}));
}

// incrementalAlterConfigs(targetConfig(sourceConfig, true)): every topic config the filter lets
// through is SET to the source's override, or DELETEd where the source has none (isDefault, and
// use.defaults.from=target: the target's default applies). The controller writes only what
// changes.
void MirrorMakerNode::AlterRemoteConfigs(int flow, const DescribeConfigsResponse& described) {
  FlowState& f = flows_[static_cast<std::size_t>(flow)];
  const NameFilter filter(kTopicsIncludeDefault, f.config.config_properties_exclude);
  Link& target = LinkOf(f.config.target);
  for (const auto& [topic, configs] : described.configs) {
    const std::string remote = mirror_policy::FormatRemoteTopic(f.config.source, topic);
    if (PartitionCount(target.metadata, remote) == 0) continue;
    const auto altering = target.altering.find(remote);
    if (altering != target.altering.end() &&
        env_.Now() - altering->second.second < kRequestTimeout) {
      continue;
    }
    IncrementalAlterConfigsRequest request;
    request.topic = remote;
    for (const ConfigSpec& spec : TopicConfigSpecs()) {
      const std::string name(spec.name);
      if (!filter.Passes(name)) continue;
      const auto it = configs.find(name);
      request.changes[name] =
          it == configs.end() ? std::nullopt : std::optional<std::string>(it->second);
    }
    for (const auto& [name, value] : configs) {
      if (filter.Passes(name)) request.changes[name] = value;
    }
    const NodeIndex controller = AdminTarget(f.config.target);
    if (controller == kNoNode) return;
    target.altering[remote] = {flow, env_.Now()};
    env_.Send(controller, std::make_shared<KafkaMessage>(std::move(request)));
  }
}

void MirrorMakerNode::RefreshTopics(int flow) {
  FlowState& f = flows_[static_cast<std::size_t>(flow)];
  const MirrorFlowConfig& c = f.config;
  Link& source = LinkOf(c.source);
  if (!source.has_metadata) return;
  // The three connectors' own topics: offset syncs in the source (offset-syncs.topic.location
  // = source), checkpoints and heartbeats in the target; one partition each, compacted.
  if (c.emit_checkpoints_enabled) {
    const std::string syncs = mirror_policy::OffsetSyncsTopic(c.target);
    EnsureTopic(c.source, syncs, 1, c.offset_syncs_topic_replication_factor, true);
    Reader reader;
    reader.cluster = c.source;
    reader.tp = {syncs, 0};
    reader.flow = flow;
    reader.syncs = true;
    readers_.try_emplace({c.source, reader.tp}, reader);
    EnsureTopic(c.target, mirror_policy::CheckpointsTopic(c.source), 1,
                c.checkpoints_topic_replication_factor, true);
  }
  if (c.emit_heartbeats_enabled) {
    EnsureTopic(c.target, mirror_policy::kHeartbeatsTopic, 1, c.heartbeats_topic_replication_factor,
                true);
  }
  std::vector<std::string> to_describe;
  static const std::vector<std::pair<std::string, std::string>> kNoConfigs;
  for (const auto& [topic, partitions] : source.metadata.topics) {
    if (!ShouldReplicateTopic(f.topics, topic, c.target, c.heartbeats_replication_enabled)) {
      continue;
    }
    const std::string remote = mirror_policy::FormatRemoteTopic(c.source, topic);
    const bool exists = PartitionCount(LinkOf(c.target).metadata, remote) > 0;
    const auto configs = f.source_configs.find(topic);
    if (!exists && configs == f.source_configs.end()) {
      // createNewTopics describes the source topics first: the remote one takes their configs.
      to_describe.push_back(topic);
      continue;
    }
    EnsureTopic(c.target, remote, PartitionCount(source.metadata, topic), c.replication_factor,
                false, configs == f.source_configs.end() ? kNoConfigs : configs->second);
    if (PartitionCount(LinkOf(c.target).metadata, remote) > 0) {
      StatsOf(flow).remote_topics.insert(remote);
    }
    for (const auto& [p, md] : partitions) {
      Reader reader;
      reader.cluster = c.source;
      reader.tp = {topic, p};
      reader.flow = flow;
      readers_.try_emplace({c.source, reader.tp}, reader);
      StatsOf(flow).partitions.try_emplace(reader.tp);
    }
  }
  if (!to_describe.empty()) DescribeSourceConfigs(flow, std::move(to_describe));
}

// MirrorSourceConnector.describeTopicConfigs, to one source broker; asked again after
// request.timeout.ms without an answer.
void MirrorMakerNode::DescribeSourceConfigs(int flow, std::vector<std::string> topics) {
  FlowState& f = flows_[static_cast<std::size_t>(flow)];
  if (f.describe_correlation >= 0 && env_.Now() - f.describe_sent_at < kRequestTimeout) return;
  Link& link = LinkOf(f.config.source);
  const std::vector<BrokerId>& candidates =
      link.metadata.live_brokers.empty() ? link.directory->broker_ids : link.metadata.live_brokers;
  if (candidates.empty()) return;
  const BrokerId broker = candidates[link.controller_cursor % candidates.size()];
  f.describe_correlation = next_correlation_++;
  f.describe_sent_at = env_.Now();
  env_.Send(link.directory->NodeFor(broker), std::make_shared<KafkaMessage>(DescribeConfigsRequest{
                                                 f.describe_correlation, std::move(topics)}));
}

void MirrorMakerNode::Tick() {
  const Time now = env_.Now();
  for (auto& [alias, link] : links_) {
    if (!link.has_metadata || now - link.metadata_sent_at >= kMetadataRefresh) {
      RequestMetadata(alias);
    }
  }
  for (std::size_t i = 0; i < flows_.size(); ++i) {
    FlowState& f = flows_[i];
    const int flow = static_cast<int>(i);
    // Topics found at each refresh (refresh.topics.interval.seconds); the ones found are kept
    // created, and grown, on every tick.
    if (now >= f.next_topics_refresh && LinkOf(f.config.source).has_metadata) {
      f.next_topics_refresh = now + f.config.refresh_topics_interval;
      RequestMetadata(f.config.source);
    }
    RefreshTopics(flow);
    if (f.config.emit_heartbeats_enabled && now >= f.next_heartbeat) {
      f.next_heartbeat = now + f.config.emit_heartbeats_interval;
      const TopicPartition tp{mirror_policy::kHeartbeatsTopic, 0};
      const auto lane = lanes_.find({f.config.target, tp});
      if (lane == lanes_.end() || lane->second.queue.size() < kMaxBuffered) {
        // MirrorHeartbeatTask.poll: one Heartbeat(source, target, now) a beat.
        ProducedRecord heartbeat{EncodeHeartbeatKey(f.config.source, f.config.target),
                                 EncodeHeartbeatValue(now.Millis()), now.Millis()};
        Enqueue(f.config.target, tp, Outgoing{std::move(heartbeat), -1});
        ++StatsOf(flow).heartbeats;
      }
    }
    if (now >= f.next_flush) {
      // WorkerSourceTask's offset flush commits the task (MirrorSourceTask.commit): the delayed
      // offset syncs go out.
      f.next_flush = now + f.config.offset_flush_interval;
      for (auto& [tp, sync] : f.delayed_syncs) f.pending_syncs[tp] = sync;
      f.delayed_syncs.clear();
      FirePendingSyncs(f);
    }
    if (f.config.emit_checkpoints_enabled && now >= f.next_groups_refresh &&
        LinkOf(f.config.source).has_metadata) {
      f.next_groups_refresh = now + f.config.refresh_groups_interval;
      ListGroups(flow);
    }
    if (f.config.emit_checkpoints_enabled && now >= f.next_checkpoint) {
      f.next_checkpoint = now + f.config.emit_checkpoints_interval;
      if (f.store.read_to_end()) {
        for (const std::string& group : f.known_groups) {
          StartGroupCall(GroupCall{GroupCall::Kind::kSourceOffsets,
                                   flow,
                                   group,
                                   f.config.source,
                                   kNoLeader,
                                   -1,
                                   {},
                                   {}});
        }
      }
    }
    if (f.config.sync_topic_configs_enabled && now >= f.next_config_sync) {
      f.next_config_sync = now + f.config.sync_topic_configs_interval;
      SyncTopicConfigs(flow);
    }
    if (f.config.emit_checkpoints_enabled && f.config.sync_group_offsets_enabled &&
        now >= f.next_group_sync) {
      f.next_group_sync = now + f.config.sync_group_offsets_interval;
      for (const auto& [group, checkpoints] : f.last_checkpoints) {
        StartGroupCall(GroupCall{
            GroupCall::Kind::kTargetOffsets, flow, group, f.config.target, kNoLeader, -1, {}, {}});
      }
    }
  }
  // Requests nobody answered within request.timeout.ms are given up.
  for (auto it = group_calls_.begin(); it != group_calls_.end();) {
    it = now - it->second.sent_at >= kRequestTimeout ? group_calls_.erase(it) : std::next(it);
  }
  for (auto it = finding_.begin(); it != finding_.end();) {
    it = now - it->second.sent_at >= kRequestTimeout ? finding_.erase(it) : std::next(it);
  }
  for (auto& [key, lane] : lanes_) {
    if (!lane.in_flight.empty() && now - lane.sent_at >= kRequestTimeout) {
      produce_in_flight_.erase(lane.correlation);
      lane.correlation = -1;
      for (auto r = lane.in_flight.rbegin(); r != lane.in_flight.rend(); ++r) {
        lane.queue.push_front(std::move(*r));
      }
      lane.in_flight.clear();
      RequestMetadata(lane.cluster);
    }
  }
  for (auto& [key, reader] : readers_) {
    if (reader.list_in_flight && now - reader.list_sent_at >= kRequestTimeout) {
      reader.list_in_flight = false;
    }
  }
  for (auto& [alias, link] : links_) Fetch(alias);
  Produce();
}

void MirrorMakerNode::Fetch(const std::string& cluster) {
  Link& link = LinkOf(cluster);
  std::map<BrokerId, FetchRequest> by_leader;
  for (auto& [key, reader] : readers_) {
    if (reader.cluster != cluster) continue;
    const BrokerId leader = link.metadata.LeaderOf(reader.tp.topic, reader.tp.partition);
    if (leader < 0) continue;
    if (reader.position < 0) {
      // auto.offset.reset=earliest, MirrorSourceTask's consumer default: a flow copies the
      // whole topic.
      if (!reader.list_in_flight) {
        reader.list_in_flight = true;
        reader.list_sent_at = env_.Now();
        env_.Send(link.directory->NodeFor(leader),
                  std::make_shared<KafkaMessage>(ListOffsetsRequest{
                      next_correlation_++, reader.tp.topic, reader.tp.partition, true}));
      }
      continue;
    }
    if (!reader.syncs) {
      const FlowState& f = flows_[static_cast<std::size_t>(reader.flow)];
      const auto lane =
          lanes_.find({f.config.target,
                       {mirror_policy::FormatRemoteTopic(f.config.source, reader.tp.topic),
                        reader.tp.partition}});
      if (lane != lanes_.end() &&
          lane->second.queue.size() + lane->second.in_flight.size() >= kMaxBuffered) {
        continue;  // the producer is behind: no more fetching here until it catches up
      }
    }
    FetchPartition fp;
    fp.topic = reader.tp.topic;
    fp.partition = reader.tp.partition;
    fp.fetch_offset = reader.position;
    by_leader[leader].partitions.push_back(fp);
  }
  for (auto& [leader, request] : by_leader) {
    const auto in = link.fetch_in_flight.find(leader);
    if (in != link.fetch_in_flight.end() && env_.Now() - in->second.second < kRequestTimeout) {
      continue;
    }
    request.correlation_id = next_correlation_++;
    request.replica_id = -1;
    link.fetch_in_flight[leader] = {request.correlation_id, env_.Now()};
    env_.Send(link.directory->NodeFor(leader), std::make_shared<KafkaMessage>(request));
  }
}

void MirrorMakerNode::Enqueue(const std::string& cluster, const TopicPartition& tp, Outgoing out,
                              int flow, const TopicPartition& source) {
  auto [it, inserted] = lanes_.try_emplace({cluster, tp});
  Lane& lane = it->second;
  if (inserted) {
    lane.cluster = cluster;
    lane.tp = tp;
    lane.flow = flow;
    lane.source = source;
  }
  lane.queue.push_back(std::move(out));
}

void MirrorMakerNode::Produce() {
  for (auto& [key, lane] : lanes_) {
    if (!lane.in_flight.empty() || lane.queue.empty()) continue;
    Link& link = LinkOf(lane.cluster);
    const BrokerId leader = link.metadata.LeaderOf(lane.tp.topic, lane.tp.partition);
    if (leader < 0) {
      RequestMetadata(lane.cluster);
      continue;
    }
    std::vector<ProducedRecord> records;
    while (!lane.queue.empty() && lane.in_flight.size() < kMaxBatch) {
      records.push_back(lane.queue.front().record);
      lane.in_flight.push_back(std::move(lane.queue.front()));
      lane.queue.pop_front();
    }
    ProduceRequest request;
    request.correlation_id = next_correlation_++;
    request.topic = lane.tp.topic;
    request.partition = lane.tp.partition;
    request.acks = -1;
    request.timeout = kRequestTimeout;
    request.records = BuildRecordBatch(records);
    lane.correlation = request.correlation_id;
    lane.sent_at = env_.Now();
    produce_in_flight_[request.correlation_id] = key;
    env_.Send(link.directory->NodeFor(leader), std::make_shared<KafkaMessage>(request));
  }
}

void MirrorMakerNode::OnProduceResponse(const ProduceResponse& response) {
  const auto key = produce_in_flight_.find(response.correlation_id);
  if (key == produce_in_flight_.end()) return;
  Lane& lane = lanes_.at(key->second);
  produce_in_flight_.erase(key);
  if (lane.correlation != response.correlation_id) return;
  lane.correlation = -1;
  if (response.error != Errc::kNone) {
    // Connect's producer retries without end (delivery.timeout.ms is Integer.MAX_VALUE for
    // source tasks): the same records go again once the leader is known.
    Warn(fmt::format("produce {} {}", lane.tp.ToString(), ErrcName(response.error)),
         fmt::format("producing to {} in {} failed with {}; retrying", lane.tp.ToString(),
                     lane.cluster, ErrcName(response.error)));
    for (auto r = lane.in_flight.rbegin(); r != lane.in_flight.rend(); ++r) {
      lane.queue.push_front(std::move(*r));
    }
    lane.in_flight.clear();
    RequestMetadata(lane.cluster);
    return;
  }
  std::vector<Outgoing> done = std::move(lane.in_flight);
  lane.in_flight.clear();
  for (std::size_t i = 0; i < done.size(); ++i) {
    if (lane.flow < 0 || done[i].upstream < 0) continue;
    OnReplicated(lane.flow, lane.source, done[i].upstream,
                 response.base_offset + static_cast<std::int64_t>(i));
  }
}

// MirrorSourceTask.commitRecord: a record is written downstream; maybe an offset sync.
void MirrorMakerNode::OnReplicated(int flow, const TopicPartition& source, std::int64_t upstream,
                                   std::int64_t downstream) {
  FlowState& f = flows_[static_cast<std::size_t>(flow)];
  MirrorStats::Flow& s = StatsOf(flow);
  ++s.records;
  MirrorStats::Partition& p = s.partitions[source];
  p.replicated = std::max(p.replicated, upstream + 1);
  auto state = f.sync_states.try_emplace(source, f.config.offset_lag_max).first;
  const OffsetSync sync{source, upstream, downstream};
  if (state->second.Update(upstream, downstream)) {
    f.delayed_syncs.erase(source);
    f.pending_syncs[source] = sync;
    state->second.Reset();
  } else {
    f.delayed_syncs[source] = sync;
  }
  FirePendingSyncs(f);
}

void MirrorMakerNode::FirePendingSyncs(FlowState& f) {
  if (!f.config.emit_checkpoints_enabled) return;  // emit.offset-syncs.enabled follows it here
  const TopicPartition tp{mirror_policy::OffsetSyncsTopic(f.config.target), 0};
  for (const auto& [source, sync] : f.pending_syncs) {
    ProducedRecord record{EncodeOffsetSyncKey(source),
                          EncodeOffsetSyncValue(sync.upstream, sync.downstream),
                          env_.Now().Millis()};
    Enqueue(f.config.source, tp, Outgoing{std::move(record), -1});
  }
  f.pending_syncs.clear();
}

void MirrorMakerNode::ListGroups(int flow) {
  const FlowState& f = flows_[static_cast<std::size_t>(flow)];
  Link& link = LinkOf(f.config.source);
  std::set<BrokerId> asked;
  for (const BrokerId broker : link.metadata.live_brokers) {
    const std::int64_t correlation = next_correlation_++;
    asked.insert(broker);
    list_groups_[correlation] = {flow, {broker}};
    env_.Send(link.directory->NodeFor(broker),
              std::make_shared<KafkaMessage>(ListGroupsRequest{correlation}));
  }
}

void MirrorMakerNode::StartGroupCall(GroupCall call) {
  Link& link = LinkOf(call.cluster);
  if (link.metadata.live_brokers.empty()) return;
  const BrokerId broker =
      link.metadata.live_brokers[link.controller_cursor % link.metadata.live_brokers.size()];
  const std::int64_t correlation = next_correlation_++;
  call.sent_at = env_.Now();
  const std::string group = call.group;
  finding_.emplace(correlation, std::move(call));
  env_.Send(link.directory->NodeFor(broker),
            std::make_shared<KafkaMessage>(FindCoordinatorRequest{correlation, group}));
}

void MirrorMakerNode::SendGroupCall(GroupCall& call) {
  Link& link = LinkOf(call.cluster);
  GroupRequestMessage message;
  message.correlation_id = next_correlation_++;
  if (call.kind == GroupCall::Kind::kTargetCommit) {
    // Admin.alterConsumerGroupOffsets: a commit outside any membership, which the coordinator
    // takes only while the group is empty (a group consuming in the target is left alone).
    OffsetCommitRequest commit;
    commit.group_id = call.group;
    commit.generation_id = -1;
    for (const auto& [tp, offset] : call.commit) {
      commit.partitions.push_back(OffsetCommitPartition{tp.topic, tp.partition, offset, -1, ""});
    }
    message.request = std::move(commit);
  } else {
    message.request = OffsetFetchRequest{call.group, std::nullopt};
  }
  call.correlation = message.correlation_id;
  call.sent_at = env_.Now();
  env_.Send(link.directory->NodeFor(call.coordinator),
            std::make_shared<KafkaMessage>(std::move(message)));
  group_calls_.emplace(call.correlation, std::move(call));
}

// MirrorCheckpointTask.checkpointsForGroup: translate each committed offset the topic filter
// passes; emit the checkpoints that are more recent than the last one.
void MirrorMakerNode::OnSourceOffsets(GroupCall& call, const OffsetFetchResponse& response) {
  FlowState& f = flows_[static_cast<std::size_t>(call.flow)];
  if (response.error != Errc::kNone) return;
  for (const auto& [tp, committed] : response.partitions) {
    if (committed.offset < 0 || !f.topics.Passes(tp.topic)) continue;
    const std::optional<std::int64_t> downstream =
        f.store.TranslateDownstream(tp, committed.offset);
    if (!downstream || *downstream < 0) continue;
    Checkpoint checkpoint{call.group, RenameTopicPartition(f.config.source, f.config.target, tp),
                          committed.offset, *downstream, committed.metadata};
    auto& last_for_group = f.last_checkpoints[call.group];
    const auto last = last_for_group.find(checkpoint.remote);
    if (!CheckpointIsMoreRecent(
            last == last_for_group.end() ? std::nullopt : std::optional<Checkpoint>(last->second),
            checkpoint)) {
      continue;
    }
    last_for_group[checkpoint.remote] = checkpoint;
    stats_->checkpoints_by_flow[f.config.Name()][call.group][checkpoint.remote] = checkpoint;
    ++StatsOf(call.flow).checkpoints;
    ProducedRecord record{
        EncodeCheckpointKey(call.group, checkpoint.remote),
        EncodeCheckpointValue(checkpoint.upstream, checkpoint.downstream, checkpoint.metadata),
        env_.Now().Millis()};
    Enqueue(f.config.target, {mirror_policy::CheckpointsTopic(f.config.source), 0},
            Outgoing{std::move(record), -1});
    env_.Emit(std::string(trace_kind::kMirrorCheckpoint),
              {{"group", call.group}, {"partition", checkpoint.remote.ToString()}},
              fmt::format("{}: {}", f.config.Name(), checkpoint.ToString()));
  }
}

// MirrorCheckpointTask.syncGroupOffset: commit the translated offsets the target's group has
// not gone past.
void MirrorMakerNode::OnTargetOffsets(GroupCall& call, const OffsetFetchResponse& response) {
  FlowState& f = flows_[static_cast<std::size_t>(call.flow)];
  if (response.error != Errc::kNone) return;
  std::map<TopicPartition, std::int64_t> target;
  for (const auto& [tp, committed] : response.partitions) {
    if (committed.offset >= 0) target[tp] = committed.offset;
  }
  std::map<TopicPartition, std::int64_t> commit;
  for (const auto& [tp, checkpoint] : f.last_checkpoints[call.group]) {
    const auto have = target.find(tp);
    if (have != target.end() && have->second >= checkpoint.downstream) continue;
    commit[tp] = checkpoint.downstream;
  }
  if (commit.empty()) return;
  GroupCall next = call;
  next.kind = GroupCall::Kind::kTargetCommit;
  next.commit = std::move(commit);
  SendGroupCall(next);
}

void MirrorMakerNode::OnGroupResponse(const GroupResponseMessage& response) {
  const auto it = group_calls_.find(response.correlation_id);
  if (it == group_calls_.end()) return;
  GroupCall call = std::move(it->second);
  group_calls_.erase(it);
  if (const auto* fetched = std::get_if<OffsetFetchResponse>(&response.response)) {
    if (call.kind == GroupCall::Kind::kSourceOffsets) {
      OnSourceOffsets(call, *fetched);
    } else {
      OnTargetOffsets(call, *fetched);
    }
  } else if (const auto* committed = std::get_if<OffsetCommitResponse>(&response.response)) {
    const FlowState& f = flows_[static_cast<std::size_t>(call.flow)];
    if (committed->error == Errc::kNone) {
      StatsOf(call.flow).group_offsets_synced += static_cast<std::int64_t>(call.commit.size());
      std::string offsets;
      for (const auto& [tp, offset] : call.commit) {
        offsets += fmt::format("{}{}={}", offsets.empty() ? "" : ", ", tp.ToString(), offset);
      }
      env_.Emit(std::string(trace_kind::kMirrorGroupSync), {{"group", call.group}},
                fmt::format("{}: synced group {} in {}: {}", f.config.Name(), call.group,
                            f.config.target, offsets));
    } else {
      Warn(fmt::format("sync {} {}", call.group, ErrcName(committed->error)),
           fmt::format("{}: not syncing group {} in {}: {} (the group is active there)",
                       f.config.Name(), call.group, f.config.target, ErrcName(committed->error)));
    }
  }
}

void MirrorMakerNode::OnFetchResponse(const std::string& cluster, const FetchResponse& response) {
  Link& link = LinkOf(cluster);
  for (auto it = link.fetch_in_flight.begin(); it != link.fetch_in_flight.end(); ++it) {
    if (it->second.first == response.correlation_id) {
      link.fetch_in_flight.erase(it);
      break;
    }
  }
  for (const FetchedPartition& fp : response.partitions) {
    const auto found = readers_.find({cluster, {fp.topic, fp.partition}});
    if (found == readers_.end()) continue;
    Reader& reader = found->second;
    FlowState& f = flows_[static_cast<std::size_t>(reader.flow)];
    if (fp.error == Errc::kOffsetOutOfRange) {
      reader.position = -1;
      continue;
    }
    if (fp.error != Errc::kNone) {
      RequestMetadata(cluster);
      continue;
    }
    if (!reader.syncs) {
      StatsOf(reader.flow).partitions[reader.tp].source_end = fp.high_watermark;
    }
    if (!fp.records.empty()) {
      Result<std::vector<ConsumedRecord>> records = DecodeBatches(fp.records);
      KSIM_ASSERT_MSG(records.ok(), records.status().ToString());
      for (const ConsumedRecord& r : *records) {
        if (r.offset < reader.position) continue;
        reader.position = r.offset + 1;
        if (reader.syncs) {
          if (r.key && r.value) {
            if (const std::optional<OffsetSync> sync = DecodeOffsetSync(*r.key, *r.value)) {
              f.store.Sync(*sync);
            }
          }
          continue;
        }
        const TopicPartition remote{mirror_policy::FormatRemoteTopic(f.config.source, fp.topic),
                                    fp.partition};
        Enqueue(f.config.target, remote,
                Outgoing{ProducedRecord{r.key, r.value, r.timestamp_ms}, r.offset}, reader.flow,
                reader.tp);
      }
      reader.position = std::max(reader.position, NextOffsetAfter(fp.records));
    }
    // The checkpoint task translates nothing until it has read the syncs topic to its end once.
    if (reader.syncs && !f.store.read_to_end() && reader.position >= fp.high_watermark) {
      f.store.SetReadToEnd();
    }
  }
}

void MirrorMakerNode::OnMessage(const Message& message) {
  const auto* k = message.As<KafkaMessage>();
  if (k == nullptr) return;
  const std::string cluster = ClusterOf(message.from);
  if (cluster.empty()) return;
  Link& link = LinkOf(cluster);
  if (const auto* md = k->Get<MetadataResponse>()) {
    link.metadata_in_flight = false;
    link.has_metadata = true;
    ApplyMetadata(link.metadata, *md);
  } else if (const auto* f = k->Get<FetchResponse>()) {
    OnFetchResponse(cluster, *f);
  } else if (const auto* p = k->Get<ProduceResponse>()) {
    OnProduceResponse(*p);
  } else if (const auto* lo = k->Get<ListOffsetsResponse>()) {
    const auto found = readers_.find({cluster, {lo->topic, lo->partition}});
    if (found == readers_.end()) return;
    found->second.list_in_flight = false;
    if (lo->error == Errc::kNone) {
      found->second.position = lo->offset;
    } else {
      RequestMetadata(cluster);
    }
  } else if (const auto* admin = k->Get<AdminResponse>()) {
    if (admin->topic.empty()) return;
    if (const auto altering = link.altering.find(admin->topic);
        altering != link.altering.end() && !link.creating.contains(admin->topic)) {
      // The answer to a config sync: a failure waits for the next interval (Kafka logs "Could
      // not alter configuration of topic").
      const int flow = altering->second.first;
      link.altering.erase(altering);
      if (admin->error == Errc::kNotController) {
        ++link.admin_cursor;
      } else if (admin->error == Errc::kNone) {
        ++StatsOf(flow).topic_configs_synced;
      } else {
        Warn(fmt::format("alter {} {}", admin->topic, ErrcName(admin->error)),
             fmt::format("Could not alter configuration of topic {} in {}: {} {}", admin->topic,
                         cluster, ErrcName(admin->error), admin->message));
      }
      return;
    }
    if (admin->error == Errc::kNotController) {
      // Ask the next candidate, once per candidate that said no (several answers may come
      // back from the same one).
      const std::vector<std::int32_t>& candidates = link.directory->voter_ids.empty()
                                                        ? link.directory->broker_ids
                                                        : link.directory->voter_ids;
      if (!candidates.empty() && link.directory->IdFor(message.from) ==
                                     candidates[link.admin_cursor % candidates.size()]) {
        ++link.admin_cursor;
      }
      link.creating.erase(admin->topic);
      return;
    }
    if (admin->error == Errc::kNone) {
      link.creating.erase(admin->topic);
      env_.Emit(std::string(trace_kind::kMirrorTopic), {{"topic", admin->topic}},
                fmt::format("created topic {} in {}", admin->topic, cluster));
      RequestMetadata(cluster);
    } else if (admin->error == Errc::kTopicAlreadyExists) {
      link.creating.erase(admin->topic);
      RequestMetadata(cluster);
    } else {
      Warn(fmt::format("create {} {}", admin->topic, ErrcName(admin->error)),
           fmt::format("creating topic {} in {} failed: {} {}", admin->topic, cluster,
                       ErrcName(admin->error), admin->message));
    }
  } else if (const auto* described = k->Get<DescribeConfigsResponse>()) {
    for (FlowState& fs : flows_) {
      if (fs.sync_correlation == described->correlation_id) {
        fs.sync_correlation = -1;
        AlterRemoteConfigs(static_cast<int>(&fs - flows_.data()), *described);
        continue;
      }
      if (fs.describe_correlation != described->correlation_id) continue;
      fs.describe_correlation = -1;
      // targetConfig(sourceConfig, false): the source's non-default configs that
      // config.properties.exclude lets through (DefaultConfigPropertyFilter).
      const NameFilter filter(kTopicsIncludeDefault, fs.config.config_properties_exclude);
      for (const auto& [topic, configs] : described->configs) {
        auto& kept = fs.source_configs[topic];
        kept.clear();
        for (const auto& [name, value] : configs) {
          if (filter.Passes(name)) kept.emplace_back(name, value);
        }
      }
      for (const std::string& topic : described->unknown) fs.source_configs.erase(topic);
      RefreshTopics(static_cast<int>(&fs - flows_.data()));
    }
  } else if (const auto* listed = k->Get<ListGroupsResponse>()) {
    const auto it = list_groups_.find(listed->correlation_id);
    if (it == list_groups_.end()) return;
    FlowState& fs = flows_[static_cast<std::size_t>(it->second.first)];
    list_groups_.erase(it);
    for (const auto& [id, protocol_type] : listed->groups) {
      // listConsumerGroups: groups of the consumer protocol type, through the group filter.
      if (protocol_type == "consumer" && fs.groups.Passes(id)) fs.known_groups.insert(id);
    }
  } else if (const auto* found = k->Get<FindCoordinatorResponse>()) {
    const auto it = finding_.find(found->correlation_id);
    if (it == finding_.end()) return;
    GroupCall call = std::move(it->second);
    finding_.erase(it);
    if (found->error != Errc::kNone || found->node_id < 0) return;  // next interval
    call.coordinator = found->node_id;
    SendGroupCall(call);
  } else if (const auto* g = k->Get<GroupResponseMessage>()) {
    OnGroupResponse(*g);
  }
}

void MirrorMakerNode::OnDisconnect(NodeIndex peer) {
  const std::string cluster = ClusterOf(peer);
  if (cluster.empty()) return;
  Link& link = LinkOf(cluster);
  const BrokerId broker = link.directory->IdFor(peer);
  link.fetch_in_flight.erase(broker);
  // Requests in flight to it are lost: the produce lanes retry after a metadata refresh.
  for (auto& [key, lane] : lanes_) {
    if (lane.cluster != cluster || lane.in_flight.empty() ||
        link.metadata.LeaderOf(lane.tp.topic, lane.tp.partition) != broker) {
      continue;
    }
    produce_in_flight_.erase(lane.correlation);
    lane.correlation = -1;
    for (auto r = lane.in_flight.rbegin(); r != lane.in_flight.rend(); ++r) {
      lane.queue.push_front(std::move(*r));
    }
    lane.in_flight.clear();
  }
  link.metadata_in_flight = false;
  RequestMetadata(cluster);
}

}  // namespace kafkasim::kafka
