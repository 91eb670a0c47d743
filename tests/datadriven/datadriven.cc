// Reads, runs and rewrites datadriven test files.
#include "datadriven.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace kafkasim::datadriven {
namespace {

std::vector<std::string> Split(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  std::string word;
  while (in >> word) out.push_back(word);
  return out;
}

std::string Trimmed(const std::string& text) {
  std::size_t end = text.size();
  while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == ' ')) --end;
  return text.substr(0, end);
}

}  // namespace

bool RewriteRequested() {
  const char* value = std::getenv("KAFKASIM_REWRITE");
  return value != nullptr && std::string(value) == "1";
}

bool ParseFile(const std::string& path, TestFile* out, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = path + ": cannot open";
    return false;
  }
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  out->path = path;
  out->cases.clear();
  std::string preamble;
  std::size_t i = 0;
  while (i < lines.size()) {
    const std::string& line = lines[i];
    if (line.empty() || line[0] == '#') {
      preamble += line + "\n";
      ++i;
      continue;
    }
    TestCase test;
    test.preamble = preamble;
    preamble.clear();
    test.command = line;
    test.args = Split(line);
    test.line = static_cast<int>(i) + 1;
    if (i + 1 >= lines.size() || lines[i + 1] != "----") {
      *error = path + ":" + std::to_string(test.line) + ": expected `----` after the command `" +
               line + "`";
      return false;
    }
    i += 2;
    std::string expected;
    while (i < lines.size() && !lines[i].empty()) expected += lines[i++] + "\n";
    test.expected = Trimmed(expected);
    if (i < lines.size()) ++i;  // the blank line that ends this case
    out->cases.push_back(std::move(test));
  }
  out->trailer = preamble;
  return true;
}

int RunFile(const std::string& path, const std::function<std::string(const TestCase&)>& run,
            const std::function<void(const TestCase&, const std::string&)>& mismatch) {
  TestFile file;
  std::string error;
  if (!ParseFile(path, &file, &error)) {
    TestCase broken;
    broken.command = error;
    mismatch(broken, error);
    return 1;
  }
  int failures = 0;
  std::ostringstream rewritten;
  for (const TestCase& test : file.cases) {
    std::string actual = Trimmed(run(test));
    if (actual.empty()) actual = "ok";
    if (actual != test.expected) {
      ++failures;
      if (!RewriteRequested()) mismatch(test, actual);
    }
    rewritten << test.preamble << test.command << "\n----\n" << actual << "\n\n";
  }
  if (RewriteRequested()) {
    std::string text = rewritten.str() + file.trailer;
    text = Trimmed(text) + "\n";
    std::ofstream(path) << text;
    return 0;
  }
  return failures;
}

}  // namespace kafkasim::datadriven
