// prid-exporter's --listen value, resolved with getaddrinfo.
#include "exporter/listen_address.h"

#include <netdb.h>

#include <fmt/format.h>

#include <charconv>
#include <cstring>
#include <memory>

namespace prid::exporter {

base::Result<ListenAddress> ParseListenAddress(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return base::Fail(fmt::format("--listen {}: expected HOST:PORT, e.g. {}", text, kDefaultListen));
  }
  std::string_view host = text.substr(0, colon);
  const std::string_view port = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return base::Fail(fmt::format("--listen {}: an IPv6 address goes in brackets, e.g. [::1]:9817", text));
  }
  if (host.empty()) return base::Fail(fmt::format("--listen {}: no host; 0.0.0.0 or [::] for every address", text));
  unsigned value = 0;
  const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || error != std::errc() || end != port.data() + port.size() || value > 65535) {
    return base::Fail(fmt::format("--listen {}: the port must be a number 0-65535", text));
  }

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string host_text(host);
  const std::string port_text(port);
  if (int rc = ::getaddrinfo(host_text.c_str(), port_text.c_str(), &hints, &found); rc != 0) {
    return base::Fail(fmt::format("--listen {}: {}", text, ::gai_strerror(rc)));
  }
  const std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owned(found, ::freeaddrinfo);
  ListenAddress address;
  std::memcpy(&address.address, found->ai_addr, found->ai_addrlen);
  address.length = found->ai_addrlen;
  address.text = std::string(text);
  return address;
}

}  // namespace prid::exporter
