// prid-fault-peer SOCKET_PATH: a network-side libpri far end in its own
// process for the fault tests. It connects to a sim span that listens on
// SOCKET_PATH (retrying while prid starts), answers every call, and takes
// commands on stdin, one per line, each acknowledged on stdout:
//
//   answer             CALL PROCEEDING + CONNECT on SETUP, RELEASE on
//                      DISCONNECT (the default)          -> "ok answer"
//   ignore-setup       SETUP gets nothing (prid's T303)  -> "ok ignore-setup"
//   ignore-disconnect  DISCONNECT gets nothing (T305)    -> "ok ignore-disconnect"
//   ignore-release     RELEASE reaches this end's libpri (which answers it
//                      by itself) with its call reference changed on the
//                      way in, so no RELEASE COMPLETE comes back for the
//                      call (T308)                       -> "ok ignore-release"
//   disconnect-all     DISCONNECT for every call it holds -> "ok disconnect-all N"
//   restart            RESTART for the whole interface   -> "ok restart"
//   flap MS            closes the D-channel socket, connects again MS
//                      milliseconds later                -> "ok flap", then "reconnected"
//
// "ready" is printed once the socket is connected. EOF on stdin ends it,
// so a test that dies leaves no far end behind.
#include <ev++.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "base/unique_fd.h"
#include "q931/pri_link.h"

