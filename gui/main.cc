// kafkasim-gui: the Dear ImGui 1.86 GLFW/OpenGL3 example loop around gui::App, plus flags,
// an offscreen screenshot mode and frame-time measurement.
//   kafkasim-gui [SCENARIO] [--seed N] [--at T] [--screenshot FILE] [--frames N] [--scale S]
//                [--select PARTITION]
//                [--fake BROKERS:PARTITIONS] [--play] [--speed X]
#include <GLFW/glfw3.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "backends/imgui_impl_glfw.h"
#include "backends/imgui_impl_opengl3.h"
#include "fake_session.h"
#include "gui/app.h"
#include "gui/playback.h"
#include "gui/style.h"
#include "imgui.h"
#include "stb_image_write.h"

namespace {

using kafkasim::SessionControl;
namespace gui = kafkasim::gui;

struct Flags {
  std::string scenario;
  std::int64_t seed = -1;
  std::string screenshot;
  std::string at;  // virtual time, "12s" or "1500ms" or seconds
  int frames = 0;  // 0: run until the window closes
  float scale = 1.0f;
  std::string fake;  // "BROKERS:PARTITIONS"
  bool play = false;
  double speed = 1.0;
  std::string select;  // a partition to show in the Partition tab ("cities-0")
};

const char kUsage[] =
    "usage: kafkasim-gui [SCENARIO] [--seed N] [--at T] [--screenshot FILE] [--frames N]\n"
    "                    [--scale S] [--fake BROKERS:PARTITIONS] [--play] [--speed X]\n"
    "                    [--select PARTITION]\n";

bool ParseFlags(int argc, char** argv, Flags* flags, std::string* error) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](const char* name) -> const char* {
      if (i + 1 >= argc) {
        *error = fmt::format("[gui.E002] {} needs a value", name);
        return nullptr;
      }
      return argv[++i];
    };
    const char* v = nullptr;
    if (arg == "--seed") {
      if ((v = value("--seed")) == nullptr) return false;
      flags->seed = std::atoll(v);
    } else if (arg == "--screenshot") {
      if ((v = value("--screenshot")) == nullptr) return false;
      flags->screenshot = v;
    } else if (arg == "--at") {
      if ((v = value("--at")) == nullptr) return false;
      flags->at = v;
    } else if (arg == "--frames") {
      if ((v = value("--frames")) == nullptr) return false;
      flags->frames = std::max(1, std::atoi(v));
    } else if (arg == "--scale") {
      if ((v = value("--scale")) == nullptr) return false;
      flags->scale = std::clamp(static_cast<float>(std::atof(v)), 0.5f, 4.0f);
    } else if (arg == "--fake") {
      if ((v = value("--fake")) == nullptr) return false;
      flags->fake = v;
    } else if (arg == "--select") {
      if ((v = value("--select")) == nullptr) return false;
      flags->select = v;
    } else if (arg == "--play") {
      flags->play = true;
    } else if (arg == "--speed") {
      if ((v = value("--speed")) == nullptr) return false;
      flags->speed = std::atof(v);
    } else if (arg == "--help" || arg == "-h") {
      *error = "";
      return false;
    } else if (!arg.empty() && arg[0] == '-') {
      *error = fmt::format("[gui.E003] unknown flag '{}'", arg);
      return false;
    } else {
      flags->scenario = arg;
    }
  }
  return true;
}

// "12s", "1500ms", "2.5" (seconds) -> virtual time; false when unreadable.
bool ParseTime(const std::string& text, kafkasim::Time* t) {
  char* end = nullptr;
  const double number = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || number < 0) return false;
  const std::string unit = end;
  double ns = 0;
  if (unit.empty() || unit == "s") {
    ns = number * 1e9;
  } else if (unit == "ms") {
    ns = number * 1e6;
  } else {
    return false;
  }
  *t = kafkasim::kTimeZero + kafkasim::Nanoseconds(static_cast<std::int64_t>(ns));
  return true;
}

