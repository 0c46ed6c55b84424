// The JSON-lines store against real files: the lines, idempotent resends
// across reopening, torn lines, the tail's bound, a write that hits the
// file size limit.
#include "cdr/jsonl_store.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/cdr/sample_records.h"
#include "tests/support/temp_dir.h"

namespace prid::cdr {
namespace {

using samples::Bare;
using samples::Full;

// A record's line as the store writes it.
std::string Line(const Record& record) {
  std::string text;
  AppendJson(text, record);
  return text;
}

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<Record> Calls(std::uint64_t first, std::size_t n) {
  std::vector<Record> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(Bare(first + i));
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void AppendFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out << text;
}

// The file's lines (every one must end in a newline), as records.
std::vector<Record> ReadRecords(const std::string& path) {
  const std::string text = ReadFile(path);
  EXPECT_TRUE(text.empty() || text.back() == '\n') << "the file ends in a torn line";
  std::vector<Record> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "not JSON: " << line;
    if (j.is_discarded()) continue;
    auto record = FromJson(j);
    EXPECT_TRUE(record.ok()) << record.error() << ": " << line;
    if (record.ok()) out.push_back(*record);
  }
  return out;
}

std::vector<std::uint64_t> Ids(const std::vector<Record>& records) {
  std::vector<std::uint64_t> ids;
  for (const Record& r : records) ids.push_back(r.call_id);
  return ids;
}

class JsonlStoreTest : public ::testing::Test {
 protected:
  std::string Path() const { return dir_.File("cdr.jsonl"); }

  std::unique_ptr<JsonlStore> OpenStore() {
    auto store = std::make_unique<JsonlStore>(Path());
    const base::Status status = store->Open();
    EXPECT_TRUE(status.ok()) << status.message();
    return store;
  }

  testing::TempDir dir_;
};

TEST_F(JsonlStoreTest, KindAndTargetNameTheFile) {
  JsonlStore store(Path());
  EXPECT_EQ(store.kind(), "jsonl");
  EXPECT_EQ(store.target(), Path());
}

TEST_F(JsonlStoreTest, LinesAreCompactJsonThatFromJsonReadsBackEqual) {
  auto store = OpenStore();
  const std::vector<Record> batch = {Full(), Bare()};
  const base::Status status = store->Write(batch);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_THAT(ReadRecords(Path()), ElementsAre(Full(), Bare()));
  const std::string text = ReadFile(Path());
  EXPECT_EQ(text.find(": "), std::string::npos) << "not compact: " << text;
  EXPECT_EQ(text.substr(0, text.find('\n')), Line(Full()));
}

TEST_F(JsonlStoreTest, NewFileIsCreatedWithMode0640) {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  auto store = OpenStore();
  struct stat st {};
  ASSERT_EQ(::stat(Path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640 & ~mask);
}

TEST_F(JsonlStoreTest, ResendInTheSameRunAddsNothing) {
  auto store = OpenStore();
  const std::vector<Record> batch = Calls(1, 3);
  ASSERT_TRUE(store->Write(batch).ok());
  const std::string before = ReadFile(Path());
  ASSERT_TRUE(store->Write(batch).ok());
  EXPECT_EQ(ReadFile(Path()), before);
}

TEST_F(JsonlStoreTest, ReopenAndResendOfTheLastBatchesAddsNothing) {
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->Write(Calls(1, 3)).ok());
    ASSERT_TRUE(store->Write(Calls(4, 3)).ok());
  }
  const std::string before = ReadFile(Path());
  auto store = OpenStore();
  ASSERT_TRUE(store->Write(Calls(4, 3)).ok());
  ASSERT_TRUE(store->Write(Calls(1, 3)).ok());
  EXPECT_EQ(ReadFile(Path()), before);

  // A batch of old and new: only the new ones are added.
  ASSERT_TRUE(store->Write(Calls(5, 4)).ok());
  EXPECT_THAT(Ids(ReadRecords(Path())), ElementsAre(1, 2, 3, 4, 5, 6, 7, 8));
}

TEST_F(JsonlStoreTest, SameCallIdOfAnotherInstanceIsAnotherRecord) {
  auto store = OpenStore();
  Record other = Bare();
  other.instance = "77aa";
  const std::vector<Record> batch = {Bare(), other, Bare()};
  ASSERT_TRUE(store->Write(batch).ok());
  EXPECT_THAT(ReadRecords(Path()), ElementsAre(Bare(), other));
}

TEST_F(JsonlStoreTest, TornLastLineIsToleratedAndTheNextRecordStartsANewLine) {
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->Write(Calls(1, 2)).ok());
  }
  AppendFile(Path(), R"({"call_id":3,"instance":"5f)");
  auto store = OpenStore();
  // The complete lines before it still count.
  ASSERT_TRUE(store->Write(Calls(1, 2)).ok());
  ASSERT_TRUE(store->Write(Calls(3, 2)).ok());

  const std::string text = ReadFile(Path());
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 5u) << text;
  EXPECT_EQ(lines[2], R"({"call_id":3,"instance":"5f)");
  EXPECT_EQ(FromJson(nlohmann::json::parse(lines[3])).value(), Bare(3));
  EXPECT_EQ(FromJson(nlohmann::json::parse(lines[4])).value(), Bare(4));
  EXPECT_EQ(text.back(), '\n');
}

