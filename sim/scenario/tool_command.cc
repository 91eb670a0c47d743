// Parsing of the quickstart's kafka-*.sh command lines and the console's fault commands.
// Error texts follow the real tools (joptsimple / CommandLineUtils) where they are clear.
#include "scenario/tool_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>
#include <string>
#include <type_traits>

#include "scenario/duration.h"
#include "scenario/scenario.h"

namespace kafkasim::scenario {
namespace {

constexpr std::string_view kTopicsTool = "kafka-topics.sh";
constexpr std::string_view kProducerTool = "kafka-console-producer.sh";
constexpr std::string_view kConsumerTool = "kafka-console-consumer.sh";
constexpr std::string_view kGroupsTool = "kafka-consumer-groups.sh";
constexpr std::string_view kQuorumTool = "kafka-metadata-quorum.sh";
constexpr std::string_view kElectionTool = "kafka-leader-election.sh";
constexpr std::string_view kZkShellTool = "zookeeper-shell.sh";
constexpr std::string_view kConfigsTool = "kafka-configs.sh";

Status Fail(std::string_view tool, std::string_view message) {
  return {Errc::kInvalidArgument, std::string(tool) + ": " + std::string(message)};
}

Status MissingArgument(std::string_view tool, std::string_view option) {
  return Fail(tool, "Missing required argument \"[" + std::string(option) + "]\"");
}

Status CannotCombine(std::string_view tool, std::string_view a, std::string_view b) {
  return Fail(tool, "Option \"[" + std::string(a) + "]\" can't be used with option \"[" +
                        std::string(b) + "]\"");
}

// ---- Shell-like word splitting ---------------------------------------------------------------

// Appends the words of `text` (split_words) or the one unquoted text (!split_words).
Status Lex(std::string_view text, bool split_words, std::vector<std::string>& out) {
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (split_words && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
      if (in_word) out.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\'') {
      const std::size_t close = text.find('\'', i + 1);
      if (close == std::string_view::npos)
        return {Errc::kInvalidArgument, "unterminated single quote"};
      word.append(text.substr(i + 1, close - i - 1));
      i = close;
    } else if (c == '"') {
      std::size_t j = i + 1;
      for (; j < text.size() && text[j] != '"'; ++j) {
        if (text[j] == '\\' && j + 1 < text.size() &&
            std::string_view("\"\\$`").find(text[j + 1]) != std::string_view::npos) {
          ++j;
        }
        word.push_back(text[j]);
      }
      if (j >= text.size()) return {Errc::kInvalidArgument, "unterminated double quote"};
      i = j;
    } else if (c == '\\') {
      if (i + 1 >= text.size()) return {Errc::kInvalidArgument, "trailing backslash"};
      word.push_back(text[++i]);
    } else {
      word.push_back(c);
    }
  }
  if (in_word || !split_words) out.push_back(std::move(word));
  return Status::Ok();
}

// Positions of unquoted occurrences of `needle` (a here-string "<<<" or a '|' separator).
// Quotes that never close are left for Lex to report.
std::size_t FindUnquoted(std::string_view text, std::string_view needle, std::size_t from) {
  char quote = 0;
  for (std::size_t i = from; i < text.size(); ++i) {
    const char c = text[i];
    if (quote != 0) {
      if (c == '\\' && quote == '"' && i + 1 < text.size()) {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
    } else if (c == '\\') {
      ++i;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (text.substr(i, needle.size()) == needle) {
      return i;
    }
  }
  return std::string_view::npos;
}

std::string_view Trim(std::string_view s) {
  const auto not_space = [](char c) { return c != ' ' && c != '\t' && c != '\r' && c != '\n'; };
  while (!s.empty() && !not_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && !not_space(s.back())) s.remove_suffix(1);
  return s;
}

// "a|'b c'|d" -> {"a", "b c", "d"}.
Result<std::vector<std::string>> SplitHereString(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (true) {
    const std::size_t bar = FindUnquoted(text, "|", start);
    const std::string_view piece =
        Trim(text.substr(start, bar == std::string_view::npos ? text.size() - start : bar - start));
    Status status = Lex(piece, /*split_words=*/false, lines);
    if (!status.ok()) return status;
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  return lines;
}

// ---- Option scanning -------------------------------------------------------------------------

struct OptionDef {
  std::string_view name;  // without "--"
  bool takes_value;
  bool repeatable;
};

struct ScannedOptions {
  std::vector<std::pair<std::string, std::string>> given;  // (name, value) in order
  std::vector<std::string> positionals;

  bool Has(std::string_view name) const {
    for (const auto& [n, v] : given) {
      if (n == name) return true;
    }
    return false;
  }
  const std::string* Value(std::string_view name) const {
    for (const auto& [n, v] : given) {
      if (n == name) return &v;
    }
    return nullptr;
  }
  std::vector<std::string> Values(std::string_view name) const {
    std::vector<std::string> values;
    for (const auto& [n, v] : given) {
      if (n == name) values.push_back(v);
    }
    return values;
  }
};

Result<ScannedOptions> ScanOptions(std::string_view tool, const std::vector<std::string>& words,
                                   const std::vector<OptionDef>& defs, bool allow_positionals) {
  ScannedOptions scanned;
  for (std::size_t i = 1; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (word.size() < 3 || word[0] != '-' || word[1] != '-') {
      if (allow_positionals && !word.empty() && word[0] != '-') {
        scanned.positionals.push_back(word);
        continue;
      }
      if (!word.empty() && word[0] == '-') {
        return Fail(tool, "'" + word + "' is not a recognized option");
      }
      return Fail(tool, "unexpected argument '" + word + "'");
    }
    std::string name = word.substr(2);
    std::optional<std::string> inline_value;
    if (const std::size_t eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name.resize(eq);
    }
    const OptionDef* def = nullptr;
    for (const OptionDef& d : defs) {
      if (d.name == name) def = &d;
    }
    if (def == nullptr) return Fail(tool, "'--" + name + "' is not a recognized option");
    if (!def->repeatable && scanned.Has(name)) {
      return Fail(tool, "option --" + name + " given more than once");
    }
    std::string value;
    if (def->takes_value) {
      if (inline_value) {
        value = *inline_value;
      } else if (i + 1 < words.size()) {
        value = words[++i];
      } else {
        return Fail(tool, "option --" + name + " needs an argument");
      }
    } else if (inline_value) {
      return Fail(tool, "option --" + name + " takes no argument");
    }
    scanned.given.emplace_back(std::move(name), std::move(value));
  }
  return scanned;
}

template <typename Int>
Result<Int> ParseNumber(std::string_view tool, std::string_view option, std::string_view text) {
  Int value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) {
    return Fail(tool, "option --" + std::string(option) + " needs a number, got '" +
                          std::string(text) + "'");
  }
  return value;
}

// host:port[,host:port...]
Status CheckBootstrap(std::string_view tool, std::string_view option, std::string_view servers) {
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = servers.find(',', start);
    const std::string_view one = servers.substr(
        start, comma == std::string_view::npos ? servers.size() - start : comma - start);
    const std::size_t colon = one.rfind(':');
    bool good = colon != std::string_view::npos && colon > 0;
    if (good) {
      int port = 0;
      const std::string_view digits = one.substr(colon + 1);
      const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
      good = !digits.empty() && ec == std::errc() && ptr == digits.data() + digits.size() &&
             port >= 1 && port <= 65535;
    }
    if (!good) {
      return Fail(tool, "invalid --" + std::string(option) + " '" + std::string(servers) +
                            "'; expected host:port such as localhost:9092");
    }
    if (comma == std::string_view::npos) return Status::Ok();
    start = comma + 1;
  }
}

Result<std::string> RequiredBootstrap(std::string_view tool, const ScannedOptions& options) {
  const std::string* server = options.Value("bootstrap-server");
  if (server == nullptr) return MissingArgument(tool, "bootstrap-server");
  Status status = CheckBootstrap(tool, "bootstrap-server", *server);
  if (!status.ok()) return status;
  return *server;
}

Status CheckTopicName(std::string_view tool, std::string_view topic) {
  const std::string problem = TopicNameProblem(topic);
  return problem.empty() ? Status::Ok() : Fail(tool, problem);
}

Result<std::pair<std::string, std::string>> SplitKeyValue(std::string_view tool,
                                                          std::string_view option,
                                                          std::string_view text) {
  const std::size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return Fail(tool, "option --" + std::string(option) + " expects key=value, got '" +
                          std::string(text) + "'");
  }
  return std::pair<std::string, std::string>(text.substr(0, eq), text.substr(eq + 1));
}

Result<bool> ParseBoolProperty(std::string_view tool, std::string_view key,
                               std::string_view value) {
  if (value == "true") return true;
  if (value == "false") return false;
  return Fail(tool, "property " + std::string(key) + " must be true or false, got '" +
                        std::string(value) + "'");
}

Status UnknownName(std::string_view tool, std::string_view what, std::string_view name,
                   const std::vector<std::string_view>& known) {
  std::string message = "unknown " + std::string(what) + " '" + std::string(name) + "'";
  const std::string guess = ClosestName(name, known);
  if (!guess.empty()) {
    message += "; did you mean '" + guess + "'?";
  } else {
    message += "; expected one of: ";
    for (std::size_t i = 0; i < known.size(); ++i) {
      message += (i > 0 ? ", " : "") + std::string(known[i]);
    }
  }
  return Fail(tool, message);
}

// ---- kafka-topics.sh -------------------------------------------------------------------------

Status CheckTopicsCombinations(const ScannedOptions& options, std::string_view action) {
  const std::pair<std::string_view, std::vector<std::string_view>> allowed_with[] = {
      {"partitions", {"create", "alter"}},
      {"replication-factor", {"create"}},
      {"replica-assignment", {"create"}},
      {"config", {"create"}},
      {"if-not-exists", {"create"}},
      {"if-exists", {"delete", "describe", "alter"}},
      {"under-replicated-partitions", {"describe"}},
      {"unavailable-partitions", {"describe"}},
  };
  for (const auto& [option, actions] : allowed_with) {
    if (!options.Has(option)) continue;
    bool ok = false;
    for (std::string_view a : actions) ok = ok || a == action;
    if (!ok) return CannotCombine(kTopicsTool, option, action);
  }
  return Status::Ok();
}

// --config k=v, each checked against the topic config catalogue.
// One topic config a tool sets (--config, --add-config), checked against the topic config
// catalogue: its canonical value, or the tool's error (unknown name, bad value, not simulated).
Result<std::string> CheckTopicConfig(std::string_view tool, const std::string& name,
                                     const std::string& value) {
  const ConfigSpec* spec = FindConfigSpec(TopicConfigSpecs(), name);
  if (spec == nullptr) {
    std::vector<std::string_view> names;
    for (const ConfigSpec& s : TopicConfigSpecs()) names.push_back(s.name);
    return UnknownName(tool, "topic config", name, names);
  }
  auto canonical = CanonicalConfigValue(*spec, value);
  if (!canonical.ok()) {
    return Fail(tool, "invalid value '" + value + "' for config " + name + ": " +
                          canonical.status().message());
  }
  if (const std::string_view why = NotSimulatedReason(*spec, *canonical); !why.empty()) {
    return Fail(tool, name + " is not simulated: " + std::string(why));
  }
  return canonical;
}

Status ParseTopicConfigs(const ScannedOptions& options, TopicsCommand& command) {
  for (const std::string& text : options.Values("config")) {
    if (text.find('=') == std::string::npos) {
      return Fail(kTopicsTool,
                  "Invalid topic config: all configs to be added must be in the format "
                  "\"key=val\".");
    }
    auto kv = SplitKeyValue(kTopicsTool, "config", text);
    if (!kv.ok()) return kv.status();
    auto canonical = CheckTopicConfig(kTopicsTool, kv->first, kv->second);
    if (!canonical.ok()) return canonical.status();
    command.configs.emplace_back(kv->first, *canonical);
  }
  return Status::Ok();
}

// "1:2:3,2:3:1" as TopicCommand.parseReplicaAssignment reads it: partitions split at ',',
// brokers at ':', no duplicate within a partition, every partition as long as the first.
Result<std::vector<std::vector<std::int32_t>>> ParseReplicaAssignment(std::string_view text) {
  std::vector<std::vector<std::int32_t>> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view part = text.substr(start, comma - start);
    std::vector<std::int32_t> brokers;
    std::size_t b = 0;
    while (b <= part.size()) {
      const std::size_t colon = std::min(part.find(':', b), part.size());
      std::string_view id = part.substr(b, colon - b);
      while (!id.empty() && id.front() == ' ') id.remove_prefix(1);
      while (!id.empty() && id.back() == ' ') id.remove_suffix(1);
      std::int32_t value = 0;
      const auto [ptr, ec] = std::from_chars(id.data(), id.data() + id.size(), value);
      if (id.empty() || ec != std::errc() || ptr != id.data() + id.size()) {
        // Java's Integer.parseInt message.
        return Fail(kTopicsTool, "For input string: \"" + std::string(id) + "\"");
      }
      brokers.push_back(value);
      b = colon + 1;
    }
    std::vector<std::int32_t> sorted = brokers;
    std::sort(sorted.begin(), sorted.end());
    std::string duplicates;
    for (std::size_t i = 1; i < sorted.size(); ++i) {
      if (sorted[i] == sorted[i - 1] && (i < 2 || sorted[i - 2] != sorted[i])) {
        duplicates += (duplicates.empty() ? "" : ",") + std::to_string(sorted[i]);
      }
    }
    if (!duplicates.empty()) {
      return Fail(kTopicsTool,
                  "Partition replica lists may not contain duplicate entries: " + duplicates);
    }
    if (!out.empty() && brokers.size() != out.front().size()) {
      std::string list;
      for (std::int32_t id : brokers) list += (list.empty() ? "" : ", ") + std::to_string(id);
      return Fail(kTopicsTool, "Partition " + std::to_string(out.size()) +
                                   " has different replication factor: [" + list + "]");
    }
    out.push_back(std::move(brokers));
    start = comma + 1;
  }
  return out;
}

