// The .timeindex file of a segment: (timestamp, relative offset) pairs, 12 bytes each, added
// only when the timestamp grows, to find the first offset at or after a time (TimeIndex.java).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/file_system.h"

namespace kafkasim::storage {

struct TimestampOffset {
  std::int64_t timestamp = 0;
  std::int64_t offset = 0;
  bool operator==(const TimestampOffset&) const = default;
};

class TimeIndex {
 public:
  TimeIndex(FileSystem& fs, std::string path, std::int64_t base_offset, std::size_t max_entries);

  // Reads the file; kCorruption if its size is not a multiple of 12 or entries go backwards.
  Status Load();
  // Adds an entry if timestamp exceeds the last entry's (otherwise does nothing).
  Status MaybeAppend(std::int64_t timestamp, std::int64_t offset);
  // The greatest entry whose timestamp <= target, or {-1, base_offset}.
  TimestampOffset Lookup(std::int64_t target) const;
  // Drops entries with offset >= offset.
  Status TruncateTo(std::int64_t offset);
  Status Reset();
  Status Sync();

  bool full() const { return entries_.size() >= max_entries_; }
  const std::vector<TimestampOffset>& entries() const { return entries_; }
  const std::string& path() const { return path_; }
  // After the file was renamed (a cleaned segment swapped in).
  void set_path(std::string path) { path_ = std::move(path); }

  static std::vector<TimestampOffset> Parse(std::span<const std::uint8_t> bytes,
                                            std::int64_t base_offset);

 private:
  FileSystem& fs_;
  std::string path_;
  std::int64_t base_offset_;
  std::size_t max_entries_;
  std::vector<TimestampOffset> entries_;
};

}  // namespace kafkasim::storage
