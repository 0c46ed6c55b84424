// Typed reads of request params, with errors that say what was expected.
#include "daemon/api/request_params.h"

#include <fmt/format.h>

#include "base/hex.h"
#include "daemon/api/method_table.h"
#include "daemon/session/call.h"
#include "q931/names.h"
#include "q931/party.h"

namespace prid::daemon {
namespace {

using ipc::ErrorCode;
using ipc::ParamValue;

base::Unexpected<ipc::RpcError> Invalid(std::string message) {
  return {ipc::MakeError(ErrorCode::kInvalidParams, std::move(message))};
}

base::Unexpected<ipc::RpcError> Missing(std::string_view name) {
  return Invalid(fmt::format("missing parameter '{}'", name));
}

// The member `name`, or nullopt when absent.
std::optional<ParamValue> Member(const ipc::Params& params, std::string_view name) {
  ParamValue value;
  if (params[name].get(value) != simdjson::SUCCESS) return std::nullopt;
  return value;
}

base::Result<q931::UserUser> UuiFromParam(ParamValue value) {
  ipc::Params members;
  if (value.get_object().get(members) != simdjson::SUCCESS) {
    return base::Fail("uui must be an object: {\"text\": …} or {\"hex\": …}");
  }
  // One pass over the members (this runs for every call.make and call.drop).
  std::optional<ParamValue> text, hex, pd;
  for (simdjson::dom::key_value_pair member : members) {
    if (member.key == "text") {
      text = member.value;
    } else if (member.key == "hex") {
      hex = member.value;
    } else if (member.key == "pd") {
      pd = member.value;
    } else {
      return base::Fail(fmt::format("uui has an unknown key '{}' (expected text, hex, pd)", member.key));
    }
  }
  if (text.has_value() == hex.has_value()) return base::Fail("uui needs exactly one of \"text\" and \"hex\"");
  q931::UserUser uui;
  if (pd) {
    std::int64_t n = 0;
    if (pd->get_int64().get(n) != simdjson::SUCCESS || n < 0 || n > 255) {
      return base::Fail("uui.pd must be an integer 0…255");
    }
    uui.pd = static_cast<std::uint8_t>(n);
  }
  std::string_view chars;
  if (text) {
    if (text->get_string().get(chars) != simdjson::SUCCESS) return base::Fail("uui.text must be a string");
    uui.info.assign(chars.begin(), chars.end());
    return uui;
  }
  if (hex->get_string().get(chars) != simdjson::SUCCESS) return base::Fail("uui.hex must be a string");
  // An odd length is named before a bad digit, as it always was.
  if (chars.size() % 2 != 0) return base::Fail("uui.hex must have an even number of digits");
  auto octets = base::FromHex(chars);
  if (!octets.ok()) {
    return base::Fail(fmt::format("uui.hex has a non-hex character at position {}", octets.error().position));
  }
  uui.info = std::move(*octets);
  return uui;
}

// The characters (UTF-8 code points) of `text`: the octets that do not
// continue a sequence.
std::size_t CharCount(std::string_view text) {
  std::size_t count = 0;
  for (char c : text) count += (static_cast<unsigned char>(c) & 0xc0) != 0x80 ? 1 : 0;
  return count;
}

base::Result<std::uint8_t> CauseFromParam(ParamValue value) {
  if (std::int64_t n = 0; value.get_int64().get(n) == simdjson::SUCCESS) {
    if (n < 1 || n > 127) return base::Fail(fmt::format("cause {} is out of range (1…127)", n));
    return static_cast<std::uint8_t>(n);
  }
  if (std::string_view name; value.get_string().get(name) == simdjson::SUCCESS) {
    // Bounded before it is echoed below.
    if (const std::size_t chars = CharCount(name); chars > kMaxNameChars) {
      return base::Fail(fmt::format("cause name is {} characters; at most {}", chars, kMaxNameChars));
    }
    if (auto cause = CauseFromApiName(name)) return *cause;
    if (auto cause = q931::CauseFromName(name)) return *cause;
    return base::Fail(fmt::format(
        "unknown cause '{}' (a number 1…127, or normal, busy, noanswer, rejected, unavailable)", name));
  }
  return base::Fail("cause must be a number or a name");
}

// One attribute of a party object: a name from `table`'s choices.
std::optional<std::string> ReadAttribute(std::string_view param, std::string_view key, ParamValue value,
                                         std::optional<std::uint8_t> (*from_name)(std::string_view),
                                         std::string_view choices, std::optional<std::uint8_t>& out) {
  std::string_view text;
  if (value.get_string().get(text) == simdjson::SUCCESS) out = from_name(text);
  if (!out) return fmt::format("{}.{} must be one of: {}", param, key, choices);
  return std::nullopt;
}

base::Result<PartyParam> PartyFromParam(std::string_view name, ParamValue value, PartyRole role) {
  PartyParam party;
  std::string_view text;
  if (value.get_string().get(text) == simdjson::SUCCESS) {
    party.digits = std::string(text);
    return party;
  }
  ipc::Params members;
  const std::string_view keys = role == PartyRole::kCalled ? "digits, ton, npi"
                                : role == PartyRole::kCalling
                                    ? "digits, ton, npi, presentation, screening"
                                    : "digits, ton, npi, presentation, screening, reason, count";
  if (value.get_object().get(members) != simdjson::SUCCESS) {
    return base::Fail(fmt::format("parameter '{}' must be a string of digits or an object {{{}}}", name, keys));
  }
  party.object = true;
  bool has_digits = false;
  for (simdjson::dom::key_value_pair member : members) {
    const std::string_view key = member.key;
    std::optional<std::string> bad;
    const bool with_octet_3a = role != PartyRole::kCalled;
    if (key == "digits") {
      if (member.value.get_string().get(text) != simdjson::SUCCESS) {
        return base::Fail(fmt::format("{}.digits must be a string", name));
      }
      party.digits = std::string(text);
      has_digits = true;
    } else if (key == "ton") {
      bad = ReadAttribute(name, key, member.value, q931::TonFromName, q931::TonChoices(), party.ton);
    } else if (key == "npi") {
      bad = ReadAttribute(name, key, member.value, q931::NpiFromName, q931::NpiChoices(), party.npi);
    } else if (key == "presentation" && with_octet_3a) {
      bad = ReadAttribute(name, key, member.value, q931::PresentationFromName, q931::PresentationChoices(),
                          party.presentation);
    } else if (key == "screening" && with_octet_3a) {
      bad = ReadAttribute(name, key, member.value, q931::ScreeningFromName, q931::ScreeningChoices(),
                          party.screening);
    } else if (key == "reason" && role == PartyRole::kRedirecting) {
      bad = ReadAttribute(name, key, member.value, q931::RedirectReasonFromName, q931::RedirectReasonChoices(),
                          party.reason);
    } else if (key == "count" && role == PartyRole::kRedirecting) {
      // The diversion counter (Q.SIG's diversionCounter is 1…15); 0: not given.
      std::int64_t n = 0;
      if (member.value.get_int64().get(n) != simdjson::SUCCESS || n < 0 || n > 15) {
        return base::Fail(fmt::format("{}.count must be an integer 0…15", name));
      }
      party.count = static_cast<int>(n);
    } else {
      return base::Fail(fmt::format("{} has an unknown key '{}' (expected {})", name, key, keys));
    }
    if (bad) return base::Fail(std::move(*bad));
  }
  if (!has_digits) return base::Fail(fmt::format("{}.digits is missing", name));
  return party;
}

}  // namespace

ParamResult<std::optional<PartyParam>> PartyParamOf(const ipc::Params& params, std::string_view name, bool required,
                                                    PartyRole role) {
  auto value = Member(params, name);
  if (!value) {
    if (required) return Missing(name);
    return std::optional<PartyParam>{};
  }
  auto party = PartyFromParam(name, *value, role);
  if (!party.ok()) return Invalid(party.error());
  return std::optional<PartyParam>{std::move(*party)};
}

ParamResult<std::optional<std::int64_t>> IntParam(const ipc::Params& params, std::string_view name, bool required,
                                                  std::int64_t min, std::int64_t max) {
  auto value = Member(params, name);
  if (!value) {
    if (required) return Missing(name);
    return std::optional<std::int64_t>{};
  }
  std::int64_t n = 0;
  if (value->get_int64().get(n) != simdjson::SUCCESS || n < min || n > max) {
    return Invalid(fmt::format("parameter '{}' must be an integer {}…{}", name, min, max));
  }
  return std::optional<std::int64_t>{n};
}

ParamResult<std::optional<std::string>> StringParam(const ipc::Params& params, std::string_view name,
                                                    bool required, std::size_t max_chars) {
  auto value = Member(params, name);
  if (!value) {
    if (required) return Missing(name);
    return std::optional<std::string>{};
  }
  std::string_view text;
  if (value->get_string().get(text) != simdjson::SUCCESS) {
    return Invalid(fmt::format("parameter '{}' must be a string", name));
  }
  if (max_chars != kUnboundedChars) {
    if (const std::size_t chars = CharCount(text); chars > max_chars) {
      return Invalid(fmt::format("parameter '{}' is {} characters; at most {}", name, chars, max_chars));
    }
    if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
      return Invalid(
          fmt::format("parameter '{}' has a NUL (U+0000) at position {}", name, CharCount(text.substr(0, nul))));
    }
  }
  return std::optional<std::string>{std::string(text)};
}

