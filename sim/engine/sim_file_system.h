// The simulated disk: an in-memory tree that remembers which bytes are durable (synced), so a
// node crash can drop unsynced writes, keep a torn prefix of them, and inject disk faults.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/chunked_bytes.h"
#include "engine/file_system.h"
#include "engine/time.h"

namespace kafkasim {

// Durability model (leveldb's fault-injection Env, FoundationDB's AsyncFileNonDurable):
// - File contents: bytes written since the last Sync of that file are volatile; Sync makes the
//   whole file durable. LoseUnsyncedData restores every file to its durable contents.
// - Directory operations (CreateDirs, CreateFile, Rename, Remove) are durable at once, as if the
//   host fsynced the directory after each of them. A created file survives a crash empty.
// - A truncation that shrinks a file is metadata: it is durable once the file is synced, or
//   once any other file on the disk is, as ext4's fsync commits the whole journal. (Without
//   this, a follower that truncated a diverged log and then fsynced its leader-epoch
//   checkpoint could come back from a power loss with the old log and the new checkpoint, a
//   state ext4 does not produce.) The bytes appended after it stay volatile.
// - Costs: one buffer per file, in chunks (ChunkedBytes). Overwrites and truncations below the
//   durable size save the old durable bytes in an undo list; Sync only forgets that list, so
//   appends never copy the file.
class SimFileSystem : public FileSystem {
 public:
  SimFileSystem() = default;

  Status CreateDirs(const std::string& dir) override;
  Result<std::vector<std::string>> ListDir(const std::string& dir) const override;
  bool Exists(const std::string& path) const override;
  bool IsDirectory(const std::string& path) const override;
  Status Remove(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status CreateFile(const std::string& path) override;
  Status Append(const std::string& path, std::span<const std::uint8_t> data) override;
  Status WriteAt(const std::string& path, std::uint64_t offset,
                 std::span<const std::uint8_t> data) override;
  Result<std::size_t> ReadAt(const std::string& path, std::uint64_t offset,
                             std::span<std::uint8_t> out) const override;
  Result<std::uint64_t> FileSize(const std::string& path) const override;
  Status Truncate(const std::string& path, std::uint64_t size) override;
  Status Sync(const std::string& path) override;
  // Drops unsynced bytes of every file. With torn_tail, a file that grew since its last Sync
  // keeps a random prefix (drawn from rng, possibly empty or complete) of the appended bytes.
  void LoseUnsyncedData(Rng& rng, bool torn_tail) override;

  // --- Faults ---
  // Total bytes the disk holds; a write that would exceed it fails with kNoSpace. nullopt (the
  // default) is unlimited.
  void SetCapacityBytes(std::optional<std::uint64_t> capacity) { capacity_ = capacity; }
  // How long an fsync takes; the host charges it in virtual time (the disk has no clock).
  void SetSyncLatency(Duration latency) { sync_latency_ = latency; }
  Duration sync_latency() const override { return sync_latency_; }
  std::uint64_t sync_count() const override { return sync_count_; }
  // The clock that stamps modification times (the simulation's virtual time). Without one
  // every time is kTimeZero.
  void SetClock(std::function<Time()> clock) { clock_ = std::move(clock); }
  std::optional<Time> ModifiedTime(const std::string& path) const override;
  // Flips every bit of one durable byte (offset below the durable size). kInvalidArgument if the
  // byte is not durable, kNotFound if the file is missing.
  Status CorruptByte(const std::string& path, std::uint64_t offset);
  std::uint64_t corruption_count() const override { return corruption_count_; }

  // --- Introspection (tests, the mirror, the GUI) ---
  std::uint64_t used_bytes() const { return used_bytes_; }
  // Bytes of path that a crash now would keep (0 for a missing file).
  std::uint64_t DurableSize(const std::string& path) const;
  bool HasUnsyncedData(const std::string& path) const;
  // Every file path, sorted.
  std::vector<std::string> AllFiles() const;
  // Every directory path (except the root), sorted.
  std::vector<std::string> AllDirectories() const;

 private:
  std::uint64_t corruption_count_ = 0;
  struct Undo {
    std::uint64_t offset;
    std::vector<std::uint8_t> bytes;  // durable contents at offset before a write/truncate
  };
  struct File {
    ChunkedBytes data;  // what reads see
    std::uint64_t durable_size = 0;
    bool dirty = false;      // written since the last Sync
    std::vector<Undo> undo;  // oldest first
    // The smallest size a truncation left since the file's durable state was last settled.
    std::optional<std::uint64_t> shrunk_to;
    Time modified{};  // last write, truncation or creation
  };
  Time Now() const { return clock_ ? clock_() : kTimeZero; }
  // Stamps the directory holding `path` (an entry was added, removed or renamed).
  void TouchParent(const std::string& path);
  std::function<Time()> clock_;
  std::map<std::string, Time> dir_modified_;  // "" is the root
  // Makes every pending shrink durable (a journal commit); see the durability model.
  void CommitShrinks();
  std::set<std::string> shrunk_files_;

  File* FindFile(const std::string& path);
  const File* FindFile(const std::string& path) const;
  // The file FindFile found last. Reads come in runs on one file (a segment's batch headers,
  // then its bytes), and a map walk compares paths with long shared prefixes. Forgotten
  // after Remove and Rename take files out of the map or rename them (the only ways a node
  // goes or changes its key), and by any copy, whose map has other nodes.
  struct LastFound {
    const std::string* path = nullptr;  // the map's key
    const File* file = nullptr;
    LastFound() = default;
    LastFound(const LastFound&) {}
    LastFound& operator=(const LastFound&) {
      path = nullptr;
      file = nullptr;
      return *this;
    }
  };
  mutable LastFound last_found_;
  Status CheckParent(const std::string& path) const;
  Status Reserve(const std::string& path, std::uint64_t old_size, std::uint64_t new_size);
  void SaveDurable(File& file, std::uint64_t begin, std::uint64_t end);

  std::set<std::string> dirs_;  // never holds the root ""
  std::map<std::string, File> files_;
  std::optional<std::uint64_t> capacity_;
  std::uint64_t used_bytes_ = 0;
  Duration sync_latency_{};
  std::uint64_t sync_count_ = 0;
};

// Shared path rules: '/'-separated, relative, no empty, "." or ".." components. "" is the root.
// Returns kInvalidArgument naming the path otherwise.
Status ValidateRelativePath(const std::string& path);

}  // namespace kafkasim
