// A small KRaft cluster on a real Simulation for data-plane tests: one controller (node.id 0),
// brokers 1..n with simulated disks, and a client node whose requests the test sends by hand.
#pragma once

#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/sim_file_system.h"
#include "engine/simulation.h"
#include "kafka/clients.h"
#include "kafka/kafka_raft_server.h"
#include "kafka/messages.h"

namespace kafkasim::kafka::testing {

// Records every Kafka message it receives.
class TestClient final : public Node {
 public:
  explicit TestClient(NodeEnv& env) : env_(env) {}
  void OnMessage(const Message& message) override {
    if (const auto* k = message.As<KafkaMessage>()) received.push_back(k->body);
  }
  void Send(NodeIndex to, KafkaBody body) {
    env_.Send(to, std::make_shared<KafkaMessage>(std::move(body)));
  }
  std::vector<KafkaBody> received;

 private:
  NodeEnv& env_;
};

struct ClusterOptions {
  int brokers = 3;
  std::uint64_t seed = 7;
  BrokerSettings broker_settings;
};

class TestCluster {
 public:
  explicit TestCluster(ClusterOptions options = {});

  Simulation& sim() { return *sim_; }
  NodeIndex node(std::int32_t node_id) const { return nodes_.at(node_id); }
  NodeIndex client_node() const { return client_; }
  KafkaRaftServer* server(std::int32_t node_id);
  SimFileSystem& disk(std::int32_t node_id) { return *disks_.at(node_id); }
  TestClient& client();

  void RunFor(Duration d) { sim_->RunUntil(sim_->Now() + d); }
  // Runs until every broker is registered and unfenced (fails the test otherwise).
  void WaitForBrokersReady();
  // Creates a topic through the active controller and waits until every replica has it.
  void CreateTopic(const std::string& name, int partitions, int replication_factor,
                   std::vector<std::pair<std::string, std::string>> configs = {});

  // The broker that believes it leads topic-partition at the highest leader epoch.
  std::int32_t LeaderOf(const std::string& topic, std::int32_t partition);
  std::vector<std::int32_t> FollowersOf(const std::string& topic, std::int32_t partition);
  std::vector<BrokerId> IsrOnLeader(const std::string& topic, std::int32_t partition);
  const ReplicaLog& Log(std::int32_t broker, const std::string& topic, std::int32_t partition);

  // Sends a produce request from the client; returns its correlation id.
  std::int64_t Produce(std::int32_t broker, const std::string& topic, std::int32_t partition,
                       std::int16_t acks, std::vector<std::string> values,
                       Duration timeout = Milliseconds(30000));
  // Sends `request` as it is (producer id, epoch and sequence included); keeps its
  // correlation id when set, else assigns one. Returns the correlation id.
  std::int64_t SendProduce(std::int32_t broker, ProduceRequest request);
  std::optional<ProduceResponse> ProduceResult(std::int64_t correlation_id);
  std::int64_t Fetch(std::int32_t broker, FetchRequest request);
  std::optional<FetchResponse> FetchResult(std::int64_t correlation_id);

  void Isolate(std::int32_t a, std::int32_t b) { sim_->network().CutBoth(node(a), node(b)); }
  void Heal(std::int32_t a, std::int32_t b) { sim_->network().HealBoth(node(a), node(b)); }
  void Crash(std::int32_t node_id) { sim_->CrashNode(node(node_id)); }
  void Restart(std::int32_t node_id) { sim_->RestartNode(node(node_id)); }

  // Adds and starts a simulated producer (clients.h) named `name` on this cluster.
  ProducerNode* AddProducer(const std::string& name, ProducerConfig config,
                            std::shared_ptr<ClientHistory> history);
  // Adds and starts a simulated consumer named `name`; returns its node.
  NodeIndex AddConsumer(const std::string& name, ConsumerConfig config,
                        std::shared_ptr<ClientHistory> history);
  // The running consumer on `index` (nullptr while it is down).
  ConsumerNode* consumer(NodeIndex index);

  // Trace events of `kind` emitted by node `name` ("broker-2"), oldest first.
  std::vector<const TraceEvent*> Events(const std::string& kind, const std::string& name = "");
  std::string ReadFile(std::int32_t node_id, const std::string& path);

 private:
  std::unique_ptr<Simulation> sim_;
  std::shared_ptr<ClusterDirectory> directory_;
  std::map<std::int32_t, NodeIndex> nodes_;
  std::map<std::int32_t, std::shared_ptr<SimFileSystem>> disks_;
  NodeIndex client_ = kNoNode;
  std::int64_t next_correlation_id_ = 1000;
};

// The decoded values of a log's records from `offset` to its end.
std::vector<std::string> Values(const ReplicaLog& log, std::int64_t from = 0);

}  // namespace kafkasim::kafka::testing
