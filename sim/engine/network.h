// The simulated network's rules: latency, loss, duplication, cuts and partitions. Delivery
// itself is the Simulation's; this class decides when (and whether) a message arrives.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "engine/message.h"
#include "engine/prng.h"
#include "engine/time.h"

namespace kafkasim {

struct NetworkConfig {
  Duration latency_base = Milliseconds(1);
  Duration latency_jitter = Milliseconds(2);  // uniform extra in [0, jitter]
  double drop_probability = 0.0;
  double duplicate_probability = 0.0;
  // TCP-like: messages on one connection arrive in send order. Off lets independent
  // latencies reorder them (the hot-potato workload).
  bool fifo_per_connection = true;
};

class Network {
 public:
  // Custom latency (benchmarks, tests): replaces base + jitter when set.
  using LatencyModel = std::function<Duration(NodeIndex from, NodeIndex to)>;

  // `notify_rng` draws the latency of disconnect notifications, apart from `rng` so that
  // notifications never shift the latencies of messages.
  Network(NetworkConfig config, Rng rng, Rng notify_rng = Rng(0))
      : config_(config), rng_(rng), notify_rng_(notify_rng) {}

  const NetworkConfig& config() const { return config_; }
  void set_config(const NetworkConfig& config) { config_ = config; }
  void set_latency_model(LatencyModel model) { latency_model_ = std::move(model); }

  // Faults. Each cut or partition resets the connections it breaks: messages in flight on
  // them are lost, as with a reset TCP connection. Neither side is told (no RST crosses a cut
  // link): peers notice by their timeouts.
  void Cut(NodeIndex from, NodeIndex to);  // one direction
  void CutBoth(NodeIndex a, NodeIndex b);
  void Heal(NodeIndex from, NodeIndex to);
  void HealBoth(NodeIndex a, NodeIndex b);
  // Nodes in different groups cannot talk; nodes in no group still reach everyone.
  void Partition(const std::vector<std::vector<NodeIndex>>& groups);
  void HealAll();  // removes every cut and the partition
  // Extra latency on every message to or from the node (a slow or overloaded machine).
  void SetSlow(NodeIndex node, Duration extra);

  // Zones: the clusters of a multi-cluster run, each in a region of its own. A message between
  // two nodes of one zone follows that zone's config, one between zones `between`'s; a node
  // in no zone (none are, unless assigned) follows the other end's zone, else config(). A cut
  // between two zones blocks every link across them, nodes added later included, until
  // HealZones or HealAll.
  void SetZoneConfig(int zone, const NetworkConfig& config);
  void SetBetweenZones(const NetworkConfig& config) { between_zones_ = config; }
  void AssignZone(NodeIndex node, int zone);
  int ZoneOf(NodeIndex node) const { return node < zone_of_.size() ? zone_of_[node] : kNoZone; }
  void CutZones(int a, int b);
  void HealZones(int a, int b);
  bool ZonesCut(int a, int b) const { return zone_cuts_.count(std::minmax(a, b)) != 0; }
  static constexpr int kNoZone = -1;

  bool IsBlocked(NodeIndex from, NodeIndex to) const {
    return any_block_ && IsBlockedSlow(from, to);
  }
  const std::set<std::pair<NodeIndex, NodeIndex>>& cuts() const { return cuts_; }
  const std::map<NodeIndex, int>& partition_groups() const { return group_of_; }
  const std::map<NodeIndex, Duration>& slow_nodes() const { return slow_; }

  // Decides a send made at `now`: nullopt-like empty vector when it is lost, one arrival time,
  // or two when it is duplicated. Records FIFO state.
  void PlanDelivery(NodeIndex from, NodeIndex to, Time now, std::vector<Time>& arrivals);

  // Connection resets: a message sent at reset generation g is lost if its connection was
  // reset after g. The fast path (nothing reset since) costs one comparison.
  std::uint64_t reset_generation() const { return reset_generation_; }
  bool WasResetSince(NodeIndex from, NodeIndex to, std::uint64_t generation) const;
  void ResetConnectionsOf(NodeIndex node);  // a crash, kill or stop

