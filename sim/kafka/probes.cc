#include "kafka/probes.h"

#include <algorithm>

namespace kafkasim::kafka {

const std::vector<ProbeInfo>& KnownProbes() {
  // One probe a line reads as a table.
  // clang-format off
  static const std::vector<ProbeInfo> probes = [] {
    std::vector<ProbeInfo> p = {
        {"broker.controlled_shutdown", "a broker shut down in a controlled way (its leaderships moved first)"},
        {"client.disconnect", "a client saw its connection to a broker reset"},
        {"controller.activated", "a controller became the active controller"},
        {"controller.allocate_producer_ids", "the controller handed out a block of producer ids"},
        {"controller.fence_broker", "the controller fenced a broker (missed heartbeats or shutdown)"},
        {"controller.unfence_broker", "the controller unfenced a caught-up broker"},
        {"elr.grow", "a replica joined a partition's eligible leader replicas (KIP-966)"},
        {"fetch.diverging_epoch", "a leader told a follower that its log diverges (KIP-320)"},
        {"follower.leader_disconnected", "a follower's fetch connection to its leader was reset"},
        {"follower.truncate", "a follower truncated its log to the leader's"},
        {"group.member.session_timeout", "a group member was expelled after session.timeout.ms"},
        {"group.member_id_required", "a new member was asked to rejoin with its member id (KIP-394)"},
        {"group.rebalance", "a consumer group started a rebalance"},
        {"group.static_member.replaced", "a static member's instance id was taken by a new member"},
        {"isr.expand", "a caught-up follower was added to an ISR"},
        {"isr.shrink", "a lagging or fenced replica was removed from an ISR"},
        {"leader.election.clean", "a new leader was elected from the ISR"},
        {"leader.election.elr", "a new leader was elected from the eligible leader replicas"},
        {"leader.election.preferred", "leadership moved back to the preferred replica"},
        {"leader.election.unclean", "an out-of-sync replica became leader (unclean election)"},
        {"log.clean_shutdown_found", "a log dir was found cleanly shut down; recovery skipped"},
        {"log.recovery.skipped", "a segment above the recovery point needed no recovery"},
        {"log_dir.failed", "a log dir failed (disk full or I/O error) and its broker halted"},
        {"metadata.snapshot.written", "a node wrote a snapshot of its metadata image (.checkpoint)"},
        {"metadata.snapshot.loaded", "a node started from its latest metadata snapshot"},
        {"node.startup_failed", "a node could not start (its log dir could not be loaded)"},
        {"partition.become_leader", "a replica became a partition's leader"},
        {"partition.offline", "a partition was left with no leader"},
        {"produce.duplicate", "an idempotent producer's retry was recognised as a duplicate"},
        {"produce.invalid_batch", "a produced batch was refused as invalid"},
        {"produce.not_enough_replicas", "a produce was refused: the ISR is below min.insync.replicas"},
        {"produce.not_enough_replicas_after_append", "an acks=all write was appended but the ISR shrank below min.insync.replicas"},
        {"producer.epoch_bump", "an idempotent producer bumped its epoch after an error"},
        {"producer.partitions_grew", "a producer saw its topic gain partitions"},
        {"producer_id.assigned", "a broker assigned a producer id to an idempotent producer"},
        {"retention.delete_segment", "retention deleted a log segment"},
        {"log.cleaner.cleaned", "the log cleaner compacted a log (cleanup.policy=compact)"},
        {"log.cleaner.tombstone_removed", "the log cleaner removed a tombstone past its delete horizon (delete.retention.ms)"},
        {"log.cleaner.recovered_interrupted_clean", "log recovery found the files of an interrupted clean (.cleaned or .swap)"},
        {"client.group.assigned", "a consumer received its assignment in a group"},
        {"client.group.rebalance", "a consumer learned its group is rebalancing and rejoined"},
        {"controller.resigned", "a ZooKeeper-mode controller lost its /controller znode and resigned"},
        {"client.group.consumer.revoke", "a KIP-848 member revoked partitions its new assignment took away"},
        {"client.group.fenced", "a KIP-848 member was fenced (FENCED_MEMBER_EPOCH or UNKNOWN_MEMBER_ID) and rejoined"},
        {"group.consumer.fenced_epoch", "a ConsumerGroupHeartbeat carried a member epoch the coordinator fenced"},
        {"group.consumer.join", "a member joined a KIP-848 consumer group (member epoch 0)"},
        {"group.consumer.leave", "a member left a KIP-848 consumer group (member epoch -1)"},
        {"group.consumer.member.expired", "a KIP-848 member was fenced: session or rebalance timeout"},
        {"group.consumer.revoke", "the coordinator asked a KIP-848 member to revoke partitions"},
        {"group.consumer.stale_commit", "an offset commit with an old member epoch got STALE_MEMBER_EPOCH"},
        {"group.consumer.target_assignment", "a KIP-848 coordinator computed a new target assignment"},
        {"group.consumer.unreleased", "a KIP-848 member waits for partitions others have not revoked yet"},
        {"group.append.failed", "the group coordinator could not write to __consumer_offsets"},
        {"group.append.reverted", "a refused write to __consumer_offsets undid the group state it carried"},
        {"group.coordinator.load", "a broker became a group coordinator and loaded its groups from the log"},
        {"group.offsets_topic.create", "the first FindCoordinator asked for __consumer_offsets"},
        {"group.offsets_topic.create_failed", "__consumer_offsets could not be created (too few brokers)"},
        {"topic.auto_create", "a broker asked the controller to create a topic a client named (auto.create.topics.enable)"},
        {"topic.auto_create_failed", "the controller refused to create a topic on first use"},
        {"client.group.metadata_changed", "a group leader saw its topic's partitions change since it assigned and rejoined"},
        {"client.metadata.topic_error", "a client's Metadata response said its topic is missing (it warns and asks again)"},
        {"produce.invalid_producer_epoch", "a produce from a fenced producer epoch was refused"},
        {"produce.out_of_order_sequence", "an idempotent produce arrived with a sequence gap"},
        {"zk.broker.registered", "a broker registered its ephemeral /brokers/ids znode"},
        {"zk.broker.registration_conflict", "a broker's old /brokers/ids znode still existed (its old session lives)"},
        {"zk.client.session_expired", "a broker's ZooKeeper session expired; its ephemeral znodes are gone"},
        {"zk.client.set_watches", "a broker's ZooKeeper client set its watches again after reconnecting (SetWatches)"},
        {"zk.client.timeout", "a broker heard nothing from its ZooKeeper server and moves to another"},
        {"zk.controlled_shutdown.gave_up", "a ZooKeeper-mode broker stopped after its controlled shutdown attempts failed"},
        {"zk.controller.elected", "a broker won the /controller znode and became controller"},
        {"zk.controller.fenced", "a controller's conditional write failed: a newer controller exists"},
        {"zk.disk_failed", "a ZooKeeper server's disk failed and the server stopped"},
        {"zk.stale_controller_epoch", "a broker ignored a request from a controller with an old epoch"},
        {"zk.topic_deletion.completed", "the ZooKeeper-mode controller deleted every replica and the znodes of a topic"},
        {"zk.topic_deletion.halted", "a topic deletion waits: a replica's broker is down"},
        {"zk.topic_deletion.queued", "the ZooKeeper-mode controller queued a topic from /admin/delete_topics"},
    };
    std::sort(p.begin(), p.end(),
              [](const ProbeInfo& a, const ProbeInfo& b) { return a.name < b.name; });
    return p;
  }();
  // clang-format on
  return probes;
}

bool IsKnownProbe(std::string_view name) {
  const std::vector<ProbeInfo>& probes = KnownProbes();
  const auto it =
      std::lower_bound(probes.begin(), probes.end(), name,
                       [](const ProbeInfo& p, std::string_view n) { return p.name < n; });
  return it != probes.end() && it->name == name;
}

}  // namespace kafkasim::kafka
