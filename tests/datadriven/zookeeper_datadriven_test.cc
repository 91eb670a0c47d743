// The datadriven tier for the ZooKeeper core: runs tests/zookeeper/testdata/*.txt against a
// ZkCluster. Each command prints the one-line trace of what it caused ("t=0.212s zk-3 LEADING
// ..."). KAFKASIM_REWRITE=1 rewrites the expected output.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "datadriven.h"
#include "run_testdata.h"
#include "zk_cluster.h"
#include "zookeeper/zk_files.h"

namespace kafkasim::zookeeper::testing {
namespace {

Duration ParseDuration(const std::string& text) {
  if (text.ends_with("ms")) return Milliseconds(std::stoll(text.substr(0, text.size() - 2)));
  if (text.ends_with("s")) {
    const double seconds = std::stod(text.substr(0, text.size() - 1));
    return Milliseconds(static_cast<std::int64_t>(seconds * 1000.0 + 0.5));
  }
  throw std::invalid_argument("bad duration " + text);
}

ServerId ParseId(const std::string& text) { return std::stoll(text); }

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

// "key=value" among args[from..]; `fallback` when absent.
std::string Option(const std::vector<std::string>& args, std::size_t from, const std::string& key,
                   const std::string& fallback) {
  for (std::size_t i = from; i < args.size(); ++i) {
    if (args[i].starts_with(key + "=")) return args[i].substr(key.size() + 1);
  }
  return fallback;
}

// One op from words: create PATH [DATA] [mode=...] | set PATH DATA [version=N] |
// delete PATH [version=N] | check PATH version=N.
Op ParseOp(const std::vector<std::string>& words) {
  Op op;
  op.path = words.at(1);
  op.version = static_cast<std::int32_t>(std::stoi(Option(words, 2, "version", "-1")));
  const std::string verb = words.at(0);
  if (verb == "create") {
    op.type = OpType::kCreate;
    if (words.size() > 2 && words[2].find('=') == std::string::npos) op.data = words[2];
    const std::string mode = Option(words, 2, "mode", "persistent");
    op.mode = mode == "ephemeral"              ? CreateMode::kEphemeral
              : mode == "sequential"           ? CreateMode::kPersistentSequential
              : mode == "ephemeral_sequential" ? CreateMode::kEphemeralSequential
                                               : CreateMode::kPersistent;
  } else if (verb == "set") {
    op.type = OpType::kSetData;
    op.data = words.at(2);
  } else if (verb == "delete") {
    op.type = OpType::kDelete;
  } else if (verb == "check") {
    op.type = OpType::kCheck;
  } else {
    throw std::invalid_argument("bad op " + verb);
  }
  return op;
}

// Commands (one per test case):
//   add-servers <n> [seed=S] [tick=2000ms] [snap_count=N]   a fresh ensemble zk-1..zk-n
//   run <duration> | tick <duration> | deliver | stabilize (deliver until none, notes only)
//   crash <id> | restart <id> | partition <ids> / <ids> ... | heal
//   connect <id> <alias> [timeout=ms] | reconnect <id> <alias> | close <id> <alias>
//   touch <id> <alias>
//   create|set|delete|check <id> <alias> <op words>   a write through server <id>
//   multi <id> <alias> <op words> ; <op words> ...
//   get|exists|ls <id> <alias> <path> [watch]         reads served by server <id>
//   status [ids] | files <id> | log <id> | tree <id> [path]
class Harness {
 public:
  using Args = std::vector<std::string>;
  using Lines = std::vector<std::string>;

  std::string Run(const datadriven::TestCase& test) {
    if (cluster_ == nullptr && test.args[0] != "add-servers") return "add-servers first";
    Lines out = Dispatch(test.args);
    Lines lines = cluster_->TakeLines();
    lines.insert(lines.end(), out.begin(), out.end());
    for (const std::string& v : cluster_->violations()) lines.push_back("VIOLATION " + v);
    return Join(lines);
  }

