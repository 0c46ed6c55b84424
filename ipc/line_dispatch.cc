// Received lines to Dispatcher calls and reply lines, with no exception
// escaping the Dispatcher.
#include "ipc/line_dispatch.h"

#include <fmt/format.h>

#include <exception>

#include "base/log.h"

namespace prid::ipc {

LineDispatch::LineDispatch(Dispatcher& dispatcher, std::size_t max_reply_line_bytes)
    : dispatcher_(dispatcher), line_handler_(max_reply_line_bytes) {}

void LineDispatch::Opened(ClientId client, const PeerCredentials& peer) {
  try {
    dispatcher_.ClientOpened(client, peer);
  } catch (const std::exception& e) {
    PRID_LOG_ERROR("ipc: ClientOpened({}) failed: {}", client, e.what());
  } catch (...) {
    PRID_LOG_ERROR("ipc: ClientOpened({}) failed", client);
  }
}

void LineDispatch::Closed(ClientId client) {
  try {
    dispatcher_.ClientClosed(client);
  } catch (const std::exception& e) {
    PRID_LOG_ERROR("ipc: ClientClosed({}) failed: {}", client, e.what());
  } catch (...) {
    PRID_LOG_ERROR("ipc: ClientClosed({}) failed", client);
  }
}

void LineDispatch::Drained(ClientId client) {
  try {
    dispatcher_.ClientDrained(client);
  } catch (const std::exception& e) {
    PRID_LOG_ERROR("ipc: ClientDrained({}) failed: {}", client, e.what());
  } catch (...) {
    PRID_LOG_ERROR("ipc: ClientDrained({}) failed", client);
  }
}

LineReply LineDispatch::HandleLine(ClientId client, std::string_view line) {
  return line_handler_.Handle(line, [this, client](std::string_view method, const Params& params) {
    return SafeCall(client, method, params);
  });
}

base::Expected<nlohmann::json, RpcError> LineDispatch::SafeCall(ClientId client,
                                                                std::string_view method,
                                                                const Params& params) {
  try {
    return dispatcher_.Call(client, method, params);
  } catch (const std::exception& e) {
    PRID_LOG_ERROR("ipc: client {}: {} failed: {}", client, method, e.what());
    return base::MakeUnexpected(
        MakeError(ErrorCode::kInternalError, fmt::format("{} failed: {}", method, e.what())));
  } catch (...) {
    PRID_LOG_ERROR("ipc: client {}: {} failed with an unknown exception", client, method);
    return base::MakeUnexpected(
        MakeError(ErrorCode::kInternalError, fmt::format("{} failed", method)));
  }
}

std::string LineTooLongReply(std::size_t max_line_bytes) {
  RpcError error = MakeError(
      ErrorCode::kParseError,
      fmt::format("line longer than {} bytes; send one JSON-RPC object per line", max_line_bytes));
  return SerializeLine(MakeErrorReply(nullptr, error));
}

}  // namespace prid::ipc
