// kafka-dump-log style output (tools/.../DumpLogSegments.java) over raw file bytes.
#include "storage/log_dump.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>

#include "storage/checkpoint_file.h"
#include "storage/control_records.h"
#include "storage/offset_index.h"
#include "storage/producer_snapshot.h"
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
         // RecordBatch.deleteHorizonMs, a Java OptionalLong: the base timestamp once the
         // cleaner stamped the batch (KIP-534).
         " deleteHorizonMs: " +
         ((h.attributes & kDeleteHorizonFlag) != 0
              ? "OptionalLong[" + std::to_string(h.base_timestamp) + "]"
              : std::string("OptionalLong.empty")) +
         " position: " + std::to_string(position) +
         (h.log_append_time() ? " LogAppendTime: " : " CreateTime: ") +
         std::to_string(h.max_timestamp) + " size: " + std::to_string(h.size_in_bytes()) +
         " magic: " + std::to_string(h.magic) +
         " compresscodec: " + CompressionName(h.compression_codec()) +
         " crc: " + std::to_string(h.crc) + " isvalid: " + (valid ? "true" : "false") + "\n";
}

// One record under its batch line; key and payload only with print_data_log, and only when
// not null (DumpLogSegments' DecoderMessageParser gives None for them).
std::string RecordLine(const BatchHeader& h, const Record& r, bool print_data_log,
                       const RecordParser* parser) {
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
  if (h.is_control()) {
    static const Bytes kEmpty;
    line += DumpControlRecord(r.key.value_or(kEmpty), r.value.value_or(kEmpty));
  }
  if (parser != nullptr && !h.is_control()) {
    const ParsedRecord parsed = (*parser)(r, h.base_offset + r.offset_delta);
    if (parsed.key) line += " key: " + *parsed.key;
    if (parsed.payload) line += " payload: " + *parsed.payload;
  } else if (print_data_log && !h.is_control()) {
    if (r.key) line += " key: " + Printable(r.key);
    if (r.value) line += " payload: " + Printable(r.value);
  }
  return line + "\n";
}

std::string Text(std::span<const std::uint8_t> bytes) { return {bytes.begin(), bytes.end()}; }

// MetaProperties.Builder(Properties) and build() (metadata/.../properties/MetaProperties.java,
// MetaPropertiesVersion.java): version 0 (ZooKeeper mode, broker.id optional) or 1 (KRaft,
// node.id and cluster.id required); directory.id, when present, a Uuid.
std::string MetaPropertiesProblem(const std::map<std::string, std::string>& props) {
  auto get = [&](const char* key) -> const std::string* {
    auto it = props.find(key);
    return it == props.end() ? nullptr : &it->second;
  };
  auto is_int = [](const std::string& s) {
    std::int32_t v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return !s.empty() && ec == std::errc() && ptr == s.data() + s.size();
  };
  int version = 0;
  if (const std::string* v = get("version")) {
    if (!is_int(*v)) return "Invalid meta.properties version string '" + *v + "'";
    version = std::stoi(*v);
    if (version != 0 && version != 1) {
      return "Unknown meta.properties version number " + std::to_string(version);
    }
  }
  const char* id_key = version == 0 ? "broker.id" : "node.id";
  if (const std::string* id = get(id_key)) {
    if (!is_int(*id)) return fmt::format("Unable to read {} as a base-10 number.", id_key);
  } else if (version == 1) {
    return "node.id was not found.";
  }
  if (version == 1 && get("cluster.id") == nullptr) return "cluster.id was not found.";
  if (const std::string* dir = get("directory.id")) {
    Result<Uuid> id = UuidFromBase64(*dir);
    if (!id.ok() || dir->size() != 22) {
      return "Unable to read directory.id as a Uuid: '" + *dir + "' is not 22 base64 characters";
    }
  }
  return "";
}

// Collects or streams what a dump prints, and stops at DumpOptions::max_lines.
class Dumper {
 public:
  Dumper(const std::string& name, const DumpOptions& options) : name_(name), options_(options) {}

