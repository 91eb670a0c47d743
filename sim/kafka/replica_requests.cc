// Request handling on the broker: Produce (acks, min.insync.replicas, delayed produce), Fetch
// (divergence, parking), ListOffsets and Metadata; and the broker's periodic chores.
#include <fmt/format.h>

#include <algorithm>

#include "engine/assert.h"
#include "kafka/kafka_server.h"

namespace kafkasim::kafka {

void KafkaServer::HandleProduce(const Message& message, const ProduceRequest& request) {
  auto fail = [&](Errc error, std::string text) {
    ++counters_.failed_produce_requests;
    if (request.acks != 0) {
      Reply(message.from, ProduceResponse{request.correlation_id, request.topic, request.partition,
                                          error, -1, std::move(text)});
    }
  };
  Partition* p = FindPartition(request.topic, request.partition);
  if (p == nullptr || p->leader != config_.node_id) {
    return fail(Errc::kNotLeaderOrFollower,
                fmt::format("broker-{} is not the leader of {}-{}", config_.node_id, request.topic,
                            request.partition));
  }
  if (request.acks != 0 && request.acks != 1 && request.acks != -1) {
    return fail(Errc::kInvalidRequiredAcks, "acks must be 0, 1 or -1");
  }
  const std::int32_t min_isr = MinInsyncReplicas(*p);
  if (request.acks == -1 && static_cast<std::int32_t>(p->isr.size()) < min_isr) {
    env_.Probe("produce.not_enough_replicas");
    return fail(Errc::kNotEnoughReplicas,
                fmt::format("the ISR of {} has {} replica(s), below min.insync.replicas={}",
                            p->name, p->isr.size(), min_isr));
  }
  const ProducerBatchInfo producer{request.producer_id, request.producer_epoch,
                                   request.base_sequence};
  Result<AppendResult> appended =
      p->log->AppendAsLeader(request.records, p->leader_epoch, env_.Now(), producer);
  if (!appended.ok()) {
    const Errc error = appended.status().code();
    if (error == Errc::kOutOfOrderSequenceNumber || error == Errc::kInvalidProducerEpoch) {
      env_.Probe(error == Errc::kOutOfOrderSequenceNumber ? "produce.out_of_order_sequence"
                                                          : "produce.invalid_producer_epoch");
      Emit("produce.rejected",
           fmt::format("refused a batch of producer {} for {}: {} ({})", request.producer_id,
                       p->name, ErrcName(error), appended.status().message()),
           {{"partition", p->name}, {"error", std::string(ErrcName(error))}});
    }
    return fail(error, appended.status().message());
  }
  if (appended->duplicate) {
    // UnifiedLog.append: a retried batch found among the producer's last 5 is answered with
    // the original offsets and not written again; acks=all still waits for its replication.
    const auto last_sequence =
        static_cast<std::int32_t>((std::int64_t{request.base_sequence} +
                                   static_cast<std::int64_t>(request.records.size()) - 1) %
                                  (std::int64_t{INT32_MAX} + 1));
    env_.Probe("produce.duplicate");
    Emit("produce.duplicate",
         fmt::format("ignored a retried batch from producer {} seq {}..{}: already at offsets "
                     "{}..{} of {}",
                     request.producer_id, request.base_sequence, last_sequence,
                     appended->first_offset, appended->last_offset, p->name),
         {{"partition", p->name},
          {"producer_id", request.producer_id},
          {"first_offset", appended->first_offset},
          {"last_offset", appended->last_offset}});
  } else {
    Emit("produce.append",
         fmt::format("appended {} record(s) to {} at offsets {}..{} (acks={})",
                     request.records.size(), p->name, appended->first_offset, appended->last_offset,
                     request.acks == -1 ? "all" : std::to_string(request.acks)),
         {{"partition", p->name},
          {"first_offset", appended->first_offset},
          {"last_offset", appended->last_offset}});
    // Followers parked on this partition get the new data now.
    std::vector<ParkedFetch> parked;
    parked.swap(parked_fetches_);
    for (ParkedFetch& f : parked) HandleFetch(f.from, f.request, false);
  }
  MaybeAdvanceHighWatermark(*p);
  if (request.acks == 0) return;
  if (request.acks == 1 || p->log->high_watermark() > appended->last_offset) {
    Reply(message.from, ProduceResponse{request.correlation_id, request.topic, request.partition,
                                        Errc::kNone, appended->first_offset, ""});
    return;
  }
  DelayedProduce d;
  d.from = message.from;
  d.request = request;
  d.request.records.clear();
  d.required_offset = appended->last_offset + 1;
  d.base_offset = appended->first_offset;
  d.deadline = env_.Now() + request.timeout;
  delayed_produces_.push_back(std::move(d));
}

void KafkaServer::CompleteDelayed(Partition& p) {
  const std::int32_t min_isr = MinInsyncReplicas(p);
  for (auto it = delayed_produces_.begin(); it != delayed_produces_.end();) {
    if (it->request.topic != p.topic || it->request.partition != p.index) {
      ++it;
      continue;
    }
    Errc error = Errc::kNone;
    std::string text;
    if (p.log->high_watermark() >= it->required_offset) {
      error = Errc::kNone;
    } else if (static_cast<std::int32_t>(p.isr.size()) < min_isr) {
      // Written, but the ISR fell below the minimum before it was replicated (Partition.scala).
      error = Errc::kNotEnoughReplicasAfterAppend;
      text = fmt::format("the ISR of {} shrank to {} replica(s) after the append", p.name,
                         p.isr.size());
      env_.Probe("produce.not_enough_replicas_after_append");
    } else {
      ++it;
      continue;
    }
    if (error != Errc::kNone) ++counters_.failed_produce_requests;
    Reply(it->from, ProduceResponse{it->request.correlation_id, p.topic, p.index, error,
                                    error == Errc::kNone ? it->base_offset : -1, text});
    it = delayed_produces_.erase(it);
  }
}

void KafkaServer::ExpireDelayed() {
  const Time now = env_.Now();
  for (auto it = delayed_produces_.begin(); it != delayed_produces_.end();) {
    if (it->deadline > now) {
      ++it;
      continue;
    }
    ++counters_.failed_produce_requests;
    Reply(it->from, ProduceResponse{it->request.correlation_id, it->request.topic,
                                    it->request.partition, Errc::kRequestTimedOut, -1,
                                    "the high watermark did not reach the records in time"});
    it = delayed_produces_.erase(it);
  }
  std::vector<ParkedFetch> due;
  for (auto it = parked_fetches_.begin(); it != parked_fetches_.end();) {
    if (it->deadline <= now) {
      due.push_back(std::move(*it));
      it = parked_fetches_.erase(it);
    } else {
      ++it;
    }
  }
  for (ParkedFetch& f : due) HandleFetch(f.from, f.request, false);
}

std::optional<FetchedPartition> KafkaServer::ReadForFetch(const FetchRequest& request,
                                                          const FetchPartition& fp, Time now) {
  FetchedPartition out;
  out.topic = fp.topic;
  out.partition = fp.partition;
  Partition* p = FindPartition(fp.topic, fp.partition);
  if (p == nullptr || p->leader != config_.node_id) {
    out.error = Errc::kNotLeaderOrFollower;
    return out;
  }
  if (fp.current_leader_epoch >= 0 && fp.current_leader_epoch < p->leader_epoch) {
    out.error = Errc::kFencedLeaderEpoch;
    return out;
  }
  if (fp.current_leader_epoch > p->leader_epoch) {
    out.error = Errc::kUnknownLeaderEpoch;
    return out;
  }
  ReplicaLog& log = *p->log;
  out.high_watermark = log.high_watermark();
  out.log_start_offset = log.log_start_offset();
  out.log_end_offset = log.log_end_offset();
  const bool from_replica = request.replica_id >= 0;
  if (from_replica && fp.last_fetched_epoch >= 0) {
    const auto [epoch, end] = log.EndOffsetForEpoch(fp.last_fetched_epoch);
    if (epoch < fp.last_fetched_epoch || end < fp.fetch_offset) {
      out.diverging_epoch = std::make_pair(epoch, end);
      env_.Probe("fetch.diverging_epoch");
      return out;
    }
  }
  if (fp.fetch_offset < log.log_start_offset() || fp.fetch_offset > log.log_end_offset()) {
    out.error = Errc::kOffsetOutOfRange;
    return out;
  }
  if (from_replica) UpdateFollowerState(*p, request.replica_id, fp.fetch_offset, now);
  out.high_watermark = log.high_watermark();
  const std::int64_t limit = from_replica ? log.log_end_offset() : log.high_watermark();
  if (fp.fetch_offset < limit) {
    Result<std::vector<std::uint8_t>> data = log.Read(fp.fetch_offset, request.max_bytes, limit);
    if (data.ok()) out.records = std::move(*data);
  }
  return out;
}

void KafkaServer::HandleFetch(NodeIndex from, const FetchRequest& request, bool allow_park) {
  const Time now = env_.Now();
  FetchResponse response;
  response.correlation_id = request.correlation_id;
  bool any_data = false;
  bool any_error = false;
  for (const FetchPartition& fp : request.partitions) {
    std::optional<FetchedPartition> part = ReadForFetch(request, fp, now);
    if (!part) continue;
    any_data = any_data || !part->records.empty();
    any_error = any_error || part->error != Errc::kNone || part->diverging_epoch.has_value();
    response.partitions.push_back(std::move(*part));
  }
  // Nothing new: park the fetch until data arrives or max wait passes (DelayedFetch).
  if (allow_park && !any_data && !any_error && request.max_wait.ns > 0) {
    parked_fetches_.push_back(ParkedFetch{from, request, now + request.max_wait});
    return;
  }
  Reply(from, std::move(response));
}

void KafkaServer::HandleListOffsets(const Message& message, const ListOffsetsRequest& request) {
  ListOffsetsResponse response{request.correlation_id, request.topic, request.partition,
                               Errc::kNone, -1};
  Partition* p = FindPartition(request.topic, request.partition);
  if (p == nullptr || p->leader != config_.node_id) {
    response.error = Errc::kNotLeaderOrFollower;
  } else {
    response.offset = request.earliest ? p->log->log_start_offset() : p->log->high_watermark();
  }
  Reply(message.from, response);
}

void KafkaServer::HandleMetadataRequest(const Message& message, const MetadataRequest& request) {
  MetadataResponse response;
  response.correlation_id = request.correlation_id;
  for (const auto& [id, b] : image_.brokers()) {
    if (!b.fenced) response.live_brokers.push_back(id);
  }
  for (const auto& [name, topic] : image_.topics()) {
    for (const auto& [index, reg] : topic.partitions) {
      response.partitions.push_back(PartitionMetadata{name, index, reg.leader, reg.leader_epoch});
    }
  }
  Reply(message.from, response);
}

void KafkaServer::RunRetention() {
  for (auto& [key, p] : partitions_) {
    for (const std::string& note : p.log->RunRetention(env_.Now())) {
      env_.Probe("retention.delete_segment");
      Emit("log.retention", fmt::format("{}: {}", p.name, note), {{"partition", p.name}});
    }
  }
}

}  // namespace kafkasim::kafka
