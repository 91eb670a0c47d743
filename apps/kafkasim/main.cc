// kafkasim: the headless command line. Dispatches to a subcommand; bad usage exits 2.
#include <boost/program_options/errors.hpp>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "commands.h"

namespace {

void PrintUsage(std::ostream& out) {
  out << "Usage: kafkasim <command> [options]\n\n"
      << "A deterministic simulator of an Apache Kafka cluster.\n\nCommands:\n";
  for (const auto& command : kafkasim::cli::Commands()) {
    out << "  " << command.name;
    for (std::size_t i = std::strlen(command.name); i < 12; ++i) out << ' ';
    out << command.summary << "\n";
  }
  out << "\nRun 'kafkasim <command> --help' for a command's options.\n";
}

}  // namespace

int main(int argc, char** argv) {
  using kafkasim::cli::kExitUsage;
  if (argc < 2) {
    PrintUsage(std::cerr);
    return kExitUsage;
  }
  const std::string name = argv[1];
  if (name == "help" || name == "--help" || name == "-h") {
    PrintUsage(std::cout);
    return 0;
  }
  if (name == "--version") return kafkasim::cli::RunVersion({});
  std::vector<std::string> args(argv + 2, argv + argc);
  for (const auto& command : kafkasim::cli::Commands()) {
    if (name != command.name) continue;
    try {
      const int code = command.run(args);
      // Output that did not reach its destination (stdout to a full disk or a closed pipe)
      // must not end with success.
      std::cout.flush();
      if (!std::cout) {
        std::cerr << "kafkasim " << name << ": cannot write to standard output\n";
        return kExitUsage;
      }
      return code;
    } catch (const boost::program_options::error& e) {
      std::cerr << "kafkasim " << name << ": " << e.what() << "\n"
                << "Run 'kafkasim " << name << " --help' for usage.\n";
      return kExitUsage;
    }
  }
  std::cerr << "kafkasim: unknown command '" << name << "'\n\n";
  PrintUsage(std::cerr);
  return kExitUsage;
}
