// Always-on invariant checks. A failed KSIM_ASSERT is a bug in kafkasim, never bad input:
// it prints the operands plus the seed, event index and virtual time of the run, then aborts.
#pragma once

#include <cstdint>
#include <sstream>
#include <string>

namespace kafkasim {

// What the engine currently executes; printed by a failed assertion. The engine updates it
// as it dispatches events (one simulation per thread).
struct AssertContext {
  std::uint64_t seed = 0;
  std::uint64_t event_index = 0;
  std::int64_t time_ns = 0;
  bool active = false;
};
AssertContext& CurrentAssertContext();

[[noreturn]] void AssertFail(const char* file, int line, const char* expr,
                             const std::string& detail);

template <typename A, typename B>
std::string AssertOperands(const A& a, const B& b) {
  std::ostringstream out;
  out << "left: " << a << ", right: " << b;
  return out.str();
}

}  // namespace kafkasim

#define KSIM_ASSERT(cond)                                               \
  do {                                                                  \
    if (!(cond)) ::kafkasim::AssertFail(__FILE__, __LINE__, #cond, ""); \
  } while (0)

#define KSIM_ASSERT_MSG(cond, msg)                                         \
  do {                                                                     \
    if (!(cond)) ::kafkasim::AssertFail(__FILE__, __LINE__, #cond, (msg)); \
  } while (0)

#define KSIM_ASSERT_EQ(a, b)                                                \
  do {                                                                      \
    const auto& ksim_a_ = (a);                                              \
    const auto& ksim_b_ = (b);                                              \
    if (!(ksim_a_ == ksim_b_))                                              \
      ::kafkasim::AssertFail(__FILE__, __LINE__, #a " == " #b,              \
                             ::kafkasim::AssertOperands(ksim_a_, ksim_b_)); \
  } while (0)

#define KSIM_ASSERT_LE(a, b)                                                \
  do {                                                                      \
    const auto& ksim_a_ = (a);                                              \
    const auto& ksim_b_ = (b);                                              \
    if (!(ksim_a_ <= ksim_b_))                                              \
      ::kafkasim::AssertFail(__FILE__, __LINE__, #a " <= " #b,              \
                             ::kafkasim::AssertOperands(ksim_a_, ksim_b_)); \
  } while (0)

#define KSIM_UNREACHABLE() ::kafkasim::AssertFail(__FILE__, __LINE__, "unreachable", "")
