// The scenario file model: a JSON scenario (cluster, topics, clients, timed steps, expectations)
// parsed and validated into plain structs. No execution here; the runner consumes these.
// docs/SCENARIO_FORMAT.md documents every key and every error id.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/network.h"
#include "engine/status.h"
#include "engine/time.h"
#include "kafka/assignors.h"
#include "kafka/assignors_server.h"
#include "kafka/configs.h"
#include "scenario/tool_command.h"

namespace kafkasim::scenario {

// ---------------------------------------------------------------------------------------------
// Kafka configuration names the simulator knows, with types and Kafka's defaults.

using kafka::BrokerConfigSpecs;
using kafka::ConfigSpec;
using kafka::ConfigType;
using kafka::ControllerConfigSpecs;
using kafka::FindConfigSpec;
using kafka::NotSimulatedReason;
using kafka::TopicConfigSpecs;

// Checks a value given as text against its spec. Returns the canonical text ("true", "2",
// "compact") or kInvalidArgument with a message like "expected a boolean (true or false)".
Result<std::string> CanonicalConfigValue(const ConfigSpec& spec, std::string_view text);

// Kafka's topic name rule (Topic.java): empty when legal, else Kafka's complaint, e.g.
// Topic name "a b" is illegal, it contains a character other than ASCII alphanumerics, '.',
// '_' and '-'
std::string TopicNameProblem(std::string_view name);

// The candidate closest to `name` by edit distance when it is close enough to be a typo
// (distance <= max(2, length / 4)), else empty: feeds "did you mean '...'?".
std::string ClosestName(std::string_view name, const std::vector<std::string_view>& candidates);

// A validated set of config values (canonical text: decimal numbers, "true"/"false") with the
// catalogue's defaults behind it. Getters KSIM_ASSERT that the name is in the catalogue and of
// that type: asking for an unknown name is a bug, not bad input.
class ConfigMap {
 public:
  ConfigMap() = default;
  explicit ConfigMap(const std::vector<ConfigSpec>* specs) : specs_(specs) {}

  std::int64_t GetLong(std::string_view name) const;  // kInt and kLong
  bool GetBool(std::string_view name) const;
  double GetDouble(std::string_view name) const;
  std::string GetString(std::string_view name) const;
  bool IsSet(std::string_view name) const { return values_.count(std::string(name)) > 0; }
  // Only the values the scenario set, sorted by name (what `--describe` shows as Configs:).
  const std::map<std::string, std::string>& explicit_values() const { return values_; }
  void Set(std::string name, std::string canonical_value) {
    values_[std::move(name)] = std::move(canonical_value);
  }

 private:
  const ConfigSpec& Spec(std::string_view name) const;
  std::string_view Raw(std::string_view name) const;

