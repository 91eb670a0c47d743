// The command lines a learner types: the quickstart's kafka-*.sh tools and the fault commands
// of the GUI console (crash, cut, heal, ...), parsed into typed commands. Parsing only; the
// scenario runner executes them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "engine/status.h"
#include "engine/time.h"

namespace kafkasim::scenario {

// kafka-topics.sh --create | --list | --describe | --delete | --alter (--partitions only)
struct TopicsCommand {
  enum class Action : std::uint8_t { kCreate, kList, kDescribe, kDelete, kAlter };
  Action action = Action::kList;
  std::string bootstrap_server;      // "localhost:9092"
  std::optional<std::string> topic;  // required for --create, --delete and --alter
  std::optional<std::int32_t> partitions;
  std::optional<std::int32_t> replication_factor;
  // --replica-assignment 1:2,2:3: broker ids per partition, the first one preferred.
  std::vector<std::vector<std::int32_t>> replica_assignment;
  std::vector<std::pair<std::string, std::string>> configs;  // --config k=v, in given order
  bool if_not_exists = false;
  bool if_exists = false;
  bool under_replicated_partitions = false;  // --describe filters
  bool unavailable_partitions = false;
};

// kafka-console-producer.sh: sends `lines`, one record per line. A line is split into key and
// value at the first `key_separator` when parse_key is set (as the real tool does, a line
// without the separator is an error at send time, not at parse time).
struct ConsoleProducerCommand {
  std::string bootstrap_server;
  std::string topic;
  bool parse_key = false;            // --property parse.key=true
  std::string key_separator = "\t";  // --property key.separator=:
  // "0", "1" or "all" ("-1" is normalised to "all"). The tool's default is -1
  // (ConsoleProducer's --request-required-acks), which is also the producer default since 3.0.
  std::string acks = "all";
  // Other --producer-property k=v settings, in given order, names checked against a known list
  // (linger.ms, retries, enable.idempotence, ...). acks never appears here.
  std::vector<std::pair<std::string, std::string>> producer_properties;
  // The lines to send: from `<<< a|b|c` on the command line, or a scenario step's "lines".
  std::vector<std::string> lines;
};

// kafka-console-consumer.sh
struct ConsoleConsumerCommand {
  enum class OffsetSpec : std::uint8_t { kDefault, kEarliest, kLatest, kNumber };
  std::string bootstrap_server;
  std::string topic;
  bool from_beginning = false;
  std::optional<std::int32_t> partition;
  OffsetSpec offset_spec = OffsetSpec::kDefault;  // --offset; needs --partition
  std::int64_t offset = 0;                        // when offset_spec == kNumber
  std::optional<std::int64_t> max_messages;
  // --group; without it (and without --partition) the tool makes up console-consumer-NNNNN.
  std::optional<std::string> group;
  bool print_key = false;
  bool print_value = true;
  bool print_offset = false;
  bool print_partition = false;
  bool print_timestamp = false;
  std::string key_separator = "\t";  // --property key.separator= (between printed fields)
};

// kafka-metadata-quorum.sh --bootstrap-server H:P describe --status | --replication
struct MetadataQuorumCommand {
  enum class Describe : std::uint8_t { kStatus, kReplication };
  std::string bootstrap_server;  // or --bootstrap-controller
  bool via_controller = false;   // true when --bootstrap-controller was given
  Describe describe = Describe::kStatus;
  bool human_readable = false;  // --human-readable (only with --replication)
};

// kafka-leader-election.sh --bootstrap-server H:P --election-type preferred|unclean
//   (--all-topic-partitions | --topic T --partition N)
struct LeaderElectionCommand {
  enum class ElectionType : std::uint8_t { kPreferred, kUnclean };
  std::string bootstrap_server;
  ElectionType election_type = ElectionType::kPreferred;
  bool all_topic_partitions = false;
  std::optional<std::string> topic;
  std::optional<std::int32_t> partition;
};

// zookeeper-shell.sh HOST:PORT ls|get|stat [-s] PATH (Kafka's wrapper of ZooKeeperMain): one
// read from the server at that port (localhost:2181 is zk-1, 2182 zk-2, ...).
struct ZooKeeperShellCommand {
  enum class Op : std::uint8_t { kLs, kGet, kStat };
  std::string server;  // "localhost:2181"
  Op op = Op::kLs;
  bool with_stat = false;  // -s (ls and get)
  std::string path;
};

// kafka-consumer-groups.sh --bootstrap-server H:P (--list | --describe --group G
//   [--offsets | --members [--verbose] | --state])
struct ConsumerGroupsCommand {
  enum class Action : std::uint8_t { kList, kDescribe, kResetOffsets };
  enum class ResetTo : std::uint8_t { kEarliest, kLatest, kOffset };
  enum class Describe : std::uint8_t { kOffsets, kMembers, kState };
  std::string bootstrap_server;
  Action action = Action::kList;
  Describe describe = Describe::kOffsets;
  bool verbose = false;
  std::vector<std::string> groups;  // --group, repeatable
  // --reset-offsets --topic T --to-earliest|--to-latest|--to-offset N [--dry-run|--execute]
  std::string topic;
  ResetTo reset_to = ResetTo::kEarliest;
  std::int64_t reset_offset = 0;
  bool execute = false;
  bool dry_run = false;
};

// kafka-configs.sh --bootstrap-server H:P (--entity-type topics [--entity-name T] | --topic T)
//   (--describe | --alter [--add-config k=v,k2=[a,b]] [--delete-config k,k2])
// Only topic configs are simulated (the other entity types are refused by name).
struct ConfigsCommand {
  enum class Action : std::uint8_t { kDescribe, kAlter };
  std::string bootstrap_server;
  Action action = Action::kDescribe;
  std::optional<std::string> topic;                      // --describe without one: every topic
  std::vector<std::pair<std::string, std::string>> add;  // canonical values, in the given order
  std::vector<std::string> remove;                       // --delete-config
  std::string args;                                      // the words after the tool, for errors
};

// A read-only shell command over a node's files (scenario/disk_shell.h): ls, cd, pwd, cat,
// hexdump, du, wc, stat, echo, kafka-dump-log.sh. On the node named by an `on NODE:` or `ssh NODE`
// prefix, else on the node the console is on (`ssh NODE` alone moves it there; `exit` goes back
// to the first broker).
struct ShellCommand {
  std::string node;               // "" when no prefix named one
  std::vector<std::string> argv;  // empty for `ssh NODE` and `exit` alone
  bool exit = false;              // `exit`: leave the ssh session
};

// kafka-storage.sh random-uuid | info -c FILE | format -c FILE -t ID [--standalone |
// --initial-controllers LIST | --no-initial-controllers] [--ignore-formatted]
// [--release-version V] [--feature NAME=LEVEL]... (StorageTool's argparse4j options). Runs on
// the shell's node (or the one an `on NODE:` prefix names).
struct StorageCommand {
  enum class Action : std::uint8_t { kRandomUuid, kFormat, kInfo };
  Action action = Action::kRandomUuid;
  std::string node;
  std::string config;      // --config/-c
  std::string cluster_id;  // --cluster-id/-t
  bool standalone = false;
  bool no_initial_controllers = false;
  std::optional<std::string> initial_controllers;  // "1@host:9093:dirId,..."
  bool ignore_formatted = false;
  std::optional<std::string> release_version;
  std::vector<std::string> features;  // "name=level"
};

// kafka-server-start.sh [-daemon] CONFIG [--override k=v]...: starts the shell's node (or the
// one an `on NODE:` prefix names) with that config file.
struct ServerStartCommand {
  std::string node;
  std::string config;
  bool daemon = false;
};

// NAME=VALUE or NAME="$(COMMAND)" (also after `export`): a shell variable, expanded as $NAME or
// ${NAME} in later command lines. COMMAND must answer at once (kafka-storage.sh random-uuid, a
// shell command).
struct AssignCommand {
  std::string name;
  std::string value;          // the literal value, or the command line inside $(...)
  bool substitution = false;  // value is a command whose output becomes the value
};

// The shell commands (ls, cd, pwd, cat, hexdump, du, wc, stat, echo, kafka-dump-log.sh), by their
// first word; "bin/kafka-dump-log.sh" is kafka-dump-log.sh.
bool IsShellCommand(std::string_view word);
// The command a shell word names: "bin/kafka-dump-log.sh" -> "kafka-dump-log.sh".
std::string_view ShellCommandWord(std::string_view word);

// Fault commands: the GUI console's words, also the scenario steps of the same name.
struct CrashCommand {  // crash NODE: power loss; unsynced bytes are lost, peers are not told
  std::string node;
};
struct KillCommand {  // kill NODE: the process dies (kill -9); the page cache keeps unsynced
  std::string node;   // bytes and the OS closes its connections, so peers learn it at once
};
struct RestartCommand {  // restart NODE
  std::string node;
};
struct ShutdownCommand {  // shutdown NODE: controlled shutdown, leaders move first
  std::string node;
};
struct CutCommand {  // cut A B [--both]: A's messages to B are lost (both ways with --both)
  std::string from;
  std::string to;
  bool both = false;
};
struct HealCommand {  // heal A B [--both]
  std::string from;
  std::string to;
  bool both = false;
};
struct IsolateCommand {  // isolate NODE: cut both ways from every other node
  std::string node;
};
struct HealAllCommand {};  // heal-all: removes every cut, isolation and partition
struct SlowCommand {       // slow NODE MS: extra latency on every message to or from NODE
  std::string node;
  Duration extra;  // 0 makes the node fast again
};

// Disk faults, as the node's log dir sees them.
struct DiskFullCommand {  // disk-full NODE: the disk takes no more bytes (writes fail, no space)
  std::string node;
};
struct DiskOkCommand {  // disk-ok NODE: room and speed again (clears disk-full and slow-disk)
  std::string node;
};
struct SlowDiskCommand {  // slow-disk NODE MS: every fsync on the node's disk takes MS
  std::string node;
  Duration sync_latency;  // 0 makes the disk fast again
};
struct CorruptCommand {  // corrupt NODE PATH [OFFSET]: flips every bit of one durable byte
  std::string node;
  std::string path;                     // as the node sees it: cities-0/00000000000000000000.log
  std::optional<std::uint64_t> offset;  // default: the file's last durable byte
};

// cut-region CLUSTER [OTHER] | heal-region CLUSTER [OTHER]: with several clusters, every link
// between CLUSTER's nodes and OTHER's (every other cluster's, without OTHER) is cut or healed:
// the WAN between two regions fails or comes back.
struct RegionCommand {
  std::string cluster;
  std::string other;  // "" = every other cluster
  bool heal = false;
};

using ToolCommand =
    std::variant<TopicsCommand, ConsoleProducerCommand, ConsoleConsumerCommand,
                 MetadataQuorumCommand, LeaderElectionCommand, CrashCommand, KillCommand,
                 RestartCommand, ShutdownCommand, CutCommand, HealCommand, IsolateCommand,
                 HealAllCommand, SlowCommand, DiskFullCommand, DiskOkCommand, SlowDiskCommand,
                 CorruptCommand, ZooKeeperShellCommand, ConsumerGroupsCommand, ConfigsCommand,
                 ShellCommand, StorageCommand, ServerStartCommand, AssignCommand, RegionCommand>;

// Replaces $NAME and ${NAME} outside single quotes with the variables' values (an unset one
// with nothing, as a shell does); `\$` stays as it is for the word splitter.
std::string ExpandVariables(std::string_view line,
                            const std::map<std::string, std::string>& variables);

// Splits a command line into words like a POSIX shell does for simple commands: whitespace
// separates words; '...' keeps everything literally; "..." keeps spaces and allows \" \\ \$
// \` escapes; a backslash outside quotes escapes the next character. Errors (kInvalidArgument):
// "unterminated single quote", "unterminated double quote", "trailing backslash".
Result<std::vector<std::string>> SplitCommandLine(std::string_view line);

// Parses one command line into a typed command. Node names are not checked here (the runner
// knows the cluster). On bad input returns kInvalidArgument; the message is the whole text to
// show, worded like the real tool, e.g.
//   kafka-topics.sh: option --partitions needs a number, got 'x'
//   kafka-console-producer.sh: Missing required argument "[topic]"
// The console producer's lines may follow an unquoted `<<<`: the rest of the line, split at
// unquoted '|', each piece trimmed and unquoted:  ... --topic cities <<< Berlin|"New York"
// Safe on any input (fuzzing entry point): never asserts, never throws.
Result<ToolCommand> ParseToolCommand(std::string_view line);

// "kafka-topics.sh", "crash", "heal-all", ...: the command word of a parsed command.
std::string_view ToolName(const ToolCommand& command);

// Nodes a fault command names (empty for the kafka-*.sh tools), for validation against a
// cluster: {"broker-1"} for crash broker-1, {"broker-1", "broker-2"} for cut.
std::vector<std::string> NodesNamed(const ToolCommand& command);

}  // namespace kafkasim::scenario
