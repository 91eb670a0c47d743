// Expected outcomes carry a Status: a Kafka error name (or an I/O condition) plus a message.
// No exceptions cross module boundaries; a broken invariant is a KSIM_ASSERT instead.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "engine/assert.h"

namespace kafkasim {

// Kafka's error codes (clients/.../common/protocol/Errors.java) with their numeric values,
// plus a few local conditions (negative values) that never go on the wire.
enum class Errc : int {
  kNone = 0,
  kUnknownServerError = -1,
  kOffsetOutOfRange = 1,
  kCorruptMessage = 2,
  kUnknownTopicOrPartition = 3,
  kInvalidFetchSize = 4,
  kLeaderNotAvailable = 5,
  kNotLeaderOrFollower = 6,
  kRequestTimedOut = 7,
  kBrokerNotAvailable = 8,
  kReplicaNotAvailable = 9,
  kMessageTooLarge = 10,
  kStaleControllerEpoch = 11,
  kOffsetMetadataTooLarge = 12,
  kNetworkException = 13,
  kCoordinatorLoadInProgress = 14,
  kCoordinatorNotAvailable = 15,
  kNotCoordinator = 16,
  kInvalidTopicException = 17,
  kRecordListTooLarge = 18,
  kNotEnoughReplicas = 19,
  kNotEnoughReplicasAfterAppend = 20,
  kInvalidRequiredAcks = 21,
  kIllegalGeneration = 22,
  kInconsistentGroupProtocol = 23,
  kInvalidGroupId = 24,
  kUnknownMemberId = 25,
  kInvalidSessionTimeout = 26,
  kRebalanceInProgress = 27,
  kInvalidCommitOffsetSize = 28,
  kInvalidTimestamp = 32,
  kTopicAlreadyExists = 36,
  kInvalidPartitions = 37,
  kInvalidReplicationFactor = 38,
  kInvalidReplicaAssignment = 39,
  kNotController = 41,
  kInvalidRequest = 42,
  kPolicyViolation = 44,
  kOutOfOrderSequenceNumber = 45,
  kDuplicateSequenceNumber = 46,
  kInvalidProducerEpoch = 47,
  kKafkaStorageError = 56,
  kNonEmptyGroup = 68,
  kGroupIdNotFound = 69,
  kMemberIdRequired = 79,
  kGroupMaxSizeReached = 81,
  kFencedInstanceId = 82,
  kFencedLeaderEpoch = 74,
  kUnknownLeaderEpoch = 75,
  kPreferredLeaderNotAvailable = 80,
  kElectionNotNeeded = 84,
  kInvalidRecord = 87,
  kUnsupportedCompressionType = 76,
  kInconsistentVoterSet = 94,  // Raft
  kInvalidConfig = 40,
  kStaleBrokerEpoch = 77,
  kEligibleLeadersNotAvailable = 83,
  kUnknownTopicId = 100,
  kDuplicateBrokerRegistration = 101,
  kBrokerIdNotRegistered = 102,
  kIneligibleReplica = 107,
  kInvalidUpdateVersion = 95,
  kFencedMemberEpoch = 110,
  kUnreleasedInstanceId = 111,
  kUnsupportedAssignor = 112,
  kStaleMemberEpoch = 113,
  // Local conditions, never sent on the wire.
  kIoError = -100,
  kNotFound = -101,
  kNoSpace = -102,
  kInvalidArgument = -103,
  kCorruption = -104,
};

// Kafka's upper-case name for a code, e.g. "NOT_ENOUGH_REPLICAS".
std::string_view ErrcName(Errc code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Errc code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status Ok() { return {}; }

  bool ok() const { return code_ == Errc::kNone; }
  Errc code() const { return code_; }
  const std::string& message() const { return message_; }
  // "NOT_ENOUGH_REPLICAS: 1 in-sync replica, min.insync.replicas=2"
  std::string ToString() const;

 private:
  Errc code_ = Errc::kNone;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    KSIM_ASSERT_MSG(!status_.ok(), "a Result without a value needs an error status");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() {
    KSIM_ASSERT_MSG(ok(), status_.ToString());
    return *value_;
  }
  const T& value() const {
    KSIM_ASSERT_MSG(ok(), status_.ToString());
    return *value_;
  }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace kafkasim
