// Rows of the topics table in `kafka-topics.sh --describe` terms, with a short-lived highlight
// on any partition whose leader, ISR or ELR just changed.
#pragma once

#include <string>
#include <vector>

#include "scenario/world_view.h"

namespace kafkasim::gui {

struct PartitionRow {
  std::string name;  // "cities-0"
  std::string topic;
  // With several clusters: the cluster ("us-east", the part of `topic` before '/'), and for a
  // remote topic MirrorMaker 2 created, the cluster it mirrors ("us-east" for
  // "eu-west/us-east.cities"); both empty otherwise.
  std::string cluster;
  std::string mirror_of;
  int partition = 0;
  int leader = -1;
  int leader_epoch = 0;
  std::string replicas;  // "1,2,3" as kafka-topics prints them
  std::string isr;
  std::string elr;
  bool offline = false;
  // The metadata still names a leader whose broker is not running: until the controller fences
  // it (broker.session.timeout.ms) nobody can produce to or fetch from this partition.
  bool leader_down = false;
  bool under_replicated = false;
  bool under_min_isr = false;
  float highlight = 0;  // 1 right after a change, fading to 0 over kHighlightSeconds
  std::size_t topic_slot = 0;
  std::size_t partition_slot = 0;
};

std::string JoinIds(const std::vector<int>& ids);
// The same, written over `out` (its storage reused).
void JoinIdsInto(const std::vector<int>& ids, std::string& out);

// The source cluster of `topic` ("eu-west/us-east.cities") when a MirrorMaker 2 flow into its
// cluster created it as a remote topic, else "".
std::string MirrorSourceOf(const view::WorldView& world, const std::string& topic);

class TopicsModel {
 public:
  static constexpr double kHighlightSeconds = 2.0;

  // Rebuilds the rows from `world`; `wall_seconds` is the front end's clock for highlights.
  void Update(const view::WorldView& world, double wall_seconds);
  const std::vector<PartitionRow>& rows() const { return rows_; }
  // Forget what was seen (after a rewind, so the jump itself does not flash every row).
  void Reset() {
    seen_.clear();
    built_from_ = view::TopicsSource{};
  }

 private:
  struct Seen {
    bool known = false;  // seen in an earlier frame
    int leader = -1;
    std::vector<int> replicas;
    std::vector<int> isr;
    std::vector<int> elr;
    double changed_at = -1e9;
  };
  // By the topic's place in the snapshot, then the partition's: read in order, so a frame of
  // 10,000 partitions costs no look-ups. A slot whose topic's name changed starts over.
  struct SeenTopic {
    std::string name;
    std::vector<Seen> partitions;
  };
  std::vector<SeenTopic> seen_;
  std::vector<PartitionRow> rows_;
  view::TopicsSource built_from_;  // what last frame's topics were built from
};

}  // namespace kafkasim::gui
