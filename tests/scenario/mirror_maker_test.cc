// MirrorMaker 2 in a scenario ("mirror_maker"): its properties by connect-mirror-maker.properties
// names, the errors a mistake gets, the remote topics it declares, and runs of a small flow that
// the `mirror` and `topics` expectations watch, with the same trace hash on the same seed.
#include <doctest/doctest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "scenario/mirror_settings.h"
#include "scenario/runner.h"

namespace kafkasim::scenario {
namespace {

// Two one-node clusters (a combined broker and controller each), us-east with a topic cities
// and a producer, and whatever "mirror_maker" and steps a test gives.
std::string File(const std::string& mirror, const std::string& steps = "[]",
                 const std::string& end = "20s") {
  return R"({"name": "mm2", "seed": 5, "end": ")" + end + R"(",
  "clusters": {
    "us-east": {"brokers": 1, "combined": true,
                "broker_config": {"offsets.topic.replication.factor": 1},
                "topics": [{"name": "cities", "partitions": 2},
                           {"name": "orders", "partitions": 1}]},
    "eu-west": {"brokers": 1, "combined": true,
                "broker_config": {"offsets.topic.replication.factor": 1},
                "topics": [{"name": "cities", "partitions": 1}]}
  },
  "clients": [
    {"id": "producer-east", "type": "producer", "topic": "us-east/cities", "acks": "all",
     "rate_per_s": 50, "start": "3s", "stop": "8s"}
  ],
  "mirror_maker": )" +
         mirror + R"(,
  "steps": )" +
         steps + "}";
}

// A flow us-east -> eu-west with one replica per internal topic (each cluster has one broker)
// and short intervals.
const std::string kFlow = R"({
    "clusters": "us-east, eu-west",
    "us-east->eu-west.enabled": "true",
    "replication.factor": "1",
    "offset-syncs.topic.replication.factor": 1,
    "checkpoints.topic.replication.factor": 1,
    "heartbeats.topic.replication.factor": 1,
    "refresh.topics.interval.seconds": "2",
    "emit.checkpoints.interval.seconds": "2"
  })";

std::vector<std::string> Errors(const std::string& text) {
  std::vector<std::string> errors;
  std::optional<Scenario> s = ParseScenario(text, "s.json", &errors);
  CHECK_FALSE(s.has_value());
  return errors;
}

std::string OneError(const std::string& text) {
  const std::vector<std::string> errors = Errors(text);
  std::string all;
  for (const std::string& e : errors) all += e + "\n";
  CAPTURE(all);
  REQUIRE(errors.size() == 1);
  return errors[0];
}

Scenario Parse(const std::string& text) {
  std::vector<std::string> errors;
  std::optional<Scenario> s = ParseScenario(text, "s.json", &errors);
  for (const std::string& e : errors) CAPTURE(e);
  REQUIRE(errors.empty());
  return std::move(*s);
}

// The message of an error, without its id and place ("[scenario.E014] s.json:4:5 $.x: ").
std::string Message(const std::string& error) {
  const std::size_t colon = error.find(": ");
  return colon == std::string::npos ? error : error.substr(colon + 2);
}

// The JSON path an error names.
std::string Where(const std::string& error) {
  const std::size_t dollar = error.find(" $");
  const std::size_t colon = error.find(": ", dollar);
  return error.substr(dollar + 1, colon - dollar - 1);
}

