// Simulated producer, consumer and admin clients.
#include "kafka/clients.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>

#include "engine/assert.h"
#include "kafka/replica_log.h"
#include "kafka/trace_kinds.h"

namespace kafkasim::kafka {

std::string FormatConsoleRecord(const ConsoleFormat& f, std::int32_t partition,
                                const ConsumedRecord& r) {
  // writeSeparator: the key separator while another field follows; the last field printed
  // ends the line (whose separator the caller adds).
  std::string line;
  auto field = [&line, &f](const std::string& text, bool more) {
    line += text;
    if (more) line += f.key_separator;
  };
  if (f.print_timestamp) {
    field(fmt::format("{}:{}", r.log_append_time ? "LogAppendTime" : "CreateTime", r.timestamp_ms),
          f.print_partition || f.print_offset || f.print_key || f.print_value);
  }
  if (f.print_partition) {
    field(fmt::format("Partition:{}", partition), f.print_offset || f.print_key || f.print_value);
  }
  if (f.print_offset) field(fmt::format("Offset:{}", r.offset), f.print_key || f.print_value);
  if (f.print_key) field(r.key.value_or("null"), f.print_value);
  if (f.print_value) field(r.value.value_or("null"), false);
  return line;
}
namespace {

enum ProducerTimer : std::uint64_t { kProduce = 1, kFlush, kHousekeeping, kRetryMetadata };
enum ConsumerTimer : std::uint64_t { kPoll = 1, kConsumerMetadata };
enum AdminTimer : std::uint64_t { kAdminPump = 1 };

// Room made for a partition's next batch when its first record comes (the classroom producer's
// batches hold about five).
constexpr std::size_t kBatchRecordsReserved = 8;

bool Retriable(Errc e) {
  switch (e) {
    case Errc::kNotLeaderOrFollower:
    case Errc::kLeaderNotAvailable:
    case Errc::kNotEnoughReplicas:
    case Errc::kNotEnoughReplicasAfterAppend:
    case Errc::kRequestTimedOut:
    case Errc::kNetworkException:
    case Errc::kUnknownTopicOrPartition:
    case Errc::kFencedLeaderEpoch:
      return true;
    default:
      return false;
  }
}

// Sends a Metadata request for `topic` to a live broker, chosen round-robin from the bootstrap
// list; returns the broker asked (kNoLeader when none).
// Asks the next broker in turn (a count of metadata requests of its own, so that the choice does
// not follow the parity of the other requests' correlation ids), skipping brokers in `avoid`
// unless every broker is: NetworkClient.leastLoadedNode passes over a node whose connection
// failed and is in its reconnect backoff.
BrokerId SendMetadataRequest(NodeEnv& env, const ClusterDirectory& directory,
                             std::int64_t& correlation, std::uint64_t& rotation,
                             const std::set<BrokerId>& avoid, const std::string& topic) {
  const std::vector<BrokerId>& ids = directory.broker_ids;
  if (ids.empty()) return kNoLeader;
  std::size_t skip = 0;
  while (skip < ids.size() && avoid.count(ids[(rotation + skip) % ids.size()]) > 0) ++skip;
  if (skip == ids.size()) skip = 0;
  const BrokerId b = ids[(rotation + skip) % ids.size()];
  rotation += skip + 1;
  ++correlation;
  const NodeIndex to = directory.NodeFor(b);
  if (to == kNoNode) return kNoLeader;
  MetadataRequest request;
  request.correlation_id = correlation;
  request.topics = {topic};
  // KafkaProducer always allows it; KafkaConsumer by allow.auto.create.topics, true by default.
  // The broker decides by auto.create.topics.enable.
  request.allow_auto_topic_creation = true;
  env.Send(to, std::make_shared<KafkaMessage>(std::move(request)));
  return b;
}

// NetworkClient.handleSuccessfulResponse: a response naming topic errors is logged at WARN,
// the errors printed as Java prints a Map ("{towns=UNKNOWN_TOPIC_OR_PARTITION}"). Returns true
// when the response had such errors (the client then asks again, paced by MetadataPacing).
bool WarnOfTopicErrors(NodeEnv& env, const MetadataResponse& response,
                       std::string_view log_prefix) {
  if (response.topic_errors.empty()) return false;
  std::vector<std::string> errors;
  for (const auto& [topic, error] : response.topic_errors) {
    errors.push_back(fmt::format("{}={}", topic, ErrcName(error)));
  }
  env.Probe("client.metadata.topic_error");
  env.Emit(std::string(trace_kind::kClientWarn), {{"topic", response.topic_errors[0].first}},
           fmt::format("WARN {}The metadata response from the cluster reported a recoverable "
                       "issue with correlation id {} : {{{}}} "
                       "(org.apache.kafka.clients.NetworkClient)",
                       log_prefix, response.correlation_id, fmt::join(errors, ", ")));
  return true;
}

// Whether a Metadata request may go out now (MetadataPacing); if not, makes sure a timer with
// `tag` asks again when it may.
bool MetadataAllowedNow(NodeEnv& env, MetadataPacing& pacing, std::uint64_t tag) {
  const Time at = pacing.allowed_at();
  if (env.Now() >= at) return true;
  if (!pacing.timer_set) {
    pacing.timer_set = true;
    env.SetTimer(at - env.Now(), tag);
  }
  return false;
}

// A Metadata request gets no answer within 1 s here (Kafka: request.timeout.ms, 30 s): it
// failed (Metadata.failedUpdate), and the next one waits its backoff.
void ExpireMetadataRequest(NodeEnv& env, MetadataPacing& pacing, bool& in_flight, Time sent_at) {
  if (in_flight && env.Now() - sent_at >= Milliseconds(1000)) {
    in_flight = false;
    pacing.Failed(env.Now(), env.rng());
  }
}

}  // namespace

const std::vector<std::int32_t>& ClientMetadata::PartitionsOf(const std::string& topic) const {
  static const std::vector<std::int32_t> kNone;
  const auto it = lists.find(topic);
  return it == lists.end() ? kNone : it->second.all;
}

const std::vector<std::int32_t>& ClientMetadata::AvailablePartitionsOf(
    const std::string& topic) const {
  static const std::vector<std::int32_t> kNone;
  const auto it = lists.find(topic);
  return it == lists.end() ? kNone : it->second.available;
}

const PartitionMetadata* ClientMetadata::Find(const std::string& topic,
                                              std::int32_t partition) const {
  const auto t = topics.find(topic);
  if (t == topics.end()) return nullptr;
  const auto p = t->second.find(partition);
  return p == t->second.end() ? nullptr : &p->second;
}

void ClientMetadata::RebuildLists(const std::string& topic) {
  PartitionLists& list = lists[topic];
  list.all.clear();
  list.available.clear();
  for (const auto& [index, p] : topics.at(topic)) {
    list.all.push_back(index);
    if (p.leader >= 0) list.available.push_back(index);
  }
}

BrokerId ClientMetadata::LeaderOf(const std::string& topic, std::int32_t partition) const {
  const PartitionMetadata* p = Find(topic, partition);
  return p == nullptr ? kNoLeader : p->leader;
}

std::optional<std::int32_t> ClientMetadata::LeaderEpochOf(const std::string& topic,
                                                          std::int32_t partition) const {
  const PartitionMetadata* p = Find(topic, partition);
  if (p == nullptr) return std::nullopt;
  return p->leader_epoch;
}

bool ClientMetadata::UpdateLeader(const std::string& topic, std::int32_t partition, BrokerId leader,
                                  std::int32_t leader_epoch) {
  const PartitionMetadata* known = Find(topic, partition);
  if (known == nullptr || leader < 0 || leader_epoch <= known->leader_epoch) return false;
  if (std::find(live_brokers.begin(), live_brokers.end(), leader) == live_brokers.end()) {
    return false;
  }
  PartitionMetadata& p = topics[topic][partition];
  p.leader = leader;
  p.leader_epoch = leader_epoch;
  RebuildLists(topic);
  return true;
}

bool ApplyMetadata(ClientMetadata& md, const MetadataResponse& response) {
  bool news = false;
  std::map<std::string, std::map<std::int32_t, PartitionMetadata>> topics;
  for (const PartitionMetadata& p : response.partitions) {
    const PartitionMetadata* known = md.Find(p.topic, p.partition);
    const bool same_topic = known != nullptr && known->topic_id == p.topic_id;
    news = news || !same_topic || p.leader_epoch > known->leader_epoch;
    // Metadata.updateLatestMetadata (KIP-320): an answer at an older leader epoch than the one
    // known (from a broker whose metadata lags) leaves the partition as it was, unless the
    // topic id changed (the topic was deleted and created again).
    const bool older = same_topic && p.leader_epoch < known->leader_epoch;
    topics[p.topic][p.partition] = older ? *known : p;
  }
  md.live_brokers = response.live_brokers;
  md.topics = std::move(topics);
  md.lists.clear();
  for (const auto& [topic, partitions] : md.topics) md.RebuildLists(topic);
  return news;
}

Duration RetryBackoff(Duration initial, Duration max, std::int64_t attempts, Rng& rng) {
  const std::int64_t initial_ms = initial.ns / 1'000'000;
  const std::int64_t max_ms = max.ns / 1'000'000;
  if (max_ms <= initial_ms) return initial;
  // Kafka's term is initial * 2^min(attempts, expMax) with expMax = log2(max / initial), that
  // is max once the doubling reaches it. Doubled in integers here, so the result does not hang
  // on a libm's last bit (the same seed gives the same run on every machine).
  std::int64_t term_ms = std::max<std::int64_t>(initial_ms, 1);
  for (std::int64_t i = 0; i < attempts && term_ms < max_ms; ++i) term_ms *= 2;
  term_ms = std::min(term_ms, max_ms);
  const double factor = 0.8 + 0.4 * rng.NextDouble();
  const auto ms = static_cast<std::int64_t>(factor * static_cast<double>(term_ms));
  return std::min(Milliseconds(ms), max);
}

void MetadataPacing::Updated(Time now, bool news, Rng& rng) {
  last_ = now;
  attempts_ = 0;
  equivalent_ = news ? 0 : equivalent_ + 1;
  for_attempts_ = RetryBackoff(initial_, max_, 0, rng);
  for_equivalent_ =
      equivalent_ > 0 ? RetryBackoff(initial_, max_, equivalent_ - 1, rng) : Duration{};
}

void MetadataPacing::Failed(Time now, Rng& rng) {
  last_ = now;
  ++attempts_;
  equivalent_ = 0;
  for_attempts_ = RetryBackoff(initial_, max_, attempts_ - 1, rng);
  for_equivalent_ = Duration{};
}

void MetadataPacing::Expired() {
  equivalent_ = 0;
  for_equivalent_ = Duration{};
}

// ---------------------------------------------------------------------------------------------
// Producer

namespace {

// DefaultRecordBatch.incrementSequence: sequences wrap from INT32_MAX to 0.
std::int32_t IncrementSequence(std::int32_t sequence, std::int64_t increment) {
  const std::int64_t next = static_cast<std::int64_t>(sequence) + increment;
  return static_cast<std::int32_t>(next % (std::int64_t{INT32_MAX} + 1));
}

}  // namespace

ProducerNode::ProducerNode(NodeEnv& env, std::shared_ptr<const ClusterDirectory> directory,
                           ProducerConfig config, std::shared_ptr<ClientHistory> history)
    : env_(env),
      directory_(std::move(directory)),
      config_(std::move(config)),
      history_(std::move(history)) {
  KSIM_ASSERT(config_.record_at != nullptr);
  KSIM_ASSERT(config_.max_in_flight >= 1);
  // KafkaProducer: idempotence needs acks=all and at most 5 requests in flight per connection
  // (the broker remembers a producer's last 5 batches).
  idempotent_ = config_.enable_idempotence && config_.acks == -1;
  if (idempotent_) KSIM_ASSERT_LE(config_.max_in_flight, 5);
  // CommonClientConfigs.postValidateRetryBackoffMs: retry.backoff.max.ms (1 s) is raised to
  // retry.backoff.ms when that is larger.
  metadata_pacing_ =
      MetadataPacing(config_.retry_backoff, std::max(config_.retry_backoff, Milliseconds(1000)));
}

ClientStats& ProducerNode::stats() {
  // The history outlives the node, and a std::map entry never moves.
  if (stats_ == nullptr) stats_ = &history_->stats[env_.name()];
  return *stats_;
}

void ProducerNode::OnStart() {
  // A restarted producer starts a new sequence of records after those it already sent.
  next_sequence_ = stats().sent;
  RequestMetadata();
  // A (re)started idempotent producer is a new producer: it asks for a producer id first.
  if (idempotent_) RequestProducerId();
  Duration first_tick{};
  const Time now = env_.Now();
  if (next_sequence_ == 0 && config_.schedule_start && *config_.schedule_start < now &&
      config_.send_interval.ns > 0) {
    // The slots start, start + interval, ... up to now are due.
    const std::int64_t due = (now - *config_.schedule_start).ns / config_.send_interval.ns + 1;
    for (std::int64_t i = 0; i < due && (!config_.count || next_sequence_ < *config_.count); ++i) {
      Produce();
    }
    first_tick = *config_.schedule_start + config_.send_interval * due - now;
  }
  env_.SetTimer(first_tick, kProduce);
  env_.SetTimer(Milliseconds(50), kHousekeeping);
}

void ProducerNode::RequestMetadata() {
  ExpireMetadataRequest(env_, metadata_pacing_, metadata_in_flight_, metadata_sent_at_);
  if (metadata_in_flight_ || !MetadataAllowedNow(env_, metadata_pacing_, kRetryMetadata)) return;
  metadata_in_flight_ = true;
  metadata_sent_at_ = env_.Now();
  metadata_broker_ = SendMetadataRequest(env_, *directory_, next_correlation_, metadata_rotation_,
                                         disconnected_, config_.topic);
}

void ProducerNode::RequestProducerId() {
  // Kafka sends InitProducerId to the least loaded broker; here the bootstrap brokers in turn.
  if (directory_->broker_ids.empty()) return;
  const BrokerId b =
      directory_
          ->broker_ids[static_cast<std::size_t>(init_attempt_) % directory_->broker_ids.size()];
  ++init_attempt_;
  const NodeIndex to = directory_->NodeFor(b);
  if (to == kNoNode) return;
  init_in_flight_ = true;
  init_broker_ = b;
  init_sent_at_ = env_.Now();
  init_correlation_ = next_correlation_++;
  env_.Send(to, std::make_shared<KafkaMessage>(InitProducerIdRequest{init_correlation_}));
}

void ProducerNode::OnInitProducerIdResponse(const InitProducerIdResponse& response) {
  if (!init_in_flight_ || response.correlation_id != init_correlation_) return;
  init_in_flight_ = false;
  if (response.error != Errc::kNone) {
    // COORDINATOR_LOAD_IN_PROGRESS while the broker waits for a block of ids: ask the same
    // broker again after retry.backoff.ms (another broker would fetch a block of its own).
    init_retry_at_ = env_.Now() + config_.retry_backoff;
    --init_attempt_;
    return;
  }
  producer_id_ = response.producer_id;
  producer_epoch_ = response.producer_epoch;
  next_batch_sequence_.clear();
  last_acked_sequence_.clear();
  env_.Emit(std::string(trace_kind::kClientProducerId),
            {{"producer_id", producer_id_}, {"producer_epoch", std::int64_t{producer_epoch_}}},
            fmt::format("got producer id {} at epoch {}: each batch now carries a sequence "
                        "number, so a retry cannot be written twice",
                        producer_id_, producer_epoch_));
  Flush();
}

void ProducerNode::OnTimer(std::uint64_t tag) {
  switch (tag) {
    case kProduce:
      if (closing_) break;
      if (!config_.count || next_sequence_ < *config_.count) {
        Produce();
        env_.SetTimer(config_.send_interval, kProduce);
      }
      break;
    case kFlush:
      if (flush_at_ && env_.Now() >= *flush_at_) flush_at_.reset();
      Flush();
      break;
    case kHousekeeping:
      CheckTimeouts();
      env_.SetTimer(Milliseconds(50), kHousekeeping);
      MaybeFinishClose();
      break;
    case kRetryMetadata:
      metadata_pacing_.timer_set = false;
      RequestMetadata();
      break;
    default:
      break;
  }
}

void ProducerNode::Close() {
  if (closing_) return;
  closing_ = true;
  std::size_t buffered = unassigned_.size();
  for (const auto& [partition, records] : accumulator_) buffered += records.size();
  for (const auto& [partition, batches] : retry_batches_) {
    for (const Batch& b : batches) buffered += b.records.size();
  }
  std::size_t sent = 0;
  for (const auto& [id, f] : in_flight_) sent += f.batch.records.size();
  env_.Emit(std::string(trace_kind::kClientClosing), {},
            fmt::format("closing: {} buffered and {} in-flight record(s) to finish first", buffered,
                        sent));
  Flush();
  MaybeFinishClose();
}

void ProducerNode::MaybeFinishClose() {
  if (!closing_ || !in_flight_.empty() || !unassigned_.empty()) return;
  for (const auto& [partition, records] : accumulator_) {
    if (!records.empty()) return;
  }
  for (const auto& [partition, batches] : retry_batches_) {
    if (!batches.empty()) return;
  }
  env_.Emit(
      "client.stop", {},
      fmt::format("closed: {} acknowledged, {} failed", stats().acknowledged, stats().failed));
  env_.StopSelf();
}

void ProducerNode::Produce() {
  const std::int64_t n = next_sequence_++;
  Pending p;
  p.sequence = n;
  p.record = config_.record_at(n);
  p.record.timestamp_ms = env_.Now().Millis();
  p.created = env_.Now();
  ++stats().sent;
  ++stats().in_flight;
  unassigned_.push_back(std::move(p));  // partition chosen at flush, once metadata is known
  ScheduleFlush(config_.linger);
}

void ProducerNode::ScheduleFlush(Duration after) {
  const Time at = env_.Now() + after;
  if (flush_at_ && *flush_at_ <= at) return;  // an earlier flush will come first
  flush_at_ = at;
  env_.SetTimer(after, kFlush);
}

void ProducerNode::Flush() {
  const std::vector<std::int32_t>& all = metadata_.PartitionsOf(config_.topic);
  if (all.empty()) {
    RequestMetadata();
    return;
  }
  // Assign partitions to records that have none yet (keyed: murmur2; null: sticky).
  if (!unassigned_.empty()) {
    const std::vector<std::int32_t>& with_leader = metadata_.AvailablePartitionsOf(config_.topic);
    const std::vector<std::int32_t>& available = with_leader.empty() ? all : with_leader;
    for (Pending& p : unassigned_) {
      const auto size = static_cast<std::int32_t>(p.record.value ? p.record.value->size() : 0);
      p.partition = p.record.key
                        ? PartitionForKey(*p.record.key, static_cast<std::int32_t>(all.size()))
                        : sticky_.Next(size + 20, available, env_.rng());
      std::vector<Pending>& queue = accumulator_[p.partition];
      // A batch's records are moved out whole when it is sent: the next one starts with room.
      if (queue.capacity() == 0) queue.reserve(kBatchRecordsReserved);
      queue.push_back(std::move(p));
    }
    unassigned_.clear();
  }
  // An idempotent producer sends nothing before it has a producer id.
  if (idempotent_ && producer_id_ < 0) return;
  // The partitions with records or retries waiting, in partition order, each with its leader.
  std::vector<std::int32_t>& partitions = flush_scratch_.partitions;
  partitions.clear();
  for (const auto& [p, records] : accumulator_) {
    if (!records.empty()) partitions.push_back(p);
  }
  for (const auto& [p, batches] : retry_batches_) {
    if (!batches.empty()) partitions.push_back(p);
  }
  std::sort(partitions.begin(), partitions.end());
  partitions.erase(std::unique(partitions.begin(), partitions.end()), partitions.end());
  std::vector<FlushScratch::Waiting>& waiting = flush_scratch_.waiting;
  waiting.clear();
  for (std::int32_t p : partitions) {
    waiting.push_back({p, metadata_.LeaderOf(config_.topic, p)});
  }
  if (waiting.empty()) return;
  // Requests in flight per broker (a handful of brokers: a flat list).
  std::vector<std::pair<BrokerId, int>>& in_flight_per_broker = flush_scratch_.in_flight_per_broker;
  in_flight_per_broker.clear();
  const auto in_flight_to = [&in_flight_per_broker](BrokerId broker) -> int& {
    for (auto& [b, n] : in_flight_per_broker) {
      if (b == broker) return n;
    }
    return in_flight_per_broker.emplace_back(broker, 0).second;
  };
  for (const auto& [id, f] : in_flight_) ++in_flight_to(f.broker);
  // RecordAccumulator.ready: a broker is ready when one of its partitions has a batch that has
  // waited linger.ms since its first record (or the producer is closing, or a put-back batch
  // is done backing off).
  // Its drain then takes every partition's batch for that broker, ripe or not
  // (drainBatchesForOneNode). A response arriving meanwhile sends nothing early.
  // A put-back batch is first in its partition's queue: while it backs off, the partition is
  // not ready, and its new records wait behind it (RecordAccumulator.partitionReady).
  const Time now = env_.Now();
  std::vector<BrokerId>& ready = flush_scratch_.ready;
  ready.clear();
  for (const FlushScratch::Waiting& w : waiting) {
    const auto acc = accumulator_.find(w.partition);
    const auto retries = retry_batches_.find(w.partition);
    const bool has_records = acc != accumulator_.end() && !acc->second.empty();
    bool ripe = false;
    if (retries != retry_batches_.end() && !retries->second.empty()) {
      Batch& first = retries->second.front();
      ripe = !BackingOff(first) && (closing_ || now - first.last_attempt >= config_.linger ||
                                    retries->second.size() > 1 || has_records);
    } else {
      ripe = has_records && (closing_ || now - acc->second.front().created >= config_.linger);
    }
    if (ripe && std::find(ready.begin(), ready.end(), w.leader) == ready.end()) {
      ready.push_back(w.leader);
    }
  }
  std::optional<Time> next_ripe;
  for (const auto& [partition, leader] : waiting) {
    if (leader < 0) {
      RequestMetadata();
      continue;
    }
    const auto queued = retry_batches_.find(partition);
    const bool backing_off = queued != retry_batches_.end() && !queued->second.empty() &&
                             BackingOff(queued->second.front());
    if (backing_off || std::find(ready.begin(), ready.end(), leader) == ready.end()) {
      Time ripe_at;
      if (queued != retry_batches_.end() && !queued->second.empty()) {
        const Batch& first = queued->second.front();
        ripe_at = first.last_attempt + (backing_off ? first.backoff : config_.linger);
      } else {
        ripe_at = accumulator_.at(partition).front().created + config_.linger;
      }
      KSIM_ASSERT(ripe_at > now);  // what is ripe now made its broker ready
      if (!next_ripe || ripe_at < *next_ripe) next_ripe = ripe_at;
      continue;
    }
    // A new epoch's batches wait until the old epoch's have come back (as Kafka resets a
    // partition's sequence only once it has no batch in flight).
    if (idempotent_ && StaleBatchInFlight(partition)) continue;
    int& in_flight = in_flight_to(leader);
    // Retried batches go first, in sequence order, each only once every batch before it was
    // answered (RecordAccumulator: a retry is drained only when it is next in line) and its
    // backoff is over.
    if (queued != retry_batches_.end()) {
      std::vector<Batch>& retries = queued->second;
      while (!retries.empty() && in_flight < config_.max_in_flight &&
             CanSendRetry(retries.front()) && !BackingOff(retries.front())) {
        Batch b = std::move(retries.front());
        retries.erase(retries.begin());
        if (idempotent_ && b.base_sequence < 0) AssignSequence(b);
        SendBatch(std::move(b), leader);
        ++in_flight;
      }
      if (!retries.empty()) continue;  // new records queue behind the retries
      retry_batches_.erase(queued);
    }
    const auto acc = accumulator_.find(partition);
    if (acc == accumulator_.end() || in_flight >= config_.max_in_flight) continue;
    std::vector<Pending> records = std::move(acc->second);
    accumulator_.erase(acc);
    if (records.empty()) continue;
    Batch b;
    b.partition = partition;
    b.records = std::move(records);
    if (idempotent_) AssignSequence(b);
    SendBatch(std::move(b), leader);
    ++in_flight;
  }
  if (next_ripe) ScheduleFlush(*next_ripe - now);
}

void ProducerNode::AssignSequence(Batch& batch) {
  // TransactionManager.sequenceNumber / incrementSequenceNumber, at the batch's first drain.
  KSIM_ASSERT(idempotent_ && producer_id_ >= 0);
  KSIM_ASSERT(!batch.records.empty());
  std::int32_t& next = next_batch_sequence_[batch.partition];
  batch.producer_id = producer_id_;
  batch.producer_epoch = producer_epoch_;
  batch.base_sequence = next;
  batch.bytes.clear();  // new producer fields: the batch is built again (resetProducerState)
  next = IncrementSequence(next, static_cast<std::int64_t>(batch.records.size()));
}

bool ProducerNode::CanSendRetry(const Batch& batch) const {
  if (batch.base_sequence < 0) return true;
  for (const auto& [id, f] : in_flight_) {
    const Batch& other = f.batch;
    if (other.partition == batch.partition && !Stale(other) && other.base_sequence >= 0 &&
        other.base_sequence < batch.base_sequence) {
      return false;
    }
  }
  return true;
}

void ProducerNode::NoteLeaderEpoch(Batch& batch) const {
  const std::optional<std::int32_t> latest =
      metadata_.LeaderEpochOf(config_.topic, batch.partition);
  if (latest && (!batch.leader_epoch || *batch.leader_epoch < *latest)) {
    batch.retries_when_leader_changed = batch.retries;
    batch.leader_epoch = latest;
  }
}

bool ProducerNode::BackingOff(Batch& batch) const {
  if (batch.retries == 0) return false;
  NoteLeaderEpoch(batch);
  // ProducerBatch.hasLeaderChangedForTheOngoingRetry.
  const bool leader_changed = batch.retries == batch.retries_when_leader_changed;
  return !leader_changed && env_.Now() - batch.last_attempt < batch.backoff;
}

bool ProducerNode::StaleBatchInFlight(std::int32_t partition) const {
  for (const auto& [id, f] : in_flight_) {
    if (f.batch.partition == partition && f.batch.base_sequence >= 0 && Stale(f.batch)) {
      return true;
    }
  }
  return false;
}

void ProducerNode::SendBatch(Batch batch, BrokerId leader) {
  KSIM_ASSERT(!batch.records.empty());
  ProduceRequest request;
  request.correlation_id = next_correlation_++;
  request.topic = config_.topic;
  request.partition = batch.partition;
  request.acks = config_.acks;
  request.timeout = config_.request_timeout;
  if (idempotent_) KSIM_ASSERT(batch.base_sequence >= 0 && !Stale(batch));
  if (batch.bytes.empty()) {
    // The accumulator closes the batch: records, producer fields and codec become bytes that
    // every retry re-sends unchanged.
    std::vector<ProducedRecord> records;
    records.reserve(batch.records.size());
    for (const Pending& p : batch.records) records.push_back(p.record);
    batch.bytes = BuildRecordBatch(
        records, ProducerBatchInfo{batch.producer_id, batch.producer_epoch, batch.base_sequence},
        config_.compression_type);
  }
  for (Pending& p : batch.records) ++p.attempts;
  NoteLeaderEpoch(batch);
  request.records = batch.bytes;
  env_.Send(directory_->NodeFor(leader), std::make_shared<KafkaMessage>(request));
  if (config_.acks == 0) {
    // acks=0: the producer never hears back; the record counts as sent and done.
    for (const Pending& p : batch.records) {
      history_->Produced(ProduceOutcome{env_.name(), p.sequence, config_.topic, batch.partition,
                                        p.record.key, p.record.value, 0, Errc::kNone, -1,
                                        env_.Now()});
      ++stats().acknowledged;
      --stats().in_flight;
    }
    return;
  }
  in_flight_.emplace(request.correlation_id, InFlight{std::move(batch), leader, env_.Now()});
}

void ProducerNode::OnDisconnect(NodeIndex peer) {
  const BrokerId broker = directory_->IdFor(peer);
  if (broker < 0) return;
  // NetworkClient.processDisconnection completes every request in flight on the connection
  // with a disconnected ClientResponse; Sender.handleProduceResponse turns each into
  // Errors.NETWORK_EXCEPTION, a retriable error, and asks for a metadata update
  // (Sender.completeBatch: "Received invalid metadata error ... requesting metadata update").
  // The batches keep their sequences (an idempotent retry cannot be written twice).
  std::vector<std::int64_t> failed;
  for (const auto& [id, f] : in_flight_) {
    if (f.broker == broker) failed.push_back(id);
  }
  NoteDisconnect(broker, failed.size());
  for (std::int64_t id : failed) {
    InFlight f = std::move(in_flight_.at(id));
    in_flight_.erase(id);
    RetryBatch(std::move(f.batch), Errc::kNetworkException);
  }
  if (init_in_flight_ && init_broker_ == broker) {
    init_in_flight_ = false;  // CheckTimeouts asks the next broker after the backoff
    init_retry_at_ = env_.Now() + config_.retry_backoff;
  }
  if (metadata_in_flight_ && metadata_broker_ == broker) {
    // Ask another broker after the backoff (a dead broker refuses at once: no busy loop).
    metadata_in_flight_ = false;
    metadata_pacing_.Failed(env_.Now(), env_.rng());
  }
  RequestMetadata();
  MaybeFinishClose();
}

void ProducerNode::NoteDisconnect(BrokerId broker, std::size_t requests_failed) {
  env_.Probe("client.disconnect");
  if (!disconnected_.insert(broker).second) return;
  env_.Emit(std::string(trace_kind::kClientDisconnect), {{"broker", std::int64_t{broker}}},
            fmt::format("connection to broker-{} reset (its process is gone){}", broker,
                        requests_failed == 0
                            ? ""
                            : fmt::format(": {} in-flight request(s) fail with NETWORK_EXCEPTION "
                                          "and are retried",
                                          requests_failed)));
}

void ProducerNode::OnMessage(const Message& message) {
  const auto* k = message.As<KafkaMessage>();
  if (k == nullptr) return;
  if (!disconnected_.empty()) disconnected_.erase(directory_->IdFor(message.from));
  if (const auto* md = k->Get<MetadataResponse>()) {
    metadata_in_flight_ = false;
    metadata_received_at_ = env_.Now();
    const auto count = [this] {
      const auto it = metadata_.topics.find(config_.topic);
      return it == metadata_.topics.end() ? std::size_t{0} : it->second.size();
    };
    const std::size_t before = count();
    metadata_pacing_.Updated(env_.Now(), ApplyMetadata(metadata_, *md), env_.rng());
    const std::string& id = config_.client_id.empty() ? env_.name() : config_.client_id;
    if (WarnOfTopicErrors(env_, *md, fmt::format("[Producer clientId={}] ", id))) {
      RequestMetadata();  // after the backoff, which grows while the topic stays missing
      return;
    }
    // Keys hash modulo the new count from now on (KIP-480's sticky partitioner aside).
    if (before > 0 && count() > before) env_.Probe("producer.partitions_grew");
    Flush();
  } else if (const auto* r = k->Get<ProduceResponse>()) {
    OnProduceResponse(*r);
  } else if (const auto* init = k->Get<InitProducerIdResponse>()) {
    OnInitProducerIdResponse(*init);
  }
  MaybeFinishClose();
}

void ProducerNode::OnProduceResponse(const ProduceResponse& response) {
  const auto it = in_flight_.find(response.correlation_id);
  if (it == in_flight_.end()) return;
  InFlight f = std::move(it->second);
  in_flight_.erase(it);
  const Batch& b = f.batch;
  if (response.error != Errc::kNone) {
    // Sender.handleProduceResponse: a NOT_LEADER_OR_FOLLOWER answer names the leader the broker
    // knows (KIP-951); the batch goes there once linger.ms has passed, without waiting for
    // the metadata update it still asks for.
    const bool moved = (response.error == Errc::kNotLeaderOrFollower ||
                        response.error == Errc::kFencedLeaderEpoch) &&
                       metadata_.UpdateLeader(config_.topic, b.partition, response.current_leader,
                                              response.current_leader_epoch);
    RetryBatch(std::move(f.batch), response.error);
    if (moved) Flush();
    return;
  }
  if (idempotent_ && !Stale(b)) {
    const std::int32_t last =
        IncrementSequence(b.base_sequence, static_cast<std::int64_t>(b.records.size()) - 1);
    const auto acked = last_acked_sequence_.find(b.partition);
    if (acked == last_acked_sequence_.end() || acked->second < last) {
      last_acked_sequence_[b.partition] = last;
    }
  }
  for (std::size_t i = 0; i < b.records.size(); ++i) {
    const Pending& p = b.records[i];
    const std::int64_t offset = response.base_offset + static_cast<std::int64_t>(i);
    history_->Produced(ProduceOutcome{env_.name(), p.sequence, config_.topic, b.partition,
                                      p.record.key, p.record.value, config_.acks, Errc::kNone,
                                      offset, env_.Now()});
    ++stats().acknowledged;
    --stats().in_flight;
    reported_errors_.clear();
    if (config_.trace_each_record) {
      env_.Emit(std::string(trace_kind::kClientAck),
                {{"partition", PartitionName(config_.topic, b.partition)}, {"offset", offset}},
                fmt::format("record '{}' acknowledged at {}-{} offset {}",
                            p.record.value.value_or(""), config_.topic, b.partition, offset));
    }
  }
  Flush();
}

void ProducerNode::ReportError(Errc error, bool retrying, std::int32_t partition) {
  ClientStats& s = stats();
  const std::string name(ErrcName(error));
  ++s.errors[name];
  if (partition >= 0) ++s.partition_errors[PartitionName(config_.topic, partition)][name];
  // One timeline line per kind of error until a write succeeds again (errors that alternate
  // while a partition is unavailable are not repeated).
  const bool first_report = reported_errors_.insert(name).second;
  s.last_error = name;
  if (first_report) {
    env_.Emit(std::string(trace_kind::kClientProduceError),
              {{"error", name}, {"partition", PartitionName(config_.topic, partition)}},
              fmt::format("produce to {}-{} failed with {}{}", config_.topic, partition, name,
                          retrying ? "; retrying" : ""));
  }
}

void ProducerNode::RetryBatch(Batch batch, Errc error) {
  KSIM_ASSERT(!batch.records.empty());
  const Pending& oldest = batch.records.front();
  const bool expired = env_.Now() - oldest.created >= config_.delivery_timeout;
  const bool exhausted = oldest.attempts > config_.retries;
  const bool stale = Stale(batch);
  bool retriable = Retriable(error);
  if (error == Errc::kOutOfOrderSequenceNumber && !stale) {
    // TransactionManager.canRetry: a gap is expected while an earlier batch is being retried,
    // so the batch is retried unless it is the very next one after the last acknowledged
    // sequence. Then the leader has lost batches it acknowledged (unclean election) and the
    // batch fails; the producer bumps its epoch (KIP-360).
    const auto acked = last_acked_sequence_.find(batch.partition);
    const std::int32_t expected =
        acked == last_acked_sequence_.end() ? 0 : IncrementSequence(acked->second, 1);
    retriable = batch.base_sequence != expected;
  } else if (error == Errc::kOutOfOrderSequenceNumber || error == Errc::kInvalidProducerEpoch) {
    retriable = stale;  // sent before an epoch bump: re-sent with the new epoch's sequence
  }
  const bool again = retriable && !expired && !exhausted;
  ReportError(error, again, batch.partition);
  RequestMetadata();
  if (again) {
    RequeueBatch(std::move(batch));
    return;
  }
  const Errc outcome = expired && Retriable(error) ? Errc::kRequestTimedOut : error;
  for (const Pending& p : batch.records) Fail(p, outcome);
  // The failed batch leaves a hole in the partition's sequence that would make the leader
  // refuse every later batch: bump the epoch and start the sequences again at 0
  // (TransactionManager.bumpIdempotentEpochAndResetIdIfNeeded).
  if (idempotent_ && !stale) {
    BumpEpoch(fmt::format("a batch to {}-{} failed with {}", config_.topic, batch.partition,
                          ErrcName(error)));
  }
}

void ProducerNode::RequeueBatch(Batch batch) {
  // ProducerBatch.reenqueued, and the wait before the next attempt: retry.backoff.ms doubled
  // per retry up to retry.backoff.max.ms, +-20% (ExponentialBackoff, KIP-580).
  ++batch.retries;
  batch.last_attempt = env_.Now();
  batch.backoff =
      RetryBackoff(config_.retry_backoff, config_.retry_backoff_max, batch.retries - 1, env_.rng());
  ScheduleFlush(batch.backoff);
  // RecordAccumulator.reenqueue: without idempotence the batch goes first in its partition's
  // queue (addFirst); with it, in sequence order (insertInSequenceOrder), and a batch of an
  // older epoch gets a new sequence when sent again, after the batches that kept theirs.
  std::vector<Batch>& queue = retry_batches_[batch.partition];
  if (!idempotent_) {
    queue.insert(queue.begin(), std::move(batch));
    return;
  }
  if (Stale(batch)) batch.base_sequence = -1;
  auto at = queue.begin();
  if (batch.base_sequence < 0) {
    at = queue.end();
  } else {
    while (at != queue.end() && at->base_sequence >= 0 && at->base_sequence < batch.base_sequence) {
      ++at;
    }
  }
  queue.insert(at, std::move(batch));
}

void ProducerNode::BumpEpoch(const std::string& why) {
  if (producer_epoch_ == INT16_MAX) {
    // The epoch cannot grow: a new producer id (resetIdempotentProducerId).
    producer_id_ = -1;
    producer_epoch_ = -1;
    RequestProducerId();
  } else {
    ++producer_epoch_;
  }
  next_batch_sequence_.clear();
  last_acked_sequence_.clear();
  for (auto& [partition, batches] : retry_batches_) {
    for (Batch& b : batches) b.base_sequence = -1;
  }
  env_.Probe("producer.epoch_bump");
  env_.Emit(std::string(trace_kind::kClientEpochBump),
            {{"producer_id", producer_id_}, {"producer_epoch", std::int64_t{producer_epoch_}}},
            fmt::format("{}: bumped the producer epoch to {}; sequence numbers start again at 0",
                        why, producer_epoch_));
}

void ProducerNode::Fail(const Pending& p, Errc error) {
  history_->Produced(ProduceOutcome{env_.name(), p.sequence, config_.topic, p.partition,
                                    p.record.key, p.record.value, config_.acks, error, -1,
                                    env_.Now()});
  ++stats().failed;
  --stats().in_flight;
}

void ProducerNode::CheckTimeouts() {
  // request.timeout.ms: a request with no answer (leader crashed, link cut) fails and retries.
  std::vector<std::int64_t> expired;
  for (const auto& [id, f] : in_flight_) {
    if (env_.Now() - f.sent_at >= config_.request_timeout) expired.push_back(id);
  }
  for (std::int64_t id : expired) {
    InFlight f = std::move(in_flight_.at(id));
    in_flight_.erase(id);
    RetryBatch(std::move(f.batch), Errc::kRequestTimedOut);
  }
  // delivery.timeout.ms also bounds the time a record waits in the accumulator (no leader,
  // too many requests in flight): RecordAccumulator.expiredBatches.
  const auto waited_too_long = [this](const Pending& p) {
    return env_.Now() - p.created >= config_.delivery_timeout;
  };
  const auto expire = [this, &waited_too_long](std::vector<Pending>& records) {
    if (std::none_of(records.begin(), records.end(), waited_too_long)) return;
    for (const Pending& p : records) {
      if (waited_too_long(p)) Fail(p, Errc::kRequestTimedOut);
    }
    std::erase_if(records, waited_too_long);
  };
  expire(unassigned_);
  for (auto& [partition, records] : accumulator_) expire(records);
  bool hole = false;
  for (auto& [partition, batches] : retry_batches_) {
    for (auto it = batches.begin(); it != batches.end();) {
      if (env_.Now() - it->records.front().created < config_.delivery_timeout) {
        ++it;
        continue;
      }
      for (const Pending& p : it->records) Fail(p, Errc::kRequestTimedOut);
      hole = hole || it->base_sequence >= 0;
      it = batches.erase(it);
    }
  }
  if (hole) BumpEpoch("a retried batch expired (delivery.timeout.ms)");
  if (idempotent_ && producer_id_ < 0) {
    const bool lost = init_in_flight_ && env_.Now() - init_sent_at_ >= Milliseconds(1000);
    if (lost || (!init_in_flight_ && env_.Now() >= init_retry_at_)) RequestProducerId();
  }
  if (metadata_in_flight_ && env_.Now() - metadata_sent_at_ >= Milliseconds(1000)) {
    RequestMetadata();  // the request failed; the next one goes after the backoff
  }
  // metadata.max.age.ms: refresh even when nothing went wrong (new partitions, new brokers).
  if (!metadata_in_flight_ && env_.Now() - metadata_received_at_ >= config_.metadata_max_age) {
    metadata_pacing_.Expired();
    RequestMetadata();
  }
}

// ---------------------------------------------------------------------------------------------
// Consumer

ConsumerNode::ConsumerNode(NodeEnv& env, std::shared_ptr<const ClusterDirectory> directory,
                           ConsumerConfig config, std::shared_ptr<ClientHistory> history)
    : env_(env),
      directory_(std::move(directory)),
      config_(std::move(config)),
      history_(std::move(history)) {}

ClientStats& ConsumerNode::stats() {
  // The history outlives the node, and a std::map entry never moves.
  if (stats_ == nullptr) stats_ = &history_->stats[env_.name()];
  return *stats_;
}

void ConsumerNode::OnStart() {
  // Assign mode without committed offsets: a restart resets positions by auto.offset.reset; a
  // group member starts over and resumes from the group's committed offsets.
  consumed_ = 0;
  positions_.clear();
  fetch_in_flight_.clear();
  assigned_.clear();
  member_id_.clear();
  generation_ = -1;
  coordinator_ = kNoLeader;
  phase_ = config_.group ? GroupPhase::kFindCoordinator : GroupPhase::kNone;
  if (config_.group && config_.consumer_protocol) {
    // KIP-848 clients choose their member id (Uuid.randomUuid().toString()), kept until close.
    member_id_ = Uuid{env_.rng().NextU64(), env_.rng().NextU64()}.ToBase64();
    generation_ = 0;
  }
  RequestMetadata();
  env_.SetTimer(Milliseconds(100), kPoll);
}

std::vector<std::int32_t> ConsumerNode::Wanted() const {
  if (config_.group) return assigned_;
  if (!config_.partitions.empty()) return config_.partitions;
  return metadata_.PartitionsOf(config_.topic);
}

void ConsumerNode::RequestMetadata() {
  ExpireMetadataRequest(env_, metadata_pacing_, metadata_in_flight_, metadata_sent_at_);
  if (metadata_in_flight_ || !MetadataAllowedNow(env_, metadata_pacing_, kConsumerMetadata)) {
    return;
  }
  metadata_in_flight_ = true;
  metadata_sent_at_ = env_.Now();
  metadata_broker_ = SendMetadataRequest(env_, *directory_, next_correlation_, metadata_rotation_,
                                         {}, config_.topic);
}

void ConsumerNode::OnTimer(std::uint64_t tag) {
  if (done_) return;
  if (tag == kConsumerMetadata) {
    metadata_pacing_.timer_set = false;
    RequestMetadata();
    return;
  }
  if (tag != kPoll) return;
  if (config_.group) GroupStep();
  if (done_) return;
  Poll();
  env_.SetTimer(Milliseconds(100), kPoll);
}

void ConsumerNode::OnDisconnect(NodeIndex peer) {
  const BrokerId broker = directory_->IdFor(peer);
  if (broker < 0 || done_) return;
  // Fetcher: a fetch whose connection closed fails; the next poll asks the partition's leader
  // again once the metadata update it requests has come back.
  env_.Probe("client.disconnect");
  fetch_in_flight_.erase(broker);
  for (auto& [partition, pos] : positions_) {
    if (metadata_.LeaderOf(config_.topic, partition) == broker) pos.list_in_flight = false;
  }
  if (metadata_in_flight_ && metadata_broker_ == broker) {
    metadata_in_flight_ = false;
    metadata_pacing_.Failed(env_.Now(), env_.rng());
  }
  RequestMetadata();
  // AbstractCoordinator.markCoordinatorUnknown: requests to it failed; find it again.
  if (config_.group && broker == coordinator_) Rediscover(Errc::kNetworkException);
}

void ConsumerNode::Poll() {
  if (metadata_.PartitionsOf(config_.topic).empty()) {
    if (metadata_in_flight_ && env_.Now() - metadata_sent_at_ >= Milliseconds(1000)) {
      metadata_in_flight_ = false;
    }
    RequestMetadata();
    return;
  }
  if (phase_ == GroupPhase::kLeaving) return;
  std::map<BrokerId, FetchRequest> by_leader;
  for (std::int32_t p : Wanted()) {
    Position& pos = positions_[p];
    if (pos.need_committed) continue;  // waits for the group's committed offset
    const BrokerId leader = metadata_.LeaderOf(config_.topic, p);
    if (leader < 0) {
      RequestMetadata();
      continue;
    }
    if (pos.offset < 0) {
      if (!pos.list_in_flight) {
        pos.list_in_flight = true;
        env_.Send(directory_->NodeFor(leader),
                  std::make_shared<KafkaMessage>(ListOffsetsRequest{
                      next_correlation_++, config_.topic, p, config_.from_beginning}));
      }
      continue;
    }
    FetchPartition fp;
    fp.topic = config_.topic;
    fp.partition = p;
    fp.fetch_offset = pos.offset;
    by_leader[leader].partitions.push_back(fp);
  }
  for (auto& [leader, request] : by_leader) {
    auto in = fetch_in_flight_.find(leader);
    if (in != fetch_in_flight_.end() && env_.Now() - in->second.second < Milliseconds(2000)) {
      continue;
    }
    request.correlation_id = next_correlation_++;
    request.replica_id = -1;
    fetch_in_flight_[leader] = {request.correlation_id, env_.Now()};
    env_.Send(directory_->NodeFor(leader), std::make_shared<KafkaMessage>(request));
  }
}

void ConsumerNode::OnMessage(const Message& message) {
  const auto* k = message.As<KafkaMessage>();
  if (k == nullptr || done_) return;
  if (const auto* md = k->Get<MetadataResponse>()) {
    metadata_in_flight_ = false;
    metadata_pacing_.Updated(env_.Now(), ApplyMetadata(metadata_, *md), env_.rng());
    // ConsumerUtils.createLogContext: "[Consumer clientId=c, groupId=g] ".
    const std::string& id = config_.client_id.empty() ? env_.name() : config_.client_id;
    const std::string prefix =
        config_.group ? fmt::format("[Consumer clientId={}, groupId={}] ", id, *config_.group)
                      : fmt::format("[Consumer clientId={}] ", id);
    if (WarnOfTopicErrors(env_, *md, prefix)) RequestMetadata();  // after the backoff
    MaybeRejoinForMetadata();
  } else if (const auto* lo = k->Get<ListOffsetsResponse>()) {
    Position& pos = positions_[lo->partition];
    pos.list_in_flight = false;
    if (lo->error == Errc::kNone) {
      pos.offset = lo->offset;
      stats().SetPosition(config_.topic, lo->partition, lo->offset);
    } else {
      RequestMetadata();
    }
  } else if (const auto* f = k->Get<FetchResponse>()) {
    OnFetchResponse(*f);
  } else if (const auto* fc = k->Get<FindCoordinatorResponse>()) {
    OnFindCoordinatorResponse(*fc);
  } else if (const auto* g = k->Get<GroupResponseMessage>()) {
    OnGroupResponse(*g);
  }
  // kafka-console-consumer.sh --max-messages exits once it has printed them.
  if (done_) env_.StopSelf();
}

void ConsumerNode::Close() {
  if (done_) return;
  if (config_.group && phase_ != GroupPhase::kLeaving && coordinator_ >= 0) {
    // ConsumerCoordinator.close: commit what was consumed, leave the group (a dynamic member
    // only: a static one keeps its place until session.timeout.ms), then stop once the
    // coordinator answered, waiting at most 1 s here.
    if (config_.enable_auto_commit) CommitPositions(assigned_, "on close");
    phase_ = GroupPhase::kLeaving;
    leave_deadline_ = env_.Now() + Milliseconds(1000);
    if (config_.consumer_protocol) {
      // Leave with member epoch -1 (-2 for a static member, which keeps its place).
      SendConsumerHeartbeat(config_.group_instance_id ? -2 : -1);
    } else if (!config_.group_instance_id && !member_id_.empty()) {
      LeaveGroupRequest leave;
      leave.group_id = *config_.group;
      leave.members.push_back({member_id_, std::nullopt, "the consumer is being closed"});
      SendGroupRequest(std::move(leave));
    }
    return;
  }
  done_ = true;
  env_.Emit(std::string(trace_kind::kClientStop), {},
            fmt::format("closed after consuming {} record(s)", consumed_));
  env_.StopSelf();
}

void ConsumerNode::OnFetchResponse(const FetchResponse& response) {
  for (auto it = fetch_in_flight_.begin(); it != fetch_in_flight_.end(); ++it) {
    if (it->second.first == response.correlation_id) {
      fetch_in_flight_.erase(it);
      break;
    }
  }
  if (response.correlation_id < fetch_floor_) return;  // asked before the assignment changed
  for (const FetchedPartition& fp : response.partitions) {
    if (config_.group &&
        std::find(assigned_.begin(), assigned_.end(), fp.partition) == assigned_.end()) {
      continue;
    }
    Position& pos = positions_[fp.partition];
    if (fp.error == Errc::kOffsetOutOfRange) {
      pos.offset = -1;  // auto.offset.reset
      continue;
    }
    if (fp.error != Errc::kNone) {
      RequestMetadata();
      continue;
    }
    if (fp.records.empty()) continue;
    Result<std::vector<ConsumedRecord>> records = DecodeBatches(fp.records);
    KSIM_ASSERT_MSG(records.ok(), records.status().ToString());
    for (const ConsumedRecord& r : *records) {
      if (r.offset < pos.offset) continue;
      pos.offset = r.offset + 1;
      history_->Consumed(ConsumeEvent{env_.name(), fp.topic, fp.partition, r.offset, r.key, r.value,
                                      env_.Now(), fp.high_watermark});
      ++stats().consumed;
      ++consumed_;
      if (config_.trace_each_record) {
        const std::string line = FormatConsoleRecord(config_.format, fp.partition, r);
        env_.Emit(std::string(trace_kind::kClientRecord),
                  {{"partition", PartitionName(fp.topic, fp.partition)}, {"offset", r.offset}},
                  "| " + line);
      }
      if (config_.max_messages && consumed_ >= *config_.max_messages) {
        done_ = true;
        env_.Emit(std::string(trace_kind::kClientDone), {},
                  fmt::format("Processed a total of {} messages", consumed_));
        break;
      }
    }
    // Past the batches' ends too: records a compacted log cleaned away leave no record there.
    if (!done_) pos.offset = std::max(pos.offset, NextOffsetAfter(fp.records));
    stats().SetPosition(fp.topic, fp.partition, pos.offset);
    if (done_) return;
  }
}

// ---------------------------------------------------------------------------------------------
// Admin

AdminNode::AdminNode(NodeEnv& env, std::shared_ptr<const ClusterDirectory> directory,
                     ControllerLocator locator)
    : env_(env), directory_(std::move(directory)), locator_(std::move(locator)) {}

void AdminNode::Submit(KafkaBody request, Duration timeout, Callback callback) {
  queue_.push_back(Call{std::move(request), env_.Now() + timeout, std::move(callback), false, {}});
  Pump();
}

void AdminNode::Pump() {
  if (!current_ && !queue_.empty()) {
    current_ = std::move(queue_.front());
    queue_.erase(queue_.begin());
  }
  if (!current_) return;
  if (env_.Now() >= current_->deadline) {
    Call call = std::move(*current_);
    current_.reset();
    call.callback(
        AdminResponse{Errc::kRequestTimedOut, "Timed out waiting for a node assignment.", {}, {}});
    Pump();
    return;
  }
  if (current_->in_flight && env_.Now() - current_->sent_at < Milliseconds(1000)) return;
  const std::int32_t controller = locator_();
  if (controller >= 0) {
    current_->in_flight = true;
    current_->sent_at = env_.Now();
    current_->sent_to = directory_->NodeFor(controller);
    env_.Send(directory_->NodeFor(controller), std::make_shared<KafkaMessage>(current_->request));
  }
  env_.SetTimer(Milliseconds(controller >= 0 ? 1000 : 200), kAdminPump);
}

void AdminNode::OnTimer(std::uint64_t tag) {
  if (tag == kAdminPump) Pump();
}

void AdminNode::OnDisconnect(NodeIndex peer) {
  // KafkaAdminClient: a call whose connection closed is retried (on the controller the next
  // metadata names) after retry.backoff.ms, within its deadline.
  if (!current_ || !current_->in_flight || current_->sent_to != peer) return;
  current_->in_flight = false;
  env_.SetTimer(Milliseconds(100), kAdminPump);
}

void AdminNode::OnMessage(const Message& message) {
  const auto* k = message.As<KafkaMessage>();
  if (k == nullptr || !current_) return;
  const auto* r = k->Get<AdminResponse>();
  if (r == nullptr) return;
  if (r->error == Errc::kNotController) {
    current_->in_flight = false;
    return;  // the pump timer tries again
  }
  Call call = std::move(*current_);
  current_.reset();
  call.callback(*r);
  Pump();
}

}  // namespace kafkasim::kafka
