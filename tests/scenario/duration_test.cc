// Duration text: units, fractions, bare milliseconds and the errors for everything else.
#include "scenario/duration.h"

#include <doctest/doctest.h>

namespace kafkasim::scenario {
namespace {

std::int64_t Ns(std::string_view text) {
  auto d = ParseDuration(text);
  REQUIRE_MESSAGE(d.ok(), d.status().ToString());
  return d->ns;
}

std::string ErrorOf(std::string_view text) {
  auto d = ParseDuration(text);
  REQUIRE_FALSE(d.ok());
  return d.status().message();
}

TEST_CASE("duration: every unit and a bare integer of milliseconds") {
  CHECK(Ns("250ms") == 250'000'000);
  CHECK(Ns("5s") == 5'000'000'000);
  CHECK(Ns("2m") == 120'000'000'000);
  CHECK(Ns("1h") == 3'600'000'000'000);
  CHECK(Ns("7us") == 7'000);
  CHECK(Ns("9ns") == 9);
  CHECK(Ns("1500") == 1'500'000'000);
  CHECK(Ns("0") == 0);
  CHECK(Ns("0s") == 0);
}

TEST_CASE("duration: fractions are exact when they come out in whole nanoseconds") {
  CHECK(Ns("1.5s") == 1'500'000'000);
  CHECK(Ns("0.25ms") == 250'000);
  CHECK(Ns("1.5m") == 90'000'000'000);
  CHECK(Ns("0.001s") == 1'000'000);
  CHECK(Ns("0.000000001s") == 1);
}

TEST_CASE("duration: anything else is an error naming the text and the accepted forms") {
  CHECK(ErrorOf("5 s") == "'5 s': expected a duration like \"500ms\", \"5s\" or \"2m\"");
  for (std::string_view bad : {"", "s", "-5s", "5x", "1.5", "1.s", ".5s", "5sec", "5S", "1.5ns",
                               "99999999999999999999s", "9999999999h"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseDuration(bad).ok());
  }
}

}  // namespace
}  // namespace kafkasim::scenario
