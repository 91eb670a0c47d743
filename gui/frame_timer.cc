// Frame timing for kafkasim-gui --frames.
#include "gui/frame_timer.h"

#include <algorithm>

namespace kafkasim::gui {
namespace {

double MillisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

// The q-quantile (0.5 median, 0.9 p90) of the samples after the warm-up.
double Quantile(const std::vector<double>& samples, std::size_t skip, double q) {
  std::vector<double> v(samples.begin() + static_cast<std::ptrdiff_t>(skip), samples.end());
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(static_cast<double>(v.size()) * q)];
}

}  // namespace

double FrameTimer::UpdateStarts() {
  update_start_ = Clock::now();
  const double wall = std::chrono::duration<double>(update_start_ - last_frame_).count();
  last_frame_ = update_start_;
  return wall;
}

void FrameTimer::UpdateEnds() { update_ms_.push_back(MillisecondsSince(update_start_)); }

void FrameTimer::BuildStarts() { build_start_ = Clock::now(); }

void FrameTimer::BuildEnds() { build_ms_.push_back(MillisecondsSince(build_start_)); }

void FrameTimer::FrameEnds() { whole_ms_.push_back(MillisecondsSince(build_start_)); }

void FrameTimer::Report(std::FILE* out) const {
  const std::size_t frames = std::min({update_ms_.size(), build_ms_.size(), whole_ms_.size()});
  if (frames <= kWarmUpFrames) return;
  const std::size_t n = kWarmUpFrames;
  std::fprintf(out,
               "kafkasim-gui: UI build (NewFrame..Render) median %.3f ms, p90 %.3f ms "
               "over %zu frames\n",
               Quantile(build_ms_, n, 0.5), Quantile(build_ms_, n, 0.9), frames - n);
  std::fprintf(out, "kafkasim-gui: whole frame (NewFrame..swap) median %.3f ms, p90 %.3f ms\n",
               Quantile(whole_ms_, n, 0.5), Quantile(whole_ms_, n, 0.9));
  std::fprintf(out,
               "kafkasim-gui: world update (advance + snapshot, before NewFrame) median %.3f ms, "
               "p90 %.3f ms\n",
               Quantile(update_ms_, n, 0.5), Quantile(update_ms_, n, 0.9));
}

}  // namespace kafkasim::gui
