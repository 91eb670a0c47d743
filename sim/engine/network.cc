// Latency, loss, duplication and link state of the simulated network.
#include "engine/network.h"

#include <algorithm>

namespace kafkasim {

void Network::Cut(NodeIndex from, NodeIndex to) {
  cuts_.insert({from, to});
  ResetConnection(from, to);
  RecomputeAnyBlock();
}

void Network::CutBoth(NodeIndex a, NodeIndex b) {
  Cut(a, b);
  Cut(b, a);
}

void Network::Heal(NodeIndex from, NodeIndex to) {
  cuts_.erase({from, to});
  RecomputeAnyBlock();
}

void Network::HealBoth(NodeIndex a, NodeIndex b) {
  Heal(a, b);
  Heal(b, a);
}

void Network::Partition(const std::vector<std::vector<NodeIndex>>& groups) {
  group_of_.clear();
  for (std::size_t g = 0; g < groups.size(); ++g) {
    for (NodeIndex n : groups[g]) group_of_[n] = static_cast<int>(g);
  }
  // Every connection across groups is reset.
  for (const auto& [a, ga] : group_of_) {
    for (const auto& [b, gb] : group_of_) {
      if (ga != gb) ResetConnection(a, b);
    }
  }
  RecomputeAnyBlock();
}

void Network::HealAll() {
  cuts_.clear();
  group_of_.clear();
  zone_cuts_.clear();
  RecomputeAnyBlock();
}

void Network::SetSlow(NodeIndex node, Duration extra) {
  if (extra.ns <= 0) {
    slow_.erase(node);
  } else {
    slow_[node] = extra;
  }
}

void Network::SetZoneConfig(int zone, const NetworkConfig& config) { zone_config_[zone] = config; }

void Network::AssignZone(NodeIndex node, int zone) {
  if (zone_of_.size() <= node) zone_of_.resize(node + 1, kNoZone);
  zone_of_[node] = zone;
}

void Network::CutZones(int a, int b) {
  if (a == b) return;
  zone_cuts_.insert(std::minmax(a, b));
  // Every connection across the two zones is reset.
  for (NodeIndex x = 0; x < zone_of_.size(); ++x) {
    if (zone_of_[x] != a) continue;
    for (NodeIndex y = 0; y < zone_of_.size(); ++y) {
      if (zone_of_[y] != b) continue;
      ResetConnection(x, y);
      ResetConnection(y, x);
    }
  }
  RecomputeAnyBlock();
}

void Network::HealZones(int a, int b) {
  zone_cuts_.erase(std::minmax(a, b));
  RecomputeAnyBlock();
}

const NetworkConfig& Network::ZoneConfigFor(NodeIndex from, NodeIndex to) const {
  int zf = ZoneOf(from);
  int zt = ZoneOf(to);
  if (zf == kNoZone) zf = zt;
  if (zt == kNoZone) zt = zf;
  if (zf != zt) return between_zones_;
  const auto it = zone_config_.find(zf);
  return it != zone_config_.end() ? it->second : config_;
}

bool Network::IsBlockedSlow(NodeIndex from, NodeIndex to) const {
  if (cuts_.count({from, to}) != 0) return true;
  if (!zone_cuts_.empty()) {
    const int zf = ZoneOf(from);
    const int zt = ZoneOf(to);
    if (zf != kNoZone && zt != kNoZone && zf != zt && ZonesCut(zf, zt)) return true;
  }
  const auto f = group_of_.find(from);
  const auto t = group_of_.find(to);
  return f != group_of_.end() && t != group_of_.end() && f->second != t->second;
}

void Network::RecomputeAnyBlock() {
  any_block_ = !cuts_.empty() || !group_of_.empty() || !zone_cuts_.empty();
}

void Network::ResetConnection(NodeIndex from, NodeIndex to) {
  Close(from, to);
  ++reset_generation_;
  connection_reset_at_[Key(from, to)] = reset_generation_;
}

void Network::ResetConnectionsOf(NodeIndex node) {
  ++reset_generation_;
  node_reset_at_[node] = reset_generation_;
}

bool Network::WasResetSince(NodeIndex from, NodeIndex to, std::uint64_t generation) const {
  if (generation == reset_generation_) return false;
  const auto c = connection_reset_at_.find(Key(from, to));
  if (c != connection_reset_at_.end() && c->second > generation) return true;
  for (NodeIndex n : {from, to}) {
    const auto r = node_reset_at_.find(n);
    if (r != node_reset_at_.end() && r->second > generation) return true;
  }
  return false;
}

Duration Network::Latency(Rng& rng, NodeIndex from, NodeIndex to) {
  Duration latency;
  if (latency_model_) {
    latency = latency_model_(from, to);
  } else {
    const NetworkConfig& config = ConfigFor(from, to);
    latency = config.latency_base;
    if (config.latency_jitter.ns > 0) {
      latency += Nanoseconds(rng.UniformRange(0, config.latency_jitter.ns));
    }
  }
  if (!slow_.empty()) {
    for (NodeIndex n : {from, to}) {
      const auto s = slow_.find(n);
      if (s != slow_.end()) latency += s->second;
    }
  }
  return latency;
}

Duration Network::NotifyLatency(NodeIndex from, NodeIndex to) {
  return Latency(notify_rng_, from, to);
}

void Network::PlanDelivery(NodeIndex from, NodeIndex to, Time now, std::vector<Time>& arrivals) {
  arrivals.clear();
  if (IsBlocked(from, to)) return;
  const NetworkConfig& config = ConfigFor(from, to);
  if (config.drop_probability > 0.0 && rng_.Bernoulli(config.drop_probability)) return;
  const int copies =
      (config.duplicate_probability > 0.0 && rng_.Bernoulli(config.duplicate_probability)) ? 2 : 1;
  for (int c = 0; c < copies; ++c) {
    const Duration latency = Latency(rng_, from, to);
    Time arrival = now + latency;
    if (config.fifo_per_connection) {
      if (from >= last_arrival_.size()) last_arrival_.resize(from + 1);
      std::vector<Time>& row = last_arrival_[from];
      if (to >= row.size()) row.resize(to + 1);
      Time& last = row[to];
      arrival = std::max(arrival, last);
      last = arrival;
    }
    arrivals.push_back(arrival);
  }
}

}  // namespace kafkasim
