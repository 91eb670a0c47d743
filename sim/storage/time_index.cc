// TimeIndex: monotonic timestamps in memory, mirrored to the .timeindex file.
#include "storage/time_index.h"

#include <algorithm>

#include "storage/byte_io.h"
#include "storage/format.h"

namespace kafkasim::storage {

TimeIndex::TimeIndex(FileSystem& fs, std::string path, std::int64_t base_offset,
                     std::size_t max_entries)
    : fs_(fs), path_(std::move(path)), base_offset_(base_offset), max_entries_(max_entries) {}

std::vector<TimestampOffset> TimeIndex::Parse(std::span<const std::uint8_t> bytes,
                                              std::int64_t base_offset) {
  std::vector<TimestampOffset> out;
  for (std::size_t at = 0; at + kTimeIndexEntrySize <= bytes.size(); at += kTimeIndexEntrySize) {
    const auto timestamp = static_cast<std::int64_t>(LoadBigEndian(bytes, at, 8));
    const auto relative = static_cast<std::int32_t>(LoadBigEndian(bytes, at + 8, 4));
    out.push_back({timestamp, base_offset + relative});
  }
  return out;
}

Status TimeIndex::Load() {
  entries_.clear();
  if (!fs_.Exists(path_)) return fs_.CreateFile(path_);
  Result<std::vector<std::uint8_t>> bytes = fs_.ReadFile(path_);
  if (!bytes.ok()) return bytes.status();
  if (bytes->size() % kTimeIndexEntrySize != 0) {
    return {Errc::kCorruption, path_ + ": size " + std::to_string(bytes->size()) +
                                   " is not a multiple of " + std::to_string(kTimeIndexEntrySize)};
  }
  std::vector<TimestampOffset> entries = Parse(*bytes, base_offset_);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const bool ordered = entries[i].offset >= base_offset_ &&
                         (i == 0 || (entries[i].timestamp > entries[i - 1].timestamp &&
                                     entries[i].offset >= entries[i - 1].offset));
    if (!ordered) {
      return {Errc::kCorruption, path_ + ": entry " + std::to_string(i) + " (timestamp " +
                                     std::to_string(entries[i].timestamp) + ", offset " +
                                     std::to_string(entries[i].offset) + ") is out of order"};
    }
  }
  entries_ = std::move(entries);
  return Status::Ok();
}

Status TimeIndex::MaybeAppend(std::int64_t timestamp, std::int64_t offset) {
  if (!entries_.empty() && timestamp <= entries_.back().timestamp) return Status::Ok();
  KSIM_ASSERT(entries_.empty() || offset >= entries_.back().offset);
  KSIM_ASSERT(offset >= base_offset_);
  std::vector<std::uint8_t> entry(kTimeIndexEntrySize);
  StoreBigEndian(entry, 0, static_cast<std::uint64_t>(timestamp), 8);
  StoreBigEndian(entry, 8, static_cast<std::uint32_t>(offset - base_offset_), 4);
  if (Status s = fs_.Append(path_, entry); !s.ok()) return s;
  entries_.push_back({timestamp, offset});
  return Status::Ok();
}

TimestampOffset TimeIndex::Lookup(std::int64_t target) const {
  auto it =
      std::upper_bound(entries_.begin(), entries_.end(), target,
                       [](std::int64_t t, const TimestampOffset& e) { return t < e.timestamp; });
  if (it == entries_.begin()) return {-1, base_offset_};
  return *std::prev(it);
}

Status TimeIndex::TruncateTo(std::int64_t offset) {
  while (!entries_.empty() && entries_.back().offset >= offset) entries_.pop_back();
  return fs_.Truncate(path_, entries_.size() * kTimeIndexEntrySize);
}

Status TimeIndex::Reset() {
  entries_.clear();
  if (!fs_.Exists(path_)) return fs_.CreateFile(path_);
  return fs_.Truncate(path_, 0);
}

Status TimeIndex::Sync() { return fs_.Sync(path_); }

}  // namespace kafkasim::storage
