// `kafkasim serve FILE`: runs a scenario in real time with a Kafka listener per simulated broker,
// so real clients (kcat, librdkafka) produce to and fetch from the simulated cluster. Stops on
// SIGINT or SIGTERM, then prints the trace hash (and closes the --record file).
#include <fmt/format.h>

#include <atomic>
#include <boost/program_options.hpp>
#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>

#include "commands.h"
#include "engine/memory_budget.h"
#include "gateway/recording.h"
#include "gateway/server.h"
#include "scenario/runner.h"
#include "scenario/trace_kinds.h"

namespace po = boost::program_options;

namespace kafkasim::cli {
namespace {

volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

}  // namespace

int RunServe(const std::vector<std::string>& args) {
  po::options_description desc(
      "Usage: kafkasim serve FILE [options]\n\nRuns a scenario in real time and lets real Kafka "
      "clients reach it: broker n listens on PORT_BASE + n - 1.\nEach request enters the "
      "simulation at its virtual arrival time. Stop with Ctrl-C (SIGINT) or SIGTERM.\n\nOptions");
  std::string file, bind = "127.0.0.1", advertised, record_path, seed_text;
  int port_base = 9092;
  double speed = 1.0;
  desc.add_options()("help,h", "show this help")("port-base", po::value<int>(&port_base),
                                                 "port of broker 1 (default 9092)")(
      "bind", po::value<std::string>(&bind), "address to listen on (default 127.0.0.1)")(
      "advertised-host", po::value<std::string>(&advertised),
      "host Metadata gives clients for every broker (default: the --bind address)")(
      "speed", po::value<double>(&speed), "virtual seconds per wall-clock second (default 1)")(
      "seed", po::value<std::string>(&seed_text), "seed (default: the scenario's own)")(
      "record", po::value<std::string>(&record_path),
      "write every request with its virtual time to this file (for run --replay)")(
      "quiet,q", "print no timeline, only the gateway's log and the trace hash");
  po::variables_map vm;
  if (ParseWithFile(args, desc, &file, &vm)) {
    std::cout << desc << "\n";
    return kExitOk;
  }
  if (file.empty()) {
    std::cerr << "kafkasim serve: missing scenario FILE\nRun 'kafkasim serve --help' for usage.\n";
    return kExitUsage;
  }
  if (!(speed > 0 && speed <= 1000)) {
    std::cerr << "kafkasim serve: --speed " << speed << ": give a number in (0, 1000]\n";
    return kExitUsage;
  }
  if (port_base < 1 || port_base > 65535) {
    std::cerr << "kafkasim serve: --port-base " << port_base << ": give a port in 1-65535\n";
    return kExitUsage;
  }
  std::optional<std::uint64_t> seed;
  if (vm.count("seed") > 0) {
    std::string error;
    seed = ParseSeedFlag(seed_text, &error);
    if (!error.empty()) {
      std::cerr << "kafkasim serve: " << error << "\n";
      return kExitUsage;
    }
  }
  Result<scenario::Scenario> loaded = scenario::LoadScenario(file);
  if (!loaded.ok()) {
    std::cerr << loaded.status().message() << "\n";
    return kExitUsage;
  }
  if (!loaded->clusters.empty()) {
    // The gateway advertises one cluster's brokers (sim/gateway serves a World).
    std::cerr << "kafkasim serve: " << file << " has several clusters (\"clusters\"); the "
              << "gateway serves a scenario of one cluster\n";
    return kExitUsage;
  }
  std::ofstream record;
  if (vm.count("record") > 0) {
    record.open(record_path);
    if (!record_path.empty() && !record) {
      std::cerr << "kafkasim serve: cannot write the recording to '" << record_path << "'\n";
      return kExitUsage;
    }
  }
  gateway::MakeOpenEnded(*loaded);
  scenario::RunOptions options;
  options.seed = seed.value_or(loaded->seed);
  options.messages_recorded_max = 0;
  options.budget = [budget = MemoryBudget(MemoryBudget::DefaultBytes())] { return budget.Check(); };
  if (vm.count("quiet") == 0) {
    options.sinks.push_back([](const TraceEvent& e) {
      if (!scenario::IsFrequentKind(e.kind)) std::cout << FormatTraceLine(e) << std::endl;
    });
  }
  if (record.is_open()) record << gateway::RecordingHeader(options.seed);
  scenario::Runner runner(std::move(*loaded), std::move(options));

  gateway::ServeOptions serve;
  serve.bind_address = bind;
  serve.advertised_host = advertised;
  serve.port_base = port_base;
  serve.speed = speed;
  serve.log = &std::cerr;
  const auto wall_start = std::chrono::steady_clock::now();
  serve.wall_ns = [wall_start] {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                                wall_start)
        .count();
  };
  serve.stop_requested = [] { return g_stop != 0; };
  if (record.is_open()) {
    serve.on_input = [&record](const gateway::ExternalInput& input) {
      record << gateway::RecordingInputLine(input);
    };
  }
  serve.on_listening = [](const std::string& ports) {
    std::cerr << "gateway: listening: " << ports << std::endl;
  };
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  const Status served = gateway::Serve(runner, serve);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (!served.ok()) {
    std::cerr << "kafkasim serve: " << served.message() << "\n";
    return kExitUsage;
  }
  // Settle the scenario's checks as `run --replay` does after the same instant, so the two
  // runs end with the same trace.
  (void)runner.RunToEnd(runner.world().sim().Now());
  const Simulation& sim = runner.world().sim();
  if (record.is_open()) {
    record << gateway::RecordingEndLine(sim.Now());
    record.flush();
    if (!record) {
      std::cerr << "kafkasim serve: writing the recording to '" << record_path << "' failed\n";
      return kExitUsage;
    }
  }
  std::cout << "events: " << sim.events_executed() << "  virtual time: " << FormatTime(sim.Now())
            << "\n";
  std::cout << "trace-hash: " << sim.trace().HashHex() << "\n";
  return kExitOk;
}

}  // namespace kafkasim::cli
