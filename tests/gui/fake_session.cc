// The fabricated session: a tick-driven imitation of a KRaft cluster for GUI work.
#include "fake_session.h"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>

#include "engine/assert.h"

namespace kafkasim::gui {
namespace {

constexpr int kMinInsyncReplicas = 2;
constexpr Duration kReplicaLagTimeMax = Milliseconds(300);
constexpr std::int64_t kSegmentRecords = 1000;
constexpr std::int64_t kBytesPerRecord = 90;

std::vector<std::string> Words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

}  // namespace

FakeSession::FakeSession(FakeOptions options) : options_(options) { Reset(options_.seed); }

FakeSession::~FakeSession() = default;

void FakeSession::Reset(std::uint64_t seed) {
  options_.seed = seed;
  trace_ = std::make_unique<Trace>();
  rng_ = Rng::Stream(seed, "fake-session");
  now_ = kTimeZero;
  next_tick_ = kTimeZero + kTick;
  ticks_ = events_ = 0;
  nodes_.clear();
  for (int c = 1; c <= options_.controllers; ++c) {
    nodes_.push_back({fmt::format("controller-{}", c), view::NodeRole::kController, 1000 + c,
                      NodeState::kRunning});
  }
  for (int b = 1; b <= options_.brokers; ++b) {
    nodes_.push_back(
        {fmt::format("broker-{}", b), view::NodeRole::kBroker, b, NodeState::kRunning});
  }
  nodes_.push_back({"producer-1", view::NodeRole::kClient, -1, NodeState::kRunning});
  nodes_.push_back({"consumer-1", view::NodeRole::kClient, -1, NodeState::kRunning});
  partitions_.assign(static_cast<std::size_t>(options_.partitions), FakePartition{});
  const int rf = std::min(options_.replication_factor, options_.brokers);
  for (int p = 0; p < options_.partitions; ++p) {
    FakePartition& part = partitions_[static_cast<std::size_t>(p)];
    for (int r = 0; r < rf; ++r) part.replicas.push_back((p + r) % options_.brokers + 1);
    part.isr = part.replicas;
    part.leader = part.replicas.front();
    for (int id : part.replicas) part.log_end_offset[id] = 0;
    part.leader_epochs.push_back({0, 0});
  }
  cut_.clear();
  in_flight_.clear();
  records_.clear();
  inputs_applied_ = 0;
  crashed_at_.clear();
  narration_.clear();
  paused_at_step_ = pause_hit_ = false;
  produced_ = acknowledged_ = failed_ = consumed_ = 0;
  isr_shrinks_ = isr_expands_ = elections_ = 0;
  view_dirty_ = true;
  Emit("", "scenario.start",
       fmt::format("fake cluster: {} controllers, {} brokers, topic cities "
                   "with {} partitions",
                   options_.controllers, options_.brokers, options_.partitions));
}

void FakeSession::Emit(const std::string& node, std::string kind, std::string text) {
  TraceEvent event;
  event.time = now_;
  event.node = node;
  event.kind = std::move(kind);
  event.text = std::move(text);
  trace_->Emit(std::move(event));
}

NodeIndex FakeSession::Find(const std::string& name) const {
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].name == name) return static_cast<NodeIndex>(i);
  }
  return kNoNode;
}

NodeIndex FakeSession::BrokerNode(int broker_id) const {
  return static_cast<NodeIndex>(options_.controllers + broker_id - 1);
}

bool FakeSession::BrokerUp(int broker_id) const {
  return nodes_[BrokerNode(broker_id)].state == NodeState::kRunning;
}

bool FakeSession::Linked(NodeIndex a, NodeIndex b) const {
  return !std::binary_search(cut_.begin(), cut_.end(), std::make_pair(a, b));
}

void FakeSession::Send(NodeIndex from, NodeIndex to, kafka::MessageKind kind, std::string label) {
  const Duration latency = Microseconds(rng_.UniformRange(800, 3000));
  scenario::MessageRecord record{nodes_[from].name, nodes_[to].name, kind, now_,
                                 now_ + latency,    label,           {}};
  const bool lost = nodes_[from].state != NodeState::kRunning ||
                    nodes_[to].state != NodeState::kRunning || !Linked(from, to);
  record.outcome = lost ? scenario::MessageOutcome::kDropped : scenario::MessageOutcome::kInFlight;
  records_.push_back(std::move(record));
  if (lost) return;
  in_flight_.push_back(
      {{from, to, kind, now_, now_ + latency, std::move(label)}, records_.size() - 1});
}

