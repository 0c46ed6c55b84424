// Call detail records from the session model's events.
#include "daemon/api/cdr_recorder.h"

#include <algorithm>
#include <chrono>

#include "base/hex.h"
#include "base/log.h"
#include "q931/names.h"
#include "q931/party.h"

namespace prid::daemon {
namespace {

cdr::EpochMs Ms(base::WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
std::optional<cdr::EpochMs> Ms(const std::optional<base::WallTime>& t) {
  return t ? std::optional<cdr::EpochMs>(Ms(*t)) : std::nullopt;
}
std::optional<cdr::Uui> UuiOf(const std::optional<q931::UserUser>& uui) {
  if (!uui) return std::nullopt;
  return cdr::Uui{uui->pd, base::ToHex(uui->info)};
}

}  // namespace

cdr::Record CdrOf(const Call& call, std::string_view span_name, const CallMoments& moments,
                  const std::string& host, const std::string& instance) {
  cdr::Record r;
  r.call_id = call.id;
  r.host = host;
  r.instance = instance;
  r.span_name = std::string(span_name);
  r.span = call.span;
  r.channel = call.channel;
  r.direction = std::string(DirectionName(call.direction));
  r.called = call.called;
  r.calling = call.calling;
  if (!call.is_conference) {
    r.called_ton = q931::TonName(call.parties.called.ton);
    r.called_npi = q931::NpiName(call.parties.called.npi);
  }
  if (call.parties.calling) {
    r.calling_ton = q931::TonName(call.parties.calling->ton);
    r.calling_npi = q931::NpiName(call.parties.calling->npi);
  }
  r.bearer = std::string(BearerName(call.bearer));
  const base::WallTime idle = call.idle_at.value_or(std::chrono::system_clock::now());
  const base::WallTime cleared = call.clearing_at.value_or(idle);
  r.created = Ms(call.created);
  r.setup = Ms(moments.setup);
  r.alerted = Ms(moments.alerted);
  r.connected = Ms(call.connected_at);
  r.disconnected = Ms(cleared);
  r.idle = Ms(idle);
  if (call.direction == Direction::kOut && moments.setup) {
    // Post-dial delay: our SETUP to the far end's first sign of the called party.
    std::optional<base::WallTime> answer = moments.alerted ? moments.alerted : call.connected_at;
    if (answer) r.post_dial_delay_ms = std::max<cdr::EpochMs>(0, Ms(*answer) - Ms(*moments.setup));
  }
  if (call.connected_at) r.billable_ms = std::max<cdr::EpochMs>(0, Ms(cleared) - Ms(*call.connected_at));
  if (call.cause) {
    r.cause = *call.cause;
    r.cause_name = std::string(q931::CauseName(*call.cause));
    r.mode = std::string(DisconnectModeName(*call.cause));
  }
  r.origin = std::string(OriginName(call.origin.value_or(Origin::kLocal)));
  r.dropped_by_uid = call.dropped_by_uid;
  r.uui_sent = UuiOf(call.uui_sent);
  r.uui_received = UuiOf(call.uui_received);
  r.retried = call.first_channel != 0;
  r.first_channel = call.first_channel;
  const CallId conference = call.conference != 0 ? call.conference : moments.conference;
  if (conference != 0) r.conference = conference;
  if (!call.tag.empty()) r.tag = call.tag;
  return r;
}

void CdrRecorder::CallBegan(const Call& call) {
  if (writer_ != nullptr && !call.is_conference) moments_[call.id].setup = std::chrono::system_clock::now();
  next_.CallBegan(call);
}

void CdrRecorder::CallStateChanged(const Call& call, HandleState previous, HandleState state,
                                   const std::vector<ClientId>& recipients,
                                   const std::optional<q931::UserUser>& uui) {
  if (writer_ != nullptr && !call.is_conference) {
    auto it = moments_.find(call.id);
    if (it != moments_.end()) {
      CallMoments& m = it->second;
      // ALERTING received (ringback) or sent (accepted).
      if (!m.alerted && (state == HandleState::kRingback || state == HandleState::kAccepted)) {
        m.alerted = std::chrono::system_clock::now();
      }
      if (call.conference != 0) m.conference = call.conference;
    }
  }
  next_.CallStateChanged(call, previous, state, recipients, uui);
}

void CdrRecorder::CallCleared(const Call& call, std::string_view span_name) {
  if (writer_ != nullptr) {
    auto it = moments_.find(call.id);
    const CallMoments moments = it != moments_.end() ? it->second : CallMoments{};
    if (it != moments_.end()) moments_.erase(it);
    if (auto st = writer_->Submit(CdrOf(call, span_name, moments, host_, instance_)); !st.ok()) {
      // Not lost: the refusal carries the whole record, and the log keeps it
      // (docs/cdr.md "Never lost").
      base::LogLine(base::LogLevel::kError, st.message(), base::LogFields::Call(call.span, call.id));
    }
  }
  next_.CallCleared(call, span_name);
}

}  // namespace prid::daemon
