// The config catalogue is the one home of Kafka's defaults: the typed constants the code uses
// must say what the catalogue says, and every entry is either acted on or refused with a reason.
#include "kafka/configs.h"

#include <doctest/doctest.h>

#include <string>

namespace kafkasim::kafka {
namespace {

std::string Default(const std::vector<ConfigSpec>& specs, std::string_view name) {
  const ConfigSpec* spec = FindConfigSpec(specs, name);
  REQUIRE_MESSAGE(spec != nullptr, name);
  return std::string(spec->default_value);
}

std::string Text(std::int64_t v) { return std::to_string(v); }

TEST_CASE("the typed defaults equal the catalogue's text") {
  const auto& b = BrokerConfigSpecs();
  const auto& c = ControllerConfigSpecs();
  const auto& t = TopicConfigSpecs();
  CHECK(Default(b, "log.segment.bytes") == Text(kLogSegmentBytesDefault));
  CHECK(Default(b, "offsets.topic.num.partitions") == Text(kOffsetsTopicNumPartitionsDefault));
  CHECK(Default(b, "offsets.topic.replication.factor") ==
        Text(kOffsetsTopicReplicationFactorDefault));
  CHECK(Default(b, "offsets.topic.segment.bytes") == Text(kOffsetsTopicSegmentBytesDefault));
  CHECK(Default(b, "group.initial.rebalance.delay.ms") ==
        Text(kGroupInitialRebalanceDelayMsDefault));
  CHECK(Default(t, "segment.bytes") == Text(kLogSegmentBytesDefault));
  CHECK(Default(b, "log.roll.ms") == Text(kLogRollMsDefault));
  CHECK(Default(t, "segment.ms") == Text(kLogRollMsDefault));
  CHECK(Default(b, "log.retention.ms") == Text(kLogRetentionMsDefault));
  CHECK(Default(t, "retention.ms") == Text(kLogRetentionMsDefault));
  CHECK(Default(b, "log.retention.bytes") == Text(kLogRetentionBytesDefault));
  CHECK(Default(t, "retention.bytes") == Text(kLogRetentionBytesDefault));
  CHECK(Default(t, "segment.index.bytes") == Text(kSegmentIndexBytesDefault));
  CHECK(Default(t, "segment.jitter.ms") == Text(kSegmentJitterMsDefault));
  CHECK(Default(t, "index.interval.bytes") == Text(kIndexIntervalBytesDefault));
  CHECK(Default(b, "message.max.bytes") == Text(kMessageMaxBytesDefault));
  CHECK(Default(t, "max.message.bytes") == Text(kMessageMaxBytesDefault));
  CHECK(Default(b, "log.flush.interval.messages") == Text(kFlushMessagesDefault));
  CHECK(Default(t, "flush.messages") == Text(kFlushMessagesDefault));
  CHECK(Default(b, "replica.lag.time.max.ms") == Text(kReplicaLagTimeMaxMsDefault));
  CHECK(Default(b, "replica.fetch.wait.max.ms") == Text(kReplicaFetchWaitMaxMsDefault));
  CHECK(Default(b, "replica.fetch.max.bytes") == Text(kReplicaFetchMaxBytesDefault));
  CHECK(Default(b, "replica.fetch.backoff.ms") == Text(kReplicaFetchBackoffMsDefault));
  CHECK(Default(b, "broker.heartbeat.interval.ms") == Text(kBrokerHeartbeatIntervalMsDefault));
  CHECK(Default(c, "broker.session.timeout.ms") == Text(kBrokerSessionTimeoutMsDefault));
  CHECK(Default(b, "log.retention.check.interval.ms") == Text(kLogRetentionCheckIntervalMsDefault));
  CHECK(Default(b, "replica.high.watermark.checkpoint.interval.ms") ==
        Text(kReplicaHighWatermarkCheckpointIntervalMsDefault));
  CHECK(Default(b, "request.timeout.ms") == Text(kRequestTimeoutMsDefault));
  CHECK(Default(b, "log.flush.offset.checkpoint.interval.ms") ==
        Text(kLogFlushOffsetCheckpointIntervalMsDefault));
  CHECK(Default(b, "log.flush.start.offset.checkpoint.interval.ms") ==
        Text(kLogFlushStartOffsetCheckpointIntervalMsDefault));
  CHECK(Default(b, "log.initial.task.delay.ms") == Text(kLogInitialTaskDelayMsDefault));
  for (const auto* specs : {&b, &c, &t}) {
    CHECK(Default(*specs, "min.insync.replicas") == Text(kMinInsyncReplicasDefault));
  }
  CHECK(Default(c, "default.replication.factor") == Text(kDefaultReplicationFactorDefault));
  CHECK(Default(c, "num.partitions") == Text(kNumPartitionsDefault));
  CHECK(Default(b, "leader.imbalance.check.interval.seconds") ==
        Text(kLeaderImbalanceCheckIntervalSecondsDefault));
  CHECK(Default(c, "metadata.log.segment.bytes") == Text(kMetadataLogSegmentBytesDefault));
  CHECK(Default(c, "controller.quorum.fetch.timeout.ms") == Text(kQuorumFetchTimeoutMsDefault));
  CHECK(Default(c, "controller.quorum.election.timeout.ms") ==
        Text(kQuorumElectionTimeoutMsDefault));
  CHECK(Default(c, "controller.quorum.election.backoff.max.ms") ==
        Text(kQuorumElectionBackoffMaxMsDefault));
  CHECK(Default(c, "controller.quorum.request.timeout.ms") == Text(kQuorumRequestTimeoutMsDefault));
  CHECK(Default(c, "controller.quorum.retry.backoff.ms") == Text(kQuorumRetryBackoffMsDefault));
  CHECK(Default(c, "controller.quorum.append.linger.ms") == Text(kQuorumAppendLingerMsDefault));
  CHECK(Default(c, "metadata.max.idle.interval.ms") == Text(kMetadataMaxIdleIntervalMsDefault));
  CHECK(Default(b, "log.dirs") == kLogDirsDefault);
}

TEST_CASE("each catalogue is sorted by name, without repeats, and every default is valid") {
  for (const auto* specs : {&BrokerConfigSpecs(), &ControllerConfigSpecs(), &TopicConfigSpecs()}) {
    for (std::size_t i = 1; i < specs->size(); ++i) {
      CHECK_MESSAGE((*specs)[i - 1].name < (*specs)[i].name, (*specs)[i].name);
    }
    for (const ConfigSpec& spec : *specs) {
      CAPTURE(spec.name);
      CHECK(FindConfigSpec(*specs, spec.name) == &spec);
      if (spec.type == ConfigType::kInt || spec.type == ConfigType::kLong) {
        CHECK(std::stoll(std::string(spec.default_value)) >= spec.min);
      }
      if (!spec.choices.empty()) {
        CHECK(std::string(spec.choices).find(spec.default_value) != std::string::npos);
      }
      // A value that is simulated while others are not must be one of the choices, and the
      // reason for the others must be given.
      if (!spec.simulated_value.empty()) {
        CHECK_FALSE(spec.not_simulated.empty());
        CHECK(std::string(spec.choices).find(spec.simulated_value) != std::string::npos);
      }
    }
  }
  CHECK(FindConfigSpec(BrokerConfigSpecs(), "no.such.config") == nullptr);
}

TEST_CASE("a config the simulator does not act on is named with the reason") {
  const ConfigSpec* txn = FindConfigSpec(BrokerConfigSpecs(), "transaction.state.log.min.isr");
  REQUIRE(txn != nullptr);
  CHECK(NotSimulatedReason(*txn, "2") == "transactions are not simulated");
  const ConfigSpec* cleanup = FindConfigSpec(TopicConfigSpecs(), "cleanup.policy");
  REQUIRE(cleanup != nullptr);
  // Log compaction is simulated (the log cleaner): every cleanup.policy is accepted.
  CHECK(NotSimulatedReason(*cleanup, "delete") == "");
  CHECK(NotSimulatedReason(*cleanup, "compact") == "");
  CHECK(NotSimulatedReason(*cleanup, "compact,delete") == "");
  const ConfigSpec* flush_ms = FindConfigSpec(TopicConfigSpecs(), "flush.ms");
  REQUIRE(flush_ms != nullptr);
  CHECK(NotSimulatedReason(*flush_ms, "1000") ==
        "logs are flushed by flush.messages, at segment rolls and at shutdown only");
  const ConfigSpec* lag = FindConfigSpec(BrokerConfigSpecs(), "replica.lag.time.max.ms");
  REQUIRE(lag != nullptr);
  CHECK(NotSimulatedReason(*lag, "10000") == "");
}

}  // namespace
}  // namespace kafkasim::kafka
