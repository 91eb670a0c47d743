// Bad scenario files: every error has a stable id, the place (file:line:column and JSON path)
// and what would be valid. The whole text is compared.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "scenario/scenario.h"

namespace kafkasim::scenario {
namespace {

std::vector<std::string> Errors(std::string_view text, std::string_view source = "s.json") {
  std::vector<std::string> errors;
  auto scenario = ParseScenario(text, source, &errors);
  CHECK_FALSE(scenario.has_value());
  return errors;
}

std::string OneError(std::string_view text) {
  auto errors = Errors(text);
  REQUIRE(errors.size() == 1);
  return errors[0];
}

// A valid file with one hole: `cluster`, `topics`, `clients` and `steps` can be replaced.
std::string File(std::string_view steps, std::string_view clients = "[]",
                 std::string_view cluster = R"({"brokers": 3, "controllers": 3})") {
  return R"({"name": "t", "end": "100s", "cluster": )" + std::string(cluster) +
         R"(, "topics": [{"name": "cities", "partitions": 3, "replication_factor": 3}],)" +
         "\n\"clients\": " + std::string(clients) + ",\n\"steps\": [\n" + std::string(steps) +
         "\n]}";
}

TEST_CASE("scenario errors: replication factor above the broker count, with line and column") {
  const std::string text = R"({
  "name": "isr",
  "cluster": { "brokers": 3 },
  "topics": [
    { "name": "cities",
      "replication_factor": 4 }
  ]
})";
  std::vector<std::string> errors;
  CHECK_FALSE(ParseScenario(text, "scenarios/isr.json", &errors).has_value());
  CHECK(errors == std::vector<std::string>{
                      "[scenario.E012] scenarios/isr.json:6:29 $.topics[0].replication_factor: "
                      "replication factor 4 is larger than the 3 brokers in this cluster"});
}

TEST_CASE("scenario errors: unknown keys list the valid ones") {
  CHECK(OneError(R"({"name": "t", "cluster": {},
  "topics": [{"name": "c", "replicas": 1}]})") ==
        "[scenario.E003] s.json:2:28 $.topics[0].replicas: unknown key 'replicas' in "
        "$.topics[0]; expected one of: name, partitions, replication_factor, replica_assignment, "
        "config");
  CHECK(OneError(R"({"name": "t", "cluster": {}, "sed": 4})") ==
        "[scenario.E003] s.json:1:30 $.sed: unknown key 'sed' in $; expected one of: $schema, "
        "name, description, seed, end, cluster, topics, clients, steps, probes, inputs, "
        "clusters, between_clusters, mirror_maker (did you mean 'seed'?)");
}

TEST_CASE("scenario errors: malformed JSON names the line and column") {
  CHECK(OneError("{\n  \"name\": \"t\",\n  \"cluster\": {}\n  \"steps\": []\n}") ==
        "[scenario.E001] s.json:4:9 $: malformed JSON: syntax error while parsing object - "
        "unexpected string literal; expected '}'");
  CHECK(OneError("[1, 2") ==
        "[scenario.E001] s.json:1:6 $: malformed JSON: syntax error while parsing array - "
        "unexpected end of input; expected ']'");
}

TEST_CASE("scenario errors: unknown broker config suggests the right name") {
  CHECK(OneError(R"({"name": "t", "cluster": {"broker_config": {"replica.lag.time.ms": 1}}})") ==
        "[scenario.E014] s.json:1:45 $.cluster.broker_config[\"replica.lag.time.ms\"]: unknown "
        "broker config 'replica.lag.time.ms'; did you mean 'replica.lag.time.max.ms'?");
  CHECK(OneError(
            R"({"name": "t", "cluster": {"broker_config": {"replica.lag.time.max.ms": "x"}}})") ==
        "[scenario.E015] s.json:1:72 $.cluster.broker_config[\"replica.lag.time.max.ms\"]: bad "
        "value for replica.lag.time.max.ms: expected a long, got 'x'");
}