 private:
  Lines Dispatch(const Args& args) {
    const std::string& verb = args[0];
    if (verb == "add-servers") return AddServers(args);
    if (verb == "run") return Do([&] { cluster_->Run(ParseDuration(args.at(1))); });
    if (verb == "tick") return Do([&] { cluster_->Tick(ParseDuration(args.at(1))); });
    if (verb == "deliver") return cluster_->DeliverQueued();
    if (verb == "stabilize") {
      for (int round = 0; round < 100 && cluster_->queued() > 0; ++round) cluster_->DeliverQueued();
      return {};
    }
    if (verb == "crash") return Do([&] { cluster_->Crash(ParseId(args.at(1))); });
    if (verb == "restart") return Do([&] { cluster_->Restart(ParseId(args.at(1))); });
    if (verb == "heal") return Do([&] { cluster_->Heal(); });
    if (verb == "partition") return Partition(args);
    if (verb == "connect") return Connect(args);
    if (verb == "reconnect") {
      ZkServer* s = cluster_->server(ParseId(args.at(1)));
      if (s == nullptr) return {"server down"};
      return {
          fmt::format("reconnect: {}", ZkCodeName(s->Reconnect(Session(args), cluster_->now())))};
    }
    if (verb == "close")
      return Do([&] { cluster_->CloseSession(ParseId(args.at(1)), Session(args)); });
    if (verb == "touch") {
      return {fmt::format("touch: {}",
                          ZkCodeName(cluster_->Touch(ParseId(args.at(1)), Session(args))))};
    }
    if (verb == "create" || verb == "set" || verb == "delete" || verb == "check") {
      Request request;
      std::vector<std::string> words = {verb};
      words.insert(words.end(), args.begin() + 3, args.end());
      request.ops.push_back(ParseOp(words));
      cluster_->Submit(ParseId(args.at(1)), Session(args), request);
      return {};
    }
    if (verb == "multi") return Multi(args);
    if (verb == "get" || verb == "exists" || verb == "ls") return Read(args);
    if (verb == "status") return Status(args);
    if (verb == "files") return Files(args);
    if (verb == "log") return Log(args);
    if (verb == "tree") return Tree(args);
    return {"unknown command " + verb};
  }

  template <typename F>
  Lines Do(F f) {
    f();
    return {};
  }

  SessionId Session(const Args& args) { return sessions_.at(args.at(2)); }

