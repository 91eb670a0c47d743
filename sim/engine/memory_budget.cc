// Memory budget: /proc/self/statm for the resident size, sysconf for the machine's memory.
#include "engine/memory_budget.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>

namespace kafkasim {

namespace {
constexpr std::uint64_t kKiB = 1024;
constexpr std::uint64_t kMinBudget = 64 * kKiB * kKiB;
}  // namespace

std::uint64_t PhysicalMemoryBytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return 0;
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page);
}

std::uint64_t ResidentBytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long long size = 0;
  unsigned long long resident = 0;
  const int read = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  const long page = sysconf(_SC_PAGESIZE);
  if (read != 2 || page <= 0) return 0;
  return resident * static_cast<std::uint64_t>(page);
}

Result<std::uint64_t> ParseMemorySize(const std::string& text) {
  const auto bad = [&text](const std::string& why) {
    return Status(Errc::kInvalidArgument, "'" + text + "': " + why);
  };
  std::uint64_t number = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(begin, end, number);
  if (ec == std::errc::result_out_of_range) return bad("too large");
  if (ec != std::errc() || ptr == begin) {
    return bad("expected a size like 512M, 4G or 2GiB");
  }
  std::string unit(ptr, end);
  std::transform(unit.begin(), unit.end(), unit.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  std::uint64_t scale = 0;
  if (unit.empty() || unit == "B") {
    scale = 1;
  } else if (unit == "K" || unit == "KIB") {
    scale = kKiB;
  } else if (unit == "M" || unit == "MIB") {
    scale = kKiB * kKiB;
  } else if (unit == "G" || unit == "GIB") {
    scale = kKiB * kKiB * kKiB;
  } else if (unit == "T" || unit == "TIB") {
    scale = kKiB * kKiB * kKiB * kKiB;
  } else {
    return bad("unknown unit '" + std::string(ptr, end) + "'; expected K, M, G or T");
  }
  if (number > UINT64_MAX / scale) return bad("too large");
  const std::uint64_t bytes = number * scale;
  if (bytes < kMinBudget) return bad("less than the least a run needs, 64M");
  if (const std::uint64_t machine = PhysicalMemoryBytes(); machine != 0 && bytes > machine) {
    return bad("more than this machine's memory, " + FormatMemorySize(machine));
  }
  return bytes;
}

std::string FormatMemorySize(std::uint64_t bytes) {
  const double mib = static_cast<double>(bytes) / static_cast<double>(kKiB * kKiB);
  if (mib >= 1024.0) return fmt::format("{:.1f} GiB", mib / 1024.0);
  if (bytes < kKiB * kKiB) return fmt::format("{} KiB", bytes / kKiB);
  return fmt::format("{:.0f} MiB", mib);
}

std::uint64_t MemoryBudget::DefaultBytes(int processes) {
  std::uint64_t machine = PhysicalMemoryBytes();
  if (machine == 0) machine = 4 * kKiB * kKiB * kKiB;
  const std::uint64_t share = machine / 4 * 3 / static_cast<std::uint64_t>(std::max(processes, 1));
  return std::max(share, kMinBudget);
}

std::string MemoryBudget::Check() const {
  const std::uint64_t resident = ResidentBytes();
  if (resident <= bytes_) return "";
  return fmt::format("memory {} passed the --max-memory budget of {}", FormatMemorySize(resident),
                     FormatMemorySize(bytes_));
}

}  // namespace kafkasim
