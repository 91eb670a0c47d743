// KafkaZkServer, topic deletion in ZooKeeper mode (Kafka 3.9: ZkAdminManager.deleteTopics,
// AdminZkClient.deleteTopic and the controller's TopicDeletionManager, core/src/main/scala/
// kafka/controller/TopicDeletionManager.scala):
//   1. DeleteTopics reaches the controller broker, which creates /admin/delete_topics/<t> and
//      answers once its own metadata cache no longer holds <t> (DelayedDeleteTopics).
//   2. The controller's child watch on /admin/delete_topics queues <t>. From then on it makes
//      no leader decision for <t>, and every UpdateMetadata names LeaderDuringDelete (-2) as
//      the leader of <t>'s partitions, so brokers drop them from their caches.
//   3. Each replica on a live broker gets StopReplica (stop fetching), then StopReplica with
//      deletion; the broker deletes the log and answers. A replica whose broker is down makes
//      the topic ineligible for deletion until that broker comes back.
//   4. When every replica answered, the controller deletes /brokers/topics/<t> (with its
//      partition states), /config/topics/<t> and /admin/delete_topics/<t>.
// The replica state machine's ISR shrink of the OfflineReplica step is not modelled: the
// partition state znodes keep their last leader and ISR until they are deleted.
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

bool KafkaZkServer::BrokerAlive(BrokerId id) const {
  const BrokerRegistration* reg = logic_->image().Broker(id);
  return reg != nullptr && !reg->fenced;
}

// KafkaApis.handleDeleteTopicsRequest on the controller broker, then ZkAdminManager.
// deleteTopics: the deletion znode, and an answer that waits for the metadata cache.
void KafkaZkServer::HandleDeleteTopics(NodeIndex from, const DeleteTopicsRequest& request) {
  if (!active_) return Reply(from, AdminResponse{Errc::kNotController, "", {}, {}});
  const std::string topic = request.name;
  // AdminZkClient.deleteTopic: the topic must exist in /brokers/topics (which the controller's
  // context mirrors, with the topics being deleted).
  if (logic_->image().Topic(topic) == nullptr && !deletions_.contains(topic)) {
    return Reply(from, AdminResponse{Errc::kUnknownTopicOrPartition,
                                     fmt::format("Topic `{}` to delete does not exist", topic),
                                     {},
                                     {}});
  }
  if (image_.Topic(topic) == nullptr) {  // already gone from this broker's cache
    return Reply(from, AdminResponse{Errc::kNone, "", {}, {}});
  }
  const std::uint64_t gen = generation_;
  Request create{
      false,
      {Op{OpType::kCreate, zkdata::DeleteTopicPath(topic), "", CreateMode::kPersistent, -1}}};
  zk_->Write(std::move(create), [this, gen, from, topic](const ClientReply& r) {
    if (!Current(gen)) return Reply(from, AdminResponse{Errc::kNotController, "", {}, {}});
    // NODEEXISTS: "topic is already marked for deletion", which ZkAdminManager swallows so
    // that several callers can wait for the same deletion.
    if (r.code != ZkCode::kOk && r.code != ZkCode::kNodeExists) {
      return Reply(
          from, AdminResponse{Errc::kUnknownServerError,
                              fmt::format("could not create {}: {}", zkdata::DeleteTopicPath(topic),
                                          zookeeper::ZkCodeName(r.code)),
                              {},
                              {}});
    }
    if (image_.Topic(topic) == nullptr) return Reply(from, AdminResponse{Errc::kNone, "", {}, {}});
    deletes_waiting_[topic].push_back(from);
  });
}

// Reads /admin/delete_topics and leaves a child watch on it.
void KafkaZkServer::WatchTopicDeletions(std::function<void(std::vector<std::string>)> then) {
  const std::uint64_t gen = generation_;
  zk_->GetChildren(zkdata::kDeleteTopicsPath, true, [this, gen, then](const ClientReply& r) {
    if (!Current(gen)) return;
    std::vector<std::string> topics;
    if (r.code == ZkCode::kOk) topics = r.children;
    std::sort(topics.begin(), topics.end());
    then(std::move(topics));
  });
}

