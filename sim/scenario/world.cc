// Building a simulated cluster from a scenario and running commands against it.
#include "scenario/world.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <atomic>
#include <iterator>
#include <map>
#include <optional>
#include <ranges>

#include "engine/assert.h"
#include "engine/mirrored_file_system.h"
#include "engine/sim_file_system.h"
#include "kafka/clients.h"
#include "scenario/server_properties.h"
#include "scenario/trace_kinds.h"
#include "zookeeper/zk_server_node.h"

namespace kafkasim::scenario {
namespace {

kafka::ServerConfig ServerConfigFor(const Scenario& s, const NodeSpec& node) {
  kafka::ServerConfig c;
  c.node_id = node.node_id;
  c.broker = node.role != NodeRole::kController;
  c.controller = node.role != NodeRole::kBroker && s.cluster.mode == ClusterMode::kKraft;
  c.rack = node.rack.value_or("");
  c.advertised_host = HostOf(s, node);
  // Every config comes from the catalogue (kafka/configs.h): its value or Kafka's default.
  const ConfigMap& b = s.cluster.broker_config;
  const ConfigMap& ctl = s.cluster.controller_config;
  kafka::BrokerSettings& bs = c.broker_settings;
  bs.replica_lag_time_max_ms = b.GetLong("replica.lag.time.max.ms");
  bs.replica_fetch_wait_max_ms = b.GetLong("replica.fetch.wait.max.ms");
  bs.replica_fetch_max_bytes = static_cast<std::int32_t>(b.GetLong("replica.fetch.max.bytes"));
  bs.replica_fetch_backoff_ms = b.GetLong("replica.fetch.backoff.ms");
  bs.log_retention_check_interval_ms = b.GetLong("log.retention.check.interval.ms");
  bs.min_insync_replicas = static_cast<std::int32_t>(b.GetLong("min.insync.replicas"));
  bs.broker_heartbeat_interval_ms = b.GetLong("broker.heartbeat.interval.ms");
  bs.request_timeout_ms = b.GetLong("request.timeout.ms");
  bs.replica_high_watermark_checkpoint_interval_ms =
      b.GetLong("replica.high.watermark.checkpoint.interval.ms");
  bs.log_flush_offset_checkpoint_interval_ms = b.GetLong("log.flush.offset.checkpoint.interval.ms");
  bs.log_flush_start_offset_checkpoint_interval_ms =
      b.GetLong("log.flush.start.offset.checkpoint.interval.ms");
  bs.log_initial_task_delay_ms = b.GetLong("log.initial.task.delay.ms");
  bs.log_dirs = LogDirOf(s, node);
  c.format_on_first_start = !s.cluster.manual_format;
  bs.log_cleaner_enable = b.GetBool("log.cleaner.enable");
  bs.log_cleaner_backoff_ms = b.GetLong("log.cleaner.backoff.ms");
  c.zookeeper_session_timeout_ms = b.GetLong("zookeeper.session.timeout.ms");
  auto int32 = [&b](const char* name) { return static_cast<std::int32_t>(b.GetLong(name)); };
  bs.group.offsets_topic_num_partitions = int32("offsets.topic.num.partitions");
  bs.group.group_initial_rebalance_delay_ms = int32("group.initial.rebalance.delay.ms");
  bs.group.group_min_session_timeout_ms = int32("group.min.session.timeout.ms");
  bs.group.group_max_session_timeout_ms = int32("group.max.session.timeout.ms");
  bs.offsets_topic_replication_factor = int32("offsets.topic.replication.factor");
  bs.offsets_topic_segment_bytes = b.GetLong("offsets.topic.segment.bytes");
  bs.auto_topics.enable = b.GetBool("auto.create.topics.enable");
  bs.auto_topics.num_partitions = int32("num.partitions");
  bs.auto_topics.default_replication_factor = int32("default.replication.factor");
  bs.auto_topics.request_timeout_ms = bs.request_timeout_ms;
  bs.auto_topics.zookeeper_mode = s.cluster.mode == ClusterMode::kZookeeper;
  // The broker-level defaults of topic configs (ServerTopicConfigSynonyms).
  bs.log.segment_bytes = b.GetLong("log.segment.bytes");
  // KafkaConfig.logRollTimeMillis and logRetentionTimeMillis: ms if set, else the coarser
  // synonyms (minutes, then hours, whose defaults give the 7 days).
  bs.log.segment_ms =
      b.IsSet("log.roll.ms") ? b.GetLong("log.roll.ms") : b.GetLong("log.roll.hours") * 3'600'000;
  const std::int64_t retention_ms = b.IsSet("log.retention.ms") ? b.GetLong("log.retention.ms")
                                    : b.IsSet("log.retention.minutes")
                                        ? b.GetLong("log.retention.minutes") * 60'000
                                        : b.GetLong("log.retention.hours") * 3'600'000;
  bs.log.retention_ms = retention_ms < 0 ? -1 : retention_ms;
  bs.log.retention_bytes = b.GetLong("log.retention.bytes");
  bs.log.flush_messages = b.GetLong("log.flush.interval.messages");
  bs.log.max_message_bytes = static_cast<std::int32_t>(b.GetLong("message.max.bytes"));
  bs.log.compression_type = b.GetString("compression.type");
  bs.log.message_timestamp_log_append_time =
      b.GetString("log.message.timestamp.type") == "LogAppendTime";
  // The KRaft client of every node, voter or observer (QuorumConfig).
  raft::RaftConfig& rc = c.raft;
  rc.fetch_timeout = Milliseconds(ctl.GetLong("controller.quorum.fetch.timeout.ms"));
  rc.election_timeout = Milliseconds(ctl.GetLong("controller.quorum.election.timeout.ms"));
  rc.election_backoff_max = Milliseconds(ctl.GetLong("controller.quorum.election.backoff.max.ms"));
  rc.request_timeout = Milliseconds(ctl.GetLong("controller.quorum.request.timeout.ms"));
  rc.retry_backoff = Milliseconds(ctl.GetLong("controller.quorum.retry.backoff.ms"));
  rc.append_linger = Milliseconds(ctl.GetLong("controller.quorum.append.linger.ms"));
  rc.idle_noop_interval = Milliseconds(ctl.GetLong("metadata.max.idle.interval.ms"));
  c.metadata_log_segment_bytes = ctl.GetLong("metadata.log.segment.bytes");
  c.metadata_snapshot_max_bytes = ctl.GetLong("metadata.log.max.record.bytes.between.snapshots");
  c.metadata_snapshot_interval_ms = ctl.GetLong("metadata.log.max.snapshot.interval.ms");
  kafka::ControllerConfig& cc = c.controller_config;
  cc.broker_session_timeout_ms = ctl.GetLong("broker.session.timeout.ms");
  cc.broker_heartbeat_interval_ms = bs.broker_heartbeat_interval_ms;
  cc.unclean_leader_election_enable = b.GetBool("unclean.leader.election.enable");
  cc.eligible_leader_replicas_enable = s.cluster.eligible_leader_replicas_version >= 1;
  cc.default_min_insync_replicas = bs.min_insync_replicas;
  cc.auto_leader_rebalance_enable = b.GetBool("auto.leader.rebalance.enable");
  cc.leader_imbalance_check_interval_seconds = b.GetLong("leader.imbalance.check.interval.seconds");
  for (const auto& [k, v] : b.explicit_values()) cc.cluster_configs[k] = v;
  return c;
}

}  // namespace

kafka::ControlPlane ControlPlaneOf(const Scenario& scenario) {
  return scenario.cluster.mode == ClusterMode::kZookeeper ? kafka::ControlPlane::kZooKeeper
                                                          : kafka::ControlPlane::kKRaft;
}

std::uint64_t World::NextViewSerial() {
  // Only names snapshots apart within one process (a GUI that loads another scenario); it never
  // reaches a simulation, so it cannot change a run.
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

World::World(const Scenario& scenario, std::uint64_t seed, WorldOptions options)
    : scenario_(scenario), options_(std::move(options)) {
  owned_sim_ = std::make_unique<Simulation>(seed, scenario_.cluster.network);
  sim_ = owned_sim_.get();
  BuildLedger();
  BuildCluster();
}

World::World(const Scenario& scenario, Simulation& sim, const std::string& cluster, int zone,
             WorldOptions options)
    : scenario_(scenario),
      options_(std::move(options)),
      cluster_(cluster),
      zone_(zone),
      sim_(&sim) {
  KSIM_ASSERT(!cluster_.empty());
  BuildLedger();
  BuildCluster();
}

void World::BuildLedger() {
  history_ = std::make_shared<kafka::ClientHistory>();
  ledger_ =
      std::make_unique<RecordLedger>([this](const PartitionRef& ref) { return DeletedBelow(ref); });
  ledger_->set_assignments(&history_->assignments);
  for (const Step& step : scenario_.steps) {
    const auto* expect = std::get_if<Expect>(&step.action);
    const auto* key = expect ? std::get_if<KeyInPartitionExpect>(&expect->condition) : nullptr;
    if (key != nullptr) ledger_->TrackKey(key->client, key->key);
  }
  // The ledger folds each record in; the history keeps none of them.
  history_->keep_records = false;
  history_->on_produced = [ledger = ledger_.get()](const kafka::ProduceOutcome& o) {
    ledger->Produced(o);
  };
  history_->on_consumed = [ledger = ledger_.get()](const kafka::ConsumeEvent& c) {
    ledger->Consumed(c);
  };
}

bool World::Owns(NodeIndex node) const {
  if (owned_sim_) return true;
  return node < owned_.size() && owned_[node];
}

const NodeSpec* World::SpecOf(NodeIndex node) const {
  if (node < first_node_) return nullptr;
  const std::size_t i = node - first_node_;
  return i < scenario_.cluster.nodes.size() ? &scenario_.cluster.nodes[i] : nullptr;
}

std::string World::LocalName(const std::string& name) const {
  return cluster_.empty() ? name : cluster_ + "/" + name;
}

NodeIndex World::AddOwnNode(const std::string& name, NodeFactory factory, NodeOptions options) {
  const NodeIndex index = sim_->AddNode(name, std::move(factory), std::move(options));
  if (owned_.size() <= index) owned_.resize(index + 1, false);
  owned_[index] = true;
  if (!owned_sim_) sim_->network().AssignZone(index, zone_);
  return index;
}

NodeIndex World::AddMirrorMaker(
    std::vector<kafka::MirrorFlowConfig> flows,
    std::map<std::string, std::shared_ptr<const kafka::ClusterDirectory>> clusters,
    std::shared_ptr<kafka::MirrorStats> stats) {
  const NodeIndex index =
      AddOwnNode(LocalName("mirror-maker"),
                 [flows = std::move(flows), clusters = std::move(clusters), stats](NodeEnv& env) {
                   return std::make_unique<kafka::MirrorMakerNode>(env, flows, clusters, stats);
                 });
  sim_->StartNode(index);
  return index;
}

World::~World() = default;

void World::BuildCluster() {
  auto directory = std::make_shared<kafka::ClusterDirectory>();
  const auto& nodes = scenario_.cluster.nodes;
  first_node_ = static_cast<NodeIndex>(sim_->node_count());
  auto ensemble = std::make_shared<zookeeper::ZkEnsembleDirectory>();
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].role == NodeRole::kZooKeeper) {
      ensemble->node_of_server[nodes[i].node_id - kZooKeeperIdBase] = IndexOfSpec(i);
      continue;
    }
    directory->Add(nodes[i].node_id, IndexOfSpec(i));
    if (nodes[i].role != NodeRole::kController) directory->broker_ids.push_back(nodes[i].node_id);
  }
  directory->voter_ids = scenario_.cluster.VoterIds();
  // Like `kafka-storage.sh random-uuid`: a random 22-character id, here from the run's seed.
  Rng cluster_rng =
      Rng::Stream(sim_->seed(), cluster_.empty() ? "cluster.id" : "cluster.id." + cluster_);
  kafka::Uuid cluster_id;
  do {
    cluster_id = kafka::Uuid{cluster_rng.NextU64(), cluster_rng.NextU64()};
  } while (cluster_id.ToBase64().front() == '-');  // as Uuid.randomUuid
  // A KRaft cluster formatted by hand gets the id its first `kafka-storage.sh format` names
  // (in ZooKeeper mode the first broker makes the id, as Kafka 3.9 does in /cluster/id).
  if (!scenario_.cluster.manual_format || scenario_.cluster.mode == ClusterMode::kZookeeper) {
    directory->cluster_id = cluster_id.ToBase64();
  }
  directory_ = directory;
  std::vector<NodeIndex> start_first;  // the pure KRaft controllers, started before the rest
  for (const NodeSpec& node : nodes) {
    std::shared_ptr<FileSystem> disk;
    // Files carry virtual modification times, for the disk shell's ls -l and stat.
    auto clock = [sim = sim_] { return sim->Now(); };
    if (options_.data_dir.empty()) {
      auto sim_disk = std::make_shared<SimFileSystem>();
      sim_disk->SetClock(clock);
      disk = sim_disk;
    } else {
      auto mirror = std::make_shared<MirroredFileSystem>(options_.data_dir + "/" + node.name);
      mirror->SetClock(clock);
      mirrors_.push_back(mirror);
      disk = mirror;
    }
    if (node.role == NodeRole::kZooKeeper) {
      // zoo.cfg: tickTime, initLimit, syncLimit and one server.N line per ensemble member.
      zookeeper::ZkConfig zc;
      zc.server_id = node.node_id - kZooKeeperIdBase;
      for (const auto& [id, n] : ensemble->node_of_server) zc.servers.push_back(id);
      zc.tick_time = Milliseconds(scenario_.cluster.zookeeper_config.tick_time_ms);
      zc.init_limit = scenario_.cluster.zookeeper_config.init_limit;
      zc.sync_limit = scenario_.cluster.zookeeper_config.sync_limit;
      const NodeIndex index = AddOwnNode(
          node.name,
          [ensemble, zc](NodeEnv& env) {
            return std::make_unique<zookeeper::ZkServerNode>(env, ensemble, zc);
          },
          NodeOptions{disk});
      zookeepers_.push_back(index);
      disks_[index] = std::make_unique<DiskFaults>(disk);
      continue;
    }
    kafka::ServerConfig config = ServerConfigFor(scenario_, node);
    const NodeIndex index = AddOwnNode(
        node.name,
        kafka::MakeKafkaNodeFactory(
            ControlPlaneOf(scenario_), directory, config,
            zookeepers_.empty() && scenario_.cluster.zookeepers == 0 ? nullptr : ensemble),
        NodeOptions{disk});
    servers_.push_back(index);
    if (node.role == NodeRole::kController) start_first.push_back(index);
    if (is_server_.size() <= index) is_server_.resize(index + 1, false);
    is_server_[index] = true;
    disks_[index] = std::make_unique<DiskFaults>(disk);
  }
  // Every node exists before any starts: a starting node may message the others at once. The
  // ensemble starts first, as `zookeeper-server-start.sh` runs before `kafka-server-start.sh`,
  // and so do KRaft's controllers, so that a broker's first request to the quorum finds it
  // listening (a message to a process not yet started would be lost).
  for (NodeIndex index : zookeepers_) sim_->StartNode(index);
  if (!scenario_.cluster.manual_format) {
    for (NodeIndex index : start_first) sim_->StartNode(index);
    for (NodeIndex index : servers_) {
      if (std::find(start_first.begin(), start_first.end(), index) == start_first.end()) {
        sim_->StartNode(index);
      }
    }
  }
  admin_ = AddOwnNode(LocalName("admin"), [this, directory](NodeEnv& env) {
    return std::make_unique<kafka::AdminNode>(env, directory,
                                              [this] { return ActiveControllerId(); });
  });
  sim_->StartNode(admin_);
}

