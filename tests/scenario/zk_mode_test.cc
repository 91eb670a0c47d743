// ZooKeeper mode end to end: the broker-failure story run in both modes reaches the same
// partition leadership, and the ZooKeeper-mode controller leaves Kafka's znodes behind.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "scenario/runner.h"
#include "zookeeper/zk_server_node.h"

namespace kafkasim::scenario {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Outcome {
  bool ok = false;
  std::vector<std::string> failures;
  // Per partition, as the freshest image has it at the end, relative to its assignment (the
  // seed places replicas differently in the two modes: the controllers draw from different
  // random streams): whether its preferred replica leads, and whether every replica is in sync.
  std::map<std::string, std::pair<bool, bool>> partitions;
};

Outcome RunText(const std::string& text, std::uint64_t seed,
                std::map<std::string, std::string>* znodes = nullptr) {
  std::vector<std::string> errors;
  std::optional<Scenario> s = ParseScenario(text, "s.json", &errors);
  for (const std::string& e : errors) CAPTURE(e);
  REQUIRE(errors.empty());
  RunOptions options;
  options.seed = seed;
  Runner runner(std::move(*s), std::move(options));
  Outcome out;
  out.ok = runner.RunToEnd(kTimeMax);
  out.failures = runner.step_failures();
  const kafka::MetadataImage* image = runner.world().BestImage();
  REQUIRE(image != nullptr);
  for (const auto& [name, topic] : image->topics()) {
    for (const auto& [p, reg] : topic.partitions) {
      std::vector<std::int32_t> isr = reg.isr;
      std::vector<std::int32_t> replicas = reg.replicas;
      std::sort(isr.begin(), isr.end());
      std::sort(replicas.begin(), replicas.end());
      out.partitions[kafka::PartitionName(name, p)] = {
          !reg.replicas.empty() && reg.leader == reg.replicas.front(), isr == replicas};
    }
  }
  if (znodes != nullptr) {
    for (NodeIndex n : runner.world().zookeepers()) {
      const auto* z = dynamic_cast<const zookeeper::ZkServerNode*>(runner.world().sim().GetNode(n));
      if (z == nullptr || z->server() == nullptr || !z->server()->serving()) continue;
      for (const auto& [path, node] : z->server()->tree().nodes()) (*znodes)[path] = node.data;
      break;
    }
  }
  return out;
}

// scenarios/broker-failure.json with the cluster moved onto a ZooKeeper ensemble of three. The
// session timeout is set to KRaft's broker.session.timeout.ms (9 s) so that the story's
// timings ("within 20s") hold for both.
std::string InZooKeeperMode(const std::string& kraft_text) {
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(kraft_text);
  auto& cluster = j["cluster"];
  cluster["mode"] = "zookeeper";
  cluster.erase("controllers");
  cluster["zookeepers"] = 3;
  cluster["broker_config"]["zookeeper.session.timeout.ms"] = 9000;
  return j.dump();
}

TEST_CASE("the broker-failure story reaches the same partition leadership in both modes") {
  const std::string kraft =
      ReadFile(std::string(KAFKASIM_SOURCE_DIR) + "/scenarios/broker-failure.json");
  for (std::uint64_t seed : {42u, 7u}) {
    CAPTURE(seed);
    const Outcome a = RunText(kraft, seed);
    const Outcome b = RunText(InZooKeeperMode(kraft), seed);
    for (const std::string& f : b.failures) CAPTURE(f);
    CHECK(a.ok);
    CHECK(b.ok);
    CHECK(a.partitions.size() == 3);
    CHECK(a.partitions == b.partitions);
    for (const auto& [name, outcome] : b.partitions) {
      CAPTURE(name);
      CHECK(outcome.first);   // the preferred replica leads again
      CHECK(outcome.second);  // the returned broker is back in the ISR
    }
  }
}

TEST_CASE("a ZooKeeper-mode cluster keeps Kafka's znodes with Kafka's JSON") {
  const std::string kraft =
      ReadFile(std::string(KAFKASIM_SOURCE_DIR) + "/scenarios/broker-failure.json");
  std::map<std::string, std::string> znodes;
  const Outcome b = RunText(InZooKeeperMode(kraft), 42, &znodes);
  CHECK(b.ok);
  for (const char* path :
       {"/brokers/ids/1", "/brokers/ids/2", "/brokers/ids/3", "/controller", "/controller_epoch",
        "/brokers/topics/cities", "/brokers/topics/cities/partitions/0/state",
        "/config/topics/cities", "/latest_producer_id_block"}) {
    CAPTURE(path);
    CHECK(znodes.contains(path));
  }
  CHECK(znodes["/brokers/ids/2"].starts_with(
      R"({"features":{},"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},)"
      R"("endpoints":["PLAINTEXT://localhost:9093"],"jmx_port":-1,"port":9093,)"
      R"("host":"localhost","version":5,"timestamp":")"));
  CHECK(znodes["/controller"].starts_with(R"({"version":2,"brokerid":)"));
  CHECK(znodes["/controller"].ends_with(R"(","kraftControllerEpoch":-1})"));
  // The first controller took epoch 1; the crash of a controller makes a second election.
  CHECK(std::stoi(znodes["/controller_epoch"]) >= 1);
  const std::string state = znodes["/brokers/topics/cities/partitions/0/state"];
  CHECK(state.starts_with(R"({"controller_epoch":)"));
  CHECK(state.find(R"(,"version":1,"leader_epoch":)") != std::string::npos);
  CHECK(state.ends_with(R"("isr":[1,2,3]})"));
  CHECK(znodes["/config/topics/cities"] == R"({"version":1,"config":{"min.insync.replicas":"2"}})");
}

