// libFuzzer target: arbitrary frames from the far end on a live span's
// D-channel. Each input (tests/fuzz/dchannel_input.h) picks one of eight
// spans (cpe or network × euroisdn_e1, ni2, 5ess, qsig) and is a sequence of
// LAPD frames and client requests. The spans are daemon::Span objects with
// the sim driver in connect mode: the fuzzer is the far end of their
// SOCK_SEQPACKET D-channel, so every frame takes the daemon's read path
// (libev io watcher, PriDriver, SimTransport, PriLink with its UUI
// rewriter, libpri) and libpri's events drive the span and the session
// model, as in the daemon. Client requests go to the model as the RPC
// handlers send them.
//
// The spans live across inputs, as a daemon's do (libpri has no destructor
// for its controller). Each input ends with the client gone and the far
// end's DISC, so the next starts from a released data link with no calls
// of ours; libpri's timers run on the wall clock, as in the daemon.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <ev++.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "base/log.h"
#include "base/unique_fd.h"
#include "daemon/line/ev_timer.h"
#include "daemon/line/libpri_settings.h"
#include "daemon/line/span.h"
#include "daemon/session/session_model.h"
#include "tests/fuzz/dchannel_input.h"

namespace {

using prid::fuzz::DchannelAction;
using prid::fuzz::DchannelInput;
namespace d = prid::daemon;

constexpr d::ClientId kClient = 1;

class NullLog : public prid::base::LogSink {
 public:
  void Write(prid::base::LogLevel, std::string_view, const prid::base::LogFields&) override {}
};

// The model's events: the calls the client was offered.
class Events : public d::EventSink {
 public:
  void CallStateChanged(const d::Call&, d::HandleState, d::HandleState, const std::vector<d::ClientId>&,
                        const std::optional<prid::q931::UserUser>&) override {}
  void CallRequestRefused(const d::Call&, d::CallState, std::uint8_t, const std::vector<d::ClientId>&,
                          std::string_view) override {}
  void CallCleared(const d::Call&, std::string_view) override {}
  void CallOffered(const d::Call& call, const d::Handle& handle) override {
    if (handle.client == kClient) calls.push_back(call.id);
  }
  std::vector<d::CallId> calls;
};

class Observer : public d::SpanObserver {
 public:
  void SpanStateChanged(const d::SpanStateChange&) override {}
  void ChannelStateChanged(int, int, d::ChannelState, d::ChannelState) override {}
  void SpanFrame(int, prid::q931::FrameDirection, std::span<const std::uint8_t>) override {}
};

struct Variant {
  d::NodeType node;
  d::SwitchVariant switch_variant;
};

Variant VariantOf(int v) {
  static constexpr d::SwitchVariant kSwitches[] = {d::SwitchVariant::kEuroIsdnE1, d::SwitchVariant::kNi2,
                                                   d::SwitchVariant::k5ess, d::SwitchVariant::kQsig};
  return {DchannelInput::NetworkNode(v) ? d::NodeType::kNetwork : d::NodeType::kCpe, kSwitches[(v / 2) % 4]};
}

// The far end of one span's D-channel.
struct LiveSpan {
  std::unique_ptr<d::Span> span;
  prid::base::UniqueFd far_end;
  bool network = false;
};

class Harness {
 public:
  Harness() : loop_(ev::AUTO), timers_(loop_), model_(events_, timers_) {
    // Every log line is formatted; PRID_FUZZ_LOG=1 shows them (reproducing).
    if (std::getenv("PRID_FUZZ_LOG") == nullptr) prid::base::SetLogSink(&log_);
    prid::base::SetLogLevel(prid::base::LogLevel::kDebug);
    char dir_template[] = "prid-dchannel-fuzz-XXXXXX";
    const std::string base = (std::filesystem::temp_directory_path() / dir_template).string();
    std::vector<char> dir(base.begin(), base.end());
    dir.push_back('\0');
    if (::mkdtemp(dir.data()) == nullptr) std::abort();
    dir_ = dir.data();
    for (int v = 0; v < DchannelInput::kVariants; ++v) spans_.push_back(StartSpan(v));
    ::rmdir(dir_.c_str());
    OpenLines();
  }

  void Run(std::span<const std::uint8_t> data) {
    DchannelInput::Reader reader(data);
    const int v = reader.variant();
    LiveSpan& live = spans_[static_cast<std::size_t>(v)];
    events_.calls.clear();
    while (auto record = reader.Next()) {
      if (!record->frame.empty()) {
        Send(live, record->frame);
      } else {
        Act(live, v + 1, record->action, record->arg);
      }
      Pump(live);
    }
    // Back to a released data link with none of our calls.
    model_.ClientGone(kClient);
    OpenLines();
    Send(live, DchannelInput::Disc(live.network));
    Pump(live);
  }

