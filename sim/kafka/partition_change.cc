// PartitionChangeBuilder (metadata/src/main/java/org/apache/kafka/controller/
// PartitionChangeBuilder.java): target ISR -> ELR -> election -> record with changed fields.
#include "kafka/partition_change.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "engine/assert.h"

namespace kafkasim::kafka {
namespace {

bool Contains(const std::vector<BrokerId>& v, BrokerId id) {
  return std::find(v.begin(), v.end(), id) != v.end();
}

}  // namespace

std::string_view ElectionName(Election election) {
  switch (election) {
    case Election::kPreferred:
      return "PREFERRED";
    case Election::kOnline:
      return "ONLINE";
    case Election::kUnclean:
      return "UNCLEAN";
  }
  return "UNKNOWN";
}

std::string FormatBrokerList(const std::vector<BrokerId>& brokers) {
  return fmt::format("[{}]", fmt::join(brokers, ","));
}

PartitionChangeBuilder::PartitionChangeBuilder(const PartitionRegistration& partition,
                                               Uuid topic_id, std::int32_t partition_id,
                                               std::function<bool(BrokerId)> is_acceptable_leader,
                                               std::int32_t min_insync_replicas,
                                               bool eligible_leader_replicas_enable)
    : partition_(partition),
      topic_id_(topic_id),
      partition_id_(partition_id),
      is_acceptable_leader_(std::move(is_acceptable_leader)),
      min_insync_replicas_(min_insync_replicas),
      elr_enabled_(eligible_leader_replicas_enable),
      target_isr_(partition.isr),
      target_recovery_state_(partition.leader_recovery_state) {
  KSIM_ASSERT(!partition_.replicas.empty());
  KSIM_ASSERT(is_acceptable_leader_ != nullptr);
}

PartitionChangeBuilder& PartitionChangeBuilder::SetElection(Election election) {
  election_ = election;
  return *this;
}

PartitionChangeBuilder& PartitionChangeBuilder::SetTargetIsr(std::vector<BrokerId> isr) {
  target_isr_ = std::move(isr);
  return *this;
}

PartitionChangeBuilder& PartitionChangeBuilder::SetTargetLeaderRecoveryState(
    LeaderRecoveryState state) {
  target_recovery_state_ = state;
  return *this;
}

PartitionChangeBuilder& PartitionChangeBuilder::SetUncleanShutdownReplicas(
    std::vector<BrokerId> replicas) {
  unclean_shutdown_replicas_ = std::move(replicas);
  return *this;
}

// A valid leader is acceptable (active) and in the ISR, or in the ELR while the ISR is empty.
bool PartitionChangeBuilder::IsValidLeader(BrokerId id, const std::vector<BrokerId>& isr,
                                           const std::vector<BrokerId>& elr) const {
  if (id < 0 || !is_acceptable_leader_(id)) return false;
  return Contains(isr, id) || (isr.empty() && Contains(elr, id));
}

// The ISR, ELR and last known ELR a change aims at, before the election adjusts them.
struct PartitionChangeBuilder::Targets {
  std::vector<BrokerId> isr;
  std::vector<BrokerId> elr;
  std::vector<BrokerId> last_known_elr;
};

struct PartitionChangeBuilder::Elected {
  BrokerId leader = kNoLeader;
  bool unclean = false;
  bool last_known = false;
};

PartitionChangeBuilder::Targets PartitionChangeBuilder::ComputeTargets() const {
  const PartitionRegistration& p = partition_;
  Targets t;
  t.isr = target_isr_;
  // With ELR off the ISR is never emptied: the last member stays, leaderless if it is dead.
  if (t.isr.empty() && !elr_enabled_) t.isr = p.isr;
  // KIP-966: below min ISR, replicas leaving the ISR become eligible leaders.
  if (!elr_enabled_ || static_cast<std::int32_t>(t.isr.size()) >= min_insync_replicas_) return t;
  for (BrokerId r : p.replicas) {
    const bool was_eligible = Contains(p.elr, r) || Contains(p.isr, r);
    if (was_eligible && !Contains(t.isr, r) && !Contains(unclean_shutdown_replicas_, r)) {
      t.elr.push_back(r);
    }
  }
  std::sort(t.elr.begin(), t.elr.end());
  if (t.isr.empty()) {
    // The last leader when the ISR first empties; kept while it stays empty.
    for (BrokerId r : p.last_known_elr) {
      if (!Contains(unclean_shutdown_replicas_, r)) t.last_known_elr.push_back(r);
    }
    if (t.last_known_elr.empty() && !p.isr.empty()) {
      t.last_known_elr = {p.leader >= 0 ? p.leader : p.isr.back()};
    }
  }
  return t;
}

// electPreferredLeader / electAnyLeader, run only when the current leader is invalid or a
// preferred election wants replicas[0].
PartitionChangeBuilder::Elected PartitionChangeBuilder::Elect(const Targets& t) const {
  const PartitionRegistration& p = partition_;
  const bool try_election = !IsValidLeader(p.leader, t.isr, t.elr) ||
                            (election_ == Election::kPreferred && p.leader != p.replicas[0]);
  if (!try_election) return Elected{p.leader, false, false};
  if (election_ == Election::kPreferred && IsValidLeader(p.replicas[0], t.isr, t.elr)) {
    return Elected{p.replicas[0], false, false};
  }
  if (IsValidLeader(p.leader, t.isr, t.elr)) return Elected{p.leader, false, false};
  for (BrokerId r : p.replicas) {
    if (IsValidLeader(r, t.isr, t.elr)) return Elected{r, false, false};
  }
  if (election_ != Election::kPreferred && elr_enabled_ && t.isr.empty() && t.elr.empty() &&
      t.last_known_elr.size() == 1 && is_acceptable_leader_(t.last_known_elr[0])) {
    return Elected{t.last_known_elr[0], true, true};
  }
  if (election_ == Election::kUnclean) {
    for (BrokerId r : p.replicas) {
      if (is_acceptable_leader_(r)) return Elected{r, true, false};
    }
  }
  return Elected{};
}

std::optional<PartitionChange> PartitionChangeBuilder::Build() const {
  const PartitionRegistration& p = partition_;
  Targets targets = ComputeTargets();
  const Elected elected = Elect(targets);
  std::vector<BrokerId>& isr = targets.isr;
  std::vector<BrokerId>& elr = targets.elr;
  std::vector<BrokerId>& last_known_elr = targets.last_known_elr;

  PartitionChange change;
  change.leader_changed = elected.leader != p.leader;
  LeaderRecoveryState recovery = p.leader_recovery_state;
  if (change.leader_changed) {
    if (elected.leader >= 0 && isr.empty() && Contains(elr, elected.leader)) {
      // An ELR member takes over: it becomes the ISR on its own.
      isr = {elected.leader};
      elr.erase(std::find(elr.begin(), elr.end(), elected.leader));
      last_known_elr.clear();
      change.elected_from_elr = true;
    } else if (elected.unclean) {
      // Unclean: the new leader alone is the ISR; data it never had is lost.
      isr = {elected.leader};
      elr.clear();
      last_known_elr.clear();
      recovery = LeaderRecoveryState::kRecovering;
      change.unclean = true;
      change.elected_last_known = elected.last_known;
    }
  } else if (target_recovery_state_ != p.leader_recovery_state) {
    recovery = target_recovery_state_;
  }
  if (!elr_enabled_) {
    elr.clear();
    last_known_elr.clear();
  }

  PartitionChangeRecord& rec = change.record;
  rec.topic_id = topic_id_;
  rec.partition_id = partition_id_;
  bool changed = false;
  if (change.leader_changed) {
    rec.leader = elected.leader;
    changed = true;
  }
  if (isr != p.isr) rec.isr = isr;
  if (elr != p.elr) rec.elr = elr;
  if (last_known_elr != p.last_known_elr) rec.last_known_elr = last_known_elr;
  if (recovery != p.leader_recovery_state) rec.leader_recovery_state = recovery;
  changed = changed || rec.isr || rec.elr || rec.last_known_elr || rec.leader_recovery_state;
  if (!changed) return std::nullopt;

  change.after = p;
  change.after.isr = isr;
  change.after.elr = elr;
  change.after.last_known_elr = last_known_elr;
  change.after.leader_recovery_state = recovery;
  if (change.leader_changed) {
    change.after.leader = elected.leader;
    ++change.after.leader_epoch;
  }
  ++change.after.partition_epoch;
  KSIM_ASSERT(change.after.leader == kNoLeader || change.after.InIsr(change.after.leader));
  KSIM_ASSERT(elr_enabled_ || !change.after.isr.empty());
  return change;
}

std::string DescribePartitionChange(const std::string& partition_name,
                                    const PartitionRegistration& before,
                                    const PartitionChange& change, const std::string& reason) {
  const PartitionRegistration& after = change.after;
  std::vector<std::string> parts;
  if (change.leader_changed && after.leader >= 0) {
    std::string how;
    if (change.elected_last_known) {
      how = fmt::format(
          " as its last known leader (ISR and ELR were empty), leader recovery "
          "RECOVERING");
    } else if (change.unclean) {
      how = fmt::format(" by UNCLEAN election (ISR was {}), leader recovery RECOVERING",
                        FormatBrokerList(before.isr));
    } else if (change.elected_from_elr) {
      how = fmt::format(" from ELR {} (ISR was empty)", FormatBrokerList(before.elr));
    } else {
      how = fmt::format(" from ISR {}", FormatBrokerList(after.isr));
    }
    parts.push_back(fmt::format("elected broker {} leader of {} at leader_epoch {}{}", after.leader,
                                partition_name, after.leader_epoch, how));
  } else if (change.leader_changed) {
    parts.push_back(fmt::format("{} has no leader at leader_epoch {}: no live replica in ISR {}",
                                partition_name, after.leader_epoch, FormatBrokerList(after.isr)));
  }
  if (after.isr != before.isr && !change.unclean && !change.elected_from_elr) {
    parts.push_back(fmt::format("{} ISR {} -> {}", partition_name, FormatBrokerList(before.isr),
                                FormatBrokerList(after.isr)));
  }
  if (after.elr != before.elr) {
    parts.push_back(fmt::format("{} ELR {} -> {}", partition_name, FormatBrokerList(before.elr),
                                FormatBrokerList(after.elr)));
  }
  if (after.leader_recovery_state != before.leader_recovery_state && !change.leader_changed) {
    parts.push_back(fmt::format("{} leader recovery {}", partition_name,
                                after.leader_recovery_state == LeaderRecoveryState::kRecovered
                                    ? "RECOVERED"
                                    : "RECOVERING"));
  }
  if (parts.empty()) {
    parts.push_back(fmt::format("{} last known ELR {} -> {}", partition_name,
                                FormatBrokerList(before.last_known_elr),
                                FormatBrokerList(after.last_known_elr)));
  }
  std::string out = fmt::format("{}", fmt::join(parts, "; "));
  if (!reason.empty()) out += fmt::format(" ({})", reason);
  return out;
}

}  // namespace kafkasim::kafka
