// StripedReplicaPlacer: striping, rack spread, unfenced leaders, determinism, error texts.
#include "kafka/replica_placer.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>

namespace kafkasim::kafka {
namespace {

std::vector<UsableBroker> Brokers(int n, const std::vector<std::string>& racks = {}) {
  std::vector<UsableBroker> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(
        UsableBroker{i + 1, racks.empty() ? "" : racks[static_cast<std::size_t>(i)], false});
  }
  return out;
}

TEST_CASE(
    "replica_placer: without racks each partition takes distinct brokers and leaders "
    "stripe across all brokers (StripedReplicaPlacer, kafka-semantics 4.1)") {
  Rng rng(7);
  auto placement = PlaceReplicas(30, 3, Brokers(3), rng);
  REQUIRE(placement.ok());
  REQUIRE(placement->size() == 30);
  std::map<BrokerId, int> leaders;
  for (std::size_t p = 0; p < placement->size(); ++p) {
    const auto& replicas = (*placement)[p];
    CHECK(std::set<BrokerId>(replicas.begin(), replicas.end()).size() == 3);
    ++leaders[replicas.front()];
  }
  // Every block of 3 partitions gives each broker one leadership.
  CHECK(leaders == std::map<BrokerId, int>{{1, 10}, {2, 10}, {3, 10}});
}

TEST_CASE("replica_placer: with racks the replicas of a partition land on different racks") {
  Rng rng(11);
  const auto brokers = Brokers(6, {"a", "a", "b", "b", "c", "c"});
  std::map<BrokerId, std::string> rack_of;
  for (const auto& b : brokers) rack_of[b.id] = b.rack;
  auto placement = PlaceReplicas(12, 3, brokers, rng);
  REQUIRE(placement.ok());
  std::map<BrokerId, int> leaders;
  for (const auto& replicas : *placement) {
    std::set<std::string> racks;
    for (BrokerId r : replicas) racks.insert(rack_of[r]);
    CHECK(racks.size() == 3);
    ++leaders[replicas.front()];
  }
  CHECK(leaders.size() == 6);  // leadership reaches every broker
}

TEST_CASE("replica_placer: with 2 racks and RF 3 both racks are used before repeating one") {
  Rng rng(3);
  const auto brokers = Brokers(4, {"x", "x", "y", "y"});
  auto placement = PlaceReplicas(8, 3, brokers, rng);
  REQUIRE(placement.ok());
  for (const auto& replicas : *placement) {
    int in_x = 0;
    for (BrokerId r : replicas) in_x += (r <= 2) ? 1 : 0;
    CHECK((in_x == 1 || in_x == 2));
  }
}

TEST_CASE("replica_placer: the same seed gives the same placement, other seeds vary it") {
  const auto brokers = Brokers(5, {"a", "b", "c", "a", "b"});
  Rng a(99);
  Rng b(99);
  auto pa = PlaceReplicas(10, 3, brokers, a);
  auto pb = PlaceReplicas(10, 3, brokers, b);
  REQUIRE(pa.ok());
  REQUIRE(pb.ok());
  CHECK(*pa == *pb);
  std::set<std::vector<std::vector<BrokerId>>> seen;
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    Rng rng(seed);
    seen.insert(*PlaceReplicas(10, 3, brokers, rng));
  }
  CHECK(seen.size() > 1);
  // Input order does not matter: brokers are sorted by id first.
  auto reversed = brokers;
  std::reverse(reversed.begin(), reversed.end());
  Rng c(99);
  CHECK(*PlaceReplicas(10, 3, reversed, c) == *pa);
}

TEST_CASE("replica_placer: the leader is always unfenced; fenced brokers only follow") {
  auto brokers = Brokers(5);
  brokers[0].fenced = true;
  brokers[3].fenced = true;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    Rng rng(seed);
    auto placement = PlaceReplicas(6, 4, brokers, rng);
    REQUIRE(placement.ok());
    for (const auto& replicas : *placement) {
      CHECK(replicas.front() != 1);
      CHECK(replicas.front() != 4);
      CHECK(std::set<BrokerId>(replicas.begin(), replicas.end()).size() == 4);
    }
  }
}

TEST_CASE("replica_placer: impossible replication factors fail with Kafka's messages") {
  Rng rng(1);
  auto too_many = PlaceReplicas(1, 3, Brokers(2), rng);
  REQUIRE(!too_many.ok());
  CHECK(too_many.status().code() == Errc::kInvalidReplicationFactor);
  CHECK(too_many.status().message() ==
        "The target replication factor of 3 cannot be reached because only 2 broker(s) are "
        "registered.");
  auto zero = PlaceReplicas(1, 0, Brokers(2), rng);
  REQUIRE(!zero.ok());
  CHECK(zero.status().message() ==
        "Invalid replication factor 0: the replication factor must be positive.");
  auto fenced = Brokers(2);
  fenced[0].fenced = fenced[1].fenced = true;
  auto all_fenced = PlaceReplicas(1, 1, fenced, rng);
  REQUIRE(!all_fenced.ok());
  CHECK(all_fenced.status().ToString() ==
        "INVALID_REPLICATION_FACTOR: All brokers are currently fenced.");
}

}  // namespace
}  // namespace kafkasim::kafka
