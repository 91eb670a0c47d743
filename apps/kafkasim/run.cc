// `kafkasim run FILE`: runs a scenario headless, prints the narrated timeline and a verdict,
// and ends with the trace hash. Exit 0 when every expectation held, 1 when one failed, 2 on
// bad input.
#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>

#include "commands.h"
#include "engine/memory_budget.h"
#include "gateway/recording.h"
#include "scenario/duration.h"
#include "scenario/nemesis.h"
#include "scenario/runner.h"
#include "scenario/trace_kinds.h"

namespace po = boost::program_options;

namespace kafkasim::cli {
namespace {

// The file that marks a directory as a kafkasim mirror (`run --data-dir`).
constexpr const char* kDataDirMarker = ".kafkasim-data-dir";

// Makes `dir` ready to hold this run's mirror: created when missing; when it exists it must be
// empty or a previous mirror (it has the marker), whose node directories are removed so no
// stale node of an earlier, larger cluster remains. Returns "" or what is wrong.
std::string PrepareDataDir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
    return "exists and is not a directory; it is left as it is";
  }
  if (fs::is_directory(dir, ec)) {
    const bool ours = fs::exists(fs::path(dir) / kDataDirMarker, ec);
    bool empty = true;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      (void)entry;
      empty = false;
      break;
    }
    if (ec) return "cannot list it: " + ec.message();
    if (!empty && !ours) {
      return "is not empty and was not written by kafkasim (no " + std::string(kDataDirMarker) +
             " file); give an empty or new directory";
    }
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.path().filename() == kDataDirMarker) continue;
      fs::remove_all(entry.path(), ec);
      if (ec) return "cannot clear " + entry.path().string() + ": " + ec.message();
    }
  }
  fs::create_directories(dir, ec);
  if (ec) return "cannot create it: " + ec.message();
  std::ofstream marker(fs::path(dir) / kDataDirMarker);
  marker << "written by kafkasim run --data-dir; its node directories are replaced by the next "
            "run\n";
  marker.flush();
  if (!marker) return "cannot write in it";
  return "";
}

}  // namespace

