// API.md's methods over the session model, spans and event router.
#include "daemon/api/rpc_handlers.h"

#include <unistd.h>

#include <fmt/format.h>

#include "daemon/api/call_json.h"
#include "daemon/api/request_params.h"
#include "daemon/line/sim_peer.h"
#include "daemon/api/span_methods.h"
#include "prid_build_config.h"

namespace prid::daemon {
namespace {

using nlohmann::json;
using ipc::ErrorCode;
using ipc::MakeError;

base::Unexpected<ipc::RpcError> Invalid(std::string message) {
  return {MakeError(ErrorCode::kInvalidParams, std::move(message))};
}

ipc::RpcError FromModel(const ModelError& e) {
  switch (e.kind) {
    case ModelErrorKind::kInvalidCallHandle: return MakeError(ErrorCode::kInvalidCallHandle, e.message);
    case ModelErrorKind::kInvalidCallState: return MakeError(ErrorCode::kInvalidCallState, e.message);
    case ModelErrorKind::kNotOwner: return MakeError(ErrorCode::kNotOwner, e.message);
    case ModelErrorKind::kUserUserInfoTooBig:
      return MakeError(ErrorCode::kUserUserInfoTooBig, e.message, json{{"max", e.max.value_or(0)}});
    case ModelErrorKind::kOperationUnavailable: return MakeError(ErrorCode::kOperationUnavailable, e.message);
    case ModelErrorKind::kResourceUnavailable: return MakeError(ErrorCode::kResourceUnavailable, e.message);
    case ModelErrorKind::kSpanDown: return MakeError(ErrorCode::kSpanDown, e.message);
    case ModelErrorKind::kInvalidParams: return MakeError(ErrorCode::kInvalidParams, e.message);
  }
  return MakeError(ErrorCode::kInternalError, e.message);
}

template <typename T>
base::Expected<json, ipc::RpcError> Done(const ModelResult<T>& r, json ok = json::object()) {
  if (!r.ok()) return base::Unexpected<ipc::RpcError>{FromModel(r.error())};
  return ok;
}

constexpr std::int64_t kMaxId = std::int64_t{1} << 53;

}  // namespace

#define PRID_TRY(var, expr)                                                   \
  auto var##_result = (expr);                                                 \
  if (!var##_result.ok()) return base::Unexpected<ipc::RpcError>{var##_result.error()}; \
  auto var = std::move(*var##_result)

#define PRID_CHECK_KEYS(params, ...)                                          \
  if (auto bad = OnlyKeys(params, {__VA_ARGS__})) return base::Unexpected<ipc::RpcError>{*bad}

RpcHandlers::RpcHandlers(SessionModel& model, Spans& spans, EventRouter& router)
    : model_(model), spans_(spans), router_(router) {
  auto bind = [this](Result (RpcHandlers::*f)(ipc::ClientId, const ipc::Params&)) {
    return [this, f](ipc::ClientId c, const ipc::Params& p) { return (this->*f)(c, p); };
  };
  methods_ = {
      {"daemon.status", bind(&RpcHandlers::Status)},
      {"span.list", bind(&RpcHandlers::SpanList)},
      {"span.restart", [this](ipc::ClientId, const ipc::Params& p) { return SpanRestartMethod(spans_, p); }},
      {"span.service", [this](ipc::ClientId, const ipc::Params& p) { return SpanServiceMethod(spans_, p); }},
      {"line.open", bind(&RpcHandlers::LineOpen)},
      {"line.close", bind(&RpcHandlers::LineClose)},
      {"call.make", bind(&RpcHandlers::CallMake)},
      {"call.alert", bind(&RpcHandlers::CallAlert)},
      {"call.answer", bind(&RpcHandlers::CallAnswer)},
      {"call.drop", bind(&RpcHandlers::CallDrop)},
      {"call.info", bind(&RpcHandlers::CallInfo)},
      {"call.list", bind(&RpcHandlers::CallList)},
      {"call.deallocate", bind(&RpcHandlers::CallDeallocate)},
      {"call.hold", bind(&RpcHandlers::CallHold)},
      {"call.unhold", bind(&RpcHandlers::CallUnhold)},
      {"call.join", bind(&RpcHandlers::CallJoin)},
      {"conference.create", bind(&RpcHandlers::ConferenceCreate)},
      {"conference.add", bind(&RpcHandlers::ConferenceAdd)},
      {"conference.remove", bind(&RpcHandlers::ConferenceRemove)},
      {"events.subscribe", bind(&RpcHandlers::EventsSubscribe)},
      {"trace.subscribe", bind(&RpcHandlers::TraceSubscribe)},
      {"trace.unsubscribe", bind(&RpcHandlers::TraceUnsubscribe)},
      {"sim.call", bind(&RpcHandlers::SimCall)},
      {"sim.drop", bind(&RpcHandlers::SimDrop)},
      {"sim.policy", bind(&RpcHandlers::SimPolicy)},
      {"sim.hold", bind(&RpcHandlers::SimHold)},
      {"sim.unhold", bind(&RpcHandlers::SimUnhold)},
  };
}

void RpcHandlers::ClientOpened(ipc::ClientId) {}

void RpcHandlers::ClientClosed(ipc::ClientId client) {
  router_.ClientGone(client);
  if (traces_ != nullptr) traces_->ClientGone(client);
  model_.ClientGone(client);
}

RpcHandlers::Result RpcHandlers::Call(ipc::ClientId client, std::string_view method, const ipc::Params& params) {
  auto it = methods_.find(method);
  if (it == methods_.end()) {
    return base::Unexpected<ipc::RpcError>{
        MakeError(ErrorCode::kMethodNotFound, fmt::format("no method '{}' (see API.md)", method))};
  }
  return it->second(client, params);
}

RpcHandlers::Result RpcHandlers::Status(ipc::ClientId, const ipc::Params& params) {
  PRID_CHECK_KEYS(params);
  auto uptime = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_);
  return json{{"version", PRID_VERSION},
              {"api", 1},
              {"pid", static_cast<int>(::getpid())},
              {"uptime_s", uptime.count()},
              {"spans", spans_.size()},
              {"calls", {{"active", model_.active_count()}, {"records", model_.record_count()}}},
              {"clients", server_ ? server_->client_count() : 0},
              {"events", {{"last_seq", router_.log().last_seq()}, {"buffered", router_.log().size()}}}};
}

RpcHandlers::Result RpcHandlers::SpanList(ipc::ClientId, const ipc::Params& params) {
  return SpanListMethod(spans_, params);
}

RpcHandlers::Result RpcHandlers::LineOpen(ipc::ClientId client, const ipc::Params& params) {
  PRID_CHECK_KEYS(params, "span", "privilege");
  PRID_TRY(span, IntParam(params, "span", true, 1, 255));
  PRID_TRY(privilege, StringParam(params, "privilege", false));
  Privilege p = Privilege::kOwner;
  if (privilege && *privilege == "monitor") {
    p = Privilege::kMonitor;
  } else if (privilege && *privilege != "owner") {
    return Invalid(fmt::format("privilege must be \"owner\" or \"monitor\", not \"{}\"", *privilege));
  }
  return Done(model_.OpenLine(client, static_cast<int>(*span), p));
}

RpcHandlers::Result RpcHandlers::LineClose(ipc::ClientId client, const ipc::Params& params) {
  PRID_CHECK_KEYS(params, "span");
  PRID_TRY(span, IntParam(params, "span", true, 1, 255));
  return Done(model_.CloseLine(client, static_cast<int>(*span)));
}

RpcHandlers::Result RpcHandlers::CallMake(ipc::ClientId client, const ipc::Params& params) {
  PRID_CHECK_KEYS(params, "span", "number", "calling", "bearer", "channel", "uui");
  PRID_TRY(span, IntParam(params, "span", false, 1, 255));
  PRID_TRY(number, StringParam(params, "number", true));
  PRID_TRY(calling, StringParam(params, "calling", false));
  PRID_TRY(bearer, StringParam(params, "bearer", false));
  PRID_TRY(channel, IntParam(params, "channel", false, 1, 31));
  PRID_TRY(uui, UuiParam(params));
  MakeCallRequest request;
  if (span) request.span = static_cast<int>(*span);
  request.called = *number;
  request.calling = calling.value_or("");
  if (bearer) {
    auto b = BearerFromName(*bearer);
    if (!b) return Invalid(fmt::format("bearer must be speech, 3.1khz or digital, not \"{}\"", *bearer));
    request.bearer = *b;
  }
  request.channel = static_cast<int>(channel.value_or(0));
  request.uui = uui;
  auto id = model_.Make(client, request);
  if (!id.ok()) return base::Unexpected<ipc::RpcError>{FromModel(id.error())};
  return json{{"call", *id}};
}

RpcHandlers::Result RpcHandlers::CallAlert(ipc::ClientId client, const ipc::Params& params) {
  PRID_CHECK_KEYS(params, "call", "inband");
  PRID_TRY(call, IntParam(params, "call", true, 1, kMaxId));
  PRID_TRY(inband, BoolParam(params, "inband"));
  return Done(model_.Alert(client, static_cast<CallId>(*call), inband.value_or(true)));
}

RpcHandlers::Result RpcHandlers::CallAnswer(ipc::ClientId client, const ipc::Params& params) {
  PRID_CHECK_KEYS(params, "call", "uui", "non_isdn");
  PRID_TRY(call, IntParam(params, "call", true, 1, kMaxId));
  PRID_TRY(uui, UuiParam(params));
  PRID_TRY(non_isdn, BoolParam(params, "non_isdn"));
  return Done(model_.Answer(client, static_cast<CallId>(*call), uui, non_isdn.value_or(false)));
}

RpcHandlers::Result RpcHandlers::CallDrop(ipc::ClientId client, const ipc::Params& params) {
  PRID_CHECK_KEYS(params, "call", "cause", "uui");
  PRID_TRY(call, IntParam(params, "call", true, 1, kMaxId));
  PRID_TRY(cause, CauseParam(params));
  PRID_TRY(uui, UuiParam(params));
  return Done(model_.Drop(client, static_cast<CallId>(*call), cause, uui));
}

RpcHandlers::Result RpcHandlers::CallInfo(ipc::ClientId client, const ipc::Params& params) {
  PRID_CHECK_KEYS(params, "call");
  PRID_TRY(call, IntParam(params, "call", true, 1, kMaxId));
  auto view = model_.Info(client, static_cast<CallId>(*call));
  if (!view.ok()) return base::Unexpected<ipc::RpcError>{FromModel(view.error())};
  return CallRecordJson(*view->call, *view->handle);
}

// trace.subscribe {span?, call?}: `call` (a call on the wire) narrows the
// trace to that call's Q.931 messages.
RpcHandlers::Result RpcHandlers::TraceSubscribe(ipc::ClientId client, const ipc::Params& params) {
  PRID_CHECK_KEYS(params, "span", "call");
  PRID_TRY(span, IntParam(params, "span", false, 1, kMaxId));
  PRID_TRY(call, IntParam(params, "call", false, 1, kMaxId));
  if (traces_ == nullptr) return base::Unexpected<ipc::RpcError>{MakeError(ErrorCode::kOperationUnavailable, "traces are not available")};
  TraceFilter filter;
  if (span) {
    if (!spans_.contains(static_cast<int>(*span))) return Invalid(fmt::format("no span {}", *span));
    filter.span = static_cast<int>(*span);
  }
  filter.call = call ? std::optional<CallId>(static_cast<CallId>(*call)) : std::nullopt;
  // A trace is a diagnostic: any client may follow a call on the wire,
  // without a handle on it.
  if (!traces_->Subscribe(client, filter)) {
    return base::Unexpected<ipc::RpcError>{MakeError(
        ErrorCode::kInvalidCallHandle, fmt::format("call {} is not on the wire", *call))};
  }
  return json::object();
}

RpcHandlers::Result RpcHandlers::TraceUnsubscribe(ipc::ClientId client, const ipc::Params& params) {
  PRID_CHECK_KEYS(params);
  if (traces_ != nullptr) traces_->Unsubscribe(client);
  return json::object();
}

RpcHandlers::Result RpcHandlers::CallList(ipc::ClientId client, const ipc::Params& params) {
  PRID_CHECK_KEYS(params, "state");
  PRID_TRY(state_name, StringParam(params, "state", false));
  std::optional<CallState> state;
  if (state_name) {
    state = CallStateFromName(*state_name);
    if (!state) return Invalid(fmt::format("unknown state \"{}\" (see API.md States)", *state_name));
  }
  json out = json::array();
  for (const CallView& view : model_.List(client, state)) out.push_back(CallRecordJson(*view.call, *view.handle));
  return out;
}

RpcHandlers::Result RpcHandlers::CallDeallocate(ipc::ClientId client, const ipc::Params& params) {
  PRID_CHECK_KEYS(params, "call");
  PRID_TRY(call, IntParam(params, "call", true, 1, kMaxId));
  return Done(model_.Deallocate(client, static_cast<CallId>(*call)));
}

RpcHandlers::Result RpcHandlers::CallHold(ipc::ClientId client, const ipc::Params& params) {
  PRID_CHECK_KEYS(params, "call");
  PRID_TRY(call, IntParam(params, "call", true, 1, kMaxId));
  return Done(model_.Hold(client, static_cast<CallId>(*call)));
}

RpcHandlers::Result RpcHandlers::CallUnhold(ipc::ClientId client, const ipc::Params& params) {
  PRID_CHECK_KEYS(params, "call");
  PRID_TRY(call, IntParam(params, "call", true, 1, kMaxId));
  return Done(model_.Unhold(client, static_cast<CallId>(*call)));
}

RpcHandlers::Result RpcHandlers::CallJoin(ipc::ClientId client, const ipc::Params& params) {
  PRID_CHECK_KEYS(params, "call");
  PRID_TRY(call, IntParam(params, "call", true, 1, kMaxId));
  return Done(model_.Join(client, static_cast<CallId>(*call)));
}

RpcHandlers::Result RpcHandlers::ConferenceCreate(ipc::ClientId client, const ipc::Params& params) {
  PRID_CHECK_KEYS(params, "calls");
  ipc::ParamValue list;
  if (params["calls"].get(list) != simdjson::SUCCESS) return Invalid("missing parameter 'calls'");
  if (!list.is_array()) return Invalid("parameter 'calls' must be an array of call ids");
  std::vector<CallId> calls;
  const simdjson::dom::array ids = list.get_array().value_unsafe();
  for (ipc::ParamValue id : ids) {
    std::int64_t n = 0;
    if (id.get_int64().get(n) != simdjson::SUCCESS || n < 1 || n > kMaxId) {
      return Invalid(fmt::format("parameter 'calls' must hold call ids (integers 1…{})", kMaxId));
    }
    calls.push_back(static_cast<CallId>(n));
  }
  auto conference = model_.ConferenceCreate(client, calls);
  if (!conference.ok()) return base::Unexpected<ipc::RpcError>{FromModel(conference.error())};
  return json{{"conference", *conference}};
}

RpcHandlers::Result RpcHandlers::ConferenceAdd(ipc::ClientId client, const ipc::Params& params) {
  PRID_CHECK_KEYS(params, "conference", "call");
  PRID_TRY(conference, IntParam(params, "conference", true, 1, kMaxId));
  PRID_TRY(call, IntParam(params, "call", true, 1, kMaxId));
  return Done(model_.ConferenceAdd(client, static_cast<CallId>(*conference), static_cast<CallId>(*call)));
}

RpcHandlers::Result RpcHandlers::ConferenceRemove(ipc::ClientId client, const ipc::Params& params) {
  PRID_CHECK_KEYS(params, "conference", "call");
  PRID_TRY(conference, IntParam(params, "conference", true, 1, kMaxId));
  PRID_TRY(call, IntParam(params, "call", true, 1, kMaxId));
  return Done(model_.ConferenceRemove(client, static_cast<CallId>(*conference), static_cast<CallId>(*call)));
}

RpcHandlers::Result RpcHandlers::EventsSubscribe(ipc::ClientId client, const ipc::Params& params) {
  PRID_CHECK_KEYS(params, "since", "span", "call");
  PRID_TRY(since, IntParam(params, "since", false, 0, kMaxId));
  PRID_TRY(span, IntParam(params, "span", false, 1, 255));
  PRID_TRY(call, IntParam(params, "call", false, 1, kMaxId));
  Subscription filter;
  if (span) filter.span = static_cast<int>(*span);
  if (call) filter.call = static_cast<CallId>(*call);
  std::optional<std::uint64_t> from;
  if (since) from = static_cast<std::uint64_t>(*since);
  auto seq = router_.Subscribe(client, from, filter);
  if (!seq.ok()) {
    return base::Unexpected<ipc::RpcError>{MakeError(
        ErrorCode::kEventsLost,
        fmt::format("events after {} are no longer buffered; the oldest available is {}", *since, seq.error()),
        json{{"oldest", seq.error()}})};
  }
  return json{{"seq", *seq}};
}

namespace {

base::Expected<Span*, ipc::RpcError> SimSpan(RpcHandlers::Spans& spans, std::int64_t number) {
  auto it = spans.find(static_cast<int>(number));
  if (it == spans.end()) {
    return base::Unexpected<ipc::RpcError>{MakeError(ErrorCode::kInvalidParams, fmt::format("no span {}", number))};
  }
  if (it->second->sim_peer() == nullptr) {
    return base::Unexpected<ipc::RpcError>{MakeError(
        ErrorCode::kOperationUnavailable,
        fmt::format("span {} has no built-in far end (sim.* needs peer = \"builtin\")", number))};
  }
  return it->second.get();
}

// The far end's UUI obeys the span's limit like ours (the IE's length is
// one octet: an unchecked one could not even be encoded).
std::optional<ipc::RpcError> CheckSimUui(const Span& span, const std::optional<q931::UserUser>& uui) {
  const SpanConfig& c = span.config();
  if (!uui || uui->info.size() <= c.uui_max) return std::nullopt;
  return MakeError(ErrorCode::kUserUserInfoTooBig,
                   fmt::format("user-user information of {} octets exceeds span {}'s limit of {} octets; nothing "
                               "was sent",
                               uui->info.size(), c.span, c.uui_max),
                   json{{"max", c.uui_max}});
}

base::Expected<json, ipc::RpcError> FromStatus(const base::Status& status, ErrorCode code) {
  if (!status.ok()) return base::Unexpected<ipc::RpcError>{MakeError(code, status.message())};
  return json::object();
}

}  // namespace

RpcHandlers::Result RpcHandlers::SimCall(ipc::ClientId, const ipc::Params& params) {
  PRID_CHECK_KEYS(params, "span", "number", "calling", "uui");
  PRID_TRY(span_number, IntParam(params, "span", true, 1, 255));
  PRID_TRY(number, StringParam(params, "number", true));
  PRID_TRY(calling, StringParam(params, "calling", false));
  PRID_TRY(uui, UuiParam(params));
  PRID_TRY(span, SimSpan(spans_, *span_number));
  if (auto too_big = CheckSimUui(*span, uui)) return base::Unexpected<ipc::RpcError>{*too_big};
  if (!span->up()) {
    return base::Unexpected<ipc::RpcError>{MakeError(ErrorCode::kSpanDown, fmt::format("span {} is down", *span_number))};
  }
  return FromStatus(span->sim_peer()->PlaceCall(*number, calling.value_or(""), uui), ErrorCode::kResourceUnavailable);
}

RpcHandlers::Result RpcHandlers::SimDrop(ipc::ClientId, const ipc::Params& params) {
  PRID_CHECK_KEYS(params, "call", "cause", "uui");
  PRID_TRY(call, IntParam(params, "call", true, 1, kMaxId));
  PRID_TRY(cause, CauseParam(params));
  PRID_TRY(uui, UuiParam(params));
  const daemon::Call* record = model_.Find(static_cast<CallId>(*call));
  if (record == nullptr) {
    return base::Unexpected<ipc::RpcError>{MakeError(ErrorCode::kInvalidCallHandle, fmt::format("no call {}", *call))};
  }
  PRID_TRY(span, SimSpan(spans_, record->span));
  if (auto too_big = CheckSimUui(*span, uui)) return base::Unexpected<ipc::RpcError>{*too_big};
  auto cref = span->CrefOf(record->id);
  if (!cref) {
    return base::Unexpected<ipc::RpcError>{MakeError(
        ErrorCode::kInvalidCallState, fmt::format("call {} is {}: it is no longer on the wire", *call,
                                                  CallStateName(record->state)))};
  }
  return FromStatus(span->sim_peer()->Drop(*cref, cause.value_or(16), uui), ErrorCode::kInvalidCallState);
}

RpcHandlers::Result RpcHandlers::SimPolicy(ipc::ClientId, const ipc::Params& params) {
  PRID_CHECK_KEYS(params, "span", "on_setup", "delay_ms", "uui", "on_hold");
  PRID_TRY(span_number, IntParam(params, "span", true, 1, 255));
  PRID_TRY(action_name, StringParam(params, "on_setup", false));
  PRID_TRY(delay, IntParam(params, "delay_ms", false, 0, 600000));
  PRID_TRY(uui, UuiParam(params));
  PRID_TRY(on_hold, StringParam(params, "on_hold", false));
  if (!action_name && !on_hold) return Invalid("sim.policy needs on_setup, on_hold or both");
  if (!action_name && (delay || uui)) return Invalid("delay_ms and uui go with on_setup");
  PRID_TRY(span, SimSpan(spans_, *span_number));
  if (auto too_big = CheckSimUui(*span, uui)) return base::Unexpected<ipc::RpcError>{*too_big};
  std::optional<PeerAction> action;
  if (action_name && !(action = PeerActionFromName(*action_name))) {
    return Invalid(fmt::format("on_setup must be answer, alert, busy, reject or ignore, not \"{}\"", *action_name));
  }
  if (on_hold && *on_hold != "accept" && *on_hold != "reject") {
    return Invalid(fmt::format("on_hold must be accept or reject, not \"{}\"", *on_hold));
  }
  if (action) span->sim_peer()->SetPolicy({*action, static_cast<int>(delay.value_or(0)), uui});
  if (on_hold) span->sim_peer()->SetHoldPolicy(*on_hold == "accept");
  return json::object();
}

base::Expected<std::pair<Span*, int>, ipc::RpcError> RpcHandlers::SimCallOnWire(const ipc::Params& params) {
  PRID_TRY(call, IntParam(params, "call", true, 1, kMaxId));
  const daemon::Call* record = model_.Find(static_cast<CallId>(*call));
  if (record == nullptr) {
    return base::Unexpected<ipc::RpcError>{MakeError(ErrorCode::kInvalidCallHandle, fmt::format("no call {}", *call))};
  }
  PRID_TRY(span, SimSpan(spans_, record->span));
  auto cref = span->CrefOf(record->id);
  if (!cref) {
    return base::Unexpected<ipc::RpcError>{MakeError(
        ErrorCode::kInvalidCallState, fmt::format("call {} is {}: it is not on the wire", *call,
                                                  CallStateName(record->state)))};
  }
  return std::pair<Span*, int>{span, *cref};
}

RpcHandlers::Result RpcHandlers::SimHold(ipc::ClientId, const ipc::Params& params) {
  PRID_CHECK_KEYS(params, "call");
  PRID_TRY(target, SimCallOnWire(params));
  return FromStatus(target.first->sim_peer()->Hold(target.second), ErrorCode::kInvalidCallState);
}

RpcHandlers::Result RpcHandlers::SimUnhold(ipc::ClientId, const ipc::Params& params) {
  PRID_CHECK_KEYS(params, "call");
  PRID_TRY(target, SimCallOnWire(params));
  return FromStatus(target.first->sim_peer()->Retrieve(target.second), ErrorCode::kInvalidCallState);
}

}  // namespace prid::daemon
