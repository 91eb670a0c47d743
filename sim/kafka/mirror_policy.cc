#include "kafka/mirror_policy.h"

#include <fmt/format.h>

#include "engine/assert.h"

namespace kafkasim::kafka {

namespace mirror_policy {

// DefaultReplicationPolicy (connect/mirror-client/.../DefaultReplicationPolicy.java).
std::string FormatRemoteTopic(const std::string& source_alias, const std::string& topic) {
  return source_alias + "." + topic;
}

std::optional<std::string> TopicSource(const std::string& topic) {
  // separatorPattern.split(topic): fewer than two parts means no source. Java's split drops
  // trailing empty strings, so "cities." has one part, and a leading "." makes an empty first
  // part, which Kafka treats as the source "".
  const std::size_t dot = topic.find('.');
  if (dot == std::string::npos) return std::nullopt;
  if (topic.find_first_not_of('.', dot) == std::string::npos) return std::nullopt;
  return topic.substr(0, dot);
}

std::optional<std::string> UpstreamTopic(const std::string& topic) {
  const std::optional<std::string> source = TopicSource(topic);
  if (!source) return std::nullopt;
  return topic.substr(source->size() + 1);
}

std::string OriginalTopic(const std::string& topic) {
  const std::optional<std::string> upstream = UpstreamTopic(topic);
  if (!upstream || *upstream == topic) return topic;
  return OriginalTopic(*upstream);
}

std::string OffsetSyncsTopic(const std::string& cluster_alias) {
  return "mm2-offset-syncs." + cluster_alias + ".internal";
}

std::string CheckpointsTopic(const std::string& cluster_alias) {
  return cluster_alias + ".checkpoints.internal";
}

bool IsHeartbeatsTopic(const std::string& topic) {
  return OriginalTopic(topic) == kHeartbeatsTopic;
}

bool IsInternalTopic(const std::string& topic) {
  const auto ends_with = [&](std::string_view suffix) { return topic.ends_with(suffix); };
  return topic.starts_with("__") || topic.starts_with(".") || ends_with(".internal") ||
         ends_with("-internal");
}

}  // namespace mirror_policy

std::vector<std::string> SplitConfigList(const std::string& list) {
  // ConfigDef.Type.LIST: comma-separated, each item trimmed, empty items dropped.
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    std::string item = list.substr(start, comma - start);
    const std::size_t b = item.find_first_not_of(" \t");
    const std::size_t e = item.find_last_not_of(" \t");
    if (b != std::string::npos) items.push_back(item.substr(b, e - b + 1));
    start = comma + 1;
  }
  return items;
}

namespace {

std::vector<std::regex> Compile(const std::string& list) {
  std::vector<std::regex> out;
  for (const std::string& item : SplitConfigList(list))
    out.emplace_back(item, std::regex::ECMAScript);
  return out;
}

bool AnyMatches(const std::vector<std::regex>& patterns, const std::string& name) {
  for (const std::regex& p : patterns) {
    if (std::regex_match(name, p)) return true;
  }
  return false;
}

}  // namespace

NameFilter::NameFilter(const std::string& include, const std::string& exclude)
    : include_(Compile(include)), exclude_(Compile(exclude)) {}

bool NameFilter::Passes(const std::string& name) const {
  return AnyMatches(include_, name) && !AnyMatches(exclude_, name);
}

std::optional<std::string> NameFilter::Invalid(const std::string& list) {
  for (const std::string& item : SplitConfigList(list)) {
    try {
      std::regex compiled(item, std::regex::ECMAScript);
      (void)compiled;
    } catch (const std::regex_error&) {
      return "'" + item + "' is not a valid regular expression";
    }
  }
  return std::nullopt;
}

// MirrorSourceConnector.shouldReplicateTopic and isCycle.
bool ShouldReplicateTopic(const NameFilter& topics, const std::string& topic,
                          const std::string& target_alias, bool heartbeats_replication) {
  return (topics.Passes(topic) ||
          (heartbeats_replication && mirror_policy::IsHeartbeatsTopic(topic))) &&
         !mirror_policy::IsInternalTopic(topic) && !IsCycle(topic, target_alias);
}

bool IsCycle(const std::string& topic, const std::string& target_alias) {
  const std::optional<std::string> source = mirror_policy::TopicSource(topic);
  if (!source) return false;
  if (*source == target_alias) return true;
  const std::optional<std::string> upstream = mirror_policy::UpstreamTopic(topic);
  if (!upstream || *upstream == topic) return false;
  return IsCycle(*upstream, target_alias);
}

TopicPartition RenameTopicPartition(const std::string& source_alias,
                                    const std::string& target_alias, const TopicPartition& tp) {
  if (mirror_policy::TopicSource(tp.topic) == target_alias) {
    return {mirror_policy::OriginalTopic(tp.topic), tp.partition};
  }
  return {mirror_policy::FormatRemoteTopic(source_alias, tp.topic), tp.partition};
}

