// Command lines of the quickstart tools and the console's fault commands: what they parse to,
// and the whole error text for bad input.
#include "scenario/tool_command.h"

#include <doctest/doctest.h>

namespace kafkasim::scenario {
namespace {

template <typename T>
T Parse(std::string_view line) {
  auto parsed = ParseToolCommand(line);
  REQUIRE_MESSAGE(parsed.ok(), parsed.status().message());
  REQUIRE(std::holds_alternative<T>(*parsed));
  return std::get<T>(*parsed);
}

std::string ErrorOf(std::string_view line) {
  auto parsed = ParseToolCommand(line);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().code() == Errc::kInvalidArgument);
  return parsed.status().message();
}

TEST_CASE("tool_command: words split like a shell, with quotes and escapes") {
  auto words = SplitCommandLine(R"(a  'b c' "d \"e\" \\f" g\ h "" x'y'z)");
  REQUIRE(words.ok());
  CHECK(*words == std::vector<std::string>{"a", "b c", "d \"e\" \\f", "g h", "", "xyz"});
  CHECK(SplitCommandLine("  ")->empty());
  CHECK(SplitCommandLine("a 'b").status().message() == "unterminated single quote");
  CHECK(SplitCommandLine("a \"b").status().message() == "unterminated double quote");
  CHECK(SplitCommandLine("a b\\").status().message() == "trailing backslash");
}

TEST_CASE("tool_command: the quickstart's kafka-topics.sh --create") {
  auto c = Parse<TopicsCommand>(
      "bin/kafka-topics.sh --create --topic cities --partitions 3 --replication-factor 2 "
      "--config min.insync.replicas=2 --config retention.ms=60000 "
      "--bootstrap-server localhost:9092 --if-not-exists");
  CHECK(c.action == TopicsCommand::Action::kCreate);
  CHECK(c.topic == "cities");
  CHECK(c.partitions == 3);
  CHECK(c.replication_factor == 2);
  CHECK(c.configs == std::vector<std::pair<std::string, std::string>>{{"min.insync.replicas", "2"},
                                                                      {"retention.ms", "60000"}});
  CHECK(c.bootstrap_server == "localhost:9092");
  CHECK(c.if_not_exists);
}

TEST_CASE("tool_command: kafka-topics.sh --list, --describe filters and --delete") {
  auto list = Parse<TopicsCommand>("kafka-topics.sh --list --bootstrap-server localhost:9092");
  CHECK(list.action == TopicsCommand::Action::kList);
  CHECK_FALSE(list.topic.has_value());
  auto describe = Parse<TopicsCommand>(
      "kafka-topics --describe --under-replicated-partitions --unavailable-partitions "
      "--bootstrap-server=localhost:9092");
  CHECK(describe.action == TopicsCommand::Action::kDescribe);
  CHECK(describe.under_replicated_partitions);
  CHECK(describe.unavailable_partitions);
  auto del = Parse<TopicsCommand>(
      "kafka-topics.sh --delete --topic cities --if-exists --bootstrap-server h1:9092,h2:9093");
  CHECK(del.action == TopicsCommand::Action::kDelete);
  CHECK(del.if_exists);
}

TEST_CASE("tool_command: kafka-topics.sh --alter grows the partition count") {
  auto alter = Parse<TopicsCommand>(
      "kafka-topics.sh --alter --topic cities --partitions 6 --bootstrap-server localhost:9092");
  CHECK(alter.action == TopicsCommand::Action::kAlter);
  CHECK(alter.topic == "cities");
  CHECK(alter.partitions == 6);
  const std::string bs = " --bootstrap-server localhost:9092";
  CHECK(ErrorOf("kafka-topics.sh --alter --partitions 6" + bs) ==
        "kafka-topics.sh: Missing required argument \"[topic]\"");
  CHECK(ErrorOf("kafka-topics.sh --alter --topic cities" + bs) ==
        "kafka-topics.sh: Missing required argument \"[partitions]\"");
  CHECK(ErrorOf("kafka-topics.sh --alter --topic cities --partitions 6 --replication-factor 2" +
                bs) ==
        "kafka-topics.sh: Option \"[replication-factor]\" can't be used with option "
        "\"[alter]\"");
}

TEST_CASE("tool_command: kafka-topics.sh errors read like the real tool's") {
  const std::string bs = " --bootstrap-server localhost:9092";
  CHECK(ErrorOf("kafka-topics.sh --create --topic t --partitions x" + bs) ==
        "kafka-topics.sh: option --partitions needs a number, got 'x'");
  CHECK(ErrorOf("kafka-topics.sh --create --partitions 3" + bs) ==
        "kafka-topics.sh: Missing required argument \"[topic]\"");
  CHECK(ErrorOf("kafka-topics.sh --create --topic t") ==
        "kafka-topics.sh: Missing required argument \"[bootstrap-server]\"");
  CHECK(ErrorOf("kafka-topics.sh --topic t" + bs) ==
        "kafka-topics.sh: Command must include exactly one action: --list, --describe, "
        "--create, --alter or --delete");
  CHECK(ErrorOf("kafka-topics.sh --list --describe" + bs) ==
        "kafka-topics.sh: Command must include exactly one action: --list, --describe, "
        "--create, --alter or --delete");
  CHECK(ErrorOf("kafka-topics.sh --create --topic t --replicas 3" + bs) ==
        "kafka-topics.sh: '--replicas' is not a recognized option");
  CHECK(ErrorOf("kafka-topics.sh --create --topic t --partitions 0" + bs) ==
        "kafka-topics.sh: The partitions must be greater than 0");
  CHECK(ErrorOf("kafka-topics.sh --create --topic t --replication-factor 0" + bs) ==
        "kafka-topics.sh: The replication factor must be between 1 and 32767 inclusive");
  CHECK(ErrorOf("kafka-topics.sh --describe --topic t --partitions 3" + bs) ==
        "kafka-topics.sh: Option \"[partitions]\" can't be used with option \"[describe]\"");
  CHECK(ErrorOf("kafka-topics.sh --create --topic t --config retention.ms" + bs) ==
        "kafka-topics.sh: Invalid topic config: all configs to be added must be in the format "
        "\"key=val\".");
  CHECK(ErrorOf("kafka-topics.sh --create --topic t --config retention.msec=5" + bs) ==
        "kafka-topics.sh: unknown topic config 'retention.msec'; did you mean 'retention.ms'?");
  CHECK(ErrorOf("kafka-topics.sh --create --topic t --config min.insync.replicas=two" + bs) ==
        "kafka-topics.sh: invalid value 'two' for config min.insync.replicas: expected an int, "
        "got 'two'");
  CHECK(ErrorOf("kafka-topics.sh --create --topic 'my topic'" + bs) ==
        "kafka-topics.sh: Topic name \"my topic\" is illegal, it contains a character other "
        "than ASCII alphanumerics, '.', '_' and '-'");
  CHECK(ErrorOf("kafka-topics.sh --list --bootstrap-server localhost") ==
        "kafka-topics.sh: invalid --bootstrap-server 'localhost'; expected host:port such as "
        "localhost:9092");
  CHECK(ErrorOf("kafka-topics.sh --list --bootstrap-server") ==
        "kafka-topics.sh: option --bootstrap-server needs an argument");
  CHECK(ErrorOf("kafka-topics.sh --list --topic a --topic b" + bs) ==
        "kafka-topics.sh: option --topic given more than once");
  CHECK(ErrorOf("kafka-topics.sh --list extra" + bs) ==
        "kafka-topics.sh: unexpected argument 'extra'");
}

TEST_CASE("tool_command: console producer with keys, acks and lines after <<<") {
  auto p = Parse<ConsoleProducerCommand>(
      "kafka-console-producer.sh --topic cities --bootstrap-server localhost:9092 "
      "--property parse.key=true --property key.separator=: --producer-property linger.ms=0 "
      "<<< Berlin:Germany | 'New York:USA' |Paris:France");
  CHECK(p.topic == "cities");
  CHECK(p.parse_key);
  CHECK(p.key_separator == ":");
  CHECK(p.acks == "all");
  CHECK(p.producer_properties ==
        std::vector<std::pair<std::string, std::string>>{{"linger.ms", "0"}});
  CHECK(p.lines == std::vector<std::string>{"Berlin:Germany", "New York:USA", "Paris:France"});
}

TEST_CASE("tool_command: --request-required-acks wins over --producer-property acks") {
  // ConsoleProducer only lets --producer-property acks stand when the option is absent.
  auto a = Parse<ConsoleProducerCommand>(
      "kafka-console-producer.sh --topic t --bootstrap-server h:1 --producer-property acks=1");
  CHECK(a.acks == "1");
  auto b = Parse<ConsoleProducerCommand>(
      "kafka-console-producer.sh --topic t --bootstrap-server h:1 --producer-property acks=1 "
      "--request-required-acks -1");
  CHECK(b.acks == "all");
  auto c = Parse<ConsoleProducerCommand>(
      "kafka-console-producer.sh --topic t --bootstrap-server h:1 --request-required-acks 0");
  CHECK(c.acks == "0");
  CHECK(c.lines.empty());
}

TEST_CASE("tool_command: console producer errors") {
  CHECK(ErrorOf("kafka-console-producer.sh --bootstrap-server localhost:9092") ==
        "kafka-console-producer.sh: Missing required argument \"[topic]\"");
  CHECK(ErrorOf("kafka-console-producer.sh --topic t --bootstrap-server h:1 "
                "--request-required-acks 2") ==
        "kafka-console-producer.sh: acks must be one of 0, 1, -1 or all, got '2'");
  CHECK(ErrorOf("kafka-console-producer.sh --topic t --bootstrap-server h:1 "
                "--property parse.keys=true") ==
        "kafka-console-producer.sh: unknown property 'parse.keys'; did you mean 'parse.key'?");
  CHECK(ErrorOf("kafka-console-producer.sh --topic t --bootstrap-server h:1 "
                "--property parse.key=yes") ==
        "kafka-console-producer.sh: property parse.key must be true or false, got 'yes'");
  CHECK(ErrorOf("kafka-console-producer.sh --topic t --bootstrap-server h:1 "
                "--producer-property lingerms=5") ==
        "kafka-console-producer.sh: unknown producer property 'lingerms'; did you mean "
        "'linger.ms'?");
  CHECK(ErrorOf("kafka-console-producer.sh --topic t --bootstrap-server h:1 <<<   ") ==
        "kafka-console-producer.sh: nothing to send after '<<<'");
  CHECK(ErrorOf("kafka-topics.sh --list --bootstrap-server h:1 <<< a") ==
        "kafka-topics.sh: '<<<' input lines are only accepted by kafka-console-producer.sh");
}

TEST_CASE("tool_command: a quoted <<< or | is part of the text") {
  auto p = Parse<ConsoleProducerCommand>(
      "kafka-console-producer.sh --topic t --bootstrap-server h:1 <<< \"a|b\"|'<<<'|");
  CHECK(p.lines == std::vector<std::string>{"a|b", "<<<", ""});
}

TEST_CASE("tool_command: console consumer options") {
  auto c = Parse<ConsoleConsumerCommand>(
      "kafka-console-consumer.sh --topic cities --from-beginning --bootstrap-server "
      "localhost:9092 --max-messages 10 --property print.key=true --property print.offset=true "
      "--property print.partition=true --property key.separator=' => '");
  CHECK(c.from_beginning);
  CHECK(c.max_messages == 10);
  CHECK(c.print_key);
  CHECK(c.print_offset);
  CHECK(c.print_partition);
  CHECK(c.print_value);
  CHECK(c.key_separator == " => ");
  CHECK_FALSE(c.partition.has_value());
  auto d = Parse<ConsoleConsumerCommand>(
      "kafka-console-consumer.sh --topic t --bootstrap-server h:1 --partition 2 --offset 42");
  CHECK(d.partition == 2);
  CHECK(d.offset_spec == ConsoleConsumerCommand::OffsetSpec::kNumber);
  CHECK(d.offset == 42);
  auto e = Parse<ConsoleConsumerCommand>(
      "kafka-console-consumer.sh --topic t --bootstrap-server h:1 --partition 0 --offset earliest");
  CHECK(e.offset_spec == ConsoleConsumerCommand::OffsetSpec::kEarliest);
  auto g = Parse<ConsoleConsumerCommand>(
      "kafka-console-consumer.sh --topic t --bootstrap-server h:1 --group my-group");
  CHECK(g.group == "my-group");
}

TEST_CASE("tool_command: console consumer errors use ConsoleConsumerOptions' words") {
  const std::string head = "kafka-console-consumer.sh --topic t --bootstrap-server h:1 ";
  CHECK(ErrorOf(head + "--offset 5") ==
        "kafka-console-consumer.sh: The partition is required when offset is specified.");
  CHECK(ErrorOf(head + "--partition 0 --offset -1") ==
        "kafka-console-consumer.sh: The provided offset value '-1' is incorrect. Valid values "
        "are 'earliest', 'latest', or a non-negative long.");
  CHECK(ErrorOf(head + "--group g --partition 1") ==
        "kafka-console-consumer.sh: Options group and partition cannot be specified together.");
  CHECK(ErrorOf(head + "--from-beginning --partition 0 --offset 3") ==
        "kafka-console-consumer.sh: Options from-beginning and offset cannot be specified "
        "together.");
  CHECK(ErrorOf(head + "--max-messages ten") ==
        "kafka-console-consumer.sh: option --max-messages needs a number, got 'ten'");
  CHECK(ErrorOf(head + "--property print.keys=true") ==
        "kafka-console-consumer.sh: unknown property 'print.keys'; did you mean 'print.key'?");
}

TEST_CASE("tool_command: kafka-metadata-quorum.sh describe") {
  auto s = Parse<MetadataQuorumCommand>(
      "kafka-metadata-quorum.sh --bootstrap-server localhost:9092 describe --status");
  CHECK(s.describe == MetadataQuorumCommand::Describe::kStatus);
  CHECK_FALSE(s.via_controller);
  auto r = Parse<MetadataQuorumCommand>(
      "kafka-metadata-quorum.sh --bootstrap-controller localhost:9093 describe --replication "
      "--human-readable");
  CHECK(r.describe == MetadataQuorumCommand::Describe::kReplication);
  CHECK(r.via_controller);
  CHECK(r.human_readable);
  CHECK(ErrorOf("kafka-metadata-quorum.sh --bootstrap-server h:1 describe") ==
        "kafka-metadata-quorum.sh: One of --status or --replication must be specified with "
        "describe sub-command");
  CHECK(ErrorOf("kafka-metadata-quorum.sh --bootstrap-server h:1 --status") ==
        "kafka-metadata-quorum.sh: missing command; expected 'describe --status' or "
        "'describe --replication'");
  CHECK(ErrorOf("kafka-metadata-quorum.sh describe --status") ==
        "kafka-metadata-quorum.sh: Only one of --bootstrap-server or --bootstrap-controller "
        "must be specified");
  CHECK(ErrorOf("kafka-metadata-quorum.sh --bootstrap-server h:1 describe --status "
                "--human-readable") ==
        "kafka-metadata-quorum.sh: The option --human-readable is only supported along with "
        "--replication");
}

TEST_CASE("tool_command: kafka-leader-election.sh") {
  auto all = Parse<LeaderElectionCommand>(
      "kafka-leader-election.sh --bootstrap-server h:1 --election-type preferred "
      "--all-topic-partitions");
  CHECK(all.election_type == LeaderElectionCommand::ElectionType::kPreferred);
  CHECK(all.all_topic_partitions);
  auto one = Parse<LeaderElectionCommand>(
      "kafka-leader-election.sh --bootstrap-server h:1 --election-type UNCLEAN --topic cities "
      "--partition 0");
  CHECK(one.election_type == LeaderElectionCommand::ElectionType::kUnclean);
  CHECK(one.topic == "cities");
  CHECK(one.partition == 0);
  const std::string head = "kafka-leader-election.sh --bootstrap-server h:1 ";
  CHECK(ErrorOf(head + "--all-topic-partitions") ==
        "kafka-leader-election.sh: Missing required argument \"[election-type]\"");
  CHECK(ErrorOf(head + "--election-type dirty --all-topic-partitions") ==
        "kafka-leader-election.sh: --election-type must be preferred or unclean, got 'dirty'");
  CHECK(ErrorOf(head + "--election-type preferred") ==
        "kafka-leader-election.sh: One and only one of the following options is required: "
        "--all-topic-partitions, --topic");
  CHECK(ErrorOf(head + "--election-type preferred --topic t") ==
        "kafka-leader-election.sh: Missing required argument \"[partition]\"");
}

TEST_CASE("tool_command: fault commands of the GUI console") {
  CHECK(Parse<CrashCommand>("crash broker-1").node == "broker-1");
  CHECK(Parse<KillCommand>("kill broker-1").node == "broker-1");
  CHECK(ToolName(ParseToolCommand("kill broker-1").value()) == "kill");
  CHECK(NodesNamed(ParseToolCommand("kill broker-1").value()) ==
        std::vector<std::string>{"broker-1"});
  CHECK(Parse<RestartCommand>("restart broker-1").node == "broker-1");
  CHECK(Parse<ShutdownCommand>("shutdown broker-2").node == "broker-2");
  CHECK(Parse<IsolateCommand>("isolate controller-1").node == "controller-1");
  auto cut = Parse<CutCommand>("cut broker-1 broker-2 --both");
  CHECK(cut.from == "broker-1");
  CHECK(cut.to == "broker-2");
  CHECK(cut.both);
  auto heal = Parse<HealCommand>("heal broker-1 broker-2");
  CHECK_FALSE(heal.both);
  Parse<HealAllCommand>("heal-all");
  CHECK(Parse<SlowCommand>("slow broker-2 200").extra == Milliseconds(200));
  CHECK(Parse<SlowCommand>("slow broker-2 1.5s").extra == Milliseconds(1500));
  CHECK(NodesNamed(ParseToolCommand("cut a b").value()) == std::vector<std::string>{"a", "b"});
  CHECK(NodesNamed(ParseToolCommand("heal-all").value()).empty());
  CHECK(ToolName(ParseToolCommand("heal-all").value()) == "heal-all");
  CHECK(ToolName(ParseToolCommand("kafka-topics --list --bootstrap-server h:1").value()) ==
        "kafka-topics.sh");
}

TEST_CASE("tool_command: fault command errors show the expected form") {
  CHECK(ErrorOf("crash") == "crash: expected one node name, as in 'crash broker-1'");
  CHECK(ErrorOf("crash a b") == "crash: expected one node name, as in 'crash broker-1'");
  CHECK(ErrorOf("kill") == "kill: expected one node name, as in 'kill broker-1'");
  CHECK(ErrorOf("cut broker-1") ==
        "cut: expected two node names and an optional --both, as in 'cut broker-1 broker-2 "
        "--both'");
  CHECK(ErrorOf("heal a b --all") ==
        "heal: expected two node names and an optional --both, as in 'heal broker-1 broker-2 "
        "--both'");
  CHECK(ErrorOf("cut a a") == "cut: a node cannot be cut from itself");
  CHECK(ErrorOf("heal-all now") == "heal-all: takes no arguments");
  CHECK(ErrorOf("slow broker-1 fast") ==
        "slow: 'fast': expected a duration like \"500ms\", \"5s\" or \"2m\"");
  CHECK(ErrorOf("") == "empty command");
  CHECK(ErrorOf("kafka-acls.sh --list") ==
        "unknown command 'kafka-acls.sh'; expected kafka-topics.sh, kafka-console-producer.sh, "
        "kafka-console-consumer.sh, kafka-metadata-quorum.sh, kafka-leader-election.sh, "
        "zookeeper-shell.sh, kafka-consumer-groups.sh, kafka-configs.sh, crash, kill, restart, "
        "shutdown, cut, heal, "
        "isolate, heal-all, slow, disk-full, disk-ok, slow-disk, corrupt, cut-region, "
        "heal-region, kafka-storage.sh, "
        "kafka-server-start.sh, NAME=VALUE, or a shell command (ls, cd, pwd, cat, hexdump, du, "
        "wc, stat, echo, kafka-dump-log.sh, ssh NODE, on NODE: ...)");
  CHECK(ErrorOf("crash 'broker-1") == "unterminated single quote");
}

TEST_CASE("tool commands: zookeeper-shell.sh reads, kafka-topics.sh refuses --zookeeper") {
  auto shell = ParseToolCommand("bin/zookeeper-shell.sh localhost:2182 get -s /controller");
  REQUIRE(shell.ok());
  const auto& z = std::get<ZooKeeperShellCommand>(*shell);
  CHECK(z.server == "localhost:2182");
  CHECK(z.op == ZooKeeperShellCommand::Op::kGet);
  CHECK(z.with_stat);
  CHECK(z.path == "/controller");
  CHECK(ToolName(*shell) == "zookeeper-shell.sh");
  CHECK(ErrorOf("zookeeper-shell.sh") ==
        "zookeeper-shell.sh: USAGE: zookeeper-shell.sh zookeeper_host:port[/path] "
        "[-zk-tls-config-file file] [args...]");
  CHECK(ErrorOf("zookeeper-shell.sh localhost:2181 ls brokers") ==
        "zookeeper-shell.sh: Path must start with / character");
  CHECK(ErrorOf("zookeeper-shell.sh localhost:2181 stat") == "zookeeper-shell.sh: stat [-w] path");
  CHECK(ErrorOf("zookeeper-shell.sh localhost:2181 rmr /brokers") ==
        "zookeeper-shell.sh: unknown command 'rmr'; the simulator answers ls, get and stat");
  CHECK(ErrorOf("kafka-topics.sh --list --zookeeper localhost:2181") ==
        "Exception in thread \"main\" joptsimple.UnrecognizedOptionException: zookeeper is not a "
        "recognized option\n(kafka-topics.sh reaches the cluster through a broker since Kafka "
        "3.0: use --bootstrap-server localhost:9092)");
}

TEST_CASE("tool command: kafka-consumer-groups.sh lists and describes groups") {
  auto parsed = ParseToolCommand(
      "kafka-consumer-groups.sh --bootstrap-server localhost:9092 --describe --group g --members");
  REQUIRE(parsed.ok());
  const auto& c = std::get<ConsumerGroupsCommand>(*parsed);
  CHECK(c.action == ConsumerGroupsCommand::Action::kDescribe);
  CHECK(c.describe == ConsumerGroupsCommand::Describe::kMembers);
  CHECK(c.groups == std::vector<std::string>{"g"});
  CHECK(ErrorOf("kafka-consumer-groups.sh --bootstrap-server localhost:9092 --describe") ==
        "kafka-consumer-groups.sh: Option [describe] takes one of these options: [all-groups], "
        "[group]");
  CHECK(ErrorOf("kafka-consumer-groups.sh --bootstrap-server localhost:9092 --describe --group g "
                "--state --members") ==
        "kafka-consumer-groups.sh: Option [describe] takes at most one of these options: "
        "[members], [offsets], [state]");
}

// ConfigCommand (Kafka 3.9/4.x): --entity-type topics --entity-name T or --topic T; --add-config
// split at commas outside brackets; --delete-config a comma list.
TEST_CASE("tool_command: kafka-configs.sh alters and describes topic configs") {
  const auto alter = Parse<ConfigsCommand>(
      "kafka-configs.sh --bootstrap-server localhost:9092 --alter --entity-type topics "
      "--entity-name cities --add-config 'retention.ms=1000, cleanup.policy=[compact,delete]' "
      "--delete-config segment.bytes,flush.ms");
  CHECK(alter.action == ConfigsCommand::Action::kAlter);
  CHECK(alter.topic == "cities");
  CHECK(alter.add == std::vector<std::pair<std::string, std::string>>{
                         {"retention.ms", "1000"}, {"cleanup.policy", "compact,delete"}});
  CHECK(alter.remove == std::vector<std::string>{"segment.bytes", "flush.ms"});
  const auto describe = Parse<ConfigsCommand>(
      "bin/kafka-configs.sh --bootstrap-server localhost:9092 --describe "
      "--topic cities");
  CHECK(describe.action == ConfigsCommand::Action::kDescribe);
  CHECK(describe.topic == "cities");
  CHECK_FALSE(Parse<ConfigsCommand>("kafka-configs.sh --bootstrap-server localhost:9092 "
                                    "--describe --entity-type topics")
                  .topic.has_value());
}

TEST_CASE("tool_command: kafka-configs.sh errors read like ConfigCommand's") {
  const std::string bs = " --bootstrap-server localhost:9092";
  CHECK(ErrorOf("kafka-configs.sh --entity-type topics --entity-name t" + bs) ==
        "kafka-configs.sh: Command must include exactly one action: --describe, --alter");
  CHECK(ErrorOf("kafka-configs.sh --alter --entity-type topics" + bs +
                " --add-config retention.ms=1") ==
        "kafka-configs.sh: An entity name must be specified with --alter of topics");
  CHECK(ErrorOf("kafka-configs.sh --alter --topic t" + bs) ==
        "kafka-configs.sh: At least one of --add-config, --add-config-file, or --delete-config "
        "must be specified with --alter");
  CHECK(ErrorOf("kafka-configs.sh --alter --topic t --add-config retention.ms" + bs) ==
        "kafka-configs.sh: Invalid entity config: all configs to be added must be in the format "
        "\"key=val\".");
  CHECK(ErrorOf("kafka-configs.sh --describe --entity-type topic --entity-name t" + bs) ==
        "kafka-configs.sh: Invalid entity type topic, the entity type must be one of topics, "
        "clients, users, brokers, broker-loggers, ips, client-metrics, groups with a "
        "--bootstrap-server or --bootstrap-controller argument");
  CHECK(ErrorOf("kafka-configs.sh --describe --entity-type brokers --entity-name 1" + bs) ==
        "kafka-configs.sh: entity type brokers is not simulated: kafkasim alters and describes "
        "topic configs only (--entity-type topics)");
  CHECK(ErrorOf("kafka-configs.sh --describe --topic t --entity-type topics" + bs) ==
        "kafka-configs.sh: --entity-{type,name,default} should not be used in conjunction with "
        "specific entity flags");
  CHECK(ErrorOf("kafka-configs.sh --describe --topic t") ==
        "kafka-configs.sh: One of the required --bootstrap-server or --bootstrap-controller "
        "arguments must be specified");
  CHECK(ErrorOf("kafka-configs.sh --describe --topic t --add-config a=b" + bs) ==
        "kafka-configs.sh: Option \"[add-config]\" can't be used with option \"[describe]\"");
  CHECK(ErrorOf("kafka-configs.sh --alter --topic t --add-config retention.mss=5" + bs) ==
        "kafka-configs.sh: unknown topic config 'retention.mss'; did you mean 'retention.ms'?");
  CHECK(ErrorOf("kafka-configs.sh --alter --topic t --add-config retention.ms=soon" + bs)
            .starts_with("kafka-configs.sh: invalid value 'soon' for config retention.ms: "));
  CHECK(ErrorOf("kafka-configs.sh --alter --topic t --add-config re$t=1" + bs) ==
        "kafka-configs.sh: Invalid character found for config key: re$t");
}

TEST_CASE("tool_command: arbitrary bytes are parsed or refused with a message, never a crash") {
  // A poor man's fuzz pass: every prefix of some tricky lines, plus byte soup. Each input
  // either parses to a named tool or is refused as bad input with a message, the same way
  // every time.
  const std::string lines[] = {
      "kafka-topics.sh --create --topic 'a b\" --config x= --partitions 99999999999",
      "kafka-console-producer.sh --topic t --bootstrap-server h:1 <<< \"a|'b\\",
      "slow b 1.9999999999s", "cut --both --both a", "kafka-metadata-quorum.sh describe x y"};
  int parsed = 0, refused = 0;
  auto check = [&](std::string_view input) {
    const Result<ToolCommand> r = ParseToolCommand(input);
    const Result<ToolCommand> again = ParseToolCommand(input);
    REQUIRE(r.ok() == again.ok());
    if (r.ok()) {
      ++parsed;
      CHECK_FALSE(ToolName(*r).empty());
      CHECK(ToolName(*r) == ToolName(*again));
    } else {
      ++refused;
      CHECK(r.status().code() == Errc::kInvalidArgument);
      CHECK_FALSE(r.status().message().empty());
      CHECK(r.status().message() == again.status().message());
    }
  };
  for (const std::string& line : lines) {
    for (std::size_t n = 0; n <= line.size(); ++n) check(line.substr(0, n));
  }
  // Of all those prefixes only a console producer without input and a 1 ms slow-down are
  // commands; each whole line is refused, saying why.
  CHECK(parsed == 3);
  CHECK(refused == 222);
  CHECK(ErrorOf(lines[0]) == "unterminated single quote");
  CHECK(ErrorOf(lines[1]) == "unterminated double quote");
  CHECK(ErrorOf(lines[2]) ==
        "slow: '1.9999999999s': expected a duration like \"500ms\", \"5s\" or \"2m\"");
  CHECK(ErrorOf(lines[3]) ==
        "cut: expected two node names and an optional --both, as in 'cut broker-1 broker-2 "
        "--both'");
  CHECK(ErrorOf(lines[4]) ==
        "kafka-metadata-quorum.sh: Only one of --bootstrap-server or --bootstrap-controller must "
        "be specified");
  CHECK(Parse<SlowCommand>("slow b 1").extra == Milliseconds(1));
  std::string soup;
  for (int i = 0; i < 2000; ++i) {
    soup.push_back(static_cast<char>((i * 7919) % 251));
    check(soup);
  }
  // Byte soup (it starts with a NUL) is never a command.
  CHECK(parsed == 3);
  CHECK(refused == 222 + 2000);
}

}  // namespace
}  // namespace kafkasim::scenario
