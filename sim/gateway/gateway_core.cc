// The gateway's bridge into the simulation; see gateway_core.h.
#include "gateway/gateway_core.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <type_traits>

#include "engine/assert.h"
#include "kafka/broker.h"
#include "kafka/configs.h"
#include "kafka/controller_logic.h"
#include "kafka/group_hash.h"
#include "kafka/metadata_image.h"
#include "scenario/limits.h"
#include "scenario/server_properties.h"
#include "scenario/trace_kinds.h"

namespace kafkasim::gateway {

// An API request in progress on one connection: the answer is built as the simulated
// broker's responses come in, and sent when every part has answered.
struct GatewayCore::Pending {
  RequestHeader header;
  std::int32_t broker_id = 0;
  int outstanding = 0;  // simulated requests not yet answered
  bool silent = false;  // Produce with acks=0: Kafka sends no response
  bool done = false;
  std::vector<std::uint8_t> frame;
  std::optional<std::vector<std::string>> metadata_topics;
  ProduceResponse produce;
  FetchResponse fetch;
  ListOffsetsResponse list_offsets;
  std::vector<OffsetCommitTopicData> commit_topics;  // the request's layout, for the answer
  std::vector<OffsetFetchTopicData> fetch_offset_topics;
  std::vector<TopicResult> topic_results;  // CreateTopics, DeleteTopics, CreatePartitions
};

namespace {

// The engine node standing for every real client: its messages travel the simulated network
// to and from the brokers like any client's.
class ExternalClientNode final : public Node {
 public:
  explicit ExternalClientNode(GatewayCore* core) : core_(core) {}
  void OnMessage(const Message& message) override { core_->OnSimMessage(message); }
  void OnTimer(std::uint64_t tag) override { core_->OnSimTimer(tag); }
  void OnDisconnect(NodeIndex peer) override { core_->OnSimDisconnect(peer); }

 private:
  GatewayCore* core_;
};

bool IsInternalTopic(const std::string& name) {
  return name == "__consumer_offsets" || name == "__transaction_state";
}

constexpr std::uint64_t kTimerAdminPump = 1;
// How long a request forwarded to the controller may take before the broker gives up with
// REQUEST_TIMED_OUT: request.timeout.ms (NodeToControllerChannelManager's forwarding timeout).
constexpr Duration kForwardTimeout = Milliseconds(30000);
// How soon a forwarded request goes again when no controller is known or it moved.
constexpr Duration kForwardRetry = Milliseconds(100);

}  // namespace

std::int16_t WireError(Errc error) {
  const int code = static_cast<int>(error);
  return code < 0 ? std::int16_t{-1} : static_cast<std::int16_t>(code);
}

GatewayCore::GatewayCore(scenario::World& world, GatewayOptions options, SendFn send,
                         std::function<void(const ExternalInput&)> on_input)
    : world_(world),
      options_(std::move(options)),
      send_(std::move(send)),
      on_input_(std::move(on_input)),
      broker_ids_(world.directory().broker_ids) {
  std::sort(broker_ids_.begin(), broker_ids_.end());
  Simulation& sim = world_.sim();
  std::string name = "external-client";
  for (int n = 2; sim.FindNode(name) != kNoNode; ++n) name = fmt::format("external-client-{}", n);
  node_ =
      sim.AddNode(name, [this](NodeEnv&) { return std::make_unique<ExternalClientNode>(this); });
  sim.StartNode(node_);
}

GatewayCore::~GatewayCore() = default;

BrokerReachability GatewayCore::Reachability(std::int32_t broker_id) const {
  const NodeIndex n = world_.directory().NodeFor(broker_id);
  if (n == kNoNode) return BrokerReachability::kRefuses;
  switch (world_.sim().GetNodeState(n)) {
    case NodeState::kRunning:
      return BrokerReachability::kUp;
    case NodeState::kCrashed:
      return BrokerReachability::kSilent;
    case NodeState::kKilled:
    case NodeState::kStopped:
      return BrokerReachability::kRefuses;
  }
  return BrokerReachability::kRefuses;
}

std::size_t GatewayCore::Outstanding(std::uint64_t connection) const {
  const auto it = connections_.find(connection);
  return it == connections_.end() ? 0 : it->second.queue.size();
}

std::string GatewayCore::ClientIdOf(std::uint64_t connection) const {
  const auto it = connections_.find(connection);
  return it == connections_.end() ? "" : it->second.client_id;
}

void GatewayCore::OnConnectionClosed(std::uint64_t connection) {
  for (auto it = calls_.begin(); it != calls_.end();) {
    it = it->second.connection == connection ? calls_.erase(it) : std::next(it);
  }
  // Its admin calls are forgotten, except one in flight: the controller still answers it, and
  // that answer must not be taken for the next call's.
  for (auto it = admin_.begin(); it != admin_.end();) {
    if (it->connection != connection) {
      ++it;
    } else if (it->in_flight) {
      (it++)->pending = nullptr;
    } else {
      it = admin_.erase(it);
    }
  }
  connections_.erase(connection);
}

std::string GatewayCore::OnFrame(std::uint64_t connection, std::int32_t broker_id,
                                 std::span<const std::uint8_t> frame) {
  Simulation& sim = world_.sim();
  if (on_input_) {
    on_input_(ExternalInput{sim.Now(), broker_id, connection,
                            std::vector<std::uint8_t>(frame.begin(), frame.end())});
  }
  std::variant<Request, DecodeFailure> decoded = DecodeRequest(frame);
  NodeEnv& env = sim.Env(node_);
  if (const auto* failure = std::get_if<DecodeFailure>(&decoded)) {
    env.Emit(std::string(scenario::trace_kind::kInputGateway),
             {{"broker", std::int64_t{broker_id}}},
             fmt::format("refused a frame to broker-{}: {}", broker_id, failure->message));
    return failure->message;
  }
  Request& request = std::get<Request>(decoded);
  const RequestHeader& h = request.header;
  env.Emit(std::string(scenario::trace_kind::kInputGateway),
           {{"broker", std::int64_t{broker_id}}, {"api_key", std::int64_t{h.api_key}}},
           fmt::format("{} v{} from {} to broker-{} (correlation id {}, {} bytes)",
                       ApiName(h.api_key), h.api_version, h.client_id.value_or("(null)"), broker_id,
                       h.correlation_id, frame.size()));
  Connection& c = connections_[connection];
  c.broker_id = broker_id;
  c.client_id = h.client_id.value_or("");
  auto pending = std::make_unique<Pending>();
  Pending& p = *pending;
  p.header = h;
  p.broker_id = broker_id;
  c.queue.push_back(std::move(pending));
  std::visit(
      [&](auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, ApiVersionsRequest>) {
          const ApiRange* range = FindSupported(api::kApiVersions);
          const std::int16_t error = h.api_version > range->max_version ? 35 : 0;
          p.frame = EncodeApiVersionsResponse(h, error);  // UNSUPPORTED_VERSION when too new
          p.done = true;
        } else if constexpr (std::is_same_v<T, MetadataRequest>) {
          StartMetadata(connection, p, body);
        } else if constexpr (std::is_same_v<T, ProduceRequest>) {
          StartProduce(connection, p, body);
        } else if constexpr (std::is_same_v<T, FetchRequest>) {
          StartFetch(connection, p, body);
        } else if constexpr (std::is_same_v<T, ListOffsetsRequest>) {
          StartListOffsets(connection, p, body);
        } else if constexpr (std::is_same_v<T, InitProducerIdRequest>) {
          StartInitProducerId(connection, p, body);
        } else if constexpr (std::is_same_v<T, FindCoordinatorRequest>) {
          StartFindCoordinator(connection, p, body);
        } else if constexpr (std::is_same_v<T, JoinGroupRequest>) {
          kafka::JoinGroupRequest join;
          join.group_id = body.group_id;
          join.member_id = body.member_id;
          join.client_id = h.client_id.value_or("");
          join.session_timeout_ms = body.session_timeout_ms;
          join.rebalance_timeout_ms = body.rebalance_timeout_ms;
          join.protocol_type = body.protocol_type;
          for (const JoinGroupProtocolData& protocol : body.protocols) {
            join.protocols.push_back(kafka::JoinGroupProtocol{protocol.name, protocol.metadata});
          }
          join.require_known_member_id = false;  // JoinGroup v1 (KIP-394 is v4+)
          StartGroupRequest(connection, p, std::move(join));
        } else if constexpr (std::is_same_v<T, SyncGroupRequest>) {
          kafka::SyncGroupRequest sync;
          sync.group_id = body.group_id;
          sync.member_id = body.member_id;
          sync.generation_id = body.generation_id;
          for (const SyncGroupAssignmentData& a : body.assignments) {
            sync.assignments[a.member_id] = a.assignment;
          }
          StartGroupRequest(connection, p, std::move(sync));
        } else if constexpr (std::is_same_v<T, HeartbeatRequest>) {
          StartGroupRequest(connection, p,
                            kafka::HeartbeatRequest{body.group_id, body.member_id, std::nullopt,
                                                    body.generation_id});
        } else if constexpr (std::is_same_v<T, LeaveGroupRequest>) {
          kafka::LeaveGroupRequest leave;
          leave.group_id = body.group_id;
          leave.members.push_back(kafka::LeaveGroupMember{body.member_id, std::nullopt, ""});
          StartGroupRequest(connection, p, std::move(leave));
        } else if constexpr (std::is_same_v<T, OffsetCommitRequest>) {
          kafka::OffsetCommitRequest commit;
          commit.group_id = body.group_id;
          commit.member_id = body.member_id;
          commit.generation_id = body.generation_id;
          for (const OffsetCommitTopicData& topic : body.topics) {
            for (const OffsetCommitPartitionData& part : topic.partitions) {
              kafka::OffsetCommitPartition& entry = commit.partitions.emplace_back();
              entry.topic = topic.name;
              entry.partition = part.partition_index;
              entry.offset = part.committed_offset;
              entry.metadata = part.committed_metadata.value_or("");
            }
          }
          p.commit_topics = body.topics;
          StartGroupRequest(connection, p, std::move(commit));
        } else if constexpr (std::is_same_v<T, DescribeGroupsRequest>) {
          AnswerDescribeGroups(p, body);
        } else if constexpr (std::is_same_v<T, ListGroupsRequest>) {
          AnswerListGroups(p);
        } else if constexpr (std::is_same_v<T, CreateTopicsRequest>) {
          StartCreateTopics(connection, p, body);
        } else if constexpr (std::is_same_v<T, DeleteTopicsRequest>) {
          StartDeleteTopics(connection, p, body);
        } else if constexpr (std::is_same_v<T, CreatePartitionsRequest>) {
          StartCreatePartitions(connection, p, body);
        } else if constexpr (std::is_same_v<T, DescribeConfigsRequest>) {
          AnswerDescribeConfigs(p, body);
        } else if constexpr (std::is_same_v<T, DescribeClusterRequest>) {
          AnswerDescribeCluster(p);
        } else {
          static_assert(std::is_same_v<T, OffsetFetchRequest>);
          kafka::OffsetFetchRequest fetch;
          fetch.group_id = body.group_id;
          fetch.partitions.emplace();
          for (const OffsetFetchTopicData& topic : body.topics) {
            for (std::int32_t partition : topic.partition_indexes) {
              fetch.partitions->push_back(kafka::TopicPartition{topic.name, partition});
            }
          }
          p.fetch_offset_topics = body.topics;
          StartGroupRequest(connection, p, std::move(fetch));
        }
      },
      request.body);
  Flush(connection);
  return "";
}

