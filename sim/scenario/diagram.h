// Sequence (space-time) diagrams of simulated messages, as Mermaid or SVG text, and the
// MessageRecorder that collects the message records from a running Simulation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "engine/message.h"
#include "engine/simulation.h"
#include "engine/time.h"
#include "kafka/message_kind.h"

namespace kafkasim::scenario {

enum class MessageOutcome : std::uint8_t { kInFlight, kDelivered, kDropped };

struct MessageRecord {
  std::string from;  // "broker-1"
  std::string to;
  kafka::MessageKind kind = kafka::MessageKind::kOther;
  Time sent_at;
  Time deliver_at;
  std::string label;  // "Fetch cities-0 offset=42"
  MessageOutcome outcome = MessageOutcome::kInFlight;
};

struct DiagramOptions {
  // Lanes in this order first; nodes not listed follow in order of first appearance.
  std::vector<std::string> participants;
  // At most this many messages are drawn; the rest are counted in a closing note.
  std::size_t messages_max = 400;
  bool include_heartbeats = true;
};

// Messages sent within [from, to), sorted by (sent_at, deliver_at) with ties kept stable.
std::vector<MessageRecord> MessagesInWindow(const std::vector<MessageRecord>& records, Time from,
                                            Time to, const DiagramOptions& options);

// Mermaid `sequenceDiagram` text. Delivered messages are `->>`, dropped ones `-x`.
std::string SequenceDiagramMermaid(const std::vector<MessageRecord>& records, Time from, Time to,
                                   const DiagramOptions& options = {});

// A standalone SVG document: one vertical lane per node, time flowing down, each message a
// slanted arrow from (sender, sent_at) to (receiver, deliver_at); dropped ones end in a cross.
std::string SequenceDiagramSvg(const std::vector<MessageRecord>& records, Time from, Time to,
                               const DiagramOptions& options = {});

// Collects every message the simulation sends, delivers or drops. Keeps at most
// `records_max` records (the oldest are discarded first). Register with
// Simulation::AddObserver; the recorder must outlive its registration.
class MessageRecorder : public MessageObserver {
 public:
  explicit MessageRecorder(const Simulation& simulation, std::size_t records_max = 200'000);

  void OnSend(const Message& message, bool lost) override;
  void OnDeliver(const Message& message) override;
  void OnDrop(const Message& message, const char* reason) override;

  const std::vector<MessageRecord>& records() const { return records_; }
  std::uint64_t discarded() const { return discarded_; }
  void Clear();

 private:
  using Key = std::tuple<NodeIndex, NodeIndex, std::int64_t, std::int64_t, MessageClass>;
  static Key KeyOf(const Message& message);
  void Settle(const Message& message, MessageOutcome outcome);
  void Compact();

  const Simulation& simulation_;
  std::size_t records_max_;
  std::vector<MessageRecord> records_;
  // Messages still in flight: key -> absolute record numbers (records_[n - base_]).
  std::multimap<Key, std::uint64_t> pending_;
  std::uint64_t base_ = 0;
  std::uint64_t discarded_ = 0;
};

}  // namespace kafkasim::scenario
