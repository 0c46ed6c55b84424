// LAPD frame decoding with its Q.931 payload, and payload replacement.
#include "q931/frame.h"

#include <algorithm>

namespace prid::q931 {

base::Result<DecodedFrame> DecodeFrame(std::span<const std::uint8_t> frame) {
  auto header = DecodeLapdHeader(frame);
  if (!header) return base::Fail(header.error());
  DecodedFrame out;
  out.lapd = *header;
  // Q.921 Table 2: SAPI 0 carries call control (Q.931) in I frames, and in
  // UI frames for broadcast (Q.921 5.2).
  const bool carries_q931 =
      out.lapd.sapi == lapd::kSapiCallControl &&
      (out.lapd.format == LapdFormat::kInformation ||
       (out.lapd.format == LapdFormat::kUnnumbered && out.lapd.control == lapd::kUi));
  if (!carries_q931 || frame.size() <= out.lapd.length) return out;
  auto message = DecodeMessage(frame.subspan(out.lapd.length));
  if (message) {
    out.q931 = std::move(message).value();
  } else {
    out.q931_error = message.error();
  }
  return out;
}

std::vector<std::uint8_t> ReplaceQ931(std::span<const std::uint8_t> frame, const LapdHeader& lapd,
                                      const Message& message) {
  const std::size_t header_length = std::min(lapd.length, frame.size());
  std::vector<std::uint8_t> out(frame.begin(),
                                frame.begin() + static_cast<std::ptrdiff_t>(header_length));
  const auto payload = EncodeMessage(message);
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

}  // namespace prid::q931
