// Helpers shared by every FileSystem implementation.
#include "engine/file_system.h"

namespace kafkasim {

Result<std::vector<std::uint8_t>> FileSystem::ReadFile(const std::string& path) const {
  Result<std::uint64_t> size = FileSize(path);
  if (!size.ok()) return size.status();
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(*size));
  Result<std::size_t> n = ReadAt(path, 0, bytes);
  if (!n.ok()) return n.status();
  bytes.resize(*n);
  return bytes;
}

Status FileSystem::WriteFileAtomically(const std::string& path,
                                       std::span<const std::uint8_t> data) {
  const std::string tmp = path + ".tmp";
  if (Exists(tmp)) {
    if (Status s = Remove(tmp); !s.ok()) return s;
  }
  if (Status s = CreateFile(tmp); !s.ok()) return s;
  if (Status s = Append(tmp, data); !s.ok()) return s;
  if (Status s = Sync(tmp); !s.ok()) return s;
  return Rename(tmp, path);
}

Status FileSystem::WriteFileAtomically(const std::string& path, const std::string& text) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(text.data());
  return WriteFileAtomically(path, std::span<const std::uint8_t>(p, text.size()));
}

}  // namespace kafkasim
