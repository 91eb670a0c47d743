// StickyAssignor and CooperativeStickyAssignor: Kafka's AbstractStickyAssignor ported step by
// step (the constrained builder when every member subscribes to the same topics, the general
// builder otherwise), without racks. Comments name the Java methods they follow.
#include <algorithm>
#include <set>
#include <utility>

#include "engine/assert.h"
#include "kafka/assignors.h"
#include "kafka/group_hash.h"

namespace kafkasim::kafka {

namespace {

constexpr std::int32_t kDefaultGeneration = -1;

bool Contains(const std::vector<TopicPartition>& list, const TopicPartition& tp) {
  return std::find(list.begin(), list.end(), tp) != list.end();
}

void Erase(std::vector<TopicPartition>& list, const TopicPartition& tp) {
  const auto it = std::find(list.begin(), list.end(), tp);
  if (it != list.end()) list.erase(it);
}

struct StickyInput {
  const std::vector<AssignorSubscription>& members;
  const PartitionCounts& partitions;
  std::vector<std::size_t> order;  // the HashMap iteration order of `members`
  std::map<std::string, std::size_t> index;
  // allSubscriptionsEqual's outputs.
  std::map<std::string, std::vector<TopicPartition>> owned;
  std::set<TopicPartition> multiple_previous_owners;
  std::int32_t max_generation = kDefaultGeneration;
  std::int32_t total_partitions = 0;

  const AssignorSubscription& Member(const std::string& id) const { return members[index.at(id)]; }
};

// AbstractStickyAssignor.allSubscriptionsEqual: also resolves partitions claimed by several
// members (the higher generation wins; a tie in one generation leaves it unowned).
bool AllSubscriptionsEqual(StickyInput& in) {
  bool equal = true;
  std::set<std::string> subscribed;
  std::map<TopicPartition, std::string> previous_owner;
  for (std::size_t i : in.order) {
    const auto& member = in.members[i];
    const std::set<std::string> topics(member.topics.begin(), member.topics.end());
    if (subscribed.empty()) {
      subscribed = topics;
    } else if (equal && topics != subscribed) {
      equal = false;
    }
    in.max_generation = std::max(in.max_generation, member.generation);
    auto& owned = in.owned[member.member_id];
    for (const auto& tp : member.owned_partitions) {
      if (!in.partitions.contains(tp.topic)) continue;
      const auto it = previous_owner.find(tp);
      if (it == previous_owner.end()) {
        owned.push_back(tp);
        previous_owner[tp] = member.member_id;
        continue;
      }
      const std::string other = it->second;
      const std::int32_t other_generation = in.Member(other).generation;
      if (member.generation == other_generation) {
        in.multiple_previous_owners.insert(tp);
        Erase(in.owned[other], tp);
        previous_owner[tp] = member.member_id;
      } else if (member.generation > other_generation) {
        owned.push_back(tp);
        Erase(in.owned[other], tp);
        previous_owner[tp] = member.member_id;
      }
    }
  }
  return equal;
}

// ConstrainedAssignmentBuilder: every member subscribes to the same topics.
class ConstrainedBuilder {
 public:
  explicit ConstrainedBuilder(StickyInput& in) : in_(in) {
    const auto n = static_cast<std::int32_t>(in.members.size());
    min_quota_ = in.total_partitions / n;
    max_quota_ = (in.total_partitions + n - 1) / n;
    expected_over_min_ = in.total_partitions % n;
    for (const auto& member : in.members) assignment_[member.member_id];
  }

  GroupAssignment Build(std::map<TopicPartition, std::string>& transferring) {
    AssignOwnedPartitions();
    std::vector<TopicPartition> unassigned = UnassignedPartitions();
    std::sort(under_min_.begin(), under_min_.end());
    std::sort(exactly_min_.begin(), exactly_min_.end());
    AssignRoundRobin(unassigned);
    transferring = std::move(transferring_);
    return std::move(assignment_);
  }

 private:
  void AssignOwnedPartitions() {
    for (std::size_t i : in_.order) {
      const std::string& consumer = in_.members[i].member_id;
      std::vector<TopicPartition> owned = in_.owned[consumer];
      // Sorted by partition, then topic (Comparator.comparing(partition).thenComparing(topic)).
      std::stable_sort(owned.begin(), owned.end(), [](const auto& a, const auto& b) {
        return a.partition != b.partition ? a.partition < b.partition : a.topic < b.topic;
      });
      for (const auto& tp : in_.multiple_previous_owners) Erase(owned, tp);
      auto& list = assignment_[consumer];
      const auto size = static_cast<std::int32_t>(owned.size());
      if (size < min_quota_) {
        list.insert(list.end(), owned.begin(), owned.end());
        assigned_.insert(owned.begin(), owned.end());
        under_min_.push_back(consumer);
      } else if (size >= max_quota_ && over_min_ < expected_over_min_) {
        ++over_min_;
        if (over_min_ == expected_over_min_) exactly_min_.clear();
        Keep(consumer, owned, max_quota_);
      } else {
        Keep(consumer, owned, min_quota_);
        if (over_min_ < expected_over_min_) exactly_min_.push_back(consumer);
      }
    }
  }

