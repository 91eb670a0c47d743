// PartitionLog::Recover: what opening a log after a crash does (LogLoader.java): clean up
// leftovers, trust segments below the recovery point, validate the rest and cut the log at
// the first bad or partial batch.
#include <algorithm>
#include <charconv>

#include "storage/partition_log.h"
#include "storage/producer_snapshot.h"

namespace kafkasim::storage {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The base offset of "<20 digits>.log", or nullopt for any other name.
std::optional<std::int64_t> SegmentBase(const std::string& name, const std::string& suffix) {
  if (name.size() != kSegmentNameDigits + suffix.size() || !EndsWith(name, suffix)) return {};
  std::int64_t base = 0;
  const char* end = name.data() + kSegmentNameDigits;
  auto [ptr, ec] = std::from_chars(name.data(), end, base);
  if (ec != std::errc() || ptr != end || base < 0) return {};
  return base;
}

// The base offset of any "<20 digits>.<rest>" name (a .cleaned or .swap file), else nullopt.
std::optional<std::int64_t> StemBase(const std::string& name) {
  if (name.size() <= kSegmentNameDigits || name[kSegmentNameDigits] != '.') return {};
  std::int64_t base = 0;
  const char* end = name.data() + kSegmentNameDigits;
  auto [ptr, ec] = std::from_chars(name.data(), end, base);
  if (ec != std::errc() || ptr != end || base < 0) return {};
  return base;
}

// One past the last offset of the intact batches at the start of a .log file (base if none).
std::int64_t NextOffsetOf(const Bytes& bytes, std::int64_t base) {
  std::size_t position = 0;
  std::int64_t next = base;
  const std::span<const std::uint8_t> all(bytes);
  while (position < all.size()) {
    Result<BatchHeader> h = CheckBatch(all.subspan(position));
    if (!h.ok()) break;
    next = h->next_offset();
    position += h->size_in_bytes();
  }
  return next;
}

}  // namespace

Status PartitionLog::RecoverInterruptedClean(RecoveryReport& report,
                                             std::vector<std::int64_t>& must_validate) {
  Result<std::vector<std::string>> names = fs_.ListDir(dir_);
  if (!names.ok()) return names.status();
  // LogLoader.removeTempFilesAndCollectSwapFiles: a .cleaned file is an unfinished clean, and
  // a .swap file at or above the lowest .cleaned base belongs to it: both go, the old segments
  // are still whole.
  std::int64_t min_cleaned = INT64_MAX;
  for (const std::string& name : *names) {
    const auto base = StemBase(name);
    if (!base || !EndsWith(name, kCleanedFileSuffix)) continue;
    min_cleaned = std::min(min_cleaned, *base);
    if (Status s = fs_.Remove(dir_ + "/" + name); !s.ok()) return s;
  }
  std::vector<std::int64_t> swap_bases;
  for (const std::string& name : *names) {
    const auto base = StemBase(name);
    if (!base || !EndsWith(name, kSwapFileSuffix)) continue;
    if (*base >= min_cleaned) {
      if (Status s = fs_.Remove(dir_ + "/" + name); !s.ok()) return s;
    } else if (name == SegmentFileStem(*base) + kLogFileSuffix + kSwapFileSuffix) {
      swap_bases.push_back(*base);
    }
  }
  if (min_cleaned != INT64_MAX) {
    report.cleaner_leftovers = "deleted the files of an interrupted clean from offset " +
                               std::to_string(min_cleaned) + " (.cleaned); the old segments stay";
  }
  if (swap_bases.empty()) return Status::Ok();
  // A swap that got past its .cleaned stage: the old segments it covers go (some may be gone
  // already) and the .swap files take their final names (LogLoader's swap passes).
  std::int64_t min_swap = INT64_MAX;
  std::int64_t max_swap = -1;
  for (const std::int64_t base : swap_bases) {
    Result<Bytes> bytes =
        fs_.ReadFile(dir_ + "/" + SegmentFileStem(base) + kLogFileSuffix + kSwapFileSuffix);
    if (!bytes.ok()) return bytes.status();
    min_swap = std::min(min_swap, base);
    max_swap = std::max(max_swap, NextOffsetOf(*bytes, base));
  }
  for (const std::string& name : *names) {
    const auto base = SegmentBase(name, kLogFileSuffix);
    if (!base || *base < min_swap || *base >= max_swap) continue;
    const bool swapped_here =
        std::find(swap_bases.begin(), swap_bases.end(), *base) != swap_bases.end();
    // At a swap's own base only the old .log goes: its indexes are the swap's, renamed or not.
    for (const char* suffix : {kLogFileSuffix, kIndexFileSuffix, kTimeIndexFileSuffix}) {
      const std::string path = dir_ + "/" + SegmentFileStem(*base) + suffix;
      if ((swapped_here && std::string_view(suffix) != kLogFileSuffix) || !fs_.Exists(path))
        continue;
      if (Status s = fs_.Remove(path); !s.ok()) return s;
    }
  }
  Result<std::vector<std::string>> left = fs_.ListDir(dir_);
  if (!left.ok()) return left.status();
  for (const std::string& name : *left) {
    if (!StemBase(name) || !EndsWith(name, kSwapFileSuffix)) continue;
    const std::string final_name =
        name.substr(0, name.size() - std::string(kSwapFileSuffix).size());
    if (Status s = fs_.Rename(dir_ + "/" + name, dir_ + "/" + final_name); !s.ok()) return s;
  }
  must_validate.insert(must_validate.end(), swap_bases.begin(), swap_bases.end());
  if (!report.cleaner_leftovers.empty()) report.cleaner_leftovers += "; ";
  report.cleaner_leftovers += "completed the swap of " + std::to_string(swap_bases.size()) +
                              " cleaned segment(s) replacing offsets [" + std::to_string(min_swap) +
                              ", " + std::to_string(max_swap) + ") (.swap)";
  return Status::Ok();
}

