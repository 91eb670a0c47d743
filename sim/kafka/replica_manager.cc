// The broker's replica manager; see replica_manager.h.
#include "kafka/replica_manager.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <string_view>
#include <utility>

#include "engine/assert.h"
#include "kafka/trace_kinds.h"

namespace kafkasim::kafka {
namespace {

std::string IdList(const std::vector<BrokerId>& ids) {
  return fmt::format("[{}]", fmt::join(ids, ","));
}

}  // namespace

ReplicaManager::ReplicaManager(BrokerIo& io, std::int32_t node_id, const BrokerSettings& settings,
                               LogManager& logs, const MetadataCache& metadata,
                               const ControllerChannel& channel)
    : io_(io),
      node_id_(node_id),
      settings_(settings),
      logs_(logs),
      metadata_(metadata),
      channel_(channel) {}

Partition* ReplicaManager::Find(const std::string& topic, std::int32_t partition) {
  return const_cast<Partition*>(std::as_const(*this).Find(topic, partition));
}

const Partition* ReplicaManager::Find(const std::string& topic, std::int32_t partition) const {
  // Look-ups come in runs on one topic: the last one found is tried first.
  if (last_found_ == nullptr || last_found_->first != topic) {
    const auto it = index_.find(std::string_view(topic));
    if (it == index_.end()) return nullptr;
    last_found_ = &*it;
  }
  const std::vector<Partition*>& by_index = last_found_->second;
  if (partition < 0 || static_cast<std::size_t>(partition) >= by_index.size()) return nullptr;
  return by_index[static_cast<std::size_t>(partition)];
}

std::int32_t ReplicaManager::MinInsyncReplicas(const std::string& topic) const {
  const std::string value = metadata_.TopicConfig(topic, "min.insync.replicas",
                                                  std::to_string(settings_.min_insync_replicas));
  return static_cast<std::int32_t>(std::stol(value));
}

// --- Control plane ---

// The log config of a topic's replicas: the broker's defaults under the topic's overrides.
ReplicaLogConfig ReplicaManager::LogConfigFor(const std::string& topic) {
  ReplicaLogConfig lc = logs_.defaults();
  auto num = [&](const char* name, std::int64_t fallback) -> std::int64_t {
    return std::stoll(metadata_.TopicConfig(topic, name, std::to_string(fallback)));
  };
  lc.segment_bytes = num("segment.bytes", lc.segment_bytes);
  lc.segment_ms = num("segment.ms", lc.segment_ms);
  lc.segment_index_bytes = num("segment.index.bytes", lc.segment_index_bytes);
  lc.index_interval_bytes =
      static_cast<std::int32_t>(num("index.interval.bytes", lc.index_interval_bytes));
  lc.flush_messages = num("flush.messages", lc.flush_messages);
  // LogConfig.randomSegmentJitter: one draw per log below min(segment.jitter.ms, segment.ms).
  const std::int64_t jitter =
      std::min(num("segment.jitter.ms", lc.segment_jitter_ms), lc.segment_ms);
  lc.segment_jitter_ms =
      jitter <= 0
          ? 0
          : static_cast<std::int64_t>(io_.env().rng().Uniform(static_cast<std::uint64_t>(jitter)));
  lc.retention_ms = num("retention.ms", lc.retention_ms);
  lc.retention_bytes = num("retention.bytes", lc.retention_bytes);
  // What LogValidator applies to a client's batch.
  lc.max_message_bytes = static_cast<std::int32_t>(num("max.message.bytes", lc.max_message_bytes));
  lc.compression_type = metadata_.TopicConfig(topic, "compression.type", lc.compression_type);
  lc.message_timestamp_log_append_time =
      metadata_.TopicConfig(
          topic, "message.timestamp.type",
          lc.message_timestamp_log_append_time ? "LogAppendTime" : "CreateTime") == "LogAppendTime";
  // cleanup.policy is a list: "compact", "delete" or both (LogConfig.CLEANUP_POLICY_CONFIG).
  const std::string policy = metadata_.TopicConfig(
      topic, "cleanup.policy",
      lc.cleanup_policy_compact ? (lc.cleanup_policy_delete ? "compact,delete" : "compact")
                                : "delete");
  lc.cleanup_policy_compact = policy.find("compact") != std::string::npos;
  lc.cleanup_policy_delete = policy.find("delete") != std::string::npos;
  lc.delete_retention_ms = num("delete.retention.ms", lc.delete_retention_ms);
  lc.min_compaction_lag_ms = num("min.compaction.lag.ms", lc.min_compaction_lag_ms);
  lc.max_compaction_lag_ms = num("max.compaction.lag.ms", lc.max_compaction_lag_ms);
  lc.min_cleanable_dirty_ratio = std::stod(metadata_.TopicConfig(
      topic, "min.cleanable.dirty.ratio", std::to_string(lc.min_cleanable_dirty_ratio)));
  return lc;
}

Partition* ReplicaManager::OpenPartition(const HostedPartitionState& hosted) {
  const ReplicaLogConfig lc = LogConfigFor(hosted.topic);
  Result<std::unique_ptr<ReplicaLog>> log =
      logs_.GetOrCreateLog(hosted.topic, hosted.topic_id, hosted.partition, lc);
  if (!log.ok()) {
    logs_.HandleLogDirFailure(log.status(),
                              "opening " + PartitionName(hosted.topic, hosted.partition));
    return nullptr;
  }
  Partition::Settings ps;
  ps.replica_lag_time_max_ms = settings_.replica_lag_time_max_ms;
  ps.min_insync_replicas = MinInsyncReplicas(hosted.topic);
  auto p = std::make_unique<Partition>(hosted.topic, hosted.topic_id, hosted.partition, node_id_,
                                       std::move(*log), ps);
  p->set_alter_enabled(broker_epoch_ >= 0);
  Partition* raw = p.get();
  std::vector<Partition*>& by_index = index_[hosted.topic];
  const auto slot = static_cast<std::size_t>(hosted.partition);
  if (by_index.size() <= slot) by_index.resize(slot + 1, nullptr);
  by_index[slot] = raw;
  partitions_.emplace(TopicPartition{hosted.topic, hosted.partition}, std::move(p));
  ++layout_version_;
  applied_overrides_.try_emplace(
      hosted.topic,
      metadata_.TopicOverrides(hosted.topic).value_or(std::map<std::string, std::string>{}));
  return raw;
}

// TopicConfigHandler / DynamicConfigPublisher: a topic whose overrides changed since its logs
// were configured gives every hosted log of it the new values (LogManager.updateTopicConfig),
// and its partitions the new min.insync.replicas.
void ReplicaManager::RefreshTopicConfigs() {
  const std::string* topic = nullptr;  // the topic of the partitions being walked
  bool reconfigure = false;
  ReplicaLogConfig lc;
  for (auto& [key, p] : partitions_) {
    if (topic == nullptr || *topic != key.topic) {
      topic = &key.topic;
      std::map<std::string, std::string> now =
          metadata_.TopicOverrides(key.topic).value_or(std::map<std::string, std::string>{});
      auto [it, inserted] = applied_overrides_.try_emplace(key.topic, now);
      reconfigure = !inserted && it->second != now;
      if (!reconfigure) continue;
      std::vector<std::string> shown;
      for (const auto& [name, value] : now) shown.push_back(name + "=" + value);
      io_.Emit(
          trace_kind::kLogConfig,
          fmt::format("applies the configs of {} to its logs: {}", key.topic,
                      shown.empty() ? "the defaults" : fmt::format("{}", fmt::join(shown, ", "))),
          {{"topic", key.topic}});
      it->second = std::move(now);
      lc = LogConfigFor(key.topic);
    }
    if (!reconfigure) continue;
    p->set_min_insync_replicas(MinInsyncReplicas(key.topic));
    if (Status s = p->log().UpdateConfig(lc); !s.ok()) {
      io_.Emit(trace_kind::kLogConfig,
               fmt::format("{}: config change not applied: {}",
                           PartitionName(key.topic, key.partition), s.ToString()));
    }
  }
}

void ReplicaManager::ApplyPartitionStates(const std::vector<HostedPartitionState>& states) {
  for (const HostedPartitionState& hosted : states) {
    if (logs_.failed()) return;
    Partition* p = Find(hosted.topic, hosted.partition);
    if (p == nullptr) p = OpenPartition(hosted);
    if (p == nullptr) return;
    p->set_min_insync_replicas(MinInsyncReplicas(hosted.topic));
    PartitionReady ready;
    p->ApplyState(hosted.state, io_.Now(), ready);
    ++layout_version_;
    Drain(*p, ready);
  }
  CompleteWaiters();
}

void ReplicaManager::StopReplica(const std::string& topic, std::int32_t partition) {
  const TopicPartition key{topic, partition};
  const auto it = partitions_.find(key);
  if (it == partitions_.end()) {
    // ReplicaManager.stopReplicas with deletePartition on a partition it does not hold (a
    // topic deleted while this broker was down): the folder on disk goes all the same.
    const std::string name = PartitionName(topic, partition);
    if (!logs_.failed() && io_.disk().IsDirectory(name)) {
      logs_.RemoveLog(topic, partition);
      io_.Emit(trace_kind::kPartitionDeleted,
               fmt::format("deleted its replica of {} (left on its disk while it was down)", name));
    }
    return;
  }
  const std::string name = it->second->name();
  logs_.RemoveLog(topic, partition);
  if (const auto t = index_.find(std::string_view(topic)); t != index_.end()) {
    std::vector<Partition*>& by_index = t->second;
    if (static_cast<std::size_t>(partition) < by_index.size()) {
      by_index[static_cast<std::size_t>(partition)] = nullptr;
    }
    while (!by_index.empty() && by_index.back() == nullptr) by_index.pop_back();
    if (by_index.empty()) {
      if (last_found_ == &*t) last_found_ = nullptr;
      index_.erase(t);
    }
  }
  partitions_.erase(it);
  ++layout_version_;
  alters_sent_.erase(key);
  io_.Emit(trace_kind::kPartitionDeleted, fmt::format("deleted its replica of {}", name));
  to_wake_.insert(key);  // its waiters learn it is gone
  CompleteWaiters();
}

void ReplicaManager::SetBrokerEpoch(std::int64_t epoch) {
  broker_epoch_ = epoch;
  for (auto& [key, p] : partitions_) p->set_alter_enabled(epoch >= 0);
}

void ReplicaManager::Drain(Partition& p, PartitionReady& ready) {
  for (const std::string& probe : ready.probes) io_.Probe(probe);
  for (PartitionNote& note : ready.notes) {
    io_.Emit(note.kind, std::move(note.text), std::move(note.fields));
  }
  counters_.isr_shrinks += ready.isr_shrinks;
  counters_.isr_expands += ready.isr_expands;
  counters_.leader_elections += ready.leader_elections;
  const TopicPartition key{p.topic(), p.index()};
  if (ready.alter_isr) {
    const bool controller_known = channel_.ActiveControllerId() >= 0;
    io_.Emit(trace_kind::kIsrAlterRequested,
             fmt::format("asks the controller to change the ISR of {} from {} to {}{}", p.name(),
                         IdList(p.isr()), IdList(p.pending_isr()),
                         controller_known ? "" : " (no controller known yet: the request waits)"),
             {{"partition", p.name()}});
    alters_sent_[key] = AlterSent{};
    SendPendingAlter(p);
  }
  if (ready.wake_waiters) to_wake_.insert(key);
  if (ready.log_restarted) logs_.CheckpointLogStartOffsets();
  if (ready.truncated) logs_.CheckpointRecoveryPoints();
  if (ready.storage_error) {
    logs_.HandleLogDirFailure(*ready.storage_error, "writing the log of " + p.name());
  }
}

void ReplicaManager::SendPendingAlter(Partition& p) {
  const std::int32_t controller = channel_.ActiveControllerId();
  if (controller < 0) return;
  AlterPartitionRequest request;
  request.broker_id = node_id_;
  request.broker_epoch = broker_epoch_;
  request.topic_id = p.topic_id();
  request.partition = p.index();
  request.leader_epoch = p.leader_epoch();
  request.partition_epoch = p.partition_epoch();
  request.new_isr = p.pending_isr();
  alters_sent_[TopicPartition{p.topic(), p.index()}] =
      AlterSent{controller, channel_.ActiveControllerEpoch(), io_.Now()};
  io_.SendTo(controller, std::move(request));
}

void ReplicaManager::RetryPendingAlters() {
  // Kafka's broker-to-controller channel re-sends an unanswered request after
  // request.timeout.ms (30 s by default) or when the active controller changes
  // (NodeToControllerRequestThread; AlterPartitionManager never gives up). A new term of the
  // same controller counts as a change: the old term's requests die with it (a restarted
  // process never saw them; a resigned one failed them with NOT_CONTROLLER).
  const std::int32_t controller = channel_.ActiveControllerId();
  if (controller < 0 || broker_epoch_ < 0) return;
  const Duration timeout = Milliseconds(settings_.request_timeout_ms);
  for (auto& [key, p] : partitions_) {
    if (!p->alter_in_flight() || !p->is_leader()) continue;
    const AlterSent& sent = alters_sent_[key];
    if (sent.to == controller && sent.epoch == channel_.ActiveControllerEpoch() &&
        io_.Now() - sent.at < timeout) {
      continue;
    }
    SendPendingAlter(*p);
  }
}

void ReplicaManager::OnAlterPartitionResponse(const AlterPartitionResponse& response) {
  Partition* p = Find(response.topic, response.partition);
  if (p == nullptr || !p->is_leader()) return;
  PartitionReady ready;
  p->OnAlterPartitionResponse(response, ready);
  Drain(*p, ready);
  CompleteWaiters();
}

// --- Requests ---

void ReplicaManager::HandleProduce(NodeIndex from, const ProduceRequest& request) {
  Partition* p = Find(request.topic, request.partition);
  PartitionReady ready;
  Result<LeaderAppend> appended =
      p != nullptr
          ? p->AppendRecordsToLeader(request, io_.Now(), ready)
          : Result<LeaderAppend>(Status(Errc::kNotLeaderOrFollower,
                                        fmt::format("broker-{} is not the leader of {}-{}",
                                                    node_id_, request.topic, request.partition)));
  if (p != nullptr) Drain(*p, ready);
  if (!appended.ok()) {
    ++counters_.failed_produce_requests;
    if (request.acks != 0) {
      AnswerProduce(from, ProduceResponse{request.correlation_id, request.topic, request.partition,
                                          appended.status().code(), -1, appended.status().message(),
                                          kNoLeader, -1});
    }
  } else if (request.acks == 1 ||
             (request.acks == -1 && p->log().high_watermark() > appended->offsets.last_offset)) {
    AnswerProduce(
        from, ProduceResponse{request.correlation_id, request.topic, request.partition, Errc::kNone,
                              appended->offsets.first_offset, "", kNoLeader, -1});
  } else if (request.acks == -1) {
    DelayedProduce d;
    d.from = from;
    d.correlation_id = request.correlation_id;
    d.partition = TopicPartition{request.topic, request.partition};
    d.required_offset = appended->offsets.last_offset + 1;
    d.base_offset = appended->offsets.first_offset;
    d.deadline = io_.Now() + request.timeout;
    if (purgatory_.CanAddProduce()) {
      purgatory_.AddProduce(std::move(d));
    } else {
      ++counters_.failed_produce_requests;
      AnswerProduce(from, ProduceResponse{request.correlation_id, request.topic, request.partition,
                                          Errc::kRequestTimedOut, -1,
                                          "too many produce requests are waiting on this broker",
                                          kNoLeader, -1});
    }
  }
  CompleteWaiters();
}

namespace {

FetchInput InputFor(const FetchRequest& request, const FetchPartition& fp, bool eligible) {
  FetchInput in;
  in.replica_id = request.replica_id;
  in.fetch_offset = fp.fetch_offset;
  in.last_fetched_epoch = fp.last_fetched_epoch;
  in.current_leader_epoch = fp.current_leader_epoch;
  in.max_bytes = request.max_bytes;
  in.replica_eligible_for_isr = eligible;
  return in;
}

}  // namespace

bool ReplicaManager::HasNewForWaitingFetch(const FetchRequest& request) const {
  for (const FetchPartition& fp : request.partitions) {
    const Partition* p = Find(fp.topic, fp.partition);
    if (p == nullptr) return true;  // NOT_LEADER_OR_FOLLOWER
    if (p->HasNewForWaitingFetch(InputFor(request, fp, false))) return true;
  }
  return false;
}

bool ReplicaManager::TryCompleteFetch(NodeIndex from, const FetchRequest& request,
                                      FetchCheck check) {
  // A woken fetch that asked for a byte is answered (its offsets said so); one that asked for
  // more has its bytes counted first.
  const bool may_wait =
      check == FetchCheck::kArrived || (check == FetchCheck::kWoken && request.min_bytes > 1);
  const bool from_replica = request.replica_id >= 0;
  const bool eligible = from_replica && metadata_.IsBrokerActive(request.replica_id);
  // A fetch for a byte or more that may wait is looked at by its offsets first, as
  // DelayedFetch does: one that would wait is not read (its follower's offsets are noted).
  const bool offsets_first = check == FetchCheck::kArrived && request.min_bytes <= 1 &&
                             request.max_wait.ns > 0 && purgatory_.CanAddFetch();
  if (offsets_first) {
    bool answer = false;
    for (const FetchPartition& fp : request.partitions) {
      Partition* p = Find(fp.topic, fp.partition);
      if (p == nullptr) {
        answer = true;
        continue;
      }
      PartitionReady ready;
      answer = p->NoteFetch(InputFor(request, fp, eligible), io_.Now(), ready) || answer;
      Drain(*p, ready);
    }
    if (!answer) return false;
  }
  FetchResponse response;
  response.correlation_id = request.correlation_id;
  bool any_data = false;
  bool any_error = false;
  std::int64_t bytes = 0;
  for (const FetchPartition& fp : request.partitions) {
    FetchedPartition part;
    if (Partition* p = Find(fp.topic, fp.partition); p != nullptr) {
      FetchInput in = InputFor(request, fp, eligible);
      in.follower_state_noted = offsets_first || check != FetchCheck::kArrived;
      PartitionReady ready;
      part = p->ReadRecords(in, io_.Now(), ready);
      Drain(*p, ready);
    } else {
      part.topic = fp.topic;
      part.partition = fp.partition;
      part.error = Errc::kNotLeaderOrFollower;
    }
    any_data = any_data || !part.records.empty();
    bytes += static_cast<std::int64_t>(part.records.size());
    any_error = any_error || part.error != Errc::kNone || part.diverging_epoch.has_value();
    response.partitions.push_back(std::move(part));
  }
  // Nothing new (fewer than min_bytes): wait until data arrives or max wait passes
  // (ReplicaManager.fetchMessages answers at once when bytesReadable >= minBytes; DelayedFetch).
  const bool enough = request.min_bytes > 1 ? bytes >= request.min_bytes : any_data;
  if (may_wait && !enough && !any_error && request.max_wait.ns > 0 && purgatory_.CanAddFetch()) {
    return false;
  }
  io_.Reply(from, std::move(response));
  return true;
}

void ReplicaManager::HandleFetch(NodeIndex from, const FetchRequest& request) {
  if (!TryCompleteFetch(from, request, FetchCheck::kArrived)) {
    purgatory_.AddFetch(DelayedFetch{0, from, request, io_.Now() + request.max_wait});
  }
  CompleteWaiters();
}

void ReplicaManager::HandleListOffsets(NodeIndex from, const ListOffsetsRequest& request) {
  ListOffsetsResponse response{request.correlation_id, request.topic, request.partition,
                               Errc::kNone, -1};
  const Partition* p = Find(request.topic, request.partition);
  const std::optional<std::int64_t> offset =
      p == nullptr ? std::nullopt : p->ListOffset(request.earliest);
  if (offset) {
    response.offset = *offset;
  } else {
    response.error = Errc::kNotLeaderOrFollower;
  }
  io_.Reply(from, response);
}

void ReplicaManager::HandleMetadata(NodeIndex from, const MetadataRequest& request,
                                    AutoTopicCreationManager& auto_topics) {
  MetadataResponse response;
  response.correlation_id = request.correlation_id;
  response.live_brokers = metadata_.AliveBrokers();
  response.partitions = metadata_.AllPartitions();
  for (const std::string& topic : request.topics) {
    const bool known =
        std::any_of(response.partitions.begin(), response.partitions.end(),
                    [&topic](const PartitionMetadata& p) { return p.topic == topic; });
    if (known) continue;
    response.topic_errors.emplace_back(
        topic, auto_topics.TopicMissing(topic, request.allow_auto_topic_creation));
  }
  io_.Reply(from, response);
}

void ReplicaManager::AnswerProduce(NodeIndex from, ProduceResponse response) {
  if (response.error == Errc::kNotLeaderOrFollower) {
    // KafkaApis.getCurrentLeader: the local replica's leader and epoch, else the metadata
    // cache's, so the producer can go to the new leader without asking for metadata first.
    if (const Partition* p = Find(response.topic, response.partition); p != nullptr) {
      response.current_leader = p->leader();
      response.current_leader_epoch = p->leader_epoch();
    } else if (const auto info = metadata_.PartitionInfo(response.topic, response.partition)) {
      response.current_leader = info->leader;
      response.current_leader_epoch = info->leader_epoch;
    }
  }
  if (from == kNoNode) {
    internal_answers_.push_back(std::move(response));
  } else {
    io_.Reply(from, std::move(response));
  }
}

std::vector<ProduceResponse> ReplicaManager::TakeInternalAnswers() {
  return std::exchange(internal_answers_, {});
}

// --- Delayed operations ---

void ReplicaManager::CompleteProduces(Partition& p) {
  const TopicPartition key{p.topic(), p.index()};
  // Those still waiting stay where they are; the rest are answered oldest first.
  std::vector<DelayedProduce> done = std::move(answered_produces_);
  done.clear();
  purgatory_.TakeProducesIf(
      key,
      [&p](const DelayedProduce& d) {
        return !p.is_leader() ||
               p.CheckEnoughReplicasReachOffset(d.required_offset) != ProduceProgress::kWaiting;
      },
      done);
  for (DelayedProduce& d : done) {
    Errc error = Errc::kNone;
    std::string text;
    if (!p.is_leader()) {
      error = Errc::kNotLeaderOrFollower;
      text = "leadership moved";
    } else if (p.CheckEnoughReplicasReachOffset(d.required_offset) ==
               ProduceProgress::kNotEnoughReplicasAfterAppend) {
      error = Errc::kNotEnoughReplicasAfterAppend;
      text = fmt::format("the ISR of {} shrank to {} replica(s) after the append", p.name(),
                         p.isr().size());
      io_.Probe("produce.not_enough_replicas_after_append");
      ++counters_.failed_produce_requests;
    }
    AnswerProduce(d.from,
                  ProduceResponse{d.correlation_id, p.topic(), p.index(), error,
                                  error == Errc::kNone ? d.base_offset : -1, text, kNoLeader, -1});
  }
  answered_produces_ = std::move(done);
}

void ReplicaManager::CompleteWaiters() {
  // Entered only from the top of a handler, never from inside another.
  KSIM_ASSERT(!completing_);
  completing_ = true;
  while (!to_wake_.empty() && !logs_.failed()) {
    const TopicPartition key = *to_wake_.begin();
    to_wake_.erase(to_wake_.begin());
    if (Partition* p = Find(key.topic, key.partition); p != nullptr) {
      CompleteProduces(*p);
    } else {
      for (DelayedProduce& d : purgatory_.TakeProduces(key)) {
        AnswerProduce(d.from, ProduceResponse{d.correlation_id, key.topic, key.partition,
                                              Errc::kNotLeaderOrFollower, -1, "leadership moved",
                                              kNoLeader, -1});
      }
    }
    // A woken fetch is answered when one of its partitions has an error, a diverging epoch
    // or new bytes for it, and it has min_bytes (DelayedFetch.tryComplete: accumulatedSize >=
    // fetchMinBytes). A new high watermark alone answers no follower: its bytes are counted
    // up to the log end, and it learns the high watermark with its next records or when
    // replica.fetch.wait.max.ms runs out (KAFKA-9952 removed the immediate answer KIP-392
    // had added). A consumer's bytes end at the high watermark, so one moving is new data.
    // Offsets decide, without reading; only a fetch that asked for more than a byte is read to
    // count its bytes.
    std::vector<DelayedFetch> woken = std::move(woken_fetches_);
    woken.clear();
    purgatory_.TakeFetchesWatchingIf(
        key,
        [this](const DelayedFetch& f) {
          return f.request.min_bytes > 1 || HasNewForWaitingFetch(f.request);
        },
        woken);
    for (DelayedFetch& f : woken) {
      if (!TryCompleteFetch(f.from, f.request, FetchCheck::kWoken)) {
        purgatory_.AddFetch(std::move(f));
      }
    }
    woken_fetches_ = std::move(woken);
  }
  to_wake_.clear();
  completing_ = false;
}

// --- Periodic work ---

void ReplicaManager::ShrinkIsrCheck() {
  RetryPendingAlters();
  for (auto& [key, p] : partitions_) {
    PartitionReady ready;
    p->MaybeShrinkIsr(io_.Now(), ready);
    Drain(*p, ready);
  }
  CompleteWaiters();
}

void ReplicaManager::ExpireDelayed() {
  const Time now = io_.Now();
  for (DelayedProduce& d : purgatory_.TakeExpiredProduces(now)) {
    ++counters_.failed_produce_requests;
    AnswerProduce(d.from, ProduceResponse{d.correlation_id, d.partition.topic,
                                          d.partition.partition, Errc::kRequestTimedOut, -1,
                                          "the high watermark did not reach the records in time",
                                          kNoLeader, -1});
  }
  for (DelayedFetch& f : purgatory_.TakeExpiredFetches(now)) {
    TryCompleteFetch(f.from, f.request, FetchCheck::kExpired);
  }
  CompleteWaiters();
}

}  // namespace kafkasim::kafka
