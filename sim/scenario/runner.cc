// Scenario execution: steps become scheduled events, expectations become checks.
#include "scenario/runner.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "engine/assert.h"
#include "engine/overloaded.h"
#include "kafka/consumer_protocol.h"
#include "scenario/guarantees.h"
#include "scenario/mirror_settings.h"
#include "scenario/trace_kinds.h"
#include "storage/record_batch.h"

namespace kafkasim::scenario {
namespace {

// Records (not offsets: compaction leaves gaps) in a log from its start to its end.
std::int64_t CountRecords(const kafka::ReplicaLog& log) {
  std::int64_t count = 0;
  for (std::int64_t offset = log.log_start_offset(); offset < log.log_end_offset();) {
    Result<std::vector<std::uint8_t>> bytes = log.Read(offset, 1 << 20, log.log_end_offset());
    if (!bytes.ok() || bytes->empty()) break;
    Result<std::vector<storage::BatchSpan>> spans = storage::SplitBatches(*bytes);
    if (!spans.ok() || spans->empty()) break;
    for (const storage::BatchSpan& span : *spans) {
      count += span.header.records_count;
      offset = span.header.next_offset();
    }
  }
  return count;
}

// The group expectation (GroupExpect) against what the group's running coordinator holds and
// what its members consumed.
// The checks on the committed offset and lag of `e.partition` in `offsets`.
bool CheckOffsets(World& w, const GroupExpect& e,
                  const std::map<kafka::TopicPartition, kafka::CommittedOffset>& offsets,
                  std::vector<std::string>& facts) {
  bool ok = true;
  const kafka::TopicPartition tp{e.partition->topic, e.partition->partition};
  const auto committed = offsets.find(tp);
  const std::int64_t offset = committed == offsets.end() ? -1 : committed->second.offset;
  if (e.committed_at_least || e.lag_at_least || e.lag_at_most) {
    facts.push_back(fmt::format("committed {}", offset));
  }
  if (e.committed_at_least) ok = ok && offset >= *e.committed_at_least;
  if (e.lag_at_least || e.lag_at_most) {
    // Lag as kafka-consumer-groups.sh computes it: LOG-END-OFFSET (the high watermark a
    // read_uncommitted ListOffsets answers) minus CURRENT-OFFSET; unknown without a commit.
    const kafka::ReplicaLog* log = w.LeaderLog(*e.partition);
    const std::int64_t end = log == nullptr ? -1 : log->high_watermark();
    const bool known = offset >= 0 && end >= 0;
    facts.push_back(fmt::format("lag {}", known ? end - offset : -1));
    if (e.lag_at_least) ok = ok && known && end - offset >= *e.lag_at_least;
    if (e.lag_at_most) ok = ok && known && end - offset <= *e.lag_at_most;
  }
  return ok;
}

// A KIP-848 group: "generation" is the group epoch, the owner the member holding the partition.
bool CheckConsumerGroup(World& w, const GroupExpect& e, const kafka::ConsumerGroup& g,
                        std::int32_t coordinator, std::vector<std::string>& facts) {
  bool ok = true;
  const std::string state(kafka::ConsumerGroupStateName(g.State()));
  facts.push_back(
      fmt::format("{} at group epoch {} (target assignment epoch {}) with {} "
                  "member(s) on broker-{}",
                  state, g.group_epoch, g.target_assignment_epoch, g.members.size(), coordinator));
  if (e.state) ok = ok && state == *e.state;
  if (e.members) ok = ok && static_cast<std::int64_t>(g.members.size()) == *e.members;
  if (e.generation_at_least) ok = ok && g.group_epoch >= *e.generation_at_least;
  if (e.partition) {
    const kafka::TopicPartition tp{e.partition->topic, e.partition->partition};
    if (e.owner) {
      const std::string member = g.OwnerOf(tp);
      const std::string owner = member.empty() ? "nobody" : g.members.at(member).client_id;
      facts.push_back(fmt::format("{} owned by {}", tp.ToString(), owner));
      ok = ok && owner == *e.owner && g.State() == kafka::ConsumerGroupState::kStable;
    }
    ok = CheckOffsets(w, e, g.offsets, facts) && ok;
  }
  return ok;
}

bool CheckClassicGroup(World& w, const GroupExpect& e, const kafka::ClassicGroup& classic,
                       std::int32_t coordinator, std::vector<std::string>& facts);

bool CheckGroup(World& w, const GroupExpect& e, std::string* seen) {
  std::int32_t coordinator = -1;
  const kafka::ClassicGroup* g = w.FindGroup(e.id, &coordinator);
  std::vector<std::string> facts;
  bool ok = true;
  const kafka::ConsumerGroup* consumer_group =
      g == nullptr ? w.FindConsumerGroup(e.id, &coordinator) : nullptr;
  if (consumer_group != nullptr) {
    ok = CheckConsumerGroup(w, e, *consumer_group, coordinator, facts);
  } else if (g == nullptr) {
    *seen = "no running coordinator holds group " + e.id;
    return e.state == "Dead" && !e.members && !e.partition;
  } else {
    ok = CheckClassicGroup(w, e, *g, coordinator, facts);
  }
  if (e.consumed_twice_at_most || e.consumed_twice_at_least) {
    // Over every record the group's members read (the ledger counts them as they are read).
    const std::int64_t twice = w.ledger().ConsumedTwice(e.id);
    facts.push_back(fmt::format("{} record(s) consumed twice", twice));
    if (e.consumed_twice_at_most) ok = ok && twice <= *e.consumed_twice_at_most;
    if (e.consumed_twice_at_least) ok = ok && twice >= *e.consumed_twice_at_least;
  }
  *seen = fmt::format("{}", fmt::join(facts, ", "));
  return ok;
}

bool CheckClassicGroup(World& w, const GroupExpect& e, const kafka::ClassicGroup& classic,
                       std::int32_t coordinator, std::vector<std::string>& facts) {
  const kafka::ClassicGroup* g = &classic;
  bool ok = true;
  const std::string state(kafka::GroupStateName(g->state));
  facts.push_back(fmt::format("{} at generation {} with {} member(s) on broker-{}", state,
                              g->generation_id, g->members.size(), coordinator));
  if (e.state) ok = ok && state == *e.state;
  if (e.members) ok = ok && static_cast<std::int64_t>(g->members.size()) == *e.members;
  if (e.generation_at_least) ok = ok && g->generation_id >= *e.generation_at_least;
  if (e.partition) {
    const kafka::TopicPartition tp{e.partition->topic, e.partition->partition};
    if (e.owner) {
      std::string owner = "nobody";
      for (const auto& [id, m] : g->members) {
        Result<std::vector<kafka::TopicPartition>> a = kafka::DecodeAssignment(m.assignment);
        if (a.ok() && std::find(a->begin(), a->end(), tp) != a->end()) owner = m.client_id;
      }
      facts.push_back(fmt::format("{} owned by {}", tp.ToString(), owner));
      ok = ok && owner == *e.owner && g->state == kafka::GroupState::kStable;
    }
    ok = CheckOffsets(w, e, g->offsets, facts) && ok;
  }
  return ok;
}

constexpr Duration kPollInterval = Milliseconds(10);

// Where StepToNextInteresting stops: leadership, ISR changes and crashes.
constexpr std::array kInterestingKinds = {
    kafka::trace_kind::kPartitionLeader,
    kafka::trace_kind::kIsrShrink,
    kafka::trace_kind::kIsrExpand,
    kafka::trace_kind::kIsrAlterFailed,
    raft::trace_kind::kLeader,
    kafka::trace_kind::kControllerActive,
    trace_kind::kNodeCrash,
    trace_kind::kNodeKill,
};

std::string Join(const std::vector<std::string>& parts) {
  return fmt::format("{}", fmt::join(parts, ","));
}

// `node` gives a ref's text, possibly with what it resolved to.
std::string DescribeCondition(const ExpectCondition& c,
                              const std::function<std::string(const NodeRef&)>& node) {
  return std::visit(
      Overloaded{
          [&](const LeaderOfExpect& e) {
            switch (e.relation) {
              case LeaderOfExpect::Relation::kIs:
                return fmt::format("leader of {} is {}", e.partition.ToString(), node(e.node));
              case LeaderOfExpect::Relation::kNot:
                return fmt::format("leader of {} is not {}", e.partition.ToString(), node(e.node));
              case LeaderOfExpect::Relation::kNone:
                return fmt::format("{} has no leader", e.partition.ToString());
            }
            return std::string();
          },
          [&](const IsrOfExpect& e) {
            std::vector<std::string> parts;
            if (e.has_equals) {
              std::vector<std::string> members;
              for (std::int32_t id : e.equals) members.push_back(std::to_string(id));
              for (const NodeRef& r : e.equals_refs) members.push_back(node(r));
              parts.push_back(e.all_replicas ? "is all its replicas"
                                             : fmt::format("is [{}]", Join(members)));
            }
            std::vector<std::string> excluded;
            for (const NodeRef& r : e.excludes) excluded.push_back(node(r));
            if (!excluded.empty()) parts.push_back("excludes " + Join(excluded));
            std::vector<std::string> included;
            for (const NodeRef& r : e.includes) included.push_back(node(r));
            if (!included.empty()) parts.push_back("includes " + Join(included));
            return fmt::format("ISR of {} {}", e.partition.ToString(), fmt::join(parts, " and "));
          },
          [&](const ActiveControllerExpect& e) {
            if (e.none) return std::string("no controller is active (the quorum has no leader)");
            return fmt::format("active controller is {}{}", e.negated ? "not " : "", node(e.node));
          },
          [](const ProduceErrorExpect& e) {
            return fmt::format("{} sees a produce{} fail with {}", e.client,
                               e.partition ? " to " + e.partition->ToString() : "",
                               ErrcName(e.error));
          },
          [](const ConsumedExpect& e) {
            if (e.at_most && *e.at_most == e.at_least) {
              return fmt::format("{} has consumed exactly {} records", e.client, e.at_least);
            }
            return fmt::format("{} has consumed at least {}{} records", e.client, e.at_least,
                               e.at_most ? fmt::format(" and at most {}", *e.at_most) : "");
          },
          [](const AckedExpect& e) {
            if (e.at_most && *e.at_most == e.at_least) {
              return fmt::format("{} has exactly {} acknowledged records", e.client, e.at_least);
            }
            return fmt::format("{} has at least {}{} acknowledged records", e.client, e.at_least,
                               e.at_most ? fmt::format(" and at most {}", *e.at_most) : "");
          },
          [&](const NodeStateExpect& e) { return fmt::format("{} is {}", node(e.node), e.is); },
          [](const LostAckedExpect& e) {
            return fmt::format("at least {} record(s) {} had acknowledged are lost", e.at_least,
                               e.client);
          },
          [](const LogStartOffsetExpect& e) {
            return fmt::format("log start offset of {} is at least {}", e.partition.ToString(),
                               e.at_least);
          },
          [](const RecordsInLogExpect& e) {
            return fmt::format("the leader's log of {} holds at most {} record(s)",
                               e.partition.ToString(), e.at_most);
          },
          [](const GroupExpect& e) {
            std::vector<std::string> parts;
            if (e.state) parts.push_back("is " + *e.state);
            if (e.members) parts.push_back(fmt::format("has {} member(s)", *e.members));
            if (e.generation_at_least) {
              parts.push_back(fmt::format("is at generation {} or later", *e.generation_at_least));
            }
            const std::string p = e.partition ? e.partition->ToString() : "";
            if (e.owner) parts.push_back(fmt::format("gives {} to {}", p, *e.owner));
            if (e.committed_at_least) {
              parts.push_back(
                  fmt::format("has committed {} at {} or later", p, *e.committed_at_least));
            }
            if (e.lag_at_least)
              parts.push_back(fmt::format("lags at least {} on {}", *e.lag_at_least, p));
            if (e.lag_at_most)
              parts.push_back(fmt::format("lags at most {} on {}", *e.lag_at_most, p));
            if (e.consumed_twice_at_most) {
              parts.push_back(fmt::format("had at most {} record(s) consumed twice",
                                          *e.consumed_twice_at_most));
            }
            if (e.consumed_twice_at_least) {
              parts.push_back(fmt::format("had at least {} record(s) consumed twice",
                                          *e.consumed_twice_at_least));
            }
            return fmt::format("group {} {}", e.id, fmt::join(parts, ", "));
          },
          [](const FirstConsumedOffsetExpect& e) {
            return fmt::format("the first record {} read from {} has offset >= {}", e.client,
                               e.partition.ToString(), e.at_least);
          },
          [](const KeyInPartitionExpect& e) {
            return fmt::format("{} sends key \"{}\" to partition {}{}", e.client, e.key,
                               e.partition,
                               e.since > kTimeZero ? " since " + FormatTime(e.since) : "");
          },
          [](const ProbeExpect& e) { return fmt::format("probe {} is hit", e.name); },
          [](const MirrorExpect& e) {
            std::vector<std::string> parts;
            if (e.lag_at_most) parts.push_back(fmt::format("lags at most {}", *e.lag_at_most));
            if (e.lag_at_least) parts.push_back(fmt::format("lags at least {}", *e.lag_at_least));
            if (e.records_at_least) {
              parts.push_back(
                  fmt::format("has mirrored at least {} record(s)", *e.records_at_least));
            }
            if (e.checkpoints_at_least) {
              parts.push_back(
                  fmt::format("has written at least {} checkpoint(s)", *e.checkpoints_at_least));
            }
            return fmt::format("mirror {} {}", e.flow, fmt::join(parts, ", "));
          },
          [](const TopicsExpect& e) {
            return fmt::format("{}'s topics are {}", e.cluster.empty() ? "the cluster" : e.cluster,
                               fmt::join(e.equals, ", "));
          },
          [](const TopicConfigExpect& e) {
            std::vector<std::string> parts;
            for (const auto& [name, value] : e.config) {
              parts.push_back(value ? name + "=" + *value : name + " not overridden");
            }
            return fmt::format("topic {} has {}", e.topic, fmt::join(parts, ", "));
          },
      },
      c);
}

// What a step does, for the resolve note: "crash", "cut", ...
std::string_view ActionVerb(const StepAction& action) {
  return std::visit(Overloaded{
                        [](const PickAction&) { return "pick"; },
                        [](const CrashCommand&) { return "crash"; },
                        [](const KillCommand&) { return "kill"; },
                        [](const RestartCommand&) { return "restart"; },
                        [](const ShutdownCommand&) { return "shutdown"; },
                        [](const CutCommand&) { return "cut"; },
                        [](const HealCommand&) { return "heal"; },
                        [](const IsolateCommand&) { return "isolate"; },
                        [](const SlowCommand&) { return "slow"; },
                        [](const DiskFullCommand&) { return "disk_full"; },
                        [](const DiskOkCommand&) { return "disk_ok"; },
                        [](const SlowDiskCommand&) { return "slow_disk"; },
                        [](const CorruptCommand&) { return "corrupt"; },
                        [](const auto&) { return "step"; },
                    },
                    action);
}

// Writes resolved node names into a fault command's node fields (node; or from, to).
void SetNodes(StepAction& action, const std::vector<std::string>& names) {
  std::visit(Overloaded{
                 [&](CutCommand& c) {
                   c.from = names.at(0);
                   c.to = names.at(1);
                 },
                 [&](HealCommand& c) {
                   c.from = names.at(0);
                   c.to = names.at(1);
                 },
                 [&](auto& c) {
                   if constexpr (requires { c.node; }) c.node = names.at(0);
                 },
             },
             action);
}

}  // namespace

Runner::Runner(Scenario scenario, RunOptions options)
    : scenario_(std::move(scenario)), options_(std::move(options)) {
  ResetInputs();
  Build();
}

void Runner::ResetInputs() {
  inputs_.clear();
  for (const SessionInput& input : scenario_.inputs) inputs_.push_back({input.at, input.command});
}

// The world goes first: its simulation holds the recorder and a trace sink into this Runner.
Runner::~Runner() {
  worlds_.clear();
  shared_sim_.reset();
}

void Runner::Build() {
  // The old world goes before its recorder: the simulation holds the observer pointer.
  worlds_.clear();
  shared_sim_.reset();
  recorder_.reset();
  stopped_.clear();
  events_since_budget_check_ = 0;
  shell_world_ = 0;
  if (scenario_.clusters.empty()) {
    worlds_.push_back(std::make_unique<World>(scenario_, options_.seed, options_.world));
  } else {
    // Each cluster is a zone of the network: its own "network" inside it, "between_clusters"
    // across.
    shared_sim_ = std::make_unique<Simulation>(options_.seed, scenario_.between_clusters);
    for (std::size_t i = 0; i < scenario_.clusters.size(); ++i) {
      shared_sim_->network().SetZoneConfig(static_cast<int>(i),
                                           scenario_.clusters[i].cluster.network);
    }
    shared_sim_->network().SetBetweenZones(scenario_.between_clusters);
    for (std::size_t i = 0; i < scenario_.clusters.size(); ++i) {
      worlds_.push_back(std::make_unique<World>(scenario_.ClusterScenario(i), *shared_sim_,
                                                scenario_.clusters[i].name, static_cast<int>(i),
                                                options_.world));
    }
  }
  mirror_makers_.clear();
  if (!scenario_.mirror_flows.empty()) sim().Schedule(kTimeZero, [this] { AddMirrorMakers(); });
  sim().trace().set_keep_events(options_.keep_trace_events);
  if (options_.messages_recorded_max > 0) {
    recorder_ = std::make_unique<MessageRecorder>(sim(), options_.messages_recorded_max);
    sim().AddObserver(recorder_.get());
  }
  meters_ = KafkaMeters{};
  counters_sampled_at_ = kTimeMax;
  sim().trace().AddSink([this](const TraceEvent& e) { OnTraceForMeters(e); });
  for (const Trace::Sink& sink : options_.sinks) sim().trace().AddSink(sink);
  checks_.clear();
  names_.clear();
  probe_base_.clear();
  step_failures_.clear();
  prints_pending_.clear();
  clients_started_or_stopped_.clear();
  setup_done_ = false;
  pause_hit_ = false;
  narration_.clear();
  view_dirty_ = true;
  ScheduleScenario();
  ScheduleNemesis();
  // The guarantees follow the expectations in checks_.
  guarantees_.clear();
  guarantee_world_.clear();
  interest_by_kind_.clear();
  last_interest_ = nullptr;
  for (std::size_t w = 0; w < worlds_.size(); ++w) {
    for (auto& g : BuiltInGuarantees()) {
      guarantees_.push_back(std::move(g));
      guarantee_world_.push_back(w);
    }
  }
  guarantees_first_check_ = checks_.size();
  guarantee_check_scheduled_ = false;
  guarantee_due_.assign(guarantees_.size(), false);
  guarantee_scope_.assign(guarantees_.size(), PartitionScope{});
  // Each check looks at the partitions the events since the last one named; the last looks at
  // all of them, so a change no event named (a high watermark moving) is still checked.
  sim().Schedule(scenario_.end, [this] {
    for (std::size_t i = 0; i < guarantees_.size(); ++i) {
      guarantee_due_[i] = true;
      guarantee_scope_[i].AddEverything();
    }
    CheckGuarantees();
  });
  for (std::size_t i = 0; i < guarantees_.size(); ++i) {
    const auto& g = guarantees_[i];
    view::CheckView check;
    check.name = g->name();
    if (!scenario_.clusters.empty()) {
      check.name = scenario_.clusters[guarantee_world_[i]].name + ": " + check.name;
    }
    check.continuous = true;
    check.detail = "a Kafka guarantee, watched all run long";
    checks_.push_back(check);
  }
  sim().trace().AddSink([this](const TraceEvent& e) { OnTraceForGuarantees(e); });
  for (const RecordedInput& input : inputs_) {
    sim().Schedule(input.at, [this, input] { ApplyInput(input); });
  }
}

// MirrorMaker 2 is started once the clusters are up, as `connect-mirror-maker.sh` is run after
// the clusters it connects: one worker for each target cluster, with the flows into it. Until
// every broker of every cluster is registered and unfenced this re-arms itself every 100 ms.
void Runner::AddMirrorMakers() {
  mirror_makers_.clear();
  if (scenario_.mirror_flows.empty()) return;
  for (const auto& w : worlds_) {
    const kafka::MetadataImage* image = w->BestImage();
    int unfenced = 0;
    if (image != nullptr) {
      for (const auto& [id, b] : image->brokers()) unfenced += b.fenced ? 0 : 1;
    }
    if (unfenced < w->scenario().cluster.brokers) {
      sim().Schedule(sim().Now() + Milliseconds(100), [this] { AddMirrorMakers(); });
      return;
    }
  }
  std::map<std::string, std::vector<kafka::MirrorFlowConfig>> by_target;
  for (const MirrorFlow& flow : scenario_.mirror_flows) {
    by_target[flow.target].push_back(ResolveMirrorFlow(flow).config);
  }
  std::map<std::string, std::shared_ptr<const kafka::ClusterDirectory>> clusters;
  for (const auto& w : worlds_) clusters[w->cluster_name()] = w->shared_directory();
  for (auto& [target, flows] : by_target) {
    World& world = WorldOf(target + "/");
    KSIM_ASSERT(world.cluster_name() == target);
    auto stats = std::make_shared<kafka::MirrorStats>();
    const NodeIndex node = world.AddMirrorMaker(std::move(flows), clusters, stats);
    mirror_makers_.push_back(MirrorMaker{target, node, stats});
  }
  view_dirty_ = true;
}

std::uint64_t Runner::Note(std::string node, std::string_view kind, std::string text) {
  TraceEvent e;
  e.time = sim().Now();
  e.node = std::move(node);
  e.kind = kind;
  e.text = std::move(text);
  return sim().trace().Emit(std::move(e)).index;
}

void Runner::ScheduleNemesis() {
  for (NemesisAction& action : PlanNemesis(scenario_, options_.nemesis, options_.seed)) {
    sim().Schedule(action.at, [this, action = std::move(action)] { RunNemesis(action); });
  }
}

// A nemesis fault that would not change anything now (crash a node the scenario already took
// down, restart one already back) is left out, and the timeline says so.
void Runner::RunNemesis(const NemesisAction& action) {
  const std::string* node = std::visit(
      [](const auto& c) -> const std::string* {
        using C = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<C, CrashCommand> || std::is_same_v<C, KillCommand> ||
                      std::is_same_v<C, RestartCommand>) {
          return &c.node;
        }
        return nullptr;
      },
      action.command);
  if (node != nullptr) {
    const NodeIndex n = sim().FindNode(*node);
    const bool running = n != kNoNode && sim().GetNodeState(n) == NodeState::kRunning;
    const bool restart = std::holds_alternative<RestartCommand>(action.command);
    if (n == kNoNode || running == restart) {
      Note("nemesis", trace_kind::kNemesis,
           fmt::format("{} (skipped: {} is {})", action.line, *node,
                       running ? "running" : "already down"));
      return;
    }
  }
  Note("nemesis", trace_kind::kNemesis, action.line);
  Execute(action.command, action.line, nullptr);
}

