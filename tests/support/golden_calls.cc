// The golden calls: cases, the drop each must show, and their recording.
#include "tests/support/golden_calls.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <set>

#include "base/hex.h"
#include "q931/frame.h"
#include "q931/message.h"
#include "q931/names.h"
#include "tests/support/api_client.h"
#include "tests/support/wire.h"

namespace prid::testing {
namespace {

using nlohmann::json;
using q931::FrameDirection;
namespace msg = q931::msg;

constexpr std::uint8_t kCauseNormal = 16;
constexpr std::uint8_t kCauseBusy = 17;
constexpr std::uint8_t kCauseRejected = 21;

// Distinctive UUI per drop, so that each file proves its bytes: NULs,
// 0xff, and protocol discriminators other than IA5.
q931::UserUser Bytes(std::uint8_t pd, std::string_view bytes) {
  return q931::UserUser{pd, std::vector<std::uint8_t>(bytes.begin(), bytes.end())};
}
const q931::UserUser kRejectUui = Bytes(0x00, std::string_view("\x00rej\xff\x00", 6));
const q931::UserUser kRejectAlertingUui = Bytes(0x04, "not now, ringing");
const q931::UserUser kLocalDropUui = Bytes(0x07, std::string_view("\x01\x00local\x00\xfe", 9));
const q931::UserUser kFarDropUui = Bytes(0x04, "far end hangs up");
const q931::UserUser kReleaseUui = Bytes(0x00, std::string_view("rel\x00\x80", 5));
const q931::UserUser kIncomingDropUui = Bytes(0x04, "answered, now done");
const q931::UserUser kBusyUui = Bytes(0x00, std::string_view("\x00" "busy", 5));
const q931::UserUser kOverlapDropUui = Bytes(0x04, std::string_view("dialled\x00in two", 14));

const char kCalled[] = "5551000";
const char kCalling[] = "5552000";
// Overlap: the SETUP carries the first digits, INFORMATION the rest.
const char kCalledFirst[] = "555";
const char kCalledRest[] = "1000";
const char kRedirectTo[] = "5553000";

json UuiJson(const q931::UserUser& u) { return {{"hex", base::ToHex(u.info)}, {"pd", u.pd}}; }

// Runs the API steps of one case, keeping the first failure: every later
// step is skipped once one failed.
class Steps {
 public:
  Steps(ApiClient& client, const DaemonThread& daemons) : client_(client), daemons_(daemons) {}

