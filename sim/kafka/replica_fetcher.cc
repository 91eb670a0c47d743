// Follower fetchers; see replica_fetcher.h. Truncation rules live in the Partition core.
#include "kafka/replica_fetcher.h"

#include <algorithm>
#include <set>

namespace kafkasim::kafka {

ReplicaFetcherManager::ReplicaFetcherManager(BrokerIo& io, std::int32_t node_id,
                                             const BrokerSettings& settings,
                                             ReplicaManager& replicas)
    : io_(io), node_id_(node_id), settings_(settings), replicas_(replicas) {}

const std::vector<Partition*>& ReplicaFetcherManager::FollowedFrom(BrokerId leader) {
  if (followed_version_ != replicas_.layout_version()) {
    followed_.clear();
    for (const auto& [key, p] : replicas_.partitions()) {
      if (p->leader() >= 0 && p->leader() != node_id_) followed_[p->leader()].push_back(p.get());
    }
    followed_version_ = replicas_.layout_version();
  }
  static const std::vector<Partition*> kNone;
  const auto it = followed_.find(leader);
  return it == followed_.end() ? kNone : it->second;
}

void ReplicaFetcherManager::Update() {
  FollowedFrom(kNoLeader);  // brings the index up to date
  std::set<BrokerId> leaders;
  for (const auto& [leader, partitions] : followed_) {
    for (const Partition* p : partitions) {
      if (removed_.contains(TopicPartitionRef{p->topic(), p->index()})) continue;
      leaders.insert(leader);
      break;
    }
  }
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (leaders.count(it->first)) {
      ++it;
      continue;
    }
    session_of_correlation_.erase(it->second.correlation_id);
    it = sessions_.erase(it);
  }
  for (BrokerId leader : leaders) {
    if (!sessions_[leader].in_flight) SendFetch(leader);
  }
}

void ReplicaFetcherManager::SendFetch(BrokerId leader) {
  FetchRequest request;
  request.correlation_id = next_correlation_id_++;
  request.replica_id = node_id_;
  request.broker_epoch = broker_epoch_;
  request.max_wait = Milliseconds(settings_.replica_fetch_wait_max_ms);
  request.max_bytes = settings_.replica_fetch_max_bytes;
  const std::vector<Partition*>& followed = FollowedFrom(leader);
  request.partitions.reserve(followed.size());
  for (Partition* p : followed) {
    if (!removed_.contains(TopicPartitionRef{p->topic(), p->index()})) {
      request.partitions.push_back(p->NextFetch());
    }
  }
  FetchSession& s = sessions_[leader];
  session_of_correlation_.erase(s.correlation_id);
  if (request.partitions.empty()) {
    s.in_flight = false;
    return;
  }
  s.correlation_id = request.correlation_id;
  session_of_correlation_[s.correlation_id] = leader;
  s.in_flight = true;
  s.sent_at = io_.Now();
  first_due_ = std::min(first_due_, s.sent_at + ResendAfter());
  io_.SendTo(leader, std::move(request));
}

void ReplicaFetcherManager::OnFetchResponse(const FetchResponse& response) {
  const auto of = session_of_correlation_.find(response.correlation_id);
  if (of == session_of_correlation_.end()) return;  // a stale session's answer
  const BrokerId leader = of->second;
  const auto session = sessions_.find(leader);
  if (session == sessions_.end() || !session->second.in_flight ||
      session->second.correlation_id != response.correlation_id) {
    return;
  }
  sessions_[leader].in_flight = false;
  bool backoff = false;
  // The answer lists the partitions in the order they were asked for, which is FollowedFrom's:
  // each is looked for from where the last one was found (with 100 brokers a hash look-up per
  // partition was a twentieth of the run), and by name when it is not there. Nothing in the
  // loop rebuilds the list or deletes a partition (StopReplica comes only with metadata).
  const std::vector<Partition*>& followed = FollowedFrom(leader);
  std::size_t next = 0;
  for (const FetchedPartition& fp : response.partitions) {
    Partition* p = nullptr;
    for (std::size_t tried = 0; tried < followed.size(); ++tried) {
      Partition* candidate = followed[(next + tried) % followed.size()];
      if (candidate->index() == fp.partition && candidate->topic() == fp.topic) {
        p = candidate;
        next = (next + tried + 1) % followed.size();
        break;
      }
    }
    if (p == nullptr) p = replicas_.Find(fp.topic, fp.partition);
    if (p == nullptr || p->leader() != leader) continue;
    if (removed_.contains(TopicPartitionRef{fp.topic, fp.partition})) continue;
    PartitionReady ready;
    backoff = p->ApplyFetchedData(fp, io_.Now(), ready) || backoff;
    replicas_.Drain(*p, ready);
  }
  replicas_.CompleteWaiters();
  if (backoff) {
    BackOff(leader);
    return;
  }
  SendFetch(leader);
}

void ReplicaFetcherManager::BackOff(BrokerId leader) {
  FetchSession& s = sessions_[leader];
  s.in_flight = true;  // resent by Timeouts after the backoff
  s.sent_at = io_.Now() - Milliseconds(settings_.replica_fetch_wait_max_ms) - Milliseconds(2000) +
              Milliseconds(settings_.replica_fetch_backoff_ms);
  first_due_ = std::min(first_due_, s.sent_at + ResendAfter());
}

void ReplicaFetcherManager::OnDisconnect(std::int32_t peer_id) {
  // ReplicaFetcherThread: a fetch that fails with an IOException (the leader's connection
  // closed) delays its partitions by replica.fetch.backoff.ms (AbstractFetcherThread
  // .handlePartitionsWithErrors); by then the metadata may name a new leader, and Update moves
  // the partitions to it. Other connections (to the controller, from clients) rely on their
  // timeouts.
  const auto it = sessions_.find(peer_id);
  if (peer_id < 0 || it == sessions_.end() || !it->second.in_flight) return;
  io_.Probe("follower.leader_disconnected");
  BackOff(peer_id);
}

void ReplicaFetcherManager::RemovePartition(const TopicPartition& partition) {
  removed_.insert(partition);
}

void ReplicaFetcherManager::Timeouts() {
  // A fetch with no answer (leader crashed, link cut) is sent again: the simulated network
  // loses the connection silently, where a real broker would see a reset or a timeout.
  const Time now = io_.Now();
  if (now < first_due_) return;
  const Duration limit = ResendAfter();
  first_due_ = kTimeMax;  // SendFetch lowers it again for what it resends
  for (auto& [leader, s] : sessions_) {
    if (s.in_flight && now - s.sent_at >= limit) SendFetch(leader);
    if (s.in_flight) first_due_ = std::min(first_due_, s.sent_at + limit);
  }
}

Duration ReplicaFetcherManager::ResendAfter() const {
  return Milliseconds(settings_.replica_fetch_wait_max_ms + 2000);
}

}  // namespace kafkasim::kafka
