#include "scenario/disk_shell.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>

#include "kafka/metadata_records.h"
#include "kafka/offsets_decoder.h"
#include "raft/raft_types.h"
#include "scenario/tool_command.h"
#include "storage/log_dump.h"

namespace kafkasim::scenario {
namespace {

// One block is what ls -s, du and stat count in: a 4 KiB file system block, reported in 1 KiB
// units by ls and du and in 512-byte units by stat (GNU's defaults).
constexpr std::uint64_t kBlockBytes = 4096;

std::uint64_t AllocatedBytes(std::uint64_t size) {
  return (size + kBlockBytes - 1) / kBlockBytes * kBlockBytes;
}

enum class Kind : std::uint8_t { kMissing, kDirectory, kFile };

struct Entry {
  Kind kind = Kind::kMissing;
  std::uint64_t size = 0;  // a directory's is one block, as ext4 shows it
  Time modified{};
};

// The tree of one command: resolves absolute paths to the generated files, the disk, or the
// directories above them.
class View {
 public:
  explicit View(const ShellTree& tree) : tree_(tree) {}

  // The disk path under the mount ("" for the mount itself), or nullopt outside it.
  std::optional<std::string> OnDisk(const std::string& abs) const {
    if (tree_.disk == nullptr || tree_.mount.empty()) return std::nullopt;
    if (abs == tree_.mount) return std::string();
    if (abs.size() > tree_.mount.size() && abs.compare(0, tree_.mount.size(), tree_.mount) == 0 &&
        abs[tree_.mount.size()] == '/') {
      return abs.substr(tree_.mount.size() + 1);
    }
    return std::nullopt;
  }

  const ShellFile* Generated(const std::string& abs) const {
    for (const ShellFile& f : tree_.files) {
      if (f.path == abs) return &f;
    }
    return nullptr;
  }

  // Paths of things that exist by construction (the mount and the generated files).
  std::vector<std::string> Anchors() const {
    std::vector<std::string> anchors;
    if (tree_.disk != nullptr && !tree_.mount.empty()) anchors.push_back(tree_.mount);
    for (const ShellFile& f : tree_.files) anchors.push_back(f.path);
    return anchors;
  }

  Entry Stat(const std::string& abs) const {
    if (auto rel = OnDisk(abs)) {
      const FileSystem& disk = *tree_.disk;
      if (disk.IsDirectory(*rel)) {
        return {Kind::kDirectory, kBlockBytes, disk.ModifiedTime(*rel).value_or(Time{})};
      }
      if (!disk.Exists(*rel)) return {};
      const Result<std::uint64_t> size = disk.FileSize(*rel);
      if (!size.ok()) return {};
      return {Kind::kFile, *size, disk.ModifiedTime(*rel).value_or(Time{})};
    }
    if (const ShellFile* f = Generated(abs)) return {Kind::kFile, f->contents.size(), Time{}};
    for (const std::string& anchor : Anchors()) {
      if (abs == "/" || (anchor.size() > abs.size() && anchor.compare(0, abs.size(), abs) == 0 &&
                         anchor[abs.size()] == '/')) {
        return {Kind::kDirectory, kBlockBytes, Time{}};
      }
    }
    return {};
  }

  // Names in a directory, sorted bytewise (ls in the C locale).
  std::vector<std::string> List(const std::string& abs) const {
    std::set<std::string> names;
    if (auto rel = OnDisk(abs)) {
      Result<std::vector<std::string>> listed = tree_.disk->ListDir(*rel);
      if (listed.ok()) names.insert(listed->begin(), listed->end());
    }
    const std::string prefix = abs == "/" ? "/" : abs + "/";
    for (const std::string& anchor : Anchors()) {
      if (anchor.size() > prefix.size() && anchor.compare(0, prefix.size(), prefix) == 0) {
        const std::string rest = anchor.substr(prefix.size());
        names.insert(rest.substr(0, rest.find('/')));
      }
    }
    return {names.begin(), names.end()};
  }