void FakeSession::SettleMessages() {
  std::erase_if(in_flight_, [this](const InFlight& f) {
    const bool lost =
        nodes_[f.message.to].state != NodeState::kRunning || !Linked(f.message.from, f.message.to);
    if (lost) {
      records_[f.record].outcome = scenario::MessageOutcome::kDropped;
      return true;
    }
    if (f.message.deliver_at > now_) return false;
    records_[f.record].outcome = scenario::MessageOutcome::kDelivered;
    return true;
  });
}

void FakeSession::Crash(NodeIndex node) {
  nodes_[node].state = NodeState::kCrashed;
  Emit(nodes_[node].name, "node.crash", "crashed (volatile state lost)");
  if (nodes_[node].role == view::NodeRole::kBroker) {
    crashed_at_[nodes_[node].id] = now_;
    ElectLeaders(fmt::format("{} crashed", nodes_[node].name));
  }
}

void FakeSession::Recover(NodeIndex node) {
  if (nodes_[node].state == NodeState::kRunning) return;
  nodes_[node].state = NodeState::kRunning;
  Emit(nodes_[node].name, "node.restart", "restarted and recovered its log from disk");
  ElectLeaders("a replica came back");
}

// Moves leadership off unreachable brokers to the first live ISR member (clean election).
void FakeSession::ElectLeaders(const std::string& reason) {
  for (std::size_t p = 0; p < partitions_.size(); ++p) {
    FakePartition& part = partitions_[p];
    if (part.leader >= 0 && BrokerUp(part.leader)) continue;
    const int old = part.leader;
    part.leader = -1;
    for (int id : part.isr) {
      if (BrokerUp(id)) {
        part.leader = id;
        break;
      }
    }
    if (part.leader == old) continue;
    ++part.leader_epoch;
    ++part.partition_epoch;
    elections_ += 1;
    if (part.leader < 0) {
      Emit("controller-1", "partition.offline",
           fmt::format("cities-{} has no leader: no live replica in the ISR ({})", p, reason));
      continue;
    }
    part.leader_epochs.push_back({part.leader_epoch, part.log_end_offset[part.leader]});
    part.high_watermark = std::min(part.high_watermark, part.log_end_offset[part.leader]);
    Emit(fmt::format("broker-{}", part.leader), "partition.leader",
         fmt::format("became leader of cities-{} at leader_epoch {} ({})", p, part.leader_epoch,
                     reason));
  }
}

void FakeSession::ReplicateAndTrackIsr() {
  for (std::size_t p = 0; p < partitions_.size(); ++p) {
    FakePartition& part = partitions_[p];
    if (part.leader < 0) continue;
    const std::int64_t leader_leo = part.log_end_offset[part.leader];
    for (int id : part.replicas) {
      if (id == part.leader || !BrokerUp(id)) continue;
      auto& leo = part.log_end_offset[id];
      leo = std::min(leader_leo, leo + 40);  // a follower fetch catches up 40 records a tick
      const bool in_isr = std::find(part.isr.begin(), part.isr.end(), id) != part.isr.end();
      if (!in_isr && leo == leader_leo) {
        part.isr.push_back(id);
        std::sort(part.isr.begin(), part.isr.end());
        ++part.partition_epoch;
        isr_expands_ += 1;
        Emit(fmt::format("broker-{}", part.leader), "isr.expand",
             fmt::format("added broker-{} to the ISR of cities-{}: caught up to offset {}", id, p,
                         leo));
      }
    }
    std::int64_t hw = leader_leo;
    for (int id : part.isr) hw = std::min(hw, part.log_end_offset[id]);
    part.high_watermark = std::max(part.high_watermark, hw);
  }
  for (auto it = crashed_at_.begin(); it != crashed_at_.end();) {
    if (now_ - it->second < kReplicaLagTimeMax) {
      ++it;
      continue;
    }
    for (std::size_t p = 0; p < partitions_.size(); ++p) {
      FakePartition& part = partitions_[p];
      auto pos = std::find(part.isr.begin(), part.isr.end(), it->first);
      if (pos == part.isr.end() || part.leader < 0) continue;
      part.isr.erase(pos);
      ++part.partition_epoch;
      isr_shrinks_ += 1;
      Emit(fmt::format("broker-{}", part.leader), "isr.shrink",
           fmt::format("removed broker-{} from the ISR of cities-{}: no fetch for {}", it->first, p,
                       FormatDuration(kReplicaLagTimeMax)));
    }
    it = crashed_at_.erase(it);
  }
}

