// DataTree: PrepRequestProcessor's checks and DataTree's stat bookkeeping.
#include "zookeeper/data_tree.h"

#include <doctest/doctest.h>

namespace kafkasim::zookeeper {
namespace {

Txn Prepared(const DataTree& tree, Zxid zxid, const Op& op, SessionId session = 0x11) {
  TxnOp prepared;
  REQUIRE(tree.PrepareOp(op, session, &prepared) == ZkCode::kOk);
  Txn txn;
  txn.zxid = zxid;
  txn.session = session;
  txn.time_ms = 1000 + zxid;
  txn.type = prepared.type;
  txn.ops = {prepared};
  return txn;
}

Op Create(std::string path, CreateMode mode = CreateMode::kPersistent, std::string data = "d") {
  return {OpType::kCreate, std::move(path), std::move(data), mode, -1};
}

TEST_CASE("data tree: a fresh tree holds / and /zookeeper with quota and config") {
  DataTree tree;
  CHECK(tree.Children("/") == std::vector<std::string>{"zookeeper"});
  CHECK(tree.Children("/zookeeper") == std::vector<std::string>{"config", "quota"});
}

TEST_CASE("data tree: create sets czxid, parent cversion and pzxid; sequential names use it") {
  DataTree tree;
  (void)tree.Apply(Prepared(tree, 1, Create("/a")));
  const Txn seq = Prepared(tree, 2, Create("/a/n-", CreateMode::kPersistentSequential));
  CHECK(seq.ops[0].path == "/a/n-0000000000");
  (void)tree.Apply(seq);
  CHECK(Prepared(tree, 3, Create("/a/n-", CreateMode::kPersistentSequential)).ops[0].path ==
        "/a/n-0000000001");
  const ZNode* a = tree.Find("/a");
  REQUIRE(a != nullptr);
  CHECK(a->stat.czxid == 1);
  CHECK(a->stat.cversion == 1);
  CHECK(a->stat.pzxid == 2);
  CHECK(a->stat.num_children == 1);
}

TEST_CASE(
    "data tree: the checks answer NONODE, NODEEXISTS, BADVERSION, NOTEMPTY and "
    "NOCHILDRENFOREPHEMERALS") {
  DataTree tree;
  (void)tree.Apply(Prepared(tree, 1, Create("/a")));
  (void)tree.Apply(Prepared(tree, 2, Create("/a/b")));
  (void)tree.Apply(Prepared(tree, 3, Create("/e", CreateMode::kEphemeral)));
  TxnOp out;
  CHECK(tree.PrepareOp(Create("/x/y"), 1, &out) == ZkCode::kNoNode);
  CHECK(tree.PrepareOp(Create("/a"), 1, &out) == ZkCode::kNodeExists);
  CHECK(tree.PrepareOp(Create("/e/c"), 1, &out) == ZkCode::kNoChildrenForEphemerals);
  CHECK(tree.PrepareOp(Create("bad"), 1, &out) == ZkCode::kBadArguments);
  CHECK(tree.PrepareOp({OpType::kSetData, "/a", "v", {}, 3}, 1, &out) == ZkCode::kBadVersion);
  CHECK(tree.PrepareOp({OpType::kDelete, "/a", "", {}, -1}, 1, &out) == ZkCode::kNotEmpty);
  CHECK(tree.PrepareOp({OpType::kDelete, "/zz", "", {}, -1}, 1, &out) == ZkCode::kNoNode);
  REQUIRE(tree.PrepareOp({OpType::kSetData, "/a", "v", {}, 0}, 1, &out) == ZkCode::kOk);
  CHECK(out.version == 1);
}

TEST_CASE("data tree: closeSession deletes the session's ephemerals") {
  DataTree tree;
  Txn open;
  open.zxid = 1;
  open.session = 0x11;
  open.type = TxnType::kCreateSession;
  open.session_timeout = 6000;
  (void)tree.Apply(open);
  (void)tree.Apply(Prepared(tree, 2, Create("/e1", CreateMode::kEphemeral)));
  (void)tree.Apply(Prepared(tree, 3, Create("/p")));
  CHECK(tree.Ephemerals(0x11) == std::vector<std::string>{"/e1"});
  Txn close;
  close.zxid = 4;
  close.session = 0x11;
  close.type = TxnType::kCloseSession;
  const TxnResult result = tree.Apply(close);
  CHECK(tree.Find("/e1") == nullptr);
  CHECK(tree.Find("/p") != nullptr);
  CHECK(tree.sessions().empty());
  REQUIRE(result.triggers.size() == 2);
  CHECK(result.triggers[0].type == WatchEventType::kNodeDeleted);
}

TEST_CASE("data tree: a serialised tree reads back equal, and a damaged one is refused") {
  DataTree tree;
  (void)tree.Apply(Prepared(tree, 1, Create("/a", CreateMode::kPersistent, "hello")));
  (void)tree.Apply(Prepared(tree, 2, Create("/a/e", CreateMode::kEphemeral)));
  const std::string bytes = tree.Serialize();
  Result<DataTree> back = DataTree::Deserialize(bytes);
  REQUIRE(back.ok());
  CHECK(*back == tree);
  CHECK(back->Ephemerals(0x11) == std::vector<std::string>{"/a/e"});
  CHECK(!DataTree::Deserialize(bytes.substr(0, bytes.size() - 3)).ok());
}

}  // namespace
}  // namespace kafkasim::zookeeper
