// KRaft's replica placement for new partitions (Kafka's StripedReplicaPlacer): racks, and brokers
// within each rack, are visited round-robin from random starting points; the first replica (the
// leader) is always an unfenced broker.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/prng.h"
#include "engine/status.h"
#include "kafka/metadata_records.h"

namespace kafkasim::kafka {

// A broker that may hold new replicas (Kafka's UsableBroker): registered and not in controlled
// shutdown. Fenced brokers may hold followers, never the leader.
struct UsableBroker {
  BrokerId id = 0;
  std::string rack;  // "" = no rack
  bool fenced = false;
};

// Places `num_partitions` partitions of `replication_factor` replicas each. The result depends
// only on the broker list (in any order: it is sorted by id first) and the Rng draws.
// Errors (INVALID_REPLICATION_FACTOR, Kafka's texts):
//   "Invalid replication factor 0: the replication factor must be positive."
//   "The target replication factor of 3 cannot be reached because only 2 broker(s) are
//    registered."
//   "All brokers are currently fenced."
// (ReplicationControlManager prefixes "Unable to replicate the partition 3 time(s): ".)
Result<std::vector<std::vector<BrokerId>>> PlaceReplicas(std::int32_t num_partitions,
                                                         std::int32_t replication_factor,
                                                         std::vector<UsableBroker> brokers,
                                                         Rng& rng);

}  // namespace kafkasim::kafka
