// kafka-consumer-groups.sh --reset-offsets over a running cluster, its output compared whole
// with what Kafka's tool prints (ConsumerGroupCommand.resetOffsets, OffsetsUtils
// .printOffsetsToReset): --dry-run commits nothing, --execute commits through the group
// coordinator in KRaft and in ZooKeeper mode, an active group is refused.
#include <doctest/doctest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kafka/group_coordinator.h"
#include "scenario/runner.h"

namespace kafkasim::scenario {
namespace {

// Group "dashboard" reads the 30 records of cities (2 partitions) and closes at 15 s, which
// commits its positions and leaves: from then on the group is Empty.
std::string Story(const std::string& cluster) {
  return R"({"name": "reset", "seed": 3, "cluster": )" + cluster + R"(,
    "topics": [{"name": "cities", "partitions": 2, "replication_factor": 3}],
    "clients": [
      {"id": "producer-1", "type": "producer", "topic": "cities", "rate_per_s": 20, "count": 30,
       "keys": ["Berlin", "Paris", "Rome", "Oslo"], "start": "1s"},
      {"id": "consumer-1", "type": "consumer", "topic": "cities", "group": "dashboard",
       "from_beginning": true, "start": "2s", "stop": "15s"}],
    "end": "30s"})";
}

const std::string kKraft = R"({"mode": "kraft", "brokers": 3, "controllers": 1})";
const std::string kZooKeeper = R"({"mode": "zookeeper", "brokers": 3, "zookeepers": 1})";

std::unique_ptr<Runner> RunTo(const std::string& json, Duration d) {
  const Time t = Time{} + d;
  std::vector<std::string> errors;
  std::optional<Scenario> s = ParseScenario(json, "reset.json", &errors);
  REQUIRE_MESSAGE(s.has_value(), (errors.empty() ? "" : errors.front()));
  RunOptions options;
  options.seed = s->seed;
  auto runner = std::make_unique<Runner>(std::move(*s), std::move(options));
  for (int i = 0; i < 100 && runner->View().now < t; ++i) runner->AdvanceTo(t, UINT64_MAX);
  return runner;
}

// The group's committed offsets, partition by partition (-1: none).
std::vector<std::int64_t> Committed(Runner& runner) {
  const kafka::ClassicGroup* g = runner.world().FindGroup("dashboard");
  REQUIRE(g != nullptr);
  std::vector<std::int64_t> out;
  for (std::int32_t p = 0; p < 2; ++p) {
    const auto it = g->offsets.find({"cities", p});
    out.push_back(it == g->offsets.end() ? -1 : it->second.offset);
  }
  return out;
}

// printOffsetsToReset of cities-0 and cities-1, both reset to `offset`.
std::string NewOffsets(std::int64_t offset) {
  const std::string o = std::to_string(offset);
  return "\nGROUP           TOPIC           PARTITION  NEW-OFFSET"
         "\ndashboard       cities          0          " +
         o + "\ndashboard       cities          1          " + o;
}

const std::string kReset =
    "kafka-consumer-groups.sh --bootstrap-server localhost:9092 --reset-offsets --group "
    "dashboard --topic cities ";

}  // namespace

TEST_CASE(
    "kafka-consumer-groups.sh: --reset-offsets --dry-run prints the new offsets, commits nothing") {
  auto runner = RunTo(Story(kKraft), Seconds(20));
  const std::vector<std::int64_t> before = Committed(*runner);
  CHECK(before[0] + before[1] == 30);  // closing committed everything it read
  const CommandOutput out = runner->Submit(kReset + "--to-earliest --dry-run");
  CHECK(out.ok);
  CHECK(out.text == NewOffsets(0));
  CHECK(Committed(*runner) == before);
}

TEST_CASE("kafka-consumer-groups.sh: --reset-offsets --execute commits the new offsets") {
  auto runner = RunTo(Story(kKraft), Seconds(20));
  // --to-offset is clamped to each partition's [log start, high watermark].
  const CommandOutput out = runner->Submit(kReset + "--to-offset 3 --execute");
  CHECK(out.ok);
  CHECK(out.text == NewOffsets(3));
  CHECK(Committed(*runner) == std::vector<std::int64_t>{3, 3});
}

TEST_CASE("kafka-consumer-groups.sh: --reset-offsets refuses a group that has members") {
  auto runner = RunTo(Story(kKraft), Seconds(12));
  const std::vector<std::int64_t> before = Committed(*runner);
  const CommandOutput out = runner->Submit(kReset + "--to-earliest --execute");
  CHECK_FALSE(out.ok);
  // resetOffsets prints the error and puts the group with no offsets in its result, so
  // printOffsetsToReset still prints the header.
  CHECK(out.text ==
        "\nError: Assignments can only be reset if the group 'dashboard' is inactive, but the "
        "current state is Stable."
        "\nGROUP           TOPIC           PARTITION  NEW-OFFSET");
  CHECK(Committed(*runner) == before);
}

