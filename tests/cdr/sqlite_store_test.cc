// The SQLite store against real files: round trips, idempotence, the query,
// schema versions and migration, read-only opening, a reader beside the writer.
#include "cdr/sqlite_store.h"

#include <sqlite3.h>

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/cdr/sample_records.h"
#include "tests/support/temp_dir.h"

namespace prid::cdr {
namespace {

using samples::Bare;
using samples::Full;

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Record Call(std::uint64_t id, EpochMs idle, int span, std::string called, std::string calling,
            std::optional<int> cause) {
  Record r = Bare();
  r.call_id = id;
  r.idle = idle;
  r.created = idle - 1000;
  r.span = span;
  r.called = std::move(called);
  r.calling = std::move(calling);
  r.cause = cause;
  return r;
}

std::vector<std::uint64_t> Ids(const std::vector<Record>& records) {
  std::vector<std::uint64_t> ids;
  for (const Record& r : records) ids.push_back(r.call_id);
  return ids;
}

// A connection of the test's own, beside the store's.
struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using RawDb = std::unique_ptr<sqlite3, DbCloser>;

RawDb OpenRaw(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  RawDb out(db);
  EXPECT_EQ(rc, SQLITE_OK) << path;
  return out;
}

void Exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << (error != nullptr ? error : "");
  sqlite3_free(error);
}

// The first column of the first row, as text ("" without a row).
std::string QueryText(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sql << ": " << sqlite3_errmsg(db);
  std::string out;
  if (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    out = text != nullptr ? text : "";
  }
  sqlite3_finalize(stmt);
  return out;
}

std::vector<std::string> QueryColumn(sqlite3* db, const std::string& sql, int column) {
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sql << ": " << sqlite3_errmsg(db);
  std::vector<std::string> out;
  while (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, column));
    out.emplace_back(text != nullptr ? text : "");
  }
  sqlite3_finalize(stmt);
  return out;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  std::string Path() const { return dir_.File("cdr.sqlite"); }

  std::unique_ptr<SqliteStore> OpenWriter() {
    auto store = std::make_unique<SqliteStore>(Path(), SqliteStore::Access::kWrite);
    const base::Status status = store->Open();
    EXPECT_TRUE(status.ok()) << status.message();
    return store;
  }

  std::vector<Record> SelectAll(QueryableStore& store) {
    Query query;
    query.limit = 1000;
    auto records = store.Select(query);
    EXPECT_TRUE(records.ok()) << records.error();
    return records.ok() ? *records : std::vector<Record>{};
  }

  std::string Count() {
    RawDb db = OpenRaw(Path());
    return QueryText(db.get(), "SELECT count(*) FROM prid_cdr");
  }

  testing::TempDir dir_;
};

TEST_F(SqliteStoreTest, KindAndTargetNameTheFile) {
  SqliteStore store(Path(), SqliteStore::Access::kWrite);
  EXPECT_EQ(store.kind(), "sqlite");
  EXPECT_EQ(store.target(), Path());
}

TEST_F(SqliteStoreTest, FullAndBareRecordsRoundTripWithEveryField) {
  auto store = OpenWriter();
  const std::vector<Record> records = {Full(), Bare()};
  const base::Status status = store->Write(records);
  ASSERT_TRUE(status.ok()) << status.message();

  const std::vector<Record> back = SelectAll(*store);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0], Bare());  // oldest (by idle) first
  EXPECT_EQ(back[1], Full());
}

TEST_F(SqliteStoreTest, CallIdAboveInt64MaxRoundTrips) {
  auto store = OpenWriter();
  Record r = Bare();
  r.call_id = 0xfedcba9876543210ULL;
  ASSERT_TRUE(store->Write(std::span<const Record>(&r, 1)).ok());
  EXPECT_THAT(SelectAll(*store), ElementsAre(r));
}