void World::StartClient(const Client& client) {
  NodeIndex index = sim_->FindNode(client.id);
  if (index == kNoNode) {
    auto directory = directory_;
    auto history = history_;
    if (client.type == ClientType::kProducer) {
      kafka::ProducerConfig pc;
      pc.topic = client.topic;
      pc.acks = client.acks == Acks::kZero ? 0 : client.acks == Acks::kOne ? 1 : -1;
      pc.send_interval = client.send_interval;
      pc.count = client.count;
      pc.retries = client.retries;
      pc.delivery_timeout = client.delivery_timeout;
      pc.request_timeout = client.request_timeout;
      pc.linger = client.linger;
      pc.metadata_max_age = client.metadata_max_age;
      pc.enable_idempotence = client.enable_idempotence;
      pc.compression_type = client.compression_type;
      pc.trace_each_record = client.id.rfind(LocalName("console-producer"), 0) == 0;
      if (client.start < sim_->Now()) pc.schedule_start = client.start;
      // ConsoleProducer's default client.id.
      if (pc.trace_each_record) pc.client_id = "console-producer";
      const Client copy = client;
      pc.record_at = [copy](std::int64_t n) {
        ProducerMessage m = copy.MessageAt(n);
        return kafka::ProducedRecord{std::move(m.key), std::move(m.value), 0};
      };
      index = AddOwnNode(client.id, [directory, history, pc](NodeEnv& env) {
        return std::make_unique<kafka::ProducerNode>(env, directory, pc, history);
      });
    } else {
      kafka::ConsumerConfig cc;
      cc.topic = client.topic;
      cc.from_beginning = client.from_beginning;
      cc.partitions = client.partitions;
      cc.group = client.group;
      cc.group_instance_id = client.group_instance_id;
      cc.assignors = client.assignors;
      cc.enable_auto_commit = client.enable_auto_commit;
      cc.auto_commit_interval = Milliseconds(client.auto_commit_interval_ms);
      cc.session_timeout_ms = client.session_timeout_ms;
      cc.heartbeat_interval = Milliseconds(client.heartbeat_interval_ms);
      cc.max_poll_interval_ms = client.max_poll_interval_ms;
      cc.consumer_protocol = client.consumer_protocol;
      cc.remote_assignor = client.remote_assignor;
      index = AddOwnNode(client.id, [directory, history, cc](NodeEnv& env) {
        return std::make_unique<kafka::ConsumerNode>(env, directory, cc, history);
      });
    }
  }
  sim_->StartNode(index);
  Emit(trace_kind::kClientStart,
       fmt::format("{} started ({} on topic {})", client.id,
                   client.type == ClientType::kProducer ? "producer" : "consumer", client.topic));
}

