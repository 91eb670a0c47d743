// `kafkasim dump-log FILES... [--deep-iteration] [--print-data-log]`: kafka-dump-log.sh --files for
// the segment, index and checkpoint files kafkasim (or Kafka) writes.
#include <boost/program_options.hpp>
#include <fstream>
#include <iostream>
#include <iterator>

#include "commands.h"
#include "storage/log_dump.h"

namespace po = boost::program_options;

namespace kafkasim::cli {

int RunDumpLog(const std::vector<std::string>& args) {
  po::options_description desc(
      "Usage: kafkasim dump-log FILES... [--deep-iteration] [--print-data-log]\n\n"
      "Prints Kafka log segments (.log), indexes (.index, .timeindex) and checkpoint files");
  desc.add_options()("help,h", "show this help")(
      "deep-iteration", "print each record of every batch, compressed batches included")(
      "print-data-log", "print each record's key and payload too (implies --deep-iteration)");
  std::vector<std::string> files;
  po::variables_map vm;
  if (ParseWithFiles(args, desc, &files, &vm)) {
    std::cout << desc << "\n";
    return kExitOk;
  }
  if (files.empty()) {
    std::cerr << "kafkasim dump-log: no files given\n" << desc << "\n";
    return kExitUsage;
  }
  int exit_code = kExitOk;
  for (const std::string& path : files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      std::cerr << "kafkasim dump-log: cannot read " << path << "\n";
      exit_code = kExitUsage;
      continue;
    }
    const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                          std::istreambuf_iterator<char>());
    const storage::DumpResult result = storage::DumpFile(
        path, bytes, vm.count("print-data-log") != 0, vm.count("deep-iteration") != 0);
    std::cout << result.text;
    if (!result.error.empty()) {
      std::cout << "Found a damaged file: " << result.error << "\n";
      if (exit_code == kExitOk) exit_code = kExitExpectationFailed;
    }
  }
  return exit_code;
}

}  // namespace kafkasim::cli
