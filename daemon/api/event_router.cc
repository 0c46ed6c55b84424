// Serializes, numbers, logs and routes the daemon's events.
#include "daemon/api/event_router.h"

#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <random>

#include "base/hex.h"
#include "base/log.h"
#include "base/time_format.h"
#include "daemon/api/call_json.h"
#include "daemon/api/event_line.h"
#include "ipc/event_types.h"
#include "q931/names.h"

namespace prid::daemon {

std::string_view SubscribeRefusalName(SubscribeRefusal::Reason reason) {
  switch (reason) {
    case SubscribeRefusal::Reason::kOverwritten:
      return "overwritten";
    case SubscribeRefusal::Reason::kOtherInstance:
      return "restarted";
    case SubscribeRefusal::Reason::kAhead:
      return "ahead";
  }
  return "unknown";
}

std::string NewInstanceId() {
  std::array<std::uint8_t, 16> bits{};
  std::size_t got = 0;
  while (got < bits.size()) {
    const ssize_t n = ::getrandom(bits.data() + got, bits.size() - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got < bits.size()) {
    // No getrandom (an old kernel, a seccomp filter): the id only has to
    // differ between starts, so the clock and random_device will do.
    PRID_LOG_WARN("getrandom failed ({}); the instance id comes from the clock", errno);
    std::random_device device;
    std::seed_seq seed{static_cast<unsigned>(std::chrono::system_clock::now().time_since_epoch().count()),
                       device(), static_cast<unsigned>(::getpid())};
    std::mt19937_64 generator(seed);
    for (auto& octet : bits) octet = static_cast<std::uint8_t>(generator());
  }
  return base::ToHex(bits);
}

EventRouter::EventRouter(Outbox& outbox, const EventAudience& audience, std::size_t buffer, std::string instance)
    : outbox_(outbox), audience_(audience), log_(buffer), instance_(std::move(instance)) {}

bool EventRouter::Matches(const Subscription& filter, const LoggedEvent& event) const {
  if (filter.span && event.span != *filter.span) return false;
  if (filter.call && event.call != *filter.call) return false;
  return true;
}

bool EventRouter::MaySee(ClientId client, const LoggedEvent& event) const {
  // API.md "Events": a client sees only calls it holds a handle on (or
  // monitors the span of); span events are everyone's.
  return event.call == 0 || audience_.SeesCall(client, event.span, event.call);
}

void EventRouter::Publish(LoggedEvent event, nlohmann::json params) {
  event.seq = log_.next_seq();
  params["seq"] = event.seq;
  params["time"] = Now();
  event.line = ipc::MakeNotificationLine(std::string(ipc::kEventMethod), params);
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
    if (Matches(filter, event) && MaySee(client, event)) to.push_back(client);
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
  nlohmann::json params = {{"type", ipc::event_type::kCallState},
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
  params["type"] = ipc::event_type::kCallNew;
  Publish({0, call.span, call.id, {handle.client}, nullptr}, std::move(params));
}

void EventRouter::SpanStateChanged(int span, std::vector<ClientId> line_holders, std::string_view state,
                                   std::string_view previous, const std::vector<std::string>& alarms,
                                   std::string_view error) {
  nlohmann::json params = {{"type", ipc::event_type::kSpanState}, {"span", span}, {"state", state},
                           {"previous", previous}, {"alarms", alarms}};
  if (!error.empty()) params["error"] = error;
  Publish({0, span, 0, std::move(line_holders), nullptr}, std::move(params));
}

void EventRouter::ChannelStateChanged(int span, std::vector<ClientId> line_holders, int channel,
                                      std::string_view state, std::string_view previous) {
  nlohmann::json params = {{"type", ipc::event_type::kSpanChannel}, {"span", span}, {"channel", channel},
                           {"state", state}, {"previous", previous}};
  Publish({0, span, 0, std::move(line_holders), nullptr}, std::move(params));
}

base::Expected<std::uint64_t, SubscribeRefusal> EventRouter::Subscribe(ClientId client,
                                                                        std::optional<std::uint64_t> since,
                                                                        Subscription filter,
                                                                        std::optional<std::string_view> instance) {
  using Reason = SubscribeRefusal::Reason;
  auto refuse = [this](Reason reason) {
    return base::Unexpected<SubscribeRefusal>{SubscribeRefusal{reason, log_.oldest_seq(), log_.last_seq()}};
  };
  if (since) {
    if (instance && *instance != instance_) return refuse(Reason::kOtherInstance);
    // A seq this start never sent: most likely the previous start's.
    if (*since > log_.last_seq()) return refuse(Reason::kAhead);
    std::vector<std::pair<ipc::SharedLine, std::uint64_t>> replay;
    bool ok = log_.ForEachSince(*since, [&](const LoggedEvent& event) {
      if (!Matches(filter, event)) return;
      // The audience as of now: a monitor that reopened its line gets what
      // it missed; what was addressed to this client it may see again.
      const bool addressed =
          std::find(event.recipients.begin(), event.recipients.end(), client) != event.recipients.end();
      if (addressed || MaySee(client, event)) replay.emplace_back(event.line, event.seq);
    });
    if (!ok) return refuse(Reason::kOverwritten);
    for (auto& [line, seq] : replay) outbox_.Send(client, line, seq);
  }
  subscribers_[client] = filter;
  return log_.last_seq();
}

void EventRouter::ClientGone(ClientId client) { subscribers_.erase(client); }

}  // namespace prid::daemon
