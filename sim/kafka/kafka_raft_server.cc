// KafkaRaftServer: construction, message dispatch, timers, hosting of the Raft core for
// __cluster_metadata (persist quorum state and log, apply committed records, send messages),
// and the broker role's feed from the metadata image.
#include "kafka/kafka_raft_server.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "engine/assert.h"
#include "kafka/log_manager.h"
#include "kafka/metadata_snapshot.h"
#include "kafka/trace_kinds.h"
#include "storage/checkpoint_file.h"
#include "storage/control_records.h"
#include "storage/format.h"
#include "storage/log_dump.h"
#include "storage/record_batch.h"

namespace kafkasim::kafka {
namespace {

constexpr const char* kMetadataDir = "__cluster_metadata-0";
constexpr const char* kQuorumStateFile = "__cluster_metadata-0/quorum-state";

// Each Raft entry is one batch of the metadata log: a metadata record (kData, and the NoOpRecord
// of kNoOp) as the value of a data record, a LeaderChange as a control batch.
std::vector<std::uint8_t> EntryBatch(const raft::LogEntry& e, std::int64_t timestamp_ms) {
  storage::Record record;
  record.timestamp = timestamp_ms;
  storage::BatchOptions options;
  options.base_offset = e.offset;
  options.partition_leader_epoch = e.epoch;
  switch (e.kind) {
    case raft::EntryKind::kData:
      record.value = storage::Bytes(e.payload.begin(), e.payload.end());
      break;
    case raft::EntryKind::kNoOp:
      record.value = EncodeMetadataRecord(NoOpRecord{});
      break;
    case raft::EntryKind::kLeaderChange:
      options.control = true;
      record.key = storage::ControlRecordKey(storage::ControlRecordType::kLeaderChange);
      record.value = storage::Bytes(e.payload.begin(), e.payload.end());
      break;
  }
  return storage::BuildBatch({std::move(record)}, options);
}

// The Raft entry a record of the metadata log holds; nullopt for other control records.
Result<std::optional<raft::LogEntry>> EntryOf(const storage::BatchHeader& h,
                                              const storage::Record& r) {
  raft::LogEntry e{h.base_offset + r.offset_delta, h.partition_leader_epoch, raft::EntryKind::kData,
                   ""};
  const storage::Bytes value = r.value.value_or(storage::Bytes{});
  if (h.is_control()) {
    Result<std::int16_t> type = storage::ParseControlRecordType(r.key.value_or(storage::Bytes{}));
    if (!type.ok()) return type.status();
    if (*type != static_cast<std::int16_t>(storage::ControlRecordType::kLeaderChange)) {
      return std::optional<raft::LogEntry>();
    }
    e.kind = raft::EntryKind::kLeaderChange;
    e.payload.assign(value.begin(), value.end());
    return std::optional<raft::LogEntry>(std::move(e));
  }
  Result<MetadataRecord> record = DecodeMetadataRecord(value);
  if (!record.ok()) return record.status();
  if (std::holds_alternative<NoOpRecord>(*record)) {
    e.kind = raft::EntryKind::kNoOp;
  } else {
    e.payload.assign(value.begin(), value.end());
  }
  return std::optional<raft::LogEntry>(std::move(e));
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
      out.push_back(PartitionMetadata{name, index, reg.leader, reg.leader_epoch, topic.id});
    }
  }
  return out;
}

std::optional<PartitionMetadata> KRaftMetadataCache::PartitionInfo(const std::string& topic,
                                                                   std::int32_t partition) const {
  const PartitionRegistration* reg = image_.Partition(topic, partition);
  if (reg == nullptr) return std::nullopt;
  return PartitionMetadata{topic, partition, reg->leader, reg->leader_epoch,
                           image_.Topic(topic)->id};
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
    ls.listeners = {BrokerEndpoint{
        "PLAINTEXT", config_.advertised_host.empty() ? env_.name() : config_.advertised_host,
        kBrokerListenerPort, 0}};
    ls.features = SupportedFeatures();
    lifecycle_ = std::make_unique<BrokerLifecycleManager>(io_, ls, controller_channel_);
    broker_ = std::make_unique<Broker>(env_, directory_, config_.node_id, config_.broker_settings,
                                       metadata_cache_, controller_channel_);
  }
}

KafkaRaftServer::~KafkaRaftServer() = default;

