// Guarantees: properties Kafka promises, watched all run long whatever the scenario expects.
// Each is a named check the GUI's Guarantees panel lists next to the expectations; when one
// breaks, the run emits a "guarantee.broken" trace event that names it and says what broke it.
// Unlike expectations they do not change the exit code: a scenario that means to show a
// broken promise (an unclean election losing writes) says so with an expectation.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/trace.h"

namespace kafkasim::scenario {

class World;

class Guarantee {
 public:
  virtual ~Guarantee() = default;
  // Shown in the checks panel and the verdict: "acks=all writes, once acknowledged, are kept".
  virtual std::string name() const = 0;
  // Whether an event of this trace kind can break the guarantee (the check then runs right
  // after it). Checking only then keeps long runs cheap.
  virtual bool TriggeredBy(std::string_view kind) const = 0;
  // Sees every trace event as it is emitted (inside the emitting handler: read the event, not
  // the world). Incremental checkers forget what they had checked when a log is truncated or
  // a node restarts.
  virtual void Observe(const TraceEvent& event) { (void)event; }
  // A description of the violation, or nothing while the guarantee holds.
  virtual std::optional<std::string> Check(World& world) = 0;
};

// The guarantees every run watches, in display order.
std::vector<std::unique_ptr<Guarantee>> BuiltInGuarantees();

}  // namespace kafkasim::scenario
