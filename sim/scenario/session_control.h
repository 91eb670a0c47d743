// What a front end may do to a running scenario. Every change to the world is a command text
// ("crash broker-1", "kafka-topics.sh --describe --topic cities") recorded with its virtual
// time, so the run replays exactly and a classroom session can be saved as a scenario.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/status.h"
#include "engine/time.h"
#include "scenario/diagram.h"
#include "scenario/world_view.h"

namespace kafkasim {

struct RecordedInput {
  Time at;
  std::string command;
};

struct CommandOutput {
  bool ok = true;
  std::string text;  // what the tool printed, or the error message
};

class SessionControl {
 public:
  virtual ~SessionControl() = default;

  // The snapshot as of now; rebuilt lazily after the world advances.
  virtual const view::WorldView& View() = 0;
  // The partition ("cities-0"; "CLUSTER/cities-0" with several clusters) whose replica logs
  // View() describes in full, segments and leader epochs; every other replica log carries
  // only its offsets, so a snapshot of 10,000 partitions does not copy 30,000 segment lists.
  virtual void SetDetailedPartition(const std::string& name) = 0;

  // Runs the next event; false when nothing is left or the end time is reached.
  virtual bool StepEvent() = 0;
  // Runs events up to virtual time `t` but at most `events_max` of them (the per-frame budget).
  // Stops early at a `pause` step; returns true when it reached `t`.
  virtual bool AdvanceTo(Time t, std::uint64_t events_max) = 0;
  // As AdvanceTo, and also stops (returning false) once `out_of_time` returns true. It is asked
  // every fourth event and never before the first: the GUI passes its frame's wall-clock budget
  // (the simulation reads no clock). Where it stops does not change the run: the events are the
  // same whichever frames run them.
  virtual bool AdvanceUntil(Time t, std::uint64_t events_max,
                            const std::function<bool()>& out_of_time) = 0;
  // Runs until the next leader change, election or ISR change (or `events_max`).
  virtual bool StepToNextInteresting(std::uint64_t events_max) = 0;

  // Applies a command now and records it. Commands: crash|kill|restart NODE, cut|heal A B,
  // isolate NODE, heal-all, slow NODE MS, and the kafka-*.sh tools of the scenario `run` step.
  virtual CommandOutput Submit(const std::string& command) = 0;
  virtual const std::vector<RecordedInput>& recorded_inputs() const = 0;

  // Re-executes from the start (same seed, same recorded inputs) up to trace event `index`
  // or virtual time `t`.
  virtual void RewindToEvent(std::uint64_t index) = 0;
  virtual void RewindToTime(Time t) = 0;
  virtual void Restart(std::uint64_t seed) = 0;
  virtual Status Open(const std::string& scenario_path) = 0;
  // The scenario with the recorded inputs appended as steps, as JSON text.
  virtual std::string SaveAsScenario() const = 0;
  // Every message recorded so far (a scenario::MessageRecorder attached to the simulation),
  // for sequence-diagram export; nullptr when the session does not record messages.
  virtual const std::vector<scenario::MessageRecord>* message_log() const { return nullptr; }
};

}  // namespace kafkasim

namespace kafkasim::scenario {

// Opens a scenario file for interactive use (implemented by the scenario runner). On bad input
// returns nullptr and sets *error to a message naming the file, the place and what is valid.
// seed_override < 0 keeps the scenario's own seed.
// `budget`, when given, is RunOptions::budget (the GUI's --max-memory).
std::unique_ptr<SessionControl> OpenSession(const std::string& path, std::int64_t seed_override,
                                            std::string* error,
                                            std::function<std::string()> budget = {});

}  // namespace kafkasim::scenario
