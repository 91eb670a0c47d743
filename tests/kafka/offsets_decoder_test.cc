// kafka-dump-log.sh --offsets-decoder: the texts of Kafka's DumpLogSegmentsTest
// .testOffsetsMessageParser (tools/src/test/java/org/apache/kafka/tools/DumpLogSegmentsTest.java)
// where the simulator writes the same record types, and whole dump lines.
#include "kafka/offsets_decoder.h"

#include <doctest/doctest.h>

#include "kafka/group_records.h"
#include "storage/record_batch.h"

namespace kafkasim::kafka {
namespace {

using storage::Bytes;

// Writes Kafka's generated-message wire forms by hand, classic or flexible (KIP-482).
class Writer {
 public:
  explicit Writer(bool flexible = false) : flexible_(flexible) {}
  Writer& I16(std::int16_t v) { return Big(static_cast<std::uint16_t>(v), 2); }
  Writer& I32(std::int32_t v) { return Big(static_cast<std::uint32_t>(v), 4); }
  Writer& I64(std::int64_t v) { return Big(static_cast<std::uint64_t>(v), 8); }
  Writer& String(const std::string& s) {
    if (flexible_) {
      Varint(s.size() + 1);
    } else {
      I16(static_cast<std::int16_t>(s.size()));
    }
    out_.insert(out_.end(), s.begin(), s.end());
    return *this;
  }
  Writer& Raw(const Bytes& b) {
    out_.insert(out_.end(), b.begin(), b.end());
    return *this;
  }
  Writer& ByteArray(const Bytes& b) {
    if (flexible_) {
      Varint(b.size() + 1);
    } else {
      I32(static_cast<std::int32_t>(b.size()));
    }
    return Raw(b);
  }
  Writer& NullBytes() { return flexible_ ? Varint(0) : I32(-1); }
  Writer& Array(std::size_t n) {
    return flexible_ ? Varint(n + 1) : I32(static_cast<std::int32_t>(n));
  }
  Writer& NoTaggedFields() { return Varint(0); }
  const Bytes& bytes() const { return out_; }