int RunRun(const std::vector<std::string>& args) {
  po::options_description desc(
      "Usage: kafkasim run FILE [options]\n\nRuns a scenario headless: prints a narrated timeline "
      "(time, node, what happened), a verdict and the trace hash.\nExit code: 0 every "
      "expectation held, 1 one failed, 2 bad usage or input.\n\nOptions");
  std::string file, trace_path, data_dir, until_text, nemesis_text;
  std::string seed_text, max_memory_text, replay_path;
  desc.add_options()("help,h", "show this help")("seed", po::value<std::string>(&seed_text),
                                                 "seed (default: the scenario's own)")(
      "trace", po::value<std::string>(&trace_path), "write the trace as JSON Lines to this file")(
      "data-dir", po::value<std::string>(&data_dir),
      "mirror every node's disk into DIR/<node>/ (real Kafka log files)")(
      "until", po::value<std::string>(&until_text), "stop at this virtual time (e.g. 30s)")(
      "nemesis", po::value<std::string>(&nemesis_text),
      "add random faults drawn from the seed: any of crash,kill,partition,slow,disk")(
      "verbose,v", "print every trace event, including the frequent ones")(
      "quiet,q", "print only the verdict and the trace hash")(
      "replay", po::value<std::string>(&replay_path),
      "re-execute a session recorded by 'kafkasim serve --record' (same trace hash)")(
      "max-memory", po::value<std::string>(&max_memory_text),
      "stop the run with a message if it uses more memory than this (e.g. 4G; default: three "
      "quarters of the machine's)");
  po::variables_map vm;
  if (ParseWithFile(args, desc, &file, &vm)) {
    std::cout << desc << "\n";
    return kExitOk;
  }
  if (file.empty()) {
    std::cerr << "kafkasim run: missing scenario FILE\nRun 'kafkasim run --help' for usage.\n";
    return kExitUsage;
  }
  std::optional<std::uint64_t> seed;
  if (vm.count("seed") > 0) {
    std::string error;
    seed = ParseSeedFlag(seed_text, &error);
    if (!error.empty()) {
      std::cerr << "kafkasim run: " << error << "\n";
      return kExitUsage;
    }
  }
  for (const char* flag : {"until", "trace", "data-dir", "nemesis", "max-memory", "replay"}) {
    if (vm.count(flag) > 0 && vm[flag].as<std::string>().empty()) {
      std::cerr << "kafkasim run: --" << flag << " was given an empty value\n";
      return kExitUsage;
    }
  }
  Time until = kTimeMax;
  if (!until_text.empty()) {
    Result<Duration> d = scenario::ParseDuration(until_text);
    if (!d.ok()) {
      std::cerr << "kafkasim run: --until: " << d.status().message() << "\n";
      return kExitUsage;
    }
    until = kTimeZero + *d;
  }
  scenario::NemesisOptions nemesis;
  if (vm.count("nemesis") > 0) {
    Result<scenario::NemesisOptions> parsed = scenario::ParseNemesis(nemesis_text);
    if (!parsed.ok()) {
      std::cerr << "kafkasim run: --nemesis: " << parsed.status().message() << "\n";
      return kExitUsage;
    }
    nemesis = *parsed;
  }
  std::uint64_t max_memory = MemoryBudget::DefaultBytes();
  if (vm.count("max-memory") > 0) {
    Result<std::uint64_t> parsed = ParseMemorySize(max_memory_text);
    if (!parsed.ok()) {
      std::cerr << "kafkasim run: --max-memory " << parsed.status().message() << "\n";
      return kExitUsage;
    }
    max_memory = *parsed;
  }
  Result<scenario::Scenario> loaded = scenario::LoadScenario(file);
  if (!loaded.ok()) {
    std::cerr << loaded.status().message() << "\n";
    return kExitUsage;
  }
  std::optional<gateway::Recording> replay;
  if (!replay_path.empty()) {
    std::ifstream in(replay_path, std::ios::binary);
    if (!in) {
      std::cerr << "kafkasim run: --replay: cannot read '" << replay_path << "'\n";
      return kExitUsage;
    }
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Result<gateway::Recording> parsed = gateway::ParseRecording(text, replay_path);
    if (!parsed.ok()) {
      std::cerr << "kafkasim run: --replay: " << parsed.status().message() << "\n";
      return kExitUsage;
    }
    if (seed && *seed != parsed->seed) {
      std::cerr << "kafkasim run: --seed " << *seed << " differs from the recording's seed "
                << parsed->seed << "; leave --seed out to replay\n";
      return kExitUsage;
    }
    if (!nemesis.empty() || until != kTimeMax) {
      std::cerr << "kafkasim run: --replay cannot be combined with --nemesis or --until\n";
      return kExitUsage;
    }
    seed = parsed->seed;
    gateway::MakeOpenEnded(*loaded);
    replay = std::move(*parsed);
  }
  std::ofstream trace_out;
  if (!trace_path.empty()) {
    trace_out.open(trace_path);
    if (!trace_out) {
      std::cerr << "kafkasim run: cannot write the trace to '" << trace_path << "'\n";
      return kExitUsage;
    }
  }
  if (!data_dir.empty()) {
    if (std::string problem = PrepareDataDir(data_dir); !problem.empty()) {
      std::cerr << "kafkasim run: --data-dir '" << data_dir << "': " << problem << "\n";
      return kExitUsage;
    }
  }
  scenario::RunOptions options;
  options.seed = seed.value_or(loaded->seed);
  options.world.data_dir = data_dir;
  options.keep_trace_events = false;  // hashed and streamed through the sinks only
  options.messages_recorded_max = 0;  // no diagram drawn: skip describing every message
  options.nemesis = nemesis;
  options.budget = [budget = MemoryBudget(max_memory)] { return budget.Check(); };
  const std::uint64_t run_seed = options.seed;
  const bool verbose = vm.count("verbose") > 0;
  const bool quiet = vm.count("quiet") > 0;
  if (!quiet) {
    options.sinks.push_back([verbose](const TraceEvent& e) {
      if (verbose || !scenario::IsFrequentKind(e.kind)) std::cout << FormatTraceLine(e) << "\n";
    });
  }
  if (trace_out.is_open()) {
    options.sinks.push_back(
        [&trace_out](const TraceEvent& e) { trace_out << TraceEventCanonicalLine(e) << "\n"; });
  }
  scenario::Runner runner(std::move(*loaded), std::move(options));
  if (replay) {
    gateway::Replay(runner, *replay);
    until = replay->end;
  }
  const bool ok = runner.RunToEnd(until);
  if (!runner.stopped().empty()) {
    std::cout.flush();
    std::cerr << "kafkasim run: " << runner.stopped()
              << "; give more with --max-memory (at most the machine's "
              << FormatMemorySize(PhysicalMemoryBytes())
              << ") or make the run shorter (`end`, --until) or smaller\n";
    return kExitUsage;
  }
  std::cout << "\n== Verdict: " << runner.scenario().name << " (seed " << run_seed;
  if (!nemesis.empty()) std::cout << ", nemesis " << scenario::FormatNemesis(nemesis);
  std::cout << ")\n";
  for (const view::CheckView& c : runner.checks()) {
    if (c.continuous) {
      // Guarantees are watched and reported; the expectations decide the exit code.
      std::cout << (c.ok ? "  KEPT    guarantee: " : "  BROKEN  guarantee: ") << c.name;
      if (!c.ok) std::cout << " — at " << FormatTime(c.broken_at) << ": " << c.seen;
      std::cout << "\n";
      continue;
    }
    std::cout << (c.ok ? "  PASS  " : "  FAIL  ") << c.name;
    if (!c.ok) std::cout << " — " << c.detail;
    std::cout << "\n";
  }
  for (const std::string& p : runner.MissingProbes()) {
    std::cout << "  FAIL  probe '" << p << "' was never hit\n";
  }
  std::cout << (ok ? "All expectations held." : "Some expectations failed.") << "\n";
  std::cout << "events: " << runner.world().sim().events_executed()
            << "  virtual time: " << FormatTime(runner.world().sim().Now()) << "\n";
  std::cout << "trace-hash: " << runner.world().sim().trace().HashHex() << "\n";
  if (Status mirrored = runner.world().MirrorStatus(); !mirrored.ok()) {
    std::cerr << "kafkasim run: --data-dir '" << data_dir
              << "': writing the mirror failed, so it is incomplete: " << mirrored.message()
              << "\n";
    return kExitUsage;
  }
  if (trace_out.is_open()) {
    trace_out.flush();
    if (!trace_out) {
      std::cerr << "kafkasim run: writing the trace to '" << trace_path
                << "' failed (is the disk full?); the trace file is incomplete\n";
      return kExitUsage;
    }
  }
  return ok ? kExitOk : kExitExpectationFailed;
}

}  // namespace kafkasim::cli