void FakeSession::RunTick() {
  now_ = next_tick_;
  next_tick_ = now_ + kTick;
  ++ticks_;
  ++events_;
  view_dirty_ = true;
  SettleMessages();
  if (options_.scripted_faults) {
    if (now_ == kTimeZero + Seconds(1)) {
      narration_ = "broker-1 leads cities-0. Watch what happens when it dies.";
      Emit("", "say", narration_);
    }
    if (now_ == kTimeZero + Milliseconds(2500)) {
      paused_at_step_ = pause_hit_ = true;
      Emit("", "scenario.pause", "paused: press play to crash broker-1");
    }
    if (now_ == kTimeZero + Seconds(3)) Crash(BrokerNode(1));
    if (now_ == kTimeZero + Seconds(8)) Recover(BrokerNode(1));
  }
  // The producer sends one batch of 5 records to one partition per tick, round robin.
  const NodeIndex producer = Find("producer-1"), consumer = Find("consumer-1");
  const std::size_t p = ticks_ % partitions_.size();
  FakePartition& part = partitions_[p];
  if (part.leader >= 0) {
    const NodeIndex leader = BrokerNode(part.leader);
    Send(producer, leader, kafka::MessageKind::kProduce,
         fmt::format("Produce cities-{} 5 records acks=all", p));
    const bool enough_isr = static_cast<int>(part.isr.size()) >= kMinInsyncReplicas;
    if (Linked(producer, leader) && enough_isr) {
      part.log_end_offset[part.leader] += 5;
      produced_ += 5;
      acknowledged_ += 5;
    } else {
      failed_ += 5;
    }
    for (int id : part.replicas) {
      if (id == part.leader || !BrokerUp(id)) continue;
      Send(BrokerNode(id), leader, kafka::MessageKind::kFetch,
           fmt::format("Fetch cities-{} offset={}", p, part.log_end_offset[id]));
    }
    if (ticks_ % 3 == 0) {
      Send(consumer, leader, kafka::MessageKind::kFetch,
           fmt::format("Fetch cities-{} offset={}", p, part.high_watermark));
      consumed_ = std::min<std::int64_t>(consumed_ + 5, produced_);
    }
  }
  if (ticks_ % 50 == 0) {  // broker heartbeats and controller fetches every 250 ms
    for (int b = 1; b <= options_.brokers; ++b) {
      if (BrokerUp(b)) Send(BrokerNode(b), 0, kafka::MessageKind::kHeartbeat, "BrokerHeartbeat");
    }
    for (int c = 1; c < options_.controllers; ++c) {
      Send(static_cast<NodeIndex>(c), 0, kafka::MessageKind::kVote, "Fetch __cluster_metadata-0");
    }
  }
  ReplicateAndTrackIsr();
}

void FakeSession::ApplyInputsBefore(Time t) {
  while (inputs_applied_ < inputs_.size() && inputs_[inputs_applied_].at < t) {
    now_ = std::max(now_, inputs_[inputs_applied_].at);  // the input ran at its own time
    Apply(inputs_[inputs_applied_].command);
    ++inputs_applied_;
  }
}

bool FakeSession::StepEvent() {
  if (next_tick_ > options_.end) return false;
  ApplyInputsBefore(next_tick_);
  RunTick();
  return true;
}

bool FakeSession::AdvanceTo(Time t, std::uint64_t events_max) {
  paused_at_step_ = false;
  pause_hit_ = false;
  view_dirty_ = true;
  for (std::uint64_t n = 0; next_tick_ <= t && n < events_max; ++n) {
    if (!StepEvent()) break;
    if (pause_hit_) return false;
  }
  if (next_tick_ <= std::min(t, options_.end)) return false;  // budget ran out
  ApplyInputsBefore(next_tick_);
  now_ = std::max(now_, std::min(t, options_.end));
  return t <= options_.end;
}

