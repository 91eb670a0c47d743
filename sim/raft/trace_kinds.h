// The trace kinds of the Raft core's notes (RaftNote::kind), which its host writes to the trace.
// Consumers match events against these constants, never against spelled-out strings.
#pragma once

#include <array>

#include "engine/trace.h"

namespace kafkasim::raft::trace_kind {

inline constexpr TraceKind kUnattached{"raft.unattached"};
inline constexpr TraceKind kProspective{"raft.prospective"};
inline constexpr TraceKind kCandidate{"raft.candidate"};
inline constexpr TraceKind kLeader{"raft.leader"};
inline constexpr TraceKind kFollower{"raft.follower"};
inline constexpr TraceKind kResigned{"raft.resigned"};
inline constexpr TraceKind kPreVoteGranted{"raft.prevote.granted"};
inline constexpr TraceKind kPreVoteRejected{"raft.prevote.rejected"};
inline constexpr TraceKind kPreVoteLost{"raft.prevote.lost"};
inline constexpr TraceKind kVoteGranted{"raft.vote.granted"};
inline constexpr TraceKind kVoteRejected{"raft.vote.rejected"};
inline constexpr TraceKind kElectionLost{"raft.election.lost"};
inline constexpr TraceKind kEndEpoch{"raft.end_epoch"};
inline constexpr TraceKind kTruncate{"raft.truncate"};

// Every kind above, for the catalog of declared kinds (scenario/trace_kinds.h).
inline constexpr std::array kAll = {
    kUnattached,   kProspective,    kCandidate,       kLeader,      kFollower,
    kResigned,     kPreVoteGranted, kPreVoteRejected, kPreVoteLost, kVoteGranted,
    kVoteRejected, kElectionLost,   kEndEpoch,        kTruncate,
};

}  // namespace kafkasim::raft::trace_kind
