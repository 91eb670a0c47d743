// A fabricated SessionControl for the GUI's tests, benchmarks and demo runs: a small cluster
// (KRaft controllers, brokers, a topic `cities`, a producer and a consumer) whose replicas
// advance on a fixed tick, with a scripted broker crash that moves leadership. Deterministic:
// rewinding re-executes from the start with the recorded inputs, as the real session does.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/prng.h"
#include "engine/trace.h"
#include "scenario/diagram.h"
#include "scenario/session_control.h"

namespace kafkasim::gui {

struct FakeOptions {
  int brokers = 4;
  int controllers = 3;
  int partitions = 3;
  int replication_factor = 3;
  std::uint64_t seed = 42;
  // Narration at 1s, a pause step at 2.5s, broker-1 crashes at 3s and restarts at 8s.
  bool scripted_faults = true;
  Time end = kTimeZero + Seconds(20);
};

class FakeSession : public SessionControl {
 public:
  static constexpr Duration kTick = Milliseconds(5);

  explicit FakeSession(FakeOptions options = {});
  ~FakeSession() override;

  const view::WorldView& View() override;
  bool StepEvent() override;
  bool AdvanceTo(Time t, std::uint64_t events_max) override;
  bool StepToNextInteresting(std::uint64_t events_max) override;
  CommandOutput Submit(const std::string& command) override;
  const std::vector<RecordedInput>& recorded_inputs() const override { return inputs_; }
  // Inputs recorded after the rewind target are forgotten: rewinding undoes them.
  void RewindToEvent(std::uint64_t index) override;
  void RewindToTime(Time t) override;
  void Restart(std::uint64_t seed) override;
  // Accepts "fake:BROKERS:PARTITIONS"; anything else is reported as not found.
  Status Open(const std::string& scenario_path) override;
  std::string SaveAsScenario() const override;
  const std::vector<scenario::MessageRecord>* message_log() const override { return &records_; }

  std::string TraceHash() const { return trace_->HashHex(); }
  Time Now() const { return now_; }
  std::uint64_t events_executed() const { return events_; }

 private:
  struct FakeNode {
    std::string name;
    view::NodeRole role = view::NodeRole::kBroker;
    int id = -1;
    NodeState state = NodeState::kRunning;
  };
  struct FakePartition {
    int leader = -1;
    int leader_epoch = 0;
    int partition_epoch = 0;
    std::vector<int> replicas;
    std::vector<int> isr;
    std::map<int, std::int64_t> log_end_offset;  // by broker id
    std::int64_t high_watermark = 0;
    std::vector<std::pair<int, std::int64_t>> leader_epochs;
  };
  struct InFlight {
    view::MessageView message;
    std::size_t record = 0;  // in records_
  };

  void Reset(std::uint64_t seed);
  void RunTick();
  void ApplyInputsBefore(Time t);
  CommandOutput Apply(const std::string& command);
  void Emit(const std::string& node, std::string kind, std::string text);
  void Send(NodeIndex from, NodeIndex to, kafka::MessageKind kind, std::string label);
  void SettleMessages();
  void Crash(NodeIndex node);
  void Recover(NodeIndex node);
  void ElectLeaders(const std::string& reason);
  void ReplicateAndTrackIsr();
  bool Linked(NodeIndex a, NodeIndex b) const;
  bool BrokerUp(int broker_id) const;
  NodeIndex BrokerNode(int broker_id) const;
  NodeIndex Find(const std::string& name) const;
  void BuildView();

  FakeOptions options_;
  std::unique_ptr<Trace> trace_;
  Rng rng_{0};
  Time now_;
  Time next_tick_;
  std::uint64_t ticks_ = 0;
  std::uint64_t events_ = 0;
  std::vector<FakeNode> nodes_;
  std::vector<FakePartition> partitions_;
  std::vector<std::pair<NodeIndex, NodeIndex>> cut_;  // directed, sorted
  std::vector<InFlight> in_flight_;
  std::vector<scenario::MessageRecord> records_;
  std::vector<RecordedInput> inputs_;
  std::size_t inputs_applied_ = 0;
  std::map<int, Time> crashed_at_;  // broker id -> when, until the ISR shrinks
  std::string narration_;
  bool paused_at_step_ = false;
  bool pause_hit_ = false;
  std::int64_t produced_ = 0, acknowledged_ = 0, failed_ = 0, consumed_ = 0;
  double isr_shrinks_ = 0, isr_expands_ = 0, elections_ = 0;
  bool view_dirty_ = true;
  view::WorldView view_;
};

}  // namespace kafkasim::gui