  json Call(const std::string& method, json params) {
    if (!error_.empty()) return json();
    auto r = client_.Call(method, params);
    if (!r.ok()) Fail(fmt::format("{} {}: {}: {}", method, params.dump(), r.error().name, r.error().message));
    return r.ok() ? *r : json();
  }
  std::uint64_t WaitNew() {
    if (!error_.empty()) return 0;
    auto e = client_.WaitNew();
    if (!e) Fail("no call.new");
    return e ? (*e)["call"].get<std::uint64_t>() : 0;
  }
  void WaitState(std::uint64_t call, const std::string& state) {
    if (error_.empty() && !client_.WaitState(call, state)) Fail(fmt::format("call {} never reached {}", call, state));
  }
  // Waits for both calls' call.state idle, in whichever order they come
  // (waiting for one consumes the events before it).
  void WaitBothIdle(std::uint64_t a, std::uint64_t b) {
    std::set<std::uint64_t> left{a, b};
    while (error_.empty() && !left.empty()) {
      auto e = client_.WaitEvent([&](const json& e) {
        return e.value("type", "") == "call.state" && e.value("state", "") == "idle" &&
               left.contains(e.value("call", 0ull));
      });
      if (!e) Fail(fmt::format("calls {} and {} did not both go idle", a, b));
      if (e) left.erase((*e)["call"].get<std::uint64_t>());
    }
  }
  // Waits until the span sent or received `count` messages of `type`.
  void WaitWire(FrameDirection direction, std::uint8_t type, std::size_t count = 1) {
    if (!error_.empty()) return;
    bool seen = daemons_.WaitFrames(
        [&](const std::vector<CapturedFrame>& frames) {
          return Find(Q931Messages(frames, 0, 1), direction, type).size() >= count;
        },
        kWaitMs);
    if (!seen) {
      Fail(fmt::format("no {} {} on the wire", direction == FrameDirection::kSent ? "sent" : "received",
                       q931::MessageName(q931::kPdQ931, type)));
    }
  }
  // Waits until the far end's Q.921 acknowledged the last `type` prid sent:
  // libpri hands an I frame to its Q.931 before it acknowledges it, so the
  // far end has then acted on the message (what it does next is ordered).
  void WaitAcknowledged(std::uint8_t type) {
    if (!error_.empty()) return;
    bool acknowledged = daemons_.WaitFrames(
        [&](const std::vector<CapturedFrame>& frames) {
          std::optional<std::uint8_t> ns;
          for (const CapturedFrame& f : frames) {
            if (f.daemon != 0 || f.span != 1) continue;
            auto d = q931::DecodeFrame(f.bytes);
            if (!d.ok()) continue;
            const q931::LapdHeader& h = d->lapd;
            if (f.direction == FrameDirection::kSent && d->q931 && d->q931->message_type == type) {
              ns = h.ns;
            } else if (ns && f.direction == FrameDirection::kReceived && h.format != q931::LapdFormat::kUnnumbered &&
                       ((h.nr - *ns + 128) % 128) >= 1 && ((h.nr - *ns + 128) % 128) < 64) {
              return true;
            }
          }
          return false;
        },
        kWaitMs);
    if (!acknowledged) Fail(fmt::format("the far end never acknowledged {}", q931::MessageName(q931::kPdQ931, type)));
  }
  std::uint64_t MakeCall() { return Call("call.make", {{"number", kCalled}, {"calling", kCalling}})["call"]; }
  std::uint64_t MakeOverlapCall() {
    return Call("call.make", {{"number", kCalledFirst}, {"calling", kCalling}, {"overlap", true}})["call"];
  }
  std::uint64_t IncomingCall() {
    Call("sim.call", {{"span", 1}, {"number", kCalled}, {"calling", kCalling}});
    return WaitNew();
  }

  const std::string& error() const { return error_; }

