// Codecs of the version-2/ files and recovery from them.
#include "zookeeper/zk_files.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "engine/assert.h"
#include "zookeeper/zk_codec.h"

namespace kafkasim::zookeeper {
namespace {

constexpr std::uint8_t kTxnFormatVersion = 1;

Status Corrupt(std::string what) { return Status(Errc::kCorruption, std::move(what)); }

}  // namespace

std::string TxnLogFileName(Zxid first_zxid) { return fmt::format("log.{:x}", first_zxid); }
std::string SnapshotFileName(Zxid zxid) { return fmt::format("snapshot.{:x}", zxid); }

bool ParseFileZxid(std::string_view name, std::string_view prefix, Zxid* zxid) {
  if (!name.starts_with(prefix) || name.size() == prefix.size()) return false;
  const std::string_view hex = name.substr(prefix.size());
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(hex.data(), hex.data() + hex.size(), value, 16);
  if (error != std::errc() || end != hex.data() + hex.size()) return false;
  *zxid = static_cast<Zxid>(value);
  return true;
}

std::string EncodeTxn(const Txn& txn) {
  codec::Writer w;
  w.U8(kTxnFormatVersion);
  w.I64(txn.zxid);
  w.I64(txn.session);
  w.I32(txn.cxid);
  w.I64(txn.time_ms);
  w.I32(static_cast<std::int32_t>(txn.type));
  w.I32(txn.session_timeout);
  w.I32(static_cast<std::int32_t>(txn.error));
  w.I32(static_cast<std::int32_t>(txn.ops.size()));
  for (const TxnOp& op : txn.ops) {
    w.I32(static_cast<std::int32_t>(op.type));
    w.Bytes(op.path);
    w.Bytes(op.data);
    w.I64(op.ephemeral_owner);
    w.I32(op.version);
    w.I32(static_cast<std::int32_t>(op.error));
  }
  return std::move(w.str());
}

Result<Txn> DecodeTxn(std::string_view bytes) {
  codec::Reader r(bytes);
  if (const std::uint8_t version = r.U8(); version != kTxnFormatVersion) {
    return Corrupt(fmt::format("txn format version {} (expected {})", version, kTxnFormatVersion));
  }
  Txn txn;
  txn.zxid = r.I64();
  txn.session = r.I64();
  txn.cxid = r.I32();
  txn.time_ms = r.I64();
  txn.type = static_cast<TxnType>(r.I32());
  txn.session_timeout = r.I32();
  txn.error = static_cast<ZkCode>(r.I32());
  const std::int32_t ops = r.I32();
  if (ops < 0 || static_cast<std::size_t>(ops) > bytes.size()) return Corrupt("bad op count");
  for (std::int32_t i = 0; i < ops && !r.failed(); ++i) {
    TxnOp op;
    op.type = static_cast<TxnType>(r.I32());
    op.path = r.Bytes();
    op.data = r.Bytes();
    op.ephemeral_owner = r.I64();
    op.version = r.I32();
    op.error = static_cast<ZkCode>(r.I32());
    txn.ops.push_back(std::move(op));
  }
  if (r.failed()) return Corrupt("txn truncated");
  if (r.remaining() != 0) return Corrupt(fmt::format("{} bytes after the txn", r.remaining()));
  return txn;
}

std::string EncodeTxnLogHeader() {
  codec::Writer w;
  w.I32(kTxnLogMagic);
  w.I32(kFileVersion);
  w.I64(0);  // dbid
  KSIM_ASSERT_EQ(w.str().size(), kFileHeaderSize);
  return std::move(w.str());
}

std::string EncodeTxnRecord(const Txn& txn) {
  const std::string body = EncodeTxn(txn);
  codec::Writer w;
  w.I64(codec::Adler32(body));
  w.I32(static_cast<std::int32_t>(body.size()));
  w.Raw(body);
  w.U8(kEndOfRecord);
  KSIM_ASSERT_EQ(w.str().size(), body.size() + kRecordOverhead);
  return std::move(w.str());
}

Result<TxnLogRead> DecodeTxnLog(std::string_view bytes) {
  codec::Reader header(bytes);
  const std::int32_t magic = header.I32();
  const std::int32_t version = header.I32();
  (void)header.I64();
  if (header.failed()) return Corrupt("txn log shorter than its 16-byte header");
  if (magic != kTxnLogMagic) return Corrupt(fmt::format("txn log magic 0x{:x}", magic));
  if (version != kFileVersion) return Corrupt(fmt::format("txn log version {}", version));
  TxnLogRead out;
  std::size_t pos = kFileHeaderSize;
  Zxid last = 0;
  while (pos < bytes.size()) {
    codec::Reader r(bytes.substr(pos));
    const auto checksum = static_cast<std::uint64_t>(r.I64());
    const std::int32_t length = r.I32();
    if (r.failed()) {
      out.dropped = fmt::format("torn record header at byte {}", pos);
      break;
    }
    if (length == 0 && checksum == 0) break;  // preallocated zeros: the end of the log
    if (length < 0 || static_cast<std::size_t>(length) + kRecordOverhead > bytes.size() - pos) {
      out.dropped = fmt::format("torn record at byte {} (length {})", pos, length);
      break;
    }
    const std::string_view body = bytes.substr(pos + 12, static_cast<std::size_t>(length));
    if (codec::Adler32(body) != checksum ||
        static_cast<std::uint8_t>(bytes[pos + 12 + body.size()]) != kEndOfRecord) {
      out.dropped = fmt::format("record at byte {} fails its Adler32 checksum", pos);
      break;
    }
    Result<Txn> txn = DecodeTxn(body);
    if (!txn.ok() || txn->zxid <= last) {
      out.dropped = fmt::format("record at byte {} does not decode", pos);
      break;
    }
    last = txn->zxid;
    out.txns.push_back(std::move(*txn));
    pos += body.size() + kRecordOverhead;
  }
  out.valid_bytes = out.dropped.empty() ? bytes.size() : pos;
  return out;
}

std::string EncodeSnapshot(const DataTree& tree) {
  codec::Writer w;
  w.I32(kSnapshotMagic);
  w.I32(kFileVersion);
  w.I64(0);  // dbid
  const std::string body = tree.Serialize();
  w.Bytes(body);
  w.I64(codec::Adler32(body));
  w.Bytes("/");  // FileSnap ends with the checksum and the path "/"
  return std::move(w.str());
}

Result<DataTree> DecodeSnapshot(std::string_view bytes) {
  codec::Reader r(bytes);
  const std::int32_t magic = r.I32();
  const std::int32_t version = r.I32();
  (void)r.I64();
  const std::string body = r.Bytes();
  const auto checksum = static_cast<std::uint64_t>(r.I64());
  const std::string end = r.Bytes();
  if (r.failed()) return Corrupt("snapshot truncated");
  if (magic != kSnapshotMagic) return Corrupt(fmt::format("snapshot magic 0x{:x}", magic));
  if (version != kFileVersion) return Corrupt(fmt::format("snapshot version {}", version));
  if (codec::Adler32(body) != checksum || end != "/") {
    return Corrupt("snapshot fails its Adler32 checksum");
  }
  return DataTree::Deserialize(body);
}

std::string EncodeEpoch(ZkEpoch epoch) { return fmt::format("{}", epoch); }

Result<ZkEpoch> DecodeEpoch(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  ZkEpoch epoch = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), epoch);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || epoch < 0) {
    return Corrupt(fmt::format("epoch file holds '{}', not a number", text));
  }
  return epoch;
}

