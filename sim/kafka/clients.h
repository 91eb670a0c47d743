// Simulated Kafka clients: a producer (partitioner, acks, linger, retries, delivery timeout,
// metadata refresh), an assign-mode consumer, and the admin client behind kafka-*.sh tools.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/prng.h"
#include "engine/simulation.h"
#include "kafka/assignors.h"
#include "kafka/client_history.h"
#include "kafka/cluster_directory.h"
#include "kafka/messages.h"
#include "kafka/partitioner.h"

namespace kafkasim::kafka {

// Cluster metadata as a client caches it (from MetadataResponse).
struct ClientMetadata {
  std::vector<BrokerId> live_brokers;
  std::map<std::string, std::map<std::int32_t, PartitionMetadata>> topics;
  // The topic's partitions in order, and those with a leader (Kafka's Cluster keeps both
  // lists, availablePartitionsForTopic, so a producer's batch does not walk the topic).
  struct PartitionLists {
    std::vector<std::int32_t> all;
    std::vector<std::int32_t> available;
  };
  std::map<std::string, PartitionLists, std::less<>> lists;

  const std::vector<std::int32_t>& PartitionsOf(const std::string& topic) const;
  const std::vector<std::int32_t>& AvailablePartitionsOf(const std::string& topic) const;
  BrokerId LeaderOf(const std::string& topic, std::int32_t partition) const;
  // The partition's leader epoch as last learnt; nullopt for a partition not known.
  std::optional<std::int32_t> LeaderEpochOf(const std::string& topic, std::int32_t partition) const;
  // Metadata.updatePartitionLeadership (KIP-951): takes the leader a broker named in an error
  // response when its epoch is newer than the one known, the partition is known and the
  // leader is a live broker. Returns whether it did.
  bool UpdateLeader(const std::string& topic, std::int32_t partition, BrokerId leader,
                    std::int32_t leader_epoch);
  // The partition as last learnt; nullptr for a partition not known.
  const PartitionMetadata* Find(const std::string& topic, std::int32_t partition) const;
  // Rebuilds the topic's `lists` from `topics`.
  void RebuildLists(const std::string& topic);
};

// Replaces a client's cached metadata with a MetadataResponse. Returns true when the response
// taught something new: a partition not known before or one at a newer leader epoch (Kafka's
// Metadata.updateLatestMetadata, which then resets the count of equivalent responses).
bool ApplyMetadata(ClientMetadata& md, const MetadataResponse& response);

// ExponentialBackoff.backoff(attempts) with multiplier 2 and jitter 0.2, as Kafka's clients pace
// retries (CommonClientConfigs.RETRY_BACKOFF_EXP_BASE / RETRY_BACKOFF_JITTER): `initial`
// doubled per attempt, times a random factor in [0.8, 1.2), in whole milliseconds, at most `max`.
Duration RetryBackoff(Duration initial, Duration max, std::int64_t attempts, Rng& rng);

// When a client may send its next Metadata request (Kafka 3.7+, KIP-580: Metadata.java's
// timeToAllowUpdate). After every response or failed request the next one waits
// retry.backoff.ms (100 ms, jittered); each response in a row that taught nothing new (the topic
// still missing, a leader still unknown) doubles the wait, and so does each failed request in a
// row, up to retry.backoff.max.ms (1 s). So a client that cannot find a leader asks a few times
// a second, not once per round trip, and a 10,000-partition answer is not rebuilt continuously.
// The jitter is drawn once per response, where Kafka draws it on each look.
class MetadataPacing {
 public:
  explicit MetadataPacing(Duration initial = Milliseconds(100), Duration max = Milliseconds(1000))
      : initial_(initial), max_(max) {}
  // Metadata.update: a response arrived; `news` as ApplyMetadata returned.
  void Updated(Time now, bool news, Rng& rng);
  // Metadata.failedUpdate: the request failed (its connection closed, or no answer came).
  void Failed(Time now, Rng& rng);
  // metadata.max.age.ms passed: a periodic refresh does not back off for equivalent responses.
  void Expired();
  // The earliest time the next request may go out.
  Time allowed_at() const { return last_ + std::max(for_attempts_, for_equivalent_); }

  bool timer_set = false;  // a timer to ask again at allowed_at() is pending

