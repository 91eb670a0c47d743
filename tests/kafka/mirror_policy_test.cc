// MirrorMaker 2's rules against the values of Kafka's own tests (connect/mirror/src/test:
// MirrorSourceConnectorTest, OffsetSyncStoreTest, OffsetSyncWriterTest, MirrorCheckpointTaskTest,
// DefaultReplicationPolicyTest).
#include "kafka/mirror_policy.h"

#include <doctest/doctest.h>

namespace kafkasim::kafka {
namespace {

const TopicPartition kTp{"topic1", 2};

TEST_CASE("a remote topic is named source.topic and the policy reads the name back") {
  CHECK(mirror_policy::FormatRemoteTopic("us-east", "cities") == "us-east.cities");
  CHECK(mirror_policy::TopicSource("us-east.cities") == "us-east");
  CHECK(mirror_policy::TopicSource("cities") == std::nullopt);
  CHECK(mirror_policy::UpstreamTopic("a.b.cities") == "b.cities");
  CHECK(mirror_policy::OriginalTopic("a.b.cities") == "cities");
  CHECK(mirror_policy::OffsetSyncsTopic("eu-west") == "mm2-offset-syncs.eu-west.internal");
  CHECK(mirror_policy::CheckpointsTopic("us-east") == "us-east.checkpoints.internal");
  CHECK(mirror_policy::IsHeartbeatsTopic("us-west.heartbeats"));
  CHECK(mirror_policy::IsInternalTopic("__consumer_offsets"));
  CHECK(mirror_policy::IsInternalTopic("us-east.checkpoints.internal"));
  CHECK(mirror_policy::IsInternalTopic("connect-offsets-internal"));
  CHECK_FALSE(mirror_policy::IsInternalTopic("cities"));
}

TEST_CASE("the source connector never replicates a topic back to where it came from") {
  // MirrorSourceConnectorTest.testNoCycles.
  const NameFilter all(".*", "");
  CHECK_FALSE(ShouldReplicateTopic(all, "target.topic1", "target"));
  CHECK_FALSE(ShouldReplicateTopic(all, "target.source.topic1", "target"));
  CHECK_FALSE(ShouldReplicateTopic(all, "source.target.topic1", "target"));
  CHECK_FALSE(ShouldReplicateTopic(all, "target.source.target.topic1", "target"));
  CHECK_FALSE(ShouldReplicateTopic(all, "source.target.source.topic1", "target"));
  CHECK(ShouldReplicateTopic(all, "topic1", "target"));
  CHECK(ShouldReplicateTopic(all, "source.topic1", "target"));
}

TEST_CASE("heartbeats are replicated even when the topic filter refuses them") {
  // testReplicatesHeartbeatsByDefault and testReplicatesHeartbeatsDespiteFilter.
  const NameFilter defaults(kTopicsIncludeDefault, kTopicsExcludeDefault);
  CHECK(ShouldReplicateTopic(defaults, "heartbeats", "target"));
  CHECK(ShouldReplicateTopic(defaults, "us-west.heartbeats", "target"));
  const NameFilter none("", "");
  CHECK(ShouldReplicateTopic(none, "heartbeats", "target"));
  CHECK(ShouldReplicateTopic(none, "us-west.heartbeats", "target"));
  CHECK_FALSE(ShouldReplicateTopic(none, "heartbeats", "target", false));
}

TEST_CASE("the default filters leave out internal topics and tool groups") {
  const NameFilter topics(kTopicsIncludeDefault, kTopicsExcludeDefault);
  CHECK(topics.Passes("cities"));
  CHECK_FALSE(topics.Passes("mm2-offset-syncs.eu-west.internal"));
  CHECK_FALSE(topics.Passes("cities.replica"));
  CHECK_FALSE(topics.Passes("__consumer_offsets"));
  const NameFilter groups(kGroupsIncludeDefault, kGroupsExcludeDefault);
  CHECK(groups.Passes("billing"));
  CHECK_FALSE(groups.Passes("console-consumer-12345"));
  CHECK_FALSE(groups.Passes("connect-mm2"));
  CHECK(NameFilter::Invalid("cities, (") == "'(' is not a valid regular expression");
  CHECK(NameFilter::Invalid("cities, orders.*") == std::nullopt);
}

TEST_CASE("an offset sync is written for the first record, a gap, a rewind or too much lag") {
  // OffsetSyncWriterTest.testMaybeQueueOffsetSyncs (offset.lag.max 2).
  OffsetSyncState state(2);
  CHECK(state.Update(0, 1));
  state.Reset();
  CHECK_FALSE(state.Update(1, 2));
  CHECK_FALSE(state.Update(2, 3));
  CHECK(state.Update(3, 4));  // 4 - (1 + 1) >= 2: a group one past the sync would lag too far
  state.Reset();
  CHECK(state.Update(5, 5));  // an upstream record was skipped
  state.Reset();
  CHECK(state.Update(6, 0));  // the downstream topic was truncated
}

TEST_CASE("offsets translate to the sync or one past it, never further") {
  // OffsetSyncStoreTest.testOffsetTranslation.
  OffsetSyncStore store;
  store.SetReadToEnd();
  store.Sync({kTp, 100, 200});
  CHECK(store.TranslateDownstream(kTp, 150) == 201);
  store.Sync({kTp, 150, 251});
  CHECK(store.TranslateDownstream(kTp, 150) == 251);
  CHECK(store.TranslateDownstream(kTp, 5) == -1);
  store.Sync({kTp, 200, 10});
  CHECK(store.TranslateDownstream(kTp, 200) == 10);
  store.Sync({kTp, 20, 20});
  CHECK(store.TranslateDownstream(kTp, 20) == 20);
}

TEST_CASE("nothing translates before the syncs topic was read to its end") {
  // OffsetSyncStoreTest.testNoTranslationIfStoreNotStarted.
  OffsetSyncStore store;
  store.Sync({kTp, 100, 200});
  CHECK(store.TranslateDownstream(kTp, 100) == std::nullopt);
  store.SetReadToEnd();
  CHECK(store.TranslateDownstream(kTp, 0) == -1);
  CHECK(store.TranslateDownstream(kTp, 100) == 200);
  CHECK(store.TranslateDownstream(kTp, 200) == 201);
}

TEST_CASE("older offsets translate with less precision, as the sparse store keeps them") {
  // OffsetSyncStoreTest.testPastOffsetTranslation.
  OffsetSyncStore store;
  for (std::int64_t offset = 0; offset <= 1000; offset += 10) store.Sync({kTp, offset, offset});
  store.SetReadToEnd();
  const auto sparse = [&](std::int64_t sync, std::int64_t previous) {
    CHECK(store.TranslateDownstream(kTp, sync - 1) == (previous == -1 ? -1 : previous + 1));
    CHECK(store.TranslateDownstream(kTp, sync) == sync);
    CHECK(store.TranslateDownstream(kTp, sync + 1) == sync + 1);
    CHECK(store.TranslateDownstream(kTp, sync + 2) == sync + 1);
  };
  sparse(1000, -1);
  for (std::int64_t offset = 1010; offset <= 10000; offset += 10) store.Sync({kTp, offset, offset});
  sparse(1000, -1);
  sparse(4840, 1000);
  sparse(6760, 4840);
  sparse(8680, 6760);
  sparse(9160, 8680);
  sparse(9640, 9160);
  sparse(9880, 9640);
  sparse(9940, 9880);
  sparse(9970, 9940);
  sparse(9990, 9970);
  sparse(10000, 9990);
  store.Sync({kTp, 1500, 11000});
  CHECK(store.TranslateDownstream(kTp, 1499) == -1);
  CHECK(store.TranslateDownstream(kTp, 1500) == 11000);
  CHECK(store.TranslateDownstream(kTp, 2000) == 11001);
}

TEST_CASE("checkpoints rename the partition and never rewind downstream") {
  // MirrorCheckpointTaskTest.testCheckpoint: flow source1 -> target2.
  CHECK(RenameTopicPartition("source1", "target2", {"topic1", 2}) ==
        TopicPartition{"source1.topic1", 2});
  CHECK(RenameTopicPartition("source1", "target2", {"target2.topic5", 6}) ==
        TopicPartition{"topic5", 6});
  const Checkpoint first{"group9", {"source1.topic1", 2}, 10, 4, ""};
  CHECK(CheckpointIsMoreRecent(std::nullopt, first));
  Checkpoint same = first;
  CHECK_FALSE(CheckpointIsMoreRecent(first, same));
  Checkpoint ahead = first;
  ahead.upstream = 12;
  ahead.downstream = 5;
  CHECK(CheckpointIsMoreRecent(first, ahead));
  Checkpoint backwards = first;
  backwards.upstream = 11;
  backwards.downstream = 3;
  CHECK_FALSE(CheckpointIsMoreRecent(first, backwards));
  Checkpoint rewound = first;
  rewound.upstream = 2;
  rewound.downstream = 1;
  CHECK(CheckpointIsMoreRecent(first, rewound));
  CHECK(first.ToString() ==
        "Checkpoint{consumerGroupId=group9, topicPartition=source1.topic1-2, upstreamOffset=10, "
        "downstreamOffset=4, metadata=}");
}

TEST_CASE("internal records are written in Kafka's schema encoding and read back") {
  const std::string key = EncodeOffsetSyncKey({"ab", 1});
  CHECK(key == std::string("\x00\x02"
                           "ab\x00\x00\x00\x01",
                           8));
  const std::optional<OffsetSync> sync = DecodeOffsetSync(key, EncodeOffsetSyncValue(7, 9));
  REQUIRE(sync);
  CHECK(sync->ToString() ==
        "OffsetSync{topicPartition=ab-1, upstreamOffset=7, downstreamOffset=9}");
  CHECK(DecodeOffsetSync(key, "short") == std::nullopt);
  const std::optional<Checkpoint> checkpoint = DecodeCheckpoint(
      EncodeCheckpointKey("g", {"us-east.cities", 0}), EncodeCheckpointValue(5, 3, "m"));
  REQUIRE(checkpoint);
  CHECK(checkpoint->downstream == 3);
  CHECK(EncodeHeartbeatValue(1).size() == 10);
  CHECK(EncodeHeartbeatKey("a", "b") == std::string("\x00\x01"
                                                    "a\x00\x01"
                                                    "b",
                                                    6));
}

}  // namespace
}  // namespace kafkasim::kafka
