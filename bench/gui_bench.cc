// The GUI's headless UI-build benchmark (docs/BENCHMARKS.md, GUI): the real scenario runner on
// bench/gui/twenty-brokers.json (or, with --load hundred, bench/gui/hundred-brokers.json),
// opened as kafkasim-gui opens it, run to t=19s and played at 1x through broker-1's crash while
// every visible panel is drawn with ImGui and no backend (no GL, so no raster time;
// `kafkasim-gui --frames N` under xvfb-run measures whole frames).
// Times per frame: the world update (App::Update: advance by the per-frame budget, snapshot,
// view-models) and the UI build (NewFrame..Render). Prints medians and p90s per run, how many
// whole frames (update + build) took over 16 ms and the virtual times they ran to, how far the
// world fell behind the playback clock (App::Update runs the simulation for at most
// kAdvanceBudgetMs a frame and makes the rest up later), then the median over runs.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "gui/app.h"
#include "gui/headless.h"
#include "gui/session.h"
#include "imgui.h"

namespace kafkasim::bench {
namespace {

constexpr int kWarmUpFrames = 20;

// A benchmark world: its scenario under bench/gui/ and the partitions its one topic has.
struct Load {
  const char* name;
  const char* file;
  std::size_t partitions;
  const char* what;
};

constexpr Load kLoads[] = {
    {"twenty", "twenty-brokers.json", 500, "20 brokers / 500 partitions"},
    {"hundred", "hundred-brokers.json", 10000, "100 brokers / 10,000 partitions"},
};

struct Sample {
  double build_median_ms = 0, build_p90_ms = 0;
  double update_median_ms = 0, update_p90_ms = 0;
  // The world update in two: running the simulation, then the snapshot and view-models.
  double advance_median_ms = 0, advance_p90_ms = 0, snapshot_median_ms = 0, snapshot_p90_ms = 0;
  // Whole frames: world update plus UI build.
  double frame_median_ms = 0, frame_p90_ms = 0;
  std::size_t frames_over_budget = 0;
  std::string over_budget_at;  // the virtual times of the frames over budget ("20.050s ...")
  // How far the world fell behind the playback clock (virtual time a frame's simulation budget
  // did not reach, run by later frames), and the virtual time played in the timed frames.
  double lag_max_ms = 0, lag_end_ms = 0, played_ms = 0;
};

constexpr double kFrameBudgetMs = 16.0;

double Quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(static_cast<double>(v.size()) * q)];
}

double Median(std::vector<double> v) { return Quantile(std::move(v), 0.5); }

