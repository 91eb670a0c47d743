// libFuzzer target: a console or `run` command line (kafka-topics.sh ..., crash NODE, ...) either
// parses or gives an error that names the tool or says what is wrong; never a crash or a hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scenario/tool_command.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  auto parsed = kafkasim::scenario::ParseToolCommand(line);
  if (!parsed.ok() && parsed.status().message().empty()) __builtin_trap();
  return 0;
}
