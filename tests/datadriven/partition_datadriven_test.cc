// The datadriven tier for the Partition core: runs tests/kafka/testdata/*.txt against replicas
// of one partition on brokers 1..N, each a kafka::Partition over a real log on its own
// SimFileSystem — no engine, no network. The harness plays the controller and the fetchers by
// hand. Each command prints the one-line trace of what it caused, in the timeline's voice.
//
// Commands:
//   replicas <ids> [min-isr=N] [lag-ms=N]    create the replicas (e.g. "replicas 1,2,3")
//   state leader=<id> epoch=<e> isr=<ids> [pe=<p>]   the controller's new partition state
//   produce [acks=all|1|0] [n=1] [to=<id>]  a produce request (to the leader by default)
//   fetch <follower> [eligible=false]        one fetch round trip: follower asks, leader answers
//   consume [from=<offset>]                 a consumer fetch from the leader
//   tick <duration>                          advance virtual time
//   shrink                                    the leader's replica.lag.time.max.ms check
//   alter-response [error=NAME]              the controller answers the pending AlterPartition
//   progress <offset>                        CheckEnoughReplicasReachOffset for a delayed produce
//   status                                    each replica: role, epoch, ISR, HW, LEO
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "datadriven.h"
#include "engine/sim_file_system.h"
#include "engine/trace.h"
#include "kafka/partition.h"
#include "run_testdata.h"

namespace kafkasim::kafka {
namespace {

using Args = std::vector<std::string>;
using Lines = std::vector<std::string>;

std::vector<BrokerId> ParseIds(const std::string& text) {
  std::vector<BrokerId> ids;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    ids.push_back(std::stoi(text.substr(start, comma - start)));
    start = comma + 1;
  }
  return ids;
}

// key=value arguments after the verb (and after `positional` plain arguments).
std::map<std::string, std::string> Options(const Args& args, std::size_t positional = 0) {
  std::map<std::string, std::string> out;
  for (std::size_t i = 1 + positional; i < args.size(); ++i) {
    const std::size_t eq = args[i].find('=');
    if (eq == std::string::npos) throw std::invalid_argument("expected key=value: " + args[i]);
    out[args[i].substr(0, eq)] = args[i].substr(eq + 1);
  }
  return out;
}

Duration ParseDuration(const std::string& text) {
  if (text.ends_with("ms")) return Milliseconds(std::stoll(text.substr(0, text.size() - 2)));
  if (text.ends_with("s")) return Seconds(std::stoll(text.substr(0, text.size() - 1)));
  throw std::invalid_argument("bad duration " + text);
}

class Harness {
 public:
  std::string Run(const datadriven::TestCase& test) {
    Lines out;
    try {
      out = Dispatch(test.args);
    } catch (const std::exception& e) {
      out = {std::string("error: ") + e.what()};
    }
    std::string text;
    for (const std::string& line : out) text += line + "\n";
    return text;
  }

 private:
  struct Replica {
    std::shared_ptr<SimFileSystem> disk;
    std::unique_ptr<Partition> partition;
  };

  Lines Dispatch(const Args& args) {
    const std::string& verb = args.at(0);
    if (verb == "replicas") return Create(args);
    if (replicas_.empty()) throw std::invalid_argument("replicas first");
    if (verb == "state") return State(args);
    if (verb == "produce") return Produce(args);
    if (verb == "fetch") return Fetch(args);
    if (verb == "consume") return Consume(args);
    if (verb == "tick") {
      now_ = now_ + ParseDuration(args.at(1));
      return {};
    }
    if (verb == "shrink") {
      PartitionReady ready;
      Leader().MaybeShrinkIsr(now_, ready);
      return Lines(Drain(LeaderId(), ready));
    }
    if (verb == "alter-response") return AlterResponse(args);
    if (verb == "progress") return Progress(args);
    if (verb == "status") return Status();
    throw std::invalid_argument("unknown command " + verb);
  }

