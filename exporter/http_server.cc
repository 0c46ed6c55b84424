// A small HTTP server over libmicrohttpd (one internal polling thread).
#include "exporter/http_server.h"

#include <microhttpd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

namespace prid::exporter {
namespace {

// Idle connections go after this long: a stuck scraper holds nothing for good.
constexpr unsigned kConnectionTimeoutS = 30;
// Scrapes are few; this bounds what a flood of connections can hold.
constexpr unsigned kConnectionLimit = 32;

MHD_Result Queue(MHD_Connection* connection, const HttpReply& reply) {
  MHD_Response* response = MHD_create_response_from_buffer(reply.body.size(), const_cast<char*>(reply.body.data()),
                                                           MHD_RESPMEM_MUST_COPY);
  if (response == nullptr) return MHD_NO;
  MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, reply.content_type.c_str());
  if (!reply.allow.empty()) MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, reply.allow.c_str());
  const MHD_Result queued = MHD_queue_response(connection, reply.status, response);
  MHD_destroy_response(response);
  return queued;
}

// libmicrohttpd's access handler: called once with the headers (and again
// for each part of a body, which a GET does not have); answers at once.
MHD_Result Access(void* cls, MHD_Connection* connection, const char* url, const char* method, const char*,
                  const char*, size_t* upload_data_size, void**) {
  // A body sent with the request is read and ignored.
  if (*upload_data_size != 0) {
    *upload_data_size = 0;
    return MHD_YES;
  }
  const auto& handler = *static_cast<const HttpHandler*>(cls);
  HttpReply reply;
  try {
    reply = handler(method, url);
  } catch (const std::exception& e) {
    reply = HttpReply{MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8",
                      fmt::format("internal error: {}\n", e.what()), ""};
  }
  return Queue(connection, reply);
}

}  // namespace

base::Result<std::unique_ptr<HttpServer>> HttpServer::Start(const ListenAddress& address, HttpHandler handler) {
  auto owned = std::make_unique<HttpHandler>(std::move(handler));
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
  if (address.ipv6()) flags |= MHD_USE_IPv6;
  errno = 0;
  MHD_Daemon* daemon = MHD_start_daemon(flags, 0, nullptr, nullptr, &Access, owned.get(),
                                        MHD_OPTION_SOCK_ADDR, reinterpret_cast<const sockaddr*>(&address.address),
                                        MHD_OPTION_CONNECTION_TIMEOUT, kConnectionTimeoutS,
                                        MHD_OPTION_CONNECTION_LIMIT, kConnectionLimit, MHD_OPTION_END);
  if (daemon == nullptr) {
    // libmicrohttpd leaves the bind's errno behind.
    return base::Fail(fmt::format("cannot listen on {}: {}", address.text,
                                  errno != 0 ? std::strerror(errno) : "libmicrohttpd refused to start"));
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(owned), daemon));
}

HttpServer::~HttpServer() { MHD_stop_daemon(daemon_); }

std::uint16_t HttpServer::port() const {
  const MHD_DaemonInfo* info = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
  return info != nullptr ? info->port : 0;
}

}  // namespace prid::exporter
