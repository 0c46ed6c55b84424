// The line side under link faults, against a bare libpri far end of the
// opposite node type on a thread of its own, over the real SOCK_SEQPACKET
// socket of a sim span (or a fake DAHDI card patched to it): the far end's
// SETUP sent the instant its data link is up is answered, a call placed as
// soon as span.state says up goes through, the span goes down at once when
// the far end goes (or the card reports an alarm), its calls clear after
// T309 with cause 27, and it comes up again when the far end is back.
#include <dahdi/user.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "daemon/line/libpri_settings.h"
#include "dahdi-glue/sim_transport.h"
#include "q931/pri_call.h"
#include "q931/pri_link.h"
#include "tests/integration/fixture.h"
#include "tests/support/fake_dahdi_kernel.h"
#include "tests/support/loop_thread.h"

namespace prid::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr double kT309Seconds = 1.0;

// What the far end has seen so far.
struct FarEndCounts {
  int up = 0;        // PRI_EVENT_DCHAN_UP
  int down = 0;      // PRI_EVENT_DCHAN_DOWN
  int offered = 0;   // prid's SETUPs, each answered
  int answered = 0;  // CONNECTs for the far end's own SETUPs
};

// A far end as a program of its own would be: Start() creates its libpri at
// once (its first SABME goes to no one, as a program's does before its
// socket is connected), then listens on the path or connects to it
// (retrying every 20 ms). Held, it accepts or connects only on Release(),
// so that a test can open its line on prid before the link comes up. It
// answers every call prid places and, the instant its data link comes up,
// sends a SETUP of its own. Stop() ends it: its sockets close.
class FarEnd {
 public:
  enum class Mode { kListen, kConnect };

  // Of the opposite node type of a `node` span of switch `variant`.
  FarEnd(std::string path, Mode mode, daemon::NodeType node = daemon::NodeType::kCpe,
         daemon::SwitchVariant variant = daemon::SwitchVariant::kEuroIsdnE1)
      : path_(std::move(path)),
        mode_(mode),
        node_type_(node == daemon::NodeType::kCpe ? PRI_NETWORK : PRI_CPE),
        switch_type_(daemon::LibpriSwitchType(variant)),
        layer1_(daemon::LibpriLayer1(variant)),
        // Its own SETUPs take the span's last B-channel; prid hunts from the first.
        setup_channel_(SimSpan(1, node, variant).bchannels.back()) {}
  ~FarEnd() { Stop(); }

  void Start(bool held) {
    loop_.Run([&] {
      endpoint_ = std::make_unique<Endpoint>(loop_.loop(), *this);
      if (!held) endpoint_->Release();
    });
  }
  void Release() {
    loop_.Run([&] {
      if (endpoint_) endpoint_->Release();
    });
  }
  void Stop() {
    loop_.Run([&] { endpoint_.reset(); });
  }

