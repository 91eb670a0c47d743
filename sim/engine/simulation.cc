// The event loop: slabs for messages, timers and callbacks, one heap ordered by (time, seq).
#include "engine/simulation.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/assert.h"

namespace kafkasim {
namespace {

constexpr std::uint32_t kSlotBits = 32;

// Keeps the assertion context in step with the loop while an event runs.
class EventScope {
 public:
  EventScope(std::uint64_t seed, std::uint64_t index, Time now) {
    AssertContext& c = CurrentAssertContext();
    saved_ = c;
    c.seed = seed;
    c.event_index = index;
    c.time_ns = now.ns;
    c.active = true;
  }
  ~EventScope() { CurrentAssertContext() = saved_; }
  EventScope(const EventScope&) = delete;
  EventScope& operator=(const EventScope&) = delete;

 private:
  AssertContext saved_;
};

template <typename T>
std::uint32_t TakeSlot(std::vector<T>& slab, std::vector<std::uint32_t>& free_list) {
  if (!free_list.empty()) {
    const std::uint32_t slot = free_list.back();
    free_list.pop_back();
    return slot;
  }
  slab.emplace_back();
  return static_cast<std::uint32_t>(slab.size() - 1);
}

}  // namespace

const char* NodeStateName(NodeState state) {
  switch (state) {
    case NodeState::kStopped:
      return "stopped";
    case NodeState::kRunning:
      return "running";
    case NodeState::kCrashed:
      return "crashed";
    case NodeState::kKilled:
      return "killed";
  }
  return "unknown";
}

void NodeEnv::Send(NodeIndex to, std::shared_ptr<const Payload> payload) {
  sim_->SendFrom(index_, to, std::move(payload));
}

TimerId NodeEnv::SetTimer(Duration after, std::uint64_t tag) {
  return sim_->SetTimerFor(index_, after, tag);
}

void NodeEnv::CancelTimer(TimerId id) { sim_->CancelTimerId(id); }

void NodeEnv::Emit(std::string kind, std::vector<TraceField> fields, std::string text) {
  TraceEvent event;
  event.time = sim_->Now();
  event.node = name_;
  event.kind = std::move(kind);
  event.fields = std::move(fields);
  event.text = std::move(text);
  sim_->trace().Emit(std::move(event));
}

void NodeEnv::Probe(std::string_view name) { ++sim_->probes_[std::string(name)]; }

void NodeEnv::StopSelf() { sim_->StopNode(index_); }

Simulation::Simulation(std::uint64_t seed, NetworkConfig network)
    : seed_(seed),
      network_(network, Rng::Stream(seed, "network"), Rng::Stream(seed, "network/notify")) {}

Simulation::~Simulation() = default;

NodeIndex Simulation::AddNode(std::string name, NodeFactory factory, NodeOptions options) {
  KSIM_ASSERT_MSG(FindNode(name) == kNoNode, "duplicate node name " + name);
  NodeSlot slot;
  slot.factory = std::move(factory);
  slot.env = std::make_unique<NodeEnv>();
  slot.env->sim_ = this;
  slot.env->index_ = static_cast<NodeIndex>(nodes_.size());
  slot.env->rng_ = Rng::Stream(seed_, name);
  slot.env->name_ = std::move(name);
  slot.env->disk_ = std::move(options.disk);
  nodes_.push_back(std::move(slot));
  return static_cast<NodeIndex>(nodes_.size() - 1);
}

void Simulation::StartNode(NodeIndex node) {
  NodeSlot& slot = nodes_.at(node);
  KSIM_ASSERT_MSG(slot.state != NodeState::kRunning, slot.env->name() + " is already running");
  ++slot.incarnation;
  slot.state = NodeState::kRunning;
  slot.node = slot.factory(*slot.env);
  KSIM_ASSERT(slot.node != nullptr);
  BeginHandler(slot);
  slot.node->OnStart();
}

std::vector<NodeIndex> Simulation::EndNode(NodeIndex node, NodeState state) {
  NodeSlot& slot = nodes_.at(node);
  KSIM_ASSERT(slot.state == NodeState::kRunning);
  KSIM_ASSERT(state != NodeState::kRunning);
  slot.state = state;
  ++slot.incarnation;  // stale timers and messages addressed to the old incarnation die
  network_.ResetConnectionsOf(node);
  std::vector<NodeIndex> peers;
  for (NodeIndex peer = 0; peer < nodes_.size(); ++peer) {
    if (network_.Close(node, peer)) peers.push_back(peer);
  }
  // A node may end itself from inside its own handler: keep the object alive until then.
  graveyard_.push_back(std::move(slot.node));
  return peers;
}

void Simulation::NotifyDisconnect(NodeIndex gone, NodeIndex peer, Time at) {
  const std::uint32_t incarnation = nodes_.at(peer).incarnation;
  Schedule(at, [this, gone, peer, incarnation] {
    NodeSlot& slot = nodes_[peer];
    // A peer that died meanwhile has no socket left to be told about; a FIN/RST does not
    // cross a link cut after it was sent.
    if (slot.state != NodeState::kRunning || slot.incarnation != incarnation) return;
    if (network_.IsBlocked(gone, peer)) return;
    ++disconnects_delivered_;
    BeginHandler(slot);
    slot.node->OnDisconnect(gone);
  });
}

bool Simulation::RefusesConnections(NodeIndex node) const {
  const NodeSlot& slot = nodes_.at(node);
  return slot.state == NodeState::kKilled ||
         (slot.state == NodeState::kStopped && slot.incarnation > 0);
}

void Simulation::CrashNode(NodeIndex node, CrashOptions options) {
  NodeSlot& slot = nodes_.at(node);
  if (slot.state != NodeState::kRunning) return;
  // Power loss: no FIN/RST leaves the machine, so the peers are not told.
  (void)EndNode(node, NodeState::kCrashed);
  if (slot.env->disk_) {
    Rng disk_rng =
        Rng::Stream(seed_ ^ static_cast<std::uint64_t>(now_.ns), slot.env->name() + "/disk-crash");
    slot.env->disk_->LoseUnsyncedData(disk_rng, options.torn_tail);
  }
}

void Simulation::KillNode(NodeIndex node) {
  if (nodes_.at(node).state != NodeState::kRunning) return;
  // The process dies but the machine and its OS run on: the page cache keeps every written
  // byte (no LoseUnsyncedData) and the OS closes the process's sockets.
  for (NodeIndex peer : EndNode(node, NodeState::kKilled)) {
    NotifyDisconnect(node, peer, now_ + network_.NotifyLatency(node, peer));
  }
}

void Simulation::StopNode(NodeIndex node) {
  if (nodes_.at(node).state != NodeState::kRunning) return;
  for (NodeIndex peer : EndNode(node, NodeState::kStopped)) {
    NotifyDisconnect(node, peer, now_ + network_.NotifyLatency(node, peer));
  }
}

void Simulation::RestartNode(NodeIndex node) {
  NodeSlot& slot = nodes_.at(node);
  if (slot.state == NodeState::kRunning) return;
  StartNode(node);
}

NodeIndex Simulation::FindNode(std::string_view name) const {
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].env->name() == name) return static_cast<NodeIndex>(i);
  }
  return kNoNode;
}