TEST_CASE("scenario errors: a config the simulator does not act on is refused with the reason") {
  CHECK(
      OneError(
          R"({"name": "t", "cluster": {"broker_config": {"transaction.state.log.min.isr": 3}}})") ==
      "[scenario.E032] s.json:1:45 $.cluster.broker_config[\"transaction.state.log.min.isr\"]: "
      "transaction.state.log.min.isr is not simulated: transactions are not simulated");
  CHECK(OneError(R"({"name": "t", "cluster": {}, "topics": [{"name": "c", "partitions": 1,
      "replication_factor": 1, "config": {"flush.ms": 1000}}]})") ==
        "[scenario.E032] s.json:2:43 $.topics[0].config[\"flush.ms\"]: flush.ms is not "
        "simulated: logs are flushed by flush.messages, at segment rolls and at shutdown only");
  // Log compaction is simulated: every cleanup.policy is accepted.
  for (const char* policy : {"delete", "compact", "compact,delete"}) {
    std::vector<std::string> errors;
    CHECK(ParseScenario(R"({"name": "t", "cluster": {}, "topics": [{"name": "c", "partitions": 1,
      "replication_factor": 1, "config": {"cleanup.policy": ")" +
                            std::string(policy) + R"("}}]})",
                        "s.json", &errors)
              .has_value());
    CHECK(errors.empty());
  }
}

TEST_CASE("scenario errors: an unknown node lists the nodes of this cluster") {
  CHECK(OneError(File(R"({"at": "1s", "crash": "broker-4"})",
                      R"([{"id": "producer-1", "type": "producer", "topic": "cities"}])")) ==
        "[scenario.E017] s.json:4:23 $.steps[0].crash: unknown node 'broker-4'; this cluster has "
        "broker-1..broker-3, controller-1..controller-3, producer-1");
  CHECK(OneError(File(R"({"shutdown": "controller-1"})")) ==
        "[scenario.E017] s.json:4:14 $.steps[0].shutdown: 'controller-1' is a controller; "
        "expected a broker (broker-1..broker-3)");
  CHECK(OneError(File(R"({"run": "crash broker-9"})")) ==
        "[scenario.E017] s.json:4:9 $.steps[0].run: unknown node 'broker-9'; this cluster has "
        "broker-1..broker-3, controller-1..controller-3");
}

TEST_CASE("scenario errors: ZooKeeper mode and bad quorums are explained") {
  CHECK(OneError(R"({"name": "t", "cluster": {"mode": "zookeeper", "controllers": 3}})") ==
        "[scenario.E027] s.json:1:48 $.cluster.controllers: 'controllers' applies to mode "
        "\"kraft\" only; in ZooKeeper mode a broker is elected controller through /controller "
        "(size the ensemble with \"zookeepers\")");
  CHECK(OneError(R"({"name": "t", "cluster": {"mode": "zookeeper", "zookeepers": 8}})") ==
        "[scenario.E007] s.json:1:62 $.cluster.zookeepers: expected an integer from 1 to 7, got 8");
  CHECK(OneError(R"({"name": "t", "cluster": {"zookeepers": 3}})") ==
        "[scenario.E027] s.json:1:41 $.cluster.zookeepers: 'zookeepers' applies to mode "
        "\"zookeeper\" only");
  CHECK(OneError(R"({"name": "t", "cluster": {"zookeeper_config": {"tickTime": 2000}}})") ==
        "[scenario.E027] s.json:1:47 $.cluster.zookeeper_config: 'zookeeper_config' applies to "
        "mode \"zookeeper\" only");
  CHECK(OneError(R"({"name": "t", "cluster": {"mode": "raft"}})") ==
        "[scenario.E008] s.json:1:35 $.cluster.mode: expected one of: kraft, zookeeper; got "
        "'raft'");
  CHECK(OneError(R"({"name": "t", "cluster": {"controllers": 2}})") ==
        "[scenario.E010] s.json:1:42 $.cluster.controllers: expected 1, 3 or 5 controllers (a "
        "majority must survive failures: 3 tolerate 1, 5 tolerate 2); got 2");
  CHECK(OneError(R"({"name": "t", "cluster": {"combined": true, "controllers": 3}})") ==
        "[scenario.E010] s.json:1:60 $.cluster.controllers: a combined cluster has no separate "
        "controllers (every broker is a voter); remove 'controllers'");
  CHECK(OneError(R"({"name": "t", "cluster": {"brokers": 2, "racks": ["a"]}})") ==
        "[scenario.E011] s.json:1:50 $.cluster.racks: expected one rack per broker (2), got 1");
  CHECK(OneError(R"({"name": "t", "cluster": {"network": {"latency_ms": [5, 1]}}})") ==
        "[scenario.E007] s.json:1:53 $.cluster.network.latency_ms: the maximum latency 1 is "
        "below the base 5; expected [base, max] with base <= max");
}

