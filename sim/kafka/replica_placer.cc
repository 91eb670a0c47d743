// StripedReplicaPlacer (metadata/src/main/java/org/apache/kafka/metadata/placement/
// StripedReplicaPlacer.java), rewritten over our Rng so a seed gives the same layout everywhere.
#include "kafka/replica_placer.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace kafkasim::kafka {
namespace {

// The brokers of one rack with one fencing state. Each partition (an "epoch") walks the list
// once from a starting offset that moves by one per epoch, so consecutive partitions stripe.
class BrokerList {
 public:
  void Add(BrokerId id) { brokers_.push_back(id); }
  bool empty() const { return brokers_.empty(); }

  // The next broker of `epoch`, or kNoLeader when this epoch has used every broker.
  BrokerId Next(int epoch) {
    if (brokers_.empty()) return kNoLeader;
    if (epoch_ != epoch) {
      epoch_ = epoch;
      index_ = 0;
      offset_ = (offset_ + 1) % brokers_.size();
    }
    if (index_ >= brokers_.size()) return kNoLeader;
    const BrokerId id = brokers_[(index_ + offset_) % brokers_.size()];
    ++index_;
    return id;
  }

  void Shuffle(Rng& rng) {
    rng.Shuffle(brokers_);
    offset_ = brokers_.empty() ? 0 : static_cast<std::size_t>(rng.Uniform(brokers_.size()));
  }

 private:
  std::vector<BrokerId> brokers_;
  int epoch_ = 0;
  std::size_t index_ = 0;
  std::size_t offset_ = 0;
};

class RackList {
 public:
  RackList(const std::vector<UsableBroker>& brokers, Rng& rng) : rng_(rng) {
    for (const UsableBroker& b : brokers) {
      if (std::find(racks_.begin(), racks_.end(), b.rack) == racks_.end()) racks_.push_back(b.rack);
      if (b.fenced) {
        fenced_[b.rack].Add(b.id);
      } else {
        unfenced_[b.rack].Add(b.id);
        ++num_unfenced_;
      }
    }
    Shuffle();
  }

  int num_unfenced() const { return num_unfenced_; }

  std::vector<BrokerId> Place(std::int32_t replication_factor) {
    // After as many partitions as there are unfenced brokers, reshuffle so the same
    // assignments do not repeat (not with one unfenced broker: nothing to vary).
    if (epoch_ == num_unfenced_ && num_unfenced_ > 1) {
      Shuffle();
      epoch_ = 0;
    }
    if (offset_ >= racks_.size()) offset_ = 0;
    std::vector<BrokerId> out;
    out.reserve(static_cast<std::size_t>(replication_factor));
    // The leader: the first unfenced broker found walking the racks from the rack offset.
    std::size_t rack = offset_;
    for (std::size_t tried = 0; tried < racks_.size() && out.empty(); ++tried) {
      const BrokerId id = NextIn(unfenced_, (offset_ + tried) % racks_.size());
      if (id != kNoLeader) {
        out.push_back(id);
        rack = (offset_ + tried) % racks_.size();
      }
    }
    KSIM_ASSERT_MSG(!out.empty(), "no unfenced broker to lead a new partition");
    // Followers: unfenced brokers rack by rack after the leader's rack, then fenced ones.
    for (auto* lists : {&unfenced_, &fenced_}) {
      bool progress = true;
      while (out.size() < static_cast<std::size_t>(replication_factor) && progress) {
        progress = false;
        for (std::size_t step = 1; step <= racks_.size(); ++step) {
          if (out.size() >= static_cast<std::size_t>(replication_factor)) break;
          const BrokerId id = NextIn(*lists, (rack + step) % racks_.size());
          if (id == kNoLeader) continue;
          out.push_back(id);
          progress = true;
        }
      }
    }
    KSIM_ASSERT_EQ(out.size(), static_cast<std::size_t>(replication_factor));
    ++offset_;
    ++epoch_;
    return out;
  }

 private:
  BrokerId NextIn(std::map<std::string, BrokerList>& lists, std::size_t rack_index) {
    const auto it = lists.find(racks_[rack_index]);
    return it == lists.end() ? kNoLeader : it->second.Next(epoch_);
  }

  void Shuffle() {
    rng_.Shuffle(racks_);
    // Visit the lists in rack order (not map order) so the draws follow the shuffled racks.
    for (const std::string& r : racks_) {
      if (auto it = unfenced_.find(r); it != unfenced_.end()) it->second.Shuffle(rng_);
      if (auto it = fenced_.find(r); it != fenced_.end()) it->second.Shuffle(rng_);
    }
    offset_ = racks_.empty() ? 0 : static_cast<std::size_t>(rng_.Uniform(racks_.size()));
  }

  Rng& rng_;
  std::vector<std::string> racks_;
  std::map<std::string, BrokerList> unfenced_;
  std::map<std::string, BrokerList> fenced_;
  int num_unfenced_ = 0;
  int epoch_ = 0;
  std::size_t offset_ = 0;
};

}  // namespace

Result<std::vector<std::vector<BrokerId>>> PlaceReplicas(std::int32_t num_partitions,
                                                         std::int32_t replication_factor,
                                                         std::vector<UsableBroker> brokers,
                                                         Rng& rng) {
  KSIM_ASSERT(num_partitions >= 0);
  if (replication_factor <= 0) {
    return Status(Errc::kInvalidReplicationFactor,
                  fmt::format("Invalid replication factor {}: the replication factor must be "
                              "positive.",
                              replication_factor));
  }
  if (static_cast<std::size_t>(replication_factor) > brokers.size()) {
    return Status(Errc::kInvalidReplicationFactor,
                  fmt::format("The target replication factor of {} cannot be reached because "
                              "only {} broker(s) are registered.",
                              replication_factor, brokers.size()));
  }
  std::sort(brokers.begin(), brokers.end(),
            [](const UsableBroker& a, const UsableBroker& b) { return a.id < b.id; });
  RackList racks(brokers, rng);
  if (racks.num_unfenced() == 0) {
    return Status(Errc::kInvalidReplicationFactor, "All brokers are currently fenced.");
  }
  std::vector<std::vector<BrokerId>> placement;
  placement.reserve(static_cast<std::size_t>(num_partitions));
  for (std::int32_t p = 0; p < num_partitions; ++p) {
    placement.push_back(racks.Place(replication_factor));
  }
  return placement;
}

}  // namespace kafkasim::kafka