bool FakeSession::StepToNextInteresting(std::uint64_t events_max) {
  paused_at_step_ = false;
  const std::uint64_t start = trace_->size();
  for (std::uint64_t n = 0; n < events_max; ++n) {
    if (!StepEvent()) return false;
    for (std::uint64_t i = start; i < trace_->size(); ++i) {
      const std::string& kind = trace_->events()[i].kind;
      if (kind.starts_with("partition.") || kind.starts_with("isr.") || kind.starts_with("node.")) {
        return true;
      }
    }
  }
  return false;
}

CommandOutput FakeSession::Submit(const std::string& command) {
  CommandOutput out = Apply(command);
  if (out.ok) {
    inputs_.push_back({now_, command});
    inputs_applied_ = inputs_.size();
  }
  view_dirty_ = true;
  return out;
}

CommandOutput FakeSession::Apply(const std::string& command) {
  const std::vector<std::string> w = Words(command);
  if (w.empty()) return {false, "empty command"};
  auto node = [&](std::size_t i) { return i < w.size() ? Find(w[i]) : kNoNode; };
  if ((w[0] == "crash" || w[0] == "restart" || w[0] == "isolate") && w.size() == 2) {
    const NodeIndex n = node(1);
    if (n == kNoNode) return {false, fmt::format("unknown node '{}'", w[1])};
    if (w[0] == "crash") Crash(n);
    if (w[0] == "restart") Recover(n);
    if (w[0] == "isolate") {
      for (std::size_t o = 0; o < nodes_.size(); ++o) {
        if (o == n) continue;
        cut_.push_back({n, static_cast<NodeIndex>(o)});
        cut_.push_back({static_cast<NodeIndex>(o), n});
      }
      Emit(w[1], "link.isolate", "isolated from every other node");
    }
  } else if ((w[0] == "cut" || w[0] == "heal") && w.size() == 3) {
    const NodeIndex a = node(1), b = node(2);
    if (a == kNoNode || b == kNoNode) return {false, "unknown node in '" + command + "'"};
    if (w[0] == "cut") {
      cut_.push_back({a, b});
      cut_.push_back({b, a});
    } else {
      std::erase(cut_, std::make_pair(a, b));
      std::erase(cut_, std::make_pair(b, a));
    }
    Emit("", "link." + w[0], fmt::format("{} the link {} <-> {}", w[0], w[1], w[2]));
  } else if (w[0] == "heal-all" && w.size() == 1) {
    cut_.clear();
    Emit("", "link.heal", "healed every link");
  } else if (w[0] == "kafka-topics.sh" && command.find("--describe") != std::string::npos) {
    std::string text;
    for (std::size_t p = 0; p < partitions_.size(); ++p) {
      const FakePartition& part = partitions_[p];
      std::vector<int> isr = part.isr;
      text += fmt::format("\tTopic: cities\tPartition: {}\tLeader: {}\tReplicas: {}\tIsr: {}\n", p,
                          part.leader, fmt::join(part.replicas, ","), fmt::join(isr, ","));
    }
    return {true, text};
  } else {
    return {false, fmt::format("unknown command '{}' (try: crash|restart|isolate NODE, "
                               "cut|heal A B, heal-all, kafka-topics.sh --describe)",
                               command)};
  }
  std::sort(cut_.begin(), cut_.end());
  cut_.erase(std::unique(cut_.begin(), cut_.end()), cut_.end());
  ElectLeaders(command);
  return {true, ""};
}

void FakeSession::RewindToEvent(std::uint64_t index) {
  std::vector<RecordedInput> inputs = inputs_;
  Reset(options_.seed);
  inputs_ = std::move(inputs);
  while (trace_->size() <= index && StepEvent()) {
  }
  std::erase_if(inputs_, [this](const RecordedInput& in) { return in.at > now_; });
  inputs_applied_ = std::min(inputs_applied_, inputs_.size());
}

