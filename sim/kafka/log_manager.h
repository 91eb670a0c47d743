// The broker's log dir (LogManager.scala, MetaPropertiesEnsemble.java): meta.properties, the
// partition logs it opens and deletes, the three offset checkpoints in the log dir root, the
// .kafka_cleanshutdown marker, retention, and what happens when the log dir fails. The node's
// disk root is its one log dir.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "engine/status.h"
#include "kafka/broker_seams.h"
#include "kafka/replica_log.h"
#include "storage/checkpoint_file.h"

namespace kafkasim::kafka {

// Checks meta.properties in the node's log dir, writing it on the first start (as
// `kafka-storage.sh format`). False when the log dir belongs to another node or cluster, or
// cannot be written: the trace says why and the node has stopped, as Kafka's startup fails.
bool LoadMetaProperties(BrokerIo& io, std::int32_t node_id, bool format_if_missing = true);
// What `kafka-storage.sh format` writes for a node: meta.properties with its node.id, the
// cluster id and a directory.id drawn from the node's own stream (the same one a node that
// formats itself at first start uses).
storage::MetaProperties FormattedMetaProperties(std::uint64_t seed, const std::string& node_name,
                                                std::int32_t node_id,
                                                const std::string& cluster_id);

class LogManager {
 public:
  using Key = std::pair<std::string, std::int32_t>;  // (topic, partition)

  // `log_dir` is the name the broker's log.dirs gives its disk root (for messages only).
  LogManager(BrokerIo& io, std::string log_dir, ReplicaLogConfig defaults);
  // Reads the clean-shutdown marker and the offset checkpoints (LogManager.loadLogs).
  void LoadCheckpoints();

  // Opens (recovering what the checkpoints do not vouch for) or creates a partition's log and
  // registers it for checkpoints and retention. The log belongs to the caller, which calls
  // RemoveLog before dropping it. Errors are the disk's (the caller fails the log dir).
  Result<std::unique_ptr<ReplicaLog>> GetOrCreateLog(const std::string& topic, const Uuid& topic_id,
                                                     std::int32_t partition,
                                                     const ReplicaLogConfig& config);
  // Unregisters a log and deletes its directory (a deleted topic, a reassigned replica).
  void RemoveLog(const std::string& topic, std::int32_t partition);

  void CheckpointHighWatermarks();
  void CheckpointRecoveryPoints();
  void CheckpointLogStartOffsets();
  void RunRetention();
  // The log cleaner (LogCleaner.CleanerThread): at most every log.cleaner.backoff.ms while no
  // log needs cleaning, it cleans the compacted log with the highest dirty ratio above its
  // min.cleanable.dirty.ratio (or past max.compaction.lag.ms), again until none is left, and
  // records each log's first dirty offset in cleaner-offset-checkpoint. Call it often.
  void ConfigureCleaner(bool enable, std::int64_t backoff_ms);
  void MaybeRunCleaner();
  // Clean shutdown of the logs (LogManager.shutdown): flush, checkpoint, write the marker.
  void ShutDown();

  // A log operation failed: the log dir is offline. With its only log dir gone a broker halts
  // (LogManager.handleLogDirFailure: "Shutdown broker because all log dirs in ... have
  // failed"); the controller then fences it and moves its leaderships away. Idempotent.
  void HandleLogDirFailure(const Status& error, std::string_view while_doing);
  bool failed() const { return failed_; }

  const ReplicaLogConfig& defaults() const { return defaults_; }
  // How often any log this manager opened moved its start, high watermark or end; a reader of
  // every log's offsets reads this broker's again only when it changed.
  std::uint64_t offset_moves() const { return offset_moves_; }

 private:
  using OffsetMap = std::map<Key, std::int64_t>;

  // The checkpointed offsets of a log about to be opened (consumed: later checkpoints write
  // the open log's own values).
  ReplicaLogHints TakeLogHints(const std::string& topic, std::int32_t partition);
  void EmitLogLoaded(const std::string& name, const ReplicaLog& log, const ReplicaLogHints& hints,
                     const ReplicaLogOpenInfo& info);
  void WriteOffsetCheckpointFile(const char* file, const OffsetMap& entries);
  // Cleans `key`'s log and records its new checkpoint; false when it failed (log dir failed).
  bool CleanLog(const Key& key, ReplicaLog& log, const CleanableLog& section);

  BrokerIo& io_;
  std::string log_dir_;
  ReplicaLogConfig defaults_;
  std::map<Key, ReplicaLog*> logs_;  // open logs, owned by their partitions
  bool had_clean_shutdown_ = false;
  bool failed_ = false;
  std::uint64_t offset_moves_ = 0;  // see offset_moves()
  // Checkpointed offsets of logs not opened yet (kept in later checkpoints so a log the
  // metadata has not reached yet keeps its entry), and what each file last held.
  OffsetMap unopened_recovery_points_;
  OffsetMap unopened_log_start_offsets_;
  OffsetMap unopened_high_watermarks_;
  std::map<std::string, std::string> checkpoint_written_;
  bool cleaner_enable_ = true;
  std::int64_t cleaner_backoff_ms_ = 15000;
  Time cleaner_next_run_;
  OffsetMap cleaner_offsets_;  // cleaner-offset-checkpoint: each compacted log's first dirty offset
};

}  // namespace kafkasim::kafka
