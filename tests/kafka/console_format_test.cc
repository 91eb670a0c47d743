// The console consumer's record lines against DefaultMessageFormatterTest (Kafka's tools tests,
// tools/src/test/java/org/apache/kafka/tools/consumer/DefaultMessageFormatterTest.java): the
// same options, the same expected text (without the line separator, which the timeline adds).
#include <doctest/doctest.h>

#include "kafka/clients.h"

namespace kafkasim::kafka {
namespace {

// The test's record: ("topic", partition 0, offset 123, CreateTime 123, "key", "value").
ConsumedRecord Record() {
  ConsumedRecord r;
  r.offset = 123;
  r.timestamp_ms = 123;
  r.key = "key";
  r.value = "value";
  return r;
}

TEST_CASE("console consumer lines: fields in DefaultMessageFormatter's order and separators") {
  ConsoleFormat f;
  const ConsumedRecord r = Record();
  CHECK(FormatConsoleRecord(f, 0, r) == "value");
  f.print_key = true;
  CHECK(FormatConsoleRecord(f, 0, r) == "key\tvalue");
  f.print_partition = true;
  CHECK(FormatConsoleRecord(f, 0, r) == "Partition:0\tkey\tvalue");
  f.print_timestamp = true;
  CHECK(FormatConsoleRecord(f, 0, r) == "CreateTime:123\tPartition:0\tkey\tvalue");
  f.print_offset = true;
  CHECK(FormatConsoleRecord(f, 0, r) == "CreateTime:123\tPartition:0\tOffset:123\tkey\tvalue");
  f.print_value = false;
  CHECK(FormatConsoleRecord(f, 0, r) == "CreateTime:123\tPartition:0\tOffset:123\tkey");
  f.key_separator = "<sep>";
  CHECK(FormatConsoleRecord(f, 0, r) == "CreateTime:123<sep>Partition:0<sep>Offset:123<sep>key");
}

TEST_CASE("console consumer lines: null key and value print as null; LogAppendTime is named") {
  ConsoleFormat f;
  f.print_key = true;
  f.print_timestamp = true;
  ConsumedRecord r;
  r.offset = 7;
  r.timestamp_ms = 1700000000000;
  r.log_append_time = true;
  CHECK(FormatConsoleRecord(f, 2, r) == "LogAppendTime:1700000000000\tnull\tnull");
}

}  // namespace
}  // namespace kafkasim::kafka
