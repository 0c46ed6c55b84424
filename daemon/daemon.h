// The composition root of prid: builds the event router, session model,
// spans, RPC handlers and socket server from a configuration, on one libev
// loop.
#pragma once

#include <ev++.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "base/expected.h"
#include "daemon/config.h"
#include "daemon/ev_timer.h"
#include "daemon/event_router.h"
#include "daemon/rpc_handlers.h"
#include "daemon/session_model.h"
#include "daemon/span.h"
#include "daemon/trace_router.h"
#include "ipc/server.h"

namespace prid::daemon {

struct DaemonOptions {
  std::string socket_path;  // overrides the config's when set
  int listen_fd = -1;       // an inherited listening socket (socket activation)
};

class Daemon : public SpanObserver {
 public:
  Daemon(ev::loop_ref loop, DaemonConfig config, DaemonOptions options);
  ~Daemon() override;

  base::Status Start();
  const std::string& socket_path() const { return socket_path_; }

  // Sees every frame every span sends or receives (tests, traces).
  using FrameTap = std::function<void(int span, q931::FrameDirection, std::span<const std::uint8_t>)>;
  void SetFrameTap(FrameTap tap) { frame_tap_ = std::move(tap); }
  const SessionModel& model() const { return model_; }
  const RpcHandlers::Spans& spans() const { return spans_; }
  std::size_t span_count() const { return spans_.size(); }

 private:
  void SpanStateChanged(int span, bool up) override;
  void SpanFrame(int span, q931::FrameDirection direction, std::span<const std::uint8_t> frame) override;

  ev::loop_ref loop_;
  DaemonConfig config_;
  DaemonOptions options_;
  std::string socket_path_;
  EvTimerFactory timers_;
  EventRouter router_;
  SessionModel model_;
  RpcHandlers::Spans spans_;
  RpcHandlers handlers_;
  TraceRouter traces_;
  std::unique_ptr<ipc::Server> server_;
  FrameTap frame_tap_;
};

}  // namespace prid::daemon
