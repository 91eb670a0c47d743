// Subcommand table and the small commands that need no simulation.
#include "commands.h"

#include <boost/program_options.hpp>
#include <charconv>
#include <iostream>

namespace po = boost::program_options;

namespace kafkasim::cli {

int RunVersion(const std::vector<std::string>& args) {
  po::options_description desc("Usage: kafkasim version\n\nPrints the kafkasim version");
  desc.add_options()("help,h", "show this help");
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(desc).run(), vm);
  for (const std::string& a : args) {
    if (!a.starts_with("-")) {
      std::cerr << "kafkasim version: takes no arguments, got '" << a << "'\n";
      return kExitUsage;
    }
  }
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return kExitOk;
  }
  std::cout << "kafkasim " << KAFKASIM_VERSION << "\n";
  return kExitOk;
}

const std::vector<Command>& Commands() {
  static const std::vector<Command> commands = {
      {"run", "run a scenario headless: narrated timeline, verdict, trace hash", RunRun},
      {"diagram", "draw the messages of a time window as a sequence diagram (Mermaid, SVG)",
       RunDiagram},
      {"swarm", "run a scenario over many seeds, with random faults, in worker processes",
       RunSwarm},
      {"swarm-merge", "join the JSON summaries of swarm shards", RunSwarmMerge},
      {"validate", "check scenario files without running them", RunValidate},
      {"version", "print the kafkasim version", RunVersion},
      {"dump-log", "print Kafka log, index and checkpoint files", RunDumpLog},
      {"serve", "let real Kafka clients (kcat) reach the simulated brokers, in real time",
       RunServe},
  };
  return commands;
}

bool ParseWithFile(const std::vector<std::string>& args,
                   const boost::program_options::options_description& desc, std::string* file,
                   boost::program_options::variables_map* vm) {
  namespace po = boost::program_options;
  po::options_description hidden;
  hidden.add_options()("file", po::value<std::string>(file));
  po::options_description all;
  all.add(desc).add(hidden);
  po::positional_options_description pos;
  pos.add("file", 1);
  po::store(po::command_line_parser(args).options(all).positional(pos).run(), *vm);
  po::notify(*vm);
  return vm->count("help") > 0;
}

std::uint64_t ParseSeedFlag(const std::string& text, std::string* error) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) {
    *error =
        "--seed: expected a non-negative integer up to 18446744073709551615, got '" + text + "'";
    return 0;
  }
  error->clear();
  return value;
}

bool ParseWithFiles(const std::vector<std::string>& args,
                    const boost::program_options::options_description& desc,
                    std::vector<std::string>* files, boost::program_options::variables_map* vm) {
  namespace po = boost::program_options;
  po::options_description hidden;
  hidden.add_options()("files", po::value<std::vector<std::string>>(files));
  po::options_description all;
  all.add(desc).add(hidden);
  po::positional_options_description pos;
  pos.add("files", -1);
  po::store(po::command_line_parser(args).options(all).positional(pos).run(), *vm);
  po::notify(*vm);
  return vm->count("help") > 0;
}

}  // namespace kafkasim::cli
