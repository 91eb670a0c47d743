// Follower fetchers (ReplicaFetcherThread): one Fetch session per leader broker covering every
// partition this broker follows from it; truncation on divergence (KIP-101/KIP-279/KIP-320).
#include <fmt/format.h>

#include <algorithm>

#include "engine/assert.h"
#include "kafka/kafka_server.h"

namespace kafkasim::kafka {

void KafkaServer::UpdateFetchers() {
  std::set<BrokerId> leaders;
  for (const auto& [key, p] : partitions_) {
    if (p.leader >= 0 && p.leader != config_.node_id) leaders.insert(p.leader);
  }
  for (auto it = fetchers_.begin(); it != fetchers_.end();) {
    it = leaders.count(it->first) ? std::next(it) : fetchers_.erase(it);
  }
  for (BrokerId leader : leaders) {
    FetchSession& s = fetchers_[leader];
    if (!s.in_flight) SendFetch(leader);
  }
}

void KafkaServer::SendFetch(BrokerId leader) {
  FetchRequest request;
  request.correlation_id = next_correlation_id_++;
  request.replica_id = config_.node_id;
  request.broker_epoch = broker_epoch_;
  request.max_wait = Milliseconds(config_.broker_settings.replica_fetch_wait_max_ms);
  request.max_bytes = config_.broker_settings.replica_fetch_max_bytes;
  for (auto& [key, p] : partitions_) {
    if (p.leader != leader) continue;
    FetchPartition fp;
    fp.topic = p.topic;
    fp.partition = p.index;
    fp.fetch_offset = p.log->log_end_offset();
    fp.last_fetched_epoch = p.log->LatestEpoch();
    fp.current_leader_epoch = p.leader_epoch;
    fp.log_start_offset = p.log->log_start_offset();
    p.requested_fetch_offset = fp.fetch_offset;
    request.partitions.push_back(fp);
  }
  FetchSession& s = fetchers_[leader];
  if (request.partitions.empty()) {
    s.in_flight = false;
    return;
  }
  s.correlation_id = request.correlation_id;
  s.in_flight = true;
  s.sent_at = env_.Now();
  SendTo(leader, std::move(request));
}

void KafkaServer::OnFetchResponse(const Message& message, const FetchResponse& response) {
  (void)message;
  BrokerId leader = kNoLeader;
  for (auto& [id, s] : fetchers_) {
    if (s.in_flight && s.correlation_id == response.correlation_id) leader = id;
  }
  if (leader == kNoLeader) return;  // a stale session's answer
  fetchers_[leader].in_flight = false;
  bool backoff = false;
  for (const FetchedPartition& fp : response.partitions) {
    Partition* p = FindPartition(fp.topic, fp.partition);
    if (p == nullptr || p->leader != leader) continue;
    // The log moved since the request (truncated, reset, or appended by an earlier answer):
    // this part of the answer is stale and the next fetch asks again from the new end.
    if (p->requested_fetch_offset != p->log->log_end_offset()) continue;
    if (fp.diverging_epoch) {
      HandleDivergence(*p, fp.diverging_epoch->first, fp.diverging_epoch->second);
      continue;
    }
    if (fp.error == Errc::kOffsetOutOfRange) {
      if (p->log->log_end_offset() > fp.log_end_offset) {
        (void)p->log->TruncateTo(fp.log_end_offset);
      } else {
        (void)p->log->TruncateFullyAndStartAt(fp.log_start_offset);
        Emit("log.reset", fmt::format("{} fell behind the leader's log start offset; restarted "
                                      "its log at offset {}",
                                      p->name, fp.log_start_offset));
        CheckpointLogStartOffsets();
      }
      // LogManager.truncateTo: the recovery point may have moved down with the log end.
      CheckpointRecoveryPoints();
      continue;
    }
    if (fp.error != Errc::kNone) {
      backoff = true;  // stale metadata: wait for the metadata log to catch up
      continue;
    }
    if (!fp.records.empty()) {
      Result<AppendResult> appended = p->log->AppendAsFollower(fp.records, env_.Now());
      KSIM_ASSERT_MSG(appended.ok(), appended.status().ToString());
    }
    const std::int64_t hw = std::min(fp.high_watermark, p->log->log_end_offset());
    if (hw > p->log->high_watermark()) p->log->UpdateHighWatermark(hw);
  }
  if (backoff) {
    BackOffFetcher(leader);
    return;
  }
  SendFetch(leader);
}

void KafkaServer::BackOffFetcher(BrokerId leader) {
  FetchSession& s = fetchers_[leader];
  s.in_flight = true;  // resent by FetcherTimeouts after the backoff
  s.sent_at = env_.Now() - Milliseconds(config_.broker_settings.replica_fetch_wait_max_ms) -
              Milliseconds(2000) + Milliseconds(config_.broker_settings.replica_fetch_backoff_ms);
}

void KafkaServer::OnDisconnect(NodeIndex peer) {
  // ReplicaFetcherThread: a fetch that fails with an IOException (the leader's connection
  // closed) delays its partitions by replica.fetch.backoff.ms (AbstractFetcherThread
  // .handlePartitionsWithErrors); by then the metadata log may name a new leader, and
  // UpdateFetchers moves the partitions to it. Other connections (to the controller, from
  // clients) rely on their timeouts.
  const std::int32_t id = directory_->IdFor(peer);
  const auto it = fetchers_.find(id);
  if (id < 0 || it == fetchers_.end() || !it->second.in_flight) return;
  env_.Probe("follower.leader_disconnected");
  BackOffFetcher(id);
}

void KafkaServer::HandleDivergence(Partition& p, std::int32_t epoch, std::int64_t end_offset) {
  // kafka-semantics.md 1.6: truncate to the end of the largest common epoch.
  const std::int64_t leo = p.log->log_end_offset();
  std::int64_t target = std::min(end_offset, leo);
  if (epoch >= 0) {
    const auto [my_epoch, my_end] = p.log->EndOffsetForEpoch(epoch);
    if (my_epoch == epoch) {
      target = std::min({my_end, end_offset, leo});
    } else if (my_epoch >= 0) {
      target = std::min(my_end, leo);
    }
  }
  if (target < leo) {
    Status s = p.log->TruncateTo(target);
    KSIM_ASSERT_MSG(s.ok(), s.ToString());
    // LogManager.truncateTo checkpoints the recovery point, which may have moved down.
    CheckpointRecoveryPoints();
    env_.Probe("follower.truncate");
    Emit("log.truncate",
         fmt::format("truncated {} from log end offset {} to {}: its log diverged from the "
                     "leader's after leader_epoch {}",
                     p.name, leo, target, epoch),
         {{"partition", p.name}, {"from", leo}, {"to", target}});
  }
}

void KafkaServer::FetcherTimeouts() {
  // A fetch with no answer (leader crashed, link cut) is sent again: the simulated network
  // loses the connection silently, where a real broker would see a reset or a timeout.
  const Time now = env_.Now();
  const Duration limit = Milliseconds(config_.broker_settings.replica_fetch_wait_max_ms + 2000);
  for (auto& [leader, s] : fetchers_) {
    if (s.in_flight && now - s.sent_at >= limit) SendFetch(leader);
  }
}

}  // namespace kafkasim::kafka