// KafkaController.processTopicDeletion: the watch fired; queue what is new. A deletion znode
// for a topic that does not exist is removed ("Ignoring request to delete non-existing
// topics").
void KafkaZkServer::OnTopicDeletionsChanged() {
  WatchTopicDeletions([this](std::vector<std::string> topics) {
    std::vector<std::string> unknown;
    for (const std::string& topic : topics) {
      if (deletions_.contains(topic)) continue;
      if (logic_->image().Topic(topic) == nullptr) {
        unknown.push_back(topic);
      } else {
        QueueTopicDeletion(topic);
      }
    }
    if (!unknown.empty()) {
      Request remove{true,
                     {Op{OpType::kCheck, zkdata::kControllerEpochPath, "", CreateMode::kPersistent,
                         epoch_zk_version_}}};
      for (const std::string& topic : unknown) {
        remove.ops.push_back(
            Op{OpType::kDelete, zkdata::DeleteTopicPath(topic), "", CreateMode::kPersistent, -1});
      }
      Emit(trace_kind::kControllerDecision,
           fmt::format("ignoring the deletion of topics that do not exist: {}",
                       fmt::join(unknown, ",")));
      zk_->Write(std::move(remove), [](const ClientReply&) {});
    }
    ResumeDeletions();
    EventDone();
  });
}

// ControllerContext.queueTopicDeletion: the topic leaves the controller's decisions (no
// election, no reassignment) and is remembered with its replicas until it is gone.
void KafkaZkServer::QueueTopicDeletion(const std::string& topic) {
  const TopicImage* t = logic_->image().Topic(topic);
  KSIM_ASSERT(t != nullptr);
  TopicDeletion deletion;
  deletion.topic_id = t->id;
  deletion.partitions.insert(t->partitions.begin(), t->partitions.end());
  env_.Probe("zk.topic_deletion.queued");
  Emit(trace_kind::kControllerDecision,
       fmt::format("topic {} is queued for deletion (/admin/delete_topics/{}): {} partition(s)",
                   topic, topic, deletion.partitions.size()));
  logic_->Replay(RemoveTopicRecord{t->id}, ++logic_offset_);
  deletions_.emplace(topic, std::move(deletion));
}

// TopicDeletionManager.resumeDeletions.
void KafkaZkServer::ResumeDeletions() {
  for (auto& [topic, deletion] : deletions_) {
    if (deletion.completing) continue;
    std::size_t successful = 0;
    std::size_t replicas = 0;
    bool any_started = false;
    for (const auto& [p, reg] : deletion.partitions) replicas += reg.replicas.size();
    for (const auto& [replica, state] : deletion.replicas) {
      if (state == ReplicaDeletion::kSuccessful) ++successful;
      if (state == ReplicaDeletion::kStarted) any_started = true;
    }
    if (successful == replicas) {
      CompleteDeleteTopic(topic);
      continue;
    }
    if (!any_started && !deletion.ineligible) StartTopicDeletion(topic, deletion);
  }
}

// onTopicDeletion + onPartitionDeletion: the brokers stop serving the topic (UpdateMetadata
// with LeaderDuringDelete), and every replica on a live broker is stopped and deleted; a
// replica on a dead broker halts the deletion until its broker is back.
void KafkaZkServer::StartTopicDeletion(const std::string& topic, TopicDeletion& deletion) {
  if (!deletion.started) {
    deletion.started = true;
    std::vector<ZkLiveBroker> live;
    for (const auto& [id, reg] : logic_->image().brokers()) {
      if (!reg.fenced) live.push_back(ZkLiveBroker{id, reg.epoch, reg.rack});
    }
    SendUpdateMetadata(live);
  }
  std::vector<BrokerId> dead;
  std::size_t sent = 0;
  for (const auto& [p, reg] : deletion.partitions) {
    for (BrokerId broker : reg.replicas) {
      auto key = std::make_pair(p, broker);
      auto state = deletion.replicas.find(key);
      if (state != deletion.replicas.end() && state->second == ReplicaDeletion::kSuccessful) {
        continue;
      }
      if (!BrokerAlive(broker)) {
        deletion.replicas[key] = ReplicaDeletion::kIneligible;
        dead.push_back(broker);
        continue;
      }
      io_.SendTo(broker, StopReplicaRequest{config_.node_id, controller_epoch_, topic, p, false});
      io_.SendTo(broker, StopReplicaRequest{config_.node_id, controller_epoch_, topic, p, true});
      deletion.replicas[key] = ReplicaDeletion::kStarted;
      ++sent;
    }
  }
  std::sort(dead.begin(), dead.end());
  dead.erase(std::unique(dead.begin(), dead.end()), dead.end());
  Emit(trace_kind::kControllerDecision,
       fmt::format("Deletion of topic {} (re)started: StopReplica with deletion to {} "
                   "replica(s)",
                   topic, sent));
  if (!dead.empty()) {
    deletion.ineligible = true;
    env_.Probe("zk.topic_deletion.halted");
    Emit(trace_kind::kControllerDecision,
         fmt::format("Halted deletion of topics {} due to offline replicas (brokers {} are down)",
                     topic, fmt::join(dead, ",")));
  }
}

