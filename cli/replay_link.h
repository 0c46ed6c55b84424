// The replayer's end of a sim span's D-channel: a SOCK_SEQPACKET Unix socket
// connected to the path the span listens on (`listen = "PATH"`), one LAPD
// frame (no FCS) per packet, as prid's sim transport sends them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/expected.h"
#include "base/unique_fd.h"

namespace prid::cli {

class ReplayLink {
 public:
  // Errors name the path: "connect /run/x.sock: Connection refused".
  static base::Result<ReplayLink> Connect(const std::string& path);

  base::Status Send(std::span<const std::uint8_t> frame);
  // The next frame, waiting up to timeout_ms (0: only what is there);
  // nullopt when none came. An error when prid closed the link.
  base::Result<std::optional<std::vector<std::uint8_t>>> Receive(int timeout_ms);

 private:
  explicit ReplayLink(base::UniqueFd fd) : fd_(std::move(fd)) {}
  base::UniqueFd fd_;
};

}  // namespace prid::cli
