// The checks panel's view-model: what state a check is in and the one line that explains it.
// Plain code, no ImGui, so the wording is tested without a window.
#pragma once

#include <cstdint>
#include <string>

#include "scenario/world_view.h"

namespace kafkasim::gui {

// kPending: an expectation not yet decided. kHolding: a continuous guarantee not broken so far.
enum class CheckStatus : std::uint8_t { kPending, kHolding, kPassed, kFailed };

CheckStatus StatusOf(const view::CheckView& check);
// "pending", "holding", "passed", "FAILED".
const char* StatusName(CheckStatus status);
// "decided by t=30.000s", "passed at t=18.540s", "expected X, but saw Y (t=30.000s)", or "".
std::string StatusLine(const view::CheckView& check, CheckStatus status);

}  // namespace kafkasim::gui