void World::StopClient(const std::string& id) {
  const NodeIndex n = sim_->FindNode(id);
  if (n == kNoNode) return;
  if (auto* producer = dynamic_cast<kafka::ProducerNode*>(sim_->GetNode(n))) {
    producer->Close();
  } else if (auto* consumer = dynamic_cast<kafka::ConsumerNode*>(sim_->GetNode(n))) {
    consumer->Close();
  }
}

World::DiskFaults::DiskFaults(std::shared_ptr<FileSystem> disk)
    : disk_(std::move(disk)),
      sim_(dynamic_cast<SimFileSystem*>(disk_.get())),
      mirrored_(dynamic_cast<MirroredFileSystem*>(disk_.get())) {
  KSIM_ASSERT(sim_ != nullptr || mirrored_ != nullptr);
}

std::uint64_t World::DiskFaults::used_bytes() const {
  return sim_ ? sim_->used_bytes() : mirrored_->sim().used_bytes();
}

std::uint64_t World::DiskFaults::DurableSize(const std::string& path) const {
  return sim_ ? sim_->DurableSize(path) : mirrored_->sim().DurableSize(path);
}

void World::DiskFaults::SetCapacityBytes(std::optional<std::uint64_t> capacity) {
  sim_ ? sim_->SetCapacityBytes(capacity) : mirrored_->SetCapacityBytes(capacity);
}

