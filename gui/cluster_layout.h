// Where the cluster map puts each node and each message in flight: plain geometry, no ImGui,
// so the layout can be tested without a window.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "scenario/world_view.h"

namespace kafkasim::gui {

struct Point {
  float x = 0;
  float y = 0;
};

struct Rect {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  bool empty() const { return x1 <= x0 || y1 <= y0; }
  bool Contains(Point p) const { return p.x >= x0 && p.x <= x1 && p.y >= y0 && p.y <= y1; }
  bool Inside(const Rect& outer) const {
    return x0 >= outer.x0 && y0 >= outer.y0 && x1 <= outer.x1 && y1 <= outer.y1;
  }
  // Whether the interiors intersect (touching edges do not count).
  bool Overlaps(const Rect& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
};

struct ClusterLayout {
  std::vector<Point> centers;      // by position in WorldView::nodes, canvas coordinates
  std::vector<int> slot_of_index;  // NodeIndex -> position in WorldView::nodes, -1 if absent
  float radius = 20;               // node circle radius
  // LayoutMap only: brokers (and combined nodes) are boxes, by position in WorldView::nodes;
  // an empty rect for a node drawn as a circle. `centers` holds each box's centre.
  std::vector<Rect> boxes;
  // Inside each box: its title (name and role lines, badge) and the area left for chips.
  std::vector<Rect> chip_areas;
  // LayoutMap: the legend's height at the bottom (0 on a canvas too short for it) and the label
  // lines under each circle and atop each box (1: the name only, on a short canvas).
  float legend_height = 0;
  int label_lines = 2;
  float label_below = 0;  // the height of the label lines under each circle
  // LayoutMap, by position in WorldView::nodes: a broker drawn as a tile. When there are too
  // many brokers for boxes that hold even their name line (100 brokers in a quarter of the
  // window), the brokers are small squares instead, with no chip area, and the map draws each
  // as its id in its state's colour (the rest is in its tooltip).
  std::vector<bool> tiles;
  // By position in WorldView::nodes: the widest a circle's label lines may be so that they
  // stay clear of their neighbours' (its row's pitch less a gap); 0 for a box.
  std::vector<float> label_room;
  // LayoutMap with several clusters: each cluster's band of the canvas, left to right, in the
  // order the clusters' nodes come; empty with one cluster.
  struct Region {
    std::string name;  // "us-east"
    Rect rect;
  };
  std::vector<Region> regions;

  // Position in WorldView::nodes of the node `index`, or -1.
  int SlotOf(NodeIndex index) const;
  // The node under canvas point `p`, or -1.
  int NodeAt(Point p) const;
  bool IsTile(int slot) const {
    return slot >= 0 && static_cast<std::size_t>(slot) < tiles.size() &&
           tiles[static_cast<std::size_t>(slot)];
  }
  bool AnyTile() const { return std::find(tiles.begin(), tiles.end(), true) != tiles.end(); }
  bool IsBox(int slot) const {
    return slot >= 0 && static_cast<std::size_t>(slot) < boxes.size() &&
           !boxes[static_cast<std::size_t>(slot)].empty();
  }
  // Where the straight line from node `slot`'s centre towards `toward` leaves its box or
  // circle: messages start and end there, not under the node.
  Point EdgeToward(int slot, Point toward) const;
};

// Rows from top to bottom: controllers and ZooKeeper servers, brokers (and combined nodes,
// wrapped at kBrokersPerRow), clients. Each row is centred in a `width` x `height` canvas.
constexpr int kBrokersPerRow = 10;
// `label_height` is kept free under every circle for the node's two label lines.
ClusterLayout LayoutCluster(const view::WorldView& world, float width, float height,
                            float label_height = 0);

// The cluster map's canvas (`width` x `height`, text `font` pixels high): a line at the top
// kept for banners (a network partition, no quorum), the legend's two lines at the bottom,
// controllers or ZooKeeper servers as circles in a row under the banner, clients as circles
// above the legend, and the brokers between them as boxes in a grid (their replicas' chips go
// in `chip_areas`). Under every circle, and at the top of every box, the node's name and
// role, plus a third line for the coordinator badge when the world has consumer groups.
// Centers in canvas coordinates. Boxes do not depend on the chips: only on the canvas, the
// font and the nodes.
ClusterLayout LayoutMap(const view::WorldView& world, float width, float height, float font);
// With several clusters (NodeView::cluster) LayoutMap gives each cluster a band of the canvas,
// as wide as its widest row needs, and lays out its nodes inside it as above; a node of no
// cluster (an external client) joins the last band.
// The height of the banner line LayoutMap keeps at the top, for `font`.
inline float MapBannerHeight(float font) { return font * 1.4f; }
// The height of the legend's lines LayoutMap keeps at the bottom (messages, then replicas).
inline float MapLegendHeight(float font) { return font * 2.8f; }
// The number of label lines LayoutMap keeps under every circle.
int MapLabelLines(const view::WorldView& world);

// Chips inside a broker's box: `widths` of the chips in display order, `height` of each, and
// `more_width` the width of the summary chip ("+180 more", sized for the most chips it can
// stand for) that replaces the chips that do not fit. Chips flow left to right and wrap;
// none overlaps another or leaves `area`; when not even the summary fits, nothing is shown.
struct ChipPlacement {
  std::vector<Rect> chips;  // the first chips.size() chips are shown
  Rect more;                // empty when every chip fits
  std::size_t hidden = 0;
};
ChipPlacement PlaceChips(const Rect& area, const std::vector<float>& widths, float height,
                         float gap, float more_width);

// A MirrorMaker 2 flow on a map of several clusters: an arrow from the source cluster's band to
// the worker node (in the target's band), with the flow's lag and what it copied. `broken` when
// the worker is down or cut from either cluster: the arrow is then dashed and says why.
struct MirrorArrow {
  Point from, to;  // canvas coordinates: the source band's edge, the worker's edge
  bool broken = false;
  std::string label;  // "from us-east: lag 12, 1204 copied"
  // Where the label ends (its top right corner): on the title line of the target's band, right
  // of the band's name, where nothing else is drawn; a second flow into the same band goes
  // under the first. The label may start no further left than `label_left` (the band's name
  // and a gap must be measured off it by the caller, which knows the font).
  Point label_right;
  float label_left = 0;
  std::string target;   // the band: "eu-west"
  std::string tooltip;  // the remote topics, checkpoints, why it is broken
};
// One arrow per flow whose source band and worker the layout has; flows between the same two
// bands are drawn apart (one above the worker's centre line, the next below).
std::vector<MirrorArrow> MirrorArrows(const view::WorldView& world, const ClusterLayout& layout,
                                      float font);

// How far along its link a message is at `now`, in [0, 1].
float MessageProgress(Time sent_at, Time deliver_at, Time now);
Point Lerp(Point a, Point b, float t);

}  // namespace kafkasim::gui
