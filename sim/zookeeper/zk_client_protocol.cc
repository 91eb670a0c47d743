// Names and one-line descriptions of the client-server messages.
#include "zookeeper/zk_client_protocol.h"

#include <fmt/format.h>

#include "engine/overloaded.h"

namespace kafkasim::zookeeper {

const char* ClientOpName(ClientOp op) {
  switch (op) {
    case ClientOp::kConnect:
      return "connect";
    case ClientOp::kPing:
      return "ping";
    case ClientOp::kWrite:
      return "write";
    case ClientOp::kCloseSession:
      return "closeSession";
    case ClientOp::kGetData:
      return "getData";
    case ClientOp::kGetChildren:
      return "getChildren";
    case ClientOp::kExists:
      return "exists";
    case ClientOp::kSetWatches:
      return "setWatches";
  }
  return "?";
}

std::string ZkClientMessage::Name() const {
  return std::visit(Overloaded{
                        [](const ClientRequest& r) -> std::string {
                          if (r.op == ClientOp::kConnect) return "ConnectRequest";
                          return ClientOpName(r.op);
                        },
                        [](const ClientReply& r) -> std::string {
                          if (r.op == ClientOp::kConnect) return "ConnectResponse";
                          return std::string(ClientOpName(r.op)) + "Response";
                        },
                        [](const ClientWatchEvent&) -> std::string { return "WatchedEvent"; },
                        [](const ClientConnectionClosed& c) -> std::string {
                          return c.expired ? "SessionExpired" : "ConnectionClosed";
                        },
                    },
                    body);
}

std::string ZkClientMessage::Describe() const {
  return std::visit(
      Overloaded{
          [](const ClientRequest& r) -> std::string {
            switch (r.op) {
              case ClientOp::kConnect:
                return fmt::format("ConnectRequest(session=0x{:x}, timeout={})", r.session,
                                   r.session_timeout);
              case ClientOp::kWrite:
                return DescribeRequest(r.request);
              case ClientOp::kGetData:
              case ClientOp::kGetChildren:
              case ClientOp::kExists:
                return fmt::format("{}({}{})", ClientOpName(r.op), r.path,
                                   r.watch ? ", watch" : "");
              case ClientOp::kSetWatches:
                return fmt::format("setWatches(relativeZxid=0x{:x}, data={}, exist={}, child={})",
                                   r.relative_zxid, r.data_watches.size(), r.exist_watches.size(),
                                   r.child_watches.size());
              default:
                return ClientOpName(r.op);
            }
          },
          [this](const ClientReply& r) -> std::string {
            return fmt::format("{}({})", Name(), ZkCodeName(r.code));
          },
          [](const ClientWatchEvent& e) -> std::string {
            return fmt::format("WatchedEvent({} {})", WatchEventTypeName(e.type), e.path);
          },
          [this](const ClientConnectionClosed& c) -> std::string {
            return fmt::format("{}(session=0x{:x})", Name(), c.session);
          },
      },
      body);
}

}  // namespace kafkasim::zookeeper
