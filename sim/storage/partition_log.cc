// PartitionLog: appends, reads, roll, retention and truncation over a map of segments.
#include "storage/partition_log.h"

#include <algorithm>

#include "storage/producer_snapshot.h"

namespace kafkasim::storage {
namespace {

Status OutOfRange(std::int64_t offset, std::int64_t start, std::int64_t end) {
  return {Errc::kOffsetOutOfRange, "offset " + std::to_string(offset) + " is outside [" +
                                       std::to_string(start) + ", " + std::to_string(end) + "]"};
}

}  // namespace

PartitionLog::PartitionLog(FileSystem& fs, std::string dir, std::string topic, int partition,
                           LogConfig config)
    : fs_(fs),
      dir_(std::move(dir)),
      topic_(std::move(topic)),
      partition_(partition),
      config_(config),
      epochs_(std::make_unique<LeaderEpochCache>(fs, dir_ + "/" + kLeaderEpochCheckpointFile)) {}

SegmentOptions PartitionLog::segment_options() const {
  SegmentOptions options;
  options.index_interval_bytes = config_.index_interval_bytes;
  options.max_index_entries =
      static_cast<std::size_t>(std::max<std::int64_t>(config_.segment_index_bytes / 8, 1));
  return options;
}

Result<std::unique_ptr<PartitionLog>> PartitionLog::Open(FileSystem& fs, std::string log_dir,
                                                         std::string topic, int partition,
                                                         LogConfig config, Time now,
                                                         RecoveryReport* report,
                                                         LogOpenHints hints) {
  (void)now;
  std::string dir = topic + "-" + std::to_string(partition);
  if (!log_dir.empty()) dir = log_dir + "/" + dir;
  if (Status s = fs.CreateDirs(dir); !s.ok()) return s;
  std::unique_ptr<PartitionLog> log(
      new PartitionLog(fs, std::move(dir), std::move(topic), partition, config));
  RecoveryReport local;
  if (Status s = log->Recover(hints, local); !s.ok()) return s;
  if (report != nullptr) *report = local;
  return log;
}

Result<std::optional<std::int64_t>> PartitionLog::MaybeRollFor(std::int64_t first_offset,
                                                               std::int64_t last_offset,
                                                               std::size_t incoming_bytes,
                                                               Time now) {
  const LogSegment& segment = active();
  const auto size = static_cast<std::int64_t>(segment.size());
  const bool full = size > config_.segment_bytes - static_cast<std::int64_t>(incoming_bytes);
  const bool old = segment.size() > 0 && now.Millis() - segment.rolling_based_timestamp() >
                                             config_.segment_ms - config_.segment_jitter_ms;
  const bool overflow = last_offset - segment.base_offset() > INT32_MAX;
  // An empty segment only rolls when the batch's offsets cannot be stored relative to its base
  // (a follower jumping ahead after a full truncation elsewhere).
  if (!(full || old || segment.indexes_full() || overflow) || (segment.size() == 0 && !overflow)) {
    return std::optional<std::int64_t>();
  }
  Result<std::int64_t> base = Roll(first_offset);
  if (!base.ok()) return base.status();
  return std::optional<std::int64_t>(*base);
}

Result<std::int64_t> PartitionLog::Roll(std::int64_t base_offset) {
  KSIM_ASSERT(base_offset >= active().next_offset());
  if (Status s = active().OnBecomeInactive(); !s.ok()) return s;
  Result<std::unique_ptr<LogSegment>> segment =
      LogSegment::Create(fs_, dir_, base_offset, segment_options());
  if (!segment.ok()) return segment.status();
  segments_[base_offset] = std::move(*segment);
  // UnifiedLog.roll: a producer snapshot at the new segment's base, so that recovery can start
  // from it; then everything before the new segment is flushed.
  if (Status s = TakeProducerSnapshot(base_offset); !s.ok()) return s;
  if (Status s = Flush(); !s.ok()) return s;
  return base_offset;
}

Status PartitionLog::AppendBatches(std::span<const std::uint8_t> bytes,
                                   const std::vector<BatchSpan>& spans, Time now,
                                   LogAppendInfo& info) {
  // Batches go one at a time so that a roll can happen between them.
  for (const BatchSpan& span : spans) {
    const BatchHeader& h = span.header;
    auto rolled = MaybeRollFor(h.base_offset, h.last_offset(), h.size_in_bytes(), now);
    if (!rolled.ok()) return rolled.status();
    if (*rolled) info.rolled_segment_base = **rolled;
    if (Status s = active().Append(bytes.subspan(span.position, h.size_in_bytes()), h); !s.ok()) {
      return s;
    }
    if (h.partition_leader_epoch >= 0 &&
        h.partition_leader_epoch > epochs_->latest_epoch().value_or(-1)) {
      if (Status s = epochs_->Assign(h.partition_leader_epoch, h.base_offset); !s.ok()) return s;
    }
    if (h.max_timestamp > info.max_timestamp) {
      info.max_timestamp = h.max_timestamp;
      info.offset_of_max_timestamp = h.last_offset();
    }
    info.record_count += h.records_count;
    unflushed_records_ += h.records_count;
    if (producer_state_loaded_) producer_state_.Update(h);
  }
  info.valid_bytes = static_cast<std::int32_t>(bytes.size());
  if (unflushed_records_ >= config_.flush_messages) return Flush();
  return Status::Ok();
}

Result<LogAppendInfo> PartitionLog::AppendAsLeader(std::span<const std::uint8_t> batch,
                                                   std::int32_t leader_epoch, Time now) {
  LogValidatorConfig validation;
  validation.target_compression = config_.compression_type;
  validation.log_append_time = config_.message_timestamp_log_append_time;
  validation.max_message_bytes = config_.max_message_bytes;
  validation.topic_partition = topic_ + "-" + std::to_string(partition_);
  append_buffer_.assign(batch.begin(), batch.end());
  Result<ValidationResult> validated = ValidateMessagesAndAssignOffsets(
      append_buffer_, log_end_offset(), leader_epoch, now.Millis(), validation);
  if (!validated.ok()) return validated.status();
  const BatchHeader& h = validated->header;
  LogAppendInfo info;
  info.record_count = h.records_count;
  info.producer_id = h.producer_id;
  info.base_sequence = h.base_sequence;
  info.last_sequence = h.last_sequence();
  info.crc_rewritten = validated->crc_rewritten;
  if (h.producer_id != kNoProducerId) {
    // UnifiedLog.analyzeAndValidateProducerState (AppendOrigin.CLIENT): a retried batch that is
    // already in the log is answered with its original offsets and not written again.
    if (Status s = LoadProducerState(); !s.ok()) return s;
    Result<std::optional<ProducerBatchMetadata>> checked = producer_state_.CheckClientAppend(
        ProducerAppend{h.producer_id, h.producer_epoch, h.base_sequence, h.last_sequence()},
        log_end_offset(), validation.topic_partition);
    if (!checked.ok()) return checked.status();
    if (checked->has_value()) {
      const ProducerBatchMetadata& original = **checked;
      info.first_offset = original.first_offset;
      info.last_offset = original.last_offset;
      info.duplicate = true;
      return info;
    }
  }
  if (config_.message_timestamp_log_append_time) info.log_append_time = validated->log_append_time;
  info.first_offset = h.base_offset;
  info.last_offset = h.last_offset();
  const std::int32_t counted = info.record_count;
  info.record_count = 0;  // AppendBatches counts what it appends
  if (Status s = AppendBatches(append_buffer_, {BatchSpan{0, h}}, now, info); !s.ok()) return s;
  KSIM_ASSERT_EQ(info.record_count, counted);
  KSIM_ASSERT_EQ(log_end_offset(), info.last_offset + 1);
  return info;
}

Result<LogAppendInfo> PartitionLog::AppendAsFollower(std::span<const std::uint8_t> batches,
                                                     Time now) {
  Result<std::vector<BatchSpan>> spans = SplitBatches(batches);
  if (!spans.ok()) return spans.status();
  LogAppendInfo info;
  if (spans->empty()) return info;
  // The state must hold the log before these batches, or a later scan would count them twice.
  const bool idempotent = std::any_of(spans->begin(), spans->end(), [](const BatchSpan& span) {
    return span.header.producer_id != kNoProducerId;
  });
  if (idempotent) {
    if (Status s = LoadProducerState(); !s.ok()) return s;
  }
  std::int64_t next = log_end_offset();
  for (const BatchSpan& span : *spans) {
    if (span.header.base_offset < next) {
      return Status(Errc::kCorruptMessage, "follower append: batch at byte " +
                                               std::to_string(span.position) + " has baseOffset " +
                                               std::to_string(span.header.base_offset) +
                                               " below the expected " + std::to_string(next));
    }
    next = span.header.next_offset();
  }
  info.first_offset = spans->front().header.base_offset;
  info.last_offset = spans->back().header.last_offset();
  if (Status s = AppendBatches(batches, *spans, now, info); !s.ok()) return s;
  return info;
}

Result<PartitionLog::Found> PartitionLog::FindBatches(std::int64_t offset, std::int32_t max_bytes,
                                                      std::int64_t max_offset,
                                                      std::vector<BatchHeader>* headers) const {
  if (offset < log_start_offset_ || offset > log_end_offset()) {
    return OutOfRange(offset, log_start_offset_, log_end_offset());
  }
  auto it = segments_.upper_bound(offset);
  KSIM_ASSERT(it != segments_.begin());
  for (--it; it != segments_.end(); ++it) {
    Result<LogSegment::Slice> slice =
        it->second->Find(offset, max_bytes, max_offset, headers, std::next(it) == segments_.end());
    if (!slice.ok()) return slice.status();
    if (slice->size != 0) return Found{it->second.get(), *slice};
  }
  return Found{};
}

Result<FetchResult> PartitionLog::Read(std::int64_t offset, std::int32_t max_bytes,
                                       std::int64_t max_offset) const {
  Result<Found> found = FindBatches(offset, max_bytes, max_offset, nullptr);
  if (!found.ok()) return found.status();
  FetchResult result;
  result.log_start_offset = log_start_offset_;
  result.high_watermark = high_watermark_;
  result.log_end_offset = log_end_offset();
  // Like Kafka's broker, a read does not re-check CRCs: the batch lengths were checked by
  // Find, and whoever decodes the batches (FetchResult::Batches) verifies each CRC.
  if (found->segment != nullptr) {
    if (Status s = found->segment->ReadBytes(found->slice, result.records); !s.ok()) return s;
  }
  return result;
}

Result<std::vector<BatchHeader>> PartitionLog::ReadHeaders(std::int64_t offset,
                                                           std::int32_t max_bytes,
                                                           std::int64_t max_offset) const {
  std::vector<BatchHeader> headers;
  headers.reserve(4);  // most reads find a batch or two
  Result<Found> found = FindBatches(offset, max_bytes, max_offset, &headers);
  if (!found.ok()) return found.status();
  return headers;
}

void PartitionLog::UpdateHighWatermark(std::int64_t offset) {
  high_watermark_ = std::clamp(offset, log_start_offset_, log_end_offset());
}

Status PartitionLog::MaybeIncrementLogStartOffset(std::int64_t offset) {
  if (offset <= log_start_offset_) return Status::Ok();
  if (offset > high_watermark_) {
    return OutOfRange(offset, log_start_offset_, high_watermark_);
  }
  log_start_offset_ = offset;
  return epochs_->TruncateFromStart(offset);
}

Status PartitionLog::AssignLeaderEpoch(std::int32_t epoch, std::int64_t start_offset) {
  return epochs_->Assign(epoch, start_offset);
}

Status PartitionLog::TruncateTo(std::int64_t offset) {
  if (offset < log_start_offset_) return OutOfRange(offset, log_start_offset_, log_end_offset());
  if (offset >= log_end_offset()) {
    // UnifiedLog.truncateTo: nothing to cut, but the epoch cache is still truncated from the
    // end: a broker that led an epoch without appending anything holds an entry at its log end
    // that the new leader never saw (Kafka's comment on this case says the same).
    return epochs_->TruncateFromEnd(log_end_offset());
  }
  // Whole segments at or above offset go, except the first one (kept, emptied).
  while (segments_.size() > 1 && segments_.rbegin()->first >= offset) {
    if (Status s = active().DeleteFiles(); !s.ok()) return s;
    segments_.erase(std::prev(segments_.end()));
  }
  truncated_to_ = std::min(truncated_to_.value_or(offset), offset);
  Result<std::uint64_t> cut = active().TruncateTo(offset);
  if (!cut.ok()) return cut.status();
  // ProducerStateManager.truncateAndReload: snapshots past the new end go, and the state is
  // rebuilt from what is left when next needed.
  if (Status s = DeleteSnapshotsOutside(log_start_offset_, log_end_offset()); !s.ok()) return s;
  UnloadProducerState();
  high_watermark_ = std::min(high_watermark_, log_end_offset());
  recovery_point_ = std::min(recovery_point_, log_end_offset());
  return epochs_->TruncateFromEnd(log_end_offset());
}

Status PartitionLog::TruncateFullyAndStartAt(std::int64_t offset) {
  KSIM_ASSERT(offset >= 0);
  for (auto& [base, segment] : segments_) {
    if (Status s = segment->DeleteFiles(); !s.ok()) return s;
  }
  segments_.clear();
  truncated_to_ = std::min(truncated_to_.value_or(offset), offset);
  Result<std::unique_ptr<LogSegment>> segment =
      LogSegment::Create(fs_, dir_, offset, segment_options());
  if (!segment.ok()) return segment.status();
  segments_[offset] = std::move(*segment);
  log_start_offset_ = high_watermark_ = recovery_point_ = offset;
  if (Status s = DeleteSnapshotsOutside(offset, offset - 1); !s.ok()) return s;
  UnloadProducerState();
  return epochs_->Clear();
}

Status PartitionLog::LoadProducerState() {
  if (producer_state_loaded_) return Status::Ok();
  producer_state_.Clear();
  // ProducerStateManager.loadFromSnapshot: the newest snapshot that reads back; a corrupt one
  // is deleted ("Failed to load producer snapshot") and the one before it tried.
  std::int64_t scan_from = 0;
  while (!snapshot_offsets_.empty()) {
    const std::int64_t offset = snapshot_offsets_.back();
    const std::string path = dir_ + "/" + ProducerSnapshotFileName(offset);
    Result<std::vector<std::uint8_t>> bytes = fs_.ReadFile(path);
    if (!bytes.ok() && bytes.status().code() != Errc::kNotFound) return bytes.status();
    Result<std::vector<ProducerSnapshotEntry>> entries =
        bytes.ok() ? DecodeProducerSnapshot(*bytes)
                   : Result<std::vector<ProducerSnapshotEntry>>(bytes.status());
    if (entries.ok() && offset <= log_end_offset()) {
      LoadSnapshotEntries(*entries, producer_state_);
      scan_from = offset;
      break;
    }
    if (fs_.Exists(path)) {
      if (Status s = fs_.Remove(path); !s.ok()) return s;
    }
    snapshot_offsets_.pop_back();
  }
  Bytes bytes;
  for (const auto& [base, segment] : segments_) {
    if (segment->size() == 0 || segment->next_offset() <= scan_from) continue;
    KSIM_ASSERT_LE(segment->size(), std::uint64_t{UINT32_MAX});
    bytes.clear();
    const LogSegment::Slice whole{0, static_cast<std::uint32_t>(segment->size())};
    if (Status s = segment->ReadBytes(whole, bytes); !s.ok()) return s;
    // Appended batches were checked (CRC included) on the way in or by recovery: only the
    // headers are parsed here.
    std::size_t position = 0;
    const std::span<const std::uint8_t> all(bytes);
    while (position < all.size()) {
      Result<BatchHeader> h = ParseBatchHeader(all.subspan(position), position);
      if (!h.ok()) return h.status();
      if (h->last_offset() >= scan_from) producer_state_.Update(*h);
      position += h->size_in_bytes();
    }
  }
  producer_state_loaded_ = true;
  return Status::Ok();
}

Status PartitionLog::TakeProducerSnapshot(std::int64_t offset, bool sync) {
  if (!snapshot_offsets_.empty() && snapshot_offsets_.back() >= offset) return Status::Ok();
  if (Status s = LoadProducerState(); !s.ok()) return s;
  const std::string path = dir_ + "/" + ProducerSnapshotFileName(offset);
  // A roll writes it without an fsync (UnifiedLog.roll's takeSnapshot(false)); close syncs.
  if (fs_.Exists(path)) {
    if (Status s = fs_.Remove(path); !s.ok()) return s;
  }
  if (Status s = fs_.CreateFile(path); !s.ok()) return s;
  if (Status s = fs_.Append(path, EncodeProducerSnapshot(SnapshotEntries(producer_state_)));
      !s.ok()) {
    return s;
  }
  if (sync) {
    if (Status s = fs_.Sync(path); !s.ok()) return s;
  }
  snapshot_offsets_.push_back(offset);
  return Status::Ok();
}

Status PartitionLog::DeleteSnapshotsIf(const std::function<bool(std::int64_t)>& doomed) {
  std::vector<std::int64_t> kept;
  for (std::int64_t offset : snapshot_offsets_) {
    if (!doomed(offset)) {
      kept.push_back(offset);
      continue;
    }
    const std::string path = dir_ + "/" + ProducerSnapshotFileName(offset);
    if (fs_.Exists(path)) {
      if (Status s = fs_.Remove(path); !s.ok()) return s;
    }
  }
  snapshot_offsets_ = std::move(kept);
  return Status::Ok();
}

void PartitionLog::UnloadProducerState() {
  producer_state_.Clear();
  producer_state_loaded_ = false;
}

Status PartitionLog::Flush() {
  for (auto it = segments_.begin(); it != segments_.end(); ++it) {
    if (it->second->next_offset() <= recovery_point_ && std::next(it) != segments_.end()) continue;
    if (Status s = it->second->Flush(); !s.ok()) return s;
  }
  recovery_point_ = log_end_offset();
  unflushed_records_ = 0;
  return Status::Ok();
}

Result<std::optional<std::int64_t>> PartitionLog::MaybeRoll(Time now) {
  return MaybeRollFor(log_end_offset(), log_end_offset(), 0, now);
}

std::vector<SegmentInfo> PartitionLog::segments() const {
  std::vector<SegmentInfo> out;
  for (const auto& [base, segment] : segments_) {
    out.push_back({base, segment->next_offset(), segment->size(), segment->max_timestamp(),
                   segment->log_path()});
  }
  return out;
}

std::uint64_t PartitionLog::size_bytes() const {
  std::uint64_t total = 0;
  for (const auto& entry : segments_) total += entry.second->size();
  return total;
}

Status PartitionLog::WritePartitionMetadata(const Uuid& topic_id) {
  return fs_.WriteFileAtomically(dir_ + "/" + kPartitionMetadataFile,
                                 FormatPartitionMetadata(topic_id));
}

}  // namespace kafkasim::storage
