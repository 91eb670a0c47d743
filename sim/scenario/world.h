// A simulated Kafka cluster (KRaft, or brokers on a ZooKeeper ensemble) built from a scenario:
// nodes, disks, clients, and the commands that act on it (faults and the kafka-*.sh tools). The
// runner and the GUI session drive a World.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/mirrored_file_system.h"
#include "engine/sim_file_system.h"
#include "engine/simulation.h"
#include "kafka/client_history.h"
#include "kafka/cluster_directory.h"
#include "kafka/kafka_node.h"
#include "kafka/kafka_raft_server.h"
#include "kafka/mirror_maker.h"
#include "scenario/record_ledger.h"
#include "scenario/scenario.h"
#include "scenario/session_control.h"
#include "scenario/world_view.h"

namespace kafkasim::scenario {

// The control plane a scenario's cluster runs on.
kafka::ControlPlane ControlPlaneOf(const Scenario& scenario);

struct WorldOptions {
  std::string data_dir;  // non-empty: mirror every node's disk into DATA_DIR/<node>/
};

class World {
 public:
  // One cluster in a simulation of its own.
  World(const Scenario& scenario, std::uint64_t seed, WorldOptions options = {});
  // One of several clusters sharing `sim` (the caller keeps it alive): `scenario` is that
  // cluster's own (Scenario::ClusterScenario), its node names already "CLUSTER/broker-1"; the
  // nodes this world adds later (admin, console clients) get the same prefix. Its nodes are in
  // network zone `zone`.
  World(const Scenario& scenario, Simulation& sim, const std::string& cluster, int zone,
        WorldOptions options);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  Simulation& sim() { return *sim_; }
  const Scenario& scenario() const { return scenario_; }
  // "" for a world of its own; else the cluster's name ("us-east").
  const std::string& cluster_name() const { return cluster_; }
  // Whether the node is this world's: one of its servers, its admin or a client it started
  // (every node, for a world with a simulation of its own).
  bool Owns(NodeIndex node) const;
  kafka::ClientHistory& history() { return *history_; }
  // Who is who: broker node.ids to engine nodes (the gateway routes external clients by it).
  const kafka::ClusterDirectory& directory() const { return *directory_; }
  std::shared_ptr<const kafka::ClusterDirectory> shared_directory() const { return directory_; }
  // Adds and starts this cluster's MirrorMaker 2 worker, "CLUSTER/mirror-maker", which runs the
  // flows that target this cluster (a dedicated MM2 runs near its target); `clusters` names
  // every cluster the flows touch.
  NodeIndex AddMirrorMaker(
      std::vector<kafka::MirrorFlowConfig> flows,
      std::map<std::string, std::shared_ptr<const kafka::ClusterDirectory>> clusters,
      std::shared_ptr<kafka::MirrorStats> stats);
  // The clients' records folded into what the guarantees and expectations ask of them.
  RecordLedger& ledger() { return *ledger_; }

  // Executes a fault or tool command now. Tool output arrives through `done` (possibly later,
  // after the request's round trip), and is also written to the trace as "tool.output".
  void Execute(const ToolCommand& command, const std::string& command_line,
               std::function<void(const CommandOutput&)> done);
  // Starts a scenario client (a producer or consumer node) now.
  void StartClient(const Client& client);
  // Closes a running client the way close() does: a producer finishes what it has buffered
  // and in flight first, then the node stops (its state becomes "stopped", not "crashed").
  void StopClient(const std::string& id);

