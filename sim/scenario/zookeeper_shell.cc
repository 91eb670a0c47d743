// zookeeper-shell.sh: one read from the ZooKeeper server at the given port, printed as Kafka's
// bin/zookeeper-shell.sh (ZooKeeperMain of ZooKeeper 3.8) prints it.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdint>
#include <string>

#include "scenario/world.h"
#include "zookeeper/zk_server_node.h"

namespace kafkasim::scenario {
namespace {

// java.util.Date.toString in UTC: "Thu Jan 01 00:00:05 UTC 1970".
std::string JavaDate(std::int64_t ms) {
  static constexpr const char* kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::int64_t secs = ms / 1000;
  std::int64_t days = secs / 86400;
  const std::int64_t rem = secs % 86400;
  const char* weekday = kDays[days % 7];
  // Howard Hinnant's civil_from_days.
  days += 719468;
  const std::int64_t era = days / 146097;
  const std::int64_t doe = days - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t year = yoe + era * 400;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
  if (month <= 2) ++year;
  return fmt::format("{} {} {:02} {:02}:{:02}:{:02} UTC {}", weekday,
                     kMonths[static_cast<std::size_t>(month - 1)], day, rem / 3600, rem % 3600 / 60,
                     rem % 60, year);
}

std::string Hex(std::int64_t v) { return fmt::format("0x{:x}", v); }

// StatPrinter.
std::string StatText(const zookeeper::Stat& s) {
  return fmt::format(
      "cZxid = {}\nctime = {}\nmZxid = {}\nmtime = {}\npZxid = {}\ncversion = {}\n"
      "dataVersion = {}\naclVersion = {}\nephemeralOwner = {}\ndataLength = {}\n"
      "numChildren = {}",
      Hex(s.czxid), JavaDate(s.ctime), Hex(s.mzxid), JavaDate(s.mtime), Hex(s.pzxid), s.cversion,
      s.version, s.aversion, Hex(s.ephemeral_owner), s.data_length, s.num_children);
}

}  // namespace

CommandOutput World::ZooKeeperShell(const ZooKeeperShellCommand& c) {
  std::string out = fmt::format("Connecting to {}\n", c.server);
  const std::size_t colon = c.server.rfind(':');
  const std::int64_t port = std::stoll(c.server.substr(colon + 1));
  const std::int64_t myid = port - zookeeper::kClientPortBase;
  const zookeeper::ZkServerNode* node = nullptr;
  if (myid >= 1 && static_cast<std::size_t>(myid) <= zookeepers_.size()) {
    node = dynamic_cast<const zookeeper::ZkServerNode*>(
        sim_->GetNode(zookeepers_[static_cast<std::size_t>(myid - 1)]));
  }
  if (node == nullptr || node->server() == nullptr || !node->server()->serving()) {
    // The client keeps retrying a server that is down or without a quorum; the command fails.
    out += fmt::format("KeeperErrorCode = ConnectionLoss for {}", c.path);
    if (zookeepers_.empty()) out += "\n(this cluster runs in KRaft mode: there is no ZooKeeper)";
    return CommandOutput{false, out};
  }
  out += "\nWATCHER::\n\nWatchedEvent state:SyncConnected type:None path:null\n";
  const zookeeper::DataTree& tree = node->server()->tree();
  const zookeeper::ZNode* z = tree.Find(c.path);
  if (z == nullptr) {
    out += "Node does not exist: " + c.path;
    return CommandOutput{false, out};
  }
  switch (c.op) {
    case ZooKeeperShellCommand::Op::kLs:
      out += fmt::format("[{}]", fmt::join(tree.Children(c.path), ", "));
      if (c.with_stat) out += "\n" + StatText(z->stat);
      break;
    case ZooKeeperShellCommand::Op::kGet:
      // Kafka's container znodes hold null data, which the shell prints as "null".
      out += z->data.empty() ? "null" : z->data;
      if (c.with_stat) out += "\n" + StatText(z->stat);
      break;
    case ZooKeeperShellCommand::Op::kStat:
      out += StatText(z->stat);
      break;
  }
  return CommandOutput{true, out};
}

}  // namespace kafkasim::scenario
