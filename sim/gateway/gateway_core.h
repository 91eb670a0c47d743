// The gateway's bridge into the simulation, without sockets: a frame a real client sent to
// broker N becomes, at the virtual time it arrived, Kafka RPCs from an external client node
// ("external-client") to broker N over the simulated network; the broker's answers become the
// response frame. A multi-partition Produce is split into the per-partition ProduceRequests the
// simulated broker takes (each carrying the client's record batch as sent) and the answers are
// gathered. Responses leave in request order per connection, as Kafka's SocketServer sends them.
// Deterministic: the same frames at the same virtual times give the same run (replay).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/simulation.h"
#include "gateway/protocol.h"
#include "kafka/messages.h"
#include "scenario/world.h"

namespace kafkasim::gateway {

// One frame a client sent, as recorded: when it entered the simulation, to which broker, on
// which of the gateway's connections.
struct ExternalInput {
  Time at;
  std::int32_t broker_id = 0;
  std::uint64_t connection = 0;
  std::vector<std::uint8_t> frame;  // the payload after the int32 size
};

struct GatewayOptions {
  std::string advertised_host = "127.0.0.1";
  int port_base = 9092;  // broker n listens on port_base + n - 1
};

// How a broker's port behaves now, from its node's state in the simulation.
enum class BrokerReachability : std::uint8_t {
  kUp,       // running: accepts and answers
  kRefuses,  // process killed or stopped: its OS resets connections and refuses new ones
  kSilent,   // power lost (crashed): nothing answers, not even a reset
};

class GatewayCore {
 public:
  // `send` gets each response frame (with its size) for a connection; `on_input` (optional)
  // sees every frame that entered the simulation, for the recording.
  using SendFn = std::function<void(std::uint64_t connection, std::vector<std::uint8_t> frame)>;
  GatewayCore(scenario::World& world, GatewayOptions options, SendFn send,
              std::function<void(const ExternalInput&)> on_input = {});
  ~GatewayCore();
  GatewayCore(const GatewayCore&) = delete;
  GatewayCore& operator=(const GatewayCore&) = delete;

  // The broker node.ids that get a port, in order, and each one's port.
  const std::vector<std::int32_t>& broker_ids() const { return broker_ids_; }
  int PortOf(std::int32_t broker_id) const { return options_.port_base + broker_id - 1; }
  BrokerReachability Reachability(std::int32_t broker_id) const;

  // A frame from `connection` to `broker_id`, at the simulation's current time. Returns "" or
  // the reason the connection must be closed (a malformed frame, an API the gateway does not
  // serve), to be logged.
  std::string OnFrame(std::uint64_t connection, std::int32_t broker_id,
                      std::span<const std::uint8_t> frame);
  // The client closed the connection (or the gateway did): answers still owed are dropped.
  void OnConnectionClosed(std::uint64_t connection);
  // Requests of the connection not yet answered. The server reads the next frame only when
  // this is 0, as Kafka mutes a channel while one of its requests is in progress.
  std::size_t Outstanding(std::uint64_t connection) const;
  // The client.id of the connection's latest request ("" before its first, or a null id).
  std::string ClientIdOf(std::uint64_t connection) const;

  // The engine node's handlers (ExternalClientNode forwards to them).
  void OnSimMessage(const Message& message);
  void OnSimTimer(std::uint64_t tag);
  void OnSimDisconnect(NodeIndex peer);

 private:
  struct Pending;
  struct SimCall {
    std::uint64_t connection = 0;
    Pending* pending = nullptr;
    std::size_t topic = 0;  // where the answer goes in the gathered response
    std::size_t partition = 0;
  };
  struct Connection {
    std::int32_t broker_id = 0;
    std::string client_id;
    std::deque<std::unique_ptr<Pending>> queue;
  };
  // One topic of a CreateTopics, DeleteTopics or CreatePartitions request on its way to the
  // controller. kafka::AdminResponse carries no correlation id, so these go one at a time, in
  // arrival order, as the simulated admin client's do (kafka::AdminNode).
  struct AdminCall {
    std::uint64_t connection = 0;
    Pending* pending = nullptr;  // nullptr once the connection closed
    std::size_t index = 0;       // the topic's slot in the answer
    kafka::KafkaBody request;
    Time deadline;
    bool in_flight = false;
    NodeIndex sent_to = kNoNode;
  };

