// Names and one-line descriptions of the ZooKeeper core's vocabulary.
#include "zookeeper/zk_types.h"

#include <fmt/format.h>

namespace kafkasim::zookeeper {

std::string ZxidHex(Zxid zxid) { return fmt::format("0x{:x}", zxid); }

const char* ZkCodeName(ZkCode code) {
  switch (code) {
    case ZkCode::kOk:
      return "OK";
    case ZkCode::kSystemError:
      return "SYSTEMERROR";
    case ZkCode::kRuntimeInconsistency:
      return "RUNTIMEINCONSISTENCY";
    case ZkCode::kConnectionLoss:
      return "CONNECTIONLOSS";
    case ZkCode::kBadArguments:
      return "BADARGUMENTS";
    case ZkCode::kApiError:
      return "APIERROR";
    case ZkCode::kNoNode:
      return "NONODE";
    case ZkCode::kBadVersion:
      return "BADVERSION";
    case ZkCode::kNoChildrenForEphemerals:
      return "NOCHILDRENFOREPHEMERALS";
    case ZkCode::kNodeExists:
      return "NODEEXISTS";
    case ZkCode::kNotEmpty:
      return "NOTEMPTY";
    case ZkCode::kSessionExpired:
      return "SESSIONEXPIRED";
  }
  return "?";
}

bool IsEphemeral(CreateMode mode) {
  return mode == CreateMode::kEphemeral || mode == CreateMode::kEphemeralSequential;
}
bool IsSequential(CreateMode mode) {
  return mode == CreateMode::kPersistentSequential || mode == CreateMode::kEphemeralSequential;
}

namespace {
const char* OpName(OpType type) {
  switch (type) {
    case OpType::kCreate:
      return "create";
    case OpType::kDelete:
      return "delete";
    case OpType::kSetData:
      return "setData";
    case OpType::kCheck:
      return "check";
  }
  return "?";
}
}  // namespace

std::string DescribeRequest(const Request& request) {
  std::string out = request.multi ? "multi(" : "";
  for (std::size_t i = 0; i < request.ops.size(); ++i) {
    const Op& op = request.ops[i];
    if (i > 0) out += ", ";
    out += fmt::format("{} {}", OpName(op.type), op.path);
  }
  return request.multi ? out + ")" : out;
}

const char* TxnTypeName(TxnType type) {
  switch (type) {
    case TxnType::kError:
      return "error";
    case TxnType::kCreate:
      return "create";
    case TxnType::kDelete:
      return "delete";
    case TxnType::kSetData:
      return "setData";
    case TxnType::kCheck:
      return "check";
    case TxnType::kMulti:
      return "multi";
    case TxnType::kCreateSession:
      return "createSession";
    case TxnType::kCloseSession:
      return "closeSession";
  }
  return "?";
}

std::string DescribeTxn(const Txn& txn) {
  std::string out = fmt::format("{} {}", ZxidHex(txn.zxid), TxnTypeName(txn.type));
  switch (txn.type) {
    case TxnType::kCreateSession:
    case TxnType::kCloseSession:
      return out + fmt::format(" 0x{:x}", txn.session);
    case TxnType::kError:
      return out + fmt::format(" {}", ZkCodeName(txn.error));
    case TxnType::kMulti:
      out += "(";
      for (std::size_t i = 0; i < txn.ops.size(); ++i) {
        out += fmt::format("{}{} {}", i > 0 ? ", " : "", TxnTypeName(txn.ops[i].type),
                           txn.ops[i].path);
      }
      return out + ")";
    default:
      return txn.ops.empty() ? out : out + " " + txn.ops[0].path;
  }
}

}  // namespace kafkasim::zookeeper
