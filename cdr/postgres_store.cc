// The PostgreSQL CDR store: libpq, one transaction per batch, the schema
// created or migrated under an advisory lock.
#include "cdr/postgres_store.h"

#include <libpq-fe.h>

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "cdr/sql_names.h"

namespace prid::cdr {
namespace {

using sql::ColumnList;
using sql::kTable;
using sql::Quoted;

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

struct ConninfoOptionsDeleter {
  void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};

struct FreeDeleter {
  void operator()(char* p) const { PQfreemem(p); }
};

// The key of pg_advisory_xact_lock that every prid takes around the schema
// check ("pridcdr " in ASCII), so that prids sharing a database create and
// migrate it one at a time.
constexpr std::int64_t kSchemaLockKey = 0x7072696463647220;

constexpr std::string_view kSchemaTable = "prid_cdr_schema";

// Without the connection string itself: it may hold a password.
constexpr std::string_view kUnreadableTarget = "(unreadable PostgreSQL connection string)";

std::string_view SqlType(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::kInteger:
      return "bigint";
    case ColumnKind::kText:
      return "text";
    case ColumnKind::kTime:
      return "timestamptz";
    case ColumnKind::kBool:
      return "boolean";
  }
  return "text";
}

// Column names are ours, but quoting keeps any future name that is an SQL
// keyword working.

// One value of a key=value connection string, quoted as libpq reads it.
std::string ConninfoValue(std::string_view value) {
  const bool plain = !value.empty() && value.find_first_of(" \t\n\r\f\v'\\") == std::string_view::npos;
  if (plain) return std::string(value);
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

std::string Target(const std::string& conninfo) {
  char* raw_error = nullptr;
  std::unique_ptr<PQconninfoOption, ConninfoOptionsDeleter> options(
      PQconninfoParse(conninfo.c_str(), &raw_error));
  std::unique_ptr<char, FreeDeleter> error(raw_error);
  if (!options) return std::string(kUnreadableTarget);
  std::string out;
  for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
    if (o->val == nullptr || std::string_view(o->keyword) == "password") continue;
    if (!out.empty()) out += ' ';
    out += fmt::format("{}={}", o->keyword, ConninfoValue(o->val));
  }
  return out;
}

// libpq's messages end in a newline and may span lines: one line for ours.
std::string OneLine(std::string_view text) {
  std::string out;
  for (char c : text) {
    const bool space = c == '\n' || c == '\t' || c == ' ';
    if (!space) {
      out += c;
    } else if (!out.empty() && out.back() != ' ') {
      out += ' ';
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// The server's message for a failed statement (with its detail), or
// libpq's when there was no answer (a lost connection).
std::string ErrorText(PGconn* conn, const PGresult* result) {
  if (result != nullptr) {
    const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
    if (primary != nullptr) {
      const char* detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL);
      return detail != nullptr ? fmt::format("{} ({})", primary, detail) : std::string(primary);
    }
    const std::string text = OneLine(PQresultErrorMessage(result));
    if (!text.empty()) return text;
  }
  const std::string text = OneLine(PQerrorMessage(conn));
  return text.empty() ? std::string("no answer from the server") : text;
}

bool Succeeded(const PGresult* result) {
  if (result == nullptr) return false;
  const ExecStatusType status = PQresultStatus(result);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

// Runs one statement: its result, or the error's text.
base::Result<ResultPtr> Run(PGconn* conn, const std::string& sql) {
  ResultPtr result(PQexec(conn, sql.c_str()));
  if (!Succeeded(result.get())) return base::Fail(ErrorText(conn, result.get()));
  return result;
}

// Runs one statement with text parameters (nullptr: NULL).
base::Result<ResultPtr> Run(PGconn* conn, const std::string& sql, const std::vector<const char*>& params) {
  ResultPtr result(PQexecParams(conn, sql.c_str(), static_cast<int>(params.size()), nullptr, params.data(),
                                nullptr, nullptr, 0));
  if (!Succeeded(result.get())) return base::Fail(ErrorText(conn, result.get()));
  return result;
}

// The statements of version 1: the table with one column per Columns()
// entry, keyed by (instance, call_id), and the indexes `prictl cdr` filters
// by. Built from Columns() while they are version 1's columns: whoever
// raises kSchemaVersion first writes these out literally (a released step
// never changes), then adds the next step.
std::vector<std::string> StepTo1() {
  std::string create = fmt::format("CREATE TABLE IF NOT EXISTS {} (", kTable);
  for (const Column& c : Columns()) {
    create += fmt::format("{} {}{}, ", Quoted(c.name), SqlType(c.kind), c.nullable ? "" : " NOT NULL");
  }
  create += "PRIMARY KEY (instance, call_id))";
  return {
      create,
      fmt::format("CREATE INDEX IF NOT EXISTS {0}_idle ON {0} (idle)", kTable),
      fmt::format("CREATE INDEX IF NOT EXISTS {0}_called ON {0} (called)", kTable),
      fmt::format("CREATE INDEX IF NOT EXISTS {0}_calling ON {0} (calling)", kTable),
      fmt::format("CREATE INDEX IF NOT EXISTS {0}_span_idle ON {0} (span, idle)", kTable),
  };
}

// The schema's history (docs/cdr.md "Schema"): each step brings a database
// at version `to - 1` to version `to`. A new database is one at version 0
// and takes every step, so a fresh table and a migrated one are the same.
struct MigrationStep {
  int to;
  std::vector<std::string> (*statements)();
};
constexpr MigrationStep kMigrationSteps[] = {
    {1, StepTo1},
};
static_assert(std::size(kMigrationSteps) > 0 &&
                  kMigrationSteps[std::size(kMigrationSteps) - 1].to == kSchemaVersion,
              "the last migration step must reach kSchemaVersion");

// Times come back as RFC 3339 UTC with milliseconds, as ParseTime reads.
std::string SelectList() {
  std::string out;
  for (const Column& c : Columns()) {
    if (!out.empty()) out += ", ";
    if (c.kind == ColumnKind::kTime) {
      out += fmt::format("to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')", Quoted(c.name));
    } else {
      out += Quoted(c.name);
    }
  }
  return out;
}

const std::string& InsertStatement() {
  static const std::string sql = [] {
    std::string values;
    for (std::size_t i = 1; i <= Columns().size(); ++i) values += fmt::format("{}${}", i > 1 ? ", " : "", i);
    return fmt::format("INSERT INTO {} ({}) VALUES ({}) ON CONFLICT (instance, call_id) DO NOTHING", kTable,
                       ColumnList(), values);
  }();
  return sql;
}

// One record's parameters as text (std::nullopt: NULL).
std::vector<std::optional<std::string>> Parameters(const Record& record) {
  const std::vector<Value> values = ColumnValues(record);
  const auto& columns = Columns();
  std::vector<std::optional<std::string>> out;
  out.reserve(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (const auto* n = std::get_if<std::int64_t>(&values[i])) {
      out.emplace_back(columns[i].kind == ColumnKind::kBool ? (*n != 0 ? "true" : "false") : std::to_string(*n));
    } else if (const auto* s = std::get_if<std::string>(&values[i])) {
      out.emplace_back(*s);
    } else {
      out.emplace_back(std::nullopt);
    }
  }
  return out;
}

base::Result<Value> ReadValue(const PGresult* result, int row, int col, const Column& column) {
  if (PQgetisnull(result, row, col)) return Value();
  const std::string_view text(PQgetvalue(result, row, col), static_cast<std::size_t>(PQgetlength(result, row, col)));
  switch (column.kind) {
    case ColumnKind::kBool:
      return Value(std::int64_t{text == "t" ? 1 : 0});
    case ColumnKind::kInteger: {
      std::int64_t n = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (ec != std::errc() || end != text.data() + text.size()) {
        return base::Fail(fmt::format("column {} holds '{}', not an integer", column.name, text));
      }
      return Value(n);
    }
    case ColumnKind::kText:
    case ColumnKind::kTime:
      break;
  }
  return Value(std::string(text));
}

}  // namespace

void PostgresStore::ConnDeleter::operator()(pg_conn* conn) const { PQfinish(conn); }

PostgresStore::PostgresStore(std::string conninfo, Access access)
    : conninfo_(std::move(conninfo)), target_(Target(conninfo_)), access_(access) {}

PostgresStore::~PostgresStore() = default;

std::string PostgresStore::Error(std::string_view what, std::string_view detail) const {
  return fmt::format("PostgreSQL CDR store {}: {}: {}", target_, what, detail);
}

void PostgresStore::AfterError() {
  ready_ = false;
  if (conn_ && PQstatus(conn_.get()) != CONNECTION_OK) conn_.reset();
}

base::Status PostgresStore::Open() {
  if (ready_ && conn_ && PQstatus(conn_.get()) == CONNECTION_OK) return base::Status::Ok();
  ready_ = false;
  if (!conn_ || PQstatus(conn_.get()) != CONNECTION_OK) {
    conn_.reset();
    if (base::Status s = Connect(); !s) return s;
  }
  if (base::Status s = access_ == Access::kWrite ? PrepareSchema() : CheckSchema(); !s) {
    AfterError();
    return s;
  }
  ready_ = true;
  return base::Status::Ok();
}

base::Status PostgresStore::Connect() {
  if (target_ == kUnreadableTarget) {
    char* raw_error = nullptr;
    std::unique_ptr<PQconninfoOption, ConninfoOptionsDeleter> options(PQconninfoParse(conninfo_.c_str(), &raw_error));
    std::unique_ptr<char, FreeDeleter> error(raw_error);
    return base::Status::Error(fmt::format(
        "PostgreSQL CDR store: cannot read the connection string: {}; check [cdr] postgresql in prid.conf",
        error ? OneLine(error.get()) : "libpq could not parse it"));
  }
  // The connection string comes last so that its own connect_timeout and
  // application_name win over these defaults.
  const char* const keywords[] = {"connect_timeout", "fallback_application_name", "dbname", nullptr};
  const char* const values[] = {"10", "prid", conninfo_.c_str(), nullptr};
  std::unique_ptr<pg_conn, ConnDeleter> conn(PQconnectdbParams(keywords, values, /*expand_dbname=*/1));
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
    return base::Status::Error(fmt::format(
        "{}; is the server up? check [cdr] postgresql in prid.conf",
        Error("cannot connect", conn ? OneLine(PQerrorMessage(conn.get())) : "out of memory")));
  }
  // timestamptz values come back in UTC whatever the server's default, and
  // the NOTICEs of CREATE ... IF NOT EXISTS stay off stderr. A reader's
  // session cannot write, whatever its user may do.
  std::vector<const char*> setup = {"SET TIME ZONE 'UTC'", "SET client_min_messages TO warning"};
  if (access_ == Access::kReadOnly) setup.push_back("SET default_transaction_read_only TO on");
  for (const char* sql : setup) {
    if (auto r = Run(conn.get(), sql); !r) {
      return base::Status::Error(Error(fmt::format("cannot set up the session ({})", sql), r.error()));
    }
  }
  conn_ = std::move(conn);
  return base::Status::Ok();
}

base::Status PostgresStore::PrepareSchema() {
  PGconn* conn = conn_.get();
  auto fail = [&](std::string message) {
    if (PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) != PQTRANS_IDLE) {
      ResultPtr rollback(PQexec(conn, "ROLLBACK"));
    }
    return base::Status::Error(std::move(message));
  };
  auto run = [&](const std::string& sql) { return Run(conn, sql); };

  if (auto r = run("BEGIN"); !r) return fail(Error("cannot begin the schema check", r.error()));
  if (auto r = run(fmt::format("SELECT pg_advisory_xact_lock({})", kSchemaLockKey)); !r) {
    return fail(Error("cannot lock the schema", r.error()));
  }
  // Look before creating: CREATE ... IF NOT EXISTS needs the CREATE right
  // even when the table is there, and a prid may be allowed only to insert.
  auto exists = run(fmt::format("SELECT to_regclass('{}') IS NOT NULL", kSchemaTable));
  if (!exists) return fail(Error(fmt::format("cannot look for the table {}", kSchemaTable), exists.error()));
  int version = 0;
  if (std::string_view(PQgetvalue(exists->get(), 0, 0)) != "t") {
    if (auto r = run(fmt::format("CREATE TABLE {} (version integer NOT NULL)", kSchemaTable)); !r) {
      return fail(Error(fmt::format("cannot create the table {}", kSchemaTable), r.error()));
    }
    if (auto r = run(fmt::format("INSERT INTO {} (version) VALUES (0)", kSchemaTable)); !r) {
      return fail(Error(fmt::format("cannot write the table {}", kSchemaTable), r.error()));
    }
  } else {
    auto r = run(fmt::format("SELECT version FROM {}", kSchemaTable));
    if (!r) return fail(Error(fmt::format("cannot read the table {}", kSchemaTable), r.error()));
    const int rows = PQntuples(r->get());
    if (rows == 0) {
      // An empty version table is a database no prid has set up yet.
      if (auto w = run(fmt::format("INSERT INTO {} (version) VALUES (0)", kSchemaTable)); !w) {
        return fail(Error(fmt::format("cannot write the table {}", kSchemaTable), w.error()));
      }
    } else if (rows > 1 || PQgetisnull(r->get(), 0, 0)) {
      return fail(Error("cannot tell the schema version",
                        fmt::format("the table {} must hold exactly one version, it holds {} rows", kSchemaTable,
                                    rows)));
    } else {
      version = std::atoi(PQgetvalue(r->get(), 0, 0));
    }
  }
  if (version > kSchemaVersion) {
    return fail(Error("cannot use the table",
                      fmt::format("PostgreSQL CDR schema is version {}, newer than this prid's {}: upgrade prid",
                                  version, kSchemaVersion)));
  }
  for (const MigrationStep& step : kMigrationSteps) {
    if (step.to <= version) continue;
    for (const std::string& sql : step.statements()) {
      if (auto r = run(sql); !r) {
        return fail(Error(fmt::format("cannot migrate the schema from version {} to {}", step.to - 1, step.to),
                          fmt::format("{} (in: {})", r.error(), sql)));
      }
    }
    if (auto r = run(fmt::format("UPDATE {} SET version = {}", kSchemaTable, step.to)); !r) {
      return fail(Error(fmt::format("cannot record schema version {}", step.to), r.error()));
    }
  }
  if (auto r = run("COMMIT"); !r) return fail(Error("cannot commit the schema", r.error()));
  return base::Status::Ok();
}

base::Status PostgresStore::CheckSchema() {
  PGconn* conn = conn_.get();
  auto exists = Run(conn, fmt::format("SELECT to_regclass('{}') IS NOT NULL", kSchemaTable));
  if (!exists) {
    return base::Status::Error(Error(fmt::format("cannot look for the table {}", kSchemaTable), exists.error()));
  }
  if (std::string_view(PQgetvalue(exists->get(), 0, 0)) != "t") {
    return base::Status::Error(Error(
        "no CDRs here", fmt::format("the database has no table {}: has a prid written CDRs to it? (prid creates "
                                    "the tables on its first start with [cdr] postgresql)",
                                    kSchemaTable)));
  }
  auto r = Run(conn, fmt::format("SELECT version FROM {}", kSchemaTable));
  if (!r) return base::Status::Error(Error(fmt::format("cannot read the table {}", kSchemaTable), r.error()));
  const bool one = PQntuples(r->get()) == 1 && !PQgetisnull(r->get(), 0, 0);
  const int version = one ? std::atoi(PQgetvalue(r->get(), 0, 0)) : -1;
  if (version == kSchemaVersion) return base::Status::Ok();
  if (version > kSchemaVersion) {
    return base::Status::Error(Error("cannot read the table",
                                     fmt::format("PostgreSQL CDR schema is version {}, newer than this prictl's {}: "
                                                 "upgrade prid's package",
                                                 version, kSchemaVersion)));
  }
  return base::Status::Error(Error(
      "cannot read the table",
      version < 0 ? fmt::format("the table {} holds no single version", kSchemaTable)
                  : fmt::format("PostgreSQL CDR schema is version {}, older than this prictl's {}: start this "
                                "prid once to migrate it",
                                version, kSchemaVersion)));
}

base::Status PostgresStore::Write(RecordBatch records) {
  if (access_ == Access::kReadOnly) {
    return base::Status::Error(Error("cannot write", "opened read-only (prictl), it does not write"));
  }
  if (!ready_ || !conn_) return base::Status::Error(Error("cannot write", "the store is not open (Open() first)"));
  if (records.empty()) return base::Status::Ok();
  PGconn* conn = conn_.get();
  auto fail = [&](std::string message) {
    if (PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) != PQTRANS_IDLE) {
      ResultPtr rollback(PQexec(conn, "ROLLBACK"));
    }
    AfterError();
    return base::Status::Error(std::move(message));
  };

