// MirrorMaker 2 as `connect-mirror-maker.sh` runs it: one Connect worker per target cluster that
// runs, for each enabled flow source->target, the three connectors' tasks:
// - MirrorSourceConnector: creates the remote topics ("us-east.cities", same partition count,
//   replication.factor), consumes the source topics and produces each record to the same
//   partition of the remote topic, and writes offset syncs to mm2-offset-syncs.<target>.internal
//   in the source cluster;
// - MirrorCheckpointConnector: reads the offset syncs, translates the committed offsets of the
//   source's consumer groups, writes them to <source>.checkpoints.internal in the target, and
//   with sync.group.offsets.enabled commits them to the target's idle groups;
// - MirrorHeartbeatConnector: writes a heartbeat to the target's `heartbeats` topic every
//   emit.heartbeats.interval.seconds.
// The node talks to both clusters over the simulated network with the same requests a Kafka
// client sends (Metadata, CreateTopics, Fetch, Produce, ListGroups, FindCoordinator,
// OffsetFetch, OffsetCommit), so a region cut stops the flow and shows as lag.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/simulation.h"
#include "kafka/clients.h"
#include "kafka/cluster_directory.h"
#include "kafka/messages.h"
#include "kafka/mirror_policy.h"

namespace kafkasim::kafka {

// One flow's settings, by the names connect-mirror-maker.properties gives them ("us-east->
// eu-west.sync.group.offsets.enabled"); defaults are Kafka's.
struct MirrorFlowConfig {
  std::string source;
  std::string target;
  std::string topics = kTopicsIncludeDefault;
  std::string topics_exclude = kTopicsExcludeDefault;
  std::string groups = kGroupsIncludeDefault;
  std::string groups_exclude = kGroupsExcludeDefault;
  std::string config_properties_exclude = kConfigPropertiesExcludeDefault;
  std::int32_t replication_factor = 2;  // replication.factor of remote topics
  std::int32_t offset_syncs_topic_replication_factor = 3;
  std::int32_t checkpoints_topic_replication_factor = 3;
  std::int32_t heartbeats_topic_replication_factor = 3;
  bool emit_checkpoints_enabled = true;
  Duration emit_checkpoints_interval = Seconds(60);
  bool sync_group_offsets_enabled = false;
  Duration sync_group_offsets_interval = Seconds(60);
  // MirrorSourceConnector.syncTopicConfigs: the remote topics' configs follow their sources'.
  bool sync_topic_configs_enabled = true;
  Duration sync_topic_configs_interval = Seconds(600);
  bool emit_heartbeats_enabled = true;
  Duration emit_heartbeats_interval = Seconds(1);
  Duration refresh_topics_interval = Seconds(600);
  Duration refresh_groups_interval = Seconds(600);
  std::int64_t offset_lag_max = 100;
  // The worker's offset.flush.interval.ms: delayed offset syncs go out at each flush.
  Duration offset_flush_interval = Milliseconds(60000);
  bool heartbeats_replication_enabled = true;
  std::string Name() const { return source + "->" + target; }
};

// What the mirror did, shared with the runner and the GUI (read-only outside the node).
struct MirrorStats {
  struct Partition {
    std::int64_t source_end = -1;  // the source's high watermark, as last fetched
    std::int64_t replicated = 0;   // upstream offsets below this were written downstream
    std::int64_t lag() const {
      return source_end < 0 ? 0 : std::max<std::int64_t>(0, source_end - replicated);
    }
  };
  struct Flow {
    std::string source, target;
    std::map<TopicPartition, Partition> partitions;  // by source partition
    std::int64_t records = 0;                        // records written to remote topics
    std::int64_t checkpoints = 0;
    std::int64_t heartbeats = 0;
    std::int64_t group_offsets_synced = 0;
    std::int64_t topic_configs_synced = 0;  // IncrementalAlterConfigs the target accepted
    std::set<std::string> remote_topics;    // created (or found) in the target
    std::int64_t Lag() const;
  };
  std::vector<Flow> flows;
  // Checkpoints as the target holds them: group -> remote partition -> the latest one.
  std::map<std::string, std::map<std::string, std::map<TopicPartition, Checkpoint>>>
      checkpoints_by_flow;  // by flow name
};

class MirrorMakerNode : public Node {
 public:
  // `clusters`: every cluster the flows name, by alias.
  MirrorMakerNode(NodeEnv& env, std::vector<MirrorFlowConfig> flows,
                  std::map<std::string, std::shared_ptr<const ClusterDirectory>> clusters,
                  std::shared_ptr<MirrorStats> stats);
  void OnStart() override;
  void OnMessage(const Message& message) override;
  void OnTimer(std::uint64_t tag) override;
  void OnDisconnect(NodeIndex peer) override;

