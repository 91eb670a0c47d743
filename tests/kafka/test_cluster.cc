// TestCluster: a controller, brokers with simulated disks and a hand-driven client.
#include "test_cluster.h"

#include <string>

namespace kafkasim::kafka::testing {

TestCluster::TestCluster(ClusterOptions options) {
  NetworkConfig network;
  network.latency_base = Milliseconds(1);
  network.latency_jitter = Milliseconds(0);
  sim_ = std::make_unique<Simulation>(options.seed, network);
  directory_ = std::make_shared<ClusterDirectory>();
  directory_->cluster_id = "kafkasim-test";
  directory_->voter_ids = {0};
  for (std::int32_t id = 0; id <= options.brokers; ++id) {
    directory_->Add(id, static_cast<NodeIndex>(id));
    if (id > 0) directory_->broker_ids.push_back(id);
  }
  for (std::int32_t id = 0; id <= options.brokers; ++id) {
    ServerConfig config;
    config.node_id = id;
    config.broker = id > 0;
    config.controller = id == 0;
    config.broker_settings = options.broker_settings;
    auto disk = std::make_shared<SimFileSystem>();
    disks_[id] = disk;
    std::shared_ptr<const ClusterDirectory> directory = directory_;
    const std::string name = id == 0 ? "controller-0" : "broker-" + std::to_string(id);
    nodes_[id] = sim_->AddNode(
        name,
        [directory, config](NodeEnv& env) {
          return std::make_unique<KafkaRaftServer>(env, directory, config);
        },
        NodeOptions{disk});
  }
  client_ = sim_->AddNode("client", [](NodeEnv& env) { return std::make_unique<TestClient>(env); });
  for (const auto& [id, index] : nodes_) sim_->StartNode(index);
  sim_->StartNode(client_);
}

KafkaRaftServer* TestCluster::server(std::int32_t node_id) {
  return dynamic_cast<KafkaRaftServer*>(sim_->GetNode(node(node_id)));
}

TestClient& TestCluster::client() {
  auto* c = dynamic_cast<TestClient*>(sim_->GetNode(client_));
  REQUIRE(c != nullptr);
  return *c;
}

void TestCluster::WaitForBrokersReady() {
  const bool ready = sim_->RunUntil(
      [&] {
        for (const auto& [id, index] : nodes_) {
          if (id == 0) continue;
          KafkaRaftServer* s = server(id);
          if (s == nullptr || !s->registered() || s->fenced()) return false;
        }
        return server(0) != nullptr && server(0)->is_active_controller();
      },
      2'000'000);
  REQUIRE(ready);
}

void TestCluster::CreateTopic(const std::string& name, int partitions, int replication_factor,
                              std::vector<std::pair<std::string, std::string>> configs) {
  CreateTopicsRequest request;
  request.name = name;
  request.partitions = partitions;
  request.replication_factor = replication_factor;
  request.configs = std::move(configs);
  client().Send(node(0), request);
  const bool created = sim_->RunUntil(
      [&] {
        for (std::int32_t p = 0; p < partitions; ++p) {
          int replicas = 0;
          bool has_leader = false;
          for (const auto& [id, index] : nodes_) {
            if (id == 0 || server(id) == nullptr) continue;
            auto local = server(id)->LocalPartition(name, p);
            if (!local) continue;
            ++replicas;
            has_leader = has_leader || local->is_leader;
          }
          if (replicas < replication_factor || !has_leader) return false;
        }
        return true;
      },
      2'000'000);
  REQUIRE(created);
}

std::int32_t TestCluster::LeaderOf(const std::string& topic, std::int32_t partition) {
  std::int32_t leader = -1;
  std::int32_t epoch = -1;
  for (const auto& [id, index] : nodes_) {
    if (id == 0 || server(id) == nullptr) continue;
    auto local = server(id)->LocalPartition(topic, partition);
    if (local && local->is_leader && local->leader_epoch > epoch) {
      leader = id;
      epoch = local->leader_epoch;
    }
  }
  return leader;
}

std::vector<std::int32_t> TestCluster::FollowersOf(const std::string& topic,
                                                   std::int32_t partition) {
  const std::int32_t leader = LeaderOf(topic, partition);
  std::vector<std::int32_t> out;
  for (const auto& [id, index] : nodes_) {
    if (id == 0 || id == leader || server(id) == nullptr) continue;
    if (server(id)->LocalPartition(topic, partition)) out.push_back(id);
  }
  return out;
}

std::vector<BrokerId> TestCluster::IsrOnLeader(const std::string& topic, std::int32_t partition) {
  const std::int32_t leader = LeaderOf(topic, partition);
  REQUIRE(leader > 0);
  return server(leader)->LocalPartition(topic, partition)->isr;
}

const ReplicaLog& TestCluster::Log(std::int32_t broker, const std::string& topic,
                                   std::int32_t partition) {
  KafkaRaftServer* s = server(broker);
  REQUIRE(s != nullptr);
  const ReplicaLog* log = s->Log(topic, partition);
  REQUIRE(log != nullptr);
  return *log;
}

std::int64_t TestCluster::Produce(std::int32_t broker, const std::string& topic,
                                  std::int32_t partition, std::int16_t acks,
                                  std::vector<std::string> values, Duration timeout) {
  ProduceRequest request;
  request.correlation_id = next_correlation_id_++;
  request.topic = topic;
  request.partition = partition;
  request.acks = acks;
  request.timeout = timeout;
  std::vector<ProducedRecord> records;
  for (std::string& v : values) records.push_back({std::nullopt, std::move(v), 0});
  request.records = BuildRecordBatch(records);
  client().Send(node(broker), request);
  return request.correlation_id;
}

std::int64_t TestCluster::SendProduce(std::int32_t broker, ProduceRequest request) {
  if (request.correlation_id == 0) request.correlation_id = next_correlation_id_++;
  client().Send(node(broker), request);
  return request.correlation_id;
}

ProducerNode* TestCluster::AddProducer(const std::string& name, ProducerConfig config,
                                       std::shared_ptr<ClientHistory> history) {
  std::shared_ptr<const ClusterDirectory> directory = directory_;
  const NodeIndex index = sim_->AddNode(name, [directory, config, history](NodeEnv& env) {
    return std::make_unique<ProducerNode>(env, directory, config, history);
  });
  sim_->StartNode(index);
  auto* producer = dynamic_cast<ProducerNode*>(sim_->GetNode(index));
  REQUIRE(producer != nullptr);
  return producer;
}

NodeIndex TestCluster::AddConsumer(const std::string& name, ConsumerConfig config,
                                   std::shared_ptr<ClientHistory> history) {
  std::shared_ptr<const ClusterDirectory> directory = directory_;
  const NodeIndex index = sim_->AddNode(name, [directory, config, history](NodeEnv& env) {
    return std::make_unique<ConsumerNode>(env, directory, config, history);
  });
  sim_->StartNode(index);
  REQUIRE(consumer(index) != nullptr);
  return index;
}

ConsumerNode* TestCluster::consumer(NodeIndex index) {
  return dynamic_cast<ConsumerNode*>(sim_->GetNode(index));
}

std::optional<ProduceResponse> TestCluster::ProduceResult(std::int64_t correlation_id) {
  for (const KafkaBody& body : client().received) {
    const auto* r = std::get_if<ProduceResponse>(&body);
    if (r != nullptr && r->correlation_id == correlation_id) return *r;
  }
  return std::nullopt;
}

std::int64_t TestCluster::Fetch(std::int32_t broker, FetchRequest request) {
  request.correlation_id = next_correlation_id_++;
  client().Send(node(broker), request);
  return request.correlation_id;
}

std::optional<FetchResponse> TestCluster::FetchResult(std::int64_t correlation_id) {
  for (const KafkaBody& body : client().received) {
    const auto* r = std::get_if<FetchResponse>(&body);
    if (r != nullptr && r->correlation_id == correlation_id) return *r;
  }
  return std::nullopt;
}

std::vector<const TraceEvent*> TestCluster::Events(const std::string& kind,
                                                   const std::string& name) {
  std::vector<const TraceEvent*> out;
  for (const TraceEvent& e : sim_->trace().events()) {
    if (e.kind == kind && (name.empty() || e.node == name)) out.push_back(&e);
  }
  return out;
}

std::string TestCluster::ReadFile(std::int32_t node_id, const std::string& path) {
  Result<std::vector<std::uint8_t>> bytes = disk(node_id).ReadFile(path);
  REQUIRE_MESSAGE(bytes.ok(), path);
  return std::string(bytes->begin(), bytes->end());
}

std::vector<std::string> Values(const ReplicaLog& log, std::int64_t from) {
  std::vector<std::string> out;
  Result<std::vector<std::uint8_t>> raw = log.Read(from, INT32_MAX, log.log_end_offset());
  if (!raw.ok()) return out;
  Result<std::vector<ConsumedRecord>> records = DecodeBatches(*raw);
  REQUIRE(records.ok());
  for (const ConsumedRecord& r : *records) out.push_back(r.value.value_or(""));
  return out;
}

}  // namespace kafkasim::kafka::testing
