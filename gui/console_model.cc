#include "gui/console_model.h"

#include <algorithm>
#include <string_view>

#include "kafka/trace_kinds.h"
#include "scenario/trace_kinds.h"

namespace kafkasim::gui {

namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string_view FirstWord(std::string_view s) { return s.substr(0, s.find(' ')); }

// The tools whose answer comes later, from a broker or the quorum (Output with the answer
// once the request returns). The console clients answer at once (an error) or never; faults
// and the scripts that print at once answer in the same instant as well.
bool AnswersLater(std::string_view command) {
  const std::string_view tool = FirstWord(command);
  return tool.size() > 3 && tool.substr(tool.size() - 3) == ".sh" &&
         tool != "kafka-console-producer.sh" && tool != "kafka-console-consumer.sh";
}

// What a command does at once, as world-level events: a fault (a node crashed, a link cut, a
// disk filled), the console client it started, or why it failed.
bool CommandEffect(const TraceEvent& e) {
  namespace sk = scenario::trace_kind;
  if (e.kind == sk::kClientStart) return StartsWith(e.text, "console-");
  return StartsWith(e.kind, "node.") || StartsWith(e.kind, "network.") ||
         StartsWith(e.kind, "disk.") || e.kind == sk::kCommandError;
}

// Each line of a multi-line text (a describe table) as a line of its own.
template <typename Fn>
void EachLine(std::string_view text, Fn fn) {
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    fn(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

}  // namespace

std::string OptionValue(const std::string& command, const std::string& flag) {
  std::string_view rest = command;
  // Up to a here-string: its lines are data, not flags.
  rest = rest.substr(0, rest.find("<<<"));
  for (std::size_t at = rest.find(flag); at != std::string_view::npos;
       at = rest.find(flag, at + 1)) {
    const bool starts = at == 0 || rest[at - 1] == ' ';
    const std::size_t end = at + flag.size();
    if (!starts || end >= rest.size() || (rest[end] != ' ' && rest[end] != '=')) continue;
    std::string_view value = rest.substr(end + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    return std::string(value.substr(0, value.find(' ')));
  }
  return "";
}

const ConsoleClient* ConsoleModel::Client(const std::string& name) const {
  const auto it = clients_.find(name);
  return it == clients_.end() ? nullptr : &it->second;
}

void ConsoleModel::Reset() {
  scanned_ = 0;
  blocks_.clear();
  client_block_.clear();
  clients_.clear();
  awaiting_.clear();
}

void ConsoleModel::Update(const std::vector<TraceEvent>& trace) {
  if (trace.size() < scanned_) Reset();
  for (; scanned_ < trace.size(); ++scanned_) Read(trace[scanned_]);
}

void ConsoleModel::Append(std::size_t block, ConsoleOutputLine line) {
  ConsoleBlock& b = blocks_[block];
  if (b.lines.size() >= kLinesPerBlockMax) {
    // Keep the newest lines, as a terminal's scrollback does.
    b.lines.erase(b.lines.begin());
    ++b.lines_dropped;
  }
  b.lines.push_back(std::move(line));
}

void ConsoleModel::Read(const TraceEvent& e) {
  namespace sk = scenario::trace_kind;
  namespace kk = kafka::trace_kind;
  using Kind = ConsoleOutputLine::Kind;
  // A command: typed or clicked ("console"), or a scenario's `run` step ("tool").
  const bool typed = e.kind == sk::kInputCommand && e.node == "console";
  if (typed || e.kind == sk::kToolRun) {
    ConsoleBlock b;
    b.event_index = e.index;
    b.at = e.time;
    b.command = StartsWith(e.text, "$ ") ? e.text.substr(2) : e.text;
    b.from_scenario = !typed;
    if (AnswersLater(b.command)) awaiting_.push_back(blocks_.size());
    blocks_.push_back(std::move(b));
    return;
  }
  if (blocks_.empty()) return;
  // A console client's records, acknowledgements and errors, under the command that started it.
  if (const auto c = client_block_.find(e.node); c != client_block_.end()) {
    if (!StartsWith(e.kind, "client.")) return;
    std::string_view text = e.text;
    if (e.kind == kk::kClientRecord && StartsWith(text, "| ")) text.remove_prefix(2);
    const bool error = e.kind == kk::kClientProduceError || e.kind == kk::kClientDisconnect;
    const bool note = e.kind == kk::kClientDone || e.kind == kk::kClientStop ||
                      e.kind == kk::kClientClosing || e.kind == kk::kClientProducerId ||
                      e.kind == kk::kClientEpochBump;
    Append(c->second, {error  ? Kind::kError
                       : note ? Kind::kNote
                              : Kind::kOutput,
                       std::string(text)});
    return;
  }
  // A tool's answer: to the oldest tool still waiting for one, else to the latest command.
  if (e.node == "tool" && (e.kind == sk::kToolOutput || e.kind == sk::kToolError)) {
    std::size_t block = blocks_.size() - 1;
    if (!awaiting_.empty()) {
      block = awaiting_.front();
      awaiting_.erase(awaiting_.begin());
    }
    const Kind kind = e.kind == sk::kToolError ? Kind::kError : Kind::kOutput;
    EachLine(e.text, [&](std::string_view line) { Append(block, {kind, std::string(line)}); });
    return;
  }
  // What the latest command did at once: the fault it injected, the client it started, the
  // command's error.
  ConsoleBlock& last = blocks_.back();
  if (e.node.empty() && e.time == last.at && CommandEffect(e)) {
    const std::size_t block = blocks_.size() - 1;
    if (e.kind == sk::kClientStart) {
      const std::string client(FirstWord(e.text));
      if (last.client.empty()) {
        last.client = client;
        client_block_[client] = block;
        ConsoleClient& info = clients_[client];
        info.topic = OptionValue(last.command, "--topic");
        // "console-consumer-1 started ... in group console-consumer-98204"
        const std::size_t in_group = e.text.find(" in group ");
        if (in_group != std::string::npos) info.group = e.text.substr(in_group + 10);
      }
    }
    Append(block, {e.kind == sk::kCommandError ? Kind::kError : Kind::kNote, e.text});
  }
}

}  // namespace kafkasim::gui
