// Names of Kafka error codes as Errors.java spells them.
#include "engine/status.h"

namespace kafkasim {

std::string_view ErrcName(Errc code) {
  switch (code) {
    case Errc::kNone: return "NONE";
    case Errc::kUnknownServerError: return "UNKNOWN_SERVER_ERROR";
    case Errc::kOffsetOutOfRange: return "OFFSET_OUT_OF_RANGE";
    case Errc::kCorruptMessage: return "CORRUPT_MESSAGE";
    case Errc::kUnknownTopicOrPartition: return "UNKNOWN_TOPIC_OR_PARTITION";
    case Errc::kInvalidFetchSize: return "INVALID_FETCH_SIZE";
    case Errc::kLeaderNotAvailable: return "LEADER_NOT_AVAILABLE";
    case Errc::kNotLeaderOrFollower: return "NOT_LEADER_OR_FOLLOWER";
    case Errc::kRequestTimedOut: return "REQUEST_TIMED_OUT";
    case Errc::kBrokerNotAvailable: return "BROKER_NOT_AVAILABLE";
    case Errc::kReplicaNotAvailable: return "REPLICA_NOT_AVAILABLE";
    case Errc::kMessageTooLarge: return "MESSAGE_TOO_LARGE";
    case Errc::kStaleControllerEpoch: return "STALE_CONTROLLER_EPOCH";
    case Errc::kNetworkException: return "NETWORK_EXCEPTION";
    case Errc::kCoordinatorLoadInProgress: return "COORDINATOR_LOAD_IN_PROGRESS";
    case Errc::kCoordinatorNotAvailable: return "COORDINATOR_NOT_AVAILABLE";
    case Errc::kNotCoordinator: return "NOT_COORDINATOR";
    case Errc::kInvalidTopicException: return "INVALID_TOPIC_EXCEPTION";
    case Errc::kRecordListTooLarge: return "RECORD_LIST_TOO_LARGE";
    case Errc::kNotEnoughReplicas: return "NOT_ENOUGH_REPLICAS";
    case Errc::kNotEnoughReplicasAfterAppend: return "NOT_ENOUGH_REPLICAS_AFTER_APPEND";
    case Errc::kInvalidRequiredAcks: return "INVALID_REQUIRED_ACKS";
    case Errc::kOffsetMetadataTooLarge: return "OFFSET_METADATA_TOO_LARGE";
    case Errc::kIllegalGeneration: return "ILLEGAL_GENERATION";
    case Errc::kInconsistentGroupProtocol: return "INCONSISTENT_GROUP_PROTOCOL";
    case Errc::kInvalidGroupId: return "INVALID_GROUP_ID";
    case Errc::kUnknownMemberId: return "UNKNOWN_MEMBER_ID";
    case Errc::kInvalidSessionTimeout: return "INVALID_SESSION_TIMEOUT";
    case Errc::kRebalanceInProgress: return "REBALANCE_IN_PROGRESS";
    case Errc::kInvalidCommitOffsetSize: return "INVALID_COMMIT_OFFSET_SIZE";
    case Errc::kTopicAlreadyExists: return "TOPIC_ALREADY_EXISTS";
    case Errc::kInvalidPartitions: return "INVALID_PARTITIONS";
    case Errc::kInvalidReplicationFactor: return "INVALID_REPLICATION_FACTOR";
    case Errc::kNotController: return "NOT_CONTROLLER";
    case Errc::kInvalidRequest: return "INVALID_REQUEST";
    case Errc::kNonEmptyGroup: return "NON_EMPTY_GROUP";
    case Errc::kGroupIdNotFound: return "GROUP_ID_NOT_FOUND";
    case Errc::kMemberIdRequired: return "MEMBER_ID_REQUIRED";
    case Errc::kGroupMaxSizeReached: return "GROUP_MAX_SIZE_REACHED";
    case Errc::kFencedInstanceId: return "FENCED_INSTANCE_ID";
    case Errc::kOutOfOrderSequenceNumber: return "OUT_OF_ORDER_SEQUENCE_NUMBER";
    case Errc::kDuplicateSequenceNumber: return "DUPLICATE_SEQUENCE_NUMBER";
    case Errc::kInvalidProducerEpoch: return "INVALID_PRODUCER_EPOCH";
    case Errc::kKafkaStorageError: return "KAFKA_STORAGE_ERROR";
    case Errc::kFencedLeaderEpoch: return "FENCED_LEADER_EPOCH";
    case Errc::kUnknownLeaderEpoch: return "UNKNOWN_LEADER_EPOCH";
    case Errc::kPreferredLeaderNotAvailable: return "PREFERRED_LEADER_NOT_AVAILABLE";
    case Errc::kElectionNotNeeded: return "ELECTION_NOT_NEEDED";
    case Errc::kUnsupportedCompressionType: return "UNSUPPORTED_COMPRESSION_TYPE";
    case Errc::kInvalidTimestamp: return "INVALID_TIMESTAMP";
    case Errc::kInvalidRecord: return "INVALID_RECORD";
    case Errc::kInconsistentVoterSet: return "INCONSISTENT_VOTER_SET";
    case Errc::kInvalidConfig: return "INVALID_CONFIG";
    case Errc::kStaleBrokerEpoch: return "STALE_BROKER_EPOCH";
    case Errc::kEligibleLeadersNotAvailable: return "ELIGIBLE_LEADERS_NOT_AVAILABLE";
    case Errc::kUnknownTopicId: return "UNKNOWN_TOPIC_ID";
    case Errc::kDuplicateBrokerRegistration: return "DUPLICATE_BROKER_REGISTRATION";
    case Errc::kBrokerIdNotRegistered: return "BROKER_ID_NOT_REGISTERED";
    case Errc::kIneligibleReplica: return "INELIGIBLE_REPLICA";
    case Errc::kInvalidUpdateVersion: return "INVALID_UPDATE_VERSION";
    case Errc::kFencedMemberEpoch: return "FENCED_MEMBER_EPOCH";
    case Errc::kUnreleasedInstanceId: return "UNRELEASED_INSTANCE_ID";
    case Errc::kUnsupportedAssignor: return "UNSUPPORTED_ASSIGNOR";
    case Errc::kStaleMemberEpoch: return "STALE_MEMBER_EPOCH";
    case Errc::kIoError: return "IO_ERROR";
    case Errc::kNotFound: return "NOT_FOUND";
    case Errc::kNoSpace: return "NO_SPACE";
    case Errc::kInvalidArgument: return "INVALID_ARGUMENT";
    case Errc::kCorruption: return "CORRUPTION";
  }
  return "UNKNOWN_ERROR";
}

std::string Status::ToString() const {
  if (ok()) return "NONE";
  std::string out(ErrcName(code_));
  if (!message_.empty()) out += ": " + message_;
  return out;
}

}  // namespace kafkasim