  void Send(std::int32_t broker_id, kafka::KafkaBody body);
  std::int64_t Call(std::uint64_t connection, Pending* pending, std::size_t topic,
                    std::size_t partition);
  void StartMetadata(std::uint64_t connection, Pending& p, const MetadataRequest& r);
  void StartProduce(std::uint64_t connection, Pending& p, const ProduceRequest& r);
  void StartFetch(std::uint64_t connection, Pending& p, const FetchRequest& r);
  void StartListOffsets(std::uint64_t connection, Pending& p, const ListOffsetsRequest& r);
  void StartInitProducerId(std::uint64_t connection, Pending& p, const InitProducerIdRequest& r);
  void StartFindCoordinator(std::uint64_t connection, Pending& p, const FindCoordinatorRequest& r);
  void StartGroupRequest(std::uint64_t connection, Pending& p, kafka::GroupRequestBody request);
  void OnGroupResponse(Pending& p, const kafka::GroupResponseBody& response);
  // DescribeGroups and ListGroups read the group coordinator's state at the frame's arrival
  // (they change nothing, so the run stays the same with or without them).
  void AnswerDescribeGroups(Pending& p, const DescribeGroupsRequest& r);
  void AnswerListGroups(Pending& p);
  void StartCreateTopics(std::uint64_t connection, Pending& p, const CreateTopicsRequest& r);
  void StartDeleteTopics(std::uint64_t connection, Pending& p, const DeleteTopicsRequest& r);
  void StartCreatePartitions(std::uint64_t connection, Pending& p,
                             const CreatePartitionsRequest& r);
  void EnqueueAdmin(std::uint64_t connection, Pending& p, std::size_t index,
                    kafka::KafkaBody request);
  void PumpAdmin();
  void FinishAdmin(Errc error, const std::string& message);
  // DescribeConfigs and DescribeCluster read the broker's state at the frame's arrival.
  void AnswerDescribeConfigs(Pending& p, const DescribeConfigsRequest& r);
  DescribeConfigsResult DescribeTopicConfigs(std::int32_t broker_id,
                                             const DescribeConfigsResourceData& resource,
                                             bool include_synonyms);
  DescribeConfigsResult DescribeBrokerConfigs(std::int32_t broker_id,
                                              const DescribeConfigsResourceData& resource,
                                              bool include_synonyms);
  void AnswerDescribeCluster(Pending& p);
  // The controller id clients see in Metadata and DescribeCluster: ZooKeeper mode's controller
  // broker; in KRaft a live broker (the lowest, as clients cannot reach the controllers).
  std::int32_t AdvertisedControllerId(const std::vector<MetadataBroker>& brokers);
  bool zookeeper_mode() const;
  const kafka::GroupCoordinatorHost* GroupsOf(std::int32_t broker_id);
  void OnMetadata(Pending& p, const kafka::MetadataResponse& r, NodeIndex from);
  void Complete(Pending& p);
  void Flush(std::uint64_t connection);
  // Kafka's UNKNOWN_TOPIC_OR_PARTITION where the broker's own metadata has no such partition
  // and its data plane said NOT_LEADER_OR_FOLLOWER (ReplicaManager.getPartitionOrError).
  std::int16_t RefineError(std::int32_t broker_id, const std::string& topic, std::int32_t partition,
                           Errc error);
  const kafka::MetadataImage* ImageOf(std::int32_t broker_id);

  scenario::World& world_;
  GatewayOptions options_;
  SendFn send_;
  std::function<void(const ExternalInput&)> on_input_;
  std::vector<std::int32_t> broker_ids_;
  NodeIndex node_ = kNoNode;
  std::map<std::uint64_t, Connection> connections_;
  std::map<std::int64_t, SimCall> calls_;  // by the simulated request's correlation id
  std::int64_t next_correlation_ = 1;
  std::deque<AdminCall> admin_;  // the front one may be in flight
};

// Kafka's int16 error code for a simulation status code (local codes are UNKNOWN_SERVER_ERROR).
std::int16_t WireError(Errc error);

}  // namespace kafkasim::gateway
