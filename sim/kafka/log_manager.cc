// The broker's log dir upkeep (LogManager.scala, ReplicaManager.checkpointHighWatermarks,
// MetaPropertiesEnsemble.java): meta.properties, the three offset checkpoints in the log dir
// root, and the .kafka_cleanshutdown marker. The node's disk root is its one log dir.
#include <fmt/format.h>

#include "engine/assert.h"
#include "engine/prng.h"
#include "kafka/kafka_server.h"
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

bool KafkaServer::LoadMetaProperties() {
  FileSystem& disk = env_.disk();
  const std::string path = storage::kMetaPropertiesFile;
  if (!disk.Exists(path)) {
    // First start: what `kafka-storage.sh format` would have written. The id comes from a
    // stream of its own so that formatting leaves the node's other random draws as they were.
    Rng rng = Rng::Stream(env_.simulation().seed(), env_.name() + "/directory.id");
    Uuid directory_id;
    do {
      directory_id = Uuid{rng.NextU64(), rng.NextU64()};
    } while (ReservedDirectoryId(directory_id));
    storage::MetaProperties meta;
    meta.node_id = config_.node_id;
    meta.cluster_id = directory_->cluster_id;
    meta.directory_id = directory_id.ToBase64();
    Status s = disk.WriteFileAtomically(path, storage::FormatMetaProperties(meta));
    KSIM_ASSERT_MSG(s.ok(), s.ToString());
    return true;
  }
  std::string failure;
  Result<std::vector<std::uint8_t>> bytes = disk.ReadFile(path);
  Result<storage::MetaProperties> meta = bytes.ok()
                                             ? storage::ParseMetaProperties(Text(*bytes), path)
                                             : Result<storage::MetaProperties>(bytes.status());
  // The checks and messages of MetaPropertiesEnsemble.verify.
  if (!meta.ok()) {
    failure = fmt::format("No readable meta.properties files found. ({})", meta.status().message());
  } else if (meta->cluster_id != directory_->cluster_id) {
    failure = fmt::format("Invalid cluster.id in: {}. Expected {}, but read {}", path,
                          directory_->cluster_id, meta->cluster_id);
  } else if (meta->node_id != config_.node_id) {
    failure = fmt::format(
        "Stored node id {} doesn't match previous node id {} in {}. If you moved your data, "
        "make sure your configured node id matches. If you intend to create a new node, you "
        "should remove all data in your data directories.",
        meta->node_id, config_.node_id, path);
  }
  if (failure.empty()) return true;
  env_.Probe("node.startup_failed");
  Emit("node.startup_failed", "failed to start: " + failure, {{"reason", failure}});
  // The process exits with the error: a clean stop, its sockets close.
  env_.simulation().StopNode(env_.self());
  return false;
}

void KafkaServer::LoadLogDirCheckpoints() {
  FileSystem& disk = env_.disk();
  had_clean_shutdown_ = disk.Exists(storage::kCleanShutdownFile);
  if (had_clean_shutdown_) {
    // The marker only speaks for the shutdown that wrote it (LogManager.loadLogs deletes it).
    Status s = disk.Remove(storage::kCleanShutdownFile);
    KSIM_ASSERT_MSG(s.ok(), s.ToString());
    env_.Probe("log.clean_shutdown_found");
  }
  auto load = [&](const char* file, OffsetMap& into) {
    if (!disk.Exists(file)) return;
    Result<std::vector<storage::TopicPartitionOffset>> entries =
        storage::ReadOffsetCheckpoint(disk, file);
    if (!entries.ok()) {
      // Kafka warns and goes on without it: logs are then recovered from offset 0.
      Emit("log.checkpoint_unreadable", fmt::format("could not read {} ({}); going on without it",
                                                    file, entries.status().message()));
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
}

ReplicaLogHints KafkaServer::TakeLogHints(const std::string& topic, std::int32_t partition) {
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

void KafkaServer::WriteOffsetCheckpointFile(const char* file, const OffsetMap& entries) {
  std::vector<storage::TopicPartitionOffset> list;
  list.reserve(entries.size());
  for (const auto& [key, offset] : entries) list.push_back({key.first, key.second, offset});
  std::string text = storage::FormatOffsetCheckpoint(list);
  const auto it = checkpoint_written_.find(file);
  if (it != checkpoint_written_.end() && it->second == text) return;  // nothing moved
  // tmp file, fsync, rename: a crash leaves the old checkpoint or the new one, never a torn one.
  Status s = storage::WriteOffsetCheckpoint(env_.disk(), file, list);
  if (!s.ok()) {
    Emit("log.checkpoint_failed", fmt::format("could not write {}: {}", file, s.ToString()));
    return;
  }
  checkpoint_written_[file] = std::move(text);
}

void KafkaServer::CheckpointHighWatermarks() {
  OffsetMap entries = unopened_high_watermarks_;
  for (const auto& [key, p] : partitions_) entries[key] = p.log->high_watermark();
  WriteOffsetCheckpointFile(storage::kReplicationOffsetCheckpointFile, entries);
}

void KafkaServer::CheckpointRecoveryPoints() {
  OffsetMap entries = unopened_recovery_points_;
  for (const auto& [key, p] : partitions_) entries[key] = p.log->recovery_point();
  WriteOffsetCheckpointFile(storage::kRecoveryPointCheckpointFile, entries);
}

void KafkaServer::CheckpointLogStartOffsets() {
  // Only logs whose start is above their first segment's base (checkpointLogStartOffsetsInDir):
  // for the others, the segments themselves say where the log starts.
  OffsetMap entries = unopened_log_start_offsets_;
  for (const auto& [key, p] : partitions_) {
    if (p.log->log_start_offset() > p.log->first_segment_base_offset()) {
      entries[key] = p.log->log_start_offset();
    }
  }
  WriteOffsetCheckpointFile(storage::kLogStartOffsetCheckpointFile, entries);
}

void KafkaServer::ShutDownLogs() {
  // ReplicaManager.shutdown checkpoints the high watermarks, then LogManager.shutdown flushes
  // every log (so its recovery point is its log end), checkpoints and marks the clean stop.
  CheckpointHighWatermarks();
  Status flushed = Status::Ok();
  for (auto& [key, p] : partitions_) {
    if (Status s = p.log->Flush(); !s.ok() && flushed.ok()) flushed = s;
  }
  CheckpointRecoveryPoints();
  CheckpointLogStartOffsets();
  if (flushed.ok()) flushed = env_.disk().CreateFile(storage::kCleanShutdownFile);
  if (!flushed.ok()) {
    // Without the marker the next start recovers from the recovery points: still correct.
    Emit("log.clean_shutdown_failed",
         fmt::format("could not flush its logs cleanly ({}); the next start recovers them",
                     flushed.ToString()));
    return;
  }
  Emit("log.clean_shutdown",
       fmt::format("flushed {} log(s), wrote its checkpoints and {}: the next start skips "
                   "log recovery",
                   partitions_.size(), storage::kCleanShutdownFile));
}

}  // namespace kafkasim::kafka
