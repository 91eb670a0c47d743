// The KRaft metadata log as Kafka keeps it: Kafka's binary metadata records and control
// batches in __cluster_metadata-0, the bootstrap records the first active controller writes,
// and snapshots (<offset>-<epoch>.checkpoint) written at metadata.log.max.snapshot.interval.ms
// and used when a node starts again (SnapshotGenerator, KafkaRaftClient).
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "scenario/runner.h"

namespace kafkasim::scenario {
namespace {

struct Outcome {
  bool ok = false;
  std::vector<std::string> lines;  // "node kind text" of every trace event
  std::vector<std::string> tool_outputs;
  std::string hash;
};

Outcome Run(const std::string& scenario_text) {
  std::vector<std::string> errors;
  std::optional<Scenario> s = ParseScenario(scenario_text, "s.json", &errors);
  for (const std::string& e : errors) CAPTURE(e);
  REQUIRE(errors.empty());
  Runner runner(std::move(*s), RunOptions{});
  Outcome out;
  out.ok = runner.RunToEnd(kTimeMax);
  for (const TraceEvent& e : *runner.View().trace) {
    out.lines.push_back(e.node + " " + e.kind + " " + e.text);
    if (e.kind == "tool.output" || e.kind == "tool.error") out.tool_outputs.push_back(e.text);
  }
  out.hash = runner.world().sim().trace().HashHex();
  return out;
}

int Count(const std::vector<std::string>& lines, const std::string& part) {
  int n = 0;
  for (const std::string& l : lines) n += l.find(part) != std::string::npos ? 1 : 0;
  return n;
}

bool AnyOutputHas(const Outcome& out, const std::string& part) {
  return Count(out.tool_outputs, part) > 0;
}

// Snapshots every 5 s; broker-2 is crashed after several and started again.
const std::string kSnapshots = R"({"name": "snapshots", "seed": 11,
  "cluster": {"mode": "kraft", "brokers": 3, "controllers": 3,
              "controller_config": {"metadata.log.max.snapshot.interval.ms": 5000}},
  "topics": [{"name": "cities", "partitions": 2, "replication_factor": 3}],
  "steps": [
    {"at": "21s", "crash": "broker-2"},
    {"at": "24s", "restart": "broker-2"},
    {"at": "30s", "run": "on broker-2: ls /tmp/kraft-broker-logs/__cluster_metadata-0"},
    {"at": "38s", "run": "kafka-topics.sh --bootstrap-server localhost:9092 --describe --topic cities"}
  ],
  "end": "40s"})";

TEST_CASE(
    "KRaft nodes snapshot their metadata image at metadata.log.max.snapshot.interval.ms and a "
    "restarted broker starts from its newest snapshot") {
  const Outcome out = Run(kSnapshots);
  CHECK(out.ok);
  // Every KRaft node (brokers and controllers) writes snapshots.
  for (const char* node : {"broker-1", "broker-2", "controller-1"}) {
    CAPTURE(node);
    CHECK(Count(out.lines, std::string(node) +
                               " metadata.snapshot wrote the metadata snapshot 0000000000000000") >=
          2);
  }
  CHECK(Count(out.lines, "because we have waited at least 0 minute(s)") > 0);
  // broker-2 starts again from the newest snapshot it wrote before the crash, replaying only
  // the log after it.
  CHECK(Count(out.lines,
              "broker-2 metadata.snapshot_load loaded the metadata image from the "
              "snapshot 0000000000000000") == 1);
  CHECK(AnyOutputHas(out, ".checkpoint"));
  // The restarted broker, built from the snapshot and the log after it, is back in the ISR of
  // both partitions.
  CHECK(AnyOutputHas(out,
                     "\tTopic: cities\tPartition: 0\tLeader: 3\tReplicas: 3,2,1\tIsr: "
                     "1,2,3\tElr: \tLastKnownElr: \n\tTopic: cities\tPartition: 1\tLeader: "
                     "1\tReplicas: 2,1,3\tIsr: 1,2,3\tElr: \tLastKnownElr: "));
  // Same scenario, same bytes.
  CHECK(Run(kSnapshots).hash == out.hash);
}

TEST_CASE(
    "the metadata log holds Kafka's records: a LeaderChange control batch first, then the "
    "bootstrap feature levels") {
  const Outcome out = Run(R"({"name": "metadata-log", "seed": 2,
    "cluster": {"mode": "kraft", "brokers": 1, "combined": true},
    "steps": [
      {"at": "6s", "run": "kafka-dump-log.sh --cluster-metadata-decoder --files /tmp/kraft-combined-logs/__cluster_metadata-0/00000000000000000000.log"},
      {"at": "7s", "run": "kafka-dump-log.sh --cluster-metadata-decoder --files /tmp/kraft-combined-logs/bootstrap.checkpoint"}
    ],
    "end": "8s"})");
  CHECK(out.ok);
  CHECK(AnyOutputHas(out, "| offset: 0 CreateTime: "));
  CHECK(AnyOutputHas(out,
                     "headerKeys: [] LeaderChange: {\"version\":0,\"leaderId\":1,\"voters\":"
                     "[{\"voterId\":1}],\"grantingVoters\":[{\"voterId\":1}]}"));
  CHECK(AnyOutputHas(out, "isControl: true"));
  CHECK(AnyOutputHas(out,
                     "payload: {\"type\":\"FEATURE_LEVEL_RECORD\",\"version\":0,\"data\":"
                     "{\"name\":\"metadata.version\",\"featureLevel\":30}}"));
  CHECK(AnyOutputHas(out, "\"type\":\"REGISTER_BROKER_RECORD\",\"version\":3"));
  CHECK(AnyOutputHas(out, "KRaft bootstrap snapshot"));
  CHECK(AnyOutputHas(out, "SnapshotFooter {\"version\":0}"));
  CHECK(Count(out.lines,
              "bootstrapped the new cluster's metadata from bootstrap.checkpoint: "
              "metadata.version 4.3-IV0 (30), eligible.leader.replicas.version 1, "
              "group.version 1, transaction.version 2") == 1);
}

}  // namespace
}  // namespace kafkasim::scenario
