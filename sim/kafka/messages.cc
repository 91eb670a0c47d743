// Names and one-line descriptions of Kafka RPCs, for the GUI and sequence diagrams.
#include "kafka/messages.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iterator>
#include <type_traits>

#include "kafka/message_kind.h"
#include "storage/record_batch.h"

namespace kafkasim::kafka {

MessageClass KafkaMessage::Class() const {
  // By type, not by variant index: an index table went stale once when requests were added.
  return std::visit(
      [](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, BrokerRegistrationRequest> ||
                      std::is_same_v<T, BrokerRegistrationResponse> ||
                      std::is_same_v<T, BrokerHeartbeatRequest> ||
                      std::is_same_v<T, BrokerHeartbeatResponse>) {
          return ClassOf(MessageKind::kHeartbeat);
        } else if constexpr (std::is_same_v<T, CreateTopicsRequest> ||
                             std::is_same_v<T, DeleteTopicsRequest> ||
                             std::is_same_v<T, ElectLeadersRequest> ||
                             std::is_same_v<T, AdminResponse> ||
                             std::is_same_v<T, CreatePartitionsRequest> ||
                             std::is_same_v<T, DescribeConfigsRequest> ||
                             std::is_same_v<T, DescribeConfigsResponse> ||
                             std::is_same_v<T, IncrementalAlterConfigsRequest>) {
          return ClassOf(MessageKind::kAdmin);
        } else if constexpr (std::is_same_v<T, ProduceRequest> ||
                             std::is_same_v<T, ProduceResponse> ||
                             std::is_same_v<T, InitProducerIdRequest> ||
                             std::is_same_v<T, InitProducerIdResponse>) {
          return ClassOf(MessageKind::kProduce);
        } else if constexpr (std::is_same_v<T, FetchRequest> || std::is_same_v<T, FetchResponse> ||
                             std::is_same_v<T, ListOffsetsRequest> ||
                             std::is_same_v<T, ListOffsetsResponse>) {
          return ClassOf(MessageKind::kFetch);
        } else if constexpr (std::is_same_v<T, FindCoordinatorRequest> ||
                             std::is_same_v<T, FindCoordinatorResponse> ||
                             std::is_same_v<T, GroupRequestMessage> ||
                             std::is_same_v<T, ListGroupsRequest> ||
                             std::is_same_v<T, ListGroupsResponse> ||
                             std::is_same_v<T, GroupResponseMessage>) {
          return ClassOf(MessageKind::kGroup);
        } else {
          // AlterPartition, Metadata, AllocateProducerIds, the ZooKeeper-mode controller's
          // LeaderAndIsr, UpdateMetadata, StopReplica and ControlledShutdown.
          return ClassOf(MessageKind::kMetadata);
        }
      },
      body);
}

std::string KafkaMessage::Name() const {
  static constexpr const char* kGroupApis[] = {"JoinGroup",
                                               "SyncGroup",
                                               "Heartbeat",
                                               "LeaveGroup",
                                               "OffsetCommit",
                                               "OffsetFetch",
                                               "ConsumerGroupHeartbeat"};
  static_assert(std::size(kGroupApis) == std::variant_size_v<GroupRequestBody>);
  static_assert(std::size(kGroupApis) == std::variant_size_v<GroupResponseBody>);
  if (const auto* g = Get<GroupRequestMessage>()) return kGroupApis[g->request.index()];
  if (const auto* g = Get<GroupResponseMessage>()) {
    return std::string(kGroupApis[g->response.index()]) + "Response";
  }
  static constexpr const char* kNames[] = {"BrokerRegistration",
                                           "BrokerRegistrationResponse",
                                           "BrokerHeartbeat",
                                           "BrokerHeartbeatResponse",
                                           "AlterPartition",
                                           "AlterPartitionResponse",
                                           "CreateTopics",
                                           "DeleteTopics",
                                           "ElectLeaders",
                                           "AdminResponse",
                                           "Produce",
                                           "ProduceResponse",
                                           "Fetch",
                                           "FetchResponse",
                                           "ListOffsets",
                                           "ListOffsetsResponse",
                                           "Metadata",
                                           "MetadataResponse",
                                           "CreatePartitions",
                                           "InitProducerId",
                                           "InitProducerIdResponse",
                                           "AllocateProducerIds",
                                           "AllocateProducerIdsResponse",
                                           "LeaderAndIsr",
                                           "UpdateMetadata",
                                           "StopReplica",
                                           "FindCoordinator",
                                           "FindCoordinatorResponse",
                                           "GroupRequest",
                                           "GroupResponse",
                                           "ControlledShutdown",
                                           "ControlledShutdownResponse",
                                           "StopReplicaResponse",
                                           "ListGroups",
                                           "ListGroupsResponse",
                                           "DescribeConfigs",
                                           "DescribeConfigsResponse",
                                           "IncrementalAlterConfigs"};
  static_assert(std::size(kNames) == std::variant_size_v<KafkaBody>);
  return kNames[body.index()];
}

