// The disk at the edge of the world (leveldb's Env): storage code talks only to FileSystem,
// so the same log code writes a simulated disk with crash faults or a real directory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/status.h"
#include "engine/time.h"

namespace kafkasim {

class Rng;

// Paths are '/'-separated and relative to the file system's root ("broker-1/cities-0/...").
// Every call is synchronous and byte-exact; the simulated time an operation costs is the
// host's to charge. Errors: kNotFound (missing path), kNoSpace (disk full), kIoError.
class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Creates the directory and its missing parents; ok if it exists.
  virtual Status CreateDirs(const std::string& dir) = 0;
  // Names (not paths) of the entries of dir, sorted bytewise.
  virtual Result<std::vector<std::string>> ListDir(const std::string& dir) const = 0;
  virtual bool Exists(const std::string& path) const = 0;
  virtual bool IsDirectory(const std::string& path) const = 0;
  // Removes a file, or a directory and everything under it.
  virtual Status Remove(const std::string& path) = 0;
  // Atomic rename of a file or directory; replaces an existing file at `to`.
  virtual Status Rename(const std::string& from, const std::string& to) = 0;

  // Creates an empty file if missing; leaves an existing one as it is.
  virtual Status CreateFile(const std::string& path) = 0;
  virtual Status Append(const std::string& path, std::span<const std::uint8_t> data) = 0;
  // Writes at an offset within or at the end of the file (index files rewrite in place).
  virtual Status WriteAt(const std::string& path, std::uint64_t offset,
                         std::span<const std::uint8_t> data) = 0;
  // Reads up to out.size() bytes at offset; returns how many were read (short at end of file).
  virtual Result<std::size_t> ReadAt(const std::string& path, std::uint64_t offset,
                                     std::span<std::uint8_t> out) const = 0;
  virtual Result<std::uint64_t> FileSize(const std::string& path) const = 0;
  virtual Status Truncate(const std::string& path, std::uint64_t size) = 0;
  // Makes everything written to path so far durable (fsync).
  virtual Status Sync(const std::string& path) = 0;

  // Power loss at a node crash. The simulated disk drops bytes written since the last Sync
  // (with torn_tail it keeps a random prefix of them); a real directory keeps everything.
  virtual void LoseUnsyncedData(Rng& rng, bool torn_tail) {
    (void)rng;
    (void)torn_tail;
  }

  // How long one fsync takes on this disk (a slow disk fault; 0 on a healthy or real one), and
  // how many Syncs it has done. The disk has no clock: the engine charges the time, delaying
  // what a node sends after the fsyncs of the handler it is in.
  virtual Duration sync_latency() const { return {}; }
  virtual std::uint64_t sync_count() const { return 0; }
  // How many bytes a fault has corrupted on this disk so far (the disk.corrupt fault; always 0
  // on a real one). Readers that remember where things are in a file (LogSegment's found
  // batches) forget it when this changes: a corrupted header must be read as Kafka would.
  virtual std::uint64_t corruption_count() const { return 0; }
  // When path (a file or directory) last changed, in the disk's clock (virtual time for a
  // simulated disk with a clock set); nullopt when the disk keeps no times or path is missing.
  // For the disk shell's `ls -l` and `stat`; storage code never reads it.
  virtual std::optional<Time> ModifiedTime(const std::string& path) const {
    (void)path;
    return std::nullopt;
  }

  // Convenience built on the primitives above.
  Result<std::vector<std::uint8_t>> ReadFile(const std::string& path) const;
  // Writes path.tmp, syncs it and renames it over path, as Kafka's checkpoint files do.
  Status WriteFileAtomically(const std::string& path, std::span<const std::uint8_t> data);
  Status WriteFileAtomically(const std::string& path, const std::string& text);
};

}  // namespace kafkasim
