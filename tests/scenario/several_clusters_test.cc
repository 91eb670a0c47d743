// Several clusters in one run ("clusters"): each cluster its own World on one simulation,
// names qualified by cluster (us-east/broker-1, us-east/cities-0, host broker-1.us-east), the
// network zoned by cluster with "between_clusters" across and cut_region / heal_region.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "scenario/runner.h"

namespace kafkasim::scenario {
namespace {

std::vector<std::string> Errors(const std::string& text) {
  std::vector<std::string> errors;
  std::optional<Scenario> s = ParseScenario(text, "s.json", &errors);
  CHECK_FALSE(s.has_value());
  return errors;
}

Scenario Parse(const std::string& text) {
  std::vector<std::string> errors;
  std::optional<Scenario> s = ParseScenario(text, "s.json", &errors);
  for (const std::string& e : errors) CAPTURE(e);
  REQUIRE(errors.empty());
  return std::move(*s);
}

const std::string kTwoClusters = R"({"name": "two", "seed": 3,
  "clusters": {
    "us-east": {"brokers": 3, "controllers": 1,
                "topics": [{"name": "cities", "partitions": 2, "replication_factor": 3}]},
    "eu-west": {"brokers": 1, "combined": true,
                "broker_config": {"offsets.topic.replication.factor": 1},
                "topics": [{"name": "cities", "partitions": 1}]}
  },
  "between_clusters": {"latency_ms": 80},
  "clients": [
    {"id": "producer-east", "type": "producer", "topic": "us-east/cities", "acks": "all",
     "rate_per_s": 50, "start": "3s"}
  ],
  "steps": [
    {"at": "6s", "after": "topics_ready",
     "run": "kafka-topics.sh --describe --topic cities --bootstrap-server broker-1.us-east:9092"},
    {"run": "kafka-topics.sh --describe --topic cities --bootstrap-server broker-1.eu-west:9092"},
    {"run": "kafka-console-consumer.sh --topic cities --from-beginning --bootstrap-server broker-1.eu-west:9092"},
    {"run": "kafka-console-consumer.sh --topic cities --from-beginning --bootstrap-server broker-1.us-east:9092"},
    {"run": "kafka-topics.sh --list --bootstrap-server localhost:9092"},
    {"run": "on us-east/broker-2: cat config/server.properties",
     "prints": ["controller.quorum.bootstrap.servers=controller-1.us-east:9093",
                "advertised.listeners=PLAINTEXT://broker-2.us-east:9092"]},
    {"at": "7s", "run": "kafka-consumer-groups.sh --list --bootstrap-server broker-1.us-east:9092"},
    {"run": "kafka-consumer-groups.sh --list --bootstrap-server broker-1.eu-west:9092"},
    {"at": "8s", "cut_region": "eu-west"},
    {"expect": {"within": "5s", "acked": {"client": "producer-east", "at_least": 300}}},
    {"expect": {"leader_of": "us-east/cities-1", "is": {"preferred_replica_of": "us-east/cities-1"}}},
    {"at": "12s", "heal_region": ["us-east", "eu-west"]}
  ],
  "end": "13s"})";

TEST_CASE("several clusters: nodes, topics and partitions are named by their cluster") {
  const Scenario s = Parse(kTwoClusters);
  REQUIRE(s.clusters.size() == 2);
  CHECK(s.clusters[0].name == "eu-west");  // in name order
  CHECK(s.clusters[1].name == "us-east");
  CHECK(s.clusters[1].cluster.nodes.front().name == "us-east/broker-1");
  CHECK(s.clusters[1].cluster.nodes.back().name == "us-east/controller-1");
  CHECK(s.FindNode("eu-west/broker-1") != nullptr);
  CHECK(s.FindNode("broker-1") == nullptr);
  CHECK(s.FindTopic("us-east/cities") != nullptr);
  CHECK(s.between_clusters.latency_base == Milliseconds(80));
  const Scenario east = s.ClusterScenario(1);
  REQUIRE(east.topics.size() == 1);
  CHECK(east.topics[0].name == "cities");
  CHECK(east.topics[0].partitions == 2);
  REQUIRE(east.clients.size() == 1);
  CHECK(east.clients[0].topic == "cities");
  CHECK(s.ClusterScenario(0).clients.empty());
  CHECK(s.ClusterOf("us-east/cities") == std::optional<std::size_t>{1});
  CHECK_FALSE(s.ClusterOf("cities").has_value());
}