void Runner::ScheduleScenario() {
  Simulation& sim = this->sim();
  {
    TraceEvent e;
    e.kind = trace_kind::kScenarioStart;
    e.text = fmt::format("scenario \"{}\" starts (seed {})", scenario_.name, options_.seed);
    sim.trace().Emit(std::move(e));
  }
  for (std::size_t w = 0; w < worlds_.size(); ++w) {
    if (worlds_[w]->scenario().topics.empty()) continue;
    sim.Schedule(kTimeZero, [this, w] { CreateDeclaredTopics(w); });
  }
  for (const Client& c : scenario_.clients) {
    sim.Schedule(c.start, [this, c] { StartClientOnceTopicExists(c, true); });
    if (c.stop) {
      sim.Schedule(*c.stop, [this, c] {
        if (clients_started_or_stopped_.contains(c.id)) {
          WorldOfClient(c.id).StopClient(c.id);
        } else {
          clients_started_or_stopped_.insert(c.id);  // stopped before it could start: never starts
        }
      });
    }
  }
  check_of_step_.assign(scenario_.steps.size(), 0);
  for (std::size_t i = 0; i < scenario_.steps.size(); ++i) {
    const Step& step = scenario_.steps[i];
    if (const auto* expect = std::get_if<Expect>(&step.action)) {
      view::CheckView check;
      check.name =
          DescribeCondition(expect->condition, [](const NodeRef& r) { return r.ToString(); });
      check.because = expect->because;
      check.detail = expect->because;
      check.deadline = step.at + expect->delay;
      checks_.push_back(check);
      check_of_step_[i] = checks_.size() - 1;
    }
  }
  ScheduleStep(0, kTimeZero);
}

