// What the guarantees and expectations need of the clients' records, folded in as each produce
// outcome and consumed record happens, so that nothing holds a second copy of every record:
//   - acknowledged records by partition (offset, client, acks, key, value, time), pruned below
//     the offset every replica's log has already deleted (retention), for the lost-records count;
//   - consumed offsets of each consumer group as ranges (read once, read twice or more);
//   - the first offset each consumer read from each partition;
//   - reads above the high watermark their fetch response gave (a guarantee violation; rare);
//   - for the keys a key-in-partition expectation names, the partitions each went to.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "engine/time.h"
#include "kafka/client_history.h"
#include "scenario/scenario.h"

namespace kafkasim::scenario {

class RecordLedger {
 public:
  // An acknowledged record (no error, an offset assigned: acks=1 or acks=all).
  struct Acked {
    std::int64_t offset = 0;
    Time at;
    std::uint32_t client = 0;  // index into clients()
    std::int16_t acks = -1;
    std::optional<std::string> key;
    std::optional<std::string> value;
  };
  struct PartitionAcked {
    std::deque<Acked> records;  // by offset; one offset acknowledged twice in acknowledgement order
    // key -> the highest offset it was acknowledged at (any client), for compacted logs.
    std::map<std::string, std::int64_t> latest_of_key;
    std::size_t prune_at = kPruneMin;
  };
  static constexpr std::size_t kPruneMin = 4096;

  // `deleted_below` answers, for a partition, the offset below which every replica's log has
  // deleted its records (so no leader, present or future, can be asked for them), or 0.
  explicit RecordLedger(std::function<std::int64_t(const PartitionRef&)> deleted_below);
  RecordLedger(const RecordLedger&) = delete;  // it keeps a pointer into its own map
  RecordLedger& operator=(const RecordLedger&) = delete;

  // Folds one outcome / consumed record / assignment in (ClientHistory's observers).
  void Produced(const kafka::ProduceOutcome& o);
  void Consumed(const kafka::ConsumeEvent& c);
  // Key-in-partition expectations: which partitions this client's records with this key went to.
  void TrackKey(const std::string& client, const std::string& key);

  const std::map<PartitionRef, PartitionAcked>& acked() const { return acked_; }
  const std::string& client(std::uint32_t index) const { return clients_[index]; }
  // The index of a client id, or nullopt if it never produced an acknowledged record.
  std::optional<std::uint32_t> ClientIndex(const std::string& client) const;

  // Records read at or above the high watermark their fetch response carried, in order.
  const std::vector<kafka::ConsumeEvent>& read_above_hw() const { return above_hw_; }
  // The offset of the first record `client` read from the partition, if any.
  std::optional<std::int64_t> FirstConsumed(const std::string& client,
                                            const PartitionRef& partition) const;
  // How many (partition, offset)s the members of `group` read more than once, over the run.
  std::int64_t ConsumedTwice(const std::string& group) const;
  // The partitions the client's acknowledged records with this key (acknowledged at or after
  // `since`) went to; nullopt when the key was not tracked.
  std::optional<std::set<std::int32_t>> KeyPartitions(const std::string& client,
                                                      const std::string& key, Time since) const;
  std::int64_t records_consumed() const { return consumed_; }

  // The assignments are read from here to learn each consumer's group.
  void set_assignments(const std::vector<kafka::AssignmentEvent>* assignments) {
    assignments_ = assignments;
  }

 private:
  // Offsets as disjoint half-open ranges [first, second).
  class OffsetRanges {
   public:
    bool Contains(std::int64_t offset) const;
    void Add(std::int64_t offset);
    void Remove(std::int64_t offset);

   private:
    std::map<std::int64_t, std::int64_t> ranges_;  // start -> end
  };
  struct GroupReads {
    std::map<PartitionRef, std::pair<OffsetRanges, OffsetRanges>> reads;  // (once, twice+)
    std::int64_t twice = 0;
  };

  void Prune(const PartitionRef& ref, PartitionAcked& p);
  const std::string* GroupOf(const std::string& client);

  std::function<std::int64_t(const PartitionRef&)> deleted_below_;
  std::map<PartitionRef, PartitionAcked> acked_;
  std::vector<std::string> clients_;
  std::map<std::string, std::uint32_t, std::less<>> client_index_;
  // The entries the last acknowledged record used (map entries are never erased).
  const std::pair<const std::string, std::uint32_t>* last_client_ = nullptr;
  std::map<PartitionRef, PartitionAcked>::iterator last_acked_ = acked_.end();
  std::vector<kafka::ConsumeEvent> above_hw_;
  std::map<std::tuple<std::string, std::string, std::int32_t>, std::int64_t> first_consumed_;
  // The key of first_consumed_ the last consumed record had (entries are never erased).
  const std::tuple<std::string, std::string, std::int32_t>* last_first_consumed_ = nullptr;
  std::map<std::string, GroupReads> group_reads_;
  std::map<std::string, std::string> group_of_;  // consumer -> its group, from assignments
  std::size_t assignments_seen_ = 0;
  const std::vector<kafka::AssignmentEvent>* assignments_ = nullptr;
  // (client, key) -> partition -> the latest time a record with the key was acknowledged there.
  std::map<std::pair<std::string, std::string>, std::map<std::int32_t, Time>> keys_;
  std::int64_t consumed_ = 0;
};

}  // namespace kafkasim::scenario
