// Subcommand table and the small commands that need no simulation.
#include "commands.h"

#include <boost/program_options.hpp>
#include <iostream>

namespace po = boost::program_options;

namespace kafkasim::cli {

int RunVersion(const std::vector<std::string>& args) {
  po::options_description desc("Usage: kafkasim version\n\nPrints the kafkasim version");
  desc.add_options()("help,h", "show this help");
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(desc).run(), vm);
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
      {"validate", "check scenario files without running them", RunValidate},
      {"version", "print the kafkasim version", RunVersion},
      {"dump-log", "print Kafka log, index and checkpoint files", RunDumpLog},
  };
  return commands;
}

}  // namespace kafkasim::cli
