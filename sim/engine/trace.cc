// Trace storage, canonical JSON and the determinism hash.
#include "engine/trace.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "engine/prng.h"

namespace kafkasim {
namespace {

nlohmann::ordered_json ValueToJson(const TraceValue& value) {
  return std::visit([](const auto& v) { return nlohmann::ordered_json(v); }, value);
}

std::uint64_t Mix(std::uint64_t h, std::uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h * kFnvPrime;
}

}  // namespace

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

const TraceEvent& Trace::Emit(TraceEvent event) {
  event.index = next_index_++;
  const std::string line = TraceEventToJson(event);
  hash_ = Fnv1a64(line, hash_);
  hash_ = Fnv1a64("\n", hash_);
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
