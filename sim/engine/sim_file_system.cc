// SimFileSystem: in-memory files with a durable prefix and an undo list for overwrites.
#include "engine/sim_file_system.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "engine/prng.h"

namespace kafkasim {
namespace {

std::string Parent(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

bool IsUnder(const std::string& path, const std::string& dir) {
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
         path[dir.size()] == '/';
}

Status NotFound(const std::string& path) {
  return {Errc::kNotFound, "no such file or directory: " + path};
}

}  // namespace

Status ValidateRelativePath(const std::string& path) {
  if (path.empty()) return Status::Ok();
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = path.find('/', start);
    const std::string part =
        path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part.empty() || part == "." || part == "..") {
      return {Errc::kInvalidArgument,
              "invalid path '" + path + "': components must be non-empty and not '.' or '..'"};
    }
    if (slash == std::string::npos) return Status::Ok();
    start = slash + 1;
  }
}

SimFileSystem::File* SimFileSystem::FindFile(const std::string& path) {
  // The same look-up as the const one; this object is not const here.
  return const_cast<File*>(std::as_const(*this).FindFile(path));
}

const SimFileSystem::File* SimFileSystem::FindFile(const std::string& path) const {
  if (last_found_.path != nullptr && *last_found_.path == path) return last_found_.file;
  auto it = files_.find(path);
  if (it == files_.end()) return nullptr;
  last_found_.path = &it->first;
  last_found_.file = &it->second;
  return &it->second;
}

Status SimFileSystem::CheckParent(const std::string& path) const {
  if (Status s = ValidateRelativePath(path); !s.ok()) return s;
  if (path.empty()) return {Errc::kInvalidArgument, "the root is not a file"};
  const std::string parent = Parent(path);
  if (!parent.empty() && dirs_.count(parent) == 0) return NotFound(parent);
  return Status::Ok();
}

Status SimFileSystem::Reserve(const std::string& path, std::uint64_t old_size,
                              std::uint64_t new_size) {
  if (new_size <= old_size) {
    used_bytes_ -= old_size - new_size;
    return Status::Ok();
  }
  const std::uint64_t grow = new_size - old_size;
  if (capacity_ && used_bytes_ + grow > *capacity_) {
    return {Errc::kNoSpace, "No space left on device: writing " + std::to_string(grow) +
                                " bytes to " + path + " (" + std::to_string(used_bytes_) + " of " +
                                std::to_string(*capacity_) + " bytes used)"};
  }
  used_bytes_ += grow;
  return Status::Ok();
}

void SimFileSystem::SaveDurable(File& file, std::uint64_t begin, std::uint64_t end) {
  end = std::min({end, file.durable_size, static_cast<std::uint64_t>(file.data.size())});
  if (begin >= end) return;
  file.undo.push_back(
      {begin, file.data.Copy(static_cast<std::size_t>(begin), static_cast<std::size_t>(end))});
}

Status SimFileSystem::CreateDirs(const std::string& dir) {
  if (Status s = ValidateRelativePath(dir); !s.ok()) return s;
  std::size_t pos = 0;
  while (pos != std::string::npos && !dir.empty()) {
    pos = dir.find('/', pos + 1);
    const std::string prefix = dir.substr(0, pos);
    if (files_.count(prefix) != 0) {
      return {Errc::kIoError, "not a directory: " + prefix};
    }
    if (dirs_.insert(prefix).second) {
      dir_modified_[prefix] = Now();
      TouchParent(prefix);
    }
  }
  return Status::Ok();
}

