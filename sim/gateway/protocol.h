// Kafka requests and responses as they travel on the wire, for the APIs and versions the
// gateway advertises: the frame, request header v1/v2 and response header v0/v1
// (RequestHeader.json, ResponseHeader.json), decoders for request bodies and encoders for
// response bodies (clients/src/main/resources/common/message/*.json). Pure: no sockets and no
// simulation, so it is unit-tested on bytes and fuzzed.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "engine/status.h"

namespace kafkasim::gateway {

// socket.request.max.bytes (SocketServerConfigs.SOCKET_REQUEST_MAX_BYTES_DEFAULT): a frame
// declaring more closes the connection.
inline constexpr std::int32_t kSocketRequestMaxBytes = 104857600;

namespace api {
inline constexpr std::int16_t kProduce = 0;
inline constexpr std::int16_t kFetch = 1;
inline constexpr std::int16_t kListOffsets = 2;
inline constexpr std::int16_t kMetadata = 3;
inline constexpr std::int16_t kOffsetCommit = 8;
inline constexpr std::int16_t kOffsetFetch = 9;
inline constexpr std::int16_t kFindCoordinator = 10;
inline constexpr std::int16_t kJoinGroup = 11;
inline constexpr std::int16_t kHeartbeat = 12;
inline constexpr std::int16_t kLeaveGroup = 13;
inline constexpr std::int16_t kSyncGroup = 14;
inline constexpr std::int16_t kDescribeGroups = 15;
inline constexpr std::int16_t kListGroups = 16;
inline constexpr std::int16_t kApiVersions = 18;
inline constexpr std::int16_t kCreateTopics = 19;
inline constexpr std::int16_t kDeleteTopics = 20;
inline constexpr std::int16_t kInitProducerId = 22;
inline constexpr std::int16_t kDescribeConfigs = 32;
inline constexpr std::int16_t kCreatePartitions = 37;
inline constexpr std::int16_t kDescribeCluster = 60;
}  // namespace api

struct ApiRange {
  std::int16_t api_key = 0;
  std::int16_t min_version = 0;
  std::int16_t max_version = 0;
};
// What ApiVersions advertises: exactly the versions the decoders below implement. Kept below
// each API's first flexible version (except ApiVersions v3 and DescribeCluster, flexible from
// v0), the table librdkafka 2.0.2 and KafkaJS 2.2.4 were checked against
// (shared/reference/kafka-protocol.md section 4; the admin APIs in tests/gateway/python_admin.py
// and kafkajs/produce_consume.js).
std::span<const ApiRange> SupportedApis();
const ApiRange* FindSupported(std::int16_t api_key);
// The API's name as Kafka's ApiKeys has it ("Produce"), or "" for a key we do not know.
std::string_view ApiName(std::int16_t api_key);
// The first flexible version of an API Kafka defines (the JSON specs' "flexibleVersions"),
// or -1 for an unknown key. Decides the request header version (2 from there, else 1).
std::int16_t FirstFlexibleVersion(std::int16_t api_key);

struct RequestHeader {
  std::int16_t api_key = 0;
  std::int16_t api_version = 0;
  std::int32_t correlation_id = 0;
  std::optional<std::string> client_id;
  bool flexible = false;  // header v2 (and the body is flexible)
};

struct ApiVersionsRequest {
  std::optional<std::string> client_software_name;  // v3+
  std::optional<std::string> client_software_version;
};
struct MetadataRequest {
  std::optional<std::vector<std::string>> topics;  // null: every topic; empty: none
};
struct ProducePartitionData {
  std::int32_t index = 0;
  std::optional<std::vector<std::uint8_t>> records;
};
struct ProduceTopicData {
  std::string name;
  std::vector<ProducePartitionData> partitions;
};
struct ProduceRequest {
  std::optional<std::string> transactional_id;
  std::int16_t acks = -1;
  std::int32_t timeout_ms = 0;
  std::vector<ProduceTopicData> topics;
};
struct FetchPartitionData {
  std::int32_t partition = 0;
  std::int64_t fetch_offset = 0;
  std::int32_t partition_max_bytes = 0;
};
struct FetchTopicData {
  std::string topic;
  std::vector<FetchPartitionData> partitions;
};
struct FetchRequest {
  std::int32_t replica_id = -1;
  std::int32_t max_wait_ms = 0;
  std::int32_t min_bytes = 0;
  std::int32_t max_bytes = 0;
  std::int8_t isolation_level = 0;
  std::vector<FetchTopicData> topics;
};
struct ListOffsetsPartitionData {
  std::int32_t partition_index = 0;
  std::int64_t timestamp = 0;  // -1 latest, -2 earliest, else a time
};
struct ListOffsetsTopicData {
  std::string name;
  std::vector<ListOffsetsPartitionData> partitions;
};
struct ListOffsetsRequest {
  std::int32_t replica_id = -1;
  std::vector<ListOffsetsTopicData> topics;
};
struct InitProducerIdRequest {
  std::optional<std::string> transactional_id;
  std::int32_t transaction_timeout_ms = 0;
};

// The group APIs at the versions librdkafka 2.0.2 and KafkaJS 2.2.4 send (FindCoordinator 0,
// JoinGroup 1, SyncGroup 0, Heartbeat 0, LeaveGroup 0, OffsetCommit 2, OffsetFetch 1; layouts in
// Kafka's FindCoordinatorRequest.json, JoinGroupRequest.json, ... at those versions).
struct FindCoordinatorRequest {
  std::string key;  // the group id (v0 has no key type: always a group)
};
struct JoinGroupProtocolData {
  std::string name;
  std::vector<std::uint8_t> metadata;
};
struct JoinGroupRequest {
  std::string group_id;
  std::int32_t session_timeout_ms = 0;
  std::int32_t rebalance_timeout_ms = 0;
  std::string member_id;
  std::string protocol_type;
  std::vector<JoinGroupProtocolData> protocols;
};
struct SyncGroupAssignmentData {
  std::string member_id;
  std::vector<std::uint8_t> assignment;
};
struct SyncGroupRequest {
  std::string group_id;
  std::int32_t generation_id = -1;
  std::string member_id;
  std::vector<SyncGroupAssignmentData> assignments;
};
struct HeartbeatRequest {
  std::string group_id;
  std::int32_t generation_id = -1;
  std::string member_id;
};
struct LeaveGroupRequest {
  std::string group_id;
  std::string member_id;
};
struct OffsetCommitPartitionData {
  std::int32_t partition_index = 0;
  std::int64_t committed_offset = 0;
  std::optional<std::string> committed_metadata;
};
struct OffsetCommitTopicData {
  std::string name;
  std::vector<OffsetCommitPartitionData> partitions;
};
struct OffsetCommitRequest {
  std::string group_id;
  std::int32_t generation_id = -1;
  std::string member_id;
  std::int64_t retention_time_ms = -1;
  std::vector<OffsetCommitTopicData> topics;
};
struct OffsetFetchTopicData {
  std::string name;
  std::vector<std::int32_t> partition_indexes;
};
struct OffsetFetchRequest {
  std::string group_id;
  std::vector<OffsetFetchTopicData> topics;
};

struct DescribeGroupsRequest {
  std::vector<std::string> groups;
};
struct ListGroupsRequest {};

// The admin APIs at the versions librdkafka 2.0.2 and KafkaJS 2.2.4 send: CreateTopics 0-4,
// DeleteTopics 0-1, CreatePartitions 0-1, DescribeConfigs 0-2, and DescribeCluster 0 (newer
// clients; flexible from v0). Layouts: Kafka's CreateTopicsRequest.json and the others.
struct CreatableTopicData {
  std::string name;
  std::int32_t num_partitions = -1;      // -1: num.partitions
  std::int16_t replication_factor = -1;  // -1: default.replication.factor
  std::vector<std::pair<std::int32_t, std::vector<std::int32_t>>> assignments;  // partition, ids
  std::vector<std::pair<std::string, std::optional<std::string>>> configs;
};
struct CreateTopicsRequest {
  std::vector<CreatableTopicData> topics;
  std::int32_t timeout_ms = 0;
  bool validate_only = false;  // v1+
};
struct DeleteTopicsRequest {
  std::vector<std::string> topic_names;
  std::int32_t timeout_ms = 0;
};
struct CreatePartitionsTopicData {
  std::string name;
  std::int32_t count = 0;
  std::optional<std::vector<std::vector<std::int32_t>>> assignments;  // null: the placer's choice
};
struct CreatePartitionsRequest {
  std::vector<CreatePartitionsTopicData> topics;
  std::int32_t timeout_ms = 0;
  bool validate_only = false;
};
struct DescribeConfigsResourceData {
  std::int8_t resource_type = 0;  // 2 topic, 4 broker, 8 broker logger
  std::string resource_name;
  std::optional<std::vector<std::string>> configuration_keys;  // null: all
};
struct DescribeConfigsRequest {
  std::vector<DescribeConfigsResourceData> resources;
  bool include_synonyms = false;  // v1+
};
struct DescribeClusterRequest {
  bool include_cluster_authorized_operations = false;
};

using RequestBody =
    std::variant<ApiVersionsRequest, MetadataRequest, ProduceRequest, FetchRequest,
                 ListOffsetsRequest, InitProducerIdRequest, FindCoordinatorRequest,
                 JoinGroupRequest, SyncGroupRequest, HeartbeatRequest, LeaveGroupRequest,
                 OffsetCommitRequest, OffsetFetchRequest, DescribeGroupsRequest, ListGroupsRequest,
                 CreateTopicsRequest, DeleteTopicsRequest, CreatePartitionsRequest,
                 DescribeConfigsRequest, DescribeClusterRequest>;

struct Request {
  RequestHeader header;
  RequestBody body;
};

// Why a frame was refused; the server logs the message and closes the connection.
enum class DecodeError : std::uint8_t {
  kMalformed,           // bytes that do not parse as the header or body they claim
  kUnknownApi,          // an API key Kafka defines but the gateway does not serve, or none
  kUnsupportedVersion,  // a version outside the advertised range (not ApiVersions)
};
struct DecodeFailure {
  DecodeError error = DecodeError::kMalformed;
  std::string message;  // "[gateway.E002] Fetch v11 is not supported (advertised 4-4)"
  std::optional<RequestHeader> header;  // when the header itself parsed
};

// Decodes one frame's payload (the bytes after the int32 size). An ApiVersions request of a
// version above the advertised maximum decodes with an empty body: Kafka answers it with
// UNSUPPORTED_VERSION in a v0 body (KIP-511), which EncodeApiVersionsResponse does.
std::variant<Request, DecodeFailure> DecodeRequest(std::span<const std::uint8_t> frame);

// --- Responses. Each Encode* returns a whole frame: int32 size, response header, body. ---

struct MetadataBroker {
  std::int32_t node_id = 0;
  std::string host;
  std::int32_t port = 0;
  std::optional<std::string> rack;
};
struct MetadataPartition {
  std::int16_t error_code = 0;
  std::int32_t partition_index = 0;
  std::int32_t leader_id = -1;
  std::vector<std::int32_t> replica_nodes;
  std::vector<std::int32_t> isr_nodes;
};
struct MetadataTopic {
  std::int16_t error_code = 0;
  std::string name;
  bool is_internal = false;
  std::vector<MetadataPartition> partitions;
};
struct MetadataResponse {
  std::vector<MetadataBroker> brokers;
  std::optional<std::string> cluster_id;  // v2+
  std::int32_t controller_id = -1;
  std::vector<MetadataTopic> topics;
};

struct ProducePartitionResponse {
  std::int32_t index = 0;
  std::int16_t error_code = 0;
  std::int64_t base_offset = -1;
  std::int64_t log_append_time_ms = -1;
};
struct ProduceTopicResponse {
  std::string name;
  std::vector<ProducePartitionResponse> partitions;
};
struct ProduceResponse {
  std::vector<ProduceTopicResponse> topics;
};

struct FetchPartitionResponse {
  std::int32_t partition = 0;
  std::int16_t error_code = 0;
  std::int64_t high_watermark = -1;
  std::int64_t last_stable_offset = -1;
  std::vector<std::uint8_t> records;  // never null: librdkafka rejects a negative size
};
struct FetchTopicResponse {
  std::string topic;
  std::vector<FetchPartitionResponse> partitions;
};
struct FetchResponse {
  std::vector<FetchTopicResponse> topics;
};

struct ListOffsetsPartitionResponse {
  std::int32_t partition_index = 0;
  std::int16_t error_code = 0;
  std::int64_t timestamp = -1;
  std::int64_t offset = -1;
};
struct ListOffsetsTopicResponse {
  std::string name;
  std::vector<ListOffsetsPartitionResponse> partitions;
};
struct ListOffsetsResponse {
  std::vector<ListOffsetsTopicResponse> topics;
};

struct InitProducerIdResponse {
  std::int16_t error_code = 0;
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
};

struct FindCoordinatorResponse {
  std::int16_t error_code = 0;
  std::int32_t node_id = -1;
  std::string host;
  std::int32_t port = -1;
};
struct JoinGroupMemberData {
  std::string member_id;
  std::vector<std::uint8_t> metadata;
};
struct JoinGroupResponse {
  std::int16_t error_code = 0;
  std::int32_t generation_id = -1;
  std::string protocol_name;
  std::string leader;
  std::string member_id;
  std::vector<JoinGroupMemberData> members;  // only in the leader's answer
};
struct SyncGroupResponse {
  std::int16_t error_code = 0;
  std::vector<std::uint8_t> assignment;
};
struct OffsetCommitPartitionResponse {
  std::int32_t partition_index = 0;
  std::int16_t error_code = 0;
};
struct OffsetCommitTopicResponse {
  std::string name;
  std::vector<OffsetCommitPartitionResponse> partitions;
};
struct OffsetCommitResponse {
  std::vector<OffsetCommitTopicResponse> topics;
};
struct OffsetFetchPartitionResponse {
  std::int32_t partition_index = 0;
  std::int64_t committed_offset = -1;
  std::optional<std::string> metadata;
  std::int16_t error_code = 0;
};
struct OffsetFetchTopicResponse {
  std::string name;
  std::vector<OffsetFetchPartitionResponse> partitions;
};
struct OffsetFetchResponse {
  std::vector<OffsetFetchTopicResponse> topics;
};

// DescribeGroups v0 and ListGroups v0 (DescribeGroupsResponse.json, ListGroupsResponse.json).
struct DescribedGroupMember {
  std::string member_id;
  std::string client_id;
  std::string client_host;
  std::vector<std::uint8_t> member_metadata;
  std::vector<std::uint8_t> member_assignment;
};
struct DescribedGroup {
  std::int16_t error_code = 0;
  std::string group_id;
  std::string group_state;
  std::string protocol_type;
  std::string protocol_data;
  std::vector<DescribedGroupMember> members;
};
struct ListedGroup {
  std::string group_id;
  std::string protocol_type;
};
struct ListGroupsResponse {
  std::int16_t error_code = 0;
  std::vector<ListedGroup> groups;
};

// CreateTopics, DeleteTopics and CreatePartitions answer per topic; the message is written from
// CreateTopics v1 on and in every CreatePartitions version (DeleteTopics has none below v5).
struct TopicResult {
  std::string name;
  std::int16_t error_code = 0;
  std::optional<std::string> error_message;
};
// DescribeConfigs (DescribeConfigsResponse.json). Sources as ConfigEntry.ConfigSource numbers
// them on the wire (DescribeConfigsResponse.ConfigSource).
namespace config_source {
inline constexpr std::int8_t kDynamicTopicConfig = 1;
inline constexpr std::int8_t kDynamicBrokerConfig = 2;
inline constexpr std::int8_t kDynamicDefaultBrokerConfig = 3;
inline constexpr std::int8_t kStaticBrokerConfig = 4;
inline constexpr std::int8_t kDefaultConfig = 5;
}  // namespace config_source
struct ConfigSynonym {
  std::string name;
  std::optional<std::string> value;
  std::int8_t source = 0;
};
struct DescribedConfig {
  std::string name;
  std::optional<std::string> value;
  bool read_only = false;
  std::int8_t source = config_source::kDefaultConfig;  // v0 writes is_default = (source == 5)
  bool is_sensitive = false;
  std::vector<ConfigSynonym> synonyms;  // v1+
};
struct DescribeConfigsResult {
  std::int16_t error_code = 0;
  std::optional<std::string> error_message;
  std::int8_t resource_type = 0;
  std::string resource_name;
  std::vector<DescribedConfig> configs;
};
struct DescribeClusterResponse {
  std::int16_t error_code = 0;
  std::optional<std::string> error_message;
  std::string cluster_id;
  std::int32_t controller_id = -1;
  std::vector<MetadataBroker> brokers;
};

// error_code 0 lists SupportedApis(); UNSUPPORTED_VERSION (35) is written in the v0 layout
// whatever the request's version, listing only ApiVersions' own range (KIP-511).
std::vector<std::uint8_t> EncodeApiVersionsResponse(const RequestHeader& header,
                                                    std::int16_t error_code);
std::vector<std::uint8_t> EncodeMetadataResponse(const RequestHeader& header,
                                                 const MetadataResponse& response);
std::vector<std::uint8_t> EncodeProduceResponse(const RequestHeader& header,
                                                const ProduceResponse& response);
std::vector<std::uint8_t> EncodeFetchResponse(const RequestHeader& header,
                                              const FetchResponse& response);
std::vector<std::uint8_t> EncodeListOffsetsResponse(const RequestHeader& header,
                                                    const ListOffsetsResponse& response);
std::vector<std::uint8_t> EncodeInitProducerIdResponse(const RequestHeader& header,
                                                       const InitProducerIdResponse& response);

std::vector<std::uint8_t> EncodeFindCoordinatorResponse(const RequestHeader& header,
                                                        const FindCoordinatorResponse& response);
std::vector<std::uint8_t> EncodeJoinGroupResponse(const RequestHeader& header,
                                                  const JoinGroupResponse& response);
std::vector<std::uint8_t> EncodeSyncGroupResponse(const RequestHeader& header,
                                                  const SyncGroupResponse& response);
// Heartbeat v0 and LeaveGroup v0: the body is the error code alone.
std::vector<std::uint8_t> EncodeErrorOnlyResponse(const RequestHeader& header,
                                                  std::int16_t error_code);
std::vector<std::uint8_t> EncodeOffsetCommitResponse(const RequestHeader& header,
                                                     const OffsetCommitResponse& response);
std::vector<std::uint8_t> EncodeOffsetFetchResponse(const RequestHeader& header,
                                                    const OffsetFetchResponse& response);
std::vector<std::uint8_t> EncodeDescribeGroupsResponse(const RequestHeader& header,
                                                       const std::vector<DescribedGroup>& groups);
std::vector<std::uint8_t> EncodeListGroupsResponse(const RequestHeader& header,
                                                   const ListGroupsResponse& response);
// CreateTopics, DeleteTopics or CreatePartitions, by the header's API key.
std::vector<std::uint8_t> EncodeTopicResults(const RequestHeader& header,
                                             const std::vector<TopicResult>& results);
std::vector<std::uint8_t> EncodeDescribeConfigsResponse(
    const RequestHeader& header, const std::vector<DescribeConfigsResult>& results);
std::vector<std::uint8_t> EncodeDescribeClusterResponse(const RequestHeader& header,
                                                        const DescribeClusterResponse& response);

}  // namespace kafkasim::gateway
