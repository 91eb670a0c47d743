// What travels between nodes: an envelope the engine routes and an immutable payload that
// only the protocol modules understand.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <typeinfo>

#include "engine/time.h"

namespace kafkasim {

using NodeIndex = std::uint32_t;  // dense index of a node in its Simulation
constexpr NodeIndex kNoNode = UINT32_MAX;

// A coarse class the protocol module gives each of its messages, for colouring messages in the
// GUI and filtering diagrams. The engine only carries it and folds it into the trace hash; the
// modules that send messages own the meaning (kafka::MessageKind names every class). 0 is
// "other", the class of a payload no module classified.
struct MessageClass {
  std::uint8_t value = 0;
  friend constexpr auto operator<=>(MessageClass, MessageClass) = default;
};
inline constexpr MessageClass kOtherMessageClass{};

class Payload {
 public:
  virtual ~Payload() = default;
  virtual MessageClass Class() const = 0;
  // Short API-like name: "Fetch", "Vote", "ProduceResponse".
  virtual std::string Name() const = 0;
  // One line for the GUI and diagrams; defaults to the name.
  virtual std::string Describe() const { return Name(); }
};

struct Message {
  NodeIndex from = kNoNode;
  NodeIndex to = kNoNode;
  MessageClass message_class = kOtherMessageClass;
  Time sent_at;
  Time deliver_at;
  std::shared_ptr<const Payload> payload;  // shared so the network can duplicate it

  // Typed access for receivers: nullptr when the payload is of another type. A final payload
  // class (all of ours) is matched by its exact type, without a dynamic_cast's hierarchy walk.
  template <typename T>
  const T* As() const {
    if constexpr (std::is_final_v<T>) {
      const Payload* p = payload.get();
      return p != nullptr && typeid(*p) == typeid(T) ? static_cast<const T*>(p) : nullptr;
    } else {
      return dynamic_cast<const T*>(payload.get());
    }
  }
};

}  // namespace kafkasim
