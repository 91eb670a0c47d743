// The scenario model: a complete file parses into the structs the runner consumes, with
// Kafka's defaults where the file is silent.
#include "scenario/scenario.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <iterator>

namespace kafkasim::scenario {
namespace {

using namespace kafkasim::literals;

// The DESIGN.md sketch, extended to touch every kind of step and expectation.
constexpr std::string_view kFull = R"({
  "$schema": "../scenarios/schema.json",
  "name": "Broker failure and leader election",
  "description": "Kill the leader of cities-0 and watch a follower take over.",
  "seed": 42,
  "cluster": { "mode": "kraft", "brokers": 3, "controllers": 3,
               "racks": ["a", "b", "c"],
               "network": { "latency_ms": [1, 3], "drop": 0.01 },
               "broker_config": { "replica.lag.time.max.ms": 30000,
                                  "unclean.leader.election.enable": false },
               "controller_config": { "controller.quorum.election.timeout.ms": "1500" } },
  "topics": [ { "name": "cities", "partitions": 3, "replication_factor": 3,
                "config": { "min.insync.replicas": 2, "cleanup.policy": "delete" } } ],
  "clients": [
    { "id": "producer-1", "type": "producer", "topic": "cities", "acks": "all",
      "rate_per_s": 50, "keys": ["New York", "Berlin", "Paris"] },
    { "id": "producer-2", "type": "producer", "topic": "cities", "acks": 1, "start": "2s",
      "stop": "30s", "messages": ["plain", {"key": "k", "value": "v"}, {"key": null, "value": "n"}] },
    { "id": "consumer-1", "type": "consumer", "topic": "cities", "from_beginning": true,
      "partitions": [0, 2] }
  ],
  "steps": [
    { "at": "5s", "run": "kafka-topics.sh --describe --topic cities --bootstrap-server localhost:9092" },
    { "at": "10s", "say": "Broker 1 leads cities-0. Watch what happens when it dies." },
    { "crash": "broker-1" },
    { "pause": true },
    { "expect": { "within": "20s", "leader_of": "cities-0", "not": "broker-1",
                  "because": "a follower in the ISR takes over" } },
    { "at": "12s", "cut": { "from": "broker-2", "to": "controller-1", "both": true } },
    { "heal": { "from": "broker-2", "to": "controller-1" } },
    { "isolate": "controller-2" },
    { "partition": [["broker-2"], ["broker-3", "controller-3"]] },
    { "heal_all": true },
    { "slow": { "node": "broker-3", "ms": 250 } },
    { "shutdown": "broker-3" },
    { "run": "kafka-console-producer.sh --topic cities --bootstrap-server localhost:9092",
      "lines": ["Rome", "Oslo"] },
    { "run": "cut broker-2 broker-3 --both" },
    { "at": "60s", "restart": "broker-1" },
    { "expect": { "within": "40s", "isr_of": "cities-0", "equals": [3, 1, 2] } },
    { "expect": { "active_controller": "controller-1" } },
    { "expect": { "active_controller": true, "not": "controller-2" } },
    { "expect": { "at": "1s", "leader_of": "cities-1", "none": true } },
    { "expect": { "produce_error": { "client": "producer-1", "error": "NOT_ENOUGH_REPLICAS" } } },
    { "expect": { "consumed": { "client": "consumer-1", "at_least": 10 } } },
    { "expect": { "acked": { "client": "producer-2", "at_least": 2 } } },
    { "expect": { "node_state": { "node": "broker-1", "is": "running" } } }
  ],
  "probes": ["leader.election.clean", "isr.shrink"],
  "end": "120s"
})";

Scenario ParseOk(std::string_view text) {
  std::vector<std::string> errors;
  auto scenario = ParseScenario(text, "full.json", &errors);
  std::string all;
  for (const std::string& e : errors) all += e + "\n";
  REQUIRE_MESSAGE(scenario.has_value(), all);
  CHECK(errors.empty());
  return *scenario;
}

