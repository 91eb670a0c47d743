// Text checkpoint formats: exact text written, strict parsing with file:line errors.
#include "storage/checkpoint_file.h"

#include <doctest/doctest.h>

namespace kafkasim::storage {
namespace {

TEST_CASE("checkpoint_file: offset checkpoints round trip in Kafka's text format") {
  std::vector<TopicPartitionOffset> entries = {{"cities", 0, 42}, {"__consumer_offsets", 7, 0}};
  const std::string text = FormatOffsetCheckpoint(entries);
  CHECK(text == "0\n2\ncities 0 42\n__consumer_offsets 7 0\n");
  CHECK(*ParseOffsetCheckpoint(text, "f") == entries);
  CHECK(ParseOffsetCheckpoint("0\n2\ncities 0 42\n", "replication-offset-checkpoint")
            .status()
            .message() == "replication-offset-checkpoint:2: count 2 but 1 entry lines follow");
  CHECK(ParseOffsetCheckpoint("1\n0\n", "f").status().message() ==
        "f:1: expected version 0, found '1'");
  CHECK(ParseOffsetCheckpoint("0\n1\ncities x 1\n", "f").status().message() ==
        "f:3: expected '<topic> <partition> <offset>'");
}

TEST_CASE("checkpoint_file: partition.metadata carries the topic id in Kafka's base64") {
  const Uuid id{0x0314253647586976ULL, 0x8798a9bacbdcedfeULL};
  const std::string text = FormatPartitionMetadata(id);
  CHECK(text == "version: 0\ntopic_id: " + UuidToBase64(id) + "\n");
  CHECK(UuidToBase64(id).size() == 22);
  CHECK(*ParsePartitionMetadata(text, "p") == id);
  Uuid zero{};
  CHECK(UuidToBase64(zero) == "AAAAAAAAAAAAAAAAAAAAAA");
  CHECK(ParsePartitionMetadata("version: 0\ntopic_id: short\n", "p").status().message() ==
        "p:2: a topic id has 22 base64 characters, got 'short'");
}

TEST_CASE("checkpoint_file: meta.properties for a KRaft node") {
  MetaProperties meta{1, 3, "MkU3OEVBNTcwNTJENDM2Qk", "AAAAAAAAAAAAAAAAAAAAAQ"};
  const std::string text = FormatMetaProperties(meta);
  CHECK(text ==
        "#\n#Written by kafkasim\nnode.id=3\ndirectory.id=AAAAAAAAAAAAAAAAAAAAAQ\nversion=1\n"
        "cluster.id=MkU3OEVBNTcwNTJENDM2Qk\n");
  CHECK(*ParseMetaProperties(text, "m") == meta);
  CHECK(ParseMetaProperties("version=0\nbroker.id=1\n", "m").status().message() ==
        "m:1: expected version=1 (KRaft)");
}

TEST_CASE("checkpoint_file: leader-epoch-checkpoint rejects malformed lines") {
  CHECK(*ParseLeaderEpochCheckpoint("0\n2\n0 0\n3 17\n", "e") ==
        std::vector<EpochEntry>{{0, 0}, {3, 17}});
  CHECK(ParseLeaderEpochCheckpoint("0\n1\n3\n", "e").status().message() ==
        "e:3: expected 2 fields, found '3'");
}

}  // namespace
}  // namespace kafkasim::storage
