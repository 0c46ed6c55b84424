// A Connection over ipc::Client, the real socket.
#pragma once

#include <memory>
#include <string>

#include "base/expected.h"
#include "cli/connection.h"

namespace prid::cli {

// Connects to prid's Unix socket at `path`; the error names the reason.
base::Result<std::unique_ptr<Connection>> ConnectToPrid(const std::string& path);

}  // namespace prid::cli
