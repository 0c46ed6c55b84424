// The PostgreSQL CDR store against a real server that the suite starts
// (tests/support/postgres_server.h); each test has a database of its own.
#include "cdr/postgres_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/cdr/sample_records.h"
#include <libpq-fe.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/postgres_server.h"

namespace prid::cdr {
namespace {

using samples::Bare;
using samples::Full;

using ::testing::HasSubstr;
using ::testing::Not;

// A call on `span` from `calling` to `called` that went idle at `idle`.
Record Call(std::uint64_t call_id, EpochMs idle, int span = 1, std::string called = "100",
            std::string calling = "200", std::optional<int> cause = 16) {
  Record r = Bare();
  r.call_id = call_id;
  r.idle = idle;
  r.created = idle - 1000;
  r.span = span;
  r.called = std::move(called);
  r.calling = std::move(calling);
  r.cause = cause;
  r.cause_name = cause ? "some_cause" : "";
  return r;
}

std::vector<std::uint64_t> CallIds(const std::vector<Record>& records) {
  std::vector<std::uint64_t> out;
  for (const Record& r : records) out.push_back(r.call_id);
  return out;
}

struct ConnDeleter {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};

class PostgresStoreTest : public ::testing::Test {
 protected:
  // One server for the suite: initdb takes longer than a test.
  static void SetUpTestSuite() {
    server_ = new testing::PostgresServer;
    start_ = server_->Start();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(start_.ok()) << start_.message();
    if (!server_->running()) {
      const base::Status s = server_->Start();
      ASSERT_TRUE(s.ok()) << s.message();
    }
    static int databases = 0;
    database_ = "test" + std::to_string(++databases);
    Sql("CREATE DATABASE " + database_, "postgres");
    conninfo_ = server_->conninfo(database_);
  }

  // Runs `sql` in the test's database (or `dbname`): the first value of
  // the first row, "" when there is none. A failure fails the test.
  std::string Sql(const std::string& sql, const std::string& dbname = "") {
    std::unique_ptr<PGconn, ConnDeleter> conn(
        PQconnectdb(server_->conninfo(dbname.empty() ? database_ : dbname).c_str()));
    if (PQstatus(conn.get()) != CONNECTION_OK) {
      ADD_FAILURE() << "cannot connect for " << sql << ": " << PQerrorMessage(conn.get());
      return "";
    }
    std::unique_ptr<PGresult, ResultDeleter> result(PQexec(conn.get(), sql.c_str()));
    const ExecStatusType status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      ADD_FAILURE() << sql << ": " << PQerrorMessage(conn.get());
      return "";
    }
    if (status == PGRES_COMMAND_OK || PQntuples(result.get()) == 0) return "";
    return PQgetvalue(result.get(), 0, 0);
  }

  int Rows() { return std::stoi(Sql("SELECT count(*) FROM prid_cdr")); }

  std::unique_ptr<PostgresStore> OpenStore() {
    auto store = std::make_unique<PostgresStore>(conninfo_);
    const base::Status s = store->Open();
    EXPECT_TRUE(s.ok()) << s.message();
    return store;
  }

  std::vector<Record> SelectAll(PostgresStore& store, Query query = {}) {
    auto records = store.Select(query);
    EXPECT_TRUE(records) << records.error();
    return records ? *records : std::vector<Record>{};
  }

