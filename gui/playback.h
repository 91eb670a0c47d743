// Play speed and the per-frame budget: how far the world advances for one frame of wall time.
#pragma once

#include <cstdint>
#include <string>

#include "engine/time.h"

namespace kafkasim::gui {

constexpr double kSpeedMin = 0.01;  // 1/100 of real time
constexpr double kSpeedMax = 1000;  // beyond this the slider's "max" runs the budget out
constexpr std::uint64_t kEventsPerFrameMax = 20'000;
constexpr double kFrameSecondsMax = 0.1;  // a stalled frame does not make the world jump

// Virtual time to advance to: `now` plus `speed` times the wall time of the frame (clamped).
Time PlaybackTarget(Time now, double wall_seconds, double speed);

// "1/100x", "1/4x", "1x", "25x": the speed as a teacher reads it.
std::string FormatSpeed(double speed);

}  // namespace kafkasim::gui
