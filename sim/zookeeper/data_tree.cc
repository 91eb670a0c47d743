// DataTree: DataTree.createNode/deleteNode/setData and PrepRequestProcessor's checks.
#include "zookeeper/data_tree.h"

#include <fmt/format.h>

#include <utility>

#include "engine/assert.h"
#include "zookeeper/zk_codec.h"

namespace kafkasim::zookeeper {
namespace {

constexpr std::int32_t kTreeFormatVersion = 1;

std::string LastSegment(std::string_view path) {
  return std::string(path.substr(path.rfind('/') + 1));
}

// PrepRequestProcessor.checkAndIncVersion: -1 matches any version.
bool VersionMatches(std::int32_t expected, std::int32_t actual) {
  return expected == -1 || expected == actual;
}

}  // namespace

const char* WatchEventTypeName(WatchEventType type) {
  switch (type) {
    case WatchEventType::kNodeCreated:
      return "NodeCreated";
    case WatchEventType::kNodeDeleted:
      return "NodeDeleted";
    case WatchEventType::kNodeDataChanged:
      return "NodeDataChanged";
    case WatchEventType::kNodeChildrenChanged:
      return "NodeChildrenChanged";
  }
  return "?";
}

bool ValidPath(std::string_view path) {
  if (path.empty() || path[0] != '/') return false;
  if (path.size() == 1) return true;
  if (path.back() == '/') return false;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view segment = path.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..") return false;
    for (char c : segment) {
      if (c == '\0') return false;
    }
    start = end + 1;
  }
  return true;
}

std::string ParentPath(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return slash == 0 ? std::string("/") : std::string(path.substr(0, slash));
}

DataTree::DataTree() {
  nodes_["/"] = ZNode{};
  // DataTree's constructor: procZookeeper, its quota child and the config node.
  for (const char* path : {"/zookeeper", "/zookeeper/quota", "/zookeeper/config"}) {
    nodes_[path] = ZNode{};
    nodes_[ParentPath(path)].children.insert(LastSegment(path));
  }
  for (auto& [path, node] : nodes_) {
    node.stat.num_children = static_cast<std::int32_t>(node.children.size());
  }
}

const ZNode* DataTree::Find(std::string_view path) const {
  auto it = nodes_.find(std::string(path));
  return it == nodes_.end() ? nullptr : &it->second;
}

std::vector<std::string> DataTree::Children(std::string_view path) const {
  const ZNode* node = Find(path);
  if (node == nullptr) return {};
  return {node->children.begin(), node->children.end()};
}