  // Live state.
  kafka::KafkaNode* Server(NodeIndex node);
  // The KRaft server of a node (for quorum views), or nullptr in another mode or when down.
  kafka::KafkaRaftServer* RaftServer(NodeIndex node);
  std::int32_t ActiveControllerId();  // -1 when none
  // ZooKeeper mode: the name of the server LEADING the ensemble (and serving), "" when none.
  std::string ZooKeeperLeader();
  // ZooKeeper mode: the ensemble's server nodes zk-1..zk-N, in order.
  const std::vector<NodeIndex>& zookeepers() const { return zookeepers_; }
  // The freshest committed metadata any running broker (or controller) holds.
  // `from`, when given, is set to the broker whose image it is.
  const kafka::MetadataImage* BestImage(NodeIndex* from = nullptr);
  // The log of the partition's current leader (as BestImage names it) when that broker runs.
  const kafka::ReplicaLog* LeaderLog(const PartitionRef& partition);
  // The log of the broker acting as the partition's leader: of the replicas BestImage lists,
  // the running one whose own replica leads at the highest leader epoch; else LeaderLog. In
  // ZooKeeper mode a broker leads from the controller's LeaderAndIsr before any metadata cache
  // names it (UpdateMetadata follows), so the image's leader lags the one serving.
  const kafka::ReplicaLog* ActingLeaderLog(const PartitionRef& partition);
  // How many records `client` ("" = every producer) had acknowledged (with acks=all only, if
  // asked) that the acting leaders' logs (ActingLeaderLog) no longer hold at their
  // acknowledged offset with the same value. Records below a leader's log start offset (deleted
  // by retention) and partitions without a running leader are not counted. `detail` gets a
  // description of the first lost record, if any. With `only`, that partition's records alone.
  std::int64_t CountLostAcknowledged(const std::string& client, bool acks_all_only,
                                     std::string* detail, const PartitionRef* only = nullptr);
  // The running broker with this node.id, or nullptr.
  kafka::KafkaNode* BrokerServer(std::int32_t broker_id);
  // That broker's replica of the partition, or nullptr when the broker is down, a controller
  // only or holds no replica of it (KafkaNode::LocalPartition's, without copying its ISR).
  const kafka::Partition* ReplicaOn(std::int32_t broker_id, const std::string& topic,
                                    std::int32_t partition);
  // Every server node (brokers and controllers), running or not, in node order.
  const std::vector<NodeIndex>& servers() const { return servers_; }
  // The snapshot; the replica logs of `detailed` ("cities-0", this world's topic name) are
  // described in full (segments, leader epochs), every other one by its offsets only.
  view::WorldView BuildView(std::string_view detailed = {});
  // The same into `v`, reusing its topics' storage (the Runner's snapshot, rebuilt each frame).
  void BuildView(view::WorldView& v, std::string_view detailed = {});
  std::string DescribeTopics(const TopicsCommand& command);
  // With a --data-dir: the first write to the real directory that failed (a full host disk),
  // or OK. The run itself never depends on it; the host reports it.
  Status MirrorStatus() const;
  // zookeeper-shell.sh's output: a read from the server at the command's port.
  CommandOutput ZooKeeperShell(const ZooKeeperShellCommand& command);
  // A read-only shell command over a node's files (world_shell.cc, scenario/disk_shell.h).
  CommandOutput Shell(const ShellCommand& command);
  // kafka-storage.sh and kafka-server-start.sh on a node (world_shell.cc).
  CommandOutput Storage(const StorageCommand& command);
  CommandOutput ServerStart(const ServerStartCommand& command);
  // NAME=VALUE and NAME="$(COMMAND)": sets a shell variable (world_shell.cc).
  CommandOutput Assign(const AssignCommand& command);
  // The node the console's shell is on ("ssh NODE" moves it; the first Kafka node at start).
  const std::string& shell_node() const { return shell_node_; }
  // kafka-consumer-groups.sh over what the running coordinators hold (world_groups.cc).
  CommandOutput DescribeGroups(const ConsumerGroupsCommand& command);
  // kafka-consumer-groups.sh --reset-offsets (world_groups.cc).
  CommandOutput ResetGroupOffsets(const ConsumerGroupsCommand& command);
  // The group as its running coordinator holds it, and that coordinator's node.id.
  const kafka::ClassicGroup* FindGroup(const std::string& group_id,
                                       std::int32_t* coordinator = nullptr);
  // The KIP-848 group of that id on a running coordinator, else nullptr.
  const kafka::ConsumerGroup* FindConsumerGroup(const std::string& group_id,
                                                std::int32_t* coordinator = nullptr);

 private:
  void BuildCluster();
  // The offset below which every replica of the partition (all running) has deleted its
  // records, or 0: what the ledger may forget.
  std::int64_t DeletedBelow(const PartitionRef& ref);
  // The WorldView's ZooKeeper trees and sessions, and its groups (world_view_zk_groups.cc).
  void AddZooKeeperView(view::WorldView& v);
  void AddGroupsView(view::WorldView& v);
  void Emit(std::string_view kind, const std::string& text);
  void Output(const std::string& command_line, const CommandOutput& out,
              const std::function<void(const CommandOutput&)>& done);
  NodeIndex NodeOrEmit(const std::string& name);
  void RunTopics(const TopicsCommand& c, const std::string& line,
                 std::function<void(const CommandOutput&)> done);
  // kafka-configs.sh: --describe from the metadata, --alter as IncrementalAlterConfigs.
  void RunConfigs(const ConfigsCommand& c, const std::string& line,
                  std::function<void(const CommandOutput&)> done);
  // One "  name=value sensitive=false synonyms={...}" line of a topic's --describe.
  std::string TopicConfigLine(const std::string& name, const std::string& value);
  // The tool's output, or nothing while no voter leads the quorum.
  std::optional<std::string> QuorumStatus(const MetadataQuorumCommand& c);
  // One replica of --describe --status's CurrentVoters or CurrentObservers (KIP-853 form).
  std::string QuorumReplicaText(std::int32_t node_id, bool voter) const;
  void AwaitQuorumStatus(const MetadataQuorumCommand& c, const std::string& line,
                         std::function<void(const CommandOutput&)> done, Time deadline);
  static constexpr Duration kDefaultApiTimeout = Milliseconds(60000);  // default.api.timeout.ms