TEST_CASE("kafka-consumer-groups.sh: --reset-offsets --execute works in ZooKeeper mode") {
  // A Kafka 3.9 ZooKeeper-mode broker coordinates groups in __consumer_offsets as a KRaft one.
  auto runner = RunTo(Story(kZooKeeper), Seconds(20));
  const CommandOutput out = runner->Submit(kReset + "--to-earliest --execute");
  CHECK(out.ok);
  CHECK(out.text == NewOffsets(0));
  CHECK(Committed(*runner) == std::vector<std::int64_t>{0, 0});
}

namespace {

// Two KIP-848 members of group "kip848" over cities (4 partitions), the uniform assignor.
std::unique_ptr<Runner> Kip848Group(Duration t) {
  return RunTo(R"({"name": "kip848", "seed": 5,
    "cluster": {"mode": "kraft", "brokers": 3, "controllers": 1},
    "topics": [{"name": "cities", "partitions": 4, "replication_factor": 3}],
    "clients": [
      {"id": "consumer-1", "type": "consumer", "topic": "cities", "group": "kip848",
       "group_protocol": "consumer", "start": "1s"},
      {"id": "consumer-2", "type": "consumer", "topic": "cities", "group": "kip848",
       "group_protocol": "consumer", "start": "1s"}],
    "end": "60s"})",
               t);
}

}  // namespace

TEST_CASE("kafka-consumer-groups.sh: --describe --state --verbose shows a KIP-848 group's epochs") {
  auto runner = Kip848Group(Seconds(30));
  std::int32_t coordinator = -1;
  const kafka::ConsumerGroup* g = runner->world().FindConsumerGroup("kip848", &coordinator);
  REQUIRE(g != nullptr);
  REQUIRE(g->members.size() == 2);
  const std::string coord =
      "localhost:" + std::to_string(9091 + coordinator) + "  (" + std::to_string(coordinator) + ")";
  // printStates, KIP-1099: "%-15s %-25s %-20s %-20s %-15s %-25s %s".
  CHECK(runner
            ->Submit("kafka-consumer-groups.sh --bootstrap-server localhost:9092 --describe "
                     "--group kip848 --state --verbose")
            .text ==
        "\nGROUP           COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE                "
        "GROUP-EPOCH     TARGET-ASSIGNMENT-EPOCH   #MEMBERS"
        "\nkip848          " +
            coord + std::string(25 - coord.size(), ' ') + " uniform              Stable" +
            std::string(14, ' ') + " " + std::to_string(g->group_epoch) +
            std::string(15 - std::to_string(g->group_epoch).size(), ' ') + " " +
            std::to_string(g->target_assignment_epoch) +
            std::string(25 - std::to_string(g->target_assignment_epoch).size(), ' ') + " 2");
  // Without --verbose, no epochs: "%-15s %-25s %-20s %-20s %s".
  CHECK(runner
            ->Submit("kafka-consumer-groups.sh --bootstrap-server localhost:9092 --describe "
                     "--group kip848 --state")
            .text ==
        "\nGROUP           COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE                "
        "#MEMBERS"
        "\nkip848          " +
            coord + std::string(25 - coord.size(), ' ') + " uniform              Stable" +
            std::string(14, ' ') + " 2");
}

TEST_CASE(
    "kafka-consumer-groups.sh: --describe --members --verbose shows KIP-848 epochs and targets") {
  auto runner = Kip848Group(Seconds(30));
  const kafka::ConsumerGroup* g = runner->world().FindConsumerGroup("kip848");
  REQUIRE(g != nullptr);
  REQUIRE(g->State() == kafka::ConsumerGroupState::kStable);
  // printMembers, KIP-1099: "%-15s %-Cs %-Hs %-15s %-15s " then "%-15s %-20s %-15s %-20s"
  // (the assignment columns at least 20 wide); a stable member's assignment is its target.
  std::string expected =
      "\nGROUP           CONSUMER-ID            HOST            CLIENT-ID       #PARTITIONS     "
      "CURRENT-EPOCH   CURRENT-ASSIGNMENT   TARGET-EPOCH    TARGET-ASSIGNMENT   ";
  for (const auto& [id, m] : g->members) {
    REQUIRE(id.size() == 22);  // a Uuid in base64
    REQUIRE(m.assigned.size() == 2);
    std::string parts;
    for (const kafka::TopicPartition& tp : m.assigned) {
      parts += (parts.empty() ? "" : ",") + std::to_string(tp.partition);
    }
    const std::string assignment = "cities:" + parts;  // 10 characters
    const std::string epoch = std::to_string(m.member_epoch);
    expected += "\nkip848          " + id + " " + m.client_host +
                std::string(15 - m.client_host.size(), ' ') + " " + m.client_id +
                std::string(15 - m.client_id.size(), ' ') + " 2               " + epoch +
                std::string(15 - epoch.size(), ' ') + " " + assignment + std::string(10, ' ') +
                " " + std::to_string(g->target_assignment_epoch) +
                std::string(15 - std::to_string(g->target_assignment_epoch).size(), ' ') + " " +
                assignment + std::string(10, ' ');
  }
  CHECK(runner
            ->Submit("kafka-consumer-groups.sh --bootstrap-server localhost:9092 --describe "
                     "--group kip848 --members --verbose")
            .text == expected);
}

}  // namespace kafkasim::scenario