Result<ToolCommand> ParseTopics(const std::vector<std::string>& words) {
  // Kafka 3.0 removed --zookeeper from kafka-topics.sh (KIP-604): joptsimple refuses it.
  for (std::size_t i = 1; i < words.size(); ++i) {
    if (words[i] == "--zookeeper" || words[i].rfind("--zookeeper=", 0) == 0) {
      return Status(Errc::kInvalidArgument,
                    "Exception in thread \"main\" joptsimple.UnrecognizedOptionException: "
                    "zookeeper is not a recognized option\n(kafka-topics.sh reaches the cluster "
                    "through a broker since Kafka 3.0: use --bootstrap-server localhost:9092)");
    }
  }
  static const std::vector<OptionDef> kDefs = {
      {"create", false, false},
      {"list", false, false},
      {"describe", false, false},
      {"delete", false, false},
      {"alter", false, false},
      {"topic", true, false},
      {"partitions", true, false},
      {"replication-factor", true, false},
      {"replica-assignment", true, false},
      {"config", true, true},
      {"bootstrap-server", true, false},
      {"if-not-exists", false, false},
      {"if-exists", false, false},
      {"under-replicated-partitions", false, false},
      {"unavailable-partitions", false, false},
  };
  auto scanned = ScanOptions(kTopicsTool, words, kDefs, false);
  if (!scanned.ok()) return scanned.status();
  const ScannedOptions& options = *scanned;
  TopicsCommand command;
  int actions = 0;
  std::string_view action_name;
  const std::pair<std::string_view, TopicsCommand::Action> kActions[] = {
      {"create", TopicsCommand::Action::kCreate},
      {"list", TopicsCommand::Action::kList},
      {"describe", TopicsCommand::Action::kDescribe},
      {"delete", TopicsCommand::Action::kDelete},
      {"alter", TopicsCommand::Action::kAlter}};
  for (const auto& [name, action] : kActions) {
    if (options.Has(name)) {
      ++actions;
      action_name = name;
      command.action = action;
    }
  }
  if (actions != 1) {
    return Fail(kTopicsTool,
                "Command must include exactly one action: --list, --describe, --create, "
                "--alter or --delete");
  }
  auto bootstrap = RequiredBootstrap(kTopicsTool, options);
  if (!bootstrap.ok()) return bootstrap.status();
  command.bootstrap_server = *bootstrap;
  if (const std::string* topic = options.Value("topic")) {
    // For --list and --describe the topic is a regular expression (TopicFilter.IncludeList),
    // checked when it runs; --create names a topic (Topic.validate). --alter and --delete take
    // a regular expression in Kafka too; the simulator takes only one name there.
    if (command.action != TopicsCommand::Action::kList &&
        command.action != TopicsCommand::Action::kDescribe) {
      Status status = CheckTopicName(kTopicsTool, *topic);
      if (!status.ok()) return status;
    }
    command.topic = *topic;
  } else if (command.action == TopicsCommand::Action::kCreate ||
             command.action == TopicsCommand::Action::kDelete ||
             command.action == TopicsCommand::Action::kAlter) {
    return MissingArgument(kTopicsTool, "topic");
  }
  Status combinations = CheckTopicsCombinations(options, action_name);
  if (!combinations.ok()) return combinations;
  if (const std::string* text = options.Value("partitions")) {
    auto n = ParseNumber<std::int32_t>(kTopicsTool, "partitions", *text);
    if (!n.ok()) return n.status();
    if (*n < 1) return Fail(kTopicsTool, "The partitions must be greater than 0");
    command.partitions = *n;
  }
  if (const std::string* text = options.Value("replication-factor")) {
    auto n = ParseNumber<std::int32_t>(kTopicsTool, "replication-factor", *text);
    if (!n.ok()) return n.status();
    if (*n < 1 || *n > 32767) {
      return Fail(kTopicsTool, "The replication factor must be between 1 and 32767 inclusive");
    }
    command.replication_factor = *n;
  }
  if (const std::string* text = options.Value("replica-assignment")) {
    // TopicCommand: not with --partitions or --replication-factor (checkInvalidArgs), and
    // parseReplicaAssignment's checks of each partition's list.
    for (std::string_view other : {"partitions", "replication-factor"}) {
      if (options.Has(other)) return CannotCombine(kTopicsTool, "replica-assignment", other);
    }
    auto assignment = ParseReplicaAssignment(*text);
    if (!assignment.ok()) return assignment.status();
    command.replica_assignment = std::move(*assignment);
  }
  if (command.action == TopicsCommand::Action::kAlter && !command.partitions) {
    // Kafka 4.0's TopicCommand alters only the partition count (configs: kafka-configs.sh).
    return MissingArgument(kTopicsTool, "partitions");
  }
  Status configs = ParseTopicConfigs(options, command);
  if (!configs.ok()) return configs;
  command.if_not_exists = options.Has("if-not-exists");
  command.if_exists = options.Has("if-exists");
  command.under_replicated_partitions = options.Has("under-replicated-partitions");
  command.unavailable_partitions = options.Has("unavailable-partitions");
  return ToolCommand(std::move(command));
}

