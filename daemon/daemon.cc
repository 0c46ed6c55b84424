// The composition root of prid.
#include "daemon/daemon.h"

#include <grp.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "base/log.h"

namespace prid::daemon {

Daemon::Daemon(ev::loop_ref loop, DaemonConfig config, DaemonOptions options)
    : loop_(loop),
      config_(std::move(config)),
      options_(std::move(options)),
      timers_(loop),
      router_(config_.event_buffer),
      model_(router_, timers_),
      handlers_(model_, spans_, router_),
      traces_([this](CallId call) -> std::optional<std::pair<int, int>> {
        for (const auto& [number, span] : spans_) {
          if (auto cref = span->CrefOf(call)) return std::pair{number, *cref};
        }
        return std::nullopt;
      }) {
  socket_path_ = options_.socket_path.empty() ? config_.socket_path : options_.socket_path;
  router_.SetModel(&model_);
  handlers_.SetTraceRouter(&traces_);
}

Daemon::~Daemon() {
  // Clients first (no dispatcher calls), then the spans' libpri links.
  traces_.SetServer(nullptr);
  server_.reset();
  spans_.clear();
}

base::Status Daemon::Start() {
  for (const SpanConfig& span_config : config_.spans) {
    auto span = std::make_unique<Span>(loop_, span_config, model_, *this);
    model_.AddSpan({span_config.span, span_config.appearance, span_config.release_timeout_s, span_config.uui,
                    span_config.uui_max},
                   span.get());
    if (auto ok = span->Start(); !ok.ok()) return ok;
    spans_.emplace(span_config.span, std::move(span));
  }

  ipc::ServerOptions options;
  options.path = socket_path_;
  options.inherited_fd = options_.listen_fd;
  options.max_queue_bytes = config_.client_queue_bytes;
  if (!config_.socket_group.empty()) {
    struct group* g = ::getgrnam(config_.socket_group.c_str());
    if (g == nullptr) {
      return base::Status::Error(fmt::format("socket_group '{}' does not exist", config_.socket_group));
    }
    options.group = g->gr_gid;
  }
  if (options_.listen_fd < 0) {
    // Like tmpfiles.d would: the socket's directory may not exist yet.
    std::error_code ec;
    auto dir = std::filesystem::path(socket_path_).parent_path();
    if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  }
  server_ = std::make_unique<ipc::Server>(loop_, handlers_, options);
  router_.SetServer(server_.get());
  handlers_.SetServer(server_.get());
  traces_.SetServer(server_.get());
  if (auto ok = server_->Start(); !ok.ok()) return ok;
  PRID_LOG_NOTICE("prid listening on {} with {} span(s)", socket_path_, spans_.size());
  return base::Status::Ok();
}

void Daemon::SpanStateChanged(int span, bool up) {
  router_.SpanStateChanged(span, up ? "up" : "down", up ? "down" : "up");
}

void Daemon::SpanFrame(int span, q931::FrameDirection direction, std::span<const std::uint8_t> frame) {
  traces_.Frame(span, direction, frame);
  if (frame_tap_) frame_tap_(span, direction, frame);
}

}  // namespace prid::daemon
