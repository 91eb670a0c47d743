// RaftLog: dense entries and the epoch lookups of KIP-101/KIP-595 divergence detection.
#include "raft/raft_log.h"

#include <algorithm>
#include <utility>

#include "engine/assert.h"

namespace kafkasim::raft {

RaftLog::RaftLog(std::vector<LogEntry> entries) {
  for (LogEntry& entry : entries) Append(std::move(entry));
}

Epoch RaftLog::EpochBefore(Offset offset) const {
  KSIM_ASSERT(offset >= 0 && offset <= EndOffset());
  return offset == 0 ? 0 : At(offset - 1).epoch;
}

const LogEntry& RaftLog::At(Offset offset) const {
  KSIM_ASSERT_MSG(offset >= 0 && offset < EndOffset(), "offset outside the log");
  return entries_[static_cast<std::size_t>(offset)];
}

void RaftLog::Append(LogEntry entry) {
  KSIM_ASSERT_EQ(entry.offset, EndOffset());
  KSIM_ASSERT_LE(LastEpoch(), entry.epoch);
  entries_.push_back(std::move(entry));
}

void RaftLog::TruncateTo(Offset offset) {
  KSIM_ASSERT(offset >= 0);
  if (offset < EndOffset()) entries_.resize(static_cast<std::size_t>(offset));
}

OffsetAndEpoch RaftLog::EndOffsetForEpoch(Epoch epoch) const {
  if (epoch == LastEpoch()) return {EndOffset(), epoch};
  // First entry whose epoch is larger than `epoch`: epochs never decrease along the log.
  const auto higher =
      std::upper_bound(entries_.begin(), entries_.end(), epoch,
                       [](Epoch e, const LogEntry& entry) { return e < entry.epoch; });
  if (higher == entries_.end()) return {kNoOffset, -1};
  const Offset start = higher->offset;
  if (higher == entries_.begin()) return {start, epoch};
  return {start, std::prev(higher)->epoch};
}

std::vector<LogEntry> RaftLog::Read(Offset from, std::size_t max) const {
  KSIM_ASSERT(from >= 0 && from <= EndOffset());
  const auto begin = entries_.begin() + from;
  const auto count = std::min<std::size_t>(max, static_cast<std::size_t>(EndOffset() - from));
  return std::vector<LogEntry>(begin, begin + static_cast<std::ptrdiff_t>(count));
}

}  // namespace kafkasim::raft