void KafkaRaftServer::OnStart() {
  const Uuid incarnation_id{env_.rng().NextU64(), env_.rng().NextU64()};
  const bool unformatted = !env_.disk().Exists(storage::kMetaPropertiesFile);
  if (!LoadMetaProperties(io_, config_.node_id, config_.format_on_first_start)) {
    halted_ = true;  // another node's or cluster's disk: the node stopped
    return;
  }
  if (unformatted) {
    // The rest of what `kafka-storage.sh format` writes: the bootstrap metadata.
    const std::vector<std::uint8_t> bootstrap =
        BuildSnapshotFile(BootstrapRecords(ElrVersion()), 0, env_.Now().Millis());
    if (Status s = env_.disk().WriteFileAtomically(storage::kBootstrapCheckpointFile, bootstrap);
        !s.ok()) {
      HaltOnMetadataLogDirFailure(s, "writing bootstrap.checkpoint");
      return;
    }
  }
  if (lifecycle_) lifecycle_->SetLogDirs(LogDirIds());
  if (broker_ && !broker_->LoadLogDir()) {
    halted_ = true;
    return;
  }
  LoadMetadataLog();
  if (halted_) return;
  if (config_.controller) {
    logic_ = std::make_unique<ControllerLogic>(config_.controller_config);
  }
  LoadLatestSnapshot();
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

std::vector<Uuid> KafkaRaftServer::LogDirIds() {
  // meta.properties was just checked by LoadMetaProperties; its directory.id is the log dir's.
  Result<std::vector<std::uint8_t>> bytes = env_.disk().ReadFile(storage::kMetaPropertiesFile);
  if (!bytes.ok()) return {};
  Result<storage::MetaProperties> meta = storage::ParseMetaProperties(
      std::string(bytes->begin(), bytes->end()), storage::kMetaPropertiesFile);
  if (!meta.ok()) return {};
  Result<Uuid> id = UuidFromBase64(meta->directory_id);
  if (!id.ok()) return {};
  return {*id};
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
    Result<std::vector<storage::RecordBatch>> batches = storage::DecodeBatches(*raw);
    if (!batches.ok()) {
      return HaltOnMetadataLogDirFailure(batches.status(), "reading __cluster_metadata-0");
    }
    for (const storage::RecordBatch& b : *batches) {
      for (const storage::Record& r : b.records) {
        Result<std::optional<raft::LogEntry>> entry = EntryOf(b.header, r);
        if (!entry.ok()) {
          return HaltOnMetadataLogDirFailure(entry.status(), "reading __cluster_metadata-0");
        }
        if (*entry) entries.push_back(std::move(**entry));
      }
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
    if (metadata_log_->LatestEpoch() < e.epoch) {
      Status s = metadata_log_->AssignEpochStart(e.epoch, e.offset);
      if (!s.ok()) return failed(s, "writing the leader epoch checkpoint of __cluster_metadata-0");
    }
    // KafkaMetadataLog appends the batches the Raft core made, offsets and epochs as they are.
    Result<AppendResult> appended =
        metadata_log_->AppendAsFollower(EntryBatch(e, env_.Now().Millis()), env_.Now());
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
      MaybeWriteSnapshot();
    }
    for (const auto& m : ready.messages) {
      const NodeIndex to = directory_->NodeFor(m->to);
      if (to != kNoNode) env_.Send(to, m);
    }
  }
  if (bootstrap_pending_ && !halted_ && controller_active_) {
    bootstrap_pending_ = false;
    WriteBootstrapRecords();
    return;  // ProposeRecords drained and armed the timer
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
      // Written once this drain is done (ProposeRecords drains the Raft core itself).
      bootstrap_pending_ = !logic_->image().features().contains("metadata.version");
    }
    return;
  }
  if (entry.kind != raft::EntryKind::kData) return;
  // Records the loaded snapshot holds are in the image already.
  if (entry.offset < loaded_snapshot_end_) return;
  const auto* p = reinterpret_cast<const std::uint8_t*>(entry.payload.data());
  Result<MetadataRecord> record =
      DecodeMetadataRecord(std::span<const std::uint8_t>(p, entry.payload.size()));
  // Committed records were encoded by a controller of this cluster: a bad one is a bug.
  KSIM_ASSERT_MSG(record.ok(), record.status().ToString());
  if (logic_ && entry.offset > last_replayed_offset_) {
    logic_->Replay(*record, entry.offset);
    last_replayed_offset_ = entry.offset;
  }
  image_.Apply(*record, entry.offset);
  NoteUnpublished(*record);
  last_applied_offset_ = entry.offset;
  last_applied_epoch_ = entry.epoch;
  bytes_since_snapshot_ += static_cast<std::int64_t>(entry.payload.size());
}

