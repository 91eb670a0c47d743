// The broker's replica manager (ReplicaManager.scala): the partitions this broker hosts, the
// produce, fetch and list-offsets requests they serve, the delayed operations waiting on them,
// and the ISR changes it asks of the controller (AlterPartitionManager). It takes partition
// leadership from the control plane through ApplyPartitionStates, whatever runs the cluster.
//
// Not re-entrant by construction: a handler steps partitions and queues the partitions whose
// waiters may complete; CompleteWaiters, run once at the end of each entry point, answers them
// in a loop (an answered fetch may wake others), never from inside another handler.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "kafka/auto_topic_creation.h"
#include "kafka/broker_seams.h"
#include "kafka/delayed_operations.h"
#include "kafka/log_manager.h"
#include "kafka/partition.h"
#include "kafka/server_config.h"

namespace kafkasim::kafka {

// A partition this broker hosts, with its state from the control plane.
struct HostedPartitionState {
  std::string topic;
  Uuid topic_id;
  std::int32_t partition = 0;
  PartitionState state;
};

class ReplicaManager {
 public:
  // Counters behind the metrics panel (Kafka's meter names).
  struct Counters {
    std::int64_t isr_shrinks = 0;
    std::int64_t isr_expands = 0;
    std::int64_t failed_produce_requests = 0;
    std::int64_t leader_elections = 0;
  };

  ReplicaManager(BrokerIo& io, std::int32_t node_id, const BrokerSettings& settings,
                 LogManager& logs, const MetadataCache& metadata, const ControllerChannel& channel);

  // --- Control plane ---
  // Makes this broker leader or follower of each partition as its state says, creating the
  // replica (and its log) when new. Partitions not named are left as they are.
  void ApplyPartitionStates(const std::vector<HostedPartitionState>& states);
  // Hosted logs of topics whose overrides changed take the new values (after a metadata update).
  void RefreshTopicConfigs();
  // Drops a replica and deletes its log (a deleted topic, a replica moved away: StopReplica).
  void StopReplica(const std::string& topic, std::int32_t partition);
  // The broker epoch this broker holds (-1 before registration): ISR changes need one.
  void SetBrokerEpoch(std::int64_t epoch);
  void OnAlterPartitionResponse(const AlterPartitionResponse& response);
  // Re-sends pending AlterPartitions that have not reached the active controller (no
  // controller was known, it changed, or request.timeout.ms passed).
  void RetryPendingAlters();

  // --- Requests ---
  // `from` kNoNode is the broker's own append (the group coordinator's records): its answer,
  // once acks are met or failed, waits in TakeInternalAnswers by correlation id.
  void HandleProduce(NodeIndex from, const ProduceRequest& request);
  // The answers to the broker's own appends since the last call, in completion order.
  std::vector<ProduceResponse> TakeInternalAnswers();
  void HandleFetch(NodeIndex from, const FetchRequest& request);
  void HandleListOffsets(NodeIndex from, const ListOffsetsRequest& request);
  // Every partition's leader; a requested topic the cluster lacks gets the error `auto_topics`
  // gives it (which may ask the controller to create it).
  void HandleMetadata(NodeIndex from, const MetadataRequest& request,
                      AutoTopicCreationManager& auto_topics);

  // --- Periodic work ---
  void ShrinkIsrCheck();  // every replica.lag.time.max.ms / 2
  void ExpireDelayed();   // request timeouts and fetch max waits

  // --- Views ---
  Partition* Find(const std::string& topic, std::int32_t partition);
  const Partition* Find(const std::string& topic, std::int32_t partition) const;
  const std::map<TopicPartition, std::unique_ptr<Partition>, TopicPartitionLess>& partitions()
      const {
    return partitions_;
  }
  const Counters& counters() const { return counters_; }
  // Changes whenever a partition is opened or stopped or a state is applied (which may move
  // its leader): what the fetchers' index of partitions by leader is rebuilt on.
  std::uint64_t layout_version() const { return layout_version_; }

  // Drains a partition step: notes, probes, counters, AlterPartition, waiters, failures. Used
  // by the fetcher for follower steps too.
  void Drain(Partition& p, PartitionReady& ready);
  // Answers the waiters of every partition queued by Drain (see the file comment).
  void CompleteWaiters();

 private:
  Partition* OpenPartition(const HostedPartitionState& hosted);
  ReplicaLogConfig LogConfigFor(const std::string& topic);
  std::int32_t MinInsyncReplicas(const std::string& topic) const;
  void SendPendingAlter(Partition& p);
  // Whether a fetch waiting in the purgatory would now be answered (DelayedFetch.tryComplete,
  // for min_bytes of one): one of its partitions has an error, a diverging epoch or records.
  bool HasNewForWaitingFetch(const FetchRequest& request) const;
  // Why a fetch is looked at: it has just arrived, it waits in the purgatory and one of its
  // partitions moved, or its max wait ran out.
  enum class FetchCheck { kArrived, kWoken, kExpired };
  // Serves a fetch now; false when it should wait (fewer than min_bytes, no error, max wait
  // left). Only an arriving fetch updates the leader's view of its follower: a read for the
  // purgatory does not (ReplicaManager.readFromLog: updateFetchState = !readFromPurgatory).
  bool TryCompleteFetch(NodeIndex from, const FetchRequest& request, FetchCheck check);
  void CompleteProduces(Partition& p);
  void AnswerProduce(NodeIndex from, ProduceResponse response);

  BrokerIo& io_;
  std::int32_t node_id_;
  BrokerSettings settings_;
  LogManager& logs_;
  const MetadataCache& metadata_;
  const ControllerChannel& channel_;
  std::int64_t broker_epoch_ = -1;
  std::map<TopicPartition, std::unique_ptr<Partition>, TopicPartitionLess> partitions_;
  std::uint64_t layout_version_ = 0;
  // partitions_ by topic, then by partition index (nullptr where not hosted), for the look-ups
  // of every request and response: a broker hosts few topics, so finding one is a string
  // compare or two, where hashing the name cost more than the rest of the look-up.
  std::map<std::string, std::vector<Partition*>, std::less<>> index_;
  // The entry of index_ Find found last (its node outlives inserts; cleared when erased).
  mutable const std::pair<const std::string, std::vector<Partition*>>* last_found_ = nullptr;
  // Each topic's overrides as its hosted logs were last configured with them.
  std::map<std::string, std::map<std::string, std::string>> applied_overrides_;
  // Where each partition's pending AlterPartition went (AlterPartitionManager's in-flight map).
  struct AlterSent {
    std::int32_t to = -1;     // -1: not sent yet, no controller known
    std::int32_t epoch = -1;  // the controller's term it was sent in
    Time at;
  };
  std::map<TopicPartition, AlterSent> alters_sent_;
  DelayedOperationPurgatory purgatory_;
  std::set<TopicPartition> to_wake_;
  bool completing_ = false;
  // CompleteProduces' answered produces, its room kept between calls.
  std::vector<DelayedProduce> answered_produces_;
  // CompleteWaiters' woken fetches, likewise.
  std::vector<DelayedFetch> woken_fetches_;
  std::vector<ProduceResponse> internal_answers_;
  Counters counters_;
};

}  // namespace kafkasim::kafka
