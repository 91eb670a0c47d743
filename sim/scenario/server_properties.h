// What each simulated node would have in its config directory: the server.properties it was
// started with (or zookeeper.properties for a ZooKeeper server), generated from the scenario,
// and its log dir. Shown by the disk shell (`cat config/server.properties`).
#pragma once

#include <string>

#include "scenario/scenario.h"

namespace kafkasim::scenario {

// Every node is a host of its own, named as the node. A cluster of one node is the
// quickstart's laptop: "localhost". Brokers listen on 9092, controllers on 9093, ZooKeeper on
// 2181 (the ports of Kafka's own config files).
std::string HostOf(const Scenario& scenario, const NodeSpec& node);

// The directory the node's disk is mounted at: log.dirs when the scenario sets it, else the
// value of Kafka's sample file for the node's role (/tmp/kraft-combined-logs, -broker-logs,
// -controller-logs; /tmp/kafka-logs in ZooKeeper mode; dataDir=/tmp/zookeeper for ZooKeeper).
std::string LogDirOf(const Scenario& scenario, const NodeSpec& node);

// "/opt/kafka/config/server.properties" or ".../zookeeper.properties".
std::string ConfigPathOf(const NodeSpec& node);

// The text of that file: the keys of Kafka's sample file for the role, each with the value the
// simulated node runs with, then every other config the scenario sets.
std::string ConfigFileOf(const Scenario& scenario, const NodeSpec& node);

}  // namespace kafkasim::scenario