TEST_CASE("scenario: a complete file parses into cluster, topics, clients and steps") {
  const Scenario s = ParseOk(kFull);
  CHECK(s.name == "Broker failure and leader election");
  CHECK(s.seed == 42);
  CHECK(s.end == kTimeZero + 120_s);
  CHECK(s.source == "full.json");
  CHECK(s.probes == std::vector<std::string>{"leader.election.clean", "isr.shrink"});

  const Cluster& c = s.cluster;
  CHECK(c.mode == ClusterMode::kKraft);
  CHECK(c.brokers == 3);
  CHECK(c.controllers == 3);
  REQUIRE(c.nodes.size() == 6);
  CHECK(c.nodes[0].name == "broker-1");
  CHECK(c.nodes[0].node_id == 1);
  CHECK(c.nodes[0].rack == "a");
  CHECK(c.nodes[3].name == "controller-1");
  CHECK(c.nodes[3].node_id == 1001);
  CHECK(c.nodes[3].role == NodeRole::kController);
  CHECK(c.VoterIds() == std::vector<std::int32_t>{1001, 1002, 1003});
  CHECK(c.network.latency_base == 1_ms);
  CHECK(c.network.latency_jitter == 2_ms);
  CHECK(c.network.drop_probability == doctest::Approx(0.01));
  CHECK(c.broker_config.GetLong("replica.lag.time.max.ms") == 30000);
  CHECK(c.broker_config.GetLong("replica.fetch.wait.max.ms") == 500);  // default
  CHECK_FALSE(c.broker_config.GetBool("unclean.leader.election.enable"));
  CHECK(c.controller_config.GetLong("controller.quorum.election.timeout.ms") == 1500);

  REQUIRE(s.topics.size() == 1);
  CHECK(s.topics[0].partitions == 3);
  CHECK(s.topics[0].config.GetLong("min.insync.replicas") == 2);
  CHECK(s.topics[0].config.GetString("cleanup.policy") == "delete");
  CHECK(s.topics[0].config.GetLong("segment.bytes") == 1073741824);
  CHECK(s.topics[0].config.explicit_values().size() == 2);
  CHECK(s.FindTopic("cities") == &s.topics[0]);
  CHECK(s.FindNode("controller-3")->node_id == 1003);
  CHECK(s.FindNode("producer-1") == nullptr);
}

TEST_CASE("scenario: producers and consumers with their defaults and derived values") {
  const Scenario s = ParseOk(kFull);
  REQUIRE(s.clients.size() == 3);
  const Client& p1 = *s.FindClient("producer-1");
  CHECK(p1.type == ClientType::kProducer);
  CHECK(p1.acks == Acks::kAll);
  CHECK(p1.send_interval == 20_ms);
  CHECK(p1.enable_idempotence);
  CHECK(p1.retries == 2147483647);
  CHECK(p1.delivery_timeout == Milliseconds(120000));
  CHECK(p1.linger == 5_ms);
  CHECK(p1.compression_type == "none");  // compression.type's Kafka default
  CHECK_FALSE(p1.count.has_value());
  CHECK(p1.MessageAt(0).key == "New York");
  CHECK(p1.MessageAt(4).key == "Berlin");
  CHECK(p1.MessageAt(4).value == "message-5");
  CHECK(p1.MessageAt(INT64_MAX - 1).value == "message-9223372036854775807");

  const Client& p2 = *s.FindClient("producer-2");
  CHECK(p2.acks == Acks::kOne);
  CHECK_FALSE(p2.enable_idempotence);  // acks=1 turns the 3.2+ default off
  CHECK(p2.start == kTimeZero + 2_s);
  CHECK(p2.stop == kTimeZero + 30_s);
  CHECK(p2.count == 3);
  CHECK_FALSE(p2.MessageAt(0).key.has_value());
  CHECK(p2.MessageAt(0).value == "plain");
  CHECK(p2.MessageAt(1).key == "k");
  CHECK_FALSE(p2.MessageAt(2).key.has_value());

  const Client& c1 = *s.FindClient("consumer-1");
  CHECK(c1.from_beginning);
  CHECK(c1.partitions == std::vector<std::int32_t>{0, 2});
  CHECK_FALSE(c1.group.has_value());
}