const std::string& Simulation::NodeName(NodeIndex node) const {
  return nodes_.at(node).env->name();
}
NodeState Simulation::GetNodeState(NodeIndex node) const { return nodes_.at(node).state; }
std::uint32_t Simulation::Incarnation(NodeIndex node) const { return nodes_.at(node).incarnation; }
Node* Simulation::GetNode(NodeIndex node) { return nodes_.at(node).node.get(); }
const Node* Simulation::GetNode(NodeIndex node) const { return nodes_.at(node).node.get(); }
NodeEnv& Simulation::Env(NodeIndex node) { return *nodes_.at(node).env; }

void Simulation::Push(Time at, EventKind kind, std::uint32_t slot) {
  KSIM_ASSERT_LE(now_.ns, at.ns);
  HeapPush(Event{at.ns, next_seq_++, slot, kind});
}

namespace {
constexpr std::size_t kHeapArity = 4;
}  // namespace

void Simulation::HeapPush(const Event& event) {
  // Sift up: move parents down into the hole until the new event's place is found.
  std::size_t hole = heap_.size();
  heap_.emplace_back();
  while (hole > 0) {
    const std::size_t parent = (hole - 1) / kHeapArity;
    if (!EventLater{}(heap_[parent], event)) break;
    heap_[hole] = heap_[parent];
    hole = parent;
  }
  heap_[hole] = event;
}

