// API.md's methods: parses and checks each request's params, calls the
// session model, spans or event router, and maps their errors to API.md's
// error names. The ipc::Dispatcher of the daemon.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "daemon/event_router.h"
#include "daemon/session_model.h"
#include "daemon/trace_router.h"
#include "daemon/span.h"
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
                                                                            const nlohmann::json&)>;
  void AddMethod(const std::string& name, Method method) { methods_[name] = std::move(method); }

  void ClientOpened(ipc::ClientId client) override;
  base::Expected<nlohmann::json, ipc::RpcError> Call(ipc::ClientId client, const std::string& method,
                                                    const nlohmann::json& params) override;
  void ClientClosed(ipc::ClientId client) override;

 private:
  using Result = base::Expected<nlohmann::json, ipc::RpcError>;
  using Handler = std::function<Result(ipc::ClientId, const nlohmann::json&)>;

  Result Status(ipc::ClientId, const nlohmann::json&);
  Result SpanList(ipc::ClientId, const nlohmann::json&);
  Result LineOpen(ipc::ClientId, const nlohmann::json&);
  Result LineClose(ipc::ClientId, const nlohmann::json&);
  Result CallMake(ipc::ClientId, const nlohmann::json&);
  Result CallAlert(ipc::ClientId, const nlohmann::json&);
  Result CallAnswer(ipc::ClientId, const nlohmann::json&);
  Result CallDrop(ipc::ClientId, const nlohmann::json&);
  Result CallInfo(ipc::ClientId, const nlohmann::json&);
  Result CallList(ipc::ClientId, const nlohmann::json&);
  Result CallDeallocate(ipc::ClientId, const nlohmann::json&);
  Result CallHold(ipc::ClientId, const nlohmann::json&);
  Result CallUnhold(ipc::ClientId, const nlohmann::json&);
  Result CallJoin(ipc::ClientId, const nlohmann::json&);
  Result ConferenceCreate(ipc::ClientId, const nlohmann::json&);
  Result ConferenceAdd(ipc::ClientId, const nlohmann::json&);
  Result ConferenceRemove(ipc::ClientId, const nlohmann::json&);
  Result EventsSubscribe(ipc::ClientId, const nlohmann::json&);
  Result TraceSubscribe(ipc::ClientId, const nlohmann::json&);
  Result TraceUnsubscribe(ipc::ClientId, const nlohmann::json&);
  Result SimCall(ipc::ClientId, const nlohmann::json&);
  Result SimDrop(ipc::ClientId, const nlohmann::json&);
  Result SimPolicy(ipc::ClientId, const nlohmann::json&);
  Result SimHold(ipc::ClientId, const nlohmann::json&);
  Result SimUnhold(ipc::ClientId, const nlohmann::json&);
  // The built-in far end's span and libpri cref of params' "call".
  base::Expected<std::pair<Span*, int>, ipc::RpcError> SimCallOnWire(const nlohmann::json& params);

  SessionModel& model_;
  Spans& spans_;
  EventRouter& router_;
  const ipc::Server* server_ = nullptr;
  TraceRouter* traces_ = nullptr;
  std::map<std::string, Handler> methods_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace prid::daemon