TEST_F(SqliteStoreTest, JournalModeIsWalInTheFile) {
  auto store = OpenWriter();
  RawDb db = OpenRaw(Path());
  EXPECT_EQ(QueryText(db.get(), "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(QueryText(db.get(), "PRAGMA user_version"), std::to_string(kSchemaVersion));
}

TEST_F(SqliteStoreTest, WritingTheSameBatchTwiceLeavesOneRowEach) {
  const std::vector<Record> batch = {Full(), Bare()};
  {
    auto store = OpenWriter();
    ASSERT_TRUE(store->Write(batch).ok());
    ASSERT_TRUE(store->Write(batch).ok());
  }
  // A resend after a restart, with a changed field: the first one stays.
  auto store = OpenWriter();
  std::vector<Record> resend = batch;
  resend[0].billable_ms = 1;
  ASSERT_TRUE(store->Write(resend).ok());
  EXPECT_EQ(Count(), "2");
  EXPECT_THAT(SelectAll(*store), ElementsAre(Bare(), Full()));
}

// Batches of many rows go in statements of 16 rows and then one by one:
// every record once whatever its place, a duplicate within one statement
// or across two included, and each record's own values in its row.
TEST_F(SqliteStoreTest, ALargeBatchIsWrittenOnceInManyRowStatements) {
  auto store = OpenWriter();
  const std::vector<Record> earlier = {samples::Numbered(5), samples::Numbered(37)};
  ASSERT_TRUE(store->Write(earlier).ok());
  std::vector<Record> batch;
  for (std::uint64_t id = 1; id <= 40; ++id) {
    Record r = id % 2 == 0 ? Full() : samples::Numbered(id);
    r.call_id = id;
    r.idle = 1764763200000 + static_cast<EpochMs>(id);
    batch.push_back(r);
  }
  batch.insert(batch.begin() + 3, batch[1]);   // twice in the first 16
  batch.insert(batch.begin() + 20, batch[0]);  // again in the second 16
  batch[5].billable_ms = 99;                   // id 5: the earlier row stays
  ASSERT_TRUE(store->Write(batch).ok());
  EXPECT_EQ(Count(), "40");
  std::vector<Record> expected;
  for (std::uint64_t id = 1; id <= 40; ++id) {
    Record r = id % 2 == 0 ? Full() : samples::Numbered(id);
    r.call_id = id;
    r.idle = 1764763200000 + static_cast<EpochMs>(id);
    if (id == 5 || id == 37) r = earlier[id == 5 ? 0 : 1];
    expected.push_back(r);
  }
  Query all;
  all.limit = 100;
  auto rows = store->Select(all);
  ASSERT_TRUE(rows) << rows.error();
  std::sort(rows->begin(), rows->end(), [](const Record& a, const Record& b) { return a.call_id < b.call_id; });
  EXPECT_EQ(*rows, expected);
}

TEST_F(SqliteStoreTest, AFailedManyRowStatementNamesItsCalls) {
  auto store = OpenWriter();
  {
    RawDb db = OpenRaw(Path());
    Exec(db.get(),
         "CREATE TRIGGER refuse BEFORE INSERT ON prid_cdr WHEN NEW.call_id = 20 "
         "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
  }
  std::vector<Record> batch;
  for (std::uint64_t id = 1; id <= 33; ++id) batch.push_back(samples::Numbered(id));
  const base::Status status = store->Write(batch);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("calls 17 to 32 of instance 5f0c"));
  EXPECT_THAT(status.message(), HasSubstr("none of the 33 records"));
  EXPECT_EQ(Count(), "0");
}

TEST_F(SqliteStoreTest, SameCallIdOfAnotherInstanceIsAnotherRow) {
  auto store = OpenWriter();
  Record other = Full();
  other.instance = "77aa";
  const std::vector<Record> batch = {Full(), other};
  ASSERT_TRUE(store->Write(batch).ok());
  EXPECT_EQ(Count(), "2");
}

TEST_F(SqliteStoreTest, SelectFiltersAndReturnsTheNewestLimitOldestFirst) {
  auto store = OpenWriter();
  const EpochMs t = 1764763200000;
  const std::vector<Record> batch = {
      Call(1, t + 1000, 1, "100", "200", 16),      //
      Call(2, t + 2000, 2, "100", "300", 17),      //
      Call(3, t + 3000, 1, "400", "100", std::nullopt),
      Call(4, t + 4000, 2, "500", "600", 16),      //
      Call(6, t + 5000, 1, "100", "700", 16),      // same idle as 5: call_id breaks the tie
      Call(5, t + 5000, 1, "800", "900", 31),      //
  };
  ASSERT_TRUE(store->Write(batch).ok());

  auto select = [&](Query q) {
    auto r = store->Select(q);
    EXPECT_TRUE(r.ok()) << r.error();
    return r.ok() ? Ids(*r) : std::vector<std::uint64_t>{};
  };
  auto with = [](auto set) {
    Query q;
    set(q);
    return q;
  };
  EXPECT_THAT(select(Query()), ElementsAre(1, 2, 3, 4, 5, 6));
  EXPECT_THAT(select(with([&](Query& q) { q.since = t + 3000; })), ElementsAre(3, 4, 5, 6));
  EXPECT_THAT(select(with([](Query& q) { q.span = 2; })), ElementsAre(2, 4));
  // called or calling, exactly
  EXPECT_THAT(select(with([](Query& q) { q.number = "100"; })), ElementsAre(1, 2, 3, 6));
  EXPECT_THAT(select(with([](Query& q) { q.number = "10"; })), ElementsAre());
  EXPECT_THAT(select(with([](Query& q) { q.cause = 16; })), ElementsAre(1, 4, 6));
  EXPECT_THAT(select(with([&](Query& q) {
                q.since = t + 2000;
                q.span = 1;
                q.number = "100";
                q.cause = 16;
              })),
              ElementsAre(6));
  EXPECT_THAT(select(with([](Query& q) { q.limit = 3; })), ElementsAre(4, 5, 6));
  EXPECT_THAT(select(with([](Query& q) { q.limit = 1; })), ElementsAre(6));
  EXPECT_THAT(select(with([](Query& q) {
                q.span = 1;
                q.limit = 2;
              })),
              ElementsAre(5, 6));
}

TEST_F(SqliteStoreTest, NewerSchemaFailsToOpenAndSaysUpgrade) {
  {
    RawDb db = OpenRaw(Path());
    Exec(db.get(), "CREATE TABLE prid_cdr (x INTEGER); PRAGMA user_version = 2");
  }
  SqliteStore writer(Path(), SqliteStore::Access::kWrite);
  const base::Status status = writer.Open();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(), "SQLite CDR schema in " + Path() +
                                  " is version 2, newer than this prid's 1: upgrade prid");

  SqliteStore reader(Path(), SqliteStore::Access::kReadOnly);
  const base::Status read_status = reader.Open();
  ASSERT_FALSE(read_status.ok());
  EXPECT_THAT(read_status.message(), HasSubstr("is version 2, newer than this prictl's 1"));
}

TEST_F(SqliteStoreTest, VersionZeroWithoutTheTableIsMigratedToTheSchema) {
  {
    // An existing database at user_version 0 holding something else.
    RawDb db = OpenRaw(Path());
    Exec(db.get(), "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('kept')");
  }
  auto store = OpenWriter();
  RawDb db = OpenRaw(Path());
  EXPECT_EQ(QueryText(db.get(), "PRAGMA user_version"), "1");
  EXPECT_EQ(QueryText(db.get(), "SELECT text FROM notes"), "kept");
  std::vector<std::string> want;
  for (const Column& c : Columns()) want.emplace_back(c.name);
  EXPECT_EQ(QueryColumn(db.get(), "PRAGMA table_info(prid_cdr)", 1), want);
  // NOT NULL exactly where Columns() says so.
  const auto notnull = QueryColumn(db.get(), "PRAGMA table_info(prid_cdr)", 3);
  for (std::size_t i = 0; i < Columns().size() && i < notnull.size(); ++i) {
    EXPECT_EQ(notnull[i], Columns()[i].nullable ? "0" : "1") << Columns()[i].name;
  }
  EXPECT_THAT(QueryColumn(db.get(),
                          "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = "
                          "'prid_cdr' AND sql IS NOT NULL ORDER BY name",
                          0),
              ElementsAre("prid_cdr_called", "prid_cdr_calling", "prid_cdr_idle", "prid_cdr_span_idle"));
}

TEST_F(SqliteStoreTest, ReopeningAtTheSameVersionKeepsTheRows) {
  {
    auto store = OpenWriter();
    const std::vector<Record> batch = {Full()};
    ASSERT_TRUE(store->Write(batch).ok());
  }
  auto store = OpenWriter();
  EXPECT_THAT(SelectAll(*store), ElementsAre(Full()));
}

// The mechanism, with a fabricated history of three versions.
std::vector<SqliteSchemaStep> History() {
  return {
      {1, "CREATE TABLE t (a INTEGER NOT NULL)"},
      {2, "ALTER TABLE t ADD COLUMN b TEXT NOT NULL DEFAULT 'two'"},
      {3, "CREATE INDEX t_b ON t (b); UPDATE t SET a = a * 10"},
  };
}

TEST_F(SqliteStoreTest, MigrationRunsTheLaterStepsInOrderFromAnOlderVersion) {
  RawDb db = OpenRaw(Path());
  Exec(db.get(), "CREATE TABLE t (a INTEGER NOT NULL); INSERT INTO t VALUES (4); PRAGMA user_version = 1");
  const auto steps = History();
  const base::Status status = ApplySqliteSchemaSteps(db.get(), steps, Path());
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(QueryText(db.get(), "PRAGMA user_version"), "3");
  EXPECT_EQ(QueryText(db.get(), "SELECT a || ' ' || b FROM t"), "40 two");
  EXPECT_EQ(QueryText(db.get(), "SELECT count(*) FROM sqlite_master WHERE name = 't_b'"), "1");
  // At the last version: nothing more runs (step 3 would multiply again).
  ASSERT_TRUE(ApplySqliteSchemaSteps(db.get(), steps, Path()).ok());
  EXPECT_EQ(QueryText(db.get(), "SELECT a FROM t"), "40");
}

TEST_F(SqliteStoreTest, MigrationFromVersionZeroRunsEveryStep) {
  RawDb db = OpenRaw(Path());
  const auto steps = History();
  ASSERT_TRUE(ApplySqliteSchemaSteps(db.get(), steps, Path()).ok());
  EXPECT_EQ(QueryText(db.get(), "PRAGMA user_version"), "3");
  EXPECT_EQ(QueryColumn(db.get(), "PRAGMA table_info(t)", 1), (std::vector<std::string>{"a", "b"}));
}

TEST_F(SqliteStoreTest, FailingMigrationStepRollsBackEveryStep) {
  RawDb db = OpenRaw(Path());
  Exec(db.get(), "CREATE TABLE t (a INTEGER NOT NULL); INSERT INTO t VALUES (4); PRAGMA user_version = 1");
  std::vector<SqliteSchemaStep> steps = History();
  steps[2].sql = "UPDATE t SET a = a * 10; SELECT * FROM no_such_table";
  const base::Status status = ApplySqliteSchemaSteps(db.get(), steps, Path());
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr(Path() + " from version 2 to 3: no such table: no_such_table"));
  EXPECT_EQ(QueryText(db.get(), "PRAGMA user_version"), "1");
  EXPECT_EQ(QueryColumn(db.get(), "PRAGMA table_info(t)", 1), std::vector<std::string>{"a"});
  EXPECT_EQ(QueryText(db.get(), "SELECT a FROM t"), "4");
}

