// The scenario runner: schedules a scenario's clients and steps on a World, evaluates its
// expectations, and exposes the run to front ends as a SessionControl (step, advance, commands
// recorded as inputs, rewind by deterministic re-execution).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "scenario/diagram.h"
#include "scenario/guarantees.h"
#include "scenario/metric_rates.h"
#include "scenario/nemesis.h"
#include "scenario/scenario.h"
#include "scenario/session_control.h"
#include "scenario/world.h"

namespace kafkasim::scenario {

struct RunOptions {
  std::uint64_t seed = 1;
  WorldOptions world;
  // Called with every trace event as it happens (the narrated timeline, a JSONL writer).
  std::vector<Trace::Sink> sinks;
  // Messages kept for sequence diagrams (message_log()); the oldest go first. 0: record none
  // (a headless run that draws no diagram saves the time of describing every message).
  std::size_t messages_recorded_max = kMessagesRecordedMax;
  static constexpr std::size_t kMessagesRecordedMax = 100'000;
  // Keep every trace event in memory (the GUI's event log and its step-to-next-event read
  // them). A headless run that only hashes and streams them through `sinks` turns it off, so
  // its memory does not grow with every event.
  bool keep_trace_events = true;
  // A random fault schedule drawn from the seed, laid over the scenario's own steps.
  NemesisOptions nemesis;
  // Asked every kBudgetCheckEvents events while the run advances: "" to go on, or why the run
  // must stop (the CLI's and the GUI's --max-memory; see memory_budget.h). It must not touch
  // the simulation, so it never changes a trace hash.
  std::function<std::string()> budget;
  static constexpr std::uint64_t kBudgetCheckEvents = 16384;
};

// "" when `text` holds every one of `lines` as a whole line, in order ('*' matches any text
// within a line); else why not, with the text.
std::string MissingPrintedLine(const std::string& text, const std::vector<std::string>& lines);

class Runner final : public SessionControl {
 public:
  Runner(Scenario scenario, RunOptions options);
  ~Runner() override;

  // Headless: runs to the scenario's end (or `until`) and returns whether every expectation
  // held and every required probe was hit.
  bool RunToEnd(Time until);
  const std::vector<view::CheckView>& checks() const { return checks_; }
  std::vector<std::string> MissingProbes() const;
  // Steps that could not run, e.g. "$.steps[3] (line 20): crash leader of cities-0: cities-0
  // has no leader". Any of them fails the run: the story it tells did not happen.
  const std::vector<std::string>& step_failures() const { return step_failures_; }
  // Whether the scenario's setup is done: every declared topic (MirrorMaker 2's remote topics
  // aside) exists with a leader for each partition. Once true it stays true for this
  // execution. Real clients of the gateway start after it, as an application starts after its
  // topics are created; earlier, their first Metadata would auto-create a declared topic with
  // num.partitions.
  bool SetupDone();
  // "" or why the run stopped before its end ("stopped at virtual time 5h after 1234 events:
  // memory 6.1 GiB passed the --max-memory budget of 6 GiB"); once set, nothing advances.
  const std::string& stopped() const { return stopped_; }
  // The node a ref names now (roles resolved against the current metadata), or why none.
  Result<std::string> Resolve(const NodeRef& ref);
  // The (first) cluster's world; with several clusters worlds() has one per cluster, in the
  // order of scenario().clusters.
  World& world() { return *worlds_.front(); }
  const std::vector<std::unique_ptr<World>>& worlds() const { return worlds_; }
  // The MirrorMaker 2 workers ("mirror_maker"), one a target cluster: its node and what its
  // flows did.
  struct MirrorMaker {
    std::string target;
    NodeIndex node = kNoNode;
    std::shared_ptr<kafka::MirrorStats> stats;
  };
  const std::vector<MirrorMaker>& mirror_makers() const { return mirror_makers_; }
  Simulation& sim() const { return worlds_.front()->sim(); }
  const Scenario& scenario() const { return scenario_; }

  // SessionControl.
  const view::WorldView& View() override;
  void SetDetailedPartition(const std::string& name) override;
  bool StepEvent() override;
  bool AdvanceTo(Time t, std::uint64_t events_max) override;
  bool AdvanceUntil(Time t, std::uint64_t events_max,
                    const std::function<bool()>& out_of_time) override;
  bool StepToNextInteresting(std::uint64_t events_max) override;
  CommandOutput Submit(const std::string& command) override;
  const std::vector<RecordedInput>& recorded_inputs() const override { return inputs_; }
  void RewindToEvent(std::uint64_t index) override;
  void RewindToTime(Time t) override;
  void Restart(std::uint64_t seed) override;
  Status Open(const std::string& scenario_path) override;
  std::string SaveAsScenario() const override;
  // Messages since the start of the current execution (a rewind re-executes and re-records),
  // at most RunOptions::messages_recorded_max of the latest; nullptr when recording is off.
  const std::vector<MessageRecord>* message_log() const override;

