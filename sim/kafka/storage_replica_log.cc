// ReplicaLog over the storage module's PartitionLog: the broker's partitions and the metadata
// log are real Kafka log directories on the node's (simulated or real) disk.
#include <fmt/format.h>

#include "kafka/replica_log.h"
#include "storage/partition_log.h"

namespace kafkasim::kafka {
namespace {

class StorageReplicaLog final : public ReplicaLog {
 public:
  explicit StorageReplicaLog(std::unique_ptr<storage::PartitionLog> log) : log_(std::move(log)) {
    Refresh();
  }

  Status UpdateConfig(const ReplicaLogConfig& config) override;

  std::int64_t log_start_offset() const override { return offsets_.log_start; }
  std::int64_t log_end_offset() const override { return offsets_.log_end; }
  std::int64_t high_watermark() const override { return offsets_.high_watermark; }
  void UpdateHighWatermark(std::int64_t offset) override {
    const Refreshing refreshing{this};
    log_->UpdateHighWatermark(offset);
  }
  std::int64_t recovery_point() const override { return log_->recovery_point(); }
  std::int64_t first_segment_base_offset() const override {
    return log_->segments().front().base_offset;
  }

  Result<AppendResult> AppendAsLeader(std::span<const std::uint8_t> batch,
                                      std::int32_t leader_epoch, Time now) override {
    const Refreshing refreshing{this};
    Result<storage::LogAppendInfo> info = log_->AppendAsLeader(batch, leader_epoch, now);
    if (!info.ok()) return info.status();
    AppendResult r{info->first_offset, info->last_offset, info->duplicate};
    r.record_count = info->record_count;
    r.producer_id = info->producer_id;
    r.base_sequence = info->base_sequence;
    r.last_sequence = info->last_sequence;
    return r;
  }

  std::optional<std::pair<std::int32_t, std::int32_t>> LastSequenceOf(
      std::int64_t producer_id) const override {
    // Loading the state from the log is not an observable change of the log.
    if (!log_->LoadProducerState().ok()) return std::nullopt;
    const storage::ProducerStateEntry* entry = log_->producer_state().Entry(producer_id);
    if (entry == nullptr || entry->batches.empty()) return std::nullopt;
    return std::make_pair(entry->batches.back().first_sequence,
                          entry->batches.back().last_sequence);
  }

  Result<AppendResult> AppendAsFollower(std::span<const std::uint8_t> batches, Time now) override {
    const Refreshing refreshing{this};
    Result<storage::LogAppendInfo> info = log_->AppendAsFollower(batches, now);
    if (!info.ok()) return info.status();
    return AppendResult{info->first_offset, info->last_offset};
  }

  Result<std::vector<std::uint8_t>> Read(std::int64_t offset, std::int32_t max_bytes,
                                         std::int64_t max_offset) const override {
    Result<storage::FetchResult> r = log_->Read(offset, max_bytes, max_offset);
    if (!r.ok()) return r.status();
    return std::move(r->records);
  }
  Result<std::vector<storage::BatchHeader>> ReadHeaders(std::int64_t offset, std::int32_t max_bytes,
                                                        std::int64_t max_offset) const override {
    return log_->ReadHeaders(offset, max_bytes, max_offset);
  }

  Status TruncateTo(std::int64_t offset) override {
    const Refreshing refreshing{this};
    return log_->TruncateTo(offset);
  }
  Status TruncateFullyAndStartAt(std::int64_t offset) override {
    const Refreshing refreshing{this};
    return log_->TruncateFullyAndStartAt(offset);
  }
  Status Flush() override {
    const Refreshing refreshing{this};
    return log_->Flush();
  }
  Status SnapshotProducersAtClose() override {
    const Refreshing refreshing{this};
    return log_->TakeProducerSnapshot(log_->log_end_offset(), true);
  }

