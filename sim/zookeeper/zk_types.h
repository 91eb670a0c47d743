// Vocabulary of the ZooKeeper core: server and session ids, zxids, the error codes of
// KeeperException.Code, client requests, the transactions ZAB orders, and the configuration
// with ZooKeeper 3.8's defaults (zoo_sample.cfg).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/time.h"

namespace kafkasim::zookeeper {

using ServerId = std::int64_t;   // myid: 1..N
using SessionId = std::int64_t;  // (creating server id << 56) | counter, as SessionTrackerImpl
using Zxid = std::int64_t;       // epoch << 32 | counter
using ZkEpoch = std::int64_t;    // the high 32 bits of a zxid
constexpr ServerId kNoServer = -1;
constexpr SessionId kNoSession = 0;

constexpr Zxid MakeZxid(ZkEpoch epoch, std::int64_t counter) {
  return (epoch << 32) | (counter & 0xffffffffLL);
}
constexpr ZkEpoch ZxidEpoch(Zxid zxid) { return zxid >> 32; }
constexpr std::int64_t ZxidCounter(Zxid zxid) { return zxid & 0xffffffffLL; }
// "0x100000003", as ZooKeeper prints zxids and names its files.
std::string ZxidHex(Zxid zxid);
static_assert(MakeZxid(1, 3) == 0x100000003LL && ZxidEpoch(0x200000007LL) == 2);

// KeeperException.Code values and names.
enum class ZkCode : std::int32_t {
  kOk = 0,
  kSystemError = -1,
  kRuntimeInconsistency = -2,
  kConnectionLoss = -4,
  kBadArguments = -8,
  kApiError = -100,
  kNoNode = -101,
  kBadVersion = -103,
  kNoChildrenForEphemerals = -108,
  kNodeExists = -110,
  kNotEmpty = -111,
  kSessionExpired = -112,
};
const char* ZkCodeName(ZkCode code);  // "NONODE", "BADVERSION", ...

enum class CreateMode : std::uint8_t {
  kPersistent,
  kEphemeral,
  kPersistentSequential,
  kEphemeralSequential,
};
bool IsEphemeral(CreateMode mode);
bool IsSequential(CreateMode mode);

// One operation of a client write (ZooDefs.OpCode create/delete/setData/check).
enum class OpType : std::uint8_t { kCreate, kDelete, kSetData, kCheck };
struct Op {
  OpType type = OpType::kCreate;
  std::string path;
  std::string data;  // create, setData
  CreateMode mode = CreateMode::kPersistent;
  std::int32_t version = -1;  // delete, setData, check: -1 matches any version
};

// A client write: one op, or a multi (all-or-nothing, as Kafka's controller election uses).
struct Request {
  bool multi = false;
  std::vector<Op> ops;  // exactly one unless multi
};
std::string DescribeRequest(const Request& request);

// ZooDefs.OpCode of a transaction.
enum class TxnType : std::int32_t {
  kError = -1,
  kCreate = 1,
  kDelete = 2,
  kSetData = 5,
  kCheck = 13,
  kMulti = 14,
  kCreateSession = -10,
  kCloseSession = -11,
};
const char* TxnTypeName(TxnType type);

// One prepared operation: what PrepRequestProcessor resolved (the sequential name, the owner of
// an ephemeral, the new version), so that applying it is deterministic everywhere.
struct TxnOp {
  TxnType type = TxnType::kCreate;  // kError inside a failed multi
  std::string path;
  std::string data;
  SessionId ephemeral_owner = kNoSession;
  std::int32_t version = 0;  // setData: the new version; check: the version checked
  ZkCode error = ZkCode::kOk;
  bool operator==(const TxnOp&) const = default;
};

// A transaction as it is proposed, logged and committed (TxnHeader + the txn record).
struct Txn {
  Zxid zxid = 0;
  SessionId session = kNoSession;
  std::int32_t cxid = 0;     // the client's request id, echoed in its response
  std::int64_t time_ms = 0;  // the leader's clock when it prepared the txn (ctime/mtime)
  TxnType type = TxnType::kError;
  std::vector<TxnOp> ops;            // create/delete/setData/check: one; multi: each
  std::int32_t session_timeout = 0;  // createSession: the negotiated timeout in ms
  ZkCode error = ZkCode::kOk;        // kError: why the request failed
  bool operator==(const Txn&) const = default;
};
std::string DescribeTxn(const Txn& txn);  // "0x100000002 create /a"

// ZooKeeper's timing and sizes (zoo_sample.cfg, QuorumPeerConfig, FastLeaderElection).
struct ZkConfig {
  ServerId server_id = kNoServer;
  std::vector<ServerId> servers;               // server.N lines; all participants
  Duration tick_time = Milliseconds(2000);     // tickTime (Kafka's zookeeper.properties: 3000)
  std::int32_t init_limit = 10;                // initLimit ticks for discovery and sync
  std::int32_t sync_limit = 5;                 // syncLimit ticks of silence in broadcast
  std::int64_t snap_count = 100000;            // snapCount: txns between snapshots
  std::int32_t commit_log_count = 500;         // ZKDatabase.commitLogCount: how far DIFF reaches
  Duration finalize_wait = Milliseconds(200);  // FastLeaderElection.finalizeWait
  Duration max_notification_interval = Milliseconds(60000);  // maxNotificationInterval
  // minSessionTimeout / maxSessionTimeout default to 2 and 20 ticks.
  Duration MinSessionTimeout() const { return tick_time * 2; }
  Duration MaxSessionTimeout() const { return tick_time * 20; }
};

}  // namespace kafkasim::zookeeper
