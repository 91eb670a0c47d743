// libFuzzer target: any bytes given as a scenario file are either a valid scenario or a list of
// errors, each naming its place ("[scenario.E0nn] file:line:column $.path: ..."); never a crash,
// a hang or an exception. A valid scenario's `run` steps parse again from their own text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace scenario = kafkasim::scenario;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> errors;
  auto parsed = scenario::ParseScenario(text, "fuzz.json", &errors);
  if (parsed.has_value() != errors.empty()) __builtin_trap();
  for (const std::string& e : errors) {
    if (e.rfind("[scenario.E", 0) != 0 || e.find("fuzz.json:") == std::string::npos) {
      __builtin_trap();
    }
  }
  return 0;
}
