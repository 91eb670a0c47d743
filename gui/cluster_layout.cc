// Cluster map geometry: rows by role, messages interpolated along their link.
#include "gui/cluster_layout.h"

#include <algorithm>

#include "engine/assert.h"

namespace kafkasim::gui {

int ClusterLayout::SlotOf(NodeIndex index) const {
  if (index == kNoNode || index >= slot_of_index.size()) return -1;
  return slot_of_index[index];
}

int ClusterLayout::NodeAt(Point p) const {
  for (std::size_t i = 0; i < centers.size(); ++i) {
    const float dx = p.x - centers[i].x, dy = p.y - centers[i].y;
    if (dx * dx + dy * dy <= radius * radius) return static_cast<int>(i);
  }
  return -1;
}

ClusterLayout LayoutCluster(const view::WorldView& world, float width, float height,
                            float label_height) {
  std::vector<int> top, brokers, bottom;  // positions in world.nodes
  for (std::size_t i = 0; i < world.nodes.size(); ++i) {
    const auto role = world.nodes[i].role;
    const int slot = static_cast<int>(i);
    if (role == view::NodeRole::kController || role == view::NodeRole::kZooKeeper) {
      top.push_back(slot);
    } else if (role == view::NodeRole::kClient) {
      bottom.push_back(slot);
    } else {
      brokers.push_back(slot);
    }
  }
  std::vector<std::vector<int>> rows;
  if (!top.empty()) rows.push_back(top);
  for (std::size_t i = 0; i < brokers.size(); i += kBrokersPerRow) {
    const auto end = std::min(brokers.size(), i + kBrokersPerRow);
    rows.emplace_back(brokers.begin() + static_cast<std::ptrdiff_t>(i),
                      brokers.begin() + static_cast<std::ptrdiff_t>(end));
  }
  if (!bottom.empty()) rows.push_back(bottom);

  ClusterLayout layout;
  layout.centers.resize(world.nodes.size());
  NodeIndex index_max = 0;
  for (const auto& node : world.nodes) {
    if (node.index != kNoNode) index_max = std::max(index_max, node.index);
  }
  layout.slot_of_index.assign(world.nodes.empty() ? 0 : index_max + 1, -1);
  for (std::size_t i = 0; i < world.nodes.size(); ++i) {
    if (world.nodes[i].index != kNoNode) {
      layout.slot_of_index[world.nodes[i].index] = static_cast<int>(i);
    }
  }
  if (rows.empty()) return layout;

  std::size_t widest = 1;
  for (const auto& row : rows) widest = std::max(widest, row.size());
  const float row_height = height / static_cast<float>(rows.size());
  const float column_width = width / static_cast<float>(widest);
  const float circle_room = std::max(row_height - label_height, row_height * 0.3f);
  layout.radius = std::clamp(std::min(circle_room * 0.4f, column_width * 0.28f), 4.0f, 48.0f);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const float y = row_height * static_cast<float>(r) + circle_room * 0.5f;
    const float pitch = width / static_cast<float>(rows[r].size());
    for (std::size_t c = 0; c < rows[r].size(); ++c) {
      const float x = pitch * (static_cast<float>(c) + 0.5f);
      layout.centers[static_cast<std::size_t>(rows[r][c])] = {x, y};
    }
  }
  KSIM_ASSERT(layout.radius > 0);
  return layout;
}

int MapLabelLines(const view::WorldView& world) { return world.groups.empty() ? 2 : 3; }

ClusterLayout LayoutMap(const view::WorldView& world, float width, float height, float font) {
  const float banner = MapBannerHeight(font);
  const float legend = font * 1.4f;
  const float labels = font * (static_cast<float>(MapLabelLines(world)) + 0.2f) + 2;
  ClusterLayout layout =
      LayoutCluster(world, width, std::max(height - banner - legend, 1.0f), labels);
  for (Point& c : layout.centers) c.y += banner;
  return layout;
}

float MessageProgress(Time sent_at, Time deliver_at, Time now) {
  if (deliver_at <= sent_at) return now >= deliver_at ? 1.0f : 0.0f;
  const double t =
      static_cast<double>((now - sent_at).ns) / static_cast<double>((deliver_at - sent_at).ns);
  return static_cast<float>(std::clamp(t, 0.0, 1.0));
}

Point Lerp(Point a, Point b, float t) { return {a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t}; }

}  // namespace kafkasim::gui