TEST_CASE("scenario errors: all errors are collected, in file order") {
  const auto errors = Errors(R"({
  "cluster": { "brokers": 0 },
  "end": "soon",
  "seed": -1
})");
  CHECK(errors == std::vector<std::string>{
                      "[scenario.E004] s.json:1:1 $: missing required key 'name'",
                      "[scenario.E007] s.json:2:27 $.cluster.brokers: expected an integer from 1 "
                      "to 100, got 0",
                      "[scenario.E006] s.json:3:10 $.end: 'soon': expected a duration like "
                      "\"500ms\", \"5s\" or \"2m\"",
                      "[scenario.E002] s.json:4:11 $.seed: expected a non-negative integer, got -1",
                  });
}

TEST_CASE("scenario errors: a bad config does not hide node and replication errors") {
  CHECK(Errors(R"({"name": "t", "cluster": {"brokers": 3, "racks": ["a"],
  "broker_config": {"replica.lag.time.ms": 1}},
  "topics": [{"name": "c", "replication_factor": 4}],
  "steps": [{"crash": "broker-4"}]})") ==
        std::vector<std::string>{
            "[scenario.E011] s.json:1:50 $.cluster.racks: expected one rack per broker (3), got 1",
            "[scenario.E014] s.json:2:21 $.cluster.broker_config[\"replica.lag.time.ms\"]: "
            "unknown broker config 'replica.lag.time.ms'; did you mean "
            "'replica.lag.time.max.ms'?",
            "[scenario.E012] s.json:3:50 $.topics[0].replication_factor: replication factor 4 is "
            "larger than the 3 brokers in this cluster",
            "[scenario.E017] s.json:4:23 $.steps[0].crash: unknown node 'broker-4'; this cluster "
            "has broker-1..broker-3, controller-1"});
}

TEST_CASE("scenario errors: wrong types and duplicate keys") {
  CHECK(OneError("[]") == "[scenario.E002] s.json:1:1 $: expected an object, got an array");
  CHECK(OneError(R"({"name": 5, "cluster": {}})") ==
        "[scenario.E002] s.json:1:10 $.name: expected a string, got a number");
  CHECK(OneError(R"({"name": "a", "name": "b", "cluster": {}})") ==
        "[scenario.E005] s.json:1:15 $.name: duplicate key; each key may appear once in an "
        "object");
}

TEST_CASE("scenario errors: topics") {
  CHECK(OneError(R"({"name": "t", "cluster": {}, "topics": [{"name": "a b"}]})") ==
        "[scenario.E013] s.json:1:50 $.topics[0].name: Topic name \"a b\" is illegal, it "
        "contains a character other than ASCII alphanumerics, '.', '_' and '-'");
  CHECK(OneError(R"({"name": "t", "cluster": {}, "topics": [{"name": "a"}, {"name": "a"}]})") ==
        "[scenario.E013] s.json:1:65 $.topics[1].name: topic 'a' is defined twice");
  CHECK(
      OneError(
          R"({"name": "t", "cluster": {}, "topics": [{"name": "a", "config": {"segment.byte": 1}}]})") ==
      "[scenario.E014] s.json:1:66 $.topics[0].config[\"segment.byte\"]: unknown topic config "
      "'segment.byte'; did you mean 'segment.bytes'?");
  CHECK(
      OneError(
          R"({"name": "t", "cluster": {"brokers": 1}, "topics": [{"name": "a", "replication_factor": 2}]})") ==
      "[scenario.E012] s.json:1:89 $.topics[0].replication_factor: replication factor 2 is "
      "larger than the 1 broker in this cluster");
}

