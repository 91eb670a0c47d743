// Kafka's PartitionChangeBuilder: from a partition's state and a target ISR, computes the new
// leader, ISR and ELR (kafka-semantics 1.7, 1.8) and the PartitionChangeRecord that carries only
// the fields that changed.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "kafka/metadata_image.h"
#include "kafka/metadata_records.h"

namespace kafkasim::kafka {

// KRaft's election kinds (PartitionChangeBuilder.Election).
enum class Election : std::uint8_t {
  kPreferred,  // move to replicas[0] if it is a valid leader; else behave like kOnline
  kOnline,     // keep a valid leader, else the first valid replica (ISR, or ELR if ISR is empty)
  kUnclean,    // like kOnline, then fall back to any active replica (ISR = [it], RECOVERING)
};
std::string_view ElectionName(Election election);  // "PREFERRED", "ONLINE", "UNCLEAN"

// What Build() produced: the record plus the partition as it will read once replayed.
struct PartitionChange {
  PartitionChangeRecord record;
  PartitionRegistration after;  // epochs bumped exactly as MetadataImage::Apply does
  bool leader_changed = false;
  bool unclean = false;             // leader chosen outside ISR/ELR (data loss possible)
  bool elected_from_elr = false;    // leader came from the ELR (KIP-966)
  bool elected_last_known = false;  // leader is the last known ELR member (KIP-966)
};

class PartitionChangeBuilder {
 public:
  // `is_acceptable_leader`: the broker is registered, unfenced, not in controlled shutdown and
  // not being fenced by the same operation. `min_insync_replicas` is the topic's effective value.
  PartitionChangeBuilder(const PartitionRegistration& partition, Uuid topic_id,
                         std::int32_t partition_id,
                         std::function<bool(BrokerId)> is_acceptable_leader,
                         std::int32_t min_insync_replicas, bool eligible_leader_replicas_enable);

  PartitionChangeBuilder& SetElection(Election election);
  // The ISR wanted (default: unchanged). With ELR off an empty target keeps the current ISR:
  // Kafka never empties the ISR, a dead sole member stays in it with leader -1.
  PartitionChangeBuilder& SetTargetIsr(std::vector<BrokerId> isr);
  // AlterPartition from a RECOVERING leader sets RECOVERED (applied only if the leader stays).
  PartitionChangeBuilder& SetTargetLeaderRecoveryState(LeaderRecoveryState state);
  // Replicas that restarted without a clean shutdown: never kept in the ELR (KIP-966).
  PartitionChangeBuilder& SetUncleanShutdownReplicas(std::vector<BrokerId> replicas);

  // nullopt when nothing would change.
  std::optional<PartitionChange> Build() const;

 private:
  struct Targets;
  struct Elected;
  bool IsValidLeader(BrokerId id, const std::vector<BrokerId>& isr,
                     const std::vector<BrokerId>& elr) const;
  Targets ComputeTargets() const;
  Elected Elect(const Targets& targets) const;

  PartitionRegistration partition_;
  Uuid topic_id_;
  std::int32_t partition_id_;
  std::function<bool(BrokerId)> is_acceptable_leader_;
  std::int32_t min_insync_replicas_;
  bool elr_enabled_;
  Election election_ = Election::kOnline;
  std::vector<BrokerId> target_isr_;
  LeaderRecoveryState target_recovery_state_;
  std::vector<BrokerId> unclean_shutdown_replicas_;
};

// "[1,2,3]"
std::string FormatBrokerList(const std::vector<BrokerId>& brokers);
// One trace line for a change, e.g. "elected broker 2 leader of cities-0 at leader_epoch 1
// from ISR [2,3] (broker 1 fenced)" or "cities-0 ISR [1,2,3] -> [2,3] (broker 1 fenced)".
// `reason` (may be empty) goes in parentheses at the end.
std::string DescribePartitionChange(const std::string& partition_name,
                                    const PartitionRegistration& before,
                                    const PartitionChange& change, const std::string& reason);

}  // namespace kafkasim::kafka