std::int32_t KafkaRaftServer::ElrVersion() const {
  return config_.controller_config.eligible_leader_replicas_enable ? 1 : 0;
}

void KafkaRaftServer::WriteBootstrapRecords() {
  // ActivationRecordsGenerator.recordsForEmptyLog: the first active controller of a new
  // cluster writes the bootstrap metadata `kafka-storage.sh format` left in bootstrap.checkpoint
  // (BootstrapDirectory.read; without the file, the defaults of the release).
  ControllerChanges changes;
  std::string source = "the defaults of Kafka 4.3 (no bootstrap.checkpoint)";
  changes.records = BootstrapRecords(ElrVersion());
  if (Result<std::vector<std::uint8_t>> bytes =
          env_.disk().ReadFile(storage::kBootstrapCheckpointFile);
      bytes.ok()) {
    Result<std::vector<MetadataRecord>> records = ReadSnapshotFile(*bytes);
    if (records.ok() && !records->empty()) {
      changes.records = std::move(*records);
      source = storage::kBootstrapCheckpointFile;
    } else if (!records.ok()) {
      source = fmt::format("the defaults of Kafka 4.3 ({} is unreadable: {})",
                           storage::kBootstrapCheckpointFile, records.status().message());
    }
  }
  std::vector<std::string> levels;
  for (const MetadataRecord& r : changes.records) {
    if (const auto* f = std::get_if<FeatureLevelRecord>(&r)) {
      levels.push_back(
          f->name == "metadata.version"
              ? fmt::format("metadata.version {} ({})", kMetadataVersionName, f->feature_level)
              : fmt::format("{} {}", f->name, f->feature_level));
    }
  }
  changes.notes.push_back(fmt::format("bootstrapped the new cluster's metadata from {}: {}", source,
                                      fmt::join(levels, ", ")));
  ProposeRecords(changes, std::nullopt);
}

void KafkaRaftServer::LoadLatestSnapshot() {
  last_snapshot_time_ = env_.Now();
  FileSystem& disk = env_.disk();
  Result<std::vector<std::string>> names = disk.ListDir(kMetadataDir);
  if (!names.ok()) return;
  // Snapshots.parse: <end offset>-<epoch>.checkpoint, newest first; one that cannot be read is
  // passed over (KafkaRaftClient keeps only whole snapshots: they are renamed from .part).
  std::vector<std::pair<std::int64_t, std::string>> snapshots;
  for (const std::string& name : *names) {
    const auto id = storage::SnapshotIdOf(name);
    if (id && id->first > 0 && id->first <= raft_->log().EndOffset()) {
      snapshots.emplace_back(id->first, name);
    }
  }
  std::sort(snapshots.rbegin(), snapshots.rend());
  for (const auto& [end, name] : snapshots) {
    const std::string path = fmt::format("{}/{}", kMetadataDir, name);
    Result<std::vector<std::uint8_t>> bytes = disk.ReadFile(path);
    Result<std::vector<MetadataRecord>> records =
        bytes.ok() ? ReadSnapshotFile(*bytes) : Result<std::vector<MetadataRecord>>(bytes.status());
    if (!records.ok()) {
      Emit(trace_kind::kMetadataSnapshotLoad,
           fmt::format("could not read the metadata snapshot {} ({}); trying an older one", name,
                       records.status().message()));
      continue;
    }
    unpublished_.everything = true;
    for (const MetadataRecord& r : *records) {
      image_.Apply(r, end - 1);
      if (logic_) logic_->Replay(r, end - 1);
    }
    last_replayed_offset_ = end - 1;
    last_applied_offset_ = end - 1;
    loaded_snapshot_ = std::move(*records);
    loaded_snapshot_end_ = end;
    last_snapshot_end_ = end;
    env_.Probe("metadata.snapshot.loaded");
    Emit(trace_kind::kMetadataSnapshotLoad,
         fmt::format("loaded the metadata image from the snapshot {} ({} records); replaying "
                     "__cluster_metadata-0 from offset {}",
                     name, loaded_snapshot_.size(), end),
         {{"offset", end}});
    return;
  }
}

