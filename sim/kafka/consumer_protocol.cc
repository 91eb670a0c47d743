// The consumer's embedded protocol; see consumer_protocol.h.
#include "kafka/consumer_protocol.h"

#include <cstddef>
#include <utility>

namespace kafkasim::kafka {
namespace {

constexpr std::int16_t kVersion = 3;

class Writer {
 public:
  void Int16(std::int16_t v) { Big(static_cast<std::uint64_t>(static_cast<std::uint16_t>(v)), 2); }
  void Int32(std::int32_t v) { Big(static_cast<std::uint64_t>(static_cast<std::uint32_t>(v)), 4); }
  void String(const std::string& s) {
    Int16(static_cast<std::int16_t>(s.size()));
    out_.insert(out_.end(), s.begin(), s.end());
  }
  // Partitions grouped by topic, in first-seen topic order (ConsumerProtocol's grouping).
  void TopicPartitions(const std::vector<TopicPartition>& partitions) {
    std::vector<std::pair<std::string, std::vector<std::int32_t>>> by_topic;
    for (const TopicPartition& tp : partitions) {
      auto it = by_topic.begin();
      while (it != by_topic.end() && it->first != tp.topic) ++it;
      if (it == by_topic.end()) it = by_topic.insert(by_topic.end(), {tp.topic, {}});
      it->second.push_back(tp.partition);
    }
    Int32(static_cast<std::int32_t>(by_topic.size()));
    for (const auto& [topic, indexes] : by_topic) {
      String(topic);
      Int32(static_cast<std::int32_t>(indexes.size()));
      for (std::int32_t p : indexes) Int32(p);
    }
  }
  GroupBytes Take() { return std::move(out_); }

 private:
  void Big(std::uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) {
      out_.push_back(static_cast<std::uint8_t>((v >> (8 * i)) & 0xFF));
    }
  }
  GroupBytes out_;
};

class Reader {
 public:
  explicit Reader(const GroupBytes& in) : in_(in) {}
  bool ok() const { return ok_; }
  bool AtEnd() const { return pos_ >= in_.size(); }
  std::int16_t Int16() { return static_cast<std::int16_t>(Big(2)); }
  std::int32_t Int32() { return static_cast<std::int32_t>(Big(4)); }
  std::string String() {
    const std::int16_t n = Int16();
    if (n < 0 || !Has(static_cast<std::size_t>(n))) return Fail();
    std::string s(in_.begin() + static_cast<std::ptrdiff_t>(pos_),
                  in_.begin() + static_cast<std::ptrdiff_t>(pos_ + static_cast<std::size_t>(n)));
    pos_ += static_cast<std::size_t>(n);
    return s;
  }
  void SkipNullableString() {
    const std::int16_t n = Int16();
    if (n > 0 && Has(static_cast<std::size_t>(n))) pos_ += static_cast<std::size_t>(n);
  }
  void SkipBytes() {
    const std::int32_t n = Int32();
    if (n > 0 && Has(static_cast<std::size_t>(n))) pos_ += static_cast<std::size_t>(n);
  }
  std::int32_t Count() {
    const std::int32_t n = Int32();
    if (n < 0 || static_cast<std::size_t>(n) > in_.size()) {
      Fail();
      return 0;
    }
    return n;
  }
  std::vector<TopicPartition> TopicPartitions() {
    std::vector<TopicPartition> out;
    const std::int32_t topics = Count();
    for (std::int32_t t = 0; t < topics && ok_; ++t) {
      const std::string topic = String();
      const std::int32_t n = Count();
      for (std::int32_t i = 0; i < n && ok_; ++i) out.push_back({topic, Int32()});
    }
    return out;
  }

 private:
  bool Has(std::size_t n) {
    if (pos_ + n > in_.size()) ok_ = false;
    return ok_;
  }
  std::string Fail() {
    ok_ = false;
    return {};
  }
  std::uint64_t Big(std::size_t n) {
    if (!Has(n)) return 0;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = (v << 8) | in_[pos_ + i];
    pos_ += n;
    return v;
  }
  const GroupBytes& in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace

GroupBytes EncodeSubscription(const ConsumerSubscription& subscription) {
  Writer w;
  w.Int16(kVersion);
  w.Int32(static_cast<std::int32_t>(subscription.topics.size()));
  for (const std::string& topic : subscription.topics) w.String(topic);
  w.Int32(-1);  // userData: null
  w.TopicPartitions(subscription.owned_partitions);
  w.Int32(subscription.generation);
  w.Int16(-1);  // rackId: null (no client.rack)
  return w.Take();
}

Result<ConsumerSubscription> DecodeSubscription(const GroupBytes& bytes) {
  Reader r(bytes);
  const std::int16_t version = r.Int16();
  ConsumerSubscription s;
  const std::int32_t topics = r.Count();
  for (std::int32_t i = 0; i < topics && r.ok(); ++i) s.topics.push_back(r.String());
  r.SkipBytes();
  if (version >= 1) s.owned_partitions = r.TopicPartitions();
  if (version >= 2) s.generation = r.Int32();
  if (version >= 3) r.SkipNullableString();
  if (!r.ok() || version < 0) {
    return Status(Errc::kCorruption, "not a ConsumerProtocolSubscription");
  }
  return s;
}

GroupBytes EncodeAssignment(const std::vector<TopicPartition>& partitions) {
  Writer w;
  w.Int16(kVersion);
  w.TopicPartitions(partitions);
  w.Int32(-1);  // userData: null
  return w.Take();
}

Result<std::vector<TopicPartition>> DecodeAssignment(const GroupBytes& bytes) {
  if (bytes.empty()) return std::vector<TopicPartition>{};
  Reader r(bytes);
  const std::int16_t version = r.Int16();
  std::vector<TopicPartition> out = r.TopicPartitions();
  r.SkipBytes();
  if (!r.ok() || version < 0) {
    return Status(Errc::kCorruption, "not a ConsumerProtocolAssignment");
  }
  return out;
}

}  // namespace kafkasim::kafka
