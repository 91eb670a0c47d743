// `kafkasim validate FILES...`: parses and checks scenario files without running them. Prints
// every error with its id, place and what would be valid; exits 0 only if all files are valid.
#include <boost/program_options.hpp>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "commands.h"
#include "scenario/scenario.h"

namespace po = boost::program_options;

namespace kafkasim::cli {
namespace {

// A JSON Schema document (its "$schema" names json-schema.org and it has no "cluster").
bool IsJsonSchema(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  const nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || doc.contains("cluster")) return false;
  const auto it = doc.find("$schema");
  return it != doc.end() && it->is_string() &&
         it->get<std::string>().find("json-schema.org") != std::string::npos;
}

std::string Plural(std::size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string Nodes(const scenario::Cluster& c) {
  std::string text = Plural(static_cast<std::size_t>(c.brokers), "broker");
  if (c.combined) return text + " (combined with the controllers)";
  return text + ", " + Plural(static_cast<std::size_t>(c.controllers), "controller");
}

// "3 brokers, 3 controllers, 1 topic, 2 clients, 9 steps, end 120.000s"; with several
// clusters "2 clusters (eu-west: 3 brokers, 3 controllers; us-east: ...), ..."
std::string Summary(const scenario::Scenario& s) {
  std::string text = Nodes(s.cluster);
  if (!s.clusters.empty()) {
    text = Plural(s.clusters.size(), "cluster") + " (";
    for (std::size_t i = 0; i < s.clusters.size(); ++i) {
      text += (i == 0 ? "" : "; ") + s.clusters[i].name + ": " + Nodes(s.clusters[i].cluster);
    }
    text += ")";
  }
  return text + ", " + Plural(s.topics.size(), "topic") + ", " +
         Plural(s.clients.size(), "client") + ", " + Plural(s.steps.size(), "step") + ", end " +
         FormatTime(s.end);
}

}  // namespace

int RunValidate(const std::vector<std::string>& args) {
  po::options_description desc(
      "Usage: kafkasim validate FILES...\n\n"
      "Checks scenario files without running them (docs/SCENARIO_FORMAT.md).\n"
      "Exits 0 when every file is valid, 2 otherwise");
  desc.add_options()("help,h", "show this help");
  std::vector<std::string> files;
  po::variables_map vm;
  if (ParseWithFiles(args, desc, &files, &vm)) {
    std::cout << desc << "\n";
    return kExitOk;
  }
  if (files.empty()) {
    std::cerr << "kafkasim validate: no files given\n" << desc << "\n";
    return kExitUsage;
  }
  int exit_code = kExitOk;
  for (const std::string& path : files) {
    if (IsJsonSchema(path)) {
      // `kafkasim validate scenarios/*.json` also meets scenarios/schema.json.
      std::cout << path << ": skipped (a JSON Schema for scenarios, not a scenario)\n";
      continue;
    }
    auto loaded = scenario::LoadScenario(path);
    if (loaded.ok()) {
      std::cout << path << ": ok (" << Summary(*loaded) << ")\n";
    } else {
      std::cerr << loaded.status().message() << "\n";
      exit_code = kExitUsage;
    }
  }
  return exit_code;
}

}  // namespace kafkasim::cli
