// Kafka requests and responses on the wire; see protocol.h.
#include "gateway/protocol.h"

#include <fmt/format.h>

#include <array>
#include <limits>

#include "gateway/wire.h"

namespace kafkasim::gateway {
namespace {

constexpr std::int16_t kNever = std::numeric_limits<std::int16_t>::max();

struct ApiInfo {
  std::int16_t key;
  std::string_view name;
  std::int16_t first_flexible;
};

// Every API key Kafka defines, with its name and the first version its JSON spec lists under
// "flexibleVersions" (clients/src/main/resources/common/message/*Request.json).
constexpr std::array<ApiInfo, 88> kApis = {{
#include "gateway/api_table.inc"
}};

constexpr std::array<ApiRange, 20> kSupported = {{
    {api::kProduce, 3, 3},
    {api::kFetch, 4, 4},
    {api::kListOffsets, 1, 1},
    // v2 adds the cluster id (KafkaJS's describeCluster and librdkafka's list_topics show it).
    {api::kMetadata, 1, 2},
    {api::kOffsetCommit, 2, 2},
    {api::kOffsetFetch, 1, 1},
    // librdkafka turns its group coordinator feature on only when this range includes 0.
    {api::kFindCoordinator, 0, 0},
    {api::kJoinGroup, 1, 1},
    {api::kHeartbeat, 0, 0},
    {api::kLeaveGroup, 0, 0},
    {api::kSyncGroup, 0, 0},
    {api::kDescribeGroups, 0, 0},
    {api::kListGroups, 0, 0},
    {api::kApiVersions, 0, 3},
    // librdkafka 2.0.2 sends CreateTopics v4, DeleteTopics v1, CreatePartitions v0 and
    // DescribeConfigs v1; KafkaJS 2.2.4 CreateTopics v3, DeleteTopics v1, CreatePartitions v1
    // and DescribeConfigs v2. DescribeCluster is for newer clients (both use Metadata).
    {api::kCreateTopics, 0, 4},
    {api::kDeleteTopics, 0, 1},
    {api::kInitProducerId, 0, 1},
    {api::kDescribeConfigs, 0, 2},
    {api::kCreatePartitions, 0, 1},
    {api::kDescribeCluster, 0, 0},
}};

DecodeFailure Failure(DecodeError error, std::string message,
                      std::optional<RequestHeader> header = std::nullopt) {
  return DecodeFailure{error, std::move(message), std::move(header)};
}

void DecodeApiVersions(WireReader& r, const RequestHeader& h, ApiVersionsRequest& body) {
  if (h.api_version >= 3) {
    body.client_software_name = r.String(true);
    body.client_software_version = r.String(true);
  }
}

void DecodeMetadata(WireReader& r, MetadataRequest& body) {
  const std::int32_t n = r.ArrayLength(false);
  if (n < 0) return;  // null: every topic
  body.topics.emplace();
  for (std::int32_t i = 0; i < n && !r.failed(); ++i) body.topics->push_back(r.String(false));
}

void DecodeProduce(WireReader& r, ProduceRequest& body) {
  body.transactional_id = r.NullableString(false);
  body.acks = r.Int16();
  body.timeout_ms = r.Int32();
  const std::int32_t topics = r.ArrayLength(false);
  for (std::int32_t i = 0; i < topics && !r.failed(); ++i) {
    ProduceTopicData& t = body.topics.emplace_back();
    t.name = r.String(false);
    const std::int32_t partitions = r.ArrayLength(false);
    for (std::int32_t j = 0; j < partitions && !r.failed(); ++j) {
      ProducePartitionData& p = t.partitions.emplace_back();
      p.index = r.Int32();
      p.records = r.NullableBytes(false);
    }
  }
  if (!r.failed() && body.acks != 0 && body.acks != 1 && body.acks != -1) {
    // Kafka answers INVALID_REQUIRED_ACKS per partition; a client never sends it.
    r.Fail(fmt::format("acks {} (valid: -1, 0, 1)", body.acks));
  }
}

void DecodeFetch(WireReader& r, FetchRequest& body) {
  body.replica_id = r.Int32();
  body.max_wait_ms = r.Int32();
  body.min_bytes = r.Int32();
  body.max_bytes = r.Int32();
  body.isolation_level = r.Int8();
  const std::int32_t topics = r.ArrayLength(false);
  for (std::int32_t i = 0; i < topics && !r.failed(); ++i) {
    FetchTopicData& t = body.topics.emplace_back();
    t.topic = r.String(false);
    const std::int32_t partitions = r.ArrayLength(false);
    for (std::int32_t j = 0; j < partitions && !r.failed(); ++j) {
      FetchPartitionData& p = t.partitions.emplace_back();
      p.partition = r.Int32();
      p.fetch_offset = r.Int64();
      p.partition_max_bytes = r.Int32();
    }
  }
}

void DecodeListOffsets(WireReader& r, ListOffsetsRequest& body) {
  body.replica_id = r.Int32();
  const std::int32_t topics = r.ArrayLength(false);
  for (std::int32_t i = 0; i < topics && !r.failed(); ++i) {
    ListOffsetsTopicData& t = body.topics.emplace_back();
    t.name = r.String(false);
    const std::int32_t partitions = r.ArrayLength(false);
    for (std::int32_t j = 0; j < partitions && !r.failed(); ++j) {
      ListOffsetsPartitionData& p = t.partitions.emplace_back();
      p.partition_index = r.Int32();
      p.timestamp = r.Int64();
    }
  }
}

void DecodeInitProducerId(WireReader& r, InitProducerIdRequest& body) {
  body.transactional_id = r.NullableString(false);
  body.transaction_timeout_ms = r.Int32();
}

void DecodeFindCoordinator(WireReader& r, FindCoordinatorRequest& body) {
  body.key = r.String(false);
}

std::vector<std::uint8_t> ByteString(WireReader& r) {
  std::optional<std::vector<std::uint8_t>> b = r.NullableBytes(false);
  return b ? std::move(*b) : std::vector<std::uint8_t>{};
}

void DecodeJoinGroup(WireReader& r, JoinGroupRequest& body) {
  body.group_id = r.String(false);
  body.session_timeout_ms = r.Int32();
  body.rebalance_timeout_ms = r.Int32();
  body.member_id = r.String(false);
  body.protocol_type = r.String(false);
  const std::int32_t n = r.ArrayLength(false);
  for (std::int32_t i = 0; i < n && !r.failed(); ++i) {
    JoinGroupProtocolData& p = body.protocols.emplace_back();
    p.name = r.String(false);
    p.metadata = ByteString(r);
  }
}

void DecodeSyncGroup(WireReader& r, SyncGroupRequest& body) {
  body.group_id = r.String(false);
  body.generation_id = r.Int32();
  body.member_id = r.String(false);
  const std::int32_t n = r.ArrayLength(false);
  for (std::int32_t i = 0; i < n && !r.failed(); ++i) {
    SyncGroupAssignmentData& a = body.assignments.emplace_back();
    a.member_id = r.String(false);
    a.assignment = ByteString(r);
  }
}

void DecodeHeartbeat(WireReader& r, HeartbeatRequest& body) {
  body.group_id = r.String(false);
  body.generation_id = r.Int32();
  body.member_id = r.String(false);
}

void DecodeLeaveGroup(WireReader& r, LeaveGroupRequest& body) {
  body.group_id = r.String(false);
  body.member_id = r.String(false);
}

void DecodeOffsetCommit(WireReader& r, OffsetCommitRequest& body) {
  body.group_id = r.String(false);
  body.generation_id = r.Int32();
  body.member_id = r.String(false);
  body.retention_time_ms = r.Int64();
  const std::int32_t topics = r.ArrayLength(false);
  for (std::int32_t i = 0; i < topics && !r.failed(); ++i) {
    OffsetCommitTopicData& t = body.topics.emplace_back();
    t.name = r.String(false);
    const std::int32_t partitions = r.ArrayLength(false);
    for (std::int32_t j = 0; j < partitions && !r.failed(); ++j) {
      OffsetCommitPartitionData& p = t.partitions.emplace_back();
      p.partition_index = r.Int32();
      p.committed_offset = r.Int64();
      p.committed_metadata = r.NullableString(false);
    }
  }
}

void DecodeOffsetFetch(WireReader& r, OffsetFetchRequest& body) {
  body.group_id = r.String(false);
  const std::int32_t topics = r.ArrayLength(false);
  for (std::int32_t i = 0; i < topics && !r.failed(); ++i) {
    OffsetFetchTopicData& t = body.topics.emplace_back();
    t.name = r.String(false);
    const std::int32_t partitions = r.ArrayLength(false);
    for (std::int32_t j = 0; j < partitions && !r.failed(); ++j) {
      t.partition_indexes.push_back(r.Int32());
    }
  }
}

void DecodeDescribeGroups(WireReader& r, DescribeGroupsRequest& body) {
  const std::int32_t n = r.ArrayLength(false);
  for (std::int32_t i = 0; i < n && !r.failed(); ++i) body.groups.push_back(r.String(false));
}

std::vector<std::int32_t> Int32s(WireReader& r) {
  std::vector<std::int32_t> out;
  const std::int32_t n = r.ArrayLength(false);
  for (std::int32_t i = 0; i < n && !r.failed(); ++i) out.push_back(r.Int32());
  return out;
}

void DecodeCreateTopics(WireReader& r, const RequestHeader& h, CreateTopicsRequest& body) {
  const std::int32_t topics = r.ArrayLength(false);
  for (std::int32_t i = 0; i < topics && !r.failed(); ++i) {
    CreatableTopicData& t = body.topics.emplace_back();
    t.name = r.String(false);
    t.num_partitions = r.Int32();
    t.replication_factor = r.Int16();
    const std::int32_t assignments = r.ArrayLength(false);
    for (std::int32_t j = 0; j < assignments && !r.failed(); ++j) {
      const std::int32_t partition = r.Int32();
      t.assignments.emplace_back(partition, Int32s(r));
    }
    const std::int32_t configs = r.ArrayLength(false);
    for (std::int32_t j = 0; j < configs && !r.failed(); ++j) {
      std::string name = r.String(false);
      t.configs.emplace_back(std::move(name), r.NullableString(false));
    }
  }
  body.timeout_ms = r.Int32();
  if (h.api_version >= 1) body.validate_only = r.Bool();
}

void DecodeDeleteTopics(WireReader& r, DeleteTopicsRequest& body) {
  const std::int32_t n = r.ArrayLength(false);
  for (std::int32_t i = 0; i < n && !r.failed(); ++i) body.topic_names.push_back(r.String(false));
  body.timeout_ms = r.Int32();
}

void DecodeCreatePartitions(WireReader& r, CreatePartitionsRequest& body) {
  const std::int32_t topics = r.ArrayLength(false);
  for (std::int32_t i = 0; i < topics && !r.failed(); ++i) {
    CreatePartitionsTopicData& t = body.topics.emplace_back();
    t.name = r.String(false);
    t.count = r.Int32();
    const std::int32_t assignments = r.ArrayLength(false);
    if (assignments < 0) continue;  // null
    t.assignments.emplace();
    for (std::int32_t j = 0; j < assignments && !r.failed(); ++j) {
      t.assignments->push_back(Int32s(r));
    }
  }
  body.timeout_ms = r.Int32();
  body.validate_only = r.Bool();
}

void DecodeDescribeConfigs(WireReader& r, const RequestHeader& h, DescribeConfigsRequest& body) {
  const std::int32_t n = r.ArrayLength(false);
  for (std::int32_t i = 0; i < n && !r.failed(); ++i) {
    DescribeConfigsResourceData& d = body.resources.emplace_back();
    d.resource_type = r.Int8();
    d.resource_name = r.String(false);
    const std::int32_t keys = r.ArrayLength(false);
    if (keys < 0) continue;  // null: every config
    d.configuration_keys.emplace();
    for (std::int32_t j = 0; j < keys && !r.failed(); ++j) {
      d.configuration_keys->push_back(r.String(false));
    }
  }
  if (h.api_version >= 1) body.include_synonyms = r.Bool();
}

// Reserves the size and writes the response header: v1 (with tags) for a flexible request
// version, v0 otherwise, and always v0 for ApiVersions (ResponseHeader.json; the client must
// read it before it knows which versions the broker speaks).
std::size_t BeginResponse(WireWriter& w, const RequestHeader& h) {
  const std::size_t at = w.bytes().size();
  w.Int32(0);
  w.Int32(h.correlation_id);
  if (h.flexible && h.api_key != api::kApiVersions) w.EmptyTaggedFields();
  return at;
}

std::vector<std::uint8_t> Finish(WireWriter& w, std::size_t at) {
  w.PatchSize(at);
  return w.Take();
}

void Int32Array(WireWriter& w, const std::vector<std::int32_t>& values) {
  w.ArrayLength(static_cast<std::int32_t>(values.size()), false);
  for (std::int32_t v : values) w.Int32(v);
}

}  // namespace

std::span<const ApiRange> SupportedApis() { return kSupported; }

const ApiRange* FindSupported(std::int16_t api_key) {
  for (const ApiRange& r : kSupported) {
    if (r.api_key == api_key) return &r;
  }
  return nullptr;
}

std::string_view ApiName(std::int16_t api_key) {
  for (const ApiInfo& a : kApis) {
    if (a.key == api_key) return a.name;
  }
  return "";
}

std::int16_t FirstFlexibleVersion(std::int16_t api_key) {
  for (const ApiInfo& a : kApis) {
    if (a.key == api_key) return a.first_flexible;
  }
  return -1;
}

std::variant<Request, DecodeFailure> DecodeRequest(std::span<const std::uint8_t> frame) {
  WireReader r(frame);
  RequestHeader h;
  h.api_key = r.Int16();
  h.api_version = r.Int16();
  h.correlation_id = r.Int32();
  if (r.failed()) {
    return Failure(DecodeError::kMalformed,
                   fmt::format("[gateway.E001] malformed request header: {}", r.error()));
  }
  const std::int16_t first_flexible = FirstFlexibleVersion(h.api_key);
  if (first_flexible < 0) {
    return Failure(DecodeError::kUnknownApi,
                   fmt::format("[gateway.E002] unknown API key {} (correlation id {})", h.api_key,
                               h.correlation_id));
  }
  h.flexible = h.api_version >= first_flexible;
  h.client_id = r.NullableString(false);  // int16 length even in header v2 (RequestHeader.json)
  if (h.flexible) r.SkipTaggedFields();
  if (r.failed()) {
    return Failure(DecodeError::kMalformed,
                   fmt::format("[gateway.E001] malformed {} v{} request header: {}",
                               ApiName(h.api_key), h.api_version, r.error()));
  }
  const ApiRange* range = FindSupported(h.api_key);
  if (range == nullptr) {
    return Failure(DecodeError::kUnknownApi,
                   fmt::format("[gateway.E002] {} (API key {}) is not served by the gateway",
                               ApiName(h.api_key), h.api_key),
                   h);
  }
  if (h.api_key == api::kApiVersions && h.api_version > range->max_version) {
    return Request{h, ApiVersionsRequest{}};  // answered with UNSUPPORTED_VERSION
  }
  if (h.api_version < range->min_version || h.api_version > range->max_version) {
    return Failure(
        DecodeError::kUnsupportedVersion,
        fmt::format("[gateway.E003] {} v{} is not supported (advertised {}-{})", ApiName(h.api_key),
                    h.api_version, range->min_version, range->max_version),
        h);
  }
  Request request{h, ApiVersionsRequest{}};
  switch (h.api_key) {
    case api::kApiVersions:
      DecodeApiVersions(r, h, std::get<ApiVersionsRequest>(request.body));
      break;
    case api::kMetadata:
      DecodeMetadata(r, request.body.emplace<MetadataRequest>());
      break;
    case api::kProduce:
      DecodeProduce(r, request.body.emplace<ProduceRequest>());
      break;
    case api::kFetch:
      DecodeFetch(r, request.body.emplace<FetchRequest>());
      break;
    case api::kListOffsets:
      DecodeListOffsets(r, request.body.emplace<ListOffsetsRequest>());
      break;
    case api::kInitProducerId:
      DecodeInitProducerId(r, request.body.emplace<InitProducerIdRequest>());
      break;
    case api::kFindCoordinator:
      DecodeFindCoordinator(r, request.body.emplace<FindCoordinatorRequest>());
      break;
    case api::kJoinGroup:
      DecodeJoinGroup(r, request.body.emplace<JoinGroupRequest>());
      break;
    case api::kSyncGroup:
      DecodeSyncGroup(r, request.body.emplace<SyncGroupRequest>());
      break;
    case api::kHeartbeat:
      DecodeHeartbeat(r, request.body.emplace<HeartbeatRequest>());
      break;
    case api::kLeaveGroup:
      DecodeLeaveGroup(r, request.body.emplace<LeaveGroupRequest>());
      break;
    case api::kOffsetCommit:
      DecodeOffsetCommit(r, request.body.emplace<OffsetCommitRequest>());
      break;
    case api::kOffsetFetch:
      DecodeOffsetFetch(r, request.body.emplace<OffsetFetchRequest>());
      break;
    case api::kDescribeGroups:
      DecodeDescribeGroups(r, request.body.emplace<DescribeGroupsRequest>());
      break;
    case api::kListGroups:
      request.body.emplace<ListGroupsRequest>();  // v0 has no fields
      break;
    case api::kCreateTopics:
      DecodeCreateTopics(r, h, request.body.emplace<CreateTopicsRequest>());
      break;
    case api::kDeleteTopics:
      DecodeDeleteTopics(r, request.body.emplace<DeleteTopicsRequest>());
      break;
    case api::kCreatePartitions:
      DecodeCreatePartitions(r, request.body.emplace<CreatePartitionsRequest>());
      break;
    case api::kDescribeConfigs:
      DecodeDescribeConfigs(r, h, request.body.emplace<DescribeConfigsRequest>());
      break;
    case api::kDescribeCluster:
      request.body.emplace<DescribeClusterRequest>().include_cluster_authorized_operations =
          r.Bool();
      break;
    default:
      break;
  }
  if (h.flexible) r.SkipTaggedFields();
  if (!r.failed() && r.remaining() != 0) {
    r.Fail(fmt::format("{} byte(s) after the end of the request", r.remaining()));
  }
  if (r.failed()) {
    return Failure(DecodeError::kMalformed,
                   fmt::format("[gateway.E001] malformed {} v{} request (correlation id {}): {}",
                               ApiName(h.api_key), h.api_version, h.correlation_id, r.error()),
                   h);
  }
  return request;
}

std::vector<std::uint8_t> EncodeApiVersionsResponse(const RequestHeader& header,
                                                    std::int16_t error_code) {
  WireWriter w;
  const std::size_t at = BeginResponse(w, header);
  w.Int16(error_code);
  if (error_code != 0) {
    // KIP-511: a v0 body naming the ApiVersions range, so the client can retry lower.
    const ApiRange* self = FindSupported(api::kApiVersions);
    w.ArrayLength(1, false);
    w.Int16(self->api_key);
    w.Int16(self->min_version);
    w.Int16(self->max_version);
    return Finish(w, at);
  }
  const bool compact = header.api_version >= 3;
  w.ArrayLength(static_cast<std::int32_t>(kSupported.size()), compact);
  for (const ApiRange& range : kSupported) {
    w.Int16(range.api_key);
    w.Int16(range.min_version);
    w.Int16(range.max_version);
    if (compact) w.EmptyTaggedFields();
  }
  if (header.api_version >= 1) w.Int32(0);  // throttle_time_ms
  if (compact) w.EmptyTaggedFields();
  return Finish(w, at);
}

std::vector<std::uint8_t> EncodeMetadataResponse(const RequestHeader& header,
                                                 const MetadataResponse& response) {
  WireWriter w;
  const std::size_t at = BeginResponse(w, header);
  w.ArrayLength(static_cast<std::int32_t>(response.brokers.size()), false);
  for (const MetadataBroker& b : response.brokers) {
    w.Int32(b.node_id);
    w.String(b.host, false);
    w.Int32(b.port);
    w.NullableString(b.rack, false);
  }
  if (header.api_version >= 2) w.NullableString(response.cluster_id, false);
  w.Int32(response.controller_id);
  w.ArrayLength(static_cast<std::int32_t>(response.topics.size()), false);
  for (const MetadataTopic& t : response.topics) {
    w.Int16(t.error_code);
    w.String(t.name, false);
    w.Bool(t.is_internal);
    w.ArrayLength(static_cast<std::int32_t>(t.partitions.size()), false);
    for (const MetadataPartition& p : t.partitions) {
      w.Int16(p.error_code);
      w.Int32(p.partition_index);
      w.Int32(p.leader_id);
      Int32Array(w, p.replica_nodes);
      Int32Array(w, p.isr_nodes);
    }
  }
  return Finish(w, at);
}

std::vector<std::uint8_t> EncodeProduceResponse(const RequestHeader& header,
                                                const ProduceResponse& response) {
  WireWriter w;
  const std::size_t at = BeginResponse(w, header);
  w.ArrayLength(static_cast<std::int32_t>(response.topics.size()), false);
  for (const ProduceTopicResponse& t : response.topics) {
    w.String(t.name, false);
    w.ArrayLength(static_cast<std::int32_t>(t.partitions.size()), false);
    for (const ProducePartitionResponse& p : t.partitions) {
      w.Int32(p.index);
      w.Int16(p.error_code);
      w.Int64(p.base_offset);
      w.Int64(p.log_append_time_ms);
    }
  }
  w.Int32(0);  // throttle_time_ms, last in Produce v1+
  return Finish(w, at);
}

std::vector<std::uint8_t> EncodeFetchResponse(const RequestHeader& header,
                                              const FetchResponse& response) {
  WireWriter w;
  const std::size_t at = BeginResponse(w, header);
  w.Int32(0);  // throttle_time_ms
  w.ArrayLength(static_cast<std::int32_t>(response.topics.size()), false);
  for (const FetchTopicResponse& t : response.topics) {
    w.String(t.topic, false);
    w.ArrayLength(static_cast<std::int32_t>(t.partitions.size()), false);
    for (const FetchPartitionResponse& p : t.partitions) {
      w.Int32(p.partition);
      w.Int16(p.error_code);
      w.Int64(p.high_watermark);
      w.Int64(p.last_stable_offset);
      w.ArrayLength(0, false);  // aborted_transactions: no transactions in the simulation
      w.Bytes(p.records, false);
    }
  }
  return Finish(w, at);
}

std::vector<std::uint8_t> EncodeListOffsetsResponse(const RequestHeader& header,
                                                    const ListOffsetsResponse& response) {
  WireWriter w;
  const std::size_t at = BeginResponse(w, header);
  w.ArrayLength(static_cast<std::int32_t>(response.topics.size()), false);
  for (const ListOffsetsTopicResponse& t : response.topics) {
    w.String(t.name, false);
    w.ArrayLength(static_cast<std::int32_t>(t.partitions.size()), false);
    for (const ListOffsetsPartitionResponse& p : t.partitions) {
      w.Int32(p.partition_index);
      w.Int16(p.error_code);
      w.Int64(p.timestamp);
      w.Int64(p.offset);
    }
  }
  return Finish(w, at);
}

std::vector<std::uint8_t> EncodeInitProducerIdResponse(const RequestHeader& header,
                                                       const InitProducerIdResponse& response) {
  WireWriter w;
  const std::size_t at = BeginResponse(w, header);
  w.Int32(0);  // throttle_time_ms
  w.Int16(response.error_code);
  w.Int64(response.producer_id);
  w.Int16(response.producer_epoch);
  return Finish(w, at);
}

std::vector<std::uint8_t> EncodeFindCoordinatorResponse(const RequestHeader& header,
                                                        const FindCoordinatorResponse& response) {
  WireWriter w;
  const std::size_t at = BeginResponse(w, header);
  w.Int16(response.error_code);
  w.Int32(response.node_id);
  w.String(response.host, false);
  w.Int32(response.port);
  return Finish(w, at);
}

std::vector<std::uint8_t> EncodeJoinGroupResponse(const RequestHeader& header,
                                                  const JoinGroupResponse& response) {
  WireWriter w;
  const std::size_t at = BeginResponse(w, header);
  w.Int16(response.error_code);
  w.Int32(response.generation_id);
  w.String(response.protocol_name, false);
  w.String(response.leader, false);
  w.String(response.member_id, false);
  w.ArrayLength(static_cast<std::int32_t>(response.members.size()), false);
  for (const JoinGroupMemberData& m : response.members) {
    w.String(m.member_id, false);
    w.Bytes(m.metadata, false);
  }
  return Finish(w, at);
}

std::vector<std::uint8_t> EncodeSyncGroupResponse(const RequestHeader& header,
                                                  const SyncGroupResponse& response) {
  WireWriter w;
  const std::size_t at = BeginResponse(w, header);
  w.Int16(response.error_code);
  w.Bytes(response.assignment, false);
  return Finish(w, at);
}

std::vector<std::uint8_t> EncodeErrorOnlyResponse(const RequestHeader& header,
                                                  std::int16_t error_code) {
  WireWriter w;
  const std::size_t at = BeginResponse(w, header);
  w.Int16(error_code);
  return Finish(w, at);
}

std::vector<std::uint8_t> EncodeOffsetCommitResponse(const RequestHeader& header,
                                                     const OffsetCommitResponse& response) {
  WireWriter w;
  const std::size_t at = BeginResponse(w, header);
  w.ArrayLength(static_cast<std::int32_t>(response.topics.size()), false);
  for (const OffsetCommitTopicResponse& t : response.topics) {
    w.String(t.name, false);
    w.ArrayLength(static_cast<std::int32_t>(t.partitions.size()), false);
    for (const OffsetCommitPartitionResponse& p : t.partitions) {
      w.Int32(p.partition_index);
      w.Int16(p.error_code);
    }
  }
  return Finish(w, at);
}

std::vector<std::uint8_t> EncodeOffsetFetchResponse(const RequestHeader& header,
                                                    const OffsetFetchResponse& response) {
  WireWriter w;
  const std::size_t at = BeginResponse(w, header);
  w.ArrayLength(static_cast<std::int32_t>(response.topics.size()), false);
  for (const OffsetFetchTopicResponse& t : response.topics) {
    w.String(t.name, false);
    w.ArrayLength(static_cast<std::int32_t>(t.partitions.size()), false);
    for (const OffsetFetchPartitionResponse& p : t.partitions) {
      w.Int32(p.partition_index);
      w.Int64(p.committed_offset);
      w.NullableString(p.metadata, false);
      w.Int16(p.error_code);
    }
  }
  return Finish(w, at);
}

std::vector<std::uint8_t> EncodeDescribeGroupsResponse(const RequestHeader& header,
                                                       const std::vector<DescribedGroup>& groups) {
  WireWriter w;
  const std::size_t at = BeginResponse(w, header);
  w.ArrayLength(static_cast<std::int32_t>(groups.size()), false);
  for (const DescribedGroup& g : groups) {
    w.Int16(g.error_code);
    w.String(g.group_id, false);
    w.String(g.group_state, false);
    w.String(g.protocol_type, false);
    w.String(g.protocol_data, false);
    w.ArrayLength(static_cast<std::int32_t>(g.members.size()), false);
    for (const DescribedGroupMember& m : g.members) {
      w.String(m.member_id, false);
      w.String(m.client_id, false);
      w.String(m.client_host, false);
      w.Bytes(m.member_metadata, false);
      w.Bytes(m.member_assignment, false);
    }
  }
  return Finish(w, at);
}

std::vector<std::uint8_t> EncodeListGroupsResponse(const RequestHeader& header,
                                                   const ListGroupsResponse& response) {
  WireWriter w;
  const std::size_t at = BeginResponse(w, header);
  w.Int16(response.error_code);
  w.ArrayLength(static_cast<std::int32_t>(response.groups.size()), false);
  for (const ListedGroup& g : response.groups) {
    w.String(g.group_id, false);
    w.String(g.protocol_type, false);
  }
  return Finish(w, at);
}

std::vector<std::uint8_t> EncodeTopicResults(const RequestHeader& header,
                                             const std::vector<TopicResult>& results) {
  WireWriter w;
  const std::size_t at = BeginResponse(w, header);
  const std::int16_t v = header.api_version;
  // CreateTopicsResponse.json: throttle_time_ms from v2, error_message from v1;
  // DeleteTopicsResponse.json: throttle_time_ms from v1, no message below v5;
  // CreatePartitionsResponse.json: both in every version.
  bool throttle = false;
  bool message = false;
  if (header.api_key == api::kCreateTopics) {
    throttle = v >= 2;
    message = v >= 1;
  } else if (header.api_key == api::kDeleteTopics) {
    throttle = v >= 1;
  } else {
    throttle = true;
    message = true;
  }
  if (throttle) w.Int32(0);
  w.ArrayLength(static_cast<std::int32_t>(results.size()), false);
  for (const TopicResult& t : results) {
    w.String(t.name, false);
    w.Int16(t.error_code);
    if (message) w.NullableString(t.error_message, false);
  }
  return Finish(w, at);
}

std::vector<std::uint8_t> EncodeDescribeConfigsResponse(
    const RequestHeader& header, const std::vector<DescribeConfigsResult>& results) {
  WireWriter w;
  const std::size_t at = BeginResponse(w, header);
  const bool v1 = header.api_version >= 1;
  w.Int32(0);  // throttle_time_ms
  w.ArrayLength(static_cast<std::int32_t>(results.size()), false);
  for (const DescribeConfigsResult& r : results) {
    w.Int16(r.error_code);
    w.NullableString(r.error_message, false);
    w.Int8(r.resource_type);
    w.String(r.resource_name, false);
    w.ArrayLength(static_cast<std::int32_t>(r.configs.size()), false);
    for (const DescribedConfig& c : r.configs) {
      w.String(c.name, false);
      w.NullableString(c.value, false);
      w.Bool(c.read_only);
      if (v1) {
        w.Int8(c.source);
      } else {
        w.Bool(c.source == config_source::kDefaultConfig);  // is_default
      }
      w.Bool(c.is_sensitive);
      if (!v1) continue;
      w.ArrayLength(static_cast<std::int32_t>(c.synonyms.size()), false);
      for (const ConfigSynonym& s : c.synonyms) {
        w.String(s.name, false);
        w.NullableString(s.value, false);
        w.Int8(s.source);
      }
    }
  }
  return Finish(w, at);
}

// DescribeCluster v0 is flexible: compact strings and arrays, a tag section per broker and at
// the end (the header's is written by BeginResponse).
std::vector<std::uint8_t> EncodeDescribeClusterResponse(const RequestHeader& header,
                                                        const DescribeClusterResponse& response) {
  WireWriter w;
  const std::size_t at = BeginResponse(w, header);
  w.Int32(0);  // throttle_time_ms
  w.Int16(response.error_code);
  w.NullableString(response.error_message, true);
  w.String(response.cluster_id, true);
  w.Int32(response.controller_id);
  w.ArrayLength(static_cast<std::int32_t>(response.brokers.size()), true);
  for (const MetadataBroker& b : response.brokers) {
    w.Int32(b.node_id);
    w.String(b.host, true);
    w.Int32(b.port);
    w.NullableString(b.rack, true);
    w.EmptyTaggedFields();
  }
  // cluster_authorized_operations: INT32_MIN, "not requested" (no ACLs are simulated).
  w.Int32(std::numeric_limits<std::int32_t>::min());
  w.EmptyTaggedFields();
  return Finish(w, at);
}

}  // namespace kafkasim::gateway