  // Keeps the first `quota` owned partitions; the rest may be revoked.
  void Keep(const std::string& consumer, const std::vector<TopicPartition>& owned,
            std::int32_t quota) {
    auto& list = assignment_[consumer];
    for (std::size_t k = 0; k < owned.size(); ++k) {
      if (static_cast<std::int32_t>(k) < quota) {
        list.push_back(owned[k]);
        assigned_.insert(owned[k]);
      } else {
        maybe_revoked_[owned[k]] = consumer;
      }
    }
  }

  // All partitions not yet assigned, topics sorted, partitions in order.
  std::vector<TopicPartition> UnassignedPartitions() const {
    std::vector<TopicPartition> out;
    for (const auto& [topic, count] : in_.partitions) {
      for (std::int32_t p = 0; p < count; ++p) {
        TopicPartition tp{topic, p};
        if (!assigned_.contains(tp)) out.push_back(std::move(tp));
      }
    }
    return out;
  }

  // assignRoundRobin: the under-quota members in turn (a LinkedList iterator that restarts at
  // the head), then members at exactly minQuota take one more each until enough are over it.
  void AssignRoundRobin(const std::vector<TopicPartition>& unassigned) {
    std::size_t next = 0;  // the iterator's position in under_min_
    for (const auto& tp : unassigned) {
      std::string consumer;
      if (next < under_min_.size()) {
        consumer = under_min_[next++];
      } else {
        KSIM_ASSERT_MSG(!under_min_.empty() || !exactly_min_.empty(),
                        "sticky assignor: no more unfilled consumers to be assigned");
        if (under_min_.empty()) {
          consumer = exactly_min_.front();
          exactly_min_.erase(exactly_min_.begin());
        } else {
          next = 0;
          consumer = under_min_[next++];
        }
      }
      const std::int32_t count = AssignNewPartition(tp, consumer);
      if (count == min_quota_) {
        // unfilledConsumerIter.remove(): only valid when the consumer came from the iterator.
        KSIM_ASSERT(next > 0 && under_min_[next - 1] == consumer);
        under_min_.erase(under_min_.begin() + static_cast<std::ptrdiff_t>(next - 1));
        --next;
        exactly_min_.push_back(consumer);
      } else if (count == max_quota_) {
        ++over_min_;
      }
    }
  }

  std::int32_t AssignNewPartition(const TopicPartition& tp, const std::string& consumer) {
    auto& list = assignment_[consumer];
    list.push_back(tp);
    const auto revoked = maybe_revoked_.find(tp);
    if ((revoked != maybe_revoked_.end() && revoked->second != consumer) ||
        in_.multiple_previous_owners.contains(tp)) {
      transferring_[tp] = consumer;
    }
    return static_cast<std::int32_t>(list.size());
  }

  StickyInput& in_;
  std::int32_t min_quota_ = 0;
  std::int32_t max_quota_ = 0;
  std::int32_t expected_over_min_ = 0;
  std::int32_t over_min_ = 0;
  GroupAssignment assignment_;
  std::set<TopicPartition> assigned_;
  std::map<TopicPartition, std::string> maybe_revoked_;
  std::map<TopicPartition, std::string> transferring_;
  std::vector<std::string> under_min_;
  std::vector<std::string> exactly_min_;
};

// PartitionMovements: which partitions moved between which consumers, so that a later move
// back undoes an earlier one instead of adding a second movement.
class PartitionMovements {
 public:
  using Pair = std::pair<std::string, std::string>;  // (source, destination)

  void Move(const TopicPartition& tp, const std::string& from, const std::string& to) {
    const auto it = movements_.find(tp);
    if (it == movements_.end()) {
      Add(tp, {from, to});
      return;
    }
    const Pair existing = Remove(tp);
    KSIM_ASSERT_EQ(existing.second, from);
    if (existing.first != to) Add(tp, {existing.first, to});
  }

