// Per-frame advance of virtual time.
#include "gui/playback.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace kafkasim::gui {

Time PlaybackTarget(Time now, double wall_seconds, double speed) {
  const double seconds =
      std::clamp(wall_seconds, 0.0, kFrameSecondsMax) * std::clamp(speed, kSpeedMin, kSpeedMax);
  return now + Nanoseconds(std::llround(seconds * 1e9));
}

Time PlaybackClock(std::optional<Time> clock, Time now, double wall_seconds, double speed) {
  const Time from = clock && *clock > now ? *clock : now;
  const double ahead_max = kCatchUpSeconds * std::clamp(speed, kSpeedMin, kSpeedMax);
  return std::min(PlaybackTarget(from, wall_seconds, speed),
                  now + Nanoseconds(std::llround(ahead_max * 1e9)));
}

std::string FormatSpeed(double speed) {
  if (speed < 1) {
    const double inverse = 1 / speed;
    if (std::fabs(inverse - std::round(inverse)) < 0.05) {
      return fmt::format("1/{}x", std::llround(inverse));
    }
    return fmt::format("{:.2f}x", speed);
  }
  if (std::fabs(speed - std::round(speed)) < 0.05) return fmt::format("{}x", std::llround(speed));
  return fmt::format("{:.1f}x", speed);
}

}  // namespace kafkasim::gui