std::vector<std::string> DataTree::Ephemerals(SessionId session) const {
  auto it = ephemerals_.find(session);
  if (it == ephemerals_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

ZkCode DataTree::PrepareOp(const Op& op, SessionId session, TxnOp* out) const {
  if (!ValidPath(op.path) || (op.type == OpType::kCreate && op.path == "/")) {
    return ZkCode::kBadArguments;
  }
  *out = TxnOp{};
  out->path = op.path;
  switch (op.type) {
    case OpType::kCreate: {
      const ZNode* parent = Find(ParentPath(op.path));
      if (parent == nullptr) return ZkCode::kNoNode;
      if (IsSequential(op.mode)) {
        // The 10-digit suffix is the parent's cversion (PrepRequestProcessor).
        out->path = fmt::format("{}{:010d}", op.path, parent->stat.cversion);
      }
      if (Find(out->path) != nullptr) return ZkCode::kNodeExists;
      if (parent->stat.ephemeral_owner != kNoSession) return ZkCode::kNoChildrenForEphemerals;
      out->type = TxnType::kCreate;
      out->data = op.data;
      out->ephemeral_owner = IsEphemeral(op.mode) ? session : kNoSession;
      return ZkCode::kOk;
    }
    case OpType::kDelete: {
      if (op.path == "/" || Find(ParentPath(op.path)) == nullptr) return ZkCode::kNoNode;
      const ZNode* node = Find(op.path);
      if (node == nullptr) return ZkCode::kNoNode;
      if (!VersionMatches(op.version, node->stat.version)) return ZkCode::kBadVersion;
      if (!node->children.empty()) return ZkCode::kNotEmpty;
      out->type = TxnType::kDelete;
      return ZkCode::kOk;
    }
    case OpType::kSetData: {
      const ZNode* node = Find(op.path);
      if (node == nullptr) return ZkCode::kNoNode;
      if (!VersionMatches(op.version, node->stat.version)) return ZkCode::kBadVersion;
      out->type = TxnType::kSetData;
      out->data = op.data;
      out->version = node->stat.version + 1;
      return ZkCode::kOk;
    }
    case OpType::kCheck: {
      const ZNode* node = Find(op.path);
      if (node == nullptr) return ZkCode::kNoNode;
      if (!VersionMatches(op.version, node->stat.version)) return ZkCode::kBadVersion;
      out->type = TxnType::kCheck;
      out->version = node->stat.version;
      return ZkCode::kOk;
    }
  }
  return ZkCode::kApiError;
}

TxnResult DataTree::Apply(const Txn& txn) {
  KSIM_ASSERT_MSG(
      txn.zxid > last_processed_zxid_,
      fmt::format("apply {} after {}", ZxidHex(txn.zxid), ZxidHex(last_processed_zxid_)));
  TxnResult result;
  switch (txn.type) {
    case TxnType::kCreateSession:
      sessions_[txn.session] = txn.session_timeout;
      break;
    case TxnType::kCloseSession: {
      // DataTree.killSession: the session's ephemerals go with it, in path order.
      for (const std::string& path : Ephemerals(txn.session)) {
        DeleteNode(path, txn.zxid, &result);
      }
      ephemerals_.erase(txn.session);
      sessions_.erase(txn.session);
      break;
    }
    case TxnType::kError:
      result.code = txn.error;
      for (const TxnOp& op : txn.ops) result.results.push_back({op.error, op.path, {}});
      break;
    case TxnType::kMulti:
      for (const TxnOp& op : txn.ops) ApplyOp(op, txn, &result);
      break;
    default:
      KSIM_ASSERT_MSG(txn.ops.size() == 1,
                      fmt::format("{} with {} ops", DescribeTxn(txn), txn.ops.size()));
      ApplyOp(txn.ops[0], txn, &result);
      break;
  }
  last_processed_zxid_ = txn.zxid;
  return result;
}

void DataTree::ApplyOp(const TxnOp& op, const Txn& txn, TxnResult* result) {
  switch (op.type) {
    case TxnType::kCreate:
      CreateNode(op, txn, result);
      return;
    case TxnType::kDelete:
      DeleteNode(op.path, txn.zxid, result);
      result->results.push_back({ZkCode::kOk, op.path, {}});
      return;
    case TxnType::kSetData: {
      auto it = nodes_.find(op.path);
      KSIM_ASSERT_MSG(it != nodes_.end(), "setData of a missing " + op.path);
      Stat& stat = it->second.stat;
      it->second.data = op.data;
      stat.version = op.version;
      stat.mzxid = txn.zxid;
      stat.mtime = txn.time_ms;
      stat.data_length = static_cast<std::int32_t>(op.data.size());
      result->results.push_back({ZkCode::kOk, op.path, stat});
      result->triggers.push_back({op.path, WatchEventType::kNodeDataChanged});
      return;
    }
    case TxnType::kCheck:
      result->results.push_back({ZkCode::kOk, op.path, {}});
      return;
    default:
      KSIM_ASSERT_MSG(false, fmt::format("op {} in a txn", TxnTypeName(op.type)));
  }
}

void DataTree::CreateNode(const TxnOp& op, const Txn& txn, TxnResult* result) {
  const std::string parent_path = ParentPath(op.path);
  auto parent = nodes_.find(parent_path);
  KSIM_ASSERT_MSG(parent != nodes_.end(), "create under a missing parent: " + op.path);
  KSIM_ASSERT_MSG(!nodes_.contains(op.path), "create of an existing " + op.path);
  ZNode node;
  node.data = op.data;
  node.stat.czxid = node.stat.mzxid = node.stat.pzxid = txn.zxid;
  node.stat.ctime = node.stat.mtime = txn.time_ms;
  node.stat.ephemeral_owner = op.ephemeral_owner;
  node.stat.data_length = static_cast<std::int32_t>(op.data.size());
  parent->second.children.insert(LastSegment(op.path));
  parent->second.stat.cversion++;
  parent->second.stat.pzxid = txn.zxid;
  parent->second.stat.num_children = static_cast<std::int32_t>(parent->second.children.size());
  if (op.ephemeral_owner != kNoSession) ephemerals_[op.ephemeral_owner].insert(op.path);
  result->results.push_back({ZkCode::kOk, op.path, node.stat});
  nodes_[op.path] = std::move(node);
  result->triggers.push_back({op.path, WatchEventType::kNodeCreated});
  result->triggers.push_back({parent_path, WatchEventType::kNodeChildrenChanged});
}

void DataTree::DeleteNode(const std::string& path, Zxid zxid, TxnResult* result) {
  auto it = nodes_.find(path);
  KSIM_ASSERT_MSG(it != nodes_.end(), "delete of a missing " + path);
  KSIM_ASSERT_MSG(it->second.children.empty(), "delete of a non-empty " + path);
  const SessionId owner = it->second.stat.ephemeral_owner;
  if (owner != kNoSession) {
    auto e = ephemerals_.find(owner);
    if (e != ephemerals_.end()) {
      e->second.erase(path);
      if (e->second.empty()) ephemerals_.erase(e);  // as a tree read from a snapshot holds it
    }
  }
  nodes_.erase(it);
  const std::string parent_path = ParentPath(path);
  ZNode& parent = nodes_.at(parent_path);
  parent.children.erase(LastSegment(path));
  parent.stat.cversion++;
  parent.stat.pzxid = zxid;
  parent.stat.num_children = static_cast<std::int32_t>(parent.children.size());
  result->triggers.push_back({path, WatchEventType::kNodeDeleted});
  result->triggers.push_back({parent_path, WatchEventType::kNodeChildrenChanged});
}

std::string DataTree::Serialize() const {
  codec::Writer w;
  w.I32(kTreeFormatVersion);
  w.I64(last_processed_zxid_);
  w.I32(static_cast<std::int32_t>(sessions_.size()));
  for (const auto& [session, timeout] : sessions_) {
    w.I64(session);
    w.I32(timeout);
  }
  w.I32(static_cast<std::int32_t>(nodes_.size()));
  for (const auto& [path, node] : nodes_) {
    w.Bytes(path);
    w.Bytes(node.data);
    const Stat& s = node.stat;
    for (std::int64_t v : {s.czxid, s.mzxid, s.pzxid, s.ctime, s.mtime, s.ephemeral_owner})
      w.I64(v);
    for (std::int32_t v : {s.version, s.cversion, s.aversion}) w.I32(v);
  }
  return std::move(w.str());
}

Result<DataTree> DataTree::Deserialize(std::string_view bytes) {
  codec::Reader r(bytes);
  auto corrupt = [](std::string what) { return Status(Errc::kCorruption, std::move(what)); };
  if (const std::int32_t version = r.I32(); version != kTreeFormatVersion) {
    return corrupt(
        fmt::format("data tree format version {} (expected {})", version, kTreeFormatVersion));
  }
  DataTree tree;
  tree.nodes_.clear();
  tree.last_processed_zxid_ = r.I64();
  const std::int32_t sessions = r.I32();
  for (std::int32_t i = 0; i < sessions && !r.failed(); ++i) {
    const SessionId session = r.I64();
    tree.sessions_[session] = r.I32();
  }
  const std::int32_t count = r.I32();
  for (std::int32_t i = 0; i < count && !r.failed(); ++i) {
    std::string path = r.Bytes();
    ZNode node;
    node.data = r.Bytes();
    Stat& s = node.stat;
    for (std::int64_t* v : {&s.czxid, &s.mzxid, &s.pzxid, &s.ctime, &s.mtime, &s.ephemeral_owner}) {
      *v = r.I64();
    }
    for (std::int32_t* v : {&s.version, &s.cversion, &s.aversion}) *v = r.I32();
    s.data_length = static_cast<std::int32_t>(node.data.size());
    if (!r.failed() && !ValidPath(path)) return corrupt("invalid znode path " + path);
    if (s.ephemeral_owner != kNoSession) tree.ephemerals_[s.ephemeral_owner].insert(path);
    tree.nodes_[std::move(path)] = std::move(node);
  }
  if (r.failed()) return corrupt("data tree truncated");
  if (r.remaining() != 0)
    return corrupt(fmt::format("{} bytes after the data tree", r.remaining()));
  if (!tree.nodes_.contains("/")) return corrupt("data tree without a root");
  // Paths sort parents before children, so every parent is present when its child is linked.
  for (auto& [path, node] : tree.nodes_) {
    if (path == "/") continue;
    auto parent = tree.nodes_.find(ParentPath(path));
    if (parent == tree.nodes_.end()) return corrupt("znode without a parent: " + path);
    parent->second.children.insert(LastSegment(path));
  }
  for (auto& [path, node] : tree.nodes_) {
    node.stat.num_children = static_cast<std::int32_t>(node.children.size());
  }
  return tree;
}

}  // namespace kafkasim::zookeeper