// ---- kafka-console-producer.sh ---------------------------------------------------------------

Result<std::string> NormalizeAcks(std::string_view tool, std::string_view value) {
  if (value == "0" || value == "1") return std::string(value);
  if (value == "-1" || value == "all") return std::string("all");
  return Fail(tool, "acks must be one of 0, 1, -1 or all, got '" + std::string(value) + "'");
}

Status ApplyProducerProperty(ConsoleProducerCommand& command, std::string_view text) {
  static const std::vector<std::string_view> kKnown = {"acks",
                                                       "batch.size",
                                                       "compression.type",
                                                       "delivery.timeout.ms",
                                                       "enable.idempotence",
                                                       "linger.ms",
                                                       "max.in.flight.requests.per.connection",
                                                       "request.timeout.ms",
                                                       "retries"};
  auto kv = SplitKeyValue(kProducerTool, "producer-property", text);
  if (!kv.ok()) return kv.status();
  const auto& [key, value] = *kv;
  bool known = false;
  for (std::string_view k : kKnown) known = known || k == key;
  if (!known) return UnknownName(kProducerTool, "producer property", key, kKnown);
  if (key == "acks") {
    auto acks = NormalizeAcks(kProducerTool, value);
    if (!acks.ok()) return acks.status();
    command.acks = *acks;
    return Status::Ok();
  }
  // ProducerConfig's ConfigDef: the type and range of each property, and ConfigException's
  // words when a value is outside them.
  struct Range {
    std::string_view name;
    std::string_view type;  // "INT", "LONG", "BOOLEAN", "STRING"
    std::int64_t min;
  };
  static const std::vector<Range> kRanges = {
      {"batch.size", "INT", 0},
      {"delivery.timeout.ms", "INT", 0},
      {"enable.idempotence", "BOOLEAN", 0},
      {"linger.ms", "LONG", 0},
      {"max.in.flight.requests.per.connection", "INT", 1},
      {"request.timeout.ms", "INT", 0},
      {"retries", "INT", 0},
      {"compression.type", "STRING", 0},
  };
  const std::string& name = key;  // clang 14 lambdas cannot capture structured bindings
  const std::string& given = value;
  const auto invalid = [&name, &given](std::string_view why) {
    return Fail(kProducerTool,
                fmt::format("org.apache.kafka.common.config.ConfigException: Invalid value {} "
                            "for configuration {}: {}",
                            given, name, why));
  };
  for (const Range& r : kRanges) {
    if (r.name != key) continue;
    if (r.type == "BOOLEAN") {
      if (value != "true" && value != "false")
        return invalid("Expected value to be either true or false");
    } else if (r.type == "STRING") {
      if (value != "none" && value != "gzip" && value != "snappy" && value != "lz4" &&
          value != "zstd") {
        return invalid("String must be one of: none, gzip, snappy, lz4, zstd");
      }
    } else {
      std::int64_t n = 0;
      const char* end = value.data() + value.size();
      auto [ptr, ec] = std::from_chars(value.data(), end, n);
      if (value.empty() || ec != std::errc() || ptr != end ||
          (r.type == "INT" && (n < INT32_MIN || n > INT32_MAX))) {
        return invalid(fmt::format("Not a number of type {}", r.type));
      }
      if (n < r.min) return invalid(fmt::format("Value must be at least {}", r.min));
    }
  }
  command.producer_properties.emplace_back(key, value);
  return Status::Ok();
}

Result<ToolCommand> ParseProducer(const std::vector<std::string>& words) {
  static const std::vector<OptionDef> kDefs = {
      {"topic", true, false},
      {"bootstrap-server", true, false},
      {"property", true, true},
      {"producer-property", true, true},
      {"request-required-acks", true, false},
  };
  auto scanned = ScanOptions(kProducerTool, words, kDefs, false);
  if (!scanned.ok()) return scanned.status();
  const ScannedOptions& options = *scanned;
  ConsoleProducerCommand command;
  const std::string* topic = options.Value("topic");
  if (topic == nullptr) return MissingArgument(kProducerTool, "topic");
  Status status = CheckTopicName(kProducerTool, *topic);
  if (!status.ok()) return status;
  command.topic = *topic;
  auto bootstrap = RequiredBootstrap(kProducerTool, options);
  if (!bootstrap.ok()) return bootstrap.status();
  command.bootstrap_server = *bootstrap;
  static const std::vector<std::string_view> kProperties = {"parse.key", "key.separator"};
  for (const std::string& text : options.Values("property")) {
    auto kv = SplitKeyValue(kProducerTool, "property", text);
    if (!kv.ok()) return kv.status();
    if (kv->first == "parse.key") {
      auto b = ParseBoolProperty(kProducerTool, kv->first, kv->second);
      if (!b.ok()) return b.status();
      command.parse_key = *b;
    } else if (kv->first == "key.separator") {
      if (kv->second.empty()) return Fail(kProducerTool, "property key.separator is empty");
      command.key_separator = kv->second;
    } else {
      return UnknownName(kProducerTool, "property", kv->first, kProperties);
    }
  }
  for (const std::string& text : options.Values("producer-property")) {
    Status applied = ApplyProducerProperty(command, text);
    if (!applied.ok()) return applied;
  }
  // As ConsoleProducer does: an explicit --request-required-acks wins over
  // --producer-property acks=... (tools/.../ConsoleProducer producerProps).
  if (const std::string* acks = options.Value("request-required-acks")) {
    auto normalized = NormalizeAcks(kProducerTool, *acks);
    if (!normalized.ok()) return normalized.status();
    command.acks = *normalized;
  }
  return ToolCommand(std::move(command));
}

// ---- kafka-console-consumer.sh ---------------------------------------------------------------

Status ApplyConsumerProperty(ConsoleConsumerCommand& command, std::string_view text) {
  static const std::vector<std::string_view> kKnown = {"key.separator",   "print.key",
                                                       "print.offset",    "print.partition",
                                                       "print.timestamp", "print.value"};
  auto kv = SplitKeyValue(kConsumerTool, "property", text);
  if (!kv.ok()) return kv.status();
  const auto& [key, value] = *kv;
  if (key == "key.separator") {
    command.key_separator = value;
    return Status::Ok();
  }
  bool* flag = key == "print.key"         ? &command.print_key
               : key == "print.offset"    ? &command.print_offset
               : key == "print.partition" ? &command.print_partition
               : key == "print.timestamp" ? &command.print_timestamp
               : key == "print.value"     ? &command.print_value
                                          : nullptr;
  if (flag == nullptr) return UnknownName(kConsumerTool, "property", key, kKnown);
  auto b = ParseBoolProperty(kConsumerTool, key, value);
  if (!b.ok()) return b.status();
  *flag = *b;
  return Status::Ok();
}

Status ApplyConsumerOffset(ConsoleConsumerCommand& command, const std::string& text) {
  using OffsetSpec = ConsoleConsumerCommand::OffsetSpec;
  if (text == "earliest") {
    command.offset_spec = OffsetSpec::kEarliest;
  } else if (text == "latest") {
    command.offset_spec = OffsetSpec::kLatest;
  } else {
    std::int64_t value = -1;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || value < 0) {
      return Fail(kConsumerTool, "The provided offset value '" + text +
                                     "' is incorrect. Valid values are 'earliest', 'latest', "
                                     "or a non-negative long.");
    }
    command.offset_spec = OffsetSpec::kNumber;
    command.offset = value;
  }
  return Status::Ok();
}