  // getTheActualPartitionToBeMoved: if some partition of the topic already moved the opposite
  // way, move that one back instead (the first in its HashSet's iteration order).
  TopicPartition ActualPartitionToMove(const TopicPartition& tp, std::string from,
                                       const std::string& to) const {
    const auto topic = by_topic_.find(tp.topic);
    if (topic == by_topic_.end()) return tp;
    const auto moved = movements_.find(tp);
    if (moved != movements_.end()) {
      KSIM_ASSERT_EQ(from, moved->second.second);
      from = moved->second.first;
    }
    const auto reverse = topic->second.find(Pair{to, from});
    if (reverse == topic->second.end()) return tp;
    const JavaSet& set = reverse->second;
    std::vector<std::int32_t> hashes;
    for (const auto& p : set.items)
      hashes.push_back(JavaTopicPartitionHashCode(p.topic, p.partition));
    return set.items[JavaHashMapOrder(hashes, set.largest_size).front()];
  }

 private:
  // A java.util.HashSet<TopicPartition>: its items in insertion order and the largest size it
  // reached (its table never shrinks), enough to know its iteration order.
  struct JavaSet {
    std::vector<TopicPartition> items;
    std::size_t largest_size = 0;
  };

  void Add(const TopicPartition& tp, const Pair& pair) {
    movements_[tp] = pair;
    JavaSet& set = by_topic_[tp.topic][pair];
    set.items.push_back(tp);
    set.largest_size = std::max(set.largest_size, set.items.size());
  }

  Pair Remove(const TopicPartition& tp) {
    const Pair pair = movements_.at(tp);
    movements_.erase(tp);
    auto& topic = by_topic_.at(tp.topic);
    auto& set = topic.at(pair);
    Erase(set.items, tp);
    if (set.items.empty()) topic.erase(pair);
    if (topic.empty()) by_topic_.erase(tp.topic);
    return pair;
  }

  std::map<TopicPartition, Pair> movements_;
  std::map<std::string, std::map<Pair, JavaSet>> by_topic_;
};

// GeneralAssignmentBuilder: members subscribe to different topics.
class GeneralBuilder {
 public:
  explicit GeneralBuilder(StickyInput& in) : in_(in) {
    for (const auto& [topic, count] : in.partitions) topic_consumers_[topic];
    for (std::size_t i : in.order) {
      const auto& member = in.members[i];
      auto& topics = consumer_topics_[member.member_id];
      for (const auto& topic : member.topics) {
        if (!in.partitions.contains(topic)) continue;
        topics.push_back(topic);
        topic_consumers_[topic].push_back(member.member_id);
      }
    }
    current_ = in.owned;
    for (const auto& [consumer, list] : current_) {
      for (const auto& tp : list) partition_consumer_[tp] = consumer;
    }
    // Topics with fewer potential consumers first, then by name (TopicComparator).
    std::vector<std::string> topics;
    for (const auto& [topic, consumers] : topic_consumers_) topics.push_back(topic);
    std::stable_sort(topics.begin(), topics.end(), [&](const auto& a, const auto& b) {
      const auto na = topic_consumers_.at(a).size();
      const auto nb = topic_consumers_.at(b).size();
      return na != nb ? na < nb : a < b;
    });
    for (const auto& topic : topics) {
      for (std::int32_t p = 0; p < in.partitions.at(topic); ++p)
        sorted_partitions_.push_back({topic, p});
    }
  }

  GroupAssignment Build() {
    PrepopulatePreviousAssignment();
    // assignOwnedPartitions: every owned partition is of a subscribed topic already, except
    // when a member stopped subscribing to it, which needs a revocation.
    std::set<TopicPartition> assigned;
    for (auto& [consumer, list] : current_) {
      const auto& member = in_.Member(consumer);
      std::vector<TopicPartition> kept;
      for (const auto& tp : list) {
        if (std::find(member.topics.begin(), member.topics.end(), tp.topic) ==
            member.topics.end()) {
          revocation_required_ = true;
        } else {
          kept.push_back(tp);
          assigned.insert(tp);
        }
      }
      list = std::move(kept);
    }
    std::vector<TopicPartition> unassigned;
    for (const auto& tp : sorted_partitions_) {
      if (!assigned.contains(tp)) unassigned.push_back(tp);
    }
    for (const auto& [consumer, list] : current_) sorted_consumers_.insert(Key(consumer));
    Balance(unassigned);
    return std::move(current_);
  }

 private:
  using ConsumerKey = std::pair<std::size_t, std::string>;  // (assigned count, member id)

  ConsumerKey Key(const std::string& consumer) const {
    return {current_.at(consumer).size(), consumer};
  }

