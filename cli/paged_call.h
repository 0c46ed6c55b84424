// The paged list methods of docs/api.md ("Paging"): call.list and
// span.list answer a page of records at a time; prictl reads them all.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "base/expected.h"
#include "cli/connection.h"
#include "ipc/errors.h"

namespace prid::cli {

// A paged method: the id field of its records, and the largest page the
// daemon gives (docs/api.md "Limits").
struct PagedMethod {
  std::string_view method;
  std::string_view id_field;
  int limit;
};

// call.list's or span.list's paging; nullopt for any other method.
std::optional<PagedMethod> PagingOf(std::string_view method);

// Calls `method` with `params`. A paged method whose params name no page
// (neither `after` nor `limit`) is called page after page (`after` the last
// id received, `limit` its largest) until a page holds fewer than `limit`
// records; the result is every record in one array, as before paging. The
// first error ends it. Params that name a page ask for that page alone.
base::Expected<nlohmann::json, ipc::RpcError> CallEveryPage(Connection& connection, const std::string& method,
                                                      const nlohmann::json& params);

}  // namespace prid::cli
