// The fake session behaves like the real one where the GUI relies on it: determinism,
// rewind by re-execution, pause steps, the scripted crash moving leadership.
#include "fake_session.h"

#include <doctest/doctest.h>

namespace kafkasim::gui {
namespace {

TEST_CASE("fake_session: the scripted crash moves leadership off broker-1") {
  FakeSession session;
  CHECK_FALSE(session.AdvanceTo(kTimeZero + Seconds(5), 100000));  // the pause step stops it
  CHECK(session.View().paused_at_step);
  CHECK(session.AdvanceTo(kTimeZero + Seconds(5), 100000));
  const view::WorldView& w = session.View();
  CHECK(w.now == kTimeZero + Seconds(5));
  for (const auto& p : w.topics.at(0).partitions) CHECK(p.leader != 1);
  bool crashed = false;
  for (const TraceEvent& e : *w.trace) crashed = crashed || e.kind == "node.crash";
  CHECK(crashed);
}

TEST_CASE("fake_session: rewinding re-executes to the same trace hash") {
  FakeSession session;
  session.AdvanceTo(kTimeZero + Seconds(2), 100000);
  CHECK(session.Submit("cut broker-2 broker-3").ok);
  session.AdvanceTo(kTimeZero + Seconds(4), 100000);
  session.AdvanceTo(kTimeZero + Seconds(4), 100000);
  const std::string hash = session.TraceHash();
  const std::uint64_t size = session.View().trace->size();
  session.RewindToTime(kTimeZero + Seconds(1));
  CHECK(session.View().now == kTimeZero + Seconds(1));
  session.AdvanceTo(kTimeZero + Seconds(4), 100000);  // the cut at 2s is forgotten
  CHECK(session.TraceHash() != hash);
  FakeSession again;
  again.AdvanceTo(kTimeZero + Seconds(2), 100000);
  again.Submit("cut broker-2 broker-3");
  again.AdvanceTo(kTimeZero + Seconds(4), 100000);
  again.AdvanceTo(kTimeZero + Seconds(4), 100000);
  CHECK(again.TraceHash() == hash);
  again.RewindToEvent(size - 1);
  CHECK(again.View().trace->size() == size);
  CHECK(again.TraceHash() == hash);
}

TEST_CASE("fake_session: commands are recorded, unknown ones are refused") {
  FakeSession session;
  session.AdvanceTo(kTimeZero + Milliseconds(100), 1000);
  CHECK(session.Submit("crash broker-2").ok);
  CHECK_FALSE(session.Submit("crash broker-9").ok);
  CHECK_FALSE(session.Submit("explode").ok);
  REQUIRE(session.recorded_inputs().size() == 1);
  CHECK(session.recorded_inputs()[0].command == "crash broker-2");
  CHECK(session.recorded_inputs()[0].at == kTimeZero + Milliseconds(100));
  CHECK(session.SaveAsScenario().find("\"run\": \"crash broker-2\"") != std::string::npos);
  CHECK(session.message_log() != nullptr);
  CHECK_FALSE(session.message_log()->empty());
}

}  // namespace
}  // namespace kafkasim::gui