void World::DiskFaults::SetSyncLatency(Duration latency) {
  sim_ ? sim_->SetSyncLatency(latency) : mirrored_->SetSyncLatency(latency);
}

Status World::DiskFaults::CorruptByte(const std::string& path, std::uint64_t offset) {
  return sim_ ? sim_->CorruptByte(path, offset) : mirrored_->CorruptByte(path, offset);
}

kafka::KafkaRaftServer* World::RaftServer(NodeIndex node) {
  return dynamic_cast<kafka::KafkaRaftServer*>(Server(node));
}

kafka::KafkaNode* World::Server(NodeIndex node) {
  if (node >= is_server_.size() || !is_server_[node]) return nullptr;
  // is_server_ marks exactly the nodes made by MakeKafkaNodeFactory, so the cast needs no
  // run-time check (a dynamic_cast here was a tenth of a run's instructions: the guarantee
  // checks look up every replica's server after each event that moves a partition).
  return static_cast<kafka::KafkaNode*>(sim_->GetNode(node));
}

std::int32_t World::ActiveControllerId() {
  for (NodeIndex n : servers_) {
    kafka::KafkaNode* s = Server(n);
    if (s != nullptr && s->is_active_controller()) return s->config().node_id;
  }
  return -1;
}

std::string World::ZooKeeperLeader() {
  for (NodeIndex n : zookeepers_) {
    const auto* z = dynamic_cast<const zookeeper::ZkServerNode*>(sim_->GetNode(n));
    if (z == nullptr || z->server() == nullptr) continue;
    if (z->server()->state() == zookeeper::ServerState::kLeading && z->server()->serving()) {
      return sim_->NodeName(n);
    }
  }
  return "";
}

