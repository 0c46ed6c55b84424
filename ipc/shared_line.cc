// Serializing notification lines once for every client that receives them.
#include "ipc/shared_line.h"

#include <utility>

namespace prid::ipc {

SharedLine MakeNotificationLine(const std::string& method, const nlohmann::json& params) {
  using nlohmann::json;
  // Written around the serialized params, not by copying them into a new
  // object: this runs once per event. Keys in the order nlohmann sorts them.
  std::string line = R"({"jsonrpc":"2.0","method":)";
  line += json(method).dump();
  line += R"(,"params":)";
  line += params.dump(-1, ' ', false, json::error_handler_t::replace);
  line += "}\n";
  // The line may live in the event buffer for a long time: give back what
  // the appends reserved beyond it.
  line.shrink_to_fit();
  return std::make_shared<const std::string>(std::move(line));
}

}  // namespace prid::ipc