 private:
  Duration initial_;
  Duration max_;
  Time last_;  // of the last response or failure (lastRefreshMs)
  Duration for_attempts_{};
  Duration for_equivalent_{};
  std::int64_t attempts_ = 0;    // failed requests since the last response
  std::int64_t equivalent_ = 0;  // responses in a row that taught nothing new
};

struct ProducerConfig {
  std::string topic;
  std::int16_t acks = -1;
  Duration send_interval = Milliseconds(100);
  std::optional<std::int64_t> count;  // records to send; nullopt = until stopped
  // The n-th record's key and value.
  std::function<ProducedRecord(std::int64_t n)> record_at;
  std::int32_t retries = 2147483647;
  Duration delivery_timeout = Milliseconds(120000);
  Duration request_timeout = Milliseconds(30000);
  Duration linger = Milliseconds(5);
  Duration metadata_max_age = Milliseconds(300000);  // metadata.max.age.ms
  Duration retry_backoff = Milliseconds(100);        // retry.backoff.ms
  Duration retry_backoff_max = Milliseconds(1000);   // retry.backoff.max.ms (Kafka 3.7+, KIP-580)
  std::int32_t max_in_flight = 5;
  // enable.idempotence (Kafka 3.2+ default true). It takes effect only with acks=all, as when
  // Kafka resolves an unset enable.idempotence; the scenario validator refuses an explicit true
  // with other acks.
  bool enable_idempotence = true;
  // compression.type: "none" (Kafka's default), "gzip", "snappy", "lz4" or "zstd"; the codec
  // of every batch this producer builds.
  std::string compression_type = "none";
  bool trace_each_record = false;  // console producer: one timeline line per acknowledgement
  std::string client_id;           // client.id in log lines; "" = the node's name
  // When the record schedule began, if before the node started (a scenario client held back
  // until its topic existed): the records due since then are produced at once at the first
  // start, as they would have waited in the buffer.
  std::optional<Time> schedule_start;
};

class ProducerNode : public Node {
 public:
  ProducerNode(NodeEnv& env, std::shared_ptr<const ClusterDirectory> directory,
               ProducerConfig config, std::shared_ptr<ClientHistory> history);
  void OnStart() override;
  void OnMessage(const Message& message) override;
  void OnTimer(std::uint64_t tag) override;
  // The broker's process died: its in-flight requests fail at once with NETWORK_EXCEPTION and
  // are retried after a metadata refresh.
  void OnDisconnect(NodeIndex peer) override;
  const ClientMetadata& metadata() const { return metadata_; }
  // KafkaProducer.close(): no new records; what is buffered is sent at once and every record
  // is waited for (acknowledged, or failed by delivery.timeout.ms). Then the node stops.
  void Close();
  bool closing() const { return closing_; }
  // Idempotence as in effect: enable.idempotence with acks=all.
  bool idempotent() const { return idempotent_; }
  std::int64_t producer_id() const { return producer_id_; }
  std::int16_t producer_epoch() const { return producer_epoch_; }

 private:
  struct Pending {
    std::int64_t sequence = 0;  // the n-th record this producer sent (not a Kafka sequence)
    std::int32_t partition = -1;
    ProducedRecord record;
    Time created;
    std::int32_t attempts = 0;
  };
  // A produce request's records for one partition (ProducerBatch). An idempotent producer
  // keeps a batch whole across retries: same records, same epoch, same base sequence, and the
  // same bytes (built once, when first sent, as MemoryRecordsBuilder closes a batch).
  struct Batch {
    std::int32_t partition = 0;
    std::vector<Pending> records;
    std::int64_t producer_id = -1;
    std::int16_t producer_epoch = -1;
    std::int32_t base_sequence = -1;  // -1: no idempotence, or no sequence assigned yet
    std::vector<std::uint8_t> bytes;  // record batch v2; empty until built
    // ProducerBatch's retry state: how often the batch was put back after a failed attempt,
    // when it was last put back, and how long it then waits (retry.backoff.ms doubled per
    // retry up to retry.backoff.max.ms, jittered; drawn once per retry here, where Kafka draws
    // at every readiness check).
    std::int32_t retries = 0;
    Time last_attempt;
    Duration backoff{};
    // The newest leader epoch seen for the partition while the batch waited, and the retry at
    // which it was first seen (ProducerBatch.currentLeaderEpoch, attemptsWhenLeaderLastChanged).
    std::optional<std::int32_t> leader_epoch;
    std::int32_t retries_when_leader_changed = 0;
  };
  struct InFlight {
    Batch batch;
    BrokerId broker = kNoLeader;
    Time sent_at;
  };
  void RequestMetadata();
  // Notes a disconnect from `broker` (one trace line per outage: until it answers again).
  void NoteDisconnect(BrokerId broker, std::size_t requests_failed);
  void RequestProducerId();
  void OnInitProducerIdResponse(const InitProducerIdResponse& response);
  void Produce();
  void Flush();
  // Sets a flush timer `after` from now, unless one is already due by then.
  void ScheduleFlush(Duration after);
  // Sends a batch to the partition's leader (acks=0: counted as done at once).
  void SendBatch(Batch batch, BrokerId leader);
  bool CanSendRetry(const Batch& batch) const;
  // A batch of an earlier producer id or epoch is still in flight to this partition.
  bool StaleBatchInFlight(std::int32_t partition) const;
  bool Stale(const Batch& batch) const {
    return batch.producer_id != producer_id_ || batch.producer_epoch != producer_epoch_;
  }
  void AssignSequence(Batch& batch);
  // ProducerBatch.maybeUpdateLeaderEpoch: notes a newer leader epoch from the metadata.
  void NoteLeaderEpoch(Batch& batch) const;
  // RecordAccumulator.shouldBackoff: a put-back batch waits out its backoff, unless the
  // partition's leader changed since its last attempt (KIP-951: a new leader is tried at once).
  bool BackingOff(Batch& batch) const;
  void OnProduceResponse(const ProduceResponse& response);
  void RetryBatch(Batch batch, Errc error);
  void RequeueBatch(Batch batch);
  void ReportError(Errc error, bool retrying, std::int32_t partition);
  void BumpEpoch(const std::string& why);
  void Fail(const Pending& p, Errc error);
  void CheckTimeouts();
  void MaybeFinishClose();
  ClientStats& stats();

