// A small in-test ZooKeeper ensemble of ZkServer cores with a deterministic message router, a
// version-2/ directory per server written through the real file codecs, crashes, restarts
// (recovering from those files), partitions, clients, and ZAB's safety checks. Used by the
// unit, datadriven and safety tests; it does not use the engine's Simulation on purpose.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/prng.h"
#include "engine/time.h"
#include "zookeeper/zk_server.h"

namespace kafkasim::zookeeper::testing {

// A server's data dir: file name under version-2/ -> bytes.
struct ZkDisk {
  std::map<std::string, std::string> files;
  std::string current_log;  // the log file appends go to; empty: the next append starts one
};

struct ZkNetworkOptions {
  Duration latency_min = Milliseconds(1);
  Duration latency_max = Milliseconds(1);
  double drop_probability = 0.0;
};

class ZkCluster {
 public:
  explicit ZkCluster(std::uint64_t seed, ZkConfig base = {}, ZkNetworkOptions network = {});

  void AddServers(int count);  // ids 1..count, "zk-N"
  std::string Name(ServerId id) const { return "zk-" + std::to_string(id); }
  const std::vector<ServerId>& ids() const { return ids_; }
  ZkServer* server(ServerId id);  // nullptr while crashed
  const ZkDisk& disk(ServerId id) const { return disks_.at(id); }
  ZkDisk& TamperWithDisk(ServerId id) { return disks_.at(id); }
  Time now() const { return now_; }
  ZkNetworkOptions& network() { return network_; }

  void Crash(ServerId id);
  void Restart(ServerId id);
  void Partition(const std::vector<std::set<ServerId>>& groups);
  void Heal() { groups_.clear(); }

  // Clients, each followed by draining the server's Ready.
  Result<SessionId> Connect(ServerId id, std::int32_t timeout_ms);
  void Submit(ServerId id, SessionId session, Request request);  // cxid chosen here
  void CloseSession(ServerId id, SessionId session);
  ZkCode Touch(ServerId id, SessionId session);
  void Drain(ServerId id);

  std::vector<std::string> DeliverQueued();  // one line per message, then the notes it caused
  void Tick(Duration d);                     // timers only
  void Run(Duration d);                      // network and timers
  std::size_t queued() const { return queue_.size(); }

  std::vector<std::string> TakeLines();
  void set_keep_lines(bool keep) { keep_lines_ = keep; }
  void set_echo(bool echo) { echo_ = echo; }
  std::optional<ServerId> Leader() const;  // an established leader with the highest epoch
  const std::vector<ClientResponse>& responses() const { return responses_; }

  // Safety: violations found so far.
  const std::vector<std::string>& violations() const { return violations_; }
  const std::vector<Txn>& committed() const { return committed_; }
  std::size_t epochs_led() const { return leader_of_epoch_.size(); }
  // Checks that live servers at the same committed zxid hold equal trees.
  void CheckTrees();

 private:
  struct InFlight {
    std::shared_ptr<const ZkMessage> message;
  };
  ZkConfig ConfigFor(ServerId id) const;
  void Persist(ServerId id, const Ready& ready);
  void CheckCommitted(ServerId id, const Ready& ready);
  void Enqueue(std::shared_ptr<const ZkMessage> message);
  bool Connected(ServerId a, ServerId b) const;
  void Deliver(const ZkMessage& message);
  void Violation(std::string text);
  void Line(ServerId id, const std::string& text);
  void UpdateAssertContext() const;
  // Index in committed_ of `zxid`, -1 for 0 (nothing applied), -2 when not committed.
  std::int64_t CommittedIndex(Zxid zxid) const;

  std::uint64_t seed_;
  ZkConfig base_;
  ZkNetworkOptions network_;
  Rng rng_;
  Time now_;
  std::vector<ServerId> ids_;
  std::map<ServerId, std::unique_ptr<ZkServer>> servers_;
  std::map<ServerId, ZkDisk> disks_;
  std::map<std::pair<std::int64_t, std::uint64_t>, InFlight> queue_;
  std::map<std::pair<ServerId, ServerId>, Time> link_last_;
  std::uint64_t seq_ = 0;
  std::vector<std::set<ServerId>> groups_;
  std::vector<std::string> lines_;
  bool keep_lines_ = true;
  bool echo_ = false;
  std::uint64_t events_ = 0;
  std::map<SessionId, std::int32_t> next_cxid_;
  std::vector<ClientResponse> responses_;

  // Safety bookkeeping.
  std::map<ZkEpoch, ServerId> leader_of_epoch_;
  std::vector<Txn> committed_;  // the one committed sequence
  std::map<Zxid, std::size_t> committed_index_;
  std::map<ServerId, Zxid> last_applied_;  // per server, this incarnation
  std::vector<std::string> violations_;
};

}  // namespace kafkasim::zookeeper::testing