  // Prints one line (without its newline); false once the cap is reached.
  bool Line(const std::string& line) {
    if (options_.max_lines != 0 && result_.lines >= options_.max_lines) {
      if (!result_.truncated) {
        result_.truncated = true;
        Emit(fmt::format("... stopped after {} lines (--max-lines 0 prints all)\n",
                         options_.max_lines));
      }
      return false;
    }
    ++result_.lines;
    Emit(line + "\n");
    return true;
  }

  // Damage found; `first` says nothing of the file's kind has been read yet.
  void Fail(const std::string& error, bool first) {
    result_.error = error;
    result_.not_this_kind = first;
  }

  DumpResult Take() { return std::move(result_); }
  const std::string& name() const { return name_; }
  const DumpOptions& options() const { return options_; }

 private:
  void Emit(std::string_view text) {
    if (options_.sink) {
      options_.sink(text);
    } else {
      result_.text += text;
    }
  }

  const std::string& name_;
  const DumpOptions& options_;
  DumpResult result_;
};

void DumpLogSegment(Dumper& d, std::span<const std::uint8_t> bytes) {
  const DumpOptions& o = d.options();
  // DumpLogSegments.dumpLog's first line: a segment's base offset, or which snapshot this is.
  const std::string base_name = BaseName(d.name());
  std::string first;
  if (base_name == kBootstrapCheckpointFile) {
    first = "KRaft bootstrap snapshot";
  } else if (auto id = SnapshotIdOf(base_name)) {
    first = fmt::format("Snapshot end offset: {}, epoch: {}", id->first, id->second);
  } else {
    first = "Log starting offset: " + std::to_string(BaseOffsetOf(d.name()));
  }
  if (!d.Line(first)) return;
  std::size_t position = 0;
  while (position < bytes.size() && position < o.max_bytes) {
    const auto rest = bytes.subspan(position);
    Result<BatchHeader> header = CheckBatch(rest, position);
    if (!header.ok()) {
      d.Fail(d.name() + ": " + header.status().message(), position == 0);
      return;
    }
    const auto batch_bytes = rest.first(header->size_in_bytes());
    std::string line = BatchLine(*header, position, true);
    line.pop_back();
    if (!d.Line(line)) return;
    // DumpLogSegments: a decoder option sets print-data-log, which sets deep iteration.
    if (o.print_data_log || o.deep_iteration || o.parser != nullptr) {
      Result<RecordBatch> batch = DecodeBatch(batch_bytes, position);
      if (!batch.ok()) {
        d.Fail(d.name() + ": " + batch.status().message(), false);
        return;
      }
      for (const Record& record : batch->records) {
        line = RecordLine(batch->header, record, o.print_data_log, o.parser);
        line.pop_back();
        if (!d.Line(line)) return;
      }
    }
    position += header->size_in_bytes();
  }
}

void DumpOffsetIndex(Dumper& d, std::span<const std::uint8_t> bytes) {
  const std::int64_t base = BaseOffsetOf(d.name());
  std::int64_t previous = -1;
  std::size_t i = 0;
  for (const OffsetPosition& e : OffsetIndex::Parse(bytes, base)) {
    // DumpLogSegments.dumpIndex: an index is a preallocated sparse file, so after a crash it
    // may end in zero entries; the first entry back at the base offset ends it.
    if (e.offset == base && i > 0) break;
    // OffsetIndex.sanityCheck and the index's ordering: offsets rise from the base offset.
    if (e.offset < base || e.offset <= previous) {
      d.Fail(
          fmt::format("{}: entry {} has offset {}, {} (a corrupt index)", d.name(), i, e.offset,
                      e.offset < base ? fmt::format("below the base offset {}", base)
                                      : fmt::format("not above the previous entry's {}", previous)),
          i == 0);
      return;
    }
    if (!d.Line(fmt::format("offset: {} position: {}", e.offset, e.position))) return;
    previous = e.offset;
    ++i;
  }
  if (bytes.size() % kOffsetIndexEntrySize != 0) {
    d.Fail(d.name() + ": partial index entry at byte " +
               std::to_string(bytes.size() / kOffsetIndexEntrySize * kOffsetIndexEntrySize),
           i == 0);
  }
}

