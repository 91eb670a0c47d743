// The controller role of a KafkaRaftServer: the active controller answers broker and admin RPCs
// by proposing metadata records to the Raft leader it hosts, and replies once they commit.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "engine/assert.h"
#include "kafka/kafka_raft_server.h"
#include "kafka/trace_kinds.h"

namespace kafkasim::kafka {
namespace {}  // namespace

void KafkaRaftServer::OnRaftRoleChange(const raft::RoleChange& change) {
  if (!logic_) return;
  if (change.to == raft::Role::kLeader) {
    // Activate only once the new epoch's LeaderChange commits: by then every record of earlier
    // epochs is committed and replayed (QuorumController waits for the same).
    awaiting_activation_ = true;
    return;
  }
  if (change.from == raft::Role::kLeader) {
    awaiting_activation_ = false;
    if (controller_active_) {
      controller_active_ = false;
      Emit(trace_kind::kControllerInactive,
           fmt::format("is no longer the active controller (metadata quorum epoch {})",
                       change.epoch));
    }
    FailPendingReplies();
    RebuildControllerState();
  }
}

void KafkaRaftServer::RebuildControllerState() {
  // Uncommitted records this controller proposed may never commit: start again from what is
  // committed (Kafka reverts its timeline data structures the same way).
  logic_ = std::make_unique<ControllerLogic>(config_.controller_config);
  last_replayed_offset_ = -1;
  // From the snapshot it started from, then the committed log after it.
  for (const MetadataRecord& r : loaded_snapshot_) logic_->Replay(r, loaded_snapshot_end_ - 1);
  if (loaded_snapshot_end_ > 0) last_replayed_offset_ = loaded_snapshot_end_ - 1;
  const raft::Offset hw = raft_->high_watermark();
  for (const raft::LogEntry& e : raft_->log().entries()) {
    if (e.offset >= hw) break;
    if (e.kind != raft::EntryKind::kData || e.offset < loaded_snapshot_end_) continue;
    const auto* p = reinterpret_cast<const std::uint8_t*>(e.payload.data());
    Result<MetadataRecord> r =
        DecodeMetadataRecord(std::span<const std::uint8_t>(p, e.payload.size()));
    KSIM_ASSERT_MSG(r.ok(), r.status().ToString());
    logic_->Replay(*r, e.offset);
    last_replayed_offset_ = e.offset;
  }
}

void KafkaRaftServer::ProposeRecords(const ControllerChanges& changes,
                                     std::optional<PendingReply> reply) {
  std::int64_t last = -1;
  for (const MetadataRecord& record : changes.records) {
    const std::vector<std::uint8_t> bytes = EncodeMetadataRecord(record);
    Result<raft::Offset> offset =
        raft_->Propose(std::string(bytes.begin(), bytes.end()), env_.Now());
    KSIM_ASSERT_MSG(offset.ok(), offset.status().ToString());
    logic_->Replay(record, *offset);
    last_replayed_offset_ = *offset;
    last = *offset;
  }
  for (const std::string& note : changes.notes) Emit(trace_kind::kControllerDecision, note);
  for (const std::string& probe : changes.probes) env_.Probe(probe);
  if (reply) {
    if (last < 0) {
      Reply(reply->to, std::move(reply->body));
    } else {
      pending_replies_[last].push_back(std::move(*reply));
    }
  }
  DrainRaft();
}

void KafkaRaftServer::CompletePendingReplies(std::int64_t committed_offset) {
  while (!pending_replies_.empty() && pending_replies_.begin()->first <= committed_offset) {
    for (PendingReply& r : pending_replies_.begin()->second) Reply(r.to, std::move(r.body));
    pending_replies_.erase(pending_replies_.begin());
  }
}

void KafkaRaftServer::FailPendingReplies() {
  // Their records may still commit under the next leader, but this controller cannot tell:
  // clients retry, as with NOT_CONTROLLER in Kafka.
  pending_replies_.clear();
}

void KafkaRaftServer::HandleControllerRequest(const Message& message, const KafkaMessage& request) {
  const NodeIndex from = message.from;
  const Time now = env_.Now();
  const bool active = logic_ != nullptr && controller_active_;
  const std::int64_t next_offset =
      std::max<std::int64_t>(raft_->log().EndOffset(), last_replayed_offset_ + 1);
  if (const auto* reg = request.Get<BrokerRegistrationRequest>()) {
    if (!active) return Reply(from, BrokerRegistrationResponse{Errc::kNotController, -1});
    RegisterResult r = logic_->RegisterBroker(*reg, next_offset, now);
    if (!r.status.ok()) return Reply(from, BrokerRegistrationResponse{r.status.code(), -1});
    ProposeRecords(r.changes,
                   PendingReply{from, BrokerRegistrationResponse{Errc::kNone, r.broker_epoch}});
  } else if (const auto* hb = request.Get<BrokerHeartbeatRequest>()) {
    BrokerHeartbeatResponse response;
    if (!active) {
      response.error = Errc::kNotController;
      return Reply(from, response);
    }
    HeartbeatResult r = logic_->Heartbeat(*hb, next_offset, now);
    response.error = r.status.code();
    response.is_caught_up = r.is_caught_up;
    response.is_fenced = r.is_fenced;
    response.should_shut_down = r.should_shut_down;
    ProposeRecords(r.changes, PendingReply{from, response});
  } else if (const auto* alter = request.Get<AlterPartitionRequest>()) {
    AlterPartitionResponse response;
    const TopicImage* topic = logic_ ? logic_->image().TopicById(alter->topic_id) : nullptr;
    response.topic = topic ? topic->name : "";
    response.partition = alter->partition;
    if (!active) {
      response.error = Errc::kNotController;
      return Reply(from, response);
    }
    AlterPartitionResult r = logic_->AlterPartition(*alter);
    response.error = r.status.code();
    response.isr = r.partition.isr;
    response.leader_epoch = r.partition.leader_epoch;
    response.partition_epoch = r.partition.partition_epoch;
    ProposeRecords(r.changes, PendingReply{from, response});
  } else if (const auto* ids = request.Get<AllocateProducerIdsRequest>()) {
    if (!active) return Reply(from, AllocateProducerIdsResponse{Errc::kNotController, -1, 0});
    AllocateProducerIdsResult r = logic_->AllocateProducerIds(ids->broker_id, ids->broker_epoch);
    if (!r.status.ok()) return Reply(from, AllocateProducerIdsResponse{r.status.code(), -1, 0});
    // Answered once the ProducerIdsRecord commits: a block handed out is never handed out again
    // by a later controller.
    ProposeRecords(r.changes,
                   PendingReply{from, AllocateProducerIdsResponse{
                                          Errc::kNone, r.block.first_producer_id, r.block.size}});
  } else if (const auto* create = request.Get<CreateTopicsRequest>()) {
    if (!active) return Reply(from, AdminResponse{Errc::kNotController, "", {}, create->name});
    std::map<std::string, std::string> configs(create->configs.begin(), create->configs.end());
    Result<CreatedTopic> r =
        logic_->CreateTopic(create->name, create->partitions, create->replication_factor, configs,
                            env_.rng(), create->assignments);
    if (!r.ok()) {
      return Reply(from, AdminResponse{r.status().code(), r.status().message(), {}, create->name});
    }
    ProposeRecords(r->changes,
                   PendingReply{from, AdminResponse{Errc::kNone,
                                                    fmt::format("Created topic {}.", create->name),
                                                    {},
                                                    create->name}});
  } else if (const auto* del = request.Get<DeleteTopicsRequest>()) {
    if (!active) return Reply(from, AdminResponse{Errc::kNotController, "", {}, {}});
    Result<ControllerChanges> r = logic_->DeleteTopic(del->name);
    if (!r.ok()) return Reply(from, AdminResponse{r.status().code(), r.status().message(), {}, {}});
    ProposeRecords(*r, PendingReply{from, AdminResponse{Errc::kNone, "", {}, {}}});
  } else if (const auto* grow = request.Get<CreatePartitionsRequest>()) {
    if (!active) return Reply(from, AdminResponse{Errc::kNotController, "", {}, {}});
    Result<ControllerChanges> r = logic_->CreatePartitions(grow->name, grow->count, env_.rng());
    if (!r.ok()) return Reply(from, AdminResponse{r.status().code(), r.status().message(), {}, {}});
    ProposeRecords(*r, PendingReply{from, AdminResponse{Errc::kNone, "", {}, {}}});
  } else if (const auto* configs = request.Get<IncrementalAlterConfigsRequest>()) {
    // ConfigurationControlManager.incrementalAlterConfigs: ConfigRecords, answered once they
    // commit.
    if (!active) return Reply(from, AdminResponse{Errc::kNotController, "", {}, configs->topic});
    Result<ControllerChanges> r = logic_->AlterConfigs(2, configs->topic, configs->changes);
    if (!r.ok()) {
      return Reply(from,
                   AdminResponse{r.status().code(), r.status().message(), {}, configs->topic});
    }
    ProposeRecords(*r, PendingReply{from, AdminResponse{Errc::kNone, "", {}, configs->topic}});
  } else if (const auto* elect = request.Get<ElectLeadersRequest>()) {
    if (!active) return Reply(from, AdminResponse{Errc::kNotController, "", {}, {}});
    std::optional<std::vector<TopicPartition>> which;
    if (!elect->partitions.empty()) {
      which.emplace();
      for (const auto& [t, p] : elect->partitions) which->push_back(TopicPartition{t, p});
    }
    ElectLeadersResult r = logic_->ElectLeaders(
        elect->unclean ? ElectionType::kUnclean : ElectionType::kPreferred, which);
    AdminResponse response;
    response.lines = ElectLeadersLines(r, elect->unclean);
    ProposeRecords(r.changes, PendingReply{from, response});
  }
}

void KafkaRaftServer::ControllerTick() {
  if (!controller_active_) return;
  const Time now = env_.Now();
  ControllerChanges fenced = logic_->FenceExpiredBrokers(now);
  if (!fenced.empty()) {
    ProposeRecords(fenced, std::nullopt);
  }
  ControllerChanges unclean = logic_->ElectUncleanWhereAllowed();
  if (!unclean.empty()) {
    ProposeRecords(unclean, std::nullopt);
  }
  if (config_.controller_config.auto_leader_rebalance_enable && now >= next_rebalance_) {
    next_rebalance_ =
        now + Seconds(config_.controller_config.leader_imbalance_check_interval_seconds);
    ControllerChanges balance = logic_->BalancePartitionLeaders();
    if (!balance.empty()) {
      ProposeRecords(balance, std::nullopt);
    }
  }
}

}  // namespace kafkasim::kafka
