// kafka-dump-log style output (tools/.../DumpLogSegments.java) over raw file bytes.
#include "storage/log_dump.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdio>

#include "storage/checkpoint_file.h"
#include "storage/offset_index.h"
#include "storage/record_batch.h"
#include "storage/time_index.h"

namespace kafkasim::storage {
namespace {

std::string BaseName(const std::string& name) {
  const std::size_t slash = name.rfind('/');
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The base offset from a 20-digit file name; 0 when the name has none.
std::int64_t BaseOffsetOf(const std::string& name) {
  const std::string base = BaseName(name);
  std::int64_t offset = 0;
  if (base.size() < kSegmentNameDigits) return 0;
  auto [ptr, ec] = std::from_chars(base.data(), base.data() + kSegmentNameDigits, offset);
  return ec == std::errc() && ptr == base.data() + kSegmentNameDigits ? offset : 0;
}

// Printable text as Kafka prints keys and payloads (UTF-8 assumed); other bytes escaped.
std::string Printable(const std::optional<Bytes>& bytes) {
  if (!bytes) return "null";
  std::string out;
  for (std::uint8_t b : *bytes) {
    if (b >= 0x20 && b < 0x7f) {
      out += static_cast<char>(b);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", b);
      out += hex;
    }
  }
  return out;
}

std::string BatchLine(const BatchHeader& h, std::size_t position, bool valid) {
  return "baseOffset: " + std::to_string(h.base_offset) +
         " lastOffset: " + std::to_string(h.last_offset()) +
         " count: " + std::to_string(h.records_count) +
         " baseSequence: " + std::to_string(h.base_sequence) +
         " lastSequence: " + std::to_string(h.last_sequence()) +
         " producerId: " + std::to_string(h.producer_id) +
         " producerEpoch: " + std::to_string(h.producer_epoch) +
         " partitionLeaderEpoch: " + std::to_string(h.partition_leader_epoch) +
         " isTransactional: " + (h.is_transactional() ? "true" : "false") +
         " isControl: " + (h.is_control() ? "true" : "false") +
         " position: " + std::to_string(position) +
         (h.log_append_time() ? " LogAppendTime: " : " CreateTime: ") +
         std::to_string(h.max_timestamp) + " size: " + std::to_string(h.size_in_bytes()) +
         " magic: " + std::to_string(h.magic) +
         " compresscodec: " + CompressionName(h.compression_codec()) +
         " crc: " + std::to_string(h.crc) + " isvalid: " + (valid ? "true" : "false") + "\n";
}

// One record under its batch line; key and payload only with print_data_log, and only when
// not null (DumpLogSegments' DecoderMessageParser gives None for them).
std::string RecordLine(const BatchHeader& h, const Record& r, bool print_data_log) {
  std::string line =
      "| offset: " + std::to_string(h.base_offset + r.offset_delta) +
      (h.log_append_time() ? " LogAppendTime: " : " CreateTime: ") + std::to_string(r.timestamp) +
      " keySize: " + std::to_string(r.key ? static_cast<long>(r.key->size()) : -1) +
      " valueSize: " + std::to_string(r.value ? static_cast<long>(r.value->size()) : -1) +
      " sequence: " +
      std::to_string(h.base_sequence == kNoSequence ? -1 : h.base_sequence + r.offset_delta) +
      " headerKeys: [";
  for (std::size_t i = 0; i < r.headers.size(); ++i) {
    line += (i == 0 ? "" : ",") + r.headers[i].key;
  }
  line += "]";
  if (print_data_log && !h.is_control()) {
    if (r.key) line += " key: " + Printable(r.key);
    if (r.value) line += " payload: " + Printable(r.value);
  }
  return line + "\n";
}

std::string Text(std::span<const std::uint8_t> bytes) { return {bytes.begin(), bytes.end()}; }

}  // namespace

DumpResult DumpLogSegment(const std::string& name, std::span<const std::uint8_t> bytes,
                          bool print_data_log, bool deep_iteration) {
  DumpResult out;
  out.text =
      "Dumping " + name + "\nLog starting offset: " + std::to_string(BaseOffsetOf(name)) + "\n";
  std::size_t position = 0;
  while (position < bytes.size()) {
    const auto rest = bytes.subspan(position);
    Result<BatchHeader> header = CheckBatch(rest, position);
    if (!header.ok()) {
      out.error = name + ": " + header.status().message();
      return out;
    }
    const auto batch_bytes = rest.first(header->size_in_bytes());
    out.text += BatchLine(*header, position, true);
    if (print_data_log || deep_iteration) {
      Result<RecordBatch> batch = DecodeBatch(batch_bytes, position);
      if (!batch.ok()) {
        out.error = name + ": " + batch.status().message();
        return out;
      }
      for (const Record& record : batch->records) {
        out.text += RecordLine(batch->header, record, print_data_log);
      }
    }
    position += header->size_in_bytes();
  }
  return out;
}

DumpResult DumpOffsetIndex(const std::string& name, std::span<const std::uint8_t> bytes) {
  DumpResult out;
  out.text = "Dumping " + name + "\n";
  const std::int64_t base = BaseOffsetOf(name);
  std::int64_t previous = -1;
  std::size_t i = 0;
  for (const OffsetPosition& e : OffsetIndex::Parse(bytes, base)) {
    // DumpLogSegments.dumpIndex: an index is a preallocated sparse file, so after a crash it
    // may end in zero entries; the first entry back at the base offset ends it.
    if (e.offset == base && i > 0) break;
    // OffsetIndex.sanityCheck and the index's ordering: offsets rise from the base offset.
    if (e.offset < base || e.offset <= previous) {
      out.error =
          fmt::format("{}: entry {} has offset {}, {} (a corrupt index)", name, i, e.offset,
                      e.offset < base ? fmt::format("below the base offset {}", base)
                                      : fmt::format("not above the previous entry's {}", previous));
      return out;
    }
    out.text += fmt::format("offset: {} position: {}\n", e.offset, e.position);
    previous = e.offset;
    ++i;
  }
  if (bytes.size() % kOffsetIndexEntrySize != 0) {
    out.error = name + ": partial index entry at byte " +
                std::to_string(bytes.size() / kOffsetIndexEntrySize * kOffsetIndexEntrySize);
  }
  return out;
}

DumpResult DumpTimeIndex(const std::string& name, std::span<const std::uint8_t> bytes) {
  DumpResult out;
  out.text = "Dumping " + name + "\n";
  const std::int64_t base = BaseOffsetOf(name);
  std::int64_t previous_offset = -1;
  std::int64_t previous_timestamp = -1;
  std::size_t i = 0;
  for (const TimestampOffset& e : TimeIndex::Parse(bytes, base)) {
    // DumpLogSegments.dumpTimeIndex stops at the first zero entry after the first, as above.
    if (e.offset == base && i > 0) break;
    // TimeIndex.sanityCheck: offsets not below the base, timestamps never going back.
    if (e.offset < base || e.offset < previous_offset || e.timestamp < previous_timestamp) {
      out.error = fmt::format("{}: entry {} (timestamp {} offset {}) {} (a corrupt time index)",
                              name, i, e.timestamp, e.offset,
                              e.offset < base ? fmt::format("is below the base offset {}", base)
                              : e.offset < previous_offset
                                  ? fmt::format("goes back from offset {}", previous_offset)
                                  : fmt::format("goes back from timestamp {}", previous_timestamp));
      return out;
    }
    out.text += fmt::format("timestamp: {} offset: {}\n", e.timestamp, e.offset);
    previous_offset = e.offset;
    previous_timestamp = e.timestamp;
    ++i;
  }
  if (bytes.size() % kTimeIndexEntrySize != 0) {
    out.error = name + ": partial time index entry at byte " +
                std::to_string(bytes.size() / kTimeIndexEntrySize * kTimeIndexEntrySize);
  }
  return out;
}

DumpResult DumpCheckpoint(const std::string& name, std::span<const std::uint8_t> bytes) {
  DumpResult out;
  out.text = "Dumping " + name + "\n";
  const std::string base = BaseName(name);
  const std::string text = Text(bytes);
  if (base == kLeaderEpochCheckpointFile) {
    auto entries = ParseLeaderEpochCheckpoint(text, name);
    if (!entries.ok()) {
      out.error = entries.status().message();
      return out;
    }
    for (const EpochEntry& e : *entries) {
      out.text += "epoch: " + std::to_string(e.epoch) +
                  " startOffset: " + std::to_string(e.start_offset) + "\n";
    }
  } else if (base == kPartitionMetadataFile) {
    auto id = ParsePartitionMetadata(text, name);
    if (!id.ok()) {
      out.error = id.status().message();
      return out;
    }
    out.text += "version: 0 topicId: " + UuidToBase64(*id) + "\n";
  } else if (base == kMetaPropertiesFile) {
    auto props = ParseProperties(text, name);
    if (!props.ok()) {
      out.error = props.status().message();
      return out;
    }
    for (const auto& [key, value] : *props) out.text += key + "=" + value + "\n";
  } else {
    auto entries = ParseOffsetCheckpoint(text, name);
    if (!entries.ok()) {
      out.error = entries.status().message();
      return out;
    }
    for (const TopicPartitionOffset& e : *entries) {
      out.text += "topic: " + e.topic + " partition: " + std::to_string(e.partition) +
                  " offset: " + std::to_string(e.offset) + "\n";
    }
  }
  return out;
}

DumpResult DumpFile(const std::string& name, std::span<const std::uint8_t> bytes,
                    bool print_data_log, bool deep_iteration) {
  // Offsets in an index are the file's base offset plus an int32; a base offset this close to
  // Long.MAX cannot be a segment's (Kafka rolls long before), and would overflow.
  if (const std::int64_t base = BaseOffsetOf(name); base > INT64_MAX - INT32_MAX) {
    DumpResult out;
    out.error =
        fmt::format("{}: base offset {} in the file name is too large for a segment", name, base);
    return out;
  }
  if (EndsWith(name, kLogFileSuffix)) {
    return DumpLogSegment(name, bytes, print_data_log, deep_iteration);
  }
  if (EndsWith(name, kIndexFileSuffix)) return DumpOffsetIndex(name, bytes);
  if (EndsWith(name, kTimeIndexFileSuffix)) return DumpTimeIndex(name, bytes);
  return DumpCheckpoint(name, bytes);
}

}  // namespace kafkasim::storage
