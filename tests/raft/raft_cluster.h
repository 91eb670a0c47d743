// A small in-test cluster of RaftNode cores with a deterministic message router, a simulated
// disk per node, crashes, restarts, partitions and the Raft safety checks. Used by the unit,
// datadriven and safety tests; it does not use the engine's Simulation on purpose.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/prng.h"
#include "engine/time.h"
#include "raft/raft_node.h"

namespace kafkasim::raft::testing {

// What a node's disk durably holds: the quorum-state file and the log.
struct Disk {
  std::string quorum_state_json;  // empty before the first write
  std::vector<LogEntry> log;
};

struct NetworkOptions {
  Duration latency_min = Milliseconds(1);
  Duration latency_max = Milliseconds(1);
  double drop_probability = 0.0;
  // With reordering, each message gets its own random latency (no per-link FIFO).
  bool reorder = false;
  double duplicate_probability = 0.0;
};

class RaftCluster {
 public:
  explicit RaftCluster(std::uint64_t seed, RaftConfig base = {}, NetworkOptions network = {});

  // Voters get ids 1..voters ("controller-N"); observers follow ("broker-N").
  void AddNodes(int voters, int observers = 0);
  std::string Name(NodeId id) const;
  std::vector<NodeId> ids() const;
  RaftNode* node(NodeId id);  // nullptr while crashed
  const Disk& disk(NodeId id) const { return disks_.at(id); }
  Time now() const { return now_; }
  NetworkOptions& network() { return network_; }

  // Inputs, each followed by draining the node's Ready.
  void Campaign(NodeId id);
  Result<Offset> Propose(NodeId id, std::string payload);
  void Shutdown(NodeId id);
  void Crash(NodeId id);
  void Restart(NodeId id);
  // Nodes in different groups cannot talk; a node listed in no group is cut off from all.
  void Partition(const std::vector<std::set<NodeId>>& groups);
  // Puts a hand-made message on the wire (tests of a single rule).
  void Inject(std::shared_ptr<const RaftMessage> message) { Enqueue(std::move(message)); }
  void Heal();

  // Delivers every message queued now (not those they cause), ignoring latency. Returns one
  // line per delivered or dropped message.
  std::vector<std::string> DeliverQueued();
  // Advances the clock by `d`, firing timers of `only` (or of every node) but delivering
  // nothing.
  void Tick(Duration d, std::optional<NodeId> only = std::nullopt);
  // Advances the clock by `d`, delivering messages at their latency and firing timers.
  void Run(Duration d);
  std::size_t queued() const { return queue_.size(); }
  void DropQueued() { queue_.clear(); }

  // Trace lines ("t=1.204s controller-2 became leader ...") since the last call.
  std::vector<std::string> TakeLines();
  void set_keep_lines(bool keep) { keep_lines_ = keep; }
  // Also prints every trace line to stderr as it happens (debugging a failing seed).
  void set_echo(bool echo) { echo_ = echo; }
  // Committed entries each node applied in this incarnation, in order.
  const std::vector<LogEntry>& applied(NodeId id) const { return applied_.at(id); }
  std::optional<NodeId> Leader() const;  // the live leader with the highest epoch

  // Safety: violations found so far (election safety, log matching, leader completeness,
  // committed entries lost or changed, high watermark going backwards).
  const std::vector<std::string>& violations() const { return violations_; }
  void CheckLogMatching();
  std::uint64_t events() const { return events_; }
  // How much history the run made: epochs that had a leader, entries committed.
  std::size_t epochs_led() const { return leader_of_epoch_.size(); }
  std::size_t committed_entries() const { return committed_.size(); }
  // For tests that plant what the safety checks must catch: a disk that lost its log or
  // forgot its vote (power loss without fsync), or an entry changed under a shared one.
  Disk& TamperWithDisk(NodeId id) { return disks_.at(id); }

 private:
  struct InFlight {
    std::shared_ptr<const RaftMessage> message;
  };
  RaftConfig ConfigFor(NodeId id) const;
  void Drain(NodeId id);
  void Enqueue(std::shared_ptr<const RaftMessage> message);
  bool Connected(NodeId a, NodeId b) const;
  void Deliver(const RaftMessage& message);
  void Violation(std::string text);
  void UpdateAssertContext() const;

  std::uint64_t seed_;
  RaftConfig base_;
  NetworkOptions network_;
  Rng rng_;
  Time now_;
  std::vector<NodeId> voters_;
  std::vector<NodeId> all_;
  std::map<NodeId, std::unique_ptr<RaftNode>> nodes_;
  std::map<NodeId, Disk> disks_;
  std::map<NodeId, std::uint32_t> incarnation_;
  std::map<std::pair<std::int64_t, std::uint64_t>, InFlight> queue_;  // (deliver_at, seq)
  std::map<std::pair<NodeId, NodeId>, Time> link_last_;  // FIFO per link without reorder
  std::uint64_t seq_ = 0;
  std::vector<std::set<NodeId>> groups_;
  std::vector<std::string> lines_;
  bool keep_lines_ = true;
  bool echo_ = false;
  std::uint64_t events_ = 0;

  // Safety bookkeeping.
  std::map<Epoch, NodeId> leader_of_epoch_;
  std::vector<LogEntry> committed_;  // the one committed prefix every node must agree on
  std::map<NodeId, std::vector<LogEntry>> applied_;
  std::map<NodeId, Offset> last_high_watermark_;
  std::vector<std::string> violations_;
};

// "controller-1 leader epoch=3 voted_for=1 leader=1 leo=5 last_epoch=3 hw=5" and, for a
// leader, one indented line per replica it tracks.
std::vector<std::string> FormatStatus(const RaftStatus& status, const RaftCluster& cluster,
                                      Time now);

}  // namespace kafkasim::raft::testing
