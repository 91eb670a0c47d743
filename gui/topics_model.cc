// Topics table rows and change highlights.
#include "gui/topics_model.h"

#include <algorithm>

namespace kafkasim::gui {

std::string JoinIds(const std::vector<int>& ids) {
  std::string out;
  JoinIdsInto(ids, out);
  return out;
}

void JoinIdsInto(const std::vector<int>& ids, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(ids[i]);
  }
}

std::string MirrorSourceOf(const view::WorldView& world, const std::string& topic) {
  const std::size_t slash = topic.find('/');
  if (slash == std::string::npos) return "";
  const std::string cluster = topic.substr(0, slash);
  const std::string name = topic.substr(slash + 1);
  for (const view::MirrorFlowView& f : world.mirror_flows) {
    if (f.target != cluster) continue;
    if (std::find(f.remote_topics.begin(), f.remote_topics.end(), name) != f.remote_topics.end()) {
      return f.source;
    }
  }
  return "";
}

void TopicsModel::Update(const view::WorldView& world, double wall_seconds) {
  // Rows are rewritten in place: at 10,000 partitions a frame would otherwise allocate every
  // row's strings again.
  std::size_t count = 0;
  for (const view::TopicView& topic : world.topics) count += topic.partitions.size();
  // Topics built from the same metadata image as last frame's hold the same partitions with
  // the same lists: nothing to compare (at 10,000 partitions the comparisons were a
  // millisecond a frame).
  const bool lists_kept =
      world.topics_source.valid && world.topics_source == built_from_ && rows_.size() == count;
  built_from_ = world.topics_source;
  rows_.resize(count);
  std::size_t next = 0;
  std::vector<int> running_brokers;
  for (const view::NodeView& n : world.nodes) {
    const bool broker = n.role == view::NodeRole::kBroker || n.role == view::NodeRole::kCombined;
    if (broker && n.state == NodeState::kRunning) running_brokers.push_back(n.id);
  }
  std::sort(running_brokers.begin(), running_brokers.end());
  if (seen_.size() < world.topics.size()) seen_.resize(world.topics.size());
  for (std::size_t t = 0; t < world.topics.size(); ++t) {
    const view::TopicView& topic = world.topics[t];
    SeenTopic& seen_topic = seen_[t];
    if (seen_topic.name != topic.name) seen_topic = SeenTopic{topic.name, {}};
    if (seen_topic.partitions.size() < topic.partitions.size()) {
      seen_topic.partitions.resize(topic.partitions.size());
    }
    const std::size_t slash = topic.name.find('/');
    const std::string cluster = slash == std::string::npos ? "" : topic.name.substr(0, slash);
    const std::string mirror_of = MirrorSourceOf(world, topic.name);
    for (std::size_t p = 0; p < topic.partitions.size(); ++p) {
      const view::PartitionView& part = topic.partitions[p];
      PartitionRow& row = rows_[next++];
      Seen& seen = seen_topic.partitions[p];
      const bool inserted = !seen.known;
      seen.known = true;
      const bool kept = lists_kept && !inserted;
      const bool changed =
          !inserted && !kept &&
          (seen.leader != part.leader || seen.isr != part.isr || seen.elr != part.elr);
      // The row's text is written again only when it is another partition's row than last
      // frame's or its lists changed: at 10,000 partitions formatting them all is milliseconds.
      const bool same_row = kept || (!inserted && !changed && row.topic_slot == t &&
                                     row.partition_slot == p && row.partition == part.partition &&
                                     row.topic == part.topic && seen.replicas == part.replicas);
      if (!same_row) {
        row.name.assign(part.topic).append("-").append(std::to_string(part.partition));
        row.topic.assign(part.topic);
        JoinIdsInto(part.replicas, row.replicas);
        JoinIdsInto(part.isr, row.isr);
        JoinIdsInto(part.elr, row.elr);
        seen.replicas = part.replicas;
      }
      row.cluster.assign(cluster);
      row.mirror_of.assign(mirror_of);
      row.partition = part.partition;
      row.leader = part.leader;
      row.leader_epoch = part.leader_epoch;
      row.offline = part.leader < 0;
      row.leader_down = !row.offline && !std::binary_search(running_brokers.begin(),
                                                            running_brokers.end(), part.leader);
      row.under_replicated = part.isr.size() < part.replicas.size();
      row.under_min_isr = part.under_min_isr;
      row.topic_slot = t;
      row.partition_slot = p;

      if (changed) seen.changed_at = wall_seconds;
      if (changed || inserted) {
        seen.leader = part.leader;
        seen.isr = part.isr;
        seen.elr = part.elr;
      }
      const double age = wall_seconds - seen.changed_at;
      row.highlight =
          age < 0 ? 0.0f : static_cast<float>(std::max(0.0, 1.0 - age / kHighlightSeconds));
    }
  }
}

}  // namespace kafkasim::gui
