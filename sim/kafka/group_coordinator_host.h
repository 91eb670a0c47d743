// The broker's host of the group coordinator (GroupCoordinatorService + CoordinatorRuntime,
// thin): one pure GroupCoordinator per __consumer_offsets partition this broker leads, loaded
// from the partition's log when it becomes leader and unloaded when it stops leading. It
// answers FindCoordinator (creating __consumer_offsets on first use, as KafkaApis does through
// the AutoTopicCreationManager), routes group requests to the right coordinator, appends the
// records a coordinator produced through the replica manager (acks=all) and answers only once
// that append is acknowledged. Timers run on the broker's housekeeping beat.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kafka/broker_seams.h"
#include "kafka/group_coordinator.h"
#include "kafka/messages.h"
#include "kafka/replica_manager.h"
#include "kafka/server_config.h"

namespace kafkasim::kafka {

inline constexpr std::string_view kConsumerOffsetsTopic = "__consumer_offsets";

class GroupCoordinatorHost {
 public:
  GroupCoordinatorHost(BrokerIo& io, std::int32_t node_id, const BrokerSettings& settings,
                       ReplicaManager& replicas, const MetadataCache& metadata,
                       const ControllerChannel& channel);

  // ListGroups: every group of the coordinators this broker runs (classic groups with their
  // protocol type, KIP-848 groups as "consumer").
  void HandleListGroups(NodeIndex from, const ListGroupsRequest& request);
  void HandleFindCoordinator(NodeIndex from, const FindCoordinatorRequest& request);
  void HandleGroupRequest(NodeIndex from, const GroupRequestMessage& request);
  // The controller's answer to this broker's CreateTopics of __consumer_offsets.
  void OnCreateTopicResponse(const AdminResponse& response);
  // Leadership may have changed: load the partitions this broker now leads, unload the rest.
  void UpdateLeadership();
  // kafka-consumer-groups.sh --reset-offsets --execute: an OffsetCommit outside any membership
  // (member "", generation -1) from the admin client, appended like any commit. The error of
  // the commit: NOT_COORDINATOR when this broker does not coordinate the group.
  Errc AdminCommitOffsets(const std::string& group_id,
                          const std::vector<OffsetCommitPartition>& partitions);
  // Coordinator timers (session timeouts, join and sync phases) and appends that completed.
  void Tick();
  // Answers the requests whose records the replica manager has now acknowledged (or failed).
  void CompleteAppends() { CompleteAppends(0, nullptr); }

  const std::map<std::int32_t, std::unique_ptr<GroupCoordinator>>& coordinators() const {
    return coordinators_;
  }

 private:
  struct Caller {
    NodeIndex from = kNoNode;
    std::int64_t correlation_id = 0;
  };
  struct Loaded {
    std::int32_t leader_epoch = -1;
  };
  void Load(std::int32_t partition, std::int32_t leader_epoch);
  void Unload(std::int32_t partition);
  // An operation's way back: the core's state before it and the request it served (0 for a
  // timer), answered with the write's error if the core held it.
  struct Undo {
    GroupCoordinatorSnapshot before;
    GroupRequestId request_id = 0;
    const GroupRequestBody* request = nullptr;
  };
  // Notes, probes; records appended (responses held until acknowledged) or responses sent.
  // An append the replica manager refuses at once (the local append failed, so nothing
  // reached the log) reverts the core to `undo` and answers with the mapped error, which is
  // returned; kNone otherwise.
  Errc Drain(std::int32_t partition, GroupCoordinatorReady& ready,
             std::optional<Undo> undo = std::nullopt);
  void Send(std::vector<GroupResponse> responses, Errc error);
  // As CompleteAppends; the answer to append `refused_id`, if it failed, reverts the core of its
  // partition to `undo` first. Returns that answer's mapped error.
  Errc CompleteAppends(std::int64_t refused_id, Undo* undo);
  struct Append;
  void RevertRefusedWrite(Append& append, Undo& undo, Errc error);
  // The coordinator of `group_id` when this broker is it, else nullptr.
  GroupCoordinator* CoordinatorFor(const std::string& group_id);
  // The topics of this broker's metadata image, for the consumer-group paths.
  std::map<std::string, CoordinatorTopic> Topics() const;
  // Asks the controller to create __consumer_offsets (once at a time).
  void CreateOffsetsTopic();

  BrokerIo& io_;
  BrokerSettings settings_;
  ReplicaManager& replicas_;
  const MetadataCache& metadata_;
  const ControllerChannel& channel_;
  std::map<std::int32_t, std::unique_ptr<GroupCoordinator>> coordinators_;
  std::map<std::int32_t, Loaded> loaded_;
  std::map<GroupRequestId, Caller> callers_;
  GroupRequestId next_request_id_ = 1;
  // Appends in flight (correlation id -> the responses waiting on them).
  struct Append {
    std::int32_t partition = 0;
    std::vector<GroupResponse> responses;
  };
  std::map<std::int64_t, Append> appending_;
  std::int64_t next_append_id_ = 1;
  bool create_in_flight_ = false;
  Time create_sent_at_;
  std::string last_create_failure_;
};

}  // namespace kafkasim::kafka
