// The Console's transcript: each command with what it printed under it, read from the trace.
#include "gui/console_model.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "kafka/trace_kinds.h"
#include "scenario/trace_kinds.h"

namespace kafkasim::gui {
namespace {

namespace sk = scenario::trace_kind;
namespace kk = kafka::trace_kind;

struct TraceBuilder {
  std::vector<TraceEvent> events;
  void Add(double seconds, std::string node, std::string_view kind, std::string text) {
    TraceEvent e;
    e.index = events.size();
    e.time = kTimeZero + Milliseconds(static_cast<std::int64_t>(seconds * 1000));
    e.node = std::move(node);
    e.kind = std::string(kind);
    e.text = std::move(text);
    events.push_back(std::move(e));
  }
};

std::vector<std::string> Texts(const ConsoleBlock& block) {
  std::vector<std::string> texts;
  for (const ConsoleOutputLine& line : block.lines) texts.push_back(line.text);
  return texts;
}

TEST_CASE("console: a consumer's records arrive under the command that started it") {
  TraceBuilder t;
  t.Add(1, "console", sk::kInputCommand, "$ kafka-console-consumer.sh --topic cities");
  t.Add(1, "", sk::kClientStart, "console-consumer-1 started on topic cities in group g");
  t.Add(1.5, "console", sk::kInputCommand, "$ crash broker-1");
  t.Add(1.5, "", sk::kNodeCrash, "broker-1 crashed (power loss)");
  t.Add(1.6, "broker-2", "partition.leader", "became leader of cities-0");
  t.Add(2, "console-consumer-1", kk::kClientRecord, "| Berlin");
  t.Add(2, "console-consumer-1", "group.join", "joined");  // not a client line
  t.Add(2.1, "console-consumer-1", kk::kClientRecord, "| Paris");
  ConsoleModel model;
  model.Update(t.events);
  REQUIRE(model.blocks().size() == 2);
  const ConsoleBlock& consumer = model.blocks()[0];
  CHECK(consumer.command == "kafka-console-consumer.sh --topic cities");
  CHECK_FALSE(consumer.from_scenario);
  CHECK(consumer.client == "console-consumer-1");
  CHECK(Texts(consumer) ==
        std::vector<std::string>{"console-consumer-1 started on topic cities in group g", "Berlin",
                                 "Paris"});
  CHECK(consumer.lines[1].kind == ConsoleOutputLine::Kind::kOutput);
  // The crash shows what it did; the leader change that followed is the event log's.
  CHECK(Texts(model.blocks()[1]) == std::vector<std::string>{"broker-1 crashed (power loss)"});
}

TEST_CASE("console: a tool's later answer goes under its own command, line by line") {
  TraceBuilder t;
  t.Add(3, "tool", sk::kToolRun, "$ kafka-topics.sh --describe --topic cities");
  t.Add(3, "console", sk::kInputCommand, "$ kill broker-2");
  t.Add(3, "", sk::kNodeKill, "broker-2 killed");
  t.Add(3.004, "tool", sk::kToolOutput, "Topic: cities\tPartitionCount: 1\n\tPartition: 0");
  t.Add(4, "console", sk::kInputCommand, "$ kafka-topics.sh --delete --topic nope");
  t.Add(4.002, "tool", sk::kToolError, "Error: topic 'nope' does not exist");
  ConsoleModel model;
  model.Update(t.events);
  REQUIRE(model.blocks().size() == 3);
  CHECK(model.blocks()[0].from_scenario);
  CHECK(Texts(model.blocks()[0]) ==
        std::vector<std::string>{"Topic: cities\tPartitionCount: 1", "\tPartition: 0"});
  CHECK(Texts(model.blocks()[1]) == std::vector<std::string>{"broker-2 killed"});
  REQUIRE(model.blocks()[2].lines.size() == 1);
  CHECK(model.blocks()[2].lines[0].kind == ConsoleOutputLine::Kind::kError);
}

TEST_CASE("console: a producer's acknowledgements and errors, and a bad node, under the command") {
  TraceBuilder t;
  t.Add(1, "console", sk::kInputCommand, "$ kafka-console-producer.sh --topic cities <<< 'a|b'");
  t.Add(1, "", sk::kClientStart, "console-producer-1 started (producer on topic cities)");
  t.Add(1.003, "console-producer-1", kk::kClientAck,
        "record 'a' acknowledged at cities-0 offset 0");
  t.Add(1.004, "console-producer-1", kk::kClientProduceError, "NOT_LEADER_OR_FOLLOWER");
  t.Add(2, "console", sk::kInputCommand, "$ crash broker-9");
  t.Add(2, "", sk::kCommandError, "unknown node 'broker-9'");
  ConsoleModel model;
  model.Update(t.events);
  REQUIRE(model.blocks().size() == 2);
  const ConsoleBlock& producer = model.blocks()[0];
  REQUIRE(producer.lines.size() == 3);
  CHECK(producer.lines[1].text == "record 'a' acknowledged at cities-0 offset 0");
  CHECK(producer.lines[2].kind == ConsoleOutputLine::Kind::kError);
  REQUIRE(model.blocks()[1].lines.size() == 1);
  CHECK(model.blocks()[1].lines[0].kind == ConsoleOutputLine::Kind::kError);
}

TEST_CASE("console: reads only new events, starts over after a rewind, keeps a bounded tail") {
  TraceBuilder t;
  t.Add(1, "console", sk::kInputCommand, "$ kafka-console-consumer.sh --topic cities");
  t.Add(1, "", sk::kClientStart, "console-consumer-1 started on topic cities");
  ConsoleModel model;
  model.Update(t.events);
  const std::size_t records = ConsoleModel::kLinesPerBlockMax + 5;
  for (std::size_t i = 0; i < records; ++i) {
    t.Add(2, "console-consumer-1", kk::kClientRecord, "| r" + std::to_string(i));
  }
  model.Update(t.events);
  REQUIRE(model.blocks().size() == 1);
  const ConsoleBlock& block = model.blocks()[0];
  CHECK(block.lines.size() == ConsoleModel::kLinesPerBlockMax);
  CHECK(block.lines_dropped == 6);  // the start line and the first five records
  CHECK(block.lines.back().text == "r" + std::to_string(records - 1));
  // A rewind: the trace is shorter; what was printed after it is gone.
  t.events.resize(3);
  model.Update(t.events);
  REQUIRE(model.blocks().size() == 1);
  CHECK(Texts(model.blocks()[0]) ==
        std::vector<std::string>{"console-consumer-1 started on topic cities", "r0"});
}

TEST_CASE("console: a console client's topic and group, for the Clients tab") {
  CHECK(OptionValue("kafka-console-consumer.sh --topic cities --group g", "--topic") == "cities");
  CHECK(OptionValue("kafka-console-consumer.sh --topic=cities", "--topic") == "cities");
  CHECK(OptionValue("kafka-console-consumer.sh --topics cities", "--topic").empty());
  CHECK(OptionValue("kafka-console-producer.sh --topic a <<< --topic b", "--topic") == "a");
  TraceBuilder t;
  t.Add(1, "console", sk::kInputCommand, "$ kafka-console-consumer.sh --topic cities");
  t.Add(1, "", sk::kClientStart,
        "console-consumer-1 started --from-beginning on topic cities in group console-consumer-7");
  ConsoleModel model;
  model.Update(t.events);
  const ConsoleClient* c = model.Client("console-consumer-1");
  REQUIRE(c != nullptr);
  CHECK(c->topic == "cities");
  CHECK(c->group == "console-consumer-7");
  CHECK(model.Client("producer-1") == nullptr);
}

}  // namespace
}  // namespace kafkasim::gui
