// The nemesis planner; see nemesis.h.
#include "scenario/nemesis.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "engine/prng.h"

namespace kafkasim::scenario {
namespace {

struct FaultName {
  NemesisFault fault;
  std::string_view name;
};
constexpr FaultName kFaultNames[] = {
    {NemesisFault::kCrash, "crash"},         {NemesisFault::kKill, "kill"},
    {NemesisFault::kPartition, "partition"}, {NemesisFault::kSlow, "slow"},
    {NemesisFault::kDisk, "disk"},
};

std::string ValidNames() {
  std::string out;
  for (const FaultName& f : kFaultNames) out += (out.empty() ? "" : ", ") + std::string(f.name);
  return out;
}

// Builds the plan step by step; `down`, `slow` and `disk` say what is still to be undone.
class Planner {
 public:
  Planner(const Scenario& scenario, const NemesisOptions& options, std::uint64_t seed)
      : options_(options), rng_(Rng::Stream(seed, "nemesis")) {
    for (const NodeSpec& node : scenario.cluster.nodes) {
      nodes_.push_back(node.name);
      if (node.role == NodeRole::kBroker || node.role == NodeRole::kCombined) {
        brokers_.push_back(node.name);
      }
    }
  }

  std::vector<NemesisAction> Plan(Time end) {
    const Duration run = end - kTimeZero;
    const Time start = kTimeZero + std::min(Seconds(10), run / 10);
    const Time stop = kTimeZero + run * 3 / 4;
    if (nodes_.empty()) return {};
    Time t = start;
    while (true) {
      t += Milliseconds(rng_.UniformRange(1500, 6000));
      if (t >= stop) break;
      Act(t);
    }
    Undo(stop);
    return std::move(plan_);
  }

 private:
  bool Has(NemesisFault f) const {
    return std::find(options_.faults.begin(), options_.faults.end(), f) != options_.faults.end();
  }

  void Add(Time at, ToolCommand command, std::string line) {
    plan_.push_back({at, std::move(command), std::move(line)});
  }

  void Act(Time t) {
    // A down node comes back now and then, so the cluster keeps changing shape.
    if (!down_.empty() && rng_.Bernoulli(0.35)) {
      const auto it =
          std::next(down_.begin(), static_cast<std::ptrdiff_t>(rng_.Uniform(down_.size())));
      Add(t, RestartCommand{*it}, "restart " + *it);
      down_.erase(it);
      return;
    }
    const NemesisFault fault = options_.faults[rng_.Uniform(options_.faults.size())];
    const std::string& node = rng_.Choice(nodes_);
    switch (fault) {
      case NemesisFault::kCrash:
      case NemesisFault::kKill: {
        // Leave one node up: with every node down there is nothing left to watch.
        if (down_.count(node) > 0 || down_.size() + 1 >= nodes_.size()) return;
        down_.insert(node);
        if (fault == NemesisFault::kCrash) {
          Add(t, CrashCommand{node}, "crash " + node);
        } else {
          Add(t, KillCommand{node}, "kill " + node);
        }
        return;
      }
      case NemesisFault::kPartition: {
        if (cut_ && rng_.Bernoulli(0.3)) {
          Add(t, HealAllCommand{}, "heal-all");
          cut_ = false;
          return;
        }
        cut_ = true;
        const std::string& other = rng_.Choice(nodes_);
        if (other == node || rng_.Bernoulli(0.4)) {
          Add(t, IsolateCommand{node}, "isolate " + node);
          return;
        }
        const bool both = rng_.Bernoulli(0.5);
        Add(t, CutCommand{node, other, both},
            fmt::format("cut {} {}{}", node, other, both ? " --both" : ""));
        return;
      }
      case NemesisFault::kSlow: {
        if (slow_.count(node) > 0) {
          Add(t, SlowCommand{node, Duration{}}, fmt::format("slow {} 0", node));
          slow_.erase(node);
          return;
        }
        const std::int64_t ms = rng_.UniformRange(20, 800);
        Add(t, SlowCommand{node, Milliseconds(ms)}, fmt::format("slow {} {}", node, ms));
        slow_.insert(node);
        return;
      }
      case NemesisFault::kDisk: {
        if (brokers_.empty()) return;
        const std::string& broker = rng_.Choice(brokers_);
        if (disk_.count(broker) > 0) {
          Add(t, DiskOkCommand{broker}, "disk-ok " + broker);
          disk_.erase(broker);
          return;
        }
        disk_.insert(broker);
        if (rng_.Bernoulli(0.5)) {
          Add(t, DiskFullCommand{broker}, "disk-full " + broker);
        } else {
          const std::int64_t ms = rng_.UniformRange(5, 500);
          Add(t, SlowDiskCommand{broker, Milliseconds(ms)},
              fmt::format("slow-disk {} {}", broker, ms));
        }
        return;
      }
    }
  }

  // Everything back to normal, in a fixed order: links, latencies, disks, then the nodes.
  void Undo(Time t) {
    if (cut_) Add(t, HealAllCommand{}, "heal-all");
    for (const std::string& node : slow_) {
      Add(t, SlowCommand{node, Duration{}}, fmt::format("slow {} 0", node));
    }
    for (const std::string& broker : disk_) Add(t, DiskOkCommand{broker}, "disk-ok " + broker);
    for (const std::string& node : down_) Add(t, RestartCommand{node}, "restart " + node);
  }

  const NemesisOptions& options_;
  Rng rng_;
  std::vector<std::string> nodes_;
  std::vector<std::string> brokers_;
  std::set<std::string> down_, slow_, disk_;
  bool cut_ = false;
  std::vector<NemesisAction> plan_;
};

}  // namespace

Result<NemesisOptions> ParseNemesis(std::string_view text) {
  NemesisOptions options;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t comma = std::min(text.find(',', pos), text.size());
    const std::string_view item = text.substr(pos, comma - pos);
    const auto* it = std::find_if(std::begin(kFaultNames), std::end(kFaultNames),
                                  [&](const FaultName& f) { return f.name == item; });
    if (it == std::end(kFaultNames)) {
      return Status(Errc::kInvalidArgument,
                    fmt::format("unknown fault '{}' in '{}'; valid: {}", item, text, ValidNames()));
    }
    if (std::find(options.faults.begin(), options.faults.end(), it->fault) !=
        options.faults.end()) {
      return Status(Errc::kInvalidArgument,
                    fmt::format("fault '{}' given twice in '{}'", item, text));
    }
    options.faults.push_back(it->fault);
    pos = comma + 1;
  }
  std::sort(options.faults.begin(), options.faults.end());
  return options;
}

std::string FormatNemesis(const NemesisOptions& options) {
  std::string out;
  for (const NemesisFault f : options.faults) {
    for (const FaultName& name : kFaultNames) {
      if (name.fault == f) out += (out.empty() ? "" : ",") + std::string(name.name);
    }
  }
  return out;
}

std::vector<NemesisAction> PlanNemesis(const Scenario& scenario, const NemesisOptions& options,
                                       std::uint64_t seed) {
  if (options.empty()) return {};
  return Planner(scenario, options, seed).Plan(scenario.end);
}

}  // namespace kafkasim::scenario
