// The Raft core hosted on the engine's Simulation, the way a KRaft controller node hosts it:
// feed Step/Tick, drain Ready (persist, then send), keep one timer at NextDeadline(). This is
// also the reference for hosts: RaftMessage travels as the engine Payload unchanged.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/simulation.h"
#include "raft/raft_node.h"
#include "raft_cluster.h"

namespace kafkasim::raft {
namespace {

using namespace kafkasim::literals;

class RaftHost final : public Node {
 public:
  RaftHost(NodeEnv& env, NodeId id, std::vector<NodeId> voters, testing::Disk& disk)
      : env_(env), disk_(disk) {
    config_.node_id = id;
    config_.voters = std::move(voters);
  }

  void OnStart() override {
    QuorumState state;
    if (!disk_.quorum_state_json.empty()) state = *QuorumStateFromJson(disk_.quorum_state_json);
    // A fresh seed from the node's engine stream: a restart must not replay the same draws.
    core_ = std::make_unique<RaftNode>(config_, state, disk_.log, Rng(env_.rng().NextU64()),
                                       env_.Now());
    Drain();
  }

  void OnMessage(const Message& message) override {
    if (const auto* raft = message.As<RaftMessage>()) {
      core_->Step(*raft, env_.Now());
      Drain();
    }
  }

  void OnTimer(std::uint64_t tag) override {
    if (tag != timer_tag_) return;  // a timer re-armed since
    timer_ = kNoTimer;
    core_->Tick(env_.Now());
    Drain();
  }

  RaftNode& core() { return *core_; }

 private:
  void Drain() {
    Ready ready = core_->TakeReady();
    // 1. Persist (here: the test's durable map; a real host writes quorum-state and the log).
    if (ready.quorum_state) disk_.quorum_state_json = QuorumStateToJson(*ready.quorum_state);
    if (ready.truncate_log_to) disk_.log.resize(static_cast<std::size_t>(*ready.truncate_log_to));
    for (LogEntry& entry : ready.entries) disk_.log.push_back(std::move(entry));
    // 2. Trace, 3. send.
    for (const RaftNote& note : ready.notes) env_.Emit(note.kind, {}, note.text);
    for (auto& message : ready.messages) {
      // Look the target up before moving the pointer into Send.
      const NodeIndex to = env_.simulation().FindNode(fmt::format("controller-{}", message->to));
      env_.Send(to, std::move(message));
    }
    // One timer at the core's next deadline.
    if (timer_ != kNoTimer) env_.CancelTimer(timer_);
    timer_ = kNoTimer;
    const Time deadline = core_->NextDeadline();
    if (deadline != kTimeMax) timer_ = env_.SetTimer(deadline - env_.Now(), ++timer_tag_);
  }

  NodeEnv& env_;
  testing::Disk& disk_;
  RaftConfig config_;
  std::unique_ptr<RaftNode> core_;
  TimerId timer_ = kNoTimer;
  std::uint64_t timer_tag_ = 0;
};

struct EngineRun {
  std::string trace_hash;
  std::vector<std::string> leaders;  // trace lines of leader elections
};

EngineRun RunOnEngine(std::uint64_t seed) {
  Simulation sim(seed);
  std::map<NodeId, testing::Disk> disks;
  const std::vector<NodeId> voters = {1, 2, 3};
  for (NodeId id : voters) {
    disks[id] = testing::Disk{};
    const NodeIndex index =
        sim.AddNode(fmt::format("controller-{}", id), [&disks, id, voters](NodeEnv& env) {
          return std::make_unique<RaftHost>(env, id, voters, disks.at(id));
        });
    sim.StartNode(index);
  }
  sim.RunUntil(Time{} + 5_s);
  auto leader_index = [&]() -> NodeIndex {
    for (NodeId id : voters) {
      const NodeIndex index = sim.FindNode(fmt::format("controller-{}", id));
      auto* host = dynamic_cast<RaftHost*>(sim.GetNode(index));
      if (host != nullptr && host->core().role() == Role::kLeader) return index;
    }
    return kafkasim::kNoNode;
  };
  const NodeIndex first = leader_index();
  REQUIRE(first != kafkasim::kNoNode);
  sim.CrashNode(first);
  sim.RunUntil(Time{} + 12_s);
  const NodeIndex second = leader_index();
  CHECK(second != kafkasim::kNoNode);
  CHECK(second != first);
  sim.RestartNode(first);
  sim.RunUntil(Time{} + 16_s);
  EngineRun run;
  run.trace_hash = sim.trace().HashHex();
  for (const TraceEvent& event : sim.trace().events()) {
    if (event.kind == "raft.leader") run.leaders.push_back(FormatTraceLine(event));
  }
  // The restarted node caught up with the new leader's log.
  auto* host = dynamic_cast<RaftHost*>(sim.GetNode(first));
  REQUIRE(host != nullptr);
  CHECK(host->core().role() == Role::kFollower);
  return run;
}

TEST_CASE("raft: cores hosted on the engine fail over and replay deterministically") {
  const EngineRun a = RunOnEngine(42);
  const EngineRun b = RunOnEngine(42);
  CHECK(a.trace_hash == b.trace_hash);
  REQUIRE(a.leaders.size() == 2);
  CHECK(a.leaders[0].find("became leader at epoch 1") != std::string::npos);
  CHECK(a.leaders[1].find("became leader at epoch 2") != std::string::npos);
}

}  // namespace
}  // namespace kafkasim::raft