 private:
  void AddMirrorFlowsView(view::WorldView& v);
  void Build();
  void ScheduleScenario();
  void ScheduleNemesis();
  void RunNemesis(const NemesisAction& action);
  // Steps run in file order, each at its time or right after a late predecessor.
  void ScheduleStep(std::size_t index, Time not_before);
  void RunSteps(std::size_t index);
  bool RunStep(const Step& step, std::size_t index);  // false: the step failed
  void FailStep(const Step& step, const std::string& why);
  bool TopicsReady();
  void StartClientOnceTopicExists(const Client& client, bool first_try);
  std::string NodeName(const World& world, std::int32_t node_id) const;
  bool IsRunning(const std::string& node);
  // The condition's text with the nodes its refs name now: "leader of cities-0 is not
  // $old_leader (broker-2)".
  std::string DescribeResolved(const ExpectCondition& condition);
  std::string WithNames(std::string text) const;
  void StartExpect(const Expect& expect, std::size_t check);
  // Emits a trace event at the current time; returns its index.
  std::uint64_t Note(std::string node, std::string_view kind, std::string text);
  void CreateDeclaredTopics(std::size_t world_index);
  void OnTraceForGuarantees(const TraceEvent& e);
  void CheckGuarantees();
  void ExplainPass(const Expect& expect, const std::string& seen);
  void Poll(const Expect& expect, std::size_t check, Time deadline);
  bool Holds(const ExpectCondition& condition, std::size_t check, std::string* seen);
  void Settle(std::size_t check, bool ok, const std::string& detail);
  void ApplyInput(const RecordedInput& input,
                  const std::function<void(const CommandOutput&)>& done = nullptr);
  // The scenario's own "inputs" (a saved session), where the recorded inputs start.
  void ResetInputs();
  void OnTraceForMeters(const TraceEvent& event);
  void SampleCounters(Time now);

  Scenario scenario_;
  RunOptions options_;
  std::string stopped_;
  std::uint64_t events_since_budget_check_ = 0;
  bool OverBudget();  // true once the budget has been passed
  // Declared before world_ so it outlives the simulation it observes.
  std::unique_ptr<MessageRecorder> recorder_;
  // Several clusters share one simulation, declared before the worlds that hold it.
  std::unique_ptr<Simulation> shared_sim_;
  std::vector<std::unique_ptr<World>> worlds_;
  std::vector<MirrorMaker> mirror_makers_;
  void AddMirrorMakers();
  // Several clusters: the world of the cluster a qualified name ("us-east/broker-1",
  // "us-east/cities", "us-east/cities-0"'s topic) names; the first for any other name.
  World& WorldOf(std::string_view qualified);
  World& WorldOfClient(const std::string& id);
  // A topic or partition as its cluster knows it: "cities" for "us-east/cities".
  std::string Local(const std::string& topic) const;
  PartitionRef Local(const PartitionRef& partition) const;
  // The cluster a command acts on: the node it names, else its bootstrap server's host
  // ("broker-1.us-east:9092"); nullopt when it names none.
  std::optional<std::size_t> ClusterOfCommand(const ToolCommand& command) const;
  // Runs a command on the world it names (the one world with one cluster).
  void Execute(const ToolCommand& command, const std::string& line,
               std::function<void(const CommandOutput&)> done);
  void ExecuteRegion(const RegionCommand& region,
                     const std::function<void(const CommandOutput&)>& done);
  std::size_t shell_world_ = 0;  // the world of the console's shell (ssh CLUSTER/NODE moves it)
  std::vector<std::size_t> guarantee_world_;  // by guarantee: the world it watches
  // checks_ holds one check per expect step, then the guarantees (continuous) from
  // guarantees_first_check_ on.
  std::vector<view::CheckView> checks_;
  std::vector<std::size_t> check_of_step_;    // step index -> its check (expect steps)
  std::map<std::string, std::string> names_;  // "$as" names resolved so far -> node
  bool setup_done_ = false;
  std::set<std::string> clients_started_or_stopped_;  // declared clients past their start
  std::map<std::size_t, std::uint64_t> probe_base_;   // probe checks: the count when they began
  std::vector<std::string> step_failures_;
  // Run steps with "prints" whose command has not answered yet (kNoStep once it has).
  static constexpr std::size_t kNoStep = SIZE_MAX;
  std::vector<std::size_t> prints_pending_;
  std::vector<std::unique_ptr<Guarantee>> guarantees_;
  std::size_t guarantees_first_check_ = 0;
  bool guarantee_check_scheduled_ = false;
  // By guarantee: an event since the last check could break it (only those are checked).
  std::vector<bool> guarantee_due_;
  // By guarantee: the partitions the events since its last check named.
  std::vector<PartitionScope> guarantee_scope_;
  PartitionScope checking_scope_;  // the scope of the check running now
  // What the guarantees want of a trace kind, asked once per kind: by guarantee, whether it
  // observes such events and whether they trigger its check.
  struct KindInterest {
    static constexpr std::uint8_t kObserves = 1;
    static constexpr std::uint8_t kTriggers = 2;
    std::vector<std::uint8_t> by_guarantee;
    bool any = false;
  };
  const KindInterest& InterestIn(const std::string& kind);
  std::map<std::string, KindInterest, std::less<>> interest_by_kind_;
  // The entry of the last kind asked for (map nodes do not move): runs of one kind
  // (produce.append) skip the map.
  std::pair<const std::string, KindInterest>* last_interest_ = nullptr;
  KafkaMeters meters_;  // the "...PerSec" metrics; rebuilt with the world
  Time counters_sampled_at_ = kTimeMax;
  std::vector<RecordedInput> inputs_;
  view::WorldView view_;
  bool view_dirty_ = true;
  std::string detailed_partition_;  // SetDetailedPartition
  bool pause_hit_ = false;
  std::string narration_;
};

}  // namespace kafkasim::scenario