  void PrepopulatePreviousAssignment() {
    for (std::size_t i : in_.order) {
      const auto& member = in_.members[i];
      if (member.generation >= in_.max_generation) continue;
      for (const auto& tp : member.owned_partitions) {
        const auto it = previous_.find(tp);
        if (it == previous_.end() || member.generation > it->second.second) {
          previous_[tp] = {member.member_id, member.generation};
        }
      }
    }
  }

  std::int32_t MaxAssignmentSize(const std::string& consumer) const {
    std::int32_t size = 0;
    for (const auto& topic : consumer_topics_.at(consumer)) size += in_.partitions.at(topic);
    return size;
  }

  bool IsBalanced() const {
    const std::size_t min = sorted_consumers_.begin()->first;
    const std::size_t max = sorted_consumers_.rbegin()->first;
    if (min + 1 >= max) return true;
    std::map<TopicPartition, std::string> owner;
    for (const auto& [consumer, list] : current_) {
      for (const auto& tp : list) owner[tp] = consumer;
    }
    for (const auto& [count, consumer] : sorted_consumers_) {
      if (static_cast<std::int32_t>(count) == MaxAssignmentSize(consumer)) continue;
      for (const auto& topic : consumer_topics_.at(consumer)) {
        for (std::int32_t p = 0; p < in_.partitions.at(topic); ++p) {
          const TopicPartition tp{topic, p};
          if (Contains(current_.at(consumer), tp)) continue;
          const auto other = owner.find(tp);
          if (other == owner.end()) continue;
          if (count + 1 < current_.at(other->second).size()) return false;
        }
      }
    }
    return true;
  }

  static std::int64_t BalanceScore(const GroupAssignment& assignment) {
    std::int64_t score = 0;
    for (auto a = assignment.begin(); a != assignment.end(); ++a) {
      for (auto b = std::next(a); b != assignment.end(); ++b) {
        const auto diff = static_cast<std::int64_t>(a->second.size()) -
                          static_cast<std::int64_t>(b->second.size());
        score += diff < 0 ? -diff : diff;
      }
    }
    return score;
  }

  bool CanTopicParticipate(const std::string& topic) const {
    return topic_consumers_.at(topic).size() >= 2;
  }

  bool CanConsumerParticipate(const std::string& consumer) const {
    const auto& list = current_.at(consumer);
    if (static_cast<std::int32_t>(list.size()) < MaxAssignmentSize(consumer)) return true;
    return std::any_of(list.begin(), list.end(),
                       [&](const auto& tp) { return CanTopicParticipate(tp.topic); });
  }

  void Balance(std::vector<TopicPartition> unassigned) {
    const bool initializing = current_.at(sorted_consumers_.rbegin()->second).empty();
    // maybeAssign: each unassigned partition to the least loaded consumer subscribed to it.
    for (const auto& tp : unassigned) {
      if (topic_consumers_.at(tp.topic).empty()) continue;
      for (const auto& [count, consumer] : sorted_consumers_) {
        const auto& topics = consumer_topics_.at(consumer);
        if (std::find(topics.begin(), topics.end(), tp.topic) == topics.end()) continue;
        const std::string chosen = consumer;
        sorted_consumers_.erase(Key(chosen));
        current_.at(chosen).push_back(tp);
        partition_consumer_[tp] = chosen;
        sorted_consumers_.insert(Key(chosen));
        break;
      }
    }
    // Partitions of single-consumer topics and consumers that cannot change stay put.
    const auto fixed = [&](const TopicPartition& tp) { return !CanTopicParticipate(tp.topic); };
    std::erase_if(sorted_partitions_, fixed);
    std::erase_if(unassigned, fixed);
    GroupAssignment fixed_assignments;
    for (const auto& [consumer, topics] : consumer_topics_) {
      if (CanConsumerParticipate(consumer)) continue;
      sorted_consumers_.erase(Key(consumer));
      fixed_assignments[consumer] = std::move(current_.at(consumer));
      current_.erase(consumer);
    }
    const GroupAssignment pre_balance = current_;
    const auto pre_balance_owners = partition_consumer_;
    if (!revocation_required_) PerformReassignments(unassigned);
    const bool performed = PerformReassignments(sorted_partitions_);
    if (!initializing && performed && BalanceScore(current_) >= BalanceScore(pre_balance)) {
      current_ = pre_balance;
      partition_consumer_ = pre_balance_owners;
    }
    for (auto& [consumer, list] : fixed_assignments) {
      current_[consumer] = std::move(list);
      sorted_consumers_.insert(Key(consumer));
    }
  }

