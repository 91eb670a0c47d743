// KafkaZkServer, the broker side: the ZooKeeper session, registration in /brokers/ids, the
// /controller election (KafkaController.elect) and the controller's requests to brokers.
#include "kafka/kafka_zk_server.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <utility>

#include "engine/assert.h"
#include "kafka/log_manager.h"
#include "kafka/trace_kinds.h"
#include "kafka/zk_data.h"

namespace kafkasim::kafka {

using zookeeper::ClientReply;
using zookeeper::CreateMode;
using zookeeper::Op;
using zookeeper::OpType;
using zookeeper::Request;
using zookeeper::WatchEventType;
using zookeeper::ZkCode;

KafkaZkServer::KafkaZkServer(NodeEnv& env, std::shared_ptr<const ClusterDirectory> directory,
                             std::shared_ptr<const zookeeper::ZkEnsembleDirectory> ensemble,
                             ServerConfig config)
    : env_(env),
      directory_(std::move(directory)),
      ensemble_(std::move(ensemble)),
      config_(std::move(config)),
      io_(env_, directory_) {
  KSIM_ASSERT(config_.broker && !config_.controller);
  broker_ = std::make_unique<Broker>(env_, directory_, config_.node_id, config_.broker_settings,
                                     metadata_cache_, controller_channel_);
}

KafkaZkServer::~KafkaZkServer() = default;

void KafkaZkServer::Emit(std::string_view kind, std::string text, std::vector<TraceField> fields) {
  io_.Emit(kind, std::move(text), std::move(fields));
}

void KafkaZkServer::OnStart() {
  if (!LoadMetaProperties(io_, config_.node_id) || !broker_->LoadLogDir()) {
    halted_ = true;
    return;
  }
  Emit(trace_kind::kNodeStart,
       fmt::format(
           "started as broker (broker.id={}), zookeeper.connect={}", config_.node_id, [this] {
             std::vector<std::string> hosts;
             for (const auto& [id, node] : ensemble_->node_of_server) {
               hosts.push_back(fmt::format("localhost:{}", zookeeper::kClientPortBase + id));
             }
             return fmt::format("{}", fmt::join(hosts, ","));
           }()));
  KafkaZkClient::Handlers handlers;
  handlers.connected = [this](bool fresh) { OnZkConnected(fresh); };
  handlers.expired = [this] { OnZkExpired(); };
  handlers.watch = [this](const zookeeper::ClientWatchEvent& e) { OnWatch(e); };
  handlers.note = [this](std::string_view kind, std::string text) { Emit(kind, std::move(text)); };
  zk_ = std::make_unique<KafkaZkClient>(
      env_, ensemble_, static_cast<std::int32_t>(config_.zookeeper_session_timeout_ms),
      std::move(handlers));
  zk_->Start();
  broker_->StartTimers();
  env_.SetTimer(Milliseconds(config_.broker_settings.broker_heartbeat_interval_ms), kTimerRetry);
}

void KafkaZkServer::OnZkConnected(bool fresh) {
  if (fresh) {
    // KafkaServer.startup / the session-expiry handlers: top-level paths, the broker's own
    // registration, then the controller election.
    CreatePersistentPaths();
    RegisterBroker();
    Elect();
    return;
  }
  // Same session on another server: the client has set its watches again there (SetWatches),
  // and those whose znodes changed meanwhile have fired; nothing to read again.
}

void KafkaZkServer::OnZkExpired() {
  // KafkaZkClient's session-expiry handlers: the registration is gone with the session, and a
  // controller resigns (its /controller is gone too).
  registered_ = false;
  if (active_) Resign("its ZooKeeper session expired");
  controller_id_ = -1;
}

void KafkaZkServer::CreatePersistentPaths() {
  for (const std::string& path : zkdata::PersistentPaths()) {
    zk_->Write(Request{false, {Op{OpType::kCreate, path, "", CreateMode::kPersistent, -1}}},
               nullptr);
  }
}

// KafkaZkClient.registerBroker: the ephemeral /brokers/ids/<id>; its czxid is the broker epoch.
void KafkaZkServer::RegisterBroker() {
  if (shutting_down_ || halted_) return;
  const std::string path = zkdata::BrokerIdPath(config_.node_id);
  const std::string data =
      zkdata::EncodeBrokerRegistration(config_.node_id, config_.rack, env_.Now().Millis());
  zk_->Write(Request{false, {Op{OpType::kCreate, path, data, CreateMode::kEphemeral, -1}}},
             [this, path](const ClientReply& r) {
               if (r.code == ZkCode::kSessionExpired) return;  // a new session registers again
               if (r.code != ZkCode::kOk && r.code != ZkCode::kNodeExists) return;
               zk_->Exists(path, false, [this, path](const ClientReply& stat) {
                 if (stat.code != ZkCode::kOk) return;
                 if (stat.stat.ephemeral_owner != zk_->session()) {
                   // The znode of this broker's previous process, whose session has not expired
                   // yet. Kafka 3.9 fails startup here ("node already exists and owner ... does not
                   // match current session"); we wait and try again, as an operator restarting it
                   // would.
                   env_.Probe("zk.broker.registration_conflict");
                   Emit(trace_kind::kBrokerRegistrationRefused,
                        fmt::format("{} still belongs to session 0x{:x} of an earlier process; "
                                    "retrying until that session expires",
                                    path, stat.stat.ephemeral_owner));
                   env_.SetTimer(Milliseconds(1000), kTimerRegisterRetry);
                   return;
                 }
                 registered_ = true;
                 broker_epoch_ = stat.stat.czxid;
                 broker_->SetBrokerEpoch(broker_epoch_);
                 env_.Probe("zk.broker.registered");
                 Emit(trace_kind::kZkBrokerRegistered,
                      fmt::format("registered as ephemeral {} (broker epoch = its czxid {})", path,
                                  zookeeper::ZxidHex(broker_epoch_)),
                      {{"epoch", broker_epoch_}});
               });
             });
}

void KafkaZkServer::WatchController() {
  zk_->GetData(zkdata::kControllerPath, true, [this](const ClientReply& r) {
    if (r.code == ZkCode::kNoNode) {
      controller_id_ = -1;
      Elect();
      return;
    }
    if (r.code != ZkCode::kOk) return;
    Result<BrokerId> id = zkdata::DecodeController(r.data);
    if (!id.ok()) return;
    controller_id_ = *id;
    if (active_ && *id != config_.node_id) Resign(fmt::format("/controller names broker {}", *id));
  });
}

// KafkaController.elect: read /controller (watching it); when there is none, create it and
// bump /controller_epoch in one multi, the epoch write conditional on its zkVersion.
void KafkaZkServer::Elect() {
  if (electing_ || active_ || shutting_down_ || halted_) return;
  electing_ = true;
  zk_->GetData(zkdata::kControllerPath, true, [this](const ClientReply& r) {
    if (r.code == ZkCode::kOk) {
      electing_ = false;
      if (Result<BrokerId> id = zkdata::DecodeController(r.data); id.ok()) controller_id_ = *id;
      return;
    }
    if (r.code != ZkCode::kNoNode) {
      electing_ = false;
      return;
    }
    zk_->GetData(zkdata::kControllerEpochPath, false, [this](const ClientReply& e) {
      if (e.code == ZkCode::kNoNode) {
        // KafkaController's initial epoch: /controller_epoch "0" at zkVersion 0.
        zk_->Write(Request{false,
                           {Op{OpType::kCreate, zkdata::kControllerEpochPath, "0",
                               CreateMode::kPersistent, -1}}},
                   [this](const ClientReply&) {
                     electing_ = false;
                     Elect();
                   });
        return;
      }
      if (e.code != ZkCode::kOk) {
        electing_ = false;
        return;
      }
      const std::int32_t epoch = std::stoi(e.data);
      const std::int32_t version = e.stat.version;
      Request multi{true,
                    {Op{OpType::kCreate, zkdata::kControllerPath,
                        zkdata::EncodeController(config_.node_id, env_.Now().Millis()),
                        CreateMode::kEphemeral, -1},
                     Op{OpType::kSetData, zkdata::kControllerEpochPath, std::to_string(epoch + 1),
                        CreateMode::kPersistent, version}}};
      zk_->Write(std::move(multi), [this, epoch, version](const ClientReply& w) {
        electing_ = false;
        if (w.code == ZkCode::kOk) {
          BecomeController(epoch + 1, version + 1);
          return;
        }
        // Someone else won (NODEEXISTS) or bumped the epoch first (BADVERSION): watch it.
        Emit(trace_kind::kZkControllerElection,
             fmt::format("lost the controller election ({}): another broker created /controller",
                         zookeeper::ZkCodeName(w.code)));
        WatchController();
      });
    });
  });
}

void KafkaZkServer::OnWatch(const zookeeper::ClientWatchEvent& e) {
  if (e.path == zkdata::kControllerPath) {
    if (e.type == WatchEventType::kNodeDeleted) {
      controller_id_ = -1;
      if (active_) Resign("/controller was deleted");
      Elect();
    } else {
      WatchController();
    }
  } else if (e.path == zkdata::kBrokerIdsPath && active_) {
    Enqueue([this] { OnBrokerChange(); });
  } else if (e.path == zkdata::kDeleteTopicsPath && active_) {
    Enqueue([this] { OnTopicDeletionsChanged(); });
  }
}

void KafkaZkServer::OnMessage(const Message& message) {
  if (halted_) {
    if (closing_session_) zk_->OnMessage(message);
    return;
  }
  if (zk_ && zk_->OnMessage(message)) return;
  const auto* k = message.As<KafkaMessage>();
  if (k == nullptr) return;
  if (const auto* r = k->Get<LeaderAndIsrRequest>()) return HandleLeaderAndIsr(*r);
  if (const auto* r = k->Get<UpdateMetadataRequest>()) return HandleUpdateMetadata(*r);
  if (const auto* r = k->Get<StopReplicaRequest>()) return HandleStopReplica(message.from, *r);
  if (const auto* r = k->Get<StopReplicaResponse>()) {
    if (active_) {
      const BrokerId broker = directory_->IdFor(message.from);
      Enqueue([this, broker, response = *r] { OnStopReplicaResponse(broker, response); });
    }
    return;
  }
  if (const auto* r = k->Get<ControlledShutdownResponse>()) {
    return OnControlledShutdownResponse(message.from, *r);
  }
  const KafkaBody& body = k->body;
  if (std::holds_alternative<AlterPartitionRequest>(body) ||
      std::holds_alternative<CreateTopicsRequest>(body) ||
      std::holds_alternative<DeleteTopicsRequest>(body) ||
      std::holds_alternative<CreatePartitionsRequest>(body) ||
      std::holds_alternative<IncrementalAlterConfigsRequest>(body) ||
      std::holds_alternative<ElectLeadersRequest>(body) ||
      std::holds_alternative<AllocateProducerIdsRequest>(body) ||
      std::holds_alternative<ControlledShutdownRequest>(body)) {
    return HandleControllerRequest(message, *k);
  }
  broker_->HandleMessage(message, *k);
  if (broker_->halted()) halted_ = true;
}

void KafkaZkServer::OnTimer(std::uint64_t tag) {
  if (halted_) {
    if (closing_session_ && tag == KafkaZkClient::kTimerTag) zk_->OnTimer();
    if (closing_session_ && tag == kTimerSessionClosed) {
      closing_session_ = false;
      env_.simulation().StopNode(env_.self());
    }
    return;
  }
  if (tag == KafkaZkClient::kTimerTag) {
    zk_->OnTimer();
  } else if (tag == kTimerRegisterRetry) {
    if (!registered_ && zk_->connected()) RegisterBroker();
  } else if (tag == kTimerRebalance) {
    OnRebalanceTimer();
  } else if (tag == kTimerShutdownRetry) {
    Emit(trace_kind::kBrokerControlledShutdown,
         "Retrying controlled shutdown after the previous attempt failed...");
    SendControlledShutdown();
  } else if (tag == kTimerShutdownTimeout) {
    shutdown_timeout_ = kNoTimer;
    ControlledShutdownAttemptFailed(
        fmt::format("no answer to ControlledShutdown within "
                    "request.timeout.ms ({} ms)",
                    config_.broker_settings.request_timeout_ms));
  } else if (tag == kTimerRetry) {
    broker_->RetryControllerRequests();
    env_.SetTimer(Milliseconds(config_.broker_settings.broker_heartbeat_interval_ms), kTimerRetry);
  } else {
    KSIM_ASSERT(Broker::IsBrokerTimer(tag));
    broker_->OnTimer(tag);
  }
  if (broker_->halted()) halted_ = true;
}

void KafkaZkServer::OnDisconnect(NodeIndex peer) {
  if (halted_) {
    if (closing_session_) zk_->OnDisconnect(peer);
    return;
  }
  if (zk_) zk_->OnDisconnect(peer);
  if (shutdown_timeout_ != kNoTimer && peer == shutdown_controller_) {
    // The connection to the controller broke: the attempt failed with an IOException.
    env_.CancelTimer(shutdown_timeout_);
    shutdown_timeout_ = kNoTimer;
    ControlledShutdownAttemptFailed(
        "Error during controlled shutdown: the connection to the "
        "controller closed");
  }
  const std::int32_t id = directory_->IdFor(peer);
  if (id >= 0) broker_->OnDisconnect(id);
}

// KafkaServer.controlledShutdown (Kafka 3.9, core/src/main/scala/kafka/server/KafkaServer.scala):
// before it stops, a registered broker asks the controller to move its leaderships away, up to
// controlled.shutdown.max.retries times, controlled.shutdown.retry.backoff.ms apart, until the
// answer lists no partition it still leads. It keeps serving meanwhile (as a follower of the
// partitions it gave up). Then it stops and closes its ZooKeeper session.
namespace {
constexpr std::int32_t kControlledShutdownMaxRetries = 3;         // controlled.shutdown.max.retries
constexpr std::int64_t kControlledShutdownRetryBackoffMs = 5000;  // ...retry.backoff.ms
}  // namespace

void KafkaZkServer::BeginControlledShutdown() {
  if (shutting_down_ || halted_) return;
  shutting_down_ = true;
  env_.Probe("broker.controlled_shutdown");
  if (!registered_) {
    // Not started up (no registration): nothing to move, as Kafka skips the RPC then.
    Emit(trace_kind::kBrokerControlledShutdown,
         "shutting down before it registered: no leaderships to move");
    return FinishShutdown();
  }
  Emit(trace_kind::kBrokerControlledShutdown,
       "began controlled shutdown: asking the controller to move its leaderships away before "
       "it stops (ControlledShutdown)");
  broker_->BeginShutdown();
  shutdown_attempts_left_ = kControlledShutdownMaxRetries;
  SendControlledShutdown();
}

// One attempt, to the controller this broker knows now: KafkaServer.controlledShutdown asks
// metadataCache.getControllerId before every attempt; ours is kept current by the /controller
// watch and by every controller request (StaleControllerEpoch).
void KafkaZkServer::SendControlledShutdown() {
  --shutdown_attempts_left_;
  const NodeIndex to = controller_id_ >= 0 ? directory_->NodeFor(controller_id_) : kNoNode;
  if (to == kNoNode)
    return ControlledShutdownAttemptFailed("No controller registered in ZooKeeper");
  shutdown_controller_ = to;
  io_.SendTo(controller_id_, ControlledShutdownRequest{config_.node_id, broker_epoch_});
  shutdown_timeout_ = env_.SetTimer(Milliseconds(config_.broker_settings.request_timeout_ms),
                                    kTimerShutdownTimeout);
}

void KafkaZkServer::OnControlledShutdownResponse(NodeIndex from,
                                                 const ControlledShutdownResponse& response) {
  if (!shutting_down_ || shutdown_timeout_ == kNoTimer || from != shutdown_controller_) return;
  env_.CancelTimer(shutdown_timeout_);
  shutdown_timeout_ = kNoTimer;
  if (response.error == Errc::kNone && response.remaining_partitions.empty()) {
    Emit(trace_kind::kBrokerControlledShutdown,
         "Controlled shutdown succeeded: the controller moved every leadership it had");
    return FinishShutdown();
  }
  std::vector<std::string> names;
  for (const TopicPartition& tp : response.remaining_partitions) names.push_back(tp.ToString());
  ControlledShutdownAttemptFailed(
      response.error != Errc::kNone
          ? fmt::format("Error from controller: {}", ErrcName(response.error))
          : fmt::format("Remaining partitions to move: [{}] (no other live in-sync replica "
                        "could lead them)",
                        fmt::join(names, ",")));
}

void KafkaZkServer::ControlledShutdownAttemptFailed(const std::string& why) {
  shutdown_controller_ = kNoNode;
  if (shutdown_attempts_left_ <= 0) {
    env_.Probe("zk.controlled_shutdown.gave_up");
    Emit(trace_kind::kBrokerControlledShutdown,
         fmt::format("{}; Proceeding to do an unclean shutdown as all the controlled shutdown "
                     "attempts failed",
                     why));
    return FinishShutdown();
  }
  Emit(trace_kind::kBrokerControlledShutdown,
       fmt::format("{}; retrying controlled shutdown in {} ms", why,
                   kControlledShutdownRetryBackoffMs));
  env_.SetTimer(Milliseconds(kControlledShutdownRetryBackoffMs), kTimerShutdownRetry);
}

// KafkaServer.shutdown after controlledShutdown: the data plane stops cleanly, then the
// ZooKeeper session closes (zkClient.close waits for the ensemble's answer), so the ensemble
// deletes /brokers/ids/<id> at once, and the process exits. Without a connection to ZooKeeper,
// or without an answer within request.timeout.ms, it exits anyway and the session expires.
void KafkaZkServer::FinishShutdown() {
  Emit(trace_kind::kBrokerShutdown,
       "shutting down: closing its ZooKeeper session (its /brokers/ids znode goes with it)");
  broker_->ShutDown();
  halted_ = true;
  const bool sent = zk_ != nullptr && zk_->Close([this](const ClientReply&) {
    env_.SetTimer(Duration{}, kTimerSessionClosed);  // exit outside the client's handler
  });
  if (!sent) return env_.simulation().StopNode(env_.self());
  closing_session_ = true;
  env_.SetTimer(Milliseconds(config_.broker_settings.request_timeout_ms), kTimerSessionClosed);
}

bool KafkaZkServer::StaleControllerEpoch(std::int32_t epoch, BrokerId controller,
                                         const char* request) {
  if (epoch < known_epoch_) {
    env_.Probe("zk.stale_controller_epoch");
    Emit(trace_kind::kZkStaleController,
         fmt::format("ignored {} from broker {}: STALE_CONTROLLER_EPOCH (its epoch {} < {})",
                     request, controller, epoch, known_epoch_));
    return true;
  }
  known_epoch_ = epoch;
  controller_id_ = controller;
  return false;
}

void KafkaZkServer::ApplyToImage(const std::vector<ZkPartitionState>& partitions) {
  for (const ZkPartitionState& p : partitions) {
    const TopicImage* topic = image_.Topic(p.topic);
    if (topic == nullptr || topic->id != p.topic_id) {
      image_.Apply(TopicRecord{p.topic, p.topic_id}, ++image_offset_);
    }
    PartitionRecord r;
    r.topic_id = p.topic_id;
    r.partition_id = p.partition;
    r.replicas = p.replicas;
    r.isr = p.isr;
    r.leader = p.leader;
    r.leader_epoch = p.leader_epoch;
    r.partition_epoch = p.partition_epoch;
    image_.Apply(r, ++image_offset_);
  }
}

// LeaderAndIsr: the leader and ISR of partitions this broker hosts (ReplicaManager.
// becomeLeaderOrFollower), applied to the same data plane KRaft mode feeds from its image.
void KafkaZkServer::HandleLeaderAndIsr(const LeaderAndIsrRequest& request) {
  if (StaleControllerEpoch(request.controller_epoch, request.controller_id, "LeaderAndIsr")) {
    return;
  }
  ApplyToImage(request.partitions);
  for (const auto& [topic, configs] : request.topic_configs) {
    const TopicImage* t = image_.Topic(topic);
    if (t == nullptr) continue;
    std::vector<ConfigRecord> changes;
    for (const auto& [name, value] : configs) {
      const auto it = t->configs.find(name);
      if (it == t->configs.end() || it->second != value) {
        changes.push_back(ConfigRecord{2, topic, name, value});
      }
    }
    for (const auto& [name, value] : t->configs) {
      if (!configs.contains(name)) changes.push_back(ConfigRecord{2, topic, name, {}});
    }
    for (const ConfigRecord& r : changes) image_.Apply(r, ++image_offset_);
  }
  std::vector<HostedPartitionState> states;
  for (const ZkPartitionState& p : request.partitions) {
    if (std::find(p.replicas.begin(), p.replicas.end(), config_.node_id) == p.replicas.end()) {
      continue;
    }
    states.push_back(HostedPartitionState{
        p.topic, p.topic_id, p.partition,
        PartitionState{p.leader, p.leader_epoch, p.partition_epoch, p.replicas, p.isr}});
  }
  if (!states.empty()) broker_->ApplyPartitionStates(states);
  if (broker_->halted()) halted_ = true;
}

// UpdateMetadata: the broker's MetadataCache (live brokers, every partition's leader).
void KafkaZkServer::HandleUpdateMetadata(const UpdateMetadataRequest& request) {
  if (StaleControllerEpoch(request.controller_epoch, request.controller_id, "UpdateMetadata")) {
    return;
  }
  std::set<BrokerId> live;
  for (const ZkLiveBroker& b : request.live_brokers) {
    live.insert(b.id);
    const BrokerRegistration* reg = image_.Broker(b.id);
    if (reg == nullptr || reg->fenced || reg->epoch != b.epoch) {
      image_.Apply(RegisterBrokerRecord{b.id, b.epoch, b.rack, false, false, {}, {}, {}, {}},
                   ++image_offset_);
    }
  }
  for (const auto& [id, reg] : image_.brokers()) {
    if (!reg.fenced && !live.contains(id)) {
      image_.Apply(BrokerRegistrationChangeRecord{id, reg.epoch, 1, 0}, ++image_offset_);
    }
  }
  // ZkMetadataCache.updateMetadata: a partition whose leader is LeaderDuringDelete (-2) is
  // being deleted; it leaves the cache, and a topic with no partition left goes with it.
  std::vector<ZkPartitionState> current;
  std::set<std::string> deleting;
  for (const ZkPartitionState& p : request.partitions) {
    if (p.leader == kLeaderDuringDelete) {
      deleting.insert(p.topic);
    } else {
      current.push_back(p);
    }
  }
  for (const std::string& name : deleting) {
    if (const TopicImage* t = image_.Topic(name)) {
      image_.Apply(RemoveTopicRecord{t->id}, ++image_offset_);
    }
  }
  ApplyToImage(current);
  // The request carries every topic's overrides: one it does not name has none (an override
  // deleted by kafka-configs.sh --delete-config goes).
  const std::map<std::string, std::string> none;
  std::vector<ConfigRecord> config_changes;
  for (const auto& [topic, t] : image_.topics()) {
    const auto named = request.topic_configs.find(topic);
    const auto& wanted = named == request.topic_configs.end() ? none : named->second;
    for (const auto& [name, value] : wanted) {
      auto it = t.configs.find(name);
      if (it != t.configs.end() && it->second == value) continue;
      config_changes.push_back(ConfigRecord{2, topic, name, value});
    }
    for (const auto& [name, value] : t.configs) {
      if (!wanted.contains(name)) config_changes.push_back(ConfigRecord{2, topic, name, {}});
    }
  }
  for (const ConfigRecord& r : config_changes) image_.Apply(r, ++image_offset_);
  if (!config_changes.empty() && broker_) broker_->replicas().RefreshTopicConfigs();
  CompleteDelayedDeletes();
}

void KafkaZkServer::HandleStopReplica(NodeIndex from, const StopReplicaRequest& request) {
  if (StaleControllerEpoch(request.controller_epoch, request.controller_id, "StopReplica")) {
    return;
  }
  if (request.delete_partition) {
    broker_->StopReplica(request.topic, request.partition);
    if (broker_->halted()) {
      halted_ = true;
      return;
    }
    Reply(from, StopReplicaResponse{request.topic, request.partition, Errc::kNone});
  } else {
    broker_->StopFetching(request.topic, request.partition);
  }
}

void KafkaZkServer::CompleteDelayedDeletes() {
  for (auto it = deletes_waiting_.begin(); it != deletes_waiting_.end();) {
    if (image_.Topic(it->first) != nullptr) {
      ++it;
      continue;
    }
    for (NodeIndex admin : it->second) Reply(admin, AdminResponse{Errc::kNone, "", {}, {}});
    it = deletes_waiting_.erase(it);
  }
}

void KafkaZkServer::Reply(NodeIndex to, KafkaBody body) { io_.Reply(to, std::move(body)); }

}  // namespace kafkasim::kafka
