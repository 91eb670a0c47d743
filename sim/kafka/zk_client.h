// The ZooKeeper client inside a ZooKeeper-mode broker: Kafka's ZooKeeperClient over
// ClientCnxn. It keeps one session with the ensemble (zookeeper.session.timeout.ms), pings when
// idle for a third of the timeout, moves to another server when it has heard nothing for two
// thirds of it (or the server closed the connection), and starts a new session when the
// ensemble says the old one expired. Requests made while disconnected wait and are sent once
// connected again (KafkaZkClient.retryRequestsUntilConnected); callers handle the NODEEXISTS or
// BADVERSION a resent write may meet.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "engine/simulation.h"
#include "zookeeper/zk_client_protocol.h"
#include "zookeeper/zk_server_node.h"

namespace kafkasim::kafka {

class KafkaZkClient {
 public:
  enum class State : std::uint8_t { kConnecting, kConnected };
  using Reply = std::function<void(const zookeeper::ClientReply&)>;
  struct Handlers {
    // A session is established: `new_session` after a first connect or an expiry (ephemerals
    // must be created again), false after a reconnect with the same session.
    std::function<void(bool new_session)> connected;
    // The ensemble expired the session (its ephemerals are gone); a new one is being made.
    std::function<void()> expired;
    std::function<void(const zookeeper::ClientWatchEvent&)> watch;
    std::function<void(std::string_view kind, std::string text)> note;
  };
  // The host's timer tag for this client.
  static constexpr std::uint64_t kTimerTag = 50;

  KafkaZkClient(NodeEnv& env, std::shared_ptr<const zookeeper::ZkEnsembleDirectory> ensemble,
                std::int32_t session_timeout_ms, Handlers handlers);

  void Start();
  // A write (single op or multi) and the reads, answered through `reply`.
  void Write(zookeeper::Request request, Reply reply);
  void GetData(const std::string& path, bool watch, Reply reply);
  void GetChildren(const std::string& path, bool watch, Reply reply);
  void Exists(const std::string& path, bool watch, Reply reply);

  // closeSession: the ensemble deletes the session's ephemerals now (a clean shutdown). `done`
  // runs when the ensemble has answered (ZooKeeper.close waits for it); false, and `done` is
  // dropped, when there is no connection to send it on.
  bool Close(Reply done);
  // True when the message was the client's.
  bool OnMessage(const Message& message);
  void OnTimer();
  void OnDisconnect(NodeIndex peer);

  State state() const { return state_; }
  bool connected() const { return state_ == State::kConnected; }
  zookeeper::SessionId session() const { return session_; }
  zookeeper::ServerId server() const { return server_; }
  std::int32_t negotiated_timeout_ms() const { return negotiated_timeout_ms_; }

 private:
  struct Pending {
    zookeeper::ClientRequest request;
    Reply reply;
  };
  void Submit(zookeeper::ClientRequest request, Reply reply);
  void ConnectTo(std::size_t index, Duration after);
  void SendConnect();
  void Disconnect(const std::string& why, Duration backoff);
  void OnReply(const zookeeper::ClientReply& reply);
  void RegisterWatch(const zookeeper::ClientRequest& request, const zookeeper::ClientReply& reply);
  void MaterializeWatch(const zookeeper::ClientWatchEvent& event);
  void SendSetWatches();
  void SendNow(const zookeeper::ClientRequest& request);
  void Rearm();
  Duration ReadTimeout() const;
  void Note(std::string_view kind, std::string text);

  NodeEnv& env_;
  std::shared_ptr<const zookeeper::ZkEnsembleDirectory> ensemble_;
  std::int32_t session_timeout_ms_;
  Handlers handlers_;
  std::vector<zookeeper::ServerId> servers_;
  std::size_t next_server_ = 0;
  State state_ = State::kConnecting;
  bool connect_sent_ = false;
  zookeeper::ServerId server_ = zookeeper::kNoServer;
  zookeeper::SessionId session_ = zookeeper::kNoSession;
  std::int32_t negotiated_timeout_ms_ = 0;
  std::int32_t next_xid_ = 1;
  // ZKWatchManager: the watches the servers hold for this session, by path, and the last zxid
  // a reply carried. After a reconnect they are sent as SetWatches (ClientCnxn.primeConnection)
  // to the new server, which fires those whose znode changed since.
  std::set<std::string> data_watches_;
  std::set<std::string> exist_watches_;
  std::set<std::string> child_watches_;
  zookeeper::Zxid last_zxid_ = 0;
  std::map<std::int32_t, Pending> in_flight_;
  std::deque<Pending> waiting_;  // made while disconnected
  Time last_heard_;
  Time last_sent_;
  Time connect_at_ = kTimeMax;  // kConnecting: when to send the next ConnectRequest
  TimerId timer_ = kNoTimer;
  Time timer_at_ = kTimeMax;
};

}  // namespace kafkasim::kafka
