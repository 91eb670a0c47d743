// The in-memory replicated log of __cluster_metadata-0 as the Raft core sees it: entries from
// offset 0, the epoch of each, and the epoch-to-end-offset lookup used for divergence checks.
#pragma once

#include <cstddef>
#include <vector>

#include "raft/raft_types.h"

namespace kafkasim::raft {

class RaftLog {
 public:
  RaftLog() = default;
  // Rebuilds from persisted entries; asserts they are dense from offset 0 with epochs that
  // never decrease.
  explicit RaftLog(std::vector<LogEntry> entries);

  Offset EndOffset() const { return static_cast<Offset>(entries_.size()); }
  // Epoch of the last entry, 0 for an empty log (Kafka's lastFetchedEpoch).
  Epoch LastEpoch() const { return entries_.empty() ? 0 : entries_.back().epoch; }
  // Epoch of the entry just below `offset` (0 when offset is 0).
  Epoch EpochBefore(Offset offset) const;
  const LogEntry& At(Offset offset) const;
  const std::vector<LogEntry>& entries() const { return entries_; }

  // Appends one entry at EndOffset(); its epoch must be >= LastEpoch().
  void Append(LogEntry entry);
  // Drops every entry at or above `offset`.
  void TruncateTo(Offset offset);

  // Kafka's endOffsetForEpoch (LeaderEpochFileCache.endOffsetFor, semantics §1.5): for the
  // latest epoch its log end; else the start offset of the first larger epoch, paired with the
  // largest epoch <= `epoch` (or `epoch` itself when none is smaller); {-1,-1} when no epoch is
  // larger.
  OffsetAndEpoch EndOffsetForEpoch(Epoch epoch) const;

  // Entries [from, min(from + max, end)).
  std::vector<LogEntry> Read(Offset from, std::size_t max) const;

 private:
  std::vector<LogEntry> entries_;
};

}  // namespace kafkasim::raft
