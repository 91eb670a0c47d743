// KafkaRaftServer: construction, message dispatch, timers, hosting of the Raft core for
// __cluster_metadata (persist quorum state and log, apply committed records, send messages),
// and the broker role's feed from the metadata image.
#include "kafka/kafka_raft_server.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/assert.h"
#include "kafka/log_manager.h"
#include "kafka/trace_kinds.h"

namespace kafkasim::kafka {
namespace {

constexpr const char* kMetadataDir = "__cluster_metadata-0";
constexpr const char* kQuorumStateFile = "__cluster_metadata-0/quorum-state";

// Raft entries live in the metadata log as one-record batches; the key names the entry kind.
std::optional<std::string> EntryKey(raft::EntryKind kind) {
  switch (kind) {
    case raft::EntryKind::kData:
      return std::nullopt;
    case raft::EntryKind::kLeaderChange:
      return std::string("LeaderChange");
    case raft::EntryKind::kNoOp:
      return std::string("NoOp");
  }
  return std::nullopt;
}

raft::EntryKind KindFromKey(const std::optional<std::string>& key) {
  if (!key) return raft::EntryKind::kData;
  if (*key == "LeaderChange") return raft::EntryKind::kLeaderChange;
  return raft::EntryKind::kNoOp;
}

}  // namespace

std::vector<BrokerId> KRaftMetadataCache::AliveBrokers() const {
  std::vector<BrokerId> out;
  for (const auto& [id, b] : image_.brokers()) {
    if (!b.fenced) out.push_back(id);
  }
  return out;
}

std::vector<PartitionMetadata> KRaftMetadataCache::AllPartitions() const {
  std::vector<PartitionMetadata> out;
  for (const auto& [name, topic] : image_.topics()) {
    for (const auto& [index, reg] : topic.partitions) {
      out.push_back(PartitionMetadata{name, index, reg.leader, reg.leader_epoch});
    }
  }
  return out;
}

std::map<std::string, Uuid> KRaftMetadataCache::TopicIds() const {
  std::map<std::string, Uuid> out;
  for (const auto& [name, topic] : image_.topics()) out[name] = topic.id;
  return out;
}

KafkaRaftServer::KafkaRaftServer(NodeEnv& env, std::shared_ptr<const ClusterDirectory> directory,
                                 ServerConfig config)
    : env_(env),
      directory_(std::move(directory)),
      config_(std::move(config)),
      io_(env_, directory_) {
  KSIM_ASSERT(config_.broker || config_.controller);
  KSIM_ASSERT(env_.has_disk());
  if (config_.broker) {
    BrokerLifecycleManager::Settings ls;
    ls.node_id = config_.node_id;
    ls.rack = config_.rack;
    ls.broker_heartbeat_interval_ms = config_.broker_settings.broker_heartbeat_interval_ms;
    ls.broker_session_timeout_ms = config_.controller_config.broker_session_timeout_ms;
    lifecycle_ = std::make_unique<BrokerLifecycleManager>(io_, ls, controller_channel_);
    broker_ = std::make_unique<Broker>(env_, directory_, config_.node_id, config_.broker_settings,
                                       metadata_cache_, controller_channel_);
  }
}

KafkaRaftServer::~KafkaRaftServer() = default;

void KafkaRaftServer::OnStart() {
  const Uuid incarnation_id{env_.rng().NextU64(), env_.rng().NextU64()};
  if (!LoadMetaProperties(io_, config_.node_id, config_.format_on_first_start)) {
    halted_ = true;  // another node's or cluster's disk: the node stopped
    return;
  }
  if (broker_ && !broker_->LoadLogDir()) {
    halted_ = true;
    return;
  }
  LoadMetadataLog();
  if (halted_) return;
  if (config_.controller) {
    logic_ = std::make_unique<ControllerLogic>(config_.controller_config);
  }
  Emit(trace_kind::kNodeStart,
       fmt::format("started as {} (node.id={})",
                   config_.broker && config_.controller ? "broker,controller"
                   : config_.broker                     ? "broker"
                                                        : "controller",
                   config_.node_id));
  if (broker_) {
    lifecycle_->Start(incarnation_id);
    broker_->StartTimers();
  }
  if (config_.controller) env_.SetTimer(Milliseconds(500), kTimerControllerTick);
  DrainRaft();
}

void KafkaRaftServer::LoadMetadataLog() {
  FileSystem& disk = env_.disk();
  (void)disk.CreateDirs(kMetadataDir);
  raft::QuorumState persisted;
  persisted.voters = directory_->voter_ids;
  if (disk.Exists(kQuorumStateFile)) {
    Result<std::vector<std::uint8_t>> bytes = disk.ReadFile(kQuorumStateFile);
    Result<raft::QuorumState> state =
        bytes.ok() ? raft::QuorumStateFromJson(std::string(bytes->begin(), bytes->end()))
                   : Result<raft::QuorumState>(bytes.status());
    if (!state.ok()) {
      return HaltOnMetadataLogDirFailure(state.status(),
                                         fmt::format("reading {}", kQuorumStateFile));
    }
    persisted = *state;
  }
  // The metadata log is not the LogManager's (KafkaMetadataLog): no offset checkpoints.
  ReplicaLogOpenInfo info;
  ReplicaLogConfig metadata_log_config;
  metadata_log_config.segment_bytes = config_.metadata_log_segment_bytes;
  Result<std::unique_ptr<ReplicaLog>> log = OpenReplicaLog(
      disk, "", "__cluster_metadata", 0, metadata_log_config, env_.Now(), ReplicaLogHints{}, &info);
  if (!log.ok()) return HaltOnMetadataLogDirFailure(log.status(), "opening __cluster_metadata-0");
  metadata_log_ = std::move(*log);
  if (!info.dropped.empty()) {
    Emit(trace_kind::kLogRecovery, fmt::format("__cluster_metadata-0: {}", info.dropped));
  }
  std::vector<raft::LogEntry> entries;
  Result<std::vector<std::uint8_t>> raw =
      metadata_log_->Read(0, INT32_MAX, metadata_log_->log_end_offset());
  if (raw.ok()) {
    Result<std::vector<ConsumedRecord>> records = DecodeBatches(*raw);
    if (!records.ok()) {
      return HaltOnMetadataLogDirFailure(records.status(), "reading __cluster_metadata-0");
    }
    for (const ConsumedRecord& r : *records) {
      entries.push_back(
          raft::LogEntry{r.offset, r.leader_epoch, KindFromKey(r.key), r.value.value_or("")});
    }
  }
  raft::RaftConfig rc = config_.raft;
  rc.node_id = config_.node_id;
  rc.voters = directory_->voter_ids;
  raft_ = std::make_unique<raft::RaftNode>(rc, persisted, std::move(entries),
                                           Rng::Stream(env_.rng().NextU64(), "raft"), env_.Now());
}

bool KafkaRaftServer::PersistRaft(raft::Ready& ready) {
  FileSystem& disk = env_.disk();
  auto failed = [&](const Status& s, std::string_view what) {
    HaltOnMetadataLogDirFailure(s, what);
    return false;
  };
  if (ready.quorum_state) {
    Status s =
        disk.WriteFileAtomically(kQuorumStateFile, raft::QuorumStateToJson(*ready.quorum_state));
    if (!s.ok()) return failed(s, "writing the quorum state");
  }
  if (ready.truncate_log_to) {
    Status s = metadata_log_->TruncateTo(*ready.truncate_log_to);
    if (!s.ok()) return failed(s, "truncating __cluster_metadata-0");
  }
  for (const raft::LogEntry& e : ready.entries) {
    KSIM_ASSERT_EQ(e.offset, metadata_log_->log_end_offset());
    ProducedRecord r{EntryKey(e.kind), e.payload, env_.Now().Millis()};
    if (metadata_log_->LatestEpoch() < e.epoch) {
      Status s = metadata_log_->AssignEpochStart(e.epoch, e.offset);
      if (!s.ok()) return failed(s, "writing the leader epoch checkpoint of __cluster_metadata-0");
    }
    // The Raft leader is the "producer" of its own log: each entry is a one-record batch.
    Result<AppendResult> appended =
        metadata_log_->AppendAsLeader(BuildRecordBatch({r}), e.epoch, env_.Now());
    if (!appended.ok()) return failed(appended.status(), "appending to __cluster_metadata-0");
  }
  if (ready.must_sync) {
    Status s = metadata_log_->Flush();
    if (!s.ok()) return failed(s, "flushing __cluster_metadata-0");
  }
  return true;
}

void KafkaRaftServer::HaltOnMetadataLogDirFailure(const Status& error,
                                                  std::string_view while_doing) {
  if (halted_) return;
  halted_ = true;
  env_.Probe("log_dir.failed");
  // ReplicaManager.handleLogDirFailure: the metadata log dir is gone, so the process halts.
  Emit(trace_kind::kLogDirFailed,
       fmt::format("log dir failed while {} ({}): Shutdown broker because the metadata log dir "
                   "{} has failed",
                   while_doing, error.ToString(), config_.broker_settings.log_dirs),
       {{"error", std::string(ErrcName(error.code()))}});
  env_.simulation().KillNode(env_.self());
}

void KafkaRaftServer::DrainRaft() {
  while (!halted_ && raft_->HasReady()) {
    raft::Ready ready = raft_->TakeReady();
    if (!PersistRaft(ready)) return;
    for (const raft::RaftNote& note : ready.notes) Emit(note.kind, note.text);
    for (const raft::RoleChange& change : ready.role_changes) OnRaftRoleChange(change);
    for (const raft::LogEntry& entry : ready.committed) ApplyCommitted(entry);
    if (!ready.committed.empty()) {
      metadata_log_->UpdateHighWatermark(ready.committed.back().offset + 1);
      CompletePendingReplies(ready.committed.back().offset);
      if (broker_) OnMetadataApplied();
    }
    for (const auto& m : ready.messages) {
      const NodeIndex to = directory_->NodeFor(m->to);
      if (to != kNoNode) env_.Send(to, m);
    }
  }
  if (!halted_) ArmRaftTimer();
}

void KafkaRaftServer::ArmRaftTimer() {
  const Time deadline = raft_->NextDeadline();
  if (deadline == raft_timer_at_) return;
  env_.CancelTimer(raft_timer_);
  raft_timer_at_ = deadline;
  raft_timer_ = kNoTimer;
  if (deadline == kTimeMax) return;
  const Duration after = deadline > env_.Now() ? deadline - env_.Now() : Duration{};
  raft_timer_ = env_.SetTimer(after, kTimerRaft);
}

void KafkaRaftServer::ApplyCommitted(const raft::LogEntry& entry) {
  if (entry.kind == raft::EntryKind::kLeaderChange) {
    if (awaiting_activation_ && entry.epoch == raft_->epoch() &&
        raft_->role() == raft::Role::kLeader) {
      awaiting_activation_ = false;
      controller_active_ = true;
      logic_->Activate(env_.Now());
      next_rebalance_ =
          env_.Now() + Seconds(config_.controller_config.leader_imbalance_check_interval_seconds);
      env_.Probe("controller.activated");
      Emit(trace_kind::kControllerActive,
           fmt::format("became the active controller at epoch {}", raft_->epoch()),
           {{"epoch", std::int64_t{raft_->epoch()}}});
    }
    return;
  }
  if (entry.kind != raft::EntryKind::kData) return;
  const auto* p = reinterpret_cast<const std::uint8_t*>(entry.payload.data());
  Result<MetadataRecord> record =
      DecodeMetadataRecord(std::span<const std::uint8_t>(p, entry.payload.size()));
  // Committed records were encoded by a controller of this cluster: a bad one is a bug.
  KSIM_ASSERT_MSG(record.ok(), record.status().ToString());
  if (logic_ && entry.offset > last_replayed_offset_) {
    logic_->Replay(*record, entry.offset);
    last_replayed_offset_ = entry.offset;
  }
  if (config_.broker) image_.Apply(*record, entry.offset);
}

void KafkaRaftServer::OnMessage(const Message& message) {
  if (halted_) return;
  if (const auto* r = message.As<raft::RaftMessage>()) {
    raft_->Step(*r, env_.Now());
    DrainRaft();
    return;
  }
  const auto* k = message.As<KafkaMessage>();
  KSIM_ASSERT_MSG(k != nullptr, "unexpected payload " + message.payload->Name());
  const KafkaBody& body = k->body;
  if (std::holds_alternative<BrokerRegistrationRequest>(body) ||
      std::holds_alternative<BrokerHeartbeatRequest>(body) ||
      std::holds_alternative<AlterPartitionRequest>(body) ||
      std::holds_alternative<CreateTopicsRequest>(body) ||
      std::holds_alternative<DeleteTopicsRequest>(body) ||
      std::holds_alternative<CreatePartitionsRequest>(body) ||
      std::holds_alternative<ElectLeadersRequest>(body) ||
      std::holds_alternative<AllocateProducerIdsRequest>(body)) {
    HandleControllerRequest(message, *k);
  } else if (!broker_) {
    return;  // a data-plane request sent to a pure controller is dropped
  } else if (const auto* reg = k->Get<BrokerRegistrationResponse>()) {
    ApplyLifecycle(lifecycle_->OnRegistrationResponse(*reg));
  } else if (const auto* hb = k->Get<BrokerHeartbeatResponse>()) {
    ApplyLifecycle(lifecycle_->OnHeartbeatResponse(*hb));
  } else {
    (void)broker_->HandleMessage(message, *k);
  }
  if (broker_ && broker_->halted()) halted_ = true;
}

void KafkaRaftServer::OnTimer(std::uint64_t tag) {
  if (halted_) return;
  const Time now = env_.Now();
  if (tag == kTimerRaft) {
    raft_timer_at_ = kTimeMax;
    raft_timer_ = kNoTimer;
    raft_->Tick(now);
    DrainRaft();
  } else if (tag == kTimerControllerTick) {
    ControllerTick();
    env_.SetTimer(Milliseconds(500), kTimerControllerTick);
  } else if (BrokerLifecycleManager::IsLifecycleTimer(tag)) {
    ApplyLifecycle(lifecycle_->OnTimer(tag));
    // Requests that wait for the controller go again on the heartbeat's beat.
    if (tag == BrokerLifecycleManager::kTimerHeartbeat) broker_->RetryControllerRequests();
  } else {
    KSIM_ASSERT(Broker::IsBrokerTimer(tag));
    broker_->OnTimer(tag);
  }
  if (broker_ && broker_->halted()) halted_ = true;
}

void KafkaRaftServer::OnDisconnect(NodeIndex peer) {
  if (halted_ || !broker_) return;
  broker_->OnDisconnect(directory_->IdFor(peer));
}

void KafkaRaftServer::ApplyLifecycle(BrokerLifecycleManager::Outcome outcome) {
  if (outcome.epoch_changed) broker_->SetBrokerEpoch(lifecycle_->broker_epoch());
  if (outcome.shutdown_complete) {
    broker_->ShutDown();
    halted_ = true;
    env_.simulation().StopNode(env_.self());  // the process exits; its connections close
  }
}

void KafkaRaftServer::OnMetadataApplied() {
  if (!lifecycle_->OnMetadataApplied(image_)) return;
  PublishPartitionStates();
}

void KafkaRaftServer::PublishPartitionStates() {
  // BrokerMetadataPublisher: replicas this broker no longer hosts go (deleted topics, moved
  // replicas), then every hosted partition gets its leader, epoch and ISR.
  const BrokerId self = config_.node_id;
  auto hosts = [self](const PartitionRegistration& reg) {
    return std::find(reg.replicas.begin(), reg.replicas.end(), self) != reg.replicas.end();
  };
  std::vector<TopicPartition> gone;
  for (const auto& [key, p] : broker_->replicas().partitions()) {
    const PartitionRegistration* reg = image_.Partition(key.topic, key.partition);
    const TopicImage* topic = image_.Topic(key.topic);
    if (reg == nullptr || topic == nullptr || topic->id != p->topic_id() || !hosts(*reg)) {
      gone.push_back(key);
    }
  }
  for (const TopicPartition& key : gone) broker_->StopReplica(key.topic, key.partition);
  std::vector<HostedPartitionState> states;
  for (const auto& [name, topic] : image_.topics()) {
    for (const auto& [index, reg] : topic.partitions) {
      if (!hosts(reg)) continue;
      states.push_back(
          HostedPartitionState{name, topic.id, index,
                               PartitionState{reg.leader, reg.leader_epoch, reg.partition_epoch,
                                              reg.replicas, reg.isr}});
    }
  }
  broker_->ApplyPartitionStates(states);
}

void KafkaRaftServer::BeginControlledShutdown() {
  if (shutting_down_ || halted_) return;
  shutting_down_ = true;
  if (!lifecycle_) {
    env_.Probe("broker.controlled_shutdown");
    Emit(trace_kind::kBrokerControlledShutdown,
         "began controlled shutdown: asking the controller to move its leaderships away");
    halted_ = true;
    env_.simulation().StopNode(env_.self());
    return;
  }
  if (lifecycle_->BeginControlledShutdown()) {
    broker_->ShutDown();
    halted_ = true;
    env_.simulation().StopNode(env_.self());
  }
}

void KafkaRaftServer::Reply(NodeIndex to, KafkaBody body) { io_.Reply(to, std::move(body)); }

void KafkaRaftServer::Emit(std::string_view kind, std::string text,
                           std::vector<TraceField> fields) {
  io_.Emit(kind, std::move(text), std::move(fields));
}

}  // namespace kafkasim::kafka