const kafka::MetadataImage* World::BestImage(NodeIndex* from) {
  const kafka::MetadataImage* best = nullptr;
  for (NodeIndex n : servers_) {
    kafka::KafkaNode* s = Server(n);
    if (s == nullptr || !s->config().broker) continue;
    if (best == nullptr || s->metadata().offset() > best->offset()) {
      best = &s->metadata();
      if (from != nullptr) *from = n;
    }
  }
  return best;
}

const kafka::ReplicaLog* World::LeaderLog(const PartitionRef& partition) {
  const kafka::MetadataImage* image = BestImage();
  const kafka::PartitionRegistration* p =
      image ? image->Partition(partition.topic, partition.partition) : nullptr;
  if (p == nullptr || p->leader < 0) return nullptr;
  kafka::KafkaNode* leader = BrokerServer(p->leader);
  return leader ? leader->Log(partition.topic, partition.partition) : nullptr;
}

const kafka::ReplicaLog* World::ActingLeaderLog(const PartitionRef& partition) {
  const kafka::MetadataImage* image = BestImage();
  const kafka::PartitionRegistration* p =
      image ? image->Partition(partition.topic, partition.partition) : nullptr;
  if (p == nullptr) return nullptr;
  const kafka::Partition* acting = nullptr;
  for (std::int32_t broker : p->replicas) {
    const kafka::Partition* local = ReplicaOn(broker, partition.topic, partition.partition);
    if (local == nullptr || !local->is_leader()) continue;
    if (acting == nullptr || local->leader_epoch() > acting->leader_epoch()) acting = local;
  }
  return acting != nullptr ? &acting->log() : LeaderLog(partition);
}

