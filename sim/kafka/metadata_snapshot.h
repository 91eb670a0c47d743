// KRaft metadata snapshots and the bootstrap files of `kafka-storage.sh format`: the feature
// levels a Kafka 4.3 cluster is formatted with, and snapshot files as RecordsSnapshotWriter
// lays them out (a control batch with the SnapshotHeader, for the 0-checkpoint the KRaftVersion
// and Voters control records, the metadata records, a control batch with the SnapshotFooter).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/status.h"
#include "kafka/metadata_image.h"
#include "kafka/metadata_records.h"
#include "storage/control_records.h"

namespace kafkasim::kafka {

// MetadataVersion.IBP_4_3_IV0 (feature level 30): what a 4.3 cluster is formatted with.
constexpr std::int16_t kMetadataVersionLevel = 30;
constexpr const char* kMetadataVersionName = "4.3-IV0";
// The listener ports of the quickstart's server.properties.
constexpr std::uint16_t kBrokerListenerPort = 9092;
constexpr std::uint16_t kControllerListenerPort = 9093;

// The feature ranges a 4.3 broker supports (BrokerRegistrationRequest.Features), by name.
std::vector<BrokerFeature> SupportedFeatures();
// The FeatureLevelRecords `kafka-storage.sh format` bootstraps a 4.3 cluster with
// (Formatter/BootstrapMetadata): metadata.version first, then each feature whose default at
// 4.3-IV0 is above 0; eligible.leader.replicas.version as the scenario formats it.
std::vector<MetadataRecord> BootstrapRecords(std::int32_t eligible_leader_replicas_version);

// A snapshot file's bytes. `voters` non-empty adds KRaftVersion 1 and the Voters record after
// the header (the 0-0.checkpoint of --standalone / --initial-controllers).
std::vector<std::uint8_t> BuildSnapshotFile(const std::vector<MetadataRecord>& records,
                                            std::int32_t epoch, std::int64_t timestamp_ms,
                                            const std::vector<storage::Voter>& voters = {});
// The metadata records of a snapshot file, in order (control records skipped); kCorruption
// when it is damaged or lacks its header or footer.
Result<std::vector<MetadataRecord>> ReadSnapshotFile(std::span<const std::uint8_t> bytes);

// The records that rebuild `image` (SnapshotGenerator via MetadataImage.write): features,
// brokers, topics with their partitions and configs, cluster and broker configs, the producer
// id block.
std::vector<MetadataRecord> ImageRecords(const MetadataImage& image);

// __cluster_metadata-0/<end offset>-<epoch>.checkpoint (Snapshots.filenameFromSnapshotId).
std::string SnapshotFileName(std::int64_t end_offset, std::int32_t epoch);

}  // namespace kafkasim::kafka