TEST_CASE("scenario errors: clients") {
  CHECK(OneError(File("", R"([{"id": "c", "type": "consumer", "topic": "cities", "group": "g",
      "partitions": [0]}])")) ==
        "[scenario.E019] s.json:2:73 $.clients[0].group: a consumer either joins a group "
        "(subscribe) or lists 'partitions' (assign), not both");
  CHECK(OneError(File("", R"([{"id": "c", "type": "consumer", "topic": "cities",
      "assignor": "range"}])")) ==
        "[scenario.E027] s.json:3:19 $.clients[0].assignor: assignor applies to a consumer in a "
        "group; add 'group'");
  CHECK(OneError(File("", R"([{"id": "c", "type": "consumer", "topic": "cities", "group": "g",
      "group_protocol": "consumer", "assignor": "sticky"}])")) ==
        "[scenario.E008] s.json:3:49 $.clients[0].assignor: with group_protocol \"consumer\" "
        "expected \"uniform\" or \"range\", got 'sticky'");
  CHECK(OneError(File("", R"([{"id": "c", "type": "consumer", "topic": "cities", "group": "g",
      "group_protocol": "consumer", "session_timeout_ms": 10000}])")) ==
        "[scenario.E027] s.json:3:59 $.clients[0].session_timeout_ms: session_timeout_ms is set "
        "by the broker with group_protocol \"consumer\" (group.consumer.session.timeout.ms); "
        "remove it");
  CHECK(OneError(
            File("", R"([{"id": "c", "type": "consumer", "topic": "cities", "acks": "all"}])")) ==
        "[scenario.E027] s.json:2:64 $.clients[0].acks: 'acks' applies to producers only; this "
        "client is a consumer");
  CHECK(OneError(File("", R"([{"id": "p", "type": "producer", "topic": "towns"}])")) ==
        "[scenario.E016] s.json:2:54 $.clients[0].topic: unknown topic 'towns'; topics in this "
        "scenario: cities");
  CHECK(OneError(File("", R"([{"id": "broker-1", "type": "producer", "topic": "cities"}])")) ==
        "[scenario.E018] s.json:2:20 $.clients[0].id: the name 'broker-1' is already taken by a "
        "cluster node");
  CHECK(
      OneError(File(
          "",
          R"([{"id": "p", "type": "producer", "topic": "cities", "acks": "1", "enable_idempotence": true}])")) ==
      "[scenario.E028] s.json:2:99 $.clients[0].enable_idempotence: enable_idempotence true "
      "needs acks \"all\" (Kafka: \"Must set acks to all in order to use the idempotent "
      "producer\")");
  CHECK(
      OneError(File(
          "",
          R"([{"id": "p", "type": "producer", "topic": "cities", "compression_type": "brotli"}])")) ==
      "[scenario.E008] s.json:2:84 $.clients[0].compression_type: expected one of: none, gzip, "
      "snappy, lz4, zstd; got 'brotli'");
  CHECK(
      OneError(File("", R"([{"id": "p", "type": "producer", "topic": "cities", "acks": "2"}])")) ==
      "[scenario.E008] s.json:2:72 $.clients[0].acks: expected one of: \"0\", \"1\", \"all\" "
      "(or \"-1\"); got \"2\"");
  CHECK(OneError(File(
            "", R"([{"id": "c", "type": "consumer", "topic": "cities", "partitions": [3]}])")) ==
        "[scenario.E025] s.json:2:79 $.clients[0].partitions[0]: topic 'cities' has partitions "
        "0..2; there is no partition 3");
}