std::unique_ptr<SessionControl> MakeSession(const Flags& flags, std::string* error) {
  if (!flags.fake.empty() || flags.scenario.empty()) {
    gui::FakeOptions options;
    if (!flags.fake.empty() &&
        std::sscanf(flags.fake.c_str(), "%d:%d", &options.brokers, &options.partitions) != 2) {
      *error =
          fmt::format("[gui.E004] --fake {}: expected BROKERS:PARTITIONS, e.g. 20:500", flags.fake);
      return nullptr;
    }
    options.brokers = std::clamp(options.brokers, 1, 200);
    options.partitions = std::clamp(options.partitions, 1, 100000);
    if (flags.seed >= 0) options.seed = static_cast<std::uint64_t>(flags.seed);
    if (flags.scenario.empty() && flags.fake.empty()) {
      std::fprintf(stderr, "kafkasim-gui: no scenario given; showing the built-in demo world\n");
    }
    return std::make_unique<gui::FakeSession>(options);
  }
#ifdef KAFKASIM_GUI_HAVE_SCENARIO
  return kafkasim::scenario::OpenSession(flags.scenario, flags.seed, error);
#else
  *error = fmt::format(
      "[gui.E005] {}: this build has no scenario runner (kafkasim_scenario); use --fake or the "
      "headless CLI",
      flags.scenario);
  return nullptr;
#endif
}

// Fails (false) when under 10% of pixels differ from the clear colour: a blank render.
bool SaveScreenshot(const std::string& path, int w, int h, const unsigned char clear[3]) {
  std::vector<unsigned char> pixels(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 3);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  glReadPixels(0, 0, w, h, GL_RGB, GL_UNSIGNED_BYTE, pixels.data());
  std::size_t differing = 0;
  for (std::size_t i = 0; i < pixels.size(); i += 3) {
    differing += pixels[i] != clear[0] || pixels[i + 1] != clear[1] || pixels[i + 2] != clear[2];
  }
  stbi_flip_vertically_on_write(1);
  if (stbi_write_png(path.c_str(), w, h, 3, pixels.data(), w * 3) == 0) {
    std::fprintf(stderr, "kafkasim-gui: could not write %s\n", path.c_str());
    return false;
  }
  const double share = static_cast<double>(differing) / static_cast<double>(pixels.size() / 3);
  std::fprintf(stderr, "kafkasim-gui: wrote %s (%dx%d, %.0f%% drawn)\n", path.c_str(), w, h,
               share * 100);
  if (share < 0.10) {
    std::fprintf(stderr, "kafkasim-gui: screenshot self-check failed: under 10%% drawn\n");
    return false;
  }
  return true;
}

// Runs the session to `at` through any `pause` steps, sampling the metrics on the way as
// playing would, so a screenshot's metric plots show the run so far.
void AdvanceRecordingMetrics(gui::App& app, kafkasim::Time at) {
  SessionControl& session = app.session();
  const kafkasim::Duration step = app.state().metrics.interval();
  for (int stuck = 0; session.View().now < at && stuck < 100;) {
    const kafkasim::Time before = session.View().now;
    session.AdvanceTo(std::min(at, before + step), UINT64_MAX);
    const auto& view = session.View();
    app.state().metrics.Record(view.now, view.metrics);
    stuck = view.now == before ? stuck + 1 : 0;  // a pause step stops AdvanceTo once
  }
}

