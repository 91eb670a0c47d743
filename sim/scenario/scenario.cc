// Scenario files: JSON text -> validated Scenario structs, with every error collected and
// reported as "[scenario.EXXX] file:line:column $.json.path: what is wrong and what is valid".
#include "scenario/scenario.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <type_traits>
#include <utility>

#include "engine/assert.h"
#include "kafka/mirror_policy.h"
#include "kafka/probes.h"
#include "scenario/duration.h"
#include "scenario/limits.h"
#include "scenario/mirror_settings.h"

namespace kafkasim::scenario {

namespace {

std::string JoinChoices(std::string_view choices) {
  std::string out;
  std::size_t start = 0;
  while (start <= choices.size()) {
    const std::size_t comma = std::min(choices.find(',', start), choices.size());
    if (!out.empty()) out += ", ";
    out += choices.substr(start, comma - start);
    start = comma + 1;
  }
  return out;
}

bool IsChoice(std::string_view choices, std::string_view value) {
  std::size_t start = 0;
  while (start <= choices.size()) {
    const std::size_t comma = std::min(choices.find(',', start), choices.size());
    if (choices.substr(start, comma - start) == value) return true;
    start = comma + 1;
  }
  return false;
}

Result<std::string> CanonicalInteger(const ConfigSpec& spec, std::string_view text) {
  std::int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  const bool is_int = spec.type == ConfigType::kInt;
  const char* const kind = is_int ? "an int" : "a long";
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() ||
      (is_int && (value > INT32_MAX || value < INT32_MIN))) {
    return Status(Errc::kInvalidArgument,
                  std::string("expected ") + kind + ", got '" + std::string(text) + "'");
  }
  if (value < spec.min) {
    return Status(Errc::kInvalidArgument, "expected a value of at least " +
                                              std::to_string(spec.min) + ", got " +
                                              std::to_string(value));
  }
  return std::to_string(value);
}

}  // namespace

Result<std::string> CanonicalConfigValue(const ConfigSpec& spec, std::string_view text) {
  switch (spec.type) {
    case ConfigType::kInt:
    case ConfigType::kLong:
      return CanonicalInteger(spec, text);
    case ConfigType::kBool: {
      std::string lower;
      for (char c : text) lower.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
      if (lower == "true" || lower == "false") return lower;
      return Status(Errc::kInvalidArgument,
                    "expected a boolean (true or false), got '" + std::string(text) + "'");
    }
    case ConfigType::kDouble: {
      double value = 0;
      const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() ||
          !std::isfinite(value) || value < static_cast<double>(spec.min)) {
        return Status(Errc::kInvalidArgument, "expected a number of at least " +
                                                  std::to_string(spec.min) + ", got '" +
                                                  std::string(text) + "'");
      }
      return std::string(text);
    }
    case ConfigType::kString:
      if (spec.choices.empty() || IsChoice(spec.choices, text)) return std::string(text);
      return Status(Errc::kInvalidArgument, "expected one of: " + JoinChoices(spec.choices) +
                                                "; got '" + std::string(text) + "'");
    case ConfigType::kList: {
      std::size_t start = 0;
      while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        if (!IsChoice(spec.choices, text.substr(start, comma - start))) {
          return Status(Errc::kInvalidArgument,
                        "expected a comma-separated list of: " + JoinChoices(spec.choices) +
                            "; got '" + std::string(text) + "'");
        }
        start = comma + 1;
      }
      return std::string(text);
    }
  }
  KSIM_UNREACHABLE();
}

std::string TopicNameProblem(std::string_view name) {
  // Topic.java: legal chars [a-zA-Z0-9._-], at most 249, not "." or "..".
  if (name.empty()) return "Topic name is illegal, it can't be empty";
  if (name == "." || name == "..") return "Topic name cannot be \".\" or \"..\"";
  if (name.size() > 249) {
    return "Topic name is illegal, it can't be longer than 249 characters, topic name: " +
           std::string(name);
  }
  for (char c : name) {
    const bool legal = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '.' || c == '_' || c == '-';
    if (!legal) {
      return "Topic name \"" + std::string(name) +
             "\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' "
             "and '-'";
    }
  }
  return {};
}

namespace {

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string ClosestName(std::string_view name, const std::vector<std::string_view>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, name.size() / 4) + 1;
  for (std::string_view candidate : candidates) {
    const std::size_t d = EditDistance(name, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = std::string(candidate);
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// ConfigMap and the model's small methods.

const ConfigSpec& ConfigMap::Spec(std::string_view name) const {
  KSIM_ASSERT(specs_ != nullptr);
  const ConfigSpec* spec = FindConfigSpec(*specs_, name);
  KSIM_ASSERT_MSG(spec != nullptr, std::string(name) + " is not in the config catalogue");
  return *spec;
}

std::string_view ConfigMap::Raw(std::string_view name) const {
  const auto it = values_.find(std::string(name));
  return it != values_.end() ? std::string_view(it->second) : Spec(name).default_value;
}

std::int64_t ConfigMap::GetLong(std::string_view name) const {
  const ConfigSpec& spec = Spec(name);
  KSIM_ASSERT(spec.type == ConfigType::kInt || spec.type == ConfigType::kLong);
  const std::string_view raw = Raw(name);
  std::int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), value);
  KSIM_ASSERT(ec == std::errc() && ptr == raw.data() + raw.size());
  return value;
}

bool ConfigMap::GetBool(std::string_view name) const {
  KSIM_ASSERT(Spec(name).type == ConfigType::kBool);
  return Raw(name) == "true";
}

double ConfigMap::GetDouble(std::string_view name) const {
  KSIM_ASSERT(Spec(name).type == ConfigType::kDouble);
  const std::string_view raw = Raw(name);
  double value = 0;
  const auto [ptr, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), value);
  KSIM_ASSERT(ec == std::errc() && ptr == raw.data() + raw.size());
  return value;
}

std::string ConfigMap::GetString(std::string_view name) const {
  (void)Spec(name);
  return std::string(Raw(name));
}

std::vector<std::int32_t> Cluster::VoterIds() const {
  std::vector<std::int32_t> ids;
  for (const NodeSpec& node : nodes) {
    if (node.role == NodeRole::kController || node.role == NodeRole::kCombined) {
      ids.push_back(node.node_id);
    }
  }
  return ids;
}

ProducerMessage Client::MessageAt(std::int64_t n) const {
  KSIM_ASSERT(n >= 0);
  if (!messages.empty()) {
    KSIM_ASSERT(n < static_cast<std::int64_t>(messages.size()));
    return messages[static_cast<std::size_t>(n)];
  }
  ProducerMessage message;
  if (!keys.empty()) message.key = keys[static_cast<std::size_t>(n) % keys.size()];
  // "message-<n + 1>", written once into its string (this runs for every record produced).
  constexpr std::string_view kPrefix = "message-";
  std::array<char, kPrefix.size() + 20> text{};
  std::copy(kPrefix.begin(), kPrefix.end(), text.begin());
  const std::to_chars_result end =
      std::to_chars(text.data() + kPrefix.size(), text.data() + text.size(), n + 1);
  message.value.emplace(text.data(), end.ptr);
  return message;
}

std::string PartitionRef::ToString() const { return topic + "-" + std::to_string(partition); }

std::string NodeRef::ToString() const {
  switch (kind) {
    case Kind::kNamed:
      return name;
    case Kind::kVariable:
      return "$" + name;
    case Kind::kLeaderOf:
      return "leader of " + partition.ToString();
    case Kind::kFollowerOf:
      return "follower of " + partition.ToString();
    case Kind::kPreferredReplicaOf:
      return "preferred replica of " + partition.ToString();
    case Kind::kActiveController:
      return name.empty() ? "active controller" : "active controller of " + name;
    case Kind::kFollowerController:
      return name.empty() ? "follower controller" : "follower controller of " + name;
    case Kind::kZooKeeperLeader:
      return name.empty() ? "zookeeper leader" : "zookeeper leader of " + name;
    case Kind::kZooKeeperFollower:
      return name.empty() ? "zookeeper follower" : "zookeeper follower of " + name;
  }
  return name;
}

const NodeSpec* Scenario::FindNode(std::string_view node_name) const {
  for (const NodeSpec& node : cluster.nodes) {
    if (node.name == node_name) return &node;
  }
  return nullptr;
}

std::optional<std::size_t> Scenario::ClusterOf(std::string_view qualified_name) const {
  const std::size_t slash = qualified_name.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  for (std::size_t i = 0; i < clusters.size(); ++i) {
    if (clusters[i].name == qualified_name.substr(0, slash)) return i;
  }
  return std::nullopt;
}

Scenario Scenario::ClusterScenario(std::size_t i) const {
  KSIM_ASSERT(i < clusters.size());
  Scenario out;
  out.name = name;
  out.description = description;
  out.seed = seed;
  out.end = end;
  out.cluster = clusters[i].cluster;
  out.topics = clusters[i].topics;
  const std::string prefix = clusters[i].name + "/";
  for (const Client& client : clients) {
    if (client.topic.rfind(prefix, 0) != 0) continue;
    Client local = client;
    local.topic = client.topic.substr(prefix.size());
    out.clients.push_back(std::move(local));
  }
  out.steps = steps;
  out.probes = probes;
  out.source = source;
  return out;
}

const Client* Scenario::FindClient(std::string_view id) const {
  for (const Client& client : clients) {
    if (client.id == id) return &client;
  }
  return nullptr;
}

const Topic* Scenario::FindTopic(std::string_view topic_name) const {
  for (const Topic& topic : topics) {
    if (topic.name == topic_name) return &topic;
  }
  return nullptr;
}

const std::vector<std::string_view>& TopLevelKeys() {
  static const std::vector<std::string_view> keys = {
      "$schema", "name",  "description", "seed",   "end",      "cluster",          "topics",
      "clients", "steps", "probes",      "inputs", "clusters", "between_clusters", "mirror_maker"};
  return keys;
}

