// The error names of API.md and the conversions of RpcError to and from the
// JSON-RPC error object.
#include "ipc/errors.h"

#include <utility>

namespace prid::ipc {
namespace {

struct ErrorNameEntry {
  ErrorCode code;
  std::string_view name;
};

// API.md "Errors", in its order; JSON-RPC's own codes first.
constexpr ErrorNameEntry kErrorNames[] = {
    {ErrorCode::kParseError, "ParseError"},
    {ErrorCode::kInvalidRequest, "InvalidRequest"},
    {ErrorCode::kMethodNotFound, "MethodNotFound"},
    {ErrorCode::kInvalidParams, "InvalidParams"},
    {ErrorCode::kInternalError, "InternalError"},
    {ErrorCode::kInvalidCallHandle, "InvalidCallHandle"},
    {ErrorCode::kInvalidCallState, "InvalidCallState"},
    {ErrorCode::kNotOwner, "NotOwner"},
    {ErrorCode::kUserUserInfoTooBig, "UserUserInfoTooBig"},
    {ErrorCode::kOperationUnavailable, "OperationUnavailable"},
    {ErrorCode::kResourceUnavailable, "ResourceUnavailable"},
    {ErrorCode::kSpanDown, "SpanDown"},
    {ErrorCode::kEventsLost, "EventsLost"},
    {ErrorCode::kPermissionDenied, "PermissionDenied"},
    {ErrorCode::kResultTooLarge, "ResultTooLarge"},
    {ErrorCode::kTransportError, "TransportError"},
};

constexpr std::string_view kUnknownErrorName = "UnknownError";

}  // namespace

std::string_view ErrorName(ErrorCode code) {
  for (const ErrorNameEntry& entry : kErrorNames) {
    if (entry.code == code) return entry.name;
  }
  return kUnknownErrorName;
}

RpcError MakeError(ErrorCode code, std::string message, nlohmann::json data) {
  RpcError error;
  error.code = static_cast<int>(code);
  error.name = std::string(ErrorName(code));
  error.message = std::move(message);
  if (data.is_object()) {
    error.data = std::move(data);
  } else if (!data.is_null()) {
    // A scalar or array is kept under "value" so that data stays an object.
    error.data["value"] = std::move(data);
  }
  return error;
}

nlohmann::json ErrorToJson(const RpcError& error) {
  nlohmann::json data = nlohmann::json::object();
  if (error.data.is_object()) {
    data = error.data;
  } else if (!error.data.is_null()) {
    data["value"] = error.data;
  }
  data["name"] =
      error.name.empty() ? std::string(ErrorName(static_cast<ErrorCode>(error.code))) : error.name;
  nlohmann::json out = nlohmann::json::object();
  out["code"] = error.code;
  out["message"] = error.message;
  out["data"] = std::move(data);
  return out;
}

RpcError ErrorFromJson(const nlohmann::json& error) {
  RpcError out;
  if (!error.is_object()) {
    out.code = static_cast<int>(ErrorCode::kInternalError);
    out.name = std::string(ErrorName(ErrorCode::kInternalError));
    out.message = "malformed error object in reply: " +
                  error.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return out;
  }
  auto code = error.find("code");
  if (code != error.end() && code->is_number_integer()) {
    out.code = code->get<int>();
  } else {
    out.code = static_cast<int>(ErrorCode::kInternalError);
  }
  auto message = error.find("message");
  if (message != error.end() && message->is_string()) out.message = message->get<std::string>();
  auto data = error.find("data");
  if (data != error.end() && data->is_object()) {
    out.data = *data;
    auto name = out.data.find("name");
    if (name != out.data.end()) {
      if (name->is_string()) out.name = name->get<std::string>();
      out.data.erase(name);
    }
  } else if (data != error.end() && !data->is_null()) {
    out.data["value"] = *data;
  }
  if (out.name.empty()) out.name = std::string(ErrorName(static_cast<ErrorCode>(out.code)));
  return out;
}

}  // namespace prid::ipc
