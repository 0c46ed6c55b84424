// API.md's methods: the method table and its handlers over the session
// model, spans and routers.
#include "daemon/api/rpc_handlers.h"

#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "daemon/api/call_json.h"
#include "daemon/api/number_rules.h"
#include "daemon/api/span_methods.h"
#include "daemon/api/cdr_methods.h"
#include "daemon/api/stats_methods.h"
#include "daemon/line/sim_peer.h"
#include "prid_build_config.h"
#include "q931/q850.h"

namespace prid::daemon {
namespace {

using nlohmann::json;
using ipc::ErrorCode;
using ipc::MakeError;

// sim.keypad's digits: libpri 1.6 keeps keypad digits in 64 octets.
constexpr std::size_t kMaxKeypadChars = 63;

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
    case ModelErrorKind::kPermissionDenied:
      return MakeError(ErrorCode::kPermissionDenied, e.message, json{{"privilege", "supervisor"}});
  }
  return MakeError(ErrorCode::kInternalError, e.message);
}

// call.make's and sim.call's numbers as they go on span `config`'s wire,
// checked against what its switch variant carries (number_rules.h) before
// anything is sent: `number` must be there (empty only for an overlap
// call.make), `calling` may be empty (then
// omitted). `dialplan`: call.make's (the span's defaults apply); sim.call's
// far end sends what it is given (unknown/unknown by default).
base::Expected<q931::SetupParties, ipc::RpcError> PartiesOf(const SpanConfig& config, const Args& args,
                                                            bool dialplan) {
  using Fail = base::Unexpected<ipc::RpcError>;
  const auto invalid = [](std::string message) {
    return Fail{MakeError(ErrorCode::kInvalidParams, std::move(message))};
  };
  q931::SetupParties parties;
  const PartyParam& number = *args.Party("number");
  // Overlap sending (call.make's `overlap`) may start with no digits at all.
  const bool overlap = dialplan && args.OptionalBool("overlap").value_or(false);
  if (number.digits.empty() && !overlap) return invalid("number is empty");
  auto called = ResolveParty("number", number, dialplan ? config.dialplan : Dialplan::kUnknown, config);
  if (!called.ok()) return invalid(called.error());
  parties.called = std::move(*called);
  if (const auto& calling = args.Party("calling"); calling && (calling->object || !calling->digits.empty())) {
    auto party = ResolveParty("calling", *calling, dialplan ? config.local_dialplan : Dialplan::kUnknown, config);
    if (!party.ok()) return invalid(party.error());
    parties.calling = std::move(*party);
  }
  if (auto text = args.OptionalString("display")) {
    auto display = CheckDisplay("display", *text);
    if (!display.ok()) return invalid(display.error());
    // libpri 1.6 sends a name only beside a calling number it may present.
    if (!parties.calling) return invalid("display goes with calling: libpri sends no name without a calling number");
    if (parties.calling->presentation != 0) {
      return invalid(fmt::format("display is withheld with a calling number whose presentation is {}; "
                                 "leave it out or give presentation allowed",
                                 q931::PresentationName(parties.calling->presentation)));
    }
    // call.make's SETUP is prid's; sim.call's the far end's, of the other node type.
    const NodeType far_end = config.node == NodeType::kCpe ? NodeType::kNetwork : NodeType::kCpe;
    const NodeType sender = dialplan ? config.node : far_end;
    if (auto why = DisplayUnavailable(config, sender)) return Fail{MakeError(ErrorCode::kOperationUnavailable, *why)};
    parties.display = std::move(*display);
  }
  for (const auto& [param, out] : {std::pair{"called_subaddress", &parties.called_subaddress},
                                   std::pair{"calling_subaddress", &parties.calling_subaddress}}) {
    if (auto text = args.OptionalString(param)) {
      auto subaddress = CheckSubaddress(param, *text);
      if (!subaddress.ok()) return invalid(subaddress.error());
      *out = std::move(*subaddress);
    }
  }
  return parties;
}

template <typename T>
base::Expected<json, ipc::RpcError> Done(const ModelResult<T>& r, json ok = json::object()) {
  if (!r.ok()) return base::Unexpected<ipc::RpcError>{FromModel(r.error())};
  return ok;
}

}  // namespace

