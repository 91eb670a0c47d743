// What a ZooKeeper client (ClientCnxn, as Kafka's ZooKeeperClient drives it) and the server it
// is connected to exchange: ConnectRequest/ConnectResponse, pings, reads, writes, watch
// notifications, and the server closing the connection. One engine Payload, ZkClientMessage,
// of the ZooKeeper message class.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "engine/message.h"
#include "zookeeper/data_tree.h"
#include "zookeeper/zk_messages.h"
#include "zookeeper/zk_types.h"

namespace kafkasim::zookeeper {

// The requests of ZooDefs.OpCode a client sends (writes are one Request, single op or multi).
enum class ClientOp : std::uint8_t {
  kConnect,       // ConnectRequest: session 0 for a new session, else a reconnect
  kPing,          // OpCode.ping
  kWrite,         // create / delete / setData / multi
  kCloseSession,  // OpCode.closeSession
  kGetData,       // OpCode.getData
  kGetChildren,   // OpCode.getChildren2
  kExists,        // OpCode.exists
  kSetWatches,    // OpCode.setWatches: a reconnected client's watches, set again (no reply)
};
const char* ClientOpName(ClientOp op);  // "connect", "ping", "create", ...

struct ClientRequest {
  ClientOp op = ClientOp::kPing;
  SessionId session = kNoSession;
  std::int32_t xid = 0;              // the client's request id (cxid of writes)
  std::int32_t session_timeout = 0;  // kConnect: the timeout the client asks for, in ms
  Request request;                   // kWrite
  std::string path;                  // reads
  bool watch = false;                // reads: leave a one-shot watch
  // kSetWatches (ClientCnxn.primeConnection): the last zxid the client saw and its watches.
  Zxid relative_zxid = 0;
  std::vector<std::string> data_watches{};
  std::vector<std::string> exist_watches{};
  std::vector<std::string> child_watches{};
};

struct ClientReply {
  ClientOp op = ClientOp::kPing;
  SessionId session = kNoSession;
  std::int32_t xid = 0;
  ZkCode code = ZkCode::kOk;
  std::int32_t session_timeout = 0;  // kConnect: the negotiated timeout
  Zxid zxid = 0;
  std::vector<OpResult> results;      // kWrite
  std::string data;                   // kGetData
  Stat stat;                          // kGetData, kExists
  std::vector<std::string> children;  // kGetChildren
};

// A watch that fired (WatcherEvent, state SyncConnected).
struct ClientWatchEvent {
  SessionId session = kNoSession;
  WatchEventType type = WatchEventType::kNodeCreated;
  std::string path;
};

// The server ends the client's connection: the session expired (the client must start a new
// one), or the server stopped serving (the client reconnects elsewhere with its session).
struct ClientConnectionClosed {
  SessionId session = kNoSession;
  bool expired = false;
};

using ZkClientBody =
    std::variant<ClientRequest, ClientReply, ClientWatchEvent, ClientConnectionClosed>;

class ZkClientMessage final : public Payload {
 public:
  explicit ZkClientMessage(ZkClientBody message_body) : body(std::move(message_body)) {}
  MessageClass Class() const override { return kZooKeeperMessageClass; }
  std::string Name() const override;      // "ConnectRequest", "getData", "WatchedEvent", ...
  std::string Describe() const override;  // "getData(/controller, watch)"
  template <typename T>
  const T* Get() const {
    return std::get_if<T>(&body);
  }
  ZkClientBody body;
};

}  // namespace kafkasim::zookeeper
