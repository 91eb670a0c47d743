// Check states and their explanations for the checks panel.
#include "gui/check_status.h"

#include <fmt/format.h>

namespace kafkasim::gui {

CheckStatus StatusOf(const view::CheckView& check) {
  if (!check.ok) return CheckStatus::kFailed;
  if (check.settled) return CheckStatus::kPassed;
  return check.continuous ? CheckStatus::kHolding : CheckStatus::kPending;
}

const char* StatusName(CheckStatus status) {
  switch (status) {
    case CheckStatus::kPending:
      return "pending";
    case CheckStatus::kHolding:
      return "holding";
    case CheckStatus::kPassed:
      return "passed";
    case CheckStatus::kFailed:
      return "FAILED";
  }
  return "?";
}

std::string StatusLine(const view::CheckView& check, CheckStatus status) {
  switch (status) {
    case CheckStatus::kPending:
      return check.deadline == kTimeMax
                 ? "decided when the run ends"
                 : fmt::format("decided by t={}", FormatTime(check.deadline));
    case CheckStatus::kHolding:
      return check.detail;
    case CheckStatus::kPassed:
      return fmt::format("passed at t={}{}", FormatTime(check.broken_at),
                         check.seen.empty() ? "" : " (" + check.seen + ")");
    case CheckStatus::kFailed:
      if (check.seen.empty())
        return fmt::format("{} (t={})", check.detail, FormatTime(check.broken_at));
      return fmt::format("expected {}, but saw {} (t={})", check.name, check.seen,
                         FormatTime(check.broken_at));
  }
  return "";
}

}  // namespace kafkasim::gui