#define PRID_TRY(var, expr)                                                   \
  auto var##_result = (expr);                                                 \
  if (!var##_result.ok()) return base::Unexpected<ipc::RpcError>{var##_result.error()}; \
  auto var = std::move(*var##_result)

RpcHandlers::RpcHandlers(SessionModel& model, Spans& spans, EventRouter& router, TraceRouter& traces,
                         Outbox& outbox, Statistics& stats, ReloadMethod reload, gid_t supervisor_group,
                         const cdr::Writer* cdr_writer)
    : model_(model),
      spans_(spans),
      router_(router),
      traces_(traces),
      outbox_(outbox),
      stats_(stats),
      reload_(std::move(reload)),
      supervisors_(supervisor_group),
      cdr_writer_(cdr_writer),
      table_(Methods(), spans_) {
  stats_.KnowMethods(table_.Names());
}

// API.md's methods, each with the parameters it takes, in the order they
// are checked (the first wrong one is named) and listed ("expected: …").
std::vector<MethodEntry> RpcHandlers::Methods() {
  using P = ParamSpec;
  constexpr Presence kRequired = Presence::kRequired;
  constexpr Presence kOptional = Presence::kOptional;
  auto bind = [this](Result (RpcHandlers::*f)(ipc::ClientId, const Args&)) {
    return [this, f](ipc::ClientId c, const Args& a) { return (this->*f)(c, a); };
  };
  return {
      {"daemon.status", {}, bind(&RpcHandlers::Status)},
      {"daemon.reload", {}, [this](ipc::ClientId, const Args&) { return reload_(); },
       "daemon.reload takes no params"},
      {"span.list", {P::Int("after", kOptional, 0, 255), P::Int("limit", kOptional, 1, kSpanListMaxLimit)},
       [this](ipc::ClientId, const Args& a) { return SpanListMethod(spans_, a); }},
      {"span.restart", {P::SpanNumber("span"), P::Int("channel", kOptional, 1, 31)},
       [](ipc::ClientId, const Args& a) { return SpanRestartMethod(a); }},
      {"span.service",
       {P::SpanNumber("span"), P::Int("channel", kRequired, 1, 31), P::Choice("service", {"in", "out"})},
       [](ipc::ClientId, const Args& a) { return SpanServiceMethod(a); }},
      {"line.open", {P::Int("span", kRequired, 1, 255), P::Name("privilege", kOptional)},
       bind(&RpcHandlers::LineOpen)},
      {"line.close", {P::Int("span", kRequired, 1, 255)}, bind(&RpcHandlers::LineClose)},
      {"call.make",
       {P::Int("span", kOptional, 1, 255), P::PartyNumber("number", kRequired, PartyRole::kCalled),
        P::PartyNumber("calling", kOptional, PartyRole::kCalling), P::Name("bearer", kOptional),
        P::Int("channel", kOptional, 1, 31), P::Uui(), P::String("tag", kOptional, kMaxTagChars), P::Bool("overlap"),
        P::String("called_subaddress", kOptional, kUnboundedChars),
        P::String("calling_subaddress", kOptional, kUnboundedChars), P::String("display", kOptional, kUnboundedChars)},
       bind(&RpcHandlers::CallMake)},
      {"call.dial", {P::Id("call", kRequired), P::String("digits", kRequired, kUnboundedChars), P::Bool("complete")},
       bind(&RpcHandlers::CallDial)},
      {"call.display", {P::Id("call", kRequired), P::String("display", kRequired, kUnboundedChars)},
       bind(&RpcHandlers::CallDisplay)},
      {"call.alert", {P::Id("call", kRequired), P::Bool("inband"), P::Int("channel", kOptional, 1, 31)},
       bind(&RpcHandlers::CallAlert)},
      {"call.answer",
       {P::Id("call", kRequired), P::Uui(), P::Bool("non_isdn"), P::Int("channel", kOptional, 1, 31)},
       bind(&RpcHandlers::CallAnswer)},
      {"call.proceed", {P::Id("call", kRequired), P::Int("channel", kOptional, 1, 31)},
       bind(&RpcHandlers::CallProceed)},
      {"call.progress", {P::Id("call", kRequired), P::Progress("progress"), P::Cause()},
       bind(&RpcHandlers::CallProgress)},
      {"call.redirect",
       {P::Id("call", kRequired), P::PartyNumber("number", kRequired, PartyRole::kCalled), P::Name("reason", kOptional)},
       bind(&RpcHandlers::CallRedirect)},
      {"call.transfer", {P::Id("call", kRequired), P::Id("to_call", kRequired)}, bind(&RpcHandlers::CallTransfer)},
      {"call.drop", {P::Id("call", kRequired), P::Cause(), P::Uui(), P::Bool("supervisor")},
       bind(&RpcHandlers::CallDrop)},
      {"call.info", {P::Id("call", kRequired), P::Bool("supervisor")}, bind(&RpcHandlers::CallInfo)},
      {"call.list",
       {P::Name("state", kOptional), P::Int("after", kOptional, 0, kMaxCallId),
        P::Int("limit", kOptional, 1, kCallListMaxLimit), P::Bool("all")},
       bind(&RpcHandlers::CallList)},
      {"call.deallocate", {P::Id("call", kRequired)}, bind(&RpcHandlers::CallDeallocate)},
      {"call.hold", {P::Id("call", kRequired)}, bind(&RpcHandlers::CallHold)},
      {"call.unhold", {P::Id("call", kRequired)}, bind(&RpcHandlers::CallUnhold)},
      {"call.join", {P::Id("call", kRequired)}, bind(&RpcHandlers::CallJoin)},
      {"conference.create", {P::CallIds("calls")}, bind(&RpcHandlers::ConferenceCreate)},
      {"conference.add", {P::Id("conference", kRequired), P::Id("call", kRequired)},
       bind(&RpcHandlers::ConferenceAdd)},
      {"conference.remove", {P::Id("conference", kRequired), P::Id("call", kRequired)},
       bind(&RpcHandlers::ConferenceRemove)},
      {"events.subscribe",
       {P::Int("since", kOptional, 0, kMaxCallId), P::String("instance", kOptional, kMaxInstanceChars),
        P::Int("span", kOptional, 1, 255), P::Id("call", kOptional), P::Bool("all")},
       bind(&RpcHandlers::EventsSubscribe)},
      {"trace.subscribe", {P::Int("span", kOptional, 1, kMaxCallId), P::Id("call", kOptional)},
       bind(&RpcHandlers::TraceSubscribe)},
      {"trace.unsubscribe", {}, bind(&RpcHandlers::TraceUnsubscribe)},
      {"sim.call",
       {P::Int("span", kRequired, 1, 255), P::PartyNumber("number", kRequired, PartyRole::kCalled),
        P::PartyNumber("calling", kOptional, PartyRole::kCalling),
        P::PartyNumber("redirecting", kOptional, PartyRole::kRedirecting), P::Uui(),
        P::String("called_subaddress", kOptional, kUnboundedChars),
        P::String("calling_subaddress", kOptional, kUnboundedChars), P::Bool("preferred"),
        P::String("display", kOptional, kUnboundedChars)},
       bind(&RpcHandlers::SimCall)},
      {"sim.drop", {P::Id("call", kRequired), P::Cause(), P::Uui()}, bind(&RpcHandlers::SimDrop)},
      {"sim.policy",
       {P::Int("span", kRequired, 1, 255), P::Name("on_setup", kOptional), P::Int("delay_ms", kOptional, 0, 600000),
        P::Uui(), P::Name("on_hold", kOptional), P::Name("on_redirect", kOptional),
        P::Name("on_transfer", kOptional), P::PartyNumber("connected", kOptional, PartyRole::kCalling),
        P::String("display", kOptional, kUnboundedChars), P::Bool("overlap")},
       bind(&RpcHandlers::SimPolicy)},
      {"sim.keypad", {P::Id("call", kRequired), P::String("digits", kRequired, kUnboundedChars)},
       bind(&RpcHandlers::SimKeypad)},
      {"sim.progress", {P::Id("call", kRequired), P::Progress("progress")}, bind(&RpcHandlers::SimProgress)},
      {"sim.display", {P::Id("call", kRequired), P::String("display", kRequired, kUnboundedChars)},
       bind(&RpcHandlers::SimDisplay)},
      {"sim.hold", {P::Id("call", kRequired)}, bind(&RpcHandlers::SimHold)},
      {"sim.unhold", {P::Id("call", kRequired)}, bind(&RpcHandlers::SimUnhold)},
      {"stats.get", {P{"span", ParamType::kSpan, kOptional, 1, 255, {}, 0}}, bind(&RpcHandlers::StatsGet)},
      {"stats.reset", {}, bind(&RpcHandlers::StatsReset)},
      {"cdr.status", {}, bind(&RpcHandlers::CdrStatus)},
  };
}

void RpcHandlers::ClientOpened(ipc::ClientId client, const ipc::PeerCredentials& peer) {
  stats_.ClientOpened();
  model_.AddClientUid(client, peer.uid);
  if (supervisors_.Allows(peer)) model_.AddSupervisor(client);
}

void RpcHandlers::ClientDrained(ipc::ClientId client) { router_.Pump(client); }

void RpcHandlers::ClientClosed(ipc::ClientId client) {
  router_.ClientGone(client);
  traces_.ClientGone(client);
  model_.ClientGone(client);
}

RpcHandlers::Result RpcHandlers::Call(ipc::ClientId client, std::string_view method, const ipc::Params& params) {
  Result result = table_.Call(client, method, params);
  stats_.Request(method, result.ok());
  return result;
}

DaemonGauges RpcHandlers::Gauges() const {
  return {outbox_.client_count(), outbox_.clients_cut_off() + router_.cut_off_count(), outbox_.events_sent()};
}

RpcHandlers::Result RpcHandlers::StatsGet(ipc::ClientId, const Args& args) {
  return StatsGetMethod(stats_, Gauges(), spans_, args);
}

RpcHandlers::Result RpcHandlers::StatsReset(ipc::ClientId client, const Args&) {
  if (auto ok = model_.CheckSupervisor(client, "stats.reset"); !ok.ok()) {
    return base::Unexpected<ipc::RpcError>{FromModel(ok.error())};
  }
  return StatsResetMethod(stats_, Gauges(), spans_);
}

RpcHandlers::Result RpcHandlers::CdrStatus(ipc::ClientId, const Args&) { return CdrStatusMethod(cdr_writer_); }

RpcHandlers::Result RpcHandlers::Status(ipc::ClientId, const Args&) {
  auto uptime = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_);
  return json{{"version", PRID_VERSION},
              {"api", 1},
              {"pid", static_cast<int>(::getpid())},
              {"uptime_s", uptime.count()},
              {"spans", spans_.size()},
              {"calls", {{"active", model_.active_count()}, {"records", model_.record_count()}}},
              {"clients", outbox_.client_count()},
              {"instance", router_.instance()},
              {"events",
               {{"last_seq", router_.log().last_seq()},
                {"buffered", router_.log().size()},
                {"bytes", router_.log().bytes()}}}};
}

RpcHandlers::Result RpcHandlers::LineOpen(ipc::ClientId client, const Args& args) {
  const auto privilege = args.OptionalString("privilege");
  Privilege p = Privilege::kOwner;
  if (privilege && *privilege == "monitor") {
    p = Privilege::kMonitor;
  } else if (privilege && *privilege != "owner") {
    return Invalid(fmt::format("privilege must be \"owner\" or \"monitor\", not \"{}\"", *privilege));
  }
  return Done(model_.OpenLine(client, static_cast<int>(args.Int("span")), p));
}

RpcHandlers::Result RpcHandlers::LineClose(ipc::ClientId client, const Args& args) {
  return Done(model_.CloseLine(client, static_cast<int>(args.Int("span"))));
}

RpcHandlers::Result RpcHandlers::CallMake(ipc::ClientId client, const Args& args) {
  const auto span = args.OptionalInt("span");
  const auto bearer = args.OptionalString("bearer");
  // The span the session model will place the call on: the one named, or
  // the lowest-numbered. One it does not know is its to refuse ("no span N").
  MakeCallRequest request;
  if (auto it = span ? spans_.find(static_cast<int>(*span)) : spans_.begin(); it != spans_.end()) {
    PRID_TRY(parties, PartiesOf(it->second->config(), args, /*dialplan=*/true));
    request.parties = std::move(parties);
  } else {
    // No such span: the session model refuses the call (and names the span).
    request.parties.called.digits = args.Party("number")->digits;
    if (const auto& calling = args.Party("calling"); calling && !calling->digits.empty()) {
      request.parties.calling = q931::Party{calling->digits};
    }
  }
  if (span) request.span = static_cast<int>(*span);
  if (bearer) {
    auto b = BearerFromName(*bearer);
    if (!b) return Invalid(fmt::format("bearer must be speech, 3.1khz or digital, not \"{}\"", *bearer));
    request.bearer = *b;
  }
  request.channel = static_cast<int>(args.OptionalInt("channel").value_or(0));
  request.uui = args.Uui();
  request.overlap = args.OptionalBool("overlap").value_or(false);
  if (auto tag = args.OptionalString("tag")) {
    // Printable ASCII: it is echoed in every event line as it is.
    const auto bad = std::find_if(tag->begin(), tag->end(), [](char c) { return c < 0x20 || c > 0x7e; });
    if (tag->empty() || bad != tag->end()) {
      return Invalid(tag->empty() ? std::string("tag is empty; leave it out for none")
                                  : fmt::format("tag has byte 0x{:02x} at position {}; allowed: printable ASCII "
                                                "(U+0020 to U+007E)",
                                                static_cast<unsigned char>(*bad), bad - tag->begin()));
    }
    request.tag = std::string(*tag);
  }
  auto id = model_.Make(client, request);
  if (!id.ok()) return base::Unexpected<ipc::RpcError>{FromModel(id.error())};
  return json{{"call", *id}};
}

RpcHandlers::Result RpcHandlers::CallAlert(ipc::ClientId client, const Args& args) {
  return Done(model_.Alert(client, static_cast<CallId>(args.Int("call")), args.OptionalBool("inband").value_or(true),
                           static_cast<int>(args.OptionalInt("channel").value_or(0))));
}

RpcHandlers::Result RpcHandlers::CallAnswer(ipc::ClientId client, const Args& args) {
  return Done(model_.Answer(client, static_cast<CallId>(args.Int("call")), args.Uui(),
                            args.OptionalBool("non_isdn").value_or(false),
                            static_cast<int>(args.OptionalInt("channel").value_or(0))));
}

RpcHandlers::Result RpcHandlers::CallDisplay(ipc::ClientId client, const Args& args) {
  auto display = CheckDisplay("display", args.String("display"));
  if (!display.ok()) return Invalid(display.error());
  return Done(model_.Display(client, static_cast<CallId>(args.Int("call")), *display));
}

RpcHandlers::Result RpcHandlers::CallRedirect(ipc::ClientId client, const Args& args) {
  const auto id = static_cast<CallId>(args.Int("call"));
  std::uint8_t reason = 0;  // unknown
  if (auto name = args.OptionalString("reason")) {
    auto code = q931::RedirectReasonFromName(*name);
    if (!code) return Invalid(fmt::format("reason must be one of {}", q931::RedirectReasonChoices()));
    reason = *code;
  }
  const PartyParam& number = *args.Party("number");
  if (number.digits.empty()) return Invalid("number is empty");
  // The number as call.make's would go on the call's span (its dialplan);
  // the model refuses a call this client does not own.
  q931::Party to{number.digits};
  if (const daemon::Call* call = model_.Find(id); call != nullptr && call->FindHandle(client) != nullptr) {
    if (auto it = spans_.find(call->span); it != spans_.end()) {
      const SpanConfig& config = it->second->config();
      auto resolved = ResolveParty("number", number, config.dialplan, config);
      if (!resolved.ok()) return Invalid(resolved.error());
      to = std::move(*resolved);
    }
  }
  return Done(model_.Redirect(client, id, to, reason));
}

RpcHandlers::Result RpcHandlers::CallTransfer(ipc::ClientId client, const Args& args) {
  return Done(model_.Transfer(client, static_cast<CallId>(args.Int("call")), static_cast<CallId>(args.Int("to_call"))));
}

RpcHandlers::Result RpcHandlers::CallProceed(ipc::ClientId client, const Args& args) {
  return Done(model_.Proceed(client, static_cast<CallId>(args.Int("call")),
                             static_cast<int>(args.OptionalInt("channel").value_or(0))));
}

RpcHandlers::Result RpcHandlers::CallProgress(ipc::ClientId client, const Args& args) {
  return Done(model_.Progress(client, static_cast<CallId>(args.Int("call")), args.Progress("progress"), args.Cause()));
}

RpcHandlers::Result RpcHandlers::CallDial(ipc::ClientId client, const Args& args) {
  const auto id = static_cast<CallId>(args.Int("call"));
  const std::string digits(args.String("digits"));
  if (digits.empty()) return Invalid("digits is empty; call.dial sends 1 or more of 0-9 * #");
  // The called number's rules on its span (number_rules.h), for the digits
  // and for the number they make; keypad digits (a connected call) are
  // 0-9 * # of no plan. The model refuses a call this client cannot dial.
  if (const daemon::Call* call = model_.Find(id); call != nullptr && call->FindHandle(client) != nullptr) {
    if (auto it = spans_.find(call->span); it != spans_.end()) {
      const SwitchVariant variant = it->second->config().switch_variant;
      const bool keypad = call->state() == CallState::kConnected;
      const q931::Party& called = call->parties.called;
      if (auto bad = CheckPartyNumber("digits", digits, call->span, variant, keypad ? 0 : called.ton,
                                      keypad ? 0 : called.npi)) {
        return Invalid(*bad);
      }
      const NumberRules rules = NumberRulesFor(variant, called.ton, called.npi);
      if (!keypad && call->called.size() + digits.size() > rules.max_digits) {
        return Invalid(fmt::format("digits would make call {}'s number {} digits; span {} ({}) carries at most {}", id,
                                   call->called.size() + digits.size(), call->span, SwitchVariantName(variant),
                                   rules.max_digits));
      }
    }
  }
  return Done(model_.Dial(client, id, digits, args.OptionalBool("complete").value_or(false)));
}

RpcHandlers::Result RpcHandlers::CallDrop(ipc::ClientId client, const Args& args) {
  const auto call = static_cast<CallId>(args.Int("call"));
  if (args.OptionalBool("supervisor").value_or(false)) {
    return Done(model_.SupervisorDrop(client, call, args.Cause(), args.Uui()));
  }
  return Done(model_.Drop(client, call, args.Cause(), args.Uui()));
}

RpcHandlers::Result RpcHandlers::CallInfo(ipc::ClientId client, const Args& args) {
  const auto call = static_cast<CallId>(args.Int("call"));
  if (args.OptionalBool("supervisor").value_or(false)) {
    auto view = model_.SupervisorInfo(client, call);
    if (!view.ok()) return base::Unexpected<ipc::RpcError>{FromModel(view.error())};
    return SupervisorRecordJson(*view->call, view->handle);
  }
  auto view = model_.Info(client, call);
  if (!view.ok()) return base::Unexpected<ipc::RpcError>{FromModel(view.error())};
  return CallRecordJson(*view->call, *view->handle);
}

// trace.subscribe {span?, call?}: `call` (any call prid holds a record of)
// narrows the trace to that call's Q.931 messages, its kept ones first.
RpcHandlers::Result RpcHandlers::TraceSubscribe(ipc::ClientId client, const Args& args) {
  const auto span = args.OptionalInt("span");
  const auto call = args.OptionalInt("call");
  TraceFilter filter;
  if (span) {
    if (!spans_.contains(static_cast<int>(*span))) return Invalid(fmt::format("no span {}", *span));
    filter.span = static_cast<int>(*span);
  }
  filter.call = call ? std::optional<CallId>(static_cast<CallId>(*call)) : std::nullopt;
  // A trace is a diagnostic: any client may follow a call on the wire,
  // without a handle on it.
  auto replay = traces_.Subscribe(client, filter);
  if (!replay) {
    return base::Unexpected<ipc::RpcError>{MakeError(ErrorCode::kInvalidCallHandle, fmt::format("no call {}", *call))};
  }
  if (!call) return json::object();
  return json{{"replayed", replay->replayed}, {"dropped", replay->dropped}};
}

RpcHandlers::Result RpcHandlers::TraceUnsubscribe(ipc::ClientId client, const Args&) {
  traces_.Unsubscribe(client);
  return json::object();
}

RpcHandlers::Result RpcHandlers::CallList(ipc::ClientId client, const Args& args) {
  const auto state_name = args.OptionalString("state");
  std::optional<HandleState> state;
  if (state_name) {
    state = HandleStateFromName(*state_name);
    if (!state) return Invalid(fmt::format("unknown state \"{}\" (see API.md States)", *state_name));
  }
  // A page: ids above `after`, ascending (List() goes by id), at most `limit`.
  const auto after = static_cast<CallId>(args.OptionalInt("after").value_or(0));
  const auto limit = static_cast<std::size_t>(args.OptionalInt("limit").value_or(kCallListMaxLimit));
  json out = json::array();
  if (args.OptionalBool("all").value_or(false)) {
    auto views = model_.ListAll(client, state);
    if (!views.ok()) return base::Unexpected<ipc::RpcError>{FromModel(views.error())};
    for (const CallView& view : *views) {
      if (out.size() == limit) break;
      if (view.call->id > after) out.push_back(SupervisorRecordJson(*view.call, view.handle));
    }
    return out;
  }
  for (const CallView& view : model_.List(client, state)) {
    if (out.size() == limit) break;
    if (view.call->id > after) out.push_back(CallRecordJson(*view.call, *view.handle));
  }
  return out;
}

RpcHandlers::Result RpcHandlers::CallDeallocate(ipc::ClientId client, const Args& args) {
  return Done(model_.Deallocate(client, static_cast<CallId>(args.Int("call"))));
}

RpcHandlers::Result RpcHandlers::CallHold(ipc::ClientId client, const Args& args) {
  return Done(model_.Hold(client, static_cast<CallId>(args.Int("call"))));
}

RpcHandlers::Result RpcHandlers::CallUnhold(ipc::ClientId client, const Args& args) {
  return Done(model_.Unhold(client, static_cast<CallId>(args.Int("call"))));
}

RpcHandlers::Result RpcHandlers::CallJoin(ipc::ClientId client, const Args& args) {
  return Done(model_.Join(client, static_cast<CallId>(args.Int("call"))));
}

RpcHandlers::Result RpcHandlers::ConferenceCreate(ipc::ClientId client, const Args& args) {
  auto conference = model_.ConferenceCreate(client, args.CallIds("calls"));
  if (!conference.ok()) return base::Unexpected<ipc::RpcError>{FromModel(conference.error())};
  return json{{"conference", *conference}};
}

RpcHandlers::Result RpcHandlers::ConferenceAdd(ipc::ClientId client, const Args& args) {
  return Done(model_.ConferenceAdd(client, static_cast<CallId>(args.Int("conference")),
                                   static_cast<CallId>(args.Int("call"))));
}

RpcHandlers::Result RpcHandlers::ConferenceRemove(ipc::ClientId client, const Args& args) {
  return Done(model_.ConferenceRemove(client, static_cast<CallId>(args.Int("conference")),
                                      static_cast<CallId>(args.Int("call"))));
}

RpcHandlers::Result RpcHandlers::EventsSubscribe(ipc::ClientId client, const Args& args) {
  const auto since = args.OptionalInt("since");
  const auto span = args.OptionalInt("span");
  const auto call = args.OptionalInt("call");
  Subscription filter;
  if (span) filter.span = static_cast<int>(*span);
  if (call) filter.call = static_cast<CallId>(*call);
  if (args.OptionalBool("all").value_or(false)) {
    if (auto ok = model_.CheckSupervisor(client, "events.subscribe {all: true}"); !ok.ok()) {
      return base::Unexpected<ipc::RpcError>{FromModel(ok.error())};
    }
    filter.all_calls = true;
  }
  std::optional<std::uint64_t> from;
  if (since) from = static_cast<std::uint64_t>(*since);
  const auto instance = args.OptionalString("instance");
  auto seq = router_.Subscribe(client, from, filter, instance);
  if (!seq.ok()) {
    const SubscribeRefusal& refused = seq.error();
    std::string message;
    switch (refused.reason) {
      case SubscribeRefusal::Reason::kOverwritten:
        message = fmt::format("events after {} are no longer buffered; the oldest available is {}", *since,
                              refused.oldest);
        break;
      case SubscribeRefusal::Reason::kOtherInstance:
        message = fmt::format(
            "since {} belongs to instance {}, but the daemon restarted (now instance {}): its events are lost; "
            "resubscribe without since, or with since 0 and the new instance",
            *since, *instance, router_.instance());
        break;
      case SubscribeRefusal::Reason::kAhead:
        message = fmt::format(
            "since {} is newer than the newest event {} of this daemon (instance {}): it probably restarted; "
            "resubscribe without since, or with since 0",
            *since, refused.last, router_.instance());
        break;
    }
    return base::Unexpected<ipc::RpcError>{MakeError(ErrorCode::kEventsLost, std::move(message),
                                                      json{{"oldest", refused.oldest},
                                                           {"last", refused.last},
                                                           {"instance", router_.instance()},
                                                           {"reason", SubscribeRefusalName(refused.reason)}})};
  }
  return json{{"seq", *seq}, {"instance", router_.instance()}};
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

RpcHandlers::Result RpcHandlers::SimCall(ipc::ClientId, const Args& args) {
  const std::int64_t span_number = args.Int("span");
  const auto& uui = args.Uui();
  PRID_TRY(span, SimSpan(spans_, span_number));
  PRID_TRY(parties, PartiesOf(span->config(), args, /*dialplan=*/false));
  if (const auto& redirecting = args.Party("redirecting")) {
    auto party = ResolveParty("redirecting", *redirecting, Dialplan::kUnknown, span->config());
    if (!party.ok()) return Invalid(party.error());
    parties.redirecting = q931::Redirecting{std::move(*party), redirecting->reason.value_or(0),
                                            redirecting->count.value_or(0)};
  }
  if (auto too_big = CheckSimUui(*span, uui)) return base::Unexpected<ipc::RpcError>{*too_big};
  if (!span->up()) {
    return base::Unexpected<ipc::RpcError>{MakeError(ErrorCode::kSpanDown, fmt::format("span {} is down", span_number))};
  }
  return FromStatus(span->sim_peer()->PlaceCall(parties, uui, args.OptionalBool("preferred").value_or(false)),
                    ErrorCode::kResourceUnavailable);
}

RpcHandlers::Result RpcHandlers::SimDrop(ipc::ClientId, const Args& args) {
  const auto call = static_cast<CallId>(args.Int("call"));
  const auto& uui = args.Uui();
  const daemon::Call* record = model_.Find(call);
  if (record == nullptr) {
    return base::Unexpected<ipc::RpcError>{MakeError(ErrorCode::kInvalidCallHandle, fmt::format("no call {}", call))};
  }
  PRID_TRY(span, SimSpan(spans_, record->span));
  if (auto too_big = CheckSimUui(*span, uui)) return base::Unexpected<ipc::RpcError>{*too_big};
  auto cref = span->CrefOf(record->id);
  if (!cref) {
    return base::Unexpected<ipc::RpcError>{MakeError(
        ErrorCode::kInvalidCallState, fmt::format("call {} is {}: it is no longer on the wire", call,
                                                  CallStateName(record->state())))};
  }
  return FromStatus(span->sim_peer()->Drop(*cref, args.Cause().value_or(q931::cause::kNormalClearing), uui), ErrorCode::kInvalidCallState);
}

RpcHandlers::Result RpcHandlers::SimPolicy(ipc::ClientId, const Args& args) {
  const auto action_name = args.OptionalString("on_setup");
  const auto delay = args.OptionalInt("delay_ms");
  const auto& uui = args.Uui();
  const auto on_hold = args.OptionalString("on_hold");
  const auto on_redirect = args.OptionalString("on_redirect");
  const auto on_transfer = args.OptionalString("on_transfer");
  if (!action_name && !on_hold && !on_redirect && !on_transfer) {
    return Invalid("sim.policy needs on_setup, on_hold, on_redirect or on_transfer");
  }
  for (const auto& [name, value] : {std::pair{"on_redirect", on_redirect}, std::pair{"on_transfer", on_transfer}}) {
    if (value && *value != "accept" && *value != "refuse") {
      return Invalid(fmt::format("{} must be accept or refuse, not \"{}\"", name, *value));
    }
  }
  const auto& connected_param = args.Party("connected");
  const auto display_param = args.OptionalString("display");
  const auto overlap = args.OptionalBool("overlap");
  if (!action_name && (delay || uui || connected_param || display_param || overlap)) {
    return Invalid("delay_ms, uui, connected, display and overlap go with on_setup");
  }
  PRID_TRY(span, SimSpan(spans_, args.Int("span")));
  if (overlap.value_or(false) && !VariantHasOverlap(span->config().switch_variant)) {
    return Invalid(fmt::format("overlap: span {}'s switch variant {} has no overlap dialling (it exists on "
                               "euroisdn_e1, euroisdn_t1 and qsig)",
                               span->config().span, SwitchVariantName(span->config().switch_variant)));
  }
  if (auto too_big = CheckSimUui(*span, uui)) return base::Unexpected<ipc::RpcError>{*too_big};
  std::optional<PeerAction> action;
  if (action_name && !(action = PeerActionFromName(*action_name))) {
    return Invalid(fmt::format("on_setup must be answer, alert, busy, reject or ignore, not \"{}\"", *action_name));
  }
  if (on_hold && *on_hold != "accept" && *on_hold != "reject") {
    return Invalid(fmt::format("on_hold must be accept or reject, not \"{}\"", *on_hold));
  }
  PeerPolicy policy;
  if (connected_param) {
    auto party = ResolveParty("connected", *connected_param, Dialplan::kUnknown, span->config());
    if (!party.ok()) return Invalid(party.error());
    policy.connected = std::move(*party);
  }
  if (display_param) {
    auto display = CheckDisplay("display", *display_param);
    if (!display.ok()) return Invalid(display.error());
    policy.display = std::move(*display);
  }
  if (action) {
    policy.on_setup = *action;
    policy.delay_ms = static_cast<int>(delay.value_or(0));
    policy.uui = uui;
    policy.overlap = overlap.value_or(false);
    span->sim_peer()->SetPolicy(std::move(policy));
  }
  if (on_hold) span->sim_peer()->SetHoldPolicy(*on_hold == "accept");
  if (on_redirect) span->sim_peer()->SetRedirectPolicy(*on_redirect == "accept");
  if (on_transfer) span->sim_peer()->SetTransferPolicy(*on_transfer == "accept");
  return json::object();
}

base::Expected<std::pair<Span*, int>, ipc::RpcError> RpcHandlers::SimCallOnWire(CallId call) {
  const daemon::Call* record = model_.Find(call);
  if (record == nullptr) {
    return base::Unexpected<ipc::RpcError>{MakeError(ErrorCode::kInvalidCallHandle, fmt::format("no call {}", call))};
  }
  PRID_TRY(span, SimSpan(spans_, record->span));
  auto cref = span->CrefOf(record->id);
  if (!cref) {
    return base::Unexpected<ipc::RpcError>{MakeError(
        ErrorCode::kInvalidCallState, fmt::format("call {} is {}: it is not on the wire", call,
                                                  CallStateName(record->state())))};
  }
  return std::pair<Span*, int>{span, *cref};
}

RpcHandlers::Result RpcHandlers::SimKeypad(ipc::ClientId, const Args& args) {
  auto digits = CheckDisplay("digits", args.String("digits"));
  if (!digits.ok()) return Invalid(digits.error());
  // libpri 1.6 keeps keypad digits in 64 octets with their NUL.
  if (digits->size() > kMaxKeypadChars) {
    return Invalid(fmt::format("digits is {} characters; at most {}", digits->size(), kMaxKeypadChars));
  }
  PRID_TRY(target, SimCallOnWire(static_cast<CallId>(args.Int("call"))));
  return FromStatus(target.first->sim_peer()->Keypad(target.second, *digits), ErrorCode::kInvalidCallState);
}

RpcHandlers::Result RpcHandlers::SimDisplay(ipc::ClientId, const Args& args) {
  auto display = CheckDisplay("display", args.String("display"));
  if (!display.ok()) return Invalid(display.error());
  PRID_TRY(target, SimCallOnWire(static_cast<CallId>(args.Int("call"))));
  const SpanConfig& config = target.first->config();
  const NodeType far_end = config.node == NodeType::kCpe ? NodeType::kNetwork : NodeType::kCpe;
  if (auto why = DisplayUnavailable(config, far_end)) {
    return base::Unexpected<ipc::RpcError>{MakeError(ErrorCode::kOperationUnavailable, *why)};
  }
  return FromStatus(target.first->sim_peer()->Display(target.second, *display), ErrorCode::kInvalidCallState);
}

RpcHandlers::Result RpcHandlers::SimProgress(ipc::ClientId, const Args& args) {
  PRID_TRY(target, SimCallOnWire(static_cast<CallId>(args.Int("call"))));
  return FromStatus(target.first->sim_peer()->Progress(target.second, args.Progress("progress")),
                    ErrorCode::kInvalidCallState);
}

RpcHandlers::Result RpcHandlers::SimHold(ipc::ClientId, const Args& args) {
  PRID_TRY(target, SimCallOnWire(static_cast<CallId>(args.Int("call"))));
  return FromStatus(target.first->sim_peer()->Hold(target.second), ErrorCode::kInvalidCallState);
}

RpcHandlers::Result RpcHandlers::SimUnhold(ipc::ClientId, const Args& args) {
  PRID_TRY(target, SimCallOnWire(static_cast<CallId>(args.Int("call"))));
  return FromStatus(target.first->sim_peer()->Retrieve(target.second), ErrorCode::kInvalidCallState);
}

}  // namespace prid::daemon
