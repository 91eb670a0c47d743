// Disk faults as steps and console commands (disk_full, disk_ok, slow_disk, corrupt), and what
// the cluster makes of them: a full log dir halts its broker and leadership moves; a slow disk
// delays what a node sends after an fsync; a corrupt byte is found by recovery on restart.
#include <doctest/doctest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "scenario/runner.h"

namespace kafkasim::scenario {
namespace {

std::vector<std::string> Lines(const view::WorldView& v, std::string_view kind) {
  std::vector<std::string> out;
  for (const TraceEvent& e : *v.trace) {
    if (e.kind == kind) out.push_back(e.node + " " + e.text);
  }
  return out;
}

std::unique_ptr<Runner> RunnerFor(const std::string& json) {
  std::vector<std::string> errors;
  std::optional<Scenario> s = ParseScenario(json, "disk.json", &errors);
  REQUIRE_MESSAGE(s.has_value(), (errors.empty() ? "" : errors.front()));
  RunOptions options;
  options.seed = s->seed;
  return std::make_unique<Runner>(std::move(*s), std::move(options));
}

void RunTo(Runner& runner, Time t) {
  for (int i = 0; i < 100 && runner.View().now < t; ++i) runner.AdvanceTo(t, UINT64_MAX);
}

TEST_CASE("disk faults: steps and console commands parse to the same commands") {
  std::vector<std::string> errors;
  std::optional<Scenario> s = ParseScenario(
      R"({"name": "d", "cluster": {"mode": "kraft", "brokers": 3, "controllers": 1},
          "steps": [{"at": "1s", "disk_full": "broker-1"},
                    {"disk_ok": "broker-1"},
                    {"slow_disk": {"node": "broker-2", "ms": 250}},
                    {"corrupt": {"node": "broker-3", "path": "cities-0/00000000000000000000.log",
                                 "offset": 70}},
                    {"run": "disk_full broker-2"},
                    {"run": "slow-disk controller-1 1.5s"},
                    {"run": "corrupt broker-1 meta.properties"}]})",
      "d.json", &errors);
  REQUIRE(s.has_value());
  CHECK(std::get<DiskFullCommand>(s->steps[0].action).node == "broker-1");
  CHECK(std::get<DiskOkCommand>(s->steps[1].action).node == "broker-1");
  CHECK(std::get<SlowDiskCommand>(s->steps[2].action).sync_latency == Milliseconds(250));
  const auto& corrupt = std::get<CorruptCommand>(s->steps[3].action);
  CHECK(corrupt.path == "cities-0/00000000000000000000.log");
  CHECK(corrupt.offset == std::optional<std::uint64_t>(70));
  CHECK(std::get<DiskFullCommand>(std::get<RunAction>(s->steps[4].action).command).node ==
        "broker-2");
  CHECK(std::get<SlowDiskCommand>(std::get<RunAction>(s->steps[5].action).command).sync_latency ==
        Milliseconds(1500));
  CHECK_FALSE(std::get<CorruptCommand>(std::get<RunAction>(s->steps[6].action).command).offset);
}

TEST_CASE("disk faults: bad forms are refused with the expected shape") {
  auto error_of = [](std::string_view line) { return ParseToolCommand(line).status().message(); };
  CHECK(error_of("disk-full") == "disk-full: expected one node name, as in 'disk-full broker-1'");
  CHECK(error_of("slow-disk broker-1") ==
        "slow-disk: expected a node name and an fsync time, as in 'slow-disk broker-2 200' "
        "(milliseconds) or 'slow-disk broker-2 1.5s'");
  CHECK(error_of("corrupt broker-1") ==
        "corrupt: expected a node name, a file path and an optional byte offset, as in "
        "'corrupt broker-1 cities-0/00000000000000000000.log 120'");
  CHECK(error_of("corrupt broker-1 a.log -3") ==
        "corrupt: the byte offset must be a whole number >= 0, got '-3'");
  std::vector<std::string> errors;
  CHECK_FALSE(ParseScenario(
      R"({"name": "d", "cluster": {"mode": "kraft", "brokers": 1, "controllers": 1},
          "steps": [{"at": "1s", "corrupt": {"node": "broker-9", "path": "x"}}]})",
      "d.json", &errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].find("$.steps[0].corrupt.node") != std::string::npos);
}

constexpr const char* kFullDisk = R"({"name": "full", "seed": 5,
    "cluster": {"mode": "kraft", "brokers": 3, "controllers": 1},
    "topics": [{"name": "cities", "partitions": 1, "replication_factor": 3}],
    "clients": [{"id": "producer-1", "type": "producer", "topic": "cities", "rate_per_s": 20}],
    "steps": [{"at": "8s", "run": "kafka-topics.sh --describe --topic cities --bootstrap-server localhost:9092"}],
    "end": "30s"})";