void GatewayCore::Send(std::int32_t broker_id, kafka::KafkaBody body) {
  const NodeIndex to = world_.directory().NodeFor(broker_id);
  KSIM_ASSERT(to != kNoNode);
  world_.sim().Env(node_).Send(to, std::make_shared<kafka::KafkaMessage>(std::move(body)));
}

std::int64_t GatewayCore::Call(std::uint64_t connection, Pending* pending, std::size_t topic,
                               std::size_t partition) {
  const std::int64_t correlation = next_correlation_++;
  calls_[correlation] = SimCall{connection, pending, topic, partition};
  ++pending->outstanding;
  return correlation;
}

void GatewayCore::StartMetadata(std::uint64_t connection, Pending& p, const MetadataRequest& r) {
  p.metadata_topics = r.topics;
  kafka::MetadataRequest request;
  request.correlation_id = Call(connection, &p, 0, 0);
  // Metadata v1-v3 has no allow_auto_topic_creation field: a named topic the cluster lacks is
  // created when the broker's auto.create.topics.enable says so (MetadataRequest.json).
  if (r.topics) {
    request.topics = *r.topics;
    request.allow_auto_topic_creation = true;
  }
  Send(p.broker_id, std::move(request));
}

void GatewayCore::StartProduce(std::uint64_t connection, Pending& p, const ProduceRequest& r) {
  p.silent = r.acks == 0;
  for (std::size_t t = 0; t < r.topics.size(); ++t) {
    const ProduceTopicData& topic = r.topics[t];
    ProduceTopicResponse& answer = p.produce.topics.emplace_back();
    answer.name = topic.name;
    for (std::size_t i = 0; i < topic.partitions.size(); ++i) {
      const ProducePartitionData& part = topic.partitions[i];
      ProducePartitionResponse& slot = answer.partitions.emplace_back();
      slot.index = part.index;
      if (!part.records) {
        slot.error_code = static_cast<std::int16_t>(Errc::kInvalidRecord);
        continue;
      }
      kafka::ProduceRequest request;
      request.correlation_id = p.silent ? 0 : Call(connection, &p, t, i);
      request.topic = topic.name;
      request.partition = part.index;
      request.acks = r.acks;
      request.timeout = Milliseconds(std::max(0, r.timeout_ms));
      request.records = *part.records;
      Send(p.broker_id, std::move(request));
    }
  }
  if (p.silent || p.outstanding == 0) Complete(p);
}