TEST_CASE("scenario errors: steps") {
  CHECK(OneError(File(R"({"at": "5s", "crash": "broker-1", "say": "boom"})")) ==
        "[scenario.E020] s.json:4:1 $.steps[0]: a step has exactly one action; found say, crash "
        "(split them into separate steps; a step without 'at' runs at the previous step's time)");
  CHECK(OneError(File(R"({"at": "5s"})")) ==
        "[scenario.E020] s.json:4:1 $.steps[0]: a step needs one action; expected one of: say, "
        "pause, crash, kill, restart, shutdown, cut, heal, isolate, partition, heal_all, slow, "
        "run, expect, disk_full, disk_ok, slow_disk, corrupt, pick, cut_region, heal_region");
  CHECK(
      OneError(File("{\"at\": \"9s\", \"pause\": true},\n{\"at\": \"5s\", \"heal_all\": true}")) ==
      "[scenario.E021] s.json:5:8 $.steps[1].at: step time 5.000s is before the previous "
      "step's 9.000s; steps must be in time order");
  CHECK(OneError(File(R"({"at": "2m", "pause": true})")) ==
        "[scenario.E021] s.json:4:8 $.steps[0].at: step time 120.000s is after the scenario's "
        "end at 100.000s");
  CHECK(
      OneError(File(
          R"({"run": "kafka-topics.sh --create --topic x --partitions many --bootstrap-server localhost:9092"})")) ==
      "[scenario.E022] s.json:4:9 $.steps[0].run: kafka-topics.sh: option --partitions needs a "
      "number, got 'many'");
  CHECK(OneError(
            File(R"({"run": "kafka-topics.sh --list --bootstrap-server h:1", "lines": ["a"]})")) ==
        "[scenario.E029] s.json:4:58 $.steps[0].lines: 'lines' goes with a 'run' of "
        "kafka-console-producer.sh, not kafka-topics.sh");
  CHECK(OneError(File(R"({"partition": [["broker-1"], ["broker-1", "broker-2"]]})")) ==
        "[scenario.E030] s.json:4:31 $.steps[0].partition[1][0]: 'broker-1' is already in group "
        "$.steps[0].partition[0]");
  CHECK(OneError(File(R"({"slow": {"node": "broker-1", "ms": "fast"}})")) ==
        "[scenario.E006] s.json:4:37 $.steps[0].slow.ms: 'fast': expected a duration like "
        "\"500ms\", \"5s\" or \"2m\"");
  CHECK(OneError(File(R"({"pause": "yes"})")) ==
        "[scenario.E008] s.json:4:11 $.steps[0].pause: expected true, got \"yes\"");
}

