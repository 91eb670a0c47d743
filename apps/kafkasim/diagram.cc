// `kafkasim diagram FILE --from T1 --to T2`: runs a scenario to T2 and draws the messages sent
// between nodes in [T1, T2) as a sequence (space-time) diagram, in Mermaid or SVG. Exit 0 when
// the diagram was written, 2 on bad usage or input.
#include "scenario/diagram.h"

#include <boost/program_options.hpp>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <optional>

#include "commands.h"
#include "engine/memory_budget.h"
#include "scenario/duration.h"
#include "scenario/runner.h"

namespace po = boost::program_options;

namespace kafkasim::cli {
namespace {

constexpr std::size_t kRecordsMax = 2'000'000;  // a bound on memory, far above any window drawn

int Usage(const std::string& message) {
  std::cerr << "kafkasim diagram: " << message << "\nRun 'kafkasim diagram --help' for usage.\n";
  return kExitUsage;
}

// Runs until virtual time `t`, through any `pause` steps (a pause only stops interactive play).
void AdvanceTo(scenario::Runner& runner, Time t) {
  while (runner.View().now < t) {
    if (!runner.AdvanceTo(t, UINT64_MAX) && runner.View().now >= t) break;
    if (!runner.stopped().empty()) break;
  }
}

// Lanes in the scenario's order: controllers and brokers as declared, then the clients.
std::vector<std::string> Participants(const scenario::Scenario& s) {
  std::vector<std::string> names;
  for (const scenario::NodeSpec& node : s.cluster.nodes) names.push_back(node.name);
  for (const scenario::Client& client : s.clients) names.push_back(client.id);
  return names;
}

}  // namespace

int RunDiagram(const std::vector<std::string>& args) {
  po::options_description desc(
      "Usage: kafkasim diagram FILE --from T1 --to T2 [options]\n\n"
      "Runs a scenario to T2 and draws every message sent between nodes from T1 up to T2 as\n"
      "a sequence (space-time) diagram: produce, fetch, vote, heartbeat, metadata, each\n"
      "labelled and coloured by kind. Times count from the start of the run and are written\n"
      "as in scenario files: 12s, 12.5s, 300ms (a bare number is milliseconds). Writes to\n"
      "standard output unless -o is given.\n"
      "Exit code: 0 written, 2 bad usage or input.\n\nOptions");
  std::string file, from_text, to_text, format = "mermaid", out_path;
  std::string seed_text;
  std::int64_t messages_max = static_cast<std::int64_t>(scenario::DiagramOptions{}.messages_max);
  desc.add_options()("help,h", "show this help")("from", po::value<std::string>(&from_text),
                                                 "start of the window (e.g. 18s)")(
      "to", po::value<std::string>(&to_text), "end of the window (e.g. 19.5s)")(
      "format", po::value<std::string>(&format),
      "mermaid (default; paste into a Markdown ```mermaid block) or svg")(
      "seed", po::value<std::string>(&seed_text), "seed (default: the scenario's own)")(
      "output,o", po::value<std::string>(&out_path), "write the diagram to this file")(
      "max-messages", po::value<std::int64_t>(&messages_max),
      "draw at most this many messages (default 400); the rest are counted in a note")(
      "no-heartbeats", "leave broker heartbeats out");
  po::variables_map vm;
  if (ParseWithFile(args, desc, &file, &vm)) {
    std::cout << desc << "\n";
    return kExitOk;
  }
  if (file.empty()) return Usage("missing scenario FILE");
  if (from_text.empty() || to_text.empty()) return Usage("--from and --to are both required");
  if (format != "mermaid" && format != "svg") {
    return Usage("--format '" + format + "': expected mermaid or svg");
  }
  std::optional<std::uint64_t> seed;
  if (vm.count("seed") > 0) {
    std::string error;
    seed = ParseSeedFlag(seed_text, &error);
    if (!error.empty()) return Usage(error);
  }
  constexpr std::int64_t kMessagesMax = 100000;
  if (messages_max < 1 || messages_max > kMessagesMax) {
    return Usage("--max-messages: expected 1.." + std::to_string(kMessagesMax) + ", got " +
                 std::to_string(messages_max));
  }
  Result<Duration> from = scenario::ParseDuration(from_text);
  if (!from.ok()) return Usage("--from " + from.status().message());
  Result<Duration> to = scenario::ParseDuration(to_text);
  if (!to.ok()) return Usage("--to " + to.status().message());
  if (*from > *to) {
    return Usage("--from " + FormatDuration(*from) + " is after --to " + FormatDuration(*to));
  }
  Result<scenario::Scenario> loaded = scenario::LoadScenario(file);
  if (!loaded.ok()) {
    std::cerr << loaded.status().message() << "\n";
    return kExitUsage;
  }
  const Time t1 = kTimeZero + *from, t2 = kTimeZero + *to;
  if (t2 > loaded->end) {
    return Usage("--to " + FormatDuration(*to) + " is past the end of the scenario (" +
                 FormatTime(loaded->end) + ")");
  }
  std::ofstream file_out;
  if (!out_path.empty()) {
    file_out.open(out_path, std::ios::binary);
    if (!file_out) return Usage("cannot write '" + out_path + "'");
  }

  scenario::DiagramOptions options;
  options.participants = Participants(*loaded);
  options.messages_max = static_cast<std::size_t>(messages_max);
  options.include_heartbeats = vm.count("no-heartbeats") == 0;
  scenario::RunOptions run;
  // As `run`'s default --max-memory: a window late in a long run must not exhaust the machine.
  run.budget = [budget = MemoryBudget(MemoryBudget::DefaultBytes())] { return budget.Check(); };
  run.seed = seed.value_or(loaded->seed);
  run.messages_recorded_max = 0;  // this command records the window itself
  scenario::Runner runner(std::move(*loaded), std::move(run));
  AdvanceTo(runner, t1);
  // Messages sent before T1 are outside the window, so recording starts there.
  scenario::MessageRecorder recorder(runner.world().sim(), kRecordsMax);
  runner.world().sim().AddObserver(&recorder);
  AdvanceTo(runner, t2);
  runner.world().sim().RemoveObserver(&recorder);
  if (!runner.stopped().empty()) {
    std::cerr << "kafkasim diagram: " << runner.stopped() << "; draw an earlier window\n";
    return kExitUsage;
  }
  if (recorder.discarded() > 0) {
    std::cerr << "kafkasim diagram: the window holds over " << kRecordsMax
              << " messages; only the latest are drawn\n";
  }
  const std::string text =
      format == "svg" ? scenario::SequenceDiagramSvg(recorder.records(), t1, t2, options)
                      : scenario::SequenceDiagramMermaid(recorder.records(), t1, t2, options);
  std::ostream& out = out_path.empty() ? std::cout : file_out;
  out << text;
  out.flush();
  if (!out)
    return Usage("could not write the diagram" +
                 (out_path.empty() ? "" : " to '" + out_path + "'"));
  return kExitOk;
}

}  // namespace kafkasim::cli
