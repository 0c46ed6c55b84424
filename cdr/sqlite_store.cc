// The SQLite CDR store: schema history and migration, batched inserts,
// and the query of `prictl cdr`.
#include "cdr/sqlite_store.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "cdr/sql_names.h"

namespace prid::cdr {
namespace {

using sql::ColumnList;
using sql::kTable;
using sql::Quoted;

constexpr int kBusyTimeoutMs = 5000;


// Version 1: the table as Columns() gives it today. When a version 2
// changes Columns(), freeze this step as the literal SQL it generates now
// and write step 2 as the ALTER TABLE that gets from there to Columns().
std::string SchemaVersion1() {
  std::string sql = fmt::format("CREATE TABLE {} (\n", kTable);
  for (const Column& c : Columns()) {
    const bool integer = c.kind == ColumnKind::kInteger || c.kind == ColumnKind::kBool;
    sql += fmt::format("  {} {}{},\n", Quoted(c.name), integer ? "INTEGER" : "TEXT",
                       c.nullable ? "" : " NOT NULL");
  }
  sql += "  PRIMARY KEY (\"instance\", \"call_id\")\n);\n";
  // prictl cdr: --since (idle), --number (called, calling), --span.
  sql += fmt::format("CREATE INDEX {0}_idle ON {0} (\"idle\");\n", kTable);
  sql += fmt::format("CREATE INDEX {0}_called ON {0} (\"called\");\n", kTable);
  sql += fmt::format("CREATE INDEX {0}_calling ON {0} (\"calling\");\n", kTable);
  sql += fmt::format("CREATE INDEX {0}_span_idle ON {0} (\"span\", \"idle\");\n", kTable);
  return sql;
}

// What to do about a failure, by sqlite's primary result code.
std::string Hint(int rc, const std::string& path, SqliteStore::Access access) {
  const std::filesystem::path p(path);
  const std::string dir = p.has_parent_path() ? p.parent_path().string() : ".";
  switch (rc & 0xff) {
    case SQLITE_FULL:
      return fmt::format("the disk is full: free space on the filesystem holding {}", dir);
    case SQLITE_CANTOPEN: {
      struct stat st {};
      if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        return fmt::format("directory {} does not exist: create it (writable by prid's user) or set "
                           "[cdr] sqlite in prid.conf to a path in an existing directory",
                           dir);
      }
      if (access == SqliteStore::Access::kWrite) {
        return fmt::format("check that prid's user may write {} and its directory {} (WAL keeps "
                           "{}-wal and {}-shm beside it)",
                           path, dir, path, path);
      }
      return fmt::format("check that this user may read {}, {}-wal and {}-shm (or write {})", path,
                         path, path, dir);
    }
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return fmt::format("check the permissions of {} and of its directory {}", path, dir);
    case SQLITE_NOTADB:
      return fmt::format("{} is not an SQLite database: set [cdr] sqlite in prid.conf to another file",
                         path);
    case SQLITE_CORRUPT:
      return fmt::format("the file is damaged: move {} aside (prid starts a new one) and recover "
                         "what it holds with sqlite3's .recover",
                         path);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return fmt::format("another process held it locked for over {} ms: is a second prid or an "
                         "open sqlite3 session writing to it?",
                         kBusyTimeoutMs);
    case SQLITE_IOERR:
      return "an I/O error: check the disk (the kernel log)";
    default:
      return "";
  }
}

// `message`, then what to do about `rc` where Hint knows.
std::string WithHint(std::string message, int rc, const std::string& path,
                     SqliteStore::Access access = SqliteStore::Access::kWrite) {
  const std::string hint = Hint(rc, path, access);
  if (!hint.empty()) message += ": " + hint;
  return message;
}

// What sqlite said about the last call on `db` that returned `rc`.
std::string SqliteMessage(sqlite3* db, int rc) {
  if (db != nullptr && sqlite3_errcode(db) != SQLITE_OK) return sqlite3_errmsg(db);
  return sqlite3_errstr(rc);
}

// Rolls back the open transaction, if sqlite has not already done so.
void Rollback(sqlite3* db) {
  if (sqlite3_get_autocommit(db) == 0) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
}

struct StmtFree {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using LocalStmt = std::unique_ptr<sqlite3_stmt, StmtFree>;

// The first column of the first row of `sql`: 0 with no row.
base::Result<std::int64_t> QueryInt(sqlite3* db, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &raw, nullptr);
  LocalStmt stmt(raw);
  if (rc != SQLITE_OK) return base::Fail(SqliteMessage(db, rc));
  rc = sqlite3_step(stmt.get());
  if (rc == SQLITE_ROW) return sqlite3_column_int64(stmt.get(), 0);
  if (rc == SQLITE_DONE) return std::int64_t{0};
  return base::Fail(SqliteMessage(db, rc));
}

int ColumnIndex(std::string_view name) {
  const auto& columns = Columns();
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == name) return static_cast<int>(i);
  }
  return 0;
}

