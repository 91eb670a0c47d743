// Kafka request decoding and response encoding, against frames laid out as Kafka's message
// specs say (clients/src/main/resources/common/message/*.json) and one captured from kcat.
#include "gateway/protocol.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "gateway/wire.h"

namespace kafkasim::gateway {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes Hex(const std::string& hex) {
  Bytes out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

std::string ToHex(const Bytes& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::uint8_t b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

// A request frame payload: header v1 (api key, version, correlation id, client id "c").
WireWriter Header(std::int16_t key, std::int16_t version, std::int32_t correlation) {
  WireWriter w;
  w.Int16(key);
  w.Int16(version);
  w.Int32(correlation);
  w.String("c", false);
  return w;
}

const Request& Decoded(const std::variant<Request, DecodeFailure>& result) {
  if (const auto* failure = std::get_if<DecodeFailure>(&result)) FAIL(failure->message);
  return std::get<Request>(result);
}

const DecodeFailure& Failed(const std::variant<Request, DecodeFailure>& result) {
  REQUIRE(std::holds_alternative<DecodeFailure>(result));
  return std::get<DecodeFailure>(result);
}

TEST_CASE("protocol: kcat's first frame, ApiVersions v3 with header v2, decodes") {
  // Captured from kcat 1.7.1 / librdkafka 2.0.2 (shared/reference/kafka-protocol.md 1),
  // without its int32 size 0x24.
  const Bytes frame =
      Hex("0012000300000001000772646b61666b61000b6c696272646b61666b6106322e302e3200");
  REQUIRE(frame.size() == 0x24);
  const auto decoded = DecodeRequest(frame);
  const Request& r = Decoded(decoded);
  CHECK(r.header.api_key == 18);
  CHECK(r.header.api_version == 3);
  CHECK(r.header.correlation_id == 1);
  CHECK(r.header.client_id == "rdkafka");
  CHECK(r.header.flexible);
  const auto& body = std::get<ApiVersionsRequest>(r.body);
  CHECK(body.client_software_name == "librdkafka");
  CHECK(body.client_software_version == "2.0.2");
}

TEST_CASE("protocol: the ApiVersions v3 response keeps header v0 and lists every served API") {
  RequestHeader h;
  h.api_key = api::kApiVersions;
  h.api_version = 3;
  h.correlation_id = 1;
  h.flexible = true;
  // size, correlation id (no header tags: ApiVersions answers with header v0), error 0,
  // compact array of 20 (0x15) {key, min, max, tags}, throttle_time_ms, body tags.
  CHECK(ToHex(EncodeApiVersionsResponse(h, 0)) ==
        "00000098"
        "00000001"
        "0000"
        "15"
        "00000003000300"
        "00010004000400"
        "00020001000100"
        "00030001000200"  // Metadata 1-2
        "00080002000200"  // OffsetCommit 2
        "00090001000100"  // OffsetFetch 1
        "000a0000000000"  // FindCoordinator 0 (librdkafka needs 0 in the range)
        "000b0001000100"  // JoinGroup 1
        "000c0000000000"  // Heartbeat 0
        "000d0000000000"  // LeaveGroup 0
        "000e0000000000"  // SyncGroup 0
        "000f0000000000"  // DescribeGroups 0
        "00100000000000"  // ListGroups 0
        "00120000000300"
        "00130000000400"  // CreateTopics 0-4
        "00140000000100"  // DeleteTopics 0-1
        "00160000000100"
        "00200000000200"  // DescribeConfigs 0-2
        "00250000000100"  // CreatePartitions 0-1
        "003c0000000000"  // DescribeCluster 0
        "00000000"
        "00");
}

TEST_CASE("protocol: ApiVersions v0 and v1 responses use int32 arrays, v1 adds throttle time") {
  RequestHeader h;
  h.api_key = api::kApiVersions;
  h.api_version = 0;
  h.correlation_id = 9;
  const Bytes v0 = EncodeApiVersionsResponse(h, 0);
  CHECK(v0.size() == 4 + 4 + 2 + 4 + 20 * 6);
  h.api_version = 1;
  const Bytes v1 = EncodeApiVersionsResponse(h, 0);
  CHECK(v1.size() == v0.size() + 4);
  CHECK(ToHex(v1).substr(0, 32) ==
        "00000086"
        "00000009"
        "0000"
        "00000014"
        "0000");
}

TEST_CASE("protocol: a too-new ApiVersions gets UNSUPPORTED_VERSION in the v0 layout (KIP-511)") {
  WireWriter w;
  w.Int16(18);
  w.Int16(9);
  w.Int32(5);
  w.String("rdkafka", false);
  w.EmptyTaggedFields();
  w.String("future-field", true);  // a body the gateway cannot know: not read
  const auto decoded = DecodeRequest(w.bytes());
  const Request& r = Decoded(decoded);
  CHECK(r.header.api_version == 9);
  CHECK(ToHex(EncodeApiVersionsResponse(r.header, 35)) ==
        "00000010"
        "00000005"
        "0023"
        "00000001"
        "001200000003");
}

TEST_CASE("protocol: Metadata v1 tells all topics (null) from none (empty) and names") {
  WireWriter all = Header(3, 1, 2);
  all.ArrayLength(-1, false);
  const MetadataRequest everything =
      std::get<MetadataRequest>(Decoded(DecodeRequest(all.bytes())).body);
  CHECK_FALSE(everything.topics);
  WireWriter none = Header(3, 1, 2);
  none.ArrayLength(0, false);
  const MetadataRequest empty =
      std::get<MetadataRequest>(Decoded(DecodeRequest(none.bytes())).body);
  REQUIRE(empty.topics);
  CHECK(empty.topics->empty());
  WireWriter named = Header(3, 1, 2);
  named.ArrayLength(1, false);
  named.String("cities", false);
  const MetadataRequest one = std::get<MetadataRequest>(Decoded(DecodeRequest(named.bytes())).body);
  CHECK(one.topics == std::vector<std::string>{"cities"});
}

TEST_CASE("protocol: Produce v3 keeps each partition's record bytes as sent") {
  WireWriter w = Header(0, 3, 7);
  w.NullableString(std::nullopt, false);  // transactional_id
  w.Int16(-1);                            // acks
  w.Int32(30000);                         // timeout_ms
  w.ArrayLength(1, false);
  w.String("cities", false);
  w.ArrayLength(2, false);
  w.Int32(0);
  w.Bytes(Bytes{1, 2, 3}, false);
  w.Int32(2);
  w.NullableBytes(std::nullopt, false);
  const auto decoded = DecodeRequest(w.bytes());
  const Request& r = Decoded(decoded);
  const auto& p = std::get<ProduceRequest>(r.body);
  CHECK(p.acks == -1);
  CHECK(p.timeout_ms == 30000);
  REQUIRE(p.topics.size() == 1);
  CHECK(p.topics[0].name == "cities");
  REQUIRE(p.topics[0].partitions.size() == 2);
  CHECK(p.topics[0].partitions[0].records == Bytes{1, 2, 3});
  CHECK(p.topics[0].partitions[1].index == 2);
  CHECK_FALSE(p.topics[0].partitions[1].records);
}

TEST_CASE("protocol: Produce with acks other than -1, 0 or 1 is malformed") {
  WireWriter w = Header(0, 3, 7);
  w.NullableString(std::nullopt, false);
  w.Int16(2);
  w.Int32(30000);
  w.ArrayLength(0, false);
  CHECK(Failed(DecodeRequest(w.bytes())).message ==
        "[gateway.E001] malformed Produce v3 request (correlation id 7): acks 2 (valid: -1, 0, "
        "1) at byte 23");
}

TEST_CASE("protocol: Fetch v4 and ListOffsets v1 decode field by field") {
  WireWriter f = Header(1, 4, 11);
  f.Int32(-1);        // replica_id
  f.Int32(500);       // max_wait_ms
  f.Int32(1);         // min_bytes
  f.Int32(52428800);  // max_bytes
  f.Int8(1);          // isolation_level
  f.ArrayLength(1, false);
  f.String("cities", false);
  f.ArrayLength(1, false);
  f.Int32(0);
  f.Int64(42);
  f.Int32(1048576);
  const FetchRequest fetch = std::get<FetchRequest>(Decoded(DecodeRequest(f.bytes())).body);
  CHECK(fetch.max_wait_ms == 500);
  CHECK(fetch.isolation_level == 1);
  REQUIRE(fetch.topics.size() == 1);
  CHECK(fetch.topics[0].partitions[0].fetch_offset == 42);
  CHECK(fetch.topics[0].partitions[0].partition_max_bytes == 1048576);

  WireWriter l = Header(2, 1, 12);
  l.Int32(-1);
  l.ArrayLength(1, false);
  l.String("cities", false);
  l.ArrayLength(1, false);
  l.Int32(0);
  l.Int64(-2);
  const ListOffsetsRequest list =
      std::get<ListOffsetsRequest>(Decoded(DecodeRequest(l.bytes())).body);
  CHECK(list.topics[0].partitions[0].timestamp == -2);
}

TEST_CASE(
    "protocol: JoinGroup v1 and OffsetCommit v2 decode field by field; a cut one is refused") {
  WireWriter j = Header(11, 1, 21);
  j.String("readers", false);
  j.Int32(45000);   // session_timeout_ms
  j.Int32(300000);  // rebalance_timeout_ms
  j.String("", false);
  j.String("consumer", false);
  j.ArrayLength(2, false);
  j.String("range", false);
  j.Bytes(Bytes{0, 1, 2}, false);
  j.String("roundrobin", false);
  j.NullableBytes(std::nullopt, false);  // null metadata reads as empty
  const JoinGroupRequest join = std::get<JoinGroupRequest>(Decoded(DecodeRequest(j.bytes())).body);
  CHECK(join.group_id == "readers");
  CHECK(join.session_timeout_ms == 45000);
  CHECK(join.rebalance_timeout_ms == 300000);
  CHECK(join.member_id.empty());
  CHECK(join.protocol_type == "consumer");
  REQUIRE(join.protocols.size() == 2);
  CHECK(join.protocols[0].name == "range");
  CHECK(join.protocols[0].metadata == Bytes{0, 1, 2});
  CHECK(join.protocols[1].metadata.empty());
  Bytes cut = j.bytes();
  cut.resize(cut.size() - 3);
  CHECK(std::get<DecodeFailure>(DecodeRequest(cut)).error == DecodeError::kMalformed);

  WireWriter c = Header(8, 2, 22);
  c.String("readers", false);
  c.Int32(3);
  c.String("m-1", false);
  c.Int64(-1);
  c.ArrayLength(1, false);
  c.String("cities", false);
  c.ArrayLength(1, false);
  c.Int32(2);
  c.Int64(17);
  c.NullableString(std::nullopt, false);
  const OffsetCommitRequest commit =
      std::get<OffsetCommitRequest>(Decoded(DecodeRequest(c.bytes())).body);
  CHECK(commit.generation_id == 3);
  CHECK(commit.member_id == "m-1");
  REQUIRE(commit.topics.size() == 1);
  CHECK(commit.topics[0].partitions[0].partition_index == 2);
  CHECK(commit.topics[0].partitions[0].committed_offset == 17);
  CHECK_FALSE(commit.topics[0].partitions[0].committed_metadata);
  // JoinGroup v5 (not advertised) is refused.
  WireWriter v5 = Header(11, 5, 23);
  CHECK(std::get<DecodeFailure>(DecodeRequest(v5.bytes())).error ==
        DecodeError::kUnsupportedVersion);
}

TEST_CASE("protocol: a flexible request header (v2) skips its tagged fields") {
  // Metadata v9 is flexible, so its header is v2; the gateway does not serve v9, but the
  // header is read (with a tagged field) before the version is refused.
  WireWriter w = Header(3, 9, 21);
  w.UnsignedVarint(1);  // one tagged field
  w.UnsignedVarint(0);
  w.UnsignedVarint(2);
  w.Int16(0x7777);
  const DecodeFailure f = Failed(DecodeRequest(w.bytes()));
  CHECK(f.error == DecodeError::kUnsupportedVersion);
  REQUIRE(f.header);
  CHECK(f.header->flexible);
  CHECK(f.header->client_id == "c");
  CHECK(f.message == "[gateway.E003] Metadata v9 is not supported (advertised 1-2)");
}

TEST_CASE("protocol: unknown or unserved APIs and malformed frames are refused with a reason") {
  CHECK(Failed(DecodeRequest(Hex("0012"))).message ==
        "[gateway.E001] malformed request header: 2 byte(s) needed, 0 left at byte 2");
  WireWriter unknown = Header(999, 0, 3);
  const DecodeFailure u = Failed(DecodeRequest(unknown.bytes()));
  CHECK(u.error == DecodeError::kUnknownApi);
  CHECK(u.message == "[gateway.E002] unknown API key 999 (correlation id 3)");
  WireWriter alter = Header(33, 0, 4);  // AlterConfigs
  const DecodeFailure g = Failed(DecodeRequest(alter.bytes()));
  CHECK(g.error == DecodeError::kUnknownApi);
  CHECK(g.message == "[gateway.E002] AlterConfigs (API key 33) is not served by the gateway");
  WireWriter groups = Header(15, 0, 6);  // DescribeGroups without its array
  CHECK(Failed(DecodeRequest(groups.bytes())).message ==
        "[gateway.E001] malformed DescribeGroups v0 request (correlation id 6): 4 byte(s) needed, "
        "0 left at byte 11");
  WireWriter trailing = Header(3, 1, 5);
  trailing.ArrayLength(-1, false);
  trailing.Int8(0);
  CHECK(Failed(DecodeRequest(trailing.bytes())).message ==
        "[gateway.E001] malformed Metadata v1 request (correlation id 5): 1 byte(s) after the "
        "end of the request at byte 15");
  WireWriter fetch = Header(1, 11, 6);
  CHECK(Failed(DecodeRequest(fetch.bytes())).message ==
        "[gateway.E003] Fetch v11 is not supported (advertised 4-4)");
}

TEST_CASE("protocol: the Metadata v1 response lays out brokers, controller and partitions") {
  RequestHeader h;
  h.api_key = api::kMetadata;
  h.api_version = 1;
  h.correlation_id = 2;
  MetadataResponse m;
  m.brokers.push_back({1, "h", 9092, std::nullopt});
  m.controller_id = 1;
  MetadataTopic t;
  t.name = "t";
  t.partitions.push_back({0, 0, 1, {1}, {1}});
  m.topics.push_back(t);
  MetadataTopic missing;
  missing.error_code = 3;
  missing.name = "x";
  m.topics.push_back(missing);
  CHECK(ToHex(EncodeMetadataResponse(h, m)) ==
        "0000004b"
        "00000002"
        "00000001"
        "00000001"
        "000168"
        "00002384"
        "ffff"      // brokers
        "00000001"  // controller_id
        "00000002"
        "0000"
        "000174"
        "00"
        "00000001"  // t: error, name, internal
        "0000"
        "00000000"
        "00000001"
        "0000000100000001"
        "0000000100000001"
        "0003"
        "000178"
        "00"
        "00000000");  // x: UNKNOWN_TOPIC_OR_PARTITION
}

TEST_CASE("protocol: Produce v3 and Fetch v4 responses put throttle time where Kafka does") {
  RequestHeader h;
  h.api_key = api::kProduce;
  h.api_version = 3;
  h.correlation_id = 7;
  ProduceResponse p;
  p.topics.push_back({"t", {{0, 6, -1, -1}}});
  // Produce: throttle_time_ms last.
  CHECK(ToHex(EncodeProduceResponse(h, p)) ==
        "00000029"
        "00000007"
        "00000001"
        "000174"
        "00000001"
        "00000000"
        "0006"
        "ffffffffffffffff"
        "ffffffffffffffff"
        "00000000");
  h.api_key = api::kFetch;
  h.api_version = 4;
  FetchResponse f;
  f.topics.push_back({"t", {{0, 0, 5, 5, {0xab}}}});
  // Fetch: throttle_time_ms first; aborted_transactions empty; records never null.
  CHECK(ToHex(EncodeFetchResponse(h, f)) ==
        "00000032"
        "00000007"
        "00000000"
        "00000001"
        "000174"
        "00000001"
        "00000000"
        "0000"
        "0000000000000005"
        "0000000000000005"
        "00000000"
        "00000001"
        "ab");
}

TEST_CASE("protocol: CreateTopics v4, DeleteTopics v1 and CreatePartitions v0 decode as sent") {
  WireWriter create = Header(19, 4, 11);
  create.ArrayLength(2, false);
  create.String("towns", false);
  create.Int32(-1);  // num.partitions
  create.Int16(3);
  create.ArrayLength(0, false);
  create.ArrayLength(1, false);
  create.String("retention.ms", false);
  create.NullableString(std::string("1000"), false);
  create.String("manual", false);
  create.Int32(-1);
  create.Int16(-1);
  create.ArrayLength(1, false);
  create.Int32(0);
  create.ArrayLength(2, false);
  create.Int32(2);
  create.Int32(3);
  create.ArrayLength(0, false);
  create.Int32(30000);
  create.Bool(false);
  const auto decoded = DecodeRequest(create.bytes());
  const auto& c = std::get<CreateTopicsRequest>(Decoded(decoded).body);
  REQUIRE(c.topics.size() == 2);
  CHECK(c.topics[0].name == "towns");
  CHECK(c.topics[0].num_partitions == -1);
  CHECK(c.topics[0].replication_factor == 3);
  REQUIRE(c.topics[0].configs.size() == 1);
  CHECK(c.topics[0].configs[0].second == "1000");
  REQUIRE(c.topics[1].assignments.size() == 1);
  CHECK(c.topics[1].assignments[0].second == std::vector<std::int32_t>{2, 3});
  CHECK(c.timeout_ms == 30000);
  CHECK_FALSE(c.validate_only);

  WireWriter del = Header(20, 1, 12);
  del.ArrayLength(1, false);
  del.String("towns", false);
  del.Int32(5000);
  const auto deleted = DecodeRequest(del.bytes());
  CHECK(std::get<DeleteTopicsRequest>(Decoded(deleted).body).topic_names ==
        std::vector<std::string>{"towns"});

  WireWriter grow = Header(37, 0, 13);
  grow.ArrayLength(1, false);
  grow.String("towns", false);
  grow.Int32(4);
  grow.ArrayLength(-1, false);  // no manual assignment
  grow.Int32(5000);
  grow.Bool(true);
  const auto grown = DecodeRequest(grow.bytes());
  const auto& g = std::get<CreatePartitionsRequest>(Decoded(grown).body);
  REQUIRE(g.topics.size() == 1);
  CHECK(g.topics[0].count == 4);
  CHECK_FALSE(g.topics[0].assignments);
  CHECK(g.validate_only);
}

TEST_CASE("protocol: topic results carry a message and throttle time where each API has them") {
  RequestHeader h;
  h.correlation_id = 2;
  const std::vector<TopicResult> results = {{"t", 36, "Topic 't' already exists."}};
  h.api_key = api::kCreateTopics;
  h.api_version = 0;  // no message, no throttle time
  CHECK(ToHex(EncodeTopicResults(h, results)) ==
        "0000000d"
        "00000002"
        "00000001"
        "000174"
        "0024");
  h.api_version = 4;
  const Bytes v4 = EncodeTopicResults(h, results);
  WireReader r(v4);
  r.Int32();
  r.Int32();
  CHECK(r.Int32() == 0);  // throttle
  CHECK(r.ArrayLength(false) == 1);
  CHECK(r.String(false) == "t");
  CHECK(r.Int16() == 36);
  CHECK(r.NullableString(false) == "Topic 't' already exists.");
  CHECK(r.remaining() == 0);
  h.api_key = api::kDeleteTopics;
  h.api_version = 1;  // throttle time, no message
  CHECK(ToHex(EncodeTopicResults(h, results)) ==
        "00000011"
        "00000002"
        "00000000"
        "00000001"
        "000174"
        "0024");
}

TEST_CASE("protocol: DescribeConfigs v0 writes is_default, v1 the source and synonyms") {
  WireWriter w = Header(32, 1, 3);
  w.ArrayLength(1, false);
  w.Int8(2);
  w.String("cities", false);
  w.ArrayLength(-1, false);
  w.Bool(true);
  const auto decoded = DecodeRequest(w.bytes());
  const auto& d = std::get<DescribeConfigsRequest>(Decoded(decoded).body);
  REQUIRE(d.resources.size() == 1);
  CHECK(d.resources[0].resource_type == 2);
  CHECK_FALSE(d.resources[0].configuration_keys);
  CHECK(d.include_synonyms);

  RequestHeader h;
  h.api_key = api::kDescribeConfigs;
  h.correlation_id = 3;
  DescribeConfigsResult result;
  result.resource_type = 2;
  result.resource_name = "c";
  result.configs.push_back({"a",
                            std::string("1"),
                            false,
                            config_source::kDefaultConfig,
                            false,
                            {{"a", std::string("1"), config_source::kDefaultConfig}}});
  h.api_version = 0;
  // throttle, 1 result: error 0, null message, type 2, "c", 1 config: "a", "1", read-only
  // false, is_default true, sensitive false.
  CHECK(ToHex(EncodeDescribeConfigsResponse(h, {result})) ==
        "00000021"
        "00000003"
        "00000000"
        "00000001"
        "0000"
        "ffff"
        "02"
        "000163"
        "00000001"
        "000161"
        "000131"
        "00"
        "01"
        "00");
  h.api_version = 1;  // config_source 5, then the synonyms
  CHECK(ToHex(EncodeDescribeConfigsResponse(h, {result})) ==
        "0000002c"
        "00000003"
        "00000000"
        "00000001"
        "0000"
        "ffff"
        "02"
        "000163"
        "00000001"
        "000161"
        "000131"
        "00"
        "05"
        "00"
        "00000001"
        "000161"
        "000131"
        "05");
}

TEST_CASE("protocol: DescribeCluster v0 is flexible from its header to its last field") {
  WireWriter w = Header(60, 0, 4);
  w.EmptyTaggedFields();  // header v2
  w.Bool(false);
  w.EmptyTaggedFields();
  const auto decoded = DecodeRequest(w.bytes());
  const Request& r = Decoded(decoded);
  CHECK(r.header.flexible);
  CHECK(std::holds_alternative<DescribeClusterRequest>(r.body));
  DescribeClusterResponse out;
  out.cluster_id = "id";
  out.controller_id = 1;
  out.brokers.push_back({1, "h", 9092, std::nullopt});
  CHECK(ToHex(EncodeDescribeClusterResponse(r.header, out)) ==
        "00000025"
        "00000004"
        "00"
        "00000000"
        "0000"
        "00"
        "036964"
        "00000001"
        "02"
        "00000001"
        "0268"
        "00002384"
        "00"
        "00"
        "80000000"
        "00");
}

}  // namespace
}  // namespace kafkasim::gateway
