// Wall-clock timing of kafkasim-gui's frames, printed after `--frames N` (docs/BENCHMARKS.md,
// GUI): the world update (before NewFrame), the UI build (NewFrame..Render) and the whole
// frame (NewFrame..swap).
#pragma once

#include <chrono>
#include <cstdio>
#include <vector>

namespace kafkasim::gui {

class FrameTimer {
 public:
  // Frames left out of the report while caches and the font texture warm up.
  static constexpr std::size_t kWarmUpFrames = 20;

  // Before App::Update. Returns the wall seconds since the previous call (the frame's play
  // time), or since construction on the first call.
  double UpdateStarts();
  void UpdateEnds();
  // Before ImGui::NewFrame.
  void BuildStarts();
  // After ImGui::Render.
  void BuildEnds();
  // After the swap.
  void FrameEnds();

  // Median and p90 of each phase after the warm-up frames; prints nothing with too few frames.
  void Report(std::FILE* out) const;

 private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point last_frame_ = Clock::now();
  Clock::time_point update_start_, build_start_;
  std::vector<double> update_ms_, build_ms_, whole_ms_;
};

}  // namespace kafkasim::gui