TEST_F(SqliteStoreTest, MigrationRefusesAGapInTheSteps) {
  RawDb db = OpenRaw(Path());
  std::vector<SqliteSchemaStep> steps = History();
  steps.erase(steps.begin() + 1);
  const base::Status status = ApplySqliteSchemaSteps(db.get(), steps, Path());
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("no step from version 1 to 2"));
  EXPECT_EQ(QueryText(db.get(), "PRAGMA user_version"), "0");
}

TEST_F(SqliteStoreTest, MigrationRefusesANewerVersion) {
  RawDb db = OpenRaw(Path());
  Exec(db.get(), "PRAGMA user_version = 4");
  const auto steps = History();
  const base::Status status = ApplySqliteSchemaSteps(db.get(), steps, Path());
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("is version 4, newer than this prid's 3: upgrade prid"));
}

TEST_F(SqliteStoreTest, ReadOnlyOpenOfAMissingFileFailsAndCreatesNothing) {
  SqliteStore store(Path(), SqliteStore::Access::kReadOnly);
  const base::Status status = store.Open();
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("no CDR table in " + Path()));
  EXPECT_THAT(status.message(), HasSubstr("is [cdr] sqlite set in prid.conf"));
  EXPECT_FALSE(std::filesystem::exists(Path()));
  EXPECT_FALSE(std::filesystem::exists(Path() + "-wal"));
  EXPECT_FALSE(store.Select(Query()).ok());
}

