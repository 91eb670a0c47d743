// RaftCluster: routes RaftMessages between cores with a virtual clock and checks safety.
#include "raft_cluster.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "engine/assert.h"

namespace kafkasim::raft::testing {

RaftCluster::RaftCluster(std::uint64_t seed, RaftConfig base, NetworkOptions network)
    : seed_(seed), base_(std::move(base)), network_(network), rng_(Rng::Stream(seed, "network")) {}

void RaftCluster::AddNodes(int voters, int observers) {
  KSIM_ASSERT(all_.empty());
  for (int i = 1; i <= voters; ++i) voters_.push_back(i);
  for (int i = 1; i <= voters + observers; ++i) {
    all_.push_back(i);
    disks_[i] = Disk{};
    incarnation_[i] = 0;
    Restart(i);
  }
}

std::string RaftCluster::Name(NodeId id) const {
  const bool voter = std::find(voters_.begin(), voters_.end(), id) != voters_.end();
  return fmt::format("{}-{}", voter ? "controller" : "broker", id);
}

std::vector<NodeId> RaftCluster::ids() const { return all_; }

RaftNode* RaftCluster::node(NodeId id) {
  auto it = nodes_.find(id);
  return it == nodes_.end() ? nullptr : it->second.get();
}

RaftConfig RaftCluster::ConfigFor(NodeId id) const {
  RaftConfig config = base_;
  config.node_id = id;
  config.voters = voters_;
  return config;
}

void RaftCluster::Campaign(NodeId id) {
  if (RaftNode* n = node(id)) {
    n->Campaign(now_);
    Drain(id);
  }
}

Result<Offset> RaftCluster::Propose(NodeId id, std::string payload) {
  RaftNode* n = node(id);
  if (n == nullptr) return Status(Errc::kNotLeaderOrFollower, fmt::format("{} is down", Name(id)));
  Result<Offset> result = n->Propose(std::move(payload), now_);
  Drain(id);
  return result;
}

void RaftCluster::Shutdown(NodeId id) {
  if (RaftNode* n = node(id)) {
    n->Shutdown(now_);
    Drain(id);
  }
}

void RaftCluster::Crash(NodeId id) {
  if (nodes_.erase(id) == 0) return;
  // A crash closes the node's connections: what is in flight to or from it is lost.
  for (auto it = queue_.begin(); it != queue_.end();) {
    const RaftMessage& m = *it->second.message;
    it = (m.from == id || m.to == id) ? queue_.erase(it) : std::next(it);
  }
  if (keep_lines_) lines_.push_back(fmt::format("t={} {} crashed", FormatTime(now_), Name(id)));
}

void RaftCluster::Restart(NodeId id) {
  if (nodes_.contains(id)) return;
  const Disk& d = disks_.at(id);
  QuorumState state;
  if (!d.quorum_state_json.empty()) {
    Result<QuorumState> parsed = QuorumStateFromJson(d.quorum_state_json);
    KSIM_ASSERT_MSG(parsed.ok(), parsed.status().ToString());
    state = *parsed;
  }
  const std::uint32_t incarnation = incarnation_[id]++;
  Rng rng = Rng::Stream(seed_, fmt::format("{}#{}", Name(id), incarnation));
  if (incarnation > 0 && keep_lines_) {
    lines_.push_back(fmt::format("t={} {} restarted from its disk", FormatTime(now_), Name(id)));
  }
  nodes_[id] = std::make_unique<RaftNode>(ConfigFor(id), state, d.log, rng, now_);
  applied_[id].clear();
  last_high_watermark_[id] = 0;
  Drain(id);
}

void RaftCluster::Partition(const std::vector<std::set<NodeId>>& groups) {
  groups_ = groups;
  for (auto it = queue_.begin(); it != queue_.end();) {
    const RaftMessage& m = *it->second.message;
    it = Connected(m.from, m.to) ? std::next(it) : queue_.erase(it);
  }
}

void RaftCluster::Heal() { groups_.clear(); }

bool RaftCluster::Connected(NodeId a, NodeId b) const {
  if (groups_.empty()) return true;
  for (const auto& group : groups_) {
    if (group.contains(a)) return group.contains(b);
  }
  return false;
}

// A failed KSIM_ASSERT inside a core then names the seed, event and time to replay.
void RaftCluster::UpdateAssertContext() const {
  AssertContext& context = CurrentAssertContext();
  context.active = true;
  context.seed = seed_;
  context.event_index = events_;
  context.time_ns = now_.ns;
}

void RaftCluster::Violation(std::string text) {
  violations_.push_back(fmt::format("t={} seed={}: {}", FormatTime(now_), seed_, text));
}

// Persist, apply, check, then send: the order a real host follows.
void RaftCluster::Drain(NodeId id) {
  RaftNode* n = node(id);
  if (n == nullptr || !n->HasReady()) return;
  Ready ready = n->TakeReady();
  Disk& d = disks_.at(id);
  if (ready.quorum_state) d.quorum_state_json = QuorumStateToJson(*ready.quorum_state);
  if (ready.truncate_log_to) {
    const auto keep = static_cast<std::size_t>(*ready.truncate_log_to);
    if (keep < d.log.size()) d.log.resize(keep);
  }
  for (LogEntry& entry : ready.entries) {
    KSIM_ASSERT_EQ(static_cast<std::size_t>(entry.offset), d.log.size());
    d.log.push_back(std::move(entry));
  }
  for (const RoleChange& change : ready.role_changes) {
    if (change.to != Role::kLeader) continue;
    auto [it, fresh] = leader_of_epoch_.emplace(change.epoch, id);
    if (!fresh && it->second != id) {
      Violation(fmt::format("election safety: {} and {} both led epoch {}", Name(it->second),
                            Name(id), change.epoch));
    }
    // Leader completeness: a new leader holds every committed entry.
    for (const LogEntry& entry : committed_) {
      if (entry.offset >= n->log().EndOffset() || n->log().At(entry.offset) != entry) {
        Violation(
            fmt::format("leader completeness: {} leads epoch {} without committed "
                        "offset {}",
                        Name(id), change.epoch, entry.offset));
        break;
      }
    }
  }
  std::vector<LogEntry>& applied = applied_[id];
  for (const LogEntry& entry : ready.committed) {
    if (entry.offset != static_cast<Offset>(applied.size())) {
      Violation(fmt::format("{} applied offset {} out of order", Name(id), entry.offset));
    }
    applied.push_back(entry);
    const auto index = static_cast<std::size_t>(entry.offset);
    if (index < committed_.size()) {
      if (committed_[index] != entry) {
        Violation(
            fmt::format("{} committed a different entry at offset {}", Name(id), entry.offset));
      }
    } else if (index == committed_.size()) {
      committed_.push_back(entry);
    }
  }
  if (n->high_watermark() < last_high_watermark_[id]) {
    Violation(fmt::format("{} high watermark went back from {} to {}", Name(id),
                          last_high_watermark_[id], n->high_watermark()));
  }
  last_high_watermark_[id] = n->high_watermark();
  for (const RaftNote& note : ready.notes) {
    std::string line = fmt::format("t={} {} {}", FormatTime(now_), Name(id), note.text);
    if (echo_) fmt::print(stderr, "{}\n", line);
    if (keep_lines_) lines_.push_back(std::move(line));
  }
  for (auto& message : ready.messages) Enqueue(std::move(message));
}

void RaftCluster::Enqueue(std::shared_ptr<const RaftMessage> message) {
  if (!Connected(message->from, message->to) || !nodes_.contains(message->to)) return;
  if (network_.drop_probability > 0 && rng_.Bernoulli(network_.drop_probability)) return;
  const std::int64_t span = network_.latency_max.ns - network_.latency_min.ns;
  const std::int64_t jitter =
      span > 0 ? static_cast<std::int64_t>(rng_.Uniform(static_cast<std::uint64_t>(span) + 1)) : 0;
  Time at = now_ + network_.latency_min + Nanoseconds(jitter);
  const auto link = std::make_pair(message->from, message->to);
  if (!network_.reorder) {
    // Per-connection FIFO like TCP: never overtake the previous message on this link.
    auto& last = link_last_[link];
    at = std::max(at, last);
    last = at;
  }
  const bool duplicate =
      network_.duplicate_probability > 0 && rng_.Bernoulli(network_.duplicate_probability);
  queue_.emplace(std::make_pair(at.ns, seq_++), InFlight{message});
  if (duplicate) queue_.emplace(std::make_pair(at.ns, seq_++), InFlight{std::move(message)});
}

void RaftCluster::Deliver(const RaftMessage& message) {
  ++events_;
  UpdateAssertContext();
  RaftNode* n = node(message.to);
  if (n == nullptr || !Connected(message.from, message.to)) return;
  n->Step(message, now_);
  Drain(message.to);
}

std::vector<std::string> RaftCluster::DeliverQueued() {
  std::vector<std::string> out;
  auto batch = std::move(queue_);
  queue_.clear();
  for (auto& [key, in_flight] : batch) {
    const RaftMessage& m = *in_flight.message;
    const bool reachable = node(m.to) != nullptr && Connected(m.from, m.to);
    out.push_back(fmt::format("{} -> {}: {}{}", Name(m.from), Name(m.to), m.Describe(),
                              reachable ? "" : " (dropped)"));
    // Notes caused by this delivery follow its line.
    Deliver(m);
    for (std::string& line : TakeLines()) out.push_back("  " + line);
  }
  return out;
}

void RaftCluster::Tick(Duration d, std::optional<NodeId> only) {
  const Time end = now_ + d;
  for (;;) {
    Time next = kTimeMax;
    NodeId who = kNoNodeId;
    for (auto& [id, n] : nodes_) {
      if (only && id != *only) continue;
      if (n->NextDeadline() < next) {
        next = n->NextDeadline();
        who = id;
      }
    }
    if (who == kNoNodeId || next > end) break;
    now_ = std::max(now_, next);
    ++events_;
    UpdateAssertContext();
    nodes_.at(who)->Tick(now_);
    Drain(who);
  }
  now_ = end;
}

void RaftCluster::Run(Duration d) {
  const Time end = now_ + d;
  for (;;) {
    Time next_timer = kTimeMax;
    NodeId who = kNoNodeId;
    for (auto& [id, n] : nodes_) {
      if (n->NextDeadline() < next_timer) {
        next_timer = n->NextDeadline();
        who = id;
      }
    }
    const Time next_message = queue_.empty() ? kTimeMax : Time{queue_.begin()->first.first};
    const Time next = std::min(next_timer, next_message);
    if (next > end) break;
    now_ = std::max(now_, next);
    if (next_message <= next_timer) {
      auto node_handle = queue_.extract(queue_.begin());
      Deliver(*node_handle.mapped().message);
    } else {
      ++events_;
      UpdateAssertContext();
      nodes_.at(who)->Tick(now_);
      Drain(who);
    }
  }
  now_ = end;
}

std::vector<std::string> RaftCluster::TakeLines() {
  std::vector<std::string> out = std::move(lines_);
  lines_.clear();
  return out;
}

std::optional<NodeId> RaftCluster::Leader() const {
  std::optional<NodeId> best;
  Epoch best_epoch = -1;
  for (const auto& [id, n] : nodes_) {
    if (n->role() == Role::kLeader && n->epoch() > best_epoch) {
      best = id;
      best_epoch = n->epoch();
    }
  }
  return best;
}

// Log matching: two logs holding an entry with the same offset and epoch are identical up to
// and including it. Compared against the disk of every node, live or crashed.
void RaftCluster::CheckLogMatching() {
  for (std::size_t a = 0; a < all_.size(); ++a) {
    for (std::size_t b = a + 1; b < all_.size(); ++b) {
      const auto& la = disks_.at(all_[a]).log;
      const auto& lb = disks_.at(all_[b]).log;
      const std::size_t common = std::min(la.size(), lb.size());
      // Find the last offset where the epochs agree; everything up to it must be equal.
      std::size_t match = common;
      while (match > 0 && la[match - 1].epoch != lb[match - 1].epoch) --match;
      for (std::size_t i = 0; i < match; ++i) {
        if (la[i] != lb[i]) {
          Violation(
              fmt::format("log matching: {} and {} differ at offset {} below a shared "
                          "entry at offset {}",
                          Name(all_[a]), Name(all_[b]), i, match - 1));
          break;
        }
      }
    }
  }
}

std::vector<std::string> FormatStatus(const RaftStatus& status, const RaftCluster& cluster,
                                      Time now) {
  std::vector<std::string> out;
  out.push_back(fmt::format("{} {} epoch={} voted_for={} leader={} leo={} last_epoch={} hw={}",
                            cluster.Name(status.node_id), RoleName(status.role), status.epoch,
                            status.voted_for, status.leader_id, status.log_end_offset,
                            status.last_epoch, status.high_watermark));
  for (const ReplicaView& view : status.replicas) {
    std::string fetched = "never";
    if (view.id == status.node_id) {
      fetched = "(leader)";
    } else if (view.last_fetch_time) {
      fetched = FormatDuration(Milliseconds((now - *view.last_fetch_time).Millis())) + " ago";
    }
    out.push_back(fmt::format("  {} end_offset={} last_fetch={}", cluster.Name(view.id),
                              view.end_offset, fetched));
  }
  return out;
}

}  // namespace kafkasim::raft::testing
