// API.md's methods: one table (method_table.h) declares each method's
// parameters beside its handler and checks a request against them before
// the handler runs; the handlers call the session model, spans or routers
// and map their errors to API.md's error names. The ipc::Dispatcher of the
// daemon.
#pragma once

#include <chrono>
#include <functional>
#include <vector>

#include "daemon/api/event_router.h"
#include "daemon/api/method_table.h"
#include "daemon/api/outbox.h"
#include "daemon/api/trace_router.h"
#include "daemon/line/span.h"
#include "daemon/session/session_model.h"
#include "daemon/stats/statistics.h"
#include "ipc/peer_credentials.h"
#include "ipc/server.h"

namespace prid::cdr {
class Writer;
}

namespace prid::daemon {

class RpcHandlers : public ipc::Dispatcher {
 public:
  using Spans = SpanMap;
  // daemon.reload, served by the composition root (it reads the file).
  using ReloadMethod = std::function<MethodResult()>;

  // Every collaborator is borrowed and must outlive the handlers. `spans` is
  // the daemon's live map (spans come and go on reload); `outbox` answers
  // daemon.status's client count; `stats` counts the requests and clients
  // and answers stats.get; `cdr_writer` (nullptr: CDRs off) answers
  // cdr.status. `supervisor_group`: who besides root and
  // our own user is a supervisor (API.md "Supervisors"); kNoGroup: nobody.
  RpcHandlers(SessionModel& model, Spans& spans, EventRouter& router, TraceRouter& traces, Outbox& outbox,
              Statistics& stats, ReloadMethod reload, gid_t supervisor_group = ipc::PeerCheck::kNoGroup,
              const cdr::Writer* cdr_writer = nullptr);

  // Names the client a supervisor in the model when its credentials say so.
  void ClientOpened(ipc::ClientId client, const ipc::PeerCredentials& peer) override;
  MethodResult Call(ipc::ClientId client, std::string_view method, const ipc::Params& params) override;
  void ClientClosed(ipc::ClientId client) override;
  void ClientDrained(ipc::ClientId client) override;

  // The names of the methods Call() answers, sorted; valid as long as the
  // handlers are.
  std::vector<std::string_view> MethodNames() const { return table_.Names(); }

 private:
  using Result = MethodResult;

  // The table: every method, its parameters and its handler.
  std::vector<MethodEntry> Methods();

  Result Status(ipc::ClientId, const Args&);
  Result LineOpen(ipc::ClientId, const Args&);
  Result LineClose(ipc::ClientId, const Args&);
  Result CallMake(ipc::ClientId, const Args&);
  Result CallAlert(ipc::ClientId, const Args&);
  Result CallAnswer(ipc::ClientId, const Args&);
  Result CallProceed(ipc::ClientId, const Args&);
  Result CallProgress(ipc::ClientId, const Args&);
  Result CallDial(ipc::ClientId, const Args&);
  Result CallDisplay(ipc::ClientId, const Args&);
  Result CallRedirect(ipc::ClientId, const Args&);
  Result CallTransfer(ipc::ClientId, const Args&);
  Result CallDrop(ipc::ClientId, const Args&);
  Result CallInfo(ipc::ClientId, const Args&);
  Result CallList(ipc::ClientId, const Args&);
  Result CallDeallocate(ipc::ClientId, const Args&);
  Result CallHold(ipc::ClientId, const Args&);
  Result CallUnhold(ipc::ClientId, const Args&);
  Result CallJoin(ipc::ClientId, const Args&);
  Result ConferenceCreate(ipc::ClientId, const Args&);
  Result ConferenceAdd(ipc::ClientId, const Args&);
  Result ConferenceRemove(ipc::ClientId, const Args&);
  Result EventsSubscribe(ipc::ClientId, const Args&);
  Result TraceSubscribe(ipc::ClientId, const Args&);
  Result TraceUnsubscribe(ipc::ClientId, const Args&);
  Result SimCall(ipc::ClientId, const Args&);
  Result SimDrop(ipc::ClientId, const Args&);
  Result SimPolicy(ipc::ClientId, const Args&);
  Result SimKeypad(ipc::ClientId, const Args&);
  Result SimProgress(ipc::ClientId, const Args&);
  Result SimDisplay(ipc::ClientId, const Args&);
  Result SimHold(ipc::ClientId, const Args&);
  Result SimUnhold(ipc::ClientId, const Args&);
  Result StatsGet(ipc::ClientId, const Args&);
  Result StatsReset(ipc::ClientId, const Args&);
  Result CdrStatus(ipc::ClientId, const Args&);
  // What stats.get reads from the outbox and the router now.
  DaemonGauges Gauges() const;
  // The built-in far end's span and libpri cref of the call `call`.
  base::Expected<std::pair<Span*, int>, ipc::RpcError> SimCallOnWire(CallId call);

  SessionModel& model_;
  Spans& spans_;
  EventRouter& router_;
  TraceRouter& traces_;
  Outbox& outbox_;
  Statistics& stats_;
  ReloadMethod reload_;
  ipc::PeerCheck supervisors_;
  const cdr::Writer* cdr_writer_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  MethodTable table_;  // last: its handlers use the members above
};

}  // namespace prid::daemon
