// The disk shell over a simulated disk: whole output lines as GNU coreutils, util-linux's
// hexdump and Kafka's kafka-dump-log.sh print them.
#include "scenario/disk_shell.h"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "engine/sim_file_system.h"
#include "scenario/runner.h"
#include "scenario/tool_command.h"

namespace kafkasim::scenario {
namespace {

std::vector<std::uint8_t> Bytes(std::string_view text) { return {text.begin(), text.end()}; }

struct Fixture {
  Fixture() {
    disk.SetClock([this] { return now; });
    now = kTimeZero + Seconds(65);
    REQUIRE(disk.CreateDirs("cities-0").ok());
    REQUIRE(disk.CreateFile("cities-0/00000000000000000000.log").ok());
    REQUIRE(disk.Append("cities-0/00000000000000000000.log", Bytes("hello world\n")).ok());
    now = kTimeZero + Seconds(3600 + 120);
    REQUIRE(disk.CreateFile("meta.properties").ok());
    REQUIRE(disk.Append("meta.properties", Bytes(std::string(5000, 'x'))).ok());
    tree.mount = "/tmp/kraft-combined-logs";
    tree.disk = &disk;
    tree.files.push_back({"/opt/kafka/config/server.properties", "node.id=1\n"});
    tree.now = now;
  }
  CommandOutput Run(const std::string& line) {
    Result<std::vector<std::string>> words = SplitCommandLine(line);
    REQUIRE(words.ok());
    return RunShellCommand(tree, *words, cwd);
  }
  std::string Text(const std::string& line) {
    const CommandOutput out = Run(line);
    CHECK_MESSAGE(out.ok, out.text);
    return out.text;
  }
  Time now;
  SimFileSystem disk;
  ShellTree tree;
  std::string cwd = "/opt/kafka";
};

TEST_CASE("cd and pwd walk the generated tree and the mounted disk") {
  Fixture f;
  CHECK(f.Text("pwd") == "/opt/kafka");
  CHECK(f.Text("ls") == "config");
  CHECK(f.Text("cd /tmp/kraft-combined-logs/../kraft-combined-logs/./cities-0").empty());
  CHECK(f.Text("pwd") == "/tmp/kraft-combined-logs/cities-0");
  CHECK(f.Text("cd ..").empty());
  CHECK(f.Text("ls") == "cities-0  meta.properties");
  CHECK(f.Text("ls /") == "opt  tmp");
  CHECK(f.Text("cd").empty());
  CHECK(f.Text("pwd") == "/opt/kafka");
  const CommandOutput missing = f.Run("cd towns");
  CHECK_FALSE(missing.ok);
  CHECK(missing.text == "bash: cd: towns: No such file or directory");
  CHECK(f.Run("cd config/server.properties").text ==
        "bash: cd: config/server.properties: Not a directory");
  CHECK(f.Text("pwd") == "/opt/kafka");  // a failed cd stays where it was
}

TEST_CASE("ls -l shows sizes, modification times in virtual time and the total in 1K blocks") {
  Fixture f;
  CHECK(f.Text("ls -l /tmp/kraft-combined-logs") ==
        "total 12\n"
        "drwxr-xr-x 2 kafka kafka 4096 Jan  1 00:01 cities-0\n"
        "-rw-r--r-- 1 kafka kafka 5000 Jan  1 01:02 meta.properties");
  CHECK(f.Text("ls -lh /tmp/kraft-combined-logs/meta.properties") ==
        "-rw-r--r-- 1 kafka kafka 4.9K Jan  1 01:02 /tmp/kraft-combined-logs/meta.properties");
  CHECK(f.Run("ls nothing").text == "ls: cannot access 'nothing': No such file or directory");
  CHECK(f.Run("ls -z").text == "ls: invalid option -- 'z'\nTry 'ls --help' for more information.");
  CHECK(f.Text("ls -a /tmp/kraft-combined-logs") == ".  ..  cities-0  meta.properties");
}

TEST_CASE("ls with several operands lists files first, then each directory under its name") {
  Fixture f;
  CHECK(f.Text("cd /tmp/kraft-combined-logs").empty());
  CHECK(f.Text("ls cities-0 meta.properties") ==
        "meta.properties\n\ncities-0:\n00000000000000000000.log");
}

TEST_CASE("ls hides dotfiles such as the log dir's .lock unless -a is given") {
  Fixture f;
  REQUIRE(f.disk.CreateFile(".lock").ok());
  CHECK(f.Text("cd /tmp/kraft-combined-logs").empty());
  CHECK(f.Text("ls") == "cities-0  meta.properties");
  CHECK(f.Text("ls -a") == ".  ..  .lock  cities-0  meta.properties");
}

TEST_CASE("ls lays names out in columns for an 80-column terminal, top to bottom") {
  SimFileSystem disk;
  for (int p = 0; p < 12; ++p) {
    REQUIRE(disk.CreateDirs("__consumer_offsets-" + std::to_string(p)).ok());
  }
  ShellTree tree;
  tree.mount = "/logs";
  tree.disk = &disk;
  std::string cwd = "/logs";
  const CommandOutput out = RunShellCommand(tree, {"ls"}, cwd);
  // 12 names of 20-21 characters: three columns of 23, 23 and 21 fit in 80.
  CHECK(out.text ==
        "__consumer_offsets-0   __consumer_offsets-2  __consumer_offsets-6\n"
        "__consumer_offsets-1   __consumer_offsets-3  __consumer_offsets-7\n"
        "__consumer_offsets-10  __consumer_offsets-4  __consumer_offsets-8\n"
        "__consumer_offsets-11  __consumer_offsets-5  __consumer_offsets-9");
}

TEST_CASE("hexdump -C prints util-linux's canonical form, with * for repeated lines") {
  Fixture f;
  CHECK(f.Text("hexdump -C /tmp/kraft-combined-logs/cities-0/00000000000000000000.log") ==
        "00000000  68 65 6c 6c 6f 20 77 6f  72 6c 64 0a              |hello world.|\n"
        "0000000c");
  CHECK(f.Text("hexdump /tmp/kraft-combined-logs/cities-0/00000000000000000000.log") ==
        "0000000 6568 6c6c 206f 6f77 6c72 0a64\n"
        "000000c");
  CHECK(f.Text("hexdump -C -n 40 /tmp/kraft-combined-logs/meta.properties") ==
        "00000000  78 78 78 78 78 78 78 78  78 78 78 78 78 78 78 78  |xxxxxxxxxxxxxxxx|\n"
        "*\n"
        "00000020  78 78 78 78 78 78 78 78                           |xxxxxxxx|\n"
        "00000028");
  CHECK(f.Text("hexdump -C -s 4998 /tmp/kraft-combined-logs/meta.properties") ==
        "00001386  78 78                                             |xx|\n"
        "00001388");
  CHECK(f.Run("hexdump -C nope").text == "hexdump: nope: No such file or directory");
}

TEST_CASE("cat shows text as it is and every other byte as the replacement character") {
  SimFileSystem disk;
  REQUIRE(disk.CreateFile("f").ok());
  REQUIRE(disk.Append("f", std::vector<std::uint8_t>{'a', 0x00, 'b', '\n', 0xc3, 0xa9, 0xff}).ok());
  ShellTree tree;
  tree.mount = "/d";
  tree.disk = &disk;
  std::string cwd = "/d";
  CHECK(RunShellCommand(tree, {"cat", "f"}, cwd).text ==
        "a\xEF\xBF\xBD"
        "b\n\xC3\xA9\xEF\xBF\xBD");
  CHECK(RunShellCommand(tree, {"cat", "/d"}, cwd).text == "cat: /d: Is a directory");
}

TEST_CASE("cat of a file larger than the console's limit stops there and says so") {
  SimFileSystem disk;
  REQUIRE(disk.CreateFile("big").ok());
  REQUIRE(disk.Append("big", std::vector<std::uint8_t>(kMaxShellOutputBytes * 2, 'a')).ok());
  ShellTree tree;
  tree.mount = "/d";
  tree.disk = &disk;
  std::string cwd = "/d";
  const std::string text = RunShellCommand(tree, {"cat", "big"}, cwd).text;
  CHECK(text.size() < kMaxShellOutputBytes + 300);
  CHECK(text.find("[cat: output cut at 64 KiB") != std::string::npos);
}

TEST_CASE("du -sh, wc -c and stat count what the disk holds") {
  Fixture f;
  CHECK(f.Text("du -sh /tmp/kraft-combined-logs") == "20K\t/tmp/kraft-combined-logs");
  CHECK(f.Text("cd /tmp/kraft-combined-logs").empty());
  CHECK(f.Text("du") == "8\t./cities-0\n20\t.");
  CHECK(f.Text("wc -c meta.properties") == "5000 meta.properties");
  CHECK(f.Text("wc -c meta.properties cities-0/00000000000000000000.log") ==
        "5000 meta.properties\n"
        "  12 cities-0/00000000000000000000.log\n"
        "5012 total");
  CHECK(f.Text("stat meta.properties") ==
        "  File: meta.properties\n"
        "  Size: 5000      \tBlocks: 16         IO Block: 4096   regular file\n"
        "Access: (0644/-rw-r--r--)  Uid: ( 1000/   kafka)   Gid: ( 1000/   kafka)\n"
        "Access: 1970-01-01 01:02:00.000000000 +0000\n"
        "Modify: 1970-01-01 01:02:00.000000000 +0000\n"
        "Change: 1970-01-01 01:02:00.000000000 +0000\n"
        " Birth: -");
  CHECK(f.Run("stat x").text == "stat: cannot statx 'x': No such file or directory");
}

TEST_CASE("kafka-dump-log.sh needs --files and refuses options Kafka does not know") {
  Fixture f;
  CHECK(f.Run("kafka-dump-log.sh").text == "Missing required argument \"[files]\"");
  CHECK(f.Run("bin/kafka-dump-log.sh --files a.log --colour").text ==
        "Exception in thread \"main\" joptsimple.UnrecognizedOptionException: colour is not a "
        "recognized option");
  CHECK(f.Run("kafka-dump-log.sh --files missing.log").text ==
        "Exception in thread \"main\" java.nio.file.NoSuchFileException: missing.log");
}

TEST_CASE("human sizes round up as coreutils does, and old dates show the year") {
  CHECK(HumanSize(0) == "0");
  CHECK(HumanSize(1023) == "1023");
  CHECK(HumanSize(1024) == "1.0K");
  CHECK(HumanSize(4097) == "4.1K");
  CHECK(HumanSize(10 * 1024) == "10K");
  CHECK(HumanSize(10 * 1024 + 1) == "11K");
  CHECK(HumanSize(1073741824) == "1.0G");
  CHECK(LsDate(kTimeZero + Seconds(61), kTimeZero + Seconds(3600)) == "Jan  1 00:01");
  CHECK(LsDate(kTimeZero, kTimeZero + Seconds(200LL * 86400)) == "Jan  1  1970");
}

TEST_CASE("shell words parse with an optional node prefix") {
  auto shell = [](const std::string& line) {
    Result<ToolCommand> parsed = ParseToolCommand(line);
    REQUIRE_MESSAGE(parsed.ok(), parsed.status().message());
    REQUIRE(std::holds_alternative<ShellCommand>(*parsed));
    return std::get<ShellCommand>(*parsed);
  };
  CHECK(shell("ls -l").node.empty());
  CHECK(shell("on broker-2: ls -l").node == "broker-2");
  CHECK(shell("on broker-2 : cat x").argv == std::vector<std::string>{"cat", "x"});
  CHECK(shell("ssh broker-3").argv.empty());
  CHECK(shell("ssh kafka@broker-3 pwd").node == "broker-3");
  CHECK(shell("exit").exit);
  CHECK(NodesNamed(ParseToolCommand("on broker-2: ls").value()) ==
        std::vector<std::string>{"broker-2"});
  CHECK(ParseToolCommand("on broker-2 ls").status().message() ==
        "on: expected a ':' after the node name, e.g. on broker-2: ls");
  // An empty node name (quoted "") is an error, not a read before the string (found by fuzzing).
  CHECK(ParseToolCommand("on\t\"\"").status().message() ==
        "on: expected 'on NODE: COMMAND', e.g. on broker-1: ls");
  CHECK(ParseToolCommand("on \"\" : ls").status().message() ==
        "on: expected 'on NODE: COMMAND', e.g. on broker-1: ls");
  CHECK(ParseToolCommand("ssh kafka@").status().message() ==
        "usage: ssh NODE [COMMAND], e.g. ssh broker-2");
  // A kafka tool after a node prefix runs as it would anywhere.
  CHECK(std::holds_alternative<TopicsCommand>(
      ParseToolCommand("on broker-1: kafka-topics.sh --list --bootstrap-server localhost:9092")
          .value()));
}

// The quickstart's look at the log dir, on a running single-node cluster.
TEST_CASE("the quickstart's log dir, server.properties and segment are there to look at") {
  const std::string text = R"({"name": "shell", "seed": 5,
    "cluster": {"brokers": 1, "combined": true, "broker_config": {"offsets.topic.replication.factor": 1}},
    "topics": [{"name": "cities", "partitions": 1, "replication_factor": 1}],
    "steps": [
      {"at": "3s", "run": "kafka-console-producer.sh --topic cities --bootstrap-server localhost:9092", "lines": ["Delhi", "Dubai"]},
      {"at": "5s", "run": "cat config/server.properties"},
      {"run": "cd /tmp/kraft-combined-logs"},
      {"run": "ls"},
      {"run": "ls cities-0"},
      {"run": "kafka-dump-log.sh --files cities-0/00000000000000000000.log --print-data-log"}
    ], "end": "6s"})";
  std::vector<std::string> errors;
  std::optional<Scenario> s = ParseScenario(text, "s.json", &errors);
  for (const std::string& e : errors) CAPTURE(e);
  REQUIRE(errors.empty());
  Runner runner(std::move(*s), RunOptions{});
  runner.RunToEnd(kTimeMax);
  std::vector<std::string> outputs;
  for (const TraceEvent& e : *runner.View().trace) {
    if (e.time < kTimeZero + Seconds(5)) continue;  // "Created topic cities." at start
    if (e.kind == "tool.output" || e.kind == "tool.error") outputs.push_back(e.text);
  }
  REQUIRE(outputs.size() == 4);
  CHECK(outputs[0].find("\nprocess.roles=broker,controller\nnode.id=1\n"
                        "controller.quorum.bootstrap.servers=localhost:9093\n") !=
        std::string::npos);
  CHECK(outputs[0].find("\nlisteners=PLAINTEXT://:9092,CONTROLLER://:9093\n") != std::string::npos);
  CHECK(outputs[0].find("\nlog.dirs=/tmp/kraft-combined-logs\n") != std::string::npos);
  CHECK(outputs[0].find("\noffsets.topic.replication.factor=1\n") != std::string::npos);
  CHECK(outputs[1].find("__cluster_metadata-0") != std::string::npos);
  CHECK(outputs[1].find("cities-0") != std::string::npos);
  CHECK(outputs[1].find("meta.properties") != std::string::npos);
  CHECK(outputs[2].find("00000000000000000000.log") != std::string::npos);
  CHECK(outputs[2].find("leader-epoch-checkpoint") != std::string::npos);
  CHECK(outputs[3].rfind("Dumping cities-0/00000000000000000000.log\n", 0) == 0);
  CHECK(outputs[3].find("| offset: 1 CreateTime: ") != std::string::npos);
  CHECK(outputs[3].find("payload: Dubai") != std::string::npos);
}

}  // namespace
}  // namespace kafkasim::scenario
