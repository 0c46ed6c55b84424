// Bad input from the line: a raw LAPD far end (this test, speaking Q.921
// itself over the sim socket) sends malformed frames and Q.931 messages.
// prid must neither crash nor lose its link, and must still take a call.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "base/unique_fd.h"
#include "tests/integration/fixture.h"

namespace prid::testing {
namespace {

using Bytes = std::vector<std::uint8_t>;

// The network side of a LAPD link, by hand: SABME/UA, then numbered
// I-frames (SAPI 0, TEI 0; network commands carry C/R = 1).
class RawNetworkSide {
 public:
  explicit RawNetworkSide(const std::string& path) {
    fd_.Reset(::socket(AF_UNIX, SOCK_SEQPACKET, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    connected_ = ::connect(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  bool connected() const { return connected_; }

  void Send(const Bytes& frame) { ASSERT_EQ(::send(fd_.get(), frame.data(), frame.size(), 0), static_cast<ssize_t>(frame.size())); }

  // Reads frames until one satisfies `want` (acknowledging I-frames).
  bool ReadUntil(const std::function<bool(const Bytes&)>& want, int timeout_ms = kWaitMs) {
    for (;;) {
      pollfd p{fd_.get(), POLLIN, 0};
      if (::poll(&p, 1, timeout_ms) <= 0) return false;
      Bytes frame(512);
      ssize_t n = ::recv(fd_.get(), frame.data(), frame.size(), 0);
      if (n <= 0) return false;
      frame.resize(static_cast<std::size_t>(n));
      if (frame.size() == 3 && (frame[2] & 0xef) == 0x6f) {
        Send({0x00, 0x01, 0x73});  // its SABME: UA with F = 1 (network responses carry C/R = 0)
        vs_ = vr_ = 0;
      }
      if (frame.size() >= 4 && (frame[2] & 1) == 0) {
        vr_ = static_cast<std::uint8_t>(((frame[2] >> 1) + 1) & 0x7f);  // I-frame: count it
      }
      if (want(frame)) return true;
    }
  }

  // An I-frame carrying `info` with the right N(S)/N(R).
  void SendI(const Bytes& info) {
    Bytes frame = {0x02, 0x01, static_cast<std::uint8_t>(vs_ << 1), static_cast<std::uint8_t>(vr_ << 1)};
    frame.insert(frame.end(), info.begin(), info.end());
    vs_ = static_cast<std::uint8_t>((vs_ + 1) & 0x7f);
    Send(frame);
  }

 private:
  base::UniqueFd fd_;
  bool connected_ = false;
  std::uint8_t vs_ = 0;
  std::uint8_t vr_ = 0;
};

TEST(BadLineInputTest, MalformedFramesAreSurvivedAndTheSpanStillTakesACall) {
  TempDir dir;
  daemon::SpanConfig span = SimSpan(1, daemon::NodeType::kCpe);
  span.peer.clear();
  span.listen = dir.File("span1.seq");
  DaemonThread daemons({ConfigWith(dir.File("prid.sock"), {span})});
  ASSERT_TRUE(daemons.started()) << daemons.error();
  ApiClient client(dir.File("prid.sock"));
  client.Ok("line.open", {{"span", 1}});

  RawNetworkSide line(dir.File("span1.seq"));
  ASSERT_TRUE(line.connected());
  // Garbage before the link is even up.
  line.Send({0xff});
  line.Send({0x00, 0x01});
  // Establish multiple-frame operation: SABME (P=1) → UA.
  line.Send({0x02, 0x01, 0x7f});
  ASSERT_TRUE(line.ReadUntil([](const Bytes& f) { return f.size() == 3 && (f[2] & 0xef) == 0x63; }))
      << "no UA for SABME";
  // Until span.state says up, answer whatever SABME libpri sends itself.
  ApiClient watcher(dir.File("prid.sock"));
  watcher.Ok("events.subscribe", {{"since", 0}, {"span", 1}});
  bool up = false;
  for (int round = 0; round < 50 && !up; ++round) {
    up = watcher.WaitEvent([](const nlohmann::json& e) { return e["type"] == "span.state" && e["state"] == "up"; },
                           100).has_value();
    if (!up) line.ReadUntil([](const Bytes& f) { return f.size() == 3 && (f[2] & 0xef) == 0x6f; }, 100);
  }
  ASSERT_TRUE(up) << "span never came up";

  const std::vector<Bytes> bad_q931 = {
      {},                                                   // empty I-frame
      {0x08},                                               // protocol discriminator only
      {0x08, 0x02, 0x00},                                   // call reference cut short
      {0x08, 0x0f, 0x00, 0x01},                             // call reference length 15
      {0x08, 0x02, 0x00, 0x05, 0x05, 0x04, 0x7f, 0x80},     // SETUP, bearer IE runs past the end
      {0x08, 0x02, 0x00, 0x06, 0x45, 0x08},                 // DISCONNECT, IE header cut
      {0x08, 0x02, 0x00, 0x07, 0x45, 0x7e, 0xff, 0x00},     // UUIE length 255 with one octet
      {0x08, 0x02, 0x80, 0x09, 0x5a, 0x7e, 0x00},           // RELEASE COMPLETE, empty UUIE, unknown call
      {0x41, 0x42, 0x43, 0x44, 0x45, 0x46},                 // not Q.931 at all
      {0x08, 0x02, 0x00, 0x0a, 0xff},                       // unknown message type
  };
  for (const Bytes& info : bad_q931) line.SendI(info);

  // The daemon still answers, and the link still carries a real call: a
  // well-formed SETUP (speech, A-law, exclusive B1, called 1000).
  client.Ok("daemon.status");
  line.SendI({0x08, 0x02, 0x00, 0x21, 0x05, 0x04, 0x03, 0x80, 0x90, 0xa3, 0x18, 0x03, 0xa9, 0x83, 0x81,
              0x70, 0x05, 0x80, 0x31, 0x30, 0x30, 0x30});
  auto offered = client.WaitNew();
  ASSERT_TRUE(offered) << "the span no longer takes calls after the bad frames";
  EXPECT_EQ((*offered)["called"], "1000");
  client.Ok("call.drop", {{"call", (*offered)["call"]}, {"uui", {{"text", "still here"}}}});
  ASSERT_TRUE(line.ReadUntil([](const Bytes& f) { return f.size() > 8 && f[8] == 0x5a; }))
      << "no RELEASE COMPLETE for the rejected call";
  EXPECT_TRUE(client.WaitState((*offered)["call"], "idle"));
}

}  // namespace
}  // namespace prid::testing
