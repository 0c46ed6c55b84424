// A small HTTP server on libmicrohttpd's own thread: each request goes to
// one handler, one request at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "base/expected.h"
#include "exporter/listen_address.h"

struct MHD_Daemon;

namespace prid::exporter {

struct HttpReply {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::string allow;  // the Allow header of a 405, else empty
};

// Called on the server's thread, one request after the other; it must not
// throw (a throw becomes a 500).
using HttpHandler = std::function<HttpReply(std::string_view method, std::string_view path)>;

class HttpServer {
 public:
  // Binds `address` and serves; the error names the address and the reason.
  static base::Result<std::unique_ptr<HttpServer>> Start(const ListenAddress& address, HttpHandler handler);

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  // Stops the thread after the request in progress, closes the socket.
  ~HttpServer();

  // The port bound (the one chosen when the address asked for port 0).
  std::uint16_t port() const;

 private:
  HttpServer(std::unique_ptr<HttpHandler> handler, MHD_Daemon* daemon)
      : handler_(std::move(handler)), daemon_(daemon) {}

  std::unique_ptr<HttpHandler> handler_;  // libmicrohttpd holds its address
  MHD_Daemon* daemon_;
};

}  // namespace prid::exporter
