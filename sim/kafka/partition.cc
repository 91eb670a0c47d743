// The partition replica core (Partition.scala, Replica.scala): leader and follower state, ISR
// rules, high watermark and follower truncation. See partition.h for the contract.
#include "kafka/partition.h"

#include <fmt/compile.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "engine/assert.h"
#include "kafka/trace_kinds.h"

namespace kafkasim::kafka {
namespace {

bool Contains(const std::vector<BrokerId>& ids, BrokerId id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

std::string IdList(const std::vector<BrokerId>& ids) {
  return fmt::format("[{}]", fmt::join(ids, ","));
}

}  // namespace

Partition::Partition(std::string topic, Uuid topic_id, std::int32_t index, BrokerId local_broker,
                     std::unique_ptr<ReplicaLog> log, Settings settings)
    : topic_(std::move(topic)),
      topic_id_(topic_id),
      index_(index),
      name_(PartitionName(topic_, index)),
      local_broker_(local_broker),
      log_(std::move(log)),
      settings_(settings) {
  KSIM_ASSERT(log_ != nullptr);
  KSIM_ASSERT(local_broker_ >= 0);
}

void Partition::Note(PartitionReady& ready, std::string kind, std::string text,
                     std::vector<TraceField> fields) const {
  ready.notes.push_back(PartitionNote{std::move(kind), std::move(text), std::move(fields)});
}

std::int64_t Partition::RemoteLogEndOffset(BrokerId replica) const {
  const auto it = remotes_.find(replica);
  return it == remotes_.end() ? -1 : it->second.log_end_offset;
}

// --- Control plane ---

void Partition::ApplyState(const PartitionState& state, Time now, PartitionReady& ready) {
  replicas_ = state.replicas;
  if (state.leader == local_broker_) {
    if (!is_leader() || leader_epoch_ != state.leader_epoch) {
      BecomeLeader(state, now, ready);
    } else if (state.partition_epoch > partition_epoch_) {
      // The controller's answer may reach us through the metadata before the response.
      isr_ = state.isr;
      partition_epoch_ = state.partition_epoch;
      alter_in_flight_ = false;
      MaybeAdvanceHighWatermark(ready);
    }
  } else if (leader_ != state.leader || leader_epoch_ != state.leader_epoch) {
    BecomeFollower(state, ready);
  } else {
    isr_ = state.isr;
    partition_epoch_ = state.partition_epoch;
  }
}

void Partition::BecomeLeader(const PartitionState& state, Time now, PartitionReady& ready) {
  leader_ = local_broker_;
  leader_epoch_ = state.leader_epoch;
  partition_epoch_ = state.partition_epoch;
  isr_ = state.isr;
  alter_in_flight_ = false;
  leader_epoch_start_offset_ = log_->log_end_offset();
  // A checkpoint that cannot be written fails the log dir (the host's call), as Kafka's
  // LeaderEpochFileCache does through the LogDirFailureChannel.
  if (Status s = log_->AssignEpochStart(state.leader_epoch, leader_epoch_start_offset_); !s.ok()) {
    ready.storage_error = s;
  }
  // On a new leader epoch, follower state resets: ISR members count as caught up now.
  remotes_.clear();
  for (BrokerId r : replicas_) {
    if (r == local_broker_) continue;
    RemoteReplica rr;
    rr.last_caught_up_time = Contains(isr_, r) ? now : Time{};
    remotes_[r] = rr;
  }
  ++ready.leader_elections;
  ready.probes.emplace_back("partition.become_leader");
  Note(ready, std::string(trace_kind::kPartitionLeader),
       fmt::format("became leader of {} at leader_epoch {} (ISR {}, log end offset {})", name_,
                   leader_epoch_, IdList(isr_), log_->log_end_offset()),
       {{"partition", name_},
        {"leader_epoch", std::int64_t{leader_epoch_}},
        {"log_end_offset", log_->log_end_offset()}});
  ready.wake_waiters = true;
  MaybeAdvanceHighWatermark(ready);
}

void Partition::BecomeFollower(const PartitionState& state, PartitionReady& ready) {
  const bool was_leader = is_leader();
  leader_ = state.leader;
  leader_epoch_ = state.leader_epoch;
  partition_epoch_ = state.partition_epoch;
  isr_ = state.isr;
  remotes_.clear();
  alter_in_flight_ = false;
  // Requests waiting on this partition can no longer complete here.
  ready.wake_waiters = true;
  if (state.leader == kNoLeader) {
    Note(ready, std::string(trace_kind::kPartitionOffline),
         fmt::format("sees {} without a leader (leader_epoch {})", name_, leader_epoch_),
         {{"partition", name_}});
    return;
  }
  Note(ready, std::string(trace_kind::kPartitionFollower),
       fmt::format("{} {} of {} at leader_epoch {} (leader broker-{})",
                   was_leader ? "stepped down to" : "became", "follower", name_, leader_epoch_,
                   state.leader),
       {{"partition", name_}, {"leader_epoch", std::int64_t{leader_epoch_}}});
}

void Partition::OnAlterPartitionResponse(const AlterPartitionResponse& response,
                                         PartitionReady& ready) {
  if (!is_leader()) return;
  alter_in_flight_ = false;
  if (response.error != Errc::kNone) {
    Note(ready, std::string(trace_kind::kIsrAlterFailed),
         fmt::format("had its ISR change of {} rejected: {}", name_, ErrcName(response.error)));
    return;
  }
  if (response.partition_epoch <= partition_epoch_) return;
  const std::vector<BrokerId> old = isr_;
  isr_ = response.isr;
  partition_epoch_ = response.partition_epoch;
  const bool shrink = isr_.size() < old.size();
  if (shrink) {
    ++ready.isr_shrinks;
    ready.probes.emplace_back("isr.shrink");
  } else {
    ++ready.isr_expands;
    ready.probes.emplace_back("isr.expand");
  }
  Note(ready, std::string(shrink ? trace_kind::kIsrShrink : trace_kind::kIsrExpand),
       fmt::format("{} the ISR of {} from {} to {}", shrink ? "shrank" : "expanded", name_,
                   IdList(old), IdList(isr_)),
       {{"partition", name_}, {"isr", std::vector<std::int64_t>(isr_.begin(), isr_.end())}});
  MaybeAdvanceHighWatermark(ready);
  // A smaller ISR may fail waiting acks=all produces (NOT_ENOUGH_REPLICAS_AFTER_APPEND).
  if (shrink) ready.wake_waiters = true;
}

// --- Leader ---

Result<LeaderAppend> Partition::AppendRecordsToLeader(const ProduceRequest& request, Time now,
                                                      PartitionReady& ready) {
  if (!is_leader()) {
    return Status(Errc::kNotLeaderOrFollower,
                  fmt::format("broker-{} is not the leader of {}", local_broker_, name_));
  }
  if (request.acks != 0 && request.acks != 1 && request.acks != -1) {
    return Status(Errc::kInvalidRequiredAcks, "acks must be 0, 1 or -1");
  }
  const std::int32_t min_isr = settings_.min_insync_replicas;
  if (request.acks == -1 && static_cast<std::int32_t>(isr_.size()) < min_isr) {
    ready.probes.emplace_back("produce.not_enough_replicas");
    return Status(Errc::kNotEnoughReplicas,
                  fmt::format("the ISR of {} has {} replica(s), below min.insync.replicas={}",
                              name_, isr_.size(), min_isr));
  }
  Result<AppendResult> appended = log_->AppendAsLeader(request.records, leader_epoch_, now);
  if (!appended.ok()) {
    const Errc error = appended.status().code();
    if (error == Errc::kOutOfOrderSequenceNumber || error == Errc::kInvalidProducerEpoch) {
      if (error == Errc::kOutOfOrderSequenceNumber) {
        ready.probes.emplace_back("produce.out_of_order_sequence");
      } else {
        ready.probes.emplace_back("produce.invalid_producer_epoch");
      }
      Note(ready, std::string(trace_kind::kProduceRejected),
           fmt::format("refused a batch of producer {} for {}: {} ({})",
                       ProducerOfBatch(request.records).producer_id, name_, ErrcName(error),
                       appended.status().message()),
           {{"partition", name_}, {"error", std::string(ErrcName(error))}});
    } else if (error == Errc::kCorruptMessage || error == Errc::kInvalidRecord ||
               error == Errc::kMessageTooLarge || error == Errc::kUnsupportedCompressionType ||
               error == Errc::kInvalidTimestamp) {
      // LogValidator refused the client's batch: an answer to the client, not a disk failure.
      ready.probes.emplace_back("produce.invalid_batch");
      Note(ready, std::string(trace_kind::kProduceRejected),
           fmt::format("refused a batch for {}: {} ({})", name_, ErrcName(error),
                       appended.status().message()),
           {{"partition", name_}, {"error", std::string(ErrcName(error))}});
    } else {
      ready.storage_error = appended.status();
    }
    return appended.status();
  }
  const std::int32_t count = appended->record_count;
  if (appended->duplicate) {
    // UnifiedLog.append: a retried batch found among the producer's last 5 is answered with
    // the original offsets and not written again; acks=all still waits for its replication.
    const std::int32_t last_sequence = appended->last_sequence;
    ready.probes.emplace_back("produce.duplicate");
    Note(ready, std::string(trace_kind::kProduceDuplicate),
         fmt::format("ignored a retried batch from producer {} seq {}..{}: already at offsets "
                     "{}..{} of {}",
                     appended->producer_id, appended->base_sequence, last_sequence,
                     appended->first_offset, appended->last_offset, name_),
         {{"partition", name_},
          {"producer_id", appended->producer_id},
          {"first_offset", appended->first_offset},
          {"last_offset", appended->last_offset}});
  } else {
    // The most frequent line of a run, so its format is compiled.
    std::string text =
        request.acks == -1
            ? fmt::format(FMT_COMPILE("appended {} record(s) to {} at offsets {}..{} (acks=all)"),
                          count, name_, appended->first_offset, appended->last_offset)
            : fmt::format(FMT_COMPILE("appended {} record(s) to {} at offsets {}..{} (acks={})"),
                          count, name_, appended->first_offset, appended->last_offset,
                          request.acks);
    Note(ready, std::string(trace_kind::kProduceAppend), std::move(text),
         {{"partition", name_},
          {"first_offset", appended->first_offset},
          {"last_offset", appended->last_offset}});
    // Followers parked on this partition get the new data now.
    ready.wake_waiters = true;
  }
  MaybeAdvanceHighWatermark(ready);
  return LeaderAppend{*appended, count};
}

bool Partition::AnswerWithoutRecords(const FetchInput& fetch, FetchedPartition* out) const {
  const auto answer = [out](Errc error) {
    if (out != nullptr) out->error = error;
    return true;
  };
  if (!is_leader()) return answer(Errc::kNotLeaderOrFollower);
  if (fetch.current_leader_epoch >= 0 && fetch.current_leader_epoch < leader_epoch_) {
    return answer(Errc::kFencedLeaderEpoch);
  }
  if (fetch.current_leader_epoch > leader_epoch_) return answer(Errc::kUnknownLeaderEpoch);
  if (out != nullptr) {
    out->high_watermark = log_->high_watermark();
    out->log_start_offset = log_->log_start_offset();
    out->log_end_offset = log_->log_end_offset();
  }
  if (fetch.replica_id >= 0 && fetch.last_fetched_epoch >= 0) {
    const auto [epoch, end] = log_->EndOffsetForEpoch(fetch.last_fetched_epoch);
    if (epoch < fetch.last_fetched_epoch || end < fetch.fetch_offset) {
      if (out != nullptr) out->diverging_epoch = std::make_pair(epoch, end);
      return true;
    }
  }
  if (fetch.fetch_offset < log_->log_start_offset() ||
      fetch.fetch_offset > log_->log_end_offset()) {
    return answer(Errc::kOffsetOutOfRange);
  }
  return false;
}

FetchedPartition Partition::ReadRecords(const FetchInput& fetch, Time now, PartitionReady& ready) {
  FetchedPartition out;
  out.topic = topic_;
  out.partition = index_;
  if (AnswerWithoutRecords(fetch, &out)) {
    if (out.diverging_epoch) ready.probes.emplace_back("fetch.diverging_epoch");
    return out;
  }
  const bool from_replica = fetch.replica_id >= 0;
  if (from_replica && !fetch.follower_state_noted) {
    UpdateFollowerState(fetch.replica_id, fetch.fetch_offset, fetch.replica_eligible_for_isr, now,
                        ready);
  }
  out.high_watermark = log_->high_watermark();
  const std::int64_t limit = FetchLimit(fetch);
  if (fetch.fetch_offset < limit) {
    Result<std::vector<std::uint8_t>> data = log_->Read(fetch.fetch_offset, fetch.max_bytes, limit);
    if (data.ok()) {
      out.records = std::move(*data);
    } else if (data.status().code() != Errc::kOffsetOutOfRange) {
      ready.storage_error = data.status();
      out.error = Errc::kKafkaStorageError;
    }
  }
  return out;
}

bool Partition::NoteFetch(const FetchInput& fetch, Time now, PartitionReady& ready) {
  if (AnswerWithoutRecords(fetch, nullptr)) return true;
  if (fetch.replica_id >= 0) {
    UpdateFollowerState(fetch.replica_id, fetch.fetch_offset, fetch.replica_eligible_for_isr, now,
                        ready);
  }
  return fetch.fetch_offset < FetchLimit(fetch);
}

bool Partition::HasNewForWaitingFetch(const FetchInput& fetch) const {
  return AnswerWithoutRecords(fetch, nullptr) || fetch.fetch_offset < FetchLimit(fetch);
}

void Partition::UpdateFollowerState(BrokerId replica, std::int64_t fetch_offset, bool eligible,
                                    Time now, PartitionReady& ready) {
  auto it = remotes_.find(replica);
  if (it == remotes_.end()) return;
  RemoteReplica& r = it->second;
  const std::int64_t leader_leo = log_->log_end_offset();
  // The exact lag rule of Replica.updateFetchState (kafka-semantics.md 1.2).
  if (fetch_offset >= leader_leo) {
    r.last_caught_up_time = std::max(r.last_caught_up_time, now);
  } else if (fetch_offset >= r.last_fetch_leader_log_end_offset) {
    r.last_caught_up_time = std::max(r.last_caught_up_time, r.last_fetch_time);
  }
  r.last_fetch_leader_log_end_offset = std::max(leader_leo, r.last_fetch_leader_log_end_offset);
  r.last_fetch_time = now;
  r.log_end_offset = fetch_offset;
  MaybeExpandIsr(replica, eligible, ready);
  MaybeAdvanceHighWatermark(ready);
}

bool Partition::IsCaughtUp(BrokerId replica, Time now) const {
  const auto it = remotes_.find(replica);
  if (it == remotes_.end()) return false;
  const RemoteReplica& r = it->second;
  return r.log_end_offset == log_->log_end_offset() ||
         (now - r.last_caught_up_time).Millis() <= settings_.replica_lag_time_max_ms;
}

void Partition::MaybeAdvanceHighWatermark(PartitionReady& ready) {
  if (!is_leader()) return;
  // Strict min ISR (KAFKA-15583): below min.insync.replicas the HW does not move.
  const auto min_isr = std::min<std::size_t>(
      static_cast<std::size_t>(settings_.min_insync_replicas), replicas_.size());
  // The maximal ISR: the ISR and, while an AlterPartition is in flight, the replicas it adds.
  std::size_t maximal_size = isr_.size();
  std::int64_t candidate = log_->log_end_offset();
  const auto lower_to = [&](BrokerId r) {
    if (r == local_broker_) return;
    const auto it = remotes_.find(r);
    const std::int64_t leo =
        it == remotes_.end() ? 0 : std::max<std::int64_t>(0, it->second.log_end_offset);
    candidate = std::min(candidate, leo);
  };
  for (BrokerId r : isr_) lower_to(r);
  if (alter_in_flight_) {
    for (std::size_t k = 0; k < pending_isr_.size(); ++k) {
      const BrokerId r = pending_isr_[k];
      const auto earlier = pending_isr_.begin() + static_cast<std::ptrdiff_t>(k);
      if (Contains(isr_, r) || std::find(pending_isr_.begin(), earlier, r) != earlier) continue;
      ++maximal_size;
      lower_to(r);
    }
  }
  if (maximal_size < min_isr) return;
  if (candidate > log_->high_watermark()) {
    log_->UpdateHighWatermark(candidate);
    ready.wake_waiters = true;
  }
}

void Partition::MaybeExpandIsr(BrokerId replica, bool eligible, PartitionReady& ready) {
  if (!is_leader() || alter_in_flight_ || Contains(isr_, replica)) return;
  const auto it = remotes_.find(replica);
  if (it == remotes_.end()) return;
  const std::int64_t leo = it->second.log_end_offset;
  if (leo < log_->high_watermark() || leo < leader_epoch_start_offset_) return;
  if (!eligible) return;
  std::vector<BrokerId> isr = isr_;
  isr.push_back(replica);
  std::sort(isr.begin(), isr.end());
  ProposeIsr(std::move(isr), ready);
}

void Partition::MaybeShrinkIsr(Time now, PartitionReady& ready) {
  if (!is_leader() || alter_in_flight_) return;
  std::vector<BrokerId> keep;
  for (BrokerId r : isr_) {
    if (r == local_broker_ || IsCaughtUp(r, now)) keep.push_back(r);
  }
  if (keep.size() != isr_.size()) ProposeIsr(std::move(keep), ready);
}

void Partition::ProposeIsr(std::vector<BrokerId> new_isr, PartitionReady& ready) {
  if (!alter_enabled_) return;
  alter_in_flight_ = true;
  pending_isr_ = std::move(new_isr);
  ready.alter_isr = true;
}

ProduceProgress Partition::CheckEnoughReplicasReachOffset(std::int64_t required_offset) const {
  if (!is_leader()) return ProduceProgress::kWaiting;
  if (log_->high_watermark() >= required_offset) return ProduceProgress::kDone;
  // Written, but the ISR fell below the minimum before it was replicated (Partition.scala).
  if (static_cast<std::int32_t>(isr_.size()) < settings_.min_insync_replicas) {
    return ProduceProgress::kNotEnoughReplicasAfterAppend;
  }
  return ProduceProgress::kWaiting;
}

std::optional<std::int64_t> Partition::ListOffset(bool earliest) const {
  if (!is_leader()) return std::nullopt;
  return earliest ? log_->log_start_offset() : log_->high_watermark();
}

// --- Follower ---

FetchPartition Partition::NextFetch() {
  FetchPartition fp;
  fp.topic = topic_;
  fp.partition = index_;
  fp.fetch_offset = log_->log_end_offset();
  fp.last_fetched_epoch = log_->LatestEpoch();
  fp.current_leader_epoch = leader_epoch_;
  fp.log_start_offset = log_->log_start_offset();
  requested_fetch_offset_ = fp.fetch_offset;
  return fp;
}

bool Partition::ApplyFetchedData(const FetchedPartition& fetched, Time now, PartitionReady& ready) {
  // The log moved since the request (truncated, reset, or appended by an earlier answer):
  // this part of the answer is stale and the next fetch asks again from the new end.
  if (requested_fetch_offset_ != log_->log_end_offset()) return false;
  if (fetched.diverging_epoch) {
    TruncateOnDivergence(fetched.diverging_epoch->first, fetched.diverging_epoch->second, ready);
    return false;
  }
  if (fetched.error == Errc::kOffsetOutOfRange) {
    Status s = Status::Ok();
    if (log_->log_end_offset() > fetched.log_end_offset) {
      s = log_->TruncateTo(fetched.log_end_offset);
    } else {
      s = log_->TruncateFullyAndStartAt(fetched.log_start_offset);
      if (s.ok()) {
        ready.log_restarted = true;
        Note(ready, std::string(trace_kind::kLogReset),
             fmt::format("{} fell behind the leader's log start offset; restarted its log at "
                         "offset {}",
                         name_, fetched.log_start_offset));
      }
    }
    if (!s.ok()) ready.storage_error = s;
    // LogManager.truncateTo: the recovery point may have moved down with the log end.
    ready.truncated = true;
    return false;
  }
  if (fetched.error != Errc::kNone) return true;  // stale metadata: wait for it to catch up
  if (!fetched.records.empty()) {
    Result<AppendResult> appended = log_->AppendAsFollower(fetched.records, now);
    if (!appended.ok()) {
      // A corrupt batch from the leader is CORRUPT_MESSAGE (the follower retries after a
      // backoff); a failed write is the log dir's failure.
      if (appended.status().code() == Errc::kCorruptMessage) {
        Note(ready, std::string(trace_kind::kFetchCorrupt),
             fmt::format("refused a corrupt batch of {} from broker-{}: {}", name_, leader_,
                         appended.status().message()),
             {{"partition", name_}});
        return true;
      }
      ready.storage_error = appended.status();
      return true;
    }
  }
  const std::int64_t hw = std::min(fetched.high_watermark, log_->log_end_offset());
  if (hw > log_->high_watermark()) log_->UpdateHighWatermark(hw);
  return false;
}

void Partition::TruncateOnDivergence(std::int32_t epoch, std::int64_t end_offset,
                                     PartitionReady& ready) {
  // kafka-semantics.md 1.6: truncate to the end of the largest common epoch.
  const std::int64_t leo = log_->log_end_offset();
  std::int64_t target = std::min(end_offset, leo);
  if (epoch >= 0) {
    const auto [my_epoch, my_end] = log_->EndOffsetForEpoch(epoch);
    if (my_epoch == epoch) {
      target = std::min({my_end, end_offset, leo});
    } else if (my_epoch >= 0) {
      target = std::min(my_end, leo);
    }
  }
  if (target >= leo) {
    // Nothing to cut, but an epoch this replica led without appending (its entry starts at
    // the log end) must go, or every fetch would name it and diverge again.
    if (Status s = log_->TruncateTo(leo); !s.ok()) ready.storage_error = s;
    return;
  }
  if (Status s = log_->TruncateTo(target); !s.ok()) {
    ready.storage_error = s;
    return;
  }
  // LogManager.truncateTo checkpoints the recovery point, which may have moved down.
  ready.truncated = true;
  ready.probes.emplace_back("follower.truncate");
  Note(ready, std::string(trace_kind::kLogTruncate),
       fmt::format("truncated {} from log end offset {} to {}: its log diverged from the "
                   "leader's after leader_epoch {}",
                   name_, leo, target, epoch),
       {{"partition", name_}, {"from", leo}, {"to", target}});
}

}  // namespace kafkasim::kafka
