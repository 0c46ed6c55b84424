// Reading every record of a paged list method, page by page.
#include "cli/paged_call.h"

#include <fmt/format.h>

#include <cstdint>

namespace prid::cli {
namespace {

using nlohmann::json;

constexpr PagedMethod kPagedMethods[] = {
    {"call.list", "call", 12},
    {"span.list", "span", 8},
};

ipc::RpcError Malformed(const std::string& method, const std::string& why) {
  return ipc::MakeError(ipc::ErrorCode::kInternalError, fmt::format("{}: malformed page: {}", method, why));
}

}  // namespace

std::optional<PagedMethod> PagingOf(std::string_view method) {
  for (const PagedMethod& paged : kPagedMethods) {
    if (paged.method == method) return paged;
  }
  return std::nullopt;
}

base::Expected<json, ipc::RpcError> CallEveryPage(Connection& connection, const std::string& method, const json& params) {
  const auto paged = PagingOf(method);
  const bool names_a_page = params.is_object() && (params.contains("after") || params.contains("limit"));
  if (!paged || names_a_page) return connection.Call(method, params);
  json all = json::array();
  json page_params = params.is_object() ? params : json::object();
  page_params["limit"] = paged->limit;
  for (;;) {
    auto page = connection.Call(method, page_params);
    if (!page) return page;
    if (!page->is_array()) {
      // Shown as it came, as an unpaged reply would be.
      if (!page_params.contains("after")) return page;
      return base::MakeUnexpected(Malformed(method, "not an array"));
    }
    for (json& record : *page) all.push_back(std::move(record));
    if (page->size() < static_cast<std::size_t>(paged->limit)) return all;
    const json& last = all.back();
    const auto id = last.is_object() ? last.find(paged->id_field) : last.end();
    if (!last.is_object() || id == last.end() || !id->is_number_integer()) {
      return base::MakeUnexpected(Malformed(method, fmt::format("a record without '{}'", paged->id_field)));
    }
    // A daemon that answers the same page again would keep us here.
    if (page_params.contains("after") && *id <= page_params["after"]) {
      return base::MakeUnexpected(Malformed(method, "ids do not ascend"));
    }
    page_params["after"] = *id;
  }
}

}  // namespace prid::cli
