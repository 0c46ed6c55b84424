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

constexpr auto kReplaceBadUtf8 = json::error_handler_t::replace;

std::string Dump(const json& value) { return value.dump(-1, ' ', false, kReplaceBadUtf8); }

// {"id":…,"jsonrpc":"2.0","result":…} written around the serialized id and
// result, in the key order nlohmann gives the same object: no DOM is built
// for the reply of every request.
std::string ResultReplyText(const json& id, const json& result) {
  std::string text = R"({"id":)";
  text += Dump(id);
  text += R"(,"jsonrpc":"2.0","result":)";
  text += Dump(result);
  text += '}';
  return text;
}

// The serialized reply to one element (no newline), or nullopt for a
// notification. The element is taken apart: its params move to the handler.
std::optional<std::string> HandleOne(json&& message, const CallHandler& handler) {
  auto request = ParseRequest(std::move(message));
  if (!request) {
    const RequestError& refused = request.error();
    if (!refused.reply) return std::nullopt;
    return Dump(MakeErrorReply(refused.id, refused.error));
  }
  auto result = handler(request->method, request->params);
  if (!request->id) return std::nullopt;
  if (!result) return Dump(MakeErrorReply(*request->id, result.error()));
  return ResultReplyText(*request->id, *result);
}

}  // namespace

base::Expected<Request, RequestError> ParseRequest(json message) {
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
      request.params = std::move(*params);
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

json MakeErrorReply(const json& id, const RpcError& error) {
  json reply = json::object();
  reply["jsonrpc"] = "2.0";
  reply["id"] = id;
  reply["error"] = ErrorToJson(error);
  return reply;
}

std::string SerializeLine(const json& message) {
  std::string line = Dump(message);
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
    if (auto reply = HandleOne(std::move(message), handler)) out.text = std::move(*reply) + '\n';
    return out;
  }
  if (message.empty()) {
    out.text = SerializeLine(MakeErrorReply(
        nullptr, MakeError(ErrorCode::kInvalidRequest, "an empty batch holds no request")));
    return out;
  }
  // The same bytes as serializing an array of the replies.
  std::string replies;
  for (json& element : message) {
    if (auto reply = HandleOne(std::move(element), handler)) {
      replies += replies.empty() ? '[' : ',';
      replies += *reply;
    }
  }
  if (!replies.empty()) out.text = replies + "]\n";
  return out;
}

}  // namespace prid::ipc
