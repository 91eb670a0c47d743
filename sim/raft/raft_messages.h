// The KRaft RPCs the core exchanges (KIP-595, KIP-996): Vote, BeginQuorumEpoch, EndQuorumEpoch
// and Fetch with their responses, carried by the engine as one Payload type, RaftMessage.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "engine/message.h"
#include "engine/status.h"
#include "raft/raft_types.h"

namespace kafkasim::raft {

struct VoteRequest {
  Epoch candidate_epoch = 0;  // for a pre-vote: the sender's current epoch (nothing bumped)
  NodeId candidate_id = kNoNodeId;
  Epoch last_epoch = 0;   // epoch of the candidate's last log entry
  Offset end_offset = 0;  // the candidate's log end offset
  bool pre_vote = false;
};

struct VoteResponse {
  Errc error = Errc::kNone;
  Epoch epoch = 0;               // the responder's epoch
  NodeId leader_id = kNoNodeId;  // the leader the responder knows in that epoch
  bool granted = false;
  bool pre_vote = false;
};

struct BeginQuorumEpochRequest {
  Epoch epoch = 0;
  NodeId leader_id = kNoNodeId;
};

struct BeginQuorumEpochResponse {
  Errc error = Errc::kNone;
  Epoch epoch = 0;
  NodeId leader_id = kNoNodeId;
};

struct EndQuorumEpochRequest {
  Epoch epoch = 0;
  NodeId leader_id = kNoNodeId;
  std::vector<NodeId> preferred_successors;  // most caught-up first
};

struct EndQuorumEpochResponse {
  Errc error = Errc::kNone;
  Epoch epoch = 0;
  NodeId leader_id = kNoNodeId;
};

struct FetchRequest {
  Epoch epoch = 0;  // the leader epoch the fetcher believes current
  NodeId replica_id = kNoNodeId;
  Offset fetch_offset = 0;       // the fetcher's log end offset
  Epoch last_fetched_epoch = 0;  // epoch of the entry just below fetch_offset (0 if none)
  Duration max_wait;             // how long the leader may park the fetch
  // Echoed in the response, as a Kafka request header's correlation id: a late or duplicated
  // response to an older fetch is recognised and ignored.
  std::uint64_t correlation_id = 0;
};

struct FetchResponse {
  Errc error = Errc::kNone;
  Epoch epoch = 0;
  NodeId leader_id = kNoNodeId;
  Offset fetch_offset = 0;           // echoed from the request
  std::uint64_t correlation_id = 0;  // echoed from the request
  Offset high_watermark = kNoOffset;
  std::vector<LogEntry> records;
  std::optional<OffsetAndEpoch> diverging_epoch;  // set instead of records on divergence
};

using RaftBody =
    std::variant<VoteRequest, VoteResponse, BeginQuorumEpochRequest, BeginQuorumEpochResponse,
                 EndQuorumEpochRequest, EndQuorumEpochResponse, FetchRequest, FetchResponse>;

// The engine message classes of Raft's RPCs: elections (Vote, BeginQuorumEpoch,
// EndQuorumEpoch), and Fetch, which replicates the log. KRaft's hosts name them
// (kafka::MessageKind::kVote and kMetadata: its Raft log is __cluster_metadata).
inline constexpr MessageClass kElectionMessageClass{3};
inline constexpr MessageClass kReplicationMessageClass{5};

// One RPC between two Raft nodes. Node ids are Kafka node.ids; the host maps them to engine
// NodeIndex values.
class RaftMessage final : public Payload {
 public:
  RaftMessage(NodeId from_id, NodeId to_id, RaftBody message_body)
      : from(from_id), to(to_id), body(std::move(message_body)) {}

  MessageClass Class() const override;
  std::string Name() const override;      // "Vote", "FetchResponse", ...
  std::string Describe() const override;  // "Vote(epoch=3, pre_vote, last=2@7)"

  template <typename T>
  const T* Get() const {
    return std::get_if<T>(&body);
  }

  NodeId from;
  NodeId to;
  RaftBody body;
};

}  // namespace kafkasim::raft
