// What ZooKeeper servers exchange: election notifications (FastLeaderElection.Notification,
// over QuorumCnxManager) and quorum packets (QuorumPacket, between a leader and its learners),
// carried by the engine as one Payload type, ZkMessage.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "engine/message.h"
#include "zookeeper/zk_types.h"

namespace kafkasim::zookeeper {

// QuorumPeer.ServerState (OBSERVING is not modelled: every server is a participant).
enum class ServerState : std::uint8_t { kLooking, kFollowing, kLeading };
const char* ServerStateName(ServerState state);  // "LOOKING", "FOLLOWING", "LEADING"

// A vote as FastLeaderElection sends it.
struct Notification {
  ServerId leader = kNoServer;      // the proposed leader
  Zxid zxid = 0;                    // its last logged zxid
  std::int64_t election_epoch = 0;  // the sender's logical clock (election round)
  ServerState state = ServerState::kLooking;
  ZkEpoch peer_epoch = 0;  // the proposed leader's current epoch
};

// Leader.java's packet types, with ZooKeeper's numbers.
enum class PacketType : std::int32_t {
  kRequest = 1,
  kProposal = 2,
  kAck = 3,
  kCommit = 4,
  kPing = 5,
  kNewLeader = 10,
  kFollowerInfo = 11,
  kUpToDate = 12,
  kDiff = 13,
  kTrunc = 14,
  kSnap = 15,
  kLeaderInfo = 17,
  kAckEpoch = 18,
};
const char* PacketTypeName(PacketType type);  // "PROPOSAL", ...

// A QuorumPacket on one learner connection. ZooKeeper runs these over TCP; the simulated
// network may drop a packet, so each carries its connection and a per-direction sequence
// number, and a receiver that sees a gap treats the connection as broken, as TCP would.
struct QuorumPacket {
  PacketType type = PacketType::kPing;
  Zxid zxid = 0;
  std::uint64_t connection = 0;  // chosen by the learner, one per FOLLOWERINFO
  std::uint64_t seq = 0;         // 1, 2, ... per direction of the connection
  std::optional<Txn> txn;        // PROPOSAL
  std::string snapshot;          // SNAP: the leader's serialised DataTree
  ZkEpoch epoch = -1;            // ACKEPOCH: the learner's currentEpoch (-1: unchanged)
  // PING from a learner: the sessions its clients touched, with their timeouts.
  std::vector<std::pair<SessionId, std::int32_t>> touched;
  // REQUEST: a client write forwarded to the leader.
  SessionId session = kNoSession;
  std::int32_t cxid = 0;
  std::int32_t session_timeout = 0;        // REQUEST of a createSession
  TxnType request_type = TxnType::kError;  // createSession, closeSession, or a write (kMulti)
  Request request;
};

using ZkBody = std::variant<Notification, QuorumPacket>;

// All ZooKeeper traffic has one engine class; kafka::MessageKind::kZooKeeper names it.
inline constexpr MessageClass kZooKeeperMessageClass{7};

class ZkMessage final : public Payload {
 public:
  ZkMessage(ServerId from_id, ServerId to_id, ZkBody message_body)
      : from(from_id), to(to_id), body(std::move(message_body)) {}

  MessageClass Class() const override { return kZooKeeperMessageClass; }
  std::string Name() const override;      // "Notification", "PROPOSAL", ...
  std::string Describe() const override;  // "PROPOSAL(0x100000001 create /a)"

  template <typename T>
  const T* Get() const {
    return std::get_if<T>(&body);
  }

  ServerId from;
  ServerId to;
  ZkBody body;
};

}  // namespace kafkasim::zookeeper
