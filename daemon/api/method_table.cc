// The method table: a request's params checked against its method's
// declaration, then its handler.
#include "daemon/api/method_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>

#include "daemon/api/request_params.h"

namespace prid::daemon {
namespace {

using ipc::ErrorCode;
using ipc::MakeError;

ipc::RpcError Invalid(std::string message) { return MakeError(ErrorCode::kInvalidParams, std::move(message)); }

// "\"in\" or \"out\"", "\"a\", \"b\" or \"c\"".
std::string ChoiceList(const std::vector<std::string_view>& choices) {
  std::string out;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (i != 0) out += i + 1 == choices.size() ? " or " : ", ";
    out += fmt::format("\"{}\"", choices[i]);
  }
  return out;
}

// InvalidParams naming the first member of `params` the method does not
// declare, or the first one given twice.
std::optional<ipc::RpcError> OnlyDeclared(const MethodEntry& entry, const ipc::Params& params) {
  std::uint64_t seen = 0;  // bit i: params[i] was given (Args::kMaxParams < 64)
  for (simdjson::dom::key_value_pair member : params) {
    if (!entry.refuse_params.empty()) return Invalid(std::string(entry.refuse_params));
    const auto known = std::find_if(entry.params.begin(), entry.params.end(),
                                    [&](const ParamSpec& spec) { return spec.name == member.key; });
    if (known == entry.params.end()) {
      std::string list;
      for (const ParamSpec& spec : entry.params) list += (list.empty() ? "" : ", ") + std::string(spec.name);
      return Invalid(fmt::format("unknown parameter '{}' (expected: {})", member.key, list.empty() ? "none" : list));
    }
    // JSON leaves a repeated name's meaning open: say so rather than pick one.
    const std::uint64_t bit = std::uint64_t{1} << (known - entry.params.begin());
    if ((seen & bit) != 0) return Invalid(fmt::format("parameter '{}' is given twice", member.key));
    seen |= bit;
  }
  return std::nullopt;
}

}  // namespace

const Args::Value& Args::Get(std::string_view name, std::initializer_list<ParamType> types) const {
  (void)types;  // read by the asserts only
  for (std::size_t i = 0; i < specs_.size(); ++i) {
    if (specs_[i].name == name) {
      assert(std::find(types.begin(), types.end(), specs_[i].type) != types.end() &&
             "the handler reads a parameter as another type than declared");
      return values_[i];
    }
  }
  assert(false && "the handler reads a parameter its method does not declare");
  static const Value kAbsent;
  return kAbsent;
}

std::int64_t Args::Int(std::string_view name) const {
  const Value& v = Get(name, {ParamType::kInt});
  assert(v.present);
  return v.integer;
}

std::optional<std::int64_t> Args::OptionalInt(std::string_view name) const {
  const Value& v = Get(name, {ParamType::kInt});
  return v.present ? std::optional<std::int64_t>(v.integer) : std::nullopt;
}

std::string_view Args::String(std::string_view name) const {
  const Value& v = Get(name, {ParamType::kString, ParamType::kChoice});
  assert(v.present);
  return v.text;
}

const std::optional<PartyParam>& Args::Party(std::string_view name) const {
  return Get(name, {ParamType::kPartyNumber}).party;
}

std::optional<std::string_view> Args::OptionalString(std::string_view name) const {
  const Value& v = Get(name, {ParamType::kString, ParamType::kChoice});
  return v.present ? std::optional<std::string_view>(v.text) : std::nullopt;
}

std::optional<bool> Args::OptionalBool(std::string_view name) const {
  const Value& v = Get(name, {ParamType::kBool});
  return v.present ? std::optional<bool>(v.flag) : std::nullopt;
}

const std::optional<q931::UserUser>& Args::Uui() const { return Get("uui", {ParamType::kUui}).uui; }

std::optional<std::uint8_t> Args::Cause() const {
  const Value& v = Get("cause", {ParamType::kCause});
  return v.present ? std::optional<std::uint8_t>(v.cause) : std::nullopt;
}

const std::vector<CallId>& Args::CallIds(std::string_view name) const {
  return Get(name, {ParamType::kCallIds}).calls;
}

const std::vector<std::uint8_t>& Args::Progress(std::string_view name) const {
  return Get(name, {ParamType::kProgress}).octets;
}

Span& Args::SpanOf(std::string_view name) const {
  const Value& v = Get(name, {ParamType::kSpan});
  assert(v.span != nullptr);
  return *v.span;
}

Span* Args::OptionalSpanOf(std::string_view name) const { return Get(name, {ParamType::kSpan}).span; }