 private:
  void Fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
  }
  ApiClient& client_;
  const DaemonThread& daemons_;
  std::string error_;
};

void RunPath(DropPath path, Steps& s) {
  switch (path) {
    case DropPath::kReject: {
      const auto call = s.IncomingCall();
      s.Call("call.drop", {{"call", call}, {"uui", UuiJson(kRejectUui)}});
      s.WaitState(call, "idle");
      s.WaitWire(FrameDirection::kSent, msg::kReleaseComplete);
      break;
    }
    case DropPath::kRejectAlerting: {
      const auto call = s.IncomingCall();
      s.Call("call.alert", {{"call", call}});
      s.WaitState(call, "accepted");
      s.WaitWire(FrameDirection::kSent, msg::kAlerting);
      s.Call("call.drop", {{"call", call}, {"uui", UuiJson(kRejectAlertingUui)}});
      s.WaitState(call, "idle");
      s.WaitWire(FrameDirection::kSent, msg::kReleaseComplete);
      break;
    }
    case DropPath::kLocalDrop: {
      const auto call = s.MakeCall();
      s.WaitState(call, "connected");
      s.WaitWire(FrameDirection::kSent, msg::kConnectAcknowledge);
      s.Call("call.drop", {{"call", call}, {"cause", kCauseNormal}, {"uui", UuiJson(kLocalDropUui)}});
      s.WaitState(call, "idle");
      s.WaitWire(FrameDirection::kSent, msg::kReleaseComplete);
      break;
    }
    case DropPath::kRemoteDrop: {
      const auto call = s.MakeCall();
      s.WaitState(call, "connected");
      // Else the far end's DISCONNECT may cross prid's CONNECT ACKNOWLEDGE.
      s.WaitAcknowledged(msg::kConnectAcknowledge);
      s.Call("sim.drop", {{"call", call}, {"cause", kCauseNormal}, {"uui", UuiJson(kFarDropUui)}});
      s.WaitState(call, "disconnected");
      s.Call("call.drop", {{"call", call}, {"uui", UuiJson(kReleaseUui)}});
      s.WaitState(call, "idle");
      s.WaitWire(FrameDirection::kReceived, msg::kReleaseComplete);
      break;
    }
    case DropPath::kIncomingLocalDrop: {
      const auto call = s.IncomingCall();
      s.Call("call.answer", {{"call", call}});
      s.WaitState(call, "connected");
      s.WaitWire(FrameDirection::kReceived, msg::kConnectAcknowledge);
      s.Call("call.drop", {{"call", call}, {"cause", kCauseNormal}, {"uui", UuiJson(kIncomingDropUui)}});
      s.WaitState(call, "idle");
      s.WaitWire(FrameDirection::kSent, msg::kReleaseComplete);
      break;
    }
    case DropPath::kBusy: {
      s.Call("sim.policy", {{"span", 1}, {"on_setup", "busy"}, {"uui", UuiJson(kBusyUui)}});
      const auto call = s.MakeCall();
      s.WaitState(call, "disconnected");
      s.Call("call.drop", {{"call", call}});
      s.WaitState(call, "idle");
      s.WaitWire(FrameDirection::kReceived, msg::kReleaseComplete);
      break;
    }
    case DropPath::kOverlap: {
      s.Call("sim.policy", {{"span", 1}, {"on_setup", "answer"}, {"overlap", true}});
      const auto call = s.MakeOverlapCall();
      s.WaitWire(FrameDirection::kReceived, msg::kSetupAcknowledge);
      s.Call("call.dial", {{"call", call}, {"digits", kCalledRest}, {"complete", true}});
      s.WaitState(call, "connected");
      s.WaitWire(FrameDirection::kSent, msg::kConnectAcknowledge);
      s.Call("call.drop", {{"call", call}, {"cause", kCauseNormal}, {"uui", UuiJson(kOverlapDropUui)}});
      s.WaitState(call, "idle");
      s.WaitWire(FrameDirection::kSent, msg::kReleaseComplete);
      break;
    }
    case DropPath::kRedirect: {
      const auto call = s.IncomingCall();
      s.Call("call.alert", {{"call", call}});
      s.WaitState(call, "accepted");
      s.WaitWire(FrameDirection::kSent, msg::kAlerting);
      s.Call("call.redirect", {{"call", call}, {"number", kRedirectTo}, {"reason", "no_reply"}});
      s.WaitState(call, "idle");
      s.WaitWire(FrameDirection::kReceived, msg::kReleaseComplete);
      break;
    }
    case DropPath::kTransfer: {
      const auto first = s.MakeCall();
      s.WaitState(first, "connected");
      s.WaitWire(FrameDirection::kSent, msg::kConnectAcknowledge);
      const auto second = s.MakeCall();
      s.WaitState(second, "connected");
      s.WaitWire(FrameDirection::kSent, msg::kConnectAcknowledge, 2);
      s.Call("call.transfer", {{"call", first}, {"to_call", second}});
      s.WaitBothIdle(first, second);
      s.WaitWire(FrameDirection::kReceived, msg::kReleaseComplete, 2);
      break;
    }
  }
}

bool VariantHasPath(daemon::SwitchVariant v, DropPath p) {
  using V = daemon::SwitchVariant;
  switch (p) {
    case DropPath::kOverlap:
    case DropPath::kRedirect:
      return v == V::kEuroIsdnE1 || v == V::kEuroIsdnT1 || v == V::kQsig;
    case DropPath::kTransfer:
      return v == V::kEuroIsdnE1 || v == V::kEuroIsdnT1;
    default:
      return true;
  }
}

}  // namespace

std::string DropPathName(DropPath path) {
  switch (path) {
    case DropPath::kReject: return "reject";
    case DropPath::kRejectAlerting: return "reject-alerting";
    case DropPath::kLocalDrop: return "local-drop";
    case DropPath::kRemoteDrop: return "remote-drop";
    case DropPath::kIncomingLocalDrop: return "incoming-local-drop";
    case DropPath::kBusy: return "busy";
    case DropPath::kOverlap: return "overlap";
    case DropPath::kRedirect: return "redirect";
    case DropPath::kTransfer: return "transfer";
  }
  return "?";
}

std::string GoldenCase::Name() const {
  return fmt::format("{}/{}", daemon::SwitchVariantName(variant), DropPathName(path));
}

std::string GoldenCase::RelativePath() const { return Name() + ".pcap"; }

