// One partition replica on a broker (Kafka's Partition.scala): leader or follower state, the
// leader's view of its remote replicas, the ISR rules, the high watermark and the leader epoch.
// A pure core: the host feeds it metadata, appends, fetches and ticks, and drains what each
// step produced from a PartitionReady (trace notes, probes, an ISR change to send to the
// controller, whether waiters on this partition may now complete). It sends nothing, reads no
// clock and calls nothing back; its only effect outside itself is on its own log.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/status.h"
#include "engine/time.h"
#include "engine/trace.h"
#include "kafka/messages.h"
#include "kafka/replica_log.h"

namespace kafkasim::kafka {

// What the control plane says about a partition (KRaft: the PartitionRegistration in the
// metadata image; ZooKeeper mode: LeaderAndIsrRequest's partition state).
struct PartitionState {
  BrokerId leader = kNoLeader;
  std::int32_t leader_epoch = -1;
  std::int32_t partition_epoch = -1;  // ZooKeeper mode: the state znode's version
  std::vector<BrokerId> replicas;
  std::vector<BrokerId> isr;
};

// A trace event the host emits on the partition's behalf.
struct PartitionNote {
  std::string kind;
  std::string text;
  std::vector<TraceField> fields;
};

// What one step asks of the host, in order.
struct PartitionReady {
  std::vector<PartitionNote> notes;
  std::vector<std::string> probes;
  // Send AlterPartition with pending_isr() to the controller: the partition now waits for it.
  bool alter_isr = false;
  // Delayed produces and parked fetches on this partition should be checked again: the log
  // grew, the high watermark moved, the ISR shrank, or leadership changed.
  bool wake_waiters = false;
  // The log end moved down (truncation) or the log restarted at a new start offset: the host
  // re-checkpoints recovery points (and log start offsets, when restarted).
  bool truncated = false;
  bool log_restarted = false;
  // Counters behind the metrics (Kafka's meter names).
  std::int32_t isr_shrinks = 0;
  std::int32_t isr_expands = 0;
  std::int32_t leader_elections = 0;
  // A log operation failed (disk full, I/O error): the log dir has failed (the host's call).
  std::optional<Status> storage_error;
};

// How the leader answers one partition of a produce request.
struct LeaderAppend {
  AppendResult offsets;
  std::int32_t record_count = 0;
};

// A follower or consumer fetch of this partition, as the leader sees it.
struct FetchInput {
  BrokerId replica_id = -1;  // -1 for a consumer
  std::int64_t fetch_offset = 0;
  std::int32_t last_fetched_epoch = -1;
  std::int32_t current_leader_epoch = -1;
  std::int32_t max_bytes = 1048576;
  // The metadata says this replica may join the ISR: registered, unfenced, not shutting down.
  bool replica_eligible_for_isr = false;
  // NoteFetch already took this fetch's offset as the follower's (ReadRecords does not again).
  bool follower_state_noted = false;
};

// Where a delayed acks=all produce stands (Partition.checkEnoughReplicasReachOffset).
enum class ProduceProgress { kWaiting, kDone, kNotEnoughReplicasAfterAppend };

class Partition {
 public:
  struct Settings {
    std::int64_t replica_lag_time_max_ms = 30000;
    std::int32_t min_insync_replicas = 1;
  };

  Partition(std::string topic, Uuid topic_id, std::int32_t index, BrokerId local_broker,
            std::unique_ptr<ReplicaLog> log, Settings settings);

  // --- Control plane ---
  // Applies the partition's state: becomes leader or follower on a new leader or leader epoch,
  // else takes the newer ISR. Returns what changed in `ready`.
  void ApplyState(const PartitionState& state, Time now, PartitionReady& ready);
  // The topic's min.insync.replicas, as the metadata says now.
  void set_min_insync_replicas(std::int32_t n) { settings_.min_insync_replicas = n; }
  // The controller's answer to this partition's AlterPartition.
  void OnAlterPartitionResponse(const AlterPartitionResponse& response, PartitionReady& ready);
  // Whether the broker may ask the controller for ISR changes (it holds a broker epoch).
  void set_alter_enabled(bool enabled) { alter_enabled_ = enabled; }

  // --- Leader ---
  // Appends a produce request's records at the log end (acks, min.insync.replicas and the
  // producer state decide first). NOT_LEADER_OR_FOLLOWER, INVALID_REQUIRED_ACKS,
  // NOT_ENOUGH_REPLICAS, OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH, or a storage error.
  Result<LeaderAppend> AppendRecordsToLeader(const ProduceRequest& request, Time now,
                                             PartitionReady& ready);
  // Serves one partition of a fetch. A follower's fetch also updates the leader's view of it,
  // which may expand the ISR and advance the high watermark.
  FetchedPartition ReadRecords(const FetchInput& fetch, Time now, PartitionReady& ready);
  // What ReadRecords does before it reads: a follower's fetch updates the leader's view of it.
  // True when ReadRecords would answer something: an error, a diverging epoch or records.
  bool NoteFetch(const FetchInput& fetch, Time now, PartitionReady& ready);
  // Whether a fetch waiting in the purgatory would now be answered on this partition's account
  // (DelayedFetch.tryComplete): ReadRecords would give an error, a diverging epoch or records.
  // Reads nothing and changes nothing: offsets are compared, as Kafka does.
  bool HasNewForWaitingFetch(const FetchInput& fetch) const;
  // The replica.lag.time.max.ms check: leaves out followers that have not caught up in time.
  void MaybeShrinkIsr(Time now, PartitionReady& ready);
  ProduceProgress CheckEnoughReplicasReachOffset(std::int64_t required_offset) const;
  // ListOffsets: earliest (log start) or latest (high watermark); nullopt when not leader.
  std::optional<std::int64_t> ListOffset(bool earliest) const;

