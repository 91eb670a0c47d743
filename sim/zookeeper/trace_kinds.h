// The trace kinds of the ZooKeeper core's notes (ZkNote::kind), which its host writes to the
// trace. Consumers match events against these constants, never against spelled-out strings.
#pragma once

#include <array>
#include <string_view>

namespace kafkasim::zookeeper::trace_kind {

inline constexpr std::string_view kLooking = "zk.looking";
inline constexpr std::string_view kFollowing = "zk.following";
inline constexpr std::string_view kLeading = "zk.leading";
inline constexpr std::string_view kNewEpoch = "zk.epoch";
inline constexpr std::string_view kSync = "zk.sync";
inline constexpr std::string_view kEstablished = "zk.established";
inline constexpr std::string_view kUpToDate = "zk.uptodate";
inline constexpr std::string_view kTruncate = "zk.truncate";
inline constexpr std::string_view kSessionCreated = "zk.session.created";
inline constexpr std::string_view kSessionExpired = "zk.session.expired";
inline constexpr std::string_view kSessionClosed = "zk.session.closed";
inline constexpr std::string_view kSnapshot = "zk.snapshot";
// The host's (ZkServerNode): what recovery loaded, and a disk error that ends the process.
inline constexpr std::string_view kRecovered = "zk.recovered";
inline constexpr std::string_view kDiskFailed = "zk.disk_failed";

inline constexpr std::array kAll = {
    kLooking,       kFollowing, kLeading,   kNewEpoch,       kSync,
    kEstablished,   kUpToDate,  kTruncate,  kSessionCreated, kSessionExpired,
    kSessionClosed, kSnapshot,  kRecovered, kDiskFailed,
};
// Kinds too frequent for a narrated timeline: none (proposals and commits make no notes).
inline constexpr std::array<std::string_view, 0> kFrequent = {};

}  // namespace kafkasim::zookeeper::trace_kind
