// The panels of kafkasim-gui. Each draws into the current ImGui window from the read-only
// WorldView, keeps its own memory in GuiState, and asks for changes through CommandQueue.
#pragma once

#include "gui/command_queue.h"
#include "gui/gui_state.h"
#include "scenario/world_view.h"

namespace kafkasim::gui {

using PanelFn = void (*)(const view::WorldView&, GuiState&, CommandQueue&);

// Menu bar and toolbar: play, step, speed, file actions, settings.
namespace transport {
void Draw(const view::WorldView& world, GuiState& state, CommandQueue& queue);
}
// Nodes, links, messages in flight, fault-injection context menus.
namespace cluster_map {
void Draw(const view::WorldView& world, GuiState& state, CommandQueue& queue);
// The line under a node's name on the map: "CRASHED", "Leader e3", "leads 2", "follower".
std::string RoleLine(const view::WorldView& world, const view::NodeView& n);
// `text` as the map draws it in `width` pixels of the current font: whole, or shortened in the
// middle ("cons..mer-12"), keeping the end that tells nodes apart.
std::string FitLabel(const std::string& text, float width);
}  // namespace cluster_map
// The kafka-topics --describe table with change highlights.
namespace topics {
void Draw(const view::WorldView& world, GuiState& state, CommandQueue& queue);
}
// One partition's replica logs, segments and leader epochs.
namespace partition {
void Draw(const view::WorldView& world, GuiState& state, CommandQueue& queue);
}
// KRaft voters or the ZooKeeper ensemble.
namespace quorum {
void Draw(const view::WorldView& world, GuiState& state, CommandQueue& queue);
}
// Producers and consumers.
namespace clients {
void Draw(const view::WorldView& world, GuiState& state, CommandQueue& queue);
}
// Consumer groups: state, generation, coordinator, members, partition -> member, lag.
namespace groups {
void Draw(const view::WorldView& world, GuiState& state, CommandQueue& queue);
}
// ZooKeeper mode: the znode tree as a server holds it, live.
namespace znodes {
void Draw(const view::WorldView& world, GuiState& state, CommandQueue& queue);
}
// Kafka metric names with small plots.
namespace metrics {
void Draw(const view::WorldView& world, GuiState& state, CommandQueue& queue);
}
// Guarantees and expectations, live; jump to the breaking event.
namespace checks {
void Draw(const view::WorldView& world, GuiState& state, CommandQueue& queue);
}
// The trace, filtered; click an event to rewind to it.
namespace event_log {
void Draw(const view::WorldView& world, GuiState& state, CommandQueue& queue);
}
// Virtual time with markers; drag to scrub.
namespace timeline {
void Draw(const view::WorldView& world, GuiState& state, CommandQueue& queue);
}
// The scenario's `say` text, large.
namespace narration {
void Draw(const view::WorldView& world, GuiState& state, CommandQueue& queue);
}
// Type commands, see their output.
namespace console {
void Draw(const view::WorldView& world, GuiState& state, CommandQueue& queue);
}

}  // namespace kafkasim::gui