TEST_CASE("scenario errors: expectations") {
  const std::string producer = R"([{"id": "p", "type": "producer", "topic": "cities"}])";
  CHECK(OneError(File(R"({"expect": {"leader_of": "cities-7", "is": "broker-1"}})")) ==
        "[scenario.E025] s.json:4:26 $.steps[0].expect.leader_of: topic 'cities' has partitions "
        "0..2; there is no partition 7");
  CHECK(OneError(File(R"({"expect": {"leader_of": "cities", "is": "broker-1"}})")) ==
        "[scenario.E025] s.json:4:26 $.steps[0].expect.leader_of: expected TOPIC-PARTITION such "
        "as \"cities-0\", got 'cities'");
  CHECK(OneError(File(R"({"expect": {"leader_of": "towns-0", "is": "broker-1"}})")) ==
        "[scenario.E016] s.json:4:26 $.steps[0].expect.leader_of: unknown topic 'towns' in "
        "'towns-0'");
  CHECK(OneError(File(R"({"expect": {"leader_of": "cities-0"}})")) ==
        "[scenario.E023] s.json:4:12 $.steps[0].expect: leader_of needs exactly one of: is NODE, "
        "not NODE, none true");
  CHECK(OneError(File(R"({"expect": {"leader_of": "cities-0", "is": "controller-1"}})")) ==
        "[scenario.E017] s.json:4:44 $.steps[0].expect.is: 'controller-1' is a controller; "
        "expected a broker (broker-1..broker-3)");
  CHECK(OneError(File(R"({"expect": {"isr_of": "cities-0", "equals": [1, 4]}})")) ==
        "[scenario.E031] s.json:4:49 $.steps[0].expect.equals[1]: the ISR holds broker ids "
        "(1..3); 4 is not one");
  CHECK(OneError(File(R"({"expect": {"active_controller": "broker-1"}})")) ==
        "[scenario.E017] s.json:4:34 $.steps[0].expect.active_controller: 'broker-1' is a "
        "broker, not a controller quorum voter; voters are controller-1..controller-3");
  CHECK(OneError(
            File(R"({"expect": {"produce_error": {"client": "p", "error": "NOT_ENOUGH_REPLICA"}}})",
                 producer)) ==
        "[scenario.E024] s.json:4:55 $.steps[0].expect.produce_error.error: unknown Kafka error "
        "'NOT_ENOUGH_REPLICA'; did you mean 'NOT_ENOUGH_REPLICAS'?");
  CHECK(OneError(File(R"({"expect": {"consumed": {"client": "p", "at_least": 1}}})", producer)) ==
        "[scenario.E017] s.json:4:36 $.steps[0].expect.consumed.client: 'p' is not a consumer");
  CHECK(OneError(File(R"({"expect": {"isr_of": "cities-0", "equals": [1], "is": "broker-1"}})")) ==
        "[scenario.E027] s.json:4:50 $.steps[0].expect.is: 'is' goes with leader_of, "
        "active_controller, not isr_of");
  CHECK(
      OneError(File(
          R"({"expect": {"at": "1s", "within": "2s", "node_state": {"node": "broker-1", "is": "running"}}})")) ==
      "[scenario.E023] s.json:4:12 $.steps[0].expect: give 'at' (holds at that moment) or "
      "'within' (holds by then), not both");
  CHECK(
      Errors(File(
          R"({"at": "90s", "expect": {"within": "20s", "node_state": {"node": "broker-1", "is": "up"}}})")) ==
      std::vector<std::string>{
          "[scenario.E021] s.json:4:36 $.steps[0].expect.within: the expectation is checked "
          "until 110.000s, after the scenario's end at 100.000s",
          "[scenario.E008] s.json:4:84 $.steps[0].expect.node_state.is: expected one of: "
          "running, crashed, killed, stopped, down; got 'up'"});
}

TEST_CASE("scenario errors: data expectations name the client, partition and bound") {
  const std::string clients =
      R"([{"id": "p", "type": "producer", "topic": "cities"},
          {"id": "c", "type": "consumer", "topic": "cities"}])";
  CHECK(OneError(File(R"({"expect": {"lost_acked": {"client": "c", "at_least": 1}}})", clients)) ==
        "[scenario.E017] s.json:5:38 $.steps[0].expect.lost_acked.client: 'c' is not a "
        "producer");
  CHECK(OneError(File(R"({"expect": {"lost_acked": {"client": "p", "at_least": 0}}})", clients)) ==
        "[scenario.E007] s.json:5:55 $.steps[0].expect.lost_acked.at_least: expected an integer "
        "from 1 to 9223372036854775807, got 0");
  CHECK(
      OneError(File(R"({"expect": {"log_start_offset": {"partition": "cities-9", "at_least": 5}}})",
                    clients)) ==
      "[scenario.E025] s.json:5:47 $.steps[0].expect.log_start_offset.partition: topic "
      "'cities' has partitions 0..2; there is no partition 9");
  CHECK(OneError(File(
            R"({"expect": {"first_consumed_offset": {"client": "c", "partition": "cities-0"}}})",
            clients)) ==
        "[scenario.E004] s.json:5:38 $.steps[0].expect.first_consumed_offset: missing required "
        "key 'at_least'");
  CHECK(
      OneError(File(
          R"({"expect": {"key_in_partition": {"client": "p", "key": "Berlin", "partition": 1, "since": "soon"}}})",
          clients)) ==
      "[scenario.E006] s.json:5:91 $.steps[0].expect.key_in_partition.since: 'soon': expected a "
      "duration like \"500ms\", \"5s\" or \"2m\"");
  CHECK(OneError(File(R"({"expect": {"active_controller": true, "none": false}})")) ==
        "[scenario.E008] s.json:4:48 $.steps[0].expect.none: expected true, got false");
  // A valid file with every new condition parses.
  std::vector<std::string> errors;
  auto ok = ParseScenario(File(R"({"expect": {"lost_acked": {"client": "p", "at_least": 1}}},
              {"expect": {"log_start_offset": {"partition": "cities-0", "at_least": 0}}},
              {"expect": {"first_consumed_offset": {"client": "c", "partition": "cities-1", "at_least": 3}}},
              {"expect": {"key_in_partition": {"client": "p", "key": "Oslo", "partition": 5, "since": "2s"}}},
              {"expect": {"active_controller": true, "none": true}})",
                               clients),
                          "s.json", &errors);
  CHECK(errors.empty());
  REQUIRE(ok.has_value());
  const auto& key = std::get<KeyInPartitionExpect>(std::get<Expect>(ok->steps[3].action).condition);
  CHECK(key.partition == 5);  // not checked against the declared count: --alter may add it
  CHECK(key.since == kTimeZero + Seconds(2));
  CHECK(std::get<ActiveControllerExpect>(std::get<Expect>(ok->steps[4].action).condition).none);
}

