// API.md's methods: parses and checks each request's params, calls the
// session model, spans or event router, and maps their errors to API.md's
// error names. The ipc::Dispatcher of the daemon.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "daemon/api/event_router.h"
#include "daemon/session/session_model.h"
#include "daemon/api/trace_router.h"
#include "daemon/line/span.h"
#include "ipc/server.h"

namespace prid::daemon {

class RpcHandlers : public ipc::Dispatcher {
 public:
  using Spans = std::map<int, std::unique_ptr<Span>>;
  RpcHandlers(SessionModel& model, Spans& spans, EventRouter& router);

  void SetServer(const ipc::Server* server) { server_ = server; }
  void SetTraceRouter(TraceRouter* traces) { traces_ = traces; }

  // A method served outside the session model (e.g. daemon.reload by the
  // composition root); replaces one of the same name.
  using Method = std::function<base::Expected<nlohmann::json, ipc::RpcError>(ipc::ClientId,
                                                                            const ipc::Params&)>;
  void AddMethod(const std::string& name, Method method) { methods_[name] = std::move(method); }

  void ClientOpened(ipc::ClientId client) override;
  base::Expected<nlohmann::json, ipc::RpcError> Call(ipc::ClientId client, std::string_view method,
                                                    const ipc::Params& params) override;
  void ClientClosed(ipc::ClientId client) override;

 private:
  using Result = base::Expected<nlohmann::json, ipc::RpcError>;
  using Handler = std::function<Result(ipc::ClientId, const ipc::Params&)>;

  Result Status(ipc::ClientId, const ipc::Params&);
  Result SpanList(ipc::ClientId, const ipc::Params&);
  Result LineOpen(ipc::ClientId, const ipc::Params&);
  Result LineClose(ipc::ClientId, const ipc::Params&);
  Result CallMake(ipc::ClientId, const ipc::Params&);
  Result CallAlert(ipc::ClientId, const ipc::Params&);
  Result CallAnswer(ipc::ClientId, const ipc::Params&);
  Result CallDrop(ipc::ClientId, const ipc::Params&);
  Result CallInfo(ipc::ClientId, const ipc::Params&);
  Result CallList(ipc::ClientId, const ipc::Params&);
  Result CallDeallocate(ipc::ClientId, const ipc::Params&);
  Result CallHold(ipc::ClientId, const ipc::Params&);
  Result CallUnhold(ipc::ClientId, const ipc::Params&);
  Result CallJoin(ipc::ClientId, const ipc::Params&);
  Result ConferenceCreate(ipc::ClientId, const ipc::Params&);
  Result ConferenceAdd(ipc::ClientId, const ipc::Params&);
  Result ConferenceRemove(ipc::ClientId, const ipc::Params&);
  Result EventsSubscribe(ipc::ClientId, const ipc::Params&);
  Result TraceSubscribe(ipc::ClientId, const ipc::Params&);
  Result TraceUnsubscribe(ipc::ClientId, const ipc::Params&);
  Result SimCall(ipc::ClientId, const ipc::Params&);
  Result SimDrop(ipc::ClientId, const ipc::Params&);
  Result SimPolicy(ipc::ClientId, const ipc::Params&);
  Result SimHold(ipc::ClientId, const ipc::Params&);
  Result SimUnhold(ipc::ClientId, const ipc::Params&);
  // The built-in far end's span and libpri cref of params' "call".
  base::Expected<std::pair<Span*, int>, ipc::RpcError> SimCallOnWire(const ipc::Params& params);

  SessionModel& model_;
  Spans& spans_;
  EventRouter& router_;
  const ipc::Server* server_ = nullptr;
  TraceRouter* traces_ = nullptr;
  std::map<std::string, Handler, std::less<>> methods_;  // found by a string_view
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace prid::daemon