void DumpTimeIndex(Dumper& d, std::span<const std::uint8_t> bytes) {
  const std::int64_t base = BaseOffsetOf(d.name());
  std::int64_t previous_offset = -1;
  std::int64_t previous_timestamp = -1;
  std::size_t i = 0;
  for (const TimestampOffset& e : TimeIndex::Parse(bytes, base)) {
    // DumpLogSegments.dumpTimeIndex stops at the first zero entry after the first, as above.
    if (e.offset == base && i > 0) break;
    // TimeIndex.sanityCheck: offsets not below the base, timestamps never going back.
    if (e.offset < base || e.offset < previous_offset || e.timestamp < previous_timestamp) {
      d.Fail(fmt::format("{}: entry {} (timestamp {} offset {}) {} (a corrupt time index)",
                         d.name(), i, e.timestamp, e.offset,
                         e.offset < base ? fmt::format("is below the base offset {}", base)
                         : e.offset < previous_offset
                             ? fmt::format("goes back from offset {}", previous_offset)
                             : fmt::format("goes back from timestamp {}", previous_timestamp)),
             i == 0);
      return;
    }
    if (!d.Line(fmt::format("timestamp: {} offset: {}", e.timestamp, e.offset))) return;
    previous_offset = e.offset;
    previous_timestamp = e.timestamp;
    ++i;
  }
  if (bytes.size() % kTimeIndexEntrySize != 0) {
    d.Fail(d.name() + ": partial time index entry at byte " +
               std::to_string(bytes.size() / kTimeIndexEntrySize * kTimeIndexEntrySize),
           i == 0);
  }
}

// The first line a checkpoint of this kind starts with; a file that does not is not one.
bool StartsAsCheckpoint(const std::string& base, const std::string& text) {
  const std::string first = text.substr(0, text.find('\n'));
  if (base == kPartitionMetadataFile) return first == "version: 0";
  if (base == kMetaPropertiesFile) return true;  // properties: any line order
  return first == "0";
}

void DumpCheckpoint(Dumper& d, std::span<const std::uint8_t> bytes) {
  const std::string& name = d.name();
  const std::string base = BaseName(name);
  const std::string text = Text(bytes);
  const bool first = !StartsAsCheckpoint(base, text);
  if (base == kLeaderEpochCheckpointFile) {
    auto entries = ParseLeaderEpochCheckpoint(text, name);
    if (!entries.ok()) return d.Fail(entries.status().message(), first);
    for (const EpochEntry& e : *entries) {
      if (!d.Line(fmt::format("epoch: {} startOffset: {}", e.epoch, e.start_offset))) return;
    }
  } else if (base == kPartitionMetadataFile) {
    auto id = ParsePartitionMetadata(text, name);
    if (!id.ok()) return d.Fail(id.status().message(), first);
    d.Line("version: 0 topicId: " + UuidToBase64(*id));
  } else if (base == kMetaPropertiesFile) {
    auto props = ParseProperties(text, name);
    if (!props.ok()) return d.Fail(props.status().message(), true);
    if (const std::string problem = MetaPropertiesProblem(*props); !problem.empty()) {
      return d.Fail(name + ": " + problem, true);
    }
    for (const auto& [key, value] : *props) {
      if (!d.Line(key + "=" + value)) return;
    }
  } else {
    auto entries = ParseOffsetCheckpoint(text, name);
    if (!entries.ok()) return d.Fail(entries.status().message(), first);
    for (const TopicPartitionOffset& e : *entries) {
      if (!d.Line(
              fmt::format("topic: {} partition: {} offset: {}", e.topic, e.partition, e.offset))) {
        return;
      }
    }
  }
}

}  // namespace