void FakeSession::RewindToTime(Time t) {
  std::vector<RecordedInput> inputs = inputs_;
  Reset(options_.seed);
  inputs_ = std::move(inputs);
  std::erase_if(inputs_, [t](const RecordedInput& in) { return in.at > t; });
  while (next_tick_ <= t && StepEvent()) {
  }
  ApplyInputsBefore(next_tick_);
  now_ = std::max(now_, std::min(t, options_.end));
}

void FakeSession::Restart(std::uint64_t seed) {
  Reset(seed);
  inputs_.clear();
}

Status FakeSession::Open(const std::string& scenario_path) {
  int brokers = 0, partitions = 0;
  if (std::sscanf(scenario_path.c_str(), "fake:%d:%d", &brokers, &partitions) != 2 || brokers < 1 ||
      partitions < 1) {
    return {Errc::kNotFound,
            fmt::format("[gui.E001] {}: the fake session opens only 'fake:BROKERS:PARTITIONS'",
                        scenario_path)};
  }
  options_.brokers = brokers;
  options_.partitions = partitions;
  Restart(options_.seed);
  return Status::Ok();
}

std::string FakeSession::SaveAsScenario() const {
  std::string steps;
  for (const RecordedInput& in : inputs_) {
    steps += fmt::format("{}    {{ \"at\": \"{}ms\", \"run\": \"{}\" }}",
                         steps.empty() ? "" : ",\n", in.at.Millis(), in.command);
  }
  return fmt::format("{{\n  \"name\": \"fake\",\n  \"seed\": {},\n  \"steps\": [\n{}\n  ]\n}}\n",
                     options_.seed, steps);
}

const view::WorldView& FakeSession::View() {
  if (view_dirty_) BuildView();
  view_dirty_ = false;
  return view_;
}

