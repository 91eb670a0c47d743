// Play speed and the per-frame budget: how far the world advances for one frame of wall time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engine/time.h"

namespace kafkasim::gui {

constexpr double kSpeedMin = 0.01;  // 1/100 of real time
constexpr double kSpeedMax = 1000;  // beyond this the slider's "max" runs the budget out
constexpr std::uint64_t kEventsPerFrameMax = 20'000;
constexpr double kFrameSecondsMax = 0.1;  // a stalled frame does not make the world jump

// Wall time a frame may spend running the simulation. With the snapshot and the UI build
// (about 2 ms each at 100 brokers) a frame stays inside 16 ms; what a frame could not run is
// run by the next ones (PlaybackClock).
constexpr double kAdvanceBudgetMs = 10;
// How far, in wall time at the current speed, the playback clock may run ahead of the world.
// Bursts of work (every broker's housekeeping tick at once) are caught up within it; a world
// that cannot keep up with the speed for longer plays slower instead of jumping later.
constexpr double kCatchUpSeconds = 0.25;

// Virtual time to advance to: `now` plus `speed` times the wall time of the frame (clamped).
Time PlaybackTarget(Time now, double wall_seconds, double speed);

// The playback clock after one more frame: where the world should be when playing at `speed`.
// It moves on from where it was (`clock`, or `now` when the world got ahead of it or play just
// began: nullopt) by the frame's wall time, so virtual time a frame did not reach within its
// budget is made up by the next frames; it is never more than kCatchUpSeconds of play ahead
// of `now`.
Time PlaybackClock(std::optional<Time> clock, Time now, double wall_seconds, double speed);

// "1/100x", "1/4x", "1x", "25x": the speed as a teacher reads it.
std::string FormatSpeed(double speed);

}  // namespace kafkasim::gui
