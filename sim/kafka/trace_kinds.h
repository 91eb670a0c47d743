// The trace kinds the kafka module emits: one constant per kind, used by the emitters and by
// whoever reads the trace (runner, guarantees, metrics, GUI). Dotted and stable.
#pragma once

#include <array>
#include <string_view>

namespace kafkasim::kafka::trace_kind {

// Partitions on a broker (partition.cc, replica_manager.cc).
inline constexpr std::string_view kPartitionLeader = "partition.leader";
inline constexpr std::string_view kPartitionFollower = "partition.follower";
inline constexpr std::string_view kPartitionOffline = "partition.offline";
inline constexpr std::string_view kPartitionDeleted = "partition.deleted";
inline constexpr std::string_view kIsrAlterRequested = "isr.alter_requested";
inline constexpr std::string_view kIsrAlterFailed = "isr.alter_failed";
inline constexpr std::string_view kIsrShrink = "isr.shrink";
inline constexpr std::string_view kIsrExpand = "isr.expand";
inline constexpr std::string_view kProduceAppend = "produce.append";
inline constexpr std::string_view kProduceDuplicate = "produce.duplicate";
inline constexpr std::string_view kProduceRejected = "produce.rejected";
inline constexpr std::string_view kFetchCorrupt = "fetch.corrupt";
// Logs and the log dir (partition.cc, log_manager.cc).
inline constexpr std::string_view kLogTruncate = "log.truncate";
inline constexpr std::string_view kLogReset = "log.reset";
inline constexpr std::string_view kLogLoad = "log.load";
inline constexpr std::string_view kLogRecovery = "log.recovery";
inline constexpr std::string_view kLogRetention = "log.retention";
inline constexpr std::string_view kLogCleaner = "log.cleaner";
// A topic's overrides changed and the broker's logs of it took them (or could not).
inline constexpr std::string_view kLogConfig = "log.config";
inline constexpr std::string_view kLogCheckpointUnreadable = "log.checkpoint_unreadable";
inline constexpr std::string_view kLogCheckpointFailed = "log.checkpoint_failed";
inline constexpr std::string_view kLogCleanShutdown = "log.clean_shutdown";
inline constexpr std::string_view kLogCleanShutdownFailed = "log.clean_shutdown_failed";
inline constexpr std::string_view kLogDirFailed = "log_dir.failed";
// KRaft metadata snapshots (kafka_raft_server.cc): written by SnapshotGenerator, loaded at start.
inline constexpr std::string_view kMetadataSnapshot = "metadata.snapshot";
inline constexpr std::string_view kMetadataSnapshotLoad = "metadata.snapshot_load";
// The node's life (kafka_server.cc, broker_lifecycle.cc).
inline constexpr std::string_view kNodeStart = "node.start";
inline constexpr std::string_view kNodeStartupFailed = "node.startup_failed";
inline constexpr std::string_view kBrokerRegistered = "broker.registered";
inline constexpr std::string_view kBrokerRegistrationRefused = "broker.registration_refused";
inline constexpr std::string_view kBrokerCaughtUp = "broker.caught_up";
// Requests that reached a broker before it caught up and was unfenced wait (BrokerServer
// enables request processing last), and are served then.
inline constexpr std::string_view kBrokerRequestsHeld = "broker.requests_held";
inline constexpr std::string_view kBrokerFenced = "broker.fenced";
inline constexpr std::string_view kBrokerUnfenced = "broker.unfenced";
inline constexpr std::string_view kBrokerControlledShutdown = "broker.controlled_shutdown";
inline constexpr std::string_view kBrokerShutdown = "broker.shutdown";
// Producer ids (producer_id_manager.cc).
inline constexpr std::string_view kProducerIdAssigned = "producer_id.assigned";
inline constexpr std::string_view kProducerIdBlock = "producer_id.block";
inline constexpr std::string_view kProducerIdBlockFailed = "producer_id.block_failed";
// The KRaft controller (controller_role.cc).
inline constexpr std::string_view kControllerActive = "controller.active";
inline constexpr std::string_view kControllerInactive = "controller.inactive";
inline constexpr std::string_view kControllerDecision = "controller.decision";
// Clients (clients.cc).
inline constexpr std::string_view kClientRecord = "client.record";
inline constexpr std::string_view kClientAck = "client.ack";
inline constexpr std::string_view kClientProduceError = "client.produce_error";
inline constexpr std::string_view kClientProducerId = "client.producer_id";
inline constexpr std::string_view kClientEpochBump = "client.epoch_bump";
inline constexpr std::string_view kClientDisconnect = "client.disconnect";
inline constexpr std::string_view kClientClosing = "client.closing";
inline constexpr std::string_view kClientStop = "client.stop";
inline constexpr std::string_view kClientDone = "client.done";
// MirrorMaker 2 (mirror_maker.cc): a remote or internal topic created, a checkpoint written, a
// group's offsets synced to the target, a request that failed.
inline constexpr std::string_view kMirrorTopic = "mirror.topic";
inline constexpr std::string_view kMirrorCheckpoint = "mirror.checkpoint";
inline constexpr std::string_view kMirrorGroupSync = "mirror.group_sync";
inline constexpr std::string_view kMirrorWarn = "mirror.warn";
// ZooKeeper mode: the broker's ZooKeeper session and the ZooKeeper-based controller.
inline constexpr std::string_view kZkConnected = "zk.client.connected";
inline constexpr std::string_view kZkDisconnected = "zk.client.disconnected";
inline constexpr std::string_view kZkSessionExpired = "zk.client.session_expired";
inline constexpr std::string_view kZkBrokerRegistered = "zk.broker.registered";
inline constexpr std::string_view kZkControllerElection = "zk.controller.election";
inline constexpr std::string_view kZkStaleController = "zk.controller.stale";
// Consumer groups: the coordinator core (group_coordinator.cc) and its broker host
// (group_coordinator_host.cc).
inline constexpr std::string_view kGroupMemberId = "group.member.id";
inline constexpr std::string_view kGroupJoin = "group.join";
inline constexpr std::string_view kGroupRebalance = "group.rebalance";
inline constexpr std::string_view kGroupGeneration = "group.generation";
inline constexpr std::string_view kGroupStable = "group.stable";
inline constexpr std::string_view kGroupEmpty = "group.empty";
inline constexpr std::string_view kGroupMemberRemoved = "group.member.removed";
inline constexpr std::string_view kGroupMemberExpired = "group.member.expired";
inline constexpr std::string_view kGroupStaticReplaced = "group.static.replaced";
inline constexpr std::string_view kGroupOffsetCommit = "group.offset.commit";
inline constexpr std::string_view kGroupLoaded = "group.loaded";
// KIP-848 consumer groups (group_coordinator_consumer.cc).
inline constexpr std::string_view kGroupConsumerEpoch = "group.consumer.epoch";
inline constexpr std::string_view kGroupConsumerTarget = "group.consumer.target";
inline constexpr std::string_view kGroupConsumerReconcile = "group.consumer.reconcile";
inline constexpr std::string_view kGroupConsumerState = "group.consumer.state";
inline constexpr std::string_view kGroupConsumerMemberRemoved = "group.consumer.member.removed";
inline constexpr std::string_view kGroupCoordinatorLoad = "group.coordinator.load";
inline constexpr std::string_view kGroupCoordinatorUnload = "group.coordinator.unload";
inline constexpr std::string_view kGroupAppendFailed = "group.append_failed";
inline constexpr std::string_view kOffsetsTopicCreate = "group.offsets_topic.create";
// Consumers in a group (clients.cc).
inline constexpr std::string_view kClientGroup = "client.group";
inline constexpr std::string_view kClientAssignment = "client.assignment";
inline constexpr std::string_view kClientCommit = "client.commit";
// Topics created on first use (auto_topic_creation.cc), and the warnings a client logs while
// its topic is missing (NetworkClient's "recoverable issue" line).
inline constexpr std::string_view kTopicAutoCreate = "topic.auto_create";
inline constexpr std::string_view kClientWarn = "client.warn";

// Every kind above, for the catalog of declared kinds (scenario/trace_kinds.h).
inline constexpr std::array kAll = {
    kPartitionLeader,
    kPartitionFollower,
    kPartitionOffline,
    kPartitionDeleted,
    kIsrAlterRequested,
    kIsrAlterFailed,
    kIsrShrink,
    kIsrExpand,
    kProduceAppend,
    kProduceDuplicate,
    kProduceRejected,
    kFetchCorrupt,
    kLogTruncate,
    kLogReset,
    kLogLoad,
    kLogRecovery,
    kLogRetention,
    kLogCleaner,
    kLogConfig,
    kLogCheckpointUnreadable,
    kLogCheckpointFailed,
    kLogCleanShutdown,
    kLogCleanShutdownFailed,
    kLogDirFailed,
    kMetadataSnapshot,
    kMetadataSnapshotLoad,
    kNodeStart,
    kNodeStartupFailed,
    kBrokerRegistered,
    kBrokerRegistrationRefused,
    kBrokerCaughtUp,
    kBrokerRequestsHeld,
    kBrokerFenced,
    kBrokerUnfenced,
    kBrokerControlledShutdown,
    kBrokerShutdown,
    kProducerIdAssigned,
    kProducerIdBlock,
    kProducerIdBlockFailed,
    kControllerActive,
    kControllerInactive,
    kControllerDecision,
    kClientRecord,
    kClientAck,
    kClientProduceError,
    kClientProducerId,
    kClientEpochBump,
    kClientDisconnect,
    kClientClosing,
    kClientStop,
    kClientDone,
    kZkConnected,
    kZkDisconnected,
    kZkSessionExpired,
    kZkBrokerRegistered,
    kZkControllerElection,
    kZkStaleController,
    kGroupMemberId,
    kGroupJoin,
    kGroupRebalance,
    kGroupGeneration,
    kGroupStable,
    kGroupEmpty,
    kGroupMemberRemoved,
    kGroupMemberExpired,
    kGroupStaticReplaced,
    kGroupOffsetCommit,
    kGroupConsumerEpoch,
    kGroupConsumerTarget,
    kGroupConsumerReconcile,
    kGroupConsumerState,
    kGroupConsumerMemberRemoved,
    kGroupLoaded,
    kGroupCoordinatorLoad,
    kGroupCoordinatorUnload,
    kGroupAppendFailed,
    kOffsetsTopicCreate,
    kClientGroup,
    kClientAssignment,
    kClientCommit,
    kTopicAutoCreate,
    kClientWarn,
    kMirrorTopic,
    kMirrorCheckpoint,
    kMirrorGroupSync,
    kMirrorWarn,
};
// Kinds too frequent for a narrated timeline (the CLI prints them with --verbose only, the
// GUI's event log hides them unless asked): one per append.
inline constexpr std::array kFrequent = {kProduceAppend};

}  // namespace kafkasim::kafka::trace_kind