TEST_F(JsonlStoreTest, LinesThatAreNotRecordsAreSkipped) {
  AppendFile(Path(), "not json\n{\"no\":\"key\"}\n\n");
  auto store = OpenStore();
  const std::vector<Record> batch = {Bare()};
  ASSERT_TRUE(store->Write(batch).ok());
  EXPECT_THAT(ReadFile(Path()), HasSubstr("\n\n" + Line(Bare()) + "\n"));
}

TEST_F(JsonlStoreTest, OnlyTheFilesTailIsRemembered) {
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->Write(Calls(1, 1)).ok());
  }
  // A line longer than the tail: the tail starts inside it.
  AppendFile(Path(), std::string(JsonlStore::kTailBytes + 1000, 'x') + "\n");
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->Write(Calls(2, 1)).ok());
  }
  const auto size = std::filesystem::file_size(Path());
  auto store = OpenStore();
  ASSERT_TRUE(store->Write(Calls(2, 1)).ok());  // in the tail: skipped
  EXPECT_EQ(std::filesystem::file_size(Path()), size);
  ASSERT_TRUE(store->Write(Calls(1, 1)).ok());  // before the tail: written again
  const std::string text = ReadFile(Path());
  EXPECT_EQ(text.substr(text.rfind('\n', text.size() - 2) + 1), Line(Bare(1)) + "\n");
}

TEST_F(JsonlStoreTest, KeysWrittenSinceOpenAreBounded) {
  JsonlStore store(Path(), 3);
  ASSERT_TRUE(store.Open().ok());
  ASSERT_TRUE(store.Write(Calls(1, 4)).ok());
  // Key 1 is the one forgotten (the tail read at Open was empty); key 2 is
  // still known.
  const auto size = std::filesystem::file_size(Path());
  ASSERT_TRUE(store.Write(Calls(2, 1)).ok());
  EXPECT_EQ(std::filesystem::file_size(Path()), size);
  ASSERT_TRUE(store.Write(Calls(1, 1)).ok());
  EXPECT_THAT(Ids(ReadRecords(Path())), ElementsAre(1, 2, 3, 4, 1));
}

TEST_F(JsonlStoreTest, KeysOfTheTailCountTowardsTheBound) {
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->Write(Calls(1, 4)).ok());
  }
  JsonlStore store(Path(), 3);
  ASSERT_TRUE(store.Open().ok());
  ASSERT_TRUE(store.Write(Calls(1, 4)).ok());  // 2 to 4 remembered, 1 not
  EXPECT_THAT(Ids(ReadRecords(Path())), ElementsAre(1, 2, 3, 4, 1));
}

TEST_F(JsonlStoreTest, WriteThatHitsTheFileSizeLimitNamesThePathAndLeavesNoPartialLine) {
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->Write(Calls(1, 2)).ok());
  }
  const std::string before = ReadFile(Path());
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0) << std::strerror(errno);
  if (pid == 0) {
    // The child: room for a part of the batch only, so that the write
    // loop gets a short write and then EFBIG.
    ::close(pipe_fds[0]);
    ::signal(SIGXFSZ, SIG_IGN);
    const rlim_t limit = before.size() + 100;
    const struct rlimit rl = {limit, limit};
    int code = 2;
    std::string message = "setrlimit failed";
    if (::setrlimit(RLIMIT_FSIZE, &rl) == 0) {
      JsonlStore store(Path());
      const base::Status open = store.Open();
      message = open.message();
      if (open.ok()) {
        const base::Status status = store.Write(Calls(10, 5));
        message = status.message();
        code = status.ok() ? 1 : 0;
      }
    }
    const ssize_t n = ::write(pipe_fds[1], message.data(), message.size());
    (void)n;
    ::_exit(code);
  }
  ::close(pipe_fds[1]);
  std::string message;
  char buffer[512];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) message.append(buffer, n);
  ::close(pipe_fds[0]);
  int wstatus = 0;
  ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(WIFEXITED(wstatus)) << "child killed by signal " << WTERMSIG(wstatus);
  ASSERT_EQ(WEXITSTATUS(wstatus), 0) << message;

  EXPECT_THAT(message, HasSubstr(Path()));
  EXPECT_THAT(message, HasSubstr(std::strerror(EFBIG)));
  EXPECT_THAT(message, HasSubstr("calls 10 to 14"));
  EXPECT_EQ(ReadFile(Path()), before);

  // Without the limit the same batch goes in whole.
  auto store = OpenStore();
  ASSERT_TRUE(store->Write(Calls(10, 5)).ok());
  EXPECT_THAT(Ids(ReadRecords(Path())), ElementsAre(1, 2, 10, 11, 12, 13, 14));
}

TEST_F(JsonlStoreTest, OpenInAMissingDirectoryNamesTheDirectory) {
  const std::string dir = dir_.File("no-such-dir");
  JsonlStore store(dir + "/cdr.jsonl");
  const base::Status status = store.Open();
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr(dir + "/cdr.jsonl"));
  EXPECT_THAT(status.message(), HasSubstr(std::strerror(ENOENT)));
  EXPECT_THAT(status.message(), HasSubstr("directory " + dir + " does not exist"));
}

TEST_F(JsonlStoreTest, WriteBeforeOpenFails) {
  JsonlStore store(Path());
  const std::vector<Record> batch = {Bare()};
  const base::Status status = store.Write(batch);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("not open"));
  EXPECT_FALSE(std::filesystem::exists(Path()));
}

}  // namespace
}  // namespace prid::cdr