Simulation::Event Simulation::HeapPop() {
  KSIM_ASSERT(!heap_.empty());
  const Event top = heap_.front();
  const Event last = heap_.back();
  heap_.pop_back();
  const std::size_t size = heap_.size();
  if (size == 0) return top;
  // Sift down: move the smallest child up into the hole until `last` fits there.
  std::size_t hole = 0;
  while (true) {
    const std::size_t first = hole * kHeapArity + 1;
    if (first >= size) break;
    const std::size_t end = std::min(first + kHeapArity, size);
    std::size_t best = first;
    for (std::size_t c = first + 1; c < end; ++c) {
      if (EventLater{}(heap_[best], heap_[c])) best = c;
    }
    if (!EventLater{}(last, heap_[best])) break;
    heap_[hole] = heap_[best];
    hole = best;
  }
  heap_[hole] = last;
  return top;
}

void Simulation::Schedule(Time at, std::function<void()> fn) {
  const std::uint32_t slot = TakeSlot(callbacks_, callbacks_free_);
  callbacks_[slot] = std::move(fn);
  Push(std::max(at, now_), EventKind::kCallback, slot);
}

void Simulation::BeginHandler(NodeSlot& slot) {
  if (slot.env->disk_) slot.syncs_at_handler_start = slot.env->disk_->sync_count();
}

Time Simulation::DepartureTime(const NodeSlot& sender) const {
  // A node blocked in fsync sends later: each Sync of the handler it is in costs the disk's
  // sync latency (a slow disk fault; zero on a healthy disk, so the common path is one test).
  const FileSystem* disk = sender.env->disk_.get();
  if (disk == nullptr) return now_;
  const Duration latency = disk->sync_latency();
  if (latency.ns == 0) return now_;
  const auto syncs = static_cast<std::int64_t>(disk->sync_count() - sender.syncs_at_handler_start);
  return now_ + latency * syncs;
}

void Simulation::SendFrom(NodeIndex from, NodeIndex to, std::shared_ptr<const Payload> payload) {
  KSIM_ASSERT(to < nodes_.size());
  const Time departs = DepartureTime(nodes_[from]);
  const MessageClass message_class = payload ? payload->Class() : kOtherMessageClass;
  if (nodes_[to].state == NodeState::kRunning && !network_.IsBlocked(from, to)) {
    network_.Open(from, to);
  }
  network_.PlanDelivery(from, to, departs, arrivals_);
  if (!observers_.empty()) {
    Message m{from,   to, message_class, departs, arrivals_.empty() ? departs : arrivals_.front(),
              payload};
    for (MessageObserver* o : observers_) o->OnSend(m, arrivals_.empty());
  }
  if (arrivals_.empty()) {
    ++dropped_;
    return;
  }
  for (std::size_t i = 0; i < arrivals_.size(); ++i) {
    const std::uint32_t slot = TakeSlot(in_flight_, in_flight_free_);
    if (in_flight_used_.size() < in_flight_.size()) in_flight_used_.resize(in_flight_.size());
    in_flight_used_[slot] = 1;
    InFlight& f = in_flight_[slot];
    f.message.from = from;
    f.message.to = to;
    f.message.message_class = message_class;
    f.message.sent_at = departs;
    f.message.deliver_at = arrivals_[i];
    f.message.payload = (i + 1 == arrivals_.size()) ? std::move(payload) : payload;
    f.reset_generation = network_.reset_generation();
    f.from_incarnation = nodes_[from].incarnation;
    f.to_incarnation = nodes_[to].incarnation;
    Push(arrivals_[i], EventKind::kDeliver, slot);
  }
}

TimerId Simulation::SetTimerFor(NodeIndex node, Duration after, std::uint64_t tag) {
  KSIM_ASSERT(after.ns >= 0);
  const std::uint32_t slot = TakeSlot(timers_, timers_free_);
  TimerSlot& t = timers_[slot];
  t.node = node;
  t.incarnation = nodes_[node].incarnation;
  t.tag = tag;
  t.live = true;
  ++t.generation;
  Push(now_ + after, EventKind::kTimer, slot);
  return (static_cast<TimerId>(t.generation) << kSlotBits) | slot;
}

