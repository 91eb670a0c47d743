// kafka-topics.sh as run steps: the whole lines it prints, as Kafka's TopicCommand
// (tools/src/main/java/org/apache/kafka/tools/TopicCommand.java) prints them.
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "scenario/runner.h"

namespace kafkasim::scenario {
namespace {

// Runs `commands` one after another once the topics cities and cars exist; what the tool printed
// for each (an empty string for a command that printed nothing).
std::vector<std::string> TopicsOutput(const std::vector<std::string>& commands) {
  std::string steps;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    steps += std::string(i == 0 ? R"({"at": "6s", "after": "topics_ready", )" : ", {") +
             R"("run": ")" + commands[i] + " --bootstrap-server localhost:9092\"}";
  }
  const std::string text = R"({"name": "topics", "seed": 3,
    "cluster": {"brokers": 1, "controllers": 1},
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
  CHECK(TopicsOutput({"kafka-topics.sh --describe --topic towns",
                      "kafka-topics.sh --describe --topic towns --if-exists"}) ==
        std::vector<std::string>{
            "Error while executing topic command : Topic 'towns' does not exist as expected", ""});
}

// TopicFilter.IncludeList: a whole-name regular expression, commas for alternatives.
TEST_CASE("kafka-topics.sh --topic of --list and --describe is a regular expression") {
  const std::vector<std::string> out = TopicsOutput(
      {"kafka-topics.sh --list --topic c.*", "kafka-topics.sh --list --topic cities,towns",
       "kafka-topics.sh --list --topic citie", "kafka-topics.sh --list --topic (",
       "kafka-topics.sh --describe --topic ca.+"});
  REQUIRE(out.size() == 5);
  CHECK(out[0] == "cars\ncities");
  CHECK(out[1] == "cities");
  CHECK(out[2] == "");
  CHECK(out[3] == "Error while executing topic command : ( is an invalid regex.");
  CHECK(out[4].starts_with("Topic: cars\tTopicId: "));
  CHECK(out[4].find("cities") == std::string::npos);
}

}  // namespace
}  // namespace kafkasim::scenario
