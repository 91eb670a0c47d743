// The recording of a gateway session: every frame real clients sent, with the virtual time it
// entered the simulation, so `kafkasim run FILE --replay RECORDING` re-executes the same run
// (same trace hash) without the clients. A text file, one line per input:
//   kafkasim-gateway-recording 1
//   seed 42
//   input <virtual ns> <broker id> <connection> <frame as lower-case hex>
//   end <virtual ns>
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/status.h"
#include "gateway/gateway_core.h"
#include "scenario/runner.h"

namespace kafkasim::gateway {

struct Recording {
  std::uint64_t seed = 0;
  std::vector<ExternalInput> inputs;  // in the order they entered
  Time end;                           // when the session stopped
};

std::string RecordingHeader(std::uint64_t seed);
std::string RecordingInputLine(const ExternalInput& input);
std::string RecordingEndLine(Time end);

// Parses a recording; on bad input the error names the file, the line and what is valid
// ("[gateway.E010] session.rec:3: ...").
Result<Recording> ParseRecording(const std::string& text, const std::string& path);

// A served scenario has no end of its own: it runs while clients come (one year of virtual
// time at most). Serve and replay both set it, so the two runs are the same.
void MakeOpenEnded(scenario::Scenario& scenario);

// Re-executes a recorded session on a runner built from the same scenario and seed: advances
// to each input's time, then hands the frame to a GatewayCore as `serve` did (responses go
// nowhere), and runs to the recording's end.
void Replay(scenario::Runner& runner, const Recording& recording);

}  // namespace kafkasim::gateway
