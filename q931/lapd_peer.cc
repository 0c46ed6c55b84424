// The replayer's end of a Q.921 data link.
#include "q931/lapd_peer.h"

#include <fmt/format.h>

#include "q931/lapd.h"

namespace prid::q931 {
namespace {

constexpr std::uint8_t kModulus = 128;  // extended (mod 128) operation, Q.921 3.5.2

std::vector<std::uint8_t> WithPayload(std::vector<std::uint8_t> header,
                                      std::span<const std::uint8_t> payload) {
  header.insert(header.end(), payload.begin(), payload.end());
  return header;
}

}  // namespace

std::vector<std::uint8_t> LapdPeer::Sabme() {
  sabme_sent_ = true;
  return EncodeLapdHeader(
      MakeUFrame(lapd::kSapiCallControl, 0, CommandBit(true), lapd::kSabme, /*poll_final=*/true));
}

std::vector<std::uint8_t> LapdPeer::Supervisory(std::uint8_t control, bool command,
                                                bool poll_final) const {
  return EncodeLapdHeader(
      MakeSFrame(lapd::kSapiCallControl, 0, CommandBit(command), control, vr_, poll_final));
}

std::vector<std::uint8_t> LapdPeer::Information(std::span<const std::uint8_t> payload) {
  const std::uint8_t ns = vs_;
  vs_ = static_cast<std::uint8_t>((vs_ + 1) % kModulus);
  unacked_[ns].assign(payload.begin(), payload.end());
  return WithPayload(
      EncodeLapdHeader(MakeIFrame(lapd::kSapiCallControl, 0, CommandBit(true), ns, vr_)), payload);
}

void LapdPeer::Acknowledged(std::uint8_t nr) {
  // N(R) acknowledges every frame before it (modulo 128).
  for (auto it = unacked_.begin(); it != unacked_.end();) {
    const int behind = (nr - it->first + kModulus) % kModulus;
    const int outstanding = (vs_ - it->first + kModulus) % kModulus;
    it = (behind > 0 && behind <= outstanding) ? unacked_.erase(it) : std::next(it);
  }
}

LapdPeer::Output LapdPeer::Receive(std::span<const std::uint8_t> frame) {
  Output out;
  auto header = DecodeLapdHeader(frame);
  if (!header) {
    out.problems.push_back(header.error());
    return out;
  }
  const LapdHeader& h = *header;
  // Commands from the other end carry the C/R bit we do not use for ours.
  const bool command = h.command_response != CommandBit(true);
  const auto payload = frame.subspan(h.length);
  switch (h.format) {
    case LapdFormat::kInformation: {
      Acknowledged(h.nr);
      if (!established_) {
        // Q.921 5.5.3.1: not in multiple frame operation, answer a DM.
        out.replies.push_back(EncodeLapdHeader(
            MakeUFrame(lapd::kSapiCallControl, 0, CommandBit(false), lapd::kDm, h.poll_final)));
        out.problems.push_back(fmt::format("I frame N(S)={} before the link was established", h.ns));
        break;
      }
      if (h.ns == vr_) {
        vr_ = static_cast<std::uint8_t>((vr_ + 1) % kModulus);
        if (h.sapi == lapd::kSapiCallControl) out.payloads.emplace_back(payload.begin(), payload.end());
      }
      // In sequence or a repeat (the other end's T200 ran out first):
      // either way acknowledge what we have.
      out.replies.push_back(Supervisory(lapd::kRr, /*command=*/false, h.poll_final));
      break;
    }
    case LapdFormat::kSupervisory:
      Acknowledged(h.nr);
      if (h.control == lapd::kRej) {
        // Resend everything from N(R) on, in order.
        for (std::uint8_t ns = h.nr; ns != vs_; ns = static_cast<std::uint8_t>((ns + 1) % kModulus)) {
          auto it = unacked_.find(ns);
          if (it == unacked_.end()) continue;
          out.replies.push_back(WithPayload(
              EncodeLapdHeader(MakeIFrame(lapd::kSapiCallControl, 0, CommandBit(true), ns, vr_)),
              it->second));
        }
      }
      if (command && h.poll_final) {
        out.replies.push_back(Supervisory(lapd::kRr, /*command=*/false, /*poll_final=*/true));
      }
      break;
    case LapdFormat::kUnnumbered:
      switch (h.control) {
        case lapd::kSabme:
          // (Re-)establishment: both ends start counting from zero. A SABME
          // of ours still unanswered is superseded (Q.921 5.5.1.3, the
          // SABMEs crossed): the UA that answers it must not reset the
          // counters again once I frames have been numbered.
          vs_ = vr_ = 0;
          unacked_.clear();
          established_ = true;
          sabme_sent_ = false;
          out.replies.push_back(EncodeLapdHeader(
              MakeUFrame(lapd::kSapiCallControl, 0, CommandBit(false), lapd::kUa, h.poll_final)));
          break;
        case lapd::kDisc:
          established_ = false;
          out.replies.push_back(EncodeLapdHeader(
              MakeUFrame(lapd::kSapiCallControl, 0, CommandBit(false), lapd::kUa, h.poll_final)));
          break;
        case lapd::kUa:
          if (sabme_sent_) {
            vs_ = vr_ = 0;
            unacked_.clear();
            sabme_sent_ = false;
          }
          established_ = true;
          break;
        case lapd::kDm:
          established_ = false;
          break;
        case lapd::kUi:
          if (h.sapi == lapd::kSapiCallControl) out.payloads.emplace_back(payload.begin(), payload.end());
          break;
        default:
          out.problems.push_back(fmt::format("{} frame not handled", LapdFrameName(h)));
          break;
      }
      break;
  }
  return out;
}

}  // namespace prid::q931