// A ZooKeeper-mode cluster whose leader of orders-0 is shut down cleanly at 10 s; `extra`
// adds topics.
std::string ShutdownScenario(const std::string& extra_topics) {
  return R"({"name": "zk shutdown", "seed": 5,
    "cluster": {"mode": "zookeeper", "brokers": 3, "zookeepers": 3},
    "topics": [{"name": "orders", "partitions": 2, "replication_factor": 3})" +
         extra_topics + R"(],
    "clients": [{"id": "producer-1", "type": "producer", "topic": "orders", "acks": "all",
                 "rate_per_s": 50, "start": "5s"}],
    "steps": [{"at": "10s", "after": "topics_ready",
               "pick": {"leader_of": "orders-0", "as": "victim"}},
              {"shutdown": "$victim"},
              {"expect": {"within": "1s", "leader_of": "orders-0", "not": "$victim"}},
              {"expect": {"within": "30s", "node_state": {"node": "$victim", "is": "stopped"}}}],
    "end": "45s"})";
}

// When the shut-down broker said what, and when the controller moved orders-0 away from it.
struct ShutdownTimes {
  std::string victim;
  std::optional<Time> asked, moved, succeeded, gave_up, stopped;
};

ShutdownTimes RunShutdown(const std::string& text) {
  std::vector<std::string> errors;
  std::optional<Scenario> s = ParseScenario(text, "s.json", &errors);
  for (const std::string& e : errors) CAPTURE(e);
  REQUIRE(errors.empty());
  Runner runner(std::move(*s), RunOptions{});
  const bool ok = runner.RunToEnd(kTimeMax);
  for (const std::string& f : runner.step_failures()) CAPTURE(f);
  CHECK(ok);
  ShutdownTimes t;
  for (const TraceEvent& e : *runner.View().trace) {
    if (t.victim.empty()) {
      if (e.kind == "broker.controlled_shutdown" && e.text.starts_with("began")) {
        t.victim = e.node;
        t.asked = e.time;
      }
      continue;
    }
    // The controller's line (the controller may be the victim itself).
    if (!t.moved && e.kind == "controller.decision" &&
        e.text.find("leader of orders-0") != std::string::npos &&
        e.text.find("in controlled shutdown") != std::string::npos) {
      t.moved = e.time;
    }
    if (e.node != t.victim) continue;
    if (e.text.starts_with("Controlled shutdown succeeded")) t.succeeded = e.time;
    if (e.text.find("Proceeding to do an unclean shutdown") != std::string::npos) {
      t.gave_up = e.time;
    }
    if (e.kind == "broker.shutdown") t.stopped = e.time;
  }
  CAPTURE(t.victim);
  REQUIRE(t.asked.has_value());
  REQUIRE(t.stopped.has_value());
  return t;
}

