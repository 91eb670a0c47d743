// One segment of a partition's log: <base>.log holding batches back to back, with its sparse
// .index and .timeindex (LogSegment.java). Segments are append-only except for truncation.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/file_system.h"
#include "storage/offset_index.h"
#include "storage/record_batch.h"
#include "storage/time_index.h"

namespace kafkasim::storage {

// "00000000000000000042": the 20-digit name Kafka gives a segment with base offset 42.
std::string SegmentFileStem(std::int64_t base_offset);

struct SegmentOptions {
  std::int32_t index_interval_bytes = 4096;
  std::size_t max_index_entries = 10485760 / 8;  // segment.index.bytes / entry size
};

// What recovering a segment found.
struct SegmentRecovery {
  std::uint64_t valid_bytes = 0;
  std::uint64_t bytes_dropped = 0;  // truncated off the end of this segment
  std::int64_t batches_valid = 0;
  std::string reason;  // why bytes were dropped ("" when none were)
};

class LogSegment {
 public:
  // Creates empty .log/.index/.timeindex files in dir (which must exist), each name followed
  // by file_suffix ("" or ".cleaned" for the cleaner's new segment).
  static Result<std::unique_ptr<LogSegment>> Create(FileSystem& fs, const std::string& dir,
                                                    std::int64_t base_offset,
                                                    SegmentOptions options,
                                                    const std::string& file_suffix = "");
  // Opens existing files and trusts them: sizes from the .log, indexes loaded from disk (or
  // rebuilt from the .log when they fail their sanity check). Batches are not re-validated.
  static Result<std::unique_ptr<LogSegment>> Open(FileSystem& fs, const std::string& dir,
                                                  std::int64_t base_offset, SegmentOptions options);

  // Attaches to existing files without reading them; call Recover next (crash recovery).
  static Result<std::unique_ptr<LogSegment>> Attach(FileSystem& fs, const std::string& dir,
                                                    std::int64_t base_offset,
                                                    SegmentOptions options);

  // Appends one batch already checked by CheckBatch (its header given), base offset >=
  // next_offset(). Adds index entries by Kafka's rule (index.interval.bytes counted before
  // each batch).
  Status Append(std::span<const std::uint8_t> batch, const BatchHeader& header);
  // Re-reads the whole .log validating every batch, rebuilds both indexes and truncates at the
  // first bad or partial batch. on_batch sees each valid batch in order.
  Result<SegmentRecovery> Recover(const std::function<void(const BatchHeader&)>& on_batch);

  // Byte range of the batches to return for a fetch at `offset`: starts at the batch holding
  // offset, takes whole batches while they fit in max_bytes (the first always) and end below
  // max_offset. Empty when no batch here has last offset >= offset.
  struct Slice {
    std::uint32_t position = 0;
    std::uint32_t size = 0;
  };
  // With `headers`, also appends the header of each batch in the slice (base offset, length,
  // last offset delta, leader epoch, CRC and max timestamp; the other fields are left unset).
  // `active`: whether this is its log's last segment (reads there keep a list of its batches;
  // the answer is the same either way).
  Result<Slice> Find(std::int64_t offset, std::int32_t max_bytes, std::int64_t max_offset,
                     std::vector<BatchHeader>* headers = nullptr, bool active = false) const;
  Status ReadBytes(Slice slice, Bytes& out) const;

  // Removes every batch with last offset >= offset (a batch is never split). Returns the bytes
  // removed.
  Result<std::uint64_t> TruncateTo(std::int64_t offset);
  // Called when the segment stops being the active one: adds the final time index entry.
  Status OnBecomeInactive();
  Status Flush();
  Status DeleteFiles();
  // Renames the three files from <name><old_suffix> to <name><new_suffix>
  // (LogSegment.changeFileSuffixes): the cleaner's .cleaned -> .swap -> "" steps. The .log
  // is renamed last, so a crash between the renames leaves the .log under its old suffix.
  Status ChangeFileSuffixes(const std::string& old_suffix, const std::string& new_suffix);

  std::int64_t base_offset() const { return base_offset_; }
  // One past the last offset stored here (base_offset when empty).
  std::int64_t next_offset() const { return next_offset_; }
  std::uint64_t size() const { return size_; }
  std::int64_t max_timestamp() const { return max_timestamp_so_far_; }
  // maxTimestamp of the first batch: what segment.ms counts from (-1 when empty).
  std::int64_t rolling_based_timestamp() const { return rolling_based_timestamp_; }
  bool indexes_full() const { return offset_index_.full() || time_index_.full(); }
  const OffsetIndex& offset_index() const { return offset_index_; }
  const TimeIndex& time_index() const { return time_index_; }
  std::string log_path() const { return log_path_; }