  Lines AddServers(const Args& args) {
    ZkConfig base;
    base.tick_time = ParseDuration(Option(args, 2, "tick", "2000ms"));
    base.snap_count = std::stoll(Option(args, 2, "snap_count", "100000"));
    cluster_ = std::make_unique<ZkCluster>(std::stoull(Option(args, 2, "seed", "1")), base);
    cluster_->AddServers(std::stoi(args.at(1)));
    return {};
  }
  Lines Partition(const Args& args) {
    std::vector<std::set<ServerId>> groups(1);
    for (std::size_t i = 1; i < args.size(); ++i) {
      if (args[i] == "/") {
        groups.emplace_back();
      } else {
        groups.back().insert(ParseId(args[i]));
      }
    }
    cluster_->Partition(groups);
    return {};
  }
  Lines Connect(const Args& args) {
    const auto timeout = static_cast<std::int32_t>(std::stoi(Option(args, 3, "timeout", "6000")));
    Result<SessionId> session = cluster_->Connect(ParseId(args.at(1)), timeout);
    if (!session.ok()) return {session.status().message()};
    sessions_[args.at(2)] = *session;
    return {fmt::format("{} is session 0x{:x}", args[2], *session)};
  }
  Lines Multi(const Args& args) {
    Request request;
    request.multi = true;
    std::vector<std::string> words;
    for (std::size_t i = 3; i <= args.size(); ++i) {
      if (i == args.size() || args[i] == ";") {
        if (!words.empty()) request.ops.push_back(ParseOp(words));
        words.clear();
      } else {
        words.push_back(args[i]);
      }
    }
    cluster_->Submit(ParseId(args.at(1)), Session(args), request);
    return {};
  }
  Lines Read(const Args& args) {
    ZkServer* s = cluster_->server(ParseId(args.at(1)));
    if (s == nullptr) return {"server down"};
    const std::string& path = args.at(3);
    const bool watch = args.size() > 4 && args[4] == "watch";
    ReadResult r = args[0] == "get"      ? s->GetData(Session(args), path, watch)
                   : args[0] == "exists" ? s->Exists(Session(args), path, watch)
                                         : s->GetChildren(Session(args), path, watch);
    if (r.code != ZkCode::kOk) return {ZkCodeName(r.code)};
    if (args[0] == "ls") return {fmt::format("[{}]", fmt::join(r.children, ", "))};
    return {fmt::format("{}{}", args[0] == "get" ? "'" + r.data + "' " : "", StatLine(r.stat))};
  }
  static std::string StatLine(const Stat& s) {
    return fmt::format(
        "czxid={} mzxid={} pzxid={} version={} cversion={} ephemeralOwner=0x{:x} "
        "dataLength={} numChildren={}",
        ZxidHex(s.czxid), ZxidHex(s.mzxid), ZxidHex(s.pzxid), s.version, s.cversion,
        s.ephemeral_owner, s.data_length, s.num_children);
  }
  Lines Status(const Args& args) {
    Lines out;
    std::vector<ServerId> ids;
    for (std::size_t i = 1; i < args.size(); ++i) ids.push_back(ParseId(args[i]));
    if (ids.empty()) ids = cluster_->ids();
    for (ServerId id : ids) {
      ZkServer* s = cluster_->server(id);
      if (s == nullptr) {
        out.push_back(cluster_->Name(id) + " down");
        continue;
      }
      const ZkStatus st = s->GetStatus();
      out.push_back(
          fmt::format("{} {} {} round={} vote={} accepted_epoch={} current_epoch={} last_zxid={} "
                      "committed={} sessions={}",
                      cluster_->Name(id), ServerStateName(st.state), ZabPhaseName(st.phase),
                      st.logical_clock, st.leader, st.accepted_epoch, st.current_epoch,
                      ZxidHex(st.last_logged_zxid), ZxidHex(st.last_committed_zxid), st.sessions));
      for (const LearnerView& l : st.learners) {
        out.push_back(fmt::format("  {} {}{}", cluster_->Name(l.id), ZabPhaseName(l.phase),
                                  l.synced ? " synced" : ""));
      }
    }
    return out;
  }
  Lines Files(const Args& args) {
    Lines out;
    for (const auto& [name, bytes] : cluster_->disk(ParseId(args.at(1))).files) {
      const bool text = name == kAcceptedEpochFile || name == kCurrentEpochFile;
      out.push_back(text ? fmt::format("version-2/{}: {}", name, bytes)
                         : fmt::format("version-2/{}: {} bytes", name, bytes.size()));
    }
    return out;
  }
  Lines Log(const Args& args) {
    Lines out;
    for (const auto& [name, bytes] : cluster_->disk(ParseId(args.at(1))).files) {
      if (!name.starts_with("log.")) continue;
      Result<TxnLogRead> read = DecodeTxnLog(bytes);
      if (!read.ok()) {
        out.push_back(name + ": " + read.status().ToString());
        continue;
      }
      std::vector<std::string> txns;
      for (const Txn& txn : read->txns) txns.push_back(DescribeTxn(txn));
      out.push_back(fmt::format("{}: {}", name, fmt::join(txns, "; ")));
    }
    return out;
  }
  Lines Tree(const Args& args) {
    ZkServer* s = cluster_->server(ParseId(args.at(1)));
    if (s == nullptr) return {"server down"};
    const std::string prefix = args.size() > 2 ? args[2] : "/";
    Lines out;
    for (const auto& [path, node] : s->tree().nodes()) {
      if (!path.starts_with(prefix) || path.starts_with("/zookeeper")) continue;
      out.push_back(fmt::format("{} '{}' v{}{}", path, node.data, node.stat.version,
                                node.stat.ephemeral_owner != kNoSession
                                    ? fmt::format(" ephemeral 0x{:x}", node.stat.ephemeral_owner)
                                    : ""));
    }
    return out;
  }

  std::unique_ptr<ZkCluster> cluster_;
  std::map<std::string, SessionId> sessions_;
};

TEST_CASE("zookeeper datadriven: every testdata file produces its expected trace") {
  datadriven::RunTestdataDirectory<Harness>(KAFKASIM_ZOOKEEPER_TESTDATA_DIR);
}

}  // namespace
}  // namespace kafkasim::zookeeper::testing
