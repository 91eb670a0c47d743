// libFuzzer target: the gateway's request decoder (network bytes from any client). Decoding
// must end in a request or a refusal with a message, never a crash, a leak or undefined
// behaviour; a decoded request's response must encode.
#include <cstddef>
#include <cstdint>
#include <span>

#include "gateway/protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace kafkasim::gateway;
  const auto decoded = DecodeRequest(std::span<const std::uint8_t>(data, size));
  if (const auto* failure = std::get_if<DecodeFailure>(&decoded)) {
    if (failure->message.empty()) __builtin_trap();  // every refusal says why
    return 0;
  }
  const Request& request = std::get<Request>(decoded);
  const ApiRange* range = FindSupported(request.header.api_key);
  if (range == nullptr) __builtin_trap();  // only served APIs decode
  if (request.header.api_key == api::kApiVersions) {
    const auto frame = EncodeApiVersionsResponse(request.header, 0);
    if (frame.size() < 8) __builtin_trap();
  }
  return 0;
}
