// The trace kinds of the Raft core's notes (RaftNote::kind), which its host writes to the trace.
// Consumers match events against these constants, never against spelled-out strings.
#pragma once

#include <array>
#include <string_view>

namespace kafkasim::raft::trace_kind {

inline constexpr std::string_view kUnattached = "raft.unattached";
inline constexpr std::string_view kProspective = "raft.prospective";
inline constexpr std::string_view kCandidate = "raft.candidate";
inline constexpr std::string_view kLeader = "raft.leader";
inline constexpr std::string_view kFollower = "raft.follower";
inline constexpr std::string_view kResigned = "raft.resigned";
inline constexpr std::string_view kPreVoteGranted = "raft.prevote.granted";
inline constexpr std::string_view kPreVoteRejected = "raft.prevote.rejected";
inline constexpr std::string_view kPreVoteLost = "raft.prevote.lost";
inline constexpr std::string_view kVoteGranted = "raft.vote.granted";
inline constexpr std::string_view kVoteRejected = "raft.vote.rejected";
inline constexpr std::string_view kElectionLost = "raft.election.lost";
inline constexpr std::string_view kEndEpoch = "raft.end_epoch";
inline constexpr std::string_view kTruncate = "raft.truncate";

// Every kind above, for the catalog of declared kinds (scenario/trace_kinds.h).
inline constexpr std::array kAll = {
    kUnattached,   kProspective,    kCandidate,       kLeader,      kFollower,
    kResigned,     kPreVoteGranted, kPreVoteRejected, kPreVoteLost, kVoteGranted,
    kVoteRejected, kElectionLost,   kEndEpoch,        kTruncate,
};
// Kinds too frequent for a narrated timeline (the CLI prints them with --verbose only, the
// GUI's event log hides them unless asked): none of Raft's.
inline constexpr std::array<std::string_view, 0> kFrequent = {};

}  // namespace kafkasim::raft::trace_kind