void FakeSession::BuildView() {
  view::WorldView& v = view_;
  v = view::WorldView{};
  v.scenario_name = "fake cluster";
  v.scenario_path = fmt::format("fake:{}:{}", options_.brokers, options_.partitions);
  v.seed = options_.seed;
  v.now = now_;
  v.end = options_.end;
  v.events_executed = events_;
  v.trace_hash = trace_->HashHex();
  v.paused_at_step = paused_at_step_;
  v.narration = narration_;
  v.trace = &trace_->events();
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    view::NodeView n;
    n.index = static_cast<NodeIndex>(i);
    n.name = nodes_[i].name;
    n.role = nodes_[i].role;
    n.state = nodes_[i].state;
    n.id = nodes_[i].id;
    n.active_controller = i == 0 && n.state == NodeState::kRunning;
    n.quorum_leader = n.active_controller;
    v.nodes.push_back(std::move(n));
  }
  v.cut_links = cut_;
  for (const InFlight& f : in_flight_) v.messages.push_back(f.message);

  view::TopicView topic;
  topic.name = "cities";
  topic.topic_id = "Q3ZVdGxpc3Rlc3Qx";
  topic.replication_factor = std::min(options_.replication_factor, options_.brokers);
  topic.configs = {{"min.insync.replicas", std::to_string(kMinInsyncReplicas)}};
  int offline = 0, under_replicated = 0, under_min_isr = 0;
  for (std::size_t p = 0; p < partitions_.size(); ++p) {
    const FakePartition& part = partitions_[p];
    view::PartitionView pv;
    pv.topic = "cities";
    pv.partition = static_cast<int>(p);
    pv.leader = part.leader;
    pv.leader_epoch = part.leader_epoch;
    pv.partition_epoch = part.partition_epoch;
    pv.replicas = part.replicas;
    pv.isr = part.isr;
    pv.under_min_isr = static_cast<int>(part.isr.size()) < kMinInsyncReplicas;
    offline += part.leader < 0;
    under_replicated += part.isr.size() < part.replicas.size();
    under_min_isr += pv.under_min_isr;
    if (part.leader >= 0) v.nodes[BrokerNode(part.leader)].leader_count++;
    for (int id : part.replicas) {
      view::ReplicaLogView log;
      log.broker_id = id;
      log.online = BrokerUp(id);
      log.log_end_offset = part.log_end_offset.at(id);
      log.high_watermark = std::min(part.high_watermark, log.log_end_offset);
      for (std::int64_t base = 0; base == 0 || base < log.log_end_offset; base += kSegmentRecords) {
        view::SegmentView seg;
        seg.base_offset = base;
        seg.next_offset = std::min(base + kSegmentRecords, log.log_end_offset);
        seg.size_bytes = (seg.next_offset - base) * kBytesPerRecord;
        const std::string stem = fmt::format("{:020d}", base);
        seg.files = {stem + ".log", stem + ".index", stem + ".timeindex"};
        log.segments.push_back(std::move(seg));
      }
      log.leader_epochs = part.leader_epochs;
      pv.logs.push_back(std::move(log));
    }
    topic.partitions.push_back(std::move(pv));
  }
  v.topics.push_back(std::move(topic));

  v.quorum.mode = "kraft";
  v.quorum.leader_id = nodes_[0].state == NodeState::kRunning ? nodes_[0].id : -1;
  v.quorum.epoch = 1;
  int alive = 0;
  for (int c = 0; c < options_.controllers; ++c) {
    const FakeNode& n = nodes_[static_cast<std::size_t>(c)];
    view::VoterView voter;
    voter.node = n.name;
    voter.id = n.id;
    voter.alive = n.state == NodeState::kRunning;
    alive += voter.alive;
    voter.role = c == 0 ? "Leader" : "Follower";
    voter.epoch = 1;
    voter.voted_for = nodes_[0].id;
    voter.leader_id = nodes_[0].id;
    voter.log_end_offset = 10 + static_cast<std::int64_t>(ticks_ / 50);
    voter.high_watermark = voter.log_end_offset - (c == 0 ? 0 : 1);
    voter.last_fetch_ms_ago = c == 0 ? -1 : 250 - static_cast<std::int64_t>(ticks_ % 50) * 5;
    v.quorum.voters.push_back(std::move(voter));
  }
  v.quorum.has_quorum = alive * 2 > options_.controllers;

  view::ClientView producer;
  producer.name = "producer-1";
  producer.kind = "producer";
  producer.running = true;
  producer.topic = "cities";
  producer.acks = "all";
  producer.sent = produced_ + failed_;
  producer.acknowledged = acknowledged_;
  producer.failed = failed_;
  producer.in_flight = 1;
  if (failed_ > 0) producer.last_error = "NOT_ENOUGH_REPLICAS";
  view::ClientView consumer;
  consumer.name = "consumer-1";
  consumer.kind = "consumer";
  consumer.running = true;
  consumer.topic = "cities";
  consumer.group = "cities-readers";
  consumer.consumed = consumed_;
  consumer.lag = produced_ - consumed_;
  for (std::size_t p = 0; p < std::min<std::size_t>(partitions_.size(), 8); ++p) {
    consumer.positions.push_back({fmt::format("cities-{}", p), partitions_[p].high_watermark});
  }
  v.clients = {producer, consumer};

  const double seconds = std::max(1e-9, static_cast<double>(now_.ns) / 1e9);
  v.metrics = {{"ActiveControllerCount", v.quorum.leader_id >= 0 ? 1 : 0},
               {"UnderReplicatedPartitions", under_replicated},
               {"UnderMinIsrPartitionCount", under_min_isr},
               {"OfflinePartitionsCount", offline},
               {"IsrShrinksPerSec", isr_shrinks_ / seconds},
               {"IsrExpandsPerSec", isr_expands_ / seconds},
               {"LeaderElectionRateAndTimeMs", elections_ / seconds},
               {"FailedProduceRequestsPerSec", static_cast<double>(failed_) / 5 / seconds},
               {"records-lag-max", static_cast<double>(consumer.lag)}};

  view::CheckView lost;
  lost.name = "no acknowledged write lost";
  lost.continuous = true;
  lost.detail = fmt::format("{} acknowledged records all present on the leaders", acknowledged_);
  view::CheckView single;
  single.name = "single leader per epoch";
  single.continuous = true;
  view::CheckView expect;
  expect.name = "leader_of cities-0 is not broker-1 within 20s of the crash";
  expect.settled = partitions_.front().leader != 1 && now_ > kTimeZero + Seconds(3);
  expect.deadline = kTimeZero + Seconds(22);
  expect.seen = fmt::format("leader broker-{}", partitions_.front().leader);
  if (expect.settled) expect.broken_at = now_;
  v.checks = {lost, single, expect};
}

}  // namespace kafkasim::gui
