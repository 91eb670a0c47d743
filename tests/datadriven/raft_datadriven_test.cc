// The datadriven tier for the Raft core: runs tests/raft/testdata/*.txt against a RaftCluster.
// Each command prints the one-line trace of what it caused ("t=1.204s controller-2 became
// leader at epoch 1 ..."). KAFKASIM_REWRITE=1 rewrites the expected output.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "datadriven.h"
#include "raft_cluster.h"

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

class Harness {
 public:
  std::string Run(const datadriven::TestCase& test) {
    const auto& args = test.args;
    const std::string& verb = args[0];
    std::vector<std::string> out;
    if (verb == "add-nodes") {
      int observers = 0;
      std::uint64_t seed = 1;
      for (std::size_t i = 2; i < args.size(); ++i) {
        if (args[i].starts_with("observers=")) observers = std::stoi(args[i].substr(10));
        if (args[i].starts_with("seed=")) seed = std::stoull(args[i].substr(5));
      }
      cluster_ = std::make_unique<RaftCluster>(seed);
      cluster_->AddNodes(std::stoi(args.at(1)), observers);
    } else if (verb == "campaign") {
      cluster_->Campaign(ParseId(args.at(1)));
    } else if (verb == "deliver") {
      out = cluster_->DeliverQueued();
    } else if (verb == "stabilize") {
      for (int round = 0; round < 100 && cluster_->queued() > 0; ++round) {
        for (std::string& line : cluster_->DeliverQueued()) out.push_back(std::move(line));
      }
    } else if (verb == "tick") {
      if (args.size() == 3) {
        cluster_->Tick(ParseDuration(args[2]), ParseId(args[1]));
      } else {
        cluster_->Tick(ParseDuration(args.at(1)));
      }
    } else if (verb == "run") {
      cluster_->Run(ParseDuration(args.at(1)));
    } else if (verb == "propose") {
      Result<Offset> offset = cluster_->Propose(ParseId(args.at(1)), args.at(2));
      out.push_back(offset.ok() ? fmt::format("proposed {} at offset {}", args[2], *offset)
                                : offset.status().ToString());
    } else if (verb == "partition") {
      std::vector<std::set<NodeId>> groups(1);
      for (std::size_t i = 1; i < args.size(); ++i) {
        if (args[i] == "/") {
          groups.emplace_back();
        } else {
          groups.back().insert(ParseId(args[i]));
        }
      }
      cluster_->Partition(groups);
    } else if (verb == "request-vote") {
      // A real (not pre-) Vote from `from` at its current epoch, skipping its pre-vote round.
      const NodeId from = ParseId(args.at(1));
      const RaftNode* candidate = cluster_->node(from);
      cluster_->Inject(std::make_shared<RaftMessage>(
          from, ParseId(args.at(2)),
          VoteRequest{candidate->epoch(), from, candidate->log().LastEpoch(),
                      candidate->log().EndOffset(), false}));
    } else if (verb == "heal") {
      cluster_->Heal();
    } else if (verb == "crash") {
      cluster_->Crash(ParseId(args.at(1)));
    } else if (verb == "restart") {
      cluster_->Restart(ParseId(args.at(1)));
    } else if (verb == "shutdown") {
      cluster_->Shutdown(ParseId(args.at(1)));
    } else if (verb == "drop") {
      cluster_->DropQueued();
    } else if (verb == "status") {
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
    } else if (verb == "log") {
      for (NodeId id : Selected(args)) {
        std::vector<std::string> entries;
        // Runs of NoOps in one epoch print as one range: "1..5@1:NoOp".
        const auto& log = cluster_->disk(id).log;
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
    } else if (verb == "applied") {
      for (NodeId id : Selected(args)) {
        std::vector<std::string> data;
        for (const LogEntry& e : cluster_->applied(id)) {
          if (e.kind == EntryKind::kData) data.push_back(fmt::format("{}={}", e.offset, e.payload));
        }
        out.push_back(fmt::format("{}: [{}]", cluster_->Name(id), fmt::join(data, " ")));
      }
    } else if (verb == "quorum-state") {
      out.push_back(cluster_->disk(ParseId(args.at(1))).quorum_state_json);
    } else {
      return "unknown command " + verb;
    }
    std::vector<std::string> lines = cluster_ ? cluster_->TakeLines() : std::vector<std::string>{};
    lines.insert(lines.end(), out.begin(), out.end());
    if (cluster_ && !cluster_->violations().empty()) {
      for (const std::string& v : cluster_->violations()) lines.push_back("VIOLATION " + v);
    }
    return Join(lines);
  }

 private:
  std::vector<NodeId> Selected(const std::vector<std::string>& args) {
    if (args.size() <= 1) return cluster_->ids();
    std::vector<NodeId> ids;
    for (std::size_t i = 1; i < args.size(); ++i) ids.push_back(ParseId(args[i]));
    return ids;
  }

  std::unique_ptr<RaftCluster> cluster_;
};

TEST_CASE("raft datadriven: every testdata file produces its expected trace") {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(KAFKASIM_RAFT_TESTDATA_DIR)) {
    if (entry.path().extension() == ".txt") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  REQUIRE(!files.empty());
  for (const auto& path : files) {
    Harness harness;
    const int failures = datadriven::RunFile(
        path.string(), [&](const datadriven::TestCase& test) { return harness.Run(test); },
        [&](const datadriven::TestCase& test, const std::string& actual) {
          FAIL_CHECK(fmt::format("{}:{}: {}\n--- expected\n{}\n--- actual\n{}", path.string(),
                                 test.line, test.command, test.expected, actual));
        });
    CHECK_MESSAGE(failures == 0, path.string());
  }
}

}  // namespace
}  // namespace kafkasim::raft::testing
