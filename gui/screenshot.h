// `kafkasim-gui --screenshot FILE`: the back buffer of the last offscreen frame as a PNG.
#pragma once

#include <string>

namespace kafkasim::gui {

// The colour main.cc clears the frame with; a screenshot that is mostly this colour is blank.
inline constexpr unsigned char kClearColour[3] = {20, 22, 26};

// Reads the current OpenGL back buffer (`width` x `height`) and writes it to `path` as a PNG.
// Fails (false, with a line on stderr) when the file cannot be written or when under 10% of
// the pixels differ from kClearColour: a blank render.
bool SaveScreenshot(const std::string& path, int width, int height);

}  // namespace kafkasim::gui