  // Up to `limit` bytes from `offset` of a file.
  std::vector<std::uint8_t> Read(const std::string& abs, std::uint64_t offset,
                                 std::uint64_t limit) const {
    std::vector<std::uint8_t> out;
    if (auto rel = OnDisk(abs)) {
      const Result<std::uint64_t> size = tree_.disk->FileSize(*rel);
      if (!size.ok() || offset >= *size) return out;
      out.resize(static_cast<std::size_t>(std::min(limit, *size - offset)));
      const Result<std::size_t> n = tree_.disk->ReadAt(*rel, offset, out);
      out.resize(n.ok() ? *n : 0);
      return out;
    }
    if (const ShellFile* f = Generated(abs)) {
      if (offset >= f->contents.size()) return out;
      const std::size_t begin = static_cast<std::size_t>(offset);
      const std::size_t n =
          static_cast<std::size_t>(std::min<std::uint64_t>(limit, f->contents.size() - begin));
      out.assign(f->contents.begin() + static_cast<std::ptrdiff_t>(begin),
                 f->contents.begin() + static_cast<std::ptrdiff_t>(begin + n));
    }
    return out;
  }

 private:
  const ShellTree& tree_;
};

// An absolute, normalised path: "." and empty components dropped, ".." goes up (not above /).
std::string Resolve(const std::string& cwd, const std::string& arg) {
  std::vector<std::string> parts;
  auto walk = [&parts](const std::string& path) {
    std::size_t start = 0;
    while (start <= path.size()) {
      const std::size_t slash = std::min(path.find('/', start), path.size());
      const std::string part = path.substr(start, slash - start);
      if (part == "..") {
        if (!parts.empty()) parts.pop_back();
      } else if (!part.empty() && part != ".") {
        parts.push_back(part);
      }
      start = slash + 1;
    }
  };
  if (arg.empty() || arg.front() != '/') walk(cwd);
  walk(arg);
  std::string out;
  for (const std::string& p : parts) out += "/" + p;
  return out.empty() ? "/" : out;
}

std::string BaseName(const std::string& abs) {
  return abs == "/" ? "/" : abs.substr(abs.rfind('/') + 1);
}

// Options as getopt reads them: "-la" is -l -a; "--" ends options; a lone "-" is an operand.
struct Args {
  std::set<char> flags;
  std::vector<std::string> operands;
  std::optional<std::string> error;  // the text to print
};

Args ParseArgs(std::string_view tool, const std::vector<std::string>& argv,
               std::string_view allowed) {
  Args a;
  bool options_done = false;
  for (std::size_t i = 1; i < argv.size(); ++i) {
    const std::string& w = argv[i];
    if (options_done || w.size() < 2 || w.front() != '-') {
      a.operands.push_back(w);
      continue;
    }
    if (w == "--") {
      options_done = true;
      continue;
    }
    if (w.rfind("--", 0) == 0) {
      a.error = fmt::format("{}: unrecognized option '{}'\nTry '{} --help' for more information.",
                            tool, w, tool);
      return a;
    }
    for (std::size_t k = 1; k < w.size(); ++k) {
      if (allowed.find(w[k]) == std::string_view::npos) {
        a.error = fmt::format("{}: invalid option -- '{}'\nTry '{} --help' for more information.",
                              tool, w[k], tool);
        return a;
      }
      a.flags.insert(w[k]);
    }
  }
  return a;
}

// Collects output up to kMaxShellOutputBytes; past that, one line says what was left out.
class Out {
 public:
  void Add(std::string_view text) {
    if (full_) return;
    if (text_.size() + text.size() > kMaxShellOutputBytes) {
      text_.append(text.substr(0, kMaxShellOutputBytes - text_.size()));
      full_ = true;
      return;
    }
    text_.append(text);
  }
  void Line(std::string_view text) {
    Add(text);
    Add("\n");
  }
  bool full() const { return full_; }
  void Error(std::string_view text) {
    errors_.append(text);
    errors_.push_back('\n');
  }
  CommandOutput Finish(std::string_view tool) {
    std::string text = std::move(text_);
    if (full_) {
      if (!text.empty() && text.back() != '\n') text.push_back('\n');
      text += fmt::format(
          "[{}: output cut at {} KiB; the console shows no more of one command (hexdump -s "
          "OFFSET -n LENGTH and kafka-dump-log.sh show any part)]\n",
          tool, kMaxShellOutputBytes / 1024);
    }
    text += errors_;
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return CommandOutput{errors_.empty(), std::move(text)};
  }