namespace {

constexpr std::uint8_t kQ931Release = 0x4d;

enum class Mode { kAnswer, kIgnoreSetup, kIgnoreDisconnect, kIgnoreRelease };

void Say(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

// The D-channel socket, which this end may close and connect again.
class SocketIo : public prid::q931::FrameIo {
 public:
  explicit SocketIo(std::string path) : path_(std::move(path)) {}

  bool Connect() {
    prid::base::UniqueFd fd(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
    if (!fd.valid() || ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return false;
    fd_ = std::move(fd);
    return true;
  }
  void Close() { fd_ = prid::base::UniqueFd(); }
  int fd() const { return fd_.get(); }
  bool connected() const { return fd_.valid(); }
  void set_lose_release(bool lose) { lose_release_ = lose; }

  int ReadFrame(std::span<std::uint8_t> buffer) override {
    if (!fd_.valid()) return 0;
    ssize_t n = ::recv(fd_.get(), buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (n == 0) {
      std::fprintf(stderr, "fault-peer: prid closed the D-channel\n");
      std::exit(0);
    }
    if (n < 0) return 0;
    std::span<std::uint8_t> frame = buffer.first(static_cast<std::size_t>(n));
    if (lose_release_) LoseRelease(frame);
    NoteSequence(frame, /*sent=*/false);
    return static_cast<int>(n);
  }
  bool WriteFrame(std::span<const std::uint8_t> frame) override {
    if (!fd_.valid()) return false;
    std::vector<std::uint8_t> copy(frame.begin(), frame.end());
    NoteSequence(copy, /*sent=*/true);
    return Send(copy);
  }

  // RESTART for the whole interface (restart indicator "all interfaces",
  // no channel identification), which libpri cannot send: an I-frame of
  // our own between libpri's, whose sequence numbers are shifted past it
  // from then on.
  bool SendInterfaceRestart() {
    const std::vector<std::uint8_t> frame = {
        0x02, 0x01,  // SAPI 0, C/R = 1 (the network's command), TEI 0
        static_cast<std::uint8_t>(next_sent_ns_ << 1), static_cast<std::uint8_t>(next_received_ns_ << 1),
        0x08, 0x02, 0x00, 0x00,  // Q.931, the global call reference
        0x46,                    // RESTART
        0x79, 0x01, 0x87};       // restart indicator: all interfaces
    next_sent_ns_ = (next_sent_ns_ + 1) % 128;
    shift_ = (shift_ + 1) % 128;
    return Send(frame);
  }

 private:
  bool Send(std::span<const std::uint8_t> frame) {
    return ::send(fd_.get(), frame.data(), frame.size(), MSG_DONTWAIT | MSG_NOSIGNAL) ==
           static_cast<ssize_t>(frame.size());
  }
  // Keeps libpri's Q.921 sequence numbers and the wire's apart by the
  // frames of our own sent: N(S) of what libpri sends goes up by the shift,
  // N(R) of what it receives down. SABME or UA either way starts afresh.
  void NoteSequence(std::span<std::uint8_t> frame, bool sent) {
    if (frame.size() < 3) return;
    const std::uint8_t control = frame[2];
    if ((control & 0x03) == 0x03) {
      const std::uint8_t command = control & ~0x10;
      if (command == 0x6f || command == 0x63) next_sent_ns_ = next_received_ns_ = shift_ = 0;
      return;
    }
    if (frame.size() < 4) return;
    if ((control & 0x01) == 0) {  // I-frame
      if (sent) {
        const int ns = ((control >> 1) + shift_) % 128;
        frame[2] = static_cast<std::uint8_t>(ns << 1);
        next_sent_ns_ = (ns + 1) % 128;
      } else {
        next_received_ns_ = ((control >> 1) + 1) % 128;
      }
    }
    if (!sent) {  // I- or S-frame: N(R)
      const int nr = ((frame[3] >> 1) - shift_ + 128) % 128;
      frame[3] = static_cast<std::uint8_t>((nr << 1) | (frame[3] & 0x01));
    }
  }

  // An I-frame (address 2, control 2 octets) carrying Q.931 RELEASE: its
  // call reference gets a value no call has, so libpri answers "no such
  // call" instead of completing the release (the Q.921 frame is intact).
  static void LoseRelease(std::span<std::uint8_t> frame) {
    if (frame.size() < 7 || (frame[2] & 0x01) != 0 || frame[4] != 0x08) return;
    const std::size_t cref_length = frame[5] & 0x0f;
    if (cref_length == 0 || frame.size() <= 6 + cref_length || frame[6 + cref_length] != kQ931Release) return;
    frame[6] ^= 0x40;
  }

  std::string path_;
  prid::base::UniqueFd fd_;
  bool lose_release_ = false;
  int next_sent_ns_ = 0;      // on the wire
  int next_received_ns_ = 0;  // V(R)
  int shift_ = 0;
};

class FaultPeer : public prid::q931::PriLinkObserver {
 public:
  FaultPeer(ev::loop_ref loop, std::string path)
      : io_(std::move(path)), input_(loop), dchannel_(loop), timer_(loop), reconnect_(loop) {
    input_.set<FaultPeer, &FaultPeer::OnInput>(this);
    dchannel_.set<FaultPeer, &FaultPeer::OnReadable>(this);
    timer_.set<FaultPeer, &FaultPeer::OnTimer>(this);
    reconnect_.set<FaultPeer, &FaultPeer::OnReconnect>(this);
    auto link = prid::q931::PriLink::Create({"fault-peer", PRI_NETWORK, PRI_SWITCH_EUROISDN_E1}, io_, *this);
    if (!link.ok()) {
      std::fprintf(stderr, "%s\n", link.error().c_str());
      std::exit(1);
    }
    link_ = std::move(*link);
    // Calls kept across a flap as long as prid keeps them: the fault
    // test's spans have t309 = 1 s too.
    pri_set_timer(link_->raw(), PRI_TIMER_T309, 1000);
    input_.start(0, ev::READ);
    reconnect_.start(0.0, 0.02);
  }

  void OnPriEvent(const pri_event& e) override {
    prid::q931::PriLink& link = *link_;
    switch (e.e) {
      case PRI_EVENT_RING:
        if (mode_ == Mode::kIgnoreSetup) break;
        calls_.insert(e.ring.call);
        link.Call(pri_proceeding, e.ring.call, e.ring.channel, 0);
        link.Call(pri_answer, e.ring.call, e.ring.channel, 0);
        break;
      case PRI_EVENT_HANGUP_REQ:
        if (mode_ == Mode::kIgnoreDisconnect) break;
        calls_.erase(e.hangup.call);
        link.Call(pri_hangup, e.hangup.call, e.hangup.cause > 0 ? e.hangup.cause : 16);
        break;
      case PRI_EVENT_HANGUP:
        calls_.erase(e.hangup.call);
        link.Call(pri_hangup, e.hangup.call, e.hangup.cause > 0 ? e.hangup.cause : 16);
        break;
      default:
        break;
    }
  }
  void OnTimerDeadline(std::optional<std::chrono::system_clock::time_point> deadline) override {
    timer_.stop();
    if (!deadline) return;
    auto delay = std::chrono::duration<double>(*deadline - std::chrono::system_clock::now()).count();
    timer_.start(std::max(0.0, delay), 0.0);
  }
  void OnFrame(prid::q931::FrameDirection, std::span<const std::uint8_t>) override {}

 private:
  void OnReadable(ev::io&, int) { link_->ProcessInput(); }
  void OnTimer(ev::timer&, int) { link_->RunTimers(); }

  void OnReconnect(ev::timer&, int) {
    if (!io_.Connect()) {
      if (first_connect_ && ++attempts_ > 500) {
        std::fprintf(stderr, "fault-peer: cannot connect\n");
        std::exit(1);
      }
      return;  // the repeating timer tries again
    }
    reconnect_.stop();
    dchannel_.start(io_.fd(), ev::READ);
    link_->LineUp();
    Say(first_connect_ ? "ready" : "reconnected");
    first_connect_ = false;
  }

  void OnInput(ev::io&, int) {
    char buffer[512];
    ssize_t n = ::read(0, buffer, sizeof(buffer));
    if (n <= 0) std::exit(0);
    pending_.append(buffer, static_cast<std::size_t>(n));
    for (std::size_t end; (end = pending_.find('\n')) != std::string::npos;) {
      std::string line = pending_.substr(0, end);
      pending_.erase(0, end + 1);
      Run(line);
    }
  }

  void Run(const std::string& line) {
    std::istringstream words(line);
    std::string command;
    words >> command;
    if (command == "answer") {
      mode_ = Mode::kAnswer;
    } else if (command == "ignore-setup") {
      mode_ = Mode::kIgnoreSetup;
    } else if (command == "ignore-disconnect") {
      mode_ = Mode::kIgnoreDisconnect;
    } else if (command == "ignore-release") {
      mode_ = Mode::kIgnoreRelease;
    } else if (command == "disconnect-all") {
      const std::size_t count = calls_.size();
      for (q931_call* call : calls_) link_->Call(pri_hangup, call, 16);
      calls_.clear();
      Say("ok disconnect-all " + std::to_string(count));
      return;
    } else if (command == "restart") {
      if (!io_.SendInterfaceRestart()) {
        Say("error restart not sent");
        return;
      }
      calls_.clear();
    } else if (command == "flap") {
      int ms = 0;
      words >> ms;
      dchannel_.stop();
      io_.Close();
      link_->LineDown();
      Say("ok flap");
      reconnect_.start(ms / 1000.0, 0.02);
      return;
    } else {
      Say("error unknown command: " + line);
      return;
    }
    io_.set_lose_release(mode_ == Mode::kIgnoreRelease);
    Say("ok " + command);
  }

  SocketIo io_;
  ev::io input_;
  ev::io dchannel_;
  ev::timer timer_;
  ev::timer reconnect_;
  std::unique_ptr<prid::q931::PriLink> link_;
  std::set<q931_call*> calls_;
  Mode mode_ = Mode::kAnswer;
  std::string pending_;
  bool first_connect_ = true;
  int attempts_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s SOCKET_PATH\n", argv[0]);
    return 2;
  }
  ev::default_loop loop;
  FaultPeer peer(loop, argv[1]);
  loop.run(0);
  return 0;
}
