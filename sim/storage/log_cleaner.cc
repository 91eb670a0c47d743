// Log compaction of a PartitionLog: Kafka's Cleaner.doClean (offset map, segment groups,
// record retention, delete horizons) and LocalLog.replaceSegments (.cleaned -> .swap -> final),
// plus LogCleanerManager.cleanableOffsets / LogToClean for how dirty a log is.
#include <algorithm>
#include <map>

#include "storage/partition_log.h"

namespace kafkasim::storage {

// OffsetMap (SkimpyOffsetMap keeps MD5 hashes of keys; the simulator keeps the keys).
struct CleanerOffsetMap {
  std::map<Bytes, std::int64_t> offsets;
  std::int64_t latest_offset = -1;  // OffsetMap.latestOffset

  std::int64_t Get(const Bytes& key) const {
    const auto it = offsets.find(key);
    return it == offsets.end() ? -1 : it->second;
  }
};

namespace {

Status CrashInjected(CleanCrashPoint point) {
  return {Errc::kIoError, "crash injected during log cleaning (point " +
                              std::to_string(static_cast<int>(point)) + ")"};
}

Result<Bytes> ReadWholeSegment(const LogSegment& segment) {
  Bytes bytes;
  KSIM_ASSERT_LE(segment.size(), std::uint64_t{UINT32_MAX});
  const LogSegment::Slice whole{0, static_cast<std::uint32_t>(segment.size())};
  if (Status s = segment.ReadBytes(whole, bytes); !s.ok()) return s;
  return bytes;
}

bool HasDeleteHorizon(const BatchHeader& h) { return (h.attributes & kDeleteHorizonFlag) != 0; }

// Cleaner.shouldRetainRecord for a v2 batch.
bool ShouldRetainRecord(const CleanerOffsetMap& map, const BatchHeader& h, const Record& record,
                        std::int64_t now_ms) {
  const std::int64_t offset = h.base_offset + record.offset_delta;
  if (offset > map.latest_offset) return true;
  if (!record.key) return false;  // CleanerStats.invalidMessage: a compacted record needs a key
  const bool latest_for_key = offset >= map.Get(*record.key);
  // KIP-534: a tombstone stays until the delete horizon stamped in its batch has passed.
  const bool retain_deletes = !HasDeleteHorizon(h) || now_ms < h.base_timestamp;
  return latest_for_key && (record.value.has_value() || retain_deletes);
}

// MemoryRecords.filterTo's rebuilt batch (buildRetainedRecordsInto): the original header with
// only the retained records; a batch holding tombstones and no delete horizon yet gets one
// (baseTimestamp = horizon, the deleteHorizon attribute bit set).
Bytes RebuildBatch(const BatchHeader& h, std::vector<Record> retained,
                   std::optional<std::int64_t> new_horizon_ms) {
  KSIM_ASSERT(!retained.empty());
  RecordBatch out;
  out.header = h;
  if (new_horizon_ms) {
    out.header.attributes = static_cast<std::uint16_t>(h.attributes | kDeleteHorizonFlag);
    out.header.base_timestamp = *new_horizon_ms;
  } else if (!HasDeleteHorizon(h)) {
    out.header.base_timestamp = retained.front().timestamp;
  }
  out.header.last_offset_delta = retained.back().offset_delta;
  if (!h.log_append_time()) {
    std::int64_t max_timestamp = kNoTimestamp;
    for (const Record& r : retained) max_timestamp = std::max(max_timestamp, r.timestamp);
    out.header.max_timestamp = max_timestamp;
  }
  out.records = std::move(retained);
  return EncodeBatch(out);
}

// DefaultRecordBatch.writeEmptyHeader: a batch kept for its offsets and producer fields only.
Bytes EmptyBatch(const BatchHeader& h) {
  RecordBatch out;
  out.header = h;
  out.header.attributes =
      static_cast<std::uint16_t>(h.attributes & (kTimestampTypeMask | kTransactionalFlag));
  out.header.base_timestamp = h.max_timestamp;
  return EncodeBatch(out);
}

// Cleaner.buildOffsetMap over the segments overlapping [start, end): the latest offset of every
// key. Unlike Kafka, records at or above `end` are not mapped (Kafka may map the rest of a
// segment the high watermark cuts; the simulator never lets an uncommitted record shadow one).
Status BuildOffsetMap(const std::map<std::int64_t, std::unique_ptr<LogSegment>>& segments,
                      std::int64_t start, std::int64_t end, CleanerOffsetMap& map) {
  map.offsets.clear();
  map.latest_offset = -1;
  auto it = segments.upper_bound(start);
  if (it != segments.begin()) --it;
  for (; it != segments.end() && it->first < end; ++it) {
    const auto next = std::next(it);
    const std::int64_t next_start = next == segments.end() ? end : std::min(next->first, end);
    Result<Bytes> bytes = ReadWholeSegment(*it->second);
    if (!bytes.ok()) return bytes.status();
    Result<std::vector<BatchSpan>> spans = SplitBatches(*bytes);
    if (!spans.ok()) return spans.status();
    for (const BatchSpan& span : *spans) {
      const BatchHeader& h = span.header;
      if (h.last_offset() < start) continue;
      if (h.base_offset >= end) break;
      if (!h.is_control()) {
        Result<RecordBatch> batch = DecodeBatch(
            std::span<const std::uint8_t>(*bytes).subspan(span.position, h.size_in_bytes()));
        if (!batch.ok()) return batch.status();
        for (const Record& r : batch->records) {
          const std::int64_t offset = h.base_offset + r.offset_delta;
          if (!r.key || offset < start || offset >= end) continue;
          if (static_cast<std::int64_t>(map.offsets.size()) >= kOffsetMapMaxEntries) {
            return Status::Ok();  // full: the rest stays dirty for the next round
          }
          map.offsets[*r.key] = offset;
        }
      }
      map.latest_offset = std::min(h.last_offset(), end - 1);
    }
    // "In the case of offsets gap, fast forward to latest expected offset in this segment."
    map.latest_offset = next_start - 1;
  }
  return Status::Ok();
}

}  // namespace

LogToClean PartitionLog::CleanableSection(std::optional<std::int64_t> checkpoint, Time now) const {
  LogToClean c;
  const std::int64_t now_ms = now.Millis();
  std::int64_t first_dirty = checkpoint.value_or(log_start_offset_);
  if (first_dirty < log_start_offset_ || first_dirty > log_end_offset()) {
    first_dirty = log_start_offset_;  // LogCleanerManager: "resetting to the log start offset"
  }
  const std::int64_t active_base = active().base_offset();
  // Not past the last stable offset (here the high watermark: no transactions), never into the
  // active segment, nor into a segment younger than min.compaction.lag.ms.
  std::int64_t uncleanable = std::min(high_watermark_, active_base);
  auto floor = [&](std::int64_t offset) {
    auto it = segments_.upper_bound(offset);
    return it == segments_.begin() ? it : std::prev(it);
  };
  std::int64_t earliest_dirty_timestamp = INT64_MAX;
  for (auto it = floor(first_dirty); it != segments_.end() && it->first < active_base; ++it) {
    const LogSegment& s = *it->second;
    if (config_.min_compaction_lag_ms > 0 &&
        s.max_timestamp() > now_ms - config_.min_compaction_lag_ms) {
      uncleanable = std::min(uncleanable, it->first);
    }
    if (s.rolling_based_timestamp() > 0) {
      earliest_dirty_timestamp = std::min(earliest_dirty_timestamp, s.rolling_based_timestamp());
    }
  }
  // LogToClean: the first uncleanable offset is rounded down to its segment's base.
  uncleanable = floor(std::max(uncleanable, log_start_offset_))->first;
  c.first_dirty_offset = first_dirty;
  c.first_uncleanable_offset = std::max(uncleanable, first_dirty);
  for (const auto& [base, segment] : segments_) {
    if (base < first_dirty) c.clean_bytes += segment->size();
  }
  for (auto it = floor(std::min(first_dirty, uncleanable)); it != segments_.end(); ++it) {
    if (it->first >= uncleanable) break;
    c.cleanable_bytes += it->second->size();
  }
  // LogCleanerManager.maxCompactionDelay.
  const std::int64_t clean_until =
      now_ms - std::max<std::int64_t>(config_.max_compaction_lag_ms, 0);
  if (earliest_dirty_timestamp < clean_until) {
    c.max_compaction_delay_ms = clean_until - earliest_dirty_timestamp;
  }
  return c;
}

Result<CleanResult> PartitionLog::Clean(std::optional<std::int64_t> checkpoint, Time now,
                                        CleanCrashPoint crash_point) {
  const LogToClean section = CleanableSection(checkpoint, now);
  CleanResult result;
  result.first_dirty_offset = section.first_dirty_offset;
  result.end_offset = section.first_dirty_offset;
  const std::int64_t upper_bound = section.first_uncleanable_offset;
  if (upper_bound <= section.first_dirty_offset) return result;
  // Cleaner.lastRecordsOfActiveProducers needs the producer state.
  if (Status s = LoadProducerState(); !s.ok()) return s;
  CleanerOffsetMap map;
  if (Status s = BuildOffsetMap(segments_, section.first_dirty_offset, upper_bound, map); !s.ok()) {
    return s;
  }
  const std::int64_t end_offset = map.latest_offset + 1;
  KSIM_ASSERT(end_offset <= upper_bound);
  KSIM_ASSERT(end_offset <= active().base_offset());
  // Cleaner.groupSegmentsBySize over the segments below end_offset.
  std::vector<std::vector<std::int64_t>> groups;
  std::uint64_t log_size = 0;
  std::uint64_t index_size = 0;
  std::uint64_t time_index_size = 0;
  const auto max_size = static_cast<std::uint64_t>(config_.segment_bytes);
  const auto max_index_size = static_cast<std::uint64_t>(config_.segment_index_bytes);
  for (auto it = segments_.begin(); it != segments_.end() && it->first < end_offset; ++it) {
    const LogSegment& s = *it->second;
    const std::uint64_t index = s.offset_index().entries().size() * kOffsetIndexEntrySize;
    const std::uint64_t time_index = s.time_index().entries().size() * kTimeIndexEntrySize;
    const auto next = std::next(it);
    const std::int64_t last_offset =
        (next != segments_.end() && next->first < end_offset ? next->first : upper_bound) - 1;
    const bool fits = !groups.empty() && log_size + s.size() <= max_size &&
                      index_size + index <= max_index_size &&
                      time_index_size + time_index <= max_index_size &&
                      (s.size() == 0 || last_offset - groups.back().front() <= INT32_MAX);
    if (!fits) {
      groups.emplace_back();
      log_size = index_size = time_index_size = 0;
    }
    groups.back().push_back(it->first);
    log_size += s.size();
    index_size += index;
    time_index_size += time_index;
  }
  for (const std::vector<std::int64_t>& group : groups) {
    Status s = CleanGroup(group, map, upper_bound, now, crash_point, result);
    if (!s.ok()) return s;
  }
  result.end_offset = end_offset;
  return result;
}

Status PartitionLog::CleanGroup(std::vector<std::int64_t> group_bases, const CleanerOffsetMap& map,
                                std::int64_t upper_bound, Time now, CleanCrashPoint crash_point,
                                CleanResult& result) {
  KSIM_ASSERT(!group_bases.empty());
  const std::int64_t now_ms = now.Millis();
  Result<std::unique_ptr<LogSegment>> created =
      LogSegment::Create(fs_, dir_, group_bases.front(), segment_options(), kCleanedFileSuffix);
  if (!created.ok()) return created.status();
  LogSegment& cleaned = **created;
  // Cleaner.cleanInto keeps the batch holding an active producer's last sequence, even empty.
  std::map<std::int64_t, std::int64_t> last_offset_of_producer;
  for (const auto& [producer_id, entry] : producer_state_.producers()) {
    if (!entry.batches.empty())
      last_offset_of_producer[producer_id] = entry.batches.back().last_offset;
  }
  auto append = [&](const Bytes& batch) -> Status {
    Result<BatchHeader> h = CheckBatch(batch);
    KSIM_ASSERT(h.ok());
    return cleaned.Append(batch, *h);
  };
  for (const std::int64_t base : group_bases) {
    const LogSegment& source = *segments_.at(base);
    ++result.segments_before;
    result.bytes_before += source.size();
    Result<Bytes> bytes = ReadWholeSegment(source);
    if (!bytes.ok()) return bytes.status();
    Result<std::vector<BatchSpan>> spans = SplitBatches(*bytes);
    if (!spans.ok()) return spans.status();
    for (const BatchSpan& span : *spans) {
      const BatchHeader& h = span.header;
      const auto original =
          std::span<const std::uint8_t>(*bytes).subspan(span.position, h.size_in_bytes());
      result.records_read += h.records_count;
      if (h.is_control()) {
        // No transactions are simulated: a control batch is kept as it is.
        result.records_retained += h.records_count;
        if (Status s = append(Bytes(original.begin(), original.end())); !s.ok()) return s;
        continue;
      }
      Result<RecordBatch> batch = DecodeBatch(original);
      if (!batch.ok()) return batch.status();
      std::vector<Record> retained;
      bool contains_tombstones = false;
      for (Record& r : batch->records) {
        if (ShouldRetainRecord(map, h, r, now_ms)) {
          contains_tombstones |= !r.value.has_value();
          retained.push_back(std::move(r));
        } else if (!r.value && r.key && h.base_offset + r.offset_delta >= map.Get(*r.key)) {
          ++result.tombstones_removed;
        }
      }
      result.records_retained += static_cast<std::int64_t>(retained.size());
      const auto producer = last_offset_of_producer.find(h.producer_id);
      const bool retain_empty =
          (h.producer_id != kNoProducerId && producer != last_offset_of_producer.end() &&
           producer->second == h.last_offset()) ||
          h.next_offset() == upper_bound;  // keeps the round's last offset
      Bytes out;
      if (!retained.empty()) {
        const bool stamp = contains_tombstones && !HasDeleteHorizon(h);
        if (stamp) ++result.tombstones_stamped;
        if (retained.size() == batch->records.size() && !stamp) {
          out.assign(original.begin(), original.end());
        } else {
          const std::int64_t horizon = now_ms > INT64_MAX - config_.delete_retention_ms
                                           ? INT64_MAX
                                           : now_ms + config_.delete_retention_ms;
          out = RebuildBatch(h, std::move(retained),
                             stamp ? std::optional<std::int64_t>(horizon) : std::nullopt);
        }
      } else if (retain_empty) {
        out = EmptyBatch(h);
      } else {
        continue;
      }
      if (Status s = append(out); !s.ok()) return s;
    }
  }
  if (Status s = cleaned.OnBecomeInactive(); !s.ok()) return s;
  if (Status s = cleaned.Flush(); !s.ok()) return s;  // durable before the swap
  ++result.segments_after;
  result.bytes_after += cleaned.size();
  if (crash_point == CleanCrashPoint::kAfterCleanedWritten) return CrashInjected(crash_point);
  return ReplaceSegments(std::move(*created), group_bases, crash_point);
}

Status PartitionLog::ReplaceSegments(std::unique_ptr<LogSegment> cleaned,
                                     const std::vector<std::int64_t>& old_bases,
                                     CleanCrashPoint crash_point) {
  const std::int64_t base = cleaned->base_offset();
  KSIM_ASSERT_EQ(base, old_bases.front());
  KSIM_ASSERT(old_bases.back() < active().base_offset());
  if (Status s = cleaned->ChangeFileSuffixes(kCleanedFileSuffix, kSwapFileSuffix); !s.ok()) {
    return s;
  }
  if (crash_point == CleanCrashPoint::kAfterSwapRenamed) return CrashInjected(crash_point);
  // Kafka renames the old files to .deleted and removes them later (file.delete.delay.ms); the
  // simulator removes them at once, as retention does.
  for (const std::int64_t old : old_bases) {
    if (Status s = segments_.at(old)->DeleteFiles(); !s.ok()) return s;
    segments_.erase(old);
  }
  if (crash_point == CleanCrashPoint::kAfterOldDeleted) return CrashInjected(crash_point);
  if (Status s = cleaned->ChangeFileSuffixes(kSwapFileSuffix, ""); !s.ok()) return s;
  segments_[base] = std::move(cleaned);
  // UnifiedLog.replaceSegments: the producer snapshots of the segments that are gone (all but
  // the first, whose base the cleaned segment keeps) go with them.
  return DeleteSnapshotsIf([base, &old_bases](std::int64_t offset) {
    return offset != base &&
           std::find(old_bases.begin(), old_bases.end(), offset) != old_bases.end();
  });
}

}  // namespace kafkasim::storage