TEST_F(SqliteStoreTest, ReadOnlyOpenOfADatabaseWithoutTheTableFailsAndChangesNothing) {
  {
    RawDb db = OpenRaw(Path());
    Exec(db.get(), "CREATE TABLE notes (text TEXT)");
  }
  SqliteStore store(Path(), SqliteStore::Access::kReadOnly);
  const base::Status status = store.Open();
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("no CDR table in " + Path()));
  RawDb db = OpenRaw(Path());
  EXPECT_EQ(QueryText(db.get(), "PRAGMA user_version"), "0");
  EXPECT_EQ(QueryText(db.get(), "SELECT count(*) FROM sqlite_master WHERE name = 'prid_cdr'"), "0");
}

TEST_F(SqliteStoreTest, ReadOnlyStoreReadsButRefusesToWrite) {
  {
    auto writer = OpenWriter();
    const std::vector<Record> batch = {Full()};
    ASSERT_TRUE(writer->Write(batch).ok());
  }
  SqliteStore reader(Path(), SqliteStore::Access::kReadOnly);
  const base::Status status = reader.Open();
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_THAT(SelectAll(reader), ElementsAre(Full()));
  const std::vector<Record> batch = {Bare()};
  const base::Status write = reader.Write(batch);
  ASSERT_FALSE(write.ok());
  EXPECT_THAT(write.message(), HasSubstr("read-only"));
}

