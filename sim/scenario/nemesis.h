// The nemesis: a random fault schedule drawn from the seed, laid over any scenario by
// `kafkasim run --nemesis` and `kafkasim swarm --nemesis` (in the manner of Jepsen's nemesis).
// Pure planning: the runner executes the plan's commands at their times.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"
#include "engine/time.h"
#include "scenario/scenario.h"
#include "scenario/tool_command.h"

namespace kafkasim::scenario {

enum class NemesisFault : std::uint8_t {
  kCrash,      // power loss of a node (unsynced bytes lost), restarted later
  kKill,       // process kill (kill -9), restarted later
  kPartition,  // a node isolated, or a link cut one or both ways, healed later
  kSlow,       // extra network latency on a node, removed later
  kDisk,       // a broker's disk full or slow, made well later
};

struct NemesisOptions {
  std::vector<NemesisFault> faults;  // sorted, no repeats; empty: no nemesis
  bool empty() const { return faults.empty(); }
};

// "crash,kill,partition" (any order, no repeats). The error names the bad element and lists
// the valid ones.
Result<NemesisOptions> ParseNemesis(std::string_view text);
// The canonical text: the faults in the order of the enum, comma-separated.
std::string FormatNemesis(const NemesisOptions& options);

struct NemesisAction {
  Time at;
  ToolCommand command;
  std::string line;  // as a console command: "crash broker-2", "cut broker-1 controller-2 --both"
};

// The schedule for this scenario and seed. Faults start 10 s in (or a tenth into the run, if
// shorter) and stop three quarters into it; then every fault is undone (links healed, nodes
// restarted, disks and latencies back to normal), so the last quarter shows the recovery.
// Draws only from its own stream (Rng::Stream(seed, "nemesis")): the world's other random
// choices are the same with and without a nemesis.
std::vector<NemesisAction> PlanNemesis(const Scenario& scenario, const NemesisOptions& options,
                                       std::uint64_t seed);

}  // namespace kafkasim::scenario
