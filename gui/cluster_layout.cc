// Cluster map geometry: rows by role, messages interpolated along their link.
#include "gui/cluster_layout.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "engine/assert.h"

namespace kafkasim::gui {

int ClusterLayout::SlotOf(NodeIndex index) const {
  if (index == kNoNode || index >= slot_of_index.size()) return -1;
  return slot_of_index[index];
}

int ClusterLayout::NodeAt(Point p) const {
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    if (!boxes[i].empty() && boxes[i].Contains(p)) return static_cast<int>(i);
  }
  for (std::size_t i = 0; i < centers.size(); ++i) {
    if (IsBox(static_cast<int>(i))) continue;
    const float dx = p.x - centers[i].x, dy = p.y - centers[i].y;
    if (dx * dx + dy * dy <= radius * radius) return static_cast<int>(i);
  }
  return -1;
}

Point ClusterLayout::EdgeToward(int slot, Point toward) const {
  KSIM_ASSERT(slot >= 0 && static_cast<std::size_t>(slot) < centers.size());
  const Point c = centers[static_cast<std::size_t>(slot)];
  const float dx = toward.x - c.x, dy = toward.y - c.y;
  if (dx == 0 && dy == 0) return c;
  if (IsBox(slot)) {
    const Rect& b = boxes[static_cast<std::size_t>(slot)];
    const float hw = (b.x1 - b.x0) / 2, hh = (b.y1 - b.y0) / 2;
    const float tx = dx != 0 ? hw / std::abs(dx) : 1e9f, ty = dy != 0 ? hh / std::abs(dy) : 1e9f;
    const float t = std::min({tx, ty, 1.0f});
    return {c.x + dx * t, c.y + dy * t};
  }
  if (dy > 0 && label_below > 0) {
    // Downwards a circle's labels stand in the way: leave from under them (or beside them).
    const float tx = dx != 0 ? radius / std::abs(dx) : 1e9f;
    const float t = std::min({tx, (radius + label_below) / dy, 1.0f});
    return {c.x + dx * t, c.y + dy * t};
  }
  const float length = std::sqrt(dx * dx + dy * dy);
  const float t = std::min(radius / length, 1.0f);
  return {c.x + dx * t, c.y + dy * t};
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
  layout.label_room.assign(world.nodes.size(), 0);
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
      layout.label_room[static_cast<std::size_t>(rows[r][c])] = pitch * 0.94f;
    }
  }
  KSIM_ASSERT(layout.radius > 0);
  return layout;
}

int MapLabelLines(const view::WorldView& world) { return world.groups.empty() ? 2 : 3; }

namespace {

// A row of circles centred at `y` across the canvas; each label may take its pitch less a gap.
void PlaceCircleRow(const std::vector<int>& row, float width, float y, float gap,
                    ClusterLayout& layout) {
  const float pitch = width / static_cast<float>(row.size());
  for (std::size_t c = 0; c < row.size(); ++c) {
    const auto slot = static_cast<std::size_t>(row[c]);
    layout.centers[slot] = {pitch * (static_cast<float>(c) + 0.5f), y};
    layout.label_room[slot] = std::max(pitch - gap, 1.0f);
  }
}

}  // namespace

namespace {
ClusterLayout LayoutOneMap(const view::WorldView& world, float width, float height, float font);
}  // namespace

