// The .index file of a segment: sparse (relative offset, file position) pairs, 8 bytes each,
// mapping an offset to where to start scanning the .log (OffsetIndex.java).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/file_system.h"

namespace kafkasim::storage {

struct OffsetPosition {
  std::int64_t offset = 0;
  std::uint32_t position = 0;
  bool operator==(const OffsetPosition&) const = default;
};

// Entries live in memory and are appended to the file as they are added (the file is not
// preallocated: see README). Relative offsets strictly increase; positions never decrease.
class OffsetIndex {
 public:
  OffsetIndex(FileSystem& fs, std::string path, std::int64_t base_offset, std::size_t max_entries);

  // Reads the file. kCorruption (message names the file and entry) if its size is not a
  // multiple of 8, offsets do not increase, or a position passes log_size; the caller rebuilds.
  Status Load(std::uint64_t log_size);
  // Adds an entry; offset must exceed the last entry's.
  Status Append(std::int64_t offset, std::uint32_t position);
  // The greatest entry whose offset <= target, or {base_offset, 0}.
  OffsetPosition Lookup(std::int64_t target) const;
  // Drops entries with offset >= offset and shrinks the file.
  Status TruncateTo(std::int64_t offset);
  // Drops every entry (before a rebuild).
  Status Reset();
  Status Sync();

  bool full() const { return entries_.size() >= max_entries_; }
  const std::vector<OffsetPosition>& entries() const { return entries_; }
  std::int64_t base_offset() const { return base_offset_; }
  const std::string& path() const { return path_; }
  // After the file was renamed (a cleaned segment swapped in).
  void set_path(std::string path) { path_ = std::move(path); }

  // Parses raw .index bytes (for dump-log); stops at a partial trailing entry.
  static std::vector<OffsetPosition> Parse(std::span<const std::uint8_t> bytes,
                                           std::int64_t base_offset);

 private:
  FileSystem& fs_;
  std::string path_;
  std::int64_t base_offset_;
  std::size_t max_entries_;
  std::vector<OffsetPosition> entries_;
};

}  // namespace kafkasim::storage
