// PosixFileSystem: open/pwrite/pread/ftruncate/fsync on a real directory, descriptors cached.
#include "engine/posix_file_system.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "engine/sim_file_system.h"

namespace kafkasim {
namespace {

namespace fs = std::filesystem;

Status Errno(const std::string& what, const std::string& path, int err) {
  const std::string message = what + " " + path + ": " + std::strerror(err);
  if (err == ENOENT) return {Errc::kNotFound, message};
  if (err == ENOSPC) return {Errc::kNoSpace, message};
  return {Errc::kIoError, message};
}

Status FromErrorCode(const std::string& what, const std::string& path, std::error_code ec) {
  return Errno(what, path, ec.value());
}

bool IsUnderOrSame(const std::string& path, const std::string& dir) {
  if (dir.empty()) return true;
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                         path[dir.size()] == '/');
}

}  // namespace

PosixFileSystem::PosixFileSystem(std::string root) : root_(std::move(root)) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
  std::error_code ec;
  fs::create_directories(root_, ec);
}

PosixFileSystem::~PosixFileSystem() { CloseAll(); }

void PosixFileSystem::CloseAll() {
  for (auto& entry : open_) ::close(entry.second.fd);
  open_.clear();
}

std::string PosixFileSystem::Full(const std::string& path) const {
  return path.empty() ? root_ : root_ + "/" + path;
}

Result<PosixFileSystem::OpenFile*> PosixFileSystem::Open(const std::string& path) const {
  if (Status s = ValidateRelativePath(path); !s.ok()) return s;
  if (auto it = open_.find(path); it != open_.end()) return &it->second;
  if (open_.size() >= kOpenFilesMax) {
    ::close(open_.begin()->second.fd);
    open_.erase(open_.begin());
  }
  const std::string full = Full(path);
  const int fd = ::open(full.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open", full, errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status(Errc::kIoError, "not a regular file: " + full);
  }
  OpenFile& file = open_[path];
  file.fd = fd;
  file.size = static_cast<std::uint64_t>(st.st_size);
  return &file;
}

void PosixFileSystem::Forget(const std::string& path) {
  for (auto it = open_.begin(); it != open_.end();) {
    if (IsUnderOrSame(it->first, path)) {
      ::close(it->second.fd);
      it = open_.erase(it);
    } else {
      ++it;
    }
  }
}

Status PosixFileSystem::CreateDirs(const std::string& dir) {
  if (Status s = ValidateRelativePath(dir); !s.ok()) return s;
  std::error_code ec;
  fs::create_directories(Full(dir), ec);
  if (ec) return FromErrorCode("cannot create directory", Full(dir), ec);
  return Status::Ok();
}

Result<std::vector<std::string>> PosixFileSystem::ListDir(const std::string& dir) const {
  if (Status s = ValidateRelativePath(dir); !s.ok()) return s;
  std::error_code ec;
  std::vector<std::string> names;
  for (fs::directory_iterator it(Full(dir), ec), end; !ec && it != end; it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  if (ec) return FromErrorCode("cannot list", Full(dir), ec);
  std::sort(names.begin(), names.end());
  return names;
}

bool PosixFileSystem::Exists(const std::string& path) const {
  if (!ValidateRelativePath(path).ok()) return false;
  struct stat st {};
  return ::stat(Full(path).c_str(), &st) == 0;
}

bool PosixFileSystem::IsDirectory(const std::string& path) const {
  if (!ValidateRelativePath(path).ok()) return false;
  struct stat st {};
  return ::stat(Full(path).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Status PosixFileSystem::Remove(const std::string& path) {
  if (Status s = ValidateRelativePath(path); !s.ok()) return s;
  if (path.empty()) return {Errc::kInvalidArgument, "cannot remove the root"};
  Forget(path);
  if (!Exists(path)) return {Errc::kNotFound, "no such file or directory: " + path};
  std::error_code ec;
  fs::remove_all(Full(path), ec);
  if (ec) return FromErrorCode("cannot remove", Full(path), ec);
  return Status::Ok();
}

Status PosixFileSystem::Rename(const std::string& from, const std::string& to) {
  if (Status s = ValidateRelativePath(from); !s.ok()) return s;
  if (Status s = ValidateRelativePath(to); !s.ok()) return s;
  Forget(from);
  Forget(to);
  if (::rename(Full(from).c_str(), Full(to).c_str()) != 0) {
    return Errno("cannot rename " + Full(from) + " to", Full(to), errno);
  }
  return Status::Ok();
}

Status PosixFileSystem::CreateFile(const std::string& path) {
  if (Status s = ValidateRelativePath(path); !s.ok()) return s;
  if (path.empty()) return {Errc::kInvalidArgument, "the root is not a file"};
  if (open_.count(path) != 0) return Status::Ok();
  const std::string full = Full(path);
  const int fd = ::open(full.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("cannot create", full, errno);
  ::close(fd);
  return Status::Ok();
}

Status PosixFileSystem::Append(const std::string& path, std::span<const std::uint8_t> data) {
  Result<OpenFile*> file = Open(path);
  if (!file.ok()) return file.status();
  return WriteAt(path, (*file)->size, data);
}

Status PosixFileSystem::WriteAt(const std::string& path, std::uint64_t offset,
                                std::span<const std::uint8_t> data) {
  Result<OpenFile*> opened = Open(path);
  if (!opened.ok()) return opened.status();
  OpenFile& file = **opened;
  if (offset > file.size) {
    return {Errc::kInvalidArgument, "write at " + std::to_string(offset) + " past the end (" +
                                        std::to_string(file.size) + " bytes) of " + path};
  }
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::pwrite(file.fd, data.data() + done, data.size() - done,
                               static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      // A short write may have extended the file: learn its real size again.
      Forget(path);
      return Errno("cannot write", Full(path), err);
    }
    done += static_cast<std::size_t>(n);
  }
  file.size = std::max(file.size, offset + data.size());
  return Status::Ok();
}

Result<std::size_t> PosixFileSystem::ReadAt(const std::string& path, std::uint64_t offset,
                                            std::span<std::uint8_t> out) const {
  Result<OpenFile*> opened = Open(path);
  if (!opened.ok()) return opened.status();
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::pread((*opened)->fd, out.data() + done, out.size() - done,
                              static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot read", Full(path), errno);
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  return done;
}

Result<std::uint64_t> PosixFileSystem::FileSize(const std::string& path) const {
  Result<OpenFile*> opened = Open(path);
  if (!opened.ok()) return opened.status();
  return (*opened)->size;
}

Status PosixFileSystem::Truncate(const std::string& path, std::uint64_t size) {
  Result<OpenFile*> opened = Open(path);
  if (!opened.ok()) return opened.status();
  if (::ftruncate((*opened)->fd, static_cast<off_t>(size)) != 0) {
    return Errno("cannot truncate", Full(path), errno);
  }
  (*opened)->size = size;
  return Status::Ok();
}

Status PosixFileSystem::Sync(const std::string& path) {
  Result<OpenFile*> opened = Open(path);
  if (!opened.ok()) return opened.status();
  if (::fsync((*opened)->fd) != 0) return Errno("cannot fsync", Full(path), errno);
  return Status::Ok();
}

}  // namespace kafkasim
