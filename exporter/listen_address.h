// prid-exporter's --listen value: HOST:PORT (an IPv4 or [IPv6] literal, or
// a name), resolved once to the address to bind.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/expected.h"

namespace prid::exporter {

inline constexpr std::string_view kDefaultListen = "127.0.0.1:9817";

struct ListenAddress {
  sockaddr_storage address{};
  socklen_t length = 0;
  std::string text;  // as given, for messages
  bool ipv6() const { return address.ss_family == AF_INET6; }
};

// "127.0.0.1:9817", "[::1]:9817", "localhost:0" (0: any free port). The
// error says what is wrong with the value.
base::Result<ListenAddress> ParseListenAddress(std::string_view text);

}  // namespace prid::exporter