 private:
  // A partition this worker produces to, in one cluster: records wait here and go out one
  // request at a time (Connect's producer: acks=all, max.in.flight.requests.per.connection=1).
  struct Outgoing {
    ProducedRecord record;
    std::int64_t upstream = -1;  // the source offset of a replicated record, else -1
  };
  struct Lane {
    std::string cluster;
    TopicPartition tp;
    int flow = -1;
    TopicPartition source;  // for a remote topic's lane: the source partition
    std::deque<Outgoing> queue;
    std::vector<Outgoing> in_flight;
    std::int64_t correlation = -1;
    Time sent_at;
  };
  // A partition this worker consumes, in one cluster.
  struct Reader {
    std::string cluster;
    TopicPartition tp;
    int flow = -1;
    bool syncs = false;          // the offset-syncs topic (for the checkpoint task)
    std::int64_t position = -1;  // next offset; -1: ask for the earliest
    bool list_in_flight = false;
    Time list_sent_at;
  };
  struct Link {
    std::shared_ptr<const ClusterDirectory> directory;
    ClientMetadata metadata;
    bool metadata_in_flight = false;
    Time metadata_sent_at;
    bool has_metadata = false;
    std::size_t controller_cursor = 0;     // the broker asked for metadata and group lookups
    std::size_t admin_cursor = 0;          // the controller candidate asked to create topics
    std::map<std::string, Time> creating;  // topic -> CreateTopics sent at
    // topic -> the flow whose config sync is in flight, and when it was sent
    std::map<std::string, std::pair<int, Time>> altering;
    std::map<BrokerId, std::pair<std::int64_t, Time>> fetch_in_flight;
  };
  struct FlowState {
    MirrorFlowConfig config;
    NameFilter topics;
    NameFilter groups;
    std::map<TopicPartition, OffsetSyncState> sync_states;
    std::map<TopicPartition, OffsetSync> pending_syncs, delayed_syncs;
    OffsetSyncStore store;
    std::set<std::string> known_groups;
    std::map<std::string, std::map<TopicPartition, Checkpoint>> last_checkpoints;
    Time next_topics_refresh, next_groups_refresh, next_checkpoint, next_group_sync, next_heartbeat,
        next_flush, next_config_sync;
    bool groups_listed = false;
    // createNewTopics: the source topics' configs (overrides, filtered), described before their
    // remote topics are created.
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> source_configs;
    std::int64_t describe_correlation = -1;
    Time describe_sent_at;
    // syncTopicConfigs: its own DescribeConfigs of the replicated source topics.
    std::int64_t sync_correlation = -1;
    Time sync_sent_at;
  };
  // A group request in progress: FindCoordinator then OffsetFetch/OffsetCommit.
  struct GroupCall {
    enum class Kind { kSourceOffsets, kTargetOffsets, kTargetCommit };
    Kind kind;
    int flow = 0;
    std::string group;
    std::string cluster;
    BrokerId coordinator = kNoLeader;
    std::int64_t correlation = -1;
    Time sent_at;
    std::map<TopicPartition, std::int64_t> commit;  // kTargetCommit
  };

  void Tick();
  Link& LinkOf(const std::string& cluster) { return links_.at(cluster); }
  std::string ClusterOf(NodeIndex node) const;
  void RequestMetadata(const std::string& cluster);
  void DescribeSourceConfigs(int flow, std::vector<std::string> topics);
  void SyncTopicConfigs(int flow);
  void AlterRemoteConfigs(int flow, const DescribeConfigsResponse& described);
  // The target's admin request goes to the next controller candidate.
  NodeIndex AdminTarget(const std::string& cluster);
  void EnsureTopic(const std::string& cluster, const std::string& topic, std::int32_t partitions,
                   std::int32_t replication_factor, bool compacted,
                   const std::vector<std::pair<std::string, std::string>>& configs = {});
  void RefreshTopics(int flow);
  void Fetch(const std::string& cluster);
  void Produce();
  void Enqueue(const std::string& cluster, const TopicPartition& tp, Outgoing out, int flow = -1,
               const TopicPartition& source = {});
  void OnReplicated(int flow, const TopicPartition& source, std::int64_t upstream,
                    std::int64_t downstream);
  void FirePendingSyncs(FlowState& flow);
  void ListGroups(int flow);
  void StartGroupCall(GroupCall call);
  void SendGroupCall(GroupCall& call);
  void OnFetchResponse(const std::string& cluster, const FetchResponse& response);
  void OnProduceResponse(const ProduceResponse& response);
  void OnGroupResponse(const GroupResponseMessage& response);
  void OnSourceOffsets(GroupCall& call, const OffsetFetchResponse& response);
  void OnTargetOffsets(GroupCall& call, const OffsetFetchResponse& response);
  void Warn(const std::string& key, const std::string& text);
  MirrorStats::Flow& StatsOf(int flow) { return stats_->flows[static_cast<std::size_t>(flow)]; }

  NodeEnv& env_;
  std::vector<FlowState> flows_;
  std::map<std::string, Link> links_;
  std::shared_ptr<MirrorStats> stats_;
  std::map<std::pair<std::string, TopicPartition>, Lane> lanes_;
  std::map<std::pair<std::string, TopicPartition>, Reader> readers_;
  std::map<std::int64_t, std::pair<std::string, TopicPartition>> produce_in_flight_;
  std::map<std::int64_t, GroupCall> group_calls_;  // by correlation id
  std::map<std::int64_t, GroupCall> finding_;      // FindCoordinator in flight
  std::map<std::int64_t, std::pair<int, std::set<BrokerId>>> list_groups_;  // flow, awaited
  std::int64_t next_correlation_ = 1;
  std::set<std::string> warned_;
};

}  // namespace kafkasim::kafka
