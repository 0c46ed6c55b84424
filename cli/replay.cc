// The trace replayer: far end on the D-channel, application on the socket.
#include "cli/replay.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <string>
#include <vector>

#include "base/hex.h"
#include "cli/outcome.h"
#include "cli/paged_call.h"
#include "cli/replay_link.h"
#include "cli/replay_plan.h"
#include "cli/trace_input.h"
#include "q931/call_flow.h"
#include "q931/ie.h"
#include "q931/lapd_peer.h"
#include "q931/names.h"
#include "q931/rose.h"

namespace prid::cli {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

// After the last step, how long prid may still send something the capture
// does not hold before the replay ends.
constexpr std::chrono::milliseconds kSettle{250};
// How long the data link may take to come up: libpri answers our SABME but
// waits for the UA to its own, which it repeats every T200 (1 s).
constexpr std::chrono::seconds kLinkUp{10};
// Progress descriptions (Q.931 4.5.23) the API can ask for: call.alert's
// inband, call.answer's non_isdn.
constexpr std::uint8_t kProgressNonIsdn = 2;
constexpr std::uint8_t kProgressInband = 8;
// Slices in which waits alternate between the socket API and the D-channel.
constexpr int kSliceMs = 20;

// The API's bearer for the capture's Bearer capability (Q.931 4.5.5,
// information transfer capability).
std::optional<std::string> BearerOf(const q931::Message& m) {
  const q931::InformationElement* bc = q931::FindIe(m, q931::ie::kBearerCapability);
  if (bc == nullptr || bc->contents.empty()) return std::nullopt;
  switch (bc->contents[0] & 0x1f) {
    case 0x00: return "speech";
    case 0x10: return "3.1khz";
    case 0x08: return "digital";
    default: return std::nullopt;
  }
}

// The channel a RESTART names, if it names one (Channel identification).
std::optional<int> RestartChannel(const q931::Message& m) {
  const q931::InformationElement* ci = q931::FindIe(m, q931::ie::kChannelIdentification);
  if (ci == nullptr) return std::nullopt;
  auto decoded = q931::DecodeChannelId(ci->contents);
  if (!decoded || decoded->slot_map || decoded->channels.size() != 1) return std::nullopt;
  return decoded->channels[0];
}

// The Facility IEs' contents of a message.
std::vector<std::vector<std::uint8_t>> FacilitiesOf(const q931::Message& m) {
  std::vector<std::vector<std::uint8_t>> out;
  for (const q931::InformationElement& e : m.ies) {
    if (e.codeset == 0 && !e.single_octet && e.id == q931::ie::kFacility) out.push_back(e.contents);
  }
  return out;
}

bool IsClearing(std::uint8_t type) {
  return type == q931::msg::kDisconnect || type == q931::msg::kRelease ||
         type == q931::msg::kReleaseComplete;
}

class Replayer {
 public:
  Replayer(Connection& api, std::ostream& out, std::ostream& err, const Command& command)
      : api_(api), out_(out), err_(err), command_(command),
        timeout_ms_(static_cast<int>(command.timeout.count())) {}

  int Run();

 private:
  struct LiveCall {
    std::optional<std::int64_t> id;      // prid's call id
    std::optional<std::uint32_t> cref;   // the call reference value on the live link
    std::optional<int> channel;          // the B-channel the call has
    bool channel_named = false;          // prid named `channel` in a message already
    bool proceeding_seen = false;        // prid sent CALL PROCEEDING for it
    bool clearing = false;               // a DISCONNECT or RELEASE went either way
    bool left_out = false;               // from here on not replayed (skipped, or an API refusal)
  };
  struct Received {
    std::optional<q931::Message> message;
    std::string error;  // when the frame's Q.931 does not decode
  };

  Outcome FindSpan();
  Outcome Call(const std::string& method, json params, json* result = nullptr);
  Outcome BringLinkUp();
  base::Status Pump(int timeout_ms);
  void Note(const json& notification);
  void DrainNotifications();
  bool WaitUntil(const std::function<bool()>& done, int timeout_ms);
  bool PumpLinkUntil(Clock::time_point deadline, const std::function<bool()>& done);
  std::optional<Received> NextReceived(int timeout_ms);
  // The next message prid sent that answers `step`: what it says on calls
  // left out, and a CALL PROCEEDING the capture leaves out, are passed over.
  std::optional<Received> NextForStep(const ReplayStep& step);

