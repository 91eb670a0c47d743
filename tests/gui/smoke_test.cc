// Headless GUI smoke test (ImGui's example_null: no window, no GL) over the real World: every
// bundled scenario opened as `kafkasim-gui FILE` opens it, every panel drawn for a few hundred
// frames while the world plays by the per-frame event budget, jumps through the scenario's
// steps and rewinds. Drawing must not change the world: after every frame its trace hash equals
// that of the same scenario run headless, never drawn, to the same event.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "gui/app.h"
#include "gui/cluster_layout.h"
#include "gui/headless.h"
#include "gui/panels.h"
#include "gui/playback.h"
#include "gui/session.h"
#include "imgui.h"
#include "imgui_internal.h"
#include "scenario/scenario.h"

namespace kafkasim::gui {
namespace {

const ImVec2 kDisplay{1600, 1000};
constexpr double kFrameSeconds = 1.0 / 60;

std::string SourcePath(const std::string& relative) {
  return std::string(KAFKASIM_SOURCE_DIR) + "/" + relative;
}

// scenarios/*.json but the schema, sorted.
std::vector<std::string> BundledScenarios() {
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator(SourcePath("scenarios"))) {
    const std::filesystem::path& p = entry.path();
    if (p.extension() == ".json" && p.filename() != "schema.json") paths.push_back(p.string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

Options ScenarioOptions(const std::string& path, float scale = 1.0f) {
  Options options;
  options.scenario = path;
  options.scale = scale;
  return options;
}

// Opens the scenario the way kafkasim-gui does (gui::OpenScenario).
std::unique_ptr<SessionControl> Open(const Options& options) {
  std::string error;
  std::unique_ptr<SessionControl> session = OpenScenario(options, &error);
  INFO(error);
  REQUIRE(session != nullptr);
  return session;
}

// The same scenario run headless and never drawn, one event at a time, so its trace can be
// compared with the drawn session's after exactly as many events.
class Reference {
 public:
  explicit Reference(std::string path) : path_(std::move(path)) { Reopen(); }

  // The trace hash after `events` events (re-executing from the start when already past them,
  // as the drawn session does after a rewind).
  std::string HashAfter(std::uint64_t events) {
    if (events < events_) Reopen();
    while (events_ < events) {
      REQUIRE(session_->StepEvent());
      ++events_;
    }
    const view::WorldView& view = session_->View();
    REQUIRE(view.events_executed == events_);
    return view.trace_hash;
  }

 private:
  void Reopen() {
    session_ = Open(ScenarioOptions(path_));
    events_ = session_->View().events_executed;
  }

  std::string path_;
  std::unique_ptr<SessionControl> session_;
  std::uint64_t events_ = 0;
};

void CheckDrawData() {
  const ImDrawData* d = ImGui::GetDrawData();
  REQUIRE(d != nullptr);
  CHECK(d->Valid);
  CHECK(d->CmdListsCount >= 3);
  CHECK(d->TotalVtxCount > 0);
}

// One frame as kafkasim-gui draws it, plus the panels the layout keeps in hidden tabs, each
// in a window of its own. The mouse sweeps the display and right-clicks now and then (opening
// the node menu); nothing it queues reaches the world. Checks that drawing ran no event and
// added no trace event, and that the world equals the reference's after as many events.
void DrawFrame(App& app, Reference& reference, int frame) {
  ImGuiIO& io = ImGui::GetIO();
  io.MousePos = {static_cast<float>((frame * 37) % static_cast<int>(kDisplay.x)),
                 static_cast<float>((frame * 53) % static_cast<int>(kDisplay.y))};
  io.MouseDown[1] = frame % 50 == 10;
  const view::WorldView& world = app.session().View();
  const std::size_t trace_size = world.trace->size();
  const std::uint64_t events = world.events_executed;
  const Time now = world.now;
  NewHeadlessFrame(kDisplay, static_cast<float>(kFrameSeconds));
  app.Draw();
  const PanelFn hidden[] = {topics::Draw,    partition::Draw, quorum::Draw,
                            clients::Draw,   metrics::Draw,   checks::Draw,
                            event_log::Draw, console::Draw,   narration::Draw};
  int i = 0;
  for (PanelFn draw : hidden) {
    ImGui::SetNextWindowPos({0, 0});
    ImGui::SetNextWindowSize({700, 500});
    ImGui::Begin(("panel " + std::to_string(i++)).c_str());
    draw(world, app.state(), app.queue());
    ImGui::End();
  }
  ImGui::Render();
  CheckDrawData();
  app.queue().Clear();
  REQUIRE(world.trace->size() == trace_size);
  const view::WorldView& after = app.session().View();
  REQUIRE(after.events_executed == events);
  REQUIRE(after.now == now);
  REQUIRE(after.trace_hash == reference.HashAfter(events));
}

// Up to `count` of the scenario's step times, spread over the run: its interesting moments.
std::vector<Time> Moments(const std::string& path, std::size_t count) {
  Result<scenario::Scenario> loaded = scenario::LoadScenario(path);
  REQUIRE(loaded.ok());
  std::vector<Time> times;
  for (const scenario::Step& step : loaded->steps) {
    if (times.empty() || step.at != times.back()) times.push_back(step.at);
  }
  if (times.size() <= count) return times;
  std::vector<Time> spread;
  for (std::size_t i = 0; i < count; ++i) spread.push_back(times[i * times.size() / count]);
  return spread;
}

// Plays at `speed` for `frames` frames (on through pause steps, as a teacher clicking Play).
void Play(App& app, Reference& reference, int& frame, int frames, double speed) {
  for (int i = 0; i < frames; ++i, ++frame) {
    app.state().playing = true;
    app.state().speed = speed;
    app.Update(kFrameSeconds);
    DrawFrame(app, reference, frame);
  }
}

// A session control for the next frame, as the transport or the timeline would queue it.
void Queue(App& app, Reference& reference, int& frame, void (*request)(CommandQueue&, Time),
           Time t) {
  request(app.queue(), t);
  app.Update(kFrameSeconds);
  DrawFrame(app, reference, frame++);
}

TEST_CASE("gui smoke: every panel draws every bundled scenario without changing its world") {
  const std::vector<std::string> scenarios = BundledScenarios();
  REQUIRE(std::find(scenarios.begin(), scenarios.end(),
                    SourcePath("scenarios/broker-failure.json")) != scenarios.end());
  for (std::size_t s = 0; s < scenarios.size(); ++s) {
    const std::string& path = scenarios[s];
    INFO(path);
    HeadlessContext context;
    const Options options = ScenarioOptions(path, s % 2 == 0 ? 1.0f : 2.0f);  // both sizes
    App app(Open(options));
    Configure(options, app);
    REQUIRE(BuildFontAtlas());
    Reference reference(path);
    int frame = 0;
    const Time end = app.session().View().end;
    const auto jump = [](CommandQueue& q, Time t) { q.rewind_to_time = t; };
    const auto next_interesting = [](CommandQueue& q, Time) { q.step_to_interesting = true; };
    const auto step_three = [](CommandQueue& q, Time) { q.step_events = 3; };
    for (Time moment : Moments(path, 6)) {
      // Jump ahead to a second before the step, as a click on the timeline does.
      const Time before = std::max(kTimeZero, moment - Seconds(1));
      if (before > app.session().View().now) Queue(app, reference, frame, jump, before);
      Play(app, reference, frame, 40, 3);  // 2 s of virtual time through the step
      Queue(app, reference, frame, next_interesting, {});
      Queue(app, reference, frame, step_three, {});
    }
    // To the end as fast as the per-frame event budget allows.
    app.state().as_fast_as_possible = true;
    for (int i = 0; i < 200 && app.session().View().now < end; ++i) {
      Play(app, reference, frame, 1, 1);
    }
    CHECK(app.session().View().now == end);
    app.state().as_fast_as_possible = false;
    // Rewinds re-execute from the start: to half-time (on through the pause steps before it),
    // then to a third of the trace's events.
    const Time half = kTimeZero + (end - kTimeZero) / 2;
    Queue(app, reference, frame, jump, half);
    CHECK_MESSAGE(app.session().View().now == half, FormatTime(app.session().View().now));
    app.queue().rewind_to_event = app.session().View().trace->size() / 3;
    app.Update(kFrameSeconds);
    DrawFrame(app, reference, frame++);
    Play(app, reference, frame, 20, 1);
    MESSAGE(path << ": " << frame << " frames, drawn world equals the undrawn one");
    CHECK(frame >= 150);
  }
}

// Where the cluster map draws `name`, in screen coordinates, as cluster_map::Draw lays it out.
ImVec2 NodeOnMap(const view::WorldView& world, const std::string& name) {
  ImGuiWindow* map = ImGui::FindWindowByName("Cluster");
  REQUIRE(map != nullptr);
  const ImVec2 min = map->ContentRegionRect.Min, max = map->ContentRegionRect.Max;
  const float font = ImGui::GetFontSize();
  const ClusterLayout layout =
      LayoutCluster(world, max.x - min.x, max.y - min.y - font * 1.4f, font * 2.2f + 2);
  for (std::size_t i = 0; i < world.nodes.size(); ++i) {
    if (world.nodes[i].name == name) {
      return {min.x + layout.centers[i].x, min.y + layout.centers[i].y};
    }
  }
  FAIL("no node " << name);
  return {};
}

TEST_CASE("gui smoke: a right click on a broker offers crash, and the click crashes it") {
  HeadlessContext context;
  const Options options = ScenarioOptions(SourcePath("scenarios/broker-failure.json"));
  App app(Open(options));
  Configure(options, app);
  REQUIRE(BuildFontAtlas());
  app.Update(0);
  ImVec2 mouse{0, 0};
  for (int frame = 0; frame < 12 && app.queue().commands.empty(); ++frame) {
    ImGuiIO& io = ImGui::GetIO();
    io.MouseDown[1] = frame == 2;
    io.MouseDown[0] = frame == 6;
    io.MousePos = mouse;
    NewHeadlessFrame(kDisplay, static_cast<float>(kFrameSeconds));
    app.Draw();
    if (frame == 0) mouse = NodeOnMap(app.session().View(), "broker-1");
    if (frame == 5) {  // the menu is open: click its first item, "Crash (power loss)"
      ImGuiContext& g = *ImGui::GetCurrentContext();
      REQUIRE_FALSE(g.OpenPopupStack.empty());
      const ImGuiWindow* popup = g.OpenPopupStack.back().Window;
      REQUIRE(popup != nullptr);
      // Below the title line and the separator.
      const ImGuiStyle& style = ImGui::GetStyle();
      mouse = {popup->Pos.x + 20, popup->Pos.y + style.WindowPadding.y +
                                      ImGui::GetTextLineHeightWithSpacing() + style.ItemSpacing.y +
                                      ImGui::GetFontSize() * 0.5f};
    }
    ImGui::Render();
  }
  REQUIRE(app.queue().commands.size() == 1);
  CHECK(app.queue().commands[0] == "crash broker-1");
  app.Update(0);
  const view::WorldView& world = app.session().View();
  const auto broker = std::find_if(world.nodes.begin(), world.nodes.end(),
                                   [](const view::NodeView& n) { return n.name == "broker-1"; });
  REQUIRE(broker != world.nodes.end());
  CHECK(broker->state == NodeState::kCrashed);
  REQUIRE(app.session().recorded_inputs().size() == 1);
  CHECK(app.session().recorded_inputs()[0].command == "crash broker-1");
}

TEST_CASE("gui smoke: space toggles play, right arrow steps one event") {
  HeadlessContext context;
  const Options options = ScenarioOptions(SourcePath("scenarios/broker-failure.json"));
  App app(Open(options));
  Configure(options, app);
  REQUIRE(BuildFontAtlas());
  ImGuiIO& io = ImGui::GetIO();
  for (int frame = 0; frame < 4; ++frame) {
    io.KeysDown[kKeySpace] = frame == 1;
    io.KeysDown[kKeyRight] = frame == 3;
    app.Update(0);
    NewHeadlessFrame(kDisplay, static_cast<float>(kFrameSeconds));
    app.Draw();
    ImGui::Render();
  }
  CHECK(app.state().playing);
  CHECK(app.queue().step_events == 1);
  const std::uint64_t before = app.session().View().events_executed;
  app.Update(0);
  CHECK(app.session().View().events_executed == before + 1);
  CHECK_FALSE(app.state().playing);  // stepping pauses
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_CASE("gui: export diagram writes the visible window of a real run") {
  HeadlessContext context;
  Options options = ScenarioOptions(SourcePath("scenarios/broker-failure.json"));
  options.at = kTimeZero + Seconds(19);  // --at 19s: through the pause step at 10s
  App app(Open(options));
  Configure(options, app);
  REQUIRE(BuildFontAtlas());
  REQUIRE(app.session().View().now == kTimeZero + Seconds(19));
  const std::filesystem::path dir = std::filesystem::temp_directory_path();
  for (DiagramFormat format : {DiagramFormat::kMermaid, DiagramFormat::kSvg}) {
    const std::filesystem::path path =
        dir / (format == DiagramFormat::kMermaid ? "kafkasim-export.mmd" : "kafkasim-export.svg");
    ExportRequest request;
    request.format = format;
    request.from = kTimeZero + Seconds(17);
    request.to = kTimeZero + Seconds(19);
    request.path = path.string();
    app.queue().export_diagram = request;
    app.Update(0);
    CHECK(app.state().status.starts_with("wrote " + path.string()));
    const std::string text = ReadFile(path);
    std::filesystem::remove(path);
    if (format == DiagramFormat::kMermaid) {
      CHECK(text.starts_with("sequenceDiagram\n"));
      CHECK(text.find("participant P0 as broker-1\n") != std::string::npos);  // node order
      CHECK(text.find(" produce: Produce cities-") != std::string::npos);
    } else {
      CHECK(text.starts_with("<svg "));
      CHECK(text.find(">broker-3</text>") != std::string::npos);
    }
  }
}

TEST_CASE("gui: --select must name a partition the scenario declares") {
  Options options = ScenarioOptions(SourcePath("scenarios/broker-failure.json"));
  options.select = "cities-2";
  std::string error;
  CHECK(OpenScenario(options, &error) != nullptr);
  for (const char* bad : {"nope-9", "cities-3", "cities-", "cities-x", "cities--1"}) {
    options.select = bad;
    CHECK(OpenScenario(options, &error) == nullptr);
    CHECK(error == "[gui.E009] --select " + std::string(bad) + ": no such partition in " +
                       options.scenario + "; its partitions: cities-0..cities-2");
  }
}

}  // namespace
}  // namespace kafkasim::gui
