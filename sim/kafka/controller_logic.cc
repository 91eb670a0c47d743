// The active controller's decisions, after Kafka's ClusterControlManager (registration),
// BrokerHeartbeatManager (sessions, broker states) and ReplicationControlManager (topics, ISR,
// elections) in metadata/src/main/java/org/apache/kafka/controller/.
#include "kafka/controller_logic.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "engine/assert.h"
#include "kafka/replica_placer.h"

namespace kafkasim::kafka {
namespace {

constexpr std::size_t kTopicNameLengthMax = 249;  // Topic.MAX_NAME_LENGTH

std::optional<std::int64_t> ParseInt(const std::string& text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Topics whose names differ only by '.' versus '_' collide in metric names
// (Topic.unifyCollisionChars).
std::string UnifyCollisionChars(std::string name) {
  std::replace(name.begin(), name.end(), '.', '_');
  return name;
}

Status ValidateTopicConfigs(const std::map<std::string, std::string>& configs) {
  for (const auto& [name, value] : configs) {
    if (name == "min.insync.replicas") {
      const auto v = ParseInt(value);
      if (!v) {
        return {Errc::kInvalidConfig,
                fmt::format("Invalid value {} for configuration {}: Not a number of type INT",
                            value, name)};
      }
      if (*v < 1) {
        return {Errc::kInvalidConfig,
                fmt::format("Invalid value {} for configuration {}: Value must be at least 1",
                            value, name)};
      }
    } else if (name == "unclean.leader.election.enable") {
      if (value != "true" && value != "false") {
        return {Errc::kInvalidConfig,
                fmt::format("Invalid value {} for configuration {}: Expected value to be either "
                            "true or false",
                            value, name)};
      }
    }
  }
  return Status::Ok();
}

}  // namespace

// org.apache.kafka.common.internals.Topic.validate, with Kafka's messages.
Status ValidateTopicName(const std::string& name) {
  if (name.empty())
    return {Errc::kInvalidTopicException, "Topic name is illegal, it can't be empty"};
  if (name == "." || name == "..") {
    return {Errc::kInvalidTopicException, "Topic name cannot be \".\" or \"..\""};
  }
  if (name.size() > kTopicNameLengthMax) {
    return {Errc::kInvalidTopicException,
            fmt::format("Topic name is illegal, it can't be longer than {} characters, topic "
                        "name: {}",
                        kTopicNameLengthMax, name)};
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) {
      return {Errc::kInvalidTopicException,
              fmt::format("Topic name \"{}\" is illegal, it contains a character other than "
                          "ASCII alphanumerics, '.', '_' and '-'",
                          name)};
    }
  }
  return Status::Ok();
}

std::string_view BrokerControlStateName(BrokerControlState state) {
  switch (state) {
    case BrokerControlState::kFenced:
      return "FENCED";
    case BrokerControlState::kUnfenced:
      return "UNFENCED";
    case BrokerControlState::kControlledShutdown:
      return "CONTROLLED_SHUTDOWN";
    case BrokerControlState::kShutdownNow:
      return "SHUTDOWN_NOW";
  }
  return "UNKNOWN";
}

// The records of one operation, applied to a private copy of the image as they are added so that
// later decisions in the same operation see earlier ones. The copy is made on the first record.
class ControllerLogic::Batch {
 public:
  explicit Batch(const MetadataImage& base) : base_(base) {}

  const MetadataImage& image() const { return scratch_ ? *scratch_ : base_; }
  void Add(MetadataRecord record) {
    if (!scratch_) scratch_ = base_;
    scratch_->Apply(record, scratch_->offset() + 1);
    changes.records.push_back(std::move(record));
  }
  void Note(std::string note) { changes.notes.push_back(std::move(note)); }
  void Probe(std::string name) { changes.probes.push_back(std::move(name)); }
  // Brokers this operation takes out of service: never chosen as leaders by it.
  bool Leaving(BrokerId id) const { return leaving_.contains(id); }
  void AddLeaving(BrokerId id) { leaving_.insert(id); }

  ControllerChanges changes;