void KafkaRaftServer::MaybeWriteSnapshot() {
  const std::int64_t end = last_applied_offset_ + 1;
  if (end <= last_snapshot_end_) return;
  std::string reason;
  if (bytes_since_snapshot_ >= config_.metadata_snapshot_max_bytes) {
    reason = fmt::format("we have replayed at least {} bytes", config_.metadata_snapshot_max_bytes);
  } else if (config_.metadata_snapshot_interval_ms > 0 &&
             env_.Now() - last_snapshot_time_ >=
                 Milliseconds(config_.metadata_snapshot_interval_ms)) {
    reason = fmt::format("we have waited at least {} minute(s)",
                         config_.metadata_snapshot_interval_ms / 60000);
  } else {
    return;
  }
  const std::string name = SnapshotFileName(end, last_applied_epoch_);
  const std::vector<std::uint8_t> bytes =
      BuildSnapshotFile(ImageRecords(image_), last_applied_epoch_, env_.Now().Millis());
  // RecordsSnapshotWriter writes <name>.part and renames it when frozen.
  Status s = env_.disk().WriteFileAtomically(fmt::format("{}/{}", kMetadataDir, name), bytes);
  last_snapshot_time_ = env_.Now();
  bytes_since_snapshot_ = 0;
  if (!s.ok()) {
    Emit(trace_kind::kMetadataSnapshot,
         fmt::format("could not write the metadata snapshot {} ({})", name, s.ToString()));
    return;
  }
  last_snapshot_end_ = end;
  env_.Probe("metadata.snapshot.written");
  Emit(trace_kind::kMetadataSnapshot,
       fmt::format("wrote the metadata snapshot {} because {} ({} bytes)", name, reason,
                   bytes.size()),
       {{"offset", end}});
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
      std::holds_alternative<IncrementalAlterConfigsRequest>(body) ||
      std::holds_alternative<ElectLeadersRequest>(body) ||
      std::holds_alternative<AllocateProducerIdsRequest>(body)) {
    HandleControllerRequest(message, *k);
  } else if (!broker_) {
    return;  // a data-plane request sent to a pure controller is dropped
  } else if (const auto* reg = k->Get<BrokerRegistrationResponse>()) {
    ApplyLifecycle(lifecycle_->OnRegistrationResponse(*reg));
  } else if (const auto* hb = k->Get<BrokerHeartbeatResponse>()) {
    ApplyLifecycle(lifecycle_->OnHeartbeatResponse(*hb));
  } else if (!serving_ && IsRequest(body)) {
    if (held_requests_.empty()) {
      Emit(trace_kind::kBrokerRequestsHeld,
           fmt::format("holds a {} from {}: it serves requests once it has caught up with the "
                       "metadata log and is unfenced",
                       k->Name(), env_.simulation().NodeName(message.from)));
    }
    // A socket's buffer is finite: past this many, the oldest is dropped (its sender times out).
    constexpr std::size_t kMaxHeld = 10000;
    if (held_requests_.size() >= kMaxHeld) held_requests_.erase(held_requests_.begin());
    held_requests_.push_back(message);
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
  } else if (tag == kTimerServeHeld) {
    ServeHeldRequests();
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
  if (halted_) return;
  if (raft_) {
    raft_->OnDisconnect(directory_->IdFor(peer), env_.Now());
    DrainRaft();
  }
  if (broker_) broker_->OnDisconnect(directory_->IdFor(peer));
}

void KafkaRaftServer::ApplyLifecycle(BrokerLifecycleManager::Outcome outcome) {
  if (outcome.epoch_changed) broker_->SetBrokerEpoch(lifecycle_->broker_epoch());
  MaybeStartServing();
  if (outcome.shutdown_complete) {
    broker_->ShutDown();
    halted_ = true;
    env_.simulation().StopNode(env_.self());  // the process exits; its connections close
  }
}

void KafkaRaftServer::OnMetadataApplied() {
  if (!lifecycle_->OnMetadataApplied(image_)) return;
  PublishPartitionStates();
  MaybeStartServing();
}

// BrokerServer.startup: caught up, metadata published, unfenced; only then
// socketServer.enableRequestProcessing. A broker fenced later keeps serving.
void KafkaRaftServer::MaybeStartServing() {
  if (serving_ || !lifecycle_->caught_up() || lifecycle_->fenced()) return;
  serving_ = true;
  // Served from a timer of their own, not from inside the handler that unfenced it.
  if (!held_requests_.empty()) env_.SetTimer(Duration{}, kTimerServeHeld);
}

