// libFuzzer target: the kafkasim command line. The first byte picks the subcommand; the rest,
// split at newlines, are its arguments. Flag parsing must end in a message and an exit code,
// never a crash or an uncaught exception (main.cc catches Boost.Program_options errors only).
// Without a readable scenario file nothing runs, so no files are written.
#include <boost/program_options.hpp>
#include <cstddef>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "apps/kafkasim/commands.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto& commands = kafkasim::cli::Commands();
  const auto& command = commands[data[0] % commands.size()];
  std::vector<std::string> args;
  std::string word;
  for (std::size_t i = 1; i < size; ++i) {
    if (data[i] == '\n') {
      args.push_back(word);
      word.clear();
    } else {
      word += static_cast<char>(data[i]);
    }
  }
  if (!word.empty()) args.push_back(word);
  // A real scenario would run (and could write --trace/--data-dir files): keep to parsing.
  for (const std::string& a : args) {
    if (a.ends_with(".json")) return 0;
  }
  std::cout.setstate(std::ios::failbit);  // keep the fuzzer's output readable
  std::cerr.setstate(std::ios::failbit);
  int code = 0;
  try {
    code = command.run(args);
  } catch (const boost::program_options::error&) {
    code = 2;
  }
  std::cout.clear();
  std::cerr.clear();
  if (code < 0 || code > 2) __builtin_trap();  // exit codes are 0, 1 and 2
  return 0;
}
