// DumpLogSegments.OffsetsMessageParser (tools/.../DumpLogSegments.java, Kafka 4.x) over the
// key/value schemas of group-coordinator/src/main/resources/common/message/*.json.
#include "kafka/offsets_decoder.h"

#include <fmt/format.h>

#include <span>
#include <string>
#include <vector>

#include "storage/byte_io.h"

namespace kafkasim::kafka {
namespace {

using storage::Bytes;

// The JSON text of a string as Jackson writes it.
std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (b < 0x20) {
      out += fmt::format("\\u{:04X}", b);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string QuoteOrNull(const std::optional<std::string>& s) { return s ? Quote(*s) : "null"; }

// Jackson's BinaryNode: standard base64 with padding.
std::string Base64(const Bytes& bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::uint32_t n = (std::uint32_t{bytes[i]} << 16) |
                            (i + 1 < bytes.size() ? std::uint32_t{bytes[i + 1]} << 8 : 0) |
                            (i + 2 < bytes.size() ? std::uint32_t{bytes[i + 2]} : 0);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

std::string BytesOrNull(const std::optional<Bytes>& b) { return b ? Quote(Base64(*b)) : "null"; }

// Reads Kafka's generated-message wire forms: classic (int16 string and int32 bytes/array
// lengths) or flexible (unsigned varint lengths plus one, tagged fields). The first failure
// is kept in error(), worded as Kafka's Readable does.
class SchemaReader {
 public:
  SchemaReader(std::span<const std::uint8_t> in, bool flexible) : in_(in), flexible_(flexible) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  std::int16_t I16() { return Fixed<std::int16_t>(in_.I16()); }
  std::int32_t I32() { return Fixed<std::int32_t>(in_.I32()); }
  std::int64_t I64() { return Fixed<std::int64_t>(in_.I64()); }

  std::optional<std::string> String() {
    const std::int64_t length = Length(/*int16=*/true);
    if (length < 0 || !ok()) return std::nullopt;
    if (static_cast<std::size_t>(length) > in_.remaining()) {
      Fail(fmt::format("Error reading string of length {}, only {} bytes available", length,
                       in_.remaining()));
      return std::nullopt;
    }
    std::string s(static_cast<std::size_t>(length), '\0');
    for (char& c : s) c = static_cast<char>(*in_.BigEndian(1));
    return s;
  }
  std::optional<Bytes> ByteArray() {
    const std::int64_t length = Length(/*int16=*/false);
    if (length < 0 || !ok()) return std::nullopt;
    if (static_cast<std::size_t>(length) > in_.remaining()) {
      Fail(fmt::format("Error reading byte array of {} byte(s): only {} byte(s) available", length,
                       in_.remaining()));
      return std::nullopt;
    }
    Bytes b(static_cast<std::size_t>(length));
    for (std::uint8_t& x : b) x = static_cast<std::uint8_t>(*in_.BigEndian(1));
    return b;
  }
  // An array's element count, 0 for a null or unreadable one; each element takes at least one
  // byte, so a count beyond the bytes left is refused before anything is allocated.
  std::int64_t ArrayLength() {
    const std::int64_t length = Length(/*int16=*/false);
    if (length < 0 || !ok()) return 0;
    if (static_cast<std::size_t>(length) > in_.remaining()) {
      Fail(fmt::format("Tried to read an array of {} element(s) with only {} byte(s) left", length,
                       in_.remaining()));
      return 0;
    }
    return length;
  }
  // The tagged fields that end every struct of a flexible version, skipped.
  void EndStruct() {
    if (!flexible_ || !ok()) return;
    const std::int64_t count = Varint();
    for (std::int64_t i = 0; i < count && ok(); ++i) {
      (void)Varint();
      const std::int64_t size = Varint();
      if (!ok()) return;
      if (static_cast<std::size_t>(size) > in_.remaining()) {
        return Fail(fmt::format("Tagged field of {} byte(s) with only {} byte(s) left", size,
                                in_.remaining()));
      }
      for (std::int64_t j = 0; j < size; ++j) (void)in_.BigEndian(1);
    }
  }

 private:
  template <typename T>
  T Fixed(std::optional<T> v) {
    if (ok() && !v) Fail("Tried to read past the end of the buffer");
    return ok() && v ? *v : T{};
  }
  std::int64_t Varint() {
    const std::optional<std::uint64_t> v = in_.UnsignedVarint(5);
    if (!v) {
      if (ok()) Fail("Malformed unsigned varint");
      return 0;
    }
    return static_cast<std::int64_t>(*v);
  }
  // -1 for null.
  std::int64_t Length(bool int16) {
    if (flexible_) return Varint() - 1;
    return int16 ? I16() : I32();
  }
  void Fail(std::string why) {
    if (ok()) error_ = std::move(why);
  }

  storage::ByteReader in_;
  bool flexible_;
  std::string error_;
};

std::string TopicPartitions(SchemaReader& r, bool end_struct) {
  std::string out = "[";
  const std::int64_t n = r.ArrayLength();
  for (std::int64_t i = 0; i < n && r.ok(); ++i) {
    const std::optional<std::string> topic = r.String();
    std::string partitions = "[";
    const std::int64_t m = r.ArrayLength();
    for (std::int64_t j = 0; j < m && r.ok(); ++j) {
      partitions += (j == 0 ? "" : ",") + std::to_string(r.I32());
    }
    if (end_struct) r.EndStruct();
    out += fmt::format("{}{{\"topic\":{},\"partitions\":{}]}}", i == 0 ? "" : ",",
                       QuoteOrNull(topic), partitions);
  }
  return out + "]";
}

// ConsumerProtocolSubscriptionJsonConverter.write (versions 0-3), or nullopt when the bytes
// are not one (DumpLogSegments then keeps the base64 bytes).
std::optional<std::string> SubscriptionJson(const Bytes& bytes) {
  SchemaReader v(bytes, false);
  const std::int16_t version = v.I16();
  if (!v.ok() || version < 0 || version > 3) return std::nullopt;
  SchemaReader r(std::span<const std::uint8_t>(bytes).subspan(2), false);
  std::string topics = "[";
  const std::int64_t n = r.ArrayLength();
  for (std::int64_t i = 0; i < n && r.ok(); ++i) {
    topics += (i == 0 ? "" : ",") + QuoteOrNull(r.String());
  }
  std::string out = "{\"topics\":" + topics + "],\"userData\":" + BytesOrNull(r.ByteArray());
  if (version >= 1) out += ",\"ownedPartitions\":" + TopicPartitions(r, false);
  if (version >= 2) out += ",\"generationId\":" + std::to_string(r.I32());
  if (version >= 3) out += ",\"rackId\":" + QuoteOrNull(r.String());
  if (!r.ok()) return std::nullopt;
  return out + "}";
}

// ConsumerProtocolAssignmentJsonConverter.write (versions 0-3).
std::optional<std::string> AssignmentJson(const Bytes& bytes) {
  SchemaReader v(bytes, false);
  const std::int16_t version = v.I16();
  if (!v.ok() || version < 0 || version > 3) return std::nullopt;
  SchemaReader r(std::span<const std::uint8_t>(bytes).subspan(2), false);
  std::string out = "{\"assignedPartitions\":" + TopicPartitions(r, false);
  out += ",\"userData\":" + BytesOrNull(r.ByteArray());
  if (!r.ok()) return std::nullopt;
  return out + "}";
}

// OffsetCommitValue versions 0-4 (4 flexible).
std::string OffsetCommitValueJson(SchemaReader& r, std::int16_t version) {
  std::string out = "{\"offset\":" + std::to_string(r.I64());
  if (version >= 3) out += ",\"leaderEpoch\":" + std::to_string(r.I32());
  out += ",\"metadata\":" + QuoteOrNull(r.String());
  out += ",\"commitTimestamp\":" + std::to_string(r.I64());
  if (version == 1) out += ",\"expireTimestamp\":" + std::to_string(r.I64());
  r.EndStruct();
  return out + "}";
}

// GroupMetadataValue versions 0-4 (4 flexible), with prepareGroupMetadataValue's decoding of
// a consumer group's subscription and assignment.
std::string GroupMetadataValueJson(SchemaReader& r, std::int16_t version) {
  const std::optional<std::string> protocol_type = r.String();
  std::string out = "{\"protocolType\":" + QuoteOrNull(protocol_type);
  out += ",\"generation\":" + std::to_string(r.I32());
  out += ",\"protocol\":" + QuoteOrNull(r.String());
  out += ",\"leader\":" + QuoteOrNull(r.String());
  if (version >= 2) out += ",\"currentStateTimestamp\":" + std::to_string(r.I64());
  out += ",\"members\":[";
  const bool consumer = protocol_type == "consumer";  // ConsumerProtocol.PROTOCOL_TYPE
  const std::int64_t n = r.ArrayLength();
  for (std::int64_t i = 0; i < n && r.ok(); ++i) {
    std::string m = "{\"memberId\":" + QuoteOrNull(r.String());
    if (version >= 3) m += ",\"groupInstanceId\":" + QuoteOrNull(r.String());
    m += ",\"clientId\":" + QuoteOrNull(r.String());
    m += ",\"clientHost\":" + QuoteOrNull(r.String());
    if (version >= 1) m += ",\"rebalanceTimeout\":" + std::to_string(r.I32());
    m += ",\"sessionTimeout\":" + std::to_string(r.I32());
    const std::optional<Bytes> subscription = r.ByteArray();
    const std::optional<Bytes> assignment = r.ByteArray();
    std::optional<std::string> decoded;
    if (consumer && subscription) decoded = SubscriptionJson(*subscription);
    m += ",\"subscription\":" + decoded.value_or(BytesOrNull(subscription));
    decoded.reset();
    if (consumer && assignment) decoded = AssignmentJson(*assignment);
    m += ",\"assignment\":" + decoded.value_or(BytesOrNull(assignment));
    r.EndStruct();
    out += (i == 0 ? "" : ",") + m + "}";
  }
  r.EndStruct();
  return out + "]}";
}

}  // namespace

storage::ParsedRecord ParseOffsetsRecord(const storage::Record& record, std::int64_t offset) {
  storage::ParsedRecord parsed;
  if (!record.key) {
    parsed.key = fmt::format(
        "Failed to decode message at offset {} using the specified decoder (message had a "
        "missing key)",
        offset);
    return parsed;
  }
  auto error = [&](const std::string& why) {
    parsed.key = fmt::format("Error at offset {}, skipping. {}", offset, why);
    return parsed;
  };
  // CoordinatorRecordSerde.deserialize: the key's int16 "version" is the record type.
  SchemaReader key(*record.key, false);
  const std::int16_t type = key.I16();
  if (!key.ok()) return error("Could not read version from key's buffer.");
  std::string key_data;
  if (type == 0 || type == 1) {
    key_data = "{\"group\":" + QuoteOrNull(key.String());
    key_data += ",\"topic\":" + QuoteOrNull(key.String());
    key_data += ",\"partition\":" + std::to_string(key.I32()) + "}";
  } else if (type == 2) {
    key_data = "{\"group\":" + QuoteOrNull(key.String()) + "}";
  } else {
    parsed.key = fmt::format("Unknown record type {} at offset {}, skipping.", type, offset);
    return parsed;
  }
  if (!key.ok()) {
    return error(fmt::format("Could not read record with version {} from key's buffer due to: {}.",
                             type, key.error()));
  }
  const std::string key_text = fmt::format("{{\"type\":\"{}\",\"data\":{}}}", type, key_data);
  if (!record.value) {
    parsed.key = key_text;
    parsed.payload = "<DELETE>";
    return parsed;
  }
  SchemaReader header(*record.value, false);
  const std::int16_t version = header.I16();
  if (!header.ok()) return error("Could not read version from value's buffer.");
  const std::int16_t highest = 4;
  if (version < 0 || version > highest) {
    return error(fmt::format("Unknown version {} of value's buffer (versions 0 to {} are known).",
                             version, highest));
  }
  SchemaReader value(std::span<const std::uint8_t>(*record.value).subspan(2), version >= 4);
  const std::string data =
      type == 2 ? GroupMetadataValueJson(value, version) : OffsetCommitValueJson(value, version);
  if (!value.ok()) {
    return error(
        fmt::format("Could not read record with version {} from value's buffer due to: {}.",
                    version, value.error()));
  }
  parsed.key = key_text;
  parsed.payload = fmt::format("{{\"version\":\"{}\",\"data\":{}}}", version, data);
  return parsed;
}

storage::RecordParser OffsetsRecordParser() { return ParseOffsetsRecord; }

}  // namespace kafkasim::kafka