  std::vector<std::string> RunRetention(Time now) override {
    const Refreshing refreshing{this};
    std::vector<std::string> notes;
    Result<std::optional<std::int64_t>> rolled = log_->MaybeRoll(now);
    if (rolled.ok() && rolled->has_value()) {
      notes.push_back(fmt::format("rolled a new segment at offset {} (segment.ms)", **rolled));
    }
    Result<storage::RetentionResult> r = log_->DeleteOldSegments(now);
    if (r.ok() && !r->deleted.empty()) {
      notes.push_back(fmt::format("deleted {} old segment(s); log start offset is now {} ({})",
                                  r->deleted.size(), r->log_start_offset, r->reason));
    }
    return notes;
  }

  std::optional<CleanableLog> Cleanable(std::optional<std::int64_t> checkpoint,
                                        Time now) const override {
    if (!log_->config().cleanup_policy_compact) return std::nullopt;
    const storage::LogToClean c = log_->CleanableSection(checkpoint, now);
    return CleanableLog{c.first_dirty_offset, c.first_uncleanable_offset, c.cleanable_ratio(),
                        c.ShouldClean(log_->config().min_cleanable_dirty_ratio)};
  }

  Result<CleanSummary> Clean(std::optional<std::int64_t> checkpoint, Time now) override {
    const Refreshing refreshing{this};
    Result<storage::CleanResult> r = log_->Clean(checkpoint, now);
    if (!r.ok()) return r.status();
    CleanSummary c;
    c.first_dirty_offset = r->first_dirty_offset;
    c.end_offset = r->end_offset;
    c.segments_before = r->segments_before;
    c.segments_after = r->segments_after;
    c.bytes_before = static_cast<std::int64_t>(r->bytes_before);
    c.bytes_after = static_cast<std::int64_t>(r->bytes_after);
    c.records_read = r->records_read;
    c.records_retained = r->records_retained;
    c.tombstones_removed = r->tombstones_removed;
    return c;
  }

  bool compacted() const override { return log_->config().cleanup_policy_compact; }
  std::int64_t active_segment_base_offset() const override {
    return log_->segments().back().base_offset;
  }

  std::optional<std::int64_t> TakeTruncationPoint() override {
    const Refreshing refreshing{this};
    return log_->TakeTruncationPoint();
  }

  Status WritePartitionMetadata(const Uuid& topic_id) override {
    const Refreshing refreshing{this};
    return log_->WritePartitionMetadata(topic_id);
  }
  Status AssignEpochStart(std::int32_t epoch, std::int64_t start_offset) override {
    const Refreshing refreshing{this};
    return log_->AssignLeaderEpoch(epoch, start_offset);
  }
  std::int32_t LatestEpoch() const override {
    return log_->leader_epochs().latest_epoch().value_or(-1);
  }
  std::pair<std::int32_t, std::int64_t> EndOffsetForEpoch(std::int32_t epoch) const override {
    return log_->leader_epochs().EndOffsetFor(epoch, log_->log_end_offset());
  }

  void CountOffsetMovesIn(std::uint64_t* moves) override { offset_moves_ = moves; }

  LogSummary Describe() const override {
    LogSummary v;
    v.log_start_offset = log_->log_start_offset();
    v.high_watermark = log_->high_watermark();
    v.log_end_offset = log_->log_end_offset();
    for (const storage::SegmentInfo& s : log_->segments()) {
      SegmentSummary seg;
      seg.base_offset = s.base_offset;
      seg.next_offset = s.next_offset;
      seg.size_bytes = static_cast<std::int64_t>(s.size_bytes);
      const std::string base = fmt::format("{:020d}", s.base_offset);
      seg.files = {base + ".log", base + ".index", base + ".timeindex"};
      v.segments.push_back(std::move(seg));
    }
    for (const auto& e : log_->leader_epochs().entries()) {
      v.leader_epochs.emplace_back(e.epoch, e.start_offset);
    }
    return v;
  }

