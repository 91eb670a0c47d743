// ZkServerNode: one ZooKeeper server (zk-N) as an engine node, the thin host of a ZkServer
// core. It recovers the core from the version-2/ files under its data dir, feeds it messages,
// client requests and the time, and drains its Ready: the files first (fsync'd when the Ready
// says so), then the messages, the client replies and the trace. One timer, at the core's
// NextDeadline. Clients (Kafka brokers) talk to it with ZkClientMessages.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "engine/simulation.h"
#include "zookeeper/zk_client_protocol.h"
#include "zookeeper/zk_server.h"

namespace kafkasim::zookeeper {

// Where each server of the ensemble runs: myid -> engine node.
struct ZkEnsembleDirectory {
  std::map<ServerId, NodeIndex> node_of_server;
  NodeIndex NodeFor(ServerId id) const {
    auto it = node_of_server.find(id);
    return it == node_of_server.end() ? kNoNode : it->second;
  }
};

// Kafka's config/zookeeper.properties: dataDir=/tmp/zookeeper, clientPort=2181.
inline constexpr std::string_view kDefaultDataDir = "/tmp/zookeeper";
inline constexpr std::int32_t kClientPortBase = 2180;  // zk-N listens on 2180 + N

class ZkServerNode final : public Node {
 public:
  ZkServerNode(NodeEnv& env, std::shared_ptr<const ZkEnsembleDirectory> directory, ZkConfig config,
               std::string data_dir = std::string(kDefaultDataDir));

  void OnStart() override;
  void OnMessage(const Message& message) override;
  void OnTimer(std::uint64_t tag) override;

  // nullptr until OnStart recovered the core (or after the disk failed).
  const ZkServer* server() const { return server_.get(); }
  // dataDir as the learner would see it; the node's disk root is that directory.
  const std::string& data_dir() const { return data_dir_; }
  // The engine node of each connected client session (for the GUI's cluster map).
  const std::map<SessionId, NodeIndex>& clients() const { return clients_; }

 private:
  std::string VersionDir() const;
  void HandleClient(NodeIndex from, const ClientRequest& request);
  void Drain();
  // Writes what the Ready says to persist; false when the disk failed (the server exits).
  bool Persist(const Ready& ready);
  void Fail(const Status& error, std::string_view while_doing);
  void SendToClient(SessionId session, ZkClientBody body);
  void ArmTimer();
  void Emit(std::string_view kind, std::string text);

  NodeEnv& env_;
  std::shared_ptr<const ZkEnsembleDirectory> directory_;
  ZkConfig config_;
  std::string data_dir_;
  std::unique_ptr<ZkServer> server_;
  std::string current_log_;  // the log file appends go to; empty: the next append starts one
  std::map<SessionId, NodeIndex> clients_;
  TimerId timer_ = kNoTimer;
  Time timer_at_ = kTimeMax;
  bool failed_ = false;
};

}  // namespace kafkasim::zookeeper
