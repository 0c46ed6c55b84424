// A whole LAPD frame carrying (or not) a Q.931 message: what the D-channel
// transport and the trace see. No FCS octets.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/expected.h"
#include "q931/lapd.h"
#include "q931/message.h"

namespace prid::q931 {

struct DecodedFrame {
  LapdHeader lapd;
  // Set for I and UI frames on SAPI 0 whose payload decodes as Q.931
  // (protocol discriminator 0x08, 0x03 or 0x43).
  std::optional<Message> q931;
  // Set when the frame carries a payload that fails to decode: DecodeMessage's
  // error, whose offsets count from the first octet of the Q.931 payload
  // (frame offset lapd.length).
  std::optional<std::string> q931_error;
};

// Errors only for a frame whose LAPD header is broken.
base::Result<DecodedFrame> DecodeFrame(std::span<const std::uint8_t> frame);

// The head of the frame's Q.931 message (DecodeMessageHead), its IEs not
// parsed; nullopt for a frame that carries none or whose head is broken.
// Unlike DecodeFrame's q931 it is there for a message whose IEs do not
// decode: it says whose message it is, not whether it is well formed.
std::optional<MessageHead> PeekQ931Head(std::span<const std::uint8_t> frame);

// The frame with its Q.931 payload replaced by the encoding of `message`
// (the LAPD header octets are kept as they were).
std::vector<std::uint8_t> ReplaceQ931(std::span<const std::uint8_t> frame, const LapdHeader& lapd,
                                      const Message& message);

}  // namespace prid::q931
