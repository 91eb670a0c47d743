// How often a client asks for metadata: Kafka's ExponentialBackoff and Metadata.timeToAllowUpdate
// (KIP-580), as ExponentialBackoffTest and MetadataTest check them.
#include <doctest/doctest.h>

#include "kafka/clients.h"

using namespace kafkasim;
using namespace kafkasim::kafka;

namespace {

std::int64_t Ms(Duration d) { return d.ns / 1'000'000; }

MetadataResponse Response(std::vector<std::pair<std::int32_t, std::int32_t>> partition_epochs) {
  MetadataResponse r;
  for (const auto& [partition, epoch] : partition_epochs) {
    r.partitions.push_back(PartitionMetadata{"cities", partition, 1, epoch, Uuid{}});
  }
  return r;
}

}  // namespace

TEST_CASE("retry backoff doubles per attempt within 20% jitter, up to the maximum") {
  // ExponentialBackoffTest.testExponentialBackoff, with Kafka's client defaults (100 ms, 1 s).
  Rng rng(7);
  for (int round = 0; round < 100; ++round) {
    for (std::int64_t attempts = 0; attempts <= 10; ++attempts) {
      const std::int64_t ms =
          Ms(RetryBackoff(Milliseconds(100), Milliseconds(1000), attempts, rng));
      if (attempts <= 3) {
        const double term = 100.0 * static_cast<double>(1 << attempts);
        CAPTURE(attempts);
        CHECK(static_cast<double>(ms) >= term * 0.8 - 1);
        CHECK(static_cast<double>(ms) < term * 1.2);
      } else {
        CHECK(ms <= 1000);
        CHECK(ms >= 800);
      }
    }
  }
}

TEST_CASE("retry backoff without room to grow is the initial interval") {
  Rng rng(1);
  CHECK(Ms(RetryBackoff(Milliseconds(2000), Milliseconds(1000), 5, rng)) == 2000);
}

TEST_CASE("a client asks at once first, then waits retry.backoff.ms after every answer") {
  Rng rng(3);
  MetadataPacing pacing;
  CHECK(pacing.allowed_at() == Time{});
  const Time t0 = Time{} + Milliseconds(5000);
  pacing.Updated(t0, /*news=*/true, rng);
  const std::int64_t wait = Ms(pacing.allowed_at() - t0);
  CHECK(wait >= 80);
  CHECK(wait < 120);
}

TEST_CASE("answers that teach nothing new back off exponentially; news starts over") {
  Rng rng(11);
  MetadataPacing pacing;
  Time now = Time{} + Milliseconds(1000);
  pacing.Updated(now, true, rng);
  // Each equivalent answer in a row: 100, 200, 400, 800 ms (each within 20%), then 1 s at most.
  const std::int64_t terms[] = {100, 200, 400, 800};
  for (std::int64_t term : terms) {
    now = pacing.allowed_at();
    pacing.Updated(now, false, rng);
    const std::int64_t wait = Ms(pacing.allowed_at() - now);
    CAPTURE(term);
    CHECK(wait >= term * 8 / 10);
    CHECK(wait < term * 12 / 10 + 1);
  }
  now = pacing.allowed_at();
  pacing.Updated(now, false, rng);
  CHECK(Ms(pacing.allowed_at() - now) <= 1000);
  // A newer leader epoch: back to retry.backoff.ms.
  now = pacing.allowed_at();
  pacing.Updated(now, true, rng);
  CHECK(Ms(pacing.allowed_at() - now) < 120);
}

TEST_CASE("failed requests back off exponentially, and the next answer starts over") {
  Rng rng(5);
  MetadataPacing pacing;
  Time now = Time{} + Milliseconds(1000);
  pacing.Failed(now, rng);
  CHECK(Ms(pacing.allowed_at() - now) < 120);
  now = pacing.allowed_at();
  pacing.Failed(now, rng);
  CHECK(Ms(pacing.allowed_at() - now) >= 160);
  now = pacing.allowed_at();
  pacing.Updated(now, true, rng);
  CHECK(Ms(pacing.allowed_at() - now) < 120);
}

TEST_CASE("the periodic refresh (metadata.max.age.ms) does not wait for equivalent answers") {
  Rng rng(9);
  MetadataPacing pacing;
  Time now = Time{} + Milliseconds(1000);
  for (int i = 0; i < 5; ++i) {
    pacing.Updated(now, false, rng);
    now = pacing.allowed_at();
  }
  const Time last = now;
  pacing.Updated(last, false, rng);
  CHECK(Ms(pacing.allowed_at() - last) >= 800);
  pacing.Expired();
  CHECK(Ms(pacing.allowed_at() - last) < 120);
}

