// What clients did, for expectations and guarantee checkers: every produce outcome and every
// consumed record. Owned outside the client nodes so it survives their crashes.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/status.h"
#include "engine/time.h"

namespace kafkasim::kafka {

struct ProduceOutcome {
  std::string client;
  std::int64_t sequence = 0;  // the n-th record the client produced, from 0
  std::string topic;
  std::int32_t partition = -1;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::int16_t acks = -1;
  Errc error = Errc::kNone;
  std::int64_t offset = -1;  // assigned offset when acknowledged (-1 with acks=0)
  Time at;
};

struct ConsumeEvent {
  std::string client;
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  Time at;
  // The high watermark the fetch response that carried the record gave (-1 when unknown).
  std::int64_t high_watermark = -1;
};

// A group member's assignment for one generation, as the member received it (SyncGroup).
struct AssignmentEvent {
  std::string client;
  std::string group;
  std::string member_id;
  std::int32_t generation = -1;
  std::vector<std::string> partitions;  // "cities-0", ...
  Time at;
};

struct ClientStats {
  std::int64_t sent = 0;
  std::int64_t acknowledged = 0;
  std::int64_t failed = 0;
  std::int64_t in_flight = 0;
  std::int64_t consumed = 0;
  std::string last_error;
  std::map<std::string, std::int64_t> errors;  // Kafka error name -> count (incl. retried)
  // The same by partition: "cities-0" -> error name -> count.
  std::map<std::string, std::map<std::string, std::int64_t>> partition_errors;
  // Consumers: by topic, the next offset to read of each partition (-1: no position yet).
  std::map<std::string, std::vector<std::int64_t>, std::less<>> positions;

  void SetPosition(std::string_view topic, std::int32_t partition, std::int64_t offset) {
    if (partition < 0) return;
    auto it = positions.find(topic);
    if (it == positions.end()) it = positions.emplace(std::string(topic), 0).first;
    std::vector<std::int64_t>& offsets = it->second;
    const auto at = static_cast<std::size_t>(partition);
    if (offsets.size() <= at) offsets.resize(at + 1, -1);
    offsets[at] = offset;
  }
};

struct ClientHistory {
  // Clients report each outcome and each consumed record here. Every one is handed to the
  // observer, if any, and kept in `produced` / `consumed` only while keep_records is on (the
  // kafka tests read them). The scenario world turns it off and folds each into compact
  // per-partition state instead (scenario/record_ledger.h), so a long run does not hold a
  // second copy of every record.
  void Produced(ProduceOutcome outcome) {
    if (on_produced) on_produced(outcome);
    if (keep_records) produced.push_back(std::move(outcome));
  }
  void Consumed(ConsumeEvent event) {
    if (on_consumed) on_consumed(event);
    if (keep_records) consumed.push_back(std::move(event));
  }

  bool keep_records = true;
  std::function<void(const ProduceOutcome&)> on_produced;
  std::function<void(const ConsumeEvent&)> on_consumed;
  std::vector<ProduceOutcome> produced;
  std::vector<ConsumeEvent> consumed;
  std::vector<AssignmentEvent> assignments;
  std::map<std::string, ClientStats> stats;  // by client id
};

}  // namespace kafkasim::kafka
