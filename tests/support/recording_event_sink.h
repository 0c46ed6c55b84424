// A daemon::EventSink that keeps a copy of every event, in order, as a
// client would see it (the call record may be gone by the time a test looks).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/session/call.h"
#include "daemon/session/event_sink.h"
#include "q931/names.h"
#include "q931/user_user.h"

namespace prid::daemon::testing {

// A call.state event (API.md "Events") with the fields the router takes
// from the Call at the moment it is emitted.
struct StateEvent {
  std::size_t seq = 0;  // position among all events of this sink
  CallId call = 0;
  int span = 0;
  int channel = 0;
  HandleState previous = HandleState::kIdle;  // as the recipients see it
  HandleState state = HandleState::kIdle;
  std::vector<ClientId> recipients;
  std::optional<std::uint8_t> cause;
  std::optional<std::string> cause_name;
  std::optional<std::string> mode;
  std::optional<Origin> origin;
  std::optional<q931::UserUser> uui;
  std::optional<std::string> refused;  // CallRequestRefused: "hold", "retrieve"
};

// A call.new event: a handle was created for `client`.
struct OfferEvent {
  std::size_t seq = 0;
  CallId call = 0;
  Direction direction = Direction::kIn;
  CallState call_state = CallState::kIdle;
  ClientId client = 0;
  Privilege privilege = Privilege::kOwner;
  HandleState handle_state = HandleState::kIdle;
};

// A call.digits event: overlap digits for a collecting call.
struct DigitsEvent {
  std::size_t seq = 0;
  CallId call = 0;
  std::string digits;
  std::string called;  // the call's number after them
  bool complete = false;
  std::vector<ClientId> recipients;
};

// The wire cleared a Q.931 call (EventSink::CallCleared).
struct ClearedEvent {
  std::size_t seq = 0;
  CallId call = 0;
  std::string span_name;
  std::optional<std::uint8_t> cause;
  std::optional<Origin> origin;
  std::optional<std::uint32_t> dropped_by_uid;
};

// A call.indication event (EventSink::CallInfoReceived), with a copy of its info.
struct InfoEvent {
  std::size_t seq = 0;
  CallId call = 0;
  std::string message;
  FarEndInfo info;  // its message view points at `message`'s static name
  std::vector<ClientId> recipients;
};

class RecordingEventSink : public EventSink {
 public:
  void CallStateChanged(const Call& call, HandleState previous, HandleState state,
                        const std::vector<ClientId>& recipients,
                        const std::optional<q931::UserUser>& uui) override {
    StateEvent e;
    e.seq = next_seq_++;
    e.call = call.id;
    e.span = call.span;
    e.channel = call.channel;
    e.previous = previous;
    e.state = state;
    e.recipients = recipients;
    e.cause = call.cause;
    if (call.cause) {
      e.cause_name = std::string(q931::CauseName(*call.cause));
      e.mode = std::string(DisconnectModeName(*call.cause));
    }
    e.origin = call.origin;
    e.uui = uui;
    states_.push_back(std::move(e));
  }

  void CallRequestRefused(const Call& call, CallState state, std::uint8_t cause,
                          const std::vector<ClientId>& recipients, std::string_view request) override {
    StateEvent e;
    e.seq = next_seq_++;
    e.call = call.id;
    e.span = call.span;
    e.channel = call.channel;
    e.previous = ViewOf(state);
    e.state = ViewOf(state);
    e.recipients = recipients;
    e.cause = cause;
    e.cause_name = std::string(q931::CauseName(cause));
    e.refused = std::string(request);
    states_.push_back(std::move(e));
  }

  void CallOffered(const Call& call, const Handle& handle) override {
    offers_.push_back({next_seq_++, call.id, call.direction, call.state(), handle.client, handle.privilege,
                       call.StateSeenBy(handle)});
  }

  void CallCleared(const Call& call, std::string_view span_name) override {
    cleared_.push_back({next_seq_++, call.id, std::string(span_name), call.cause, call.origin, call.dropped_by_uid});
  }

  void CallRecordFreed(CallId call) override { freed_.push_back(call); }

  void CallInfoReceived(const Call& call, const FarEndInfo& info, const std::vector<ClientId>& recipients) override {
    infos_.push_back({next_seq_++, call.id, std::string(info.message), info, recipients});
  }
  const std::vector<InfoEvent>& infos() const { return infos_; }

  void CallDigits(const Call& call, std::string_view digits, bool complete,
                  const std::vector<ClientId>& recipients) override {
    digits_.push_back({next_seq_++, call.id, std::string(digits), call.called, complete, recipients});
  }
  const std::vector<DigitsEvent>& digits() const { return digits_; }

  const std::vector<StateEvent>& states() const { return states_; }
  // The calls whose records went (EventSink::CallRecordFreed), in order.
  const std::vector<CallId>& freed() const { return freed_; }
  const std::vector<ClearedEvent>& cleared() const { return cleared_; }
  const std::vector<OfferEvent>& offers() const { return offers_; }
  std::size_t total() const { return next_seq_; }

  std::vector<StateEvent> StatesOf(CallId call) const {
    std::vector<StateEvent> out;
    for (const StateEvent& e : states_) {
      if (e.call == call) out.push_back(e);
    }
    return out;
  }
  std::vector<OfferEvent> OffersOf(CallId call) const {
    std::vector<OfferEvent> out;
    for (const OfferEvent& e : offers_) {
      if (e.call == call) out.push_back(e);
    }
    return out;
  }
  void Forget() {
    states_.clear();
    offers_.clear();
    cleared_.clear();
  }

 private:
  std::size_t next_seq_ = 0;
  std::vector<StateEvent> states_;
  std::vector<DigitsEvent> digits_;
  std::vector<OfferEvent> offers_;
  std::vector<ClearedEvent> cleared_;
  std::vector<CallId> freed_;
  std::vector<InfoEvent> infos_;
};

}  // namespace prid::daemon::testing