TEST_CASE("disk faults: a full disk halts the leader and another broker leads cities-0") {
  auto owned = RunnerFor(kFullDisk);
  Runner& runner = *owned;
  RunTo(runner, kTimeZero + Seconds(8));
  const view::TopicView& topic = runner.View().topics.at(0);
  const int leader = topic.partitions.at(0).leader;
  REQUIRE(leader > 0);
  const std::string name = "broker-" + std::to_string(leader);
  runner.Submit("disk-full " + name);
  RunTo(runner, kTimeZero + Seconds(9));
  const auto full = Lines(runner.View(), "disk.full");
  REQUIRE(full.size() == 1);
  CHECK(full[0].find(name + "'s disk is full") != std::string::npos);
  const auto failed = Lines(runner.View(), "log_dir.failed");
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].starts_with(name + " log dir failed while"));
  RunTo(runner, kTimeZero + Seconds(25));
  const view::WorldView& v = runner.View();
  CHECK(v.topics.at(0).partitions.at(0).leader != leader);
  CHECK(v.topics.at(0).partitions.at(0).leader > 0);
  for (const view::NodeView& n : v.nodes) {
    if (n.name == name) CHECK(n.state == NodeState::kKilled);
  }
}

TEST_CASE("disk faults: a slow disk delays what a controller sends after its fsyncs") {
  // The same run twice, once with every fsync on the controller taking 100 ms: the metadata
  // log commits (fsync before a Raft follower or leader may count an entry) slow the broker
  // registrations down, so the topic is created later.
  auto created_at = [](const std::string& extra_step) {
    std::string json = R"({"name": "slow", "seed": 2,
      "cluster": {"mode": "kraft", "brokers": 3, "controllers": 3},
      "topics": [{"name": "cities", "partitions": 1, "replication_factor": 3}],
      "steps": [)" + extra_step +
                       R"(], "end": "20s"})";
    auto owned = RunnerFor(json);
    Runner& runner = *owned;
    RunTo(runner, kTimeZero + Seconds(20));
    for (const TraceEvent& e : *runner.View().trace) {
      if (e.kind == "partition.leader") return e.time;
    }
    return kTimeMax;
  };
  const Time fast = created_at(R"({"at": "0s", "say": "healthy disks"})");
  const Time slow = created_at(
      R"({"at": "0s", "slow_disk": {"node": "controller-1", "ms": 100}},
         {"at": "0s", "slow_disk": {"node": "controller-2", "ms": 100}},
         {"at": "0s", "slow_disk": {"node": "controller-3", "ms": 100}})");
  REQUIRE(fast < kTimeMax);
  REQUIRE(slow < kTimeMax);
  CHECK(slow - fast >= Milliseconds(100));
}

TEST_CASE("disk faults: a corrupt byte in a follower's segment is cut off by recovery") {
  // Small segments: a rolled segment is flushed, so its bytes survive the power loss.
  std::string json = kFullDisk;
  json.replace(json.find(R"("replication_factor": 3})"), 24,
               R"("replication_factor": 3, "config": {"segment.bytes": 1024}})");
  auto owned = RunnerFor(json);
  Runner& runner = *owned;
  RunTo(runner, kTimeZero + Seconds(8));
  const view::PartitionView& p = runner.View().topics.at(0).partitions.at(0);
  int follower = -1;
  for (int r : p.replicas) {
    if (r != p.leader) follower = r;
  }
  REQUIRE(follower > 0);
  const std::string name = "broker-" + std::to_string(follower);
  // Power loss first (a crash drops unsynced bytes), then flip a byte of the first (rolled,
  // flushed) segment, then restart: with no recovery point checkpointed yet, recovery
  // re-validates every segment and cuts the log at the corrupt batch.
  runner.Submit("crash " + name);
  RunTo(runner, kTimeZero + Seconds(9));
  runner.Submit("corrupt " + name + " cities-0/00000000000000000000.log 200");
  runner.Submit("corrupt " + name + " no-such-file");
  RunTo(runner, kTimeZero + Seconds(10));
  CHECK(Lines(runner.View(), "disk.corrupt").size() == 1);
  const auto errors = Lines(runner.View(), "command.error");
  REQUIRE_MESSAGE(errors.size() == 1, errors[0]);
  CHECK(errors[0] == " corrupt: " + name + " has no file no-such-file");
  runner.Submit("restart " + name);
  // The restarted broker opens its logs once it has registered again (after its old session
  // expired) and caught up with the metadata.
  RunTo(runner, kTimeZero + Seconds(28));
  const auto recovery = Lines(runner.View(), "log.recovery");
  REQUIRE(!recovery.empty());
  CHECK(recovery.back().starts_with(name + " cities-0: "));
}

}  // namespace
}  // namespace kafkasim::scenario
