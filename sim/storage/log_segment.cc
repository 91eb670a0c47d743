// LogSegment: append with sparse indexing, validated recovery, index-guided reads.
#include "storage/log_segment.h"

#include <algorithm>
#include <cstdio>

#include "storage/byte_io.h"
#include "storage/format.h"

namespace kafkasim::storage {

std::string SegmentFileStem(std::int64_t base_offset) {
  KSIM_ASSERT(base_offset >= 0);
  char name[32];
  std::snprintf(name, sizeof name, "%020lld", static_cast<long long>(base_offset));
  return name;
}

LogSegment::LogSegment(FileSystem& fs, const std::string& dir, std::int64_t base_offset,
                       SegmentOptions options, const std::string& file_suffix)
    : fs_(fs),
      stem_(dir + "/" + SegmentFileStem(base_offset)),
      log_path_(stem_ + kLogFileSuffix + file_suffix),
      base_offset_(base_offset),
      options_(options),
      offset_index_(fs, stem_ + kIndexFileSuffix + file_suffix, base_offset,
                    options.max_index_entries),
      time_index_(fs, stem_ + kTimeIndexFileSuffix + file_suffix, base_offset,
                  options.max_index_entries * kOffsetIndexEntrySize / kTimeIndexEntrySize),
      next_offset_(base_offset) {}

Result<std::unique_ptr<LogSegment>> LogSegment::Create(FileSystem& fs, const std::string& dir,
                                                       std::int64_t base_offset,
                                                       SegmentOptions options,
                                                       const std::string& file_suffix) {
  std::unique_ptr<LogSegment> segment(new LogSegment(fs, dir, base_offset, options, file_suffix));
  if (Status s = fs.CreateFile(segment->log_path_); !s.ok()) return s;
  if (Status s = fs.Truncate(segment->log_path_, 0); !s.ok()) return s;
  if (Status s = segment->ResetIndexes(); !s.ok()) return s;
  segment->SetWhole(true);
  return segment;
}

Result<std::unique_ptr<LogSegment>> LogSegment::Open(FileSystem& fs, const std::string& dir,
                                                     std::int64_t base_offset,
                                                     SegmentOptions options) {
  std::unique_ptr<LogSegment> segment(new LogSegment(fs, dir, base_offset, options));
  Result<std::uint64_t> size = fs.FileSize(segment->log_path_);
  if (!size.ok()) return size.status();
  segment->size_ = *size;
  // The last batch gives next_offset; its header is read without re-checking the CRC.
  Status indexes = segment->offset_index_.Load(*size);
  if (indexes.ok()) indexes = segment->time_index_.Load();
  if (!indexes.ok()) {
    Result<SegmentRecovery> rebuilt = segment->Recover(nullptr);
    if (!rebuilt.ok()) return rebuilt.status();
    return segment;
  }
  // Headers only (no CRC check): next offset, first batch's and largest timestamps.
  std::uint64_t position = 0;
  while (position < segment->size_) {
    Result<BatchHeader> header = segment->ReadHeaderAt(position);
    if (!header.ok()) return header.status();
    if (position == 0) segment->rolling_based_timestamp_ = header->max_timestamp;
    if (header->max_timestamp > segment->max_timestamp_so_far_) {
      segment->max_timestamp_so_far_ = header->max_timestamp;
      segment->offset_of_max_timestamp_so_far_ = header->last_offset();
    }
    segment->next_offset_ = header->next_offset();
    position += header->size_in_bytes();
  }
  // A disk that never had a byte corrupted holds what was written.
  segment->SetWhole(fs.corruption_count() == 0);
  return segment;
}

Result<std::unique_ptr<LogSegment>> LogSegment::Attach(FileSystem& fs, const std::string& dir,
                                                       std::int64_t base_offset,
                                                       SegmentOptions options) {
  std::unique_ptr<LogSegment> segment(new LogSegment(fs, dir, base_offset, options));
  if (Status s = fs.CreateFile(segment->log_path_); !s.ok()) return s;
  return segment;
}

Result<BatchHeader> LogSegment::ReadHeaderAt(std::uint64_t position) const {
  std::array<std::uint8_t, kBatchHeaderSize> header{};
  Result<std::size_t> n = fs_.ReadAt(log_path_, position, header);
  if (!n.ok()) return n.status();
  if (*n < kBatchHeaderSize) {
    return Status(Errc::kCorruptMessage,
                  log_path_ + ": partial batch header at byte " + std::to_string(position));
  }
  BatchHeader h;
  h.base_offset = static_cast<std::int64_t>(LoadBigEndian(header, kBaseOffsetOffset, 8));
  h.batch_length = static_cast<std::int32_t>(LoadBigEndian(header, kBatchLengthOffset, 4));
  h.last_offset_delta = static_cast<std::int32_t>(LoadBigEndian(header, kLastOffsetDeltaOffset, 4));
  h.max_timestamp = static_cast<std::int64_t>(LoadBigEndian(header, kMaxTimestampOffset, 8));
  h.partition_leader_epoch =
      static_cast<std::int32_t>(LoadBigEndian(header, kPartitionLeaderEpochOffset, 4));
  h.crc = static_cast<std::uint32_t>(LoadBigEndian(header, kCrcOffset, 4));
  if (h.batch_length < static_cast<std::int32_t>(kBatchHeaderSize - kLogOverhead) ||
      position + h.size_in_bytes() > size_) {
    return Status(Errc::kCorruptMessage,
                  log_path_ + ": bad batch length at byte " + std::to_string(position));
  }
  return h;
}

Status LogSegment::ResetIndexes() {
  if (Status s = offset_index_.Reset(); !s.ok()) return s;
  if (Status s = time_index_.Reset(); !s.ok()) return s;
  bytes_since_last_index_entry_ = 0;
  max_timestamp_so_far_ = kNoTimestamp;
  offset_of_max_timestamp_so_far_ = -1;
  rolling_based_timestamp_ = kNoTimestamp;
  return Status::Ok();
}

Status LogSegment::IndexBatch(const BatchHeader& header, std::uint32_t position) {
  if (position == 0) rolling_based_timestamp_ = header.max_timestamp;
  if (header.max_timestamp > max_timestamp_so_far_) {
    max_timestamp_so_far_ = header.max_timestamp;
    offset_of_max_timestamp_so_far_ = header.last_offset();
  }
  if (bytes_since_last_index_entry_ > static_cast<std::uint64_t>(options_.index_interval_bytes)) {
    if (Status s = offset_index_.Append(header.last_offset(), position); !s.ok()) return s;
    if (Status s = time_index_.MaybeAppend(max_timestamp_so_far_, offset_of_max_timestamp_so_far_);
        !s.ok()) {
      return s;
    }
    bytes_since_last_index_entry_ = 0;
  }
  bytes_since_last_index_entry_ += header.size_in_bytes();
  return Status::Ok();
}

Status LogSegment::Append(std::span<const std::uint8_t> batch, const BatchHeader& header) {
  KSIM_ASSERT_EQ(batch.size(), header.size_in_bytes());
  KSIM_ASSERT(header.base_offset >= next_offset_);
  KSIM_ASSERT_LE(header.last_offset() - base_offset_, static_cast<std::int64_t>(INT32_MAX));
  if (Status s = fs_.Append(log_path_, batch); !s.ok()) return s;
  if (Status s = IndexBatch(header, static_cast<std::uint32_t>(size_)); !s.ok()) return s;
  if (known_built_) {
    if (Whole()) {
      known_.push_back(KnownBatch::Of(header, size_));
    } else {
      ReleaseKnown();
    }
  }
  next_offset_ = header.next_offset();
  size_ += batch.size();
  return Status::Ok();
}

Result<SegmentRecovery> LogSegment::Recover(
    const std::function<void(const BatchHeader&)>& on_batch) {
  ForgetFoundBatches();
  SetWhole(false);
  Result<Bytes> bytes = fs_.ReadFile(log_path_);
  if (!bytes.ok()) return bytes.status();
  if (Status s = ResetIndexes(); !s.ok()) return s;
  SegmentRecovery report;
  std::size_t position = 0;
  std::int64_t next = base_offset_;
  const std::span<const std::uint8_t> all(*bytes);
  while (position < all.size()) {
    Result<BatchHeader> header = CheckBatch(all.subspan(position), position);
    if (!header.ok()) {
      report.reason = log_path_ + ": " + header.status().message();
      break;
    }
    if (header->base_offset < next || header->last_offset() - base_offset_ > INT32_MAX) {
      report.reason = log_path_ + ": batch at byte " + std::to_string(position) +
                      " has baseOffset " + std::to_string(header->base_offset) +
                      ", expected at least " + std::to_string(next);
      break;
    }
    if (Status s = IndexBatch(*header, static_cast<std::uint32_t>(position)); !s.ok()) return s;
    if (on_batch) on_batch(*header);
    next = header->next_offset();
    position += header->size_in_bytes();
    ++report.batches_valid;
  }
  report.valid_bytes = position;
  report.bytes_dropped = all.size() - position;
  if (report.bytes_dropped > 0) {
    if (Status s = fs_.Truncate(log_path_, position); !s.ok()) return s;
  }
  size_ = position;
  next_offset_ = next;
  // Every batch left was just read whole, its CRC checked, and the rest cut off.
  SetWhole(true);
  return report;
}

Result<LogSegment::Slice> LogSegment::Find(std::int64_t offset, std::int32_t max_bytes,
                                           std::int64_t max_offset,
                                           std::vector<BatchHeader>* headers, bool active) const {
  // The list is built at the second read: a log read once (the metadata log, loaded at
  // start-up) would otherwise keep one up at every append for nothing.
  if (active && Whole() && (known_built_ || (++active_reads_ >= 2 && BuildKnown()))) {
    return FindKnown(offset, max_bytes, max_offset, headers);
  }
  ReleaseKnown();
  std::uint64_t position = offset_index_.Lookup(offset).position;
  if (fs_.corruption_count() != found_corruptions_) {
    ForgetFoundBatches();
    found_corruptions_ = fs_.corruption_count();
  }
  for (const FoundBatch& f : found_) {
    if (f.base_offset >= 0 && f.base_offset <= offset && f.position > position &&
        f.position <= size_) {
      position = f.position;
    }
  }
  Slice slice;
  // Where the reader reads next: the batch after the slice, or the next append at the end.
  std::int64_t next_base = next_offset_;
  while (position < size_) {
    Result<BatchHeader> header = ReadHeaderAt(position);
    if (!header.ok()) return header.status();
    if (slice.size == 0 && header->last_offset() < offset) {
      position += header->size_in_bytes();
      continue;
    }
    // Kafka bounds the read by the byte position of the batch holding max_offset (the high
    // watermark's LogOffsetMetadata points at the start of its batch), so a batch that reaches
    // max_offset is not returned even when it starts below it (LogSegment.read, LocalLog.read).
    // A high watermark inside a batch is rare: a follower whose log diverged within one epoch
    // (a leader that lost its tail to a power loss and led the epoch again) reports a fetch
    // offset there.
    if (header->last_offset() >= max_offset) {
      next_base = header->base_offset;
      break;
    }
    if (slice.size == 0) {
      slice.position = static_cast<std::uint32_t>(position);
      RememberBatch(header->base_offset, position);
    } else if (slice.size + header->size_in_bytes() > static_cast<std::uint64_t>(max_bytes)) {
      next_base = header->base_offset;
      break;
    }
    slice.size += static_cast<std::uint32_t>(header->size_in_bytes());
    position += header->size_in_bytes();
    if (headers != nullptr) headers->push_back(*header);
  }
  if (slice.size > 0) RememberBatch(next_base, position);
  return slice;
}

LogSegment::Slice LogSegment::FindKnown(std::int64_t offset, std::int32_t max_bytes,
                                        std::int64_t max_offset,
                                        std::vector<BatchHeader>* headers) const {
  // Offsets grow along the file, so the first batch reaching `offset` is where a walk from
  // the offset index entry at or below it would start the slice. Most reads are near the end
  // (followers and consumers ask for what was just appended), so the search steps back from
  // the end, doubling its stride, and then halves the range it found: a read of the last few
  // batches touches a few entries, not the cache lines of a binary search over them all.
  const auto before = [offset](const KnownBatch& b) { return b.last_offset() < offset; };
  std::size_t lo = 0;
  std::size_t hi = known_.size();
  for (std::size_t stride = 1; hi > 0; stride *= 2) {
    const std::size_t probe = hi > stride ? hi - stride : 0;
    if (before(known_[probe])) {
      lo = probe + 1;
      break;
    }
    hi = probe;
  }
  auto it = std::partition_point(known_.begin() + static_cast<std::ptrdiff_t>(lo),
                                 known_.begin() + static_cast<std::ptrdiff_t>(hi), before);
  Slice slice;
  for (; it != known_.end(); ++it) {
    // The same bounds as the walk in Find (max_offset, then max_bytes after the first).
    if (it->last_offset() >= max_offset) break;
    const std::uint64_t size = static_cast<std::uint64_t>(it->batch_length) + kLogOverhead;
    if (slice.size == 0) {
      slice.position = it->position;
    } else if (slice.size + size > static_cast<std::uint64_t>(max_bytes)) {
      break;
    }
    slice.size += static_cast<std::uint32_t>(size);
    if (headers != nullptr) headers->push_back(it->Header());
  }
  return slice;
}

LogSegment::KnownBatch LogSegment::KnownBatch::Of(const BatchHeader& h, std::uint64_t position) {
  KSIM_ASSERT_LE(position, static_cast<std::uint64_t>(UINT32_MAX));
  return KnownBatch{h.base_offset,  h.max_timestamp,     static_cast<std::uint32_t>(position),
                    h.batch_length, h.last_offset_delta, h.partition_leader_epoch,
                    h.crc};
}

BatchHeader LogSegment::KnownBatch::Header() const {
  BatchHeader h;
  h.base_offset = base_offset;
  h.batch_length = batch_length;
  h.last_offset_delta = last_offset_delta;
  h.max_timestamp = max_timestamp;
  h.partition_leader_epoch = partition_leader_epoch;
  h.crc = crc;
  return h;
}

void LogSegment::SetWhole(bool whole) {
  ReleaseKnown();
  whole_ = whole;
  whole_corruptions_ = fs_.corruption_count();
}

bool LogSegment::BuildKnown() const {
  KSIM_ASSERT(!known_built_);
  std::uint64_t position = 0;
  while (position < size_) {
    Result<BatchHeader> header = ReadHeaderAt(position);
    if (!header.ok() || (!known_.empty() && header->base_offset <= known_.back().last_offset())) {
      known_.clear();
      whole_ = false;  // the walk in Find reads the file and reports what it finds
      return false;
    }
    known_.push_back(KnownBatch::Of(*header, position));
    position += header->size_in_bytes();
  }
  known_built_ = true;
  return true;
}

void LogSegment::ReleaseKnown() const {
  if (!known_built_ && known_.capacity() == 0) return;
  known_built_ = false;
  std::vector<KnownBatch>().swap(known_);
}

void LogSegment::RememberBatch(std::int64_t base_offset, std::uint64_t position) const {
  for (const FoundBatch& f : found_) {
    if (f.base_offset == base_offset && f.position == position) return;
  }
  found_[found_next_] = FoundBatch{base_offset, position};
  found_next_ = (found_next_ + 1) % found_.size();
}

void LogSegment::ForgetFoundBatches() const {
  found_.fill(FoundBatch{});
  found_next_ = 0;
}

Status LogSegment::ReadBytes(Slice slice, Bytes& out) const {
  const std::size_t at = out.size();
  out.resize(at + slice.size);
  Result<std::size_t> n =
      fs_.ReadAt(log_path_, slice.position, std::span<std::uint8_t>(out).subspan(at));
  if (!n.ok()) return n.status();
  KSIM_ASSERT_EQ(*n, static_cast<std::size_t>(slice.size));
  return Status::Ok();
}

Result<std::uint64_t> LogSegment::TruncateTo(std::int64_t offset) {
  const std::uint64_t old_size = size_;
  // Find the first batch whose last offset reaches `offset`: it and everything after go.
  std::uint64_t position = offset_index_.Lookup(offset).position;
  while (position < size_) {
    Result<BatchHeader> header = ReadHeaderAt(position);
    if (!header.ok()) return header.status();
    if (header->last_offset() >= offset) break;
    position += header->size_in_bytes();
  }
  if (position == old_size) return std::uint64_t{0};
  if (Status s = fs_.Truncate(log_path_, position); !s.ok()) return s;
  size_ = position;
  // Rebuild the indexes from what is left: simple, and truncation is rare.
  Result<SegmentRecovery> rebuilt = Recover(nullptr);
  if (!rebuilt.ok()) return rebuilt.status();
  return old_size - position;
}

Status LogSegment::OnBecomeInactive() {
  ReleaseKnown();
  if (max_timestamp_so_far_ == kNoTimestamp) return Status::Ok();
  return time_index_.MaybeAppend(max_timestamp_so_far_, offset_of_max_timestamp_so_far_);
}

Status LogSegment::Flush() {
  if (Status s = fs_.Sync(log_path_); !s.ok()) return s;
  if (Status s = offset_index_.Sync(); !s.ok()) return s;
  return time_index_.Sync();
}

Status LogSegment::DeleteFiles() {
  for (const std::string& path : {log_path_, offset_index_.path(), time_index_.path()}) {
    if (!fs_.Exists(path)) continue;
    if (Status s = fs_.Remove(path); !s.ok()) return s;
  }
  return Status::Ok();
}

Status LogSegment::ChangeFileSuffixes(const std::string& old_suffix,
                                      const std::string& new_suffix) {
  KSIM_ASSERT(log_path_ == stem_ + kLogFileSuffix + old_suffix);
  const std::string index = stem_ + kIndexFileSuffix + new_suffix;
  const std::string time_index = stem_ + kTimeIndexFileSuffix + new_suffix;
  const std::string log = stem_ + kLogFileSuffix + new_suffix;
  if (Status s = fs_.Rename(offset_index_.path(), index); !s.ok()) return s;
  offset_index_.set_path(index);
  if (Status s = fs_.Rename(time_index_.path(), time_index); !s.ok()) return s;
  time_index_.set_path(time_index);
  if (Status s = fs_.Rename(log_path_, log); !s.ok()) return s;
  log_path_ = log;
  return Status::Ok();
}

}  // namespace kafkasim::storage