TEST_CASE("scenario: steps carry absolute times; steps without 'at' keep the previous time") {
  const Scenario s = ParseOk(kFull);
  REQUIRE(s.steps.size() == 23);
  CHECK(s.steps[0].at == kTimeZero + 5_s);
  CHECK(s.steps[0].at_given);
  CHECK(s.steps[0].json_path == "$.steps[0]");
  CHECK(s.steps[0].line == 23);
  const auto& run = std::get<RunAction>(s.steps[0].action);
  CHECK(std::get<TopicsCommand>(run.command).action == TopicsCommand::Action::kDescribe);
  CHECK(std::get<SayAction>(s.steps[1].action).text.starts_with("Broker 1 leads"));
  CHECK(s.steps[2].at == kTimeZero + 10_s);
  CHECK_FALSE(s.steps[2].at_given);
  CHECK(std::get<CrashCommand>(s.steps[2].action).node == "broker-1");
  CHECK(std::holds_alternative<PauseAction>(s.steps[3].action));
  const auto& cut = std::get<CutCommand>(s.steps[5].action);
  CHECK(cut.both);
  CHECK_FALSE(std::get<HealCommand>(s.steps[6].action).both);
  CHECK(std::get<IsolateCommand>(s.steps[7].action).node == "controller-2");
  CHECK(std::get<PartitionAction>(s.steps[8].action).groups ==
        std::vector<std::vector<std::string>>{{"broker-2"}, {"broker-3", "controller-3"}});
  CHECK(std::holds_alternative<HealAllCommand>(s.steps[9].action));
  CHECK(std::get<SlowCommand>(s.steps[10].action).extra == 250_ms);
  CHECK(std::get<ShutdownCommand>(s.steps[11].action).node == "broker-3");
  const auto& produce = std::get<RunAction>(s.steps[12].action);
  CHECK(std::get<ConsoleProducerCommand>(produce.command).lines ==
        std::vector<std::string>{"Rome", "Oslo"});
  CHECK(std::get<CutCommand>(std::get<RunAction>(s.steps[13].action).command).both);
  CHECK(s.steps[14].at == kTimeZero + 60_s);
}

TEST_CASE("scenario: every kind of expectation") {
  const Scenario s = ParseOk(kFull);
  const auto expect = [&](std::size_t i) -> const Expect& {
    return std::get<Expect>(s.steps[i].action);
  };
  const Expect leader = expect(4);
  CHECK(leader.timing == Expect::Timing::kWithin);
  CHECK(leader.delay == 20_s);
  CHECK(leader.because == "a follower in the ISR takes over");
  const auto& l = std::get<LeaderOfExpect>(leader.condition);
  CHECK(l.partition.topic == "cities");
  CHECK(l.partition.partition == 0);
  CHECK(l.partition.ToString() == "cities-0");
  CHECK(l.relation == LeaderOfExpect::Relation::kNot);
  CHECK(l.node.ToString() == "broker-1");
  CHECK(std::get<IsrOfExpect>(expect(15).condition).equals == std::vector<std::int32_t>{1, 2, 3});
  const auto& ac = std::get<ActiveControllerExpect>(expect(16).condition);
  CHECK(ac.node.ToString() == "controller-1");
  CHECK_FALSE(ac.negated);
  CHECK(std::get<ActiveControllerExpect>(expect(17).condition).negated);
  const Expect none = expect(18);
  CHECK(none.timing == Expect::Timing::kAt);
  CHECK(none.delay == 1_s);
  CHECK(std::get<LeaderOfExpect>(none.condition).relation == LeaderOfExpect::Relation::kNone);
  CHECK(std::get<ProduceErrorExpect>(expect(19).condition).error == Errc::kNotEnoughReplicas);
  CHECK(std::get<ConsumedExpect>(expect(20).condition).at_least == 10);
  CHECK(std::get<AckedExpect>(expect(21).condition).client == "producer-2");
  CHECK(std::get<NodeStateExpect>(expect(22).condition).is == "running");
  CHECK(expect(22).delay == Duration{});
}

TEST_CASE("scenario: a minimal file gets the quickstart's defaults") {
  const Scenario s = ParseOk(R"({"name": "quickstart", "cluster": {"combined": true}})");
  CHECK(s.seed == 1);
  CHECK(s.end == kTimeZero + 60_s);
  CHECK(s.cluster.brokers == 1);
  CHECK(s.cluster.controllers == 0);
  REQUIRE(s.cluster.nodes.size() == 1);
  CHECK(s.cluster.nodes[0].role == NodeRole::kCombined);
  CHECK(s.cluster.VoterIds() == std::vector<std::int32_t>{1});
  CHECK(s.cluster.network.latency_base == 1_ms);
  CHECK(s.steps.empty());
}

TEST_CASE("scenario: LoadScenario reads a file and reports an unreadable one") {
  const std::string path = "scenario_test_load.json";
  {
    std::ofstream out(path);
    out << R"({"name": "x", "cluster": {"brokers": 2}})";
  }
  auto loaded = LoadScenario(path);
  REQUIRE(loaded.ok());
  CHECK(loaded->cluster.brokers == 2);
  CHECK(loaded->source == path);
  std::remove(path.c_str());
  auto missing = LoadScenario("no/such/file.json");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == Errc::kNotFound);
  CHECK(missing.status().message() ==
        "[scenario.E026] no/such/file.json $: cannot read the file (does it exist?)");
}

