// Trace storage, canonical JSON and the determinism hash.
#include "engine/trace.h"

#include <fmt/format.h>

#include <array>
#include <bit>
#include <charconv>
#include <cstring>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string_view>

#include "engine/prng.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace kafkasim {
namespace {

nlohmann::ordered_json ValueToJson(const TraceValue& value) {
  return std::visit([](const auto& v) { return nlohmann::ordered_json(v); }, value);
}

std::uint64_t Mix(std::uint64_t h, std::uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h * kFnvPrime;
}

// Eight bytes as a little-endian number, so the hash is the same on every machine.
std::uint64_t LoadLittleEndian64(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

// A string folded in eight bytes at a time, its length first (so that "ab","c" and "a","bc"
// differ).
std::uint64_t MixBytes(std::uint64_t h, std::string_view s) {
  h = Mix(h, s.size());
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) h = Mix(h, LoadLittleEndian64(s.data() + i));
  if (i < s.size()) {
    std::uint64_t tail = 0;
    for (std::size_t k = 0; i + k < s.size(); ++k) {
      tail |= std::uint64_t{static_cast<unsigned char>(s[i + k])} << (8 * k);
    }
    h = Mix(h, tail);
  }
  return h;
}

// A value with its type: 1 and true, or [] and "", fold differently.
std::uint64_t MixValue(std::uint64_t h, const TraceValue& value) {
  h = Mix(h, value.index());
  if (const auto* i = std::get_if<std::int64_t>(&value))
    return Mix(h, static_cast<std::uint64_t>(*i));
  if (const auto* s = std::get_if<std::string>(&value)) return MixBytes(h, *s);
  if (const auto* b = std::get_if<bool>(&value)) return Mix(h, *b ? 1 : 0);
  const auto& list = std::get<std::vector<std::int64_t>>(value);
  h = Mix(h, list.size());
  for (std::int64_t v : list) h = Mix(h, static_cast<std::uint64_t>(v));
  return h;
}

// Bytes that need more than a copy: control characters, the quote, the backslash, and bytes
// above 0x7F (for which the caller falls back to the dump).
constexpr std::array<bool, 256> kSpecialBytes = [] {
  std::array<bool, 256> special{};
  for (int b = 0; b < 256; ++b) special[static_cast<std::size_t>(b)] = b < 0x20 || b >= 0x80;
  special['"'] = true;
  special['\\'] = true;
  return special;
}();

// The position of the first special byte of s at or after `from`, or s.size().
std::size_t NextSpecial(std::string_view s, std::size_t from) {
  std::size_t i = from;
#if defined(__SSE2__)
  // Sixteen bytes at a time: a signed compare below 0x20 also catches every byte above 0x7F.
  const __m128i space = _mm_set1_epi8(0x20);
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  for (; i + 16 <= s.size(); i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    const __m128i hit =
        _mm_or_si128(_mm_cmplt_epi8(v, space),
                     _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
    const int mask = _mm_movemask_epi8(hit);
    if (mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
  }
#endif
  while (i < s.size() && !kSpecialBytes[static_cast<unsigned char>(s[i])]) ++i;
  return i;
}

// The canonical line of an event written directly, byte for byte what TraceEventToJson's
// nlohmann dump gives, without building a JSON tree: the hash of every event needs the line,
// and most runs record no event. Escapes what the dump escapes (quote, backslash, control
// characters below 0x20; 0x7F passes). Returns false, leaving `out` undefined, for what it
// does not reproduce: a byte above 0x7F (the dump validates UTF-8 and replaces invalid bytes)
// or a repeated field key (the dump keeps the first position and the last value); the caller
// then takes the dump.
bool AppendEscaped(std::string_view s, std::string& out) {
  out.push_back('"');
  // Runs of bytes that pass as they are (most of every line) are copied whole.
  std::size_t run = 0;
  for (std::size_t i = NextSpecial(s, 0); i < s.size(); i = NextSpecial(s, i + 1)) {
    const auto byte = static_cast<unsigned char>(s[i]);
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (byte) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\f':
        out.append("\\f");
        break;
      case '\r':
        out.append("\\r");
        break;
      default:
        if (byte >= 0x80) return false;
        out.append(fmt::format("\\u{:04x}", byte));  // another control character
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
  return true;
}

template <class Int>
void AppendInt(Int v, std::string& out) {
  char digits[24];
  const std::to_chars_result r = std::to_chars(std::begin(digits), std::end(digits), v);
  out.append(digits, r.ptr);
}

bool AppendValue(const TraceValue& value, std::string& out) {
  if (const auto* i = std::get_if<std::int64_t>(&value)) {
    AppendInt(*i, out);
  } else if (const auto* s = std::get_if<std::string>(&value)) {
    return AppendEscaped(*s, out);
  } else if (const auto* b = std::get_if<bool>(&value)) {
    out.append(*b ? "true" : "false");
  } else {
    const auto& list = std::get<std::vector<std::int64_t>>(value);
    out.push_back('[');
    for (std::size_t k = 0; k < list.size(); ++k) {
      if (k > 0) out.push_back(',');
      AppendInt(list[k], out);
    }
    out.push_back(']');
  }
  return true;
}

bool WriteCanonicalLine(const TraceEvent& event, std::string& out) {
  out.clear();
  out.append("{\"i\":");
  AppendInt(event.index, out);
  out.append(",\"t_ns\":");
  AppendInt(event.time.ns, out);
  out.append(",\"node\":");
  if (!AppendEscaped(event.node, out)) return false;
  out.append(",\"kind\":");
  if (!AppendEscaped(event.kind, out)) return false;
  out.append(",\"fields\":{");
  for (std::size_t k = 0; k < event.fields.size(); ++k) {
    for (std::size_t earlier = 0; earlier < k; ++earlier) {
      if (event.fields[earlier].key == event.fields[k].key) return false;
    }
    if (k > 0) out.push_back(',');
    if (!AppendEscaped(event.fields[k].key, out)) return false;
    out.push_back(':');
    if (!AppendValue(event.fields[k].value, out)) return false;
  }
  out.append("},\"text\":");
  if (!AppendEscaped(event.text, out)) return false;
  out.push_back('}');
  return true;
}

}  // namespace

std::string TraceEventCanonicalLine(const TraceEvent& event) {
  std::string line;
  if (!WriteCanonicalLine(event, line)) line = TraceEventToJson(event);
  return line;
}

const TraceValue* TraceEvent::Field(std::string_view key) const {
  for (const TraceField& f : fields) {
    if (f.key == key) return &f.value;
  }
  return nullptr;
}

std::string TraceEventToJson(const TraceEvent& event) {
  nlohmann::ordered_json j;
  j["i"] = event.index;
  j["t_ns"] = event.time.ns;
  j["node"] = event.node;
  j["kind"] = event.kind;
  nlohmann::ordered_json fields = nlohmann::ordered_json::object();
  for (const TraceField& f : event.fields) fields[f.key] = ValueToJson(f.value);
  j["fields"] = std::move(fields);
  j["text"] = event.text;
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string FormatTraceLine(const TraceEvent& event) {
  if (event.node.empty()) return fmt::format("t={} {}", FormatTime(event.time), event.text);
  return fmt::format("t={} {} {}", FormatTime(event.time), event.node, event.text);
}

std::uint64_t MixTraceEvent(std::uint64_t hash, const TraceEvent& event) {
  // Every part of the event, each string with its length and each value with its type: two
  // events fold alike only when their canonical lines are equal. Folding the parts directly
  // costs a tenth of writing the line and hashing its bytes.
  std::uint64_t h = Mix(hash, event.index);
  h = Mix(h, static_cast<std::uint64_t>(event.time.ns));
  h = MixBytes(h, event.node);
  h = MixBytes(h, event.kind);
  h = Mix(h, event.fields.size());
  for (const TraceField& f : event.fields) {
    h = MixBytes(h, f.key);
    h = MixValue(h, f.value);
  }
  return MixBytes(h, event.text);
}

const TraceEvent& Trace::Emit(TraceEvent event) {
  event.index = next_index_++;
  hash_ = MixTraceEvent(hash_, event);
  for (const Sink& sink : sinks_) sink(event);
  if (keep_events_) {
    events_.push_back(std::move(event));
    return events_.back();
  }
  last_ = std::move(event);
  return last_;
}

void Trace::HashDelivery(Time time, std::uint32_t from, std::uint32_t to, std::uint32_t kind) {
  hash_ = Mix(hash_, static_cast<std::uint64_t>(time.ns));
  hash_ = Mix(hash_, (static_cast<std::uint64_t>(from) << 32) | to);
  hash_ = Mix(hash_, kind);
}

std::string Trace::HashHex() const { return fmt::format("{:016x}", hash_); }

}  // namespace kafkasim
