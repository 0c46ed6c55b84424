// Reading a request's params for API.md's methods: each reader names the
// parameter and what it must be when the client got it wrong
// (InvalidParams). The method table (method_table.h) reads every declared
// parameter with these, before the handler runs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"
#include "ipc/errors.h"
#include "daemon/session/call.h"
#include "ipc/params.h"
#include "q931/user_user.h"

namespace prid::daemon {

template <typename T>
using ParamResult = base::Expected<T, ipc::RpcError>;

// An integer min…max; nullopt when absent and not required.
ParamResult<std::optional<std::int64_t>> IntParam(const ipc::Params& params, std::string_view name, bool required,
                                                  std::int64_t min, std::int64_t max);
// A string of at most `max_chars` characters (UTF-8 code points) with no
// NUL; kUnboundedChars: any string, for a caller that checks the value
// itself (a choice, a party number).
inline constexpr std::size_t kUnboundedChars = static_cast<std::size_t>(-1);
ParamResult<std::optional<std::string>> StringParam(const ipc::Params& params, std::string_view name, bool required,
                                                    std::size_t max_chars);
ParamResult<std::optional<bool>> BoolParam(const ipc::Params& params, std::string_view name);
// "uui": {pd?, text | hex}; absent or null: nullopt.
ParamResult<std::optional<q931::UserUser>> UuiParam(const ipc::Params& params);
// "cause": a number 1…127 or a name (of at most kMaxNameChars characters);
// absent or null: nullopt.
ParamResult<std::optional<std::uint8_t>> CauseParam(const ipc::Params& params);
// A party number (call.make's and sim.call's `number`, `calling`; sim.call's
// `redirecting`): a plain string of digits, or an object {digits, ton?,
// npi?, presentation?, screening?} (the last two not for the called
// number; a redirecting one also {reason?, count?}). The names are checked
// here against q931/party.h's tables; the digits are the handler's to
// check against the span (number_rules.h).
enum class PartyRole { kCalled, kCalling, kRedirecting };
struct PartyParam {
  std::string digits;
  bool object = false;  // given as an object (a plain string sets no attribute)
  std::optional<std::uint8_t> ton, npi, presentation, screening, reason;
  std::optional<int> count;
};
ParamResult<std::optional<PartyParam>> PartyParamOf(const ipc::Params& params, std::string_view name, bool required,
                                                    PartyRole role);
// An array of call ids 1…max; nullopt when absent and not required.
ParamResult<std::optional<std::vector<CallId>>> CallIdsParam(const ipc::Params& params, std::string_view name,
                                                             bool required, std::int64_t max);
// An array of 1…max_count integers min…max (0 ≤ min ≤ max ≤ 255), such as
// progress descriptions; nullopt when absent and not required.
ParamResult<std::optional<std::vector<std::uint8_t>>> OctetsParam(const ipc::Params& params, std::string_view name,
                                                                  bool required, std::size_t max_count,
                                                                  std::int64_t min, std::int64_t max);

}  // namespace prid::daemon
