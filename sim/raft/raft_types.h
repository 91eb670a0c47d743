// Vocabulary of the KRaft Raft core: ids, epochs, offsets, log entries, the durable quorum
// state (the `quorum-state` file) and the configuration with Kafka's default timeouts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"
#include "engine/time.h"

namespace kafkasim::raft {

using NodeId = std::int32_t;      // node.id of a controller (voter) or broker (observer)
using Epoch = std::int32_t;       // leader epoch of the metadata quorum; 0 before any election
using Offset = std::int64_t;      // offset in __cluster_metadata-0
constexpr NodeId kNoNodeId = -1;  // Kafka writes -1 for "no leader" / "no vote"
constexpr Offset kNoOffset = -1;

// What a log entry carries. kLeaderChange is Kafka's LeaderChange control record (type 2), its
// payload a LeaderChangeMessage (storage/control_records.h); NoOp is the NoOpRecord (metadata
// record 20) the active controller writes when idle, its payload empty here.
enum class EntryKind : std::uint8_t { kData, kLeaderChange, kNoOp };
const char* EntryKindName(EntryKind kind);

struct LogEntry {
  Offset offset = 0;
  Epoch epoch = 0;
  EntryKind kind = EntryKind::kData;
  std::string payload;  // opaque bytes (a metadata record in Kafka's format for kData)

  bool operator==(const LogEntry&) const = default;
};

struct OffsetAndEpoch {
  Offset offset = kNoOffset;
  Epoch epoch = -1;
  bool operator==(const OffsetAndEpoch&) const = default;
};

// The durable election state, written before the node acts on it (KIP-595). Serialised as
// the JSON KRaft keeps in `__cluster_metadata-0/quorum-state` (data_version 0,
// raft/.../internals/QuorumStateData.json): leaderId, leaderEpoch, votedId, appliedOffset,
// currentVoters.
struct QuorumState {
  Epoch epoch = 0;
  NodeId voted_for = kNoNodeId;
  NodeId leader_id = kNoNodeId;
  std::vector<NodeId> voters;  // sorted

  bool operator==(const QuorumState&) const = default;
};
std::string QuorumStateToJson(const QuorumState& state);
// The file's name inside the partition directory `__cluster_metadata-0`.
constexpr const char* kQuorumStateFileName = "quorum-state";
// Returns kCorruption with a reason when the text is not a quorum-state document.
Result<QuorumState> QuorumStateFromJson(std::string_view text);

// dump-log's lines for a quorum-state file: its fields, one line, or the Status of a file that
// is not one.
Result<std::string> DumpQuorumState(std::string_view text);

// Timers and limits, named after Kafka's `controller.quorum.*` configs (QuorumConfig.java)
// with their defaults.
struct RaftConfig {
  NodeId node_id = kNoNodeId;
  std::vector<NodeId> voters;  // controller.quorum.voters; a node not listed is an observer
  Duration fetch_timeout = Milliseconds(2000);         // controller.quorum.fetch.timeout.ms
  Duration election_timeout = Milliseconds(1000);      // controller.quorum.election.timeout.ms
  Duration election_backoff_max = Milliseconds(1000);  // election.backoff.max.ms
  Duration request_timeout = Milliseconds(2000);       // controller.quorum.request.timeout.ms
  Duration retry_backoff = Milliseconds(20);           // controller.quorum.retry.backoff.ms
  Duration append_linger = Milliseconds(25);           // controller.quorum.append.linger.ms
  Duration fetch_max_wait = Milliseconds(500);         // KafkaRaftClient's fetch max wait
  // metadata.max.idle.interval.ms: the active controller appends a NoOpRecord when idle this
  // long (QuorumController). Zero disables it.
  Duration idle_noop_interval = Milliseconds(500);
  std::int32_t fetch_max_entries = 64;  // stands in for fetch.max.bytes
};

}  // namespace kafkasim::raft
