// The simulated world: virtual clock, event queue, network, nodes and trace. One thread, one
// event at a time, ordered by (time, sequence): the same seed and inputs replay bit for bit.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/file_system.h"
#include "engine/message.h"
#include "engine/network.h"
#include "engine/prng.h"
#include "engine/time.h"
#include "engine/trace.h"

namespace kafkasim {

class Simulation;
class NodeEnv;

using TimerId = std::uint64_t;
constexpr TimerId kNoTimer = 0;

// A node is an actor. It lives from start (or restart) to crash; a crash destroys the object,
// so all volatile state dies with it, and a restart builds a new one that reads its disk.
class Node {
 public:
  virtual ~Node() = default;
  virtual void OnStart() {}
  virtual void OnMessage(const Message& message) = 0;
  virtual void OnTimer(std::uint64_t tag) { (void)tag; }
  // The connection to `peer` was closed by the other side (its process was killed or stopped,
  // or it refused a connection because its process is dead): the OS delivers a FIN/RST, so the
  // node learns it at once instead of by a timeout. Messages in flight on it are lost.
  virtual void OnDisconnect(NodeIndex peer) { (void)peer; }
};

// kCrashed: power loss (the machine is off). kKilled: the process died (kill -9, OOM killer) on
// a machine that is still up, so its OS closes its sockets and refuses new connections.
enum class NodeState : std::uint8_t { kStopped, kRunning, kCrashed, kKilled };
const char* NodeStateName(NodeState state);

// What a node may touch of the world: its clock, its links, its timers, its randomness, its
// disk and the trace. Outlives crashes (the disk and the random stream survive).
class NodeEnv {
 public:
  Time Now() const;
  NodeIndex self() const { return index_; }
  const std::string& name() const { return name_; }
  Rng& rng() { return rng_; }
  FileSystem& disk() { return *disk_; }
  bool has_disk() const { return disk_ != nullptr; }
  Simulation& simulation() { return *sim_; }

  void Send(NodeIndex to, std::shared_ptr<const Payload> payload);
  TimerId SetTimer(Duration after, std::uint64_t tag);
  void CancelTimer(TimerId id);
  // Emits a trace event on behalf of this node.
  void Emit(std::string kind, std::vector<TraceField> fields, std::string text);
  // Counts a path taken (KSIM_PROBE); scenarios can require probes.
  void Probe(std::string_view name);
  // Ends this node cleanly (a closed client, a finished process): see Simulation::StopNode.
  void StopSelf();

 private:
  friend class Simulation;
  Simulation* sim_ = nullptr;
  NodeIndex index_ = kNoNode;
  std::string name_;
  Rng rng_{0};
  std::shared_ptr<FileSystem> disk_;
};

using NodeFactory = std::function<std::unique_ptr<Node>(NodeEnv& env)>;

struct NodeOptions {
  std::shared_ptr<FileSystem> disk;  // survives crashes; may be null
};

struct CrashOptions {
  bool torn_tail = false;  // keep a random prefix of unsynced bytes
};

// Receives every message event, for the GUI's animation and sequence diagrams.
class MessageObserver {
 public:
  virtual ~MessageObserver() = default;
  virtual void OnSend(const Message& message, bool lost) = 0;
  virtual void OnDeliver(const Message& message) = 0;
  virtual void OnDrop(const Message& message, const char* reason) = 0;
};

class Simulation {
 public:
  explicit Simulation(std::uint64_t seed, NetworkConfig network = {});
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  std::uint64_t seed() const { return seed_; }
  Time Now() const { return now_; }
  Network& network() { return network_; }
  const Network& network() const { return network_; }
  Trace& trace() { return trace_; }
  const Trace& trace() const { return trace_; }

  // Nodes. Names are unique ("broker-1"); indexes are dense and stable.
  NodeIndex AddNode(std::string name, NodeFactory factory, NodeOptions options = {});
  void StartNode(NodeIndex node);
  // Connections and notifications. A connection between two nodes opens with the first message
  // sent between them (see Network::Open). How each way of ending a node looks to its peers:
  //   CrashNode  power loss: in-flight messages and unsynced bytes are lost; no FIN/RST is
  //              sent, so peers notice only by their timeouts (request.timeout.ms, sessions).
  //   KillNode   process death (kill -9, OOM): in-flight messages are lost but the OS page cache
  //              keeps unsynced bytes; the OS closes the sockets, so every peer with an open
  //              connection gets OnDisconnect after one network latency, and later messages to
  //              the dead process are refused (the sender gets OnDisconnect).
  //   StopNode   a clean stop: like KillNode for peers; the disk keeps every byte.
  // A cut link or partition resets connections without notifying anyone (Network::Cut).
  void CrashNode(NodeIndex node, CrashOptions options = {});
  void KillNode(NodeIndex node);
  // A clean stop: the actor and its timers end and its connections close (messages in flight
  // to or from it are lost), but unlike a crash its disk keeps every written byte.
  void StopNode(NodeIndex node);
  void RestartNode(NodeIndex node);
  NodeIndex FindNode(std::string_view name) const;  // kNoNode when unknown
  std::size_t node_count() const { return nodes_.size(); }
  const std::string& NodeName(NodeIndex node) const;
  NodeState GetNodeState(NodeIndex node) const;
  std::uint32_t Incarnation(NodeIndex node) const;
  // The live actor, or nullptr while stopped or crashed. Read-only use by views and tests.
  Node* GetNode(NodeIndex node);
  const Node* GetNode(NodeIndex node) const;
  NodeEnv& Env(NodeIndex node);