Result<ToolCommand> ParseConsumer(const std::vector<std::string>& words) {
  static const std::vector<OptionDef> kDefs = {
      {"topic", true, false},           {"bootstrap-server", true, false},
      {"from-beginning", false, false}, {"partition", true, false},
      {"offset", true, false},          {"max-messages", true, false},
      {"property", true, true},         {"group", true, false},
  };
  auto scanned = ScanOptions(kConsumerTool, words, kDefs, false);
  if (!scanned.ok()) return scanned.status();
  const ScannedOptions& options = *scanned;
  ConsoleConsumerCommand command;
  const std::string* topic = options.Value("topic");
  if (topic == nullptr) return MissingArgument(kConsumerTool, "topic");
  Status status = CheckTopicName(kConsumerTool, *topic);
  if (!status.ok()) return status;
  command.topic = *topic;
  auto bootstrap = RequiredBootstrap(kConsumerTool, options);
  if (!bootstrap.ok()) return bootstrap.status();
  command.bootstrap_server = *bootstrap;
  command.from_beginning = options.Has("from-beginning");
  if (const std::string* text = options.Value("partition")) {
    auto n = ParseNumber<std::int32_t>(kConsumerTool, "partition", *text);
    if (!n.ok()) return n.status();
    if (*n < 0) return Fail(kConsumerTool, "The partition must be 0 or larger, got " + *text);
    command.partition = *n;
  }
  if (const std::string* text = options.Value("offset")) {
    Status offset = ApplyConsumerOffset(command, *text);
    if (!offset.ok()) return offset;
  }
  if (const std::string* text = options.Value("max-messages")) {
    auto n = ParseNumber<std::int64_t>(kConsumerTool, "max-messages", *text);
    if (!n.ok()) return n.status();
    if (*n < 1) return Fail(kConsumerTool, "option --max-messages needs a positive number");
    command.max_messages = *n;
  }
  if (const std::string* group = options.Value("group")) command.group = *group;
  for (const std::string& text : options.Values("property")) {
    Status applied = ApplyConsumerProperty(command, text);
    if (!applied.ok()) return applied;
  }
  // The checks of ConsoleConsumerOptions, in its words.
  if (options.Has("offset") && !command.partition) {
    return Fail(kConsumerTool, "The partition is required when offset is specified.");
  }
  if (command.group && command.partition) {
    return Fail(kConsumerTool, "Options group and partition cannot be specified together.");
  }
  if (command.from_beginning && options.Has("offset")) {
    return Fail(kConsumerTool, "Options from-beginning and offset cannot be specified together.");
  }
  return ToolCommand(std::move(command));
}

// ---- kafka-consumer-groups.sh ----------------------------------------------------------------

Result<ToolCommand> ParseConsumerGroups(const std::vector<std::string>& words) {
  static const std::vector<OptionDef> kDefs = {
      {"bootstrap-server", true, false}, {"list", false, false},
      {"describe", false, false},        {"group", true, true},
      {"offsets", false, false},         {"members", false, false},
      {"state", false, false},           {"verbose", false, false},
      {"reset-offsets", false, false},   {"topic", true, false},
      {"to-earliest", false, false},     {"to-latest", false, false},
      {"to-offset", true, false},        {"dry-run", false, false},
      {"execute", false, false},
  };
  auto scanned = ScanOptions(kGroupsTool, words, kDefs, false);
  if (!scanned.ok()) return scanned.status();
  const ScannedOptions& options = *scanned;
  ConsumerGroupsCommand command;
  auto bootstrap = RequiredBootstrap(kGroupsTool, options);
  if (!bootstrap.ok()) return bootstrap.status();
  command.bootstrap_server = *bootstrap;
  // ConsumerGroupCommandOptions.checkArgs, in its words.
  const int actions = (options.Has("list") ? 1 : 0) + (options.Has("describe") ? 1 : 0) +
                      (options.Has("reset-offsets") ? 1 : 0);
  if (actions != 1) {
    return Fail(kGroupsTool,
                "Command must include exactly one action: --list, --describe, --reset-offsets "
                "(--delete and --delete-offsets are not simulated)");
  }
  command.groups = options.Values("group");
  if (options.Has("reset-offsets")) {
    // ConsumerGroupCommandOptions.checkArgs for --reset-offsets, in its words.
    command.action = ConsumerGroupsCommand::Action::kResetOffsets;
    if (command.groups.empty()) {
      return Fail(kGroupsTool,
                  "Option [reset-offsets] takes one of these options: [all-groups], [group]");
    }
    if (!options.Has("topic")) {
      return Fail(kGroupsTool,
                  "Option [reset-offsets] takes one of these options: [all-topics], [topic]");
    }
    command.topic = *options.Value("topic");
    const int scopes = (options.Has("to-earliest") ? 1 : 0) + (options.Has("to-latest") ? 1 : 0) +
                       (options.Has("to-offset") ? 1 : 0);
    if (scopes != 1) {
      return Fail(kGroupsTool,
                  "Option [reset-offsets] takes exactly one of these options: [to-earliest], "
                  "[to-latest], [to-offset] (the other --to-* options are not simulated)");
    }
    if (options.Has("dry-run") && options.Has("execute")) {
      return Fail(kGroupsTool,
                  "Option [reset-offsets] takes at most one of these options: [dry-run], "
                  "[execute]");
    }
    if (options.Has("to-latest")) command.reset_to = ConsumerGroupsCommand::ResetTo::kLatest;
    if (options.Has("to-offset")) {
      command.reset_to = ConsumerGroupsCommand::ResetTo::kOffset;
      const std::string& text = *options.Value("to-offset");
      char* end = nullptr;
      const long long n = std::strtoll(text.c_str(), &end, 10);
      if (text.empty() || end == nullptr || *end != '\0' || n < 0) {
        return Fail(kGroupsTool, "--to-offset expects a non-negative offset, got '" + text + "'");
      }
      command.reset_offset = n;
    }
    command.execute = options.Has("execute");
    command.dry_run = options.Has("dry-run");
    return ToolCommand(std::move(command));
  }
  if (options.Has("describe")) {
    command.action = ConsumerGroupsCommand::Action::kDescribe;
    if (command.groups.empty()) {
      return Fail(kGroupsTool,
                  "Option [describe] takes one of these options: [all-groups], "
                  "[group]");
    }
    const int describe = (options.Has("offsets") ? 1 : 0) + (options.Has("members") ? 1 : 0) +
                         (options.Has("state") ? 1 : 0);
    if (describe > 1) {
      return Fail(kGroupsTool,
                  "Option [describe] takes at most one of these options: [members], [offsets], "
                  "[state]");
    }
    if (options.Has("members")) command.describe = ConsumerGroupsCommand::Describe::kMembers;
    if (options.Has("state")) command.describe = ConsumerGroupsCommand::Describe::kState;
    command.verbose = options.Has("verbose");
  }
  return ToolCommand(std::move(command));
}

// ---- kafka-configs.sh -------------------------------------------------------------------------

// --add-config as ConfigCommand.parseConfigsToBeAdded splits it: at commas outside [...], each
// piece at its first '=' outside [...], brackets dropped from the value ("k=[a,b]" is "a,b").
Result<std::vector<std::pair<std::string, std::string>>> SplitAddConfig(std::string_view text) {
  std::vector<std::string> pieces(1);
  int depth = 0;
  for (const char c : text) {
    if (c == '[') ++depth;
    if (c == ']' && depth > 0) --depth;
    if (c == ',' && depth == 0) {
      pieces.emplace_back();
      continue;
    }
    pieces.back().push_back(c);
  }
  const auto trim = [](std::string v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.erase(v.begin());
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.pop_back();
    return v;
  };
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& piece : pieces) {
    const std::size_t eq = piece.find('=');
    if (eq == std::string::npos || piece.find('=', eq + 1) != std::string::npos) {
      return Fail(kConfigsTool,
                  "Invalid entity config: all configs to be added must be in the format "
                  "\"key=val\".");
    }
    std::string value;
    for (const char c : piece.substr(eq + 1)) {
      if (c != '[' && c != ']') value.push_back(c);
    }
    out.emplace_back(trim(piece.substr(0, eq)), trim(value));
  }
  return out;
}

