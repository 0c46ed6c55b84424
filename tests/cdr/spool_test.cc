// The spool on a real directory: append, sync, commit, reload.
#include "cdr/spool.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "tests/cdr/sample_records.h"
#include "tests/support/temp_dir.h"

namespace prid::cdr {
namespace {

namespace fs = std::filesystem;

Record Call(std::uint64_t id) { return samples::Numbered(id); }

std::size_t SegmentCount(const std::string& dir) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.path().extension() == ".jsonl";
  return n;
}

std::unique_ptr<Spool> OpenSpool(const std::string& dir, std::uint64_t max = 1u << 20,
                                 std::uint64_t segment = 1u << 20) {
  auto spool = Spool::Open({dir, max, segment}, {"sqlite", "jsonl"});
  EXPECT_TRUE(spool) << spool.error();
  return spool ? std::move(*spool) : nullptr;
}

TEST(Spool, EachStoreReadsFromItsOwnCursor) {
  testing::TempDir tmp;
  auto spool = OpenSpool(tmp.path());
  for (std::uint64_t id = 1; id <= 5; ++id) ASSERT_TRUE(spool->Append(Call(id)));
  ASSERT_TRUE(spool->Sync().ok());
  ASSERT_TRUE(spool->Committed(0, 3).ok());
  auto first = spool->Pending(0, 10);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].record->call_id, 4u);
  EXPECT_EQ(spool->Pending(1, 10).size(), 5u);
  EXPECT_EQ(spool->Pending(1, 2).size(), 2u);
  EXPECT_EQ(spool->Status().pending, 5u);
  ASSERT_TRUE(spool->Committed(1, 5).ok());
  EXPECT_EQ(spool->Status().pending, 2u);
}

TEST(Spool, ARestartResendsWhatAStoreHasNotCommitted) {
  testing::TempDir tmp;
  {
    auto spool = OpenSpool(tmp.path());
    for (std::uint64_t id = 1; id <= 4; ++id) ASSERT_TRUE(spool->Append(Call(id)));
    ASSERT_TRUE(spool->Committed(0, 4).ok());
    ASSERT_TRUE(spool->Committed(1, 2).ok());
  }
  auto spool = OpenSpool(tmp.path());
  EXPECT_TRUE(spool->Pending(0, 10).empty());
  auto pending = spool->Pending(1, 10);
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(*pending[0].record, Call(3));
  EXPECT_EQ(*pending[1].record, Call(4));
  // Sequence numbers go on after the ones on disk.
  auto seq = spool->Append(Call(5));
  ASSERT_TRUE(seq);
  EXPECT_EQ(*seq, 5u);
}

// A cursor is overwritten in place; one an earlier prid wrote (a shorter
// line, by rename) reads the same and is overwritten whole.
TEST(Spool, ACursorFromAnEarlierVersionIsReadAndOverwritten) {
  testing::TempDir tmp;
  {
    auto spool = OpenSpool(tmp.path());
    for (std::uint64_t id = 1; id <= 4; ++id) ASSERT_TRUE(spool->Append(Call(id)));
  }
  std::ofstream(tmp.path() + "/sqlite.cursor", std::ios::trunc) << "3\n";
  {
    auto spool = OpenSpool(tmp.path());
    auto pending = spool->Pending(0, 10);
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_EQ(pending[0].record->call_id, 4u);
    ASSERT_TRUE(spool->Committed(0, 4).ok());
  }
  std::ifstream in(tmp.path() + "/sqlite.cursor");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "00000000000000000004\n");
  EXPECT_TRUE(OpenSpool(tmp.path())->Pending(0, 10).empty());
}

TEST(Spool, SegmentsEveryStoreIsPastAreRemoved) {
  testing::TempDir tmp;
  auto spool = OpenSpool(tmp.path(), 1u << 20, 600);  // about two records a segment
  for (std::uint64_t id = 1; id <= 10; ++id) {
    ASSERT_TRUE(spool->Append(Call(id)));
    ASSERT_TRUE(spool->Sync().ok());
  }
  EXPECT_GE(SegmentCount(tmp.path()), 4u);
  const auto before = spool->Status().bytes;
  ASSERT_TRUE(spool->Committed(0, 10).ok());
  EXPECT_GE(SegmentCount(tmp.path()), 4u) << "the jsonl store still needs them";
  ASSERT_TRUE(spool->Committed(1, 10).ok());
  EXPECT_LE(SegmentCount(tmp.path()), 2u);
  EXPECT_LT(spool->Status().bytes, before);
}