std::vector<GoldenCase> GoldenCases() {
  using V = daemon::SwitchVariant;
  std::vector<GoldenCase> cases;
  for (V v : {V::kNi2, V::kDms100, V::k5ess, V::k4ess, V::kEuroIsdnE1, V::kEuroIsdnT1, V::kNi1, V::kQsig}) {
    for (DropPath p : {DropPath::kReject, DropPath::kRejectAlerting, DropPath::kLocalDrop, DropPath::kRemoteDrop,
                       DropPath::kIncomingLocalDrop, DropPath::kBusy, DropPath::kOverlap, DropPath::kRedirect,
                       DropPath::kTransfer}) {
      if (VariantHasPath(v, p)) cases.push_back({v, p});
    }
  }
  return cases;
}

std::vector<ExpectedMessage> ExpectedDrop(DropPath path) {
  constexpr bool kNetwork = true;
  constexpr bool kUser = false;
  switch (path) {
    case DropPath::kReject:
      return {{kUser, msg::kReleaseComplete, kCauseRejected, kRejectUui}};
    case DropPath::kRejectAlerting:
      return {{kUser, msg::kDisconnect, kCauseRejected, kRejectAlertingUui}};
    case DropPath::kLocalDrop:
      return {{kUser, msg::kDisconnect, kCauseNormal, kLocalDropUui}};
    case DropPath::kRemoteDrop:
      return {{kNetwork, msg::kDisconnect, kCauseNormal, kFarDropUui},
              {kUser, msg::kRelease, kCauseNormal, kReleaseUui}};
    case DropPath::kIncomingLocalDrop:
      return {{kUser, msg::kDisconnect, kCauseNormal, kIncomingDropUui}};
    case DropPath::kBusy:
      return {{kNetwork, msg::kDisconnect, kCauseBusy, kBusyUui}};
    case DropPath::kOverlap:
      return {{kUser, msg::kInformation, std::nullopt, std::nullopt},
              {kUser, msg::kDisconnect, kCauseNormal, kOverlapDropUui}};
    case DropPath::kRedirect:
      return {{kUser, msg::kFacility, std::nullopt, std::nullopt},
              {kNetwork, msg::kDisconnect, kCauseNormal, std::nullopt}};
    case DropPath::kTransfer:
      return {{kUser, msg::kFacility, std::nullopt, std::nullopt},
              {kNetwork, msg::kDisconnect, kCauseNormal, std::nullopt},
              {kNetwork, msg::kDisconnect, kCauseNormal, std::nullopt}};
  }
  return {};
}

base::Result<std::vector<CapturedFrame>> RecordGoldenCall(const GoldenCase& c, const std::string& scratch_dir) {
  const std::string socket = scratch_dir + "/prid.sock";
  DaemonThread daemons({ConfigWith(socket, {SimSpan(1, daemon::NodeType::kCpe, c.variant)})});
  if (!daemons.started()) {
    return base::MakeUnexpected(fmt::format("{}: prid did not start: {}", c.Name(), daemons.error()));
  }
  ApiClient client(socket);
  if (!client.connected()) return base::MakeUnexpected(fmt::format("{}: {}", c.Name(), client.connect_error()));
  {
    ApiClient watcher(socket);
    auto subscribed = watcher.Call("events.subscribe", {{"since", 0}, {"span", 1}});
    if (!subscribed.ok() ||
        !watcher.WaitEvent([](const json& e) { return e["type"] == "span.state" && e["state"] == "up"; })) {
      return base::MakeUnexpected(fmt::format("{}: span 1 never came up", c.Name()));
    }
  }
  Steps steps(client, daemons);
  steps.Call("line.open", {{"span", 1}});
  RunPath(c.path, steps);
  if (!steps.error().empty()) return base::MakeUnexpected(fmt::format("{}: {}", c.Name(), steps.error()));
  std::vector<CapturedFrame> frames;
  for (CapturedFrame& f : daemons.Frames()) {
    if (f.daemon == 0 && f.span == 1) frames.push_back(std::move(f));
  }
  return frames;
}

std::string DescribeGoldenFlow(const GoldenCase& c, const std::vector<q931::FlowMessage>& flow) {
  std::string out = c.RelativePath() + "\n";
  for (const q931::FlowMessage& m : flow) out += "  " + q931::DescribeFlowMessage(m) + "\n";
  return out;
}

bool WriteGoldenPcap(const std::string& path, const std::vector<CapturedFrame>& frames) {
  return WritePcap(path, frames, 0, 1, /*network_side=*/false);
}

}  // namespace prid::testing
