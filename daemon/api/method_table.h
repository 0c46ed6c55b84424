// The table of API.md's methods, as osmo-e1d's ctl.c keeps its control
// messages: each method is declared once — its name, the parameters it
// takes (name, type, required or optional) and its handler — and the
// table checks a request's params against that declaration before the
// handler runs. A handler therefore sees only declared, well-typed
// parameters, already read (Args); what it still checks is meaning
// (a privilege name, a call's state), not shape.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/expected.h"
#include "daemon/api/request_params.h"
#include "daemon/session/call.h"
#include "ipc/errors.h"
#include "ipc/params.h"
#include "ipc/server.h"
#include "q931/user_user.h"

namespace prid::daemon {

class Span;
using SpanMap = std::map<int, std::unique_ptr<Span>>;
using MethodResult = base::Expected<nlohmann::json, ipc::RpcError>;

// The largest call id a client may name (JSON numbers are exact to 2^53).
inline constexpr std::int64_t kMaxCallId = std::int64_t{1} << 53;

// The bounds of string parameters, in one place (API.md "Limits"); a
// longer value is refused (InvalidParams naming the parameter and the
// bound) before the handler runs, so no handler copies, echoes or keeps
// more:
// - a name from a fixed set (privilege, bearer, state, on_setup, on_hold,
//   a cause's name): kMaxNameChars characters;
// - an event log instance id (events.subscribe): kMaxInstanceChars;
// - a call's client tag (call.make): kMaxTagChars, printable ASCII;
// - a party number (kPartyNumber): what the span's switch variant carries,
//   checked by the handler that knows the span (number_rules.h);
// - UUI: the span's uui_max, checked where it is sent (UserUserInfoTooBig).
inline constexpr std::size_t kMaxNameChars = 32;
inline constexpr std::size_t kMaxInstanceChars = 64;
inline constexpr std::size_t kMaxTagChars = 64;

// Paged lists (API.md "Limits"): call.list and span.list return at most
// `limit` records, by default the most, which is as many as one reply line
// of 64 KiB holds at their largest (tests/daemon/api/page_size_test.cc
// builds such a page). A client pages with `after`, the last id it got,
// until a page holds fewer than `limit`.
// - a call record: kMaxCallRecordBytes, every field at its largest;
// - a span entry: kMaxSpanEntryBytes, 31 B-channels each with a call.
inline constexpr std::size_t kMaxCallRecordBytes = 5120;
inline constexpr std::size_t kMaxSpanEntryBytes = 7680;
inline constexpr std::int64_t kCallListMaxLimit = 12;
inline constexpr std::int64_t kSpanListMaxLimit = 8;

enum class ParamType {
  kInt,      // an integer min…max
  kString,   // a string of at most `max_chars` characters, no NUL
  kBool,     // true or false
  kUui,      // "uui": {pd?, text | hex}; null reads as absent
  kCause,    // "cause": a number 1…127 or a name; null reads as absent
  kCallIds,  // an array of call ids 1…kMaxCallId
             // (Id: an integer 1…kMaxCallId, a call or conference)
  kChoice,   // one of `choices`; anything else, absence included, is refused naming them
  kSpan,     // an integer 1…255 that names a configured span (else "no span N")
  kPartyNumber,  // a string or {digits, ton, npi, …} (PartyParamOf); the handler checks the
                 // digits against the span (number_rules.h)
  kProgress,     // an array of 1…kMaxProgressIndicators progress descriptions 1…127
};

// call.progress: the Progress indicators one PROGRESS carries at most.
inline constexpr std::size_t kMaxProgressIndicators = 3;

enum class Presence { kRequired, kOptional };

// One parameter of a method. Built with the factories below, in the order
// the method reads them: the first parameter that is wrong is the one the
// error names, and "expected:" lists them in this order.
struct ParamSpec {
  std::string_view name;
  ParamType type = ParamType::kString;
  Presence presence = Presence::kOptional;
  std::int64_t min = 0;  // kInt
  std::int64_t max = 0;  // kInt
  std::vector<std::string_view> choices;  // kChoice
  std::size_t max_chars = 0;              // kString
  PartyRole party_role = PartyRole::kCalled;  // kPartyNumber