 private:
  const MetadataImage& base_;
  std::optional<MetadataImage> scratch_;
  std::set<BrokerId> leaving_;
};

ControllerLogic::ControllerLogic(ControllerConfig config) : config_(std::move(config)) {
  KSIM_ASSERT(config_.broker_session_timeout_ms > 0);
  KSIM_ASSERT(config_.default_min_insync_replicas >= 1);
}

void ControllerLogic::Replay(const MetadataRecord& record, std::int64_t offset) {
  image_.Apply(record, offset);
}

void ControllerLogic::Activate(Time now) {
  active_ = true;
  std::map<BrokerId, Session> fresh;
  for (const auto& [id, reg] : image_.brokers()) {
    Session s;
    s.last_contact = now;
    if (const auto it = sessions_.find(id); it != sessions_.end()) {
      s.incarnation_id = it->second.incarnation_id;
    }
    fresh[id] = s;
  }
  sessions_ = std::move(fresh);
}

void ControllerLogic::Deactivate() {
  active_ = false;
  sessions_.clear();
}

std::string ControllerLogic::ConfigValue(const MetadataImage& image, const std::string& topic,
                                         const std::string& name,
                                         const std::string& fallback) const {
  const auto it = config_.cluster_configs.find(name);
  return image.TopicConfig(topic, name,
                           it == config_.cluster_configs.end() ? fallback : it->second);
}

std::int32_t ControllerLogic::MinIsr(const MetadataImage& image, const std::string& topic) const {
  const auto v = ParseInt(ConfigValue(image, topic, "min.insync.replicas",
                                      std::to_string(config_.default_min_insync_replicas)));
  return v && *v >= 1 ? static_cast<std::int32_t>(*v) : config_.default_min_insync_replicas;
}

bool ControllerLogic::UncleanEnabled(const MetadataImage& image, const std::string& topic) const {
  return ConfigValue(image, topic, "unclean.leader.election.enable",
                     config_.unclean_leader_election_enable ? "true" : "false") == "true";
}

std::int32_t ControllerLogic::MinInsyncReplicas(const std::string& topic) const {
  return MinIsr(image_, topic);
}

bool ControllerLogic::UncleanLeaderElectionEnabled(const std::string& topic) const {
  return UncleanEnabled(image_, topic);
}

BrokerControlState ControllerLogic::BrokerState(BrokerId broker) const {
  const BrokerRegistration* reg = image_.Broker(broker);
  if (reg == nullptr || reg->fenced) return BrokerControlState::kFenced;
  if (reg->in_controlled_shutdown) return BrokerControlState::kControlledShutdown;
  return BrokerControlState::kUnfenced;
}

bool ControllerLogic::LeadsAnyPartition(BrokerId broker) const {
  for (const auto& [name, topic] : image_.topics()) {
    for (const auto& [id, p] : topic.partitions) {
      if (p.leader == broker) return true;
    }
  }
  return false;
}

bool ControllerLogic::HasImbalancedPartitions() const {
  for (const auto& [name, topic] : image_.topics()) {
    for (const auto& [id, p] : topic.partitions) {
      const BrokerId preferred = p.replicas.front();
      if (p.leader != preferred && p.InIsr(preferred) && image_.IsActive(preferred)) return true;
    }
  }
  return false;
}

// ---- Partition changes ------------------------------------------------------------------------

std::optional<PartitionChange> ControllerLogic::ChangePartition(Batch& batch,
                                                                const std::string& topic,
                                                                std::int32_t partition,
                                                                const PartitionChangeSpec& spec,
                                                                const std::string& reason) const {
  const TopicImage* t = batch.image().Topic(topic);
  KSIM_ASSERT(t != nullptr);
  const auto pit = t->partitions.find(partition);
  KSIM_ASSERT(pit != t->partitions.end());
  const PartitionRegistration before = pit->second;  // a copy: Add() rewrites the image
  const Uuid topic_id = t->id;
  PartitionChangeBuilder builder(
      before, topic_id, partition,
      [&batch](BrokerId id) { return batch.image().IsActive(id) && !batch.Leaving(id); },
      MinIsr(batch.image(), topic), config_.eligible_leader_replicas_enable);
  builder.SetElection(spec.election ? *spec.election
                                    : (UncleanEnabled(batch.image(), topic) ? Election::kUnclean
                                                                            : Election::kOnline));
  if (spec.target_isr) builder.SetTargetIsr(*spec.target_isr);
  if (spec.recovery_state) builder.SetTargetLeaderRecoveryState(*spec.recovery_state);
  if (!spec.unclean_shutdown_replicas.empty()) {
    builder.SetUncleanShutdownReplicas(spec.unclean_shutdown_replicas);
  }
  std::optional<PartitionChange> change = builder.Build();
  if (!change) return std::nullopt;
  batch.Note(DescribePartitionChange(PartitionName(topic, partition), before, *change, reason));
  const PartitionRegistration& after = change->after;
  if (after.isr.size() < before.isr.size()) batch.Probe("isr.shrink");
  if (after.isr.size() > before.isr.size()) batch.Probe("isr.expand");
  if (after.elr.size() > before.elr.size()) batch.Probe("elr.grow");
  if (change->leader_changed) {
    if (!after.HasLeader()) {
      batch.Probe("partition.offline");
    } else if (change->unclean) {
      batch.Probe("leader.election.unclean");
    } else if (change->elected_from_elr) {
      batch.Probe("leader.election.elr");
    } else if (after.leader == after.replicas.front() && spec.election == Election::kPreferred) {
      batch.Probe("leader.election.preferred");
    } else {
      batch.Probe("leader.election.clean");
    }
  }
  batch.Add(change->record);
  return change;
}

std::vector<TopicPartition> ControllerLogic::PartitionsWhere(
    const MetadataImage& image,
    const std::function<bool(const PartitionRegistration&)>& predicate) const {
  std::vector<TopicPartition> out;
  for (const auto& [name, topic] : image.topics()) {
    for (const auto& [id, p] : topic.partitions) {
      if (predicate(p)) out.push_back(TopicPartition{name, id});
    }
  }
  return out;
}

// ReplicationControlManager.handleBrokerFenced: leave every ISR (moving leaderships), then the
// registration change.
void ControllerLogic::FenceBroker(Batch& batch, BrokerId broker, const std::string& why) const {
  const BrokerRegistration* reg = batch.image().Broker(broker);
  KSIM_ASSERT(reg != nullptr);
  const std::int64_t epoch = reg->epoch;
  batch.AddLeaving(broker);
  batch.Note(fmt::format("fenced broker {}: {}", broker, why));
  batch.Probe("controller.fence_broker");
  const std::string reason = fmt::format("broker {} fenced", broker);
  for (const TopicPartition& tp : PartitionsWhere(
           batch.image(), [broker](const PartitionRegistration& p) { return p.InIsr(broker); })) {
    const PartitionRegistration& p = *batch.image().Partition(tp.topic, tp.partition);
    PartitionChangeSpec spec;
    spec.target_isr = p.isr;
    std::erase(*spec.target_isr, broker);
    ChangePartition(batch, tp.topic, tp.partition, spec, reason);
  }
  batch.Add(BrokerRegistrationChangeRecord{broker, epoch, 1, 0});
}

// handleBrokerUnfenced: the registration change, then leaders for leaderless partitions.
void ControllerLogic::UnfenceBroker(Batch& batch, BrokerId broker, std::int64_t epoch,
                                    const std::string& why) const {
  batch.Add(BrokerRegistrationChangeRecord{broker, epoch, -1, 0});
  batch.Note(fmt::format("unfenced broker {}: {}", broker, why));
  batch.Probe("controller.unfence_broker");
  const std::string reason = fmt::format("broker {} unfenced", broker);
  for (const TopicPartition& tp : PartitionsWhere(
           batch.image(), [](const PartitionRegistration& p) { return !p.HasLeader(); })) {
    ChangePartition(batch, tp.topic, tp.partition, PartitionChangeSpec{}, reason);
  }
}

// handleBrokerInControlledShutdown: mark it, then leave ISRs and move leaderships off it.
void ControllerLogic::EnterControlledShutdown(Batch& batch, BrokerId broker,
                                              std::int64_t epoch) const {
  batch.Add(BrokerRegistrationChangeRecord{broker, epoch, 0, 1});
  batch.Note(fmt::format("broker {} entered controlled shutdown", broker));
  batch.Probe("broker.controlled_shutdown");
  const std::string reason = fmt::format("broker {} in controlled shutdown", broker);
  for (const TopicPartition& tp : PartitionsWhere(
           batch.image(), [broker](const PartitionRegistration& p) { return p.InIsr(broker); })) {
    PartitionChangeSpec spec;
    spec.target_isr = batch.image().Partition(tp.topic, tp.partition)->isr;
    std::erase(*spec.target_isr, broker);
    ChangePartition(batch, tp.topic, tp.partition, spec, reason);
  }
}

// KIP-966: a broker back from an unclean shutdown may have lost unflushed data, so it can no
// longer be an eligible leader.
void ControllerLogic::RemoveFromElrs(Batch& batch, BrokerId broker) const {
  const auto in_elr = [broker](const PartitionRegistration& p) {
    return std::find(p.elr.begin(), p.elr.end(), broker) != p.elr.end() ||
           std::find(p.last_known_elr.begin(), p.last_known_elr.end(), broker) !=
               p.last_known_elr.end();
  };
  const std::string reason = fmt::format("broker {} restarted after an unclean shutdown", broker);
  for (const TopicPartition& tp : PartitionsWhere(batch.image(), in_elr)) {
    PartitionChangeSpec spec;
    spec.unclean_shutdown_replicas = {broker};
    ChangePartition(batch, tp.topic, tp.partition, spec, reason);
  }
}

// ---- Brokers -----------------------------------------------------------------------------------

bool ControllerLogic::SessionAlive(BrokerId broker, Time now) const {
  const BrokerRegistration* reg = image_.Broker(broker);
  const auto it = sessions_.find(broker);
  if (reg == nullptr || reg->fenced || it == sessions_.end()) return false;
  return now < it->second.last_contact + Milliseconds(config_.broker_session_timeout_ms);
}

RegisterResult ControllerLogic::RegisterBroker(const BrokerRegistrationRequest& request,
                                               std::int64_t next_offset, Time now) {
  KSIM_ASSERT(next_offset > image_.offset());
  const BrokerId id = request.broker_id;
  const BrokerRegistration* existing = image_.Broker(id);
  RegisterResult result;
  if (existing != nullptr && SessionAlive(id, now) &&
      sessions_.at(id).incarnation_id != request.incarnation_id) {
    // ClusterControlManager.registerBroker: the old process may still be running.
    result.status = Status(Errc::kDuplicateBrokerRegistration,
                           "Another broker is registered with that broker id.");
    return result;
  }
  Batch batch(image_);
  if (existing != nullptr && !existing->fenced) {
    FenceBroker(batch, id, "it registered again (a new incarnation)");
  }
  if (existing != nullptr && config_.eligible_leader_replicas_enable &&
      request.previous_broker_epoch != existing->epoch) {
    RemoveFromElrs(batch, id);
  }
  const auto epoch = next_offset + static_cast<std::int64_t>(batch.changes.records.size());
  batch.Add(RegisterBrokerRecord{id, epoch, request.rack, true, false, request.incarnation_id,
                                 request.listeners, request.features, request.log_dirs});
  batch.Note(fmt::format("registered broker {}{} at broker_epoch {}; fenced until it catches up",
                         id, request.rack.empty() ? "" : fmt::format(" (rack {})", request.rack),
                         epoch));
  Session& session = sessions_[id];
  session = Session{};
  session.last_contact = now;
  session.incarnation_id = request.incarnation_id;
  result.changes = std::move(batch.changes);
  result.broker_epoch = epoch;
  return result;
}

// The lowest metadata offset any active broker has reported (BrokerHeartbeatManager).
std::int64_t ControllerLogic::LowestActiveOffset() const {
  std::int64_t lowest = INT64_MAX;
  for (const auto& [id, session] : sessions_) {
    if (image_.IsActive(id)) lowest = std::min(lowest, session.metadata_offset);
  }
  return lowest;
}

BrokerControlState ControllerLogic::NextBrokerState(BrokerId broker, BrokerControlState current,
                                                    const BrokerHeartbeatRequest& request) const {
  switch (current) {
    case BrokerControlState::kFenced:
      if (request.want_shut_down) return BrokerControlState::kShutdownNow;
      if (!request.want_fence && request.current_metadata_offset >= request.broker_epoch) {
        return BrokerControlState::kUnfenced;
      }
      return BrokerControlState::kFenced;
    case BrokerControlState::kUnfenced:
      if (request.want_fence) {
        return request.want_shut_down ? BrokerControlState::kShutdownNow
                                      : BrokerControlState::kFenced;
      }
      if (request.want_shut_down) {
        return LeadsAnyPartition(broker) ? BrokerControlState::kControlledShutdown
                                         : BrokerControlState::kShutdownNow;
      }
      return BrokerControlState::kUnfenced;
    case BrokerControlState::kControlledShutdown: {
      if (LeadsAnyPartition(broker)) return BrokerControlState::kControlledShutdown;
      const auto& session = sessions_.at(broker);
      const std::int64_t shutdown_offset =
          session.controlled_shutdown_offset.value_or(image_.offset());
      return shutdown_offset <= LowestActiveOffset() ? BrokerControlState::kShutdownNow
                                                     : BrokerControlState::kControlledShutdown;
    }
    case BrokerControlState::kShutdownNow:
      return BrokerControlState::kShutdownNow;
  }
  return current;
}

HeartbeatResult ControllerLogic::Heartbeat(const BrokerHeartbeatRequest& request,
                                           std::int64_t next_offset, Time now) {
  KSIM_ASSERT(next_offset > image_.offset());
  HeartbeatResult result;
  const BrokerId id = request.broker_id;
  const BrokerRegistration* reg = image_.Broker(id);
  if (reg == nullptr) {
    result.status =
        Status(Errc::kBrokerIdNotRegistered, fmt::format("Broker {} is not registered.", id));
    return result;
  }
  if (reg->epoch != request.broker_epoch) {
    result.status = Status(Errc::kStaleBrokerEpoch,
                           fmt::format("Expected broker epoch {}, but got broker epoch {}",
                                       reg->epoch, request.broker_epoch));
    return result;
  }
  const std::int64_t epoch = reg->epoch;
  Session& session = sessions_[id];
  session.last_contact = now;
  session.metadata_offset = std::max(session.metadata_offset, request.current_metadata_offset);

  const BrokerControlState current = BrokerState(id);
  const BrokerControlState next = NextBrokerState(id, current, request);
  Batch batch(image_);
  if (next != current) {
    switch (next) {
      case BrokerControlState::kUnfenced:
        UnfenceBroker(batch, id, epoch,
                      fmt::format("caught up to metadata offset {} (registered at {})",
                                  request.current_metadata_offset, epoch));
        break;
      case BrokerControlState::kFenced:
        FenceBroker(batch, id, "it asked to be fenced");
        break;
      case BrokerControlState::kControlledShutdown:
        EnterControlledShutdown(batch, id, epoch);
        session.controlled_shutdown_offset =
            next_offset + static_cast<std::int64_t>(batch.changes.records.size()) - 1;
        break;
      case BrokerControlState::kShutdownNow:
        if (current == BrokerControlState::kControlledShutdown) {
          FenceBroker(batch, id, "controlled shutdown complete");
        } else if (current == BrokerControlState::kUnfenced) {
          FenceBroker(batch, id, "it is shutting down and leads no partition");
        }
        batch.Note(fmt::format("broker {} may shut down now", id));
        break;
    }
  }
  result.changes = std::move(batch.changes);
  result.state = next;
  result.is_caught_up = request.current_metadata_offset >= epoch;
  result.is_fenced =
      next == BrokerControlState::kFenced || next == BrokerControlState::kShutdownNow;
  result.in_controlled_shutdown = next == BrokerControlState::kControlledShutdown;
  result.should_shut_down = next == BrokerControlState::kShutdownNow;
  return result;
}

ControllerChanges ControllerLogic::FenceExpiredBrokers(Time now) {
  // Oldest contact first, as BrokerHeartbeatManager's expiry queue.
  std::vector<std::pair<Time, BrokerId>> expired;
  for (const auto& [id, session] : sessions_) {
    const BrokerRegistration* reg = image_.Broker(id);
    if (reg == nullptr || reg->fenced) continue;
    if (!SessionAlive(id, now)) expired.emplace_back(session.last_contact, id);
  }
  std::sort(expired.begin(), expired.end());
  Batch batch(image_);
  for (const auto& [contact, id] : expired) batch.AddLeaving(id);
  for (const auto& [contact, id] : expired) {
    FenceBroker(batch, id, fmt::format("no heartbeat for {} ms", (now - contact).Millis()));
  }
  return std::move(batch.changes);
}

ControllerChanges ControllerLogic::ApplyLiveBrokers(
    const std::map<BrokerId, std::int64_t>& live,
    const std::map<BrokerId, std::string>& racks) const {
  Batch batch(image_);
  std::vector<BrokerId> gone;
  for (const auto& [id, reg] : image_.brokers()) {
    if (reg.fenced) continue;
    auto it = live.find(id);
    if (it == live.end() || it->second != reg.epoch) gone.push_back(id);
  }
  for (BrokerId id : gone) batch.AddLeaving(id);
  for (BrokerId id : gone) {
    FenceBroker(batch, id,
                live.contains(id) ? "it registered again (a bounced broker)"
                                  : fmt::format("/brokers/ids/{} is gone", id));
  }
  for (const auto& [id, epoch] : live) {
    const BrokerRegistration* reg = batch.image().Broker(id);
    if (reg != nullptr && !reg->fenced && reg->epoch == epoch) continue;
    auto rack = racks.find(id);
    batch.Add(RegisterBrokerRecord{
        id, epoch, rack == racks.end() ? "" : rack->second, true, false, {}, {}, {}, {}});
    UnfenceBroker(batch, id, epoch, fmt::format("/brokers/ids/{} registered", id));
  }
  return std::move(batch.changes);
}

Result<ControllerChanges> ControllerLogic::ControlledShutdownZk(BrokerId broker,
                                                                std::int64_t broker_epoch) const {
  const BrokerRegistration* reg = image_.Broker(broker);
  if (reg != nullptr && !reg->fenced && broker_epoch < reg->epoch) {
    return Status(Errc::kStaleBrokerEpoch,
                  fmt::format("Received controlled shutdown request from an old broker epoch {} "
                              "for broker {}. Current broker epoch is {}.",
                              broker_epoch, broker, reg->epoch));
  }
  if (reg == nullptr || reg->fenced) {
    return Status(Errc::kBrokerNotAvailable, fmt::format("Broker id {} does not exist.", broker));
  }
  Batch batch(image_);
  if (!reg->in_controlled_shutdown) {
    // controllerContext.shuttingDownBrokerIds.add(id): a registration change kept in the
    // controller's memory only (it is not in ZooKeeper, and a new controller forgets it).
    batch.Add(BrokerRegistrationChangeRecord{broker, reg->epoch, 0, 1});
    batch.Probe("broker.controlled_shutdown");
  }
  batch.Note(
      fmt::format("broker {} asked for a controlled shutdown: moving its leaderships to "
                  "other in-sync replicas and taking it out of ISRs",
                  broker));
  const std::string reason = fmt::format("broker {} in controlled shutdown", broker);
  const auto acts_on = [broker](const PartitionRegistration& p) {
    return p.replicas.size() > 1 && p.HasLeader() && p.InIsr(broker);
  };
  for (const TopicPartition& tp : PartitionsWhere(batch.image(), acts_on)) {
    const PartitionRegistration& p = *batch.image().Partition(tp.topic, tp.partition);
    PartitionChangeSpec spec;
    spec.election = Election::kOnline;
    spec.target_isr = p.isr;
    std::erase(*spec.target_isr, broker);
    if (p.leader == broker) {
      const bool movable = std::any_of(spec.target_isr->begin(), spec.target_isr->end(),
                                       [&batch](BrokerId r) { return batch.image().IsActive(r); });
      if (!movable) {
        batch.Note(fmt::format("{} stays on broker {}: no other live in-sync replica to lead it",
                               PartitionName(tp.topic, tp.partition), broker));
        continue;
      }
    }
    ChangePartition(batch, tp.topic, tp.partition, spec, reason);
  }
  return std::move(batch.changes);
}

std::vector<TopicPartition> ControllerLogic::PartitionsLedBy(BrokerId broker) const {
  return PartitionsWhere(image_,
                         [broker](const PartitionRegistration& p) { return p.leader == broker; });
}

std::optional<Time> ControllerLogic::NextSessionExpiry() const {
  std::optional<Time> next;
  for (const auto& [id, session] : sessions_) {
    const BrokerRegistration* reg = image_.Broker(id);
    if (reg == nullptr || reg->fenced) continue;
    const Time expiry = session.last_contact + Milliseconds(config_.broker_session_timeout_ms);
    if (!next || expiry < *next) next = expiry;
  }
  return next;
}

// ---- Topics ------------------------------------------------------------------------------------

// ReplicationControlManager.createTopic's checks; resolves -1 to the configured defaults.
Status ControllerLogic::ValidateNewTopic(const std::string& name, std::int32_t& num_partitions,
                                         std::int32_t& replication_factor,
                                         const std::map<std::string, std::string>& configs) const {
  if (Status s = ValidateTopicName(name); !s.ok()) return s;
  if (image_.Topic(name) != nullptr) {
    return {Errc::kTopicAlreadyExists, fmt::format("Topic '{}' already exists.", name)};
  }
  for (const auto& [other, topic] : image_.topics()) {
    if (UnifyCollisionChars(other) == UnifyCollisionChars(name)) {
      return {Errc::kInvalidTopicException,
              fmt::format("Topic '{}' collides with existing topic: {}", name, other)};
    }
  }
  if (num_partitions == -1) num_partitions = config_.num_partitions;
  if (num_partitions <= 0) {
    return {Errc::kInvalidPartitions,
            "Number of partitions was set to an invalid non-positive value."};
  }
  if (replication_factor == -1) replication_factor = config_.default_replication_factor;
  if (replication_factor <= 0) {
    return {Errc::kInvalidReplicationFactor,
            "Replication factor must be larger than 0, or -1 to use the default value."};
  }
  return ValidateTopicConfigs(configs);
}

// ReplicationControlManager.createTopic with topic.assignments(), and
// validateManualPartitionAssignment: messages as Kafka words them.
Status ControllerLogic::ValidateManualAssignment(
    std::int32_t num_partitions, std::int32_t replication_factor,
    const std::vector<std::vector<BrokerId>>& assignments) const {
  if (replication_factor != -1) {
    return {Errc::kInvalidRequest,
            "A manual partition assignment was specified, but replication factor was not set "
            "to -1."};
  }
  if (num_partitions != -1) {
    return {Errc::kInvalidRequest,
            "A manual partition assignment was specified, but numPartitions was not set to -1."};
  }
  for (std::size_t p = 0; p < assignments.size(); ++p) {
    if (assignments[p].empty()) {
      return {Errc::kInvalidReplicaAssignment,
              "The manual partition assignment includes an empty replica list."};
    }
    std::vector<BrokerId> sorted = assignments[p];
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < sorted.size(); ++i) {
      if (image_.brokers().count(sorted[i]) == 0) {
        return {Errc::kInvalidReplicaAssignment,
                fmt::format("The manual partition assignment includes broker {}, but no such "
                            "broker is registered.",
                            sorted[i])};
      }
      if (i > 0 && sorted[i] == sorted[i - 1]) {
        return {Errc::kInvalidReplicaAssignment,
                fmt::format("The manual partition assignment includes the broker {} more than "
                            "once.",
                            sorted[i])};
      }
    }
    if (p > 0 && sorted.size() != assignments.front().size()) {
      return {Errc::kInvalidReplicaAssignment,
              fmt::format("The manual partition assignment includes a partition with {} "
                          "replica(s), but this is not consistent with previous partitions, "
                          "which have {} replica(s).",
                          sorted.size(), assignments.front().size())};
    }
    bool any_active = false;
    for (BrokerId id : assignments[p]) any_active = any_active || image_.IsActive(id);
    if (!any_active) {
      return {Errc::kInvalidReplicaAssignment,
              fmt::format("All brokers specified in the manual partition assignment for "
                          "partition {} are fenced or in controlled shutdown.",
                          p)};
    }
  }
  return Status::Ok();
}