TEST_CASE("mirror maker: properties set for every flow and for one flow resolve as Kafka's") {
  const Scenario s = Parse(File(R"({
    "clusters": "us-east, eu-west",
    "us-east->eu-west.enabled": "true",
    "eu-west->us-east.enabled": true,
    "replication.factor": 1,
    "eu-west->us-east.topics": "cities",
    "us-east->eu-west.emit.checkpoints.interval.seconds": "7",
    "sync.group.offsets.enabled": "true"
  })"));
  REQUIRE(s.mirror_flows.size() == 2);
  // In the order of the flows' names: eu-west->us-east, then us-east->eu-west.
  const MirrorFlowSettings west = ResolveMirrorFlow(s.mirror_flows[0]);
  const MirrorFlowSettings east = ResolveMirrorFlow(s.mirror_flows[1]);
  CHECK(west.config.Name() == "eu-west->us-east");
  CHECK(east.config.Name() == "us-east->eu-west");
  CHECK(west.config.topics == "cities");
  CHECK(east.config.topics == ".*");  // MirrorSourceConfig's default
  CHECK(east.config.emit_checkpoints_interval == Seconds(7));
  CHECK(west.config.emit_checkpoints_interval == Seconds(60));
  CHECK(east.config.sync_group_offsets_enabled);
  CHECK(west.config.sync_group_offsets_enabled);
  CHECK(east.replication_factor == 1);
  // The remote topics are declared in the target, mirrored, and not in the source: us-east's
  // two topics in eu-west, only eu-west's cities (the flow's topics) in us-east.
  std::vector<std::string> mirrored;
  for (const Topic& t : s.topics) {
    if (t.mirrored) mirrored.push_back(t.name);
  }
  std::string joined;
  for (const std::string& m : mirrored) joined += m + " ";
  CAPTURE(joined);
  CHECK(mirrored == std::vector<std::string>{"us-east/eu-west.cities", "eu-west/us-east.cities",
                                             "eu-west/us-east.orders"});
}

TEST_CASE("mirror maker: a remote topic may be a client's topic and an expectation's partition") {
  const std::string text = File(kFlow, R"([
    {"at": "10s", "expect": {"within": "5s", "records_in_log":
      {"partition": "eu-west/us-east.cities-0", "at_most": 1000}}}])");
  const Scenario s = Parse(text);
  const Topic* remote = s.FindTopic("eu-west/us-east.cities");
  REQUIRE(remote != nullptr);
  CHECK(remote->partitions == 2);  // as the source topic: the connector keeps them in step
  CHECK(remote->mirrored);
}

TEST_CASE("mirror maker: mistakes name the key and say what would be valid") {
  // One cluster: nothing to mirror between.
  CHECK(OneError(R"({"name": "x", "cluster": {"brokers": 1}, "mirror_maker": {}})") ==
        "[scenario.E036] s.json:1:42 $.mirror_maker: \"mirror_maker\" mirrors between clusters; "
        "declare them in \"clusters\"");
  // A flow naming a cluster the scenario does not have.
  std::string e = OneError(File(R"({"us-east->ap-south.enabled": "true"})"));
  CHECK(Where(e) == "$.mirror_maker[\"us-east->ap-south.enabled\"]");
  CHECK(e.find("[scenario.E036] ") == 0);
  CHECK(Message(e) ==
        "flow 'us-east->ap-south' names 'ap-south', which is not in \"clusters\"; declared: "
        "eu-west, us-east");
  // A cluster mirrored to itself.
  e = OneError(File(R"({"us-east->us-east.enabled": "true"})"));
  CHECK(e.find("a flow mirrors one cluster to another, not to itself") != std::string::npos);
  // An alias in "clusters" that is not declared.
  e = Errors(File(R"({"clusters": "us-east, eu-central", "us-east->eu-west.enabled": "true"})"))
          .front();
  CHECK(e.find("[scenario.E036]") == 0);
  CHECK(e.find("cluster alias 'eu-central' is not in \"clusters\"; declared: eu-west, us-east") !=
        std::string::npos);
  // An unknown property, with the closest simulated name.
  e = OneError(File(R"({"us-east->eu-west.enabled": "true", "replication.factr": "3"})"));
  CHECK(e.find("[scenario.E014]") == 0);
  CHECK(e.find("unknown MirrorMaker 2 property 'replication.factr' (did you mean "
               "'replication.factor'?)") != std::string::npos);
  // Bad values, in the words of Kafka's ConfigException.
  e = OneError(File(R"({"us-east->eu-west.enabled": "yes"})"));
  CHECK(e.find("[scenario.E015]") == 0);
  CHECK(e.find("Invalid value yes for configuration enabled: Expected value to be either true "
               "or false") != std::string::npos);
  e = OneError(
      File(R"({"us-east->eu-west.enabled": "true", "emit.checkpoints.interval.seconds": "x"})"));
  CHECK(e.find("Invalid value x for configuration emit.checkpoints.interval.seconds: Not a "
               "number of type LONG") != std::string::npos);
  e = OneError(File(R"({"us-east->eu-west.enabled": "true", "replication.factor": 0})"));
  CHECK(e.find("Invalid value 0 for configuration replication.factor: Value must be in [1, 32]") !=
        std::string::npos);
  // A property on a flow without the property's name.
  e = OneError(File(R"({"us-east->eu-west": "true"})"));
  CHECK(e.find("[scenario.E014]") == 0);
  CHECK(e.find("expected SOURCE->TARGET.PROPERTY such as 'us-east->eu-west.enabled'") !=
        std::string::npos);
  // Not a string, boolean or integer.
  e = OneError(File(R"({"us-east->eu-west.enabled": "true", "replication.factor": [3]})"));
  CHECK(e.find("[scenario.E002]") == 0);
  // Nothing enabled.
  e = OneError(File(R"({"us-east->eu-west.enabled": "false"})"));
  CHECK(e.find("no flow is enabled; enable one with") != std::string::npos);
  // Expectations about a flow that does not run, and about a cluster that does not exist.
  e = OneError(File(kFlow, R"([{"expect": {"mirror": {"flow": "eu-west->us-east",
                                              "lag_at_most": 0}}}])"));
  CHECK(e.find("[scenario.E036]") == 0);
  CHECK(e.find("no MirrorMaker 2 flow 'eu-west->us-east' is enabled in \"mirror_maker\"; "
               "enabled: 'us-east->eu-west'") != std::string::npos);
  e = OneError(File(kFlow, R"([{"expect": {"mirror": {"flow": "us-east->eu-west"}}}])"));
  CHECK(e.find("give what must hold: lag_at_most, lag_at_least, records_at_least or "
               "checkpoints_at_least") != std::string::npos);
  e = OneError(
      File(kFlow, R"([{"expect": {"topics": {"cluster": "ap-south", "equals": ["cities"]}}}])"));
  CHECK(e.find("unknown cluster 'ap-south'; clusters: eu-west, us-east") != std::string::npos);
  e = OneError(File(kFlow, R"([{"expect": {"topics": {"equals": ["cities"]}}}])"));
  CHECK(e.find("[scenario.E004]") == 0);
}

