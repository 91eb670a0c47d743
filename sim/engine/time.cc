// Formatting of virtual times and durations for traces and messages.
#include "engine/time.h"

#include <fmt/format.h>

namespace kafkasim {

std::string FormatTime(Time t) {
  const std::int64_t ms = t.ns / 1'000'000;
  return fmt::format("{}.{:03d}s", ms / 1000, ms % 1000);
}

std::string FormatDuration(Duration d) {
  if (d.ns % 1'000'000'000 == 0) return fmt::format("{}s", d.ns / 1'000'000'000);
  if (d.ns % 1'000'000 == 0) return fmt::format("{}ms", d.ns / 1'000'000);
  if (d.ns % 1'000 == 0) return fmt::format("{}us", d.ns / 1'000);
  return fmt::format("{}ns", d.ns);
}

}  // namespace kafkasim
