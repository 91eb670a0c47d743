// ZkCluster: routes ZkMessages between servers with a virtual clock, persists their Ready
// through the version-2/ codecs, and checks ZAB's safety properties.
#include "zk_cluster.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "engine/assert.h"
#include "zookeeper/zk_files.h"

namespace kafkasim::zookeeper::testing {

ZkCluster::ZkCluster(std::uint64_t seed, ZkConfig base, ZkNetworkOptions network)
    : seed_(seed), base_(std::move(base)), network_(network), rng_(Rng::Stream(seed, "network")) {}

void ZkCluster::AddServers(int count) {
  KSIM_ASSERT(ids_.empty());
  for (int i = 1; i <= count; ++i) ids_.push_back(i);
  for (ServerId id : ids_) {
    disks_[id] = ZkDisk{};
    Restart(id);
  }
}

ZkServer* ZkCluster::server(ServerId id) {
  auto it = servers_.find(id);
  return it == servers_.end() ? nullptr : it->second.get();
}

ZkConfig ZkCluster::ConfigFor(ServerId id) const {
  ZkConfig config = base_;
  config.server_id = id;
  config.servers = ids_;
  return config;
}

void ZkCluster::Line(ServerId id, const std::string& text) {
  std::string line = fmt::format("t={} {} {}", FormatTime(now_), Name(id), text);
  if (echo_) fmt::print(stderr, "{}\n", line);
  if (keep_lines_) lines_.push_back(std::move(line));
}

void ZkCluster::Crash(ServerId id) {
  if (servers_.erase(id) == 0) return;
  for (auto it = queue_.begin(); it != queue_.end();) {
    const ZkMessage& m = *it->second.message;
    it = (m.from == id || m.to == id) ? queue_.erase(it) : std::next(it);
  }
  Line(id, "crashed");
}

void ZkCluster::Restart(ServerId id) {
  if (servers_.contains(id)) return;
  ZkDisk& d = disks_.at(id);
  Result<Recovery> recovery = RecoverDatabase(d.files);
  KSIM_ASSERT_MSG(recovery.ok(), recovery.status().ToString());
  d.current_log.clear();  // a restarted server starts a new log file
  const Zxid base = recovery->state.tree.last_processed_zxid();
  if (!d.files.empty()) {
    Line(id, fmt::format("restarted from snapshot {} + {} logged txns (epochs accepted {}, "
                         "current {})",
                         ZxidHex(base), recovery->state.log.size(), recovery->state.accepted_epoch,
                         recovery->state.current_epoch));
  }
  for (const std::string& line : recovery->report) Line(id, "recovery: " + line);
  if (base != 0 && CommittedIndex(base) == -2) {
    Violation(fmt::format("{} recovered a snapshot at {} that was never committed", Name(id),
                          ZxidHex(base)));
  }
  last_applied_[id] = base;
  servers_[id] = std::make_unique<ZkServer>(ConfigFor(id), std::move(recovery->state), now_);
  Drain(id);
}

void ZkCluster::Partition(const std::vector<std::set<ServerId>>& groups) {
  groups_ = groups;
  for (auto it = queue_.begin(); it != queue_.end();) {
    const ZkMessage& m = *it->second.message;
    it = Connected(m.from, m.to) ? std::next(it) : queue_.erase(it);
  }
}

bool ZkCluster::Connected(ServerId a, ServerId b) const {
  if (groups_.empty()) return true;
  for (const auto& group : groups_) {
    if (group.contains(a)) return group.contains(b);
  }
  return false;
}

Result<SessionId> ZkCluster::Connect(ServerId id, std::int32_t timeout_ms) {
  ZkServer* s = server(id);
  if (s == nullptr) return Status(Errc::kNetworkException, Name(id) + " is down");
  Result<SessionId> session = s->Connect(timeout_ms, now_);
  Drain(id);
  return session;
}

void ZkCluster::Submit(ServerId id, SessionId session, Request request) {
  ZkServer* s = server(id);
  if (s == nullptr) return;
  s->Submit(session, ++next_cxid_[session], std::move(request), now_);
  Drain(id);
}

void ZkCluster::CloseSession(ServerId id, SessionId session) {
  ZkServer* s = server(id);
  if (s == nullptr) return;
  s->CloseSession(session, ++next_cxid_[session], now_);
  Drain(id);
}

ZkCode ZkCluster::Touch(ServerId id, SessionId session) {
  ZkServer* s = server(id);
  if (s == nullptr) return ZkCode::kConnectionLoss;
  const ZkCode code = s->Touch(session, now_);
  Drain(id);
  return code;
}

void ZkCluster::UpdateAssertContext() const {
  AssertContext& context = CurrentAssertContext();
  context.active = true;
  context.seed = seed_;
  context.event_index = events_;
  context.time_ns = now_.ns;
}

void ZkCluster::Violation(std::string text) {
  violations_.push_back(fmt::format("t={} seed={}: {}", FormatTime(now_), seed_, text));
}

// The host's side of the Ready contract, through the real file codecs.
void ZkCluster::Persist(ServerId id, const Ready& ready) {
  ZkDisk& d = disks_.at(id);
  if (ready.truncate_log_to) {
    const Zxid keep = *ready.truncate_log_to;
    for (auto it = d.files.begin(); it != d.files.end();) {
      Zxid first = 0;
      if (!ParseFileZxid(it->first, "log.", &first)) {
        ++it;
        continue;
      }
      Result<TxnLogRead> read = DecodeTxnLog(it->second);
      KSIM_ASSERT_MSG(read.ok(), read.status().ToString());
      std::string bytes = EncodeTxnLogHeader();
      std::size_t kept = 0;
      for (const Txn& txn : read->txns) {
        if (txn.zxid > keep) break;
        bytes += EncodeTxnRecord(txn);
        ++kept;
      }
      if (kept == 0) {
        it = d.files.erase(it);
      } else {
        it->second = std::move(bytes);
        ++it;
      }
    }
    d.current_log.clear();
  }
  if (ready.snapshot) {
    Result<DataTree> tree = DataTree::Deserialize(ready.snapshot->tree);
    KSIM_ASSERT_MSG(tree.ok(), tree.status().ToString());
    d.files[SnapshotFileName(ready.snapshot->zxid)] = EncodeSnapshot(*tree);
    d.current_log.clear();  // FileTxnSnapLog rolls the log at each snapshot
  }
  for (const Txn& txn : ready.log_appends) {
    if (d.current_log.empty()) {
      d.current_log = TxnLogFileName(txn.zxid);
      d.files[d.current_log] = EncodeTxnLogHeader();
    }
    d.files[d.current_log] += EncodeTxnRecord(txn);
  }
  if (ready.accepted_epoch) {
    d.files[std::string(kAcceptedEpochFile)] = EncodeEpoch(*ready.accepted_epoch);
  }
  if (ready.current_epoch) {
    d.files[std::string(kCurrentEpochFile)] = EncodeEpoch(*ready.current_epoch);
  }
}

std::int64_t ZkCluster::CommittedIndex(Zxid zxid) const {
  if (zxid == 0) return -1;
  auto it = committed_index_.find(zxid);
  return it == committed_index_.end() ? -2 : static_cast<std::int64_t>(it->second);
}

// Every server applies the one committed sequence, without gaps, from where it started.
void ZkCluster::CheckCommitted(ServerId id, const Ready& ready) {
  if (ready.tree_replaced) {
    if (CommittedIndex(*ready.tree_replaced) == -2) {
      Violation(fmt::format("{} loaded a snapshot at {} that was never committed", Name(id),
                            ZxidHex(*ready.tree_replaced)));
    }
    last_applied_[id] = *ready.tree_replaced;
  }
  for (const Txn& txn : ready.committed) {
    const std::int64_t previous = CommittedIndex(last_applied_[id]);
    if (previous == -2) break;  // already reported
    const auto next = static_cast<std::size_t>(previous + 1);
    if (next < committed_.size()) {
      if (committed_[next] != txn) {
        Violation(fmt::format("{} applied {} where {} was committed", Name(id), DescribeTxn(txn),
                              DescribeTxn(committed_[next])));
      }
    } else {
      KSIM_ASSERT_EQ(next, committed_.size());
      committed_index_[txn.zxid] = committed_.size();
      committed_.push_back(txn);
    }
    last_applied_[id] = txn.zxid;
  }
}

// Persist, check, then send: the order a real host follows.
void ZkCluster::Drain(ServerId id) {
  ZkServer* s = server(id);
  if (s == nullptr || !s->HasReady()) return;
  Ready ready = s->TakeReady();
  Persist(id, ready);
  CheckCommitted(id, ready);
  if (s->state() == ServerState::kLeading && s->serving()) {
    auto [it, fresh] = leader_of_epoch_.emplace(s->current_epoch(), id);
    if (!fresh && it->second != id) {
      Violation(fmt::format("{} and {} both led epoch {}", Name(it->second), Name(id),
                            s->current_epoch()));
    }
    if (fresh && !committed_.empty() && s->last_committed_zxid() < committed_.back().zxid) {
      Violation(fmt::format("{} leads epoch {} without the committed {}", Name(id),
                            s->current_epoch(), ZxidHex(committed_.back().zxid)));
    }
  }
  for (const ZkNote& note : ready.notes) Line(id, note.text);
  for (const ClientResponse& r : ready.responses) {
    std::string what = r.code == ZkCode::kOk ? "OK" : ZkCodeName(r.code);
    if (r.type == TxnType::kCreateSession && r.code == ZkCode::kOk) {
      what = fmt::format("session established, timeout {} ms", r.session_timeout);
    }
    std::vector<std::string> results;
    for (const OpResult& op : r.results) {
      results.push_back(
          op.code == ZkCode::kOk ? op.path : fmt::format("{} {}", op.path, ZkCodeName(op.code)));
    }
    Line(id, fmt::format("-> session 0x{:x} cxid {}: {}{}{}", r.session, r.cxid, what,
                         r.zxid != 0 ? " at " + ZxidHex(r.zxid) : "",
                         results.empty() ? "" : fmt::format(" [{}]", fmt::join(results, ", "))));
    responses_.push_back(r);
  }
  for (const WatchEvent& e : ready.watch_events) {
    Line(id, fmt::format("-> session 0x{:x}: WatchedEvent {} {}", e.session,
                         WatchEventTypeName(e.type), e.path));
  }
  for (SessionId session : ready.expired) {
    Line(id, fmt::format("-> session 0x{:x}: Expired", session));
  }
  for (SessionId session : ready.disconnected) {
    Line(id, fmt::format("-> session 0x{:x}: Disconnected", session));
  }
  for (auto& message : ready.messages) Enqueue(std::move(message));
}

void ZkCluster::Enqueue(std::shared_ptr<const ZkMessage> message) {
  if (!Connected(message->from, message->to) || !servers_.contains(message->to)) return;
  if (network_.drop_probability > 0 && rng_.Bernoulli(network_.drop_probability)) return;
  const std::int64_t span = network_.latency_max.ns - network_.latency_min.ns;
  const std::int64_t jitter =
      span > 0 ? static_cast<std::int64_t>(rng_.Uniform(static_cast<std::uint64_t>(span) + 1)) : 0;
  Time at = now_ + network_.latency_min + Nanoseconds(jitter);
  auto& last = link_last_[{message->from, message->to}];  // per-link FIFO, like TCP
  at = std::max(at, last);
  last = at;
  queue_.emplace(std::make_pair(at.ns, seq_++), InFlight{std::move(message)});
}

void ZkCluster::Deliver(const ZkMessage& message) {
  ++events_;
  UpdateAssertContext();
  ZkServer* s = server(message.to);
  if (s == nullptr || !Connected(message.from, message.to)) return;
  s->Step(message, now_);
  Drain(message.to);
}

std::vector<std::string> ZkCluster::DeliverQueued() {
  std::vector<std::string> out;
  auto batch = std::move(queue_);
  queue_.clear();
  for (auto& [key, in_flight] : batch) {
    const ZkMessage& m = *in_flight.message;
    out.push_back(fmt::format("{} -> {}: {}", Name(m.from), Name(m.to), m.Describe()));
    Deliver(m);
    for (std::string& line : TakeLines()) out.push_back("  " + line);
  }
  return out;
}

void ZkCluster::Tick(Duration d) {
  const Time end = now_ + d;
  for (;;) {
    Time next = kTimeMax;
    ServerId who = kNoServer;
    for (auto& [id, s] : servers_) {
      if (s->NextDeadline() < next) {
        next = s->NextDeadline();
        who = id;
      }
    }
    if (who == kNoServer || next > end) break;
    now_ = std::max(now_, next);
    ++events_;
    UpdateAssertContext();
    servers_.at(who)->Tick(now_);
    Drain(who);
  }
  now_ = end;
}

void ZkCluster::Run(Duration d) {
  const Time end = now_ + d;
  for (;;) {
    Time next_timer = kTimeMax;
    ServerId who = kNoServer;
    for (auto& [id, s] : servers_) {
      if (s->NextDeadline() < next_timer) {
        next_timer = s->NextDeadline();
        who = id;
      }
    }
    const Time next_message = queue_.empty() ? kTimeMax : Time{queue_.begin()->first.first};
    const Time next = std::min(next_timer, next_message);
    if (next > end) break;
    now_ = std::max(now_, next);
    if (next_message <= next_timer) {
      auto handle = queue_.extract(queue_.begin());
      Deliver(*handle.mapped().message);
    } else {
      ++events_;
      UpdateAssertContext();
      servers_.at(who)->Tick(now_);
      Drain(who);
    }
  }
  now_ = end;
}

std::vector<std::string> ZkCluster::TakeLines() {
  std::vector<std::string> out = std::move(lines_);
  lines_.clear();
  return out;
}

std::optional<ServerId> ZkCluster::Leader() const {
  std::optional<ServerId> best;
  ZkEpoch best_epoch = -1;
  for (const auto& [id, s] : servers_) {
    if (s->state() == ServerState::kLeading && s->serving() && s->current_epoch() > best_epoch) {
      best = id;
      best_epoch = s->current_epoch();
    }
  }
  return best;
}

void ZkCluster::CheckTrees() {
  std::map<Zxid, std::pair<ServerId, const DataTree*>> seen;
  for (const auto& [id, s] : servers_) {
    const Zxid zxid = s->last_committed_zxid();
    auto [it, fresh] = seen.emplace(zxid, std::make_pair(id, &s->tree()));
    if (!fresh && !(*it->second.second == s->tree())) {
      Violation(
          fmt::format("{} and {} differ at {}", Name(it->second.first), Name(id), ZxidHex(zxid)));
    }
  }
}

}  // namespace kafkasim::zookeeper::testing
