// kafka-topics.sh, kafka-configs.sh and kafka-metadata-quorum.sh as run steps: the whole lines they
// print, as Kafka's TopicCommand and MetadataQuorumCommand
// (tools/src/main/java/org/apache/kafka/tools/) print them.
#include <doctest/doctest.h>

#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "scenario/runner.h"

namespace kafkasim::scenario {
namespace {

// Runs `commands` one after another once the topics cities and cars exist (a second apart with
// `spaced`, for commands that wait for the controller); what the tool printed for each (an empty
// string for a command that printed nothing).
std::vector<std::string> ToolOutput(
    const std::vector<std::string>& commands,
    const std::string& cluster = R"({"brokers": 1, "controllers": 3})", bool spaced = false) {
  std::string steps;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    steps += std::string(i == 0 ? R"({"at": "6s", "after": "topics_ready", )" : ", {") +
             (spaced && i > 0 ? R"("at": ")" + std::to_string(6 + i) + R"(s", )" : "") +
             R"("run": ")" + commands[i] + "\"}";
  }
  const std::string end = std::to_string(8 + (spaced ? commands.size() : 0)) + "s";
  const std::string text = R"({"name": "topics", "seed": 3,
    "cluster": )" + cluster +
                           R"(,
    "topics": [{"name": "cities", "partitions": 1, "replication_factor": 1},
               {"name": "cars", "partitions": 1, "replication_factor": 1}],
    "steps": [)" + steps + R"(], "end": ")" +
                           end + R"("})";
  std::vector<std::string> errors;
  std::optional<Scenario> s = ParseScenario(text, "s.json", &errors);
  for (const std::string& e : errors) CAPTURE(e);
  REQUIRE(errors.empty());
  Runner runner(std::move(*s), RunOptions{});
  CHECK(runner.RunToEnd(kTimeMax));
  std::vector<std::string> out;
  bool ran = false;
  for (const TraceEvent& e : *runner.View().trace) {
    if (e.node != "tool" || e.time < kTimeZero + Seconds(6)) continue;
    if (e.kind == "tool.run") {
      if (ran) out.emplace_back();  // the previous command printed nothing
      ran = true;
    } else if ((e.kind == "tool.output" || e.kind == "tool.error") && ran) {
      out.push_back(e.text);
      ran = false;
    }
  }
  if (ran) out.emplace_back();
  return out;
}

TEST_CASE("kafka-topics.sh --describe of a topic that does not exist says so, unless --if-exists") {
  CHECK(ToolOutput({"kafka-topics.sh --describe --topic towns --bootstrap-server localhost:9092",
                    "kafka-topics.sh --describe --topic towns --if-exists --bootstrap-server "
                    "localhost:9092"}) ==
        std::vector<std::string>{
            "Error while executing topic command : Topic 'towns' does not exist as expected", ""});
}

// TopicFilter.IncludeList: a whole-name regular expression, commas for alternatives.
TEST_CASE("kafka-topics.sh --topic of --list and --describe is a regular expression") {
  const std::vector<std::string> out =
      ToolOutput({"kafka-topics.sh --list --topic c.* --bootstrap-server localhost:9092",
                  "kafka-topics.sh --list --topic cities,towns --bootstrap-server localhost:9092",
                  "kafka-topics.sh --list --topic citie --bootstrap-server localhost:9092",
                  "kafka-topics.sh --list --topic ( --bootstrap-server localhost:9092",
                  "kafka-topics.sh --describe --topic ca.+ --bootstrap-server localhost:9092"});
  REQUIRE(out.size() == 5);
  CHECK(out[0] == "cars\ncities");
  CHECK(out[1] == "cities");
  CHECK(out[2] == "");
  CHECK(out[3] == "Error while executing topic command : ( is an invalid regex.");
  CHECK(out[4].starts_with("Topic: cars\tTopicId: "));
  CHECK(out[4].find("cities") == std::string::npos);
}

// ConfigCommand.describeResourceConfig prints "Dynamic configs for topic T are:" and one line an
// override, sorted by name, with its synonyms (ConfigHelper.createTopicConfigEntry: the topic's
// value, then the broker config's DEFAULT_CONFIG, except where Kafka's default is null, as for
// log.retention.ms); --alter prints "Completed updating config for topic T.".
TEST_CASE("kafka-configs.sh alters a topic's overrides and describes them, in both modes") {
  for (const std::string cluster :
       {R"({"brokers": 1, "controllers": 3})", R"({"mode": "zookeeper", "brokers": 1})"}) {
    CAPTURE(cluster);
    const std::string bs = " --bootstrap-server localhost:9092";
    const std::vector<std::string> out = ToolOutput(
        {"kafka-configs.sh --describe --entity-type topics --entity-name cities" + bs,
         "kafka-configs.sh --alter --topic cities --add-config "
         "retention.ms=1000,segment.bytes=100000,cleanup.policy=[compact,delete]" +
             bs,
         "kafka-configs.sh --describe --topic cities" + bs,
         "kafka-configs.sh --alter --topic cities --delete-config retention.ms,flush.ms" + bs,
         "kafka-configs.sh --alter --topic cities --delete-config retention.ms" + bs,
         "kafka-configs.sh --describe --topic cities" + bs,
         "kafka-configs.sh --describe --topic towns" + bs},
        cluster, /*spaced=*/true);
    REQUIRE(out.size() == 7);
    CHECK(out[0] == "Dynamic configs for topic cities are:");
    CHECK(out[1] == "Completed updating config for topic cities.");
    CHECK(out[2] ==
          "Dynamic configs for topic cities are:\n"
          "  cleanup.policy=compact,delete sensitive=false "
          "synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact,delete, "
          "DEFAULT_CONFIG:log.cleanup.policy=delete}\n"
          "  retention.ms=1000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=1000}\n"
          "  segment.bytes=100000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:segment.bytes="
          "100000, DEFAULT_CONFIG:log.segment.bytes=1073741824}");
    CHECK(out[3] == "Invalid config(s): flush.ms");
    CHECK(out[4] == "Completed updating config for topic cities.");
    CHECK(out[5].find("retention.ms") == std::string::npos);
    CHECK(out[5].find("segment.bytes=100000") != std::string::npos);
    CHECK(out[6] ==
          "Error while executing config command with args '--describe --topic towns "
          "--bootstrap-server localhost:9092'\n"
          "java.util.concurrent.ExecutionException: org.apache.kafka.common.errors."
          "UnknownTopicOrPartitionException: This server does not host this topic-partition.");
  }
}