Value ReadColumn(sqlite3_stmt* stmt, int i) {
  switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_NULL:
      return Value();
    case SQLITE_INTEGER:
      return Value(static_cast<std::int64_t>(sqlite3_column_int64(stmt, i)));
    default: {
      // TEXT (and anything else, which RecordFromColumns then rejects by
      // column name when an integer was due).
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
      const int bytes = sqlite3_column_bytes(stmt, i);
      return Value(std::string(text != nullptr ? text : "", static_cast<std::size_t>(bytes)));
    }
  }
}

// `value` must outlive the statement's step: the text is not copied (every
// caller binds from a vector it keeps until then, and resets and clears
// the bindings before binding again).
int Bind(sqlite3_stmt* stmt, int index, const Value& value) {
  if (const auto* i = std::get_if<std::int64_t>(&value)) return sqlite3_bind_int64(stmt, index, *i);
  if (const auto* s = std::get_if<std::string>(&value)) {
    return sqlite3_bind_text64(stmt, index, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
  }
  return sqlite3_bind_null(stmt, index);
}

// The insert's path: text is bound in place (the record and the
// ColumnViews outlive the step).
int BindView(sqlite3_stmt* stmt, int index, const ValueView& value) {
  if (const auto* i = std::get_if<std::int64_t>(&value)) return sqlite3_bind_int64(stmt, index, *i);
  if (const auto* s = std::get_if<std::string_view>(&value)) {
    return sqlite3_bind_text64(stmt, index, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
  }
  return sqlite3_bind_null(stmt, index);
}

}  // namespace

const std::vector<SqliteSchemaStep>& SqliteSchemaSteps() {
  static const std::vector<SqliteSchemaStep> steps = {
      {1, SchemaVersion1()},
  };
  return steps;
}

base::Status ApplySqliteSchemaSteps(sqlite3* db, std::span<const SqliteSchemaStep> steps,
                                    std::string_view where) {
  const std::string path(where);
  const int target = steps.empty() ? 0 : steps.back().to_version;
  // The version is read inside the write transaction, so that two daemons
  // starting on one new file do not both create the table.
  int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    return base::Status::Error(WithHint(
        fmt::format("migrating the SQLite CDR schema in {}: BEGIN: {}", where, SqliteMessage(db, rc)), rc,
        path));
  }
  auto from = QueryInt(db, "PRAGMA user_version");
  if (!from.ok()) {
    rc = sqlite3_errcode(db);
    std::string message = WithHint(
        fmt::format("SQLite CDR store {}: reading PRAGMA user_version: {}", where, from.error()), rc, path);
    Rollback(db);
    return base::Status::Error(std::move(message));
  }
  if (*from > target) {
    Rollback(db);
    return base::Status::Error(
        fmt::format("SQLite CDR schema in {} is version {}, newer than this prid's {}: upgrade prid",
                    where, *from, target));
  }
  if (*from == target) {
    Rollback(db);
    return base::Status::Ok();
  }
  int version = static_cast<int>(*from);
  for (const SqliteSchemaStep& step : steps) {
    if (step.to_version <= version) continue;
    // The steps are consecutive: a gap would skip a change silently.
    if (step.to_version != version + 1) {
      Rollback(db);
      return base::Status::Error(fmt::format(
          "migrating the SQLite CDR schema in {}: no step from version {} to {} (this prid is broken)",
          where, version, version + 1));
    }
    rc = sqlite3_exec(db, step.sql.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) {
      std::string message =
          WithHint(fmt::format("migrating the SQLite CDR schema in {} from version {} to {}: {}", where,
                               version, step.to_version, SqliteMessage(db, rc)),
                   rc, path);
      Rollback(db);
      return base::Status::Error(std::move(message));
    }
    version = step.to_version;
  }
  // user_version is in the file's header page: it commits with the steps.
  const std::string set_version = fmt::format("PRAGMA user_version = {}", version);
  rc = sqlite3_exec(db, set_version.c_str(), nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    std::string message =
        WithHint(fmt::format("migrating the SQLite CDR schema in {} to version {}: {}", where, version,
                             SqliteMessage(db, rc)),
                 rc, path);
    Rollback(db);
    return base::Status::Error(std::move(message));
  }
  return base::Status::Ok();
}

