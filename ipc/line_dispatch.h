// The glue between a client's received lines and the Dispatcher: each
// JSON-RPC request of a line becomes one Dispatcher::Call, and the reply
// line comes back (ipc/json_rpc.h does the protocol). Nothing thrown by the
// Dispatcher gets past it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "ipc/json_rpc.h"
#include "ipc/server.h"

namespace prid::ipc {

class LineDispatch {
 public:
  // `dispatcher` must outlive this object. No reply line is longer than
  // `max_reply_line_bytes`, '\n' included (LineHandler::Handle()).
  explicit LineDispatch(Dispatcher& dispatcher, std::size_t max_reply_line_bytes = kMaxReplyLineBytes);
  LineDispatch(const LineDispatch&) = delete;
  LineDispatch& operator=(const LineDispatch&) = delete;

  // Dispatcher::ClientOpened / ClientClosed; an exception is logged.
  void Opened(ClientId client, const PeerCredentials& peer);
  void Closed(ClientId client);
  // Dispatcher::ClientDrained; an exception is logged.
  void Drained(ClientId client);

  // One line `client` sent (without its '\n'), handled as
  // LineHandler::Handle() describes; each request goes to Dispatcher::Call
  // with `client`. An exception from Call becomes an InternalError reply
  // naming the method. One line at a time, whoever sent it.
  LineReply HandleLine(ClientId client, std::string_view line);

 private:
  base::Expected<nlohmann::json, RpcError> SafeCall(ClientId client, std::string_view method,
                                                    const Params& params);

  Dispatcher& dispatcher_;
  LineHandler line_handler_;  // one line is handled at a time, whoever sent it
};

// The reply to a line longer than `max_line_bytes`: ParseError, id null
// (the line was never parsed), then the server closes the connection.
std::string LineTooLongReply(std::size_t max_line_bytes);

}  // namespace prid::ipc
