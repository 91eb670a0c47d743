// Metrics under Kafka's own names, the ones operators watch first, each with a small plot of
// its history.
#include <algorithm>
#include <set>
#include <string>

#include "gui/panels.h"
#include "gui/style.h"
#include "imgui.h"

namespace kafkasim::gui::metrics {
namespace {

// Shown first, in this order; any other metric in the snapshot follows by name.
constexpr const char* kWatched[] = {"ActiveControllerCount",
                                    "OfflinePartitionsCount",
                                    "UnderReplicatedPartitions",
                                    "UnderMinIsrPartitionCount",
                                    "IsrShrinksPerSec",
                                    "IsrExpandsPerSec",
                                    "LeaderElectionRateAndTimeMs",
                                    "FailedProduceRequestsPerSec",
                                    "records-lag-max"};

// What an operator reads from each metric (shown as the name's tooltip).
const char* Meaning(const std::string& name) {
  if (name == "ActiveControllerCount") {
    return "controllers that think they are active, summed over the cluster: exactly 1 is "
           "healthy";
  }
  if (name == "OfflinePartitionsCount") return "partitions without a leader: unavailable";
  if (name == "UnderReplicatedPartitions") {
    return "partitions whose ISR is smaller than the replica list (counted by their leaders)";
  }
  if (name == "UnderMinIsrPartitionCount") {
    return "partitions whose ISR is below min.insync.replicas: acks=all produce fails";
  }
  if (name == "IsrShrinksPerSec" || name == "IsrExpandsPerSec") {
    return "ISR changes made by partition leaders, per virtual second over the last 10 s "
           "(the controller removing a fenced broker is not a leader's shrink)";
  }
  if (name == "LeaderElectionRateAndTimeMs") {
    return "leader elections (a new leader at leader epoch > 0), per virtual second over the "
           "last 10 s";
  }
  if (name == "FailedProduceRequestsPerSec") {
    return "produce requests brokers answered with an error, per virtual second over the last "
           "10 s";
  }
  if (name == "records-lag-max") {
    return "the largest consumer lag: high watermark minus the consumer's position, in records";
  }
  return nullptr;
}

bool IsRate(const std::string& name) {
  return name.ends_with("PerSec") || name == "LeaderElectionRateAndTimeMs";
}

bool Alarming(const std::string& name, double value) {
  if (name == "ActiveControllerCount") return value != 1;
  if (name == "OfflinePartitionsCount" || name == "UnderReplicatedPartitions" ||
      name == "UnderMinIsrPartitionCount") {
    return value > 0;
  }
  return false;
}

}  // namespace

void Draw(const view::WorldView& world, GuiState& state, CommandQueue& queue) {
  (void)queue;
  const Palette& pal = CurrentPalette(state);
  std::vector<std::string> names;
  for (const char* name : kWatched) {
    if (world.metrics.count(name) > 0) names.emplace_back(name);
  }
  for (const auto& [name, value] : world.metrics) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_ScrollY;
  if (!ImGui::BeginTable("metrics", 3, flags)) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("Metric", 0, 2.2f);
  ImGui::TableSetupColumn("Value", 0, 0.8f);
  ImGui::TableSetupColumn("History", 0, 2.0f);
  ImGui::TableHeadersRow();
  const float plot_height = ImGui::GetFontSize() * 1.6f;
  for (const std::string& name : names) {
    const double value = world.metrics.at(name);
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(name.c_str());
    if (const char* meaning = Meaning(name); meaning != nullptr && ImGui::IsItemHovered()) {
      ImGui::SetTooltip("%s", meaning);
    }
    ImGui::TableNextColumn();
    ImGui::TextColored(ToVec4(Alarming(name, value) ? pal.bad : pal.text),
                       IsRate(name) ? "%.3g/s" : "%.3g", value);
    ImGui::TableNextColumn();
    auto it = state.metrics.series().find(name);
    if (it != state.metrics.series().end() && !it->second.values.empty()) {
      const auto& values = it->second.values;
      const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
      ImGui::PushID(name.c_str());
      ImGui::PushStyleColor(ImGuiCol_PlotLines,
                            ToVec4(Alarming(name, value) ? pal.bad : pal.fetch));
      // ImGui 1.86's PlotLines takes a negative width literally (no "fill" as for buttons).
      ImGui::PlotLines("##plot", values.data(), static_cast<int>(values.size()), 0, nullptr, *lo,
                       *hi > *lo ? *hi : *lo + 1, {ImGui::GetContentRegionAvail().x, plot_height});
      ImGui::PopStyleColor();
      ImGui::PopID();
    }
  }
  ImGui::EndTable();
}

}  // namespace kafkasim::gui::metrics
