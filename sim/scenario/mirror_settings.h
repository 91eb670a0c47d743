// MirrorMaker 2's properties as a scenario's "mirror_maker" gives them (Kafka's names, from
// MirrorSourceConfig, MirrorCheckpointConfig, MirrorHeartbeatConfig and the worker's
// offset.flush.interval.ms): which are simulated, how their values are checked, and one flow's
// settings turned into the MirrorMakerNode's config.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kafka/mirror_maker.h"
#include "scenario/scenario.h"

namespace kafkasim::scenario {

struct MirrorProperty {
  enum class Kind : std::uint8_t { kBool, kInt, kList };
  std::string_view name;
  Kind kind;
  std::int64_t min = 0;
  std::int64_t max = 0;
};
const std::vector<MirrorProperty>& MirrorProperties();
const MirrorProperty* FindMirrorProperty(std::string_view name);
// Why `value` does not fit the property, or nullopt.
std::optional<std::string> CheckMirrorValue(const MirrorProperty& property,
                                            const std::string& value);
// A comma-separated list, items trimmed (ConfigDef's LIST type).
std::vector<std::string> SplitMirrorList(const std::string& list);

// One flow's settings over Kafka's defaults.
struct MirrorFlowSettings {
  kafka::MirrorFlowConfig config;
  std::int32_t replication_factor = 2;
  // Whether the source connector mirrors this source topic (topic filter, cycles, internal).
  bool Replicates(const std::string& topic) const;
};
MirrorFlowSettings ResolveMirrorFlow(const MirrorFlow& flow);

}  // namespace kafkasim::scenario