  static testing::PostgresServer* server_;
  static base::Status start_;
  std::string database_;
  std::string conninfo_;
};

testing::PostgresServer* PostgresStoreTest::server_ = nullptr;
base::Status PostgresStoreTest::start_;

TEST_F(PostgresStoreTest, FullAndBareRecordsRoundTrip) {
  auto store = OpenStore();
  const std::vector<Record> records = {Bare(), Full()};
  const base::Status s = store->Write(records);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(SelectAll(*store), records);
}

TEST_F(PostgresStoreTest, TableHasOneTypedColumnPerField) {
  auto store = OpenStore();
  std::string expected;
  for (const Column& c : Columns()) {
    const char* type = c.kind == ColumnKind::kInteger ? "bigint"
                       : c.kind == ColumnKind::kText  ? "text"
                       : c.kind == ColumnKind::kTime  ? "timestamp with time zone"
                                                      : "boolean";
    expected += std::string(c.name) + " " + type + (c.nullable ? " YES" : " NO") + ",";
  }
  EXPECT_EQ(Sql("SELECT string_agg(column_name || ' ' || data_type || ' ' || is_nullable, ',' ORDER BY "
                "ordinal_position) || ',' FROM information_schema.columns WHERE table_name = 'prid_cdr'"),
            expected);
  EXPECT_EQ(Sql("SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM pg_index i, "
                "unnest(i.indkey) WITH ORDINALITY k(attnum, n), pg_attribute a "
                "WHERE i.indrelid = 'prid_cdr'::regclass AND i.indisprimary "
                "AND a.attrelid = i.indrelid AND a.attnum = k.attnum"),
            "instance,call_id");
  EXPECT_EQ(Sql("SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes "
                "WHERE tablename = 'prid_cdr' AND indexname <> 'prid_cdr_pkey'"),
            "prid_cdr_called,prid_cdr_calling,prid_cdr_idle,prid_cdr_span_idle");
  EXPECT_EQ(Sql("SELECT indexdef FROM pg_indexes WHERE indexname = 'prid_cdr_span_idle'"),
            "CREATE INDEX prid_cdr_span_idle ON public.prid_cdr USING btree (span, idle)");
}

TEST_F(PostgresStoreTest, TimesAreTimestampsInTheTable) {
  auto store = OpenStore();
  ASSERT_TRUE(store->Write(std::vector<Record>{Full()}).ok());
  EXPECT_EQ(Sql("SELECT to_char(connected AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') FROM prid_cdr"),
            "2025-12-03 12:00:01.000");
  EXPECT_EQ(Sql("SELECT extract(epoch FROM idle) * 1000 FROM prid_cdr")
                .substr(0, 13),
            "1764763213400");
  EXPECT_EQ(Sql("SELECT retried FROM prid_cdr"), "t");
}

TEST_F(PostgresStoreTest, FreshDatabaseGetsTheCurrentVersionOnce) {
  auto store = OpenStore();
  auto again = OpenStore();
  EXPECT_EQ(Sql("SELECT count(*) || ':' || max(version) FROM prid_cdr_schema"),
            "1:" + std::to_string(kSchemaVersion));
}

TEST_F(PostgresStoreTest, WritingTheSameRecordsTwiceLeavesOneRowEach) {
  auto store = OpenStore();
  const std::vector<Record> first = {Call(1, 1000), Call(2, 2000)};
  ASSERT_TRUE(store->Write(first).ok());
  const std::vector<Record> resent = {Call(1, 1000), Call(2, 2000), Call(3, 3000)};
  const base::Status s = store->Write(resent);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(Rows(), 3);
  EXPECT_EQ(SelectAll(*store), resent);
}

TEST_F(PostgresStoreTest, EmptyWriteSucceeds) {
  auto store = OpenStore();
  EXPECT_TRUE(store->Write({}).ok());
  EXPECT_EQ(Rows(), 0);
}

class PostgresStoreSelectTest : public PostgresStoreTest {
 protected:
  void SetUp() override {
    PostgresStoreTest::SetUp();
    if (HasFatalFailure()) return;
    store_ = OpenStore();
    const std::vector<Record> records = {
        Call(1, 1000, 1, "100", "200", 16),  Call(2, 2000, 2, "300", "100", 17),
        Call(3, 3000, 1, "400", "500", std::nullopt), Call(4, 4000, 2, "100", "600", 16),
        Call(5, 5000, 1, "700", "800", 34),
    };
    const base::Status s = store_->Write(records);
    ASSERT_TRUE(s.ok()) << s.message();
  }
  std::vector<std::uint64_t> Ids(Query query) { return CallIds(SelectAll(*store_, query)); }

