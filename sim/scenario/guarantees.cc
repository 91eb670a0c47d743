#include "scenario/guarantees.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <map>
#include <span>
#include <string_view>
#include <system_error>
#include <tuple>
#include <utility>

#include "kafka/broker.h"
#include "kafka/partition.h"
#include "kafka/trace_kinds.h"
#include "raft/trace_kinds.h"
#include "scenario/trace_kinds.h"
#include "scenario/world.h"
#include "storage/record_batch.h"

namespace kafkasim::scenario {
namespace {

// Calls f(topic, index, registration) for each partition in `scope` that the image holds, in the
// image's order, until f returns a violation, which is then returned.
template <class F>
std::optional<std::string> ForEachPartition(const kafka::MetadataImage& image,
                                            const PartitionScope& scope, F&& f) {
  if (scope.everything()) {
    for (const auto& [name, topic] : image.topics()) {
      for (const auto& [index, reg] : topic.partitions) {
        if (std::optional<std::string> broken = f(name, index, reg)) return broken;
      }
    }
    return std::nullopt;
  }
  for (const auto& [topic_name, index] : scope.partitions()) {
    const auto topic = image.topics().find(topic_name);
    if (topic == image.topics().end()) continue;
    const auto reg = topic->second.partitions.find(index);
    if (reg == topic->second.partitions.end()) continue;
    if (std::optional<std::string> broken = f(topic->first, index, reg->second)) return broken;
  }
  return std::nullopt;
}

// The order of (topic, partition, broker[, epoch]) keys, transparent to the same tuple with the
// topic as a std::string_view.
struct TopicKeyLess {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    const int c = std::string_view(std::get<0>(a)).compare(std::get<0>(b));
    if (c != 0) return c < 0;
    return Tail(a) < Tail(b);
  }
  template <class T>
  static auto Tail(const T& t) {
    return std::apply([](const auto&, const auto&... rest) { return std::tuple(rest...); }, t);
  }
};

// The checkers' state by (topic, partition, broker[, epoch]), looked up with the topic's name
// borrowed: a key is copied only when it is first seen.
template <class Map, class... Ints>
typename Map::mapped_type& Slot(Map& map, const std::string& topic, Ints... ints) {
  const auto it = map.find(std::tuple<std::string_view, Ints...>(topic, ints...));
  if (it != map.end()) return it->second;
  return map.emplace(typename Map::key_type(topic, ints...), typename Map::mapped_type{})
      .first->second;
}

// Kafka's durability promise: a record acknowledged with acks=all is on every in-sync replica,
// so it survives as long as one of them does and no out-of-sync replica is elected
// (unclean.leader.election.enable=false). acks=0 and acks=1 make no such promise.
class AckedWritesKept final : public Guarantee {
 public:
  std::string name() const override { return "acks=all writes, once acknowledged, are kept"; }
  bool TriggeredBy(std::string_view kind) const override {
    return kind == kafka::trace_kind::kPartitionLeader;
  }
  std::optional<std::string> Check(World& world, const PartitionScope& scope) override {
    std::string first;
    std::int64_t lost = 0;
    if (scope.everything()) {
      lost = world.CountLostAcknowledged("", /*acks_all_only=*/true, &first);
    } else {
      for (const auto& [topic, index] : scope.partitions()) {
        const PartitionRef ref{topic, index};
        lost += world.CountLostAcknowledged("", /*acks_all_only=*/true,
                                            first.empty() ? &first : nullptr, &ref);
      }
    }
    if (lost == 0) return std::nullopt;
    return fmt::format("{} acknowledged record(s) lost, e.g. {}", lost, first);
  }
};

// Leader epochs fence stale leaders: for one partition and one leader epoch there is at most
// one broker acting as leader.
class OneLeaderPerEpoch final : public Guarantee {
 public:
  std::string name() const override { return "at most one leader per partition and epoch"; }
  bool TriggeredBy(std::string_view kind) const override {
    return kind == kafka::trace_kind::kPartitionLeader;
  }
  std::optional<std::string> Check(World& world, const PartitionScope& scope) override {
    const kafka::MetadataImage* image = world.BestImage();
    if (image == nullptr) return std::nullopt;
    return ForEachPartition(
        *image, scope,
        [&](const std::string& name, std::int32_t index,
            const kafka::PartitionRegistration& reg) -> std::optional<std::string> {
          std::map<std::int32_t, std::vector<std::int32_t>> leaders_by_epoch;
          for (std::int32_t broker : reg.replicas) {
            const kafka::Partition* local = world.ReplicaOn(broker, name, index);
            if (local && local->is_leader())
              leaders_by_epoch[local->leader_epoch()].push_back(broker);
          }
          for (const auto& [epoch, brokers] : leaders_by_epoch) {
            if (brokers.size() < 2) continue;
            return fmt::format("brokers {} and {} both lead {}-{} at leader_epoch {}", brokers[0],
                               brokers[1], name, index, epoch);
          }
          return std::nullopt;
        });
  }
};

// ---- Partition logs ---------------------------------------------------------------------------

// What the log guarantees compare of one record batch: its offsets, the leader epoch it was
// written in, and the CRC over its records.
struct BatchFacts {
  std::int64_t base_offset = 0;
  std::int64_t last_offset = 0;
  std::int32_t epoch = -1;
  std::uint32_t crc = 0;
  bool operator==(const BatchFacts&) const = default;
};

std::string Describe(const BatchFacts& b) {
  return fmt::format("offsets {}..{} in epoch {} with crc {:#010x}", b.base_offset, b.last_offset,
                     b.epoch, b.crc);
}

constexpr std::int32_t kReadChunkBytes = 1 << 20;

// The batches of `log` from the one holding `from` on, in log order, up to (not including) the
// first batch that reaches `to`. Empty when `from` is outside the log.
std::vector<BatchFacts> BatchesOf(const kafka::ReplicaLog& log, std::int64_t from,
                                  std::int64_t to) {
  std::vector<BatchFacts> out;
  std::int64_t next = from;
  while (next < to) {
    // Only batches that end below `to` come back (the read stops at the batch holding `to`).
    // Headers only: the CRC stands for the bytes.
    Result<std::vector<storage::BatchHeader>> headers = log.ReadHeaders(next, kReadChunkBytes, to);
    if (!headers.ok() || headers->empty()) break;
    const std::int64_t before = next;
    for (const storage::BatchHeader& h : *headers) {
      if (h.last_offset() >= to) return out;
      out.push_back(BatchFacts{h.base_offset, h.last_offset(), h.partition_leader_epoch, h.crc});
      next = std::max(next, h.next_offset());
    }
    if (next == before) break;
  }
  return out;
}

// Events after which a replica's log may no longer be the one last checked: truncation,
// recovery, retention, a restart or a crash (a power loss drops the unsynced tail), a corrupted
// byte. The incremental log checkers then start over.
bool ResetsLogs(std::string_view kind) {
  namespace k = kafka::trace_kind;
  namespace s = trace_kind;
  return kind == k::kLogTruncate || kind == k::kLogReset || kind == k::kLogLoad ||
         kind == k::kLogRecovery || kind == k::kLogCleaner || kind == k::kPartitionDeleted ||
         kind == k::kLogDirFailed || kind == s::kNodeCrash || kind == s::kNodeKill ||
         kind == s::kNodeRestart || kind == s::kNodeShutdown || kind == s::kDiskCorrupt;
}

// The trace kinds after which a partition's logs or high watermarks may have moved.
bool MovesPartitions(std::string_view kind) {
  namespace k = kafka::trace_kind;
  return kind == k::kProduceAppend || kind == k::kPartitionLeader ||
         kind == k::kPartitionFollower || kind == k::kIsrExpand || kind == k::kIsrShrink ||
         kind == k::kLogTruncate || kind == k::kLogRetention || kind == k::kClientRecord;
}

// The partition's leader as the freshest metadata names it, when that broker runs and acts as
// leader in that epoch.
struct LeaderOf {
  std::int32_t broker = -1;
  std::int32_t epoch = -1;
  const kafka::ReplicaLog* log = nullptr;
  const std::vector<std::int32_t>* isr = nullptr;  // as the leader holds it
};
std::optional<LeaderOf> RunningLeader(World& world, const std::string& topic, std::int32_t p,
                                      const kafka::PartitionRegistration& reg) {
  if (!reg.HasLeader()) return std::nullopt;
  const kafka::Partition* local = world.ReplicaOn(reg.leader, topic, p);
  if (local == nullptr || !local->is_leader() || local->leader_epoch() != reg.leader_epoch) {
    return std::nullopt;
  }
  return LeaderOf{reg.leader, reg.leader_epoch, &local->log(), &local->isr()};
}

// Replication's promise: below the high watermark the in-sync replicas hold the same records.
// It is a promise about the replicas in the leader's ISR only. A replica out of the ISR may hold
// a divergent tail below the leader's high watermark until it has truncated to the epoch
// boundary (a stale leader coming back, or every replica after an unclean election, where the
// new leader's history replaces the old one's); it rejoins the ISR only once it has caught up
// in the current epoch. In KRaft mode this holds across power losses too: a broker that lost
// its unsynced tail is fenced before it can re-register, which takes it out of every ISR, and
// it is let back in only once caught up. In ZooKeeper mode it need not: when no controller saw
// the broker die (one was being elected), the next one finds it live and keeps it leader of its
// old epoch (see HwNeverBackwards), so it writes other records at offsets its followers hold in
// that epoch, and truncation by epoch cannot tell (the swarm names that break a documented one,
// after a power loss). A follower lags, so only what both
// hold is compared: below min(leader's high watermark, follower's log end). Each follower is
// checked incrementally from where its last check agreed, starting over at a leader change or
// a truncation.
class ReplicasAgreeBelowHw final : public Guarantee {
 public:
  std::string name() const override {
    return "replicas agree on every offset below the high watermark";
  }
  bool TriggeredBy(std::string_view kind) const override { return MovesPartitions(kind); }
  bool Observes(std::string_view kind) const override {
    return ResetsLogs(kind) || kind == trace_kind::kDiskCorrupt;
  }
  void Observe(const TraceEvent& event) override {
    if (ResetsLogs(event.kind)) agreed_.clear();
    corrupted_ = corrupted_ || event.kind == trace_kind::kDiskCorrupt;
  }
  std::optional<std::string> Check(World& world, const PartitionScope& scope) override {
    const kafka::MetadataImage* image = world.BestImage();
    if (image == nullptr || corrupted_) return std::nullopt;
    return ForEachPartition(
        *image, scope,
        [&](const std::string& name, std::int32_t index,
            const kafka::PartitionRegistration& reg) -> std::optional<std::string> {
          const std::optional<LeaderOf> leader = RunningLeader(world, name, index, reg);
          if (!leader) return std::nullopt;
          // The range each follower is compared over, then the leader's batches read once for
          // all of them.
          followers_.clear();
          std::int64_t lowest = std::numeric_limits<std::int64_t>::max();
          std::int64_t highest = std::numeric_limits<std::int64_t>::min();
          for (std::int32_t f : *leader->isr) {
            if (f == leader->broker) continue;
            const kafka::KafkaNode* server = world.BrokerServer(f);
            const kafka::ReplicaLog* log = server ? server->Log(name, index) : nullptr;
            if (log == nullptr) continue;
            Agreed& a = Slot(agreed_, name, index, f);
            if (a.leader != leader->broker || a.epoch != leader->epoch)
              a = {leader->broker, leader->epoch, 0};
            std::int64_t from =
                std::max({a.up_to, leader->log->log_start_offset(), log->log_start_offset()});
            // Each replica compacts its own log when its cleaner gets to it: below the active
            // segments the same offsets may hold differently cleaned batches.
            if (leader->log->compacted()) {
              from = std::max({from, leader->log->active_segment_base_offset(),
                               log->active_segment_base_offset()});
            }
            const std::int64_t to = std::min(leader->log->high_watermark(), log->log_end_offset());
            if (from >= to) continue;
            followers_.push_back({f, log, &a, from, to});
            lowest = std::min(lowest, from);
            highest = std::max(highest, to);
          }
          if (followers_.empty()) return std::nullopt;
          // Every follower's range starts at or above the leader's log start and ends at or
          // below its high watermark, so its batches are a run of these: from the one holding
          // its `from`, up to the first that reaches its `to` (as BatchesOf would read them).
          const std::vector<BatchFacts> leaders = BatchesOf(*leader->log, lowest, highest);
          for (const Follower& f : followers_) {
            const std::vector<BatchFacts> theirs = BatchesOf(*f.log, f.from, f.to);
            auto ours = std::find_if(leaders.begin(), leaders.end(),
                                     [&](const BatchFacts& b) { return b.last_offset >= f.from; });
            for (const BatchFacts& their : theirs) {
              if (ours == leaders.end() || ours->last_offset >= f.to) break;
              if (their != *ours) {
                return fmt::format(
                    "{}-{}: broker {} has {}, the leader broker {} has {} (below hw {})", name,
                    index, f.broker, Describe(their), leader->broker, Describe(*ours),
                    leader->log->high_watermark());
              }
              f.agreed->up_to = ours->last_offset + 1;
              ++ours;
            }
          }
          return std::nullopt;
        });
  }

