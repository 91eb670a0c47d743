// Palettes, theme and font loading.
#include "gui/style.h"

#include <filesystem>

namespace kafkasim::gui {
namespace {

constexpr ImU32 Rgb(unsigned r, unsigned g, unsigned b) { return IM_COL32(r, g, b, 255); }

// Okabe & Ito (2008), "Color Universal Design": distinguishable with any colour vision.
constexpr ImU32 kBlack = Rgb(0, 0, 0), kOrange = Rgb(230, 159, 0), kSkyBlue = Rgb(86, 180, 233),
                kGreen = Rgb(0, 158, 115), kYellow = Rgb(240, 228, 66), kBlue = Rgb(0, 114, 178),
                kVermillion = Rgb(213, 94, 0), kPurple = Rgb(204, 121, 167);

Palette OkabeIto(bool high_contrast) {
  Palette p{};
  p.background = high_contrast ? kBlack : Rgb(30, 32, 36);
  p.text = high_contrast ? Rgb(255, 255, 255) : Rgb(230, 230, 230);
  p.dim_text = high_contrast ? Rgb(210, 210, 210) : Rgb(150, 150, 150);
  p.link = high_contrast ? Rgb(140, 140, 140) : Rgb(80, 84, 92);
  p.cut_link = kVermillion;
  p.broker = kBlue;
  p.controller = kPurple;
  p.zookeeper = kGreen;
  p.client = Rgb(120, 120, 120);
  p.crashed = high_contrast ? Rgb(90, 90, 90) : Rgb(60, 60, 60);
  p.fenced = kOrange;
  p.leader_ring = kYellow;
  p.ok = kGreen;
  p.bad = kVermillion;
  p.warn = kOrange;
  p.highlight = kYellow;
  p.fault_marker = kVermillion;
  p.election_marker = kSkyBlue;
  p.narration_marker = kYellow;
  p.check_marker = kPurple;
  p.produce = kOrange;
  p.fetch = kSkyBlue;
  p.vote = kPurple;
  p.heartbeat = kGreen;
  p.metadata = kYellow;
  p.other = Rgb(200, 200, 200);
  return p;
}

Palette Plain(bool high_contrast) {
  Palette p = OkabeIto(high_contrast);
  p.cut_link = p.bad = p.fault_marker = Rgb(220, 40, 40);
  p.ok = p.heartbeat = Rgb(60, 200, 60);
  p.broker = Rgb(60, 110, 220);
  p.controller = p.vote = Rgb(160, 80, 200);
  p.produce = p.warn = p.fenced = Rgb(240, 140, 30);
  p.fetch = p.election_marker = Rgb(40, 190, 230);
  return p;
}

}  // namespace

const Palette& CurrentPalette(const GuiState& state) {
  static const Palette kPalettes[4] = {Plain(false), Plain(true), OkabeIto(false), OkabeIto(true)};
  return kPalettes[(state.colour_blind_safe ? 2 : 0) + (state.high_contrast ? 1 : 0)];
}

ImU32 MessageColour(const Palette& palette, kafka::MessageKind kind) {
  switch (kind) {
    case kafka::MessageKind::kProduce:
      return palette.produce;
    case kafka::MessageKind::kFetch:
      return palette.fetch;
    case kafka::MessageKind::kVote:
      return palette.vote;
    case kafka::MessageKind::kHeartbeat:
      return palette.heartbeat;
    case kafka::MessageKind::kMetadata:
      return palette.metadata;
    default:
      return palette.other;
  }
}

void ApplyStyle(const GuiState& state) {
  ImGuiStyle style;
  if (state.high_contrast) {
    ImGui::StyleColorsDark(&style);
    style.Colors[ImGuiCol_WindowBg] = ImVec4(0, 0, 0, 1);
    style.Colors[ImGuiCol_ChildBg] = ImVec4(0, 0, 0, 1);
    style.Colors[ImGuiCol_Text] = ImVec4(1, 1, 1, 1);
    style.Colors[ImGuiCol_Border] = ImVec4(1, 1, 1, 0.8f);
    style.Colors[ImGuiCol_FrameBg] = ImVec4(0.15f, 0.15f, 0.15f, 1);
    style.Colors[ImGuiCol_Button] = ImVec4(0.0f, 0.30f, 0.55f, 1);
    style.Colors[ImGuiCol_Header] = ImVec4(0.0f, 0.30f, 0.55f, 1);
    style.Colors[ImGuiCol_TableRowBgAlt] = ImVec4(1, 1, 1, 0.10f);
    style.WindowBorderSize = 2;
    style.FrameBorderSize = 1;
  } else {
    ImGui::StyleColorsDark(&style);
  }
  style.WindowRounding = 0;
  style.ScaleAllSizes(state.ui_scale);
  ImGui::GetStyle() = style;
}

std::string FindFont(const std::string& file_name) {
  namespace fs = std::filesystem;
  const std::string candidates[] = {
#ifdef KAFKASIM_ASSETS_DIR
      std::string(KAFKASIM_ASSETS_DIR) + "/fonts/" + file_name,
#endif
      "assets/fonts/" + file_name,
      "/usr/share/fonts/truetype/dejavu/" + file_name,
  };
  std::error_code error;
  for (const std::string& path : candidates) {
    if (fs::exists(path, error)) return path;
  }
  return "";
}

GuiFonts LoadFonts(float scale) {
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  GuiFonts fonts;
  const float base = 17.0f * scale;
  // AddFontFromFileTTF asserts (aborts) on a missing file in 1.86, so look first.
  const std::string sans = FindFont("DejaVuSans.ttf");
  const std::string mono = FindFont("DejaVuSansMono.ttf");
  fonts.regular =
      sans.empty() ? io.Fonts->AddFontDefault() : io.Fonts->AddFontFromFileTTF(sans.c_str(), base);
  fonts.mono = mono.empty() ? fonts.regular : io.Fonts->AddFontFromFileTTF(mono.c_str(), base);
  fonts.large =
      sans.empty() ? fonts.regular : io.Fonts->AddFontFromFileTTF(sans.c_str(), base * 1.6f);
  io.FontDefault = fonts.regular;
  return fonts;
}

}  // namespace kafkasim::gui