struct Outcome {
  bool ok = false;
  std::vector<std::string> failures;
  std::string hash;
  std::int64_t records = 0;
  std::int64_t lag = -1;
};

Outcome Run(const std::string& text, std::uint64_t seed) {
  RunOptions options;
  options.seed = seed;
  Runner runner(Parse(text), options);
  Outcome out;
  out.ok = runner.RunToEnd(kTimeMax);
  out.failures = runner.step_failures();
  for (const view::CheckView& c : runner.checks()) {
    if (!c.continuous && !c.ok) out.failures.push_back(c.name + " — " + c.detail);
  }
  out.hash = runner.sim().trace().HashHex();
  for (const Runner::MirrorMaker& m : runner.mirror_makers()) {
    for (const kafka::MirrorStats::Flow& f : m.stats->flows) {
      out.records += f.records;
      out.lag = f.Lag();
    }
  }
  return out;
}

// What us-east and eu-west hold once the flow has run: each its own topics, eu-west the remote
// ones, the checkpoints and the heartbeats (MirrorHeartbeatTask writes them to the target),
// us-east the offset syncs. Nothing flows to us-east, so it has no heartbeats to mirror.
const std::string kSteps = R"([
  {"at": "12s", "expect": {"within": "6s",
     "mirror": {"flow": "us-east->eu-west", "records_at_least": 200, "lag_at_most": 0}}},
  {"at": "19s", "expect": {"topics": {"cluster": "us-east", "equals":
     ["cities", "mm2-offset-syncs.eu-west.internal", "orders"]}}},
  {"expect": {"topics": {"cluster": "eu-west", "equals":
     ["cities", "heartbeats", "us-east.checkpoints.internal", "us-east.cities",
      "us-east.orders"]}}}
])";

TEST_CASE("mirror maker: a flow copies every acknowledged record and creates the remote topics") {
  const Outcome out = Run(File(kFlow, kSteps), 5);
  for (const std::string& f : out.failures) CAPTURE(f);
  CHECK(out.ok);
  CHECK(out.failures.empty());
  // producer-east wrote 50 records/s for 5 s; every one reached eu-west, none twice.
  CHECK(out.records >= 200);
  CHECK(out.records <= 260);
  CHECK(out.lag == 0);
}

