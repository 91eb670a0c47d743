// Storage benchmark: PartitionLog append throughput on the simulated disk and on real
// directories (/dev/shm, /tmp) against plain write() of the same bytes, and fetch latency at
// random offsets for 10 MB, 100 MB and 1 GB logs. Prints medians of --runs runs.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "engine/posix_file_system.h"
#include "engine/prng.h"
#include "engine/sim_file_system.h"
#include "storage/partition_log.h"

namespace {

using kafkasim::FileSystem;
using kafkasim::Rng;
using kafkasim::Time;
namespace storage = kafkasim::storage;

constexpr std::size_t kRecordBytes = 1024;
constexpr std::size_t kRecordsPerBatch = 100;
storage::LogConfig g_config;  // Kafka's defaults unless flags say otherwise

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::vector<storage::Record> MakeRecords(Rng& rng) {
  std::vector<storage::Record> records(kRecordsPerBatch);
  for (std::size_t i = 0; i < records.size(); ++i) {
    records[i].timestamp = 1700000000000 + static_cast<std::int64_t>(i);
    records[i].value = storage::Bytes(kRecordBytes);
    for (auto& b : *records[i].value) b = static_cast<std::uint8_t>(rng.NextU64());
  }
  return records;
}

// Appends `batches` batches of prepared records; returns MB/s of log bytes written.
double AppendToLog(FileSystem& fs, const std::vector<std::vector<storage::Record>>& input,
                   std::size_t batches, std::uint64_t* bytes_out) {
  auto log = storage::PartitionLog::Open(fs, "", "bench", 0, g_config, Time{0}, nullptr);
  if (!log.ok()) {
    std::fprintf(stderr, "open: %s\n", log.status().ToString().c_str());
    std::exit(1);
  }
  // The producer builds the batches; the leader validates them and assigns offsets in place.
  std::vector<storage::Bytes> produced;
  for (const auto& records : input) produced.push_back(storage::BuildBatch(records, {}));
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < batches; ++i) {
    auto info = (*log)->AppendAsLeader(produced[i % produced.size()], 0, Time{0});
    if (!info.ok()) {
      std::fprintf(stderr, "append: %s\n", info.status().ToString().c_str());
      std::exit(1);
    }
  }
  const double secs = Seconds(start);
  *bytes_out = (*log)->size_bytes();
  return static_cast<double>(*bytes_out) / 1e6 / secs;
}

// Writes the same bytes with plain write() calls, one per batch.
double PlainWrite(const std::string& path, const std::vector<storage::Bytes>& encoded,
                  std::size_t batches) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    std::perror(path.c_str());
    std::exit(1);
  }
  std::uint64_t total = 0;
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < batches; ++i) {
    const storage::Bytes& b = encoded[i % encoded.size()];
    if (::write(fd, b.data(), b.size()) != static_cast<ssize_t>(b.size())) std::exit(1);
    total += b.size();
  }
  const double secs = Seconds(start);
  ::close(fd);
  std::filesystem::remove(path);
  return static_cast<double>(total) / 1e6 / secs;
}

// Builds a log of about `mb` megabytes and returns microseconds per fetch at random offsets.
double FetchLatency(FileSystem& fs, const std::vector<std::vector<storage::Record>>& input,
                    std::size_t mb, int fetches) {
  auto log = storage::PartitionLog::Open(fs, "", "fetch", 0, g_config, Time{0}, nullptr);
  const std::size_t batches = mb * 1000000 / (kRecordBytes * kRecordsPerBatch);
  for (std::size_t i = 0; i < batches; ++i) {
    const storage::Bytes batch = storage::BuildBatch(input[i % input.size()], {});
    if (!(*log)->AppendAsLeader(batch, 0, Time{0}).ok()) std::exit(1);
  }
  Rng rng(7);
  const std::int64_t end = (*log)->log_end_offset();
  std::uint64_t bytes = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < fetches; ++i) {
    const std::int64_t offset = rng.UniformRange(0, end - 1);
    auto result = (*log)->Read(offset, 1048576);  // replica.fetch.max.bytes
    if (!result.ok()) std::exit(1);
    bytes += result->records.size();
  }
  const double secs = Seconds(start);
  if (bytes == 0) std::exit(1);
  return secs * 1e6 / fetches;
}

struct Dir {
  std::string name;
  std::string path;
};

}  // namespace

