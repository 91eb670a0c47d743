// The classes of the messages a simulated cluster sends, by name: the engine carries only the
// number (MessageClass); the GUI's colours, the diagram legend and filters use these names.
#pragma once

#include <cstdint>

#include "engine/message.h"
#include "raft/raft_messages.h"

namespace kafkasim::kafka {

// The values are the engine classes the payloads return, folded into the trace hash: they
// never change. Raft declares its own two classes; the others are Kafka's.
enum class MessageKind : std::uint8_t {
  kOther = kOtherMessageClass.value,
  kProduce = 1,  // Produce, InitProducerId
  kFetch = 2,    // Fetch of partition replicas and consumers, ListOffsets
  kVote = raft::kElectionMessageClass.value,
  kHeartbeat = 4,                                    // BrokerRegistration, BrokerHeartbeat
  kMetadata = raft::kReplicationMessageClass.value,  // metadata log, AlterPartition, Metadata
  kAdmin = 6,                                        // CreateTopics, DeleteTopics, ...
  kZooKeeper = 7,                                    // a ZooKeeper ensemble's traffic
  kGroup = 8,                                        // the group coordinator's
};
inline constexpr MessageKind kLastMessageKind = MessageKind::kGroup;

constexpr MessageClass ClassOf(MessageKind kind) {
  return MessageClass{static_cast<std::uint8_t>(kind)};
}

// The kind a class names; kOther for a class no module declares.
constexpr MessageKind MessageKindOf(MessageClass message_class) {
  if (message_class.value > static_cast<std::uint8_t>(kLastMessageKind)) return MessageKind::kOther;
  return static_cast<MessageKind>(message_class.value);
}

// "produce", "fetch", "vote", ...: the legend of diagrams and the GUI.
constexpr const char* MessageKindName(MessageKind kind) {
  switch (kind) {
    case MessageKind::kOther:
      return "other";
    case MessageKind::kProduce:
      return "produce";
    case MessageKind::kFetch:
      return "fetch";
    case MessageKind::kVote:
      return "vote";
    case MessageKind::kHeartbeat:
      return "heartbeat";
    case MessageKind::kMetadata:
      return "metadata";
    case MessageKind::kAdmin:
      return "admin";
    case MessageKind::kZooKeeper:
      return "zookeeper";
    case MessageKind::kGroup:
      return "group";
  }
  return "other";
}

static_assert(MessageKindOf(raft::kElectionMessageClass) == MessageKind::kVote);
static_assert(MessageKindOf(MessageClass{200}) == MessageKind::kOther);

}  // namespace kafkasim::kafka
