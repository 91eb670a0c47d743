// Sequence diagram generator: window selection, Mermaid and SVG text, the message recorder.
#include "scenario/diagram.h"

#include <doctest/doctest.h>

namespace kafkasim::scenario {
namespace {

MessageRecord Record(std::string from, std::string to, std::int64_t sent_ms,
                     std::int64_t deliver_ms, std::string label,
                     MessageOutcome outcome = MessageOutcome::kDelivered) {
  return {std::move(from),
          std::move(to),
          kafka::MessageKind::kFetch,
          kTimeZero + Milliseconds(sent_ms),
          kTimeZero + Milliseconds(deliver_ms),
          std::move(label),
          outcome};
}

TEST_CASE("diagram: only messages sent inside the window are drawn, in send order") {
  const std::vector<MessageRecord> records = {Record("broker-2", "broker-1", 30, 32, "late"),
                                              Record("broker-1", "broker-2", 10, 12, "a"),
                                              Record("broker-3", "broker-1", 5, 7, "before")};
  const auto in =
      MessagesInWindow(records, kTimeZero + Milliseconds(10), kTimeZero + Milliseconds(30), {});
  REQUIRE(in.size() == 1);
  CHECK(in[0].label == "a");
}

TEST_CASE("diagram: Mermaid text names lanes, arrows and dropped messages") {
  const std::vector<MessageRecord> records = {
      Record("broker-1", "broker-2", 10, 12, "Fetch cities-0 offset=4"),
      Record("broker-2", "broker-1", 11, 13, "x;y#z", MessageOutcome::kDropped)};
  const std::string text = SequenceDiagramMermaid(records, kTimeZero, kTimeZero + Seconds(1));
  CHECK(text ==
        "sequenceDiagram\n"
        "    %% messages sent from t=0.000s to t=1.000s\n"
        "    participant P0 as broker-1\n"
        "    participant P1 as broker-2\n"
        "    P0->>P1: t=0.010s fetch: Fetch cities-0 offset=4\n"
        "    P1-xP0: t=0.011s fetch: x#59;y#35;z (dropped)\n");
}

TEST_CASE("diagram: requested participants come first and the overflow is counted") {
  std::vector<MessageRecord> records;
  for (int i = 0; i < 5; ++i) records.push_back(Record("broker-1", "broker-2", i, i + 1, "m"));
  DiagramOptions options;
  options.participants = {"broker-2"};
  options.messages_max = 3;
  const std::string text =
      SequenceDiagramMermaid(records, kTimeZero, kTimeZero + Seconds(1), options);
  CHECK(text.find("participant P0 as broker-2\n    participant P1 as broker-1") !=
        std::string::npos);
  CHECK(text.find("Note over P0: 2 more messages not drawn") != std::string::npos);
}

TEST_CASE("diagram: SVG is one document with a lane per node and escaped labels") {
  const std::vector<MessageRecord> records = {
      Record("broker-1", "controller-1", 100, 101, "<Vote & more>"),
      Record("broker-1", "broker-2", 200, 300, "lost", MessageOutcome::kDropped)};
  const std::string svg = SequenceDiagramSvg(records, kTimeZero, kTimeZero + Seconds(1));
  CHECK(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  CHECK(svg.ends_with("</svg>\n"));
  CHECK(svg.find("&lt;Vote &amp; more&gt;") != std::string::npos);
  CHECK(svg.find("<Vote") == std::string::npos);
  CHECK(svg.find(">controller-1</text>") != std::string::npos);
  CHECK(svg.find("stroke-dasharray") != std::string::npos);  // the dropped one
}

class Ping : public Payload {
 public:
  MessageClass Class() const override { return kafka::ClassOf(kafka::MessageKind::kHeartbeat); }
  std::string Name() const override { return "Ping"; }
};

class Echo : public Node {
 public:
  explicit Echo(NodeEnv& env) : env_(env) {}
  void OnStart() override {
    if (env_.name() == "a") env_.Send(1, std::make_shared<Ping>());
  }
  void OnMessage(const Message& message) override { (void)message; }

 private:
  NodeEnv& env_;
};

TEST_CASE("diagram: the recorder settles each sent message as delivered") {
  Simulation sim(7);
  MessageRecorder recorder(sim);
  sim.AddObserver(&recorder);
  auto factory = [](NodeEnv& env) { return std::make_unique<Echo>(env); };
  sim.AddNode("a", factory);
  sim.AddNode("b", factory);
  sim.StartNode(1);
  sim.StartNode(0);
  sim.RunUntil(kTimeZero + Seconds(1));
  REQUIRE(recorder.records().size() == 1);
  const MessageRecord& r = recorder.records()[0];
  CHECK(r.from == "a");
  CHECK(r.to == "b");
  CHECK(r.label == "Ping");
  CHECK(r.kind == kafka::MessageKind::kHeartbeat);
  CHECK(r.outcome == MessageOutcome::kDelivered);
  sim.RemoveObserver(&recorder);
}

}  // namespace
}  // namespace kafkasim::scenario