  const std::vector<ConfigSpec>* specs_ = nullptr;
  std::map<std::string, std::string> values_;
};

// ---------------------------------------------------------------------------------------------
// Cluster

enum class ClusterMode : std::uint8_t { kKraft, kZookeeper };
enum class NodeRole : std::uint8_t { kBroker, kController, kCombined, kZooKeeper };

// Node ids: brokers broker-1..broker-N have ids 1..N; KRaft controllers controller-1..
// controller-C have ids 1001..1000+C. In combined mode every broker is also a voter and there
// are no separate controllers.
constexpr std::int32_t kControllerIdBase = 1000;
// ZooKeeper servers zk-1..zk-N (mode "zookeeper"): myid 1..N, node ids 2001..2000+N so they
// never collide with broker ids.
constexpr std::int32_t kZooKeeperIdBase = 2000;

// The ensemble's zoo.cfg (ZooKeeper 3.8 defaults, as zoo_sample.cfg has them).
struct ZooKeeperConfig {
  std::int64_t tick_time_ms = 2000;  // tickTime
  std::int32_t init_limit = 10;      // initLimit
  std::int32_t sync_limit = 5;       // syncLimit
};

struct NodeSpec {
  std::string name;  // "broker-2", "controller-1"
  std::int32_t node_id = 0;
  NodeRole role = NodeRole::kBroker;
  std::optional<std::string> rack;  // brokers only
};

struct Cluster {
  ClusterMode mode = ClusterMode::kKraft;
  std::int32_t brokers = 1;
  std::int32_t controllers = 1;  // 1, 3 or 5; 0 when combined
  bool combined = false;         // every broker is a voter (`--standalone` when brokers = 1)
  std::int32_t zookeepers = 0;   // ensemble size (1..7) in mode "zookeeper", else 0
  // "format": "manual": the Kafka nodes are neither formatted nor started until the steps run
  // kafka-storage.sh format and kafka-server-start.sh, as in the quickstart. "auto" (the
  // default): formatted and started at time 0.
  bool manual_format = false;
  ZooKeeperConfig zookeeper_config;
  std::vector<std::string> racks;  // empty, or one per broker
  NetworkConfig network;           // from "network": latency_ms [base, max], drop, duplicate
  ConfigMap broker_config{&BrokerConfigSpecs()};
  ConfigMap controller_config{&ControllerConfigSpecs()};
  // Feature levels the cluster is formatted with (kafka-storage.sh format --feature NAME=N).
  // eligible.leader.replicas.version (KIP-966): 1 (on) for new clusters since Kafka 4.1.
  std::int32_t eligible_leader_replicas_version = 1;
  // Derived: brokers in id order, then controllers, then ZooKeeper servers, in id order.
  std::vector<NodeSpec> nodes;

  // Ids of the controller quorum voters: controller ids, or broker ids when combined.
  std::vector<std::int32_t> VoterIds() const;
};

// ---------------------------------------------------------------------------------------------
// Topics and clients

struct Topic {
  std::string name;
  std::int32_t partitions = 1;          // num.partitions default
  std::int32_t replication_factor = 1;  // default.replication.factor default
  // Pinned placement, as kafka-topics.sh --replica-assignment: broker ids per partition, the
  // first one preferred. Empty: the controller places replicas (and the seed decides).
  std::vector<std::vector<std::int32_t>> replica_assignment;
  ConfigMap config{&TopicConfigSpecs()};
  // A remote topic MirrorMaker 2 creates at run time ("us-east.cities" in eu-west), declared
  // so clients and expectations may name it; the scenario does not create it.
  bool mirrored = false;
};

enum class ClientType : std::uint8_t { kProducer, kConsumer };
enum class Acks : std::uint8_t { kZero, kOne, kAll };

struct ProducerMessage {
  std::optional<std::string> key;    // nullopt = null key (sticky partitioning)
  std::optional<std::string> value;  // nullopt = null value: a tombstone for a compacted topic
};

struct Client {
  std::string id;  // "producer-1"; also its node name
  ClientType type = ClientType::kProducer;
  std::string topic;
  Time start = kTimeZero;
  std::optional<Time> stop;

  // Producer.
  Acks acks = Acks::kAll;
  double rate_per_s = 10.0;
  Duration send_interval = Milliseconds(100);  // derived: 1 s / rate_per_s, at least 1 ns
  std::vector<std::string> keys;               // cycled; empty = null keys
  std::vector<ProducerMessage> messages;       // explicit records, sent in order
  std::optional<std::int64_t> count;  // records to send; defaults to messages.size() if given
  std::int32_t retries = 2147483647;
  Duration delivery_timeout = Milliseconds(120000);
  Duration request_timeout = Milliseconds(30000);
  Duration linger = Milliseconds(5);  // 4.0 default (KIP-1030)
  // metadata.max.age.ms: how often the producer refreshes metadata even without an error, and
  // so how late it notices partitions added to its topic.
  Duration metadata_max_age = Milliseconds(300000);
  // Resolved like Kafka 3.2+: unset means acks == all.
  bool enable_idempotence = true;
  std::string compression_type = "none";  // compression.type: none, gzip, snappy, lz4, zstd