 private:
  std::string text_;
  std::string errors_;
  bool full_ = false;
};

CommandOutput Fail(std::string text) { return CommandOutput{false, std::move(text)}; }

std::string ModeString(Kind kind) { return kind == Kind::kDirectory ? "drwxr-xr-x" : "-rw-r--r--"; }

// GNU ls's column layout for a terminal 80 characters wide: names in columns filled top to
// bottom, as many columns as fit, two spaces between.
void Columns(const std::vector<std::string>& names, Out& out) {
  constexpr std::size_t kWidth = 80;
  if (names.empty()) return;
  std::size_t rows = names.size();
  std::vector<std::size_t> widths;
  for (std::size_t try_rows = 1; try_rows <= names.size(); ++try_rows) {
    const std::size_t cols = (names.size() + try_rows - 1) / try_rows;
    std::vector<std::size_t> w(cols, 0);
    for (std::size_t i = 0; i < names.size(); ++i) {
      w[i / try_rows] = std::max(w[i / try_rows], names[i].size());
    }
    std::size_t total = 0;
    for (std::size_t c = 0; c < cols; ++c) total += w[c] + (c + 1 < cols ? 2 : 0);
    if (total <= kWidth || try_rows == names.size()) {
      rows = try_rows;
      widths = std::move(w);
      break;
    }
  }
  for (std::size_t r = 0; r < rows; ++r) {
    std::string line;
    for (std::size_t c = 0; c < widths.size(); ++c) {
      const std::size_t i = c * rows + r;
      if (i >= names.size()) break;
      const bool last = c + 1 == widths.size() || (c + 1) * rows + r >= names.size();
      line += last ? names[i] : fmt::format("{:<{}}", names[i], widths[c] + 2);
    }
    out.Line(line);
  }
}

std::string LsSize(std::uint64_t size, bool human) {
  return human ? HumanSize(size) : std::to_string(size);
}

void LongListing(const View& view, const std::vector<std::pair<std::string, std::string>>& items,
                 bool human, Time now, bool with_total, Out& out) {
  struct Row {
    Entry e;
    std::string name;
    std::size_t links;
  };
  std::vector<Row> rows;
  std::uint64_t blocks = 0;
  for (const auto& [abs, shown] : items) {
    Row row{view.Stat(abs), shown, 1};
    if (row.e.kind == Kind::kDirectory) {
      row.links = 2;
      for (const std::string& child : view.List(abs)) {
        if (view.Stat(Resolve(abs, child)).kind == Kind::kDirectory) ++row.links;
      }
    }
    blocks += AllocatedBytes(row.e.size);
    rows.push_back(std::move(row));
  }
  std::size_t links_width = 0;
  std::size_t size_width = 0;
  for (const Row& r : rows) {
    links_width = std::max(links_width, std::to_string(r.links).size());
    size_width = std::max(size_width, LsSize(r.e.size, human).size());
  }
  if (with_total) {
    out.Line(human ? "total " + HumanSize(blocks) : fmt::format("total {}", blocks / 1024));
  }
  for (const Row& r : rows) {
    out.Line(fmt::format("{} {:>{}} kafka kafka {:>{}} {} {}", ModeString(r.e.kind), r.links,
                         links_width, LsSize(r.e.size, human), size_width,
                         LsDate(r.e.modified, now), r.name));
  }
}

CommandOutput Ls(const View& view, const ShellTree& tree, const std::vector<std::string>& argv,
                 const std::string& cwd) {
  Args a = ParseArgs("ls", argv, "lah1");
  if (a.error) return Fail(*a.error);
  const bool long_form = a.flags.contains('l');
  const bool all = a.flags.contains('a');
  const bool human = a.flags.contains('h');
  const bool one_per_line = a.flags.contains('1');
  if (a.operands.empty()) a.operands.push_back(".");
  Out out;
  std::vector<std::pair<std::string, std::string>> files;  // (absolute, as typed)
  std::vector<std::pair<std::string, std::string>> dirs;
  for (const std::string& operand : a.operands) {
    const std::string abs = Resolve(cwd, operand);
    const Entry e = view.Stat(abs);
    if (e.kind == Kind::kMissing) {
      out.Error(fmt::format("ls: cannot access '{}': No such file or directory", operand));
    } else if (e.kind == Kind::kFile) {
      files.emplace_back(abs, operand);
    } else {
      dirs.emplace_back(abs, operand);
    }
  }
  std::sort(files.begin(), files.end(),
            [](const auto& x, const auto& y) { return x.second < y.second; });
  std::sort(dirs.begin(), dirs.end(),
            [](const auto& x, const auto& y) { return x.second < y.second; });
  auto show = [&](const std::vector<std::pair<std::string, std::string>>& items, bool total) {
    if (long_form) {
      LongListing(view, items, human, tree.now, total, out);
      return;
    }
    std::vector<std::string> names;
    for (const auto& item : items) names.push_back(item.second);
    if (one_per_line) {
      for (const std::string& n : names) out.Line(n);
    } else {
      Columns(names, out);
    }
  };
  if (!files.empty()) show(files, false);
  const bool headers = a.operands.size() > 1;
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    if (headers) {
      if (!files.empty() || i > 0) out.Add("\n");
      out.Line(dirs[i].second + ":");
    }
    std::vector<std::pair<std::string, std::string>> children;
    if (all) {
      children.emplace_back(dirs[i].first, ".");
      children.emplace_back(Resolve(dirs[i].first, ".."), "..");
    }
    for (const std::string& name : view.List(dirs[i].first)) {
      if (!all && name.starts_with('.')) continue;  // ls hides dotfiles without -a
      children.emplace_back(Resolve(dirs[i].first, name), name);
    }
    show(children, true);
  }
  return out.Finish("ls");
}

CommandOutput Cd(const View& view, const ShellTree& tree, const std::vector<std::string>& argv,
                 std::string& cwd) {
  if (argv.size() > 2) return Fail("bash: cd: too many arguments");
  const std::string target = argv.size() == 1 ? tree.home : argv[1];
  const std::string abs = Resolve(cwd, target);
  const Entry e = view.Stat(abs);
  if (e.kind == Kind::kMissing) {
    return Fail(fmt::format("bash: cd: {}: No such file or directory", target));
  }
  if (e.kind == Kind::kFile) return Fail(fmt::format("bash: cd: {}: Not a directory", target));
  cwd = abs;
  return CommandOutput{true, ""};
}

// What a terminal shows of a file's bytes: text as it is (UTF-8 included), every other byte
// (control characters but tab and newline, invalid UTF-8) as U+FFFD.
void AppendAsTerminal(std::span<const std::uint8_t> bytes, std::string& out) {
  constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  for (std::size_t i = 0; i < bytes.size();) {
    const std::uint8_t b = bytes[i];
    if (b == '\n' || b == '\t' || (b >= 0x20 && b < 0x7f)) {
      out.push_back(static_cast<char>(b));
      ++i;
      continue;
    }
    std::size_t len = 0;
    if (b >= 0xc2 && b <= 0xdf) len = 2;
    if (b >= 0xe0 && b <= 0xef) len = 3;
    if (b >= 0xf0 && b <= 0xf4) len = 4;
    bool valid = len != 0 && i + len <= bytes.size();
    for (std::size_t k = 1; valid && k < len; ++k) valid = (bytes[i + k] & 0xc0) == 0x80;
    if (valid) {
      out.append(reinterpret_cast<const char*>(bytes.data() + i), len);
      i += len;
    } else {
      out.append(kReplacement);
      ++i;
    }
  }
}

CommandOutput Cat(const View& view, const std::vector<std::string>& argv, const std::string& cwd) {
  Args a = ParseArgs("cat", argv, "");
  if (a.error) return Fail(*a.error);
  if (a.operands.empty()) {
    return Fail("cat: reading standard input is not possible here; name a file");
  }
  Out out;
  for (const std::string& operand : a.operands) {
    const std::string abs = Resolve(cwd, operand);
    const Entry e = view.Stat(abs);
    if (e.kind == Kind::kMissing) {
      out.Error(fmt::format("cat: {}: No such file or directory", operand));
      continue;
    }
    if (e.kind == Kind::kDirectory) {
      out.Error(fmt::format("cat: {}: Is a directory", operand));
      continue;
    }
    const std::vector<std::uint8_t> bytes = view.Read(abs, 0, kMaxShellOutputBytes + 1);
    std::string text;
    AppendAsTerminal(bytes, text);
    out.Add(text);
    if (out.full()) break;
  }
  return out.Finish("cat");
}

// Reads a hexdump -n / -s number: decimal, 0x hex, or with a b/k/m suffix (512, 1024, 1048576).
std::optional<std::uint64_t> HexdumpNumber(const std::string& text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t multiplier = 1;
  std::string digits = text;
  const char last = digits.back();
  if (last == 'b' || last == 'k' || last == 'm') {
    multiplier = last == 'b' ? 512 : last == 'k' ? 1024 : 1024 * 1024;
    digits.pop_back();
  }
  int base = 10;
  if (digits.rfind("0x", 0) == 0 || digits.rfind("0X", 0) == 0) {
    base = 16;
    digits = digits.substr(2);
  }
  if (digits.empty() || digits.size() > 15) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : digits) {
    int d = -1;
    if (c >= '0' && c <= '9') d = c - '0';
    if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
    if (base == 16 && c >= 'A' && c <= 'F') d = c - 'A' + 10;
    if (d < 0) return std::nullopt;
    value = value * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(d);
  }
  return value * multiplier;
}

