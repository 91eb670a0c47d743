// --max-memory sizes and the budget check.
#include "engine/memory_budget.h"

#include <doctest/doctest.h>

namespace kafkasim {
namespace {

TEST_CASE("memory budget: sizes take K, M, G and T (and KiB..) as powers of 1024") {
  CHECK(ParseMemorySize("512M").value() == 512ull << 20);
  CHECK(ParseMemorySize("2g").value() == 2ull << 30);
  CHECK(ParseMemorySize("1536MiB").value() == 1536ull << 20);
  CHECK(ParseMemorySize("67108864").value() == 64ull << 20);
}

TEST_CASE("memory budget: a bad size says what was given and what is valid") {
  CHECK(ParseMemorySize("").status().message() == "'': expected a size like 512M, 4G or 2GiB");
  CHECK(ParseMemorySize("-1G").status().message() ==
        "'-1G': expected a size like 512M, 4G or 2GiB");
  CHECK(ParseMemorySize("4Q").status().message() ==
        "'4Q': unknown unit 'Q'; expected K, M, G or T");
  CHECK(ParseMemorySize("10M").status().message() == "'10M': less than the least a run needs, 64M");
  CHECK(ParseMemorySize("99999999999999999999").status().message() ==
        "'99999999999999999999': too large");
  CHECK(ParseMemorySize("20000000T").status().message() == "'20000000T': too large");
  CHECK(ParseMemorySize("4096T").status().message().starts_with(
      "'4096T': more than this machine's memory, "));
}

TEST_CASE("memory budget: this process is within a large budget and over a tiny one") {
  CHECK(ResidentBytes() > 0);
  CHECK(MemoryBudget(PhysicalMemoryBytes()).Check() == "");
  const std::string over = MemoryBudget(1024).Check();
  CHECK(over.starts_with("memory "));
  CHECK(over.ends_with(" passed the --max-memory budget of 1 KiB"));
  CHECK(MemoryBudget::DefaultBytes(1) >= MemoryBudget::DefaultBytes(4));
}

}  // namespace
}  // namespace kafkasim