// TopicDeletionStopReplicaResponseReceived: one replica deleted (or not).
void KafkaZkServer::OnStopReplicaResponse(BrokerId broker, const StopReplicaResponse& response) {
  auto it = deletions_.find(response.topic);
  if (it != deletions_.end()) {
    auto state = it->second.replicas.find({response.partition, broker});
    if (state != it->second.replicas.end() && state->second == ReplicaDeletion::kStarted) {
      if (response.error == Errc::kNone) {
        state->second = ReplicaDeletion::kSuccessful;
      } else {
        state->second = ReplicaDeletion::kIneligible;
        it->second.ineligible = true;
        Emit(trace_kind::kControllerDecision,
             fmt::format("Halted deletion of topics {} due to replica deletion failure ({} on "
                         "broker {})",
                         response.topic, ErrcName(response.error), broker));
      }
    }
    ResumeDeletions();
  }
  EventDone();
}

// onBrokerFailure (failReplicaDeletion) and onBrokerStartup (resumeDeletionForTopics).
void KafkaZkServer::DeletionOnBrokerChange(const std::set<BrokerId>& started) {
  for (auto& [topic, deletion] : deletions_) {
    std::set<BrokerId> lost;
    for (auto& [replica, state] : deletion.replicas) {
      if (state == ReplicaDeletion::kStarted && !BrokerAlive(replica.second)) {
        state = ReplicaDeletion::kIneligible;
        deletion.ineligible = true;
        lost.insert(replica.second);
      }
    }
    if (!lost.empty()) {
      env_.Probe("zk.topic_deletion.halted");
      Emit(trace_kind::kControllerDecision,
           fmt::format("Halted deletion of topics {} due to replica deletion failure (brokers {} "
                       "went down before answering StopReplica)",
                       topic, fmt::join(lost, ",")));
    }
    bool back = false;
    for (const auto& [p, reg] : deletion.partitions) {
      for (BrokerId b : reg.replicas) back = back || started.contains(b);
    }
    if (back && deletion.ineligible) {
      // retryDeletionForIneligibleReplicas: the failed replicas start over.
      deletion.ineligible = false;
      std::erase_if(deletion.replicas,
                    [](const auto& r) { return r.second == ReplicaDeletion::kIneligible; });
    }
  }
  ResumeDeletions();
}

// completeDeleteTopic: every replica is gone; so are the topic's znodes.
void KafkaZkServer::CompleteDeleteTopic(const std::string& topic) {
  TopicDeletion& deletion = deletions_.at(topic);
  deletion.completing = true;
  const std::uint64_t gen = generation_;
  auto check = [this] {
    return Op{OpType::kCheck, zkdata::kControllerEpochPath, "", CreateMode::kPersistent,
              epoch_zk_version_};
  };
  auto remove = [](std::string path) {
    return Op{OpType::kDelete, std::move(path), "", CreateMode::kPersistent, -1};
  };
  // KafkaZkClient.deleteTopicZNode (deleteRecursive, children first).
  Request znodes{true, {check()}};
  for (const auto& [p, reg] : deletion.partitions) {
    znodes.ops.push_back(remove(zkdata::PartitionStatePath(topic, p)));
    znodes.ops.push_back(remove(zkdata::TopicPartitionPath(topic, p)));
  }
  znodes.ops.push_back(remove(zkdata::TopicPartitionsPath(topic)));
  znodes.ops.push_back(remove(zkdata::TopicPath(topic)));
  zk_->Write(std::move(znodes), [this, gen, topic, check, remove](const ClientReply& r) {
    if (!Current(gen)) return;
    if (r.code != ZkCode::kOk) {
      Emit(trace_kind::kControllerDecision,
           fmt::format("could not delete the znodes of topic {} ({}); will retry", topic,
                       zookeeper::ZkCodeName(r.code)));
      deletions_.at(topic).completing = false;
      return;
    }
    // deleteTopicConfigs (absent when the topic had no overrides) and deleteTopicDeletions.
    zk_->Write(Request{true, {check(), remove(zkdata::TopicConfigPath(topic))}},
               [](const ClientReply&) {});
    zk_->Write(Request{true, {check(), remove(zkdata::DeleteTopicPath(topic))}},
               [this, gen, topic](const ClientReply&) {
                 if (!Current(gen)) return;
                 deletions_.erase(topic);
                 env_.Probe("zk.topic_deletion.completed");
                 Emit(trace_kind::kControllerDecision,
                      fmt::format("Deletion of topic {} successfully completed", topic));
               });
  });
}

}  // namespace kafkasim::kafka
