// The error names and codes of API.md, and the JSON-RPC error value carried
// between the daemon's method handlers, the server and the client library.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace prid::ipc {

enum class ErrorCode : int {
  kParseError = -32700,
  kInvalidRequest = -32600,
  kMethodNotFound = -32601,
  kInvalidParams = -32602,
  kInternalError = -32603,
  kInvalidCallHandle = 1,
  kInvalidCallState = 2,
  kNotOwner = 3,
  kUserUserInfoTooBig = 4,
  kOperationUnavailable = 5,
  kResourceUnavailable = 6,
  kSpanDown = 7,
  kEventsLost = 8,
  kPermissionDenied = 9,
  // A reply that would pass the line limit clients are told (64 KiB).
  kResultTooLarge = 10,
  // Client library only: the connection failed or closed; never on the wire.
  kTransportError = -32099,
};

// "InvalidCallState", "ParseError", … (API.md's names; JSON-RPC's own codes
// get "ParseError", "InvalidRequest", "MethodNotFound", "InvalidParams",
// "InternalError").
std::string_view ErrorName(ErrorCode code);

struct RpcError {
  int code = 0;
  std::string name;     // ErrorName(code), or the name received
  std::string message;  // what was wrong and what to do, in words
  nlohmann::json data = nlohmann::json::object();  // extra fields; "name" is added on the wire
};

RpcError MakeError(ErrorCode code, std::string message,
                   nlohmann::json data = nlohmann::json::object());

// {"code":…, "message":…, "data":{"name":…, …data}}
nlohmann::json ErrorToJson(const RpcError& error);
// The inverse, for the client library; tolerates a missing data.name.
RpcError ErrorFromJson(const nlohmann::json& error);

}  // namespace prid::ipc