void GlfwError(int code, const char* text) {
  std::fprintf(stderr, "kafkasim-gui: GLFW error %d: %s\n", code, text);
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double Percentile90(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() * 9 / 10];
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  std::string error;
  if (!ParseFlags(argc, argv, &flags, &error)) {
    if (!error.empty()) std::fprintf(stderr, "kafkasim-gui: %s\n", error.c_str());
    std::fputs(kUsage, stderr);
    return error.empty() ? 0 : 2;
  }
  kafkasim::Time at;
  if (!flags.at.empty() && !ParseTime(flags.at, &at)) {
    std::fprintf(stderr, "kafkasim-gui: [gui.E006] --at %s: expected a time like 12s or 1500ms\n",
                 flags.at.c_str());
    return 2;
  }
  std::unique_ptr<SessionControl> session = MakeSession(flags, &error);
  if (session == nullptr) {
    std::fprintf(stderr, "kafkasim-gui: %s\n", error.c_str());
    return 2;
  }

  glfwSetErrorCallback(GlfwError);
  if (!glfwInit()) {
    std::fprintf(stderr,
                 "kafkasim-gui: no display (is DISPLAY set? try xvfb-run, or the headless CLI "
                 "`kafkasim run`)\n");
    return 3;
  }
  const bool offscreen = !flags.screenshot.empty();
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GL_TRUE);
  if (offscreen) glfwWindowHint(GLFW_VISIBLE, GLFW_FALSE);
  GLFWwindow* window = glfwCreateWindow(1600, 1000, "kafkasim", nullptr, nullptr);
  if (window == nullptr) {
    std::fprintf(stderr, "kafkasim-gui: could not open an OpenGL 3.3 window\n");
    glfwTerminate();
    return 3;
  }
  glfwMakeContextCurrent(window);
  glfwSwapInterval(offscreen || flags.frames > 0 ? 0 : 1);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  ImGui_ImplOpenGL3_Init("#version 330 core");

  gui::App app(std::move(session));
  gui::GuiState& state = app.state();
  state.ui_scale = flags.scale;
  state.fonts = gui::LoadFonts(flags.scale);
  float fonts_scale = flags.scale;
  gui::ApplyStyle(state);
  state.playing = flags.play;
  if (!flags.select.empty()) {
    state.selected_partition = flags.select;
    state.focus_tab = "Partition";
  }
  state.speed = std::clamp(flags.speed, gui::kSpeedMin, gui::kSpeedMax);
  if (!flags.at.empty()) AdvanceRecordingMetrics(app, at);

  const unsigned char clear[3] = {20, 22, 26};
  const int frames = offscreen ? std::max(flags.frames, 3) : flags.frames;
  std::vector<double> build_ms, total_ms, update_ms;
  auto last = std::chrono::steady_clock::now();
  int exit_code = 0;
  for (int frame = 0; !glfwWindowShouldClose(window) && (frames == 0 || frame < frames); ++frame) {
    glfwPollEvents();
    const auto now = std::chrono::steady_clock::now();
    const double wall = std::chrono::duration<double>(now - last).count();
    last = now;
    if (state.ui_scale != fonts_scale && !ImGui::IsMouseDown(0)) {  // rebuild after the drag
      state.fonts = gui::LoadFonts(state.ui_scale);
      ImGui_ImplOpenGL3_DestroyFontsTexture();
      ImGui_ImplOpenGL3_CreateFontsTexture();
      fonts_scale = state.ui_scale;
    }
    const auto update_start = std::chrono::steady_clock::now();
    app.Update(offscreen ? 0.0 : wall);
    update_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - update_start)
            .count());

    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    const auto build_start = std::chrono::steady_clock::now();
    ImGui::NewFrame();
    app.Draw();
    ImGui::Render();
    build_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - build_start)
            .count());

    int w = 0, h = 0;
    glfwGetFramebufferSize(window, &w, &h);
    glViewport(0, 0, w, h);
    glClearColor(clear[0] / 255.0f, clear[1] / 255.0f, clear[2] / 255.0f, 1);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    if (offscreen && frame == frames - 1 && !SaveScreenshot(flags.screenshot, w, h, clear)) {
      exit_code = 1;
    }
    glfwSwapBuffers(window);
    total_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - build_start)
            .count());
  }
  if (flags.frames > 0 && build_ms.size() > 20) {
    build_ms.erase(build_ms.begin(), build_ms.begin() + 20);  // warm-up
    total_ms.erase(total_ms.begin(), total_ms.begin() + 20);
    update_ms.erase(update_ms.begin(), update_ms.begin() + 20);
    std::fprintf(stderr,
                 "kafkasim-gui: UI build (NewFrame..Render) median %.3f ms, p90 %.3f ms "
                 "over %zu frames\n",
                 Median(build_ms), Percentile90(build_ms), build_ms.size());
    std::fprintf(stderr, "kafkasim-gui: whole frame (NewFrame..swap) median %.3f ms, p90 %.3f ms\n",
                 Median(total_ms), Percentile90(total_ms));
    std::fprintf(stderr,
                 "kafkasim-gui: world update (advance + snapshot, before NewFrame) median %.3f ms, "
                 "p90 %.3f ms\n",
                 Median(update_ms), Percentile90(update_ms));
  }

  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();
  return exit_code;
}