std::string KafkaMessage::Describe() const {
  if (const auto* r = Get<DescribeConfigsRequest>()) {
    return fmt::format("DescribeConfigs topics=[{}]", fmt::join(r->topics, ","));
  }
  if (const auto* r = Get<IncrementalAlterConfigsRequest>()) {
    std::vector<std::string> changes;
    for (const auto& [name, value] : r->changes) {
      changes.push_back(value ? fmt::format("{}={}", name, *value) : "-" + name);
    }
    return fmt::format("IncrementalAlterConfigs {} [{}]", r->topic, fmt::join(changes, ","));
  }
  if (const auto* r = Get<LeaderAndIsrRequest>()) {
    std::string parts;
    for (const ZkPartitionState& p : r->partitions) {
      parts += fmt::format("{}{}-{} leader={} epoch={} isr={}", parts.empty() ? "" : ", ", p.topic,
                           p.partition, p.leader, p.leader_epoch, fmt::join(p.isr, ","));
    }
    return fmt::format("LeaderAndIsr controller_epoch={} [{}]", r->controller_epoch, parts);
  }
  if (const auto* r = Get<UpdateMetadataRequest>()) {
    std::vector<BrokerId> live;
    for (const ZkLiveBroker& b : r->live_brokers) live.push_back(b.id);
    return fmt::format("UpdateMetadata controller_epoch={} live=[{}] partitions={}",
                       r->controller_epoch, fmt::join(live, ","), r->partitions.size());
  }
  if (const auto* r = Get<ControlledShutdownRequest>()) {
    return fmt::format("ControlledShutdown broker={} broker_epoch={}", r->broker_id,
                       r->broker_epoch);
  }
  if (const auto* r = Get<ControlledShutdownResponse>()) {
    std::vector<std::string> names;
    for (const TopicPartition& tp : r->remaining_partitions) {
      names.push_back(tp.ToString());
    }
    return fmt::format("ControlledShutdownResponse {} remaining=[{}]", ErrcName(r->error),
                       fmt::join(names, ","));
  }
  if (const auto* r = Get<StopReplicaRequest>()) {
    return fmt::format("StopReplica {}-{} delete={}", r->topic, r->partition, r->delete_partition);
  }
  if (const auto* r = Get<StopReplicaResponse>()) {
    return fmt::format("StopReplicaResponse {}-{} {}", r->topic, r->partition, ErrcName(r->error));
  }
  if (const auto* p = Get<ProduceRequest>()) {
    // The batch header says what the request carries; the records stay opaque (compressed).
    const Result<storage::BatchHeader> h = storage::ParseBatchHeader(p->records);
    if (!h.ok()) {
      return fmt::format("Produce {}-{} acks={} ({} bytes, not a batch)", p->topic, p->partition,
                         p->acks == -1 ? "all" : std::to_string(p->acks), p->records.size());
    }
    std::string extra;
    if (h->producer_id >= 0) {
      extra = fmt::format(" producer={} epoch={} seq={}", h->producer_id, h->producer_epoch,
                          h->base_sequence);
    }
    if (h->compression_codec() != 0) {
      extra += " compression=" + storage::CompressionName(h->compression_codec());
    }
    return fmt::format("Produce {}-{} acks={} records={}{}", p->topic, p->partition,
                       p->acks == -1 ? "all" : std::to_string(p->acks), h->records_count, extra);
  }
  if (const auto* r = Get<InitProducerIdResponse>()) {
    return fmt::format("InitProducerIdResponse {} producer={} epoch={}", ErrcName(r->error),
                       r->producer_id, r->producer_epoch);
  }
  if (const auto* r = Get<AllocateProducerIdsResponse>()) {
    return fmt::format("AllocateProducerIdsResponse {} ids {}..{}", ErrcName(r->error),
                       r->producer_id_start, r->producer_id_start + r->producer_id_len - 1);
  }
  if (const auto* p = Get<ProduceResponse>()) {
    return fmt::format("ProduceResponse {}-{} {} base_offset={}", p->topic, p->partition,
                       ErrcName(p->error), p->base_offset);
  }
  if (const auto* f = Get<FetchRequest>()) {
    if (f->partitions.size() == 1) {
      return fmt::format("Fetch {}-{} offset={}", f->partitions[0].topic,
                         f->partitions[0].partition, f->partitions[0].fetch_offset);
    }
    return fmt::format("Fetch {} partitions", f->partitions.size());
  }
  if (const auto* h = Get<BrokerHeartbeatRequest>()) {
    return fmt::format("BrokerHeartbeat broker={} metadata_offset={}", h->broker_id,
                       h->current_metadata_offset);
  }
  if (const auto* a = Get<AlterPartitionRequest>()) {
    return fmt::format("AlterPartition partition={} isr=[{}]", a->partition,
                       fmt::join(a->new_isr, ","));
  }
  return Name();
}

}  // namespace kafkasim::kafka