TEST_CASE("mirror maker: the mirror and topics expectations fail when the story did not happen") {
  // No flow runs to eu-west's orders topic, and 10,000 records were never written.
  const Outcome out = Run(File(kFlow, R"([
    {"at": "12s", "expect": {"within": "6s",
       "mirror": {"flow": "us-east->eu-west", "records_at_least": 10000}}},
    {"at": "19s", "expect": {"topics": {"cluster": "eu-west", "equals": ["cities"]}}}
  ])"),
                          5);
  CHECK_FALSE(out.ok);
  REQUIRE(out.failures.size() == 2);
  CHECK(out.failures[0].find("has mirrored at least 10000 record(s)") != std::string::npos);
  CHECK(out.failures[1].find("us-east.cities") != std::string::npos);
}

// The worker in eu-west loses its fetches and produces in flight when the region is cut (the
// simulated network drops them); like any Kafka client it gives them up after request.timeout.ms
// (30 s) and sends them again, so the flow catches up within 30 s of the heal.
TEST_CASE("mirror maker: with the region cut the lag grows, and the flow catches up on heal") {
  const Outcome out = Run(File(kFlow, R"([
    {"at": "4s", "cut_region": ["us-east", "eu-west"]},
    {"at": "7s", "expect": {"mirror": {"flow": "us-east->eu-west", "lag_at_least": 50}}},
    {"at": "9s", "heal_region": ["us-east", "eu-west"]},
    {"expect": {"within": "40s", "mirror": {"flow": "us-east->eu-west", "lag_at_most": 0,
                                            "records_at_least": 200}}}
  ])",
                               "50s"),
                          5);
  std::string failures;
  for (const std::string& f : out.failures) failures += f + "\n";
  CAPTURE(failures);
  CHECK(out.ok);
}

// createNewTopics: a remote topic is created with its source's non-default configs, less those
// DefaultConfigPropertyFilter excludes (min.insync.replicas among them).
TEST_CASE("mirror maker: a remote topic takes its source's configs but min.insync.replicas") {
  std::string text = File(kFlow, "[]", "12s");
  const std::string plain = R"({"name": "cities", "partitions": 2})";
  REQUIRE(text.find(plain) != std::string::npos);
  text.replace(text.find(plain), plain.size(),
               R"({"name": "cities", "partitions": 2, "config": {"retention.ms": 3600000,
                   "min.insync.replicas": 1, "max.message.bytes": 500000}})");
  RunOptions options;
  options.seed = 5;
  Runner runner(Parse(text), options);
  CHECK(runner.RunToEnd(kTimeMax));
  REQUIRE(runner.worlds().size() == 2);
  World& eu_west = *runner.worlds()[0];  // clusters in name order
  const kafka::MetadataImage* image = eu_west.BestImage();
  REQUIRE(image != nullptr);
  const kafka::TopicImage* remote = image->Topic("us-east.cities");
  REQUIRE(remote != nullptr);
  CHECK(remote->configs == std::map<std::string, std::string>{{"max.message.bytes", "500000"},
                                                              {"retention.ms", "3600000"}});
  // A source topic without overrides gives a remote topic without any.
  const kafka::TopicImage* orders = image->Topic("us-east.orders");
  REQUIRE(orders != nullptr);
  CHECK(orders->configs.empty());
}