double MillisecondsBetween(std::chrono::steady_clock::time_point a,
                           std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// One run: a fresh session and ImGui context, `frames` timed frames after the warm-up.
// Returns false when the world or the draw data is not what the benchmark claims to measure.
bool Run(const Load& load, int frames, Sample& sample) {
  gui::Options options;
  options.scenario = std::string(KAFKASIM_SOURCE_DIR) + "/bench/gui/" + load.file;
  options.at = kTimeZero + Seconds(19);
  options.play = true;
  std::string error;
  std::unique_ptr<SessionControl> session = gui::OpenScenario(options, &error);
  if (session == nullptr) {
    std::fprintf(stderr, "gui_bench: %s\n", error.c_str());
    return false;
  }
  gui::HeadlessContext context;
  gui::App app(std::move(session));
  gui::Configure(options, app);
  if (!gui::BuildFontAtlas()) return false;
  std::vector<double> build_ms, update_ms, advance_ms, snapshot_ms, frame_ms;
  Time played_from;
  for (int frame = 0; frame < kWarmUpFrames + frames; ++frame) {
    if (frame == kWarmUpFrames) played_from = app.session().View().now;
    const auto t0 = std::chrono::steady_clock::now();
    app.Update(1.0 / 60);
    const auto t1 = std::chrono::steady_clock::now();
    gui::NewHeadlessFrame({1600, 1000}, 1.0f / 60);
    app.Draw();
    ImGui::Render();
    const auto t2 = std::chrono::steady_clock::now();
    const ImDrawData* d = ImGui::GetDrawData();
    if (d == nullptr || !d->Valid || d->TotalVtxCount == 0) return false;
    if (frame < kWarmUpFrames) continue;
    update_ms.push_back(MillisecondsBetween(t0, t1));
    advance_ms.push_back(app.last_advance_ms());
    snapshot_ms.push_back(MillisecondsBetween(t0, t1) - app.last_advance_ms());
    build_ms.push_back(MillisecondsBetween(t1, t2));
    frame_ms.push_back(MillisecondsBetween(t0, t2));
    sample.lag_end_ms = static_cast<double>(app.playback_lag().ns) / 1e6;
    sample.lag_max_ms = std::max(sample.lag_max_ms, sample.lag_end_ms);
    if (frame_ms.back() > kFrameBudgetMs) {
      ++sample.frames_over_budget;
      if (sample.frames_over_budget <= 12) {
        sample.over_budget_at += " " + FormatTime(app.session().View().now);
      }
    }
  }
  const view::WorldView& world = app.session().View();
  sample.played_ms = static_cast<double>((world.now - played_from).ns) / 1e6;
  if (world.topics.empty() || world.topics[0].partitions.size() != load.partitions) return false;
  std::printf("  t=%s after the run, %zu partitions\n", FormatTime(world.now).c_str(),
              world.topics[0].partitions.size());
  sample.build_median_ms = Quantile(build_ms, 0.5);
  sample.build_p90_ms = Quantile(build_ms, 0.9);
  sample.update_median_ms = Quantile(update_ms, 0.5);
  sample.update_p90_ms = Quantile(update_ms, 0.9);
  sample.advance_median_ms = Quantile(advance_ms, 0.5);
  sample.advance_p90_ms = Quantile(advance_ms, 0.9);
  sample.snapshot_median_ms = Quantile(snapshot_ms, 0.5);
  sample.snapshot_p90_ms = Quantile(snapshot_ms, 0.9);
  sample.frame_median_ms = Quantile(frame_ms, 0.5);
  sample.frame_p90_ms = Quantile(frame_ms, 0.9);
  return true;
}

int Usage() {
  std::fprintf(stderr,
               "usage: gui_bench [--load twenty|hundred] [--frames N] [--runs R]   (defaults: "
               "twenty, N=300, R=3)\n");
  return 2;
}

int Main(int argc, char** argv) {
  int frames = 300, runs = 3;
  const Load* load = &kLoads[0];
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--load") == 0 && i + 1 < argc) {
      ++i;
      load = nullptr;
      for (const Load& l : kLoads) {
        if (std::strcmp(argv[i], l.name) == 0) load = &l;
      }
      if (load == nullptr) return Usage();
      continue;
    }
    int* target = std::strcmp(argv[i], "--frames") == 0 ? &frames
                  : std::strcmp(argv[i], "--runs") == 0 ? &runs
                                                        : nullptr;
    if (target == nullptr || i + 1 >= argc) return Usage();
    char* end = nullptr;
    const long value = std::strtol(argv[++i], &end, 10);
    if (*end != '\0' || value < 1 || value > 100000) return Usage();
    *target = static_cast<int>(value);
  }
  std::printf(
      "gui bench: headless (no GL), real runner, %s, from t=19s at 1x, %d frames after %d "
      "warm-up, %d runs\n",
      load->what, frames, kWarmUpFrames, runs);
  std::vector<double> build, build_p90, update, advance, snapshot, frame, frame_p90;
  for (int run = 1; run <= runs; ++run) {
    Sample s;
    if (!Run(*load, frames, s)) {
      std::fprintf(stderr, "gui_bench: run %d did not draw the benchmark world\n", run);
      return 1;
    }
    std::printf(
        "run %d: UI build median %.3f ms (p90 %.3f), world update median %.3f ms "
        "(p90 %.3f) = simulation %.3f (p90 %.3f) + snapshot and models %.3f (p90 %.3f)\n",
        run, s.build_median_ms, s.build_p90_ms, s.update_median_ms, s.update_p90_ms,
        s.advance_median_ms, s.advance_p90_ms, s.snapshot_median_ms, s.snapshot_p90_ms);
    std::printf("  whole frame median %.3f ms (p90 %.3f); %zu of %d frames over %.0f ms%s%s\n",
                s.frame_median_ms, s.frame_p90_ms, s.frames_over_budget, frames, kFrameBudgetMs,
                s.frames_over_budget > 0 ? ", ending at" : "", s.over_budget_at.c_str());
    std::printf(
        "  played %.0f ms of virtual time in %d frames of 16.7 ms at 1x; the world behind the "
        "playback clock by at most %.1f ms, %.1f ms after the last frame\n",
        s.played_ms, frames, s.lag_max_ms, s.lag_end_ms);
    build.push_back(s.build_median_ms);
    build_p90.push_back(s.build_p90_ms);
    update.push_back(s.update_median_ms);
    advance.push_back(s.advance_median_ms);
    snapshot.push_back(s.snapshot_median_ms);
    frame.push_back(s.frame_median_ms);
    frame_p90.push_back(s.frame_p90_ms);
  }
  std::printf(
      "median of %d runs: UI build %.3f ms (p90 %.3f), world update %.3f ms = simulation "
      "%.3f + snapshot and models %.3f; whole frame %.3f ms (p90 %.3f)\n",
      runs, Median(build), Median(build_p90), Median(update), Median(advance), Median(snapshot),
      Median(frame), Median(frame_p90));
  return 0;
}

}  // namespace
}  // namespace kafkasim::bench

int main(int argc, char** argv) { return kafkasim::bench::Main(argc, argv); }
