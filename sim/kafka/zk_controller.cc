// KafkaZkServer, the controller side (KafkaController in ZooKeeper mode): failover (load the
// znodes, fence the brokers that are gone, tell every broker), broker changes from the
// /brokers/ids watch, and the requests brokers and admins send to the controller. Decisions
// are ControllerLogic's; each is written to ZooKeeper (one multi, guarded by the controller
// epoch's zkVersion) before it is applied and sent.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <memory>
#include <set>
#include <utility>

#include "engine/assert.h"
#include "kafka/kafka_zk_server.h"
#include "kafka/trace_kinds.h"
#include "kafka/zk_data.h"

namespace kafkasim::kafka {

using zookeeper::ClientReply;
using zookeeper::CreateMode;
using zookeeper::Op;
using zookeeper::OpType;
using zookeeper::Request;
using zookeeper::ZkCode;

void KafkaZkServer::BecomeController(std::int32_t epoch, std::int32_t epoch_zk_version) {
  active_ = true;
  ++generation_;
  controller_epoch_ = epoch;
  epoch_zk_version_ = epoch_zk_version;
  controller_id_ = config_.node_id;
  known_epoch_ = std::max(known_epoch_, epoch);
  ControllerConfig cc = config_.controller_config;
  cc.eligible_leader_replicas_enable = false;  // no ELR in ZooKeeper mode
  logic_ = std::make_unique<ControllerLogic>(cc);
  logic_offset_ = -1;
  events_.clear();
  event_running_ = false;
  deletions_.clear();
  env_.Probe("controller.activated");
  env_.Probe("zk.controller.elected");
  Emit(trace_kind::kControllerActive,
       fmt::format("became the controller: created the ephemeral /controller and moved "
                   "/controller_epoch to {}",
                   epoch),
       {{"epoch", std::int64_t{epoch}}});
  Enqueue([this] { LoadContext(); });
  ScheduleRebalance();
}

// KafkaController's auto leader rebalance task (auto.leader.rebalance.enable): every
// leader.imbalance.check.interval.seconds, preferred leaders where they are in the ISR.
void KafkaZkServer::ScheduleRebalance() {
  if (!config_.controller_config.auto_leader_rebalance_enable) return;
  env_.SetTimer(Seconds(config_.controller_config.leader_imbalance_check_interval_seconds),
                kTimerRebalance);
}

void KafkaZkServer::OnRebalanceTimer() {
  if (!active_) return;
  ScheduleRebalance();
  Enqueue([this] { Commit(logic_->BalancePartitionLeaders(), {}, [this](bool) { EventDone(); }); });
}

void KafkaZkServer::Resign(const std::string& why) {
  if (!active_) return;
  active_ = false;
  ++generation_;
  logic_.reset();
  events_.clear();
  event_running_ = false;
  deletions_.clear();
  env_.Probe("controller.resigned");
  Emit(trace_kind::kControllerInactive, fmt::format("resigned as controller: {}", why));
}

void KafkaZkServer::Enqueue(std::function<void()> event) {
  events_.push_back(std::move(event));
  if (!event_running_) EventDone();
}

// The next queued event, if none is running (ControllerEventManager's single thread).
void KafkaZkServer::EventDone() {
  event_running_ = false;
  if (!active_ || events_.empty()) return;
  std::function<void()> next = std::move(events_.front());
  events_.pop_front();
  event_running_ = true;
  next();
}

void KafkaZkServer::ReadLiveBrokers(
    std::function<void(std::map<BrokerId, std::int64_t>, std::map<BrokerId, std::string>)> done) {
  const std::uint64_t gen = generation_;
  zk_->GetChildren(zkdata::kBrokerIdsPath, true, [this, gen, done](const ClientReply& r) {
    if (!Current(gen)) return;
    struct Read {
      std::size_t pending = 0;
      std::map<BrokerId, std::int64_t> live;
      std::map<BrokerId, std::string> racks;
    };
    auto read = std::make_shared<Read>();
    std::vector<BrokerId> ids;
    for (const std::string& child : r.children) {
      char* end = nullptr;
      const long id = std::strtol(child.c_str(), &end, 10);
      if (end != nullptr && *end == '\0') ids.push_back(static_cast<BrokerId>(id));
    }
    if (ids.empty()) return done(read->live, read->racks);
    read->pending = ids.size();
    for (BrokerId id : ids) {
      zk_->GetData(zkdata::BrokerIdPath(id), false,
                   [this, gen, done, read, id](const ClientReply& d) {
                     if (!Current(gen)) return;
                     if (d.code == ZkCode::kOk) {
                       read->live[id] = d.stat.czxid;
                       if (auto info = zkdata::DecodeBrokerRegistration(d.data); info.ok()) {
                         read->racks[id] = info->rack;
                       }
                     }
                     if (--read->pending == 0) done(read->live, read->racks);
                   });
    }
  });
}

// KafkaController.onControllerFailover: read the brokers and every topic's assignment and
// partition state, fence the brokers that are gone, then tell every live broker everything.
void KafkaZkServer::LoadContext() {
  const std::uint64_t gen = generation_;
  ReadLiveBrokers([this, gen](std::map<BrokerId, std::int64_t> live,
                              std::map<BrokerId, std::string> racks) {
    zk_->GetChildren(zkdata::kTopicsPath, false, [this, gen, live, racks](const ClientReply& r) {
      if (!Current(gen)) return;
      struct Topic {
        zkdata::TopicAssignment assignment;
        std::map<std::string, std::string> configs;
        std::map<std::int32_t, std::pair<zkdata::PartitionStateZNode, std::int32_t>> states;
      };
      struct Load {
        std::size_t pending = 1;
        std::map<std::string, Topic> topics;
      };
      auto load = std::make_shared<Load>();
      auto finish = [this, gen, live, racks, load] {
        if (!Current(gen) || --load->pending != 0) return;
        std::set<BrokerId> known;
        for (const auto& [id, epoch] : live) known.insert(id);
        for (const auto& [name, t] : load->topics) {
          for (const auto& [p, replicas] : t.assignment.partitions) {
            known.insert(replicas.begin(), replicas.end());
          }
        }
        // Every broker named anywhere starts registered; those not in /brokers/ids (epoch -1)
        // are fenced by ApplyLiveBrokers below, moving their leaderships.
        for (BrokerId id : known) {
          auto it = live.find(id);
          auto rack = racks.find(id);
          logic_->Replay(RegisterBrokerRecord{id,
                                              it == live.end() ? -1 : it->second,
                                              rack == racks.end() ? "" : rack->second,
                                              false,
                                              false,
                                              {},
                                              {},
                                              {},
                                              {}},
                         ++logic_offset_);
        }
        for (const auto& [name, t] : load->topics) {
          logic_->Replay(TopicRecord{name, t.assignment.topic_id}, ++logic_offset_);
          for (const auto& [k, v] : t.configs) {
            logic_->Replay(ConfigRecord{2, name, k, v}, ++logic_offset_);
          }
          for (const auto& [p, replicas] : t.assignment.partitions) {
            PartitionRecord pr;
            pr.topic_id = t.assignment.topic_id;
            pr.partition_id = p;
            pr.replicas = replicas;
            auto st = t.states.find(p);
            if (st != t.states.end()) {
              pr.leader = st->second.first.leader;
              pr.leader_epoch = st->second.first.leader_epoch;
              pr.isr = st->second.first.isr;
              pr.partition_epoch = st->second.second;
            } else {
              pr.isr = replicas;  // a state znode not written yet: a new partition
            }
            logic_->Replay(pr, ++logic_offset_);
          }
        }
        Emit(trace_kind::kControllerDecision,
             fmt::format("loaded the cluster from ZooKeeper: {} live brokers in /brokers/ids, "
                         "{} topics in /brokers/topics",
                         live.size(), load->topics.size()));
        // The deletions a previous controller left unfinished (TopicDeletionManager.init),
        // out of the decisions before any election is made for them.
        WatchTopicDeletions([this, live, racks](std::vector<std::string> topics) {
          for (const std::string& topic : topics) {
            if (logic_->image().Topic(topic) != nullptr) QueueTopicDeletion(topic);
          }
          std::set<BrokerId> everyone;
          for (const auto& [id, epoch] : live) everyone.insert(id);
          Commit(logic_->ApplyLiveBrokers(live, racks), everyone, [this](bool ok) {
            if (ok) ResumeDeletions();  // tryTopicDeletion
            EventDone();
          });
        });
      };
      if (r.code == ZkCode::kOk) {
        for (const std::string& name : r.children) {
          load->pending += 2;
          zk_->GetData(zkdata::TopicPath(name), false,
                       [this, gen, load, name, finish](const ClientReply& d) {
                         if (!Current(gen)) return;
                         if (d.code == ZkCode::kOk) {
                           if (auto a = zkdata::DecodeTopic(d.data); a.ok()) {
                             load->topics[name].assignment = *a;
                             for (const auto& entry : a->partitions) {
                               const auto p = entry.first;  // clang 14: no captured bindings
                               ++load->pending;
                               zk_->GetData(
                                   zkdata::PartitionStatePath(name, p), false,
                                   [this, gen, load, name, p, finish](const ClientReply& s) {
                                     if (!Current(gen)) return;
                                     if (s.code == ZkCode::kOk) {
                                       if (auto st = zkdata::DecodePartitionState(s.data);
                                           st.ok()) {
                                         load->topics[name].states[p] = {*st, s.stat.version};
                                       }
                                     }
                                     finish();
                                   });
                             }
                           }
                         }
                         finish();
                       });
          zk_->GetData(zkdata::TopicConfigPath(name), false,
                       [this, gen, load, name, finish](const ClientReply& d) {
                         if (!Current(gen)) return;
                         if (d.code == ZkCode::kOk) {
                           if (auto c = zkdata::DecodeTopicConfig(d.data); c.ok()) {
                             load->topics[name].configs = *c;
                           }
                         }
                         finish();
                       });
        }
      }
      finish();
    });
  });
}

// KafkaController.processBrokerChange: new brokers get everything, dead ones lose their
// leaderships and ISR memberships.
void KafkaZkServer::OnBrokerChange() {
  const std::uint64_t gen = generation_;
  ReadLiveBrokers(
      [this, gen](std::map<BrokerId, std::int64_t> live, std::map<BrokerId, std::string> racks) {
        if (!Current(gen)) return;
        std::set<BrokerId> started;
        for (const auto& [id, epoch] : live) {
          const BrokerRegistration* reg = logic_->image().Broker(id);
          if (reg == nullptr || reg->fenced || reg->epoch != epoch) started.insert(id);
        }
        Commit(logic_->ApplyLiveBrokers(live, racks), started, [this, started](bool ok) {
          if (ok) DeletionOnBrokerChange(started);
          EventDone();
        });
      });
}

void KafkaZkServer::Commit(const ControllerChanges& changes, std::set<BrokerId> started,
                           std::function<void(bool ok)> then) {
  if (changes.records.empty()) {
    SendRequestsFor({}, started);
    return then(true);
  }
  const std::uint64_t gen = generation_;
  // What the image will read once the records apply, to write the znodes from.
  MetadataImage after = logic_->image();
  std::int64_t offset = logic_offset_;
  std::set<TopicPartition> touched;
  std::set<std::string> new_topics;
  std::set<std::string> reconfigured;  // existing topics whose overrides change
  std::optional<std::pair<BrokerId, std::int64_t>> producer_ids;  // broker, block end
  std::int64_t producer_ids_start = logic_->image().next_producer_id();
  for (const MetadataRecord& record : changes.records) {
    after.Apply(record, ++offset);
    if (const auto* t = std::get_if<TopicRecord>(&record)) new_topics.insert(t->name);
    if (const auto* p = std::get_if<PartitionRecord>(&record)) {
      const TopicImage* t = after.TopicById(p->topic_id);
      KSIM_ASSERT(t != nullptr);
      touched.insert(TopicPartition{t->name, p->partition_id});
    }
    if (const auto* p = std::get_if<PartitionChangeRecord>(&record)) {
      const TopicImage* t = after.TopicById(p->topic_id);
      KSIM_ASSERT(t != nullptr);
      touched.insert(TopicPartition{t->name, p->partition_id});
    }
    if (const auto* p = std::get_if<ProducerIdsRecord>(&record)) {
      producer_ids = {p->broker_id, p->producer_ids_end};
    }
    if (const auto* c = std::get_if<ConfigRecord>(&record); c && c->resource_type == 2) {
      if (!new_topics.contains(c->resource_name)) reconfigured.insert(c->resource_name);
    }
  }
  Request multi{true, {}};
  // Every controller write checks the controller epoch's zkVersion: a controller that lost its
  // epoch to a newer one can write nothing (KafkaZkClient's MultiRequest with a CheckOp).
  multi.ops.push_back(Op{OpType::kCheck, zkdata::kControllerEpochPath, "", CreateMode::kPersistent,
                         epoch_zk_version_});
  for (const std::string& name : new_topics) {
    const TopicImage* t = after.Topic(name);
    std::map<std::int32_t, std::vector<BrokerId>> assignment;
    for (const auto& [p, reg] : t->partitions) assignment[p] = reg.replicas;
    multi.ops.push_back(Op{OpType::kCreate, zkdata::TopicPath(name),
                           zkdata::EncodeTopic(t->id, assignment), CreateMode::kPersistent, -1});
    if (!t->configs.empty()) {
      multi.ops.push_back(Op{OpType::kCreate, zkdata::TopicConfigPath(name),
                             zkdata::EncodeTopicConfig(t->configs), CreateMode::kPersistent, -1});
    }
    multi.ops.push_back(
        Op{OpType::kCreate, zkdata::TopicPartitionsPath(name), "", CreateMode::kPersistent, -1});
    for (const auto& [p, reg] : t->partitions) {
      multi.ops.push_back(Op{OpType::kCreate, zkdata::TopicPartitionPath(name, p), "",
                             CreateMode::kPersistent, -1});
    }
  }
  // Partitions added to an existing topic: its assignment grows (AdminZkClient.
  // writeTopicPartitionAssignment) and each new partition gets its znode.
  std::set<std::string> grown;
  for (const TopicPartition& tp : touched) {
    if (!new_topics.contains(tp.topic) &&
        logic_->image().Partition(tp.topic, tp.partition) == nullptr) {
      grown.insert(tp.topic);
    }
  }
  for (const std::string& name : grown) {
    const TopicImage* t = after.Topic(name);
    std::map<std::int32_t, std::vector<BrokerId>> assignment;
    for (const auto& [p, reg] : t->partitions) assignment[p] = reg.replicas;
    multi.ops.push_back(Op{OpType::kSetData, zkdata::TopicPath(name),
                           zkdata::EncodeTopic(t->id, assignment), CreateMode::kPersistent, -1});
    for (const auto& [p, reg] : t->partitions) {
      if (logic_->image().Partition(name, p) != nullptr) continue;
      multi.ops.push_back(Op{OpType::kCreate, zkdata::TopicPartitionPath(name, p), "",
                             CreateMode::kPersistent, -1});
    }
  }
  for (const TopicPartition& tp : touched) {
    const PartitionRegistration* now = after.Partition(tp.topic, tp.partition);
    const std::string data =
        zkdata::EncodePartitionState({now->leader, now->leader_epoch, controller_epoch_, now->isr});
    const PartitionRegistration* before = logic_->image().Partition(tp.topic, tp.partition);
    if (before == nullptr) {
      multi.ops.push_back(Op{OpType::kCreate, zkdata::PartitionStatePath(tp.topic, tp.partition),
                             data, CreateMode::kPersistent, -1});
    } else {
      // Conditional on the state's zkVersion, which the partition epoch mirrors.
      multi.ops.push_back(Op{OpType::kSetData, zkdata::PartitionStatePath(tp.topic, tp.partition),
                             data, CreateMode::kPersistent, before->partition_epoch});
    }
  }
  for (const std::string& name : reconfigured) {
    // setOrCreateEntityConfigs. Kafka keeps the znode when the last override goes; here it
    // exists exactly while the topic has overrides (as topic creation writes it), so it goes.
    const TopicImage* before = logic_->image().Topic(name);
    const TopicImage* t = after.Topic(name);
    KSIM_ASSERT(before != nullptr && t != nullptr);
    const std::string path = zkdata::TopicConfigPath(name);
    if (t->configs.empty()) {
      if (!before->configs.empty()) {
        multi.ops.push_back(Op{OpType::kDelete, path, "", CreateMode::kPersistent, -1});
      }
    } else {
      multi.ops.push_back(Op{before->configs.empty() ? OpType::kCreate : OpType::kSetData, path,
                             zkdata::EncodeTopicConfig(t->configs), CreateMode::kPersistent, -1});
    }
  }
  if (producer_ids) {
    multi.ops.push_back(Op{OpType::kSetData, zkdata::kProducerIdBlockPath,
                           zkdata::EncodeProducerIdBlock(producer_ids->first, producer_ids_start,
                                                         producer_ids->second - 1),
                           CreateMode::kPersistent, -1});
  }
  if (multi.ops.size() == 1) {
    // Only registrations changed (no znode of ours to write): apply at once.
    for (const MetadataRecord& record : changes.records) logic_->Replay(record, ++logic_offset_);
    for (const std::string& note : changes.notes) Emit(trace_kind::kControllerDecision, note);
    for (const std::string& probe : changes.probes) env_.Probe(probe);
    SendRequestsFor({}, started);
    return then(true);
  }
  zk_->Write(std::move(multi),
             [this, gen, changes, touched, started, reconfigured, then](const ClientReply& r) {
               if (!Current(gen)) return;
               if (r.code != ZkCode::kOk) {
                 if (!r.results.empty() && r.results.front().code == ZkCode::kBadVersion) {
                   env_.Probe("zk.controller.fenced");
                   Emit(trace_kind::kZkStaleController,
                        "a write failed its /controller_epoch check: a newer controller exists");
                   Resign("fenced by a newer controller epoch");
                   return;
                 }
                 Emit(trace_kind::kControllerDecision,
                      fmt::format("a ZooKeeper write failed ({}); reloading the cluster state",
                                  zookeeper::ZkCodeName(r.code)));
                 ControllerConfig cc = config_.controller_config;
                 cc.eligible_leader_replicas_enable = false;
                 logic_ = std::make_unique<ControllerLogic>(cc);
                 logic_offset_ = -1;
                 deletions_.clear();
                 events_.push_front([this] { LoadContext(); });
                 return then(false);
               }
               for (const MetadataRecord& record : changes.records)
                 logic_->Replay(record, ++logic_offset_);
               for (const std::string& note : changes.notes)
                 Emit(trace_kind::kControllerDecision, note);
               for (const std::string& probe : changes.probes) env_.Probe(probe);
               SendRequestsFor(touched, started);
               if (touched.empty() && started.empty() && !reconfigured.empty())
                 SendUpdateMetadata(Live());
               then(true);
             });
}

ZkPartitionState KafkaZkServer::StateOf(const std::string& topic, const Uuid& topic_id,
                                        std::int32_t partition,
                                        const PartitionRegistration& p) const {
  return ZkPartitionState{topic,          topic_id, partition,         controller_epoch_, p.leader,
                          p.leader_epoch, p.isr,    p.partition_epoch, p.replicas};
}

std::vector<ZkLiveBroker> KafkaZkServer::Live() const {
  std::vector<ZkLiveBroker> live;
  for (const auto& [id, reg] : logic_->image().brokers()) {
    if (!reg.fenced) live.push_back(ZkLiveBroker{id, reg.epoch, reg.rack});
  }
  return live;
}

// ControllerChannelManager: LeaderAndIsr to the replicas of changed partitions (and all of a
// starting broker's), then UpdateMetadata to every live broker.
void KafkaZkServer::SendRequestsFor(const std::set<TopicPartition>& changed,
                                    const std::set<BrokerId>& started) {
  if (changed.empty() && started.empty()) return;
  const MetadataImage& image = logic_->image();
  const std::vector<ZkLiveBroker> live = Live();
  for (const ZkLiveBroker& b : live) {
    LeaderAndIsrRequest lai;
    lai.controller_id = config_.node_id;
    lai.controller_epoch = controller_epoch_;
    lai.broker_epoch = b.epoch;
    for (const auto& [name, topic] : image.topics()) {
      for (const auto& [p, reg] : topic.partitions) {
        const bool hosts =
            std::find(reg.replicas.begin(), reg.replicas.end(), b.id) != reg.replicas.end();
        if (!hosts) continue;
        if (started.contains(b.id) || changed.contains(TopicPartition{name, p})) {
          lai.partitions.push_back(StateOf(name, topic.id, p, reg));
          lai.topic_configs[name] = topic.configs;
        }
      }
    }
    if (!lai.partitions.empty()) io_.SendTo(b.id, std::move(lai));
  }
  SendUpdateMetadata(live);
}

// UpdateMetadata to every live broker: every partition, those of topics being deleted with
// LeaderDuringDelete as their leader (ControllerBrokerRequestBatch.
// addUpdateMetadataRequestForBrokers).
void KafkaZkServer::SendUpdateMetadata(const std::vector<ZkLiveBroker>& live) {
  const MetadataImage& image = logic_->image();
  UpdateMetadataRequest update;
  update.controller_id = config_.node_id;
  update.controller_epoch = controller_epoch_;
  update.live_brokers = live;
  for (const auto& [name, topic] : image.topics()) {
    if (!topic.configs.empty()) update.topic_configs[name] = topic.configs;
    for (const auto& [p, reg] : topic.partitions) {
      update.partitions.push_back(StateOf(name, topic.id, p, reg));
    }
  }
  for (const auto& [name, deletion] : deletions_) {
    if (!deletion.started) continue;
    for (const auto& [p, reg] : deletion.partitions) {
      ZkPartitionState state = StateOf(name, deletion.topic_id, p, reg);
      state.leader = kLeaderDuringDelete;
      update.partitions.push_back(std::move(state));
    }
  }
  for (const ZkLiveBroker& b : live) {
    UpdateMetadataRequest copy = update;
    copy.broker_epoch = b.epoch;
    io_.SendTo(b.id, std::move(copy));
  }
}

void KafkaZkServer::HandleControllerRequest(const Message& message, const KafkaMessage& request) {
  const NodeIndex from = message.from;
  if (const auto* alter = request.Get<AlterPartitionRequest>()) {
    if (!active_) {
      AlterPartitionResponse response;
      response.error = Errc::kNotController;
      response.partition = alter->partition;
      return Reply(from, response);
    }
    Enqueue([this, from, req = *alter] {
      const std::uint64_t gen = generation_;
      AlterPartitionResponse response;
      const TopicImage* topic = logic_->image().TopicById(req.topic_id);
      response.topic = topic ? topic->name : "";
      response.partition = req.partition;
      AlterPartitionResult r = logic_->AlterPartition(req);
      response.error = r.status.code();
      response.isr = r.partition.isr;
      response.leader_epoch = r.partition.leader_epoch;
      response.partition_epoch = r.partition.partition_epoch;
      if (!r.status.ok()) {
        Reply(from, response);
        return EventDone();
      }
      Commit(r.changes, {}, [this, gen, from, response](bool ok) {
        if (!Current(gen)) return;
        AlterPartitionResponse out = response;
        if (!ok) out.error = Errc::kNotController;
        Reply(from, out);
        EventDone();
      });
    });
    return;
  }
  if (const auto* ids = request.Get<AllocateProducerIdsRequest>()) {
    if (!active_) return Reply(from, AllocateProducerIdsResponse{Errc::kNotController, -1, 0});
    Enqueue([this, from, req = *ids] {
      const std::uint64_t gen = generation_;
      AllocateProducerIdsResult r = logic_->AllocateProducerIds(req.broker_id, req.broker_epoch);
      if (!r.status.ok()) {
        Reply(from, AllocateProducerIdsResponse{r.status.code(), -1, 0});
        return EventDone();
      }
      Commit(r.changes, {}, [this, gen, from, block = r.block](bool ok) {
        if (!Current(gen)) return;
        Reply(from,
              ok ? AllocateProducerIdsResponse{Errc::kNone, block.first_producer_id, block.size}
                 : AllocateProducerIdsResponse{Errc::kNotController, -1, 0});
        EventDone();
      });
    });
    return;
  }
  if (const auto* del = request.Get<DeleteTopicsRequest>()) return HandleDeleteTopics(from, *del);
  if (const auto* create = request.Get<CreateTopicsRequest>()) {
    if (!active_) return Reply(from, AdminResponse{Errc::kNotController, "", {}, create->name});
    Enqueue([this, from, req = *create] {
      const std::uint64_t gen = generation_;
      if (deletions_.contains(req.name)) {  // AdminZkClient.validateTopicCreate
        Reply(from, AdminResponse{Errc::kTopicAlreadyExists,
                                  fmt::format("Topic '{}' is marked for deletion.", req.name),
                                  {},
                                  req.name});
        return EventDone();
      }
      std::map<std::string, std::string> configs(req.configs.begin(), req.configs.end());
      Result<CreatedTopic> r = logic_->CreateTopic(req.name, req.partitions, req.replication_factor,
                                                   configs, env_.rng(), req.assignments);
      if (!r.ok()) {
        Reply(from, AdminResponse{r.status().code(), r.status().message(), {}, req.name});
        return EventDone();
      }
      Commit(r->changes, {}, [this, gen, from, name = req.name](bool ok) {
        if (!Current(gen)) return;
        Reply(from,
              ok ? AdminResponse{Errc::kNone, fmt::format("Created topic {}.", name), {}, name}
                 : AdminResponse{Errc::kNotController, "", {}, name});
        EventDone();
      });
    });
    return;
  }
  if (const auto* elect = request.Get<ElectLeadersRequest>()) {
    if (!active_) return Reply(from, AdminResponse{Errc::kNotController, "", {}, {}});
    Enqueue([this, from, req = *elect] {
      const std::uint64_t gen = generation_;
      std::optional<std::vector<TopicPartition>> which;
      if (!req.partitions.empty()) {
        which.emplace();
        for (const auto& [t, p] : req.partitions) which->push_back(TopicPartition{t, p});
      }
      ElectLeadersResult r = logic_->ElectLeaders(
          req.unclean ? ElectionType::kUnclean : ElectionType::kPreferred, which);
      // The lines kafka-leader-election.sh prints (as the KRaft controller answers them).
      AdminResponse response;
      response.lines = ElectLeadersLines(r, req.unclean);
      Commit(r.changes, {}, [this, gen, from, response](bool ok) {
        if (!Current(gen)) return;
        Reply(from, ok ? response : AdminResponse{Errc::kNotController, "", {}, {}});
        EventDone();
      });
    });
    return;
  }
  if (const auto* shutdown = request.Get<ControlledShutdownRequest>()) {
    if (!active_) return Reply(from, ControlledShutdownResponse{Errc::kNotController, {}});
    // KafkaController.doControlledShutdown (Kafka 3.9, core/src/main/scala/kafka/controller/
    // KafkaController.scala), one controller event: the leaderships move and the ISRs shrink
    // through ZooKeeper like any decision; the answer lists what the broker still leads.
    Enqueue([this, from, req = *shutdown] {
      const std::uint64_t gen = generation_;
      Result<ControllerChanges> r = logic_->ControlledShutdownZk(req.broker_id, req.broker_epoch);
      if (!r.ok()) {
        Emit(trace_kind::kControllerDecision,
             fmt::format("refused the controlled shutdown of broker {}: {}", req.broker_id,
                         r.status().ToString()));
        Reply(from, ControlledShutdownResponse{r.status().code(), {}});
        return EventDone();
      }
      // partitionsFollowedByBroker: StopReplica without deletion stops its fetching.
      std::vector<TopicPartition> followed;
      for (const auto& [name, topic] : logic_->image().topics()) {
        for (const auto& [p, reg] : topic.partitions) {
          const bool hosts = std::find(reg.replicas.begin(), reg.replicas.end(), req.broker_id) !=
                             reg.replicas.end();
          if (hosts && reg.replicas.size() > 1 && reg.HasLeader() && reg.leader != req.broker_id) {
            followed.push_back(TopicPartition{name, p});
          }
        }
      }
      Commit(*r, {}, [this, gen, from, followed, broker = req.broker_id](bool ok) {
        if (!Current(gen)) return;
        ControlledShutdownResponse out;
        if (ok) {
          for (const TopicPartition& tp : followed) {
            io_.SendTo(broker, StopReplicaRequest{config_.node_id, controller_epoch_, tp.topic,
                                                  tp.partition, false});
          }
          out.remaining_partitions = logic_->PartitionsLedBy(broker);
        } else {
          out.error = Errc::kNotController;
        }
        Reply(from, out);
        EventDone();
      });
    });
    return;
  }
  if (const auto* alter = request.Get<IncrementalAlterConfigsRequest>()) {
    if (!active_) return Reply(from, AdminResponse{Errc::kNotController, "", {}, alter->topic});
    // ZkAdminManager.incrementalAlterConfigs then AdminZkClient.changeTopicConfig (Kafka 3.9):
    // /config/topics/<topic> is rewritten and the brokers' config watchers apply it; here the
    // controller writes it in one event and UpdateMetadata carries the new overrides.
    Enqueue([this, from, req = *alter] {
      const std::uint64_t gen = generation_;
      Result<ControllerChanges> r = logic_->AlterConfigs(2, req.topic, req.changes);
      if (!r.ok()) {
        Reply(from, AdminResponse{r.status().code(), r.status().message(), {}, req.topic});
        return EventDone();
      }
      Commit(*r, {}, [this, gen, from, topic = req.topic](bool ok) {
        if (!Current(gen)) return;
        Reply(from, ok ? AdminResponse{Errc::kNone, "", {}, topic}
                       : AdminResponse{Errc::kNotController, "", {}, topic});
        EventDone();
      });
    });
    return;
  }
  if (const auto* grow = request.Get<CreatePartitionsRequest>()) {
    if (!active_) return Reply(from, AdminResponse{Errc::kNotController, "", {}, {}});
    // ZkAdminManager.createPartitions writes the grown assignment to /brokers/topics/<t>; the
    // controller's partition-modifications watch then brings the new partitions online
    // (onNewPartitionCreation). Here both happen in one controller event and one multi.
    Enqueue([this, from, req = *grow] {
      const std::uint64_t gen = generation_;
      // The checks and messages of ZkAdminManager.createPartitions, which differ from KRaft's.
      const TopicImage* topic = logic_->image().Topic(req.name);
      const auto current = topic ? static_cast<std::int32_t>(topic->partitions.size()) : 0;
      Result<ControllerChanges> r =
          topic == nullptr ? Result<ControllerChanges>(
                                 Status(Errc::kUnknownTopicOrPartition,
                                        fmt::format("The topic '{}' does not exist.", req.name)))
          : req.count < current
              ? Result<ControllerChanges>(
                    Status(Errc::kInvalidPartitions,
                           fmt::format("Topic currently has {} partitions, which is higher than "
                                       "the requested {}.",
                                       current, req.count)))
          : req.count == current ? Result<ControllerChanges>(Status(
                                       Errc::kInvalidPartitions,
                                       fmt::format("Topic already has {} partitions.", current)))
                                 : logic_->CreatePartitions(req.name, req.count, env_.rng());
      if (!r.ok()) {
        Reply(from, AdminResponse{r.status().code(), r.status().message(), {}, {}});
        return EventDone();
      }
      Commit(*r, {}, [this, gen, from](bool ok) {
        if (!Current(gen)) return;
        Reply(from, ok ? AdminResponse{Errc::kNone, "", {}, {}}
                       : AdminResponse{Errc::kNotController, "", {}, {}});
        EventDone();
      });
    });
    return;
  }
  KSIM_UNREACHABLE();
}

}  // namespace kafkasim::kafka