Result<std::vector<std::vector<BrokerId>>> ControllerLogic::PlaceNewReplicas(
    std::int32_t num_partitions, std::int32_t replication_factor, Rng& rng) const {
  std::vector<UsableBroker> usable;
  for (const auto& [id, reg] : image_.brokers()) {
    if (!reg.in_controlled_shutdown) usable.push_back(UsableBroker{id, reg.rack, reg.fenced});
  }
  auto placement = PlaceReplicas(num_partitions, replication_factor, std::move(usable), rng);
  if (!placement.ok()) {
    return Status(placement.status().code(),
                  fmt::format("Unable to replicate the partition {} time(s): {}",
                              replication_factor, placement.status().message()));
  }
  return placement;
}

void ControllerLogic::AddNewPartitions(const std::string& name, const Uuid& topic_id,
                                       std::int32_t first,
                                       const std::vector<std::vector<BrokerId>>& placement,
                                       ControllerChanges& out) const {
  for (std::size_t i = 0; i < placement.size(); ++i) {
    PartitionRecord rec;
    rec.topic_id = topic_id;
    rec.partition_id = first + static_cast<std::int32_t>(i);
    rec.replicas = placement[i];
    for (BrokerId r : rec.replicas) {
      if (image_.IsActive(r)) rec.isr.push_back(r);
      // ClusterDescriber.defaultDir: a broker with one log dir gets its replicas there; with
      // none or several known, the broker assigns them itself (DirectoryId.UNASSIGNED).
      const BrokerRegistration* broker = image_.Broker(r);
      rec.directories.push_back(
          broker != nullptr && broker->log_dirs.size() == 1 ? broker->log_dirs.front() : Uuid{});
    }
    // The placer puts an active broker first; a manual assignment was checked to have one.
    KSIM_ASSERT_MSG(!rec.isr.empty(), "a new partition needs an active replica");
    rec.leader = rec.isr.front();
    out.notes.push_back(
        fmt::format("{} replicas {} leader {} ISR {}", PartitionName(name, rec.partition_id),
                    FormatBrokerList(rec.replicas), rec.leader, FormatBrokerList(rec.isr)));
    out.records.push_back(std::move(rec));
  }
}