  // Consumer.
  bool from_beginning = false;           // auto.offset.reset earliest (else latest)
  std::vector<std::int32_t> partitions;  // assign mode; empty = every partition of the topic
  std::optional<std::string> group;      // subscribe in this group (classic protocol)
  // The group settings, by the consumer config they stand for (Kafka 4.0 defaults).
  std::vector<kafka::AssignorKind> assignors = {kafka::AssignorKind::kRange,
                                                kafka::AssignorKind::kCooperativeSticky};
  bool enable_auto_commit = true;
  std::int32_t auto_commit_interval_ms = 5000;
  std::int32_t session_timeout_ms = 45000;
  std::int32_t heartbeat_interval_ms = 3000;
  std::int32_t max_poll_interval_ms = 300000;
  std::optional<std::string> group_instance_id;
  // group_protocol "consumer" (KIP-848) and its server-side assignor (assignor "uniform" or
  // "range"; nullopt: the coordinator's default, uniform).
  bool consumer_protocol = false;
  std::optional<std::string> remote_assignor;

  // The n-th record (n from 0) a producer sends: messages[n] when messages were given (n must
  // be below their count), else key keys[n % keys.size()] (or null) and value
  // "message-<n+1>" ("message-1", "message-2", ...).
  ProducerMessage MessageAt(std::int64_t n) const;
};

// ---------------------------------------------------------------------------------------------
// Expectations

// "cities-0" split at the last '-'.
struct PartitionRef {
  std::string topic;
  std::int32_t partition = 0;
  std::string ToString() const;
  auto operator<=>(const PartitionRef&) const = default;
};

// A node as a step or an expectation names it: by its own name ("broker-2"), by a name an
// earlier step gave the node it picked ("$old_leader"), or by its role at the moment the step
// runs ({"leader_of": "cities-0"}). Roles make a scenario true on every seed: the seed decides
// replica placement and elections, so "broker-1 leads cities-0" holds on some seeds only.
struct NodeRef {
  enum class Kind : std::uint8_t {
    kNamed,               // name
    kVariable,            // name without the '$'
    kLeaderOf,            // the partition's leader
    kFollowerOf,          // a running replica of the partition that is not its leader
    kPreferredReplicaOf,  // the first replica in the partition's assignment
    kActiveController,    // the controller quorum's leader
    kFollowerController,  // a running quorum voter that is not the active controller
    kZooKeeperLeader,     // the ZooKeeper server LEADING the ensemble
    kZooKeeperFollower,   // a running ZooKeeper server that is not the leader
  };
  Kind kind = Kind::kNamed;
  std::string name;
  PartitionRef partition;  // the *_of kinds
  std::string as;          // when set, later steps may name the node this one picked "$as"