std::optional<std::pair<std::int64_t, std::int32_t>> SnapshotIdOf(const std::string& base) {
  constexpr std::size_t kOffsetDigits = 20;
  constexpr std::size_t kEpochDigits = 10;
  const std::string suffix = kSnapshotSuffix;
  if (base.size() != kOffsetDigits + 1 + kEpochDigits + suffix.size() ||
      base[kOffsetDigits] != '-' || !EndsWith(base, suffix)) {
    return std::nullopt;
  }
  std::int64_t offset = 0;
  std::int32_t epoch = 0;
  const char* p = base.data();
  auto [end1, ec1] = std::from_chars(p, p + kOffsetDigits, offset);
  auto [end2, ec2] =
      std::from_chars(p + kOffsetDigits + 1, p + kOffsetDigits + 1 + kEpochDigits, epoch);
  if (ec1 != std::errc() || end1 != p + kOffsetDigits || ec2 != std::errc() ||
      end2 != p + kOffsetDigits + 1 + kEpochDigits) {
    return std::nullopt;
  }
  return std::pair{offset, epoch};
}

std::string DumpKindName(const std::string& name) {
  const std::string base = BaseName(name);
  if (EndsWith(name, kLogFileSuffix)) return "log segment";
  if (EndsWith(name, kSnapshotSuffix)) return "metadata snapshot";
  if (EndsWith(name, kIndexFileSuffix)) return "offset index";
  if (EndsWith(name, kTimeIndexFileSuffix)) return "time index";
  if (ProducerSnapshotOffset(base)) return "producer snapshot";
  if (base == kLeaderEpochCheckpointFile || base == kPartitionMetadataFile ||
      base == kMetaPropertiesFile) {
    return base + " file";
  }
  return "offset checkpoint";
}

DumpResult DumpFile(const std::string& name, std::span<const std::uint8_t> bytes,
                    const DumpOptions& options) {
  Dumper d(name, options);
  if (!d.Line("Dumping " + name)) return d.Take();
  if (EndsWith(name, kSnapshotSuffix)) {
    // A KRaft snapshot (or bootstrap.checkpoint) is record batches, dumped as a segment is.
    DumpLogSegment(d, bytes);
    return d.Take();
  }
  // Offsets in an index are the file's base offset plus an int32; a base offset this close to
  // Long.MAX cannot be a segment's (Kafka rolls long before), and would overflow.
  if (const std::int64_t base = BaseOffsetOf(name); base > INT64_MAX - INT32_MAX) {
    d.Fail(
        fmt::format("{}: base offset {} in the file name is too large for a segment", name, base),
        true);
  } else if (EndsWith(name, kLogFileSuffix)) {
    DumpLogSegment(d, bytes);
  } else if (EndsWith(name, kIndexFileSuffix)) {
    DumpOffsetIndex(d, bytes);
  } else if (EndsWith(name, kTimeIndexFileSuffix)) {
    DumpTimeIndex(d, bytes);
  } else if (ProducerSnapshotOffset(BaseName(name))) {
    // DumpLogSegments.dumpProducerIdSnapshot: one line per producer; a corrupt file prints
    // CorruptSnapshotException's message.
    Result<std::vector<ProducerSnapshotEntry>> entries = DecodeProducerSnapshot(bytes);
    if (!entries.ok()) {
      d.Fail(entries.status().message(), true);
    } else {
      for (const ProducerSnapshotEntry& e : *entries) {
        if (!d.Line(ProducerSnapshotLine(e))) break;
      }
    }
  } else {
    DumpCheckpoint(d, bytes);
  }
  return d.Take();
}

DumpResult DumpFile(const std::string& name, std::span<const std::uint8_t> bytes,
                    bool print_data_log, bool deep_iteration) {
  DumpOptions options;
  options.print_data_log = print_data_log;
  options.deep_iteration = deep_iteration;
  return DumpFile(name, bytes, options);
}

std::vector<std::string> SplitFilesOption(std::string_view list) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t comma = std::min(list.find(',', start), list.size());
    if (comma > start) out.emplace_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

}  // namespace kafkasim::storage
