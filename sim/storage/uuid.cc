// Uuid text form: java.util.Base64.getUrlEncoder().withoutPadding() over the 16 bytes.
#include "storage/uuid.h"

#include <string>

namespace kafkasim::storage {
namespace {

// Base64 URL-safe alphabet (RFC 4648 section 5).
constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

}  // namespace

std::string Uuid::ToBase64() const {
  std::uint8_t bytes[16];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<std::uint8_t>(high >> (56 - 8 * i));
  for (int i = 0; i < 8; ++i) bytes[8 + i] = static_cast<std::uint8_t>(low >> (56 - 8 * i));
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::uint8_t b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kBase64Url[(buffer >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += kBase64Url[(buffer << (6 - bits)) & 0x3f];
  return out;  // 22 characters, no padding
}

}  // namespace kafkasim::storage