std::string OffsetSync::ToString() const {
  return fmt::format("OffsetSync{{topicPartition={}, upstreamOffset={}, downstreamOffset={}}}",
                     source.ToString(), upstream, downstream);
}

// OffsetSyncWriter.PartitionState.update.
bool OffsetSyncState::Update(std::int64_t upstream, std::int64_t downstream) {
  const bool no_previous_sync = last_sync_downstream_ == -1;
  // translateDownstream puts a group one past the last sync, hence the + 1.
  const bool translated_too_stale = downstream - (last_sync_downstream_ + 1) >= max_offset_lag_;
  const bool skipped_upstream_record = upstream - previous_upstream_ != 1;
  const bool truncated_downstream = downstream < previous_downstream_;
  if (no_previous_sync || translated_too_stale || skipped_upstream_record || truncated_downstream) {
    last_sync_downstream_ = downstream;
    should_sync_ = true;
  }
  previous_upstream_ = upstream;
  previous_downstream_ = downstream;
  return should_sync_;
}

namespace {

// OffsetSyncStore.invariantB: syncs[j] is recent enough to sit at index j after syncs[i].
bool InvariantB(const OffsetSync& i_sync, const OffsetSync& j_sync, int i, int j) {
  const std::int64_t bound = j_sync.upstream + (std::int64_t{1} << j) - (std::int64_t{1} << i);
  return i_sync == j_sync || bound < 0 || i_sync.upstream <= bound;
}

// OffsetSyncStore.invariantC: far enough from its neighbour to be worth keeping.
bool InvariantC(const OffsetSync& i_sync, const OffsetSync& j_sync, int i) {
  const std::int64_t bound = j_sync.upstream + (std::int64_t{1} << std::max(i - 2, 0));
  return i_sync == j_sync || (bound >= 0 && i_sync.upstream >= bound);
}

}  // namespace

void OffsetSyncStore::Sync(const OffsetSync& sync) {
  auto it = syncs_.find(sync.source);
  if (it == syncs_.end()) {
    Syncs fresh;
    fresh.fill(sync);
    syncs_.emplace(sync.source, fresh);
    return;
  }
  Update(it->second, sync);
}

// OffsetSyncStore.updateSyncArray (initializationMustReadToEnd is true for the checkpoint task:
// while the topic is read for the first time only the newest sync is kept).
void OffsetSyncStore::Update(Syncs& syncs, const OffsetSync& sync) {
  const Syncs original = syncs;
  if (!read_to_end_ || sync.upstream < syncs[0].upstream) {
    syncs.fill(sync);  // an upstream rewind invalidates every older sync
    return;
  }
  OffsetSync replacement = sync;
  int replacement_index = 0;
  syncs[0] = replacement;
  for (int current = 1; current < kSyncsPerPartition; ++current) {
    const int previous = current - 1;
    bool skip_old_value = false;
    do {
      const OffsetSync& old_value = original[static_cast<std::size_t>(replacement_index)];
      const bool is_recent =
          InvariantB(syncs[static_cast<std::size_t>(previous)], old_value, previous, current);
      const bool separated_from_previous =
          InvariantC(syncs[static_cast<std::size_t>(previous)], old_value, previous);
      const int next = current + 1;
      const bool separated_from_next =
          next >= kSyncsPerPartition ||
          InvariantC(old_value, syncs[static_cast<std::size_t>(next)], current);
      const int next_replacement = replacement_index + 1;
      const bool duplicate = next_replacement < kSyncsPerPartition &&
                             old_value == original[static_cast<std::size_t>(next_replacement)];
      const bool promote = is_recent && separated_from_previous && separated_from_next;
      if (promote) replacement = old_value;
      skip_old_value = duplicate || !separated_from_previous;
      if (promote || skip_old_value) ++replacement_index;
    } while (replacement_index < current && skip_old_value);
    const auto p = static_cast<std::size_t>(previous);
    const auto c = static_cast<std::size_t>(current);
    KSIM_ASSERT(InvariantB(syncs[p], replacement, previous, current));
    KSIM_ASSERT(InvariantC(syncs[p], replacement, previous));
    if (InvariantB(syncs[p], syncs[c], previous, current)) break;
    syncs[c] = replacement;
  }
}

// OffsetSyncStore.translateDownstream and lookupLatestSync.
std::optional<std::int64_t> OffsetSyncStore::TranslateDownstream(const TopicPartition& source,
                                                                 std::int64_t upstream) const {
  if (!read_to_end_) return std::nullopt;
  const auto it = syncs_.find(source);
  if (it == syncs_.end()) return std::nullopt;
  const OffsetSync* found = &it->second.back();
  for (const OffsetSync& s : it->second) {
    if (s.upstream <= upstream) {
      found = &s;
      break;
    }
  }
  if (found->upstream > upstream) return -1;  // older than every sync kept
  // Ahead of the sync: only one past it is safe, since the records between may or may not have
  // been replicated; the group re-reads what lies between (duplicates, never loss).
  return found->downstream + (upstream == found->upstream ? 0 : 1);
}