kafka::KafkaNode* World::BrokerServer(std::int32_t broker_id) {
  const NodeIndex n = directory_->NodeFor(broker_id);
  return n == kNoNode ? nullptr : Server(n);
}

const kafka::Partition* World::ReplicaOn(std::int32_t broker_id, const std::string& topic,
                                         std::int32_t partition) {
  const kafka::KafkaNode* server = BrokerServer(broker_id);
  const kafka::Broker* broker = server == nullptr ? nullptr : server->broker();
  return broker == nullptr ? nullptr : broker->replicas().Find(topic, partition);
}

std::int64_t World::DeletedBelow(const PartitionRef& ref) {
  const kafka::MetadataImage* image = BestImage();
  const kafka::PartitionRegistration* p =
      image ? image->Partition(ref.topic, ref.partition) : nullptr;
  if (p == nullptr || p->replicas.empty()) return 0;
  std::int64_t below = -1;
  for (std::int32_t broker : p->replicas) {
    kafka::KafkaNode* server = BrokerServer(broker);
    const kafka::ReplicaLog* log = server ? server->Log(ref.topic, ref.partition) : nullptr;
    if (log == nullptr) return 0;  // a replica down or without its log: nothing is proven
    below = below < 0 ? log->log_start_offset() : std::min(below, log->log_start_offset());
  }
  return std::max<std::int64_t>(below, 0);
}

