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
#include "daemon/api/call_end_log.h"
#include "daemon/api/call_json.h"
#include "daemon/api/event_line.h"
#include "ipc/client_queue.h"
#include "ipc/event_types.h"
#include "q931/names.h"

namespace prid::daemon {

namespace {
// events.lost's reason when a cursor was overtaken by the ring.
constexpr std::string_view kLostOverwritten = "overwritten";
}  // namespace

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

EventRouter::EventRouter(Outbox& outbox, const EventAudience& audience, std::size_t buffer, std::string instance,
                         std::size_t client_bound)
    : outbox_(outbox),
      audience_(audience),
      log_(buffer),
      instance_(std::move(instance)),
      client_bound_(client_bound),
      part_bytes_(std::min(kPumpBytes, client_bound / 4)) {}

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

bool EventRouter::Wants(ClientId client, const Subscriber& subscriber, const LoggedEvent& event) const {
  // What was addressed to it comes in seq order with the rest (a
  // subscriber gets nothing past its cursor); a replay applies the
  // audience as of now: a monitor that reopened its line gets what it
  // missed.
  if (std::find(event.recipients.begin(), event.recipients.end(), client) != event.recipients.end()) return true;
  return Matches(subscriber.filter, event) && (subscriber.filter.all_calls || MaySee(client, event));
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
  const std::uint64_t seq = log_.Append(std::move(event));
  const LoggedEvent& logged = *log_.Find(seq);
  // Clients addressed directly that do not subscribe get it now; a
  // subscriber's events all come through its cursor, in seq order.
  std::vector<ClientId> direct = logged.recipients;
  std::sort(direct.begin(), direct.end());
  direct.erase(std::unique(direct.begin(), direct.end()), direct.end());
  for (ClientId client : direct) {
    if (subscribers_.count(client) == 0) outbox_.Send(client, logged.line, seq);
  }
  std::vector<std::pair<ClientId, std::string_view>> cut;
  for (auto& [client, subscriber] : subscribers_) {
    const bool wants = Wants(client, subscriber, logged);
    if (subscriber.next == seq) {
      // Caught up: it goes now, unless the client's queue is full.
      if (!wants) {
        subscriber.next = seq + 1;
        continue;
      }
      std::optional<std::size_t> pending = outbox_.pending_bytes(client);
      if (pending && *pending < part_bytes_) {
        outbox_.Send(client, logged.line, seq);
        subscriber.next = seq + 1;
        subscriber.replaying = false;
        subscriber.backlog = 0;
        continue;
      }
    }
    // Behind: the event waits in the log for Pump.
    if (wants) subscriber.backlog += logged.line->size();
    if (subscriber.next < log_.oldest_seq()) {
      cut.emplace_back(client, kLostOverwritten);
    } else if (!subscriber.replaying && subscriber.backlog > client_bound_) {
      cut.emplace_back(client, ipc::kLostTooSlow);
    }
  }
  for (const auto& [client, reason] : cut) CutOff(client, subscribers_.at(client), reason);
}

bool EventRouter::Advance(ClientId client, Subscriber& subscriber) {
  while (subscriber.next <= log_.last_seq()) {
    const LoggedEvent* event = log_.Find(subscriber.next);
    if (event == nullptr) {  // overwritten before the client read up to it
      CutOff(client, subscriber, kLostOverwritten);
      return false;
    }
    if (Wants(client, subscriber, *event)) {
      std::optional<std::size_t> pending = outbox_.pending_bytes(client);
      if (!pending || *pending >= part_bytes_) return true;
      outbox_.Send(client, event->line, event->seq);
      subscriber.backlog -= std::min(subscriber.backlog, event->line->size());
    }
    ++subscriber.next;
  }
  subscriber.replaying = false;
  subscriber.backlog = 0;
  return true;
}

void EventRouter::Pump(ClientId client) {
  auto subscriber = subscribers_.find(client);
  if (subscriber != subscribers_.end()) Advance(client, subscriber->second);
}

void EventRouter::CutOff(ClientId client, const Subscriber& subscriber, std::string_view reason) {
  // Everything up to the cursor was queued and is written before the
  // notice: resuming with since = last_seq loses nothing still buffered.
  const std::uint64_t last_seq = subscriber.next - 1;
  PRID_LOG_WARN("events: client {} cut off ({}) after seq {}; the newest is {}", client, reason, last_seq,
                log_.last_seq());
  outbox_.Send(client, ipc::MakeEventsLostLine(last_seq, reason), 0);
  outbox_.Disconnect(client);
  subscribers_.erase(client);
  ++cut_off_count_;
}

void EventRouter::CallStateChanged(const Call& call, HandleState previous, HandleState state,
                                   const std::vector<ClientId>& recipients,
                                   const std::optional<q931::UserUser>& uui) {
  // One journal line per state change, with fields journalctl can select on.
  base::LogFields fields = base::LogFields::Call(call.span, call.id);
  if (call.cause) fields.cause = *call.cause;
  base::LogWith(base::LogLevel::kInfo, fields, "span {}: call {}: {} -> {}{}", call.span, call.id,
                HandleStateName(previous), HandleStateName(state),
                call.cause ? fmt::format(" cause={} ({})", *call.cause, q931::CauseName(*call.cause)) : "");
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

void EventRouter::CallCleared(const Call& call, std::string_view span_name) { LogCallEnd(call, span_name); }

void EventRouter::CallOffered(const Call& call, const Handle& handle) {
  nlohmann::json params = CallRecordJson(call, handle);
  params["type"] = ipc::event_type::kCallNew;
  Publish({0, call.span, call.id, {handle.client}, nullptr}, std::move(params));
}

void EventRouter::CallDigits(const Call& call, std::string_view digits, bool complete,
                             const std::vector<ClientId>& recipients) {
  nlohmann::json params = {{"type", ipc::event_type::kCallDigits},
                           {"call", call.id},
                           {"span", call.span},
                           {"digits", std::string(digits)},
                           {"called", call.called},
                           {"complete", complete}};
  Publish({0, call.span, call.id, recipients, nullptr}, std::move(params));
}

void EventRouter::CallInfoReceived(const Call& call, const FarEndInfo& info,
                                   const std::vector<ClientId>& recipients) {
  nlohmann::json params = CallIndicationJson(call, info);
  params["type"] = ipc::event_type::kCallIndication;
  Publish({0, call.span, call.id, recipients, nullptr}, std::move(params));
}

void EventRouter::SpanStateChanged(int span, std::vector<ClientId> line_holders, std::string_view state,
                                   std::string_view previous, const std::vector<std::string>& alarms,
                                   std::string_view error, std::string_view reason) {
  nlohmann::json params = {{"type", ipc::event_type::kSpanState}, {"span", span}, {"state", state},
                           {"previous", previous}, {"alarms", alarms}};
  if (!error.empty()) params["error"] = error;
  if (!reason.empty()) params["reason"] = reason;
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
    if (log_.size() > 0 && *since + 1 < log_.oldest_seq()) return refuse(Reason::kOverwritten);
  }
  const std::uint64_t last = log_.last_seq();
  Subscriber& subscriber = subscribers_[client];
  subscriber = Subscriber{filter, since ? *since + 1 : log_.next_seq(), 0, since.has_value()};
  // The first part now (held until the reply is written); the rest as the
  // client reads.
  Advance(client, subscriber);
  return last;
}

void EventRouter::ClientGone(ClientId client) { subscribers_.erase(client); }

}  // namespace prid::daemon
