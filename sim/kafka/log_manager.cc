// The broker's log dir upkeep (LogManager.scala, ReplicaManager.checkpointHighWatermarks,
// MetaPropertiesEnsemble.java): meta.properties, the three offset checkpoints in the log dir
// root, and the .kafka_cleanshutdown marker. The node's disk root is its one log dir.
#include "kafka/log_manager.h"

#include <fmt/format.h>

#include "engine/assert.h"
#include "engine/prng.h"
#include "kafka/trace_kinds.h"
#include "storage/checkpoint_file.h"
#include "storage/format.h"

namespace kafkasim::kafka {
namespace {

std::string Text(const std::vector<std::uint8_t>& bytes) {
  return std::string(bytes.begin(), bytes.end());
}

// Kafka's DirectoryId.reserved: UNASSIGNED, LOST, MIGRATING and the rest of the first 100.
bool ReservedDirectoryId(const Uuid& id) { return id.high == 0 && id.low < 100; }

}  // namespace

LogManager::LogManager(BrokerIo& io, std::string log_dir, ReplicaLogConfig defaults)
    : io_(io), log_dir_(std::move(log_dir)), defaults_(defaults) {}

storage::MetaProperties FormattedMetaProperties(std::uint64_t seed, const std::string& node_name,
                                                std::int32_t node_id,
                                                const std::string& cluster_id) {
  // The id comes from a stream of its own so that formatting leaves the node's other random
  // draws as they were.
  Rng rng = Rng::Stream(seed, node_name + "/directory.id");
  Uuid directory_id;
  do {
    directory_id = Uuid{rng.NextU64(), rng.NextU64()};
  } while (ReservedDirectoryId(directory_id));
  storage::MetaProperties meta;
  meta.node_id = node_id;
  meta.cluster_id = cluster_id;
  meta.directory_id = directory_id.ToBase64();
  return meta;
}

bool LoadMetaProperties(BrokerIo& io, std::int32_t node_id, bool format_if_missing) {
  FileSystem& disk = io.disk();
  NodeEnv& env = io.env();
  const std::string path = storage::kMetaPropertiesFile;
  if (!disk.Exists(path) && !format_if_missing) {
    // MetaPropertiesEnsemble.verify with REQUIRE_AT_LEAST_ONE_VALID: an unformatted log dir.
    const std::string failure = "No readable meta.properties files found.";
    io.Probe("node.startup_failed");
    io.Emit(trace_kind::kNodeStartupFailed, "failed to start: " + failure, {{"reason", failure}});
    env.simulation().StopNode(env.self());
    return false;
  }
  if (!disk.Exists(path)) {
    // First start: what `kafka-storage.sh format` would have written.
    const storage::MetaProperties meta = FormattedMetaProperties(
        env.simulation().seed(), env.name(), node_id, io.directory().cluster_id);
    Status s = disk.WriteFileAtomically(path, storage::FormatMetaProperties(meta));
    if (s.ok()) return true;
    io.Probe("node.startup_failed");
    io.Emit(trace_kind::kNodeStartupFailed,
            fmt::format("failed to start: could not write {} ({})", path, s.ToString()),
            {{"reason", s.ToString()}});
    env.simulation().StopNode(env.self());
    return false;
  }
  std::string failure;
  Result<std::vector<std::uint8_t>> bytes = disk.ReadFile(path);
  Result<storage::MetaProperties> meta = bytes.ok()
                                             ? storage::ParseMetaProperties(Text(*bytes), path)
                                             : Result<storage::MetaProperties>(bytes.status());
  // The checks and messages of MetaPropertiesEnsemble.verify.
  if (!meta.ok()) {
    failure = fmt::format("No readable meta.properties files found. ({})", meta.status().message());
  } else if (meta->cluster_id != io.directory().cluster_id) {
    failure = fmt::format("Invalid cluster.id in: {}. Expected {}, but read {}", path,
                          io.directory().cluster_id, meta->cluster_id);
  } else if (meta->node_id != node_id) {
    failure = fmt::format(
        "Stored node id {} doesn't match previous node id {} in {}. If you moved your data, "
        "make sure your configured node id matches. If you intend to create a new node, you "
        "should remove all data in your data directories.",
        meta->node_id, node_id, path);
  }
  if (failure.empty()) return true;
  io.Probe("node.startup_failed");
  io.Emit(trace_kind::kNodeStartupFailed, "failed to start: " + failure, {{"reason", failure}});
  // The process exits with the error: a clean stop, its sockets close.
  env.simulation().StopNode(env.self());
  return false;
}

void LogManager::LoadCheckpoints() {
  FileSystem& disk = io_.disk();
  // LogManager.lockLogDirs: the process holds a lock on <log dir>/.lock while it runs (the
  // simulator keeps no lock; the empty file is there as Kafka leaves it).
  if (!disk.Exists(storage::kLockFile)) {
    if (Status s = disk.CreateFile(storage::kLockFile); !s.ok()) {
      return HandleLogDirFailure(s, "creating the log dir's .lock file");
    }
  }
  had_clean_shutdown_ = disk.Exists(storage::kCleanShutdownFile);
  if (had_clean_shutdown_) {
    // The marker only speaks for the shutdown that wrote it (LogManager.loadLogs deletes it).
    if (Status s = disk.Remove(storage::kCleanShutdownFile); !s.ok()) {
      return HandleLogDirFailure(s, "removing the clean shutdown marker");
    }
    io_.Probe("log.clean_shutdown_found");
  }
  auto load = [&](const char* file, OffsetMap& into) {
    if (!disk.Exists(file)) return;
    Result<std::vector<storage::TopicPartitionOffset>> entries =
        storage::ReadOffsetCheckpoint(disk, file);
    if (!entries.ok()) {
      // Kafka warns and goes on without it: logs are then recovered from offset 0.
      io_.Emit(trace_kind::kLogCheckpointUnreadable,
               fmt::format("could not read {} ({}); going on without it", file,
                           entries.status().message()));
      return;
    }
    for (const storage::TopicPartitionOffset& e : *entries) {
      into[{e.topic, e.partition}] = e.offset;
    }
    checkpoint_written_[file] = storage::FormatOffsetCheckpoint(*entries);
  };
  load(storage::kRecoveryPointCheckpointFile, unopened_recovery_points_);
  load(storage::kLogStartOffsetCheckpointFile, unopened_log_start_offsets_);
  load(storage::kReplicationOffsetCheckpointFile, unopened_high_watermarks_);
  load(storage::kCleanerOffsetCheckpointFile, cleaner_offsets_);
}

ReplicaLogHints LogManager::TakeLogHints(const std::string& topic, std::int32_t partition) {
  ReplicaLogHints hints;
  hints.had_clean_shutdown = had_clean_shutdown_;
  auto take = [&](OffsetMap& from, std::int64_t& into) {
    const auto it = from.find({topic, partition});
    if (it == from.end()) return;
    into = it->second;
    from.erase(it);
  };
  take(unopened_recovery_points_, hints.recovery_point);
  take(unopened_log_start_offsets_, hints.log_start_offset);
  take(unopened_high_watermarks_, hints.high_watermark);
  return hints;
}

void LogManager::WriteOffsetCheckpointFile(const char* file, const OffsetMap& entries) {
  std::vector<storage::TopicPartitionOffset> list;
  list.reserve(entries.size());
  for (const auto& [key, offset] : entries) list.push_back({key.first, key.second, offset});
  std::string text = storage::FormatOffsetCheckpoint(list);
  const auto it = checkpoint_written_.find(file);
  if (it != checkpoint_written_.end() && it->second == text) return;  // nothing moved
  // tmp file, fsync, rename: a crash leaves the old checkpoint or the new one, never a torn one.
  Status s = storage::WriteOffsetCheckpoint(io_.disk(), file, list);
  if (!s.ok()) {
    // Kafka's checkpoint writers turn an IOException into a KafkaStorageException: the log
    // dir fails.
    io_.Emit(trace_kind::kLogCheckpointFailed,
             fmt::format("could not write {}: {}", file, s.ToString()));
    return HandleLogDirFailure(s, fmt::format("writing {}", file));
  }
  checkpoint_written_[file] = std::move(text);
}

void LogManager::CheckpointHighWatermarks() {
  if (failed_) return;
  OffsetMap entries = unopened_high_watermarks_;
  for (const auto& [key, log] : logs_) entries[key] = log->high_watermark();
  WriteOffsetCheckpointFile(storage::kReplicationOffsetCheckpointFile, entries);
}

void LogManager::CheckpointRecoveryPoints() {
  if (failed_) return;
  OffsetMap entries = unopened_recovery_points_;
  for (const auto& [key, log] : logs_) entries[key] = log->recovery_point();
  WriteOffsetCheckpointFile(storage::kRecoveryPointCheckpointFile, entries);
}

void LogManager::CheckpointLogStartOffsets() {
  if (failed_) return;
  // Only logs whose start is above their first segment's base (checkpointLogStartOffsetsInDir):
  // for the others, the segments themselves say where the log starts.
  OffsetMap entries = unopened_log_start_offsets_;
  for (const auto& [key, log] : logs_) {
    if (log->log_start_offset() > log->first_segment_base_offset()) {
      entries[key] = log->log_start_offset();
    }
  }
  WriteOffsetCheckpointFile(storage::kLogStartOffsetCheckpointFile, entries);
}

void LogManager::ShutDown() {
  if (failed_) return;
  // ReplicaManager.shutdown checkpoints the high watermarks, then LogManager.shutdown flushes
  // every log (so its recovery point is its log end), checkpoints and marks the clean stop.
  CheckpointHighWatermarks();
  Status flushed = Status::Ok();
  for (auto& [key, log] : logs_) {
    if (Status s = log->Flush(); !s.ok() && flushed.ok()) flushed = s;
    if (Status s = log->SnapshotProducersAtClose(); !s.ok() && flushed.ok()) flushed = s;
  }
  CheckpointRecoveryPoints();
  CheckpointLogStartOffsets();
  if (failed_) return;
  if (flushed.ok()) flushed = io_.disk().CreateFile(storage::kCleanShutdownFile);
  if (!flushed.ok()) {
    // Without the marker the next start recovers from the recovery points: still correct.
    io_.Emit(trace_kind::kLogCleanShutdownFailed,
             fmt::format("could not flush its logs cleanly ({}); the next start recovers them",
                         flushed.ToString()));
    return;
  }
  io_.Emit(trace_kind::kLogCleanShutdown,
           fmt::format("flushed {} log(s), wrote its checkpoints and {}: the next start skips "
                       "log recovery",
                       logs_.size(), storage::kCleanShutdownFile));
}

Result<std::unique_ptr<ReplicaLog>> LogManager::GetOrCreateLog(const std::string& topic,
                                                               const Uuid& topic_id,
                                                               std::int32_t partition,
                                                               const ReplicaLogConfig& config) {
  KSIM_ASSERT(!failed_);
  KSIM_ASSERT(logs_.count({topic, partition}) == 0);
  const std::string name = PartitionName(topic, partition);
  FileSystem& disk = io_.disk();
  const bool on_disk = disk.Exists(name);
  const ReplicaLogHints hints = TakeLogHints(topic, partition);
  ReplicaLogOpenInfo info;
  Result<std::unique_ptr<ReplicaLog>> log =
      OpenReplicaLog(disk, "", topic, partition, config, io_.Now(), hints, &info);
  if (!log.ok()) return log.status();
  if (!disk.Exists(name + "/" + storage::kPartitionMetadataFile)) {
    if (Status written = (*log)->WritePartitionMetadata(topic_id); !written.ok()) return written;
  }
  if (!info.cleaner_leftovers.empty()) {
    io_.Probe("log.cleaner.recovered_interrupted_clean");
    io_.Emit(trace_kind::kLogRecovery, fmt::format("{}: {}", name, info.cleaner_leftovers));
  }
  if (!info.dropped.empty()) {
    io_.Emit(trace_kind::kLogRecovery, fmt::format("{}: {}", name, info.dropped));
  }
  if (on_disk && info.bytes_trusted + info.bytes_validated > 0) {
    EmitLogLoaded(name, **log, hints, info);
  }
  (*log)->CountOffsetMovesIn(&offset_moves_);
  logs_[{topic, partition}] = log->get();
  return log;
}

void LogManager::EmitLogLoaded(const std::string& name, const ReplicaLog& log,
                               const ReplicaLogHints& hints, const ReplicaLogOpenInfo& info) {
  // What the log dir's checkpoints let this start skip (LogLoader.recoverLog).
  std::string how;
  if (info.segments_validated == 0) {
    io_.Probe("log.recovery.skipped");
    how = fmt::format("trusted all {} segment(s) ({} bytes) without re-reading them",
                      info.segments_trusted, info.bytes_trusted);
  } else {
    if (info.segments_trusted > 0) io_.Probe("log.recovery.skipped");
    how = fmt::format(
        "trusted {} segment(s) ({} bytes) below the recovery point, re-validated {} segment(s) "
        "({} bytes) from offset {}",
        info.segments_trusted, info.bytes_trusted, info.segments_validated, info.bytes_validated,
        info.recovered_from);
  }
  const std::string why =
      hints.had_clean_shutdown
          ? "after a clean shutdown (.kafka_cleanshutdown)"
          : fmt::format("after an unclean stop, recovery point {}", hints.recovery_point);
  io_.Emit(trace_kind::kLogLoad,
           fmt::format(
               "loaded {} {}: {}; high watermark {}, log start offset {}, log end offset {}", name,
               why, how, log.high_watermark(), log.log_start_offset(), log.log_end_offset()),
           {{"partition", name},
            {"recovery_point", hints.recovery_point},
            {"segments_trusted", std::int64_t{info.segments_trusted}},
            {"segments_validated", std::int64_t{info.segments_validated}},
            {"high_watermark", log.high_watermark()}});
}

void LogManager::RemoveLog(const std::string& topic, std::int32_t partition) {
  if (const auto it = logs_.find({topic, partition}); it != logs_.end()) {
    it->second->CountOffsetMovesIn(nullptr);  // its owner may keep it a little longer
    logs_.erase(it);
  }
  cleaner_offsets_.erase({topic, partition});
  if (failed_) return;
  (void)io_.disk().Remove(PartitionName(topic, partition));
}

void LogManager::RunRetention() {
  if (failed_) return;
  for (auto& [key, log] : logs_) {
    const std::string name = PartitionName(key.first, key.second);
    for (const std::string& note : log->RunRetention(io_.Now())) {
      io_.Probe("retention.delete_segment");
      io_.Emit(trace_kind::kLogRetention, fmt::format("{}: {}", name, note), {{"partition", name}});
    }
  }
}

void LogManager::ConfigureCleaner(bool enable, std::int64_t backoff_ms) {
  cleaner_enable_ = enable;
  cleaner_backoff_ms_ = backoff_ms;
}

void LogManager::MaybeRunCleaner() {
  if (failed_ || !cleaner_enable_ || io_.Now() < cleaner_next_run_) return;
  const Time now = io_.Now();
  // LogCleanerManager.grabFilthiestCompactedLog, once per log at most in one run.
  std::map<Key, bool> done;
  for (std::size_t round = 0; round < logs_.size(); ++round) {
    const Key* filthiest = nullptr;
    CleanableLog best;
    for (auto& [key, log] : logs_) {
      if (done.count(key) > 0) continue;
      std::optional<std::int64_t> checkpoint;
      if (const auto it = cleaner_offsets_.find(key); it != cleaner_offsets_.end()) {
        checkpoint = it->second;
      }
      // LogCleanerManager.maybeTruncateCheckpoint: never above where the log was cut.
      if (const std::optional<std::int64_t> cut = log->TakeTruncationPoint();
          cut && checkpoint && *cut < *checkpoint) {
        cleaner_offsets_[key] = *cut;
        checkpoint = *cut;
      }
      const std::optional<CleanableLog> section = log->Cleanable(checkpoint, now);
      if (!section || !section->should_clean) continue;
      if (filthiest == nullptr || section->dirty_ratio > best.dirty_ratio) {
        filthiest = &key;
        best = *section;
      }
    }
    if (filthiest == nullptr) break;
    const Key key = *filthiest;
    done[key] = true;
    if (!CleanLog(key, *logs_.at(key), best)) return;
  }
  // The cleaner thread sleeps log.cleaner.backoff.ms when it found nothing left to clean.
  cleaner_next_run_ = now + Milliseconds(cleaner_backoff_ms_);
}

bool LogManager::CleanLog(const Key& key, ReplicaLog& log, const CleanableLog& section) {
  const std::string name = PartitionName(key.first, key.second);
  Result<CleanSummary> cleaned = log.Clean(section.first_dirty_offset, io_.Now());
  if (!cleaned.ok()) {
    HandleLogDirFailure(cleaned.status(), fmt::format("cleaning {}", name));
    return false;
  }
  const CleanSummary& c = *cleaned;
  if (c.end_offset <= c.first_dirty_offset) return true;
  cleaner_offsets_[key] = c.end_offset;
  WriteOffsetCheckpointFile(storage::kCleanerOffsetCheckpointFile, cleaner_offsets_);
  if (failed_) return false;
  io_.Probe("log.cleaner.cleaned");
  if (c.tombstones_removed > 0) io_.Probe("log.cleaner.tombstone_removed");
  // As LogCleaner.recordStats sums it up, in one line.
  io_.Emit(trace_kind::kLogCleaner,
           fmt::format("{}: cleaned offsets [{}, {}) (dirty ratio {:.2f}): {} segment(s) of {} "
                       "bytes became {} segment(s) of {} bytes; kept {} of {} record(s), "
                       "removed {} expired tombstone(s); offsets are unchanged",
                       name, c.first_dirty_offset, c.end_offset, section.dirty_ratio,
                       c.segments_before, c.bytes_before, c.segments_after, c.bytes_after,
                       c.records_retained, c.records_read, c.tombstones_removed),
           {{"partition", name},
            {"end_offset", c.end_offset},
            {"bytes_before", c.bytes_before},
            {"bytes_after", c.bytes_after},
            {"records_retained", c.records_retained}});
  return true;
}

void LogManager::HandleLogDirFailure(const Status& error, std::string_view while_doing) {
  if (failed_) return;
  failed_ = true;
  io_.Probe("log_dir.failed");
  // ReplicaManager.handleLogDirFailure, then LogManager.handleLogDirFailure: with no log dir
  // left online the broker halts at once (Exit.halt: no controlled shutdown, no checkpoints).
  // The OS keeps what the process wrote; peers see its sockets close.
  io_.Emit(trace_kind::kLogDirFailed,
           fmt::format("log dir failed while {} ({}): Shutdown broker because all log dirs in "
                       "{} have failed",
                       while_doing, error.ToString(), log_dir_),
           {{"error", std::string(ErrcName(error.code()))}});
  io_.env().simulation().KillNode(io_.env().self());
}

}  // namespace kafkasim::kafka
