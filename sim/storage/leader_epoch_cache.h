// The leader epoch cache of one partition replica: (epoch, start offset) pairs saved in the
// leader-epoch-checkpoint file, answering endOffsetFor for follower truncation (KIP-101,
// LeaderEpochFileCache.java; reference 1.5).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/file_system.h"
#include "storage/checkpoint_file.h"

namespace kafkasim::storage {

class LeaderEpochCache {
 public:
  // path is the leader-epoch-checkpoint file; Load reads it if present.
  LeaderEpochCache(FileSystem& fs, std::string path);

  Status Load();
  // Records that `epoch` starts at start_offset. Entries with epoch >= epoch or start offset
  // >= start_offset are removed first (they were never committed); an entry equal to the
  // latest epoch with a later start is ignored. Writes the file when anything changed.
  Status Assign(std::int32_t epoch, std::int64_t start_offset);
  // (epoch, end offset) for a follower at `epoch`: reference 1.5. log_end_offset answers for
  // the latest epoch. (-1, -1) when undefined.
  std::pair<std::int32_t, std::int64_t> EndOffsetFor(std::int32_t epoch,
                                                     std::int64_t log_end_offset) const;
  // Removes entries starting at or after end_offset (after a log truncation).
  Status TruncateFromEnd(std::int64_t end_offset);
  // Removes entries entirely below start_offset; the last one of them is kept, moved to start
  // at start_offset (after retention or a full truncation).
  Status TruncateFromStart(std::int64_t start_offset);
  Status Clear();

  std::optional<std::int32_t> latest_epoch() const {
    if (entries_.empty()) return std::nullopt;
    return entries_.back().epoch;
  }
  const std::vector<EpochEntry>& entries() const { return entries_; }

 private:
  Status Write();

  FileSystem& fs_;
  std::string path_;
  std::vector<EpochEntry> entries_;  // epochs and start offsets strictly increase
};

}  // namespace kafkasim::storage
