// The Console as a terminal transcript, read from the trace: every command (typed in the
// console, clicked on the map, or a scenario `run` step) with its output under it — the
// tool's answer, the fault it injected, and, for kafka-console-consumer.sh and
// kafka-console-producer.sh, each record and acknowledgement as the client gets it. Built from
// the trace alone, so a rewind or a replay shows exactly what the run printed by then.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/trace.h"

namespace kafkasim::gui {

struct ConsoleOutputLine {
  enum class Kind : std::uint8_t { kOutput, kError, kNote };
  Kind kind = Kind::kOutput;
  std::string text;
};

struct ConsoleBlock {
  std::uint64_t event_index = 0;  // the command's trace event
  Time at;
  std::string command;         // "kafka-console-consumer.sh --topic cities --from-beginning"
  bool from_scenario = false;  // a `run` step of the scenario, not typed or clicked
  std::string client;          // the console client it started ("console-consumer-1"), if any
  std::vector<ConsoleOutputLine> lines;
  std::size_t lines_dropped = 0;  // past kLinesPerBlockMax: counted, left to the event log
};

// What the Clients tab shows for a console client, which the scenario does not declare: the
// topic of its command line and the group it joined ("" without one).
struct ConsoleClient {
  std::string topic;
  std::string group;
};

// The value of `--flag VALUE` or `--flag=VALUE` in a command line, or "".
std::string OptionValue(const std::string& command, const std::string& flag);

class ConsoleModel {
 public:
  // A consumer reading a long topic keeps its last lines here; the event log has all.
  static constexpr std::size_t kLinesPerBlockMax = 2000;

  // Like EventFilter: reads only the events added since the last call; starts over when the
  // trace shrank (a rewind).
  void Update(const std::vector<TraceEvent>& trace);
  void Reset();
  const std::vector<ConsoleBlock>& blocks() const { return blocks_; }
  // The console client `name` ("console-consumer-1") started by a command, or nullptr.
  const ConsoleClient* Client(const std::string& name) const;

 private:
  void Read(const TraceEvent& e);
  void Append(std::size_t block, ConsoleOutputLine line);

  std::size_t scanned_ = 0;
  std::vector<ConsoleBlock> blocks_;
  std::map<std::string, std::size_t> client_block_;  // console client -> its command's block
  std::map<std::string, ConsoleClient> clients_;
  std::vector<std::size_t>
      awaiting_;  // blocks of tools whose answer has not come yet, oldest first
};

}  // namespace kafkasim::gui
