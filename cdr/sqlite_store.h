// The SQLite CDR store (docs/cdr.md "Stores"): one file, table prid_cdr,
// written by the daemon and read by `prictl cdr` while the daemon writes.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"
#include "cdr/store.h"

struct sqlite3;
struct sqlite3_stmt;

namespace prid::cdr {

// One step of the schema's history: the SQL that takes a database at
// version `to_version - 1` to `to_version`.
struct SqliteSchemaStep {
  int to_version;
  std::string sql;
};

// prid_cdr's steps, oldest first; the last one's to_version is
// kSchemaVersion. A database at version 0 (a new file) runs them all.
const std::vector<SqliteSchemaStep>& SqliteSchemaSteps();

// Brings `db` (borrowed) to the last step's version. In one BEGIN
// IMMEDIATE transaction: reads PRAGMA user_version; newer than the last
// step → an error ("upgrade prid"); equal → nothing; older → runs every
// later step in order and sets user_version, so that either all of them
// apply or none does. `where` (the path) names the database in errors.
// SqliteStore::Open calls it with SqliteSchemaSteps(); it is public for
// the migration tests.
base::Status ApplySqliteSchemaSteps(sqlite3* db, std::span<const SqliteSchemaStep> steps,
                                    std::string_view where);

class SqliteStore final : public QueryableStore {
 public:
  enum class Access {
    // The daemon: creates the file (not its directory), creates or migrates
    // the schema, journal_mode=WAL, synchronous=FULL.
    kWrite,
    // prictl: SQLITE_OPEN_READONLY; never creates a file or a table and
    // never migrates. Write() fails.
    kReadOnly,
  };

  // Nothing is opened before Open().
  SqliteStore(std::string path, Access access);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  std::string_view kind() const override { return "sqlite"; }
  std::string target() const override { return path_; }

  // (Re)opens the file, dropping any earlier connection. Busy timeout
  // 5000 ms: prictl reads while prid writes (WAL lets them overlap; only
  // two writers wait for each other).
  base::Status Open() override;
  // One BEGIN IMMEDIATE … COMMIT; a row whose (instance, call_id) is there
  // already is left as it is (ON CONFLICT DO NOTHING). synchronous=FULL:
  // once this returns ok the records survive a power cut.
  base::Status Write(RecordBatch records) override;
  base::Result<std::vector<Record>> Select(const Query& query) override;

 private:
  struct DbCloser {
    void operator()(sqlite3* db) const;
  };
  struct StmtFinalizer {
    void operator()(sqlite3_stmt* stmt) const;
  };
  using Db = std::unique_ptr<sqlite3, DbCloser>;
  using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

  base::Status OpenFile();
  base::Status Prepare();
  base::Status CheckTable();
  void Close();
  // "SQLite CDR store PATH: WHAT: sqlite's message[: HINT]".
  std::string Error(std::string_view what, int rc) const;

  const std::string path_;
  const Access access_;
  // Declared before insert_ so that the statement is finalized first.
  Db db_;
  Stmt insert_;  // prepared once per Open, reused by every Write
  // The same for kRowsPerInsert rows at once: one statement's overhead
  // (cursors on the table and its five indexes) for all of them.
  static constexpr std::size_t kRowsPerInsert = 16;
  Stmt insert_many_;
  // The rows' views bound to insert_many_ until its step.
  std::unique_ptr<ColumnViews[]> views_;
};

}  // namespace prid::cdr