ClusterLayout LayoutMap(const view::WorldView& world, float width, float height, float font) {
  std::vector<std::string> clusters;  // in the order their nodes come
  for (const view::NodeView& n : world.nodes) {
    if (!n.cluster.empty() &&
        std::find(clusters.begin(), clusters.end(), n.cluster) == clusters.end()) {
      clusters.push_back(n.cluster);
    }
  }
  if (clusters.size() < 2) return LayoutOneMap(world, width, height, font);
  // Each band as wide as its widest row of nodes needs.
  std::vector<std::vector<int>> slots(clusters.size());
  std::vector<float> weight(clusters.size(), 0);
  for (std::size_t i = 0; i < world.nodes.size(); ++i) {
    const auto it = std::find(clusters.begin(), clusters.end(), world.nodes[i].cluster);
    const auto band = it == clusters.end() ? clusters.size() - 1
                                           : static_cast<std::size_t>(it - clusters.begin());
    slots[band].push_back(static_cast<int>(i));
  }
  float total = 0;
  for (std::size_t b = 0; b < clusters.size(); ++b) {
    std::size_t top = 0, middle = 0, bottom = 0;
    for (int slot : slots[b]) {
      const auto role = world.nodes[static_cast<std::size_t>(slot)].role;
      role == view::NodeRole::kClient                                               ? ++bottom
      : (role == view::NodeRole::kController || role == view::NodeRole::kZooKeeper) ? ++top
                                                                                    : ++middle;
    }
    weight[b] = static_cast<float>(std::max<std::size_t>({top, middle, bottom, 1}));
    total += weight[b];
  }
  ClusterLayout out = LayoutCluster(world, width, 1, 0);  // slots; everything else set below
  out.boxes.assign(world.nodes.size(), Rect{});
  out.chip_areas.assign(world.nodes.size(), Rect{});
  out.tiles.assign(world.nodes.size(), false);
  std::fill(out.label_room.begin(), out.label_room.end(), 0.0f);
  const float gap = font * 0.6f;
  float x = 0;
  bool first = true;
  for (std::size_t b = 0; b < clusters.size(); ++b) {
    const float band = width * weight[b] / total;
    view::WorldView sub;
    sub.groups = world.groups;  // MapLabelLines
    for (int slot : slots[b]) sub.nodes.push_back(world.nodes[static_cast<std::size_t>(slot)]);
    const ClusterLayout l = LayoutOneMap(sub, std::max(band - gap, 1.0f), height, font);
    const float dx = x + gap / 2;
    for (std::size_t k = 0; k < slots[b].size(); ++k) {
      const auto slot = static_cast<std::size_t>(slots[b][k]);
      out.centers[slot] = {l.centers[k].x + dx, l.centers[k].y};
      out.label_room[slot] = l.label_room[k];
      if (k < l.boxes.size() && !l.boxes[k].empty()) {
        const Rect& r = l.boxes[k];
        out.boxes[slot] = {r.x0 + dx, r.y0, r.x1 + dx, r.y1};
        const Rect& a = l.chip_areas[k];
        out.chip_areas[slot] = {a.x0 + dx, a.y0, a.x1 + dx, a.y1};
        out.tiles[slot] = l.IsTile(static_cast<int>(k));
      }
    }
    out.radius = first ? l.radius : std::min(out.radius, l.radius);
    out.label_lines = first ? l.label_lines : std::min(out.label_lines, l.label_lines);
    out.label_below = first ? l.label_below : std::min(out.label_below, l.label_below);
    out.legend_height = first ? l.legend_height : std::min(out.legend_height, l.legend_height);
    out.regions.push_back({clusters[b], Rect{x + 1, 1, x + band - 1, height - out.legend_height}});
    first = false;
    x += band;
  }
  for (auto& region : out.regions) region.rect.y1 = height - out.legend_height;
  return out;
}

namespace {

// The compact map's brokers: square tiles as large as the area allows for all of them, rows
// centred like the boxes'. A tile has no chip area.
void LayoutTiles(const std::vector<int>& brokers, float width, float area_top, float area_height,
                 ClusterLayout& layout) {
  const std::size_t n = brokers.size();
  std::size_t columns = 1;
  float side = 0;
  for (std::size_t c = 1; c <= n; ++c) {
    const std::size_t r = (n + c - 1) / c;
    const float s = std::min(width / static_cast<float>(c), area_height / static_cast<float>(r));
    if (s > side) {
      side = s;
      columns = c;
    }
  }
  const std::size_t rows = (n + columns - 1) / columns;
  const float tile = std::max(side - std::max(2.0f, side * 0.15f), 2.0f);
  const float top = area_top + (area_height - side * static_cast<float>(rows)) / 2;
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t r = k / columns, c = k % columns;
    const std::size_t in_row = std::min(columns, n - r * columns);
    const float left = (width - side * static_cast<float>(in_row)) / 2;
    const float cx = left + side * (static_cast<float>(c) + 0.5f);
    const float cy = top + side * (static_cast<float>(r) + 0.5f);
    const auto slot = static_cast<std::size_t>(brokers[k]);
    layout.boxes[slot] = {cx - tile / 2, cy - tile / 2, cx + tile / 2, cy + tile / 2};
    layout.centers[slot] = {cx, cy};
    layout.chip_areas[slot] = {cx, cy, cx, cy};
    layout.tiles[slot] = true;
  }
}

