// kafka-topics.sh and kafka-metadata-quorum.sh as run steps: the whole lines they print, as
// Kafka's TopicCommand and MetadataQuorumCommand (tools/src/main/java/org/apache/kafka/tools/)
// print them.
#include <doctest/doctest.h>

#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "scenario/runner.h"

namespace kafkasim::scenario {
namespace {

// Runs `commands` one after another once the topics cities and cars exist; what the tool printed
// for each (an empty string for a command that printed nothing).
std::vector<std::string> ToolOutput(const std::vector<std::string>& commands) {
  std::string steps;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    steps += std::string(i == 0 ? R"({"at": "6s", "after": "topics_ready", )" : ", {") +
             R"("run": ")" + commands[i] + "\"}";
  }
  const std::string text = R"({"name": "topics", "seed": 3,
    "cluster": {"brokers": 1, "controllers": 3},
    "topics": [{"name": "cities", "partitions": 1, "replication_factor": 1},
               {"name": "cars", "partitions": 1, "replication_factor": 1}],
    "steps": [)" + steps + R"(], "end": "8s"})";
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