// util-linux hexdump: -C is "%08.8_Ax\n" "%08.8_ax  " 8/1 "%02x " "  " 8/1 "%02x " "  |" 16/1
// "%_p" "|\n"; without -C the default "%07.7_Ax\n" "%07.7_ax " 8/2 "%04x " "\n". A line equal to
// the one before becomes a single "*" (no -v); the last line is the offset after the input.
void HexdumpLines(std::span<const std::uint8_t> bytes, std::uint64_t start, bool canonical,
                  Out& out) {
  std::optional<std::vector<std::uint8_t>> previous;
  bool starred = false;
  for (std::size_t at = 0; at < bytes.size() && !out.full(); at += 16) {
    const std::size_t n = std::min<std::size_t>(16, bytes.size() - at);
    std::vector<std::uint8_t> line(bytes.begin() + static_cast<std::ptrdiff_t>(at),
                                   bytes.begin() + static_cast<std::ptrdiff_t>(at + n));
    if (n == 16 && previous && *previous == line) {
      if (!starred) out.Line("*");
      starred = true;
      continue;
    }
    starred = false;
    const std::uint64_t offset = start + at;
    std::string text;
    if (canonical) {
      text = fmt::format("{:08x}  ", offset);
      for (std::size_t k = 0; k < 16; ++k) {
        text += k < n ? fmt::format("{:02x} ", line[k]) : "   ";
        if (k == 7) text += " ";
      }
      text += " |";
      for (std::uint8_t b : line)
        text.push_back(b >= 0x20 && b < 0x7f ? static_cast<char>(b) : '.');
      text += "|";
    } else {
      text = fmt::format("{:07x}", offset);
      for (std::size_t k = 0; k < n; k += 2) {
        const unsigned word = line[k] | (k + 1 < n ? static_cast<unsigned>(line[k + 1]) << 8 : 0u);
        text += fmt::format(" {:04x}", word);
      }
    }
    out.Line(text);
    previous = std::move(line);
  }
  if (!bytes.empty()) {
    out.Line(canonical ? fmt::format("{:08x}", start + bytes.size())
                       : fmt::format("{:07x}", start + bytes.size()));
  }
}

