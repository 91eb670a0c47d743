// The kafkasim CLI's subcommands. Each takes its own arguments (after the subcommand name),
// parses them with Boost.Program_options and returns the process exit code.
#pragma once

#include <boost/program_options.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace kafkasim::cli {

// Exit codes shared by every subcommand.
constexpr int kExitOk = 0;
constexpr int kExitExpectationFailed = 1;
constexpr int kExitUsage = 2;

struct Command {
  const char* name;
  const char* summary;
  std::function<int(const std::vector<std::string>& args)> run;
};

// Parses `args` against `desc` plus one positional scenario FILE (into `file`). Returns true
// when --help was given (the caller prints `desc` and exits 0).
bool ParseWithFile(const std::vector<std::string>& args,
                   const boost::program_options::options_description& desc, std::string* file,
                   boost::program_options::variables_map* vm);

// The same for commands that take FILES... (into `files`, empty when none were given).
bool ParseWithFiles(const std::vector<std::string>& args,
                    const boost::program_options::options_description& desc,
                    std::vector<std::string>* files, boost::program_options::variables_map* vm);

// A --seed value: a non-negative decimal integer that fits 64 bits, nothing else ("-1", "1e3",
// " 7" and "" are refused). Empty `*error` on success; else the message, naming the flag.
std::uint64_t ParseSeedFlag(const std::string& text, std::string* error);

// Every subcommand, in the order `kafkasim help` lists them.
const std::vector<Command>& Commands();

int RunVersion(const std::vector<std::string>& args);
int RunDumpLog(const std::vector<std::string>& args);   // dump_log.cc
int RunValidate(const std::vector<std::string>& args);  // validate.cc
int RunRun(const std::vector<std::string>& args);       // run.cc
int RunDiagram(const std::vector<std::string>& args);   // diagram.cc
int RunSwarm(const std::vector<std::string>& args);     // swarm.cc
int RunSwarmMerge(const std::vector<std::string>& args);
int RunServe(const std::vector<std::string>& args);  // serve.cc

}  // namespace kafkasim::cli