// UnifiedLog.updateConfig: a changed override reaches the logs the broker already has.
TEST_CASE("kafka-configs.sh --alter reaches the running logs: a short retention deletes segments") {
  const std::string text = R"({"name": "retention", "seed": 4,
    "cluster": {"brokers": 1, "controllers": 1,
                "broker_config": {"log.retention.check.interval.ms": 1000,
                                  "log.initial.task.delay.ms": 1000}},
    "topics": [{"name": "cities", "partitions": 1, "replication_factor": 1,
                "config": {"segment.bytes": 2000}}],
    "clients": [{"id": "p", "type": "producer", "topic": "cities", "rate_per_s": 100,
                 "start": "3s", "stop": "6s"}],
    "steps": [{"at": "7s", "run": "kafka-configs.sh --bootstrap-server localhost:9092 --alter --topic cities --add-config retention.ms=1000"}],
    "end": "12s"})";
  std::vector<std::string> errors;
  std::optional<Scenario> s = ParseScenario(text, "s.json", &errors);
  for (const std::string& e : errors) CAPTURE(e);
  REQUIRE(errors.empty());
  Runner runner(std::move(*s), RunOptions{});
  CHECK(runner.RunToEnd(kTimeMax));
  bool applied = false;
  bool deleted_after = false;
  for (const TraceEvent& e : *runner.View().trace) {
    if (e.kind == "log.config" && e.text.find("retention.ms=1000") != std::string::npos) {
      applied = true;
    }
    if (applied && e.kind == "log.retention") deleted_after = true;
  }
  CHECK(applied);
  CHECK(deleted_after);
}

// MetadataQuorumCommand.handleDescribeStatus and handleDescribeReplication (Kafka 3.9+): the
// leader's own row says "now" for both timestamps; MaxFollowerLagTimeMs is how long ago the
// most lagging voter was last caught up.
TEST_CASE("kafka-metadata-quorum.sh describe prints MaxFollowerLagTimeMs and caught-up times") {
  const std::vector<std::string> out =
      ToolOutput({"kafka-metadata-quorum.sh --bootstrap-server localhost:9092 describe --status",
                  "kafka-metadata-quorum.sh --bootstrap-server localhost:9092 describe "
                  "--replication"});
  REQUIRE(out.size() == 2);
  std::vector<std::string> status;
  std::stringstream lines(out[0]);
  for (std::string l; std::getline(lines, l);) status.push_back(l);
  REQUIRE(status.size() == 8);
  CHECK(status[4].starts_with("MaxFollowerLag:         "));
  CHECK(status[5].starts_with("MaxFollowerLagTimeMs:   "));
  const long lag_ms = std::stol(status[5].substr(24));
  CHECK(lag_ms >= 0);
  CHECK(lag_ms < 1000);  // followers fetch all the time
  // KIP-853's form (MetadataQuorumCommand.Node.toString): id, the log dir's directory.id and,
  // for voters, the CONTROLLER endpoint.
  const std::regex voter(
      R"(\{"id": (\d+), "directoryId": "[A-Za-z0-9_-]{22}", "endpoints": \["CONTROLLER://controller-\d:9093"\]\})");
  CHECK(status[6].starts_with("CurrentVoters:          [{\"id\": 1001, \"directoryId\": \""));
  std::string voters = status[6].substr(24);
  int voter_count = 0;
  for (std::sregex_iterator it(voters.begin(), voters.end(), voter), end; it != end; ++it) {
    ++voter_count;
  }
  CHECK(voter_count == 3);
  CHECK(std::regex_match(
      status[7],
      std::regex(
          R"(CurrentObservers:       \[\{"id": 1, "directoryId": "[A-Za-z0-9_-]{22}"\}\])")));

  std::stringstream rows(out[1]);
  std::string header;
  std::getline(rows, header);
  CHECK(header == "NodeId\tLogEndOffset\tLag\tLastFetchTimestamp\tLastCaughtUpTimestamp\tStatus");
  int leaders = 0;
  for (std::string row; std::getline(rows, row);) {
    std::vector<std::string> cells;
    std::stringstream fields(row);
    for (std::string f; std::getline(fields, f, '\t');) cells.push_back(f);
    REQUIRE(cells.size() == 6);
    const long fetch = std::stol(cells[3]);
    const long caught_up = std::stol(cells[4]);
    CHECK(fetch > 5000);  // the tool runs at 6 s and later
    CHECK(caught_up > 5000);
    CHECK(caught_up <= fetch);
    if (cells[5] == "Leader") {
      ++leaders;
      CHECK(fetch == caught_up);
    }
  }
  CHECK(leaders == 1);
}

}  // namespace
}  // namespace kafkasim::scenario
