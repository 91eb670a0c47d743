// Names and one-line descriptions of ZooKeeper's messages.
#include "zookeeper/zk_messages.h"

#include <fmt/format.h>

namespace kafkasim::zookeeper {

const char* ServerStateName(ServerState state) {
  switch (state) {
    case ServerState::kLooking:
      return "LOOKING";
    case ServerState::kFollowing:
      return "FOLLOWING";
    case ServerState::kLeading:
      return "LEADING";
  }
  return "?";
}

const char* PacketTypeName(PacketType type) {
  switch (type) {
    case PacketType::kRequest:
      return "REQUEST";
    case PacketType::kProposal:
      return "PROPOSAL";
    case PacketType::kAck:
      return "ACK";
    case PacketType::kCommit:
      return "COMMIT";
    case PacketType::kPing:
      return "PING";
    case PacketType::kNewLeader:
      return "NEWLEADER";
    case PacketType::kFollowerInfo:
      return "FOLLOWERINFO";
    case PacketType::kUpToDate:
      return "UPTODATE";
    case PacketType::kDiff:
      return "DIFF";
    case PacketType::kTrunc:
      return "TRUNC";
    case PacketType::kSnap:
      return "SNAP";
    case PacketType::kLeaderInfo:
      return "LEADERINFO";
    case PacketType::kAckEpoch:
      return "ACKEPOCH";
  }
  return "?";
}

std::string ZkMessage::Name() const {
  if (const auto* p = Get<QuorumPacket>()) return PacketTypeName(p->type);
  return "Notification";
}

std::string ZkMessage::Describe() const {
  if (const auto* n = Get<Notification>()) {
    return fmt::format("Notification(leader={}, zxid={}, round={}, {}, peer_epoch={})", n->leader,
                       ZxidHex(n->zxid), n->election_epoch, ServerStateName(n->state),
                       n->peer_epoch);
  }
  const auto& p = std::get<QuorumPacket>(body);
  switch (p.type) {
    case PacketType::kProposal:
      return fmt::format("PROPOSAL({})", p.txn ? DescribeTxn(*p.txn) : ZxidHex(p.zxid));
    case PacketType::kAckEpoch:
      return fmt::format("ACKEPOCH(last_zxid={}, current_epoch={})", ZxidHex(p.zxid), p.epoch);
    case PacketType::kSnap:
      return fmt::format("SNAP(zxid={}, {} bytes)", ZxidHex(p.zxid), p.snapshot.size());
    case PacketType::kRequest:
      return fmt::format("REQUEST(session=0x{:x}, cxid={}, {})", p.session, p.cxid,
                         p.request_type == TxnType::kMulti ? DescribeRequest(p.request)
                                                           : TxnTypeName(p.request_type));
    case PacketType::kPing:
      return p.touched.empty() ? "PING" : fmt::format("PING({} sessions)", p.touched.size());
    default:
      return fmt::format("{}({})", PacketTypeName(p.type), ZxidHex(p.zxid));
  }
}

}  // namespace kafkasim::zookeeper
