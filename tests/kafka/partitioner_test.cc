// Kafka's partitioner must match byte for byte: vectors from Kafka's UtilsTest.testMurmur2.
#include "kafka/partitioner.h"

#include <doctest/doctest.h>

#include <map>

#include "kafka/group_hash.h"

using namespace kafkasim;
using namespace kafkasim::kafka;

TEST_CASE("partitioner: murmur2 matches Kafka's UtilsTest vectors") {
  CHECK(Murmur2("21") == -973932308);
  CHECK(Murmur2("foobar") == -790332482);
  CHECK(Murmur2("a-little-bit-long-string") == -985981536);
  CHECK(Murmur2("a-little-bit-longer-string") == -1486304829);
  CHECK(Murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8") == -58897971);
  const std::uint8_t abc[] = {'a', 'b', 'c'};
  CHECK(Murmur2(std::span<const std::uint8_t>(abc, 3)) == 479470107);
}

TEST_CASE("partitioner: keyed records go to toPositive(murmur2) mod partitions") {
  CHECK(PartitionForKey("21", 3) == 0);
  CHECK(PartitionForKey("a-little-bit-long-string", 3) == 2);
  CHECK(PartitionForKey("a-little-bit-longer-string", 6) == 5);
  CHECK(PartitionForKey("abc", 6) == 3);
}

TEST_CASE("partitioner: Java String.hashCode maps groups to __consumer_offsets partitions") {
  // Checked in Java (kafka-semantics.md 4.2).
  CHECK(JavaUtf16HashCode("my-group") == -1906497762);
  CHECK(JavaUtf16HashCode("test-group") == 627841412);
  CHECK(JavaUtf16HashCode("group1") == -1237460590);
}

TEST_CASE("partitioner: null keys stick to a partition for batch.size bytes, then move") {
  StickyPartitioner sticky(1000);
  Rng rng(42);
  const std::vector<std::int32_t> all{0, 1, 2};
  std::vector<std::int32_t> chosen;
  for (int i = 0; i < 30; ++i) chosen.push_back(sticky.Next(100, all, rng));
  for (int i = 1; i < 10; ++i) CHECK(chosen[static_cast<std::size_t>(i)] == chosen[0]);
  CHECK(chosen[10] != chosen[9]);
  // A partition without a leader is left at once.
  const std::vector<std::int32_t> without{(chosen[29] + 1) % 3};
  CHECK(sticky.Next(100, without, rng) == without[0]);
}