  Lines Create(const Args& args) {
    replicas_.clear();
    ids_ = ParseIds(args.at(1));
    const auto opts = Options(args, 1);
    Partition::Settings settings;
    if (opts.count("min-isr")) settings.min_insync_replicas = std::stoi(opts.at("min-isr"));
    if (opts.count("lag-ms")) settings.replica_lag_time_max_ms = std::stoll(opts.at("lag-ms"));
    for (BrokerId id : ids_) {
      Replica r;
      r.disk = std::make_shared<SimFileSystem>();
      Result<std::unique_ptr<ReplicaLog>> log =
          OpenReplicaLog(*r.disk, "", "cities", 0, ReplicaLogConfig{}, now_, {}, nullptr);
      if (!log.ok()) throw std::runtime_error(log.status().ToString());
      r.partition =
          std::make_unique<Partition>("cities", Uuid{1, 2}, 0, id, std::move(*log), settings);
      r.partition->set_alter_enabled(true);
      replicas_[id] = std::move(r);
    }
    return {};
  }

  Lines State(const Args& args) {
    const auto opts = Options(args);
    state_.leader = std::stoi(opts.at("leader"));
    state_.leader_epoch = std::stoi(opts.at("epoch"));
    state_.isr = opts.at("isr") == "-" ? std::vector<BrokerId>{} : ParseIds(opts.at("isr"));
    state_.partition_epoch =
        opts.count("pe") ? std::stoi(opts.at("pe")) : state_.partition_epoch + 1;
    state_.replicas = ids_;
    Lines out;
    for (auto& [id, r] : replicas_) {
      PartitionReady ready;
      r.partition->ApplyState(state_, now_, ready);
      for (std::string& line : Drain(id, ready)) out.push_back(std::move(line));
    }
    return out;
  }

  Lines Produce(const Args& args) {
    const auto opts = Options(args);
    ProduceRequest request;
    request.topic = "cities";
    const std::string acks = opts.count("acks") ? opts.at("acks") : "all";
    request.acks = acks == "all" ? std::int16_t{-1} : static_cast<std::int16_t>(std::stoi(acks));
    const int n = opts.count("n") ? std::stoi(opts.at("n")) : 1;
    std::vector<ProducedRecord> records;
    for (int i = 0; i < n; ++i) {
      records.push_back(
          ProducedRecord{std::string("k"), fmt::format("v{}", next_value_++), now_.Millis()});
    }
    request.records = BuildRecordBatch(records);
    const BrokerId to = opts.count("to") ? std::stoi(opts.at("to")) : LeaderId();
    PartitionReady ready;
    Result<LeaderAppend> appended = At(to).AppendRecordsToLeader(request, now_, ready);
    Lines out = Drain(to, ready);
    out.push_back(appended.ok() ? fmt::format("appended at {}..{}", appended->offsets.first_offset,
                                              appended->offsets.last_offset)
                                : appended.status().ToString());
    return out;
  }

  Lines Fetch(const Args& args) {
    const BrokerId follower = std::stoi(args.at(1));
    const auto opts = Options(args, 1);
    Partition& f = At(follower);
    const FetchPartition request = f.NextFetch();
    FetchInput in;
    in.replica_id = follower;
    in.fetch_offset = request.fetch_offset;
    in.last_fetched_epoch = request.last_fetched_epoch;
    in.current_leader_epoch = request.current_leader_epoch;
    in.replica_eligible_for_isr = !opts.count("eligible") || opts.at("eligible") != "false";
    const BrokerId leader = f.leader();
    if (leader < 0 || !replicas_.count(leader)) return {"no leader to fetch from"};
    PartitionReady leader_ready;
    const FetchedPartition answer = At(leader).ReadRecords(in, now_, leader_ready);
    Lines out = Drain(leader, leader_ready);
    out.push_back(Describe(follower, request, answer));
    PartitionReady follower_ready;
    const bool backoff = f.ApplyFetchedData(answer, now_, follower_ready);
    for (std::string& line : Drain(follower, follower_ready)) out.push_back(std::move(line));
    if (backoff) out.push_back(fmt::format("broker-{} backs off", follower));
    return out;
  }

  Lines Consume(const Args& args) {
    const auto opts = Options(args);
    FetchInput in;
    in.fetch_offset = opts.count("from") ? std::stoll(opts.at("from")) : 0;
    PartitionReady ready;
    const FetchedPartition answer = Leader().ReadRecords(in, now_, ready);
    Lines out = Drain(LeaderId(), ready);
    if (answer.error != Errc::kNone) return {std::string(ErrcName(answer.error))};
    Result<std::vector<ConsumedRecord>> records = DecodeBatches(answer.records);
    if (!records.ok()) return {records.status().ToString()};
    std::vector<std::string> values;
    for (const ConsumedRecord& r : *records) {
      values.push_back(fmt::format("{}={}", r.offset, r.value.value_or("null")));
    }
    out.push_back(fmt::format("consumer got [{}] (high watermark {})", fmt::join(values, " "),
                              answer.high_watermark));
    return out;
  }