  bool PerformReassignments(const std::vector<TopicPartition>& partitions) {
    bool performed = false;
    bool modified = true;
    while (modified) {
      modified = false;
      for (std::size_t i = 0; i < partitions.size() && !IsBalanced(); ++i) {
        const TopicPartition& tp = partitions[i];
        const std::string consumer = partition_consumer_.at(tp);
        const auto previous = previous_.find(tp);
        if (previous != previous_.end() &&
            current_.at(consumer).size() > current_.at(previous->second.first).size() + 1) {
          Reassign(tp, previous->second.first);
          performed = modified = true;
          continue;
        }
        for (const auto& other : topic_consumers_.at(tp.topic)) {
          if (!current_.contains(other)) continue;
          if (current_.at(consumer).size() > current_.at(other).size() + 1) {
            ReassignToLeastLoaded(tp);
            performed = modified = true;
            break;
          }
        }
      }
    }
    return performed;
  }

  void ReassignToLeastLoaded(const TopicPartition& tp) {
    for (const auto& [count, consumer] : sorted_consumers_) {
      const auto& topics = consumer_topics_.at(consumer);
      if (std::find(topics.begin(), topics.end(), tp.topic) != topics.end()) {
        const std::string chosen = consumer;
        Reassign(tp, chosen);
        return;
      }
    }
    KSIM_ASSERT_MSG(false, "sticky assignor: no consumer for " + tp.ToString());
  }

  void Reassign(const TopicPartition& tp, const std::string& new_consumer) {
    const std::string consumer = partition_consumer_.at(tp);
    const TopicPartition moved = movements_.ActualPartitionToMove(tp, consumer, new_consumer);
    const std::string old_consumer = partition_consumer_.at(moved);
    sorted_consumers_.erase(Key(old_consumer));
    sorted_consumers_.erase(Key(new_consumer));
    movements_.Move(moved, old_consumer, new_consumer);
    Erase(current_.at(old_consumer), moved);
    current_.at(new_consumer).push_back(moved);
    partition_consumer_[moved] = new_consumer;
    sorted_consumers_.insert(Key(new_consumer));
    sorted_consumers_.insert(Key(old_consumer));
  }

  StickyInput& in_;
  std::map<std::string, std::vector<std::string>> topic_consumers_;
  std::map<std::string, std::vector<std::string>> consumer_topics_;
  GroupAssignment current_;
  std::map<TopicPartition, std::string> partition_consumer_;
  std::vector<TopicPartition> sorted_partitions_;
  std::set<ConsumerKey> sorted_consumers_;
  std::map<TopicPartition, std::pair<std::string, std::int32_t>> previous_;
  PartitionMovements movements_;
  bool revocation_required_ = false;
};

// CooperativeStickyAssignor.computePartitionsTransferringOwnership (general builder only):
// partitions newly assigned to one member that another member owned and must revoke.
std::map<TopicPartition, std::string> TransferringOwnership(
    const std::vector<AssignorSubscription>& members, const GroupAssignment& assignment) {
  std::map<TopicPartition, std::string> added;
  std::set<TopicPartition> revoked;
  for (const auto& member : members) {
    const auto& assigned = assignment.at(member.member_id);
    for (const auto& tp : assigned) {
      if (!Contains(member.owned_partitions, tp)) added[tp] = member.member_id;
    }
    for (const auto& tp : member.owned_partitions) {
      if (!Contains(assigned, tp)) revoked.insert(tp);
    }
  }
  std::erase_if(added, [&](const auto& entry) { return !revoked.contains(entry.first); });
  return added;
}

}  // namespace

GroupAssignment StickyAssign(const std::vector<AssignorSubscription>& members,
                             const PartitionCounts& partitions, bool cooperative) {
  GroupAssignment assignment;
  if (members.empty()) return assignment;
  StickyInput in{members, partitions, {}, {}, {}, {}, kDefaultGeneration, 0};
  std::vector<std::int32_t> hashes;
  for (std::size_t i = 0; i < members.size(); ++i) {
    in.index[members[i].member_id] = i;
    hashes.push_back(JavaUtf16HashCode(members[i].member_id));
  }
  in.order = JavaHashMapOrder(hashes);
  for (const auto& [topic, count] : partitions) in.total_partitions += count;
  std::map<TopicPartition, std::string> transferring;
  if (AllSubscriptionsEqual(in)) {
    assignment = ConstrainedBuilder(in).Build(transferring);
  } else {
    assignment = GeneralBuilder(in).Build();
    if (cooperative) transferring = TransferringOwnership(members, assignment);
  }
  if (cooperative) {
    // adjustAssignment: a partition changing owner waits for the next rebalance.
    for (const auto& [tp, consumer] : transferring) Erase(assignment.at(consumer), tp);
  }
  return assignment;
}

}  // namespace kafkasim::kafka