  // Runs `fn` at virtual time `at` (>= now): scenario steps, GUI clicks, gateway requests.
  void Schedule(Time at, std::function<void()> fn);

  // Executes the next event; false when the queue is empty.
  bool Step();
  // Executes every event at or before `until`, then sets the clock to `until`.
  void RunUntil(Time until);
  // Steps until `done()` holds; false if the queue drains or events_max events pass first.
  bool RunUntil(const std::function<bool()>& done, std::uint64_t events_max);
  std::uint64_t events_executed() const { return events_executed_; }
  bool idle() const { return heap_.empty(); }
  Time NextEventTime() const;

  // Messages currently on the wire, in slot order (stable).
  void ForEachInFlight(const std::function<void(const Message&)>& fn) const;
  void AddObserver(MessageObserver* observer) { observers_.push_back(observer); }
  void RemoveObserver(MessageObserver* observer);

  const std::map<std::string, std::uint64_t>& probes() const { return probes_; }
  std::uint64_t messages_delivered() const { return delivered_; }
  std::uint64_t messages_dropped() const { return dropped_; }
  std::uint64_t disconnects_delivered() const { return disconnects_delivered_; }

 private:
  friend class NodeEnv;
  enum class EventKind : std::uint8_t { kDeliver, kTimer, kCallback };
  struct Event {
    std::int64_t time;
    std::uint64_t seq;
    std::uint32_t slot;
    EventKind kind;
  };
  struct EventLater {
    bool operator()(const Event& a, const Event& b) const {
      return a.time != b.time ? a.time > b.time : a.seq > b.seq;
    }
  };
  struct InFlight {
    Message message;
    std::uint64_t reset_generation = 0;
    std::uint32_t from_incarnation = 0;
    std::uint32_t to_incarnation = 0;
  };
  struct TimerSlot {
    NodeIndex node = kNoNode;
    std::uint32_t incarnation = 0;
    std::uint32_t generation = 0;
    std::uint64_t tag = 0;
    bool live = false;
  };
  struct NodeSlot {
    NodeFactory factory;
    std::unique_ptr<Node> node;
    std::unique_ptr<NodeEnv> env;
    NodeState state = NodeState::kStopped;
    std::uint32_t incarnation = 0;
    std::uint64_t syncs_at_handler_start = 0;  // the disk's sync_count when a handler began
  };
  // Called before each of a node's handlers runs (start, message, timer, disconnect).
  void BeginHandler(NodeSlot& slot);
  // When a message the node sends now leaves: later by the fsyncs of its current handler.
  Time DepartureTime(const NodeSlot& sender) const;

  void Push(Time at, EventKind kind, std::uint32_t slot);
  // The queue is a 4-ary min-heap on (time, seq) in heap_: shallower than a binary heap and
  // its four children share a cache line or two, which makes pops cheaper. (time, seq) is a
  // total order, so the execution order is the same as with any other correct queue.
  void HeapPush(const Event& event);
  Event HeapPop();
  void SendFrom(NodeIndex from, NodeIndex to, std::shared_ptr<const Payload> payload);
  TimerId SetTimerFor(NodeIndex node, Duration after, std::uint64_t tag);
  void CancelTimerId(TimerId id);
  void Deliver(std::uint32_t slot);
  void FireTimer(std::uint32_t slot);
  void Drop(const Message& message, const char* reason);
  // Ends a running node: destroys the actor (kept alive until its own handler returns), makes
  // its timers and messages stale and closes its connections; returns the peers it had one with.
  std::vector<NodeIndex> EndNode(NodeIndex node, NodeState state);
  // Tells `peer` at `at` that its connection to `gone` closed (if it still runs then).
  void NotifyDisconnect(NodeIndex gone, NodeIndex peer, Time at);
  // A dead process on a running machine refuses connections; a machine without power is silent.
  bool RefusesConnections(NodeIndex node) const;

  std::uint64_t seed_;
  Time now_;
  std::uint64_t next_seq_ = 0;
  std::uint64_t events_executed_ = 0;
  std::uint64_t delivered_ = 0;
  std::uint64_t dropped_ = 0;
  std::uint64_t disconnects_delivered_ = 0;
  std::vector<Event> heap_;
  std::vector<InFlight> in_flight_;
  std::vector<std::uint8_t> in_flight_used_;
  std::vector<std::uint32_t> in_flight_free_;
  std::vector<TimerSlot> timers_;
  std::vector<std::uint32_t> timers_free_;
  std::vector<std::function<void()>> callbacks_;
  std::vector<std::uint32_t> callbacks_free_;
  std::vector<NodeSlot> nodes_;
  std::vector<std::unique_ptr<Node>> graveyard_;  // nodes that crashed inside their own handler
  std::vector<Time> arrivals_;
  std::vector<MessageObserver*> observers_;
  std::map<std::string, std::uint64_t> probes_;
  Network network_;
  Trace trace_;
};

// Inline: every handler asks for the time, often several times.
inline Time NodeEnv::Now() const { return sim_->Now(); }

}  // namespace kafkasim