CommandOutput Hexdump(const View& view, const std::vector<std::string>& argv,
                      const std::string& cwd) {
  bool canonical = false;
  std::uint64_t skip = 0;
  std::optional<std::uint64_t> length;
  std::vector<std::string> files;
  for (std::size_t i = 1; i < argv.size(); ++i) {
    const std::string& w = argv[i];
    if (w == "-C" || w == "--canonical") {
      canonical = true;
    } else if (w == "-n" || w == "-s" || w == "--length" || w == "--skip") {
      if (i + 1 >= argv.size())
        return Fail(fmt::format("hexdump: option requires an argument -- '{}'", w.back()));
      const std::optional<std::uint64_t> v = HexdumpNumber(argv[++i]);
      if (!v) return Fail(fmt::format("hexdump: invalid number: '{}'", argv[i]));
      if (w == "-n" || w == "--length") {
        length = *v;
      } else {
        skip = *v;
      }
    } else if (w.size() > 1 && w.front() == '-') {
      return Fail(
          fmt::format("hexdump: invalid option -- '{}'\nTry 'hexdump --help' for more "
                      "information.",
                      w.substr(1)));
    } else {
      files.push_back(w);
    }
  }
  if (files.empty())
    return Fail("hexdump: reading standard input is not possible here; name a file");
  Out out;
  // hexdump reads its files as one stream; -s and -n apply to that stream.
  std::vector<std::uint8_t> stream;
  std::uint64_t to_skip = skip;
  const std::uint64_t want = std::min<std::uint64_t>(length.value_or(UINT64_MAX), 1 << 20);
  for (const std::string& f : files) {
    const std::string abs = Resolve(cwd, f);
    const Entry e = view.Stat(abs);
    if (e.kind == Kind::kMissing) {
      out.Error(fmt::format("hexdump: {}: No such file or directory", f));
      continue;
    }
    if (e.kind == Kind::kDirectory) {
      out.Error(fmt::format("hexdump: {}: Is a directory", f));
      continue;
    }
    if (to_skip >= e.size) {
      to_skip -= e.size;
      continue;
    }
    const std::vector<std::uint8_t> part = view.Read(abs, to_skip, want - stream.size());
    to_skip = 0;
    stream.insert(stream.end(), part.begin(), part.end());
    if (stream.size() >= want) break;
  }
  HexdumpLines(stream, skip, canonical, out);
  return out.Finish("hexdump");
}

