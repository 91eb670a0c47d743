// The memory a run may use (`--max-memory`): a run that passes it stops with a clear message
// and what it had reached, instead of being killed by the kernel's OOM killer.
//
// Reading the process's resident size is the only thing here that looks outside the
// simulation, and it decides only whether the run goes on: it never changes what the
// simulation does, so a run that stays within its budget has the same trace hash as any other.
#pragma once

#include <cstdint>
#include <string>

#include "engine/status.h"

namespace kafkasim {

// The machine's physical memory in bytes (0 when unknown).
std::uint64_t PhysicalMemoryBytes();
// This process's resident set size in bytes (0 when unknown).
std::uint64_t ResidentBytes();

// Sizes as `--max-memory` takes them: a whole number with a unit, "512M", "4G", "1536MiB",
// "2GiB" (K, M, G, T and their KiB.. forms are powers of 1024; a plain number is bytes), from
// 64 MiB up to the machine's physical memory.
Result<std::uint64_t> ParseMemorySize(const std::string& text);
std::string FormatMemorySize(std::uint64_t bytes);  // "1.5 GiB", "512 MiB"

class MemoryBudget {
 public:
  // The default: three quarters of the machine's memory shared by `processes` runs at once
  // (the swarm's workers), so that together they leave room for the rest of the machine.
  static std::uint64_t DefaultBytes(int processes = 1);

  explicit MemoryBudget(std::uint64_t bytes) : bytes_(bytes) {}
  std::uint64_t bytes() const { return bytes_; }
  // "" while the process is within the budget; else what was passed, e.g. "memory 6.1 GiB
  // passed the --max-memory budget of 6 GiB".
  std::string Check() const;

 private:
  std::uint64_t bytes_;
};

}  // namespace kafkasim
