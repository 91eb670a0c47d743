// Snapshot files (raft/.../snapshot/RecordsSnapshotWriter.java) and the bootstrap metadata of
// `kafka-storage.sh format` (metadata/.../storage/Formatter.java, BootstrapMetadata.java).
#include "kafka/metadata_snapshot.h"

#include <fmt/format.h>

#include "storage/record_batch.h"

namespace kafkasim::kafka {
namespace {

using Bytes = std::vector<std::uint8_t>;

storage::Record ControlRecord(storage::ControlRecordType type, Bytes value, std::int64_t ts) {
  storage::Record r;
  r.timestamp = ts;
  r.key = storage::ControlRecordKey(type);
  r.value = std::move(value);
  return r;
}

void AppendBatch(Bytes& out, std::vector<storage::Record> records, std::int64_t base_offset,
                 std::int32_t epoch, bool control) {
  storage::BatchOptions options;
  options.base_offset = base_offset;
  options.partition_leader_epoch = epoch;
  options.control = control;
  const Bytes batch = storage::BuildBatch(std::move(records), options);
  out.insert(out.end(), batch.begin(), batch.end());
}

}  // namespace

std::vector<BrokerFeature> SupportedFeatures() {
  // BrokerFeatures.defaultSupportedFeatures in 4.3: each feature from 0 (metadata.version from
  // its minimum, 3.3-IV3) to its latest production level.
  return {{"eligible.leader.replicas.version", 0, 1},
          {"group.version", 0, 1},
          {"kraft.version", 0, 1},
          {"metadata.version", 7, kMetadataVersionLevel},
          {"transaction.version", 0, 2}};
}

std::vector<MetadataRecord> BootstrapRecords(std::int32_t eligible_leader_replicas_version) {
  // The defaults of Feature.defaultLevel(4.3-IV0): group.version 1 (since 4.0-IV0),
  // transaction.version 2 (since 4.0-IV2), eligible.leader.replicas.version 1 (since 4.1-IV0).
  std::vector<MetadataRecord> out;
  out.push_back(FeatureLevelRecord{"metadata.version", kMetadataVersionLevel});
  if (eligible_leader_replicas_version > 0) {
    out.push_back(FeatureLevelRecord{"eligible.leader.replicas.version",
                                     static_cast<std::int16_t>(eligible_leader_replicas_version)});
  }
  out.push_back(FeatureLevelRecord{"group.version", 1});
  out.push_back(FeatureLevelRecord{"transaction.version", 2});
  return out;
}

Bytes BuildSnapshotFile(const std::vector<MetadataRecord>& records, std::int32_t epoch,
                        std::int64_t timestamp_ms, const std::vector<storage::Voter>& voters) {
  Bytes out;
  std::int64_t offset = 0;
  AppendBatch(out,
              {ControlRecord(storage::ControlRecordType::kSnapshotHeader,
                             storage::EncodeSnapshotHeader({timestamp_ms}), timestamp_ms)},
              offset++, epoch, true);
  if (!voters.empty()) {
    // RecordsSnapshotWriter.Builder.build with kraft.version 1: one control batch of both.
    AppendBatch(out,
                {ControlRecord(storage::ControlRecordType::kKRaftVersion,
                               storage::EncodeKRaftVersion(1), timestamp_ms),
                 ControlRecord(storage::ControlRecordType::kKRaftVoters,
                               storage::EncodeVoters(voters), timestamp_ms)},
                offset, epoch, true);
    offset += 2;
  }
  if (!records.empty()) {
    std::vector<storage::Record> data;
    for (const MetadataRecord& record : records) {
      storage::Record r;
      r.timestamp = timestamp_ms;
      r.value = EncodeMetadataRecord(record);
      data.push_back(std::move(r));
    }
    const auto n = static_cast<std::int64_t>(data.size());
    AppendBatch(out, std::move(data), offset, epoch, false);
    offset += n;
  }
  AppendBatch(out,
              {ControlRecord(storage::ControlRecordType::kSnapshotFooter,
                             storage::EncodeSnapshotFooter(), timestamp_ms)},
              offset, epoch, true);
  return out;
}

Result<std::vector<MetadataRecord>> ReadSnapshotFile(std::span<const std::uint8_t> bytes) {
  Result<std::vector<storage::RecordBatch>> batches = storage::DecodeBatches(bytes);
  if (!batches.ok()) return Status(Errc::kCorruption, batches.status().message());
  std::vector<MetadataRecord> out;
  bool header = false;
  bool footer = false;
  for (const storage::RecordBatch& batch : *batches) {
    for (const storage::Record& r : batch.records) {
      if (footer) return Status(Errc::kCorruption, "records after the SnapshotFooter");
      if (batch.header.is_control()) {
        Result<std::int16_t> type = storage::ParseControlRecordType(r.key.value_or(Bytes{}));
        if (!type.ok()) return Status(Errc::kCorruption, type.status().message());
        if (*type == static_cast<std::int16_t>(storage::ControlRecordType::kSnapshotHeader)) {
          header = true;
        }
        if (*type == static_cast<std::int16_t>(storage::ControlRecordType::kSnapshotFooter)) {
          footer = true;
        }
        continue;
      }
      if (!header) return Status(Errc::kCorruption, "a snapshot must start with its header");
      if (!r.value) return Status(Errc::kCorruption, "a metadata record without a value");
      Result<MetadataRecord> record = DecodeMetadataRecord(*r.value);
      if (!record.ok()) return Status(Errc::kCorruption, record.status().message());
      out.push_back(std::move(*record));
    }
  }
  if (!header || !footer) {
    return Status(Errc::kCorruption, "a snapshot must have a header and a footer");
  }
  return out;
}

std::vector<MetadataRecord> ImageRecords(const MetadataImage& image) {
  std::vector<MetadataRecord> out;
  // FeaturesImage first: metadata.version decides how the rest is read.
  if (auto mv = image.features().find("metadata.version"); mv != image.features().end()) {
    out.push_back(FeatureLevelRecord{mv->first, mv->second});
  }
  for (const auto& [name, level] : image.features()) {
    if (name != "metadata.version") out.push_back(FeatureLevelRecord{name, level});
  }
  for (const auto& [id, b] : image.brokers()) {
    out.push_back(RegisterBrokerRecord{b.id, b.epoch, b.rack, b.fenced, b.in_controlled_shutdown,
                                       b.incarnation_id, b.endpoints, b.features, b.log_dirs});
  }
  for (const auto& [name, topic] : image.topics()) {
    out.push_back(TopicRecord{name, topic.id});
    for (const auto& [index, p] : topic.partitions) {
      PartitionRecord r;
      r.topic_id = topic.id;
      r.partition_id = index;
      r.replicas = p.replicas;
      r.isr = p.isr;
      r.elr = p.elr;
      r.last_known_elr = p.last_known_elr;
      r.leader = p.leader;
      r.leader_recovery_state = p.leader_recovery_state;
      r.leader_epoch = p.leader_epoch;
      r.partition_epoch = p.partition_epoch;
      r.directories = p.directories;
      out.push_back(std::move(r));
    }
  }
  for (const auto& [name, topic] : image.topics()) {
    for (const auto& [key, value] : topic.configs) {
      out.push_back(ConfigRecord{2, name, key, value});
    }
  }
  for (const auto& [key, value] : image.cluster_configs()) {
    out.push_back(ConfigRecord{4, "", key, value});
  }
  if (image.next_producer_id() > 0) {
    // ProducerIdsImage.write: the broker and epoch are not kept in the image.
    out.push_back(ProducerIdsRecord{-1, -1, image.next_producer_id()});
  }
  return out;
}

std::string SnapshotFileName(std::int64_t end_offset, std::int32_t epoch) {
  return fmt::format("{:020}-{:010}.checkpoint", end_offset, epoch);
}

}  // namespace kafkasim::kafka
