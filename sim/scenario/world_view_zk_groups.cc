// The parts of the WorldView the GUI's ZooKeeper and groups panels draw: each running ZooKeeper
// server's znodes, the brokers' ZooKeeper sessions, and every consumer group a running
// coordinator holds. Reads only: nothing here changes the world or its trace.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "kafka/consumer_protocol.h"
#include "kafka/group_coordinator_host.h"
#include "kafka/kafka_zk_server.h"
#include "scenario/world.h"
#include "zookeeper/zk_server_node.h"

namespace kafkasim::scenario {
namespace {

std::vector<std::string> Names(const std::vector<kafka::TopicPartition>& partitions) {
  std::vector<std::string> names;
  for (const kafka::TopicPartition& tp : partitions) names.push_back(tp.ToString());
  return names;
}

bool ClassicRebalancing(kafka::GroupState state) {
  return state == kafka::GroupState::kPreparingRebalance ||
         state == kafka::GroupState::kCompletingRebalance;
}

void AddOffsets(const std::map<kafka::TopicPartition, kafka::CommittedOffset>& offsets,
                view::GroupView& g) {
  for (const auto& [tp, committed] : offsets) {
    g.offsets.push_back(view::GroupOffsetView{tp.topic, tp.partition, committed.offset});
  }
}

view::GroupView ClassicView(const kafka::ClassicGroup& group) {
  view::GroupView g;
  g.group_id = group.group_id;
  g.protocol = "classic";
  g.state = std::string(kafka::GroupStateName(group.state));
  g.rebalancing = ClassicRebalancing(group.state);
  g.generation = group.generation_id;
  g.assignor = group.protocol_name.value_or("");
  for (const std::string& id : group.MemberOrder()) {
    const kafka::ClassicGroupMember& m = group.members.at(id);
    view::GroupMemberView mv;
    mv.member_id = id;
    mv.client_id = m.client_id;
    mv.group_instance_id = m.group_instance_id.value_or("");
    mv.client_host = m.client_host;
    mv.leader = group.leader_id == id;
    // A member's assignment is what the last SyncGroup gave it (empty while it has none).
    Result<std::vector<kafka::TopicPartition>> assigned = kafka::DecodeAssignment(m.assignment);
    if (assigned.ok()) {
      std::sort(assigned->begin(), assigned->end());
      mv.assigned = Names(*assigned);
    }
    g.members.push_back(std::move(mv));
  }
  AddOffsets(group.offsets, g);
  return g;
}

view::GroupView ConsumerView(const kafka::ConsumerGroup& group) {
  view::GroupView g;
  g.group_id = group.group_id;
  g.protocol = "consumer";
  const kafka::ConsumerGroupState state = group.State();
  g.state = std::string(kafka::ConsumerGroupStateName(state));
  g.rebalancing = state == kafka::ConsumerGroupState::kAssigning ||
                  state == kafka::ConsumerGroupState::kReconciling;
  g.generation = group.group_epoch;
  g.target_assignment_epoch = group.target_assignment_epoch;
  g.assignor = std::string(kafka::ServerAssignorName(
      group.Assignor(kafka::GroupCoordinatorSettings{}.consumer_assignors.front())));
  for (const auto& [id, m] : group.members) {
    view::GroupMemberView mv;
    mv.member_id = id;
    mv.client_id = m.client_id;
    mv.group_instance_id = m.instance_id.value_or("");
    mv.client_host = m.client_host;
    mv.member_epoch = m.member_epoch;
    mv.member_state = std::string(kafka::ConsumerMemberStateName(m.state));
    mv.assigned = Names({m.assigned.begin(), m.assigned.end()});
    mv.revoking = Names({m.pending_revocation.begin(), m.pending_revocation.end()});
    g.members.push_back(std::move(mv));
  }
  AddOffsets(group.offsets, g);
  return g;
}

}  // namespace

void World::AddZooKeeperView(view::WorldView& v) {
  if (zookeepers_.empty()) return;
  view::ZooKeeperView& zk = v.zookeeper;
  // The session table to trust: the serving leader's, else the most advanced running server's.
  const zookeeper::ZkServer* table = nullptr;
  bool table_from_leader = false;
  for (NodeIndex n : zookeepers_) {
    const auto* node = dynamic_cast<const zookeeper::ZkServerNode*>(sim_->GetNode(n));
    if (node == nullptr || node->server() == nullptr) continue;
    const zookeeper::ZkServer& s = *node->server();
    view::ZkTreeView tree;
    tree.server = sim_->NodeName(n);
    tree.state = zookeeper::ServerStateName(s.state());
    tree.serving = s.serving();
    tree.last_zxid = s.last_committed_zxid();
    for (const auto& [path, znode] : s.tree().nodes()) {
      view::ZNodeView z;
      z.path = path;
      z.data = znode.data;
      z.version = znode.stat.version;
      z.cversion = znode.stat.cversion;
      z.ephemeral_owner = znode.stat.ephemeral_owner;
      z.czxid = znode.stat.czxid;
      z.mzxid = znode.stat.mzxid;
      z.ctime_ms = znode.stat.ctime;
      z.mtime_ms = znode.stat.mtime;
      z.num_children = static_cast<std::int32_t>(znode.children.size());
      tree.znodes.push_back(std::move(z));
    }
    zk.trees.push_back(std::move(tree));
    const bool leader = s.state() == zookeeper::ServerState::kLeading && s.serving();
    if (table_from_leader) continue;
    if (leader || table == nullptr || s.last_committed_zxid() > table->last_committed_zxid()) {
      table = &s;
      table_from_leader = leader;
      zk.session_table_server = sim_->NodeName(n);
    }
  }
  const std::map<zookeeper::SessionId, std::int32_t> no_sessions;
  const auto& live = table != nullptr ? table->tree().sessions() : no_sessions;
  // The client side: each running ZooKeeper-mode broker's ZooKeeper client.
  std::map<zookeeper::SessionId, std::size_t> listed;  // session -> position in zk.sessions
  for (NodeIndex n : servers_) {
    const auto* server = dynamic_cast<const kafka::KafkaZkServer*>(Server(n));
    if (server == nullptr || server->zk_client() == nullptr) continue;
    const kafka::KafkaZkClient& client = *server->zk_client();
    view::ZkSessionView s;
    s.session_id = client.session();
    s.client = n;
    s.client_running = true;
    s.connected = client.connected();
    if (client.server() != zookeeper::kNoServer) {
      s.server = sim_->FindNode(fmt::format("zk-{}", client.server()));
    }
    s.in_ensemble = s.session_id != zookeeper::kNoSession && live.contains(s.session_id);
    s.timeout_ms = client.negotiated_timeout_ms();
    if (s.session_id != zookeeper::kNoSession) listed[s.session_id] = zk.sessions.size();
    zk.sessions.push_back(s);
  }
  // The ensemble's side: sessions whose client is gone (crashed, cut off for good) live on
  // until the leader expires them; the server that last served one knows its client.
  for (const auto& [id, timeout] : live) {
    if (listed.contains(id)) continue;
    view::ZkSessionView s;
    s.session_id = id;
    s.in_ensemble = true;
    s.timeout_ms = timeout;
    for (NodeIndex n : zookeepers_) {
      const auto* node = dynamic_cast<const zookeeper::ZkServerNode*>(sim_->GetNode(n));
      if (node == nullptr) continue;
      const auto it = node->clients().find(id);
      if (it == node->clients().end()) continue;
      s.client = it->second;
      s.server = n;
      break;
    }
    s.client_running = s.client != kNoNode && sim_->GetNodeState(s.client) == NodeState::kRunning;
    zk.sessions.push_back(s);
  }
  std::sort(zk.sessions.begin(), zk.sessions.end(),
            [](const view::ZkSessionView& a, const view::ZkSessionView& b) {
              return std::pair(a.client, a.session_id) < std::pair(b.client, b.session_id);
            });
}

void World::AddGroupsView(view::WorldView& v) {
  std::map<std::string, view::GroupView> groups;  // by id: a group held twice is shown once
  for (NodeIndex n : servers_) {
    kafka::KafkaNode* server = Server(n);
    if (server == nullptr || server->broker() == nullptr) continue;
    for (const auto& entry : server->broker()->groups().coordinators()) {
      const auto& c = entry.second;
      const auto partition = entry.first;  // clang 14: lambdas cannot capture bindings
      if (!c->active()) continue;
      const auto add = [&](view::GroupView g) {
        g.coordinator = server->config().node_id;
        g.offsets_partition = partition;
        groups.emplace(g.group_id, std::move(g));
      };
      for (const auto& [id, g] : c->groups()) {
        if (g.state != kafka::GroupState::kDead) add(ClassicView(g));
      }
      for (const auto& [id, g] : c->consumer_groups()) {
        if (!groups.contains(id)) add(ConsumerView(g));
      }
    }
  }
  for (auto& [id, g] : groups) v.groups.push_back(std::move(g));
}

}  // namespace kafkasim::scenario
