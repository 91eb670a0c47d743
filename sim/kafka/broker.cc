// A broker's data plane; see broker.h.
#include "kafka/broker.h"

#include "engine/assert.h"

namespace kafkasim::kafka {

Broker::Broker(NodeEnv& env, std::shared_ptr<const ClusterDirectory> directory,
               std::int32_t node_id, const BrokerSettings& settings, const MetadataCache& metadata,
               const ControllerChannel& channel)
    : io_(env, std::move(directory)),
      metadata_(metadata),
      settings_(settings),
      logs_(io_, settings.log_dirs, settings.log),
      replicas_(io_, node_id, settings, logs_, metadata, channel),
      fetchers_(io_, node_id, settings, replicas_),
      producer_ids_(io_, node_id, settings.request_timeout_ms, channel),
      groups_(io_, node_id, settings, replicas_, metadata, channel),
      auto_topics_(io_, channel, settings.auto_topics) {
  // Periodic chores re-arm themselves: a zero period would spin at one instant.
  KSIM_ASSERT(settings_.replica_high_watermark_checkpoint_interval_ms > 0);
  KSIM_ASSERT(settings_.log_flush_offset_checkpoint_interval_ms > 0);
  KSIM_ASSERT(settings_.log_flush_start_offset_checkpoint_interval_ms > 0);
  logs_.ConfigureCleaner(settings_.log_cleaner_enable, settings_.log_cleaner_backoff_ms);
}

bool Broker::LoadLogDir() {
  logs_.LoadCheckpoints();
  return !logs_.failed();
}

void Broker::StartTimers() {
  NodeEnv& env = io_.env();
  env.SetTimer(Milliseconds(settings_.replica_lag_time_max_ms / 2), kTimerIsrCheck);
  env.SetTimer(Milliseconds(100), kTimerHousekeeping);
  // LogManager.startup: retention first runs after log.initial.task.delay.ms, then every
  // log.retention.check.interval.ms.
  env.SetTimer(Milliseconds(settings_.log_initial_task_delay_ms), kTimerRetention);
  env.SetTimer(Milliseconds(settings_.replica_high_watermark_checkpoint_interval_ms),
               kTimerHighWatermarkCheckpoint);
  env.SetTimer(Milliseconds(settings_.log_initial_task_delay_ms), kTimerRecoveryPointCheckpoint);
  env.SetTimer(Milliseconds(settings_.log_initial_task_delay_ms), kTimerLogStartOffsetCheckpoint);
}

bool Broker::HandleMessage(const Message& message, const KafkaMessage& kafka) {
  if (halted()) return true;  // a halted process reads nothing more
  if (const auto* produce = kafka.Get<ProduceRequest>()) {
    replicas_.HandleProduce(message.from, *produce);
  } else if (const auto* fetch = kafka.Get<FetchRequest>()) {
    replicas_.HandleFetch(message.from, *fetch);
  } else if (const auto* fetched = kafka.Get<FetchResponse>()) {
    fetchers_.OnFetchResponse(*fetched);
  } else if (const auto* list = kafka.Get<ListOffsetsRequest>()) {
    replicas_.HandleListOffsets(message.from, *list);
  } else if (const auto* md = kafka.Get<MetadataRequest>()) {
    replicas_.HandleMetadata(message.from, *md, auto_topics_);
  } else if (const auto* init = kafka.Get<InitProducerIdRequest>()) {
    producer_ids_.HandleInitProducerId(message.from, *init);
  } else if (const auto* alter = kafka.Get<AlterPartitionResponse>()) {
    replicas_.OnAlterPartitionResponse(*alter);
  } else if (const auto* ids = kafka.Get<AllocateProducerIdsResponse>()) {
    producer_ids_.OnAllocateProducerIdsResponse(*ids);
  } else if (const auto* find = kafka.Get<FindCoordinatorRequest>()) {
    groups_.HandleFindCoordinator(message.from, *find);
  } else if (const auto* describe = kafka.Get<DescribeConfigsRequest>()) {
    // ConfigHelper.describeConfigs for topics, from the broker's metadata.
    DescribeConfigsResponse response;
    response.correlation_id = describe->correlation_id;
    for (const std::string& topic : describe->topics) {
      if (auto overrides = metadata_.TopicOverrides(topic)) {
        response.configs[topic] = std::move(*overrides);
      } else {
        response.unknown.push_back(topic);
      }
    }
    io_.Reply(message.from, std::move(response));
  } else if (const auto* list_groups = kafka.Get<ListGroupsRequest>()) {
    groups_.HandleListGroups(message.from, *list_groups);
  } else if (const auto* group = kafka.Get<GroupRequestMessage>()) {
    groups_.HandleGroupRequest(message.from, *group);
  } else if (const auto* created = kafka.Get<AdminResponse>()) {
    // The two admin requests a broker sends: __consumer_offsets for the group coordinator,
    // and topics created on first use.
    if (created->topic == kConsumerOffsetsTopic) {
      groups_.OnCreateTopicResponse(*created);
    } else {
      auto_topics_.OnCreateTopicResponse(created->topic, created->error, created->message);
    }
  } else {
    return false;
  }
  // A follower's fetch may have acknowledged the group coordinator's records.
  if (!halted()) groups_.CompleteAppends();
  return true;
}

void Broker::Rearm(std::int64_t period_ms, TimerTag tag) {
  io_.env().SetTimer(Milliseconds(period_ms), tag);
}

void Broker::OnTimer(std::uint64_t tag) {
  KSIM_ASSERT(IsBrokerTimer(tag));
  if (halted()) return;
  switch (static_cast<TimerTag>(tag)) {
    case kTimerIsrCheck:
      replicas_.ShrinkIsrCheck();
      return Rearm(settings_.replica_lag_time_max_ms / 2, kTimerIsrCheck);
    case kTimerRetention:
      logs_.RunRetention();
      return Rearm(settings_.log_retention_check_interval_ms, kTimerRetention);
    case kTimerHousekeeping:
      replicas_.ExpireDelayed();
      fetchers_.Timeouts();
      if (!halted()) groups_.Tick();
      if (!halted()) logs_.MaybeRunCleaner();
      return Rearm(50, kTimerHousekeeping);
    case kTimerHighWatermarkCheckpoint:
      logs_.CheckpointHighWatermarks();
      return Rearm(settings_.replica_high_watermark_checkpoint_interval_ms,
                   kTimerHighWatermarkCheckpoint);
    case kTimerRecoveryPointCheckpoint:
      logs_.CheckpointRecoveryPoints();
      return Rearm(settings_.log_flush_offset_checkpoint_interval_ms,
                   kTimerRecoveryPointCheckpoint);
    case kTimerLogStartOffsetCheckpoint:
      logs_.CheckpointLogStartOffsets();
      return Rearm(settings_.log_flush_start_offset_checkpoint_interval_ms,
                   kTimerLogStartOffsetCheckpoint);
  }
  KSIM_UNREACHABLE();
}

void Broker::SetBrokerEpoch(std::int64_t epoch) {
  replicas_.SetBrokerEpoch(epoch);
  fetchers_.SetBrokerEpoch(epoch);
  producer_ids_.SetBrokerEpoch(epoch);
}

void Broker::ApplyPartitionStates(const std::vector<HostedPartitionState>& states) {
  if (halted()) return;
  replicas_.ApplyPartitionStates(states);
  for (const HostedPartitionState& s : states) {
    const TopicPartition key{s.topic, s.partition};
    if (shutting_down_) {
      fetchers_.RemovePartition(key);
    } else {
      fetchers_.RestorePartition(key);
    }
  }
  if (!halted()) fetchers_.Update();
  if (!halted()) groups_.UpdateLeadership();
}

void Broker::StopReplica(const std::string& topic, std::int32_t partition) {
  if (halted()) return;
  replicas_.StopReplica(topic, partition);
  if (!halted()) groups_.UpdateLeadership();
}

void Broker::StopFetching(const std::string& topic, std::int32_t partition) {
  if (halted()) return;
  fetchers_.RemovePartition(TopicPartition{topic, partition});
  fetchers_.Update();
}

void Broker::RetryControllerRequests() {
  if (halted()) return;
  replicas_.RetryPendingAlters();
  producer_ids_.RetryBlockRequest();
}

}  // namespace kafkasim::kafka