  // Open connections, as a peer's OS sees them: (a, b) opens when a message is sent between
  // a and b (either way) while the link is up and the receiver runs, and closes when a cut or
  // partition separates them or when Close is called for it (one side died or stopped).
  // On the path of every send: one bit test (and set) in the lower node's row.
  void Open(NodeIndex a, NodeIndex b) {
    if (a == b) return;
    if (a > b) std::swap(a, b);
    if (a >= connections_.size()) connections_.resize(a + 1);
    std::vector<std::uint64_t>& row = connections_[a];
    if (b / 64 >= row.size()) row.resize(b / 64 + 1, 0);
    row[b / 64] |= std::uint64_t{1} << (b % 64);
  }
  bool IsOpen(NodeIndex a, NodeIndex b) const {
    if (a == b) return false;
    if (a > b) std::swap(a, b);
    if (a >= connections_.size() || b / 64 >= connections_[a].size()) return false;
    return (connections_[a][b / 64] >> (b % 64)) & 1U;
  }
  // Closes (a, b); true when it was open.
  bool Close(NodeIndex a, NodeIndex b) {
    if (!IsOpen(a, b)) return false;
    if (a > b) std::swap(a, b);
    connections_[a][b / 64] &= ~(std::uint64_t{1} << (b % 64));
    return true;
  }
  // The one-way latency of a disconnect notification (FIN/RST) from `from` to `to`.
  Duration NotifyLatency(NodeIndex from, NodeIndex to);

 private:
  bool IsBlockedSlow(NodeIndex from, NodeIndex to) const;
  // The config of the link: config_ without zones.
  const NetworkConfig& ConfigFor(NodeIndex from, NodeIndex to) const {
    return zone_of_.empty() ? config_ : ZoneConfigFor(from, to);
  }
  const NetworkConfig& ZoneConfigFor(NodeIndex from, NodeIndex to) const;
  void ResetConnection(NodeIndex from, NodeIndex to);
  void RecomputeAnyBlock();
  static std::uint64_t Key(NodeIndex from, NodeIndex to) {
    return (static_cast<std::uint64_t>(from) << 32) | to;
  }
  static std::uint64_t PairKey(NodeIndex a, NodeIndex b) { return a < b ? Key(a, b) : Key(b, a); }
  Duration Latency(Rng& rng, NodeIndex from, NodeIndex to);

  NetworkConfig config_;
  Rng rng_;
  Rng notify_rng_;
  LatencyModel latency_model_;
  std::set<std::pair<NodeIndex, NodeIndex>> cuts_;
  std::map<NodeIndex, int> group_of_;
  std::map<NodeIndex, Duration> slow_;
  std::vector<int> zone_of_;  // by node; empty while no node has a zone
  std::map<int, NetworkConfig> zone_config_;
  NetworkConfig between_zones_;
  std::set<std::pair<int, int>> zone_cuts_;  // (lower, higher)
  bool any_block_ = false;
  std::uint64_t reset_generation_ = 0;
  // Looked up by key only, never iterated: order cannot leak into the run.
  std::unordered_map<std::uint64_t, std::uint64_t> connection_reset_at_;
  std::unordered_map<NodeIndex, std::uint64_t> node_reset_at_;
  // The last arrival planned from a node to a peer, by sender then receiver (grown on demand,
  // like connections_: a hash look-up per send cost more than the latency draw).
  std::vector<std::vector<Time>> last_arrival_;
  // Open connections as bit rows: row a holds bit b for each open (a, b) with a < b. A row
  // grows to the highest peer its node talked to (a dense bit set per node; hashing every
  // send's pair cost the engine most of its speed).
  std::vector<std::vector<std::uint64_t>> connections_;
};

}  // namespace kafkasim
