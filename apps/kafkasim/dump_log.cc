// `kafkasim dump-log FILES... [--deep-iteration] [--print-data-log] [--offsets-decoder]
// [--max-bytes N] [--max-lines N]`: kafka-dump-log.sh --files for the segment, index and
// checkpoint files kafkasim (or Kafka) writes, and KRaft's quorum-state.
//
// Exit codes: 0 every file read whole; 1 damage found in a file of its kind (a torn or
// corrupt batch after good ones, an index entry out of order); 2 a file that cannot be read or
// is not what its name says (a directory, a device, random bytes named .log), or bad flags.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "commands.h"
#include "kafka/metadata_records.h"
#include "kafka/offsets_decoder.h"
#include "raft/raft_types.h"
#include "storage/log_dump.h"

namespace po = boost::program_options;

namespace kafkasim::cli {

namespace {

// Kafka writes no file larger than Int.MaxValue bytes (segment.bytes, segment.index.bytes).
constexpr std::uintmax_t kMaxFileBytes = 2147483647;
constexpr std::int64_t kDefaultMaxLines = 1000000;

// A file dump-log can show, mapped read-only: a regular file of at most kMaxFileBytes.
// Directories, devices and pipes (which could be endless, as /dev/zero) are refused with what
// they are. Mapping lets a 2 GiB segment be read without copying it into memory.
class MappedFile {
 public:
  MappedFile() = default;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile() {
    if (data_ != nullptr) munmap(data_, size_);
  }

  bool Open(const std::string& path, std::string* problem) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
      *problem = "cannot read " + path + ": no such file";
      return false;
    }
    if (fs::is_directory(status)) {
      *problem =
          path + ": a directory; give the files in it (e.g. " + path + "/00000000000000000000.log)";
      return false;
    }
    if (!fs::is_regular_file(status)) {
      *problem = path + ": not a regular file (a device, pipe or socket)";
      return false;
    }
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      *problem = "cannot read " + path + ": " + std::strerror(errno);
      return false;
    }
    struct stat st {};
    if (fstat(fd, &st) != 0) {
      *problem = "cannot read " + path + ": " + std::strerror(errno);
      close(fd);
      return false;
    }
    const auto size = static_cast<std::uintmax_t>(st.st_size);
    if (size > kMaxFileBytes) {
      *problem = path + ": " + std::to_string(size) +
                 " bytes, larger than any file Kafka writes (at most 2147483647)";
      close(fd);
      return false;
    }
    size_ = static_cast<std::size_t>(size);
    if (size_ > 0) {
      void* at = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (at == MAP_FAILED) {
        *problem = "cannot read " + path + ": " + std::strerror(errno);
        close(fd);
        return false;
      }
      data_ = at;
    }
    close(fd);
    return true;
  }

  std::span<const std::uint8_t> bytes() const {
    return {static_cast<const std::uint8_t*>(data_), size_};
  }

 private:
  void* data_ = nullptr;
  std::size_t size_ = 0;
};

std::string BaseName(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

int Usage(const std::string& message) {
  std::cerr << "kafkasim dump-log: " << message << "\n";
  return kExitUsage;
}

}  // namespace