 private:
  // The three offsets, copied from the storage log after every call that may move them (each
  // non-const call, on every path out): the broker reads them on every fetch and produce, and
  // the GUI's snapshot for every replica each frame, while the storage log keeps its end in the
  // active segment behind a map, several cache misses away.
  struct Offsets {
    std::int64_t log_start = 0;
    std::int64_t high_watermark = 0;
    std::int64_t log_end = 0;
    bool operator==(const Offsets&) const = default;
  };
  struct Refreshing {
    StorageReplicaLog* log;
    ~Refreshing() { log->Refresh(); }
  };
  void Refresh() {
    const Offsets now{log_->log_start_offset(), log_->high_watermark(), log_->log_end_offset()};
    if (now == offsets_) return;
    offsets_ = now;
    if (offset_moves_ != nullptr) ++*offset_moves_;
  }

  std::unique_ptr<storage::PartitionLog> log_;
  Offsets offsets_;
  std::uint64_t* offset_moves_ = nullptr;
};

// The storage layer's LogConfig for a ReplicaLogConfig.
Result<storage::LogConfig> ToStorageConfig(const ReplicaLogConfig& config) {
  storage::LogConfig lc;
  lc.segment_bytes = config.segment_bytes;
  lc.segment_ms = config.segment_ms;
  lc.segment_jitter_ms = config.segment_jitter_ms;
  lc.segment_index_bytes = config.segment_index_bytes;
  lc.flush_messages = config.flush_messages;
  lc.retention_ms = config.retention_ms;
  lc.retention_bytes = config.retention_bytes;
  lc.index_interval_bytes = config.index_interval_bytes;
  lc.max_message_bytes = config.max_message_bytes;
  lc.message_timestamp_log_append_time = config.message_timestamp_log_append_time;
  lc.cleanup_policy_compact = config.cleanup_policy_compact;
  lc.cleanup_policy_delete = config.cleanup_policy_delete;
  lc.delete_retention_ms = config.delete_retention_ms;
  lc.min_cleanable_dirty_ratio = config.min_cleanable_dirty_ratio;
  lc.min_compaction_lag_ms = config.min_compaction_lag_ms;
  lc.max_compaction_lag_ms = config.max_compaction_lag_ms;
  // BrokerCompressionType: "producer" keeps the batch's codec, "uncompressed" is none.
  if (config.compression_type != "producer") {
    lc.compression_type = config.compression_type == "uncompressed"
                              ? std::optional(storage::CompressionType::kNone)
                              : storage::CompressionTypeFromName(config.compression_type);
    if (!lc.compression_type) {
      return Status(Errc::kInvalidConfig,
                    "compression.type " + config.compression_type +
                        " is not one of producer, uncompressed, gzip, snappy, lz4, zstd");
    }
  }
  return lc;
}

Status StorageReplicaLog::UpdateConfig(const ReplicaLogConfig& config) {
  const Refreshing refreshing{this};
  Result<storage::LogConfig> converted = ToStorageConfig(config);
  if (!converted.ok()) return converted.status();
  log_->set_config(*converted);
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<ReplicaLog>> OpenReplicaLog(FileSystem& disk, const std::string& log_dir,
                                                   const std::string& topic, std::int32_t partition,
                                                   const ReplicaLogConfig& config, Time now,
                                                   const ReplicaLogHints& hints,
                                                   ReplicaLogOpenInfo* info) {
  Result<storage::LogConfig> converted = ToStorageConfig(config);
  if (!converted.ok()) return converted.status();
  const storage::LogConfig& lc = *converted;
  storage::LogOpenHints open_hints;
  open_hints.recovery_point = hints.recovery_point;
  open_hints.log_start_offset = hints.log_start_offset;
  open_hints.high_watermark = hints.high_watermark;
  open_hints.had_clean_shutdown = hints.had_clean_shutdown;
  storage::RecoveryReport report;
  Result<std::unique_ptr<storage::PartitionLog>> log =
      storage::PartitionLog::Open(disk, log_dir, topic, partition, lc, now, &report, open_hints);
  if (!log.ok()) return log.status();
  if (info != nullptr) {
    info->cleaner_leftovers = report.cleaner_leftovers;
    info->recovered_from = report.recovered_from;
    info->segments_trusted = report.segments_trusted;
    info->bytes_trusted = report.bytes_trusted;
    info->segments_validated = report.segments_validated;
    info->bytes_validated = report.bytes_validated;
    if (report.dropped_anything()) {
      info->dropped = fmt::format("recovery dropped {} byte(s) in {} batch(es) after offset {}: {}",
                                  report.bytes_dropped, report.batches_dropped,
                                  report.recovered_from, report.reason);
    }
  }
  return std::unique_ptr<ReplicaLog>(std::make_unique<StorageReplicaLog>(std::move(*log)));
}

std::vector<std::uint8_t> BuildRecordBatch(const std::vector<ProducedRecord>& records,
                                           const ProducerBatchInfo& producer,
                                           const std::string& compression) {
  // The producer's strings are encoded where they are, not copied into Records first.
  const auto view = [](const std::optional<std::string>& text) {
    return text ? std::optional<std::span<const std::uint8_t>>(
                      std::in_place, reinterpret_cast<const std::uint8_t*>(text->data()),
                      text->size())
                : std::nullopt;
  };
  std::vector<storage::RecordView> out;
  out.reserve(records.size());
  for (const ProducedRecord& r : records) {
    storage::RecordView& v = out.emplace_back();
    v.timestamp = r.timestamp_ms;
    v.key = view(r.key);
    v.value = view(r.value);
  }
  storage::BatchOptions options;
  const std::optional<storage::CompressionType> codec =
      storage::CompressionTypeFromName(compression);
  KSIM_ASSERT_MSG(codec.has_value(), "unknown compression " + compression);
  options.compression = *codec;
  options.producer_id = producer.producer_id;
  options.producer_epoch = producer.producer_epoch;
  options.base_sequence = producer.base_sequence;
  return storage::BuildBatch(std::span<const storage::RecordView>(out), options);
}

ProducerBatchInfo ProducerOfBatch(std::span<const std::uint8_t> batch) {
  const Result<storage::BatchHeader> h = storage::ParseBatchHeader(batch);
  if (!h.ok()) return {};
  return ProducerBatchInfo{h->producer_id, h->producer_epoch, h->base_sequence};
}

std::int64_t NextOffsetAfter(std::span<const std::uint8_t> batches) {
  std::int64_t next = -1;
  while (!batches.empty()) {
    const Result<storage::BatchHeader> h = storage::ParseBatchHeader(batches);
    if (!h.ok()) break;
    next = h->next_offset();
    batches = batches.subspan(h->size_in_bytes());
  }
  return next;
}

Result<std::vector<ConsumedRecord>> DecodeBatches(std::span<const std::uint8_t> batches) {
  std::vector<ConsumedRecord> out;
  const auto text = [](const std::optional<std::span<const std::uint8_t>>& bytes) {
    return bytes ? std::optional<std::string>(
                       std::in_place, reinterpret_cast<const char*>(bytes->data()), bytes->size())
                 : std::nullopt;
  };
  const Status s = storage::VisitRecords(
      batches, [&out, &text](const storage::BatchHeader& h, const storage::RecordView& r) {
        ConsumedRecord& c = out.emplace_back();
        c.offset = h.base_offset + r.offset_delta;
        // DefaultRecordBatch: with LogAppendTime every record carries the batch's max timestamp.
        c.log_append_time = h.log_append_time();
        c.timestamp_ms = c.log_append_time ? h.max_timestamp : r.timestamp;
        c.leader_epoch = h.partition_leader_epoch;
        c.key = text(r.key);
        c.value = text(r.value);
      });
  if (!s.ok()) return s;
  return out;
}

}  // namespace kafkasim::kafka
