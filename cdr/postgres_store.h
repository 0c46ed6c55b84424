// The PostgreSQL CDR store (docs/cdr.md "Stores"): the table prid_cdr in a
// database that many prids may share, reached through libpq with the
// connection string of [cdr] postgresql in prid.conf.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"
#include "cdr/store.h"

// libpq's connection (PGconn in libpq-fe.h), kept out of this header.
struct pg_conn;

namespace prid::cdr {

// Synchronous libpq: every call blocks the calling (writer) thread until
// the server answers. Not thread-safe, like every Store.
//
// Open() connects, sets the session to UTC and creates or migrates the
// schema in one transaction under an advisory lock, so prids starting
// together on one database do it once. After an error on a broken
// connection the next Open() connects again; after an error on a healthy
// one it keeps the connection and checks the schema again.
class PostgresStore final : public QueryableStore {
 public:
  enum class Access {
    kWrite,  // prid: creates and migrates the schema, writes
    // prictl: a read-only session (default_transaction_read_only) that
    // never creates or migrates anything; Open() fails unless the schema is
    // this version, Write() fails.
    kReadOnly,
  };

  // `conninfo`: a libpq connection string ("host=db dbname=prid user=prid"
  // or a postgresql:// URI). Nothing is connected until Open().
  explicit PostgresStore(std::string conninfo, Access access = Access::kWrite);
  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  std::string_view kind() const override { return "postgresql"; }
  // The connection string as key=value pairs without `password`.
  std::string target() const override { return target_; }
  base::Status Open() override;
  base::Status Write(RecordBatch records) override;
  base::Result<std::vector<Record>> Select(const Query& query) override;

 private:
  struct ConnDeleter {
    void operator()(pg_conn* conn) const;
  };

  base::Status Connect();
  base::Status PrepareSchema();
  base::Status CheckSchema();  // kReadOnly's PrepareSchema
  // Drops a connection that libpq reports broken and asks for Open().
  void AfterError();
  std::string Error(std::string_view what, std::string_view detail) const;

  const std::string conninfo_;
  const std::string target_;
  const Access access_;
  std::unique_ptr<pg_conn, ConnDeleter> conn_;
  bool ready_ = false;  // connected and the schema checked since the last error
};

}  // namespace prid::cdr
