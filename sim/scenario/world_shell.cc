// The disk shell of the console and `run` steps: which node a command runs on, each node's
// working directory, and the tree a node's shell sees (its config file and its disk).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "scenario/disk_shell.h"
#include "scenario/server_properties.h"
#include "scenario/world.h"

namespace kafkasim::scenario {

CommandOutput World::Shell(const ShellCommand& c) {
  const std::vector<NodeSpec>& nodes = scenario_.cluster.nodes;
  if (shell_node_.empty() && !nodes.empty()) shell_node_ = nodes.front().name;
  if (c.exit) {
    shell_node_ = nodes.empty() ? "" : nodes.front().name;
    return CommandOutput{true, ""};
  }
  const std::string& name = c.node.empty() ? shell_node_ : c.node;
  const NodeSpec* spec = nullptr;
  for (const NodeSpec& n : nodes) {
    if (n.name == name) spec = &n;
  }
  if (spec == nullptr) {
    return CommandOutput{false, fmt::format("ssh: Could not resolve hostname {}: Name or service "
                                            "not known (the nodes are {})",
                                            name,
                                            fmt::join(
                                                [&] {
                                                  std::vector<std::string> names;
                                                  for (const NodeSpec& n : nodes) {
                                                    names.push_back(n.name);
                                                  }
                                                  return names;
                                                }(),
                                                ", "))};
  }
  ShellTree tree;
  tree.mount = LogDirOf(scenario_, *spec);
  tree.files.push_back(ShellFile{ConfigPathOf(*spec), ConfigFileOf(scenario_, *spec)});
  tree.now = sim_->Now();
  const NodeIndex index = sim_->FindNode(spec->name);
  if (const auto it = disks_.find(index); it != disks_.end()) tree.disk = &it->second->disk();
  std::string& cwd = shell_cwd_[spec->name];
  if (cwd.empty()) cwd = tree.home;
  if (c.argv.empty()) {  // `ssh NODE`: the console's commands run there from now on
    shell_node_ = spec->name;
    return CommandOutput{true, ""};
  }
  // The disk is read as it is now, page cache included: what `ls` on a running machine shows.
  return RunShellCommand(tree, c.argv, cwd);
}

}  // namespace kafkasim::scenario
