// How kafkasim-gui opens its world and takes the command line's choices: the same
// scenario::Runner the headless `kafkasim run` uses, opened for interactive use.
#pragma once

#include <memory>
#include <string>

#include "engine/status.h"
#include "gui/app.h"
#include "gui/options.h"
#include "scenario/session_control.h"

namespace kafkasim::gui {

// The scenario opened when none is given: the broker-failure classroom demo (as scripts/run),
// from the source tree this binary was built from, else ./scenarios/.
std::string DefaultScenarioPath();

// Opens options.scenario (or the default) with options.seed. On bad input returns nullptr and
// sets *error to the runner's message, which names the file, the place and what is valid.
// With options.listen the scenario runs open-ended and must have one cluster.
std::unique_ptr<SessionControl> OpenScenario(const Options& options, std::string* error);

// Puts the display and playback flags into `app` (fonts at the scale, style, play, speed, the
// selected partition) and runs to options.at. Needs a current ImGui context; call before the
// first frame.
void Configure(const Options& options, App& app);

// --listen: opens the gateway on the session (made by OpenScenario with options.listen) as
// `kafkasim serve` would, printing "gateway: listening: ..." on stderr. An error (a port in
// use, a bad --bind) names the address.
Status Listen(const Options& options, App& app);

// Runs the session to `at` through any `pause` steps, sampling the metrics on the way as
// playing would, so the first frame's metric plots show the run so far.
void AdvanceRecordingMetrics(App& app, Time at);

}  // namespace kafkasim::gui
