// A real PostgreSQL server for the PostgreSQL store's tests: a cluster of
// its own in a temporary directory, reachable only through a Unix socket
// there, that a test can stop and start again.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"
#include "tests/support/temp_dir.h"

namespace prid::testing {

// Uses the newest PostgreSQL installed as Debian installs it
// (/usr/lib/postgresql/<version>/bin). The cluster trusts every local
// connection and has the superuser `prid`; it trades durability for speed
// (no fsync). PostgreSQL refuses to run as root: as root the server and
// its tools run as the `postgres` system user, which owns the directory.
//
// Every failure names the command that failed and what it printed.
class PostgresServer {
 public:
  PostgresServer();
  ~PostgresServer();  // stops the server; the directory goes with it
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // The first call makes the cluster (initdb); each call starts the
  // server and returns once it accepts connections (pg_ctl start -w).
  base::Status Start();
  // Stops the server (fast shutdown: open connections are cut) and returns
  // once it is down. Start() may follow.
  base::Status Stop();
  bool running() const { return running_; }

  // A libpq connection string for the database `dbname`.
  std::string conninfo(std::string_view dbname = "postgres") const;
  const std::string& dir() const { return dir_.path(); }

 private:
  // Runs argv (argv[0] a path) to completion, as `postgres` when root,
  // with its output in a file; the error names `what` and the output.
  base::Status Run(const std::vector<std::string>& argv, std::string_view what);

  TempDir dir_;
  std::string bin_;    // the PostgreSQL bin directory ("" if none was found)
  std::string error_;  // why the server cannot start at all, if it cannot
  bool as_postgres_ = false;
  uid_t uid_ = 0;
  gid_t gid_ = 0;
  bool initialized_ = false;
  bool running_ = false;
};

}  // namespace prid::testing
