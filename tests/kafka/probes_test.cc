#include "kafka/probes.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

using namespace kafkasim::kafka;

namespace {

// Every probe name the code under sim/ hits: `Probe("x")` and `probes.push_back("x")`.
std::set<std::string> ProbesInSources() {
  std::set<std::string> found;
  const std::regex hit(
      R"re((?:Probe|probes\.push_back|probes\.emplace_back)\("([a-z0-9_.]+)"\))re");
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(std::string(KAFKASIM_SOURCE_DIR) + "/sim")) {
    if (entry.path().extension() != ".cc" && entry.path().extension() != ".h") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    const std::string s = text.str();
    for (auto it = std::sregex_iterator(s.begin(), s.end(), hit); it != std::sregex_iterator();
         ++it) {
      found.insert((*it)[1].str());
    }
  }
  return found;
}

}  // namespace

TEST_CASE("every probe the code hits is in the catalogue, and every catalogued probe is hit") {
  const std::set<std::string> in_code = ProbesInSources();
  REQUIRE(in_code.size() > 10);
  for (const std::string& name : in_code) {
    INFO("probe in sim/: " << name);
    CHECK(IsKnownProbe(name));
  }
  for (const ProbeInfo& p : KnownProbes()) {
    INFO("catalogued probe: " << p.name);
    CHECK(in_code.count(std::string(p.name)) == 1);
    CHECK_FALSE(p.meaning.empty());
  }
}

TEST_CASE("the probe catalogue is sorted and answers look-ups") {
  const auto& probes = KnownProbes();
  for (std::size_t i = 1; i < probes.size(); ++i) CHECK(probes[i - 1].name < probes[i].name);
  CHECK(IsKnownProbe("isr.shrink"));
  CHECK_FALSE(IsKnownProbe("isr.shrinkk"));
  CHECK_FALSE(IsKnownProbe("leader.election"));
}
