// JSON-RPC 2.0 for one received line, independent of sockets: validating
// requests (single or batch), calling a handler for each, and building the
// reply line (API.md "Transport").
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/expected.h"
#include "ipc/errors.h"

namespace prid::ipc {

// Requests nested deeper than this are refused (-32600) before parsing, so
// that no later recursion over the value can exhaust the stack.
inline constexpr std::size_t kMaxJsonDepth = 64;

// One valid request.
struct Request {
  std::string method;
  nlohmann::json params = nlohmann::json::object();  // always an object
  std::optional<nlohmann::json> id;                  // nullopt: a notification
};

// Why a request object was refused, and how to answer.
struct RequestError {
  RpcError error;
  nlohmann::json id;  // the request's id, or null when it had none usable
  bool reply = true;  // false: a notification with bad params gets no reply
};

// Validates one element of a message: an object with "jsonrpc":"2.0", a
// string "method", an optional object "params" (an array is -32602, any
// other type -32600) and an optional id (string, number or null; absent
// makes it a notification). Other members are ignored. Taken by value so
// that a caller done with the message moves it in and its params move on.
base::Expected<Request, RequestError> ParseRequest(nlohmann::json message);
// {"jsonrpc":"2.0","id":id,"error":ErrorToJson(error)}
nlohmann::json MakeErrorReply(const nlohmann::json& id, const RpcError& error);

// Compact serialization plus '\n'. Never throws on content: invalid UTF-8
// in strings is replaced by U+FFFD.
std::string SerializeLine(const nlohmann::json& message);

// The deepest nesting of arrays and objects in `text`, counting brackets
// outside strings; stops counting once past `limit` and returns limit + 1.
std::size_t JsonNestingDepth(std::string_view text, std::size_t limit);

// Calls one method; must not throw.
using CallHandler = std::function<base::Expected<nlohmann::json, RpcError>(
    const std::string& method, const nlohmann::json& params)>;

struct LineReply {
  std::string text;    // the reply line, '\n' included; empty: send nothing
  bool close = false;  // the line was not JSON: close once `text` is sent
};

// Handles one received line (without its '\n'):
// - not JSON: a -32700 reply with id null, and close;
// - blank (only whitespace): ignored, no reply;
// - an object: validated, `handler` called unless invalid, one reply unless
//   it is a notification;
// - an array (batch): each element handled in order, their replies in one
//   array in the same order; empty: a single -32600; no reply when every
//   element was a notification;
// - any other JSON value: -32600.
LineReply HandleLine(std::string_view line, const CallHandler& handler);

}  // namespace prid::ipc