void Runner::ScheduleStep(std::size_t index, Time not_before) {
  if (index >= scenario_.steps.size()) return;
  const Time at = std::max(scenario_.steps[index].at, not_before);
  sim().Schedule(at, [this, index] { RunSteps(index); });
}

// Runs every step that is due now, in file order; a step waiting for its "after" condition
// holds back the ones after it.
void Runner::RunSteps(std::size_t index) {
  Simulation& sim = this->sim();
  while (index < scenario_.steps.size()) {
    const Step& step = scenario_.steps[index];
    if (step.at > sim.Now()) break;
    if (step.after == StepCondition::kTopicsReady && !TopicsReady()) {
      sim.Schedule(sim.Now() + kPollInterval, [this, index] { RunSteps(index); });
      return;
    }
    RunStep(step, index);
    ++index;
  }
  ScheduleStep(index, sim.Now());
}

// The topics a scenario declares are its setup, made before its clients run, as a real
// deployment creates topics before it starts the applications that use them. A declared
// client whose topic the cluster does not have yet waits for it; otherwise its first Metadata
// request would create the topic with num.partitions (auto.create.topics.enable), racing the
// declared creation. Console clients and clients of undeclared topics meet auto-creation as in
// Kafka.
void Runner::StartClientOnceTopicExists(const Client& client, bool first_try) {
  if (clients_started_or_stopped_.contains(client.id)) return;  // stopped before it started
  const bool declared = std::any_of(scenario_.topics.begin(), scenario_.topics.end(),
                                    [&client](const Topic& t) { return t.name == client.topic; });
  World& world = WorldOf(client.topic);
  const kafka::MetadataImage* image = world.BestImage();
  if (declared && (image == nullptr || image->Topic(Local(client.topic)) == nullptr)) {
    if (first_try) {
      Note(client.id, trace_kind::kClientWaitsForTopic,
           fmt::format("waits for topic {}, which the scenario declares, to be created",
                       client.topic));
    }
    Simulation& sim = this->sim();
    sim.Schedule(sim.Now() + kPollInterval,
                 [this, client] { StartClientOnceTopicExists(client, false); });
    return;
  }
  clients_started_or_stopped_.insert(client.id);
  Client local = client;
  local.topic = Local(client.topic);
  world.StartClient(local);
}

bool Runner::SetupDone() {
  if (!setup_done_) setup_done_ = TopicsReady();
  return setup_done_;
}

bool Runner::TopicsReady() {
  for (const Topic& t : scenario_.topics) {
    if (t.mirrored) continue;  // MirrorMaker 2 creates it, later
    const kafka::MetadataImage* image = WorldOf(t.name).BestImage();
    if (image == nullptr) return false;
    for (std::int32_t p = 0; p < t.partitions; ++p) {
      const kafka::PartitionRegistration* r = image->Partition(Local(t.name), p);
      if (r == nullptr || r->leader < 0) return false;
    }
  }
  return true;
}

World& Runner::WorldOf(std::string_view qualified) {
  if (const auto i = scenario_.ClusterOf(qualified)) return *worlds_[*i];
  return *worlds_.front();
}