  std::unique_ptr<PostgresStore> store_;
};

TEST_F(PostgresStoreSelectTest, AllOldestFirst) {
  EXPECT_EQ(Ids({}), (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
}

TEST_F(PostgresStoreSelectTest, SinceIsInclusive) {
  Query query;
  query.since = 3000;
  EXPECT_EQ(Ids(query), (std::vector<std::uint64_t>{3, 4, 5}));
  query.since = 3001;
  EXPECT_EQ(Ids(query), (std::vector<std::uint64_t>{4, 5}));
}

TEST_F(PostgresStoreSelectTest, Span) {
  Query query;
  query.span = 2;
  EXPECT_EQ(Ids(query), (std::vector<std::uint64_t>{2, 4}));
}

TEST_F(PostgresStoreSelectTest, NumberMatchesCalledOrCallingExactly) {
  Query query;
  query.number = "100";
  EXPECT_EQ(Ids(query), (std::vector<std::uint64_t>{1, 2, 4}));
  query.number = "10";
  EXPECT_EQ(Ids(query), (std::vector<std::uint64_t>{}));
}

TEST_F(PostgresStoreSelectTest, Cause) {
  Query query;
  query.cause = 16;
  EXPECT_EQ(Ids(query), (std::vector<std::uint64_t>{1, 4}));
}

TEST_F(PostgresStoreSelectTest, LimitGivesTheLastOldestFirst) {
  Query query;
  query.limit = 2;
  EXPECT_EQ(Ids(query), (std::vector<std::uint64_t>{4, 5}));
  query.limit = 0;
  EXPECT_EQ(Ids(query), (std::vector<std::uint64_t>{}));
}

TEST_F(PostgresStoreSelectTest, FiltersCombine) {
  Query query;
  query.since = 1500;
  query.span = 2;
  query.number = "100";
  query.cause = 16;
  EXPECT_EQ(Ids(query), (std::vector<std::uint64_t>{4}));
  Query last_on_span;
  last_on_span.span = 1;
  last_on_span.limit = 2;
  EXPECT_EQ(Ids(last_on_span), (std::vector<std::uint64_t>{3, 5}));
}

TEST_F(PostgresStoreTest, NewerSchemaVersionFailsOpen) {
  OpenStore();
  Sql("UPDATE prid_cdr_schema SET version = " + std::to_string(kSchemaVersion + 1));
  PostgresStore store(conninfo_);
  const base::Status s = store.Open();
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("PostgreSQL CDR schema is version " + std::to_string(kSchemaVersion + 1) +
                                     ", newer than this prid's " + std::to_string(kSchemaVersion) +
                                     ": upgrade prid"));
  EXPECT_THAT(s.message(), HasSubstr(store.target()));
  // Nothing was changed.
  EXPECT_EQ(Sql("SELECT version FROM prid_cdr_schema"), std::to_string(kSchemaVersion + 1));
}

TEST_F(PostgresStoreTest, ReaderReadsWhatAWriterWroteAndCannotWrite) {
  auto writer = OpenStore();
  ASSERT_TRUE(writer->Write(std::vector<Record>{Full()}).ok());
  PostgresStore reader(conninfo_, PostgresStore::Access::kReadOnly);
  const base::Status opened = reader.Open();
  ASSERT_TRUE(opened.ok()) << opened.message();
  EXPECT_EQ(SelectAll(reader), std::vector<Record>{Full()});
  const base::Status wrote = reader.Write(std::vector<Record>{Bare()});
  ASSERT_FALSE(wrote.ok());
  EXPECT_THAT(wrote.message(), HasSubstr("read-only"));
  EXPECT_EQ(Rows(), 1);
}

TEST_F(PostgresStoreTest, ReaderOfAnEmptyDatabaseCreatesNothing) {
  PostgresStore reader(conninfo_, PostgresStore::Access::kReadOnly);
  const base::Status s = reader.Open();
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("has a prid written CDRs to it?"));
  EXPECT_EQ(Sql("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'prid_cdr%'"), "0");
}

TEST_F(PostgresStoreTest, ReaderOfAnOlderSchemaDoesNotMigrateIt) {
  Sql("CREATE TABLE prid_cdr_schema (version integer NOT NULL)");
  Sql("INSERT INTO prid_cdr_schema VALUES (0)");
  PostgresStore reader(conninfo_, PostgresStore::Access::kReadOnly);
  const base::Status s = reader.Open();
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("version 0, older than this prictl's"));
  EXPECT_EQ(Sql("SELECT version FROM prid_cdr_schema"), "0");
  EXPECT_EQ(Sql("SELECT to_regclass('prid_cdr') IS NULL"), "t");
}