  NodeEnv& env_;
  std::shared_ptr<const ClusterDirectory> directory_;
  ProducerConfig config_;
  std::shared_ptr<ClientHistory> history_;
  ClientStats* stats_ = nullptr;  // this client's entry of history_->stats, once looked up
  ClientMetadata metadata_;
  bool metadata_in_flight_ = false;
  BrokerId metadata_broker_ = kNoLeader;
  std::uint64_t metadata_rotation_ = 0;  // metadata requests sent: whom the next one asks
  Time metadata_sent_at_;
  Time metadata_received_at_;  // of the last MetadataResponse (metadata.max.age.ms)
  MetadataPacing metadata_pacing_;
  std::set<BrokerId> disconnected_;  // disconnected, and not heard from since
  std::int64_t next_sequence_ = 0;
  std::int64_t next_correlation_ = 1;
  StickyPartitioner sticky_;
  std::vector<Pending> unassigned_;  // produced before a flush chose their partitions
  std::map<std::int32_t, std::vector<Pending>> accumulator_;  // by partition
  std::map<std::int64_t, InFlight> in_flight_;                // by correlation id
  std::optional<Time> flush_at_;  // when the earliest pending flush timer fires
  // Flush's working lists, kept between calls for their storage (Flush runs at every linger
  // and every response; it does not call itself).
  struct FlushScratch {
    struct Waiting {
      std::int32_t partition;
      BrokerId leader;
    };
    std::vector<std::int32_t> partitions;  // with records or retries waiting, in order
    std::vector<Waiting> waiting;          // those partitions, each with its leader
    std::vector<std::pair<BrokerId, int>> in_flight_per_broker;
    std::vector<BrokerId> ready;  // brokers with a ripe batch
  };
  FlushScratch flush_scratch_;
  bool closing_ = false;
  std::set<std::string> reported_errors_;  // error names on the timeline since the last ack