 private:
  struct Agreed {
    std::int32_t leader = -1;
    std::int32_t epoch = -1;
    std::int64_t up_to = 0;  // the follower agreed with this leader below it
  };
  std::map<std::tuple<std::string, std::int32_t, std::int32_t>, Agreed, TopicKeyLess> agreed_;
  // A follower of the partition being checked, with the offsets it is compared over.
  struct Follower {
    std::int32_t broker;
    const kafka::ReplicaLog* log;
    Agreed* agreed;
    std::int64_t from;
    std::int64_t to;
  };
  std::vector<Follower> followers_;
  // A byte corrupted on a disk (the disk.corrupt fault) is not a replication fault, and the
  // leader epoch of a batch is outside its CRC: Kafka cannot notice it, so from then on the
  // replicas' logs are not compared.
  bool corrupted_ = false;
};

// A leader's high watermark only advances while it leads an epoch (Partition.maybeIncrementLeaderHW
// never lowers it). A new epoch, even on the same broker, starts from whatever that broker's
// log holds, so the promise is per partition, broker and leader epoch, and per process life: a
// restarted broker starts from its replication-offset-checkpoint, written only every
// replica.high.watermark.checkpoint.interval.ms (5 s), and under min.insync.replicas it may not
// advance it (KAFKA-15583). In KRaft mode a restarted broker cannot lead the same epoch again
// (it re-registers, which fences it and bumps the epochs it led), but in ZooKeeper mode it can:
// a controller elected after the broker died and came back finds it live in /brokers/ids and
// sends it LeaderAndIsr with the epoch it had (KafkaController.onControllerFailover).
class HwNeverBackwards final : public Guarantee {
 public:
  std::string name() const override {
    return "the high watermark never goes backwards on a leader";
  }
  bool TriggeredBy(std::string_view kind) const override { return MovesPartitions(kind); }
  std::optional<std::string> Check(World& world, const PartitionScope& scope) override {
    const kafka::MetadataImage* image = world.BestImage();
    if (image == nullptr) return std::nullopt;
    return ForEachPartition(
        *image, scope,
        [&](const std::string& name, std::int32_t index,
            const kafka::PartitionRegistration& reg) -> std::optional<std::string> {
          for (std::int32_t broker : reg.replicas) {
            const kafka::Partition* local = world.ReplicaOn(broker, name, index);
            if (local == nullptr || !local->is_leader()) continue;
            const std::int64_t hw = local->log().high_watermark();
            const std::uint32_t life = world.sim().Incarnation(world.directory().NodeFor(broker));
            Hw& h = Slot(seen_, name, index, broker, local->leader_epoch());
            if (h.life != life) h = Hw{-1, life};
            std::int64_t& seen = h.value;
            if (seen >= 0 && hw < seen) {
              return fmt::format("{}-{}: leader broker {} at leader_epoch {} had hw {}, now {}",
                                 name, index, broker, local->leader_epoch(), seen, hw);
            }
            seen = hw;
          }
          return std::nullopt;
        });
  }