// MirrorSourceConnector.syncTopicConfigs: every sync.topic.configs.interval.seconds the remote
// topic is altered to its source's overrides (SET), and a config the source no longer overrides
// goes (DELETE: use.defaults.from=target); an excluded config is left alone.
TEST_CASE(
    "mirror maker: a config changed on the source reaches the remote topic at the next sync") {
  std::string flow = kFlow;
  flow.replace(flow.rfind('}'), 1, R"(, "sync.topic.configs.interval.seconds": "3"})");
  std::string text = File(flow,
                          R"([{"at": "9s", "expect": {"topic_config": {"topic": )"
                          R"("eu-west/us-east.cities", "config": {"retention.ms": 3600000, )"
                          R"("max.message.bytes": null}}}},)"
                          R"({"at": "10s", "run": "kafka-configs.sh --bootstrap-server )"
                          R"(broker-1.us-east:9092 --alter --topic cities --add-config )"
                          R"(max.message.bytes=2000,min.insync.replicas=1 )"
                          R"(--delete-config retention.ms"},)"
                          R"({"expect": {"within": "5s", "topic_config": {"topic": )"
                          R"("eu-west/us-east.cities", "config": {"max.message.bytes": 2000, )"
                          R"("retention.ms": null}}}},)"
                          R"({"expect": {"within": "5s", "topic_config": {"topic": )"
                          R"("eu-west/us-east.cities", "config": {"min.insync.replicas": 1}}}}])",
                          "16s");
  const std::string plain = R"({"name": "cities", "partitions": 2})";
  REQUIRE(text.find(plain) != std::string::npos);
  text.replace(text.find(plain), plain.size(),
               R"({"name": "cities", "partitions": 2, "config": {"retention.ms": 3600000}})");
  for (const char* target_mode : {"", R"("mode": "zookeeper", )"}) {
    std::string t = text;
    const std::string west = R"("eu-west": {"brokers": 1, "combined": true,)";
    REQUIRE(t.find(west) != std::string::npos);
    if (*target_mode != '\0') {
      t.replace(t.find(west), west.size(),
                std::string(R"("eu-west": {)") + target_mode + R"("brokers": 1,)");
    }
    CAPTURE(t);
    RunOptions options;
    options.seed = 5;
    Runner runner(Parse(t), options);
    const auto remote_configs = [&] {
      const kafka::MetadataImage* image = runner.worlds()[0]->BestImage();
      REQUIRE(image != nullptr);
      const kafka::TopicImage* remote = image->Topic("us-east.cities");
      REQUIRE(remote != nullptr);
      return remote->configs;
    };
    CHECK_FALSE(runner.RunToEnd(kTimeMax));  // min.insync.replicas is never synced
    CHECK(remote_configs() == std::map<std::string, std::string>{{"max.message.bytes", "2000"}});
    std::vector<view::CheckView> expectations;
    for (const view::CheckView& c : runner.checks()) {
      if (!c.continuous) expectations.push_back(c);
    }
    REQUIRE(expectations.size() == 3);
    CHECK((expectations[0].settled && expectations[0].ok));  // before the change
    CHECK((expectations[1].settled && expectations[1].ok));  // synced
    CHECK((expectations[2].settled && !expectations[2].ok));
    CHECK(expectations[2].seen == "max.message.bytes=2000");
    // The eu-west broker's log of the remote topic took the new value too.
    bool applied = false;
    for (const TraceEvent& e : *runner.View().trace) {
      applied = applied || (e.kind == "log.config" && e.node == "eu-west/broker-1" &&
                            e.text.find("us-east.cities") != std::string::npos &&
                            e.text.find("max.message.bytes=2000") != std::string::npos);
    }
    CHECK(applied);
  }
}

TEST_CASE("mirror maker: a topic_config expectation names a known cluster, topic and configs") {
  const auto expect = [](const std::string& body) {
    return File(kFlow,
                R"([{"at": "5s", "expect": {"within": "2s", "topic_config": )" + body + "}}]");
  };
  CHECK(
      Message(OneError(expect(R"({"topic": "us-east.cities", "config": {"retention.ms": 1}})"))) ==
      "name the topic with its cluster, as CLUSTER/TOPIC (clusters: eu-west, us-east), not "
      "'us-east.cities'");
  CHECK(Message(OneError(
            expect(R"({"topic": "eu-west/us-east.cities", "config": {"retention.mss": 1}})"))) ==
        "unknown topic config 'retention.mss'; did you mean 'retention.ms'?");
  CHECK(Message(
            OneError(expect(R"({"topic": "eu-west/us-east.cities", "config": {"retention.ms": null,
                     "segment.mss": null}})"))) ==
        "unknown topic config 'segment.mss'; did you mean 'segment.ms'?");
  CHECK(Where(OneError(expect(R"({"topic": "eu-west/us-east.cities", "config": {}})"))) ==
        "$.steps[0].expect.topic_config.config");
  CHECK(Where(OneError(expect(R"({"topic": "eu-west/us-east.cities"})"))) ==
        "$.steps[0].expect.topic_config");
}

TEST_CASE("mirror maker: the same seed gives the same trace hash across both clusters") {
  const std::string text = File(kFlow, kSteps);
  const Outcome a = Run(text, 5);
  const Outcome b = Run(text, 5);
  const Outcome c = Run(text, 6);
  CHECK(a.hash == b.hash);
  CHECK(a.hash != c.hash);
  CHECK(c.ok);
}

}  // namespace
}  // namespace kafkasim::scenario