const std::vector<ErrorInfo>& ErrorCatalogue() {
  static const std::vector<ErrorInfo> errors = {
      {"E001", "malformed JSON"},
      {"E002", "wrong JSON type"},
      {"E003", "unknown key"},
      {"E004", "missing required key"},
      {"E005", "duplicate key"},
      {"E006", "bad duration"},
      {"E007", "number out of range"},
      {"E008", "not one of the allowed values"},
      {"E009", "feature not available yet"},
      {"E010", "bad controller quorum"},
      {"E011", "racks do not match brokers"},
      {"E012", "replication factor above broker count"},
      {"E013", "bad or duplicate topic name"},
      {"E014", "unknown config name"},
      {"E015", "bad config value"},
      {"E016", "unknown topic"},
      {"E017", "unknown or unsuitable node"},
      {"E018", "bad or duplicate client id"},
      {"E019", "conflicting consumer settings"},
      {"E020", "step without exactly one action"},
      {"E021", "step or deadline out of time order"},
      {"E022", "bad command line in run"},
      {"E023", "expectation without exactly one condition"},
      {"E024", "unknown Kafka error name"},
      {"E025", "bad partition reference"},
      {"E026", "file cannot be read"},
      {"E027", "key does not apply here"},
      {"E028", "conflicting producer settings"},
      {"E029", "lines without a console producer"},
      {"E030", "node in two partition groups"},
      {"E031", "not a broker id"},
      {"E032", "config not simulated"},
      {"E033", "unknown or repeated node name ($name)"},
      {"E034", "node role does not fit"},
      {"E035", "bad replica_assignment"},
      {"E036", "bad use of several clusters"},
  };
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Locations: JSON path -> line:column of each value and each key, by a small scanner over text
// that nlohmann has already accepted (so the scanner may stop quietly at anything unexpected).

namespace {

struct Position {
  std::int32_t line = 0;  // 1-based; 0 = unknown
  std::int32_t column = 0;
};

std::string ChildPath(const std::string& parent, std::string_view key) {
  bool identifier = !key.empty() && !(key[0] >= '0' && key[0] <= '9');
  for (char c : key) {
    identifier = identifier && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                (c >= '0' && c <= '9') || c == '_');
  }
  if (identifier) return parent + "." + std::string(key);
  std::string quoted = parent + "[\"";
  for (char c : key) {
    if (c == '"' || c == '\\') quoted.push_back('\\');
    quoted.push_back(c);
  }
  return quoted + "\"]";
}

std::string IndexPath(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

class LocationScanner {
 public:
  explicit LocationScanner(std::string_view text) : text_(text) {}

  void Run() {
    SkipSpace();
    Value("$", 0);
  }

  std::map<std::string, Position> values;
  std::map<std::string, Position> keys;
  // Paths of keys that appear a second time in the same object, with their position.
  std::vector<std::pair<std::string, Position>> duplicates;

 private:
  static constexpr int kDepthMax = 256;

  Position Here() const { return {line_, static_cast<std::int32_t>(i_ - line_start_ + 1)}; }

  void Advance() {
    if (i_ < text_.size() && text_[i_] == '\n') {
      ++line_;
      line_start_ = i_ + 1;
    }
    ++i_;
  }

  void SkipSpace() {
    while (i_ < text_.size() &&
           (text_[i_] == ' ' || text_[i_] == '\t' || text_[i_] == '\n' || text_[i_] == '\r')) {
      Advance();
    }
  }

  bool Value(const std::string& path, int depth) {
    if (i_ >= text_.size() || depth > kDepthMax) return false;
    values.emplace(path, Here());
    const char c = text_[i_];
    if (c == '{') return Object(path, depth);
    if (c == '[') return Array(path, depth);
    if (c == '"') {
      std::string ignored;
      return String(ignored);
    }
    while (i_ < text_.size() && text_[i_] != ',' && text_[i_] != '}' && text_[i_] != ']' &&
           text_[i_] != ' ' && text_[i_] != '\n' && text_[i_] != '\t' && text_[i_] != '\r') {
      Advance();
    }
    return true;
  }

  bool Object(const std::string& path, int depth) {
    Advance();  // '{'
    SkipSpace();
    std::set<std::string> seen;
    while (i_ < text_.size() && text_[i_] != '}') {
      const Position key_position = Here();
      std::string key;
      if (text_[i_] != '"' || !String(key)) return false;
      const std::string child = ChildPath(path, key);
      if (!seen.insert(key).second) {
        duplicates.emplace_back(child, key_position);
        values.erase(child);  // nlohmann keeps the last value; so do we
      }
      keys[child] = key_position;
      SkipSpace();
      if (i_ >= text_.size() || text_[i_] != ':') return false;
      Advance();
      SkipSpace();
      if (!Value(child, depth + 1)) return false;
      SkipSpace();
      if (i_ < text_.size() && text_[i_] == ',') {
        Advance();
        SkipSpace();
      }
    }
    Advance();  // '}'
    return true;
  }

  bool Array(const std::string& path, int depth) {
    Advance();  // '['
    SkipSpace();
    std::size_t index = 0;
    while (i_ < text_.size() && text_[i_] != ']') {
      if (!Value(IndexPath(path, index++), depth + 1)) return false;
      SkipSpace();
      if (i_ < text_.size() && text_[i_] == ',') {
        Advance();
        SkipSpace();
      }
    }
    Advance();  // ']'
    return true;
  }

  // A string literal, decoded well enough to name keys (escapes, \uXXXX as UTF-8).
  bool String(std::string& out) {
    Advance();  // opening quote
    while (i_ < text_.size() && text_[i_] != '"') {
      if (text_[i_] != '\\') {
        out.push_back(text_[i_]);
        Advance();
        continue;
      }
      Advance();
      if (i_ >= text_.size()) return false;
      const char e = text_[i_];
      Advance();
      if (e == 'u') {
        if (!Unicode(out)) return false;
        continue;
      }
      const std::string_view from = "\"\\/bfnrt";
      const std::string_view to = "\"\\/\b\f\n\r\t";
      const std::size_t k = from.find(e);
      if (k == std::string_view::npos) return false;
      out.push_back(to[k]);
    }
    if (i_ >= text_.size()) return false;
    Advance();  // closing quote
    return true;
  }

  bool Hex4(std::uint32_t& code) {
    if (i_ + 4 > text_.size()) return false;
    code = 0;
    for (int k = 0; k < 4; ++k, Advance()) {
      const char h = text_[i_];
      const int digit = h >= '0' && h <= '9'   ? h - '0'
                        : h >= 'a' && h <= 'f' ? h - 'a' + 10
                        : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                               : -1;
      if (digit < 0) return false;
      code = code * 16 + static_cast<std::uint32_t>(digit);
    }
    return true;
  }

  bool Unicode(std::string& out) {
    std::uint32_t code = 0;
    if (!Hex4(code)) return false;
    if (code >= 0xD800 && code <= 0xDBFF && i_ + 1 < text_.size() && text_[i_] == '\\' &&
        text_[i_ + 1] == 'u') {
      Advance();
      Advance();
      std::uint32_t low = 0;
      if (!Hex4(low)) return false;
      code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
    }
    const auto byte = [](std::uint32_t v) { return static_cast<char>(v & 0xFF); };
    if (code < 0x80) {
      out.push_back(byte(code));
    } else if (code < 0x800) {
      out.push_back(byte(0xC0 | (code >> 6)));
      out.push_back(byte(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
      out.push_back(byte(0xE0 | (code >> 12)));
      out.push_back(byte(0x80 | ((code >> 6) & 0x3F)));
      out.push_back(byte(0x80 | (code & 0x3F)));
    } else {
      out.push_back(byte(0xF0 | (code >> 18)));
      out.push_back(byte(0x80 | ((code >> 12) & 0x3F)));
      out.push_back(byte(0x80 | ((code >> 6) & 0x3F)));
      out.push_back(byte(0x80 | (code & 0x3F)));
    }
    return true;
  }

  std::string_view text_;
  std::size_t i_ = 0;
  std::int32_t line_ = 1;
  std::size_t line_start_ = 0;
};

// Line and column (1-based) of a byte offset.
Position PositionOfOffset(std::string_view text, std::size_t offset) {
  Position position{1, 1};
  for (std::size_t i = 0; i < std::min(offset, text.size()); ++i) {
    if (text[i] == '\n') {
      ++position.line;
      position.column = 1;
    } else {
      ++position.column;
    }
  }
  return position;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Reader: typed access to the parsed JSON that reports every problem with its place.

namespace {

using Json = nlohmann::json;

std::string TypeWithArticle(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::boolean:
      return "a boolean";
    default:
      return "a number";
  }
}

std::string JoinNames(const std::vector<std::string_view>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  return out;
}

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

class Reader {
 public:
  Reader(std::string_view source, const LocationScanner& locations)
      : source_(source), locations_(locations) {}

  // An error placed at the value at `path` (or its key, or the nearest enclosing value).
  void Error(std::string_view id, const std::string& path, const std::string& message) {
    Add(id, path, PositionOf(path, /*prefer_key=*/false), message);
  }
  // An error placed at the key (for unknown and duplicate keys).
  void KeyError(std::string_view id, const std::string& path, const std::string& message) {
    Add(id, path, PositionOf(path, /*prefer_key=*/true), message);
  }
  void Add(std::string_view id, const std::string& path, Position at, const std::string& message) {
    std::string text = "[scenario." + std::string(id) + "] " + std::string(source_);
    if (at.line > 0) text += ":" + std::to_string(at.line) + ":" + std::to_string(at.column);
    text += " " + path + ": " + message;
    errors_.push_back({at, errors_.size(), std::move(text)});
  }
  std::size_t error_count() const { return errors_.size(); }

  // File order (line, column); errors without a place keep their order at the end.
  std::vector<std::string> TakeErrors() {
    std::stable_sort(errors_.begin(), errors_.end(), [](const Entry& a, const Entry& b) {
      const auto key = [](const Entry& e) {
        return std::tuple(e.at.line == 0 ? INT32_MAX : e.at.line, e.at.column, e.sequence);
      };
      return key(a) < key(b);
    });
    std::vector<std::string> out;
    for (Entry& e : errors_) out.push_back(std::move(e.text));
    return out;
  }

  // Is `j` an object? Reports its unknown keys (with a suggestion) against `allowed`.
  bool Object(const Json& j, const std::string& path,
              const std::vector<std::string_view>& allowed) {
    if (!j.is_object()) {
      Error("E002", path, "expected an object, got " + TypeWithArticle(j));
      return false;
    }
    for (const auto& [key, value] : j.items()) {
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      std::string message =
          "unknown key " + Quote(key) + " in " + path + "; expected one of: " + JoinNames(allowed);
      const std::string guess = ClosestName(key, allowed);
      if (!guess.empty()) message += " (did you mean " + Quote(guess) + "?)";
      KeyError("E003", ChildPath(path, key), message);
    }
    return true;
  }

  // The member `key` of object `obj`, or nullptr (with E004 when required).
  const Json* Member(const Json& obj, const std::string& path, std::string_view key,
                     bool required) {
    const auto it = obj.find(std::string(key));
    if (it != obj.end()) return &*it;
    if (required) Error("E004", path, "missing required key " + Quote(key));
    return nullptr;
  }

  std::optional<std::string> String(const Json& obj, const std::string& path, std::string_view key,
                                    bool required) {
    const Json* j = Member(obj, path, key, required);
    if (j == nullptr) return std::nullopt;
    if (!j->is_string()) {
      Error("E002", ChildPath(path, key), "expected a string, got " + TypeWithArticle(*j));
      return std::nullopt;
    }
    return j->get<std::string>();
  }

  std::optional<std::int64_t> Integer(const Json& obj, const std::string& path,
                                      std::string_view key, std::int64_t min, std::int64_t max,
                                      bool required) {
    const Json* j = Member(obj, path, key, required);
    if (j == nullptr) return std::nullopt;
    return IntegerValue(*j, ChildPath(path, key), min, max);
  }

  std::optional<std::int64_t> IntegerValue(const Json& j, const std::string& path, std::int64_t min,
                                           std::int64_t max) {
    if (!j.is_number_integer()) {
      Error("E002", path, "expected an integer, got " + TypeWithArticle(j));
      return std::nullopt;
    }
    if (j.is_number_unsigned() && j.get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
      Error("E007", path,
            "expected an integer from " + std::to_string(min) + " to " + std::to_string(max) +
                ", got " + j.dump());
      return std::nullopt;
    }
    const std::int64_t value = j.get<std::int64_t>();
    if (value < min || value > max) {
      Error("E007", path,
            "expected an integer from " + std::to_string(min) + " to " + std::to_string(max) +
                ", got " + std::to_string(value));
      return std::nullopt;
    }
    return value;
  }

  std::optional<double> Number(const Json& obj, const std::string& path, std::string_view key,
                               double min, double max) {
    const Json* j = Member(obj, path, key, false);
    if (j == nullptr) return std::nullopt;
    if (!j->is_number()) {
      Error("E002", ChildPath(path, key), "expected a number, got " + TypeWithArticle(*j));
      return std::nullopt;
    }
    const double value = j->get<double>();
    if (!(value >= min && value <= max)) {
      Error("E007", ChildPath(path, key),
            "expected a number from " + Json(min).dump() + " to " + Json(max).dump() + ", got " +
                j->dump());
      return std::nullopt;
    }
    return value;
  }

  std::optional<bool> Bool(const Json& obj, const std::string& path, std::string_view key) {
    const Json* j = Member(obj, path, key, false);
    if (j == nullptr) return std::nullopt;
    if (!j->is_boolean()) {
      Error("E002", ChildPath(path, key), "expected true or false, got " + TypeWithArticle(*j));
      return std::nullopt;
    }
    return j->get<bool>();
  }

  // A duration: "250ms", "5s", "1.5s", "2m", "1h", or an integer number of milliseconds.
  std::optional<Duration> DurationValue(const Json& j, const std::string& path) {
    if (j.is_number_integer() && j.get<std::int64_t>() >= 0 &&
        j.get<std::int64_t>() <= INT64_MAX / 1'000'000) {
      return Milliseconds(j.get<std::int64_t>());
    }
    if (j.is_string()) {
      auto parsed = ParseDuration(j.get<std::string>());
      if (parsed.ok()) return *parsed;
      Error("E006", path, parsed.status().message());
      return std::nullopt;
    }
    Error("E006", path, std::string(kDurationHint) + ", got " + j.dump());
    return std::nullopt;
  }

  std::optional<Duration> DurationMember(const Json& obj, const std::string& path,
                                         std::string_view key, bool required) {
    const Json* j = Member(obj, path, key, required);
    if (j == nullptr) return std::nullopt;
    return DurationValue(*j, ChildPath(path, key));
  }

  std::optional<std::vector<std::string>> StringArray(const Json& obj, const std::string& path,
                                                      std::string_view key) {
    const Json* j = Member(obj, path, key, false);
    if (j == nullptr) return std::nullopt;
    const std::string array_path = ChildPath(path, key);
    if (!j->is_array()) {
      Error("E002", array_path, "expected an array of strings, got " + TypeWithArticle(*j));
      return std::nullopt;
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i < j->size(); ++i) {
      const Json& item = (*j)[i];
      if (!item.is_string()) {
        Error("E002", IndexPath(array_path, i), "expected a string, got " + TypeWithArticle(item));
        continue;
      }
      out.push_back(item.get<std::string>());
    }
    return out;
  }

  std::int32_t LineOf(const std::string& path) const { return PositionOf(path, false).line; }

 private:
  struct Entry {
    Position at;
    std::size_t sequence;
    std::string text;
  };

  // Where `path` is in the file; a path that is not there (a key left out, so a default was
  // used) is placed at its nearest ancestor that is.
  Position PositionOf(std::string path, bool prefer_key) const {
    while (!path.empty()) {
      if (prefer_key) {
        if (auto it = locations_.keys.find(path); it != locations_.keys.end()) return it->second;
      }
      if (auto it = locations_.values.find(path); it != locations_.values.end()) {
        return it->second;
      }
      if (auto it = locations_.keys.find(path); it != locations_.keys.end()) return it->second;
      // Up one level: drop a trailing .key, [n] or ["key"].
      const std::size_t cut = path.back() == ']' ? path.rfind('[') : path.find_last_of(".[");
      if (cut == std::string::npos || cut == 0) break;
      path.resize(cut);
      prefer_key = false;
    }
    return {};
  }

  std::string_view source_;
  const LocationScanner& locations_;
  std::vector<Entry> errors_;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// The scenario parser: one method per section, all errors collected.

namespace {

constexpr std::int32_t kPartitionsMax = kPartitionsPerTopicMax;

enum class NodeKind : std::uint8_t { kAny, kClusterNode, kBroker, kVoter, kZooKeeper };

std::string RangeText(std::string_view prefix, std::int32_t count) {
  const std::string first = std::string(prefix) + "-1";
  if (count == 1) return first;
  return first + ".." + std::string(prefix) + "-" + std::to_string(count);
}

class ScenarioParser {
 public:
  ScenarioParser(Reader& reader, Scenario& scenario) : r_(reader), s_(scenario) {}

  void Parse(const Json& root);

 private:
  void ParseCluster(const Json& j, const std::string& path);
  void ParseQuorumShape(const Json& j, const std::string& path);  // controllers, combined
  void ParseNetwork(const Json& j, const std::string& path);
  void ParseConfigMap(const Json& j, const std::string& path, std::string_view what,
                      const std::vector<ConfigSpec>& specs, ConfigMap& out);
  void BuildNodes();
  void ParseTopics(const Json& j, const std::string& path);
  void ParseTopic(const Json& j, const std::string& path);
  void ParseClients(const Json& j, const std::string& path);
  void ParseClient(const Json& j, const std::string& path);
  bool CheckClientId(const Json& j, const std::string& path, Client& client);
  void ParseProducer(const Json& j, const std::string& path, Client& client);
  void ParseProducerMessages(const Json& j, const std::string& path, Client& client);
  void ParseConsumer(const Json& j, const std::string& path, Client& client);
  void ParseGroupSettings(const Json& j, const std::string& path, Client& client);
  void ParseSteps(const Json& j, const std::string& path);
  void ParseStep(const Json& j, const std::string& path, Time& previous);
  std::optional<StepAction> ParseAction(const Json& j, const std::string& path,
                                        std::string_view action);
  std::optional<StepAction> ParseLinkAction(const Json& j, const std::string& path,
                                            std::string_view action);
  std::optional<StepAction> ParsePartitionAction(const Json& j, const std::string& path);
  std::optional<StepAction> ParseRun(const Json& step, const std::string& path);
  std::optional<Expect> ParseExpect(const Json& j, const std::string& path, Time step_time);
  std::optional<ExpectCondition> ParseCondition(const Json& j, const std::string& path,
                                                std::string_view kind);
  std::optional<ExpectCondition> ParseLeaderOf(const Json& j, const std::string& path);
  std::optional<ExpectCondition> ParseIsrOf(const Json& j, const std::string& path);
  std::optional<ExpectCondition> ParseActiveController(const Json& j, const std::string& path);
  std::optional<ExpectCondition> ParseClientCount(const Json& j, const std::string& path,
                                                  std::string_view kind);
  std::optional<ExpectCondition> ParseProduceError(const Json& j, const std::string& path);
  std::optional<ExpectCondition> ParseNodeState(const Json& j, const std::string& path);
  std::optional<ExpectCondition> ParseLostAcked(const Json& j, const std::string& path);
  std::optional<ExpectCondition> ParseLogStartOffset(const Json& j, const std::string& path);
  std::optional<ExpectCondition> ParseRecordsInLog(const Json& j, const std::string& path);
  std::optional<ExpectCondition> ParseMirror(const Json& j, const std::string& path);
  std::optional<ExpectCondition> ParseTopicsExpect(const Json& j, const std::string& path);
  std::optional<ExpectCondition> ParseTopicConfigExpect(const Json& j, const std::string& path);
  std::optional<ExpectCondition> ParseFirstConsumedOffset(const Json& j, const std::string& path);
  std::optional<ExpectCondition> ParseGroup(const Json& j, const std::string& path);
  std::optional<ExpectCondition> ParseKeyInPartition(const Json& j, const std::string& path);
  void ParseProbes(const Json& j, const std::string& path);
  void ParseInputs(const Json& j, const std::string& path);
  bool CheckProbeName(const std::string& name, const std::string& path);

  // Node and reference checks. Each reports its own error and returns false on failure.
  bool CheckNode(const std::string& path, const std::string& name, NodeKind kind);
  // A node given by name, "$name" or role (see NodeRef). `allow_as`: the role may name the
  // node it picks for later steps (fault steps and "pick"; not expectations).
  std::optional<NodeRef> NodeRefValue(const Json& j, const std::string& path, NodeKind kind,
                                      bool allow_as);
  std::optional<NodeRef> NodeRefMember(const Json& obj, const std::string& path,
                                       std::string_view key, NodeKind kind, bool allow_as);
  // One ref or an array of refs ("excludes": "$a" or ["$a", "$b"]).
  std::optional<std::vector<NodeRef>> NodeRefList(const Json& j, const std::string& path,
                                                  NodeKind kind);
  // The name a fault step's node field gets: the node itself, or the ref's text until the
  // runner resolves it; a ref that is not a plain name is kept in step_nodes_.
  std::string StepNode(const NodeRef& ref);
  bool FitsKind(NodeKind have, NodeKind want) const;
  void CheckSayNames(const std::string& text, const std::string& path);
  void ParseReplicaAssignment(const Json& j, const std::string& path, Topic& topic);
  std::string DescribeNodes() const;
  std::optional<PartitionRef> PartitionRefValue(const Json& obj, const std::string& path,
                                                std::string_view key);
  const Client* ClientOfType(const Json& obj, const std::string& path, ClientType type,
                             std::string_view key = "client");

  Reader& r_;
  Scenario& s_;
  bool cluster_ok_ = true;    // node names and broker counts are reliable
  bool in_clusters_ = false;  // parsing one entry of "clusters" (it may hold "topics")
  void ParseClusters(const Json& j, const std::string& path);
  void ParseMirrorMaker(const Json& j, const std::string& path);
  // Names given with "as" by the steps so far: name -> what it can be (broker or voter) and
  // the JSON path that gave it.
  std::map<std::string, std::pair<NodeKind, std::string>> names_;
  std::vector<NodeRef> step_nodes_;  // the refs of the step being parsed
  bool step_has_ref_ = false;        // some node field of it is not a plain name
  // Console clients the `run` steps so far start (console-consumer-1, console-producer-1, ...):
  // expectations may name them.
  int console_consumers_ = 0;
  int console_producers_ = 0;
};

void ScenarioParser::Parse(const Json& root) {
  if (!r_.Object(root, "$", TopLevelKeys())) return;
  if (auto name = r_.String(root, "$", "name", true)) s_.name = *name;
  if (auto description = r_.String(root, "$", "description", false)) {
    s_.description = *description;
  }
  if (const Json* seed = r_.Member(root, "$", "seed", false)) {
    if (seed->is_number_unsigned()) {
      s_.seed = seed->get<std::uint64_t>();
    } else {
      r_.Error("E002", "$.seed", "expected a non-negative integer, got " + seed->dump());
    }
  }
  if (auto end = r_.DurationMember(root, "$", "end", false)) {
    if (*end > Seconds(kEndMaxSeconds)) {
      r_.Error("E007", "$.end",
               "a run lasts at most " + std::to_string(kEndMaxSeconds / 3600) + "h" +
                   " of virtual time (docs/SCENARIO_FORMAT.md, Limits), got " +
                   FormatDuration(*end));
    } else {
      s_.end = kTimeZero + *end;
    }
  }
  if (root.contains("clusters")) {
    for (const char* single : {"cluster", "topics"}) {
      if (root.contains(single)) {
        r_.KeyError("E036", ChildPath("$", single),
                    std::string("a scenario with \"clusters\" has no top-level \"") + single +
                        "\"; each cluster in \"clusters\" declares its own brokers and topics");
      }
    }
    ParseClusters(root["clusters"], "$.clusters");
    if (const Json* between = r_.Member(root, "$", "between_clusters", false)) {
      const NetworkConfig inside = s_.cluster.network;
      ParseNetwork(*between, "$.between_clusters");
      s_.between_clusters = s_.cluster.network;
      s_.cluster.network = inside;
    }
    if (const Json* mirror = r_.Member(root, "$", "mirror_maker", false)) {
      if (cluster_ok_) ParseMirrorMaker(*mirror, "$.mirror_maker");
    }
  } else {
    if (root.contains("mirror_maker")) {
      r_.KeyError("E036", "$.mirror_maker",
                  "\"mirror_maker\" mirrors between clusters; declare them in \"clusters\"");
    }
    if (root.contains("between_clusters")) {
      r_.KeyError("E036", "$.between_clusters",
                  "\"between_clusters\" applies to a scenario with \"clusters\" only");
    }
    if (const Json* cluster = r_.Member(root, "$", "cluster", true)) {
      ParseCluster(*cluster, "$.cluster");
    } else {
      cluster_ok_ = false;
    }
    BuildNodes();
    if (const Json* topics = r_.Member(root, "$", "topics", false)) {
      ParseTopics(*topics, "$.topics");
    }
  }
  if (const Json* clients = r_.Member(root, "$", "clients", false)) {
    ParseClients(*clients, "$.clients");
  }
  if (const Json* steps = r_.Member(root, "$", "steps", false)) ParseSteps(*steps, "$.steps");
  if (const Json* probes = r_.Member(root, "$", "probes", false)) ParseProbes(*probes, "$.probes");
  if (const Json* inputs = r_.Member(root, "$", "inputs", false)) ParseInputs(*inputs, "$.inputs");
}

void ScenarioParser::ParseClusters(const Json& j, const std::string& path) {
  if (!j.is_object() || j.empty()) {
    r_.Error("E036", path,
             "expected an object of named clusters such as {\"us-east\": {\"brokers\": 3}, "
             "\"eu-west\": {\"brokers\": 3}}; got " +
                 (j.is_object() ? std::string("an empty object") : TypeWithArticle(j)));
    cluster_ok_ = false;
    return;
  }
  if (j.size() > static_cast<std::size_t>(kClustersMax)) {
    r_.Error("E007", path,
             "a scenario runs at most " + std::to_string(kClustersMax) + " clusters, got " +
                 std::to_string(j.size()) + " (docs/SCENARIO_FORMAT.md, Limits)");
  }
  bool ok = true;
  std::vector<NodeSpec> all_nodes;
  std::vector<Topic> all_topics;
  std::int64_t brokers = 0;
  for (const auto& [name, value] : j.items()) {
    const std::string cpath = ChildPath(path, name);
    bool legal = !name.empty() && name.size() <= 32 && name.front() != '-';
    for (char c : name)
      legal = legal && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
    if (!legal) {
      r_.KeyError("E036", cpath,
                  "cluster name " + Quote(name) +
                      " may use only lowercase letters, digits and '-' (at most 32), e.g. us-east");
      ok = false;
      continue;
    }
    s_.cluster = Cluster{};
    s_.topics.clear();
    in_clusters_ = true;
    cluster_ok_ = true;
    ParseCluster(value, cpath);
    in_clusters_ = false;
    ok = ok && cluster_ok_;
    BuildNodes();
    for (NodeSpec& node : s_.cluster.nodes) node.name = name + "/" + node.name;
    if (value.is_object() && value.contains("topics")) {
      ParseTopics(value["topics"], cpath + ".topics");
    }
    brokers += s_.cluster.brokers;
    all_nodes.insert(all_nodes.end(), s_.cluster.nodes.begin(), s_.cluster.nodes.end());
    for (Topic topic : s_.topics) {
      topic.name = name + "/" + topic.name;
      all_topics.push_back(std::move(topic));
    }
    s_.clusters.push_back(NamedCluster{name, s_.cluster, s_.topics});
  }
  if (brokers > kBrokersMax) {
    r_.Error("E007", path,
             "the clusters have " + std::to_string(brokers) + " brokers in all; the simulator " +
                 "runs at most " + std::to_string(kBrokersMax) +
                 " (docs/SCENARIO_FORMAT.md, Limits)");
  }
  std::int64_t partitions = 0;
  for (const Topic& t : all_topics) partitions += t.partitions;
  if (partitions > kPartitionsTotalMax) {
    r_.Error("E007", path,
             "the clusters' topics have " + std::to_string(partitions) +
                 " partitions in all; the simulator runs at most " +
                 std::to_string(kPartitionsTotalMax) + " (docs/SCENARIO_FORMAT.md, Limits)");
  }
  // From here on, names are found across clusters: every node, every topic as CLUSTER/TOPIC.
  if (!s_.clusters.empty()) s_.cluster = s_.clusters.front().cluster;
  s_.cluster.nodes = std::move(all_nodes);
  s_.topics = std::move(all_topics);
  cluster_ok_ = ok && !s_.clusters.empty();
}

// "mirror_maker": connect-mirror-maker.properties as an object ("us-east->eu-west.enabled":
// "true", "replication.factor": "3", ...). Values are strings as in the file; numbers and
// booleans are taken too. Each enabled flow's remote topics are declared here (mirrored), so
// clients and expectations can name them: "eu-west/us-east.cities".
void ScenarioParser::ParseMirrorMaker(const Json& j, const std::string& path) {
  if (!j.is_object()) {
    r_.Error("E002", path,
             "expected an object of MirrorMaker 2 properties, got " + TypeWithArticle(j));
    return;
  }
  std::vector<std::string_view> cluster_names;
  for (const NamedCluster& c : s_.clusters) cluster_names.push_back(c.name);
  std::vector<std::string_view> property_names;
  for (const MirrorProperty& p : MirrorProperties()) property_names.push_back(p.name);
  std::map<std::string, std::string> global;
  std::map<std::pair<std::string, std::string>, std::map<std::string, std::string>> per_flow;
  const std::size_t errors_before = r_.error_count();
  for (const auto& [key, value] : j.items()) {
    const std::string kpath = ChildPath(path, key);
    std::string text;
    if (value.is_string()) {
      text = value.get<std::string>();
    } else if (value.is_boolean()) {
      text = value.get<bool>() ? "true" : "false";
    } else if (value.is_number_integer()) {
      text = value.dump();
    } else {
      r_.Error("E002", kpath,
               "expected a string (as in connect-mirror-maker.properties), got " +
                   TypeWithArticle(value));
      continue;
    }
    if (key == "clusters") {
      // clusters = us-east, eu-west: every alias must be a declared cluster.
      for (const std::string& alias : SplitMirrorList(text)) {
        if (std::find(cluster_names.begin(), cluster_names.end(), alias) == cluster_names.end()) {
          r_.Error("E036", kpath,
                   "cluster alias " + Quote(alias) +
                       " is not in \"clusters\"; declared: " + JoinNames(cluster_names));
        }
      }
      continue;
    }
    std::string name = key;
    std::optional<std::pair<std::string, std::string>> flow;
    if (const std::size_t arrow = key.find("->"); arrow != std::string::npos) {
      const std::size_t dot = key.find('.', arrow);
      const std::string source = key.substr(0, arrow);
      const std::string target =
          key.substr(arrow + 2, dot == std::string::npos ? std::string::npos : dot - arrow - 2);
      bool ok = true;
      for (const std::string& alias : {source, target}) {
        if (std::find(cluster_names.begin(), cluster_names.end(), alias) == cluster_names.end()) {
          r_.KeyError("E036", kpath,
                      "flow " + Quote(source + "->" + target) + " names " + Quote(alias) +
                          ", which is not in \"clusters\"; declared: " + JoinNames(cluster_names));
          ok = false;
          break;
        }
      }
      if (ok && source == target) {
        r_.KeyError("E036", kpath, "a flow mirrors one cluster to another, not to itself");
        ok = false;
      }
      if (ok && dot == std::string::npos) {
        r_.KeyError("E014", kpath,
                    "expected SOURCE->TARGET.PROPERTY such as " +
                        Quote(source + "->" + target + ".enabled"));
        ok = false;
      }
      if (!ok) continue;
      flow = std::pair(source, target);
      name = key.substr(dot + 1);
    }
    const MirrorProperty* property = FindMirrorProperty(name);
    if (property == nullptr) {
      std::string message = "unknown MirrorMaker 2 property " + Quote(name);
      const std::string guess = ClosestName(name, property_names);
      if (!guess.empty()) message += " (did you mean " + Quote(guess) + "?)";
      message += "; the simulated ones: " + JoinNames(property_names);
      r_.KeyError("E014", kpath, message);
      continue;
    }
    if (const std::optional<std::string> bad = CheckMirrorValue(*property, text)) {
      r_.Error("E015", kpath, *bad);
      continue;
    }
    (flow ? per_flow[*flow] : global)[name] = text;
  }
  for (const auto& [flow, settings] : per_flow) {
    const auto enabled = settings.find("enabled");
    if (enabled == settings.end() || enabled->second != "true") continue;
    MirrorFlow f;
    f.source = flow.first;
    f.target = flow.second;
    f.settings = global;
    f.settings.erase("enabled");
    for (const auto& [k, v] : settings) f.settings[k] = v;
    s_.mirror_flows.push_back(std::move(f));
  }
  if (s_.mirror_flows.empty()) {
    // A flow key with a mistake has been reported already; "nothing enabled" would repeat it.
    if (r_.error_count() != errors_before) return;
    r_.Error("E036", path,
             "no flow is enabled; enable one with " +
                 Quote(std::string(cluster_names.front()) + "->" +
                       std::string(cluster_names.back()) + ".enabled") +
                 ": \"true\"");
    return;
  }
  // The remote topics each flow will create, declared mirrored in the target.
  for (const MirrorFlow& f : s_.mirror_flows) {
    const MirrorFlowSettings settings = ResolveMirrorFlow(f);
    auto target = std::find_if(s_.clusters.begin(), s_.clusters.end(),
                               [&](const NamedCluster& c) { return c.name == f.target; });
    auto source = std::find_if(s_.clusters.begin(), s_.clusters.end(),
                               [&](const NamedCluster& c) { return c.name == f.source; });
    for (const Topic& topic : source->topics) {
      if (topic.mirrored || !settings.Replicates(topic.name)) continue;
      Topic remote = topic;
      remote.name = kafka::mirror_policy::FormatRemoteTopic(f.source, topic.name);
      remote.replication_factor = settings.replication_factor;
      remote.replica_assignment.clear();
      remote.config = ConfigMap{&TopicConfigSpecs()};
      remote.mirrored = true;
      if (s_.FindTopic(f.target + "/" + remote.name) != nullptr) continue;
      target->topics.push_back(remote);
      remote.name = f.target + "/" + remote.name;
      s_.topics.push_back(std::move(remote));
    }
  }
}

void ScenarioParser::ParseCluster(const Json& j, const std::string& path) {
  const std::size_t errors_before = r_.error_count();
  std::vector<std::string_view> keys = {
      "mode",  "brokers", "controllers",   "combined",          "zookeepers", "zookeeper_config",
      "racks", "network", "broker_config", "controller_config", "features",   "format"};
  if (in_clusters_) keys.push_back("topics");
  if (!r_.Object(j, path, keys)) {
    cluster_ok_ = false;
    return;
  }
  Cluster& c = s_.cluster;
  if (auto mode = r_.String(j, path, "mode", false)) {
    if (*mode == "kraft") {
      c.mode = ClusterMode::kKraft;
    } else if (*mode == "zookeeper") {
      c.mode = ClusterMode::kZookeeper;
    } else {
      r_.Error("E008", path + ".mode", "expected one of: kraft, zookeeper; got " + Quote(*mode));
    }
  }
  if (auto brokers = r_.Integer(j, path, "brokers", 1, kBrokersMax, false)) {
    c.brokers = static_cast<std::int32_t>(*brokers);
  }
  if (auto format = r_.String(j, path, "format", false)) {
    if (*format == "auto") {
      c.manual_format = false;
    } else if (*format == "manual") {
      c.manual_format = true;
    } else {
      r_.Error("E008", path + ".format", "expected one of: auto, manual; got " + Quote(*format));
    }
  }
  ParseQuorumShape(j, path);
  // Node names and broker counts are settled; errors below (racks, network, configs) do not
  // make them unreliable, so node and replication-factor checks still run.
  cluster_ok_ = r_.error_count() == errors_before;
  if (const Json* zk = r_.Member(j, path, "zookeepers", false)) {
    if (c.mode != ClusterMode::kZookeeper) {
      r_.Error("E027", path + ".zookeepers", "'zookeepers' applies to mode \"zookeeper\" only");
    } else if (auto n = r_.IntegerValue(*zk, path + ".zookeepers", 1, kZookeepersMax)) {
      c.zookeepers = static_cast<std::int32_t>(*n);
    }
  }
  if (const Json* zc = r_.Member(j, path, "zookeeper_config", false)) {
    const std::string zpath = path + ".zookeeper_config";
    if (c.mode != ClusterMode::kZookeeper) {
      r_.Error("E027", zpath, "'zookeeper_config' applies to mode \"zookeeper\" only");
    } else if (r_.Object(*zc, zpath, {"tickTime", "initLimit", "syncLimit"})) {
      if (auto v = r_.Integer(*zc, zpath, "tickTime", 1, 60'000, false)) {
        c.zookeeper_config.tick_time_ms = *v;
      }
      if (auto v = r_.Integer(*zc, zpath, "initLimit", 1, 1000, false)) {
        c.zookeeper_config.init_limit = static_cast<std::int32_t>(*v);
      }
      if (auto v = r_.Integer(*zc, zpath, "syncLimit", 1, 1000, false)) {
        c.zookeeper_config.sync_limit = static_cast<std::int32_t>(*v);
      }
    }
  }
  if (auto racks = r_.StringArray(j, path, "racks")) {
    c.racks = *racks;
    if (static_cast<std::int32_t>(c.racks.size()) != c.brokers) {
      r_.Error("E011", path + ".racks",
               "expected one rack per broker (" + std::to_string(c.brokers) + "), got " +
                   std::to_string(c.racks.size()));
    }
  }
  if (const Json* network = r_.Member(j, path, "network", false)) {
    ParseNetwork(*network, path + ".network");
  }
  if (const Json* config = r_.Member(j, path, "broker_config", false)) {
    ParseConfigMap(*config, path + ".broker_config", "broker config", BrokerConfigSpecs(),
                   c.broker_config);
    if (c.mode != ClusterMode::kZookeeper && config->is_object() &&
        config->contains("zookeeper.session.timeout.ms")) {
      r_.KeyError("E027", ChildPath(path + ".broker_config", "zookeeper.session.timeout.ms"),
                  "zookeeper.session.timeout.ms applies to mode \"zookeeper\" only");
    }
  }
  if (const Json* config = r_.Member(j, path, "controller_config", false)) {
    ParseConfigMap(*config, path + ".controller_config", "controller config",
                   ControllerConfigSpecs(), c.controller_config);
  }
  // Feature levels as `kafka-storage.sh format --feature NAME=LEVEL` sets them.
  if (const Json* features = r_.Member(j, path, "features", false)) {
    const std::string fpath = path + ".features";
    if (r_.Object(*features, fpath, {"eligible.leader.replicas.version"})) {
      if (c.mode == ClusterMode::kZookeeper &&
          features->contains("eligible.leader.replicas.version")) {
        r_.KeyError("E027", ChildPath(fpath, "eligible.leader.replicas.version"),
                    "eligible leader replicas (KIP-966) exist in KRaft mode only");
      } else if (auto level = r_.Integer(*features, fpath, "eligible.leader.replicas.version", 0, 1,
                                         false)) {
        c.eligible_leader_replicas_version = static_cast<std::int32_t>(*level);
      }
    }
  }
}

void ScenarioParser::ParseQuorumShape(const Json& j, const std::string& path) {
  Cluster& c = s_.cluster;
  if (c.mode == ClusterMode::kZookeeper) {
    // ZooKeeper mode: the ensemble replaces the controller quorum; any broker may become the
    // controller through /controller.
    c.controllers = 0;
    c.zookeepers = 1;  // Kafka's quickstart runs one ZooKeeper; "zookeepers" says otherwise
    for (const char* key : {"controllers", "combined"}) {
      if (j.contains(key)) {
        r_.KeyError("E027", ChildPath(path, key),
                    std::string("'") + key +
                        "' applies to mode \"kraft\" only; in ZooKeeper mode a broker is elected "
                        "controller through /controller (size the ensemble with \"zookeepers\")");
      }
    }
    return;
  }
  if (auto combined = r_.Bool(j, path, "combined")) c.combined = *combined;
  const Json* controllers = r_.Member(j, path, "controllers", false);
  if (c.combined) {
    c.controllers = 0;
    if (controllers != nullptr) {
      r_.Error("E010", path + ".controllers",
               "a combined cluster has no separate controllers (every broker is a voter); "
               "remove 'controllers'");
    }
    if (c.brokers != 1 && c.brokers != 3 && c.brokers != 5) {
      r_.Error("E010", path + ".brokers",
               "a combined cluster makes every broker a controller voter, so it needs 1, 3 or "
               "5 brokers; got " +
                   std::to_string(c.brokers));
    }
  } else if (controllers != nullptr) {
    if (auto n = r_.IntegerValue(*controllers, path + ".controllers", 0, INT32_MAX)) {
      if (*n == 1 || *n == 3 || *n == 5) {
        c.controllers = static_cast<std::int32_t>(*n);
      } else {
        r_.Error("E010", path + ".controllers",
                 "expected 1, 3 or 5 controllers (a majority must survive failures: 3 tolerate "
                 "1, 5 tolerate 2); got " +
                     std::to_string(*n));
      }
    }
  }
}

void ScenarioParser::ParseNetwork(const Json& j, const std::string& path) {
  if (!r_.Object(j, path, {"latency_ms", "drop", "duplicate"})) return;
  NetworkConfig& n = s_.cluster.network;
  if (const Json* latency = r_.Member(j, path, "latency_ms", false)) {
    const std::string latency_path = path + ".latency_ms";
    constexpr std::int64_t kLatencyMsMax = 60'000;
    if (latency->is_array() && latency->size() == 2) {
      auto base = r_.IntegerValue((*latency)[0], latency_path + "[0]", 0, kLatencyMsMax);
      auto max = r_.IntegerValue((*latency)[1], latency_path + "[1]", 0, kLatencyMsMax);
      if (base && max && *max < *base) {
        r_.Error("E007", latency_path,
                 "the maximum latency " + std::to_string(*max) + " is below the base " +
                     std::to_string(*base) + "; expected [base, max] with base <= max");
      } else if (base && max) {
        n.latency_base = Milliseconds(*base);
        n.latency_jitter = Milliseconds(*max - *base);
      }
    } else if (latency->is_number_integer()) {
      if (auto fixed = r_.IntegerValue(*latency, latency_path, 0, kLatencyMsMax)) {
        n.latency_base = Milliseconds(*fixed);
        n.latency_jitter = Duration{};
      }
    } else {
      r_.Error("E002", latency_path,
               "expected [base, max] in milliseconds such as [1, 3], or one integer; got " +
                   latency->dump());
    }
  }
  if (auto drop = r_.Number(j, path, "drop", 0.0, 0.99)) n.drop_probability = *drop;
  if (auto dup = r_.Number(j, path, "duplicate", 0.0, 0.99)) n.duplicate_probability = *dup;
}

void ScenarioParser::ParseConfigMap(const Json& j, const std::string& path, std::string_view what,
                                    const std::vector<ConfigSpec>& specs, ConfigMap& out) {
  if (!j.is_object()) {
    r_.Error("E002", path,
             "expected an object of config names and values, got " + TypeWithArticle(j));
    return;
  }
  std::vector<std::string_view> names;
  for (const ConfigSpec& spec : specs) names.push_back(spec.name);
  for (const auto& [name, value] : j.items()) {
    const std::string item_path = ChildPath(path, name);
    const ConfigSpec* spec = FindConfigSpec(specs, name);
    if (spec == nullptr) {
      std::string message = "unknown " + std::string(what) + " " + Quote(name);
      const std::string guess = ClosestName(name, names);
      message +=
          guess.empty() ? "; known: " + JoinNames(names) : "; did you mean " + Quote(guess) + "?";
      r_.KeyError("E014", item_path, message);
      continue;
    }
    std::string text;
    if (value.is_string()) {
      text = value.get<std::string>();
    } else if (value.is_boolean() || value.is_number()) {
      text = value.dump();
    } else {
      r_.Error("E015", item_path,
               "expected a string, number or boolean, got " + TypeWithArticle(value));
      continue;
    }
    auto canonical = CanonicalConfigValue(*spec, text);
    if (!canonical.ok()) {
      r_.Error("E015", item_path, "bad value for " + name + ": " + canonical.status().message());
      continue;
    }
    // A config the simulator would not act on is refused, not silently ignored.
    if (const std::string_view why = NotSimulatedReason(*spec, *canonical); !why.empty()) {
      r_.KeyError("E032", item_path, name + " is not simulated: " + std::string(why));
      continue;
    }
    out.Set(name, *canonical);
  }
}

void ScenarioParser::BuildNodes() {
  Cluster& c = s_.cluster;
  c.nodes.clear();
  for (std::int32_t i = 1; i <= c.brokers; ++i) {
    NodeSpec node{"broker-" + std::to_string(i), i,
                  c.combined ? NodeRole::kCombined : NodeRole::kBroker, std::nullopt};
    if (static_cast<std::size_t>(i) <= c.racks.size()) {
      node.rack = c.racks[static_cast<std::size_t>(i - 1)];
    }
    c.nodes.push_back(std::move(node));
  }
  for (std::int32_t i = 1; i <= c.controllers; ++i) {
    c.nodes.push_back({"controller-" + std::to_string(i), kControllerIdBase + i,
                       NodeRole::kController, std::nullopt});
  }
  for (std::int32_t i = 1; i <= c.zookeepers; ++i) {
    c.nodes.push_back(
        {"zk-" + std::to_string(i), kZooKeeperIdBase + i, NodeRole::kZooKeeper, std::nullopt});
  }
}

}  // namespace

namespace {

void ScenarioParser::ParseTopics(const Json& j, const std::string& path) {
  if (!j.is_array()) {
    r_.Error("E002", path, "expected an array of topics, got " + TypeWithArticle(j));
    return;
  }
  for (std::size_t i = 0; i < j.size(); ++i) ParseTopic(j[i], IndexPath(path, i));
  std::int64_t total = 0;
  for (const Topic& t : s_.topics) total += t.partitions;
  if (total > kPartitionsTotalMax) {
    r_.Error("E007", path,
             "the topics have " + std::to_string(total) +
                 " partitions in all; the simulator runs " + "at most " +
                 std::to_string(kPartitionsTotalMax) + " (docs/SCENARIO_FORMAT.md, Limits)");
  }
}

void ScenarioParser::ParseTopic(const Json& j, const std::string& path) {
  if (!r_.Object(j, path,
                 {"name", "partitions", "replication_factor", "replica_assignment", "config"})) {
    return;
  }
  Topic topic;
  bool ok = true;
  if (auto name = r_.String(j, path, "name", true)) {
    const std::string problem = TopicNameProblem(*name);
    if (!problem.empty()) {
      r_.Error("E013", path + ".name", problem);
      ok = false;
    } else if (s_.FindTopic(*name) != nullptr) {
      r_.Error("E013", path + ".name", "topic " + Quote(*name) + " is defined twice");
      ok = false;
    }
    topic.name = *name;
  } else {
    ok = false;
  }
  if (auto partitions = r_.Integer(j, path, "partitions", 1, kPartitionsMax, false)) {
    topic.partitions = static_cast<std::int32_t>(*partitions);
  }
  if (auto rf = r_.Integer(j, path, "replication_factor", 1, INT16_MAX, false)) {
    topic.replication_factor = static_cast<std::int32_t>(*rf);
    if (cluster_ok_ && *rf > s_.cluster.brokers) {
      const std::int32_t b = s_.cluster.brokers;
      r_.Error("E012", path + ".replication_factor",
               "replication factor " + std::to_string(*rf) + " is larger than the " +
                   std::to_string(b) + (b == 1 ? " broker" : " brokers") + " in this cluster");
    }
  }
  if (const Json* config = r_.Member(j, path, "config", false)) {
    ParseConfigMap(*config, path + ".config", "topic config", TopicConfigSpecs(), topic.config);
  }
  if (const Json* assignment = r_.Member(j, path, "replica_assignment", false)) {
    ParseReplicaAssignment(*assignment, path + ".replica_assignment", topic);
    if (j.contains("partitions") &&
        topic.partitions != static_cast<std::int32_t>(topic.replica_assignment.size()) &&
        !topic.replica_assignment.empty()) {
      r_.Error("E035", path + ".partitions",
               "partitions is " + std::to_string(topic.partitions) + " but replica_assignment " +
                   "lists " + std::to_string(topic.replica_assignment.size()) +
                   "; give one of them (kafka-topics.sh takes --replica-assignment without "
                   "--partitions)");
    }
    if (j.contains("replication_factor") && !topic.replica_assignment.empty() &&
        topic.replication_factor !=
            static_cast<std::int32_t>(topic.replica_assignment.front().size())) {
      r_.Error("E035", path + ".replication_factor",
               "replication_factor is " + std::to_string(topic.replication_factor) +
                   " but replica_assignment lists " +
                   std::to_string(topic.replica_assignment.front().size()) +
                   " brokers per partition");
    }
    if (!topic.replica_assignment.empty()) {
      topic.partitions = static_cast<std::int32_t>(topic.replica_assignment.size());
      topic.replication_factor = static_cast<std::int32_t>(topic.replica_assignment.front().size());
    }
  }
  if (ok) s_.topics.push_back(std::move(topic));
}

// [[1,2,3],[2,3,1]]: the brokers of partition i, its preferred leader first, as
// kafka-topics.sh --replica-assignment 1:2:3,2:3:1 gives them.
void ScenarioParser::ParseReplicaAssignment(const Json& j, const std::string& path, Topic& topic) {
  const auto fail = [&](const std::string& at, const std::string& message) {
    r_.Error("E035", at, message);
    topic.replica_assignment.clear();
  };
  if (!j.is_array() || j.empty() || j.size() > static_cast<std::size_t>(kPartitionsMax)) {
    return fail(path, "expected a list of 1.." + std::to_string(kPartitionsMax) +
                          " partitions, each a list of broker ids, e.g. [[1, 2, 3], [2, 3, 1]]");
  }
  for (std::size_t p = 0; p < j.size(); ++p) {
    const std::string p_path = IndexPath(path, p);
    const Json& brokers = j[p];
    if (!brokers.is_array() || brokers.empty()) {
      return fail(p_path, "expected a non-empty list of broker ids such as [1, 2, 3], got " +
                              brokers.dump());
    }
    std::vector<std::int32_t> ids;
    for (std::size_t i = 0; i < brokers.size(); ++i) {
      auto id = r_.IntegerValue(brokers[i], IndexPath(p_path, i), 1, INT32_MAX);
      if (!id) return topic.replica_assignment.clear();
      if (cluster_ok_ && *id > s_.cluster.brokers) {
        return fail(IndexPath(p_path, i), "broker " + std::to_string(*id) +
                                              " does not exist; this cluster has " +
                                              RangeText("broker", s_.cluster.brokers));
      }
      if (std::find(ids.begin(), ids.end(), *id) != ids.end()) {
        return fail(IndexPath(p_path, i), "broker " + std::to_string(*id) +
                                              " is listed twice for partition " +
                                              std::to_string(p));
      }
      ids.push_back(static_cast<std::int32_t>(*id));
    }
    if (!topic.replica_assignment.empty() && ids.size() != topic.replica_assignment[0].size()) {
      return fail(p_path, "partition " + std::to_string(p) + " has " + std::to_string(ids.size()) +
                              " replicas but partition 0 has " +
                              std::to_string(topic.replica_assignment[0].size()) +
                              "; every partition has the same replication factor");
    }
    topic.replica_assignment.push_back(std::move(ids));
  }
}

void ScenarioParser::ParseClients(const Json& j, const std::string& path) {
  if (!j.is_array()) {
    r_.Error("E002", path, "expected an array of clients, got " + TypeWithArticle(j));
    return;
  }
  for (std::size_t i = 0; i < j.size(); ++i) ParseClient(j[i], IndexPath(path, i));
}

const std::vector<std::string_view>& ProducerKeys() {
  static const std::vector<std::string_view> keys = {"acks",
                                                     "rate_per_s",
                                                     "keys",
                                                     "messages",
                                                     "count",
                                                     "retries",
                                                     "delivery_timeout_ms",
                                                     "request_timeout_ms",
                                                     "linger_ms",
                                                     "metadata_max_age_ms",
                                                     "enable_idempotence",
                                                     "compression_type"};
  return keys;
}

const std::vector<std::string_view>& ConsumerKeys() {
  static const std::vector<std::string_view> keys = {
      "from_beginning",          "partitions",         "group",
      "group_protocol",          "assignor",           "enable_auto_commit",
      "auto_commit_interval_ms", "session_timeout_ms", "heartbeat_interval_ms",
      "max_poll_interval_ms",    "group_instance_id"};
  return keys;
}

bool ScenarioParser::CheckClientId(const Json& j, const std::string& path, Client& client) {
  bool ok = true;
  if (auto id = r_.String(j, path, "id", true)) {
    client.id = *id;
    bool legal = !id->empty();
    for (char c : *id) {
      legal = legal && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-');
    }
    if (!legal) {
      r_.Error("E018", path + ".id",
               "client id " + Quote(*id) + " may use only ASCII letters, digits, '.', '_' and '-'");
      ok = false;
    } else if (s_.FindNode(*id) != nullptr || s_.FindClient(*id) != nullptr) {
      r_.Error("E018", path + ".id",
               "the name " + Quote(*id) + " is already taken by " +
                   (s_.FindNode(*id) ? "a cluster node" : "another client"));
      ok = false;
    }
  } else {
    ok = false;
  }
  return ok;
}

void ScenarioParser::ParseClient(const Json& j, const std::string& path) {
  std::vector<std::string_view> allowed = {"id", "type", "topic", "start", "stop"};
  const bool is_object = j.is_object();
  const std::string type_text =
      is_object && j.contains("type") && j["type"].is_string() ? j["type"].get<std::string>() : "";
  const bool producer = type_text == "producer";
  const bool consumer = type_text == "consumer";
  // Keys of the other client type get a precise message instead of "unknown key".
  const auto& own = producer ? ProducerKeys() : ConsumerKeys();
  const auto& other = producer ? ConsumerKeys() : ProducerKeys();
  if (producer || consumer) allowed.insert(allowed.end(), own.begin(), own.end());
  if (is_object && (producer || consumer)) {
    for (std::string_view key : other) {
      if (j.contains(std::string(key))) allowed.push_back(key);
    }
  }
  if (!r_.Object(j, path, allowed)) return;
  if (producer || consumer) {
    for (std::string_view key : other) {
      if (!j.contains(std::string(key))) continue;
      r_.KeyError("E027", ChildPath(path, key),
                  Quote(key) + " applies to " + (producer ? "consumers" : "producers") +
                      " only; this client is a " + type_text);
    }
  }
  Client client;
  bool ok = CheckClientId(j, path, client);
  if (auto type = r_.String(j, path, "type", true)) {
    if (!producer && !consumer) {
      r_.Error("E008", path + ".type", "expected one of: producer, consumer; got " + Quote(*type));
      ok = false;
    }
    client.type = producer ? ClientType::kProducer : ClientType::kConsumer;
  } else {
    ok = false;
  }
  if (auto topic = r_.String(j, path, "topic", true)) {
    client.topic = *topic;
    if (s_.FindTopic(*topic) == nullptr && !s_.clusters.empty() &&
        topic->find('/') == std::string::npos) {
      r_.Error("E036", path + ".topic",
               "with several clusters, a client's topic names its cluster: CLUSTER/TOPIC such "
               "as " +
                   Quote(s_.clusters.front().name + "/" + *topic));
      ok = false;
    } else if (s_.FindTopic(*topic) == nullptr) {
      std::vector<std::string_view> names;
      for (const Topic& t : s_.topics) names.push_back(t.name);
      r_.Error("E016", path + ".topic",
               "unknown topic " + Quote(*topic) + "; topics in this scenario: " +
                   (names.empty() ? std::string("none") : JoinNames(names)));
      ok = false;
    }
  } else {
    ok = false;
  }
  if (auto start = r_.DurationMember(j, path, "start", false)) client.start = kTimeZero + *start;
  if (auto stop = r_.DurationMember(j, path, "stop", false)) {
    client.stop = kTimeZero + *stop;
    if (*client.stop <= client.start) {
      r_.Error(
          "E021", path + ".stop",
          "stop " + FormatTime(*client.stop) + " is not after start " + FormatTime(client.start));
    }
  }
  if (producer) ParseProducer(j, path, client);
  if (consumer && ok) ParseConsumer(j, path, client);
  if (ok) s_.clients.push_back(std::move(client));
}

void ScenarioParser::ParseProducer(const Json& j, const std::string& path, Client& client) {
  if (const Json* acks = r_.Member(j, path, "acks", false)) {
    const std::string text = acks->is_string() ? acks->get<std::string>() : acks->dump();
    if (text == "0") {
      client.acks = Acks::kZero;
    } else if (text == "1") {
      client.acks = Acks::kOne;
    } else if (text == "all" || text == "-1") {
      client.acks = Acks::kAll;
    } else {
      r_.Error("E008", path + ".acks",
               "expected one of: \"0\", \"1\", \"all\" (or \"-1\"); got " + acks->dump());
    }
  }
  if (auto rate = r_.Number(j, path, "rate_per_s", 0.001, 100000.0)) {
    client.rate_per_s = *rate;
    client.send_interval = Nanoseconds(std::max<std::int64_t>(1, std::llround(1e9 / *rate)));
  }
  if (auto keys = r_.StringArray(j, path, "keys")) client.keys = *keys;
  if (const Json* messages = r_.Member(j, path, "messages", false)) {
    ParseProducerMessages(*messages, path + ".messages", client);
  }
  if (auto count = r_.Integer(j, path, "count", 0, INT64_MAX, false)) {
    client.count = *count;
    if (!client.messages.empty() && *count > static_cast<std::int64_t>(client.messages.size())) {
      r_.Error("E007", path + ".count",
               "count " + std::to_string(*count) + " is more than the " +
                   std::to_string(client.messages.size()) + " messages given");
    }
  } else if (!client.messages.empty()) {
    client.count = static_cast<std::int64_t>(client.messages.size());
  }
  if (!client.keys.empty() && !client.messages.empty()) {
    r_.Error("E028", path + ".keys",
             "give either 'keys' (cycled over generated values) or 'messages', not both");
  }
  if (auto retries = r_.Integer(j, path, "retries", 0, INT32_MAX, false)) {
    client.retries = static_cast<std::int32_t>(*retries);
  }
  const auto millis = [&](std::string_view key, Duration& out) {
    if (auto ms = r_.Integer(j, path, key, 0, INT32_MAX, false)) out = Milliseconds(*ms);
  };
  millis("delivery_timeout_ms", client.delivery_timeout);
  millis("request_timeout_ms", client.request_timeout);
  millis("linger_ms", client.linger);
  millis("metadata_max_age_ms", client.metadata_max_age);
  // KafkaProducer: delivery.timeout.ms should be equal to or larger than linger.ms +
  // request.timeout.ms (a ConfigException when set explicitly).
  if (j.contains("delivery_timeout_ms") &&
      client.delivery_timeout < client.linger + client.request_timeout) {
    r_.Error("E028", path + ".delivery_timeout_ms",
             "delivery_timeout_ms " + std::to_string(client.delivery_timeout.Millis()) +
                 " must be at least linger_ms + request_timeout_ms (" +
                 std::to_string((client.linger + client.request_timeout).Millis()) + ")");
  }
  if (auto codec = r_.String(j, path, "compression_type", false)) {
    // The producer's compression.type (Kafka default "none"); "producer" and "uncompressed"
    // are topic values, not producer ones.
    if (*codec == "none" || *codec == "gzip" || *codec == "snappy" || *codec == "lz4" ||
        *codec == "zstd") {
      client.compression_type = *codec;
    } else {
      r_.Error("E008", path + ".compression_type",
               "expected one of: none, gzip, snappy, lz4, zstd; got " + Quote(*codec));
    }
  }
  const std::optional<bool> idempotence = r_.Bool(j, path, "enable_idempotence");
  // Kafka 3.2+: unset means on exactly when acks=all; set explicitly it must agree
  // (ProducerConfig: "Must set acks to all in order to use the idempotent producer").
  client.enable_idempotence = idempotence.value_or(client.acks == Acks::kAll);
  if (idempotence.value_or(false) && client.acks != Acks::kAll) {
    r_.Error("E028", path + ".enable_idempotence",
             "enable_idempotence true needs acks \"all\" (Kafka: \"Must set acks to all in order "
             "to use the idempotent producer\")");
  }
  if (idempotence.value_or(false) && client.retries == 0) {
    r_.Error("E028", path + ".enable_idempotence",
             "enable_idempotence true needs retries above 0 (Kafka: \"Must set retries to "
             "non-zero when using the idempotent producer\")");
  }
}

void ScenarioParser::ParseProducerMessages(const Json& j, const std::string& path, Client& client) {
  if (!j.is_array()) {
    r_.Error(
        "E002", path,
        "expected an array of strings or {\"key\", \"value\"} objects, got " + TypeWithArticle(j));
    return;
  }
  for (std::size_t i = 0; i < j.size(); ++i) {
    const Json& item = j[i];
    const std::string item_path = IndexPath(path, i);
    if (item.is_string()) {
      client.messages.push_back({std::nullopt, item.get<std::string>()});
      continue;
    }
    if (!item.is_object()) {
      r_.Error("E002", item_path,
               "expected a string or {\"key\", \"value\"}, got " + TypeWithArticle(item));
      continue;
    }
    if (!r_.Object(item, item_path, {"key", "value"})) continue;
    ProducerMessage message;
    if (const Json* key = r_.Member(item, item_path, "key", false); key && !key->is_null()) {
      if (key->is_string()) {
        message.key = key->get<std::string>();
      } else {
        r_.Error("E002", item_path + ".key",
                 "expected a string or null, got " + TypeWithArticle(*key));
      }
    }
    // "value": null is a tombstone (a delete marker for log compaction).
    const Json* value_member = r_.Member(item, item_path, "value", false);
    if (value_member == nullptr || !value_member->is_null()) {
      if (auto value = r_.String(item, item_path, "value", true)) message.value = *value;
    }
    client.messages.push_back(std::move(message));
  }
}

void ScenarioParser::ParseConsumer(const Json& j, const std::string& path, Client& client) {
  if (auto from_beginning = r_.Bool(j, path, "from_beginning")) {
    client.from_beginning = *from_beginning;
  }
  const Topic* topic = s_.FindTopic(client.topic);
  KSIM_ASSERT(topic != nullptr);
  if (const Json* partitions = r_.Member(j, path, "partitions", false)) {
    const std::string list_path = path + ".partitions";
    if (!partitions->is_array()) {
      r_.Error("E002", list_path,
               "expected an array of partition numbers, got " + TypeWithArticle(*partitions));
    } else {
      for (std::size_t i = 0; i < partitions->size(); ++i) {
        auto p = r_.IntegerValue((*partitions)[i], IndexPath(list_path, i), 0, INT32_MAX);
        if (!p) continue;
        if (*p >= topic->partitions) {
          r_.Error("E025", IndexPath(list_path, i),
                   "topic " + Quote(topic->name) + " has partitions 0.." +
                       std::to_string(topic->partitions - 1) + "; there is no partition " +
                       std::to_string(*p));
          continue;
        }
        client.partitions.push_back(static_cast<std::int32_t>(*p));
      }
    }
  }
  if (auto group = r_.String(j, path, "group", false)) {
    client.group = *group;
    if (group->empty()) r_.Error("E019", path + ".group", "a group id must not be empty");
    if (!client.partitions.empty()) {
      // KafkaConsumer: "Subscription to topics, partitions and pattern are mutually exclusive".
      r_.Error("E019", path + ".group",
               "a consumer either joins a group (subscribe) or lists 'partitions' (assign), not "
               "both");
    }
  }
  ParseGroupSettings(j, path, client);
}

void ScenarioParser::ParseGroupSettings(const Json& j, const std::string& path, Client& client) {
  static constexpr std::string_view kGroupOnly[] = {
      "group_protocol",          "assignor",           "enable_auto_commit",
      "auto_commit_interval_ms", "session_timeout_ms", "heartbeat_interval_ms",
      "max_poll_interval_ms",    "group_instance_id"};
  if (!client.group) {
    for (std::string_view key : kGroupOnly) {
      if (j.contains(std::string(key))) {
        r_.Error("E027", ChildPath(path, key),
                 std::string(key) + " applies to a consumer in a group; add 'group'");
      }
    }
    return;
  }
  if (auto protocol = r_.String(j, path, "group_protocol", false)) {
    if (*protocol == "consumer") {
      client.consumer_protocol = true;
    } else if (*protocol != "classic") {
      r_.Error("E008", path + ".group_protocol",
               "expected \"classic\" or \"consumer\", got " + Quote(*protocol));
    }
  }
  if (client.consumer_protocol) {
    // KIP-848: the coordinator assigns; the consumer names one of group.consumer.assignors,
    // and the classic client settings do not apply (Kafka rejects them with this protocol).
    if (auto assignor = r_.String(j, path, "assignor", false)) {
      if (kafka::ServerAssignorByName(*assignor)) {
        client.remote_assignor = *assignor;
      } else {
        r_.Error("E008", path + ".assignor",
                 "with group_protocol \"consumer\" expected \"uniform\" or \"range\", got " +
                     Quote(*assignor));
      }
    }
    using KeyAndConfig = std::pair<std::string_view, std::string_view>;
    constexpr std::array<KeyAndConfig, 2> kBrokerSide = {
        KeyAndConfig{"session_timeout_ms", "group.consumer.session.timeout.ms"},
        KeyAndConfig{"heartbeat_interval_ms", "group.consumer.heartbeat.interval.ms"}};
    for (const auto& [key, config] : kBrokerSide) {
      if (j.contains(std::string(key))) {
        r_.Error("E027", ChildPath(path, key),
                 std::string(key) + " is set by the broker with group_protocol \"consumer\" (" +
                     std::string(config) + "); remove it");
      }
    }
  } else if (auto assignor = r_.String(j, path, "assignor", false)) {
    if (auto kind = kafka::AssignorByName(*assignor)) {
      client.assignors = {*kind};
    } else {
      r_.Error("E008", path + ".assignor",
               "expected \"range\", \"roundrobin\", \"sticky\" or \"cooperative-sticky\", got " +
                   Quote(*assignor));
    }
  }
  if (auto v = r_.Bool(j, path, "enable_auto_commit")) client.enable_auto_commit = *v;
  if (auto v = r_.Integer(j, path, "auto_commit_interval_ms", 1, INT32_MAX, false)) {
    client.auto_commit_interval_ms = static_cast<std::int32_t>(*v);
  }
  // group.min.session.timeout.ms and group.max.session.timeout.ms bound it at the broker
  // (INVALID_SESSION_TIMEOUT); here only its type.
  if (auto v = r_.Integer(j, path, "session_timeout_ms", 1, INT32_MAX, false)) {
    client.session_timeout_ms = static_cast<std::int32_t>(*v);
  }
  if (auto v = r_.Integer(j, path, "heartbeat_interval_ms", 1, INT32_MAX, false)) {
    client.heartbeat_interval_ms = static_cast<std::int32_t>(*v);
  }
  if (auto v = r_.Integer(j, path, "max_poll_interval_ms", 1, INT32_MAX, false)) {
    client.max_poll_interval_ms = static_cast<std::int32_t>(*v);
  }
  if (client.heartbeat_interval_ms >= client.session_timeout_ms) {
    // ConsumerConfig/GroupRebalanceConfig: "heartbeat.interval.ms must be less than
    // session.timeout.ms".
    r_.Error("E019", path + ".heartbeat_interval_ms",
             "heartbeat_interval_ms (" + std::to_string(client.heartbeat_interval_ms) +
                 ") must be less than session_timeout_ms (" +
                 std::to_string(client.session_timeout_ms) + ")");
  }
  if (auto v = r_.String(j, path, "group_instance_id", false)) client.group_instance_id = *v;
}

}  // namespace

namespace {

const std::vector<std::string_view>& ActionKeys() {
  static const std::vector<std::string_view> keys = {
      "say",       "pause",   "crash",     "kill",     "restart", "shutdown",   "cut",
      "heal",      "isolate", "partition", "heal_all", "slow",    "run",        "expect",
      "disk_full", "disk_ok", "slow_disk", "corrupt",  "pick",    "cut_region", "heal_region"};
  return keys;
}

std::string DescribeKind(const NodeSpec& node) {
  switch (node.role) {
    case NodeRole::kBroker:
      return "a broker";
    case NodeRole::kController:
      return "a controller";
    case NodeRole::kCombined:
      return "a combined broker and controller";
    case NodeRole::kZooKeeper:
      return "a ZooKeeper server";
  }
  KSIM_UNREACHABLE();
}

std::string ScenarioParser::DescribeNodes() const {
  std::string out = RangeText("broker", s_.cluster.brokers);
  if (s_.cluster.controllers > 0) out += ", " + RangeText("controller", s_.cluster.controllers);
  if (s_.cluster.zookeepers > 0) out += ", " + RangeText("zk", s_.cluster.zookeepers);
  for (const Client& client : s_.clients) out += ", " + client.id;
  return out;
}

bool ScenarioParser::CheckNode(const std::string& path, const std::string& name, NodeKind kind) {
  if (!cluster_ok_) return true;  // the cluster's own errors come first
  const NodeSpec* node = s_.FindNode(name);
  const bool is_client = s_.FindClient(name) != nullptr;
  if (node == nullptr && !is_client) {
    r_.Error("E017", path, "unknown node " + Quote(name) + "; this cluster has " + DescribeNodes());
    return false;
  }
  if (kind == NodeKind::kAny) return true;
  if (node == nullptr) {
    r_.Error("E017", path, Quote(name) + " is a client; expected a broker or controller");
    return false;
  }
  if (kind == NodeKind::kBroker && node->role == NodeRole::kZooKeeper) {
    r_.Error("E017", path,
             Quote(name) + " is a ZooKeeper server; expected a broker (" +
                 RangeText("broker", s_.cluster.brokers) + ")");
    return false;
  }
  if (kind == NodeKind::kBroker && node->role == NodeRole::kController) {
    r_.Error("E017", path,
             Quote(name) + " is a controller; expected a broker (" +
                 RangeText("broker", s_.cluster.brokers) + ")");
    return false;
  }
  if (kind == NodeKind::kVoter && node->role == NodeRole::kBroker &&
      s_.cluster.mode != ClusterMode::kZookeeper) {
    r_.Error("E017", path,
             Quote(name) + " is " + DescribeKind(*node) +
                 ", not a controller quorum voter; voters are " +
                 RangeText("controller", s_.cluster.controllers));
    return false;
  }
  return true;
}

bool ScenarioParser::FitsKind(NodeKind have, NodeKind want) const {
  if (want == NodeKind::kAny || want == NodeKind::kClusterNode || have == want) return true;
  // In ZooKeeper mode the controller is one of the brokers.
  if (s_.cluster.mode == ClusterMode::kZookeeper &&
      (have == NodeKind::kBroker || have == NodeKind::kVoter) &&
      (want == NodeKind::kBroker || want == NodeKind::kVoter)) {
    return true;
  }
  // In combined mode every broker is a voter and every voter a broker.
  return s_.cluster.combined && (have == NodeKind::kBroker || have == NodeKind::kVoter);
}

namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool IsIdentifier(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  return std::all_of(name.begin(), name.end(), IsNameChar);
}

const char* KindNoun(NodeKind kind) {
  switch (kind) {
    case NodeKind::kBroker:
      return "a broker";
    case NodeKind::kVoter:
      return "a controller";
    case NodeKind::kZooKeeper:
      return "a ZooKeeper server";
    default:
      return "a node";
  }
}

}  // namespace

std::optional<NodeRef> ScenarioParser::NodeRefValue(const Json& j, const std::string& path,
                                                    NodeKind kind, bool allow_as) {
  NodeRef ref;
  if (j.is_string()) {
    const std::string text = j.get<std::string>();
    if (text.empty() || text[0] != '$') {
      if (!CheckNode(path, text, kind)) return std::nullopt;
      ref.name = text;
      return ref;
    }
    ref.kind = NodeRef::Kind::kVariable;
    ref.name = text.substr(1);
    const auto it = names_.find(ref.name);
    if (it == names_.end()) {
      std::vector<std::string_view> known;
      for (const auto& [name, info] : names_) known.push_back(name);
      std::string message = "no earlier step names a node " + Quote(text);
      const std::string close = ClosestName(ref.name, known);
      if (!close.empty()) {
        message += "; did you mean '$" + close + "'?";
      } else if (known.empty()) {
        message +=
            "; a step names the node it picks with \"as\", e.g. {\"crash\": "
            "{\"leader_of\": \"cities-0\", \"as\": \"old_leader\"}}";
      }
      r_.Error("E033", path, message);
      return std::nullopt;
    }
    if (!FitsKind(it->second.first, kind)) {
      r_.Error("E034", path,
               Quote(text) + " is " + KindNoun(it->second.first) + " (named at " +
                   it->second.second + "); expected " + KindNoun(kind));
      return std::nullopt;
    }
    return ref;
  }
  if (!j.is_object()) {
    r_.Error("E002", path,
             "expected a node: a name such as \"broker-1\", a name given earlier such as "
             "\"$old_leader\", or a role such as {\"leader_of\": \"cities-0\"}; got " +
                 TypeWithArticle(j));
    return std::nullopt;
  }
  static const std::vector<std::string_view> kRoles = {
      "leader_of",           "follower_of",      "preferred_replica_of", "active_controller",
      "follower_controller", "zookeeper_leader", "zookeeper_follower"};
  std::vector<std::string_view> allowed = kRoles;
  if (allow_as) allowed.push_back("as");
  if (!r_.Object(j, path, allowed)) return std::nullopt;
  std::vector<std::string_view> found;
  for (std::string_view role : kRoles) {
    if (j.contains(std::string(role))) found.push_back(role);
  }
  if (found.size() != 1) {
    r_.Error("E034", path,
             found.empty() ? "a node by role needs one of: " + JoinNames(kRoles)
                           : "a node by role has exactly one role; found " + JoinNames(found));
    return std::nullopt;
  }
  const std::string_view role = found[0];
  NodeKind have = NodeKind::kBroker;
  // With several clusters a quorum role names its cluster: {"active_controller": "us-east"}.
  const Cluster* cluster = &s_.cluster;
  const bool quorum_role = role == "zookeeper_leader" || role == "zookeeper_follower" ||
                           role == "active_controller" || role == "follower_controller";
  if (quorum_role && !s_.clusters.empty()) {
    const Json& value = j[std::string(role)];
    cluster = nullptr;
    for (const NamedCluster& c : s_.clusters) {
      if (value.is_string() && value.get<std::string>() == c.name) cluster = &c.cluster;
    }
    if (cluster == nullptr) {
      std::vector<std::string_view> names;
      for (const NamedCluster& c : s_.clusters) names.push_back(c.name);
      r_.Error("E036", ChildPath(path, role),
               "with several clusters, name the cluster whose quorum you mean (one of: " +
                   JoinNames(names) + "), e.g. {\"" + std::string(role) + "\": \"" +
                   std::string(names.front()) + "\"}; got " + value.dump());
      return std::nullopt;
    }
    ref.name = value.get<std::string>();
  } else if (quorum_role && j[std::string(role)] != Json(true)) {
    r_.Error("E008", ChildPath(path, role), "expected true, got " + j[std::string(role)].dump());
    return std::nullopt;
  }
  if (role == "zookeeper_leader" || role == "zookeeper_follower") {
    have = NodeKind::kZooKeeper;
    if (cluster->mode != ClusterMode::kZookeeper) {
      r_.Error("E027", ChildPath(path, role), "there is no ZooKeeper ensemble in mode \"kraft\"");
      return std::nullopt;
    }
    ref.kind = role == "zookeeper_leader" ? NodeRef::Kind::kZooKeeperLeader
                                          : NodeRef::Kind::kZooKeeperFollower;
  } else if (role == "active_controller" || role == "follower_controller") {
    have = NodeKind::kVoter;
    ref.kind = role == "active_controller" ? NodeRef::Kind::kActiveController
                                           : NodeRef::Kind::kFollowerController;
  } else {
    auto partition = PartitionRefValue(j, path, role);
    if (!partition) return std::nullopt;
    ref.partition = *partition;
    ref.kind = role == "leader_of"     ? NodeRef::Kind::kLeaderOf
               : role == "follower_of" ? NodeRef::Kind::kFollowerOf
                                       : NodeRef::Kind::kPreferredReplicaOf;
  }
  if (!FitsKind(have, kind)) {
    r_.Error("E034", path,
             "the " + ref.ToString() + " is " + KindNoun(have) + "; expected " + KindNoun(kind));
    return std::nullopt;
  }
  if (auto as = r_.String(j, path, "as", false)) {
    if (!IsIdentifier(*as)) {
      r_.Error(
          "E033", path + ".as",
          "expected a name of letters, digits and '_' such as \"old_leader\", got " + Quote(*as));
      return std::nullopt;
    }
    if (const auto it = names_.find(*as); it != names_.end()) {
      r_.Error("E033", path + ".as",
               "the name " + Quote("$" + *as) + " is already given at " + it->second.second);
      return std::nullopt;
    }
    ref.as = *as;
    names_[*as] = {have, path};
  }
  return ref;
}

std::optional<NodeRef> ScenarioParser::NodeRefMember(const Json& obj, const std::string& path,
                                                     std::string_view key, NodeKind kind,
                                                     bool allow_as) {
  const Json* value = r_.Member(obj, path, key, true);
  if (value == nullptr) return std::nullopt;
  return NodeRefValue(*value, ChildPath(path, key), kind, allow_as);
}

std::optional<std::vector<NodeRef>> ScenarioParser::NodeRefList(const Json& j,
                                                                const std::string& path,
                                                                NodeKind kind) {
  std::vector<NodeRef> out;
  if (!j.is_array()) {
    auto ref = NodeRefValue(j, path, kind, false);
    if (!ref) return std::nullopt;
    out.push_back(*ref);
    return out;
  }
  bool ok = true;
  for (std::size_t i = 0; i < j.size(); ++i) {
    auto ref = NodeRefValue(j[i], IndexPath(path, i), kind, false);
    if (ref) out.push_back(*ref);
    ok = ok && ref.has_value();
  }
  if (!ok) return std::nullopt;
  return out;
}

std::string ScenarioParser::StepNode(const NodeRef& ref) {
  step_nodes_.push_back(ref);
  if (ref.kind == NodeRef::Kind::kNamed) return ref.name;
  step_has_ref_ = true;
  return ref.ToString();
}

// "$name" in narration is replaced by the node when the step runs; an unknown name is a typo.
void ScenarioParser::CheckSayNames(const std::string& text, const std::string& path) {
  for (std::size_t i = text.find('$'); i != std::string::npos; i = text.find('$', i + 1)) {
    std::size_t end = i + 1;
    while (end < text.size() && IsNameChar(text[end])) ++end;
    if (end == i + 1) continue;  // "$" alone, "$5"
    const std::string name = text.substr(i + 1, end - i - 1);
    if (names_.count(name) == 0 && !(name[0] >= '0' && name[0] <= '9')) {
      r_.Error("E033", path, "no earlier step names a node " + Quote("$" + name));
    }
  }
}

void ScenarioParser::ParseSteps(const Json& j, const std::string& path) {
  if (!j.is_array()) {
    r_.Error("E002", path, "expected an array of steps, got " + TypeWithArticle(j));
    return;
  }
  Time previous = kTimeZero;
  for (std::size_t i = 0; i < j.size(); ++i) ParseStep(j[i], IndexPath(path, i), previous);
}

void ScenarioParser::ParseStep(const Json& j, const std::string& path, Time& previous) {
  std::vector<std::string_view> allowed = ActionKeys();
  allowed.insert(allowed.begin(), "at");
  allowed.insert(allowed.begin() + 1, "after");
  allowed.push_back("lines");
  allowed.push_back("prints");
  if (!r_.Object(j, path, allowed)) return;
  Step step;
  step.json_path = path;
  step.line = r_.LineOf(path);
  step.at = previous;
  if (auto after = r_.String(j, path, "after", false)) {
    if (*after != "topics_ready") {
      r_.Error("E008", path + ".after",
               "expected \"topics_ready\" (every declared topic has a leader for every "
               "partition), got " +
                   Quote(*after));
    } else if (s_.topics.empty()) {
      r_.Error("E016", path + ".after",
               "\"topics_ready\" needs topics; this scenario declares none");
    }
    step.after = StepCondition::kTopicsReady;
  }
  if (auto at = r_.DurationMember(j, path, "at", false)) {
    step.at = kTimeZero + *at;
    step.at_given = true;
    if (step.at < previous) {
      r_.Error("E021", path + ".at",
               "step time " + FormatTime(step.at) + " is before the previous step's " +
                   FormatTime(previous) + "; steps must be in time order");
    } else if (step.at > s_.end) {
      r_.Error("E021", path + ".at",
               "step time " + FormatTime(step.at) + " is after the scenario's end at " +
                   FormatTime(s_.end));
    }
    previous = std::max(previous, step.at);
  }
  std::vector<std::string_view> found;
  for (std::string_view key : ActionKeys()) {
    if (j.contains(std::string(key))) found.push_back(key);
  }
  if (found.size() != 1) {
    r_.Error("E020", path,
             found.empty() ? "a step needs one action; expected one of: " + JoinNames(ActionKeys())
                           : "a step has exactly one action; found " + JoinNames(found) +
                                 " (split them into separate steps; a step without 'at' runs "
                                 "at the previous step's time)");
    return;
  }
  if (j.contains("lines") && found[0] != "run") {
    r_.KeyError("E029", path + ".lines", "'lines' goes with a 'run' of kafka-console-producer.sh");
  }
  if (j.contains("prints") && found[0] != "run") {
    r_.KeyError("E029", path + ".prints", "'prints' goes with a 'run' step");
  }
  std::optional<StepAction> action;
  step_nodes_.clear();
  step_has_ref_ = false;
  if (found[0] == "expect") {
    if (auto expect = ParseExpect(j["expect"], path + ".expect", step.at)) action = *expect;
  } else if (found[0] == "run") {
    action = ParseRun(j, path);
  } else {
    action = ParseAction(j[std::string(found[0])], ChildPath(path, found[0]), found[0]);
  }
  if (!action) return;
  step.action = std::move(*action);
  if (step_has_ref_) step.nodes = std::move(step_nodes_);
  s_.steps.push_back(std::move(step));
}

std::optional<StepAction> ScenarioParser::ParseAction(const Json& j, const std::string& path,
                                                      std::string_view action) {
  if (action == "say") {
    if (!j.is_string() || j.get<std::string>().empty()) {
      r_.Error("E002", path, "expected the narration text, got " + j.dump());
      return std::nullopt;
    }
    CheckSayNames(j.get<std::string>(), path);
    return SayAction{j.get<std::string>()};
  }
  if (action == "pause" || action == "heal_all") {
    if (j != Json(true)) {
      r_.Error("E008", path, "expected true, got " + j.dump());
      return std::nullopt;
    }
    if (action == "pause") return PauseAction{};
    return HealAllCommand{};
  }
  if (action == "pick") {
    if (!j.is_object() || !j.contains("as")) {
      r_.Error("E034", path,
               "pick names a node by role for later steps: expected a role with \"as\", e.g. "
               "{\"leader_of\": \"cities-0\", \"as\": \"victim\"}");
      return std::nullopt;
    }
    auto ref = NodeRefValue(j, path, NodeKind::kAny, true);
    if (!ref) return std::nullopt;
    StepNode(*ref);
    return PickAction{};
  }
  if (action == "crash" || action == "kill" || action == "restart" || action == "shutdown" ||
      action == "isolate" || action == "disk_full" || action == "disk_ok") {
    // A controlled shutdown moves a broker's leaderships away; other nodes can only crash.
    const NodeKind kind = action == "shutdown" ? NodeKind::kBroker : NodeKind::kAny;
    auto ref = NodeRefValue(j, path, kind, true);
    if (!ref) return std::nullopt;
    const std::string node = StepNode(*ref);
    if (action == "crash") return CrashCommand{node};
    if (action == "kill") return KillCommand{node};
    if (action == "restart") return RestartCommand{node};
    if (action == "shutdown") return ShutdownCommand{node};
    if (action == "disk_full") return DiskFullCommand{node};
    if (action == "disk_ok") return DiskOkCommand{node};
    return IsolateCommand{node};
  }
  if (action == "partition") return ParsePartitionAction(j, path);
  if (action == "cut_region" || action == "heal_region") {
    // "us-east" (from every other cluster) or ["us-east", "eu-west"].
    std::vector<std::string> names;
    if (j.is_string()) {
      names.push_back(j.get<std::string>());
    } else if (j.is_array() && j.size() == 2 && j[0].is_string() && j[1].is_string()) {
      names = {j[0].get<std::string>(), j[1].get<std::string>()};
    } else {
      r_.Error("E002", path,
               "expected a cluster name such as \"us-east\" (cut from every other cluster) or "
               "two such as [\"us-east\", \"eu-west\"]; got " +
                   j.dump());
      return std::nullopt;
    }
    if (s_.clusters.empty()) {
      r_.Error("E036", path,
               std::string(action) + " needs a scenario with \"clusters\"; this one has one");
      return std::nullopt;
    }
    std::vector<std::string_view> known;
    for (const NamedCluster& c : s_.clusters) known.push_back(c.name);
    for (const std::string& name : names) {
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        r_.Error("E036", path,
                 "no cluster " + Quote(name) + "; the clusters are " + JoinNames(known));
        return std::nullopt;
      }
    }
    if (names.size() == 2 && names[0] == names[1]) {
      r_.Error("E036", path, "a cluster cannot be cut from itself");
      return std::nullopt;
    }
    return RegionCommand{names[0], names.size() == 2 ? names[1] : "", action == "heal_region"};
  }
  return ParseLinkAction(j, path, action);
}

std::optional<StepAction> ScenarioParser::ParseLinkAction(const Json& j, const std::string& path,
                                                          std::string_view action) {
  if (action == "slow_disk") {
    if (!r_.Object(j, path, {"node", "ms"})) return std::nullopt;
    SlowDiskCommand slow;
    auto ref = NodeRefMember(j, path, "node", NodeKind::kAny, true);
    const bool node_ok = ref.has_value();
    if (ref) slow.node = StepNode(*ref);
    auto latency = r_.DurationMember(j, path, "ms", true);
    if (!node_ok || !latency) return std::nullopt;
    slow.sync_latency = *latency;
    return slow;
  }
  if (action == "corrupt") {
    if (!r_.Object(j, path, {"node", "path", "offset"})) return std::nullopt;
    CorruptCommand corrupt;
    auto ref = NodeRefMember(j, path, "node", NodeKind::kAny, true);
    const bool node_ok = ref.has_value();
    if (ref) corrupt.node = StepNode(*ref);
    auto file = r_.String(j, path, "path", true);
    if (!node_ok || !file) return std::nullopt;
    corrupt.path = *file;
    if (const Json* offset = r_.Member(j, path, "offset", false)) {
      auto n = r_.IntegerValue(*offset, path + ".offset", 0, INT64_MAX);
      if (!n) return std::nullopt;
      corrupt.offset = static_cast<std::uint64_t>(*n);
    }
    return corrupt;
  }
  if (action == "slow") {
    if (!r_.Object(j, path, {"node", "ms"})) return std::nullopt;
    SlowCommand slow;
    auto ref = NodeRefMember(j, path, "node", NodeKind::kAny, true);
    const bool node_ok = ref.has_value();
    if (ref) slow.node = StepNode(*ref);
    auto extra = r_.DurationMember(j, path, "ms", true);
    if (!node_ok || !extra) return std::nullopt;
    slow.extra = *extra;
    return slow;
  }
  // cut / heal
  if (!r_.Object(j, path, {"from", "to", "both"})) return std::nullopt;
  std::string from;
  std::string to;
  auto from_ref = NodeRefMember(j, path, "from", NodeKind::kAny, true);
  if (from_ref) from = StepNode(*from_ref);
  auto to_ref = NodeRefMember(j, path, "to", NodeKind::kAny, true);
  if (to_ref) to = StepNode(*to_ref);
  const bool both = r_.Bool(j, path, "both").value_or(false);
  if (!from_ref || !to_ref) return std::nullopt;
  if (from == to && !step_has_ref_) {
    r_.Error("E017", path + ".to", "'from' and 'to' are both " + Quote(from));
    return std::nullopt;
  }
  if (action == "cut") return CutCommand{from, to, both};
  return HealCommand{from, to, both};
}

std::optional<StepAction> ScenarioParser::ParsePartitionAction(const Json& j,
                                                               const std::string& path) {
  if (!j.is_array() || j.size() < 2) {
    r_.Error("E002", path,
             "expected two or more groups of node names, such as "
             "[[\"broker-1\"], [\"broker-2\", \"broker-3\"]]; got " +
                 j.dump());
    return std::nullopt;
  }
  PartitionAction partition;
  std::map<std::string, std::string> group_of;  // node -> path where it was placed
  bool ok = true;
  for (std::size_t g = 0; g < j.size(); ++g) {
    const std::string group_path = IndexPath(path, g);
    if (!j[g].is_array() || j[g].empty()) {
      r_.Error("E002", group_path, "expected a non-empty array of node names, got " + j[g].dump());
      ok = false;
      continue;
    }
    std::vector<std::string> group;
    for (std::size_t k = 0; k < j[g].size(); ++k) {
      const std::string node_path = IndexPath(group_path, k);
      const Json& item = j[g][k];
      if (!item.is_string()) {
        r_.Error("E002", node_path, "expected a node name, got " + TypeWithArticle(item));
        ok = false;
        continue;
      }
      const std::string node = item.get<std::string>();
      if (!CheckNode(node_path, node, NodeKind::kAny)) {
        ok = false;
        continue;
      }
      if (auto [it, inserted] = group_of.emplace(node, group_path); !inserted) {
        r_.Error("E030", node_path, Quote(node) + " is already in group " + it->second);
        ok = false;
        continue;
      }
      group.push_back(node);
    }
    partition.groups.push_back(std::move(group));
  }
  if (!ok) return std::nullopt;
  return partition;
}

std::optional<StepAction> ScenarioParser::ParseRun(const Json& step, const std::string& path) {
  auto text = r_.String(step, path, "run", true);
  if (!text) return std::nullopt;
  auto parsed = ParseToolCommand(*text);
  if (!parsed.ok()) {
    r_.Error("E022", path + ".run", parsed.status().message());
    return std::nullopt;
  }
  bool ok = true;
  for (const std::string& node : NodesNamed(*parsed)) {
    ok = CheckNode(path + ".run", node, NodeKind::kAny) && ok;
  }
  if (std::holds_alternative<ShutdownCommand>(*parsed)) {
    ok = CheckNode(path + ".run", std::get<ShutdownCommand>(*parsed).node, NodeKind::kBroker) && ok;
  }
  if (auto lines = r_.StringArray(step, path, "lines")) {
    auto* producer = std::get_if<ConsoleProducerCommand>(&*parsed);
    if (producer == nullptr) {
      r_.KeyError("E029", path + ".lines",
                  "'lines' goes with a 'run' of kafka-console-producer.sh, not " +
                      std::string(ToolName(*parsed)));
      ok = false;
    } else if (!producer->lines.empty()) {
      r_.KeyError("E029", path + ".lines",
                  "the lines are given twice: after '<<<' in 'run' and in 'lines'");
      ok = false;
    } else {
      producer->lines = *lines;
    }
  }
  std::vector<std::string> prints;
  if (step.contains("prints")) {
    if (auto lines = r_.StringArray(step, path, "prints")) {
      prints = *lines;
      if (std::holds_alternative<ConsoleConsumerCommand>(*parsed) ||
          std::holds_alternative<ConsoleProducerCommand>(*parsed)) {
        r_.KeyError("E029", path + ".prints",
                    "'prints' checks what a command answers; a console client's records are "
                    "checked with the 'consumed' and 'acked' expectations");
        ok = false;
      }
    } else {
      ok = false;
    }
  }
  if (std::holds_alternative<ConsoleConsumerCommand>(*parsed)) ++console_consumers_;
  if (std::holds_alternative<ConsoleProducerCommand>(*parsed)) ++console_producers_;
  if (!ok) return std::nullopt;
  return RunAction{*text, std::move(*parsed), std::move(prints)};
}

// A probe name must be one the code counts (kafka/probes.h): a typo would otherwise pass
// validate and fail only at the end of the run as "never hit".
bool ScenarioParser::CheckProbeName(const std::string& name, const std::string& path) {
  if (kafka::IsKnownProbe(name)) return true;
  std::vector<std::string_view> names;
  for (const kafka::ProbeInfo& p : kafka::KnownProbes()) names.push_back(p.name);
  const std::string guess = ClosestName(name, names);
  r_.Error("E008", path,
           "unknown probe " + Quote(name) +
               (guess.empty() ? "; the probes are listed in sim/kafka/probes.cc"
                              : "; did you mean " + Quote(guess) + "?"));
  return false;
}

// "inputs": [{"at": "6000000001ns", "run": "crash broker-2"}, ...], what File > Save session as
// scenario writes. Each command must parse; its nodes are not checked, as the live session
// ran it as typed (an unknown node was its "command.error" then, and is again).
void ScenarioParser::ParseInputs(const Json& j, const std::string& path) {
  if (!j.is_array()) {
    r_.Error("E002", path,
             "expected an array of {\"at\", \"run\"} inputs, got " + TypeWithArticle(j));
    return;
  }
  Time previous = kTimeZero;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const std::string item = IndexPath(path, i);
    if (!r_.Object(j[i], item, {"at", "run"})) continue;
    const auto at = r_.DurationMember(j[i], item, "at", true);
    const auto text = r_.String(j[i], item, "run", true);
    if (!at || !text) continue;
    const Time t = kTimeZero + *at;
    if (t < previous) {
      r_.Error("E021", item + ".at",
               "input time " + FormatTime(t) + " is before the previous input's " +
                   FormatTime(previous) + "; inputs must be in time order");
      continue;
    }
    previous = t;
    if (auto parsed = ParseToolCommand(*text); !parsed.ok()) {
      r_.Error("E022", item + ".run", parsed.status().message());
      continue;
    }
    s_.inputs.push_back(SessionInput{t, *text});
  }
}

void ScenarioParser::ParseProbes(const Json& j, const std::string& path) {
  if (!j.is_array()) {
    r_.Error("E002", path, "expected an array of probe names, got " + TypeWithArticle(j));
    return;
  }
  for (std::size_t i = 0; i < j.size(); ++i) {
    const Json& item = j[i];
    if (!item.is_string() || item.get<std::string>().empty()) {
      r_.Error("E002", IndexPath(path, i),
               "expected a probe name such as \"isr.shrink\", got " + item.dump());
      continue;
    }
    const std::string name = item.get<std::string>();
    if (!CheckProbeName(name, IndexPath(path, i))) continue;
    if (std::find(s_.probes.begin(), s_.probes.end(), name) != s_.probes.end()) {
      r_.Error("E005", IndexPath(path, i), "probe " + Quote(name) + " is listed twice");
      continue;
    }
    s_.probes.push_back(name);
  }
}

}  // namespace

namespace {

const std::vector<std::string_view>& ConditionKeys() {
  static const std::vector<std::string_view> keys = {"leader_of",
                                                     "isr_of",
                                                     "active_controller",
                                                     "produce_error",
                                                     "consumed",
                                                     "acked",
                                                     "node_state",
                                                     "lost_acked",
                                                     "log_start_offset",
                                                     "first_consumed_offset",
                                                     "key_in_partition",
                                                     "probe",
                                                     "group",
                                                     "records_in_log",
                                                     "mirror",
                                                     "topics",
                                                     "topic_config"};
  return keys;
}

// Kafka error names a producer can see (Errors.java), the ones kafkasim's Errc knows.
const std::vector<Errc>& WireErrors() {
  static const std::vector<Errc> errors = {
      Errc::kUnknownServerError,       Errc::kOffsetOutOfRange,
      Errc::kCorruptMessage,           Errc::kUnknownTopicOrPartition,
      Errc::kInvalidFetchSize,         Errc::kLeaderNotAvailable,
      Errc::kNotLeaderOrFollower,      Errc::kRequestTimedOut,
      Errc::kBrokerNotAvailable,       Errc::kReplicaNotAvailable,
      Errc::kMessageTooLarge,          Errc::kStaleControllerEpoch,
      Errc::kNetworkException,         Errc::kCoordinatorLoadInProgress,
      Errc::kCoordinatorNotAvailable,  Errc::kNotCoordinator,
      Errc::kInvalidTopicException,    Errc::kRecordListTooLarge,
      Errc::kNotEnoughReplicas,        Errc::kNotEnoughReplicasAfterAppend,
      Errc::kInvalidRequiredAcks,      Errc::kIllegalGeneration,
      Errc::kUnknownMemberId,          Errc::kRebalanceInProgress,
      Errc::kTopicAlreadyExists,       Errc::kInvalidPartitions,
      Errc::kInvalidReplicationFactor, Errc::kNotController,
      Errc::kInvalidRequest,           Errc::kOutOfOrderSequenceNumber,
      Errc::kDuplicateSequenceNumber,  Errc::kInvalidProducerEpoch,
      Errc::kKafkaStorageError,        Errc::kFencedLeaderEpoch,
      Errc::kUnknownLeaderEpoch,       Errc::kPreferredLeaderNotAvailable,
      Errc::kElectionNotNeeded,        Errc::kUnsupportedCompressionType,
      Errc::kInconsistentVoterSet,
  };
  return errors;
}

std::optional<Expect> ScenarioParser::ParseExpect(const Json& j, const std::string& path,
                                                  Time step_time) {
  std::vector<std::string_view> allowed = {"at", "within", "because"};
  allowed.insert(allowed.end(), ConditionKeys().begin(), ConditionKeys().end());
  for (std::string_view k : {"is", "not", "none", "equals", "excludes", "includes"}) {
    allowed.push_back(k);
  }
  if (!r_.Object(j, path, allowed)) return std::nullopt;
  Expect expect;
  const std::size_t errors_before = r_.error_count();
  if (j.contains("at") && j.contains("within")) {
    r_.Error("E023", path,
             "give 'at' (holds at that moment) or 'within' (holds by then), not "
             "both");
  } else if (auto within = r_.DurationMember(j, path, "within", false)) {
    expect.timing = Expect::Timing::kWithin;
    expect.delay = *within;
  } else if (auto at = r_.DurationMember(j, path, "at", false)) {
    expect.delay = *at;
  }
  if (step_time + expect.delay > s_.end) {
    r_.Error("E021", path + (expect.timing == Expect::Timing::kWithin ? ".within" : ".at"),
             "the expectation is checked until " + FormatTime(step_time + expect.delay) +
                 ", after the scenario's end at " + FormatTime(s_.end));
  }
  if (auto because = r_.String(j, path, "because", false)) {
    CheckSayNames(*because, path + ".because");
    expect.because = *because;
  }
  std::vector<std::string_view> found;
  for (std::string_view key : ConditionKeys()) {
    if (j.contains(std::string(key))) found.push_back(key);
  }
  if (found.size() != 1) {
    r_.Error("E023", path,
             found.empty() ? "an expectation needs one condition; expected one of: " +
                                 JoinNames(ConditionKeys())
                           : "an expectation has exactly one condition; found " + JoinNames(found) +
                                 " (use one expect step for each)");
    return std::nullopt;
  }
  // Companion keys belong to one condition each.
  const std::pair<std::string_view, std::vector<std::string_view>> companions[] = {
      {"is", {"leader_of", "active_controller"}},
      {"not", {"leader_of", "active_controller"}},
      {"none", {"leader_of", "active_controller"}},
      {"equals", {"isr_of"}},
      {"excludes", {"isr_of"}},
      {"includes", {"isr_of"}}};
  for (const auto& [key, owners] : companions) {
    if (!j.contains(std::string(key))) continue;
    if (std::find(owners.begin(), owners.end(), found[0]) == owners.end()) {
      r_.KeyError(
          "E027", ChildPath(path, key),
          Quote(key) + " goes with " + JoinNames(owners) + ", not " + std::string(found[0]));
    }
  }
  auto condition = ParseCondition(j, path, found[0]);
  if (!condition || r_.error_count() != errors_before) return std::nullopt;
  expect.condition = std::move(*condition);
  return expect;
}

std::optional<ExpectCondition> ScenarioParser::ParseCondition(const Json& j,
                                                              const std::string& path,
                                                              std::string_view kind) {
  if (kind == "leader_of") return ParseLeaderOf(j, path);
  if (kind == "isr_of") return ParseIsrOf(j, path);
  if (kind == "active_controller") return ParseActiveController(j, path);
  if (kind == "produce_error") return ParseProduceError(j, path);
  if (kind == "node_state") return ParseNodeState(j, path);
  if (kind == "lost_acked") return ParseLostAcked(j, path);
  if (kind == "log_start_offset") return ParseLogStartOffset(j, path);
  if (kind == "records_in_log") return ParseRecordsInLog(j, path);
  if (kind == "mirror") return ParseMirror(j, path);
  if (kind == "topics") return ParseTopicsExpect(j, path);
  if (kind == "topic_config") return ParseTopicConfigExpect(j, path);
  if (kind == "first_consumed_offset") return ParseFirstConsumedOffset(j, path);
  if (kind == "key_in_partition") return ParseKeyInPartition(j, path);
  if (kind == "group") return ParseGroup(j, path);
  if (kind == "probe") {
    const Json& value = j["probe"];
    if (!value.is_string() || value.get<std::string>().empty()) {
      r_.Error("E002", path + ".probe",
               "expected a probe name such as \"leader.election.clean\", got " + value.dump());
      return std::nullopt;
    }
    if (!CheckProbeName(value.get<std::string>(), path + ".probe")) return std::nullopt;
    return ProbeExpect{value.get<std::string>()};
  }
  return ParseClientCount(j, path, kind);
}

std::optional<PartitionRef> ScenarioParser::PartitionRefValue(const Json& obj,
                                                              const std::string& path,
                                                              std::string_view key) {
  auto text = r_.String(obj, path, key, true);
  if (!text) return std::nullopt;
  const std::string ref_path = ChildPath(path, key);
  const std::size_t dash = text->rfind('-');
  PartitionRef ref;
  bool ok = dash != std::string::npos && dash > 0 && dash + 1 < text->size();
  if (ok) {
    ref.topic = text->substr(0, dash);
    const std::string digits = text->substr(dash + 1);
    const auto [ptr, ec] =
        std::from_chars(digits.data(), digits.data() + digits.size(), ref.partition);
    ok = ec == std::errc() && ptr == digits.data() + digits.size() && ref.partition >= 0;
  }
  if (!ok) {
    r_.Error("E025", ref_path,
             "expected TOPIC-PARTITION such as \"cities-0\", got " + Quote(*text));
    return std::nullopt;
  }
  const Topic* topic = s_.FindTopic(ref.topic);
  // __consumer_offsets is created on first use (FindCoordinator) with
  // offsets.topic.num.partitions partitions: roles may name its partitions.
  Topic offsets_topic;
  if (topic == nullptr && ref.topic == "__consumer_offsets") {
    offsets_topic.name = ref.topic;
    offsets_topic.partitions =
        static_cast<std::int32_t>(s_.cluster.broker_config.GetLong("offsets.topic.num.partitions"));
    topic = &offsets_topic;
  }
  if (topic == nullptr && !s_.clusters.empty() && ref.topic.find('/') == std::string::npos) {
    r_.Error("E036", ref_path,
             "with several clusters, a partition names its cluster: CLUSTER/TOPIC-PARTITION "
             "such as " +
                 Quote(s_.clusters.front().name + "/" + *text));
    return std::nullopt;
  }
  if (topic == nullptr) {
    r_.Error("E016", ref_path, "unknown topic " + Quote(ref.topic) + " in " + Quote(*text));
    return std::nullopt;
  }
  if (ref.partition >= topic->partitions) {
    r_.Error("E025", ref_path,
             "topic " + Quote(topic->name) + " has partitions 0.." +
                 std::to_string(topic->partitions - 1) + "; there is no partition " +
                 std::to_string(ref.partition));
    return std::nullopt;
  }
  return ref;
}

std::optional<ExpectCondition> ScenarioParser::ParseLeaderOf(const Json& j,
                                                             const std::string& path) {
  LeaderOfExpect leader;
  auto ref = PartitionRefValue(j, path, "leader_of");
  const int relations = static_cast<int>(j.contains("is")) + static_cast<int>(j.contains("not")) +
                        static_cast<int>(j.contains("none"));
  if (relations != 1) {
    r_.Error("E023", path, "leader_of needs exactly one of: is NODE, not NODE, none true");
    return std::nullopt;
  }
  if (j.contains("none")) {
    if (j["none"] != Json(true)) {
      r_.Error("E008", path + ".none", "expected true, got " + j["none"].dump());
      return std::nullopt;
    }
    leader.relation = LeaderOfExpect::Relation::kNone;
  } else {
    const std::string key = j.contains("is") ? "is" : "not";
    leader.relation = key == "is" ? LeaderOfExpect::Relation::kIs : LeaderOfExpect::Relation::kNot;
    auto node = NodeRefMember(j, path, key, NodeKind::kBroker, false);
    if (!node) return std::nullopt;
    leader.node = *node;
  }
  if (!ref) return std::nullopt;
  leader.partition = *ref;
  return leader;
}

std::optional<ExpectCondition> ScenarioParser::ParseIsrOf(const Json& j, const std::string& path) {
  IsrOfExpect isr;
  auto ref = PartitionRefValue(j, path, "isr_of");
  if (!j.contains("equals") && !j.contains("excludes") && !j.contains("includes")) {
    r_.Error("E023", path,
             "isr_of needs 'equals' (broker ids, names, or \"all_replicas\"), 'excludes' or "
             "'includes'");
    return std::nullopt;
  }
  bool ok = true;
  if (const Json* equals = r_.Member(j, path, "equals", false)) {
    isr.has_equals = true;
    if (*equals == Json("all_replicas")) {
      isr.all_replicas = true;
    } else if (!equals->is_array()) {
      r_.Error("E002", path + ".equals",
               "expected an array of brokers such as [1, 2, 3] or [\"$old_leader\"], or "
               "\"all_replicas\"; got " +
                   TypeWithArticle(*equals));
      return std::nullopt;
    } else {
      for (std::size_t i = 0; i < equals->size(); ++i) {
        const std::string item_path = IndexPath(path + ".equals", i);
        if (!(*equals)[i].is_number()) {
          auto node = NodeRefValue((*equals)[i], item_path, NodeKind::kBroker, false);
          if (node) isr.equals_refs.push_back(*node);
          ok = ok && node.has_value();
          continue;
        }
        auto id = r_.IntegerValue((*equals)[i], item_path, 0, INT32_MAX);
        if (!id) {
          ok = false;
          continue;
        }
        if (cluster_ok_ && (*id < 1 || *id > s_.cluster.brokers)) {
          r_.Error("E031", item_path,
                   "the ISR holds broker ids (1.." + std::to_string(s_.cluster.brokers) + "); " +
                       std::to_string(*id) + " is not one");
          ok = false;
          continue;
        }
        isr.equals.push_back(static_cast<std::int32_t>(*id));
      }
      std::sort(isr.equals.begin(), isr.equals.end());
      if (std::adjacent_find(isr.equals.begin(), isr.equals.end()) != isr.equals.end()) {
        r_.Error("E031", path + ".equals", "a broker id is listed twice");
        ok = false;
      }
    }
  }
  for (const char* key : {"excludes", "includes"}) {
    const Json* value = r_.Member(j, path, key, false);
    if (value == nullptr) continue;
    auto refs = NodeRefList(*value, ChildPath(path, key), NodeKind::kBroker);
    if (!refs) {
      ok = false;
      continue;
    }
    (std::string_view(key) == "excludes" ? isr.excludes : isr.includes) = std::move(*refs);
  }
  if (!ok || !ref) return std::nullopt;
  isr.partition = *ref;
  return isr;
}

std::optional<ExpectCondition> ScenarioParser::ParseActiveController(const Json& j,
                                                                     const std::string& path) {
  ActiveControllerExpect controller;
  // "active_controller": "controller-1" is shorthand for "is".
  const Json& value = j["active_controller"];
  if (value.is_string()) {
    if (j.contains("is") || j.contains("not") || j.contains("none")) {
      r_.Error("E023", path,
               "give the node either as active_controller's value or with "
               "'is'/'not'/'none', not both");
      return std::nullopt;
    }
    auto node = NodeRefValue(value, path + ".active_controller", NodeKind::kVoter, false);
    if (!node) return std::nullopt;
    controller.node = *node;
    return controller;
  }
  if (value != Json(true)) {
    r_.Error(
        "E002", path + ".active_controller",
        "expected a node name, or true together with 'is', 'not' or 'none'; got " + value.dump());
    return std::nullopt;
  }
  const int relations = static_cast<int>(j.contains("is")) + static_cast<int>(j.contains("not")) +
                        static_cast<int>(j.contains("none"));
  if (relations != 1) {
    r_.Error("E023", path, "active_controller needs exactly one of: is NODE, not NODE, none true");
    return std::nullopt;
  }
  if (j.contains("none")) {
    // No voter leads the quorum: the controller quorum has lost its majority.
    if (j["none"] != Json(true)) {
      r_.Error("E008", path + ".none", "expected true, got " + j["none"].dump());
      return std::nullopt;
    }
    controller.none = true;
    return controller;
  }
  controller.negated = j.contains("not");
  auto node = NodeRefMember(j, path, controller.negated ? "not" : "is", NodeKind::kVoter, false);
  if (!node) return std::nullopt;
  controller.node = *node;
  return controller;
}

const Client* ScenarioParser::ClientOfType(const Json& obj, const std::string& path,
                                           ClientType type, std::string_view key) {
  auto id = r_.String(obj, path, key, true);
  if (!id) return nullptr;
  const Client* client = s_.FindClient(*id);
  const char* const wanted = type == ClientType::kProducer ? "producer" : "consumer";
  if (client == nullptr) {
    std::vector<std::string_view> ids;
    for (const Client& c : s_.clients) ids.push_back(c.id);
    r_.Error("E017", ChildPath(path, key),
             "unknown client " + Quote(*id) +
                 "; clients: " + (ids.empty() ? std::string("none") : JoinNames(ids)));
    return nullptr;
  }
  if (client->type != type) {
    r_.Error("E017", ChildPath(path, key), Quote(*id) + " is not a " + std::string(wanted));
    return nullptr;
  }
  return client;
}

std::optional<ExpectCondition> ScenarioParser::ParseProduceError(const Json& j,
                                                                 const std::string& path) {
  const std::string sub = path + ".produce_error";
  const Json& value = j["produce_error"];
  if (!r_.Object(value, sub, {"client", "error", "partition"})) return std::nullopt;
  const Client* client = ClientOfType(value, sub, ClientType::kProducer);
  auto name = r_.String(value, sub, "error", true);
  std::optional<PartitionRef> partition;
  if (value.contains("partition")) {
    partition = PartitionRefValue(value, sub, "partition");
    if (!partition) return std::nullopt;
  }
  if (!name) return std::nullopt;
  std::vector<std::string_view> names;
  for (Errc e : WireErrors()) {
    if (ErrcName(e) == *name && client != nullptr) {
      return ProduceErrorExpect{client->id, e, partition};
    }
    names.push_back(ErrcName(e));
  }
  if (client == nullptr) return std::nullopt;
  std::string message = "unknown Kafka error " + Quote(*name);
  const std::string guess = ClosestName(*name, names);
  message +=
      guess.empty() ? "; known: " + JoinNames(names) : "; did you mean " + Quote(guess) + "?";
  r_.Error("E024", sub + ".error", message);
  return std::nullopt;
}

std::optional<ExpectCondition> ScenarioParser::ParseClientCount(const Json& j,
                                                                const std::string& path,
                                                                std::string_view kind) {
  const std::string sub = ChildPath(path, kind);
  const Json& value = j[std::string(kind)];
  if (!r_.Object(value, sub, {"client", "at_least", "at_most"})) return std::nullopt;
  const ClientType type = kind == "acked" ? ClientType::kProducer : ClientType::kConsumer;
  // A console client an earlier `run` step starts ("console-consumer-2") or a declared one.
  std::optional<std::string> id;
  if (value.contains("client") && value["client"].is_string()) {
    const std::string named = value["client"].get<std::string>();
    const std::string prefix =
        type == ClientType::kProducer ? "console-producer-" : "console-consumer-";
    const int started = type == ClientType::kProducer ? console_producers_ : console_consumers_;
    for (int n = 1; n <= started; ++n) {
      if (named == prefix + std::to_string(n)) id = named;
    }
  }
  if (!id) {
    const Client* client = ClientOfType(value, sub, type);
    if (client != nullptr) id = client->id;
  }
  auto at_least = r_.Integer(value, sub, "at_least", 0, INT64_MAX, true);
  std::optional<std::int64_t> at_most;
  if (value.contains("at_most")) {
    at_most = r_.Integer(value, sub, "at_most", 0, INT64_MAX, true);
    if (!at_most) return std::nullopt;
  }
  if (!id || !at_least) return std::nullopt;
  if (kind == "acked") return AckedExpect{*id, *at_least, at_most};
  return ConsumedExpect{*id, *at_least, at_most};
}

std::optional<ExpectCondition> ScenarioParser::ParseNodeState(const Json& j,
                                                              const std::string& path) {
  const std::string sub = path + ".node_state";
  const Json& value = j["node_state"];
  if (!r_.Object(value, sub, {"node", "is"})) return std::nullopt;
  NodeStateExpect state;
  auto node = NodeRefMember(value, sub, "node", NodeKind::kAny, false);
  const bool node_ok = node.has_value();
  if (node) state.node = *node;
  auto is = r_.String(value, sub, "is", true);
  if (!is) return std::nullopt;
  if (*is != "running" && *is != "crashed" && *is != "killed" && *is != "stopped" &&
      *is != "down") {
    r_.Error("E008", sub + ".is",
             "expected one of: running, crashed, killed, stopped, down; got " + Quote(*is));
    return std::nullopt;
  }
  state.is = *is;
  if (!node_ok) return std::nullopt;
  return state;
}

std::optional<ExpectCondition> ScenarioParser::ParseLostAcked(const Json& j,
                                                              const std::string& path) {
  const std::string sub = path + ".lost_acked";
  const Json& value = j["lost_acked"];
  if (!r_.Object(value, sub, {"client", "at_least"})) return std::nullopt;
  const Client* client = ClientOfType(value, sub, ClientType::kProducer);
  auto at_least = r_.Integer(value, sub, "at_least", 1, INT64_MAX, true);
  if (client == nullptr || !at_least) return std::nullopt;
  return LostAckedExpect{client->id, *at_least};
}

std::optional<ExpectCondition> ScenarioParser::ParseLogStartOffset(const Json& j,
                                                                   const std::string& path) {
  const std::string sub = path + ".log_start_offset";
  const Json& value = j["log_start_offset"];
  if (!r_.Object(value, sub, {"partition", "at_least"})) return std::nullopt;
  auto ref = PartitionRefValue(value, sub, "partition");
  auto at_least = r_.Integer(value, sub, "at_least", 0, INT64_MAX, true);
  if (!ref || !at_least) return std::nullopt;
  return LogStartOffsetExpect{*ref, *at_least};
}

std::optional<ExpectCondition> ScenarioParser::ParseRecordsInLog(const Json& j,
                                                                 const std::string& path) {
  const std::string sub = path + ".records_in_log";
  const Json& value = j["records_in_log"];
  if (!r_.Object(value, sub, {"partition", "at_most"})) return std::nullopt;
  auto ref = PartitionRefValue(value, sub, "partition");
  auto at_most = r_.Integer(value, sub, "at_most", 0, INT64_MAX, true);
  if (!ref || !at_most) return std::nullopt;
  return RecordsInLogExpect{*ref, *at_most};
}

std::optional<ExpectCondition> ScenarioParser::ParseMirror(const Json& j, const std::string& path) {
  const std::string sub = path + ".mirror";
  const Json& value = j["mirror"];
  if (!r_.Object(
          value, sub,
          {"flow", "lag_at_most", "lag_at_least", "records_at_least", "checkpoints_at_least"})) {
    return std::nullopt;
  }
  MirrorExpect e;
  auto flow = r_.String(value, sub, "flow", true);
  if (!flow) return std::nullopt;
  std::vector<std::string> flows;
  for (const MirrorFlow& f : s_.mirror_flows) flows.push_back(f.source + "->" + f.target);
  if (std::find(flows.begin(), flows.end(), *flow) == flows.end()) {
    std::string names;
    for (const std::string& f : flows) names += (names.empty() ? "" : ", ") + Quote(f);
    r_.Error("E036", sub + ".flow",
             "no MirrorMaker 2 flow " + Quote(*flow) + " is enabled in \"mirror_maker\"; " +
                 (flows.empty() ? std::string("the scenario has none") : "enabled: " + names));
    return std::nullopt;
  }
  e.flow = *flow;
  e.lag_at_most = r_.Integer(value, sub, "lag_at_most", 0, INT64_MAX, false);
  e.lag_at_least = r_.Integer(value, sub, "lag_at_least", 0, INT64_MAX, false);
  e.records_at_least = r_.Integer(value, sub, "records_at_least", 0, INT64_MAX, false);
  e.checkpoints_at_least = r_.Integer(value, sub, "checkpoints_at_least", 0, INT64_MAX, false);
  if (!e.lag_at_most && !e.lag_at_least && !e.records_at_least && !e.checkpoints_at_least) {
    r_.Error("E004", sub,
             "give what must hold: lag_at_most, lag_at_least, records_at_least or "
             "checkpoints_at_least");
    return std::nullopt;
  }
  return e;
}

std::optional<ExpectCondition> ScenarioParser::ParseTopicsExpect(const Json& j,
                                                                 const std::string& path) {
  const std::string sub = path + ".topics";
  const Json& value = j["topics"];
  if (!r_.Object(value, sub, {"cluster", "equals"})) return std::nullopt;
  TopicsExpect e;
  if (auto cluster = r_.String(value, sub, "cluster", !s_.clusters.empty())) {
    const bool known = std::any_of(s_.clusters.begin(), s_.clusters.end(),
                                   [&](const NamedCluster& c) { return c.name == *cluster; });
    if (!known) {
      std::vector<std::string_view> names;
      for (const NamedCluster& c : s_.clusters) names.push_back(c.name);
      r_.Error("E036", sub + ".cluster",
               "unknown cluster " + Quote(*cluster) + "; " +
                   (names.empty() ? std::string("the scenario has one cluster: leave it out")
                                  : "clusters: " + JoinNames(names)));
      return std::nullopt;
    }
    e.cluster = *cluster;
  } else if (!s_.clusters.empty()) {
    return std::nullopt;
  }
  auto equals = r_.StringArray(value, sub, "equals");
  if (!equals) {
    if (!value.contains("equals")) r_.Error("E004", sub, "missing required key 'equals'");
    return std::nullopt;
  }
  e.equals = std::move(*equals);
  std::sort(e.equals.begin(), e.equals.end());
  return e;
}

std::optional<ExpectCondition> ScenarioParser::ParseTopicConfigExpect(const Json& j,
                                                                      const std::string& path) {
  const std::string sub = path + ".topic_config";
  const Json& value = j["topic_config"];
  if (!r_.Object(value, sub, {"topic", "config"})) return std::nullopt;
  TopicConfigExpect e;
  auto topic = r_.String(value, sub, "topic", true);
  if (!topic) return std::nullopt;
  e.topic = *topic;
  if (!s_.clusters.empty()) {
    const std::size_t slash = e.topic.find('/');
    const std::string cluster = slash == std::string::npos ? "" : e.topic.substr(0, slash);
    const bool known = std::any_of(s_.clusters.begin(), s_.clusters.end(),
                                   [&](const NamedCluster& c) { return c.name == cluster; });
    if (!known) {
      std::vector<std::string_view> names;
      for (const NamedCluster& c : s_.clusters) names.push_back(c.name);
      r_.Error("E036", sub + ".topic",
               "name the topic with its cluster, as CLUSTER/TOPIC (clusters: " + JoinNames(names) +
                   "), not " + Quote(e.topic));
      return std::nullopt;
    }
  }
  const Json* config = r_.Member(value, sub, "config", true);
  if (config == nullptr) return std::nullopt;
  if (!config->is_object() || config->empty()) {
    r_.Error("E002", sub + ".config",
             "expected an object of topic config names and values (null: not overridden), got " +
                 TypeWithArticle(*config));
    return std::nullopt;
  }
  Json set = Json::object();
  for (const auto& [name, v] : config->items()) {
    if (v.is_null()) {
      e.config[name] = std::nullopt;
    } else {
      set[name] = v;
    }
  }
  const std::size_t errors = r_.error_count();
  ConfigMap values(&TopicConfigSpecs());
  ParseConfigMap(set, sub + ".config", "topic config", TopicConfigSpecs(), values);
  for (const auto& [name, v] : e.config) {
    if (FindConfigSpec(TopicConfigSpecs(), name) == nullptr) {
      std::vector<std::string_view> names;
      for (const ConfigSpec& spec : TopicConfigSpecs()) names.push_back(spec.name);
      const std::string guess = ClosestName(name, names);
      r_.KeyError("E014", ChildPath(sub + ".config", name),
                  "unknown topic config " + Quote(name) +
                      (guess.empty() ? "; known: " + JoinNames(names)
                                     : "; did you mean " + Quote(guess) + "?"));
    }
  }
  if (r_.error_count() != errors) return std::nullopt;
  for (const auto& [name, v] : values.explicit_values()) e.config[name] = v;
  return e;
}

std::optional<ExpectCondition> ScenarioParser::ParseFirstConsumedOffset(const Json& j,
                                                                        const std::string& path) {
  const std::string sub = path + ".first_consumed_offset";
  const Json& value = j["first_consumed_offset"];
  if (!r_.Object(value, sub, {"client", "partition", "at_least"})) return std::nullopt;
  const Client* client = ClientOfType(value, sub, ClientType::kConsumer);
  auto ref = PartitionRefValue(value, sub, "partition");
  auto at_least = r_.Integer(value, sub, "at_least", 0, INT64_MAX, true);
  if (client == nullptr || !ref || !at_least) return std::nullopt;
  if (ref->topic != client->topic) {
    r_.Error("E016", sub + ".partition",
             Quote(client->id) + " consumes topic " + Quote(client->topic) + ", not " +
                 Quote(ref->topic));
    return std::nullopt;
  }
  return FirstConsumedOffsetExpect{client->id, *ref, *at_least};
}

std::optional<ExpectCondition> ScenarioParser::ParseGroup(const Json& j, const std::string& path) {
  const std::string sub = path + ".group";
  const Json& value = j["group"];
  if (!r_.Object(value, sub,
                 {"id", "state", "members", "generation_at_least", "partition", "owner",
                  "committed_at_least", "lag_at_least", "lag_at_most", "consumed_twice_at_most",
                  "consumed_twice_at_least"})) {
    return std::nullopt;
  }
  GroupExpect e;
  auto id = r_.String(value, sub, "id", true);
  if (!id) return std::nullopt;
  e.id = *id;
  bool ok = true;
  if (auto state = r_.String(value, sub, "state", false)) {
    static const std::vector<std::string_view> kStates = {"Empty", "PreparingRebalance",
                                                          "CompletingRebalance", "Stable", "Dead"};
    if (std::find(kStates.begin(), kStates.end(), *state) == kStates.end()) {
      r_.Error("E008", sub + ".state",
               "expected one of: " + JoinNames(kStates) + "; got " + Quote(*state));
      ok = false;
    }
    e.state = *state;
  }
  e.members = r_.Integer(value, sub, "members", 0, INT32_MAX, false);
  e.generation_at_least = r_.Integer(value, sub, "generation_at_least", 0, INT32_MAX, false);
  if (value.contains("partition")) {
    e.partition = PartitionRefValue(value, sub, "partition");
    if (!e.partition) ok = false;
  }
  if (const Client* owner = value.contains("owner")
                                ? ClientOfType(value, sub, ClientType::kConsumer, "owner")
                                : nullptr) {
    e.owner = owner->id;
  }
  e.committed_at_least = r_.Integer(value, sub, "committed_at_least", 0, INT64_MAX, false);
  e.lag_at_least = r_.Integer(value, sub, "lag_at_least", 0, INT64_MAX, false);
  e.lag_at_most = r_.Integer(value, sub, "lag_at_most", 0, INT64_MAX, false);
  e.consumed_twice_at_most = r_.Integer(value, sub, "consumed_twice_at_most", 0, INT64_MAX, false);
  e.consumed_twice_at_least =
      r_.Integer(value, sub, "consumed_twice_at_least", 0, INT64_MAX, false);
  if ((e.owner || e.committed_at_least || e.lag_at_least || e.lag_at_most) && !e.partition) {
    r_.Error("E004", sub,
             "owner, committed_at_least, lag_at_least and lag_at_most need a 'partition'");
    ok = false;
  }
  if (!ok) return std::nullopt;
  return e;
}

std::optional<ExpectCondition> ScenarioParser::ParseKeyInPartition(const Json& j,
                                                                   const std::string& path) {
  const std::string sub = path + ".key_in_partition";
  const Json& value = j["key_in_partition"];
  if (!r_.Object(value, sub, {"client", "key", "partition", "since"})) return std::nullopt;
  const Client* client = ClientOfType(value, sub, ClientType::kProducer);
  auto key = r_.String(value, sub, "key", true);
  auto partition = r_.Integer(value, sub, "partition", 0, INT32_MAX, true);
  auto since = r_.DurationMember(value, sub, "since", false);
  if (client == nullptr || !key || !partition) return std::nullopt;
  // The partition is not checked against the declared count: a `kafka-topics.sh --alter`
  // step may add partitions before this expectation is checked.
  return KeyInPartitionExpect{client->id, *key, static_cast<std::int32_t>(*partition),
                              kTimeZero + since.value_or(Duration{})};
}

// nlohmann reports a number it cannot hold (1e400) as out_of_range, without a position;
// this parser keeps the position of every error so each one names line and column.
struct PositionedParser : nlohmann::detail::json_sax_dom_parser<Json> {
  using Base = nlohmann::detail::json_sax_dom_parser<Json>;
  explicit PositionedParser(Json& into) : Base(into, /*allow_exceptions=*/false) {}
  template <class Exception>
  bool parse_error(std::size_t position, const std::string& token, const Exception& e) {
    // A syntax error points at its last byte read; a number too large at its first digit.
    error_byte = std::is_same_v<Exception, nlohmann::detail::parse_error>
                     ? position
                     : position - std::min(position, token.size()) + 1;
    error = e.what();
    return false;
  }
  std::size_t error_byte = 0;
  std::string error;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Entry points.

std::optional<Scenario> ParseScenario(std::string_view json_text, std::string_view source_name,
                                      std::vector<std::string>* errors) {
  // A UTF-8 byte order mark is allowed and skipped, so positions count from the text after it.
  if (json_text.starts_with("\xEF\xBB\xBF")) json_text.remove_prefix(3);
  if (const std::size_t nul = json_text.find('\0'); nul != std::string_view::npos) {
    const Position at = PositionOfOffset(json_text, nul);
    if (errors != nullptr) {
      errors->push_back("[scenario.E001] " + std::string(source_name) + ":" +
                        std::to_string(at.line) + ":" + std::to_string(at.column) +
                        " $: malformed JSON: a NUL byte; a scenario is UTF-8 JSON text");
    }
    return std::nullopt;
  }
  Json root;
  PositionedParser parser(root);
  const bool parsed = Json::sax_parse(json_text.begin(), json_text.end(), &parser);
  if (!parsed || !parser.error.empty()) {
    const Position at =
        PositionOfOffset(json_text, parser.error_byte > 0 ? parser.error_byte - 1 : 0);
    std::string what = parser.error.empty() ? "unexpected end of input" : parser.error;
    // Drop nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 2: ".
    if (const std::size_t colon = what.find(": "); colon != std::string::npos) {
      what = what.substr(colon + 2);
    } else if (what.starts_with("[json.exception.")) {
      what = what.substr(what.find("] ") + 2);
    }
    if (errors != nullptr) {
      errors->push_back("[scenario.E001] " + std::string(source_name) + ":" +
                        std::to_string(at.line) + ":" + std::to_string(at.column) +
                        " $: malformed JSON: " + what);
    }
    return std::nullopt;
  }
  LocationScanner locations(json_text);
  locations.Run();
  Reader reader(source_name, locations);
  for (const auto& [path, at] : locations.duplicates) {
    reader.Add("E005", path, at, "duplicate key; each key may appear once in an object");
  }
  Scenario scenario;
  scenario.source = std::string(source_name);
  ScenarioParser(reader, scenario).Parse(root);
  if (reader.error_count() == 0) return scenario;
  if (errors != nullptr) {
    for (std::string& e : reader.TakeErrors()) errors->push_back(std::move(e));
  }
  return std::nullopt;
}

Result<Scenario> LoadScenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status(Errc::kNotFound,
                  "[scenario.E026] " + path + " $: cannot read the file (does it exist?)");
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::vector<std::string> errors;
  std::optional<Scenario> scenario = ParseScenario(text.str(), path, &errors);
  if (scenario) return std::move(*scenario);
  std::string message;
  for (const std::string& e : errors) message += (message.empty() ? "" : "\n") + e;
  return Status(Errc::kInvalidArgument, message);
}

}  // namespace kafkasim::scenario
