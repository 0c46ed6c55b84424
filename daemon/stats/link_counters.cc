// D-channel counters from the frames: Q.921 and Q.931 classification.
#include "daemon/stats/link_counters.h"

#include <string>

#include "q931/lapd.h"
#include "q931/names.h"

namespace prid::daemon {
namespace {

constexpr std::uint8_t kQ931Discriminator = 0x08;  // Q.931 4.2
constexpr std::uint8_t kSeqMask = 0x7F;            // N(S), N(R) modulo 128 (Q.921 3.5.2)

struct UnnumberedType {
  std::uint8_t control;
  Q921Type type;
};
constexpr UnnumberedType kUnnumbered[] = {
    {q931::lapd::kSabme, Q921Type::kSabme}, {q931::lapd::kDisc, Q921Type::kDisc},
    {q931::lapd::kUa, Q921Type::kUa},       {q931::lapd::kDm, Q921Type::kDm},
    {q931::lapd::kFrmr, Q921Type::kFrmr},   {q931::lapd::kUi, Q921Type::kUi},
    {q931::lapd::kXid, Q921Type::kXid},
};

constexpr std::string_view kQ921Names[kQ921Types] = {"I",  "RR", "RNR", "REJ", "SABME", "DISC",
                                                      "UA", "DM", "FRMR", "UI",  "XID",   "other"};

Q921Type TypeOf(const q931::LapdHeader& h) {
  switch (h.format) {
    case q931::LapdFormat::kInformation: return Q921Type::kI;
    case q931::LapdFormat::kSupervisory:
      if (h.control == q931::lapd::kRr) return Q921Type::kRr;
      if (h.control == q931::lapd::kRnr) return Q921Type::kRnr;
      return Q921Type::kRej;
    case q931::LapdFormat::kUnnumbered:
      for (const auto& u : kUnnumbered) {
        if (u.control == h.control) return u.type;
      }
      return Q921Type::kOther;
  }
  return Q921Type::kOther;
}

std::optional<std::uint8_t> MessageTypeAfter(const q931::LapdHeader& h, std::span<const std::uint8_t> frame) {
  if (h.sapi != q931::lapd::kSapiCallControl) return std::nullopt;
  if (h.format != q931::LapdFormat::kInformation &&
      !(h.format == q931::LapdFormat::kUnnumbered && h.control == q931::lapd::kUi)) {
    return std::nullopt;
  }
  std::span<const std::uint8_t> info = frame.subspan(h.length);
  // Q.931 4.2-4.4: discriminator, call reference length (low 4 bits) and
  // value, message type.
  if (info.size() < 2 || info[0] != kQ931Discriminator) return std::nullopt;
  const std::size_t cref_octets = info[1] & 0x0F;
  if (info.size() < 2 + cref_octets + 1) return std::nullopt;
  return info[2 + cref_octets];
}

// `n` is in [from, to) modulo 128.
bool InWindow(std::uint8_t n, std::uint8_t from, std::uint8_t to) {
  return ((n - from) & kSeqMask) < ((to - from) & kSeqMask);
}

}  // namespace

std::string_view Q921TypeName(Q921Type type) { return kQ921Names[static_cast<std::size_t>(type)]; }

std::string_view Q921StateName(Q921State state) {
  switch (state) {
    case Q921State::kTeiAssigned: return "tei_assigned";
    case Q921State::kAwaitingEstablishment: return "awaiting_establishment";
    case Q921State::kMultipleFrameEstablished: return "multiple_frame_established";
  }
  return "unknown";
}

Q921Type ClassifyQ921(std::span<const std::uint8_t> frame) {
  auto h = q931::DecodeLapdHeader(frame);
  return h.ok() ? TypeOf(*h) : Q921Type::kOther;
}

std::optional<std::uint8_t> Q931MessageType(std::span<const std::uint8_t> frame) {
  auto h = q931::DecodeLapdHeader(frame);
  if (!h.ok()) return std::nullopt;
  return MessageTypeAfter(*h, frame);
}

std::string_view Q931MessageKey(std::uint8_t message_type) {
  // Built once from names.h's table: no allocation when counting or asked.
  static const std::array<std::string, 256> kKeys = [] {
    std::array<std::string, 256> keys;
    for (int t = 0; t < 256; ++t) {
      std::string name(q931::MessageName(static_cast<std::uint8_t>(t)));
      if (name == "UNKNOWN") {
        keys[t] = "other";
        continue;
      }
      for (char& c : name) {
        if (c == ' ') c = '_';
      }
      keys[t] = std::move(name);
    }
    return keys;
  }();
  return kKeys[message_type];
}

bool LinkCounters::Count(q931::FrameDirection direction, std::span<const std::uint8_t> frame) {
  const bool sent = direction == q931::FrameDirection::kSent;
  DirectionCounts& counts = sent ? out_ : in_;
  ++counts.frames;
  counts.octets += frame.size();
  auto header = q931::DecodeLapdHeader(frame);
  if (!header.ok()) {
    ++counts.q921[static_cast<std::size_t>(Q921Type::kOther)];
    return false;
  }
  const q931::LapdHeader& h = *header;
  const Q921Type type = TypeOf(h);
  ++counts.q921[static_cast<std::size_t>(type)];
  if (h.sapi != q931::lapd::kSapiCallControl) return false;  // TEI management

  bool counts_as_message = type == Q921Type::kUi;
  switch (type) {
    case Q921Type::kI:
      if (sent) {
        if (InWindow(h.ns, va_, vs_)) {
          ++retransmissions_;  // already sent, not yet acknowledged
        } else {
          vs_ = (h.ns + 1) & kSeqMask;
          counts_as_message = true;
        }
      } else {
        va_ = h.nr;
        // A frame just behind V(R) is the far end's retransmission of one
        // already taken (Q.921 5.6.2 discards it); anything else is taken,
        // resynchronizing on an N(S) we did not expect.
        constexpr std::uint8_t kWindow = 7;  // k for SAPI 0 on a PRI (Q.921 5.9.5)
        if (!InWindow(h.ns, (vr_ - kWindow) & kSeqMask, vr_)) {
          vr_ = (h.ns + 1) & kSeqMask;
          counts_as_message = true;
        }
      }
      break;
    case Q921Type::kRr:
    case Q921Type::kRnr:
    case Q921Type::kRej:
      if (!sent) va_ = h.nr;
      break;
    case Q921Type::kSabme:
      if (sent) {
        if (our_sabme_pending_) ++retransmissions_;
        our_sabme_pending_ = true;
      }
      sabme_pending_ = true;
      break;
    case Q921Type::kUa:
      if (sabme_pending_) {
        Established();
        return true;
      }
      if (!sent) our_sabme_pending_ = false;
      break;
    case Q921Type::kDm:
      // Disconnected mode, either way: the far end refuses our SABME, we
      // refuse its, or we start Q.921 afresh (PriLink::LineUp's DM) and
      // what was sent before is no longer waited for.
      sabme_pending_ = false;
      our_sabme_pending_ = false;
      break;
    default:
      break;
  }
  if (counts_as_message) {
    if (auto message = MessageTypeAfter(h, frame)) ++counts.q931[*message];
  }
  return false;
}

void LinkCounters::Established() {
  ++link_resets_;
  sabme_pending_ = false;
  our_sabme_pending_ = false;
  vs_ = va_ = vr_ = 0;  // Q.921 5.5.1.2: both sides start from 0
}

void LinkCounters::Reset() {
  in_ = {};
  out_ = {};
  retransmissions_ = 0;
  link_resets_ = 0;
}

}  // namespace prid::daemon
