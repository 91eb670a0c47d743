// KafkaServer: construction, message dispatch, timers and hosting of the Raft core for
// __cluster_metadata (persist quorum state and log, apply committed records, send messages).
#include "kafka/kafka_server.h"

#include <fmt/format.h>

#include "engine/assert.h"

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

KafkaServer::KafkaServer(NodeEnv& env, std::shared_ptr<const ClusterDirectory> directory,
                         ServerConfig config)
    : env_(env), directory_(std::move(directory)), config_(std::move(config)) {
  KSIM_ASSERT(config_.broker || config_.controller);
  KSIM_ASSERT(env_.has_disk());
  // Periodic chores re-arm themselves: a zero period would spin at one instant.
  const BrokerSettings& bs = config_.broker_settings;
  KSIM_ASSERT(bs.replica_high_watermark_checkpoint_interval_ms > 0);
  KSIM_ASSERT(bs.log_flush_offset_checkpoint_interval_ms > 0);
  KSIM_ASSERT(bs.log_flush_start_offset_checkpoint_interval_ms > 0);
}

KafkaServer::~KafkaServer() = default;

void KafkaServer::OnStart() {
  incarnation_id_ = Uuid{env_.rng().NextU64(), env_.rng().NextU64()};
  if (!LoadMetaProperties()) return;  // another node's or cluster's disk: the node stopped
  if (config_.broker) LoadLogDirCheckpoints();
  LoadMetadataLog();
  if (config_.controller) {
    logic_ = std::make_unique<ControllerLogic>(config_.controller_config);
  }
  Emit("node.start", fmt::format("started as {} (node.id={})",
                                 config_.broker && config_.controller ? "broker,controller"
                                 : config_.broker                     ? "broker"
                                                                      : "controller",
                                 config_.node_id));
  if (config_.broker) {
    env_.SetTimer(Milliseconds(10), kTimerRegister);
    env_.SetTimer(Milliseconds(config_.broker_settings.replica_lag_time_max_ms / 2),
                  kTimerIsrCheck);
    env_.SetTimer(Milliseconds(100), kTimerHousekeeping);
    const BrokerSettings& bs = config_.broker_settings;
    // LogManager.startup: retention first runs after log.initial.task.delay.ms, then every
    // log.retention.check.interval.ms.
    env_.SetTimer(Milliseconds(bs.log_initial_task_delay_ms), kTimerRetention);
    env_.SetTimer(Milliseconds(bs.replica_high_watermark_checkpoint_interval_ms),
                  kTimerHighWatermarkCheckpoint);
    env_.SetTimer(Milliseconds(bs.log_initial_task_delay_ms), kTimerRecoveryPointCheckpoint);
    env_.SetTimer(Milliseconds(bs.log_initial_task_delay_ms), kTimerLogStartOffsetCheckpoint);
  }
  if (config_.controller) env_.SetTimer(Milliseconds(500), kTimerControllerTick);
  DrainRaft();
}