Result<std::vector<std::string>> SimFileSystem::ListDir(const std::string& dir) const {
  if (Status s = ValidateRelativePath(dir); !s.ok()) return s;
  if (!dir.empty() && dirs_.count(dir) == 0) return NotFound(dir);
  const std::string prefix = dir.empty() ? std::string() : dir + "/";
  std::vector<std::string> names;
  auto collect = [&](const std::string& path) {
    if (path.compare(0, prefix.size(), prefix) != 0) return false;
    const std::string rest = path.substr(prefix.size());
    if (!rest.empty() && rest.find('/') == std::string::npos) names.push_back(rest);
    return true;
  };
  for (auto it = dirs_.lower_bound(prefix); it != dirs_.end() && collect(*it); ++it) {
  }
  for (auto it = files_.lower_bound(prefix); it != files_.end() && collect(it->first); ++it) {
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool SimFileSystem::Exists(const std::string& path) const {
  return path.empty() || dirs_.count(path) != 0 || files_.count(path) != 0;
}

bool SimFileSystem::IsDirectory(const std::string& path) const {
  return path.empty() || dirs_.count(path) != 0;
}

Status SimFileSystem::Remove(const std::string& path) {
  if (Status s = ValidateRelativePath(path); !s.ok()) return s;
  if (path.empty()) return {Errc::kInvalidArgument, "cannot remove the root"};
  if (File* file = FindFile(path)) {
    used_bytes_ -= file->data.size();
    files_.erase(path);
    last_found_ = {};
    TouchParent(path);
    return Status::Ok();
  }
  if (dirs_.count(path) == 0) return NotFound(path);
  for (auto it = files_.lower_bound(path + "/"); it != files_.end() && IsUnder(it->first, path);) {
    used_bytes_ -= it->second.data.size();
    it = files_.erase(it);
  }
  last_found_ = {};
  for (auto it = dirs_.lower_bound(path + "/"); it != dirs_.end() && IsUnder(*it, path);) {
    dir_modified_.erase(*it);
    it = dirs_.erase(it);
  }
  dirs_.erase(path);
  dir_modified_.erase(path);
  TouchParent(path);
  return Status::Ok();
}

Status SimFileSystem::Rename(const std::string& from, const std::string& to) {
  if (Status s = CheckParent(to); !s.ok()) return s;
  if (Status s = ValidateRelativePath(from); !s.ok()) return s;
  if (from == to) return Exists(from) ? Status::Ok() : NotFound(from);
  if (auto it = files_.find(from); it != files_.end()) {
    if (dirs_.count(to) != 0) return {Errc::kIoError, "is a directory: " + to};
    if (File* old = FindFile(to)) used_bytes_ -= old->data.size();
    File moved = std::move(it->second);
    files_.erase(it);
    files_[to] = std::move(moved);
    last_found_ = {};
    if (shrunk_files_.erase(from) > 0) shrunk_files_.insert(to);
    TouchParent(from);
    TouchParent(to);
    return Status::Ok();
  }
  if (dirs_.count(from) == 0) return NotFound(from);
  if (Exists(to)) return {Errc::kIoError, "rename target exists: " + to};
  if (IsUnder(to, from)) return {Errc::kInvalidArgument, "cannot move " + from + " into itself"};
  std::vector<std::string> moved_dirs;
  for (auto it = dirs_.lower_bound(from + "/"); it != dirs_.end() && IsUnder(*it, from); ++it) {
    moved_dirs.push_back(*it);
  }
  std::vector<std::string> moved_files;
  for (auto it = files_.lower_bound(from + "/"); it != files_.end() && IsUnder(it->first, from);
       ++it) {
    moved_files.push_back(it->first);
  }
  dirs_.erase(from);
  dirs_.insert(to);
  dir_modified_[to] = dir_modified_[from];
  dir_modified_.erase(from);
  for (const auto& d : moved_dirs) {
    dirs_.erase(d);
    dirs_.insert(to + d.substr(from.size()));
    dir_modified_[to + d.substr(from.size())] = dir_modified_[d];
    dir_modified_.erase(d);
  }
  for (const auto& f : moved_files) {
    auto node = files_.extract(f);
    node.key() = to + f.substr(from.size());
    files_.insert(std::move(node));
  }
  last_found_ = {};
  TouchParent(from);
  TouchParent(to);
  return Status::Ok();
}

Status SimFileSystem::CreateFile(const std::string& path) {
  if (Status s = CheckParent(path); !s.ok()) return s;
  if (dirs_.count(path) != 0) return {Errc::kIoError, "is a directory: " + path};
  if (files_.try_emplace(path).second) {
    files_[path].modified = Now();
    TouchParent(path);
  }
  return Status::Ok();
}

Status SimFileSystem::Append(const std::string& path, std::span<const std::uint8_t> data) {
  File* file = FindFile(path);
  if (file == nullptr) return NotFound(path);
  return WriteAt(path, file->data.size(), data);
}

Status SimFileSystem::WriteAt(const std::string& path, std::uint64_t offset,
                              std::span<const std::uint8_t> data) {
  File* file = FindFile(path);
  if (file == nullptr) return NotFound(path);
  const std::uint64_t old_size = file->data.size();
  if (offset > old_size) {
    return {Errc::kInvalidArgument, "write at " + std::to_string(offset) + " past the end (" +
                                        std::to_string(old_size) + " bytes) of " + path};
  }
  const std::uint64_t end = offset + data.size();
  if (Status s = Reserve(path, old_size, std::max(old_size, end)); !s.ok()) return s;
  SaveDurable(*file, offset, end);
  // The part over existing bytes is overwritten, the rest appended (no zero fill).
  const std::size_t over = static_cast<std::size_t>(std::min(end, old_size) - offset);
  file->data.Write(static_cast<std::size_t>(offset), data.first(over));
  file->data.Append(data.subspan(over));
  file->dirty = true;
  file->modified = Now();
  return Status::Ok();
}

Result<std::size_t> SimFileSystem::ReadAt(const std::string& path, std::uint64_t offset,
                                          std::span<std::uint8_t> out) const {
  const File* file = FindFile(path);
  if (file == nullptr) return NotFound(path);
  if (offset >= file->data.size()) return std::size_t{0};
  const std::size_t n = std::min(out.size(), static_cast<std::size_t>(file->data.size() - offset));
  file->data.Read(static_cast<std::size_t>(offset), out.first(n));
  return n;
}

Result<std::uint64_t> SimFileSystem::FileSize(const std::string& path) const {
  const File* file = FindFile(path);
  if (file == nullptr) return NotFound(path);
  return static_cast<std::uint64_t>(file->data.size());
}

Status SimFileSystem::Truncate(const std::string& path, std::uint64_t size) {
  File* file = FindFile(path);
  if (file == nullptr) return NotFound(path);
  const std::uint64_t old_size = file->data.size();
  if (Status s = Reserve(path, old_size, size); !s.ok()) return s;
  SaveDurable(*file, size, old_size);
  file->data.Resize(static_cast<std::size_t>(size));  // growing fills zeros, as ftruncate
  file->dirty = true;
  file->modified = Now();
  if (size < file->durable_size) {
    file->shrunk_to = std::min(file->shrunk_to.value_or(size), size);
    shrunk_files_.insert(path);
  }
  return Status::Ok();
}

std::optional<Time> SimFileSystem::ModifiedTime(const std::string& path) const {
  if (const File* file = FindFile(path)) return file->modified;
  if (!IsDirectory(path)) return std::nullopt;
  const auto it = dir_modified_.find(path);
  return it == dir_modified_.end() ? kTimeZero : it->second;
}

void SimFileSystem::TouchParent(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  dir_modified_[slash == std::string::npos ? std::string() : path.substr(0, slash)] = Now();
}

Status SimFileSystem::Sync(const std::string& path) {
  File* file = FindFile(path);
  if (file == nullptr) return NotFound(path);
  file->durable_size = file->data.size();
  file->undo.clear();
  file->dirty = false;
  file->shrunk_to.reset();
  shrunk_files_.erase(path);
  ++sync_count_;
  CommitShrinks();
  return Status::Ok();
}

void SimFileSystem::CommitShrinks() {
  for (const std::string& path : shrunk_files_) {
    File* file = FindFile(path);
    if (file == nullptr || !file->shrunk_to) continue;
    const std::uint64_t cut = *file->shrunk_to;
    file->shrunk_to.reset();
    file->durable_size = std::min(file->durable_size, cut);
    // What the truncation removed is not restored any more; older overwrites below it are.
    std::erase_if(file->undo, [cut](const Undo& u) { return u.offset >= cut; });
    for (Undo& u : file->undo) {
      if (u.offset + u.bytes.size() > cut) u.bytes.resize(static_cast<std::size_t>(cut - u.offset));
    }
  }
  shrunk_files_.clear();
}

void SimFileSystem::LoseUnsyncedData(Rng& rng, bool torn_tail) {
  for (auto& [path, file] : files_) {
    if (!file.dirty) continue;
    const std::uint64_t old_size = file.data.size();
    for (auto it = file.undo.rbegin(); it != file.undo.rend(); ++it) {
      const std::uint64_t end = it->offset + it->bytes.size();
      if (file.data.size() < end) file.data.Resize(static_cast<std::size_t>(end));
      file.data.Write(static_cast<std::size_t>(it->offset), it->bytes);
    }
    file.undo.clear();
    file.shrunk_to.reset();
    std::uint64_t keep = file.durable_size;
    if (torn_tail && file.data.size() > file.durable_size) {
      keep += rng.Uniform(file.data.size() - file.durable_size + 1);
    }
    KSIM_ASSERT_LE(file.durable_size, static_cast<std::uint64_t>(file.data.size()));
    file.data.Resize(static_cast<std::size_t>(keep));
    // A torn tail that survives is, from now on, what the disk holds.
    file.durable_size = keep;
    file.dirty = false;
    used_bytes_ = used_bytes_ - old_size + keep;
  }
  shrunk_files_.clear();
}

Status SimFileSystem::CorruptByte(const std::string& path, std::uint64_t offset) {
  File* file = FindFile(path);
  if (file == nullptr) return NotFound(path);
  if (offset >= file->durable_size) {
    return {Errc::kInvalidArgument, "byte " + std::to_string(offset) + " of " + path +
                                        " is not durable (durable size " +
                                        std::to_string(file->durable_size) + ")"};
  }
  // The durable value lives in the undo list when the byte was overwritten since the last Sync.
  bool in_undo = false;
  for (Undo& undo : file->undo) {
    if (offset >= undo.offset && offset < undo.offset + undo.bytes.size()) {
      undo.bytes[static_cast<std::size_t>(offset - undo.offset)] ^= 0xff;
      in_undo = true;
    }
  }
  if (!in_undo) file->data[static_cast<std::size_t>(offset)] ^= 0xff;
  ++corruption_count_;
  return Status::Ok();
}

std::uint64_t SimFileSystem::DurableSize(const std::string& path) const {
  const File* file = FindFile(path);
  return file == nullptr ? 0 : file->durable_size;
}

bool SimFileSystem::HasUnsyncedData(const std::string& path) const {
  const File* file = FindFile(path);
  return file != nullptr && file->dirty;
}

std::vector<std::string> SimFileSystem::AllFiles() const {
  std::vector<std::string> paths;
  for (const auto& entry : files_) paths.push_back(entry.first);
  return paths;
}

std::vector<std::string> SimFileSystem::AllDirectories() const {
  return {dirs_.begin(), dirs_.end()};
}

}  // namespace kafkasim
