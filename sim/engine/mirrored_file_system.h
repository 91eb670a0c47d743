// A simulated disk that also writes its state through to a real directory, so a run stays
// deterministic (the SimFileSystem is the truth) while a learner can hexdump real segments.
#pragma once

#include <string>

#include "engine/posix_file_system.h"
#include "engine/sim_file_system.h"

namespace kafkasim {

// Every call is answered by the SimFileSystem; each change that succeeds there is repeated on
// the real directory. Reads never touch the real directory, and Sync does not fsync it (the
// copy is for looking at, not for durability). After LoseUnsyncedData the files that changed
// are rewritten from the simulated disk, so the directory shows what survived the crash.
// A failure of the real directory (say the host disk is full) never changes the run: it is
// remembered in mirror_status() for the host to report.
class MirroredFileSystem : public FileSystem {
 public:
  // real_root is, for `kafkasim run --data-dir DIR`, DIR/<node-name>. Whatever it held is
  // removed first, so the directory never mixes two runs.
  explicit MirroredFileSystem(const std::string& real_root);

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
  void LoseUnsyncedData(Rng& rng, bool torn_tail) override;

  // Faults, forwarded to the simulated disk (a corrupted byte is written through too).
  void SetCapacityBytes(std::optional<std::uint64_t> capacity) { sim_.SetCapacityBytes(capacity); }
  void SetSyncLatency(Duration latency) { sim_.SetSyncLatency(latency); }
  Duration sync_latency() const override { return sim_.sync_latency(); }
  std::uint64_t sync_count() const override { return sim_.sync_count(); }
  std::uint64_t corruption_count() const override { return sim_.corruption_count(); }
  void SetClock(std::function<Time()> clock) { sim_.SetClock(std::move(clock)); }
  std::optional<Time> ModifiedTime(const std::string& path) const override {
    return sim_.ModifiedTime(path);
  }
  Status CorruptByte(const std::string& path, std::uint64_t offset);

  const SimFileSystem& sim() const { return sim_; }
  const std::string& real_root() const { return real_.root(); }
  // The first error the real directory reported, or Ok.
  const Status& mirror_status() const { return mirror_status_; }

 private:
  Status Mirror(Status sim_result, Status real_result);
  void CopyFileToReal(const std::string& path);

  SimFileSystem sim_;
  PosixFileSystem real_;
  Status mirror_status_;
};

}  // namespace kafkasim