ParamResult<std::optional<bool>> BoolParam(const ipc::Params& params, std::string_view name) {
  auto value = Member(params, name);
  if (!value) return std::optional<bool>{};
  bool flag = false;
  if (value->get_bool().get(flag) != simdjson::SUCCESS) {
    return Invalid(fmt::format("parameter '{}' must be true or false", name));
  }
  return std::optional<bool>{flag};
}

ParamResult<std::optional<q931::UserUser>> UuiParam(const ipc::Params& params) {
  auto value = Member(params, "uui");
  if (!value || value->is_null()) return std::optional<q931::UserUser>{};
  auto uui = UuiFromParam(*value);
  if (!uui.ok()) return Invalid(uui.error());
  return std::optional<q931::UserUser>{std::move(*uui)};
}

ParamResult<std::optional<std::uint8_t>> CauseParam(const ipc::Params& params) {
  auto value = Member(params, "cause");
  if (!value || value->is_null()) return std::optional<std::uint8_t>{};
  auto cause = CauseFromParam(*value);
  if (!cause.ok()) return Invalid(cause.error());
  return std::optional<std::uint8_t>{*cause};
}

ParamResult<std::optional<std::vector<CallId>>> CallIdsParam(const ipc::Params& params, std::string_view name,
                                                             bool required, std::int64_t max) {
  auto value = Member(params, name);
  if (!value) {
    if (required) return Missing(name);
    return std::optional<std::vector<CallId>>{};
  }
  if (!value->is_array()) return Invalid(fmt::format("parameter '{}' must be an array of call ids", name));
  std::vector<CallId> calls;
  const simdjson::dom::array ids = value->get_array().value_unsafe();
  for (ParamValue id : ids) {
    std::int64_t n = 0;
    if (id.get_int64().get(n) != simdjson::SUCCESS || n < 1 || n > max) {
      return Invalid(fmt::format("parameter '{}' must hold call ids (integers 1…{})", name, max));
    }
    calls.push_back(static_cast<CallId>(n));
  }
  return std::optional<std::vector<CallId>>{std::move(calls)};
}

ParamResult<std::optional<std::vector<std::uint8_t>>> OctetsParam(const ipc::Params& params, std::string_view name,
                                                                  bool required, std::size_t max_count,
                                                                  std::int64_t min, std::int64_t max) {
  auto value = Member(params, name);
  if (!value) {
    if (required) return Missing(name);
    return std::optional<std::vector<std::uint8_t>>{};
  }
  const std::string what = fmt::format("parameter '{}' must be an array of 1 to {} integers {}…{}", name,
                                       max_count, min, max);
  if (!value->is_array()) return Invalid(what);
  std::vector<std::uint8_t> octets;
  const simdjson::dom::array items = value->get_array().value_unsafe();
  for (ParamValue item : items) {
    std::int64_t n = 0;
    if (item.get_int64().get(n) != simdjson::SUCCESS || n < min || n > max || octets.size() == max_count) {
      return Invalid(what);
    }
    octets.push_back(static_cast<std::uint8_t>(n));
  }
  if (octets.empty()) return Invalid(what);
  return std::optional<std::vector<std::uint8_t>>{std::move(octets)};
}

}  // namespace prid::daemon
