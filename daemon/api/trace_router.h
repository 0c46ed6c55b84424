// Live D-channel traces (API.md trace.subscribe): every frame a span sends
// or receives, decoded by the project's codec, as one `trace` notification
// to each subscribed client whose filter matches — a span, or one call.
//
// The router also keeps the Q.931 frames of each call prid holds a record
// of (the last kTraceFramesPerCall, the first — its SETUP — always among
// them), so that a call's subscription starts with the call's SETUP however
// late it comes: the kept frames are replayed, then live ones follow. A
// frame belongs to a call by its libpri call reference on its span; the
// SETUP is seen before the span ties the reference to a call (libpri tells
// of an incoming call after reading it; ours is sent before pri_setup
// returns), so frames of a reference not tied yet wait, as `pending`, for
// the next lookup that ties it. The frames go when the call's record goes
// (CallGone). So that live subscribers see the call id on that first SETUP
// too, frames from a SETUP not tied yet on are held back until a call
// begins (CallBegan: the span has tied it by then), the next frame read
// (the read that brought the SETUP is done) or a subscription. Sent
// through the Outbox given at construction.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "base/time_format.h"
#include "daemon/api/outbox.h"
#include "daemon/session/call.h"
#include "daemon/session/event_sink.h"
#include "q931/pcap_writer.h"

namespace prid::daemon {

// Frames kept per call (API.md "Traces"): a call has about ten Q.931
// messages; 64 leaves room for overlap dialling and FACILITY while a
// thousand calls keep a few MB at most.
inline constexpr std::size_t kTraceFramesPerCall = 64;
// Call references whose call is not known yet. Normally one at a time
// (tied within the same read); what stays (a SETUP libpri refused itself)
// is dropped oldest first beyond this.
inline constexpr std::size_t kTracePendingCrefs = 64;

struct TraceFilter {
  std::optional<int> span;
  std::optional<CallId> call;
};

// What a call's subscription replayed.
struct TraceReplay {
  std::size_t replayed = 0;  // kept frames sent before the live ones
  std::uint64_t dropped = 0;  // frames of the call the bound let go
};

class TraceRouter {
 public:
  // The call on `span` that libpri knows by `cref` now (nullopt: none).
  using CallLookup = std::function<std::optional<CallId>(int span, int cref)>;
  // Whether prid holds a record of `call`.
  using RecordLookup = std::function<bool(CallId)>;
  // `outbox` (borrowed) must outlive the router.
  TraceRouter(Outbox& outbox, CallLookup call_of_cref, RecordLookup has_record)
      : outbox_(outbox), call_of_cref_(std::move(call_of_cref)), has_record_(std::move(has_record)) {}

  // Replaces the client's subscription; for a call, first sends the call's
  // kept frames (of `filter.span` only, if set). Nullopt (and no
  // subscription) when the filter names a call prid has no record of.
  std::optional<TraceReplay> Subscribe(ipc::ClientId client, TraceFilter filter);
  void Unsubscribe(ipc::ClientId client) { subscribers_.erase(client); }
  void ClientGone(ipc::ClientId client) { subscribers_.erase(client); }
  bool subscribed(ipc::ClientId client) const { return subscribers_.contains(client); }

  // A frame on `span`: kept when it is a call's Q.931 message, sent to the
  // subscribers it matches (decoded only when someone listens).
  void Frame(int span, q931::FrameDirection direction, std::span<const std::uint8_t> frame);

  // A call began (the model's CallBegan): the span has tied its SETUP's
  // reference, so that SETUP joins the call's kept frames and the frames
  // held back go out.
  void CallBegan() {
    TiePending();
    Flush();
  }
  // The call's record is gone: so are its kept frames.
  void CallGone(CallId call);

  // Tests: calls with kept frames, and references waiting for their call.
  std::size_t kept_calls() const { return kept_.size(); }
  std::size_t pending_crefs() const { return pending_.size(); }

 private:
  using WireKey = std::pair<int, int>;  // span, libpri cref
  struct KeptFrame {
    base::WallTime time;
    q931::FrameDirection direction;
    std::vector<std::uint8_t> octets;
  };
  struct Kept {
    int span = 0;
    std::deque<KeptFrame> frames;
    std::uint64_t dropped = 0;
    std::uint64_t age = 0;  // pending: when the reference was first seen
  };

  // The call the frames of `key` belong to, tying the key (and moving its
  // pending frames) when the span now knows the call.
  std::optional<CallId> CallOf(const WireKey& key);
  void TiePending();  // CallOf for every pending reference
  std::optional<CallId> Keep(int span, int cref, bool setup, KeptFrame frame);
  static void Append(Kept& kept, KeptFrame frame);
  void Deliver(int span, const KeptFrame& frame, std::optional<CallId> call);
  // Delivers the frames held back, each with its call as known now.
  void Flush();
  // The `trace` notification of one frame.
  static ipc::SharedLine Line(int span, const KeptFrame& frame, std::optional<CallId> call);

  Outbox& outbox_;
  CallLookup call_of_cref_;
  RecordLookup has_record_;
  std::map<ipc::ClientId, TraceFilter> subscribers_;
  std::map<CallId, Kept> kept_;
  // References tied to a call; kept after the call left the wire (its last
  // RELEASE COMPLETE may follow), until a SETUP reuses the reference or the
  // record goes.
  std::map<WireKey, CallId> tied_;
  std::map<WireKey, Kept> pending_;
  std::uint64_t pending_age_ = 0;
  struct Held {
    int span = 0;
    std::optional<WireKey> key;
    KeptFrame frame;
  };
  std::vector<Held> held_;  // live frames behind an untied SETUP, in order
};

// The session model's sink in the daemon: hands every event on to `next`
// unchanged, and tells `traces` when a call's record goes (both borrowed;
// they must outlive the sink).
class TraceKeepingSink final : public EventSink {
 public:
  TraceKeepingSink(EventSink& next, TraceRouter& traces) : next_(next), traces_(traces) {}
  void CallStateChanged(const Call& call, HandleState previous, HandleState state,
                        const std::vector<ClientId>& recipients,
                        const std::optional<q931::UserUser>& uui) override {
    next_.CallStateChanged(call, previous, state, recipients, uui);
  }
  void CallRequestRefused(const Call& call, CallState state, std::uint8_t cause,
                          const std::vector<ClientId>& recipients, std::string_view request) override {
    next_.CallRequestRefused(call, state, cause, recipients, request);
  }
  void CallBegan(const Call& call) override {
    traces_.CallBegan();
    next_.CallBegan(call);
  }
  void CallOffered(const Call& call, const Handle& handle) override { next_.CallOffered(call, handle); }
  void CallInfoReceived(const Call& call, const FarEndInfo& info, const std::vector<ClientId>& recipients) override {
    next_.CallInfoReceived(call, info, recipients);
  }
  void CallDigits(const Call& call, std::string_view digits, bool complete,
                  const std::vector<ClientId>& recipients) override {
    next_.CallDigits(call, digits, complete, recipients);
  }
  void CallCleared(const Call& call, std::string_view span_name) override { next_.CallCleared(call, span_name); }
  void CallRecordFreed(CallId call) override {
    traces_.CallGone(call);
    next_.CallRecordFreed(call);
  }

 private:
  EventSink& next_;
  TraceRouter& traces_;
};

}  // namespace prid::daemon
