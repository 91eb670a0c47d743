// The files of a ZooKeeper server's data dir under version-2/: the txn log (log.<hex zxid of
// its first txn>), snapshots (snapshot.<hex zxid>) and the acceptedEpoch / currentEpoch files,
// with recovery (FileTxnSnapLog.restore). Pure codecs: the host does the I/O. Formats are in
// README.md.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"
#include "zookeeper/data_tree.h"
#include "zookeeper/zk_server.h"
#include "zookeeper/zk_types.h"

namespace kafkasim::zookeeper {

inline constexpr std::string_view kVersionDir = "version-2";
inline constexpr std::string_view kAcceptedEpochFile = "acceptedEpoch";
inline constexpr std::string_view kCurrentEpochFile = "currentEpoch";
inline constexpr std::int32_t kTxnLogMagic = 0x5a4b4c47;    // "ZKLG", FileTxnLog.TXNLOG_MAGIC
inline constexpr std::int32_t kSnapshotMagic = 0x5a4b534e;  // "ZKSN", FileSnap.SNAP_MAGIC
inline constexpr std::int32_t kFileVersion = 2;
inline constexpr std::size_t kFileHeaderSize = 16;         // magic, version, dbid
inline constexpr std::size_t kRecordOverhead = 8 + 4 + 1;  // checksum, length, EOR 'B'
inline constexpr std::uint8_t kEndOfRecord = 0x42;

std::string TxnLogFileName(Zxid first_zxid);  // "log.100000001"
std::string SnapshotFileName(Zxid zxid);      // "snapshot.100000004"
// The zxid a log or snapshot file is named after; false for other names.
bool ParseFileZxid(std::string_view name, std::string_view prefix, Zxid* zxid);

std::string EncodeTxn(const Txn& txn);
Result<Txn> DecodeTxn(std::string_view bytes);

std::string EncodeTxnLogHeader();
std::string EncodeTxnRecord(const Txn& txn);
// A txn log read back: the txns of its valid prefix and, when a tail was dropped, why. A torn
// tail is truncated, not an error; a bad header is (kCorruption).
struct TxnLogRead {
  std::vector<Txn> txns;
  std::size_t valid_bytes = 0;
  std::string dropped;  // "" when the whole file was valid
};
Result<TxnLogRead> DecodeTxnLog(std::string_view bytes);

std::string EncodeSnapshot(const DataTree& tree);
Result<DataTree> DecodeSnapshot(std::string_view bytes);

std::string EncodeEpoch(ZkEpoch epoch);  // decimal text, as QuorumPeer.writeLongToFile
Result<ZkEpoch> DecodeEpoch(std::string_view text);

// FileTxnSnapLog.restore over the files of version-2/ (name -> bytes): the newest snapshot that
// decodes, then every logged txn after it in zxid order. `report` says what was skipped or
// dropped and why.
struct Recovery {
  PersistedState state;
  std::vector<std::string> report;
};
Result<Recovery> RecoverDatabase(const std::map<std::string, std::string>& files);

}  // namespace kafkasim::zookeeper
