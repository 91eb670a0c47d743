// The config catalogues; see configs.h.
#include "kafka/configs.h"

#include <algorithm>

namespace kafkasim::kafka {

// ---------------------------------------------------------------------------------------------
// The catalogues. Defaults from Kafka 4.0 (shared/reference/kafka-semantics.md sections 4
// and 8; [K] ReplicationConfigs.java, ServerLogConfigs.java, QuorumConfig.java, LogConfig).

namespace {

constexpr std::string_view kLongMax = "9223372036854775807";

std::vector<ConfigSpec> Sorted(std::vector<ConfigSpec> specs) {
  std::sort(specs.begin(), specs.end(),
            [](const ConfigSpec& a, const ConfigSpec& b) { return a.name < b.name; });
  return specs;
}

}  // namespace

const std::vector<ConfigSpec>& BrokerConfigSpecs() {
  using T = ConfigType;
  // One config a line reads as a table.
  // clang-format off
  static const std::vector<ConfigSpec> specs = Sorted({
      {"auto.create.topics.enable", T::kBool, "true", "", 0},
      {"auto.leader.rebalance.enable", T::kBool, "true", "", 0},
      {"broker.heartbeat.interval.ms", T::kInt, "2000", "", 1},
      {"compression.type", T::kString, "producer", "producer,uncompressed,gzip,snappy,lz4,zstd", 0},
      {"controlled.shutdown.enable", T::kBool, "true", "", 0, "every shutdown step is a controlled shutdown; use crash or kill for the other kinds"},
      {"default.replication.factor", T::kInt, "1", "", 1},
      {"group.initial.rebalance.delay.ms", T::kInt, "3000", "", 0},
      {"group.max.session.timeout.ms", T::kInt, "1800000", "", 0},
      {"group.min.session.timeout.ms", T::kInt, "6000", "", 0},
      {"leader.imbalance.check.interval.seconds", T::kLong, "300", "", 1},
      {"leader.imbalance.per.broker.percentage", T::kInt, "10", "", 0, "the automatic leader rebalance moves every partition whose leader is not its preferred replica"},
      {"log.cleaner.backoff.ms", T::kLong, "15000", "", 0},
      {"log.cleaner.enable", T::kBool, "true", "", 0},
      {"log.dirs", T::kString, "/tmp/kraft-combined-logs", "", 0},
      {"log.flush.interval.messages", T::kLong, kLongMax, "", 1},
      {"log.flush.offset.checkpoint.interval.ms", T::kInt, "60000", "", 1},
      {"log.flush.start.offset.checkpoint.interval.ms", T::kInt, "60000", "", 1},
      {"log.initial.task.delay.ms", T::kLong, "30000", "", 0},
      {"log.message.timestamp.type", T::kString, "CreateTime", "CreateTime,LogAppendTime", 0},
      {"log.retention.bytes", T::kLong, "-1", "", -1},
      {"log.retention.check.interval.ms", T::kLong, "300000", "", 1},
      // The ms, minutes and hours forms are synonyms; the finest one set wins (KafkaConfig.
      // logRetentionTimeMillis, logRollTimeMillis). Negative retention: keep forever.
      {"log.retention.hours", T::kInt, "168", "", -1},
      {"log.retention.minutes", T::kInt, "10080", "", -1},
      {"log.retention.ms", T::kLong, "604800000", "", -1},
      {"log.roll.hours", T::kInt, "168", "", 1},
      {"log.roll.ms", T::kLong, "604800000", "", 1},
      // Kafka 3.x allows segments down to 14 bytes (4.0 raised it to 1 MiB, KIP-1030); tiny
      // segments make rolling visible in a classroom.
      {"log.segment.bytes", T::kInt, "1073741824", "", 14},
      {"message.max.bytes", T::kInt, "1048588", "", 0},
      {"min.insync.replicas", T::kInt, "1", "", 1},
      {"num.partitions", T::kInt, "1", "", 1},
      {"num.replica.fetchers", T::kInt, "1", "", 1, "each broker runs one fetcher per source broker"},
      {"offsets.topic.num.partitions", T::kInt, "50", "", 1},
      {"offsets.topic.replication.factor", T::kInt, "3", "", 1},
      {"offsets.topic.segment.bytes", T::kInt, "104857600", "", 1},
      {"replica.fetch.backoff.ms", T::kInt, "1000", "", 0},
      {"replica.fetch.max.bytes", T::kInt, "1048576", "", 0},
      {"replica.fetch.min.bytes", T::kInt, "1", "", 0, "a follower fetch is answered as soon as there is any data"},
      {"replica.fetch.response.max.bytes", T::kInt, "10485760", "", 0, "a fetch response is bounded by replica.fetch.max.bytes per partition only"},
      {"replica.fetch.wait.max.ms", T::kInt, "500", "", 0},
      {"replica.high.watermark.checkpoint.interval.ms", T::kLong, "5000", "", 1},
      // At least 2: Kafka runs its ISR-shrink check every replica.lag.time.max.ms / 2 ms
      // (ReplicaManager.startup), and a period of 0 makes its scheduler refuse to start.
      {"replica.lag.time.max.ms", T::kLong, "30000", "", 2},
      {"replica.socket.timeout.ms", T::kInt, "30000", "", 0, "a follower fetch times out after replica.fetch.wait.max.ms plus 2 s"},
      {"request.timeout.ms", T::kInt, "30000", "", 0},
      {"transaction.state.log.min.isr", T::kInt, "2", "", 1, "transactions are not simulated"},
      {"transaction.state.log.replication.factor", T::kInt, "3", "", 1, "transactions are not simulated"},
      {"unclean.leader.election.enable", T::kBool, "false", "", 0},
      // Per-node identity and sockets: shown in config/server.properties, fixed here.
      {"listeners", T::kString, "PLAINTEXT://:9092", "", 0, "every broker listens on PLAINTEXT://:9092 and every controller on CONTROLLER://:9093 (see config/server.properties)"},
      {"advertised.listeners", T::kString, "", "", 0, "each node advertises its own name as host (see config/server.properties)"},
      {"controller.listener.names", T::kString, "", "", 0, "the controllers' listener is CONTROLLER"},
      {"inter.broker.listener.name", T::kString, "", "", 0, "brokers replicate over PLAINTEXT"},
      {"listener.security.protocol.map", T::kString, "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL", "", 0, "every listener is PLAINTEXT; security is not simulated"},
      {"num.network.threads", T::kInt, "3", "", 1, "requests are handled one at a time per node, without thread pools"},
      {"num.io.threads", T::kInt, "8", "", 1, "requests are handled one at a time per node, without thread pools"},
      {"socket.send.buffer.bytes", T::kInt, "102400", "", -1, "the network is simulated per message, not per socket buffer"},
      {"socket.receive.buffer.bytes", T::kInt, "102400", "", -1, "the network is simulated per message, not per socket buffer"},
      {"socket.request.max.bytes", T::kInt, "104857600", "", 1, "requests are simulated messages, not framed bytes (kafkasim serve refuses larger frames)"},
      {"num.recovery.threads.per.data.dir", T::kInt, "2", "", 1, "log recovery is not timed"},
      {"process.roles", T::kString, "", "", 0, "each node's roles come from the cluster: \"brokers\", \"controllers\", \"combined\" or \"nodes\""},
      {"node.id", T::kInt, "-1", "", -1, "each node's id comes from the cluster: brokers 1, 2, ..., controllers 1001, 1002, ... or \"nodes\""},
      {"controller.quorum.bootstrap.servers", T::kString, "", "", 0, "the quorum's voters are the cluster's controllers"},
      {"controller.quorum.voters", T::kString, "", "", 0, "the quorum's voters are the cluster's controllers"},
      // ZooKeeper mode only (ZkConfigs; the scenario parser refuses it in KRaft mode).
      {"zookeeper.session.timeout.ms", T::kInt, "18000", "", 1},
  });
  // clang-format on
  return specs;
}

const std::vector<ConfigSpec>& ControllerConfigSpecs() {
  using T = ConfigType;
  // One config a line reads as a table.
  // clang-format off
  static const std::vector<ConfigSpec> specs = Sorted({
      {"broker.session.timeout.ms", T::kInt, "9000", "", 1},
      {"controller.quorum.append.linger.ms", T::kInt, "25", "", 0},
      {"controller.quorum.election.backoff.max.ms", T::kInt, "1000", "", 0},
      {"controller.quorum.election.timeout.ms", T::kInt, "1000", "", 1},
      {"controller.quorum.fetch.timeout.ms", T::kInt, "2000", "", 1},
      {"controller.quorum.request.timeout.ms", T::kInt, "2000", "", 1},
      {"controller.quorum.retry.backoff.ms", T::kInt, "20", "", 0},
      {"default.replication.factor", T::kInt, "1", "", 1},
      {"metadata.log.max.record.bytes.between.snapshots", T::kLong, "20971520", "", 1},
      {"metadata.log.max.snapshot.interval.ms", T::kLong, "3600000", "", 0},
      {"metadata.log.segment.bytes", T::kInt, "1073741824", "", 14},
      {"metadata.max.idle.interval.ms", T::kInt, "500", "", 0},
      {"min.insync.replicas", T::kInt, "1", "", 1},
      {"num.partitions", T::kInt, "1", "", 1},
      {"unclean.leader.election.enable", T::kBool, "false", "", 0},
  });
  // clang-format on
  return specs;
}

const std::vector<ConfigSpec>& TopicConfigSpecs() {
  using T = ConfigType;
  // One config a line reads as a table.
  // clang-format off
  static const std::vector<ConfigSpec> specs = Sorted({
      {"cleanup.policy", T::kList, "delete", "delete,compact", 0},
      {"compression.type", T::kString, "producer", "producer,uncompressed,gzip,snappy,lz4,zstd", 0},
      {"delete.retention.ms", T::kLong, "86400000", "", 0},
      {"file.delete.delay.ms", T::kLong, "60000", "", 0, "retention deletes a segment's files at once"},
      {"flush.messages", T::kLong, kLongMax, "", 1},
      {"flush.ms", T::kLong, kLongMax, "", 0, "logs are flushed by flush.messages, at segment rolls and at shutdown only"},
      {"index.interval.bytes", T::kInt, "4096", "", 0},
      {"max.message.bytes", T::kInt, "1048588", "", 0},
      {"message.timestamp.type", T::kString, "CreateTime", "CreateTime,LogAppendTime", 0},
      {"max.compaction.lag.ms", T::kLong, kLongMax, "", 1},
      {"min.cleanable.dirty.ratio", T::kDouble, "0.5", "", 0},
      {"min.compaction.lag.ms", T::kLong, "0", "", 0},
      {"min.insync.replicas", T::kInt, "1", "", 1},
      {"retention.bytes", T::kLong, "-1", "", -1},
      {"retention.ms", T::kLong, "604800000", "", -1},
      {"segment.bytes", T::kInt, "1073741824", "", 14},
      {"segment.index.bytes", T::kInt, "10485760", "", 4},
      {"segment.jitter.ms", T::kLong, "0", "", 0},
      {"segment.ms", T::kLong, "604800000", "", 1},
      {"unclean.leader.election.enable", T::kBool, "false", "", 0},
  });
  // clang-format on
  return specs;
}

const ConfigSpec* FindConfigSpec(const std::vector<ConfigSpec>& specs, std::string_view name) {
  const auto it =
      std::lower_bound(specs.begin(), specs.end(), name,
                       [](const ConfigSpec& s, std::string_view n) { return s.name < n; });
  return it != specs.end() && it->name == name ? &*it : nullptr;
}

std::string_view NotSimulatedReason(const ConfigSpec& spec, std::string_view canonical_value) {
  if (!spec.simulated_value.empty() && canonical_value == spec.simulated_value) return "";
  return spec.not_simulated;
}

}  // namespace kafkasim::kafka
