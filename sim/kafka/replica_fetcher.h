// The follower side of replication (ReplicaFetcherManager, ReplicaFetcherThread): one fetch
// session per leader broker covering every partition this broker follows from it, answers
// applied partition by partition (append, truncation on divergence, reset when behind the
// leader's log start), backoff on errors and disconnects.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "kafka/broker_seams.h"
#include "kafka/replica_manager.h"
#include "kafka/server_config.h"

namespace kafkasim::kafka {

class ReplicaFetcherManager {
 public:
  ReplicaFetcherManager(BrokerIo& io, std::int32_t node_id, const BrokerSettings& settings,
                        ReplicaManager& replicas);

  void SetBrokerEpoch(std::int64_t epoch) { broker_epoch_ = epoch; }
  // One session per leader this broker follows: starts new ones, drops those with no partition.
  void Update();
  void OnFetchResponse(const FetchResponse& response);
  // The leader's process died (its connection closed): back off replica.fetch.backoff.ms.
  void OnDisconnect(std::int32_t peer_id);
  // Re-sends fetches that got no answer (leader crashed, link cut) or whose backoff passed.
  void Timeouts();
  // ReplicaFetcherManager.removeFetcherForPartitions: the partition is fetched no more while this
  // broker hosts it (StopReplica without deletion; a follower of a broker shutting down). Call
  // Update after.
  void RemovePartition(const TopicPartition& partition);
  // becomeLeaderOrFollower: a partition the controller hands over again is fetched again.
  void RestorePartition(const TopicPartition& partition) { removed_.erase(partition); }

 private:
  struct FetchSession {
    std::int64_t correlation_id = 0;
    bool in_flight = false;
    Time sent_at;
  };
  void SendFetch(BrokerId leader);
  // The partitions this broker follows from `leader`, in partition order (removed ones
  // included): an index rebuilt when the replica manager's layout changes, so a fetch costs
  // what it carries, not the number of partitions hosted.
  const std::vector<Partition*>& FollowedFrom(BrokerId leader);
  // Marks the session to `leader` in flight so Timeouts resends it after
  // replica.fetch.backoff.ms.
  void BackOff(BrokerId leader);

  BrokerIo& io_;
  std::int32_t node_id_;
  BrokerSettings settings_;
  ReplicaManager& replicas_;
  std::int64_t broker_epoch_ = -1;
  std::map<BrokerId, FetchSession> sessions_;
  // No session in flight is due to be resent before this: Timeouts, every 50 ms, walks the
  // sessions only from then (a broker of a 100-broker cluster has 99). Each send or backoff
  // lowers it; a walk sets it anew. It may be early (a session answered since), never late.
  Time first_due_ = kTimeMax;
  Duration ResendAfter() const;
  std::map<std::int64_t, BrokerId> session_of_correlation_;  // each session's fetch in flight
  std::map<BrokerId, std::vector<Partition*>> followed_;
  std::uint64_t followed_version_ = UINT64_MAX;
  std::set<TopicPartition, TopicPartitionLess> removed_;
  std::int64_t next_correlation_id_ = 1;
};

}  // namespace kafkasim::kafka