Result<CreatedTopic> ControllerLogic::CreateTopic(
    const std::string& name, std::int32_t num_partitions, std::int32_t replication_factor,
    const std::map<std::string, std::string>& configs, Rng& rng,
    const std::vector<std::vector<BrokerId>>& assignments) {
  // ReplicationControlManager.validateTotalNumberOfPartitions: one request creates at most
  // MAX_PARTITIONS_PER_BATCH (10,000) partitions, before any other check.
  constexpr std::int32_t kMaxPartitionsPerBatch = 10000;
  const std::int64_t requested =
      assignments.empty() ? (num_partitions == -1 ? config_.num_partitions : num_partitions)
                          : static_cast<std::int64_t>(assignments.size());
  if (requested > kMaxPartitionsPerBatch) {
    return Status(Errc::kPolicyViolation, "Excessively large number of partitions per request.");
  }
  if (!assignments.empty()) {
    if (Status s = ValidateManualAssignment(num_partitions, replication_factor, assignments);
        !s.ok()) {
      return s;
    }
    num_partitions = static_cast<std::int32_t>(assignments.size());
    replication_factor = static_cast<std::int32_t>(assignments.front().size());
  }
  if (Status s = ValidateNewTopic(name, num_partitions, replication_factor, configs); !s.ok()) {
    return s;
  }
  Result<std::vector<std::vector<BrokerId>>> placement = assignments;
  if (assignments.empty()) placement = PlaceNewReplicas(num_partitions, replication_factor, rng);
  if (!placement.ok()) return placement.status();

  CreatedTopic created;
  created.num_partitions = num_partitions;
  created.replication_factor = replication_factor;
  do {
    created.topic_id = Uuid{rng.NextU64(), rng.NextU64()};
  } while (created.topic_id.IsZero() || image_.TopicById(created.topic_id) != nullptr ||
           created.topic_id.ToBase64().front() == '-');  // Uuid.randomUuid avoids a leading '-'
  ControllerChanges& out = created.changes;
  out.records.push_back(TopicRecord{name, created.topic_id});
  for (const auto& [key, value] : configs) {
    out.records.push_back(ConfigRecord{2, name, key, value});
  }
  out.notes.push_back(
      fmt::format("created topic {} (id {}) with {} partition(s), replication "
                  "factor {}",
                  name, created.topic_id.ToBase64(), num_partitions, replication_factor));
  AddNewPartitions(name, created.topic_id, 0, *placement, out);
  return created;
}

