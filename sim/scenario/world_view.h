// A read-only snapshot of the simulated world, in the words of Kafka's own tools. The GUI and
// the narrated timeline draw from it; nothing in it points back into live state.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "engine/message.h"
#include "engine/simulation.h"
#include "engine/time.h"
#include "engine/trace.h"
#include "kafka/message_kind.h"
#include "kafka/replica_log.h"

namespace kafkasim::view {

enum class NodeRole : std::uint8_t { kBroker, kController, kCombined, kZooKeeper, kClient };
const char* NodeRoleName(NodeRole role);

struct NodeView {
  NodeIndex index = kNoNode;
  std::string name;  // "broker-1"
  // With several clusters: the cluster the node belongs to ("us-east"), its clients too; else "".
  std::string cluster;
  NodeRole role = NodeRole::kBroker;
  NodeState state = NodeState::kStopped;
  int id = -1;                     // node.id / broker.id / myid; -1 for clients
  std::string rack;                // broker.rack, "" when unset
  bool active_controller = false;  // KRaft active controller or ZooKeeper-mode controller
  bool quorum_leader = false;      // KRaft quorum leader or ZooKeeper ensemble leader
  bool fenced = false;             // broker fenced by the controller
  bool in_controlled_shutdown = false;
  Duration slow_by;      // extra network latency (a slow node)
  int leader_count = 0;  // partitions this broker leads
  // A real client connected through the gateway (kafkasim-gui --listen), added by the front
  // end: not a node of the simulation (index is kNoNode, role kClient). The broker ids it is
  // connected to, and each connection as "127.0.0.1:54321 -> broker-2".
  std::vector<int> external_brokers;
  std::vector<std::string> external_connections;
  bool external() const { return !external_connections.empty(); }
};

struct MessageView {
  NodeIndex from = kNoNode;
  NodeIndex to = kNoNode;
  kafka::MessageKind kind = kafka::MessageKind::kOther;
  Time sent_at;
  Time deliver_at;
  std::string label;  // "Fetch cities-0 offset=42"
};

using SegmentView = kafka::SegmentSummary;

// One replica's log: the broker's summary of it, and whether the broker holds it now.
// Segments and leader epochs are filled only for the partition the session was asked to detail
// (SessionControl::SetDetailedPartition); `detailed` says whether they were.
struct ReplicaLogView : kafka::LogSummary {
  int broker_id = -1;
  bool online = false;    // broker running and holding the replica
  bool detailed = false;  // segments and leader_epochs filled
};

struct PartitionView {
  std::string topic;
  int partition = 0;
  int leader = -1;  // -1: none (offline)
  int leader_epoch = 0;
  int partition_epoch = 0;
  std::vector<int> replicas;
  std::vector<int> isr;
  std::vector<int> elr;
  std::vector<int> last_known_elr;
  bool under_min_isr = false;
  std::vector<ReplicaLogView> logs;  // in replicas order
};

struct TopicView {
  std::string name;
  std::string topic_id;  // base64 as Kafka prints it
  int replication_factor = 0;
  std::vector<std::pair<std::string, std::string>> configs;  // non-default configs
  std::vector<PartitionView> partitions;
};

struct VoterView {
  std::string node;  // "controller-1"
  int id = -1;
  bool alive = false;
  std::string role;  // "Leader", "Follower", "Candidate", "Prospective", "Unattached", "Resigned"
  std::int64_t epoch = 0;
  int voted_for = -1;
  int leader_id = -1;
  std::int64_t log_end_offset = 0;
  std::int64_t high_watermark = 0;
  std::int64_t last_fetch_ms_ago = -1;  // as the leader sees the follower, -1 unknown
  // A down KRaft voter: epoch, voted_for and leader_id are its quorum-state file's, and
  // log_end_offset the end of its metadata log's intact batches, as its disk holds them.
  bool stale = false;
};

struct QuorumView {
  std::string mode;  // "kraft" or "zookeeper"
  int leader_id = -1;
  std::int64_t epoch = 0;  // KRaft epoch, or ZooKeeper's current epoch
  bool has_quorum = false;
  std::string zxid;  // ZooKeeper only, "0x100000003"
  std::vector<VoterView> voters;
};

struct ClientView {
  std::string name;  // "producer-1"
  std::string kind;  // "producer" or "consumer"
  bool running = false;
  std::string topic;
  std::string acks;  // producers: "0", "1", "all"
  std::int64_t sent = 0;
  std::int64_t acknowledged = 0;
  std::int64_t failed = 0;
  std::int64_t in_flight = 0;
  std::string last_error;
  std::int64_t consumed = 0;  // consumers
  std::string group;          // "" in assign mode
  // By topic, the next offset of each partition (-1: none yet), as ClientStats holds them.
  std::vector<std::pair<std::string, std::vector<std::int64_t>>> positions;
  std::int64_t lag = 0;
};

// ZooKeeper mode: one znode as a server's DataTree holds it (data as Kafka wrote it, the Stat).
struct ZNodeView {
  std::string path;  // "/brokers/ids/1"
  std::string data;
  std::int32_t version = 0;
  std::int32_t cversion = 0;
  std::int64_t ephemeral_owner = 0;  // session id, 0 for a persistent znode
  std::int64_t czxid = 0;
  std::int64_t mzxid = 0;
  std::int64_t ctime_ms = 0;  // virtual ms when created and last modified (the leader's clock)
  std::int64_t mtime_ms = 0;
  std::int32_t num_children = 0;
};

// The znodes of one running ZooKeeper server, in path order (a parent before its children).
struct ZkTreeView {
  std::string server;  // "zk-2"
  std::string state;   // "LEADING", "FOLLOWING", "LOOKING"
  bool serving = false;
  std::int64_t last_zxid = 0;  // the last transaction applied to this tree
  std::vector<ZNodeView> znodes;
};

// A ZooKeeper client session (a broker's), seen from both ends: the client's ZooKeeper client
// and the ensemble's session table.
struct ZkSessionView {
  std::int64_t session_id = 0;  // 0: the client has none yet (connecting afresh)
  NodeIndex client = kNoNode;   // the broker holding (or that held) the session
  NodeIndex server = kNoNode;   // the zk server it is connected or connecting to, if known
  bool client_running = false;
  bool connected = false;    // the client's side: a live connection to `server`
  bool in_ensemble = false;  // listed in the ensemble's session table: its ephemerals live
  std::int32_t timeout_ms = 0;
};

struct ZooKeeperView {
  std::vector<ZkTreeView> trees;  // one per running server, in zk-1..zk-N order
  std::vector<ZkSessionView> sessions;
  // The server whose session table `in_ensemble` was read from: the serving leader, else the
  // running server with the highest last zxid; "" when every server is down.
  std::string session_table_server;
};

// A consumer group as its coordinator holds it, in either protocol.
struct GroupMemberView {
  std::string member_id;
  std::string client_id;
  std::string group_instance_id;  // "" for a dynamic member
  std::string client_host;
  bool leader = false;                // classic: the member that computes the assignment
  std::int32_t member_epoch = -1;     // KIP-848
  std::string member_state;           // KIP-848: "STABLE", "UNREVOKED_PARTITIONS", ...
  std::vector<std::string> assigned;  // "cities-0", in partition order
  std::vector<std::string> revoking;  // KIP-848: partitions pending revocation
};

struct GroupOffsetView {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t committed = -1;
};

struct GroupView {
  std::string group_id;
  std::string protocol;  // "classic" or "consumer" (KIP-848)
  std::string state;     // Kafka's names: "Stable", "PreparingRebalance", "Reconciling", ...
  bool rebalancing = false;
  std::int32_t generation = 0;               // classic generation id, or the KIP-848 group epoch
  std::int32_t target_assignment_epoch = 0;  // KIP-848
  std::string assignor;                      // "range", "cooperative-sticky", "uniform", ...
  int coordinator = -1;                      // node.id of the broker holding it
  std::int32_t offsets_partition = -1;       // its __consumer_offsets partition
  std::vector<GroupMemberView> members;
  std::vector<GroupOffsetView> offsets;  // committed offsets, by topic and partition
};

// A named guarantee or expectation, live. An expectation is pending until it is decided
// (passed or failed) at the latest at `deadline`; a continuous guarantee ("no acknowledged
// write lost") holds until it breaks. `ok` false means it failed at `broken_at_event`.
struct CheckView {
  std::string name;  // what is expected: "leader of cities-0 is not broker-1"
  bool ok = true;
  bool settled = false;      // decided (passed or failed) vs still pending
  bool continuous = false;   // a guarantee checked all run long: never "passed", only holding
  Time deadline = kTimeMax;  // expectations: decided by then at the latest
  std::string because;       // why it should hold, from the scenario ("" when not given)
  std::string seen;          // what the run showed when it was decided: "leader broker-1"
  std::string detail;        // one line for logs: the reason, or "expected X, but saw Y"
  std::uint64_t broken_at_event = 0;  // trace index of the event that decided it
  Time broken_at;                     // when it was decided
};

// One enabled MirrorMaker 2 flow source->target, as its worker reports it.
struct MirrorFlowView {
  std::string source;  // "us-east"
  std::string target;  // "eu-west"
  NodeIndex worker = kNoNode;
  std::int64_t records = 0;  // records written to remote topics
  std::int64_t lag = 0;      // records the source holds that the target has not
  std::int64_t checkpoints = 0;
  std::vector<std::string> remote_topics;  // "us-east.cities", created in the target
  bool worker_running = false;
  bool source_reachable = true;  // no cut between the worker and the source's nodes
  bool target_reachable = true;
};

// What a WorldView's topics were built from: the metadata image of one broker process at one
// state, with one partition in full. World::BuildView rebuilds only the replica logs' offsets
// of topics built from the same image (the partitions' lists, configs and names stay), and a
// reader of consecutive snapshots may take the partitions' lists as unchanged when two valid
// sources are equal.
struct TopicsSource {
  bool valid = false;
  std::uint64_t world = 0;          // which World built it (one process may hold several)
  NodeIndex node = kNoNode;         // the broker whose image it was
  std::uint32_t incarnation = 0;    // of that broker's process
  std::uint64_t image_changes = 0;  // MetadataImage::changes() then
  std::string detailed;             // the partition described in full ("cities-0")
  bool operator==(const TopicsSource&) const = default;
};

struct WorldView {
  std::string scenario_name;
  std::string scenario_path;
  std::uint64_t seed = 0;
  Time now;
  Time end;
  std::uint64_t events_executed = 0;
  std::string trace_hash;
  std::vector<NodeView> nodes;
  std::vector<std::pair<NodeIndex, NodeIndex>> cut_links;  // directed
  std::vector<std::vector<NodeIndex>> partition_groups;
  std::vector<MessageView> messages;  // in flight
  std::vector<TopicView> topics;
  TopicsSource topics_source;  // what `topics` was built from (World::BuildView)
  QuorumView quorum;
  ZooKeeperView zookeeper;        // ZooKeeper mode only, else empty
  std::vector<GroupView> groups;  // every group a running coordinator holds, by id
  std::vector<ClientView> clients;
  std::vector<MirrorFlowView> mirror_flows;  // several clusters only
  // Kafka metric names ("UnderReplicatedPartitions", "ActiveControllerCount", ...) to values.
  std::map<std::string, double> metrics;
  std::vector<CheckView> checks;
  std::string narration;        // the latest `say` text
  bool paused_at_step = false;  // a `pause` step was reached
  // "" or why the run stopped before its end and cannot go on (the memory budget passed).
  std::string stopped;
  const std::vector<TraceEvent>* trace = nullptr;  // owned by the session; valid until it advances
};

}  // namespace kafkasim::view
