// Setting a cluster up as the quickstart does: kafka-storage.sh random-uuid into a shell
// variable, kafka-storage.sh format, kafka-server-start.sh; with StorageTool's and the
// Formatter's messages (core/src/main/scala/kafka/tools/StorageTool.scala,
// metadata/src/main/java/org/apache/kafka/metadata/storage/Formatter.java).
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "scenario/runner.h"
#include "scenario/tool_command.h"

namespace kafkasim::scenario {
namespace {

// Runs the steps' commands one by one (one per 100 ms from 1 s) on a manually formatted
// cluster; what each printed ("" for nothing), and whether the run's checks held.
struct Outcome {
  std::vector<std::string> outputs;
  bool ok = false;
  std::vector<std::string> step_failures;
};

Outcome Run(const std::string& cluster, const std::vector<std::string>& commands,
            const std::string& end = "12s", const std::string& extra_steps = "") {
  std::string steps;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    std::string escaped;
    for (char c : commands[i]) {
      if (c == '"' || c == '\\') escaped.push_back('\\');
      escaped.push_back(c);
    }
    steps += (i == 0 ? "" : ", ") + std::string(R"({"at": ")") + std::to_string(1000 + 100 * i) +
             R"(ms", "run": ")" + escaped + "\"}";
  }
  const std::string text = R"({"name": "setup", "seed": 7, "cluster": )" + cluster +
                           R"(, "steps": [)" + steps + extra_steps + R"(], "end": ")" + end + "\"}";
  std::vector<std::string> errors;
  std::optional<Scenario> s = ParseScenario(text, "s.json", &errors);
  for (const std::string& e : errors) CAPTURE(e);
  REQUIRE(errors.empty());
  Runner runner(std::move(*s), RunOptions{});
  Outcome out;
  out.ok = runner.RunToEnd(kTimeMax);
  out.step_failures = runner.step_failures();
  bool ran = false;
  for (const TraceEvent& e : *runner.View().trace) {
    if (e.node != "tool") continue;
    if (e.kind == "tool.run") {
      if (ran) out.outputs.emplace_back();
      ran = true;
    } else if ((e.kind == "tool.output" || e.kind == "tool.error") && ran) {
      out.outputs.push_back(e.text);
      ran = false;
    }
  }
  if (ran) out.outputs.emplace_back();
  return out;
}

const std::string kStandalone = R"({"brokers": 1, "combined": true, "format": "manual"})";

TEST_CASE("the quickstart's three setup lines format and start a standalone node") {
  const Outcome out = Run(
      kStandalone,
      {"KAFKA_CLUSTER_ID=\"$(bin/kafka-storage.sh random-uuid)\"", "echo $KAFKA_CLUSTER_ID",
       "bin/kafka-storage.sh format --standalone -t $KAFKA_CLUSTER_ID -c "
       "config/server.properties",
       "bin/kafka-server-start.sh config/server.properties",
       "cat /tmp/kraft-combined-logs/meta.properties"},
      "12s", R"(, {"at": "10s", "expect": {"node_state": {"node": "broker-1", "is": "running"}}})");
  REQUIRE(out.outputs.size() == 5);
  CHECK(out.outputs[0].empty());
  const std::string id = out.outputs[1];
  CHECK(id.size() == 22);
  CHECK(id.front() != '-');
  CHECK(out.outputs[2] ==
        "Formatting dynamic metadata voter directory /tmp/kraft-combined-logs with "
        "metadata.version 4.3-IV0.");
  CHECK(out.outputs[3].empty());
  CHECK(out.outputs[4].find("\ncluster.id=" + id) != std::string::npos);
  CHECK(out.outputs[4].find("\nnode.id=1\n") != std::string::npos);
  CHECK(out.ok);
}

TEST_CASE(
    "a node started before it is formatted fails as Kafka does, and formatting twice is refused") {
  const Outcome out =
      Run(kStandalone,
          {"bin/kafka-server-start.sh config/server.properties",
           "bin/kafka-storage.sh format --standalone -t abc -c config/server.properties",
           "bin/kafka-storage.sh format --standalone -t abc -c config/server.properties",
           "bin/kafka-storage.sh format -g --standalone -t abc -c config/server.properties",
           "bin/kafka-server-start.sh config/server.properties",
           "bin/kafka-server-start.sh config/server.properties"});
  REQUIRE(out.outputs.size() == 6);
  CHECK(out.outputs[0].empty());
  CHECK(out.outputs[2] ==
        "Log directory /tmp/kraft-combined-logs is already formatted. Use --ignore-formatted to "
        "ignore this directory and format the others.");
  CHECK(out.outputs[3] == "All of the log directories are already formatted.");
  CHECK(out.outputs[4].empty());
  CHECK(out.outputs[5] ==
        "broker-1 is already running: its ports are in use (Socket server failed to bind: "
        "Address already in use)");
}

