// Runs every testdata file of a directory through a fresh Harness per file, reporting each
// mismatch as a doctest failure with the file, line, command, expected and actual output.
#pragma once

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "datadriven.h"

namespace kafkasim::datadriven {

// Harness: default-constructible, with std::string Run(const TestCase&).
template <typename Harness>
void RunTestdataDirectory(const std::string& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".txt") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  REQUIRE(!files.empty());
  for (const auto& path : files) {
    Harness harness;
    const int failures = RunFile(
        path.string(), [&](const TestCase& test) { return harness.Run(test); },
        [&](const TestCase& test, const std::string& actual) {
          FAIL_CHECK(fmt::format("{}:{}: {}\n--- expected\n{}\n--- actual\n{}", path.string(),
                                 test.line, test.command, test.expected, actual));
        });
    CHECK_MESSAGE(failures == 0, path.string());
  }
}

}  // namespace kafkasim::datadriven