  Lines AlterResponse(const Args& args) {
    const auto opts = Options(args);
    Partition& leader = Leader();
    if (!leader.alter_in_flight()) return {"no AlterPartition pending"};
    AlterPartitionResponse response;
    response.topic = "cities";
    if (opts.count("error")) {
      response.error = opts.at("error") == "INVALID_UPDATE_VERSION" ? Errc::kInvalidUpdateVersion
                                                                    : Errc::kIneligibleReplica;
    } else {
      response.isr = leader.pending_isr();
      response.leader_epoch = leader.leader_epoch();
      response.partition_epoch = leader.partition_epoch() + 1;
      state_.isr = response.isr;
      state_.partition_epoch = response.partition_epoch;
    }
    PartitionReady ready;
    leader.OnAlterPartitionResponse(response, ready);
    return Drain(LeaderId(), ready);
  }

  Lines Progress(const Args& args) {
    switch (Leader().CheckEnoughReplicasReachOffset(std::stoll(args.at(1)))) {
      case ProduceProgress::kWaiting:
        return {"waiting"};
      case ProduceProgress::kDone:
        return {"done"};
      case ProduceProgress::kNotEnoughReplicasAfterAppend:
        return {"NOT_ENOUGH_REPLICAS_AFTER_APPEND"};
    }
    return {};
  }

  Lines Status() {
    Lines out;
    for (const auto& [id, r] : replicas_) {
      const Partition& p = *r.partition;
      const ReplicaLog& log = p.log();
      out.push_back(fmt::format(
          "broker-{}: {} epoch {} isr [{}]{} hw {} leo {}", id,
          p.is_leader()    ? "leader"
          : p.leader() < 0 ? "offline"
                           : "follower",
          p.leader_epoch(), fmt::join(p.isr(), ","),
          p.alter_in_flight() ? fmt::format(" pending [{}]", fmt::join(p.pending_isr(), ",")) : "",
          log.high_watermark(), log.log_end_offset()));
    }
    return out;
  }

  std::string Describe(BrokerId follower, const FetchPartition& request,
                       const FetchedPartition& answer) const {
    std::string what;
    if (answer.diverging_epoch) {
      what = fmt::format("diverging epoch {} ends at {}", answer.diverging_epoch->first,
                         answer.diverging_epoch->second);
    } else if (answer.error != Errc::kNone) {
      what = std::string(ErrcName(answer.error));
    } else {
      Result<std::vector<ConsumedRecord>> records = DecodeBatches(answer.records);
      what = fmt::format("{} record(s), high watermark {}",
                         records.ok() ? records->size() : std::size_t{0}, answer.high_watermark);
    }
    return fmt::format("fetch broker-{} offset {} epoch {}: {}", follower, request.fetch_offset,
                       request.last_fetched_epoch, what);
  }

  // The notes of a step in the trace's voice, then what the host would do.
  Lines Drain(BrokerId id, PartitionReady& ready) {
    Lines out;
    for (const PartitionNote& note : ready.notes) {
      TraceEvent e;
      e.time = now_;
      e.node = fmt::format("broker-{}", id);
      e.kind = note.kind;
      e.text = note.text;
      out.push_back(FormatTraceLine(e));
    }
    if (ready.alter_isr) {
      out.push_back(fmt::format("broker-{} sends AlterPartition isr [{}]", id,
                                fmt::join(At(id).pending_isr(), ",")));
    }
    if (ready.storage_error) out.push_back("storage error " + ready.storage_error->ToString());
    return out;
  }

  Partition& At(BrokerId id) {
    const auto it = replicas_.find(id);
    if (it == replicas_.end()) throw std::invalid_argument(fmt::format("no broker-{}", id));
    return *it->second.partition;
  }
  BrokerId LeaderId() const { return state_.leader; }
  Partition& Leader() { return At(LeaderId()); }

  std::map<BrokerId, Replica> replicas_;
  std::vector<BrokerId> ids_;
  PartitionState state_;
  Time now_;
  int next_value_ = 0;
};

TEST_CASE("partition datadriven: every testdata file produces its expected trace") {
  datadriven::RunTestdataDirectory<Harness>(KAFKASIM_PARTITION_TESTDATA_DIR);
}

}  // namespace
}  // namespace kafkasim::kafka
