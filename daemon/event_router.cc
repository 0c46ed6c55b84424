// Serializes, numbers, logs and routes the daemon's events.
#include "daemon/event_router.h"

#include <algorithm>
#include <chrono>

#include "base/time_format.h"
#include "daemon/call_json.h"
#include "daemon/session_model.h"

namespace prid::daemon {

EventRouter::EventRouter(std::size_t buffer) : log_(buffer) {}

bool EventRouter::Matches(const Subscription& filter, const LoggedEvent& event) const {
  if (filter.span && event.span != *filter.span) return false;
  if (filter.call && event.call != *filter.call) return false;
  return true;
}

void EventRouter::Publish(LoggedEvent event, nlohmann::json params) {
  event.seq = log_.next_seq();
  params["seq"] = event.seq;
  params["time"] = base::FormatRfc3339(std::chrono::system_clock::now());
  event.line = ipc::MakeNotificationLine("event", params);
  std::vector<ClientId> to = event.recipients;
  for (const auto& [client, filter] : subscribers_) {
    if (Matches(filter, event)) to.push_back(client);
  }
  std::sort(to.begin(), to.end());
  to.erase(std::unique(to.begin(), to.end()), to.end());
  const std::uint64_t seq = event.seq;
  ipc::SharedLine line = event.line;
  log_.Append(std::move(event));
  if (server_ == nullptr) return;
  for (ClientId client : to) server_->Send(client, line, seq);
}

void EventRouter::CallStateChanged(const Call& call, CallState previous, CallState state,
                                   const std::vector<ClientId>& recipients,
                                   const std::optional<q931::UserUser>& uui) {
  nlohmann::json params = {
      {"type", "call.state"},
      {"call", call.id},
      {"span", call.span},
      {"channel", call.channel},
      {"state", std::string(CallStateName(state))},
      {"previous", std::string(CallStateName(previous))},
  };
  if (state == CallState::kDisconnected || state == CallState::kIdle) AddClearingFields(call, params);
  if (uui) params["uui"] = UuiToJson(*uui);
  Publish({0, call.span, call.id, recipients, nullptr}, std::move(params));
}

void EventRouter::CallOffered(const Call& call, const Handle& handle) {
  nlohmann::json params = CallRecordJson(call, handle);
  params["type"] = "call.new";
  Publish({0, call.span, call.id, {handle.client}, nullptr}, std::move(params));
}

void EventRouter::SpanStateChanged(int span, const char* state, const char* previous) {
  nlohmann::json params = {{"type", "span.state"},     {"span", span},
                           {"state", state},           {"previous", previous},
                           {"alarms", nlohmann::json::array()}};
  std::vector<ClientId> holders = model_ ? model_->LineHolders(span) : std::vector<ClientId>{};
  Publish({0, span, 0, std::move(holders), nullptr}, std::move(params));
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
    if (server_) {
      for (auto& [line, seq] : replay) server_->Send(client, line, seq);
    }
  }
  subscribers_[client] = filter;
  return log_.last_seq();
}

void EventRouter::ClientGone(ClientId client) { subscribers_.erase(client); }

}  // namespace prid::daemon
