// ZkServerNode: the engine host of a ZkServer (QuorumPeerMain's process): recovery from
// version-2/ (FileTxnSnapLog.restore), persisting each Ready before acting on it
// (SyncRequestProcessor logs and fsyncs before the ACK leaves), and the client connections
// (NIOServerCnxn) as ZkClientMessages.
#include "zookeeper/zk_server_node.h"

#include <fmt/format.h>

#include <span>
#include <utility>

#include "engine/assert.h"
#include "engine/overloaded.h"
#include "zookeeper/trace_kinds.h"
#include "zookeeper/zk_files.h"

namespace kafkasim::zookeeper {
namespace {

std::span<const std::uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace

ZkServerNode::ZkServerNode(NodeEnv& env, std::shared_ptr<const ZkEnsembleDirectory> directory,
                           ZkConfig config, std::string data_dir)
    : env_(env),
      directory_(std::move(directory)),
      config_(std::move(config)),
      data_dir_(std::move(data_dir)) {
  KSIM_ASSERT(directory_ != nullptr);
  KSIM_ASSERT(config_.server_id != kNoServer);
}

// The node's disk is its dataDir (as a broker's disk is its log dir): version-2/ at its root.
std::string ZkServerNode::VersionDir() const { return std::string(kVersionDir); }

void ZkServerNode::OnStart() {
  FileSystem& disk = env_.disk();
  const std::string dir = VersionDir();
  if (Status s = disk.CreateDirs(dir); !s.ok()) return Fail(s, "creating " + dir);
  // ZooKeeper writes dataDir/myid by hand before the first start; we write it for the learner.
  const std::string myid = "myid";
  if (!disk.Exists(myid)) {
    if (Status s = disk.WriteFileAtomically(myid, fmt::format("{}\n", config_.server_id));
        !s.ok()) {
      return Fail(s, "writing " + myid);
    }
  }
  Result<std::vector<std::string>> names = disk.ListDir(dir);
  if (!names.ok()) return Fail(names.status(), "listing " + dir);
  std::map<std::string, std::string> files;
  for (const std::string& name : *names) {
    Result<std::vector<std::uint8_t>> bytes = disk.ReadFile(dir + "/" + name);
    if (!bytes.ok()) return Fail(bytes.status(), "reading " + name);
    files[name] = std::string(bytes->begin(), bytes->end());
  }
  Result<Recovery> recovery = RecoverDatabase(files);
  if (!recovery.ok()) return Fail(recovery.status(), "loading the database");
  if (!files.empty()) {
    const Zxid base = recovery->state.tree.last_processed_zxid();
    Emit(trace_kind::kRecovered,
         fmt::format("loaded snapshot {} and {} logged txns from {} (acceptedEpoch {}, "
                     "currentEpoch {})",
                     ZxidHex(base), recovery->state.log.size(), data_dir_ + "/" + dir,
                     recovery->state.accepted_epoch, recovery->state.current_epoch));
  }
  for (const std::string& line : recovery->report) Emit(trace_kind::kRecovered, line);
  current_log_.clear();  // a restarted server starts a new log file
  server_ = std::make_unique<ZkServer>(config_, std::move(recovery->state), env_.Now());
  Drain();
}

void ZkServerNode::OnMessage(const Message& message) {
  if (server_ == nullptr) return;
  if (const auto* zk = message.As<ZkMessage>()) {
    server_->Step(*zk, env_.Now());
  } else if (const auto* client = message.As<ZkClientMessage>()) {
    if (const auto* request = client->Get<ClientRequest>()) HandleClient(message.from, *request);
  }
  Drain();
}

void ZkServerNode::OnTimer(std::uint64_t tag) {
  (void)tag;
  timer_ = kNoTimer;
  timer_at_ = kTimeMax;
  if (server_ == nullptr) return;
  server_->Tick(env_.Now());
  Drain();
}

void ZkServerNode::HandleClient(NodeIndex from, const ClientRequest& r) {
  const Time now = env_.Now();
  ClientReply reply;
  reply.op = r.op;
  reply.session = r.session;
  reply.xid = r.xid;
  auto answer = [&] { env_.Send(from, std::make_shared<ZkClientMessage>(reply)); };
  switch (r.op) {
    case ClientOp::kConnect: {
      if (r.session == kNoSession) {
        // A new session: createSession goes through the leader; the reply waits for it.
        Result<SessionId> session = server_->Connect(r.session_timeout, now);
        if (!session.ok()) {
          reply.code = ZkCode::kConnectionLoss;
          return answer();
        }
        clients_[*session] = from;
        return;
      }
      reply.code = server_->Reconnect(r.session, now);
      if (reply.code == ZkCode::kOk) {
        clients_[r.session] = from;
        const auto& sessions = server_->tree().sessions();
        auto it = sessions.find(r.session);
        reply.session_timeout = it == sessions.end() ? r.session_timeout : it->second;
      }
      return answer();
    }
    case ClientOp::kPing:
      reply.code = server_->Touch(r.session, now);
      return answer();
    case ClientOp::kWrite:
      if (!clients_.contains(r.session) || !server_->serving()) {
        reply.code = ZkCode::kConnectionLoss;
        return answer();
      }
      clients_[r.session] = from;
      server_->Submit(r.session, r.xid, r.request, now);
      return;
    case ClientOp::kCloseSession:
      server_->CloseSession(r.session, r.xid, now);
      return;
    case ClientOp::kSetWatches:
      // No answer: watches that must fire do so now, as WatchedEvents, after the
      // ConnectResponse this connection already got.
      if (clients_.contains(r.session)) {
        (void)server_->SetWatches(r.session, r.relative_zxid, r.data_watches, r.exist_watches,
                                  r.child_watches);
      }
      return;
    case ClientOp::kGetData:
    case ClientOp::kGetChildren:
    case ClientOp::kExists: {
      if (!server_->serving() || !clients_.contains(r.session)) {
        reply.code = ZkCode::kConnectionLoss;
        return answer();
      }
      server_->Touch(r.session, now);
      ReadResult read = r.op == ClientOp::kGetData ? server_->GetData(r.session, r.path, r.watch)
                        : r.op == ClientOp::kExists
                            ? server_->Exists(r.session, r.path, r.watch)
                            : server_->GetChildren(r.session, r.path, r.watch);
      reply.code = read.code;
      reply.data = std::move(read.data);
      reply.stat = read.stat;
      reply.children = std::move(read.children);
      reply.zxid = server_->last_committed_zxid();
      return answer();
    }
  }
}

void ZkServerNode::SendToClient(SessionId session, ZkClientBody body) {
  auto it = clients_.find(session);
  if (it == clients_.end()) return;
  env_.Send(it->second, std::make_shared<ZkClientMessage>(std::move(body)));
}

void ZkServerNode::Drain() {
  while (!failed_ && server_ != nullptr && server_->HasReady()) {
    Ready ready = server_->TakeReady();
    if (!Persist(ready)) return;
    for (const auto& m : ready.messages) {
      const NodeIndex to = directory_->NodeFor(m->to);
      if (to != kNoNode) env_.Send(to, m);
    }
    for (const ZkNote& note : ready.notes) Emit(note.kind, note.text);
    for (const ClientResponse& r : ready.responses) {
      ClientReply reply;
      reply.session = r.session;
      reply.xid = r.cxid;
      reply.code = r.code;
      reply.zxid = r.zxid;
      reply.results = r.results;
      reply.session_timeout = r.session_timeout;
      reply.op = r.type == TxnType::kCreateSession  ? ClientOp::kConnect
                 : r.type == TxnType::kCloseSession ? ClientOp::kCloseSession
                                                    : ClientOp::kWrite;
      SendToClient(r.session, reply);
      if (reply.op == ClientOp::kCloseSession ||
          (reply.op == ClientOp::kConnect && reply.code != ZkCode::kOk)) {
        clients_.erase(r.session);
      }
    }
    for (const WatchEvent& e : ready.watch_events) {
      SendToClient(e.session, ClientWatchEvent{e.session, e.type, e.path});
    }
    for (SessionId session : ready.expired) {
      SendToClient(session, ClientConnectionClosed{session, true});
      clients_.erase(session);
    }
    for (SessionId session : ready.disconnected) {
      SendToClient(session, ClientConnectionClosed{session, false});
      clients_.erase(session);
    }
  }
  ArmTimer();
}

// The Ready's files, in the order the contract gives: truncate, snapshot, append, epochs.
bool ZkServerNode::Persist(const Ready& ready) {
  FileSystem& disk = env_.disk();
  const std::string dir = VersionDir();
  if (ready.truncate_log_to) {
    // Learner.syncWithLeader's TRUNC: FileTxnLog.truncate drops every txn above the zxid.
    const Zxid keep = *ready.truncate_log_to;
    Result<std::vector<std::string>> names = disk.ListDir(dir);
    if (!names.ok()) return Fail(names.status(), "truncating the txn log"), false;
    for (const std::string& name : *names) {
      Zxid first = 0;
      if (!ParseFileZxid(name, "log.", &first)) continue;
      const std::string path = dir + "/" + name;
      if (first > keep) {
        if (Status s = disk.Remove(path); !s.ok()) return Fail(s, "removing " + name), false;
        continue;
      }
      Result<std::vector<std::uint8_t>> bytes = disk.ReadFile(path);
      if (!bytes.ok()) return Fail(bytes.status(), "reading " + name), false;
      Result<TxnLogRead> read = DecodeTxnLog(std::string(bytes->begin(), bytes->end()));
      if (!read.ok()) continue;  // a bad header: recovery reports it
      std::size_t size = EncodeTxnLogHeader().size();
      for (const Txn& txn : read->txns) {
        if (txn.zxid > keep) break;
        size += EncodeTxnRecord(txn).size();
      }
      if (size < bytes->size()) {
        if (Status s = disk.Truncate(path, size); !s.ok())
          return Fail(s, "truncating " + name), false;
        if (Status s = disk.Sync(path); !s.ok()) return Fail(s, "syncing " + name), false;
      }
    }
    current_log_.clear();
  }
  if (ready.snapshot) {
    // FileSnap.serialize: snapshot.<zxid>, and the txn log rolls to a new file.
    Result<DataTree> tree = DataTree::Deserialize(ready.snapshot->tree);
    KSIM_ASSERT_MSG(tree.ok(), tree.status().ToString());
    const std::string name = SnapshotFileName(ready.snapshot->zxid);
    if (Status s = disk.WriteFileAtomically(dir + "/" + name, EncodeSnapshot(*tree)); !s.ok()) {
      return Fail(s, "writing " + name), false;
    }
    current_log_.clear();
  }
  if (!ready.log_appends.empty()) {
    for (const Txn& txn : ready.log_appends) {
      if (current_log_.empty()) {
        current_log_ = TxnLogFileName(txn.zxid);
        const std::string path = dir + "/" + current_log_;
        Status s = disk.CreateFile(path);
        if (s.ok()) s = disk.Truncate(path, 0);
        if (s.ok()) s = disk.Append(path, Bytes(EncodeTxnLogHeader()));
        if (!s.ok()) return Fail(s, "creating " + current_log_), false;
      }
      if (Status s = disk.Append(dir + "/" + current_log_, Bytes(EncodeTxnRecord(txn))); !s.ok()) {
        return Fail(s, "appending to " + current_log_), false;
      }
    }
    if (ready.must_sync) {
      if (Status s = disk.Sync(dir + "/" + current_log_); !s.ok()) {
        return Fail(s, "syncing " + current_log_), false;
      }
    }
  }
  // QuorumPeer.writeLongToFile: AtomicFileOutputStream, fsync'd, renamed over the old file.
  if (ready.accepted_epoch) {
    if (Status s = disk.WriteFileAtomically(dir + "/" + std::string(kAcceptedEpochFile),
                                            EncodeEpoch(*ready.accepted_epoch));
        !s.ok()) {
      return Fail(s, "writing acceptedEpoch"), false;
    }
  }
  if (ready.current_epoch) {
    if (Status s = disk.WriteFileAtomically(dir + "/" + std::string(kCurrentEpochFile),
                                            EncodeEpoch(*ready.current_epoch));
        !s.ok()) {
      return Fail(s, "writing currentEpoch"), false;
    }
  }
  return true;
}

// ZooKeeper exits on an I/O error of its txn log ("Severe unrecoverable error, exiting").
void ZkServerNode::Fail(const Status& error, std::string_view while_doing) {
  if (failed_) return;
  failed_ = true;
  env_.Probe("zk.disk_failed");
  Emit(trace_kind::kDiskFailed,
       fmt::format("disk error while {} ({}): Severe unrecoverable error, exiting", while_doing,
                   error.ToString()));
  env_.simulation().KillNode(env_.self());
}

void ZkServerNode::ArmTimer() {
  if (server_ == nullptr || failed_) return;
  const Time at = server_->NextDeadline();
  if (at == timer_at_) return;
  if (timer_ != kNoTimer) env_.CancelTimer(timer_);
  timer_ = kNoTimer;
  timer_at_ = at;
  if (at == kTimeMax) return;
  const Time now = env_.Now();
  timer_ = env_.SetTimer(at > now ? at - now : Duration{}, 1);
}

void ZkServerNode::Emit(std::string_view kind, std::string text) {
  env_.Emit(std::string(kind), {}, std::move(text));
}

}  // namespace kafkasim::zookeeper