// ConfigCommandOptions.checkArgs and the topic branch of alterConfig / describeConfig. Only
// topic configs are simulated; the other entity types Kafka has are refused by name.
Result<ToolCommand> ParseConfigs(const std::vector<std::string>& words) {
  static const std::vector<OptionDef> kDefs = {
      {"bootstrap-server", true, false},
      {"bootstrap-controller", true, false},
      {"zookeeper", true, false},
      {"describe", false, false},
      {"alter", false, false},
      {"entity-type", true, true},
      {"entity-name", true, true},
      {"entity-default", false, false},
      {"topic", true, false},
      {"add-config", true, false},
      {"delete-config", true, true},
      {"all", false, false},
  };
  auto scanned = ScanOptions(kConfigsTool, words, kDefs, false);
  if (!scanned.ok()) return scanned.status();
  const ScannedOptions& options = *scanned;
  ConfigsCommand command;
  for (std::size_t i = 1; i < words.size(); ++i) {
    command.args += (i > 1 ? " " : "") + words[i];
  }
  if ((options.Has("describe") ? 1 : 0) + (options.Has("alter") ? 1 : 0) != 1) {
    return Fail(kConfigsTool, "Command must include exactly one action: --describe, --alter");
  }
  command.action =
      options.Has("alter") ? ConfigsCommand::Action::kAlter : ConfigsCommand::Action::kDescribe;
  if (command.action == ConfigsCommand::Action::kDescribe) {
    for (std::string_view other : {"add-config", "delete-config"}) {
      if (options.Has(other)) return CannotCombine(kConfigsTool, other, "describe");
    }
  }
  // The entity: --entity-type topics [--entity-name T], or the --topic shortcut.
  std::vector<std::string> types = options.Values("entity-type");
  const std::vector<std::string> names = options.Values("entity-name");
  if (options.Has("topic")) {
    if (!types.empty() || !names.empty() || options.Has("entity-default")) {
      return Fail(kConfigsTool,
                  "--entity-{type,name,default} should not be used in conjunction with specific "
                  "entity flags");
    }
    types = {"topics"};
  }
  static const std::vector<std::string_view> kEntityTypes = {
      "topics", "clients", "users", "brokers", "broker-loggers", "ips", "client-metrics", "groups"};
  for (const std::string& type : types) {
    if (std::find(kEntityTypes.begin(), kEntityTypes.end(), type) == kEntityTypes.end()) {
      return Fail(kConfigsTool,
                  "Invalid entity type " + type +
                      ", the entity type must be one of topics, clients, users, brokers, "
                      "broker-loggers, ips, client-metrics, groups with a --bootstrap-server or "
                      "--bootstrap-controller argument");
    }
    if (type != "topics") {
      return Fail(kConfigsTool, "entity type " + type +
                                    " is not simulated: kafkasim alters and describes topic "
                                    "configs only (--entity-type topics)");
    }
  }
  if (types.empty()) return Fail(kConfigsTool, "At least one entity type must be specified");
  if (types.size() > 1) {
    return Fail(kConfigsTool, "Duplicate entity type(s) specified: topics");
  }
  if (options.Has("zookeeper")) {
    // Kafka 3.9 still has --zookeeper for some entities, but never for topic configs.
    return Fail(kConfigsTool,
                "--zookeeper is not simulated: topic configs are altered through a broker "
                "(--bootstrap-server localhost:9092)");
  }
  const std::string* server = options.Value("bootstrap-server");
  if (server == nullptr && !options.Has("bootstrap-controller")) {
    return Fail(kConfigsTool,
                "One of the required --bootstrap-server or --bootstrap-controller arguments must "
                "be specified");
  }
  if (server == nullptr) {
    return Fail(kConfigsTool,
                "--bootstrap-controller is not simulated for topic configs: use "
                "--bootstrap-server localhost:9092");
  }
  if (options.Has("bootstrap-controller")) {
    return Fail(kConfigsTool,
                "Only one of --bootstrap-server or --bootstrap-controller can be specified");
  }
  Status bootstrap = CheckBootstrap(kConfigsTool, "bootstrap-server", *server);
  if (!bootstrap.ok()) return bootstrap;
  command.bootstrap_server = *server;
  if (options.Has("entity-default")) {
    return Fail(kConfigsTool, "--entity-default must not be specified with topics");
  }
  if (names.size() > 1) {
    return Fail(kConfigsTool, "More entity names specified than entity types");
  }
  if (const std::string* topic = options.Value("topic")) command.topic = *topic;
  if (!names.empty()) command.topic = names.front();
  if (command.topic) {
    Status status = CheckTopicName(kConfigsTool, *command.topic);
    if (!status.ok()) return status;
  }
  if (options.Has("all") && command.action == ConfigsCommand::Action::kAlter) {
    return CannotCombine(kConfigsTool, "all", "alter");
  }
  if (options.Has("all")) {
    return Fail(kConfigsTool, "--all is not simulated: --describe lists a topic's overrides");
  }
  if (command.action == ConfigsCommand::Action::kDescribe) return ToolCommand(std::move(command));
  if (!command.topic) {
    return Fail(kConfigsTool, "An entity name must be specified with --alter of topics");
  }
  if (!options.Has("add-config") && !options.Has("delete-config")) {
    return Fail(kConfigsTool,
                "At least one of --add-config, --add-config-file, or --delete-config must be "
                "specified with --alter");
  }
  if (const std::string* text = options.Value("add-config")) {
    auto pairs = SplitAddConfig(*text);
    if (!pairs.ok()) return pairs.status();
    for (auto& [name, value] : *pairs) {
      // validatePropsKey, then the controller's LogConfig.validate (checked here, before the
      // request leaves: the simulator's catalogue is the topic configs it runs).
      if (name.find_first_not_of(
              "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
          std::string::npos) {
        return Fail(kConfigsTool, "Invalid character found for config key: " + name);
      }
      auto canonical = CheckTopicConfig(kConfigsTool, name, value);
      if (!canonical.ok()) return canonical.status();
      command.add.emplace_back(name, *canonical);
    }
  }
  for (const std::string& list : options.Values("delete-config")) {
    // joptsimple's withValuesSeparatedBy(','), each trimmed.
    std::size_t start = 0;
    while (start <= list.size()) {
      const std::size_t comma = std::min(list.find(',', start), list.size());
      std::string name = list.substr(start, comma - start);
      while (!name.empty() && name.front() == ' ') name.erase(name.begin());
      while (!name.empty() && name.back() == ' ') name.pop_back();
      if (!name.empty()) command.remove.push_back(std::move(name));
      start = comma + 1;
    }
  }
  return ToolCommand(std::move(command));
}

// ---- kafka-metadata-quorum.sh ----------------------------------------------------------------

Result<ToolCommand> ParseQuorum(const std::vector<std::string>& words) {
  static const std::vector<OptionDef> kDefs = {
      {"bootstrap-server", true, false}, {"bootstrap-controller", true, false},
      {"status", false, false},          {"replication", false, false},
      {"human-readable", false, false},
  };
  auto scanned = ScanOptions(kQuorumTool, words, kDefs, true);
  if (!scanned.ok()) return scanned.status();
  const ScannedOptions& options = *scanned;
  MetadataQuorumCommand command;
  const bool by_server = options.Has("bootstrap-server");
  const bool by_controller = options.Has("bootstrap-controller");
  if (by_server == by_controller) {
    return Fail(kQuorumTool,
                "Only one of --bootstrap-server or --bootstrap-controller must be specified");
  }
  const std::string_view option = by_server ? "bootstrap-server" : "bootstrap-controller";
  command.bootstrap_server = *options.Value(option);
  command.via_controller = by_controller;
  Status status = CheckBootstrap(kQuorumTool, option, command.bootstrap_server);
  if (!status.ok()) return status;
  if (options.positionals.empty()) {
    return Fail(kQuorumTool,
                "missing command; expected 'describe --status' or "
                "'describe --replication'");
  }
  if (options.positionals.size() > 1 || options.positionals[0] != "describe") {
    return Fail(kQuorumTool, "unexpected argument '" + options.positionals.back() +
                                 "'; the only command is 'describe'");
  }
  if (options.Has("status") == options.Has("replication")) {
    return Fail(kQuorumTool,
                "One of --status or --replication must be specified with describe sub-command");
  }
  command.describe = options.Has("status") ? MetadataQuorumCommand::Describe::kStatus
                                           : MetadataQuorumCommand::Describe::kReplication;
  command.human_readable = options.Has("human-readable");
  if (command.human_readable && !options.Has("replication")) {
    return Fail(kQuorumTool,
                "The option --human-readable is only supported along with --replication");
  }
  return ToolCommand(std::move(command));
}

// ---- kafka-leader-election.sh ----------------------------------------------------------------

Result<ToolCommand> ParseElection(const std::vector<std::string>& words) {
  static const std::vector<OptionDef> kDefs = {
      {"bootstrap-server", true, false},
      {"election-type", true, false},
      {"all-topic-partitions", false, false},
      {"topic", true, false},
      {"partition", true, false},
  };
  auto scanned = ScanOptions(kElectionTool, words, kDefs, false);
  if (!scanned.ok()) return scanned.status();
  const ScannedOptions& options = *scanned;
  LeaderElectionCommand command;
  auto bootstrap = RequiredBootstrap(kElectionTool, options);
  if (!bootstrap.ok()) return bootstrap.status();
  command.bootstrap_server = *bootstrap;
  const std::string* type = options.Value("election-type");
  if (type == nullptr) return MissingArgument(kElectionTool, "election-type");
  std::string lower;
  for (char c : *type) lower.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
  if (lower == "preferred") {
    command.election_type = LeaderElectionCommand::ElectionType::kPreferred;
  } else if (lower == "unclean") {
    command.election_type = LeaderElectionCommand::ElectionType::kUnclean;
  } else {
    return Fail(kElectionTool, "--election-type must be preferred or unclean, got '" + *type + "'");
  }
  command.all_topic_partitions = options.Has("all-topic-partitions");
  if (command.all_topic_partitions == options.Has("topic")) {
    return Fail(kElectionTool,
                "One and only one of the following options is required: "
                "--all-topic-partitions, --topic");
  }
  if (command.all_topic_partitions && options.Has("partition")) {
    return CannotCombine(kElectionTool, "partition", "all-topic-partitions");
  }
  if (const std::string* topic = options.Value("topic")) {
    Status status = CheckTopicName(kElectionTool, *topic);
    if (!status.ok()) return status;
    command.topic = *topic;
    const std::string* partition = options.Value("partition");
    if (partition == nullptr) return MissingArgument(kElectionTool, "partition");
    auto n = ParseNumber<std::int32_t>(kElectionTool, "partition", *partition);
    if (!n.ok()) return n.status();
    if (*n < 0) return Fail(kElectionTool, "The partition must be 0 or larger, got " + *partition);
    command.partition = *n;
  }
  return ToolCommand(std::move(command));
}

// ---- zookeeper-shell.sh ----------------------------------------------------------------------

Result<ToolCommand> ParseZooKeeperShell(const std::vector<std::string>& words) {
  // bin/zookeeper-shell.sh's usage line (Kafka 3.9).
  const std::string usage =
      "USAGE: zookeeper-shell.sh zookeeper_host:port[/path] [-zk-tls-config-file file] "
      "[args...]";
  if (words.size() < 2) return Fail(kZkShellTool, usage);
  ZooKeeperShellCommand command;
  command.server = words[1];
  const std::size_t colon = command.server.rfind(':');
  if (colon == std::string::npos || colon + 1 == command.server.size() ||
      command.server.find_first_not_of("0123456789", colon + 1) != std::string::npos) {
    return Fail(kZkShellTool, "expected zookeeper_host:port such as localhost:2181, got '" +
                                  command.server + "'; " + usage);
  }
  if (words.size() < 3) {
    return Fail(kZkShellTool,
                "the interactive shell is not simulated; give a command: ls, get or stat PATH");
  }
  const std::string& op = words[2];
  if (op == "ls") {
    command.op = ZooKeeperShellCommand::Op::kLs;
  } else if (op == "get") {
    command.op = ZooKeeperShellCommand::Op::kGet;
  } else if (op == "stat") {
    command.op = ZooKeeperShellCommand::Op::kStat;
  } else {
    return Fail(kZkShellTool,
                "unknown command '" + op + "'; the simulator answers ls, get and stat");
  }
  std::vector<std::string> rest(words.begin() + 3, words.end());
  if (!rest.empty() && rest.front() == "-s" && command.op != ZooKeeperShellCommand::Op::kStat) {
    command.with_stat = true;
    rest.erase(rest.begin());
  }
  if (rest.size() != 1) {
    // ZooKeeperMain's usage of the command (CliCommand.getUsageStr).
    return Fail(kZkShellTool, op == "stat" ? "stat [-w] path" : op + " [-s] [-w] path");
  }
  command.path = rest.front();
  if (command.path.empty() || command.path.front() != '/') {
    return Fail(kZkShellTool, "Path must start with / character");
  }
  return ToolCommand(std::move(command));
}

// ---- Fault commands --------------------------------------------------------------------------

// The disk faults' console words; the scenario steps spell them with '_' (disk_full), and the
// console takes that spelling too.
std::string CanonicalFaultVerb(std::string_view word) {
  std::string verb(word);
  if (verb == "disk_full" || verb == "disk_ok" || verb == "slow_disk") {
    std::replace(verb.begin(), verb.end(), '_', '-');
  }
  return verb;
}

bool IsDiskFaultVerb(std::string_view word) {
  const std::string verb = CanonicalFaultVerb(word);
  return verb == "disk-full" || verb == "disk-ok" || verb == "slow-disk" || verb == "corrupt";
}

Result<ToolCommand> ParseFault(const std::vector<std::string>& words) {
  const std::string verb = CanonicalFaultVerb(words[0]);
  const std::size_t args = words.size() - 1;
  if (verb == "crash" || verb == "kill" || verb == "restart" || verb == "shutdown" ||
      verb == "isolate") {
    if (args != 1 || words[1].empty() || words[1][0] == '-') {
      return Fail(verb, "expected one node name, as in '" + verb + " broker-1'");
    }
    if (verb == "crash") return ToolCommand(CrashCommand{words[1]});
    if (verb == "kill") return ToolCommand(KillCommand{words[1]});
    if (verb == "restart") return ToolCommand(RestartCommand{words[1]});
    if (verb == "shutdown") return ToolCommand(ShutdownCommand{words[1]});
    return ToolCommand(IsolateCommand{words[1]});
  }
  if (verb == "cut" || verb == "heal") {
    std::vector<std::string> nodes;
    bool both = false;
    bool bad = false;
    for (std::size_t i = 1; i < words.size(); ++i) {
      if (words[i] == "--both" && !both) {
        both = true;
      } else if (!words[i].empty() && words[i][0] != '-') {
        nodes.push_back(words[i]);
      } else {
        bad = true;
      }
    }
    if (bad || nodes.size() != 2) {
      return Fail(verb, "expected two node names and an optional --both, as in '" + verb +
                            " broker-1 broker-2 --both'");
    }
    if (nodes[0] == nodes[1]) return Fail(verb, "a node cannot be cut from itself");
    if (verb == "cut") return ToolCommand(CutCommand{nodes[0], nodes[1], both});
    return ToolCommand(HealCommand{nodes[0], nodes[1], both});
  }
  if (verb == "heal-all") {
    if (args != 0) return Fail(verb, "takes no arguments");
    return ToolCommand(HealAllCommand{});
  }
  if (verb == "cut-region" || verb == "heal-region") {
    if (args < 1 || args > 2 || words[1].empty() || words[1][0] == '-' ||
        (args == 2 && (words[2].empty() || words[2][0] == '-'))) {
      return Fail(verb, "expected one or two cluster names, as in '" + verb +
                            " us-east' (from every other cluster) or '" + verb +
                            " us-east eu-west'");
    }
    RegionCommand region{words[1], args == 2 ? words[2] : "", verb == "heal-region"};
    if (region.cluster == region.other) return Fail(verb, "a cluster cannot be cut from itself");
    return ToolCommand(region);
  }
  if (verb == "disk-full" || verb == "disk-ok") {
    if (args != 1 || words[1].empty() || words[1][0] == '-') {
      return Fail(verb, "expected one node name, as in '" + verb + " broker-1'");
    }
    if (verb == "disk-full") return ToolCommand(DiskFullCommand{words[1]});
    return ToolCommand(DiskOkCommand{words[1]});
  }
  if (verb == "slow-disk") {
    if (args != 2 || words[1].empty() || words[1][0] == '-') {
      return Fail(verb,
                  "expected a node name and an fsync time, as in 'slow-disk broker-2 200' "
                  "(milliseconds) or 'slow-disk broker-2 1.5s'");
    }
    auto latency = ParseDuration(words[2]);
    if (!latency.ok()) return Fail(verb, latency.status().message());
    return ToolCommand(SlowDiskCommand{words[1], *latency});
  }
  if (verb == "corrupt") {
    if ((args != 2 && args != 3) || words[1].empty() || words[1][0] == '-' || words[2].empty()) {
      return Fail(verb,
                  "expected a node name, a file path and an optional byte offset, as in "
                  "'corrupt broker-1 cities-0/00000000000000000000.log 120'");
    }
    CorruptCommand c{words[1], words[2], std::nullopt};
    if (args == 3) {
      std::uint64_t offset = 0;
      const std::string& text = words[3];
      const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), offset);
      if (ec != std::errc() || ptr != text.data() + text.size()) {
        return Fail(verb, "the byte offset must be a whole number >= 0, got '" + text + "'");
      }
      c.offset = offset;
    }
    return ToolCommand(std::move(c));
  }
  // slow
  if (args != 2 || words[1].empty() || words[1][0] == '-') {
    return Fail(verb,
                "expected a node name and an extra delay, as in 'slow broker-2 200' "
                "(milliseconds) or 'slow broker-2 1.5s'");
  }
  auto extra = ParseDuration(words[2]);
  if (!extra.ok()) return Fail(verb, extra.status().message());
  return ToolCommand(SlowCommand{words[1], *extra});
}