void SqliteStore::DbCloser::operator()(sqlite3* db) const { sqlite3_close_v2(db); }
void SqliteStore::StmtFinalizer::operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }

SqliteStore::SqliteStore(std::string path, Access access) : path_(std::move(path)), access_(access) {}
SqliteStore::~SqliteStore() { Close(); }

void SqliteStore::Close() {
  insert_many_.reset();
  insert_.reset();
  db_.reset();
}

std::string SqliteStore::Error(std::string_view what, int rc) const {
  return WithHint(fmt::format("SQLite CDR store {}: {}: {}", path_, what, SqliteMessage(db_.get(), rc)),
                  rc, path_, access_);
}

base::Status SqliteStore::OpenFile() {
  if (access_ == Access::kReadOnly) {
    // SQLITE_OPEN_READONLY would say only "unable to open database file".
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0 && errno == ENOENT) {
      return base::Status::Error(fmt::format(
          "no CDR table in {} (no such file): is [cdr] sqlite set in prid.conf and has prid written "
          "a record?",
          path_));
    }
  }
  // NOMUTEX: one thread uses a store (store.h); SQLite's own locking of
  // every call would cost more than the row it writes.
  const int flags = (access_ == Access::kWrite ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY) |
                    SQLITE_OPEN_NOMUTEX;
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path_.c_str(), &raw, flags, nullptr);
  db_.reset(raw);  // sqlite gives a handle to close even when the open failed
  if (rc != SQLITE_OK) return base::Status::Error(Error("cannot open", rc));
  sqlite3_extended_result_codes(db_.get(), 1);
  sqlite3_busy_timeout(db_.get(), kBusyTimeoutMs);
  if (access_ == Access::kReadOnly) return base::Status::Ok();

  // WAL: prictl reads while prid writes. synchronous=FULL: a record leaves
  // the daemon's spool once Write() returns, so a commit must reach the disk.
  sqlite3_stmt* raw_stmt = nullptr;
  int step_rc = sqlite3_prepare_v2(db_.get(), "PRAGMA journal_mode=WAL", -1, &raw_stmt, nullptr);
  LocalStmt stmt(raw_stmt);
  if (step_rc == SQLITE_OK) step_rc = sqlite3_step(stmt.get());
  if (step_rc != SQLITE_ROW) return base::Status::Error(Error("setting journal_mode=WAL", step_rc));
  const auto* mode = reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), 0));
  if (mode == nullptr || std::string_view(mode) != "wal") {
    return base::Status::Error(fmt::format(
        "SQLite CDR store {}: journal_mode stays '{}', not 'wal' (is it on a network filesystem?): "
        "put it on a local disk",
        path_, mode != nullptr ? mode : ""));
  }
  stmt.reset();
  const int sync_rc = sqlite3_exec(db_.get(), "PRAGMA synchronous=FULL", nullptr, nullptr, nullptr);
  if (sync_rc != SQLITE_OK) return base::Status::Error(Error("setting synchronous=FULL", sync_rc));
  // Keep PATH-wal and PATH-shm when prid closes the file, so that prictl
  // can read it then without write access to the directory.
  int persist = 1;
  sqlite3_file_control(db_.get(), "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
  return base::Status::Ok();
}

