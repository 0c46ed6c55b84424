// Serializes, numbers, logs and routes the daemon's events.
#include "daemon/api/event_router.h"

#include <algorithm>
#include <chrono>

#include "base/log.h"
#include "base/time_format.h"
#include "daemon/api/call_json.h"
#include "daemon/api/event_line.h"
#include "q931/names.h"

namespace prid::daemon {

EventRouter::EventRouter(Outbox& outbox, std::size_t buffer) : outbox_(outbox), log_(buffer) {}

bool EventRouter::Matches(const Subscription& filter, const LoggedEvent& event) const {
  if (filter.span && event.span != *filter.span) return false;
  if (filter.call && event.call != *filter.call) return false;
  return true;
}

void EventRouter::Publish(LoggedEvent event, nlohmann::json params) {
  event.seq = log_.next_seq();
  params["seq"] = event.seq;
  params["time"] = Now();
  event.line = ipc::MakeNotificationLine("event", params);
  Deliver(std::move(event));
}

const std::string& EventRouter::Now() {
  // Events come in bursts: format the seconds once, then only the millis.
  const auto now = std::chrono::system_clock::now();
  const auto second = std::chrono::floor<std::chrono::seconds>(now);
  if (second != cached_second_ || time_.empty()) {
    cached_second_ = second;
    time_ = base::FormatRfc3339(second);  // "…:SS.000Z"
  }
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now - second).count();
  time_[time_.size() - 4] = static_cast<char>('0' + millis / 100);
  time_[time_.size() - 3] = static_cast<char>('0' + millis / 10 % 10);
  time_[time_.size() - 2] = static_cast<char>('0' + millis % 10);
  return time_;
}

void EventRouter::Deliver(LoggedEvent event) {
  std::vector<ClientId> to = event.recipients;
  for (const auto& [client, filter] : subscribers_) {
    if (Matches(filter, event)) to.push_back(client);
  }
  std::sort(to.begin(), to.end());
  to.erase(std::unique(to.begin(), to.end()), to.end());
  const std::uint64_t seq = event.seq;
  ipc::SharedLine line = event.line;
  log_.Append(std::move(event));
  for (ClientId client : to) outbox_.Send(client, line, seq);
}

void EventRouter::CallStateChanged(const Call& call, HandleState previous, HandleState state,
                                   const std::vector<ClientId>& recipients,
                                   const std::optional<q931::UserUser>& uui) {
  // One journal line per state change, with fields journalctl can select on.
  base::LogFields fields = base::LogFields::Call(call.span, call.id);
  if (call.cause) fields.cause = *call.cause;
  base::LogWith(base::LogLevel::kInfo, fields, "span {}: call {}: {} -> {}", call.span, call.id,
                HandleStateName(previous), HandleStateName(state));
  LoggedEvent event{log_.next_seq(), call.span, call.id, recipients, nullptr};
  event.line = std::make_shared<const std::string>(
      CallStateEventLine(call, previous, state, uui, event.seq, Now()));
  Deliver(std::move(event));
}

void EventRouter::CallRequestRefused(const Call& call, CallState state, std::uint8_t cause,
                                     const std::vector<ClientId>& recipients, std::string_view request) {
  nlohmann::json params = {{"type", "call.state"},
                           {"call", call.id},
                           {"span", call.span},
                           {"channel", call.channel},
                           {"state", std::string(CallStateName(state))},
                           {"previous", std::string(CallStateName(state))},
                           {"cause", cause},
                           {"cause_name", std::string(q931::CauseName(cause))},
                           {"refused", std::string(request)}};
  Publish({0, call.span, call.id, recipients, nullptr}, std::move(params));
}

void EventRouter::CallOffered(const Call& call, const Handle& handle) {
  nlohmann::json params = CallRecordJson(call, handle);
  params["type"] = "call.new";
  Publish({0, call.span, call.id, {handle.client}, nullptr}, std::move(params));
}

void EventRouter::SpanStateChanged(int span, std::vector<ClientId> line_holders, std::string_view state,
                                   std::string_view previous, const std::vector<std::string>& alarms,
                                   std::string_view error) {
  nlohmann::json params = {{"type", "span.state"}, {"span", span},     {"state", state},
                           {"previous", previous}, {"alarms", alarms}};
  if (!error.empty()) params["error"] = error;
  Publish({0, span, 0, std::move(line_holders), nullptr}, std::move(params));
}

void EventRouter::ChannelStateChanged(int span, std::vector<ClientId> line_holders, int channel,
                                      std::string_view state, std::string_view previous) {
  nlohmann::json params = {{"type", "span.channel"}, {"span", span},
                           {"channel", channel},     {"state", state},
                           {"previous", previous}};
  Publish({0, span, 0, std::move(line_holders), nullptr}, std::move(params));
}

base::Expected<std::uint64_t, std::uint64_t> EventRouter::Subscribe(ClientId client,
                                                                     std::optional<std::uint64_t> since,
                                                                     Subscription filter) {
  if (since) {
    std::vector<std::pair<ipc::SharedLine, std::uint64_t>> replay;
    bool ok = log_.ForEachSince(*since, [&](const LoggedEvent& event) {
      if (Matches(filter, event)) replay.emplace_back(event.line, event.seq);
    });
    if (!ok) return base::Unexpected<std::uint64_t>{log_.oldest_seq()};
    for (auto& [line, seq] : replay) outbox_.Send(client, line, seq);
  }
  subscribers_[client] = filter;
  return log_.last_seq();
}

void EventRouter::ClientGone(ClientId client) { subscribers_.erase(client); }

}  // namespace prid::daemon