bool KafkaRaftServer::IsRequest(const KafkaBody& body) {
  return std::holds_alternative<ProduceRequest>(body) ||
         std::holds_alternative<FetchRequest>(body) ||
         std::holds_alternative<ListOffsetsRequest>(body) ||
         std::holds_alternative<MetadataRequest>(body) ||
         std::holds_alternative<InitProducerIdRequest>(body) ||
         std::holds_alternative<FindCoordinatorRequest>(body) ||
         std::holds_alternative<GroupRequestMessage>(body) ||
         std::holds_alternative<ListGroupsRequest>(body) ||
         std::holds_alternative<DescribeConfigsRequest>(body);
}

void KafkaRaftServer::ServeHeldRequests() {
  std::vector<Message> held = std::exchange(held_requests_, {});
  Emit(trace_kind::kBrokerRequestsHeld,
       fmt::format("ready: serves the {} request(s) it held", held.size()));
  for (const Message& m : held) {
    if (halted_ || !broker_) return;
    (void)broker_->HandleMessage(m, *m.As<KafkaMessage>());
    if (broker_->halted()) halted_ = true;
  }
}

void KafkaRaftServer::NoteUnpublished(const MetadataRecord& record) {
  if (unpublished_.everything) return;
  const Uuid* topic_id = nullptr;
  std::int32_t partition = -1;
  if (const auto* r = std::get_if<PartitionRecord>(&record)) {
    topic_id = &r->topic_id;
    partition = r->partition_id;
  } else if (const auto* c = std::get_if<PartitionChangeRecord>(&record)) {
    topic_id = &c->topic_id;
    partition = c->partition_id;
  } else if (std::holds_alternative<RegisterBrokerRecord>(record) ||
             std::holds_alternative<BrokerRegistrationChangeRecord>(record) ||
             std::holds_alternative<NoOpRecord>(record) ||
             std::holds_alternative<ProducerIdsRecord>(record) ||
             std::holds_alternative<FeatureLevelRecord>(record)) {
    return;  // no partition's state changes
  } else {
    unpublished_.everything = true;  // topics, configs
    return;
  }
  const TopicImage* topic = image_.TopicById(*topic_id);
  if (topic == nullptr) {
    unpublished_.everything = true;
    return;
  }
  unpublished_.partitions.emplace(topic->name, partition);
}

void KafkaRaftServer::PublishPartitionStates() {
  // BrokerMetadataPublisher: replicas this broker no longer hosts go (deleted topics, moved
  // replicas), then every hosted partition that changed gets its leader, epoch and ISR
  // (ReplicaManager.applyDelta with the delta's localChanges).
  const PublishDelta delta =
      std::exchange(unpublished_, PublishDelta{.everything = false, .partitions = {}});
  const BrokerId self = config_.node_id;
  auto hosts = [self](const PartitionRegistration& reg) {
    return std::find(reg.replicas.begin(), reg.replicas.end(), self) != reg.replicas.end();
  };
  std::vector<TopicPartition> gone;
  auto maybe_gone = [&](const TopicPartition& key, const Partition& p) {
    const PartitionRegistration* reg = image_.Partition(key.topic, key.partition);
    const TopicImage* topic = image_.Topic(key.topic);
    if (reg == nullptr || topic == nullptr || topic->id != p.topic_id() || !hosts(*reg)) {
      gone.push_back(key);
    }
  };
  std::vector<HostedPartitionState> states;
  auto maybe_hosted = [&](const TopicImage& topic, std::int32_t index,
                          const PartitionRegistration& reg) {
    if (!hosts(reg)) return;
    states.push_back(HostedPartitionState{
        topic.name, topic.id, index,
        PartitionState{reg.leader, reg.leader_epoch, reg.partition_epoch, reg.replicas, reg.isr}});
  };
  if (delta.everything) {
    for (const auto& [key, p] : broker_->replicas().partitions()) maybe_gone(key, *p);
    for (const auto& [name, topic] : image_.topics()) {
      for (const auto& [index, reg] : topic.partitions) maybe_hosted(topic, index, reg);
    }
  } else {
    for (const auto& [topic, index] : delta.partitions) {
      if (const Partition* p = broker_->replicas().Find(topic, index)) {
        maybe_gone(TopicPartition{topic, index}, *p);
      }
    }
    for (const auto& [name, index] : delta.partitions) {
      const TopicImage* topic = image_.Topic(name);
      if (topic == nullptr) continue;
      const auto reg = topic->partitions.find(index);
      if (reg != topic->partitions.end()) maybe_hosted(*topic, index, reg->second);
    }
  }
  for (const TopicPartition& key : gone) broker_->StopReplica(key.topic, key.partition);
  broker_->ApplyPartitionStates(states);
  broker_->replicas().RefreshTopicConfigs();
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