MethodTable::MethodTable(std::vector<MethodEntry> entries, const SpanMap& spans) : spans_(spans) {
  for (MethodEntry& entry : entries) {
    assert(entry.params.size() <= Args::kMaxParams);
    const std::string name(entry.name);
    entries_.insert_or_assign(name, std::move(entry));
  }
}

MethodResult MethodTable::Call(ipc::ClientId client, std::string_view method, const ipc::Params& params) const {
  auto it = entries_.find(method);
  if (it == entries_.end()) {
    return base::Unexpected<ipc::RpcError>{
        MakeError(ErrorCode::kMethodNotFound, fmt::format("no method '{}' (see API.md)", method))};
  }
  Args args;
  if (auto bad = Read(it->second, params, args)) return base::Unexpected<ipc::RpcError>{std::move(*bad)};
  return it->second.handler(client, args);
}

std::optional<ipc::RpcError> MethodTable::Read(const MethodEntry& entry, const ipc::Params& params,
                                               Args& args) const {
  if (auto bad = OnlyDeclared(entry, params)) return bad;
  args.specs_ = entry.params;
  const auto fail = [](const ipc::RpcError& e) { return std::optional<ipc::RpcError>(e); };
  for (std::size_t i = 0; i < entry.params.size(); ++i) {
    const ParamSpec& spec = entry.params[i];
    const bool required = spec.presence == Presence::kRequired;
    Args::Value& value = args.values_[i];
    switch (spec.type) {
      case ParamType::kInt: {
        auto n = IntParam(params, spec.name, required, spec.min, spec.max);
        if (!n.ok()) return fail(n.error());
        value.present = n->has_value();
        value.integer = n->value_or(0);
        break;
      }
      case ParamType::kString: {
        auto s = StringParam(params, spec.name, required, spec.max_chars);
        if (!s.ok()) return fail(s.error());
        value.present = s->has_value();
        if (value.present) value.text = std::move(**s);
        break;
      }
      case ParamType::kPartyNumber: {
        // Its bound depends on the span: the handler checks it (number_rules.h).
        auto party = PartyParamOf(params, spec.name, required, spec.party_role);
        if (!party.ok()) return fail(party.error());
        value.present = party->has_value();
        value.party = std::move(*party);
        break;
      }
      case ParamType::kBool: {
        auto b = BoolParam(params, spec.name);
        if (!b.ok()) return fail(b.error());
        value.present = b->has_value();
        value.flag = b->value_or(false);
        break;
      }
      case ParamType::kUui: {
        assert(spec.name == "uui");
        auto uui = UuiParam(params);
        if (!uui.ok()) return fail(uui.error());
        value.present = uui->has_value();
        value.uui = std::move(*uui);
        break;
      }
      case ParamType::kCause: {
        assert(spec.name == "cause");
        auto cause = CauseParam(params);
        if (!cause.ok()) return fail(cause.error());
        value.present = cause->has_value();
        value.cause = cause->value_or(0);
        break;
      }
      case ParamType::kCallIds: {
        auto calls = CallIdsParam(params, spec.name, required, kMaxCallId);
        if (!calls.ok()) return fail(calls.error());
        value.present = calls->has_value();
        if (value.present) value.calls = std::move(**calls);
        break;
      }
      case ParamType::kProgress: {
        auto octets = OctetsParam(params, spec.name, required, kMaxProgressIndicators, spec.min, spec.max);
        if (!octets.ok()) return fail(octets.error());
        value.present = octets->has_value();
        if (value.present) value.octets = std::move(**octets);
        break;
      }
      case ParamType::kChoice: {
        // Absent, not a string, or not a choice: one message naming the choices.
        // A choice is bounded by its choices.
        auto s = StringParam(params, spec.name, required, kUnboundedChars);
        const bool chosen = s.ok() && s->has_value() &&
                            std::find(spec.choices.begin(), spec.choices.end(), **s) != spec.choices.end();
        if (s.ok() && !s->has_value() && !required) break;
        if (!chosen) {
          return Invalid(fmt::format("parameter '{}' must be {}", spec.name, ChoiceList(spec.choices)));
        }
        value.present = true;
        value.text = std::move(**s);
        break;
      }
      case ParamType::kSpan: {
        auto n = IntParam(params, spec.name, required, spec.min, spec.max);
        if (!n.ok()) return fail(n.error());
        if (!n->has_value()) break;
        auto span = spans_.find(static_cast<int>(**n));
        if (span == spans_.end()) return Invalid(fmt::format("no span {}", **n));
        value.present = true;
        value.integer = **n;
        value.span = span->second.get();
        break;
      }
    }
    // A null uui or cause reads as absent; a required one must be there.
    if (required && !value.present) return Invalid(fmt::format("missing parameter '{}'", spec.name));
  }
  return std::nullopt;
}

}  // namespace prid::daemon