TEST_CASE("several clusters: a mistake says how to name the cluster") {
  const auto one = [](const std::string& text) {
    const std::vector<std::string> errors = Errors(text);
    REQUIRE(errors.size() == 1);
    return errors[0];
  };
  CHECK(one(R"({"name": "x", "cluster": {"brokers": 1}, "clusters": {"a": {"brokers": 1}}})") ==
        "[scenario.E036] s.json:1:15 $.cluster: a scenario with \"clusters\" has no top-level "
        "\"cluster\"; each cluster in \"clusters\" declares its own brokers and topics");
  CHECK(one(R"({"name": "x", "clusters": {"US_East": {"brokers": 1}}})") ==
        "[scenario.E036] s.json:1:28 $.clusters.US_East: cluster name 'US_East' may use only "
        "lowercase letters, digits and '-' (at most 32), e.g. us-east");
  CHECK(one(R"({"name": "x", "clusters": {}})") ==
        "[scenario.E036] s.json:1:27 $.clusters: expected an object of named clusters such as "
        "{\"us-east\": {\"brokers\": 3}, \"eu-west\": {\"brokers\": 3}}; got an empty object");
  CHECK(one(R"({"name": "x", "clusters": {"a": {"brokers": 1, "topics": [{"name": "t"}]}},
               "steps": [{"at": "1s", "crash": {"leader_of": "t-0"}}]})") ==
        "[scenario.E036] s.json:2:62 $.steps[0].crash.leader_of: with several clusters, a "
        "partition names its cluster: CLUSTER/TOPIC-PARTITION such as 'a/t-0'");
  CHECK(one(R"({"name": "x", "clusters": {"a": {"brokers": 1, "topics": [{"name": "t"}]}},
               "clients": [{"id": "p", "type": "producer", "topic": "t"}]})") ==
        "[scenario.E036] s.json:2:69 $.clients[0].topic: with several clusters, a client's "
        "topic names its cluster: CLUSTER/TOPIC such as 'a/t'");
  CHECK(one(R"({"name": "x", "clusters": {"a": {"brokers": 1}, "b": {"brokers": 1}},
               "steps": [{"at": "1s", "crash": {"active_controller": true}}]})") ==
        "[scenario.E036] s.json:2:70 $.steps[0].crash.active_controller: with several "
        "clusters, name the cluster whose quorum you mean (one of: a, b), e.g. "
        "{\"active_controller\": \"a\"}; got true");
  CHECK(
      one(R"({"name": "x", "cluster": {"brokers": 1}, "steps": [{"at": "1s", "cut_region": "a"}]})") ==
      "[scenario.E036] s.json:1:79 $.steps[0].cut_region: cut_region needs a scenario with "
      "\"clusters\"; this one has one");
  CHECK(
      one(R"({"name": "x", "clusters": {"a": {"brokers": 1}}, "steps": [{"at": "1s", "heal_region": ["a", "c"]}]})") ==
      "[scenario.E036] s.json:1:88 $.steps[0].heal_region: no cluster 'c'; the clusters are a");
}

struct Outcome {
  bool ok = false;
  std::vector<std::string> outputs;    // tool outputs and command errors, in order
  std::map<std::string, int> records;  // console records printed, by client node
  std::string hash;
};

RunOptions Seeded(std::uint64_t seed) {
  RunOptions options;
  options.seed = seed;
  return options;
}

Outcome Run(const std::string& text, std::uint64_t seed) {
  Runner runner(Parse(text), Seeded(seed));
  Outcome out;
  out.ok = runner.RunToEnd(kTimeMax);
  for (const std::string& f : runner.step_failures()) CAPTURE(f);
  for (const TraceEvent& e : *runner.View().trace) {
    if (e.kind == "tool.output" || e.kind == "command.error") out.outputs.push_back(e.text);
    if (e.kind == "client.record") ++out.records[e.node];
  }
  out.hash = runner.sim().trace().HashHex();
  return out;
}

TEST_CASE("several clusters: each cluster has its own topics, data and commands") {
  const Outcome out = Run(kTwoClusters, 3);
  CHECK(out.ok);
  std::vector<std::string> described;
  for (const std::string& o : out.outputs) {
    if (o.find("TopicId: ") != std::string::npos) described.push_back(o);
  }
  REQUIRE(described.size() == 2);
  // Two topics named cities, one per cluster, each with its own id and shape.
  CHECK(described[0].find("PartitionCount: 2\tReplicationFactor: 3") != std::string::npos);
  CHECK(described[1].find("PartitionCount: 1\tReplicationFactor: 1") != std::string::npos);
  const auto id = [](const std::string& text) { return text.substr(text.find("TopicId: "), 31); };
  CHECK(id(described[0]) != id(described[1]));
  // eu-west's cities holds nothing of what producer-east wrote to us-east's: its console
  // consumer, started from the beginning, prints no record while us-east's prints them all.
  CHECK(out.records.count("eu-west/console-consumer-1") == 0);
  REQUIRE(out.records.count("us-east/console-consumer-1") == 1);
  CHECK(out.records.at("us-east/console-consumer-1") > 200);
  // kafka-consumer-groups.sh lists the groups of the cluster it asks: each console consumer's
  // generated group, one per cluster.
  std::vector<std::string> groups;
  for (const std::string& o : out.outputs) {
    if (o.rfind("console-consumer-", 0) == 0) groups.push_back(o);
  }
  REQUIRE(groups.size() == 2);
  CHECK(groups[0] != groups[1]);
  CHECK(groups[0].find('\n') == std::string::npos);
  CHECK(groups[1].find('\n') == std::string::npos);
  CHECK(
      std::count(
          out.outputs.begin(), out.outputs.end(),
          "with several clusters (eu-west, us-east), say which one: a node as eu-west/broker-1, a "
          "bootstrap server as broker-1.eu-west:9092") == 1);
}

TEST_CASE("several clusters: each cluster is a network zone that cut_region cuts") {
  Runner runner(Parse(kTwoClusters), Seeded(3));
  runner.RunToEnd(kTimeZero + Seconds(9));
  Simulation& sim = runner.sim();
  Network& net = sim.network();
  CHECK(net.ZoneOf(sim.FindNode("eu-west/broker-1")) == 0);
  CHECK(net.ZoneOf(sim.FindNode("us-east/controller-1")) == 1);
  CHECK(net.ZoneOf(sim.FindNode("producer-east")) == 1);  // a client is in its cluster's zone
  CHECK(net.ZonesCut(0, 1));
  runner.RunToEnd(kTimeMax);
  CHECK_FALSE(net.ZonesCut(0, 1));
}

TEST_CASE("several clusters: the same seed gives the same trace hash, another seed another") {
  const Outcome a = Run(kTwoClusters, 3);
  const Outcome b = Run(kTwoClusters, 3);
  const Outcome c = Run(kTwoClusters, 4);
  CHECK(a.hash == b.hash);
  CHECK(a.hash != c.hash);
}

}  // namespace
}  // namespace kafkasim::scenario
