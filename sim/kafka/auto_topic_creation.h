// Topics created on first use (Kafka's AutoTopicCreationManager): a Metadata request that names
// a topic the cluster does not have, from a client that allows it, makes the broker ask the
// active controller to create it with the broker's num.partitions and
// default.replication.factor. The client is told the topic is not there yet and asks again.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "engine/status.h"
#include "kafka/broker_seams.h"

namespace kafkasim::kafka {

struct AutoTopicCreationSettings {
  bool enable = true;                           // auto.create.topics.enable
  std::int32_t num_partitions = 1;              // num.partitions
  std::int32_t default_replication_factor = 1;  // default.replication.factor
  std::int64_t request_timeout_ms =
      30000;  // request.timeout.ms: an unanswered request is forgotten
  // ZooKeeper mode (3.9) creates the topic's znodes itself and answers LEADER_NOT_AVAILABLE;
  // KRaft forwards a CreateTopics request and answers UNKNOWN_TOPIC_OR_PARTITION.
  bool zookeeper_mode = false;
};

class AutoTopicCreationManager {
 public:
  AutoTopicCreationManager(BrokerIo& io, const ControllerChannel& channel,
                           AutoTopicCreationSettings settings)
      : io_(io), channel_(channel), settings_(settings) {}

  // The error a Metadata response carries for a topic the cluster does not have
  // (KafkaApis.getTopicMetadata): INVALID_TOPIC_EXCEPTION for an illegal name; without
  // auto-creation UNKNOWN_TOPIC_OR_PARTITION; else the creation is requested (once while one
  // is in flight) and the client is told to ask again.
  Errc TopicMissing(const std::string& topic, bool allow_auto_topic_creation);
  // The controller's answer to a CreateTopics request this manager sent.
  void OnCreateTopicResponse(const std::string& topic, Errc error, const std::string& message);

 private:
  BrokerIo& io_;
  const ControllerChannel& channel_;
  AutoTopicCreationSettings settings_;
  std::map<std::string, Time> in_flight_;  // topic -> when the request went out
  std::string last_failure_;
};

}  // namespace kafkasim::kafka