Status PartitionLog::Recover(LogOpenHints hints, RecoveryReport& report) {
  std::vector<std::int64_t> must_validate;
  if (Status s = RecoverInterruptedClean(report, must_validate); !s.ok()) return s;
  Result<std::vector<std::string>> names = fs_.ListDir(dir_);
  if (!names.ok()) return names.status();
  std::vector<std::int64_t> bases;
  for (const std::string& name : *names) {
    const std::string path = dir_ + "/" + name;
    if (EndsWith(name, kDeletedFileSuffix) || EndsWith(name, ".tmp")) {
      if (Status s = fs_.Remove(path); !s.ok()) return s;
    } else if (auto base = SegmentBase(name, kLogFileSuffix)) {
      bases.push_back(*base);
    } else if (auto snapshot = ProducerSnapshotOffset(name)) {
      snapshot_offsets_.push_back(*snapshot);
    }
  }
  std::sort(snapshot_offsets_.begin(), snapshot_offsets_.end());
  // Index files without their .log are leftovers of an interrupted delete.
  for (const std::string& name : *names) {
    auto base = SegmentBase(name, kIndexFileSuffix);
    if (!base) base = SegmentBase(name, kTimeIndexFileSuffix);
    if (base && !std::binary_search(bases.begin(), bases.end(), *base)) {
      if (Status s = fs_.Remove(dir_ + "/" + name); !s.ok()) return s;
    }
  }
  if (Status s = epochs_->Load(); !s.ok()) {
    report.reason = s.message() + "; the epoch cache is rebuilt from the batches";
    if (Status c = epochs_->Clear(); !c.ok()) return c;
    hints.recovery_point = 0;  // rebuild from every batch
    hints.had_clean_shutdown = false;
  }
  report.recovered_from = hints.recovery_point;
  auto on_batch = [&](const BatchHeader& h) {
    if (h.partition_leader_epoch >= 0 &&
        h.partition_leader_epoch > epochs_->latest_epoch().value_or(-1)) {
      (void)epochs_->Assign(h.partition_leader_epoch, h.base_offset);
    }
  };
  bool cut = false;
  for (std::size_t i = 0; i < bases.size(); ++i) {
    const std::int64_t base = bases[i];
    if (cut) {
      if (Status s = DropSegmentFiles(base, report); !s.ok()) return s;
      continue;
    }
    // A segment wholly below the recovery point was fsynced before the checkpoint named it;
    // after a clean shutdown every segment was (LogLoader.recoverLog).
    const bool below_recovery_point = i + 1 < bases.size() && bases[i + 1] <= hints.recovery_point;
    const bool swapped_in =
        std::find(must_validate.begin(), must_validate.end(), base) != must_validate.end();
    if ((below_recovery_point || hints.had_clean_shutdown) && !swapped_in) {
      Result<std::unique_ptr<LogSegment>> opened =
          LogSegment::Open(fs_, dir_, base, segment_options());
      if (opened.ok()) {
        ++report.segments_trusted;
        report.bytes_trusted += static_cast<std::int64_t>((*opened)->size());
        segments_[base] = std::move(*opened);
        continue;
      }
    }
    Result<std::unique_ptr<LogSegment>> attached =
        LogSegment::Attach(fs_, dir_, base, segment_options());
    if (!attached.ok()) return attached.status();
    Result<SegmentRecovery> recovered = (*attached)->Recover(on_batch);
    if (!recovered.ok()) return recovered.status();
    ++report.segments_validated;
    report.bytes_validated += static_cast<std::int64_t>((*attached)->size());
    segments_[base] = std::move(*attached);
    if (recovered->bytes_dropped > 0) {
      report.bytes_dropped += static_cast<std::int64_t>(recovered->bytes_dropped);
      report.batches_dropped += 1;
      report.reason = recovered->reason;
      cut = true;
    }
  }
  if (segments_.empty()) {
    const std::int64_t base = std::max<std::int64_t>(hints.log_start_offset, 0);
    Result<std::unique_ptr<LogSegment>> created =
        LogSegment::Create(fs_, dir_, base, segment_options());
    if (!created.ok()) return created.status();
    segments_[base] = std::move(*created);
  }
  const std::int64_t leo = log_end_offset();
  log_start_offset_ = std::clamp(hints.log_start_offset, segments_.begin()->first, leo);
  high_watermark_ = std::clamp(hints.high_watermark, log_start_offset_, leo);
  recovery_point_ = std::clamp(hints.recovery_point, log_start_offset_, leo);
  if (Status s = epochs_->TruncateFromEnd(leo); !s.ok()) return s;
  if (Status s = epochs_->TruncateFromStart(log_start_offset_); !s.ok()) return s;
  // LogLoader: producer snapshots outside the recovered log are stale.
  if (Status s = DeleteSnapshotsOutside(log_start_offset_, leo); !s.ok()) return s;
  // What recovery validated (and truncated) is made durable, as Kafka does before it moves
  // the recovery point.
  return Flush();
}

Status PartitionLog::DropSegmentFiles(std::int64_t base, RecoveryReport& report) {
  const std::string stem = dir_ + "/" + SegmentFileStem(base);
  Result<Bytes> bytes = fs_.ReadFile(stem + kLogFileSuffix);
  if (bytes.ok()) {
    report.bytes_dropped += static_cast<std::int64_t>(bytes->size());
    // Count the batches that were readable, for the report.
    std::size_t position = 0;
    const std::span<const std::uint8_t> all(*bytes);
    while (position < all.size()) {
      Result<BatchHeader> h = CheckBatch(all.subspan(position));
      if (!h.ok()) break;
      ++report.batches_dropped;
      position += h->size_in_bytes();
    }
  }
  for (const char* suffix : {kLogFileSuffix, kIndexFileSuffix, kTimeIndexFileSuffix}) {
    if (!fs_.Exists(stem + suffix)) continue;
    if (Status s = fs_.Remove(stem + suffix); !s.ok()) return s;
  }
  ++report.segments_deleted;
  return Status::Ok();
}

}  // namespace kafkasim::storage