Result<ControllerChanges> ControllerLogic::DeleteTopic(const std::string& name) {
  const TopicImage* topic = image_.Topic(name);
  if (topic == nullptr) {
    return Status(Errc::kUnknownTopicOrPartition,
                  "This server does not host this topic-partition.");
  }
  ControllerChanges out;
  out.records.push_back(RemoveTopicRecord{topic->id});
  out.notes.push_back(fmt::format("deleted topic {} (id {}, {} partition(s))", name,
                                  topic->id.ToBase64(), topic->partitions.size()));
  return out;
}

Result<ControllerChanges> ControllerLogic::CreatePartitions(const std::string& name,
                                                            std::int32_t count, Rng& rng) {
  const TopicImage* topic = image_.Topic(name);
  if (topic == nullptr) {
    return Status(Errc::kUnknownTopicOrPartition,
                  "This server does not host this topic-partition.");
  }
  // Messages as ReplicationControlManager.createPartitions words them.
  const auto current = static_cast<std::int32_t>(topic->partitions.size());
  if (count == current) {
    return Status(Errc::kInvalidPartitions,
                  fmt::format("Topic already has {} partition(s).", current));
  }
  if (count < current) {
    return Status(Errc::kInvalidPartitions,
                  fmt::format("The topic {} currently has {} partition(s); {} would not be an "
                              "increase.",
                              name, current, count));
  }
  const auto replication_factor =
      static_cast<std::int32_t>(topic->partitions.begin()->second.replicas.size());
  auto placement = PlaceNewReplicas(count - current, replication_factor, rng);
  if (!placement.ok()) return placement.status();
  ControllerChanges out;
  out.notes.push_back(
      fmt::format("added {} partition(s) to {}: {} -> {}", count - current, name, current, count));
  AddNewPartitions(name, topic->id, current, *placement, out);
  return out;
}

