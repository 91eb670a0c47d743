// MirrorMaker 2's rules, as pure functions and small state machines (no I/O, no clock): the
// DefaultReplicationPolicy's topic names, the default topic and group filters, the cycle check
// that keeps active/active mirroring from looping, the offset-sync store that translates a
// consumer group's committed offsets to the other cluster, and the encodings of MM2's internal
// records. Each follows the Java class named in its comment (Kafka's connect/mirror and
// connect/mirror-client).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "kafka/topic_partition.h"

namespace kafkasim::kafka {

// DefaultReplicationPolicy with replication.policy.separator "." (its default).
namespace mirror_policy {
// "us-east" + "cities" -> "us-east.cities".
std::string FormatRemoteTopic(const std::string& source_alias, const std::string& topic);
// The cluster a remote topic came from: the part before the first separator; nullopt for a
// topic without one (a local topic).
std::optional<std::string> TopicSource(const std::string& topic);
// The topic name one hop upstream: "us-east.cities" -> "cities"; nullopt for a local topic.
std::optional<std::string> UpstreamTopic(const std::string& topic);
// The topic at the end of the chain: "a.b.cities" -> "cities".
std::string OriginalTopic(const std::string& topic);
std::string OffsetSyncsTopic(const std::string& cluster_alias);  // mm2-offset-syncs.X.internal
std::string CheckpointsTopic(const std::string& cluster_alias);  // X.checkpoints.internal
inline constexpr const char* kHeartbeatsTopic = "heartbeats";
bool IsHeartbeatsTopic(const std::string& topic);
// ReplicationPolicy.isInternalTopic: "__"- or "."-prefixed, or ending in ".internal" or
// "-internal" (MM2's and Connect's own topics).
bool IsInternalTopic(const std::string& topic);
}  // namespace mirror_policy

// A comma-separated list, items trimmed, empty ones dropped (ConfigDef.Type.LIST).
std::vector<std::string> SplitConfigList(const std::string& list);

// DefaultTopicFilter / DefaultGroupFilter: comma-separated regular expressions that must match a
// whole name; a name passes when an include matches and no exclude does.
class NameFilter {
 public:
  NameFilter(const std::string& include, const std::string& exclude);
  bool Passes(const std::string& name) const;
  // Whether `list` is a valid comma-separated list of regular expressions; the message says
  // which one is not.
  static std::optional<std::string> Invalid(const std::string& list);

 private:
  std::vector<std::regex> include_, exclude_;
};
inline constexpr const char* kTopicsIncludeDefault = ".*";
inline constexpr const char* kTopicsExcludeDefault = ".*[\\-\\.]internal, .*\\.replica, __.*";
inline constexpr const char* kGroupsIncludeDefault = ".*";
inline constexpr const char* kGroupsExcludeDefault = "console-consumer-.*, connect-.*, __.*";
// DefaultConfigPropertyFilter.CONFIG_PROPERTIES_EXCLUDE_DEFAULT: topic configs a remote topic
// does not take from its source (connect/mirror/.../DefaultConfigPropertyFilter.java).
inline constexpr const char* kConfigPropertiesExcludeDefault =
    "follower\\.replication\\.throttled\\.replicas, "
    "leader\\.replication\\.throttled\\.replicas, "
    "message\\.timestamp\\.difference\\.max\\.ms, message\\.timestamp\\.type, "
    "unclean\\.leader\\.election\\.enable, min\\.insync\\.replicas";

// MirrorSourceConnector.shouldReplicateTopic for the flow source -> target: the topic filter
// passes it (or it is a heartbeats topic, with heartbeats.replication.enabled), it is not
// internal, and it did not come from the target (isCycle, followed upstream).
bool ShouldReplicateTopic(const NameFilter& topics, const std::string& topic,
                          const std::string& target_alias, bool heartbeats_replication = true);
bool IsCycle(const std::string& topic, const std::string& target_alias);
// MirrorCheckpointTask.renameTopicPartition: a source partition's name in the target; a topic
// that came from the target goes back to its original name ("eu-west.cities" -> "cities").
TopicPartition RenameTopicPartition(const std::string& source_alias,
                                    const std::string& target_alias, const TopicPartition& tp);

// An OffsetSync: upstream offset U of a source partition was written downstream at offset D.
struct OffsetSync {
  TopicPartition source;
  std::int64_t upstream = 0;
  std::int64_t downstream = 0;
  bool operator==(const OffsetSync&) const = default;
  std::string ToString() const;  // OffsetSync.toString
};

// OffsetSyncWriter.PartitionState: whether a record replicated at (upstream, downstream) must
// emit an offset sync now (else it is delayed until the task's next offset commit).
class OffsetSyncState {
 public:
  explicit OffsetSyncState(std::int64_t max_offset_lag) : max_offset_lag_(max_offset_lag) {}
  bool Update(std::int64_t upstream, std::int64_t downstream);
  void Reset() { should_sync_ = false; }