base::Status SqliteStore::CheckTable() {
  const std::string sql = fmt::format("PRAGMA table_info({})", kTable);
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &raw, nullptr);
  LocalStmt stmt(raw);
  if (rc != SQLITE_OK) return base::Status::Error(Error("reading the schema", rc));
  std::vector<std::string> names;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    const auto* name = reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), 1));
    names.emplace_back(name != nullptr ? name : "");
  }
  if (rc != SQLITE_DONE) return base::Status::Error(Error("reading the schema", rc));
  if (names.empty()) {
    return base::Status::Error(fmt::format(
        "no CDR table in {}: is [cdr] sqlite set in prid.conf and has prid written a record?", path_));
  }
  for (const Column& c : Columns()) {
    if (std::find(names.begin(), names.end(), c.name) == names.end()) {
      return base::Status::Error(fmt::format(
          "SQLite CDR store {}: table {} has no column {} although its version is {}: the file was "
          "changed by hand; move it aside and let prid start a new one",
          path_, kTable, c.name, kSchemaVersion));
    }
  }
  return base::Status::Ok();
}

base::Status SqliteStore::Prepare() {
  std::string row = "(";
  for (std::size_t i = 0; i < Columns().size(); ++i) row += i == 0 ? "?" : ", ?";
  row += ")";
  auto prepare = [&](std::size_t rows, Stmt& stmt) {
    std::string values = row;
    for (std::size_t i = 1; i < rows; ++i) values += ", " + row;
    const std::string sql =
        fmt::format("INSERT INTO {} ({}) VALUES {} ON CONFLICT(\"instance\", \"call_id\") DO NOTHING", kTable,
                    ColumnList(), values);
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v3(db_.get(), sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    stmt.reset(raw);
    return rc;
  };
  if (const int rc = prepare(1, insert_); rc != SQLITE_OK) {
    return base::Status::Error(Error("preparing the INSERT", rc));
  }
  if (const int rc = prepare(kRowsPerInsert, insert_many_); rc != SQLITE_OK) {
    return base::Status::Error(Error("preparing the INSERT of many rows", rc));
  }
  if (!views_) views_ = std::make_unique<ColumnViews[]>(kRowsPerInsert);
  return base::Status::Ok();
}

base::Status SqliteStore::Open() {
  Close();
  base::Status status = OpenFile();
  if (status.ok()) {
    if (access_ == Access::kWrite) {
      status = ApplySqliteSchemaSteps(db_.get(), SqliteSchemaSteps(), path_);
    } else {
      auto version = QueryInt(db_.get(), "PRAGMA user_version");
      if (!version.ok()) {
        status = base::Status::Error(Error("reading PRAGMA user_version", sqlite3_errcode(db_.get())));
      } else if (*version > kSchemaVersion) {
        status = base::Status::Error(fmt::format(
            "SQLite CDR schema in {} is version {}, newer than this prictl's {}: upgrade prictl",
            path_, *version, kSchemaVersion));
      } else if (*version > 0 && *version < kSchemaVersion) {
        status = base::Status::Error(fmt::format(
            "SQLite CDR schema in {} is version {}, older than this prictl's {}: start the upgraded "
            "prid once, which migrates it",
            path_, *version, kSchemaVersion));
      }
    }
  }
  if (status.ok()) status = CheckTable();
  if (status.ok() && access_ == Access::kWrite) status = Prepare();
  if (!status.ok()) Close();
  return status;
}

base::Status SqliteStore::Write(RecordBatch records) {
  if (access_ == Access::kReadOnly) {
    return base::Status::Error(fmt::format("SQLite CDR store {}: opened read-only, it does not write", path_));
  }
  if (!db_ || !insert_) {
    return base::Status::Error(fmt::format("SQLite CDR store {}: not open (Open() first)", path_));
  }
  if (records.empty()) return base::Status::Ok();
  sqlite3* db = db_.get();
  sqlite3_stmt* insert = insert_.get();
  int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return base::Status::Error(Error("BEGIN IMMEDIATE", rc));
  // kRowsPerInsert rows per statement while there are as many, then one
  // at a time. The times' text lives in views_ until the step: nothing is
  // copied. A row already there (or twice in one statement) is skipped.
  for (std::size_t first = 0; first < records.size();) {
    const std::size_t rows = records.size() - first >= kRowsPerInsert ? kRowsPerInsert : 1;
    sqlite3_stmt* stmt = rows == 1 ? insert : insert_many_.get();
    sqlite3_reset(stmt);
    rc = SQLITE_OK;
    for (std::size_t j = 0; j < rows && rc == SQLITE_OK; ++j) {
      ColumnViews& views = views_[j];
      ViewColumns(records[first + j], views);
      for (std::size_t i = 0; i < kColumnCount && rc == SQLITE_OK; ++i) {
        rc = BindView(stmt, static_cast<int>(j * kColumnCount + i + 1), views.values[i]);
      }
    }
    if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE) {
      // The message before ROLLBACK replaces it.
      const Record& at = records[first];
      const std::string calls =
          rows == 1 ? fmt::format("call {}", at.call_id)
                    : fmt::format("calls {} to {}", at.call_id, records[first + rows - 1].call_id);
      std::string message =
          Error(fmt::format("writing {} of instance {} (none of the {} records of this batch was kept)", calls,
                            at.instance, records.size()),
                rc);
      sqlite3_reset(stmt);
      Rollback(db);
      return base::Status::Error(std::move(message));
    }
    first += rows;
  }
  sqlite3_reset(insert);
  sqlite3_reset(insert_many_.get());
  rc = sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = Error(fmt::format("committing {} records (calls {} to {} of instance {})",
                                            records.size(), records.front().call_id,
                                            records.back().call_id, records.front().instance),
                                rc);
    Rollback(db);
    return base::Status::Error(std::move(message));
  }
  return base::Status::Ok();
}