void GatewayCore::StartFetch(std::uint64_t connection, Pending& p, const FetchRequest& r) {
  kafka::FetchRequest request;
  request.replica_id = -1;
  request.max_wait = Milliseconds(std::max(0, r.max_wait_ms));
  // The simulated broker holds it until min_bytes are there or max_wait passes, on virtual time.
  request.min_bytes = std::max(1, r.min_bytes);
  std::int32_t partition_max_bytes = 0;
  for (const FetchTopicData& topic : r.topics) {
    FetchTopicResponse& answer = p.fetch.topics.emplace_back();
    answer.topic = topic.topic;
    for (const FetchPartitionData& part : topic.partitions) {
      answer.partitions.push_back(FetchPartitionResponse{part.partition, 0, -1, -1, {}});
      request.partitions.push_back(
          kafka::FetchPartition{topic.topic, part.partition, part.fetch_offset, -1, -1, 0});
      partition_max_bytes = std::max(partition_max_bytes, part.partition_max_bytes);
    }
  }
  // The simulated fetch has one per-partition limit; it always returns at least one batch.
  request.max_bytes = std::max(1, partition_max_bytes);
  if (request.partitions.empty()) return Complete(p);
  request.correlation_id = Call(connection, &p, 0, 0);
  Send(p.broker_id, std::move(request));
}

void GatewayCore::StartListOffsets(std::uint64_t connection, Pending& p,
                                   const ListOffsetsRequest& r) {
  for (std::size_t t = 0; t < r.topics.size(); ++t) {
    ListOffsetsTopicResponse& answer = p.list_offsets.topics.emplace_back();
    answer.name = r.topics[t].name;
    for (std::size_t i = 0; i < r.topics[t].partitions.size(); ++i) {
      const ListOffsetsPartitionData& part = r.topics[t].partitions[i];
      ListOffsetsPartitionResponse& slot = answer.partitions.emplace_back();
      slot.partition_index = part.partition_index;
      if (part.timestamp != -1 && part.timestamp != -2) {
        // Only EARLIEST_TIMESTAMP and LATEST_TIMESTAMP are simulated: a lookup by time is
        // refused rather than answered wrongly.
        slot.error_code = static_cast<std::int16_t>(Errc::kInvalidRequest);
        continue;
      }
      kafka::ListOffsetsRequest request;
      request.correlation_id = Call(connection, &p, t, i);
      request.topic = answer.name;
      request.partition = part.partition_index;
      request.earliest = part.timestamp == -2;
      Send(p.broker_id, std::move(request));
    }
  }
  if (p.outstanding == 0) Complete(p);
}

void GatewayCore::StartInitProducerId(std::uint64_t connection, Pending& p,
                                      const InitProducerIdRequest& r) {
  if (r.transactional_id) {
    // No transaction coordinator is simulated: only idempotent producers get an id.
    p.frame = EncodeInitProducerIdResponse(
        p.header, {static_cast<std::int16_t>(Errc::kInvalidRequest), -1, -1});
    p.done = true;
    return;
  }
  Send(p.broker_id, kafka::InitProducerIdRequest{Call(connection, &p, 0, 0)});
}

void GatewayCore::StartFindCoordinator(std::uint64_t connection, Pending& p,
                                       const FindCoordinatorRequest& r) {
  Send(p.broker_id, kafka::FindCoordinatorRequest{Call(connection, &p, 0, 0), r.key});
}

void GatewayCore::StartGroupRequest(std::uint64_t connection, Pending& p,
                                    kafka::GroupRequestBody request) {
  // The broker that got the frame answers NOT_COORDINATOR unless it hosts the group's
  // __consumer_offsets partition (GroupCoordinatorHost.HandleGroupRequest), as Kafka does.
  Send(p.broker_id, kafka::GroupRequestMessage{Call(connection, &p, 0, 0), std::move(request)});
}

void GatewayCore::OnGroupResponse(Pending& p, const kafka::GroupResponseBody& response) {
  std::visit(
      [&](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, kafka::JoinGroupResponse>) {
          JoinGroupResponse out;
          out.error_code = WireError(r.error);
          out.generation_id = r.generation_id;
          out.protocol_name = r.protocol_name.value_or("");
          out.leader = r.leader;
          out.member_id = r.member_id;
          for (const kafka::JoinGroupResponseMember& m : r.members) {
            out.members.push_back(JoinGroupMemberData{m.member_id, m.metadata});
          }
          p.frame = EncodeJoinGroupResponse(p.header, out);
        } else if constexpr (std::is_same_v<T, kafka::SyncGroupResponse>) {
          p.frame = EncodeSyncGroupResponse(p.header, {WireError(r.error), r.assignment});
        } else if constexpr (std::is_same_v<T, kafka::HeartbeatResponse>) {
          p.frame = EncodeErrorOnlyResponse(p.header, WireError(r.error));
        } else if constexpr (std::is_same_v<T, kafka::LeaveGroupResponse>) {
          // LeaveGroupResponse below v3 has no member list: a member's error is the answer's.
          Errc error = r.error;
          for (const auto& m : r.members) {
            if (error == Errc::kNone) error = m.error;
          }
          p.frame = EncodeErrorOnlyResponse(p.header, WireError(error));
        } else if constexpr (std::is_same_v<T, kafka::OffsetCommitResponse>) {
          OffsetCommitResponse out;
          for (const OffsetCommitTopicData& topic : p.commit_topics) {
            OffsetCommitTopicResponse& t = out.topics.emplace_back();
            t.name = topic.name;
            for (const OffsetCommitPartitionData& part : topic.partitions) {
              Errc error = r.error;
              for (const auto& [tp, e] : r.partitions) {
                if (tp.topic == topic.name && tp.partition == part.partition_index) error = e;
              }
              t.partitions.push_back({part.partition_index, WireError(error)});
            }
          }
          p.frame = EncodeOffsetCommitResponse(p.header, out);
        } else if constexpr (std::is_same_v<T, kafka::OffsetFetchResponse>) {
          // OffsetFetch v1 has no top-level error: it goes on every partition
          // (OffsetFetchResponse's constructor for versions below 2).
          OffsetFetchResponse out;
          for (const OffsetFetchTopicData& topic : p.fetch_offset_topics) {
            OffsetFetchTopicResponse& t = out.topics.emplace_back();
            t.name = topic.name;
            for (std::int32_t partition : topic.partition_indexes) {
              OffsetFetchPartitionResponse& slot = t.partitions.emplace_back();
              slot.partition_index = partition;
              slot.error_code = WireError(r.error);
              slot.metadata = "";
              for (const auto& [tp, committed] : r.partitions) {
                if (tp.topic != topic.name || tp.partition != partition) continue;
                slot.committed_offset = committed.offset;
                slot.metadata = committed.metadata;
              }
            }
          }
          p.frame = EncodeOffsetFetchResponse(p.header, out);
        } else {
          // ConsumerGroupHeartbeat is not advertised, so no answer of that kind is owed.
          p.frame = EncodeErrorOnlyResponse(p.header, WireError(Errc::kInvalidRequest));
        }
      },
      response);
  p.done = true;
}

const kafka::GroupCoordinatorHost* GatewayCore::GroupsOf(std::int32_t broker_id) {
  const kafka::KafkaNode* server = world_.BrokerServer(broker_id);
  const kafka::Broker* broker = server != nullptr ? server->broker() : nullptr;
  return broker != nullptr ? &broker->groups() : nullptr;
}

