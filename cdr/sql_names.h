// The names both SQL stores use: the table and its column list.
#pragma once

#include <string>
#include <string_view>

#include <fmt/format.h>

#include "cdr/record.h"

namespace prid::cdr::sql {

inline constexpr std::string_view kTable = "prid_cdr";

// An identifier in double quotes (ours are plain: no quote to escape).
inline std::string Quoted(std::string_view name) { return fmt::format("\"{}\"", name); }

// "instance", "call_id", … in Columns() order.
inline std::string ColumnList() {
  std::string out;
  for (const Column& c : Columns()) {
    if (!out.empty()) out += ", ";
    out += Quoted(c.name);
  }
  return out;
}

}  // namespace prid::cdr::sql