  // Idempotent producer state (TransactionManager without a transactional.id).
  bool idempotent_ = false;
  std::int64_t producer_id_ = -1;
  std::int16_t producer_epoch_ = -1;
  bool init_in_flight_ = false;
  BrokerId init_broker_ = kNoLeader;
  std::int64_t init_correlation_ = -1;
  Time init_sent_at_;
  Time init_retry_at_;  // retry.backoff.ms after a retriable InitProducerId error
  std::int64_t init_attempt_ = 0;
  std::map<std::int32_t, std::int32_t> next_batch_sequence_;  // by partition
  std::map<std::int32_t, std::int32_t> last_acked_sequence_;  // by partition, -1 = none
  // Batches to send again, by partition, in sequence order; sent before any new batch.
  std::map<std::int32_t, std::vector<Batch>> retry_batches_;
};

// kafka-console-consumer.sh's DefaultMessageFormatter (tools/.../consumer/
// DefaultMessageFormatter.java): which fields a record line shows, in Kafka's order, and what
// separates them.
struct ConsoleFormat {
  bool print_timestamp = false;
  bool print_partition = false;
  bool print_offset = false;
  bool print_key = false;
  bool print_value = true;
  std::string key_separator = "\t";
};
// One record as DefaultMessageFormatter.writeTo writes it, without the line separator: e.g.
// "CreateTime:1700000000000\tPartition:0\tOffset:4\tkey\tvalue". Null keys and values print as
// "null".
std::string FormatConsoleRecord(const ConsoleFormat& format, std::int32_t partition,
                                const ConsumedRecord& record);

struct ConsumerConfig {
  std::string topic;
  bool from_beginning = false;           // auto.offset.reset=earliest (else latest)
  std::vector<std::int32_t> partitions;  // empty: every partition of the topic
  std::optional<std::int64_t> max_messages;
  bool trace_each_record = false;  // console consumer: prints every record to the timeline
  ConsoleFormat format;            // the console consumer's --property print.* and key.separator
  // Group membership (subscribe) with the classic protocol; nullopt: assign mode.
  std::optional<std::string> group;
  std::optional<std::string> group_instance_id;  // static membership (KIP-345)
  // partition.assignment.strategy, in preference order (Kafka 4.0 default: range, then
  // cooperative-sticky).
  std::vector<AssignorKind> assignors = {AssignorKind::kRange, AssignorKind::kCooperativeSticky};
  bool enable_auto_commit = true;
  Duration auto_commit_interval = Milliseconds(5000);
  std::int32_t session_timeout_ms = 45000;
  Duration heartbeat_interval = Milliseconds(3000);
  std::int32_t max_poll_interval_ms = 300000;  // the rebalance timeout of JoinGroup
  // group.protocol=consumer (KIP-848): ConsumerGroupHeartbeat instead of JoinGroup/SyncGroup,
  // the coordinator assigns (group.remote.assignor: "uniform", "range"; nullopt: its default).
  bool consumer_protocol = false;
  std::optional<std::string> remote_assignor;
  std::string client_id;  // client.id in log lines; "" = the node's name
};

class ConsumerNode : public Node {
 public:
  ConsumerNode(NodeEnv& env, std::shared_ptr<const ClusterDirectory> directory,
               ConsumerConfig config, std::shared_ptr<ClientHistory> history);
  void OnStart() override;
  void OnMessage(const Message& message) override;
  void OnTimer(std::uint64_t tag) override;
  // The broker's process died: the fetch in flight to it is dropped and metadata refreshed.
  void OnDisconnect(NodeIndex peer) override;
  // KafkaConsumer.close(): stops fetching; in a group, commits (enable.auto.commit) and
  // leaves (a dynamic member), then ends the node.
  void Close();

  // Group membership as this member last learned it.
  const std::string& member_id() const { return member_id_; }
  std::int32_t generation() const { return generation_; }
  const std::vector<std::int32_t>& assigned() const { return assigned_; }

 private:
  struct Position {
    std::int64_t offset = -1;  // -1: to be reset by ListOffsets
    bool list_in_flight = false;
    bool need_committed = false;  // a group member asks the coordinator first (OffsetFetch)
  };
  enum class GroupPhase { kNone, kFindCoordinator, kJoining, kSyncing, kStable, kLeaving };
  void RequestMetadata();
  void Poll();
  void OnFetchResponse(const FetchResponse& response);
  ClientStats& stats();
  // The partitions this consumer fetches: its assignment in a group, else the configured ones.
  std::vector<std::int32_t> Wanted() const;

  // Group membership (consumer_group.cc): ConsumerCoordinator + AbstractCoordinator.
  void GroupStep();
  void FindCoordinator();
  void Rediscover(Errc why);
  void SendGroupRequest(GroupRequestBody request);
  void SendJoin();
  void OnFindCoordinatorResponse(const FindCoordinatorResponse& response);
  void OnGroupResponse(const GroupResponseMessage& response);
  void OnJoinResponse(const JoinGroupResponse& response);
  void OnSyncResponse(const SyncGroupResponse& response);
  void OnHeartbeatResponse(const HeartbeatResponse& response);
  void OnCommitResponse(const OffsetCommitResponse& response);
  void OnOffsetFetchResponse(const OffsetFetchResponse& response);
  std::map<std::string, GroupBytes> RunAssignor(const JoinGroupResponse& response);
  // The group leader rejoins when its topic's partition count changed since it assigned.
  void MaybeRejoinForMetadata();
  void ApplyAssignment(std::vector<std::int32_t> partitions);
  // Gives up partitions: commits their positions first (enable.auto.commit) unless lost.
  void Revoke(const std::vector<std::int32_t>& partitions, bool lost);
  // Takes `partitions` as the assignment: a newly assigned one starts from its committed
  // offset (fetched first); fetches sent before now are answered into nothing.
  void AdoptAssignment(const std::vector<std::int32_t>& partitions);
  void CommitPositions(const std::vector<std::int32_t>& partitions, const char* why);
  void ResetMember();
  // KIP-848 (consumer_group.cc): ConsumerMembershipManager + ConsumerHeartbeatRequestManager.
  void SendConsumerHeartbeat(std::int32_t member_epoch);
  void OnConsumerHeartbeatResponse(const ConsumerGroupHeartbeatResponse& response);
  void ReconcileConsumerAssignment(const std::vector<TopicPartition>& assignment);
  bool cooperative() const { return protocol_ == "cooperative-sticky"; }