  // "broker-2", "$old_leader", "leader of cities-0", "a follower of cities-0".
  std::string ToString() const;
  bool is_role() const { return kind != Kind::kNamed && kind != Kind::kVariable; }
};

struct LeaderOfExpect {
  enum class Relation : std::uint8_t { kIs, kNot, kNone };
  PartitionRef partition;
  Relation relation = Relation::kIs;
  NodeRef node;  // unused for kNone
};
struct IsrOfExpect {
  PartitionRef partition;
  // "equals": the ISR is exactly this set (ids and refs together), or every replica.
  bool has_equals = false;
  bool all_replicas = false;
  std::vector<std::int32_t> equals;  // sorted ascending; compared as a set
  std::vector<NodeRef> equals_refs;
  std::vector<NodeRef> excludes;  // none of these is in the ISR
  std::vector<NodeRef> includes;  // all of these are in the ISR
};
struct ActiveControllerExpect {
  bool negated = false;  // "not" instead of "is"
  bool none = false;     // no active controller at all (the quorum has no leader)
  NodeRef node;
};
// A probe (a path the code took, e.g. "leader.election.clean") is hit after the step runs:
// the story the scenario tells did happen, not just something before it.
struct ProbeExpect {
  std::string name;
};
struct ProduceErrorExpect {
  std::string client;
  Errc error = Errc::kNone;               // from its Kafka name, e.g. "NOT_ENOUGH_REPLICAS"
  std::optional<PartitionRef> partition;  // only a produce to this partition counts
};
// The client (a declared one, or console-consumer-N / console-producer-N of the N-th console
// client a `run` step started) has consumed (acknowledged) at least `at_least` records, and
// at most `at_most` when given.
struct ConsumedExpect {
  std::string client;
  std::int64_t at_least = 0;
  std::optional<std::int64_t> at_most;
};
struct AckedExpect {
  std::string client;
  std::int64_t at_least = 0;
  std::optional<std::int64_t> at_most;
};
struct NodeStateExpect {
  NodeRef node;
  // "running", "crashed" (power loss), "killed" (process died), "stopped" (clean exit), or
  // "down" (any of the last three).
  std::string is = "running";
};

// At least `at_least` records the producer had acknowledged are not (or no longer with the
// same value) in the current leader's log: what an unclean leader election costs.
struct LostAckedExpect {
  std::string client;
  std::int64_t at_least = 1;
};
// The partition leader's log start offset has reached `at_least` (retention deleted segments).
struct LogStartOffsetExpect {
  PartitionRef partition;
  std::int64_t at_least = 0;
};
// The partition leader's log holds at most `at_most` records (from its log start to its end):
// log compaction removed the superseded ones.
struct RecordsInLogExpect {
  PartitionRef partition;
  std::int64_t at_most = 0;
};
// The first record the consumer received from the partition had an offset >= `at_least`.
struct FirstConsumedOffsetExpect {
  std::string client;
  PartitionRef partition;
  std::int64_t at_least = 0;
};
// Every acknowledged record of the producer with this key (acknowledged at or after `since`)
// went to this partition, and there is at least one.
struct KeyInPartitionExpect {
  std::string client;
  std::string key;
  std::int32_t partition = 0;
  Time since;
};

// {"group": {"id": "g", ...}}: the group as its coordinator holds it. Each key given must hold:
// state ("Stable", ...), members (count), generation_at_least, owner ("consumer-2" owns
// `partition` in the current generation), committed_at_least / lag_at_least / lag_at_most (of
// `partition`; lag = the leader's high watermark minus the committed offset),
// and over the whole run the records members consumed more than once
// (consumed_twice_at_most / consumed_twice_at_least).
struct GroupExpect {
  std::string id;
  std::optional<std::string> state;
  std::optional<std::int64_t> members;
  std::optional<std::int64_t> generation_at_least;
  std::optional<PartitionRef> partition;
  std::optional<std::string> owner;
  std::optional<std::int64_t> committed_at_least;
  std::optional<std::int64_t> lag_at_least;
  std::optional<std::int64_t> lag_at_most;
  std::optional<std::int64_t> consumed_twice_at_most;
  std::optional<std::int64_t> consumed_twice_at_least;
};

// {"mirror": {"flow": "us-east->eu-west", ...}}: a MirrorMaker 2 flow of the scenario; each key
// given must hold: lag_at_most / lag_at_least (records in the source not yet written to the
// remote topic, summed over partitions, as MirrorSourceTask's record-age-free "lag"),
// records_at_least (records written to the remote topics), checkpoints_at_least.
struct MirrorExpect {
  std::string flow;
  std::optional<std::int64_t> lag_at_most;
  std::optional<std::int64_t> lag_at_least;
  std::optional<std::int64_t> records_at_least;
  std::optional<std::int64_t> checkpoints_at_least;
};
// {"topics": {"cluster": "us-east", "equals": [...]}}: the cluster has exactly these topics, as
// kafka-topics.sh --list shows them (internal ones too).
struct TopicsExpect {
  std::string cluster;  // "" with one cluster
  std::vector<std::string> equals;
};

// {"topic_config": {"topic": "eu-west/us-east.cities", "config": {"retention.ms": 3600000,
// "min.insync.replicas": null}}}: each named config is overridden with that value (null: not
// overridden, the cluster's default applies), as kafka-configs.sh --describe shows the topic.
struct TopicConfigExpect {
  std::string topic;  // "cities", or "CLUSTER/TOPIC" with several clusters
  std::map<std::string, std::optional<std::string>> config;  // canonical values
};

using ExpectCondition =
    std::variant<LeaderOfExpect, IsrOfExpect, ActiveControllerExpect, ProduceErrorExpect,
                 ConsumedExpect, AckedExpect, NodeStateExpect, LostAckedExpect,
                 LogStartOffsetExpect, FirstConsumedOffsetExpect, KeyInPartitionExpect, ProbeExpect,
                 GroupExpect, RecordsInLogExpect, MirrorExpect, TopicsExpect, TopicConfigExpect>;

struct Expect {
  enum class Timing : std::uint8_t { kAt, kWithin };
  // kAt: holds at step time + delay (delay 0 when neither key is given).
  // kWithin: holds at some moment in [step time, step time + delay].
  Timing timing = Timing::kAt;
  Duration delay;
  ExpectCondition condition;
  std::string because;  // narration: why this should hold
};

// ---------------------------------------------------------------------------------------------
// Steps

struct SayAction {
  std::string text;
};
struct PauseAction {};
// Resolves a role and names the node without acting on it: {"pick": {"leader_of": "cities-0",
// "as": "victim"}}, so narration and later steps can say "$victim".
struct PickAction {};
struct PartitionAction {  // nodes in different groups cannot talk; others reach everyone
  std::vector<std::vector<std::string>> groups;
};
struct RunAction {
  std::string command_line;  // as written, for narration and the trace
  ToolCommand command;       // parsed; a console producer has the step's "lines" in it
  // "prints": whole lines the command's answer must hold, in this order ('*' matches any
  // text within a line). A line missing, or no answer by the end, fails the step.
  std::vector<std::string> prints;
};

using StepAction =
    std::variant<SayAction, PauseAction, PickAction, CrashCommand, KillCommand, RestartCommand,
                 ShutdownCommand, CutCommand, HealCommand, IsolateCommand, PartitionAction,
                 HealAllCommand, SlowCommand, RunAction, Expect, DiskFullCommand, DiskOkCommand,
                 SlowDiskCommand, CorruptCommand, RegionCommand>;

// What a step waits for besides its time ("after": "topics_ready"): every declared topic has
// a leader for every partition.
enum class StepCondition : std::uint8_t { kNone, kTopicsReady };

// Steps run in file order: a step runs at its time or, when an earlier step ran late (it
// waited for its "after" condition), right after that one. A `within` expectation counts from
// the moment its step ran.
struct Step {
  Time at;  // absolute; a step without "at" takes the previous step's time
  bool at_given = false;
  StepCondition after = StepCondition::kNone;
  StepAction action;
  // The nodes of a fault step when the file names any of them by role or "$name", in the
  // order of the command's node fields (node; or from, to); empty when all are plain names.
  // The runner resolves them when the step runs and writes the names into the command.
  std::vector<NodeRef> nodes;
  std::string json_path;  // "$.steps[4]", for messages from the runner
  std::int32_t line = 0;  // 1-based line of the step in the file (0 if unknown)
};

// One cluster of a scenario with several ("clusters": {"us-east": {...}, "eu-west": {...}}).
struct NamedCluster {
  std::string name;           // "us-east"
  Cluster cluster;            // its nodes named "us-east/broker-1", "us-east/controller-1", ...
  std::vector<Topic> topics;  // named as the cluster knows them: "cities"
};

// ---------------------------------------------------------------------------------------------
// The scenario

// A command of a saved GUI session ("inputs"): applied at `at` as the console applied it, by
// the runner's recorded-input path (a trace event "input.command" from "console"), so the
// saved session replays to the trace hash the live one had.
struct SessionInput {
  Time at;
  std::string command;
};

// One MirrorMaker 2 flow ("mirror_maker": connect-mirror-maker.properties as an object): an
// enabled "SOURCE->TARGET" with its settings, each a flow's own ("us-east->eu-west.topics")
// over the global one ("topics"), by Kafka's property names; validated.
struct MirrorFlow {
  std::string source;
  std::string target;
  std::map<std::string, std::string> settings;
};

struct Scenario {
  std::string name;
  std::string description;
  std::uint64_t seed = 1;
  Time end = kTimeZero + Seconds(60);
  Cluster cluster;
  std::vector<Topic> topics;
  std::vector<Client> clients;
  std::vector<Step> steps;           // in file order; times never decrease
  std::vector<std::string> probes;   // probe names the run must hit
  std::vector<SessionInput> inputs;  // a saved session's commands, in time order
  std::string source;                // file path or the name given to ParseScenario
  // Several clusters: one entry each, in name order. Then `cluster` holds every cluster's
  // nodes (its other fields are the first cluster's), `topics` every topic as
  // "CLUSTER/TOPIC" (a Kafka topic name has no '/'), and clients and steps name topics and
  // partitions that way ("us-east/cities", "us-east/cities-0"). Empty for one cluster.
  std::vector<NamedCluster> clusters;
  // Between clusters ("between_clusters"): the latency and losses of the links from a node of
  // one cluster to a node of another (each cluster's "network" applies inside it).
  NetworkConfig between_clusters;
  // MirrorMaker 2 flows, in "SOURCE->TARGET" order; empty without "mirror_maker".
  std::vector<MirrorFlow> mirror_flows;

