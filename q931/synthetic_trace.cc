// Deterministic generation of realistic Q.931 calls.
#include "q931/synthetic_trace.h"

#include <random>
#include <string>

#include "q931/lapd.h"
#include "q931/message.h"

namespace prid::q931 {
namespace {

using Bytes = std::vector<std::uint8_t>;

class CallWriter {
 public:
  explicit CallWriter(std::uint32_t seed) : rng_(seed) {}

  std::uint32_t pick(std::uint32_t n) {
    return std::uniform_int_distribution<std::uint32_t>(0, n - 1)(rng_);
  }

  std::string digits(std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += static_cast<char>('0' + pick(10));
    return s;
  }

  Message header(std::uint32_t cref, bool flag, std::uint8_t type) {
    Message m;
    m.call_reference.length = 2;
    m.call_reference.value = cref;
    m.call_reference.flag = flag;
    m.message_type = type;
    return m;
  }

  static void add(Message& m, std::uint8_t id, Bytes contents) {
    InformationElement e;
    e.id = id;
    e.contents = std::move(contents);
    m.ies.push_back(std::move(e));
  }
  static void add_single(Message& m, std::uint8_t id) {
    InformationElement e;
    e.id = id;
    e.single_octet = true;
    m.ies.push_back(std::move(e));
  }
  static Bytes text(Bytes head, const std::string& s) {
    for (char c : s) head.push_back(static_cast<std::uint8_t>(c));
    return head;
  }

  Bytes channel() { return {0xA9, 0x83, static_cast<std::uint8_t>(0x80 | (1 + pick(23)))}; }

  // One call: SETUP, CALL PROCEEDING, ALERTING, CONNECT, CONNECT ACK,
  // sometimes FACILITY / NOTIFY / INFORMATION, DISCONNECT, RELEASE,
  // RELEASE COMPLETE.
  std::vector<std::pair<bool, Bytes>> call(std::uint32_t cref) {
    std::vector<std::pair<bool, Bytes>> out;  // (sent by originator, message)
    const auto push = [&out](bool from_originator, const Message& m) {
      out.emplace_back(from_originator, EncodeMessage(m));
    };
    Message setup = header(cref, false, msg::kSetup);
    if (pick(3) == 0) add_single(setup, ie::kSendingComplete);
    add(setup, ie::kBearerCapability, pick(2) ? Bytes{0x80, 0x90, 0xA2} : Bytes{0x88, 0x90});
    add(setup, ie::kChannelIdentification, channel());
    if (pick(2))
      add(setup, ie::kFacility,
          {0x9F,
           0xAA,
           0x06,
           0x80,
           0x01,
           0x00,
           0x82,
           0x01,
           0x00,
           0x8B,
           0x01,
           0x00,
           0xA1,
           0x0A,
           0x02,
           0x01,
           static_cast<std::uint8_t>(pick(128)),
           0x02,
           0x01,
           0x00,
           0x80,
           0x02,
           0x41,
           0x42});
    add(setup, ie::kProgressIndicator, {0x81, 0x83});
    if (pick(2)) add(setup, ie::kDisplay, text({0xB1}, "Caller " + digits(3)));
    // Octet 3a: presentation allowed, user-provided.
    add(setup, ie::kCallingPartyNumber, text({0x21, 0x80}, digits(10)));
    if (pick(4) == 0) add(setup, ie::kCallingPartySubaddress, text({0x80}, "P" + digits(2)));
    add(setup, ie::kCalledPartyNumber, text({0xA1}, digits(4 + pick(7))));
    if (pick(3) == 0) add(setup, ie::kRedirectingNumber, {0x21, 0x03, 0x8F, '5', '5', '5'});
    if (pick(3) == 0) add(setup, ie::kHighLayerCompatibility, {0x91, 0x81});
    if (pick(3) == 0) add(setup, ie::kUserUser, text({0x04}, "uui-" + digits(6)));
    if (pick(3) == 0) {
      add_single(setup, 0x96);  // locking shift to codeset 6
      add(setup, 0x01, {static_cast<std::uint8_t>(pick(64))});
    } else if (pick(2) == 0) {
      add_single(setup, 0x9D);  // non-locking shift to codeset 5
      add(setup, 0x32, {0x80 | 0x0A});
    }
    push(true, setup);
    Message proceeding = header(cref, true, msg::kCallProceeding);
    add(proceeding, ie::kChannelIdentification, channel());
    push(false, proceeding);
    Message alerting = header(cref, true, msg::kAlerting);
    if (pick(2)) add(alerting, ie::kProgressIndicator, {0x82, 0x88});
    push(false, alerting);
    Message connect = header(cref, true, msg::kConnect);
    if (pick(2)) {
      // Type national, plan ISDN; octet 3a: presentation allowed, network provided.
      add(connect, ie::kConnectedNumber, text({0x21, 0x83}, digits(7)));
    }
    if (pick(4) == 0) add(connect, ie::kDateTime, {24, 11, 21, 12, 30, 5});
    push(false, connect);
    push(true, header(cref, false, msg::kConnectAcknowledge));
    if (pick(4) == 0) {
      Message notify = header(cref, true, msg::kNotify);
      add(notify, ie::kNotificationIndicator, {0xF9});
      push(false, notify);
    }
    if (pick(4) == 0) {
      Message info = header(cref, false, msg::kInformation);
      add(info, ie::kKeypadFacility, text({'*'}, digits(2)));
      push(true, info);
    }
    const bool local = pick(2) == 0;
    Message disconnect = header(cref, !local, msg::kDisconnect);
    static constexpr std::uint8_t kCauses[] = {16, 17, 21, 31, 34, 41, 127};
    add(disconnect, ie::kCause,
        {local ? std::uint8_t{0x80} : std::uint8_t{0x82},
         static_cast<std::uint8_t>(0x80 | kCauses[pick(7)])});
    if (pick(2)) add(disconnect, ie::kProgressIndicator, {0x82, 0x88});
    if (pick(2)) add(disconnect, ie::kUserUser, text({0x04}, "bye " + digits(4)));
    push(local, disconnect);
    Message release = header(cref, local, msg::kRelease);
    if (pick(3) == 0) add(release, ie::kUserUser, text({0x04}, "rel"));
    push(!local, release);
    push(local, header(cref, !local, msg::kReleaseComplete));
    return out;
  }