  void PlayFarEnd(const ReplayStep& step);
  void ExpectNearEnd(const ReplayStep& step);
  void AwaitAcknowledgement();
  Outcome Act(const ReplayStep& step);
  Outcome CallId(int call, std::int64_t* id);
  int CallOfReceived(const q931::Message& m, const ReplayStep& step);
  void Row(char mark, const ReplayStep& step, const std::string& seen);
  void Differ(const ReplayStep& step, const std::string& what);
  void CheckTrailing();
  void CleanUp();
  // An API refusal on `step`'s call: one difference, and the call's later
  // steps are not replayed (they would all differ).
  void Abandon(const ReplayStep& step, const std::string& why);
  // The step's call is not replayed from here on (the plan's skip, or an
  // earlier API refusal).
  bool LeftOut(const ReplayStep& step) {
    if (step.call == 0) return false;
    LiveCall& live = calls_[step.call];
    live.left_out = live.left_out || step.skipped;
    return live.left_out;
  }
  // The channel the captured message names when prid must take it instead
  // of the call's own (call.proceed, call.alert, call.answer `channel`).
  std::optional<int> OtherChannel(const ReplayStep& step);
  void SendAsFarEnd(q931::Message m);

  Connection& api_;
  std::ostream& out_;
  std::ostream& err_;
  const Command& command_;
  int timeout_ms_;

  int span_ = 0;
  bool near_is_network_ = false;
  std::string link_path_;
  std::optional<ReplayLink> link_;
  std::optional<q931::LapdPeer> lapd_;
  ReplayPlan plan_;
  std::size_t step_number_ = 0;
  std::set<const ReplayStep*> acted_;            // near-end steps whose action was done

  std::map<int, LiveCall> calls_;                // by the capture's call number
  // The capture's ROSE invoke ids of prid's invokes → the ids prid used
  // (libpri numbers them per link): the far end answers with these.
  std::map<int, int> invoke_ids_;
  std::deque<std::int64_t> offered_;             // call.new ids not yet matched
  std::map<std::int64_t, std::string> states_;   // last call.state per call id
  std::deque<Received> received_;               // Q.931 from prid, not yet matched
  std::vector<std::string> differences_;
  std::vector<std::string> not_replayed_;        // one line per call left out
  std::vector<std::string> link_problems_;
  std::string table_;
};

Outcome Replayer::Call(const std::string& method, json params, json* result) {
  auto reply = CallEveryPage(api_, method, params);  // every page of a list
  if (!reply) {
    const ipc::RpcError& e = reply.error();
    return Outcome::Fail(kExitError, fmt::format("{} {}: {}: {}", method, params.dump(),
                                                 e.name, e.message));
  }
  if (result != nullptr) *result = std::move(*reply);
  DrainNotifications();
  return Outcome::Ok();
}

Outcome Replayer::FindSpan() {
  json spans;
  if (Outcome o = Call("span.list", json::object(), &spans); !o.ok()) return o;
  const json* chosen = nullptr;
  std::vector<int> listening;
  for (const json& s : spans) {
    if (s.contains("listen")) listening.push_back(s["span"].get<int>());
    if (command_.trace_span && s["span"] == *command_.trace_span) chosen = &s;
  }
  if (command_.trace_span && chosen == nullptr) {
    return Outcome::Fail(kExitUsage, fmt::format("prid has no span {}", *command_.trace_span));
  }
  if (chosen == nullptr) {
    if (listening.size() != 1) {
      return Outcome::Fail(
          kExitUsage,
          listening.empty()
              ? std::string("no span of prid listens for a far end (a sim span with listen = \"PATH\")")
              : fmt::format("spans {} listen for a far end: say which with --span",
                            fmt::join(listening, ", ")));
    }
    for (const json& s : spans) {
      if (s["span"] == listening[0]) chosen = &s;
    }
  }
  span_ = (*chosen)["span"].get<int>();
  const std::string node = (*chosen)["node"].get<std::string>();
  near_is_network_ = node == "network";
  if (command_.replay_side && *command_.replay_side != node) {
    return Outcome::Fail(kExitUsage,
                         fmt::format("span {} is a {} span: prid cannot play the {} side on it",
                                     span_, node, *command_.replay_side));
  }
  link_path_ = command_.replay_link;
  if (link_path_.empty()) {
    if (!chosen->contains("listen")) {
      return Outcome::Fail(kExitUsage,
                           fmt::format("span {} does not listen for a far end (no listen = \"PATH\"); "
                                       "give the link with --link",
                                       span_));
    }
    link_path_ = (*chosen)["listen"].get<std::string>();
  }
  return Outcome::Ok();
}

void Replayer::Note(const json& n) {
  if (n.value("method", "") != "event" || !n.contains("params")) return;
  const json& p = n["params"];
  const std::string type = p.value("type", "");
  if (type == "call.new" && p.value("span", 0) == span_ && p.contains("call")) {
    offered_.push_back(p["call"].get<std::int64_t>());
  } else if (type == "call.state" && p.contains("call") && p.contains("state")) {
    states_[p["call"].get<std::int64_t>()] = p["state"].get<std::string>();
  }
}

void Replayer::DrainNotifications() {
  while (auto n = api_.WaitNotification(0)) Note(*n);
}

base::Status Replayer::Pump(int timeout_ms) {
  auto frame = link_->Receive(timeout_ms);
  while (true) {
    if (!frame) return base::Status::Error(frame.error());
    if (!*frame) return base::Status::Ok();
    q931::LapdPeer::Output out = lapd_->Receive(**frame);
    for (const auto& reply : out.replies) {
      if (auto sent = link_->Send(reply); !sent) return sent;
    }
    for (auto& p : out.problems) link_problems_.push_back(std::move(p));
    for (const auto& payload : out.payloads) {
      auto m = q931::DecodeMessage(payload);
      received_.push_back(m ? Received{std::move(*m), {}}
                            : Received{std::nullopt, fmt::format("{} ({})", m.error(), base::ToHex(payload))});
    }
    frame = link_->Receive(0);
  }
}

bool Replayer::WaitUntil(const std::function<bool()>& done, int timeout_ms) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    DrainNotifications();
    if (done()) return true;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    if (auto pumped = Pump(0); !pumped) {
      link_problems_.push_back(pumped.message());
      return done();
    }
    if (auto n = api_.WaitNotification(static_cast<int>(std::min<long>(left, kSliceMs)))) Note(*n);
    if (api_.closed()) return done();
  }
}