  NodeEnv& env_;
  std::shared_ptr<const ClusterDirectory> directory_;
  ConsumerConfig config_;
  std::shared_ptr<ClientHistory> history_;
  ClientStats* stats_ = nullptr;  // this client's entry of history_->stats, once looked up
  ClientMetadata metadata_;
  bool metadata_in_flight_ = false;
  BrokerId metadata_broker_ = kNoLeader;
  std::uint64_t metadata_rotation_ = 0;  // metadata requests sent: whom the next one asks
  Time metadata_sent_at_;
  MetadataPacing metadata_pacing_;
  // As group leader, the partition count of the topic the last assignment was computed from
  // (ConsumerCoordinator's assignmentSnapshot); a change makes the leader rejoin.
  std::optional<std::int32_t> leader_assigned_count_;
  std::map<std::int32_t, Position> positions_;
  std::map<BrokerId, std::pair<std::int64_t, Time>> fetch_in_flight_;  // correlation, sent
  std::int64_t next_correlation_ = 1;
  std::int64_t consumed_ = 0;
  bool done_ = false;
  // Fetch answers to requests sent before the last assignment change are stale.
  std::int64_t fetch_floor_ = 0;

  // Group membership.
  GroupPhase phase_ = GroupPhase::kNone;
  BrokerId coordinator_ = kNoLeader;
  BrokerId told_coordinator_ = kNoLeader;  // the last one the timeline named
  bool coordinator_lost_told_ = false;
  bool resume_heartbeats_ = false;  // rediscovering the coordinator of a stable membership
  std::int64_t find_correlation_ = -1;
  Time find_sent_at_;
  Time find_retry_at_;
  std::string member_id_;
  std::int32_t generation_ = -1;
  std::string protocol_;
  std::int64_t join_correlation_ = -1;  // the JoinGroup or SyncGroup awaited
  Time join_sent_at_;
  std::vector<std::int32_t> assigned_;
  Time next_heartbeat_;
  bool heartbeat_in_flight_ = false;
  Time heartbeat_sent_at_;
  Time next_auto_commit_;
  std::int64_t offset_fetch_correlation_ = -1;
  Time offset_fetch_sent_at_;
  std::map<std::int32_t, std::int64_t> last_committed_;
  Time leave_deadline_;
};

// The admin client the kafka-*.sh tools use: sends one request to the active controller and
// hands the answer (or a timeout) to a callback. Requests retry on NOT_CONTROLLER.
class AdminNode : public Node {
 public:
  using Callback = std::function<void(const AdminResponse&)>;
  // Returns the node.id of the active controller, or -1 when there is none.
  using ControllerLocator = std::function<std::int32_t()>;

  AdminNode(NodeEnv& env, std::shared_ptr<const ClusterDirectory> directory,
            ControllerLocator locator);
  void OnMessage(const Message& message) override;
  void OnTimer(std::uint64_t tag) override;
  // The controller it asked died: ask again (the locator names the new active controller).
  void OnDisconnect(NodeIndex peer) override;
  void Submit(KafkaBody request, Duration timeout, Callback callback);

 private:
  struct Call {
    KafkaBody request;
    Time deadline;
    Callback callback;
    bool in_flight = false;
    Time sent_at;
    NodeIndex sent_to = kNoNode;
  };
  void Pump();

  NodeEnv& env_;
  std::shared_ptr<const ClusterDirectory> directory_;
  ControllerLocator locator_;
  std::optional<Call> current_;
  std::vector<Call> queue_;
};

}  // namespace kafkasim::kafka