 private:
  std::int64_t previous_upstream_ = -1;
  std::int64_t previous_downstream_ = -1;
  std::int64_t last_sync_downstream_ = -1;
  std::int64_t max_offset_lag_;
  bool should_sync_ = false;
};

// OffsetSyncStore: the offset syncs read from mm2-offset-syncs.<target>.internal, 64 a
// partition kept at exponentially growing distances (invariants A, B and C of Kafka's class),
// and the translation of an upstream committed offset.
class OffsetSyncStore {
 public:
  static constexpr int kSyncsPerPartition = 64;
  // The checkpoint task reads the syncs topic to its end once before translating anything.
  void SetReadToEnd() { read_to_end_ = true; }
  bool read_to_end() const { return read_to_end_; }
  void Sync(const OffsetSync& sync);
  // nullopt: cannot translate yet (not read to the end, or no sync for the partition); -1: the
  // offset is older than every sync kept; else the downstream offset: the sync's own when the
  // offset is exactly synced, one past it when the group is ahead of the sync.
  std::optional<std::int64_t> TranslateDownstream(const TopicPartition& source,
                                                  std::int64_t upstream) const;

 private:
  using Syncs = std::array<OffsetSync, kSyncsPerPartition>;
  void Update(Syncs& syncs, const OffsetSync& sync);
  std::map<TopicPartition, Syncs> syncs_;
  bool read_to_end_ = false;
};

// A Checkpoint: group G's committed offset U on a source partition, translated to D on the
// remote partition.
struct Checkpoint {
  std::string group;
  TopicPartition remote;  // the remote topic's partition ("us-east.cities", 0)
  std::int64_t upstream = 0;
  std::int64_t downstream = 0;
  std::string metadata;
  std::string ToString() const;  // Checkpoint.toString
};
// MirrorCheckpointTask.checkpointIsMoreRecent: emit a checkpoint the first time, after the
// upstream group rewound, or when the downstream offset advanced; never rewind downstream.
bool CheckpointIsMoreRecent(const std::optional<Checkpoint>& last, const Checkpoint& next);

// The internal records' keys and values as Kafka's Schema writes them (INT16/INT32/INT64 big
// endian, STRING as an INT16 length then its bytes; values of checkpoints and heartbeats start
// with the INT16 version 0).
std::string EncodeOffsetSyncKey(const TopicPartition& source);
std::string EncodeOffsetSyncValue(std::int64_t upstream, std::int64_t downstream);
std::optional<OffsetSync> DecodeOffsetSync(const std::string& key, const std::string& value);
std::string EncodeCheckpointKey(const std::string& group, const TopicPartition& remote);
std::string EncodeCheckpointValue(std::int64_t upstream, std::int64_t downstream,
                                  const std::string& metadata);
std::optional<Checkpoint> DecodeCheckpoint(const std::string& key, const std::string& value);
std::string EncodeHeartbeatKey(const std::string& source_alias, const std::string& target_alias);
std::string EncodeHeartbeatValue(std::int64_t timestamp_ms);

}  // namespace kafkasim::kafka
