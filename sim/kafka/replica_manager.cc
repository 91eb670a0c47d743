// The broker's replica manager: partitions it leads or follows, produce with acks and
// min.insync.replicas, fetch from followers and consumers, ISR and high watermark upkeep
// (Partition.scala, ReplicaManager.scala).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "engine/assert.h"
#include "kafka/kafka_server.h"
#include "storage/format.h"

namespace kafkasim::kafka {
namespace {

bool Contains(const std::vector<BrokerId>& ids, BrokerId id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

std::string IdList(const std::vector<BrokerId>& ids) {
  return fmt::format("[{}]", fmt::join(ids, ","));
}

}  // namespace

KafkaServer::Partition* KafkaServer::FindPartition(const std::string& topic,
                                                   std::int32_t partition) {
  const auto it = partitions_.find({topic, partition});
  return it == partitions_.end() ? nullptr : &it->second;
}

std::int32_t KafkaServer::MinInsyncReplicas(const Partition& p) const {
  const std::string value = image_.TopicConfig(
      p.topic, "min.insync.replicas", std::to_string(config_.broker_settings.min_insync_replicas));
  return static_cast<std::int32_t>(std::stol(value));
}

KafkaServer::Partition* KafkaServer::OpenPartition(const TopicImage& topic, std::int32_t index) {
  Partition p;
  p.topic = topic.name;
  p.topic_id = topic.id;
  p.index = index;
  p.name = PartitionName(topic.name, index);
  ReplicaLogConfig lc = config_.broker_settings.log;
  auto num = [&](const char* name, std::int64_t fallback) {
    return std::stoll(image_.TopicConfig(topic.name, name, std::to_string(fallback)));
  };
  lc.segment_bytes = num("segment.bytes", lc.segment_bytes);
  lc.segment_ms = num("segment.ms", lc.segment_ms);
  lc.retention_ms = num("retention.ms", lc.retention_ms);
  lc.retention_bytes = num("retention.bytes", lc.retention_bytes);
  const bool on_disk = env_.disk().Exists(p.name);
  const ReplicaLogHints hints = TakeLogHints(topic.name, index);
  ReplicaLogOpenInfo info;
  Result<std::unique_ptr<ReplicaLog>> log =
      OpenReplicaLog(env_.disk(), "", topic.name, index, lc, env_.Now(), hints, &info);
  KSIM_ASSERT_MSG(log.ok(), log.status().ToString());
  p.log = std::move(*log);
  if (!env_.disk().Exists(p.name + "/" + storage::kPartitionMetadataFile)) {
    const Status written = p.log->WritePartitionMetadata(topic.id);
    KSIM_ASSERT_MSG(written.ok(), written.ToString());
  }
  if (!info.dropped.empty()) Emit("log.recovery", fmt::format("{}: {}", p.name, info.dropped));
  if (on_disk && info.bytes_trusted + info.bytes_validated > 0) EmitLogLoaded(p, hints, info);
  auto [it, inserted] = partitions_.emplace(std::make_pair(topic.name, index), std::move(p));
  KSIM_ASSERT(inserted);
  return &it->second;
}

void KafkaServer::EmitLogLoaded(const Partition& p, const ReplicaLogHints& hints,
                                const ReplicaLogOpenInfo& info) {
  // What the log dir's checkpoints let this start skip (LogLoader.recoverLog).
  std::string how;
  if (info.segments_validated == 0) {
    env_.Probe("log.recovery.skipped");
    how = fmt::format("trusted all {} segment(s) ({} bytes) without re-reading them",
                      info.segments_trusted, info.bytes_trusted);
  } else {
    if (info.segments_trusted > 0) env_.Probe("log.recovery.skipped");
    how = fmt::format(
        "trusted {} segment(s) ({} bytes) below the recovery point, re-validated {} segment(s) "
        "({} bytes) from offset {}",
        info.segments_trusted, info.bytes_trusted, info.segments_validated, info.bytes_validated,
        info.recovered_from);
  }
  const std::string why =
      hints.had_clean_shutdown
          ? "after a clean shutdown (.kafka_cleanshutdown)"
          : fmt::format("after an unclean stop, recovery point {}", hints.recovery_point);
  Emit("log.load",
       fmt::format("loaded {} {}: {}; high watermark {}, log start offset {}, log end offset {}",
                   p.name, why, how, p.log->high_watermark(), p.log->log_start_offset(),
                   p.log->log_end_offset()),
       {{"partition", p.name},
        {"recovery_point", hints.recovery_point},
        {"segments_trusted", std::int64_t{info.segments_trusted}},
        {"segments_validated", std::int64_t{info.segments_validated}},
        {"high_watermark", p.log->high_watermark()}});
}

void KafkaServer::ReconcilePartitions() {
  // Drop replicas this broker no longer hosts (deleted topics).
  for (auto it = partitions_.begin(); it != partitions_.end();) {
    const PartitionRegistration* reg = image_.Partition(it->first.first, it->first.second);
    const TopicImage* topic = image_.Topic(it->first.first);
    if (reg == nullptr || topic == nullptr || topic->id != it->second.topic_id ||
        !Contains(reg->replicas, config_.node_id)) {
      const std::string name = it->second.name;
      it->second.log.reset();
      (void)env_.disk().Remove(name);
      Emit("partition.deleted", fmt::format("deleted its replica of {}", name));
      it = partitions_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [name, topic] : image_.topics()) {
    for (const auto& [index, reg] : topic.partitions) {
      if (!Contains(reg.replicas, config_.node_id)) continue;
      Partition* p = FindPartition(name, index);
      if (p == nullptr) p = OpenPartition(topic, index);
      p->replicas = reg.replicas;
      if (reg.leader == config_.node_id) {
        if (p->leader != config_.node_id || p->leader_epoch != reg.leader_epoch) {
          BecomeLeader(*p, reg);
        } else if (reg.partition_epoch > p->partition_epoch) {
          p->isr = reg.isr;
          p->partition_epoch = reg.partition_epoch;
          p->alter_in_flight = false;
          MaybeAdvanceHighWatermark(*p);
        }
      } else if (p->leader != reg.leader || p->leader_epoch != reg.leader_epoch) {
        BecomeFollower(*p, reg);
      } else {
        p->isr = reg.isr;
        p->partition_epoch = reg.partition_epoch;
      }
    }
  }
  UpdateFetchers();
}

void KafkaServer::BecomeLeader(Partition& p, const PartitionRegistration& reg) {
  const Time now = env_.Now();
  p.leader = config_.node_id;
  p.leader_epoch = reg.leader_epoch;
  p.partition_epoch = reg.partition_epoch;
  p.isr = reg.isr;
  p.alter_in_flight = false;
  p.leader_epoch_start_offset = p.log->log_end_offset();
  p.log->AssignEpochStart(reg.leader_epoch, p.leader_epoch_start_offset);
  // On a new leader epoch, follower state resets: ISR members count as caught up now.
  p.remotes.clear();
  for (BrokerId r : p.replicas) {
    if (r == config_.node_id) continue;
    RemoteReplica rr;
    rr.last_caught_up_time = Contains(p.isr, r) ? now : Time{};
    p.remotes[r] = rr;
  }
  ++counters_.leader_elections;
  env_.Probe("partition.become_leader");
  Emit("partition.leader",
       fmt::format("became leader of {} at leader_epoch {} (ISR {}, log end offset {})", p.name,
                   p.leader_epoch, IdList(p.isr), p.log->log_end_offset()),
       {{"partition", p.name},
        {"leader_epoch", std::int64_t{p.leader_epoch}},
        {"log_end_offset", p.log->log_end_offset()}});
  MaybeAdvanceHighWatermark(p);
}

void KafkaServer::BecomeFollower(Partition& p, const PartitionRegistration& reg) {
  const bool was_leader = p.leader == config_.node_id;
  p.leader = reg.leader;
  p.leader_epoch = reg.leader_epoch;
  p.partition_epoch = reg.partition_epoch;
  p.isr = reg.isr;
  p.remotes.clear();
  p.alter_in_flight = false;
  // Requests waiting on this partition can no longer complete here.
  for (auto it = delayed_produces_.begin(); it != delayed_produces_.end();) {
    if (it->request.topic == p.topic && it->request.partition == p.index) {
      Reply(it->from, ProduceResponse{it->request.correlation_id, p.topic, p.index,
                                      Errc::kNotLeaderOrFollower, -1, "leadership moved"});
      it = delayed_produces_.erase(it);
    } else {
      ++it;
    }
  }
  if (reg.leader == kNoLeader) {
    Emit("partition.offline",
         fmt::format("sees {} without a leader (leader_epoch {})", p.name, p.leader_epoch),
         {{"partition", p.name}});
    return;
  }
  Emit("partition.follower",
       fmt::format("{} {} of {} at leader_epoch {} (leader broker-{})",
                   was_leader ? "stepped down to" : "became", "follower", p.name, p.leader_epoch,
                   reg.leader),
       {{"partition", p.name}, {"leader_epoch", std::int64_t{p.leader_epoch}}});
}

void KafkaServer::UpdateFollowerState(Partition& p, BrokerId replica, std::int64_t fetch_offset,
                                      Time now) {
  auto it = p.remotes.find(replica);
  if (it == p.remotes.end()) return;
  RemoteReplica& r = it->second;
  const std::int64_t leader_leo = p.log->log_end_offset();
  // The exact lag rule of Replica.updateFetchState (kafka-semantics.md 1.2).
  if (fetch_offset >= leader_leo) {
    r.last_caught_up_time = std::max(r.last_caught_up_time, now);
  } else if (fetch_offset >= r.last_fetch_leader_log_end_offset) {
    r.last_caught_up_time = std::max(r.last_caught_up_time, r.last_fetch_time);
  }
  r.last_fetch_leader_log_end_offset = std::max(leader_leo, r.last_fetch_leader_log_end_offset);
  r.last_fetch_time = now;
  r.log_end_offset = fetch_offset;
  MaybeExpandIsr(p, replica);
  MaybeAdvanceHighWatermark(p);
}

bool KafkaServer::IsCaughtUp(const Partition& p, BrokerId replica, Time now) const {
  const auto it = p.remotes.find(replica);
  if (it == p.remotes.end()) return false;
  const RemoteReplica& r = it->second;
  return r.log_end_offset == p.log->log_end_offset() ||
         (now - r.last_caught_up_time).Millis() <= config_.broker_settings.replica_lag_time_max_ms;
}

void KafkaServer::MaybeAdvanceHighWatermark(Partition& p) {
  if (p.leader != config_.node_id) return;
  // Strict min ISR (KAFKA-15583): below min.insync.replicas the HW does not move.
  const auto min_isr =
      std::min<std::size_t>(static_cast<std::size_t>(MinInsyncReplicas(p)), p.replicas.size());
  std::vector<BrokerId> maximal = p.isr;
  for (BrokerId r : p.pending_isr) {
    if (p.alter_in_flight && !Contains(maximal, r)) maximal.push_back(r);
  }
  if (maximal.size() < min_isr) return;
  std::int64_t candidate = p.log->log_end_offset();
  for (BrokerId r : maximal) {
    if (r == config_.node_id) continue;
    const auto it = p.remotes.find(r);
    const std::int64_t leo =
        it == p.remotes.end() ? 0 : std::max<std::int64_t>(0, it->second.log_end_offset);
    candidate = std::min(candidate, leo);
  }
  if (candidate > p.log->high_watermark()) {
    p.log->UpdateHighWatermark(candidate);
    CompleteDelayed(p);
    // Parked fetches learn the new high watermark without waiting for max wait.
    std::vector<ParkedFetch> parked;
    parked.swap(parked_fetches_);
    for (ParkedFetch& f : parked) HandleFetch(f.from, f.request, false);
  }
}

void KafkaServer::MaybeExpandIsr(Partition& p, BrokerId replica) {
  if (p.leader != config_.node_id || p.alter_in_flight || Contains(p.isr, replica)) return;
  const auto it = p.remotes.find(replica);
  if (it == p.remotes.end()) return;
  const std::int64_t leo = it->second.log_end_offset;
  if (leo < p.log->high_watermark() || leo < p.leader_epoch_start_offset) return;
  const BrokerRegistration* b = image_.Broker(replica);
  if (b == nullptr || b->fenced || b->in_controlled_shutdown) return;
  std::vector<BrokerId> isr = p.isr;
  isr.push_back(replica);
  std::sort(isr.begin(), isr.end());
  SendAlterPartition(p, isr);
}

void KafkaServer::ShrinkIsrCheck() {
  const Time now = env_.Now();
  RetryPendingAlters();
  for (auto& [key, p] : partitions_) {
    if (p.leader != config_.node_id || p.alter_in_flight) continue;
    std::vector<BrokerId> keep;
    for (BrokerId r : p.isr) {
      if (r == config_.node_id || IsCaughtUp(p, r, now)) keep.push_back(r);
    }
    if (keep.size() != p.isr.size()) SendAlterPartition(p, keep);
  }
}

void KafkaServer::SendAlterPartition(Partition& p, std::vector<BrokerId> new_isr) {
  if (broker_epoch_ < 0) return;
  p.alter_in_flight = true;
  p.pending_isr = std::move(new_isr);
  p.alter_sent_to = raft::kNoNodeId;
  const bool controller_known = raft_->leader_id() != raft::kNoNodeId;
  Emit("isr.alter_requested",
       fmt::format("asks the controller to change the ISR of {} from {} to {}{}", p.name,
                   IdList(p.isr), IdList(p.pending_isr),
                   controller_known ? "" : " (no controller known yet: the request waits)"),
       {{"partition", p.name}});
  SendPendingAlter(p);
}

void KafkaServer::SendPendingAlter(Partition& p) {
  const raft::NodeId controller = raft_->leader_id();
  if (controller == raft::kNoNodeId) return;
  AlterPartitionRequest request;
  request.broker_id = config_.node_id;
  request.broker_epoch = broker_epoch_;
  request.topic_id = p.topic_id;
  request.partition = p.index;
  request.leader_epoch = p.leader_epoch;
  request.partition_epoch = p.partition_epoch;
  request.new_isr = p.pending_isr;
  p.alter_sent_to = controller;
  p.alter_sent_at = env_.Now();
  SendTo(controller, std::move(request));
}

void KafkaServer::RetryPendingAlters() {
  // Kafka's broker-to-controller channel re-sends an unanswered request after
  // request.timeout.ms (30 s by default) or when the active controller changes
  // (NodeToControllerRequestThread; AlterPartitionManager never gives up).
  const raft::NodeId controller = raft_->leader_id();
  if (controller == raft::kNoNodeId || broker_epoch_ < 0) return;
  const Duration timeout = Milliseconds(config_.broker_settings.request_timeout_ms);
  for (auto& [key, p] : partitions_) {
    if (!p.alter_in_flight || p.leader != config_.node_id) continue;
    if (p.alter_sent_to == controller && env_.Now() - p.alter_sent_at < timeout) continue;
    SendPendingAlter(p);
  }
}

void KafkaServer::OnAlterPartitionResponse(const AlterPartitionResponse& response) {
  Partition* p = FindPartition(response.topic, response.partition);
  if (p == nullptr || p->leader != config_.node_id) return;
  p->alter_in_flight = false;
  if (response.error != Errc::kNone) {
    Emit("isr.alter_failed",
         fmt::format("ISR change of {} was rejected: {}", p->name, ErrcName(response.error)));
    return;
  }
  if (response.partition_epoch <= p->partition_epoch) return;
  const std::vector<BrokerId> old = p->isr;
  p->isr = response.isr;
  p->partition_epoch = response.partition_epoch;
  const bool shrink = p->isr.size() < old.size();
  if (shrink) {
    ++counters_.isr_shrinks;
    env_.Probe("isr.shrink");
  } else {
    ++counters_.isr_expands;
    env_.Probe("isr.expand");
  }
  Emit(shrink ? "isr.shrink" : "isr.expand",
       fmt::format("{} the ISR of {} from {} to {}", shrink ? "shrank" : "expanded", p->name,
                   IdList(old), IdList(p->isr)),
       {{"partition", p->name}, {"isr", std::vector<std::int64_t>(p->isr.begin(), p->isr.end())}});
  MaybeAdvanceHighWatermark(*p);
  if (shrink) CompleteDelayed(*p);
}

}  // namespace kafkasim::kafka
