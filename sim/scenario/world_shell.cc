// The disk shell of the console and `run` steps: which node a command runs on, each node's
// working directory, and the tree a node's shell sees (its config file and its disk).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <optional>
#include <set>

#include "engine/overloaded.h"
#include "engine/prng.h"
#include "kafka/log_manager.h"
#include "kafka/metadata_records.h"
#include "kafka/metadata_snapshot.h"
#include "scenario/disk_shell.h"
#include "scenario/server_properties.h"
#include "scenario/trace_kinds.h"
#include "scenario/world.h"
#include "storage/checkpoint_file.h"
#include "storage/format.h"

namespace kafkasim::scenario {

namespace {

// The metadata.version a Kafka 4.3 cluster is formatted with (MetadataVersion.LATEST_PRODUCTION).
constexpr std::string_view kMetadataVersion = kafka::kMetadataVersionName;

CommandOutput Failed(std::string text) { return CommandOutput{false, std::move(text)}; }

}  // namespace

const NodeSpec* World::ShellNodeSpec(const std::string& node) {
  const std::vector<NodeSpec>& nodes = scenario_.cluster.nodes;
  if (shell_node_.empty() && !nodes.empty()) shell_node_ = nodes.front().name;
  const std::string& name = node.empty() ? shell_node_ : node;
  for (const NodeSpec& n : nodes) {
    if (n.name == name) return &n;
  }
  return nullptr;
}

CommandOutput World::Assign(const AssignCommand& c) {
  if (!c.substitution) {
    shell_vars_[c.name] = c.value;
    return CommandOutput{true, ""};
  }
  Result<ToolCommand> inner = ParseToolCommand(c.value);
  if (!inner.ok()) return Failed(inner.status().message());
  std::optional<CommandOutput> captured;
  // The output goes to the variable, not the console: run the command without tracing it.
  std::visit(
      Overloaded{
          [&](const ShellCommand& s) { captured = Shell(s); },
          [&](const StorageCommand& s) { captured = Storage(s); },
          [&](const AssignCommand&) { captured = Failed("$(...) cannot hold an assignment"); },
          [&](const auto&) {
            captured =
                Failed(fmt::format("$({}) cannot be captured here: only commands that answer at "
                                   "once (kafka-storage.sh random-uuid, the shell commands) can",
                                   ToolName(*inner)));
          }},
      *inner);
  if (!captured->ok) return *captured;
  std::string value = captured->text;
  while (!value.empty() && value.back() == '\n') value.pop_back();
  shell_vars_[c.name] = value;
  return CommandOutput{true, ""};
}

CommandOutput World::Storage(const StorageCommand& c) {
  if (c.action == StorageCommand::Action::kRandomUuid) {
    // Uuid.randomUuid: random bits, never a string that starts with '-'; from a stream of the
    // run's seed, so the same scenario prints the same ids.
    Rng rng = Rng::Stream(sim_->seed(), fmt::format("random-uuid/{}", ++random_uuids_));
    kafka::Uuid id;
    do {
      id = kafka::Uuid{rng.NextU64(), rng.NextU64()};
    } while (id.ToBase64().front() == '-' || (id.high == 0 && id.low < 100));
    return CommandOutput{true, id.ToBase64()};
  }
  const NodeSpec* spec = ShellNodeSpec(c.node);
  if (spec == nullptr) return Failed(fmt::format("unknown node '{}'", c.node));
  std::string& cwd = shell_cwd_[spec->name];
  if (cwd.empty()) cwd = "/opt/kafka";
  if (ResolveShellPath(cwd, c.config) != ConfigPathOf(*spec)) {
    return Failed(fmt::format(
        "Exception in thread \"main\" java.nio.file.NoSuchFileException: {}\n(the config file "
        "of {} is {})",
        c.config, spec->name, ConfigPathOf(*spec)));
  }
  if (scenario_.cluster.mode == ClusterMode::kZookeeper) {
    // StorageTool.runFormatCommand on a config without process.roles.
    return Failed(
        "The kafka configuration file appears to be for a legacy cluster. Formatting is only "
        "supported for clusters in KRaft mode.");
  }
  const bool controller = spec->role == NodeRole::kController || spec->role == NodeRole::kCombined;
  const std::vector<std::int32_t> voters = scenario_.cluster.VoterIds();
  if (controller && !c.standalone && !c.initial_controllers && !c.no_initial_controllers) {
    return Failed(
        "Because controller.quorum.voters is not set on this controller, you must specify one "
        "of the following: --standalone, --initial-controllers, or --no-initial-controllers.");
  }
  if (c.standalone && (!controller || voters != std::vector<std::int32_t>{spec->node_id})) {
    return Failed(fmt::format(
        "kafka-storage.sh: --standalone makes node {} the only voter, but this scenario's "
        "quorum is fixed with the voters {}; format the controllers with "
        "--initial-controllers (or --no-initial-controllers)",
        spec->node_id, fmt::join(voters, ", ")));
  }
  bool voter_directory = c.standalone;
  std::vector<storage::Voter> initial_voters;  // --initial-controllers, in its order
  if (c.initial_controllers) {
    // DynamicVoters.parse: id@host:port:directoryId, comma-separated.
    std::set<std::int32_t> ids;
    std::size_t start = 0;
    const std::string& list = *c.initial_controllers;
    while (start <= list.size()) {
      const std::size_t comma = std::min(list.find(',', start), list.size());
      const std::string item = list.substr(start, comma - start);
      const std::size_t at = item.find('@');
      const std::size_t colons =
          static_cast<std::size_t>(std::count(item.begin(), item.end(), ':'));
      std::int32_t id = -1;
      if (at != std::string::npos && at > 0 && colons == 2 &&
          item.find_first_not_of("0123456789") == at && at <= 9) {
        id = static_cast<std::int32_t>(std::stol(item.substr(0, at)));
      }
      if (id < 0) {
        return Failed(fmt::format("Unable to parse {} as id@host:port:directoryId", item));
      }
      // DynamicVoter.parse's checks after the id: host:port:directoryId.
      const std::string rest = item.substr(at + 1);
      const std::size_t c1 = rest.find(':');
      const std::size_t c2 = rest.find(':', c1 + 1);
      const std::string port_text = rest.substr(c1 + 1, c2 - c1 - 1);
      const std::size_t sign = port_text.starts_with('-') ? 1 : 0;
      if (port_text.size() == sign || port_text.size() > 9 ||
          port_text.find_first_not_of("0123456789", sign) != std::string::npos) {
        return Failed("Failed to parse port in dynamic voter string.");
      }
      const int port = std::stoi(port_text);
      if (port < 0 || port > 65535) {
        return Failed(fmt::format("Invalid port {} in dynamic voter string.", port));
      }
      Result<storage::Uuid> dir = storage::UuidFromBase64(rest.substr(c2 + 1));
      if (!dir.ok()) return Failed("Failed to parse directory ID in dynamic voter string.");
      storage::Voter voter{
          id, *dir, {{"CONTROLLER", rest.substr(0, c1), static_cast<std::uint16_t>(port)}}, 0, 1};
      ids.insert(id);
      initial_voters.push_back(std::move(voter));
      start = comma + 1;
    }
    if (ids != std::set<std::int32_t>(voters.begin(), voters.end())) {
      return Failed(fmt::format(
          "kafka-storage.sh: --initial-controllers names the voters {}, but this scenario's "
          "quorum is fixed with the voters {}",
          fmt::join(ids, ", "), fmt::join(voters, ", ")));
    }
    voter_directory = ids.contains(spec->node_id);
  }
  if (c.release_version && *c.release_version != kMetadataVersion && *c.release_version != "4.3") {
    return Failed(
        fmt::format("kafka-storage.sh: --release-version {}: the simulator runs "
                    "metadata.version {} only",
                    *c.release_version, kMetadataVersion));
  }
  for (const std::string& feature : c.features) {
    if (feature != fmt::format("eligible.leader.replicas.version={}",
                               scenario_.cluster.eligible_leader_replicas_version)) {
      return Failed(
          fmt::format("kafka-storage.sh: --feature {}: the cluster's feature levels "
                      "come from the scenario (cluster.features)",
                      feature));
    }
  }
  if (c.cluster_id.empty() || c.cluster_id.find_first_of(" \t") != std::string::npos) {
    return Failed(fmt::format("Cluster ID string '{}' is not a valid cluster id", c.cluster_id));
  }
  const NodeIndex index = sim_->FindNode(spec->name);
  const auto disk_it = disks_.find(index);
  if (disk_it == disks_.end()) return Failed(spec->name + " has no disk");
  FileSystem& disk = disk_it->second->mutable_disk();
  const std::string log_dir = LogDirOf(scenario_, *spec);
  if (disk.Exists(storage::kMetaPropertiesFile)) {
    if (c.ignore_formatted)
      return CommandOutput{true, "All of the log directories are already formatted."};
    return Failed(
        fmt::format("Log directory {} is already formatted. Use --ignore-formatted to "
                    "ignore this directory and format the others.",
                    log_dir));
  }
  const storage::MetaProperties meta =
      kafka::FormattedMetaProperties(sim_->seed(), spec->name, spec->node_id, c.cluster_id);
  if (Status s = disk.WriteFileAtomically(storage::kMetaPropertiesFile,
                                          storage::FormatMetaProperties(meta));
      !s.ok()) {
    return Failed(
        fmt::format("Error while writing meta.properties file {}: {}", log_dir, s.ToString()));
  }
  // Formatter.doFormat: the bootstrap metadata in every metadata log dir, and on a voter of a
  // dynamic quorum the 0-0.checkpoint that holds the first voter set (kraft.version 1).
  const std::int64_t now_ms = sim_->Now().Millis();
  const std::vector<std::uint8_t> bootstrap = kafka::BuildSnapshotFile(
      kafka::BootstrapRecords(scenario_.cluster.eligible_leader_replicas_version), 0, now_ms);
  if (Status s = disk.WriteFileAtomically(storage::kBootstrapCheckpointFile, bootstrap); !s.ok()) {
    return Failed(fmt::format("Error while writing {}/{}: {}", log_dir,
                              storage::kBootstrapCheckpointFile, s.ToString()));
  }
  if (voter_directory) {
    if (c.standalone) {
      Result<storage::Uuid> dir = storage::UuidFromBase64(meta.directory_id);
      initial_voters = {
          storage::Voter{spec->node_id,
                         dir.ok() ? *dir : storage::Uuid{},
                         {{"CONTROLLER", HostOf(scenario_, *spec), kafka::kControllerListenerPort}},
                         0,
                         1}};
    }
    const std::vector<std::uint8_t> checkpoint =
        kafka::BuildSnapshotFile({}, 0, now_ms, initial_voters);
    Status s = disk.CreateDirs("__cluster_metadata-0");
    if (s.ok()) {
      s = disk.WriteFileAtomically("__cluster_metadata-0/" + kafka::SnapshotFileName(0, 0),
                                   checkpoint);
    }
    if (!s.ok()) {
      return Failed(fmt::format("Error while writing the first metadata snapshot in {}: {}",
                                log_dir, s.ToString()));
    }
  }
  // The first cluster id formatted is the cluster's; a node formatted with another one fails
  // at start ("Invalid cluster.id").
  if (directory_->cluster_id.empty()) directory_->cluster_id = c.cluster_id;
  // Formatter.DirectoryType: the one log dir is also the metadata log dir.
  const std::string_view kind = !c.initial_controllers && !c.standalone ? "metadata directory"
                                : voter_directory ? "dynamic metadata voter directory"
                                                  : "dynamic metadata directory";
  return CommandOutput{true, fmt::format("Formatting {} {} with metadata.version {}.", kind,
                                         log_dir, kMetadataVersion)};
}

CommandOutput World::ServerStart(const ServerStartCommand& c) {
  const NodeSpec* spec = ShellNodeSpec(c.node);
  if (spec == nullptr) return Failed(fmt::format("unknown node '{}'", c.node));
  if (spec->role == NodeRole::kZooKeeper) {
    return Failed(fmt::format("{} is a ZooKeeper server, started with the ensemble", spec->name));
  }
  std::string& cwd = shell_cwd_[spec->name];
  if (cwd.empty()) cwd = "/opt/kafka";
  if (ResolveShellPath(cwd, c.config) != ConfigPathOf(*spec)) {
    return Failed(
        fmt::format("[main] ERROR Exiting Kafka due to fatal exception (kafka.Kafka$)\n"
                    "java.nio.file.NoSuchFileException: {}\n(the config file of {} is {})",
                    c.config, spec->name, ConfigPathOf(*spec)));
  }
  const NodeIndex index = sim_->FindNode(spec->name);
  if (sim_->GetNodeState(index) == NodeState::kRunning) {
    return Failed(
        fmt::format("{} is already running: its ports are in use (Socket server failed "
                    "to bind: Address already in use)",
                    spec->name));
  }
  Emit(trace_kind::kNodeRestart,
       fmt::format("{} starts (kafka-server-start.sh {})", spec->name, c.config));
  sim_->RestartNode(index);
  return CommandOutput{true, ""};
}

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
