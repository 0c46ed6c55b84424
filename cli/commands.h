// Builds each prictl command's JSON-RPC request (method and params of
// API.md) from its parsed options; pure functions, no I/O.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"

namespace prid::cli {

struct Request {
  std::string method;
  nlohmann::json params = nlohmann::json::object();
};

// --uui-text T | --uui-hex H, and --pd N.
struct UuiOptions {
  std::optional<std::string> text{};
  std::optional<std::string> hex{};
  std::optional<int> pd{};
};

// The API's `uui` value: {"text":T} or {"hex":H}, with "pd" when given;
// nullopt when no UUI option was given. Fails on text and hex together, hex
// that is not whole bytes of hex digits, pd outside 0-255, or pd alone.
base::Result<std::optional<nlohmann::json>> UuiParam(const UuiOptions& options);

// The API's `cause`: a number 1-127 becomes a JSON number; one of API.md's
// names (normal, busy, noanswer, rejected, unavailable) stays a string.
base::Result<nlohmann::json> CauseParam(std::string_view cause);

// Party attributes (docs/api.md "Party numbers"), checked by prid: any
// given makes `number` / `calling` an object.
struct PartyOptions {
  std::optional<std::string> ton{}, npi{};                  // the called number's
  std::optional<std::string> calling_ton{}, calling_npi{};  // the calling number's
  std::optional<std::string> presentation{};                // the calling number's
};

struct CallMakeOptions {
  std::string number{};
  std::optional<int> span{};
  std::optional<std::string> calling{};
  std::optional<std::string> bearer{};  // speech, 3.1khz, digital
  UuiOptions uui{};
  PartyOptions party{};
  bool overlap = false;  // overlap sending: more digits follow with `dial`
  std::optional<std::string> display{};  // the calling name (docs/api.md "Display")
};

struct EventsOptions {
  std::optional<std::int64_t> since{};
  std::optional<std::string> instance{};  // the daemon start `since` belongs to
  std::optional<int> span{};
  std::optional<std::int64_t> call{};
  std::optional<int> monitor{};  // open a monitor line on this span first (to see its calls)
};

struct SimCallOptions {
  int span = 0;
  std::string number{};
  std::optional<std::string> calling{};
  UuiOptions uui{};
  PartyOptions party{};
  std::optional<std::string> redirecting{};         // the redirecting number's digits
  std::optional<std::string> redirecting_reason{};  // with `redirecting`: busy, no_reply, …
  std::optional<std::string> display{};             // the calling name
  bool preferred = false;  // offer the B-channel as preferred, not exclusive
};

struct SimPolicyOptions {
  int span = 0;
  std::string on_setup{};  // answer, alert, busy, reject, ignore
  std::optional<int> delay_ms{};
  UuiOptions uui{};
  bool overlap = false;  // collect digits: SETUP ACKNOWLEDGE, act on Sending complete
};

Request DaemonStatusRequest();
Request DaemonReloadRequest();
Request SpanListRequest();
// span.restart {span, channel?}
Request SpanRestartRequest(int span, std::optional<int> channel);
// span.service {span, channel, service}; `service` must be "in" or "out".
base::Result<Request> SpanServiceRequest(int span, int channel, std::string_view service);
// call.list {state?}; `all`: every call on the daemon ({all: true}, for
// supervisors).
base::Result<Request> CallListRequest(const std::optional<std::string>& state, bool all = false);
// call.info {call}; `supervisor`: any call ({supervisor: true}).
Request CallInfoRequest(std::int64_t call, bool supervisor = false);
Request LineOpenRequest(int span, bool monitor);
Request LineCloseRequest(int span);
base::Result<Request> CallMakeRequest(const CallMakeOptions& options);
// `inband` false: ALERTING without "in-band information available".
// `channel` (0: the offered one): the B-channel the answer takes.
Request CallAlertRequest(std::int64_t call, bool inband = true, int channel = 0);
// `non_isdn`: CONNECT says the destination is non-ISDN.
base::Result<Request> CallAnswerRequest(std::int64_t call, const UuiOptions& uui, bool non_isdn = false,
                                        int channel = 0);
// call.dial {call, digits, complete?}: overlap digits (INFORMATION), or
// keypad digits on a connected call.
Request CallDialRequest(std::int64_t call, const std::string& digits, bool complete);
// call.proceed {call, channel?}: CALL PROCEEDING, the call stays offered.
Request CallProceedRequest(std::int64_t call, int channel = 0);
// call.progress {call, progress, cause?}: PROGRESS with these indicators.
base::Result<Request> CallProgressRequest(std::int64_t call, const std::vector<int>& progress,
                                          const std::optional<std::string>& cause);
// call.redirect {call, number, reason?}: call rerouting of an incoming call.
Request CallRedirectRequest(std::int64_t call, const std::string& number, const std::optional<std::string>& reason);
// call.transfer {call, to_call}: explicit call transfer of two answered calls.
Request CallTransferRequest(std::int64_t call, std::int64_t to_call);
base::Result<Request> CallDropRequest(std::int64_t call, const std::optional<std::string>& cause,
                                      const UuiOptions& uui);
// call.drop {call, cause?, uui?, supervisor: true}: a supervisor drops any
// call (`prictl hangup`).
base::Result<Request> HangupRequest(std::int64_t call, const std::optional<std::string>& cause,
                                    const UuiOptions& uui);
Request CallDeallocateRequest(std::int64_t call);
Request EventsSubscribeRequest(const EventsOptions& options);
Request CallHoldRequest(std::int64_t call);
Request CallUnholdRequest(std::int64_t call);
Request CallJoinRequest(std::int64_t call);
base::Result<Request> ConferenceCreateRequest(const std::vector<std::int64_t>& calls);
Request ConferenceAddRequest(std::int64_t conference, std::int64_t call);
Request ConferenceRemoveRequest(std::int64_t conference, std::int64_t call);
base::Result<Request> SimCallRequest(const SimCallOptions& options);
Request SimHoldRequest(std::int64_t call);
Request SimUnholdRequest(std::int64_t call);
// sim.policy {span, on_hold}: `policy` is accept or reject.
base::Result<Request> SimHoldPolicyRequest(int span, const std::string& policy);
base::Result<Request> SimDropRequest(std::int64_t call, const std::optional<std::string>& cause,
                                     const UuiOptions& uui);
base::Result<Request> SimPolicyRequest(const SimPolicyOptions& options);

// True for the call states of API.md ("offering" … "idle").
bool IsCallState(std::string_view state);
// Those states for people: "offering, accepted, … idle".
std::string CallStateNames();

}  // namespace prid::cli