// ---- Configs ------------------------------------------------------------------------------------

Result<ControllerChanges> ControllerLogic::AlterConfigs(
    std::int8_t resource_type, const std::string& resource_name,
    const std::map<std::string, std::optional<std::string>>& changes) {
  if (resource_type != 2 && !(resource_type == 4 && resource_name.empty())) {
    return Status(Errc::kInvalidRequest,
                  "Only topic configs and cluster-wide broker defaults can be altered here.");
  }
  if (resource_type == 2 && image_.Topic(resource_name) == nullptr) {
    return Status(Errc::kUnknownTopicOrPartition,
                  "This server does not host this topic-partition.");
  }
  std::map<std::string, std::string> to_set;
  for (const auto& [name, value] : changes) {
    if (value) to_set[name] = *value;
  }
  if (Status s = ValidateTopicConfigs(to_set); !s.ok()) return s;

  Batch batch(image_);
  const std::string where =
      resource_type == 2 ? fmt::format("topic {}", resource_name) : "the cluster default";
  // ConfigurationControlManager.incrementalAlterConfigResource: a topic config that keeps its
  // value makes no record (only broker resources are rewritten to trigger reloads).
  const TopicImage* altered = resource_type == 2 ? image_.Topic(resource_name) : nullptr;
  const auto unchanged = [&](const std::string& name, const std::optional<std::string>& value) {
    if (altered == nullptr) return false;
    const auto it = altered->configs.find(name);
    const std::optional<std::string> current =
        it == altered->configs.end() ? std::nullopt : std::optional<std::string>(it->second);
    return current == value;
  };
  bool min_isr_changed = false;
  for (const auto& [name, value] : changes) {
    if (unchanged(name, value)) continue;
    if (name == "min.insync.replicas") min_isr_changed = true;
    batch.Add(ConfigRecord{resource_type, resource_name, name, value});
    batch.Note(value ? fmt::format("set {}={} on {}", name, *value, where)
                     : fmt::format("removed {} from {}", name, where));
  }
  if (config_.eligible_leader_replicas_enable && min_isr_changed) {
    // KIP-966: the ELR was computed against the old minimum, so it no longer proves anything.
    const auto has_elr = [&](const std::string& topic, const PartitionRegistration& p) {
      return (resource_type == 4 || topic == resource_name) &&
             (!p.elr.empty() || !p.last_known_elr.empty());
    };
    for (const auto& [topic_name, topic] : image_.topics()) {
      for (const auto& [id, p] : topic.partitions) {
        if (!has_elr(topic_name, p)) continue;
        PartitionChangeRecord rec;
        rec.topic_id = topic.id;
        rec.partition_id = id;
        rec.elr = std::vector<BrokerId>{};
        rec.last_known_elr = std::vector<BrokerId>{};
        batch.Add(rec);
        batch.Note(fmt::format("{} ELR {} -> [] (min.insync.replicas changed)",
                               PartitionName(topic_name, id), FormatBrokerList(p.elr)));
      }
    }
  }
  return std::move(batch.changes);
}

