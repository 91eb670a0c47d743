// The trace kinds the brokers, controllers and clients of sim/kafka emit. Consumers (the
// runner, the guarantees, the GUI) match events against these constants, never against
// spelled-out strings. The Raft core's kinds, which the hosts relay, are in raft/trace_kinds.h.
#pragma once

#include <array>

#include "engine/trace.h"

namespace kafkasim::kafka::trace_kind {

// A node's process and its log directory.
inline constexpr TraceKind kNodeStart{"node.start"};
inline constexpr TraceKind kNodeStartupFailed{"node.startup_failed"};
inline constexpr TraceKind kLogLoad{"log.load"};
inline constexpr TraceKind kLogRecovery{"log.recovery"};
inline constexpr TraceKind kLogCheckpointUnreadable{"log.checkpoint_unreadable"};
inline constexpr TraceKind kLogCheckpointFailed{"log.checkpoint_failed"};
inline constexpr TraceKind kLogCleanShutdown{"log.clean_shutdown"};
inline constexpr TraceKind kLogCleanShutdownFailed{"log.clean_shutdown_failed"};
inline constexpr TraceKind kLogTruncate{"log.truncate"};
inline constexpr TraceKind kLogReset{"log.reset"};
inline constexpr TraceKind kLogRetention{"log.retention"};

// The broker's lifecycle with the controller (BrokerLifecycleManager).
inline constexpr TraceKind kBrokerRegistered{"broker.registered"};
inline constexpr TraceKind kBrokerRegistrationRefused{"broker.registration_refused"};
inline constexpr TraceKind kBrokerCaughtUp{"broker.caught_up"};
inline constexpr TraceKind kBrokerFenced{"broker.fenced"};
inline constexpr TraceKind kBrokerUnfenced{"broker.unfenced"};
inline constexpr TraceKind kBrokerControlledShutdown{"broker.controlled_shutdown"};
inline constexpr TraceKind kBrokerShutdown{"broker.shutdown"};

// The active controller.
inline constexpr TraceKind kControllerActive{"controller.active"};
inline constexpr TraceKind kControllerInactive{"controller.inactive"};
inline constexpr TraceKind kControllerDecision{"controller.decision"};
inline constexpr TraceKind kProducerIdBlock{"producer_id.block"};
inline constexpr TraceKind kProducerIdBlockFailed{"producer_id.block_failed"};
inline constexpr TraceKind kProducerIdAssigned{"producer_id.assigned"};

// Partition replicas (Partition, ReplicaManager).
inline constexpr TraceKind kPartitionLeader{"partition.leader"};
inline constexpr TraceKind kPartitionFollower{"partition.follower"};
inline constexpr TraceKind kPartitionOffline{"partition.offline"};
inline constexpr TraceKind kPartitionDeleted{"partition.deleted"};
inline constexpr TraceKind kIsrShrink{"isr.shrink"};
inline constexpr TraceKind kIsrExpand{"isr.expand"};
inline constexpr TraceKind kIsrAlterRequested{"isr.alter_requested"};
inline constexpr TraceKind kIsrAlterFailed{"isr.alter_failed"};
inline constexpr TraceKind kProduceAppend{"produce.append", /*frequent=*/true};
inline constexpr TraceKind kProduceDuplicate{"produce.duplicate"};
inline constexpr TraceKind kProduceRejected{"produce.rejected"};

// The simulated producer and consumer clients.
inline constexpr TraceKind kClientProducerId{"client.producer_id"};
inline constexpr TraceKind kClientAck{"client.ack"};
inline constexpr TraceKind kClientProduceError{"client.produce_error"};
inline constexpr TraceKind kClientEpochBump{"client.epoch_bump"};
inline constexpr TraceKind kClientDisconnect{"client.disconnect"};
inline constexpr TraceKind kClientRecord{"client.record"};
inline constexpr TraceKind kClientDone{"client.done"};
inline constexpr TraceKind kClientClosing{"client.closing"};
inline constexpr TraceKind kClientStop{"client.stop"};

// Every kind above, for the catalog of declared kinds (scenario/trace_kinds.h).
inline constexpr std::array kAll = {
    kNodeStart,
    kNodeStartupFailed,
    kLogLoad,
    kLogRecovery,
    kLogCheckpointUnreadable,
    kLogCheckpointFailed,
    kLogCleanShutdown,
    kLogCleanShutdownFailed,
    kLogTruncate,
    kLogReset,
    kLogRetention,
    kBrokerRegistered,
    kBrokerRegistrationRefused,
    kBrokerCaughtUp,
    kBrokerFenced,
    kBrokerUnfenced,
    kBrokerControlledShutdown,
    kBrokerShutdown,
    kControllerActive,
    kControllerInactive,
    kControllerDecision,
    kProducerIdBlock,
    kProducerIdBlockFailed,
    kProducerIdAssigned,
    kPartitionLeader,
    kPartitionFollower,
    kPartitionOffline,
    kPartitionDeleted,
    kIsrShrink,
    kIsrExpand,
    kIsrAlterRequested,
    kIsrAlterFailed,
    kProduceAppend,
    kProduceDuplicate,
    kProduceRejected,
    kClientProducerId,
    kClientAck,
    kClientProduceError,
    kClientEpochBump,
    kClientDisconnect,
    kClientRecord,
    kClientDone,
    kClientClosing,
    kClientStop,
};

}  // namespace kafkasim::kafka::trace_kind
