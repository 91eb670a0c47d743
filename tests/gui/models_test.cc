// Panel view-models: cluster layout, topics rows and highlights, event filtering, timeline
// markers and mapping, metric history, playback speed, check states.
#include <doctest/doctest.h>

#include "gui/check_status.h"
#include "gui/cluster_layout.h"
#include "gui/event_filter.h"
#include "gui/external_clients.h"
#include "gui/metric_history.h"
#include "gui/playback.h"
#include "gui/timeline_model.h"
#include "gui/topics_model.h"
#include "scenario/trace_kinds.h"

namespace kafkasim::gui {
namespace {

view::NodeView Node(NodeIndex index, std::string name, view::NodeRole role) {
  view::NodeView n;
  n.index = index;
  n.name = std::move(name);
  n.role = role;
  return n;
}

view::WorldView OnePartition(int leader, std::vector<int> isr) {
  view::WorldView w;
  view::TopicView t;
  t.name = "cities";
  view::PartitionView p;
  p.topic = "cities";
  p.partition = 0;
  p.leader = leader;
  p.replicas = {1, 2, 3};
  p.isr = std::move(isr);
  t.partitions.push_back(p);
  w.topics.push_back(t);
  return w;
}

TraceEvent Event(std::uint64_t index, std::string node, std::string kind, std::string text) {
  TraceEvent e;
  e.index = index;
  e.time = kTimeZero + Milliseconds(static_cast<std::int64_t>(index) * 10);
  e.node = std::move(node);
  e.kind = std::move(kind);
  e.text = std::move(text);
  return e;
}

TEST_CASE("cluster_layout: controllers above brokers above clients, all inside the canvas") {
  view::WorldView w;
  w.nodes = {Node(0, "controller-1", view::NodeRole::kController),
             Node(1, "broker-1", view::NodeRole::kBroker),
             Node(2, "broker-2", view::NodeRole::kBroker),
             Node(5, "producer-1", view::NodeRole::kClient)};
  const ClusterLayout layout = LayoutCluster(w, 800, 600);
  REQUIRE(layout.centers.size() == 4);
  CHECK(layout.centers[0].y < layout.centers[1].y);
  CHECK(layout.centers[1].y == layout.centers[2].y);
  CHECK(layout.centers[1].x < layout.centers[2].x);
  CHECK(layout.centers[2].y < layout.centers[3].y);
  for (const Point& c : layout.centers) {
    CHECK(c.x - layout.radius >= 0);
    CHECK(c.x + layout.radius <= 800);
    CHECK(c.y - layout.radius >= 0);
    CHECK(c.y + layout.radius <= 600);
  }
  CHECK(layout.SlotOf(5) == 3);
  CHECK(layout.SlotOf(4) == -1);
  CHECK(layout.NodeAt(layout.centers[2]) == 2);
  CHECK(layout.NodeAt({0, 0}) == -1);
}

TEST_CASE("external_clients: one client node per client.id and host, with its connections") {
  view::WorldView w;
  w.nodes = {Node(0, "controller-1", view::NodeRole::kController),
             Node(1, "broker-1", view::NodeRole::kBroker),
             Node(2, "broker-2", view::NodeRole::kBroker),
             Node(3, "external-client", view::NodeRole::kClient)};
  AddExternalClients(w, {{1, "127.0.0.1:50001", "rdkafka"},
                         {2, "127.0.0.1:50002", "rdkafka"},
                         {2, "127.0.0.1:50003", "rdkafka"},
                         {1, "10.0.0.7:41000", ""},
                         {2, "127.0.0.1:50009", "python-producer"}});
  REQUIRE(w.nodes.size() == 7);
  const view::NodeView& kcat = w.nodes[4];
  CHECK(kcat.name == "rdkafka@127.0.0.1");
  CHECK(kcat.role == view::NodeRole::kClient);
  CHECK(kcat.index == kNoNode);
  CHECK(kcat.state == NodeState::kRunning);
  CHECK(kcat.external());
  CHECK(kcat.external_brokers == std::vector<int>{1, 2});
  CHECK(kcat.external_connections == std::vector<std::string>{"127.0.0.1:50001 -> broker-1",
                                                              "127.0.0.1:50002 -> broker-2",
                                                              "127.0.0.1:50003 -> broker-2"});
  CHECK(w.nodes[5].name == "10.0.0.7");  // no request yet: no client.id
  CHECK(w.nodes[6].name == "python-producer@127.0.0.1");
  CHECK_FALSE(w.nodes[3].external());
  // The map places them with the other clients, without an engine index.
  const ClusterLayout layout = LayoutMap(w, 1000, 700, 14);
  REQUIRE(layout.centers.size() == 7);
  CHECK(layout.centers[4].y == layout.centers[3].y);
  CHECK(layout.SlotOf(3) == 3);
}

// Two clusters mirroring each other (active/active): one arrow per flow, from the source's band
// to the worker in the target's band, the two apart; a worker that is down makes its arrow
// broken and says so. The topics table marks the remote topics with their source cluster.
TEST_CASE("cluster_layout: mirror flows run from the source band to the worker in the target's") {
  view::WorldView w;
  NodeIndex next = 0;
  for (const std::string cluster : {"eu-west", "us-east"}) {
    for (const std::string name : {"broker-1", "broker-2", "mirror-maker"}) {
      view::NodeView n =
          Node(next++, cluster + "/" + name,
               name == "mirror-maker" ? view::NodeRole::kClient : view::NodeRole::kBroker);
      n.cluster = cluster;
      w.nodes.push_back(n);
    }
  }
  view::MirrorFlowView east_to_west{"us-east", "eu-west",          2,    1200, 12,
                                    3,         {"us-east.cities"}, true, true, true};
  view::MirrorFlowView west_to_east{"eu-west", "us-east",          5,     40,   0,
                                    1,         {"eu-west.orders"}, false, true, true};
  w.mirror_flows = {east_to_west, west_to_east};
  const ClusterLayout layout = LayoutMap(w, 1200, 700, 14);
  REQUIRE(layout.regions.size() == 2);
  CHECK(layout.regions[0].name == "eu-west");
  const std::vector<MirrorArrow> arrows = MirrorArrows(w, layout, 14);
  REQUIRE(arrows.size() == 2);
  // us-east (the right band) to eu-west's worker: leaves us-east's left edge, ends at the worker.
  CHECK(arrows[0].from.x == layout.regions[1].rect.x0);
  CHECK(arrows[0].to.x > layout.centers[2].x - layout.radius - 1);
  CHECK(arrows[0].to.x < layout.regions[1].rect.x0);
  CHECK_FALSE(arrows[0].broken);
  CHECK(arrows[0].label == "from us-east: lag 12, 1200 copied");
  CHECK(arrows[0].tooltip.find("remote topics in eu-west: us-east.cities") != std::string::npos);
  // eu-west to us-east's worker (down): from eu-west's right edge, apart from the first arrow.
  CHECK(arrows[1].from.x == layout.regions[0].rect.x1);
  CHECK(arrows[1].from.y != arrows[0].from.y);
  CHECK(arrows[1].broken);
  CHECK(arrows[1].label == "from eu-west: stopped, worker down (lag 0)");
  CHECK(arrows[1].tooltip.find("not copying: the worker is down") != std::string::npos);
  // Each label on its target band's title line, at the band's right.
  CHECK(arrows[0].label_right.x < layout.regions[0].rect.x1);
  CHECK(arrows[0].label_right.x > layout.regions[0].rect.x0);
  CHECK(arrows[1].label_right.x < layout.regions[1].rect.x1);
  CHECK(arrows[1].label_right.y == arrows[0].label_right.y);

  view::TopicView remote;
  remote.name = "eu-west/us-east.cities";
  remote.partitions.push_back(view::PartitionView{});
  remote.partitions[0].topic = remote.name;
  view::TopicView own = remote;
  own.name = "us-east/cities";
  own.partitions[0].topic = own.name;
  w.topics = {remote, own};
  TopicsModel model;
  model.Update(w, 0.0);
  REQUIRE(model.rows().size() == 2);
  CHECK(model.rows()[0].cluster == "eu-west");
  CHECK(model.rows()[0].mirror_of == "us-east");
  CHECK(model.rows()[1].cluster == "us-east");
  CHECK(model.rows()[1].mirror_of.empty());
}

TEST_CASE("cluster_layout: twenty brokers wrap into rows of ten") {
  view::WorldView w;
  for (NodeIndex i = 0; i < 20; ++i) {
    w.nodes.push_back(Node(i, "broker-" + std::to_string(i + 1), view::NodeRole::kBroker));
  }
  const ClusterLayout layout = LayoutCluster(w, 1000, 400);
  CHECK(layout.centers[0].y == layout.centers[9].y);
  CHECK(layout.centers[10].y > layout.centers[9].y);
}

TEST_CASE("cluster_layout: a message moves from sender to receiver as time passes") {
  const Time sent = kTimeZero + Milliseconds(10), deliver = kTimeZero + Milliseconds(20);
  CHECK(MessageProgress(sent, deliver, kTimeZero) == 0.0f);
  CHECK(MessageProgress(sent, deliver, kTimeZero + Milliseconds(15)) == doctest::Approx(0.5));
  CHECK(MessageProgress(sent, deliver, kTimeZero + Seconds(1)) == 1.0f);
  const Point mid = Lerp({0, 0}, {10, 20}, 0.5f);
  CHECK(mid.x == 5);
  CHECK(mid.y == 10);
}

TEST_CASE("topics_model: a leader change highlights the row, then the glow fades") {
  TopicsModel model;
  model.Update(OnePartition(1, {1, 2, 3}), 0.0);
  REQUIRE(model.rows().size() == 1);
  CHECK(model.rows()[0].name == "cities-0");
  CHECK(model.rows()[0].replicas == "1,2,3");
  CHECK(model.rows()[0].highlight == 0);  // first sight is not a change
  model.Update(OnePartition(2, {2, 3}), 1.0);
  CHECK(model.rows()[0].highlight == doctest::Approx(1.0));
  CHECK(model.rows()[0].under_replicated);
  CHECK(model.rows()[0].isr == "2,3");
  model.Update(OnePartition(2, {2, 3}), 2.0);
  CHECK(model.rows()[0].highlight == doctest::Approx(0.5));
  model.Update(OnePartition(2, {2, 3}), 5.0);
  CHECK(model.rows()[0].highlight == 0);
  model.Update(OnePartition(-1, {}), 6.0);
  CHECK(model.rows()[0].offline);
}

TEST_CASE("topics_model: rows kept from frame to frame read as rows built afresh") {
  // Rows are rewritten only where a partition changed; whatever changes (a leader, the ISR, a
  // reassignment, a topic added in front, fewer partitions), each row must read as a model
  // that sees the world for the first time would write it.
  auto world = [](int step) {
    view::WorldView w;
    const std::vector<std::string> names =
        step < 3 ? std::vector<std::string>{"cities"} : std::vector<std::string>{"a", "cities"};
    for (const std::string& name : names) {
      view::TopicView t;
      t.name = name;
      const int partitions = step == 4 ? 2 : 3;
      for (int i = 0; i < partitions; ++i) {
        view::PartitionView p;
        p.topic = name;
        p.partition = i;
        p.leader = step >= 1 && i == 1 ? 2 : 1;
        p.replicas = step >= 2 && i == 2 ? std::vector<int>{4, 5, 6} : std::vector<int>{1, 2, 3};
        p.isr = step >= 1 && i == 0 ? std::vector<int>{1, 3} : p.replicas;
        t.partitions.push_back(p);
      }
      w.topics.push_back(t);
    }
    return w;
  };
  TopicsModel kept;
  for (int step = 0; step <= 4; ++step) {
    CAPTURE(step);
    kept.Update(world(step), step);
    TopicsModel fresh;
    fresh.Update(world(step), step);
    REQUIRE(kept.rows().size() == fresh.rows().size());
    for (std::size_t i = 0; i < kept.rows().size(); ++i) {
      const PartitionRow& a = kept.rows()[i];
      const PartitionRow& b = fresh.rows()[i];
      CHECK(a.name == b.name);
      CHECK(a.topic == b.topic);
      CHECK(a.replicas == b.replicas);
      CHECK(a.isr == b.isr);
      CHECK(a.elr == b.elr);
      CHECK(a.leader == b.leader);
    }
  }
}

// Snapshots built from one metadata image (equal valid sources) hold the same lists, so the
// rows are not compared again; a snapshot from another source always is, even when all but the
// world that built it look alike (another run of the same scenario).
TEST_CASE("topics_model: rows of an unchanged source are kept, another world's are compared") {
  const auto world = [](std::uint64_t serial, int leader) {
    view::WorldView w = OnePartition(leader, {1, 2, 3});
    w.topics_source = {true, serial, 3, 1, 40, ""};
    return w;
  };
  TopicsModel model;
  model.Update(world(1, 1), 0.0);
  model.Update(world(1, 1), 0.5);
  CHECK(model.rows()[0].leader == 1);
  CHECK(model.rows()[0].highlight == 0);
  model.Update(world(2, 2), 1.0);  // another run, at the same image point: compared
  CHECK(model.rows()[0].leader == 2);
  CHECK(model.rows()[0].highlight == doctest::Approx(1.0));
  model.Update(world(2, 2), 2.0);  // kept: the glow still fades
  CHECK(model.rows()[0].leader == 2);
  CHECK(model.rows()[0].highlight == doctest::Approx(0.5));
  model.Reset();
  model.Update(world(2, 3), 3.0);  // after a reset nothing is taken as kept
  CHECK(model.rows()[0].leader == 3);
  CHECK(model.rows()[0].highlight == 0);
}

TEST_CASE("topics_model: a leader whose broker is not running is marked down until fenced") {
  view::WorldView w = OnePartition(1, {1, 2, 3});
  for (int id = 1; id <= 3; ++id) {
    view::NodeView n;
    n.id = id;
    n.role = view::NodeRole::kBroker;
    n.state = id == 1 ? NodeState::kCrashed : NodeState::kRunning;
    w.nodes.push_back(n);
  }
  TopicsModel model;
  model.Update(w, 0.0);
  CHECK(model.rows()[0].leader_down);
  CHECK_FALSE(model.rows()[0].offline);
  w.nodes[0].state = NodeState::kRunning;
  model.Update(w, 1.0);
  CHECK_FALSE(model.rows()[0].leader_down);
}

TEST_CASE("event_filter: frequent kinds are hidden unless asked for") {
  std::vector<TraceEvent> trace = {
      Event(0, "broker-1", "produce.append", "appended 1 record(s) to cities-0"),
      Event(1, "broker-1", "isr.shrink", "removed broker-3 from the ISR of cities-0")};
  EventFilter filter;
  EventFilterSpec spec;
  filter.Update(trace, spec);
  CHECK(filter.matches() == std::vector<std::size_t>{1});
  spec.frequent = true;
  filter.Update(trace, spec);
  CHECK(filter.matches() == std::vector<std::size_t>{0, 1});
}

TEST_CASE("event_filter: node, kind prefix and partition narrow the log incrementally") {
  std::vector<TraceEvent> trace = {
      Event(0, "broker-1", "isr.shrink", "removed broker-3 from the ISR of cities-1"),
      Event(1, "broker-2", "partition.leader", "became leader of cities-10 at leader_epoch 1"),
      Event(2, "broker-1", "isr.expand", "added broker-3 to the ISR of cities-1")};
  EventFilter filter;
  EventFilterSpec spec;
  spec.partition = "cities-1";
  filter.Update(trace, spec);
  CHECK(filter.matches() == std::vector<std::size_t>{0, 2});  // not cities-10
  spec.kind = "isr.s";
  filter.Update(trace, spec);
  CHECK(filter.matches() == std::vector<std::size_t>{0});
  spec = {};
  spec.node = "broker-2";
  filter.Update(trace, spec);
  CHECK(filter.matches() == std::vector<std::size_t>{1});
  trace.push_back(Event(3, "broker-2", "node.crash", "crashed"));
  filter.Update(trace, spec);
  CHECK(filter.matches() == std::vector<std::size_t>{1, 3});
  CHECK(filter.RowAtOrBefore(2) == 0);
  CHECK(filter.RowAtOrBefore(0) == -1);
  trace.resize(1);  // a rewind shortened the trace
  filter.Update(trace, spec);
  CHECK(filter.matches().empty());
}

TEST_CASE("timeline_model: faults, elections, narration and broken guarantees become markers") {
  const std::vector<TraceEvent> trace = {
      Event(0, "broker-1", std::string(scenario::trace_kind::kNodeCrash), "crashed"),
      Event(1, "broker-2", std::string(kafka::trace_kind::kPartitionLeader), "leads"),
      Event(2, "narrator", std::string(scenario::trace_kind::kScenarioSay), "watch"),
      Event(3, "broker-2", std::string(kafka::trace_kind::kProduceAppend), "appended"),
      Event(4, "guarantee", std::string(scenario::trace_kind::kGuaranteeBroken), "BROKEN"),
      Event(5, "", "link.cut", "a kind nothing emits")};
  TimelineModel model;
  model.Update(trace);
  REQUIRE(model.markers().size() == 4);
  CHECK(model.markers()[0].kind == MarkerKind::kFault);
  CHECK(model.markers()[1].kind == MarkerKind::kElection);
  CHECK(model.markers()[2].kind == MarkerKind::kNarration);
  CHECK(model.markers()[3].kind == MarkerKind::kCheck);
  CHECK(model.markers()[3].event_index == 4);
  CHECK(model.markers()[1].label == "t=0.010s broker-2 leads");
}

TEST_CASE("timeline_model: every marked kind is a kind some module declares and emits") {
  REQUIRE_FALSE(MarkerRules().empty());
  for (const MarkerRule& rule : MarkerRules()) {
    CAPTURE(rule.kind);
    CHECK(scenario::IsDeclaredKind(rule.kind));
    CHECK_FALSE(scenario::IsFrequentKind(rule.kind));  // it would bury the timeline
    CHECK(ClassifyEvent(Event(0, "", std::string(rule.kind), "")) == rule.marker);
  }
}

TEST_CASE("timeline_model: every fault the scenario injects and every broken guarantee is marked") {
  namespace kind = scenario::trace_kind;
  for (std::string_view k : {kind::kNodeCrash, kind::kNodeKill, kind::kNodeRestart,
                             kind::kNetworkCut, kind::kNetworkHeal, kind::kNetworkIsolate,
                             kind::kNetworkHealAll, kind::kNetworkSlow, kind::kNetworkPartition}) {
    CAPTURE(k);
    CHECK(ClassifyEvent(Event(0, "", std::string(k), "")) == MarkerKind::kFault);
  }
  CHECK(ClassifyEvent(Event(0, "", std::string(kind::kGuaranteeBroken), "")) == MarkerKind::kCheck);
  CHECK(ClassifyEvent(Event(0, "", std::string(kind::kExpectFail), "")) == MarkerKind::kCheck);
  CHECK_FALSE(ClassifyEvent(Event(0, "", std::string(kafka::trace_kind::kProduceAppend), "")));
}

TEST_CASE("timeline_model: time and pixels map both ways and clamp at the ends") {
  const Time begin = kTimeZero, end = kTimeZero + Seconds(10);
  CHECK(TimeToX(kTimeZero + Seconds(5), begin, end, 100, 200) == doctest::Approx(200));
  CHECK(TimeToX(kTimeZero + Seconds(50), begin, end, 100, 200) == doctest::Approx(300));
  CHECK(XToTime(150, begin, end, 100, 200) == kTimeZero + Milliseconds(2500));
  CHECK(XToTime(0, begin, end, 100, 200) == begin);
}

TEST_CASE("metric_history: samples once per interval, halves when full, forgets the future") {
  MetricHistory history(4, Milliseconds(100));
  for (int i = 0; i <= 10; ++i) {
    history.Record(kTimeZero + Milliseconds(50 * i), {{"UnderReplicatedPartitions", i}});
  }
  const MetricSeries& s = history.series().at("UnderReplicatedPartitions");
  CHECK(s.times.size() <= 4);
  CHECK(s.values.front() == 0);
  CHECK(history.interval() > Milliseconds(100));
  history.Record(kTimeZero + Milliseconds(100), {{"UnderReplicatedPartitions", 1}});
  const MetricSeries& after = history.series().at("UnderReplicatedPartitions");
  CHECK(after.times.back() <= kTimeZero + Milliseconds(100));
}

TEST_CASE("playback: speed scales wall time into virtual time, within the limits") {
  CHECK(PlaybackTarget(kTimeZero, 0.02, 1.0) == kTimeZero + Milliseconds(20));
  CHECK(PlaybackTarget(kTimeZero, 0.02, 0.01) == kTimeZero + Microseconds(200));
  CHECK(PlaybackTarget(kTimeZero, 5.0, 1.0) == kTimeZero + Milliseconds(100));  // stalled frame
  CHECK(FormatSpeed(0.01) == "1/100x");
  CHECK(FormatSpeed(0.25) == "1/4x");
  CHECK(FormatSpeed(1) == "1x");
  CHECK(FormatSpeed(25) == "25x");
}

TEST_CASE(
    "playback: virtual time a frame's budget did not reach is made up by the next frames, up to "
    "a quarter second of play ahead") {
  const Time t0 = kTimeZero + Seconds(19);
  const double frame = 1.0 / 60;
  // Play begins where the world is.
  Time clock = PlaybackClock(std::nullopt, t0, frame, 1.0);
  CHECK(clock == PlaybackTarget(t0, frame, 1.0));
  // The world reached only 5 ms of that frame: the clock keeps going from where it was, not
  // from where the world stopped, so the next frame's target holds the missing 11.7 ms too.
  const Time behind = t0 + Milliseconds(5);
  const Time next = PlaybackClock(clock, behind, frame, 1.0);
  CHECK(next == PlaybackTarget(clock, frame, 1.0));
  CHECK(next - behind > PlaybackTarget(behind, frame, 1.0) - behind);
  // A world that keeps falling behind plays slower instead of racing later: the clock stays
  // within 250 ms of play (at 4x, one virtual second) of the world.
  Time far = t0;
  for (int i = 0; i < 1000; ++i) far = PlaybackClock(far, t0, frame, 1.0);
  CHECK(far == t0 + Milliseconds(250));
  CHECK(PlaybackClock(t0 + Seconds(9), t0, frame, 4.0) == t0 + Seconds(1));
  // A world ahead of the clock (a step or a jump while playing) is where play goes on from.
  CHECK(PlaybackClock(t0, t0 + Seconds(2), frame, 1.0) ==
        PlaybackTarget(t0 + Seconds(2), frame, 1.0));
}

TEST_CASE("check status: an undecided expectation is pending with its deadline, not holding") {
  view::CheckView c;
  c.name = "leader of cities-0 is not broker-1";
  c.deadline = kTimeZero + Seconds(30);
  CHECK(StatusOf(c) == CheckStatus::kPending);
  CHECK(std::string(StatusName(StatusOf(c))) == "pending");
  CHECK(StatusLine(c, StatusOf(c)) == "decided by t=30.000s");
  c.deadline = kTimeMax;
  CHECK(StatusLine(c, StatusOf(c)) == "decided when the run ends");
}

TEST_CASE("check status: a continuous guarantee holds until it breaks") {
  view::CheckView c;
  c.name = "no acknowledged write lost";
  c.continuous = true;
  c.detail = "120 acknowledged records present";
  CHECK(StatusOf(c) == CheckStatus::kHolding);
  CHECK(StatusLine(c, CheckStatus::kHolding) == "120 acknowledged records present");
}

TEST_CASE("check status: passed and failed name the time, what was seen and what was expected") {
  view::CheckView c;
  c.name = "ISR of cities-0 is [2,3]";
  c.settled = true;
  c.broken_at = kTimeZero + Milliseconds(18540);
  c.seen = "ISR [2,3]";
  CHECK(StatusOf(c) == CheckStatus::kPassed);
  CHECK(StatusLine(c, CheckStatus::kPassed) == "passed at t=18.540s (ISR [2,3])");
  c.ok = false;
  c.seen = "ISR [1,2,3]";
  CHECK(StatusOf(c) == CheckStatus::kFailed);
  CHECK(std::string(StatusName(CheckStatus::kFailed)) == "FAILED");
  CHECK(StatusLine(c, CheckStatus::kFailed) ==
        "expected ISR of cities-0 is [2,3], but saw ISR [1,2,3] (t=18.540s)");
}

TEST_CASE("timeline: ticks fall on round times, 1, 2 or 5 times a power of ten") {
  CHECK(TickStep(Seconds(95), 11) == Seconds(10));
  CHECK(TickStep(Seconds(95), 20) == Seconds(5));
  CHECK(TickStep(Seconds(60), 3) == Seconds(20));
  CHECK(TickStep(Milliseconds(1500), 10) == Milliseconds(200));
  CHECK(TickStep(Milliseconds(3), 10) == Milliseconds(1));  // never finer than a millisecond
}

}  // namespace
}  // namespace kafkasim::gui