 private:
  LiveSpan StartSpan(int v) {
    const Variant variant = VariantOf(v);
    d::SpanConfig config;
    config.span = v + 1;
    config.node = variant.node;
    config.switch_variant = variant.switch_variant;
    if (d::IsT1Variant(variant.switch_variant)) {
      config.bchannels_text = "1-23";
      config.dchannel = 24;
    }
    config.bchannels = *d::ParseChannelList(config.bchannels_text);
    if (variant.switch_variant == d::SwitchVariant::k5ess) config.appearance = d::Appearance::kBridged;
    config.connect = dir_ + "/span" + std::to_string(v + 1);

    // The far end listens; the span connects at Start, as with connect = "…".
    prid::base::UniqueFd listener(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (!listener.valid() || config.connect.size() >= sizeof(addr.sun_path)) std::abort();
    std::memcpy(addr.sun_path, config.connect.c_str(), config.connect.size() + 1);
    if (::bind(listener.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(listener.get(), 1) != 0) {
      std::abort();
    }
    LiveSpan live;
    live.network = variant.node == d::NodeType::kNetwork;
    live.span = std::make_unique<d::Span>(loop_, config, model_, observer_);
    model_.AddSpan({config.span, config.appearance, config.release_timeout_s, config.uui, config.uui_max,
                    d::VariantHasHold(config.switch_variant), config.name},
                   live.span.get());
    if (!live.span->Start().ok()) std::abort();
    live.far_end.Reset(::accept4(listener.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!live.far_end.valid()) std::abort();
    ::unlink(config.connect.c_str());
    Pump(live);
    return live;
  }

  // The client holds the owner line of every span.
  void OpenLines() {
    for (int v = 0; v < DchannelInput::kVariants; ++v) {
      if (!model_.OpenLine(kClient, v + 1, d::Privilege::kOwner).ok()) std::abort();
    }
  }

  static void Send(LiveSpan& live, std::span<const std::uint8_t> frame) {
    if (::send(live.far_end.get(), frame.data(), frame.size(), MSG_DONTWAIT | MSG_NOSIGNAL) < 0) std::abort();
  }

  // Lets the loop hand what waits to the span (its io watcher, expired
  // timers), then reads what the span sent back.
  void Pump(LiveSpan& live) {
    loop_.run(ev::NOWAIT);
    std::uint8_t buffer[1100];
    while (::recv(live.far_end.get(), buffer, sizeof(buffer), MSG_DONTWAIT) > 0) {
    }
  }

  d::CallId PickCall(std::uint8_t arg) const {
    if (events_.calls.empty()) return arg;
    return events_.calls[arg % events_.calls.size()];
  }

  static std::optional<prid::q931::UserUser> Uui(std::uint8_t arg) {
    if (arg % 4 == 0) return std::nullopt;
    prid::q931::UserUser uui;
    uui.pd = static_cast<std::uint8_t>(arg % 8);
    uui.info.assign(static_cast<std::size_t>(arg % 32), static_cast<std::uint8_t>('a' + arg % 26));
    return uui;
  }

  void Act(LiveSpan& live, int span, DchannelAction action, std::uint8_t arg) {
    const d::CallId call = PickCall(arg);
    switch (action) {
      case DchannelAction::kAnswer: (void)model_.Answer(kClient, call, Uui(arg), (arg & 0x80) != 0); break;
      case DchannelAction::kAlert: (void)model_.Alert(kClient, call, (arg & 1) != 0); break;
      case DchannelAction::kDrop:
        (void)model_.Drop(kClient, call,
                          arg & 0x80 ? std::nullopt : std::optional<std::uint8_t>(arg & 0x7f), Uui(arg));
        break;
      case DchannelAction::kMake: {
        d::MakeCallRequest request;
        request.span = span;
        request.parties.called = {std::to_string(1000 + arg), static_cast<std::uint8_t>(arg % 7),
                                  static_cast<std::uint8_t>(arg % 10), 0, 0};
        if (arg & 1) request.parties.calling = prid::q931::Party{"2000", 0, 0, static_cast<std::uint8_t>(arg % 3), 0};
        request.bearer = static_cast<d::Bearer>(arg % 3);
        request.channel = arg % 4 == 0 ? static_cast<int>(arg / 4) % 32 : 0;
        request.uui = Uui(arg);
        if (auto made = model_.Make(kClient, request); made.ok()) events_.calls.push_back(*made);
        break;
      }
      case DchannelAction::kHold: (void)model_.Hold(kClient, call); break;
      case DchannelAction::kUnhold: (void)model_.Unhold(kClient, call); break;
      case DchannelAction::kRestart: (void)live.span->Restart(arg % 32); break;
      case DchannelAction::kService: (void)live.span->SetService(arg % 32, (arg & 0x80) != 0); break;
      case DchannelAction::kRunTimers: live.span->link().RunTimers(); break;
      case DchannelAction::kDeallocate: (void)model_.Deallocate(kClient, call); break;
      case DchannelAction::kClientGone:
        model_.ClientGone(kClient);
        OpenLines();
        break;
      case DchannelAction::kCount: break;
    }
  }

  NullLog log_;
  ev::dynamic_loop loop_;
  d::EvTimerFactory timers_;
  Events events_;
  d::SessionModel model_;
  Observer observer_;
  std::string dir_;
  std::vector<LiveSpan> spans_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Harness* harness = new Harness();  // lives for the process, as the daemon's spans
  harness->Run(std::span(data, size));
  return 0;
}
