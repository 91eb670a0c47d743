// DataTree: the znodes of one ZooKeeper server (DataTree.java): data and stat, ephemerals by
// session, the sessions with their timeouts, and the checks PrepRequestProcessor makes before a
// write becomes a transaction. Applying a transaction is deterministic and returns the watches
// it triggers; the server fires them.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"
#include "zookeeper/zk_types.h"

namespace kafkasim::zookeeper {

// org.apache.zookeeper.data.Stat.
struct Stat {
  Zxid czxid = 0;
  Zxid mzxid = 0;
  Zxid pzxid = 0;
  std::int64_t ctime = 0;
  std::int64_t mtime = 0;
  std::int32_t version = 0;
  std::int32_t cversion = 0;
  std::int32_t aversion = 0;
  SessionId ephemeral_owner = kNoSession;
  std::int32_t data_length = 0;
  std::int32_t num_children = 0;
  bool operator==(const Stat&) const = default;
};

struct ZNode {
  std::string data;
  Stat stat;
  std::set<std::string> children;  // child names, sorted as getChildren sorts them in tests
  bool operator==(const ZNode&) const = default;
};

// Watcher.Event.EventType values.
enum class WatchEventType : std::int32_t {
  kNodeCreated = 1,
  kNodeDeleted = 2,
  kNodeDataChanged = 3,
  kNodeChildrenChanged = 4,
};
const char* WatchEventTypeName(WatchEventType type);  // "NodeCreated", ...

// A change a transaction made: NodeCreated/NodeDataChanged fire data watches on `path`,
// NodeDeleted fires data and child watches on it, NodeChildrenChanged child watches.
struct WatchTrigger {
  std::string path;
  WatchEventType type = WatchEventType::kNodeCreated;
};

// The outcome of one op (OpResult): the created name for a create, the new stat for setData.
struct OpResult {
  ZkCode code = ZkCode::kOk;
  std::string path;
  Stat stat;
};

struct TxnResult {
  ZkCode code = ZkCode::kOk;      // a failed multi: the code of the op that failed
  std::vector<OpResult> results;  // one per op (multi), one for a single op, none otherwise
  std::vector<WatchTrigger> triggers;
};

class DataTree {
 public:
  // "/", "/zookeeper", "/zookeeper/quota" and "/zookeeper/config", as a fresh ZooKeeper holds.
  DataTree();

  const ZNode* Find(std::string_view path) const;
  // Children of `path` in name order; empty when it does not exist.
  std::vector<std::string> Children(std::string_view path) const;

  // PrepRequestProcessor's checks of one op for `session` against this tree; on kOk fills `out`
  // with the resolved op (sequential name, owner, new version). Codes: BADARGUMENTS (invalid
  // path), NONODE, NODEEXISTS, NOCHILDRENFOREPHEMERALS, BADVERSION, NOTEMPTY.
  ZkCode PrepareOp(const Op& op, SessionId session, TxnOp* out) const;

  // Applies a transaction in zxid order (asserted). Prepared ops always succeed here.
  TxnResult Apply(const Txn& txn);

  Zxid last_processed_zxid() const { return last_processed_zxid_; }
  const std::map<SessionId, std::int32_t>& sessions() const { return sessions_; }
  std::vector<std::string> Ephemerals(SessionId session) const;
  std::size_t node_count() const { return nodes_.size(); }
  const std::map<std::string, ZNode>& nodes() const { return nodes_; }

  // The snapshot body (see README.md): nodes in path order, sessions, the last zxid.
  std::string Serialize() const;
  // Returns kCorruption naming what is wrong when `bytes` is not a serialised tree.
  static Result<DataTree> Deserialize(std::string_view bytes);

  bool operator==(const DataTree&) const = default;

 private:
  void ApplyOp(const TxnOp& op, const Txn& txn, TxnResult* result);
  void CreateNode(const TxnOp& op, const Txn& txn, TxnResult* result);
  void DeleteNode(const std::string& path, Zxid zxid, TxnResult* result);

  std::map<std::string, ZNode> nodes_;
  std::map<SessionId, std::set<std::string>> ephemerals_;
  std::map<SessionId, std::int32_t> sessions_;  // session id -> timeout ms
  Zxid last_processed_zxid_ = 0;
};

// PathUtils.validatePath: absolute, no empty, "." or ".." segment, no trailing "/".
bool ValidPath(std::string_view path);
std::string ParentPath(std::string_view path);

}  // namespace kafkasim::zookeeper