 private:
  struct Hw {
    std::int64_t value = -1;  // -1 until the first check of that leader and epoch
    std::uint32_t life = 0;   // the leader's Simulation::Incarnation when `value` was seen
  };
  std::map<std::tuple<std::string, std::int32_t, std::int32_t, std::int32_t>, Hw, TopicKeyLess>
      seen_;
};

// Offsets are assigned by the leader one after another: its log is a run of batches, each
// starting right after the previous one ends, from the log start offset (retention deletes a
// prefix, never a middle) to the log end offset; in a compacted log, batches below the active
// segment may also start after a gap the cleaner left. Checked incrementally on each broker acting
// as leader, from where the last check ended.
class OffsetsGapFree final : public Guarantee {
 public:
  std::string name() const override { return "offsets are unique and gap-free"; }
  bool TriggeredBy(std::string_view kind) const override { return MovesPartitions(kind); }
  bool Observes(std::string_view kind) const override {
    return ResetsLogs(kind) || kind == trace_kind::kDiskCorrupt;
  }
  void Observe(const TraceEvent& event) override {
    if (ResetsLogs(event.kind)) checked_.clear();
    corrupted_ = corrupted_ || event.kind == trace_kind::kDiskCorrupt;
  }
  std::optional<std::string> Check(World& world, const PartitionScope& scope) override {
    const kafka::MetadataImage* image = world.BestImage();
    if (image == nullptr || corrupted_) return std::nullopt;
    return ForEachPartition(
        *image, scope,
        [&](const std::string& name, std::int32_t index,
            const kafka::PartitionRegistration& reg) -> std::optional<std::string> {
          for (std::int32_t broker : reg.replicas) {
            const kafka::Partition* local = world.ReplicaOn(broker, name, index);
            if (local == nullptr || !local->is_leader()) continue;
            const kafka::ReplicaLog* log = &local->log();
            std::int64_t& next = Slot(checked_, name, index, broker);
            const std::int64_t start = log->log_start_offset();
            const std::int64_t end = log->log_end_offset();
            // The first batch read may begin below the log start offset (deleted records).
            bool first_may_straddle = false;
            if (next < start || next > end) {
              next = start;
              first_may_straddle = true;
            }
            if (next == end) continue;
            // Log compaction removes records below the active segment and leaves gaps there
            // (offsets are never reassigned); above, and everywhere else, none may be missing.
            const std::int64_t gaps_allowed_below =
                log->compacted() ? log->active_segment_base_offset() : -1;
            const std::vector<BatchFacts> batches = BatchesOf(*log, next, end);
            for (const BatchFacts& b : batches) {
              const bool ok =
                  b.base_offset == next ||
                  (first_may_straddle && b.base_offset < next && b.last_offset >= next) ||
                  (b.base_offset > next && b.base_offset <= gaps_allowed_below);
              first_may_straddle = false;
              if (!ok) {
                return fmt::format(
                    "{}-{}: leader broker {} expects offset {} next, but its next batch has {}{}",
                    name, index, broker, next, Describe(b),
                    b.base_offset < next ? " (a duplicate)" : " (a gap)");
              }
              next = b.last_offset + 1;
            }
            if (next != end) {
              return fmt::format(
                  "{}-{}: leader broker {} has no batch at offset {}, below its log end {}", name,
                  index, broker, next, end);
            }
          }
          return std::nullopt;
        });
  }