// Reads the link (answering its LAPD) until `done` or the deadline; false
// when the link failed (the problem is recorded in link_problems_).
bool Replayer::PumpLinkUntil(Clock::time_point deadline, const std::function<bool()>& done) {
  while (!done()) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return true;
    if (auto pumped = Pump(static_cast<int>(std::min<long>(left, kSliceMs))); !pumped) {
      link_problems_.push_back(pumped.message());
      return false;
    }
  }
  return true;
}

std::optional<Replayer::Received> Replayer::NextReceived(int timeout_ms) {
  PumpLinkUntil(Clock::now() + std::chrono::milliseconds(timeout_ms), [this] {
    DrainNotifications();
    return !received_.empty();
  });
  if (received_.empty()) return std::nullopt;
  Received r = std::move(received_.front());
  received_.pop_front();
  return r;
}

Outcome Replayer::BringLinkUp() {
  auto link = ReplayLink::Connect(link_path_);
  if (!link) return Outcome::Fail(kExitUsage, link.error());
  link_.emplace(std::move(*link));
  lapd_.emplace(/*network_side=*/!near_is_network_);
  // libpri sends its own SABME every T200 too; whichever comes first, the
  // span is up once prid says so.
  if (auto sent = link_->Send(lapd_->Sabme()); !sent) return Outcome::Fail(kExitUsage, sent.message());
  Outcome asked = Outcome::Ok();
  bool up = false;
  auto span_up = [&] {
    if (!lapd_->established()) return false;
    json spans;
    // Only this span: the page of one after the one below it.
    if (asked = Call("span.list", json{{"after", span_ - 1}, {"limit", 1}}, &spans); !asked.ok()) return true;
    for (const json& s : spans) up = up || (s["span"] == span_ && s.value("dchannel_state", "") == "up");
    return up;
  };
  if (!PumpLinkUntil(Clock::now() + kLinkUp, span_up)) return Outcome::Fail(kExitUsage, link_problems_.back());
  if (!asked.ok()) return asked;
  if (up) return Outcome::Ok();
  return Outcome::Fail(kExitUsage, fmt::format("span {}: the D-channel did not come up within {} s",
                                               span_, kLinkUp.count()));
}