TEST_CASE("scenario: the complete example in docs/SCENARIO_FORMAT.md is valid") {
  std::ifstream in(std::string(KAFKASIM_SOURCE_DIR) + "/docs/SCENARIO_FORMAT.md");
  REQUIRE(in.good());
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t heading = doc.find("## A complete example");
  REQUIRE(heading != std::string::npos);
  const std::size_t begin = doc.find("```json\n", heading);
  const std::size_t end = doc.find("```", begin + 8);
  REQUIRE(begin != std::string::npos);
  REQUIRE(end != std::string::npos);
  const Scenario s = ParseOk(std::string_view(doc).substr(begin + 8, end - begin - 8));
  CHECK(s.steps.size() == 9);
  CHECK(s.clients.size() == 2);
}

TEST_CASE("scenario: mutated files give errors, never a crash or an error-free wrong result") {
  // Replace each byte of a valid file with a few troublesome ones; every result must either
  // parse or come with at least one error in the documented form.
  const std::string base(kFull);
  for (std::size_t i = 0; i < base.size(); ++i) {
    for (char c : {'0', '"', '[', '}'}) {
      std::string text = base;
      text[i] = c;
      std::vector<std::string> errors;
      const bool ok = ParseScenario(text, "m.json", &errors).has_value();
      CHECK(ok == errors.empty());
      for (const std::string& e : errors) CHECK(e.starts_with("[scenario.E0"));
    }
  }
}

TEST_CASE("scenario: config values are checked against Kafka's types") {
  const ConfigSpec* lag = FindConfigSpec(BrokerConfigSpecs(), "replica.lag.time.max.ms");
  REQUIRE(lag != nullptr);
  CHECK(CanonicalConfigValue(*lag, "10000").value() == "10000");
  CHECK(CanonicalConfigValue(*lag, "-5").status().message() ==
        "expected a value of at least 2, got -5");
  const ConfigSpec* policy = FindConfigSpec(TopicConfigSpecs(), "cleanup.policy");
  CHECK(CanonicalConfigValue(*policy, "compact").value() == "compact");
  CHECK(CanonicalConfigValue(*policy, "compact,shred").status().message() ==
        "expected a comma-separated list of: delete, compact; got 'compact,shred'");
  const ConfigSpec* type = FindConfigSpec(TopicConfigSpecs(), "message.timestamp.type");
  CHECK(CanonicalConfigValue(*type, "createtime").status().message() ==
        "expected one of: CreateTime, LogAppendTime; got 'createtime'");
  const ConfigSpec* unclean = FindConfigSpec(TopicConfigSpecs(), "unclean.leader.election.enable");
  CHECK(CanonicalConfigValue(*unclean, "TRUE").value() == "true");
  CHECK(FindConfigSpec(TopicConfigSpecs(), "replica.lag.time.max.ms") == nullptr);
  for (const auto* specs : {&BrokerConfigSpecs(), &ControllerConfigSpecs(), &TopicConfigSpecs()}) {
    for (const ConfigSpec& spec : *specs) {
      CAPTURE(spec.name);
      CHECK(CanonicalConfigValue(spec, spec.default_value).ok());  // defaults are valid values
    }
  }
}

TEST_CASE("scenario: topic names follow Kafka's rule") {
  CHECK(TopicNameProblem("cities").empty());
  CHECK(TopicNameProblem("a.b_c-D9").empty());
  CHECK(TopicNameProblem("") == "Topic name is illegal, it can't be empty");
  CHECK(TopicNameProblem("..") == "Topic name cannot be \".\" or \"..\"");
  CHECK(TopicNameProblem(std::string(250, 'a'))
            .starts_with("Topic name is illegal, it can't be longer than 249 characters"));
  CHECK(TopicNameProblem(std::string(249, 'a')).empty());
}

TEST_CASE("scenario: did-you-mean suggestions only for near misses") {
  CHECK(ClosestName("replica.lag.time.ms", {"replica.lag.time.max.ms", "retention.ms"}) ==
        "replica.lag.time.max.ms");
  CHECK(ClosestName("zzz", {"replica.lag.time.max.ms"}).empty());
}

}  // namespace
}  // namespace kafkasim::scenario
