// prictl replay against an in-process prid: the captures of ../shared/traces
// and hand-made traces played over a sim span that listens for a far end,
// with prid's side driven through the socket API and compared message by
// message.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

#include "cli/app.h"
#include "cli/client_connection.h"
#include "q931/ie.h"
#include "q931/message.h"
#include "tests/integration/fixture.h"

namespace prid::testing {
namespace {

using nlohmann::json;
using q931::FrameDirection;
namespace msg = q931::msg;

std::string TracesDir() {
  const char* dir = std::getenv("PRID_TRACES_DIR");
  return dir ? dir : "";
}

struct ReplayRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class ReplayTest : public ::testing::Test {
 protected:
  // One sim span (number 1) that listens for the replayer.
  void Start(daemon::NodeType node, daemon::SwitchVariant variant,
             const std::function<void(daemon::SpanConfig&)>& adjust = nullptr) {
    daemon::SpanConfig span = SimSpan(1, node, variant);
    span.peer.clear();
    span.listen = dir_.File("span1.link");
    if (adjust) adjust(span);
    socket_ = dir_.File("prid.sock");
    daemons_ = std::make_unique<DaemonThread>(std::vector{ConfigWith(socket_, {span})});
    ASSERT_TRUE(daemons_->started()) << daemons_->error();
  }

  ReplayRun Replay(std::vector<std::string> args) {
    args.insert(args.begin(), {"--socket", socket_, "replay"});
    std::istringstream in;
    std::ostringstream out, err;
    cli::Environment env{nullptr, cli::ConnectToPrid, {}, {}, {}};
    ReplayRun run;
    run.exit_code = cli::Main(args, in, out, err, env);
    run.out = out.str();
    run.err = err.str();
    return run;
  }

  std::string WriteFile(const std::string& name, const std::string& text) {
    const std::string path = dir_.File(name);
    std::ofstream(path) << text;
    return path;
  }

  // Nothing left on prid after a replay: no call record at all.
  void ExpectNoCallLeft() {
    ApiClient check(socket_);
    ASSERT_TRUE(check.connected());
    EXPECT_EQ(check.Ok("call.list", json::object()).size(), 0u);
  }

  std::size_t Sent(std::uint8_t type) const {
    return Find(Q931Messages(daemons_->Frames(), 0, 1), FrameDirection::kSent, type).size();
  }