void Replayer::Row(char mark, const ReplayStep& step, const std::string& seen) {
  std::string expected = q931::DescribeFlowMessage(step.expected);
  if (step.action != NearAction::kNone) expected += fmt::format(" [{}]", NearActionMethod(step.action));
  table_ += fmt::format("{} {:3} {:<4} {:<70} | {}\n", mark, step_number_,
                        step.by_far_end ? "far" : "near", expected, seen);
}

void Replayer::Differ(const ReplayStep& step, const std::string& what) {
  differences_.push_back(fmt::format("message {} ({}): {}", step_number_, step.source, what));
}

void Replayer::SendAsFarEnd(q931::Message m) {
  const auto bytes = q931::EncodeMessage(m);
  if (auto sent = link_->Send(lapd_->Information(bytes)); !sent) {
    link_problems_.push_back(sent.message());
  }
}

void Replayer::PlayFarEnd(const ReplayStep& step) {
  if (LeftOut(step)) {
    Row('-', step, "(not replayed)");
    return;
  }
  q931::Message m = step.message;
  for (q931::InformationElement& e : m.ies) {
    if (e.codeset == 0 && !e.single_octet && e.id == q931::ie::kFacility) {
      e.contents = q931::WithAnsweredInvokeIds(e.contents, invoke_ids_);
    }
  }
  if (step.call != 0) {
    LiveCall& live = calls_[step.call];
    // Calls the far end places keep the capture's value; the near end's
    // calls get the value prid chose.
    if (!live.cref) live.cref = m.call_reference.value;
    m.call_reference.value = *live.cref;
    if (!live.channel && step.expected.channel) live.channel = step.expected.channel;
    live.clearing = live.clearing || IsClearing(m.message_type);
  }
  SendAsFarEnd(m);
  q931::FlowMessage sent = q931::FlowMessageOf(m, !near_is_network_);
  sent.call = step.call;
  Row(' ', step, "sent: " + q931::DescribeFlowMessage(sent));
}

Outcome Replayer::CallId(int call, std::int64_t* id) {
  LiveCall& live = calls_[call];
  if (!live.id) {
    // A call the far end placed: prid offers it with call.new.
    if (!WaitUntil([this] { return !offered_.empty(); }, timeout_ms_)) {
      return Outcome::Fail(kExitError, fmt::format("prid offered no call (call.new) for call {} within {} ms",
                                                   call, timeout_ms_));
    }
    live.id = offered_.front();
    offered_.pop_front();
  }
  *id = *live.id;
  return Outcome::Ok();
}

