// JSON-RPC 2.0 for one received line: request validation, dispatch through
// a handler, reply building.
#include "ipc/json_rpc.h"

#include <fmt/format.h>

#include <utility>
#include <vector>

namespace prid::ipc {
namespace {

using nlohmann::json;

bool IsBlank(std::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

// nlohmann's messages start with "[json.exception.parse_error.101] "; the
// rest ("parse error at line 1, column 3: …") is what a person needs.
std::string ParseErrorText(const char* what) {
  std::string_view text(what);
  auto end = text.find("] ");
  if (!text.empty() && text.front() == '[' && end != std::string_view::npos) {
    text.remove_prefix(end + 2);
  }
  return std::string(text);
}

RequestError Refuse(ErrorCode code, std::string message, json id) {
  return RequestError{MakeError(code, std::move(message)), std::move(id), true};
}

// The reply to one element, or nullopt for a notification.
std::optional<json> HandleOne(const json& message, const CallHandler& handler) {
  auto request = ParseRequest(message);
  if (!request) {
    const RequestError& refused = request.error();
    if (!refused.reply) return std::nullopt;
    return MakeErrorReply(refused.id, refused.error);
  }
  auto result = handler(request->method, request->params);
  if (!request->id) return std::nullopt;
  if (!result) return MakeErrorReply(*request->id, result.error());
  return MakeResultReply(*request->id, std::move(result).value());
}

}  // namespace

base::Expected<Request, RequestError> ParseRequest(const json& message) {
  if (!message.is_object()) {
    return base::MakeUnexpected(
        Refuse(ErrorCode::kInvalidRequest, "a request must be a JSON object", nullptr));
  }
  Request request;
  json reply_id = nullptr;
  if (auto id = message.find("id"); id != message.end()) {
    if (!id->is_string() && !id->is_number() && !id->is_null()) {
      return base::MakeUnexpected(
          Refuse(ErrorCode::kInvalidRequest, "id must be a string, a number or null", nullptr));
    }
    request.id = *id;
    reply_id = *id;
  }
  auto version = message.find("jsonrpc");
  if (version == message.end() || !version->is_string() || *version != "2.0") {
    return base::MakeUnexpected(
        Refuse(ErrorCode::kInvalidRequest, "jsonrpc must be the string \"2.0\"", reply_id));
  }
  auto method = message.find("method");
  if (method == message.end() || !method->is_string()) {
    return base::MakeUnexpected(
        Refuse(ErrorCode::kInvalidRequest, "method must be a string", reply_id));
  }
  request.method = method->get<std::string>();
  if (auto params = message.find("params"); params != message.end()) {
    if (params->is_object()) {
      request.params = *params;
    } else if (params->is_array()) {
      // Valid JSON-RPC, but every method of API.md takes named parameters.
      // A notification is not answered, even with an error.
      RequestError refused = Refuse(ErrorCode::kInvalidParams,
                                    "params must be an object (named parameters)", reply_id);
      refused.reply = request.id.has_value();
      return base::MakeUnexpected(std::move(refused));
    } else {
      return base::MakeUnexpected(
          Refuse(ErrorCode::kInvalidRequest, "params must be an object when present", reply_id));
    }
  }
  return request;
}

json MakeResultReply(const json& id, json result) {
  json reply = json::object();
  reply["jsonrpc"] = "2.0";
  reply["id"] = id;
  reply["result"] = std::move(result);
  return reply;
}

json MakeErrorReply(const json& id, const RpcError& error) {
  json reply = json::object();
  reply["jsonrpc"] = "2.0";
  reply["id"] = id;
  reply["error"] = ErrorToJson(error);
  return reply;
}

std::string SerializeLine(const json& message) {
  std::string line = message.dump(-1, ' ', false, json::error_handler_t::replace);
  line.push_back('\n');
  return line;
}

std::size_t JsonNestingDepth(std::string_view text, std::size_t limit) {
  std::size_t depth = 0;
  std::size_t deepest = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > deepest) {
          deepest = depth;
          if (deepest > limit) return limit + 1;
        }
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
  }
  return deepest;
}

LineReply HandleLine(std::string_view line, const CallHandler& handler) {
  LineReply out;
  if (IsBlank(line)) return out;
  if (JsonNestingDepth(line, kMaxJsonDepth) > kMaxJsonDepth) {
    out.text = SerializeLine(MakeErrorReply(
        nullptr, MakeError(ErrorCode::kInvalidRequest,
                           fmt::format("JSON nested deeper than {} levels", kMaxJsonDepth))));
    return out;
  }
  json message;
  try {
    message = json::parse(line);
  } catch (const json::exception& e) {
    out.text = SerializeLine(MakeErrorReply(
        nullptr,
        MakeError(ErrorCode::kParseError, "the line is not JSON (" + ParseErrorText(e.what()) +
                                              "); send one JSON-RPC object per line")));
    out.close = true;
    return out;
  }
  if (!message.is_array()) {
    if (auto reply = HandleOne(message, handler)) out.text = SerializeLine(*reply);
    return out;
  }
  if (message.empty()) {
    out.text = SerializeLine(MakeErrorReply(
        nullptr, MakeError(ErrorCode::kInvalidRequest, "an empty batch holds no request")));
    return out;
  }
  json replies = json::array();
  for (const json& element : message) {
    if (auto reply = HandleOne(element, handler)) replies.push_back(std::move(*reply));
  }
  if (!replies.empty()) out.text = SerializeLine(replies);
  return out;
}

}  // namespace prid::ipc
