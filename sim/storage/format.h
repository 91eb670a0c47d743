// Byte layout of Kafka's on-disk files in one place: record batch v2 header offsets, index
// entry sizes, file name suffixes. Every number here is checked against its neighbours.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kafkasim::storage {

// RecordBatch v2 header (DefaultRecordBatch.java). All integers big-endian.
constexpr std::size_t kBaseOffsetOffset = 0;             // int64
constexpr std::size_t kBatchLengthOffset = 8;            // int32: bytes after this field
constexpr std::size_t kPartitionLeaderEpochOffset = 12;  // int32
constexpr std::size_t kMagicOffset = 16;                 // int8 = 2
constexpr std::size_t kCrcOffset = 17;                   // uint32 CRC-32C of [21, end)
constexpr std::size_t kAttributesOffset = 21;            // int16
constexpr std::size_t kLastOffsetDeltaOffset = 23;       // int32
constexpr std::size_t kBaseTimestampOffset = 27;         // int64
constexpr std::size_t kMaxTimestampOffset = 35;          // int64
constexpr std::size_t kProducerIdOffset = 43;            // int64
constexpr std::size_t kProducerEpochOffset = 51;         // int16
constexpr std::size_t kBaseSequenceOffset = 53;          // int32
constexpr std::size_t kRecordsCountOffset = 57;          // int32
constexpr std::size_t kRecordsOffset = 61;
constexpr std::size_t kBatchHeaderSize = kRecordsOffset;
// baseOffset + batchLength: the part of a batch batchLength does not count.
constexpr std::size_t kLogOverhead = 12;
constexpr std::int8_t kMagicV2 = 2;

static_assert(kBatchLengthOffset == kBaseOffsetOffset + 8);
static_assert(kPartitionLeaderEpochOffset == kBatchLengthOffset + 4);
static_assert(kMagicOffset == kPartitionLeaderEpochOffset + 4);
static_assert(kCrcOffset == kMagicOffset + 1);
static_assert(kAttributesOffset == kCrcOffset + 4);
static_assert(kLastOffsetDeltaOffset == kAttributesOffset + 2);
static_assert(kBaseTimestampOffset == kLastOffsetDeltaOffset + 4);
static_assert(kMaxTimestampOffset == kBaseTimestampOffset + 8);
static_assert(kProducerIdOffset == kMaxTimestampOffset + 8);
static_assert(kProducerEpochOffset == kProducerIdOffset + 8);
static_assert(kBaseSequenceOffset == kProducerEpochOffset + 2);
static_assert(kRecordsCountOffset == kBaseSequenceOffset + 4);
static_assert(kRecordsOffset == kRecordsCountOffset + 4);
static_assert(kBatchHeaderSize == 61);
static_assert(kLogOverhead == kPartitionLeaderEpochOffset);

// Attribute bits.
constexpr std::uint16_t kCompressionCodecMask = 0x07;
constexpr std::uint16_t kTimestampTypeMask = 0x08;  // 1 = LogAppendTime
constexpr std::uint16_t kTransactionalFlag = 0x10;
constexpr std::uint16_t kControlFlag = 0x20;
constexpr std::uint16_t kDeleteHorizonFlag = 0x40;

// Sentinels.
constexpr std::int64_t kNoProducerId = -1;
constexpr std::int16_t kNoProducerEpoch = -1;
constexpr std::int32_t kNoSequence = -1;
constexpr std::int32_t kNoPartitionLeaderEpoch = -1;
constexpr std::int64_t kNoTimestamp = -1;

// Index files (OffsetIndex.java, TimeIndex.java).
constexpr std::size_t kOffsetIndexEntrySize = 8;  // int32 relative offset, int32 position
constexpr std::size_t kTimeIndexEntrySize = 12;   // int64 timestamp, int32 relative offset
static_assert(kOffsetIndexEntrySize == 4 + 4);
static_assert(kTimeIndexEntrySize == 8 + 4);

// File names (LogFileUtils.java).
constexpr std::size_t kSegmentNameDigits = 20;
constexpr const char* kLogFileSuffix = ".log";
constexpr const char* kIndexFileSuffix = ".index";
constexpr const char* kTimeIndexFileSuffix = ".timeindex";
constexpr const char* kDeletedFileSuffix = ".deleted";
// A clean in progress (LogFileUtils.CLEANED_FILE_SUFFIX, SWAP_FILE_SUFFIX): the cleaner writes
// <base>.log.cleaned (and its indexes), renames them to .swap, deletes the old segments, then
// renames the .swap files to their final names (LocalLog.replaceSegments).
constexpr const char* kCleanedFileSuffix = ".cleaned";
constexpr const char* kSwapFileSuffix = ".swap";
// In the log dir root: per compacted partition, the first offset the cleaner has not cleaned.
constexpr const char* kCleanerOffsetCheckpointFile = "cleaner-offset-checkpoint";
constexpr const char* kLeaderEpochCheckpointFile = "leader-epoch-checkpoint";
constexpr const char* kPartitionMetadataFile = "partition.metadata";
constexpr const char* kRecoveryPointCheckpointFile = "recovery-point-offset-checkpoint";
constexpr const char* kReplicationOffsetCheckpointFile = "replication-offset-checkpoint";
constexpr const char* kLogStartOffsetCheckpointFile = "log-start-offset-checkpoint";
constexpr const char* kMetaPropertiesFile = "meta.properties";
// KRaft: metadata snapshots in __cluster_metadata-0 are <offset>-<epoch>.checkpoint
// (Snapshots.SUFFIX); `kafka-storage.sh format` writes the bootstrap records to
// bootstrap.checkpoint in the metadata log dir (BootstrapDirectory.BINARY_BOOTSTRAP_FILENAME).
constexpr const char* kSnapshotSuffix = ".checkpoint";
constexpr const char* kBootstrapCheckpointFile = "bootstrap.checkpoint";
// Written in a log dir on clean shutdown, removed at the next start (LogManager).
constexpr const char* kCleanShutdownFile = ".kafka_cleanshutdown";
// The file a running process locks in each log dir (LogManager.LockFileName).
constexpr const char* kLockFile = ".lock";

}  // namespace kafkasim::storage
