// Copying a parsed request value out of simdjson's tape.
#include "ipc/params.h"

#include <string>

namespace prid::ipc {

nlohmann::json ToJson(const Params& object) {
  nlohmann::json out = nlohmann::json::object();
  for (simdjson::dom::key_value_pair member : object) out[std::string(member.key)] = ToJson(member.value);
  return out;
}

nlohmann::json ToJson(ParamValue value) {
  using simdjson::dom::element_type;
  switch (value.type()) {
    case element_type::ARRAY: {
      nlohmann::json out = nlohmann::json::array();
      const simdjson::dom::array elements = value.get_array().value_unsafe();
      for (ParamValue element : elements) out.push_back(ToJson(element));
      return out;
    }
    case element_type::OBJECT: {
      const Params members = value.get_object().value_unsafe();
      return ToJson(members);
    }
    case element_type::INT64: return value.get_int64().value_unsafe();
    case element_type::UINT64: return value.get_uint64().value_unsafe();
    case element_type::DOUBLE: return value.get_double().value_unsafe();
    case element_type::STRING: return std::string(value.get_string().value_unsafe());
    case element_type::BOOL: return value.get_bool().value_unsafe();
    case element_type::NULL_VALUE: return nullptr;
  }
  return nullptr;
}

}  // namespace prid::ipc
