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
#include "ipc/params.h"

namespace prid::ipc {

// Requests nested deeper than this are refused (-32600): no later
// recursion over a value (ToJson, serializing a reply) can exhaust the stack.
inline constexpr std::size_t kMaxJsonDepth = 64;
// Requests one batch may hold (docs/api.md "Transport"): a batch is handled
// in one go, so its size bounds the time one line holds the loop and the
// size of the one reply line. A bigger batch is refused whole (-32600).
inline constexpr std::size_t kMaxBatchRequests = 100;

// The longest line the daemon sends, its '\n' included (docs/api.md
// "Limits"): what clients are told a line may hold, replies and events alike.
inline constexpr std::size_t kMaxReplyLineBytes = 64 * 1024;

// One valid request: views into the parsed line, valid while it is handled.
struct Request {
  std::string_view method;
  Params params;                      // always an object ({} when absent)
  std::optional<nlohmann::json> id;   // nullopt: a notification
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
// makes it a notification). Other members are ignored. `no_params` is the
// empty object handed out when "params" is absent.
base::Expected<Request, RequestError> ParseRequest(ParamValue message, Params no_params);
// {"jsonrpc":"2.0","id":id,"error":ErrorToJson(error)}
nlohmann::json MakeErrorReply(const nlohmann::json& id, const RpcError& error);

// Compact serialization plus '\n'. Never throws on content: invalid UTF-8
// in strings is replaced by U+FFFD.
std::string SerializeLine(const nlohmann::json& message);

// Calls one method; must not throw. `params` is valid during the call only.
using CallHandler = std::function<base::Expected<nlohmann::json, RpcError>(
    std::string_view method, const Params& params)>;

struct LineReply {
  std::string text;    // the reply line, '\n' included; empty: send nothing
  bool close = false;  // the line was not JSON: close once `text` is sent
};

// Handles received lines one at a time (one per client connection's
// server, or one per test): a single parser whose buffers grow to the
// longest line seen and are reused, so that reading a request allocates
// nothing. Not for two lines at once.
class LineHandler {
 public:
  // No reply line it makes is longer than `max_reply_line_bytes`, '\n'
  // included (see Handle()).
  explicit LineHandler(std::size_t max_reply_line_bytes = kMaxReplyLineBytes);
  LineHandler(const LineHandler&) = delete;
  LineHandler& operator=(const LineHandler&) = delete;

  // Handles one received line (without its '\n'):
  // - not JSON: a -32700 reply with id null, and close;
  // - nested deeper than kMaxJsonDepth: -32600 (the connection stays);
  // - blank (only whitespace): ignored, no reply;
  // - an object: validated, `handler` called unless invalid, one reply
  //   unless it is a notification;
  // - an array (batch): each element handled in order, their replies in one
  //   array in the same order; empty, or more than kMaxBatchRequests
  //   elements: a single -32600 (id null) and none of them is handled; no
  //   reply when every element was a notification;
  // - any other JSON value: -32600.
  // A reply line that would pass max_reply_line_bytes is not sent as such
  // (the requests were run all the same): a single reply becomes a
  // ResultTooLarge error naming the method, the size and the limit; in a
  // batch the replies are kept in order while the line can still hold them
  // and each later one becomes that error, so the array stays in bounds.
  LineReply Handle(std::string_view line, const CallHandler& handler);

 private:
  std::string HandleBatch(simdjson::dom::array batch, const CallHandler& handler);
  simdjson::dom::parser parser_;
  simdjson::dom::document empty_document_;
  Params no_params_;
  std::size_t max_reply_line_bytes_;
};

}  // namespace prid::ipc