  static ParamSpec Int(std::string_view name, Presence presence, std::int64_t min, std::int64_t max) {
    return {name, ParamType::kInt, presence, min, max, {}, 0};
  }
  static ParamSpec Id(std::string_view name, Presence presence) {
    return Int(name, presence, 1, kMaxCallId);
  }
  // A string of at most `max_chars` characters (one of the bounds above).
  static ParamSpec String(std::string_view name, Presence presence, std::size_t max_chars) {
    return {name, ParamType::kString, presence, 0, 0, {}, max_chars};
  }
  // A name from a fixed set the handler looks up.
  static ParamSpec Name(std::string_view name, Presence presence) { return String(name, presence, kMaxNameChars); }
  static ParamSpec PartyNumber(std::string_view name, Presence presence, PartyRole role) {
    return {name, ParamType::kPartyNumber, presence, 0, 0, {}, 0, role};
  }
  static ParamSpec Bool(std::string_view name) { return {name, ParamType::kBool, Presence::kOptional, 0, 0, {}, 0}; }
  static ParamSpec Uui() { return {"uui", ParamType::kUui, Presence::kOptional, 0, 0, {}, 0}; }
  static ParamSpec Cause() { return {"cause", ParamType::kCause, Presence::kOptional, 0, 0, {}, 0}; }
  static ParamSpec CallIds(std::string_view name) {
    return {name, ParamType::kCallIds, Presence::kRequired, 0, 0, {}, 0};
  }
  static ParamSpec Choice(std::string_view name, std::vector<std::string_view> choices) {
    return {name, ParamType::kChoice, Presence::kRequired, 0, 0, std::move(choices), 0};
  }
  static ParamSpec Progress(std::string_view name) {
    return {name, ParamType::kProgress, Presence::kRequired, 1, 127, {}, 0};
  }
  static ParamSpec SpanNumber(std::string_view name) {
    return {name, ParamType::kSpan, Presence::kRequired, 1, 255, {}, 0};
  }
};

// The params of one request, read and checked against its method's
// declaration. Valid while the handler runs. Asking for a parameter the
// method did not declare, or as another type, is a bug of the handler
// (asserted); a declared optional parameter that was absent reads as
// nullopt.
class Args {
 public:
  // No method takes more (call.make, the largest, takes eleven).
  static constexpr std::size_t kMaxParams = 12;

  std::int64_t Int(std::string_view name) const;  // a required kInt
  std::optional<std::int64_t> OptionalInt(std::string_view name) const;
  std::string_view String(std::string_view name) const;  // a required kString or kChoice
  std::optional<std::string_view> OptionalString(std::string_view name) const;  // the same, optional
  const std::optional<PartyParam>& Party(std::string_view name) const;  // a kPartyNumber
  std::optional<bool> OptionalBool(std::string_view name) const;
  const std::optional<q931::UserUser>& Uui() const;
  std::optional<std::uint8_t> Cause() const;
  const std::vector<CallId>& CallIds(std::string_view name) const;
  const std::vector<std::uint8_t>& Progress(std::string_view name) const;  // a kProgress
  Span& SpanOf(std::string_view name) const;  // a kSpan
  Span* OptionalSpanOf(std::string_view name) const;  // an optional kSpan; null when absent

 private:
  friend class MethodTable;
  struct Value {
    bool present = false;
    std::int64_t integer = 0;           // kInt, kSpan
    std::string text;                   // kString, kChoice
    std::optional<PartyParam> party;    // kPartyNumber
    bool flag = false;                  // kBool
    std::optional<q931::UserUser> uui;  // kUui
    std::uint8_t cause = 0;             // kCause
    std::vector<CallId> calls;          // kCallIds
    std::vector<std::uint8_t> octets;   // kProgress
    Span* span = nullptr;               // kSpan
  };
  // The value of the declared parameter `name`, which is of one of `types`.
  const Value& Get(std::string_view name, std::initializer_list<ParamType> types) const;

  std::span<const ParamSpec> specs_;
  std::array<Value, kMaxParams> values_;
};

struct MethodEntry {
  using Handler = std::function<MethodResult(ipc::ClientId, const Args&)>;
  std::string_view name;
  std::vector<ParamSpec> params;
  Handler handler;
  // When not empty, a request with any parameter at all is refused with
  // this message instead of naming the parameter (daemon.reload's wording).
  std::string_view refuse_params = {};
};

class MethodTable {
 public:
  // `spans` (borrowed; must outlive the table) resolves kSpan parameters.
  MethodTable(std::vector<MethodEntry> entries, const SpanMap& spans);

  // MethodNotFound for a name not in the table; InvalidParams naming the
  // first parameter that is not declared, given twice, missing or of the
  // wrong type — before the handler runs; else what the handler returns.
  MethodResult Call(ipc::ClientId client, std::string_view method, const ipc::Params& params) const;

  bool Has(std::string_view method) const { return entries_.contains(method); }
  // Every method's name, sorted (the API reference test holds them against
  // docs/api.md). The views live as long as the table.
  std::vector<std::string_view> Names() const {
    std::vector<std::string_view> names;
    for (const auto& entry : entries_) names.push_back(entry.first);
    return names;
  }

 private:
  std::optional<ipc::RpcError> Read(const MethodEntry& entry, const ipc::Params& params, Args& args) const;

  std::map<std::string, MethodEntry, std::less<>> entries_;  // found by a string_view
  const SpanMap& spans_;
};

}  // namespace prid::daemon
