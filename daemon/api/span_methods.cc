// The span.* methods of API.md.
#include "daemon/api/span_methods.h"

#include <fmt/format.h>

#include "base/time_format.h"

namespace prid::daemon {
namespace {

using nlohmann::json;
using ipc::ErrorCode;
using ipc::MakeError;

base::Unexpected<ipc::RpcError> Error(ErrorCode code, std::string message) {
  return {MakeError(code, std::move(message))};
}

// Whether `channel` is one of the span's B-channels.
bool OwnsChannel(const Span& span, int channel) {
  for (const ChannelInfo& ch : span.Channels()) {
    if (ch.channel == channel) return true;
  }
  return false;
}

}  // namespace

SpanSnapshot SnapshotOf(const Span& span) {
  return SpanSnapshot{span.config(),          span.state(),   span.dchannel_up(),
                      span.AlarmNames(),      span.Channels(), span.restart_failures(),
                      span.config_error(),    span.alarm_history(), span.start_error(),
                      span.link_up()};
}

json SpanToJson(int number, const Span& span) { return SpanToJson(number, SnapshotOf(span)); }

json SpanToJson(int number, const SpanSnapshot& span) {
  const SpanConfig& c = span.config;
  json channels = json::array();
  for (const ChannelInfo& ch : span.channels) {
    json entry = {{"channel", ch.channel},
                  {"state", std::string(ChannelStateName(ch.state()))},
                  {"service", ch.in_service ? "in" : "out"}};
    if (ch.call != 0) entry["call"] = ch.call;
    channels.push_back(std::move(entry));
  }
  json entry = {{"span", number},
                {"name", c.name.empty() ? fmt::format("span{}", number) : c.name},
                {"driver", std::string(DriverName(c.driver))},
                {"node", std::string(NodeTypeName(c.node))},
                {"switch", std::string(SwitchVariantName(c.switch_variant))},
                {"state", std::string(SpanStateName(span.state))},
                {"dchannel_state", span.dchannel_up ? "up" : "down"},
                {"alarms", span.alarms},
                {"bchannels", std::move(channels)},
                {"uui_max", c.uui ? c.uui_max : 0},
                {"appearance", std::string(AppearanceName(c.appearance))},
                {"hunt", std::string(HuntOrderName(c.hunt))},
                {"dialplan", std::string(DialplanName(c.dialplan))},
                {"local_dialplan", std::string(DialplanName(c.local_dialplan))},
                {"overlap", c.overlap},
                {"restart_failures", span.restart_failures},
                // What libpri and the restart procedure run with (the config's).
                {"timers",
                 {{"t200", c.t200_s},
                  {"t203", c.t203_s},
                  {"t303", c.t303_s},
                  {"t305", c.t305_s},
                  {"t308", c.t308_s},
                  {"t309", c.t309_s},
                  {"t316", c.t316_s},
                  {"n316", c.n316}}}};
  json history = json::array();
  for (const AlarmChange& change : span.alarm_history) {
    history.push_back({{"time", base::FormatRfc3339(change.time)}, {"alarms", change.alarms}});
  }
  entry["alarm_history"] = std::move(history);
  if (c.driver == Driver::kDahdi) entry["dchannel"] = c.dchannel;
  if (!c.peer.empty()) entry["peer"] = c.peer;
  // Where a far end (another prid, a test, prictl replay) reaches the span.
  if (!c.listen.empty()) entry["listen"] = c.listen;
  if (!c.connect.empty()) entry["connect"] = c.connect;
  if (c.nfas_group != 0) {
    entry["nfas"] = {{"group", c.nfas_group},
                     {"interface", c.nfas_interface},
                     {"dchannel", std::string(NfasDchannelName(c.nfas_dchannel))}};
    // A primary's or backup's own D-channel; dchannel_state is the group's.
    if (!c.nfas_member()) entry["nfas"]["link"] = span.link_up ? "up" : "down";
  }
  if (!span.config_error.empty()) entry["error"] = span.config_error;
  if (!span.start_error.empty()) entry["reason"] = span.start_error;
  return entry;
}

MethodResult SpanListMethod(const SpanMap& spans, const Args& args) {
  const auto after = static_cast<int>(args.OptionalInt("after").value_or(0));
  const auto limit = static_cast<std::size_t>(args.OptionalInt("limit").value_or(kSpanListMaxLimit));
  json out = json::array();
  for (auto it = spans.upper_bound(after); it != spans.end() && out.size() < limit; ++it) {
    out.push_back(SpanToJson(it->first, *it->second));
  }
  return out;
}

MethodResult SpanRestartMethod(const Args& args) {
  Span& span = args.SpanOf("span");
  const int channel = static_cast<int>(args.OptionalInt("channel").value_or(0));
  if (channel != 0 && !span.Channels().empty() && !OwnsChannel(span, channel)) {
    return Error(ErrorCode::kInvalidParams,
                 fmt::format("channel {} is not a B-channel of span {}", channel, span.config().span));
  }
  if (!span.up()) {
    return Error(ErrorCode::kSpanDown, fmt::format("span {} is {}; RESTART needs the D-channel up",
                                                   span.config().span, SpanStateName(span.state())));
  }
  if (auto ok = span.Restart(channel); !ok.ok()) return Error(ErrorCode::kOperationUnavailable, ok.message());
  return json::object();
}

MethodResult SpanServiceMethod(const Args& args) {
  Span& span = args.SpanOf("span");
  const int channel = static_cast<int>(args.Int("channel"));
  const bool in_service = args.String("service") == "in";
  if (!OwnsChannel(span, channel)) {
    return Error(ErrorCode::kInvalidParams,
                 fmt::format("channel {} is not a B-channel of span {}", channel, span.config().span));
  }
  if (!span.up()) {
    return Error(ErrorCode::kSpanDown, fmt::format("span {} is {}; SERVICE needs the D-channel up",
                                                   span.config().span, SpanStateName(span.state())));
  }
  if (auto ok = span.SetService(channel, in_service); !ok.ok()) {
    return Error(ErrorCode::kOperationUnavailable, ok.message());
  }
  return json::object();
}

}  // namespace prid::daemon