Outcome Replayer::Act(const ReplayStep& step) {
  AwaitAcknowledgement();
  const q931::Message& m = step.message;
  json params = json::object();
  if (auto uui = q931::GetUserUser(m)) params["uui"] = {{"pd", uui->pd}, {"hex", base::ToHex(uui->info)}};
  if (step.action == NearAction::kRestart) {
    json restart = {{"span", span_}};
    if (auto channel = RestartChannel(m)) restart["channel"] = *channel;
    return Call("span.restart", restart);
  }
  if (step.action == NearAction::kMake) {
    if (step.expected.called.empty()) {
      return Outcome::Fail(kExitError, "the captured SETUP has no called party number to dial");
    }
    params["span"] = span_;
    params["number"] = step.expected.called;
    if (!step.expected.calling.empty()) params["calling"] = step.expected.calling;
    if (step.expected.channel) params["channel"] = *step.expected.channel;
    if (auto bearer = BearerOf(m)) params["bearer"] = *bearer;
    if (step.overlap) params["overlap"] = true;
    json result;
    if (Outcome o = Call("call.make", params, &result); !o.ok()) return o;
    calls_[step.call].id = result["call"].get<std::int64_t>();
    return Outcome::Ok();
  }
  std::int64_t id = 0;
  if (Outcome o = CallId(step.call, &id); !o.ok()) return o;
  params["call"] = id;
  const std::optional<int> channel = OtherChannel(step);
  auto taking = [&](const std::string& method) {
    if (channel) params["channel"] = *channel;
    Outcome o = Call(method, params);
    if (o.ok() && channel) calls_[step.call].channel = *channel;
    return o;
  };
  switch (step.action) {
    case NearAction::kProceed:
      params.erase("uui");
      return taking("call.proceed");
    case NearAction::kAlert:
      params.erase("uui");
      params["inband"] = step.expected.progress == kProgressInband;
      return taking("call.alert");
    case NearAction::kProgress: {
      params.erase("uui");
      json progress = json::array();
      for (const q931::InformationElement& e : m.ies) {
        if (e.codeset != 0 || e.id != q931::ie::kProgressIndicator) continue;
        if (auto p = q931::DecodeProgress(e.contents)) progress.push_back(p->description);
      }
      params["progress"] = progress;
      if (auto cause = q931::GetCauseValue(m)) params["cause"] = *cause;
      return Call("call.progress", params);
    }
    case NearAction::kAnswer:
      if (step.expected.progress == kProgressNonIsdn) params["non_isdn"] = true;
      return taking("call.answer");
    case NearAction::kDial: {
      params.erase("uui");
      if (!step.expected.called.empty()) {
        params["digits"] = step.expected.called;
        params["complete"] = std::any_of(m.ies.begin(), m.ies.end(), [](const q931::InformationElement& e) {
          return e.codeset == 0 && e.single_octet && e.id == q931::ie::kSendingComplete;
        });
      } else if (const q931::InformationElement* keypad = q931::FindIe(m, q931::ie::kKeypadFacility)) {
        params["digits"] = std::string(keypad->contents.begin(), keypad->contents.end());
      }
      return Call("call.dial", params);
    }
    case NearAction::kRedirect: {
      auto redirect = RedirectParams(m);
      if (!redirect) return Outcome::Fail(kExitError, "the captured rerouting invoke names no number to redirect to");
      (*redirect)["call"] = id;
      return Call("call.redirect", *redirect);
    }
    case NearAction::kTransfer: {
      std::int64_t to = 0;
      if (Outcome o = CallId(step.to_call, &to); !o.ok()) return o;
      return Call("call.transfer", {{"call", id}, {"to_call", to}});
    }
    case NearAction::kDrop:
      if (step.after_remote_disconnect &&
          !WaitUntil([this, id] { return states_[id] == "disconnected"; }, timeout_ms_)) {
        return Outcome::Fail(kExitError, fmt::format("prid did not report call {} disconnected", id));
      }
      if (auto cause = q931::GetCauseValue(m)) params["cause"] = *cause;
      return Call("call.drop", params);
    default:
      return Outcome::Ok();
  }
}

std::optional<int> Replayer::OtherChannel(const ReplayStep& step) {
  const LiveCall& live = calls_[step.call];
  if (!step.expected.channel || step.expected.channel == live.channel) return std::nullopt;
  return step.expected.channel;
}

void Replayer::Abandon(const ReplayStep& step, const std::string& why) {
  LiveCall& live = calls_[step.call];
  if (live.left_out) return;
  live.left_out = true;
  Differ(step, fmt::format("{}; call {}'s later messages are not replayed", why, step.call));
  not_replayed_.push_back(fmt::format("call {} from {}: {}", step.call, step.source, why));
}

int Replayer::CallOfReceived(const q931::Message& m, const ReplayStep& step) {
  if (m.call_reference.length == 0 || m.call_reference.value == 0) return 0;
  if (m.message_type == q931::msg::kSetup && step.call != 0 && !calls_[step.call].cref) {
    calls_[step.call].cref = m.call_reference.value;  // prid's own call
    return step.call;
  }
  for (const auto& [number, live] : calls_) {
    if (live.cref == m.call_reference.value) return number;
  }
  return -1;
}

void Replayer::AwaitAcknowledgement() {
  // prid's libpri acknowledges an I frame as it takes its Q.931 message in,
  // and prid reacts in the same turn of its loop: once everything we sent is
  // acknowledged, an API request cannot overtake it.
  PumpLinkUntil(Clock::now() + std::chrono::milliseconds(timeout_ms_),
                [this] { return lapd_->unacknowledged() == 0; });
}

