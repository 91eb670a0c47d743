// `kafka-dump-log.sh --offsets-decoder`: __consumer_offsets records as Kafka 4.x's
// DumpLogSegments.OffsetsMessageParser prints them, the key as {"type":"<record type>","data":
// {...}} and the payload as {"version":"<version>","data":{...}} in the field order and JSON
// forms of Kafka's generated JsonConverters; a consumer group's embedded subscription and
// assignment bytes are decoded too (ConsumerProtocol{Subscription,Assignment}JsonConverter).
#pragma once

#include <cstdint>

#include "storage/log_dump.h"

namespace kafkasim::kafka {

// OffsetsMessageParser.parse for one record. A tombstone's payload is "<DELETE>". Bytes it
// cannot read give Kafka's texts as the key with no payload: "Unknown record type N at offset
// O, skipping." or "Error at offset O, skipping. <why>"; a record without a key gives "Failed to
// decode message at offset O using the specified decoder (message had a missing key)" (Kafka
// throws there and stops the dump). Record types 0 and 1 (OffsetCommitKey), 2 (GroupMetadataKey)
// are decoded; the KIP-848 types (3+), which the simulator does not write, are unknown here.
storage::ParsedRecord ParseOffsetsRecord(const storage::Record& record, std::int64_t offset);

// The parser as dump-log takes it.
storage::RecordParser OffsetsRecordParser();

}  // namespace kafkasim::kafka