  // --- Follower ---
  // What the next fetch from the leader asks for; remembers the offset, so that an answer for
  // an offset the log no longer ends at is ignored.
  FetchPartition NextFetch();
  // Applies the leader's answer for this partition. Returns true when the fetcher should back
  // off (a retriable error: the metadata is behind the leader's).
  bool ApplyFetchedData(const FetchedPartition& fetched, Time now, PartitionReady& ready);

  // --- Shutdown ---
  // The log dir is going away with the broker: nothing more is appended.
  Status Flush() { return log_->Flush(); }

  // --- Views ---
  const std::string& topic() const { return topic_; }
  const Uuid& topic_id() const { return topic_id_; }
  std::int32_t index() const { return index_; }
  const std::string& name() const { return name_; }
  bool is_leader() const { return leader_ == local_broker_; }
  BrokerId leader() const { return leader_; }
  std::int32_t leader_epoch() const { return leader_epoch_; }
  std::int32_t partition_epoch() const { return partition_epoch_; }
  const std::vector<BrokerId>& isr() const { return isr_; }
  const std::vector<BrokerId>& replicas() const { return replicas_; }
  bool alter_in_flight() const { return alter_in_flight_; }
  const std::vector<BrokerId>& pending_isr() const { return pending_isr_; }
  std::int32_t min_insync_replicas() const { return settings_.min_insync_replicas; }
  const ReplicaLog& log() const { return *log_; }
  ReplicaLog& log() { return *log_; }
  // The leader's view of a follower: its log end offset, -1 when unknown or not leader.
  std::int64_t RemoteLogEndOffset(BrokerId replica) const;

 private:
  // The leader's view of one follower (Replica.scala's ReplicaState).
  struct RemoteReplica {
    std::int64_t log_end_offset = -1;
    Time last_caught_up_time;
    Time last_fetch_time;
    std::int64_t last_fetch_leader_log_end_offset = -1;
  };

  void BecomeLeader(const PartitionState& state, Time now, PartitionReady& ready);
  void BecomeFollower(const PartitionState& state, PartitionReady& ready);
  // ReadRecords' cases that answer without records, an error or a diverging epoch: true for
  // them. With `out`, also fills in the answer (and the log's offsets once the leader epoch is
  // accepted); without, only asks.
  bool AnswerWithoutRecords(const FetchInput& fetch, FetchedPartition* out) const;
  // The offset a fetch reads up to: the log end for a follower (FetchIsolation.LOG_END), the
  // high watermark for a consumer.
  std::int64_t FetchLimit(const FetchInput& fetch) const {
    return fetch.replica_id >= 0 ? log_->log_end_offset() : log_->high_watermark();
  }
  void UpdateFollowerState(BrokerId replica, std::int64_t fetch_offset, bool eligible, Time now,
                           PartitionReady& ready);
  bool IsCaughtUp(BrokerId replica, Time now) const;
  void MaybeAdvanceHighWatermark(PartitionReady& ready);
  void MaybeExpandIsr(BrokerId replica, bool eligible, PartitionReady& ready);
  void ProposeIsr(std::vector<BrokerId> new_isr, PartitionReady& ready);
  // Follower: truncates to the end of the largest epoch both logs share (KIP-101/KIP-279).
  void TruncateOnDivergence(std::int32_t epoch, std::int64_t end_offset, PartitionReady& ready);
  void Note(PartitionReady& ready, std::string kind, std::string text,
            std::vector<TraceField> fields = {}) const;

  std::string topic_;
  Uuid topic_id_;
  std::int32_t index_ = 0;
  std::string name_;  // "cities-0"
  BrokerId local_broker_ = -1;
  std::unique_ptr<ReplicaLog> log_;
  Settings settings_;

  BrokerId leader_ = kNoLeader;
  std::int32_t leader_epoch_ = -1;
  std::int32_t partition_epoch_ = -1;
  std::int64_t leader_epoch_start_offset_ = 0;
  std::vector<BrokerId> replicas_;
  std::vector<BrokerId> isr_;
  std::map<BrokerId, RemoteReplica> remotes_;
  // An ISR change is pending from the moment the leader proposes it until the controller
  // answers or newer metadata supersedes it; meanwhile the high watermark counts the larger of
  // the two ISRs (Kafka's PendingExpandIsr / PendingShrinkIsr maximal ISR).
  bool alter_in_flight_ = false;
  std::vector<BrokerId> pending_isr_;
  bool alter_enabled_ = false;
  // Follower: the offset the fetch in flight asked from. Its answer is applied only while the
  // log still ends there (AbstractFetcherThread.processFetchRequest).
  std::int64_t requested_fetch_offset_ = -1;
};

}  // namespace kafkasim::kafka
