// libFuzzer target: the socket's line framer and JSON-RPC request handling
// (API.md "Transport"), with a handler that echoes params.
#include <cstdint>
#include <string_view>

#include "ipc/json_rpc.h"
#include "ipc/line_framer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const prid::ipc::CallHandler echo = [](std::string_view, const prid::ipc::Params& params)
      -> prid::base::Expected<nlohmann::json, prid::ipc::RpcError> { return prid::ipc::ToJson(params); };
  static prid::ipc::LineHandler handler;  // reused, as the server reuses its one
  prid::ipc::LineFramer framer(64 * 1024);
  (void)framer.Feed(text, [&echo](std::string_view line) {
    (void)handler.Handle(line, echo);
    return true;
  });
  (void)handler.Handle(text, echo);
  return 0;
}