TEST_CASE("a metadata answer is news when it names a new partition or a newer leader epoch") {
  ClientMetadata md;
  CHECK(ApplyMetadata(md, Response({{0, 3}, {1, 5}})));
  CHECK_FALSE(ApplyMetadata(md, Response({{0, 3}, {1, 5}})));
  CHECK(ApplyMetadata(md, Response({{0, 3}, {1, 6}})));
  CHECK(ApplyMetadata(md, Response({{0, 3}, {1, 6}, {2, 0}})));
  // An older epoch is no news.
  CHECK_FALSE(ApplyMetadata(md, Response({{0, 2}, {1, 6}, {2, 0}})));
  CHECK(md.LeaderOf("cities", 2) == 1);
}

TEST_CASE(
    "a metadata answer at an older leader epoch leaves the partition as known, unless the topic "
    "was created again") {
  // MetadataTest.testUpdateLastEpoch and testEpochUpdateAfterTopicId: the client keeps its
  // newest leader for a partition when a lagging broker answers with an older epoch.
  ClientMetadata md;
  MetadataResponse first = Response({{0, 5}, {1, 5}});
  first.partitions[0].leader = 2;
  REQUIRE(ApplyMetadata(md, first));
  MetadataResponse stale = Response({{0, 4}, {1, 6}});
  stale.partitions[0].leader = 3;
  stale.partitions[1].leader = 3;
  CHECK(ApplyMetadata(md, stale));  // partition 1's newer epoch is news
  CHECK(md.LeaderOf("cities", 0) == 2);
  CHECK(md.LeaderEpochOf("cities", 0) == 5);
  CHECK(md.LeaderOf("cities", 1) == 3);
  CHECK(md.LeaderEpochOf("cities", 1) == 6);
  // The same epoch replaces what was known (a leader that moved without a new epoch is not
  // Kafka's, but the answer is taken as it comes).
  MetadataResponse same = Response({{0, 5}, {1, 6}});
  same.partitions[0].leader = 1;
  CHECK_FALSE(ApplyMetadata(md, same));
  CHECK(md.LeaderOf("cities", 0) == 1);
  // A topic deleted and created again under the same name starts at epoch 0 with a new id.
  MetadataResponse recreated = Response({{0, 0}});
  recreated.partitions[0].topic_id = Uuid{7, 7};
  recreated.partitions[0].leader = 3;
  CHECK(ApplyMetadata(md, recreated));
  CHECK(md.LeaderOf("cities", 0) == 3);
  CHECK(md.LeaderEpochOf("cities", 0) == 0);
  CHECK(md.PartitionsOf("cities").size() == 1);  // partition 1 is gone with the old topic
}

TEST_CASE(
    "a leader named in a produce error replaces the known one only at a newer epoch, for a known "
    "partition, on a live broker") {
  // MetadataTest.testUpdatePartitionLeadership: Metadata.updatePartitionLeadership (KIP-951).
  ClientMetadata md;
  MetadataResponse r = Response({{0, 5}, {1, 5}});
  r.live_brokers = {1, 2, 3};
  r.partitions[1].leader = kNoLeader;
  REQUIRE(ApplyMetadata(md, r));
  CHECK(md.AvailablePartitionsOf("cities") == std::vector<std::int32_t>{0});
  CHECK_FALSE(md.UpdateLeader("cities", 0, 2, 5));    // not newer
  CHECK_FALSE(md.UpdateLeader("cities", 0, 4, 6));    // broker 4 is not known to be alive
  CHECK_FALSE(md.UpdateLeader("cities", 7, 2, 6));    // no such partition
  CHECK_FALSE(md.UpdateLeader("towns", 0, 2, 6));     // no such topic
  CHECK_FALSE(md.UpdateLeader("cities", 0, -1, -1));  // the broker knew no leader
  CHECK(md.LeaderOf("cities", 0) == 1);
  CHECK(md.UpdateLeader("cities", 0, 2, 6));
  CHECK(md.LeaderOf("cities", 0) == 2);
  CHECK(md.LeaderEpochOf("cities", 0) == 6);
  CHECK(md.UpdateLeader("cities", 1, 3, 6));  // a partition without a leader gets one
  CHECK(md.AvailablePartitionsOf("cities") == std::vector<std::int32_t>{0, 1});
}
