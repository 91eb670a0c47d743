// Topics created on first use (auto.create.topics.enable): a console producer or consumer that
// names a topic the cluster lacks makes a broker ask the controller for it
// (core/src/main/scala/kafka/server/AutoTopicCreationManager.scala), while the client logs
// NetworkClient's warning for each Metadata response that says the topic is missing
// (clients/src/main/java/org/apache/kafka/clients/NetworkClient.java).
#include <doctest/doctest.h>

#include <algorithm>
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
};

Outcome Run(const std::string& cluster, const std::string& steps, const std::string& end = "20s") {
  const std::string text = R"({"name": "auto-create", "seed": 3, "cluster": )" + cluster +
                           R"(, "steps": [)" + steps + R"(], "end": ")" + end + "\"}";
  std::vector<std::string> errors;
  std::optional<Scenario> s = ParseScenario(text, "s.json", &errors);
  for (const std::string& e : errors) CAPTURE(e);
  REQUIRE(errors.empty());
  Runner runner(std::move(*s), RunOptions{});
  Outcome out;
  out.ok = runner.RunToEnd(kTimeMax);
  for (const TraceEvent& e : *runner.View().trace) {
    out.lines.push_back(e.node + " " + e.kind + " " + e.text);
    if (e.kind == "tool.output" || e.kind == "tool.error") out.tool_outputs.push_back(e.text);
  }
  return out;
}

bool Has(const std::vector<std::string>& lines, const std::string& line) {
  for (const std::string& l : lines) {
    if (l == line) return true;
  }
  return false;
}

int CountPrefix(const std::vector<std::string>& lines, const std::string& prefix) {
  int n = 0;
  for (const std::string& l : lines) n += l.rfind(prefix, 0) == 0 ? 1 : 0;
  return n;
}

constexpr const char* kKraft = R"({"mode": "kraft", "brokers": 3, "controllers": 3})";

const std::string kProduceTowns =
    R"({"at": "8s", "run": "kafka-console-producer.sh --bootstrap-server localhost:9092 --topic towns", "lines": ["Pune", "Porto"]},
       {"at": "12s", "run": "kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic towns --from-beginning"},
       {"at": "15s", "run": "kafka-topics.sh --bootstrap-server localhost:9092 --describe --topic towns"})";

TEST_CASE(
    "a console producer to a missing topic creates it with num.partitions and warns while "
    "it is missing") {
  const Outcome out = Run(kKraft, kProduceTowns);
  CHECK(out.ok);
  // The first Metadata response names the topic missing: KRaft forwards the creation and
  // answers UNKNOWN_TOPIC_OR_PARTITION (AutoTopicCreationManager.sendCreateTopicRequest).
  CHECK(CountPrefix(out.lines,
                    "console-producer-1 client.warn WARN [Producer clientId=console-producer] The "
                    "metadata response from the cluster reported a recoverable issue with "
                    "correlation id ") >= 1);
  bool whole_line = false;
  for (const std::string& l : out.lines) {
    if (l.find("client.warn WARN [Producer clientId=console-producer]") != std::string::npos) {
      const std::string tail =
          " : {towns=UNKNOWN_TOPIC_OR_PARTITION} (org.apache.kafka.clients.NetworkClient)";
      whole_line =
          l.size() > tail.size() && l.compare(l.size() - tail.size(), tail.size(), tail) == 0;
      break;
    }
  }
  CHECK(whole_line);
  CHECK(CountPrefix(out.lines, "controller-") >= 1);
  // The topic gets the broker defaults: 1 partition, replication factor 1, and is created once.
  int asks = 0;
  for (const std::string& l : out.lines) {
    if (l.find(" topic.auto_create asks controller ") != std::string::npos) {
      ++asks;
      CHECK(l.find("to create topic towns (1 partition(s), replication factor 1)") !=
            std::string::npos);
    }
  }
  CHECK(asks >= 1);  // again after a NOT_CONTROLLER answer, while the brokers learn the leader
  int created = 0;
  for (const std::string& l : out.lines) {
    created += l.find(" created topic towns (id ") != std::string::npos ? 1 : 0;
  }
  CHECK(created == 1);
  // The records went in, and a consumer reads both.
  CHECK(Has(out.lines, "console-consumer-1 client.record | Pune"));
  CHECK(Has(out.lines, "console-consumer-1 client.record | Porto"));
  bool described = false;
  for (const std::string& o : out.tool_outputs) {
    if (o.find("Topic: towns\tTopicId: ") == 0) {
      described = o.find("PartitionCount: 1\tReplicationFactor: 1\t") != std::string::npos;
    }
  }
  CHECK(described);
}

TEST_CASE("with auto.create.topics.enable=false the producer keeps warning and no topic appears") {
  const Outcome out = Run(
      R"({"mode": "kraft", "brokers": 3, "controllers": 3, "broker_config": {"auto.create.topics.enable": false}})",
      kProduceTowns);
  CHECK(CountPrefix(out.lines,
                    "console-producer-1 client.warn WARN [Producer "
                    "clientId=console-producer] The metadata response") >= 3);
  for (const std::string& l : out.lines) {
    CHECK(l.find("topic.auto_create") == std::string::npos);
    CHECK(l.find("console-consumer-1 client.record") == std::string::npos);
  }
  CHECK(std::find(out.tool_outputs.begin(), out.tool_outputs.end(),
                  "Error while executing topic command : Topic 'towns' does not exist as "
                  "expected") != out.tool_outputs.end());
}

TEST_CASE(
    "a consumer in a group on a missing topic creates it and gets its partition once the "
    "leader sees it") {
  const Outcome out = Run(kKraft, R"(
       {"at": "8s", "run": "kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic towns --group g1"},
       {"at": "14s", "run": "kafka-console-producer.sh --bootstrap-server localhost:9092 --topic towns", "lines": ["Pune"]})",
                          "40s");
  CHECK(out.ok);
  CHECK(CountPrefix(out.lines,
                    "console-consumer-1 client.warn WARN [Consumer "
                    "clientId=console-consumer, groupId=g1] The metadata response") >= 1);
  CHECK(Has(out.lines, "console-consumer-1 client.record | Pune"));
}

TEST_CASE("in ZooKeeper mode the broker answers LEADER_NOT_AVAILABLE while the topic is created") {
  const Outcome out =
      Run(R"({"mode": "zookeeper", "brokers": 3, "zookeepers": 1})", kProduceTowns, "25s");
  CHECK(out.ok);
  bool leader_not_available = false;
  for (const std::string& l : out.lines) {
    if (l.find("{towns=LEADER_NOT_AVAILABLE}") != std::string::npos) leader_not_available = true;
  }
  CHECK(leader_not_available);
  CHECK(Has(out.lines, "console-consumer-1 client.record | Porto"));
}

}  // namespace
}  // namespace kafkasim::scenario