int RunDumpLog(const std::vector<std::string>& args) {
  std::int64_t max_bytes = 2147483647;
  std::int64_t max_lines = kDefaultMaxLines;
  po::options_description desc(
      "Usage: kafkasim dump-log [--files] FILE[,FILE...]... [--deep-iteration] [--print-data-log]\n"
      "                         [--max-bytes N] [--max-lines N] [--offsets-decoder]\n"
      "                         [--cluster-metadata-decoder]\n\n"
      "Prints Kafka log segments (.log), indexes (.index, .timeindex), checkpoint files and\n"
      "KRaft's quorum-state. Exit 1: damage found in a file of its kind; exit 2: a file that\n"
      "cannot be read or is not what its name says");
  desc.add_options()("help,h", "show this help")(
      "deep-iteration", "print each record of every batch, compressed batches included")(
      "print-data-log", "print each record's key and payload too (implies --deep-iteration)")(
      "offsets-decoder",
      "parse each record as offset data from the __consumer_offsets topic (implies "
      "--print-data-log)")(
      "cluster-metadata-decoder",
      "parse each record as cluster metadata (__cluster_metadata-0 and its .checkpoint "
      "snapshots; implies --print-data-log)")(
      "max-bytes", po::value<std::int64_t>(&max_bytes),
      "read a .log only as far as the batches starting in its first N bytes (as Kafka's "
      "--max-bytes; default 2147483647)")(
      "max-lines", po::value<std::int64_t>(&max_lines),
      "stop each file's dump after N lines (default 1000000; 0 prints everything)");
  std::vector<std::string> files;
  po::variables_map vm;
  if (ParseWithFiles(args, desc, &files, &vm)) {
    std::cout << desc << "\n";
    return kExitOk;
  }
  // DumpLogSegments splits --files at commas ("a.log,b.log"); files may also come one by one.
  std::vector<std::string> split;
  for (const std::string& arg : files) {
    for (std::string& f : storage::SplitFilesOption(arg)) split.push_back(std::move(f));
  }
  files = std::move(split);
  if (files.empty()) {
    std::cerr << "kafkasim dump-log: no files given\n" << desc << "\n";
    return kExitUsage;
  }
  if (max_bytes < 1 || max_bytes > 2147483647) {
    return Usage("--max-bytes: expected 1..2147483647, got " + std::to_string(max_bytes));
  }
  if (max_lines < 0)
    return Usage("--max-lines: expected 0 or more, got " + std::to_string(max_lines));

  storage::DumpOptions options;
  options.print_data_log = vm.count("print-data-log") != 0;
  options.deep_iteration = vm.count("deep-iteration") != 0;
  const storage::RecordParser offsets = kafka::OffsetsRecordParser();
  const storage::RecordParser metadata = kafka::ClusterMetadataRecordParser();
  if (vm.count("offsets-decoder") != 0) options.parser = &offsets;
  if (vm.count("cluster-metadata-decoder") != 0) {
    if (options.parser != nullptr) {
      return Usage("--offsets-decoder and --cluster-metadata-decoder cannot be used together");
    }
    options.parser = &metadata;
  }
  options.max_bytes = static_cast<std::uint64_t>(max_bytes);
  options.max_lines = static_cast<std::uint64_t>(max_lines);
  options.sink = [](std::string_view text) {
    std::cout.write(text.data(), static_cast<std::streamsize>(text.size()));
  };

  int exit_code = kExitOk;
  auto worst = [&exit_code](int code) {
    if (code == kExitUsage || exit_code == kExitOk) exit_code = code;
  };
  for (const std::string& path : files) {
    std::string problem;
    MappedFile file;
    if (!file.Open(path, &problem)) {
      std::cerr << "kafkasim dump-log: " << problem << "\n";
      worst(kExitUsage);
      continue;
    }
    if (BaseName(path) == raft::kQuorumStateFileName) {
      // Not in DumpLogSegments (which ignores unknown files): KRaft's own JSON state file.
      std::cout << "Dumping " << path << "\n";
      const std::span<const std::uint8_t> b = file.bytes();
      Result<std::string> text =
          raft::DumpQuorumState({reinterpret_cast<const char*>(b.data()), b.size()});
      if (text.ok()) {
        std::cout << *text;
      } else {
        std::cerr << "kafkasim dump-log: " << path
                  << " is not a quorum-state file: " << text.status().message() << "\n";
        worst(kExitUsage);
      }
      continue;
    }
    const storage::DumpResult result = storage::DumpFile(path, file.bytes(), options);
    if (result.error.empty()) continue;
    if (result.not_this_kind) {
      // The error names the file first; said once here.
      std::string why = result.error;
      if (why.rfind(path + ":", 0) == 0) why = why.substr(path.size() + 1);
      if (!why.empty() && why[0] == ' ') why.erase(0, 1);
      std::cerr << "kafkasim dump-log: " << path << " is not a Kafka "
                << storage::DumpKindName(path) << ": " << why << "\n";
      worst(kExitUsage);
    } else {
      std::cout << "Found a damaged file: " << result.error << "\n";
      worst(kExitExpectationFailed);
    }
  }
  return exit_code;  // main reports a failed write to stdout
}

}  // namespace kafkasim::cli