// GroupMetadataManager.describeGroups: a Stable group's members with their metadata for the
// chosen protocol and their assignment, other states without; an unknown group (or one of
// the KIP-848 consumer protocol, not a classic group) is "Dead". A group this broker does
// not coordinate gets NOT_COORDINATOR (GroupCoordinatorService.describeGroups).
void GatewayCore::AnswerDescribeGroups(Pending& p, const DescribeGroupsRequest& r) {
  const kafka::GroupCoordinatorHost* host = GroupsOf(p.broker_id);
  const kafka::MetadataImage* image = ImageOf(p.broker_id);
  const kafka::TopicImage* offsets =
      image != nullptr ? image->Topic(std::string(kafka::kConsumerOffsetsTopic)) : nullptr;
  std::vector<DescribedGroup> out;
  for (const std::string& group_id : r.groups) {
    DescribedGroup& d = out.emplace_back();
    d.group_id = group_id;
    const kafka::GroupCoordinator* coordinator = nullptr;
    if (host != nullptr && offsets != nullptr && !offsets->partitions.empty()) {
      const auto it = host->coordinators().find(kafka::PartitionForGroup(
          group_id, static_cast<std::int32_t>(offsets->partitions.size())));
      if (it != host->coordinators().end()) coordinator = it->second.get();
    }
    if (coordinator == nullptr) {
      d.error_code = static_cast<std::int16_t>(offsets == nullptr ? Errc::kCoordinatorNotAvailable
                                                                  : Errc::kNotCoordinator);
      continue;
    }
    const kafka::ClassicGroup* group = coordinator->group(group_id);
    if (group == nullptr) {
      d.group_state = "Dead";
      continue;
    }
    d.group_state = std::string(kafka::GroupStateName(group->state));
    d.protocol_type = group->protocol_type;
    const bool stable = group->state == kafka::GroupState::kStable && group->protocol_name;
    if (stable) d.protocol_data = *group->protocol_name;
    for (const std::string& member_id : group->MemberOrder()) {
      const auto m = group->members.find(member_id);
      if (m == group->members.end()) continue;
      DescribedGroupMember& out_member = d.members.emplace_back();
      out_member.member_id = member_id;
      out_member.client_id = m->second.client_id;
      out_member.client_host = m->second.client_host;
      if (!stable) continue;  // ClassicGroupMember.describeNoMetadata
      for (const kafka::JoinGroupProtocol& protocol : m->second.protocols) {
        if (protocol.name == *group->protocol_name) out_member.member_metadata = protocol.metadata;
      }
      out_member.member_assignment = m->second.assignment;
    }
  }
  p.frame = EncodeDescribeGroupsResponse(p.header, out);
  p.done = true;
}

// ListGroups v0: the groups this broker coordinates (GroupCoordinatorService.listGroups), the
// KIP-848 ones with protocol type "consumer".
void GatewayCore::AnswerListGroups(Pending& p) {
  ListGroupsResponse out;
  if (const kafka::GroupCoordinatorHost* host = GroupsOf(p.broker_id)) {
    for (const auto& entry : host->coordinators()) {
      for (const auto& group : entry.second->groups()) {
        out.groups.push_back(ListedGroup{group.first, group.second.protocol_type});
      }
      for (const auto& group : entry.second->consumer_groups()) {
        out.groups.push_back(ListedGroup{group.first, "consumer"});
      }
    }
  }
  p.frame = EncodeListGroupsResponse(p.header, out);
  p.done = true;
}

const kafka::MetadataImage* GatewayCore::ImageOf(std::int32_t broker_id) {
  if (kafka::KafkaNode* server = world_.BrokerServer(broker_id)) return &server->metadata();
  return world_.BestImage();
}

std::int16_t GatewayCore::RefineError(std::int32_t broker_id, const std::string& topic,
                                      std::int32_t partition, Errc error) {
  if (error == Errc::kNotLeaderOrFollower) {
    const kafka::MetadataImage* image = ImageOf(broker_id);
    if (image != nullptr && image->Partition(topic, partition) == nullptr) {
      return static_cast<std::int16_t>(Errc::kUnknownTopicOrPartition);
    }
  }
  return WireError(error);
}

void GatewayCore::OnMetadata(Pending& p, const kafka::MetadataResponse& r, NodeIndex from) {
  const std::int32_t answering = world_.directory().IdFor(from);
  MetadataResponse out;
  std::vector<kafka::BrokerId> live = r.live_brokers;
  std::sort(live.begin(), live.end());
  for (kafka::BrokerId id : live) {
    if (std::find(broker_ids_.begin(), broker_ids_.end(), id) == broker_ids_.end()) continue;
    out.brokers.push_back(MetadataBroker{id, options_.advertised_host, PortOf(id), std::nullopt});
  }
  out.cluster_id = world_.directory().cluster_id;
  out.controller_id = AdvertisedControllerId(out.brokers);
  std::map<std::string, std::vector<const kafka::PartitionMetadata*>> by_topic;
  for (const kafka::PartitionMetadata& pm : r.partitions) by_topic[pm.topic].push_back(&pm);
  std::vector<std::string> names;
  if (p.metadata_topics) {
    names = *p.metadata_topics;
  } else {
    for (const auto& entry : by_topic) names.push_back(entry.first);
  }
  const kafka::MetadataImage* image = ImageOf(answering);
  for (const std::string& name : names) {
    MetadataTopic& topic = out.topics.emplace_back();
    topic.name = name;
    topic.is_internal = IsInternalTopic(name);
    const auto it = by_topic.find(name);
    if (it == by_topic.end()) {
      // The broker's answer for a missing topic (being created: LEADER_NOT_AVAILABLE in
      // ZooKeeper mode; an illegal name: INVALID_TOPIC_EXCEPTION), else unknown.
      Errc error = Errc::kUnknownTopicOrPartition;
      for (const auto& [missing, why] : r.topic_errors) {
        if (missing == name) error = why;
      }
      topic.error_code = static_cast<std::int16_t>(error);
      continue;
    }
    std::vector<const kafka::PartitionMetadata*> parts = it->second;
    std::sort(parts.begin(), parts.end(),
              [](const auto* a, const auto* b) { return a->partition < b->partition; });
    for (const kafka::PartitionMetadata* pm : parts) {
      MetadataPartition& part = topic.partitions.emplace_back();
      part.partition_index = pm->partition;
      part.leader_id = pm->leader;
      const kafka::PartitionRegistration* reg =
          image != nullptr ? image->Partition(name, pm->partition) : nullptr;
      if (reg != nullptr) {
        part.replica_nodes = reg->replicas;
        part.isr_nodes = reg->isr;
      } else if (pm->leader >= 0) {
        part.replica_nodes = {pm->leader};
        part.isr_nodes = {pm->leader};
      }
      if (pm->leader < 0) part.error_code = static_cast<std::int16_t>(Errc::kLeaderNotAvailable);
    }
  }
  p.frame = EncodeMetadataResponse(p.header, out);
  p.done = true;
}

