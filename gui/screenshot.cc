// PNG screenshots of the OpenGL back buffer, with a self-check against a blank render.
#include "gui/screenshot.h"

#include <GL/gl.h>

#include <cstdio>
#include <vector>

#include "stb_image_write.h"

namespace kafkasim::gui {

bool SaveScreenshot(const std::string& path, int width, int height) {
  std::vector<unsigned char> pixels(static_cast<std::size_t>(width) *
                                    static_cast<std::size_t>(height) * 3);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE, pixels.data());
  std::size_t differing = 0;
  for (std::size_t i = 0; i < pixels.size(); i += 3) {
    differing += pixels[i] != kClearColour[0] || pixels[i + 1] != kClearColour[1] ||
                 pixels[i + 2] != kClearColour[2];
  }
  stbi_flip_vertically_on_write(1);
  // Encoded in memory and written here, so a short write (a full disk, /dev/full) is seen:
  // stbi_write_png ignores fwrite's and fclose's results.
  std::vector<unsigned char> png;
  const auto append = [](void* context, void* data, int size) {
    auto* out = static_cast<std::vector<unsigned char>*>(context);
    const auto* bytes = static_cast<const unsigned char*>(data);
    out->insert(out->end(), bytes, bytes + size);
  };
  bool written = false;
  if (stbi_write_png_to_func(append, &png, width, height, 3, pixels.data(), width * 3) != 0) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f != nullptr) {
      written = std::fwrite(png.data(), 1, png.size(), f) == png.size();
      written = std::fclose(f) == 0 && written;
    }
  }
  if (!written) {
    std::fprintf(stderr, "kafkasim-gui: could not write the screenshot to %s\n", path.c_str());
    return false;
  }
  const double share = static_cast<double>(differing) / static_cast<double>(pixels.size() / 3);
  std::fprintf(stderr, "kafkasim-gui: wrote %s (%dx%d, %.0f%% drawn)\n", path.c_str(), width,
               height, share * 100);
  if (share < 0.10) {
    std::fprintf(stderr, "kafkasim-gui: screenshot self-check failed: under 10%% drawn\n");
    return false;
  }
  return true;
}

}  // namespace kafkasim::gui
