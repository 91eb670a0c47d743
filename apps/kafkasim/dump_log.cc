// `kafkasim dump-log FILES... [--deep-iteration] [--print-data-log]`: kafka-dump-log.sh --files for
// the segment, index and checkpoint files kafkasim (or Kafka) writes.
#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "commands.h"
#include "storage/log_dump.h"

namespace po = boost::program_options;

namespace kafkasim::cli {

namespace {

// Kafka writes no file larger than Int.MaxValue bytes (segment.bytes, segment.index.bytes).
constexpr std::uintmax_t kMaxFileBytes = 2147483647;

// Reads a file dump-log can show: a regular file of at most kMaxFileBytes. Directories,
// devices and pipes (which could be endless, as /dev/zero) are refused with what they are.
bool ReadDumpable(const std::string& path, std::vector<std::uint8_t>* bytes, std::string* problem) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) {
    *problem = "cannot read " + path + ": no such file";
    return false;
  }
  if (fs::is_directory(status)) {
    *problem =
        path + ": a directory; give the files in it (e.g. " + path + "/00000000000000000000.log)";
    return false;
  }
  if (!fs::is_regular_file(status)) {
    *problem = path + ": not a regular file (a device, pipe or socket)";
    return false;
  }
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec) {
    *problem = "cannot read " + path + ": " + ec.message();
    return false;
  }
  if (size > kMaxFileBytes) {
    *problem = path + ": " + std::to_string(size) +
               " bytes, larger than any file Kafka writes (at most 2147483647)";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *problem = "cannot read " + path;
    return false;
  }
  bytes->resize(static_cast<std::size_t>(size));
  in.read(reinterpret_cast<char*>(bytes->data()), static_cast<std::streamsize>(size));
  if (!in || in.gcount() != static_cast<std::streamsize>(size)) {
    *problem = "cannot read " + path + ": short read";
    return false;
  }
  return true;
}

}  // namespace

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
    std::string problem;
    std::vector<std::uint8_t> bytes;
    if (!ReadDumpable(path, &bytes, &problem)) {
      std::cerr << "kafkasim dump-log: " << problem << "\n";
      exit_code = kExitUsage;
      continue;
    }
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
