// Headless GUI smoke test (ImGui's example_null: no window, no GL) over the real World: every
// bundled scenario opened as `kafkasim-gui FILE` opens it, every panel drawn for a few hundred
// frames while the world plays by the per-frame event budget, jumps through the scenario's
// steps and rewinds. Drawing must not change the world: after every frame its trace hash equals
// that of the same scenario run headless, never drawn, to the same event.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "gui/app.h"
#include "gui/cluster_layout.h"
#include "gui/groups_model.h"
#include "gui/headless.h"
#include "gui/panels.h"
#include "gui/playback.h"
#include "gui/session.h"
#include "gui/zookeeper_model.h"
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
  const PanelFn hidden[] = {topics::Draw,    partition::Draw, quorum::Draw,   clients::Draw,
                            groups::Draw,    znodes::Draw,    metrics::Draw,  checks::Draw,
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

// The scenarios the ZooKeeper and groups panels are about: ZooKeeper mode, or consumers in a
// group (a client's "group", or a console consumer or the group tool in a `run` step).
std::vector<std::string> ZooKeeperAndGroupScenarios() {
  std::vector<std::string> paths;
  for (const std::string& path : BundledScenarios()) {
    Result<scenario::Scenario> loaded = scenario::LoadScenario(path);
    REQUIRE(loaded.ok());
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    const bool groups =
        std::any_of(loaded->clients.begin(), loaded->clients.end(),
                    [](const scenario::Client& c) { return c.group.has_value(); }) ||
        text.str().find("kafka-console-consumer.sh") != std::string::npos ||
        text.str().find("kafka-consumer-groups.sh") != std::string::npos;
    if (loaded->cluster.mode == scenario::ClusterMode::kZookeeper || groups) paths.push_back(path);
  }
  return paths;
}

// Draws the groups and znode panels in windows of their own, the znode tree once as it opens
// by default and once with every znode opened and each server's tree in turn.
void DrawNewPanels(App& app, int frame) {
  const view::WorldView& world = app.session().View();
  GuiState& state = app.state();
  if (frame % 2 == 1) {
    for (const view::ZkTreeView& tree : world.zookeeper.trees) {
      for (const view::ZNodeView& z : tree.znodes) state.znode_open[z.path] = true;
    }
    const auto& trees = world.zookeeper.trees;
    state.znode_server =
        trees.empty() ? "" : trees[static_cast<std::size_t>(frame / 2) % trees.size()].server;
  } else {
    state.znode_open.clear();
    state.znode_server.clear();
  }
  for (PanelFn draw : {groups::Draw, znodes::Draw}) {
    ImGui::SetNextWindowPos({0, 0});
    ImGui::SetNextWindowSize({800, 450});
    ImGui::Begin(draw == groups::Draw ? "groups panel" : "znodes panel");
    draw(world, state, app.queue());
    ImGui::End();
  }
}

TEST_CASE(
    "gui smoke: the groups and znode panels draw every ZooKeeper and group scenario at "
    "scales 1 and 2") {
  const std::vector<std::string> scenarios = ZooKeeperAndGroupScenarios();
  // Five ZooKeeper-mode scenarios and the group ones at least.
  REQUIRE(scenarios.size() >= 9);
  for (const std::string& path : scenarios) {
    for (float scale : {1.0f, 2.0f}) {
      INFO(path << " at scale " << scale);
      HeadlessContext context;
      const Options options = ScenarioOptions(path, scale);
      App app(Open(options));
      Configure(options, app);
      REQUIRE(BuildFontAtlas());
      Reference reference(path);
      int frame = 0;
      std::vector<Time> moments = Moments(path, 4);
      moments.push_back(app.session().View().end);
      for (Time moment : moments) {
        if (moment > app.session().View().now) {
          app.queue().rewind_to_time = moment;
          app.Update(kFrameSeconds);
        }
        for (int i = 0; i < 6; ++i, ++frame) {
          ImGuiIO& io = ImGui::GetIO();
          io.MousePos = {static_cast<float>((frame * 97) % 800),
                         static_cast<float>((frame * 61) % 450)};
          app.state().playing = i < 4;
          app.state().speed = 2;
          app.Update(kFrameSeconds);
          const std::uint64_t events = app.session().View().events_executed;
          NewHeadlessFrame(kDisplay, static_cast<float>(kFrameSeconds));
          app.Draw();
          DrawNewPanels(app, frame);
          ImGui::Render();
          CheckDrawData();
          app.queue().Clear();
          REQUIRE(app.session().View().events_executed == events);
          REQUIRE(app.session().View().trace_hash == reference.HashAfter(events));
        }
      }
      CHECK(frame == 6 * static_cast<int>(moments.size()));
    }
  }
}

// Where the cluster map draws `name`, in screen coordinates, as cluster_map::Draw lays it out.
// A broker's box is aimed at its title line, which no chip covers.
ImVec2 NodeOnMap(App& app, const std::string& name) {
  const view::WorldView& world = app.session().View();
  const auto& canvas = app.state().map_canvas;
  REQUIRE(canvas[2] > 0);
  const ClusterLayout layout = LayoutMap(world, canvas[2], canvas[3], ImGui::GetFontSize());
  for (std::size_t i = 0; i < world.nodes.size(); ++i) {
    if (world.nodes[i].name != name) continue;
    if (layout.IsBox(static_cast<int>(i))) {
      return {canvas[0] + layout.boxes[i].x0 + 4, canvas[1] + layout.boxes[i].y0 + 4};
    }
    return {canvas[0] + layout.centers[i].x, canvas[1] + layout.centers[i].y};
  }
  FAIL("no node " << name);
  return {};
}

// Right-clicks `node` on the map and clicks item `item` (0 = first) of its menu, as a user
// does; returns what the click queued. The menu opens with the node's name and a separator.
std::vector<std::string> ClickMenuItem(App& app, const std::string& node, int item) {
  app.queue().Clear();
  ImVec2 mouse{0, 0};
  for (int frame = 0; frame < 12 && app.queue().commands.empty(); ++frame) {
    ImGuiIO& io = ImGui::GetIO();
    io.MouseDown[1] = frame == 2;
    io.MouseDown[0] = frame == 6;
    io.MousePos = mouse;
    NewHeadlessFrame(kDisplay, static_cast<float>(kFrameSeconds));
    app.Draw();
    if (frame == 0) mouse = NodeOnMap(app, node);
    if (frame == 5) {  // the menu is open: aim at the item
      ImGuiContext& g = *ImGui::GetCurrentContext();
      REQUIRE_FALSE(g.OpenPopupStack.empty());
      const ImGuiWindow* popup = g.OpenPopupStack.back().Window;
      REQUIRE(popup != nullptr);
      const ImGuiStyle& style = ImGui::GetStyle();
      const float line = ImGui::GetTextLineHeightWithSpacing();
      mouse = {popup->Pos.x + 20, popup->Pos.y + style.WindowPadding.y + line +
                                      style.ItemSpacing.y + static_cast<float>(item) * line +
                                      ImGui::GetFontSize() * 0.5f};
    }
    ImGui::Render();
  }
  ImGui::GetIO().MouseDown[0] = ImGui::GetIO().MouseDown[1] = false;
  return app.queue().commands;
}

NodeState StateOf(const view::WorldView& world, const std::string& name) {
  const auto node = std::find_if(world.nodes.begin(), world.nodes.end(),
                                 [&](const view::NodeView& n) { return n.name == name; });
  REQUIRE(node != world.nodes.end());
  return node->state;
}

TEST_CASE("gui smoke: a right click on a broker offers crash, and the click crashes it") {
  HeadlessContext context;
  const Options options = ScenarioOptions(SourcePath("scenarios/broker-failure.json"));
  App app(Open(options));
  Configure(options, app);
  REQUIRE(BuildFontAtlas());
  app.Update(0);
  CHECK(ClickMenuItem(app, "broker-1", 0) == std::vector<std::string>{"crash broker-1"});
  app.Update(0);
  CHECK(StateOf(app.session().View(), "broker-1") == NodeState::kCrashed);
  REQUIRE(app.session().recorded_inputs().size() == 1);
  CHECK(app.session().recorded_inputs()[0].command == "crash broker-1");
}

TEST_CASE("gui smoke: zk servers are crashed, restarted and isolated by clicks, as brokers are") {
  HeadlessContext context;
  Options options = ScenarioOptions(SourcePath("scenarios/zk-broker-failure.json"));
  options.at = kTimeZero + Seconds(5);
  App app(Open(options));
  Configure(options, app);
  REQUIRE(BuildFontAtlas());
  app.Update(0);
  CHECK(ClickMenuItem(app, "zk-2", 0) == std::vector<std::string>{"crash zk-2"});
  app.Update(0);
  CHECK(StateOf(app.session().View(), "zk-2") == NodeState::kCrashed);
  // A crashed server's menu starts with Restart.
  CHECK(ClickMenuItem(app, "zk-2", 0) == std::vector<std::string>{"restart zk-2"});
  app.Update(0);
  CHECK(StateOf(app.session().View(), "zk-2") == NodeState::kRunning);
  // Crash, Kill, then Isolate.
  CHECK(ClickMenuItem(app, "zk-1", 2) == std::vector<std::string>{"isolate zk-1"});
  app.Update(0);
  const view::WorldView& world = app.session().View();
  const auto zk1 = std::find_if(world.nodes.begin(), world.nodes.end(),
                                [](const view::NodeView& n) { return n.name == "zk-1"; });
  REQUIRE(zk1 != world.nodes.end());
  const auto cut = std::count_if(world.cut_links.begin(), world.cut_links.end(),
                                 [&](const auto& link) { return link.first == zk1->index; });
  CHECK(cut > 0);
  // Recorded like any command, so the session replays and saves as a scenario.
  const auto& inputs = app.session().recorded_inputs();
  REQUIRE(inputs.size() == 3);
  CHECK(inputs[0].command == "crash zk-2");
  CHECK(inputs[1].command == "restart zk-2");
  CHECK(inputs[2].command == "isolate zk-1");
  CHECK(app.session().SaveAsScenario().find("isolate zk-1") != std::string::npos);
}

const view::ZNodeView* FindZnode(const view::ZkTreeView& tree, const std::string& path) {
  for (const view::ZNodeView& z : tree.znodes) {
    if (z.path == path) return &z;
  }
  return nullptr;
}

// The scenario opened and run to `at` (on through its pause steps), without the GUI.
std::unique_ptr<SessionControl> OpenAt(const std::string& relative, Time at) {
  std::unique_ptr<SessionControl> session = Open(ScenarioOptions(SourcePath(relative)));
  for (int i = 0; i < 100 && session->View().now < at; ++i) session->AdvanceTo(at, UINT64_MAX);
  REQUIRE(session->View().now == at);
  return session;
}

TEST_CASE("gui: the world view holds each zk server's znodes and every broker's session") {
  const std::unique_ptr<SessionControl> session =
      OpenAt("scenarios/zk-broker-failure.json", kTimeZero + Seconds(8));
  const view::WorldView& world = session->View();
  REQUIRE(world.zookeeper.trees.size() == 3);
  const view::ZkTreeView* leader = TreeToShow(world.zookeeper, "");
  REQUIRE(leader != nullptr);
  CHECK(leader->state == "LEADING");
  CHECK(world.zookeeper.session_table_server == leader->server);
  for (const char* path :
       {"/brokers/ids/1", "/brokers/ids/2", "/brokers/ids/3", "/controller", "/controller_epoch",
        "/brokers/topics/cities", "/brokers/topics/cities/partitions/0/state"}) {
    INFO(path);
    CHECK(FindZnode(*leader, path) != nullptr);
  }
  const view::ZNodeView* state = FindZnode(*leader, "/brokers/topics/cities/partitions/0/state");
  REQUIRE(state != nullptr);
  CHECK(state->data.find("\"leader\":") != std::string::npos);
  CHECK(state->ephemeral_owner == 0);
  // Every broker is connected, its session in the ensemble's table, and its registration is an
  // ephemeral znode owned by that session.
  int brokers = 0;
  for (const view::NodeView& n : world.nodes) {
    if (n.role != view::NodeRole::kBroker) continue;
    ++brokers;
    const auto s = std::find_if(world.zookeeper.sessions.begin(), world.zookeeper.sessions.end(),
                                [&](const view::ZkSessionView& z) { return z.client == n.index; });
    REQUIRE(s != world.zookeeper.sessions.end());
    CHECK(ClassifySession(*s) == SessionLink::kConnected);
    const view::ZNodeView* id = FindZnode(*leader, "/brokers/ids/" + std::to_string(n.id));
    REQUIRE(id != nullptr);
    CHECK(id->ephemeral_owner == s->session_id);
    CHECK(EphemeralOwnerName(world, id->ephemeral_owner) == n.name);
  }
  CHECK(brokers == 3);
}

TEST_CASE("gui: a crashed broker's session stays in the ensemble until it expires") {
  // Crashed at 10 s; zookeeper.session.timeout.ms 18 s.
  const std::unique_ptr<SessionControl> session =
      OpenAt("scenarios/zk-broker-failure.json", kTimeZero + Seconds(12));
  const view::WorldView& world = session->View();
  const auto orphaned = std::count_if(
      world.zookeeper.sessions.begin(), world.zookeeper.sessions.end(),
      [](const view::ZkSessionView& s) { return ClassifySession(s) == SessionLink::kOrphaned; });
  CHECK(orphaned == 1);
  for (int i = 0; i < 100 && session->View().now < kTimeZero + Seconds(40); ++i) {
    session->AdvanceTo(kTimeZero + Seconds(40), UINT64_MAX);
  }
  const view::WorldView& later = session->View();
  CHECK(std::none_of(
      later.zookeeper.sessions.begin(), later.zookeeper.sessions.end(),
      [](const view::ZkSessionView& s) { return ClassifySession(s) == SessionLink::kOrphaned; }));
}

TEST_CASE("gui: the world view names each group's coordinator, members and offsets") {
  const std::unique_ptr<SessionControl> session =
      OpenAt("scenarios/consumer-group-rebalance.json", kTimeZero + Seconds(20));
  const view::WorldView& world = session->View();
  REQUIRE(world.groups.size() == 1);
  const view::GroupView& g = world.groups[0];
  CHECK(g.group_id == "billing");
  CHECK(g.protocol == "classic");
  CHECK(g.state == "Stable");
  CHECK_FALSE(g.rebalancing);
  CHECK(g.generation >= 1);
  CHECK(g.members.size() == 3);
  // The coordinator leads the group's __consumer_offsets partition.
  bool leads = false;
  for (const view::TopicView& t : world.topics) {
    for (const view::PartitionView& p : t.partitions) {
      leads = leads || (t.name == "__consumer_offsets" && p.partition == g.offsets_partition &&
                        p.leader == g.coordinator);
    }
  }
  CHECK(leads);
  // Six partitions, each owned by exactly one member; offsets committed, lag known.
  const std::vector<GroupPartitionRow> rows = GroupPartitionRows(g, world);
  CHECK(rows.size() == 6);
  for (const GroupPartitionRow& r : rows) {
    INFO(r.name);
    CHECK_FALSE(r.member_id.empty());
    CHECK(r.committed >= 0);
    CHECK(r.lag >= 0);
  }
  CHECK(CoordinatedGroups(world).at(g.coordinator) == std::vector<std::string>{"billing"});
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
  // --at 21s: through the pause step at 10s, and past the fencing of the crashed leader, when
  // the produce requests held by the shrinking ISRs are answered.
  options.at = kTimeZero + Seconds(21);
  App app(Open(options));
  Configure(options, app);
  REQUIRE(BuildFontAtlas());
  REQUIRE(app.session().View().now == kTimeZero + Seconds(21));
  const std::filesystem::path dir = std::filesystem::temp_directory_path();
  for (DiagramFormat format : {DiagramFormat::kMermaid, DiagramFormat::kSvg}) {
    const std::filesystem::path path =
        dir / (format == DiagramFormat::kMermaid ? "kafkasim-export.mmd" : "kafkasim-export.svg");
    ExportRequest request;
    request.format = format;
    request.from = kTimeZero + Seconds(17);
    request.to = kTimeZero + Seconds(21);
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

TEST_CASE("gui: --tab Znodes opens the znode tree, in ZooKeeper mode only") {
  Options options = ScenarioOptions(SourcePath("scenarios/zk-quorum-loss.json"));
  options.tab = "Znodes";
  std::string error;
  {
    HeadlessContext context;
    App app(Open(options));
    Configure(options, app);
    REQUIRE(BuildFontAtlas());
    CHECK(app.state().focus_tab == "Znodes");
    for (int frame = 0; frame < 3; ++frame) {
      app.Update(0);
      NewHeadlessFrame(kDisplay, static_cast<float>(kFrameSeconds));
      app.Draw();
      ImGui::Render();
    }
    CHECK(app.state().focus_tab.empty());  // the tab bar brought it to the front
  }
  options.scenario = SourcePath("scenarios/broker-failure.json");
  CHECK(OpenScenario(options, &error) == nullptr);
  CHECK(error == "[gui.E012] --tab Znodes: " + options.scenario +
                     " runs in KRaft mode; the znode tree exists in ZooKeeper mode only");
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

// Plays the app at 1x for `seconds` of virtual time, one 0.1 s frame after another (drawn).
void PlayFor(App& app, double seconds) {
  for (int i = 0; i < static_cast<int>(seconds * 10); ++i) {
    app.state().playing = true;
    app.state().speed = 1;
    app.Update(0.1);
    NewHeadlessFrame(kDisplay, 0.1f);
    app.Draw();
    ImGui::Render();
  }
  app.state().playing = false;
}

const ConsoleBlock* FindBlock(const App& app, const std::string& command_start) {
  for (const ConsoleBlock& b : const_cast<App&>(app).state().console_model.blocks()) {
    if (b.command.starts_with(command_start)) return &b;
  }
  return nullptr;
}

bool HasLine(const ConsoleBlock& block, const std::string& start) {
  return std::any_of(block.lines.begin(), block.lines.end(),
                     [&](const ConsoleOutputLine& l) { return l.text.starts_with(start); });
}

TEST_CASE(
    "gui: the console shows each command's output under it: a tool's answer, a consumer's "
    "records and a producer's acknowledgements as they arrive") {
  HeadlessContext context;
  Options options = ScenarioOptions(SourcePath("scenarios/broker-failure.json"));
  options.at = kTimeZero + Seconds(6);
  App app(Open(options));
  Configure(options, app);
  REQUIRE(BuildFontAtlas());
  app.queue().Push(
      "kafka-console-consumer.sh --topic cities --from-beginning --bootstrap-server "
      "localhost:9092");
  app.queue().Push(
      "kafka-console-producer.sh --topic cities --bootstrap-server localhost:9092 <<< "
      "'Oslo'|Rome");
  app.queue().Push("kafka-topics.sh --describe --topic cities --bootstrap-server localhost:9092");
  app.queue().Push("crash broker-9");
  app.queue().Push("frobnicate broker-1");
  app.Update(0);
  PlayFor(app, 6);  // the consumer's group forms after group.initial.rebalance.delay.ms (3 s)
  // The scenario's own `run` step at 5 s is in the transcript too, marked as the scenario's;
  // the declared clients that started in the same instant are not its output.
  const ConsoleBlock* step = FindBlock(app, "kafka-topics.sh --describe");
  REQUIRE(step != nullptr);
  CHECK(step->from_scenario);
  CHECK(HasLine(*step, "Topic: cities"));
  CHECK_FALSE(HasLine(*step, "producer-1 started"));
  const ConsoleBlock* consumer = FindBlock(app, "kafka-console-consumer.sh");
  REQUIRE(consumer != nullptr);
  CHECK_FALSE(consumer->from_scenario);
  CHECK(consumer->client.starts_with("console-consumer-"));
  // The Clients tab gets its topic and group from there.
  const ConsoleClient* client = app.state().console_model.Client(consumer->client);
  REQUIRE(client != nullptr);
  CHECK(client->topic == "cities");
  CHECK(client->group.starts_with("console-consumer-"));
  CHECK(HasLine(*consumer, "Oslo"));
  CHECK(consumer->lines.size() > 10);  // producer-1's records since 3 s, then Oslo and Rome
  const ConsoleBlock* producer = FindBlock(app, "kafka-console-producer.sh");
  REQUIRE(producer != nullptr);
  CHECK(HasLine(*producer, "record 'Oslo' acknowledged at cities-"));
  CHECK(HasLine(*producer, "record 'Rome' acknowledged at cities-"));
  const auto& blocks = app.state().console_model.blocks();
  const auto describe = std::find_if(blocks.begin(), blocks.end(), [](const ConsoleBlock& b) {
    return !b.from_scenario && b.command.starts_with("kafka-topics.sh --describe");
  });
  REQUIRE(describe != blocks.end());
  CHECK(HasLine(*describe, "Topic: cities"));
  const ConsoleBlock* unknown = FindBlock(app, "crash broker-9");
  REQUIRE(unknown != nullptr);
  REQUIRE(unknown->lines.size() == 1);
  CHECK(unknown->lines[0].kind == ConsoleOutputLine::Kind::kError);
  // A command that does not parse is not in the trace: the console writes it with its error.
  REQUIRE(app.state().console.size() >= 2);
  CHECK(app.state().console[0].text == "$ frobnicate broker-1");
  CHECK(app.state().console[1].kind == ConsoleLine::Kind::kError);
  // A rewind to before the commands takes their output away with them.
  app.queue().rewind_to_time = kTimeZero + Milliseconds(5500);
  app.Update(0);
  CHECK(FindBlock(app, "kafka-console-consumer.sh") == nullptr);
  CHECK(FindBlock(app, "kafka-topics.sh --describe") != nullptr);
}

// Runs `targets` in turn from `at` in `scenario`, checking each stops at the first such event.
void StepThrough(const std::string& scenario, Time at, std::initializer_list<StepTarget> targets) {
  HeadlessContext context;
  Options options = ScenarioOptions(SourcePath(scenario));
  options.at = at;
  App app(Open(options));
  Configure(options, app);
  REQUIRE(BuildFontAtlas());
  for (StepTarget target : targets) {
    INFO(scenario << ": next " << StepTargetName(target));
    const std::size_t start = app.session().View().trace->size();
    app.queue().step_to = target;
    app.state().playing = true;
    app.Update(0);
    CHECK_FALSE(app.state().playing);
    const view::WorldView& world = app.session().View();
    REQUIRE(app.state().selected_event.has_value());
    REQUIRE(*app.state().selected_event >= start);
    const TraceEvent& stopped = (*world.trace)[*app.state().selected_event];
    CHECK(IsStepTarget(stopped, target));
    CHECK(world.now == stopped.time);
    // The first of its kind since the step began.
    int earlier = 0;
    for (std::size_t k = start; k < stopped.index; ++k) {
      earlier += IsStepTarget((*world.trace)[k], target) ? 1 : 0;
    }
    CHECK(earlier == 0);
  }
}

TEST_CASE("gui: Next leader change, election, fault and expectation stop at that event") {
  // broker-failure crashes cities-0's leader at 10 s; its first expectation follows.
  StepThrough("scenarios/broker-failure.json", kTimeZero + Seconds(9),
              {StepTarget::kFault, StepTarget::kLeaderChange, StepTarget::kExpectation});
  // kraft-quorum-loss: two controllers crash at 10 s; an election comes once they are back.
  StepThrough("scenarios/kraft-quorum-loss.json", kTimeZero + Seconds(1),
              {StepTarget::kFault, StepTarget::kElection});
}

// Runs the session on to `t` (on through pause steps).
void RunTo(SessionControl& session, Time t) {
  for (int i = 0; i < 100 && session.View().now < t; ++i) session.AdvanceTo(t, UINT64_MAX);
  REQUIRE(session.View().now == t);
}

TEST_CASE("gui: a session saved as a scenario replays to the same trace hash") {
  HeadlessContext context;
  Options options = ScenarioOptions(SourcePath("scenarios/broker-failure.json"));
  options.at = kTimeZero + Seconds(6);
  App app(Open(options));
  Configure(options, app);
  REQUIRE(BuildFontAtlas());
  app.Update(0);
  // What a teacher does: a click crashes a broker, console commands start clients and ask a tool.
  CHECK(ClickMenuItem(app, "broker-2", 0) == std::vector<std::string>{"crash broker-2"});
  app.Update(0);
  PlayFor(app, 1.5);
  app.queue().Push(
      "kafka-console-consumer.sh --topic cities --from-beginning --bootstrap-server "
      "localhost:9092");
  app.queue().Push(
      "kafka-console-producer.sh --topic cities --bootstrap-server localhost:9092 <<< 'Oslo'|Rome");
  app.Update(0);
  PlayFor(app, 2);
  app.queue().Push("restart broker-2");
  app.queue().Push("kafka-topics.sh --describe --topic cities --bootstrap-server localhost:9092");
  app.Update(0);
  PlayFor(app, 1);
  REQUIRE(app.session().recorded_inputs().size() == 5);

  const auto path = std::filesystem::temp_directory_path() / "kafkasim-gui-saved-session.json";
  app.queue().save_scenario_path = path.string();
  app.Update(0);
  CHECK(app.state().status.starts_with("wrote " + path.string()));

  const Time end = kTimeZero + Seconds(20);
  RunTo(app.session(), end);
  std::unique_ptr<SessionControl> replay = Open(ScenarioOptions(path.string()));
  std::filesystem::remove(path);
  RunTo(*replay, end);
  const view::WorldView& driven = app.session().View();
  const view::WorldView& replayed = replay->View();
  CHECK(replayed.events_executed == driven.events_executed);
  REQUIRE(replayed.trace->size() == driven.trace->size());
  for (std::size_t i = 0; i < driven.trace->size(); ++i) {
    const std::string a = TraceEventCanonicalLine((*driven.trace)[i]);
    const std::string b = TraceEventCanonicalLine((*replayed.trace)[i]);
    if (a != b) {
      CHECK(b == a);  // the first difference, for the failure message
      break;
    }
  }
  CHECK(replayed.trace_hash == driven.trace_hash);
}

// What each node takes on the map as cluster_map::Draw draws it: a broker's box, or a circle
// with its name and role lines centred under it (the text measured with the font in use).
std::vector<Rect> NodeShapes(const view::WorldView& world, const ClusterLayout& layout,
                             float font) {
  std::vector<Rect> shapes;
  for (std::size_t i = 0; i < world.nodes.size(); ++i) {
    if (layout.IsBox(static_cast<int>(i))) {
      shapes.push_back(layout.boxes[i]);
      continue;
    }
    const Point c = layout.centers[i];
    const float room = layout.label_room[i];
    const std::string name = cluster_map::FitLabel(world.nodes[i].name, room);
    float half = std::max(layout.radius + 3, ImGui::CalcTextSize(name.c_str()).x / 2);
    float bottom = c.y + layout.radius + 2 + font;
    if (layout.label_lines >= 2) {
      const std::string role =
          cluster_map::FitLabel(cluster_map::RoleLine(world, world.nodes[i]), room);
      half = std::max(half, ImGui::CalcTextSize(role.c_str()).x / 2);
      bottom += font;
    }
    shapes.push_back({c.x - half, c.y - layout.radius - 3, c.x + half, bottom});
  }
  return shapes;
}

TEST_CASE(
    "gui smoke: at scales 1, 1.5 and 2, on 1920x1080 and 1280x720, no node's box or labels "
    "on the map overlap another's, in every bundled scenario, and drawing leaves the trace "
    "hash as it was") {
  for (const std::string& path : BundledScenarios()) {
    // Mid-run, where the scenario's clients and faults are on the map.
    const std::vector<Time> moments = Moments(path, 3);
    const Time at = moments.size() > 1 ? moments[1] : kTimeZero + Seconds(5);
    Reference reference(path);
    for (float scale : {1.0f, 1.5f, 2.0f}) {
      INFO(path << " at " << FormatTime(at) << ", scale " << scale);
      HeadlessContext context;
      Options options = ScenarioOptions(path, scale);
      options.at = at;
      App app(Open(options));
      Configure(options, app);
      REQUIRE(BuildFontAtlas());
      app.Update(0);
      for (const ImVec2 display : {ImVec2{1920, 1080}, ImVec2{1280, 720}}) {
        INFO("display " << display.x << "x" << display.y);
        NewHeadlessFrame(display, static_cast<float>(kFrameSeconds));
        app.Draw();
        const view::WorldView& world = app.session().View();
        const auto& canvas = app.state().map_canvas;
        const float font = ImGui::GetFontSize();
        const ClusterLayout layout = LayoutMap(world, canvas[2], canvas[3], font);
        const std::vector<Rect> shapes = NodeShapes(world, layout, font);
        for (std::size_t i = 0; i < shapes.size(); ++i) {
          for (std::size_t j = i + 1; j < shapes.size(); ++j) {
            INFO(world.nodes[i].name << " and " << world.nodes[j].name);
            CHECK_FALSE(shapes[i].Overlaps(shapes[j]));
          }
        }
        ImGui::Render();
        CheckDrawData();
        REQUIRE(world.trace_hash == reference.HashAfter(world.events_executed));
      }
    }
  }
}

}  // namespace
}  // namespace kafkasim::gui
