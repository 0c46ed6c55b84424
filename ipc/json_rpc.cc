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
// notification.
std::optional<std::string> HandleOne(ParamValue message, Params no_params, const CallHandler& handler) {
  auto request = ParseRequest(message, no_params);
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

RpcError NotJson(const std::string& why) {
  return MakeError(ErrorCode::kParseError,
                   "the line is not JSON (" + why + "); send one JSON-RPC object per line");
}

RpcError NestedTooDeep() {
  return MakeError(ErrorCode::kInvalidRequest, fmt::format("JSON nested deeper than {} levels", kMaxJsonDepth));
}

// For a line simdjson refused. simdjson refuses some JSON the grammar
// allows (integers past 64 bits), which nlohmann reads as doubles: the line
// as nlohmann reads it, written out again, or why it is not JSON (nlohmann
// names the column; simdjson does not). This path is rare.
base::Expected<std::string, RpcError> Respell(std::string_view line) {
  struct TooDeep {};
  try {
    // The depth check keeps dump()'s recursion bounded.
    json parsed = json::parse(line, [](int depth, json::parse_event_t, json&) {
      if (depth > static_cast<int>(kMaxJsonDepth)) throw TooDeep{};
      return true;
    });
    return parsed.dump();
  } catch (const TooDeep&) {
    return base::MakeUnexpected(NestedTooDeep());
  } catch (const json::exception& e) {
    return base::MakeUnexpected(NotJson(ParseErrorText(e.what())));
  }
}

// The parser's first buffers: most requests are far shorter.
constexpr std::size_t kInitialCapacity = 4096;

}  // namespace

base::Expected<Request, RequestError> ParseRequest(ParamValue message, Params no_params) {
  Params object;
  if (message.get_object().get(object) != simdjson::SUCCESS) {
    return base::MakeUnexpected(
        Refuse(ErrorCode::kInvalidRequest, "a request must be a JSON object", nullptr));
  }
  Request request;
  json reply_id = nullptr;
  if (ParamValue id; object["id"].get(id) == simdjson::SUCCESS) {
    if (!id.is_string() && !id.is_number() && !id.is_null()) {
      return base::MakeUnexpected(
          Refuse(ErrorCode::kInvalidRequest, "id must be a string, a number or null", nullptr));
    }
    request.id = ToJson(id);
    reply_id = *request.id;
  }
  std::string_view version;
  if (object["jsonrpc"].get_string().get(version) != simdjson::SUCCESS || version != "2.0") {
    return base::MakeUnexpected(
        Refuse(ErrorCode::kInvalidRequest, "jsonrpc must be the string \"2.0\"", reply_id));
  }
  if (object["method"].get_string().get(request.method) != simdjson::SUCCESS) {
    return base::MakeUnexpected(
        Refuse(ErrorCode::kInvalidRequest, "method must be a string", reply_id));
  }
  request.params = no_params;
  if (ParamValue params; object["params"].get(params) == simdjson::SUCCESS) {
    if (params.is_object()) {
      request.params = params.get_object().value_unsafe();
    } else if (params.is_array()) {
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

LineHandler::LineHandler() {
  // Failing here is memory exhaustion at start; the first parse would
  // report it too (as a line that is not JSON), so nothing is lost.
  if (parser_.allocate(kInitialCapacity, kMaxJsonDepth) != simdjson::SUCCESS) return;
  no_params_ = parser_.parse_into_document(empty_document_, "{}", 2, true).get_object().value_unsafe();
}

LineReply LineHandler::Handle(std::string_view line, const CallHandler& handler) {
  LineReply out;
  if (IsBlank(line)) return out;
  // The parser copies the line into its own padded buffer (reused).
  ParamValue message;
  auto error = parser_.parse(line.data(), line.size(), true).get(message);
  if (error != simdjson::SUCCESS && error != simdjson::DEPTH_ERROR) {
    auto respelled = Respell(line);
    if (!respelled) {
      out.text = SerializeLine(MakeErrorReply(nullptr, respelled.error()));
      out.close = respelled.error().code == static_cast<int>(ErrorCode::kParseError);
      return out;
    }
    error = parser_.parse(respelled->data(), respelled->size(), true).get(message);
  }
  if (error == simdjson::DEPTH_ERROR) {
    out.text = SerializeLine(MakeErrorReply(nullptr, NestedTooDeep()));
    return out;
  }
  if (error != simdjson::SUCCESS) {
    out.text = SerializeLine(MakeErrorReply(nullptr, NotJson(simdjson::error_message(error))));
    out.close = true;
    return out;
  }
  simdjson::dom::array batch;
  if (message.get_array().get(batch) != simdjson::SUCCESS) {
    if (auto reply = HandleOne(message, no_params_, handler)) out.text = std::move(*reply) + '\n';
    return out;
  }
  if (batch.size() == 0) {
    out.text = SerializeLine(MakeErrorReply(
        nullptr, MakeError(ErrorCode::kInvalidRequest, "an empty batch holds no request")));
    return out;
  }
  if (batch.size() > kMaxBatchRequests) {
    // Refused whole: running a prefix would leave the client to guess
    // which of its requests took effect.
    out.text = SerializeLine(MakeErrorReply(
        nullptr,
        MakeError(ErrorCode::kInvalidRequest,
                  fmt::format("a batch may hold at most {} requests, this one holds {}; none of "
                              "them was run: send them in smaller batches",
                              kMaxBatchRequests, batch.size()),
                  json{{"limit", kMaxBatchRequests}, {"size", batch.size()}})));
    return out;
  }
  // The same bytes as serializing an array of the replies.
  std::string replies;
  for (ParamValue element : batch) {
    if (auto reply = HandleOne(element, no_params_, handler)) {
      replies += replies.empty() ? '[' : ',';
      replies += *reply;
    }
  }
  if (!replies.empty()) out.text = replies + "]\n";
  return out;
}

}  // namespace prid::ipc