// ---- AlterPartition ----------------------------------------------------------------------------

Status ControllerLogic::ValidateAlterPartition(const AlterPartitionRequest& request,
                                               const std::string& partition_name,
                                               const PartitionRegistration& p) const {
  // ReplicationControlManager.validateAlterPartitionData, in its order.
  if (request.leader_epoch != p.leader_epoch) {
    return {Errc::kFencedLeaderEpoch,
            fmt::format("{}: leader_epoch {} in the request, current leader_epoch {}",
                        partition_name, request.leader_epoch, p.leader_epoch)};
  }
  if (request.broker_id != p.leader) {
    return {Errc::kInvalidRequest, fmt::format("{}: broker {} is not the leader (leader is {})",
                                               partition_name, request.broker_id, p.leader)};
  }
  if (request.partition_epoch != p.partition_epoch) {
    return {Errc::kInvalidUpdateVersion,
            fmt::format("{}: partition_epoch {} in the request, current partition_epoch {}",
                        partition_name, request.partition_epoch, p.partition_epoch)};
  }
  const std::vector<BrokerId>& isr = request.new_isr;
  std::set<BrokerId> unique(isr.begin(), isr.end());
  if (isr.empty() || unique.size() != isr.size() || !unique.contains(p.leader)) {
    return {Errc::kInvalidRequest,
            fmt::format("{}: the new ISR {} must hold the leader {} once and no duplicates",
                        partition_name, FormatBrokerList(isr), p.leader)};
  }
  for (BrokerId r : isr) {
    if (std::find(p.replicas.begin(), p.replicas.end(), r) == p.replicas.end()) {
      return {Errc::kInvalidRequest,
              fmt::format("{}: broker {} in the new ISR is not a replica", partition_name, r)};
    }
  }
  if (request.leader_recovery_state == LeaderRecoveryState::kRecovering &&
      (p.leader_recovery_state == LeaderRecoveryState::kRecovered || isr.size() > 1)) {
    return {Errc::kInvalidRequest, fmt::format("{}: cannot move to or stay RECOVERING with ISR {}",
                                               partition_name, FormatBrokerList(isr))};
  }
  std::vector<BrokerId> ineligible;
  for (BrokerId r : isr) {
    if (!p.InIsr(r) && !image_.IsActive(r)) ineligible.push_back(r);
  }
  if (!ineligible.empty()) {
    return {Errc::kIneligibleReplica,
            fmt::format("Rejecting AlterPartition request from node {} for {} because it "
                        "specified ineligible replicas {} in the new ISR",
                        request.broker_id, partition_name, FormatBrokerList(ineligible))};
  }
  return Status::Ok();
}

AlterPartitionResult ControllerLogic::AlterPartition(const AlterPartitionRequest& request) {
  AlterPartitionResult result;
  const BrokerRegistration* reg = image_.Broker(request.broker_id);
  if (reg == nullptr || reg->epoch != request.broker_epoch) {
    result.status = Status(Errc::kStaleBrokerEpoch,
                           fmt::format("broker {} epoch {} is not its current registration",
                                       request.broker_id, request.broker_epoch));
    return result;
  }
  const TopicImage* topic = image_.TopicById(request.topic_id);
  if (topic == nullptr) {
    result.status = Status(Errc::kUnknownTopicId, "This server does not host this topic ID.");
    return result;
  }
  const auto pit = topic->partitions.find(request.partition);
  if (pit == topic->partitions.end()) {
    result.status =
        Status(Errc::kUnknownTopicOrPartition, "This server does not host this topic-partition.");
    return result;
  }
  const std::string partition_name = PartitionName(topic->name, request.partition);
  result.status = ValidateAlterPartition(request, partition_name, pit->second);
  if (!result.status.ok()) return result;

  const std::string topic_name = topic->name;
  Batch batch(image_);
  PartitionChangeSpec spec;
  spec.target_isr = request.new_isr;
  spec.recovery_state = request.leader_recovery_state;
  const auto change =
      ChangePartition(batch, topic_name, request.partition, spec,
                      fmt::format("AlterPartition from broker {}", request.broker_id));
  result.partition = change ? change->after : pit->second;
  result.changes = std::move(batch.changes);
  return result;
}

// ---- Elections ---------------------------------------------------------------------------------

