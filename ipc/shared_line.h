// The serialized lines the server queues to clients: shared, so that an
// event is serialized once however many clients receive it.
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <string>

namespace prid::ipc {

// One serialized JSON-RPC line, newline included, shared by every client it
// is queued to (an event is serialized once, however many receive it).
using SharedLine = std::shared_ptr<const std::string>;

// Serializes a notification: {"jsonrpc":"2.0","method":method,"params":params}\n
SharedLine MakeNotificationLine(const std::string& method, const nlohmann::json& params);

}  // namespace prid::ipc
