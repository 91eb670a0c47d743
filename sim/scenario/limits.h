// The largest cluster and workload the simulator promises to run on a 2-core machine. Every
// entry point (scenario files, console commands, run steps) refuses more with a clear error;
// docs/SCENARIO_FORMAT.md lists them under "Limits".
#pragma once

#include <cstdint>

namespace kafkasim::scenario {

// What bench/scenarios/hundred-brokers.json runs at least as fast as real time (docs/BENCHMARKS.md,
// Scale); Kafka itself sets no limit on either.
inline constexpr std::int32_t kBrokersMax = 100;
inline constexpr std::int32_t kPartitionsPerTopicMax = 10000;
// All topics together, whether declared in the scenario or created from the console.
inline constexpr std::int32_t kPartitionsTotalMax = 10000;
inline constexpr std::int32_t kZookeepersMax = 7;  // the 1..7, even sizes included
// Clusters in one scenario ("clusters"): regions of a multi-region story.
inline constexpr std::int32_t kClustersMax = 4;
// The virtual length of a run (`end`): a day, 24 times the classroom hour of docs/BENCHMARKS.md.
inline constexpr std::int64_t kEndMaxSeconds = 24 * 3600;

}  // namespace kafkasim::scenario