void Simulation::CancelTimerId(TimerId id) {
  if (id == kNoTimer) return;
  const auto slot = static_cast<std::uint32_t>(id & 0xffffffffULL);
  const auto generation = static_cast<std::uint32_t>(id >> kSlotBits);
  if (slot < timers_.size() && timers_[slot].generation == generation) timers_[slot].live = false;
}

void Simulation::Drop(const Message& message, const char* reason) {
  ++dropped_;
  for (MessageObserver* o : observers_) o->OnDrop(message, reason);
}

void Simulation::Deliver(std::uint32_t slot) {
  InFlight f = std::move(in_flight_[slot]);
  in_flight_[slot].message.payload.reset();
  in_flight_used_[slot] = 0;
  in_flight_free_.push_back(slot);
  NodeSlot& to = nodes_[f.message.to];
  if (to.state != NodeState::kRunning || to.incarnation != f.to_incarnation) {
    // Sent to a process that was already dead (not lost with a connection it had): its OS
    // answers the connection attempt with a RST, so the sender learns it after the way back.
    if (to.incarnation == f.to_incarnation && RefusesConnections(f.message.to) &&
        nodes_[f.message.from].incarnation == f.from_incarnation &&
        !network_.IsBlocked(f.message.to, f.message.from)) {
      Drop(f.message, "connection refused");
      NotifyDisconnect(f.message.to, f.message.from,
                       now_ + network_.NotifyLatency(f.message.to, f.message.from));
      return;
    }
    Drop(f.message, "receiver crashed");
    return;
  }
  if (nodes_[f.message.from].incarnation != f.from_incarnation ||
      network_.WasResetSince(f.message.from, f.message.to, f.reset_generation)) {
    Drop(f.message, "connection reset");
    return;
  }
  if (network_.IsBlocked(f.message.from, f.message.to)) {
    Drop(f.message, "link cut");
    return;
  }
  ++delivered_;
  trace_.HashDelivery(now_, f.message.from, f.message.to, f.message.message_class.value);
  for (MessageObserver* o : observers_) o->OnDeliver(f.message);
  BeginHandler(to);
  to.node->OnMessage(f.message);
}

void Simulation::FireTimer(std::uint32_t slot) {
  TimerSlot t = timers_[slot];
  timers_[slot].live = false;
  timers_free_.push_back(slot);
  if (!t.live) return;
  NodeSlot& node = nodes_[t.node];
  if (node.state != NodeState::kRunning || node.incarnation != t.incarnation) return;
  BeginHandler(node);
  node.node->OnTimer(t.tag);
}

bool Simulation::Step() {
  if (heap_.empty()) return false;
  const Event e = HeapPop();
  now_ = Time{e.time};
  EventScope scope(seed_, events_executed_, now_);
  ++events_executed_;
  switch (e.kind) {
    case EventKind::kDeliver:
      Deliver(e.slot);
      break;
    case EventKind::kTimer:
      FireTimer(e.slot);
      break;
    case EventKind::kCallback: {
      std::function<void()> fn = std::move(callbacks_[e.slot]);
      callbacks_[e.slot] = nullptr;
      callbacks_free_.push_back(e.slot);
      fn();
      break;
    }
  }
  graveyard_.clear();
  return true;
}

void Simulation::RunUntil(Time until) {
  while (!heap_.empty() && heap_.front().time <= until.ns) Step();
  if (now_ < until) now_ = until;
}

bool Simulation::RunUntil(const std::function<bool()>& done, std::uint64_t events_max) {
  for (std::uint64_t i = 0; i < events_max; ++i) {
    if (done()) return true;
    if (!Step()) return done();
  }
  return done();
}

Time Simulation::NextEventTime() const {
  return heap_.empty() ? kTimeMax : Time{heap_.front().time};
}

void Simulation::ForEachInFlight(const std::function<void(const Message&)>& fn) const {
  for (std::size_t i = 0; i < in_flight_.size(); ++i) {
    if (in_flight_used_[i]) fn(in_flight_[i].message);
  }
}

void Simulation::RemoveObserver(MessageObserver* observer) {
  observers_.erase(std::remove(observers_.begin(), observers_.end(), observer), observers_.end());
}

}  // namespace kafkasim