  int setup_channel() const { return setup_channel_; }
  FarEndCounts counts() {
    std::lock_guard<std::mutex> lock(mutex_);
    return counts_;
  }
  bool WaitFor(const std::function<bool(const FarEndCounts&)>& done, int timeout_ms = kWaitMs) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return done(counts_); });
  }

 private:
  class Endpoint : public q931::PriLinkObserver {
   public:
    Endpoint(ev::loop_ref loop, FarEnd& owner)
        : owner_(owner), io_(loop), accept_io_(loop), pri_timer_(loop), retry_timer_(loop) {
      io_.set<Endpoint, &Endpoint::OnReadable>(this);
      accept_io_.set<Endpoint, &Endpoint::OnAcceptable>(this);
      pri_timer_.set<Endpoint, &Endpoint::OnPriTimer>(this);
      retry_timer_.set<Endpoint, &Endpoint::OnRetry>(this);
      if (owner_.mode_ == Mode::kListen) {
        auto listening = dahdi_glue::SimTransport::Listen("far end", owner_.path_);
        EXPECT_TRUE(listening.ok()) << listening.error();
        if (listening.ok()) transport_ = std::move(*listening);
      }
      if (!transport_) transport_ = dahdi_glue::SimTransport::ForConnect("far end", owner_.path_);
      auto link = q931::PriLink::Create({"far end", owner_.node_type_, owner_.switch_type_}, *transport_, *this);
      EXPECT_TRUE(link.ok()) << link.error();
      if (!link.ok()) return;
      link_ = std::move(*link);
      // Quick to notice a silent line and to clear its calls then (the
      // DAHDI alarm test).
      pri_set_timer(link_->raw(), PRI_TIMER_T200, 100);
      pri_set_timer(link_->raw(), PRI_TIMER_T203, 300);
      pri_set_timer(link_->raw(), PRI_TIMER_T309, 300);
    }

    void Release() {
      if (owner_.mode_ == Mode::kListen) {
        accept_io_.start(transport_->listen_fd(), ev::READ);
      } else {
        retry_timer_.start(0.0, 0.02);
      }
    }

   private:
    void Watch() {
      io_.stop();
      if (transport_->connected()) io_.start(transport_->fd(), ev::READ);
    }
    void OnAcceptable(ev::io&, int) {
      if (transport_->AcceptPeer().ok()) Watch();
    }
    void OnRetry(ev::timer&, int) {
      if (!transport_->Reconnect().ok()) return;
      retry_timer_.stop();
      Watch();
    }
    void OnReadable(ev::io&, int) {
      link_->ProcessInput();
      if (transport_->peer_lost()) {
        transport_->ClearPeerLost();
        io_.stop();
      }
    }
    void OnPriTimer(ev::timer&, int) { link_->RunTimers(); }

    void OnTimerDeadline(std::optional<std::chrono::system_clock::time_point> deadline) override {
      pri_timer_.stop();
      if (!deadline) return;
      const double delay = std::chrono::duration<double>(*deadline - std::chrono::system_clock::now()).count();
      pri_timer_.start(std::max(0.0, delay), 0.0);
    }
    void OnFrame(q931::FrameDirection, std::span<const std::uint8_t>) override {}

    void OnPriEvent(const pri_event& e) override {
      q931::PriCallTable& calls = link_->calls();
      switch (e.e) {
        case PRI_EVENT_DCHAN_UP: {
          owner_.Count([](FarEndCounts& c) { ++c.up; });
          q931::SetupRequest setup;
          setup.channel = owner_.setup_channel_;
          setup.layer1 = owner_.layer1_;
          setup.parties.called.digits = "2000";
          auto placed = calls.Place(setup);
          EXPECT_TRUE(placed.ok()) << placed.error();
          break;
        }
        case PRI_EVENT_DCHAN_DOWN:
          owner_.Count([](FarEndCounts& c) { ++c.down; });
          break;
        case PRI_EVENT_RING: {
          q931::PriCall& call = calls.Offered(e.ring, e.ring.channel & 0xff);
          (void)call.Proceed();
          (void)call.Answer(std::nullopt, false);
          owner_.Count([](FarEndCounts& c) { ++c.offered; });
          break;
        }
        case PRI_EVENT_PROCEEDING:
          if (q931::PriCall* call = calls.Find(e.proceeding.call)) call->NoteProceeding();
          break;
        case PRI_EVENT_RINGING:
          if (q931::PriCall* call = calls.Find(e.ringing.call)) call->NoteRinging();
          break;
        case PRI_EVENT_ANSWER:
          if (q931::PriCall* call = calls.Find(e.answer.call)) {
            call->NoteAnswered();
            owner_.Count([](FarEndCounts& c) { ++c.answered; });
          }
          break;
        case PRI_EVENT_HANGUP_REQ:
          if (q931::PriCall* call = calls.Find(e.hangup.call)) {
            call->NoteRemoteDisconnect();
            (void)call->Clear(static_cast<std::uint8_t>(e.hangup.cause > 0 ? e.hangup.cause : 16), std::nullopt);
          }
          break;
        case PRI_EVENT_HANGUP:
          if (q931::PriCall* call = calls.Find(e.hangup.call)) {
            call->NoteHangup();
            (void)call->Release(static_cast<std::uint8_t>(e.hangup.cause > 0 ? e.hangup.cause : 16));
          } else {
            calls.ClearUnknown(e.hangup.call, 16);
          }
          break;
        case PRI_EVENT_HANGUP_ACK:
          if (q931::PriCall* call = calls.Find(e.hangup.call)) (void)call->NoteHangupAck();
          break;
        default:
          break;
      }
    }

    FarEnd& owner_;
    std::unique_ptr<dahdi_glue::SimTransport> transport_;
    std::unique_ptr<q931::PriLink> link_;  // after transport_: its FrameIo
    ev::io io_;
    ev::io accept_io_;
    ev::timer pri_timer_;
    ev::timer retry_timer_;
  };

  void Count(const std::function<void(FarEndCounts&)>& change) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      change(counts_);
    }
    changed_.notify_all();
  }

  std::string path_;
  Mode mode_;
  int node_type_;
  int switch_type_;
  int layer1_;
  int setup_channel_;
  std::mutex mutex_;
  std::condition_variable changed_;
  FarEndCounts counts_;
  LoopThread loop_;  // last: its thread stops before the rest goes
  std::unique_ptr<Endpoint> endpoint_;
};

