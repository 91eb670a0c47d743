// Every probe the Kafka side counts: a named point in the code, hit each time it runs. A
// scenario's `probes` list and `expect: {"probe": ...}` name them to prove that what the
// narration tells did happen; a name not listed here is refused when the scenario is read.
// tests/kafka/probes_test.cc fails when a probe in sim/ is missing from this list.
#pragma once

#include <string_view>
#include <vector>

namespace kafkasim::kafka {

struct ProbeInfo {
  std::string_view name;     // "isr.shrink"
  std::string_view meaning;  // one line, for error messages and docs
};

// Sorted by name.
const std::vector<ProbeInfo>& KnownProbes();
bool IsKnownProbe(std::string_view name);

}  // namespace kafkasim::kafka
