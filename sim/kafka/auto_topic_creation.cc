// Topics created on first use; see auto_topic_creation.h.
#include "kafka/auto_topic_creation.h"

#include <fmt/format.h>

#include "kafka/controller_logic.h"
#include "kafka/trace_kinds.h"

namespace kafkasim::kafka {

Errc AutoTopicCreationManager::TopicMissing(const std::string& topic,
                                            bool allow_auto_topic_creation) {
  // KafkaApis.getTopicMetadata: without creation the answer is UNKNOWN_TOPIC_OR_PARTITION, or
  // INVALID_TOPIC_EXCEPTION for a name Topic.validate refuses; AutoTopicCreationManager.
  // filterCreatableTopics checks the name first too.
  if (!ValidateTopicName(topic).ok()) return Errc::kInvalidTopicException;
  if (!allow_auto_topic_creation || !settings_.enable) return Errc::kUnknownTopicOrPartition;
  // ZooKeeper mode (createTopicsInZk): LEADER_NOT_AVAILABLE, "the topic is being created";
  // KRaft (sendCreateTopicRequest): UNKNOWN_TOPIC_OR_PARTITION until the metadata has it.
  const Errc answer =
      settings_.zookeeper_mode ? Errc::kLeaderNotAvailable : Errc::kUnknownTopicOrPartition;
  const auto it = in_flight_.find(topic);
  if (it != in_flight_.end() &&
      io_.Now() - it->second < Milliseconds(settings_.request_timeout_ms)) {
    return Errc::kUnknownTopicOrPartition;  // inflightTopics already holds it
  }
  const std::int32_t controller = channel_.ActiveControllerId();
  if (controller < 0) return answer;  // no controller known yet: the client asks again
  in_flight_[topic] = io_.Now();
  CreateTopicsRequest create;
  create.name = topic;
  create.partitions = settings_.num_partitions;
  create.replication_factor = settings_.default_replication_factor;
  io_.Probe("topic.auto_create");
  // AutoTopicCreationManager.sendCreateTopicRequest logs "Sent auto-creation request for
  // Set(towns) to the active controller." at INFO.
  io_.Emit(trace_kind::kTopicAutoCreate,
           fmt::format("asks controller {} to create topic {} ({} partition(s), replication "
                       "factor {}): a client's Metadata request named it and "
                       "auto.create.topics.enable is true",
                       controller, topic, create.partitions, create.replication_factor),
           {{"topic", topic}});
  io_.SendTo(controller, std::move(create));
  return answer;
}

void AutoTopicCreationManager::OnCreateTopicResponse(const std::string& topic, Errc error,
                                                     const std::string& message) {
  if (in_flight_.erase(topic) == 0) return;
  // The controller's refusal (too few brokers for default.replication.factor, say) is logged;
  // the next Metadata request asks again (ControllerRequestCompletionHandler.onComplete).
  if (error != Errc::kNone && error != Errc::kTopicAlreadyExists) {
    io_.Probe("topic.auto_create_failed");
    std::string text =
        fmt::format("could not create topic {}: {} {}", topic, ErrcName(error), message);
    if (text == last_failure_) return;  // the clients ask again and again; say it once
    last_failure_ = text;
    io_.Emit(trace_kind::kTopicAutoCreate, std::move(text),
             {{"topic", topic}, {"error", std::string(ErrcName(error))}});
  }
}

}  // namespace kafkasim::kafka
