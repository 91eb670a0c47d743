#include "scenario/mirror_settings.h"

#include <charconv>

#include "kafka/mirror_policy.h"

namespace kafkasim::scenario {

const std::vector<MirrorProperty>& MirrorProperties() {
  using K = MirrorProperty::Kind;
  constexpr std::int64_t kDay = 86400;
  static const std::vector<MirrorProperty> properties = {
      {"enabled", K::kBool},
      {"topics", K::kList},
      {"topics.exclude", K::kList},
      {"groups", K::kList},
      {"groups.exclude", K::kList},
      {"config.properties.exclude", K::kList},
      {"replication.factor", K::kInt, 1, 32},
      {"offset-syncs.topic.replication.factor", K::kInt, 1, 32},
      {"checkpoints.topic.replication.factor", K::kInt, 1, 32},
      {"heartbeats.topic.replication.factor", K::kInt, 1, 32},
      {"emit.checkpoints.enabled", K::kBool},
      {"emit.checkpoints.interval.seconds", K::kInt, 1, kDay},
      {"sync.group.offsets.enabled", K::kBool},
      {"sync.group.offsets.interval.seconds", K::kInt, 1, kDay},
      {"sync.topic.configs.enabled", K::kBool},
      {"sync.topic.configs.interval.seconds", K::kInt, 1, kDay},
      {"emit.heartbeats.enabled", K::kBool},
      {"emit.heartbeats.interval.seconds", K::kInt, 1, kDay},
      {"refresh.topics.interval.seconds", K::kInt, 1, kDay},
      {"refresh.groups.interval.seconds", K::kInt, 1, kDay},
      {"offset.lag.max", K::kInt, 0, 1000000000},
      {"offset.flush.interval.ms", K::kInt, 100, kDay * 1000},
      {"heartbeats.replication.enabled", K::kBool},
  };
  return properties;
}

const MirrorProperty* FindMirrorProperty(std::string_view name) {
  for (const MirrorProperty& p : MirrorProperties()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::vector<std::string> SplitMirrorList(const std::string& list) {
  return kafka::SplitConfigList(list);
}

namespace {

std::optional<std::int64_t> ParseInt(const std::string& text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<std::string> CheckMirrorValue(const MirrorProperty& property,
                                            const std::string& value) {
  const std::string name(property.name);
  switch (property.kind) {
    case MirrorProperty::Kind::kBool:
      if (value == "true" || value == "false") return std::nullopt;
      return "Invalid value " + value + " for configuration " + name +
             ": Expected value to be either true or false";
    case MirrorProperty::Kind::kInt: {
      const std::optional<std::int64_t> n = ParseInt(value);
      if (!n)
        return "Invalid value " + value + " for configuration " + name +
               ": Not a number of type LONG";
      if (*n < property.min || *n > property.max) {
        return "Invalid value " + value + " for configuration " + name + ": Value must be in [" +
               std::to_string(property.min) + ", " + std::to_string(property.max) + "]";
      }
      return std::nullopt;
    }
    case MirrorProperty::Kind::kList:
      if (const std::optional<std::string> bad = kafka::NameFilter::Invalid(value)) {
        return "Invalid value " + value + " for configuration " + name + ": " + *bad;
      }
      return std::nullopt;
  }
  return std::nullopt;
}

MirrorFlowSettings ResolveMirrorFlow(const MirrorFlow& flow) {
  MirrorFlowSettings out;
  kafka::MirrorFlowConfig& c = out.config;
  c.source = flow.source;
  c.target = flow.target;
  const auto get = [&](const char* name) -> const std::string* {
    const auto it = flow.settings.find(name);
    return it == flow.settings.end() ? nullptr : &it->second;
  };
  const auto flag = [&](const char* name, bool& field) {
    if (const std::string* v = get(name)) field = *v == "true";
  };
  const auto number = [&](const char* name, auto& field) {
    if (const std::string* v = get(name)) {
      field = static_cast<std::remove_reference_t<decltype(field)>>(ParseInt(*v).value_or(0));
    }
  };
  const auto seconds = [&](const char* name, Duration& field) {
    if (const std::string* v = get(name)) field = Seconds(ParseInt(*v).value_or(1));
  };
  if (const std::string* v = get("topics")) c.topics = *v;
  if (const std::string* v = get("topics.exclude")) c.topics_exclude = *v;
  if (const std::string* v = get("groups")) c.groups = *v;
  if (const std::string* v = get("groups.exclude")) c.groups_exclude = *v;
  if (const std::string* v = get("config.properties.exclude")) c.config_properties_exclude = *v;
  number("replication.factor", c.replication_factor);
  number("offset-syncs.topic.replication.factor", c.offset_syncs_topic_replication_factor);
  number("checkpoints.topic.replication.factor", c.checkpoints_topic_replication_factor);
  number("heartbeats.topic.replication.factor", c.heartbeats_topic_replication_factor);
  flag("emit.checkpoints.enabled", c.emit_checkpoints_enabled);
  seconds("emit.checkpoints.interval.seconds", c.emit_checkpoints_interval);
  flag("sync.group.offsets.enabled", c.sync_group_offsets_enabled);
  seconds("sync.group.offsets.interval.seconds", c.sync_group_offsets_interval);
  flag("sync.topic.configs.enabled", c.sync_topic_configs_enabled);
  seconds("sync.topic.configs.interval.seconds", c.sync_topic_configs_interval);
  flag("emit.heartbeats.enabled", c.emit_heartbeats_enabled);
  seconds("emit.heartbeats.interval.seconds", c.emit_heartbeats_interval);
  seconds("refresh.topics.interval.seconds", c.refresh_topics_interval);
  seconds("refresh.groups.interval.seconds", c.refresh_groups_interval);
  number("offset.lag.max", c.offset_lag_max);
  if (const std::string* v = get("offset.flush.interval.ms")) {
    c.offset_flush_interval = Milliseconds(ParseInt(*v).value_or(60000));
  }
  flag("heartbeats.replication.enabled", c.heartbeats_replication_enabled);
  out.replication_factor = c.replication_factor;
  return out;
}

bool MirrorFlowSettings::Replicates(const std::string& topic) const {
  const kafka::NameFilter filter(config.topics, config.topics_exclude);
  return kafka::ShouldReplicateTopic(filter, topic, config.target,
                                     config.heartbeats_replication_enabled);
}

}  // namespace kafkasim::scenario
