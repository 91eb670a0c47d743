// The FileSystem contract, run against the simulated and the real disk, plus the crash and
// fault semantics only the simulated disk has, and the mirror's real files.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/mirrored_file_system.h"
#include "engine/posix_file_system.h"
#include "engine/prng.h"
#include "engine/sim_file_system.h"
#include "test_util.h"

namespace kafkasim {
namespace {

using testing::Bytes;
using testing::ScratchDir;
using testing::Str;

// Gives each implementation a fresh, empty file system.
struct SimFixture {
  SimFileSystem fs;
};
struct PosixFixture {
  ScratchDir dir{"fs-contract"};
  PosixFileSystem fs{dir.path()};
};

std::string ReadAll(const FileSystem& fs, const std::string& path) {
  Result<std::vector<std::uint8_t>> bytes = fs.ReadFile(path);
  REQUIRE(bytes.ok());
  return Str(*bytes);
}

TEST_CASE_TEMPLATE("file_system: appends, overwrites, reads and truncates a file", F, SimFixture,
                   PosixFixture) {
  F f;
  FileSystem& fs = f.fs;
  REQUIRE(fs.CreateDirs("broker-1/cities-0").ok());
  REQUIRE(fs.CreateFile("broker-1/cities-0/a.log").ok());
  REQUIRE(fs.Append("broker-1/cities-0/a.log", Bytes("hello ")).ok());
  REQUIRE(fs.Append("broker-1/cities-0/a.log", Bytes("world")).ok());
  CHECK(ReadAll(fs, "broker-1/cities-0/a.log") == "hello world");
  REQUIRE(fs.WriteAt("broker-1/cities-0/a.log", 0, Bytes("J")).ok());
  CHECK(ReadAll(fs, "broker-1/cities-0/a.log") == "Jello world");
  std::vector<std::uint8_t> buf(4);
  Result<std::size_t> n = fs.ReadAt("broker-1/cities-0/a.log", 9, buf);
  REQUIRE(n.ok());
  CHECK(*n == 2);
  REQUIRE(fs.Truncate("broker-1/cities-0/a.log", 5).ok());
  CHECK(*fs.FileSize("broker-1/cities-0/a.log") == 5);
  CHECK(ReadAll(fs, "broker-1/cities-0/a.log") == "Jello");
  REQUIRE(fs.Sync("broker-1/cities-0/a.log").ok());
  // Creating an existing file leaves it alone.
  REQUIRE(fs.CreateFile("broker-1/cities-0/a.log").ok());
  CHECK(*fs.FileSize("broker-1/cities-0/a.log") == 5);
  CHECK(fs.WriteAt("broker-1/cities-0/a.log", 9, Bytes("x")).code() == Errc::kInvalidArgument);
}

TEST_CASE_TEMPLATE("file_system: directories list sorted and remove recursively", F, SimFixture,
                   PosixFixture) {
  F f;
  FileSystem& fs = f.fs;
  REQUIRE(fs.CreateDirs("d/sub").ok());
  REQUIRE(fs.CreateFile("d/b").ok());
  REQUIRE(fs.CreateFile("d/a").ok());
  REQUIRE(fs.CreateFile("d/sub/c").ok());
  REQUIRE(fs.CreateFile("dz").ok());
  Result<std::vector<std::string>> names = fs.ListDir("d");
  REQUIRE(names.ok());
  CHECK(*names == std::vector<std::string>{"a", "b", "sub"});
  CHECK(*fs.ListDir("") == std::vector<std::string>{"d", "dz"});
  CHECK(fs.IsDirectory("d/sub"));
  CHECK_FALSE(fs.IsDirectory("d/a"));
  CHECK(fs.Exists("d/sub/c"));
  REQUIRE(fs.Remove("d").ok());
  CHECK_FALSE(fs.Exists("d/sub/c"));
  CHECK_FALSE(fs.Exists("d"));
  CHECK(fs.Exists("dz"));
  CHECK(fs.ListDir("d").status().code() == Errc::kNotFound);
  CHECK(fs.Remove("d").code() == Errc::kNotFound);
}

TEST_CASE_TEMPLATE("file_system: rename replaces a file and moves a directory", F, SimFixture,
                   PosixFixture) {
  F f;
  FileSystem& fs = f.fs;
  REQUIRE(fs.CreateDirs("p").ok());
  REQUIRE(fs.WriteFileAtomically("p/checkpoint", std::string("0\n1\n")).ok());
  REQUIRE(fs.WriteFileAtomically("p/checkpoint", std::string("0\n2\n")).ok());
  CHECK(ReadAll(fs, "p/checkpoint") == "0\n2\n");
  CHECK_FALSE(fs.Exists("p/checkpoint.tmp"));
  REQUIRE(fs.Rename("p", "q").ok());
  CHECK(ReadAll(fs, "q/checkpoint") == "0\n2\n");
  CHECK_FALSE(fs.Exists("p"));
  CHECK(fs.Rename("nothing", "x").code() == Errc::kNotFound);
}

TEST_CASE_TEMPLATE("file_system: missing files and escaping paths are errors", F, SimFixture,
                   PosixFixture) {
  F f;
  FileSystem& fs = f.fs;
  CHECK(fs.Append("nope", Bytes("x")).code() == Errc::kNotFound);
  CHECK(fs.FileSize("nope").status().code() == Errc::kNotFound);
  CHECK(fs.CreateFile("no/parent").code() == Errc::kNotFound);
  CHECK(fs.CreateFile("../escape").code() == Errc::kInvalidArgument);
  CHECK(fs.CreateDirs("a/../../b").code() == Errc::kInvalidArgument);
  CHECK(fs.CreateFile("/etc/passwd").code() == Errc::kInvalidArgument);
  CHECK_FALSE(fs.Exists("../"));
}

TEST_CASE_TEMPLATE(
    "file_system: a file read just before it is removed, renamed or replaced is not read again", F,
    SimFixture, PosixFixture) {
  F f;
  FileSystem& fs = f.fs;
  REQUIRE(fs.CreateDirs("d").ok());
  REQUIRE(fs.WriteFileAtomically("d/a", std::string("first")).ok());
  CHECK(ReadAll(fs, "d/a") == "first");
  // Renamed away: the old name is gone, the new one has the bytes.
  REQUIRE(fs.Rename("d/a", "d/b").ok());
  std::vector<std::uint8_t> buf(8);
  CHECK(fs.ReadAt("d/a", 0, buf).status().code() == Errc::kNotFound);
  CHECK(ReadAll(fs, "d/b") == "first");
  // A new file under the old name.
  REQUIRE(fs.CreateFile("d/a").ok());
  REQUIRE(fs.Append("d/a", Bytes("second")).ok());
  CHECK(ReadAll(fs, "d/a") == "second");
  CHECK(ReadAll(fs, "d/b") == "first");
  // Replaced by a rename onto it.
  REQUIRE(fs.Rename("d/b", "d/a").ok());
  CHECK(ReadAll(fs, "d/a") == "first");
  // Its directory renamed.
  REQUIRE(fs.Rename("d", "e").ok());
  CHECK(fs.FileSize("d/a").status().code() == Errc::kNotFound);
  CHECK(ReadAll(fs, "e/a") == "first");
  // Removed.
  REQUIRE(fs.Remove("e/a").ok());
  CHECK(fs.ReadAt("e/a", 0, buf).status().code() == Errc::kNotFound);
  CHECK(fs.Append("e/a", Bytes("x")).code() == Errc::kNotFound);
}

TEST_CASE("sim_file_system: a copy reads its own files, not the original's") {
  SimFileSystem fs;
  REQUIRE(fs.CreateFile("f").ok());
  REQUIRE(fs.Append("f", Bytes("original")).ok());
  CHECK(ReadAll(fs, "f") == "original");
  SimFileSystem copy = fs;
  REQUIRE(fs.Remove("f").ok());
  CHECK(ReadAll(copy, "f") == "original");
  REQUIRE(copy.Append("f", Bytes("+")).ok());
  CHECK(ReadAll(copy, "f") == "original+");
  CHECK_FALSE(fs.Exists("f"));
}

TEST_CASE("sim_file_system: a crash drops unsynced appends and keeps synced ones") {
  SimFileSystem fs;
  REQUIRE(fs.CreateFile("f").ok());
  REQUIRE(fs.Append("f", Bytes("durable")).ok());
  REQUIRE(fs.Sync("f").ok());
  REQUIRE(fs.Append("f", Bytes(" volatile")).ok());
  REQUIRE(fs.CreateFile("g").ok());
  REQUIRE(fs.Append("g", Bytes("never synced")).ok());
  CHECK(fs.DurableSize("f") == 7);
  Rng rng(1);
  fs.LoseUnsyncedData(rng, /*torn_tail=*/false);
  CHECK(ReadAll(fs, "f") == "durable");
  CHECK(fs.Exists("g"));  // directory operations are durable at once
  CHECK(ReadAll(fs, "g").empty());
  CHECK(fs.used_bytes() == 7);
}

TEST_CASE("sim_file_system: a crash undoes unsynced overwrites and truncations") {
  SimFileSystem fs;
  REQUIRE(fs.CreateFile("f").ok());
  REQUIRE(fs.Append("f", Bytes("0123456789")).ok());
  REQUIRE(fs.Sync("f").ok());
  REQUIRE(fs.WriteAt("f", 2, Bytes("ab")).ok());
  REQUIRE(fs.Truncate("f", 3).ok());
  REQUIRE(fs.Append("f", Bytes("XYZWVUTSRQPO")).ok());
  REQUIRE(fs.WriteAt("f", 1, Bytes("!")).ok());
  CHECK(ReadAll(fs, "f") == "0!aXYZWVUTSRQPO");
  REQUIRE(fs.CorruptByte("f", 2).ok());  // the durable '2', held in the undo list
  Rng rng(7);
  fs.LoseUnsyncedData(rng, false);
  std::string expected = "0123456789";
  expected[2] = static_cast<char>(expected[2] ^ 0xff);
  CHECK(ReadAll(fs, "f") == expected);
}

TEST_CASE("sim_file_system: a truncation is durable once any file is synced, as ext4 commits") {
  SimFileSystem fs;
  REQUIRE(fs.CreateFile("log").ok());
  REQUIRE(fs.Append("log", Bytes("0123456789")).ok());
  REQUIRE(fs.Sync("log").ok());
  REQUIRE(fs.WriteAt("log", 1, Bytes("ab")).ok());  // an overwrite partly below the cut
  REQUIRE(fs.Truncate("log", 2).ok());
  REQUIRE(fs.Append("log", Bytes("new")).ok());
  REQUIRE(fs.CreateFile("checkpoint").ok());
  REQUIRE(fs.Append("checkpoint", Bytes("epoch 2")).ok());
  REQUIRE(fs.Sync("checkpoint").ok());  // commits the journal: the truncation with it
  CHECK(fs.DurableSize("log") == 2);
  Rng rng(3);
  fs.LoseUnsyncedData(rng, false);
  // The truncation stays, the bytes appended after it are lost, the overwrite below the cut is
  // undone; the checkpoint is kept.
  CHECK(ReadAll(fs, "log") == "01");
  CHECK(ReadAll(fs, "checkpoint") == "epoch 2");
}

TEST_CASE("sim_file_system: without a later sync a truncation is undone by a crash") {
  SimFileSystem fs;
  REQUIRE(fs.CreateFile("log").ok());
  REQUIRE(fs.Append("log", Bytes("0123456789")).ok());
  REQUIRE(fs.Sync("log").ok());
  REQUIRE(fs.Truncate("log", 4).ok());
  REQUIRE(fs.Rename("log", "log.moved").ok());
  Rng rng(3);
  fs.LoseUnsyncedData(rng, false);
  CHECK(ReadAll(fs, "log.moved") == "0123456789");
}

TEST_CASE("sim_file_system: a torn tail keeps a prefix of the unsynced bytes") {
  std::set<std::uint64_t> sizes;
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    SimFileSystem fs;
    REQUIRE(fs.CreateFile("f").ok());
    REQUIRE(fs.Append("f", Bytes("abcd")).ok());
    REQUIRE(fs.Sync("f").ok());
    REQUIRE(fs.Append("f", Bytes("efghij")).ok());
    Rng rng(seed);
    fs.LoseUnsyncedData(rng, /*torn_tail=*/true);
    const std::string kept = ReadAll(fs, "f");
    CHECK(std::string("abcdefghij").compare(0, kept.size(), kept) == 0);
    CHECK(kept.size() >= 4);
    CHECK(fs.DurableSize("f") == kept.size());
    sizes.insert(kept.size());
  }
  CHECK(sizes.size() > 3);  // the prefix length really is random
}

TEST_CASE("sim_file_system: a full disk fails writes with kNoSpace and a message") {
  SimFileSystem fs;
  fs.SetCapacityBytes(10);
  REQUIRE(fs.CreateFile("f").ok());
  REQUIRE(fs.Append("f", Bytes("12345678")).ok());
  Status s = fs.Append("f", Bytes("abc"));
  CHECK(s.code() == Errc::kNoSpace);
  CHECK(s.message() == "No space left on device: writing 3 bytes to f (8 of 10 bytes used)");
  CHECK(ReadAll(fs, "f") == "12345678");
  REQUIRE(fs.Truncate("f", 2).ok());
  CHECK(fs.Append("f", Bytes("abc")).ok());
  fs.SetCapacityBytes(std::nullopt);
  CHECK(fs.Append("f", std::vector<std::uint8_t>(100)).ok());
}

TEST_CASE("sim_file_system: corrupting a byte flips durable data and rejects unsynced bytes") {
  SimFileSystem fs;
  REQUIRE(fs.CreateFile("f").ok());
  REQUIRE(fs.Append("f", Bytes("AB")).ok());
  REQUIRE(fs.Sync("f").ok());
  REQUIRE(fs.Append("f", Bytes("C")).ok());
  REQUIRE(fs.CorruptByte("f", 1).ok());
  CHECK(ReadAll(fs, "f") == std::string("A") + static_cast<char>('B' ^ 0xff) + "C");
  CHECK(fs.CorruptByte("f", 2).code() == Errc::kInvalidArgument);
  CHECK(fs.CorruptByte("g", 0).code() == Errc::kNotFound);
  fs.SetSyncLatency(Milliseconds(25));
  CHECK(fs.sync_latency() == Milliseconds(25));
}

TEST_CASE("mirrored_file_system: the real directory follows the simulated disk") {
  ScratchDir dir("mirror");
  const std::string root = dir.path() + "/broker-1";
  std::filesystem::create_directories(root + "/stale");
  MirroredFileSystem fs(root);
  CHECK_FALSE(std::filesystem::exists(root + "/stale"));
  REQUIRE(fs.CreateDirs("cities-0").ok());
  REQUIRE(fs.CreateFile("cities-0/00000000000000000000.log").ok());
  REQUIRE(fs.Append("cities-0/00000000000000000000.log", Bytes("synced")).ok());
  REQUIRE(fs.Sync("cities-0/00000000000000000000.log").ok());
  REQUIRE(fs.Append("cities-0/00000000000000000000.log", Bytes("+lost")).ok());
  auto real = [&] {
    std::ifstream in(root + "/cities-0/00000000000000000000.log", std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  CHECK(real() == "synced+lost");
  Rng rng(3);
  fs.LoseUnsyncedData(rng, false);
  CHECK(real() == "synced");
  REQUIRE(fs.CorruptByte("cities-0/00000000000000000000.log", 0).ok());
  CHECK(real()[0] == static_cast<char>('s' ^ 0xff));
  REQUIRE(fs.Rename("cities-0", "cities-0.deleted").ok());
  CHECK(std::filesystem::exists(root + "/cities-0.deleted/00000000000000000000.log"));
  REQUIRE(fs.Remove("cities-0.deleted").ok());
  CHECK_FALSE(std::filesystem::exists(root + "/cities-0.deleted"));
  CHECK(fs.mirror_status().ok());
}

}  // namespace
}  // namespace kafkasim