// The `nth` event matching `match` of those the client received so far, in
// any order, waiting for further events until there is one.
std::optional<json> WaitSeen(ApiClient& client, const std::function<bool(const json&)>& match,
                             int timeout_ms = kWaitMs, std::size_t nth = 1) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    std::size_t seen = 0;
    for (const json& e : client.AllEvents()) {
      if (match(e) && ++seen == nth) return e;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return std::nullopt;
    client.WaitEvent([](const json&) { return true; }, static_cast<int>(left));
  }
}

std::function<bool(const json&)> SpanState(const std::string& state) {
  return [state](const json& e) { return e.value("type", "") == "span.state" && e.value("state", "") == state; };
}

std::function<bool(const json&)> CallState(std::uint64_t call, const std::string& state) {
  return [call, state](const json& e) {
    return e.value("type", "") == "call.state" && e.value("call", 0ull) == call && e.value("state", "") == state;
  };
}

std::size_t Count(ApiClient& client, const std::function<bool(const json&)>& match) {
  std::size_t n = 0;
  for (const json& e : client.AllEvents()) n += match(e) ? 1 : 0;
  return n;
}

std::string SpanStateNow(ApiClient& client) {
  for (const json& s : client.Ok("span.list")) {
    if (s["span"] == 1) return s["state"];
  }
  return "";
}

// The clients of one daemon: `owner` makes calls and answers the far
// end's, `monitor` holds a monitor handle on every call of the span.
struct Clients {
  explicit Clients(const std::string& socket) : owner(socket), monitor(socket) {
    owner.Ok("line.open", {{"span", 1}});
    owner.Ok("events.subscribe", {{"since", 0}});
    monitor.Ok("line.open", {{"span", 1}, {"privilege", "monitor"}});
  }
  ApiClient owner;
  ApiClient monitor;
};

// The link has come up (the `nth` span.state up): a call placed at once
// goes through, and the far end's own SETUP, sent the instant its link came
// up, is offered and answered. Returns the two calls (prid's, the far end's).
std::pair<std::uint64_t, std::uint64_t> CallsRightAfterUp(ApiClient& owner, FarEnd& far, std::size_t nth,
                                                        const std::vector<std::uint64_t>& earlier = {}) {
  const FarEndCounts before = far.counts();
  EXPECT_TRUE(WaitSeen(owner, SpanState("up"), kWaitMs, nth)) << "span never came up";
  auto made = owner.Call("call.make", {{"number", "100"}});
  EXPECT_TRUE(made.ok()) << (made.ok() ? "" : made.error().name);
  if (!made.ok()) return {0, 0};
  const std::uint64_t ours = (*made)["call"];
  EXPECT_TRUE(WaitSeen(owner, CallState(ours, "connected"))) << "prid's first call did not get through";
  auto offered = WaitSeen(owner, [&](const json& e) {
    return e.value("type", "") == "call.new" && e.value("channel", 0) == far.setup_channel() &&
           std::find(earlier.begin(), earlier.end(), e.value("call", 0ull)) == earlier.end();
  });
  EXPECT_TRUE(offered) << "the far end's first SETUP was not offered";
  if (!offered) return {ours, 0};
  const std::uint64_t theirs = (*offered)["call"];
  owner.Ok("call.answer", {{"call", theirs}});
  EXPECT_TRUE(WaitSeen(owner, CallState(theirs, "connected")));
  EXPECT_TRUE(far.WaitFor([&](const FarEndCounts& c) {
    return c.answered > before.answered && c.offered > before.offered;
  })) << "the far end's SETUP was not answered, or prid's call did not reach it";
  return {ours, theirs};
}

