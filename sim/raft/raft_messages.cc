// Names and one-line descriptions of the Raft RPCs for the GUI and the datadriven tests.
#include "raft/raft_messages.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace kafkasim::raft {
namespace {

std::string Error(Errc error) {
  return error == Errc::kNone ? "" : fmt::format(", {}", ErrcName(error));
}

struct Describer {
  std::string operator()(const VoteRequest& m) const {
    return fmt::format("Vote(epoch={}{}, last={}@{})", m.candidate_epoch,
                       m.pre_vote ? ", pre_vote" : "", m.last_epoch, m.end_offset);
  }
  std::string operator()(const VoteResponse& m) const {
    return fmt::format("VoteResponse(epoch={}{}, {}{})", m.epoch, m.pre_vote ? ", pre_vote" : "",
                       m.granted ? "granted" : "rejected", Error(m.error));
  }
  std::string operator()(const BeginQuorumEpochRequest& m) const {
    return fmt::format("BeginQuorumEpoch(epoch={}, leader={})", m.epoch, m.leader_id);
  }
  std::string operator()(const BeginQuorumEpochResponse& m) const {
    return fmt::format("BeginQuorumEpochResponse(epoch={}{})", m.epoch, Error(m.error));
  }
  std::string operator()(const EndQuorumEpochRequest& m) const {
    return fmt::format("EndQuorumEpoch(epoch={}, leader={}, successors=[{}])", m.epoch, m.leader_id,
                       fmt::join(m.preferred_successors, ","));
  }
  std::string operator()(const EndQuorumEpochResponse& m) const {
    return fmt::format("EndQuorumEpochResponse(epoch={}{})", m.epoch, Error(m.error));
  }
  std::string operator()(const FetchRequest& m) const {
    return fmt::format("Fetch(epoch={}, offset={}, last_epoch={})", m.epoch, m.fetch_offset,
                       m.last_fetched_epoch);
  }
  std::string operator()(const FetchResponse& m) const {
    if (m.error != Errc::kNone) {
      return fmt::format("FetchResponse(epoch={}, leader={}{})", m.epoch, m.leader_id,
                         Error(m.error));
    }
    if (m.diverging_epoch) {
      return fmt::format("FetchResponse(epoch={}, diverging={}@{})", m.epoch,
                         m.diverging_epoch->epoch, m.diverging_epoch->offset);
    }
    return fmt::format("FetchResponse(epoch={}, hw={}, {} records from {})", m.epoch,
                       m.high_watermark, m.records.size(), m.fetch_offset);
  }
};

struct Namer {
  const char* operator()(const VoteRequest&) const { return "Vote"; }
  const char* operator()(const VoteResponse&) const { return "VoteResponse"; }
  const char* operator()(const BeginQuorumEpochRequest&) const { return "BeginQuorumEpoch"; }
  const char* operator()(const BeginQuorumEpochResponse&) const {
    return "BeginQuorumEpochResponse";
  }
  const char* operator()(const EndQuorumEpochRequest&) const { return "EndQuorumEpoch"; }
  const char* operator()(const EndQuorumEpochResponse&) const { return "EndQuorumEpochResponse"; }
  const char* operator()(const FetchRequest&) const { return "Fetch"; }
  const char* operator()(const FetchResponse&) const { return "FetchResponse"; }
};

}  // namespace

// For the GUI's colours and sequence diagrams: elections are one class; Fetch replicates the
// __cluster_metadata log to voters and to brokers, so it is "metadata", not the "fetch" of
// partition replicas.
MessageClass RaftMessage::Class() const {
  if (std::holds_alternative<FetchRequest>(body) || std::holds_alternative<FetchResponse>(body)) {
    return kReplicationMessageClass;
  }
  return kElectionMessageClass;
}

std::string RaftMessage::Name() const { return std::visit(Namer{}, body); }

std::string RaftMessage::Describe() const { return std::visit(Describer{}, body); }

}  // namespace kafkasim::raft
