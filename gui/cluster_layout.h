// Where the cluster map puts each node and each message in flight: plain geometry, no ImGui,
// so the layout can be tested without a window.
#pragma once

#include <cstddef>
#include <vector>

#include "scenario/world_view.h"

namespace kafkasim::gui {

struct Point {
  float x = 0;
  float y = 0;
};

struct ClusterLayout {
  std::vector<Point> centers;      // by position in WorldView::nodes, canvas coordinates
  std::vector<int> slot_of_index;  // NodeIndex -> position in WorldView::nodes, -1 if absent
  float radius = 20;               // node circle radius

  // Position in WorldView::nodes of the node `index`, or -1.
  int SlotOf(NodeIndex index) const;
  // The node under canvas point `p`, or -1.
  int NodeAt(Point p) const;
};

// Rows from top to bottom: controllers and ZooKeeper servers, brokers (and combined nodes,
// wrapped at kBrokersPerRow), clients. Each row is centred in a `width` x `height` canvas.
constexpr int kBrokersPerRow = 10;
// `label_height` is kept free under every circle for the node's two label lines.
ClusterLayout LayoutCluster(const view::WorldView& world, float width, float height,
                            float label_height = 0);

// The cluster map's canvas (`width` x `height`, text `font` pixels high): a line at the top
// kept for banners (a network partition, a ZooKeeper ensemble without quorum), the legend's
// line at the bottom, and under every circle its name and role, plus a third line for the
// coordinator badge when the world has consumer groups. Centers in canvas coordinates.
ClusterLayout LayoutMap(const view::WorldView& world, float width, float height, float font);
// The height of the banner line LayoutMap keeps at the top, for `font`.
inline float MapBannerHeight(float font) { return font * 1.4f; }
// The number of label lines LayoutMap keeps under every circle.
int MapLabelLines(const view::WorldView& world);

// How far along its link a message is at `now`, in [0, 1].
float MessageProgress(Time sent_at, Time deliver_at, Time now);
Point Lerp(Point a, Point b, float t);

}  // namespace kafkasim::gui