ClusterLayout LayoutOneMap(const view::WorldView& world, float width, float height, float font) {
  const float banner = MapBannerHeight(font);
  std::vector<int> top, brokers, bottom;
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
  if (brokers.empty()) {
    const float legend = MapLegendHeight(font);
    const float labels = font * (static_cast<float>(MapLabelLines(world)) + 0.2f) + 2;
    ClusterLayout layout =
        LayoutCluster(world, width, std::max(height - banner - legend, 1.0f), labels);
    for (Point& c : layout.centers) c.y += banner;
    layout.legend_height = legend;
    layout.label_lines = MapLabelLines(world);
    return layout;
  }
  ClusterLayout layout = LayoutCluster(world, width, 1, 0);  // slots; centres are set below
  layout.boxes.assign(world.nodes.size(), Rect{});
  std::fill(layout.label_room.begin(), layout.label_room.end(), 0.0f);
  layout.chip_areas.assign(world.nodes.size(), Rect{});
  layout.tiles.assign(world.nodes.size(), false);

  // Circle rows (controllers or ZooKeeper servers on top, clients below) take what their
  // circle and labels need; the brokers' boxes share the rest. A canvas too short for that (a
  // projector's font) first drops the legend, then shrinks the circles, then keeps only the
  // names under them (the rest is in the tooltips).
  std::size_t widest_circle_row = std::max<std::size_t>({top.size(), bottom.size(), 1});
  const float pitch = width / static_cast<float>(widest_circle_row);
  const int circle_rows = (top.empty() ? 0 : 1) + (bottom.empty() ? 0 : 1);
  const float gap = font * 0.8f;
  const float chip_row = font * 1.5f;
  float legend = MapLegendHeight(font);
  layout.label_lines = MapLabelLines(world);
  layout.radius = std::clamp(std::min(font * 1.1f, pitch * 0.28f), 4.0f, 30.0f);
  auto label_height = [&] { return font * (static_cast<float>(layout.label_lines) + 0.2f) + 2; };
  auto circle_row = [&] { return 2 * layout.radius + label_height() + font * 0.4f; };
  auto short_of_room = [&] {
    return height < banner + legend + static_cast<float>(circle_rows) * circle_row() + font * 1.2f +
                        chip_row + gap;
  };
  if (short_of_room()) legend = 0;
  if (short_of_room()) layout.radius = std::max(4.0f, std::min(layout.radius, font * 0.45f));
  if (short_of_room()) layout.label_lines = 1;
  layout.legend_height = legend;
  const float labels = label_height();
  layout.label_below = labels;
  float y = banner;
  if (!top.empty()) {
    PlaceCircleRow(top, width, y + layout.radius + 2, font * 0.5f, layout);
    y += circle_row();
  }
  const float area_top = y;
  const float area_height = std::max(
      height - legend - banner - static_cast<float>(circle_rows) * circle_row(), font * 1.5f);
  if (!bottom.empty()) {
    PlaceCircleRow(bottom, width, area_top + area_height + layout.radius + 2, font * 0.5f, layout);
  }

  // The broker grid: the column count that leaves each box the most room for chips, the
  // fewest rows among equals. On a cramped canvas (a projector's font, many brokers) a box
  // keeps only its name line and what chips fit under it.
  const std::size_t n = brokers.size();
  std::size_t best_columns = 1;
  float best_room = -1;
  for (std::size_t columns = 1; columns <= n; ++columns) {
    const std::size_t rows = (n + columns - 1) / columns;
    const float bw = width / static_cast<float>(columns) - gap;
    const float bh = area_height / static_cast<float>(rows) - gap;
    if (bw < font * 5 && columns > 1) break;
    const float chip_rows = std::floor(std::max(bh - labels - font * 0.2f, 0.0f) / chip_row);
    const float room = chip_rows * std::floor(std::min(bw, font * 26) / (font * 4.5f));
    if (room >= best_room) {
      best_room = room;
      best_columns = columns;
    }
  }
  const std::size_t rows = (n + best_columns - 1) / best_columns;
  const float column_width = width / static_cast<float>(best_columns);
  const float row_height = area_height / static_cast<float>(rows);
  if (n > 1 && row_height - gap < font * 1.2f + 2) {
    LayoutTiles(brokers, width, area_top, area_height, layout);
    return layout;
  }
  const float full_title = labels + font * 0.2f;
  const float title = row_height - gap >= full_title + chip_row ? full_title : font * 1.2f;
  // Boxes no larger than a lesson needs, so messages have room to travel between them.
  // A quarter of each column stays free where there is room, for the messages between boxes.
  const float bw =
      std::min({column_width - gap, std::max(column_width * 0.75f, font * 9), font * 26});
  const float bh = std::max(std::min(row_height - gap, title + chip_row * 12 + font * 0.4f),
                            std::min(row_height - 2, font * 1.2f));
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t r = k / best_columns, c = k % best_columns;
    // The last row is centred when it is not full.
    const std::size_t in_row = std::min(best_columns, n - r * best_columns);
    const float row_pitch = width / static_cast<float>(in_row);
    const float cx = row_pitch * (static_cast<float>(c) + 0.5f);
    const float cy = area_top + row_height * (static_cast<float>(r) + 0.5f);
    const auto slot = static_cast<std::size_t>(brokers[k]);
    Rect box{cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2};
    layout.boxes[slot] = box;
    layout.centers[slot] = {cx, cy};
    const float pad = font * 0.3f;
    layout.chip_areas[slot] = {box.x0 + pad, std::min(box.y0 + title, box.y1 - pad), box.x1 - pad,
                               box.y1 - pad};
  }
  return layout;
}

}  // namespace

