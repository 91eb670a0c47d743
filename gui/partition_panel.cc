// Partition detail: every replica's log as a strip of offsets (log start, high watermark, log
// end marked), its segments and files, and the leader epoch history.
#include <fmt/format.h>

#include <algorithm>

#include "gui/panels.h"
#include "gui/style.h"
#include "gui/topics_model.h"
#include "imgui.h"

namespace kafkasim::gui::partition {
namespace {

const view::PartitionView* Find(const view::WorldView& world, const std::string& name) {
  for (const view::TopicView& topic : world.topics) {
    for (const view::PartitionView& p : topic.partitions) {
      if (p.topic + "-" + std::to_string(p.partition) == name) return &p;
    }
  }
  return nullptr;
}

void Strip(const view::ReplicaLogView& log, std::int64_t offset_max, const Palette& pal) {
  const float font = ImGui::GetFontSize();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float width = std::max(ImGui::GetContentRegionAvail().x - font, 50.0f);
  const float height = font * 1.2f;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  auto x_of = [&](std::int64_t offset) {
    return origin.x + width * static_cast<float>(offset) / static_cast<float>(offset_max);
  };
  dl->AddRect(origin, {origin.x + width, origin.y + height}, pal.link);
  if (!log.detailed) {  // the segments come with the next snapshot: the log as one block
    dl->AddRectFilled({x_of(log.log_start_offset), origin.y},
                      {x_of(log.log_end_offset), origin.y + height},
                      log.online ? pal.broker : pal.crashed);
  }
  for (const view::SegmentView& seg : log.segments) {
    const ImU32 fill = log.online ? pal.broker : pal.crashed;
    dl->AddRectFilled({x_of(seg.base_offset), origin.y}, {x_of(seg.next_offset), origin.y + height},
                      fill);
    dl->AddLine({x_of(seg.base_offset), origin.y}, {x_of(seg.base_offset), origin.y + height},
                pal.background, 2);
  }
  const float hw = x_of(log.high_watermark), leo = x_of(log.log_end_offset);
  dl->AddLine({hw, origin.y - 3}, {hw, origin.y + height + 3}, pal.highlight, 3);
  dl->AddLine({leo, origin.y - 3}, {leo, origin.y + height + 3}, pal.text, 2);
  ImGui::Dummy({width, height + 4});
}

}  // namespace

void Draw(const view::WorldView& world, GuiState& state, CommandQueue& queue) {
  (void)queue;
  const Palette& pal = CurrentPalette(state);
  if (state.selected_partition.empty() && !world.topics.empty() &&
      !world.topics.front().partitions.empty()) {
    state.selected_partition = world.topics.front().name + "-0";
  }
  const view::PartitionView* p = Find(world, state.selected_partition);
  if (p == nullptr) {
    ImGui::TextDisabled("Select a partition in the Topics table.");
    return;
  }
  ImGui::Text("%s  leader %d  leader_epoch %d  partition_epoch %d",
              state.selected_partition.c_str(), p->leader, p->leader_epoch, p->partition_epoch);
  ImGui::Text("replicas [%s]  ISR [%s]  ELR [%s]  last known ELR [%s]",
              JoinIds(p->replicas).c_str(), JoinIds(p->isr).c_str(), JoinIds(p->elr).c_str(),
              JoinIds(p->last_known_elr).c_str());
  ImGui::TextColored(ToVec4(pal.highlight), "| high watermark");
  ImGui::SameLine();
  ImGui::TextColored(ToVec4(pal.text), "| log end offset");
  ImGui::SameLine();
  ImGui::TextDisabled("(blocks are segments)");
  std::int64_t offset_max = 1;
  for (const auto& log : p->logs) offset_max = std::max(offset_max, log.log_end_offset);

  ImGui::BeginChild("replica_logs", {0, 0}, false);
  for (const view::ReplicaLogView& log : p->logs) {
    ImGui::PushID(log.broker_id);
    const bool leader = log.broker_id == p->leader;
    if (!log.online) {
      // Not "log start 0, HW 0, LEO 0": the replica's log is on the broker's disk, unread.
      ImGui::Text("broker-%d%s  OFFLINE", log.broker_id, leader ? " (leader)" : "");
      ImGui::PushTextWrapPos(0.0f);
      ImGui::TextDisabled(
          "Its log stays on its disk and is read again when the broker restarts (a power-loss "
          "crash loses only unflushed writes).");
      ImGui::PopTextWrapPos();
      ImGui::PopID();
      continue;
    }
    ImGui::Text("broker-%d%s  log start %lld  HW %lld  LEO %lld", log.broker_id,
                leader ? " (leader)" : "", static_cast<long long>(log.log_start_offset),
                static_cast<long long>(log.high_watermark),
                static_cast<long long>(log.log_end_offset));
    Strip(log, offset_max, pal);
    if (!log.detailed) {
      ImGui::TextDisabled("(segments and leader epochs on the next frame)");
    } else if (ImGui::TreeNode("segments", "%zu segment%s, %zu leader epoch%s", log.segments.size(),
                               log.segments.size() == 1 ? "" : "s", log.leader_epochs.size(),
                               log.leader_epochs.size() == 1 ? "" : "s")) {
      for (const view::SegmentView& seg : log.segments) {
        std::string files;
        for (const std::string& f : seg.files) files += f + "  ";
        ImGui::BulletText("[%lld, %lld) %lld bytes  %s", static_cast<long long>(seg.base_offset),
                          static_cast<long long>(seg.next_offset),
                          static_cast<long long>(seg.size_bytes), files.c_str());
      }
      ImGui::TextUnformatted("leader-epoch-checkpoint:");
      for (const auto& [epoch, start] : log.leader_epochs) {
        ImGui::BulletText("epoch %d starts at offset %lld", epoch, static_cast<long long>(start));
      }
      ImGui::TreePop();
    }
    ImGui::PopID();
  }
  ImGui::EndChild();
}

}  // namespace kafkasim::gui::partition
