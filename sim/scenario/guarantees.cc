#include "scenario/guarantees.h"

#include <fmt/format.h>

#include <map>
#include <utility>

#include "kafka/trace_kinds.h"
#include "scenario/world.h"

namespace kafkasim::scenario {
namespace {

// Kafka's durability promise: a record acknowledged with acks=all is on every in-sync replica,
// so it survives as long as one of them does and no out-of-sync replica is elected
// (unclean.leader.election.enable=false). acks=0 and acks=1 make no such promise.
class AckedWritesKept final : public Guarantee {
 public:
  std::string name() const override { return "acks=all writes, once acknowledged, are kept"; }
  bool TriggeredBy(std::string_view kind) const override {
    return kind == kafka::trace_kind::kPartitionLeader;
  }
  std::optional<std::string> Check(World& world) override {
    std::string first;
    const std::int64_t lost = world.CountLostAcknowledged("", /*acks_all_only=*/true, &first);
    if (lost == 0) return std::nullopt;
    return fmt::format("{} acknowledged record(s) lost, e.g. {}", lost, first);
  }
};

// Leader epochs fence stale leaders: for one partition and one leader epoch there is at most
// one broker acting as leader.
class OneLeaderPerEpoch final : public Guarantee {
 public:
  std::string name() const override { return "at most one leader per partition and epoch"; }
  bool TriggeredBy(std::string_view kind) const override {
    return kind == kafka::trace_kind::kPartitionLeader;
  }
  std::optional<std::string> Check(World& world) override {
    const kafka::MetadataImage* image = world.BestImage();
    if (image == nullptr) return std::nullopt;
    for (const auto& [name, topic] : image->topics()) {
      for (const auto& [index, reg] : topic.partitions) {
        std::map<std::int32_t, std::vector<std::int32_t>> leaders_by_epoch;
        for (std::int32_t broker : reg.replicas) {
          const kafka::KafkaNode* server = world.BrokerServer(broker);
          if (server == nullptr) continue;
          const auto local = server->LocalPartition(name, index);
          if (local && local->is_leader) leaders_by_epoch[local->leader_epoch].push_back(broker);
        }
        for (const auto& [epoch, brokers] : leaders_by_epoch) {
          if (brokers.size() < 2) continue;
          return fmt::format("brokers {} and {} both lead {}-{} at leader_epoch {}", brokers[0],
                             brokers[1], name, index, epoch);
        }
      }
    }
    return std::nullopt;
  }
};

}  // namespace

std::vector<std::unique_ptr<Guarantee>> BuiltInGuarantees() {
  std::vector<std::unique_ptr<Guarantee>> out;
  out.push_back(std::make_unique<AckedWritesKept>());
  out.push_back(std::make_unique<OneLeaderPerEpoch>());
  return out;
}

}  // namespace kafkasim::scenario