World& Runner::WorldOfClient(const std::string& id) {
  const Client* client = scenario_.FindClient(id);
  return WorldOf(client != nullptr ? std::string_view(client->topic) : std::string_view(id));
}

std::string Runner::Local(const std::string& topic) const {
  if (scenario_.clusters.empty()) return topic;
  const std::size_t slash = topic.find('/');
  return slash == std::string::npos ? topic : topic.substr(slash + 1);
}

PartitionRef Runner::Local(const PartitionRef& partition) const {
  return PartitionRef{Local(partition.topic), partition.partition};
}

std::optional<std::size_t> Runner::ClusterOfCommand(const ToolCommand& command) const {
  // "broker-1.us-east:9092" names us-east (HostOf's form for several clusters).
  const auto of_host = [this](std::string_view server) -> std::optional<std::size_t> {
    server = server.substr(0, server.find(','));
    server = server.substr(0, server.rfind(':'));
    const std::size_t dot = server.find('.');
    if (dot == std::string_view::npos) return std::nullopt;
    const std::string_view cluster = server.substr(dot + 1);
    for (std::size_t i = 0; i < scenario_.clusters.size(); ++i) {
      if (scenario_.clusters[i].name == cluster) return i;
    }
    return std::nullopt;
  };
  return std::visit(
      [&](const auto& c) -> std::optional<std::size_t> {
        if constexpr (requires { c.node; }) {
          if (!c.node.empty()) return scenario_.ClusterOf(c.node);
        }
        if constexpr (requires { c.from; }) return scenario_.ClusterOf(c.from);
        if constexpr (requires { c.bootstrap_server; }) return of_host(c.bootstrap_server);
        if constexpr (requires { c.server; }) return of_host(c.server);
        return std::nullopt;
      },
      command);
}

void Runner::Execute(const ToolCommand& command, const std::string& line,
                     std::function<void(const CommandOutput&)> done) {
  if (const auto* region = std::get_if<RegionCommand>(&command); region && worlds_.size() > 1) {
    return ExecuteRegion(*region, std::move(done));
  }
  if (worlds_.size() == 1) return worlds_.front()->Execute(command, line, std::move(done));
  std::optional<std::size_t> cluster = ClusterOfCommand(command);
  const bool shell_side = std::holds_alternative<ShellCommand>(command) ||
                          std::holds_alternative<AssignCommand>(command) ||
                          std::holds_alternative<HealAllCommand>(command);
  if (!cluster && shell_side) cluster = shell_world_;
  if (!cluster) {
    std::vector<std::string> names;
    for (const NamedCluster& c : scenario_.clusters) names.push_back(c.name);
    const std::string& first = scenario_.clusters.front().name;
    const CommandOutput out{
        false, fmt::format("with several clusters ({}), say which one: a node as {}/broker-1, a "
                           "bootstrap server as broker-1.{}:9092",
                           fmt::join(names, ", "), first, first)};
    Note("tool", trace_kind::kCommandError, out.text);
    if (done) done(out);
    return;
  }
  if (const auto* shell = std::get_if<ShellCommand>(&command);
      shell && !shell->node.empty() && shell->argv.empty()) {
    shell_world_ = *cluster;  // `ssh CLUSTER/NODE` moves the console's shell there
  }
  worlds_[*cluster]->Execute(command, line, std::move(done));
}

void Runner::ExecuteRegion(const RegionCommand& region,
                           const std::function<void(const CommandOutput&)>& done) {
  const auto index = [this](const std::string& name) -> std::optional<int> {
    for (std::size_t i = 0; i < scenario_.clusters.size(); ++i) {
      if (scenario_.clusters[i].name == name) return static_cast<int>(i);
    }
    return std::nullopt;
  };
  const std::optional<int> a = index(region.cluster);
  const std::optional<int> b = region.other.empty() ? std::nullopt : index(region.other);
  const char* verb = region.heal ? "heal-region" : "cut-region";
  if (!a || (!region.other.empty() && !b)) {
    std::vector<std::string> names;
    for (const NamedCluster& c : scenario_.clusters) names.push_back(c.name);
    const CommandOutput out{
        false, fmt::format("{}: no cluster '{}'; the clusters are {}", verb,
                           !a ? region.cluster : region.other, fmt::join(names, ", "))};
    Note("tool", trace_kind::kCommandError, out.text);
    if (done) done(out);
    return;
  }
  Network& net = sim().network();
  for (int other = 0; other < static_cast<int>(scenario_.clusters.size()); ++other) {
    if (other == *a || (b && other != *b)) continue;
    region.heal ? net.HealZones(*a, other) : net.CutZones(*a, other);
  }
  const std::string between = region.other.empty()
                                  ? fmt::format("{} and every other cluster", region.cluster)
                                  : fmt::format("{} and {}", region.cluster, region.other);
  const std::string text = region.heal ? fmt::format("the network between {} is healed", between)
                                       : fmt::format("the network between {} is cut", between);
  Note("network", region.heal ? trace_kind::kNetworkRegionHeal : trace_kind::kNetworkRegionCut,
       text);
  view_dirty_ = true;
  if (done) done(CommandOutput{true, text});
}

std::string Runner::NodeName(const World& world, std::int32_t node_id) const {
  for (const NodeSpec& n : world.scenario().cluster.nodes) {
    if (n.node_id == node_id) return n.name;
  }
  return fmt::format("node {}", node_id);
}

bool Runner::IsRunning(const std::string& node) {
  const NodeIndex n = sim().FindNode(node);
  return n != kNoNode && sim().GetNodeState(n) == NodeState::kRunning;
}

Result<std::string> Runner::Resolve(const NodeRef& ref) {
  // The cluster the role is in: the partition's, or the one a quorum role names.
  World& w = ref.partition.topic.empty() ? WorldOf(ref.name + "/") : WorldOf(ref.partition.topic);
  const PartitionRef partition = Local(ref.partition);
  const auto none = [](std::string why) { return Status(Errc::kNotFound, std::move(why)); };
  switch (ref.kind) {
    case NodeRef::Kind::kNamed:
      return ref.name;
    case NodeRef::Kind::kVariable: {
      const auto it = names_.find(ref.name);
      if (it == names_.end()) return none(fmt::format("${} was never resolved", ref.name));
      return it->second;
    }
    case NodeRef::Kind::kActiveController:
    case NodeRef::Kind::kFollowerController: {
      const std::int32_t active = w.ActiveControllerId();
      if (ref.kind == NodeRef::Kind::kActiveController) {
        if (active < 0) return none("no controller is active");
        return NodeName(w, active);
      }
      // Without an active controller every running voter is a follower (or candidate).
      for (std::int32_t id : w.scenario().cluster.VoterIds()) {
        if (id != active && IsRunning(NodeName(w, id))) return NodeName(w, id);
      }
      return none(active < 0 ? "no controller is running"
                             : "no controller is running besides the active one");
    }
    case NodeRef::Kind::kZooKeeperLeader:
    case NodeRef::Kind::kZooKeeperFollower: {
      const std::string leader = w.ZooKeeperLeader();
      if (ref.kind == NodeRef::Kind::kZooKeeperLeader) {
        if (leader.empty()) return none("the ZooKeeper ensemble has no leader");
        return leader;
      }
      for (const NodeSpec& n : w.scenario().cluster.nodes) {
        if (n.role == NodeRole::kZooKeeper && n.name != leader && IsRunning(n.name)) return n.name;
      }
      return none("no ZooKeeper server is running besides the leader");
    }
    case NodeRef::Kind::kLeaderOf:
    case NodeRef::Kind::kFollowerOf:
    case NodeRef::Kind::kPreferredReplicaOf:
      break;
  }
  const kafka::MetadataImage* image = w.BestImage();
  const kafka::PartitionRegistration* p =
      image ? image->Partition(partition.topic, partition.partition) : nullptr;
  if (p == nullptr || p->replicas.empty()) {
    return none(fmt::format("{} does not exist yet", ref.partition.ToString()));
  }
  if (ref.kind == NodeRef::Kind::kPreferredReplicaOf) return NodeName(w, p->replicas.front());
  if (ref.kind == NodeRef::Kind::kLeaderOf) {
    if (p->leader < 0) return none(fmt::format("{} has no leader", ref.partition.ToString()));
    return NodeName(w, p->leader);
  }
  // A follower: the first running replica in assignment order that is not the leader,
  // preferring one in the ISR.
  for (const bool need_isr : {true, false}) {
    for (std::int32_t id : p->replicas) {
      const bool in_isr = std::find(p->isr.begin(), p->isr.end(), id) != p->isr.end();
      if (id == p->leader || (need_isr && !in_isr) || !IsRunning(NodeName(w, id))) continue;
      return NodeName(w, id);
    }
  }
  return none(fmt::format("{} has no running follower", ref.partition.ToString()));
}