std::optional<Replayer::Received> Replayer::NextForStep(const ReplayStep& step) {
  while (true) {
    std::optional<Received> got = NextReceived(timeout_ms_);
    if (!got || !got->message) return got;
    const q931::Message& m = *got->message;
    const int call = CallOfReceived(m, step);
    if (call > 0 && calls_[call].left_out) {
      // A call left out: what prid says on it is not compared.
      table_ += fmt::format("- {:3} {:<4} {:<70} | {}\n", "+", "near", "(call not replayed)",
                            q931::DescribeFlowMessage(q931::FlowMessageOf(m, near_is_network_)));
      continue;
    }
    // Q.931 5.1.2 / 5.2.5.1: CALL PROCEEDING is optional for whichever side
    // answers a SETUP; libpri sends it ahead of an ALERTING. One the
    // capture leaves out is shown and passed over.
    if (call > 0 && call == step.call && m.message_type == q931::msg::kCallProceeding &&
        step.message.message_type != q931::msg::kCallProceeding && !calls_[call].proceeding_seen) {
      calls_[call].proceeding_seen = true;
      q931::FlowMessage seen = q931::FlowMessageOf(m, near_is_network_);
      seen.call = call;
      if (seen.channel) {
        LiveCall& live = calls_[call];
        if (!live.channel) live.channel = seen.channel;
        live.channel_named = live.channel_named || seen.channel == live.channel;
      }
      table_ += fmt::format("  {:3} {:<4} {:<70} | {}\n", "+", "near", "(optional, not in the capture)",
                            q931::DescribeFlowMessage(seen));
      continue;
    }
    return got;
  }
}

void Replayer::ExpectNearEnd(const ReplayStep& step) {
  if (LeftOut(step)) {
    Row('-', step, "(not replayed)");
    return;
  }
  if (step.action != NearAction::kNone && acted_.insert(&step).second) {
    if (Outcome acted = Act(step); !acted.ok()) {
      if (step.call != 0) {
        Row('!', step, "(the API refused it)");
        Abandon(step, acted.message());
        return;
      }
      Differ(step, acted.message());
    }
  }
  std::optional<Received> got = NextForStep(step);
  if (got && got->message && step.optional && got->message->message_type != step.message.message_type) {
    received_.push_front(std::move(*got));  // it answers a later step
    got.reset();
  }
  if (!got) {
    if (step.optional) {
      Row(' ', step, "(left out: optional, Q.931 5.1.2 / 5.2.5.1)");
    } else {
      Row('!', step, "(nothing)");
      Differ(step, fmt::format("missing: {}", q931::DescribeFlowMessage(step.expected)));
    }
    return;
  }
  if (!got->message) {
    Row('!', step, "(a frame that does not decode)");
    Differ(step, "prid sent a Q.931 message that does not decode: " + got->error);
    return;
  }
  const q931::Message& m = *got->message;
  const auto captured = FacilitiesOf(step.message);
  const auto live_facilities = FacilitiesOf(m);
  for (std::size_t i = 0; i < captured.size() && i < live_facilities.size(); ++i) {
    const std::vector<int> from = q931::RoseInvokeIds(captured[i]);
    const std::vector<int> to = q931::RoseInvokeIds(live_facilities[i]);
    for (std::size_t k = 0; k < from.size() && k < to.size(); ++k) invoke_ids_[from[k]] = to[k];
  }
  q931::FlowMessage seen = q931::FlowMessageOf(m, near_is_network_);
  seen.call = CallOfReceived(m, step);
  if (seen.call > 0) {
    LiveCall& live = calls_[seen.call];
    // The channel moves to another message when an optional one is left
    // out (CALL PROCEEDING's goes to ALERTING or CONNECT): repeating the
    // call's own channel is no difference.
    if (!step.expected.channel && seen.channel && seen.channel == live.channel) seen.channel.reset();
    // …and a channel prid named already (in a CALL PROCEEDING the capture
    // leaves out) need not be named again.
    if (step.expected.channel && !seen.channel && live.channel_named && step.expected.channel == live.channel) {
      seen.channel = live.channel;
    }
    if (!live.channel && seen.channel) live.channel = seen.channel;
    if (seen.channel && seen.channel == live.channel) live.channel_named = true;
    if (m.message_type == q931::msg::kCallProceeding) live.proceeding_seen = true;
    // Q.931 5.3: only the first clearing message must carry a cause; one
    // in a later RELEASE or RELEASE COMPLETE the capture has not is none.
    if (live.clearing && !step.expected.cause && m.message_type != q931::msg::kDisconnect) {
      seen.cause.reset();
    }
    live.clearing = live.clearing || IsClearing(m.message_type);
  }
  std::vector<std::string> diffs = q931::CompareFlowMessages(step.expected, seen);
  Row(diffs.empty() ? ' ' : '!', step, q931::DescribeFlowMessage(seen));
  for (const auto& d : diffs) Differ(step, d);
}

