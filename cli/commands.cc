// Builds each prictl command's JSON-RPC request from its parsed options.
#include "cli/commands.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "base/hex.h"

namespace prid::cli {
namespace {

using nlohmann::json;

// API.md, "States".
constexpr std::array<std::string_view, 12> kCallStates = {
    "collecting", "offering", "accepted", "dialing",      "proceeding", "ringback", "connected",
    "onhold",     "conferenced", "disconnected", "inactive",   "idle"};
// API.md, "Simulation": the names `cause` accepts besides a number.
constexpr std::array<std::string_view, 5> kCauseNames = {"normal", "busy", "noanswer", "rejected",
                                                         "unavailable"};
constexpr std::array<std::string_view, 3> kBearers = {"speech", "3.1khz", "digital"};
constexpr std::array<std::string_view, 5> kSetupPolicies = {"answer", "alert", "busy", "reject",
                                                            "ignore"};

template <std::size_t N>
bool IsOneOf(const std::array<std::string_view, N>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

template <std::size_t N>
std::string JoinNames(const std::array<std::string_view, N>& names) {
  return fmt::format("{}", fmt::join(names, ", "));
}

// Adds "uui" to `params` when a UUI option was given.
base::Status AddUui(const UuiOptions& options, json& params) {
  auto uui = UuiParam(options);
  if (!uui) return base::Status::Error(uui.error());
  if (uui->has_value()) params["uui"] = **uui;
  return base::Status::Ok();
}

// Adds "cause" to `params` when one was given.
base::Status AddCause(const std::optional<std::string>& cause, json& params) {
  if (!cause) return base::Status::Ok();
  auto value = CauseParam(*cause);
  if (!value) return base::Status::Error(value.error());
  params["cause"] = std::move(*value);
  return base::Status::Ok();
}

// Makes params' "number" and "calling" party objects ({digits, ton, …}) when
// an attribute of theirs is given; they stay plain strings otherwise.
void AddPartyAttributes(const PartyOptions& party, json& params) {
  const auto attribute = [&](const char* param, const char* key, const std::optional<std::string>& value) {
    if (!value) return;
    json& object = params[param];
    if (!object.is_object()) object = json{{"digits", object.is_string() ? object.get<std::string>() : ""}};
    object[key] = *value;
  };
  attribute("number", "ton", party.ton);
  attribute("number", "npi", party.npi);
  attribute("calling", "ton", party.calling_ton);
  attribute("calling", "npi", party.calling_npi);
  attribute("calling", "presentation", party.presentation);
}

Request CallOnly(std::string method, std::int64_t call) {
  return Request{std::move(method), json{{"call", call}}};
}

}  // namespace

bool IsCallState(std::string_view state) { return IsOneOf(kCallStates, state); }

std::string CallStateNames() { return JoinNames(kCallStates); }

base::Result<std::optional<json>> UuiParam(const UuiOptions& options) {
  if (options.text && options.hex) {
    return base::Fail("--uui-text and --uui-hex exclude each other: give one");
  }
  if (options.pd && (*options.pd < 0 || *options.pd > 255)) {
    return base::Fail(fmt::format("--pd {} is out of range: a protocol discriminator is 0-255",
                                  *options.pd));
  }
  if (!options.text && !options.hex) {
    if (options.pd) return base::Fail("--pd needs --uui-text or --uui-hex");
    return std::optional<json>();
  }
  json uui = json::object();
  if (options.text) {
    uui["text"] = *options.text;
  } else {
    const std::string& hex = *options.hex;
    if (auto octets = base::FromHex(hex); !octets) {
      if (octets.error().odd_length) {
        return base::Fail(fmt::format(
            "--uui-hex '{}': odd number of digits; give two hex digits per byte", hex));
      }
      return base::Fail(fmt::format("--uui-hex '{}': '{}' is not a hex digit (use 0-9, a-f)", hex,
                                    hex[octets.error().position]));
    }
    uui["hex"] = hex;
  }
  if (options.pd) uui["pd"] = *options.pd;
  return std::optional<json>(std::move(uui));
}

base::Result<json> CauseParam(std::string_view cause) {
  if (IsOneOf(kCauseNames, cause)) return json(std::string(cause));
  int number = 0;
  auto [end, ec] = std::from_chars(cause.data(), cause.data() + cause.size(), number);
  if (!cause.empty() && ec == std::errc() && end == cause.data() + cause.size()) {
    if (number >= 1 && number <= 127) return json(number);
    return base::Fail(fmt::format("cause {} is out of range: a Q.850 cause is 1-127", number));
  }
  return base::Fail(fmt::format("unknown cause '{}': give a number 1-127 or one of {}", cause,
                                JoinNames(kCauseNames)));
}

Request DaemonStatusRequest() { return Request{"daemon.status"}; }

Request DaemonReloadRequest() { return Request{"daemon.reload"}; }

Request SpanListRequest() { return Request{"span.list"}; }

Request SpanRestartRequest(int span, std::optional<int> channel) {
  Request request{"span.restart", {{"span", span}}};
  if (channel) request.params["channel"] = *channel;
  return request;
}

base::Result<Request> SpanServiceRequest(int span, int channel, std::string_view service) {
  if (service != "in" && service != "out") {
    return base::Fail(fmt::format("service must be 'in' or 'out', not '{}'", service));
  }
  return Request{"span.service", {{"span", span}, {"channel", channel}, {"service", service}}};
}

base::Result<Request> CallListRequest(const std::optional<std::string>& state, bool all) {
  Request request{"call.list"};
  if (all) request.params["all"] = true;
  if (state) {
    if (!IsCallState(*state)) {
      return base::Fail(fmt::format("unknown call state '{}': give one of {}", *state,
                                    JoinNames(kCallStates)));
    }
    request.params["state"] = *state;
  }
  return request;
}

Request CallInfoRequest(std::int64_t call, bool supervisor) {
  Request request = CallOnly("call.info", call);
  if (supervisor) request.params["supervisor"] = true;
  return request;
}

Request LineOpenRequest(int span, bool monitor) {
  return Request{"line.open", json{{"span", span}, {"privilege", monitor ? "monitor" : "owner"}}};
}

Request LineCloseRequest(int span) { return Request{"line.close", json{{"span", span}}}; }

base::Result<Request> CallMakeRequest(const CallMakeOptions& options) {
  Request request{"call.make", json{{"number", options.number}}};
  if (options.span) request.params["span"] = *options.span;
  if (options.calling) request.params["calling"] = *options.calling;
  AddPartyAttributes(options.party, request.params);
  if (options.bearer) {
    if (!IsOneOf(kBearers, *options.bearer)) {
      return base::Fail(fmt::format("unknown bearer '{}': give one of {}", *options.bearer,
                                    JoinNames(kBearers)));
    }
    request.params["bearer"] = *options.bearer;
  }
  if (auto status = AddUui(options.uui, request.params); !status) {
    return base::Fail(status.message());
  }
  if (options.overlap) request.params["overlap"] = true;
  if (options.display) request.params["display"] = *options.display;
  return request;
}

Request CallDialRequest(std::int64_t call, const std::string& digits, bool complete) {
  Request request = CallOnly("call.dial", call);
  request.params["digits"] = digits;
  if (complete) request.params["complete"] = true;
  return request;
}

Request CallAlertRequest(std::int64_t call, bool inband, int channel) {
  Request request = CallOnly("call.alert", call);
  if (!inband) request.params["inband"] = false;  // the daemon's default is true
  if (channel != 0) request.params["channel"] = channel;
  return request;
}

base::Result<Request> CallAnswerRequest(std::int64_t call, const UuiOptions& uui, bool non_isdn, int channel) {
  Request request = CallOnly("call.answer", call);
  if (auto status = AddUui(uui, request.params); !status) return base::Fail(status.message());
  if (non_isdn) request.params["non_isdn"] = true;
  if (channel != 0) request.params["channel"] = channel;
  return request;
}

Request CallProceedRequest(std::int64_t call, int channel) {
  Request request = CallOnly("call.proceed", call);
  if (channel != 0) request.params["channel"] = channel;
  return request;
}

base::Result<Request> CallProgressRequest(std::int64_t call, const std::vector<int>& progress,
                                          const std::optional<std::string>& cause) {
  Request request = CallOnly("call.progress", call);
  request.params["progress"] = progress;
  if (auto status = AddCause(cause, request.params); !status) return base::Fail(status.message());
  return request;
}

Request CallRedirectRequest(std::int64_t call, const std::string& number, const std::optional<std::string>& reason) {
  Request request = CallOnly("call.redirect", call);
  request.params["number"] = number;
  if (reason) request.params["reason"] = *reason;
  return request;
}

Request CallTransferRequest(std::int64_t call, std::int64_t to_call) {
  Request request = CallOnly("call.transfer", call);
  request.params["to_call"] = to_call;
  return request;
}

base::Result<Request> CallDropRequest(std::int64_t call, const std::optional<std::string>& cause,
                                      const UuiOptions& uui) {
  Request request = CallOnly("call.drop", call);
  if (auto status = AddCause(cause, request.params); !status) {
    return base::Fail(status.message());
  }
  if (auto status = AddUui(uui, request.params); !status) return base::Fail(status.message());
  return request;
}

base::Result<Request> HangupRequest(std::int64_t call, const std::optional<std::string>& cause,
                                    const UuiOptions& uui) {
  auto request = CallDropRequest(call, cause, uui);
  if (request) request->params["supervisor"] = true;
  return request;
}

Request CallDeallocateRequest(std::int64_t call) { return CallOnly("call.deallocate", call); }

Request EventsSubscribeRequest(const EventsOptions& options) {
  Request request{"events.subscribe"};
  if (options.since) request.params["since"] = *options.since;
  if (options.instance) request.params["instance"] = *options.instance;
  if (options.span) request.params["span"] = *options.span;
  if (options.call) request.params["call"] = *options.call;
  return request;
}

Request CallHoldRequest(std::int64_t call) { return CallOnly("call.hold", call); }
Request CallUnholdRequest(std::int64_t call) { return CallOnly("call.unhold", call); }
Request CallJoinRequest(std::int64_t call) { return CallOnly("call.join", call); }

base::Result<Request> ConferenceCreateRequest(const std::vector<std::int64_t>& calls) {
  if (calls.empty()) return base::Fail("conf create: name at least one call");
  return Request{"conference.create", json{{"calls", calls}}};
}

Request ConferenceAddRequest(std::int64_t conference, std::int64_t call) {
  return Request{"conference.add", json{{"conference", conference}, {"call", call}}};
}

Request ConferenceRemoveRequest(std::int64_t conference, std::int64_t call) {
  return Request{"conference.remove", json{{"conference", conference}, {"call", call}}};
}

Request SimHoldRequest(std::int64_t call) { return CallOnly("sim.hold", call); }
Request SimUnholdRequest(std::int64_t call) { return CallOnly("sim.unhold", call); }

base::Result<Request> SimHoldPolicyRequest(int span, const std::string& policy) {
  if (policy != "accept" && policy != "reject") {
    return base::Fail(fmt::format("unknown hold policy '{}': give accept or reject", policy));
  }
  return Request{"sim.policy", json{{"span", span}, {"on_hold", policy}}};
}

base::Result<Request> SimCallRequest(const SimCallOptions& options) {
  Request request{"sim.call", json{{"span", options.span}, {"number", options.number}}};
  if (options.calling) request.params["calling"] = *options.calling;
  AddPartyAttributes(options.party, request.params);
  if (options.redirecting) {
    json& redirecting = request.params["redirecting"] = json{{"digits", *options.redirecting}};
    if (options.redirecting_reason) redirecting["reason"] = *options.redirecting_reason;
  } else if (options.redirecting_reason) {
    return base::Fail("--redirecting-reason needs --redirecting");
  }
  if (options.display) request.params["display"] = *options.display;
  if (options.preferred) request.params["preferred"] = true;
  if (auto status = AddUui(options.uui, request.params); !status) {
    return base::Fail(status.message());
  }
  return request;
}

base::Result<Request> SimDropRequest(std::int64_t call, const std::optional<std::string>& cause,
                                     const UuiOptions& uui) {
  Request request = CallOnly("sim.drop", call);
  if (auto status = AddCause(cause, request.params); !status) {
    return base::Fail(status.message());
  }
  if (auto status = AddUui(uui, request.params); !status) return base::Fail(status.message());
  return request;
}

base::Result<Request> SimPolicyRequest(const SimPolicyOptions& options) {
  if (!IsOneOf(kSetupPolicies, options.on_setup)) {
    return base::Fail(fmt::format("unknown policy '{}': give one of {}", options.on_setup,
                                  JoinNames(kSetupPolicies)));
  }
  Request request{"sim.policy", json{{"span", options.span}, {"on_setup", options.on_setup}}};
  if (options.delay_ms) {
    if (*options.delay_ms < 0) {
      return base::Fail(fmt::format("--delay-ms {} is negative", *options.delay_ms));
    }
    request.params["delay_ms"] = *options.delay_ms;
  }
  if (options.overlap) request.params["overlap"] = true;
  if (auto status = AddUui(options.uui, request.params); !status) {
    return base::Fail(status.message());
  }
  return request;
}

}  // namespace prid::cli
