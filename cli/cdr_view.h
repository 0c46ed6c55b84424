// `prictl cdr`: the last call detail records, read from prid's SQLite or
// PostgreSQL store (or one named), and `prictl cdr status`: cdr.status for
// people.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"
#include "cdr/record.h"
#include "cdr/store.h"
#include "cli/command_line.h"
#include "cli/connection.h"

namespace prid::cli {

// cdr.status's result as "key  value" lines: enabled, records made, the
// spool (its size against max_bytes, pending, refused) with a WARNING line
// when it is 80 % full or more and one when it refused records, then a
// table of the stores: KIND TARGET STATE WRITTEN PENDING LAST ERROR (its
// time first). Missing fields show as "-"; disabled, only "enabled  no".
void WriteCdrStatus(std::ostream& out, const nlohmann::json& status);

// --since: an RFC 3339 UTC time, with or without milliseconds (as
// ParseRfc3339 reads it: cdr::FormatTime's form and more), or a whole
// number followed by s, m, h or d ("10m", "2h", "1d"): that long before
// `now`. The error names the text and the forms it takes.
base::Result<cdr::EpochMs> ParseSince(std::string_view text, cdr::EpochMs now);

// The cdr::Query that `options` ask for at `now`; fails on a --since that
// ParseSince cannot read.
base::Result<cdr::Query> CdrQuery(const CdrOptions& options, cdr::EpochMs now);

// Where `prictl cdr` reads.
struct CdrSource {
  std::string kind;    // "sqlite" or "postgresql"
  std::string target;  // the file, or the libpq connection string
  bool from_prid = false;  // taken from cdr.status (a conninfo without its password)
};

// --sqlite or --postgresql when given; nullopt when prid is to be asked.
std::optional<CdrSource> CdrSourceFromOptions(const CdrOptions& options);

// The first store of kind "sqlite" in cdr.status's "stores", else the first
// "postgresql" one. Fails, saying what to set, when CDRs are off or prid
// writes neither.
base::Result<CdrSource> CdrSourceFromStatus(const nlohmann::json& status);

// `records` (oldest first) as a table: ENDED (UTC) CALL SPAN CH DIR CALLED
// CALLING BILLED CAUSE ORIGIN UUI. ENDED is `idle` to the second, BILLED
// the answered seconds ("12.3"; "-" for a call never answered), UUI "yes"
// when user-user information went either way. "no CDRs match" for none.
void WriteCdrTable(std::ostream& out, const std::vector<cdr::Record>& records);
// One cdr::ToJson object per line, oldest first.
void WriteCdrJson(std::ostream& out, const std::vector<cdr::Record>& records);

// `prictl cdr`: finds the store (the options, else cdr.status over a
// connection to `socket_path`), opens it (SQLite read-only), selects and
// prints. Returns 0; kExitUsage for a --since it cannot read;
// kExitTransport when prid cannot be reached; kExitError when prid names no
// SQL store or the store cannot be opened or read. Messages go to `err`.
int RunCdr(const CdrOptions& options, bool json, const Connector& connect, const std::string& socket_path,
           std::ostream& out, std::ostream& err);

}  // namespace prid::cli
