// Where call detail records are kept (docs/cdr.md "Stores"): an SQLite
// file, a PostgreSQL database or a JSON-lines file. The writer thread
// alone calls a store; a store is not shared between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"
#include "cdr/record.h"
#include "cdr/record_batch.h"

namespace prid::cdr {

// What `prictl cdr` asks for: the last `limit` records (by `idle`) that
// match every filter given, returned oldest first.
struct Query {
  std::optional<EpochMs> since;      // idle at or after
  std::optional<int> span;
  std::optional<std::string> number;  // called or calling, exactly
  std::optional<int> cause;
  std::size_t limit = 50;
};

class Store {
 public:
  virtual ~Store() = default;
  // "sqlite", "postgresql", "jsonl".
  virtual std::string_view kind() const = 0;
  // Where it writes, for status and errors: a path, or the connection
  // string without its password.
  virtual std::string target() const = 0;
  // Connects (or reconnects after an error), creates the table or migrates
  // an older schema (docs/cdr.md "Schema"). The error names the store, what
  // failed and what to do; the writer retries later.
  virtual base::Status Open() = 0;
  // Commits `records` at once (one transaction): afterwards every one of
  // them is in the store exactly once — a record whose (instance, call_id)
  // is already there is skipped, so a resend after a crash adds nothing.
  // On error none of them counts as written and the store is to be
  // reopened before the next Write.
  virtual base::Status Write(RecordBatch records) = 0;
};

// The SQL stores can be read back (prictl cdr).
class QueryableStore : public Store {
 public:
  virtual base::Result<std::vector<Record>> Select(const Query& query) = 0;
};

}  // namespace prid::cdr