  if (auto r = Run(conn, "BEGIN"); !r) {
    return fail(Error(fmt::format("cannot begin writing {} records from call {} of instance {}", records.size(),
                                  records.front().call_id, records.front().instance),
                      r.error()));
  }
  for (const Record& record : records) {
    const std::vector<std::optional<std::string>> params = Parameters(record);
    std::vector<const char*> pointers;
    pointers.reserve(params.size());
    for (const auto& p : params) pointers.push_back(p ? p->c_str() : nullptr);
    if (auto r = Run(conn, InsertStatement(), pointers); !r) {
      return fail(Error(fmt::format("cannot write call {} of instance {}", record.call_id, record.instance),
                        r.error()));
    }
  }
  // A COMMIT of a transaction the server aborted answers ROLLBACK.
  ResultPtr commit(PQexec(conn, "COMMIT"));
  if (!Succeeded(commit.get()) || std::string_view(PQcmdStatus(commit.get())) != "COMMIT") {
    return fail(Error(fmt::format("cannot commit {} records (calls {} to {})", records.size(),
                                  records.front().call_id, records.back().call_id),
                      Succeeded(commit.get()) ? "the server rolled the transaction back"
                                              : ErrorText(conn, commit.get())));
  }
  return base::Status::Ok();
}

base::Result<std::vector<Record>> PostgresStore::Select(const Query& query) {
  if (!ready_ || !conn_) return base::Fail(Error("cannot read", "the store is not open (Open() first)"));
  std::vector<std::string> params;
  std::vector<std::string> where;
  auto param = [&](std::string value) {
    params.push_back(std::move(value));
    return fmt::format("${}", params.size());
  };
  if (query.since) where.push_back(fmt::format("idle >= {}", param(FormatTime(*query.since))));
  if (query.span) where.push_back(fmt::format("span = {}", param(std::to_string(*query.span))));
  if (query.number) {
    const std::string n = param(*query.number);
    where.push_back(fmt::format("(called = {0} OR calling = {0})", n));
  }
  if (query.cause) where.push_back(fmt::format("cause = {}", param(std::to_string(*query.cause))));
  std::string sql = fmt::format("SELECT {} FROM {}", SelectList(), kTable);
  for (std::size_t i = 0; i < where.size(); ++i) sql += fmt::format("{}{}", i == 0 ? " WHERE " : " AND ", where[i]);
  sql += fmt::format(" ORDER BY idle DESC, call_id DESC LIMIT {}", param(std::to_string(query.limit)));

  std::vector<const char*> pointers;
  for (const std::string& p : params) pointers.push_back(p.c_str());
  auto result = Run(conn_.get(), sql, pointers);
  if (!result) {
    std::string message = Error("cannot read the records", result.error());
    AfterError();
    return base::Fail(std::move(message));
  }
  const PGresult* rows = result->get();
  const auto& columns = Columns();
  if (PQnfields(rows) != static_cast<int>(columns.size())) {
    return base::Fail(Error("cannot read the records",
                            fmt::format("the query gave {} columns, expected {}", PQnfields(rows), columns.size())));
  }
  std::vector<Record> out;
  out.reserve(static_cast<std::size_t>(PQntuples(rows)));
  for (int row = PQntuples(rows) - 1; row >= 0; --row) {  // oldest first
    std::vector<Value> values;
    values.reserve(columns.size());
    for (std::size_t col = 0; col < columns.size(); ++col) {
      auto value = ReadValue(rows, row, static_cast<int>(col), columns[col]);
      if (!value) return base::Fail(Error("cannot read a record", value.error()));
      values.push_back(std::move(*value));
    }
    auto record = RecordFromColumns(values);
    if (!record) return base::Fail(Error("cannot read a record", record.error()));
    out.push_back(std::move(*record));
  }
  return out;
}

}  // namespace prid::cdr
