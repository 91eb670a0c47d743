// Metadata records in Kafka's binary format (MetadataRecordSerde: frame version 1, api key,
// version, then the record with its tagged fields) and the JSON that
// kafka-dump-log.sh --cluster-metadata-decoder prints for them.
#include "kafka/metadata_records.h"

#include <doctest/doctest.h>

#include "kafka/metadata_snapshot.h"

namespace kafkasim::kafka {
namespace {

using Bytes = std::vector<std::uint8_t>;

const Uuid kTopicId{0x0102030405060708ULL, 0x090a0b0c0d0e0f10ULL};

std::string Text(const MetadataRecord& r) {
  return ClusterMetadataRecordText(EncodeMetadataRecord(r), 7);
}

TEST_CASE("metadata records: the frame is version 1, the api key and the record version") {
  const Bytes topic = EncodeMetadataRecord(TopicRecord{"a", kTopicId});
  // frame 1, api key 2, version 0, compact string "a", the uuid, no tagged fields.
  Bytes expected = {1, 2, 0, 2, 'a'};
  for (int i = 1; i <= 16; ++i) expected.push_back(static_cast<std::uint8_t>(i));
  expected.push_back(0);
  CHECK(topic == expected);
  CHECK(EncodeMetadataRecord(NoOpRecord{}) == Bytes{1, 20, 0, 0});
  CHECK(EncodeMetadataRecord(FeatureLevelRecord{"metadata.version", 30}) ==
        Bytes{1,   12,  0,   17,  'm', 'e', 't', 'a', 'd', 'a', 't', 'a',
              '.', 'v', 'e', 'r', 's', 'i', 'o', 'n', 0,   30,  0});
}

TEST_CASE("metadata records: every record type decodes to what was encoded") {
  RegisterBrokerRecord broker{1,
                              42,
                              "rack-a",
                              true,
                              false,
                              Uuid{5, 6},
                              {{"PLAINTEXT", "broker-1", 9092, 0}},
                              SupportedFeatures(),
                              {Uuid{7, 8}}};
  PartitionRecord partition;
  partition.topic_id = kTopicId;
  partition.partition_id = 3;
  partition.replicas = {1, 2, 3};
  partition.isr = {1, 2};
  partition.elr = {3};
  partition.leader = 1;
  partition.leader_epoch = 4;
  partition.partition_epoch = 9;
  partition.leader_recovery_state = LeaderRecoveryState::kRecovering;
  partition.directories = {Uuid{1, 1}, Uuid{2, 2}, Uuid{3, 3}};
  PartitionChangeRecord change;
  change.topic_id = kTopicId;
  change.partition_id = 3;
  change.leader = kNoLeader;
  change.isr = std::vector<BrokerId>{2};
  change.last_known_elr = std::vector<BrokerId>{};
  const std::vector<MetadataRecord> records = {
      broker,
      TopicRecord{"cities", kTopicId},
      partition,
      ConfigRecord{2, "cities", "retention.ms", "1000"},
      ConfigRecord{4, "", "min.insync.replicas", std::nullopt},
      change,
      RemoveTopicRecord{kTopicId},
      BrokerRegistrationChangeRecord{1, 42, -1, 1},
      NoOpRecord{},
      ProducerIdsRecord{1, 42, 2000},
      FeatureLevelRecord{"group.version", 1}};
  for (const MetadataRecord& r : records) {
    CAPTURE(RecordTypeName(r));
    const Bytes bytes = EncodeMetadataRecord(r);
    Result<MetadataRecord> back = DecodeMetadataRecord(bytes);
    REQUIRE(back.ok());
    CHECK(EncodeMetadataRecord(*back) == bytes);
    CHECK(Text(*back) == Text(r));
    // No truncation reads past the end or passes for a record.
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      CHECK_FALSE(DecodeMetadataRecord(std::span(bytes).first(n)).ok());
    }
  }
}

TEST_CASE("metadata records: --cluster-metadata-decoder prints Kafka's JsonConverter JSON") {
  CHECK(
      Text(TopicRecord{"cities", kTopicId}) ==
      R"({"type":"TOPIC_RECORD","version":0,"data":{"name":"cities","topicId":"AQIDBAUGBwgJCgsMDQ4PEA"}})");
  PartitionRecord p;
  p.topic_id = kTopicId;
  p.replicas = {1, 2};
  p.isr = {1, 2};
  p.leader = 1;
  // Tagged fields (leaderRecoveryState, the ELRs) only when not their defaults; directories
  // unassigned when the controller did not know them.
  CHECK(
      Text(p) ==
      R"({"type":"PARTITION_RECORD","version":2,"data":{"partitionId":0,"topicId":"AQIDBAUGBwgJCgsMDQ4PEA","replicas":[1,2],"isr":[1,2],"removingReplicas":[],"addingReplicas":[],"leader":1,"leaderEpoch":0,"partitionEpoch":0,"directories":["AAAAAAAAAAAAAAAAAAAAAA","AAAAAAAAAAAAAAAAAAAAAA"]}})");
  PartitionChangeRecord c;
  c.topic_id = kTopicId;
  c.leader = 2;
  c.isr = std::vector<BrokerId>{2};
  CHECK(
      Text(c) ==
      R"({"type":"PARTITION_CHANGE_RECORD","version":2,"data":{"partitionId":0,"topicId":"AQIDBAUGBwgJCgsMDQ4PEA","isr":[2],"leader":2}})");
  CHECK(
      Text(BrokerRegistrationChangeRecord{1, 5, -1, 0}) ==
      R"({"type":"BROKER_REGISTRATION_CHANGE_RECORD","version":2,"data":{"brokerId":1,"brokerEpoch":5,"fenced":-1}})");
  CHECK(
      Text(RegisterBrokerRecord{1,
                                5,
                                "",
                                true,
                                false,
                                Uuid{0, 1},
                                {{"PLAINTEXT", "localhost", 9092, 0}},
                                {{"metadata.version", 7, 30}},
                                {Uuid{0, 2}}}) ==
      R"({"type":"REGISTER_BROKER_RECORD","version":3,"data":{"brokerId":1,"isMigratingZkBroker":false,"incarnationId":"AAAAAAAAAAAAAAAAAAAAAQ","brokerEpoch":5,"endPoints":[{"name":"PLAINTEXT","host":"localhost","port":9092,"securityProtocol":0}],"features":[{"name":"metadata.version","minSupportedVersion":7,"maxSupportedVersion":30}],"rack":null,"fenced":true,"inControlledShutdown":false,"logDirs":["AAAAAAAAAAAAAAAAAAAAAg"]}})");
  CHECK(
      Text(ProducerIdsRecord{1, 5, 1000}) ==
      R"({"type":"PRODUCER_IDS_RECORD","version":0,"data":{"brokerId":1,"brokerEpoch":5,"nextProducerId":1000}})");
  CHECK(Text(NoOpRecord{}) == R"({"type":"NO_OP_RECORD","version":0,"data":{}})");
  CHECK(
      Text(FeatureLevelRecord{"metadata.version", 30}) ==
      R"({"type":"FEATURE_LEVEL_RECORD","version":0,"data":{"name":"metadata.version","featureLevel":30}})");
}

TEST_CASE("metadata records: bytes that are not a record give DumpLogSegments' error line") {
  CHECK(ClusterMetadataRecordText(Bytes{}, 12) ==
        "Error at 12, skipping. Error while reading the frame version");
  CHECK(ClusterMetadataRecordText(Bytes{2, 2, 0}, 3) ==
        "Error at 3, skipping. Could not deserialize metadata record due to unknown frame "
        "version 2(only frame version 1 is supported)");
  CHECK(ClusterMetadataRecordText(Bytes{1, 99, 0}, 3) ==
        "Error at 3, skipping. Unknown metadata id 99");
  // JSON text is not a record (the simulator's old format).
  const std::string json = R"({"type":"TOPIC_RECORD"})";
  CHECK_FALSE(DecodeMetadataRecord(Bytes(json.begin(), json.end())).ok());
}

TEST_CASE("metadata snapshots: a snapshot file reads back as its records") {
  const std::vector<MetadataRecord> records = BootstrapRecords(1);
  REQUIRE(records.size() == 4);
  const Bytes file = BuildSnapshotFile(records, 3, 1000);
  Result<std::vector<MetadataRecord>> back = ReadSnapshotFile(file);
  REQUIRE(back.ok());
  REQUIRE(back->size() == records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    CHECK(EncodeMetadataRecord((*back)[i]) == EncodeMetadataRecord(records[i]));
  }
  // The voters' 0-0.checkpoint holds no metadata records, only control records.
  const Bytes zero = BuildSnapshotFile(
      {}, 0, 1000, {storage::Voter{1, Uuid{}, {{"CONTROLLER", "h", 9093}}, 0, 1}});
  CHECK(ReadSnapshotFile(zero)->empty());
  // Without its footer (a half-written file) it is refused.
  CHECK_FALSE(ReadSnapshotFile(std::span(file).first(file.size() - 70)).ok());
  CHECK(SnapshotFileName(12345, 7) == "00000000000000012345-0000000007.checkpoint");
}

TEST_CASE("metadata snapshots: the records of an image rebuild the same image") {
  MetadataImage image;
  std::int64_t offset = 0;
  for (const MetadataRecord& r : BootstrapRecords(1)) image.Apply(r, offset++);
  image.Apply(RegisterBrokerRecord{1, offset, "", false, false, Uuid{1, 1}, {}, {}, {}}, offset);
  ++offset;
  image.Apply(TopicRecord{"cities", kTopicId}, offset++);
  PartitionRecord p;
  p.topic_id = kTopicId;
  p.replicas = {1};
  p.isr = {1};
  p.leader = 1;
  image.Apply(p, offset++);
  image.Apply(ConfigRecord{2, "cities", "retention.ms", "1000"}, offset++);
  image.Apply(ProducerIdsRecord{1, 4, 1000}, offset++);
  MetadataImage rebuilt;
  for (const MetadataRecord& r : ImageRecords(image)) rebuilt.Apply(r, offset);
  std::vector<Bytes> a;
  std::vector<Bytes> b;
  for (const MetadataRecord& r : ImageRecords(image)) a.push_back(EncodeMetadataRecord(r));
  for (const MetadataRecord& r : ImageRecords(rebuilt)) b.push_back(EncodeMetadataRecord(r));
  CHECK(a == b);
  CHECK(rebuilt.features().at("metadata.version") == kMetadataVersionLevel);
  CHECK(rebuilt.next_producer_id() == 1000);
  CHECK(rebuilt.TopicConfig("cities", "retention.ms", "") == "1000");
}

}  // namespace
}  // namespace kafkasim::kafka