 private:
  std::map<std::tuple<std::string, std::int32_t, std::int32_t>, std::int64_t, TopicKeyLess>
      checked_;
  // After a disk.corrupt fault a log may not read back whole (the broker finds out when it
  // reads it); that is the disk's fault, not offset assignment's.
  bool corrupted_ = false;
};

// Consumers read committed records only: the leader serves them up to its high watermark
// (FetchIsolation.HIGH_WATERMARK), so a record reaches a consumer only if its offset is below the
// high watermark the same fetch response carries.
class ConsumersBelowHw final : public Guarantee {
 public:
  std::string name() const override { return "no consumer reads above the high watermark"; }
  // Consumers trace each record only when asked (print.*), so any event that moves partitions
  // also has the consumed records checked (the check reads only those consumed since).
  bool TriggeredBy(std::string_view kind) const override {
    return MovesPartitions(kind) || kind == kafka::trace_kind::kClientDone ||
           kind == kafka::trace_kind::kClientStop;
  }
  std::optional<std::string> Check(World& world, const PartitionScope&) override {
    // The ledger keeps only the records read at or above their fetch's high watermark.
    const std::vector<kafka::ConsumeEvent>& consumed = world.ledger().read_above_hw();
    for (; next_ < consumed.size(); ++next_) {
      const kafka::ConsumeEvent& c = consumed[next_];
      return fmt::format("{} read {}-{} offset {}, but the fetch response gave hw {}", c.client,
                         c.topic, c.partition, c.offset, c.high_watermark);
    }
    return std::nullopt;
  }