void KafkaServer::LoadMetadataLog() {
  FileSystem& disk = env_.disk();
  (void)disk.CreateDirs(kMetadataDir);
  raft::QuorumState persisted;
  persisted.voters = directory_->voter_ids;
  if (disk.Exists(kQuorumStateFile)) {
    Result<std::vector<std::uint8_t>> bytes = disk.ReadFile(kQuorumStateFile);
    KSIM_ASSERT_MSG(bytes.ok(), bytes.status().ToString());
    Result<raft::QuorumState> state =
        raft::QuorumStateFromJson(std::string(bytes->begin(), bytes->end()));
    KSIM_ASSERT_MSG(state.ok(), state.status().ToString());
    persisted = *state;
  }
  // The metadata log is not the LogManager's (KafkaMetadataLog): no offset checkpoints.
  ReplicaLogOpenInfo info;
  Result<std::unique_ptr<ReplicaLog>> log = OpenReplicaLog(
      disk, "", "__cluster_metadata", 0, ReplicaLogConfig{}, env_.Now(), ReplicaLogHints{}, &info);
  KSIM_ASSERT_MSG(log.ok(), log.status().ToString());
  metadata_log_ = std::move(*log);
  if (!info.dropped.empty()) {
    Emit("log.recovery", fmt::format("__cluster_metadata-0: {}", info.dropped));
  }
  std::vector<raft::LogEntry> entries;
  Result<std::vector<std::uint8_t>> raw =
      metadata_log_->Read(0, INT32_MAX, metadata_log_->log_end_offset());
  if (raw.ok()) {
    Result<std::vector<ConsumedRecord>> records = DecodeBatches(*raw);
    KSIM_ASSERT_MSG(records.ok(), records.status().ToString());
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

void KafkaServer::PersistRaft(raft::Ready& ready) {
  FileSystem& disk = env_.disk();
  if (ready.quorum_state) {
    Status s =
        disk.WriteFileAtomically(kQuorumStateFile, raft::QuorumStateToJson(*ready.quorum_state));
    KSIM_ASSERT_MSG(s.ok(), s.ToString());
  }
  if (ready.truncate_log_to) {
    Status s = metadata_log_->TruncateTo(*ready.truncate_log_to);
    KSIM_ASSERT_MSG(s.ok(), s.ToString());
  }
  for (const raft::LogEntry& e : ready.entries) {
    KSIM_ASSERT_EQ(e.offset, metadata_log_->log_end_offset());
    ProducedRecord r{EntryKey(e.kind), e.payload, env_.Now().Millis()};
    if (metadata_log_->LatestEpoch() < e.epoch) {
      metadata_log_->AssignEpochStart(e.epoch, e.offset);
    }
    Result<AppendResult> appended = metadata_log_->AppendAsLeader({r}, e.epoch, env_.Now());
    KSIM_ASSERT_MSG(appended.ok(), appended.status().ToString());
  }
  if (ready.must_sync) {
    Status s = metadata_log_->Flush();
    KSIM_ASSERT_MSG(s.ok(), s.ToString());
  }
}

void KafkaServer::DrainRaft() {
  while (raft_->HasReady()) {
    raft::Ready ready = raft_->TakeReady();
    PersistRaft(ready);
    for (const raft::RaftNote& note : ready.notes) Emit(note.kind, note.text);
    for (const raft::RoleChange& change : ready.role_changes) OnRaftRoleChange(change);
    for (const raft::LogEntry& entry : ready.committed) ApplyCommitted(entry);
    if (!ready.committed.empty()) {
      metadata_log_->UpdateHighWatermark(ready.committed.back().offset + 1);
      CompletePendingReplies(ready.committed.back().offset);
      if (config_.broker) OnMetadataApplied();
    }
    for (const auto& m : ready.messages) {
      const NodeIndex to = directory_->NodeFor(m->to);
      if (to != kNoNode) env_.Send(to, m);
    }
  }
  ArmRaftTimer();
}

void KafkaServer::ArmRaftTimer() {
  const Time deadline = raft_->NextDeadline();
  if (deadline == raft_timer_at_) return;
  env_.CancelTimer(raft_timer_);
  raft_timer_at_ = deadline;
  raft_timer_ = kNoTimer;
  if (deadline == kTimeMax) return;
  const Duration after = deadline > env_.Now() ? deadline - env_.Now() : Duration{};
  raft_timer_ = env_.SetTimer(after, kTimerRaft);
}

void KafkaServer::ApplyCommitted(const raft::LogEntry& entry) {
  if (entry.kind == raft::EntryKind::kLeaderChange) {
    if (awaiting_activation_ && entry.epoch == raft_->epoch() &&
        raft_->role() == raft::Role::kLeader) {
      awaiting_activation_ = false;
      controller_active_ = true;
      logic_->Activate(env_.Now());
      next_rebalance_ =
          env_.Now() + Seconds(config_.controller_config.leader_imbalance_check_interval_seconds);
      env_.Probe("controller.activated");
      Emit("controller.active",
           fmt::format("became the active controller at epoch {}", raft_->epoch()),
           {{"epoch", std::int64_t{raft_->epoch()}}});
    }
    return;
  }
  if (entry.kind != raft::EntryKind::kData) return;
  const auto* p = reinterpret_cast<const std::uint8_t*>(entry.payload.data());
  Result<MetadataRecord> record =
      DecodeMetadataRecord(std::span<const std::uint8_t>(p, entry.payload.size()));
  KSIM_ASSERT_MSG(record.ok(), record.status().ToString());
  if (logic_ && entry.offset > last_replayed_offset_) {
    logic_->Replay(*record, entry.offset);
    last_replayed_offset_ = entry.offset;
  }
  if (config_.broker) image_.Apply(*record, entry.offset);
}

void KafkaServer::OnMessage(const Message& message) {
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
  } else if (const auto* reg = k->Get<BrokerRegistrationResponse>()) {
    OnRegistrationResponse(*reg);
  } else if (const auto* hb = k->Get<BrokerHeartbeatResponse>()) {
    OnHeartbeatResponse(*hb);
  } else if (const auto* alter = k->Get<AlterPartitionResponse>()) {
    OnAlterPartitionResponse(*alter);
  } else if (const auto* ids = k->Get<AllocateProducerIdsResponse>()) {
    OnAllocateProducerIdsResponse(*ids);
  } else if (!config_.broker) {
    return;  // a data-plane request sent to a pure controller is dropped
  } else if (const auto* produce = k->Get<ProduceRequest>()) {
    HandleProduce(message, *produce);
  } else if (const auto* fetch = k->Get<FetchRequest>()) {
    HandleFetch(message.from, *fetch, true);
  } else if (const auto* fetched = k->Get<FetchResponse>()) {
    OnFetchResponse(message, *fetched);
  } else if (const auto* list = k->Get<ListOffsetsRequest>()) {
    HandleListOffsets(message, *list);
  } else if (const auto* md = k->Get<MetadataRequest>()) {
    HandleMetadataRequest(message, *md);
  } else if (const auto* init = k->Get<InitProducerIdRequest>()) {
    HandleInitProducerId(message, *init);
  }
}

void KafkaServer::OnTimer(std::uint64_t tag) {
  const Time now = env_.Now();
  switch (tag) {
    case kTimerRaft:
      raft_timer_at_ = kTimeMax;
      raft_timer_ = kNoTimer;
      raft_->Tick(now);
      DrainRaft();
      break;
    case kTimerRegister:
      if (broker_epoch_ < 0) SendRegistration();
      break;
    case kTimerHeartbeat:
      SendHeartbeat();
      RetryPendingAlters();
      RetryProducerIdBlockRequest();
      env_.SetTimer(Milliseconds(config_.broker_settings.broker_heartbeat_interval_ms),
                    kTimerHeartbeat);
      break;
    case kTimerIsrCheck:
      ShrinkIsrCheck();
      env_.SetTimer(Milliseconds(config_.broker_settings.replica_lag_time_max_ms / 2),
                    kTimerIsrCheck);
      break;
    case kTimerRetention:
      RunRetention();
      env_.SetTimer(Milliseconds(config_.broker_settings.log_retention_check_interval_ms),
                    kTimerRetention);
      break;
    case kTimerHousekeeping:
      ExpireDelayed();
      FetcherTimeouts();
      env_.SetTimer(Milliseconds(50), kTimerHousekeeping);
      break;
    case kTimerControllerTick:
      ControllerTick();
      env_.SetTimer(Milliseconds(500), kTimerControllerTick);
      break;
    case kTimerHighWatermarkCheckpoint:
      CheckpointHighWatermarks();
      env_.SetTimer(
          Milliseconds(config_.broker_settings.replica_high_watermark_checkpoint_interval_ms),
          kTimerHighWatermarkCheckpoint);
      break;
    case kTimerRecoveryPointCheckpoint:
      CheckpointRecoveryPoints();
      env_.SetTimer(Milliseconds(config_.broker_settings.log_flush_offset_checkpoint_interval_ms),
                    kTimerRecoveryPointCheckpoint);
      break;
    case kTimerLogStartOffsetCheckpoint:
      CheckpointLogStartOffsets();
      env_.SetTimer(
          Milliseconds(config_.broker_settings.log_flush_start_offset_checkpoint_interval_ms),
          kTimerLogStartOffsetCheckpoint);
      break;
    default:
      KSIM_UNREACHABLE();
  }
}

void KafkaServer::SendTo(std::int32_t node_id, KafkaBody body) {
  const NodeIndex to = directory_->NodeFor(node_id);
  if (to == kNoNode) return;
  env_.Send(to, std::make_shared<KafkaMessage>(std::move(body)));
}

void KafkaServer::Reply(NodeIndex to, KafkaBody body) {
  env_.Send(to, std::make_shared<KafkaMessage>(std::move(body)));
}

void KafkaServer::Emit(std::string kind, std::string text, std::vector<TraceField> fields) {
  env_.Emit(std::move(kind), std::move(fields), std::move(text));
}

const ReplicaLog* KafkaServer::Log(const std::string& topic, std::int32_t partition) const {
  const auto it = partitions_.find({topic, partition});
  return it == partitions_.end() ? nullptr : it->second.log.get();
}

std::optional<KafkaServer::LocalPartitionInfo> KafkaServer::LocalPartition(
    const std::string& topic, std::int32_t partition) const {
  const auto it = partitions_.find({topic, partition});
  if (it == partitions_.end()) return std::nullopt;
  const Partition& p = it->second;
  return LocalPartitionInfo{p.leader == config_.node_id, p.leader_epoch, p.isr};
}

}  // namespace kafkasim::kafka