namespace {

// The records of a log from an offset on, read and decoded 1 MiB at a time, for one walk in
// offset order.
class LogRecords {
 public:
  LogRecords(const kafka::ReplicaLog& log, std::int64_t from) : log_(log), next_(from) {}
  // The first record at or above `offset` (never below one asked for before), or nullptr past
  // the end or at bytes that do not decode.
  const kafka::ConsumedRecord* AtLeast(std::int64_t offset) {
    while (true) {
      while (i_ < records_.size() && records_[i_].offset < offset) ++i_;
      if (i_ < records_.size()) return &records_[i_];
      if (!Refill()) return nullptr;
    }
  }

 private:
  bool Refill() {
    if (done_ || next_ >= log_.log_end_offset()) return false;
    const auto bytes = log_.Read(next_, 1 << 20, log_.log_end_offset());
    if (!bytes.ok() || bytes->empty()) return Stop();
    auto decoded = kafka::DecodeBatches(*bytes);
    if (!decoded.ok()) return Stop();
    records_ = std::move(*decoded);
    i_ = 0;
    const std::int64_t after = kafka::NextOffsetAfter(*bytes);  // past compaction's gaps
    if (after <= next_) done_ = true;
    next_ = after;
    return true;
  }
  bool Stop() {
    done_ = true;
    records_.clear();
    return false;
  }

  const kafka::ReplicaLog& log_;
  std::int64_t next_;
  bool done_ = false;
  std::vector<kafka::ConsumedRecord> records_;
  std::size_t i_ = 0;
};

}  // namespace