void GatewayCore::OnSimMessage(const Message& message) {
  const auto* kafka = message.As<kafka::KafkaMessage>();
  if (kafka == nullptr) return;
  if (const auto* admin = kafka->Get<kafka::AdminResponse>()) {
    if (admin_.empty() || !admin_.front().in_flight || admin_.front().sent_to != message.from) {
      return;  // the answer to a call that timed out meanwhile
    }
    const auto* create = std::get_if<kafka::CreateTopicsRequest>(&admin_.front().request);
    if (create != nullptr && admin->topic != create->name) return;  // likewise
    if (admin->error == Errc::kNotController && !zookeeper_mode()) {
      // The controller moved: the broker's forwarding manager sends it again to the new one.
      admin_.front().in_flight = false;
      world_.sim().Env(node_).SetTimer(kForwardRetry, kTimerAdminPump);
      return;
    }
    FinishAdmin(admin->error, admin->message);
    PumpAdmin();
    return;
  }
  std::int64_t correlation = -1;
  std::visit(
      [&](const auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, kafka::MetadataResponse> ||
                      std::is_same_v<T, kafka::ProduceResponse> ||
                      std::is_same_v<T, kafka::FetchResponse> ||
                      std::is_same_v<T, kafka::ListOffsetsResponse> ||
                      std::is_same_v<T, kafka::InitProducerIdResponse> ||
                      std::is_same_v<T, kafka::FindCoordinatorResponse> ||
                      std::is_same_v<T, kafka::GroupResponseMessage>) {
          correlation = body.correlation_id;
        }
      },
      kafka->body);
  const auto it = calls_.find(correlation);
  if (it == calls_.end()) return;  // its connection closed meanwhile
  const SimCall call = it->second;
  calls_.erase(it);
  Pending& p = *call.pending;
  --p.outstanding;
  if (const auto* md = kafka->Get<kafka::MetadataResponse>()) {
    OnMetadata(p, *md, message.from);
  } else if (const auto* produced = kafka->Get<kafka::ProduceResponse>()) {
    ProducePartitionResponse& slot = p.produce.topics[call.topic].partitions[call.partition];
    slot.error_code =
        RefineError(p.broker_id, produced->topic, produced->partition, produced->error);
    slot.base_offset = produced->error == Errc::kNone ? produced->base_offset : -1;
  } else if (const auto* fetched = kafka->Get<kafka::FetchResponse>()) {
    std::size_t k = 0;
    for (FetchTopicResponse& topic : p.fetch.topics) {
      for (FetchPartitionResponse& part : topic.partitions) {
        if (k >= fetched->partitions.size()) break;
        const kafka::FetchedPartition& f = fetched->partitions[k++];
        part.error_code = RefineError(p.broker_id, f.topic, f.partition, f.error);
        part.high_watermark = f.error == Errc::kNone ? f.high_watermark : -1;
        // No transactions are simulated: the last stable offset is the high watermark.
        part.last_stable_offset = part.high_watermark;
        part.records = f.records;
      }
    }
  } else if (const auto* listed = kafka->Get<kafka::ListOffsetsResponse>()) {
    ListOffsetsPartitionResponse& slot =
        p.list_offsets.topics[call.topic].partitions[call.partition];
    slot.error_code = RefineError(p.broker_id, listed->topic, listed->partition, listed->error);
    slot.offset = listed->error == Errc::kNone ? listed->offset : -1;
  } else if (const auto* init = kafka->Get<kafka::InitProducerIdResponse>()) {
    p.frame = EncodeInitProducerIdResponse(
        p.header, {WireError(init->error), init->producer_id, init->producer_epoch});
    p.done = true;
  } else if (const auto* found = kafka->Get<kafka::FindCoordinatorResponse>()) {
    FindCoordinatorResponse out;
    out.error_code = WireError(found->error);
    if (found->error == Errc::kNone) {
      out.node_id = found->node_id;
      out.host = options_.advertised_host;
      out.port = PortOf(found->node_id);
    }
    p.frame = EncodeFindCoordinatorResponse(p.header, out);
    p.done = true;
  } else if (const auto* group = kafka->Get<kafka::GroupResponseMessage>()) {
    OnGroupResponse(p, group->response);
  }
  if (p.outstanding == 0 && !p.done) Complete(p);
  Flush(call.connection);
}

void GatewayCore::Complete(Pending& p) {
  p.done = true;
  if (p.silent) return;
  switch (p.header.api_key) {
    case api::kProduce:
      p.frame = EncodeProduceResponse(p.header, p.produce);
      break;
    case api::kFetch:
      p.frame = EncodeFetchResponse(p.header, p.fetch);
      break;
    case api::kListOffsets:
      p.frame = EncodeListOffsetsResponse(p.header, p.list_offsets);
      break;
    case api::kCreateTopics:
    case api::kDeleteTopics:
    case api::kCreatePartitions:
      p.frame = EncodeTopicResults(p.header, p.topic_results);
      break;
    default:
      KSIM_UNREACHABLE();
  }
}

void GatewayCore::Flush(std::uint64_t connection) {
  const auto it = connections_.find(connection);
  if (it == connections_.end()) return;
  std::deque<std::unique_ptr<Pending>>& queue = it->second.queue;
  while (!queue.empty() && queue.front()->done) {
    if (!queue.front()->silent && send_) send_(connection, std::move(queue.front()->frame));
    queue.pop_front();
  }
}

// ---- Admin: CreateTopics, DeleteTopics, CreatePartitions -----------------------------------
// A KRaft broker forwards these to the active controller (ForwardingManager, KafkaApis.
// handleCreateTopicsRequest and the others via maybeForwardToController), retrying while the
// controller moves, and answers REQUEST_TIMED_OUT after request.timeout.ms. A ZooKeeper-mode
// broker answers them itself if it is the controller, else NOT_CONTROLLER (ZkAdminManager), and
// clients find the controller in Metadata. Either way the simulated controller decides, with
// Kafka's checks and messages (ReplicationControlManager; kafka/controller_logic.cc).

bool GatewayCore::zookeeper_mode() const {
  return scenario::ControlPlaneOf(world_.scenario()) == kafka::ControlPlane::kZooKeeper;
}

std::int32_t GatewayCore::AdvertisedControllerId(const std::vector<MetadataBroker>& brokers) {
  // ZooKeeper mode: the controller broker (MetadataCache.getControllerId), where admin clients
  // send CreateTopics. KRaft brokers name a random live broker (clients cannot reach the
  // controllers; the broker forwards); the lowest keeps the run deterministic.
  if (zookeeper_mode()) return world_.ActiveControllerId();
  return brokers.empty() ? -1 : brokers.front().node_id;
}

namespace {

std::size_t CountName(const std::vector<std::string>& names, const std::string& name) {
  return static_cast<std::size_t>(std::count(names.begin(), names.end(), name));
}

void Refuse(TopicResult& slot, Errc error, std::string message) {
  slot.error_code = WireError(error);
  slot.error_message = std::move(message);
}

// The simulator's own limits (scenario/limits.h) hold for real clients as for the console.
std::string PartitionLimit(std::int64_t requested, std::int64_t total) {
  if (requested > scenario::kPartitionsPerTopicMax) {
    return fmt::format("kafkasim runs at most {} partitions per topic, not {}",
                       scenario::kPartitionsPerTopicMax, requested);
  }
  if (total > scenario::kPartitionsTotalMax) {
    return fmt::format("kafkasim runs at most {} partitions in all topics; this would make {}",
                       scenario::kPartitionsTotalMax, total);
  }
  return "";
}

constexpr std::string_view kValidateOnly =
    "validateOnly is not simulated: the request is refused rather than answered as if checked";

}  // namespace