 private:
  std::size_t next_ = 0;
};

// Consumer groups: a generation's assignment comes from one leader's assignor, handed out by the
// coordinator in one SyncGroup round, so within one generation of a group no partition has two
// owners (what makes "each record to one member of the group" hold between rebalances).
class GroupPartitionOwnedOnce final : public Guarantee {
 public:
  std::string name() const override {
    return "within one generation each partition is owned by at most one group member";
  }
  bool TriggeredBy(std::string_view kind) const override {
    return kind == kafka::trace_kind::kClientAssignment;
  }
  std::optional<std::string> Check(World& world, const PartitionScope&) override {
    const std::vector<kafka::AssignmentEvent>& assignments = world.history().assignments;
    for (; next_ < assignments.size(); ++next_) {
      const kafka::AssignmentEvent& a = assignments[next_];
      auto& owners = owners_[{a.group, a.generation}];
      for (const std::string& partition : a.partitions) {
        const auto [it, inserted] = owners.emplace(partition, a.member_id);
        if (inserted || it->second == a.member_id) continue;
        return fmt::format("group {} generation {}: {} is owned by {} and by {} ({})", a.group,
                           a.generation, partition, it->second, a.member_id, a.client);
      }
    }
    return std::nullopt;
  }

 private:
  std::size_t next_ = 0;
  // (group, generation) -> partition -> member id.
  std::map<std::pair<std::string, std::int32_t>, std::map<std::string, std::string>> owners_;
};

// ---- The metadata quorum (KRaft's Raft) --------------------------------------------------------

// The running servers' Raft cores: controllers (voters) and brokers (observers).
std::vector<const raft::RaftNode*> RaftNodes(World& world) {
  std::vector<const raft::RaftNode*> out;
  for (NodeIndex n : world.servers()) {
    const kafka::KafkaRaftServer* server = world.RaftServer(n);
    const raft::RaftNode* raft = server ? server->raft_or_null() : nullptr;
    if (raft != nullptr) out.push_back(raft);
  }
  return out;
}

bool MovesQuorum(std::string_view kind) {
  namespace r = raft::trace_kind;
  return kind == r::kLeader || kind == r::kFollower || kind == r::kResigned ||
         kind == r::kTruncate || kind == r::kEndEpoch || kind == r::kUnattached;
}

// Raft's election safety: votes are persisted and a candidate needs a majority, so at most one
// voter ever leads an epoch (across restarts too: votes are fsynced before they are sent).
class QuorumOneLeaderPerEpoch final : public Guarantee {
 public:
  std::string name() const override {
    return "the metadata quorum elects at most one leader per epoch";
  }
  bool TriggeredBy(std::string_view kind) const override {
    return kind == raft::trace_kind::kLeader;
  }
  std::optional<std::string> Check(World& world, const PartitionScope&) override {
    for (const raft::RaftNode* node : RaftNodes(world)) {
      if (node->role() != raft::Role::kLeader) continue;
      auto [it, fresh] = leaders_.try_emplace(node->epoch(), node->node_id());
      if (!fresh && it->second != node->node_id()) {
        return fmt::format("nodes {} and {} both led the metadata quorum at epoch {}", it->second,
                           node->node_id(), node->epoch());
      }
    }
    return std::nullopt;
  }