std::string_view ToolNameOf(std::string_view word) {
  if (const std::size_t slash = word.rfind('/'); slash != std::string_view::npos) {
    word.remove_prefix(slash + 1);
  }
  if (word.size() > 3 && word.substr(word.size() - 3) == ".sh") word.remove_suffix(3);
  return word;
}

// StorageTool's argparse4j parser: "kafka-storage" with the subcommands info, format,
// version-mapping, feature-dependencies and random-uuid; errors in argparse4j's words.
Result<ToolCommand> ParseStorage(const std::vector<std::string>& words) {
  auto error = [](std::string_view prog, const std::string& text) {
    return Status(Errc::kInvalidArgument, fmt::format("{}: error: {}", prog, text));
  };
  if (words.size() < 2) return error("kafka-storage", "too few arguments");
  const std::string& sub = words[1];
  StorageCommand c;
  if (sub == "random-uuid") {
    c.action = StorageCommand::Action::kRandomUuid;
  } else if (sub == "format") {
    c.action = StorageCommand::Action::kFormat;
  } else if (sub == "info") {
    c.action = StorageCommand::Action::kInfo;
  } else if (sub == "version-mapping" || sub == "feature-dependencies") {
    return error("kafka-storage", "'" + sub +
                                      "' is not simulated; the cluster runs "
                                      "metadata.version 4.3-IV0 with the features of the scenario");
  } else {
    return error("kafka-storage", "invalid choice: '" + sub +
                                      "' (choose from 'info', 'format', 'version-mapping', "
                                      "'feature-dependencies', 'random-uuid')");
  }
  const std::string prog = "kafka-storage " + sub;
  struct Option {
    const char* long_name;
    const char* short_name;
    bool takes_value;
    bool format_only;
  };
  static constexpr std::array<Option, 9> kOptions = {{
      {"--config", "-c", true, false},
      {"--cluster-id", "-t", true, true},
      {"--standalone", "-s", false, true},
      {"--no-initial-controllers", "-N", false, true},
      {"--initial-controllers", "-I", true, true},
      {"--ignore-formatted", "-g", false, true},
      {"--release-version", "-r", true, true},
      {"--feature", "-f", true, true},
      {"--add-scram", "-S", true, true},
  }};
  std::vector<std::string> exclusive;  // the quorum options given, as "--x/-y"
  bool has_config = false;
  bool has_cluster_id = false;
  for (std::size_t i = 2; i < words.size(); ++i) {
    const std::string& w = words[i];
    const Option* option = nullptr;
    for (const Option& o : kOptions) {
      if (w == o.long_name || w == o.short_name) option = &o;
    }
    if (option == nullptr || (option->format_only && c.action != StorageCommand::Action::kFormat) ||
        c.action == StorageCommand::Action::kRandomUuid) {
      return error("kafka-storage", "unrecognized arguments: '" + w + "'");
    }
    const std::string name = fmt::format("{}/{}", option->long_name, option->short_name);
    std::string value;
    if (option->takes_value) {
      if (i + 1 >= words.size() || (words[i + 1].size() > 1 && words[i + 1][0] == '-')) {
        return error(prog, "argument " + name + ": expected one argument");
      }
      value = words[++i];
    }
    const std::string_view long_name = option->long_name;
    if (long_name == "--standalone" || long_name == "--no-initial-controllers" ||
        long_name == "--initial-controllers") {
      if (!exclusive.empty() && exclusive.front() != name) {
        return error(prog, "argument " + name + ": not allowed with argument " + exclusive.front());
      }
      exclusive.push_back(name);
    }
    if (long_name == "--config") {
      c.config = value;
      has_config = true;
    } else if (long_name == "--cluster-id") {
      c.cluster_id = value;
      has_cluster_id = true;
    } else if (long_name == "--standalone") {
      c.standalone = true;
    } else if (long_name == "--no-initial-controllers") {
      c.no_initial_controllers = true;
    } else if (long_name == "--initial-controllers") {
      c.initial_controllers = value;
    } else if (long_name == "--ignore-formatted") {
      c.ignore_formatted = true;
    } else if (long_name == "--release-version") {
      c.release_version = value;
    } else if (long_name == "--feature") {
      c.features.push_back(value);
    } else {
      return error(prog, "argument --add-scram/-S: SCRAM credentials are not simulated");
    }
  }
  if (c.action != StorageCommand::Action::kRandomUuid && !has_config) {
    return error(prog, "argument --config/-c is required");
  }
  if (c.action == StorageCommand::Action::kFormat && !has_cluster_id) {
    return error(prog, "argument --cluster-id/-t is required");
  }
  return ToolCommand(std::move(c));
}