Result<Recovery> RecoverDatabase(const std::map<std::string, std::string>& files) {
  Recovery out;
  for (auto [name, field] : {std::pair{kAcceptedEpochFile, &out.state.accepted_epoch},
                             std::pair{kCurrentEpochFile, &out.state.current_epoch}}) {
    auto it = files.find(std::string(name));
    if (it == files.end()) continue;
    Result<ZkEpoch> epoch = DecodeEpoch(it->second);
    if (!epoch.ok())
      return Status(Errc::kCorruption, fmt::format("{}: {}", name, epoch.status().message()));
    *field = *epoch;
  }
  // FileSnap.findNValidSnapshots: newest first, skipping any that does not decode.
  std::vector<std::pair<Zxid, std::string>> snapshots;
  std::vector<std::pair<Zxid, std::string>> logs;
  for (const auto& [name, bytes] : files) {
    Zxid zxid = 0;
    if (ParseFileZxid(name, "snapshot.", &zxid)) snapshots.emplace_back(zxid, name);
    if (ParseFileZxid(name, "log.", &zxid)) logs.emplace_back(zxid, name);
  }
  std::sort(snapshots.rbegin(), snapshots.rend());
  std::sort(logs.begin(), logs.end());
  for (const auto& [zxid, name] : snapshots) {
    Result<DataTree> tree = DecodeSnapshot(files.at(name));
    if (tree.ok() && tree->last_processed_zxid() == zxid) {
      out.state.tree = std::move(*tree);
      break;
    }
    out.report.push_back(
        fmt::format("{} skipped: {}", name,
                    tree.ok() ? "zxid differs from its name" : tree.status().message()));
  }
  const Zxid base = out.state.tree.last_processed_zxid();
  for (const auto& [first, name] : logs) {
    Result<TxnLogRead> read = DecodeTxnLog(files.at(name));
    if (!read.ok()) {
      out.report.push_back(fmt::format("{} skipped: {}", name, read.status().message()));
      continue;
    }
    if (!read->dropped.empty()) {
      out.report.push_back(fmt::format("{}: {}; the tail was truncated", name, read->dropped));
    }
    for (Txn& txn : read->txns) {
      const Zxid last = out.state.log.empty() ? base : out.state.log.back().zxid;
      if (txn.zxid > last) out.state.log.push_back(std::move(txn));
    }
  }
  return out;
}

}  // namespace kafkasim::zookeeper