int main(int argc, char** argv) {
  int runs = 3;
  std::size_t append_mb = 256;
  bool big = true;
  bool fetch = true;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) runs = std::atoi(argv[++i]);
    if (std::strcmp(argv[i], "--append-mb") == 0 && i + 1 < argc) {
      append_mb = static_cast<std::size_t>(std::atoi(argv[++i]));
    }
    if (std::strcmp(argv[i], "--no-1gb") == 0) big = false;
    if (std::strcmp(argv[i], "--no-fetch") == 0) fetch = false;
    if (std::strcmp(argv[i], "--index-interval-bytes") == 0 && i + 1 < argc) {
      g_config.index_interval_bytes = std::atoi(argv[++i]);
    }
  }
  Rng rng(1);
  std::vector<std::vector<storage::Record>> input;
  std::vector<storage::Bytes> encoded;
  for (int i = 0; i < 8; ++i) {
    input.push_back(MakeRecords(rng));
    encoded.push_back(storage::EncodeBatch(storage::MakeBatch(0, 0, input.back())));
  }
  const std::size_t batches = append_mb * 1000000 / (kRecordBytes * kRecordsPerBatch);
  std::vector<Dir> dirs = {{"/dev/shm", "/dev/shm/kafkasim-bench"},
                           {"/tmp", "/tmp/kafkasim-bench"}};
  std::printf("append: %zu batches of %zu x %zu-byte records (%zu MB), median of %d runs\n",
              batches, kRecordsPerBatch, kRecordBytes, append_mb, runs);
  {
    std::vector<double> mbps;
    for (int r = 0; r < runs; ++r) {
      kafkasim::SimFileSystem fs;
      std::uint64_t bytes = 0;
      mbps.push_back(AppendToLog(fs, input, batches, &bytes));
    }
    std::printf("  %-28s %8.0f MB/s\n", "SimFileSystem log", Median(mbps));
  }
  for (const Dir& dir : dirs) {
    std::vector<double> log_mbps, plain_mbps;
    for (int r = 0; r < runs; ++r) {
      // Alternate which goes first so page-cache writeback of one does not always slow the
      // other.
      auto run_log = [&] {
        std::filesystem::remove_all(dir.path);
        {
          kafkasim::PosixFileSystem fs(dir.path);
          std::uint64_t bytes = 0;
          log_mbps.push_back(AppendToLog(fs, input, batches, &bytes));
        }
        std::filesystem::remove_all(dir.path);
      };
      auto run_plain = [&] {
        std::filesystem::create_directories(dir.path);
        plain_mbps.push_back(PlainWrite(dir.path + "/plain.bin", encoded, batches));
        std::filesystem::remove_all(dir.path);
      };
      if (r % 2 == 0) {
        run_log();
        run_plain();
      } else {
        run_plain();
        run_log();
      }
    }
    const double log_m = Median(log_mbps), plain_m = Median(plain_mbps);
    std::printf("  %-28s %8.0f MB/s\n", ("PosixFileSystem log " + dir.name).c_str(), log_m);
    std::printf("  %-28s %8.0f MB/s\n", ("plain write() " + dir.name).c_str(), plain_m);
    std::printf("  %-28s %8.0f %%\n", ("log / plain " + dir.name).c_str(), 100 * log_m / plain_m);
  }
  if (!fetch) return 0;
  std::printf("fetch: random offsets, max 1 MB each, microseconds per fetch (median of %d)\n",
              runs);
  const int fetches = 2000;
  for (std::size_t mb : {std::size_t{10}, std::size_t{100}, std::size_t{1000}}) {
    if (mb == 1000 && !big) continue;
    if (mb != 1000) {
      std::vector<double> us;
      for (int r = 0; r < runs; ++r) {
        kafkasim::SimFileSystem fs;
        us.push_back(FetchLatency(fs, input, mb, fetches));
      }
      std::printf("  %5zu MB %-22s %8.1f us\n", mb, "SimFileSystem", Median(us));
    }
    for (const Dir& dir : dirs) {
      if (mb == 1000 && dir.name != "/tmp") continue;  // 1 GB only on /tmp
      std::vector<double> us;
      for (int r = 0; r < runs; ++r) {
        std::filesystem::remove_all(dir.path);
        {
          kafkasim::PosixFileSystem fs(dir.path);
          us.push_back(FetchLatency(fs, input, mb, fetches));
        }
        std::filesystem::remove_all(dir.path);
      }
      std::printf("  %5zu MB %-22s %8.1f us\n", mb, ("Posix " + dir.name).c_str(), Median(us));
    }
  }
  return 0;
}
