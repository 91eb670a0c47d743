// Kafka's small text files: offset checkpoints (recovery point, high watermark, log start),
// leader-epoch-checkpoint, partition.metadata and meta.properties. Formats from
// storage/.../checkpoint/CheckpointFileWithFailureHandler.java and MetaProperties.java.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "engine/file_system.h"
#include "storage/uuid.h"

namespace kafkasim::storage {

// --- Offset checkpoints: "0\n<N>\n" then N lines "<topic> <partition> <offset>" ---
struct TopicPartitionOffset {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  bool operator==(const TopicPartitionOffset&) const = default;
};
std::string FormatOffsetCheckpoint(const std::vector<TopicPartitionOffset>& entries);
// kCorruption naming `what` (usually the path) and the line on a malformed file.
Result<std::vector<TopicPartitionOffset>> ParseOffsetCheckpoint(const std::string& text,
                                                                const std::string& what);
// Written atomically (tmp, fsync, rename). Reading a missing file gives an empty list.
Status WriteOffsetCheckpoint(FileSystem& fs, const std::string& path,
                             const std::vector<TopicPartitionOffset>& entries);
Result<std::vector<TopicPartitionOffset>> ReadOffsetCheckpoint(const FileSystem& fs,
                                                               const std::string& path);

// --- leader-epoch-checkpoint: "0\n<N>\n" then N lines "<epoch> <startOffset>" ---
struct EpochEntry {
  std::int32_t epoch = 0;
  std::int64_t start_offset = 0;
  bool operator==(const EpochEntry&) const = default;
};
std::string FormatLeaderEpochCheckpoint(const std::vector<EpochEntry>& entries);
Result<std::vector<EpochEntry>> ParseLeaderEpochCheckpoint(const std::string& text,
                                                           const std::string& what);

// --- Topic ids: storage/uuid.h; UuidToBase64 is Uuid::ToBase64 ---
inline std::string UuidToBase64(const Uuid& id) { return id.ToBase64(); }

// --- partition.metadata: "version: 0\ntopic_id: <base64>\n" ---
std::string FormatPartitionMetadata(const Uuid& topic_id);
Result<Uuid> ParsePartitionMetadata(const std::string& text, const std::string& what);

// --- meta.properties (KRaft: version=1, node.id, cluster.id, directory.id) ---
struct MetaProperties {
  int version = 1;
  std::int32_t node_id = 0;
  std::string cluster_id;
  std::string directory_id;
  bool operator==(const MetaProperties&) const = default;
};
// Kafka writes a "#" comment line with a date first; we write a fixed comment (no wall clock).
std::string FormatMetaProperties(const MetaProperties& meta);
Result<MetaProperties> ParseMetaProperties(const std::string& text, const std::string& what);
// Generic "key=value" lines, '#' and '!' comments skipped.
Result<std::map<std::string, std::string>> ParseProperties(const std::string& text,
                                                           const std::string& what);

}  // namespace kafkasim::storage