// Bytes a tree takes on a 4 KiB-block file system: each file rounded up to whole blocks, one
// block per directory. Visits directories after their contents, as du prints them.
std::uint64_t DiskUsage(const View& view, const std::string& abs, const std::string& shown,
                        bool print_dirs, bool human, Out& out) {
  const Entry e = view.Stat(abs);
  if (e.kind != Kind::kDirectory) return AllocatedBytes(e.size);
  std::uint64_t total = kBlockBytes;
  for (const std::string& name : view.List(abs)) {
    const std::string child = Resolve(abs, name);
    const std::string child_shown = shown == "/" ? "/" + name : shown + "/" + name;
    total += DiskUsage(view, child, child_shown, print_dirs, human, out);
  }
  if (print_dirs) {
    out.Line(fmt::format("{}\t{}", human ? HumanSize(total) : std::to_string(total / 1024), shown));
  }
  return total;
}

CommandOutput Du(const View& view, const std::vector<std::string>& argv, const std::string& cwd) {
  Args a = ParseArgs("du", argv, "shc");
  if (a.error) return Fail(*a.error);
  const bool summarize = a.flags.contains('s');
  const bool human = a.flags.contains('h');
  if (a.operands.empty()) a.operands.push_back(".");
  Out out;
  std::uint64_t grand = 0;
  for (const std::string& operand : a.operands) {
    const std::string abs = Resolve(cwd, operand);
    const Entry e = view.Stat(abs);
    if (e.kind == Kind::kMissing) {
      out.Error(fmt::format("du: cannot access '{}': No such file or directory", operand));
      continue;
    }
    const std::uint64_t bytes = DiskUsage(view, abs, operand, !summarize, human, out);
    grand += bytes;
    if (summarize || e.kind == Kind::kFile) {
      out.Line(
          fmt::format("{}\t{}", human ? HumanSize(bytes) : std::to_string(bytes / 1024), operand));
    }
  }
  if (a.flags.contains('c')) {
    out.Line(fmt::format("{}\ttotal", human ? HumanSize(grand) : std::to_string(grand / 1024)));
  }
  return out.Finish("du");
}

CommandOutput Wc(const View& view, const std::vector<std::string>& argv, const std::string& cwd) {
  Args a = ParseArgs("wc", argv, "c");
  if (a.error) return Fail(*a.error);
  if (!a.flags.contains('c')) {
    return Fail(
        "wc: only byte counts (wc -c) are available here; the lines of a Kafka segment "
        "are not text (kafka-dump-log.sh shows its records)");
  }
  if (a.operands.empty())
    return Fail("wc: reading standard input is not possible here; name a file");
  Out out;
  std::vector<std::pair<std::uint64_t, std::string>> counts;
  std::uint64_t total = 0;
  for (const std::string& operand : a.operands) {
    const Entry e = view.Stat(Resolve(cwd, operand));
    if (e.kind == Kind::kMissing) {
      out.Error(fmt::format("wc: {}: No such file or directory", operand));
      continue;
    }
    if (e.kind == Kind::kDirectory) {
      out.Error(fmt::format("wc: {}: Is a directory", operand));
      counts.emplace_back(0, operand);
      continue;
    }
    counts.emplace_back(e.size, operand);
    total += e.size;
  }
  // coreutils pads every count to the width of the largest when there is more than one line.
  const bool many = a.operands.size() > 1;
  const std::size_t width = many ? std::to_string(total).size() : 0;
  for (const auto& [n, name] : counts) out.Line(fmt::format("{:>{}} {}", n, width, name));
  if (many) out.Line(fmt::format("{:>{}} total", total, width));
  return out.Finish("wc");
}

