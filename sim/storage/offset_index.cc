// OffsetIndex: binary search over in-memory entries, mirrored to the .index file.
#include "storage/offset_index.h"

#include <algorithm>

#include "storage/byte_io.h"
#include "storage/format.h"

namespace kafkasim::storage {

OffsetIndex::OffsetIndex(FileSystem& fs, std::string path, std::int64_t base_offset,
                         std::size_t max_entries)
    : fs_(fs), path_(std::move(path)), base_offset_(base_offset), max_entries_(max_entries) {}

std::vector<OffsetPosition> OffsetIndex::Parse(std::span<const std::uint8_t> bytes,
                                               std::int64_t base_offset) {
  std::vector<OffsetPosition> out;
  for (std::size_t at = 0; at + kOffsetIndexEntrySize <= bytes.size();
       at += kOffsetIndexEntrySize) {
    const auto relative = static_cast<std::int32_t>(LoadBigEndian(bytes, at, 4));
    const auto position = static_cast<std::uint32_t>(LoadBigEndian(bytes, at + 4, 4));
    out.push_back({base_offset + relative, position});
  }
  return out;
}

Status OffsetIndex::Load(std::uint64_t log_size) {
  entries_.clear();
  if (!fs_.Exists(path_)) return fs_.CreateFile(path_);
  Result<std::vector<std::uint8_t>> bytes = fs_.ReadFile(path_);
  if (!bytes.ok()) return bytes.status();
  if (bytes->size() % kOffsetIndexEntrySize != 0) {
    return {Errc::kCorruption, path_ + ": size " + std::to_string(bytes->size()) +
                                   " is not a multiple of " +
                                   std::to_string(kOffsetIndexEntrySize)};
  }
  std::vector<OffsetPosition> entries = Parse(*bytes, base_offset_);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const bool ordered = i == 0 ? entries[i].offset > base_offset_
                                : entries[i].offset > entries[i - 1].offset &&
                                      entries[i].position >= entries[i - 1].position;
    if (!ordered || entries[i].position >= log_size) {
      return {Errc::kCorruption, path_ + ": entry " + std::to_string(i) + " (offset " +
                                     std::to_string(entries[i].offset) + ", position " +
                                     std::to_string(entries[i].position) + ") is out of order"};
    }
  }
  entries_ = std::move(entries);
  return Status::Ok();
}

Status OffsetIndex::Append(std::int64_t offset, std::uint32_t position) {
  KSIM_ASSERT(entries_.empty() ? offset > base_offset_ : offset > entries_.back().offset);
  KSIM_ASSERT_LE(offset - base_offset_, static_cast<std::int64_t>(INT32_MAX));
  std::vector<std::uint8_t> entry(kOffsetIndexEntrySize);
  StoreBigEndian(entry, 0, static_cast<std::uint32_t>(offset - base_offset_), 4);
  StoreBigEndian(entry, 4, position, 4);
  if (Status s = fs_.Append(path_, entry); !s.ok()) return s;
  entries_.push_back({offset, position});
  return Status::Ok();
}

OffsetPosition OffsetIndex::Lookup(std::int64_t target) const {
  auto it = std::upper_bound(entries_.begin(), entries_.end(), target,
                             [](std::int64_t t, const OffsetPosition& e) { return t < e.offset; });
  if (it == entries_.begin()) return {base_offset_, 0};
  return *std::prev(it);
}

Status OffsetIndex::TruncateTo(std::int64_t offset) {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), offset,
                             [](const OffsetPosition& e, std::int64_t t) { return e.offset < t; });
  entries_.erase(it, entries_.end());
  return fs_.Truncate(path_, entries_.size() * kOffsetIndexEntrySize);
}

Status OffsetIndex::Reset() {
  entries_.clear();
  if (!fs_.Exists(path_)) return fs_.CreateFile(path_);
  return fs_.Truncate(path_, 0);
}

Status OffsetIndex::Sync() { return fs_.Sync(path_); }

}  // namespace kafkasim::storage