  // The single-cluster scenario of clusters[i], as one World of a multi-cluster run builds it:
  // its cluster and topics, and the clients on its topics (their topic names unqualified).
  Scenario ClusterScenario(std::size_t i) const;
  // The index in `clusters` of the cluster that "CLUSTER/NAME" names, or nullopt.
  std::optional<std::size_t> ClusterOf(std::string_view qualified_name) const;

  const NodeSpec* FindNode(std::string_view name) const;  // nullptr if none
  const Client* FindClient(std::string_view id) const;
  const Topic* FindTopic(std::string_view name) const;
};

// The top-level keys ParseScenario accepts (scenarios/schema.json lists the same).
const std::vector<std::string_view>& TopLevelKeys();

// ---------------------------------------------------------------------------------------------
// Errors. Every message has the form
//   [scenario.E012] scenarios/isr.json:14:7 $.topics[0].replication_factor: replication
//   factor 4 is larger than the 3 brokers in this cluster
// (line:column of the offending value; "$" when the error is about the whole file).

struct ErrorInfo {
  std::string_view id;       // "E012"
  std::string_view summary;  // "replication factor above broker count"
};
// Every error id, in order (docs/SCENARIO_FORMAT.md has the same table).
const std::vector<ErrorInfo>& ErrorCatalogue();

// Parses and validates. Returns the scenario only when there was no error; otherwise nullopt
// and every error found is appended to *errors (errors may be nullptr).
std::optional<Scenario> ParseScenario(std::string_view json_text, std::string_view source_name,
                                      std::vector<std::string>* errors);

// Reads and parses a file. On failure the Status is kInvalidArgument (kNotFound when the file
// cannot be read) and its message is every error, one per line.
Result<Scenario> LoadScenario(const std::string& path);

}  // namespace kafkasim::scenario
