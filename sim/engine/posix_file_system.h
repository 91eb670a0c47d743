// A real directory behind the FileSystem interface, so the log code writes segment files a
// learner can `ls` and `hexdump`. Paths are relative to the root and never escape it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/file_system.h"

namespace kafkasim {

// Keeps up to kOpenFilesMax file descriptors open (appends then cost one pwrite each). Every
// path must pass ValidateRelativePath: a '..' component or an absolute path is
// kInvalidArgument. LoseUnsyncedData keeps everything (the host OS did not crash).
class PosixFileSystem : public FileSystem {
 public:
  static constexpr std::size_t kOpenFilesMax = 256;

  // Creates root (and its parents) if missing. `root` may be absolute or relative to the cwd.
  explicit PosixFileSystem(std::string root);
  ~PosixFileSystem() override;
  PosixFileSystem(const PosixFileSystem&) = delete;
  PosixFileSystem& operator=(const PosixFileSystem&) = delete;

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

  const std::string& root() const { return root_; }
  // Closes every cached descriptor (tests use it to check nothing depends on the cache).
  void CloseAll();

 private:
  struct OpenFile {
    int fd = -1;
    std::uint64_t size = 0;  // kept up to date by our own writes
  };
  std::string Full(const std::string& path) const;
  // Opens (and caches) path for reading and writing; kNotFound if it does not exist.
  Result<OpenFile*> Open(const std::string& path) const;
  // Closes cached descriptors of path and of everything under it.
  void Forget(const std::string& path);

  std::string root_;
  mutable std::map<std::string, OpenFile> open_;
};

}  // namespace kafkasim
