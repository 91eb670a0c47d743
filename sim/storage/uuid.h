// Kafka's 128-bit Uuid (topic ids, incarnation ids, log directory ids), printed as URL-safe
// base64 without padding (org.apache.kafka.common.Uuid.toString).
#pragma once

#include <cstdint>
#include <string>

#include "engine/status.h"

namespace kafkasim::storage {

struct Uuid {
  std::uint64_t high = 0;
  std::uint64_t low = 0;
  auto operator<=>(const Uuid&) const = default;
  bool IsZero() const { return high == 0 && low == 0; }
  std::string ToBase64() const;
};
// The inverse of Uuid::ToBase64; kInvalidArgument unless text is 22 URL-safe base64 characters
// (defined in checkpoint_file.cc, with the texts its files' errors use).
Result<Uuid> UuidFromBase64(const std::string& text);

}  // namespace kafkasim::storage