void Replayer::CheckTrailing() {
  // Whatever prid still sends within the settling time is reported.
  PumpLinkUntil(Clock::now() + kSettle, [] { return false; });
  for (const Received& r : received_) {
    const std::string what = r.message ? q931::DescribeFlowMessage(q931::FlowMessageOf(
                                             *r.message, near_is_network_))
                                       : "a frame that does not decode: " + r.error;
    table_ += fmt::format("! {:3} {:<4} {:<70} | {}\n", "+", "near", "(not in the capture)", what);
    differences_.push_back("not expected after the capture's last message: " + what);
  }
  received_.clear();
}

void Replayer::CleanUp() {
  // Calls still up when the capture ends are dropped, the replayer
  // playing an ordinary far end, so that prid keeps nothing.
  std::vector<std::int64_t> ids;
  for (const auto& [number, live] : calls_) {
    if (live.id) ids.push_back(*live.id);
  }
  for (std::int64_t id : offered_) ids.push_back(id);
  DrainNotifications();
  for (std::int64_t id : ids) {
    if (states_[id] != "idle") (void)Call("call.drop", {{"call", id}});
  }
  const auto all_idle = [this, &ids] {
    while (!received_.empty()) {
      Received r = std::move(received_.front());
      received_.pop_front();
      if (!r.message) continue;
      q931::Message reply;
      reply.call_reference = r.message->call_reference;
      reply.call_reference.flag = !reply.call_reference.flag;
      if (r.message->message_type == q931::msg::kDisconnect) {
        reply.message_type = q931::msg::kRelease;
      } else if (r.message->message_type == q931::msg::kRelease) {
        reply.message_type = q931::msg::kReleaseComplete;
      } else {
        continue;
      }
      SendAsFarEnd(reply);
    }
    for (std::int64_t id : ids) {
      if (states_[id] != "idle") return false;
    }
    return true;
  };
  if (!WaitUntil(all_idle, timeout_ms_)) {
    err_ << "prictl: replay: some calls did not go idle after the replay\n";
  }
  for (std::int64_t id : ids) (void)Call("call.deallocate", {{"call", id}});
  (void)Call("line.close", {{"span", span_}});
}

int Replayer::Run() {
  auto records = ReadTraceInput(command_.trace_file, err_);
  if (!records) {
    err_ << "prictl: " << records.error() << '\n';
    return kExitUsage;
  }
  if (Outcome o = FindSpan(); !o.ok()) {
    err_ << "prictl: replay: " << o.message() << '\n';
    return o.exit_code();
  }
  auto plan = PlanReplay(*records, near_is_network_);
  if (!plan) {
    err_ << "prictl: replay: " << command_.trace_file << ": " << plan.error() << '\n';
    return kExitUsage;
  }
  plan_ = std::move(*plan);
  if (Outcome o = Call("line.open", {{"span", span_}}); !o.ok()) {
    err_ << "prictl: replay: " << o.message() << '\n';
    return o.exit_code();
  }
  if (Outcome o = BringLinkUp(); !o.ok()) {
    err_ << "prictl: replay: " << o.message() << '\n';
    return o.exit_code();
  }
  const char* near_side = near_is_network_ ? "network" : "user (cpe)";
  out_ << fmt::format("replay of {}: prid plays the {} side on span {}\n", command_.trace_file,
                      near_side, span_);
  table_ += fmt::format("  {:>3} {:<4} {:<70} | {}\n", "#", "by", "capture", "prid");
  for (const ReplayStep& step : plan_.steps) {
    ++step_number_;
    if (step.by_far_end) {
      PlayFarEnd(step);
    } else {
      ExpectNearEnd(step);
    }
  }
  CheckTrailing();
  CleanUp();
  out_ << table_;
  for (const auto& p : link_problems_) out_ << "link: " << p << '\n';
  for (const SkippedCall& s : plan_.skipped) {
    out_ << fmt::format("not replayed: call {} from {}: {}\n", s.call, s.source, s.why);
  }
  for (const auto& d : differences_) out_ << "difference: " << d << '\n';
  out_ << fmt::format("replay: {} message(s), {} difference(s)", plan_.steps.size(), differences_.size());
  if (const std::size_t left_out = plan_.skipped.size() + not_replayed_.size(); left_out > 0) {
    out_ << fmt::format(", {} call(s) not replayed", left_out);
  }
  out_ << '\n';
  return differences_.empty() ? kExitOk : kExitError;
}

}  // namespace

int RunReplay(Connection& api, const Command& command, std::ostream& out, std::ostream& err) {
  return Replayer(api, out, err, command).Run();
}

}  // namespace prid::cli
