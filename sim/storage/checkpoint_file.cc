// Text checkpoint formats: strict parsers that name the file and line they reject.
#include "storage/checkpoint_file.h"

#include <charconv>
#include <cstring>
#include <sstream>

namespace kafkasim::storage {
namespace {

constexpr const char* kBase64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::vector<std::string> Fields(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string field; in >> field;) out.push_back(field);
  return out;
}

template <typename T>
bool ParseInt(const std::string& s, T& out) {
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, out);
  return ec == std::errc() && ptr == end && !s.empty();
}

// A line of a damaged file as an error quotes it: at most 60 bytes, anything unprintable as
// \xNN, so a zero-filled or binary file never floods the terminal.
std::string Excerpt(std::string_view text) {
  constexpr std::size_t kMax = 60;
  std::string out;
  for (std::size_t i = 0; i < text.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  if (text.size() > kMax) out += "... (" + std::to_string(text.size()) + " bytes)";
  return out;
}

Status Bad(const std::string& what, std::size_t line, const std::string& why) {
  return {Errc::kCorruption, what + ":" + std::to_string(line) + ": " + why};
}

// Parses the "0\nN\n" header and N body lines of `fields_per_line` fields each.
Result<std::vector<std::vector<std::string>>> ParseVersionedList(const std::string& text,
                                                                 const std::string& what,
                                                                 std::size_t fields_per_line) {
  const std::vector<std::string> lines = Lines(text);
  if (lines.empty() || lines[0] != "0") {
    return Bad(what, 1,
               "expected version 0, found '" + Excerpt(lines.empty() ? "" : lines[0]) + "'");
  }
  std::int64_t count = 0;
  if (lines.size() < 2 || !ParseInt(lines[1], count) || count < 0) {
    return Bad(what, 2, "expected an entry count");
  }
  if (lines.size() - 2 != static_cast<std::size_t>(count)) {
    return Bad(what, 2,
               "count " + std::to_string(count) + " but " + std::to_string(lines.size() - 2) +
                   " entry lines follow");
  }
  std::vector<std::vector<std::string>> rows;
  for (std::size_t i = 2; i < lines.size(); ++i) {
    std::vector<std::string> fields = Fields(lines[i]);
    if (fields.size() != fields_per_line) {
      return Bad(what, i + 1,
                 "expected " + std::to_string(fields_per_line) + " fields, found '" +
                     Excerpt(lines[i]) + "'");
    }
    rows.push_back(std::move(fields));
  }
  return rows;
}

}  // namespace

std::string FormatOffsetCheckpoint(const std::vector<TopicPartitionOffset>& entries) {
  std::string out = "0\n" + std::to_string(entries.size()) + "\n";
  for (const auto& e : entries) {
    out += e.topic + " " + std::to_string(e.partition) + " " + std::to_string(e.offset) + "\n";
  }
  return out;
}

Result<std::vector<TopicPartitionOffset>> ParseOffsetCheckpoint(const std::string& text,
                                                                const std::string& what) {
  auto rows = ParseVersionedList(text, what, 3);
  if (!rows.ok()) return rows.status();
  std::vector<TopicPartitionOffset> entries;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    const auto& f = (*rows)[i];
    TopicPartitionOffset e{f[0], 0, 0};
    if (!ParseInt(f[1], e.partition) || !ParseInt(f[2], e.offset) || e.partition < 0) {
      return Bad(what, i + 3, "expected '<topic> <partition> <offset>'");
    }
    entries.push_back(std::move(e));
  }
  return entries;
}

Status WriteOffsetCheckpoint(FileSystem& fs, const std::string& path,
                             const std::vector<TopicPartitionOffset>& entries) {
  return fs.WriteFileAtomically(path, FormatOffsetCheckpoint(entries));
}

Result<std::vector<TopicPartitionOffset>> ReadOffsetCheckpoint(const FileSystem& fs,
                                                               const std::string& path) {
  if (!fs.Exists(path)) return std::vector<TopicPartitionOffset>{};
  Result<std::vector<std::uint8_t>> bytes = fs.ReadFile(path);
  if (!bytes.ok()) return bytes.status();
  return ParseOffsetCheckpoint(std::string(bytes->begin(), bytes->end()), path);
}

