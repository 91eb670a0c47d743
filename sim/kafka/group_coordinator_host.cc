// The broker's host of the group coordinators; see group_coordinator_host.h.
#include "kafka/group_coordinator_host.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <utility>

#include "engine/assert.h"
#include "kafka/group_hash.h"
#include "kafka/replica_log.h"
#include "kafka/trace_kinds.h"

namespace kafkasim::kafka {
namespace {

// offsets.commit.timeout.ms: how long a coordinator's append may wait for acks=all.
constexpr std::int64_t kOffsetsCommitTimeoutMs = 5000;
// offsets.load.buffer.size: how much of the log one read brings back while loading.
constexpr std::int32_t kOffsetsLoadBufferSize = 5 * 1024 * 1024;

// CoordinatorOperationExceptionHelper.handleOperationException (Kafka 4.0): a failed write
// reaches the client as a coordinator error it knows how to handle (find the coordinator again).
Errc NormalizeWriteError(Errc error) {
  switch (error) {
    case Errc::kNone:
      return Errc::kNone;
    case Errc::kNotLeaderOrFollower:
    case Errc::kKafkaStorageError:
      return Errc::kNotCoordinator;
    case Errc::kMessageTooLarge:
    case Errc::kRecordListTooLarge:
    case Errc::kInvalidFetchSize:
      return Errc::kUnknownServerError;
    default:
      // UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS, REQUEST_TIMED_OUT; and
      // NOT_ENOUGH_REPLICAS_AFTER_APPEND, which Kafka's acks=1 coordinator write never sees:
      // it times out waiting for the high watermark instead.
      return Errc::kCoordinatorNotAvailable;
  }
}

void SetError(GroupResponseBody& body, Errc error) {
  std::visit([error](auto& response) { response.error = error; }, body);
}

std::string GroupIdOf(const GroupRequestBody& request) {
  return std::visit([](const auto& r) { return r.group_id; }, request);
}

std::string AsString(const GroupBytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

// The answer to `request` that carries only `error`: each request's response is the
// alternative at the same index (the order messages.cc's API names rely on too).
template <std::size_t... I>
GroupResponseBody EmptyResponseAt(std::size_t index, std::index_sequence<I...>) {
  GroupResponseBody body;
  ((index == I ? (body.emplace<I>(), 0) : 0), ...);
  return body;
}

GroupResponseBody ErrorBody(const GroupRequestBody& request, Errc error) {
  static_assert(std::variant_size_v<GroupRequestBody> == std::variant_size_v<GroupResponseBody>);
  GroupResponseBody body = EmptyResponseAt(
      request.index(), std::make_index_sequence<std::variant_size_v<GroupResponseBody>>());
  SetError(body, error);
  return body;
}

}  // namespace

GroupCoordinatorHost::GroupCoordinatorHost(BrokerIo& io, std::int32_t /*node_id*/,
                                           const BrokerSettings& settings, ReplicaManager& replicas,
                                           const MetadataCache& metadata,
                                           const ControllerChannel& channel)
    : io_(io), settings_(settings), replicas_(replicas), metadata_(metadata), channel_(channel) {
  KSIM_ASSERT(settings_.group.offsets_topic_num_partitions > 0);
}

// --- FindCoordinator ---

void GroupCoordinatorHost::HandleFindCoordinator(NodeIndex from,
                                                 const FindCoordinatorRequest& request) {
  FindCoordinatorResponse response{request.correlation_id, request.key,
                                   Errc::kCoordinatorNotAvailable, -1};
  if (request.key.empty()) {
    response.error = Errc::kInvalidGroupId;
    return io_.Reply(from, response);
  }
  // KafkaApis.getCoordinator: the leader of the group's partition; without the topic, ask for
  // it to be created and answer COORDINATOR_NOT_AVAILABLE (the client retries).
  const std::int32_t wanted =
      PartitionForGroup(request.key, settings_.group.offsets_topic_num_partitions);
  bool topic_exists = false;
  for (const PartitionMetadata& p : metadata_.AllPartitions()) {
    if (p.topic != kConsumerOffsetsTopic) continue;
    topic_exists = true;
    if (p.partition == wanted && p.leader >= 0) {
      response.error = Errc::kNone;
      response.node_id = p.leader;
    }
  }
  if (!topic_exists) CreateOffsetsTopic();
  io_.Reply(from, response);
}

void GroupCoordinatorHost::HandleListGroups(NodeIndex from, const ListGroupsRequest& request) {
  ListGroupsResponse response{request.correlation_id, Errc::kNone, {}};
  for (const auto& [partition, coordinator] : coordinators_) {
    for (const auto& [id, group] : coordinator->groups()) {
      if (group.state != GroupState::kDead) response.groups.emplace_back(id, group.protocol_type);
    }
    for (const auto& [id, group] : coordinator->consumer_groups()) {
      response.groups.emplace_back(id, "consumer");
    }
  }
  io_.Reply(from, response);
}

void GroupCoordinatorHost::CreateOffsetsTopic() {
  const Duration timeout = Milliseconds(settings_.request_timeout_ms);
  if (create_in_flight_ && io_.Now() - create_sent_at_ < timeout) return;
  const std::int32_t controller = channel_.ActiveControllerId();
  if (controller < 0) return;
  create_in_flight_ = true;
  create_sent_at_ = io_.Now();
  // GroupCoordinator.groupMetadataTopicConfigs (KafkaApis/AutoTopicCreationManager):
  // compacted, offsets.topic.segment.bytes, compression left to the producer.
  CreateTopicsRequest create;
  create.name = std::string(kConsumerOffsetsTopic);
  create.partitions = settings_.group.offsets_topic_num_partitions;
  create.replication_factor = settings_.offsets_topic_replication_factor;
  create.configs = {{"cleanup.policy", "compact"},
                    {"compression.type", "producer"},
                    {"segment.bytes", std::to_string(settings_.offsets_topic_segment_bytes)}};
  io_.Probe("group.offsets_topic.create");
  if (last_create_failure_.empty()) {  // retries after a failure go quietly
    io_.Emit(trace_kind::kOffsetsTopicCreate,
             fmt::format("asks the controller to create {} ({} partitions, replication factor "
                         "{}) for a FindCoordinator",
                         kConsumerOffsetsTopic, create.partitions, create.replication_factor));
  }
  io_.SendTo(controller, std::move(create));
}

void GroupCoordinatorHost::OnCreateTopicResponse(const AdminResponse& response) {
  if (!create_in_flight_) return;
  if (response.error == Errc::kNotController) return;  // retried on the next FindCoordinator
  create_in_flight_ = false;
  if (response.error != Errc::kNone && response.error != Errc::kTopicAlreadyExists) {
    // Kafka 4.0 logs this and FindCoordinator keeps answering COORDINATOR_NOT_AVAILABLE: with
    // fewer brokers than offsets.topic.replication.factor the group never gets a coordinator.
    io_.Probe("group.offsets_topic.create_failed");
    std::string text = fmt::format("could not create {}: {} {}", kConsumerOffsetsTopic,
                                   ErrcName(response.error), response.message);
    if (text == last_create_failure_) return;  // the client retries; say it once
    last_create_failure_ = text;
    io_.Emit(trace_kind::kOffsetsTopicCreate, std::move(text),
             {{"error", std::string(ErrcName(response.error))}});
  }
}

// --- Leadership ---

void GroupCoordinatorHost::UpdateLeadership() {
  const std::string topic(kConsumerOffsetsTopic);
  std::vector<std::int32_t> gone;
  for (const auto& [index, loaded] : loaded_) {
    const Partition* p = replicas_.Find(topic, index);
    if (p == nullptr || !p->is_leader() || p->leader_epoch() != loaded.leader_epoch) {
      gone.push_back(index);
    }
  }
  for (std::int32_t index : gone) Unload(index);
  // The partitions are ordered by topic, then index: __consumer_offsets' are one run of them
  // (a broker of a large cluster hosts hundreds of others, and this runs on every metadata
  // update).
  const auto& partitions = replicas_.partitions();
  for (auto it = partitions.lower_bound(TopicPartitionRef{topic, INT32_MIN});
       it != partitions.end() && it->first.topic == topic; ++it) {
    const auto& [key, p] = *it;
    if (!p->is_leader() || loaded_.contains(key.partition)) continue;
    Load(key.partition, p->leader_epoch());
  }
}

void GroupCoordinatorHost::Load(std::int32_t partition, std::int32_t leader_epoch) {
  const Partition* p = replicas_.Find(std::string(kConsumerOffsetsTopic), partition);
  KSIM_ASSERT(p != nullptr && p->is_leader());
  // CoordinatorLoaderImpl: every record from the log start to the log end, in order.
  std::vector<GroupRecord> records;
  const ReplicaLog& log = p->log();
  std::int64_t offset = log.log_start_offset();
  const std::int64_t end = log.log_end_offset();
  while (offset < end) {
    Result<std::vector<std::uint8_t>> bytes = log.Read(offset, kOffsetsLoadBufferSize, end);
    if (!bytes.ok() || bytes->empty()) break;
    Result<std::vector<ConsumedRecord>> batch = DecodeBatches(*bytes);
    if (!batch.ok()) break;
    for (const ConsumedRecord& r : *batch) {
      if (r.offset < offset) continue;
      GroupRecord record;
      const std::string key = r.key.value_or("");
      record.key.assign(key.begin(), key.end());
      if (r.value) record.value = GroupBytes(r.value->begin(), r.value->end());
      records.push_back(std::move(record));
      offset = r.offset + 1;
    }
    // A compacted partition may hold batches whose records were all cleaned away.
    const std::int64_t next = NextOffsetAfter(*bytes);
    if (next <= offset && batch->empty()) break;
    offset = std::max(offset, next);
  }
  auto coordinator =
      std::make_unique<GroupCoordinator>(partition, settings_.group, io_.env().rng().NextU64());
  coordinator->SetTopics(Topics());
  GroupCoordinatorReady ready;
  const Status loaded = coordinator->LoadFromRecords(records, io_.Now(), ready);
  io_.Probe("group.coordinator.load");
  // A fresh partition says nothing worth a line (50 of them appear at once); a load that finds
  // records is a coordinator failover.
  if (!records.empty() || !loaded.ok()) {
    io_.Emit(trace_kind::kGroupCoordinatorLoad,
             fmt::format("became the group coordinator of {}-{} at leader epoch {} ({} record(s) "
                         "loaded{})",
                         kConsumerOffsetsTopic, partition, leader_epoch, records.size(),
                         loaded.ok() ? "" : ", " + loaded.ToString()),
             {{"partition", fmt::format("{}-{}", kConsumerOffsetsTopic, partition)}});
  }
  coordinators_[partition] = std::move(coordinator);
  loaded_[partition] = Loaded{leader_epoch};
  Drain(partition, ready);
}

void GroupCoordinatorHost::Unload(std::int32_t partition) {
  const auto it = coordinators_.find(partition);
  KSIM_ASSERT(it != coordinators_.end());
  GroupCoordinatorReady ready;
  it->second->Unload(ready);
  if (!ready.state_changes.empty()) {  // it held groups
    io_.Emit(trace_kind::kGroupCoordinatorUnload,
             fmt::format("is no longer the group coordinator of {}-{}", kConsumerOffsetsTopic,
                         partition),
             {{"partition", fmt::format("{}-{}", kConsumerOffsetsTopic, partition)}});
  }
  Send(std::move(ready.responses), Errc::kNone);
  coordinators_.erase(it);
  loaded_.erase(partition);
}

// --- Requests ---

std::map<std::string, CoordinatorTopic> GroupCoordinatorHost::Topics() const {
  // The coordinator's view of the metadata image (GroupCoordinatorService.onNewMetadataImage).
  std::map<std::string, CoordinatorTopic> out;
  for (const auto& [name, id] : metadata_.TopicIds()) out[name].topic_id = id;
  for (const PartitionMetadata& p : metadata_.AllPartitions()) {
    CoordinatorTopic& t = out[p.topic];
    t.partitions = std::max(t.partitions, p.partition + 1);
  }
  return out;
}

GroupCoordinator* GroupCoordinatorHost::CoordinatorFor(const std::string& group_id) {
  const auto it =
      coordinators_.find(PartitionForGroup(group_id, settings_.group.offsets_topic_num_partitions));
  return it == coordinators_.end() ? nullptr : it->second.get();
}

void GroupCoordinatorHost::HandleGroupRequest(NodeIndex from, const GroupRequestMessage& message) {
  const std::string group_id = GroupIdOf(message.request);
  GroupCoordinator* coordinator = CoordinatorFor(group_id);
  const GroupRequestId id = next_request_id_++;
  callers_[id] = Caller{from, message.correlation_id};
  GroupCoordinatorReady ready;
  if (coordinator == nullptr) {
    // NOT_COORDINATOR: the client looks for the coordinator again.
    Send({GroupResponse{id, group_id, "", ErrorBody(message.request, Errc::kNotCoordinator)}},
         Errc::kNone);
    return;
  }
  Undo undo{coordinator->Snapshot(), id, &message.request};
  const Time now = io_.Now();
  if (std::holds_alternative<ConsumerGroupHeartbeatRequest>(message.request)) {
    coordinator->SetTopics(Topics());
  }
  std::visit(
      [&](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, JoinGroupRequest>) {
          coordinator->JoinGroup(id, r, now, ready);
        } else if constexpr (std::is_same_v<T, SyncGroupRequest>) {
          coordinator->SyncGroup(id, r, now, ready);
        } else if constexpr (std::is_same_v<T, HeartbeatRequest>) {
          coordinator->Heartbeat(id, r, now, ready);
        } else if constexpr (std::is_same_v<T, LeaveGroupRequest>) {
          coordinator->LeaveGroup(id, r, now, ready);
        } else if constexpr (std::is_same_v<T, OffsetCommitRequest>) {
          coordinator->OffsetCommit(id, r, now, ready);
        } else if constexpr (std::is_same_v<T, OffsetFetchRequest>) {
          coordinator->OffsetFetch(id, r, now, ready);
        } else {
          coordinator->ConsumerGroupHeartbeat(id, r, now, ready);
        }
      },
      message.request);
  Drain(coordinator->offsets_partition(), ready, std::move(undo));
}

Errc GroupCoordinatorHost::AdminCommitOffsets(
    const std::string& group_id, const std::vector<OffsetCommitPartition>& partitions) {
  GroupCoordinator* coordinator = CoordinatorFor(group_id);
  if (coordinator == nullptr) return Errc::kNotCoordinator;
  const GroupRequestId id = next_request_id_++;
  callers_[id] = Caller{kNoNode, 0};  // the tool reads the answer here, not over the network
  GroupCoordinatorReady ready;
  OffsetCommitRequest request;
  request.group_id = group_id;
  request.partitions = partitions;
  Undo undo{coordinator->Snapshot(), id, nullptr};
  coordinator->OffsetCommit(id, request, io_.Now(), ready);
  Errc error = Errc::kNone;
  for (const GroupResponse& r : ready.responses) {
    if (r.request_id == id) error = std::get<OffsetCommitResponse>(r.body).error;
  }
  const Errc write = Drain(coordinator->offsets_partition(), ready, std::move(undo));
  return write != Errc::kNone ? write : error;
}

Errc GroupCoordinatorHost::Drain(std::int32_t partition, GroupCoordinatorReady& ready,
                                 std::optional<Undo> undo) {
  for (const std::string& probe : ready.probes) io_.Probe(probe);
  for (GroupNote& note : ready.notes) {
    io_.Emit(note.kind, std::move(note.text), std::move(note.fields));
  }
  if (ready.records.empty()) {
    Send(std::move(ready.responses), Errc::kNone);
    return Errc::kNone;
  }
  // The coordinator's records go through the replica manager like a producer's, acks=all;
  // the answers wait for them (CoordinatorRuntime's deferred events).
  std::vector<ProducedRecord> records;
  for (const GroupRecord& r : ready.records) {
    ProducedRecord produced;
    produced.key = AsString(r.key);
    if (r.value) produced.value = AsString(*r.value);
    produced.timestamp_ms = io_.Now().Millis();
    records.push_back(std::move(produced));
  }
  ProduceRequest request;
  request.correlation_id = next_append_id_++;
  request.topic = std::string(kConsumerOffsetsTopic);
  request.partition = partition;
  request.acks = -1;
  request.timeout = Milliseconds(kOffsetsCommitTimeoutMs);
  request.records = BuildRecordBatch(records);
  appending_[request.correlation_id] = Append{partition, std::move(ready.responses)};
  replicas_.HandleProduce(kNoNode, request);
  // An answer already here is a refused local append (CoordinatorRuntime.flushCurrentBatch's
  // catch: failCurrentBatch reverts to the batch's base offset).
  return CompleteAppends(request.correlation_id, undo ? &*undo : nullptr);
}

Errc GroupCoordinatorHost::CompleteAppends(std::int64_t refused_id, Undo* undo) {
  Errc refused = Errc::kNone;
  for (const ProduceResponse& answer : replicas_.TakeInternalAnswers()) {
    const auto it = appending_.find(answer.correlation_id);
    if (it == appending_.end()) continue;
    Append append = std::move(it->second);
    appending_.erase(it);
    // CoordinatorOperationExceptionHelper.handleOperationException maps the write's error.
    const Errc error = NormalizeWriteError(answer.error);
    const bool revert =
        answer.error != Errc::kNone && answer.correlation_id == refused_id && undo != nullptr;
    if (answer.error != Errc::kNone) {
      io_.Probe("group.append.failed");
      io_.Emit(trace_kind::kGroupAppendFailed,
               fmt::format("could not write to {}-{}: {} (the clients are told {}{})", answer.topic,
                           answer.partition, ErrcName(answer.error), ErrcName(error),
                           revert ? "; the group state goes back to before the write" : ""),
               {{"error", std::string(ErrcName(answer.error))}});
    }
    if (revert) {
      refused = error;
      RevertRefusedWrite(append, *undo, error);
    }
    Send(std::move(append.responses), error);
  }
  return refused;
}

void GroupCoordinatorHost::RevertRefusedWrite(Append& append, Undo& undo, Errc error) {
  const auto core = coordinators_.find(append.partition);
  KSIM_ASSERT(core != coordinators_.end());
  std::set<GroupRequestId> answered;
  for (const GroupResponse& r : append.responses) answered.insert(r.request_id);
  io_.Probe("group.append.reverted");
  core->second->Revert(std::move(undo.before), answered);
  // The request the operation held (a JoinGroup waiting for the join phase) is answered too:
  // the state that held it is gone.
  if (undo.request_id != 0 && !answered.contains(undo.request_id) &&
      callers_.contains(undo.request_id)) {
    KSIM_ASSERT(undo.request != nullptr);
    append.responses.push_back(GroupResponse{undo.request_id, GroupIdOf(*undo.request), "",
                                             ErrorBody(*undo.request, error)});
  }
}

void GroupCoordinatorHost::Send(std::vector<GroupResponse> responses, Errc error) {
  for (GroupResponse& response : responses) {
    const auto it = callers_.find(response.request_id);
    KSIM_ASSERT(it != callers_.end());
    const Caller caller = it->second;
    callers_.erase(it);
    if (error != Errc::kNone) SetError(response.body, error);
    if (caller.from == kNoNode) continue;  // an admin commit made in-process
    io_.Reply(caller.from, GroupResponseMessage{caller.correlation_id, std::move(response.body)});
  }
}

void GroupCoordinatorHost::Tick() {
  CompleteAppends();
  for (auto& [partition, coordinator] : coordinators_) {
    const std::optional<Time> deadline = coordinator->NextDeadline();
    if (!deadline || *deadline > io_.Now()) continue;
    GroupCoordinatorReady ready;
    coordinator->SetTopics(Topics());
    Undo undo{coordinator->Snapshot(), 0, nullptr};
    coordinator->Tick(io_.Now(), ready);
    Drain(partition, ready, std::move(undo));
  }
}

}  // namespace kafkasim::kafka
