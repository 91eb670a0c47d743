// Big-endian field codec (Jute's byte order) for transactions, snapshots and their checksums.
// Internal to sim/zookeeper: the file layouts are documented in README.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kafkasim::zookeeper::codec {

class Writer {
 public:
  void U8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void I32(std::int32_t v) { Fixed(static_cast<std::uint64_t>(static_cast<std::uint32_t>(v)), 4); }
  void I64(std::int64_t v) { Fixed(static_cast<std::uint64_t>(v), 8); }
  void Bytes(std::string_view s) {
    I32(static_cast<std::int32_t>(s.size()));
    out_.append(s);
  }
  void Raw(std::string_view s) { out_.append(s); }
  std::string& str() { return out_; }

 private:
  void Fixed(std::uint64_t v, int width) {
    for (int i = width - 1; i >= 0; --i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  std::string out_;
};

// Reads fields; any read past the end sets failed() and returns zeros.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  std::uint8_t U8() { return static_cast<std::uint8_t>(Fixed(1)); }
  std::int32_t I32() { return static_cast<std::int32_t>(static_cast<std::uint32_t>(Fixed(4))); }
  std::int64_t I64() { return static_cast<std::int64_t>(Fixed(8)); }
  std::string Bytes() {
    const std::int32_t n = I32();
    if (n < 0 || static_cast<std::size_t>(n) > in_.size() - pos_) {
      failed_ = true;
      return {};
    }
    std::string s(in_.substr(pos_, static_cast<std::size_t>(n)));
    pos_ += static_cast<std::size_t>(n);
    return s;
  }
  bool failed() const { return failed_; }
  std::size_t pos() const { return pos_; }
  std::size_t remaining() const { return in_.size() - pos_; }

 private:
  std::uint64_t Fixed(int width) {
    if (in_.size() - pos_ < static_cast<std::size_t>(width)) {
      failed_ = true;
      pos_ = in_.size();
      return 0;
    }
    std::uint64_t v = 0;
    for (int i = 0; i < width; ++i) v = (v << 8) | static_cast<std::uint8_t>(in_[pos_++]);
    return v;
  }
  std::string_view in_;
  std::size_t pos_ = 0;
  bool failed_ = false;
};

// java.util.zip.Adler32, which FileTxnLog and FileSnap use for their checksums.
inline std::uint32_t Adler32(std::string_view bytes) {
  constexpr std::uint32_t kMod = 65521;
  std::uint32_t a = 1;
  std::uint32_t b = 0;
  for (char c : bytes) {
    a = (a + static_cast<std::uint8_t>(c)) % kMod;
    b = (b + a) % kMod;
  }
  return (b << 16) | a;
}

}  // namespace kafkasim::zookeeper::codec
