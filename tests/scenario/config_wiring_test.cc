// Configs reach the code that acts on them: each test runs a small cluster with and without a
// config and sees the difference (a config accepted and never read would make them fail).
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "scenario/runner.h"

namespace kafkasim::scenario {
namespace {

// One broker and one controller, topic t with one partition, a producer at 50 records/s.
std::string OneBroker(std::string_view broker_config, std::string_view topic_config,
                      std::string_view controller_config = "{}") {
  return R"({"name": "wiring", "seed": 3, "end": "20s",
    "cluster": {"brokers": 1, "controllers": 1, "broker_config": )" +
         std::string(broker_config) + R"(, "controller_config": )" +
         std::string(controller_config) + R"(},
    "topics": [{"name": "t", "partitions": 1, "replication_factor": 1, "config": )" +
         std::string(topic_config) + R"(}],
    "clients": [{"id": "producer-1", "type": "producer", "topic": "t", "acks": "1",
                 "rate_per_s": 50, "start": "6s"}]})";
}

struct Outcome {
  kafka::LogSummary log;
  std::int64_t recovery_point = 0;
  bool active_controller_at_end = false;
};

Outcome RunTo(const std::string& text, Time until, WorldOptions world = {}) {
  std::vector<std::string> errors;
  std::optional<Scenario> s = ParseScenario(text, "wiring.json", &errors);
  for (const std::string& e : errors) CAPTURE(e);
  REQUIRE(s.has_value());
  RunOptions options;
  options.seed = s->seed;
  options.world = std::move(world);
  Runner runner(std::move(*s), std::move(options));
  runner.RunToEnd(until);
  Outcome out;
  if (const kafka::ReplicaLog* log = runner.world().LeaderLog(PartitionRef{"t", 0})) {
    out.log = log->Describe();
    out.recovery_point = log->recovery_point();
  }
  out.active_controller_at_end = runner.world().ActiveControllerId() >= 0;
  return out;
}

const Time kEnd = kTimeZero + Seconds(20);

TEST_CASE(
    "configs: segment.index.bytes and index.interval.bytes roll a segment whose index is full") {
  // 240 bytes hold 30 offset-index and 20 time-index entries. With an entry every 4096 bytes
  // (about one a second here) neither fills in 14 s; with one per batch (50 a second) they
  // fill within a second and the segment rolls.
  const Outcome sparse = RunTo(OneBroker("{}", R"({"segment.index.bytes": 240})"), kEnd);
  const Outcome dense =
      RunTo(OneBroker("{}", R"({"segment.index.bytes": 240, "index.interval.bytes": 0})"), kEnd);
  CHECK(sparse.log.segments.size() == 1);
  CHECK(dense.log.segments.size() > 10);
}

TEST_CASE("configs: flush.messages and log.flush.interval.messages fsync as records arrive") {
  const Outcome lazy = RunTo(OneBroker("{}", "{}"), kEnd);
  const Outcome topic = RunTo(OneBroker("{}", R"({"flush.messages": 1})"), kEnd);
  const Outcome broker = RunTo(OneBroker(R"({"log.flush.interval.messages": 1})", "{}"), kEnd);
  REQUIRE(lazy.log.log_end_offset > 100);
  CHECK(lazy.recovery_point == 0);
  CHECK(topic.recovery_point == topic.log.log_end_offset);
  CHECK(broker.recovery_point == broker.log.log_end_offset);
}

// KafkaConfig.logRetentionTimeMillis: log.retention.ms, else .minutes, else .hours.
TEST_CASE(
    "configs: log.retention.minutes and .hours are synonyms of log.retention.ms; the "
    "finest one set wins") {
  const std::string fast = R"("log.roll.ms": 1000, "log.retention.check.interval.ms": 1000)";
  const Time end = kTimeZero + Seconds(100);
  // OneBroker's cluster, run to 100 s.
  auto Long = [](std::string broker_config) {
    std::string text = OneBroker(broker_config, "{}");
    text.replace(text.find(R"("end": "20s")"), 12, R"("end": "100s")");
    return text;
  };
  const Outcome minutes = RunTo(Long("{" + fast + R"(, "log.retention.minutes": 1})"), end);
  const Outcome hours = RunTo(Long("{" + fast + R"(, "log.retention.hours": 1})"), end);
  const Outcome ms_wins = RunTo(
      Long("{" + fast + R"(, "log.retention.minutes": 1, "log.retention.ms": 3600000})"), end);
  const Outcome minutes_win = RunTo(
      Long("{" + fast + R"(, "log.retention.hours": 1000, "log.retention.minutes": 1})"), end);
  REQUIRE(hours.log.log_end_offset > 1000);
  CHECK(minutes.log.log_start_offset > 0);
  CHECK(minutes_win.log.log_start_offset > 0);
  CHECK(hours.log.log_start_offset == 0);
  CHECK(ms_wins.log.log_start_offset == 0);
}

TEST_CASE("configs: log.roll.ms is the broker's segment.ms, and a topic's segment.ms wins") {
  const Outcome rolled = RunTo(OneBroker(R"({"log.roll.ms": 1000})", "{}"), kEnd);
  const Outcome kept =
      RunTo(OneBroker(R"({"log.roll.ms": 1000})", R"({"segment.ms": 604800000})"), kEnd);
  CHECK(rolled.log.segments.size() > 5);
  CHECK(kept.log.segments.size() == 1);
}

TEST_CASE("configs: controller.quorum.election.timeout.ms delays the first election") {
  const Time early = kTimeZero + Seconds(4);
  CHECK(RunTo(OneBroker("{}", "{}"), early).active_controller_at_end);
  CHECK_FALSE(
      RunTo(OneBroker("{}", "{}", R"({"controller.quorum.election.timeout.ms": 5000})"), early)
          .active_controller_at_end);
}

TEST_CASE("configs: metadata.log.segment.bytes rolls the controller's metadata log") {
  const auto segments = [](std::string_view controller_config, const std::string& dir) {
    std::filesystem::remove_all(dir);
    WorldOptions world;
    world.data_dir = dir;
    RunTo(OneBroker("{}", "{}", controller_config), kEnd, world);
    int logs = 0;
    for (const auto& e :
         std::filesystem::directory_iterator(dir + "/controller-1/__cluster_metadata-0")) {
      logs += e.path().extension() == ".log" ? 1 : 0;
    }
    std::filesystem::remove_all(dir);
    return logs;
  };
  const std::string base = std::filesystem::temp_directory_path().string() + "/kafkasim-wiring-";
  CHECK(segments("{}", base + "a") == 1);
  CHECK(segments(R"({"metadata.log.segment.bytes": 512})", base + "b") > 3);
}

}  // namespace
}  // namespace kafkasim::scenario
