// One configured span: its D-channel (PriDriver), the libpri signalling of
// its calls (the SpanPort the session model drives), its B-channels, and —
// with peer = "builtin" — the simulated far end.
#pragma once

#include <ev++.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/expected.h"
#include "daemon/config.h"
#include "daemon/pri_driver.h"
#include "daemon/session_model.h"
#include "daemon/span_port.h"

namespace prid::dahdi_glue {
class ConferenceMixer;
}

namespace prid::daemon {

class SimPeer;

class SpanObserver {
 public:
  virtual ~SpanObserver() = default;
  virtual void SpanStateChanged(int span, bool up) = 0;
  virtual void SpanFrame(int span, q931::FrameDirection direction,
                         std::span<const std::uint8_t> frame) = 0;
};

struct ChannelStatus {
  int channel = 0;
  CallId call = 0;  // 0: idle
};

class Span : public SpanPort {
 public:
  Span(ev::loop_ref loop, SpanConfig config, SessionModel& model, SpanObserver& observer);
  ~Span() override;

  base::Status Start();

  // SpanPort
  bool up() const override { return up_; }
  base::Expected<int, PortError> PlaceCall(CallId call, const PlaceCallRequest& request) override;
  base::Status Alert(CallId call) override;
  base::Status Answer(CallId call, const std::optional<q931::UserUser>& uui) override;
  ClearOutcome Clear(CallId call, std::uint8_t cause,
                     const std::optional<q931::UserUser>& uui) override;
  base::Status Hold(CallId call) override;
  base::Status Retrieve(CallId call) override;
  base::Status JoinConference(CallId call, int number) override;
  void LeaveConference(CallId call) override;

  // Where conference media goes (DAHDI_SETCONF on the B-channels); none on
  // a sim span unless a test gives one.
  void SetConferenceMixer(dahdi_glue::ConferenceMixer* mixer) { mixer_ = mixer; }
  // The DAHDI channel number of one of the span's B-channels.
  int DahdiChannel(int bchannel) const;

  const SpanConfig& config() const { return config_; }
  std::vector<ChannelStatus> Channels() const;
  SimPeer* sim_peer() { return peer_.get(); }
  // libpri's call reference of a call still on the wire.
  std::optional<int> CrefOf(CallId call) const;
  // A free B-channel in the span's hunting order (0: none).
  int PickChannel() const;
  std::size_t wire_calls() const { return by_id_.size(); }

 private:
  struct WireCall {
    CallId id = 0;
    q931_call* call = nullptr;
    int cref = 0;
    int channel = 0;
    bool incoming = false;
    bool responded = false;           // ALERTING / CONNECT sent for an incoming call
    bool remote_disconnected = false; // the far end's DISCONNECT arrived
    bool local_clearing = false;      // we sent the first clearing message
  };

  void OnPriEvent(const pri_event& event);
  void OnRing(const pri_event_ring& ring);
  void OnHangup(const pri_event_hangup& hangup, int type);
  void OnHoldEvent(const pri_event& event);
  WireCall* ByCall(q931_call* call);
  WireCall* ById(CallId id);
  void Forget(CallId id);

  ev::loop_ref loop_;
  SpanConfig config_;
  SessionModel& model_;
  SpanObserver& observer_;
  std::unique_ptr<PriDriver> driver_;
  std::unique_ptr<SimPeer> peer_;
  bool up_ = false;
  std::map<CallId, WireCall> by_id_;
  std::map<q931_call*, CallId> by_call_;
  std::map<int, CallId> channel_use_;
  dahdi_glue::ConferenceMixer* mixer_ = nullptr;
};

// libpri's constants for our config enums.
int LibpriNodeType(NodeType node);
int LibpriSwitchType(SwitchVariant variant);
int LibpriTransferCapability(Bearer bearer);
int LibpriLayer1(SwitchVariant variant);
// Q.932 call hold (Q.931 HOLD / RETRIEVE) exists on the ETSI and QSIG
// variants; the North American PRI variants have no such messages.
bool VariantHasHold(SwitchVariant variant);
Bearer BearerFromLibpri(int transfer_capability);

}  // namespace prid::daemon