  Scenario scenario_;
  WorldOptions options_;
  std::string cluster_;  // "" with a simulation of its own
  int zone_ = Network::kNoZone;
  std::unique_ptr<Simulation> owned_sim_;  // the simulation, unless shared
  Simulation* sim_ = nullptr;
  NodeIndex first_node_ = 0;  // the index of scenario_.cluster.nodes[0]
  std::vector<bool> owned_;   // by node index, with a shared simulation
  // The node index of scenario_.cluster.nodes[i], and the spec of a node (nullptr if none).
  NodeIndex IndexOfSpec(std::size_t i) const { return first_node_ + static_cast<NodeIndex>(i); }
  const NodeSpec* SpecOf(NodeIndex node) const;
  // A name for a node this world adds: "admin", or "us-east/admin" with a shared simulation.
  std::string LocalName(const std::string& name) const;
  NodeIndex AddOwnNode(const std::string& name, NodeFactory factory, NodeOptions options = {});
  void BuildLedger();
  std::shared_ptr<kafka::ClusterDirectory> directory_;
  std::shared_ptr<kafka::ClientHistory> history_;
  std::unique_ptr<RecordLedger> ledger_;
  std::vector<NodeIndex> servers_;
  // BuildView's replica logs, in its walk order (the image's topics, partitions, replicas),
  // each with what it was found under: a frame looks a log up again only when its topic,
  // partition or broker moved, or its server restarted or changed what it hosts (a snapshot
  // of 10,000 partitions would otherwise cost 30,000 hash look-ups per frame).
  struct ViewLogSlot {
    storage::Uuid topic_id;
    std::int32_t partition = -1;
    std::int32_t broker_id = -1;
    std::uint32_t incarnation = 0;
    std::uint64_t layout_version = 0;
    const kafka::ReplicaLog* log = nullptr;
    // The broker's LogManager::offset_moves() when the offsets were last read into the view.
    std::uint64_t offset_moves = 0;
  };
  // BuildView's topics: every partition of the freshest image with its replica logs, written
  // over `topics` (storage reused); `leaders` counts the partitions each broker leads.
  // Topics built from the image `source` names are kept, only their replica logs read again.
  void BuildTopicViews(std::vector<view::TopicView>& topics, view::TopicsSource& source,
                       std::string_view detailed, std::map<std::int32_t, int>& leaders);
  std::vector<ViewLogSlot> view_log_slots_;
  // Tells this world's snapshots from another's (view::TopicsSource::world).
  std::uint64_t view_serial_ = NextViewSerial();
  static std::uint64_t NextViewSerial();
  std::vector<bool> is_server_;  // by node index: Server() answers without a search
  std::vector<NodeIndex> zookeepers_;

  // The fault controls of a server's simulated disk, plain or mirrored to --data-dir.
  class DiskFaults {
   public:
    explicit DiskFaults(std::shared_ptr<FileSystem> disk);
    std::uint64_t used_bytes() const;
    std::uint64_t DurableSize(const std::string& path) const;
    bool Exists(const std::string& path) const { return disk_->Exists(path); }
    bool IsDirectory(const std::string& path) const { return disk_->IsDirectory(path); }
    void SetCapacityBytes(std::optional<std::uint64_t> capacity);
    void SetSyncLatency(Duration latency);
    Status CorruptByte(const std::string& path, std::uint64_t offset);
    const FileSystem& disk() const { return *disk_; }
    FileSystem& mutable_disk() { return *disk_; }

   private:
    std::shared_ptr<FileSystem> disk_;
    SimFileSystem* sim_ = nullptr;
    MirroredFileSystem* mirrored_ = nullptr;
  };
  std::map<NodeIndex, std::unique_ptr<DiskFaults>> disks_;    // by server node
  std::vector<std::shared_ptr<MirroredFileSystem>> mirrors_;  // with a data_dir only
  // The disk of `node`, or nullptr after saying why (unknown node, a node without a disk).
  DiskFaults* DiskOrFail(const std::string& node,
                         const std::function<void(const CommandOutput&)>& done);
  void FailCommand(const std::string& text, const std::function<void(const CommandOutput&)>& done);
  NodeIndex admin_ = kNoNode;
  std::string shell_node_;                         // "" until the first shell command
  std::map<std::string, std::string> shell_cwd_;   // each node's shell working directory
  std::map<std::string, std::string> shell_vars_;  // NAME=VALUE of the console and steps
  bool expanding_ = false;                         // Execute is running an expanded line
  int random_uuids_ = 0;                           // kafka-storage.sh random-uuid calls
  // The node a shell-side command runs on: `node`, else the console's; nullptr if unknown.
  const NodeSpec* ShellNodeSpec(const std::string& node);
  int console_producers_ = 0;
  int console_consumers_ = 0;
};

}  // namespace kafkasim::scenario