// The span went down (the `nth` time, state `down_state`): new calls are
// refused, and `calls` (connected) stay until T309, then clear with cause
// 27 from our side, once, with events to the owner and the monitor.
void DownThenClearedAfterT309(Clients& clients, const std::vector<std::uint64_t>& calls,
                              const std::string& down_state, Clock::time_point lost) {
  auto down = WaitSeen(clients.owner, SpanState(down_state), 1000);
  ASSERT_TRUE(down) << "span.state " << down_state << " did not come at once";
  EXPECT_EQ((*down)["previous"], "up");
  EXPECT_LT(Clock::now() - lost, std::chrono::milliseconds(900));
  EXPECT_EQ(clients.owner.ErrorName("call.make", {{"number", "101"}}), "SpanDown");
  // Kept for T309: still connected right after the loss.
  if (Clock::now() - lost < std::chrono::milliseconds(static_cast<int>(kT309Seconds * 500))) {
    for (std::uint64_t call : calls) {
      EXPECT_EQ(clients.owner.Ok("call.info", {{"call", call}})["state"], "connected");
    }
  }
  for (std::uint64_t call : calls) {
    for (ApiClient* client : {&clients.owner, &clients.monitor}) {
      auto idle = WaitSeen(*client, CallState(call, "idle"));
      ASSERT_TRUE(idle) << "call " << call << " not cleared";
      EXPECT_EQ((*idle)["cause"], 27);
      EXPECT_EQ((*idle)["origin"], "local");
      EXPECT_EQ(Count(*client, CallState(call, "idle")), 1u);
      EXPECT_EQ(Count(*client, CallState(call, "disconnected")), 0u);
    }
  }
  EXPECT_GE(Clock::now() - lost, std::chrono::milliseconds(static_cast<int>(kT309Seconds * 900)));
}

// --- sim spans: listen and connect, far end started before or after prid --

enum class PridSide { kListens, kConnects };
enum class Order { kFarEndFirst, kPridFirst };

class SimLinkFaultTest : public ::testing::TestWithParam<std::tuple<PridSide, Order>> {};

TEST_P(SimLinkFaultTest, BringUpLossAndReturn) {
  const auto [side, order] = GetParam();
  TempDir dir;
  const std::string line = dir.File("span1.seq");
  daemon::SpanConfig span = SimSpan(1, daemon::NodeType::kCpe);
  span.peer.clear();
  (side == PridSide::kListens ? span.listen : span.connect) = line;
  span.t309_s = kT309Seconds;
  FarEnd far(line, side == PridSide::kListens ? FarEnd::Mode::kConnect : FarEnd::Mode::kListen);

  // Far end first: up and cycling its own SABMEs before prid exists; held
  // only until the owner's line is open.
  if (order == Order::kFarEndFirst) far.Start(/*held=*/true);
  DaemonThread daemons({ConfigWith(dir.File("prid.sock"), {span})});
  ASSERT_TRUE(daemons.started()) << daemons.error();
  Clients clients(dir.File("prid.sock"));
  if (order == Order::kFarEndFirst) {
    far.Release();
  } else {
    far.Start(/*held=*/false);
  }
  auto [ours, theirs] = CallsRightAfterUp(clients.owner, far, 1);
  ASSERT_NE(theirs, 0u);

  // The far end goes away: its socket closes.
  far.Stop();
  DownThenClearedAfterT309(clients, {ours, theirs}, "down", Clock::now());

  // It comes back (a connect span finds it within its 1 s retry), prid
  // as it was.
  far.Start(/*held=*/false);
  auto [again, theirs_again] = CallsRightAfterUp(clients.owner, far, 2, {theirs});
  ASSERT_NE(theirs_again, 0u);
  for (std::uint64_t call : {again, theirs_again}) {
    clients.owner.Ok("call.drop", {{"call", call}});
    EXPECT_TRUE(WaitSeen(clients.owner, CallState(call, "idle")));
  }
  EXPECT_EQ(SpanStateNow(clients.owner), "up");
}