void GatewayCore::StartCreateTopics(std::uint64_t connection, Pending& p,
                                    const CreateTopicsRequest& r) {
  const kafka::MetadataImage* image = ImageOf(p.broker_id);
  std::int64_t total = 0;
  if (image != nullptr) {
    for (const auto& entry : image->topics()) {
      total += static_cast<std::int64_t>(entry.second.partitions.size());
    }
  }
  std::vector<std::string> names;
  for (const CreatableTopicData& t : r.topics) names.push_back(t.name);
  const std::int64_t num_partitions =
      world_.scenario().cluster.broker_config.GetLong("num.partitions");
  for (std::size_t i = 0; i < r.topics.size(); ++i) {
    const CreatableTopicData& t = r.topics[i];
    TopicResult& slot = p.topic_results.emplace_back();
    slot.name = t.name;
    if (CountName(names, t.name) > 1) {
      Refuse(slot, Errc::kInvalidRequest, "Duplicate topic name.");  // ControllerApis
      continue;
    }
    if (r.validate_only) {
      Refuse(slot, Errc::kInvalidRequest, std::string(kValidateOnly));
      continue;
    }
    // ReplicationControlManager.createTopic and computeConfigChanges.
    std::vector<std::string> null_configs;
    for (const auto& [name, value] : t.configs) {
      if (!value) null_configs.push_back(name);
    }
    if (!null_configs.empty()) {
      Refuse(slot, Errc::kInvalidConfig,
             fmt::format("Null value not supported for topic configs: {}",
                         fmt::join(null_configs, ",")));
      continue;
    }
    std::map<std::int32_t, std::vector<std::int32_t>> by_partition;
    std::string assignment_error;
    for (const auto& [partition, brokers] : t.assignments) {
      if (!by_partition.emplace(partition, brokers).second && assignment_error.empty()) {
        assignment_error =
            fmt::format("Found multiple manual partition assignments for partition {}", partition);
      }
    }
    for (std::int32_t k = 0;
         assignment_error.empty() && k < static_cast<std::int32_t>(by_partition.size()); ++k) {
      if (!by_partition.contains(k)) {
        assignment_error = "partitions should be a consecutive 0-based integer sequence";
      }
    }
    if (!assignment_error.empty()) {
      Refuse(slot, Errc::kInvalidReplicaAssignment, assignment_error);
      continue;
    }
    const std::int64_t requested =
        t.assignments.empty() ? (t.num_partitions == -1 ? num_partitions : t.num_partitions)
                              : static_cast<std::int64_t>(t.assignments.size());
    if (requested > 0) {
      if (std::string limit = PartitionLimit(requested, total + requested); !limit.empty()) {
        Refuse(slot, Errc::kPolicyViolation, limit + " (docs/SCENARIO_FORMAT.md, Limits)");
        continue;
      }
      total += requested;
    }
    kafka::CreateTopicsRequest create;
    create.name = t.name;
    create.partitions = t.num_partitions;
    create.replication_factor = t.replication_factor;
    for (const auto& entry : by_partition) create.assignments.push_back(entry.second);
    for (const auto& [name, value] : t.configs) create.configs.emplace_back(name, *value);
    EnqueueAdmin(connection, p, i, std::move(create));
  }
  if (p.outstanding == 0) Complete(p);
}

void GatewayCore::StartDeleteTopics(std::uint64_t connection, Pending& p,
                                    const DeleteTopicsRequest& r) {
  for (std::size_t i = 0; i < r.topic_names.size(); ++i) {
    TopicResult& slot = p.topic_results.emplace_back();
    slot.name = r.topic_names[i];
    if (CountName(r.topic_names, slot.name) > 1) {
      Refuse(slot, Errc::kInvalidRequest, "Duplicate topic name.");
      continue;
    }
    EnqueueAdmin(connection, p, i, kafka::DeleteTopicsRequest{slot.name});
  }
  if (p.outstanding == 0) Complete(p);
}

void GatewayCore::StartCreatePartitions(std::uint64_t connection, Pending& p,
                                        const CreatePartitionsRequest& r) {
  std::vector<std::string> names;
  for (const CreatePartitionsTopicData& t : r.topics) names.push_back(t.name);
  const kafka::MetadataImage* image = ImageOf(p.broker_id);
  for (std::size_t i = 0; i < r.topics.size(); ++i) {
    const CreatePartitionsTopicData& t = r.topics[i];
    TopicResult& slot = p.topic_results.emplace_back();
    slot.name = t.name;
    if (CountName(names, t.name) > 1) {
      // ControllerApis.createPartitions: "Duplicate topic name."
      Refuse(slot, Errc::kInvalidRequest, "Duplicate topic name.");
      continue;
    }
    if (r.validate_only) {
      Refuse(slot, Errc::kInvalidRequest, std::string(kValidateOnly));
      continue;
    }
    if (t.assignments) {
      Refuse(slot, Errc::kInvalidReplicaAssignment,
             "kafkasim places new partitions itself: a manual assignment is not simulated");
      continue;
    }
    std::int64_t total = t.count;
    if (image != nullptr) {
      for (const auto& [name, topic] : image->topics()) {
        if (name != t.name) total += static_cast<std::int64_t>(topic.partitions.size());
      }
    }
    if (std::string limit = PartitionLimit(t.count, total); !limit.empty()) {
      Refuse(slot, Errc::kPolicyViolation, limit + " (docs/SCENARIO_FORMAT.md, Limits)");
      continue;
    }
    EnqueueAdmin(connection, p, i, kafka::CreatePartitionsRequest{t.name, t.count});
  }
  if (p.outstanding == 0) Complete(p);
}

void GatewayCore::EnqueueAdmin(std::uint64_t connection, Pending& p, std::size_t index,
                               kafka::KafkaBody request) {
  ++p.outstanding;
  admin_.push_back(AdminCall{connection, &p, index, std::move(request),
                             world_.sim().Now() + kForwardTimeout, false, kNoNode});
  if (admin_.size() == 1) PumpAdmin();
}

void GatewayCore::PumpAdmin() {
  Simulation& sim = world_.sim();
  NodeEnv& env = sim.Env(node_);
  while (!admin_.empty()) {
    AdminCall& c = admin_.front();
    if (c.pending == nullptr && !c.in_flight) {
      admin_.pop_front();
      continue;
    }
    if (sim.Now() >= c.deadline) {
      // ForwardingManager's timeout; CreateTopics without a wait also says this
      // (librdkafka hides it then: the creation goes on).
      FinishAdmin(Errc::kRequestTimedOut, "The controller did not answer within 30000 ms.");
      continue;
    }
    if (c.in_flight) return;
    NodeIndex to = kNoNode;
    if (zookeeper_mode()) {
      to = world_.directory().NodeFor(c.pending->broker_id);
    } else if (const std::int32_t controller = world_.ActiveControllerId(); controller >= 0) {
      to = world_.directory().NodeFor(controller);
    }
    if (to == kNoNode) {
      env.SetTimer(kForwardRetry, kTimerAdminPump);
      return;
    }
    c.in_flight = true;
    c.sent_to = to;
    env.Send(to, std::make_shared<kafka::KafkaMessage>(c.request));
    env.SetTimer(c.deadline - sim.Now(), kTimerAdminPump);
    return;
  }
}

