// `kafkasim swarm FILE --seeds A..B`: runs a scenario once per seed in worker processes, with a
// random fault schedule per seed when --nemesis is given, and summarises what broke, with the
// one command that reproduces each failing seed. `kafkasim swarm-merge` joins the JSON
// summaries of shards run elsewhere (a Slurm array, a Kubernetes Indexed Job, GNU parallel).
//
// Workers are forked processes fed seeds over pipes, one at a time: an invariant abort
// (KSIM_ASSERT) takes down its worker, not the swarm; the seed is reported with the message
// and a new worker takes its place.
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "commands.h"
#include "engine/memory_budget.h"
#include "scenario/nemesis.h"
#include "scenario/runner.h"
#include "scenario/trace_kinds.h"

namespace po = boost::program_options;
using nlohmann::json;

namespace kafkasim::cli {
namespace {

constexpr std::string_view kAckedKept = "acks=all writes, once acknowledged, are kept";
constexpr std::string_view kReplicasAgree =
    "replicas agree on every offset below the high watermark";

// ---------------------------------------------------------------------------------------------
// One seed's outcome.

struct BrokenGuarantee {
  std::string name;
  std::string at;  // "34.210s"
  std::string detail;
  // Why a break of the acks=all guarantee is Kafka's documented behaviour, or "": a broker
  // lost power first (Kafka does not fsync acknowledged writes, so replicas that all lose
  // power may lose them; KIP-966), or an unclean leader election came first (it trades the
  // acknowledged writes for availability, as unclean.leader.election.enable says). In
  // ZooKeeper mode, also a divergence of replicas below the high watermark after a power loss
  // (the broker that lost its tail can lead its old epoch again).
  std::string documented;
};

struct SeedResult {
  std::uint64_t seed = 0;
  std::vector<std::string> expectations_failed;  // "ISR of cities-0 is all its replicas — ..."
  std::vector<BrokenGuarantee> guarantees_broken;
  std::vector<std::string> probes_missing;
  std::vector<std::string> step_failures;
  std::string abort;  // the invariant that aborted the run, or ""
  // Acknowledged records (any acks) the leaders' logs no longer hold at the end of the run,
  // and the first of them. acks=1 and unclean elections make no promise, so this is a
  // finding, not a failure; acks=all losses are the first guarantee's business.
  std::int64_t lost_acknowledged = 0;
  std::string first_lost;
  std::string trace_hash;
  std::uint64_t events = 0;
  std::string trace_file;  // written for failing seeds
};

json ToJson(const SeedResult& r) {
  json guarantees = json::array();
  for (const BrokenGuarantee& g : r.guarantees_broken) {
    guarantees.push_back(
        {{"name", g.name}, {"at", g.at}, {"detail", g.detail}, {"documented", g.documented}});
  }
  return {{"seed", r.seed},
          {"expectations_failed", r.expectations_failed},
          {"guarantees_broken", guarantees},
          {"probes_missing", r.probes_missing},
          {"step_failures", r.step_failures},
          {"abort", r.abort},
          {"lost_acknowledged", r.lost_acknowledged},
          {"first_lost", r.first_lost},
          {"trace_hash", r.trace_hash},
          {"events", r.events},
          {"trace_file", r.trace_file}};
}

SeedResult FromJson(const json& j) {
  SeedResult r;
  r.seed = j.at("seed").get<std::uint64_t>();
  r.expectations_failed = j.at("expectations_failed").get<std::vector<std::string>>();
  for (const json& g : j.at("guarantees_broken")) {
    r.guarantees_broken.push_back({g.at("name").get<std::string>(), g.at("at").get<std::string>(),
                                   g.at("detail").get<std::string>(),
                                   g.at("documented").get<std::string>()});
  }
  r.probes_missing = j.at("probes_missing").get<std::vector<std::string>>();
  r.step_failures = j.at("step_failures").get<std::vector<std::string>>();
  r.abort = j.at("abort").get<std::string>();
  r.lost_acknowledged = j.at("lost_acknowledged").get<std::int64_t>();
  r.first_lost = j.at("first_lost").get<std::string>();
  r.trace_hash = j.at("trace_hash").get<std::string>();
  r.events = j.at("events").get<std::uint64_t>();
  r.trace_file = j.at("trace_file").get<std::string>();
  return r;
}

// What a swarm is about; the same in every shard's JSON, so swarm-merge can check it.
struct SwarmSetup {
  std::string file;
  std::string scenario_name;
  std::string nemesis;  // canonical, "" for none
  std::uint64_t first = 0, last = 0;
  int shard = 1, shards = 1;
};

bool UndocumentedBreak(const SeedResult& r) {
  return std::any_of(r.guarantees_broken.begin(), r.guarantees_broken.end(),
                     [](const BrokenGuarantee& g) { return g.documented.empty(); });
}

// Under a nemesis the scenario's own expectations may fail (the faults change the story); a
// seed then fails only on a broken guarantee or an invariant abort.
bool Failed(const SeedResult& r, bool nemesis) {
  if (!r.abort.empty() || UndocumentedBreak(r)) return true;
  if (nemesis) return false;
  return !r.expectations_failed.empty() || !r.probes_missing.empty() || !r.step_failures.empty();
}

std::string ReproduceCommand(const SwarmSetup& s, std::uint64_t seed) {
  std::string cmd = fmt::format("kafkasim run {} --seed {}", s.file, seed);
  if (!s.nemesis.empty()) cmd += " --nemesis " + s.nemesis;
  return cmd;
}

// ---------------------------------------------------------------------------------------------
// Running one seed (in a worker).

SeedResult RunSeed(const scenario::Scenario& scenario, std::uint64_t seed, std::uint64_t max_memory,
                   const scenario::NemesisOptions& nemesis, const std::string& trace_path) {
  std::set<std::string> brokers;
  for (const scenario::NodeSpec& n : scenario.cluster.nodes) {
    if (n.role == scenario::NodeRole::kBroker || n.role == scenario::NodeRole::kCombined) {
      brokers.insert(n.name);
    }
  }
  std::optional<Time> first_power_loss;
  const bool zookeeper_mode = scenario::ControlPlaneOf(scenario) == kafka::ControlPlane::kZooKeeper;
  // Whether an unclean election had happened when each guarantee broke.
  scenario::Runner* runner_ptr = nullptr;
  std::set<std::string> broken_after_unclean;
  scenario::RunOptions options;
  options.seed = seed;
  options.nemesis = nemesis;
  options.keep_trace_events = false;  // hashed and streamed through the sinks only
  options.messages_recorded_max = 0;
  options.budget = [budget = MemoryBudget(max_memory)] { return budget.Check(); };
  options.sinks.push_back([&](const TraceEvent& e) {
    if (e.kind == scenario::trace_kind::kGuaranteeBroken && runner_ptr != nullptr &&
        runner_ptr->world().sim().probes().count("leader.election.unclean") > 0) {
      broken_after_unclean.insert(e.text);
    }
    if (first_power_loss || e.kind != scenario::trace_kind::kNodeCrash) return;
    const std::string node = e.text.substr(0, e.text.find(' '));
    if (brokers.count(node) > 0) first_power_loss = e.time;
  });
  std::ofstream trace_out;
  if (!trace_path.empty()) {
    trace_out.open(trace_path);
    options.sinks.push_back(
        [&trace_out](const TraceEvent& e) { trace_out << TraceEventCanonicalLine(e) << "\n"; });
  }
  scenario::Runner runner(scenario, std::move(options));
  runner_ptr = &runner;
  runner.RunToEnd(kTimeMax);
  SeedResult r;
  r.seed = seed;
  for (const view::CheckView& c : runner.checks()) {
    if (c.continuous) {
      if (c.ok) continue;
      std::string documented;
      if (c.name == kAckedKept) {
        const bool unclean = std::any_of(
            broken_after_unclean.begin(), broken_after_unclean.end(),
            [&](const std::string& text) { return text.find(c.name) != std::string::npos; });
        if (unclean) {
          documented = "an unclean leader election came first";
        } else if (first_power_loss && *first_power_loss <= c.broken_at) {
          documented = "a broker lost power first; acks=all does not fsync, KIP-966";
        }
      } else if (c.name == kReplicasAgree && zookeeper_mode && first_power_loss &&
                 *first_power_loss <= c.broken_at) {
        // A broker that lost its unsynced tail can lead its old epoch again in ZooKeeper mode
        // (a new controller finds it live and keeps it leader) and write other records at
        // offsets its followers hold in that same epoch: truncation by epoch cannot see it.
        documented = "a broker lost power first and led its old epoch again (ZooKeeper mode)";
      }
      r.guarantees_broken.push_back({c.name, FormatTime(c.broken_at), c.seen, documented});
    } else if (!c.ok) {
      r.expectations_failed.push_back(c.name + " — " + c.detail);
    }
  }
  r.probes_missing = runner.MissingProbes();
  r.lost_acknowledged = runner.world().CountLostAcknowledged("", false, &r.first_lost);
  r.step_failures = runner.step_failures();
  if (!runner.stopped().empty()) r.step_failures.push_back("the run " + runner.stopped());
  r.trace_hash = runner.world().sim().trace().HashHex();
  r.events = runner.world().sim().events_executed();
  if (!trace_path.empty()) {
    trace_out.flush();
    if (trace_out) {
      r.trace_file = trace_path;
    } else {
      r.step_failures.push_back("writing the trace to '" + trace_path +
                                "' failed (is the disk full?)");
    }
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Workers: a forked process reads seeds (one decimal a line) and writes one JSON line each.

struct Worker {
  pid_t pid = -1;
  int to_child = -1;
  int from_child = -1;
  std::string err_path;               // the child's stderr, for the message of an abort
  std::string buffer;                 // partial line read from the child
  std::optional<std::uint64_t> busy;  // the seed in flight
};

struct WorkerContext {
  const scenario::Scenario* scenario;
  const scenario::NemesisOptions* nemesis;
  const SwarmSetup* setup;
  std::string trace_dir;  // failing seeds' traces go here
  bool nemesis_given;
  std::uint64_t max_memory;  // each worker's --max-memory
};

[[noreturn]] void WorkerMain(const WorkerContext& ctx, int in, int out) {
  FILE* input = fdopen(in, "r");
  char line[64];
  while (input != nullptr && std::fgets(line, sizeof line, input) != nullptr) {
    const std::uint64_t seed = std::strtoull(line, nullptr, 10);
    SeedResult r = RunSeed(*ctx.scenario, seed, ctx.max_memory, *ctx.nemesis, "");
    if (Failed(r, ctx.nemesis_given) || !r.guarantees_broken.empty() || r.lost_acknowledged > 0) {
      // Run it again with the trace written: the same seed must give the same trace hash.
      std::error_code ec;
      std::filesystem::create_directories(ctx.trace_dir, ec);
      const std::string path =
          fmt::format("{}/{}-seed-{}.jsonl", ctx.trace_dir,
                      std::filesystem::path(ctx.setup->file).stem().string(), seed);
      const SeedResult again = RunSeed(*ctx.scenario, seed, ctx.max_memory, *ctx.nemesis, path);
      r.trace_file = path;
      if (again.trace_hash != r.trace_hash) {
        r.abort = fmt::format("nondeterministic: trace hash {} then {} for the same seed",
                              r.trace_hash, again.trace_hash);
      }
    }
    const std::string text = ToJson(r).dump() + "\n";
    std::size_t written = 0;
    while (written < text.size()) {
      const ssize_t n = write(out, text.data() + written, text.size() - written);
      if (n <= 0) _exit(3);
      written += static_cast<std::size_t>(n);
    }
  }
  _exit(0);
}

bool StartWorker(const WorkerContext& ctx, const std::string& err_path, Worker* w) {
  int down[2], up[2];
  if (pipe(down) != 0) return false;
  if (pipe(up) != 0) {
    close(down[0]);
    close(down[1]);
    return false;
  }
  std::cout.flush();
  std::cerr.flush();
  const pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    close(down[1]);
    close(up[0]);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (err >= 0) dup2(err, 2);
    WorkerMain(ctx, down[0], up[1]);
  }
  close(down[0]);
  close(up[1]);
  w->pid = pid;
  w->to_child = down[1];
  w->from_child = up[0];
  w->err_path = err_path;
  w->buffer.clear();
  w->busy.reset();
  return true;
}

std::string LastLines(const std::string& path, std::size_t count) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  std::string out;
  for (std::size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i) {
    out += (out.empty() ? "" : " | ") + lines[i];
  }
  return out.empty() ? "the worker died without a message" : out;
}

std::string FormatEta(double seconds) {
  const auto s = static_cast<std::int64_t>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, s / 60 % 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

class Progress {
 public:
  Progress(std::size_t total, bool enabled)
      : total_(total),
        enabled_(enabled),
        tty_(isatty(2) != 0),
        start_(std::chrono::steady_clock::now()) {}

  void Update(std::size_t done, std::size_t failing) {
    if (!enabled_) return;
    const double elapsed = Elapsed();
    const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
    const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0;
    constexpr std::size_t kWidth = 30;
    const std::size_t filled = total_ == 0 ? kWidth : kWidth * done / total_;
    const std::string line = fmt::format(
        "[{}{}] {}/{} seeds  {} failing  {:.2f} seeds/s  ETA {}", std::string(filled, '#'),
        std::string(kWidth - filled, '.'), done, total_, failing, rate, FormatEta(eta));
    if (tty_) {
      std::cerr << "\r" << line << (done == total_ ? "\n" : "") << std::flush;
    } else if (done == total_ || done * 10 / std::max<std::size_t>(total_, 1) != last_tenth_) {
      last_tenth_ = done * 10 / std::max<std::size_t>(total_, 1);
      std::cerr << line << "\n";
    }
  }
  double Elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::size_t total_;
  bool enabled_;
  bool tty_;
  std::chrono::steady_clock::time_point start_;
  std::size_t last_tenth_ = 0;
};

// Runs `seeds` over `jobs` workers; results in seed order.
std::vector<SeedResult> RunWorkers(const WorkerContext& ctx,
                                   const std::vector<std::uint64_t>& seeds, int jobs,
                                   Progress* progress) {
  char tmpl[] = "/tmp/kafkasim-swarm-XXXXXX";
  const char* tmp = mkdtemp(tmpl);
  const std::string tmp_dir = tmp != nullptr ? tmp : "/tmp";
  std::vector<Worker> workers(static_cast<std::size_t>(std::min<std::size_t>(
      static_cast<std::size_t>(jobs), std::max<std::size_t>(seeds.size(), 1))));
  std::vector<SeedResult> results;
  std::size_t next = 0, failing = 0;
  auto feed = [&](Worker& w) {
    if (next >= seeds.size()) {
      if (w.to_child >= 0) close(w.to_child);
      w.to_child = -1;
      return;
    }
    const std::string line = fmt::format("{}\n", seeds[next]);
    w.busy = seeds[next++];
    if (write(w.to_child, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
      close(w.to_child);  // the worker is gone; its EOF is handled below
      w.to_child = -1;
    }
  };
  auto record = [&](SeedResult r) {
    if (Failed(r, ctx.nemesis_given)) ++failing;
    results.push_back(std::move(r));
    progress->Update(results.size(), failing);
  };
  for (std::size_t i = 0; i < workers.size(); ++i) {
    if (!StartWorker(ctx, fmt::format("{}/worker-{}.err", tmp_dir, i), &workers[i])) {
      std::cerr << "kafkasim swarm: cannot start a worker process\n";
      std::exit(kExitUsage);
    }
    feed(workers[i]);
  }
  progress->Update(0, 0);
  while (results.size() < seeds.size()) {
    std::vector<pollfd> fds;
    for (const Worker& w : workers) fds.push_back({w.from_child, POLLIN, 0});
    if (poll(fds.data(), fds.size(), -1) < 0) continue;
    for (std::size_t i = 0; i < workers.size(); ++i) {
      if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      Worker& w = workers[i];
      char buf[65536];
      const ssize_t n = read(w.from_child, buf, sizeof buf);
      if (n > 0) {
        w.buffer.append(buf, static_cast<std::size_t>(n));
        for (std::size_t eol; (eol = w.buffer.find('\n')) != std::string::npos;) {
          record(FromJson(json::parse(w.buffer.substr(0, eol))));
          w.buffer.erase(0, eol + 1);
          w.busy.reset();
          feed(w);
        }
        continue;
      }
      // The worker died (an invariant abort) or finished: reap it; report its seed in flight.
      close(w.from_child);
      if (w.to_child >= 0) close(w.to_child);
      int status = 0;
      waitpid(w.pid, &status, 0);
      if (w.busy) {
        SeedResult r;
        r.seed = *w.busy;
        r.abort = LastLines(w.err_path, 3);
        if (WIFSIGNALED(status)) r.abort += fmt::format(" (signal {})", WTERMSIG(status));
        record(std::move(r));
      }
      if (next < seeds.size()) {
        StartWorker(ctx, w.err_path, &w);
        feed(w);
      } else {
        w.from_child = -1;  // poll ignores negative fds
      }
    }
  }
  for (Worker& w : workers) {
    if (w.to_child >= 0) close(w.to_child);
    if (w.from_child >= 0) {
      close(w.from_child);
      waitpid(w.pid, nullptr, 0);
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(tmp_dir, ec);
  std::sort(results.begin(), results.end(),
            [](const SeedResult& a, const SeedResult& b) { return a.seed < b.seed; });
  return results;
}

// ---------------------------------------------------------------------------------------------
// The summary, printed by swarm and swarm-merge alike.

int PrintSummary(const SwarmSetup& s, const std::vector<SeedResult>& results, double seconds,
                 int jobs) {
  const bool nemesis = !s.nemesis.empty();
  std::size_t failed = 0, expectations = 0, broken = 0, documented_only = 0, aborts = 0;
  std::size_t lost_seeds = 0;
  std::int64_t lost_records = 0;
  std::map<std::string, std::size_t> probes;
  for (const SeedResult& r : results) {
    failed += Failed(r, nemesis) ? 1U : 0U;
    expectations += r.expectations_failed.empty() && r.step_failures.empty() ? 0U : 1U;
    if (!r.guarantees_broken.empty()) {
      ++broken;
      documented_only += UndocumentedBreak(r) ? 0U : 1U;
    }
    aborts += r.abort.empty() ? 0U : 1U;
    lost_seeds += r.lost_acknowledged > 0 ? 1U : 0U;
    lost_records += r.lost_acknowledged;
    for (const std::string& p : r.probes_missing) ++probes[p];
  }
  std::cout << "\n== Swarm: " << s.scenario_name << " (" << s.file << ")\n";
  std::cout << fmt::format("seeds {}..{}", s.first, s.last);
  if (s.shards > 1) std::cout << fmt::format(", shard {}/{}", s.shard, s.shards);
  std::cout << ", nemesis " << (nemesis ? s.nemesis : "none");
  if (jobs > 0) std::cout << fmt::format(", {} job{}", jobs, jobs == 1 ? "" : "s");
  std::cout << "\n";
  std::cout << fmt::format("seeds run: {}  held: {}  failed: {}\n", results.size(),
                           results.size() - failed, failed);
  std::cout << fmt::format(
      "  expectations failed: {} seed{}{}\n", expectations, expectations == 1 ? "" : "s",
      nemesis && expectations > 0 ? " (under the nemesis they are reported, not failures)" : "");
  std::cout << fmt::format("  guarantees broken:   {} seed{}", broken, broken == 1 ? "" : "s");
  if (documented_only > 0) {
    std::cout << fmt::format(" ({} only by a documented loss: power loss or unclean election)",
                             documented_only);
  }
  std::cout << "\n";
  std::cout << fmt::format("  invariant aborts:    {} seed{}\n", aborts, aborts == 1 ? "" : "s");
  std::cout << fmt::format("  acknowledged writes lost at the end: {} seed{} ({} record{})\n",
                           lost_seeds, lost_seeds == 1 ? "" : "s", lost_records,
                           lost_records == 1 ? "" : "s");
  std::cout << "  probes never hit:    ";
  if (probes.empty()) std::cout << "none";
  bool first = true;
  for (const auto& [probe, count] : probes) {
    std::cout << (first ? "" : ", ")
              << fmt::format("{} ({} seed{})", probe, count, count == 1 ? "" : "s");
    first = false;
  }
  std::cout << "\n";
  if (seconds > 0) {
    const double per_minute = static_cast<double>(results.size()) * 60.0 / seconds;
    std::cout << fmt::format("time: {:.1f} s, {:.1f} seeds/minute\n", seconds, per_minute);
  }
  auto describe = [&](const SeedResult& r) {
    if (!r.abort.empty()) std::cout << "    ABORT   " << r.abort << "\n";
    for (const BrokenGuarantee& g : r.guarantees_broken) {
      std::cout << "    BROKEN  " << g.name << " — at " << g.at << ": " << g.detail
                << (g.documented.empty() ? "" : " [documented: " + g.documented + "]") << "\n";
    }
    if (!nemesis) {
      for (const std::string& e : r.expectations_failed) std::cout << "    FAIL    " << e << "\n";
      for (const std::string& e : r.step_failures) std::cout << "    FAIL    " << e << "\n";
      for (const std::string& p : r.probes_missing) {
        std::cout << "    FAIL    probe '" << p << "' was never hit\n";
      }
    }
    std::cout << "    reproduce: " << ReproduceCommand(s, r.seed) << "\n";
    if (!r.trace_file.empty()) std::cout << "    trace: " << r.trace_file << "\n";
  };
  if (failed > 0) {
    std::cout << "\nFailing seeds:\n";
    for (const SeedResult& r : results) {
      if (!Failed(r, nemesis)) continue;
      std::cout << "  seed " << r.seed << ":\n";
      describe(r);
    }
  }
  if (documented_only > 0) {
    std::cout << "\nDocumented losses (acknowledged acks=all writes lost after a broker lost "
                 "power, as Kafka acknowledges before fsync, or after an unclean leader "
                 "election; Kafka's behaviour too):\n";
    for (const SeedResult& r : results) {
      if (r.guarantees_broken.empty() || UndocumentedBreak(r)) continue;
      std::cout << "  seed " << r.seed << ":\n";
      describe(r);
    }
  }
  if (lost_seeds > 0) {
    std::cout << "\nAcknowledged writes lost (acks=1 and unclean elections make no promise; "
                 "acks=all losses are listed above):\n";
    std::size_t listed = 0;
    for (const SeedResult& r : results) {
      if (r.lost_acknowledged == 0) continue;
      if (++listed > 20) {
        std::cout << fmt::format("  ... and {} more seeds (see --json)\n", lost_seeds - 20);
        break;
      }
      std::cout << fmt::format("  seed {}: {} record{} lost, e.g. {}\n", r.seed,
                               r.lost_acknowledged, r.lost_acknowledged == 1 ? "" : "s",
                               r.first_lost);
      std::cout << "    reproduce: " << ReproduceCommand(s, r.seed) << "\n";
      if (!r.trace_file.empty()) std::cout << "    trace: " << r.trace_file << "\n";
    }
  }
  std::cout << (failed == 0 ? "Every seed held.\n" : "Some seeds failed.\n");
  return failed == 0 ? kExitOk : kExitExpectationFailed;
}

json SummaryJson(const SwarmSetup& s, const std::vector<SeedResult>& results, double seconds) {
  json seeds = json::array();
  for (const SeedResult& r : results) seeds.push_back(ToJson(r));
  return {{"kafkasim_swarm", 1},  {"file", s.file},        {"scenario", s.scenario_name},
          {"nemesis", s.nemesis}, {"first_seed", s.first}, {"last_seed", s.last},
          {"shard", s.shard},     {"shards", s.shards},    {"seconds", seconds},
          {"results", seeds}};
}

bool WriteJson(const std::string& path, const json& j, const char* command) {
  std::ofstream out(path);
  if (!out) {
    std::cerr << "kafkasim " << command << ": cannot write '" << path << "'\n";
    return false;
  }
  out << j.dump(2) << "\n";
  out.flush();
  if (!out) {
    std::cerr << "kafkasim " << command << ": writing '" << path
              << "' failed (is the disk full?); the file is incomplete\n";
    return false;
  }
  return true;
}

// "A..B" or "N".
bool ParseSeedRange(const std::string& text, std::uint64_t* first, std::uint64_t* last) {
  auto number = [](std::string_view s, std::uint64_t* out) {
    if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos) {
      return false;
    }
    *out = std::strtoull(std::string(s).c_str(), nullptr, 10);
    return true;
  };
  const std::size_t dots = text.find("..");
  if (dots == std::string::npos) {
    return number(text, first) && ((*last = *first), true);
  }
  return number(std::string_view(text).substr(0, dots), first) &&
         number(std::string_view(text).substr(dots + 2), last) && *first <= *last;
}

}  // namespace

int RunSwarm(const std::vector<std::string>& args) {
  po::options_description desc(
      "Usage: kafkasim swarm FILE --seeds A..B [options]\n\nRuns the scenario once per seed in "
      "worker processes and summarises what broke, with the command that reproduces each "
      "failing seed.\nWithout --nemesis a seed fails when an expectation, a probe, a step or a "
      "guarantee fails; with it, only on a broken guarantee (other than a documented loss after "
      "power loss) or an invariant abort.\nExit code: 0 every seed held, 1 some failed, 2 bad "
      "usage or input.\n\nOptions");
  std::string file, seeds_text, nemesis_text, shard_text, json_path, trace_dir = "swarm-traces";
  std::string max_memory_text;
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  desc.add_options()("help,h", "show this help")("seeds", po::value<std::string>(&seeds_text),
                                                 "the seeds to run: A..B (inclusive) or N")(
      "jobs,j", po::value<int>(&jobs), "worker processes (default: the number of cores)")(
      "nemesis", po::value<std::string>(&nemesis_text),
      "random faults per seed: any of crash,kill,partition,slow,disk")(
      "shard", po::value<std::string>(&shard_text),
      "I/N: run only every N-th seed of the range, starting with the I-th (1-based)")(
      "json", po::value<std::string>(&json_path),
      "write the summary as JSON to this file (for swarm-merge)")(
      "trace-dir", po::value<std::string>(&trace_dir),
      "where failing seeds' traces go (default: swarm-traces)")(
      "max-memory", po::value<std::string>(&max_memory_text),
      "memory each worker may use before its seed stops with a message (e.g. 2G; default: "
      "three quarters of the machine's, shared by the jobs)")("no-progress",
                                                              "do not draw the progress bar");
  po::variables_map vm;
  if (ParseWithFile(args, desc, &file, &vm)) {
    std::cout << desc << "\n";
    return kExitOk;
  }
  auto usage = [](const std::string& message) {
    std::cerr << "kafkasim swarm: " << message << "\nRun 'kafkasim swarm --help' for usage.\n";
    return kExitUsage;
  };
  if (file.empty()) return usage("missing scenario FILE");
  SwarmSetup setup;
  setup.file = file;
  if (seeds_text.empty()) return usage("missing --seeds A..B");
  if (!ParseSeedRange(seeds_text, &setup.first, &setup.last)) {
    return usage("--seeds: expected A..B with A <= B, or one seed N; got '" + seeds_text + "'");
  }
  if (jobs < 1 || jobs > 1024) return usage(fmt::format("--jobs: expected 1..1024, got {}", jobs));
  if (!shard_text.empty()) {
    const std::size_t slash = shard_text.find('/');
    char* end = nullptr;
    const long i = std::strtol(shard_text.c_str(), &end, 10);
    const long n =
        slash == std::string::npos ? 0 : std::strtol(shard_text.c_str() + slash + 1, nullptr, 10);
    if (slash == std::string::npos || end != shard_text.c_str() + slash || n < 1 || i < 1 ||
        i > n || n > 100000 ||
        shard_text.find_first_not_of("0123456789", slash + 1) != std::string::npos) {
      return usage("--shard: expected I/N with 1 <= I <= N, got '" + shard_text + "'");
    }
    setup.shard = static_cast<int>(i);
    setup.shards = static_cast<int>(n);
  }
  scenario::NemesisOptions nemesis;
  if (vm.count("nemesis") > 0) {
    Result<scenario::NemesisOptions> parsed = scenario::ParseNemesis(nemesis_text);
    if (!parsed.ok()) return usage("--nemesis: " + parsed.status().message());
    nemesis = *parsed;
    setup.nemesis = scenario::FormatNemesis(nemesis);
  }
  std::uint64_t max_memory = MemoryBudget::DefaultBytes(jobs);
  if (vm.count("max-memory") > 0) {
    Result<std::uint64_t> parsed = ParseMemorySize(max_memory_text);
    if (!parsed.ok()) return usage("--max-memory " + parsed.status().message());
    max_memory = *parsed;
  }
  Result<scenario::Scenario> loaded = scenario::LoadScenario(file);
  if (!loaded.ok()) {
    std::cerr << loaded.status().message() << "\n";
    return kExitUsage;
  }
  setup.scenario_name = loaded->name;
  std::vector<std::uint64_t> seeds;
  for (std::uint64_t s = setup.first;; ++s) {
    if ((s - setup.first) % static_cast<std::uint64_t>(setup.shards) ==
        static_cast<std::uint64_t>(setup.shard - 1)) {
      seeds.push_back(s);
    }
    if (s == setup.last) break;
  }
  const WorkerContext ctx{&*loaded, &nemesis, &setup, trace_dir, !nemesis.empty(), max_memory};
  Progress progress(seeds.size(), vm.count("no-progress") == 0);
  const std::vector<SeedResult> results = RunWorkers(ctx, seeds, jobs, &progress);
  const double seconds = progress.Elapsed();
  if (!json_path.empty() && !WriteJson(json_path, SummaryJson(setup, results, seconds), "swarm")) {
    return kExitUsage;
  }
  return PrintSummary(setup, results, seconds, jobs);
}

int RunSwarmMerge(const std::vector<std::string>& args) {
  po::options_description desc(
      "Usage: kafkasim swarm-merge FILES... [options]\n\nJoins the JSON summaries of swarm "
      "shards (kafkasim swarm --shard I/N --json FILE) into one summary.\nExit code: 0 every "
      "seed held, 1 some failed, 2 bad usage or input.\n\nOptions");
  std::string json_path;
  desc.add_options()("help,h", "show this help")("json", po::value<std::string>(&json_path),
                                                 "write the merged summary as JSON to this file")(
      "partial", "merge even when some shards' summaries are missing");
  std::vector<std::string> files;
  po::variables_map vm;
  if (ParseWithFiles(args, desc, &files, &vm)) {
    std::cout << desc << "\n";
    return kExitOk;
  }
  if (files.empty()) {
    std::cerr << "kafkasim swarm-merge: missing FILES\nRun 'kafkasim swarm-merge --help' for "
                 "usage.\n";
    return kExitUsage;
  }
  SwarmSetup setup;
  std::map<std::uint64_t, SeedResult> by_seed;
  double seconds = 0;
  std::set<int> shards_seen;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::string& path = files[i];
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {  // a directory would throw on read
      std::cerr << "kafkasim swarm-merge: cannot read '" << path << "': not a file\n";
      return kExitUsage;
    }
    std::ifstream in(path);
    if (!in) {
      std::cerr << "kafkasim swarm-merge: cannot read '" << path << "'\n";
      return kExitUsage;
    }
    try {
      const json j = json::parse(in);
      if (!j.contains("kafkasim_swarm")) {
        std::cerr << "kafkasim swarm-merge: " << path
                  << ": not a summary written by kafkasim swarm --json\n";
        return kExitUsage;
      }
      SwarmSetup s;
      s.file = j.at("file").get<std::string>();
      s.scenario_name = j.at("scenario").get<std::string>();
      s.nemesis = j.at("nemesis").get<std::string>();
      s.first = j.at("first_seed").get<std::uint64_t>();
      s.last = j.at("last_seed").get<std::uint64_t>();
      s.shard = j.at("shard").get<int>();
      s.shards = j.at("shards").get<int>();
      if (i == 0) {
        setup = s;
      } else if (s.file != setup.file || s.nemesis != setup.nemesis || s.first != setup.first ||
                 s.last != setup.last || s.shards != setup.shards) {
        std::cerr << fmt::format(
            "kafkasim swarm-merge: {}: a different swarm ({} seeds {}..{} nemesis '{}' in {} "
            "shards) than {} ({} seeds {}..{} nemesis '{}' in {} shards)\n",
            path, s.file, s.first, s.last, s.nemesis, s.shards, files[0], setup.file, setup.first,
            setup.last, setup.nemesis, setup.shards);
        return kExitUsage;
      }
      shards_seen.insert(s.shard);
      seconds += j.at("seconds").get<double>();
      for (const json& r : j.at("results")) {
        SeedResult result = FromJson(r);
        by_seed[result.seed] = std::move(result);
      }
    } catch (const json::exception& e) {
      std::cerr << "kafkasim swarm-merge: " << path << ": " << e.what() << "\n";
      return kExitUsage;
    }
  }
  if (static_cast<int>(shards_seen.size()) != setup.shards) {
    std::string missing;
    for (int i = 1; i <= setup.shards; ++i) {
      if (shards_seen.count(i) == 0) missing += (missing.empty() ? "" : ", ") + std::to_string(i);
    }
    std::cerr << "kafkasim swarm-merge: shards missing: " << missing << " (of " << setup.shards
              << ")";
    if (vm.count("partial") == 0) {
      std::cerr << "; give every shard's summary, or --partial to merge what is here\n";
      return kExitUsage;
    }
    std::cerr << "; merging what is here (--partial)\n";
  }

  std::vector<SeedResult> results;
  for (auto& [seed, r] : by_seed) results.push_back(std::move(r));
  setup.shard = 1;
  setup.shards = 1;
  if (!json_path.empty() &&
      !WriteJson(json_path, SummaryJson(setup, results, seconds), "swarm-merge")) {
    return kExitUsage;
  }
  // No rate: the shards' seconds add up compute, not the wall time.
  return PrintSummary(setup, results, 0, 0);
}

}  // namespace kafkasim::cli