INSTANTIATE_TEST_SUITE_P(
    Sides, SimLinkFaultTest,
    ::testing::Combine(::testing::Values(PridSide::kListens, PridSide::kConnects),
                       ::testing::Values(Order::kFarEndFirst, Order::kPridFirst)),
    [](const auto& info) {
      return std::string(std::get<0>(info.param) == PridSide::kListens ? "PridListens" : "PridConnects") +
             (std::get<1>(info.param) == Order::kFarEndFirst ? "_FarEndFirst" : "_PridFirst");
    });

// --- every switch variant, both node types: the far end right after prid --

using Variant = std::tuple<daemon::SwitchVariant, daemon::NodeType>;

class VariantLinkTest : public ::testing::TestWithParam<Variant> {};

TEST_P(VariantLinkTest, FirstSetupAndFirstCallGetThrough) {
  const auto [variant, node] = GetParam();
  TempDir dir;
  daemon::SpanConfig span = SimSpan(1, node, variant);
  span.peer.clear();
  span.listen = dir.File("span1.seq");
  DaemonThread daemons({ConfigWith(dir.File("prid.sock"), {span})});
  ASSERT_TRUE(daemons.started()) << daemons.error();
  Clients clients(dir.File("prid.sock"));
  FarEnd far(span.listen, FarEnd::Mode::kConnect, node, variant);
  far.Start(/*held=*/false);
  auto [ours, theirs] = CallsRightAfterUp(clients.owner, far, 1);
  ASSERT_NE(theirs, 0u);
  for (std::uint64_t call : {ours, theirs}) {
    clients.owner.Ok("call.drop", {{"call", call}});
    EXPECT_TRUE(WaitSeen(clients.owner, CallState(call, "idle")));
  }
}

INSTANTIATE_TEST_SUITE_P(AllVariants, VariantLinkTest, EveryVariantAndNode(), VariantAndNodeName);

// --- a DAHDI span: alarm, and the alarm cleared ---------------------------

TEST(DahdiLinkFaultTest, AlarmTakesTheSpanDownAtOnceAndItsEndBringsItBackWithoutLoss) {
  TempDir dir;
  FakeDahdiKernel kernel;
  kernel.AddSpan(1, 1, 31, 16);  // an E1, D-channel 16
  const std::string line = dir.File("card.seq");
  FarEnd far(line, FarEnd::Mode::kListen);
  far.Start(/*held=*/true);
  ASSERT_TRUE(kernel.PatchToSocket(16, line));
  daemon::SpanConfig span = SimSpan(1, daemon::NodeType::kCpe);
  span.peer.clear();
  span.driver = daemon::Driver::kDahdi;
  span.dchannel = 16;
  span.t309_s = kT309Seconds;
  DaemonThread daemons({ConfigWith(dir.File("prid.sock"), {span})}, &kernel);
  ASSERT_TRUE(daemons.started()) << daemons.error();
  Clients clients(dir.File("prid.sock"));
  far.Release();
  auto [ours, theirs] = CallsRightAfterUp(clients.owner, far, 1);
  ASSERT_NE(theirs, 0u);

  kernel.SetSpanAlarms(1, DAHDI_ALARM_RED);
  kernel.QueueEvent(16, DAHDI_EVENT_ALARM);
  DownThenClearedAfterT309(clients, {ours, theirs}, "alarm", Clock::now());
  // Nothing crosses a card in alarm: the far end gives its link up too.
  ASSERT_TRUE(far.WaitFor([](const FarEndCounts& c) { return c.down >= 1; }));

  kernel.SetSpanAlarms(1, 0);
  kernel.QueueEvent(16, DAHDI_EVENT_NOALARM);
  // Down while Q.921 starts afresh, then up; no call lost either way.
  auto cleared = WaitSeen(clients.owner, SpanState("down"));
  ASSERT_TRUE(cleared);
  EXPECT_EQ((*cleared)["previous"], "alarm");
  auto [again, theirs_again] = CallsRightAfterUp(clients.owner, far, 2, {theirs});
  ASSERT_NE(theirs_again, 0u);
  for (std::uint64_t call : {again, theirs_again}) {
    clients.owner.Ok("call.drop", {{"call", call}});
    EXPECT_TRUE(WaitSeen(clients.owner, CallState(call, "idle")));
  }
  EXPECT_EQ(SpanStateNow(clients.owner), "up");
}

}  // namespace
}  // namespace prid::testing
