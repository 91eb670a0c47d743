// scenarios/schema.json is valid JSON, a draft 2020-12 schema, and agrees with the parser on
// the top-level keys, step actions and expectation keys.
#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "scenario/scenario.h"

namespace kafkasim::scenario {
namespace {

nlohmann::json LoadSchema() {
  std::ifstream in(std::string(KAFKASIM_SOURCE_DIR) + "/scenarios/schema.json");
  REQUIRE(in.good());
  return nlohmann::json::parse(in);  // throws, failing the test, on malformed JSON
}

std::set<std::string> Keys(const nlohmann::json& properties) {
  std::set<std::string> keys;
  for (const auto& [key, value] : properties.items()) keys.insert(key);
  return keys;
}

TEST_CASE("schema: scenarios/schema.json is a 2020-12 schema with the parser's top-level keys") {
  const nlohmann::json schema = LoadSchema();
  CHECK(schema["$schema"] == "https://json-schema.org/draft/2020-12/schema");
  CHECK(schema["type"] == "object");
  CHECK(schema["additionalProperties"] == false);
  std::set<std::string> parser_keys;
  for (std::string_view key : TopLevelKeys()) parser_keys.insert(std::string(key));
  CHECK(Keys(schema["properties"]) == parser_keys);
  CHECK(schema["required"] == nlohmann::json::array({"name"}));
  // One cluster ("cluster", "topics") or several ("clusters"), never both.
  CHECK(schema["oneOf"].size() == 2);
  CHECK(schema["oneOf"][0]["required"] == nlohmann::json::array({"cluster"}));
  CHECK(schema["oneOf"][1]["required"] == nlohmann::json::array({"clusters"}));
}

TEST_CASE("schema: step actions and expectation conditions match the parser's") {
  const nlohmann::json schema = LoadSchema();
  const nlohmann::json& defs = schema["$defs"];
  std::set<std::string> step_keys = Keys(defs["step"]["properties"]);
  CHECK(step_keys ==
        std::set<std::string>{"at",        "say",      "pause",     "crash",      "kill",
                              "restart",   "shutdown", "cut",       "heal",       "isolate",
                              "partition", "heal_all", "slow",      "run",        "lines",
                              "prints",    "expect",   "disk_full", "disk_ok",    "slow_disk",
                              "corrupt",   "after",    "pick",      "cut_region", "heal_region"});
  CHECK(Keys(defs["expect"]["properties"]) == std::set<std::string>{"at",
                                                                    "within",
                                                                    "because",
                                                                    "leader_of",
                                                                    "isr_of",
                                                                    "active_controller",
                                                                    "produce_error",
                                                                    "consumed",
                                                                    "acked",
                                                                    "node_state",
                                                                    "lost_acked",
                                                                    "log_start_offset",
                                                                    "first_consumed_offset",
                                                                    "key_in_partition",
                                                                    "is",
                                                                    "not",
                                                                    "none",
                                                                    "equals",
                                                                    "excludes",
                                                                    "includes",
                                                                    "probe",
                                                                    "group",
                                                                    "records_in_log",
                                                                    "mirror",
                                                                    "topics",
                                                                    "topic_config"});
  CHECK(Keys(defs["topic"]["properties"]) == std::set<std::string>{"name", "partitions",
                                                                   "replication_factor",
                                                                   "replica_assignment", "config"});
  CHECK(Keys(defs["cluster"]["properties"]) ==
        std::set<std::string>{"mode", "brokers", "controllers", "combined", "zookeepers",
                              "zookeeper_config", "racks", "network", "broker_config",
                              "controller_config", "features", "format"});
  // Every config name of the catalogues is offered to editors.
  const auto names = [](const std::vector<ConfigSpec>& specs) {
    std::set<std::string> out;
    for (const ConfigSpec& spec : specs) out.insert(std::string(spec.name));
    return out;
  };
  CHECK(Keys(defs["broker_config"]["properties"]) == names(BrokerConfigSpecs()));
  CHECK(Keys(defs["controller_config"]["properties"]) == names(ControllerConfigSpecs()));
  CHECK(Keys(defs["topic_config"]["properties"]) == names(TopicConfigSpecs()));
}

}  // namespace
}  // namespace kafkasim::scenario