 private:
  std::mt19937 rng_;
};

}  // namespace

std::vector<std::vector<std::uint8_t>> GenerateMessages(std::size_t calls, std::uint32_t seed) {
  CallWriter writer(seed);
  std::vector<Bytes> out;
  for (std::size_t c = 0; c < calls; ++c) {
    for (auto& [from_originator, m] : writer.call(static_cast<std::uint32_t>(1 + c % 0x7FFF))) {
      out.push_back(std::move(m));
    }
  }
  return out;
}

std::vector<TraceRecord> GenerateFrames(std::size_t calls, std::uint32_t seed) {
  CallWriter writer(seed);
  std::vector<TraceRecord> out;
  std::uint8_t next_ns[2] = {0, 0};       // [0] user side (us), [1] network side
  std::int64_t tick = 1'700'000'000'000;  // milliseconds
  const auto frame = [&out, &tick](bool by_network, Bytes bytes) {
    TraceRecord r;
    r.time = base::WallTime(std::chrono::milliseconds(tick += 7));
    r.direction = by_network ? FrameDirection::kReceived : FrameDirection::kSent;
    r.frame = std::move(bytes);
    out.push_back(std::move(r));
  };
  for (std::size_t c = 0; c < calls; ++c) {
    // Calls alternate: odd ones placed by the network.
    const bool network_originates = c % 2 == 1;
    for (auto& [from_originator, m] : writer.call(static_cast<std::uint32_t>(1 + c % 0x7FFF))) {
      const bool by_network = from_originator == network_originates;
      const int s = by_network ? 1 : 0;
      Bytes f = EncodeLapdHeader(
          MakeIFrame(lapd::kSapiCallControl, 0, by_network, next_ns[s], next_ns[1 - s]));
      next_ns[s] = static_cast<std::uint8_t>((next_ns[s] + 1) & 0x7F);
      f.insert(f.end(), m.begin(), m.end());
      frame(by_network, std::move(f));
      // The receiver acknowledges: RR response (C/R 1 from the user side).
      frame(!by_network, EncodeLapdHeader(MakeSFrame(lapd::kSapiCallControl, 0, by_network,
                                                     lapd::kRr, next_ns[s])));
    }
  }
  return out;
}

}  // namespace prid::q931
