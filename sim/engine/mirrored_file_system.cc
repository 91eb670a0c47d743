// MirroredFileSystem: SimFileSystem answers, PosixFileSystem follows.
#include "engine/mirrored_file_system.h"

#include <filesystem>
#include <system_error>

namespace kafkasim {
namespace {

std::string ClearDirectory(const std::string& root) {
  std::error_code ec;
  std::filesystem::remove_all(root, ec);
  return root;
}

}  // namespace

MirroredFileSystem::MirroredFileSystem(const std::string& real_root)
    : real_(ClearDirectory(real_root)) {}

Status MirroredFileSystem::Mirror(Status sim_result, Status real_result) {
  if (!real_result.ok() && mirror_status_.ok()) mirror_status_ = std::move(real_result);
  return sim_result;
}

void MirroredFileSystem::CopyFileToReal(const std::string& path) {
  Result<std::vector<std::uint8_t>> bytes = sim_.ReadFile(path);
  if (!bytes.ok()) return;
  Status s = real_.CreateFile(path);
  if (s.ok()) s = real_.Truncate(path, 0);
  if (s.ok()) s = real_.Append(path, *bytes);
  if (!s.ok() && mirror_status_.ok()) mirror_status_ = std::move(s);
}

Status MirroredFileSystem::CreateDirs(const std::string& dir) {
  Status s = sim_.CreateDirs(dir);
  if (!s.ok()) return s;
  return Mirror(std::move(s), real_.CreateDirs(dir));
}

Result<std::vector<std::string>> MirroredFileSystem::ListDir(const std::string& dir) const {
  return sim_.ListDir(dir);
}
bool MirroredFileSystem::Exists(const std::string& path) const { return sim_.Exists(path); }
bool MirroredFileSystem::IsDirectory(const std::string& path) const {
  return sim_.IsDirectory(path);
}

Status MirroredFileSystem::Remove(const std::string& path) {
  Status s = sim_.Remove(path);
  if (!s.ok()) return s;
  return Mirror(std::move(s), real_.Remove(path));
}

Status MirroredFileSystem::Rename(const std::string& from, const std::string& to) {
  Status s = sim_.Rename(from, to);
  if (!s.ok()) return s;
  return Mirror(std::move(s), real_.Rename(from, to));
}

Status MirroredFileSystem::CreateFile(const std::string& path) {
  Status s = sim_.CreateFile(path);
  if (!s.ok()) return s;
  return Mirror(std::move(s), real_.CreateFile(path));
}

Status MirroredFileSystem::Append(const std::string& path, std::span<const std::uint8_t> data) {
  Status s = sim_.Append(path, data);
  if (!s.ok()) return s;
  return Mirror(std::move(s), real_.Append(path, data));
}

Status MirroredFileSystem::WriteAt(const std::string& path, std::uint64_t offset,
                                   std::span<const std::uint8_t> data) {
  Status s = sim_.WriteAt(path, offset, data);
  if (!s.ok()) return s;
  return Mirror(std::move(s), real_.WriteAt(path, offset, data));
}

Result<std::size_t> MirroredFileSystem::ReadAt(const std::string& path, std::uint64_t offset,
                                               std::span<std::uint8_t> out) const {
  return sim_.ReadAt(path, offset, out);
}

Result<std::uint64_t> MirroredFileSystem::FileSize(const std::string& path) const {
  return sim_.FileSize(path);
}

Status MirroredFileSystem::Truncate(const std::string& path, std::uint64_t size) {
  Status s = sim_.Truncate(path, size);
  if (!s.ok()) return s;
  return Mirror(std::move(s), real_.Truncate(path, size));
}

Status MirroredFileSystem::Sync(const std::string& path) { return sim_.Sync(path); }

void MirroredFileSystem::LoseUnsyncedData(Rng& rng, bool torn_tail) {
  std::vector<std::string> changed;
  for (const std::string& path : sim_.AllFiles()) {
    if (sim_.HasUnsyncedData(path)) changed.push_back(path);
  }
  sim_.LoseUnsyncedData(rng, torn_tail);
  for (const std::string& path : changed) CopyFileToReal(path);
}

Status MirroredFileSystem::CorruptByte(const std::string& path, std::uint64_t offset) {
  Status s = sim_.CorruptByte(path, offset);
  if (!s.ok()) return s;
  if (sim_.HasUnsyncedData(path)) return s;  // the durable byte is not what the file shows now
  std::uint8_t byte = 0;
  Result<std::size_t> n = sim_.ReadAt(path, offset, std::span<std::uint8_t>(&byte, 1));
  if (n.ok() && *n == 1) {
    return Mirror(std::move(s),
                  real_.WriteAt(path, offset, std::span<const std::uint8_t>(&byte, 1)));
  }
  return s;
}

}  // namespace kafkasim