TEST(Spool, ATornLastLineIsSkipped) {
  testing::TempDir tmp;
  {
    auto spool = OpenSpool(tmp.path());
    ASSERT_TRUE(spool->Append(Call(1)));
    ASSERT_TRUE(spool->Append(Call(2)));
  }
  std::string segment;
  for (const auto& e : fs::directory_iterator(tmp.path())) {
    if (e.path().extension() == ".jsonl" && fs::file_size(e.path()) > 0) segment = e.path();
  }
  ASSERT_FALSE(segment.empty());
  fs::resize_file(segment, fs::file_size(segment) - 10);  // a crash mid-write of record 2
  auto spool = OpenSpool(tmp.path());
  auto pending = spool->Pending(0, 10);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].record->call_id, 1u);
  ASSERT_TRUE(spool->Append(Call(3)));
  spool.reset();
  auto reopened = OpenSpool(tmp.path());
  EXPECT_EQ(reopened->Pending(0, 10).size(), 2u) << "appends go to a new segment, not after the torn line";
}

TEST(Spool, PastItsBoundARecordIsRefusedAndCounted) {
  testing::TempDir tmp;
  auto spool = OpenSpool(tmp.path(), 10000);  // about 16 records
  std::size_t taken = 0;
  base::Result<Seq> last = Seq{0};
  while ((last = spool->Append(Call(taken + 1)))) ++taken;
  EXPECT_GE(taken, 1u);
  EXPECT_NE(last.error().find("is full"), std::string::npos) << last.error();
  EXPECT_NE(last.error().find(tmp.path()), std::string::npos);
  EXPECT_NE(last.error().find("; the record: {\"instance\":\"5f0c\",\"call_id\":" + std::to_string(taken + 1) + ","),
            std::string::npos)
      << "the whole record, for the log: " << last.error();
  EXPECT_EQ(spool->Status().refused, 1u);
  EXPECT_TRUE(spool->Status().warning);
  // Once the stores catch up there is room again.
  ASSERT_TRUE(spool->Committed(0, taken).ok());
  ASSERT_TRUE(spool->Committed(1, taken).ok());
  ASSERT_TRUE(spool->Sync().ok());
}

// A disk that fills up: the file size limit makes write() fail (EFBIG) as
// ENOSPC would; the record is refused whole, with the reason.
TEST(Spool, AFullDiskRefusesTheRecordAndLeavesNoPartialLine) {
  testing::TempDir tmp;
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    auto spool = Spool::Open({tmp.path(), 1u << 20, 1u << 20}, {"sqlite"});
    if (!spool) ::_exit(10);
    if (!(*spool)->Append(Call(1))) ::_exit(11);
    rlimit limit{700, 700};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    auto refused = (*spool)->Append(Call(2));
    if (refused) ::_exit(12);
    if (refused.error().find("cannot write the record of call 2") == std::string::npos) ::_exit(13);
    if ((*spool)->Status().refused != 1) ::_exit(14);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  auto spool = OpenSpool(tmp.path());
  auto pending = spool->Pending(0, 10);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].record->call_id, 1u);
}

TEST(Spool, TwoSpoolsOnOneDirectoryAreRefused) {
  testing::TempDir tmp;
  auto first = OpenSpool(tmp.path());
  auto second = Spool::Open({tmp.path(), 1000, 1000}, {"sqlite"});
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().find("in use by another prid"), std::string::npos) << second.error();
  first.reset();
  EXPECT_TRUE(Spool::Open({tmp.path(), 1000, 1000}, {"sqlite"}));
}

TEST(Spool, AnUnwritableDirectoryIsAClearError) {
  auto spool = Spool::Open({"/proc/prid-cdr-spool", 1000, 1000}, {"sqlite"});
  ASSERT_FALSE(spool);
  EXPECT_NE(spool.error().find("/proc/prid-cdr-spool"), std::string::npos) << spool.error();
}

}  // namespace
}  // namespace prid::cdr