// KafkaController.doControlledShutdown (Kafka 3.9): the controller moves the leaderships first,
// while the broker still runs and its session lives; the broker stops only afterwards.
TEST_CASE("zk mode: a controlled shutdown moves the broker's leaderships before its session ends") {
  const ShutdownTimes t = RunShutdown(ShutdownScenario(""));
  REQUIRE(t.moved.has_value());
  REQUIRE(t.succeeded.has_value());
  CHECK(*t.asked <= *t.moved);
  CHECK(*t.moved < *t.succeeded);
  CHECK(*t.succeeded <= *t.stopped);
  CHECK_FALSE(t.gave_up.has_value());
  CHECK(*t.stopped - *t.asked < Milliseconds(1000));
}

// KafkaServer.controlledShutdown: a partition with one replica has nowhere to go, so the
// controller keeps answering that it remains; after three attempts 5 s apart the broker stops
// anyway ("Proceeding to do an unclean shutdown").
TEST_CASE("zk mode: a controlled shutdown gives up after three attempts on a one-replica topic") {
  // Three one-replica partitions on three brokers: one of them is the victim's.
  const ShutdownTimes t = RunShutdown(ShutdownScenario(R"(, {"name": "single", "partitions": 3,
                                         "replication_factor": 1})"));
  REQUIRE(t.moved.has_value());
  CHECK(*t.moved < *t.stopped);
  CHECK_FALSE(t.succeeded.has_value());
  REQUIRE(t.gave_up.has_value());
  CHECK(*t.gave_up == *t.stopped);
  CHECK(*t.stopped - *t.asked >= Milliseconds(10000));
}

// A ZooKeeper-mode run of `steps` over cities (3 partitions, RF 3, one config override) and
// towns (2 partitions, RF 2); what the tools printed, the znodes at the end, and which
// brokers' disks still hold a folder of each topic.
struct DeletionRun {
  bool ok = false;
  std::vector<std::string> tool_lines;
  std::vector<std::string> decisions;
  std::map<std::string, std::string> znodes;
  std::map<std::string, std::set<std::string>> folders;  // topic -> brokers holding one
};

DeletionRun RunDeletion(const std::string& steps, const std::string& end) {
  const std::string text = R"({"name": "zk deletion", "seed": 7,
    "cluster": {"mode": "zookeeper", "brokers": 3, "zookeepers": 3},
    "topics": [{"name": "cities", "partitions": 3, "replication_factor": 3,
                "config": {"retention.ms": "600000"}},
               {"name": "towns", "partitions": 2, "replication_factor": 2}],
    "steps": )" + steps + R"(, "end": ")" +
                           end + R"("})";
  std::vector<std::string> errors;
  std::optional<Scenario> s = ParseScenario(text, "s.json", &errors);
  for (const std::string& e : errors) CAPTURE(e);
  REQUIRE(errors.empty());
  Runner runner(std::move(*s), RunOptions{});
  DeletionRun out;
  out.ok = runner.RunToEnd(kTimeMax);
  for (const std::string& f : runner.step_failures()) CAPTURE(f);
  for (const TraceEvent& e : *runner.View().trace) {
    if (e.node == "tool") out.tool_lines.push_back(e.text);
    if (e.kind == "controller.decision") out.decisions.push_back(e.text);
  }
  for (NodeIndex n : runner.world().zookeepers()) {
    const auto* z = dynamic_cast<const zookeeper::ZkServerNode*>(runner.world().sim().GetNode(n));
    if (z == nullptr || z->server() == nullptr || !z->server()->serving()) continue;
    for (const auto& [path, node] : z->server()->tree().nodes()) out.znodes[path] = node.data;
    break;
  }
  for (NodeIndex n : runner.world().servers()) {
    FileSystem& disk = runner.world().sim().Env(n).disk();
    for (const char* topic : {"cities", "towns"}) {
      for (int p = 0; p < 3; ++p) {
        if (disk.IsDirectory(fmt::format("{}-{}", topic, p))) {
          out.folders[topic].insert(runner.world().sim().Env(n).name());
        }
      }
    }
  }
  return out;
}

bool Contains(const std::vector<std::string>& lines, const std::string& text) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& l) { return l.find(text) != std::string::npos; });
}

// zookeeper-shell.sh prints its connection banner first; the answer is the last line.
bool ShellPrinted(const std::vector<std::string>& lines, const std::string& answer) {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) {
    return l.starts_with("Connecting to ") && l.ends_with("\n" + answer);
  });
}