// kafka-server-start.sh: "USAGE: $0 [-daemon] server.properties [--override property=value]*".
Result<ToolCommand> ParseServerStart(const std::vector<std::string>& words) {
  static constexpr std::string_view kUsage =
      "USAGE: kafka-server-start.sh [-daemon] server.properties [--override property=value]*";
  ServerStartCommand c;
  std::size_t i = 1;
  if (i < words.size() && words[i] == "-daemon") {
    c.daemon = true;
    ++i;
  }
  if (i >= words.size()) return Status(Errc::kInvalidArgument, std::string(kUsage));
  c.config = words[i++];
  if (i < words.size()) {
    return Status(Errc::kInvalidArgument,
                  "kafka-server-start.sh: --override is not simulated; set configs in the "
                  "scenario's broker_config");
  }
  return ToolCommand(std::move(c));
}

// NAME=VALUE: a shell variable; NAME must be a shell name ([A-Za-z_][A-Za-z0-9_]*).
std::optional<ToolCommand> ParseAssignment(const std::vector<std::string>& words) {
  const std::size_t first = words.front() == "export" && words.size() > 1 ? 1 : 0;
  std::string w = words[first];
  if (words.size() != first + 1) {
    // An unquoted NAME=$(cmd args): the words up to the closing parenthesis are one value.
    if (w.find("=$(") == std::string::npos || words.back().empty() || words.back().back() != ')') {
      return std::nullopt;
    }
    for (std::size_t k = first + 1; k < words.size(); ++k) w += " " + words[k];
  }
  const std::size_t eq = w.find('=');
  if (eq == std::string::npos || eq == 0) return std::nullopt;
  for (std::size_t k = 0; k < eq; ++k) {
    const char ch = w[k];
    const bool alpha = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '_';
    if (!alpha && !(k > 0 && ch >= '0' && ch <= '9')) return std::nullopt;
  }
  AssignCommand c;
  c.name = w.substr(0, eq);
  c.value = w.substr(eq + 1);
  if (c.value.size() >= 3 && c.value.rfind("$(", 0) == 0 && c.value.back() == ')') {
    c.value = c.value.substr(2, c.value.size() - 3);
    c.substitution = true;
  }
  return ToolCommand(std::move(c));
}

// `on NODE: CMD...` and `ssh NODE [CMD...]` name the node a shell command runs on; `exit`
// leaves an ssh session. The node prefix before a kafka-*.sh tool changes nothing (every tool
// reaches the cluster through --bootstrap-server), so it is accepted and dropped.
Result<ToolCommand> DispatchWords(const std::vector<std::string>& words);

Result<ToolCommand> ParseShellPrefix(const std::vector<std::string>& words) {
  std::string node;
  std::vector<std::string> rest;
  if (words.front() == "on") {
    if (words.size() < 2 || words[1].empty() || words[1] == ":") {
      return Status(Errc::kInvalidArgument,
                    "on: expected 'on NODE: COMMAND', e.g. on broker-1: ls");
    }
    node = words[1];
    std::size_t next = 2;
    if (!node.empty() && node.back() == ':') {
      node.pop_back();
    } else if (words.size() > 2 && words[2] == ":") {
      next = 3;
    } else {
      return Status(Errc::kInvalidArgument,
                    "on: expected a ':' after the node name, e.g. on " + node + ": ls");
    }
    rest.assign(words.begin() + static_cast<std::ptrdiff_t>(next), words.end());
    if (node.empty() || rest.empty()) {
      return Status(Errc::kInvalidArgument,
                    "on: expected 'on NODE: COMMAND', e.g. on broker-1: ls");
    }
  } else {  // ssh
    if (words.size() < 2) {
      return Status(Errc::kInvalidArgument, "usage: ssh NODE [COMMAND], e.g. ssh broker-2");
    }
    node = words[1];
    if (node.rfind('-', 0) == 0) {
      return Status(Errc::kInvalidArgument,
                    "ssh: options are not supported; usage: ssh NODE [COMMAND]");
    }
    if (const std::size_t at = node.find('@'); at != std::string::npos) node.erase(0, at + 1);
    if (node.empty()) {
      return Status(Errc::kInvalidArgument, "usage: ssh NODE [COMMAND], e.g. ssh broker-2");
    }
    rest.assign(words.begin() + 2, words.end());
    if (rest.empty()) return ToolCommand(ShellCommand{node, {}, false});
  }
  if (IsShellCommand(rest.front())) return ToolCommand(ShellCommand{node, rest, false});
  if (rest.front() == "on" || rest.front() == "ssh" || rest.front() == "exit") {
    return Status(Errc::kInvalidArgument, "'" + rest.front() + "' cannot follow " + words.front());
  }
  Result<ToolCommand> parsed = DispatchWords(rest);
  if (!parsed.ok()) return parsed;
  if (auto* storage = std::get_if<StorageCommand>(&*parsed)) storage->node = node;
  if (auto* start = std::get_if<ServerStartCommand>(&*parsed)) start->node = node;
  return parsed;
}