TEST_CASE("a controller needs a quorum option, and the voters are the scenario's") {
  const std::string three = R"({"brokers": 1, "controllers": 3, "format": "manual"})";
  const Outcome out =
      Run(three,
          {"on controller-1: kafka-storage.sh format -t abc -c config/server.properties",
           "on controller-1: kafka-storage.sh format --standalone -t abc -c "
           "config/server.properties",
           "on controller-1: kafka-storage.sh format --initial-controllers "
           "1001@controller-1:9093:AAAAAAAAAAAAAAAAAAAAAA -t abc -c config/server.properties",
           "on controller-2: kafka-storage.sh format --initial-controllers "
           "1001@controller-1:9093:AAAAAAAAAAAAAAAAAAAAAQ,1002@controller-2:9093:"
           "AAAAAAAAAAAAAAAAAAAAAg,1003@controller-3:9093:AAAAAAAAAAAAAAAAAAAAAw -t abc "
           "-c config/server.properties",
           "kafka-storage.sh format --no-initial-controllers -t abc -c config/server.properties"});
  REQUIRE(out.outputs.size() == 5);
  CHECK(out.outputs[0] ==
        "Because controller.quorum.voters is not set on this controller, you must specify one of "
        "the following: --standalone, --initial-controllers, or --no-initial-controllers.");
  CHECK(out.outputs[1].find("--standalone makes node 1001 the only voter") != std::string::npos);
  CHECK(out.outputs[2].find("names the voters 1001, but this scenario's quorum is fixed with the "
                            "voters 1001, 1002, 1003") != std::string::npos);
  CHECK(out.outputs[3] ==
        "Formatting dynamic metadata voter directory /tmp/kraft-controller-logs with "
        "metadata.version 4.3-IV0.");
  CHECK(out.outputs[4] ==
        "Formatting metadata directory /tmp/kraft-broker-logs with metadata.version 4.3-IV0.");
}

TEST_CASE("--initial-controllers is parsed as DynamicVoter.parse does, with its messages") {
  const std::string three = R"({"brokers": 1, "controllers": 3, "format": "manual"})";
  auto format = [](const std::string& voters) {
    return "on controller-1: kafka-storage.sh format --initial-controllers " + voters +
           " -t abc -c config/server.properties";
  };
  const Outcome out = Run(three, {format("1001@controller-1:666666:__0IZ-0DRNazJ49kCZ1EMQ"),
                                  format("1001@controller-1:-8020:__0IZ-0DRNazJ49kCZ1EMQ"),
                                  format("1001@controller-1:80x0:__0IZ-0DRNazJ49kCZ1EMQ"),
                                  format("1001@controller-1:8020:%_0IZ-0DRNazJ49kCZ1EMQ"),
                                  format("1001@controller-1:8020:")});
  REQUIRE(out.outputs.size() == 5);
  // Texts from Kafka's DynamicVoterTest.
  CHECK(out.outputs[0] == "Invalid port 666666 in dynamic voter string.");
  CHECK(out.outputs[1] == "Invalid port -8020 in dynamic voter string.");
  CHECK(out.outputs[2] == "Failed to parse port in dynamic voter string.");
  CHECK(out.outputs[3] == "Failed to parse directory ID in dynamic voter string.");
  CHECK(out.outputs[4] == "Failed to parse directory ID in dynamic voter string.");
}

TEST_CASE("kafka-storage.sh refuses bad arguments in argparse4j's words") {
  auto error = [](const std::string& line) {
    Result<ToolCommand> parsed = ParseToolCommand(line);
    REQUIRE_FALSE(parsed.ok());
    return std::string(parsed.status().message());
  };
  CHECK(error("kafka-storage.sh") == "kafka-storage: error: too few arguments");
  CHECK(error("kafka-storage.sh frmat") ==
        "kafka-storage: error: invalid choice: 'frmat' (choose from 'info', 'format', "
        "'version-mapping', 'feature-dependencies', 'random-uuid')");
  CHECK(error("kafka-storage.sh format -t x") ==
        "kafka-storage format: error: argument --config/-c is required");
  CHECK(error("kafka-storage.sh format -c config/server.properties") ==
        "kafka-storage format: error: argument --cluster-id/-t is required");
  CHECK(error("kafka-storage.sh format -t -c config/server.properties") ==
        "kafka-storage format: error: argument --cluster-id/-t: expected one argument");
  CHECK(error("kafka-storage.sh format -s -N -t x -c f") ==
        "kafka-storage format: error: argument --no-initial-controllers/-N: not allowed with "
        "argument --standalone/-s");
  CHECK(error("kafka-storage.sh random-uuid --x") ==
        "kafka-storage: error: unrecognized arguments: '--x'");
  CHECK(error("kafka-server-start.sh") ==
        "USAGE: kafka-server-start.sh [-daemon] server.properties [--override property=value]*");
}

TEST_CASE("shell variables expand outside single quotes, an unset one to nothing") {
  const std::map<std::string, std::string> vars = {{"ID", "q1w2"}, {"T", "cities"}};
  CHECK(ExpandVariables("format -t $ID -c f", vars) == "format -t q1w2 -c f");
  CHECK(ExpandVariables("echo ${T}-0 \"$T\" '$T' \\$T $NOPE end", vars) ==
        "echo cities-0 \"cities\" '$T' \\$T  end");
  CHECK(ExpandVariables("X=\"$(kafka-storage.sh random-uuid)\"", vars) ==
        "X=\"$(kafka-storage.sh random-uuid)\"");
  const Result<ToolCommand> assign = ParseToolCommand("export X=$(kafka-storage.sh random-uuid)");
  REQUIRE(assign.ok());
  const auto& a = std::get<AssignCommand>(*assign);
  CHECK(a.name == "X");
  CHECK(a.substitution);
  CHECK(a.value == "kafka-storage.sh random-uuid");
}

TEST_CASE("a run step's prints must appear in what the command answers") {
  const Outcome out = Run(R"({"brokers": 1, "combined": true})", {}, "3s",
                          R"({"at": "2s", "run": "pwd", "prints": ["/opt/kafka"]},
                             {"run": "echo a b", "prints": ["a c"]})");
  REQUIRE(out.step_failures.size() == 1);
  CHECK(out.step_failures[0].find("expected the line 'a c' in what it printed") !=
        std::string::npos);
  CHECK_FALSE(out.ok);
}

}  // namespace
}  // namespace kafkasim::scenario