std::string StatTime(Time t) {
  using namespace std::chrono;
  const std::int64_t seconds = t.ns >= 0 ? t.ns / 1'000'000'000 : 0;
  const std::int64_t nanos = t.ns >= 0 ? t.ns % 1'000'000'000 : 0;
  const sys_days day{days{seconds / 86'400}};
  const year_month_day ymd{day};
  const std::int64_t in_day = seconds % 86'400;
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:09} +0000",
                     static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()), in_day / 3600, in_day / 60 % 60, in_day % 60,
                     nanos);
}

CommandOutput StatCommand(const View& view, const std::vector<std::string>& argv,
                          const std::string& cwd) {
  Args a = ParseArgs("stat", argv, "");
  if (a.error) return Fail(*a.error);
  if (a.operands.empty())
    return Fail("stat: missing operand\nTry 'stat --help' for more information.");
  Out out;
  for (const std::string& operand : a.operands) {
    const std::string abs = Resolve(cwd, operand);
    const Entry e = view.Stat(abs);
    if (e.kind == Kind::kMissing) {
      out.Error(fmt::format("stat: cannot statx '{}': No such file or directory", operand));
      continue;
    }
    // GNU stat's default format, without the Device and Inode line: a simulated disk has
    // neither, and numbers made up for them would teach nothing.
    const bool dir = e.kind == Kind::kDirectory;
    const std::string kind = dir           ? "directory"
                             : e.size == 0 ? "regular empty file"
                                           : "regular file";
    out.Line(fmt::format("  File: {}", operand));
    out.Line(fmt::format("  Size: {:<10}\tBlocks: {:<10} IO Block: {:<6} {}", e.size,
                         AllocatedBytes(e.size) / 512, kBlockBytes, kind));
    out.Line(fmt::format("Access: ({}/{})  Uid: ( 1000/   kafka)   Gid: ( 1000/   kafka)",
                         dir ? "0755" : "0644", ModeString(e.kind)));
    out.Line("Access: " + StatTime(e.modified));
    out.Line("Modify: " + StatTime(e.modified));
    out.Line("Change: " + StatTime(e.modified));
    out.Line(" Birth: -");
  }
  return out.Finish("stat");
}

// kafka-dump-log.sh (DumpLogSegments): --files is required and split at commas; the options
// are Kafka's; an unknown one fails as joptsimple does.
CommandOutput DumpLog(const View& view, const std::vector<std::string>& argv,
                      const std::string& cwd) {
  std::vector<std::string> files;
  storage::DumpOptions options;
  options.max_lines = 5000;
  const storage::RecordParser offsets = kafka::OffsetsRecordParser();
  const storage::RecordParser metadata = kafka::ClusterMetadataRecordParser();
  for (std::size_t i = 1; i < argv.size(); ++i) {
    const std::string& w = argv[i];
    if (w == "--files") {
      if (i + 1 >= argv.size()) return Fail("Option files requires an argument");
      for (std::string& f : storage::SplitFilesOption(argv[++i])) files.push_back(std::move(f));
    } else if (w == "--print-data-log") {
      options.print_data_log = true;
    } else if (w == "--deep-iteration") {
      options.deep_iteration = true;
    } else if (w == "--offsets-decoder") {
      options.parser = &offsets;
    } else if (w == "--cluster-metadata-decoder") {
      options.parser = &metadata;
    } else if (w == "--max-bytes") {
      if (i + 1 >= argv.size()) return Fail("Option max-bytes requires an argument");
      const std::optional<std::uint64_t> v = HexdumpNumber(argv[++i]);
      if (!v || *v < 1 || *v > 2147483647 ||
          argv[i].find_first_not_of("0123456789") != std::string::npos) {
        return Fail(fmt::format("Cannot parse argument '{}' of option max-bytes", argv[i]));
      }
      options.max_bytes = *v;
    } else {
      return Fail(
          fmt::format("Exception in thread \"main\" joptsimple.UnrecognizedOptionException: "
                      "{} is not a recognized option",
                      w.rfind("--", 0) == 0 ? w.substr(2) : w));
    }
  }
  if (files.empty()) return Fail("Missing required argument \"[files]\"");
  Out out;
  options.sink = [&out](std::string_view text) { out.Add(text); };
  for (const std::string& f : files) {
    const std::string abs = Resolve(cwd, f);
    const Entry e = view.Stat(abs);
    if (e.kind != Kind::kFile) {
      // DumpLogSegments opens the file and fails with the JVM's NoSuchFileException.
      out.Error(
          fmt::format("Exception in thread \"main\" java.nio.file.NoSuchFileException: {}", f));
      continue;
    }
    const std::vector<std::uint8_t> bytes =
        view.Read(abs, 0, std::min<std::uint64_t>(e.size, 1 << 30));
    if (BaseName(abs) == raft::kQuorumStateFileName) {
      out.Line("Dumping " + f);
      Result<std::string> text =
          raft::DumpQuorumState({reinterpret_cast<const char*>(bytes.data()), bytes.size()});
      if (text.ok()) {
        out.Add(*text);
      } else {
        out.Error(f + " is not a quorum-state file: " + text.status().message());
      }
      continue;
    }
    const storage::DumpResult result = storage::DumpFile(f, bytes, options);
    if (!result.error.empty()) {
      if (result.not_this_kind) {
        out.Error(
            fmt::format("{} is not a Kafka {}: {}", f, storage::DumpKindName(f), result.error));
      } else {
        out.Line("Found a damaged file: " + result.error);
      }
    }
  }
  return out.Finish("kafka-dump-log.sh");
}

}  // namespace