base::Result<std::vector<Record>> SqliteStore::Select(const Query& query) {
  if (!db_) return base::Fail(fmt::format("SQLite CDR store {}: not open (Open() first)", path_));
  std::string sql = fmt::format("SELECT {} FROM {}", ColumnList(), kTable);
  std::vector<std::string> where;
  std::vector<Value> binds;
  if (query.since) {
    // Every idle is FormatTime's fixed-width RFC 3339 UTC: text order is time order.
    where.emplace_back("\"idle\" >= ?");
    binds.emplace_back(FormatTime(*query.since));
  }
  if (query.span) {
    where.emplace_back("\"span\" = ?");
    binds.emplace_back(std::int64_t{*query.span});
  }
  if (query.number) {
    where.emplace_back("(\"called\" = ? OR \"calling\" = ?)");
    binds.emplace_back(*query.number);
    binds.emplace_back(*query.number);
  }
  if (query.cause) {
    where.emplace_back("\"cause\" = ?");
    binds.emplace_back(std::int64_t{*query.cause});
  }
  for (std::size_t i = 0; i < where.size(); ++i) sql += (i == 0 ? " WHERE " : " AND ") + where[i];
  sql += " ORDER BY \"idle\" DESC, \"call_id\" DESC LIMIT ?";
  binds.emplace_back(static_cast<std::int64_t>(
      std::min<std::size_t>(query.limit, std::numeric_limits<std::int64_t>::max())));

  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &raw, nullptr);
  LocalStmt stmt(raw);
  if (rc != SQLITE_OK) return base::Fail(Error("preparing the query", rc));
  for (std::size_t i = 0; i < binds.size(); ++i) {
    rc = Bind(stmt.get(), static_cast<int>(i + 1), binds[i]);
    if (rc != SQLITE_OK) return base::Fail(Error("binding the query", rc));
  }
  std::vector<Record> out;
  const int columns = static_cast<int>(Columns().size());
  const int instance_column = ColumnIndex("instance");
  const int call_id_column = ColumnIndex("call_id");
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    std::vector<Value> values;
    values.reserve(Columns().size());
    for (int i = 0; i < columns; ++i) values.push_back(ReadColumn(stmt.get(), i));
    auto record = RecordFromColumns(values);
    if (!record.ok()) {
      const auto* instance = std::get_if<std::string>(&values[static_cast<std::size_t>(instance_column)]);
      return base::Fail(fmt::format("SQLite CDR store {}: the row of call {} of instance {} in {} "
                                    "cannot be read: {}",
                                    path_, static_cast<std::uint64_t>(sqlite3_column_int64(stmt.get(), call_id_column)),
                                    instance != nullptr ? *instance : "?", kTable, record.error()));
    }
    out.push_back(std::move(*record));
  }
  if (rc != SQLITE_DONE) return base::Fail(Error("querying", rc));
  std::reverse(out.begin(), out.end());  // the newest `limit`, shown oldest first
  return out;
}

}  // namespace prid::cdr
