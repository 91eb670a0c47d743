// Guarantees: properties Kafka promises, watched all run long whatever the scenario expects.
// Each is a named check the GUI's Guarantees panel lists next to the expectations; when one
// breaks, the run emits a "guarantee.broken" trace event that names it and says what broke it.
// Unlike expectations they do not change the exit code: a scenario that means to show a
// broken promise (an unclean election losing writes) says so with an expectation.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/trace.h"

namespace kafkasim::scenario {

class World;

// The partitions a check looks at: those the triggering events named, or every partition (an
// event that names none, the end of the run). Work per check then grows with what happened
// since the last one, not with the cluster's partition count.
class PartitionScope {
 public:
  static PartitionScope Everything() {
    PartitionScope scope;
    scope.all_ = true;
    return scope;
  }
  // A partition by its name ("cities-0"); a name that is not topic-index widens the scope to
  // every partition rather than checking nothing.
  void Add(std::string_view partition_name);
  void Add(std::string_view topic, std::int32_t index);
  // A partition's name split into topic and index; nothing when it is not topic-index.
  static std::optional<std::pair<std::string_view, std::int32_t>> Parse(
      std::string_view partition_name);
  void AddEverything() { all_ = true; }
  // Empties the scope and keeps its storage: a scope is filled and cleared at nearly every
  // instant of a run, mostly with the same one or two partitions.
  void Clear() {
    all_ = false;
    size_ = 0;
  }
  bool everything() const { return all_; }
  bool empty() const { return !all_ && size_ == 0; }
  // (topic, index), in the metadata image's order: by topic name, then index, each once.
  using Partition = std::pair<std::string, std::int32_t>;
  std::span<const Partition> partitions() const { return {entries_.data(), size_}; }

 private:
  bool all_ = false;
  // The first size_ entries are the scope, sorted; the rest are spare, their strings' buffers
  // kept for reuse.
  std::vector<Partition> entries_;
  std::size_t size_ = 0;
};

class Guarantee {
 public:
  virtual ~Guarantee() = default;
  // Shown in the checks panel and the verdict: "acks=all writes, once acknowledged, are kept".
  virtual std::string name() const = 0;
  // Whether an event of this trace kind can break the guarantee (the check then runs right
  // after it). Checking only then keeps long runs cheap. Depends on the kind alone.
  virtual bool TriggeredBy(std::string_view kind) const = 0;
  // Sees every trace event of a kind it observes as it is emitted (inside the emitting handler:
  // read the event, not the world). Incremental checkers forget what they had checked when a
  // log is truncated or a node restarts.
  virtual void Observe(const TraceEvent& event) { (void)event; }
  // Whether Observe wants events of this kind. Like TriggeredBy, an answer that depends on the
  // kind alone: the runner asks once per kind and remembers.
  virtual bool Observes(std::string_view kind) const {
    (void)kind;
    return false;
  }
  // A description of the violation, or nothing while the guarantee holds. A guarantee about
  // partitions looks only at those in `scope`; the others ignore it.
  virtual std::optional<std::string> Check(World& world, const PartitionScope& scope) = 0;
  std::optional<std::string> Check(World& world) {
    return Check(world, PartitionScope::Everything());
  }
};

// The guarantees every run watches, in display order.
std::vector<std::unique_ptr<Guarantee>> BuiltInGuarantees();

}  // namespace kafkasim::scenario
