// The cluster map's broker boxes and replica chips: what each chip says, and that boxes,
// chips and node labels never overlap, from a small cluster to 20 brokers x 500 partitions.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "gui/cluster_layout.h"
#include "gui/replica_map_model.h"

namespace kafkasim::gui {
namespace {

view::NodeView Node(NodeIndex index, std::string name, view::NodeRole role, int id = -1) {
  view::NodeView n;
  n.index = index;
  n.name = std::move(name);
  n.role = role;
  n.id = id;
  n.state = NodeState::kRunning;
  return n;
}

view::ReplicaLogView Log(int broker, bool online, std::int64_t leo, std::int64_t hw = 0) {
  view::ReplicaLogView log;
  log.broker_id = broker;
  log.online = online;
  log.log_end_offset = leo;
  log.high_watermark = hw;
  return log;
}

view::PartitionView Partition(std::string topic, int index, int leader, std::vector<int> replicas,
                              std::vector<int> isr) {
  view::PartitionView p;
  p.topic = std::move(topic);
  p.partition = index;
  p.leader = leader;
  p.replicas = std::move(replicas);
  p.isr = std::move(isr);
  for (int r : p.replicas) p.logs.push_back(Log(r, true, 100, 90));
  return p;
}

// A world of `brokers` brokers (ids 1..n), three controllers, two clients and one topic of
// `partitions` partitions at replication factor 3.
view::WorldView Cluster(int brokers, int partitions) {
  view::WorldView w;
  NodeIndex index = 0;
  for (int c = 1; c <= 3; ++c) {
    w.nodes.push_back(
        Node(index++, "controller-" + std::to_string(c), view::NodeRole::kController, 1000 + c));
  }
  for (int b = 1; b <= brokers; ++b) {
    w.nodes.push_back(Node(index++, "broker-" + std::to_string(b), view::NodeRole::kBroker, b));
  }
  w.nodes.push_back(Node(index++, "producer-1", view::NodeRole::kClient));
  w.nodes.push_back(Node(index++, "consumer-1", view::NodeRole::kClient));
  view::TopicView t;
  t.name = "orders";
  for (int p = 0; p < partitions; ++p) {
    const int a = p % brokers + 1, b = (p + 1) % brokers + 1, c = (p + 2) % brokers + 1;
    t.partitions.push_back(Partition("orders", p, a, {a, b, c}, {a, b, c}));
  }
  w.topics.push_back(t);
  return w;
}

TEST_CASE("replica chips: leader, in-sync, out-of-sync with its lag, ELR and offline") {
  view::WorldView w;
  view::TopicView t;
  t.name = "cities";
  view::PartitionView p = Partition("cities", 0, 1, {1, 2, 3, 4}, {1, 2});
  p.elr = {4};
  p.logs[1] = Log(2, false, 0);   // broker-2 is down
  p.logs[2] = Log(3, true, 40);   // 60 records behind the leader's 100
  p.logs[3] = Log(4, true, 100);  // in the ELR
  t.partitions.push_back(p);
  w.topics.push_back(t);
  view::TopicView internal;
  internal.name = "__consumer_offsets";
  internal.partitions.push_back(Partition("__consumer_offsets", 0, 1, {1}, {1}));
  w.topics.push_back(internal);

  const auto chips = ReplicaChipsByBroker(w, kUserTopics);
  REQUIRE(chips.size() == 4);
  REQUIRE(chips.at(1).size() == 1);  // __consumer_offsets is left out by default
  CHECK(chips.at(1)[0].kind == ChipKind::kLeader);
  CHECK(chips.at(1)[0].lag == -1);
  CHECK(chips.at(2)[0].kind == ChipKind::kOffline);
  CHECK_FALSE(chips.at(2)[0].log_known);
  CHECK(chips.at(3)[0].kind == ChipKind::kOutOfSync);
  CHECK(chips.at(3)[0].lag == 60);
  CHECK(chips.at(4)[0].kind == ChipKind::kEligible);
  CHECK(ChipText(chips.at(3)[0], false) == "cities-0 lag 60");
  CHECK(ChipText(chips.at(3)[0], true) == "0 lag 60");
  CHECK(ChipText(chips.at(4)[0], false) == "cities-0 ELR");
  CHECK(ChipText(chips.at(1)[0], false) == "cities-0");
  // An offline replica's tooltip says where its data is, not "log end 0".
  const std::string offline = ChipTooltip(chips.at(2)[0], "broker-2");
  CHECK(offline.find("stays on its disk") != std::string::npos);
  CHECK(offline.find("LEO") == std::string::npos);
  CHECK(ChipTooltip(chips.at(3)[0], "broker-3").find("log start 0  HW 0  LEO 40") !=
        std::string::npos);

  const auto all = ReplicaChipsByBroker(w, kAllTopics);
  REQUIRE(all.at(1).size() == 2);
  CHECK(ReplicaChipsByBroker(w, "__consumer_offsets").at(1).size() == 1);
  CHECK(ReplicaChipsByBroker(w, "nope").empty());
  CHECK(MoreChipText(180) == "+180 more");
}

TEST_CASE("replica chips: the worst state comes first, then topic and partition") {
  view::WorldView w;
  view::TopicView t;
  t.name = "a";
  t.partitions.push_back(Partition("a", 0, 2, {1, 2}, {1, 2}));  // broker-1 follows
  t.partitions.push_back(Partition("a", 1, 1, {1, 2}, {1, 2}));  // broker-1 leads
  view::PartitionView lagging = Partition("a", 2, 2, {1, 2}, {2});
  lagging.logs[0] = Log(1, true, 10);
  t.partitions.push_back(lagging);
  w.topics.push_back(t);
  const auto chips = ReplicaChipsByBroker(w, kUserTopics).at(1);
  REQUIRE(chips.size() == 3);
  CHECK(chips[0].partition == "a-2");
  CHECK(chips[0].kind == ChipKind::kOutOfSync);
  CHECK(chips[1].partition == "a-1");
  CHECK(chips[2].partition == "a-0");
}

TEST_CASE("chip placement: chips flow inside their area, and a summary stands for the rest") {
  const Rect area{10, 20, 210, 100};
  std::vector<float> widths(500, 45.0f);
  const ChipPlacement placed = PlaceChips(area, widths, 16, 4, 70);
  REQUIRE_FALSE(placed.more.empty());
  CHECK(placed.hidden + placed.chips.size() == widths.size());
  CHECK(placed.hidden > 400);
  std::vector<Rect> all = placed.chips;
  all.push_back(placed.more);
  for (std::size_t i = 0; i < all.size(); ++i) {
    CHECK(all[i].Inside(area));
    for (std::size_t j = i + 1; j < all.size(); ++j) CHECK_FALSE(all[i].Overlaps(all[j]));
  }
  // Everything fits: no summary.
  const ChipPlacement few = PlaceChips(area, {45, 45, 45}, 16, 4, 70);
  CHECK(few.chips.size() == 3);
  CHECK(few.more.empty());
  CHECK(few.hidden == 0);
  // Not even the summary fits: nothing is drawn, all are hidden.
  const ChipPlacement tiny = PlaceChips({0, 0, 30, 10}, {45}, 16, 4, 70);
  CHECK(tiny.chips.empty());
  CHECK(tiny.hidden == 1);
}

// The rectangle a circle node's name and role lines take (the font's glyphs at most 0.62 em).
Rect CircleWithLabels(const ClusterLayout& layout, const view::WorldView& w, std::size_t i,
                      float font) {
  const Point c = layout.centers[i];
  const float half =
      std::max(layout.radius, static_cast<float>(w.nodes[i].name.size()) * font * 0.31f);
  return {c.x - half, c.y - layout.radius, c.x + half,
          c.y + layout.radius + 2 + font * static_cast<float>(layout.label_lines)};
}

TEST_CASE("map layout: broker boxes, circles and labels never overlap, on any canvas") {
  for (const auto& [brokers, partitions] : {std::pair{3, 3}, {5, 50}, {20, 500}, {100, 1000}}) {
    const view::WorldView w = Cluster(brokers, partitions);
    for (const auto& [width, height, font] : {std::tuple{800.0f, 400.0f, 13.0f},
                                              {1600.0f, 900.0f, 20.0f},
                                              {1280.0f, 720.0f, 26.0f},
                                              {1900.0f, 560.0f, 30.0f}}) {
      CAPTURE(brokers);
      CAPTURE(width);
      CAPTURE(font);
      const ClusterLayout layout = LayoutMap(w, width, height, font);
      const Rect canvas{0, MapBannerHeight(font), width, height - layout.legend_height};
      std::vector<Rect> shapes;
      for (std::size_t i = 0; i < w.nodes.size(); ++i) {
        const bool broker = w.nodes[i].role == view::NodeRole::kBroker;
        CHECK(layout.IsBox(static_cast<int>(i)) == broker);
        const Rect r = broker ? layout.boxes[i] : CircleWithLabels(layout, w, i, font);
        CHECK(r.Inside(canvas));
        if (broker && layout.IsTile(static_cast<int>(i))) {
          // Too many brokers for boxes with a name line: every broker is a tile, no chips.
          CHECK(brokers >= 20);
          CHECK(layout.chip_areas[i].empty());
          CHECK(layout.NodeAt(layout.centers[i]) == static_cast<int>(i));
        } else if (broker) {
          const Rect& chips = layout.chip_areas[i];
          CHECK((chips.empty() || chips.Inside(r)));
          // A box holds at least its name line: 100 boxes never shrink below it.
          CHECK(r.y1 - r.y0 >= font * 1.2f);
          // Room for at least one row of chips wherever the canvas allows it.
          if (brokers <= 5 || (brokers <= 20 && font <= 20)) {
            CHECK(chips.y1 - chips.y0 >= font * 1.25f);
          }
          CHECK(layout.NodeAt(layout.centers[i]) == static_cast<int>(i));
        }
        shapes.push_back(r);
      }
      // Tiles for all brokers or for none; 100 brokers in a small canvas are tiles.
      const auto tiles = std::count(layout.tiles.begin(), layout.tiles.end(), true);
      CHECK((tiles == 0 || tiles == brokers));
      if (brokers == 100 && width <= 800) CHECK(tiles == brokers);
      if (brokers <= 5) CHECK(tiles == 0);
      for (std::size_t i = 0; i < shapes.size(); ++i) {
        for (std::size_t j = i + 1; j < shapes.size(); ++j) {
          CAPTURE(i);
          CAPTURE(j);
          CHECK_FALSE(shapes[i].Overlaps(shapes[j]));
        }
      }
    }
  }
}

TEST_CASE("map layout: several clusters each get a band that holds all their nodes") {
  // us-east: 3 controllers, 5 brokers, 2 clients; eu-west: the same with 3 brokers.
  view::WorldView w = Cluster(5, 10);
  for (auto& n : w.nodes) {
    n.cluster = "us-east";
    n.name = n.role == view::NodeRole::kClient ? n.name + "-east" : "us-east/" + n.name;
  }
  const view::WorldView west = Cluster(3, 3);
  for (view::NodeView n : west.nodes) {
    n.cluster = "eu-west";
    n.index += 100;
    n.name = n.role == view::NodeRole::kClient ? n.name + "-west" : "eu-west/" + n.name;
    w.nodes.push_back(n);
  }
  for (const auto& [width, height, font] :
       {std::tuple{1600.0f, 900.0f, 20.0f}, {1280.0f, 720.0f, 26.0f}, {800.0f, 400.0f, 13.0f}}) {
    CAPTURE(width);
    CAPTURE(font);
    const ClusterLayout layout = LayoutMap(w, width, height, font);
    REQUIRE(layout.regions.size() == 2);
    CHECK(layout.regions[0].name == "us-east");  // in the order their nodes come
    CHECK(layout.regions[1].name == "eu-west");
    CHECK_FALSE(layout.regions[0].rect.Overlaps(layout.regions[1].rect));
    // The band with more brokers is the wider.
    CHECK(layout.regions[0].rect.x1 - layout.regions[0].rect.x0 >
          layout.regions[1].rect.x1 - layout.regions[1].rect.x0);
    // In its band a node's label leaves out the cluster the band names ("controller-1").
    view::WorldView shown = w;
    for (auto& n : shown.nodes) {
      if (n.name.rfind(n.cluster + "/", 0) == 0) n.name = n.name.substr(n.cluster.size() + 1);
    }
    for (std::size_t i = 0; i < w.nodes.size(); ++i) {
      CAPTURE(w.nodes[i].name);
      const Rect& band = layout.regions[w.nodes[i].cluster == "us-east" ? 0 : 1].rect;
      const bool broker = w.nodes[i].role == view::NodeRole::kBroker;
      Rect r = broker ? layout.boxes[i] : CircleWithLabels(layout, shown, i, font);
      if (!broker) {  // a label is cut to its room (FitLabel), at most the row's pitch
        const float half = std::max(layout.radius, layout.label_room[i] / 2);
        r.x0 = std::max(r.x0, layout.centers[i].x - half);
        r.x1 = std::min(r.x1, layout.centers[i].x + half);
      }
      CHECK(r.Inside(band));
      CHECK(layout.NodeAt(layout.centers[i]) == static_cast<int>(i));
    }
  }
  // One cluster (or none named): no bands.
  CHECK(LayoutMap(Cluster(3, 3), 1600, 900, 20).regions.empty());
}

TEST_CASE("map layout: messages leave and reach a box at its edge") {
  const view::WorldView w = Cluster(3, 3);
  const ClusterLayout layout = LayoutMap(w, 1200, 700, 16);
  const int broker = 3;  // broker-1
  REQUIRE(layout.IsBox(broker));
  const Rect& box = layout.boxes[broker];
  const Point far{layout.centers[broker].x, -1000};  // straight up
  const Point edge = layout.EdgeToward(broker, far);
  CHECK(edge.y == doctest::Approx(box.y0));
  CHECK(edge.x == doctest::Approx(layout.centers[broker].x));
  const int controller = 0;
  const Point c = layout.centers[controller];
  const Point on_circle = layout.EdgeToward(controller, {c.x + 500, c.y});
  CHECK(on_circle.x == doctest::Approx(c.x + layout.radius));
}

}  // namespace
}  // namespace kafkasim::gui