// Picks the tool's parser by the first word ("bin/kafka-topics.sh" and "kafka-topics" both work).
Result<ToolCommand> DispatchWords(const std::vector<std::string>& words) {
  if (words.front() == "on" || words.front() == "ssh") return ParseShellPrefix(words);
  if (words.front() == "exit") {
    if (words.size() > 1) return Status(Errc::kInvalidArgument, "exit: takes no arguments here");
    return ToolCommand(ShellCommand{"", {}, true});
  }
  if (IsShellCommand(words.front())) return ToolCommand(ShellCommand{"", words, false});
  if (std::optional<ToolCommand> assignment = ParseAssignment(words)) return *assignment;
  const std::string_view tool = ToolNameOf(words.front());
  if (tool == "kafka-storage") return ParseStorage(words);
  if (tool == "kafka-server-start") return ParseServerStart(words);
  if (tool == "kafka-topics") return ParseTopics(words);
  if (tool == "kafka-console-producer") return ParseProducer(words);
  if (tool == "kafka-console-consumer") return ParseConsumer(words);
  if (tool == "kafka-metadata-quorum") return ParseQuorum(words);
  if (tool == "kafka-leader-election") return ParseElection(words);
  if (tool == "zookeeper-shell") return ParseZooKeeperShell(words);
  if (tool == "kafka-consumer-groups") return ParseConsumerGroups(words);
  if (tool == "kafka-configs") return ParseConfigs(words);
  if (tool == "crash" || tool == "kill" || tool == "restart" || tool == "shutdown" ||
      tool == "cut" || tool == "heal" || tool == "isolate" || tool == "heal-all" ||
      tool == "slow" || tool == "cut-region" || tool == "heal-region" || IsDiskFaultVerb(tool)) {
    return ParseFault(words);
  }
  return Status(Errc::kInvalidArgument,
                "unknown command '" + words.front() +
                    "'; expected kafka-topics.sh, kafka-console-producer.sh, "
                    "kafka-console-consumer.sh, kafka-metadata-quorum.sh, "
                    "kafka-leader-election.sh, zookeeper-shell.sh, kafka-consumer-groups.sh, "
                    "kafka-configs.sh, "
                    "crash, kill, restart, "
                    "shutdown, cut, heal, "
                    "isolate, heal-all, slow, disk-full, disk-ok, slow-disk, corrupt, "
                    "cut-region, heal-region, kafka-storage.sh, kafka-server-start.sh, NAME=VALUE, "
                    "or a shell command "
                    "(ls, cd, pwd, cat, hexdump, du, wc, stat, echo, kafka-dump-log.sh, "
                    "ssh NODE, on NODE: ...)");
}

}  // namespace

std::string_view ShellCommandWord(std::string_view word) {
  for (std::string_view prefix : {"bin/", "./bin/", "/opt/kafka/bin/"}) {
    if (word.substr(0, prefix.size()) == prefix) return word.substr(prefix.size());
  }
  return word;
}

std::string ExpandVariables(std::string_view line,
                            const std::map<std::string, std::string>& variables) {
  std::string out;
  bool single = false;
  bool dq = false;
  auto name_char = [](char ch, bool first) {
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '_' ||
           (!first && ch >= '0' && ch <= '9');
  };
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (ch == '\\' && !single && i + 1 < line.size()) {
      out.push_back(ch);
      out.push_back(line[++i]);
      continue;
    }
    if (ch == '"' && !single) dq = !dq;
    if (ch == '\'' && !dq) single = !single;
    if (ch != '$' || single || i + 1 >= line.size()) {
      out.push_back(ch);
      continue;
    }
    std::size_t begin = i + 1;
    std::size_t end = begin;
    bool braced = false;
    if (line[begin] == '{') {
      braced = true;
      end = line.find('}', begin);
      if (end == std::string_view::npos) {
        out.push_back(ch);
        continue;
      }
      ++begin;
    } else {
      while (end < line.size() && name_char(line[end], end == begin)) ++end;
      if (end == begin) {  // "$(", "$1", a lone "$": left as they are
        out.push_back(ch);
        continue;
      }
    }
    const auto it = variables.find(std::string(line.substr(begin, end - begin)));
    if (it != variables.end()) out += it->second;
    i = braced ? end : end - 1;
  }
  return out;
}

bool IsShellCommand(std::string_view word) {
  static constexpr std::array<std::string_view, 10> kCommands = {
      "ls", "cd", "pwd", "cat", "hexdump", "du", "wc", "stat", "echo", "kafka-dump-log.sh"};
  const std::string_view w = ShellCommandWord(word);
  return std::find(kCommands.begin(), kCommands.end(), w) != kCommands.end();
}

Result<std::vector<std::string>> SplitCommandLine(std::string_view line) {
  std::vector<std::string> words;
  Status status = Lex(line, /*split_words=*/true, words);
  if (!status.ok()) return status;
  return words;
}

Result<ToolCommand> ParseToolCommand(std::string_view line) {
  const std::size_t here = FindUnquoted(line, "<<<", 0);
  auto words = SplitCommandLine(line.substr(0, here));
  if (!words.ok()) return words.status();
  if (words->empty()) {
    return Status(Errc::kInvalidArgument,
                  here == std::string_view::npos ? "empty command" : "'<<<' needs a command");
  }
  Result<ToolCommand> parsed = DispatchWords(*words);
  if (!parsed.ok() || here == std::string_view::npos) return parsed;
  auto* producer = std::get_if<ConsoleProducerCommand>(&*parsed);
  if (producer == nullptr) {
    return Fail(ToolName(*parsed),
                "'<<<' input lines are only accepted by " + std::string(kProducerTool));
  }
  auto lines = SplitHereString(line.substr(here + 3));
  if (!lines.ok()) return lines.status();
  if (lines->size() == 1 && lines->front().empty()) {
    return Fail(kProducerTool, "nothing to send after '<<<'");
  }
  producer->lines = std::move(*lines);
  return parsed;
}

std::string_view ToolName(const ToolCommand& command) {
  return std::visit(
      [](const auto& c) -> std::string_view {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, TopicsCommand>) return kTopicsTool;
        if constexpr (std::is_same_v<T, ConsoleProducerCommand>) return kProducerTool;
        if constexpr (std::is_same_v<T, ConsoleConsumerCommand>) return kConsumerTool;
        if constexpr (std::is_same_v<T, MetadataQuorumCommand>) return kQuorumTool;
        if constexpr (std::is_same_v<T, LeaderElectionCommand>) return kElectionTool;
        if constexpr (std::is_same_v<T, ConsumerGroupsCommand>) return kGroupsTool;
        if constexpr (std::is_same_v<T, ConfigsCommand>) return kConfigsTool;
        if constexpr (std::is_same_v<T, CrashCommand>) return "crash";
        if constexpr (std::is_same_v<T, KillCommand>) return "kill";
        if constexpr (std::is_same_v<T, RestartCommand>) return "restart";
        if constexpr (std::is_same_v<T, ShutdownCommand>) return "shutdown";
        if constexpr (std::is_same_v<T, CutCommand>) return "cut";
        if constexpr (std::is_same_v<T, HealCommand>) return "heal";
        if constexpr (std::is_same_v<T, IsolateCommand>) return "isolate";
        if constexpr (std::is_same_v<T, HealAllCommand>) return "heal-all";
        if constexpr (std::is_same_v<T, SlowCommand>) return "slow";
        if constexpr (std::is_same_v<T, DiskFullCommand>) return "disk-full";
        if constexpr (std::is_same_v<T, DiskOkCommand>) return "disk-ok";
        if constexpr (std::is_same_v<T, SlowDiskCommand>) return "slow-disk";
        if constexpr (std::is_same_v<T, CorruptCommand>) return "corrupt";
        if constexpr (std::is_same_v<T, ZooKeeperShellCommand>) return kZkShellTool;
        if constexpr (std::is_same_v<T, StorageCommand>) return "kafka-storage.sh";
        if constexpr (std::is_same_v<T, ServerStartCommand>) return "kafka-server-start.sh";
        if constexpr (std::is_same_v<T, AssignCommand>) return "NAME=VALUE";
        if constexpr (std::is_same_v<T, RegionCommand>)
          return c.heal ? "heal-region" : "cut-region";
        if constexpr (std::is_same_v<T, ShellCommand>) {
          if (c.exit) return "exit";
          if (c.argv.empty()) return "ssh";
          return c.argv.front();
        }
      },
      command);
}

std::vector<std::string> NodesNamed(const ToolCommand& command) {
  return std::visit(
      [](const auto& c) -> std::vector<std::string> {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, CutCommand> || std::is_same_v<T, HealCommand>) {
          return {c.from, c.to};
        } else if constexpr (std::is_same_v<T, CrashCommand> || std::is_same_v<T, KillCommand> ||
                             std::is_same_v<T, RestartCommand> ||
                             std::is_same_v<T, ShutdownCommand> ||
                             std::is_same_v<T, IsolateCommand> || std::is_same_v<T, SlowCommand> ||
                             std::is_same_v<T, DiskFullCommand> ||
                             std::is_same_v<T, DiskOkCommand> ||
                             std::is_same_v<T, SlowDiskCommand> ||
                             std::is_same_v<T, CorruptCommand>) {
          return {c.node};
        } else if constexpr (std::is_same_v<T, ShellCommand> || std::is_same_v<T, StorageCommand> ||
                             std::is_same_v<T, ServerStartCommand>) {
          if (c.node.empty()) return {};
          return {c.node};
        } else {
          return {};
        }
      },
      command);
}

}  // namespace kafkasim::scenario