  TempDir dir_;
  std::string socket_;
  std::unique_ptr<DaemonThread> daemons_;
};

// Q.931 over Cisco PRI backhaul (TCP 2428): the network calls, the user side
// (prid here) proceeds, alerts, answers, and releases after the network's
// DISCONNECT.
TEST_F(ReplayTest, CiscoBackhaulCaptureReplaysWithoutDifference) {
  Start(daemon::NodeType::kCpe, daemon::SwitchVariant::kNi2);
  ReplayRun run = Replay({TracesDir() + "/pcap/cisco-mgcp-pri-backhaul-call.pcapng"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("replay: 8 message(s), 0 difference(s)"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("[call.drop]"), std::string::npos) << run.out;
  // prid really played its side on the wire.
  EXPECT_EQ(Sent(msg::kCallProceeding), 1u);
  EXPECT_EQ(Sent(msg::kAlerting), 1u);
  EXPECT_EQ(Sent(msg::kConnect), 1u);
  EXPECT_EQ(Sent(msg::kRelease), 1u);
  ExpectNoCallLeft();
}

// The Sangoma capture's pcap header says link type 17 (a wanpipemon bug):
// with the link type fixed to 203 (LINKTYPE_LAPD) it replays. The capture
// ends with the call connected; the replayer clears it afterwards.
TEST_F(ReplayTest, SangomaCaptureReplaysOnceItsLinkTypeIsFixed) {
  Start(daemon::NodeType::kCpe, daemon::SwitchVariant::kNi2);
  std::ifstream in(TracesDir() + "/pcap/sangoma-wanpipe-lapd-trace.dlt17.pcap", std::ios::binary);
  ASSERT_TRUE(in) << "PRID_TRACES_DIR=" << TracesDir();
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 24u);
  ReplayRun refused = Replay({WriteFile("sangoma17.pcap", std::string(bytes.begin(), bytes.end()))});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("unsupported link type 17"), std::string::npos) << refused.err;

  bytes[20] = static_cast<char>(203);  // the little-endian link type field
  ReplayRun run = Replay({WriteFile("sangoma203.pcap", std::string(bytes.begin(), bytes.end()))});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("replay: 4 message(s), 0 difference(s)"), std::string::npos) << run.out;
  EXPECT_EQ(Sent(msg::kConnect), 1u);
  ExpectNoCallLeft();
}

// prid's own pcap format: prid places the call and drops it with UUI.
TEST_F(ReplayTest, ExampleCallPlacedAndDroppedWithUui) {
  Start(daemon::NodeType::kCpe, daemon::SwitchVariant::kEuroIsdnE1);
  ReplayRun run = Replay({TracesDir() + "/examples/linux-lapd-177-call.pcap"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("[call.make]"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("replay: 8 message(s), 0 difference(s)"), std::string::npos) << run.out;
  // The DISCONNECT prid sent carries the capture's UUI, byte for byte.
  auto disconnects = Find(Q931Messages(daemons_->Frames(), 0, 1), FrameDirection::kSent, msg::kDisconnect);
  ASSERT_EQ(disconnects.size(), 1u);
  const auto& uui = disconnects[0].uui;
  ASSERT_TRUE(uui);
  EXPECT_EQ(std::string(uui->info.begin(), uui->info.end()), "hello");
  ExpectNoCallLeft();
}

// The same capture with prid on the network side: the replayer places the
// call as the user.
TEST_F(ReplayTest, PridPlaysTheNetworkSide) {
  Start(daemon::NodeType::kNetwork, daemon::SwitchVariant::kEuroIsdnE1);
  ReplayRun run = Replay({TracesDir() + "/examples/linux-lapd-177-call.pcap", "--side", "network"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("prid plays the network side"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("0 difference(s)"), std::string::npos) << run.out;
  ExpectNoCallLeft();
}

// libpri's `pri set debug` output tells directions, not sides: it is taken
// to be captured on the side prid plays. The far end drops with a UUI of
// protocol discriminator 5 holding a NUL; prid's RELEASE carries the drop's.
constexpr std::string_view kLibpriDebugCall = R"(> Protocol Discriminator: Q.931 (8)  len=21
> TEI=0 Call Ref: len= 2 (reference 1/0x1) (Sent from originator)
> Message Type: SETUP (5)
> [04 03 80 90 a3]
> [18 03 a9 83 81]
> [70 04 80 31 32 33]
< Protocol Discriminator: Q.931 (8)  len=10
< TEI=0 Call Ref: len= 2 (reference 1/0x1) (Sent to originator)
< Message Type: CALL PROCEEDING (2)
< [18 03 a9 83 81]
< Protocol Discriminator: Q.931 (8)  len=5
< TEI=0 Call Ref: len= 2 (reference 1/0x1) (Sent to originator)
< Message Type: ALERTING (1)
< Protocol Discriminator: Q.931 (8)  len=5
< TEI=0 Call Ref: len= 2 (reference 1/0x1) (Sent to originator)
< Message Type: CONNECT (7)
> Protocol Discriminator: Q.931 (8)  len=5
> TEI=0 Call Ref: len= 2 (reference 1/0x1) (Sent from originator)
> Message Type: CONNECT ACKNOWLEDGE (15)
< Protocol Discriminator: Q.931 (8)  len=17
< TEI=0 Call Ref: len= 2 (reference 1/0x1) (Sent to originator)
< Message Type: DISCONNECT (69)
< [08 02 82 90]
< [7e 04 05 00 ff 01]
> Protocol Discriminator: Q.931 (8)  len=13
> TEI=0 Call Ref: len= 2 (reference 1/0x1) (Sent from originator)
> Message Type: RELEASE (77)
> [7e 03 04 6f 6b]
< Protocol Discriminator: Q.931 (8)  len=5
< TEI=0 Call Ref: len= 2 (reference 1/0x1) (Sent to originator)
< Message Type: RELEASE COMPLETE (90)
)";

TEST_F(ReplayTest, LibpriDebugTextReplaysFromTheCapturingSide) {
  Start(daemon::NodeType::kCpe, daemon::SwitchVariant::kEuroIsdnE1);
  ReplayRun run = Replay({WriteFile("debug.txt", std::string(kLibpriDebugCall))});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("replay: 8 message(s), 0 difference(s)"), std::string::npos) << run.out;
  auto releases = Find(Q931Messages(daemons_->Frames(), 0, 1), FrameDirection::kSent, msg::kRelease);
  ASSERT_EQ(releases.size(), 1u);
  ASSERT_TRUE(releases[0].uui);
  EXPECT_EQ(releases[0].uui->pd, 4);
  EXPECT_EQ(std::string(releases[0].uui->info.begin(), releases[0].uui->info.end()), "ok");
  ExpectNoCallLeft();
}

// prid's own capture of two overlapping calls on a span with the built-in
// far end, replayed on another span: each call keeps its call reference
// mapping, its channel, its UUI and its cause.
TEST_F(ReplayTest, PridsOwnCaptureOfTwoOverlappingCallsReplays) {
  daemon::SpanConfig recorded = SimSpan(1);
  daemon::SpanConfig replayed = SimSpan(2);
  replayed.peer.clear();
  replayed.listen = dir_.File("span2.link");
  socket_ = dir_.File("prid.sock");
  daemons_ = std::make_unique<DaemonThread>(std::vector{ConfigWith(socket_, {recorded, replayed})});
  ASSERT_TRUE(daemons_->started()) << daemons_->error();
  ASSERT_TRUE(WaitSpanUp(socket_, 1));
  {
    ApiClient caller(socket_);
    caller.Ok("line.open", {{"span", 1}});
    const json first = caller.Ok("call.make", {{"span", 1}, {"number", "100"}, {"uui", {{"text", "first"}}}});
    ASSERT_TRUE(caller.WaitState(first["call"], "connected"));
    const json second = caller.Ok("call.make", {{"span", 1}, {"number", "200"}});
    ASSERT_TRUE(caller.WaitState(second["call"], "connected"));
    caller.Ok("call.drop", {{"call", first["call"]}, {"uui", {{"hex", "00ff00"}, {"pd", 0}}}});
    caller.Ok("call.drop", {{"call", second["call"]}, {"cause", 17}});
    ASSERT_TRUE(caller.WaitState(first["call"], "idle"));
    ASSERT_TRUE(caller.WaitState(second["call"], "idle"));
  }
  ASSERT_TRUE(WaitWire(*daemons_, 0, 1, FrameDirection::kSent, msg::kReleaseComplete, 2));
  const std::string pcap = dir_.File("two-calls.pcap");
  ASSERT_TRUE(WritePcap(pcap, daemons_->Frames(), 0, 1, /*network_side=*/false));

  ReplayRun run = Replay({pcap, "--span", "2"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("replay: 14 message(s), 0 difference(s)"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("call 2 DISCONNECT cause=17"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("call 1 DISCONNECT cause=16 uui=00:00ff00"), std::string::npos) << run.out;
  ExpectNoCallLeft();
}

// LAPD frames as hex, one a line: network (C/R 1) and user (C/R 0) commands.
std::string NetworkSends(const std::string& q931) { return "02 01 00 00 " + q931 + "\n"; }
std::string UserSends(const std::string& q931) { return "00 01 00 00 " + q931 + "\n"; }

const std::string kSetupChannel1 =  // SETUP cref 1, speech, exclusive B1, called 123
    "08 02 00 01 05 04 03 80 90 a2 18 03 a9 83 81 70 04 80 31 32 33";

const std::string kSetupPreferred1 =  // the same, B1 preferred only
    "08 02 00 01 05 04 03 80 90 a2 18 03 a1 83 81 70 04 80 31 32 33";
const std::string kSetupCall2Channel2 =  // SETUP cref 2, exclusive B2, called 123
    "08 02 00 02 05 04 03 80 90 a2 18 03 a9 83 82 70 04 80 31 32 33";

std::size_t Count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The channel a message names.
std::optional<int> ChannelOf(const q931::Message& m) {
  const q931::InformationElement* ci = q931::FindIe(m, q931::ie::kChannelIdentification);
  if (ci == nullptr) return std::nullopt;
  auto decoded = q931::DecodeChannelId(ci->contents);
  if (!decoded || decoded->channels.size() != 1) return std::nullopt;
  return decoded->channels[0];
}

// The capture's near end answered on channel 5 where the SETUP offered B1
// only as preferred (Q.931 5.2.3.1): call.answer takes channel 5 too.
TEST_F(ReplayTest, AnswerOnTheCapturesOtherChannelOfAPreferredOffer) {
  Start(daemon::NodeType::kCpe, daemon::SwitchVariant::kEuroIsdnE1);
  const std::string trace = WriteFile(
      "other-channel.txt", NetworkSends(kSetupPreferred1) +
                               UserSends("08 02 80 01 07 18 03 a9 83 85") +  // CONNECT, B5
                               NetworkSends("08 02 00 01 0f"));             // CONNECT ACK
  ReplayRun run = Replay({trace});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("replay: 3 message(s), 0 difference(s)"), std::string::npos) << run.out;
  auto connects = Find(Q931Messages(daemons_->Frames(), 0, 1), FrameDirection::kSent, msg::kConnect);
  ASSERT_EQ(connects.size(), 1u);
  EXPECT_EQ(ChannelOf(connects[0].message), 5);
  ExpectNoCallLeft();
}

// The same answer to an exclusive offer: prid refuses the channel, which
// is one difference for the call, not one for every message after it.
TEST_F(ReplayTest, AnswerOnAnotherChannelThanAnExclusiveOfferIsOneDifference) {
  Start(daemon::NodeType::kCpe, daemon::SwitchVariant::kEuroIsdnE1);
  const std::string trace = WriteFile(
      "exclusive.txt", NetworkSends(kSetupChannel1) +
                           UserSends("08 02 80 01 07 18 03 a9 83 85") +  // CONNECT, B5
                           NetworkSends("08 02 00 01 0f") +             // CONNECT ACK
                           NetworkSends("08 02 00 01 45 08 02 80 90") +  // DISCONNECT
                           UserSends("08 02 80 01 4d") +                 // RELEASE
                           NetworkSends("08 02 00 01 5a"));             // RELEASE COMPLETE
  ReplayRun run = Replay({trace});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_NE(run.out.find("InvalidParams: channel 5: call 1's SETUP asked for channel 1 exclusively; call 1's "
                         "later messages are not replayed"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("1 difference(s), 1 call(s) not replayed"), std::string::npos) << run.out;
  EXPECT_EQ(Sent(msg::kConnect), 0u);
  // The replayer still cleared the call it left offered.
  ExpectNoCallLeft();
}

// A message the capture's near end sent and prid never does is missing.
TEST_F(ReplayTest, MissingMessageIsADifference) {
  Start(daemon::NodeType::kCpe, daemon::SwitchVariant::kEuroIsdnE1);
  const std::string trace = WriteFile(
      "missing.txt", NetworkSends(kSetupChannel1) +
                         UserSends("08 02 80 01 07 18 03 a9 83 81") +  // CONNECT
                         NetworkSends("08 02 00 01 0f") +
                         UserSends("08 02 80 01 7d 08 02 80 e2 14 01 0a"));  // STATUS, asked for by nobody
  ReplayRun run = Replay({trace, "--timeout", "0.3"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_NE(run.out.find("missing: U->N call 1 STATUS"), std::string::npos) << run.out;
  ExpectNoCallLeft();
}

// Issue 17: a message no API method makes prid send (INFORMATION) ends the
// replay of its call with one line; the next call replays as usual.
TEST_F(ReplayTest, CallTheApiCannotFinishIsReportedOnceAndTheNextCallReplays) {
  Start(daemon::NodeType::kCpe, daemon::SwitchVariant::kEuroIsdnE1);
  const std::string trace = WriteFile(
      "information.txt", NetworkSends(kSetupChannel1) +
                             UserSends("08 02 80 01 07 18 03 a9 83 81") +  // CONNECT
                             NetworkSends("08 02 00 01 0f") +
                             UserSends("08 02 80 01 6e 27 01 80") +  // NOTIFY, user suspended
                             NetworkSends("08 02 00 01 45 08 02 80 90") + UserSends("08 02 80 01 4d") +
                             NetworkSends("08 02 00 01 5a") +
                             NetworkSends(kSetupCall2Channel2) +
                             UserSends("08 02 80 02 07 18 03 a9 83 82") +  // CONNECT
                             NetworkSends("08 02 00 02 0f"));
  ReplayRun run = Replay({trace});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(Count(run.out, "not replayed: "), 1u) << run.out;
  EXPECT_NE(run.out.find("not replayed: call 1 from line 4: no API method makes prid send NOTIFY"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("replay: 10 message(s), 0 difference(s), 1 call(s) not replayed"), std::string::npos)
      << run.out;
  EXPECT_EQ(Sent(msg::kConnect), 2u);  // both calls were answered
  ExpectNoCallLeft();
}

// The near end's INFORMATION is call.dial: keypad digits after the answer
// (TAPI lineDial) go as a Keypad facility.
TEST_F(ReplayTest, KeypadInformationAfterTheAnswerReplaysAsCallDial) {
  Start(daemon::NodeType::kCpe, daemon::SwitchVariant::kEuroIsdnE1);
  const std::string trace = WriteFile(
      "keypad.txt", NetworkSends(kSetupChannel1) + UserSends("08 02 80 01 07 18 03 a9 83 81") +  // CONNECT
                        NetworkSends("08 02 00 01 0f") +
                        UserSends("08 02 80 01 7b 2c 02 31 23") +  // INFORMATION, keypad "1#"
                        NetworkSends("08 02 00 01 45 08 02 80 90") + UserSends("08 02 80 01 4d") +
                        NetworkSends("08 02 00 01 5a"));
  ReplayRun run = Replay({trace});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("[call.dial]"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("replay: 7 message(s), 0 difference(s)"), std::string::npos) << run.out;
  auto info = Find(Q931Messages(daemons_->Frames(), 0, 1), FrameDirection::kSent, msg::kInformation);
  ASSERT_EQ(info.size(), 1u);
  const q931::InformationElement* keypad = q931::FindIe(info[0].message, q931::ie::kKeypadFacility);
  ASSERT_NE(keypad, nullptr);
  EXPECT_EQ(std::string(keypad->contents.begin(), keypad->contents.end()), "1#");
  ExpectNoCallLeft();
}

// A capture that begins in the middle of a call: prid never had it, so
// nothing of it is played; the call after it is.
TEST_F(ReplayTest, CallUpBeforeTheCaptureBeganIsNotReplayed) {
  Start(daemon::NodeType::kCpe, daemon::SwitchVariant::kEuroIsdnE1);
  const std::string trace = WriteFile(
      "mid-call.txt", NetworkSends("08 02 00 07 45 08 02 80 90") +  // call 1: DISCONNECT
                          UserSends("08 02 80 07 4d") +             // RELEASE
                          NetworkSends("08 02 00 07 5a") +          // RELEASE COMPLETE
                          NetworkSends(kSetupCall2Channel2) + UserSends("08 02 80 02 07 18 03 a9 83 82") +
                          NetworkSends("08 02 00 02 0f"));
  ReplayRun run = Replay({trace});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(Count(run.out, "not replayed: "), 1u) << run.out;
  EXPECT_NE(run.out.find("not replayed: call 1 from line 1: the capture holds no SETUP for it"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("6 message(s), 0 difference(s), 1 call(s) not replayed"), std::string::npos) << run.out;
  // prid heard nothing of call 1 (the replayer's clearing of call 2 is
  // prid's DISCONNECT).
  EXPECT_TRUE(Find(Q931Messages(daemons_->Frames(), 0, 1), FrameDirection::kReceived, msg::kDisconnect).empty());
  ExpectNoCallLeft();
}

// Q.931 5.1.2: the network side may answer a SETUP with ALERTING alone;
// prid's libpri sends CALL PROCEEDING first, which is passed over.
TEST_F(ReplayTest, NetworkSideCallProceedingTheCaptureLeavesOutIsNoDifference) {
  Start(daemon::NodeType::kNetwork, daemon::SwitchVariant::kEuroIsdnE1);
  const std::string trace = WriteFile(
      "no-proceeding.txt", UserSends("08 02 00 01 05 04 03 80 90 a2 18 03 a9 83 81 70 04 80 31 32 33") +
                               NetworkSends("08 02 80 01 01 18 03 a9 83 81") +  // ALERTING, B1
                               NetworkSends("08 02 80 01 07") +                // CONNECT
                               UserSends("08 02 00 01 0f") +                   // CONNECT ACK
                               UserSends("08 02 00 01 45 08 02 80 90") +        // DISCONNECT
                               NetworkSends("08 02 80 01 4d") +                // RELEASE
                               UserSends("08 02 00 01 5a"));                   // RELEASE COMPLETE
  ReplayRun run = Replay({trace});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("(optional, not in the capture)"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("replay: 7 message(s), 0 difference(s)\n"), std::string::npos) << run.out;
  EXPECT_EQ(Sent(msg::kCallProceeding), 1u);
  EXPECT_EQ(Sent(msg::kRelease), 1u);
  ExpectNoCallLeft();
}

// The capture's CALL PROCEEDING (call.proceed, on another channel of a
// preferred offer) and PROGRESS with two indicators (call.progress) are
// sent as captured, on either side.
TEST_F(ReplayTest, CallProceedingOnAnotherChannelAndProgressAreReplayed) {
  for (daemon::NodeType node : {daemon::NodeType::kCpe, daemon::NodeType::kNetwork}) {
    const bool network = node == daemon::NodeType::kNetwork;
    SCOPED_TRACE(network ? "prid network" : "prid cpe");
    Start(node, daemon::SwitchVariant::kEuroIsdnE1);
    auto far = [&](const std::string& q931) { return network ? UserSends(q931) : NetworkSends(q931); };
    auto near = [&](const std::string& q931) { return network ? NetworkSends(q931) : UserSends(q931); };
    const std::string trace = WriteFile(
        "proceeding-progress.txt",
        far(kSetupPreferred1) + near("08 02 80 01 02 18 03 a9 83 83") +  // CALL PROCEEDING, B3
            near("08 02 80 01 03 1e 02 81 81 1e 02 81 88") +               // PROGRESS, PI 1 and 8
            near("08 02 80 01 01") +                                       // ALERTING
            near("08 02 80 01 07") +                                       // CONNECT
            far("08 02 00 01 0f") + far("08 02 00 01 45 08 02 80 90") + near("08 02 80 01 4d") +
            far("08 02 00 01 5a"));
    ReplayRun run = Replay({trace});
    EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
    EXPECT_NE(run.out.find("[call.proceed]"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("[call.progress]"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("replay: 9 message(s), 0 difference(s)\n"), std::string::npos) << run.out;
    const auto wire = Q931Messages(daemons_->Frames(), 0, 1);
    auto proceeding = Find(wire, FrameDirection::kSent, msg::kCallProceeding);
    ASSERT_EQ(proceeding.size(), 1u);
    EXPECT_EQ(ChannelOf(proceeding[0].message), 3);
    auto progress = Find(wire, FrameDirection::kSent, msg::kProgress);
    ASSERT_EQ(progress.size(), 1u);
    std::vector<int> indicators;
    for (const auto& e : progress[0].message.ies) {
      if (e.id == q931::ie::kProgressIndicator && e.contents.size() == 2) indicators.push_back(e.contents[1] & 0x7f);
    }
    EXPECT_EQ(indicators, (std::vector<int>{1, 8}));
    ExpectNoCallLeft();
    daemons_.reset();
  }
}

// Issue 4: a RESTART for the whole interface from the far end (libpri never
// sends one, the replayer can): prid acknowledges it and clears the call on
// the restarted channels, with events to its holders.
TEST_F(ReplayTest, WholeInterfaceRestartFromTheFarEndClearsCalls) {
  Start(daemon::NodeType::kCpe, daemon::SwitchVariant::kEuroIsdnE1);
  ApiClient monitor(socket_);
  ASSERT_TRUE(monitor.connected());
  monitor.Ok("line.open", {{"span", 1}, {"privilege", "monitor"}});
  const std::string trace = WriteFile(
      "restart.txt", NetworkSends(kSetupChannel1) +
                         UserSends("08 02 80 01 07 18 03 a9 83 81") +  // CONNECT
                         NetworkSends("08 02 00 01 0f") +              // CONNECT ACK
                         NetworkSends("08 02 00 00 46 79 01 87") +     // RESTART, all interfaces
                         UserSends("08 02 80 00 4e 79 01 87"));        // RESTART ACKNOWLEDGE
  ReplayRun run = Replay({trace});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("RESTART ACKNOWLEDGE"), std::string::npos) << run.out;
  auto offered = monitor.WaitNew();
  ASSERT_TRUE(offered);
  EXPECT_TRUE(monitor.WaitState((*offered)["call"], "connected"));
  auto idle = monitor.WaitState((*offered)["call"], "idle");
  ASSERT_TRUE(idle) << "the call survived a RESTART of the whole interface";
  // prid sent no clearing message of its own: the channels restarted.
  EXPECT_EQ(Sent(msg::kDisconnect), 0u);
  EXPECT_EQ(Sent(msg::kRestartAcknowledge), 1u);
  monitor.Ok("call.deallocate", {{"call", (*offered)["call"]}});
  ExpectNoCallLeft();
}

TEST_F(ReplayTest, SideThatTheSpanCannotPlayIsRefused) {
  Start(daemon::NodeType::kCpe, daemon::SwitchVariant::kEuroIsdnE1);
  ReplayRun run = Replay({TracesDir() + "/examples/linux-lapd-177-call.pcap", "--side", "network"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("span 1 is a cpe span"), std::string::npos) << run.err;
}

TEST_F(ReplayTest, TraceThatDoesNotTellTheSidesIsRefused) {
  Start(daemon::NodeType::kCpe, daemon::SwitchVariant::kEuroIsdnE1);
  // Bare Q.931 in a hex dump: nothing says who sent it.
  ReplayRun run = Replay({WriteFile("sideless.txt", kSetupChannel1 + "\n")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("does not tell which side sent SETUP"), std::string::npos) << run.err;
}

TEST_F(ReplayTest, SpanWithoutAFarEndSocketIsRefused) {
  TempDir dir;
  const std::string socket = dir.File("prid.sock");
  DaemonThread daemons({ConfigWith(socket, {SimSpan(1)})});  // the built-in peer
  ASSERT_TRUE(daemons.started()) << daemons.error();
  socket_ = socket;
  ReplayRun run = Replay({TracesDir() + "/examples/linux-lapd-177-call.pcap"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("no span of prid listens for a far end"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace prid::testing
