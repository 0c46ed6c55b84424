// Reading the fields of the daemon's JSON replies and events without
// throwing: what prictl's commands and its event follower share.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "ipc/errors.h"

namespace prid::cli {

// The call failed in transport (connection closed, timed out), not in prid.
inline bool IsTransportError(const ipc::RpcError& error) {
  return error.code == static_cast<int>(ipc::ErrorCode::kTransportError);
}

// The integer at `key`; nullopt when absent or not an integer.
inline std::optional<std::int64_t> IntField(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<std::int64_t>();
}

// The string at `key`; empty when absent or not a string.
inline std::string StringField(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

}  // namespace prid::cli
