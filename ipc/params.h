// A request's parameters as handlers read them: a read-only view into the
// line the server parsed (simdjson's DOM on a reused tape: reading a
// request allocates nothing). A view is valid only while its request is
// being handled; handlers copy out what they keep.
#pragma once

#include <nlohmann/json.hpp>
#include <simdjson.h>

namespace prid::ipc {

using Params = simdjson::dom::object;
using ParamValue = simdjson::dom::element;

// The same value as an owned nlohmann::json (for replies that echo input).
nlohmann::json ToJson(ParamValue value);
nlohmann::json ToJson(const Params& object);

}  // namespace prid::ipc
