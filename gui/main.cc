// kafkasim-gui: the Dear ImGui 1.86 GLFW/OpenGL3 example loop around gui::App. Flags are in
// options.*, the session and its set-up in session.*, --screenshot in screenshot.*, the
// --frames timing in frame_timer.*; --headless draws the same frames without a window.
#include <GLFW/glfw3.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>

#include "backends/imgui_impl_glfw.h"
#include "backends/imgui_impl_opengl3.h"
#include "gui/app.h"
#include "gui/frame_timer.h"
#include "gui/headless.h"
#include "gui/options.h"
#include "gui/screenshot.h"
#include "gui/session.h"
#include "gui/style.h"
#include "imgui.h"

namespace {

namespace gui = kafkasim::gui;

void GlfwError(int code, const char* text) {
  std::fprintf(stderr, "kafkasim-gui: GLFW error %d: %s\n", code, text);
}

volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

// --headless: the frames of the window loop drawn by ImGui without a backend (as the smoke
// test), paced by the wall clock, until --frames, SIGINT or SIGTERM.
int RunHeadless(const gui::Options& options, std::unique_ptr<kafkasim::SessionControl> session) {
  gui::HeadlessContext context;
  gui::App app(std::move(session));
  gui::Configure(options, app);
  if (!gui::BuildFontAtlas()) {
    std::fprintf(stderr, "kafkasim-gui: could not build the font atlas\n");
    return 1;
  }
  // Before the listening line, which tells a test it may stop us.
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  if (options.listen) {
    if (const kafkasim::Status listening = gui::Listen(options, app); !listening.ok()) {
      std::fprintf(stderr, "kafkasim-gui: %s\n", listening.message().c_str());
      return 2;
    }
  }
  auto last = std::chrono::steady_clock::now();
  for (int frame = 0; g_stop == 0 && (options.frames == 0 || frame < options.frames); ++frame) {
    const auto now = std::chrono::steady_clock::now();
    const double seconds = std::chrono::duration<double>(now - last).count();
    last = now;
    app.Update(seconds);
    gui::NewHeadlessFrame({1600, 1000}, static_cast<float>(std::max(seconds, 1e-4)));
    app.Draw();
    ImGui::Render();
  }
  app.StopListening();
  const kafkasim::view::WorldView& world = app.session().View();
  std::fprintf(stderr, "kafkasim-gui: stopped at virtual time %s after %llu events\n",
               kafkasim::FormatTime(world.now).c_str(),
               static_cast<unsigned long long>(world.events_executed));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const gui::ParsedOptions parsed = gui::ParseOptions(argc, argv);
  if (parsed.exit_code) {
    if (!parsed.message.empty()) std::fprintf(stderr, "kafkasim-gui: %s\n", parsed.message.c_str());
    std::fputs(gui::kUsage, stderr);
    return *parsed.exit_code;
  }
  const gui::Options& options = parsed.options;
  std::string error;
  std::unique_ptr<kafkasim::SessionControl> session = gui::OpenScenario(options, &error);
  if (session == nullptr) {
    std::fprintf(stderr, "kafkasim-gui: %s\n", error.c_str());
    return 2;
  }
  if (options.headless) return RunHeadless(options, std::move(session));

  // Set up the window (an invisible one for --screenshot).
  glfwSetErrorCallback(GlfwError);
  if (!glfwInit()) {
    std::fprintf(stderr,
                 "kafkasim-gui: no display (is DISPLAY set? try xvfb-run, or the headless CLI "
                 "`kafkasim run`)\n");
    return 3;
  }
  const bool offscreen = !options.screenshot.empty();
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
  glfwSwapInterval(offscreen || options.frames > 0 ? 0 : 1);  // vsync unless measuring

  // Set up Dear ImGui and its platform/renderer backends.
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  ImGui_ImplOpenGL3_Init("#version 330 core");

  gui::App app(std::move(session));
  gui::Configure(options, app);
  int exit_code = 0;
  float fonts_scale = options.scale;
  const int frames = offscreen ? std::max(options.frames, 3) : options.frames;
  gui::FrameTimer timer;
  // The first frame compiles the shaders and uploads the fonts, which can take seconds under a
  // software renderer: the gateway opens after it, so that no client waits on it.
  const int listen_frame = frames == 1 ? 0 : 1;

  // Main loop.
  for (int frame = 0; !glfwWindowShouldClose(window) && (frames == 0 || frame < frames); ++frame) {
    if (options.listen && frame == listen_frame) {
      if (const kafkasim::Status listening = gui::Listen(options, app); !listening.ok()) {
        std::fprintf(stderr, "kafkasim-gui: %s\n", listening.message().c_str());
        exit_code = 2;
        break;
      }
    }
    glfwPollEvents();
    if (app.state().ui_scale != fonts_scale && !ImGui::IsMouseDown(0)) {  // after the drag
      app.state().fonts = gui::LoadFonts(app.state().ui_scale);
      ImGui_ImplOpenGL3_DestroyFontsTexture();
      ImGui_ImplOpenGL3_CreateFontsTexture();
      fonts_scale = app.state().ui_scale;
    }
    const double wall_seconds = timer.UpdateStarts();
    app.Update(offscreen ? 0.0 : wall_seconds);
    timer.UpdateEnds();

    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    timer.BuildStarts();
    ImGui::NewFrame();
    app.Draw();
    ImGui::Render();
    timer.BuildEnds();

    int width = 0, height = 0;
    glfwGetFramebufferSize(window, &width, &height);
    glViewport(0, 0, width, height);
    const unsigned char* clear = gui::kClearColour;
    glClearColor(clear[0] / 255.0f, clear[1] / 255.0f, clear[2] / 255.0f, 1);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    if (offscreen && frame == frames - 1 &&
        !gui::SaveScreenshot(options.screenshot, width, height)) {
      exit_code = 2;
    }
    glfwSwapBuffers(window);
    timer.FrameEnds();
  }
  if (options.frames > 0) timer.Report(stderr);
  app.StopListening();

  // Clean up.
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();
  return exit_code;
}
