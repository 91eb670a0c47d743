// Virtual time: int64 nanoseconds. Never a double, never the wall clock.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace kafkasim {

// Time arithmetic saturates at the int64 limits instead of wrapping: a user may write a
// duration of Long.MAX milliseconds (Kafka's configs allow it), and "never" must stay later
// than every other time rather than become a time in the past.
constexpr std::int64_t SaturatingAdd(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? INT64_MAX : INT64_MIN;
  return r;
}
constexpr std::int64_t SaturatingSub(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_sub_overflow(a, b, &r)) return b < 0 ? INT64_MAX : INT64_MIN;
  return r;
}
constexpr std::int64_t SaturatingMul(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) return (a < 0) != (b < 0) ? INT64_MIN : INT64_MAX;
  return r;
}

struct Duration {
  std::int64_t ns = 0;

  constexpr auto operator<=>(const Duration&) const = default;
  constexpr Duration operator+(Duration o) const { return {SaturatingAdd(ns, o.ns)}; }
  constexpr Duration operator-(Duration o) const { return {SaturatingSub(ns, o.ns)}; }
  constexpr Duration operator*(std::int64_t k) const { return {SaturatingMul(ns, k)}; }
  constexpr Duration operator/(std::int64_t k) const { return {ns / k}; }
  constexpr Duration& operator+=(Duration o) {
    ns = SaturatingAdd(ns, o.ns);
    return *this;
  }
  constexpr std::int64_t Millis() const { return ns / 1'000'000; }
};

struct Time {
  std::int64_t ns = 0;

  constexpr auto operator<=>(const Time&) const = default;
  constexpr Time operator+(Duration d) const { return {SaturatingAdd(ns, d.ns)}; }
  constexpr Time operator-(Duration d) const { return {SaturatingSub(ns, d.ns)}; }
  constexpr Duration operator-(Time o) const { return {SaturatingSub(ns, o.ns)}; }
  constexpr Time& operator+=(Duration d) {
    ns = SaturatingAdd(ns, d.ns);
    return *this;
  }
  constexpr std::int64_t Millis() const { return ns / 1'000'000; }
};

constexpr Duration Nanoseconds(std::int64_t n) { return {n}; }
constexpr Duration Microseconds(std::int64_t n) { return {SaturatingMul(n, 1'000)}; }
constexpr Duration Milliseconds(std::int64_t n) { return {SaturatingMul(n, 1'000'000)}; }
constexpr Duration Seconds(std::int64_t n) { return {SaturatingMul(n, 1'000'000'000)}; }
constexpr Time kTimeZero{0};
constexpr Time kTimeMax{INT64_MAX};

// "1.204s" with millisecond precision: the format of the narrated timeline.
std::string FormatTime(Time t);
// "250ms", "3s", "1.5s": a compact duration for messages.
std::string FormatDuration(Duration d);

namespace literals {
constexpr Duration operator""_ns(unsigned long long n) { return {static_cast<std::int64_t>(n)}; }
constexpr Duration operator""_ms(unsigned long long n) {
  return Milliseconds(static_cast<std::int64_t>(n));
}
constexpr Duration operator""_s(unsigned long long n) {
  return Seconds(static_cast<std::int64_t>(n));
}
}  // namespace literals

}  // namespace kafkasim