AllocateProducerIdsResult ControllerLogic::AllocateProducerIds(BrokerId broker_id,
                                                               std::int64_t broker_epoch) {
  AllocateProducerIdsResult result;
  // ClusterControlManager.checkBrokerEpoch.
  const BrokerRegistration* broker = image_.Broker(broker_id);
  if (broker == nullptr) {
    result.status = Status(Errc::kStaleBrokerEpoch,
                           fmt::format("No broker registration found for broker {}", broker_id));
    return result;
  }
  if (broker->epoch != broker_epoch) {
    result.status = Status(Errc::kStaleBrokerEpoch,
                           fmt::format("Expected broker epoch {}, but got broker epoch {}",
                                       broker->epoch, broker_epoch));
    return result;
  }
  const std::int64_t first = image_.next_producer_id();
  if (first > INT64_MAX - kProducerIdBlockSize) {
    result.status = Status(Errc::kUnknownServerError, "Exhausted all producerIds");
    return result;
  }
  Batch batch(image_);
  batch.Add(ProducerIdsRecord{broker_id, broker_epoch, first + kProducerIdBlockSize});
  batch.Note(fmt::format("gave broker {} the producer ids {}..{}", broker_id, first,
                         first + kProducerIdBlockSize - 1));
  batch.Probe("controller.allocate_producer_ids");
  result.changes = std::move(batch.changes);
  result.block = ProducerIdsBlock{broker_id, first, kProducerIdBlockSize};
  KSIM_ASSERT_EQ(result.changes.records.size(), std::size_t{1});
  return result;
}

ElectLeadersResult ControllerLogic::ElectLeaders(
    ElectionType type, const std::optional<std::vector<TopicPartition>>& partitions) {
  ElectLeadersResult result;
  const std::vector<TopicPartition> targets =
      partitions ? *partitions
                 : PartitionsWhere(image_, [](const PartitionRegistration&) { return true; });
  Batch batch(image_);
  for (const TopicPartition& tp : targets) {
    const PartitionRegistration* p = batch.image().Partition(tp.topic, tp.partition);
    if (p == nullptr) {
      result.partitions[tp] =
          Status(Errc::kUnknownTopicOrPartition, "This server does not host this topic-partition.");
      continue;
    }
    const std::string name = PartitionName(tp.topic, tp.partition);
    if (type == ElectionType::kPreferred ? p->leader == p->replicas.front() : p->HasLeader()) {
      result.partitions[tp] = Status(Errc::kElectionNotNeeded,
                                     fmt::format("{} already has leader {}", name, p->leader));
      continue;
    }
    // Goal check before building, so a failed election writes nothing.
    const BrokerId preferred = p->replicas.front();
    if (type == ElectionType::kPreferred &&
        !(p->InIsr(preferred) && batch.image().IsActive(preferred))) {
      result.partitions[tp] = Status(
          Errc::kPreferredLeaderNotAvailable,
          fmt::format("Failed to elect leader for partition {} under strategy "
                      "PreferredLeaderElectionStrategy: preferred replica {} is not an active "
                      "ISR member",
                      name, preferred));
      continue;
    }
    PartitionChangeSpec spec;
    spec.election = type == ElectionType::kPreferred ? Election::kPreferred : Election::kUnclean;
    const auto change =
        ChangePartition(batch, tp.topic, tp.partition, spec,
                        type == ElectionType::kPreferred ? "preferred leader election requested"
                                                         : "unclean leader election requested");
    if (change && change->after.HasLeader()) {
      result.partitions[tp] = Status::Ok();
    } else {
      result.partitions[tp] =
          Status(Errc::kEligibleLeadersNotAvailable,
                 fmt::format("Failed to elect leader for partition {} under strategy "
                             "UncleanLeaderElectionStrategy: no replica is active",
                             name));
    }
  }
  result.changes = std::move(batch.changes);
  return result;
}

ControllerChanges ControllerLogic::BalancePartitionLeaders() {
  if (!config_.auto_leader_rebalance_enable) return {};
  Batch batch(image_);
  const auto imbalanced = [this](const PartitionRegistration& p) {
    const BrokerId preferred = p.replicas.front();
    return p.leader != preferred && p.InIsr(preferred) && image_.IsActive(preferred);
  };
  for (const TopicPartition& tp : PartitionsWhere(image_, imbalanced)) {
    PartitionChangeSpec spec;
    spec.election = Election::kPreferred;
    ChangePartition(batch, tp.topic, tp.partition, spec, "auto leader rebalance");
  }
  return std::move(batch.changes);
}

ControllerChanges ControllerLogic::ElectUncleanWhereAllowed() {
  Batch batch(image_);
  const auto leaderless = [](const PartitionRegistration& p) { return !p.HasLeader(); };
  for (const TopicPartition& tp : PartitionsWhere(image_, leaderless)) {
    if (!UncleanEnabled(image_, tp.topic)) continue;
    PartitionChangeSpec spec;
    spec.election = Election::kUnclean;
    ChangePartition(batch, tp.topic, tp.partition, spec, "unclean.leader.election.enable=true");
  }
  return std::move(batch.changes);
}

std::vector<std::string> ElectLeadersLines(const ElectLeadersResult& result, bool unclean) {
  const char* type = unclean ? "UNCLEAN" : "PREFERRED";
  std::vector<std::string> lines;
  std::vector<std::string> done;
  std::vector<std::string> not_needed;
  for (const auto& [tp, status] : result.partitions) {
    const std::string name = PartitionName(tp.topic, tp.partition);
    if (status.ok()) {
      done.push_back(name);
    } else if (status.code() == Errc::kElectionNotNeeded) {
      not_needed.push_back(name);
    } else {
      lines.push_back(fmt::format("Error completing leader election ({}) for partition: {}: {}",
                                  type, name, status.ToString()));
    }
  }
  if (!done.empty()) {
    lines.insert(lines.begin(), fmt::format("Successfully completed leader election ({}) for "
                                            "partitions {}",
                                            type, fmt::join(done, ", ")));
  }
  if (!not_needed.empty()) {
    lines.push_back(fmt::format("Valid replica already elected for partitions {}",
                                fmt::join(not_needed, ", ")));
  }
  return lines;
}

}  // namespace kafkasim::kafka
