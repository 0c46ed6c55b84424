// The composition root of prid: builds the socket server, event and trace
// routers, session model, spans and RPC handlers from a configuration, on
// one libev loop. Each is built after what it uses and given it in its
// constructor; the server is built first (it listens only from Start()).
#pragma once

#include <ev++.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/expected.h"
#include "daemon/config/config.h"
#include "daemon/idle_memory_trim.h"
#include "daemon/line/ev_timer.h"
#include "cdr/writer.h"
#include "daemon/api/cdr_recorder.h"
#include "daemon/api/event_router.h"
#include "daemon/api/outbox.h"
#include "daemon/api/rpc_handlers.h"
#include "daemon/api/trace_router.h"
#include "daemon/line/span.h"
#include "daemon/session/session_model.h"
#include "daemon/stats/counting_event_sink.h"
#include "daemon/stats/statistics.h"
#include "ipc/server.h"

namespace prid::dahdi_glue {
class ConferenceMixer;
}

namespace prid::daemon {

struct DaemonOptions {
  std::string socket_path;  // overrides the config's when set
  int listen_fd = -1;       // an inherited listening socket (socket activation)
  // Joins conference media on every span (tests: a mixer on a fake kernel,
  // so sim spans make the calls a dahdi span would). Without it, dahdi
  // spans use a mixer on the real DAHDI device and sim spans none.
  dahdi_glue::ConferenceMixer* conference_mixer = nullptr;
  // The system calls of dahdi spans (tests: a fake kernel); null: the real ones.
  dahdi_glue::DahdiSystem* dahdi_system = nullptr;
};

// What a reload did (Daemon::Reload), by span number.
struct ReloadReport {
  std::vector<int> added;
  std::vector<int> removed;
  std::vector<int> restarted;
  std::vector<int> unchanged;
  std::vector<std::string> pending_restart;  // [daemon] keys applied at the next start
  std::vector<std::string> failed;           // spans that could not start, with why
};

// The server dispatches to the Daemon, which hands every request to its
// RpcHandlers: the server is built before them (the routers they use send
// through it), so it cannot be given the handlers themselves, and it
// dispatches nothing before Start(), when everything exists.
class Daemon : public SpanObserver, private ipc::Dispatcher {
 public:
  Daemon(ev::loop_ref loop, DaemonConfig config, DaemonOptions options);
  ~Daemon() override;

  // Starts the spans and the socket. A span that cannot start stays in
  // state error (span.list gives the reason) and the rest goes on; only
  // the socket, the groups and [cdr] can fail Start.
  base::Status Start();
  const std::string& socket_path() const { return socket_path_; }

  // Applies a validated configuration to the running daemon: spans added
  // are started, spans removed are stopped, spans whose settings changed are
  // restarted (their calls cleared), unchanged spans and their calls are
  // not touched; spans in state error are started again. A span that fails
  // to start stays in state error and is named in `failed`.
  ReloadReport Reload(DaemonConfig next);
  const DaemonConfig& config() const { return config_; }

  // Clean stop: every call on the wire is cleared with cause 16 (normal
  // clearing), waiting up to `grace` for the far ends; then every client is
  // disconnected once its queued events are written (up to 2 s more); then
  // `done` runs.
  void Shutdown(std::function<void()> done, std::chrono::milliseconds grace);

  // daemon.reload: runs `reload` (which reads the file and calls Reload).
  using Reloader = std::function<base::Result<ReloadReport>()>;
  void SetReloader(Reloader reloader) { reloader_ = std::move(reloader); }
  // Called after a span's D-channel goes up or down.
  void SetSpanStateListener(std::function<void()> listener) { span_listener_ = std::move(listener); }
  std::size_t spans_up() const;

  // Sees every frame every span sends or receives (tests, traces).
  using FrameTap = std::function<void(int span, q931::FrameDirection, std::span<const std::uint8_t>)>;
  void SetFrameTap(FrameTap tap) { frame_tap_ = std::move(tap); }
  const SessionModel& model() const { return model_; }
  const RpcHandlers::Spans& spans() const { return spans_; }
  std::size_t span_count() const { return spans_.size(); }

 private:
  // Registers and starts the span; it stays registered (in state error)
  // when its start fails, which the status returned says.
  base::Status StartSpan(const SpanConfig& span_config);
  void StopSpan(int span);
  void OnShutdownTick(ev::timer&, int);
  base::Expected<nlohmann::json, ipc::RpcError> ReloadMethod();
  void SpanStateChanged(const SpanStateChange& change) override;
  void ChannelStateChanged(int span, int channel, ChannelState state, ChannelState previous) override;
  void SpanFrame(int span, q931::FrameDirection direction, std::span<const std::uint8_t> frame) override;
  // ipc::Dispatcher: to handlers_; each is client activity for memory_trim_.
  void ClientOpened(ipc::ClientId client, const ipc::PeerCredentials& peer) override {
    memory_trim_.Activity();
    handlers_.ClientOpened(client, peer);
  }
  MethodResult Call(ipc::ClientId client, std::string_view method, const ipc::Params& params) override {
    memory_trim_.Activity();
    return handlers_.Call(client, method, params);
  }
  void ClientClosed(ipc::ClientId client) override {
    memory_trim_.Activity();
    handlers_.ClientClosed(client);
  }
  void ClientDrained(ipc::ClientId client) override { handlers_.ClientDrained(client); }

  // In construction order: each member is built after the ones it uses.
  ev::loop_ref loop_;
  IdleMemoryTrim memory_trim_;  // trims the heap once clients go quiet after a burst
  DaemonConfig config_;
  DaemonOptions options_;
  std::string socket_path_;
  // The socket server's options; an error (a socket_group that does not
  // exist) is reported by Start().
  base::Result<ipc::ServerOptions> server_options_;
  // supervisor_group's gid (kNoGroup when unset); an error (a group that
  // does not exist) is reported by Start().
  base::Result<gid_t> supervisor_group_;
  ipc::Server server_;
  ServerOutbox outbox_;
  EvTimerFactory timers_;
  ModelAudience audience_;  // over model_, built below: asked only once events flow
  EventRouter router_;
  Statistics stats_;
  // [cdr]: the writer (nullptr when off); an error (a spool that cannot be
  // opened) is reported by Start().
  base::Result<std::unique_ptr<cdr::Writer>> cdr_writer_;
  CdrRecorder cdr_records_;           // records each cleared call, then to router_
  CountingEventSink counted_events_;  // counts, then to cdr_records_
  TraceRouter traces_;                // asks spans_ and model_ only once frames flow
  TraceKeepingSink traced_events_;    // the model's sink: records gone to traces_, then to counted_events_
  SessionModel model_;
  RpcHandlers::Spans spans_;
  RpcHandlers handlers_;
  FrameTap frame_tap_;
  Reloader reloader_;
  std::function<void()> span_listener_;
  ev::timer shutdown_timer_;
  std::function<void()> shutdown_done_;
  std::chrono::steady_clock::time_point shutdown_deadline_;
  bool clients_closing_ = false;
  std::unique_ptr<dahdi_glue::ConferenceMixer> dahdi_mixer_;  // for dahdi spans
};

nlohmann::json ReloadReportJson(const ReloadReport& report);

}  // namespace prid::daemon
