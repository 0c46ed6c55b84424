// JSON-RPC 2.0 for one received line: request validation, dispatch through
// a handler, reply building.
#include "ipc/json_rpc.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
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

// The reply to one element: its text (no newline), and what a
// ResultTooLarge in its place needs.
struct OneReply {
  std::string text;
  json id;                  // the request's id (null when it had none usable)
  std::string_view method;  // empty for a request refused before its method was read
};

// The reply to one element, or nullopt for a notification.
std::optional<OneReply> HandleOne(ParamValue message, Params no_params, const CallHandler& handler) {
  auto request = ParseRequest(message, no_params);
  if (!request) {
    const RequestError& refused = request.error();
    if (!refused.reply) return std::nullopt;
    return OneReply{Dump(MakeErrorReply(refused.id, refused.error)), refused.id, {}};
  }
  auto result = handler(request->method, request->params);
  if (!request->id) return std::nullopt;
  if (!result) {
    return OneReply{Dump(MakeErrorReply(*request->id, result.error())), *request->id, request->method};
  }
  return OneReply{ResultReplyText(*request->id, *result), *request->id, request->method};
}

// An id echoed in a ResultTooLarge is at most this long serialized (a
// longer one gets id null): a batch of kMaxBatchRequests of them always
// fits one 64 KiB line.
constexpr std::size_t kMaxEchoedIdBytes = 256;

// The ResultTooLarge reply (no newline) put instead of `reply`, whose text
// would make its line pass `limit` bytes; `in_batch`: it is one of a
// batch's replies, cut because the batch's line is full.
std::string TooLargeReplyText(const json& id, std::string_view method, std::size_t text_size, std::size_t limit,
                              bool in_batch) {
  const std::string what = method.empty() ? std::string("the reply") : fmt::format("the reply to {}", method);
  const std::string message =
      in_batch ? fmt::format("{} ({} bytes) does not fit the batch's reply line of at most {} bytes; the "
                             "request was run; send fewer requests per batch, or page (after, limit)",
                             what, text_size, limit)
               : fmt::format("{} is {} bytes, more than the {} bytes a line may hold; the request was run; "
                             "ask for less: page (after, limit)",
                             what, text_size + 1, limit);
  RpcError error = MakeError(ErrorCode::kResultTooLarge, message,
                             json{{"size", text_size + (in_batch ? 0 : 1)}, {"limit", limit}, {"run", true}});
  return Dump(MakeErrorReply(Dump(id).size() <= kMaxEchoedIdBytes ? id : json(nullptr), error));
}
std::string TooLargeReplyText(const OneReply& reply, std::size_t limit, bool in_batch) {
  return TooLargeReplyText(reply.id, reply.method, reply.text.size(), limit, in_batch);
}

// The ResultTooLarge reply (no newline) to a batch's request that was not
// run: the replies before it filled the batch's reply line.
std::string NotRunReplyText(const json& id, std::string_view method, std::size_t limit) {
  RpcError error = MakeError(
      ErrorCode::kResultTooLarge,
      fmt::format("{} was not run: the replies before it fill the batch's reply line of at most {} bytes; "
                  "send it again, in a smaller batch",
                  method.empty() ? std::string_view("the request") : method, limit),
      json{{"limit", limit}, {"run", false}});
  return Dump(MakeErrorReply(Dump(id).size() <= kMaxEchoedIdBytes ? id : json(nullptr), error));
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

LineHandler::LineHandler(std::size_t max_reply_line_bytes) : max_reply_line_bytes_(max_reply_line_bytes) {
  // Failing here is memory exhaustion at start; the first parse would
  // report it too (as a line that is not JSON), so nothing is lost.
  if (parser_.allocate(kInitialCapacity, kMaxJsonDepth) != simdjson::SUCCESS) return;
  no_params_ = parser_.parse_into_document(empty_document_, "{}", 2, true).get_object().value_unsafe();
}

// A batch's requests run in order while their replies fit the one reply
// line; from the first that does not, the rest are not run (ResultTooLarge
// with run: false): the work one line can cause is bounded by its reply.
// Each element's error is reserved in advance, so the line always fits.
std::string LineHandler::HandleBatch(simdjson::dom::array batch, const CallHandler& handler) {
  struct Element {
    ParamValue message;
    std::size_t reserve = 0;  // its longest error reply, and a comma
  };
  std::vector<Element> elements;
  for (ParamValue message : batch) {
    Element element{message};
    auto request = ParseRequest(message, no_params_);
    if (!request) {
      if (request.error().reply) element.reserve = Dump(MakeErrorReply(request.error().id, request.error().error)).size() + 1;
    } else if (request->id) {
      // As long as the error can get: the reply size it names is unknown yet.
      const std::size_t largest = std::numeric_limits<std::size_t>::max() / 2;
      element.reserve =
          std::max(NotRunReplyText(*request->id, request->method, max_reply_line_bytes_).size(),
                   TooLargeReplyText(*request->id, request->method, largest, max_reply_line_bytes_, true).size()) +
          1;
    }
    elements.push_back(element);
  }
  std::size_t reserved = 2;  // '[' and "]\n" less one comma
  for (const Element& element : elements) reserved += element.reserve;

  if (reserved > max_reply_line_bytes_) {
    // Only with a limit far below 64 KiB: the errors alone would not fit.
    return SerializeLine(MakeErrorReply(
        nullptr, MakeError(ErrorCode::kResultTooLarge,
                           fmt::format("none of the batch was run: its replies cannot fit a line of at most "
                                       "{} bytes; send fewer requests per batch",
                                       max_reply_line_bytes_),
                           json{{"limit", max_reply_line_bytes_}, {"run", false}})));
  }
  std::vector<std::string> texts;
  std::size_t used = 2;
  bool full = false;
  for (const Element& element : elements) {
    reserved -= element.reserve;
    auto request = ParseRequest(element.message, no_params_);
    if (!request) {
      const RequestError& refused = request.error();
      if (refused.reply) texts.push_back(Dump(MakeErrorReply(refused.id, refused.error)));
      if (refused.reply) used += texts.back().size() + 1;
      continue;
    }
    if (full) {
      // Not run; a notification not run is not answered either.
      if (request->id) texts.push_back(NotRunReplyText(*request->id, request->method, max_reply_line_bytes_));
      if (request->id) used += texts.back().size() + 1;
      continue;
    }
    auto result = handler(request->method, request->params);
    const json id = request->id.value_or(json(nullptr));
    OneReply reply{result ? ResultReplyText(id, *result) : Dump(MakeErrorReply(id, result.error())), id,
                   request->method};
    // A notification's result is not sent, but its work counts the same.
    if (used + reply.text.size() + 1 + reserved <= max_reply_line_bytes_) {
      used += reply.text.size() + 1;
      if (request->id) texts.push_back(std::move(reply.text));
      continue;
    }
    full = true;
    if (request->id) {
      texts.push_back(TooLargeReplyText(reply, max_reply_line_bytes_, true));
      used += texts.back().size() + 1;
    }
  }
  if (texts.empty()) return {};
  std::string line = "[";
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (i != 0) line += ',';
    line += texts[i];
  }
  return line + "]\n";
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
    if (auto reply = HandleOne(message, no_params_, handler)) {
      out.text = reply->text.size() + 1 <= max_reply_line_bytes_
                     ? std::move(reply->text) + '\n'
                     : TooLargeReplyText(*reply, max_reply_line_bytes_, false) + '\n';
    }
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
  out.text = HandleBatch(batch, handler);
  return out;
}

}  // namespace prid::ipc