TEST_F(SqliteStoreTest, AReaderReadsWhileTheStoreWrites) {
  auto writer = OpenWriter();
  const std::vector<Record> first = {Call(1, 1764763201000, 1, "1", "2", 16)};
  ASSERT_TRUE(writer->Write(first).ok());

  SqliteStore reader(Path(), SqliteStore::Access::kReadOnly);
  ASSERT_TRUE(reader.Open().ok());
  EXPECT_THAT(Ids(SelectAll(reader)), ElementsAre(1));

  // A reader in the middle of a read transaction does not block the
  // writer (WAL), and keeps its snapshot until it ends.
  RawDb snapshot = OpenRaw(Path());
  Exec(snapshot.get(), "BEGIN");
  EXPECT_EQ(QueryText(snapshot.get(), "SELECT count(*) FROM prid_cdr"), "1");
  const std::vector<Record> second = {Call(2, 1764763202000, 1, "1", "2", 16)};
  const base::Status status = writer->Write(second);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(QueryText(snapshot.get(), "SELECT count(*) FROM prid_cdr"), "1");
  Exec(snapshot.get(), "COMMIT");
  EXPECT_EQ(QueryText(snapshot.get(), "SELECT count(*) FROM prid_cdr"), "2");

  EXPECT_THAT(Ids(SelectAll(reader)), ElementsAre(1, 2));
}

TEST_F(SqliteStoreTest, FailedRecordRollsBackTheWholeBatchAndIsNamed) {
  auto store = OpenWriter();
  {
    RawDb db = OpenRaw(Path());
    Exec(db.get(),
         "CREATE TRIGGER refuse BEFORE INSERT ON prid_cdr WHEN NEW.call_id = 13 "
         "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
  }
  const std::vector<Record> batch = {Call(12, 1764763201000, 1, "1", "2", 16),
                                     Call(13, 1764763202000, 1, "1", "2", 16)};
  const base::Status status = store->Write(batch);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr(Path()));
  EXPECT_THAT(status.message(), HasSubstr("call 13 of instance 5f0c"));
  EXPECT_THAT(status.message(), HasSubstr("refused by the test"));
  EXPECT_EQ(Count(), "0");

  // After reopening, the store writes again.
  ASSERT_TRUE(store->Open().ok());
  const std::vector<Record> retry = {batch[0]};
  ASSERT_TRUE(store->Write(retry).ok());
  EXPECT_EQ(Count(), "1");
}

TEST_F(SqliteStoreTest, SelectNamesTheRowAndColumnItCannotRead) {
  auto store = OpenWriter();
  const std::vector<Record> batch = {Bare()};
  ASSERT_TRUE(store->Write(batch).ok());
  {
    RawDb db = OpenRaw(Path());
    Exec(db.get(), "UPDATE prid_cdr SET created = 'yesterday'");
  }
  auto records = store->Select(Query());
  ASSERT_FALSE(records.ok());
  EXPECT_THAT(records.error(), HasSubstr("call 7 of instance 5f0c"));
  EXPECT_THAT(records.error(), HasSubstr("created"));
}

TEST_F(SqliteStoreTest, OpenInAMissingDirectoryNamesTheDirectory) {
  const std::string dir = dir_.File("no-such-dir");
  SqliteStore store(dir + "/cdr.sqlite", SqliteStore::Access::kWrite);
  const base::Status status = store.Open();
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr(dir + "/cdr.sqlite"));
  EXPECT_THAT(status.message(), HasSubstr("directory " + dir + " does not exist"));
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST_F(SqliteStoreTest, OpenOfAFileThatIsNotADatabaseSaysSo) {
  {
    std::FILE* f = std::fopen(Path().c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("this is not an SQLite database, it is a text file long enough to have a header\n", f);
    std::fclose(f);
  }
  SqliteStore store(Path(), SqliteStore::Access::kWrite);
  const base::Status status = store.Open();
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("is not an SQLite database"));
}

TEST_F(SqliteStoreTest, WriteBeforeOpenFails) {
  SqliteStore store(Path(), SqliteStore::Access::kWrite);
  const std::vector<Record> batch = {Bare()};
  const base::Status status = store.Write(batch);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("not open"));
}

}  // namespace
}  // namespace prid::cdr