std::string FormatLeaderEpochCheckpoint(const std::vector<EpochEntry>& entries) {
  std::string out = "0\n" + std::to_string(entries.size()) + "\n";
  for (const auto& e : entries) {
    out += std::to_string(e.epoch) + " " + std::to_string(e.start_offset) + "\n";
  }
  return out;
}

Result<std::vector<EpochEntry>> ParseLeaderEpochCheckpoint(const std::string& text,
                                                           const std::string& what) {
  auto rows = ParseVersionedList(text, what, 2);
  if (!rows.ok()) return rows.status();
  std::vector<EpochEntry> entries;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    EpochEntry e;
    if (!ParseInt((*rows)[i][0], e.epoch) || !ParseInt((*rows)[i][1], e.start_offset) ||
        e.epoch < 0 || e.start_offset < 0) {
      return Bad(what, i + 3, "expected '<epoch> <startOffset>'");
    }
    entries.push_back(e);
  }
  return entries;
}

Result<Uuid> UuidFromBase64(const std::string& text) {
  if (text.size() != 22) {
    return Status(Errc::kInvalidArgument,
                  "a topic id has 22 base64 characters, got '" + Excerpt(text) + "'");
  }
  std::uint8_t bytes[16] = {};
  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t n = 0;
  for (char c : text) {
    const char* at = std::strchr(kBase64Url, c);
    if (at == nullptr || c == '\0') {
      return Status(Errc::kInvalidArgument, "invalid base64 character in '" + Excerpt(text) + "'");
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(at - kBase64Url);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (n < std::size(bytes)) bytes[n++] = static_cast<std::uint8_t>(acc >> bits);
    }
  }
  Uuid id;
  for (std::size_t i = 0; i < 8; ++i) id.high = (id.high << 8) | bytes[i];
  for (std::size_t i = 8; i < 16; ++i) id.low = (id.low << 8) | bytes[i];
  return id;
}

std::string FormatPartitionMetadata(const Uuid& topic_id) {
  return "version: 0\ntopic_id: " + UuidToBase64(topic_id) + "\n";
}

Result<Uuid> ParsePartitionMetadata(const std::string& text, const std::string& what) {
  const std::vector<std::string> lines = Lines(text);
  if (lines.size() != 2 || lines[0] != "version: 0" || lines[1].rfind("topic_id: ", 0) != 0) {
    return Bad(what, 1, "expected 'version: 0' and 'topic_id: <base64>' lines");
  }
  Result<Uuid> id = UuidFromBase64(lines[1].substr(10));
  if (!id.ok()) return Bad(what, 2, id.status().message());
  return id;
}

std::string FormatMetaProperties(const MetaProperties& meta) {
  return "#\n#Written by kafkasim\nnode.id=" + std::to_string(meta.node_id) +
         "\ndirectory.id=" + meta.directory_id + "\nversion=" + std::to_string(meta.version) +
         "\ncluster.id=" + meta.cluster_id + "\n";
}

Result<std::map<std::string, std::string>> ParseProperties(const std::string& text,
                                                           const std::string& what) {
  std::map<std::string, std::string> props;
  const std::vector<std::string> lines = Lines(text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (line.empty() || line[0] == '#' || line[0] == '!') continue;
    const std::size_t eq = line.find('=');
    if (eq == std::string::npos || eq == 0) return Bad(what, i + 1, "expected key=value");
    props[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return props;
}

Result<MetaProperties> ParseMetaProperties(const std::string& text, const std::string& what) {
  auto props = ParseProperties(text, what);
  if (!props.ok()) return props.status();
  MetaProperties meta;
  auto get = [&](const char* key) -> const std::string* {
    auto it = props->find(key);
    return it == props->end() ? nullptr : &it->second;
  };
  const std::string* version = get("version");
  const std::string* node_id = get("node.id");
  if (version == nullptr || !ParseInt(*version, meta.version) || meta.version != 1) {
    return Bad(what, 1, "expected version=1 (KRaft)");
  }
  if (node_id == nullptr || !ParseInt(*node_id, meta.node_id)) {
    return Bad(what, 1, "expected node.id=<int>");
  }
  if (const std::string* c = get("cluster.id")) meta.cluster_id = *c;
  if (const std::string* d = get("directory.id")) meta.directory_id = *d;
  return meta;
}

}  // namespace kafkasim::storage
