// Duration text parsing for scenario files and console commands.
#include "scenario/duration.h"

#include <array>
#include <cstdint>
#include <string>
#include <utility>

namespace kafkasim::scenario {
namespace {

constexpr std::int64_t kMaxNs = INT64_MAX;

Status DurationError(std::string_view text) {
  return {Errc::kInvalidArgument, "'" + std::string(text) + "': " + std::string(kDurationHint)};
}

// Unit suffix -> nanoseconds; longer suffixes first so "ms" is not read as "m" + "s".
constexpr std::array<std::pair<std::string_view, std::int64_t>, 6> kUnits = {{
    {"ns", 1},
    {"us", 1'000},
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60'000'000'000},
    {"h", 3'600'000'000'000},
}};

}  // namespace

Result<Duration> ParseDuration(std::string_view text) {
  std::size_t i = 0;
  std::int64_t whole = 0;
  std::size_t whole_digits = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    if (whole > (kMaxNs - 9) / 10) return DurationError(text);
    whole = whole * 10 + (text[i] - '0');
    ++i;
    ++whole_digits;
  }
  if (whole_digits == 0) return DurationError(text);
  // Fraction digits kept as numerator / 10^k.
  std::int64_t fraction = 0;
  std::int64_t fraction_scale = 1;
  bool has_fraction = false;
  if (i < text.size() && text[i] == '.') {
    has_fraction = true;
    ++i;
    std::size_t digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (digits >= 9) return DurationError(text);  // finer than any unit's nanosecond
      fraction = fraction * 10 + (text[i] - '0');
      fraction_scale *= 10;
      ++i;
      ++digits;
    }
    if (digits == 0) return DurationError(text);
  }
  const std::string_view suffix = text.substr(i);
  if (suffix.empty()) {
    // A bare integer is milliseconds.
    if (has_fraction || whole > kMaxNs / 1'000'000) return DurationError(text);
    return Milliseconds(whole);
  }
  for (const auto& [unit, ns_per_unit] : kUnits) {
    if (suffix != unit) continue;
    if (whole > kMaxNs / ns_per_unit) return DurationError(text);
    // fraction / fraction_scale of a unit, computed without overflow: fraction < scale, so
    // each partial product stays below ns_per_unit or below scale^2 <= 10^18.
    std::int64_t fraction_ns = 0;
    if (has_fraction) {
      if (ns_per_unit % fraction_scale == 0) {
        fraction_ns = fraction * (ns_per_unit / fraction_scale);
      } else if ((fraction * (ns_per_unit % fraction_scale)) % fraction_scale == 0) {
        fraction_ns = fraction * (ns_per_unit / fraction_scale) +
                      fraction * (ns_per_unit % fraction_scale) / fraction_scale;
      } else {
        return DurationError(text);  // not a whole number of nanoseconds
      }
    }
    const std::int64_t whole_ns = whole * ns_per_unit;
    if (whole_ns > kMaxNs - fraction_ns) return DurationError(text);
    return Nanoseconds(whole_ns + fraction_ns);
  }
  return DurationError(text);
}

}  // namespace kafkasim::scenario
