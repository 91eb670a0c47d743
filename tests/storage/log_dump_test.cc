// dump-log output on good and damaged files, compared as whole text.
#include "storage/log_dump.h"

#include <doctest/doctest.h>

#include "test_util.h"

namespace kafkasim::storage {
namespace {

using Bytes = std::vector<std::uint8_t>;

const std::string kGoldenHex =
    "00000000000000000000004f00000000024469c88d0000000000010000018bcfe568000000018bcfe56805"
    "ffffffffffffffffffffffffffff000000021a000000046b310a68656c6c6f001e000a02010a776f726c6402026802"
    "76";

const std::string kBatchLine =
    "baseOffset: 0 lastOffset: 1 count: 2 baseSequence: -1 lastSequence: -1 producerId: -1 "
    "producerEpoch: -1 partitionLeaderEpoch: 0 isTransactional: false isControl: false "
    "deleteHorizonMs: OptionalLong.empty position: 0 CreateTime: 1700000000005 size: 91 magic: 2 "
    "compresscodec: none "
    "crc: 1147783309 isvalid: true\n";

TEST_CASE("log_dump: a good segment prints its batches and records") {
  const Bytes bytes = testing::FromHex(kGoldenHex);
  DumpResult r = DumpFile("cities-0/00000000000000000000.log", bytes, true);
  CHECK(r.error.empty());
  CHECK(r.text == "Dumping cities-0/00000000000000000000.log\nLog starting offset: 0\n" +
                      kBatchLine +
                      "| offset: 0 CreateTime: 1700000000000 keySize: 2 valueSize: 5 sequence: -1 "
                      "headerKeys: [] key: k1 payload: hello\n"
                      "| offset: 1 CreateTime: 1700000000005 keySize: -1 valueSize: 5 sequence: -1 "
                      "headerKeys: [h] payload: world\n");
}

// KIP-534: the cleaner stamps a batch holding tombstones with its delete horizon (attribute
// bit 6, the horizon in baseTimestamp); DumpLogSegments prints RecordBatch.deleteHorizonMs, a
// Java OptionalLong.
TEST_CASE("log_dump: a batch stamped with a delete horizon prints it as an OptionalLong") {
  Result<RecordBatch> batch = DecodeBatch(testing::FromHex(kGoldenHex));
  REQUIRE(batch.ok());
  batch->header.attributes = static_cast<std::uint16_t>(batch->header.attributes | 0x40);
  batch->header.base_timestamp = 1700086400000;
  const std::string text = DumpFile("00000000000000000000.log", EncodeBatch(*batch), false).text;
  CHECK(text.find(" isControl: false deleteHorizonMs: OptionalLong[1700086400000] position: 0 ") !=
        std::string::npos);
}

TEST_CASE("log_dump: a compressed batch names its codec and prints its records when deep") {
  std::vector<Record> records(2);
  records[0].timestamp = 1700000000000;
  records[0].key = Bytes{'k', '1'};
  records[0].value = Bytes{'h', 'i'};
  records[1].timestamp = 1700000000001;
  BatchOptions options;
  options.compression = CompressionType::kZstd;
  options.partition_leader_epoch = 4;
  options.base_offset = 20;
  const Bytes bytes = BuildBatch(records, options);
  const std::string batch_line =
      "baseOffset: 20 lastOffset: 21 count: 2 baseSequence: -1 lastSequence: -1 producerId: -1 "
      "producerEpoch: -1 partitionLeaderEpoch: 4 isTransactional: false isControl: false "
      "deleteHorizonMs: OptionalLong.empty position: 0 CreateTime: 1700000000001 size: " +
      std::to_string(bytes.size()) +
      " magic: 2 compresscodec: zstd crc: " + std::to_string(CheckBatch(bytes)->crc) +
      " isvalid: true\n";
  const std::string head = "Dumping 00000000000000000020.log\nLog starting offset: 20\n";
  CHECK(DumpFile("00000000000000000020.log", bytes, false).text == head + batch_line);
  const std::string deep =
      "| offset: 20 CreateTime: 1700000000000 keySize: 2 valueSize: 2 sequence: -1 headerKeys: []";
  const std::string second =
      "| offset: 21 CreateTime: 1700000000001 keySize: -1 valueSize: -1 sequence: -1 "
      "headerKeys: []\n";
  CHECK(DumpFile("00000000000000000020.log", bytes, false, true).text ==
        head + batch_line + deep + "\n" + second);
  CHECK(DumpFile("00000000000000000020.log", bytes, true).text ==
        head + batch_line + deep + " key: k1 payload: hi\n" + second);
}

TEST_CASE("log_dump: a truncated or corrupt segment names the file and byte position") {
  Bytes bytes = testing::FromHex(kGoldenHex + kGoldenHex);
  Bytes torn(bytes.begin(), bytes.begin() + 91 + 30);
  DumpResult r = DumpFile("00000000000000000000.log", torn, false);
  CHECK(r.text == "Dumping 00000000000000000000.log\nLog starting offset: 0\n" + kBatchLine);
  CHECK(r.error ==
        "00000000000000000000.log: partial batch at byte 91: batchLength 79 needs 91 bytes, 30 "
        "left");
  bytes[91 + 70] ^= 0x40;
  r = DumpFile("00000000000000000000.log", bytes, true);
  CHECK(r.error.rfind("00000000000000000000.log: corrupt batch at byte 91: stored crc 0x4469c88d",
                      0) == 0);
}

TEST_CASE("log_dump: index files print entries and flag a partial entry") {
  const Bytes index = testing::FromHex(
      "0000000200000154"
      "00000004000002a8"
      "0000");
  DumpResult r = DumpFile("00000000000000000100.index", index, false);
  CHECK(r.text ==
        "Dumping 00000000000000000100.index\noffset: 102 position: 340\n"
        "offset: 104 position: 680\n");
  CHECK(r.error == "00000000000000000100.index: partial index entry at byte 16");
  const Bytes time_index = testing::FromHex("0000018bcfe5680500000001");
  r = DumpFile("00000000000000000000.timeindex", time_index, false);
  CHECK(r.text == "Dumping 00000000000000000000.timeindex\ntimestamp: 1700000000005 offset: 1\n");
  CHECK(r.error.empty());
}

TEST_CASE("log_dump: checkpoint files print their entries or the bad line") {
  const std::string epochs = "0\n2\n0 0\n3 17\n";
  DumpResult r = DumpFile("cities-0/leader-epoch-checkpoint", testing::Bytes(epochs), false);
  CHECK(r.text ==
        "Dumping cities-0/leader-epoch-checkpoint\nepoch: 0 startOffset: 0\n"
        "epoch: 3 startOffset: 17\n");
  const std::string hw = "0\n1\ncities 0 42\n";
  r = DumpFile("replication-offset-checkpoint", testing::Bytes(hw), false);
  CHECK(r.text == "Dumping replication-offset-checkpoint\ntopic: cities partition: 0 offset: 42\n");
  const std::string bad = "0\n1\n";
  r = DumpFile("recovery-point-offset-checkpoint", testing::Bytes(bad), false);
  CHECK(r.error == "recovery-point-offset-checkpoint:2: count 1 but 0 entry lines follow");
}

TEST_CASE("log_dump: bytes that are no batch at all are not a segment, a torn tail is damage") {
  const Bytes golden = testing::FromHex(kGoldenHex);
  const std::string text = "not a segment\n";
  DumpResult r = DumpFile("00000000000000000000.log", testing::Bytes(text), false);
  CHECK(r.not_this_kind);
  Bytes torn = golden;
  torn.insert(torn.end(), golden.begin(), golden.begin() + 20);
  r = DumpFile("00000000000000000000.log", torn, false);
  CHECK_FALSE(r.error.empty());
  CHECK_FALSE(r.not_this_kind);
}

TEST_CASE("log_dump: max_lines stops a dump with a note and a sink receives the text") {
  const Bytes golden = testing::FromHex(kGoldenHex);
  DumpOptions options;
  options.deep_iteration = true;
  options.max_lines = 3;
  std::string streamed;
  options.sink = [&streamed](std::string_view text) { streamed += text; };
  DumpResult r = DumpFile("00000000000000000000.log", golden, options);
  CHECK(r.text.empty());
  CHECK(r.truncated);
  CHECK(r.lines == 3);
  CHECK(streamed == "Dumping 00000000000000000000.log\nLog starting offset: 0\n" + kBatchLine +
                        "... stopped after 3 lines (--max-lines 0 prints all)\n");
}

TEST_CASE("log_dump: max_bytes reads only the batches that start within it") {
  const Bytes golden = testing::FromHex(kGoldenHex);
  Bytes two = golden;
  two.insert(two.end(), golden.begin(), golden.end());
  DumpOptions options;
  options.max_bytes = golden.size();
  DumpResult r = DumpFile("00000000000000000000.log", two, options);
  CHECK(r.error.empty());
  CHECK(r.lines == 3);
}

TEST_CASE("log_dump: meta.properties is validated as Kafka's MetaProperties reads it") {
  auto problem = [](const std::string& text) {
    return DumpFile("meta.properties", testing::Bytes(text), false).error;
  };
  CHECK(problem("version=0\nbroker.id=1\n") == "");
  CHECK(problem("broker.id=1\n") == "");  // no version: V0
  CHECK(problem("version=1\nnode.id=3\ncluster.id=abc\n") == "");
  CHECK(problem("version=1\nnode.id=3\n") == "meta.properties: cluster.id was not found.");
  CHECK(problem("version=1\ncluster.id=abc\n") == "meta.properties: node.id was not found.");
  CHECK(problem("version=orange\n") ==
        "meta.properties: Invalid meta.properties version string 'orange'");
  CHECK(problem("version=2\n") == "meta.properties: Unknown meta.properties version number 2");
  CHECK(problem("version=0\nbroker.id=x\n") ==
        "meta.properties: Unable to read broker.id as a base-10 number.");
  CHECK(problem("version=1\nnode.id=3\ncluster.id=a\ndirectory.id=zz\n") ==
        "meta.properties: Unable to read directory.id as a Uuid: 'zz' is not 22 base64 "
        "characters");
}

}  // namespace
}  // namespace kafkasim::storage