std::int64_t World::CountLostAcknowledged(const std::string& client, bool acks_all_only,
                                          std::string* detail, const PartitionRef* only) {
  // The acknowledged records of this client, by partition and offset, as the ledger keeps
  // them (pruned below what every replica deleted). After an unclean election one offset can
  // have been acknowledged twice, for different records.
  std::optional<std::uint32_t> only_client;
  if (!client.empty()) {
    only_client = ledger_->ClientIndex(client);
    if (!only_client) return 0;
  }
  const auto counted = [&only_client, acks_all_only](const RecordLedger::Acked& a) {
    return (!only_client || a.client == *only_client) && (!acks_all_only || a.acks == -1);
  };
  auto begin = ledger_->acked().begin();
  auto end = ledger_->acked().end();
  if (only != nullptr) {
    begin = ledger_->acked().find(*only);
    end = begin == end ? end : std::next(begin);
  }
  std::int64_t lost = 0;
  // A plain iterator loop: clang with libstdc++ 12 rejects std::ranges::subrange over
  // map iterators (CI's ASan build).
  for (auto entry = begin; entry != end; ++entry) {
    const PartitionRef& ref = entry->first;
    const RecordLedger::PartitionAcked& acked = entry->second;
    const auto first = std::find_if(acked.records.begin(), acked.records.end(), counted);
    if (first == acked.records.end()) continue;
    const kafka::ReplicaLog* log = ActingLeaderLog(ref);
    if (log == nullptr) continue;
    const std::int64_t from = std::max(log->log_start_offset(), first->offset);
    // Compaction keeps only the latest record of a key: an acknowledged record a later one
    // with the same key superseded (acknowledged to any client, or in the log), or a
    // tombstone, may be cleaned away.
    std::map<std::string, std::int64_t> latest_in_log;  // key -> its highest offset here
    if (log->compacted()) {
      LogRecords all(*log, from);
      for (const kafka::ConsumedRecord* r = all.AtLeast(from); r != nullptr;
           r = all.AtLeast(r->offset + 1)) {
        if (r->key) latest_in_log[*r->key] = r->offset;
      }
    }
    const auto later_of_key = [&acked, &latest_in_log](const std::string& key,
                                                       std::int64_t offset) {
      const auto acked_latest = acked.latest_of_key.find(key);
      const auto log_latest = latest_in_log.find(key);
      return (acked_latest != acked.latest_of_key.end() && acked_latest->second > offset) ||
             (log_latest != latest_in_log.end() && log_latest->second > offset);
    };
    // Both the acknowledged records and the log are in offset order: one walk over each.
    LogRecords held(*log, from);
    for (auto a = first; a != acked.records.end(); ++a) {
      if (!counted(*a)) continue;
      const std::int64_t offset = a->offset;
      if (offset < log->log_start_offset()) continue;
      const kafka::ConsumedRecord* r = held.AtLeast(offset);
      const bool found = r != nullptr && r->offset == offset;
      if (found && r->value == a->value) continue;
      if (!found && log->compacted() && a->key && (!a->value || later_of_key(*a->key, offset))) {
        continue;
      }
      if (lost++ == 0 && detail != nullptr) {
        *detail = fmt::format("{} offset {} (value \"{}\") acknowledged at {} is {}",
                              ref.ToString(), offset, a->value.value_or("null"), FormatTime(a->at),
                              !found ? "missing from the leader's log"
                                     : "overwritten by \"" + r->value.value_or("null") + "\"");
      }
    }
  }
  return lost;
}

void World::Emit(std::string_view kind, const std::string& text) {
  TraceEvent e;
  e.time = sim_->Now();
  e.kind = std::string(kind);
  e.text = text;
  sim_->trace().Emit(std::move(e));
}

void World::Output(const std::string& command_line, const CommandOutput& out,
                   const std::function<void(const CommandOutput&)>& done) {
  (void)command_line;
  if (!out.text.empty()) {
    TraceEvent e;
    e.time = sim_->Now();
    e.node = "tool";
    e.kind = out.ok ? "tool.output" : "tool.error";
    e.text = out.text;
    sim_->trace().Emit(std::move(e));
  }
  if (done) done(out);
}

Status World::MirrorStatus() const {
  for (const auto& mirror : mirrors_) {
    if (!mirror->mirror_status().ok()) return mirror->mirror_status();
  }
  return Status::Ok();
}

NodeIndex World::NodeOrEmit(const std::string& name) {
  const NodeIndex n = sim_->FindNode(name);
  if (n == kNoNode) Emit(trace_kind::kCommandError, fmt::format("unknown node '{}'", name));
  return n;
}

}  // namespace kafkasim::scenario