 private:
  LogSegment(FileSystem& fs, const std::string& dir, std::int64_t base_offset,
             SegmentOptions options, const std::string& file_suffix = "");
  // Index bookkeeping for one batch about to be written at `position`.
  Status IndexBatch(const BatchHeader& header, std::uint32_t position);
  Status ResetIndexes();
  Result<BatchHeader> ReadHeaderAt(std::uint64_t position) const;

  FileSystem& fs_;
  std::string stem_;  // <dir>/<20-digit base offset>
  std::string log_path_;
  std::int64_t base_offset_;
  SegmentOptions options_;
  OffsetIndex offset_index_;
  TimeIndex time_index_;
  std::uint64_t size_ = 0;
  std::int64_t next_offset_;
  std::uint64_t bytes_since_last_index_entry_ = 0;
  std::int64_t max_timestamp_so_far_ = kNoTimestamp;
  std::int64_t offset_of_max_timestamp_so_far_ = -1;
  std::int64_t rolling_based_timestamp_ = kNoTimestamp;

  // Batch starts that recent Finds began or ended at. Readers mostly read on from where they
  // stopped (followers and consumers fetch at the offset after their last batch, the guarantee
  // checks at the offset they last checked), so a Find starts at a remembered batch at or
  // below its offset instead of walking headers from the offset index entry. The result is
  // the same: every batch before a remembered start ends below its base offset. Forgotten
  // when the file changes other than by an append (truncation, recovery, a corrupted byte).
  struct FoundBatch {
    std::int64_t base_offset = -1;  // -1: empty slot
    std::uint64_t position = 0;
  };
  void RememberBatch(std::int64_t base_offset, std::uint64_t position) const;
  void ForgetFoundBatches() const;
  mutable std::array<FoundBatch, 4> found_{};
  mutable std::size_t found_next_ = 0;
  mutable std::uint64_t found_corruptions_ = 0;

  // What Find reports of each batch in the file, in file order, so that reads of the active
  // segment (where followers, consumers and the guarantee checks read nearly always) walk no
  // headers in the file: that walk was about 5% of a long run. Built by one walk at the second
  // Find that wants it, then kept up by Append; let go when the segment stops being active (a
  // roll, or a Find that says so), so memory holds it for one segment per log that is read.
  // Used only while the file is known to be whole: since this object created it, recovered it
  // or opened it on a disk that never had a corrupted byte, and no byte of the disk has been
  // corrupted since (a corrupted header must be read as Kafka reads it). Then the batches are
  // the ones a walk from any offset index entry meets, so Find's answer is the same.
  struct KnownBatch {
    std::int64_t base_offset = 0;
    std::int64_t max_timestamp = 0;
    std::uint32_t position = 0;
    std::int32_t batch_length = 0;
    std::int32_t last_offset_delta = 0;
    std::int32_t partition_leader_epoch = 0;
    std::uint32_t crc = 0;

    static KnownBatch Of(const BatchHeader& h, std::uint64_t position);
    std::int64_t last_offset() const { return base_offset + last_offset_delta; }
    // The header as ReadHeaderAt gives it (the fields it reads; the others left unset).
    BatchHeader Header() const;
  };
  // Find over known_; same contract.
  Slice FindKnown(std::int64_t offset, std::int32_t max_bytes, std::int64_t max_offset,
                  std::vector<BatchHeader>* headers) const;
  // Whether the file is whole as this object knows it (see known_).
  bool Whole() const { return whole_ && fs_.corruption_count() == whole_corruptions_; }
  void SetWhole(bool whole);
  // Fills known_ by walking the file; false when a header does not read or offsets do not
  // grow, and the file is then no longer taken as whole (until recovered again).
  bool BuildKnown() const;
  void ReleaseKnown() const;

  mutable bool whole_ = false;
  std::uint64_t whole_corruptions_ = 0;
  mutable bool known_built_ = false;
  mutable std::uint32_t active_reads_ = 0;  // reads while active, until the list is built
  mutable std::vector<KnownBatch> known_;
};

}  // namespace kafkasim::storage
