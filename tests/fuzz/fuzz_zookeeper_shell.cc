// libFuzzer target: a zookeeper-shell.sh command line (the words after the script's name)
// either parses into ls/get/stat of a path starting with '/' or gives an error message; never a
// crash or a hang.
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "scenario/tool_command.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string line =
      "zookeeper-shell.sh " + std::string(reinterpret_cast<const char*>(data), size);
  auto parsed = kafkasim::scenario::ParseToolCommand(line);
  if (!parsed.ok()) {
    if (parsed.status().message().empty()) __builtin_trap();
    return 0;
  }
  if (const auto* z = std::get_if<kafkasim::scenario::ZooKeeperShellCommand>(&*parsed)) {
    if (z->path.empty() || z->path.front() != '/') __builtin_trap();
    if (z->server.find(':') == std::string::npos) __builtin_trap();
  }
  return 0;
}
