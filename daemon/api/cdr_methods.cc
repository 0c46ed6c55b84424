// cdr.status.
#include "daemon/api/cdr_methods.h"

#include <nlohmann/json.hpp>

namespace prid::daemon {

MethodResult CdrStatusMethod(const cdr::Writer* writer) {
  using nlohmann::json;
  if (writer == nullptr) return json{{"enabled", false}};
  const cdr::WriterStatus s = writer->Status();
  json stores = json::array();
  for (const cdr::StoreStatus& st : s.stores) {
    stores.push_back({{"kind", st.kind},
                      {"target", st.target},
                      {"state", st.ok ? "ok" : "retrying"},
                      {"written", st.written},
                      {"pending", st.pending},
                      {"last_error", st.last_error ? json(*st.last_error) : json(nullptr)},
                      {"last_error_at", st.last_error_at ? json(cdr::FormatTime(*st.last_error_at)) : json(nullptr)}});
  }
  return json{{"enabled", true},
              {"records", s.records},
              {"spool",
               {{"dir", s.spool.dir},
                {"bytes", s.spool.bytes},
                {"max_bytes", s.spool.max_bytes},
                {"pending", s.spool.pending},
                {"refused", s.spool.refused},
                {"warning", s.spool.warning}}},
              {"stores", std::move(stores)}};
}

}  // namespace prid::daemon