// TopicDeletionManager (Kafka 3.9): /admin/delete_topics/<t>, StopReplica with deletion to
// every replica, then the topic's znodes go.
TEST_CASE("zk mode: deleting a topic removes its znodes, its config and every replica's folder") {
  DeletionRun r = RunDeletion(R"([
      {"at": "8s", "after": "topics_ready",
       "run": "kafka-topics.sh --delete --topic cities --bootstrap-server localhost:9092"},
      {"at": "9s", "run": "kafka-topics.sh --list --bootstrap-server localhost:9092"},
      {"run": "zookeeper-shell.sh localhost:2181 ls /brokers/topics"}])",
                              "10s");
  CHECK(r.ok);
  CHECK(Contains(r.decisions, "topic cities is queued for deletion"));
  CHECK(Contains(r.decisions, "Deletion of topic cities successfully completed"));
  for (const char* path : {"/brokers/topics/cities", "/brokers/topics/cities/partitions/0/state",
                           "/config/topics/cities", "/admin/delete_topics/cities"}) {
    CAPTURE(path);
    CHECK_FALSE(r.znodes.contains(path));
  }
  CHECK(r.znodes.contains("/admin/delete_topics"));
  CHECK(r.znodes.contains("/brokers/topics/towns"));
  CHECK_FALSE(r.folders.contains("cities"));
  CHECK(r.folders["towns"].size() == 3);  // 2 partitions x RF 2 over 3 brokers
  CHECK(std::count(r.tool_lines.begin(), r.tool_lines.end(), "towns") == 1);  // --list
  CHECK(ShellPrinted(r.tool_lines, "[towns]"));
}

// A replica on a broker that is down cannot be deleted: the deletion halts ("offline
// replicas") until the broker registers again, which deletes the folder it kept meanwhile.
// Meanwhile the name cannot be reused (AdminZkClient.validateTopicCreate).
TEST_CASE(
    "zk mode: a topic deletion waits for a dead replica's broker and finishes when it "
    "returns") {
  DeletionRun r = RunDeletion(R"([
      {"at": "8s", "after": "topics_ready", "pick": {"leader_of": "cities-0", "as": "victim"}},
      {"crash": "$victim"},
      {"at": "35s", "run": "kafka-topics.sh --delete --topic cities --bootstrap-server localhost:9092"},
      {"at": "37s", "run": "zookeeper-shell.sh localhost:2181 ls /admin/delete_topics"},
      {"run": "kafka-topics.sh --create --topic cities --partitions 1 --bootstrap-server localhost:9092"},
      {"at": "40s", "restart": "$victim"},
      {"at": "50s", "run": "zookeeper-shell.sh localhost:2181 ls /admin/delete_topics"}])",
                              "50s");
  CHECK(r.ok);
  CHECK(Contains(r.decisions, "Halted deletion of topics cities due to offline replicas"));
  CHECK(Contains(r.tool_lines,
                 "Error while executing topic command : Topic 'cities' is marked for deletion."));
  CHECK(ShellPrinted(r.tool_lines, "[cities]"));
  CHECK(ShellPrinted(r.tool_lines, "[]"));
  CHECK(Contains(r.decisions, "Deletion of topic cities successfully completed"));
  CHECK_FALSE(r.znodes.contains("/brokers/topics/cities"));
  CHECK_FALSE(r.folders.contains("cities"));
}

// ZkAdminManager.createPartitions: the grown assignment in /brokers/topics/<t>, a state znode
// for each new partition.
TEST_CASE("zk mode: adding partitions grows the topic's assignment znode") {
  DeletionRun r = RunDeletion(R"([
      {"at": "8s", "after": "topics_ready",
       "run": "kafka-topics.sh --alter --topic towns --partitions 3 --bootstrap-server localhost:9092"},
      {"at": "9s", "run": "kafka-topics.sh --alter --topic towns --partitions 2 --bootstrap-server localhost:9092"}])",
                              "10s");
  CHECK(r.ok);
  CHECK(r.znodes["/brokers/topics/towns"].starts_with(R"({"partitions":{"0":[)"));
  CHECK(r.znodes["/brokers/topics/towns"].find(R"(,"2":[)") != std::string::npos);
  CHECK(r.znodes.contains("/brokers/topics/towns/partitions/2/state"));
  CHECK(r.folders["towns"].size() == 3);
  CHECK(Contains(r.tool_lines,
                 "Error while executing topic command : Topic currently has 3 "
                 "partitions, which is higher than the requested 2."));
}

}  // namespace
}  // namespace kafkasim::scenario
