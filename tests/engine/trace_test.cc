// The trace's canonical line and hash: the directly written line equals the JSON dump.
#include "engine/trace.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "engine/prng.h"

using namespace kafkasim;

namespace {

TraceEvent Event(std::uint64_t index, std::string node, std::string kind,
                 std::vector<TraceField> fields, std::string text) {
  TraceEvent e;
  e.index = index;
  e.time = Time{static_cast<std::int64_t>(index) * 1'000'003 - 7};
  e.node = std::move(node);
  e.kind = std::move(kind);
  e.fields = std::move(fields);
  e.text = std::move(text);
  return e;
}

std::vector<TraceEvent> Corpus() {
  std::string every_ascii;
  for (int c = 0; c < 0x80; ++c) every_ascii.push_back(static_cast<char>(c));
  return {
      Event(0, "", "world.start", {}, ""),
      Event(1, "broker-2", "partition.leader",
            {{"partition", std::string("cities-0")},
             {"leader_epoch", std::int64_t{3}},
             {"clean", true},
             {"isr", std::vector<std::int64_t>{1, 2, 3}}},
            "became leader of cities-0 at leader_epoch 3 (broker-1 was fenced)"),
      Event(2, "n\"q\\", "k\b\t\n\f\r", {{"empty", std::vector<std::int64_t>{}}}, every_ascii),
      Event(3, "x", "y",
            {{"min", std::int64_t{-9223372036854775807 - 1}},
             {"max", std::int64_t{9223372036854775807}},
             {"neg", std::vector<std::int64_t>{-1, 0, -42}},
             {"no", false},
             {"key\x01", std::string("\x1f\x7f/")}},
            "tab\there"),
      // What the direct writer leaves to the dump: UTF-8, invalid UTF-8, repeated keys.
      Event(4, "broker-1", "say", {{"city", std::string("Zürich")}}, "Grüße – ok"),
      Event(5, "broker-1", "bad", {}, std::string("\xff\xfe truncated \xc3")),
      Event(6, "broker-1", "dup", {{"a", std::int64_t{1}}, {"b", true}, {"a", std::int64_t{2}}},
            "repeated key"),
  };
}

}  // namespace

TEST_CASE("trace: the directly written canonical line equals the JSON dump, byte for byte") {
  for (const TraceEvent& e : Corpus()) {
    CAPTURE(e.index);
    CHECK(TraceEventCanonicalLine(e) == TraceEventToJson(e));
  }
}

TEST_CASE(
    "trace: the canonical line equals the JSON dump for special bytes at every position of long "
    "strings") {
  // The writer scans sixteen bytes at a time: a special byte before, inside and after each
  // block, alone or in runs, and bytes above 0x7F (left to the dump), in text, node and keys.
  Rng rng(5);
  const std::string specials = std::string("\"\\\b\t\n\f\r\x01\x1f\x7f\x80\xc3\xff ", 15);
  for (int round = 0; round < 3000; ++round) {
    CAPTURE(round);
    std::string text(rng.Uniform(70), 'a');
    for (char& c : text) c = static_cast<char>('a' + rng.Uniform(26));
    const std::uint64_t hits = rng.Uniform(4);
    for (std::uint64_t h = 0; h < hits && !text.empty(); ++h) {
      text[rng.Uniform(text.size())] = specials[rng.Uniform(specials.size())];
    }
    std::string key = text.substr(0, std::min<std::size_t>(text.size(), 20));
    const TraceEvent e =
        Event(static_cast<std::uint64_t>(round), text, "kind", {{"k" + key, text}}, text + text);
    CHECK(TraceEventCanonicalLine(e) == TraceEventToJson(e));
  }
}

TEST_CASE("trace: the hash folds every event in order, whether or not events are kept") {
  Trace kept;
  Trace streamed;
  streamed.set_keep_events(false);
  std::uint64_t expected = kFnvOffset;
  for (TraceEvent e : Corpus()) {
    const std::uint64_t index = kept.size();
    kept.Emit(e);
    streamed.Emit(e);
    e.index = index;
    expected = MixTraceEvent(expected, e);
    CHECK(kept.hash() == expected);
    CHECK(streamed.hash() == expected);
  }
}

TEST_CASE("trace: events that differ in any one part hash differently") {
  const TraceEvent base = Event(7, "broker-2", "partition.leader",
                                {{"partition", std::string("cities-0")},
                                 {"leader_epoch", std::int64_t{3}},
                                 {"clean", true},
                                 {"isr", std::vector<std::int64_t>{1, 2, 3}}},
                                "became leader of cities-0 at leader_epoch 3");
  std::vector<TraceEvent> variants;
  const auto vary = [&](auto change) {
    TraceEvent e = base;
    change(e);
    variants.push_back(std::move(e));
  };
  vary([](TraceEvent&) {});
  vary([](TraceEvent& e) { e.index = 8; });
  vary([](TraceEvent& e) { e.time.ns += 1; });
  vary([](TraceEvent& e) { e.node = "broker-3"; });
  vary([](TraceEvent& e) { e.kind = "partition.follower"; });
  vary([](TraceEvent& e) { e.text += "."; });
  vary([](TraceEvent& e) { e.text.back() = '4'; });
  vary([](TraceEvent& e) { e.fields[0].key = "partitioN"; });
  vary([](TraceEvent& e) { e.fields[0].value = std::string("cities-1"); });
  vary([](TraceEvent& e) { e.fields[1].value = std::int64_t{4}; });
  vary([](TraceEvent& e) { e.fields[2].value = false; });
  vary([](TraceEvent& e) { e.fields[2].value = std::int64_t{1}; });  // true and 1
  vary([](TraceEvent& e) { e.fields[3].value = std::vector<std::int64_t>{1, 2}; });
  vary([](TraceEvent& e) { e.fields[3].value = std::vector<std::int64_t>{1, 3, 2}; });
  vary([](TraceEvent& e) { e.fields.pop_back(); });
  vary([](TraceEvent& e) { std::swap(e.fields[0], e.fields[1]); });
  // Where one string ends and the next begins: node "broker-2" + kind "partition.leader" against
  // node "broker-2p" + kind "artition.leader".
  vary([](TraceEvent& e) {
    e.node = "broker-2p";
    e.kind = "artition.leader";
  });
  // Lengths past eight bytes and zero bytes in the tail.
  vary([](TraceEvent& e) { e.text = std::string("abcdefgh\0", 9); });
  vary([](TraceEvent& e) { e.text = "abcdefgh"; });
  vary([](TraceEvent& e) { e.fields[3].value = std::string(); });
  vary([](TraceEvent& e) { e.fields[3].value = std::vector<std::int64_t>{}; });
  std::vector<std::uint64_t> hashes;
  for (const TraceEvent& e : variants) hashes.push_back(MixTraceEvent(kFnvOffset, e));
  for (std::size_t a = 0; a < hashes.size(); ++a) {
    for (std::size_t b = a + 1; b < hashes.size(); ++b) {
      CAPTURE(a);
      CAPTURE(b);
      CHECK(hashes[a] != hashes[b]);
    }
  }
  // The same event always folds the same way.
  CHECK(MixTraceEvent(kFnvOffset, base) == hashes[0]);
}

TEST_CASE("trace: the hash of a pinned event is the same on every machine") {
  // Pinned: a change here changes every scenario's trace hash (see docs/BENCHMARKS.md).
  CHECK(MixTraceEvent(kFnvOffset, Corpus()[1]) == 0x6a36b5e360ebe59eULL);
}