namespace {

// '*' matches any run of characters; everything else itself.
bool GlobMatch(std::string_view pattern, std::string_view text) {
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = std::string_view::npos;
  std::size_t resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace

std::string MissingPrintedLine(const std::string& text, const std::vector<std::string>& lines) {
  std::vector<std::string_view> printed;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    printed.emplace_back(text.data() + start, end - start);
    start = end + 1;
  }
  std::size_t at = 0;
  for (const std::string& want : lines) {
    while (at < printed.size() && !GlobMatch(want, printed[at])) ++at;
    if (at == printed.size()) {
      return fmt::format("expected the line '{}' in what it printed{}:\n{}", want,
                         &want == &lines.front() ? "" : " (after the lines before it)", text);
    }
    ++at;
  }
  return "";
}

void Runner::FailStep(const Step& step, const std::string& why) {
  std::string text = step.json_path;
  if (step.line > 0) text += fmt::format(" (line {})", step.line);
  text += ": " + why;
  Note("scenario", trace_kind::kScenarioStepFailed, "step failed: " + text);
  step_failures_.push_back(std::move(text));
  view_dirty_ = true;
}

bool Runner::RunStep(const Step& step, std::size_t index) {
  StepAction action = step.action;
  if (!step.nodes.empty()) {
    std::vector<std::string> names;
    for (const NodeRef& ref : step.nodes) {
      Result<std::string> node = Resolve(ref);
      if (!node.ok()) {
        FailStep(step, fmt::format("{} {}: {}", ActionVerb(step.action), ref.ToString(),
                                   node.status().message()));
        return false;
      }
      if (!ref.as.empty()) names_[ref.as] = *node;
      if (ref.kind != NodeRef::Kind::kNamed) {
        Note("scenario", trace_kind::kScenarioResolve,
             fmt::format("{} {} = {}{}", ActionVerb(step.action), ref.ToString(), *node,
                         ref.as.empty() ? "" : fmt::format(" (${})", ref.as)));
      }
      names.push_back(*node);
    }
    SetNodes(action, names);
    if (names.size() == 2 && names[0] == names[1]) {
      FailStep(step,
               fmt::format("{}: 'from' and 'to' are both {}", ActionVerb(step.action), names[0]));
      return false;
    }
  }
  std::visit(Overloaded{
                 [&](const SayAction& a) {
                   const std::string text = WithNames(a.text);
                   narration_ = text;
                   Note("narrator", trace_kind::kScenarioSay, text);
                 },
                 [&](const PauseAction&) { pause_hit_ = true; },
                 [&](const PickAction&) {},
                 [&](const PartitionAction& a) {
                   std::vector<std::vector<NodeIndex>> groups;
                   for (const auto& g : a.groups) {
                     groups.emplace_back();
                     for (const auto& name : g) groups.back().push_back(sim().FindNode(name));
                   }
                   sim().network().Partition(groups);
                   TraceEvent e;
                   e.time = sim().Now();
                   e.kind = trace_kind::kNetworkPartition;
                   std::vector<std::string> parts;
                   for (const auto& g : a.groups)
                     parts.push_back(fmt::format("[{}]", fmt::join(g, ", ")));
                   e.text = fmt::format("the network splits into {}", fmt::join(parts, " | "));
                   sim().trace().Emit(std::move(e));
                 },
                 [&](const RunAction& a) {
                   Note("tool", trace_kind::kToolRun, "$ " + a.command_line);
                   if (a.prints.empty()) {
                     Execute(a.command, a.command_line, nullptr);
                     return;
                   }
                   const std::size_t slot = prints_pending_.size();
                   prints_pending_.push_back(index);
                   Execute(a.command, a.command_line,
                           [this, slot, index](const CommandOutput& out) {
                             prints_pending_[slot] = kNoStep;
                             const Step& s = scenario_.steps[index];
                             const std::string why =
                                 MissingPrintedLine(out.text, std::get<RunAction>(s.action).prints);
                             if (!why.empty()) FailStep(s, why);
                           });
                 },
                 [&](const Expect& e) { StartExpect(e, check_of_step_[index]); },
                 [&](const auto& fault) { Execute(ToolCommand(fault), "", nullptr); },
             },
             action);
  return true;
}

// "$name" in a text becomes the node it names (once the step that gives the name ran).
std::string Runner::WithNames(std::string text) const {
  for (const auto& [name, node] : names_) {
    const std::string key = "$" + name;
    std::size_t at = text.find(key);
    while (at != std::string::npos) {
      const std::size_t end = at + key.size();
      const bool whole = end >= text.size() ||
                         !(std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_');
      if (whole) text.replace(at, key.size(), node);
      at = text.find(key, whole ? at + node.size() : at + 1);
    }
  }
  return text;
}

std::string Runner::DescribeResolved(const ExpectCondition& condition) {
  return DescribeCondition(condition, [this](const NodeRef& ref) {
    if (ref.kind == NodeRef::Kind::kNamed) return ref.name;
    // A role in an expectation is evaluated at every check; a name is fixed once given.
    if (ref.kind != NodeRef::Kind::kVariable && ref.kind != NodeRef::Kind::kPreferredReplicaOf) {
      return ref.ToString();
    }
    Result<std::string> node = Resolve(ref);
    return node.ok() ? fmt::format("{} ({})", ref.ToString(), *node) : ref.ToString();
  });
}

bool Runner::Holds(const ExpectCondition& condition, std::size_t check, std::string* seen) {
  // The cluster the condition is about: its partition's, its client's, its node's.
  World& w = std::visit(
      [this](const auto& e) -> World& {
        if constexpr (requires { e.partition.topic; }) return WorldOf(e.partition.topic);
        if constexpr (requires { e.client; }) return WorldOfClient(e.client);
        if constexpr (requires { e.node; }) {
          return WorldOf(e.node.is_role() ? e.node.name + "/" : e.node.name);
        }
        if constexpr (std::is_same_v<std::decay_t<decltype(e)>, GroupExpect>) {
          if (e.partition) return WorldOf(e.partition->topic);
          if (e.owner) return WorldOfClient(*e.owner);
        }
        return *worlds_.front();
      },
      condition);
  // The node.id a ref names now, or -2 (matches nobody) with the reason in *why.
  const auto id_of = [&](const NodeRef& ref, std::string* why) {
    Result<std::string> name = Resolve(ref);
    if (!name.ok()) {
      *why = name.status().message();
      return -2;
    }
    const NodeSpec* spec = w.scenario().FindNode(*name);
    return spec ? spec->node_id : -2;
  };
  return std::visit(
      Overloaded{
          [&](const LeaderOfExpect& e) {
            const kafka::MetadataImage* image = w.BestImage();
            const kafka::PartitionRegistration* p =
                image ? image->Partition(Local(e.partition.topic), e.partition.partition) : nullptr;
            const int leader = p ? p->leader : -1;
            *seen = leader < 0 ? "no leader" : fmt::format("leader broker-{}", leader);
            std::string why;
            const int want =
                e.relation == LeaderOfExpect::Relation::kNone ? -2 : id_of(e.node, &why);
            if (!why.empty()) *seen += fmt::format(" ({})", why);
            switch (e.relation) {
              case LeaderOfExpect::Relation::kIs:
                return leader == want;
              case LeaderOfExpect::Relation::kNot:
                return leader >= 0 && leader != want;
              case LeaderOfExpect::Relation::kNone:
                return p != nullptr && leader < 0;
            }
            return false;
          },
          [&](const IsrOfExpect& e) {
            const kafka::MetadataImage* image = w.BestImage();
            const kafka::PartitionRegistration* p =
                image ? image->Partition(Local(e.partition.topic), e.partition.partition) : nullptr;
            std::vector<std::int32_t> isr = p ? p->isr : std::vector<std::int32_t>{};
            std::sort(isr.begin(), isr.end());
            *seen = fmt::format("ISR [{}]", fmt::join(isr, ","));
            if (p == nullptr) return false;
            const auto in_isr = [&](std::int32_t id) {
              return std::binary_search(isr.begin(), isr.end(), id);
            };
            bool ok = true;
            std::string why;
            if (e.has_equals) {
              std::vector<std::int32_t> want = e.equals;
              if (e.all_replicas) want = p->replicas;
              for (const NodeRef& r : e.equals_refs) want.push_back(id_of(r, &why));
              std::sort(want.begin(), want.end());
              ok = ok && want == isr;
            }
            for (const NodeRef& r : e.excludes) ok = ok && !in_isr(id_of(r, &why));
            for (const NodeRef& r : e.includes) ok = ok && in_isr(id_of(r, &why));
            if (!why.empty()) *seen += fmt::format(" ({})", why);
            return ok;
          },
          [&](const ActiveControllerExpect& e) {
            const std::int32_t id = w.ActiveControllerId();
            *seen =
                id < 0 ? "no active controller" : fmt::format("active controller node.id {}", id);
            if (e.none) return id < 0;
            std::string why;
            const bool is = id_of(e.node, &why) == id;
            if (!why.empty()) *seen += fmt::format(" ({})", why);
            return e.negated ? (id >= 0 && !is) : is;
          },
          [&](const ProduceErrorExpect& e) {
            const auto it = w.history().stats.find(e.client);
            const std::string name(ErrcName(e.error));
            std::int64_t n = 0;
            if (it != w.history().stats.end()) {
              const std::map<std::string, std::int64_t>* by_name = &it->second.errors;
              if (e.partition) {
                const auto p = it->second.partition_errors.find(Local(*e.partition).ToString());
                by_name = p == it->second.partition_errors.end() ? nullptr : &p->second;
              }
              if (by_name != nullptr && by_name->count(name) > 0) n = by_name->at(name);
            }
            *seen = it == w.history().stats.end() || it->second.last_error.empty()
                        ? "no produce error"
                        : "last error " + it->second.last_error;
            return n > 0;
          },
          [&](const ConsumedExpect& e) {
            const auto it = w.history().stats.find(e.client);
            const std::int64_t n = it == w.history().stats.end() ? 0 : it->second.consumed;
            *seen = fmt::format("{} consumed", n);
            return n >= e.at_least && (!e.at_most || n <= *e.at_most);
          },
          [&](const AckedExpect& e) {
            const auto it = w.history().stats.find(e.client);
            const std::int64_t n = it == w.history().stats.end() ? 0 : it->second.acknowledged;
            *seen = fmt::format("{} acknowledged", n);
            return n >= e.at_least && (!e.at_most || n <= *e.at_most);
          },
          [&](const NodeStateExpect& e) {
            Result<std::string> name = Resolve(e.node);
            if (!name.ok()) {
              *seen = name.status().message();
              return false;
            }
            const NodeIndex n = w.sim().FindNode(*name);
            // A client not started yet has no node: it is not running either.
            const NodeState state = n == kNoNode ? NodeState::kStopped : w.sim().GetNodeState(n);
            *seen = NodeStateName(state);
            if (e.is == "down") return state != NodeState::kRunning;
            return e.is == NodeStateName(state);
          },
          [&](const LostAckedExpect& e) {
            std::string first;
            std::int64_t lost = 0;
            // Every producer's (client ""): in every cluster.
            for (const auto& world : worlds_) {
              if (!e.client.empty() && world.get() != &w) continue;
              lost += world->CountLostAcknowledged(e.client, /*acks_all_only=*/false,
                                                   first.empty() ? &first : nullptr);
            }
            *seen = lost == 0 ? "no acknowledged record lost"
                              : fmt::format("{} lost, e.g. {}", lost, first);
            return lost >= e.at_least;
          },
          [&](const LogStartOffsetExpect& e) {
            const kafka::ReplicaLog* log = w.LeaderLog(Local(e.partition));
            *seen = log == nullptr ? "no running leader"
                                   : fmt::format("log start offset {}", log->log_start_offset());
            return log != nullptr && log->log_start_offset() >= e.at_least;
          },
          [&](const GroupExpect& e) {
            GroupExpect local = e;
            if (local.partition) local.partition = Local(*local.partition);
            return CheckGroup(w, local, seen);
          },
          [&](const RecordsInLogExpect& e) {
            const kafka::ReplicaLog* log = w.LeaderLog(Local(e.partition));
            if (log == nullptr) {
              *seen = "no running leader";
              return false;
            }
            const std::int64_t records = CountRecords(*log);
            *seen = fmt::format("{} record(s) in offsets [{}, {}) in {} segment(s)", records,
                                log->log_start_offset(), log->log_end_offset(),
                                log->Describe().segments.size());
            return records <= e.at_most;
          },
          [&](const MirrorExpect& e) {
            const kafka::MirrorStats::Flow* flow = nullptr;
            for (const MirrorMaker& m : mirror_makers_) {
              for (const kafka::MirrorStats::Flow& f : m.stats->flows) {
                if (f.source + "->" + f.target == e.flow) flow = &f;
              }
            }
            if (flow == nullptr) {
              *seen = "MirrorMaker 2 not started yet";
              return false;
            }
            // Lag against the source as it is, not as the worker last saw it: with the region
            // cut the worker's view stands still while the source's leaders go on appending.
            World& source = WorldOf(flow->source + "/");
            std::int64_t lag = 0;
            for (const auto& [tp, p] : flow->partitions) {
              const kafka::ReplicaLog* log = source.LeaderLog(PartitionRef{tp.topic, tp.partition});
              const std::int64_t end = log != nullptr ? log->high_watermark() : p.source_end;
              lag += std::max<std::int64_t>(0, end - p.replicated);
            }
            *seen = fmt::format("lag {}, {} record(s) mirrored, {} checkpoint(s)", lag,
                                flow->records, flow->checkpoints);
            return (!e.lag_at_most || lag <= *e.lag_at_most) &&
                   (!e.lag_at_least || lag >= *e.lag_at_least) &&
                   (!e.records_at_least || flow->records >= *e.records_at_least) &&
                   (!e.checkpoints_at_least || flow->checkpoints >= *e.checkpoints_at_least);
          },
          [&](const TopicsExpect& e) {
            World& cluster = e.cluster.empty() ? *worlds_.front() : WorldOf(e.cluster + "/");
            const kafka::MetadataImage* image = cluster.BestImage();
            std::vector<std::string> names;
            if (image != nullptr) {
              for (const auto& [name, t] : image->topics()) names.push_back(name);
            }
            std::sort(names.begin(), names.end());
            *seen = names.empty() ? "no topics" : fmt::format("{}", fmt::join(names, ", "));
            return names == e.equals;
          },
          [&](const TopicConfigExpect& e) {
            // As the controller's metadata holds the overrides (kafka-configs.sh --describe).
            const kafka::MetadataImage* image = WorldOf(e.topic).BestImage();
            const kafka::TopicImage* topic =
                image == nullptr ? nullptr : image->Topic(Local(e.topic));
            if (topic == nullptr) {
              *seen = "no topic " + e.topic;
              return false;
            }
            std::vector<std::string> shown;
            for (const auto& [name, value] : topic->configs) shown.push_back(name + "=" + value);
            *seen = shown.empty() ? "no overrides" : fmt::format("{}", fmt::join(shown, ", "));
            for (const auto& [name, value] : e.config) {
              const auto it = topic->configs.find(name);
              const std::optional<std::string> have =
                  it == topic->configs.end() ? std::nullopt : std::optional(it->second);
              if (have != value) return false;
            }
            return true;
          },
          [&](const FirstConsumedOffsetExpect& e) {
            const std::optional<std::int64_t> first =
                w.ledger().FirstConsumed(e.client, Local(e.partition));
            if (first) {
              *seen = fmt::format("first record at offset {}", *first);
              return *first >= e.at_least;
            }
            *seen = "nothing consumed from " + e.partition.ToString();
            return false;
          },
          [&](const KeyInPartitionExpect& e) {
            // World tracks every key a key_in_partition expectation of the scenario names.
            const std::set<std::int32_t> partitions = w.ledger()
                                                          .KeyPartitions(e.client, e.key, e.since)
                                                          .value_or(std::set<std::int32_t>{});
            *seen = partitions.empty()
                        ? "no acknowledged record with that key"
                        : fmt::format("partitions {{{}}}", fmt::join(partitions, ","));
            return partitions == std::set<std::int32_t>{e.partition};
          },
          [&](const ProbeExpect& e) {
            const auto it = w.sim().probes().find(e.name);
            const std::uint64_t now = it == w.sim().probes().end() ? 0 : it->second;
            const std::uint64_t base = probe_base_.count(check) ? probe_base_.at(check) : 0;
            *seen = now > base ? fmt::format("hit {} time(s)", now - base) : "never hit";
            return now > base;
          },
      },
      condition);
}

void Runner::Settle(std::size_t check, bool ok, const std::string& detail) {
  view::CheckView& c = checks_[check];
  if (c.settled) return;
  c.settled = true;
  c.ok = ok;
  c.broken_at = sim().Now();
  std::string text = ok ? fmt::format("PASS {}", c.name)
                        : fmt::format("FAIL expected {}, but saw {}", c.name, detail);
  if (!c.detail.empty() && ok) text += fmt::format(" ({})", c.detail);
  c.broken_at_event =
      Note("expect", ok ? trace_kind::kExpectPass : trace_kind::kExpectFail, std::move(text));
  c.seen = detail;
  c.detail = ok ? c.because : fmt::format("expected {}, but saw {}", c.name, detail);
}

// Topics declared in the file are created through the admin client as soon as every broker
// is registered and unfenced, like the quickstart's first command after the servers start.
// Until then this re-arms itself every 100 ms.
void Runner::CreateDeclaredTopics(std::size_t world_index) {
  World& world = *worlds_[world_index];
  const kafka::MetadataImage* image = world.BestImage();
  int unfenced = 0;
  if (image != nullptr) {
    for (const auto& [id, b] : image->brokers()) unfenced += b.fenced ? 0 : 1;
  }
  if (unfenced < world.scenario().cluster.brokers) {
    sim().Schedule(sim().Now() + Milliseconds(100),
                   [this, world_index] { CreateDeclaredTopics(world_index); });
    return;
  }
  for (const Topic& t : world.scenario().topics) {
    if (t.mirrored) continue;  // MirrorMaker 2 creates it
    TopicsCommand c;
    c.action = TopicsCommand::Action::kCreate;
    c.topic = t.name;
    c.partitions = t.partitions;
    c.replication_factor = t.replication_factor;
    if (!t.replica_assignment.empty()) {
      c.partitions.reset();
      c.replication_factor.reset();
      c.replica_assignment = t.replica_assignment;
    }
    for (const auto& [k, v] : t.config.explicit_values()) c.configs.emplace_back(k, v);
    world.Execute(c, "", nullptr);
  }
}

void Runner::StartExpect(const Expect& expect, std::size_t check) {
  Simulation& sim = this->sim();
  const Time deadline = sim.Now() + expect.delay;
  view::CheckView& c = checks_[check];
  c.name = DescribeResolved(expect.condition);
  c.because = WithNames(expect.because);
  c.detail = c.because;
  c.deadline = deadline;
  view_dirty_ = true;
  if (const auto* probe = std::get_if<ProbeExpect>(&expect.condition)) {
    const auto it = sim.probes().find(probe->name);
    probe_base_[check] = it == sim.probes().end() ? 0 : it->second;
  }
  if (expect.timing == Expect::Timing::kAt) {
    sim.Schedule(deadline, [this, expect, check] {
      std::string seen;
      const bool ok = Holds(expect.condition, check, &seen);
      Settle(check, ok, seen);
      if (ok) ExplainPass(expect, seen);
    });
    return;
  }
  sim.Schedule(sim.Now(), [this, expect, check, deadline] { Poll(expect, check, deadline); });
}

// Some passes teach more with what was seen: which acknowledged record was lost.
void Runner::ExplainPass(const Expect& expect, const std::string& seen) {
  if (!std::holds_alternative<LostAckedExpect>(expect.condition)) return;
  Note("expect", trace_kind::kExpectDetail, "lost: " + seen);
}

// A `within` expectation re-arms itself every kPollInterval until it holds or its deadline
// passes. Each poll schedules a fresh closure (no self-referencing closure, nothing leaks
// when the run ends with polls still queued).
void Runner::Poll(const Expect& expect, std::size_t check, Time deadline) {
  std::string seen;
  if (Holds(expect.condition, check, &seen)) {
    Settle(check, true, seen);
    return ExplainPass(expect, seen);
  }
  Simulation& sim = this->sim();
  if (sim.Now() >= deadline) return Settle(check, false, seen);
  sim.Schedule(std::min(deadline, sim.Now() + kPollInterval),
               [this, expect, check, deadline] { Poll(expect, check, deadline); });
}

// Guarantees are checked right after an event that could break them, once per moment, from
// the event queue (not inside the node handler that emitted the event).
const Runner::KindInterest& Runner::InterestIn(const std::string& kind) {
  if (last_interest_ == nullptr || last_interest_->first != kind) {
    auto it = interest_by_kind_.find(kind);
    if (it == interest_by_kind_.end()) it = interest_by_kind_.emplace(kind, KindInterest{}).first;
    last_interest_ = &*it;
  }
  KindInterest& interest = last_interest_->second;
  if (interest.by_guarantee.size() != guarantees_.size()) {
    interest.by_guarantee.assign(guarantees_.size(), 0);
    interest.any = false;
    for (std::size_t i = 0; i < guarantees_.size(); ++i) {
      std::uint8_t& flags = interest.by_guarantee[i];
      if (guarantees_[i]->Observes(kind)) flags |= KindInterest::kObserves;
      if (guarantees_[i]->TriggeredBy(kind)) flags |= KindInterest::kTriggers;
      interest.any = interest.any || flags != 0;
    }
  }
  return interest;
}

void Runner::OnTraceForGuarantees(const TraceEvent& e) {
  const KindInterest& interest = InterestIn(e.kind);
  if (!interest.any) return;
  guarantee_due_.resize(guarantees_.size());
  guarantee_scope_.resize(guarantees_.size());
  bool relevant = false;
  // The partition the event names, parsed once for all the guarantees it triggers; an event
  // naming none (or not topic-index) widens their scopes to every partition.
  // (A plain pair and a flag: GCC 12 sees an optional's payload as maybe uninitialised.)
  std::pair<std::string_view, std::int32_t> named{{}, -1};
  bool looked_up = false;
  for (std::size_t i = 0; i < guarantees_.size(); ++i) {
    const std::uint8_t flags = interest.by_guarantee[i];
    if (flags == 0 || checks_[guarantees_first_check_ + i].settled) continue;
    if ((flags & KindInterest::kObserves) != 0) guarantees_[i]->Observe(e);
    if ((flags & KindInterest::kTriggers) == 0) continue;
    guarantee_due_[i] = true;
    relevant = true;
    if (!looked_up) {
      looked_up = true;
      const TraceValue* partition = e.Field("partition");
      const std::string* name = partition ? std::get_if<std::string>(partition) : nullptr;
      if (name != nullptr) named = PartitionScope::Parse(*name).value_or(named);
    }
    if (named.second >= 0) {
      guarantee_scope_[i].Add(named.first, named.second);
    } else {
      guarantee_scope_[i].AddEverything();
    }
  }
  if (!relevant || guarantee_check_scheduled_) return;
  guarantee_check_scheduled_ = true;
  sim().Schedule(sim().Now(), [this] { CheckGuarantees(); });
}

void Runner::CheckGuarantees() {
  guarantee_check_scheduled_ = false;
  guarantee_due_.resize(guarantees_.size());
  guarantee_scope_.resize(guarantees_.size());
  for (std::size_t i = 0; i < guarantees_.size(); ++i) {
    if (!guarantee_due_[i]) continue;
    guarantee_due_[i] = false;
    // Swapped out, not moved, so both scopes keep their storage for the next instants.
    PartitionScope& scope = checking_scope_;
    std::swap(scope, guarantee_scope_[i]);
    guarantee_scope_[i].Clear();
    view::CheckView& c = checks_[guarantees_first_check_ + i];
    if (c.settled) continue;  // reported once, at the event that broke it
    std::optional<std::string> broken = guarantees_[i]->Check(*worlds_[guarantee_world_[i]], scope);
    if (!broken) continue;
    c.settled = true;
    c.ok = false;
    c.broken_at = sim().Now();
    c.seen = *broken;
    c.detail = "broken: " + *broken;
    c.broken_at_event = Note("guarantee", trace_kind::kGuaranteeBroken,
                             fmt::format("BROKEN {}: {}", c.name, *broken));
    view_dirty_ = true;
  }
}

bool Runner::RunToEnd(Time until) {
  Simulation& sim = this->sim();
  const Time end = std::min(until, scenario_.end);
  while (!sim.idle() && sim.NextEventTime() <= end) {
    sim.Step();
    if (OverBudget()) return false;
  }
  sim.RunUntil(end);
  for (std::size_t& index : prints_pending_) {
    if (index == kNoStep) continue;
    FailStep(scenario_.steps[index],
             "the command had not answered by the end of the run, so what it prints could not "
             "be checked");
    index = kNoStep;
  }
  bool ok = true;
  for (std::size_t i = 0; i < checks_.size(); ++i) {
    if (checks_[i].continuous) continue;  // guarantees are reported, expectations decide
    if (!checks_[i].settled) Settle(i, false, "the run ended first");
    ok = ok && checks_[i].ok;
  }
  return ok && MissingProbes().empty() && step_failures_.empty();
}

std::vector<std::string> Runner::MissingProbes() const {
  std::vector<std::string> missing;
  for (const std::string& p : scenario_.probes) {
    if (sim().probes().count(p) == 0) missing.push_back(p);
  }
  return missing;
}

void Runner::SetDetailedPartition(const std::string& name) {
  if (name == detailed_partition_) return;
  detailed_partition_ = name;
  view_dirty_ = true;
}

const view::WorldView& Runner::View() {
  if (view_dirty_) {
    // With several clusters the detailed partition is named "CLUSTER/topic-N": only that
    // cluster's world describes it, under its own topic name.
    const auto detailed_in = [this](std::size_t w) -> std::string_view {
      if (worlds_.size() == 1) return detailed_partition_;
      const std::string prefix = scenario_.clusters[w].name + "/";
      if (detailed_partition_.rfind(prefix, 0) != 0) return {};
      return std::string_view(detailed_partition_).substr(prefix.size());
    };
    worlds_.front()->BuildView(view_, detailed_in(0));
    // Several clusters: every cluster's nodes, topics (as CLUSTER/TOPIC), clients and groups;
    // messages, cuts and the quorum as the first world sees them (the network is shared).
    for (std::size_t w = 0; w < worlds_.size() && worlds_.size() > 1; ++w) {
      view::WorldView other = w == 0 ? view::WorldView{} : worlds_[w]->BuildView(detailed_in(w));
      view::WorldView& from = w == 0 ? view_ : other;
      for (view::TopicView& t : from.topics) {
        t.name = scenario_.clusters[w].name + "/" + t.name;
        for (view::PartitionView& p : t.partitions) p.topic = t.name;
      }
      for (view::ClientView& c : from.clients) {
        c.topic = scenario_.clusters[w].name + "/" + c.topic;
      }
      for (view::NodeView& n : from.nodes) n.cluster = scenario_.clusters[w].name;
      if (w == 0) continue;
      for (auto& n : other.nodes) view_.nodes.push_back(std::move(n));
      for (auto& t : other.topics) view_.topics.push_back(std::move(t));
      for (auto& c : other.clients) view_.clients.push_back(std::move(c));
      for (auto& g : other.groups) view_.groups.push_back(std::move(g));
    }
    // The merged topics are not one image's: nobody may take them as kept.
    if (worlds_.size() > 1) view_.topics_source = view::TopicsSource{};
    AddMirrorFlowsView(view_);
    SampleCounters(view_.now);
    meters_.AddTo(view_.now, view_.metrics);
    view_.checks = checks_;
    view_.narration = narration_;
    view_.paused_at_step = pause_hit_;
    view_.stopped = stopped_;
    view_dirty_ = false;
  }
  return view_;
}

// Each flow's stats, and whether its worker runs and reaches both clusters.
void Runner::AddMirrorFlowsView(view::WorldView& v) {
  v.mirror_flows.clear();
  for (const MirrorMaker& m : mirror_makers_) {
    bool running = false;
    for (const view::NodeView& n : v.nodes) {
      if (n.index == m.node) running = n.state == NodeState::kRunning;
    }
    for (const kafka::MirrorStats::Flow& f : m.stats->flows) {
      view::MirrorFlowView fv;
      fv.source = f.source;
      fv.target = f.target;
      fv.worker = m.node;
      fv.records = f.records;
      // Against the source leaders' real high watermarks, as the `mirror` expectation measures
      // it: with the region cut, the worker's own view of the source stands still.
      World& source = WorldOf(f.source + "/");
      for (const auto& [tp, p] : f.partitions) {
        const kafka::ReplicaLog* log = source.LeaderLog(PartitionRef{tp.topic, tp.partition});
        const std::int64_t end = log != nullptr ? log->high_watermark() : p.source_end;
        fv.lag += std::max<std::int64_t>(0, end - p.replicated);
      }
      fv.checkpoints = f.checkpoints;
      fv.remote_topics.assign(f.remote_topics.begin(), f.remote_topics.end());
      fv.worker_running = running;
      // Reachable: some node of the cluster and the worker can exchange messages (a cut link
      // or a cut between the regions blocks every one).
      const Network& net = sim().network();
      const auto reaches = [&](const std::string& cluster) {
        for (const view::NodeView& n : v.nodes) {
          if (n.cluster != cluster || n.index == kNoNode || n.index == m.node) continue;
          if (!net.IsBlocked(m.node, n.index) && !net.IsBlocked(n.index, m.node)) return true;
        }
        return false;
      };
      fv.source_reachable = reaches(f.source);
      fv.target_reachable = reaches(f.target);
      v.mirror_flows.push_back(std::move(fv));
    }
  }
}

// Rates are fed as the run goes (a rewind re-executes, so they replay too). Broker counters
// are read once per virtual instant that has trace events, which bounds the cost.
void Runner::OnTraceForMeters(const TraceEvent& event) {
  meters_.OnTrace(event);
  if (event.time != counters_sampled_at_) SampleCounters(event.time);
}

void Runner::SampleCounters(Time now) {
  counters_sampled_at_ = now;
  if (worlds_.size() > 1) {
    for (const auto& world : worlds_) {
      for (NodeIndex n : world->servers()) {
        const int key = static_cast<int>(n);
        kafka::KafkaNode* s = world->Server(n);
        if (s == nullptr) {
          meters_.failed_produce_requests.Reset(key);
        } else {
          meters_.failed_produce_requests.Sample(now, key, s->counters().failed_produce_requests);
        }
      }
    }
    return;
  }
  const int servers = static_cast<int>(scenario_.cluster.nodes.size());
  for (int i = 0; i < servers; ++i) {  // the cluster's nodes come first, in scenario order
    kafka::KafkaNode* s = worlds_.front()->Server(static_cast<NodeIndex>(i));
    if (s == nullptr) {
      meters_.failed_produce_requests.Reset(i);
    } else {
      meters_.failed_produce_requests.Sample(now, i, s->counters().failed_produce_requests);
    }
  }
}

bool Runner::OverBudget() {
  if (!stopped_.empty()) return true;
  if (!options_.budget || ++events_since_budget_check_ < RunOptions::kBudgetCheckEvents) {
    return false;
  }
  events_since_budget_check_ = 0;
  const std::string why = options_.budget();
  if (why.empty()) return false;
  const Simulation& sim = this->sim();
  stopped_ =
      fmt::format("stopped at virtual time {} (of {}) after {} events: {}", FormatTime(sim.Now()),
                  FormatTime(scenario_.end), sim.events_executed(), why);
  view_dirty_ = true;
  return true;
}

bool Runner::StepEvent() {
  view_dirty_ = true;
  if (!stopped_.empty() || sim().NextEventTime() > scenario_.end) return false;
  const bool stepped = sim().Step();
  OverBudget();
  return stepped;
}

bool Runner::AdvanceTo(Time t, std::uint64_t events_max) { return AdvanceUntil(t, events_max, {}); }

bool Runner::AdvanceUntil(Time t, std::uint64_t events_max,
                          const std::function<bool()>& out_of_time) {
  // How many events run between two questions to out_of_time (a clock read, for the GUI).
  constexpr std::uint64_t kEventsBetweenAsks = 4;
  view_dirty_ = true;
  pause_hit_ = false;
  Simulation& sim = this->sim();
  const Time target = std::min(t, scenario_.end);
  for (std::uint64_t i = 0; i < events_max; ++i) {
    // A stopped run goes no further: "done", so that callers looping until done end.
    if (!stopped_.empty()) return true;
    if (sim.idle() || sim.NextEventTime() > target) {
      sim.RunUntil(target);
      return true;
    }
    if (out_of_time && i > 0 && i % kEventsBetweenAsks == 0 && out_of_time()) return false;
    sim.Step();
    if (OverBudget()) return true;
    if (pause_hit_) return false;
  }
  return false;
}

bool Runner::StepToNextInteresting(std::uint64_t events_max) {
  view_dirty_ = true;
  Simulation& sim = this->sim();
  const std::uint64_t start = sim.trace().size();
  for (std::uint64_t i = 0; i < events_max; ++i) {
    if (!stopped_.empty() || sim.NextEventTime() > scenario_.end || !sim.Step()) return false;
    if (OverBudget()) return false;
    const auto& events = sim.trace().events();
    for (std::uint64_t k = start; k < events.size(); ++k) {
      for (std::string_view kind : kInterestingKinds) {
        if (events[k].kind == kind) return true;
      }
    }
  }
  return false;
}

void Runner::ApplyInput(const RecordedInput& input,
                        const std::function<void(const CommandOutput&)>& done) {
  Result<ToolCommand> parsed = ParseToolCommand(input.command);
  if (!parsed.ok()) return;
  Note("console", trace_kind::kInputCommand, "$ " + input.command);
  Execute(*parsed, input.command, done);
}

// A command takes effect one nanosecond after now, as an event of its own, which is how a
// rewind (Build) and a saved session replayed (its "inputs") run it too: scheduled at that
// instant, where no other event is, so it runs after everything up to now in every case and
// the three traces agree.
CommandOutput Runner::Submit(const std::string& command) {
  Result<ToolCommand> parsed = ParseToolCommand(command);
  if (!parsed.ok()) return CommandOutput{false, parsed.status().message()};
  Simulation& sim = this->sim();
  const RecordedInput input{sim.Now() + Nanoseconds(1), command};
  inputs_.push_back(input);
  view_dirty_ = true;
  CommandOutput out{true, ""};
  bool answered = false;
  sim.Schedule(input.at, [this, input, &out, &answered] {
    ApplyInput(input, [&out, &answered](const CommandOutput& o) {
      out = o;
      answered = true;
    });
  });
  // What is still due at now (after a single step), then the command.
  while (!sim.idle() && sim.NextEventTime() <= input.at) sim.Step();
  if (!answered) out.text = "(request sent; the answer appears in the event log)";
  return out;
}

void Runner::RewindToTime(Time t) {
  Build();
  // The run being rewound had passed the `pause` steps on the way: re-execution goes through
  // them to the time asked for (each pause step stops AdvanceTo once; there are finitely many).
  while (!AdvanceTo(t, UINT64_MAX)) {
  }
  view_dirty_ = true;
}

void Runner::RewindToEvent(std::uint64_t index) {
  Build();
  Simulation& sim = this->sim();
  while (sim.trace().size() <= index && sim.NextEventTime() <= scenario_.end && sim.Step()) {
  }
  view_dirty_ = true;
}

void Runner::Restart(std::uint64_t seed) {
  options_.seed = seed;
  ResetInputs();
  Build();
}

Status Runner::Open(const std::string& scenario_path) {
  Result<Scenario> loaded = LoadScenario(scenario_path);
  if (!loaded.ok()) return loaded.status();
  scenario_ = std::move(*loaded);
  options_.seed = scenario_.seed;
  ResetInputs();
  Build();
  return Status::Ok();
}

const std::vector<MessageRecord>* Runner::message_log() const {
  return recorder_ ? &recorder_->records() : nullptr;
}

std::string Runner::SaveAsScenario() const {
  nlohmann::ordered_json j;
  std::ifstream in(scenario_.source);
  j = nlohmann::ordered_json::parse(in, nullptr, false);
  if (j.is_discarded()) j = nlohmann::ordered_json::object();
  // The session's commands (the file's own "inputs" first) as "inputs", not as steps: steps
  // run in file order, one after another, while an input runs at its instant, as it did live.
  nlohmann::ordered_json inputs = nlohmann::ordered_json::array();
  for (const RecordedInput& input : inputs_) {
    nlohmann::ordered_json item;
    item["at"] = FormatDuration(input.at - kTimeZero);
    item["run"] = input.command;
    inputs.push_back(item);
  }
  j["inputs"] = inputs;
  j["seed"] = options_.seed;  // a restart may have changed it
  return j.dump(2);
}

std::unique_ptr<SessionControl> OpenSession(const std::string& path, std::int64_t seed_override,
                                            std::string* error,
                                            std::function<std::string()> budget) {
  Result<Scenario> loaded = LoadScenario(path);
  if (!loaded.ok()) {
    if (error != nullptr) *error = loaded.status().message();
    return nullptr;
  }
  RunOptions options;
  options.seed = seed_override >= 0 ? static_cast<std::uint64_t>(seed_override) : loaded->seed;
  options.budget = std::move(budget);
  return std::make_unique<Runner>(std::move(*loaded), std::move(options));
}

}  // namespace kafkasim::scenario