 private:
  Writer& Big(std::uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    return *this;
  }
  Writer& Varint(std::size_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<std::uint8_t>(v | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<std::uint8_t>(v));
    return *this;
  }
  bool flexible_;
  Bytes out_;
};

storage::Record MakeRecord(std::optional<Bytes> key, std::optional<Bytes> value) {
  storage::Record r;
  r.timestamp = -1;
  r.key = std::move(key);
  r.value = std::move(value);
  return r;
}

Bytes Text(const std::string& s) { return Bytes(s.begin(), s.end()); }

// ConsumerProtocol.serializeSubscription(new Subscription(["foo"], null, [foo-0], 0, "rack"))
// and serializeAssignment(new Assignment([foo-0])), both at version 3.
Bytes Subscription() {
  return Writer()
      .I16(3)
      .Array(1)
      .String("foo")
      .NullBytes()
      .Array(1)
      .String("foo")
      .Array(1)
      .I32(0)
      .I32(0)
      .String("rack")
      .bytes();
}
Bytes Assignment() {
  return Writer().I16(3).Array(1).String("foo").Array(1).I32(0).NullBytes().bytes();
}

// GroupMetadataValue at its highest version (4, flexible) as in the Kafka test.
Bytes GroupMetadataValueV4(const Bytes& subscription, const Bytes& assignment) {
  return Writer(true)
      .I16(4)
      .String("consumer")
      .I32(10)
      .String("range")
      .String("member")
      .I64(-1)
      .Array(1)
      .String("member")
      .String("instance")
      .String("client")
      .String("host")
      .I32(1000)
      .I32(100)
      .ByteArray(subscription)
      .ByteArray(assignment)
      .NoTaggedFields()
      .NoTaggedFields()
      .bytes();
}

const Bytes kGroupKey = Writer().I16(2).String("group").bytes();

TEST_CASE(
    "offsets_decoder: a consumer group's metadata decodes its embedded protocol as Kafka's "
    "test expects") {
  const storage::ParsedRecord parsed = ParseOffsetsRecord(
      MakeRecord(kGroupKey, GroupMetadataValueV4(Subscription(), Assignment())), 0);
  CHECK(parsed.key == R"({"type":"2","data":{"group":"group"}})");
  CHECK(parsed.payload ==
        R"({"version":"4","data":{"protocolType":"consumer","generation":10,"protocol":"range",)"
        R"("leader":"member","currentStateTimestamp":-1,"members":[{"memberId":"member",)"
        R"("groupInstanceId":"instance","clientId":"client","clientHost":"host",)"
        R"("rebalanceTimeout":1000,"sessionTimeout":100,"subscription":{"topics":["foo"],)"
        R"("userData":null,"ownedPartitions":[{"topic":"foo","partitions":[0]}],)"
        R"("generationId":0,"rackId":"rack"},"assignment":{"assignedPartitions":)"
        R"([{"topic":"foo","partitions":[0]}],"userData":null}}]}})");
}

TEST_CASE("offsets_decoder: a malformed embedded protocol stays base64, as Kafka's test expects") {
  const storage::ParsedRecord parsed = ParseOffsetsRecord(
      MakeRecord(kGroupKey, GroupMetadataValueV4(Text("Subscription"), Text("Assignment"))), 0);
  CHECK(parsed.key == R"({"type":"2","data":{"group":"group"}})");
  CHECK(parsed.payload ==
        R"({"version":"4","data":{"protocolType":"consumer","generation":10,"protocol":"range",)"
        R"("leader":"member","currentStateTimestamp":-1,"members":[{"memberId":"member",)"
        R"("groupInstanceId":"instance","clientId":"client","clientHost":"host",)"
        R"("rebalanceTimeout":1000,"sessionTimeout":100,"subscription":"U3Vic2NyaXB0aW9u",)"
        R"("assignment":"QXNzaWdubWVudA=="}]}})");
}

TEST_CASE("offsets_decoder: tombstones, unknown types and a missing key read as in Kafka") {
  storage::ParsedRecord parsed = ParseOffsetsRecord(MakeRecord(kGroupKey, std::nullopt), 0);
  CHECK(parsed.key == R"({"type":"2","data":{"group":"group"}})");
  CHECK(parsed.payload == "<DELETE>");
  parsed = ParseOffsetsRecord(MakeRecord(Writer().I16(32767).bytes(), Bytes{}), 0);
  CHECK(parsed.key == "Unknown record type 32767 at offset 0, skipping.");
  CHECK(!parsed.payload);
  parsed = ParseOffsetsRecord(MakeRecord(std::nullopt, std::nullopt), 0);
  CHECK(parsed.key ==
        "Failed to decode message at offset 0 using the specified decoder (message had a missing "
        "key)");
  CHECK(!parsed.payload);
}

TEST_CASE(
    "offsets_decoder: the records the simulator's coordinator writes decode field by "
    "field") {
  const GroupRecord commit = OffsetCommitRecord({"g", "cities", 2}, {42, 7, "", 1000, -1});
  storage::ParsedRecord parsed = ParseOffsetsRecord(MakeRecord(commit.key, commit.value), 5);
  CHECK(parsed.key == R"({"type":"1","data":{"group":"g","topic":"cities","partition":2}})");
  CHECK(parsed.payload == R"({"version":"3","data":{"offset":42,"leaderEpoch":7,"metadata":"",)"
                          R"("commitTimestamp":1000}})");
  GroupMetadataValue group;
  group.protocol_type = "consumer";
  group.generation = 1;
  group.protocol = "range";
  group.leader = "m-1";
  group.current_state_timestamp = 3000;
  group.members.push_back({"m-1", std::nullopt, "consumer-1", "/10.0.0.1", 300000, 45000,
                           Subscription(), Assignment()});
  const GroupRecord metadata = GroupMetadataRecord({"g"}, group);
  parsed = ParseOffsetsRecord(MakeRecord(metadata.key, metadata.value), 6);
  CHECK(parsed.key == R"({"type":"2","data":{"group":"g"}})");
  CHECK(parsed.payload ==
        R"({"version":"3","data":{"protocolType":"consumer","generation":1,"protocol":"range",)"
        R"("leader":"m-1","currentStateTimestamp":3000,"members":[{"memberId":"m-1",)"
        R"("groupInstanceId":null,"clientId":"consumer-1","clientHost":"/10.0.0.1",)"
        R"("rebalanceTimeout":300000,"sessionTimeout":45000,"subscription":{"topics":["foo"],)"
        R"("userData":null,"ownedPartitions":[{"topic":"foo","partitions":[0]}],)"
        R"("generationId":0,"rackId":"rack"},"assignment":{"assignedPartitions":)"
        R"([{"topic":"foo","partitions":[0]}],"userData":null}}]}})");
}

TEST_CASE("offsets_decoder: damaged bytes give a line saying where, never a crash") {
  const GroupRecord commit = OffsetCommitRecord({"g", "cities", 2}, {42, 7, "", 1000, -1});
  Bytes cut = *commit.value;
  cut.resize(cut.size() - 3);
  storage::ParsedRecord parsed = ParseOffsetsRecord(MakeRecord(commit.key, cut), 9);
  CHECK(parsed.key ==
        "Error at offset 9, skipping. Could not read record with version 3 from value's buffer "
        "due to: Tried to read past the end of the buffer.");
  CHECK(!parsed.payload);
  // A string length running past the end.
  parsed = ParseOffsetsRecord(MakeRecord(Writer().I16(2).I16(500).bytes(), std::nullopt), 1);
  CHECK(parsed.key ==
        "Error at offset 1, skipping. Could not read record with version 2 from key's buffer due "
        "to: Error reading string of length 500, only 0 bytes available.");
  parsed = ParseOffsetsRecord(MakeRecord(Bytes{0x00}, std::nullopt), 1);
  CHECK(parsed.key == "Error at offset 1, skipping. Could not read version from key's buffer.");
  parsed = ParseOffsetsRecord(MakeRecord(kGroupKey, Writer().I16(9).bytes()), 1);
  CHECK(parsed.key ==
        "Error at offset 1, skipping. Unknown version 9 of value's buffer (versions 0 to 4 are "
        "known).");
  // A huge member count is refused before anything is allocated.
  const Bytes huge = Writer()
                         .I16(3)
                         .String("consumer")
                         .I32(1)
                         .String("r")
                         .String("l")
                         .I64(0)
                         .I32(INT32_MAX)
                         .bytes();
  parsed = ParseOffsetsRecord(MakeRecord(kGroupKey, huge), 1);
  CHECK(parsed.key->find("Error at offset 1, skipping.") == 0);
}

TEST_CASE("offsets_decoder: dump-log prints the decoded key and payload on each record line") {
  const GroupRecord commit = OffsetCommitRecord({"g", "cities", 0}, {4, -1, "", 1000, -1});
  storage::Record record = MakeRecord(commit.key, commit.value);
  record.timestamp = 1000;
  storage::BatchOptions options;
  const Bytes batch = storage::BuildBatch({record}, options);
  const storage::RecordParser parser = OffsetsRecordParser();
  storage::DumpOptions dump_options;
  dump_options.parser = &parser;
  const storage::DumpResult dump =
      storage::DumpFile("__consumer_offsets-7/00000000000000000000.log", batch, dump_options);
  CHECK(dump.error.empty());
  const std::string last_line = dump.text.substr(dump.text.rfind("| offset"));
  CHECK(last_line ==
        "| offset: 0 CreateTime: 1000 keySize: 17 valueSize: 24 sequence: -1 headerKeys: [] "
        R"(key: {"type":"1","data":{"group":"g","topic":"cities","partition":0}} )"
        R"(payload: {"version":"3","data":{"offset":4,"leaderEpoch":-1,"metadata":"",)"
        R"("commitTimestamp":1000}})"
        "\n");
}

}  // namespace
}  // namespace kafkasim::kafka
