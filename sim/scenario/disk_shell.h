// A small read-only shell over one node's files, so a learner can look at what Kafka keeps on
// disk the way the quickstart does (`cd /tmp/kraft-combined-logs; ls; cat cities-0/...`):
// ls, cd, pwd, cat, hexdump, du, wc, stat, echo and kafka-dump-log.sh, with the output and error
// texts of GNU coreutils, util-linux and Kafka's DumpLogSegments. Pure over a FileSystem; the
// world builds the tree of a node and keeps each node's working directory.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/file_system.h"
#include "engine/time.h"
#include "scenario/session_control.h"

namespace kafkasim::scenario {

// A file the shell shows that is not on the node's disk: its generated configuration.
struct ShellFile {
  std::string path;  // absolute: "/opt/kafka/config/server.properties"
  std::string contents;
};

// The file tree of one node as its shell sees it: generated files, and the node's disk
// mounted at its log dir. Every directory above them exists and is empty otherwise.
struct ShellTree {
  std::string home = "/opt/kafka";  // where a shell starts; `cd` alone goes there
  std::string mount;                // the disk's root: "/tmp/kraft-combined-logs"
  const FileSystem* disk = nullptr;
  std::vector<ShellFile> files;
  Time now;  // for ls -l's date column (recent files show the time, old ones the year)
};

// Runs one command line, already split into words, against `tree`. `cwd` is the shell's working
// directory (absolute); cd changes it. Never writes. Output is capped (kMaxShellOutputBytes)
// with a line saying so; errors read as the real tools' do ("ls: cannot access 'x': No such
// file or directory") and make the result not ok.
CommandOutput RunShellCommand(const ShellTree& tree, const std::vector<std::string>& argv,
                              std::string& cwd);

// An absolute, normalised path for `arg` typed in `cwd` ("." and ".." resolved).
std::string ResolveShellPath(const std::string& cwd, const std::string& arg);

// The most a single command prints (cat of a 1 GiB segment would flood the console and trace).
constexpr std::size_t kMaxShellOutputBytes = 64 * 1024;

// "Jan  1 00:05" (within six months of now) or "Jan  1  1970": ls -l's date column, in UTC.
std::string LsDate(Time modified, Time now);
// coreutils' human_readable with -h: "0", "512", "4.0K", "12K", "1.5M" (ceiling, base 1024).
std::string HumanSize(std::uint64_t bytes);

}  // namespace kafkasim::scenario
