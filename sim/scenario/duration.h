// Durations as people write them in scenario files and console commands: "250ms", "5s",
// "1.5s", "2m", "1h", or a bare integer meaning milliseconds.
#pragma once

#include <string_view>

#include "engine/status.h"
#include "engine/time.h"

namespace kafkasim::scenario {

// What every duration error says, after naming the offending text.
inline constexpr std::string_view kDurationHint =
    "expected a duration like \"500ms\", \"5s\" or \"2m\"";

// Parses a non-negative duration. Units: ns, us, ms, s, m, h; a fraction is allowed with any
// unit as long as the result is a whole number of nanoseconds ("1.5s", "0.25ms"). A bare
// integer is milliseconds. On bad input returns kInvalidArgument whose message is
// "'<text>': expected a duration like ...".
Result<Duration> ParseDuration(std::string_view text);

}  // namespace kafkasim::scenario
