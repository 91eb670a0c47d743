// KafkaZkClient: ClientCnxn's connection loop (SendThread) as timer-driven code in a broker.
#include "kafka/zk_client.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "engine/assert.h"
#include "kafka/trace_kinds.h"

namespace kafkasim::kafka {

using zookeeper::ClientConnectionClosed;
using zookeeper::ClientOp;
using zookeeper::ClientReply;
using zookeeper::ClientRequest;
using zookeeper::ClientWatchEvent;
using zookeeper::ZkClientMessage;
using zookeeper::ZkCode;

KafkaZkClient::KafkaZkClient(NodeEnv& env,
                             std::shared_ptr<const zookeeper::ZkEnsembleDirectory> ensemble,
                             std::int32_t session_timeout_ms, Handlers handlers)
    : env_(env),
      ensemble_(std::move(ensemble)),
      session_timeout_ms_(session_timeout_ms),
      handlers_(std::move(handlers)) {
  KSIM_ASSERT(ensemble_ != nullptr && !ensemble_->node_of_server.empty());
  for (const auto& [id, node] : ensemble_->node_of_server) servers_.push_back(id);
}

void KafkaZkClient::Start() {
  // ClientCnxn shuffles the connect string (StaticHostProvider): a seeded start here.
  next_server_ = static_cast<std::size_t>(
      env_.rng().UniformRange(0, static_cast<std::int64_t>(servers_.size()) - 1));
  ConnectTo(next_server_, Duration{});
}

// ClientCnxn's timeouts: readTimeout = 2/3 of the negotiated session timeout; connectTimeout =
// the session timeout divided by the number of servers.
Duration KafkaZkClient::ReadTimeout() const {
  const std::int32_t timeout =
      negotiated_timeout_ms_ > 0 ? negotiated_timeout_ms_ : session_timeout_ms_;
  return Milliseconds(timeout * 2 / 3);
}

void KafkaZkClient::ConnectTo(std::size_t index, Duration after) {
  state_ = State::kConnecting;
  connect_sent_ = false;
  server_ = servers_[index % servers_.size()];
  connect_at_ = env_.Now() + after;
  Rearm();
}

void KafkaZkClient::SendConnect() {
  connect_sent_ = true;
  last_sent_ = env_.Now();
  ClientRequest r;
  r.op = ClientOp::kConnect;
  r.session = session_;
  r.session_timeout = session_timeout_ms_;
  env_.Send(ensemble_->NodeFor(server_), std::make_shared<ZkClientMessage>(r));
}

void KafkaZkClient::Disconnect(const std::string& why, Duration backoff) {
  if (state_ == State::kConnected) {
    Note(trace_kind::kZkDisconnected,
         fmt::format("{}; session 0x{:x} disconnected from zk-{}, trying another server", why,
                     session_, server_));
  }
  // Requests in flight are lost with the connection: send them again once connected.
  for (auto& [xid, pending] : in_flight_) waiting_.push_back(std::move(pending));
  in_flight_.clear();
  next_server_ = (next_server_ + 1) % servers_.size();
  ConnectTo(next_server_, backoff);
}

void KafkaZkClient::Submit(ClientRequest request, Reply reply) {
  if (state_ != State::kConnected) {
    waiting_.push_back(Pending{std::move(request), std::move(reply)});
    return;
  }
  request.xid = next_xid_++;
  request.session = session_;
  SendNow(request);
  in_flight_[request.xid] = Pending{std::move(request), std::move(reply)};
}

void KafkaZkClient::SendNow(const ClientRequest& request) {
  last_sent_ = env_.Now();
  env_.Send(ensemble_->NodeFor(server_), std::make_shared<ZkClientMessage>(request));
  Rearm();
}

void KafkaZkClient::Write(zookeeper::Request request, Reply reply) {
  ClientRequest r;
  r.op = ClientOp::kWrite;
  r.request = std::move(request);
  Submit(std::move(r), std::move(reply));
}

namespace {
ClientRequest ReadRequest(ClientOp op, const std::string& path, bool watch) {
  ClientRequest r;
  r.op = op;
  r.path = path;
  r.watch = watch;
  return r;
}
}  // namespace

void KafkaZkClient::GetData(const std::string& path, bool watch, Reply reply) {
  Submit(ReadRequest(ClientOp::kGetData, path, watch), std::move(reply));
}

void KafkaZkClient::GetChildren(const std::string& path, bool watch, Reply reply) {
  Submit(ReadRequest(ClientOp::kGetChildren, path, watch), std::move(reply));
}

void KafkaZkClient::Exists(const std::string& path, bool watch, Reply reply) {
  Submit(ReadRequest(ClientOp::kExists, path, watch), std::move(reply));
}

bool KafkaZkClient::Close(Reply done) {
  if (state_ != State::kConnected) return false;
  ClientRequest r;
  r.op = ClientOp::kCloseSession;
  Submit(std::move(r), std::move(done));
  return true;
}

bool KafkaZkClient::OnMessage(const Message& message) {
  const auto* m = message.As<ZkClientMessage>();
  if (m == nullptr) return false;
  if (ensemble_->NodeFor(server_) != message.from) return true;  // an old connection's
  last_heard_ = env_.Now();
  if (const auto* reply = m->Get<ClientReply>()) {
    OnReply(*reply);
  } else if (const auto* watch = m->Get<ClientWatchEvent>()) {
    if (state_ == State::kConnected && watch->session == session_) {
      MaterializeWatch(*watch);
      if (handlers_.watch) handlers_.watch(*watch);
    }
  } else if (const auto* closed = m->Get<ClientConnectionClosed>()) {
    if (closed->session != session_) return true;
    if (closed->expired) {
      ClientReply expired;
      expired.op = ClientOp::kConnect;
      expired.code = ZkCode::kSessionExpired;
      OnReply(expired);
    } else {
      Disconnect(fmt::format("zk-{} stopped serving", server_), Duration{});
    }
  }
  Rearm();
  return true;
}

void KafkaZkClient::OnReply(const ClientReply& reply) {
  last_zxid_ = std::max(last_zxid_, reply.zxid);
  if (reply.op == ClientOp::kConnect) {
    if (state_ == State::kConnected && reply.code == ZkCode::kOk) return;
    if (reply.code == ZkCode::kSessionExpired) {
      // ClientCnxn: "Unable to reconnect to ZooKeeper service, session 0x.. has expired".
      Note(trace_kind::kZkSessionExpired,
           fmt::format("ZooKeeper session 0x{:x} has expired (zk-{} says so); its ephemeral "
                       "znodes are gone, starting a new session",
                       session_, server_));
      env_.Probe("zk.client.session_expired");
      session_ = zookeeper::kNoSession;
      negotiated_timeout_ms_ = 0;
      // The session's watches died with it (Kafka starts a new ZooKeeper client).
      data_watches_.clear();
      exist_watches_.clear();
      child_watches_.clear();
      last_zxid_ = 0;
      for (auto& [xid, pending] : in_flight_) waiting_.push_back(std::move(pending));
      in_flight_.clear();
      // Requests of the old session fail: their callers start over on the new one.
      std::deque<Pending> failed;
      failed.swap(waiting_);
      state_ = State::kConnecting;
      if (handlers_.expired) handlers_.expired();
      for (Pending& p : failed) {
        ClientReply r;
        r.op = p.request.op;
        r.code = ZkCode::kSessionExpired;
        if (p.reply) p.reply(r);
      }
      ConnectTo(next_server_, Duration{});
      return;
    }
    if (reply.code != ZkCode::kOk) {
      // The server is not serving (no quorum): try the next one after a pause, as ClientCnxn
      // sleeps up to a second between attempts.
      Disconnect(fmt::format("zk-{} is not serving", server_), Milliseconds(1000));
      return;
    }
    const bool fresh = session_ == zookeeper::kNoSession;
    session_ = reply.session;
    negotiated_timeout_ms_ = reply.session_timeout;
    state_ = State::kConnected;
    connect_at_ = kTimeMax;
    Note(trace_kind::kZkConnected,
         fmt::format("{} ZooKeeper session 0x{:x} on zk-{} (timeout {} ms)",
                     fresh ? "established" : "reconnected", session_, server_,
                     negotiated_timeout_ms_));
    if (!fresh) SendSetWatches();
    std::deque<Pending> waiting;
    waiting.swap(waiting_);
    if (handlers_.connected) handlers_.connected(fresh);
    for (Pending& p : waiting) Submit(std::move(p.request), std::move(p.reply));
    return;
  }
  if (reply.op == ClientOp::kPing) {
    if (reply.code == ZkCode::kSessionExpired) {
      ClientReply expired;
      expired.op = ClientOp::kConnect;
      expired.code = ZkCode::kSessionExpired;
      OnReply(expired);
    } else if (reply.code != ZkCode::kOk) {
      Disconnect(fmt::format("zk-{} is not serving", server_), Duration{});
    }
    return;
  }
  auto it = in_flight_.find(reply.xid);
  if (it == in_flight_.end()) return;
  Pending pending = std::move(it->second);
  in_flight_.erase(it);
  if (reply.code == ZkCode::kConnectionLoss) {
    // The server stopped serving between our request and its answer: send it again elsewhere.
    waiting_.push_back(std::move(pending));
    Disconnect(fmt::format("zk-{} lost its quorum", server_), Duration{});
    return;
  }
  RegisterWatch(pending.request, reply);
  if (pending.reply) pending.reply(reply);
}

// The WatchRegistrations of ZooKeeper.java: a watch is registered only where the server left
// one — getData and getChildren on success, exists on success (a data watch) or NONODE (an
// exist watch).
void KafkaZkClient::RegisterWatch(const ClientRequest& request, const ClientReply& reply) {
  if (!request.watch) return;
  if (request.op == ClientOp::kGetData && reply.code == ZkCode::kOk) {
    data_watches_.insert(request.path);
  } else if (request.op == ClientOp::kGetChildren && reply.code == ZkCode::kOk) {
    child_watches_.insert(request.path);
  } else if (request.op == ClientOp::kExists) {
    if (reply.code == ZkCode::kOk) data_watches_.insert(request.path);
    if (reply.code == ZkCode::kNoNode) exist_watches_.insert(request.path);
  }
}

// ZKWatchManager.materialize: a watch fires once, so it is forgotten when its event comes.
void KafkaZkClient::MaterializeWatch(const ClientWatchEvent& event) {
  switch (event.type) {
    case zookeeper::WatchEventType::kNodeCreated:
    case zookeeper::WatchEventType::kNodeDataChanged:
      data_watches_.erase(event.path);
      exist_watches_.erase(event.path);
      break;
    case zookeeper::WatchEventType::kNodeChildrenChanged:
      child_watches_.erase(event.path);
      break;
    case zookeeper::WatchEventType::kNodeDeleted:
      data_watches_.erase(event.path);
      exist_watches_.erase(event.path);
      child_watches_.erase(event.path);
      break;
  }
}

// ClientCnxn.primeConnection: after a reconnect with the same session, the watches the old
// server held are sent to the new one with the last zxid seen, so that none is lost and a
// change made while the client was away fires at once.
void KafkaZkClient::SendSetWatches() {
  if (data_watches_.empty() && exist_watches_.empty() && child_watches_.empty()) return;
  ClientRequest r;
  r.op = ClientOp::kSetWatches;
  r.session = session_;
  r.relative_zxid = last_zxid_;
  r.data_watches.assign(data_watches_.begin(), data_watches_.end());
  r.exist_watches.assign(exist_watches_.begin(), exist_watches_.end());
  r.child_watches.assign(child_watches_.begin(), child_watches_.end());
  env_.Probe("zk.client.set_watches");
  Note(trace_kind::kZkConnected,
       fmt::format("set {} watches again on zk-{} (SetWatches, relativeZxid {})",
                   r.data_watches.size() + r.exist_watches.size() + r.child_watches.size(), server_,
                   zookeeper::ZxidHex(last_zxid_)));
  SendNow(r);
}

void KafkaZkClient::OnTimer() {
  timer_ = kNoTimer;
  timer_at_ = kTimeMax;
  const Time now = env_.Now();
  if (state_ == State::kConnecting) {
    if (!connect_sent_ && now >= connect_at_) {
      SendConnect();
    } else if (connect_sent_ &&
               now >= last_sent_ + Milliseconds(session_timeout_ms_ /
                                                static_cast<std::int32_t>(servers_.size()))) {
      Disconnect(fmt::format("no answer from zk-{}", server_), Duration{});
    }
  } else {
    if (now >= last_heard_ + ReadTimeout()) {
      env_.Probe("zk.client.timeout");
      Disconnect(fmt::format("Client session timed out, have not heard from server in {} ms",
                             (now - last_heard_).Millis()),
                 Duration{});
    } else if (now >= last_sent_ + ReadTimeout() / 2) {
      ClientRequest ping;
      ping.op = ClientOp::kPing;
      ping.session = session_;
      SendNow(ping);
    }
  }
  Rearm();
}

void KafkaZkClient::OnDisconnect(NodeIndex peer) {
  if (peer != ensemble_->NodeFor(server_)) return;
  Disconnect(fmt::format("connection to zk-{} closed", server_), Duration{});
}

void KafkaZkClient::Rearm() {
  Time at = kTimeMax;
  if (state_ == State::kConnecting) {
    at = connect_sent_ ? last_sent_ + Milliseconds(session_timeout_ms_ /
                                                   static_cast<std::int32_t>(servers_.size()))
                       : connect_at_;
  } else {
    at = std::min(last_heard_ + ReadTimeout(), last_sent_ + ReadTimeout() / 2);
  }
  if (at == timer_at_) return;
  if (timer_ != kNoTimer) env_.CancelTimer(timer_);
  timer_ = kNoTimer;
  timer_at_ = at;
  if (at == kTimeMax) return;
  const Time now = env_.Now();
  timer_ = env_.SetTimer(at > now ? at - now : Duration{}, kTimerTag);
}

void KafkaZkClient::Note(std::string_view kind, std::string text) {
  if (handlers_.note) handlers_.note(kind, std::move(text));
}

}  // namespace kafkasim::kafka