 private:
  std::map<raft::Epoch, raft::NodeId> leaders_;
};

std::uint64_t Fnv1a(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : bytes) {
    h ^= static_cast<std::uint8_t>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

// Raft's log matching: if two logs hold an entry with the same offset and epoch, they agree on
// every entry up to it. Checked inductively: every node's entry at (offset, epoch) must have the
// same content and the same epoch just before it as the first node seen with that entry. Each
// node's log is checked from where its last check ended; a truncation or a restart starts over.
// Power losses are not exempt: KRaft fsyncs the metadata log before a voter acknowledges an
// entry or grants a vote, so what a restarted node still holds is what it had promised.
class QuorumLogMatching final : public Guarantee {
 public:
  std::string name() const override {
    return "metadata logs that share an entry agree on everything before it";
  }
  bool TriggeredBy(std::string_view kind) const override { return MovesQuorum(kind); }
  bool Observes(std::string_view kind) const override {
    return kind == raft::trace_kind::kTruncate || ResetsLogs(kind);
  }
  void Observe(const TraceEvent& event) override {
    if (event.kind == raft::trace_kind::kTruncate || ResetsLogs(event.kind)) checked_.clear();
  }
  std::optional<std::string> Check(World& world, const PartitionScope&) override {
    for (const raft::RaftNode* node : RaftNodes(world)) {
      const raft::RaftLog& log = node->log();
      raft::Offset& next = checked_[node->node_id()];
      if (next > log.EndOffset()) next = 0;
      for (; next < log.EndOffset(); ++next) {
        const raft::LogEntry& e = log.At(next);
        const Seen here{Fnv1a(e.payload), static_cast<int>(e.kind), log.EpochBefore(next),
                        node->node_id()};
        auto [it, fresh] = seen_.try_emplace({next, e.epoch}, here);
        if (fresh) continue;
        const Seen& first = it->second;
        if (first.hash == here.hash && first.kind == here.kind &&
            first.epoch_before == here.epoch_before) {
          continue;
        }
        return fmt::format(
            "node {} has offset {} in epoch {} (after epoch {}, hash {:#018x}), node {} had it "
            "after epoch {} with hash {:#018x}",
            node->node_id(), next, e.epoch, here.epoch_before, here.hash, first.node,
            first.epoch_before, first.hash);
      }
    }
    return std::nullopt;
  }

 private:
  struct Seen {
    std::uint64_t hash = 0;
    int kind = 0;
    raft::Epoch epoch_before = 0;
    raft::NodeId node = -1;
  };
  std::map<std::pair<raft::Offset, raft::Epoch>, Seen> seen_;
  std::map<raft::NodeId, raft::Offset> checked_;
};

// Raft's leader completeness: an entry committed (below the quorum's high watermark) while the
// quorum was at some epoch is in the log of the leader of every later epoch. Which epoch an
// entry was committed in is taken as the highest epoch of a node that knew it committed when the
// check first saw it (at or after the true one, so the check never asks too much). A leader of
// an older epoch that has not yet heard of the newer one is not asked for entries committed
// since.
class QuorumLeaderCompleteness final : public Guarantee {
 public:
  std::string name() const override {
    return "a committed metadata entry is in every later leader's log";
  }
  bool TriggeredBy(std::string_view kind) const override { return MovesQuorum(kind); }
  std::optional<std::string> Check(World& world, const PartitionScope&) override {
    const std::vector<const raft::RaftNode*> nodes = RaftNodes(world);
    for (const raft::RaftNode* node : nodes) {
      const raft::RaftLog& log = node->log();
      const raft::Offset hw = std::min(node->high_watermark(), log.EndOffset());
      for (auto o = static_cast<raft::Offset>(committed_.size()); o < hw; ++o) {
        const raft::Epoch at =
            committed_.empty() ? node->epoch() : std::max(node->epoch(), committed_.back().second);
        committed_.emplace_back(log.At(o).epoch, at);
      }
    }
    for (const raft::RaftNode* node : nodes) {
      if (node->role() != raft::Role::kLeader) continue;
      const raft::RaftLog& log = node->log();
      raft::Offset& next = checked_[{node->node_id(), node->epoch()}];
      for (; next < static_cast<raft::Offset>(committed_.size()); ++next) {
        const auto [epoch, committed_at] = committed_[static_cast<std::size_t>(next)];
        if (committed_at >= node->epoch()) break;
        if (next < log.EndOffset() && log.At(next).epoch == epoch) continue;
        return fmt::format(
            "the leader of epoch {}, node {}, {} offset {}, committed in epoch {} by epoch {}",
            node->epoch(), node->node_id(),
            next < log.EndOffset() ? fmt::format("has epoch {} at", log.At(next).epoch)
                                   : std::string("lacks"),
            next, epoch, committed_at);
      }
    }
    return std::nullopt;
  }

 private:
  std::vector<std::pair<raft::Epoch, raft::Epoch>> committed_;  // (entry epoch, committed by)
  std::map<std::pair<raft::NodeId, raft::Epoch>, raft::Offset> checked_;
};

}  // namespace

std::optional<std::pair<std::string_view, std::int32_t>> PartitionScope::Parse(
    std::string_view partition_name) {
  const std::size_t dash = partition_name.rfind('-');
  if (dash == std::string_view::npos || dash == 0) return std::nullopt;
  const std::string_view digits = partition_name.substr(dash + 1);
  std::int32_t index = -1;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
  if (error != std::errc() || end != digits.data() + digits.size() || index < 0) {
    return std::nullopt;
  }
  return std::pair(partition_name.substr(0, dash), index);
}

void PartitionScope::Add(std::string_view partition_name) {
  if (all_) return;
  if (const auto parsed = Parse(partition_name)) {
    Add(parsed->first, parsed->second);
  } else {
    all_ = true;
    size_ = 0;
  }
}

void PartitionScope::Add(std::string_view topic, std::int32_t index) {
  if (all_) return;
  // Where it goes among the few partitions of the scope, by topic name then index.
  std::size_t at = 0;
  for (; at < size_; ++at) {
    const int c = std::string_view(entries_[at].first).compare(topic);
    if (c > 0 || (c == 0 && entries_[at].second >= index)) break;
  }
  if (at < size_ && entries_[at].first == topic && entries_[at].second == index) return;
  if (size_ == entries_.size()) entries_.emplace_back();
  entries_[size_].first.assign(topic);
  entries_[size_].second = index;
  // Rotated into place: the strings move, their buffers stay with them.
  std::rotate(entries_.begin() + static_cast<std::ptrdiff_t>(at),
              entries_.begin() + static_cast<std::ptrdiff_t>(size_),
              entries_.begin() + static_cast<std::ptrdiff_t>(size_ + 1));
  ++size_;
}

std::vector<std::unique_ptr<Guarantee>> BuiltInGuarantees() {
  std::vector<std::unique_ptr<Guarantee>> out;
  out.push_back(std::make_unique<AckedWritesKept>());
  out.push_back(std::make_unique<OneLeaderPerEpoch>());
  out.push_back(std::make_unique<ReplicasAgreeBelowHw>());
  out.push_back(std::make_unique<HwNeverBackwards>());
  out.push_back(std::make_unique<OffsetsGapFree>());
  out.push_back(std::make_unique<ConsumersBelowHw>());
  out.push_back(std::make_unique<GroupPartitionOwnedOnce>());
  out.push_back(std::make_unique<QuorumOneLeaderPerEpoch>());
  out.push_back(std::make_unique<QuorumLogMatching>());
  out.push_back(std::make_unique<QuorumLeaderCompleteness>());
  return out;
}

}  // namespace kafkasim::scenario
