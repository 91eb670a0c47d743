// The datadriven tier for the Raft core: runs tests/raft/testdata/*.txt against a RaftCluster.
// Each command prints the one-line trace of what it caused ("t=1.204s controller-2 became
// leader at epoch 1 ..."). KAFKASIM_REWRITE=1 rewrites the expected output.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "datadriven.h"
#include "raft_cluster.h"
#include "run_testdata.h"

namespace kafkasim::raft::testing {
namespace {

// "250ms", "2s", "1.5s".
Duration ParseDuration(const std::string& text) {
  if (text.ends_with("ms")) return Milliseconds(std::stoll(text.substr(0, text.size() - 2)));
  if (text.ends_with("s")) {
    const double seconds = std::stod(text.substr(0, text.size() - 1));
    return Milliseconds(static_cast<std::int64_t>(seconds * 1000.0 + 0.5));
  }
  throw std::invalid_argument("bad duration " + text);
}

NodeId ParseId(const std::string& text) { return static_cast<NodeId>(std::stoi(text)); }

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

// Commands (one per test case):
//   add-nodes <voters> [observers=N] [seed=S]   start a fresh cluster (ids 1..)
//   campaign <id> | shutdown <id> | crash <id> | restart <id>
//   propose <id> <payload>                     prints the offset or the error
//   deliver | stabilize | drop                 move queued messages (stabilize: until none)
//   tick [<id>] <duration> | run <duration>    fire timers only / run the network too
//   partition <ids> / <ids> ... | heal
//   request-vote <from> <to>                   a real Vote without the pre-vote round
//   status [ids] | log [ids] | applied [ids] | quorum-state <id>
class Harness {
 public:
  using Args = std::vector<std::string>;
  using Lines = std::vector<std::string>;

  std::string Run(const datadriven::TestCase& test) {
    const auto it = Commands().find(test.args[0]);
    if (it == Commands().end()) return "unknown command " + test.args[0];
    if (cluster_ == nullptr && test.args[0] != "add-nodes") return "add-nodes first";
    Lines out = (this->*(it->second))(test.args);
    Lines lines = cluster_->TakeLines();
    lines.insert(lines.end(), out.begin(), out.end());
    for (const std::string& v : cluster_->violations()) lines.push_back("VIOLATION " + v);
    return Join(lines);
  }

 private:
  using Command = Lines (Harness::*)(const Args&);
  static const std::map<std::string, Command>& Commands() {
    static const std::map<std::string, Command> commands = {
        {"add-nodes", &Harness::AddNodes}, {"campaign", &Harness::Campaign},
        {"shutdown", &Harness::Shutdown},  {"crash", &Harness::Crash},
        {"restart", &Harness::Restart},    {"propose", &Harness::Propose},
        {"deliver", &Harness::Deliver},    {"stabilize", &Harness::Stabilize},
        {"drop", &Harness::Drop},          {"tick", &Harness::Tick},
        {"run", &Harness::RunFor},         {"partition", &Harness::Partition},
        {"heal", &Harness::Heal},          {"request-vote", &Harness::RequestVote},
        {"status", &Harness::Status},      {"log", &Harness::Log},
        {"applied", &Harness::Applied},    {"quorum-state", &Harness::QuorumStateFile},
    };
    return commands;
  }