CommandOutput RunShellCommand(const ShellTree& tree, const std::vector<std::string>& argv,
                              std::string& cwd) {
  if (argv.empty()) return CommandOutput{true, ""};
  const View view(tree);
  if (cwd.empty()) cwd = tree.home;
  const std::string_view word = ShellCommandWord(argv.front());
  if (word == "pwd") return CommandOutput{true, cwd};
  if (word == "echo") {
    std::string text;
    for (std::size_t i = 1; i < argv.size(); ++i) text += (i > 1 ? " " : "") + argv[i];
    return CommandOutput{true, text};
  }
  if (word == "cd") return Cd(view, tree, argv, cwd);
  if (word == "ls") return Ls(view, tree, argv, cwd);
  if (word == "cat") return Cat(view, argv, cwd);
  if (word == "hexdump") return Hexdump(view, argv, cwd);
  if (word == "du") return Du(view, argv, cwd);
  if (word == "wc") return Wc(view, argv, cwd);
  if (word == "stat") return StatCommand(view, argv, cwd);
  if (word == "kafka-dump-log.sh") return DumpLog(view, argv, cwd);
  return Fail(fmt::format("bash: {}: command not found", argv.front()));
}

std::string ResolveShellPath(const std::string& cwd, const std::string& arg) {
  return Resolve(cwd, arg);
}

std::string LsDate(Time modified, Time now) {
  using namespace std::chrono;
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::int64_t seconds = modified.ns >= 0 ? modified.ns / 1'000'000'000 : 0;
  const year_month_day ymd{sys_days{days{seconds / 86'400}}};
  const std::int64_t in_day = seconds % 86'400;
  const char* month = kMonths[static_cast<unsigned>(ymd.month()) - 1];
  const unsigned day = static_cast<unsigned>(ymd.day());
  // coreutils: a time more than six months old, or in the future, shows the year instead.
  constexpr std::int64_t kSixMonthsNs = 31'556'952LL / 2 * 1'000'000'000;
  const bool recent = modified <= now && (now - modified).ns <= kSixMonthsNs;
  if (recent)
    return fmt::format("{} {:>2} {:02}:{:02}", month, day, in_day / 3600, in_day / 60 % 60);
  return fmt::format("{} {:>2}  {}", month, day, static_cast<int>(ymd.year()));
}

std::string HumanSize(std::uint64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes);
  static constexpr std::array<char, 6> kUnits = {'K', 'M', 'G', 'T', 'P', 'E'};
  // The unit is the largest power of 1024 the size reaches; below 10 units one decimal,
  // rounded up, else a whole number rounded up (coreutils' human_ceiling).
  std::size_t unit = 0;
  std::uint64_t scale = 1024;
  while (unit + 1 < kUnits.size() && bytes >= scale * 1024) {
    scale *= 1024;
    ++unit;
  }
  const std::uint64_t tenths = (bytes * 10 + scale - 1) / scale;
  if (tenths < 100) {
    return fmt::format("{}.{}{}", tenths / 10, tenths % 10, kUnits[unit]);
  }
  std::uint64_t whole = (bytes + scale - 1) / scale;
  if (whole >= 1024 && unit + 1 < kUnits.size()) return fmt::format("1.0{}", kUnits[unit + 1]);
  return fmt::format("{}{}", whole, kUnits[unit]);
}

}  // namespace kafkasim::scenario