std::string Checkpoint::ToString() const {
  return fmt::format(
      "Checkpoint{{consumerGroupId={}, topicPartition={}, upstreamOffset={}, "
      "downstreamOffset={}, metadata={}}}",
      group, remote.ToString(), upstream, downstream, metadata);
}

bool CheckpointIsMoreRecent(const std::optional<Checkpoint>& last, const Checkpoint& next) {
  if (!last) return true;                           // the first for this partition
  if (next.upstream < last->upstream) return true;  // the upstream group rewound
  return next.downstream > last->downstream;        // advanced; never a downstream rewind
}

namespace {

void PutInt(std::string& out, std::uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) {
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  }
}
void PutString(std::string& out, const std::string& s) {
  PutInt(out, s.size(), 2);
  out += s;
}

class Reader {
 public:
  explicit Reader(const std::string& bytes) : bytes_(bytes) {}
  std::optional<std::uint64_t> Int(int n) {
    if (pos_ + static_cast<std::size_t>(n) > bytes_.size()) return std::nullopt;
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(bytes_[pos_++]);
    return v;
  }
  std::optional<std::string> String() {
    const std::optional<std::uint64_t> n = Int(2);
    if (!n || *n > 0x7fff || pos_ + *n > bytes_.size()) return std::nullopt;
    std::string s = bytes_.substr(pos_, *n);
    pos_ += *n;
    return s;
  }
  bool done() const { return pos_ == bytes_.size(); }

 private:
  const std::string& bytes_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string EncodeOffsetSyncKey(const TopicPartition& source) {
  std::string out;
  PutString(out, source.topic);
  PutInt(out, static_cast<std::uint32_t>(source.partition), 4);
  return out;
}

std::string EncodeOffsetSyncValue(std::int64_t upstream, std::int64_t downstream) {
  std::string out;
  PutInt(out, static_cast<std::uint64_t>(upstream), 8);
  PutInt(out, static_cast<std::uint64_t>(downstream), 8);
  return out;
}

std::optional<OffsetSync> DecodeOffsetSync(const std::string& key, const std::string& value) {
  Reader k(key), v(value);
  const auto topic = k.String();
  const auto partition = k.Int(4);
  const auto upstream = v.Int(8);
  const auto downstream = v.Int(8);
  if (!topic || !partition || !upstream || !downstream || !k.done() || !v.done()) {
    return std::nullopt;
  }
  return OffsetSync{{*topic, static_cast<std::int32_t>(*partition)},
                    static_cast<std::int64_t>(*upstream),
                    static_cast<std::int64_t>(*downstream)};
}

std::string EncodeCheckpointKey(const std::string& group, const TopicPartition& remote) {
  std::string out;
  PutString(out, group);
  PutString(out, remote.topic);
  PutInt(out, static_cast<std::uint32_t>(remote.partition), 4);
  return out;
}

std::string EncodeCheckpointValue(std::int64_t upstream, std::int64_t downstream,
                                  const std::string& metadata) {
  std::string out;
  PutInt(out, 0, 2);  // version 0
  PutInt(out, static_cast<std::uint64_t>(upstream), 8);
  PutInt(out, static_cast<std::uint64_t>(downstream), 8);
  PutString(out, metadata);
  return out;
}

std::optional<Checkpoint> DecodeCheckpoint(const std::string& key, const std::string& value) {
  Reader k(key), v(value);
  const auto group = k.String();
  const auto topic = k.String();
  const auto partition = k.Int(4);
  const auto version = v.Int(2);
  const auto upstream = v.Int(8);
  const auto downstream = v.Int(8);
  const auto metadata = v.String();
  if (!group || !topic || !partition || !version || *version != 0 || !upstream || !downstream ||
      !metadata || !k.done() || !v.done()) {
    return std::nullopt;
  }
  return Checkpoint{*group,
                    {*topic, static_cast<std::int32_t>(*partition)},
                    static_cast<std::int64_t>(*upstream),
                    static_cast<std::int64_t>(*downstream),
                    *metadata};
}

std::string EncodeHeartbeatKey(const std::string& source_alias, const std::string& target_alias) {
  std::string out;
  PutString(out, source_alias);
  PutString(out, target_alias);
  return out;
}

std::string EncodeHeartbeatValue(std::int64_t timestamp_ms) {
  std::string out;
  PutInt(out, 0, 2);  // version 0
  PutInt(out, static_cast<std::uint64_t>(timestamp_ms), 8);
  return out;
}

}  // namespace kafkasim::kafka