  Lines AddNodes(const Args& args) {
    int observers = 0;
    std::uint64_t seed = 1;
    for (std::size_t i = 2; i < args.size(); ++i) {
      if (args[i].starts_with("observers=")) observers = std::stoi(args[i].substr(10));
      if (args[i].starts_with("seed=")) seed = std::stoull(args[i].substr(5));
    }
    cluster_ = std::make_unique<RaftCluster>(seed);
    cluster_->AddNodes(std::stoi(args.at(1)), observers);
    return {};
  }
  Lines Campaign(const Args& args) {
    cluster_->Campaign(ParseId(args.at(1)));
    return {};
  }
  Lines Shutdown(const Args& args) {
    cluster_->Shutdown(ParseId(args.at(1)));
    return {};
  }
  Lines Crash(const Args& args) {
    cluster_->Crash(ParseId(args.at(1)));
    return {};
  }
  Lines Restart(const Args& args) {
    cluster_->Restart(ParseId(args.at(1)));
    return {};
  }
  Lines Propose(const Args& args) {
    Result<Offset> offset = cluster_->Propose(ParseId(args.at(1)), args.at(2));
    return {offset.ok() ? fmt::format("proposed {} at offset {}", args[2], *offset)
                        : offset.status().ToString()};
  }
  Lines Deliver(const Args&) { return cluster_->DeliverQueued(); }
  Lines Stabilize(const Args&) {
    Lines out;
    for (int round = 0; round < 100 && cluster_->queued() > 0; ++round) {
      for (std::string& line : cluster_->DeliverQueued()) out.push_back(std::move(line));
    }
    return out;
  }
  Lines Drop(const Args&) {
    cluster_->DropQueued();
    return {};
  }
  Lines Tick(const Args& args) {
    if (args.size() == 3) {
      cluster_->Tick(ParseDuration(args[2]), ParseId(args[1]));
    } else {
      cluster_->Tick(ParseDuration(args.at(1)));
    }
    return {};
  }
  Lines RunFor(const Args& args) {
    cluster_->Run(ParseDuration(args.at(1)));
    return {};
  }
  Lines Partition(const Args& args) {
    std::vector<std::set<NodeId>> groups(1);
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
  Lines Heal(const Args&) {
    cluster_->Heal();
    return {};
  }
  // A real (not pre-) Vote from `from` at its current epoch, skipping its pre-vote round.
  Lines RequestVote(const Args& args) {
    const NodeId from = ParseId(args.at(1));
    const RaftNode* candidate = cluster_->node(from);
    cluster_->Inject(std::make_shared<RaftMessage>(
        from, ParseId(args.at(2)),
        VoteRequest{candidate->epoch(), from, candidate->log().LastEpoch(),
                    candidate->log().EndOffset(), false}));
    return {};
  }
  Lines Status(const Args& args) {
    Lines out;
    for (NodeId id : Selected(args)) {
      RaftNode* n = cluster_->node(id);
      if (n == nullptr) {
        out.push_back(cluster_->Name(id) + " down");
        continue;
      }
      for (std::string& line : FormatStatus(n->GetStatus(), *cluster_, cluster_->now())) {
        out.push_back(std::move(line));
      }
    }
    return out;
  }
  Lines Log(const Args& args) {
    Lines out;
    for (NodeId id : Selected(args)) {
      const auto& log = cluster_->disk(id).log;
      Lines entries;
      // Runs of NoOps in one epoch print as one range: "1..5@1:NoOp".
      for (std::size_t i = 0; i < log.size(); ++i) {
        const LogEntry& e = log[i];
        std::size_t last = i;
        while (e.kind == EntryKind::kNoOp && last + 1 < log.size() &&
               log[last + 1].kind == EntryKind::kNoOp && log[last + 1].epoch == e.epoch) {
          ++last;
        }
        const std::string where = last == i ? fmt::format("{}", e.offset)
                                            : fmt::format("{}..{}", e.offset, log[last].offset);
        entries.push_back(fmt::format("{}@{}:{}{}", where, e.epoch, EntryKindName(e.kind),
                                      e.kind == EntryKind::kData ? "=" + e.payload : ""));
        i = last;
      }
      out.push_back(
          fmt::format("{}: {}", cluster_->Name(id),
                      entries.empty() ? "empty" : fmt::format("{}", fmt::join(entries, " "))));
    }
    return out;
  }
  Lines Applied(const Args& args) {
    Lines out;
    for (NodeId id : Selected(args)) {
      Lines data;
      for (const LogEntry& e : cluster_->applied(id)) {
        if (e.kind == EntryKind::kData) data.push_back(fmt::format("{}={}", e.offset, e.payload));
      }
      out.push_back(fmt::format("{}: [{}]", cluster_->Name(id), fmt::join(data, " ")));
    }
    return out;
  }
  Lines QuorumStateFile(const Args& args) {
    return {cluster_->disk(ParseId(args.at(1))).quorum_state_json};
  }

  std::vector<NodeId> Selected(const Args& args) {
    if (args.size() <= 1) return cluster_->ids();
    std::vector<NodeId> ids;
    for (std::size_t i = 1; i < args.size(); ++i) ids.push_back(ParseId(args[i]));
    return ids;
  }

  std::unique_ptr<RaftCluster> cluster_;
};

TEST_CASE("raft datadriven: every testdata file produces its expected trace") {
  datadriven::RunTestdataDirectory<Harness>(KAFKASIM_RAFT_TESTDATA_DIR);
}

}  // namespace
}  // namespace kafkasim::raft::testing