ChipPlacement PlaceChips(const Rect& area, const std::vector<float>& widths, float height,
                         float gap, float more_width) {
  ChipPlacement out;
  if (area.empty()) {
    out.hidden = widths.size();
    return out;
  }
  // Where chip i starts, if it is placed after the chips before it.
  float x = area.x0, y = area.y0;
  auto place = [&](float w, Rect* r) {
    if (x > area.x0 && x + w > area.x1) {  // wrap
      x = area.x0;
      y += height + gap;
    }
    if (y + height > area.y1 || x + w > area.x1) return false;
    *r = {x, y, x + w, y + height};
    x += w + gap;
    return true;
  };
  std::vector<Point> starts;  // the cursor before each placed chip, to step back
  for (float w : widths) {
    starts.push_back({x, y});
    Rect r;
    if (!place(w, &r)) {
      starts.pop_back();
      break;
    }
    out.chips.push_back(r);
  }
  if (out.chips.size() == widths.size()) return out;
  // Not every chip fits: the summary chip takes the place of as many as it needs.
  while (true) {
    Rect more;
    if (place(more_width, &more)) {
      out.more = more;
      break;
    }
    if (out.chips.empty()) break;
    out.chips.pop_back();
    x = starts.back().x;
    y = starts.back().y;
    starts.pop_back();
  }
  out.hidden = widths.size() - out.chips.size();
  return out;
}

float MessageProgress(Time sent_at, Time deliver_at, Time now) {
  if (deliver_at <= sent_at) return now >= deliver_at ? 1.0f : 0.0f;
  const double t =
      static_cast<double>((now - sent_at).ns) / static_cast<double>((deliver_at - sent_at).ns);
  return static_cast<float>(std::clamp(t, 0.0, 1.0));
}

Point Lerp(Point a, Point b, float t) { return {a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t}; }

std::vector<MirrorArrow> MirrorArrows(const view::WorldView& world, const ClusterLayout& layout,
                                      float font) {
  std::vector<MirrorArrow> out;
  for (std::size_t i = 0; i < world.mirror_flows.size(); ++i) {
    const view::MirrorFlowView& f = world.mirror_flows[i];
    const int worker = layout.SlotOf(f.worker);
    const ClusterLayout::Region* source = nullptr;
    const ClusterLayout::Region* target = nullptr;
    for (const ClusterLayout::Region& r : layout.regions) {
      if (r.name == f.source) source = &r;
      if (r.name == f.target) target = &r;
    }
    if (worker < 0 || source == nullptr || target == nullptr) continue;
    int into_same = 0;
    for (std::size_t j = 0; j < i; ++j) into_same += world.mirror_flows[j].target == f.target;
    const Point w = layout.centers[static_cast<std::size_t>(worker)];
    // Leave the source band by the side that faces the worker, a little above (even flows) or
    // below (odd ones) the worker's centre line, so that two flows between the same bands, one
    // each way, do not draw over each other.
    const float side = w.x >= source->rect.x1 ? source->rect.x1 : source->rect.x0;
    const float offset = (i % 2 == 0 ? -1.0f : 1.0f) * font * 0.45f;
    MirrorArrow a;
    a.from = {side, w.y + offset};
    const Point edge = layout.EdgeToward(worker, a.from);
    a.to = {edge.x, edge.y};
    std::string why;
    if (!f.worker_running) {
      why = "the worker is down";
    } else if (!f.source_reachable) {
      why = fmt::format("cut from {}", f.source);
    } else if (!f.target_reachable) {
      why = fmt::format("cut from {}", f.target);
    }
    a.broken = !why.empty();
    a.label_right = {target->rect.x1 - font * 0.4f,
                     target->rect.y0 + 2 + static_cast<float>(into_same) * font * 1.2f};
    a.label_left = target->rect.x0 + font * 0.4f;
    a.target = f.target;
    // A broken flow says why first: the label may be cut short on a narrow band.
    a.label = a.broken ? fmt::format("from {}: stopped, {} (lag {})", f.source,
                                     f.worker_running ? "cut off" : "worker down", f.lag)
                       : fmt::format("from {}: lag {}, {} copied", f.source, f.lag, f.records);
    std::string topics;
    for (const std::string& t : f.remote_topics) topics += (topics.empty() ? "" : ", ") + t;
    a.tooltip = fmt::format(
        "MirrorMaker 2 flow {} -> {}\n"
        "records copied: {}\nlag: {} records the source has and {} has not\n"
        "checkpoints written: {}\nremote topics in {}: {}{}",
        f.source, f.target, f.records, f.lag, f.target, f.checkpoints, f.target,
        topics.empty() ? "none yet" : topics, a.broken ? "\nnot copying: " + why : "");
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace kafkasim::gui
