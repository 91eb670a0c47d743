// A datadriven test file reader in the style of etcd's testdata (cockroachdb/datadriven): each
// case is a command line, a `----` line, and the expected output up to a blank line. With
// KAFKASIM_REWRITE=1 the runner writes the actual output back into the file.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace kafkasim::datadriven {

struct TestCase {
  std::string preamble;           // comments and blank lines before the command, kept on rewrite
  std::string command;            // the whole command line
  std::vector<std::string> args;  // command split on spaces; args[0] is the verb
  int line = 0;                   // 1-based line of the command
  std::string expected;           // without the trailing newline
};

struct TestFile {
  std::string path;
  std::vector<TestCase> cases;
  std::string trailer;  // comments after the last case
};

// Parses `path`; a malformed file (a command without `----`) fails with a message naming the
// file and line.
bool ParseFile(const std::string& path, TestFile* out, std::string* error);

// Runs every case through `run` (which returns the actual output; "" prints as "ok"), reports
// each mismatch through `mismatch`, and rewrites the file when KAFKASIM_REWRITE=1 is set.
// Returns the number of mismatching cases.
int RunFile(const std::string& path, const std::function<std::string(const TestCase&)>& run,
            const std::function<void(const TestCase&, const std::string& actual)>& mismatch);

bool RewriteRequested();

}  // namespace kafkasim::datadriven