TEST_F(PostgresStoreTest, OlderSchemaIsMigrated) {
  Sql("CREATE TABLE prid_cdr_schema (version integer NOT NULL)");
  Sql("INSERT INTO prid_cdr_schema VALUES (0)");
  auto store = OpenStore();
  EXPECT_EQ(Sql("SELECT count(*) || ':' || max(version) FROM prid_cdr_schema"),
            "1:" + std::to_string(kSchemaVersion));
  ASSERT_TRUE(store->Write(std::vector<Record>{Full()}).ok());
  EXPECT_EQ(SelectAll(*store), std::vector<Record>{Full()});
}

TEST_F(PostgresStoreTest, TwoPridsShareOneDatabase) {
  // Both create the schema at once: the advisory lock lets one do it.
  std::unique_ptr<PostgresStore> stores[2] = {std::make_unique<PostgresStore>(conninfo_),
                                              std::make_unique<PostgresStore>(conninfo_)};
  base::Status opened[2];
  {
    std::thread a([&] { opened[0] = stores[0]->Open(); });
    std::thread b([&] { opened[1] = stores[1]->Open(); });
    a.join();
    b.join();
  }
  ASSERT_TRUE(opened[0].ok()) << opened[0].message();
  ASSERT_TRUE(opened[1].ok()) << opened[1].message();
  EXPECT_EQ(Sql("SELECT count(*) FROM prid_cdr_schema"), "1");

  // The same call ids from two daemon runs are different calls.
  Record a1 = Call(1, 1000), a2 = Call(2, 3000), b1 = Call(1, 2000), b2 = Call(2, 4000);
  a1.instance = a2.instance = "prid-a";
  b1.instance = b2.instance = "prid-b";
  ASSERT_TRUE(stores[0]->Write(std::vector<Record>{a1, a2}).ok());
  ASSERT_TRUE(stores[1]->Write(std::vector<Record>{b1, b2}).ok());
  EXPECT_EQ(Rows(), 4);
  const std::vector<Record> all = {a1, b1, a2, b2};
  EXPECT_EQ(SelectAll(*stores[0]), all);
  EXPECT_EQ(SelectAll(*stores[1]), all);
}