void GatewayCore::FinishAdmin(Errc error, const std::string& message) {
  const AdminCall call = std::move(admin_.front());
  admin_.pop_front();
  if (call.pending == nullptr) return;
  Pending& p = *call.pending;
  TopicResult& slot = p.topic_results[call.index];
  slot.error_code = WireError(error);
  if (error != Errc::kNone && !message.empty()) slot.error_message = message;
  if (--p.outstanding == 0 && !p.done) Complete(p);
  Flush(call.connection);
}

void GatewayCore::OnSimTimer(std::uint64_t tag) {
  if (tag == kTimerAdminPump) PumpAdmin();
}

void GatewayCore::OnSimDisconnect(NodeIndex peer) {
  if (admin_.empty() || !admin_.front().in_flight || admin_.front().sent_to != peer) return;
  if (zookeeper_mode()) {
    // The broker that was to answer is gone, and with it the client's connection.
    FinishAdmin(Errc::kNotController, "");
    PumpAdmin();
    return;
  }
  admin_.front().in_flight = false;  // forwarded again to the next active controller
  world_.sim().Env(node_).SetTimer(kForwardRetry, kTimerAdminPump);
}

// ---- DescribeConfigs and DescribeCluster ----------------------------------------------------

namespace {

struct BrokerSynonym {
  std::string_view name;
  std::int64_t to_ms = 1;  // the factor from the broker config's unit
};

// ServerTopicConfigSynonyms.ALL_TOPIC_CONFIG_SYNONYMS for the topic configs of the catalogue:
// the broker configs that give a topic config its value when the topic does not set it,
// highest priority first.
std::vector<BrokerSynonym> BrokerSynonymsOf(std::string_view topic_config) {
  static const std::map<std::string_view, std::vector<BrokerSynonym>> table = {
      {"cleanup.policy", {{"log.cleanup.policy"}}},
      {"compression.type", {{"compression.type"}}},
      {"delete.retention.ms", {{"log.cleaner.delete.retention.ms"}}},
      {"file.delete.delay.ms", {{"log.segment.delete.delay.ms"}}},
      {"flush.messages", {{"log.flush.interval.messages"}}},
      {"flush.ms", {{"log.flush.interval.ms"}, {"log.flush.scheduler.interval.ms"}}},
      {"index.interval.bytes", {{"log.index.interval.bytes"}}},
      {"max.compaction.lag.ms", {{"log.cleaner.max.compaction.lag.ms"}}},
      {"max.message.bytes", {{"message.max.bytes"}}},
      {"message.timestamp.type", {{"log.message.timestamp.type"}}},
      {"min.cleanable.dirty.ratio", {{"log.cleaner.min.cleanable.ratio"}}},
      {"min.compaction.lag.ms", {{"log.cleaner.min.compaction.lag.ms"}}},
      {"min.insync.replicas", {{"min.insync.replicas"}}},
      {"retention.bytes", {{"log.retention.bytes"}}},
      {"retention.ms",
       {{"log.retention.ms"},
        {"log.retention.minutes", 60'000},
        {"log.retention.hours", 3'600'000}}},
      {"segment.bytes", {{"log.segment.bytes"}}},
      {"segment.index.bytes", {{"log.index.size.max.bytes"}}},
      {"segment.jitter.ms", {{"log.roll.jitter.ms"}, {"log.roll.jitter.hours", 3'600'000}}},
      {"segment.ms", {{"log.roll.ms"}, {"log.roll.hours", 3'600'000}}},
      {"unclean.leader.election.enable", {{"unclean.leader.election.enable"}}},
  };
  const auto it = table.find(topic_config);
  return it == table.end() ? std::vector<BrokerSynonym>{} : it->second;
}

bool IsTopicConfigSynonym(std::string_view broker_config) {
  for (const kafka::ConfigSpec& spec : kafka::TopicConfigSpecs()) {
    for (const BrokerSynonym& s : BrokerSynonymsOf(spec.name)) {
      if (s.name == broker_config) return true;
    }
  }
  return false;
}

bool Wanted(const DescribeConfigsResourceData& resource, std::string_view name) {
  if (!resource.configuration_keys || resource.configuration_keys->empty()) return true;
  const auto& keys = *resource.configuration_keys;
  return std::find(keys.begin(), keys.end(), name) != keys.end();
}

// The node's config/server.properties as kafkasim generates it: the static broker configs.
std::map<std::string, std::string> StaticConfigsOf(const scenario::Scenario& s,
                                                   std::int32_t broker_id) {
  std::map<std::string, std::string> out;
  for (const scenario::NodeSpec& node : s.cluster.nodes) {
    if (node.node_id != broker_id ||
        (node.role != scenario::NodeRole::kBroker && node.role != scenario::NodeRole::kCombined)) {
      continue;
    }
    const std::string text = scenario::ConfigFileOf(s, node);
    std::size_t at = 0;
    while (at < text.size()) {
      std::size_t end = text.find('\n', at);
      if (end == std::string::npos) end = text.size();
      const std::string line = text.substr(at, end - at);
      at = end + 1;
      const std::size_t eq = line.find('=');
      if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
      out[line.substr(0, eq)] = line.substr(eq + 1);
    }
  }
  return out;
}

}  // namespace

void GatewayCore::AnswerDescribeConfigs(Pending& p, const DescribeConfigsRequest& r) {
  std::vector<DescribeConfigsResult> out;
  for (const DescribeConfigsResourceData& resource : r.resources) {
    switch (resource.resource_type) {
      case 2:  // TOPIC
        out.push_back(DescribeTopicConfigs(p.broker_id, resource, r.include_synonyms));
        break;
      case 4:  // BROKER
        out.push_back(DescribeBrokerConfigs(p.broker_id, resource, r.include_synonyms));
        break;
      default: {
        // BROKER_LOGGER's log4j loggers are not simulated; other types Kafka refuses too
        // (ConfigHelper.describeConfigs).
        DescribeConfigsResult& d = out.emplace_back();
        d.resource_type = resource.resource_type;
        d.resource_name = resource.resource_name;
        d.error_code = WireError(Errc::kInvalidRequest);
        d.error_message = resource.resource_type == 8
                              ? "broker loggers (log4j) are not simulated"
                              : fmt::format("Unsupported resource type: {}",
                                            static_cast<int>(resource.resource_type));
        break;
      }
    }
  }
  p.frame = EncodeDescribeConfigsResponse(p.header, out);
  p.done = true;
}

// ConfigHelper.createTopicConfigEntry: every topic config with its value and where it comes
// from, the first of: the topic's override (TOPIC_CONFIG), a cluster-wide dynamic default
// (DYNAMIC_DEFAULT_BROKER_CONFIG), the broker's server.properties through the config's broker
// synonym (STATIC_BROKER_CONFIG), else Kafka's default (DEFAULT_CONFIG, is_default in v0). The
// values are the ones the simulated logs run with (ReplicaManager::OpenPartition).
DescribeConfigsResult GatewayCore::DescribeTopicConfigs(std::int32_t broker_id,
                                                        const DescribeConfigsResourceData& resource,
                                                        bool include_synonyms) {
  DescribeConfigsResult out;
  out.resource_type = resource.resource_type;
  out.resource_name = resource.resource_name;
  if (Status valid = kafka::ValidateTopicName(resource.resource_name); !valid.ok()) {
    out.error_code = WireError(valid.code());
    out.error_message = valid.message();
    return out;
  }
  const kafka::MetadataImage* image = ImageOf(broker_id);
  const kafka::TopicImage* topic =
      image != nullptr ? image->Topic(resource.resource_name) : nullptr;
  if (topic == nullptr) {
    out.error_code = WireError(Errc::kUnknownTopicOrPartition);  // no message, as Kafka's
    return out;
  }
  const scenario::ConfigMap& broker_config = world_.scenario().cluster.broker_config;
  for (const kafka::ConfigSpec& spec : kafka::TopicConfigSpecs()) {
    if (!Wanted(resource, spec.name)) continue;
    const std::string name(spec.name);
    DescribedConfig& c = out.configs.emplace_back();
    c.name = name;
    std::vector<ConfigSynonym> synonyms;
    if (const auto it = topic->configs.find(name); it != topic->configs.end()) {
      synonyms.push_back({name, it->second, config_source::kDynamicTopicConfig});
    }
    // kafka::MetadataImage::TopicConfig reads the cluster-wide default under the topic
    // config's own name.
    if (const auto it = image->cluster_configs().find(name); it != image->cluster_configs().end()) {
      synonyms.push_back({name, it->second, config_source::kDynamicDefaultBrokerConfig});
    }
    std::optional<std::string> static_value;
    for (const BrokerSynonym& s : BrokerSynonymsOf(spec.name)) {
      if (!broker_config.IsSet(s.name)) continue;
      const std::string value = broker_config.explicit_values().at(std::string(s.name));
      synonyms.push_back({std::string(s.name), value, config_source::kStaticBrokerConfig});
      if (!static_value) {
        if (s.to_ms == 1) {
          static_value = value;
        } else {
          // KafkaConfig.logRetentionTimeMillis / logRollTimeMillis: negative means -1.
          const std::int64_t ms = broker_config.GetLong(s.name) * s.to_ms;
          static_value = std::to_string(ms < 0 ? -1 : ms);
        }
      }
    }
    if (synonyms.empty()) {
      c.value = std::string(spec.default_value);
      c.source = config_source::kDefaultConfig;
    } else {
      const ConfigSynonym& first = synonyms.front();
      c.source = first.source;
      c.value = first.source == config_source::kStaticBrokerConfig ? static_value : first.value;
    }
    if (include_synonyms) c.synonyms = std::move(synonyms);
  }
  return out;
}

// ConfigHelper.describeConfigs for a BROKER resource: "" is the cluster-wide dynamic defaults;
// the broker's own id lists every broker config of the catalogue with the value it runs with:
// a dynamic default, else its server.properties (STATIC_BROKER_CONFIG), else Kafka's default.
DescribeConfigsResult GatewayCore::DescribeBrokerConfigs(
    std::int32_t broker_id, const DescribeConfigsResourceData& resource, bool include_synonyms) {
  DescribeConfigsResult out;
  out.resource_type = resource.resource_type;
  out.resource_name = resource.resource_name;
  const kafka::MetadataImage* image = ImageOf(broker_id);
  static const std::map<std::string, std::string> kNone;
  const std::map<std::string, std::string>& dynamic =
      image != nullptr ? image->cluster_configs() : kNone;
  if (resource.resource_name.empty()) {
    for (const auto& [name, value] : dynamic) {
      if (!Wanted(resource, name)) continue;
      DescribedConfig& c = out.configs.emplace_back();
      c.name = name;
      c.value = value;
      c.source = config_source::kDynamicDefaultBrokerConfig;
      if (include_synonyms) c.synonyms.push_back({name, value, c.source});
    }
    return out;
  }
  const std::string& id_text = resource.resource_name;
  const bool numeric =
      id_text.size() <= 10 && id_text.find_first_not_of("0123456789") == std::string::npos;
  if (!numeric) {
    out.error_code = WireError(Errc::kInvalidRequest);
    out.error_message = fmt::format("Broker id must be an integer, but it is: {}", id_text);
    return out;
  }
  if (std::stoll(id_text) != broker_id) {
    out.error_code = WireError(Errc::kInvalidRequest);
    out.error_message = fmt::format(
        "Unexpected broker id, expected {} or empty string, but received {}", broker_id, id_text);
    return out;
  }
  std::map<std::string, std::string> statics = StaticConfigsOf(world_.scenario(), broker_id);
  std::map<std::string, DescribedConfig> configs;
  const auto describe = [&](const std::string& name, std::optional<std::string> fallback) {
    DescribedConfig c;
    c.name = name;
    // Read-only unless Kafka reconfigures it at runtime; of the catalogue, the log configs
    // that are topic-config synonyms (DynamicLogConfig.ReconfigurableConfigs).
    c.read_only = !IsTopicConfigSynonym(name);
    std::vector<ConfigSynonym> synonyms;
    if (const auto it = dynamic.find(name); it != dynamic.end()) {
      synonyms.push_back({name, it->second, config_source::kDynamicDefaultBrokerConfig});
    }
    if (const auto it = statics.find(name); it != statics.end()) {
      synonyms.push_back({name, it->second, config_source::kStaticBrokerConfig});
    }
    if (synonyms.empty()) {
      c.value = std::move(fallback);
      c.source = config_source::kDefaultConfig;
    } else {
      c.value = synonyms.front().value;
      c.source = synonyms.front().source;
    }
    if (include_synonyms) c.synonyms = std::move(synonyms);
    configs[name] = std::move(c);
  };
  for (const kafka::ConfigSpec& spec : kafka::BrokerConfigSpecs()) {
    if (Wanted(resource, spec.name))
      describe(std::string(spec.name), std::string(spec.default_value));
  }
  for (const auto& entry : statics) {  // broker.id, zookeeper.connect, ...
    if (!configs.contains(entry.first) && Wanted(resource, entry.first)) {
      describe(entry.first, std::nullopt);
    }
  }
  for (auto& entry : configs) out.configs.push_back(std::move(entry.second));
  return out;
}

// KafkaApis.handleDescribeCluster: the live brokers as this broker's metadata has them.
void GatewayCore::AnswerDescribeCluster(Pending& p) {
  DescribeClusterResponse out;
  out.cluster_id = world_.directory().cluster_id;
  if (const kafka::MetadataImage* image = ImageOf(p.broker_id)) {
    for (const auto& [id, reg] : image->brokers()) {
      if (reg.fenced ||
          std::find(broker_ids_.begin(), broker_ids_.end(), id) == broker_ids_.end()) {
        continue;
      }
      std::optional<std::string> rack;
      if (!reg.rack.empty()) rack = reg.rack;
      out.brokers.push_back(MetadataBroker{id, options_.advertised_host, PortOf(id), rack});
    }
  }
  out.controller_id = AdvertisedControllerId(out.brokers);
  p.frame = EncodeDescribeClusterResponse(p.header, out);
  p.done = true;
}

}  // namespace kafkasim::gateway