TEST_CASE("scenario errors: a problem with a left-out key is placed at the object that lacks it") {
  // Found by fuzz_scenario: an expectation's implicit "at" (no such key in the file) had no
  // line and column.
  CHECK(
      Errors(File(
          R"({"at": "120s", "expect": {"node_state": {"node": "broker-1", "is": "running"}}})")) ==
      std::vector<std::string>{
          "[scenario.E021] s.json:4:8 $.steps[0].at: step time 120.000s is after the "
          "scenario's end at 100.000s",
          "[scenario.E021] s.json:4:26 $.steps[0].expect.at: the expectation is checked until "
          "120.000s, after the scenario's end at 100.000s"});
}

TEST_CASE("scenario errors: every id in the catalogue is documented") {
  std::ifstream in(std::string(KAFKASIM_SOURCE_DIR) + "/docs/SCENARIO_FORMAT.md");
  REQUIRE(in.good());
  std::stringstream doc;
  doc << in.rdbuf();
  for (const ErrorInfo& error : ErrorCatalogue()) {
    CAPTURE(error.id);
    CHECK(doc.str().find("| " + std::string(error.id) + " | " + std::string(error.summary) +
                         " |") != std::string::npos);
  }
}

TEST_CASE("scenario errors: a saved session's inputs are in time order and each command parses") {
  const std::string base = R"({"name": "t", "cluster": {"brokers": 3}, "inputs": )";
  const std::vector<std::string> errors =
      Errors(base + R"([{"at": "2s", "run": "crash broker-1"}, {"at": "1s", "run": "heal-all"},
                 {"at": "3s", "run": "frobnicate"}, {"at": "4s"},
                 {"run": "heal-all", "at": "5s", "by": 1}]})");
  const auto has = [&errors](const std::string& id, const std::string& text) {
    return std::any_of(errors.begin(), errors.end(), [&](const std::string& e) {
      return e.starts_with("[scenario." + id + "]") && e.find(text) != std::string::npos;
    });
  };
  CHECK(errors.size() == 4);
  CHECK(has("E021",
            "$.inputs[1].at: input time 1.000s is before the previous input's "
            "2.000s; inputs must be in time order"));
  CHECK(has("E022", "$.inputs[2].run: "));
  CHECK(has("E004", "$.inputs[3]: missing required key 'run'"));
  CHECK(has("E003", "$.inputs[4].by: unknown key 'by'"));
  // An unknown node is not an error here: the live session ran it and failed at run time.
  std::vector<std::string> none;
  const auto ok = ParseScenario(
      base +
          R"([{"at": "6000000001ns", "run": "crash broker-9"}, {"at": "7s", "run": "heal-all"}]})",
      "s.json", &none);
  REQUIRE(ok.has_value());
  REQUIRE(ok->inputs.size() == 2);
  CHECK(ok->inputs[0].at == kTimeZero + Nanoseconds(6000000001));
  CHECK(ok->inputs[0].command == "crash broker-9");
}

}  // namespace
}  // namespace kafkasim::scenario