TEST_F(PostgresStoreTest, ServerGoneThenBackWritesEverythingOnce) {
  auto store = OpenStore();
  const std::vector<Record> first = {Call(1, 1000), Call(2, 2000)};
  ASSERT_TRUE(store->Write(first).ok());

  base::Status s = server_->Stop();
  ASSERT_TRUE(s.ok()) << s.message();
  const std::vector<Record> second = {Call(3, 3000), Call(4, 4000)};
  s = store->Write(second);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("PostgreSQL CDR store " + store->target()));
  EXPECT_THAT(s.message(), HasSubstr("call 3"));
  s = store->Open();
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("cannot connect"));
  EXPECT_THAT(s.message(), HasSubstr("is the server up? check [cdr] postgresql in prid.conf"));

  s = server_->Start();
  ASSERT_TRUE(s.ok()) << s.message();
  s = store->Open();
  ASSERT_TRUE(s.ok()) << s.message();
  // The writer resends the failed batch and more.
  const std::vector<Record> resent = {Call(2, 2000), Call(3, 3000), Call(4, 4000), Call(5, 5000)};
  s = store->Write(resent);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(Rows(), 5);
  EXPECT_EQ(CallIds(SelectAll(*store)), (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
}

TEST_F(PostgresStoreTest, FailedRecordRollsBackTheBatchAndIsNamed) {
  auto store = OpenStore();
  Record bad = Call(2, 2000);
  bad.called = "\xff\xfe";  // not UTF-8: the server refuses it
  const base::Status s = store->Write(std::vector<Record>{Call(1, 1000), bad, Call(3, 3000)});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("cannot write call 2 of instance 5f0c"));
  EXPECT_THAT(s.message(), HasSubstr("UTF8"));
  EXPECT_EQ(Rows(), 0);
  // The connection is still good: Open and carry on.
  const base::Status open = store->Open();
  ASSERT_TRUE(open.ok()) << open.message();
  ASSERT_TRUE(store->Write(std::vector<Record>{Call(1, 1000), Call(3, 3000)}).ok());
  EXPECT_EQ(Rows(), 2);
}

TEST_F(PostgresStoreTest, WriteAndSelectBeforeOpenFail) {
  PostgresStore store(conninfo_);
  const base::Status s = store.Write(std::vector<Record>{Full()});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("not open"));
  EXPECT_FALSE(store.Select({}));
}

TEST_F(PostgresStoreTest, NoServerNamesTheTargetAndWhatToCheck) {
  PostgresStore store("host=" + server_->dir() + "/nowhere dbname=prid user=prid password=hunter2");
  const base::Status s = store.Open();
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(),
              HasSubstr("PostgreSQL CDR store user=prid dbname=prid host=" + server_->dir() + "/nowhere:"));
  EXPECT_THAT(s.message(), HasSubstr("is the server up? check [cdr] postgresql in prid.conf"));
  EXPECT_THAT(s.message(), Not(HasSubstr("hunter2")));
}

TEST(PostgresStoreTarget, HidesThePassword) {
  PostgresStore store("host=db.example port=5433 dbname=cdr user=prid password=hunter2");
  EXPECT_EQ(store.kind(), "postgresql");
  EXPECT_EQ(store.target(), "user=prid dbname=cdr host=db.example port=5433");
}

TEST(PostgresStoreTarget, HidesThePasswordOfAUri) {
  PostgresStore store("postgresql://prid:hunter2@db.example/cdr?sslmode=require");
  EXPECT_THAT(store.target(), Not(HasSubstr("hunter2")));
  EXPECT_THAT(store.target(), HasSubstr("host=db.example"));
  EXPECT_THAT(store.target(), HasSubstr("dbname=cdr"));
  EXPECT_THAT(store.target(), HasSubstr("sslmode=require"));
}

TEST(PostgresStoreTarget, QuotesValuesWithSpaces) {
  PostgresStore store("host=db dbname='my cdrs' password='a b'");
  EXPECT_EQ(store.target(), "dbname='my cdrs' host=db");
}

TEST(PostgresStoreTarget, UnreadableConnectionStringShowsNothingOfIt) {
  PostgresStore store("host=db password=hunter2 dbname='unterminated");
  EXPECT_THAT(store.target(), Not(HasSubstr("hunter2")));
  const base::Status s = store.Open();
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("cannot read the connection string"));
  EXPECT_THAT(s.message(), HasSubstr("check [cdr] postgresql in prid.conf"));
  EXPECT_THAT(s.message(), Not(HasSubstr("hunter2")));
}

}  // namespace
}  // namespace prid::cdr
